//! The message thread of a grant (issue 11): the developer organization and the grantee side —
//! the partner of a partner grant, the grantee agencies of a Government access grant — write to
//! each other on the grant itself. The same mechanism and shapes as a designation request's
//! thread (`api::threads`): a plain-text `body`, pages oldest first, append-only.
//!
//! Who: members of a party only ([`Grant::message_side`]); anyone else, an agency that sees a
//! partner grant's metadata and operators included, gets 404 like a missing record. A grant
//! that is over (ended, revoked, expired) keeps its thread, open for new messages too: a
//! question after the fact is normal, and a message changes nothing about access.
//!
//! A post emails the other side's admins through the outbox (reason `grant_message`: a link and
//! one line, never the text) and writes one audit event (`grant.message_posted`, target the
//! grant, visible to its parties, detail without the text).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::finish;
use crate::api::first;
use crate::api::grants::{record, GrantResource};
use crate::api::paging::PageQuery;
use crate::api::paging::Paged;
use crate::api::required;
use crate::api::threads::Authors;
use crate::api::JsonBody;
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::grant::{Grant, MessageSide, GRANT_MESSAGE_MAX};
use crate::error::{AppError, AppResult};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::AppState;
use crate::store::grants::{self as store, GrantMessageRow};
use crate::store::new_id;

/// One message of a grant's thread.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantMessageOut {
    pub id: String,
    pub author_name: String,
    pub author_org_name: String,
    /// `developer` or `grantee`: the side the author wrote from.
    pub side: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantMessageList {
    /// Oldest first.
    pub items: Vec<GrantMessageOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"body": "Could the sandbox quota be raised for our evaluation team?"}))]
pub struct GrantMessageBody {
    /// Plain text, trimmed; 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub body: String,
}

fn outs(conn: &mut DbConn, rows: Vec<GrantMessageRow>) -> AppResult<Vec<GrantMessageOut>> {
    let authors = Authors::load(
        conn,
        rows.iter()
            .map(|m| (m.author_user_id.as_str(), m.author_org_id.as_str())),
    )?;
    Ok(rows
        .into_iter()
        .map(|m| GrantMessageOut {
            author_name: authors.user(&m.author_user_id),
            author_org_name: authors.org(&m.author_org_id),
            id: m.id,
            side: m.side.as_str().into(),
            created_at: from_db(m.created_at),
            body: m.body,
        })
        .collect())
}

/// The caller's side on the grant, or 404 for everyone who is not a party.
fn side_of(ctx: &Grant, actor: &Actor) -> AppResult<MessageSide> {
    ctx.message_side(&actor.org_id)
        .ok_or_else(AppError::not_found)
}

/// `GET …/{id}/messages` for either kind of grant.
pub async fn list_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
    q: PageQuery,
) -> AppResult<HttpResponse> {
    let page = q.page()?;
    let (items, next_cursor) = db::run(&state.pool, move |conn| {
        let ctx = R::context(conn, &actor, &id)?;
        side_of(&ctx, &actor)?;
        let rows = store::messages_of(
            conn,
            ctx.kind,
            &ctx.id,
            page.before.as_deref(),
            page.limit + 1,
        )?;
        let p = Paged::from_rows(rows, &page, |m| m.id.clone());
        Ok((outs(conn, p.items)?, p.next_cursor))
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(GrantMessageList { items, next_cursor }))
}

/// `POST …/{id}/messages` for either kind of grant: 201 with the new message.
pub async fn post_route<R: GrantResource>(
    state: web::Data<AppState>,
    actor: Actor,
    id: String,
    body: String,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let text = required(&mut errors, "body", &body, GRANT_MESSAGE_MAX);
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let ctx = R::context(conn, &actor, &id)?;
        let side = side_of(&ctx, &actor)?;
        finish(errors)?;
        let row = GrantMessageRow {
            id: new_id(),
            grant_type: ctx.kind.as_str().into(),
            grant_id: ctx.id.to_string(),
            author_user_id: actor.user_id.to_string(),
            author_org_id: actor.org_id.to_string(),
            side,
            body: text,
            created_at: to_db(now),
        };
        store::insert_message(conn, &row)?;
        record(
            conn,
            &ctx,
            &actor,
            now,
            AuditAction::GrantMessagePosted,
            json!({"message_id": row.id, "side": side.as_str()}),
        )?;
        let to = notify::org_emails(
            conn,
            &ctx.message_recipients(side)
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>(),
            true,
        )?;
        notifier.send(
            conn,
            now,
            &to,
            Reason::GrantMessage,
            &format!("{}#messages", ctx.link()),
        )?;
        first(outs(conn, vec![row])?)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}
