//! Sign-up, email verification, sign-in/out, password reset, invitations and API tokens.
//!
//! Answers never reveal whether an account exists: sign-up with a taken address answers like a
//! fresh one (and creates nothing), reset requests always answer 202, and a failed sign-in for
//! an unknown address costs the same argon2 time and gives the same 401 as a wrong password.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::JsonBody;
use crate::domain::audit::AuditAction;
use crate::domain::policy::OrgKind;
use crate::domain::session::TokenScope;

use crate::accounts::{self, Env, LinkPurpose};
use crate::api::dto::{OrgOut, UserEnvelope, UserOut};
use crate::api::{email_field, finish, required};
use crate::audit::{self, AuditCtx, NewEvent};
use crate::auth::password::check_policy;
use crate::auth::tokens::Audience;
use crate::auth::{cookie_name, Actor, ClientInfo, Credential, EnrollingActor, ReqCtx};
use crate::clock::{from_db, to_db};
use crate::db;
use crate::error::{AppError, AppResult, FieldError, ProblemCode};
use crate::state::AppState;
use crate::store::accounts::{self as store, ApiTokenRow, UserRow, SESSION_ABSOLUTE};
use crate::store::new_id;
use crate::store::orgs::OrgRow;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/auth")
            .wrap(actix_web::middleware::from_fn(
                crate::auth::throttle::limit_auth,
            ))
            .route("/signup", web::post().to(signup))
            .route("/verify-email", web::post().to(verify_email))
            .route("/login", web::post().to(login))
            .route("/login/mfa", web::post().to(crate::api::mfa::login_mfa))
            .route("/oidc", web::get().to(crate::api::oidc::list))
            .route(
                "/oidc/{provider}/start",
                web::get().to(crate::api::oidc::start),
            )
            .route(
                "/oidc/{provider}/callback",
                web::get().to(crate::api::oidc::callback),
            )
            .route("/step-up", web::post().to(crate::api::mfa::step_up))
            .route(
                "/step-up/webauthn/start",
                web::post().to(crate::api::webauthn::step_up_start),
            )
            .route(
                "/step-up/webauthn/finish",
                web::post().to(crate::api::webauthn::step_up_finish),
            )
            .route(
                "/login/webauthn/start",
                web::post().to(crate::api::webauthn::login_start),
            )
            .route(
                "/login/webauthn/finish",
                web::post().to(crate::api::webauthn::login_finish),
            )
            .route(
                "/mfa/webauthn/register/start",
                web::post().to(crate::api::webauthn::register_start),
            )
            .route(
                "/mfa/webauthn/register/finish",
                web::post().to(crate::api::webauthn::register_finish),
            )
            .route(
                "/mfa/webauthn/{id}",
                web::delete().to(crate::api::webauthn::remove),
            )
            .route("/mfa", web::get().to(crate::api::mfa::status))
            .route("/mfa/totp", web::post().to(crate::api::mfa::start_totp))
            .route("/mfa/totp", web::delete().to(crate::api::mfa::remove_totp))
            .route(
                "/mfa/totp/confirm",
                web::post().to(crate::api::mfa::confirm_totp),
            )
            .route("/logout", web::post().to(logout))
            .route("/me", web::get().to(me))
            .route("/password-reset/request", web::post().to(reset_request))
            .route("/password-reset/confirm", web::post().to(reset_confirm))
            .route("/invitations/{token}", web::get().to(invitation))
            .route(
                "/invitations/{token}/accept",
                web::post().to(accept_invitation),
            )
            .route("/api-tokens", web::post().to(create_api_token))
            .route("/api-tokens", web::get().to(list_api_tokens))
            .route("/api-tokens/{id}", web::delete().to(revoke_api_token))
            .route("/sessions", web::get().to(crate::api::sessions::list))
            .route(
                "/notifications",
                web::get().to(crate::api::notifications::get),
            )
            .route(
                "/notifications",
                web::put().to(crate::api::notifications::put),
            )
            .route(
                "/sessions/{id}",
                web::delete().to(crate::api::sessions::end),
            )
            .default_service(web::to(crate::api::api_fallback)),
    );
}

fn env<'a>(state: &'a AppState, now: DateTime<Utc>) -> Env<'a> {
    Env {
        keys: &state.keys,
        public_url: state.notifier.public_url(),
        now,
    }
}

pub(crate) fn session_cookie(
    state: &AppState,
    value: String,
    max_age: Option<CookieDuration>,
) -> Cookie<'static> {
    let https = state.settings.is_https();
    let mut c = Cookie::build(cookie_name(https), value)
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Strict)
        .finish();
    if let Some(age) = max_age {
        c.set_max_age(age);
    }
    c
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"organization_name": "Aurora AI Labs", "name": "Dana Reyes", "email": "dana@aurora-ai.example", "password": "maple-orbit-canyon-fiddle-42"}))]
pub struct SignupBody {
    #[schema(min_length = 1, max_length = 200)]
    pub organization_name: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 15, max_length = 128)]
    pub password: String,
}

/// Creates a developer organization and its first admin; a verification link is emailed.
#[utoipa::path(
    post,
    path = "/api/v1/auth/signup",
    operation_id = "signUp",
    tag = "auth",
    request_body = SignupBody,
    responses(
        (status = 201, description = "Created (also the answer when the address is taken: nothing is revealed)", body = UserEnvelope),
        (status = 422, description = "Invalid values", body = crate::api::dto::Problem),
        (status = 429, description = "Throttled", body = crate::api::dto::Problem),
    ),
)]
pub async fn signup(
    state: web::Data<AppState>,
    ctx: ReqCtx,
    body: Json<SignupBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let mut errors = Vec::new();
    let org_name = required(&mut errors, "organization_name", &b.organization_name, 200);
    let name = required(&mut errors, "name", &b.name, 200);
    let email = email_field(&mut errors, "email", &b.email);
    if let Err(e) = check_policy("password", &b.password, &email, Some(&org_name)) {
        errors.push(e);
    }
    finish(errors)?;
    let hash = state.passwords.hash(b.password).await?;
    let now = state.clock.now();
    let st = state.clone();
    let user = db::tx(&state.pool, move |conn| {
        let fake = || UserRow {
            id: new_id(),
            organization_id: new_id(),
            email: email.clone(),
            name: name.clone(),
            org_role: "admin".into(),
            password_hash: None,
            email_verified_at: None,
            disabled_at: None,
            created_at: to_db(now),
        };
        if store::email_exists(conn, &email)? {
            return Ok(fake());
        }
        let org = OrgRow {
            id: new_id(),
            name: org_name.clone(),
            kind: OrgKind::Developer,
            agency_code: None,
            partner_type: None,
            sector: None,
            created_at: to_db(now),
        };
        crate::store::orgs::insert(conn, &org)?;
        let user = UserRow {
            organization_id: org.id.clone(),
            password_hash: Some(hash),
            ..fake()
        };
        store::insert_user(conn, &user)?;
        accounts::issue_link(
            conn,
            &env(&st, now),
            &user.id,
            &user.email,
            LinkPurpose::VerifyEmail,
        )?;
        let actx = AuditCtx {
            actor_user_id: Some(user.id.clone()),
            actor_org_id: Some(org.id.clone()),
            request_id: ctx.request_id.clone(),
            now: Some(now),
        };
        audit::append(
            conn,
            &actx,
            NewEvent {
                action: AuditAction::OrganizationSignedUp,
                target_type: "organization",
                target_id: &org.id,
                visible_to: vec![org.id.clone()],
                detail: json!({"kind": "developer", "name": org.name, "admin_user_id": user.id}),
            },
        )?;
        Ok(user)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(UserEnvelope {
        user: UserOut::from(&user),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"token": "eyJ…", "password": "maple-orbit-canyon-fiddle-42"}))]
pub struct VerifyEmailBody {
    /// The `token` query parameter of the emailed link.
    #[schema(min_length = 1)]
    pub token: String,
    /// The password chosen at sign-up: the link proves the address, the password proves that
    /// the address's owner is the person who signed up.
    pub password: String,
}

/// The answer while an address is locked out after failed password attempts.
fn locked_out(secs: i64) -> AppError {
    AppError::too_many(
        secs as u64,
        "Too many failed attempts for this address. Wait before trying again, or reset your password.",
    )
}

/// The one answer to every failed verification — a bad, used or expired link, or a password
/// that is not the account's — so that nothing about the account leaks.
fn verification_failed() -> AppError {
    AppError::unprocessable(
        ProblemCode::InvalidToken,
        "This link is invalid, was already used or has expired, or the password is not the one chosen at sign-up.",
    )
    .with_errors(vec![FieldError::new(
        "token",
        "is invalid or expired, or the password does not match",
    )])
}

/// Confirms an email address with the token of the emailed link **and** the password chosen at
/// sign-up (so someone who signs up with another person's address cannot have it activated by
/// that person's click). Wrong passwords count toward the sign-in lockout of the address.
#[utoipa::path(
    post,
    path = "/api/v1/auth/verify-email",
    operation_id = "verifyEmail",
    tag = "auth",
    request_body = VerifyEmailBody,
    responses(
        (status = 200, body = UserEnvelope),
        (status = 422, description = "`invalid_token`: an invalid, used or expired link, or a password that does not match (one answer for all)", body = crate::api::dto::Problem),
        (status = 429, description = "Too many failed attempts for this address; see Retry-After", body = crate::api::dto::Problem),
    ),
)]
pub async fn verify_email(
    state: web::Data<AppState>,
    ctx: ReqCtx,
    body: Json<VerifyEmailBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let now = state.clock.now();
    // Check the link first without using it, so a wrong password does not burn it; the attempt
    // is counted on the address before the password is checked, as sign-in counts it.
    let link_id = state.keys.verify(b.token.trim(), Audience::EmailLink, now);
    let found = match link_id {
        None => None,
        Some(id) => {
            db::tx(&state.pool, move |conn| {
                let Some(uid) =
                    store::email_token_user(conn, &id, LinkPurpose::VerifyEmail.as_str(), now)?
                else {
                    return Ok(None);
                };
                let (user, _) = store::user_with_org(conn, &uid)?;
                if let Err(secs) = store::begin_attempt(conn, &user.email, now)? {
                    return Err(locked_out(secs));
                }
                Ok(Some(user))
            })
            .await?
        }
    };
    let Some(user) = found else {
        // The same argon2 cost as a real check, so time tells nothing either.
        state.passwords.verify(b.password, None).await?;
        return Err(verification_failed());
    };
    if user.disabled_at.is_some()
        || !state
            .passwords
            .verify(b.password, user.password_hash.clone())
            .await?
    {
        return Err(verification_failed());
    }
    let st = state.clone();
    let token = b.token;
    let user = db::tx(&state.pool, move |conn| {
        let user = accounts::redeem_link(conn, &st.keys, now, &token, LinkPurpose::VerifyEmail)
            .map_err(|e| {
                if e.status == actix_web::http::StatusCode::UNPROCESSABLE_ENTITY {
                    verification_failed()
                } else {
                    e
                }
            })?;
        store::mark_verified(conn, &user.id, now)?;
        store::clear_failures(conn, &user.email)?;
        audit::append(
            conn,
            &AuditCtx {
                actor_user_id: Some(user.id.clone()),
                actor_org_id: Some(user.organization_id.clone()),
                request_id: ctx.request_id.clone(),
                now: Some(now),
            },
            NewEvent {
                action: AuditAction::UserEmailVerified,
                target_type: "user",
                target_id: &user.id,
                visible_to: vec![user.organization_id.clone()],
                detail: json!({}),
            },
        )?;
        Ok(store::user_with_org(conn, &user.id)?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(UserEnvelope {
        user: UserOut::from(&user),
    }))
}

/// The answer of `POST /auth/login`: the signed-in user, or the second-factor challenge.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    SignedIn(UserEnvelope),
    SecondFactor(crate::api::mfa::MfaChallenge),
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "dana@aurora-ai.example", "password": "maple-orbit-canyon-fiddle-42"}))]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// Signs in: sets the session cookie (HttpOnly, SameSite=Strict; Secure and `__Host-` over https).
/// For a user with a second factor the answer is `{"mfa_required": true, "methods": [...]}` with a
/// five-minute pending cookie instead, and `POST /auth/login/mfa` completes the sign-in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    operation_id = "logIn",
    tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, body = LoginAnswer, description = "Signed in (the session cookie is set), or, for a user with a second factor, `mfa_required` (the pending cookie is set)"),
        (status = 401, description = "Email or password is incorrect (the same for unknown accounts)", body = crate::api::dto::Problem),
        (status = 403, description = "Email address not verified yet", body = crate::api::dto::Problem),
        (status = 429, description = "Too many failed attempts for this address, or from this IP; see Retry-After", body = crate::api::dto::Problem),
    ),
)]
pub async fn login(
    state: web::Data<AppState>,
    ctx: ReqCtx,
    client: ClientInfo,
    body: Json<LoginBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let email = store::normalize_email(&b.email);
    let now = state.clock.now();
    let lookup_email = email.clone();
    // Counted before the password is checked (see `begin_attempt`); a right password clears it.
    let found = db::tx(&state.pool, move |conn| {
        if let Err(secs) = store::begin_attempt(conn, &lookup_email, now)? {
            return Err(locked_out(secs));
        }
        Ok(store::user_by_email(conn, &lookup_email)?)
    })
    .await?;
    let stored = found.as_ref().and_then(|(u, _)| u.password_hash.clone());
    let ok = state.passwords.verify(b.password, stored).await?;
    let usable = ok && found.as_ref().is_some_and(|(u, _)| u.disabled_at.is_none());
    if !usable {
        return Err(AppError::unauthorized_with(
            "Email or password is incorrect.",
        ));
    }
    let (user, _org) = found.expect("usable implies found");
    // After the password was found right, so it tells a guesser nothing.
    let org_id = user.organization_id.clone();
    db::run(&state.pool, move |conn| {
        accounts::refuse_if_deactivated(conn, &org_id)
    })
    .await?;
    if user.email_verified_at.is_none() {
        // The password was right: this attempt is not a failure (earlier ones stay counted).
        let e = email.clone();
        db::tx(&state.pool, move |conn| {
            Ok(store::forgive_one_failure(conn, &e, now)?)
        })
        .await?;
        return Err(AppError::forbidden_code(
            ProblemCode::EmailNotVerified,
            "Confirm your email address with the link we sent before signing in.",
        ));
    }
    let uid = user.id.clone();
    let methods = db::run(&state.pool, move |conn| {
        Ok(if crate::store::mfa::has_factor(conn, &uid)? {
            Some(crate::api::mfa::methods_of(conn, &uid)?)
        } else {
            None
        })
    })
    .await?;
    if let Some(methods) = methods {
        // The password was right, so this attempt is not a failure; but the count is not
        // cleared until the second factor passes, or a known password would reset the lockout
        // of code guesses.
        let e = email.clone();
        db::tx(&state.pool, move |conn| {
            Ok(store::forgive_one_failure(conn, &e, now)?)
        })
        .await?;
        return Ok(crate::api::mfa::challenge(&state, &user.id, methods, now));
    }
    let sid = new_id();
    let expires = now + SESSION_ABSOLUTE;
    let u = user.clone();
    let st = state.clone();
    db::tx(&state.pool, move |conn| {
        store::clear_failures(conn, &email)?;
        crate::api::sessions::open_session(
            conn,
            st.notifier.public_url(),
            &AuditCtx {
                actor_user_id: Some(u.id.clone()),
                actor_org_id: Some(u.organization_id.clone()),
                request_id: ctx.request_id.clone(),
                now: Some(now),
            },
            &u,
            &sid,
            now,
            expires,
            false,
            &client,
            json!({}),
        )?;
        Ok(sid)
    })
    .await
    .map(|sid| {
        let jwt = state.keys.issue(Audience::Session, &sid, now, expires);
        HttpResponse::Ok()
            .cookie(session_cookie(
                &state,
                jwt,
                Some(CookieDuration::seconds(SESSION_ABSOLUTE.num_seconds())),
            ))
            .json_body(UserEnvelope {
                user: UserOut::from(&user),
            })
    })
}

/// Ends the current session at once (the cookie stops working even if replayed).
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    operation_id = "logOut",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, body = crate::api::dto::Problem),
    ),
)]
pub async fn logout(state: web::Data<AppState>, actor: EnrollingActor) -> AppResult<HttpResponse> {
    let actor = actor.0;
    let now = state.clock.now();
    if let Credential::Session(sid) = actor.credential.clone() {
        db::tx(&state.pool, move |conn| {
            store::revoke_session(conn, &sid, now)?;
            audit::append(
                conn,
                &actor.audit(now),
                NewEvent {
                    action: AuditAction::SessionEnded,
                    target_type: "user",
                    target_id: actor.user_id.as_str(),
                    visible_to: vec![actor.org_id.to_string()],
                    detail: json!({"session_id": sid}),
                },
            )?;
            Ok(())
        })
        .await?;
    }
    let mut gone = session_cookie(&state, String::new(), Some(CookieDuration::ZERO));
    gone.make_removal();
    Ok(HttpResponse::NoContent().cookie(gone).finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub org_role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: MeUser,
    pub organization: OrgOut,
    /// What this user's organization kind and role allow (DESIGN §1, `domain::policy::may`),
    /// so the web UI offers a form only to whom the server would let submit it. Record-level
    /// rules (is this organization the grantee? the grant's developer?) still decide each act.
    pub capabilities: Vec<String>,
}

/// The signed-in user and organization.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    operation_id = "getMe",
    tag = "auth",
    responses(
        (status = 200, body = Me),
        (status = 401, body = crate::api::dto::Problem),
    ),
)]
pub async fn me(state: web::Data<AppState>, actor: EnrollingActor) -> AppResult<HttpResponse> {
    let actor = actor.0;
    let org_id = actor.org_id.clone();
    let org = db::run(&state.pool, move |conn| {
        Ok(crate::store::orgs::get(conn, &org_id)?)
    })
    .await?;
    let capabilities = crate::domain::policy::Capability::ALL
        .iter()
        .filter(|c| actor.may(**c))
        .map(|c| c.as_str().to_string())
        .collect();
    Ok(HttpResponse::Ok().json_body(Me {
        capabilities,
        user: MeUser {
            id: String::from(actor.user_id),
            email: actor.email,
            name: actor.name,
            org_role: actor.org_role.as_str().into(),
        },
        organization: OrgOut::from(&org),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequestBody {
    pub email: String,
}

/// Emails a reset link if the account exists; always answers 202.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset/request",
    operation_id = "requestPasswordReset",
    tag = "auth",
    request_body = ResetRequestBody,
    responses(
        (status = 202, description = "Accepted (whether or not the account exists)"),
    ),
)]
pub async fn reset_request(
    state: web::Data<AppState>,
    ctx: ReqCtx,
    body: Json<ResetRequestBody>,
) -> AppResult<HttpResponse> {
    let email = store::normalize_email(&body.email);
    let now = state.clock.now();
    let st = state.clone();
    db::tx(&state.pool, move |conn| {
        if let Some((u, _)) = store::user_by_email(conn, &email)? {
            if u.disabled_at.is_none() && u.password_hash.is_some() {
                accounts::issue_link(
                    conn,
                    &env(&st, now),
                    &u.id,
                    &u.email,
                    LinkPurpose::PasswordReset,
                )?;
                audit::append(
                    conn,
                    &AuditCtx {
                        actor_user_id: None,
                        actor_org_id: None,
                        request_id: ctx.request_id.clone(),
                        now: Some(now),
                    },
                    NewEvent {
                        action: AuditAction::UserPasswordResetRequested,
                        target_type: "user",
                        target_id: &u.id,
                        visible_to: vec![u.organization_id.clone()],
                        detail: json!({}),
                    },
                )?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Accepted().json_body(json!({"status": "accepted", "detail": "If an account exists for that address, a reset link is on its way."})))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetConfirmBody {
    #[schema(min_length = 1)]
    pub token: String,
    #[schema(min_length = 15, max_length = 128)]
    pub new_password: String,
}

/// Sets a new password with the emailed token; every session and API token of the account ends.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password-reset/confirm",
    operation_id = "confirmPasswordReset",
    tag = "auth",
    request_body = ResetConfirmBody,
    responses(
        (status = 200, body = UserEnvelope),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn reset_confirm(
    state: web::Data<AppState>,
    ctx: ReqCtx,
    body: Json<ResetConfirmBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let now = state.clock.now();
    // Check the link first without using it, so a weak password does not burn the link.
    let id = state
        .keys
        .verify(b.token.trim(), Audience::EmailLink, now)
        .ok_or_else(|| {
            AppError::field(
                "token",
                "This link is invalid, was already used, or has expired. Ask for a new one.",
            )
        })?;
    let (email, org_name) = {
        let id = id.clone();
        db::run(&state.pool, move |conn| {
            use crate::db::schema::email_tokens;
            use diesel::prelude::*;
            let uid: Option<String> = email_tokens::table
                .find(&id)
                .select(email_tokens::user_id)
                .first(conn)
                .optional()?;
            let uid = uid.ok_or_else(|| {
                AppError::field(
                    "token",
                    "This link is invalid, was already used, or has expired. Ask for a new one.",
                )
            })?;
            let (u, o) = store::user_with_org(conn, &uid)?;
            Ok((u.email, o.name))
        })
        .await?
    };
    check_policy("new_password", &b.new_password, &email, Some(&org_name))
        .map_err(|e| AppError::validation(vec![e]))?;
    let hash = state.passwords.hash(b.new_password).await?;
    let st = state.clone();
    let user = db::tx(&state.pool, move |conn| {
        let user =
            accounts::redeem_link(conn, &st.keys, now, &b.token, LinkPurpose::PasswordReset)?;
        store::set_password(conn, &user.id, &hash)?;
        store::mark_verified(conn, &user.id, now)?;
        store::revoke_user_credentials(conn, &user.id, now)?;
        store::clear_failures(conn, &user.email)?;
        audit::append(
            conn,
            &AuditCtx {
                actor_user_id: Some(user.id.clone()),
                actor_org_id: Some(user.organization_id.clone()),
                request_id: ctx.request_id.clone(),
                now: Some(now),
            },
            NewEvent {
                action: AuditAction::UserPasswordReset,
                target_type: "user",
                target_id: &user.id,
                visible_to: vec![user.organization_id.clone()],
                detail: json!({}),
            },
        )?;
        Ok(store::user_with_org(conn, &user.id)?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(UserEnvelope {
        user: UserOut::from(&user),
    }))
}

/// What the accept-invitation page shows: nothing but the organization's name and the invited
/// address (no ids, roles, inviter or expiry).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"organization_name": "Valley Rural Health", "email": "sam@valleyrural.example"}))]
pub struct InvitationPreview {
    pub organization_name: String,
    pub email: String,
}

/// The invitation behind a link, for the page that accepts it: the organization's name and the
/// invited address while the link is usable (unused, unexpired, for an account not yet
/// activated). Any other token — malformed, forged, used, expired, or of another kind of link —
/// answers 404. Public (the link is the credential) and throttled like the other sign-in routes.
#[utoipa::path(
    get,
    path = "/api/v1/auth/invitations/{token}",
    operation_id = "getInvitation",
    tag = "auth",
    params(
        ("token" = String, Path, description = "The token of the invitation link"),
    ),
    responses(
        (status = 200, body = InvitationPreview),
        (status = 404, description = "Not a usable invitation", body = crate::api::dto::Problem),
    ),
)]
pub async fn invitation(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let now = state.clock.now();
    let st = state.clone();
    let found = db::run(&state.pool, move |conn| {
        accounts::invitation_preview(conn, &st.keys, now, &token)
    })
    .await?;
    let (organization_name, email) = found.ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok().json_body(InvitationPreview {
        organization_name,
        email,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Sam Ortiz", "password": "harbor-lantern-quiet-meadow-7"}))]
pub struct AcceptInvitationBody {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 15, max_length = 128)]
    pub password: String,
}

/// Accepts an invitation: sets the name and password (the link proves the email address).
#[utoipa::path(
    post,
    path = "/api/v1/auth/invitations/{token}/accept",
    operation_id = "acceptInvitation",
    tag = "auth",
    request_body = AcceptInvitationBody,
    params(
        ("token" = String, Path, description = "The token of the invitation link"),
    ),
    responses(
        (status = 200, body = UserEnvelope),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    ctx: ReqCtx,
    path: web::Path<String>,
    body: Json<AcceptInvitationBody>,
) -> AppResult<HttpResponse> {
    let token = path.into_inner();
    let b = body.into_inner();
    let now = state.clock.now();
    let invalid = || {
        AppError::field(
            "token",
            "This invitation is invalid, was already used, or has expired. Ask for a new one.",
        )
    };
    // The same lookup as the accept page's preview (a usable invitation link: its purpose,
    // expiry, single use and an account not yet activated), for the password rules, which
    // must not accept the address or the organization's name as a password.
    let (st, t) = (state.clone(), token.clone());
    let (org_name, email) = db::run(&state.pool, move |conn| {
        accounts::invitation_preview(conn, &st.keys, now, &t)
    })
    .await?
    .ok_or_else(invalid)?;
    let mut errors: Vec<FieldError> = Vec::new();
    let name = required(&mut errors, "name", &b.name, 200);
    if let Err(e) = check_policy("password", &b.password, &email, Some(&org_name)) {
        errors.push(e);
    }
    finish(errors)?;
    let hash = state.passwords.hash(b.password).await?;
    let st = state.clone();
    let user = db::tx(&state.pool, move |conn| {
        let user = accounts::redeem_link(conn, &st.keys, now, &token, LinkPurpose::Invitation)?;
        store::set_name(conn, &user.id, &name)?;
        store::set_password(conn, &user.id, &hash)?;
        store::mark_verified(conn, &user.id, now)?;
        audit::append(
            conn,
            &AuditCtx {
                actor_user_id: Some(user.id.clone()),
                actor_org_id: Some(user.organization_id.clone()),
                request_id: ctx.request_id.clone(),
                now: Some(now),
            },
            NewEvent {
                action: AuditAction::UserInvitationAccepted,
                target_type: "user",
                target_id: &user.id,
                visible_to: vec![user.organization_id.clone()],
                detail: json!({}),
            },
        )?;
        Ok(store::user_with_org(conn, &user.id)?.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(UserEnvelope {
        user: UserOut::from(&user),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "CI pipeline", "scope": "read", "expires_in_days": 30}))]
pub struct CreateApiTokenBody {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// `read` (GET and HEAD only; anything else answers 403 `insufficient_scope`) or
    /// `read_write` (the default, what tokens could always do).
    #[schema(default = "read_write")]
    #[serde(default)]
    pub scope: Option<String>,
    /// 1 to 365, default 90.
    #[schema(minimum = 1, maximum = 365, default = 90)]
    #[serde(default, deserialize_with = "crate::api::json::opt_integer")]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenOut {
    pub id: String,
    pub name: String,
    /// `read` or `read_write`.
    pub scope: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub expires_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// Only in the answer to creation: send as `Authorization: Bearer <token>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl From<&ApiTokenRow> for ApiTokenOut {
    fn from(t: &ApiTokenRow) -> Self {
        ApiTokenOut {
            id: t.id.clone(),
            name: t.name.clone(),
            scope: t.scope.as_str().to_string(),
            created_at: from_db(t.created_at),
            expires_at: from_db(t.expires_at),
            last_used_at: t.last_used_at.map(from_db),
            token: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiTokenOut>,
    pub next_cursor: Option<String>,
}

/// Creates a personal API token (shown once). For a user with a second factor this needs a
/// step-up, and the token then satisfies step-up itself for its lifetime (`mfa: true`).
#[utoipa::path(
    post,
    path = "/api/v1/auth/api-tokens",
    operation_id = "createApiToken",
    tag = "auth",
    request_body = CreateApiTokenBody,
    responses(
        (status = 201, body = ApiTokenOut),
        (status = 401, description = "`step_up_required`: the caller has a second factor and did not use it in the last 15 minutes on this session (a token made on a session right after a second factor carries that step-up; one made otherwise never does)", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn create_api_token(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<CreateApiTokenBody>,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let name = required(&mut errors, "name", &body.name, 100);
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        errors.push(FieldError::new(
            "expires_in_days",
            "must be between 1 and 365",
        ));
    }
    let scope = match body.scope.as_deref() {
        None => TokenScope::ReadWrite,
        // On an unknown scope `finish` answers 422; the fallback is never used.
        Some(s) => {
            crate::api::enum_field(&mut errors, "scope", s, TokenScope::ALL, TokenScope::as_str)
                .unwrap_or(TokenScope::Read)
        }
    };
    finish(errors)?;
    actor.require_step_up()?;
    let now = state.clock.now();
    let row = ApiTokenRow {
        id: new_id(),
        user_id: actor.user_id.to_string(),
        name,
        created_at: to_db(now),
        expires_at: to_db(now + Duration::days(days)),
        last_used_at: None,
        revoked_at: None,
        // Carries the step-up only when made on a session that just passed a second factor.
        mfa: actor.mfa.enrolled
            && actor.mfa.stepped_up
            && matches!(actor.credential, Credential::Session(_)),
        scope,
    };
    let r = row.clone();
    db::tx(&state.pool, move |conn| {
        store::insert_api_token(conn, &r)?;
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::ApiTokenCreated,
                target_type: "api_token",
                target_id: &r.id,
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"name": r.name, "user_id": actor.user_id, "scope": r.scope, "expires_at": from_db(r.expires_at)}),
            },
        )?;
        Ok(())
    })
    .await?;
    let mut out = ApiTokenOut::from(&row);
    out.token = Some(
        state
            .keys
            .issue(Audience::Api, &row.id, now, now + Duration::days(days)),
    );
    Ok(HttpResponse::Created().json_body(out))
}

/// The caller's active API tokens (never their values).
#[utoipa::path(
    get,
    path = "/api/v1/auth/api-tokens",
    operation_id = "listApiTokens",
    tag = "auth",
    responses(
        (status = 200, body = ApiTokenList),
        (status = 401, body = crate::api::dto::Problem),
    ),
)]
pub async fn list_api_tokens(state: web::Data<AppState>, actor: Actor) -> AppResult<HttpResponse> {
    let rows = db::run(&state.pool, move |conn| {
        Ok(store::api_tokens_of(conn, actor.user_id.as_str())?)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(ApiTokenList {
        items: rows.iter().map(ApiTokenOut::from).collect(),
        next_cursor: None,
    }))
}

/// Revokes one of the caller's API tokens at once.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/api-tokens/{id}",
    operation_id = "revokeApiToken",
    tag = "auth",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    db::tx(&state.pool, move |conn| {
        if !store::revoke_api_token(conn, actor.user_id.as_str(), &id, now)? {
            return Err(AppError::not_found());
        }
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::ApiTokenRevoked,
                target_type: "api_token",
                target_id: &id,
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"user_id": actor.user_id}),
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
