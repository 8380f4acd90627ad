//! The OpenAPI 3.1 document (`/api/openapi.json`) and Swagger UI (`/api/docs`, served from the
//! binary: utoipa-swagger-ui's `vendored` feature, so no internet is needed).

use std::sync::OnceLock;

use actix_web::web;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{ArrayItems, KnownFormat, ObjectBuilder, Schema, SchemaFormat};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::api;

/// The operations anyone may call: they read no credential (`security: []` in the document).
/// The contract test (tests/api/openapi_contract.rs) calls every operation without one: these
/// must not answer 401, every other one must.
pub const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
    ("post", "/api/v1/auth/signup"),
    ("post", "/api/v1/auth/verify-email"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/login/mfa"),
    ("post", "/api/v1/auth/login/webauthn/start"),
    ("post", "/api/v1/auth/login/webauthn/finish"),
    ("post", "/api/v1/auth/password-reset/request"),
    ("post", "/api/v1/auth/password-reset/confirm"),
    ("get", "/api/v1/auth/invitations/{token}"),
    ("post", "/api/v1/auth/invitations/{token}/accept"),
    ("get", "/api/v1/auth/oidc"),
    ("get", "/api/v1/auth/oidc/{provider}/start"),
    ("get", "/api/v1/auth/oidc/{provider}/callback"),
];

/// The operations that need a second factor used in the last 15 minutes (DESIGN §7): they
/// answer 401 `step_up_required` without one.
pub const STEP_UP: &[(&str, &str)] = &[
    ("post", "/api/v1/designation-requests/{id}/determination"),
    ("post", "/api/v1/access-grants/{id}/accept-terms"),
    ("post", "/api/v1/access-grants/{id}/roster"),
    ("post", "/api/v1/partner-grants/{id}/accept-terms"),
    ("post", "/api/v1/partner-grants/{id}/roster"),
    ("post", "/api/v1/nominations/{id}/concur"),
    ("post", "/api/v1/auth/api-tokens"),
    ("delete", "/api/v1/auth/mfa/totp"),
    // Adding a factor next to one you have is changing factors too.
    ("post", "/api/v1/auth/mfa/totp"),
    ("post", "/api/v1/auth/mfa/webauthn/register/start"),
    ("post", "/api/v1/auth/mfa/webauthn/register/finish"),
    ("delete", "/api/v1/auth/mfa/webauthn/{id}"),
];

/// What a user held for second-factor enrolment may still call; everything else that needs a
/// credential answers 403 `mfa_enrollment_required` for them.
pub const ENROLMENT_OPEN: &[(&str, &str)] = &[
    ("get", "/api/v1/auth/me"),
    ("post", "/api/v1/auth/logout"),
    ("get", "/api/v1/auth/mfa"),
    ("post", "/api/v1/auth/mfa/totp"),
    ("post", "/api/v1/auth/mfa/totp/confirm"),
    ("post", "/api/v1/auth/mfa/webauthn/register/start"),
    ("post", "/api/v1/auth/mfa/webauthn/register/finish"),
];

/// The problem answers that the framework around the handlers gives, added to every operation
/// where they can occur, so that no handler repeats them (a handler documents only its own
/// 403/404/409/422 codes, which this merges with):
///
/// | status | `code` | where |
/// | --- | --- | --- |
/// | 400 | `malformed_request` | every `/api/v1` operation (a NUL in the query string, a body that is not JSON) |
/// | 401 | `unauthenticated` | every operation that needs a credential |
/// | 403 | `csrf_header_missing` | unsafe methods with a credential (a session cookie without `X-Requested-With: fetch`) |
/// | 403 | `insufficient_scope` | unsafe methods with a credential (a `read` API token) |
/// | 401 | `step_up_required` | the operations of [`STEP_UP`], for a user with a second factor |
/// | 403 | `mfa_enrollment_required` | every operation with a credential but [`ENROLMENT_OPEN`], for a user who must enrol a second factor and has not |
/// | 404 | `not_found` | operations with path parameters |
/// | 413 | `body_too_large` | operations with a JSON body (over 256 KiB) |
/// | 415 | `unsupported_media_type` | operations with a JSON body (not sent as JSON) |
/// | 422 | `validation_failed` | operations with a body or query parameters |
/// | 429 | `throttled` | `/api/v1/auth/*` (the per-IP limit), with `Retry-After` |
/// | 500 | `internal_error` | every operation |
/// | 503 | `database_unavailable` | every operation that reads the database, with `Retry-After` |
///
/// Every 4xx/5xx answer is documented as `application/problem+json` with the Problem schema,
/// which is what `crate::error` sends.
struct Problems;

const PROBLEM_JSON: &str = "application/problem+json";

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("options", item.options.as_mut()),
        ("head", item.head.as_mut()),
        ("patch", item.patch.as_mut()),
        ("trace", item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
}

/// Adds (or, if the handler documents the status already, extends) one problem answer.
fn problem(op: &mut Operation, status: u16, code: &str, why: &str) {
    let line = format!("`{code}`: {why}");
    let key = status.to_string();
    match op.responses.responses.get_mut(&key) {
        Some(RefOr::T(r)) => {
            if !r.description.contains(&format!("`{code}`")) {
                r.description = if r.description.is_empty() {
                    line
                } else {
                    format!("{}; or {line}", r.description)
                };
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut b = ResponseBuilder::new().description(line);
            if status == 429 || status == 503 {
                b = b.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .minimum(Some(1)),
                        )
                        .description(Some("Seconds to wait before trying again"))
                        .build(),
                );
            }
            op.responses.responses.insert(key, RefOr::T(b.build()));
        }
    }
}

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in operations_mut(item) {
                let public = PUBLIC.contains(&(method, path.as_str()));
                if public {
                    op.security = Some(Vec::new());
                }
                let api = path.starts_with("/api/v1/");
                let params = op.parameters.iter().flatten();
                let has_query = params.clone().any(|p| p.parameter_in == ParameterIn::Query);
                let has_path = params.clone().any(|p| p.parameter_in == ParameterIn::Path);
                let has_body = op.request_body.is_some();
                if api {
                    problem(op, 400, "malformed_request", "the query string or the body is malformed (e.g. not JSON, or a NUL character in the query)");
                }
                if !public {
                    problem(
                        op,
                        401,
                        "unauthenticated",
                        "no credential, or one that is invalid, expired or revoked",
                    );
                    if STEP_UP.contains(&(method, path.as_str())) {
                        problem(
                            op,
                            401,
                            "step_up_required",
                            "the caller has a second factor and did not use it in the last 15 minutes on this session (POST /api/v1/auth/step-up, or with a passkey /api/v1/auth/step-up/webauthn/start and finish, then retry); an API token satisfies it only if it was made on such a session",
                        );
                    }
                    if !ENROLMENT_OPEN.contains(&(method, path.as_str())) {
                        problem(
                            op,
                            403,
                            "mfa_enrollment_required",
                            "the caller must set up a second factor first (POST /api/v1/auth/mfa/totp, or a passkey: POST /api/v1/auth/mfa/webauthn/register/start); until then only the enrolment routes, me and logout answer",
                        );
                    }
                    if method != "get" {
                        problem(
                            op,
                            403,
                            "csrf_header_missing",
                            "a session cookie was sent without the header X-Requested-With: fetch",
                        );
                        problem(
                            op,
                            403,
                            "insufficient_scope",
                            "the API token has the scope `read`, which allows only GET and HEAD",
                        );
                    }
                }
                if has_path {
                    problem(
                        op,
                        404,
                        "not_found",
                        "no such record, or it is not visible to you",
                    );
                }
                if has_body {
                    problem(op, 413, "body_too_large", "the body is larger than 256 KiB");
                    problem(
                        op,
                        415,
                        "unsupported_media_type",
                        "the body is not sent as application/json",
                    );
                }
                if has_body || has_query {
                    problem(
                        op,
                        422,
                        "validation_failed",
                        "a field is invalid; `errors` names each one",
                    );
                }
                if path.starts_with("/api/v1/auth/") {
                    problem(
                        op,
                        429,
                        "throttled",
                        "too many requests from this address; see Retry-After",
                    );
                }
                problem(
                    op,
                    500,
                    "internal_error",
                    "an unexpected error (logged with the request id)",
                );
                if path != "/healthz" && path != "/metrics" {
                    problem(
                        op,
                        503,
                        "database_unavailable",
                        "the database is not available right now; see Retry-After",
                    );
                }
                for (status, resp) in op.responses.responses.iter_mut() {
                    let is_error = status.starts_with('4') || status.starts_with('5');
                    if let (true, RefOr::T(r)) = (is_error, resp) {
                        r.content.clear();
                        r.content.insert(
                            PROBLEM_JSON.to_string(),
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        );
                    }
                }
            }
        }
    }
}

/// Rust's `char::is_whitespace` (what `str::trim` removes), as a regex character class body:
/// spelled out, because `\s` means a different set in each regex dialect.
const WS: &str =
    "\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// What the server's `email_field` accepts: no whitespace, `<`, `>` or `,`; a non-empty part
/// before the first `@`; after it a domain with a dot that neither starts nor ends with one.
pub fn email_pattern() -> String {
    let c = format!("[^{WS}<>,");
    format!("^{c}@]+@{c}.]{c}]*\\.{c}]*{c}.]$")
}

/// A required text field: something besides whitespace.
pub fn nonblank_pattern() -> String {
    format!("[^{WS}]")
}

/// The schema rules that a `#[schema(...)]` attribute cannot spell (its `pattern` takes only a
/// literal), written once here: a string with `min_length = 1` is a required text field, which
/// the server trims (`api::required`), so it must hold something besides whitespace; a string
/// with `format = Email` gets the server's exact rule as its pattern (and loses the format,
/// whose meaning differs between validators).
struct TextRules;

fn text_rules(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(o) => {
            if matches!(
                o.format,
                Some(SchemaFormat::KnownFormat(KnownFormat::Email))
            ) {
                o.format = None;
                o.pattern = Some(email_pattern());
            } else if o.min_length == Some(1) && o.pattern.is_none() {
                o.pattern = Some(nonblank_pattern());
            }
            for p in o.properties.values_mut() {
                text_rules(p);
            }
        }
        Schema::Array(a) => {
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                text_rules(items);
            }
        }
        Schema::OneOf(x) => x.items.iter_mut().for_each(text_rules),
        Schema::AllOf(x) => x.items.iter_mut().for_each(text_rules),
        Schema::AnyOf(x) => x.items.iter_mut().for_each(text_rules),
        _ => {}
    }
}

impl Modify for TextRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.schemas.values_mut().for_each(text_rules);
        }
        for item in openapi.paths.paths.values_mut() {
            for (_, op) in operations_mut(item) {
                for p in op.parameters.iter_mut().flatten() {
                    if let Some(s) = p.schema.as_mut() {
                        text_rules(s);
                    }
                }
                if let Some(body) = op.request_body.as_mut() {
                    for c in body.content.values_mut() {
                        if let Some(s) = c.schema.as_mut() {
                            text_rules(s);
                        }
                    }
                }
            }
        }
    }
}

fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| as_str(*v)).collect()
}

/// The closed sets of strings the server accepts and sends, taken from the lists it checks
/// against and produces from (the domain enums' `ALL`), so that the document cannot drift from
/// them: (component schema, or operation path for a query parameter; property or parameter;
/// values). A response property of a schema made of `allOf` parts (a `#[serde(flatten)]`) is
/// looked up in its inline parts.
fn closed_sets() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    use crate::domain::audit::AuditAction;
    use crate::domain::designation::{
        AssignedFilter, ConsultationPosition, DesignationStatus, DeterminationOutcome, MessageKind,
        RequestSort,
    };
    use crate::domain::grant::{AccessKind, AccessMode, GrantStatus, MessageSide};
    use crate::domain::model::ModelStatus;
    use crate::domain::nomination::{NominationStatus, PartnerType, Position, Side, CI_SECTORS};
    use crate::domain::partner_window::PartnerWindowWarningCode;
    use crate::domain::policy::{AgencyCode, DirectoryKind, OrgKind, OrgRole};
    use crate::domain::problem::ProblemCode;
    use crate::domain::session::TokenScope;
    let agency = names(AgencyCode::ALL, AgencyCode::as_str);
    let partner = names(PartnerType::ALL, PartnerType::as_str);
    let grant = names(GrantStatus::ALL, GrantStatus::as_str);
    let org_kind = names(OrgKind::ALL, OrgKind::as_str);
    let org_role = names(OrgRole::ALL, OrgRole::as_str);
    let access_mode = names(AccessMode::ALL, AccessMode::as_str);
    let access_kind = names(AccessKind::ALL, AccessKind::as_str);
    let consultation = names(ConsultationPosition::ALL, ConsultationPosition::as_str);
    let outcome = names(DeterminationOutcome::ALL, DeterminationOutcome::as_str);
    let designation = names(DesignationStatus::ALL, DesignationStatus::as_str);
    let nomination = names(NominationStatus::ALL, NominationStatus::as_str);
    let model = names(ModelStatus::ALL, ModelStatus::as_str);
    let position = names(Position::ALL, Position::as_str);
    let scope = names(TokenScope::ALL, TokenScope::as_str);
    let user_status = names(
        crate::domain::membership::UserStatus::ALL,
        crate::domain::membership::UserStatus::as_str,
    );
    let responses = vec![
        (
            "Problem",
            "code",
            names(ProblemCode::ALL, ProblemCode::as_str),
        ),
        ("UserOut", "org_role", org_role.clone()),
        ("MeUser", "org_role", org_role.clone()),
        (
            "Me",
            "capabilities",
            names(
                crate::domain::policy::Capability::ALL,
                crate::domain::policy::Capability::as_str,
            ),
        ),
        ("AdminUser", "organization_kind", org_kind.clone()),
        ("AdminUser", "status", user_status.clone()),
        ("MemberOut", "status", user_status.clone()),
        ("OrgOut", "kind", org_kind),
        ("OrgOut", "agency_code", agency.clone()),
        ("OrgOut", "partner_type", partner.clone()),
        ("OrgOut", "sector", CI_SECTORS.to_vec()),
        ("ModelOut", "status", model.clone()),
        ("RequestOut", "status", designation.clone()),
        ("ConsultationOut", "agency_code", agency.clone()),
        ("ConsultationOut", "position", consultation.clone()),
        ("DeterminationOut", "outcome", outcome.clone()),
        (
            "MessageOut",
            "kind",
            names(MessageKind::ALL, MessageKind::as_str),
        ),
        (
            "GrantMessageOut",
            "side",
            names(MessageSide::ALL, MessageSide::as_str),
        ),
        ("GranteeOut", "agency_code", agency.clone()),
        ("AccessGrantOut", "access_mode", access_mode.clone()),
        (
            "AccessGrantOut",
            "status",
            names(GrantStatus::GOVERNMENT, GrantStatus::as_str),
        ),
        ("AccessLogOut", "kind", access_kind.clone()),
        (
            "TermsAcceptanceOut",
            "grant_type",
            vec!["access", "partner"],
        ),
        (
            "TermsAcceptanceOut",
            "scope",
            vec!["organization", "individual"],
        ),
        (
            "PartnerGrantOut",
            "status",
            names(GrantStatus::PARTNER, GrantStatus::as_str),
        ),
        (
            "WarningOut",
            "code",
            names(
                PartnerWindowWarningCode::ALL,
                PartnerWindowWarningCode::as_str,
            ),
        ),
        ("NominationOut", "status", nomination.clone()),
        ("NominationOut", "partner_type", partner.clone()),
        ("NominationOut", "sector", CI_SECTORS.to_vec()),
        (
            "NominationOut",
            "nominated_by",
            names(Side::ALL, Side::as_str),
        ),
        ("NominationOut", "developer_position", position.clone()),
        ("NominationOut", "government_position", position),
        ("ApiTokenOut", "scope", scope.clone()),
        (
            "AuditEventOut",
            "action",
            names(AuditAction::ALL, AuditAction::as_str),
        ),
    ];
    let requests = vec![
        ("LogBody", "kind", access_kind),
        ("OfferBody", "access_mode", access_mode),
        ("CreateOrgBody", "kind", vec!["agency", "partner"]),
        ("CreateOrgBody", "agency_code", agency.clone()),
        ("CreateOrgBody", "partner_type", partner.clone()),
        ("CreateOrgBody", "sector", CI_SECTORS.to_vec()),
        ("ConsultationBody", "agency_code", agency),
        ("ConsultationBody", "position", consultation),
        ("DeterminationBody", "outcome", outcome),
        ("NewPartnerBody", "partner_type", partner),
        ("NewPartnerBody", "sector", CI_SECTORS.to_vec()),
        ("InvitationBody", "org_role", org_role.clone()),
        ("PatchUserBody", "org_role", org_role.clone()),
        ("PatchMemberBody", "org_role", org_role),
        ("/api/v1/admin/users", "status", user_status),
        ("CreateApiTokenBody", "scope", scope),
        ("/api/v1/access-grants", "status", grant.clone()),
        ("/api/v1/partner-grants", "status", grant),
        ("/api/v1/designation-requests", "status", designation),
        (
            "/api/v1/designation-requests",
            "assigned",
            names(AssignedFilter::ALL, AssignedFilter::as_str),
        ),
        (
            "/api/v1/designation-requests",
            "sort",
            names(RequestSort::ALL, RequestSort::as_str),
        ),
        ("/api/v1/nominations", "status", nomination),
        ("/api/v1/models", "status", model),
        (
            "/api/v1/organizations",
            "kind",
            names(DirectoryKind::ALL, DirectoryKind::as_str),
        ),
        ("/api/v1/audit-events/export", "format", vec!["csv", "json"]),
        ("/api/v1/access-log/export", "format", vec!["csv", "json"]),
    ];
    responses.into_iter().chain(requests).collect()
}

/// The property `prop` of a component schema: its own, or that of one of its inline `allOf`
/// parts (a `#[serde(flatten)]` struct).
fn property_mut<'a>(schema: &'a mut RefOr<Schema>, prop: &str) -> Option<&'a mut RefOr<Schema>> {
    match schema {
        RefOr::T(Schema::Object(o)) => o.properties.get_mut(prop),
        RefOr::T(Schema::AllOf(a)) => a.items.iter_mut().find_map(|i| match i {
            RefOr::T(Schema::Object(o)) => o.properties.get_mut(prop),
            _ => None,
        }),
        _ => None,
    }
}

/// `RequestOut.consulted`: for each Sec. 3(a) office (`CONSULTED_OFFICES`), whether it has
/// recorded a consultation; always all four.
fn consulted_schema() -> Schema {
    use crate::domain::designation::CONSULTED_OFFICES;
    let mut b = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Which of the offices Sec. 3(a) names (NCD, OSTP for APST, CISA, DOW) have recorded a consultation.",
        ))
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
    for office in CONSULTED_OFFICES {
        b = b
            .property(office, ObjectBuilder::new().schema_type(Type::Boolean))
            .required(office);
    }
    Schema::Object(b.build())
}

/// Sets a closed set on a string schema (with `null` when the schema admits null), or on the
/// items of an array of strings.
fn set_enum(schema: &mut RefOr<Schema>, values: &[&str]) {
    if let RefOr::T(Schema::Array(a)) = schema {
        if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut a.items {
            set_enum(items, values);
        }
        return;
    }
    if let RefOr::T(Schema::Object(o)) = schema {
        let mut vals: Vec<serde_json::Value> = values.iter().map(|v| (*v).into()).collect();
        let nullable = serde_json::to_value(&o.schema_type)
            .is_ok_and(|t| t == "null" || t.as_array().is_some_and(|a| a.contains(&"null".into())));
        if nullable {
            vals.push(serde_json::Value::Null);
        }
        o.enum_values = Some(vals);
    }
}

/// Query parameters: the closed sets above, and the paging parameters every list shares
/// (`store::PageQuery`: `limit` 1 to 200, default 50; `cursor` a `next_cursor`, an id — or for
/// the audit trail a sequence number — or empty for the first page).
struct Params;

impl Modify for Params {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let sets = closed_sets();
        if let Some(c) = openapi.components.as_mut() {
            for (name, prop, values) in &sets {
                if name.starts_with('/') {
                    continue;
                }
                // A list's item `XSummary` (no long texts) carries the closed sets of the full
                // record `XOut` it summarizes.
                let summary = name.strip_suffix("Out").map(|x| format!("{x}Summary"));
                let summary = summary.filter(|s| c.schemas.contains_key(s));
                assert!(c.schemas.contains_key(*name), "no schema {name}");
                for schema in std::iter::once(name.to_string()).chain(summary) {
                    let p = c
                        .schemas
                        .get_mut(&schema)
                        .and_then(|s| property_mut(s, prop));
                    set_enum(
                        p.unwrap_or_else(|| panic!("no property {schema}.{prop}")),
                        values,
                    );
                }
            }
            c.schemas
                .insert("ConsultedOffices".into(), consulted_schema().into());
            for name in ["RequestOut", "RequestSummary"] {
                let consulted = c
                    .schemas
                    .get_mut(name)
                    .and_then(|s| property_mut(s, "consulted"))
                    .unwrap_or_else(|| panic!("{name}.consulted"));
                *consulted = RefOr::Ref(Ref::from_schema_name("ConsultedOffices"));
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (_, op) in operations_mut(item) {
                for p in op.parameters.iter_mut().flatten() {
                    if p.parameter_in != ParameterIn::Query {
                        continue;
                    }
                    let schema = match p.name.as_str() {
                        "limit" => Some(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                                .minimum(Some(1))
                                .maximum(Some(crate::store::MAX_LIMIT as f64))
                                .default(Some(crate::store::DEFAULT_LIMIT.into())),
                        ),
                        "cursor" if path == "/api/v1/audit-events" => Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .pattern(Some("^(-?[0-9]{1,18})?$")),
                        ),
                        "cursor" => Some(ObjectBuilder::new().schema_type(Type::String).pattern(
                            Some("^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"),
                        )),
                        // A free text parameter: anything but NUL (`refuse_nul_in_url`: 400).
                        _ => match p.schema.as_mut() {
                            Some(RefOr::T(Schema::Object(o))) if o.pattern.is_none() => {
                                o.pattern = Some("^[^\\u0000]*$".into());
                                None
                            }
                            _ => None,
                        },
                    };
                    if let Some(b) = schema {
                        p.schema = Some(RefOr::T(Schema::Object(b.build())));
                    }
                    for (at, name, values) in &sets {
                        if at == path && *name == p.name {
                            if let Some(s) = p.schema.as_mut() {
                                set_enum(s, values);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A time field of a body (`api::time_field`): RFC 3339, in the years the server keeps
/// (`api::YEARS`, 1970 to 9999).
pub fn time_schema() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
            .pattern(Some("^(19[7-9][0-9]|[2-9][0-9]{3})-"))
            .description(Some("An RFC 3339 time in the years 1970 to 9999"))
            .build(),
    )
}

/// An optional calendar-date field of a body (`api::opt_date_field`): `YYYY-MM-DD`, an RFC 3339
/// time (its date in its own offset), or `null` or `""` for none.
pub fn optional_date_schema() -> Schema {
    Schema::OneOf(
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                    .pattern(Some("^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"))
                    .description(Some("A calendar date, no time of day and no zone")),
            )
            .item(time_schema())
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(0)),
            )
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    )
}

/// An optional time field of a body (`api::opt_time_field`): a time, or `null` or `""` for none.
pub fn optional_time_schema() -> Schema {
    Schema::OneOf(
        utoipa::openapi::schema::OneOfBuilder::new()
            .item(time_schema())
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(0)),
            )
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    )
}

/// What the server keeps of its OpenAPI document, made once from it: the JSON it serves at
/// `/api/openapi.json` and the path templates with their methods (for `Allow`). The document
/// itself, a tree of many small allocations (about 15 MB while it is built and serialized),
/// is dropped once these are made: it used to be kept once per HTTP worker for the Swagger UI.
struct Served {
    json: web::Bytes,
    table: Vec<(Vec<String>, Vec<&'static str>)>,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        let mut doc = ApiDoc::openapi();
        let json = serde_json::to_vec(&doc).expect("the OpenAPI document is JSON");
        let table = doc
            .paths
            .paths
            .iter_mut()
            .map(|(p, item)| {
                let segs = p.split('/').map(str::to_string).collect();
                let mut methods: Vec<&'static str> = operations_mut(item).map(|(m, _)| m).collect();
                if methods.contains(&"get") {
                    methods.push("head");
                }
                (segs, methods)
            })
            .collect();
        Served {
            json: web::Bytes::from(json),
            table,
        }
    })
}

/// The methods the document lists for a concrete request path (`{param}` matches one segment),
/// for a 405's `Allow` header; empty when no documented path matches.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    let table = &served().table;
    let segs: Vec<&str> = path.split('/').collect();
    let is_param = |t: &str| t.starts_with('{') && t.ends_with('}');
    // The templates the path matches, each with how many of its segments are parameters. As in
    // the router, a literal segment wins over a parameter: `/partner-grants/window-warnings` is
    // that route, not `/partner-grants/{id}`, so only the most literal matches count.
    let matching: Vec<(usize, &Vec<&'static str>)> = table
        .iter()
        .filter(|(template, _)| {
            template.len() == segs.len()
                && template
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| t == s || (is_param(t) && !s.is_empty()))
        })
        .map(|(template, methods)| (template.iter().filter(|t| is_param(t)).count(), methods))
        .collect();
    let fewest = matching.iter().map(|(n, _)| *n).min().unwrap_or(0);
    let mut out: Vec<&'static str> = Vec::new();
    for (_, methods) in matching.iter().filter(|(n, _)| *n == fewest) {
        for m in methods.iter() {
            if !out.contains(m) {
                out.push(m);
            }
        }
    }
    out
}

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
        api::auth::reset_request, api::auth::reset_confirm, api::auth::invitation, api::auth::accept_invitation,
        api::auth::create_api_token, api::auth::list_api_tokens, api::auth::revoke_api_token,
        api::sessions::list, api::sessions::end, api::notifications::get, api::notifications::put,
        api::mfa::status, api::mfa::start_totp, api::mfa::confirm_totp, api::mfa::remove_totp, api::mfa::login_mfa, api::mfa::step_up,
        api::webauthn::register_start, api::webauthn::register_finish, api::webauthn::remove,
        api::webauthn::login_start, api::webauthn::login_finish, api::webauthn::step_up_start, api::webauthn::step_up_finish,
        api::oidc::list, api::oidc::start, api::oidc::callback,
        api::organizations::my_org, api::organizations::patch_my_org, api::organizations::invite, api::organizations::patch_member, api::organizations::resend_member_invitation, api::organizations::revoke_member_invitation, api::organizations::directory,
        api::admin::create_org, api::admin::list_orgs, api::admin::patch_org, api::admin::list_users, api::admin::patch_user, api::admin::resend_invitation, api::admin::revoke_invitation, api::admin::verify_audit, api::admin::export_chain,
        api::audit::list, api::audit::export,
        api::models::list, api::models::create, api::models::get, api::models::patch, api::models::release,
        api::designations::list, api::designations::create, api::designations::get, api::designations::edit, api::designations::submit,
        api::designations::withdraw_request, api::designations::assign, api::designations::request_info, api::designations::respond,
        api::designations::consult, api::designations::determine, api::designations::list_messages, api::designations::post_message,
        api::terms::list, api::terms::create, api::terms::get, api::terms::acceptances,
        api::access_grants::list, api::access_grants::offer, api::access_grants::get, api::access_grants::patch, api::access_grants::end,
        api::access_grants::accept_terms, api::access_grants::acknowledge, api::access_grants::roster, api::access_grants::roster_add,
        api::access_grants::roster_remove, api::access_grants::log_list, api::access_grants::log_add, api::access_grants::own_log_export, api::access_grants::decline,
        api::access_grants::messages, api::access_grants::post_message,
        api::nominations::list, api::nominations::create, api::nominations::get, api::nominations::concur, api::nominations::decline,
        api::nominations::rescind,
        api::partner_grants::list, api::partner_grants::issue, api::partner_grants::window_warnings, api::partner_grants::get, api::partner_grants::patch, api::partner_grants::revoke,
        api::partner_grants::accept_terms, api::partner_grants::acknowledge, api::partner_grants::roster, api::partner_grants::roster_add,
        api::partner_grants::roster_remove, api::partner_grants::decline, api::partner_grants::messages, api::partner_grants::post_message,
    ),
    components(schemas(api::dto::Problem, api::dto::FieldErrorDto, api::dto::UserOut, api::dto::OrgOut)),
    modifiers(&Security, &Problems, &TextRules, &Params),
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
    // The UI fetches the document from its URL, served from the bytes made once ([`served`]).
    cfg.route(
        "/api/openapi.json",
        web::get().to(|| async {
            actix_web::HttpResponse::Ok()
                .content_type("application/json")
                .body(served().json.clone())
        }),
    )
    .service(
        SwaggerUi::new("/api/docs/{_:.*}")
            .config(utoipa_swagger_ui::Config::from("/api/openapi.json")),
    )
    .route(
        "/api/docs",
        web::get().to(|| async {
            actix_web::HttpResponse::Found()
                .insert_header(("Location", "/api/docs/"))
                .finish()
        }),
    );
}
