//! Listing and reading designation requests.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::paging::{PageQuery, Paged};
use crate::auth::Actor;
use crate::db;
use crate::domain::designation::DesignationStatus;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::designations::{self as store};

use super::common::load;
use super::views::{one, outs, RequestOut};
use crate::api::viewer;

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestOut>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Filter by status.
    pub status: Option<String>,
    /// Filter by model.
    pub model_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Requests visible to the caller (a developer's own; every non-draft one for agencies).
#[utoipa::path(
    get,
    path = "/api/v1/designation-requests",
    tag = "designations",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, body = RequestList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            DesignationStatus::parse(s)
                .map_err(|_| AppError::field("status", "is not a designation status"))?,
        ),
    };
    let model = q.model_id.clone().filter(|s| !s.is_empty());
    let p = page.clone();
    let items = db::run(&state.pool, move |conn| {
        let rows = store::list_visible(conn, &viewer(&actor), status, model.as_deref(), &p)?;
        outs(conn, rows)
    })
    .await?;
    let paged = Paged::from_rows(items, &page, |r| r.id.clone());
    Ok(HttpResponse::Ok().json(RequestList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}

/// One request.
#[utoipa::path(
    get,
    path = "/api/v1/designation-requests/{id}",
    tag = "designations",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RequestOut),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let out = db::run(&state.pool, move |conn| {
        let r = load(conn, &actor, &id)?;
        one(conn, r)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}
