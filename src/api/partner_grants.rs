//! Partner early-access grants (Sec. 3(b)(iii)): for a selected partner the developer admin
//! issues a window under a terms version; the partner admin accepts the terms and rosters its
//! people, who each acknowledge before they see the access instructions. The developer may
//! revoke at any time. Agencies see the grants' metadata, never the instructions.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::page_cache::Shows;
use crate::api::view::{load, View, Visible};
use crate::api::viewer;
use crate::api::JsonBody;
use crate::api::{errors_of, parsed, valid};
use crate::domain::audit::AuditAction;

use crate::api::access_grants::parse_status;
use crate::api::grant_messages::{self, GrantMessageBody, GrantMessageList, GrantMessageOut};
use crate::api::grants::{self, DeclineBody, RosterBody, RosterList, RosterOut, ViewerOut};
use crate::api::paging::{PageQuery, Paged};
use crate::api::terms::{terms_out, TermsOut};
use crate::api::{required, time_field, window_error, VOLUNTARY};
use crate::auth::Actor;
use crate::clock::{from_db, to_db};
use crate::db::{self, DbConn};
use crate::domain::grant::Grant;
use crate::domain::grant::GrantStatus;
use crate::domain::ids::GrantId;
use crate::domain::nomination::{check_selected, nomination_status};
use crate::domain::partner_window::{partner_window_warnings, PartnerWindowWarning};
use crate::domain::policy::{Capability, OrgKind};
use crate::domain::window::{check_window_order, days_remaining, Interval};
use crate::error::{AppError, AppResult, FieldError};
use crate::mail::templates::Reason;
use crate::notify;
use crate::state::AppState;
use crate::store::grants::{self as store, GrantKind, PartnerGrantListRow, PartnerGrantRow};
use crate::store::nominations;
use crate::store::Viewer;
use crate::store::{accounts, models, new_id, orgs, terms};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/partner-grants", web::get().to(list))
        .route("/partner-grants", web::post().to(issue))
        // Before `/partner-grants/{id}`, which would otherwise take "window-warnings" as an id.
        .route(
            "/partner-grants/window-warnings",
            web::get().to(window_warnings),
        )
        .route("/partner-grants/{id}", web::get().to(get))
        .route("/partner-grants/{id}", web::patch().to(patch))
        .route("/partner-grants/{id}/revoke", web::post().to(revoke))
        .route(
            "/partner-grants/{id}/accept-terms",
            web::post().to(accept_terms),
        )
        .route("/partner-grants/{id}/decline", web::post().to(decline))
        .route(
            "/partner-grants/{id}/acknowledge",
            web::post().to(acknowledge),
        )
        .route("/partner-grants/{id}/roster", web::get().to(roster))
        .route("/partner-grants/{id}/roster", web::post().to(roster_add))
        .route(
            "/partner-grants/{id}/roster/{user_id}",
            web::delete().to(roster_remove),
        )
        .route("/partner-grants/{id}/messages", web::get().to(messages))
        .route(
            "/partner-grants/{id}/messages",
            web::post().to(post_message),
        );
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerGrantOut {
    pub id: String,
    pub nomination_id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    pub partner_org_id: String,
    pub partner_name: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub ends_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub revoked_at: Option<DateTime<Utc>>,
    pub terms_version_id: String,
    /// The full terms, for the developer and the partner. Shared (`Arc`) by the grants of a page
    /// under the same version, so a page copies each version's six sections once, not per grant.
    #[schema(value_type = Option<TermsOut>)]
    pub terms: Option<Arc<TermsOut>>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub partner_accepted_at: Option<DateTime<Utc>>,
    /// Set when the partner declined the grant (its own choice; nothing of it holds the
    /// developer).
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub partner_declined_at: Option<DateTime<Utc>>,
    pub partner_declined_by_name: Option<String>,
    /// The partner's reason, plain text, when it gave one (for the developer and the partner).
    pub partner_decline_reason: Option<String>,
    /// For the developer, and for rostered partner users once they acknowledged; else `null`.
    pub access_instructions: Option<String>,
    /// `revoked`, `expired`, `awaiting_terms`, `scheduled` or `active`.
    pub status: String,
    pub days_remaining: f64,
    pub viewer: ViewerOut,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
    pub voluntary_notice: &'static str,
    /// Advice on the window for the issuing developer (never a refusal: participation is
    /// voluntary): it overlaps another offered or active grant of the same partner for the same
    /// model, ends after the model's planned partner release, or is longer than 90 days. Always
    /// empty for others and once the grant is revoked or expired. Not in list items.
    pub warnings: Vec<WarningOut>,
}

/// One piece of advice on a partner grant's window: a stable `code` and a sentence to show.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningOut {
    /// `overlaps_partner_grant`, `ends_after_planned_release` or `longer_than_90_days`.
    pub code: String,
    pub message: String,
}

impl From<PartnerWindowWarning> for WarningOut {
    fn from(w: PartnerWindowWarning) -> Self {
        WarningOut {
            code: w.code.as_str().into(),
            message: w.message,
        }
    }
}

/// The warnings of a window for partner `partner_org_id` on `model` (one of the developer's
/// models), against that partner's other open grants of the model (`except` the grant itself).
fn warnings_for(
    conn: &mut DbConn,
    developer_org_id: &str,
    partner_org_id: &str,
    model: &models::ModelRow,
    window: Interval,
    now: DateTime<Utc>,
    except: Option<&str>,
) -> AppResult<Vec<WarningOut>> {
    let others: Vec<Interval> = store::open_partner_windows(
        conn,
        developer_org_id,
        partner_org_id,
        &model.id,
        now,
        except,
    )?
    .into_iter()
    .map(|(a, b)| Interval::new(from_db(a), from_db(b)))
    .collect();
    Ok(partner_window_warnings(
        window,
        &others,
        model.planned_partner_release_at.map(from_db),
    )
    .into_iter()
    .map(WarningOut::from)
    .collect())
}

/// A partner grant as a list shows it: the full grant without its long texts (the terms'
/// sections and the access instructions), which `GET /partner-grants/{id}` carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerGrantSummary {
    pub id: String,
    pub nomination_id: String,
    pub model_id: String,
    pub model_name: String,
    pub model_version: String,
    pub developer_org_id: String,
    pub developer_org_name: String,
    pub partner_org_id: String,
    pub partner_name: String,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub starts_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub ends_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub revoked_at: Option<DateTime<Utc>>,
    pub terms_version_id: String,
    /// The terms' label, for the developer and the partner (as `terms` in the detail); else `null`.
    pub terms_label: Option<String>,
    /// The terms' SHA-256, for the developer and the partner; else `null`.
    pub terms_sha256: Option<String>,
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub partner_accepted_at: Option<DateTime<Utc>>,
    /// Set when the partner declined the grant (its own choice; nothing of it holds the
    /// developer).
    #[serde(serialize_with = "crate::api::rfc3339::opt_utc")]
    pub partner_declined_at: Option<DateTime<Utc>>,
    pub partner_declined_by_name: Option<String>,
    /// The partner's reason, plain text, when it gave one (for the developer and the partner).
    pub partner_decline_reason: Option<String>,
    /// `revoked`, `expired`, `awaiting_terms`, `scheduled` or `active`.
    pub status: String,
    pub days_remaining: f64,
    pub viewer: ViewerOut,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub updated_at: DateTime<Utc>,
}

/// The JSON of a page of grants as a list shows them, for `actor`, in a fixed number of
/// queries; built from the columns a list reads ([`PartnerGrantListRow`]).
impl View for PartnerGrantSummary {
    type Row = PartnerGrantListRow;

    fn page(
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<PartnerGrantListRow>,
    ) -> AppResult<Vec<PartnerGrantSummary>> {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let acceptances = store::org_acceptances(conn, GrantKind::Partner, &ids)?;
        let declines = store::declines_of(conn, GrantKind::Partner, &ids)?;
        let decliners: Vec<String> = declines.iter().map(|d| d.user_id.clone()).collect();
        let names: HashMap<String, String> = accounts::user_names(conn, &decliners)?;
        let mine = store::rostered(conn, GrantKind::Partner, &ids, actor.user_id.as_str())?;
        let mut org_ids: Vec<String> = rows.iter().map(|r| r.organization_id.clone()).collect();
        org_ids.extend(rows.iter().map(|r| r.partner_org_id.clone()));
        let orgs: HashMap<String, String> = orgs::names(conn, &org_ids)?;
        let model_ids: Vec<String> = rows.iter().map(|r| r.model_id.clone()).collect();
        let models = models::names(conn, &model_ids)?;
        let terms_ids: Vec<String> = rows.iter().map(|r| r.terms_version_id.clone()).collect();
        let terms = terms::labels(conn, &terms_ids)?;
        // The partner's acceptance and decline of each grant, by key.
        let accepted_by = grants::by_grant_and_org(&acceptances, |a| {
            (a.grant_id.as_str(), a.organization_id.as_str())
        });
        let declined_by = grants::by_grant_and_org(&declines, |d| {
            (d.grant_id.as_str(), d.organization_id.as_str())
        });
        Ok(rows
            .into_iter()
            .map(|r| {
                let ctx = r.grant();
                let party = is_party(&ctx, actor);
                let status = ctx.status(now);
                let m = models.get(&r.model_id);
                let t = terms.get(&r.terms_version_id).filter(|_| party);
                let declined = declined_by
                    .get(&(r.id.as_str(), r.partner_org_id.as_str()))
                    .copied();
                PartnerGrantSummary {
                    partner_declined_at: declined.map(|d| from_db(d.declined_at)),
                    // Who and why are the parties' (agencies see the metadata only).
                    partner_declined_by_name: declined
                        .filter(|_| party)
                        .and_then(|d| names.get(&d.user_id).cloned()),
                    partner_decline_reason: declined
                        .filter(|_| party)
                        .and_then(|d| d.reason.clone()),
                    model_name: m.map(|m| m.0.clone()).unwrap_or_default(),
                    model_version: m.map(|m| m.1.clone()).unwrap_or_default(),
                    developer_org_name: orgs.get(&r.organization_id).cloned().unwrap_or_default(),
                    partner_name: orgs.get(&r.partner_org_id).cloned().unwrap_or_default(),
                    terms_label: t.map(|t| t.0.clone()),
                    terms_sha256: t.map(|t| t.1.clone()),
                    partner_accepted_at: accepted_by
                        .get(&(r.id.as_str(), r.partner_org_id.as_str()))
                        .map(|a| from_db(a.accepted_at)),
                    status: status.as_str().into(),
                    days_remaining: if matches!(status, GrantStatus::Revoked) {
                        0.0
                    } else {
                        days_remaining(now, ctx.ends_at)
                    },
                    viewer: ViewerOut {
                        rostered: mine.contains_key(&r.id),
                        acknowledged: mine.get(&r.id).copied().unwrap_or(false),
                    },
                    id: r.id,
                    nomination_id: r.nomination_id,
                    model_id: r.model_id,
                    developer_org_id: r.organization_id,
                    partner_org_id: r.partner_org_id,
                    starts_at: from_db(r.starts_at),
                    ends_at: from_db(r.ends_at),
                    revoked_at: r.revoked_at.map(from_db),
                    terms_version_id: r.terms_version_id,
                    created_at: from_db(r.created_at),
                    updated_at: from_db(r.updated_at),
                }
            })
            .collect())
    }
}

/// The developer and the partner are a partner grant's parties: they see its terms and the
/// partner's decline in full; agencies see its metadata.
fn is_party(grant: &Grant, actor: &Actor) -> bool {
    grant.is_developer(&actor.org_id) || grant.is_grantee(&actor.org_id)
}

/// The JSON of grants as their detail answers them: each one's list item, the full terms for
/// the parties, and the access instructions for callers who may read them.
impl View for PartnerGrantOut {
    type Row = PartnerGrantRow;

    fn page(
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<PartnerGrantRow>,
    ) -> AppResult<Vec<PartnerGrantOut>> {
        let (heads, instructions): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .map(|r| (r.head, r.access_instructions))
            .unzip();
        let terms_ids: Vec<String> = heads.iter().map(|r| r.terms_version_id.clone()).collect();
        // Shared (`Arc`) by the grants under the same version.
        let terms: HashMap<String, Arc<TermsOut>> = terms::get_many(conn, &terms_ids)?
            .into_iter()
            .map(|t| (t.id.clone(), Arc::new(terms_out(&t))))
            .collect();
        let summaries = PartnerGrantSummary::page(conn, actor, now, heads.clone())?;
        Ok(summaries
            .into_iter()
            .zip(heads)
            .zip(instructions)
            .map(|((s, head), text)| {
                let ctx = head.grant();
                let shown = grants::shows_instructions(&ctx, actor, &s.viewer, now);
                let full_terms = is_party(&ctx, actor)
                    .then(|| terms.get(&head.terms_version_id).cloned())
                    .flatten();
                PartnerGrantOut::detail(s, full_terms, shown.then_some(text))
            })
            .collect())
    }

    /// One grant, with its window's warnings for the issuing developer (a list leaves them out:
    /// they cost a query per grant).
    fn one(
        conn: &mut DbConn,
        actor: &Actor,
        now: DateTime<Utc>,
        row: PartnerGrantRow,
    ) -> AppResult<PartnerGrantOut> {
        let ctx = row.grant();
        let window = Interval::new(ctx.starts_at, ctx.ends_at);
        let open = !ctx.is_finished(now);
        let developer = ctx.is_developer(&actor.org_id);
        let (partner, model_id, id) = (
            row.head.partner_org_id.clone(),
            row.head.model_id.clone(),
            row.head.id.clone(),
        );
        let mut out = crate::api::first(Self::page(conn, actor, now, vec![row])?)?;
        if developer && open {
            if let Some(model) = models::get_owned(conn, &actor.org_id, &model_id.into())? {
                out.warnings = warnings_for(
                    conn,
                    actor.org_id.as_str(),
                    &partner,
                    &model,
                    window,
                    now,
                    Some(&id),
                )?;
            }
        }
        Ok(out)
    }
}

impl PartnerGrantOut {
    /// A grant's detail: its list item, the full terms (for the parties) and, when the caller
    /// may read them, the instructions. The window's warnings are [`View::one`]'s.
    fn detail(
        s: PartnerGrantSummary,
        terms: Option<Arc<TermsOut>>,
        access_instructions: Option<String>,
    ) -> PartnerGrantOut {
        let PartnerGrantSummary {
            id,
            nomination_id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            partner_org_id,
            partner_name,
            starts_at,
            ends_at,
            revoked_at,
            terms_version_id,
            terms_label: _,
            terms_sha256: _,
            partner_accepted_at,
            partner_declined_at,
            partner_declined_by_name,
            partner_decline_reason,
            status,
            days_remaining,
            viewer,
            created_at,
            updated_at,
        } = s;
        PartnerGrantOut {
            id,
            nomination_id,
            model_id,
            model_name,
            model_version,
            developer_org_id,
            developer_org_name,
            partner_org_id,
            partner_name,
            starts_at,
            ends_at,
            revoked_at,
            terms_version_id,
            terms,
            partner_accepted_at,
            partner_declined_at,
            partner_declined_by_name,
            partner_decline_reason,
            access_instructions,
            status,
            days_remaining,
            viewer,
            created_at,
            updated_at,
            voluntary_notice: VOLUNTARY,
            warnings: Vec::new(),
        }
    }
}

impl Visible for PartnerGrantRow {
    type Id = GrantId;
    fn find_visible(conn: &mut DbConn, actor: &Actor, id: &GrantId) -> AppResult<Option<Self>> {
        Ok(store::get_partner_visible(conn, &viewer(actor), id)?)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerGrantList {
    /// Summaries: the terms' sections and the access instructions are in the detail.
    pub items: Vec<PartnerGrantSummary>,
    pub next_cursor: Option<String>,
    /// The voluntary notice, once for the page (each record's own answer carries it too).
    pub voluntary_notice: &'static str,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    pub status: Option<String>,
    pub model_id: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Partner grants: a developer's own, a partner's own, and (metadata) all of them for agencies.
/// Items are summaries: the terms' sections and the access instructions are in
/// `GET /partner-grants/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/partner-grants",
    operation_id = "listPartnerGrants",
    tag = "partner grants",
    params(
        ListQuery,
    ),
    responses(
        (status = 200, body = PartnerGrantList),
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
    let pool = state.pool.clone();
    state
        .pages
        .answer(Shows::Records, actor, &req, now, |actor, now| async move {
            let p = page.clone();
            let items = db::run(&pool, move |conn| {
                let v = viewer(&actor);
                if v == Viewer::Operator {
                    return Ok(vec![]);
                }
                let rows =
                    store::list_partner_visible(conn, &v, status, model.as_deref(), now, &p)?;
                PartnerGrantSummary::page(conn, &actor, now, rows)
            })
            .await?;
            let paged = Paged::from_rows(items, &page, |g| g.id.clone());
            Ok(PartnerGrantList {
                items: paged.items,
                next_cursor: paged.next_cursor,
                voluntary_notice: VOLUNTARY,
            })
        })
        .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"nomination_id": "…", "starts_at": "2026-07-01T00:00:00Z", "ends_at": "2026-07-31T00:00:00Z", "terms_version_id": "…", "access_instructions": "Sandbox URL and onboarding steps …"}))]
pub struct IssueBody {
    #[schema(format = Uuid)]
    pub nomination_id: String,
    #[schema(schema_with = crate::api::openapi::time_schema)]
    pub starts_at: String,
    #[schema(schema_with = crate::api::openapi::time_schema)]
    pub ends_at: String,
    #[schema(format = Uuid)]
    pub terms_version_id: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub access_instructions: String,
}

/// A partner grant's values, parsed (the nomination and terms it names are checked against the
/// database when it is issued).
#[derive(Debug, Clone)]
pub struct Issue {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub instructions: String,
}

impl TryFrom<&IssueBody> for Issue {
    type Error = Vec<FieldError>;

    fn try_from(b: &IssueBody) -> Result<Issue, Vec<FieldError>> {
        let mut errors = Vec::new();
        let starts = time_field(&mut errors, "starts_at", &b.starts_at);
        let ends = time_field(&mut errors, "ends_at", &b.ends_at);
        let instructions = required(
            &mut errors,
            "access_instructions",
            &b.access_instructions,
            20_000,
        );
        let (starts, ends) = parsed(errors, starts.zip(ends))?;
        Ok(Issue {
            starts,
            ends,
            instructions,
        })
    }
}

/// Issues an early-access grant to a selected partner (developer admins).
#[utoipa::path(
    post,
    path = "/api/v1/partner-grants",
    operation_id = "issuePartnerGrant",
    tag = "partner grants",
    request_body = IssueBody,
    responses(
        (status = 201, body = PartnerGrantOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 409, description = "`not_selected`: both sides have not concurred", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn issue(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<IssueBody>,
) -> AppResult<HttpResponse> {
    if !actor.is_kind(OrgKind::Developer) {
        return Err(AppError::forbidden(
            "Only developers issue early-access grants.",
        ));
    }
    actor.require(
        Capability::IssuePartnerGrant,
        "Only an administrator of the developer organization issues early-access grants.",
    )?;
    let b = body.into_inner();
    let issue = Issue::try_from(&b);
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut errors = errors_of(&issue);
        let nomination = nominations::get_visible(conn, &Viewer::Developer(actor.org_id.clone()), &b.nomination_id)?;
        let Some(n) = nomination else {
            errors.push(FieldError::new("nomination_id", "is not one of your organization's nominations"));
            return Err(AppError::validation(errors));
        };
        let terms = terms::get_usable(conn, actor.org_id.as_str(), &b.terms_version_id)?;
        if terms.is_none() {
            errors.push(FieldError::new("terms_version_id", "must be a terms template or your organization's own terms"));
        }
        let (Issue { starts, ends, instructions }, terms) = valid(errors, issue.clone().ok().zip(terms))?;
        let status = nomination_status(
            n.developer_position,
            n.government_position,
            n.rescinded_at.is_some(),
        );
        check_selected(status).map_err(|e| AppError::conflict(e.code(), e.to_string()))?;
        check_window_order(starts, ends).map_err(window_error)?;
        let partner = n.partner_org_id.clone().ok_or_else(|| AppError::internal(anyhow::anyhow!("selected nomination without partner")))?;
        let row = PartnerGrantRow {
            head: PartnerGrantListRow {
                id: new_id(),
                nomination_id: n.id.clone(),
                model_id: n.model_id.clone(),
                organization_id: actor.org_id.to_string(),
                partner_org_id: partner.clone(),
                starts_at: to_db(starts),
                ends_at: to_db(ends),
                revoked_at: None,
                terms_version_id: terms.id.clone(),
                created_at: to_db(now),
                updated_at: to_db(now),
                terms_completed_at: None,
            },
            access_instructions: instructions,
            created_by_user_id: actor.user_id.to_string(),
            start_notice_sent_at: None,
            end_notice_sent_at: None,
        };
        store::insert_partner(conn, &row)?;
        let ctx = row.grant();
        grants::record_issuer_acceptance(conn, &ctx, &actor, &terms.sha256, now)?;
        grants::record(
            conn,
            &ctx,
            &actor,
            now,
            AuditAction::PartnerGrantIssued,
            json!({"nomination_id": n.id, "partner_org_id": partner, "starts_at": crate::audit::rfc3339(starts),
                   "ends_at": crate::audit::rfc3339(ends), "terms_version_id": terms.id}),
        )?;
        let to = notify::org_emails(conn, &[partner], true)?;
        notifier.send(conn, now, &to, Reason::PartnerGrantIssued, &ctx.link())?;
        PartnerGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Created().json_body(out))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct WarningsQuery {
    /// The selected nomination the grant is (or would be) issued for.
    pub nomination_id: String,
    /// RFC 3339.
    #[param(format = DateTime)]
    pub starts_at: String,
    /// RFC 3339.
    #[param(format = DateTime)]
    pub ends_at: String,
    /// When changing an existing grant's end: that grant, so it is not compared with itself.
    pub grant_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WarningList {
    pub warnings: Vec<WarningOut>,
}

/// The warnings a proposed partner window would carry, before it is issued or changed: the
/// same rule as the `warnings` of a grant's answer, so a form can show them and ask for a
/// confirmation first. Advice only: issuing or changing never depends on it (developer members;
/// writes nothing).
#[utoipa::path(
    get,
    path = "/api/v1/partner-grants/window-warnings",
    operation_id = "partnerGrantWindowWarnings",
    tag = "partner grants",
    params(
        WarningsQuery,
    ),
    responses(
        (status = 200, body = WarningList),
        (status = 401, body = crate::api::dto::Problem),
        (status = 403, body = crate::api::dto::Problem),
        (status = 422, description = "Not a time, an empty window, or not one of your organization's nominations", body = crate::api::dto::Problem),
    ),
)]
pub async fn window_warnings(
    state: web::Data<AppState>,
    actor: Actor,
    q: web::Query<WarningsQuery>,
) -> AppResult<HttpResponse> {
    if !actor.is_kind(OrgKind::Developer) {
        return Err(AppError::forbidden(
            "Only developers issue early-access grants.",
        ));
    }
    let q = q.into_inner();
    let mut errors = Vec::new();
    let starts = time_field(&mut errors, "starts_at", &q.starts_at);
    let ends = time_field(&mut errors, "ends_at", &q.ends_at);
    let now = state.clock.now();
    let out = db::run(&state.pool, move |conn| {
        let n = nominations::get_visible(
            conn,
            &Viewer::Developer(actor.org_id.clone()),
            &q.nomination_id,
        )?;
        let partner_model = n.and_then(|n| n.partner_org_id.clone().map(|p| (p, n.model_id)));
        if partner_model.is_none() {
            errors.push(FieldError::new(
                "nomination_id",
                "is not one of your organization's nominations",
            ));
        }
        let ((starts, ends), (partner, model_id)) =
            valid(errors, starts.zip(ends).zip(partner_model))?;
        check_window_order(starts, ends).map_err(window_error)?;
        let model = models::get_owned(conn, &actor.org_id, &model_id.into())?
            .ok_or_else(AppError::not_found)?;
        let warnings = warnings_for(
            conn,
            actor.org_id.as_str(),
            &partner,
            &model,
            Interval::new(starts, ends),
            now,
            q.grant_id.as_deref(),
        )?;
        Ok(WarningList { warnings })
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// One partner grant.
#[utoipa::path(
    get,
    path = "/api/v1/partner-grants/{id}",
    operation_id = "getPartnerGrant",
    tag = "partner grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = PartnerGrantOut),
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
        let row: PartnerGrantRow = load(conn, &actor, &id)?;
        PartnerGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"ends_at": "2026-07-20T00:00:00Z"}))]
pub struct PatchBody {
    /// The new end: earlier (any developer member, at any time) or later (developer admins).
    /// Never before the start, never in the past.
    #[schema(schema_with = crate::api::openapi::time_schema)]
    pub ends_at: String,
}

/// Moves the end of the grant's window. Shortening is part of the developer's off switch
/// (DESIGN §2.7): every developer member may do it at any time, with no step-up; extending
/// gives the partner more access, so it is for developer admins, as issuing is. A repeat of the
/// same end changes nothing. Mirrors `PATCH /access-grants/{id}`.
#[utoipa::path(
    patch,
    path = "/api/v1/partner-grants/{id}",
    operation_id = "updatePartnerGrant",
    tag = "partner grants",
    request_body = PatchBody,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = "The grant as it now is, with `warnings` for the new window (advice only)", body = PartnerGrantOut),
        (status = 403, description = "Not the issuing developer, or a member extending", body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`invalid_transition`: extending a grant that was revoked or has expired", body = crate::api::dto::Problem),
        (status = 422, description = "`invalid_window` (ends before it starts) or `validation_failed` (not a time, or in the past)", body = crate::api::dto::Problem),
    ),
)]
pub async fn patch(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<GrantId>,
    body: Json<PatchBody>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mut errors = Vec::new();
    let ends = time_field(&mut errors, "ends_at", &body.ends_at);
    let now = state.clock.now();
    let out = db::tx(&state.pool, move |conn| {
        let mut row: PartnerGrantRow = load(conn, &actor, &id)?;
        let ctx = row.grant();
        if !ctx.is_developer(&actor.org_id) || !actor.may(Capability::EditGrant) {
            return Err(AppError::forbidden(
                "Only the developer that issued this grant can change its end date.",
            ));
        }
        let ends = valid(errors, ends)?;
        if ends == ctx.ends_at {
            return PartnerGrantOut::one(conn, &actor, now, row);
        }
        let extending = ends > ctx.ends_at;
        if extending && !actor.may(Capability::IssuePartnerGrant) {
            return Err(AppError::forbidden(
                "Only an administrator of your organization can extend an early-access grant. Any member can move its end earlier.",
            ));
        }
        if extending && ctx.is_finished(now) {
            return Err(AppError::invalid_transition(
                "This grant has already closed; issue a new grant instead of extending it.",
            ));
        }
        check_window_order(ctx.starts_at, ends).map_err(window_error)?;
        if ends < now {
            return Err(AppError::validation(vec![FieldError::new(
                "ends_at",
                "must not be in the past; to stop access now, revoke the grant",
            )]));
        }
        let old = ctx.ends_at;
        store::set_partner_ends_at(conn, &id, ends, now)?;
        row.head.ends_at = to_db(ends);
        row.head.updated_at = to_db(now);
        grants::record(
            conn,
            &ctx,
            &actor,
            now,
            AuditAction::PartnerGrantWindowMoved,
            json!({"from": crate::audit::rfc3339(old), "to": crate::audit::rfc3339(ends)}),
        )?;
        PartnerGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// Revokes the grant now (developer members). Always succeeds; a repeat changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/partner-grants/{id}/revoke",
    operation_id = "revokePartnerGrant",
    tag = "partner grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = PartnerGrantOut),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn revoke(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<GrantId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now = state.clock.now();
    let notifier = state.notifier.clone();
    let out = db::tx(&state.pool, move |conn| {
        let mut row: PartnerGrantRow = load(conn, &actor, &id)?;
        let ctx = row.grant();
        if !ctx.is_developer(&actor.org_id) || !actor.may(Capability::RevokePartnerGrant) {
            return Err(AppError::forbidden(
                "Only the developer that issued this grant can revoke it.",
            ));
        }
        if row.head.revoked_at.is_none() && store::revoke_partner(conn, &id, now)? {
            row.head.revoked_at = Some(to_db(now));
            row.head.updated_at = to_db(now);
            grants::record(
                conn,
                &ctx,
                &actor,
                now,
                AuditAction::PartnerGrantRevoked,
                json!({}),
            )?;
            let to = notify::participants(conn, &ctx)?;
            notifier.send(conn, now, &to, Reason::PartnerGrantRevoked, &ctx.link())?;
        }
        PartnerGrantOut::one(conn, &actor, now, row)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(out))
}

/// The partner admin accepts the terms for the partner organization.
#[utoipa::path(
    post,
    path = "/api/v1/partner-grants/{id}/accept-terms",
    operation_id = "acceptPartnerGrantTerms",
    tag = "partner grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = PartnerGrantOut),
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
    grants::accept_terms_route::<PartnerResource>(state, actor, path.into_inner()).await
}

/// The partner admin declines the grant (optional `reason`, plain text): while it is open and
/// the partner has not accepted its terms. The developer is emailed; nothing of it holds the
/// developer's own controls. A repeat answers the grant unchanged.
#[utoipa::path(
    post,
    path = "/api/v1/partner-grants/{id}/decline",
    operation_id = "declinePartnerGrant",
    tag = "partner grants",
    request_body(content = DeclineBody, description = "Optional: no body, `{}` or a reason"),
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = PartnerGrantOut),
        (status = 403, description = "Not an admin of the partner (the developer never declines for the partner)", body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
        (status = 409, description = "`invalid_transition`: the partner already accepted the terms, or the grant is over", body = crate::api::dto::Problem),
        (status = 422, body = crate::api::dto::Problem),
    ),
)]
pub async fn decline(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    grants::decline_route::<PartnerResource>(state, actor, path.into_inner(), body).await
}

/// A rostered partner user acknowledges the terms; the instructions then show.
#[utoipa::path(
    post,
    path = "/api/v1/partner-grants/{id}/acknowledge",
    operation_id = "acknowledgePartnerGrant",
    tag = "partner grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = PartnerGrantOut),
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
    grants::acknowledge_route::<PartnerResource>(state, actor, path.into_inner()).await
}

/// The partner's named individuals.
#[utoipa::path(
    get,
    path = "/api/v1/partner-grants/{id}/roster",
    operation_id = "listPartnerGrantRoster",
    tag = "partner grants",
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, body = RosterList),
        (status = 403, body = crate::api::dto::Problem),
        (status = 404, body = crate::api::dto::Problem),
    ),
)]
pub async fn roster(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    grants::roster_route::<PartnerResource>(state, actor, path.into_inner()).await
}

/// The partner admin adds one of the partner's users.
#[utoipa::path(
    post,
    path = "/api/v1/partner-grants/{id}/roster",
    operation_id = "addPartnerGrantRosterMember",
    tag = "partner grants",
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
    grants::roster_add_route::<PartnerResource>(
        state,
        actor,
        path.into_inner(),
        body.into_inner().user_id,
    )
    .await
}

/// Removes someone from the roster (the developer at any time; the partner admin for its own
/// people). A repeat succeeds.
#[utoipa::path(
    delete,
    path = "/api/v1/partner-grants/{id}/roster/{user_id}",
    operation_id = "removePartnerGrantRosterMember",
    tag = "partner grants",
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
    grants::roster_remove_route::<PartnerResource>(state, actor, id, user_id).await
}

/// The grant's message thread between the developer and the partner, oldest first. Only
/// their members see it (agencies, which see the grant's metadata, and everyone else: 404);
/// a revoked or expired grant keeps its thread.
#[utoipa::path(
    get,
    path = "/api/v1/partner-grants/{id}/messages",
    operation_id = "listPartnerGrantMessages",
    tag = "partner grants",
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
    grant_messages::list_route::<PartnerResource>(state, actor, path.into_inner(), q.into_inner())
        .await
}

/// Writes to the other side of the grant (a member of the developer or of the partner; also
/// after the grant is over). The other side's admins get an email with a link, never the text.
#[utoipa::path(
    post,
    path = "/api/v1/partner-grants/{id}/messages",
    operation_id = "postPartnerGrantMessage",
    tag = "partner grants",
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
    grant_messages::post_route::<PartnerResource>(
        state,
        actor,
        path.into_inner(),
        body.into_inner().body,
    )
    .await
}

/// Hooks this resource into the handlers shared with the other kind of grant.
pub struct PartnerResource;

impl grants::GrantResource for PartnerResource {
    type View = PartnerGrantOut;
    fn context(conn: &mut DbConn, actor: &Actor, id: &str) -> AppResult<Grant> {
        load::<PartnerGrantRow>(conn, actor, &id.into()).map(|row| row.grant())
    }
    fn view(
        conn: &mut DbConn,
        actor: &Actor,
        id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<PartnerGrantOut> {
        let row = load(conn, actor, &id.into())?;
        PartnerGrantOut::one(conn, actor, now, row)
    }
}
