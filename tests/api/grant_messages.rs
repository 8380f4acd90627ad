//! The message thread of a grant (issue 11, "Partner admin: a way to write to the developer"):
//! the developer and the grantee side — the partner of a partner grant, the grantee agencies of
//! a Government access grant — write to each other on the grant. Parties only (everyone else,
//! operators included, 404 like a missing grant); a plain-text body of 1 to 4000 characters;
//! the other side's admins are emailed a link, never the text; one audit event per message; a
//! grant that is over keeps its thread, open for new messages.

use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    a_partner_admin_writes_to_the_developer_who_reads_and_replies,
    only_the_parties_see_a_partner_grants_thread,
    an_empty_or_too_long_message_is_refused_and_changes_nothing,
    a_grantee_agency_writes_on_an_access_grant,
    a_grant_that_is_over_keeps_its_thread_open,
    a_thread_pages_oldest_first,
);

const QUESTION: &str = "Could the sandbox quota be raised for our evaluation team next week?";
const ANSWER: &str = "Yes: we raised it to 50 requests a minute from Monday.";

/// Emails of `reason` written to the outbox for `to`: (subject, text body, HTML body).
async fn outbox_for(app: &TestApp, to: &str, reason: &str) -> Vec<(String, String, String)> {
    let (to, reason) = (to.to_string(), reason.to_string());
    app.db(move |c| {
        use diesel::prelude::*;
        use frontier_portal::db::schema::outbox;
        outbox::table
            .filter(outbox::to_address.eq(to))
            .filter(outbox::reason.eq(reason))
            .select((outbox::subject, outbox::body_text, outbox::body_html))
            .load::<(String, String, String)>(c)
            .unwrap()
    })
    .await
}

/// A partner grant from the cast's developer to a new partner "Valley Rural Health".
async fn partner_grant(app: &TestApp, c: &Cast) -> (User, String) {
    let x = partner_org(app, &c.op, "Valley Rural Health").await;
    let nom = selected_nomination(app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    let p = issue_partner_grant(
        app,
        &c.dev,
        &nom,
        &c.template,
        t0() + days(2),
        t0() + days(9),
    )
    .await;
    (x, p["id"].as_str().unwrap().to_string())
}

fn bodies(r: &Resp) -> Vec<String> {
    items(r)
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_string())
        .collect()
}

async fn a_partner_admin_writes_to_the_developer_who_reads_and_replies(app: TestApp) {
    let c = cast(&app).await;
    let (x, id) = partner_grant(&app, &c).await;
    let dev_member = colleague(&app, &c.dev, "sam@aurora.example", "member").await;
    let before = app.audit_count().await;

    let r = x
        .post(
            &pg(&app, &id, "messages"),
            json!({"body": format!("  {QUESTION}\n ")}),
        )
        .await
        .expect(201);
    assert_events(before, app.audit_count().await, 1, "message posted");
    let posted = &r.body;
    assert_eq!(posted["body"], QUESTION, "trimmed");
    assert_eq!(posted["side"], "grantee");
    assert_eq!(posted["author_org_name"], "Valley Rural Health");
    assert_eq!(posted["author_name"], "First Admin");
    assert_eq!(ts(&posted["created_at"]), app.now());

    // The developer's admin is told, with a link to the thread and none of the text; the
    // partner (the author's side) is not.
    let mails = outbox_for(&app, "dana@aurora.example", "grant_message").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (subject, text, html) = &mails[0];
    assert_eq!(subject, "A new message on a grant");
    assert!(
        text.contains(&format!("/partner-grants/{id}#messages")),
        "{text}"
    );
    for part in [subject, text, html] {
        assert!(
            !part.contains("sandbox quota"),
            "the text stays in the portal: {part}"
        );
    }
    assert_eq!(
        app.queued_mail("admin@valleyruralhealth.example", Some("grant_message"))
            .await,
        0
    );
    // Members are not emailed (admins only); they read it in the portal.
    assert_eq!(
        app.queued_mail("sam@aurora.example", Some("grant_message"))
            .await,
        0
    );

    // Any developer member reads the thread and replies.
    let thread = dev_member.get(&pg(&app, &id, "messages")).await.expect(200);
    assert_eq!(bodies(&thread), vec![QUESTION]);
    assert!(thread.body["next_cursor"].is_null());
    app.advance(chrono::Duration::minutes(5));
    let reply = dev_member
        .post(&pg(&app, &id, "messages"), json!({"body": ANSWER}))
        .await
        .expect(201);
    assert_eq!(reply.body["side"], "developer");
    assert_eq!(reply.body["author_org_name"], "Aurora AI Labs");
    let mails = outbox_for(&app, "admin@valleyruralhealth.example", "grant_message").await;
    assert_eq!(mails.len(), 1);
    assert!(!mails[0].1.contains("50 requests"));

    // The partner sees both, oldest first, each with who and when.
    let thread = x.get(&pg(&app, &id, "messages")).await.expect(200);
    assert_eq!(bodies(&thread), vec![QUESTION, ANSWER]);
    let last = &items(&thread)[1];
    assert_eq!(last["author_name"], "Member");
    assert_eq!(ts(&last["created_at"]), app.now());

    // The audit event names the grant and carries no text.
    let ev = c
        .dev
        .get(&app.api(&format!("/audit-events?target_id={id}")))
        .await
        .expect(200);
    let posted: Vec<Value> = items(&ev)
        .into_iter()
        .filter(|e| e["action"] == "grant.message_posted")
        .collect();
    assert_eq!(posted.len(), 2, "{}", ev.text);
    assert_eq!(posted[0]["target_type"], "partner_grant");
    assert!(!ev.text.contains("sandbox quota") && !ev.text.contains("50 requests"));
}

async fn only_the_parties_see_a_partner_grants_thread(app: TestApp) {
    let c = cast(&app).await;
    let (x, id) = partner_grant(&app, &c).await;
    x.post(&pg(&app, &id, "messages"), json!({"body": QUESTION}))
        .await
        .expect(201);
    let y = partner_org(&app, &c.op, "Harbor Community Bank").await;
    let other_dev = developer(&app, "Borealis Systems", "bo@borealis.example").await;
    let before = app.audit_count().await;
    let missing = uuid::Uuid::now_v7().to_string();
    // The NSA sees the grant's metadata, but is no party to the thread; the operator never sees
    // record content; another partner and another developer do not see the grant at all.
    c.nsa.get(&pg(&app, &id, "")).await.expect(200);
    for who in [&c.nsa, &c.cisa, &y, &other_dev, &c.op] {
        let hidden = who.get(&pg(&app, &id, "messages")).await;
        same_as_missing(&hidden, &who.get(&pg(&app, &missing, "messages")).await);
        let hidden = who
            .post(&pg(&app, &id, "messages"), json!({"body": "Hello"}))
            .await;
        let absent = who
            .post(&pg(&app, &missing, "messages"), json!({"body": "Hello"}))
            .await;
        same_as_missing(&hidden, &absent);
        // Even an invalid body answers 404: nothing says the grant exists.
        who.post(&pg(&app, &id, "messages"), json!({"body": ""}))
            .await
            .problem(404, "not_found");
    }
    assert_events(before, app.audit_count().await, 0, "refusals");
    assert_eq!(
        bodies(&x.get(&pg(&app, &id, "messages")).await),
        vec![QUESTION]
    );
}

async fn an_empty_or_too_long_message_is_refused_and_changes_nothing(app: TestApp) {
    let c = cast(&app).await;
    let (x, id) = partner_grant(&app, &c).await;
    let before = app.audit_count().await;
    let mails = app.queued_mail("dana@aurora.example", None).await;
    for body in [json!({"body": ""}), json!({"body": " \n\t "})] {
        let r = x
            .post(&pg(&app, &id, "messages"), body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["body"]);
        assert_eq!(r.body["errors"][0]["message"], "is required");
    }
    let r = x
        .post(
            &pg(&app, &id, "messages"),
            json!({"body": "a".repeat(4001)}),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["body"]);
    assert_eq!(
        r.body["errors"][0]["message"],
        "must be at most 4000 characters"
    );
    // A missing field is refused too.
    x.post(&pg(&app, &id, "messages"), json!({}))
        .await
        .problem(422, "validation_failed");
    assert_events(before, app.audit_count().await, 0, "refused posts");
    assert_eq!(app.queued_mail("dana@aurora.example", None).await, mails);
    assert!(items(&c.dev.get(&pg(&app, &id, "messages")).await.expect(200)).is_empty());
    // Exactly 4000 characters is accepted.
    let r = x
        .post(
            &pg(&app, &id, "messages"),
            json!({"body": "a".repeat(4000)}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["body"].as_str().unwrap().chars().count(), 4000);
}

async fn a_grantee_agency_writes_on_an_access_grant(app: TestApp) {
    let c = cast(&app).await;
    let nsa_analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let treasury = agency_org(&app, &c.op, "TREASURY").await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa, &c.cisa],
        &c.template,
        t0() + days(1),
        t0() + days(6),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();

    // A member of a grantee agency writes to the developer: its admins are told, the other
    // grantee is not.
    let r = nsa_analyst
        .post(&ag(&app, &id, "messages"), json!({"body": QUESTION}))
        .await
        .expect(201);
    assert_eq!(r.body["side"], "grantee");
    assert_eq!(r.body["author_org_name"], "NSA office");
    assert_eq!(
        outbox_for(&app, "dana@aurora.example", "grant_message")
            .await
            .len(),
        1
    );
    assert_eq!(
        app.queued_mail("admin@cisa.example", Some("grant_message"))
            .await,
        0
    );

    // The developer writes to the agencies: every grantee agency's admins are told.
    c.dev
        .post(&ag(&app, &id, "messages"), json!({"body": ANSWER}))
        .await
        .expect(201);
    for admin in ["admin@nsa.example", "admin@cisa.example"] {
        let m = outbox_for(&app, admin, "grant_message").await;
        assert_eq!(m.len(), 1, "{admin}");
        assert!(m[0].1.contains(&format!("/access-grants/{id}#messages")));
        assert!(!m[0].1.contains("50 requests"));
    }
    // Both grantees read the whole thread.
    for who in [&c.cisa, &c.nsa, &c.dev] {
        let t = who.get(&ag(&app, &id, "messages")).await.expect(200);
        assert_eq!(bodies(&t), vec![QUESTION, ANSWER]);
    }
    // An agency that is not a grantee, partners and the operator: 404.
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let missing = uuid::Uuid::now_v7().to_string();
    for who in [&treasury, &x, &c.op] {
        same_as_missing(
            &who.get(&ag(&app, &id, "messages")).await,
            &who.get(&ag(&app, &missing, "messages")).await,
        );
        who.post(&ag(&app, &id, "messages"), json!({"body": "Hello"}))
            .await
            .problem(404, "not_found");
    }
}

async fn a_grant_that_is_over_keeps_its_thread_open(app: TestApp) {
    let c = cast(&app).await;
    let (x, pid) = partner_grant(&app, &c).await;
    x.post(&pg(&app, &pid, "messages"), json!({"body": QUESTION}))
        .await
        .expect(201);
    c.dev
        .post_empty(&pg(&app, &pid, "revoke"))
        .await
        .expect(200);
    let g = offer_to_nsa(&app, &c).await;
    let aid = g["id"].as_str().unwrap().to_string();
    c.dev.post_empty(&ag(&app, &aid, "end")).await.expect(200);

    // Revoked and ended: both sides still read and write (a question after the fact).
    let r = x
        .post(
            &pg(&app, &pid, "messages"),
            json!({"body": "We deleted our copy of the credentials today."}),
        )
        .await
        .expect(201);
    assert_eq!(r.body["side"], "grantee");
    assert_eq!(
        items(&c.dev.get(&pg(&app, &pid, "messages")).await).len(),
        2
    );
    c.nsa
        .post(&ag(&app, &aid, "messages"), json!({"body": QUESTION}))
        .await
        .expect(201);
    // Expired too.
    let g2 = offer(
        &app,
        &c.dev,
        &new_model(&app, &c.dev, "Aurora-8").await,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(3),
    )
    .await;
    let eid = g2["id"].as_str().unwrap().to_string();
    app.advance(days(4));
    assert_eq!(
        c.dev.get(&ag(&app, &eid, "")).await.body["status"],
        "expired"
    );
    c.dev
        .post(&ag(&app, &eid, "messages"), json!({"body": ANSWER}))
        .await
        .expect(201);
    assert_eq!(
        bodies(&c.nsa.get(&ag(&app, &eid, "messages")).await),
        vec![ANSWER]
    );
}

async fn a_thread_pages_oldest_first(app: TestApp) {
    let c = cast(&app).await;
    let (x, id) = partner_grant(&app, &c).await;
    for i in 0..5 {
        let who = if i % 2 == 0 { &x } else { &c.dev };
        who.post(
            &pg(&app, &id, "messages"),
            json!({"body": format!("Message {i}")}),
        )
        .await
        .expect(201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(cur) => format!("messages?limit=2&cursor={cur}"),
            None => "messages?limit=2".to_string(),
        };
        let page = c.dev.get(&pg(&app, &id, &q)).await.expect(200);
        assert!(items(&page).len() <= 2);
        seen.extend(bodies(&page));
        match page.body["next_cursor"].as_str() {
            Some(n) => cursor = Some(n.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..5).map(|i| format!("Message {i}")).collect();
    assert_eq!(seen, expected);
    x.get(&pg(&app, &id, "messages?limit=0"))
        .await
        .problem(422, "validation_failed");
}
