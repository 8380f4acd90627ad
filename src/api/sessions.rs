//! The sessions page (DESIGN §7): a user sees their own live sessions (browser, address, last
//! seen) and API tokens, and ends any of them. Every sign-in goes through [`begin_session`],
//! which records the browser and address and emails the user when the browser is new.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::api::auth::{session_cookie, ApiTokenOut};
use crate::api::JsonBody;
use crate::audit::{self, NewEvent};
use crate::auth::{Actor, ClientInfo, Credential};
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::session::browser_label;
use crate::error::{AppError, AppResult};
use crate::mail::{outbox, templates::Reason};
use crate::state::AppState;
use crate::store::accounts::{self as store, SessionRow, UserRow};

/// A browser whose label was not seen on the account's sessions begun in this span counts as new.
pub const NEW_BROWSER_AFTER: Duration = Duration::days(90);

/// The web page the new-browser email links to.
pub const SESSIONS_PAGE: &str = "/sessions";

/// Inserts a new session for `user` (in the caller's sign-in transaction) with the client's
/// browser and address, and queues the new-browser email when no session of the last
/// [`NEW_BROWSER_AFTER`] came from a browser with the same label. A user's very first session
/// (right after sign-up or an invitation) sends none: there is no earlier browser to compare.
#[allow(clippy::too_many_arguments)]
pub fn begin_session(
    conn: &mut DbConn,
    public_url: &str,
    user: &UserRow,
    sid: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
    mfa_at: Option<DateTime<Utc>>,
    client: &ClientInfo,
) -> Result<(), AppError> {
    // Every sign-in (password, second factor, passkey, single sign-on) ends here.
    crate::accounts::refuse_if_deactivated(conn, &user.organization_id)?;
    let label = browser_label(client.user_agent.as_deref());
    let (agents, ever) = store::user_agents_since(conn, &user.id, now - NEW_BROWSER_AFTER)?;
    let seen = agents
        .iter()
        .any(|ua| browser_label(ua.as_deref()) == label);
    store::insert_session(
        conn,
        &SessionRow {
            id: sid.to_string(),
            user_id: user.id.clone(),
            created_at: to_db(now),
            last_seen_at: to_db(now),
            expires_at: to_db(expires),
            revoked_at: None,
            mfa_at: mfa_at.map(to_db),
            user_agent: client.user_agent.clone(),
            ip: client.ip.clone(),
        },
    )?;
    if ever && !seen {
        let line = format!(
            "There was a new sign-in to your Frontier Access Portal account at {} from {label}. If it was not you, end that session and reset your password.",
            now.format("%Y-%m-%d %H:%M UTC"),
        );
        outbox::enqueue_with_line(
            conn,
            now,
            &user.email,
            Reason::NewSignIn,
            Some(&line),
            &format!("{public_url}{SESSIONS_PAGE}"),
        )?;
    }
    Ok(())
}

/// In a sign-in transaction: the session row (through [`begin_session`]) and its
/// `session.created` event, whose `detail` says how the person signed in (the session id is
/// added). `factor_used` marks the session as having passed a second factor now (step-up
/// fresh). Every way of signing in (password, code, passkey, single sign-on) ends here.
#[allow(clippy::too_many_arguments)]
pub fn open_session(
    conn: &mut DbConn,
    public_url: &str,
    actx: &crate::audit::AuditCtx,
    user: &UserRow,
    sid: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
    factor_used: bool,
    client: &ClientInfo,
    mut detail: serde_json::Value,
) -> Result<(), AppError> {
    begin_session(
        conn,
        public_url,
        user,
        sid,
        now,
        expires,
        factor_used.then_some(now),
        client,
    )?;
    detail["session_id"] = json!(sid);
    audit::append(
        conn,
        actx,
        NewEvent {
            action: AuditAction::SessionCreated,
            target_type: "user",
            target_id: &user.id,
            visible_to: vec![user.organization_id.clone()],
            detail,
        },
    )?;
    Ok(())
}

/// One of the caller's sessions. Never its cookie: the id names the row, it signs nothing.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    pub id: String,
    /// A short label made from the browser's User-Agent, e.g. "Chrome on Linux".
    #[schema(example = "Chrome on Linux")]
    pub browser: String,
    /// The client address at sign-in.
    pub ip: Option<String>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    /// Updated at most once a minute.
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub last_seen_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub expires_at: DateTime<Utc>,
    /// This request came with this session's cookie.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    /// Live sessions, newest first.
    pub sessions: Vec<SessionOut>,
    /// Unrevoked, unexpired API tokens, newest first (never their values).
    pub api_tokens: Vec<ApiTokenOut>,
}

/// The caller's own live sessions and API tokens.
#[utoipa::path(
    get,
    path = "/api/v1/auth/sessions",
    operation_id = "listSessions",
    tag = "auth",
    responses(
        (status = 200, body = SessionList),
    ),
)]
pub async fn list(state: web::Data<AppState>, actor: Actor) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let uid = actor.user_id.to_string();
    let (sessions, tokens) = db::run(&state.pool, move |conn| {
        Ok((
            store::live_sessions_of(conn, &uid, now)?,
            store::api_tokens_of(conn, &uid)?,
        ))
    })
    .await?;
    let current = match &actor.credential {
        Credential::Session(id) => Some(id.as_str()),
        Credential::ApiToken(_) => None,
    };
    Ok(HttpResponse::Ok().json_body(SessionList {
        sessions: sessions
            .iter()
            .map(|s| SessionOut {
                id: s.id.clone(),
                browser: browser_label(s.user_agent.as_deref()),
                ip: s.ip.clone(),
                created_at: from_db(s.created_at),
                last_seen_at: from_db(s.last_seen_at),
                expires_at: from_db(s.expires_at),
                current: current == Some(s.id.as_str()),
            })
            .collect(),
        api_tokens: tokens
            .iter()
            .filter(|t| from_db(t.expires_at) > now)
            .map(ApiTokenOut::from)
            .collect(),
    }))
}

enum Ended {
    Session,
    Token,
}

/// Ends one of the caller's own sessions or revokes one of their API tokens (by the `id` from
/// the list). Ending the session this request came with signs out (the cookie is removed).
/// Never asks for step-up: ending access is never slowed.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/sessions/{id}",
    operation_id = "endSession",
    tag = "auth",
    params(
        ("id" = String, Path, description = "A session's or an API token's id"),
    ),
    responses(
        (status = 204, description = "Ended (also when it had ended already)"),
    ),
)]
pub async fn end(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let current = matches!(&actor.credential, Credential::Session(s) if *s == id);
    let a = actor.clone();
    let target = id.clone();
    db::tx(&state.pool, move |conn| {
        let uid = a.user_id.to_string();
        let (ended, action, detail) = if store::end_session_of(conn, &uid, &target, now)? {
            (
                Ended::Session,
                AuditAction::SessionEnded,
                json!({"session_id": target, "from": "sessions_page", "current": current}),
            )
        } else if store::revoke_api_token(conn, &uid, &target, now)? {
            (
                Ended::Token,
                AuditAction::ApiTokenRevoked,
                json!({"user_id": uid, "from": "sessions_page"}),
            )
        } else {
            return Err(AppError::not_found());
        };
        let (target_type, target_id) = match ended {
            Ended::Session => ("user", uid.as_str()),
            Ended::Token => ("api_token", target.as_str()),
        };
        audit::append(
            conn,
            &a.audit(now),
            NewEvent {
                action,
                target_type,
                target_id,
                visible_to: vec![a.org_id.to_string()],
                detail,
            },
        )?;
        Ok(())
    })
    .await?;
    if current {
        let mut gone = session_cookie(&state, String::new(), Some(CookieDuration::ZERO));
        gone.make_removal();
        return Ok(HttpResponse::NoContent().cookie(gone).finish());
    }
    Ok(HttpResponse::NoContent().finish())
}
