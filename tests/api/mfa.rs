//! Second factors (DESIGN §7), each rule broken on both backends: a code works once (also two
//! at once), wrong codes lock the address out (also in parallel), a user who must enrol is held,
//! step-up expires and is asked on each listed action, a recovery code works once, tokens carry
//! step-up only when made right after a factor, and the developer's off switch never asks.

use chrono::Duration;
use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    sign_in_asks_for_the_code_and_a_code_works_once,
    the_same_code_twice_at_once_signs_in_once,
    wrong_codes_count_toward_the_lockout_also_in_parallel,
    a_user_who_must_enrol_is_held_until_they_do,
    an_org_admin_requires_a_factor_for_the_organization,
    step_up_expires_after_fifteen_minutes_and_a_code_renews_it,
    a_recovery_code_works_once,
    every_listed_action_asks_for_step_up,
    the_off_switch_never_asks_for_step_up,
    removing_the_factor_needs_step_up_and_holds_a_required_user,
    the_seed_is_sealed_at_rest_and_an_old_plain_seed_is_sealed_at_start,
);

/// The authenticator app's seed is never stored as it is: the row holds an AES-GCM sealed value
/// bound to its user; a seed stored before sealing existed keeps working and is sealed when an
/// instance starts; a sealed value moved onto another user's row opens for no one.
async fn the_seed_is_sealed_at_rest_and_an_old_plain_seed_is_sealed_at_start(app: TestApp) {
    use diesel::prelude::*;
    use frontier_portal::db::schema::{totp_factors, users};
    let op = new_operator(&app).await;
    let email = fresh_agency(&app, &op, "NSA").await;
    let (c, r) = password_step(&app, &email).await;
    r.expect(200);
    let start = c.post_empty(&app.api("/auth/mfa/totp")).await.expect(201);
    let seed = start.body["secret"].as_str().unwrap().to_string();
    app.remember_totp(&email, &seed);
    let code = app.totp_code(&email);
    c.post(&app.api("/auth/mfa/totp/confirm"), json!({"code": code}))
        .await
        .expect(200);
    let e = email.clone();
    let stored = move |conn: &mut frontier_portal::db::DbConn| -> (String, String) {
        totp_factors::table
            .inner_join(users::table)
            .filter(users::email.eq(&e))
            .select((totp_factors::user_id, totp_factors::secret))
            .first(conn)
            .unwrap()
    };
    let (uid, sealed) = app.db(stored.clone()).await;
    assert!(sealed.starts_with("v1:"), "stored as {sealed}");
    assert!(!sealed.contains(&seed), "the seed is readable in the row");

    // A row written before sealing: plain. Signing in still works, and a new instance seals it.
    let (u, s) = (uid.clone(), seed.clone());
    app.db(move |conn| {
        diesel::update(totp_factors::table.find(&u))
            .set(totp_factors::secret.eq(&s))
            .execute(conn)
            .unwrap()
    })
    .await;
    let (c2, r) = password_step(&app, &email).await;
    r.expect(200);
    c2.post(
        &app.api("/auth/login/mfa"),
        json!({"code": app.totp_code(&email)}),
    )
    .await
    .expect(200);
    app.second_instance().await;
    let (_, resealed) = app.db(stored).await;
    assert!(resealed.starts_with("v1:") && !resealed.contains(&seed));
    let (c3, r) = password_step(&app, &email).await;
    r.expect(200);
    c3.post(
        &app.api("/auth/login/mfa"),
        json!({"code": app.totp_code(&email)}),
    )
    .await
    .expect(200);

    // The sealed value copied onto another user's row does not open there: that user's codes
    // (computed from the copied seed) are refused.
    let other = fresh_agency(&app, &op, "CISA").await;
    let (c4, r) = password_step(&app, &other).await;
    r.expect(200);
    app.enrol_totp(&c4, &other).await;
    let (from, to) = (resealed.clone(), other.clone());
    app.db(move |conn| {
        let other_id: String = users::table
            .filter(users::email.eq(&to))
            .select(users::id)
            .first(conn)
            .unwrap();
        diesel::update(totp_factors::table.find(&other_id))
            .set((
                totp_factors::secret.eq(&from),
                totp_factors::last_step.eq(None::<i64>),
            ))
            .execute(conn)
            .unwrap()
    })
    .await;
    app.remember_totp(&other, &seed);
    let (c5, r) = password_step(&app, &other).await;
    r.expect(200);
    c5.post(
        &app.api("/auth/login/mfa"),
        json!({"code": app.totp_code(&other)}),
    )
    .await
    .problem(401, "invalid_code");
}

/// An agency whose first admin accepted the invitation but has not signed in yet.
async fn fresh_agency(app: &TestApp, op: &User, code: &str) -> String {
    let email = format!("admin@{}.example", code.to_lowercase());
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "agency", "name": format!("{code} office"), "agency_code": code, "admin_email": email}),
    )
    .await
    .expect(201);
    let mail = app.wait_mail(&email, "invited").await;
    app.accept_invitation(&mail.token().unwrap(), "First Admin")
        .await;
    email
}

async fn password_step(app: &TestApp, email: &str) -> (Client, Resp) {
    let c = app.client();
    let r = c
        .post(
            &app.api("/auth/login"),
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    (c, r)
}

async fn audit_actions(app: &TestApp, who: &User, target: &str) -> Vec<String> {
    let r = who
        .get(&app.api(&format!("/audit-events?target_id={target}&limit=200")))
        .await
        .expect(200);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn sign_in_asks_for_the_code_and_a_code_works_once(app: TestApp) {
    let op = new_operator(&app).await;
    let email = fresh_agency(&app, &op, "NSA").await;
    // First sign-in: held, enrols (the harness), gets ten recovery codes.
    let (c, r) = password_step(&app, &email).await;
    r.expect(200);
    let codes = app.enrol_totp(&c, &email).await;
    assert_eq!(codes.len(), 10);
    // The secret is never shown again: a second enrolment is refused.
    c.post_empty(&app.api("/auth/mfa/totp"))
        .await
        .problem(409, "mfa_state");
    let m = c.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(
        m.body,
        json!({"enrolled": true, "totp": true, "passkeys": [], "required": true, "recovery_codes_left": 10, "stepped_up": true})
    );

    // Next sign-in: the password answers the challenge, no session yet.
    let (c2, r) = password_step(&app, &email).await;
    assert_eq!(
        r.expect(200).body,
        json!({"mfa_required": true, "methods": ["totp", "recovery_code"]})
    );
    c2.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    let code = app.totp_code(&email);
    let r = c2
        .post(&app.api("/auth/login/mfa"), json!({"code": code}))
        .await
        .expect(200);
    assert_eq!(r.body["user"]["email"], email);
    c2.get(&app.api("/models")).await.expect(200);

    // The same code again (a replay within its 30 s) is refused.
    let (c3, r) = password_step(&app, &email).await;
    r.expect(200);
    c3.post(&app.api("/auth/login/mfa"), json!({"code": code}))
        .await
        .problem(401, "invalid_code");
    c3.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // Without the pending cookie there is nothing to complete.
    app.anon
        .post(
            &app.api("/auth/login/mfa"),
            json!({"code": app.totp_code(&email)}),
        )
        .await
        .problem(401, "invalid_code");
    // The pending cookie lives five minutes.
    let (c4, r) = password_step(&app, &email).await;
    r.expect(200);
    app.advance(Duration::minutes(6));
    c4.post(
        &app.api("/auth/login/mfa"),
        json!({"code": app.totp_code(&email)}),
    )
    .await
    .problem(401, "invalid_code");
    // The secret is in no audit detail.
    let uid = r_user_id(&c2, &app).await;
    let events = c2
        .get(&app.api(&format!("/audit-events?target_id={uid}&limit=200")))
        .await
        .expect(200);
    assert!(events.text.contains("mfa.totp_enrolled"));
    let secret = app.totp.lock().unwrap()[&email].0.clone();
    assert!(!events.text.contains(&secret));
}

async fn r_user_id(c: &Client, app: &TestApp) -> String {
    c.get(&app.api("/auth/me")).await.expect(200).body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn the_same_code_twice_at_once_signs_in_once(app: TestApp) {
    let op = new_operator(&app).await;
    let email = fresh_agency(&app, &op, "CISA").await;
    let (c, _) = password_step(&app, &email).await;
    app.enrol_totp(&c, &email).await;
    // Two instances on one database, like two servers behind a load balancer.
    let other = app.second_instance().await;
    let (a, _) = password_step(&app, &email).await;
    let b = Client::new(&other, true);
    b.post(
        &app.api("/auth/login"),
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(200);
    let code = app.totp_code(&email);
    let body = json!({"code": code});
    let url = app.api("/auth/login/mfa");
    let (ra, rb) = tokio::join!(a.post(&url, body.clone()), b.post(&url, body.clone()));
    let mut statuses = vec![ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 401], "{} / {}", ra.text, rb.text);
    let loser = if ra.status == 401 { ra } else { rb };
    assert_eq!(loser.code(), "invalid_code");
}

async fn wrong_codes_count_toward_the_lockout_also_in_parallel(app: TestApp) {
    let op = new_operator(&app).await;
    let email = fresh_agency(&app, &op, "DOW").await;
    let (c, _) = password_step(&app, &email).await;
    app.enrol_totp(&c, &email).await;
    let (p, r) = password_step(&app, &email).await;
    r.expect(200);
    // Twelve wrong codes at once: all are counted, so the address is locked out after them
    // however they interleave.
    let wrong = |i: u32| json!({"code": format!("{:06}", (i * 7919) % 1_000_000)});
    let url = app.api("/auth/login/mfa");
    let futs: Vec<_> = (0..12).map(|i| p.post(&url, wrong(i))).collect();
    let answers = futures_util::future::join_all(futs).await;
    for a in &answers {
        assert!(
            a.status == 401 || a.status == 429,
            "{} {}",
            a.status,
            a.text
        );
    }
    assert!(answers.iter().any(|a| a.status == 429));
    // Even the right code is refused now: the lockout holds for codes as for passwords.
    let r = p
        .post(
            &app.api("/auth/login/mfa"),
            json!({"code": app.totp_code(&email)}),
        )
        .await
        .problem(429, "throttled");
    assert!(r.headers.get("retry-after").is_some());
    // And the right password does not reset the count of code guesses.
    password_step(&app, &email)
        .await
        .1
        .problem(429, "throttled");
}

async fn a_user_who_must_enrol_is_held_until_they_do(app: TestApp) {
    let op = new_operator(&app).await;
    let email = fresh_agency(&app, &op, "NCD").await;
    let (c, r) = password_step(&app, &email).await;
    r.expect(200);
    // Signed in, but only to the enrolment routes, me and logout.
    c.get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
    c.get(&app.api("/designation-requests"))
        .await
        .problem(403, "mfa_enrollment_required");
    c.post(
        &app.api("/auth/api-tokens"),
        json!({"name": "sneak", "expires_in_days": 1}),
    )
    .await
    .problem(403, "mfa_enrollment_required");
    c.get(&app.api("/auth/me")).await.expect(200);
    let m = c.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["required"], true);
    assert_eq!(m.body["enrolled"], false);
    // A wrong first code does not enrol.
    c.post_empty(&app.api("/auth/mfa/totp")).await.expect(201);
    c.post(
        &app.api("/auth/mfa/totp/confirm"),
        json!({"code": "000000"}),
    )
    .await
    .problem(422, "validation_failed");
    c.get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
    app.enrol_totp(&c, &email).await;
    c.get(&app.api("/models")).await.expect(200);
}

async fn an_org_admin_requires_a_factor_for_the_organization(app: TestApp) {
    let dev = app
        .signup_developer("Aurora AI Labs", "dana@aurora.example")
        .await;
    let member = app.member(&dev, "sam@aurora.example", "member").await;
    let me = dev.get(&app.api("/organizations/me")).await.expect(200);
    assert_eq!(
        me.body["mfa_policy"],
        json!({"required_by_organization": false, "required_by_kind": false})
    );
    // Only an admin sets it.
    member
        .patch(&app.api("/organizations/me"), json!({"mfa_required": true}))
        .await
        .problem(403, "forbidden");
    let r = dev
        .patch(&app.api("/organizations/me"), json!({"mfa_required": true}))
        .await
        .expect(200);
    assert_eq!(r.body["mfa_policy"]["required_by_organization"], true);
    // Both are held now, the admin included, until each enrols.
    member
        .get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
    dev.get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
    app.enrol_totp(&dev.client, &dev.email).await;
    dev.get(&app.api("/models")).await.expect(200);
    member
        .get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
    // Audited once; a repeat changes nothing.
    dev.patch(&app.api("/organizations/me"), json!({"mfa_required": true}))
        .await
        .expect(200);
    let actions = audit_actions(&app, &dev, &dev.org_id).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "organization.mfa_policy_changed")
            .count(),
        1,
        "{actions:?}"
    );
}

async fn step_up_expires_after_fifteen_minutes_and_a_code_renews_it(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    assign_self(&app, &c.nsa, &id).await;
    // A browser session of the NSA reviewer (signed in with the code: stepped up).
    let nsa = app.login("admin@nsa.example", PASSWORD).await;
    let body = json!({"outcome": "covered", "rationale": "Meets the benchmark thresholds.", "benchmark_ref": "BM-1"});
    let url = app.api(&format!("/designation-requests/{id}/determination"));
    // Keep the session alive (idle < 15 min) while the step-up ages past 15 minutes.
    app.advance(Duration::minutes(10));
    nsa.get(&app.api("/auth/me")).await.expect(200);
    app.advance(Duration::minutes(5) + Duration::seconds(1));
    let before = app.audit_count().await;
    nsa.post(&url, body.clone())
        .await
        .problem(401, "step_up_required");
    assert_eq!(app.audit_count().await, before, "nothing changed");
    nsa.post(&app.api("/auth/step-up"), json!({"code": "123456x"}))
        .await
        .problem(401, "invalid_code");
    let r = nsa
        .post(
            &app.api("/auth/step-up"),
            json!({"code": app.totp_code("admin@nsa.example")}),
        )
        .await
        .expect(200);
    assert!(r.body["stepped_up_until"].is_string());
    nsa.post(&url, body).await.expect(200);
    let uid = nsa.id.clone();
    let actions = audit_actions(&app, &nsa, &uid).await;
    assert!(actions.contains(&"mfa.step_up".to_string()), "{actions:?}");
}

async fn a_recovery_code_works_once(app: TestApp) {
    let op = new_operator(&app).await;
    let email = fresh_agency(&app, &op, "OSTP").await;
    let (c, _) = password_step(&app, &email).await;
    let codes = app.enrol_totp(&c, &email).await;
    let (a, _) = password_step(&app, &email).await;
    // Typed in lower case with spaces: still the code.
    let typed = codes[3].to_lowercase().replace('-', " ");
    a.post(&app.api("/auth/login/mfa"), json!({"recovery_code": typed}))
        .await
        .expect(200);
    let m = a.get(&app.api("/auth/mfa")).await.expect(200);
    assert_eq!(m.body["recovery_codes_left"], 9);
    let (b, _) = password_step(&app, &email).await;
    b.post(
        &app.api("/auth/login/mfa"),
        json!({"recovery_code": codes[3]}),
    )
    .await
    .problem(401, "invalid_code");
    // Both kinds at once is not a request.
    b.post(
        &app.api("/auth/login/mfa"),
        json!({"recovery_code": codes[4], "code": "123456"}),
    )
    .await
    .problem(422, "validation_failed");
    let uid = r_user_id(&a, &app).await;
    let user = User {
        id: uid.clone(),
        email: email.clone(),
        org_id: String::new(),
        client: a.clone(),
    };
    let actions = audit_actions(&app, &user, &uid).await;
    assert_eq!(
        actions
            .iter()
            .filter(|x| *x == "mfa.recovery_code_used")
            .count(),
        1
    );
    let events = a
        .get(&app.api(&format!("/audit-events?target_id={uid}&limit=200")))
        .await;
    for code in &codes {
        assert!(!events.text.contains(code.as_str()));
    }
}

/// A token made before its user enrolled never passes step-up, on any listed action, while
/// the token the harness made right after the factor does (shown by the flows tests).
async fn every_listed_action_asks_for_step_up(app: TestApp) {
    // A record for every listed action, each with a caller who may take it.
    let c = cast(&app).await;
    let req = submitted_request(&app, &c.dev, &c.model).await;
    assign_self(&app, &c.nsa, &req).await;
    let grant = offer_to_nsa(&app, &c).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let other = partner_org(&app, &c.op, "Prairie Community Bank").await;
    let selected = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &partner.org_id).await;
    let pgrant = issue_partner_grant(
        &app,
        &c.dev,
        &selected,
        &c.template,
        t0() + days(1),
        t0() + days(5),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pending = nominate(&app, &c.dev, &c.model, &other.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Browser sessions with a factor, whose last factor use is 16 minutes old (kept alive).
    let nsa = app.login(&c.nsa.email, PASSWORD).await;
    let cisa = app.login(&c.cisa.email, PASSWORD).await;
    let part = app.login(&partner.email, PASSWORD).await;
    app.enrol_totp(&part.client, &part.email).await;
    app.advance(Duration::minutes(14));
    for u in [&nsa, &cisa, &part] {
        u.get(&app.api("/auth/me")).await.expect(200);
    }
    app.advance(Duration::minutes(2));
    let as_nsa: Vec<(&str, String, Option<Value>)> = vec![
        (
            "determination",
            format!("/designation-requests/{req}/determination"),
            Some(json!({"outcome": "covered", "rationale": "x", "benchmark_ref": "y"})),
        ),
        (
            "accept Government terms",
            format!("/access-grants/{grant}/accept-terms"),
            None,
        ),
        (
            "Government roster",
            format!("/access-grants/{grant}/roster"),
            Some(json!({"user_id": nsa.id})),
        ),
        ("concur", format!("/nominations/{pending}/concur"), None),
        (
            "API token",
            "/auth/api-tokens".to_string(),
            Some(json!({"name": "t"})),
        ),
    ];
    let as_partner: Vec<(&str, String, Option<Value>)> = vec![
        (
            "accept partner terms",
            format!("/partner-grants/{pgrant}/accept-terms"),
            None,
        ),
        (
            "partner roster",
            format!("/partner-grants/{pgrant}/roster"),
            Some(json!({"user_id": part.id})),
        ),
    ];
    let post = reqwest::Method::POST;
    for (who, list) in [(&nsa, &as_nsa), (&part, &as_partner)] {
        for (what, p, b) in list {
            let r = who.call(post.clone(), &app.api(p), b.clone()).await;
            assert_eq!(
                (r.status.as_u16(), r.code()),
                (401, "step_up_required"),
                "{what}: {}",
                r.text
            );
        }
    }
    // A caller who may not take the action is told so, not asked for a factor first: CISA
    // does not determine (403); the partner is no party to the Government grant (404).
    cisa.post(
        &app.api(&format!("/designation-requests/{req}/determination")),
        json!({"outcome": "covered", "rationale": "x", "benchmark_ref": "y"}),
    )
    .await
    .problem(403, "forbidden");
    part.post_empty(&app.api(&format!("/access-grants/{grant}/accept-terms")))
        .await
        .problem(404, "not_found");
    // Nothing was decided: after a step-up the same calls succeed.
    nsa.post(
        &app.api("/auth/step-up"),
        json!({"code": app.totp_code(&nsa.email)}),
    )
    .await
    .expect(200);
    for (what, p, b) in &as_nsa {
        let r = nsa.call(post.clone(), &app.api(p), b.clone()).await;
        assert!(r.status.is_success(), "{what} after step-up: {}", r.text);
    }

    // A developer may enrol freely, and the token made before shows the rule.
    let dev = app
        .signup_developer("Borealis Labs", "bo@borealis.example")
        .await;
    let old = keep(&app, dev.clone()).await;
    app.enrol_totp(&dev.client, &dev.email).await;
    old.post(&app.api("/auth/api-tokens"), json!({"name": "t"}))
        .await
        .problem(401, "step_up_required");
    // The session that just enrolled passes; after 15 minutes (kept alive) it does not.
    dev.post(&app.api("/auth/api-tokens"), json!({"name": "fresh"}))
        .await
        .expect(201);
    app.advance(Duration::minutes(14));
    dev.get(&app.api("/auth/me")).await.expect(200);
    app.advance(Duration::minutes(2));
    dev.post(&app.api("/auth/api-tokens"), json!({"name": "late"}))
        .await
        .problem(401, "step_up_required");
    dev.delete(&app.api("/auth/mfa/totp"))
        .await
        .problem(401, "step_up_required");
    // A token made on a stepped-up session carries it, even after the session's 15 minutes.
    dev.post(
        &app.api("/auth/step-up"),
        json!({"code": app.totp_code(&dev.email)}),
    )
    .await
    .expect(200);
    let fresh = keep(&app, dev.clone()).await;
    app.advance(Duration::minutes(30));
    fresh
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "from a token"}),
        )
        .await
        .expect(201);
    // Second factors are managed only in a browser session.
    fresh
        .delete(&app.api("/auth/mfa/totp"))
        .await
        .problem(403, "forbidden");
}

/// DESIGN §2.7 with §7: a developer with a factor, through a credential that never passed a
/// step-up, still ends, shortens, withdraws, releases, rescinds, revokes and removes at once.
async fn the_off_switch_never_asks_for_step_up(app: TestApp) {
    let c = cast(&app).await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    // The developer's plain token: made before it enrolled, so it never passes step-up.
    let dev_session = app.login("dana@aurora.example", PASSWORD).await;
    let plain = keep(&app, dev_session.clone()).await;
    app.enrol_totp(&dev_session.client, "dana@aurora.example")
        .await;
    let dev = keep(&app, dev_session).await; // stepped up, for the set-up only
    let g = offer_to_nsa(&app, &c).await;
    let gid = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &gid, &[&dev, &c.nsa]).await;
    roster_add(
        &c.nsa,
        &app.api(&format!("/access-grants/{gid}")),
        &analyst.id,
    )
    .await
    .expect(201);
    let req = submitted_request(&app, &dev, &c.model).await;
    let nid = selected_nomination(&app, &dev, &c.nsa, &c.model, &partner.org_id).await;
    let tid = c.template.clone();
    let pg = issue_partner_grant(
        &app,
        &dev,
        &nid,
        &tid,
        app.now() + days(1),
        app.now() + days(3),
    )
    .await;
    let pgid = pg["id"].as_str().unwrap().to_string();
    app.advance(Duration::minutes(20));
    plain
        .post(&app.api("/auth/api-tokens"), json!({"name": "x"}))
        .await
        .problem(401, "step_up_required");
    let ends = rfc(from(&g["ends_at"]) - Duration::hours(1));
    plain
        .patch(
            &app.api(&format!("/access-grants/{gid}")),
            json!({"ends_at": ends}),
        )
        .await
        .expect(200);
    plain
        .delete(&app.api(&format!("/access-grants/{gid}/roster/{}", analyst.id)))
        .await
        .expect(200);
    plain
        .post_empty(&app.api(&format!("/access-grants/{gid}/end")))
        .await
        .expect(200);
    plain
        .post_empty(&app.api(&format!("/designation-requests/{req}/withdraw")))
        .await
        .expect(200);
    plain
        .post_empty(&app.api(&format!("/partner-grants/{pgid}/revoke")))
        .await
        .expect(200);
    plain
        .post_empty(&app.api(&format!("/nominations/{nid}/rescind")))
        .await
        .expect(200);
    plain
        .post_empty(&app.api(&format!("/models/{}/release", c.model)))
        .await
        .expect(200);
}

fn from(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
}

async fn removing_the_factor_needs_step_up_and_holds_a_required_user(app: TestApp) {
    let op = new_operator(&app).await;
    let email = fresh_agency(&app, &op, "NIST").await;
    let (c, _) = password_step(&app, &email).await;
    app.enrol_totp(&c, &email).await;
    c.delete(&app.api("/auth/mfa/totp")).await.expect(204);
    // Required for an agency: held again at once.
    c.get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
    // The next sign-in asks for no code (none is set up) and holds.
    let (c2, r) = password_step(&app, &email).await;
    assert!(r.expect(200).body["user"].is_object());
    c2.get(&app.api("/models"))
        .await
        .problem(403, "mfa_enrollment_required");
}
