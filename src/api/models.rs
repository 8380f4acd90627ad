//! Models: a developer registers them, edits them, and marks them released whenever it likes
//! (Sec. 3(c): nothing waits for the Government).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::page_cache::Shows;
use crate::api::view::{load, View, Visible};
use crate::api::JsonBody;
use crate::domain::audit::AuditAction;
use crate::domain::ids::ModelId;

use crate::api::paging::{PageQuery, Paged};
use crate::api::{finish, opt_time_field, optional, required, time_not_past, VOLUNTARY};
use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::model::ModelStatus;
use crate::domain::policy::{Capability, OrgKind};
use crate::domain::window::{union_length, Interval, GOVERNMENT_CAP};
use crate::domain::{duration_days, round_days};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::models::{self as store, ModelRow};
use crate::store::new_id;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/models", web::get().to(list))
        .route("/models", web::post().to(create))
        .route("/models/{id}", web::get().to(get))
        .route("/models/{id}", web::patch().to(patch))
        .route("/models/{id}/release", web::post().to(release));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelOut {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub version: String,
    pub description: String,
    pub modality: String,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub planned_partner_release_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub released_at: Option<DateTime<Utc>>,
    /// `in_development` or `released`
    pub status: String,
    /// The union of the model's Government access windows so far, in days.
    pub government_days_granted: f64,
    /// What is left of the 30-day cap, in days.
    pub government_days_remaining: f64,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
    pub voluntary_notice: &'static str,
}

pub fn model_out(m: &ModelRow, windows: &[Interval]) -> ModelOut {
    let granted = round_days(duration_days(union_length(windows)));
    ModelOut {
        id: m.id.clone(),
        organization_id: m.organization_id.clone(),
        name: m.name.clone(),
        version: m.version.clone(),
        description: m.description.clone(),
        modality: m.modality.clone(),
        planned_partner_release_at: m.planned_partner_release_at.map(from_db),
        released_at: m.released_at.map(from_db),
        status: ModelStatus::of(m.released_at).as_str().into(),
        government_days_granted: granted,
        government_days_remaining: round_days((duration_days(GOVERNMENT_CAP) - granted).max(0.0)),
        created_at: from_db(m.created_at),
        updated_at: from_db(m.updated_at),
        voluntary_notice: VOLUNTARY,
    }
}

/// A developer sees its own organization's models; for everyone else they do not exist.
impl Visible for ModelRow {
    type Id = ModelId;
    fn find_visible(conn: &mut DbConn, actor: &Actor, id: &ModelId) -> AppResult<Option<Self>> {
        Ok(store::get_owned(conn, &actor.org_id, id)?)
    }
}

/// A model as a list shows it: the full model without its description, which
/// `GET /models/{id}` carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelSummary {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub version: String,
    pub modality: String,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub planned_partner_release_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub released_at: Option<DateTime<Utc>>,
    /// `in_development` or `released`
    pub status: String,
    /// The union of the model's Government access windows so far, in days.
    pub government_days_granted: f64,
    /// What is left of the 30-day cap, in days.
    pub government_days_remaining: f64,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
}

impl From<ModelOut> for ModelSummary {
    fn from(m: ModelOut) -> Self {
        let ModelOut {
            id,
            organization_id,
            name,
            version,
            description: _,
            modality,
            planned_partner_release_at,
            released_at,
            status,
            government_days_granted,
            government_days_remaining,
            created_at,
            updated_at,
            voluntary_notice: _,
        } = m;
        ModelSummary {
            id,
            organization_id,
            name,
            version,
            modality,
            planned_partner_release_at,
            released_at,
            status,
            government_days_granted,
            government_days_remaining,
            created_at,
            updated_at,
        }
    }
}

impl View for ModelOut {
    type Row = ModelRow;

    fn page(
        conn: &mut DbConn,
        _actor: &Actor,
        _now: DateTime<Utc>,
        rows: Vec<ModelRow>,
    ) -> AppResult<Vec<ModelOut>> {
        let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
        // Each model's windows, grouped once (a model may have many Government grants).
        let mut windows: std::collections::HashMap<String, Vec<Interval>> =
            std::collections::HashMap::new();
        for (id, i) in store::government_windows(conn, &ids, None)? {
            windows.entry(id).or_default().push(i);
        }
        Ok(rows
            .iter()
            .map(|m| model_out(m, windows.get(&m.id).map_or(&[][..], |w| &w[..])))
            .collect())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    /// Summaries: the description is in the detail.
    pub items: Vec<ModelSummary>,
    pub next_cursor: Option<String>,
    /// The voluntary notice, once for the page (each record's own answer carries it too).
    pub voluntary_notice: &'static str,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ModelQuery {
    /// `in_development` or `released`
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn require_developer(actor: &Actor) -> AppResult<()> {
    if actor.is_kind(OrgKind::Developer) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "Only developer organizations register models.",
        ))
    }
}

/// The caller's organization's models, newest first. Items are summaries: the description is
/// in `GET /models/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/models",
    operation_id = "listModels",
    tag = "models",
    params(
        ModelQuery,
    ),
    responses(
        (status = 200, body = ModelList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn list(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<ModelQuery>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let released = match q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(ModelStatus::parse)
    {
        None => None,
        Some(Ok(s)) => Some(s == ModelStatus::Released),
        Some(Err(_)) => {
            return Err(AppError::field(
                "status",
                "must be in_development or released",
            ))
        }
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor.clone(),
    }
    .page()?;
    let pool = state.pool.clone();
    state
        .pages
        .answer(
            Shows::Records,
            actor,
            &req,
            state.clock.now(),
            |actor, now| async move {
                let p = page.clone();
                let items = db::run(&pool, move |conn| {
                    let rows = store::list_owned(conn, &actor.org_id, released, &p)?;
                    ModelOut::page(conn, &actor, now, rows)
                })
                .await?;
                let paged =
                    Paged::from_rows(items, &page, |m| m.id.clone()).map(ModelSummary::from);
                Ok(ModelList {
                    items: paged.items,
                    next_cursor: paged.next_cursor,
                    voluntary_notice: VOLUNTARY,
                })
            },
        )
        .await
}

/// The limits of a model's optional texts (the same on create and on update).
const DESCRIPTION_MAX: usize = 5000;
const MODALITY_MAX: usize = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Aurora-7", "version": "2026.06-rc1", "description": "Frontier multimodal model", "modality": "text+code", "planned_partner_release_at": "2026-08-01T00:00:00Z"}))]
pub struct CreateModel {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub version: String,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    #[schema(max_length = 100)]
    pub modality: Option<String>,
    /// When the developer plans to release the model to other trusted partners; Government
    /// windows may not end after it. Not in the past (422 `validation_failed`).
    #[schema(schema_with = crate::api::openapi::optional_time_schema)]
    pub planned_partner_release_at: Option<String>,
}

/// Registers a model (developer members).
#[utoipa::path(
    post,
    path = "/api/v1/models",
    operation_id = "createModel",
    tag = "models",
    request_body = CreateModel,
    responses(
        (status = 201, body = ModelOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn create(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<CreateModel>,
) -> AppResult<HttpResponse> {
    require_developer(&actor)?;
    actor.require(
        Capability::RegisterModel,
        "Only developer members register models.",
    )?;
    let NewModel {
        name,
        version,
        description,
        modality,
        planned,
    } = NewModel::parse(body.into_inner(), state.clock.now()).map_err(AppError::validation)?;
    let now = state.clock.now();
    let row = ModelRow {
        id: new_id(),
        organization_id: actor.org_id.to_string(),
        name,
        version,
        description,
        modality,
        planned_partner_release_at: planned.map(to_db),
        released_at: None,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    let out = db::tx(&state.pool, move |conn| {
        store::insert(conn, &row)?;
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::ModelRegistered,
                target_type: "model",
                target_id: &row.id,
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"name": row.name, "version": row.version}),
            },
        )?;
        Ok(model_out(&row, &[]))
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}

/// One of the caller's models.
#[utoipa::path(
    get,
    path = "/api/v1/models/{id}",
    operation_id = "getModel",
    tag = "models",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = ModelOut),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn get(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<ModelId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::run(&state.pool, move |conn| {
        let m: ModelRow = load(conn, &actor, &id)?;
        ModelOut::one(conn, &actor, now, m)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// A model to register, parsed.
#[derive(Debug, Clone)]
pub struct NewModel {
    pub name: String,
    pub version: String,
    pub description: String,
    pub modality: String,
    pub planned: Option<DateTime<Utc>>,
}

impl NewModel {
    /// The body's fields as of `now`: a planned partner release in the past is refused (it
    /// would block every Government window offered afterwards).
    fn parse(b: CreateModel, now: DateTime<Utc>) -> Result<NewModel, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required(&mut errors, "name", &b.name, 200);
        let version = required(&mut errors, "version", &b.version, 100);
        let description = optional(
            &mut errors,
            "description",
            b.description.as_deref(),
            DESCRIPTION_MAX,
        );
        let modality = optional(&mut errors, "modality", b.modality.as_deref(), MODALITY_MAX);
        let planned = opt_time_field(
            &mut errors,
            "planned_partner_release_at",
            b.planned_partner_release_at.as_deref(),
        );
        time_not_past(&mut errors, "planned_partner_release_at", planned, now);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewModel {
            name,
            version,
            description,
            modality,
            planned,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"planned_partner_release_at": "2026-08-15T00:00:00Z"}))]
pub struct PatchModel {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub version: Option<String>,
    /// Absent: unchanged; null or "": cleared.
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Option<Option<String>>,
    /// Absent: unchanged; null or "": cleared.
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub modality: Option<Option<String>>,
    /// An RFC 3339 time, not in the past; null or an empty string clears it; absent leaves it
    /// unchanged.
    #[serde(default, deserialize_with = "crate::api::nullable")]
    #[schema(schema_with = crate::api::openapi::optional_time_schema)]
    pub planned_partner_release_at: Option<Option<String>>,
}

/// Edits a model. Moving the planned release earlier than an existing Government window's end
/// is refused (`window_after_release`).
#[utoipa::path(
    patch,
    path = "/api/v1/models/{id}",
    operation_id = "updateModel",
    tag = "models",
    request_body = PatchModel,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = ModelOut),
        (status = 404, body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn patch(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<ModelId>,
    body: Json<PatchModel>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let b = body.into_inner();
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let mut m: ModelRow = load(conn, &actor, &id)?;
        actor.require(Capability::EditModel, "Only developer members edit models.")?;
        let mut errors = Vec::new();
        if let Some(n) = &b.name {
            m.name = required(&mut errors, "name", n, 200);
        }
        if let Some(v) = &b.version {
            m.version = required(&mut errors, "version", v, 100);
        }
        if let Some(d) = &b.description {
            m.description = optional(&mut errors, "description", d.as_deref(), DESCRIPTION_MAX);
        }
        if let Some(d) = &b.modality {
            m.modality = optional(&mut errors, "modality", d.as_deref(), MODALITY_MAX);
        }
        if let Some(p) = &b.planned_partner_release_at {
            let planned = opt_time_field(&mut errors, "planned_partner_release_at", p.as_deref());
            time_not_past(&mut errors, "planned_partner_release_at", planned, now);
            m.planned_partner_release_at = planned.map(to_db);
        }
        finish(errors)?;
        if let Some(planned) = m.planned_partner_release_at.map(from_db) {
            let windows = store::government_windows(conn, std::slice::from_ref(&m.id), None)?;
            if let Some(latest) = windows.iter().filter(|(_, i)| !i.is_empty()).map(|(_, i)| i.end).max() {
                if latest > planned {
                    return Err(crate::api::window_error(crate::domain::window::WindowError::AfterRelease {
                        planned_partner_release_at: planned,
                    })
                    .with_errors(vec![crate::error::FieldError::new(
                        "planned_partner_release_at",
                        "is before the end of an existing Government access window; shorten that window first",
                    )]));
                }
            }
        }
        m.updated_at = to_db(now);
        store::apply_change(
            conn,
            &m.id.clone().into(),
            &store::ModelChange {
                name: b.name.as_ref().map(|_| m.name.clone()),
                version: b.version.as_ref().map(|_| m.version.clone()),
                description: b.description.as_ref().map(|_| m.description.clone()),
                modality: b.modality.as_ref().map(|_| m.modality.clone()),
                planned_partner_release_at: b
                    .planned_partner_release_at
                    .as_ref()
                    .map(|_| m.planned_partner_release_at),
                updated_at: Some(m.updated_at),
            },
        )?;
        audit::append(
            conn,
            &actor.audit(now),
            NewEvent {
                action: AuditAction::ModelUpdated,
                target_type: "model",
                target_id: &m.id,
                visible_to: vec![actor.org_id.to_string()],
                detail: json!({"name": m.name, "version": m.version, "planned_partner_release_at": m.planned_partner_release_at.map(|t| crate::audit::rfc3339(from_db(t)))}),
            },
        )?;
        ModelOut::one(conn, &actor, now, m)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// Marks the model released. Always succeeds at once; a repeat changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/models/{id}/release",
    operation_id = "releaseModel",
    tag = "models",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = ModelOut),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn release(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<ModelId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let mut m: ModelRow = load(conn, &actor, &id)?;
        actor.require(
            Capability::ReleaseModel,
            "Only developer members release models.",
        )?;
        if m.released_at.is_none() && store::set_released(conn, &m.id.clone().into(), to_db(now))? {
            m.released_at = Some(to_db(now));
            m.updated_at = to_db(now);
            audit::append(
                conn,
                &actor.audit(now),
                NewEvent {
                    action: AuditAction::ModelReleased,
                    target_type: "model",
                    target_id: &m.id,
                    visible_to: vec![actor.org_id.to_string()],
                    detail: json!({}),
                },
            )?;
        }
        ModelOut::one(conn, &actor, now, m)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}
