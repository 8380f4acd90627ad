//! Government access grants (DESIGN §2.4, §3, §5): the 30-day cap, terms agreement, roster,
//! personal acknowledgment, the access log, derived status, reminders and visibility.

use chrono::Duration;
use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    offer_accept_roster_acknowledge_and_log,
    only_developer_admins_offer_grants,
    a_single_window_is_at_most_thirty_days,
    the_union_of_a_models_windows_is_at_most_thirty_days,
    ended_windows_count_only_until_they_ended,
    moving_ends_at_respects_the_cap_and_changes_nothing_when_refused,
    windows_end_by_the_planned_partner_release,
    grantees_must_be_agency_organizations,
    status_is_derived_from_the_clock,
    ending_is_immediate_idempotent_and_notifies,
    accept_terms_is_for_the_developer_admin_and_grantee_admins,
    roster_is_managed_by_grantee_admins_and_trimmed_by_the_developer,
    acknowledging_needs_a_roster_place_and_accepted_terms,
    access_instructions_only_reach_acknowledged_rostered_users,
    access_log_accepts_only_uses_inside_the_window,
    access_log_is_append_only,
    grants_are_invisible_outside_the_developer_and_grantees,
    grant_lists_filter_by_status_and_model,
    grant_bad_input_changes_nothing,
    wrong_types_and_unknown_values_name_their_field,
    window_reminders_are_sent_once,
);

const INSTRUCTIONS: &str = "sealed envelope #42";

async fn offer_accept_roster_acknowledge_and_log(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let starts = t0() + days(1);
    let ends = t0() + days(11);
    let before = app.audit_count().await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa, &c.cisa],
        &c.template,
        starts,
        ends,
    )
    .await;
    assert_events(before, app.audit_count().await, 1, "grant offered");
    let id = g["id"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    let tpl =
        c.op.get(&app.api(&format!("/terms/{}", c.template)))
            .await
            .expect(200)
            .body;
    // Every id (and the terms' hash) the test knows, by name in the snapshots.
    let names = [
        (tpl["sha256"].as_str().unwrap(), "terms sha256"),
        (id.as_str(), "grant"),
        (c.model.as_str(), "model"),
        (c.template.as_str(), "terms"),
        (c.nsa.org_id.as_str(), "NSA"),
        (c.cisa.org_id.as_str(), "CISA"),
        (c.dev.org_id.as_str(), "developer"),
        (analyst.id.as_str(), "analyst"),
    ];
    // Awaiting terms, for [t0 + 1 day, t0 + 11 days), 11 days remaining, nobody rostered, no
    // acceptance yet; the developer admin sees the instructions.
    // The server does not order the grantees: sorted for the snapshot.
    insta::assert_json_snapshot!("offered", named(&g, &names), {
        ".grantees" => insta::sorted_redaction(),
    });
    // The model now shows the granted days.
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200)
        .body;
    assert_days(&m["government_days_granted"], 10.0);
    assert_days(&m["government_days_remaining"], 20.0);

    // Both grantee admins are told; no instructions in the email.
    for to in ["admin@nsa.example", "admin@cisa.example"] {
        let mail = app.wait_mail(to, "Model access was offered").await;
        assert!(
            !mail.raw.contains(INSTRUCTIONS),
            "instructions leaked by email"
        );
    }
    // A grantee admin sees the grant without the instructions.
    let seen = c.nsa.get(&ag(&app, &id, "")).await.expect(200).body;
    assert!(seen["access_instructions"].is_null(), "{seen}");
    assert_eq!(seen["viewer"]["rostered"], false);

    // Terms: developer admin, then each grantee admin; only the last makes it scheduled.
    let before = app.audit_count().await;
    let r = c
        .dev
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "developer accepted");
    assert_eq!(r.body["status"], "awaiting_terms");
    assert_eq!(ts(&r.body["developer_accepted_at"]), app.now());
    let r = c
        .nsa
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    // Still awaiting terms (CISA's); the NSA row records when and by whom.
    insta::assert_json_snapshot!("accepted_by_the_nsa", named(&r.body, &names), {
        ".grantees" => insta::sorted_redaction(),
    });
    let before = app.audit_count().await;
    let r = c
        .cisa
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "last acceptance");
    assert_eq!(r.body["status"], "scheduled");
    for to in [
        "admin@nsa.example",
        "admin@cisa.example",
        "dana@aurora.example",
    ] {
        app.wait_mail(to, "Terms accepted by all parties").await;
    }
    // The acceptance recorded who, when, the version and its hash.
    let (n, hashes) = {
        let gid = id.clone();
        app.db(move |conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::terms_acceptances as t;
            let rows: Vec<String> = t::table
                .filter(t::grant_id.eq(&gid))
                .filter(t::grant_type.eq("access"))
                .select(t::terms_sha256)
                .load(conn)
                .unwrap();
            (rows.len(), rows)
        })
        .await
    };
    assert_eq!(n, 3, "three organization acceptances");
    assert!(hashes.iter().all(|h| h == tpl["sha256"].as_str().unwrap()));

    // Roster: the NSA admin names an analyst, who acknowledges personally.
    let before = app.audit_count().await;
    let r = roster_add(&c.nsa, &ag(&app, &id, ""), &analyst.id).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{} {}",
        r.status,
        r.text
    );
    assert_events(before, app.audit_count().await, 1, "rostered");
    let roster = c.dev.get(&ag(&app, &id, "roster")).await.expect(200);
    // One entry: the analyst of the NSA, added now, not yet acknowledged.
    insta::assert_json_snapshot!("roster", named(&roster.body, &names));
    let view = analyst.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(
        view["viewer"],
        json!({"rostered": true, "acknowledged": false})
    );
    assert!(view["access_instructions"].is_null());
    let before = app.audit_count().await;
    analyst
        .post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "acknowledged");
    let view = analyst.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(
        view["viewer"],
        json!({"rostered": true, "acknowledged": true})
    );
    assert!(view["access_instructions"]
        .as_str()
        .unwrap()
        .contains(INSTRUCTIONS));
    let roster = c.nsa.get(&ag(&app, &id, "roster")).await.expect(200);
    assert_eq!(ts(&items(&roster)[0]["acknowledged_at"]), app.now());
    // The personal acknowledgment is recorded with the hash too.
    let personal = {
        let gid = id.clone();
        let uid = analyst.id.clone();
        app.db(move |conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::terms_acceptances as t;
            t::table
                .filter(t::grant_id.eq(&gid))
                .filter(t::user_id.eq(&uid))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await
    };
    assert_eq!(personal, 1);

    // The window opens; the analyst logs a use.
    app.advance(days(1) + Duration::hours(2));
    assert_eq!(
        c.dev.get(&ag(&app, &id, "")).await.expect(200).body["status"],
        "active"
    );
    let before = app.audit_count().await;
    let occurred = app.now() - Duration::minutes(30);
    let e = analyst
        .post(&ag(&app, &id, "access-log"), log_body(occurred))
        .await
        .expect(201)
        .body;
    assert_events(before, app.audit_count().await, 1, "access logged");
    // Occurred 30 minutes ago, as sent.
    insta::assert_json_snapshot!("access_logged", named(&e, &names));
    for who in [&c.dev, &c.nsa, &c.cisa] {
        let l = who.get(&ag(&app, &id, "access-log")).await.expect(200);
        let entries = items(&l);
        assert_eq!(entries.len(), 1, "{}", l.text);
        assert_eq!(
            entries[0]["summary"],
            "Ran the cyber-offense evaluation suite."
        );
        assert_eq!(entries[0]["kind"], "evaluation");
        assert_eq!(entries[0]["duration_minutes"], 90);
    }
}

async fn only_developer_admins_offer_grants(app: TestApp) {
    let c = cast(&app).await;
    let member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let body = grant_body(
        &c.model,
        &[&c.nsa.org_id],
        &c.template,
        t0() + days(1),
        t0() + days(5),
    );
    let before = app.audit_count().await;
    let r = member
        .post(&app.api("/access-grants"), body.clone())
        .await
        .problem(403, "forbidden");
    no_gate(&r);
    for who in [&c.nsa, &partner, &c.op] {
        who.post(&app.api("/access-grants"), body.clone())
            .await
            .problem(403, "forbidden");
    }
    let r = other.post(&app.api("/access-grants"), body.clone()).await;
    let m = other
        .post(&app.api("/access-grants"), with_random(&body, "model_id"))
        .await;
    same_as_missing(&r, &m);
    app.anon
        .post(&app.api("/access-grants"), body.clone())
        .await
        .problem(401, "unauthenticated");
    assert_eq!(app.audit_count().await, before);
    assert!(items(&c.dev.get(&app.api("/access-grants")).await.expect(200)).is_empty());
    c.dev
        .post(&app.api("/access-grants"), body)
        .await
        .expect(201);
}

async fn a_single_window_is_at_most_thirty_days(app: TestApp) {
    let c = cast(&app).await;
    let s = t0() + days(1);
    // Exactly 30 days is allowed.
    offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        s,
        s + days(30),
    )
    .await;
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200)
        .body;
    assert_days(&m["government_days_granted"], 30.0);
    assert_days(&m["government_days_remaining"], 0.0);
    // On a fresh model: one second more is refused.
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let before = app.audit_count().await;
    let r = c
        .dev
        .post(
            &app.api("/access-grants"),
            grant_body(
                &m2,
                &[&c.nsa.org_id],
                &c.template,
                s,
                s + days(30) + Duration::seconds(1),
            ),
        )
        .await
        .problem(422, "window_cap_exceeded");
    no_gate(&r);
    assert!(num(&r.body["requested_days"]) >= 30.0, "{}", r.text);
    assert_days(&r.body["granted_days"], 0.0);
    assert_days(&r.body["remaining_days"], 30.0);
    let r = c
        .dev
        .post(
            &app.api("/access-grants"),
            grant_body(&m2, &[&c.nsa.org_id], &c.template, s, s + days(31)),
        )
        .await
        .problem(422, "window_cap_exceeded");
    assert_days(&r.body["requested_days"], 31.0);
    assert_days(&r.body["granted_days"], 0.0);
    assert_days(&r.body["remaining_days"], 30.0);
    // Empty and reversed windows.
    for e in [s, s - Duration::hours(1)] {
        let r = c
            .dev
            .post(
                &app.api("/access-grants"),
                grant_body(&m2, &[&c.nsa.org_id], &c.template, s, e),
            )
            .await;
        assert_eq!(r.status, 422, "ends_at <= starts_at: {}", r.text);
    }
    assert_eq!(app.audit_count().await, before);
    assert!(items(
        &c.dev
            .get(&app.api(&format!("/access-grants?model_id={m2}")))
            .await
            .expect(200)
    )
    .is_empty());
}

async fn the_union_of_a_models_windows_is_at_most_thirty_days(app: TestApp) {
    let c = cast(&app).await;
    let d = |n: i64| t0() + days(n);
    offer(&app, &c.dev, &c.model, &[&c.nsa], &c.template, d(1), d(11)).await;
    // Overlap counts once: the union is 15 days.
    offer(&app, &c.dev, &c.model, &[&c.cisa], &c.template, d(6), d(16)).await;
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200)
        .body;
    assert_days(&m["government_days_granted"], 15.0);
    assert_days(&m["government_days_remaining"], 15.0);
    let before = app.audit_count().await;
    let r = c
        .dev
        .post(
            &app.api("/access-grants"),
            grant_body(&c.model, &[&c.nsa.org_id], &c.template, d(20), d(36)),
        )
        .await
        .problem(422, "window_cap_exceeded");
    assert_days(&r.body["requested_days"], 16.0);
    assert_days(&r.body["total_days"], 31.0);
    assert_days(&r.body["granted_days"], 15.0);
    assert_days(&r.body["remaining_days"], 15.0);
    assert_eq!(app.audit_count().await, before);
    // Exactly up to 30.
    offer(&app, &c.dev, &c.model, &[&c.nsa], &c.template, d(20), d(35)).await;
    // A window inside one already granted adds nothing to the union.
    offer(&app, &c.dev, &c.model, &[&c.cisa], &c.template, d(2), d(5)).await;
    let r = c
        .dev
        .post(
            &app.api("/access-grants"),
            grant_body(&c.model, &[&c.nsa.org_id], &c.template, d(40), d(41)),
        )
        .await
        .problem(422, "window_cap_exceeded");
    assert_days(&r.body["requested_days"], 1.0);
    assert_days(&r.body["total_days"], 31.0);
    assert_days(&r.body["granted_days"], 30.0);
    assert_days(&r.body["remaining_days"], 0.0);
    // Another model has its own 30 days.
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    offer(&app, &c.dev, &m2, &[&c.nsa], &c.template, d(40), d(70)).await;
}

async fn ended_windows_count_only_until_they_ended(app: TestApp) {
    let c = cast(&app).await;
    let s = t0() + Duration::hours(1);
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        s,
        s + days(10),
    )
    .await;
    let gid = g["id"].as_str().unwrap().to_string();
    // A future window ended before it starts counts nothing.
    let f = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.cisa],
        &c.template,
        t0() + days(20),
        t0() + days(25),
    )
    .await;
    c.dev
        .post_empty(&ag(&app, f["id"].as_str().unwrap(), "end"))
        .await
        .expect(200);
    app.advance(days(3) + Duration::hours(1));
    c.dev.post_empty(&ag(&app, &gid, "end")).await.expect(200);
    // [t0+1h, t0+3d+1h): 3 days used.
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200)
        .body;
    assert_days(&m["government_days_granted"], 3.0);
    assert_days(&m["government_days_remaining"], 27.0);
    let ns = app.now() + Duration::hours(1);
    let r = c
        .dev
        .post(
            &app.api("/access-grants"),
            grant_body(
                &c.model,
                &[&c.nsa.org_id],
                &c.template,
                ns,
                ns + days(27) + Duration::hours(6),
            ),
        )
        .await
        .problem(422, "window_cap_exceeded");
    assert_days(&r.body["requested_days"], 27.25);
    assert_days(&r.body["total_days"], 30.25);
    assert_days(&r.body["granted_days"], 3.0);
    assert_days(&r.body["remaining_days"], 27.0);
    offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        ns,
        ns + days(27),
    )
    .await;
}

async fn moving_ends_at_respects_the_cap_and_changes_nothing_when_refused(app: TestApp) {
    let c = cast(&app).await;
    let d = |n: i64| t0() + days(n);
    let g1 = offer(&app, &c.dev, &c.model, &[&c.nsa], &c.template, d(1), d(11)).await;
    let id = g1["id"].as_str().unwrap().to_string();
    offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.cisa],
        &c.template,
        d(20),
        d(35),
    )
    .await;
    let snapshot = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
    let before = app.audit_count().await;
    let r = c
        .dev
        .patch(&ag(&app, &id, ""), json!({"ends_at": rfc(d(17))}))
        .await
        .problem(422, "window_cap_exceeded");
    no_gate(&r);
    assert_days(&r.body["requested_days"], 16.0);
    assert_days(&r.body["total_days"], 31.0);
    // Already granted counts the window being moved (10 days) with the other one (15), as the
    // model page does (issue 11 item 7); 5 more days fit: the latest end is day 16.
    assert_days(&r.body["granted_days"], 25.0);
    assert_days(&r.body["remaining_days"], 5.0);
    assert_eq!(ts(&r.body["latest_end_at"]), d(16), "{}", r.text);
    let r = c
        .dev
        .patch(&ag(&app, &id, ""), json!({"ends_at": rfc(d(1))}))
        .await;
    assert_eq!(r.status, 422, "ends_at == starts_at: {}", r.text);
    c.nsa
        .patch(&ag(&app, &id, ""), json!({"ends_at": rfc(d(5))}))
        .await
        .problem(403, "forbidden");
    assert_eq!(app.audit_count().await, before, "refusals write nothing");
    assert_eq!(
        c.dev.get(&ag(&app, &id, "")).await.expect(200).body,
        snapshot
    );
    // Later within the cap: exactly 30.
    let r = c
        .dev
        .patch(&ag(&app, &id, ""), json!({"ends_at": rfc(d(16))}))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "extended");
    assert_eq!(ts(&r.body["ends_at"]), d(16));
    // Earlier.
    let r = c
        .dev
        .patch(&ag(&app, &id, ""), json!({"ends_at": rfc(d(5))}))
        .await
        .expect(200);
    assert_eq!(ts(&r.body["ends_at"]), d(5));
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200)
        .body;
    assert_days(&m["government_days_granted"], 19.0);
}

async fn windows_end_by_the_planned_partner_release(app: TestApp) {
    let c = cast(&app).await;
    let release = t0() + days(10);
    let m = new_model_with(
        &app,
        &c.dev,
        json!({"name": "Aurora-9", "version": "9", "planned_partner_release_at": rfc(release)}),
    )
    .await;
    let mid = m["id"].as_str().unwrap().to_string();
    let before = app.audit_count().await;
    let r = c
        .dev
        .post(
            &app.api("/access-grants"),
            grant_body(
                &mid,
                &[&c.nsa.org_id],
                &c.template,
                t0() + days(1),
                release + Duration::seconds(1),
            ),
        )
        .await
        .problem(422, "window_after_release");
    no_gate(&r);
    assert_eq!(app.audit_count().await, before);
    // Ending exactly at the release is fine.
    let g = offer(
        &app,
        &c.dev,
        &mid,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        release,
    )
    .await;
    let id = g["id"].as_str().unwrap();
    let before = app.audit_count().await;
    c.dev
        .patch(
            &ag(&app, id, ""),
            json!({"ends_at": rfc(release + Duration::hours(1))}),
        )
        .await
        .problem(422, "window_after_release");
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        ts(&c.dev.get(&ag(&app, id, "")).await.expect(200).body["ends_at"]),
        release
    );
    // Moving the release later lets a longer window through (the developer decides).
    c.dev
        .patch(
            &app.api(&format!("/models/{mid}")),
            json!({"planned_partner_release_at": rfc(release + days(5))}),
        )
        .await
        .expect(200);
    c.dev
        .patch(
            &ag(&app, id, ""),
            json!({"ends_at": rfc(release + days(2))}),
        )
        .await
        .expect(200);
}

async fn grantees_must_be_agency_organizations(app: TestApp) {
    let c = cast(&app).await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let missing = uuid::Uuid::new_v4().to_string();
    let before = app.audit_count().await;
    for bad in [
        vec![partner.org_id.clone()],
        vec![c.dev.org_id.clone()],
        vec![other.org_id.clone()],
        vec![c.op.org_id.clone()],
        vec![missing.clone()],
        vec![c.nsa.org_id.clone(), partner.org_id.clone()],
        vec![],
    ] {
        let refs: Vec<&str> = bad.iter().map(String::as_str).collect();
        let r = c
            .dev
            .post(
                &app.api("/access-grants"),
                grant_body(&c.model, &refs, &c.template, t0() + days(1), t0() + days(2)),
            )
            .await
            .problem(422, "validation_failed");
        assert!(
            r.fields().iter().any(|f| f.starts_with("grantee_org_ids")),
            "{bad:?}: {}",
            r.text
        );
    }
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        app.mail_count("admin@valleyruralhealth.example"),
        1,
        "only the invitation"
    );
}

async fn status_is_derived_from_the_clock(app: TestApp) {
    let c = cast(&app).await;
    let s = t0() + days(1);
    let e = t0() + days(3);
    let g = offer(&app, &c.dev, &c.model, &[&c.nsa], &c.template, s, e).await;
    let id = g["id"].as_str().unwrap().to_string();
    // A second grant whose terms are never accepted.
    let never = offer(&app, &c.dev, &c.model, &[&c.cisa], &c.template, s, e).await;
    let never = never["id"].as_str().unwrap().to_string();
    // A third one ended before it starts.
    let ended = offer(&app, &c.dev, &c.model, &[&c.nsa], &c.template, s, e).await;
    let ended = ended["id"].as_str().unwrap().to_string();
    c.dev.post_empty(&ag(&app, &ended, "end")).await.expect(200);
    let status = |gid: String| {
        let dev = c.dev.clone();
        let url = ag(&app, &gid, "");
        async move {
            dev.get(&url).await.expect(200).body["status"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(status(id.clone()).await, "awaiting_terms");
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    assert_eq!(status(id.clone()).await, "scheduled");
    app.advance(days(1) - Duration::seconds(1));
    assert_eq!(status(id.clone()).await, "scheduled");
    app.advance(Duration::seconds(1)); // exactly starts_at
    assert_eq!(status(id.clone()).await, "active");
    assert_eq!(status(never.clone()).await, "awaiting_terms");
    assert_eq!(status(ended.clone()).await, "ended");
    let g = c.nsa.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_days(&g["days_remaining"], 2.0);
    app.advance(days(2) - Duration::seconds(1));
    assert_eq!(status(id.clone()).await, "active");
    app.advance(Duration::seconds(1)); // exactly ends_at
    assert_eq!(status(id.clone()).await, "expired");
    assert_eq!(status(never.clone()).await, "expired");
    assert_eq!(status(ended.clone()).await, "ended");
    let g = c.nsa.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_days(&g["days_remaining"], 0.0);
    // Status filters follow the clock too.
    let l = c
        .dev
        .get(&app.api("/access-grants?status=expired"))
        .await
        .expect(200);
    let mut got = ids(&l);
    got.sort();
    let mut want = vec![id.clone(), never.clone()];
    want.sort();
    assert_eq!(got, want);
}

async fn ending_is_immediate_idempotent_and_notifies(app: TestApp) {
    let c = cast(&app).await;
    let member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(11),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &analyst.id).await;
    analyst
        .post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    app.advance(days(2));
    // Grantees cannot end it.
    let before = app.audit_count().await;
    c.nsa
        .post_empty(&ag(&app, &id, "end"))
        .await
        .problem(403, "forbidden");
    analyst
        .post_empty(&ag(&app, &id, "end"))
        .await
        .problem(403, "forbidden");
    assert_eq!(app.audit_count().await, before);
    // A plain developer member ends it, at once.
    let r = member.post_empty(&ag(&app, &id, "end")).await.expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "ended");
    assert_eq!(ts(&r.body["ended_at"]), app.now());
    assert_events(before, app.audit_count().await, 1, "ended");
    app.wait_mail("admin@nsa.example", "ended early").await;
    // Repeat: 200, no event, no second email.
    app.advance(Duration::hours(1));
    let r = c.dev.post_empty(&ag(&app, &id, "end")).await.expect(200);
    assert_eq!(r.body["status"], "ended");
    assert_eq!(
        ts(&r.body["ended_at"]),
        app.now() - Duration::hours(1),
        "ended_at unchanged"
    );
    assert_events(before, app.audit_count().await, 1, "repeat end");
    app.run_jobs().await;
    assert_eq!(
        app.count_mail("admin@nsa.example", "ended early"),
        1,
        "one 'ended early' email"
    );
    // After the end, no use can be logged for the time after it.
    let r = analyst
        .post(
            &ag(&app, &id, "access-log"),
            log_body(app.now() - Duration::minutes(10)),
        )
        .await
        .problem(422, "outside_window");
    no_gate(&r);
    // The grantee no longer sees the instructions of an ended window? (not required) — but the
    // record stays visible.
    c.nsa.get(&ag(&app, &id, "")).await.expect(200);
}

async fn accept_terms_is_for_the_developer_admin_and_grantee_admins(app: TestApp) {
    let c = cast(&app).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let nsa_member = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let treasury = agency_org(&app, &c.op, "TREASURY").await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(2),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    let snapshot = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
    let before = app.audit_count().await;
    let r = dev_member
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .problem(403, "forbidden");
    no_gate(&r);
    nsa_member
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .problem(403, "forbidden");
    for who in [&treasury, &c.cisa, &partner, &other, &c.op] {
        who.post_empty(&ag(&app, &id, "accept-terms"))
            .await
            .problem(404, "not_found");
    }
    app.anon
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .problem(401, "unauthenticated");
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        c.dev.get(&ag(&app, &id, "")).await.expect(200).body,
        snapshot
    );
    // Order does not matter: grantee first, developer last.
    let r = c
        .nsa
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "awaiting_terms");
    let r = c
        .dev
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "scheduled");
}

async fn roster_is_managed_by_grantee_admins_and_trimmed_by_the_developer(app: TestApp) {
    let c = cast(&app).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let a2 = colleague(&app, &c.nsa, "a2@nsa.example", "member").await;
    let cisa_user = colleague(&app, &c.cisa, "r@cisa.example", "member").await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    let base = ag(&app, &id, "");
    let before = app.audit_count().await;
    // Users of another org cannot be rostered.
    for uid in [&cisa_user.id, &c.dev.id, &c.cisa.id] {
        let r = roster_add(&c.nsa, &base, uid)
            .await
            .problem(422, "validation_failed");
        assert!(r.fields().contains(&"user_id".to_string()), "{}", r.text);
    }
    // Only the grantee's admins roster.
    roster_add(&a1, &base, &a2.id)
        .await
        .problem(403, "forbidden");
    let r = roster_add(&c.dev, &base, &a1.id)
        .await
        .problem(403, "forbidden");
    no_gate(&r);
    roster_add(&c.cisa, &base, &cisa_user.id)
        .await
        .problem(404, "not_found");
    assert_eq!(app.audit_count().await, before);
    assert!(items(&c.dev.get(&ag(&app, &id, "roster")).await.expect(200)).is_empty());
    for u in [&a1, &a2] {
        let r = roster_add(&c.nsa, &base, &u.id).await;
        assert!(r.status == 200 || r.status == 201, "{}", r.text);
    }
    assert_events(before, app.audit_count().await, 2, "two rostered");
    // Roster is visible to the developer and the grantee only.
    c.cisa
        .get(&ag(&app, &id, "roster"))
        .await
        .problem(404, "not_found");
    assert_eq!(
        items(&a1.get(&ag(&app, &id, "roster")).await.expect(200)).len(),
        2
    );
    // A grantee member cannot remove; the developer (any member) can, at once; repeat is 200.
    let before = app.audit_count().await;
    a1.delete(&ag(&app, &id, &format!("roster/{}", a2.id)))
        .await
        .problem(403, "forbidden");
    assert_eq!(app.audit_count().await, before);
    let r = dev_member
        .delete(&ag(&app, &id, &format!("roster/{}", a2.id)))
        .await
        .expect(200);
    no_gate(&r);
    assert_events(before, app.audit_count().await, 1, "removed");
    let r = c
        .dev
        .delete(&ag(&app, &id, &format!("roster/{}", a2.id)))
        .await
        .expect(200);
    no_gate(&r);
    assert_events(before, app.audit_count().await, 1, "repeat removal");
    let entries = items(&c.dev.get(&ag(&app, &id, "roster")).await.expect(200));
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["user_id"], a1.id.as_str());
    // The grantee admin removes too.
    c.nsa
        .delete(&ag(&app, &id, &format!("roster/{}", a1.id)))
        .await
        .expect(200);
    assert!(items(&c.dev.get(&ag(&app, &id, "roster")).await.expect(200)).is_empty());
    // A removed user is no longer rostered.
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    a2.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .problem(403, "not_rostered");
    // Re-rostering works.
    let r = roster_add(&c.nsa, &base, &a2.id).await;
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    a2.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
}

async fn acknowledging_needs_a_roster_place_and_accepted_terms(app: TestApp) {
    let c = cast(&app).await;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let a2 = colleague(&app, &c.nsa, "a2@nsa.example", "member").await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    roster_add(&c.nsa, &ag(&app, &id, ""), &a1.id).await;
    c.dev
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    let before = app.audit_count().await;
    a2.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .problem(403, "not_rostered");
    c.nsa
        .post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .problem(403, "not_rostered");
    a1.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .problem(409, "terms_not_accepted");
    c.cisa
        .post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .problem(404, "not_found");
    let r = c.dev.post_empty(&ag(&app, &id, "acknowledge")).await;
    assert_eq!(
        r.status, 403,
        "the developer is not on the roster: {}",
        r.text
    );
    assert_eq!(app.audit_count().await, before);
    c.nsa
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    let before = app.audit_count().await;
    a1.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "acknowledged");
    let v = a1.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(v["viewer"]["acknowledged"], true);
}

async fn access_instructions_only_reach_acknowledged_rostered_users(app: TestApp) {
    let c = cast(&app).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa, &c.cisa],
        &c.template,
        t0() + days(1),
        t0() + days(5),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa, &c.cisa]).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &a1.id).await;
    let instr = |v: &serde_json::Value| v["access_instructions"].as_str().map(str::to_string);
    assert!(
        instr(&dev_member.get(&ag(&app, &id, "")).await.expect(200).body)
            .unwrap()
            .contains(INSTRUCTIONS)
    );
    for who in [&c.nsa, &c.cisa, &a1] {
        let v = who.get(&ag(&app, &id, "")).await.expect(200).body;
        assert!(
            v["access_instructions"].is_null(),
            "before acknowledgment: {v}"
        );
        // The list is no back door.
        let l = who.get(&app.api("/access-grants")).await.expect(200);
        assert!(
            !l.text.contains(INSTRUCTIONS),
            "list leaks instructions: {}",
            l.text
        );
    }
    a1.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    assert!(instr(&a1.get(&ag(&app, &id, "")).await.expect(200).body)
        .unwrap()
        .contains(INSTRUCTIONS));
    // Still hidden from the un-rostered grantee admins.
    for who in [&c.nsa, &c.cisa] {
        let v = who.get(&ag(&app, &id, "")).await.expect(200).body;
        assert!(v["access_instructions"].is_null(), "{v}");
    }
    // Removed from the roster: hidden again at once.
    c.dev
        .delete(&ag(&app, &id, &format!("roster/{}", a1.id)))
        .await
        .expect(200);
    let v = a1.get(&ag(&app, &id, "")).await.expect(200).body;
    assert!(v["access_instructions"].is_null(), "after removal: {v}");
    assert_eq!(v["viewer"]["rostered"], false);
    // No audit detail or email carries the instructions.
    let details = app
        .db(|conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::audit_events;
            audit_events::table
                .select(audit_events::detail)
                .load::<String>(conn)
                .unwrap()
        })
        .await;
    assert!(details.iter().all(|d| !d.contains(INSTRUCTIONS)));
    assert!(app
        .mail
        .messages
        .lock()
        .unwrap()
        .iter()
        .all(|m| !m.raw.contains(INSTRUCTIONS)));
}

async fn access_log_accepts_only_uses_inside_the_window(app: TestApp) {
    let c = cast(&app).await;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let a2 = colleague(&app, &c.nsa, "a2@nsa.example", "member").await;
    let s = t0() + days(1);
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        s,
        t0() + days(11),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &a1.id).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &c.nsa.id).await;
    a1.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    app.advance(days(2));
    let url = ag(&app, &id, "access-log");
    let before = app.audit_count().await;
    a2.post(&url, log_body(app.now() - Duration::hours(1)))
        .await
        .problem(403, "not_rostered");
    c.nsa
        .post(&url, log_body(app.now() - Duration::hours(1)))
        .await
        .problem(409, "terms_not_accepted");
    let r = c
        .dev
        .post(&url, log_body(app.now() - Duration::hours(1)))
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    c.cisa
        .post(&url, log_body(app.now() - Duration::hours(1)))
        .await
        .problem(404, "not_found");
    a1.post(&url, log_body(s - Duration::seconds(1)))
        .await
        .problem(422, "outside_window");
    a1.post(&url, log_body(app.now() + Duration::minutes(1)))
        .await
        .problem(422, "outside_window");
    for (body, field) in [
        (
            json!({"occurred_at": rfc(app.now()), "kind": "evaluation", "duration_minutes": 0, "summary": "s"}),
            "duration_minutes",
        ),
        (
            json!({"occurred_at": rfc(app.now()), "kind": "evaluation", "duration_minutes": 1441, "summary": "s"}),
            "duration_minutes",
        ),
        (
            json!({"occurred_at": rfc(app.now()), "kind": "evaluation", "duration_minutes": 10, "summary": " "}),
            "summary",
        ),
        (
            json!({"kind": "evaluation", "duration_minutes": 10, "summary": "s"}),
            "occurred_at",
        ),
    ] {
        let r = a1
            .post(&url, body.clone())
            .await
            .problem(422, "validation_failed");
        assert!(
            r.fields().contains(&field.to_string()),
            "{body}: {}",
            r.text
        );
    }
    assert_eq!(app.audit_count().await, before, "refusals write nothing");
    // Boundaries that are fine: exactly starts_at, exactly now, 1 and 1440 minutes, every kind.
    for (at, kind, mins) in [
        (s, "evaluation", 1),
        (app.now(), "red_team", 1440),
        (app.now() - Duration::hours(3), "benchmark", 60),
        (app.now() - Duration::hours(4), "other", 5),
    ] {
        a1.post(&url, json!({"occurred_at": rfc(at), "kind": kind, "duration_minutes": mins, "summary": "ok"}))
            .await
            .expect(201);
    }
    assert_events(before, app.audit_count().await, 4, "four entries");
    // After an early end: uses after it are outside; uses before it may still be logged.
    let ended_at = app.now();
    c.dev.post_empty(&ag(&app, &id, "end")).await.expect(200);
    app.advance(days(1));
    a1.post(&url, log_body(ended_at + Duration::minutes(5)))
        .await
        .problem(422, "outside_window");
    a1.post(&url, log_body(ended_at))
        .await
        .problem(422, "outside_window");
    a1.post(&url, log_body(ended_at - Duration::minutes(5)))
        .await
        .expect(201);
    let l = c.dev.get(&url).await.expect(200);
    assert_eq!(items(&l).len(), 5);
    c.cisa.get(&url).await.problem(404, "not_found");
}

async fn access_log_is_append_only(app: TestApp) {
    let c = cast(&app).await;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + Duration::hours(1),
        t0() + days(5),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &a1.id).await;
    a1.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    app.advance(Duration::hours(3));
    let url = ag(&app, &id, "access-log");
    let e = a1
        .post(&url, log_body(app.now() - Duration::hours(1)))
        .await
        .expect(201)
        .body;
    let eid = e["id"].as_str().unwrap().to_string();
    let before = app.audit_count().await;
    let entry = format!("{url}/{eid}");
    for who in [&a1, &c.nsa, &c.dev] {
        for r in [
            who.patch(&entry, json!({"summary": "rewritten"})).await,
            who.call(
                reqwest::Method::PUT,
                &entry,
                Some(json!({"summary": "rewritten"})),
            )
            .await,
            who.delete(&entry).await,
            who.delete(&url).await,
            who.patch(&url, json!({"summary": "rewritten"})).await,
        ] {
            assert!(
                r.status == 404 || r.status == 405,
                "append-only: {} {}",
                r.status,
                r.text
            );
        }
    }
    assert_eq!(app.audit_count().await, before);
    let l = c.dev.get(&url).await.expect(200);
    assert_eq!(items(&l).len(), 1);
    assert_eq!(
        items(&l)[0]["summary"],
        "Ran the cyber-offense evaluation suite."
    );
    // A correction is a new entry.
    a1.post(&url, json!({"occurred_at": rfc(app.now() - Duration::hours(1)), "kind": "other", "duration_minutes": 30, "summary": "Correction: the run took 30 minutes"}))
        .await
        .expect(201);
    assert_eq!(items(&c.dev.get(&url).await.expect(200)).len(), 2);
}

async fn grants_are_invisible_outside_the_developer_and_grantees(app: TestApp) {
    let c = cast(&app).await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let a1 = colleague(&app, &c.cisa, "r@cisa.example", "member").await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    let before = app.audit_count().await;
    for who in [&c.cisa, &a1, &partner, &other, &c.op] {
        who.get(&ag(&app, &id, "")).await.problem(404, "not_found");
        who.patch(&ag(&app, &id, ""), json!({"ends_at": rfc(t0() + days(2))}))
            .await
            .problem(404, "not_found");
        for action in ["end", "accept-terms", "acknowledge"] {
            who.post_empty(&ag(&app, &id, action))
                .await
                .problem(404, "not_found");
        }
        who.get(&ag(&app, &id, "roster"))
            .await
            .problem(404, "not_found");
        who.post(&ag(&app, &id, "roster"), json!({"user_id": who.id}))
            .await
            .problem(404, "not_found");
        who.delete(&ag(&app, &id, &format!("roster/{}", who.id)))
            .await
            .problem(404, "not_found");
        who.get(&ag(&app, &id, "access-log"))
            .await
            .problem(404, "not_found");
        who.post(&ag(&app, &id, "access-log"), log_body(t0()))
            .await
            .problem(404, "not_found");
        let l = who.get(&app.api("/access-grants")).await;
        if l.status == 200 {
            assert!(!ids(&l).contains(&id), "listed to an outsider");
        }
    }
    // A missing id answers like an invisible one.
    let missing = uuid::Uuid::new_v4().to_string();
    let a = other.get(&ag(&app, &missing, "")).await;
    let b = other.get(&ag(&app, &id, "")).await;
    assert_eq!(
        (a.status, a.body["detail"].clone()),
        (b.status, b.body["detail"].clone())
    );
    assert_eq!(app.audit_count().await, before);
    assert!(ids(&c.nsa.get(&app.api("/access-grants")).await.expect(200)).contains(&id));
}

async fn grant_lists_filter_by_status_and_model(app: TestApp) {
    let c = cast(&app).await;
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let a = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(3),
    )
    .await;
    let b = offer(
        &app,
        &c.dev,
        &m2,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(3),
    )
    .await;
    let e = offer(
        &app,
        &c.dev,
        &m2,
        &[&c.cisa],
        &c.template,
        t0() + days(5),
        t0() + days(8),
    )
    .await;
    let (a, b, e) = (
        a["id"].as_str().unwrap().to_string(),
        b["id"].as_str().unwrap().to_string(),
        e["id"].as_str().unwrap().to_string(),
    );
    accept_all(&app, &b, &[&c.dev, &c.nsa]).await;
    c.dev.post_empty(&ag(&app, &e, "end")).await.expect(200);
    let q = |s: &str| {
        let dev = c.dev.clone();
        let url = app.api(&format!("/access-grants?{s}"));
        async move {
            let mut v = ids(&dev.get(&url).await.expect(200));
            v.sort();
            v
        }
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(q(&format!("model_id={}", c.model)).await, vec![a.clone()]);
    assert_eq!(
        q(&format!("model_id={m2}")).await,
        sorted(vec![b.clone(), e.clone()])
    );
    assert_eq!(q("status=awaiting_terms").await, vec![a.clone()]);
    assert_eq!(q("status=scheduled").await, vec![b.clone()]);
    assert_eq!(q("status=ended").await, vec![e.clone()]);
    app.advance(days(1));
    assert_eq!(q("status=active").await, vec![b.clone()]);
    assert_eq!(q("status=scheduled").await, Vec::<String>::new());
    // The NSA sees the two granted to it.
    let mut nsa = ids(&c.nsa.get(&app.api("/access-grants")).await.expect(200));
    nsa.sort();
    assert_eq!(nsa, sorted(vec![a.clone(), b.clone()]));
    // Pagination.
    let p1 = c
        .dev
        .get(&app.api("/access-grants?limit=2"))
        .await
        .expect(200);
    assert_eq!(items(&p1).len(), 2);
    let cur = p1.body["next_cursor"].as_str().expect("cursor").to_string();
    let p2 = c
        .dev
        .get(&app.api(&format!("/access-grants?limit=2&cursor={cur}")))
        .await
        .expect(200);
    let mut all = ids(&p1);
    all.extend(ids(&p2));
    assert_eq!(sorted(all), sorted(vec![a, b, e]));
}

async fn grant_bad_input_changes_nothing(app: TestApp) {
    let c = cast(&app).await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let other_terms = publish_terms(&app, &other, "Beta terms").await;
    let before = app.audit_count().await;
    let r = post_raw(&c.dev, &app.api("/access-grants"), "{\"model_id\": \"abc").await;
    assert_eq!(r.status, 400);
    let good = grant_body(
        &c.model,
        &[&c.nsa.org_id],
        &c.template,
        t0() + days(1),
        t0() + days(2),
    );
    let with = |k: &str, v: serde_json::Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let cases = vec![
        (without("model_id"), "model_id"),
        (without("grantee_org_ids"), "grantee_org_ids"),
        (without("access_mode"), "access_mode"),
        (without("access_instructions"), "access_instructions"),
        (without("starts_at"), "starts_at"),
        (without("ends_at"), "ends_at"),
        (without("terms_version_id"), "terms_version_id"),
        (
            with("access_instructions", json!("  ")),
            "access_instructions",
        ),
        (
            with("terms_version_id", json!(uuid::Uuid::new_v4().to_string())),
            "terms_version_id",
        ),
        (
            with("terms_version_id", other_terms["id"].clone()),
            "terms_version_id",
        ),
    ];
    for (body, field) in cases {
        let r = c.dev.post(&app.api("/access-grants"), body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(
            r.fields().iter().any(|f| f.starts_with(field)),
            "{body}: expected {field} in {}",
            r.text
        );
    }
    assert_eq!(app.audit_count().await, before);
    assert!(items(&c.dev.get(&app.api("/access-grants")).await.expect(200)).is_empty());
    assert_eq!(
        app.mail_count("admin@nsa.example"),
        1,
        "only the invitation"
    );
}

async fn window_reminders_are_sent_once(app: TestApp) {
    let c = cast(&app).await;
    let count = |to, subject| app.count_mail(to, subject);
    let s = t0() + days(1);
    let e = t0() + days(5);
    let g = offer(&app, &c.dev, &c.model, &[&c.nsa], &c.template, s, e).await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    // A CISA window that the developer ends before it starts: no reminders for it.
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let g2 = offer(&app, &c.dev, &m2, &[&c.cisa], &c.template, s, e).await;
    let g2 = g2["id"].as_str().unwrap().to_string();
    accept_all(&app, &g2, &[&c.dev, &c.cisa]).await;
    c.dev.post_empty(&ag(&app, &g2, "end")).await.expect(200);
    app.run_jobs().await;
    assert_eq!(
        count("admin@nsa.example", "An access window has started"),
        0,
        "not before starts_at"
    );
    app.advance(days(1) + Duration::minutes(1));
    app.wait_mail("admin@nsa.example", "An access window has started")
        .await;
    app.run_jobs().await;
    app.advance(Duration::hours(1));
    app.run_jobs().await;
    assert_eq!(
        count("admin@nsa.example", "An access window has started"),
        1,
        "sent once"
    );
    assert_eq!(
        count("admin@nsa.example", "ends in 3 days"),
        0,
        "not yet 3 days before the end"
    );
    // ends_at - 3 days = t0 + 2 days.
    app.advance(days(1) - Duration::hours(1));
    app.wait_mail("admin@nsa.example", "ends in 3 days").await;
    app.run_jobs().await;
    app.advance(Duration::hours(6));
    app.run_jobs().await;
    assert_eq!(count("admin@nsa.example", "ends in 3 days"), 1, "sent once");
    assert_eq!(
        count("admin@nsa.example", "An access window has started"),
        1
    );
    assert_eq!(
        count("admin@cisa.example", "An access window has started"),
        0,
        "ended window"
    );
    assert_eq!(
        count("admin@cisa.example", "ends in 3 days"),
        0,
        "ended window"
    );
}

/// Wrong JSON types, unknown enum values and unparseable times are 422s whose `errors[].field`
/// names the offending field (not just "body"), and change nothing.
async fn wrong_types_and_unknown_values_name_their_field(app: TestApp) {
    let c = cast(&app).await;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let good = grant_body(
        &c.model,
        &[&c.nsa.org_id],
        &c.template,
        t0() + Duration::hours(1),
        t0() + days(2),
    );
    let g = c
        .dev
        .post(&app.api("/access-grants"), good.clone())
        .await
        .expect(201)
        .body;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &a1.id).await;
    a1.post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    app.advance(Duration::hours(3));
    let snapshot = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
    let before = app.audit_count().await;
    let with = |k: &str, v: serde_json::Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let mut cases: Vec<(&User, reqwest::Method, String, serde_json::Value, &str)> = vec![
        (
            &c.dev,
            reqwest::Method::POST,
            app.api("/access-grants"),
            with("access_mode", json!("ftp")),
            "access_mode",
        ),
        (
            &c.dev,
            reqwest::Method::POST,
            app.api("/access-grants"),
            with("starts_at", json!("tomorrow")),
            "starts_at",
        ),
        (
            &c.dev,
            reqwest::Method::POST,
            app.api("/access-grants"),
            with("ends_at", json!(12345)),
            "ends_at",
        ),
        (
            &c.dev,
            reqwest::Method::POST,
            app.api("/access-grants"),
            with("grantee_org_ids", json!(c.nsa.org_id)),
            "grantee_org_ids",
        ),
        (
            &c.dev,
            reqwest::Method::POST,
            app.api("/access-grants"),
            with("model_id", json!(7)),
            "model_id",
        ),
        (
            &c.dev,
            reqwest::Method::PATCH,
            ag(&app, &id, ""),
            json!({"ends_at": "later"}),
            "ends_at",
        ),
        (
            &c.nsa,
            reqwest::Method::POST,
            ag(&app, &id, "roster"),
            json!({"user_id": 5}),
            "user_id",
        ),
    ];
    let log = |k: &str, v: serde_json::Value| {
        let mut b = log_body(t0() + Duration::hours(2));
        b[k] = v;
        b
    };
    let mut wrong: Vec<String> = Vec::new();
    for (k, v) in [
        ("duration_minutes", json!("ninety")),
        ("duration_minutes", json!(1.5)),
        ("kind", json!("sightseeing")),
        ("occurred_at", json!("yesterday")),
        ("summary", json!(false)),
    ] {
        cases.push((
            &a1,
            reqwest::Method::POST,
            ag(&app, &id, "access-log"),
            log(k, v),
            k,
        ));
    }
    for (who, method, url, body, field) in cases {
        let r = who.call(method.clone(), &url, Some(body.clone())).await;
        if r.status != 422
            || r.code() != "validation_failed"
            || !r.fields().iter().any(|f| f.starts_with(field))
        {
            wrong.push(format!(
                "{method} {url} {body}: expected 422 validation_failed naming {field}, got {} {:?} {}",
                r.status,
                r.fields(),
                r.text
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} case(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        c.dev.get(&ag(&app, &id, "")).await.expect(200).body,
        snapshot
    );
    assert!(items(&c.dev.get(&ag(&app, &id, "access-log")).await.expect(200)).is_empty());
}
