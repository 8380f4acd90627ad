//! Single sign-on against a real OpenID Provider (npm `oidc-provider`, started once per test
//! binary by `helpers::oidc_issuer`): its discovery, keys, signed ID tokens, PKCE and nonce
//! checks are the provider's own. The test walks the browser's redirects by hand (no redirect
//! following), so it can tamper with `state` and `nonce` where an attacker would. Accounts at
//! the provider are picked with `login_hint` (see frontend/tests/oidc/provider.mjs).

use std::sync::Arc;

use reqwest::Url;
use serde_json::json;

use crate::helpers::*;

macro_rules! sso_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_sso_app($crate::helpers::Backend::Sqlite).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_sso_app($crate::helpers::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

sso_tests!(
    sso_links_by_verified_email_then_finds_the_subject,
    sso_refuses_without_a_linkable_account,
    sso_refuses_tampered_state_nonce_and_replay,
    sso_amr_mfa_is_the_second_factor_else_the_second_step_follows,
    sso_unknown_provider_is_404,
);

#[derive(Clone, Copy, PartialEq)]
enum Tamper {
    None,
    /// Another `state` on the way back (a forged or swapped callback).
    State,
    /// Another `nonce` in the authorization URL, before it goes to the provider.
    Nonce,
}

struct Walk {
    /// Where the portal's callback sent the browser (relative).
    landed: String,
    /// The callback URL, as the provider sent the browser to it.
    callback: String,
    /// The browser (cookie jar, no redirect following) for further calls.
    browser: Client,
}

fn browser(app: &TestApp) -> Client {
    let http = reqwest::Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Client {
        base: app.base.clone(),
        http,
        csrf: true,
        bearer: None,
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0".into()),
    }
}

fn location(r: &Resp, from: &Url) -> Url {
    assert_eq!(
        r.status, 303,
        "expected a redirect, got {} {}",
        r.status, r.text
    );
    let l = r.headers["location"].to_str().unwrap();
    from.join(l).unwrap()
}

/// Signs in at the provider as `hint`, following each redirect as a browser would.
async fn walk(app: &TestApp, c: &Client, hint: &str, tamper: Tamper) -> Walk {
    let start = Url::parse(&format!("{}/api/v1/auth/oidc/test/start", app.base)).unwrap();
    let r = c.get(start.as_str()).await;
    let mut authorize = location(&r, &start);
    assert!(
        authorize.as_str().starts_with(&oidc_issuer()),
        "start goes to the provider: {authorize}"
    );
    let pairs: Vec<(String, String)> = authorize
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(get("code_challenge_method").as_deref(), Some("S256"));
    assert!(get("state").is_some() && get("nonce").is_some());
    authorize
        .query_pairs_mut()
        .clear()
        .extend_pairs(pairs.iter().map(|(k, v)| {
            if k == "nonce" && tamper == Tamper::Nonce {
                (k.clone(), "a-nonce-of-the-attacker".to_string())
            } else {
                (k.clone(), v.clone())
            }
        }))
        .append_pair("login_hint", hint);
    // authorize → login screen → resume → back to the portal's redirect URI
    let mut at = authorize;
    for _ in 0..5 {
        let r = c.get(at.as_str()).await;
        at = location(&r, &at);
        if at.as_str().starts_with(SSO_REDIRECT_URI) {
            break;
        }
    }
    assert!(
        at.as_str().starts_with(SSO_REDIRECT_URI),
        "back to the portal: {at}"
    );
    let mut callback =
        Url::parse(&at.as_str().replace("http://localhost:8080", &app.base)).unwrap();
    if tamper == Tamper::State {
        let pairs: Vec<(String, String)> = callback
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    "forged-state".to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        callback.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let r = c.get(callback.as_str()).await;
    let landed = r.headers["location"].to_str().unwrap().to_string();
    assert_eq!(r.status, 303, "{}", r.text);
    Walk {
        landed,
        callback: callback.to_string(),
        browser: c.clone(),
    }
}

async fn sign_in(app: &TestApp, hint: &str) -> Walk {
    walk(app, &browser(app), hint, Tamper::None).await
}

/// The audit actions written since `seq` (on the app's database).
async fn actions_since(app: &TestApp, seq: i64) -> Vec<(String, String)> {
    app.db(move |conn| {
        use diesel::prelude::*;
        use frontier_portal::db::schema::audit_events::dsl as a;
        a::audit_events
            .filter(a::seq.gt(seq))
            .order(a::seq)
            .select((a::action, a::detail))
            .load::<(String, String)>(conn)
            .unwrap()
    })
    .await
}

async fn sso_links_by_verified_email_then_finds_the_subject(app: TestApp) {
    let listed = app.anon.get(&app.api("/auth/oidc")).await.expect(200);
    assert_eq!(
        listed.body,
        json!({"items": [{"name": "test", "display_name": "Test ID"}]})
    );

    let dev = app
        .signup_developer("Aurora AI", "dana@links.example")
        .await;
    let before = app.audit_count().await;
    // The provider's address differs in case only: the same account.
    let w = sign_in(&app, "sub=idp-links;email=Dana@Links.Example").await;
    assert_eq!(w.landed, "/");
    let me = w.browser.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["user"]["id"], dev.id.as_str());
    let actions = actions_since(&app, before).await;
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(names, ["user.sso_linked", "session.created"]);
    assert!(actions[1].1.contains(r#""via":"sso""#), "{}", actions[1].1);

    // Later sign-ins find the account by the provider's subject, whatever the email says now.
    let w = sign_in(&app, "sub=idp-links;email=dana.reyes@elsewhere.example").await;
    assert_eq!(w.landed, "/");
    let me = w.browser.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["user"]["id"], dev.id.as_str());

    // An invited colleague who never set a password: SSO accepts the invitation.
    dev.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "sam@links.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let w = sign_in(&app, "sam@links.example").await;
    assert_eq!(w.landed, "/");
    let me = w.browser.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(me.body["user"]["email"], "sam@links.example");
    assert_eq!(me.body["user"]["name"], "sam");
}

async fn assert_refused(app: &TestApp, w: &Walk, reason: &str) {
    assert_eq!(w.landed, format!("/sign-in?sso_error={reason}"));
    w.browser.get(&app.api("/auth/me")).await.expect(401);
}

async fn sso_refuses_without_a_linkable_account(app: TestApp) {
    let dev = app
        .signup_developer("Aurora AI", "dana@refuses.example")
        .await;
    let sessions_before = app
        .db(|conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::sessions::dsl as s;
            s::sessions.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    // No account has the address.
    let w = sign_in(&app, "nobody@refuses.example").await;
    assert_refused(&app, &w, "no_account").await;
    // The provider did not verify the address.
    let w = sign_in(&app, "email=dana@refuses.example;verified=0").await;
    assert_refused(&app, &w, "email_not_verified").await;
    // A self sign-up whose address was never confirmed is not linked (whoever registered it
    // first would otherwise be let in).
    app.anon
        .post(&app.api("/auth/signup"), json!({"organization_name": "Squatter Labs", "name": "Sq", "email": "lee@squat.example", "password": PASSWORD}))
        .await
        .expect(201);
    let w = sign_in(&app, "lee@squat.example").await;
    assert_refused(&app, &w, "no_account").await;
    // A disabled account, linked or not.
    let linked = sign_in(&app, "sub=idp-refuses;email=dana@refuses.example").await;
    assert_eq!(linked.landed, "/");
    let op = app.operator().await;
    op.patch(
        &app.api(&format!("/admin/users/{}", dev.id)),
        json!({"disabled": true}),
    )
    .await
    .expect(200);
    let w = sign_in(&app, "sub=idp-refuses;email=dana@refuses.example").await;
    assert_refused(&app, &w, "account_disabled").await;
    let w = sign_in(&app, "sub=idp-other-refuses;email=dana@refuses.example").await;
    assert_refused(&app, &w, "account_disabled").await;
    let sessions_after = app
        .db(|conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::sessions::dsl as s;
            s::sessions.count().get_result::<i64>(conn).unwrap()
        })
        .await;
    // Only the linked sign-in and the operator's made sessions.
    assert_eq!(sessions_after - sessions_before, 2);
}

async fn sso_refuses_tampered_state_nonce_and_replay(app: TestApp) {
    let dev = app
        .signup_developer("Aurora AI", "dana@tamper.example")
        .await;
    let w = walk(&app, &browser(&app), "dana@tamper.example", Tamper::State).await;
    assert_refused(&app, &w, "attempt_invalid").await;
    let w = walk(&app, &browser(&app), "dana@tamper.example", Tamper::Nonce).await;
    assert_refused(&app, &w, "token_invalid").await;

    // A good sign-in, then its callback replayed: the attempt was used.
    let w = sign_in(&app, "dana@tamper.example").await;
    assert_eq!(w.landed, "/");
    let again = browser(&app).get(&w.callback).await;
    assert_eq!(
        again.headers["location"],
        "/sign-in?sso_error=attempt_invalid"
    );
    let same_browser = w.browser.get(&w.callback).await;
    assert_eq!(
        same_browser.headers["location"],
        "/sign-in?sso_error=attempt_invalid"
    );

    // A callback finished in another browser than the one that started it.
    let c = browser(&app);
    let start = c.get(&app.api("/auth/oidc/test/start")).await;
    assert_eq!(start.status, 303);
    let other = browser(&app);
    let mut authorize = Url::parse(start.headers["location"].to_str().unwrap()).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("login_hint", "dana@tamper.example");
    let mut at = authorize;
    while !at.as_str().starts_with(SSO_REDIRECT_URI) {
        let r = c.get(at.as_str()).await;
        at = location(&r, &at);
    }
    let cb = at.as_str().replace("http://localhost:8080", &app.base);
    let r = other.get(&cb).await;
    assert_eq!(r.headers["location"], "/sign-in?sso_error=attempt_invalid");
    // The attempt is spent even for the browser that started it.
    let r = c.get(&cb).await;
    assert_eq!(r.headers["location"], "/sign-in?sso_error=attempt_invalid");
    let _ = dev;
}

async fn sso_amr_mfa_is_the_second_factor_else_the_second_step_follows(app: TestApp) {
    let dev = app.signup_developer("Aurora AI", "dana@amr.example").await;
    app.enrol_totp(&dev, "dana@amr.example").await;

    // The provider's sign-in was multi-factor: no second step, and the session is stepped up
    // (creating an API token needs step-up).
    let w = sign_in(&app, "email=dana@amr.example;amr=pwd,mfa").await;
    assert_eq!(w.landed, "/");
    w.browser
        .post(&app.api("/auth/api-tokens"), json!({"name": "ci"}))
        .await
        .expect(201);

    // A password-only provider sign-in: the usual second step, no session yet.
    let w = sign_in(&app, "email=dana@amr.example;amr=pwd").await;
    assert_eq!(
        w.landed,
        "/sign-in?sso=second_factor&methods=totp,recovery_code"
    );
    w.browser.get(&app.api("/auth/me")).await.expect(401);
    let code = app.totp_code("dana@amr.example");
    let r = w
        .browser
        .post(&app.api("/auth/login/mfa"), json!({"code": code}))
        .await
        .expect(200);
    assert_eq!(r.body["user"]["id"], dev.id.as_str());
    w.browser.get(&app.api("/auth/me")).await.expect(200);
}

async fn sso_unknown_provider_is_404(app: TestApp) {
    app.anon
        .get(&app.api("/auth/oidc/nope/start"))
        .await
        .problem(404, "not_found");
    app.anon
        .get(&app.api("/auth/oidc/nope/callback?code=x&state=y"))
        .await
        .problem(404, "not_found");
}
