//! Second factors (DESIGN §7): TOTP enrolment and removal, the code step of sign-in, step-up.
//!
//! - Enrolment is two calls: `POST /auth/mfa/totp` makes a pending secret (shown then, and never
//!   again once confirmed), `POST /auth/mfa/totp/confirm {code}` proves the app has it and
//!   answers the ten recovery codes, once.
//! - Sign-in with a factor: `POST /auth/login` answers `{mfa_required, methods}` and a pending
//!   cookie; `POST /auth/login/mfa {code | recovery_code}` makes the session.
//! - Step-up: `POST /auth/step-up {code | recovery_code}` marks the session as having used a
//!   factor now; actions that need it answer 401 `step_up_required` after 15 minutes.
//!
//! Factors are managed only on a browser session (an API token gets 403 here), so a leaked token
//! can neither read a pending secret nor remove a factor. Every failed code counts toward the
//! address's sign-in lockout (`login_throttle`), counted before the code is checked, like a
//! password, so attempts that arrive at once are all counted.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::dto::{UserEnvelope, UserOut};
use crate::api::json::Json;
use crate::api::JsonBody;
use crate::audit::{self, AuditCtx, NewEvent};
use crate::auth::mfa::{self, PENDING_TTL};
use crate::auth::tokens::Audience;
use crate::auth::{Actor, Credential, EnrollingActor, ReqCtx};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::error::{AppError, AppResult, ProblemCode};
use crate::state::AppState;
use crate::store::accounts::{self as accounts_store, SESSION_ABSOLUTE};
use crate::store::mfa as store;
use crate::store::new_id;

/// The pending cookie's name: `__Host-` prefixed (and `Secure`) when served over https.
pub fn pending_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-portal_mfa_pending"
    } else {
        "portal_mfa_pending"
    }
}

pub fn pending_cookie(state: &AppState, value: String, max_age: CookieDuration) -> Cookie<'static> {
    let https = state.settings.is_https();
    let mut c = Cookie::build(pending_cookie_name(https), value)
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Strict)
        .finish();
    c.set_max_age(max_age);
    c
}

pub(crate) fn session_only(actor: &Actor) -> Result<String, AppError> {
    match &actor.credential {
        Credential::Session(sid) => Ok(sid.clone()),
        Credential::ApiToken(_) => Err(AppError::forbidden(
            "Second factors are managed in a signed-in browser session, not with an API token.",
        )),
    }
}

fn invalid_code() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        ProblemCode::InvalidCode,
        "The code is incorrect or was already used. Enter the current code from your authenticator app, or an unused recovery code.",
    )
}

pub(crate) fn locked_out(secs: i64) -> AppError {
    AppError::too_many(
        secs as u64,
        "Too many failed attempts for this address. Wait before trying again.",
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The base32 secret, for typing into an authenticator app by hand. Shown only while the
    /// enrolment is pending; never again after confirmation.
    pub secret: String,
    /// `otpauth://totp/…`, the content of the QR code.
    pub otpauth_uri: String,
}

/// Starts TOTP enrolment: a new pending secret (replacing an unconfirmed one). Allowed while the
/// caller is held for enrolment. Browser sessions only.
#[utoipa::path(
    post,
    path = "/api/v1/auth/mfa/totp",
    operation_id = "startTotpEnrolment",
    tag = "auth",
    responses(
        (status = 201, body = TotpEnrolment, description = "Pending until confirmed with a code"),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: an authenticator app is set up already (remove it first)", body = crate::api::dto::Problem),
    ),
)]
pub async fn start_totp(
    state: web::Data<AppState>,
    actor: EnrollingActor,
) -> AppResult<HttpResponse> {
    let actor = actor.0;
    session_only(&actor)?;
    // Adding an authenticator app next to a passkey is changing factors: step-up (always true
    // for a user without a factor).
    actor.require_step_up()?;
    let secret = mfa::new_secret();
    let now = state.clock.now();
    let s = secret.clone();
    let a = actor.clone();
    let sealer = state.sealer.clone();
    db::tx(&state.pool, move |conn| {
        if store::has_totp(conn, a.user_id.as_str())? {
            return Err(AppError::conflict(
                ProblemCode::MfaState,
                "An authenticator app is set up already. Remove it first to set up another.",
            ));
        }
        store::put_pending_totp(conn, &sealer, a.user_id.as_str(), &s, now)?;
        audit::append(
            conn,
            &a.audit(now),
            NewEvent {
                action: AuditAction::MfaTotpEnrolmentStarted,
                target_type: "user",
                target_id: a.user_id.as_str(),
                visible_to: vec![a.org_id.to_string()],
                detail: json!({"method": "totp"}),
            },
        )?;
        Ok(())
    })
    .await?;
    let uri = mfa::otpauth_uri(&secret, &actor.email);
    Ok(HttpResponse::Created().json_body(TotpEnrolment {
        secret,
        otpauth_uri: uri,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "492039"}))]
pub struct ConfirmTotpBody {
    /// The six digits the authenticator app shows now.
    #[schema(min_length = 6, max_length = 6)]
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten one-time codes, shown only in this answer (stored as a keyed hash). Each signs in
    /// once in place of a code from the app.
    pub recovery_codes: Vec<String>,
}

/// Confirms the pending TOTP enrolment with a code from the app; answers the ten recovery codes
/// (once). The session counts as having used a factor now.
#[utoipa::path(
    post,
    path = "/api/v1/auth/mfa/totp/confirm",
    operation_id = "confirmTotpEnrolment",
    tag = "auth",
    request_body = ConfirmTotpBody,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: nothing pending, or a factor is enrolled already", body = crate::api::dto::Problem),
        (status = 422, description = "`validation_failed`: the code is not the app's current one", body = crate::api::dto::Problem),
    ),
)]
pub async fn confirm_totp(
    state: web::Data<AppState>,
    actor: EnrollingActor,
    body: Json<ConfirmTotpBody>,
) -> AppResult<HttpResponse> {
    let actor = actor.0;
    let sid = session_only(&actor)?;
    let now = state.clock.now();
    let code = body.into_inner().code;
    let codes = mfa::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| state.keys.code_hash(c)).collect();
    let sealer = state.sealer.clone();
    db::tx(&state.pool, move |conn| {
        let uid = actor.user_id.to_string();
        let Some(f) = store::totp_of(conn, &sealer, &uid)? else {
            return Err(AppError::conflict(
                ProblemCode::MfaState,
                "No enrolment is pending. Start again.",
            ));
        };
        if f.confirmed_at.is_some() {
            return Err(AppError::conflict(
                ProblemCode::MfaState,
                "An authenticator app is set up already.",
            ));
        }
        let step = mfa::matching_step(&f.secret, &code, now).ok_or_else(|| {
            AppError::field(
                "code",
                "is not the code your authenticator app shows now; check the app's clock and try again",
            )
        })?;
        store::use_totp_step(conn, &uid, step)?;
        store::confirm_totp(conn, &uid, now)?;
        store::put_recovery_codes(conn, &uid, &hashes, now)?;
        store::mark_session_mfa(conn, &sid, now)?;
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::MfaTotpEnrolled,
                target_type: "user",
                target_id: actor.user_id.as_str(),
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"method": "totp", "recovery_codes": hashes.len()}),
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// Removes the authenticator app and every recovery code. Needs a step-up. A user whose
/// organization requires a second factor is then held until they enrol again.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/mfa/totp",
    operation_id = "removeTotp",
    tag = "auth",
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`step_up_required`: no factor used on this session in the last 15 minutes", body = crate::api::dto::Problem),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: no factor is enrolled", body = crate::api::dto::Problem),
    ),
)]
pub async fn remove_totp(state: web::Data<AppState>, actor: Actor) -> AppResult<HttpResponse> {
    session_only(&actor)?;
    if !actor.mfa.enrolled {
        return Err(AppError::conflict(
            ProblemCode::MfaState,
            "No authenticator app is set up.",
        ));
    }
    actor.require_step_up()?;
    let now = state.clock.now();
    db::tx(&state.pool, move |conn| {
        if !store::remove_factor(conn, actor.user_id.as_str())? {
            return Err(AppError::conflict(
                ProblemCode::MfaState,
                "No authenticator app is set up.",
            ));
        }
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::MfaTotpRemoved,
                target_type: "user",
                target_id: actor.user_id.as_str(),
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"method": "totp"}),
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MfaStatus {
    /// A second factor is set up: an authenticator app or a passkey.
    pub enrolled: bool,
    /// An authenticator app is set up.
    pub totp: bool,
    /// The caller's passkeys, oldest first.
    pub passkeys: Vec<crate::api::webauthn::PasskeyOut>,
    /// The caller must have a second factor (their organization's kind or its own policy).
    pub required: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
    /// This credential passed a factor recently enough for actions that need step-up.
    pub stepped_up: bool,
}

/// The caller's second-factor state (allowed while held for enrolment).
#[utoipa::path(
    get,
    path = "/api/v1/auth/mfa",
    operation_id = "getMfaStatus",
    tag = "auth",
    responses(
        (status = 200, body = MfaStatus),
    ),
)]
pub async fn status(state: web::Data<AppState>, actor: EnrollingActor) -> AppResult<HttpResponse> {
    let actor = actor.0;
    let uid = actor.user_id.to_string();
    let (left, totp, passkeys) = db::run(&state.pool, move |conn| {
        Ok((
            store::unused_recovery_codes(conn, &uid)?,
            store::has_totp(conn, &uid)?,
            crate::api::webauthn::list(conn, &uid)?,
        ))
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(MfaStatus {
        enrolled: actor.mfa.enrolled,
        totp,
        passkeys,
        required: actor.mfa.required,
        recovery_codes_left: left,
        stepped_up: actor.mfa.enrolled && actor.mfa.stepped_up,
    }))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"code": "492039"}))]
pub struct FactorBody {
    /// The six digits the authenticator app shows now…
    #[serde(default)]
    pub code: Option<String>,
    /// …or one of the recovery codes (either one, not both).
    #[serde(default)]
    pub recovery_code: Option<String>,
}

enum Factor {
    Totp(String),
    Recovery(String),
}

fn factor_of(b: FactorBody) -> Result<Factor, AppError> {
    match (b.code, b.recovery_code) {
        (Some(c), None) => Ok(Factor::Totp(c)),
        (None, Some(r)) => Ok(Factor::Recovery(mfa::normalize_recovery_code(&r))),
        _ => Err(AppError::field(
            "code",
            "send either `code` (from the authenticator app) or `recovery_code`",
        )),
    }
}

/// What checking a factor found (returned from the transaction, so a failure's count commits).
#[derive(Debug)]
enum Checked {
    Ok { recovery: bool },
    Wrong,
    Locked(i64),
}

/// Counts the attempt on the address, then checks and uses the factor, in the caller's write
/// transaction: a TOTP step is used once (compare-and-set on `last_step`), a recovery code once.
/// On success the attempt count is cleared.
fn check_factor(
    conn: &mut DbConn,
    keys: &crate::auth::tokens::JwtKeys,
    sealer: &crate::auth::sealed::Sealer,
    user_id: &str,
    email: &str,
    factor: &Factor,
    now: DateTime<Utc>,
) -> Result<Checked, AppError> {
    if let Err(secs) = accounts_store::begin_attempt(conn, email, now)? {
        return Ok(Checked::Locked(secs));
    }
    let ok = match factor {
        Factor::Totp(code) => match store::totp_of(conn, sealer, user_id)? {
            Some(f) if f.confirmed_at.is_some() => match mfa::matching_step(&f.secret, code, now) {
                Some(step) => store::use_totp_step(conn, user_id, step)?,
                None => false,
            },
            _ => false,
        },
        Factor::Recovery(code) => {
            store::has_factor(conn, user_id)?
                && store::use_recovery_code(conn, user_id, &keys.code_hash(code), now)?
        }
    };
    if !ok {
        return Ok(Checked::Wrong);
    }
    accounts_store::clear_failures(conn, email)?;
    Ok(Checked::Ok {
        recovery: matches!(factor, Factor::Recovery(_)),
    })
}

pub(crate) fn recovery_event(
    conn: &mut DbConn,
    ctx: &AuditCtx,
    user_id: &str,
    org_id: &str,
    during: &str,
) -> Result<(), AppError> {
    let left = store::unused_recovery_codes(conn, user_id)?;
    audit::append(
        conn,
        ctx,
        NewEvent {
            action: AuditAction::MfaRecoveryCodeUsed,
            target_type: "user",
            target_id: user_id,
            visible_to: vec![org_id.to_string()],
            detail: json!({"during": during, "recovery_codes_left": left}),
        },
    )?;
    Ok(())
}

/// Completes a sign-in that answered `mfa_required`: with the pending cookie and a code from the
/// authenticator app (or a recovery code), sets the session cookie like `POST /auth/login`.
/// Wrong codes count toward the address's lockout like wrong passwords.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login/mfa",
    operation_id = "logInSecondFactor",
    tag = "auth",
    request_body = FactorBody,
    responses(
        (status = 200, body = UserEnvelope, description = "Signed in; the session cookie is set"),
        (status = 401, description = "`invalid_code`: the code is wrong or was used, or the pending sign-in expired (sign in with the password again)", body = crate::api::dto::Problem),
        (status = 429, description = "Too many failed attempts for this address; see Retry-After", body = crate::api::dto::Problem),
    ),
)]
pub async fn login_mfa(
    state: web::Data<AppState>,
    req: HttpRequest,
    ctx: ReqCtx,
    client: crate::auth::ClientInfo,
    body: Json<FactorBody>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let factor = factor_of(body.into_inner())?;
    let expired = || {
        AppError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            ProblemCode::InvalidCode,
            "This sign-in has expired. Enter your email and password again.",
        )
    };
    let uid = req
        .cookie(pending_cookie_name(state.settings.is_https()))
        .and_then(|c| state.keys.verify(c.value(), Audience::MfaPending, now))
        .ok_or_else(expired)?;
    let sid = new_id();
    let expires = now + SESSION_ABSOLUTE;
    let st = state.clone();
    let factor = std::sync::Arc::new(factor);
    let session_id = sid.clone();
    let (checked, user) = db::tx(&state.pool, move |conn| {
        let sid = session_id.clone();
        let (user, _) = accounts_store::user_with_org(conn, &uid)?;
        if user.disabled_at.is_some() {
            return Err(expired());
        }
        let checked = check_factor(
            conn,
            &st.keys,
            &st.sealer,
            &user.id,
            &user.email,
            &factor,
            now,
        )?;
        if let Checked::Ok { recovery } = checked {
            let actx = AuditCtx {
                actor_user_id: Some(user.id.clone()),
                actor_org_id: Some(user.organization_id.clone()),
                request_id: ctx.request_id.clone(),
                now: Some(now),
            };
            if recovery {
                recovery_event(conn, &actx, &user.id, &user.organization_id, "sign_in")?;
            }
            let factor = json!({"second_factor": if recovery { "recovery_code" } else { "totp" }});
            open_second_factor_session(conn, &st, &actx, &user, &sid, expires, &client, factor)?;
        }
        Ok((checked, user))
    })
    .await?;
    match checked {
        Checked::Locked(secs) => Err(locked_out(secs)),
        Checked::Wrong => Err(invalid_code()),
        Checked::Ok { .. } => Ok(signed_in(&state, &sid, now, expires, &user)),
    }
}

/// In the sign-in transaction, once the second factor (code, recovery code or passkey) passed:
/// the session row (through [`begin_session`](crate::api::sessions::begin_session), which also
/// sends the new-browser email) and its `session.created` event, whose detail names the factor.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_second_factor_session(
    conn: &mut DbConn,
    state: &AppState,
    actx: &AuditCtx,
    user: &crate::store::accounts::UserRow,
    sid: &str,
    expires: DateTime<Utc>,
    client: &crate::auth::ClientInfo,
    factor: serde_json::Value,
) -> AppResult<()> {
    let now = actx.now.unwrap_or_else(|| state.clock.now());
    crate::api::sessions::open_session(
        conn,
        state.notifier.public_url(),
        actx,
        user,
        sid,
        now,
        expires,
        true,
        client,
        factor,
    )
}

/// The answer of a completed two-step sign-in: the session cookie, the pending cookie removed,
/// and the user.
pub(crate) fn signed_in(
    state: &AppState,
    sid: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
    user: &crate::store::accounts::UserRow,
) -> HttpResponse {
    let jwt = state.keys.issue(Audience::Session, sid, now, expires);
    let mut gone = pending_cookie(state, String::new(), CookieDuration::ZERO);
    gone.make_removal();
    HttpResponse::Ok()
        .cookie(crate::api::auth::session_cookie(
            state,
            jwt,
            Some(CookieDuration::seconds(SESSION_ABSOLUTE.num_seconds())),
        ))
        .cookie(gone)
        .json_body(UserEnvelope {
            user: UserOut::from(user),
        })
}

/// The answer of `POST /auth/login` when the password was right and a second factor is due.
#[derive(Debug, Serialize, ToSchema)]
pub struct MfaChallenge {
    pub mfa_required: bool,
    /// How to complete it: `totp` (`code` to `POST /auth/login/mfa`, when an authenticator
    /// app is set up), `webauthn` (`POST /auth/login/webauthn/start` then `finish`, when a
    /// passkey is registered) and `recovery_code` (`POST /auth/login/mfa`).
    pub methods: Vec<MfaMethod>,
}

/// A way to complete a sign-in's second step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MfaMethod {
    Totp,
    Webauthn,
    RecoveryCode,
}

impl MfaMethod {
    /// The JSON name (`totp`, `webauthn`, `recovery_code`).
    pub fn as_str(self) -> &'static str {
        match self {
            MfaMethod::Totp => "totp",
            MfaMethod::Webauthn => "webauthn",
            MfaMethod::RecoveryCode => "recovery_code",
        }
    }
}

/// The methods a user with a factor may finish sign-in with.
pub fn methods_of(conn: &mut DbConn, user_id: &str) -> Result<Vec<MfaMethod>, AppError> {
    let mut m = Vec::new();
    if store::has_totp(conn, user_id)? {
        m.push(MfaMethod::Totp);
    }
    if crate::store::webauthn::has_passkey(conn, user_id)? {
        m.push(MfaMethod::Webauthn);
    }
    m.push(MfaMethod::RecoveryCode);
    Ok(m)
}

pub fn challenge(
    state: &AppState,
    user_id: &str,
    methods: Vec<MfaMethod>,
    now: DateTime<Utc>,
) -> HttpResponse {
    HttpResponse::Ok()
        .cookie(challenge_cookie(state, user_id, now))
        .json_body(MfaChallenge {
            mfa_required: true,
            methods,
        })
}

/// The pending cookie of a sign-in whose first step passed (a password, or single sign-on
/// without a multi-factor `amr`): it names the user for `POST /auth/login/mfa` and the passkey
/// sign-in, for [`PENDING_TTL`].
pub fn challenge_cookie(state: &AppState, user_id: &str, now: DateTime<Utc>) -> Cookie<'static> {
    let jwt = state
        .keys
        .issue(Audience::MfaPending, user_id, now, now + PENDING_TTL);
    pending_cookie(
        state,
        jwt,
        CookieDuration::seconds(PENDING_TTL.num_seconds()),
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepUpOut {
    /// Until when actions that need step-up are allowed on this session.
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub stepped_up_until: DateTime<Utc>,
}

/// Step-up: a code from the authenticator app (or a recovery code) marks this session as having
/// used a factor now, for 15 minutes. Wrong codes count toward the lockout.
#[utoipa::path(
    post,
    path = "/api/v1/auth/step-up",
    operation_id = "stepUp",
    tag = "auth",
    request_body = FactorBody,
    responses(
        (status = 200, body = StepUpOut),
        (status = 401, description = "`invalid_code`: the code is wrong or was already used", body = crate::api::dto::Problem),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: no factor is enrolled", body = crate::api::dto::Problem),
        (status = 429, description = "Too many failed attempts for this address; see Retry-After", body = crate::api::dto::Problem),
    ),
)]
pub async fn step_up(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<FactorBody>,
) -> AppResult<HttpResponse> {
    let sid = session_only(&actor)?;
    if !actor.mfa.enrolled {
        return Err(AppError::conflict(
            ProblemCode::MfaState,
            "No second factor is set up, so there is nothing to confirm.",
        ));
    }
    let factor = std::sync::Arc::new(factor_of(body.into_inner())?);
    let now = state.clock.now();
    let st = state.clone();
    let checked = db::tx(&state.pool, move |conn| {
        let uid = actor.user_id.to_string();
        let checked = check_factor(conn, &st.keys, &st.sealer, &uid, &actor.email, &factor, now)?;
        if let Checked::Ok { recovery } = checked {
            store::mark_session_mfa(conn, &sid, now)?;
            let actx = actor.audit(now);
            if recovery {
                recovery_event(conn, &actx, &uid, actor.org_id.as_str(), "step_up")?;
            }
            audit::append(
                conn,
                &actx,
                NewEvent {
                    action: AuditAction::MfaStepUp,
                    target_type: "user",
                    target_id: &uid,
                    visible_to: vec![actor.org_id.to_string()],
                    detail: json!({"session_id": sid, "second_factor": if recovery { "recovery_code" } else { "totp" }}),
                },
            )?;
        }
        Ok(checked)
    })
    .await?;
    match checked {
        Checked::Locked(secs) => Err(locked_out(secs)),
        Checked::Wrong => Err(invalid_code()),
        Checked::Ok { .. } => Ok(HttpResponse::Ok().json_body(StepUpOut {
            stepped_up_until: now + mfa::STEP_UP_WINDOW,
        })),
    }
}
