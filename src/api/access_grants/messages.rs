//! The grant's message thread between the developer and the grantee agencies
//! (`api::grant_messages` holds the mechanism shared with partner grants).

use actix_web::{web, HttpResponse};

use crate::api::grant_messages::{self, GrantMessageBody, GrantMessageList, GrantMessageOut};
use crate::api::json::Json;
use crate::api::paging::PageQuery;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;

use super::common::AccessResource;

/// The grant's message thread between the developer and the grantee agencies, oldest first.
/// Only their members see it (an agency that is not a grantee of this grant, and everyone
/// else: 404); an ended or expired grant keeps its thread.
#[utoipa::path(
    get,
    path = "/api/v1/access-grants/{id}/messages",
    operation_id = "listAccessGrantMessages",
    tag = "access grants",
    params(
        ("id" = String, Path),
        PageQuery,
    ),
    responses(
        (status = 200, body = GrantMessageList),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn messages(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    grant_messages::list_route::<AccessResource>(state, actor, path.into_inner(), q.into_inner())
        .await
}

/// Writes to the other side of the grant: a developer member to the grantee agencies, a member
/// of a grantee agency to the developer (also after the grant is over). The other side's admins
/// get an email with a link, never the text.
#[utoipa::path(
    post,
    path = "/api/v1/access-grants/{id}/messages",
    operation_id = "postAccessGrantMessage",
    tag = "access grants",
    request_body = GrantMessageBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 201, body = GrantMessageOut),
        (status = 404, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn post_message(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: Json<GrantMessageBody>,
) -> AppResult<HttpResponse> {
    grant_messages::post_route::<AccessResource>(
        state,
        actor,
        path.into_inner(),
        body.into_inner().body,
    )
    .await
}
