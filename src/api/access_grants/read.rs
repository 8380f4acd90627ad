//! Listing and reading access grants.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::page_cache::Shows;
use crate::api::paging::{PageQuery, Paged};
use crate::api::JsonBody;
use crate::api::{viewer, VOLUNTARY};
use crate::auth::Actor;
use crate::db;
use crate::domain::policy::OrgKind;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::grants::{self as store};

use super::common::parse_status;
use super::views::{AccessGrantOut, AccessGrantSummary};
use crate::api::view::{load, View};
use crate::domain::ids::GrantId;
use crate::store::grants::AccessGrantRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessGrantList {
    /// Summaries: the access instructions are in the detail.
    pub items: Vec<AccessGrantSummary>,
    pub next_cursor: Option<String>,
    /// The voluntary notice, once for the page (each record's own answer carries it too).
    pub voluntary_notice: &'static str,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Filter by derived status.
    pub status: Option<String>,
    pub model_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Grants the caller's organization offered or is a grantee of, newest first. Items are
/// summaries: the access instructions are in `GET /access-grants/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/access-grants",
    operation_id = "listAccessGrants",
    tag = "access grants",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, body = AccessGrantList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<ListQuery>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let status = parse_status(q.status.as_deref())?;
    let model = q.model_id.clone().filter(|s| !s.is_empty());
    let now = state.clock.now();
    // Partners and operators are never parties to a Government grant: nothing to read.
    if matches!(actor.org_kind, OrgKind::Partner | OrgKind::Operator) {
        return Ok(HttpResponse::Ok().json_body(AccessGrantList {
            items: vec![],
            next_cursor: None,
            voluntary_notice: VOLUNTARY,
        }));
    }
    let pool = state.pool.clone();
    state
        .pages
        .answer(Shows::Records, actor, &req, now, |actor, now| async move {
            let p = page.clone();
            let viewer = viewer(&actor);
            let items = db::run(&pool, move |conn| {
                let rows =
                    store::list_access_visible(conn, &viewer, status, model.as_deref(), now, &p)?;
                AccessGrantSummary::page(conn, &actor, now, rows)
            })
            .await?;
            let paged = Paged::from_rows(items, &page, |g| g.id.clone());
            Ok(AccessGrantList {
                items: paged.items,
                next_cursor: paged.next_cursor,
                voluntary_notice: VOLUNTARY,
            })
        })
        .await
}

/// One grant (its developer and grantee agencies).
#[utoipa::path(
    get,
    path = "/api/v1/access-grants/{id}",
    operation_id = "getAccessGrant",
    tag = "access grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = AccessGrantOut),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<GrantId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::run(&state.pool, move |conn| {
        let row: AccessGrantRow = load(conn, &actor, &id)?;
        AccessGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}
