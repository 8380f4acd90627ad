//! Shared steps of the engagement workflow (DESIGN §2, §3, §5) used by the designation, grant,
//! nomination, gate and authorization tests. Each step asserts the status the contract gives a
//! successful call, so a test reads as the story it tells.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::*;

// ---------------------------------------------------------------- small readers

/// The `items` of a list answer.
pub fn items(r: &Resp) -> Vec<Value> {
    r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list answer {{items, next_cursor}}; got {}", r.text))
        .clone()
}

/// The ids of a list answer's items.
pub fn ids(r: &Resp) -> Vec<String> {
    items(r)
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Parses an RFC 3339 time member.
#[track_caller]
pub fn ts(v: &Value) -> DateTime<Utc> {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("an RFC 3339 string, got {v}"));
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s:?} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// A numeric member (days are numbers, possibly fractional).
#[track_caller]
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number, got {v}"))
}

#[track_caller]
pub fn assert_days(v: &Value, expected: f64) {
    let got = num(v);
    assert!(
        (got - expected).abs() < 0.011,
        "expected {expected} days, got {got}"
    );
}

/// Asserts the audit trail grew by exactly `n` events since `before`.
#[track_caller]
pub fn assert_events(before: i64, after: i64, n: i64, what: &str) {
    assert_eq!(
        after - before,
        n,
        "{what}: expected {n} new audit event(s), got {}",
        after - before
    );
}

/// Sec. 3(c): no answer to a developer may speak of waiting for the Government's approval.
/// A problem's `code`, `title` and `detail`, and any `status` member, must not mention approval,
/// waiting for the Government, preclearance, permits or licences; and nowhere in the answer may a state or phrase of the
/// "pending approval" kind appear. (A notice that says nothing *requires* approval is fine.)
#[track_caller]
pub fn no_gate(r: &Resp) {
    let mut short = Vec::new();
    for k in ["code", "title", "detail", "status"] {
        if let Some(v) = r.body.get(k).and_then(|v| v.as_str()) {
            short.push(v.to_lowercase());
        }
    }
    for s in &short {
        for bad in [
            "approv",
            "preclear",
            "permit",
            "licens",
            "government_review",
            "pending_government",
            "waiting for the government",
            "waiting for government",
            "waiting on the government",
            "wait for the government",
        ] {
            assert!(
                !s.contains(bad),
                "an answer to a developer mentions {bad:?} (Sec. 3(c) no mandatory gate): {}",
                r.text
            );
        }
    }
    let t = r.text.to_lowercase();
    for bad in [
        "pending_approval",
        "awaiting_approval",
        "waiting_for_approval",
        "pending approval",
        "awaiting approval",
        "waiting for approval",
        "waiting for government",
        "waiting for the government",
        "awaiting government",
        "awaiting the government",
        "requires approval",
        "needs approval",
        "until approved",
        "once approved",
    ] {
        assert!(
            !t.contains(bad),
            "an answer to a developer mentions {bad:?} (Sec. 3(c) no mandatory gate): {}",
            r.text
        );
    }
}

/// DESIGN §1: what a caller may not see answers exactly like what does not exist. `hidden` is
/// the answer to a body naming another organization's record, `missing` the answer to the same
/// body naming a random id: same status (404 or 422), code, detail and error fields.
#[track_caller]
pub fn same_as_missing(hidden: &Resp, missing: &Resp) {
    assert!(
        hidden.status == 404 || hidden.status == 422,
        "another org's record: {} {}",
        hidden.status,
        hidden.text
    );
    assert_eq!(
        (
            hidden.status,
            hidden.code(),
            hidden.body["detail"].clone(),
            hidden.fields()
        ),
        (
            missing.status,
            missing.code(),
            missing.body["detail"].clone(),
            missing.fields()
        ),
        "another org's record must answer like a missing one:\n{}\n{}",
        hidden.text,
        missing.text
    );
}

/// `body` with `key` set to a random id.
pub fn with_random(body: &Value, key: &str) -> Value {
    let mut b = body.clone();
    b[key] = json!(uuid::Uuid::new_v4().to_string());
    b
}

/// Posts a raw (possibly malformed) JSON text with the user's credentials.
pub async fn post_raw(u: &User, path: &str, text: &str) -> Resp {
    u.call_text(reqwest::Method::POST, path, Some(text)).await
}

// ---------------------------------------------------------------- terms

pub fn terms_body(label: &str) -> Value {
    json!({
        "label": label,
        "confidentiality": format!("{label} / confidentiality: outputs and weights stay confidential."),
        "cybersecurity": format!("{label} / cybersecurity: access only from accredited systems."),
        "insider_risk": format!("{label} / insider risk: named, vetted individuals only."),
        "intellectual_property": format!("{label} / intellectual property: no rights transfer."),
        "use": format!("{label} / use: evaluation of national security capabilities only."),
        "nondisclosure": format!("{label} / nondisclosure: no disclosure to third parties."),
    })
}

/// Publishes a terms version (a developer admin's own, or an operator's template).
pub async fn publish_terms(app: &TestApp, who: &User, label: &str) -> Value {
    who.post(&app.api("/terms"), terms_body(label))
        .await
        .expect(201)
        .body
}

// ---------------------------------------------------------------- models and requests

pub async fn new_model_with(app: &TestApp, dev: &User, body: Value) -> Value {
    dev.post(&app.api("/models"), body).await.expect(201).body
}

pub async fn new_model(app: &TestApp, dev: &User, name: &str) -> String {
    new_model_with(
        app,
        dev,
        json!({"name": name, "version": "1.0", "description": "A frontier model", "modality": "text"}),
    )
    .await["id"]
    .as_str()
    .unwrap()
    .to_string()
}

/// A new version of a model named `name` (a unique version string): a model version has one
/// open designation request at a time, so a test that files several open requests "on the same
/// model" files each on a version of its own.
pub async fn model_version(app: &TestApp, dev: &User, name: &str) -> String {
    let version = format!("v{}", uuid::Uuid::now_v7().simple());
    new_model_with(
        app,
        dev,
        json!({"name": name, "version": version, "description": "A frontier model", "modality": "text"}),
    )
    .await["id"]
    .as_str()
    .unwrap()
    .to_string()
}

pub async fn draft_request(app: &TestApp, dev: &User, model_id: &str) -> String {
    let r = dev
        .post(
            &app.api("/designation-requests"),
            json!({"model_id": model_id, "summary": "Is this model covered?", "capability_evidence": "Internal cyber evaluations: see attached summary."}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["status"], "draft", "{}", r.text);
    r.id()
}

pub fn dr(app: &TestApp, id: &str, action: &str) -> String {
    if action.is_empty() {
        app.api(&format!("/designation-requests/{id}"))
    } else {
        app.api(&format!("/designation-requests/{id}/{action}"))
    }
}

pub async fn submitted_request(app: &TestApp, dev: &User, model_id: &str) -> String {
    let id = draft_request(app, dev, model_id).await;
    let r = dev.post_empty(&dr(app, &id, "submit")).await.expect(200);
    assert_eq!(r.body["status"], "submitted", "{}", r.text);
    id
}

/// Moves a submitted request to `under_review` (an agency member assigns it to themself).
pub async fn assign_self(app: &TestApp, reviewer: &User, id: &str) -> Value {
    reviewer
        .post(&dr(app, id, "assign"), json!({}))
        .await
        .expect(200)
        .body
}

pub async fn determine(app: &TestApp, nsa: &User, id: &str, outcome: &str) -> Value {
    nsa.post(
        &dr(app, id, "determination"),
        json!({"outcome": outcome, "rationale": "Unclassified rationale shared with the developer.", "benchmark_ref": "BM-2026-017"}),
    )
    .await
    .expect(200)
    .body
}

// ---------------------------------------------------------------- government access grants

pub fn ag(app: &TestApp, id: &str, action: &str) -> String {
    if action.is_empty() {
        app.api(&format!("/access-grants/{id}"))
    } else {
        app.api(&format!("/access-grants/{id}/{action}"))
    }
}

pub fn grant_body(
    model_id: &str,
    grantee_org_ids: &[&str],
    terms_id: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Value {
    json!({
        "model_id": model_id,
        "grantee_org_ids": grantee_org_ids,
        "access_mode": "hosted_api",
        "access_instructions": "Endpoint https://eval.example/v1 ; key in the sealed envelope #42",
        "starts_at": rfc(starts_at),
        "ends_at": rfc(ends_at),
        "terms_version_id": terms_id,
    })
}

/// A developer admin offers a government grant; answers the 201 body.
pub async fn offer(
    app: &TestApp,
    dev: &User,
    model_id: &str,
    grantees: &[&User],
    terms_id: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Value {
    let orgs: Vec<&str> = grantees.iter().map(|g| g.org_id.as_str()).collect();
    dev.post(
        &app.api("/access-grants"),
        grant_body(model_id, &orgs, terms_id, starts_at, ends_at),
    )
    .await
    .expect(201)
    .body
}

/// The cast's usual window: the developer offers NSA days 1 to 5 of its model under its terms.
pub async fn offer_to_nsa(app: &TestApp, c: &Cast) -> Value {
    offer(
        app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(5),
    )
    .await
}

/// Every party accepts the terms (the developer admin and each grantee admin).
pub async fn accept_all(app: &TestApp, grant_id: &str, parties: &[&User]) -> Value {
    let mut last = Value::Null;
    for p in parties {
        last = p
            .post_empty(&ag(app, grant_id, "accept-terms"))
            .await
            .expect(200)
            .body;
    }
    last
}

pub async fn roster_add(admin: &User, base: &str, user_id: &str) -> Resp {
    admin
        .post(&format!("{base}/roster"), json!({"user_id": user_id}))
        .await
}

pub fn log_body(occurred_at: DateTime<Utc>) -> Value {
    json!({"occurred_at": rfc(occurred_at), "kind": "evaluation", "duration_minutes": 90, "summary": "Ran the cyber-offense evaluation suite."})
}

// ---------------------------------------------------------------- nominations and partner grants

pub fn nm(app: &TestApp, id: &str, action: &str) -> String {
    if action.is_empty() {
        app.api(&format!("/nominations/{id}"))
    } else {
        app.api(&format!("/nominations/{id}/{action}"))
    }
}

pub fn pg(app: &TestApp, id: &str, action: &str) -> String {
    if action.is_empty() {
        app.api(&format!("/partner-grants/{id}"))
    } else {
        app.api(&format!("/partner-grants/{id}/{action}"))
    }
}

pub async fn nominate(app: &TestApp, who: &User, model_id: &str, partner_org_id: &str) -> Value {
    let r = who
        .post(
            &app.api("/nominations"),
            json!({"model_id": model_id, "partner_org_id": partner_org_id, "rationale": "Operates critical infrastructure in a rural region."}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["status"], "pending", "{}", r.text);
    r.body
}

/// The developer nominates an existing partner and a Government admin concurs: `selected`.
pub async fn selected_nomination(
    app: &TestApp,
    dev: &User,
    gov_admin: &User,
    model_id: &str,
    partner_org_id: &str,
) -> String {
    let id = nominate(app, dev, model_id, partner_org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = gov_admin
        .post_empty(&nm(app, &id, "concur"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "selected", "{}", r.text);
    id
}

pub fn partner_grant_body(
    nomination_id: &str,
    terms_id: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Value {
    json!({
        "nomination_id": nomination_id,
        "starts_at": rfc(starts_at),
        "ends_at": rfc(ends_at),
        "terms_version_id": terms_id,
        "access_instructions": "Partner sandbox at https://partner.example ; credentials by phone",
    })
}

pub async fn issue_partner_grant(
    app: &TestApp,
    dev: &User,
    nomination_id: &str,
    terms_id: &str,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Value {
    dev.post(
        &app.api("/partner-grants"),
        partner_grant_body(nomination_id, terms_id, starts_at, ends_at),
    )
    .await
    .expect(201)
    .body
}

// ---------------------------------------------------------------- durable users

/// Browser sessions end after 15 idle minutes, and these tests move the clock by days: every
/// user acts through a personal API token (bearer, valid 365 days) instead of the cookie.
pub async fn keep(app: &TestApp, u: User) -> User {
    let t = u
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "workflow tests", "expires_in_days": 365}),
        )
        .await
        .expect(201);
    let mut client = Client::new(&app.base, false);
    client.bearer = Some(t.body["token"].as_str().unwrap().to_string());
    User { client, ..u }
}

pub async fn new_operator(app: &TestApp) -> User {
    let u = app.operator().await;
    keep(app, u).await
}

pub async fn agency_org(app: &TestApp, op: &User, code: &str) -> User {
    let u = app.agency(op, code).await;
    keep(app, u).await
}

pub async fn partner_org(app: &TestApp, op: &User, name: &str) -> User {
    let u = app.partner(op, name).await;
    keep(app, u).await
}

pub async fn developer(app: &TestApp, org: &str, email: &str) -> User {
    let u = app.signup_developer(org, email).await;
    keep(app, u).await
}

pub async fn colleague(app: &TestApp, admin: &User, email: &str, role: &str) -> User {
    let u = app.member(admin, email, role).await;
    keep(app, u).await
}

/// One developer with a model, the NSA and CISA offices (admins), an operator, a terms
/// template: the cast most tests start from.
pub struct Cast {
    pub op: User,
    pub dev: User,
    pub nsa: User,
    pub cisa: User,
    pub template: String,
    pub model: String,
}

pub async fn cast(app: &TestApp) -> Cast {
    let op = new_operator(app).await;
    let nsa = agency_org(app, &op, "NSA").await;
    let cisa = agency_org(app, &op, "CISA").await;
    let dev = developer(app, "Aurora AI Labs", "dana@aurora.example").await;
    let template = publish_terms(app, &op, "Standard Government evaluation terms").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let model = new_model(app, &dev, "Aurora-7").await;
    Cast {
        op,
        dev,
        nsa,
        cisa,
        template,
        model,
    }
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}
