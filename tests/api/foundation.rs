//! Accounts, sessions, security baseline, mail, audit and operations (the foundation issue).

use chrono::Duration;
use diesel::prelude::*;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::dual_tests;
use crate::helpers::*;

dual_tests!(
    signup_verify_and_sign_in,
    signup_refuses_bad_input_and_changes_nothing,
    signup_with_taken_email_reveals_nothing,
    malformed_bodies_get_problems,
    unknown_and_wrong_accounts_answer_alike,
    failed_logins_lock_the_address,
    logout_revokes_the_session_at_once,
    forged_and_misused_tokens_are_refused,
    idle_and_absolute_session_timeouts,
    cookie_writes_need_the_csrf_header,
    api_tokens_work_and_revoke,
    password_reset_by_email,
    invitations_by_org_admins,
    operators_create_orgs_and_disable_users,
    audit_chain_verifies_and_finds_tampering,
    audit_events_export_per_org,
    audit_export_streams_every_page_oldest_first,
    operations_endpoints_and_headers,
    openapi_and_docs_are_served,
    outbox_retries_with_backoff,
    concurrent_workers_send_each_message_once,
    per_ip_limit_on_auth,
    https_public_url_hardens_cookie_and_transport,
    session_last_seen_is_written_at_most_once_a_minute,
    me_lists_what_the_role_may_do_and_the_server_agrees,
);

/// `GET /auth/me`'s `capabilities` are the server's policy (the web UI hides the forms a role
/// may not use by them): each role gets exactly its acts, and an act left out is refused.
async fn me_lists_what_the_role_may_do_and_the_server_agrees(app: TestApp) {
    let caps = |v: &serde_json::Value| -> Vec<String> {
        v["capabilities"]
            .as_array()
            .expect("capabilities is a list")
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect()
    };
    let dev = app.signup_developer("Caps AI", "admin@caps.example").await;
    let member = app.member(&dev, "member@caps.example", "member").await;
    let op = app.operator().await;
    let nsa = app.agency(&op, "NSA").await;
    let cisa = app.agency(&op, "CISA").await;
    let partner = app.partner(&op, "Caps Clinic").await;

    let admin_caps = caps(&dev.get(&app.api("/auth/me")).await.expect(200).body);
    for c in [
        "offer_grant",
        "issue_partner_grant",
        "publish_terms",
        "register_model",
        "end_grant",
    ] {
        assert!(
            admin_caps.contains(&c.to_string()),
            "developer admin lacks {c}: {admin_caps:?}"
        );
    }
    assert!(!admin_caps.contains(&"determine".to_string()));
    let member_caps = caps(&member.get(&app.api("/auth/me")).await.expect(200).body);
    assert!(member_caps.contains(&"register_model".to_string()));
    assert!(
        member_caps.contains(&"revoke_partner_grant".to_string()),
        "the off switch is every member's"
    );
    for c in [
        "offer_grant",
        "issue_partner_grant",
        "publish_terms",
        "invite_colleagues",
    ] {
        assert!(
            !member_caps.contains(&c.to_string()),
            "developer member has {c}"
        );
    }
    // Left out means refused: a member inviting a colleague is told it is not theirs to do.
    member
        .post(
            &app.api("/organizations/me/invitations"),
            json!({"email": "another@caps.example", "org_role": "member"}),
        )
        .await
        .problem(403, "forbidden");
    let nsa_caps = caps(&nsa.get(&app.api("/auth/me")).await.expect(200).body);
    assert!(nsa_caps.contains(&"determine".to_string()));
    assert!(!nsa_caps.contains(&"register_model".to_string()));
    let cisa_caps = caps(&cisa.get(&app.api("/auth/me")).await.expect(200).body);
    assert!(cisa_caps.contains(&"consult".to_string()));
    assert!(
        !cisa_caps.contains(&"determine".to_string()),
        "only NSA determines"
    );
    let mut partner_caps = caps(&partner.get(&app.api("/auth/me")).await.expect(200).body);
    partner_caps.sort();
    assert_eq!(
        partner_caps,
        [
            "accept_terms_as_grantee",
            "invite_colleagues",
            "manage_roster_as_grantee"
        ]
    );
    let op_caps = caps(&op.get(&app.api("/auth/me")).await.expect(200).body);
    assert!(op_caps.contains(&"manage_organizations".to_string()));
    assert!(!op_caps.contains(&"offer_grant".to_string()));
}

async fn signup_verify_and_sign_in(app: TestApp) {
    let r = app
        .anon
        .post(&app.api("/auth/signup"), json!({"organization_name": "Aurora AI Labs", "name": "Dana Reyes", "email": "Dana@Aurora.example", "password": PASSWORD}))
        .await
        .expect(201);
    assert_eq!(r.body["user"]["email"], "dana@aurora.example");
    assert_eq!(r.body["user"]["org_role"], "admin");
    assert!(r.body["user"].get("password_hash").is_none());
    // Not verified yet: the right password still cannot sign in.
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "dana@aurora.example", "password": PASSWORD}),
        )
        .await
        .problem(403, "email_not_verified");
    let mail = app
        .wait_mail("dana@aurora.example", "Confirm your email")
        .await;
    let link = mail.link().unwrap();
    assert!(
        link.starts_with(&format!(
            "{}/verify-email?token=",
            app.state.settings.server.public_url
        )),
        "{link}"
    );
    assert!(!mail.raw.contains(PASSWORD));
    app.anon
        .post(
            &app.api("/auth/verify-email"),
            json!({"token": mail.token().unwrap(), "password": PASSWORD}),
        )
        .await
        .expect(200);
    // Single use.
    let again = app
        .anon
        .post(
            &app.api("/auth/verify-email"),
            json!({"token": mail.token().unwrap(), "password": PASSWORD}),
        )
        .await
        .problem(422, "invalid_token");
    assert_eq!(again.fields(), vec!["token"]);
    let login = app
        .anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "dana@aurora.example", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let cookie = login
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("portal_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    let user = app.login("dana@aurora.example", PASSWORD).await;
    let me = user.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["user"]["name"], "Dana Reyes");
    assert_eq!(me.body["organization"]["kind"], "developer");
    assert_eq!(me.body["organization"]["name"], "Aurora AI Labs");
    app.anon
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
}

async fn signup_refuses_bad_input_and_changes_nothing(app: TestApp) {
    let before = app.audit_count().await;
    let cases = [
        (
            json!({"organization_name": "", "name": "A", "email": "a@b.example", "password": PASSWORD}),
            "organization_name",
        ),
        (
            json!({"organization_name": "Org", "name": " ", "email": "a@b.example", "password": PASSWORD}),
            "name",
        ),
        (
            json!({"organization_name": "Org", "name": "A", "email": "not-an-email", "password": PASSWORD}),
            "email",
        ),
        (
            json!({"organization_name": "Org", "name": "A", "email": "a@b.example", "password": "short"}),
            "password",
        ),
        (
            json!({"organization_name": "Org", "name": "A", "email": "a@b.example", "password": "x".repeat(129)}),
            "password",
        ),
        (
            json!({"organization_name": "Org", "name": "A", "email": "a@b.example", "password": "passwordpassword1"}),
            "password",
        ),
        (
            json!({"organization_name": "Org", "name": "A", "email": "someone@b.example", "password": "someone@b.example-rocks"}),
            "password",
        ),
        (
            json!({"organization_name": "Skyline Robotics", "name": "A", "email": "a@b.example", "password": "we love skyline robotics"}),
            "password",
        ),
        (
            json!({"name": "A", "email": "a@b.example", "password": PASSWORD}),
            "organization_name",
        ),
    ];
    for (body, field) in cases {
        let r = app
            .anon
            .post(&app.api("/auth/signup"), body)
            .await
            .problem(422, "validation_failed");
        assert!(
            r.fields().contains(&field.to_string()),
            "expected {field} in {}",
            r.text
        );
    }
    assert_eq!(app.audit_count().await, before);
    assert_eq!(app.mail_count("a@b.example"), 0);
}

async fn signup_with_taken_email_reveals_nothing(app: TestApp) {
    let _dev = app
        .signup_developer("First Labs", "taken@first.example")
        .await;
    let before = app.audit_count().await;
    let r = app
        .anon
        .post(&app.api("/auth/signup"), json!({"organization_name": "Second Labs", "name": "Eve", "email": "taken@first.example", "password": PASSWORD}))
        .await
        .expect(201);
    assert_eq!(r.body["user"]["email"], "taken@first.example");
    assert_eq!(
        app.audit_count().await,
        before,
        "nothing is created for a taken address"
    );
    // The original password still works; the attacker's does not.
    app.login("taken@first.example", PASSWORD).await;
}

async fn malformed_bodies_get_problems(app: TestApp) {
    let url = format!("{}{}", app.base, app.api("/auth/signup"));
    let http = reqwest::Client::new();
    let r = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = http
        .post(&url)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let big = json!({"organization_name": "x".repeat(300_000), "name": "a", "email": "a@b.example", "password": PASSWORD});
    let r = http.post(&url).json(&big).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "body_too_large");
    app.anon
        .get("/api/v1/no/such/route")
        .await
        .problem(404, "not_found");
    let r = app
        .anon
        .post(
            &app.api("/auth/login"),
            json!({"email": 5, "password": "x"}),
        )
        .await
        .problem(422, "validation_failed");
    assert!(!r.text.contains("line"), "no parser internals: {}", r.text);
}

async fn unknown_and_wrong_accounts_answer_alike(app: TestApp) {
    app.signup_developer("Known Labs", "known@known.example")
        .await;
    let wrong = app
        .anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "known@known.example", "password": "wrong-password-entirely"}),
        )
        .await;
    let unknown = app
        .anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "nobody@known.example", "password": "wrong-password-entirely"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.status, unknown.status);
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("request_id");
        v
    };
    assert_eq!(strip(wrong.body.clone()), strip(unknown.body.clone()));
    // Both pay for exactly one argon2 verification (against a dummy hash when there is no
    // account), so neither answers faster than the other. Counted, not timed: a timing on a
    // loaded test machine says more about the machine than about the code.
    for email in ["known@known.example", "nobody2@known.example"] {
        let before = app.state.passwords.verifications();
        let r = app
            .anon
            .post(
                &app.api("/auth/login"),
                json!({"email": email, "password": "wrong-password-entirely"}),
            )
            .await;
        assert_eq!(r.status, 401, "{email}");
        assert_eq!(
            app.state.passwords.verifications() - before,
            1,
            "{email}: one argon2 verification"
        );
    }
    // Reset requests: always 202, the same body.
    let a = app
        .anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "known@known.example"}),
        )
        .await
        .expect(202);
    let b = app
        .anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "nobody@known.example"}),
        )
        .await
        .expect(202);
    assert_eq!(a.body, b.body);
}

async fn failed_logins_lock_the_address(app: TestApp) {
    app.signup_developer("Lock Labs", "lock@lock.example").await;
    for email in ["lock@lock.example", "ghost@lock.example"] {
        for _ in 0..5 {
            app.anon
                .post(
                    &app.api("/auth/login"),
                    json!({"email": email, "password": "not-the-password-at-all"}),
                )
                .await
                .problem(401, "unauthenticated");
        }
        let r = app
            .anon
            .post(
                &app.api("/auth/login"),
                json!({"email": email, "password": "not-the-password-at-all"}),
            )
            .await
            .problem(429, "throttled");
        assert!(r.headers.get("retry-after").is_some());
    }
    // Even the right password waits while locked; known and unknown addresses behave alike.
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "lock@lock.example", "password": PASSWORD}),
        )
        .await
        .problem(429, "throttled");
    // The lockout is in the database and grows: after it passes, a further failure locks longer.
    app.advance(Duration::minutes(2));
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "lock@lock.example", "password": "still-not-the-password"}),
        )
        .await
        .problem(401, "unauthenticated");
    app.advance(Duration::minutes(1) + Duration::seconds(30));
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "lock@lock.example", "password": PASSWORD}),
        )
        .await
        .problem(429, "throttled");
    app.advance(Duration::minutes(5));
    app.login("lock@lock.example", PASSWORD).await;
}

async fn logout_revokes_the_session_at_once(app: TestApp) {
    app.signup_developer("Out Labs", "out@out.example").await;
    let r = app
        .anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "out@out.example", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let cookie = r.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let http = reqwest::Client::new();
    let me = |c: String| {
        let http = http.clone();
        let url = format!("{}/api/v1/auth/me", app.base);
        async move {
            http.get(url)
                .header("cookie", c)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(cookie.clone()).await, 200);
    let out = http
        .post(format!("{}/api/v1/auth/logout", app.base))
        .header("cookie", cookie.clone())
        .header("x-requested-with", "fetch")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    // Replaying the old cookie (the JWT is still signed and unexpired) fails: the session is gone.
    assert_eq!(me(cookie).await, 401);
}

fn forge(claims: serde_json::Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

async fn forged_and_misused_tokens_are_refused(app: TestApp) {
    let dev = app
        .signup_developer("Forge Labs", "forge@forge.example")
        .await;
    let tok = dev
        .post(&app.api("/auth/api-tokens"), json!({"name": "ci"}))
        .await
        .expect(201);
    let api_token = tok.body["token"].as_str().unwrap().to_string();
    let token_id = tok.id();
    let now = app.now().timestamp();
    let bearer = |t: String| {
        let mut c = Client::new(&app.base, false);
        c.bearer = Some(t);
        c
    };
    bearer(api_token.clone())
        .get(&app.api("/auth/me"))
        .await
        .expect(200);
    // alg: none
    let header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64_url(
        json!({"iss": "frontier-portal", "aud": "frontier-portal/api", "sub": token_id, "iat": now, "exp": now + 3600}).to_string().as_bytes(),
    );
    bearer(format!("{header}.{payload}."))
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // A bad signature.
    let bad = forge(
        json!({"iss": "frontier-portal", "aud": "frontier-portal/api", "sub": token_id, "iat": now, "exp": now + 3600}),
        b"another-secret-of-at-least-32-bytes!!",
    );
    bearer(bad)
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // The right key but the wrong audience (a session token presented as an API token).
    let wrong_aud = forge(
        json!({"iss": "frontier-portal", "aud": "frontier-portal/session", "sub": token_id, "iat": now, "exp": now + 3600}),
        JWT_SECRET.as_bytes(),
    );
    bearer(wrong_aud)
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // Expired.
    let expired = forge(
        json!({"iss": "frontier-portal", "aud": "frontier-portal/api", "sub": token_id, "iat": now - 7200, "exp": now - 3600}),
        JWT_SECRET.as_bytes(),
    );
    bearer(expired)
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // Missing sub / exp.
    let no_exp = forge(
        json!({"iss": "frontier-portal", "aud": "frontier-portal/api", "sub": token_id, "iat": now}),
        JWT_SECRET.as_bytes(),
    );
    bearer(no_exp)
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // An API token presented as a session cookie.
    let http = reqwest::Client::new();
    let st = http
        .get(format!("{}/api/v1/auth/me", app.base))
        .header("cookie", format!("portal_session={api_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(st.status(), 401);
    // An email-link token is not an API credential either.
    app.anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "forge@forge.example"}),
        )
        .await
        .expect(202);
    let reset = app
        .wait_mail("forge@forge.example", "Reset")
        .await
        .token()
        .unwrap();
    bearer(reset)
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

async fn idle_and_absolute_session_timeouts(app: TestApp) {
    app.signup_developer("Time Labs", "time@time.example").await;
    // Idle: 15 minutes without a request ends the session.
    let u = app.login("time@time.example", PASSWORD).await;
    app.advance(Duration::minutes(14));
    u.get(&app.api("/auth/me")).await.expect(200);
    app.advance(Duration::minutes(14));
    u.get(&app.api("/auth/me")).await.expect(200);
    app.advance(Duration::minutes(15) + Duration::seconds(1));
    u.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // Absolute: 12 hours however active.
    let u = app.login("time@time.example", PASSWORD).await;
    for _ in 0..(12 * 6 - 1) {
        app.advance(Duration::minutes(10));
        u.get(&app.api("/auth/me")).await.expect(200);
    }
    app.advance(Duration::minutes(10));
    u.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
}

async fn cookie_writes_need_the_csrf_header(app: TestApp) {
    let dev = app.signup_developer("Csrf Labs", "csrf@csrf.example").await;
    let mut no_header = dev.client.clone();
    no_header.csrf = false;
    let before = app.audit_count().await;
    no_header
        .post(&app.api("/auth/api-tokens"), json!({"name": "x"}))
        .await
        .problem(403, "csrf_header_missing");
    assert_eq!(app.audit_count().await, before);
    // Safe methods do not need it.
    no_header.get(&app.api("/auth/me")).await.expect(200);
    // Bearer-token clients do not need it either (no ambient credential to ride on).
    let tok = dev
        .post(&app.api("/auth/api-tokens"), json!({"name": "x"}))
        .await
        .expect(201);
    let mut api = Client::new(&app.base, false);
    api.csrf = false;
    api.bearer = Some(tok.body["token"].as_str().unwrap().into());
    api.post(&app.api("/auth/api-tokens"), json!({"name": "y"}))
        .await
        .expect(201);
}

async fn api_tokens_work_and_revoke(app: TestApp) {
    let dev = app.signup_developer("Token Labs", "tok@tok.example").await;
    let r = dev
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "pipeline", "expires_in_days": 30}),
        )
        .await
        .expect(201);
    let id = r.id();
    let mut api = Client::new(&app.base, false);
    api.bearer = Some(r.body["token"].as_str().unwrap().into());
    assert_eq!(
        api.get(&app.api("/auth/me")).await.expect(200).body["user"]["email"],
        "tok@tok.example"
    );
    let list = dev.get(&app.api("/auth/api-tokens")).await.expect(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert!(
        list.body["items"][0].get("token").is_none(),
        "the value is shown only once"
    );
    dev.post(
        &app.api("/auth/api-tokens"),
        json!({"name": "", "expires_in_days": 999}),
    )
    .await
    .problem(422, "validation_failed");
    // Another user cannot revoke it.
    let other = app
        .signup_developer("Other Labs", "other@other.example")
        .await;
    other
        .delete(&app.api(&format!("/auth/api-tokens/{id}")))
        .await
        .problem(404, "not_found");
    dev.delete(&app.api(&format!("/auth/api-tokens/{id}")))
        .await
        .expect(204);
    api.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // Expiry follows the injected clock.
    let r = dev
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "short", "expires_in_days": 1}),
        )
        .await
        .expect(201);
    api.bearer = Some(r.body["token"].as_str().unwrap().into());
    api.get(&app.api("/auth/me")).await.expect(200);
    app.advance(Duration::days(1) + Duration::seconds(1));
    api.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
}

async fn password_reset_by_email(app: TestApp) {
    let dev = app
        .signup_developer("Reset Labs", "reset@reset.example")
        .await;
    app.anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "nobody@reset.example"}),
        )
        .await
        .expect(202);
    app.anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "reset@reset.example"}),
        )
        .await
        .expect(202);
    let mail = app
        .wait_mail("reset@reset.example", "Reset your password")
        .await;
    assert!(mail.link().unwrap().starts_with(&format!(
        "{}/reset-password?token=",
        app.state.settings.server.public_url
    )));
    let token = mail.token().unwrap();
    // A weak password is refused and does not burn the link.
    let r = app
        .anon
        .post(
            &app.api("/auth/password-reset/confirm"),
            json!({"token": token, "new_password": "short"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["new_password"]);
    let newpw = "copper-willow-silent-anchor-93";
    app.anon
        .post(
            &app.api("/auth/password-reset/confirm"),
            json!({"token": token, "new_password": newpw}),
        )
        .await
        .expect(200);
    // Existing sessions end; the old password no longer works; the link is single-use.
    dev.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "reset@reset.example", "password": PASSWORD}),
        )
        .await
        .problem(401, "unauthenticated");
    app.login("reset@reset.example", newpw).await;
    app.anon
        .post(
            &app.api("/auth/password-reset/confirm"),
            json!({"token": token, "new_password": "another-long-phrase-here-77"}),
        )
        .await
        .problem(422, "validation_failed");
    // Links expire (1 hour).
    app.anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "reset@reset.example"}),
        )
        .await
        .expect(202);
    app.run_jobs().await;
    let mail2 = app
        .find_mail("reset@reset.example", "Reset your password")
        .expect("a second reset email");
    assert_ne!(mail2.token().unwrap(), token, "a new link");
    app.advance(Duration::hours(1) + Duration::seconds(1));
    app.anon
        .post(
            &app.api("/auth/password-reset/confirm"),
            json!({"token": mail2.token().unwrap(), "new_password": "another-long-phrase-here-77"}),
        )
        .await
        .problem(422, "validation_failed");
}

async fn invitations_by_org_admins(app: TestApp) {
    let admin = app
        .signup_developer("Invite Labs", "boss@invite.example")
        .await;
    let r = admin
        .post(
            &app.api("/organizations/me/invitations"),
            json!({"email": "new@invite.example", "org_role": "member"}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["user"]["org_role"], "member");
    let mail = app.wait_mail("new@invite.example", "invited").await;
    assert!(mail
        .link()
        .unwrap()
        .starts_with(&format!("{}/invite/", app.state.settings.server.public_url)));
    let bad = app
        .anon
        .post(
            &app.api(&format!(
                "/auth/invitations/{}/accept",
                mail.token().unwrap()
            )),
            json!({"name": "", "password": "short"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad.fields(), vec!["name", "password"]);
    app.accept_invitation(&mail.token().unwrap(), "New Member")
        .await;
    let member = app.login("new@invite.example", PASSWORD).await;
    assert_eq!(member.org_id, admin.org_id);
    let org = member.get(&app.api("/organizations/me")).await.expect(200);
    assert_eq!(org.body["users"].as_array().unwrap().len(), 2);
    // Members cannot invite; an address that already has an account answers like any other
    // invitation and changes nothing (`security::inviting_an_existing_account_reveals_nothing`);
    // bad values are 422.
    member
        .post(
            &app.api("/organizations/me/invitations"),
            json!({"email": "x@invite.example", "org_role": "member"}),
        )
        .await
        .problem(403, "forbidden");
    admin
        .post(
            &app.api("/organizations/me/invitations"),
            json!({"email": "new@invite.example", "org_role": "admin"}),
        )
        .await
        .expect(201);
    let org = member.get(&app.api("/organizations/me")).await.expect(200);
    assert_eq!(org.body["users"].as_array().unwrap().len(), 2);
    let me = member.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["user"]["org_role"], "member", "no role was given");
    let r = admin
        .post(
            &app.api("/organizations/me/invitations"),
            json!({"email": "nope", "org_role": "owner"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["email", "org_role"]);
    // A forged invitation token is refused.
    app.anon
        .post(
            &app.api("/auth/invitations/not-a-token/accept"),
            json!({"name": "X", "password": PASSWORD}),
        )
        .await
        .problem(422, "validation_failed");
}

async fn operators_create_orgs_and_disable_users(app: TestApp) {
    let op = app.operator().await;
    let nsa = app.agency(&op, "NSA").await;
    assert_eq!(
        nsa.get(&app.api("/auth/me")).await.expect(200).body["organization"]["agency_code"],
        "NSA"
    );
    let partner = app.partner(&op, "Valley Rural Health").await;
    let me = partner.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(
        me.body["organization"]["partner_type"],
        "critical_infrastructure_operator"
    );
    assert_eq!(
        me.body["organization"]["sector"],
        "healthcare_and_public_health"
    );
    // Validation and conflicts.
    let r = op
        .post(&app.api("/admin/organizations"), json!({"kind": "agency", "name": "X", "agency_code": "FBI", "admin_email": "a@x.example"}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["agency_code"]);
    let r = op
        .post(&app.api("/admin/organizations"), json!({"kind": "partner", "name": "Y", "partner_type": "bank", "sector": "banking", "admin_email": "a@y.example"}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["partner_type", "sector"]);
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "developer", "name": "Z", "admin_email": "a@z.example"}),
    )
    .await
    .problem(422, "validation_failed");
    op.post(&app.api("/admin/organizations"), json!({"kind": "agency", "name": "NSA two", "agency_code": "NSA", "admin_email": "b@nsa2.example"})).await.problem(409, "agency_exists");
    // Non-operators do not see the admin surface at all.
    nsa.get(&app.api("/admin/organizations"))
        .await
        .problem(404, "not_found");
    nsa.post(
        &app.api("/admin/organizations"),
        json!({"kind": "agency", "name": "X", "agency_code": "CISA", "admin_email": "a@x.example"}),
    )
    .await
    .problem(404, "not_found");
    let orgs = op
        .get(&app.api("/admin/organizations?limit=2"))
        .await
        .expect(200);
    assert_eq!(orgs.body["items"].as_array().unwrap().len(), 2);
    let next = orgs.body["next_cursor"].as_str().unwrap().to_string();
    let page2 = op
        .get(&app.api(&format!("/admin/organizations?limit=2&cursor={next}")))
        .await
        .expect(200);
    assert!(!page2.body["items"].as_array().unwrap().is_empty());
    op.get(&app.api("/admin/organizations?limit=500"))
        .await
        .problem(422, "validation_failed");
    // Disabling applies at once to a live session and to sign-in.
    op.patch(
        &app.api(&format!("/admin/users/{}", nsa.id)),
        json!({"disabled": true}),
    )
    .await
    .expect(200);
    nsa.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": nsa.email, "password": PASSWORD}),
        )
        .await
        .problem(401, "unauthenticated");
    op.patch(
        &app.api(&format!("/admin/users/{}", op.id)),
        json!({"disabled": true}),
    )
    .await
    .problem(409, "own_account");
    op.patch(
        &app.api(&format!("/admin/users/{}", nsa.id)),
        json!({"disabled": false}),
    )
    .await
    .expect(200);
    app.login(&nsa.email, PASSWORD).await;
    op.patch(
        &app.api("/admin/users/does-not-exist"),
        json!({"disabled": true}),
    )
    .await
    .problem(404, "not_found");
}

async fn audit_chain_verifies_and_finds_tampering(app: TestApp) {
    let op = app.operator().await;
    app.agency(&op, "CISA").await;
    app.signup_developer("Audit Labs", "audit@audit.example")
        .await;
    let v = op.get(&app.api("/admin/audit/verify")).await.expect(200);
    assert_eq!(v.body["valid"], true);
    let events = v.body["events"].as_i64().unwrap();
    assert!(events >= 5, "{events}");
    // Other roles cannot verify.
    let dev = app.login("audit@audit.example", PASSWORD).await;
    dev.get(&app.api("/admin/audit/verify"))
        .await
        .problem(404, "not_found");
    // Tamper with event 3's detail directly in the database.
    app.db(|c| {
        use frontier_portal::db::schema::audit_events;
        diesel::update(audit_events::table.filter(audit_events::seq.eq(3i64)))
            .set(audit_events::detail.eq(r#"{"tampered":true}"#))
            .execute(c)
            .unwrap();
    })
    .await;
    let v = op.get(&app.api("/admin/audit/verify")).await.expect(200);
    assert_eq!(v.body["valid"], false);
    assert_eq!(v.body["first_broken_seq"], 3);
    // The CLI function gives the same answer.
    let cli = app.db(|c| frontier_portal::audit::verify(c).unwrap()).await;
    assert_eq!(cli.first_broken_seq, Some(3));
    // Deleting the last event is found too (the head no longer matches).
    app.db(|c| {
        use frontier_portal::db::schema::{audit_event_orgs, audit_events};
        diesel::update(audit_events::table.filter(audit_events::seq.eq(3i64)))
            .set(audit_events::detail.eq("{}"))
            .execute(c)
            .unwrap();
        let last: i64 = audit_events::table
            .select(diesel::dsl::max(audit_events::seq))
            .first::<Option<i64>>(c)
            .unwrap()
            .unwrap();
        diesel::delete(audit_event_orgs::table.filter(audit_event_orgs::seq.eq(last)))
            .execute(c)
            .unwrap();
        diesel::delete(audit_events::table.filter(audit_events::seq.eq(last)))
            .execute(c)
            .unwrap();
    })
    .await;
    let v = op.get(&app.api("/admin/audit/verify")).await.expect(200);
    assert_eq!(v.body["valid"], false);
}

/// The export streams page after page (1,000 events each): an organization with 2,150 events
/// among another's gets all of its own, oldest first, each exactly once, the same events the
/// paged list shows, and nothing of the other's, in JSON and in CSV.
async fn audit_export_streams_every_page_oldest_first(app: TestApp) {
    use frontier_portal::audit::{append, AuditCtx, NewEvent};
    use frontier_portal::domain::audit::AuditAction;
    let a = app.signup_developer("Alpha Labs", "a@alpha.example").await;
    let b = app.signup_developer("Beta Labs", "b@beta.example").await;
    let (ao, bo) = (a.org_id.clone(), b.org_id.clone());
    app.db(move |c| {
        frontier_portal::db::write_tx(c, |c| {
            for i in 0..2150 {
                for org in [&ao, &bo][..if i % 3 == 0 { 2 } else { 1 }].iter() {
                    append(
                        c,
                        &AuditCtx::default(),
                        NewEvent {
                            action: AuditAction::ModelUpdated,
                            target_type: "model",
                            target_id: &format!("m-{i}"),
                            visible_to: vec![(*org).clone()],
                            detail: json!({"i": i}),
                        },
                    )
                    .unwrap();
                }
            }
            Ok::<_, frontier_portal::error::AppError>(())
        })
        .unwrap();
    })
    .await;
    let mut listed = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = a
            .get(&app.api(&format!("/audit-events?limit=200&cursor={cursor}")))
            .await
            .expect(200);
        listed.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["seq"].as_i64().unwrap()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    listed.reverse();
    assert!(
        listed.len() > 2150,
        "the signup's events and the 2,150: {}",
        listed.len()
    );
    let js = a
        .get(&app.api("/audit-events/export?format=json"))
        .await
        .expect(200);
    let events = js.body.as_array().unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(
        seqs, listed,
        "the export is the list, oldest first, each event once"
    );
    assert!(events.iter().all(|e| e["visible_to"]
        .as_array()
        .unwrap()
        .contains(&json!(a.org_id))));
    let csv = a
        .get(&app.api("/audit-events/export?format=csv"))
        .await
        .expect(200);
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "seq,id,occurred_at,actor_user_id,actor_org_id,action,target_type,target_id,visible_to,detail,request_id,prev_hash,hash");
    assert_eq!(
        lines.len() - 1,
        listed.len(),
        "one CSV row per event (no event detail holds a newline)"
    );
    assert!(lines[1].starts_with(&format!("{},", listed[0])));
    assert!(lines
        .last()
        .unwrap()
        .starts_with(&format!("{},", listed[listed.len() - 1])));
    // An organization with nothing beyond its own signup still gets a well-formed file.
    let c = app.signup_developer("Gamma Labs", "c@gamma.example").await;
    let own = c
        .get(&app.api("/audit-events/export?format=json"))
        .await
        .expect(200);
    let own = own.body.as_array().unwrap();
    assert!(!own.is_empty(), "its own signup is on the trail");
    assert!(own.iter().all(|e| e["visible_to"]
        .as_array()
        .unwrap()
        .contains(&json!(c.org_id))));
    assert!(
        own.iter().all(|e| e["target_id"]
            .as_str()
            .is_some_and(|t| !t.starts_with("m-"))),
        "none of the 2,150 events of the other organizations"
    );
}

async fn audit_events_export_per_org(app: TestApp) {
    let a = app.signup_developer("Alpha Labs", "a@alpha.example").await;
    let b = app.signup_developer("Beta Labs", "b@beta.example").await;
    a.post(&app.api("/auth/api-tokens"), json!({"name": "alpha-token"}))
        .await
        .expect(201);
    let list = a.get(&app.api("/audit-events")).await.expect(200);
    let items = list.body["items"].as_array().unwrap();
    assert!(items.iter().any(|e| e["action"] == "api_token.created"));
    assert!(items.iter().all(|e| e["visible_to"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == &json!(a.org_id))));
    // B sees none of A's events.
    let bl = b.get(&app.api("/audit-events")).await.expect(200);
    assert!(bl.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["detail"]["name"] != "alpha-token"));
    let csv = a
        .get(&app.api("/audit-events/export?format=csv"))
        .await
        .expect(200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.text.starts_with("seq,id,occurred_at"));
    assert!(csv.text.contains("api_token.created"));
    let js = a
        .get(&app.api("/audit-events/export?format=json"))
        .await
        .expect(200);
    assert!(js.body.as_array().unwrap().len() >= 3);
    a.get(&app.api("/audit-events/export?format=xml"))
        .await
        .problem(422, "validation_failed");
    // No secret ever lands in an audit detail.
    let all = app
        .db(|c| {
            use frontier_portal::db::schema::audit_events;
            audit_events::table
                .select(audit_events::detail)
                .load::<String>(c)
                .unwrap()
        })
        .await;
    assert!(all
        .iter()
        .all(|d| !d.contains(PASSWORD) && !d.contains("$argon2")));
}

async fn operations_endpoints_and_headers(app: TestApp) {
    let h = app.anon.get("/healthz").await.expect(200);
    for (k, v) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(h.headers[k], v, "{k}");
    }
    let csp = h.headers["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(h.headers.get("x-request-id").is_some());
    assert!(
        h.headers.get("strict-transport-security").is_none(),
        "no HSTS over plain http"
    );
    app.anon.get("/readyz").await.expect(200);
    // Errors carry the same headers.
    let nf = app
        .anon
        .get("/api/v1/nothing-here")
        .await
        .problem(404, "not_found");
    assert_eq!(nf.headers["cache-control"], "no-store");
    assert!(nf.headers.get("x-request-id").is_some());
    assert!(nf.headers.get("content-security-policy").is_some());
    let m = app.anon.get("/metrics").await.expect(200);
    assert!(
        m.text.contains(
            "portal_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ),
        "{}",
        m.text
    );
    assert!(m
        .text
        .contains("portal_http_request_duration_seconds_bucket"));
}

async fn openapi_and_docs_are_served(app: TestApp) {
    let doc = app.anon.get("/api/openapi.json").await.expect(200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.body["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/admin/organizations",
        "/api/v1/admin/audit/verify",
        "/api/v1/audit-events/export",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
    }
    let docs = app.anon.get("/api/docs/").await.expect(200);
    assert!(docs.text.contains("swagger"), "Swagger UI page");
}

async fn outbox_retries_with_backoff(app: TestApp) {
    use frontier_portal::mail::{outbox, templates::Reason, Mailer};
    let now = app.now();
    // Rows are queued a year ahead of the app's clock, so the app's own worker never sees them
    // and this test drives delivery by hand.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let failing = Mailer::from_settings(&frontier_portal::config::MailSettings {
        transport: "smtp".into(),
        dir: app.dir.path().join("mail"),
        from: "portal@localhost".into(),
        smtp_url: format!("smtp://127.0.0.1:{closed}"),
        smtp_username: String::new(),
        smtp_password_file: String::new(),
        smtp_password: None,
    })
    .unwrap();
    let sink = Mailer::Memory(Default::default());
    let attempt = |m: Mailer, at: chrono::DateTime<chrono::Utc>| {
        app.db(move |c| outbox::deliver_due(c, &m, "portal@localhost", at).unwrap())
    };
    let id = app
        .db(move |c| {
            use frontier_portal::db::schema::outbox as t;
            diesel::delete(t::table).execute(c).unwrap();
            outbox::enqueue(
                c,
                now + Duration::days(365),
                "retry@x.example",
                Reason::Invitation,
                "http://x/invite/t",
            )
            .unwrap();
            t::table.select(t::id).first::<String>(c).unwrap()
        })
        .await;
    let later = now + Duration::days(365);
    assert_eq!(attempt(failing.clone(), later).await, 0);
    let (attempts, next, sent): (i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>) = app
        .db({
            let id = id.clone();
            move |c| {
                use frontier_portal::db::schema::outbox as t;
                t::table
                    .find(id)
                    .select((t::attempts, t::next_attempt_at, t::sent_at))
                    .first(c)
                    .unwrap()
            }
        })
        .await;
    assert_eq!(attempts, 1);
    assert!(sent.is_none());
    assert_eq!(next.and_utc(), later + outbox::backoff(1));
    // Not due again before the backoff passes.
    assert_eq!(
        attempt(sink.clone(), later + Duration::seconds(10)).await,
        0
    );
    assert_eq!(attempt(sink.clone(), later + outbox::backoff(1)).await, 1);
    if let Mailer::Memory(v) = &sink {
        assert_eq!(v.lock().unwrap().len(), 1);
    }
    assert_eq!(outbox::backoff(2), Duration::seconds(60));
    assert_eq!(outbox::backoff(20), Duration::hours(1));
}

async fn concurrent_workers_send_each_message_once(app: TestApp) {
    use frontier_portal::mail::{outbox, templates::Reason, Mailer};
    let future = app.now() + Duration::days(365);
    app.db(move |c| {
        for i in 0..60 {
            outbox::enqueue(
                c,
                future,
                &format!("bulk{i}@x.example"),
                Reason::Invitation,
                "http://x/invite/t",
            )
            .unwrap();
        }
    })
    .await;
    let sinks: Vec<Mailer> = (0..3).map(|_| Mailer::Memory(Default::default())).collect();
    let mut handles = Vec::new();
    for m in sinks.clone() {
        let state = app.state.clone();
        handles.push(tokio::task::spawn_blocking(move || {
            let mut conn = state.pool.get().unwrap();
            let mut total = 0;
            for _ in 0..10 {
                total += outbox::deliver_due(&mut conn, &m, "portal@localhost", future).unwrap();
            }
            total
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    assert_eq!(total, 60);
    let mut all: Vec<String> = Vec::new();
    for s in &sinks {
        if let Mailer::Memory(v) = s {
            all.extend(
                v.lock()
                    .unwrap()
                    .iter()
                    .map(|m| format!("{:?}", m.envelope().to())),
            );
        }
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "a message was sent twice");
    assert_eq!(n, 60);
}

async fn per_ip_limit_on_auth(app: TestApp) {
    // A second app on the same backend with a tiny per-IP budget.
    let limited = spawn_app_with(app.backend, |s| s.auth.ip_requests_per_minute = 3)
        .await
        .unwrap();
    for _ in 0..3 {
        limited
            .anon
            .post(
                &limited.api("/auth/password-reset/request"),
                json!({"email": "x@y.example"}),
            )
            .await
            .expect(202);
    }
    let r = limited
        .anon
        .post(
            &limited.api("/auth/password-reset/request"),
            json!({"email": "x@y.example"}),
        )
        .await
        .problem(429, "throttled");
    assert!(
        r.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // Other endpoints are not limited by it.
    limited.anon.get("/healthz").await.expect(200);
}

async fn https_public_url_hardens_cookie_and_transport(app: TestApp) {
    // Behind a TLS-terminating proxy (public_url https): __Host- cookie, Secure, and HSTS.
    let tls = spawn_app_with(app.backend, |s| {
        s.server.public_url = "https://portal.example.gov".into()
    })
    .await
    .unwrap();
    tls.signup_developer("Tls Labs", "tls@tls.example").await;
    let r = tls
        .anon
        .post(
            &tls.api("/auth/login"),
            json!({"email": "tls@tls.example", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let cookie = r.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-portal_session="), "{cookie}");
    for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{part} missing: {cookie}");
    }
    assert!(
        !cookie.contains("Domain="),
        "__Host- cookies carry no Domain: {cookie}"
    );
    let h = tls.anon.get("/healthz").await.expect(200);
    assert!(h.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    // Links in emails use the public URL.
    let mail = tls.wait_mail("tls@tls.example", "Confirm").await;
    assert!(mail.link().is_none_or(|l| !l.starts_with("http://")));
    assert!(mail
        .raw
        .contains("https://portal.example.gov/verify-email?token="));
}

async fn session_last_seen_is_written_at_most_once_a_minute(app: TestApp) {
    app.signup_developer("Seen Labs", "seen@seen.example").await;
    let u = app.login("seen@seen.example", PASSWORD).await;
    let last_seen = || {
        app.db(|c| {
            use frontier_portal::db::schema::sessions;
            // The latest write to any session (only `u`'s session is used after sign-in).
            sessions::table
                .select(diesel::dsl::max(sessions::last_seen_at))
                .first::<Option<chrono::NaiveDateTime>>(c)
                .unwrap()
                .unwrap()
        })
    };
    let first = last_seen().await;
    app.advance(Duration::seconds(30));
    u.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(last_seen().await, first, "no write within the minute");
    app.advance(Duration::seconds(31));
    u.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(
        last_seen().await.and_utc(),
        app.now(),
        "written once the minute passed"
    );
}
