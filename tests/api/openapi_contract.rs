//! The OpenAPI document (`/api/openapi.json`) is the contract every client is generated from:
//! these tests hold it to the server (issue 8, item 8). The document's own rules (unique
//! operationIds, problem+json errors, public routes without security, 401 wherever a credential
//! is needed), and the server's answers where the document alone could drift: every documented
//! operation is routed, needs a credential exactly when the document says so, a wrong method is
//! a 405 with `Allow`, HEAD answers as GET without a body. The bounded schemathesis run of
//! `make test-api-fuzz` checks the rest; each server fix it led to has its test here.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of the document: (method, path, operation object).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((m.to_string(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn is_public(op: &Value) -> bool {
    op.get("security") == Some(&json!([]))
}

fn has_param_in(op: &Value, place: &str) -> bool {
    op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == place))
}

/// A concrete path for a template: every `{param}` becomes a fresh id.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') {
                uuid::Uuid::now_v7().to_string()
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn document(app: &TestApp) -> Value {
    let r = app.anon.get("/api/openapi.json").await.expect(200);
    assert_eq!(r.body["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    r.body
}

async fn the_document_keeps_its_own_rules(app: TestApp) {
    let doc = document(&app).await;
    let ops = operations(&doc);
    assert!(ops.len() > 60, "{} operations", ops.len());
    assert!(
        doc["security"].as_array().is_some_and(|s| !s.is_empty()),
        "a global security requirement"
    );
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (method, path, op) in &ops {
        let at = format!("{} {path}", method.to_uppercase());
        match op["operationId"].as_str() {
            Some(id) => ids.entry(id.to_string()).or_default().push(at.clone()),
            None => problems.push(format!("{at}: no operationId")),
        }
        let responses = op["responses"].as_object().expect("responses");
        for (status, resp) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let content = resp["content"].as_object();
                let only_problem = content.is_some_and(|c| {
                    c.len() == 1
                        && c.get("application/problem+json")
                            .is_some_and(|m| m["schema"]["$ref"] == "#/components/schemas/Problem")
                });
                if !only_problem {
                    problems.push(format!(
                        "{at} {status}: content {:?} is not application/problem+json with the Problem schema",
                        content.map(|c| c.keys().collect::<Vec<_>>())
                    ));
                }
            }
        }
        let documents = |s: &str| responses.contains_key(s);
        let public = is_public(op);
        if !public {
            if op.get("security").is_some() {
                problems.push(format!("{at}: needs a credential but overrides security"));
            }
            if !documents("401") {
                problems.push(format!(
                    "{at}: needs a credential but does not document 401"
                ));
            }
        }
        if path.starts_with("/api/v1/") && !documents("400") {
            problems.push(format!("{at}: does not document 400"));
        }
        if op.get("requestBody").is_some() {
            for s in ["413", "415", "422"] {
                if !documents(s) {
                    problems.push(format!("{at}: takes a JSON body but does not document {s}"));
                }
            }
        }
        if has_param_in(op, "query") && !documents("422") {
            problems.push(format!(
                "{at}: takes query parameters but does not document 422"
            ));
        }
        if has_param_in(op, "path") && !documents("404") {
            problems.push(format!(
                "{at}: has path parameters but does not document 404"
            ));
        }
    }
    for (id, at) in &ids {
        if at.len() > 1 {
            problems.push(format!("operationId {id} repeats: {at:?}"));
        }
    }
    let public: Vec<String> = ops
        .iter()
        .filter(|(_, _, op)| is_public(op))
        .map(|(m, p, _)| format!("{} {p}", m.to_uppercase()))
        .collect();
    assert_eq!(
        public,
        [
            "GET /api/v1/auth/invitations/{token}",
            "POST /api/v1/auth/invitations/{token}/accept",
            "POST /api/v1/auth/login",
            // The code step of sign-in: the pending cookie is its credential (DESIGN §7).
            "POST /api/v1/auth/login/mfa",
            // The passkey step of sign-in, likewise.
            "POST /api/v1/auth/login/webauthn/finish",
            "POST /api/v1/auth/login/webauthn/start",
            "GET /api/v1/auth/oidc",
            "GET /api/v1/auth/oidc/{provider}/callback",
            "GET /api/v1/auth/oidc/{provider}/start",
            "POST /api/v1/auth/password-reset/confirm",
            "POST /api/v1/auth/password-reset/request",
            "POST /api/v1/auth/signup",
            "POST /api/v1/auth/verify-email",
            "GET /healthz",
            "GET /metrics",
            "GET /readyz",
        ],
        "the public operations"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What the document says about credentials is what the server does: without one, every
/// operation that has security answers 401 `unauthenticated`, and no public one does. With one,
/// no documented operation meets the fallback (404 "no API route", 405): each is routed.
async fn every_operation_needs_a_credential_exactly_when_documented(app: TestApp) {
    let doc = document(&app).await;
    let op_user = app.operator().await;
    for (method, path, op) in operations(&doc) {
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let url = concrete(&path);
        let body = op.get("requestBody").map(|_| json!({}));
        let anon = app.anon.call(m.clone(), &url, body.clone()).await;
        if is_public(&op) {
            assert_ne!(anon.status, 401, "{method} {path} is public: {}", anon.text);
        } else {
            let anon = anon;
            assert_eq!(
                (anon.status.as_u16(), anon.code()),
                (401, "unauthenticated"),
                "{method} {path} without a credential: {}",
                anon.text
            );
        }
        let r = op_user.call(m, &url, body).await;
        let unrouted = r.code() == "method_not_allowed"
            || r.body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("There is no API route"));
        assert!(!unrouted, "{method} {path} is not routed: {}", r.text);
    }
}

async fn a_wrong_method_on_a_known_path_is_405_with_allow(app: TestApp) {
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/models", "GET, POST, HEAD"),
        (Method::DELETE, "/api/v1/auth/login", "POST"),
        (Method::POST, "/healthz", "GET, HEAD"),
        (
            Method::OPTIONS,
            "/api/v1/access-grants/0190a000-0000-7000-8000-000000000000/roster",
            "GET, POST, HEAD",
        ),
        (Method::GET, "/api/v1/partner-grants/x/roster/y", "DELETE"),
        // A literal route beside a parameter one: its own methods only, not those of
        // `/partner-grants/{id}` (which the path also fits, as the router does not take it).
        (
            Method::OPTIONS,
            "/api/v1/partner-grants/window-warnings",
            "GET, HEAD",
        ),
    ] {
        let r = app.anon.call(method.clone(), path, None).await;
        let r = r.problem(405, "method_not_allowed");
        assert_eq!(
            r.headers.get("allow").and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
    }
    // Unknown paths stay 404 problems, under /api/v1/auth like everywhere else in /api.
    for path in ["/api/v1/auth/nope", "/api/v1/nope", "/api/v1/models/x/nope"] {
        let r = app.anon.get(path).await.problem(404, "not_found");
        assert!(r.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("There is no API route"));
    }
}

async fn head_answers_as_get_without_a_body(app: TestApp) {
    let op = app.operator().await;
    for path in ["/healthz", "/readyz", "/api/v1/models", "/api/v1/auth/me"] {
        let get = op.get(path).await.expect(200);
        let head = op.call(Method::HEAD, path, None).await.expect(200);
        assert_eq!(head.text, "", "HEAD {path} has no body");
        assert_eq!(
            head.headers.get("content-type"),
            get.headers.get("content-type"),
            "HEAD {path}"
        );
    }
    let r = app.anon.call(Method::HEAD, "/api/v1/models", None).await;
    assert_eq!(r.status, 401);
}

/// The schema of `DELETE …/roster/{user_id}` is the removed entry; a repeat (idempotent, DESIGN
/// §2.7) answered `{"status": "already_removed"}`, which that schema does not allow. Now it
/// answers the same entry again, and the grant's audit trail records one removal.
async fn a_repeated_roster_removal_answers_the_removed_entry(app: TestApp) {
    let c = cast(&app).await;
    let a1 = colleague(&app, &c.nsa, "a1@nsa.example", "member").await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    let base = ag(&app, &id, "");
    let r = roster_add(&c.nsa, &base, &a1.id).await;
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    let path = ag(&app, &id, &format!("roster/{}", a1.id));
    let first = c.dev.delete(&path).await.expect(200);
    assert_eq!(first.body["user_id"], a1.id.as_str());
    assert!(first.body["removed_at"].is_string(), "{}", first.text);
    let before = app.audit_count().await;
    let again = c.dev.delete(&path).await.expect(200);
    assert_eq!(again.body, first.body, "a repeat answers the same entry");
    assert_eq!(app.audit_count().await, before, "a repeat changes nothing");
    // Someone who was never on the roster is still a 404.
    c.dev
        .delete(&ag(&app, &id, &format!("roster/{}", c.nsa.id)))
        .await
        .problem(404, "not_found");
}

/// JSON Schema's `integer` includes `90.0`; serde's `i64` refused it (422 "invalid type:
/// floating point"). Integral numbers are now read as integers, fractions still refused.
async fn an_integral_float_is_an_integer(app: TestApp) {
    let op = app.operator().await;
    let r = op
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "ci", "expires_in_days": 30.0}),
        )
        .await
        .expect(201);
    let days = (ts(&r.body["expires_at"]) - ts(&r.body["created_at"])).num_days();
    assert_eq!(days, 30);
    let r = op
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "ci", "expires_in_days": 30.5}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["expires_in_days"]);
}

/// Every request body is a JSON object; serde's derived impls read an array as the fields in
/// order, so `PATCH /models/{id}` with `[null, null]` answered 200. Now: 422 on `body`, and a
/// nested object (`new_partner`) given as an array is refused the same way.
async fn a_body_that_is_not_an_object_is_refused(app: TestApp) {
    let c = cast(&app).await;
    let path = app.api(&format!("/models/{}", c.model));
    for body in ["[null, null]", "[]", "\"x\"", "5", "null"] {
        let r = c
            .dev
            .call_text(Method::PATCH, &path, Some(body))
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), ["body"], "{body}: {}", r.text);
    }
    c.dev.patch(&path, json!({})).await.expect(200);
    let r = c
        .nsa
        .post(
            &app.api("/nominations"),
            json!({"model_id": c.model, "rationale": "r",
                   "new_partner": ["Valley", "other", null, "a@b.example"]}),
        )
        .await
        .problem(422, "validation_failed");
    assert!(
        r.fields().iter().any(|f| f.starts_with("new_partner")),
        "{}",
        r.text
    );
}

/// `maxLength` counts the value as sent; the server counted it after trimming, so 201
/// characters with a space at the end were accepted where the schema says at most 200.
async fn a_length_limit_counts_the_value_as_sent(app: TestApp) {
    let c = cast(&app).await;
    let path = app.api(&format!("/models/{}", c.model));
    let r = c
        .dev
        .patch(&path, json!({"name": format!("{} ", "n".repeat(200))}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["name"]);
    let r = c
        .dev
        .patch(&path, json!({"name": format!(" {} ", "n".repeat(198))}))
        .await
        .expect(200);
    assert_eq!(r.body["name"], "n".repeat(198), "still trimmed");
    // The document says the same.
    let doc = document(&app).await;
    let name = &doc["components"]["schemas"]["PatchModel"]["properties"]["name"];
    assert_eq!(name["maxLength"], 200);
    assert_eq!(name["minLength"], 1);
}

/// Checks `v` against `schema` as far as closed sets go: every string the document gives an
/// `enum` for must be one of its values. Records each `Schema.property` with an `enum` that a
/// value reached, so the caller can tell which sets the walk covered.
fn check_enums(
    doc: &Value,
    schema: &Value,
    v: &Value,
    at: &str,
    seen: &mut std::collections::BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "{at}: dangling {r}");
        return check_enums(doc, target, v, name, seen, problems);
    }
    if let Some(values) = schema["enum"].as_array() {
        seen.insert(at.to_string());
        if !values.contains(v) {
            problems.push(format!(
                "{at}: the server sent {v}, the document allows {values:?}"
            ));
        }
    }
    if let Some(parts) = schema["allOf"].as_array() {
        for p in parts {
            check_enums(doc, p, v, at, seen, problems);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(parts) = schema[key].as_array() {
            if v.is_null() {
                continue;
            }
            // The value must fit one of the parts (the null part aside).
            let mut best: Option<(std::collections::BTreeSet<String>, Vec<String>)> = None;
            for p in parts.iter().filter(|p| p["type"] != "null") {
                let (mut s, mut pr) = (std::collections::BTreeSet::new(), Vec::new());
                check_enums(doc, p, v, at, &mut s, &mut pr);
                if best.as_ref().is_none_or(|(_, b)| pr.len() < b.len()) {
                    best = Some((s, pr));
                }
            }
            if let Some((s, pr)) = best {
                seen.extend(s);
                problems.extend(pr);
            }
        }
    }
    // `at` is `Schema` at a component and `Schema.property` below it.
    let owner = at.split('.').next().unwrap();
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), v.as_object()) {
        for (k, sub) in props {
            if let Some(x) = obj.get(k) {
                check_enums(doc, sub, x, &format!("{owner}.{k}"), seen, problems);
            }
        }
    }
    if let (false, Some(items)) = (schema["items"].is_null(), v.as_array()) {
        for x in items {
            check_enums(doc, &schema["items"], x, at, seen, problems);
        }
    }
}

/// The document states every closed set the server sends, and the server sends nothing
/// outside it: a walk through real answers of every kind (each status, kind, code, position a
/// response carries) checks each value against the document's `enum` for it, and that the
/// walk reached every response property with a closed set.
async fn every_closed_set_the_server_sends_is_in_the_document(app: TestApp) {
    let doc = document(&app).await;
    let c = cast(&app).await;
    let partner = partner_org(&app, &c.op, "Rural Health Co-op").await;
    let ncd = agency_org(&app, &c.op, "NCD").await;
    // A released model, and a designation request through every kind of message, a
    // consultation and the determination; a second request left submitted.
    let released = new_model(&app, &c.dev, "Aurora-6").await;
    c.dev
        .post_empty(&app.api(&format!("/models/{released}/release")))
        .await
        .expect(200);
    let req = submitted_request(&app, &c.dev, &c.model).await;
    submitted_request(&app, &c.dev, &released).await;
    assign_self(&app, &c.nsa, &req).await;
    c.nsa
        .post(
            &dr(&app, &req, "request-info"),
            json!({"message": "Which harness?"}),
        )
        .await
        .expect(200);
    c.dev
        .post(
            &dr(&app, &req, "respond"),
            json!({"message": "The public one."}),
        )
        .await
        .expect(200);
    c.dev
        .post(&dr(&app, &req, "messages"), json!({"body": "Thanks."}))
        .await
        .expect(201);
    ncd.post(
        &dr(&app, &req, "consultations"),
        json!({"agency_code": "NCD", "position": "non_concur", "note": "More evidence, please."}),
    )
    .await
    .expect(201);
    determine(&app, &c.nsa, &req, "covered").await;
    // A Government grant, accepted, rostered and used; a partner selected and granted.
    let grant = offer_to_nsa(&app, &c).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    accept_all(&app, &grant, &[&c.dev, &c.nsa]).await;
    let base = ag(&app, &grant, "");
    roster_add(&c.nsa, &base, &c.nsa.id).await.expect(201);
    c.nsa
        .post_empty(&ag(&app, &grant, "acknowledge"))
        .await
        .expect(200);
    app.advance(days(1) + chrono::Duration::hours(2));
    let occurred = app.now() - chrono::Duration::minutes(30);
    c.nsa
        .post(&ag(&app, &grant, "access-log"), log_body(occurred))
        .await
        .expect(201);
    let nomination = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &partner.org_id).await;
    let pgrant = issue_partner_grant(
        &app,
        &c.dev,
        &nomination,
        &c.template,
        app.now() + days(1),
        app.now() + days(3),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Overlapping the first and longer than 90 days: the developer's answer carries warnings.
    let warned = issue_partner_grant(
        &app,
        &c.dev,
        &nomination,
        &c.template,
        app.now() + days(2),
        app.now() + days(100),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    nominate(&app, &c.nsa, &released, &partner.org_id).await;
    partner
        .post(
            &pg(&app, &pgrant, "messages"),
            json!({"body": "A question."}),
        )
        .await
        .expect(201);

    c.dev
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "walk", "scope": "read"}),
        )
        .await
        .expect(201);
    let missing = uuid::Uuid::now_v7().to_string();
    let walk: Vec<(&User, &str, String)> = vec![
        (&c.dev, "/api/v1/auth/me", String::new()),
        (&c.dev, "/api/v1/auth/api-tokens", String::new()),
        (&c.dev, "/api/v1/auth/sessions", String::new()),
        (&c.dev, "/api/v1/organizations/me", String::new()),
        (&c.dev, "/api/v1/organizations", String::new()),
        (&c.nsa, "/api/v1/organizations", String::new()),
        (&c.op, "/api/v1/admin/organizations", String::new()),
        (&c.op, "/api/v1/admin/users", String::new()),
        (&c.dev, "/api/v1/models", String::new()),
        (&c.dev, "/api/v1/models/{id}", released.clone()),
        (&c.dev, "/api/v1/models/{id}", missing.clone()),
        (&c.dev, "/api/v1/designation-requests", String::new()),
        (&c.nsa, "/api/v1/designation-requests/{id}", req.clone()),
        (
            &c.dev,
            "/api/v1/designation-requests/{id}/messages",
            req.clone(),
        ),
        (&c.dev, "/api/v1/access-grants", String::new()),
        (&c.nsa, "/api/v1/access-grants/{id}", grant.clone()),
        (
            &c.dev,
            "/api/v1/access-grants/{id}/access-log",
            grant.clone(),
        ),
        (&c.dev, "/api/v1/access-grants/{id}/roster", grant.clone()),
        (&c.dev, "/api/v1/access-grants/{id}/messages", grant.clone()),
        (
            &c.dev,
            "/api/v1/partner-grants/{id}/messages",
            pgrant.clone(),
        ),
        (&c.dev, "/api/v1/terms/{id}/acceptances", c.template.clone()),
        (&c.dev, "/api/v1/nominations", String::new()),
        (&c.nsa, "/api/v1/nominations/{id}", nomination.clone()),
        (&c.dev, "/api/v1/partner-grants", String::new()),
        (&partner, "/api/v1/partner-grants/{id}", pgrant.clone()),
        (&c.dev, "/api/v1/partner-grants/{id}", warned.clone()),
        (&c.dev, "/api/v1/audit-events", String::new()),
        (&c.op, "/api/v1/audit-events", String::new()),
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut problems = Vec::new();
    for (who, template, id) in &walk {
        let r = who.get(&template.replace("{id}", id)).await;
        let status = r.status.as_u16().to_string();
        let response = &doc["paths"][template]["get"]["responses"][&status];
        let Some((_, media)) = response["content"]
            .as_object()
            .and_then(|c| c.iter().next())
        else {
            panic!("GET {template} {status} is not documented: {}", r.text);
        };
        let before = problems.len();
        check_enums(
            &doc,
            &media["schema"],
            &r.body,
            template,
            &mut seen,
            &mut problems,
        );
        for p in &mut problems[before..] {
            *p = format!("GET {template} {status}: {p}");
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every response property the document gives a closed set was reached.
    let expected = [
        "AccessGrantOut.access_mode",
        "AccessGrantOut.status",
        "AccessGrantSummary.access_mode",
        "AccessGrantSummary.status",
        "AccessLogOut.kind",
        "AdminUser.organization_kind",
        "AdminUser.status",
        "ApiTokenOut.scope",
        "AuditEventOut.action",
        "ConsultationOut.agency_code",
        "ConsultationOut.position",
        "DeterminationOut.outcome",
        "DeterminationSummary.outcome",
        "GrantMessageOut.side",
        "GranteeOut.agency_code",
        "MeUser.org_role",
        "MemberOut.status",
        "MessageOut.kind",
        "ModelOut.status",
        "ModelSummary.status",
        "NominationOut.developer_position",
        "NominationOut.government_position",
        "NominationOut.nominated_by",
        "NominationOut.partner_type",
        "NominationOut.sector",
        "NominationOut.status",
        "NominationSummary.developer_position",
        "NominationSummary.government_position",
        "NominationSummary.nominated_by",
        "NominationSummary.partner_type",
        "NominationSummary.sector",
        "NominationSummary.status",
        "OrgOut.agency_code",
        "OrgOut.kind",
        "OrgOut.partner_type",
        "OrgOut.sector",
        "PartnerGrantOut.status",
        "PartnerGrantSummary.status",
        "Problem.code",
        "RequestOut.status",
        "RequestSummary.status",
        "TermsAcceptanceOut.grant_type",
        "TermsAcceptanceOut.scope",
        "UserOut.org_role",
        "WarningOut.code",
    ];
    let missed: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|k| !seen.contains(*k))
        .collect();
    assert!(
        missed.is_empty(),
        "the walk never reached {missed:?}; it saw {seen:?}"
    );
    // And no response schema states a closed set this test does not know about.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, s) in schemas {
        let props = s["properties"].as_object().into_iter().flatten().chain(
            s["allOf"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["properties"].as_object())
                .flatten(),
        );
        for (k, p) in props {
            let key = format!("{name}.{k}");
            let response =
                name.ends_with("Out") || name.ends_with("Summary") || seen.contains(&key);
            if response && p["enum"].is_array() {
                assert!(
                    expected.contains(&key.as_str()),
                    "{key} has an enum the walk does not check"
                );
            }
        }
    }
}

dual_tests!(
    every_closed_set_the_server_sends_is_in_the_document,
    a_repeated_roster_removal_answers_the_removed_entry,
    an_integral_float_is_an_integer,
    a_body_that_is_not_an_object_is_refused,
    a_length_limit_counts_the_value_as_sent,
    the_document_keeps_its_own_rules,
    every_operation_needs_a_credential_exactly_when_documented,
    a_wrong_method_on_a_known_path_is_405_with_allow,
    head_answers_as_get_without_a_body,
);
