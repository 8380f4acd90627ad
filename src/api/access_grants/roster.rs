//! Terms acceptance, personal acknowledgement and the roster (the shared handlers of
//! `api::grants`, bound to access grants).

use actix_web::{web, HttpResponse};

use crate::api::grants::{self, DeclineBody, RosterBody, RosterList, RosterOut};
use crate::api::json::Json;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;

use super::common::AccessResource;
use super::views::AccessGrantOut;

/// Accepts the grant's terms for the caller's organization (the developer admin, or an admin
/// of a grantee agency). The window opens only when every party has accepted.
#[utoipa::path(
    post,
    path = "/api/v1/access-grants/{id}/accept-terms",
    operation_id = "acceptAccessGrantTerms",
    tag = "access grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = AccessGrantOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
    ),
)]
pub async fn accept_terms(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    grants::accept_terms_route::<AccessResource>(state, actor, path.into_inner()).await
}

/// An admin of a grantee agency declines the grant for its agency (optional `reason`, plain
/// text): while it is open and the agency has not accepted its terms. The decline is that
/// agency's alone (other grantees go on) and the developer is emailed; nothing of it holds the
/// developer's own controls. A repeat answers the grant unchanged.
#[utoipa::path(
    post,
    path = "/api/v1/access-grants/{id}/decline",
    operation_id = "declineAccessGrant",
    tag = "access grants",
    request_body(content = DeclineBody, description = "Optional: no body, `{}` or a reason"),
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = AccessGrantOut),
        (status = 403, description = "Not an admin of a grantee agency (the developer never declines for a grantee)", body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`invalid_transition`: the agency already accepted the terms, or the grant is over", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn decline(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    grants::decline_route::<AccessResource>(state, actor, path.into_inner(), body).await
}

/// A rostered user acknowledges the terms personally; the access instructions then show.
#[utoipa::path(
    post,
    path = "/api/v1/access-grants/{id}/acknowledge",
    operation_id = "acknowledgeAccessGrant",
    tag = "access grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = AccessGrantOut),
        (status = 403, description = "`not_rostered`", body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`terms_not_accepted`", body = crate::api::dto::Problem),
    ),
)]
pub async fn acknowledge(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    grants::acknowledge_route::<AccessResource>(state, actor, path.into_inner()).await
}

/// The named individuals who may use the access.
#[utoipa::path(
    get,
    path = "/api/v1/access-grants/{id}/roster",
    operation_id = "listAccessGrantRoster",
    tag = "access grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RosterList),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn roster(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    grants::roster_route::<AccessResource>(state, actor, path.into_inner()).await
}

/// A grantee admin adds one of their organization's users to the roster.
#[utoipa::path(
    post,
    path = "/api/v1/access-grants/{id}/roster",
    operation_id = "addAccessGrantRosterMember",
    tag = "access grants",
    request_body = RosterBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 201, body = RosterOut),
        (status = 200, description = "Already on the roster", body = RosterOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn roster_add(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<RosterBody>,
) -> AppResult<HttpResponse> {
    grants::roster_add_route::<AccessResource>(
        state,
        actor,
        path.into_inner(),
        body.into_inner().user_id,
    )
    .await
}

/// Removes someone from the roster: the developer at any time, or a grantee admin for their
/// own people. A repeat succeeds and changes nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/access-grants/{id}/roster/{user_id}",
    operation_id = "removeAccessGrantRosterMember",
    tag = "access grants",
    params(
        ("id" = String, Path),
        ("user_id" = String, Path),
    ),
    responses(
        (status = 200, body = RosterOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn roster_remove(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    grants::roster_remove_route::<AccessResource>(state, actor, id, user_id).await
}
