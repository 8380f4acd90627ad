//! Email notification settings (issue 11): a person turns optional emails off and on; the
//! outbox then skips them for that reason only; account and security emails cannot be turned
//! off; each kind of organization is offered only the emails that can reach it.

use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    a_reviewer_who_turns_off_submissions_gets_none_and_the_others_still_do,
    a_required_email_cannot_be_turned_off,
    an_unknown_email_is_refused,
    a_read_token_cannot_change_the_settings,
    a_partner_is_not_offered_reviewer_emails,
    the_same_set_again_changes_nothing,
);

const PATH: &str = "/auth/notifications";

fn item<'a>(body: &'a Value, reason: &str) -> Option<&'a Value> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reason"] == reason)
}

fn reasons(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reason"].as_str().unwrap().to_string())
        .collect()
}

async fn a_reviewer_who_turns_off_submissions_gets_none_and_the_others_still_do(app: TestApp) {
    let c = cast(&app).await;
    let other = colleague(&app, &c.nsa, "rita@nsa.example", "member").await;
    let before = c.nsa.get(&app.api(PATH)).await.expect(200).body;
    let submitted = item(&before, "request_submitted").expect("offered to a reviewer");
    assert_eq!(submitted["enabled"], true);
    assert_eq!(submitted["required"], false);
    assert_eq!(submitted["label"], "Request submitted");

    let events = app.audit_count().await;
    let r = c
        .nsa
        .put(&app.api(PATH), json!({"disabled": ["request_submitted"]}))
        .await
        .expect(200);
    assert_eq!(
        item(&r.body, "request_submitted").unwrap()["enabled"],
        false
    );
    assert_eq!(app.audit_count().await, events + 1);
    let again = c.nsa.get(&app.api(PATH)).await.expect(200).body;
    assert_eq!(item(&again, "request_submitted").unwrap()["enabled"], false);
    // Every other email stays on.
    for i in again["items"].as_array().unwrap() {
        if i["reason"] != "request_submitted" {
            assert_eq!(i["enabled"], true, "{i}");
        }
    }

    submitted_request(&app, &c.dev, &c.model).await;
    assert_eq!(
        app.queued_mail(&c.nsa.email, Some("request_submitted"))
            .await,
        0
    );
    assert_eq!(
        app.queued_mail(&other.email, Some("request_submitted"))
            .await,
        1
    );

    // On again: the next submission reaches them.
    c.nsa
        .put(&app.api(PATH), json!({"disabled": []}))
        .await
        .expect(200);
    let second = new_model(&app, &c.dev, "Aurora-8").await;
    submitted_request(&app, &c.dev, &second).await;
    assert_eq!(
        app.queued_mail(&c.nsa.email, Some("request_submitted"))
            .await,
        1
    );
    assert_eq!(
        app.queued_mail(&other.email, Some("request_submitted"))
            .await,
        2
    );
}

async fn a_required_email_cannot_be_turned_off(app: TestApp) {
    let c = cast(&app).await;
    let listed = c.dev.get(&app.api(PATH)).await.expect(200).body;
    for reason in [
        "invitation",
        "email_verification",
        "password_reset",
        "new_sign_in",
        "invitation_to_existing_account",
    ] {
        let i = item(&listed, reason).unwrap_or_else(|| panic!("{reason} listed"));
        assert_eq!(i["required"], true, "{reason}");
        assert_eq!(i["enabled"], true, "{reason}");
    }
    let events = app.audit_count().await;
    let r = c
        .dev
        .put(
            &app.api(PATH),
            json!({"disabled": ["determination", "password_reset"]}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["disabled"]);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Password reset") && detail.contains("security"),
        "{detail}"
    );
    // Nothing changed: not even the optional reason named beside it.
    assert_eq!(app.audit_count().await, events);
    let after = c.dev.get(&app.api(PATH)).await.expect(200).body;
    assert_eq!(after, listed);
    // And the email is still sent.
    app.anon
        .post(
            &app.api("/auth/password-reset/request"),
            json!({"email": c.dev.email}),
        )
        .await
        .expect(202);
    assert_eq!(
        app.queued_mail(&c.dev.email, Some("password_reset")).await,
        1
    );
}

async fn an_unknown_email_is_refused(app: TestApp) {
    let c = cast(&app).await;
    let listed = c.nsa.get(&app.api(PATH)).await.expect(200).body;
    let events = app.audit_count().await;
    let r = c
        .nsa
        .put(
            &app.api(PATH),
            json!({"disabled": ["request_submitted", "weekly_digest"]}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), ["disabled"]);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("Item 2"), "{detail}");
    assert!(!detail.contains('_'), "{detail}");
    assert_eq!(app.audit_count().await, events);
    assert_eq!(c.nsa.get(&app.api(PATH)).await.expect(200).body, listed);
    // A list of something else than names is refused too.
    c.nsa
        .put(&app.api(PATH), json!({"disabled": "request_submitted"}))
        .await
        .problem(422, "validation_failed");
}

async fn a_read_token_cannot_change_the_settings(app: TestApp) {
    let c = cast(&app).await;
    let t = c
        .nsa
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "dashboard", "scope": "read"}),
        )
        .await
        .expect(201);
    let mut read = Client::new(&app.base, false);
    read.bearer = Some(t.body["token"].as_str().unwrap().to_string());
    read.get(&app.api(PATH)).await.expect(200);
    let events = app.audit_count().await;
    read.put(&app.api(PATH), json!({"disabled": ["request_submitted"]}))
        .await
        .problem(403, "insufficient_scope");
    assert_eq!(app.audit_count().await, events);
    let now = c.nsa.get(&app.api(PATH)).await.expect(200).body;
    assert_eq!(item(&now, "request_submitted").unwrap()["enabled"], true);
    // Not signed in at all.
    app.anon
        .get(&app.api(PATH))
        .await
        .problem(401, "unauthenticated");
}

async fn a_partner_is_not_offered_reviewer_emails(app: TestApp) {
    let c = cast(&app).await;
    let partner = partner_org(&app, &c.op, "Rural Health Co-op").await;
    let listed = partner.get(&app.api(PATH)).await.expect(200).body;
    let offered = reasons(&listed);
    for reviewer_only in [
        "request_submitted",
        "grant_offered",
        "information_requested",
    ] {
        assert!(
            !offered.contains(&reviewer_only.to_string()),
            "{reviewer_only} in {offered:?}"
        );
    }
    for partner_mail in ["partner_selected", "partner_grant_issued", "password_reset"] {
        assert!(
            offered.contains(&partner_mail.to_string()),
            "{partner_mail} not in {offered:?}"
        );
    }
    // Nor may it turn one off.
    partner
        .put(&app.api(PATH), json!({"disabled": ["request_submitted"]}))
        .await
        .problem(422, "validation_failed");
    // An operator is offered account and security mail only.
    let op = c.op.get(&app.api(PATH)).await.expect(200).body;
    for i in op["items"].as_array().unwrap() {
        assert_eq!(i["required"], true, "{i}");
    }
}

async fn the_same_set_again_changes_nothing(app: TestApp) {
    let c = cast(&app).await;
    let body = json!({"disabled": ["determination", "grant_declined"]});
    let first = c
        .dev
        .put(&app.api(PATH), body.clone())
        .await
        .expect(200)
        .body;
    let events = app.audit_count().await;
    let second = c.dev.put(&app.api(PATH), body).await.expect(200).body;
    assert_eq!(first, second);
    assert_eq!(app.audit_count().await, events);
    // The order and repeats of the list do not matter.
    c.dev
        .put(
            &app.api(PATH),
            json!({"disabled": ["grant_declined", "determination", "grant_declined"]}),
        )
        .await
        .expect(200);
    assert_eq!(app.audit_count().await, events);
}
