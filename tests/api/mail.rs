//! Mail delivery guarantees (DESIGN.md §6): a stable `Message-ID` on every attempt, at-least-once
//! delivery with a dead instance's claim taken over within a minute, and no link token left in
//! the outbox once a message is delivered.
//!
//! Rows are queued a year ahead of the app's clock, so the app's own worker never sees them and
//! each test drives delivery by an explicit call with explicit times.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use frontier_portal::db::schema::outbox as t;
use frontier_portal::mail::{self, outbox, templates::Reason, Mailer};

use crate::dual_tests;
use crate::helpers::*;

dual_tests!(
    message_id_is_stable_across_retries_and_a_dead_claim_is_resent_within_a_minute,
    delivered_mail_leaves_no_link_in_the_outbox,
);

const FROM: &str = "portal@localhost";

/// The `Message-ID` header of a raw message.
fn message_id_of(m: &Mail) -> String {
    m.raw
        .lines()
        .find_map(|l| {
            l.strip_prefix("Message-ID: ")
                .or_else(|| l.strip_prefix("Message-Id: "))
        })
        .unwrap_or_else(|| panic!("no Message-ID in {}", m.raw))
        .trim()
        .to_string()
}

/// An SMTP mailer that cannot connect (nothing listens on the port).
fn unreachable_smtp(app: &TestApp) -> Mailer {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut s = app.state.settings.mail.clone();
    s.smtp_url = format!("smtp://127.0.0.1:{closed}");
    Mailer::from_settings(&s).unwrap()
}

/// The app's own SMTP mailer (to the test's listener).
fn sink_smtp(app: &TestApp) -> Mailer {
    Mailer::from_settings(&app.state.settings.mail).unwrap()
}

async fn queue(app: &TestApp, at: DateTime<Utc>, to: &'static str, link: &'static str) -> String {
    app.db(move |c| {
        outbox::enqueue(c, at, to, Reason::PasswordReset, link).unwrap();
        t::table
            .filter(t::to_address.eq(to))
            .select(t::id)
            .first::<String>(c)
            .unwrap()
    })
    .await
}

async fn deliver(app: &TestApp, m: &Mailer, at: DateTime<Utc>) -> usize {
    let m = m.clone();
    app.db(move |c| outbox::deliver_due(c, &m, FROM, at).unwrap())
        .await
}

async fn message_id_is_stable_across_retries_and_a_dead_claim_is_resent_within_a_minute(
    app: TestApp,
) {
    let to = "retry@x.example";
    let at = app.now() + Duration::days(365);
    let id = queue(&app, at, to, "http://x/reset?token=t1").await;
    let expected = mail::message_id(&id, FROM);
    assert_eq!(expected, format!("<{id}@localhost>"));

    // Attempt 1 fails (the SMTP server is down): retried after the backoff.
    assert_eq!(deliver(&app, &unreachable_smtp(&app), at).await, 0);
    let at = at + outbox::backoff(1);

    // Attempt 2: an instance claims the row, hands the message to the SMTP server, and is killed
    // before it can record the delivery.
    let sink = sink_smtp(&app);
    let claimed = {
        let sink = sink.clone();
        app.db(move |c| {
            let row = outbox::claim_one(c, at).unwrap().expect("a due row");
            sink.send(outbox::message_of(&row, FROM).unwrap()).unwrap();
            row
        })
        .await
    };
    assert_eq!(claimed.id, id);
    assert_eq!(app.mail_count(to), 1);

    // The claim holds for its lease, and no longer than a minute.
    assert!(outbox::LEASE <= Duration::seconds(60));
    assert_eq!(
        deliver(&app, &sink, at + outbox::LEASE - Duration::seconds(1)).await,
        0,
        "still leased to the dead instance"
    );
    assert_eq!(deliver(&app, &sink, at + outbox::LEASE).await, 1);
    assert_eq!(deliver(&app, &sink, at + Duration::hours(1)).await, 0);

    // Delivered twice (at least once), both copies with the same Message-ID, so the receiver
    // can drop the duplicate.
    let copies: Vec<Mail> = app
        .mail
        .messages
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.to.iter().any(|a| a == to))
        .cloned()
        .collect();
    assert_eq!(copies.len(), 2);
    assert_eq!(message_id_of(&copies[0]), expected);
    assert_eq!(message_id_of(&copies[1]), expected);
    let attempts: i32 = app
        .db(move |c| t::table.find(id).select(t::attempts).first(c).unwrap())
        .await;
    assert_eq!(attempts, 3);
}

async fn delivered_mail_leaves_no_link_in_the_outbox(app: TestApp) {
    // Through the app's own worker: the verification email of a signup carries a Message-ID,
    // and once it is delivered its token is nowhere in the outbox.
    let email = "nolink@aurora.example";
    app.anon
        .post(
            &app.api("/auth/signup"),
            serde_json::json!({"organization_name": "Aurora", "name": "Dev", "email": email, "password": PASSWORD}),
        )
        .await
        .expect(201);
    let m = app.wait_mail(email, "Confirm your email").await;
    let token = m.token().unwrap();
    assert!(message_id_of(&m).ends_with("@localhost>"));
    // The worker records the delivery right after the SMTP server accepted it: once its pass
    // is over, the row is sent and its bodies are cleared.
    app.run_jobs().await;
    let (sent, text, html): (Option<chrono::NaiveDateTime>, String, String) = app
        .db(move |c| {
            t::table
                .filter(t::to_address.eq(email))
                .select((t::sent_at, t::body_text, t::body_html))
                .first(c)
                .unwrap()
        })
        .await;
    assert!(sent.is_some(), "the delivery was never recorded");
    assert_eq!((text.as_str(), html.as_str()), ("", ""));
    let holding_token: i64 = app
        .db(move |c| {
            t::table
                .filter(
                    t::body_text
                        .like(format!("%{token}%"))
                        .or(t::body_html.like(format!("%{token}%"))),
                )
                .count()
                .get_result(c)
                .unwrap()
        })
        .await;
    assert_eq!(holding_token, 0);

    // Driven by hand: a permanently failing message is cleared as well; the subject and the
    // error stay for the operator.
    let at = app.now() + Duration::days(365);
    let id = queue(&app, at, "dead@x.example", "http://x/reset?token=t2").await;
    let down = unreachable_smtp(&app);
    let mut when = at;
    for attempt in 1..=outbox::MAX_ATTEMPTS {
        assert_eq!(deliver(&app, &down, when).await, 0);
        when += outbox::backoff(attempt);
    }
    let (failed, subject, text, html, err): (
        Option<chrono::NaiveDateTime>,
        String,
        String,
        String,
        Option<String>,
    ) = app
        .db(move |c| {
            t::table
                .find(id)
                .select((
                    t::failed_at,
                    t::subject,
                    t::body_text,
                    t::body_html,
                    t::last_error,
                ))
                .first(c)
                .unwrap()
        })
        .await;
    assert!(failed.is_some());
    assert!(!subject.is_empty());
    assert_eq!((text.as_str(), html.as_str()), ("", ""));
    assert!(err.is_some());
}
