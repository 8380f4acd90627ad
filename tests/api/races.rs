//! Races as production meets them (DESIGN.md §6): two portal instances on one database, the
//! requests of each trial released together by a barrier and spread over both instances.
//! Every trial checks the rule the race could break; each kind runs a bounded number of trials
//! (`PORTAL_RACE_TRIALS`, default 6), each on fresh records.
//!
//! Before `db::write_tx` took its lock first, these failed on PostgreSQL within a few trials:
//! offers and extensions went past the 30-day cap, withdraw and rescind were undone, concur and
//! decline both won, acceptances left the grant awaiting terms, `end` deadlocked against the
//! last acceptance, concurrences made two partner organizations, and parallel wrong passwords
//! were all verified. On SQLite they pass either way (it serializes writers itself); they run
//! there too, as the same suite runs on both backends.

use std::sync::Arc;

use chrono::Duration;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    simultaneous_offers_never_exceed_the_cap,
    an_extension_racing_an_offer_never_exceeds_the_cap,
    withdraw_stays_withdrawn_against_every_review_action,
    rescind_stays_rescinded_against_concur,
    concur_and_decline_never_both_win,
    simultaneous_acceptances_complete_the_terms,
    end_racing_the_last_acceptance_ends_the_grant,
    concurrences_on_a_new_partner_create_one_organization,
    parallel_wrong_passwords_are_all_counted,
    parallel_wrong_verification_passwords_are_all_counted,
    repeated_submits_and_withdraws_change_once,
);

fn trials() -> usize {
    std::env::var("PORTAL_RACE_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

/// One request of a race.
struct Shot {
    who: User,
    method: Method,
    path: String,
    body: Option<Value>,
}

fn post(who: &User, path: String, body: Value) -> Shot {
    Shot {
        who: who.clone(),
        method: Method::POST,
        path,
        body: Some(body),
    }
}

fn post_empty(who: &User, path: String) -> Shot {
    Shot {
        who: who.clone(),
        method: Method::POST,
        path,
        body: None,
    }
}

fn patch(who: &User, path: String, body: Value) -> Shot {
    Shot {
        who: who.clone(),
        method: Method::PATCH,
        path,
        body: Some(body),
    }
}

/// Fires every shot at once (a barrier releases them together); shot `i` goes to instance
/// `i % 2`. Answers in the order of the shots. No answer may be a 5xx.
async fn race(bases: &[String; 2], shots: Vec<Shot>) -> Vec<Resp> {
    let barrier = Arc::new(Barrier::new(shots.len()));
    let mut tasks = Vec::new();
    for (i, s) in shots.into_iter().enumerate() {
        let barrier = barrier.clone();
        let who = s.who.at(&bases[i % 2]);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            who.call(s.method, &s.path, s.body).await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        let r = t.await.expect("request task");
        assert!(
            r.status.as_u16() < 500,
            "a race must never answer 5xx: {} {}",
            r.status,
            r.text
        );
        out.push(r);
    }
    out
}

async fn two_instances(app: &TestApp) -> [String; 2] {
    [app.base.clone(), app.second_instance().await]
}

/// Audit events with this action on this target.
async fn events(app: &TestApp, target_id: &str, action: &str) -> i64 {
    let (t, a) = (target_id.to_string(), action.to_string());
    app.db(move |c| {
        use frontier_portal::db::schema::audit_events;
        audit_events::table
            .filter(audit_events::target_id.eq(t))
            .filter(audit_events::action.eq(a))
            .count()
            .get_result::<i64>(c)
            .unwrap()
    })
    .await
}

async fn chain_is_valid(app: &TestApp) {
    let v = app.db(|c| frontier_portal::audit::verify(c).unwrap()).await;
    assert!(v.valid, "audit chain broken after a race: {v:?}");
}

/// A fresh Government grant on `model` to `grantees`; answers its id.
async fn grant_on(
    app: &TestApp,
    c: &Cast,
    model: &str,
    grantees: &[&User],
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> String {
    let g = offer(
        app,
        &c.dev,
        model,
        grantees,
        &c.template,
        starts_at,
        ends_at,
    )
    .await;
    g["id"].as_str().unwrap().to_string()
}

async fn granted_days(app: &TestApp, dev: &User, model: &str) -> f64 {
    let m = dev
        .get(&app.api(&format!("/models/{model}")))
        .await
        .expect(200)
        .body;
    num(&m["government_days_granted"])
}

async fn simultaneous_offers_never_exceed_the_cap(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    for trial in 0..trials() {
        let model = new_model(&app, &c.dev, &format!("Cap-{trial}")).await;
        // Eight disjoint 10-day windows: any three fit the cap, a fourth never does.
        let shots = (0..8)
            .map(|i| {
                let starts = t0() + days(1 + 10 * i);
                post(
                    &c.dev,
                    app.api("/access-grants"),
                    grant_body(
                        &model,
                        &[&c.nsa.org_id],
                        &c.template,
                        starts,
                        starts + days(10),
                    ),
                )
            })
            .collect();
        let answers = race(&bases, shots).await;
        let created = answers.iter().filter(|r| r.status == 201).count();
        for r in answers.iter().filter(|r| r.status != 201) {
            assert_eq!(r.status, 422, "{}", r.text);
            assert_eq!(r.code(), "window_cap_exceeded", "{}", r.text);
        }
        assert_eq!(created, 3, "trial {trial}: {created} of 8 offers accepted");
        let days_granted = granted_days(&app, &c.dev, &model).await;
        assert!(
            days_granted <= 30.0 + 1e-9,
            "trial {trial}: {days_granted} days granted"
        );
    }
    chain_is_valid(&app).await;
}

async fn an_extension_racing_an_offer_never_exceeds_the_cap(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    for trial in 0..trials() {
        let model = new_model(&app, &c.dev, &format!("Extend-{trial}")).await;
        let id = grant_on(&app, &c, &model, &[&c.nsa], t0() + days(1), t0() + days(11)).await;
        // Extending to 25 days fits; so does a second 15-day window; both together do not.
        let answers = race(
            &bases,
            vec![
                patch(
                    &c.dev,
                    ag(&app, &id, ""),
                    json!({"ends_at": rfc(t0() + days(26))}),
                ),
                post(
                    &c.dev,
                    app.api("/access-grants"),
                    grant_body(
                        &model,
                        &[&c.nsa.org_id],
                        &c.template,
                        t0() + days(30),
                        t0() + days(45),
                    ),
                ),
            ],
        )
        .await;
        let ok = (answers[0].status == 200) as u8 + (answers[1].status == 201) as u8;
        assert_eq!(
            ok, 1,
            "trial {trial}: exactly one of extension and offer fits: {} / {}",
            answers[0].text, answers[1].text
        );
        let days_granted = granted_days(&app, &c.dev, &model).await;
        assert!(
            days_granted <= 30.0 + 1e-9,
            "trial {trial}: {days_granted} days granted"
        );
    }
    chain_is_valid(&app).await;
}

async fn withdraw_stays_withdrawn_against_every_review_action(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    let actions: [(&str, &User, Value); 4] = [
        ("assign", &c.cisa, json!({})),
        (
            "request-info",
            &c.nsa,
            json!({"message": "Please share the harness configuration."}),
        ),
        (
            "consultations",
            &c.cisa,
            json!({"agency_code": "CISA", "position": "concur", "note": "Agrees."}),
        ),
        (
            "determination",
            &c.nsa,
            json!({"outcome": "covered", "rationale": "Meets the threshold.", "benchmark_ref": "BM-1"}),
        ),
    ];
    for (action, reviewer, body) in &actions {
        for trial in 0..trials() {
            let id = submitted_request(&app, &c.dev, &c.model).await;
            if *action != "assign" {
                assign_self(&app, &c.nsa, &id).await;
            }
            let mut shots = vec![
                post_empty(&c.dev, dr(&app, &id, "withdraw")),
                post(reviewer, dr(&app, &id, action), body.clone()),
            ];
            if trial % 2 == 1 {
                shots.reverse();
            }
            let answers = race(&bases, shots).await;
            let withdraw = answers
                .iter()
                .find(|r| r.status == 200 && r.body["status"] == "withdrawn")
                .unwrap_or_else(|| {
                    panic!(
                        "{action} trial {trial}: withdraw must succeed at once: {} / {}",
                        answers[0].text, answers[1].text
                    )
                });
            assert!(withdraw.body["withdrawn_at"].is_string());
            for r in &answers {
                assert!(
                    r.status.is_success() || r.status == 409,
                    "{action}: {}",
                    r.text
                );
            }
            let now = c.dev.get(&dr(&app, &id, "")).await.expect(200).body;
            assert_eq!(
                now["status"], "withdrawn",
                "{action} trial {trial}: withdraw was undone: {now}"
            );
            assert_eq!(events(&app, &id, "designation.withdrawn").await, 1);
        }
    }
    chain_is_valid(&app).await;
}

async fn rescind_stays_rescinded_against_concur(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    submitted_request(&app, &c.dev, &c.model).await;
    for trial in 0..trials() {
        let n = nominate(&app, &c.dev, &c.model, &x.org_id).await;
        let id = n["id"].as_str().unwrap().to_string();
        let answers = race(
            &bases,
            vec![
                post_empty(&c.dev, nm(&app, &id, "rescind")),
                post_empty(&c.nsa, nm(&app, &id, "concur")),
            ],
        )
        .await;
        assert!(
            answers[0].status.is_success(),
            "rescind always succeeds: {}",
            answers[0].text
        );
        let now = c.dev.get(&nm(&app, &id, "")).await.expect(200).body;
        assert_eq!(
            now["status"], "rescinded",
            "trial {trial}: rescind was undone: {now}"
        );
        c.dev
            .post(
                &app.api("/partner-grants"),
                partner_grant_body(&id, &c.template, t0() + days(1), t0() + days(5)),
            )
            .await
            .problem(409, "not_selected");
    }
    chain_is_valid(&app).await;
}

async fn concur_and_decline_never_both_win(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    submitted_request(&app, &c.dev, &c.model).await;
    for trial in 0..trials() {
        let n = nominate(&app, &c.dev, &c.model, &x.org_id).await;
        let id = n["id"].as_str().unwrap().to_string();
        let answers = race(
            &bases,
            vec![
                post_empty(&c.nsa, nm(&app, &id, "concur")),
                post_empty(&c.cisa, nm(&app, &id, "decline")),
            ],
        )
        .await;
        let winners: Vec<&Resp> = answers.iter().filter(|r| r.status == 200).collect();
        assert_eq!(
            winners.len(),
            1,
            "trial {trial}: {} / {}",
            answers[0].text,
            answers[1].text
        );
        let loser = answers.iter().find(|r| r.status != 200).unwrap();
        assert_eq!(loser.status, 409, "{}", loser.text);
        assert_eq!(loser.code(), "invalid_transition");
        let now = c.dev.get(&nm(&app, &id, "")).await.expect(200).body;
        assert_eq!(now["status"], winners[0].body["status"], "trial {trial}");
        let answered = events(&app, &id, "nomination.concurred").await
            + events(&app, &id, "nomination.declined").await;
        assert_eq!(answered, 1, "trial {trial}: one answer event");
    }
    chain_is_valid(&app).await;
}

async fn simultaneous_acceptances_complete_the_terms(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    for trial in 0..trials() {
        let model = new_model(&app, &c.dev, &format!("Accept-{trial}")).await;
        let id = grant_on(
            &app,
            &c,
            &model,
            &[&c.nsa, &c.cisa],
            t0() + days(1),
            t0() + days(5),
        )
        .await;
        let answers = race(
            &bases,
            vec![
                post_empty(&c.dev, ag(&app, &id, "accept-terms")),
                post_empty(&c.nsa, ag(&app, &id, "accept-terms")),
                post_empty(&c.cisa, ag(&app, &id, "accept-terms")),
            ],
        )
        .await;
        for r in &answers {
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let now = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
        assert_eq!(
            now["status"], "scheduled",
            "trial {trial}: every party accepted: {now}"
        );
    }
    chain_is_valid(&app).await;
}

async fn end_racing_the_last_acceptance_ends_the_grant(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    for trial in 0..trials() {
        let model = new_model(&app, &c.dev, &format!("End-{trial}")).await;
        let id = grant_on(&app, &c, &model, &[&c.nsa], t0() + days(1), t0() + days(5)).await;
        c.dev
            .post_empty(&ag(&app, &id, "accept-terms"))
            .await
            .expect(200);
        let answers = race(
            &bases,
            vec![
                post_empty(&c.dev, ag(&app, &id, "end")),
                post_empty(&c.nsa, ag(&app, &id, "accept-terms")),
            ],
        )
        .await;
        assert_eq!(
            answers[0].status, 200,
            "end always succeeds: {}",
            answers[0].text
        );
        let now = c.dev.get(&ag(&app, &id, "")).await.expect(200).body;
        assert_eq!(now["status"], "ended", "trial {trial}: {now}");
        assert_eq!(events(&app, &id, "grant.ended").await, 1);
    }
    chain_is_valid(&app).await;
}

async fn concurrences_on_a_new_partner_create_one_organization(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    submitted_request(&app, &c.dev, &c.model).await;
    for trial in 0..trials() {
        let name = format!("Lakeside Water Utility {trial}");
        let contact = format!("ops{trial}@lakeside.example");
        let n = c
            .dev
            .post(
                &app.api("/nominations"),
                json!({"model_id": c.model, "rationale": "Operates the regional water system.",
                       "new_partner": {"name": name, "partner_type": "critical_infrastructure_operator", "sector": "water_and_wastewater_systems", "contact_email": contact}}),
            )
            .await
            .expect(201);
        let id = n.id();
        let shots = (0..6)
            .map(|i| {
                post_empty(
                    if i % 2 == 0 { &c.nsa } else { &c.cisa },
                    nm(&app, &id, "concur"),
                )
            })
            .collect();
        let answers = race(&bases, shots).await;
        for r in &answers {
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.body["status"], "selected", "{}", r.text);
        }
        let like = format!("{name}%");
        let orgs = app
            .db(move |conn| {
                use frontier_portal::db::schema::organizations;
                organizations::table
                    .filter(organizations::name.like(like))
                    .count()
                    .get_result::<i64>(conn)
                    .unwrap()
            })
            .await;
        assert_eq!(orgs, 1, "trial {trial}: one organization per co-selection");
        assert_eq!(events(&app, &id, "nomination.concurred").await, 1);
        let partner_org =
            c.dev.get(&nm(&app, &id, "")).await.expect(200).body["partner_org_id"].clone();
        assert!(partner_org.is_string());
    }
    chain_is_valid(&app).await;
}

async fn parallel_wrong_passwords_are_all_counted(app: TestApp) {
    let bases = two_instances(&app).await;
    let dev = app
        .signup_developer("Aurora AI Labs", "dana@aurora.example")
        .await;
    let free = frontier_portal::store::accounts::FREE_FAILURES as usize;
    for trial in 0..trials().min(3) {
        let shots = (0..40)
            .map(|_| Shot {
                who: User {
                    client: app.client(),
                    ..dev.clone()
                },
                method: Method::POST,
                path: app.api("/auth/login"),
                body: Some(json!({"email": dev.email, "password": "not the password at all"})),
            })
            .collect();
        let answers = race(&bases, shots).await;
        let verified = answers.iter().filter(|r| r.status == 401).count();
        let throttled = answers.iter().filter(|r| r.status == 429).count();
        assert_eq!(verified + throttled, 40, "only 401 or 429");
        // The first `free` failures are free; the next one starts the lockout.
        assert!(
            verified <= free,
            "trial {trial}: {verified} of 40 simultaneous wrong passwords were verified"
        );
        for r in answers.iter().filter(|r| r.status == 429) {
            assert!(r.headers.get("retry-after").is_some());
        }
        // Locked now, even for the right password; after the lockout, a right password clears it.
        app.client()
            .post(
                &app.api("/auth/login"),
                json!({"email": dev.email, "password": PASSWORD}),
            )
            .await
            .problem(429, "throttled");
        app.advance(Duration::hours(2));
        app.login(&dev.email, PASSWORD).await;
    }
}

/// Confirming an email address asks for the sign-up password (DESIGN §6, defect 13); its
/// failures count toward the same lockout, and so must simultaneous ones.
async fn parallel_wrong_verification_passwords_are_all_counted(app: TestApp) {
    let bases = two_instances(&app).await;
    let email = "owner@victim.example";
    app.anon
        .post(
            &app.api("/auth/signup"),
            json!({"organization_name": "Victim Labs", "name": "Signer", "email": email, "password": PASSWORD}),
        )
        .await
        .expect(201);
    let token = app
        .wait_mail(email, "Confirm your email")
        .await
        .token()
        .unwrap();
    let free = frontier_portal::store::accounts::FREE_FAILURES as usize;
    let anon = User {
        id: String::new(),
        email: email.into(),
        org_id: String::new(),
        client: app.anon.clone(),
    };
    let shots = (0..40)
        .map(|_| {
            post(
                &anon,
                app.api("/auth/verify-email"),
                json!({"token": token, "password": "not the password at all"}),
            )
        })
        .collect();
    let answers = race(&bases, shots).await;
    let checked = answers.iter().filter(|r| r.status == 422).count();
    let throttled = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(checked + throttled, 40, "only 422 or 429");
    assert!(
        checked <= free,
        "{checked} of 40 simultaneous wrong verification passwords were checked"
    );
    // Locked now, even with the right password; after the lockout the right one confirms.
    app.anon
        .post(
            &app.api("/auth/verify-email"),
            json!({"token": token, "password": PASSWORD}),
        )
        .await
        .problem(429, "throttled");
    app.advance(Duration::hours(2));
    app.anon
        .post(
            &app.api("/auth/verify-email"),
            json!({"token": token, "password": PASSWORD}),
        )
        .await
        .expect(200);
}

async fn repeated_submits_and_withdraws_change_once(app: TestApp) {
    let c = cast(&app).await;
    let bases = two_instances(&app).await;
    for trial in 0..trials().min(3) {
        let id = draft_request(&app, &c.dev, &c.model).await;
        let before = app
            .queued_mail("admin@nsa.example", Some("request_submitted"))
            .await;
        let answers = race(
            &bases,
            (0..16)
                .map(|_| post_empty(&c.dev, dr(&app, &id, "submit")))
                .collect(),
        )
        .await;
        assert_eq!(
            answers.iter().filter(|r| r.status == 200).count(),
            1,
            "trial {trial}: one submit wins"
        );
        for r in answers.iter().filter(|r| r.status != 200) {
            assert_eq!(r.status, 409, "{}", r.text);
            assert_eq!(r.code(), "invalid_transition");
        }
        assert_eq!(events(&app, &id, "designation.submitted").await, 1);
        assert_eq!(
            app.queued_mail("admin@nsa.example", Some("request_submitted"))
                .await
                - before,
            1,
            "one email per reviewer"
        );

        let answers = race(
            &bases,
            (0..16)
                .map(|_| post_empty(&c.dev, dr(&app, &id, "withdraw")))
                .collect(),
        )
        .await;
        for r in &answers {
            assert_eq!(r.status, 200, "withdraw is idempotent: {}", r.text);
            assert_eq!(r.body["status"], "withdrawn");
        }
        assert_eq!(events(&app, &id, "designation.withdrawn").await, 1);
    }
    chain_is_valid(&app).await;
}
