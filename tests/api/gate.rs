//! The "no mandatory gate" invariant (DESIGN §2.7, Sec. 3(c) of the order): for every record in
//! every reachable state, the developer's own controls succeed at once (200), a repeat is an
//! idempotent 200 that writes nothing, nothing waits on the Government's approval or inaction,
//! and no answer to a developer speaks of waiting for approval. A `covered` determination
//! changes nothing the developer may do.
//!
//! Each control is used first by the developer admin and repeated by a plain developer member
//! (DESIGN §1: these controls belong to every developer org member).

use chrono::Duration;
use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    shortening_an_ended_grant_succeeds,
    withdraw_succeeds_in_every_state,
    release_needs_nothing_from_the_government,
    end_grant_succeeds_in_every_state,
    shorten_grant_succeeds_in_every_state,
    rescind_succeeds_in_every_state,
    revoke_partner_grant_succeeds_in_every_state,
    roster_removal_succeeds_at_any_time,
    a_covered_determination_changes_nothing_for_the_developer,
    offering_access_and_nominating_need_no_determination,
    refusals_to_developers_never_speak_of_approval,
);

struct Devs {
    c: Cast,
    member: User,
}

async fn devs(app: &TestApp) -> Devs {
    let c = cast(app).await;
    let member = colleague(app, &c.dev, "sam@aurora.example", "member").await;
    Devs { c, member }
}

/// A Government grant of a new model, offered to the NSA and accepted by the developer, that
/// the NSA then declined (its own choice, which never holds the developer).
async fn declined_grant(
    app: &TestApp,
    c: &Cast,
    starts: chrono::DateTime<chrono::Utc>,
    ends: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    let m = new_model(app, &c.dev, "declined").await;
    let g = offer(app, &c.dev, &m, &[&c.nsa], &c.template, starts, ends).await;
    let gid = g["id"].as_str().unwrap().to_string();
    accept_all(app, &gid, &[&c.dev]).await;
    let b = c
        .nsa
        .post(
            &ag(app, &gid, "decline"),
            json!({"reason": "Not this quarter."}),
        )
        .await
        .expect(200)
        .body;
    assert!(
        b["grantees"][0]["declined_at"].is_string(),
        "setup: declined: {b}"
    );
    b
}

/// Calls a developer control twice (admin, then member): both 200 at once, the first writes
/// exactly one audit event, the repeat none. Returns the first answer's body.
async fn control_twice(
    app: &TestApp,
    d: &Devs,
    method: reqwest::Method,
    url: &str,
    body: Option<serde_json::Value>,
    what: &str,
) -> serde_json::Value {
    let before = app.audit_count().await;
    let first = d.c.dev.call(method.clone(), url, body.clone()).await;
    no_gate(&first);
    assert_eq!(first.status, 200, "{what}: first call: {}", first.text);
    assert_events(before, app.audit_count().await, 1, what);
    let again = d.member.call(method, url, body).await;
    no_gate(&again);
    assert_eq!(
        again.status, 200,
        "{what}: repeat by a developer member: {}",
        again.text
    );
    assert_events(
        before,
        app.audit_count().await,
        1,
        &format!("{what} (repeat)"),
    );
    first.body
}

async fn withdraw_succeeds_in_every_state(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let mut cases: Vec<(&str, String)> = Vec::new();
    // draft
    let m = new_model(&app, &c.dev, "M-draft").await;
    cases.push(("draft", draft_request(&app, &c.dev, &m).await));
    // submitted
    let m = new_model(&app, &c.dev, "M-submitted").await;
    cases.push(("submitted", submitted_request(&app, &c.dev, &m).await));
    // under_review
    let m = new_model(&app, &c.dev, "M-review").await;
    let id = submitted_request(&app, &c.dev, &m).await;
    assign_self(&app, &c.nsa, &id).await;
    cases.push(("under_review", id));
    // info_requested
    let m = new_model(&app, &c.dev, "M-info").await;
    let id = submitted_request(&app, &c.dev, &m).await;
    c.nsa
        .post(
            &dr(&app, &id, "request-info"),
            json!({"message": "More please"}),
        )
        .await
        .expect(200);
    cases.push(("info_requested", id));
    // determined covered / not covered
    for outcome in ["covered", "not_covered"] {
        let m = new_model(&app, &c.dev, &format!("M-{outcome}")).await;
        let id = submitted_request(&app, &c.dev, &m).await;
        determine(&app, &c.nsa, &id, outcome).await;
        cases.push((
            if outcome == "covered" {
                "determined covered"
            } else {
                "determined not_covered"
            },
            id,
        ));
    }
    for (state, id) in cases {
        let current = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
        let expect_state = state.split(' ').next().unwrap();
        assert_eq!(current["status"], expect_state, "setup of {state}");
        let b = control_twice(
            &app,
            &d,
            reqwest::Method::POST,
            &dr(&app, &id, "withdraw"),
            None,
            &format!("withdraw {state}"),
        )
        .await;
        assert_eq!(b["status"], "withdrawn", "{state}");
        let after = c.nsa.get(&dr(&app, &id, "")).await;
        if state != "draft" {
            assert_eq!(after.expect(200).body["status"], "withdrawn");
        }
    }
}

async fn release_needs_nothing_from_the_government(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    // No request at all.
    let plain = new_model(&app, &c.dev, "Plain").await;
    // A request still under review.
    let pending = new_model(&app, &c.dev, "Pending").await;
    let rid = submitted_request(&app, &c.dev, &pending).await;
    c.nsa
        .post(&dr(&app, &rid, "request-info"), json!({"message": "?"}))
        .await
        .expect(200);
    // Covered, with an active government window and a pending nomination.
    let covered = new_model(&app, &c.dev, "Covered").await;
    let rid = submitted_request(&app, &c.dev, &covered).await;
    determine(&app, &c.nsa, &rid, "covered").await;
    let g = offer(
        &app,
        &c.dev,
        &covered,
        &[&c.nsa],
        &c.template,
        t0() + Duration::hours(1),
        t0() + days(10),
    )
    .await;
    accept_all(&app, g["id"].as_str().unwrap(), &[&c.dev, &c.nsa]).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    nominate(&app, &c.dev, &covered, &x.org_id).await;
    // With a planned partner release far in the future (releasing early is the developer's call).
    let planned = new_model_with(&app, &c.dev, json!({"name": "Planned", "version": "1", "planned_partner_release_at": rfc(t0() + days(90))})).await;
    let planned = planned["id"].as_str().unwrap().to_string();
    // A model whose offered window the agency declined.
    let declined = declined_grant(&app, c, t0() + days(1), t0() + days(3)).await;
    let declined = declined["model_id"].as_str().unwrap().to_string();
    app.advance(Duration::hours(2));
    for (what, id) in [
        ("no request", plain),
        ("info requested", pending),
        ("covered + active window", covered),
        ("planned later", planned),
        ("declined window", declined),
    ] {
        let b = control_twice(
            &app,
            &d,
            reqwest::Method::POST,
            &app.api(&format!("/models/{id}/release")),
            None,
            &format!("release ({what})"),
        )
        .await;
        assert_eq!(b["status"], "released", "{what}");
        assert_eq!(ts(&b["released_at"]), app.now(), "{what}");
        let again = c
            .dev
            .get(&app.api(&format!("/models/{id}")))
            .await
            .expect(200)
            .body;
        assert_eq!(
            ts(&again["released_at"]),
            app.now(),
            "{what}: released_at unchanged by the repeat"
        );
    }
}

async fn end_grant_succeeds_in_every_state(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let models: Vec<String> = {
        let mut v = Vec::new();
        for n in ["awaiting", "scheduled", "active", "expired"] {
            v.push(new_model(&app, &c.dev, n).await);
        }
        v
    };
    let s = t0() + Duration::hours(1);
    let awaiting = offer(
        &app,
        &c.dev,
        &models[0],
        &[&c.nsa],
        &c.template,
        s + days(2),
        s + days(5),
    )
    .await;
    let scheduled = offer(
        &app,
        &c.dev,
        &models[1],
        &[&c.nsa],
        &c.template,
        s + days(2),
        s + days(5),
    )
    .await;
    let active = offer(
        &app,
        &c.dev,
        &models[2],
        &[&c.nsa],
        &c.template,
        s,
        s + days(5),
    )
    .await;
    let expired = offer(
        &app,
        &c.dev,
        &models[3],
        &[&c.nsa],
        &c.template,
        s,
        s + days(1),
    )
    .await;
    let id = |g: &serde_json::Value| g["id"].as_str().unwrap().to_string();
    for g in [&scheduled, &active, &expired] {
        accept_all(&app, &id(g), &[&c.dev, &c.nsa]).await;
    }
    // A grant the agency declined (the developer had accepted): still the developer's to end.
    let declined = declined_grant(&app, c, s + days(2), s + days(5)).await;
    // `expired` ends after one day: move to then, which leaves the others where they should be.
    app.advance(days(1) + Duration::hours(1));
    for (state, g) in [
        ("awaiting_terms", &awaiting),
        ("scheduled", &scheduled),
        ("active", &active),
        ("awaiting_terms (declined)", &declined),
    ] {
        let gid = id(g);
        assert_eq!(
            c.dev.get(&ag(&app, &gid, "")).await.expect(200).body["status"],
            state.trim_end_matches(" (declined)"),
            "setup"
        );
        let b = control_twice(
            &app,
            &d,
            reqwest::Method::POST,
            &ag(&app, &gid, "end"),
            None,
            &format!("end {state}"),
        )
        .await;
        assert_eq!(b["status"], "ended", "{state}");
        assert_eq!(ts(&b["ended_at"]), app.now());
        assert_eq!(
            c.nsa.get(&ag(&app, &gid, "")).await.expect(200).body["status"],
            "ended"
        );
    }
    // Even a window that already expired can be "ended": 200, never a refusal.
    let gid = id(&expired);
    assert_eq!(
        c.dev.get(&ag(&app, &gid, "")).await.expect(200).body["status"],
        "expired"
    );
    for who in [&c.dev, &d.member] {
        let r = who.post_empty(&ag(&app, &gid, "end")).await;
        no_gate(&r);
        assert_eq!(r.status, 200, "end an expired window: {}", r.text);
    }
}

async fn shorten_grant_succeeds_in_every_state(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let s = t0() + Duration::hours(1);
    let mut grants = Vec::new();
    for (n, start, accept) in [
        ("awaiting_terms", s + days(2), false),
        ("scheduled", s + days(2), true),
        ("active", s, true),
    ] {
        let m = new_model(&app, &c.dev, n).await;
        let g = offer(
            &app,
            &c.dev,
            &m,
            &[&c.nsa],
            &c.template,
            start,
            start + days(10),
        )
        .await;
        let gid = g["id"].as_str().unwrap().to_string();
        if accept {
            accept_all(&app, &gid, &[&c.dev, &c.nsa]).await;
        }
        grants.push((n, gid, start));
    }
    let declined = declined_grant(&app, c, s + days(2), s + days(12)).await;
    grants.push((
        "awaiting_terms (declined)",
        declined["id"].as_str().unwrap().to_string(),
        s + days(2),
    ));
    app.advance(days(1));
    for (state, gid, start) in grants {
        let state = state.trim_end_matches(" (declined)");
        assert_eq!(
            c.dev.get(&ag(&app, &gid, "")).await.expect(200).body["status"],
            state,
            "setup"
        );
        let new_end = start + days(3);
        let b = control_twice(
            &app,
            &d,
            reqwest::Method::PATCH,
            &ag(&app, &gid, ""),
            Some(json!({"ends_at": rfc(new_end)})),
            &format!("shorten {state}"),
        )
        .await;
        assert_eq!(ts(&b["ends_at"]), new_end, "{state}");
        assert_eq!(b["status"], state, "{state}: shortening keeps the status");
        assert_eq!(
            ts(&c.nsa.get(&ag(&app, &gid, "")).await.expect(200).body["ends_at"]),
            new_end
        );
    }
}

async fn rescind_succeeds_in_every_state(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    submitted_request(&app, &c.dev, &c.model).await;
    let pending = nominate(&app, &c.dev, &c.model, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let gov_pending = c
        .nsa
        .post(
            &app.api("/nominations"),
            json!({"model_id": c.model, "partner_org_id": x.org_id, "rationale": "r"}),
        )
        .await
        .expect(201)
        .id();
    let selected = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let declined = nominate(&app, &c.dev, &c.model, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.nsa
        .post_empty(&nm(&app, &declined, "decline"))
        .await
        .expect(200);
    for (state, id) in [
        ("pending", pending),
        ("pending (government's)", gov_pending),
        ("selected", selected),
        ("declined", declined),
    ] {
        let b = control_twice(
            &app,
            &d,
            reqwest::Method::POST,
            &nm(&app, &id, "rescind"),
            None,
            &format!("rescind {state}"),
        )
        .await;
        assert_eq!(b["status"], "rescinded", "{state}");
        assert_eq!(
            c.cisa.get(&nm(&app, &id, "")).await.expect(200).body["status"],
            "rescinded"
        );
    }
}

async fn revoke_partner_grant_succeeds_in_every_state(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    submitted_request(&app, &c.dev, &c.model).await;
    let nom = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let s = t0() + Duration::hours(1);
    let awaiting =
        issue_partner_grant(&app, &c.dev, &nom, &c.template, s + days(2), s + days(9)).await;
    let scheduled =
        issue_partner_grant(&app, &c.dev, &nom, &c.template, s + days(2), s + days(9)).await;
    let active = issue_partner_grant(&app, &c.dev, &nom, &c.template, s, s + days(9)).await;
    let id = |g: &serde_json::Value| g["id"].as_str().unwrap().to_string();
    for g in [&scheduled, &active] {
        x.post_empty(&pg(&app, &id(g), "accept-terms"))
            .await
            .expect(200);
    }
    // One the partner declined: still the developer's to revoke.
    let declined =
        issue_partner_grant(&app, &c.dev, &nom, &c.template, s + days(2), s + days(9)).await;
    x.post(
        &pg(&app, &id(&declined), "decline"),
        json!({"reason": "We have no staff for it."}),
    )
    .await
    .expect(200);
    app.advance(days(1));
    for (state, g) in [
        ("awaiting_terms", &awaiting),
        ("scheduled", &scheduled),
        ("active", &active),
        ("awaiting_terms (declined)", &declined),
    ] {
        let gid = id(g);
        assert_eq!(
            c.dev.get(&pg(&app, &gid, "")).await.expect(200).body["status"],
            state.trim_end_matches(" (declined)"),
            "setup"
        );
        let b = control_twice(
            &app,
            &d,
            reqwest::Method::POST,
            &pg(&app, &gid, "revoke"),
            None,
            &format!("revoke {state}"),
        )
        .await;
        assert_eq!(b["status"], "revoked", "{state}");
        assert_eq!(
            x.get(&pg(&app, &gid, "")).await.expect(200).body["status"],
            "revoked"
        );
    }
}

async fn roster_removal_succeeds_at_any_time(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let a2 = colleague(&app, &c.nsa, "a2@nsa.example", "member").await;
    let a3 = colleague(&app, &c.nsa, "a3@nsa.example", "member").await;
    let s = t0() + days(1);
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        s,
        s + days(5),
    )
    .await;
    let gid = g["id"].as_str().unwrap().to_string();
    let base = ag(&app, &gid, "");
    // Before terms are accepted.
    roster_add(&c.nsa, &base, &a1.id).await;
    control_twice(
        &app,
        &d,
        reqwest::Method::DELETE,
        &ag(&app, &gid, &format!("roster/{}", a1.id)),
        None,
        "remove before terms",
    )
    .await;
    // After acknowledgment, before the window.
    accept_all(&app, &gid, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &base, &a2.id).await;
    a2.post_empty(&ag(&app, &gid, "acknowledge"))
        .await
        .expect(200);
    control_twice(
        &app,
        &d,
        reqwest::Method::DELETE,
        &ag(&app, &gid, &format!("roster/{}", a2.id)),
        None,
        "remove acknowledged",
    )
    .await;
    // During the active window.
    roster_add(&c.nsa, &base, &a3.id).await;
    a3.post_empty(&ag(&app, &gid, "acknowledge"))
        .await
        .expect(200);
    app.advance(days(2));
    control_twice(
        &app,
        &d,
        reqwest::Method::DELETE,
        &ag(&app, &gid, &format!("roster/{}", a3.id)),
        None,
        "remove during window",
    )
    .await;
    // The removed user lost access at once.
    let r = a3
        .post(
            &ag(&app, &gid, "access-log"),
            log_body(app.now() - Duration::hours(1)),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(items(&c.dev.get(&ag(&app, &gid, "roster")).await.expect(200)).is_empty());
}

async fn a_covered_determination_changes_nothing_for_the_developer(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let rid = submitted_request(&app, &c.dev, &c.model).await;
    determine(&app, &c.nsa, &rid, "covered").await;
    // Everything the developer could do before, it still does, at once.
    let r = c
        .dev
        .patch(
            &app.api(&format!("/models/{}", c.model)),
            json!({"description": "Still ours to describe"}),
        )
        .await
        .expect(200);
    no_gate(&r);
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(4),
    )
    .await;
    let gid = g["id"].as_str().unwrap().to_string();
    let r = c
        .dev
        .patch(&ag(&app, &gid, ""), json!({"ends_at": rfc(t0() + days(2))}))
        .await
        .expect(200);
    no_gate(&r);
    let r = c.dev.post_empty(&ag(&app, &gid, "end")).await.expect(200);
    no_gate(&r);
    let n = nominate(&app, &c.dev, &c.model, &x.org_id).await;
    let r = c
        .dev
        .post_empty(&nm(&app, n["id"].as_str().unwrap(), "rescind"))
        .await
        .expect(200);
    no_gate(&r);
    // A new version may be filed and withdrawn; the covered request itself may be withdrawn.
    let v2 = new_model_with(&app, &c.dev, json!({"name": "Aurora-7", "version": "7.1"})).await;
    let r2 = draft_request(&app, &c.dev, v2["id"].as_str().unwrap()).await;
    c.dev
        .post_empty(&dr(&app, &r2, "withdraw"))
        .await
        .expect(200);
    let r = c
        .dev
        .post_empty(&dr(&app, &rid, "withdraw"))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "withdrawn");
    // Release: no government action needed, no mention of it.
    let r = c
        .dev
        .post_empty(&app.api(&format!("/models/{}/release", c.model)))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "released");
    // Offering access after release is still the developer's choice too (no planned release set).
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200);
    no_gate(&m);
    // The request record, model and grant answers never speak of approval.
    for url in [
        dr(&app, &rid, ""),
        ag(&app, &gid, ""),
        app.api("/models"),
        app.api("/designation-requests"),
        app.api("/access-grants"),
        app.api("/nominations"),
    ] {
        no_gate(&c.dev.get(&url).await.expect(200));
    }
}

async fn offering_access_and_nominating_need_no_determination(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    // No designation request at all: the developer still offers access, nominates a partner,
    // and (with a Government concurrence) issues early access.
    let g = offer_to_nsa(&app, c).await;
    assert_eq!(g["status"], "awaiting_terms");
    let id = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    issue_partner_grant(
        &app,
        &c.dev,
        &id,
        &c.template,
        t0() + days(1),
        t0() + days(5),
    )
    .await;
    // A model determined not covered: same.
    let m = new_model(&app, &c.dev, "Aurora-8").await;
    let rid = submitted_request(&app, &c.dev, &m).await;
    determine(&app, &c.nsa, &rid, "not_covered").await;
    offer(
        &app,
        &c.dev,
        &m,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(5),
    )
    .await;
    nominate(&app, &c.dev, &m, &x.org_id).await;
}

async fn refusals_to_developers_never_speak_of_approval(app: TestApp) {
    let d = devs(&app).await;
    let c = &d.c;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let rid = submitted_request(&app, &c.dev, &c.model).await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(10),
    )
    .await;
    let gid = g["id"].as_str().unwrap().to_string();
    let nid = nominate(&app, &c.dev, &c.model, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut answers = vec![
        // Actions that are not the developer's.
        c.dev
            .post(
                &dr(&app, &rid, "determination"),
                json!({"outcome": "not_covered", "rationale": "r", "benchmark_ref": "b"}),
            )
            .await,
        c.dev.post(&dr(&app, &rid, "assign"), json!({})).await,
        c.dev.post_empty(&ag(&app, &gid, "acknowledge")).await,
        c.dev
            .post(&ag(&app, &gid, "roster"), json!({"user_id": c.nsa.id}))
            .await,
        c.dev
            .post(&ag(&app, &gid, "access-log"), log_body(t0()))
            .await,
        // The developer's own side of a nomination it made.
        c.dev.post_empty(&nm(&app, &nid, "concur")).await,
        // Wrong states and over-cap requests.
        c.dev.post_empty(&dr(&app, &rid, "submit")).await,
        c.dev
            .post(&dr(&app, &rid, "respond"), json!({"message": "m"}))
            .await,
        c.dev
            .post(
                &app.api("/access-grants"),
                grant_body(
                    &c.model,
                    &[&c.nsa.org_id],
                    &c.template,
                    t0() + days(11),
                    t0() + days(40),
                ),
            )
            .await,
        c.dev
            .post(
                &app.api("/partner-grants"),
                partner_grant_body(&nid, &c.template, t0() + days(1), t0() + days(2)),
            )
            .await,
        // Permission gaps inside the developer org.
        d.member
            .post(
                &app.api("/access-grants"),
                grant_body(
                    &c.model,
                    &[&c.nsa.org_id],
                    &c.template,
                    t0() + days(1),
                    t0() + days(2),
                ),
            )
            .await,
        d.member.post_empty(&ag(&app, &gid, "accept-terms")).await,
        d.member.post(&app.api("/terms"), terms_body("T")).await,
    ];
    // ... and the ordinary successes.
    answers.push(c.dev.post_empty(&ag(&app, &gid, "accept-terms")).await);
    answers.push(c.dev.get(&ag(&app, &gid, "")).await);
    answers.push(c.dev.get(&nm(&app, &nid, "")).await);
    answers.push(c.dev.get(&dr(&app, &rid, "")).await);
    for r in &answers {
        no_gate(r);
    }
    let refused = answers
        .iter()
        .filter(|r| r.status.is_client_error())
        .count();
    assert_eq!(
        refused,
        13,
        "every refusal above is a 4xx: {:?}",
        answers
            .iter()
            .map(|r| r.status.as_u16())
            .collect::<Vec<_>>()
    );
}

/// Found by the property tests: moving the scheduled end of a grant that was already ended
/// (earlier than its ends_at, after its start) is a shortening and must succeed.
async fn shortening_an_ended_grant_succeeds(app: TestApp) {
    let c = cast(&app).await;
    let t = t0();
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t - days(1),
        t + days(9),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    c.dev.post_empty(&ag(&app, &id, "end")).await.expect(200);
    let r = c
        .dev
        .patch(&ag(&app, &id, ""), json!({"ends_at": rfc(t + days(6))}))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(ts(&r.body["ends_at"]), t + days(6));
    assert_eq!(r.body["status"], "ended");
    // Extending a closed grant is still refused (offer a new window instead).
    c.dev
        .patch(&ag(&app, &id, ""), json!({"ends_at": rfc(t + days(12))}))
        .await
        .problem(409, "invalid_transition");
}
