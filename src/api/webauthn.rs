//! Passkeys (WebAuthn, DESIGN §7) through `webauthn-rs`: registering one, signing in with one as
//! the second factor, and step-up with one.
//!
//! Every ceremony is two calls. `…/start` answers the options the browser passes to
//! `navigator.credentials.create` or `.get` (binary fields base64url) and keeps the ceremony's
//! state, with its challenge, on the server (`webauthn_ceremonies`): bound to the user, to what it
//! is for, and to the session (registration, step-up) or the pending sign-in cookie (sign-in);
//! void after five minutes. `…/finish` takes that state in the statement that deletes it, so a
//! challenge is answered once whatever the outcome, and nothing the client sends names it.
//!
//! The relying party is `server.public_url`: its host is the RP id and the URL the one allowed
//! origin. A host that is an IP address cannot be an RP id (browsers refuse it), so with such a
//! `public_url` the passkey routes answer 409 `mfa_state` and the other factors work as before.
//!
//! A failed sign-in or step-up assertion counts toward the address's lockout like a wrong code
//! (counted before it is checked, so parallel attempts are all counted).

use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use utoipa::ToSchema;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use crate::api::dto::UserEnvelope;
use crate::api::json::Json;
use crate::api::mfa::{
    locked_out, open_second_factor_session, pending_cookie_name, session_only, signed_in, StepUpOut,
};
use crate::api::JsonBody;
use crate::audit::{self, AuditCtx, NewEvent};
use crate::auth::mfa::{self as mfa_rules, PENDING_TTL};
use crate::auth::tokens::Audience;
use crate::auth::{Actor, EnrollingActor, ReqCtx};
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::error::{AppError, AppResult, ProblemCode};
use crate::state::AppState;
use crate::store::accounts::{self as accounts_store, SESSION_ABSOLUTE};
use crate::store::mfa as mfa_store;
use crate::store::new_id;
use crate::store::webauthn::{self as store, PasskeyRow, Purpose};

/// How long a started ceremony can be finished.
pub const CEREMONY_TTL: chrono::Duration = chrono::Duration::minutes(5);
/// The longest passkey name.
pub const NAME_MAX: usize = 64;

/// The relying party of `server.public_url`, or None when its host is not a domain name.
pub fn relying_party(public_url: &str) -> Option<Webauthn> {
    let url = Url::parse(public_url).ok()?;
    let host = url.domain()?.to_string();
    WebauthnBuilder::new(&host, &url)
        .ok()?
        .rp_name("Frontier Access Portal")
        .build()
        .ok()
}

fn rp(state: &AppState) -> Result<Arc<Webauthn>, AppError> {
    state.webauthn.clone().ok_or_else(|| {
        AppError::conflict(
            ProblemCode::MfaState,
            "Passkeys are not available here: server.public_url must name a host (not an IP address).",
        )
    })
}

fn no_ceremony() -> AppError {
    AppError::conflict(
        ProblemCode::MfaState,
        "No passkey check is in progress here (none was started, it expired, or it was used). Start again.",
    )
}

fn passkey_refused() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        ProblemCode::InvalidCode,
        "The passkey did not confirm it is you. Try again with a passkey registered for this account.",
    )
}

fn no_passkey() -> AppError {
    AppError::conflict(
        ProblemCode::MfaState,
        "No passkey is registered for this account.",
    )
}

fn cred_id_text(p: &Passkey) -> String {
    URL_SAFE_NO_PAD.encode(p.cred_id().as_slice())
}

fn state_json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(AppError::internal)
}

fn state_of<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, AppError> {
    serde_json::from_str(s).map_err(AppError::internal)
}

/// The WebAuthn user handle of a user: their id when it is a UUID (it is for every account the
/// portal makes), else a hash of it.
fn user_handle(user_id: &str) -> Uuid {
    Uuid::parse_str(user_id).unwrap_or_else(|_| {
        let h = Sha256::digest(user_id.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&h[..16]);
        Uuid::from_bytes(b)
    })
}

fn passkeys(rows: &[PasskeyRow]) -> Result<Vec<Passkey>, AppError> {
    rows.iter().map(|r| state_of(&r.passkey)).collect()
}

/// The options for `navigator.credentials.create()` or `.get()`: webauthn-rs's JSON, binary
/// fields as base64url without padding (decode them before passing them to the browser).
#[derive(Debug, Serialize, ToSchema)]
pub struct PasskeyOptions {
    /// `PublicKeyCredentialCreationOptions` or `PublicKeyCredentialRequestOptions` (W3C
    /// WebAuthn Level 3), with `challenge`, `user.id` and credential ids base64url.
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    pub public_key: Value,
}

fn options_of<T: Serialize>(v: &T) -> Result<PasskeyOptions, AppError> {
    let mut v = serde_json::to_value(v).map_err(AppError::internal)?;
    let pk = v
        .get_mut("publicKey")
        .map(Value::take)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("options without publicKey")))?;
    Ok(PasskeyOptions { public_key: pk })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasskeyOut {
    pub id: String,
    /// What the user called it ("Work laptop").
    pub name: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    /// The last sign-in or step-up with it.
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&PasskeyRow> for PasskeyOut {
    fn from(r: &PasskeyRow) -> Self {
        PasskeyOut {
            id: r.id.clone(),
            name: r.name.clone(),
            created_at: from_db(r.created_at),
            last_used_at: r.last_used_at.map(from_db),
        }
    }
}

pub fn list(conn: &mut DbConn, user_id: &str) -> Result<Vec<PasskeyOut>, AppError> {
    Ok(store::passkeys_of(conn, user_id)?
        .iter()
        .map(PasskeyOut::from)
        .collect())
}

/// Starts registering a passkey: answers the creation options. Registering is changing factors,
/// so a user who has a factor needs a step-up; a user held for enrolment may register one as
/// their first factor. Browser sessions only.
#[utoipa::path(
    post,
    path = "/api/v1/auth/mfa/webauthn/register/start",
    operation_id = "startPasskeyRegistration",
    tag = "auth",
    responses(
        (status = 200, body = PasskeyOptions, description = "Pass to navigator.credentials.create (after base64url-decoding the binary fields); finish within five minutes"),
        (status = 401, description = "`step_up_required`: the caller has a factor and did not use it on this session in the last 15 minutes", body = crate::api::dto::Problem),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: passkeys are not available (server.public_url names an IP address)", body = crate::api::dto::Problem),
    ),
)]
pub async fn register_start(
    state: web::Data<AppState>,
    actor: EnrollingActor,
) -> AppResult<HttpResponse> {
    let actor = actor.0;
    let sid = session_only(&actor)?;
    actor.require_step_up()?;
    let wa = rp(&state)?;
    let now = state.clock.now();
    let a = actor.clone();
    let options = db::tx(&state.pool, move |conn| {
        let uid = a.user_id.to_string();
        let existing = passkeys(&store::passkeys_of(conn, &uid)?)?;
        let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
        let (options, reg) = wa
            .start_passkey_registration(user_handle(&uid), &a.email, &a.name, Some(exclude))
            .map_err(AppError::internal)?;
        store::put_ceremony(
            conn,
            &uid,
            Purpose::Register,
            &sid,
            &state_json(&reg)?,
            now,
            now + CEREMONY_TTL,
        )?;
        audit::append(
            conn,
            &a.audit(now),
            NewEvent {
                action: AuditAction::MfaPasskeyRegistrationStarted,
                target_type: "user",
                target_id: &uid,
                visible_to: vec![a.org_id.to_string()],
                detail: json!({"method": "webauthn"}),
            },
        )?;
        options_of(&options)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(options))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterPasskeyBody {
    /// The `PublicKeyCredential` that `navigator.credentials.create` answered, as JSON
    /// (`id`, `rawId`, `type`, `response.attestationObject`, `response.clientDataJSON`, binary
    /// fields base64url).
    #[schema(value_type = Object)]
    pub credential: Value,
    /// A name to tell it apart later; "Passkey" when left out.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredPasskey {
    pub passkey: PasskeyOut,
    /// Ten recovery codes, only when this passkey is the account's first factor (shown once,
    /// like after confirming an authenticator app); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_codes: Option<Vec<String>>,
}

/// Finishes registering a passkey with what the authenticator answered. The session counts as
/// having used a factor now.
#[utoipa::path(
    post,
    path = "/api/v1/auth/mfa/webauthn/register/finish",
    operation_id = "finishPasskeyRegistration",
    tag = "auth",
    request_body = RegisterPasskeyBody,
    responses(
        (status = 201, body = RegisteredPasskey),
        (status = 401, description = "`step_up_required`", body = crate::api::dto::Problem),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: no registration was started on this session (or it expired or was used), the passkey is registered already, or passkeys are not available", body = crate::api::dto::Problem),
        (status = 422, description = "`validation_failed`: `credential` is not a valid answer to the challenge (wrong origin, challenge or signature), or `name` is too long", body = crate::api::dto::Problem),
    ),
)]
pub async fn register_finish(
    state: web::Data<AppState>,
    actor: EnrollingActor,
    body: Json<RegisterPasskeyBody>,
) -> AppResult<HttpResponse> {
    let actor = actor.0;
    let sid = session_only(&actor)?;
    actor.require_step_up()?;
    let wa = rp(&state)?;
    let body = body.into_inner();
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("Passkey")
        .to_string();
    if name.chars().count() > NAME_MAX {
        return Err(AppError::field(
            "name",
            format!("is longer than {NAME_MAX} characters"),
        ));
    }
    let cred: RegisterPublicKeyCredential = serde_json::from_value(body.credential)
        .map_err(|e| AppError::field("credential", format!("is not a PublicKeyCredential: {e}")))?;
    let cred = Arc::new(cred);
    let now = state.clock.now();
    let codes = mfa_rules::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| state.keys.code_hash(c)).collect();
    let (row, first) = db::tx(&state.pool, move |conn| {
        let uid = actor.user_id.to_string();
        let st = store::take_ceremony(conn, &uid, Purpose::Register, &sid, now)?
            .ok_or_else(no_ceremony)?;
        let reg: PasskeyRegistration = state_of(&st)?;
        let pk = match wa.finish_passkey_registration(&cred, &reg) {
            Ok(pk) => pk,
            Err(e) => {
                return Err(AppError::field(
                    "credential",
                    format!("does not answer this registration's challenge for this site ({e})"),
                ))
            }
        };
        let cid = cred_id_text(&pk);
        if store::credential_taken(conn, &cid)? {
            return Err(AppError::conflict(
                ProblemCode::MfaState,
                "This passkey is registered already.",
            ));
        }
        let first = !mfa_store::has_factor(conn, &uid)?;
        let row = PasskeyRow {
            id: new_id(),
            user_id: uid.clone(),
            credential_id: cid,
            name: name.clone(),
            passkey: state_json(&pk)?,
            created_at: to_db(now),
            last_used_at: None,
        };
        store::insert_passkey(conn, &row)?;
        if first {
            mfa_store::put_recovery_codes(conn, &uid, &hashes, now)?;
        }
        mfa_store::mark_session_mfa(conn, &sid, now)?;
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::MfaPasskeyEnrolled,
                target_type: "user",
                target_id: actor.user_id.as_str(),
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"method": "webauthn", "passkey_id": row.id, "name": row.name, "recovery_codes": if first { hashes.len() } else { 0 }}),
            },
        )?;
        Ok((row, first))
    })
    .await?;
    Ok(HttpResponse::Created().json_body(RegisteredPasskey {
        passkey: PasskeyOut::from(&row),
        recovery_codes: first.then_some(codes),
    }))
}

/// Removes one of the caller's passkeys. Needs a step-up. When it was the last factor, the
/// recovery codes go too (and a user whose organization requires a factor is held again).
#[utoipa::path(
    delete,
    path = "/api/v1/auth/mfa/webauthn/{id}",
    operation_id = "removePasskey",
    tag = "auth",
    params(("id" = String, Path, description = "The passkey's id (from GET /auth/mfa)")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "`step_up_required`: no factor used on this session in the last 15 minutes", body = crate::api::dto::Problem),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 404, description = "`not_found`: the caller has no passkey with this id", body = crate::api::dto::Problem),
    ),
)]
pub async fn remove(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    session_only(&actor)?;
    actor.require_step_up()?;
    let id = path.into_inner();
    let now = state.clock.now();
    db::tx(&state.pool, move |conn| {
        let uid = actor.user_id.to_string();
        let name = store::remove_passkey(conn, &uid, &id)?.ok_or_else(AppError::not_found)?;
        let last = !mfa_store::has_factor(conn, &uid)?;
        if last {
            mfa_store::remove_recovery_codes(conn, &uid)?;
        }
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::MfaPasskeyRemoved,
                target_type: "user",
                target_id: &uid,
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"method": "webauthn", "passkey_id": id, "name": name, "last_factor": last}),
            },
        )?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What checking an assertion found (returned from the transaction, so a failure's count and
/// the used-up ceremony commit).
enum Asserted {
    Ok { passkey_id: String },
    Wrong,
    NoCeremony,
    Locked(i64),
}

/// Counts the attempt on the address, takes the ceremony (once), verifies the assertion against
/// the user's passkeys, and records the passkey's new counter. On success the count is cleared.
#[allow(clippy::too_many_arguments)]
fn check_assertion(
    conn: &mut DbConn,
    wa: &Webauthn,
    user_id: &str,
    email: &str,
    purpose: Purpose,
    binding: &str,
    cred: &PublicKeyCredential,
    now: DateTime<Utc>,
) -> Result<Asserted, AppError> {
    if let Err(secs) = accounts_store::begin_attempt(conn, email, now)? {
        return Ok(Asserted::Locked(secs));
    }
    let Some(st) = store::take_ceremony(conn, user_id, purpose, binding, now)? else {
        return Ok(Asserted::NoCeremony);
    };
    let auth: PasskeyAuthentication = state_of(&st)?;
    let Ok(res) = wa.finish_passkey_authentication(cred, &auth) else {
        return Ok(Asserted::Wrong);
    };
    // The credential must be one of this user's (webauthn-rs checked it against the ones the
    // challenge allowed, which were this user's; looked up again here by user).
    let rows = store::passkeys_of(conn, user_id)?;
    let mut found = None;
    for r in &rows {
        let mut pk: Passkey = state_of(&r.passkey)?;
        if pk.cred_id() == res.cred_id() {
            let changed = pk.update_credential(&res).unwrap_or(false);
            let text = if changed {
                Some(state_json(&pk)?)
            } else {
                None
            };
            store::passkey_used(conn, &r.id, text.as_deref(), now)?;
            found = Some(r.id.clone());
        }
    }
    let Some(passkey_id) = found else {
        return Ok(Asserted::Wrong);
    };
    accounts_store::clear_failures(conn, email)?;
    Ok(Asserted::Ok { passkey_id })
}

fn assertion_of(v: Value) -> Result<Arc<PublicKeyCredential>, AppError> {
    serde_json::from_value(v)
        .map(Arc::new)
        .map_err(|e| AppError::field("credential", format!("is not a PublicKeyCredential: {e}")))
}

/// Starts an assertion ceremony for the user's passkeys under `purpose` and `binding`
/// (audited: `mfa.passkey_challenge_started`, with the purpose).
async fn start_assertion(
    state: &AppState,
    user_id: String,
    purpose: Purpose,
    binding: String,
    expires: DateTime<Utc>,
    request_id: Option<String>,
) -> AppResult<PasskeyOptions> {
    let wa = rp(state)?;
    let now = state.clock.now();
    db::tx(&state.pool, move |conn| {
        let (user, _) = accounts_store::user_with_org(conn, &user_id)?;
        let rows = store::passkeys_of(conn, &user_id)?;
        if rows.is_empty() {
            return Err(no_passkey());
        }
        let (options, auth) = wa
            .start_passkey_authentication(&passkeys(&rows)?)
            .map_err(AppError::internal)?;
        store::put_ceremony(
            conn,
            &user_id,
            purpose,
            &binding,
            &state_json(&auth)?,
            now,
            expires,
        )?;
        audit::append(
            conn,
            &AuditCtx {
                actor_user_id: Some(user.id.clone()),
                actor_org_id: Some(user.organization_id.clone()),
                request_id: request_id.clone(),
                now: Some(now),
            },
            NewEvent {
                action: AuditAction::MfaPasskeyChallengeStarted,
                target_type: "user",
                target_id: &user.id,
                visible_to: vec![user.organization_id.clone()],
                detail: json!({"method": "webauthn", "purpose": purpose.as_str()}),
            },
        )?;
        options_of(&options)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasskeyAssertionBody {
    /// The `PublicKeyCredential` that `navigator.credentials.get` answered, as JSON (`id`,
    /// `rawId`, `type`, `response.authenticatorData`, `response.clientDataJSON`,
    /// `response.signature`, `response.userHandle`, binary fields base64url).
    #[schema(value_type = Object)]
    pub credential: Value,
}

fn pending_user(
    state: &AppState,
    req: &HttpRequest,
    now: DateTime<Utc>,
) -> Option<(String, String)> {
    let c = req.cookie(pending_cookie_name(state.settings.is_https()))?;
    let uid = state.keys.verify(c.value(), Audience::MfaPending, now)?;
    // The ceremony is bound to this pending sign-in: another password sign-in gets its own.
    let binding = hex::encode(Sha256::digest(c.value().as_bytes()));
    Some((uid, binding))
}

/// No sign-in is waiting for its second factor (no pending cookie, or it expired): a state the
/// caller is in, not a missing credential, so not a 401.
fn sign_in_expired() -> AppError {
    AppError::conflict(
        ProblemCode::MfaState,
        "No sign-in is waiting for a passkey here, or it expired. Enter your email and password again.",
    )
}

/// Starts the passkey step of a sign-in that answered `mfa_required` with `webauthn` among its
/// `methods`: needs the pending cookie; answers the request options.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login/webauthn/start",
    operation_id = "startPasskeySignIn",
    tag = "auth",
    responses(
        (status = 200, body = PasskeyOptions, description = "Pass to navigator.credentials.get (after base64url-decoding the binary fields)"),
        (status = 409, description = "`mfa_state`: no pending sign-in, or it expired (sign in with the password again); the account has no passkey; or passkeys are not available", body = crate::api::dto::Problem),
    ),
)]
pub async fn login_start(
    state: web::Data<AppState>,
    req: HttpRequest,
    ctx: ReqCtx,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let (uid, binding) = pending_user(&state, &req, now).ok_or_else(sign_in_expired)?;
    let options = start_assertion(
        &state,
        uid,
        Purpose::SignIn,
        binding,
        now + CEREMONY_TTL.min(PENDING_TTL),
        ctx.request_id,
    )
    .await?;
    Ok(HttpResponse::Ok().json_body(options))
}

/// Completes a sign-in that answered `mfa_required` with a passkey: with the pending cookie and
/// what `navigator.credentials.get` answered, sets the session cookie like `POST
/// /auth/login/mfa`. A refused assertion counts toward the address's lockout.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login/webauthn/finish",
    operation_id = "finishPasskeySignIn",
    tag = "auth",
    request_body = PasskeyAssertionBody,
    responses(
        (status = 200, body = UserEnvelope, description = "Signed in; the session cookie is set"),
        (status = 401, description = "`invalid_code`: the passkey's answer was refused (another account's passkey, wrong origin, bad signature)", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: no pending sign-in (or it expired: sign in with the password again), or no passkey sign-in was started for it (or it expired or was used: start again)", body = crate::api::dto::Problem),
        (status = 422, description = "`validation_failed`: `credential` is not a PublicKeyCredential", body = crate::api::dto::Problem),
        (status = 429, description = "Too many failed attempts for this address; see Retry-After", body = crate::api::dto::Problem),
    ),
)]
pub async fn login_finish(
    state: web::Data<AppState>,
    req: HttpRequest,
    ctx: ReqCtx,
    client: crate::auth::ClientInfo,
    body: Json<PasskeyAssertionBody>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let cred = assertion_of(body.into_inner().credential)?;
    let (uid, binding) = pending_user(&state, &req, now).ok_or_else(sign_in_expired)?;
    let wa = rp(&state)?;
    let sid = new_id();
    let expires = now + SESSION_ABSOLUTE;
    let session_id = sid.clone();
    let st = state.clone();
    let (asserted, user) = db::tx(&state.pool, move |conn| {
        let sid = session_id.clone();
        let (user, _) = accounts_store::user_with_org(conn, &uid)?;
        if user.disabled_at.is_some() {
            return Err(sign_in_expired());
        }
        let asserted = check_assertion(
            conn,
            &wa,
            &user.id,
            &user.email,
            Purpose::SignIn,
            &binding,
            &cred,
            now,
        )?;
        if let Asserted::Ok { passkey_id } = &asserted {
            let actx = AuditCtx {
                actor_user_id: Some(user.id.clone()),
                actor_org_id: Some(user.organization_id.clone()),
                request_id: ctx.request_id.clone(),
                now: Some(now),
            };
            let factor = json!({"second_factor": "webauthn", "passkey_id": passkey_id});
            open_second_factor_session(conn, &st, &actx, &user, &sid, expires, &client, factor)?;
        }
        Ok((asserted, user))
    })
    .await?;
    match asserted {
        Asserted::Locked(secs) => Err(locked_out(secs)),
        Asserted::Wrong => Err(passkey_refused()),
        Asserted::NoCeremony => Err(no_ceremony()),
        Asserted::Ok { .. } => Ok(signed_in(&state, &sid, now, expires, &user)),
    }
}

/// Starts a step-up with a passkey (the passkey variant of `POST /auth/step-up`): answers the
/// request options, bound to this session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/step-up/webauthn/start",
    operation_id = "startPasskeyStepUp",
    tag = "auth",
    responses(
        (status = 200, body = PasskeyOptions, description = "Pass to navigator.credentials.get (after base64url-decoding the binary fields)"),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: the account has no passkey, or passkeys are not available", body = crate::api::dto::Problem),
    ),
)]
pub async fn step_up_start(state: web::Data<AppState>, actor: Actor) -> AppResult<HttpResponse> {
    let sid = session_only(&actor)?;
    let now = state.clock.now();
    let options = start_assertion(
        &state,
        actor.user_id.to_string(),
        Purpose::StepUp,
        sid,
        now + CEREMONY_TTL,
        actor.request_id.clone(),
    )
    .await?;
    Ok(HttpResponse::Ok().json_body(options))
}

/// Step-up with a passkey: a valid answer to this session's step-up challenge marks the session
/// as having used a factor now, for 15 minutes, like `POST /auth/step-up` with a code. A refused
/// assertion counts toward the lockout.
#[utoipa::path(
    post,
    path = "/api/v1/auth/step-up/webauthn/finish",
    operation_id = "finishPasskeyStepUp",
    tag = "auth",
    request_body = PasskeyAssertionBody,
    responses(
        (status = 200, body = StepUpOut),
        (status = 401, description = "`invalid_code`: the passkey's answer was refused (another account's passkey, wrong origin, bad signature)", body = crate::api::dto::Problem),
        (status = 403, description = "`forbidden`: called with an API token", body = crate::api::dto::Problem),
        (status = 409, description = "`mfa_state`: no passkey step-up was started on this session (or it expired or was used: start again)", body = crate::api::dto::Problem),
        (status = 422, description = "`validation_failed`: `credential` is not a PublicKeyCredential", body = crate::api::dto::Problem),
        (status = 429, description = "Too many failed attempts for this address; see Retry-After", body = crate::api::dto::Problem),
    ),
)]
pub async fn step_up_finish(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<PasskeyAssertionBody>,
) -> AppResult<HttpResponse> {
    let sid = session_only(&actor)?;
    let cred = assertion_of(body.into_inner().credential)?;
    let wa = rp(&state)?;
    let now = state.clock.now();
    let asserted = db::tx(&state.pool, move |conn| {
        let uid = actor.user_id.to_string();
        let asserted = check_assertion(
            conn,
            &wa,
            &uid,
            &actor.email,
            Purpose::StepUp,
            &sid,
            &cred,
            now,
        )?;
        if let Asserted::Ok { passkey_id } = &asserted {
            mfa_store::mark_session_mfa(conn, &sid, now)?;
            audit::append(
                conn,
                &actor.audit(now),
                NewEvent {
                    action: AuditAction::MfaStepUp,
                    target_type: "user",
                    target_id: &uid,
                    visible_to: vec![actor.org_id.to_string()],
                    detail: json!({"session_id": sid, "second_factor": "webauthn", "passkey_id": passkey_id}),
                },
            )?;
        }
        Ok(asserted)
    })
    .await?;
    match asserted {
        Asserted::Locked(secs) => Err(locked_out(secs)),
        Asserted::Wrong => Err(passkey_refused()),
        Asserted::NoCeremony => Err(no_ceremony()),
        Asserted::Ok { .. } => Ok(HttpResponse::Ok().json_body(StepUpOut {
            stepped_up_until: now + mfa_rules::STEP_UP_WINDOW,
        })),
    }
}
