//! Joining and the operators' pages (issue 11, items 9 and 10): the invitation names the
//! organization and the address (in the email and through the public lookup the accept page
//! uses), the developer hears when the Government concurs on its nomination, the users list
//! tells invited people from active ones, operators cannot disable themselves, and the chain of
//! audit links exports so that an outside auditor can re-verify it.

use chrono::Duration;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    the_invitation_names_the_organization_and_the_address,
    the_invitation_lookup_answers_only_for_a_usable_link,
    the_developer_is_told_when_the_government_concurs,
    the_users_list_tells_invited_from_active_and_refuses_self_disable,
    the_chain_export_re_verifies_outside_the_portal,
);

async fn the_invitation_names_the_organization_and_the_address(app: TestApp) {
    let op = app.operator().await;
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "partner", "name": "Valley Rural Health", "partner_type": "critical_infrastructure_operator", "admin_email": "Sam@ValleyRural.example"}),
    )
    .await
    .expect(201);
    let mail = app.wait_mail("sam@valleyrural.example", "invited").await;
    assert!(
        mail.raw.contains(
            "You are invited to join \"Valley Rural Health\" on the Frontier Access Portal with the address sam@valleyrural.example."
        ),
        "{}",
        mail.raw
    );
    assert!(
        mail.raw.contains("&quot;Valley Rural Health&quot;"),
        "the HTML part escapes the name: {}",
        mail.raw
    );
    let token = mail.token().unwrap();
    let r = app
        .anon
        .get(&app.api(&format!("/auth/invitations/{token}")))
        .await
        .expect(200);
    assert_eq!(
        r.body,
        json!({"organization_name": "Valley Rural Health", "email": "sam@valleyrural.example"}),
        "the organization's name and the address, nothing else"
    );
    // A colleague invited by an org admin sees their organization too.
    let dev = app
        .signup_developer("Aurora AI Labs", "dana@aurora.example")
        .await;
    dev.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "lee@aurora.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let mail = app.wait_mail("lee@aurora.example", "invited").await;
    assert!(mail.raw.contains("join \"Aurora AI Labs\""), "{}", mail.raw);
    let r = app
        .anon
        .get(&app.api(&format!("/auth/invitations/{}", mail.token().unwrap())))
        .await
        .expect(200);
    assert_eq!(r.body["organization_name"], "Aurora AI Labs");
    assert_eq!(r.body["email"], "lee@aurora.example");
}

async fn the_invitation_lookup_answers_only_for_a_usable_link(app: TestApp) {
    let dev = app
        .signup_developer("Aurora AI Labs", "dana@aurora.example")
        .await;
    let lookup = |t: String| {
        let app = &app;
        async move {
            app.anon
                .get(&app.api(&format!("/auth/invitations/{t}")))
                .await
        }
    };
    // Not a token, and a token of another kind of link (a password reset).
    lookup("not-a-token".into()).await.problem(404, "not_found");
    app.anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "dana@aurora.example"}),
        )
        .await
        .expect(202);
    let reset = app.wait_mail("dana@aurora.example", "Reset").await;
    lookup(reset.token().unwrap())
        .await
        .problem(404, "not_found");
    // A used invitation.
    dev.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "lee@aurora.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let used = app
        .wait_mail("lee@aurora.example", "invited")
        .await
        .token()
        .unwrap();
    lookup(used.clone()).await.expect(200);
    app.accept_invitation(&used, "Lee Park").await;
    let r = lookup(used).await.problem(404, "not_found");
    assert!(
        !r.text.contains("lee@aurora.example") && !r.text.contains("Aurora"),
        "a 404 names nothing: {}",
        r.text
    );
    // An expired invitation (seven days).
    dev.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "kim@aurora.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let late = app
        .wait_mail("kim@aurora.example", "invited")
        .await
        .token()
        .unwrap();
    lookup(late.clone()).await.expect(200);
    app.advance(Duration::days(7) + Duration::seconds(1));
    lookup(late).await.problem(404, "not_found");
}

async fn the_developer_is_told_when_the_government_concurs(app: TestApp) {
    let c = cast(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    submitted_request(&app, &c.dev, &c.model).await;
    let member = colleague(&app, &c.dev, "lee@aurora.example", "member").await;
    let n = nominate(&app, &c.dev, &c.model, &x.org_id).await;
    let id = n["id"].as_str().unwrap().to_string();
    app.wait_mail("admin@nsa.example", "nominated").await;
    assert_eq!(
        app.queued_mail(&c.dev.email, Some("nomination_concurred"))
            .await,
        0,
        "nothing to tell before the Government answers"
    );
    c.nsa.post_empty(&nm(&app, &id, "concur")).await.expect(200);
    for who in [&c.dev.email, &member.email] {
        let mail = app
            .wait_mail(who, "The Government concurred on your partner nomination")
            .await;
        assert!(
            mail.link()
                .unwrap()
                .ends_with(&format!("/nominations/{id}")),
            "{:?}",
            mail.link()
        );
        assert!(
            !mail.raw.contains("Valley Rural Health"),
            "no record content in the email"
        );
    }
    assert_eq!(
        app.queued_mail("admin@nsa.example", Some("nomination_concurred"))
            .await,
        0,
        "the Government side is not told of its own answer"
    );
    // A Government nomination the developer concurs on tells the developer nothing new.
    let y = partner_org(&app, &c.op, "Prairie Community Bank").await;
    let g = nominate(&app, &c.nsa, &c.model, &y.org_id).await;
    c.dev
        .post_empty(&nm(&app, g["id"].as_str().unwrap(), "concur"))
        .await
        .expect(200);
    assert_eq!(
        app.queued_mail(&c.dev.email, Some("nomination_concurred"))
            .await,
        1
    );
}

async fn the_users_list_tells_invited_from_active_and_refuses_self_disable(app: TestApp) {
    let op = app.operator().await;
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "agency", "name": "CISA office", "agency_code": "CISA", "admin_email": "pat@cisa.example"}),
    )
    .await
    .expect(201);
    let status_of = |email: &'static str| {
        let (app, op) = (&app, &op);
        async move {
            let r = op.get(&app.api("/admin/users")).await.expect(200);
            items(&r)
                .into_iter()
                .find(|u| u["email"] == email)
                .unwrap_or_else(|| panic!("{email} listed"))["status"]
                .clone()
        }
    };
    assert_eq!(status_of("pat@cisa.example").await, "invited");
    let mail = app.wait_mail("pat@cisa.example", "invited").await;
    app.accept_invitation(&mail.token().unwrap(), "Pat Reviewer")
        .await;
    assert_eq!(status_of("pat@cisa.example").await, "active");
    let pat = app
        .db(|c| {
            frontier_portal::store::accounts::user_by_email(c, "pat@cisa.example")
                .unwrap()
                .unwrap()
                .0
                .id
        })
        .await;
    op.patch(
        &app.api(&format!("/admin/users/{pat}")),
        json!({"disabled": true}),
    )
    .await
    .expect(200);
    assert_eq!(status_of("pat@cisa.example").await, "disabled");
    // The operator's own row: disabling it is refused with its own code and changes nothing.
    let before = app.audit_count().await;
    let r = op
        .patch(
            &app.api(&format!("/admin/users/{}", op.id)),
            json!({"disabled": true}),
        )
        .await
        .problem(409, "own_account");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("your own account"),
        "{}",
        r.body
    );
    assert_eq!(app.audit_count().await, before);
    op.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(status_of_email(&app, &op, &op.email).await, "active");
}

async fn status_of_email(app: &TestApp, op: &User, email: &str) -> Value {
    let r = op.get(&app.api("/admin/users")).await.expect(200);
    items(&r).into_iter().find(|u| u["email"] == email).unwrap()["status"].clone()
}

/// Serializes with keys sorted at every level and no whitespace: written here from the rule as
/// the audit page states it, not borrowed from the server.
fn sorted_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), sorted_json(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(sorted_json).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

/// The hash of an event of an organization's export, by the published rule.
fn rehash(e: &Value) -> String {
    let mut canonical = serde_json::Map::new();
    for k in [
        "seq",
        "id",
        "occurred_at",
        "actor_user_id",
        "actor_org_id",
        "action",
        "target_type",
        "target_id",
        "visible_to",
        "detail",
        "request_id",
        "prev_hash",
    ] {
        canonical.insert(k.to_string(), e[k].clone());
    }
    // The export's times are RFC 3339; the rule wants microseconds and Z.
    let t = chrono::DateTime::parse_from_rfc3339(e["occurred_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    canonical.insert(
        "occurred_at".into(),
        json!(t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
    );
    let mut h = Sha256::new();
    h.update(e["prev_hash"].as_str().unwrap().as_bytes());
    h.update(sorted_json(&Value::Object(canonical)).as_bytes());
    hex::encode(h.finalize())
}

/// What an outside auditor checks from the links alone; returns the hash at each seq.
fn walk_links(links: &[Value]) -> Vec<String> {
    let mut prev = "0".repeat(64);
    for (i, l) in links.iter().enumerate() {
        let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
        assert_eq!(
            keys.len(),
            5,
            "seq, occurred_at, action, prev_hash, hash only: {l}"
        );
        assert_eq!(l["seq"].as_i64().unwrap(), i as i64 + 1, "no gap");
        assert_eq!(
            l["prev_hash"].as_str().unwrap(),
            prev,
            "linked at {}",
            i + 1
        );
        assert!(l["occurred_at"].as_str().unwrap().ends_with('Z'));
        assert!(l["action"].as_str().unwrap().contains('.'));
        prev = l["hash"].as_str().unwrap().to_string();
    }
    links
        .iter()
        .map(|l| l["hash"].as_str().unwrap().to_string())
        .collect()
}

async fn the_chain_export_re_verifies_outside_the_portal(app: TestApp) {
    let op = app.operator().await;
    let nsa = app.agency(&op, "NSA").await;
    let dev = app
        .signup_developer("Aurora AI Labs", "dana@aurora.example")
        .await;
    let model = new_model(&app, &dev, "Aurora-7").await;
    submitted_request(&app, &dev, &model).await;

    // What the operator sees: the whole chain verified, few of its events listed.
    let v = op.get(&app.api("/admin/audit/verify")).await.expect(200);
    assert_eq!(v.body["valid"], true);
    let events = v.body["events"].as_i64().unwrap();
    let visible = v.body["visible_to_operators"].as_i64().unwrap();
    let listed = op
        .get(&app.api("/audit-events/export?format=json"))
        .await
        .expect(200);
    assert_eq!(listed.body.as_array().unwrap().len() as i64, visible);
    assert!(
        visible < events,
        "the developer's records are not the operators' to read: {visible} of {events}"
    );
    let found = op
        .get(&app.api(&format!("/audit-events?target_id={model}")))
        .await
        .expect(200);
    assert!(
        items(&found).is_empty(),
        "a real model id finds nothing for the operator: {}",
        found.text
    );

    // The links of the whole chain, as JSON.
    let js = op
        .get(&app.api("/admin/audit/chain?format=json"))
        .await
        .expect(200);
    assert!(js.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("audit-chain.json"));
    let links = js.body.as_array().unwrap().clone();
    assert_eq!(links.len() as i64, events);
    let hashes = walk_links(&links);
    assert_eq!(
        hashes.last().unwrap(),
        v.body["last_hash"].as_str().unwrap()
    );
    assert!(
        !js.text.contains(&model) && !js.text.contains("dana@aurora.example"),
        "no record ids or details in the links"
    );
    // …and as CSV, the same links.
    let csv = op
        .get(&app.api("/admin/audit/chain?format=csv"))
        .await
        .expect(200);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "seq,occurred_at,action,prev_hash,hash");
    assert_eq!(lines.len() - 1, links.len());
    for (line, l) in lines[1..].iter().zip(&links) {
        let cols: Vec<&str> = line.split(',').collect();
        assert_eq!(cols[0], l["seq"].as_i64().unwrap().to_string());
        assert_eq!(cols[1], l["occurred_at"].as_str().unwrap());
        assert_eq!(cols[2], l["action"].as_str().unwrap());
        assert_eq!(cols[3], l["prev_hash"].as_str().unwrap());
        assert_eq!(cols[4], l["hash"].as_str().unwrap());
    }

    // The developer's own full export re-hashes, event by event, to the links at its seqs.
    let own = dev
        .get(&app.api("/audit-events/export?format=json"))
        .await
        .expect(200);
    let own = own.body.as_array().unwrap();
    assert!(own.len() >= 3);
    for e in own {
        let seq = e["seq"].as_i64().unwrap() as usize;
        assert_eq!(rehash(e), hashes[seq - 1], "event {seq} re-hashes");
    }

    // Tampering with one of them: the portal's verify names it, and the auditor's re-hash of
    // the developer's export no longer meets the link (which still chains: the links alone
    // prove order and completeness, the events prove content).
    let victim = own.last().unwrap()["seq"].as_i64().unwrap();
    app.db(move |c| {
        use diesel::prelude::*;
        use frontier_portal::db::schema::audit_events;
        diesel::update(audit_events::table.filter(audit_events::seq.eq(victim)))
            .set(audit_events::detail.eq("{\"tampered\":true}"))
            .execute(c)
            .unwrap();
    })
    .await;
    let v = op.get(&app.api("/admin/audit/verify")).await.expect(200);
    assert_eq!(v.body["valid"], false);
    assert_eq!(v.body["first_broken_seq"], victim);
    let own = dev
        .get(&app.api("/audit-events/export?format=json"))
        .await
        .expect(200);
    let e = own
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["seq"] == victim)
        .unwrap()
        .clone();
    let links = op
        .get(&app.api("/admin/audit/chain?format=json"))
        .await
        .expect(200)
        .body;
    let hashes = walk_links(links.as_array().unwrap());
    assert_ne!(rehash(&e), hashes[victim as usize - 1]);

    // Nobody else has the chain export; a format that is not one is a 422.
    nsa.get(&app.api("/admin/audit/chain"))
        .await
        .problem(404, "not_found");
    dev.get(&app.api("/admin/audit/chain?format=csv"))
        .await
        .problem(404, "not_found");
    op.get(&app.api("/admin/audit/chain?format=xml"))
        .await
        .problem(422, "validation_failed");
}
