//! Designation requests as a developer and a reviewer use them (issue 11 items 4 and 5): a draft
//! is edited until it is submitted, a model version has one open request at a time, the
//! response date is a calendar date that is never in the past, the queue flags and filters
//! overdue requests, and a planned partner release is never in the past.

use chrono::Duration;
use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    a_draft_is_edited_only_while_it_is_a_draft_and_only_by_its_developer,
    a_second_open_request_for_a_model_version_is_a_conflict_naming_the_open_one,
    the_response_date_is_a_calendar_date_never_in_the_past,
    overdue_requests_are_flagged_and_the_queue_filters_them,
    a_planned_partner_release_in_the_past_is_refused,
);

fn date(d: chrono::DateTime<chrono::Utc>) -> String {
    d.date_naive().to_string()
}

async fn a_draft_is_edited_only_while_it_is_a_draft_and_only_by_its_developer(app: TestApp) {
    let c = cast(&app).await;
    let id = draft_request(&app, &c.dev, &c.model).await;
    let due = date(t0() + days(20));

    // The developer edits its draft: the fields change, one audit event names the fields.
    let before = app.audit_count().await;
    let r = c
        .dev
        .patch(
            &dr(&app, &id, ""),
            json!({"summary": "  Revised: is Aurora-7 covered?  ", "requested_response_by": due}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["summary"], "Revised: is Aurora-7 covered?");
    assert_eq!(r.body["requested_response_by"], due.as_str());
    assert_eq!(
        r.body["capability_evidence"], "Internal cyber evaluations: see attached summary.",
        "an absent field stays as it was"
    );
    assert_events(before, app.audit_count().await, 1, "draft edited");
    let ev = c
        .dev
        .get(&app.api(&format!("/audit-events?target_id={id}")))
        .await
        .expect(200);
    assert!(
        items(&ev)
            .iter()
            .any(|e| e["action"] == "designation.edited"),
        "{}",
        ev.text
    );

    // null clears the date; the change is read back.
    let r = c
        .dev
        .patch(&dr(&app, &id, ""), json!({"requested_response_by": null}))
        .await
        .expect(200);
    assert!(r.body["requested_response_by"].is_null(), "{}", r.text);

    // Bad input is a 422 naming the field, and nothing changes.
    let before = app.audit_count().await;
    let r = c
        .dev
        .patch(
            &dr(&app, &id, ""),
            json!({"summary": " ", "requested_response_by": date(t0() - days(2))}),
        )
        .await
        .problem(422, "validation_failed");
    let fields = r.fields();
    assert!(fields.contains(&"summary".to_string()), "{}", r.text);
    assert!(
        fields.contains(&"requested_response_by".to_string()),
        "{}",
        r.text
    );
    assert_eq!(app.audit_count().await, before);
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200);
    assert_eq!(g.body["summary"], "Revised: is Aurora-7 covered?");
    assert!(g.body["requested_response_by"].is_null());

    // Reviewers never see drafts (404); another developer neither.
    let other = developer(&app, "Northwind Intelligence", "lee@northwind.example").await;
    for who in [&c.nsa, &other] {
        who.patch(&dr(&app, &id, ""), json!({"summary": "mine now"}))
            .await
            .problem(404, "not_found");
    }

    // Once submitted it is no longer a draft: 409, and nothing changes.
    c.dev.post_empty(&dr(&app, &id, "submit")).await.expect(200);
    let before = app.audit_count().await;
    let r = c
        .dev
        .patch(&dr(&app, &id, ""), json!({"summary": "after the fact"}))
        .await
        .problem(409, "invalid_transition");
    assert_eq!(r.body["detail"], "Only a draft request can be edited.");
    assert_eq!(app.audit_count().await, before);
    // A reviewer who sees the submitted request may not edit it.
    c.nsa
        .patch(&dr(&app, &id, ""), json!({"summary": "reviewer text"}))
        .await
        .problem(403, "forbidden");
    let g = c.dev.get(&dr(&app, &id, "")).await.expect(200);
    assert_eq!(g.body["summary"], "Revised: is Aurora-7 covered?");
}

async fn a_second_open_request_for_a_model_version_is_a_conflict_naming_the_open_one(app: TestApp) {
    let c = cast(&app).await;
    let file = |model: &str| json!({"model_id": model, "summary": "Again?", "capability_evidence": "Same evals."});
    let first = draft_request(&app, &c.dev, &c.model).await;
    let before = app.audit_count().await;
    let count = |r: &Resp| items(r).len();
    let listed = count(
        &c.dev
            .get(&app.api("/designation-requests"))
            .await
            .expect(200),
    );

    // While the draft is open, and again once it is submitted: 409 naming the open request.
    for stage in ["draft", "submitted"] {
        if stage == "submitted" {
            c.dev
                .post_empty(&dr(&app, &first, "submit"))
                .await
                .expect(200);
        }
        let r = c
            .dev
            .post(&app.api("/designation-requests"), file(&c.model))
            .await
            .problem(409, "duplicate_request");
        assert_eq!(r.body["open_request_id"], first.as_str(), "{}", r.text);
        let detail = r.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("already has an open designation request"),
            "{detail}"
        );
        no_gate(&r);
    }
    let after = c
        .dev
        .get(&app.api("/designation-requests"))
        .await
        .expect(200);
    assert_eq!(count(&after), listed, "nothing was filed");
    // Submitting wrote one event; the refused filings none.
    assert_events(before, app.audit_count().await, 1, "refused duplicates");

    // Another model version is free to file.
    let v2 = new_model(&app, &c.dev, "Aurora-7.1").await;
    c.dev
        .post(&app.api("/designation-requests"), file(&v2))
        .await
        .expect(201);

    // Once the open request is withdrawn (or determined), a new one may be filed.
    c.dev
        .post_empty(&dr(&app, &first, "withdraw"))
        .await
        .expect(200);
    let again = c
        .dev
        .post(&app.api("/designation-requests"), file(&c.model))
        .await
        .expect(201)
        .id();
    c.dev
        .post_empty(&dr(&app, &again, "submit"))
        .await
        .expect(200);
    determine(&app, &c.nsa, &again, "not_covered").await;
    c.dev
        .post(&app.api("/designation-requests"), file(&c.model))
        .await
        .expect(201);
}

async fn the_response_date_is_a_calendar_date_never_in_the_past(app: TestApp) {
    let c = cast(&app).await;
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let m3 = new_model(&app, &c.dev, "Aurora-9").await;
    let post = |model: &str, by: serde_json::Value| json!({"model_id": model, "summary": "s", "capability_evidence": "e", "requested_response_by": by});

    // A date comes back as the same date, with no time of day and no zone.
    let r = c
        .dev
        .post(
            &app.api("/designation-requests"),
            post(&c.model, json!("2026-12-15")),
        )
        .await
        .expect(201);
    assert_eq!(r.body["requested_response_by"], "2026-12-15");
    let listed = c
        .dev
        .get(&app.api("/designation-requests"))
        .await
        .expect(200);
    assert_eq!(items(&listed)[0]["requested_response_by"], "2026-12-15");
    // An RFC 3339 time (earlier clients) is read as its date in its own offset: the end of
    // Dec 15 in New York is Dec 15, though it is Dec 16 in UTC.
    let r = c
        .dev
        .post(
            &app.api("/designation-requests"),
            post(&m2, json!("2026-12-15T23:59:00-05:00")),
        )
        .await
        .expect(201);
    assert_eq!(r.body["requested_response_by"], "2026-12-15");

    // Today (t0 is Jun 1 12:00 UTC) is accepted; a day that is over everywhere is refused in
    // plain words, and nothing is filed.
    let before = app.audit_count().await;
    for past in ["2026-05-30", "2026-05-31T10:00:00Z"] {
        let r = c
            .dev
            .post(&app.api("/designation-requests"), post(&m3, json!(past)))
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["requested_response_by"], "{}", r.text);
        assert_eq!(
            r.body["detail"],
            "Response requested by must be today or a later date."
        );
    }
    // Not a date at all.
    let r = c
        .dev
        .post(
            &app.api("/designation-requests"),
            post(&m3, json!("Dec 15")),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["requested_response_by"], "{}", r.text);
    assert_eq!(
        app.audit_count().await,
        before,
        "a refused filing writes nothing"
    );
    let r = c
        .dev
        .post(
            &app.api("/designation-requests"),
            post(&m3, json!("2026-06-01")),
        )
        .await
        .expect(201);
    assert_eq!(r.body["requested_response_by"], "2026-06-01");
}

async fn overdue_requests_are_flagged_and_the_queue_filters_them(app: TestApp) {
    let c = cast(&app).await;
    let by = |d: i64| date(t0() + days(d));
    let file = |model: &str, due: String| json!({"model_id": model, "summary": "When will we hear?", "capability_evidence": "e", "requested_response_by": due});
    let m2 = new_model(&app, &c.dev, "Aurora-8").await;
    let m3 = new_model(&app, &c.dev, "Aurora-9").await;
    let m4 = new_model(&app, &c.dev, "Aurora-10").await;
    let submit = |id: String| async {
        c.dev.post_empty(&dr(&app, &id, "submit")).await.expect(200);
        id
    };
    let id_of = |r: Resp| r.expect(201).id();
    // Due in 2 days, submitted: awaits the Government.
    let late = submit(id_of(
        c.dev
            .post(&app.api("/designation-requests"), file(&c.model, by(2)))
            .await,
    ))
    .await;
    // Due in 2 days, but the reviewers asked the developer: the developer owes the answer.
    let asked = submit(id_of(
        c.dev
            .post(&app.api("/designation-requests"), file(&m2, by(2)))
            .await,
    ))
    .await;
    c.nsa
        .post(
            &dr(&app, &asked, "request-info"),
            json!({"message": "More?"}),
        )
        .await
        .expect(200);
    // Due in 10 days: not yet.
    let later = submit(id_of(
        c.dev
            .post(&app.api("/designation-requests"), file(&m3, by(10)))
            .await,
    ))
    .await;
    // No date asked.
    let undated = submit(id_of(
        c.dev
            .post(
                &app.api("/designation-requests"),
                json!({"model_id": m4, "summary": "s", "capability_evidence": "e"}),
            )
            .await,
    ))
    .await;

    let overdue_ids = |r: &Resp| -> Vec<String> {
        items(r)
            .iter()
            .filter(|i| i["overdue"] == true)
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Nothing is overdue yet.
    let q = c
        .nsa
        .get(&app.api("/designation-requests"))
        .await
        .expect(200);
    assert!(overdue_ids(&q).is_empty(), "{}", q.text);
    let f = c
        .nsa
        .get(&app.api("/designation-requests?overdue=true"))
        .await
        .expect(200);
    assert!(items(&f).is_empty(), "{}", f.text);

    // Three days on, the day due in 2 days is over everywhere.
    app.advance(days(3) + Duration::hours(1));
    let q = c
        .nsa
        .get(&app.api("/designation-requests"))
        .await
        .expect(200);
    assert_eq!(overdue_ids(&q), vec![late.clone()], "{}", q.text);
    let f = c
        .nsa
        .get(&app.api("/designation-requests?overdue=true"))
        .await
        .expect(200);
    assert_eq!(ids(&f), vec![late.clone()], "{}", f.text);
    // The request page carries the same flag, for the reviewer and the developer.
    for who in [&c.nsa, &c.dev] {
        let g = who.get(&dr(&app, &late, "")).await.expect(200);
        assert_eq!(g.body["overdue"], true, "{}", g.text);
    }
    for id in [&asked, &later, &undated] {
        let g = c.nsa.get(&dr(&app, id, "")).await.expect(200);
        assert_eq!(g.body["overdue"], false, "{id}: {}", g.text);
    }
    // A determination ends it.
    determine(&app, &c.nsa, &late, "covered").await;
    let f = c
        .nsa
        .get(&app.api("/designation-requests?overdue=true"))
        .await
        .expect(200);
    assert!(items(&f).is_empty(), "{}", f.text);
    // A bad value names the parameter.
    let r = c
        .nsa
        .get(&app.api("/designation-requests?overdue=yes"))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["overdue"]);
}

async fn a_planned_partner_release_in_the_past_is_refused(app: TestApp) {
    let c = cast(&app).await;
    let before = app.audit_count().await;
    let listed = items(&c.dev.get(&app.api("/models")).await.expect(200)).len();
    let r = c
        .dev
        .post(
            &app.api("/models"),
            json!({"name": "Late", "version": "1", "planned_partner_release_at": rfc(t0() - Duration::hours(1))}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["planned_partner_release_at"], "{}", r.text);
    assert_eq!(
        r.body["detail"],
        "Planned partner release must not be in the past."
    );
    assert_eq!(app.audit_count().await, before);
    assert_eq!(
        items(&c.dev.get(&app.api("/models")).await.expect(200)).len(),
        listed
    );

    // Editing a model: the same rule, and the stored date stays.
    let m = c
        .dev
        .post(
            &app.api("/models"),
            json!({"name": "Soon", "version": "1", "planned_partner_release_at": rfc(t0() + days(40))}),
        )
        .await
        .expect(201);
    let id = m.id();
    let r = c
        .dev
        .patch(
            &app.api(&format!("/models/{id}")),
            json!({"planned_partner_release_at": rfc(t0() - days(1))}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["planned_partner_release_at"], "{}", r.text);
    let g = c
        .dev
        .get(&app.api(&format!("/models/{id}")))
        .await
        .expect(200);
    assert_eq!(ts(&g.body["planned_partner_release_at"]), t0() + days(40));
    // A later date, or clearing it, is fine.
    c.dev
        .patch(
            &app.api(&format!("/models/{id}")),
            json!({"planned_partner_release_at": null}),
        )
        .await
        .expect(200);
}
