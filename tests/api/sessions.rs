//! API token scope and expiry, the sessions page (`GET/DELETE /auth/sessions`), the
//! new-browser sign-in email, and the audit events of factors and credentials (DESIGN §7).

use chrono::Duration;
use serde_json::{json, Value};

use crate::dual_tests;
use crate::helpers::*;

dual_tests!(
    a_read_token_reads_and_never_writes,
    token_scope_and_expiry_are_checked,
    the_sessions_page_lists_only_the_callers_own,
    ending_a_session_or_token_stops_it_at_once,
    a_sign_in_from_a_new_browser_queues_one_email,
    factor_and_credential_changes_are_audited,
);

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CHROME_NEWER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36";
const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// Signs in from a browser with this `User-Agent` (and the second factor when asked).
async fn login_from(app: &TestApp, email: &str, ua: &str) -> Client {
    let mut c = app.client();
    c.user_agent = Some(ua.to_string());
    let r = c
        .post(
            &app.api("/auth/login"),
            json!({"email": email, "password": PASSWORD}),
        )
        .await
        .expect(200);
    if r.body["mfa_required"] == true {
        c.post(
            &app.api("/auth/login/mfa"),
            json!({"code": app.totp_code(email)}),
        )
        .await
        .expect(200);
    }
    c
}

fn bearer(app: &TestApp, token: &Value) -> Client {
    let mut c = Client::new(&app.base, false);
    c.bearer = Some(token.as_str().unwrap().to_string());
    c
}

async fn a_read_token_reads_and_never_writes(app: TestApp) {
    let dev = app
        .signup_developer("Scope Labs", "scope@scope.example")
        .await;
    let r = dev
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "dashboard", "scope": "read", "expires_in_days": 30}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["scope"], "read");
    assert_eq!(
        r.body["expires_at"],
        json!(rfc(app.now() + Duration::days(30)))
    );
    let read = bearer(&app, &r.body["token"]);
    read.get(&app.api("/auth/me")).await.expect(200);
    read.get(&app.api("/models")).await.expect(200);
    let before = app.audit_count().await;
    let tokens_before = dev.get(&app.api("/auth/api-tokens")).await.expect(200).body;
    read.post(&app.api("/auth/api-tokens"), json!({"name": "sneaky"}))
        .await
        .problem(403, "insufficient_scope");
    read.post(
        &app.api("/models"),
        json!({"name": "Sneaky", "version": "1"}),
    )
    .await
    .problem(403, "insufficient_scope");
    read.patch(&app.api("/organizations/me"), json!({"mfa_required": true}))
        .await
        .problem(403, "insufficient_scope");
    read.delete(&app.api(&format!("/auth/api-tokens/{}", r.id())))
        .await
        .problem(403, "insufficient_scope");
    read.delete(&app.api(&format!("/auth/sessions/{}", r.id())))
        .await
        .problem(403, "insufficient_scope");
    // Nothing changed: no audit event, no new token, no model, the policy is the same.
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        dev.get(&app.api("/auth/api-tokens")).await.expect(200).body,
        tokens_before
    );
    assert_eq!(
        read.get(&app.api("/models")).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        read.get(&app.api("/organizations/me"))
            .await
            .expect(200)
            .body["mfa_policy"]["required_by_organization"],
        false
    );
    // A token made without a scope can write, as tokens always could.
    let rw = dev
        .post(&app.api("/auth/api-tokens"), json!({"name": "ci"}))
        .await
        .expect(201);
    assert_eq!(rw.body["scope"], "read_write");
    bearer(&app, &rw.body["token"])
        .post(&app.api("/auth/api-tokens"), json!({"name": "from ci"}))
        .await
        .expect(201);
}

async fn token_scope_and_expiry_are_checked(app: TestApp) {
    let dev = app.signup_developer("Expiry Labs", "exp@exp.example").await;
    for (body, field) in [
        (
            json!({"name": "t", "expires_in_days": 366}),
            "expires_in_days",
        ),
        (
            json!({"name": "t", "expires_in_days": 0}),
            "expires_in_days",
        ),
        (
            json!({"name": "t", "expires_in_days": -5}),
            "expires_in_days",
        ),
        (json!({"name": "t", "scope": "admin"}), "scope"),
        (json!({"name": "t", "scope": "READ"}), "scope"),
    ] {
        let r = dev
            .post(&app.api("/auth/api-tokens"), body.clone())
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec![field.to_string()], "{body}");
    }
    assert_eq!(
        dev.get(&app.api("/auth/api-tokens")).await.expect(200).body["items"],
        json!([])
    );
    // A year is the most.
    let r = dev
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "yearly", "scope": "read", "expires_in_days": 365}),
        )
        .await
        .expect(201);
    let tok = bearer(&app, &r.body["token"]);
    app.advance(Duration::days(365) - Duration::seconds(1));
    tok.get(&app.api("/auth/me")).await.expect(200);
    app.advance(Duration::seconds(1));
    tok.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // An expired token is no longer on the sessions page either.
    let dev = app.login("exp@exp.example", PASSWORD).await;
    let list = dev.get(&app.api("/auth/sessions")).await.expect(200);
    assert_eq!(list.body["api_tokens"], json!([]));
}

async fn the_sessions_page_lists_only_the_callers_own(app: TestApp) {
    let dev = app.signup_developer("Own Labs", "own@own.example").await;
    let other = app.signup_developer("Else Labs", "else@else.example").await;
    let chrome = login_from(&app, "own@own.example", CHROME).await;
    let firefox = login_from(&app, "own@own.example", FIREFOX).await;
    let tok = chrome
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "nightly", "scope": "read", "expires_in_days": 7}),
        )
        .await
        .expect(201);
    other
        .post(&app.api("/auth/api-tokens"), json!({"name": "theirs"}))
        .await
        .expect(201);
    app.advance(Duration::minutes(2));
    let r = chrome.get(&app.api("/auth/sessions")).await.expect(200);
    let sessions = r.body["sessions"].as_array().unwrap();
    // Newest first: Firefox, Chrome, then the sign-in of signup_developer (no User-Agent).
    let labels: Vec<&str> = sessions
        .iter()
        .map(|s| s["browser"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["Firefox on Windows", "Chrome on Linux", "Unknown browser"]
    );
    let current: Vec<&Value> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["browser"], "Chrome on Linux");
    assert_eq!(current[0]["ip"], "127.0.0.1");
    // The request just made moved its last_seen_at (written at most once a minute).
    assert_eq!(current[0]["last_seen_at"], json!(rfc(app.now())));
    assert_eq!(sessions[0]["last_seen_at"], sessions[0]["created_at"]);
    let tokens = r.body["api_tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["id"], tok.body["id"]);
    assert_eq!(tokens[0]["name"], "nightly");
    assert_eq!(tokens[0]["scope"], "read");
    assert!(tokens[0].get("token").is_none());
    // No secret in the answer: neither the token's value nor any session cookie's.
    let secret = tok.body["token"].as_str().unwrap();
    assert!(!r.text.contains(secret));
    assert!(!r.text.contains("eyJ"), "no JWT in {}", r.text);
    // The other user's list holds none of these.
    let theirs = other.get(&app.api("/auth/sessions")).await.expect(200);
    let ids = |v: &Value, k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    let mine = [ids(&r.body, "sessions"), ids(&r.body, "api_tokens")].concat();
    let their_ids = [
        ids(&theirs.body, "sessions"),
        ids(&theirs.body, "api_tokens"),
    ]
    .concat();
    assert_eq!(their_ids.len(), 2);
    assert!(their_ids.iter().all(|i| !mine.contains(i)));
    // The other user cannot end any of them: 404, as for an id that does not exist.
    for id in &mine {
        other
            .delete(&app.api(&format!("/auth/sessions/{id}")))
            .await
            .problem(404, "not_found");
    }
    other
        .delete(&app.api(&format!("/auth/sessions/{}", uuid::Uuid::now_v7())))
        .await
        .problem(404, "not_found");
    firefox.get(&app.api("/auth/me")).await.expect(200);
    dev.get(&app.api("/auth/me")).await.expect(200);
    bearer(&app, &tok.body["token"])
        .get(&app.api("/auth/me"))
        .await
        .expect(200);
}

async fn ending_a_session_or_token_stops_it_at_once(app: TestApp) {
    app.signup_developer("End Labs", "end@end.example").await;
    let chrome = login_from(&app, "end@end.example", CHROME).await;
    let firefox = login_from(&app, "end@end.example", FIREFOX).await;
    let tok = chrome
        .post(&app.api("/auth/api-tokens"), json!({"name": "deploy"}))
        .await
        .expect(201);
    let api = bearer(&app, &tok.body["token"]);
    api.get(&app.api("/auth/me")).await.expect(200);
    let list = firefox.get(&app.api("/auth/sessions")).await.expect(200);
    let id_of = |label: &str| -> String {
        list.body["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["browser"] == label)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (chrome_id, firefox_id) = (id_of("Chrome on Linux"), id_of("Firefox on Windows"));
    // Firefox ends the Chrome session: Chrome's cookie answers 401 from then on.
    firefox
        .delete(&app.api(&format!("/auth/sessions/{chrome_id}")))
        .await
        .expect(204);
    chrome
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // …and the token.
    firefox
        .delete(&app.api(&format!("/auth/sessions/{}", tok.id())))
        .await
        .expect(204);
    api.get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    let list = firefox.get(&app.api("/auth/sessions")).await.expect(200);
    let ids: Vec<&str> = list.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&chrome_id.as_str()) && ids.contains(&firefox_id.as_str()));
    assert_eq!(list.body["api_tokens"], json!([]));
    // Ending the current session signs out: the cookie is removed, and replayed it is refused.
    let cookie_value = {
        let mut plain = Client::new(&app.base, false);
        plain.user_agent = Some(FIREFOX.into());
        let r = plain
            .post(
                &app.api("/auth/login"),
                json!({"email": "end@end.example", "password": PASSWORD}),
            )
            .await
            .expect(200);
        let set = r.headers["set-cookie"].to_str().unwrap().to_string();
        set.split(';').next().unwrap().to_string()
    };
    let r = firefox
        .delete(&app.api(&format!("/auth/sessions/{firefox_id}")))
        .await
        .expect(204);
    let set = r.headers["set-cookie"].to_str().unwrap();
    assert!(set.starts_with("portal_session=;"), "{set}");
    assert!(set.contains("Max-Age=0"), "{set}");
    firefox
        .get(&app.api("/auth/me"))
        .await
        .problem(401, "unauthenticated");
    // The other cookie still works until it is ended, then it is refused as well.
    let raw = |cookie: String| {
        let http = reqwest::Client::new();
        let url = format!("{}{}", app.base, app.api("/auth/me"));
        async move {
            http.get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(raw(cookie_value.clone()).await, 200);
    let third = login_from(&app, "end@end.example", FIREFOX).await;
    let list = third.get(&app.api("/auth/sessions")).await.expect(200);
    for s in list.body["sessions"].as_array().unwrap() {
        if s["current"] == false {
            third
                .delete(&app.api(&format!("/auth/sessions/{}", s["id"].as_str().unwrap())))
                .await
                .expect(204);
        }
    }
    assert_eq!(raw(cookie_value).await, 401);
    third.get(&app.api("/auth/me")).await.expect(200);
}

async fn a_sign_in_from_a_new_browser_queues_one_email(app: TestApp) {
    let email = "new@newbrowser.example";
    app.signup_developer("Newbrowser Labs", email).await;
    // The first session of an account (right after sign-up) sends none.
    assert_eq!(app.queued_mail(email, Some("new_sign_in")).await, 0);
    login_from(&app, email, CHROME).await;
    assert_eq!(app.queued_mail(email, Some("new_sign_in")).await, 1);
    // The same browser again, a newer version of it: none.
    login_from(&app, email, CHROME).await;
    login_from(&app, email, CHROME_NEWER).await;
    assert_eq!(app.queued_mail(email, Some("new_sign_in")).await, 1);
    app.run_jobs().await;
    let mail = app.wait_mail(email, "A new sign-in").await;
    assert!(mail.raw.contains("from Chrome on Linux"), "{}", mail.raw);
    assert!(
        mail.raw
            .contains(&app.now().format("%Y-%m-%d %H:%M UTC").to_string()),
        "{}",
        mail.raw
    );
    assert!(
        mail.link().unwrap().ends_with("/sessions"),
        "{:?}",
        mail.link()
    );
    // Nothing of the header's own text, no address, no token.
    assert!(!mail.raw.contains("Mozilla") && !mail.raw.contains("X11"));
    assert!(!mail.raw.contains("token="));
    // Another browser, through the second factor too: one more.
    let c = login_from(&app, email, CHROME).await;
    app.enrol_totp(&c, email).await;
    login_from(&app, email, FIREFOX).await;
    assert_eq!(app.queued_mail(email, Some("new_sign_in")).await, 2);
    login_from(&app, email, FIREFOX).await;
    assert_eq!(app.queued_mail(email, Some("new_sign_in")).await, 2);
    // After 90 days without it, a browser counts as new again.
    app.advance(Duration::days(91));
    login_from(&app, email, CHROME).await;
    assert_eq!(app.queued_mail(email, Some("new_sign_in")).await, 3);
}

/// The audit actions of one user, oldest first, with their details.
async fn actions_of(app: &TestApp, user_id: &str) -> Vec<(String, Value)> {
    let uid = user_id.to_string();
    app.db(move |c| {
        use diesel::prelude::*;
        use frontier_portal::db::schema::audit_events as ae;
        ae::table
            .filter(ae::actor_user_id.eq(uid))
            .order(ae::seq.asc())
            .select((ae::action, ae::detail))
            .load::<(String, String)>(c)
            .unwrap()
            .into_iter()
            .map(|(a, d)| (a, serde_json::from_str(&d).unwrap()))
            .collect()
    })
    .await
}

async fn factor_and_credential_changes_are_audited(app: TestApp) {
    let email = "audit@factors.example";
    let dev = app.signup_developer("Factor Labs", email).await;
    let seen = actions_of(&app, &dev.id).await.len();
    let codes = app.enrol_totp(&dev, email).await;
    dev.post(
        &app.api("/auth/step-up"),
        json!({"code": app.totp_code(email)}),
    )
    .await
    .expect(200);
    dev.post(
        &app.api("/auth/step-up"),
        json!({"recovery_code": codes[0]}),
    )
    .await
    .expect(200);
    let tok = dev
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "audited", "scope": "read", "expires_in_days": 10}),
        )
        .await
        .expect(201);
    dev.delete(&app.api(&format!("/auth/sessions/{}", tok.id())))
        .await
        .expect(204);
    // A sign-in with a recovery code, then ending that session from the sessions page.
    let c = app.client();
    c.post(
        &app.api("/auth/login"),
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(200);
    c.post(
        &app.api("/auth/login/mfa"),
        json!({"recovery_code": codes[1]}),
    )
    .await
    .expect(200);
    let list = dev.get(&app.api("/auth/sessions")).await.expect(200);
    let other = list.body["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    dev.delete(&app.api(&format!("/auth/sessions/{other}")))
        .await
        .expect(204);
    dev.delete(&app.api("/auth/mfa/totp")).await.expect(204);
    let got = actions_of(&app, &dev.id).await;
    let got: Vec<(String, Value)> = got[seen..].to_vec();
    let names: Vec<&str> = got.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        names,
        [
            "mfa.totp_enrolment_started",
            "mfa.totp_enrolled",
            "mfa.step_up",
            "mfa.recovery_code_used",
            "mfa.step_up",
            "api_token.created",
            "api_token.revoked",
            "mfa.recovery_code_used",
            "session.created",
            "session.ended",
            "mfa.totp_removed",
        ]
    );
    let detail = |i: usize| &got[i].1;
    assert_eq!(detail(3)["during"], "step_up");
    assert_eq!(detail(4)["second_factor"], "recovery_code");
    assert_eq!(detail(5)["scope"], "read");
    assert_eq!(detail(6)["from"], "sessions_page");
    assert_eq!(detail(7)["during"], "sign_in");
    assert_eq!(detail(9)["session_id"], json!(other));
    assert_eq!(detail(9)["from"], "sessions_page");
    assert_eq!(detail(9)["current"], false);
    // No secret in any of them.
    let all = serde_json::to_string(&got).unwrap();
    assert!(!all.contains(&codes[0]) && !all.contains(&codes[1]));
    assert!(!all.contains(tok.body["token"].as_str().unwrap()));
}
