//! Declining an offered grant (issue 11, "what each role expects"): the grantee's own choice,
//! for a Government access grant (an admin of a grantee agency, for that agency alone) and for a
//! partner grant (the partner's admin). Allowed while the grant is open and the grantee has not
//! accepted its terms; shown to both sides; the developer is emailed; one audit event. The
//! developer never declines on a grantee's behalf, and a decline never holds the developer
//! (tests/api/gate.rs covers the developer's controls on a declined grant).

use chrono::Duration;
use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    a_grantee_agency_declines_for_itself_and_the_others_go_on,
    only_a_grantee_admin_declines_and_others_see_nothing,
    declining_is_only_for_a_grant_still_offered,
    a_decline_reason_is_plain_text_of_bounded_length,
    a_grant_every_grantee_declined_never_opens,
    the_last_pending_grantee_declining_completes_the_terms,
    a_partner_declines_its_early_access_grant,
);

const REASON: &str = "We cannot staff an evaluation team in this window.";

fn grantee<'a>(g: &'a serde_json::Value, org: &str) -> &'a serde_json::Value {
    g["grantees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["org_id"] == org)
        .unwrap_or_else(|| panic!("no grantee {org} in {g}"))
}

async fn a_grantee_agency_declines_for_itself_and_the_others_go_on(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa, &c.cisa],
        &c.template,
        t0() + days(1),
        t0() + days(6),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    let before = app.audit_count().await;
    let r = c
        .nsa
        .post(
            &ag(&app, &id, "decline"),
            json!({"reason": format!("  {REASON}  ")}),
        )
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "declined");
    let mine = grantee(&r.body, &c.nsa.org_id);
    assert_eq!(ts(&mine["declined_at"]), app.now());
    assert_eq!(mine["decline_reason"], REASON, "trimmed");
    assert!(mine["declined_by_name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    assert!(grantee(&r.body, &c.cisa.org_id)["declined_at"].is_null());
    // The status stays derived from the timestamps: still waiting for the others.
    assert_eq!(r.body["status"], "awaiting_terms");

    // Both sides see it: the developer (detail and list) and the other grantee.
    let dev_view = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(grantee(&dev_view, &c.nsa.org_id)["decline_reason"], REASON);
    let list = c.dev.get(&app.api("/access-grants")).await.expect(200);
    let item = items(&list)
        .into_iter()
        .find(|x| x["id"] == id.as_str())
        .unwrap();
    assert!(!grantee(&item, &c.nsa.org_id)["declined_at"].is_null());
    let cisa_view = c.cisa.get(&ag(&app, &id, "")).await.expect(200).body;
    assert!(!grantee(&cisa_view, &c.nsa.org_id)["declined_at"].is_null());

    // The developer's admin is told by email, without the grantee's words.
    let mail = app
        .wait_mail("dana@aurora.example", "declined the access you offered")
        .await;
    assert!(!mail.raw.contains(REASON), "the reason stays in the portal");
    assert!(mail.raw.contains(&format!("/access-grants/{id}")));

    // The audit trail names the event on the grant, for both sides.
    for who in [&c.dev, &c.nsa] {
        let ev = who
            .get(&app.api(&format!("/audit-events?target_id={id}")))
            .await
            .expect(200);
        assert!(
            items(&ev).iter().any(|e| e["action"] == "grant.declined"),
            "{}",
            ev.text
        );
    }

    // A repeat answers the grant unchanged: no event, no second email.
    app.advance(Duration::hours(1));
    let again = c
        .nsa
        .post_empty(&ag(&app, &id, "decline"))
        .await
        .expect(200);
    assert_eq!(
        ts(&grantee(&again.body, &c.nsa.org_id)["declined_at"]),
        app.now() - Duration::hours(1)
    );
    assert_eq!(
        grantee(&again.body, &c.nsa.org_id)["decline_reason"],
        REASON
    );
    assert_events(before, app.audit_count().await, 1, "repeat decline");
    app.run_jobs().await;
    assert_eq!(
        app.count_mail("dana@aurora.example", "declined the access you offered"),
        1
    );

    // The decline is final for that agency: it can no longer accept or roster anyone.
    let r = c
        .nsa
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .problem(409, "invalid_transition");
    assert!(
        r.body["detail"].as_str().unwrap().contains("declined"),
        "{}",
        r.text
    );
    roster_add(&c.nsa, &ag(&app, &id, ""), &analyst.id)
        .await
        .problem(409, "invalid_transition");
    assert_events(before, app.audit_count().await, 1, "refusals write nothing");

    // The others go on without it: the developer and CISA accept, the window is scheduled.
    let g = accept_all(&app, &id, &[&c.dev, &c.cisa]).await;
    assert_eq!(g["status"], "scheduled", "{g}");
    app.wait_mail("admin@cisa.example", "Terms accepted by all parties")
        .await;
}

async fn only_a_grantee_admin_declines_and_others_see_nothing(app: TestApp) {
    let c = cast(&app).await;
    let member = colleague(&app, &c.nsa, "member@nsa.example", "member").await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let other_dev = developer(&app, "Other Labs", "olive@other.example").await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    let before = app.audit_count().await;

    // The developer cannot decline on the grantee's behalf: 403 in plain words, never a word of
    // approval; its own controls are named instead.
    for who in [&c.dev, &dev_member] {
        let r = who
            .post_empty(&ag(&app, &id, "decline"))
            .await
            .problem(403, "forbidden");
        no_gate(&r);
        assert!(
            r.body["detail"].as_str().unwrap().contains("end or revoke"),
            "{}",
            r.text
        );
    }
    // A plain member of the grantee agency: 403.
    member
        .post_empty(&ag(&app, &id, "decline"))
        .await
        .problem(403, "forbidden");
    // Organizations that cannot see the grant: 404, exactly like a missing one.
    for who in [&c.cisa, &other_dev, &partner, &c.op] {
        let hidden = who.post_empty(&ag(&app, &id, "decline")).await;
        let missing = who
            .post_empty(&ag(&app, &uuid::Uuid::now_v7().to_string(), "decline"))
            .await;
        same_as_missing(&hidden, &missing);
    }
    assert_events(before, app.audit_count().await, 0, "refused declines");
    let now = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
    assert!(grantee(&now, &c.nsa.org_id)["declined_at"].is_null());
}

async fn declining_is_only_for_a_grant_still_offered(app: TestApp) {
    let c = cast(&app).await;
    let s = t0() + Duration::hours(1);
    let mut ids = Vec::new();
    for (name, start, end) in [
        ("accepted", s + days(2), s + days(4)),
        ("ended", s + days(2), s + days(4)),
        ("expired", s, s + days(1)),
        ("developer accepted", s + days(2), s + days(4)),
    ] {
        let m = new_model(&app, &c.dev, name).await;
        let g = offer(&app, &c.dev, &m, &[&c.nsa], &c.template, start, end).await;
        ids.push(g["id"].as_str().unwrap().to_string());
    }
    accept_all(&app, &ids[0], &[&c.nsa]).await;
    c.dev
        .post_empty(&ag(&app, &ids[1], "end"))
        .await
        .expect(200);
    accept_all(&app, &ids[3], &[&c.dev]).await;
    app.advance(days(1) + Duration::hours(2));
    let before = app.audit_count().await;
    for (id, word) in [
        (&ids[0], "already accepted"),
        (&ids[1], "ended"),
        (&ids[2], "expired"),
    ] {
        let r = c
            .nsa
            .post(&ag(&app, id, "decline"), json!({"reason": REASON}))
            .await
            .problem(409, "invalid_transition");
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.contains(word), "{word}: {detail}");
        assert!(!detail.contains('_'), "plain words: {detail}");
    }
    assert_events(before, app.audit_count().await, 0, "refused declines");
    // The developer's own acceptance does not take the choice from the agency.
    let r = c
        .nsa
        .post_empty(&ag(&app, &ids[3], "decline"))
        .await
        .expect(200);
    assert!(!grantee(&r.body, &c.nsa.org_id)["declined_at"].is_null());
    assert_eq!(r.body["status"], "awaiting_terms");
}

async fn a_decline_reason_is_plain_text_of_bounded_length(app: TestApp) {
    let c = cast(&app).await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    let before = app.audit_count().await;
    let r = c
        .nsa
        .post(
            &ag(&app, &id, "decline"),
            json!({"reason": "x".repeat(2001)}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["reason"]);
    assert_eq!(
        r.body["detail"], "Reason must be at most 2000 characters.",
        "{}",
        r.text
    );
    c.nsa
        .post(&ag(&app, &id, "decline"), json!({"reason": 12}))
        .await
        .problem(422, "validation_failed");
    let r = post_raw(&c.nsa, &ag(&app, &id, "decline"), "{\"reason\": ").await;
    assert_eq!(r.status, 400, "{}", r.text);
    c.nsa
        .post(&ag(&app, &id, "decline"), json!({"reason": "a\u{0}b"}))
        .await
        .expect(422);
    assert_events(before, app.audit_count().await, 0, "bad input");
    let now = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
    assert!(
        grantee(&now, &c.nsa.org_id)["declined_at"].is_null(),
        "nothing changed"
    );
    // Exactly at the limit, and a blank reason is no reason.
    let r = c
        .nsa
        .post(&ag(&app, &id, "decline"), json!({"reason": "   "}))
        .await
        .expect(200);
    assert!(grantee(&r.body, &c.nsa.org_id)["decline_reason"].is_null());
    let g2 = offer(
        &app,
        &c.dev,
        &new_model(&app, &c.dev, "second").await,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(2),
    )
    .await;
    let r = c
        .nsa
        .post(
            &ag(&app, g2["id"].as_str().unwrap(), "decline"),
            json!({"reason": "y".repeat(2000)}),
        )
        .await
        .expect(200);
    assert_eq!(
        grantee(&r.body, &c.nsa.org_id)["decline_reason"]
            .as_str()
            .unwrap()
            .len(),
        2000
    );
}

async fn a_grant_every_grantee_declined_never_opens(app: TestApp) {
    let c = cast(&app).await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev]).await;
    c.nsa
        .post_empty(&ag(&app, &id, "decline"))
        .await
        .expect(200);
    app.advance(days(2));
    let now = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(now["status"], "awaiting_terms", "nobody left to open for");
    app.run_jobs().await;
    assert_eq!(app.count_mail("dana@aurora.example", "Terms accepted"), 0);
    assert_eq!(app.count_mail("dana@aurora.example", "has started"), 0);
}

async fn the_last_pending_grantee_declining_completes_the_terms(app: TestApp) {
    let c = cast(&app).await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa, &c.cisa],
        &c.template,
        t0() + days(1),
        t0() + days(6),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    let before = app.audit_count().await;
    let r = c
        .cisa
        .post_empty(&ag(&app, &id, "decline"))
        .await
        .expect(200);
    assert_events(
        before,
        app.audit_count().await,
        1,
        "one event for the decline",
    );
    assert_eq!(r.body["status"], "scheduled", "{}", r.text);
    app.wait_mail("admin@nsa.example", "Terms accepted by all parties")
        .await;
}

async fn a_partner_declines_its_early_access_grant(app: TestApp) {
    let c = cast(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let y = partner_org(&app, &c.op, "Harbor Community Bank").await;
    let x_member = colleague(&app, &x, "nurse@valleyruralhealth.example", "member").await;
    submitted_request(&app, &c.dev, &c.model).await;
    let nom = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let p = issue_partner_grant(
        &app,
        &c.dev,
        &nom,
        &c.template,
        t0() + days(2),
        t0() + days(9),
    )
    .await;
    let id = p["id"].as_str().unwrap().to_string();
    let accepted = issue_partner_grant(
        &app,
        &c.dev,
        &nom,
        &c.template,
        t0() + days(2),
        t0() + days(9),
    )
    .await;
    let accepted = accepted["id"].as_str().unwrap().to_string();
    x.post_empty(&pg(&app, &accepted, "accept-terms"))
        .await
        .expect(200);
    let before = app.audit_count().await;

    // Refused: the developer (403, its own controls named), agencies that see only the
    // metadata (403), a partner member (403), another partner (404 like a missing grant).
    let r = c
        .dev
        .post_empty(&pg(&app, &id, "decline"))
        .await
        .problem(403, "forbidden");
    no_gate(&r);
    for who in [&c.nsa, &x_member] {
        who.post_empty(&pg(&app, &id, "decline"))
            .await
            .problem(403, "forbidden");
    }
    let hidden = y.post_empty(&pg(&app, &id, "decline")).await;
    let missing = y
        .post_empty(&pg(&app, &uuid::Uuid::now_v7().to_string(), "decline"))
        .await;
    same_as_missing(&hidden, &missing);
    // Once the partner accepted, it is no longer only offered.
    let r = x
        .post_empty(&pg(&app, &accepted, "decline"))
        .await
        .problem(409, "invalid_transition");
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains("already accepted"));
    assert_events(before, app.audit_count().await, 0, "refusals");

    let r = x
        .post(&pg(&app, &id, "decline"), json!({"reason": REASON}))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "declined");
    assert_eq!(ts(&r.body["partner_declined_at"]), app.now());
    assert_eq!(r.body["partner_decline_reason"], REASON);
    assert!(r.body["partner_accepted_at"].is_null());
    // The developer sees who and why; an agency sees that it was declined, not the words.
    let d = c.dev.get(&pg(&app, &id, "")).await.expect(200).body;
    assert_eq!(d["partner_decline_reason"], REASON);
    assert!(d["partner_declined_by_name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    let a = c.nsa.get(&pg(&app, &id, "")).await.expect(200).body;
    assert!(!a["partner_declined_at"].is_null());
    assert!(a["partner_decline_reason"].is_null());
    assert!(a["partner_declined_by_name"].is_null());
    let list = c.dev.get(&app.api("/partner-grants")).await.expect(200);
    let item = items(&list)
        .into_iter()
        .find(|g| g["id"] == id.as_str())
        .unwrap();
    assert_eq!(item["partner_decline_reason"], REASON);
    app.wait_mail("dana@aurora.example", "declined the access you offered")
        .await;
    // Final for the partner.
    x.post_empty(&pg(&app, &id, "accept-terms"))
        .await
        .problem(409, "invalid_transition");
    // A repeat is an idempotent 200.
    x.post_empty(&pg(&app, &id, "decline")).await.expect(200);
    assert_events(before, app.audit_count().await, 1, "repeat");
}
