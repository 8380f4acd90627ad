//! The authorization matrix: one row per route of DESIGN §3, one column per kind of caller, the
//! expected answer in each cell (DESIGN §1: anonymous → 401; a record the caller may not see →
//! 404, exactly like a missing one; visible but not permitted → 403; `Ok` = anything else, i.e.
//! the caller got past authorization: 2xx, or a 409/422 about the body or the state).
//!
//! A setup builds one record of each kind owned by developer A: a model, a submitted
//! designation request, a terms version, a government access grant to the NSA, a nomination of
//! partner X that both sides selected, and a partner grant to X. Every cell is then called.
//! Within a row the refused cells run first, so the allowed callers (which may change the
//! record's state) cannot influence them; the rows that end a record's life run last.
//!
//! `openapi_routes_are_all_in_the_matrix` fails when the OpenAPI document lists a route that has
//! no row here: adding a route without deciding who may call it breaks the build.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    authorization_matrix,
    openapi_routes_are_all_in_the_matrix,
    matrix_routes_are_all_in_the_openapi_document,
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exp {
    /// Past authorization: any status but 401/403/404 (and not a 5xx or 405).
    Ok,
    /// 403: the caller sees the record but may not do this.
    Forbidden,
    /// 404: the caller may not see the record (or the route does not exist for it).
    NotFound,
    /// 401: not signed in.
    Unauth,
}

const O: Exp = Exp::Ok;
const F: Exp = Exp::Forbidden;
const N: Exp = Exp::NotFound;
const U: Exp = Exp::Unauth;

/// The columns, in order.
const CALLERS: [&str; 8] = [
    "anonymous",
    "developer A (owner, admin)",
    "developer B (admin)",
    "NSA reviewer (admin of the grantee agency, rostered)",
    "CISA reviewer (member)",
    "partner X (admin, grantee of the partner grant, rostered)",
    "partner Y (admin)",
    "operator",
];

enum Body {
    None,
    Json(fn(&Fx) -> Value),
}

struct Row {
    method: &'static str,
    /// Path template; `{name}` is replaced from the fixture, a query string is allowed.
    path: &'static str,
    body: Body,
    /// Sign in afresh for each cell (for routes that end the session).
    fresh: bool,
    expect: [Exp; 8],
}

const fn r(method: &'static str, path: &'static str, body: Body, expect: [Exp; 8]) -> Row {
    Row {
        method,
        path,
        body,
        fresh: false,
        expect,
    }
}

use Body::{Json as J, None as E};

// DESIGN §1 notes that shape the cells:
// - a body that names another organization's record (developer B posting with A's model or
//   nomination) is past authorization for the collection; it is refused like a body naming a
//   nonexistent id (a 422 on the field, identical to the missing-id answer: checked by
//   `same_as_missing` in the workflow tests), so those cells are `O`;
// - agencies see partner grants' metadata, but a partner grant's roster and every act on it
//   belong to its parties (the developer and the partner): `F` for agencies;
// - a grant's message thread is its parties' alone: agencies that see a partner grant's
//   metadata, and agencies that are not grantees of an access grant, get `N` like everyone else;
// - an office records only its own consultation: the row's body names CISA, so NSA gets `F`.
#[rustfmt::skip]
static MATRIX: &[Row] = &[
    // Columns:                                                                  anon A  B  NSA CISA X  Y  op
    // ------------------------------------------------------------ accounts
    r("POST", "/api/v1/auth/signup", J(|_| json!({})),                                  [O, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/verify-email", J(|_| json!({"token": "not-a-token", "password": "x"})), [O, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/login", J(|_| json!({})),                                   [O, O, O, O, O, O, O, O]),
    Row { method: "POST", path: "/api/v1/auth/logout", body: E, fresh: true, expect:    [U, O, O, O, O, O, O, O] },
    r("GET", "/api/v1/auth/me", E,                                                      [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/password-reset/request", J(|_| json!({"email": "nobody@nowhere.example"})), [O, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/password-reset/confirm", J(|_| json!({"token": "not-a-token", "new_password": "x"})), [O, O, O, O, O, O, O, O]),
    // A token that is not a usable invitation answers 404 to everyone (operator.rs shows a real one).
    r("GET", "/api/v1/auth/invitations/{token}", E,                                     [N, N, N, N, N, N, N, N]),
    r("POST", "/api/v1/auth/invitations/{token}/accept", J(|_| json!({"name": "x", "password": "y"})), [O, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/api-tokens", J(|_| json!({"name": ""})),                   [U, O, O, O, O, O, O, O]),
    r("GET", "/api/v1/auth/api-tokens", E,                                              [U, O, O, O, O, O, O, O]),
    r("DELETE", "/api/v1/auth/api-tokens/{api_token}", E,                               [U, O, N, N, N, N, N, N]),
    r("GET", "/api/v1/auth/sessions", E,                                                [U, O, O, O, O, O, O, O]),
    r("DELETE", "/api/v1/auth/sessions/{api_token}", E,                                 [U, O, N, N, N, N, N, N]),
    // Every signed-in person has their own email settings (notifications.rs checks what each
    // kind is offered and that a read token cannot change them).
    r("GET", "/api/v1/auth/notifications", E,                                           [U, O, O, O, O, O, O, O]),
    r("PUT", "/api/v1/auth/notifications", J(|_| json!({"disabled": []})),              [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/login/mfa", J(|_| json!({})),                               [O, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/step-up", J(|_| json!({})),                                 [U, O, O, O, O, O, O, O]),
    r("GET", "/api/v1/auth/mfa", E,                                                     [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/mfa/totp", E,                                               [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/mfa/totp/confirm", J(|_| json!({"code": "000000"})),        [U, O, O, O, O, O, O, O]),
    // Single sign-on: the provider list is public; an unconfigured provider answers 404 to
    // everyone (sso.rs drives a configured one end to end).
    r("GET", "/api/v1/auth/oidc", E,                                                    [O, O, O, O, O, O, O, O]),
    r("GET", "/api/v1/auth/oidc/{provider}/start", E,                                   [N, N, N, N, N, N, N, N]),
    r("GET", "/api/v1/auth/oidc/{provider}/callback", E,                                [N, N, N, N, N, N, N, N]),
    r("POST", "/api/v1/auth/login/webauthn/start", E,                                   [O, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/login/webauthn/finish", J(|_| json!({})),                   [O, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/step-up/webauthn/start", E,                                 [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/step-up/webauthn/finish", J(|_| json!({})),                 [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/mfa/webauthn/register/start", E,                            [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/auth/mfa/webauthn/register/finish", J(|_| json!({})),            [U, O, O, O, O, O, O, O]),
    // Whose passkey it is (another user's id answers 404) is tested in passkeys.rs.
    r("DELETE", "/api/v1/auth/mfa/webauthn/{passkey}", E,                               [U, N, N, N, N, N, N, N]),
    // ------------------------------------------------------------ organizations
    r("GET", "/api/v1/organizations/me", E,                                             [U, O, O, O, O, O, O, O]),
    r("PATCH", "/api/v1/organizations/me", J(|_| json!({"mfa_required": false})),       [U, O, O, O, F, O, O, O]),
    r("POST", "/api/v1/organizations/me/invitations", J(|_| json!({"email": "", "org_role": "member"})), [U, O, O, O, F, O, O, O]),
    // A person of another organization is 404 (the fixture is CISA's member); a member of the
    // organization may see the person but not act (403); an active person has no invitation (409).
    r("PATCH", "/api/v1/organizations/me/members/{cisa_user}", J(|_| json!({"org_role": "owner"})), [U, N, N, N, F, N, N, N]),
    r("POST", "/api/v1/organizations/me/members/{cisa_user}/invitation", E,             [U, N, N, N, F, N, N, N]),
    r("DELETE", "/api/v1/organizations/me/members/{cisa_user}/invitation", E,           [U, N, N, N, F, N, N, N]),
    r("GET", "/api/v1/organizations?kind=partner", E,                                   [U, O, O, O, O, F, F, O]),
    // ------------------------------------------------------------ operators (others: the admin surface does not exist)
    r("POST", "/api/v1/admin/organizations", J(|_| json!({"kind": "partner", "name": "", "admin_email": "bad"})), [U, N, N, N, N, N, N, O]),
    r("GET", "/api/v1/admin/organizations", E,                                         [U, N, N, N, N, N, N, O]),
    r("GET", "/api/v1/admin/users", E,                                                  [U, N, N, N, N, N, N, O]),
    r("PATCH", "/api/v1/admin/users/{user}", J(|_| json!({"disabled": false})),         [U, N, N, N, N, N, N, O]),
    r("POST", "/api/v1/admin/users/{user}/invitation", E,                               [U, N, N, N, N, N, N, O]),
    r("DELETE", "/api/v1/admin/users/{user}/invitation", E,                             [U, N, N, N, N, N, N, O]),
    r("PATCH", "/api/v1/admin/organizations/{y_org}", J(|_| json!({"name": ""})),       [U, N, N, N, N, N, N, O]),
    r("GET", "/api/v1/admin/audit/verify", E,                                           [U, N, N, N, N, N, N, O]),
    r("GET", "/api/v1/admin/audit/chain?format=json", E,                                [U, N, N, N, N, N, N, O]),
    // ------------------------------------------------------------ audit
    r("GET", "/api/v1/audit-events?target_id={model}", E,                               [U, O, O, O, O, O, O, O]),
    r("GET", "/api/v1/audit-events/export?format=json", E,                              [U, O, O, O, O, O, O, O]),
    // ------------------------------------------------------------ terms
    r("GET", "/api/v1/terms", E,                                                        [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/terms", J(|_| terms_body("Matrix terms")),                       [U, O, O, F, F, F, F, O]),
    r("GET", "/api/v1/terms/{terms}", E,                                                [U, O, N, N, N, N, N, N]),
    // The acceptance record: the owner only (templates: each developer its own grants; operators never).
    r("GET", "/api/v1/terms/{terms}/acceptances", E,                                    [U, O, N, N, N, N, N, N]),
    // ------------------------------------------------------------ models
    r("GET", "/api/v1/models", E,                                                       [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/models", J(|_| json!({"name": "Matrix", "version": "1"})),       [U, O, O, F, F, F, F, F]),
    r("GET", "/api/v1/models/{model}", E,                                               [U, O, N, N, N, N, N, N]),
    r("PATCH", "/api/v1/models/{model}", J(|_| json!({"description": "edited"})),       [U, O, N, N, N, N, N, N]),
    // ------------------------------------------------------------ designation requests
    r("GET", "/api/v1/designation-requests", E,                                         [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/designation-requests", J(|f| json!({"model_id": f.id("model"), "summary": "s", "capability_evidence": "e"})), [U, O, O, F, F, F, F, F]),
    r("GET", "/api/v1/designation-requests/{request}", E,                               [U, O, N, O, O, N, N, N]),
    // The fixture is submitted: its developer gets past authorization (a 409: only drafts).
    r("PATCH", "/api/v1/designation-requests/{request}", J(|_| json!({"summary": "edited"})), [U, O, N, F, F, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/submit", E,                       [U, O, N, F, F, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/assign", J(|_| json!({})),        [U, F, N, O, O, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/request-info", J(|_| json!({"message": "More, please."})), [U, F, N, O, O, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/respond", J(|_| json!({"message": "Here."})), [U, O, N, F, F, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/consultations", J(|_| json!({"agency_code": "CISA", "position": "concur", "note": "n"})), [U, F, N, F, O, N, N, N]),
    r("GET", "/api/v1/designation-requests/{request}/messages", E,                      [U, O, N, O, O, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/messages", J(|_| json!({"body": "hello"})), [U, O, N, O, O, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/determination", J(|_| json!({"outcome": "not_covered", "rationale": "r", "benchmark_ref": "b"})), [U, F, N, O, F, N, N, N]),
    // ------------------------------------------------------------ government access grants (to the NSA)
    r("GET", "/api/v1/access-grants", E,                                                [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/access-grants", J(|f| grant_body(f.id("model"), &[f.id("nsa_org")], f.id("template"), t0() + days(20), t0() + days(21))), [U, O, O, F, F, F, F, F]),
    r("GET", "/api/v1/access-grants/{grant}", E,                                        [U, O, N, O, N, N, N, N]),
    r("PATCH", "/api/v1/access-grants/{grant}", J(|f| json!({"ends_at": f.id("grant_ends_at")})), [U, O, N, F, N, N, N, N]),
    r("POST", "/api/v1/access-grants/{grant}/accept-terms", E,                          [U, O, N, O, N, N, N, N]),
    r("POST", "/api/v1/access-grants/{grant}/acknowledge", E,                           [U, F, N, O, N, N, N, N]),
    // The grantee's own choice: the developer never declines for it (403); NSA has accepted,
    // so its call is past authorization (a 409).
    r("POST", "/api/v1/access-grants/{grant}/decline", J(|_| json!({"reason": "r"})),  [U, F, N, O, N, N, N, N]),
    r("GET", "/api/v1/access-grants/{grant}/roster", E,                                 [U, O, N, O, N, N, N, N]),
    r("POST", "/api/v1/access-grants/{grant}/roster", J(|f| json!({"user_id": f.id("nsa_user")})), [U, F, N, O, N, N, N, N]),
    r("GET", "/api/v1/access-grants/{grant}/access-log", E,                             [U, O, N, O, N, N, N, N]),
    r("POST", "/api/v1/access-grants/{grant}/access-log", J(|_| log_body(t0())),        [U, F, N, O, N, N, N, N]),
    // The grant's thread: its parties only (any member); everyone else 404.
    r("GET", "/api/v1/access-grants/{grant}/messages", E,                               [U, O, N, O, N, N, N, N]),
    r("POST", "/api/v1/access-grants/{grant}/messages", J(|_| json!({"body": "A question."})), [U, O, N, O, N, N, N, N]),
    // One's own entries: anyone signed in (an empty file for someone who logged nothing).
    r("GET", "/api/v1/access-log/export?format=json", E,                                [U, O, O, O, O, O, O, O]),
    // ------------------------------------------------------------ nominations (of partner X, selected)
    r("GET", "/api/v1/nominations", E,                                                  [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/nominations", J(|f| json!({"model_id": f.id("model"), "partner_org_id": f.id("y_org"), "rationale": "r"})), [U, O, O, O, O, F, F, F]),
    r("GET", "/api/v1/nominations/{nomination}", E,                                     [U, O, N, O, O, N, N, N]),
    r("POST", "/api/v1/nominations/{nomination}/concur", E,                             [U, O, N, O, F, N, N, N]),
    r("POST", "/api/v1/nominations/{nomination}/decline", E,                            [U, O, N, O, F, N, N, N]),
    // ------------------------------------------------------------ partner grants (to X)
    r("GET", "/api/v1/partner-grants", E,                                               [U, O, O, O, O, O, O, O]),
    r("POST", "/api/v1/partner-grants", J(|f| partner_grant_body(f.id("nomination"), f.id("template"), t0() + days(2), t0() + days(3))), [U, O, O, F, F, F, F, F]),
    r("GET", "/api/v1/partner-grants/window-warnings?nomination_id={nomination}&starts_at=2026-06-10T00:00:00Z&ends_at=2026-07-10T00:00:00Z", E, [U, O, O, F, F, F, F, F]),
    r("GET", "/api/v1/partner-grants/{pgrant}", E,                                      [U, O, N, O, O, O, N, N]),
    r("PATCH", "/api/v1/partner-grants/{pgrant}", J(|_| json!({"ends_at": rfc(t0() + days(15))})), [U, O, N, F, F, F, N, N]),
    r("POST", "/api/v1/partner-grants/{pgrant}/accept-terms", E,                        [U, F, N, F, F, O, N, N]),
    r("POST", "/api/v1/partner-grants/{pgrant}/acknowledge", E,                         [U, F, N, F, F, O, N, N]),
    r("POST", "/api/v1/partner-grants/{pgrant}/decline", E,                             [U, F, N, F, F, O, N, N]),
    r("GET", "/api/v1/partner-grants/{pgrant}/roster", E,                               [U, O, N, F, F, O, N, N]),
    r("POST", "/api/v1/partner-grants/{pgrant}/roster", J(|f| json!({"user_id": f.id("x_user")})), [U, F, N, F, F, O, N, N]),
    // The thread: the developer and the partner only; agencies see the grant's metadata, not
    // its thread (404).
    r("GET", "/api/v1/partner-grants/{pgrant}/messages", E,                             [U, O, N, N, N, O, N, N]),
    r("POST", "/api/v1/partner-grants/{pgrant}/messages", J(|_| json!({"body": "A question."})), [U, O, N, N, N, O, N, N]),
    // ------------------------------------------------------------ operations
    r("GET", "/healthz", E,                                                             [O, O, O, O, O, O, O, O]),
    r("GET", "/readyz", E,                                                              [O, O, O, O, O, O, O, O]),
    r("GET", "/metrics", E,                                                             [O, O, O, O, O, O, O, O]),
    r("GET", "/api/openapi.json", E,                                                    [O, O, O, O, O, O, O, O]),
    r("GET", "/api/docs/", E,                                                           [O, O, O, O, O, O, O, O]),
    // ------------------------------------------------------------ the developer's controls (last: they end records)
    r("DELETE", "/api/v1/access-grants/{grant}/roster/{roster_user}", E,                [U, O, N, O, N, N, N, N]),
    r("DELETE", "/api/v1/partner-grants/{pgrant}/roster/{x_user}", E,                   [U, O, N, F, F, O, N, N]),
    r("POST", "/api/v1/access-grants/{grant}/end", E,                                   [U, O, N, F, N, N, N, N]),
    r("POST", "/api/v1/partner-grants/{pgrant}/revoke", E,                              [U, O, N, F, F, F, N, N]),
    r("POST", "/api/v1/nominations/{nomination}/rescind", E,                            [U, O, N, F, F, N, N, N]),
    r("POST", "/api/v1/designation-requests/{request}/withdraw", E,                     [U, O, N, F, F, N, N, N]),
    r("POST", "/api/v1/models/{model}/release", E,                                      [U, O, N, N, N, N, N, N]),
    // ------------------------------------------------------------ last: removing a factor holds agencies and operators
    r("DELETE", "/api/v1/auth/mfa/totp", E,                                             [U, O, O, O, O, O, O, O]),
];

/// The records and ids the rows refer to.
struct Fx {
    ids: HashMap<&'static str, String>,
}

impl Fx {
    fn id(&self, k: &str) -> &str {
        self.ids
            .get(k)
            .unwrap_or_else(|| panic!("no fixture {k}"))
            .as_str()
    }
    fn fill(&self, template: &str) -> String {
        let mut out = template.to_string();
        for (k, v) in &self.ids {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        assert!(!out.contains('{'), "unfilled placeholder in {out}");
        out
    }
}

struct Callers {
    clients: Vec<Client>,
    emails: Vec<Option<String>>,
}

async fn setup(app: &TestApp) -> (Fx, Callers) {
    let op = app.operator().await;
    let nsa = app.agency(&op, "NSA").await;
    let cisa_admin = app.agency(&op, "CISA").await;
    let cisa = app
        .member(&cisa_admin, "reviewer@cisa.example", "member")
        .await;
    let x = app.partner(&op, "Valley Rural Health").await;
    let y = app.partner(&op, "Prairie Community Bank").await;
    let a = app.signup_developer("Alpha Labs", "a@alpha.example").await;
    let b = app.signup_developer("Beta Labs", "b@beta.example").await;
    let analyst = app.member(&nsa, "analyst@nsa.example", "member").await;

    let template = publish_terms(app, &op, "Template terms").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let a_terms = publish_terms(app, &a, "Alpha terms").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let model = new_model(app, &a, "Alpha-1").await;
    let request = submitted_request(app, &a, &model).await;
    let grant_ends = t0() + days(11);
    let grant = offer(
        app,
        &a,
        &model,
        &[&nsa],
        &template,
        t0() + days(1),
        grant_ends,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for u in [&nsa.id, &analyst.id] {
        let r = roster_add(&nsa, &ag(app, &grant, ""), u).await;
        assert!(r.status.is_success(), "setup roster: {}", r.text);
    }
    let nomination = selected_nomination(app, &a, &nsa, &model, &x.org_id).await;
    let pgrant = issue_partner_grant(
        app,
        &a,
        &nomination,
        &template,
        t0() + days(1),
        t0() + days(20),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = roster_add(&x, &pg(app, &pgrant, ""), &x.id).await;
    assert!(r.status.is_success(), "setup partner roster: {}", r.text);
    let api_token = a
        .post(&app.api("/auth/api-tokens"), json!({"name": "matrix"}))
        .await
        .expect(201)
        .id();

    let mut ids = HashMap::new();
    ids.insert("model", model);
    ids.insert("request", request);
    ids.insert("terms", a_terms);
    ids.insert("template", template);
    ids.insert("grant", grant);
    ids.insert("grant_ends_at", rfc(grant_ends));
    ids.insert("nomination", nomination);
    ids.insert("pgrant", pgrant);
    ids.insert("api_token", api_token);
    ids.insert("passkey", "no-such-passkey".to_string());
    ids.insert("provider", "nope".to_string());
    ids.insert("token", "not-a-real-invitation-token".to_string());
    ids.insert("user", y.id.clone());
    ids.insert("roster_user", analyst.id.clone());
    ids.insert("nsa_user", nsa.id.clone());
    ids.insert("cisa_user", cisa.id.clone());
    ids.insert("nsa_org", nsa.org_id.clone());
    ids.insert("x_user", x.id.clone());
    ids.insert("y_org", y.org_id.clone());
    let users = [&a, &b, &nsa, &cisa, &x, &y, &op];
    let mut clients = vec![Client::new(&app.base, false)];
    let mut emails = vec![None];
    for u in users {
        clients.push(u.client.clone());
        emails.push(Some(u.email.clone()));
    }
    (Fx { ids }, Callers { clients, emails })
}

fn verdict(expect: Exp, status: u16) -> bool {
    match expect {
        Exp::Ok => !matches!(status, 401 | 403 | 404 | 405) && status < 500,
        Exp::Forbidden => status == 403,
        Exp::NotFound => status == 404,
        Exp::Unauth => status == 401,
    }
}

async fn authorization_matrix(app: TestApp) {
    let (fx, callers) = setup(&app).await;
    let mut failures = Vec::new();
    let mut cells = 0;
    for row in MATRIX {
        let path = fx.fill(row.path);
        let body = match &row.body {
            Body::None => None,
            Body::Json(f) => Some(f(&fx)),
        };
        let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
        let order: Vec<usize> = (0..8)
            .filter(|i| row.expect[*i] != Exp::Ok)
            .chain((0..8).filter(|i| row.expect[*i] == Exp::Ok))
            .collect();
        for i in order {
            let client = match (&callers.emails[i], row.fresh) {
                (Some(email), true) => app.login(email, PASSWORD).await.client,
                _ => callers.clients[i].clone(),
            };
            let resp = client.call(method.clone(), &path, body.clone()).await;
            cells += 1;
            let status = resp.status.as_u16();
            if !verdict(row.expect[i], status) {
                let mut detail = resp.text.clone();
                detail.truncate(240);
                failures.push(format!(
                    "{} {} as {}: expected {:?}, got {} {}",
                    row.method, row.path, CALLERS[i], row.expect[i], status, detail
                ));
            }
        }
    }
    assert_eq!(cells, MATRIX.len() * 8);
    assert!(
        failures.is_empty(),
        "{} of {} matrix cells differ:\n{}",
        failures.len(),
        cells,
        failures.join("\n")
    );
}

/// `/api/v1/x/{id}/y?q=1` and `/api/v1/x/{token}/y` both become `/api/v1/x/{}/y`.
fn normalize(path: &str) -> String {
    let path = path.split('?').next().unwrap();
    let mut out = String::new();
    let mut depth = 0;
    for ch in path.chars() {
        match ch {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_end_matches('/').to_string()
}

fn matrix_keys() -> Vec<(String, String)> {
    MATRIX
        .iter()
        .map(|r| (r.method.to_string(), normalize(r.path)))
        .collect()
}

async fn openapi_operations(app: &TestApp) -> Vec<(String, String)> {
    let doc = app.anon.get("/api/openapi.json").await.expect(200);
    let paths = doc.body["paths"].as_object().expect("paths").clone();
    let mut ops = Vec::new();
    for (path, item) in paths {
        for method in [
            "get", "post", "put", "patch", "delete", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                ops.push((method.to_uppercase(), normalize(&path)));
            }
        }
    }
    ops
}

async fn openapi_routes_are_all_in_the_matrix(app: TestApp) {
    let keys = matrix_keys();
    // The table itself: no route twice.
    let mut seen = std::collections::HashSet::new();
    for k in &keys {
        assert!(seen.insert(k.clone()), "the matrix lists {k:?} twice");
    }
    let missing: Vec<String> = openapi_operations(&app)
        .await
        .into_iter()
        .filter(|op| !keys.contains(op))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes in /api/openapi.json without a row in the authorization matrix (tests/api/authz.rs):\n{}",
        missing.join("\n")
    );
}

async fn matrix_routes_are_all_in_the_openapi_document(app: TestApp) {
    let ops = openapi_operations(&app).await;
    let undocumented: Vec<String> = matrix_keys()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api/v1/"))
        .filter(|k| !ops.contains(k))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "DESIGN §3 routes missing from /api/openapi.json:\n{}",
        undocumented.join("\n")
    );
}
