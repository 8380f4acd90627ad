//! Partner early-access grants (DESIGN §2.6): changing a grant's end date (issue 11 item 11),
//! the way `PATCH /access-grants/{id}` moves a Government window.

use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    the_developer_moves_a_partner_grants_end,
    a_bad_end_date_is_refused_in_plain_words_and_changes_nothing,
    only_the_issuing_developer_changes_the_end,
    issuing_and_changing_warn_but_never_refuse,
    the_form_learns_the_warnings_before_it_submits,
    the_partner_is_reminded_once_before_its_access_ends,
);

struct World {
    c: Cast,
    x: User,
    nomination: String,
}

async fn world(app: &TestApp) -> World {
    let c = cast(app).await;
    let x = partner_org(app, &c.op, "Valley Rural Health").await;
    submitted_request(app, &c.dev, &c.model).await;
    let nomination = selected_nomination(app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    World { c, x, nomination }
}

async fn grant(app: &TestApp, w: &World, from: i64, to: i64) -> String {
    issue_partner_grant(
        app,
        &w.c.dev,
        &w.nomination,
        &w.c.template,
        t0() + days(from),
        t0() + days(to),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn actions_on(app: &TestApp, who: &User, id: &str) -> Vec<String> {
    let r = who
        .get(&app.api(&format!("/audit-events?target_id={id}")))
        .await
        .expect(200);
    items(&r)
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn the_developer_moves_a_partner_grants_end(app: TestApp) {
    let w = world(&app).await;
    let member = colleague(&app, &w.c.dev, "sam@aurora.example", "member").await;
    let id = grant(&app, &w, 1, 20).await;
    let url = pg(&app, &id, "");
    // Extend (an administrator): one audit event, the partner sees the new end.
    let before = app.audit_count().await;
    let r =
        w.c.dev
            .patch(&url, json!({"ends_at": rfc(t0() + days(40))}))
            .await
            .expect(200);
    no_gate(&r);
    assert_eq!(ts(&r.body["ends_at"]), t0() + days(40));
    assert_events(before, app.audit_count().await, 1, "extended");
    assert_eq!(
        ts(&w.x.get(&url).await.expect(200).body["ends_at"]),
        t0() + days(40)
    );
    assert!(
        actions_on(&app, &w.c.dev, &id)
            .await
            .contains(&"partner_grant.window_moved".to_string()),
        "no partner_grant.window_moved event"
    );
    // Shorten (any developer member: the off switch, DESIGN §2.7).
    let before = app.audit_count().await;
    let r = member
        .patch(&url, json!({"ends_at": rfc(t0() + days(10))}))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(ts(&r.body["ends_at"]), t0() + days(10));
    assert_eq!(r.body["status"], "awaiting_terms");
    assert_events(before, app.audit_count().await, 1, "shortened");
    // The same end again changes nothing.
    let before = app.audit_count().await;
    member
        .patch(&url, json!({"ends_at": rfc(t0() + days(10))}))
        .await
        .expect(200);
    assert_eq!(app.audit_count().await, before, "a repeat writes nothing");
    // A member may not extend (extending gives access, as issuing does).
    let r = member
        .patch(&url, json!({"ends_at": rfc(t0() + days(12))}))
        .await
        .problem(403, "forbidden");
    no_gate(&r);
    // Shortening a revoked grant still succeeds; extending it is refused.
    w.c.dev
        .post_empty(&pg(&app, &id, "revoke"))
        .await
        .expect(200);
    let r =
        w.c.dev
            .patch(&url, json!({"ends_at": rfc(t0() + days(8))}))
            .await
            .expect(200);
    assert_eq!(r.body["status"], "revoked");
    w.c.dev
        .patch(&url, json!({"ends_at": rfc(t0() + days(30))}))
        .await
        .problem(409, "invalid_transition");
}

async fn a_bad_end_date_is_refused_in_plain_words_and_changes_nothing(app: TestApp) {
    let w = world(&app).await;
    let id = grant(&app, &w, 2, 20).await;
    let url = pg(&app, &id, "");
    let snapshot = w.c.dev.get(&url).await.expect(200).body;
    let before = app.audit_count().await;
    let plain = |r: &Resp| {
        let msg = r.body["errors"][0]["message"].as_str().unwrap_or_default();
        assert_eq!(r.body["errors"][0]["field"], "ends_at", "{}", r.text);
        assert!(!msg.contains('_'), "not plain words: {msg}");
        msg.to_string()
    };
    // Before the start.
    let r =
        w.c.dev
            .patch(&url, json!({"ends_at": rfc(t0() + days(1))}))
            .await
            .problem(422, "invalid_window");
    assert!(plain(&r).contains("end after it starts"), "{}", r.text);
    // At the start.
    w.c.dev
        .patch(&url, json!({"ends_at": rfc(t0() + days(2))}))
        .await
        .problem(422, "invalid_window");
    // In the past (once the grant has started): revoking is the way to stop now.
    app.advance(days(5));
    let r =
        w.c.dev
            .patch(&url, json!({"ends_at": rfc(t0() + days(4))}))
            .await
            .problem(422, "validation_failed");
    assert!(plain(&r).contains("revoke"), "{}", r.text);
    // Not a time.
    let r =
        w.c.dev
            .patch(&url, json!({"ends_at": "next Tuesday"}))
            .await
            .problem(422, "validation_failed");
    plain(&r);
    assert_eq!(app.audit_count().await, before, "refusals write nothing");
    assert_eq!(
        w.c.dev.get(&url).await.expect(200).body["ends_at"],
        snapshot["ends_at"]
    );
}

async fn only_the_issuing_developer_changes_the_end(app: TestApp) {
    let w = world(&app).await;
    let y = partner_org(&app, &w.c.op, "Prairie Community Bank").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let id = grant(&app, &w, 1, 20).await;
    let url = pg(&app, &id, "");
    let body = json!({"ends_at": rfc(t0() + days(10))});
    let before = app.audit_count().await;
    for who in [&other, &y, &w.c.op] {
        who.patch(&url, body.clone())
            .await
            .problem(404, "not_found");
    }
    // The partner and the agencies see the grant, so they get 403.
    for who in [&w.x, &w.c.nsa] {
        who.patch(&url, body.clone())
            .await
            .problem(403, "forbidden");
    }
    assert_eq!(app.audit_count().await, before, "refusals write nothing");
    assert_eq!(
        ts(&w.c.dev.get(&url).await.expect(200).body["ends_at"]),
        t0() + days(20)
    );
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .unwrap_or_else(|| panic!("no warnings array: {v}"))
        .iter()
        .map(|w| {
            let m = w["message"].as_str().unwrap_or_default();
            assert!(
                !m.is_empty() && !m.contains('_') && m.ends_with('.'),
                "not plain words: {m:?}"
            );
            w["code"].as_str().unwrap().to_string()
        })
        .collect()
}

async fn set_release(app: &TestApp, w: &World, day: i64) {
    w.c.dev
        .patch(
            &app.api(&format!("/models/{}", w.c.model)),
            json!({"planned_partner_release_at": rfc(t0() + days(day))}),
        )
        .await
        .expect(200);
}

async fn issuing_and_changing_warn_but_never_refuse(app: TestApp) {
    let w = world(&app).await;
    let member = colleague(&app, &w.c.dev, "sam@aurora.example", "member").await;
    set_release(&app, &w, 35).await;
    let first = grant(&app, &w, 1, 30).await;
    assert!(
        codes(&w.c.dev.get(&pg(&app, &first, "")).await.expect(200).body).is_empty(),
        "a plain window has no warnings"
    );
    // The issue's example: 118 days, overlapping the partner's grant, months after the release.
    let before = app.audit_count().await;
    let r =
        w.c.dev
            .post(
                &app.api("/partner-grants"),
                partner_grant_body(
                    &w.nomination,
                    &w.c.template,
                    t0() + days(2),
                    t0() + days(120),
                ),
            )
            .await
            .expect(201);
    no_gate(&r);
    assert_events(
        before,
        app.audit_count().await,
        1,
        "issued despite warnings",
    );
    assert_eq!(
        codes(&r.body),
        [
            "overlaps_partner_grant",
            "ends_after_planned_release",
            "longer_than_90_days"
        ]
    );
    assert!(
        r.body["warnings"][2]["message"]
            .as_str()
            .unwrap()
            .contains("118 days"),
        "{}",
        r.text
    );
    let id = r.body["id"].as_str().unwrap().to_string();
    let url = pg(&app, &id, "");
    // The grant page shows them too; the first grant now overlaps the second.
    assert_eq!(codes(&w.c.dev.get(&url).await.expect(200).body).len(), 3);
    assert_eq!(
        codes(&w.c.dev.get(&pg(&app, &first, "")).await.expect(200).body),
        ["overlaps_partner_grant"]
    );
    // Advice for the developer only: the partner and agencies see none.
    assert!(codes(&w.x.get(&url).await.expect(200).body).is_empty());
    assert!(codes(&w.c.nsa.get(&url).await.expect(200).body).is_empty());
    // List items leave them out.
    let list = w.c.dev.get(&app.api("/partner-grants")).await.expect(200);
    assert!(items(&list).iter().all(|g| g.get("warnings").is_none()));
    // Shortening with warnings left still succeeds at once (a member, no confirmation).
    let r = member
        .patch(&url, json!({"ends_at": rfc(t0() + days(40))}))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(
        codes(&r.body),
        ["overlaps_partner_grant", "ends_after_planned_release"]
    );
    let r = member
        .patch(&url, json!({"ends_at": rfc(t0() + days(30))}))
        .await
        .expect(200);
    assert_eq!(codes(&r.body), ["overlaps_partner_grant"]);
    // Revoked: nothing left to warn about, on either grant.
    let r =
        w.c.dev
            .post_empty(&pg(&app, &first, "revoke"))
            .await
            .expect(200);
    assert!(codes(&r.body).is_empty());
    assert!(codes(&w.c.dev.get(&url).await.expect(200).body).is_empty());
}

async fn the_form_learns_the_warnings_before_it_submits(app: TestApp) {
    let w = world(&app).await;
    set_release(&app, &w, 35).await;
    let first = grant(&app, &w, 1, 30).await;
    let preview = |from: i64, to: i64, grant: Option<&str>| {
        let mut u = format!(
            "/partner-grants/window-warnings?nomination_id={}&starts_at={}&ends_at={}",
            w.nomination,
            rfc(t0() + days(from)),
            rfc(t0() + days(to))
        );
        if let Some(g) = grant {
            u.push_str(&format!("&grant_id={g}"));
        }
        app.api(&u)
    };
    let before = app.audit_count().await;
    let r = w.c.dev.get(&preview(2, 120, None)).await.expect(200);
    assert_eq!(
        codes(&r.body),
        [
            "overlaps_partner_grant",
            "ends_after_planned_release",
            "longer_than_90_days"
        ]
    );
    // The same sentences the issued grant then carries.
    let issued =
        w.c.dev
            .post(
                &app.api("/partner-grants"),
                partner_grant_body(
                    &w.nomination,
                    &w.c.template,
                    t0() + days(2),
                    t0() + days(120),
                ),
            )
            .await
            .expect(201);
    assert_eq!(r.body["warnings"], issued.body["warnings"]);
    let before_issue = app.audit_count().await;
    assert_eq!(before_issue - before, 1, "the preview writes nothing");
    // Changing a grant's end: compared with the partner's other grants, not with itself.
    let r = w.c.dev.get(&preview(1, 20, Some(&first))).await.expect(200);
    assert_eq!(
        codes(&r.body),
        ["overlaps_partner_grant"],
        "the second grant overlaps"
    );
    w.c.dev
        .post_empty(&pg(&app, issued.body["id"].as_str().unwrap(), "revoke"))
        .await
        .expect(200);
    let r = w.c.dev.get(&preview(1, 20, Some(&first))).await.expect(200);
    assert!(codes(&r.body).is_empty(), "{}", r.text);
    // Bad values are a 422 in plain words; another developer's nomination too.
    let r =
        w.c.dev
            .get(&preview(20, 10, None))
            .await
            .problem(422, "invalid_window");
    assert!(!r.text.contains("ends_at is"), "{}", r.text);
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    other
        .get(&preview(1, 10, None))
        .await
        .problem(422, "validation_failed");
    // Not for partners, agencies or operators.
    for who in [&w.x, &w.c.nsa, &w.c.op] {
        who.get(&preview(1, 10, None))
            .await
            .problem(403, "forbidden");
    }
}

/// Issue 11 (partner admin: "the days-left reminder"): the partner's people are emailed once when
/// its early access starts and once 3 days before it ends, like a Government window; a revoked
/// grant reminds nobody. Neither reminder is sent before it is due.
async fn the_partner_is_reminded_once_before_its_access_ends(app: TestApp) {
    let w = world(&app).await;
    let count = |subject| app.count_mail(&w.x.email, subject);
    let id = grant(&app, &w, 1, 10).await;
    w.x.post_empty(&pg(&app, &id, "accept-terms"))
        .await
        .expect(200);
    // A second partner's grant, revoked before it starts: no reminders for it.
    let y = partner_org(&app, &w.c.op, "Plains Community Bank").await;
    let other = selected_nomination(&app, &w.c.dev, &w.c.nsa, &w.c.model, &y.org_id).await;
    let revoked = issue_partner_grant(
        &app,
        &w.c.dev,
        &other,
        &w.c.template,
        t0() + days(1),
        t0() + days(10),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    y.post_empty(&pg(&app, &revoked, "accept-terms"))
        .await
        .expect(200);
    w.c.dev
        .post_empty(&pg(&app, &revoked, "revoke"))
        .await
        .expect(200);
    app.run_jobs().await;
    assert_eq!(count("has started"), 0, "not before starts_at");
    app.advance(days(1) + chrono::Duration::minutes(1));
    app.wait_mail(&w.x.email, "has started").await;
    app.run_jobs().await;
    assert_eq!(count("ends in 3 days"), 0, "not yet 3 days before the end");
    // ends_at - 3 days = t0 + 7 days.
    app.advance(days(6));
    let m = app.wait_mail(&w.x.email, "ends in 3 days").await;
    assert!(
        m.link()
            .is_some_and(|l| l.ends_with(&format!("/partner-grants/{id}"))),
        "the reminder links to the grant: {:?}",
        m.link()
    );
    app.run_jobs().await;
    app.advance(chrono::Duration::hours(6));
    app.run_jobs().await;
    assert_eq!(count("ends in 3 days"), 1, "sent once");
    assert_eq!(count("has started"), 1, "sent once");
    assert_eq!(app.count_mail(&y.email, "has started"), 0, "revoked grant");
    assert_eq!(
        app.count_mail(&y.email, "ends in 3 days"),
        0,
        "revoked grant"
    );
}
