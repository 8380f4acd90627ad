//! The operator's and the org admin's people features (issue 11, "What each role expects" →
//! Operator): searching and filtering users, resending and revoking invitations, changing a
//! member's role (never leaving an organization without an admin), and renaming, deactivating
//! and reactivating an organization.

use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    the_users_list_searches_and_filters_on_the_server,
    a_resent_invitation_kills_the_old_link,
    a_revoked_invitation_cannot_be_used,
    roles_change_but_an_organization_keeps_an_admin,
    an_org_admin_manages_only_its_own_people,
    a_deactivated_organization_cannot_sign_in_and_keeps_its_records,
);

async fn user_id(app: &TestApp, email: &'static str) -> String {
    app.db(move |c| {
        frontier_portal::store::accounts::user_by_email(c, email)
            .unwrap()
            .unwrap()
            .0
            .id
    })
    .await
}

fn emails(r: &Resp) -> Vec<String> {
    items(r)
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_string())
        .collect()
}

async fn the_users_list_searches_and_filters_on_the_server(app: TestApp) {
    let op = app.operator().await;
    let cisa = app.agency(&op, "CISA").await;
    // An invited admin of a new partner, and an active member of CISA, one then disabled.
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "partner", "name": "Valley Rural Health", "partner_type": "critical_infrastructure_operator", "admin_email": "Sam.Lee@ValleyRural.example"}),
    )
    .await
    .expect(201);
    let pat = app
        .member(&cisa, "pat.reviewer@cisa.example", "member")
        .await;
    op.patch(
        &app.api(&format!("/admin/users/{}", pat.id)),
        json!({"disabled": true}),
    )
    .await
    .expect(200);
    let list = |query: String| {
        let (app, op) = (&app, &op);
        async move { op.get(&app.api(&format!("/admin/users?{query}"))).await }
    };
    // q: a substring of the address or the name, in any case.
    let r = list("q=VALLEYrural".into()).await.expect(200);
    assert_eq!(emails(&r), ["sam.lee@valleyrural.example"]);
    let r = list("q=first%20ADMIN".into()).await.expect(200);
    assert_eq!(emails(&r), ["admin@cisa.example"], "by name (First Admin)");
    // A LIKE wildcard is a character like any other.
    let r = list("q=%25".into()).await.expect(200);
    assert!(emails(&r).is_empty(), "{:?}", emails(&r));
    // status
    let r = list("status=invited".into()).await.expect(200);
    assert_eq!(emails(&r), ["sam.lee@valleyrural.example"]);
    let r = list("status=disabled".into()).await.expect(200);
    assert_eq!(emails(&r), ["pat.reviewer@cisa.example"]);
    let r = list("status=active".into()).await.expect(200);
    let active = emails(&r);
    assert!(active.contains(&"admin@cisa.example".to_string()));
    assert!(active.contains(&op.email));
    assert_eq!(active.len(), 2, "{active:?}");
    // organization_id, with the other filters
    let r = list(format!("organization_id={}", cisa.org_id))
        .await
        .expect(200);
    assert_eq!(
        emails(&r),
        ["pat.reviewer@cisa.example", "admin@cisa.example"],
        "newest first"
    );
    let r = list(format!(
        "organization_id={}&status=active&q=cisa",
        cisa.org_id
    ))
    .await
    .expect(200);
    assert_eq!(emails(&r), ["admin@cisa.example"]);
    // The same cursor pages with a filter.
    let r = list(format!("organization_id={}&limit=1", cisa.org_id))
        .await
        .expect(200);
    assert_eq!(emails(&r), ["pat.reviewer@cisa.example"]);
    let cursor = r.body["next_cursor"].as_str().unwrap().to_string();
    let r = list(format!(
        "organization_id={}&limit=1&cursor={cursor}",
        cisa.org_id
    ))
    .await
    .expect(200);
    assert_eq!(emails(&r), ["admin@cisa.example"]);
    assert_eq!(r.body["next_cursor"], Value::Null);
    // A status that is not one: 422 in plain words.
    let r = list("status=pending".into())
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["status"]);
    assert_eq!(
        r.body["errors"][0]["message"],
        "must be invited, active or disabled"
    );
    list(format!("q={}", "x".repeat(101)))
        .await
        .problem(422, "validation_failed");
}

async fn a_resent_invitation_kills_the_old_link(app: TestApp) {
    let op = app.operator().await;
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "agency", "name": "CISA office", "agency_code": "CISA", "admin_email": "pat@cisa.example"}),
    )
    .await
    .expect(201);
    let first = app.wait_mail("pat@cisa.example", "invited").await;
    let old = first.token().unwrap();
    let pat = user_id(&app, "pat@cisa.example").await;
    let before = app.audit_count().await;
    let r = op
        .post_empty(&app.api(&format!("/admin/users/{pat}/invitation")))
        .await
        .expect(200);
    assert_eq!(r.body["user"]["id"], pat.as_str());
    assert!(r.body["expires_at"].as_str().is_some());
    assert_events(before, app.audit_count().await, 1, "invitation resent");
    // A second email through the outbox, with a new link.
    app.run_jobs().await;
    assert_eq!(app.count_mail("pat@cisa.example", "invited"), 2);
    let new = app
        .find_mail("pat@cisa.example", "invited")
        .unwrap()
        .token()
        .unwrap();
    assert_ne!(new, old);
    // The old link is dead: the accept page finds nothing and accepting it is refused.
    app.anon
        .get(&app.api(&format!("/auth/invitations/{old}")))
        .await
        .expect(404);
    let r = app
        .anon
        .post(
            &app.api(&format!("/auth/invitations/{old}/accept")),
            json!({"name": "Pat", "password": PASSWORD}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["token"]);
    app.accept_invitation(&new, "Pat Reviewer").await;
    // Joined: nothing to resend any more.
    let before = app.audit_count().await;
    let r = op
        .post_empty(&app.api(&format!("/admin/users/{pat}/invitation")))
        .await
        .problem(409, "not_invited");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("already joined"),
        "{}",
        r.body
    );
    assert_eq!(app.audit_count().await, before);
    op.post_empty(&app.api("/admin/users/no-such-user/invitation"))
        .await
        .problem(404, "not_found");
}

async fn a_revoked_invitation_cannot_be_used(app: TestApp) {
    let op = app.operator().await;
    // The first admin of a new organization is its only admin: revoking is refused.
    op.post(
        &app.api("/admin/organizations"),
        json!({"kind": "partner", "name": "Prairie Bank", "partner_type": "critical_infrastructure_operator", "admin_email": "it@prairie.example"}),
    )
    .await
    .expect(201);
    let it = user_id(&app, "it@prairie.example").await;
    let before = app.audit_count().await;
    let r = op
        .delete(&app.api(&format!("/admin/users/{it}/invitation")))
        .await
        .problem(409, "last_admin");
    assert!(
        r.body["detail"].as_str().unwrap().contains("Resend"),
        "{}",
        r.body
    );
    assert_eq!(app.audit_count().await, before);
    // A colleague invited by an active admin can be revoked.
    let cisa = app.agency(&op, "CISA").await;
    cisa.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "lee@cisa.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let token = app
        .wait_mail("lee@cisa.example", "invited")
        .await
        .token()
        .unwrap();
    let lee = user_id(&app, "lee@cisa.example").await;
    let before = app.audit_count().await;
    let r = op
        .delete(&app.api(&format!("/admin/users/{lee}/invitation")))
        .await
        .expect(200);
    assert_eq!(r.body["disabled"], true);
    assert_events(before, app.audit_count().await, 1, "invitation revoked");
    app.anon
        .get(&app.api(&format!("/auth/invitations/{token}")))
        .await
        .expect(404);
    app.anon
        .post(
            &app.api(&format!("/auth/invitations/{token}/accept")),
            json!({"name": "Lee", "password": PASSWORD}),
        )
        .await
        .problem(422, "validation_failed");
    let r = op
        .get(&app.api("/admin/users?status=disabled"))
        .await
        .expect(200);
    assert_eq!(emails(&r), ["lee@cisa.example"]);
    // Revoked already: nothing to revoke or resend.
    op.delete(&app.api(&format!("/admin/users/{lee}/invitation")))
        .await
        .problem(409, "not_invited");
    op.post_empty(&app.api(&format!("/admin/users/{lee}/invitation")))
        .await
        .problem(409, "not_invited");
    // An active account has no invitation to revoke.
    op.delete(&app.api(&format!("/admin/users/{}/invitation", cisa.id)))
        .await
        .problem(409, "not_invited");
}

async fn roles_change_but_an_organization_keeps_an_admin(app: TestApp) {
    let op = app.operator().await;
    let dev = app
        .signup_developer("Aurora AI Labs", "dana@aurora.example")
        .await;
    let lee = app.member(&dev, "lee@aurora.example", "member").await;
    // The only active admin cannot be demoted, by an operator or by herself.
    let before = app.audit_count().await;
    let r = op
        .patch(
            &app.api(&format!("/admin/users/{}", dev.id)),
            json!({"org_role": "member"}),
        )
        .await
        .problem(409, "last_admin");
    assert!(
        r.body["detail"].as_str().unwrap().contains("last admin"),
        "{}",
        r.body
    );
    dev.patch(
        &app.api(&format!("/organizations/me/members/{}", dev.id)),
        json!({"org_role": "member"}),
    )
    .await
    .problem(409, "last_admin");
    assert_eq!(app.audit_count().await, before);
    // An invited admin does not count as one who runs the organization.
    dev.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "kim@aurora.example", "org_role": "admin"}),
    )
    .await
    .expect(201);
    op.patch(
        &app.api(&format!("/admin/users/{}", dev.id)),
        json!({"org_role": "member"}),
    )
    .await
    .problem(409, "last_admin");
    // The member cannot invite; promoted, she can at once.
    lee.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "x@aurora.example", "org_role": "member"}),
    )
    .await
    .expect(403);
    let before = app.audit_count().await;
    let r = op
        .patch(
            &app.api(&format!("/admin/users/{}", lee.id)),
            json!({"org_role": "admin"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["org_role"], "admin");
    assert_events(before, app.audit_count().await, 1, "role changed");
    // A repeat changes nothing.
    op.patch(
        &app.api(&format!("/admin/users/{}", lee.id)),
        json!({"org_role": "admin"}),
    )
    .await
    .expect(200);
    assert_eq!(app.audit_count().await, before + 1);
    lee.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "x@aurora.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    // Now the first admin may step down.
    dev.patch(
        &app.api(&format!("/organizations/me/members/{}", dev.id)),
        json!({"org_role": "member"}),
    )
    .await
    .expect(200);
    dev.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "y@aurora.example", "org_role": "member"}),
    )
    .await
    .expect(403);
    // Bad input changes nothing.
    let before = app.audit_count().await;
    let r = op
        .patch(
            &app.api(&format!("/admin/users/{}", lee.id)),
            json!({"org_role": "owner"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["org_role"]);
    op.patch(&app.api(&format!("/admin/users/{}", lee.id)), json!({}))
        .await
        .problem(422, "validation_failed");
    // Operators do not change their own role.
    op.patch(
        &app.api(&format!("/admin/users/{}", op.id)),
        json!({"org_role": "member"}),
    )
    .await
    .problem(409, "own_account");
    assert_eq!(app.audit_count().await, before);
}

async fn an_org_admin_manages_only_its_own_people(app: TestApp) {
    let aurora = app
        .signup_developer("Aurora AI Labs", "dana@aurora.example")
        .await;
    let beta = app.signup_developer("Beta Labs", "bo@beta.example").await;
    beta.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "new@beta.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let beta_invited = user_id(&app, "new@beta.example").await;
    let before = app.audit_count().await;
    // Another organization's people answer 404, like someone who does not exist.
    for r in [
        aurora
            .patch(
                &app.api(&format!("/organizations/me/members/{}", beta.id)),
                json!({"org_role": "member"}),
            )
            .await,
        aurora
            .post_empty(&app.api(&format!(
                "/organizations/me/members/{beta_invited}/invitation"
            )))
            .await,
        aurora
            .delete(&app.api(&format!(
                "/organizations/me/members/{beta_invited}/invitation"
            )))
            .await,
    ] {
        r.problem(404, "not_found");
    }
    assert_eq!(app.audit_count().await, before);
    // The organization page lists the invited colleague as invited.
    aurora
        .post(
            &app.api("/organizations/me/invitations"),
            json!({"email": "lee@aurora.example", "org_role": "member"}),
        )
        .await
        .expect(201);
    let old = app
        .wait_mail("lee@aurora.example", "invited")
        .await
        .token()
        .unwrap();
    let lee = user_id(&app, "lee@aurora.example").await;
    let me = aurora.get(&app.api("/organizations/me")).await.expect(200);
    let row = me.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == lee.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["status"], "invited");
    // A member of the organization may see, not act.
    let member = app.member(&aurora, "sam@aurora.example", "member").await;
    member
        .post_empty(&app.api(&format!("/organizations/me/members/{lee}/invitation")))
        .await
        .problem(403, "forbidden");
    member
        .patch(
            &app.api(&format!("/organizations/me/members/{lee}")),
            json!({"org_role": "admin"}),
        )
        .await
        .problem(403, "forbidden");
    // Its admin resends (the old link dies) and then revokes.
    aurora
        .post_empty(&app.api(&format!("/organizations/me/members/{lee}/invitation")))
        .await
        .expect(200);
    app.anon
        .get(&app.api(&format!("/auth/invitations/{old}")))
        .await
        .expect(404);
    app.run_jobs().await;
    let new = app
        .find_mail("lee@aurora.example", "invited")
        .unwrap()
        .token()
        .unwrap();
    app.anon
        .get(&app.api(&format!("/auth/invitations/{new}")))
        .await
        .expect(200);
    let r = aurora
        .delete(&app.api(&format!("/organizations/me/members/{lee}/invitation")))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "disabled");
    app.anon
        .get(&app.api(&format!("/auth/invitations/{new}")))
        .await
        .expect(404);
    // The admin promotes the member.
    let r = aurora
        .patch(
            &app.api(&format!("/organizations/me/members/{}", member.id)),
            json!({"org_role": "admin"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["org_role"], "admin");
    assert_eq!(r.body["status"], "active");
}

async fn a_deactivated_organization_cannot_sign_in_and_keeps_its_records(app: TestApp) {
    let op = app.operator().await;
    let c = cast(&app).await;
    // A partner with a member, an API token and a live session.
    let x = app.partner(&op, "Valley Rural Health").await;
    let token = x
        .post(&app.api("/auth/api-tokens"), json!({"name": "script"}))
        .await
        .expect(201)
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    x.post(
        &app.api("/organizations/me/invitations"),
        json!({"email": "pending@valley.example", "org_role": "member"}),
    )
    .await
    .expect(201);
    let pending = app
        .wait_mail("pending@valley.example", "invited")
        .await
        .token()
        .unwrap();
    let before = app.audit_count().await;
    let r = op
        .patch(
            &app.api(&format!("/admin/organizations/{}", x.org_id)),
            json!({"deactivated": true}),
        )
        .await
        .expect(200);
    assert!(r.body["deactivated_at"].as_str().is_some(), "{}", r.body);
    assert_events(before, app.audit_count().await, 1, "deactivated");
    // Sessions and tokens ended; signing in is refused in plain words.
    x.get(&app.api("/auth/me")).await.expect(401);
    let mut bearer = Client::new(&app.base, false);
    bearer.bearer = Some(token);
    bearer.get(&app.api("/auth/me")).await.expect(401);
    let r = app
        .client()
        .post(
            &app.api("/auth/login"),
            json!({"email": x.email, "password": PASSWORD}),
        )
        .await
        .problem(403, "organization_deactivated");
    assert!(
        r.body["detail"].as_str().unwrap().contains("turned off"),
        "{}",
        r.body
    );
    // A wrong password still reads as a wrong password (nothing told to a guesser).
    app.client()
        .post(
            &app.api("/auth/login"),
            json!({"email": x.email, "password": "not the password at all"}),
        )
        .await
        .expect(401);
    // Its pending invitation cannot be accepted.
    app.anon
        .get(&app.api(&format!("/auth/invitations/{pending}")))
        .await
        .expect(404);
    // Its records stay: the operators still list it and its people.
    let r = op
        .get(&app.api(&format!("/admin/users?organization_id={}", x.org_id)))
        .await
        .expect(200);
    assert_eq!(items(&r).len(), 2);
    // A repeat changes nothing; reactivating lets its people sign in afresh, and revives no
    // session or token.
    op.patch(
        &app.api(&format!("/admin/organizations/{}", x.org_id)),
        json!({"deactivated": true}),
    )
    .await
    .expect(200);
    assert_eq!(app.audit_count().await, before + 1);
    let r = op
        .patch(
            &app.api(&format!("/admin/organizations/{}", x.org_id)),
            json!({"deactivated": false, "name": "Valley Rural Health Network"}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["deactivated_at"], Value::Null);
    assert_eq!(r.body["name"], "Valley Rural Health Network");
    assert_eq!(
        app.audit_count().await,
        before + 3,
        "renamed and reactivated"
    );
    x.get(&app.api("/auth/me")).await.expect(401);
    bearer.get(&app.api("/auth/me")).await.expect(401);
    let again = app.login(&x.email, PASSWORD).await;
    let me = again.get(&app.api("/auth/me")).await.expect(200);
    assert_eq!(
        me.body["organization"]["name"],
        "Valley Rural Health Network"
    );
    // A name another partner has: 409 on the field, nothing changed.
    app.partner(&op, "Prairie Bank").await;
    let before = app.audit_count().await;
    let r = op
        .patch(
            &app.api(&format!("/admin/organizations/{}", x.org_id)),
            json!({"name": "Prairie Bank"}),
        )
        .await
        .problem(409, "name_taken");
    assert_eq!(r.fields(), ["name"]);
    op.patch(
        &app.api(&format!("/admin/organizations/{}", x.org_id)),
        json!({"name": "  "}),
    )
    .await
    .problem(422, "validation_failed");
    // The operators' own organization cannot be deactivated.
    op.patch(
        &app.api(&format!("/admin/organizations/{}", op.org_id)),
        json!({"deactivated": true}),
    )
    .await
    .problem(409, "own_organization");
    // A developer with a request under review stays active (its off switch stays in reach),
    // and withdrawing it, its own choice, lets the operator go on.
    assert_eq!(app.audit_count().await, before);
    let request = submitted_request(&app, &c.dev, &c.model).await;
    let before = app.audit_count().await;
    let r = op
        .patch(
            &app.api(&format!("/admin/organizations/{}", c.dev.org_id)),
            json!({"deactivated": true}),
        )
        .await
        .problem(409, "organization_has_open_records");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("Only the developer"),
        "{}",
        r.body
    );
    assert_eq!(app.audit_count().await, before);
    c.dev
        .post_empty(&dr(&app, &request, "withdraw"))
        .await
        .expect(200);
    op.patch(
        &app.api(&format!("/admin/organizations/{}", c.dev.org_id)),
        json!({"deactivated": true}),
    )
    .await
    .expect(200);
    c.dev.get(&app.api("/models")).await.expect(401);
    // Not an operator: the route does not exist.
    c.nsa
        .patch(
            &app.api(&format!("/admin/organizations/{}", x.org_id)),
            json!({"deactivated": true}),
        )
        .await
        .problem(404, "not_found");
}
