//! Security defects of issue 7, each held by a black-box test against the running server
//! (DESIGN §1, §2.2, §2.4, §3, §6): credentials end for good on a reset or disable, access
//! instructions only while every condition holds, no link token in a log, answers that reveal no
//! account, bad input (NUL, trailing bytes, out-of-range years, over-long updates) as a 4xx
//! problem that changes nothing, the developer directory, consultations in one's own name, and
//! email verification that proves the person who signed up.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::Duration;
use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    password_reset_ends_every_session_and_api_token,
    disabling_ends_every_credential_and_enabling_revives_none,
    access_instructions_need_every_acceptance_and_an_open_grant,
    partner_grant_instructions_end_with_revocation,
    request_logs_never_hold_link_tokens,
    inviting_an_existing_account_reveals_nothing,
    nul_characters_are_a_4xx_problem_everywhere,
    trailing_bytes_after_a_json_body_are_a_malformed_body,
    years_outside_1970_to_9999_are_refused,
    model_updates_have_the_create_limits,
    planned_release_is_cleared_by_null_or_empty,
    developers_never_list_other_developers,
    an_office_records_only_its_own_consultation,
    verifying_an_email_needs_the_sign_up_password,
);

/// A signed-in user's session client and a personal API token client of the same user.
async fn session_and_token(app: &TestApp, email: &str) -> (User, Client) {
    let session = app.login(email, PASSWORD).await;
    let token = session
        .post(&app.api("/auth/api-tokens"), json!({"name": "CI"}))
        .await
        .expect(201)
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut api = Client::new(&app.base, false);
    api.bearer = Some(token);
    (session, api)
}

async fn password_reset_ends_every_session_and_api_token(app: TestApp) {
    let dev = app
        .signup_developer("Reset Labs", "dana@reset.example")
        .await;
    let (session, api) = session_and_token(&app, "dana@reset.example").await;
    dev.get(&app.api("/auth/me")).await.expect(200);
    api.get(&app.api("/auth/me")).await.expect(200);
    app.anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "dana@reset.example"}),
        )
        .await
        .expect(202);
    let token = app
        .wait_mail("dana@reset.example", "Reset your password")
        .await
        .token()
        .unwrap();
    let new_password = "copper-kettle-winter-orchard-93";
    app.anon
        .post(
            &app.api("/auth/password-reset/confirm"),
            json!({"token": token, "new_password": new_password}),
        )
        .await
        .expect(200);
    // Every session and every API token ended in the same change.
    for c in [&dev.client, &session.client, &api] {
        c.get(&app.api("/auth/me"))
            .await
            .problem(401, "unauthenticated");
    }
    let revoked = app
        .db(|conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::api_tokens;
            api_tokens::table
                .filter(api_tokens::revoked_at.is_null())
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(revoked, 0, "no API token survives the reset");
    // The new password works and opens a fresh session.
    app.login("dana@reset.example", new_password)
        .await
        .get(&app.api("/auth/me"))
        .await
        .expect(200);
}

async fn disabling_ends_every_credential_and_enabling_revives_none(app: TestApp) {
    let op = app.operator().await;
    let dev = app
        .signup_developer("Disable Labs", "dana@disable.example")
        .await;
    let (session, api) = session_and_token(&app, "dana@disable.example").await;
    api.get(&app.api("/auth/me")).await.expect(200);
    let user = app.api(&format!("/admin/users/{}", dev.id));
    op.patch(&user, json!({"disabled": true})).await.expect(200);
    for c in [&dev.client, &session.client, &api] {
        c.get(&app.api("/auth/me"))
            .await
            .problem(401, "unauthenticated");
    }
    let r = op
        .patch(&user, json!({"disabled": false}))
        .await
        .expect(200);
    assert_eq!(r.body["disabled"], false);
    // Re-enabling revives neither the sessions nor the API token.
    for c in [&dev.client, &session.client, &api] {
        c.get(&app.api("/auth/me"))
            .await
            .problem(401, "unauthenticated");
    }
    // The user signs in afresh.
    app.login("dana@disable.example", PASSWORD)
        .await
        .get(&app.api("/auth/me"))
        .await
        .expect(200);
}

const SECRET: &str = "sealed envelope #42";

fn instructions(v: &Value) -> Option<String> {
    v["access_instructions"].as_str().map(str::to_string)
}

async fn access_instructions_need_every_acceptance_and_an_open_grant(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    // The grantee accepts, rosters and acknowledges; the developer has not accepted yet.
    c.nsa
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    roster_add(&c.nsa, &ag(&app, &id, ""), &analyst.id)
        .await
        .expect(201);
    analyst
        .post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    let v = analyst.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(v["status"], "awaiting_terms");
    assert_eq!(v["viewer"]["acknowledged"], true);
    assert!(
        instructions(&v).is_none(),
        "before every party accepted: {v}"
    );
    let list = analyst.get(&app.api("/access-grants")).await.expect(200);
    assert!(!list.text.contains(SECRET), "list: {}", list.text);
    // The developer's own view always has them.
    assert!(
        instructions(&c.dev.get(&ag(&app, &id, "")).await.expect(200).body)
            .unwrap()
            .contains(SECRET)
    );
    // The last acceptance opens them: scheduled, then active.
    c.dev
        .post_empty(&ag(&app, &id, "accept-terms"))
        .await
        .expect(200);
    let v = analyst.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(v["status"], "scheduled");
    assert!(instructions(&v).unwrap().contains(SECRET), "{v}");
    app.advance(days(2));
    let v = analyst.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(v["status"], "active");
    assert!(instructions(&v).unwrap().contains(SECRET));
    // The developer ends the grant: never again.
    c.dev.post_empty(&ag(&app, &id, "end")).await.expect(200);
    let v = analyst.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(v["status"], "ended");
    assert!(instructions(&v).is_none(), "after the grant ended: {v}");
    let list = analyst.get(&app.api("/access-grants")).await.expect(200);
    assert!(!list.text.contains(SECRET));
    assert!(
        instructions(&c.dev.get(&ag(&app, &id, "")).await.expect(200).body).is_some(),
        "the developer still sees its own"
    );
    // Expired: a second grant whose window ran out.
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        app.now() + days(1),
        app.now() + days(3),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &analyst.id)
        .await
        .expect(201);
    analyst
        .post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    assert!(instructions(&analyst.get(&ag(&app, &id, "")).await.expect(200).body).is_some());
    app.advance(days(3));
    let v = analyst.get(&ag(&app, &id, "")).await.expect(200).body;
    assert_eq!(v["status"], "expired");
    assert!(instructions(&v).is_none(), "after expiry: {v}");
}

async fn partner_grant_instructions_end_with_revocation(app: TestApp) {
    let c = cast(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let nurse = colleague(&app, &x, "nurse@valleyruralhealth.example", "member").await;
    submitted_request(&app, &c.dev, &c.model).await;
    let nomination = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let g = issue_partner_grant(
        &app,
        &c.dev,
        &nomination,
        &c.template,
        t0() + days(1),
        t0() + days(20),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    x.post_empty(&pg(&app, &id, "accept-terms"))
        .await
        .expect(200);
    roster_add(&x, &pg(&app, &id, ""), &nurse.id)
        .await
        .expect(201);
    nurse
        .post_empty(&pg(&app, &id, "acknowledge"))
        .await
        .expect(200);
    let secret = "credentials by phone";
    assert!(
        instructions(&nurse.get(&pg(&app, &id, "")).await.expect(200).body)
            .unwrap()
            .contains(secret)
    );
    c.dev.post_empty(&pg(&app, &id, "revoke")).await.expect(200);
    let v = nurse.get(&pg(&app, &id, "")).await.expect(200).body;
    assert_eq!(v["status"], "revoked");
    assert!(instructions(&v).is_none(), "after revocation: {v}");
    let list = nurse.get(&app.api("/partner-grants")).await.expect(200);
    assert!(!list.text.contains(secret));
}

// ---------------------------------------------------------------- logs

/// Everything the server logs while this test binary runs, through a global `tracing`
/// subscriber installed on first use (nothing else in the binary installs one; if something
/// did, `expect` says so rather than letting the test pass on an empty log).
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl Write for Sink {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Arc::new(Mutex::new(Vec::new()));
        let w = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .with_ansi(false)
            .with_writer(move || Sink(w.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("the security tests install the only global log subscriber");
        buf
    })
    .clone()
}

async fn request_logs_never_hold_link_tokens(app: TestApp) {
    let log = captured_log();
    let dev = app.signup_developer("Log Labs", "dana@log.example").await;
    dev.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "sam@log.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let token = app
        .wait_mail("sam@log.example", "invited")
        .await
        .token()
        .unwrap();
    // A failed accept (weak password) is logged as an error answer, inside the request span.
    app.anon
        .post(
            &app.api(&format!("/auth/invitations/{token}/accept")),
            json!({"name": "Sam", "password": "short"}),
        )
        .await
        .problem(422, "validation_failed");
    // A token in a query string, on an answer that is logged too.
    let marker = uuid::Uuid::new_v4().simple().to_string();
    app.anon
        .get(&app.api(&format!("/models?token={marker}&limit=1")))
        .await
        .problem(401, "unauthenticated");
    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    // The capture works: both requests were logged, with their targets redacted.
    assert!(
        text.contains("/api/v1/auth/invitations/[redacted]/accept"),
        "the failed accept is in the log"
    );
    assert!(
        text.contains("/api/v1/models?token=[redacted]&limit=1"),
        "the query request is in the log"
    );
    assert!(
        !text.contains(&token),
        "an invitation token reached the log"
    );
    assert!(!text.contains(&marker), "a query token reached the log");
    // The invitation still works (the failed attempt did not use it).
    app.accept_invitation(&token, "Sam").await;
}

// ---------------------------------------------------------------- invitations

async fn inviting_an_existing_account_reveals_nothing(app: TestApp) {
    let a = app
        .signup_developer("Alpha Labs", "boss@alpha.example")
        .await;
    let b = app.signup_developer("Beta Labs", "boss@beta.example").await;
    let b_member = app.member(&b, "eng@beta.example", "member").await;
    let url = app.api("/organizations/me/invitations");
    let invite = |email: &str, role: &str| a.post(&url, json!({"email": email, "org_role": role}));
    let fresh = invite("new@alpha.example", "member").await.expect(201);
    let before = app.audit_count().await;
    let users_before = app
        .db(|conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::users;
            users::table.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    let mails_before = app.mail_count("eng@beta.example");
    let invitations = |app: &TestApp| app.count_mail("eng@beta.example", "invited");
    let invitations_before = invitations(&app);
    // An address with an account elsewhere: the same answer as a fresh invitation.
    let taken = invite("ENG@beta.example", "admin").await.expect(201);
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.extend(
            v["user"]
                .as_object()
                .unwrap()
                .keys()
                .map(|s| format!("user.{s}")),
        );
        k.sort();
        k
    };
    assert_eq!(keys(&taken.body), keys(&fresh.body));
    assert_eq!(taken.body["user"]["email"], "eng@beta.example");
    assert_eq!(taken.body["user"]["org_role"], "admin");
    assert_eq!(taken.body["user"]["organization_id"], a.org_id.as_str());
    assert_eq!(taken.body["user"]["email_verified"], false);
    assert_ne!(taken.body["user"]["id"], b_member.id.as_str());
    // An address already in the inviting organization: the same answer too.
    invite("new@alpha.example", "admin").await.expect(201);
    invite("boss@alpha.example", "member").await.expect(201);
    // Nothing was created, and nobody got a role.
    let users_after = app
        .db(|conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::users;
            users::table.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    assert_eq!(users_after, users_before, "no second account");
    let org = a.get(&app.api("/organizations/me")).await.expect(200);
    let emails: Vec<&str> = org.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(!emails.contains(&"eng@beta.example"), "{emails:?}");
    let me = b_member.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["organization"]["id"], b.org_id.as_str());
    assert_eq!(me.body["user"]["org_role"], "member");
    let me = a.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["user"]["org_role"], "admin");
    // The inviter's audit trail shows nothing about the other account.
    let trail = a.get(&app.api("/audit-events?limit=200")).await.expect(200);
    assert!(!trail.text.contains(&b_member.id), "{}", trail.text);
    assert!(app.audit_count().await >= before);
    // The address owner gets a harmless notice: no token, no invitation link.
    let notice = app
        .wait_mail("eng@beta.example", "About an invitation")
        .await;
    assert!(app.mail_count("eng@beta.example") > mails_before);
    let link = notice.link().unwrap();
    assert!(
        !link.contains("token") && !link.contains("/invite/"),
        "{link}"
    );
    assert_eq!(
        invitations(&app),
        invitations_before,
        "no invitation with a token"
    );
    // The owner's account works as before.
    app.login("eng@beta.example", PASSWORD).await;
}

// ---------------------------------------------------------------- bad input

/// A raw request with the user's credentials (reqwest keeps `%00` as sent).
async fn nul_characters_are_a_4xx_problem_everywhere(app: TestApp) {
    let c = cast(&app).await;
    let before = app.audit_count().await;
    // Bodies: the field is named.
    let r = c
        .dev
        .post(
            &app.api("/models"),
            json!({"name": "Aurora\u{0}-8", "version": "1"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["name"]);
    let r = app
        .anon
        .post(
            &app.api("/auth/login"),
            json!({"email": "dana@aurora.example\u{0}", "password": PASSWORD}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["email"]);
    let r = app
        .anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": "\u{0}dana@aurora.example"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["email"]);
    let r = c
        .dev
        .post(
            &app.api("/access-grants"),
            json!({"model_id": c.model, "grantee_org_ids": [c.nsa.org_id, "x\u{0}"], "access_mode": "hosted_api",
                   "access_instructions": "i", "starts_at": rfc(t0() + days(1)), "ends_at": rfc(t0() + days(2)),
                   "terms_version_id": c.template}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["grantee_org_ids[1]"]);
    // Paths: no record has such an id.
    for path in [
        format!("/api/v1/models/%00{}", c.model),
        "/api/v1/models/%00".to_string(),
        "/api/v1/designation-requests/a%00b".to_string(),
        "/api/v1/access-grants/%00/roster".to_string(),
    ] {
        c.dev
            .call_text(reqwest::Method::GET, &path, None)
            .await
            .problem(404, "not_found");
    }
    c.dev
        .call_text(
            reqwest::Method::PATCH,
            &format!("/api/v1/models/{}%00", c.model),
            Some(r#"{"name": "renamed"}"#),
        )
        .await
        .problem(404, "not_found");
    // Query strings.
    for path in [
        "/api/v1/audit-events?target_id=%00",
        "/api/v1/audit-events?target_id=abc%00def",
        "/api/v1/models?cursor=%00",
    ] {
        c.dev
            .call_text(reqwest::Method::GET, path, None)
            .await
            .problem(400, "malformed_request");
    }
    assert_eq!(app.audit_count().await, before, "nothing changed");
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200);
    assert_eq!(m.body["name"], "Aurora-7");
    // A backslash followed by "u0000" is ordinary text.
    let m = new_model_with(
        &app,
        &c.dev,
        json!({"name": "Aurora \\u0000", "version": "1"}),
    )
    .await;
    assert_eq!(m["name"], "Aurora \\u0000");
}

async fn trailing_bytes_after_a_json_body_are_a_malformed_body(app: TestApp) {
    let c = cast(&app).await;
    let before = app.audit_count().await;
    for text in [
        r#"{"name": "Trailing", "version": "1"} x"#,
        r#"{"name": "Trailing", "version": "1"}{"name": "Again", "version": "2"}"#,
        r#"{"name": "Trailing", "version": "1"}]"#,
    ] {
        c.dev
            .call_text(reqwest::Method::POST, "/api/v1/models", Some(text))
            .await
            .problem(400, "malformed_request");
    }
    c.dev
        .call_text(
            reqwest::Method::PATCH,
            &format!("/api/v1/models/{}", c.model),
            Some(r#"{"name": "Renamed"},"#),
        )
        .await
        .problem(400, "malformed_request");
    assert_eq!(app.audit_count().await, before, "nothing changed");
    let list = c.dev.get(&app.api("/models")).await.expect(200);
    assert_eq!(items(&list).len(), 1);
    assert_eq!(items(&list)[0]["name"], "Aurora-7");
    // Whitespace after the value is fine.
    c.dev
        .call_text(
            reqwest::Method::POST,
            "/api/v1/models",
            Some("{\"name\": \"Spaces\", \"version\": \"1\"}  \n"),
        )
        .await
        .expect(201);
}

async fn years_outside_1970_to_9999_are_refused(app: TestApp) {
    let c = cast(&app).await;
    let before = app.audit_count().await;
    // Each is valid RFC 3339 text whose UTC instant falls outside 1970–9999 (or is 1969).
    let bad = [
        "9999-12-31T23:00:00-05:00",
        "0000-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "+10000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
    ];
    for t in bad {
        let r = c
            .dev
            .post(
                &app.api("/models"),
                json!({"name": "Y", "version": "1", "planned_partner_release_at": t}),
            )
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["planned_partner_release_at"], "{t}");
        let r = c
            .dev
            .patch(
                &app.api(&format!("/models/{}", c.model)),
                json!({"planned_partner_release_at": t}),
            )
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["planned_partner_release_at"], "{t}");
        let mut body = grant_body(
            &c.model,
            &[&c.nsa.org_id],
            &c.template,
            t0() + days(1),
            t0() + days(2),
        );
        body["ends_at"] = json!(t);
        let r = c
            .dev
            .post(&app.api("/access-grants"), body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["ends_at"], "{t}");
    }
    assert_eq!(app.audit_count().await, before, "nothing changed");
    let m = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200);
    assert!(m.body["planned_partner_release_at"].is_null());
    // The edges are valid years: the latest comes back as RFC 3339; the earliest is refused
    // only because a planned release may not be in the past.
    let t = "9999-12-31T23:59:59Z";
    let m = new_model_with(
        &app,
        &c.dev,
        json!({"name": format!("Edge {t}"), "version": "1", "planned_partner_release_at": t}),
    )
    .await;
    assert_eq!(m["planned_partner_release_at"], t);
    let r = c
        .dev
        .post(
            &app.api("/models"),
            json!({"name": "Edge 1970", "version": "1", "planned_partner_release_at": "1970-01-01T00:00:00Z"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(
        r.body["errors"][0]["message"], "must not be in the past",
        "{}",
        r.text
    );
}

async fn model_updates_have_the_create_limits(app: TestApp) {
    let c = cast(&app).await;
    let path = app.api(&format!("/models/{}", c.model));
    let original = c.dev.get(&path).await.expect(200).body;
    let before = app.audit_count().await;
    let long = |n: usize| "x".repeat(n);
    for (body, field) in [
        (json!({"description": long(5001)}), "description"),
        (json!({"modality": long(101)}), "modality"),
        (json!({"name": long(201)}), "name"),
        (json!({"version": long(101)}), "version"),
    ] {
        // Create refuses it…
        let mut create = json!({"name": "N", "version": "1"});
        create[field] = body[field].clone();
        let r = c
            .dev
            .post(&app.api("/models"), create)
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec![field]);
        // …and so does an update.
        let r = c
            .dev
            .patch(&path, body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec![field]);
    }
    assert_eq!(app.audit_count().await, before, "nothing changed");
    assert_eq!(c.dev.get(&path).await.expect(200).body, original);
    // At the limit it is accepted.
    let r = c
        .dev
        .patch(
            &path,
            json!({"description": long(5000), "modality": long(100)}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["description"].as_str().unwrap().len(), 5000);
}

async fn planned_release_is_cleared_by_null_or_empty(app: TestApp) {
    let c = cast(&app).await;
    let path = app.api(&format!("/models/{}", c.model));
    let when = rfc(t0() + days(40));
    for clear in [Value::Null, json!("")] {
        let r = c
            .dev
            .patch(&path, json!({"planned_partner_release_at": when}))
            .await
            .expect(200);
        assert_eq!(r.body["planned_partner_release_at"], when.as_str());
        // Absent: unchanged.
        let r = c
            .dev
            .patch(&path, json!({"description": "edited"}))
            .await
            .expect(200);
        assert_eq!(r.body["planned_partner_release_at"], when.as_str());
        // Null (what the web form sends for an empty field) or "": cleared.
        let r = c
            .dev
            .patch(&path, json!({"planned_partner_release_at": clear}))
            .await
            .expect(200);
        assert!(
            r.body["planned_partner_release_at"].is_null(),
            "cleared by {clear}: {}",
            r.text
        );
        let m = c.dev.get(&path).await.expect(200);
        assert!(m.body["planned_partner_release_at"].is_null());
    }
    // The frontend sends null for an emptied description too: it clears.
    let r = c
        .dev
        .patch(&path, json!({"description": null, "modality": null}))
        .await
        .expect(200);
    assert_eq!(r.body["description"], "");
}

// ---------------------------------------------------------------- directory, consultations

async fn developers_never_list_other_developers(app: TestApp) {
    let c = cast(&app).await;
    let other = developer(&app, "Northwind Intelligence", "lee@northwind.example").await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let listed = |r: &Resp| -> Vec<(String, String)> {
        items(r)
            .iter()
            .map(|o| {
                (
                    o["id"].as_str().unwrap().to_string(),
                    o["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    for dev in [&c.dev, &other] {
        for q in [
            "",
            "?kind=developer",
            "?kind=agency",
            "?kind=partner",
            "?limit=1",
        ] {
            let r = dev
                .get(&app.api(&format!("/organizations{q}")))
                .await
                .expect(200);
            let orgs = listed(&r);
            assert!(
                orgs.iter().all(|(_, k)| k == "agency" || k == "partner"),
                "a developer sees only agencies and partners ({q}): {orgs:?}"
            );
        }
        // Paging through everything still finds no developer.
        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        loop {
            let q = match &cursor {
                Some(c) => format!("/organizations?limit=1&cursor={c}"),
                None => "/organizations?limit=1".to_string(),
            };
            let r = dev.get(&app.api(&q)).await.expect(200);
            seen.extend(listed(&r));
            match r.body["next_cursor"].as_str() {
                Some(n) => cursor = Some(n.to_string()),
                None => break,
            }
        }
        let ids: Vec<&str> = seen.iter().map(|(i, _)| i.as_str()).collect();
        assert!(ids.contains(&c.nsa.org_id.as_str()) && ids.contains(&x.org_id.as_str()));
        assert!(!ids.contains(&c.dev.org_id.as_str()) && !ids.contains(&other.org_id.as_str()));
    }
    let r = c
        .dev
        .get(&app.api("/organizations?kind=developer"))
        .await
        .expect(200);
    assert!(items(&r).is_empty());
    c.dev
        .get(&app.api("/organizations?kind=operator"))
        .await
        .problem(422, "validation_failed");
    // Agencies still find developers.
    let r = c
        .nsa
        .get(&app.api("/organizations?kind=developer"))
        .await
        .expect(200);
    assert_eq!(listed(&r).len(), 2);
}

async fn an_office_records_only_its_own_consultation(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let before = app.audit_count().await;
    for (who, code) in [
        (&c.cisa, "NCD"),
        (&c.cisa, "NSA"),
        (&c.nsa, "CISA"),
        (&c.nsa, "TREASURY"),
    ] {
        c.dev.get(&dr(&app, &id, "")).await.expect(200);
        who.post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": code, "position": "concur", "note": "Recorded in another office's name."}),
        )
        .await
        .problem(403, "forbidden");
    }
    assert_eq!(app.audit_count().await, before, "nothing changed");
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(g["consultations"], json!([]));
    assert_eq!(g["consulted"]["NCD"], false);
    // An unknown code is still a 422 on the field.
    let r = c
        .cisa
        .post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": "FBI", "position": "concur", "note": "n"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["agency_code"]);
    // Its own code is recorded.
    c.cisa
        .post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": "CISA", "position": "concur", "note": "CISA's own position."}),
        )
        .await
        .expect(201);
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(g["consulted"]["CISA"], true);
    assert_eq!(g["consultations"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------- email verification

async fn verifying_an_email_needs_the_sign_up_password(app: TestApp) {
    // Someone signs up with another person's address and a password of their choosing.
    let victim = "owner@victim.example";
    app.anon
        .post(&app.api("/auth/signup"), json!({"organization_name": "Squatter Labs", "name": "Mallory", "email": victim, "password": PASSWORD}))
        .await
        .expect(201);
    let token = app
        .wait_mail(victim, "Confirm your email")
        .await
        .token()
        .unwrap();
    let url = app.api("/auth/verify-email");
    let verify = |token: String, password: &str| {
        app.anon
            .post(&url, json!({"token": token, "password": password}))
    };
    // The owner clicks the link but does not know the signer's password: nothing activates.
    let wrong = verify(token.clone(), "owner-does-not-know-this-one")
        .await
        .problem(422, "invalid_token");
    let bogus = verify("not-a-token".into(), PASSWORD)
        .await
        .problem(422, "invalid_token");
    assert_eq!(
        (wrong.body["detail"].clone(), wrong.fields()),
        (bogus.body["detail"].clone(), bogus.fields()),
        "a wrong password answers exactly like a bad link"
    );
    // The body must carry the password.
    let r = app
        .anon
        .post(&app.api("/auth/verify-email"), json!({"token": token}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["password"]);
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": victim, "password": PASSWORD}),
        )
        .await
        .problem(403, "email_not_verified");
    // Wrong passwords count toward the sign-in lockout (5 free failures in all).
    for _ in 0..4 {
        verify(token.clone(), "still-not-the-password")
            .await
            .problem(422, "invalid_token");
    }
    let locked = verify(token.clone(), PASSWORD)
        .await
        .problem(429, "throttled");
    assert!(locked.headers.get("retry-after").is_some());
    app.anon
        .post(
            &app.api("/auth/login"),
            json!({"email": victim, "password": PASSWORD}),
        )
        .await
        .problem(429, "throttled");
    // After the lockout, the person who signed up (who knows the password) verifies; the link
    // was not used up by the failures.
    app.advance(Duration::minutes(2));
    let r = verify(token.clone(), PASSWORD).await.expect(200);
    assert_eq!(r.body["user"]["email_verified"], true);
    verify(token, PASSWORD).await.problem(422, "invalid_token");
    app.login(victim, PASSWORD).await;
}
