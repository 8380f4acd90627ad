//! Single sign-on with OpenID Connect (DESIGN §7): the sign-in page's "Sign in with …" buttons.
//!
//! - `GET /auth/oidc` lists the configured providers (`auth.oidc.<name>` in the configuration).
//! - `GET /auth/oidc/{provider}/start` keeps a new attempt server-side (`state`, `nonce`, PKCE
//!   verifier; 10 minutes, used once), binds it to this browser with an HttpOnly SameSite=Lax
//!   cookie and redirects (303) to the provider.
//! - `GET /auth/oidc/{provider}/callback` is where the provider sends the browser back. It
//!   takes the attempt (so a replay finds nothing), checks the cookie, exchanges the code and
//!   verifies the ID token ([`crate::auth::oidc`]), then finds the account:
//!   an identity linked before (provider + subject) signs in its account; otherwise an active
//!   or invited account with the same provider-verified email (case-insensitive) is linked
//!   (`user.sso_linked`) and signed in. The sign-in is the same as a password's: through
//!   [`begin_session`](crate::api::sessions::begin_session), and for a user with a second
//!   factor the usual second step ([`crate::api::mfa::challenge`]'s pending cookie), unless the
//!   provider's `amr` shows a multi-factor sign-in ([`crate::domain::sso::amr_shows_mfa`]),
//!   which counts as the second factor. A user who must enrol is held on enrolment as after a
//!   password. Every refusal redirects to `/sign-in?sso_error=<reason>` without a session.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::header::LOCATION;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::api::mfa::{challenge_cookie, MfaMethod};
use crate::api::JsonBody;
use crate::audit::{self, AuditCtx, NewEvent};
use crate::auth::tokens::Audience;
use crate::auth::{ClientInfo, ReqCtx};
use crate::clock::to_db;
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::sso::{self, AccountState, SsoRefusal};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::accounts::{self as accounts, UserRow, SESSION_ABSOLUTE};
use crate::store::new_id;
use crate::store::oidc::{self as store, AttemptRow};

/// How long an attempt may take from the start route to the callback.
pub const ATTEMPT_TTL: Duration = Duration::minutes(10);

/// The attempt cookie's name: `__Host-` prefixed (and `Secure`) when served over https.
pub fn attempt_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-portal_oidc"
    } else {
        "portal_oidc"
    }
}

/// SameSite=Lax, unlike the session cookie: the callback is a top-level navigation coming from
/// the provider's site, where a Strict cookie would not be sent.
fn attempt_cookie(state: &AppState, value: String, max_age: CookieDuration) -> Cookie<'static> {
    let https = state.settings.is_https();
    let mut c = Cookie::build(attempt_cookie_name(https), value)
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .finish();
    c.set_max_age(max_age);
    c
}

fn binding_of(cookie_value: &str) -> String {
    hex::encode(Sha256::digest(cookie_value.as_bytes()))
}

fn redirect_uri(state: &AppState, provider: &str) -> String {
    format!(
        "{}/api/v1/auth/oidc/{provider}/callback",
        state.notifier.public_url()
    )
}

fn see_other(location: &str) -> actix_web::HttpResponseBuilder {
    let mut r = HttpResponse::SeeOther();
    r.insert_header((LOCATION, location.to_string()));
    r
}

/// The sign-in page with the refusal's reason; the attempt cookie is removed.
fn refused(state: &AppState, provider: &str, why: SsoRefusal) -> HttpResponse {
    tracing::info!(provider, reason = why.as_str(), "SSO sign-in refused");
    let mut gone = attempt_cookie(state, String::new(), CookieDuration::ZERO);
    gone.make_removal();
    see_other(&format!("/sign-in?sso_error={}", why.as_str()))
        .cookie(gone)
        .finish()
}

/// A configured provider, as the sign-in page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OidcProviderOut {
    /// The provider's name in the routes (`/auth/oidc/{name}/start`).
    #[schema(example = "agency-idp")]
    pub name: String,
    /// What the button says after "Sign in with".
    #[schema(example = "Agency ID")]
    pub display_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OidcProviderList {
    /// In name order; empty when single sign-on is not configured.
    pub items: Vec<OidcProviderOut>,
}

/// The single sign-on providers configured on this portal (`auth.oidc.<name>`), for the
/// sign-in page's "Sign in with …" buttons. Public; lists names only, never a client id or
/// secret.
#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc",
    operation_id = "listSsoProviders",
    tag = "auth",
    responses(
        (status = 200, body = OidcProviderList),
    ),
)]
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json_body(OidcProviderList {
        items: state
            .oidc
            .all()
            .map(|p| OidcProviderOut {
                name: p.name.clone(),
                display_name: p.display_name.clone(),
            })
            .collect(),
    })
}

/// Starts single sign-on: keeps a new attempt (its `state`, `nonce` and PKCE verifier) on the
/// server for 10 minutes, sets the HttpOnly SameSite=Lax attempt cookie that ties it to this
/// browser, and redirects to the provider's authorization page (code flow, PKCE S256). When
/// the provider cannot be reached it redirects to `/sign-in?sso_error=provider_unavailable`.
/// Meant as the target of a plain link.
#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc/{provider}/start",
    operation_id = "startSsoSignIn",
    tag = "auth",
    params(
        ("provider" = String, Path, description = "A configured provider's name (see GET /auth/oidc)"),
    ),
    responses(
        (status = 303, description = "To the provider's authorization page (or, when it cannot be reached, to /sign-in?sso_error=provider_unavailable)"),
        (status = 404, description = "No provider of that name is configured", body = crate::api::dto::Problem),
    ),
)]
pub async fn start(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let name = path.into_inner();
    let provider = state.oidc.get(&name).ok_or_else(AppError::not_found)?;
    let begun = match provider.begin(&redirect_uri(&state, &name)).await {
        Ok(b) => b,
        Err(why) => return Ok(refused(&state, &name, why)),
    };
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let cookie_value = hex::encode(secret);
    let now = state.clock.now();
    let row = AttemptRow {
        state: begun.state,
        provider: name,
        binding: binding_of(&cookie_value),
        nonce: begun.nonce,
        pkce_verifier: begun.pkce_verifier,
        created_at: to_db(now),
        expires_at: to_db(now + ATTEMPT_TTL),
    };
    db::tx(&state.pool, move |conn| {
        Ok(store::put_attempt(conn, &row, now)?)
    })
    .await?;
    Ok(see_other(&begun.authorize_url)
        .cookie(attempt_cookie(
            &state,
            cookie_value,
            CookieDuration::seconds(ATTEMPT_TTL.num_seconds()),
        ))
        .finish())
}

/// What the provider sends back (RFC 6749 §4.1.2, and §4.1.2.1 for errors).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The attempt's `state`, as sent to the provider.
    pub state: Option<String>,
    /// Set instead of `code` when the provider refused or the person cancelled.
    pub error: Option<String>,
}

enum Outcome {
    SignedIn {
        sid: String,
    },
    SecondStep {
        user_id: String,
        methods: Vec<MfaMethod>,
    },
}

/// The provider's redirect back after sign-in. Verifies everything (attempt unused, unexpired
/// and started by this browser; code exchange with PKCE; ID token signature, issuer, audience,
/// expiry and nonce; `email_verified`), then finds or links the account and signs in: 303 to
/// `/` with the session cookie, or, for a user with a second factor whose provider sign-in was
/// not multi-factor (`amr`), to `/sign-in?sso=second_factor&methods=…` with the pending
/// cookie of `POST /auth/login/mfa`. Any failure: 303 to `/sign-in?sso_error=<reason>`
/// (`provider_unavailable`, `provider_error`, `attempt_invalid`, `token_invalid`,
/// `email_not_verified`, `no_account`, `account_disabled`) and no session.
#[utoipa::path(
    get,
    path = "/api/v1/auth/oidc/{provider}/callback",
    operation_id = "finishSsoSignIn",
    tag = "auth",
    params(
        ("provider" = String, Path, description = "A configured provider's name"),
        CallbackQuery,
    ),
    responses(
        (status = 303, description = "Signed in (to /, the session cookie set), second step due (to /sign-in?sso=second_factor&methods=…, the pending cookie set), or refused (to /sign-in?sso_error=<reason>)"),
        (status = 404, description = "No provider of that name is configured", body = crate::api::dto::Problem),
    ),
)]
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    ctx: ReqCtx,
    client: ClientInfo,
    path: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> AppResult<HttpResponse> {
    let name = path.into_inner();
    let provider = state.oidc.get(&name).ok_or_else(AppError::not_found)?;
    let q = query.into_inner();
    let now = state.clock.now();
    let Some(state_param) = q.state.filter(|s| !s.is_empty()) else {
        return Ok(refused(&state, &name, SsoRefusal::AttemptInvalid));
    };
    let binding = req
        .cookie(attempt_cookie_name(state.settings.is_https()))
        .map(|c| binding_of(c.value()));
    let attempt = db::tx(&state.pool, move |conn| {
        Ok(store::take_attempt(conn, &state_param, now)?)
    })
    .await?;
    let attempt = match (attempt, binding) {
        (Some(a), Some(b))
            if a.provider == name
                && constant_time_eq::constant_time_eq(a.binding.as_bytes(), b.as_bytes()) =>
        {
            a
        }
        _ => return Ok(refused(&state, &name, SsoRefusal::AttemptInvalid)),
    };
    if let Some(err) = q.error {
        tracing::info!(provider = %name, error = %err.chars().take(64).collect::<String>(), "SSO provider answered an error");
        return Ok(refused(&state, &name, SsoRefusal::ProviderError));
    }
    let Some(code) = q.code else {
        return Ok(refused(&state, &name, SsoRefusal::ProviderError));
    };
    let identity = match provider
        .complete(
            &redirect_uri(&state, &name),
            code,
            attempt.pkce_verifier,
            attempt.nonce,
        )
        .await
    {
        Ok(i) => i,
        Err(why) => return Ok(refused(&state, &name, why)),
    };
    let email = match &identity.email {
        Some(e) if identity.email_verified => accounts::normalize_email(e),
        _ => return Ok(refused(&state, &name, SsoRefusal::EmailNotVerified)),
    };
    let st = state.clone();
    let pname = name.clone();
    let result = db::tx(&state.pool, move |conn| {
        let user = match find_or_link(conn, &pname, &identity, &email, now, &ctx)? {
            Ok(u) => u,
            Err(why) => return Ok(Err(why)),
        };
        let actx = AuditCtx {
            actor_user_id: Some(user.id.clone()),
            actor_org_id: Some(user.organization_id.clone()),
            request_id: ctx.request_id.clone(),
            now: Some(now),
        };
        let multi_factor = sso::amr_shows_mfa(&identity.amr);
        let sid = new_id();
        let expires = now + SESSION_ABSOLUTE;
        let detail = json!({"via": "sso", "provider": pname, "amr": identity.amr});
        if multi_factor {
            // The provider's multi-factor sign-in is this session's factor: stepped up now.
            let mut factor = detail;
            factor["second_factor"] = json!("sso_amr");
            crate::api::mfa::open_second_factor_session(
                conn, &st, &actx, &user, &sid, expires, &client, factor,
            )?;
            return Ok(Ok(Outcome::SignedIn { sid }));
        }
        if crate::store::mfa::has_factor(conn, &user.id)? {
            let methods = crate::api::mfa::methods_of(conn, &user.id)?;
            return Ok(Ok(Outcome::SecondStep {
                user_id: user.id,
                methods,
            }));
        }
        // No factor to ask for: a plain session (a user who must enrol one is then held on
        // enrolment by the extractor, as after a password sign-in).
        crate::api::sessions::open_session(
            conn,
            st.notifier.public_url(),
            &actx,
            &user,
            &sid,
            now,
            expires,
            false,
            &client,
            detail,
        )?;
        Ok(Ok(Outcome::SignedIn { sid }))
    })
    .await?;
    let mut gone = attempt_cookie(&state, String::new(), CookieDuration::ZERO);
    gone.make_removal();
    match result {
        Err(why) => Ok(refused(&state, &name, why)),
        Ok(Outcome::SignedIn { sid }) => {
            let expires = now + SESSION_ABSOLUTE;
            let jwt = state.keys.issue(Audience::Session, &sid, now, expires);
            Ok(see_other("/")
                .cookie(crate::api::auth::session_cookie(
                    &state,
                    jwt,
                    Some(CookieDuration::seconds(SESSION_ABSOLUTE.num_seconds())),
                ))
                .cookie(gone)
                .finish())
        }
        Ok(Outcome::SecondStep { user_id, methods }) => {
            let list: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
            Ok(see_other(&format!(
                "/sign-in?sso=second_factor&methods={}",
                list.join(",")
            ))
            .cookie(challenge_cookie(&state, &user_id, now))
            .cookie(gone)
            .finish())
        }
    }
}

/// The account the identity signs in to: the one linked to (provider, subject), or else the
/// active or invited account with the verified email, which is then linked (and, if invited,
/// activated). A refusal is the inner `Err`.
fn find_or_link(
    conn: &mut DbConn,
    provider: &str,
    identity: &crate::auth::oidc::Identity,
    email: &str,
    now: DateTime<Utc>,
    ctx: &ReqCtx,
) -> AppResult<Result<UserRow, SsoRefusal>> {
    if let Some(uid) = store::linked_user(conn, provider, &identity.subject)? {
        let (user, _) = accounts::user_with_org(conn, &uid)?;
        if user.disabled_at.is_some()
            || crate::store::orgs::deactivated_at(conn, &user.organization_id)?.is_some()
        {
            return Ok(Err(SsoRefusal::AccountDisabled));
        }
        store::touch_identity(conn, provider, &identity.subject, now)?;
        return Ok(Ok(user));
    }
    let Some((user, _)) = accounts::user_by_email(conn, email)? else {
        return Ok(Err(SsoRefusal::NoAccount));
    };
    // A deactivated organization's people sign in no way at all (told as a disabled account).
    let deactivated = crate::store::orgs::deactivated_at(conn, &user.organization_id)?.is_some();
    let account = AccountState::of(
        user.disabled_at.is_some() || deactivated,
        user.email_verified_at.is_some(),
        user.password_hash.is_some(),
    );
    let activates = match sso::may_link(account) {
        Ok(a) => a,
        Err(why) => return Ok(Err(why)),
    };
    if activates {
        // The invitation is accepted through SSO: the address is confirmed by the provider,
        // the invitation link is spent, and the name comes from the provider (or the address).
        accounts::mark_verified(conn, &user.id, now)?;
        accounts::expire_email_tokens(
            conn,
            &user.id,
            crate::accounts::LinkPurpose::Invitation.as_str(),
            now,
        )?;
        if user.name.trim().is_empty() {
            let name = identity
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string());
            accounts::set_name(conn, &user.id, &name.chars().take(200).collect::<String>())?;
        }
    }
    store::link(conn, provider, &identity.subject, &user.id, email, now)?;
    audit::append(
        conn,
        &AuditCtx {
            actor_user_id: Some(user.id.clone()),
            actor_org_id: Some(user.organization_id.clone()),
            request_id: ctx.request_id.clone(),
            now: Some(now),
        },
        NewEvent {
            action: AuditAction::UserSsoLinked,
            target_type: "user",
            target_id: &user.id,
            visible_to: vec![user.organization_id.clone()],
            detail: json!({"provider": provider, "invitation_accepted": activates}),
        },
    )?;
    Ok(Ok(accounts::user_with_org(conn, &user.id)?.0))
}
