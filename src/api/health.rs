//! Operational endpoints: liveness, readiness (the database answers), Prometheus metrics.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::api::JsonBody;
use crate::db;
use crate::error::AppResult;
use crate::mail::outbox;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "getHealth",
    tag = "operations",
    responses(
        (status = 200, description = "The process is up"),
    ),
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json_body(json!({"status": "ok"}))
}

#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "getReadiness",
    tag = "operations",
    responses(
        (status = 200, description = "The database is reachable"),
        (status = 503, description = "The database is not reachable", body = crate::api::dto::Problem),
    ),
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    // A load balancer's probe must get its answer within 1 s, even from a frozen database.
    match db::run_within(&state.pool, READY_DEADLINE, db::ping).await {
        Ok(()) => HttpResponse::Ok().json_body(json!({"status": "ready", "database": "ok"})),
        Err(_) => {
            let mut e = crate::error::AppError::new(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                crate::error::ProblemCode::NotReady,
                "The database is not reachable.",
            );
            e.retry_after = Some(crate::error::RETRY_AFTER_SECS);
            actix_web::ResponseError::error_response(&e)
        }
    }
}

/// How long `/readyz` waits for the database: well inside the 1 s a probe allows, so that a
/// loaded server still answers in time.
const READY_DEADLINE: std::time::Duration = std::time::Duration::from_millis(600);

#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "getMetrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain"),
    ),
)]
pub async fn metrics(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let pending = db::run(&state.pool, |c| Ok(outbox::pending_count(c)?))
        .await
        .unwrap_or(-1);
    let (hits, built) = state.pages.counts();
    let body = state.metrics.render(&[
        (
            "portal_outbox_pending",
            "Emails waiting in the outbox.",
            pending as f64,
        ),
        (
            "portal_list_pages_kept_served",
            "List answers served from the page cache since start.",
            hits as f64,
        ),
        (
            "portal_list_pages_built",
            "List answers built (not found in the page cache) since start.",
            built as f64,
        ),
    ]);
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body))
}
