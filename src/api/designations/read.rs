//! Listing and reading designation requests.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::page_cache::Shows;
use crate::api::paging::{PageQuery, Paged};
use crate::api::JsonBody;
use crate::auth::Actor;
use crate::db;
use crate::domain::designation::{
    latest_day_under_way, AssignedFilter, DesignationStatus, RequestSort,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::designations::{
    self as store, Assigned, ListFilter, ResponseCursor, Search, SEARCH_MAX_CHARS,
};
use chrono::{DateTime, Utc};

use super::views::{RequestOut, RequestSummary};
use crate::api::view::{load, View};
use crate::api::{viewer, VOLUNTARY};
use crate::domain::ids::RequestId;
use crate::store::designations::RequestRow;

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    /// Summaries: the capability evidence, consultations and rationale are in the detail.
    pub items: Vec<RequestSummary>,
    pub next_cursor: Option<String>,
    /// The voluntary notice, once for the page (each record's own answer carries it too).
    pub voluntary_notice: &'static str,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Filter by status.
    pub status: Option<String>,
    /// Filter by model.
    pub model_id: Option<String>,
    /// Search: requests whose model name, developer organization name or summary contains this
    /// text, ignoring case (ASCII letters on SQLite, all letters on PostgreSQL); `%`, `_` and
    /// `\` match themselves. Surrounding spaces are ignored; empty means no search. At most 100
    /// characters, no control characters.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// `me`: only requests assigned to the caller; `unassigned`: only requests assigned to
    /// nobody. Absent or empty: either.
    pub assigned: Option<String>,
    /// `true`: only overdue requests, whose response date's day is over everywhere on Earth
    /// while they still await the Government (`submitted` or `under_review`; see the items'
    /// `overdue`). Absent or empty: every request.
    pub overdue: Option<String>,
    /// `newest` (the default): newest first. `response_by`: soonest requested response date
    /// first, requests without a date last, ties by id; its `next_cursor` only continues this
    /// order.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Requests visible to the caller (a developer's own; every non-draft one for agencies), newest
/// first, narrowed by the filters (all applied by the server, with the same cursor pagination).
/// Items are summaries: the capability evidence, the consultations and the determination's
/// rationale are in `GET /designation-requests/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/designation-requests",
    operation_id = "listDesignationRequests",
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
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    if parse_sort(q.sort.as_deref())? == RequestSort::ResponseBy {
        return list_by_response_date(state, actor, q.into_inner(), now, req).await;
    }
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let filter = list_filter(&q, &actor, now)?;
    let pool = state.pool.clone();
    state
        .pages
        .answer(Shows::Records, actor, &req, now, |actor, now| async move {
            let p = page.clone();
            let items = db::run(&pool, move |conn| {
                let rows = store::list_visible(conn, &viewer(&actor), &filter, &p)?;
                RequestOut::page(conn, &actor, now, rows)
            })
            .await?;
            let paged = Paged::from_rows(items, &page, |r| r.id.clone()).map(RequestSummary::from);
            Ok(RequestList {
                items: paged.items,
                next_cursor: paged.next_cursor,
                voluntary_notice: VOLUNTARY,
            })
        })
        .await
}

/// `?sort=`: absent or empty is newest first.
fn parse_sort(s: Option<&str>) -> AppResult<RequestSort> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(RequestSort::Newest),
        Some(s) => RequestSort::parse(s).map_err(|_| {
            AppError::field(
                "sort",
                "can only be by the requested response date, or left out for the newest first",
            )
        }),
    }
}

/// The cursor of the response-date order: `<date>_<id>`, or `none_<id>` among the requests
/// without a date. Opaque to clients, like every cursor.
fn response_cursor(r: &RequestSummary) -> String {
    match r.requested_response_by {
        Some(d) => format!("{}_{}", d.format("%Y-%m-%d"), r.id),
        None => format!("none_{}", r.id),
    }
}

/// `Err` for anything [`response_cursor`] did not make.
fn parse_response_cursor(c: Option<&str>) -> Result<Option<ResponseCursor>, ()> {
    let Some(c) = c.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let (date, id) = c.split_once('_').ok_or(())?;
    uuid::Uuid::parse_str(id).map_err(|_| ())?;
    let response_by = match date {
        "none" => None,
        d => Some(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| ())?),
    };
    Ok(Some(ResponseCursor {
        response_by,
        id: id.to_string(),
    }))
}

/// `?sort=response_by`: the same filters and visibility, keyset-paginated on the requested
/// response date and id.
async fn list_by_response_date(
    state: web::Data<AppState>,
    actor: Actor,
    q: ListQuery,
    now: DateTime<Utc>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let limit = q.limit.unwrap_or(crate::store::DEFAULT_LIMIT);
    if !(1..=crate::store::MAX_LIMIT).contains(&limit) {
        errors.push(FieldError::new(
            "limit",
            format!("must be between 1 and {}", crate::store::MAX_LIMIT),
        ));
    }
    let after = match parse_response_cursor(q.cursor.as_deref()) {
        Ok(a) => a,
        Err(_) => {
            errors.push(FieldError::new(
                "cursor",
                "is not a cursor returned by this list",
            ));
            None
        }
    };
    let filter = list_filter(&q, &actor, now)?;
    crate::api::finish(errors)?;
    let pool = state.pool.clone();
    state
        .pages
        .answer(Shows::Records, actor, &req, now, |actor, now| async move {
            let items = db::run(&pool, move |conn| {
                let rows = store::list_visible_by_response_date(
                    conn,
                    &viewer(&actor),
                    &filter,
                    after.as_ref(),
                    limit,
                )?;
                RequestOut::page(conn, &actor, now, rows)
            })
            .await?;
            let page = crate::store::Page {
                limit,
                before: None,
            };
            let mut paged =
                Paged::from_rows(items, &page, |r| r.id.clone()).map(RequestSummary::from);
            paged.next_cursor = paged
                .next_cursor
                .and_then(|_| paged.items.last().map(response_cursor));
            Ok(RequestList {
                items: paged.items,
                next_cursor: paged.next_cursor,
                voluntary_notice: VOLUNTARY,
            })
        })
        .await
}

/// The query's filters, or a 422 naming each bad one.
fn list_filter(q: &ListQuery, actor: &Actor, now: DateTime<Utc>) -> AppResult<ListFilter> {
    let mut errors = Vec::new();
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match DesignationStatus::parse(s) {
            Ok(s) => Some(s),
            Err(_) => {
                errors.push(FieldError::new("status", "is not a designation status"));
                None
            }
        },
    };
    let text = q.q.as_deref().unwrap_or_default().trim();
    if text.chars().count() > SEARCH_MAX_CHARS {
        errors.push(FieldError::new(
            "q",
            format!("must be at most {SEARCH_MAX_CHARS} characters"),
        ));
    } else if text.chars().any(char::is_control) {
        errors.push(FieldError::new("q", "must not contain control characters"));
    }
    let assigned = match q
        .assigned
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(AssignedFilter::parse)
    {
        None => None,
        Some(Ok(AssignedFilter::Me)) => Some(Assigned::To(actor.user_id.to_string())),
        Some(Ok(AssignedFilter::Unassigned)) => Some(Assigned::Nobody),
        Some(Err(_)) => {
            errors.push(FieldError::new(
                "assigned",
                "must be one of: me, unassigned",
            ));
            None
        }
    };
    let overdue_before = match q.overdue.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true") => Some(latest_day_under_way(now)),
        Some(_) => {
            errors.push(FieldError::new(
                "overdue",
                "must be true to show only overdue requests, or left out",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(ListFilter {
        overdue_before,
        status,
        model_id: q.model_id.clone().filter(|s| !s.is_empty()),
        search: (!text.is_empty()).then(|| Search::contains(text)),
        assigned,
    })
}

/// One request.
#[utoipa::path(
    get,
    path = "/api/v1/designation-requests/{id}",
    operation_id = "getDesignationRequest",
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
    path: web::Path<RequestId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::run(&state.pool, move |conn| {
        let r: RequestRow = load(conn, &actor, &id)?;
        RequestOut::one(conn, &actor, now, r)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}
