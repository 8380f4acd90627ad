//! Records people keep (issue 11): the acceptance record of a terms version (who accepted which
//! version when, with its hash), corrections of access-log entries that name the entry they
//! correct (append-only), and the export of one's own access-log entries.

use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    the_terms_record_lists_every_acceptance_on_the_owners_grants,
    the_terms_record_is_the_developers_alone,
    a_correction_names_an_entry_of_the_same_grant,
    a_correction_is_by_the_author_or_an_admin_of_their_organization,
    one_exports_ones_own_access_log_entries,
    the_own_export_streams_past_one_page,
);

fn acc(app: &TestApp, terms: &str) -> String {
    app.api(&format!("/terms/{terms}/acceptances"))
}

/// A grant of the cast's model to the NSA under `terms`, accepted by both sides, with `analyst`
/// rostered and acknowledged, the clock inside the window.
async fn active_grant(app: &TestApp, c: &Cast, terms: &str, analyst: &User) -> String {
    let g = offer(
        app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        terms,
        t0() + Duration::hours(1),
        t0() + days(5),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(app, &id, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(app, &id, ""), &analyst.id)
        .await
        .expect(201);
    analyst
        .post_empty(&ag(app, &id, "acknowledge"))
        .await
        .expect(200);
    id
}

use chrono::Duration;

async fn the_terms_record_lists_every_acceptance_on_the_owners_grants(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let own = publish_terms(&app, &c.dev, "Aurora terms 2026").await;
    let terms = own["id"].as_str().unwrap().to_string();
    let sha = own["sha256"].as_str().unwrap().to_string();
    // Before any grant: an empty record, not a refusal.
    let l = c.dev.get(&acc(&app, &terms)).await.expect(200);
    assert!(items(&l).is_empty());
    let grant = active_grant(&app, &c, &terms, &analyst).await;
    let l = c.dev.get(&acc(&app, &terms)).await.expect(200);
    let got = items(&l);
    assert_eq!(got.len(), 3, "developer, NSA, the analyst: {}", l.text);
    let mut seen: Vec<(String, String, String)> = got
        .iter()
        .map(|a| {
            assert_eq!(
                a["terms_sha256"],
                json!(sha),
                "each names the hash accepted"
            );
            assert_eq!(a["grant_type"], "access");
            assert_eq!(a["grant_id"], json!(grant));
            assert!(ts(&a["accepted_at"]) >= t0());
            (
                a["user_id"].as_str().unwrap().to_string(),
                a["scope"].as_str().unwrap().to_string(),
                a["organization_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    let org = "organization".to_string();
    let mut want = [
        (c.dev.id.clone(), org.clone(), c.dev.org_id.clone()),
        (c.nsa.id.clone(), org, c.nsa.org_id.clone()),
        (
            analyst.id.clone(),
            "individual".into(),
            c.nsa.org_id.clone(),
        ),
    ];
    want.sort();
    assert_eq!(seen, want.to_vec(), "who accepted, for which organization");
    assert!(got
        .iter()
        .any(|a| a["organization_name"] == "Aurora AI Labs"));
    assert!(got
        .iter()
        .all(|a| !a["user_name"].as_str().unwrap().is_empty()));
    // Newest first, in pages.
    let p1 = c
        .dev
        .get(&format!("{}?limit=2", acc(&app, &terms)))
        .await
        .expect(200);
    assert_eq!(items(&p1).len(), 2);
    let cursor = p1.body["next_cursor"].as_str().unwrap().to_string();
    let p2 = c
        .dev
        .get(&format!("{}?limit=2&cursor={cursor}", acc(&app, &terms)))
        .await
        .expect(200);
    assert_eq!(items(&p2).len(), 1);
    assert!(p2.body["next_cursor"].is_null());
    assert_eq!(
        ids(&p1).into_iter().chain(ids(&p2)).collect::<Vec<_>>(),
        ids(&l)
    );
    // A template: each developer sees the acceptances on its own grants only.
    let on_template = active_grant(&app, &c, &c.template, &analyst).await;
    let mine = c.dev.get(&acc(&app, &c.template)).await.expect(200);
    assert_eq!(items(&mine).len(), 3);
    assert!(items(&mine)
        .iter()
        .all(|a| a["grant_id"] == json!(on_template)));
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let l = other.get(&acc(&app, &c.template)).await.expect(200);
    assert!(
        items(&l).is_empty(),
        "another developer's acceptances leaked: {}",
        l.text
    );
}

async fn the_terms_record_is_the_developers_alone(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let terms = publish_terms(&app, &c.dev, "Aurora terms 2026").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    active_grant(&app, &c, &terms, &analyst).await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let member = colleague(&app, &c.dev, "eng@aurora.example", "member").await;
    // Any member of the owner may read it (it is a record, not an act).
    assert_eq!(
        items(&member.get(&acc(&app, &terms)).await.expect(200)).len(),
        3
    );
    // The grantee reads its grant's acceptances on the grant, the operator never sees
    // developer records, another developer cannot see the version at all: 404 like a missing id.
    let missing = uuid::Uuid::new_v4().to_string();
    for who in [&other, &c.nsa, &analyst, &c.cisa, &c.op] {
        let hidden = who.get(&acc(&app, &terms)).await.problem(404, "not_found");
        let absent = who
            .get(&acc(&app, &missing))
            .await
            .problem(404, "not_found");
        same_as_missing(&hidden, &absent);
    }
    // The operator owns templates but not the developers' grants that use them.
    c.op.get(&acc(&app, &c.template))
        .await
        .problem(404, "not_found");
    c.dev
        .get(&format!("{}?limit=0", acc(&app, &terms)))
        .await
        .problem(422, "validation_failed");
}

async fn a_correction_names_an_entry_of_the_same_grant(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let g1 = active_grant(&app, &c, &c.template, &analyst).await;
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let g2 = offer(
        &app,
        &c.dev,
        &m2,
        &[&c.nsa],
        &c.template,
        t0() + Duration::hours(1),
        t0() + days(5),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    accept_all(&app, &g2, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(&app, &g2, ""), &analyst.id)
        .await
        .expect(201);
    analyst
        .post_empty(&ag(&app, &g2, "acknowledge"))
        .await
        .expect(200);
    app.advance(Duration::hours(3));
    let at = app.now() - Duration::hours(1);
    let url1 = ag(&app, &g1, "access-log");
    let url2 = ag(&app, &g2, "access-log");
    let e1 = analyst.post(&url1, log_body(at)).await.expect(201).body;
    assert!(e1["corrects"].is_null());
    assert_eq!(e1["corrected_by"], json!([]));
    let e2 = analyst.post(&url2, log_body(at)).await.expect(201).body;
    let e1_id = e1["id"].as_str().unwrap().to_string();
    let e2_id = e2["id"].as_str().unwrap().to_string();

    // An entry of another grant, an unknown id, an over-long one: 422 on `corrects`, nothing written.
    let before = app.audit_count().await;
    for bad in [
        e2_id.clone(),
        uuid::Uuid::new_v4().to_string(),
        "x".repeat(101),
    ] {
        let r = analyst
            .post(&url1, correction(at, &bad))
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["corrects"]);
        assert_eq!(
            r.body["errors"][0]["message"], "is not in this grant's access log",
            "{}",
            r.text
        );
    }
    assert_eq!(
        app.audit_count().await,
        before,
        "a refused correction wrote an event"
    );
    assert_eq!(items(&c.dev.get(&url1).await.expect(200)).len(), 1);

    // A correction of its own grant's entry: a new entry naming it; the original is unchanged.
    let fix = analyst
        .post(&url1, correction(at, &e1_id))
        .await
        .expect(201)
        .body;
    assert_eq!(fix["corrects"], json!(e1_id));
    assert_eq!(app.audit_count().await, before + 1);
    let l = c.dev.get(&url1).await.expect(200);
    let log = items(&l);
    assert_eq!(log.len(), 2, "append-only: both entries stay");
    let original = log.iter().find(|e| e["id"] == json!(e1_id)).unwrap();
    assert_eq!(original["summary"], e1["summary"]);
    assert_eq!(original["duration_minutes"], e1["duration_minutes"]);
    assert_eq!(original["corrected_by"], json!([fix["id"]]));
    let newest = &log[0];
    assert_eq!(newest["id"], fix["id"]);
    assert_eq!(newest["corrects"], json!(e1_id));
    // The audit event names what it corrects.
    let ev = c
        .dev
        .get(&app.api(&format!("/audit-events?target_id={g1}")))
        .await
        .expect(200);
    assert!(items(&ev)
        .iter()
        .any(|e| e["action"] == "grant.access_logged" && e["detail"]["corrects"] == json!(e1_id)));
    // The other grant's log is untouched.
    assert_eq!(
        items(&c.dev.get(&url2).await.expect(200))[0]["corrected_by"],
        json!([])
    );
    // A correction follows the window rule like any entry.
    analyst
        .post(&url1, correction(app.now() + Duration::hours(1), &e1_id))
        .await
        .problem(422, "outside_window");
}

fn correction(at: chrono::DateTime<chrono::Utc>, corrects: &str) -> Value {
    json!({"occurred_at": rfc(at), "kind": "evaluation", "duration_minutes": 45, "summary": "Correction: the run took 45 minutes, not 90.", "corrects": corrects})
}

async fn a_correction_is_by_the_author_or_an_admin_of_their_organization(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let peer = colleague(&app, &c.nsa, "peer@nsa.example", "member").await;
    let g = active_grant(&app, &c, &c.template, &analyst).await;
    roster_add(&c.nsa, &ag(&app, &g, ""), &peer.id)
        .await
        .expect(201);
    peer.post_empty(&ag(&app, &g, "acknowledge"))
        .await
        .expect(200);
    // The NSA admin is rostered too (an admin corrects as a rostered user, like any entry).
    roster_add(&c.nsa, &ag(&app, &g, ""), &c.nsa.id)
        .await
        .expect(201);
    c.nsa
        .post_empty(&ag(&app, &g, "acknowledge"))
        .await
        .expect(200);
    app.advance(Duration::hours(3));
    let at = app.now() - Duration::hours(1);
    let url = ag(&app, &g, "access-log");
    let e = analyst.post(&url, log_body(at)).await.expect(201).id();
    let before = app.audit_count().await;
    // A rostered colleague who is not an admin: 403, nothing written.
    let r = peer
        .post(&url, correction(at, &e))
        .await
        .problem(403, "forbidden");
    assert!(r.body["detail"].as_str().unwrap().contains("administrator"));
    // The developer is not rostered: it never writes a grantee's log.
    c.dev
        .post(&url, correction(at, &e))
        .await
        .problem(403, "not_rostered");
    assert_eq!(app.audit_count().await, before);
    assert_eq!(items(&c.dev.get(&url).await.expect(200)).len(), 1);
    // The author, and an admin of the author's organization, may.
    analyst.post(&url, correction(at, &e)).await.expect(201);
    let by_admin = c.nsa.post(&url, correction(at, &e)).await.expect(201).body;
    assert_eq!(by_admin["user_id"], json!(c.nsa.id));
    let l = c.dev.get(&url).await.expect(200);
    let original = items(&l).into_iter().find(|x| x["id"] == json!(e)).unwrap();
    assert_eq!(original["corrected_by"].as_array().unwrap().len(), 2);
    // Outsiders still see nothing of the grant.
    c.cisa
        .post(&url, correction(at, &e))
        .await
        .problem(404, "not_found");
}

async fn one_exports_ones_own_access_log_entries(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let peer = colleague(&app, &c.nsa, "peer@nsa.example", "member").await;
    let g = active_grant(&app, &c, &c.template, &analyst).await;
    roster_add(&c.nsa, &ag(&app, &g, ""), &peer.id)
        .await
        .expect(201);
    peer.post_empty(&ag(&app, &g, "acknowledge"))
        .await
        .expect(200);
    app.advance(Duration::hours(3));
    let at = app.now() - Duration::hours(2);
    let url = ag(&app, &g, "access-log");
    let first = analyst.post(&url, log_body(at)).await.expect(201).id();
    peer.post(&url, log_body(at)).await.expect(201);
    let fix = analyst
        .post(&url, correction(at + Duration::minutes(5), &first))
        .await
        .expect(201)
        .id();
    let export = app.api("/access-log/export");
    let js = analyst
        .get(&format!("{export}?format=json"))
        .await
        .expect(200);
    let rows = js.body.as_array().expect("a JSON array").clone();
    assert_eq!(
        rows.iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
        vec![first.clone(), fix.clone()],
        "only one's own entries, in the order recorded"
    );
    assert_eq!(rows[0]["grant_id"], json!(g));
    assert!(rows[0]["corrects"].is_null());
    assert_eq!(rows[1]["corrects"], json!(first));
    assert_eq!(rows[1]["duration_minutes"], 45);
    assert!(rows[0]["occurred_at"].as_str().unwrap().ends_with('Z'));
    let csv = analyst
        .get(&format!("{export}?format=csv"))
        .await
        .expect(200);
    assert!(csv
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("my-access-log.csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "id,grant_id,occurred_at,kind,duration_minutes,summary,corrects,created_at"
    );
    assert_eq!(lines.len(), 3);
    assert!(lines[2].starts_with(&format!("{fix},{g},")));
    assert!(lines[2].contains(&format!(",{first},")));
    // Someone who logged nothing gets an empty file, the developer included.
    assert_eq!(
        c.dev
            .get(&format!("{export}?format=json"))
            .await
            .expect(200)
            .body,
        json!([])
    );
    let empty = c.dev.get(&format!("{export}?format=csv")).await.expect(200);
    assert_eq!(empty.text.lines().count(), 1);
    // Bad format: 422 on the field; anonymous: 401.
    let r = analyst
        .get(&format!("{export}?format=xml"))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["format"]);
    let anon = Client::new(&app.base, true);
    anon.get(&format!("{export}?format=csv"))
        .await
        .problem(401, "unauthenticated");
}

async fn the_own_export_streams_past_one_page(app: TestApp) {
    use frontier_portal::store::grants::{insert_log, AccessLogRow};
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let g = active_grant(&app, &c, &c.template, &analyst).await;
    let (uid, oid, grant) = (analyst.id.clone(), analyst.org_id.clone(), g.clone());
    // 2,345 entries straight into the table (over two export pages of 1,000).
    app.db(move |conn| {
        for i in 0..2345 {
            insert_log(
                conn,
                &AccessLogRow {
                    id: frontier_portal::store::new_id(),
                    grant_id: grant.clone(),
                    user_id: uid.clone(),
                    organization_id: oid.clone(),
                    occurred_at: (t0() + Duration::hours(2)).naive_utc(),
                    kind: "evaluation".into(),
                    duration_minutes: 1 + (i % 60),
                    summary: format!("run {i}"),
                    created_at: (t0() + Duration::hours(2)).naive_utc(),
                    corrects_entry_id: None,
                },
            )
            .unwrap();
        }
    })
    .await;
    let js = analyst
        .get(&app.api("/access-log/export?format=json"))
        .await
        .expect(200);
    let rows = js.body.as_array().expect("one JSON array across pages");
    assert_eq!(rows.len(), 2345);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "each entry once, in order");
    let csv = analyst
        .get(&app.api("/access-log/export?format=csv"))
        .await
        .expect(200);
    assert_eq!(csv.text.lines().count(), 2346);
}
