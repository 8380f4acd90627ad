//! Email notification settings (issue 11): each person chooses which of the portal's optional
//! emails they receive. Account and security emails are always sent. The choice is applied in
//! one place, where recipients become queued emails (`mail::outbox`), so every reason obeys it.
//!
//! The routes sit with the other "my account" routes under `/api/v1/auth` (`/auth/me`,
//! `/auth/sessions`, `/auth/mfa`).

use std::collections::BTreeSet;

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::json::Json;
use crate::api::JsonBody;
use crate::audit::{self, NewEvent};
use crate::auth::Actor;
use crate::db;
use crate::domain::audit::AuditAction;
use crate::domain::notification::Reason;
use crate::domain::policy::OrgKind;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::store::notifications as store;

/// One email the portal may send this person.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSetting {
    /// The email's stable name, as `PUT` takes it in `disabled`.
    #[schema(example = "request_submitted")]
    pub reason: String,
    /// A few plain words for it.
    #[schema(example = "Request submitted")]
    pub label: String,
    /// One line saying when it is sent.
    #[schema(example = "A developer submitted a designation request for review.")]
    pub description: String,
    /// Account and security mail: always sent, cannot be turned off.
    pub required: bool,
    /// This person receives it (always true when `required`).
    pub enabled: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettings {
    /// Every email that can reach people of the caller's kind of organization, in a fixed order.
    pub items: Vec<NotificationSetting>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"disabled": ["request_submitted"]}))]
pub struct PutNotificationsBody {
    /// The whole set of emails to turn off (the `reason` of optional items); every other one is
    /// turned on. A required reason, or one not offered to the caller, is refused.
    pub disabled: Vec<String>,
}

fn settings(kind: OrgKind, disabled: &BTreeSet<Reason>) -> NotificationSettings {
    NotificationSettings {
        items: Reason::for_kind(kind)
            .map(|r| {
                let s = r.setting();
                NotificationSetting {
                    reason: r.as_str().to_string(),
                    label: s.label.to_string(),
                    description: s.description.to_string(),
                    required: s.required,
                    enabled: s.required || !disabled.contains(&r),
                }
            })
            .collect(),
    }
}

/// The reasons `names` turns off for a person of `kind`, or every name that cannot be.
fn parse_disabled(kind: OrgKind, names: &[String]) -> Result<BTreeSet<Reason>, AppError> {
    let mut errors = Vec::new();
    let mut out = BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        let message = match Reason::parse(name) {
            Err(_) => format!(
                "Item {} of the emails to turn off is not an email the portal sends.",
                i + 1
            ),
            Ok(r) if r.setting().required => format!(
                "“{}” is always sent because it concerns your account's security, so it cannot be turned off.",
                r.setting().label
            ),
            Ok(r) if !r.setting().audience.contains(&kind) => format!(
                "“{}” is never sent to people of your organization, so it cannot be turned off.",
                r.setting().label
            ),
            Ok(r) => {
                out.insert(r);
                continue;
            }
        };
        errors.push(FieldError::new("disabled", message));
    }
    if errors.is_empty() {
        return Ok(out);
    }
    let detail = match errors.as_slice() {
        [one] => one.message.clone(),
        many => format!(
            "{} of the emails to turn off cannot be turned off.",
            many.len()
        ),
    };
    let mut e = AppError::validation(errors);
    e.detail = detail;
    Err(e)
}

/// The caller's email notification settings: every email that can reach people of their kind
/// of organization, whether it is required and whether they receive it.
#[utoipa::path(
    get,
    path = "/api/v1/auth/notifications",
    operation_id = "getNotificationSettings",
    tag = "auth",
    responses(
        (status = 200, body = NotificationSettings),
    ),
)]
pub async fn get(state: web::Data<AppState>, actor: Actor) -> AppResult<HttpResponse> {
    let uid = actor.user_id.to_string();
    let disabled = db::run(&state.pool, move |conn| Ok(store::disabled_of(conn, &uid)?)).await?;
    Ok(HttpResponse::Ok().json_body(settings(actor.org_kind, &disabled)))
}

/// Replaces the set of emails the caller turned off. Audited (`account.notifications_changed`)
/// when the set changes; the same set again changes nothing.
#[utoipa::path(
    put,
    path = "/api/v1/auth/notifications",
    operation_id = "putNotificationSettings",
    tag = "auth",
    request_body = PutNotificationsBody,
    responses(
        (status = 200, body = NotificationSettings),
        (status = 422, description = "`validation_failed`: an email the portal does not send, a required one (account and security mail) or one never sent to the caller's organization; nothing changed", body = crate::api::dto::Problem),
    ),
)]
pub async fn put(
    state: web::Data<AppState>,
    actor: Actor,
    body: Json<PutNotificationsBody>,
) -> AppResult<HttpResponse> {
    let wanted = parse_disabled(actor.org_kind, &body.into_inner().disabled)?;
    let now = state.clock.now();
    let kind = actor.org_kind;
    let disabled = db::tx(&state.pool, move |conn| {
        let uid = actor.user_id.to_string();
        let (off, on) = store::replace(conn, &uid, &wanted, now)?;
        if !off.is_empty() || !on.is_empty() {
            let names = |v: &[Reason]| v.iter().map(|r| r.as_str()).collect::<Vec<_>>();
            audit::append(
                conn,
                &actor.audit(now),
                NewEvent {
                    action: AuditAction::AccountNotificationsChanged,
                    target_type: "user",
                    target_id: &uid,
                    visible_to: vec![actor.org_id.to_string()],
                    detail: json!({"turned_off": names(&off), "turned_on": names(&on)}),
                },
            )?;
        }
        Ok(wanted)
    })
    .await?;
    Ok(HttpResponse::Ok().json_body(settings(kind, &disabled)))
}
