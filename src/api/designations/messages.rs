//! The message thread between the developer and reviewers.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::finish;
use crate::api::first;
use crate::api::json::Json;
use crate::api::paging::PageQuery;
use crate::api::paging::Paged;
use crate::api::required;
use crate::api::threads::Authors;
use crate::api::JsonBody;
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::audit::AuditAction;
use crate::domain::designation::{next_status, DesignationAction, MessageKind};
use crate::domain::policy::OrgKind;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::designations::{self as store, MessageRow, RequestRow};
use crate::store::new_id;

use super::common::record;
use crate::api::view::load;
use crate::domain::ids::RequestId;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"message": "Please share the evaluation harness configuration used for the cyber results."}))]
pub struct MessageBody {
    #[schema(min_length = 1, max_length = 20000)]
    pub message: String,
}

pub(super) fn add_message(
    conn: &mut DbConn,
    actor: &Actor,
    r: &RequestRow,
    kind: MessageKind,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<MessageRow> {
    let m = MessageRow {
        id: new_id(),
        request_id: r.id.clone(),
        author_user_id: actor.user_id.to_string(),
        author_org_id: actor.org_id.to_string(),
        kind,
        body: body.into(),
        created_at: to_db(now),
    };
    store::insert_message(conn, &m)?;
    Ok(m)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: String,
    pub author_name: String,
    pub author_org_name: String,
    /// `message`, `info_request` or `response`
    pub kind: String,
    pub body: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageOut>,
    pub next_cursor: Option<String>,
}

pub(super) fn message_outs(conn: &mut DbConn, rows: Vec<MessageRow>) -> AppResult<Vec<MessageOut>> {
    let authors = Authors::load(
        conn,
        rows.iter()
            .map(|m| (m.author_user_id.as_str(), m.author_org_id.as_str())),
    )?;
    Ok(rows
        .into_iter()
        .map(|m| MessageOut {
            author_name: authors.user(&m.author_user_id),
            author_org_name: authors.org(&m.author_org_id),
            id: m.id,
            kind: m.kind.as_str().into(),
            body: m.body,
            created_at: from_db(m.created_at),
        })
        .collect())
}

/// The message thread between the developer and reviewers, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/designation-requests/{id}/messages",
    operation_id = "listDesignationMessages",
    tag = "designations",
    params(
        ("id" = String, Path),
        PageQuery,
    ),
    responses(
        (status = 200, body = MessageList),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn list_messages(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = q.page()?;
    let id = path.into_inner();
    let (items, next_cursor) = db::run(&state.pool, move |conn| {
        let r: RequestRow = load(conn, &actor, &id)?;
        let rows = store::messages(conn, &r.id, page.before.as_deref(), page.limit + 1)?;
        let p = Paged::from_rows(rows, &page, |m| m.id.clone());
        Ok((message_outs(conn, p.items)?, p.next_cursor))
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(MessageList { items, next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PostMessageBody {
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
}

/// Adds a message to the thread (the developer or a reviewer; not on drafts or withdrawn requests).
#[utoipa::path(
    post,
    path = "/api/v1/designation-requests/{id}/messages",
    operation_id = "postDesignationMessage",
    tag = "designations",
    request_body = PostMessageBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 201, body = MessageOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn post_message(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<RequestId>,
    body: Json<PostMessageBody>,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let text = required(&mut errors, "body", &body.body, 20_000);
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let r: RequestRow = load(conn, &actor, &id)?;
        let allowed = match actor.org_kind {
            OrgKind::Developer => r.organization_id == actor.org_id,
            OrgKind::Agency => true,
            _ => false,
        };
        if !allowed {
            return Err(AppError::forbidden("You cannot post on this request."));
        }
        next_status(r.status, DesignationAction::PostMessage)
            .map_err(|e| AppError::invalid_transition(e.to_string()))?;
        finish(errors)?;
        let m = add_message(conn, &actor, &r, MessageKind::Message, &text, now)?;
        record(
            conn,
            &actor,
            now,
            &r,
            AuditAction::DesignationMessagePosted,
            json!({"message_id": m.id}),
        )?;
        first(message_outs(conn, vec![m])?)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}
