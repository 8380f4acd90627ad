//! The OpenAPI 3.1 document (`/api/openapi.json`) and Swagger UI (`/api/docs`, served from the
//! binary: utoipa-swagger-ui's `vendored` feature, so no internet is needed).

use actix_web::web;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::api;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A personal API token from POST /api/v1/auth/api-tokens",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "portal_session",
                "Set by POST /api/v1/auth/login (named __Host-portal_session over https). Unsafe requests must also send X-Requested-With: fetch.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Frontier Access Portal API",
        version = "1.0.0",
        description = "The voluntary Sec. 3(b) engagement between AI developers and the U.S. Government: designation review, \
government access for at most 30 days under agreed terms, and co-selection of trusted partners for early access.\n\n\
Participation is voluntary: no endpoint ever makes a developer's own action wait for Government approval (Sec. 3(c)).\n\n\
Conventions: JSON with snake_case fields; ids are UUID v7 strings; times are RFC 3339 UTC. Lists take `?limit=` (1–200, default 50) \
and `?cursor=` and answer `{items, next_cursor}`. Errors are RFC 9457 `application/problem+json` with a stable `code`; 422 answers carry `errors: [{field, message}]`. \
Records that are not visible to the caller answer 404, exactly like missing ones."
    ),
    paths(
        api::health::healthz, api::health::readyz, api::health::metrics,
        api::auth::signup, api::auth::verify_email, api::auth::login, api::auth::logout, api::auth::me,
        api::auth::reset_request, api::auth::reset_confirm, api::auth::accept_invitation,
        api::auth::create_api_token, api::auth::list_api_tokens, api::auth::revoke_api_token,
        api::organizations::my_org, api::organizations::invite, api::organizations::directory,
        api::admin::create_org, api::admin::list_orgs, api::admin::list_users, api::admin::patch_user, api::admin::verify_audit,
        api::audit::list, api::audit::export,
        api::models::list, api::models::create, api::models::get, api::models::patch, api::models::release,
        api::designations::list, api::designations::create, api::designations::get, api::designations::submit,
        api::designations::withdraw_request, api::designations::assign, api::designations::request_info, api::designations::respond,
        api::designations::consult, api::designations::determine, api::designations::list_messages, api::designations::post_message,
        api::terms::list, api::terms::create, api::terms::get,
        api::access_grants::list, api::access_grants::offer, api::access_grants::get, api::access_grants::patch, api::access_grants::end,
        api::access_grants::accept_terms, api::access_grants::acknowledge, api::access_grants::roster, api::access_grants::roster_add,
        api::access_grants::roster_remove, api::access_grants::log_list, api::access_grants::log_add,
        api::nominations::list, api::nominations::create, api::nominations::get, api::nominations::concur, api::nominations::decline,
        api::nominations::rescind,
        api::partner_grants::list, api::partner_grants::issue, api::partner_grants::get, api::partner_grants::revoke,
        api::partner_grants::accept_terms, api::partner_grants::acknowledge, api::partner_grants::roster, api::partner_grants::roster_add,
        api::partner_grants::roster_remove,
    ),
    components(schemas(api::dto::Problem, api::dto::FieldErrorDto, api::dto::UserOut, api::dto::OrgOut)),
    modifiers(&Security),
    security(("session_cookie" = []), ("api_token" = [])),
    tags(
        (name = "auth", description = "Accounts, sessions and API tokens"),
        (name = "organizations", description = "Your organization and the directory"),
        (name = "admin", description = "Operators only"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "models", description = "A developer's models; releasing never waits for anyone"),
        (name = "designations", description = "Voluntary designation review (Sec. 3(a), 3(b)(i))"),
        (name = "terms", description = "Versioned, immutable terms with six required sections"),
        (name = "access grants", description = "Government access for at most 30 days per model (Sec. 3(b)(ii))"),
        (name = "nominations", description = "Co-selection of trusted partners (Sec. 3(b)(iii))"),
        (name = "partner grants", description = "Early access for selected partners"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", ApiDoc::openapi()))
        .route(
            "/api/docs",
            web::get().to(|| async {
                actix_web::HttpResponse::Found()
                    .insert_header(("Location", "/api/docs/"))
                    .finish()
            }),
        );
}
