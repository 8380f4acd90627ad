//! Every message a person reads is in plain words (issue 11 item 6): a problem's `detail` and
//! each `errors[].message` name no internal value (`federal_agency`, `non_concur`), no field
//! name (`occurred_at`) and do not read "version: is required". `code` and `errors[].field`
//! are the contract and stay exactly as they are.

use chrono::Duration;
use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(validation_messages_are_plain_words);

/// No snake_case word, no "field: message" form, and a detail that is a sentence.
fn assert_plain(r: &Resp, field: &str, what: &str) {
    let detail = r.body["detail"].as_str().unwrap_or_default();
    let mut texts = vec![detail.to_string()];
    for e in r.body["errors"].as_array().cloned().unwrap_or_default() {
        texts.push(e["message"].as_str().unwrap_or_default().to_string());
    }
    for t in &texts {
        let internal = t
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|w| w.contains('_'));
        assert!(
            internal.is_none(),
            "{what}: internal word {internal:?} in {t:?} ({})",
            r.text
        );
        assert!(
            !t.contains(": is ") && !t.starts_with(&format!("{field}:")),
            "{what}: field-name form in {t:?}"
        );
    }
    assert!(
        detail.starts_with(|c: char| c.is_uppercase()) && detail.ends_with('.'),
        "{what}: detail is not a sentence: {detail:?}"
    );
    assert!(
        r.fields().contains(&field.to_string()),
        "{what}: field {field} not named: {}",
        r.text
    );
}

async fn validation_messages_are_plain_words(app: TestApp) {
    let c = cast(&app).await;

    // A terms section left empty: "Nondisclosure is required." (not "nondisclosure: nondisclosure is required").
    let mut body = terms_body("Plain words terms");
    body["nondisclosure"] = json!(" ");
    let r = c
        .dev
        .post(&app.api("/terms"), body)
        .await
        .problem(422, "validation_failed");
    assert_plain(&r, "nondisclosure", "terms");
    assert_eq!(r.body["detail"], "Nondisclosure is required.");

    // A missing member of the body: "Version is required." (not "version: is required").
    let r = c
        .dev
        .post(
            &app.api("/models"),
            json!({"name": "No version", "description": "d", "modality": "text"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_plain(&r, "version", "model");
    assert_eq!(r.body["detail"], "Version is required.");

    // An unknown choice lists no internal values (the schema's enum does).
    let req = submitted_request(&app, &c.dev, &c.model).await;
    let r = c
        .nsa
        .post(
            &dr(&app, &req, "consultations"),
            json!({"agency_code": "NSA", "position": "maybe", "note": "n"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_plain(&r, "position", "consultation");
    assert!(!r.text.contains("non_concur"), "{}", r.text);
    let r = c
        .nsa
        .post(
            &dr(&app, &req, "determination"),
            json!({"outcome": "perhaps", "rationale": "r", "benchmark_ref": "b"}),
        )
        .await
        .problem(422, "validation_failed");
    assert_plain(&r, "outcome", "determination");
    assert!(!r.text.contains("not_covered"), "{}", r.text);
    let r =
        c.op.post(&app.api("/admin/organizations"), json!({"kind": "partner", "name": "Plain Co", "partner_type": "friendly", "admin_email": "a@plain.example"}))
            .await
            .problem(422, "validation_failed");
    assert_plain(&r, "partner_type", "organization");
    assert!(!r.text.contains("federal_agency"), "{}", r.text);

    // A use logged in the future: the field is named in `field` only.
    let analyst = colleague(&app, &c.nsa, "plain@nsa.example", "member").await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + Duration::hours(1),
        t0() + days(2),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    roster_add(&c.nsa, &ag(&app, &id, ""), &analyst.id).await;
    analyst
        .post_empty(&ag(&app, &id, "acknowledge"))
        .await
        .expect(200);
    app.advance(Duration::hours(3));
    let r = analyst
        .post(
            &ag(&app, &id, "access-log"),
            log_body(app.now() + Duration::hours(1)),
        )
        .await
        .problem(422, "outside_window");
    assert_plain(&r, "occurred_at", "access log");

    // A decline's reason over the limit names the field in plain words.
    let open = offer(
        &app,
        &c.dev,
        &new_model(&app, &c.dev, "Plain decline").await,
        &[&c.nsa],
        &c.template,
        app.now() + days(1),
        app.now() + days(2),
    )
    .await;
    let r = c
        .nsa
        .post(
            &ag(&app, open["id"].as_str().unwrap(), "decline"),
            json!({"reason": "x".repeat(2001)}),
        )
        .await
        .problem(422, "validation_failed");
    assert_plain(&r, "reason", "decline");
}
