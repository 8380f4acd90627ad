//! Terms versions (Sec. 3(b)(ii)): a label and six required sections — confidentiality,
//! cybersecurity, insider risk, intellectual property, use, nondisclosure. Published versions
//! are immutable and carry the SHA-256 of their canonical content (`domain::terms`), so an
//! acceptance names exactly what was agreed. Operators publish templates; developer admins
//! publish their own.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::page_cache::Shows;
use crate::api::JsonBody;
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
        .route("/terms/{id}", web::get().to(get))
        .route("/terms/{id}/acceptances", web::get().to(acceptances));
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
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
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
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
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
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let page = q.page()?;
    let pool = state.pool.clone();
    state
        .pages
        .answer(
            Shows::Records,
            actor,
            &req,
            state.clock.now(),
            |actor, _| async move {
                let p = page.clone();
                let rows = db::run(&pool, move |conn| {
                    Ok(store::list_usable(conn, actor.org_id.as_str(), &p)?)
                })
                .await?;
                let paged = Paged::from_rows(rows, &page, |t| t.id.clone()).map(terms_summary);
                Ok(TermsList {
                    items: paged.items,
                    next_cursor: paged.next_cursor,
                })
            },
        )
        .await
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
    Ok(HttpResponse::Ok().json_body(terms_out(&t)))
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
    Ok(HttpResponse::Created().json_body(out))
}

/// One acceptance of a terms version on a grant: who accepted, for which organization, when,
/// and the SHA-256 of the content they accepted.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermsAcceptanceOut {
    pub id: String,
    /// `access` (a Government access grant) or `partner` (a partner early-access grant).
    pub grant_type: String,
    pub grant_id: String,
    /// `organization` (an administrator accepting for the organization) or `individual` (a
    /// rostered person's own acknowledgment).
    pub scope: String,
    pub organization_id: String,
    pub organization_name: String,
    pub user_id: String,
    pub user_name: String,
    /// The SHA-256 of the version as accepted (always the version's own hash).
    pub terms_sha256: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub accepted_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermsAcceptanceList {
    pub items: Vec<TermsAcceptanceOut>,
    pub next_cursor: Option<String>,
}

/// Every acceptance of this terms version on the caller's organization's own grants, newest
/// first: the record of who accepted which version when (the printable terms record). For a
/// developer organization and a version it may attach to a grant (its own, or a portal
/// template: then only its own grants' acceptances). Anyone else answers 404, as for a version
/// they cannot see: a grantee reads the acceptances of its grant on the grant itself, and
/// operators never see the content of developer records.
#[utoipa::path(
    get,
    path = "/api/v1/terms/{id}/acceptances",
    operation_id = "listTermsAcceptances",
    tag = "terms",
    params(
        ("id" = String, Path),
        PageQuery,
    ),
    responses(
        (status = 200, body = TermsAcceptanceList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn acceptances(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let page = q.page()?;
    let p = page.clone();
    let items = db::run(&state.pool, move |conn| {
        if actor.org_kind != OrgKind::Developer
            || store::get_usable(conn, actor.org_id.as_str(), &id)?.is_none()
        {
            return Err(AppError::not_found());
        }
        let rows = store::acceptances_on_own_grants(conn, actor.org_id.as_str(), &id, &p)?;
        let uids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
        let oids: Vec<String> = rows.iter().map(|r| r.organization_id.clone()).collect();
        let users = crate::store::accounts::user_names(conn, &uids)?;
        let orgs = crate::store::orgs::names(conn, &oids)?;
        Ok(rows
            .into_iter()
            .map(|r| TermsAcceptanceOut {
                user_name: users.get(&r.user_id).cloned().unwrap_or_default(),
                organization_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
                id: r.id,
                grant_type: r.grant_type,
                grant_id: r.grant_id,
                scope: r.scope,
                organization_id: r.organization_id,
                user_id: r.user_id,
                terms_sha256: r.terms_sha256,
                accepted_at: from_db(r.accepted_at),
            })
            .collect::<Vec<_>>())
    })
    .await?;
    let paged = Paged::from_rows(items, &page, |a| a.id.clone());
    Ok(HttpResponse::Ok().json_body(TermsAcceptanceList {
        items: paged.items,
        next_cursor: paged.next_cursor,
    }))
}
