//! Every state-changing route writes exactly one audit event (DESIGN.md §2.8). One walk calls
//! each POST/PATCH/DELETE route of the OpenAPI document once, successfully, and checks that the
//! audit trail grew by exactly one; a second test fails when the OpenAPI document has a
//! state-changing route this walk does not cover, so a new route cannot skip its audit event.

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(every_state_changing_route_writes_exactly_one_audit_event);

struct Walk<'a> {
    app: &'a TestApp,
    covered: Mutex<BTreeSet<(String, String)>>,
}

impl Walk<'_> {
    /// Runs one call, asserts success and exactly one new audit event, and records the route.
    async fn step(
        &self,
        method: &str,
        template: &str,
        call: impl std::future::Future<Output = Resp>,
    ) -> Value {
        let before = self.app.audit_count().await;
        let r = call.await;
        assert!(
            r.status.is_success(),
            "{method} {template}: {} {}",
            r.status,
            r.text
        );
        let after = self.app.audit_count().await;
        assert_eq!(
            after - before,
            1,
            "{method} {template} wrote {} audit events",
            after - before
        );
        self.covered
            .lock()
            .unwrap()
            .insert((method.to_string(), template.to_string()));
        r.body
    }
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} in {v}"))
        .to_string()
}

async fn every_state_changing_route_writes_exactly_one_audit_event(app: TestApp) {
    let w = Walk {
        app: &app,
        covered: Mutex::new(BTreeSet::new()),
    };
    let a = |p: &str| app.api(p);

    // Accounts.
    w.step("POST", "/api/v1/auth/signup", app.anon.post(&a("/auth/signup"), json!({"organization_name": "Walk Labs", "name": "Walker", "email": "walker@walk.example", "password": PASSWORD}))).await;
    let token = app
        .wait_mail("walker@walk.example", "Confirm")
        .await
        .token()
        .unwrap();
    w.step(
        "POST",
        "/api/v1/auth/verify-email",
        app.anon.post(
            &a("/auth/verify-email"),
            json!({"token": token, "password": PASSWORD}),
        ),
    )
    .await;
    let c = app.client();
    w.step(
        "POST",
        "/api/v1/auth/login",
        c.post(
            &a("/auth/login"),
            json!({"email": "walker@walk.example", "password": PASSWORD}),
        ),
    )
    .await;
    let tok = w
        .step(
            "POST",
            "/api/v1/auth/api-tokens",
            c.post(&a("/auth/api-tokens"), json!({"name": "walk"})),
        )
        .await;
    w.step(
        "DELETE",
        "/api/v1/auth/api-tokens/{id}",
        c.delete(&a(&format!("/auth/api-tokens/{}", s(&tok, "id")))),
    )
    .await;
    let tok = w
        .step(
            "POST",
            "/api/v1/auth/api-tokens",
            c.post(
                &a("/auth/api-tokens"),
                json!({"name": "walk", "scope": "read"}),
            ),
        )
        .await;
    w.step(
        "DELETE",
        "/api/v1/auth/sessions/{id}",
        c.delete(&a(&format!("/auth/sessions/{}", s(&tok, "id")))),
    )
    .await;
    w.step(
        "PUT",
        "/api/v1/auth/notifications",
        c.put(
            &a("/auth/notifications"),
            json!({"disabled": ["determination"]}),
        ),
    )
    .await;
    // Second factors and the organization's own policy.
    let pending = w
        .step(
            "POST",
            "/api/v1/auth/mfa/totp",
            c.post_empty(&a("/auth/mfa/totp")),
        )
        .await;
    app.remember_totp("walker@walk.example", &s(&pending, "secret"));
    w.step(
        "POST",
        "/api/v1/auth/mfa/totp/confirm",
        c.post(
            &a("/auth/mfa/totp/confirm"),
            json!({"code": app.totp_code("walker@walk.example")}),
        ),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/auth/step-up",
        c.post(
            &a("/auth/step-up"),
            json!({"code": app.totp_code("walker@walk.example")}),
        ),
    )
    .await;
    let second = app.client();
    second
        .post(
            &a("/auth/login"),
            json!({"email": "walker@walk.example", "password": PASSWORD}),
        )
        .await
        .expect(200);
    w.step(
        "POST",
        "/api/v1/auth/login/mfa",
        second.post(
            &a("/auth/login/mfa"),
            json!({"code": app.totp_code("walker@walk.example")}),
        ),
    )
    .await;
    // Passkeys: register (on the stepped-up session), step-up, sign in, remove.
    let mut pk = crate::passkeys::SoftPasskey::new();
    let o = w
        .step(
            "POST",
            "/api/v1/auth/mfa/webauthn/register/start",
            c.post_empty(&a("/auth/mfa/webauthn/register/start")),
        )
        .await;
    let done = w
        .step(
            "POST",
            "/api/v1/auth/mfa/webauthn/register/finish",
            c.post(
                &a("/auth/mfa/webauthn/register/finish"),
                json!({"credential": pk.create(&o), "name": "walk"}),
            ),
        )
        .await;
    let o = w
        .step(
            "POST",
            "/api/v1/auth/step-up/webauthn/start",
            c.post_empty(&a("/auth/step-up/webauthn/start")),
        )
        .await;
    w.step(
        "POST",
        "/api/v1/auth/step-up/webauthn/finish",
        c.post(
            &a("/auth/step-up/webauthn/finish"),
            json!({"credential": pk.get(&o)}),
        ),
    )
    .await;
    let third = app.client();
    third
        .post(
            &a("/auth/login"),
            json!({"email": "walker@walk.example", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let o = w
        .step(
            "POST",
            "/api/v1/auth/login/webauthn/start",
            third.post_empty(&a("/auth/login/webauthn/start")),
        )
        .await;
    w.step(
        "POST",
        "/api/v1/auth/login/webauthn/finish",
        third.post(
            &a("/auth/login/webauthn/finish"),
            json!({"credential": pk.get(&o)}),
        ),
    )
    .await;
    w.step(
        "DELETE",
        "/api/v1/auth/mfa/webauthn/{id}",
        c.delete(&a(&format!(
            "/auth/mfa/webauthn/{}",
            s(&done["passkey"], "id")
        ))),
    )
    .await;
    for on in [true, false] {
        w.step(
            "PATCH",
            "/api/v1/organizations/me",
            c.patch(&a("/organizations/me"), json!({"mfa_required": on})),
        )
        .await;
    }
    w.step(
        "DELETE",
        "/api/v1/auth/mfa/totp",
        c.delete(&a("/auth/mfa/totp")),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/auth/logout",
        c.post_empty(&a("/auth/logout")),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/auth/password-reset/request",
        app.anon.post(
            &a("/auth/password-reset/request"),
            json!({"email": "walker@walk.example"}),
        ),
    )
    .await;
    let reset = app
        .wait_mail("walker@walk.example", "Reset")
        .await
        .token()
        .unwrap();
    w.step(
        "POST",
        "/api/v1/auth/password-reset/confirm",
        app.anon.post(
            &a("/auth/password-reset/confirm"),
            json!({"token": reset, "new_password": "another-long-walk-phrase-91"}),
        ),
    )
    .await;

    // Organizations.
    let Cast {
        op,
        dev,
        nsa,
        cisa,
        template,
        model,
    } = cast(&app).await;
    w.step("POST", "/api/v1/admin/organizations", op.post(&a("/admin/organizations"), json!({"kind": "partner", "name": "Walk Partner", "partner_type": "other", "admin_email": "admin@walkpartner.example"}))).await;
    let inv = app
        .wait_mail("admin@walkpartner.example", "invited")
        .await
        .token()
        .unwrap();
    w.step(
        "POST",
        "/api/v1/auth/invitations/{token}/accept",
        app.anon.post(
            &a(&format!("/auth/invitations/{inv}/accept")),
            json!({"name": "Pat Partner", "password": PASSWORD}),
        ),
    )
    .await;
    let partner = keep(&app, app.login("admin@walkpartner.example", PASSWORD).await).await;
    let member_email = "member@walkpartner.example";
    w.step(
        "POST",
        "/api/v1/organizations/me/invitations",
        partner.post(
            &a("/organizations/me/invitations"),
            json!({"email": member_email, "org_role": "member"}),
        ),
    )
    .await;
    app.accept_invitation(
        &app.wait_mail(member_email, "invited")
            .await
            .token()
            .unwrap(),
        "Max Member",
    )
    .await;
    let member = keep(&app, app.login(member_email, PASSWORD).await).await;
    let walker = app
        .login("walker@walk.example", "another-long-walk-phrase-91")
        .await;
    w.step(
        "PATCH",
        "/api/v1/admin/users/{id}",
        op.patch(
            &a(&format!("/admin/users/{}", walker.id)),
            json!({"disabled": true}),
        ),
    )
    .await;
    // Invitations resent and revoked, roles and organizations changed (issue 11).
    let mut invited = Vec::new();
    for e in ["inv1@walkpartner.example", "inv2@walkpartner.example"] {
        let r = partner
            .post(
                &a("/organizations/me/invitations"),
                json!({"email": e, "org_role": "member"}),
            )
            .await
            .expect(201);
        invited.push(s(&r.body["user"], "id"));
    }
    w.step(
        "POST",
        "/api/v1/admin/users/{id}/invitation",
        op.post_empty(&a(&format!("/admin/users/{}/invitation", invited[0]))),
    )
    .await;
    w.step(
        "DELETE",
        "/api/v1/admin/users/{id}/invitation",
        op.delete(&a(&format!("/admin/users/{}/invitation", invited[0]))),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/organizations/me/members/{id}/invitation",
        partner.post_empty(&a(&format!(
            "/organizations/me/members/{}/invitation",
            invited[1]
        ))),
    )
    .await;
    w.step(
        "DELETE",
        "/api/v1/organizations/me/members/{id}/invitation",
        partner.delete(&a(&format!(
            "/organizations/me/members/{}/invitation",
            invited[1]
        ))),
    )
    .await;
    w.step(
        "PATCH",
        "/api/v1/organizations/me/members/{id}",
        partner.patch(
            &a(&format!("/organizations/me/members/{}", member.id)),
            json!({"org_role": "admin"}),
        ),
    )
    .await;
    w.step(
        "PATCH",
        "/api/v1/admin/organizations/{id}",
        op.patch(
            &a(&format!("/admin/organizations/{}", partner.org_id)),
            json!({"name": "Walk Partner Network"}),
        ),
    )
    .await;

    // Terms and models.
    w.step(
        "POST",
        "/api/v1/terms",
        dev.post(&a("/terms"), terms_body("Walk terms")),
    )
    .await;
    let m2 = w
        .step(
            "POST",
            "/api/v1/models",
            dev.post(&a("/models"), json!({"name": "Walk-1", "version": "1"})),
        )
        .await;
    w.step(
        "PATCH",
        "/api/v1/models/{id}",
        dev.patch(
            &a(&format!("/models/{}", s(&m2, "id"))),
            json!({"description": "edited"}),
        ),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/models/{id}/release",
        dev.post_empty(&a(&format!("/models/{}/release", s(&m2, "id")))),
    )
    .await;

    // Designation review.
    let r = w
        .step(
            "POST",
            "/api/v1/designation-requests",
            dev.post(
                &a("/designation-requests"),
                json!({"model_id": model, "summary": "s", "capability_evidence": "e"}),
            ),
        )
        .await;
    let rid = s(&r, "id");
    let d = |action: &str| a(&format!("/designation-requests/{rid}/{action}"));
    w.step(
        "PATCH",
        "/api/v1/designation-requests/{id}",
        dev.patch(
            &a(&format!("/designation-requests/{rid}")),
            json!({"summary": "edited draft"}),
        ),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/submit",
        dev.post_empty(&d("submit")),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/assign",
        nsa.post(&d("assign"), json!({})),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/request-info",
        nsa.post(&d("request-info"), json!({"message": "more please"})),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/respond",
        dev.post(&d("respond"), json!({"message": "here"})),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/consultations",
        cisa.post(
            &d("consultations"),
            json!({"agency_code": "CISA", "position": "concur", "note": "ok"}),
        ),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/messages",
        dev.post(&d("messages"), json!({"body": "thanks"})),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/determination",
        nsa.post(
            &d("determination"),
            json!({"outcome": "covered", "rationale": "r", "benchmark_ref": "BM-1"}),
        ),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/designation-requests/{id}/withdraw",
        dev.post_empty(&d("withdraw")),
    )
    .await;

    // Government access.
    let now = app.now();
    let g = w
        .step(
            "POST",
            "/api/v1/access-grants",
            dev.post(
                &a("/access-grants"),
                grant_body(
                    &model,
                    &[&nsa.org_id],
                    &template,
                    now + days(1),
                    now + days(10),
                ),
            ),
        )
        .await;
    let gid = s(&g, "id");
    w.step(
        "PATCH",
        "/api/v1/access-grants/{id}",
        dev.patch(&ag(&app, &gid, ""), json!({"ends_at": rfc(now + days(9))})),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/access-grants/{id}/accept-terms",
        dev.post_empty(&ag(&app, &gid, "accept-terms")),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/access-grants/{id}/roster",
        nsa.post(&ag(&app, &gid, "roster"), json!({"user_id": nsa.id})),
    )
    .await;
    nsa.post_empty(&ag(&app, &gid, "accept-terms"))
        .await
        .expect(200);
    w.step(
        "POST",
        "/api/v1/access-grants/{id}/acknowledge",
        nsa.post_empty(&ag(&app, &gid, "acknowledge")),
    )
    .await;
    app.advance(days(2));
    w.step(
        "POST",
        "/api/v1/access-grants/{id}/access-log",
        nsa.post(
            &ag(&app, &gid, "access-log"),
            log_body(app.now() - days(0) - chrono::Duration::hours(1)),
        ),
    )
    .await;
    // A second window that the NSA declines (the first one's days, so the cap is unchanged).
    let declined = offer(
        &app,
        &dev,
        &model,
        &[&nsa],
        &template,
        app.now() + days(1),
        app.now() + days(3),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/access-grants/{id}/decline",
        nsa.post(
            &ag(&app, &s(&declined, "id"), "decline"),
            json!({"reason": "Not this quarter."}),
        ),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/access-grants/{id}/messages",
        nsa.post(&ag(&app, &gid, "messages"), json!({"body": "A question."})),
    )
    .await;
    w.step(
        "DELETE",
        "/api/v1/access-grants/{id}/roster/{user_id}",
        dev.delete(&ag(&app, &gid, &format!("roster/{}", nsa.id))),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/access-grants/{id}/end",
        dev.post_empty(&ag(&app, &gid, "end")),
    )
    .await;

    // Co-selection and early access.
    let n = w
        .step(
            "POST",
            "/api/v1/nominations",
            dev.post(
                &a("/nominations"),
                json!({"model_id": model, "partner_org_id": partner.org_id, "rationale": "r"}),
            ),
        )
        .await;
    let nid = s(&n, "id");
    w.step(
        "POST",
        "/api/v1/nominations/{id}/concur",
        nsa.post_empty(&nm(&app, &nid, "concur")),
    )
    .await;
    let n2 = nominate(&app, &dev, &model, &partner.org_id).await;
    w.step(
        "POST",
        "/api/v1/nominations/{id}/decline",
        nsa.post_empty(&nm(&app, &s(&n2, "id"), "decline")),
    )
    .await;
    let now = app.now();
    let p = w
        .step(
            "POST",
            "/api/v1/partner-grants",
            dev.post(
                &a("/partner-grants"),
                partner_grant_body(&nid, &template, now + days(1), now + days(20)),
            ),
        )
        .await;
    let pid = s(&p, "id");
    w.step(
        "POST",
        "/api/v1/partner-grants/{id}/accept-terms",
        partner.post_empty(&pg(&app, &pid, "accept-terms")),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/partner-grants/{id}/roster",
        partner.post(&pg(&app, &pid, "roster"), json!({"user_id": member.id})),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/partner-grants/{id}/acknowledge",
        member.post_empty(&pg(&app, &pid, "acknowledge")),
    )
    .await;
    let declined =
        issue_partner_grant(&app, &dev, &nid, &template, now + days(1), now + days(5)).await;
    w.step(
        "POST",
        "/api/v1/partner-grants/{id}/decline",
        partner.post_empty(&pg(&app, &s(&declined, "id"), "decline")),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/partner-grants/{id}/messages",
        partner.post(&pg(&app, &pid, "messages"), json!({"body": "A question."})),
    )
    .await;
    w.step(
        "DELETE",
        "/api/v1/partner-grants/{id}/roster/{user_id}",
        dev.delete(&pg(&app, &pid, &format!("roster/{}", member.id))),
    )
    .await;
    w.step(
        "PATCH",
        "/api/v1/partner-grants/{id}",
        dev.patch(&pg(&app, &pid, ""), json!({"ends_at": rfc(now + days(15))})),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/partner-grants/{id}/revoke",
        dev.post_empty(&pg(&app, &pid, "revoke")),
    )
    .await;
    w.step(
        "POST",
        "/api/v1/nominations/{id}/rescind",
        dev.post_empty(&nm(&app, &nid, "rescind")),
    )
    .await;

    // The walk must cover every state-changing route the server documents.
    let doc = app.anon.get("/api/openapi.json").await.expect(200).body;
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let m = method.to_uppercase();
            if matches!(m.as_str(), "POST" | "PATCH" | "PUT" | "DELETE") {
                documented.insert((m, path.clone()));
            }
        }
    }
    let covered = w.covered.lock().unwrap().clone();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "state-changing routes without an audit-event check: {missing:?}"
    );
    // And the chain they built verifies.
    assert_eq!(
        op.get(&a("/admin/audit/verify")).await.expect(200).body["valid"],
        true
    );
}
