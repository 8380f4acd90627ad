//! Partner co-selection and early-access grants (DESIGN §2.5, §2.6, §3, §5).

use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    developer_nominates_and_a_government_admin_concurs,
    government_nominates_a_new_partner_and_the_developer_concurs,
    a_new_partner_never_takes_over_an_existing_organization,
    only_agency_admins_answer_for_the_government,
    government_nominations_need_an_engagement_with_the_model,
    declined_and_rescinded_nominations_are_final,
    rescinding_a_selected_partner_revokes_its_grants_at_once,
    nominations_are_visible_to_the_developer_and_every_agency_only,
    nomination_lists_filter_by_status_and_model,
    nomination_bad_input_changes_nothing,
    partner_grants_need_a_selected_nomination,
    partner_sees_accepts_rosters_and_acknowledges_its_grant,
    agencies_see_partner_grant_metadata_but_never_instructions,
    revoking_a_partner_grant_is_immediate_idempotent_and_notifies,
    partner_grant_bad_input_changes_nothing,
    wrong_types_and_unknown_values_name_their_field,
);

const PARTNER_INSTRUCTIONS: &str = "credentials by phone";

/// The cast plus two partner organizations and a submitted request on the model (so every
/// agency may take part in co-selection).
struct World {
    c: Cast,
    x: User,
    y: User,
}

async fn world(app: &TestApp) -> World {
    let c = cast(app).await;
    let x = partner_org(app, &c.op, "Valley Rural Health").await;
    let y = partner_org(app, &c.op, "Prairie Community Bank").await;
    submitted_request(app, &c.dev, &c.model).await;
    World { c, x, y }
}

const X_ADMIN: &str = "admin@valleyruralhealth.example";

async fn developer_nominates_and_a_government_admin_concurs(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let cisa_member = colleague(&app, &c.cisa, "r@cisa.example", "member").await;
    let before = app.audit_count().await;
    let n = nominate(&app, &c.dev, &c.model, &x.org_id).await;
    assert_events(before, app.audit_count().await, 1, "nominated");
    let id = n["id"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(n["nominated_by"], "developer");
    assert_eq!(n["developer_position"], "concur");
    assert_eq!(n["government_position"], "pending");
    assert_eq!(n["partner_org_id"], x.org_id.as_str());
    assert_eq!(n["model_id"], c.model.as_str());
    assert!(n["created_at"].is_string());
    app.wait_mail("admin@nsa.example", "nominated").await;
    assert!(
        app.find_mail(X_ADMIN, "selected").is_none(),
        "not selected yet"
    );
    let before = app.audit_count().await;
    // The nominating side cannot answer its own nomination.
    let r = c
        .dev
        .post_empty(&nm(&app, &id, "concur"))
        .await
        .problem(409, "invalid_transition");
    no_gate(&r);
    c.dev
        .post_empty(&nm(&app, &id, "decline"))
        .await
        .problem(409, "invalid_transition");
    // A Government member who is not an admin cannot answer.
    cisa_member
        .post_empty(&nm(&app, &id, "concur"))
        .await
        .problem(403, "forbidden");
    assert_eq!(app.audit_count().await, before);
    let r = c.nsa.post_empty(&nm(&app, &id, "concur")).await.expect(200);
    assert_events(before, app.audit_count().await, 1, "concurred");
    assert_eq!(r.body["status"], "selected");
    assert_eq!(r.body["government_position"], "concur");
    app.wait_mail(X_ADMIN, "selected").await;
    let g = c.dev.get(&nm(&app, &id, "")).await.expect(200).body;
    assert_eq!(g["status"], "selected");
    // A selected nomination cannot be declined afterwards.
    let before = app.audit_count().await;
    c.cisa
        .post_empty(&nm(&app, &id, "decline"))
        .await
        .problem(409, "invalid_transition");
    assert_eq!(app.audit_count().await, before);
}

async fn government_nominates_a_new_partner_and_the_developer_concurs(app: TestApp) {
    let World { c, .. } = world(&app).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let nsa_member = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let contact = "ops@prairiewater.example";
    let before = app.audit_count().await;
    let r = nsa_member
        .post(
            &app.api("/nominations"),
            json!({"model_id": c.model, "new_partner": {"name": "Prairie Water Utility", "partner_type": "critical_infrastructure_operator", "sector": "water_and_wastewater_systems", "contact_email": contact}, "rationale": "Runs water systems for 40,000 people."}),
        )
        .await
        .expect(201);
    assert_events(before, app.audit_count().await, 1, "nominated");
    let id = r.id();
    assert_eq!(r.body["status"], "pending");
    assert_eq!(r.body["nominated_by"], "government");
    assert_eq!(r.body["government_position"], "concur");
    assert_eq!(r.body["developer_position"], "pending");
    assert!(
        r.body["partner_org_id"].is_null(),
        "no organization before selection"
    );
    app.wait_mail("dana@aurora.example", "nominated").await;
    assert_eq!(
        app.mail_count(contact),
        0,
        "nobody is invited before selection"
    );
    // The Government side cannot answer its own nomination, even another agency's admin.
    let before = app.audit_count().await;
    c.nsa
        .post_empty(&nm(&app, &id, "concur"))
        .await
        .problem(409, "invalid_transition");
    c.cisa
        .post_empty(&nm(&app, &id, "concur"))
        .await
        .problem(409, "invalid_transition");
    assert_eq!(app.audit_count().await, before);
    // Any developer member answers for the developer.
    let r = dev_member
        .post_empty(&nm(&app, &id, "concur"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "selected");
    let partner_org = r.body["partner_org_id"]
        .as_str()
        .expect("partner_org_id after selection")
        .to_string();
    let mail = app.wait_mail(contact, "invited").await;
    app.accept_invitation(&mail.token().unwrap(), "Pat Prairie")
        .await;
    let p = app.login(contact, PASSWORD).await;
    assert_eq!(p.org_id, partner_org);
    let me = p.get(&app.api("/auth/me")).await.expect(200).body;
    assert_eq!(me["organization"]["kind"], "partner");
    assert_eq!(me["organization"]["name"], "Prairie Water Utility");
    assert_eq!(me["user"]["org_role"], "admin");
    // The new partner cannot see the nomination; it gets its grant.
    p.get(&nm(&app, &id, "")).await.problem(404, "not_found");
    let pgr = issue_partner_grant(
        &app,
        &c.dev,
        &id,
        &c.template,
        t0() + days(1),
        t0() + days(20),
    )
    .await;
    let mine = p.get(&app.api("/partner-grants")).await.expect(200);
    assert_eq!(ids(&mine), vec![pgr["id"].as_str().unwrap().to_string()]);
}

/// DESIGN §2.5: a `new_partner` is always a new organization. Naming an existing partner never
/// merges into it, and its contact never gets a role there (the takeover of issue 7: an
/// attacker's address invited as admin of the existing partner, reading its grant's
/// instructions).
async fn a_new_partner_never_takes_over_an_existing_organization(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let attacker = "mallory@attacker.example";
    let body = |name: &str, contact: &str| {
        json!({"model_id": c.model, "rationale": "A trusted partner.",
               "new_partner": {"name": name, "partner_type": "critical_infrastructure_operator", "contact_email": contact}})
    };
    // Nominating a new partner under an existing partner's name is refused at the field, and
    // changes nothing.
    let before = app.audit_count().await;
    let r = c
        .dev
        .post(
            &app.api("/nominations"),
            body("Valley Rural Health", attacker),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["new_partner.name"]);
    assert_eq!(app.audit_count().await, before);

    // A partner of the same name created after the nomination: selection still makes a new
    // organization, under a distinct name, and the contact is admin of that one only.
    let n = c
        .dev
        .post(
            &app.api("/nominations"),
            body("Harbor Credit Union", attacker),
        )
        .await
        .expect(201);
    let existing = partner_org(&app, &c.op, "Harbor Credit Union").await;
    let r = c
        .nsa
        .post_empty(&nm(&app, &n.id(), "concur"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "selected");
    let created = r.body["partner_org_id"].as_str().unwrap().to_string();
    assert_ne!(
        created, existing.org_id,
        "never merged into the existing partner"
    );
    let mail = app.wait_mail(attacker, "invited").await;
    app.accept_invitation(&mail.token().unwrap(), "Mallory")
        .await;
    let m = app.login(attacker, PASSWORD).await;
    let me = m.get(&app.api("/auth/me")).await.expect(200).body;
    assert_eq!(me["organization"]["id"], created.as_str());
    assert_eq!(me["organization"]["name"], "Harbor Credit Union (2)");
    // The existing partner's members are still only its own.
    let users = existing
        .get(&app.api("/organizations/me"))
        .await
        .expect(200)
        .body;
    assert!(
        !users.to_string().contains(attacker),
        "the contact has no role in the existing partner: {users}"
    );

    // A contact whose address already has an account (here: an admin of partner X) is never
    // moved or added anywhere: the new organization is made, nobody is invited.
    let invitations = app.queued_mail(X_ADMIN, Some("invitation")).await;
    let n = c
        .dev
        .post(
            &app.api("/nominations"),
            body("Delta Grid Cooperative", X_ADMIN),
        )
        .await
        .expect(201);
    let r = c
        .nsa
        .post_empty(&nm(&app, &n.id(), "concur"))
        .await
        .expect(200);
    assert_ne!(r.body["partner_org_id"], x.org_id.as_str());
    let me = x.get(&app.api("/auth/me")).await.expect(200).body;
    assert_eq!(me["organization"]["id"], x.org_id.as_str());
    assert_eq!(me["user"]["org_role"], "admin");
    assert_eq!(
        app.queued_mail(X_ADMIN, Some("invitation")).await,
        invitations,
        "no invitation for an address that has an account"
    );
}

async fn only_agency_admins_answer_for_the_government(app: TestApp) {
    let World { c, x, y } = world(&app).await;
    let nsa_member = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let treasury = agency_org(&app, &c.op, "TREASURY").await;
    let n = nominate(&app, &c.dev, &c.model, &x.org_id).await;
    let id = n["id"].as_str().unwrap().to_string();
    let before = app.audit_count().await;
    for action in ["concur", "decline"] {
        nsa_member
            .post_empty(&nm(&app, &id, action))
            .await
            .problem(403, "forbidden");
        for who in [&x, &y] {
            who.post_empty(&nm(&app, &id, action))
                .await
                .problem(404, "not_found");
        }
        c.op.post_empty(&nm(&app, &id, action))
            .await
            .problem(404, "not_found");
    }
    assert_eq!(app.audit_count().await, before);
    // Any agency's admin answers for the Government (Treasury here).
    let r = treasury
        .post_empty(&nm(&app, &id, "decline"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "declined");
    assert_eq!(r.body["government_position"], "decline");
    assert_events(before, app.audit_count().await, 1, "declined");
}

async fn government_nominations_need_an_engagement_with_the_model(app: TestApp) {
    let c = cast(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    draft_request(&app, &c.dev, &c.model).await;
    let body = json!({"model_id": c.model, "partner_org_id": x.org_id, "rationale": "r"});
    let before = app.audit_count().await;
    for who in [&c.nsa, &c.cisa] {
        let r = who.post(&app.api("/nominations"), body.clone()).await;
        assert!(
            matches!(r.status.as_u16(), 403 | 404 | 422),
            "a model with only a draft request: {} {}",
            r.status,
            r.text
        );
    }
    assert_eq!(app.audit_count().await, before);
    // A grant to the NSA lets the NSA (only) nominate.
    offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(3),
    )
    .await;
    let before = app.audit_count().await;
    let r = c.cisa.post(&app.api("/nominations"), body.clone()).await;
    assert!(
        matches!(r.status.as_u16(), 403 | 404 | 422),
        "CISA has no grant: {}",
        r.text
    );
    assert_eq!(app.audit_count().await, before);
    let n = c
        .nsa
        .post(&app.api("/nominations"), body.clone())
        .await
        .expect(201);
    assert_eq!(n.body["nominated_by"], "government");
    // A submitted request opens it to every agency.
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    submitted_request(&app, &c.dev, &m2).await;
    c.cisa
        .post(
            &app.api("/nominations"),
            json!({"model_id": m2, "partner_org_id": x.org_id, "rationale": "r"}),
        )
        .await
        .expect(201);
    // Partners and operators never nominate.
    for who in [&x, &c.op] {
        who.post(&app.api("/nominations"), body.clone())
            .await
            .problem(403, "forbidden");
    }
}

async fn declined_and_rescinded_nominations_are_final(app: TestApp) {
    let World { c, x, y } = world(&app).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    // Declined by the Government.
    let d = nominate(&app, &c.dev, &c.model, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.nsa.post_empty(&nm(&app, &d, "decline")).await.expect(200);
    let before = app.audit_count().await;
    c.nsa
        .post_empty(&nm(&app, &d, "concur"))
        .await
        .problem(409, "invalid_transition");
    issue_refused(&app, &c, &d).await;
    assert_eq!(app.audit_count().await, before);
    // The developer may still rescind a declined nomination (its control).
    let r = dev_member
        .post_empty(&nm(&app, &d, "rescind"))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "rescinded");
    assert_events(before, app.audit_count().await, 1, "rescinded");
    // Declined by the developer (a Government nomination).
    let g = c
        .nsa
        .post(
            &app.api("/nominations"),
            json!({"model_id": c.model, "partner_org_id": y.org_id, "rationale": "bank"}),
        )
        .await
        .expect(201)
        .id();
    let r = c.dev.post_empty(&nm(&app, &g, "decline")).await.expect(200);
    assert_eq!(r.body["status"], "declined");
    assert_eq!(r.body["developer_position"], "decline");
    // Rescinded while pending: final, idempotent, agencies cannot rescind.
    let p = nominate(&app, &c.dev, &c.model, &y.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = app.audit_count().await;
    c.nsa
        .post_empty(&nm(&app, &p, "rescind"))
        .await
        .problem(403, "forbidden");
    assert_eq!(app.audit_count().await, before);
    c.dev.post_empty(&nm(&app, &p, "rescind")).await.expect(200);
    let r = c.dev.post_empty(&nm(&app, &p, "rescind")).await.expect(200);
    assert_eq!(r.body["status"], "rescinded");
    assert_events(
        before,
        app.audit_count().await,
        1,
        "rescind + idempotent repeat",
    );
    let before = app.audit_count().await;
    c.nsa
        .post_empty(&nm(&app, &p, "concur"))
        .await
        .problem(409, "invalid_transition");
    c.nsa
        .post_empty(&nm(&app, &p, "decline"))
        .await
        .problem(409, "invalid_transition");
    issue_refused(&app, &c, &p).await;
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        c.cisa.get(&nm(&app, &p, "")).await.expect(200).body["status"],
        "rescinded"
    );
}

async fn issue_refused(app: &TestApp, c: &Cast, nomination: &str) {
    let r = c
        .dev
        .post(
            &app.api("/partner-grants"),
            partner_grant_body(nomination, &c.template, t0() + days(1), t0() + days(5)),
        )
        .await
        .problem(409, "not_selected");
    no_gate(&r);
}

async fn rescinding_a_selected_partner_revokes_its_grants_at_once(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let id = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let pg1 = issue_partner_grant(
        &app,
        &c.dev,
        &id,
        &c.template,
        t0() + days(1),
        t0() + days(10),
    )
    .await;
    let pg2 = issue_partner_grant(
        &app,
        &c.dev,
        &id,
        &c.template,
        t0() + days(20),
        t0() + days(30),
    )
    .await;
    let (pg1, pg2) = (
        pg1["id"].as_str().unwrap().to_string(),
        pg2["id"].as_str().unwrap().to_string(),
    );
    x.post_empty(&pg(&app, &pg1, "accept-terms"))
        .await
        .expect(200);
    app.advance(days(2));
    assert_eq!(
        x.get(&pg(&app, &pg1, "")).await.expect(200).body["status"],
        "active"
    );
    let before = app.audit_count().await;
    let r = c
        .dev
        .post_empty(&nm(&app, &id, "rescind"))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "rescinded");
    assert_eq!(
        app.audit_count().await - before,
        1,
        "one event for the rescission"
    );
    for gid in [&pg1, &pg2] {
        assert_eq!(
            c.dev.get(&pg(&app, gid, "")).await.expect(200).body["status"],
            "revoked"
        );
        let seen = x.get(&pg(&app, gid, "")).await.expect(200).body;
        assert_eq!(seen["status"], "revoked");
        assert!(seen["access_instructions"].is_null());
    }
    app.wait_mail(X_ADMIN, "revoked").await;
    // No new grant for a rescinded partner.
    issue_refused(&app, &c, &id).await;
    // Repeat rescind: 200, nothing new.
    let before = app.audit_count().await;
    c.dev
        .post_empty(&nm(&app, &id, "rescind"))
        .await
        .expect(200);
    assert_eq!(app.audit_count().await, before);
}

async fn nominations_are_visible_to_the_developer_and_every_agency_only(app: TestApp) {
    let World { c, x, y } = world(&app).await;
    let treasury = agency_org(&app, &c.op, "TREASURY").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let id = nominate(&app, &c.dev, &c.model, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for who in [&c.nsa, &c.cisa, &treasury] {
        let g = who.get(&nm(&app, &id, "")).await.expect(200).body;
        assert_eq!(g["status"], "pending");
        assert!(ids(&who.get(&app.api("/nominations")).await.expect(200)).contains(&id));
    }
    let before = app.audit_count().await;
    for who in [&x, &y, &other, &c.op] {
        who.get(&nm(&app, &id, "")).await.problem(404, "not_found");
        for action in ["concur", "decline", "rescind"] {
            who.post_empty(&nm(&app, &id, action))
                .await
                .problem(404, "not_found");
        }
        let l = who.get(&app.api("/nominations")).await;
        if l.status == 200 {
            assert!(!ids(&l).contains(&id), "listed to an outsider");
        }
    }
    // Another developer cannot nominate for this model.
    let body = json!({"model_id": c.model, "partner_org_id": y.org_id, "rationale": "r"});
    let r = other.post(&app.api("/nominations"), body.clone()).await;
    let m = other
        .post(&app.api("/nominations"), with_random(&body, "model_id"))
        .await;
    same_as_missing(&r, &m);
    app.anon
        .get(&nm(&app, &id, ""))
        .await
        .problem(401, "unauthenticated");
    assert_eq!(app.audit_count().await, before);
}

async fn nomination_lists_filter_by_status_and_model(app: TestApp) {
    let World { c, x, y } = world(&app).await;
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let a = nominate(&app, &c.dev, &c.model, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = selected_nomination(&app, &c.dev, &c.nsa, &m2, &y.org_id).await;
    let d = nominate(&app, &c.dev, &m2, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    c.dev.post_empty(&nm(&app, &d, "rescind")).await.expect(200);
    let q = |s: String| {
        let u = c.nsa.clone();
        let url = app.api(&format!("/nominations?{s}"));
        async move {
            let mut v = ids(&u.get(&url).await.expect(200));
            v.sort();
            v
        }
    };
    assert_eq!(q("status=pending".into()).await, vec![a.clone()]);
    assert_eq!(q("status=selected".into()).await, vec![b.clone()]);
    assert_eq!(q("status=rescinded".into()).await, vec![d.clone()]);
    let mut want = vec![b.clone(), d.clone()];
    want.sort();
    assert_eq!(q(format!("model_id={m2}")).await, want);
    let p1 = c
        .dev
        .get(&app.api("/nominations?limit=2"))
        .await
        .expect(200);
    assert_eq!(items(&p1).len(), 2);
    let cur = p1.body["next_cursor"].as_str().expect("cursor").to_string();
    let p2 = c
        .dev
        .get(&app.api(&format!("/nominations?limit=2&cursor={cur}")))
        .await
        .expect(200);
    let mut all = ids(&p1);
    all.extend(ids(&p2));
    all.sort();
    let mut want = vec![a, b, d];
    want.sort();
    assert_eq!(all, want);
}

async fn nomination_bad_input_changes_nothing(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let before = app.audit_count().await;
    let r = post_raw(&c.dev, &app.api("/nominations"), "{\"model_id\": }").await;
    assert_eq!(r.status, 400);
    let np = |k: &str, v: serde_json::Value| {
        let mut p = json!({"name": "Prairie Water Utility", "partner_type": "critical_infrastructure_operator", "sector": "water_and_wastewater_systems", "contact_email": "ops@prairiewater.example"});
        if v.is_null() {
            p.as_object_mut().unwrap().remove(k);
        } else {
            p[k] = v;
        }
        json!({"model_id": c.model, "new_partner": p, "rationale": "r"})
    };
    let cases = vec![
        (
            json!({"model_id": c.model, "partner_org_id": x.org_id}),
            "rationale",
        ),
        (
            json!({"model_id": c.model, "partner_org_id": x.org_id, "rationale": "  "}),
            "rationale",
        ),
        (
            json!({"partner_org_id": x.org_id, "rationale": "r"}),
            "model_id",
        ),
        (json!({"model_id": c.model, "rationale": "r"}), "partner"),
        (
            json!({"model_id": c.model, "partner_org_id": c.nsa.org_id, "rationale": "r"}),
            "partner_org_id",
        ),
        (
            json!({"model_id": c.model, "partner_org_id": c.dev.org_id, "rationale": "r"}),
            "partner_org_id",
        ),
        (
            json!({"model_id": c.model, "partner_org_id": uuid::Uuid::new_v4().to_string(), "rationale": "r"}),
            "partner_org_id",
        ),
        (np("contact_email", json!("not-an-email")), "contact_email"),
        (
            np("contact_email", serde_json::Value::Null),
            "contact_email",
        ),
        (np("name", json!(" ")), "name"),
        (np("sector", json!("space_tourism")), "sector"),
    ];
    for (body, field) in cases {
        let r = c.dev.post(&app.api("/nominations"), body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(
            r.fields().iter().any(|f| f.contains(field)),
            "{body}: expected {field} in {:?}",
            r.fields()
        );
    }
    assert_eq!(app.audit_count().await, before);
    assert!(items(&c.dev.get(&app.api("/nominations")).await.expect(200)).is_empty());
    assert_eq!(app.mail_count("ops@prairiewater.example"), 0);
}

async fn partner_grants_need_a_selected_nomination(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let pending = nominate(&app, &c.dev, &c.model, &x.org_id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = app.audit_count().await;
    issue_refused(&app, &c, &pending).await;
    let id = {
        c.nsa
            .post_empty(&nm(&app, &pending, "concur"))
            .await
            .expect(200);
        pending
    };
    let body = partner_grant_body(&id, &c.template, t0() + days(1), t0() + days(5));
    let before2 = app.audit_count().await;
    assert_eq!(before2 - before, 1, "only the concurrence");
    let r = dev_member
        .post(&app.api("/partner-grants"), body.clone())
        .await
        .problem(403, "forbidden");
    no_gate(&r);
    for who in [&c.nsa, &x, &c.op] {
        who.post(&app.api("/partner-grants"), body.clone())
            .await
            .problem(403, "forbidden");
    }
    let r = other.post(&app.api("/partner-grants"), body.clone()).await;
    let m = other
        .post(
            &app.api("/partner-grants"),
            with_random(&body, "nomination_id"),
        )
        .await;
    same_as_missing(&r, &m);
    assert_eq!(app.audit_count().await, before2);
    let g = c
        .dev
        .post(&app.api("/partner-grants"), body)
        .await
        .expect(201)
        .body;
    assert_events(before2, app.audit_count().await, 1, "issued");
    assert_eq!(g["status"], "awaiting_terms");
    assert_eq!(g["nomination_id"], id.as_str());
}

async fn partner_sees_accepts_rosters_and_acknowledges_its_grant(app: TestApp) {
    let World { c, x, y } = world(&app).await;
    let x_member = colleague(&app, &x, "nurse@valleyruralhealth.example", "member").await;
    let x_member2 = colleague(&app, &x, "it@valleyruralhealth.example", "member").await;
    let y_member = colleague(&app, &y, "teller@prairiecommunitybank.example", "member").await;
    let id = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    // Partner grants are not Government windows: no 30-day cap.
    let starts = t0() + days(1);
    let ends = t0() + days(46);
    let before = app.audit_count().await;
    let g = issue_partner_grant(&app, &c.dev, &id, &c.template, starts, ends).await;
    assert_events(before, app.audit_count().await, 1, "issued");
    let gid = g["id"].as_str().unwrap().to_string();
    assert!(g["access_instructions"]
        .as_str()
        .unwrap()
        .contains(PARTNER_INSTRUCTIONS));
    let mail = app.wait_mail(X_ADMIN, "Early access was granted").await;
    assert!(!mail.raw.contains(PARTNER_INSTRUCTIONS));
    // The partner sees its own grants only.
    let l = x.get(&app.api("/partner-grants")).await.expect(200);
    assert_eq!(ids(&l), vec![gid.clone()]);
    assert!(
        !l.text.contains(PARTNER_INSTRUCTIONS),
        "list leaks instructions"
    );
    let seen = x.get(&pg(&app, &gid, "")).await.expect(200).body;
    // Awaiting terms for [t0 + 1 day, t0 + 46 days), 46 days remaining, without the
    // instructions (the partner admin is not rostered), with the terms' text.
    let names = [
        (gid.as_str(), "partner grant"),
        (id.as_str(), "nomination"),
        (c.model.as_str(), "model"),
        (c.template.as_str(), "terms"),
        (c.dev.org_id.as_str(), "developer"),
        (c.op.org_id.as_str(), "operator"),
        (x.org_id.as_str(), "partner"),
        (x_member.id.as_str(), "nurse"),
    ];
    insta::assert_json_snapshot!("partner_grant_seen_by_the_partner", named(&seen, &names), {
        ".terms.sha256" => "[sha256]",
    });
    let terms = seen["terms"].to_string();
    for section in [
        "confidentiality",
        "cybersecurity",
        "insider risk",
        "intellectual property",
        "use:",
        "nondisclosure",
    ] {
        assert!(
            terms.contains(&format!("Standard Government evaluation terms / {section}")),
            "terms text: {terms}"
        );
    }
    for who in [&y, &y_member] {
        who.get(&pg(&app, &gid, "")).await.problem(404, "not_found");
        assert!(!ids(&who.get(&app.api("/partner-grants")).await.expect(200)).contains(&gid));
    }
    // Terms: only the partner admin accepts.
    let before = app.audit_count().await;
    x_member
        .post_empty(&pg(&app, &gid, "accept-terms"))
        .await
        .problem(403, "forbidden");
    y.post_empty(&pg(&app, &gid, "accept-terms"))
        .await
        .problem(404, "not_found");
    assert_eq!(app.audit_count().await, before);
    let r = x
        .post_empty(&pg(&app, &gid, "accept-terms"))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "partner accepted");
    assert_eq!(r.body["status"], "scheduled");
    // Roster: the partner admin names its own people only.
    let base = pg(&app, &gid, "");
    let before = app.audit_count().await;
    for uid in [&y_member.id, &c.dev.id, &c.nsa.id] {
        let r = roster_add(&x, &base, uid)
            .await
            .problem(422, "validation_failed");
        assert!(r.fields().contains(&"user_id".to_string()), "{}", r.text);
    }
    roster_add(&x_member, &base, &x_member2.id)
        .await
        .problem(403, "forbidden");
    roster_add(&y, &base, &y_member.id)
        .await
        .problem(404, "not_found");
    assert_eq!(app.audit_count().await, before);
    let r = roster_add(&x, &base, &x_member.id).await;
    assert!(r.status == 200 || r.status == 201, "{}", r.text);
    assert_events(before, app.audit_count().await, 1, "rostered");
    let roster = x.get(&pg(&app, &gid, "roster")).await.expect(200).body;
    // One entry: the nurse of the partner, not yet acknowledged.
    insta::assert_json_snapshot!("partner_roster", named(&roster, &names));
    assert_eq!(
        items(&c.dev.get(&pg(&app, &gid, "roster")).await.expect(200)).len(),
        1
    );
    // Acknowledge: rostered users only.
    let before = app.audit_count().await;
    x_member2
        .post_empty(&pg(&app, &gid, "acknowledge"))
        .await
        .problem(403, "not_rostered");
    x.post_empty(&pg(&app, &gid, "acknowledge"))
        .await
        .problem(403, "not_rostered");
    assert_eq!(app.audit_count().await, before);
    x_member
        .post_empty(&pg(&app, &gid, "acknowledge"))
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "acknowledged");
    let v = x_member.get(&pg(&app, &gid, "")).await.expect(200).body;
    assert!(
        v["access_instructions"]
            .as_str()
            .unwrap()
            .contains(PARTNER_INSTRUCTIONS),
        "{v}"
    );
    let v = x.get(&pg(&app, &gid, "")).await.expect(200).body;
    assert!(
        v["access_instructions"].is_null(),
        "the un-rostered admin: {v}"
    );
    let v = x_member2.get(&pg(&app, &gid, "")).await.expect(200).body;
    assert!(v["access_instructions"].is_null());
    // The window opens on the clock.
    app.advance(days(1));
    assert_eq!(
        x.get(&pg(&app, &gid, "")).await.expect(200).body["status"],
        "active"
    );
    app.advance(days(45));
    assert_eq!(
        x.get(&pg(&app, &gid, "")).await.expect(200).body["status"],
        "expired"
    );
}

async fn agencies_see_partner_grant_metadata_but_never_instructions(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let treasury = agency_org(&app, &c.op, "TREASURY").await;
    let x_member = colleague(&app, &x, "nurse@valleyruralhealth.example", "member").await;
    let id = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let g = issue_partner_grant(
        &app,
        &c.dev,
        &id,
        &c.template,
        t0() + days(1),
        t0() + days(10),
    )
    .await;
    let gid = g["id"].as_str().unwrap().to_string();
    x.post_empty(&pg(&app, &gid, "accept-terms"))
        .await
        .expect(200);
    roster_add(&x, &pg(&app, &gid, ""), &x_member.id).await;
    x_member
        .post_empty(&pg(&app, &gid, "acknowledge"))
        .await
        .expect(200);
    for who in [&c.nsa, &c.cisa, &treasury] {
        let v = who.get(&pg(&app, &gid, "")).await.expect(200);
        assert!(v.body["access_instructions"].is_null(), "{}", v.text);
        assert!(!v.text.contains(PARTNER_INSTRUCTIONS), "{}", v.text);
        assert_eq!(v.body["status"], "scheduled");
        assert_eq!(v.body["model_name"], "Aurora-7");
        let l = who.get(&app.api("/partner-grants")).await.expect(200);
        assert!(
            !l.text.contains(PARTNER_INSTRUCTIONS),
            "list leaks: {}",
            l.text
        );
        // They cannot act on it.
        for action in ["revoke", "accept-terms", "acknowledge"] {
            let r = who.post_empty(&pg(&app, &gid, action)).await;
            assert_eq!(r.status, 403, "{action} by an agency: {}", r.text);
        }
    }
    assert!(app
        .mail
        .messages
        .lock()
        .unwrap()
        .iter()
        .all(|m| !m.raw.contains(PARTNER_INSTRUCTIONS)));
}

async fn revoking_a_partner_grant_is_immediate_idempotent_and_notifies(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let x_member = colleague(&app, &x, "nurse@valleyruralhealth.example", "member").await;
    let id = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let g = issue_partner_grant(
        &app,
        &c.dev,
        &id,
        &c.template,
        t0() + days(1),
        t0() + days(10),
    )
    .await;
    let gid = g["id"].as_str().unwrap().to_string();
    x.post_empty(&pg(&app, &gid, "accept-terms"))
        .await
        .expect(200);
    roster_add(&x, &pg(&app, &gid, ""), &x_member.id).await;
    x_member
        .post_empty(&pg(&app, &gid, "acknowledge"))
        .await
        .expect(200);
    app.advance(days(2));
    let before = app.audit_count().await;
    x.post_empty(&pg(&app, &gid, "revoke"))
        .await
        .problem(403, "forbidden");
    x_member
        .post_empty(&pg(&app, &gid, "revoke"))
        .await
        .problem(403, "forbidden");
    assert_eq!(app.audit_count().await, before);
    let r = dev_member
        .post_empty(&pg(&app, &gid, "revoke"))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "revoked");
    assert_events(before, app.audit_count().await, 1, "revoked");
    app.wait_mail(X_ADMIN, "revoked").await;
    let r = c
        .dev
        .post_empty(&pg(&app, &gid, "revoke"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "revoked");
    assert_events(before, app.audit_count().await, 1, "repeat revoke");
    app.run_jobs().await;
    assert_eq!(
        app.count_mail(X_ADMIN, "revoked"),
        1,
        "one revocation email"
    );
    let v = x_member.get(&pg(&app, &gid, "")).await.expect(200).body;
    assert_eq!(v["status"], "revoked");
    app.advance(days(30));
    assert_eq!(
        x.get(&pg(&app, &gid, "")).await.expect(200).body["status"],
        "revoked"
    );
}

async fn partner_grant_bad_input_changes_nothing(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let other_terms = publish_terms(&app, &other, "Beta terms").await;
    let id = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let good = partner_grant_body(&id, &c.template, t0() + days(1), t0() + days(5));
    let before = app.audit_count().await;
    let with = |k: &str, v: serde_json::Value| {
        let mut b = good.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    let cases = vec![
        (
            with("nomination_id", serde_json::Value::Null),
            "nomination_id",
        ),
        (with("starts_at", serde_json::Value::Null), "starts_at"),
        (with("ends_at", serde_json::Value::Null), "ends_at"),
        (
            with("terms_version_id", serde_json::Value::Null),
            "terms_version_id",
        ),
        (
            with("access_instructions", serde_json::Value::Null),
            "access_instructions",
        ),
        (
            with("access_instructions", json!(" ")),
            "access_instructions",
        ),
        (with("ends_at", json!(rfc(t0() + days(1)))), "ends_at"),
        (
            with("terms_version_id", json!(uuid::Uuid::new_v4().to_string())),
            "terms_version_id",
        ),
        (
            with("terms_version_id", other_terms["id"].clone()),
            "terms_version_id",
        ),
    ];
    for (body, field) in cases {
        let r = c.dev.post(&app.api("/partner-grants"), body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(
            r.fields().iter().any(|f| f.starts_with(field)),
            "{body}: expected {field} in {:?}",
            r.fields()
        );
    }
    assert_eq!(app.audit_count().await, before);
    assert!(items(&c.dev.get(&app.api("/partner-grants")).await.expect(200)).is_empty());
    assert!(app.find_mail(X_ADMIN, "Early access").is_none());
}

/// Wrong JSON types and unknown enum values are 422s naming the field, and change nothing.
async fn wrong_types_and_unknown_values_name_their_field(app: TestApp) {
    let World { c, x, .. } = world(&app).await;
    let id = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let before = app.audit_count().await;
    let good_pg = partner_grant_body(&id, &c.template, t0() + days(1), t0() + days(5));
    let mut bad_start = good_pg.clone();
    bad_start["starts_at"] = json!("next week");
    let mut bad_instr = good_pg.clone();
    bad_instr["access_instructions"] = json!(5);
    let cases = vec![
        (
            app.api("/nominations"),
            json!({"model_id": c.model, "new_partner": {"name": "P", "partner_type": "pirate", "contact_email": "p@p.example"}, "rationale": "r"}),
            "partner_type",
        ),
        (
            app.api("/nominations"),
            json!({"model_id": c.model, "partner_org_id": 5, "rationale": "r"}),
            "partner_org_id",
        ),
        (
            app.api("/nominations"),
            json!({"model_id": c.model, "partner_org_id": x.org_id, "rationale": ["r"]}),
            "rationale",
        ),
        (app.api("/partner-grants"), bad_start, "starts_at"),
        (app.api("/partner-grants"), bad_instr, "access_instructions"),
    ];
    let mut wrong: Vec<String> = Vec::new();
    for (url, body, field) in cases {
        let r = c.dev.post(&url, body.clone()).await;
        if r.status != 422
            || r.code() != "validation_failed"
            || !r.fields().iter().any(|f| f.contains(field))
        {
            wrong.push(format!(
                "POST {url} {body}: expected 422 validation_failed naming {field}, got {} {:?} {}",
                r.status,
                r.fields(),
                r.text
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} case(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(app.audit_count().await, before);
}
