//! Models and designation review (DESIGN §2.1, §2.2, §2.3 terms, §3, §5): filing, review,
//! consultations, the NSA-only determination, the message thread, visibility and audit.

use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    a_withdrawn_draft_stays_the_developers_alone,
    models_are_registered_edited_and_released_by_their_developer,
    models_of_other_orgs_are_invisible_and_others_cannot_register,
    model_bad_input_changes_nothing,
    request_is_filed_as_draft_and_submitted_once,
    drafts_are_the_developers_alone,
    review_assign_request_info_respond,
    consultations_show_which_offices_were_consulted,
    only_nsa_members_record_the_determination,
    determination_of_a_withdrawn_request_is_a_conflict,
    withdraw_is_idempotent_with_one_audit_event,
    message_thread_between_developer_and_reviewers,
    requests_are_invisible_to_partners_and_other_developers,
    request_lists_filter_by_status_and_model_and_paginate,
    request_bad_input_changes_nothing,
    wrong_types_and_unknown_values_name_their_field,
    review_actions_bad_input_changes_nothing,
    every_review_step_writes_one_audit_event,
    audit_events_on_a_request_are_listed_for_orgs_that_see_it,
    terms_are_published_hashed_and_immutable,
    terms_refuse_missing_sections_and_wrong_roles,
);

// ---------------------------------------------------------------- models

async fn models_are_registered_edited_and_released_by_their_developer(app: TestApp) {
    let dev = developer(&app, "Aurora AI Labs", "dana@aurora.example").await;
    let member = colleague(&app, &dev, "sam@aurora.example", "member").await;
    let before = app.audit_count().await;
    let release = t0() + days(60);
    let m = dev
        .post(
            &app.api("/models"),
            json!({"name": "Aurora-7", "version": "7.0", "description": "General model", "modality": "text", "planned_partner_release_at": rfc(release)}),
        )
        .await
        .expect(201)
        .body;
    assert_events(before, app.audit_count().await, 1, "model created");
    let id = m["id"].as_str().unwrap().to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    // In development, created now, release planned at t0 + 60 days, no Government days yet.
    let names = [(id.as_str(), "model"), (dev.org_id.as_str(), "developer")];
    insta::assert_json_snapshot!("model_registered", named(&m, &names));

    // A plain developer member registers models too; optional fields may be left out.
    let m2 = member
        .post(
            &app.api("/models"),
            json!({"name": "Aurora-mini", "version": "0.1"}),
        )
        .await
        .expect(201)
        .body;
    assert!(m2["planned_partner_release_at"].is_null());

    // Edit.
    let before = app.audit_count().await;
    let p = dev
        .patch(
            &app.api(&format!("/models/{id}")),
            json!({"version": "7.1", "description": "Updated"}),
        )
        .await
        .expect(200)
        .body;
    assert_events(before, app.audit_count().await, 1, "model edited");
    assert_eq!(p["version"], "7.1");
    assert_eq!(p["description"], "Updated");
    assert_eq!(p["name"], "Aurora-7");
    let g = dev
        .get(&app.api(&format!("/models/{id}")))
        .await
        .expect(200)
        .body;
    assert_eq!(g["version"], "7.1");

    // Release: nothing needed from the Government; idempotent.
    app.advance(chrono::Duration::hours(2));
    let released_at = app.now();
    let before = app.audit_count().await;
    let r = dev
        .post_empty(&app.api(&format!("/models/{id}/release")))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "released");
    assert_eq!(ts(&r.body["released_at"]), released_at);
    assert_events(before, app.audit_count().await, 1, "model released");
    app.advance(chrono::Duration::hours(1));
    let before = app.audit_count().await;
    let r = member
        .post_empty(&app.api(&format!("/models/{id}/release")))
        .await
        .expect(200);
    assert_eq!(
        ts(&r.body["released_at"]),
        released_at,
        "unchanged on repeat"
    );
    assert_events(before, app.audit_count().await, 0, "repeat release");

    // The list shows both models; filters by status.
    let all = dev.get(&app.api("/models")).await.expect(200);
    assert_eq!(items(&all).len(), 2);
    assert!(all.body.get("next_cursor").is_some());
    let rel = dev
        .get(&app.api("/models?status=released"))
        .await
        .expect(200);
    assert_eq!(ids(&rel), vec![id.clone()]);
    let page = dev.get(&app.api("/models?limit=1")).await.expect(200);
    assert_eq!(items(&page).len(), 1);
    let cursor = page.body["next_cursor"]
        .as_str()
        .expect("next_cursor")
        .to_string();
    let page2 = dev
        .get(&app.api(&format!("/models?limit=1&cursor={cursor}")))
        .await
        .expect(200);
    assert_eq!(items(&page2).len(), 1);
    assert_ne!(ids(&page), ids(&page2));
    assert!(page2.body["next_cursor"].is_null());
}

async fn models_of_other_orgs_are_invisible_and_others_cannot_register(app: TestApp) {
    let op = new_operator(&app).await;
    let nsa = agency_org(&app, &op, "NSA").await;
    let partner = partner_org(&app, &op, "Valley Rural Health").await;
    let a = developer(&app, "Alpha Labs", "a@alpha.example").await;
    let b = developer(&app, "Beta Labs", "b@beta.example").await;
    let id = new_model(&app, &a, "Alpha-1").await;
    let before = app.audit_count().await;
    let body = json!({"name": "X", "version": "1"});
    nsa.post(&app.api("/models"), body.clone())
        .await
        .problem(403, "forbidden");
    partner
        .post(&app.api("/models"), body.clone())
        .await
        .problem(403, "forbidden");
    op.post(&app.api("/models"), body.clone())
        .await
        .problem(403, "forbidden");
    app.anon
        .post(&app.api("/models"), body.clone())
        .await
        .problem(401, "unauthenticated");
    for who in [&b, &nsa, &partner, &op] {
        who.get(&app.api(&format!("/models/{id}")))
            .await
            .problem(404, "not_found");
        who.patch(
            &app.api(&format!("/models/{id}")),
            json!({"name": "Stolen"}),
        )
        .await
        .problem(404, "not_found");
        who.post_empty(&app.api(&format!("/models/{id}/release")))
            .await
            .problem(404, "not_found");
        let l = who.get(&app.api("/models")).await;
        if l.status == 200 {
            assert!(!ids(&l).contains(&id), "another org lists the model");
        }
    }
    // A missing id answers the same as an invisible one.
    let missing = uuid::Uuid::new_v4();
    let m = b.get(&app.api(&format!("/models/{missing}"))).await;
    let h = b.get(&app.api(&format!("/models/{id}"))).await;
    assert_eq!(m.status, h.status);
    assert_eq!(m.body["code"], h.body["code"]);
    assert_eq!(m.body["detail"], h.body["detail"]);
    assert_eq!(app.audit_count().await, before, "refusals write nothing");
    let g = a.get(&app.api(&format!("/models/{id}"))).await.expect(200);
    assert_eq!(g.body["name"], "Alpha-1");
    assert!(g.body["released_at"].is_null());
}

async fn model_bad_input_changes_nothing(app: TestApp) {
    let dev = developer(&app, "Aurora AI Labs", "dana@aurora.example").await;
    let id = new_model(&app, &dev, "Aurora-7").await;
    let snapshot = dev
        .get(&app.api(&format!("/models/{id}")))
        .await
        .expect(200)
        .body;
    let before = app.audit_count().await;
    // Malformed JSON.
    let r = post_raw(&dev, &app.api("/models"), "{\"name\": ").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    for (body, field) in [
        (json!({"version": "1"}), "name"),
        (json!({"name": "", "version": "1"}), "name"),
        (json!({"name": "A"}), "version"),
    ] {
        let r = dev
            .post(&app.api("/models"), body.clone())
            .await
            .problem(422, "validation_failed");
        assert!(
            r.fields().contains(&field.to_string()),
            "{body}: expected {field} in {}",
            r.text
        );
    }
    let r = dev
        .patch(&app.api(&format!("/models/{id}")), json!({"name": "  "}))
        .await
        .problem(422, "validation_failed");
    assert!(r.fields().contains(&"name".to_string()), "{}", r.text);
    assert_eq!(app.audit_count().await, before);
    let after = dev
        .get(&app.api(&format!("/models/{id}")))
        .await
        .expect(200)
        .body;
    assert_eq!(after, snapshot);
    assert_eq!(
        items(&dev.get(&app.api("/models")).await.expect(200)).len(),
        1
    );
}

// ---------------------------------------------------------------- filing

async fn request_is_filed_as_draft_and_submitted_once(app: TestApp) {
    let c = cast(&app).await;
    let before = app.audit_count().await;
    let due = t0() + days(21);
    let r = c
        .dev
        .post(
            &app.api("/designation-requests"),
            json!({"model_id": c.model, "summary": "Please review Aurora-7", "capability_evidence": "Evals attached", "requested_response_by": due.date_naive().to_string()}),
        )
        .await
        .expect(201);
    assert_events(before, app.audit_count().await, 1, "request created");
    let id = r.id();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["model_id"], c.model.as_str());
    assert_eq!(r.body["summary"], "Please review Aurora-7");
    assert_eq!(r.body["capability_evidence"], "Evals attached");
    assert_eq!(
        r.body["requested_response_by"],
        due.date_naive().to_string(),
        "a calendar date"
    );
    assert!(r.body["created_at"].is_string());
    // Nothing is sent to reviewers for a draft.
    assert_eq!(
        app.mail_count("admin@nsa.example"),
        1,
        "only the invitation"
    );

    let before = app.audit_count().await;
    let s = c.dev.post_empty(&dr(&app, &id, "submit")).await.expect(200);
    assert_eq!(s.body["status"], "submitted");
    assert_events(before, app.audit_count().await, 1, "request submitted");
    let mail = app
        .wait_mail("admin@nsa.example", "designation request was submitted")
        .await;
    assert!(
        !mail.raw.contains("Evals attached"),
        "no record content in email"
    );
    assert!(mail.link().is_some());

    // Submitting again is a 409 and writes nothing.
    let before = app.audit_count().await;
    let again = c
        .dev
        .post_empty(&dr(&app, &id, "submit"))
        .await
        .problem(409, "invalid_transition");
    no_gate(&again);
    assert_eq!(app.audit_count().await, before);
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200);
    assert_eq!(g.body["status"], "submitted");
    // Agencies now see it.
    c.nsa.get(&dr(&app, &id, "")).await.expect(200);
    c.cisa.get(&dr(&app, &id, "")).await.expect(200);
    // Reviewers cannot submit for the developer.
    c.nsa
        .post_empty(&dr(&app, &id, "submit"))
        .await
        .problem(403, "forbidden");
}

async fn drafts_are_the_developers_alone(app: TestApp) {
    let c = cast(&app).await;
    let member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let draft = draft_request(&app, &member, &c.model).await;
    // The whole developer org sees its drafts.
    c.dev.get(&dr(&app, &draft, "")).await.expect(200);
    let mine = c
        .dev
        .get(&app.api("/designation-requests"))
        .await
        .expect(200);
    assert!(ids(&mine).contains(&draft));
    // Agencies do not: 404, and no list entry.
    for who in [&c.nsa, &c.cisa] {
        who.get(&dr(&app, &draft, ""))
            .await
            .problem(404, "not_found");
        let l = who.get(&app.api("/designation-requests")).await.expect(200);
        assert!(!ids(&l).contains(&draft), "an agency lists a draft");
        who.post(&dr(&app, &draft, "assign"), json!({}))
            .await
            .problem(404, "not_found");
        who.get(&dr(&app, &draft, "messages"))
            .await
            .problem(404, "not_found");
        who.post(&dr(&app, &draft, "messages"), json!({"body": "hello"}))
            .await
            .problem(404, "not_found");
    }
    c.nsa
        .post(
            &dr(&app, &draft, "determination"),
            json!({"outcome": "covered", "rationale": "r", "benchmark_ref": "b"}),
        )
        .await
        .problem(404, "not_found");
    // Once submitted, every agency sees it.
    c.dev
        .post_empty(&dr(&app, &draft, "submit"))
        .await
        .expect(200);
    let l = c
        .cisa
        .get(&app.api("/designation-requests"))
        .await
        .expect(200);
    assert!(ids(&l).contains(&draft));
}

// ---------------------------------------------------------------- review

async fn review_assign_request_info_respond(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    // Assign without user_id: to oneself.
    let a = analyst
        .post(&dr(&app, &id, "assign"), json!({}))
        .await
        .expect(200);
    assert_eq!(a.body["status"], "under_review");
    // Assign to a named agency user.
    let a = c
        .nsa
        .post(&dr(&app, &id, "assign"), json!({"user_id": analyst.id}))
        .await
        .expect(200);
    assert_eq!(a.body["status"], "under_review");
    // The developer cannot assign, request info or consult.
    c.dev
        .post(&dr(&app, &id, "assign"), json!({}))
        .await
        .problem(403, "forbidden");
    c.dev
        .post(&dr(&app, &id, "request-info"), json!({"message": "x"}))
        .await
        .problem(403, "forbidden");
    // Responding without an open information request is a 409.
    c.dev
        .post(&dr(&app, &id, "respond"), json!({"message": "unprompted"}))
        .await
        .problem(409, "invalid_transition");

    let r = analyst
        .post(
            &dr(&app, &id, "request-info"),
            json!({"message": "Please share the red-team methodology."}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "info_requested");
    let mail = app
        .wait_mail("dana@aurora.example", "asked for information")
        .await;
    assert!(
        !mail.raw.contains("red-team methodology"),
        "no content in email"
    );
    // Only the developer responds.
    c.nsa
        .post(&dr(&app, &id, "respond"), json!({"message": "x"}))
        .await
        .problem(403, "forbidden");
    let r = c
        .dev
        .post(
            &dr(&app, &id, "respond"),
            json!({"message": "Methodology attached as section 4."}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "under_review");
    // A second respond has nothing to answer.
    c.dev
        .post(&dr(&app, &id, "respond"), json!({"message": "again"}))
        .await
        .problem(409, "invalid_transition");
    // The thread holds the information request and the response, in order.
    let t = c.dev.get(&dr(&app, &id, "messages")).await.expect(200);
    let msgs = items(&t);
    let kinds: Vec<&str> = msgs.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["info_request", "response"], "{}", t.text);
    assert_eq!(msgs[0]["body"], "Please share the red-team methodology.");
    assert_eq!(msgs[0]["author_org_name"], "NSA office");
    assert_eq!(msgs[1]["author_name"], "Dev Admin");
    assert_eq!(msgs[1]["author_org_name"], "Aurora AI Labs");
    // Assigning to a user outside any agency is refused.
    let before = app.audit_count().await;
    let r = c
        .nsa
        .post(&dr(&app, &id, "assign"), json!({"user_id": c.dev.id}))
        .await;
    assert!(
        r.status == 422 || r.status == 404,
        "assigning to a developer user: {} {}",
        r.status,
        r.text
    );
    assert_eq!(app.audit_count().await, before);
}

async fn consultations_show_which_offices_were_consulted(app: TestApp) {
    let c = cast(&app).await;
    // Each office records only its own consultation (DESIGN §2.2).
    let ncd = agency_org(&app, &c.op, "NCD").await;
    let ostp = agency_org(&app, &c.op, "OSTP").await;
    let dow = agency_org(&app, &c.op, "DOW").await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(
        g["consulted"],
        json!({"NCD": false, "OSTP": false, "CISA": false, "DOW": false})
    );
    assert_eq!(g["consultations"], json!([]));
    let before = app.audit_count().await;
    let r = c
        .cisa
        .post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": "CISA", "position": "concur", "note": "Critical-infrastructure risk reviewed."}),
        )
        .await
        .expect(201);
    assert_events(before, app.audit_count().await, 1, "consultation");
    assert!(r.body["id"].is_string(), "{}", r.text);
    ncd.post(
        &dr(&app, &id, "consultations"),
        json!({"agency_code": "NCD", "position": "no_comment", "note": "NCD consulted by phone."}),
    )
    .await
    .expect(201);
    ostp.post(
        &dr(&app, &id, "consultations"),
        json!({"agency_code": "OSTP", "position": "non_concur", "note": "APST prefers more evidence."}),
    )
    .await
    .expect(201);
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(
        g["consulted"],
        json!({"NCD": true, "OSTP": true, "CISA": true, "DOW": false})
    );
    let cons = g["consultations"].as_array().unwrap();
    assert_eq!(cons.len(), 3);
    let cisa = cons.iter().find(|x| x["agency_code"] == "CISA").unwrap();
    assert_eq!(cisa["position"], "concur");
    assert_eq!(cisa["note"], "Critical-infrastructure risk reviewed.");
    // A consultation moves a submitted request under review.
    assert_eq!(g["status"], "under_review");
    // The developer does not record consultations; partners do not see the request.
    c.dev
        .post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": "DOW", "position": "concur", "note": "n"}),
        )
        .await
        .problem(403, "forbidden");
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    partner
        .post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": "DOW", "position": "concur", "note": "n"}),
        )
        .await
        .problem(404, "not_found");
    // NSA may record its own consultation, which is not one of the four offices on the
    // checklist; it may not record one in DOW's name.
    c.nsa
        .post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": "NSA", "position": "concur", "note": "NSA's own view."}),
        )
        .await
        .expect(201);
    c.nsa
        .post(
            &dr(&app, &id, "consultations"),
            json!({"agency_code": "DOW", "position": "concur", "note": "DOW liaison concurs."}),
        )
        .await
        .problem(403, "forbidden");
    let g = c.nsa.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(
        g["consulted"],
        json!({"NCD": true, "OSTP": true, "CISA": true, "DOW": false})
    );
    dow.post(
        &dr(&app, &id, "consultations"),
        json!({"agency_code": "DOW", "position": "concur", "note": "DOW liaison concurs."}),
    )
    .await
    .expect(201);
    let g = c.nsa.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(
        g["consulted"],
        json!({"NCD": true, "OSTP": true, "CISA": true, "DOW": true})
    );
}

async fn only_nsa_members_record_the_determination(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let nsa_member = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let cisa_member = colleague(&app, &c.cisa, "reviewer@cisa.example", "member").await;
    let treasury = agency_org(&app, &c.op, "TREASURY").await;
    assign_self(&app, &nsa_member, &id).await;
    let body = json!({"outcome": "covered", "rationale": "Meets the cyber capability threshold.", "benchmark_ref": "NSA-BM-7"});
    let before = app.audit_count().await;
    for who in [&c.cisa, &cisa_member, &treasury] {
        who.post(&dr(&app, &id, "determination"), body.clone())
            .await
            .problem(403, "forbidden");
    }
    let r = c
        .dev
        .post(&dr(&app, &id, "determination"), body.clone())
        .await
        .problem(403, "forbidden");
    no_gate(&r);
    c.op.post(&dr(&app, &id, "determination"), body.clone())
        .await
        .problem(404, "not_found");
    assert_eq!(app.audit_count().await, before, "refusals write nothing");
    assert_eq!(
        c.dev.get(&dr(&app, &id, "")).await.expect(200).body["status"],
        "under_review"
    );
    // An NSA *member* (not only the admin) determines.
    let r = nsa_member
        .post(&dr(&app, &id, "determination"), body.clone())
        .await
        .expect(200);
    assert_events(before, app.audit_count().await, 1, "determination");
    assert_eq!(r.body["status"], "determined");
    let d = &r.body["determination"];
    assert_eq!(d["outcome"], "covered");
    assert_eq!(d["rationale"], "Meets the cyber capability threshold.");
    assert_eq!(d["benchmark_ref"], "NSA-BM-7");
    assert_eq!(ts(&d["determined_at"]), app.now());
    assert_eq!(d["determined_by_name"], "Member");
    let mail = app.wait_mail("dana@aurora.example", "determination").await;
    assert!(
        !mail.raw.contains("cyber capability threshold"),
        "no content"
    );
    // The developer sees the determination with its rationale.
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(g["determination"]["outcome"], "covered");
    assert_eq!(
        g["determination"]["rationale"],
        "Meets the cyber capability threshold."
    );
    // A determined request cannot be determined again, nor sent back for information.
    let before = app.audit_count().await;
    c.nsa
        .post(
            &dr(&app, &id, "determination"),
            json!({"outcome": "not_covered", "rationale": "r", "benchmark_ref": "b"}),
        )
        .await
        .problem(409, "invalid_transition");
    c.nsa
        .post(&dr(&app, &id, "request-info"), json!({"message": "more?"}))
        .await
        .problem(409, "invalid_transition");
    assert_eq!(app.audit_count().await, before);
    // not_covered is the other outcome, from submitted directly.
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let id2 = submitted_request(&app, &c.dev, &m2).await;
    let r = determine(&app, &c.nsa, &id2, "not_covered").await;
    assert_eq!(r["determination"]["outcome"], "not_covered");
    assert_eq!(r["determination"]["determined_by_name"], "First Admin");
}

async fn determination_of_a_withdrawn_request_is_a_conflict(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    assign_self(&app, &c.nsa, &id).await;
    c.dev
        .post_empty(&dr(&app, &id, "withdraw"))
        .await
        .expect(200);
    let before = app.audit_count().await;
    let r = c
        .nsa
        .post(
            &dr(&app, &id, "determination"),
            json!({"outcome": "covered", "rationale": "r", "benchmark_ref": "b"}),
        )
        .await
        .problem(409, "invalid_transition");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("withdrawn"),
        "{}",
        r.text
    );
    c.nsa
        .post(&dr(&app, &id, "request-info"), json!({"message": "m"}))
        .await
        .problem(409, "invalid_transition");
    c.nsa
        .post(&dr(&app, &id, "assign"), json!({}))
        .await
        .problem(409, "invalid_transition");
    assert_eq!(app.audit_count().await, before);
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    assert_eq!(g["status"], "withdrawn");
    assert!(g["determination"].is_null(), "{g}");
    // A withdrawn request stays visible to the agencies (it was submitted).
    c.cisa.get(&dr(&app, &id, "")).await.expect(200);
    // The developer may file a new request for a new version.
    let v2 = new_model_with(&app, &c.dev, json!({"name": "Aurora-7", "version": "7.1"})).await;
    submitted_request(&app, &c.dev, v2["id"].as_str().unwrap()).await;
}

async fn withdraw_is_idempotent_with_one_audit_event(app: TestApp) {
    let c = cast(&app).await;
    let member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let before = app.audit_count().await;
    let r = member
        .post_empty(&dr(&app, &id, "withdraw"))
        .await
        .expect(200);
    no_gate(&r);
    assert_eq!(r.body["status"], "withdrawn");
    assert_events(before, app.audit_count().await, 1, "withdraw");
    let r = c
        .dev
        .post_empty(&dr(&app, &id, "withdraw"))
        .await
        .expect(200);
    assert_eq!(r.body["status"], "withdrawn");
    assert_events(
        before,
        app.audit_count().await,
        1,
        "repeat withdraw writes nothing",
    );
    // Reviewers cannot withdraw for the developer.
    let id2 = submitted_request(&app, &c.dev, &c.model).await;
    let before = app.audit_count().await;
    c.nsa
        .post_empty(&dr(&app, &id2, "withdraw"))
        .await
        .problem(403, "forbidden");
    assert_eq!(app.audit_count().await, before);
    let events = c
        .dev
        .get(&app.api(&format!("/audit-events?target_id={id}")))
        .await
        .expect(200);
    let withdrawn = items(&events)
        .iter()
        .filter(|e| e["action"].as_str().unwrap_or("").contains("withdr"))
        .count();
    assert_eq!(withdrawn, 1, "{}", events.text);
}

async fn message_thread_between_developer_and_reviewers(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let before = app.audit_count().await;
    let m = c
        .dev
        .post(
            &dr(&app, &id, "messages"),
            json!({"body": "Happy to brief in person."}),
        )
        .await;
    assert!(
        m.status == 201 || m.status == 200,
        "{} {}",
        m.status,
        m.text
    );
    assert_events(before, app.audit_count().await, 1, "message");
    c.cisa
        .post(
            &dr(&app, &id, "messages"),
            json!({"body": "CISA would like a briefing."}),
        )
        .await;
    let t = c.nsa.get(&dr(&app, &id, "messages")).await.expect(200);
    let msgs = items(&t);
    assert_eq!(msgs.len(), 2, "{}", t.text);
    assert_eq!(msgs[0]["kind"], "message");
    assert_eq!(msgs[0]["body"], "Happy to brief in person.");
    assert_eq!(msgs[0]["author_org_name"], "Aurora AI Labs");
    assert_eq!(msgs[1]["author_org_name"], "CISA office");
    for m in &msgs {
        assert!(m["id"].is_string() && m["created_at"].is_string() && m["author_name"].is_string());
    }
    // Same thread for the developer.
    let t2 = c.dev.get(&dr(&app, &id, "messages")).await.expect(200);
    assert_eq!(items(&t2).len(), 2);
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    // Empty body: 422, nothing written.
    let before = app.audit_count().await;
    let r = c
        .dev
        .post(&dr(&app, &id, "messages"), json!({"body": "   "}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["body"]);
    // Partners and other developers: 404.
    for who in [&partner, &other] {
        who.get(&dr(&app, &id, "messages"))
            .await
            .problem(404, "not_found");
        who.post(&dr(&app, &id, "messages"), json!({"body": "hi"}))
            .await
            .problem(404, "not_found");
    }
    assert_eq!(app.audit_count().await, before);
}

async fn requests_are_invisible_to_partners_and_other_developers(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let before = app.audit_count().await;
    for who in [&partner, &other, &c.op] {
        who.get(&dr(&app, &id, "")).await.problem(404, "not_found");
        for action in ["withdraw", "submit"] {
            who.post_empty(&dr(&app, &id, action))
                .await
                .problem(404, "not_found");
        }
        who.post(&dr(&app, &id, "respond"), json!({"message": "m"}))
            .await
            .problem(404, "not_found");
        let l = who.get(&app.api("/designation-requests")).await;
        if l.status == 200 {
            assert!(!ids(&l).contains(&id));
        }
    }
    // Another developer may not file a request for someone else's model.
    let body = json!({"model_id": c.model, "summary": "s", "capability_evidence": "e"});
    let r = other
        .post(&app.api("/designation-requests"), body.clone())
        .await;
    let m = other
        .post(
            &app.api("/designation-requests"),
            with_random(&body, "model_id"),
        )
        .await;
    same_as_missing(&r, &m);
    // Agencies cannot file at all.
    c.nsa
        .post(
            &app.api("/designation-requests"),
            json!({"model_id": c.model, "summary": "s", "capability_evidence": "e"}),
        )
        .await
        .problem(403, "forbidden");
    // Anonymous.
    app.anon
        .get(&dr(&app, &id, ""))
        .await
        .problem(401, "unauthenticated");
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        items(
            &c.dev
                .get(&app.api("/designation-requests"))
                .await
                .expect(200)
        )
        .len(),
        1
    );
}

async fn request_lists_filter_by_status_and_model_and_paginate(app: TestApp) {
    let c = cast(&app).await;
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let m3 = new_model(&app, &c.dev, "Aurora-9").await;
    // One open request per model version: the withdrawn one comes before the draft.
    let w = submitted_request(&app, &c.dev, &c.model).await;
    c.dev
        .post_empty(&dr(&app, &w, "withdraw"))
        .await
        .expect(200);
    let d1 = draft_request(&app, &c.dev, &c.model).await;
    let s1 = submitted_request(&app, &c.dev, &m2).await;
    let s2 = submitted_request(&app, &c.dev, &m3).await;
    let l = c
        .dev
        .get(&app.api("/designation-requests?status=submitted"))
        .await
        .expect(200);
    let mut got = ids(&l);
    got.sort();
    let mut want = vec![s1.clone(), s2.clone()];
    want.sort();
    assert_eq!(got, want);
    let l = c
        .dev
        .get(&app.api(&format!("/designation-requests?model_id={}", c.model)))
        .await
        .expect(200);
    let mut got = ids(&l);
    got.sort();
    let mut want = vec![d1.clone(), w.clone()];
    want.sort();
    assert_eq!(got, want);
    let l = c
        .dev
        .get(&app.api("/designation-requests?status=draft"))
        .await
        .expect(200);
    assert_eq!(ids(&l), vec![d1.clone()]);
    // The NSA sees the three non-drafts; pages of 2 cover them without repeats.
    let p1 = c
        .nsa
        .get(&app.api("/designation-requests?limit=2"))
        .await
        .expect(200);
    assert_eq!(items(&p1).len(), 2);
    let cur = p1.body["next_cursor"]
        .as_str()
        .expect("a next cursor")
        .to_string();
    let p2 = c
        .nsa
        .get(&app.api(&format!("/designation-requests?limit=2&cursor={cur}")))
        .await
        .expect(200);
    let mut all = ids(&p1);
    all.extend(ids(&p2));
    all.sort();
    let mut want = vec![s1, s2, w];
    want.sort();
    assert_eq!(all, want);
    assert!(p2.body["next_cursor"].is_null());
    c.nsa
        .get(&app.api("/designation-requests?limit=0"))
        .await
        .problem(422, "validation_failed");
    c.nsa
        .get(&app.api("/designation-requests?limit=201"))
        .await
        .problem(422, "validation_failed");
    let bad = c
        .nsa
        .get(&app.api("/designation-requests?status=bogus"))
        .await;
    assert!(bad.status == 422 || bad.status == 400, "{}", bad.text);
}

async fn request_bad_input_changes_nothing(app: TestApp) {
    let c = cast(&app).await;
    let before = app.audit_count().await;
    let r = post_raw(
        &c.dev,
        &app.api("/designation-requests"),
        "{\"model_id\": \"",
    )
    .await;
    assert_eq!(r.status, 400);
    for (body, field) in [
        (
            json!({"summary": "s", "capability_evidence": "e"}),
            "model_id",
        ),
        (
            json!({"model_id": c.model, "capability_evidence": "e"}),
            "summary",
        ),
        (
            json!({"model_id": c.model, "summary": " ", "capability_evidence": "e"}),
            "summary",
        ),
        (
            json!({"model_id": c.model, "summary": "s"}),
            "capability_evidence",
        ),
        (
            json!({"model_id": c.model, "summary": "s", "capability_evidence": ""}),
            "capability_evidence",
        ),
    ] {
        let r = c
            .dev
            .post(&app.api("/designation-requests"), body.clone())
            .await
            .problem(422, "validation_failed");
        assert!(
            r.fields().contains(&field.to_string()),
            "{body}: expected {field} in {}",
            r.text
        );
    }
    assert_eq!(app.audit_count().await, before);
    assert!(items(
        &c.dev
            .get(&app.api("/designation-requests"))
            .await
            .expect(200)
    )
    .is_empty());
}

async fn review_actions_bad_input_changes_nothing(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let snapshot = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    let before = app.audit_count().await;
    let cases = [
        (
            "determination",
            json!({"outcome": "covered", "benchmark_ref": "b"}),
            "rationale",
        ),
        (
            "determination",
            json!({"outcome": "covered", "rationale": " ", "benchmark_ref": "b"}),
            "rationale",
        ),
        (
            "determination",
            json!({"outcome": "covered", "rationale": "r"}),
            "benchmark_ref",
        ),
        (
            "consultations",
            json!({"agency_code": "NCD", "position": "concur"}),
            "note",
        ),
        ("request-info", json!({"message": ""}), "message"),
        ("request-info", json!({}), "message"),
    ];
    for (action, body, field) in cases {
        let r = c
            .nsa
            .post(&dr(&app, &id, action), body.clone())
            .await
            .problem(422, "validation_failed");
        assert!(
            r.fields().contains(&field.to_string()),
            "{action} {body}: expected {field} in {}",
            r.text
        );
    }
    let r = post_raw(
        &c.nsa,
        &dr(&app, &id, "determination"),
        "{outcome: covered}",
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        c.dev.get(&dr(&app, &id, "")).await.expect(200).body,
        snapshot
    );
}

async fn every_review_step_writes_one_audit_event(app: TestApp) {
    let c = cast(&app).await;
    let id = draft_request(&app, &c.dev, &c.model).await;
    let steps: Vec<(&User, &str, Option<serde_json::Value>)> = vec![
        (&c.dev, "submit", None),
        (&c.nsa, "assign", Some(json!({}))),
        (
            &c.nsa,
            "request-info",
            Some(json!({"message": "Need the eval logs"})),
        ),
        (&c.dev, "respond", Some(json!({"message": "Attached"}))),
        (
            &c.cisa,
            "consultations",
            Some(json!({"agency_code": "CISA", "position": "concur", "note": "ok"})),
        ),
        (&c.dev, "messages", Some(json!({"body": "Thanks"}))),
        (
            &c.nsa,
            "determination",
            Some(
                json!({"outcome": "not_covered", "rationale": "Below threshold", "benchmark_ref": "BM-1"}),
            ),
        ),
        (&c.dev, "withdraw", None),
    ];
    for (who, action, body) in steps {
        let before = app.audit_count().await;
        let r = match body {
            Some(b) => who.post(&dr(&app, &id, action), b).await,
            None => who.post_empty(&dr(&app, &id, action)).await,
        };
        assert!(r.status.is_success(), "{action}: {} {}", r.status, r.text);
        assert_events(before, app.audit_count().await, 1, action);
    }
}

async fn audit_events_on_a_request_are_listed_for_orgs_that_see_it(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    assign_self(&app, &c.nsa, &id).await;
    let path = app.api(&format!("/audit-events?target_id={id}"));
    let dev_events = c.dev.get(&path).await.expect(200);
    let actions: Vec<String> = items(&dev_events)
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.len() >= 3,
        "created, submitted, assigned: {actions:?}"
    );
    assert!(items(&dev_events)
        .iter()
        .all(|e| e["target_id"] == id.as_str()));
    let nsa_events = c.nsa.get(&path).await.expect(200);
    assert!(
        !items(&nsa_events).is_empty(),
        "the NSA sees the request's events"
    );
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let o = other.get(&path).await;
    if o.status == 200 {
        assert!(
            items(&o).is_empty(),
            "another developer sees events: {}",
            o.text
        );
    } else {
        assert_eq!(o.status, 404);
    }
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let p = partner.get(&path).await;
    if p.status == 200 {
        assert!(items(&p).is_empty(), "a partner sees events: {}", p.text);
    }
    // No audit detail carries the request's content.
    let details = app
        .db(|conn| {
            use diesel::prelude::*;
            use frontier_portal::db::schema::audit_events;
            audit_events::table
                .select(audit_events::detail)
                .load::<String>(conn)
                .unwrap()
        })
        .await;
    assert!(details
        .iter()
        .all(|d| !d.contains("Internal cyber evaluations")));
}

// ---------------------------------------------------------------- terms

async fn terms_are_published_hashed_and_immutable(app: TestApp) {
    let c = cast(&app).await;
    let before = app.audit_count().await;
    let t = c
        .dev
        .post(&app.api("/terms"), terms_body("Aurora terms v1"))
        .await
        .expect(201)
        .body;
    assert_events(before, app.audit_count().await, 1, "terms published");
    let sha = t["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert!(sha.chars().all(|ch| ch.is_ascii_hexdigit()), "{sha}");
    assert_eq!(t["is_template"], false);
    assert_eq!(t["label"], "Aurora terms v1");
    // The same content hashes the same; different content differently.
    let t2 = publish_terms(&app, &c.dev, "Aurora terms v1").await;
    assert_eq!(t2["sha256"], t["sha256"]);
    assert_ne!(t2["id"], t["id"]);
    let t3 = publish_terms(&app, &c.dev, "Aurora terms v2").await;
    assert_ne!(t3["sha256"], t["sha256"]);
    // Operators publish templates.
    let tpl =
        c.op.get(&app.api(&format!("/terms/{}", c.template)))
            .await
            .expect(200)
            .body;
    assert_eq!(tpl["is_template"], true);
    // Lists: templates + own; never another developer's.
    let other = developer(&app, "Beta Labs", "b@beta.example").await;
    let own = publish_terms(&app, &other, "Beta terms").await;
    let l = c.dev.get(&app.api("/terms")).await.expect(200);
    let listed = ids(&l);
    assert!(listed.contains(&c.template));
    assert!(listed.contains(&t["id"].as_str().unwrap().to_string()));
    assert!(!listed.contains(&own["id"].as_str().unwrap().to_string()));
    other
        .get(&app.api(&format!("/terms/{}", t["id"].as_str().unwrap())))
        .await
        .problem(404, "not_found");
    let g = c
        .dev
        .get(&app.api(&format!("/terms/{}", t["id"].as_str().unwrap())))
        .await
        .expect(200)
        .body;
    assert_eq!(g["sha256"], t["sha256"]);
    assert_eq!(g["label"], "Aurora terms v1");
    assert!(
        g["use"]
            .as_str()
            .unwrap()
            .contains("evaluation of national security"),
        "{g}"
    );
    assert!(
        g["nondisclosure"]
            .as_str()
            .unwrap()
            .contains("no disclosure"),
        "{g}"
    );
    // No way to edit.
    let before = app.audit_count().await;
    let path = app.api(&format!("/terms/{}", t["id"].as_str().unwrap()));
    let p = c.dev.patch(&path, json!({"use": "anything"})).await;
    assert!(
        p.status == 404 || p.status == 405,
        "PATCH terms: {} {}",
        p.status,
        p.text
    );
    let p = c
        .dev
        .call(reqwest::Method::PUT, &path, Some(terms_body("rewritten")))
        .await;
    assert!(
        p.status == 404 || p.status == 405,
        "PUT terms: {} {}",
        p.status,
        p.text
    );
    let d = c.dev.delete(&path).await;
    assert!(
        d.status == 404 || d.status == 405,
        "DELETE terms: {} {}",
        d.status,
        d.text
    );
    assert_eq!(app.audit_count().await, before);
    assert_eq!(c.dev.get(&path).await.expect(200).body, g);
}

async fn terms_refuse_missing_sections_and_wrong_roles(app: TestApp) {
    let c = cast(&app).await;
    let member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let partner = partner_org(&app, &c.op, "Valley Rural Health").await;
    let before = app.audit_count().await;
    for field in [
        "label",
        "confidentiality",
        "cybersecurity",
        "insider_risk",
        "intellectual_property",
        "use",
        "nondisclosure",
    ] {
        let mut missing = terms_body("T");
        missing.as_object_mut().unwrap().remove(field);
        let r = c
            .dev
            .post(&app.api("/terms"), missing)
            .await
            .problem(422, "validation_failed");
        assert!(
            r.fields().contains(&field.to_string()),
            "missing {field}: {}",
            r.text
        );
        let mut blank = terms_body("T");
        blank[field] = json!("   ");
        let r = c
            .dev
            .post(&app.api("/terms"), blank)
            .await
            .problem(422, "validation_failed");
        assert_eq!(
            r.fields(),
            vec![field.to_string()],
            "blank {field}: {}",
            r.text
        );
    }
    for who in [&member, &c.nsa, &partner] {
        who.post(&app.api("/terms"), terms_body("T"))
            .await
            .problem(403, "forbidden");
    }
    app.anon
        .post(&app.api("/terms"), terms_body("T"))
        .await
        .problem(401, "unauthenticated");
    assert_eq!(app.audit_count().await, before);
}

/// Wrong JSON types, unknown enum values and unparseable times are 422s whose `errors[].field`
/// names the offending field (not just "body"), and change nothing.
async fn wrong_types_and_unknown_values_name_their_field(app: TestApp) {
    let c = cast(&app).await;
    let id = submitted_request(&app, &c.dev, &c.model).await;
    let snapshot = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
    let before = app.audit_count().await;
    let post = reqwest::Method::POST;
    let cases: Vec<(&User, reqwest::Method, String, serde_json::Value, &str)> = vec![
        (
            &c.dev,
            post.clone(),
            app.api("/models"),
            json!({"name": 5, "version": "1"}),
            "name",
        ),
        (
            &c.dev,
            post.clone(),
            app.api("/models"),
            json!({"name": "A", "version": "1", "planned_partner_release_at": "next tuesday"}),
            "planned_partner_release_at",
        ),
        (
            &c.dev,
            reqwest::Method::PATCH,
            app.api(&format!("/models/{}", c.model)),
            json!({"planned_partner_release_at": 17}),
            "planned_partner_release_at",
        ),
        (
            &c.dev,
            post.clone(),
            app.api("/designation-requests"),
            json!({"model_id": c.model, "summary": ["s"], "capability_evidence": "e"}),
            "summary",
        ),
        (
            &c.dev,
            post.clone(),
            app.api("/designation-requests"),
            json!({"model_id": c.model, "summary": "s", "capability_evidence": "e", "requested_response_by": "soon"}),
            "requested_response_by",
        ),
        (
            &c.nsa,
            post.clone(),
            dr(&app, &id, "determination"),
            json!({"outcome": "maybe", "rationale": "r", "benchmark_ref": "b"}),
            "outcome",
        ),
        (
            &c.nsa,
            post.clone(),
            dr(&app, &id, "consultations"),
            json!({"agency_code": "FBI", "position": "concur", "note": "n"}),
            "agency_code",
        ),
        (
            &c.nsa,
            post.clone(),
            dr(&app, &id, "consultations"),
            json!({"agency_code": "NCD", "position": "maybe", "note": "n"}),
            "position",
        ),
        (
            &c.nsa,
            post.clone(),
            dr(&app, &id, "assign"),
            json!({"user_id": 42}),
            "user_id",
        ),
        (
            &c.nsa,
            post.clone(),
            dr(&app, &id, "request-info"),
            json!({"message": {"text": "x"}}),
            "message",
        ),
        (
            &c.dev,
            post.clone(),
            dr(&app, &id, "messages"),
            json!({"body": 3}),
            "body",
        ),
        (
            &c.dev,
            post.clone(),
            app.api("/terms"),
            {
                let mut t = terms_body("T");
                t["use"] = json!(1);
                t
            },
            "use",
        ),
    ];
    let mut wrong: Vec<String> = Vec::new();
    for (who, method, url, body, field) in cases {
        let r = who.call(method.clone(), &url, Some(body.clone())).await;
        if r.status != 422
            || r.code() != "validation_failed"
            || !r.fields().iter().any(|f| f == field)
        {
            wrong.push(format!("{method} {url} {body}: expected 422 validation_failed naming {field}, got {} {:?} {}", r.status, r.fields(), r.text));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} case(s):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        c.dev.get(&dr(&app, &id, "")).await.expect(200).body,
        snapshot
    );
}

async fn a_withdrawn_draft_stays_the_developers_alone(app: TestApp) {
    let c = cast(&app).await;
    let draft = draft_request(&app, &c.dev, &c.model).await;
    c.dev
        .post_empty(&dr(&app, &draft, "withdraw"))
        .await
        .expect(200);
    // Never submitted: still private, though no longer a draft.
    for who in [&c.nsa, &c.cisa] {
        who.get(&dr(&app, &draft, ""))
            .await
            .problem(404, "not_found");
        let l = who.get(&app.api("/designation-requests")).await.expect(200);
        assert!(
            !ids(&l).contains(&draft),
            "an agency lists a withdrawn draft"
        );
    }
    // Nor does it make the model known to agencies (for nominations).
    let r = c
        .nsa
        .post(&app.api("/nominations"), json!({"model_id": c.model, "new_partner": {"name": "X", "partner_type": "other", "contact_email": "x@x.example"}, "rationale": "r"}))
        .await
        .problem(422, "validation_failed");
    assert!(r.fields().contains(&"model_id".to_string()), "{}", r.text);
    // No agency sees its audit events either.
    let ev = c
        .nsa
        .get(&app.api(&format!("/audit-events?target_id={draft}")))
        .await
        .expect(200);
    assert!(items(&ev).is_empty(), "{}", ev.text);
}
