//! Terms versions (Sec. 3(b)(ii)): a label and six required sections — confidentiality,
//! cybersecurity, insider risk, intellectual property, use, nondisclosure. Published versions
//! are immutable and carry the SHA-256 of their canonical content (`domain::terms`), so an
//! acceptance names exactly what was agreed. Operators publish templates; developer admins
//! publish their own.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::domain::audit::AuditAction;

use crate::api::paging::{PageQuery, Paged};
use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db;
use crate::domain::policy::{Capability, OrgKind};
use crate::domain::terms::{sha256_hex, validate, TermsContent};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::new_id;
use crate::store::terms::{self as store, TermsRow};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/terms", web::get().to(list))
        .route("/terms", web::post().to(create))
        .route("/terms/{id}", web::get().to(get));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermsOut {
    pub id: String,
    pub label: String,
    pub confidentiality: String,
    pub cybersecurity: String,
    pub insider_risk: String,
    pub intellectual_property: String,
    #[serde(rename = "use")]
    pub use_terms: String,
    pub nondisclosure: String,
    /// SHA-256 (hex) of the canonical content: the JSON object of the seven fields with sorted
    /// keys and no whitespace (see `domain::terms`).
    pub sha256: String,
    /// Published by an operator for everyone to use.
    pub is_template: bool,
    pub organization_id: String,
    pub created_at: DateTime<Utc>,
}

pub fn terms_out(t: &TermsRow) -> TermsOut {
    TermsOut {
        id: t.id.clone(),
        label: t.label.clone(),
        confidentiality: t.confidentiality.clone(),
        cybersecurity: t.cybersecurity.clone(),
        insider_risk: t.insider_risk.clone(),
        intellectual_property: t.intellectual_property.clone(),
        use_terms: t.use_terms.clone(),
        nondisclosure: t.nondisclosure.clone(),
        sha256: t.sha256.clone(),
        is_template: t.is_template,
        organization_id: t.organization_id.clone(),
        created_at: from_db(t.created_at),
    }
}

/// A terms version as a list shows it: without its six sections, which `GET /terms/{id}` carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermsSummary {
    pub id: String,
    pub label: String,
    /// SHA-256 (hex) of the canonical content (see `TermsOut`).
    pub sha256: String,
    /// Published by an operator for everyone to use.
    pub is_template: bool,
    pub organization_id: String,
    pub created_at: DateTime<Utc>,
}

pub fn terms_summary(t: TermsRow) -> TermsSummary {
    TermsSummary {
        id: t.id,
        label: t.label,
        sha256: t.sha256,
        is_template: t.is_template,
        organization_id: t.organization_id,
        created_at: from_db(t.created_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermsList {
    /// Summaries: the six sections are in the detail.
    pub items: Vec<TermsSummary>,
    pub next_cursor: Option<String>,
}

/// Templates and the caller's organization's own terms, newest first. Items are summaries:
/// the six sections are in `GET /terms/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/terms",
    operation_id = "listTerms",
    tag = "terms",
    params(
        PageQuery,
    ),
    responses(
        (status = 200, body = TermsList),
        (status = 401, body = crate::api::dto::Problem),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let page = q.page()?;
    let p = page.clone();
    let rows = db::run(&state.pool, move |conn| {
        Ok(store::list_usable(conn, actor.org_id.as_str(), &p)?)
    })
    .await?;
    let paged = Paged::from_rows(rows, &page, |t| t.id.clone()).map(terms_summary);
    Ok(HttpResponse::Ok().json(TermsList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}

/// One terms version (templates, the caller's own, or those of a grant the caller is party to).
#[utoipa::path(
    get,
    path = "/api/v1/terms/{id}",
    operation_id = "getTerms",
    tag = "terms",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = TermsOut),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let t = db::run(&state.pool, move |conn| {
        store::get_visible(conn, actor.org_id.as_str(), &id)?.ok_or_else(AppError::not_found)
    })
    .await?;
    Ok(HttpResponse::Ok().json(terms_out(&t)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"label": "Government evaluation terms v1", "confidentiality": "…", "cybersecurity": "…", "insider_risk": "…", "intellectual_property": "…", "use": "…", "nondisclosure": "…"}))]
pub struct CreateTerms {
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub label: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 20000)]
    pub confidentiality: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 20000)]
    pub cybersecurity: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 20000)]
    pub insider_risk: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 20000)]
    pub intellectual_property: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 20000)]
    #[serde(rename = "use")]
    pub use_terms: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 20000)]
    pub nondisclosure: Option<String>,
}

/// A terms version to publish: its seven fields, each checked (`domain::terms::validate`).
impl TryFrom<CreateTerms> for TermsContent {
    type Error = Vec<FieldError>;

    fn try_from(b: CreateTerms) -> Result<TermsContent, Vec<FieldError>> {
        let content = TermsContent {
            label: b.label.unwrap_or_default(),
            confidentiality: b.confidentiality.unwrap_or_default(),
            cybersecurity: b.cybersecurity.unwrap_or_default(),
            insider_risk: b.insider_risk.unwrap_or_default(),
            intellectual_property: b.intellectual_property.unwrap_or_default(),
            use_terms: b.use_terms.unwrap_or_default(),
            nondisclosure: b.nondisclosure.unwrap_or_default(),
        };
        validate(&content).map_err(|errs| {
            errs.into_iter()
                .map(|e| FieldError::new(e.field, e.message))
                .collect::<Vec<_>>()
        })?;
        Ok(content)
    }
}

/// Publishes a terms version (developer admins: their own; operators: a template). Immutable.
#[utoipa::path(
    post,
    path = "/api/v1/terms",
    operation_id = "createTerms",
    tag = "terms",
    request_body = CreateTerms,
    responses(
        (status = 201, body = TermsOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<CreateTerms>,
) -> AppResult<HttpResponse> {
    let allowed = actor.may(Capability::PublishTerms)
        && matches!(actor.org_kind, OrgKind::Developer | OrgKind::Operator);
    if !allowed {
        return Err(AppError::forbidden(
            "Only developer administrators and operators publish terms.",
        ));
    }
    let content = TermsContent::try_from(body.into_inner()).map_err(AppError::validation)?;
    let now = state.clock.now();
    let row = TermsRow {
        id: new_id(),
        organization_id: actor.org_id.to_string(),
        is_template: actor.org_kind == OrgKind::Operator,
        sha256: sha256_hex(&content),
        label: content.label,
        confidentiality: content.confidentiality,
        cybersecurity: content.cybersecurity,
        insider_risk: content.insider_risk,
        intellectual_property: content.intellectual_property,
        use_terms: content.use_terms,
        nondisclosure: content.nondisclosure,
        created_by_user_id: actor.user_id.to_string(),
        created_at: to_db(now),
    };
    let out = db::tx(&state.pool, move |conn| {
        store::insert(conn, &row)?;
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::TermsPublished,
                target_type: "terms_version",
                target_id: &row.id,
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"label": row.label, "sha256": row.sha256, "is_template": row.is_template}),
            },
        )?;
        Ok(terms_out(&row))
    })
    .await?;
    Ok(HttpResponse::Created().json(out))
}
