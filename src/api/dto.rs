//! JSON shapes shared by several resources, and their OpenAPI schemas.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::from_db;
use crate::store::accounts::UserRow;
use crate::store::orgs::OrgRow;

/// An RFC 9457 problem document; every error answer has this shape.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "urn:frontier-portal:problem:window_cap_exceeded", "title": "Unprocessable Entity", "status": 422, "detail": "this window would bring the Government's access to this model to 34.5 days; the cap is 30 days and 10.0 days remain", "code": "window_cap_exceeded", "errors": [{"field": "ends_at", "message": "exceeds the 30-day cap"}], "requested_days": 34.5, "granted_days": 20.0, "remaining_days": 10.0}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `invalid_transition`.
    pub code: String,
    /// Per-field messages (422 only).
    pub errors: Option<Vec<FieldErrorDto>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorDto {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserOut {
    pub id: String,
    pub email: String,
    pub name: String,
    /// `admin` or `member`
    pub org_role: String,
    pub organization_id: String,
    pub email_verified: bool,
    pub disabled: bool,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
}

/// An invitation sent or sent again: the invited account and when the emailed link stops
/// working (the org admin's invite, its resend, and the operator's resend answer this).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub user: UserOut,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl From<&UserRow> for UserOut {
    fn from(u: &UserRow) -> Self {
        UserOut {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            org_role: u.org_role.clone(),
            organization_id: u.organization_id.clone(),
            email_verified: u.email_verified_at.is_some(),
            disabled: u.disabled_at.is_some(),
            created_at: from_db(u.created_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgOut {
    pub id: String,
    pub name: String,
    /// `developer`, `agency`, `partner` or `operator`
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    #[serde(serialize_with = "crate::api::rfc3339::utc")]
    pub created_at: DateTime<Utc>,
}

impl From<&OrgRow> for OrgOut {
    fn from(o: &OrgRow) -> Self {
        OrgOut {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind.as_str().into(),
            agency_code: o.agency_code.clone(),
            partner_type: o.partner_type.clone(),
            sector: o.sector.clone(),
            created_at: from_db(o.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserEnvelope {
    pub user: UserOut,
}
