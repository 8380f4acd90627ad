//! Who is calling. `Actor` is extracted from a session cookie (browsers) or a personal API
//! token (`Authorization: Bearer …`); the user, organization and role are read from the database
//! on every request so a role change or a disable applies at once.

pub mod mfa;
pub mod oidc;
pub mod password;
pub mod sealed;
pub mod throttle;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use chrono::{DateTime, Utc};

use crate::audit::AuditCtx;
use crate::clock::from_db;
use crate::domain::ids::{OrgId, UserId};
use crate::domain::policy::{self, AgencyCode, Capability, OrgKind, OrgRole};
use crate::domain::session::TokenScope;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::accounts::{self, TOUCH_EVERY};
use tokens::Audience;

/// The session cookie's name: `__Host-` prefixed (and `Secure`) when served over https.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-portal_session"
    } else {
        "portal_session"
    }
}

pub const CSRF_HEADER: &str = "x-requested-with";
pub const CSRF_VALUE: &str = "fetch";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session(String),
    ApiToken(String),
}

/// The caller of a request: the signed-in user, their organization and how they signed in.
/// Its permissions are its [`policy::Membership`] (`may`, `require`).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub org_role: OrgRole,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub agency_code: Option<AgencyCode>,
    pub credential: Credential,
    pub request_id: Option<String>,
    /// Second-factor state of the caller (DESIGN §7).
    pub mfa: MfaState,
    /// Where the audit trail stood when the actor was read: what this request reads afterwards
    /// is at least this new (`api::page_cache`).
    pub versions: accounts::DataVersions,
}

/// What the step-up and enrolment rules need to know about the caller, read with the actor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MfaState {
    /// The user has a confirmed second factor.
    pub enrolled: bool,
    /// Policy (`auth.mfa_required_kinds` or the organization's own flag) says they must have one.
    pub required: bool,
    /// This request's credential passed a factor recently enough for step-up: a session on
    /// which a factor was used within [`mfa::STEP_UP_WINDOW`], or an API token made on such a
    /// session. Always true for a user without a factor (there is nothing to ask for; users
    /// who must enrol are held before they get here).
    pub stepped_up: bool,
}

impl Actor {
    pub fn membership(&self) -> policy::Membership {
        policy::Membership {
            org_kind: self.org_kind,
            org_role: self.org_role,
            agency_code: self.agency_code,
        }
    }
    pub fn may(&self, cap: Capability) -> bool {
        policy::may(&self.membership(), cap)
    }
    /// 403 unless the actor holds `cap` (use after the record was found visible).
    pub fn require(&self, cap: Capability, detail: &str) -> Result<(), AppError> {
        if self.may(cap) {
            Ok(())
        } else {
            Err(AppError::forbidden(detail.to_string()))
        }
    }
    /// 401 `step_up_required` unless the credential passed a second factor recently (see
    /// [`MfaState::stepped_up`]). Government decisions, accepting terms, adding to a roster,
    /// concurring, creating API tokens and changing factors call this; the developer's own off
    /// switch (DESIGN §2.7) never does. Call it after the visibility and role checks (404 and
    /// 403 come first), so a caller who may not act is told so rather than asked for a factor.
    pub fn require_step_up(&self) -> Result<(), AppError> {
        if self.mfa.stepped_up {
            return Ok(());
        }
        let detail = match self.credential {
            Credential::Session(_) => "Confirm it is you: enter a code from your authenticator app (POST /api/v1/auth/step-up) or use a passkey (POST /api/v1/auth/step-up/webauthn/start, then finish), then try again.",
            Credential::ApiToken(_) => "This API token was not made right after a second-factor check, so it cannot take this action. Sign in with your second factor, create a new token, and use that one.",
        };
        Err(AppError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            crate::error::ProblemCode::StepUpRequired,
            detail,
        ))
    }
    pub fn is_admin(&self) -> bool {
        self.org_role == OrgRole::Admin
    }
    pub fn is_kind(&self, k: OrgKind) -> bool {
        self.org_kind == k
    }
    pub fn audit(&self, now: DateTime<Utc>) -> AuditCtx {
        AuditCtx {
            actor_user_id: Some(self.user_id.to_string()),
            actor_org_id: Some(self.org_id.to_string()),
            request_id: self.request_id.clone(),
            now: Some(now),
        }
    }
}

/// The request id that `tracing-actix-web` gave this request, as a string.
pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|r| r.to_string())
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The 403 of a `read` API token on a request that is not GET or HEAD.
fn insufficient_scope() -> AppError {
    AppError::forbidden_code(
        crate::error::ProblemCode::InsufficientScope,
        "This API token may only read (GET and HEAD). Create a read_write token to make changes.",
    )
}

/// Middleware on `/api/v1`: a `read` API token on any request but GET/HEAD answers 403
/// `insufficient_scope` before the handler runs, so before its body is read or checked (the
/// [`Actor`] extractor checks it as well, for a handler that reads its body first would answer
/// 422 otherwise). Costs one indexed read, only for unsafe requests with a bearer token.
pub async fn read_tokens_only_read(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::ResponseError;
    let method = req.method().as_str().to_string();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if let (Some(state), false) = (state, TokenScope::Read.allows(&method)) {
        let id = bearer(req.request())
            .and_then(|t| state.keys.verify(&t, Audience::Api, state.clock.now()));
        if let Some(id) = id {
            let scope = crate::db::run(&state.pool, move |conn| {
                Ok(accounts::api_token(conn, &id)?.map(|t| t.scope))
            })
            .await;
            let refused = match scope {
                Ok(Some(scope)) if !scope.allows(&method) => Some(insufficient_scope()),
                Err(e) => Some(e),
                _ => None,
            };
            if let Some(e) = refused {
                return Ok(req.into_response(e.error_response()));
            }
        }
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}

impl FromRequest for Actor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Actor, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { extract(req, false).await })
    }
}

/// The caller of the routes a user who must enrol a second factor may still use while held
/// (the enrolment routes, `me`, `logout`). Every other route takes [`Actor`], which answers
/// 403 `mfa_enrollment_required` for such a user.
#[derive(Debug, Clone)]
pub struct EnrollingActor(pub Actor);

impl FromRequest for EnrollingActor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<EnrollingActor, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { extract(req, true).await.map(EnrollingActor) })
    }
}

async fn extract(req: HttpRequest, allow_held: bool) -> Result<Actor, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no app state")))?;
    let now = state.clock.now();
    let credential = if let Some(tok) = bearer(&req) {
        let id = state
            .keys
            .verify(&tok, Audience::Api, now)
            .ok_or_else(AppError::unauthorized)?;
        Credential::ApiToken(id)
    } else if let Some(c) = req.cookie(cookie_name(state.settings.is_https())) {
        let id = state
            .keys
            .verify(c.value(), Audience::Session, now)
            .ok_or_else(|| AppError::unauthorized_with("Your session has ended. Sign in again."))?;
        if is_unsafe(req.method()) {
            let ok = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case(CSRF_VALUE));
            if !ok {
                return Err(AppError::forbidden_code(
                    crate::error::ProblemCode::CsrfHeaderMissing,
                    "Requests authenticated by the session cookie must carry the header X-Requested-With: fetch.",
                ));
            }
        }
        Credential::Session(id)
    } else {
        return Err(AppError::unauthorized());
    };
    let request_id = request_id(&req);
    let required_kinds = state.settings.auth.mfa_required_kinds.clone();
    let method = req.method().clone();
    // Through `db::run`, so a database outage answers 503 within its deadline here too.
    crate::db::run(&state.pool, move |conn| -> Result<Actor, AppError> {
        let (user_id, factor_at) = match &credential {
            Credential::Session(id) => {
                let s = accounts::session(conn, id)?.ok_or_else(AppError::unauthorized)?;
                if !accounts::session_live(&s, now) {
                    return Err(AppError::unauthorized_with(
                        "Your session has ended. Sign in again.",
                    ));
                }
                if now - from_db(s.last_seen_at) >= TOUCH_EVERY {
                    accounts::touch_session(conn, id, now)?;
                }
                (s.user_id, s.mfa_at.map(from_db))
            }
            Credential::ApiToken(id) => {
                let t = accounts::api_token(conn, id)?.ok_or_else(AppError::unauthorized)?;
                if t.revoked_at.is_some() || now >= from_db(t.expires_at) {
                    return Err(AppError::unauthorized_with(
                        "This API token was revoked or has expired.",
                    ));
                }
                if !t.scope.allows(method.as_str()) {
                    return Err(insufficient_scope());
                }
                if t.last_used_at.is_none_or(|l| now - from_db(l) >= TOUCH_EVERY) {
                    accounts::touch_api_token(conn, id, now)?;
                }
                // A token made on a stepped-up session carries the step-up for its lifetime.
                (t.user_id, t.mfa.then_some(now))
            }
        };
        let mut actor = actor_for_user(conn, &user_id, credential, request_id)?;
        actor.mfa.required = actor.mfa.required || required_kinds.contains(&actor.org_kind);
        actor.mfa.stepped_up = !actor.mfa.enrolled
            || factor_at.is_some_and(|at| now - at < mfa::STEP_UP_WINDOW);
        if actor.mfa.required && !actor.mfa.enrolled && !allow_held {
            return Err(AppError::forbidden_code(
                crate::error::ProblemCode::MfaEnrollmentRequired,
                "Your organization requires a second factor. Set up an authenticator app (POST /api/v1/auth/mfa/totp) or a passkey (POST /api/v1/auth/mfa/webauthn/register/start) before anything else.",
            ));
        }
        Ok(actor)
    })
    .await
}

/// Loads the user, organization and role from the database (on every request, so a role
/// change or a disable applies at once).
pub fn actor_for_user(
    conn: &mut crate::db::DbConn,
    user_id: &str,
    credential: Credential,
    request_id: Option<String>,
) -> Result<Actor, AppError> {
    let accounts::ActorRows {
        user,
        org,
        org_requires_mfa,
        deactivated_at,
        has_factor,
        versions,
    } = accounts::actor_rows(conn, user_id)?;
    let mfa = MfaState {
        enrolled: has_factor,
        required: org_requires_mfa,
        stepped_up: false,
    };
    if user.disabled_at.is_some() {
        return Err(AppError::unauthorized_with("This account is disabled."));
    }
    if deactivated_at.is_some() {
        return Err(crate::accounts::organization_deactivated());
    }
    Ok(Actor {
        user_id: user.id.into(),
        email: user.email,
        name: user.name,
        org_role: OrgRole::parse(&user.org_role).map_err(AppError::internal)?,
        org_id: org.id.into(),
        org_name: org.name,
        org_kind: org.kind,
        agency_code: org
            .agency_code
            .as_deref()
            .map(AgencyCode::parse)
            .transpose()
            .map_err(AppError::internal)?,
        credential,
        request_id,
        mfa,
        versions,
    })
}

/// Request context for handlers that may run without a signed-in user (sign-up, login…).
#[derive(Debug, Clone)]
pub struct ReqCtx {
    pub request_id: Option<String>,
}

impl FromRequest for ReqCtx {
    type Error = AppError;
    type Future = std::future::Ready<Result<ReqCtx, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ReqCtx {
            request_id: request_id(req),
        }))
    }
}

/// What the sessions page shows of the client that signs in: its `User-Agent` (cut to 512
/// characters) and its address (the socket peer unless a trusted proxy forwarded it).
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

impl FromRequest for ClientInfo {
    type Error = AppError;
    type Future = std::future::Ready<Result<ClientInfo, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.settings.server.trusted_proxies.clone())
            .unwrap_or_default();
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().chars().take(512).collect::<String>())
            .filter(|s| !s.is_empty());
        std::future::ready(Ok(ClientInfo {
            user_agent,
            ip: throttle::client_ip(req, &trusted).map(|ip| ip.to_string()),
        }))
    }
}
