//! Database trouble (DESIGN.md §6): with the database stopped, frozen or out of connections,
//! requests answer `503 database_unavailable` with `Retry-After` within 2 s, `/readyz` answers
//! within 1 s, and the app works again when the database is back, without a restart.
//!
//! Stopping and freezing need a PostgreSQL cluster of the test's own ([`PgServer::dedicated`]);
//! the shared one serves the tests running in parallel.

use std::time::{Duration as StdDuration, Instant};

use serde_json::json;

use crate::dual_tests;
use crate::helpers::*;

dual_tests!(exhausted_pool_answers_503_quickly);

const API_LIMIT: StdDuration = StdDuration::from_secs(2);
const READY_LIMIT: StdDuration = StdDuration::from_secs(1);

/// Asserts a 503 `database_unavailable` with `Retry-After` within [`API_LIMIT`]; returns the time.
#[track_caller]
fn unavailable(r: Resp, took: StdDuration, what: &str) -> StdDuration {
    let retry = r
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    r.problem(503, "database_unavailable");
    assert!(retry.is_some_and(|s| s >= 1), "{what}: Retry-After");
    assert!(took < API_LIMIT, "{what}: answered after {took:?}");
    took
}

async fn timed<F: std::future::Future<Output = Resp>>(f: F) -> (Resp, StdDuration) {
    let t = Instant::now();
    let r = f.await;
    (r, t.elapsed())
}

async fn readyz_unavailable(app: &TestApp) -> StdDuration {
    let (r, took) = timed(app.anon.get("/readyz")).await;
    assert_eq!(r.status.as_u16(), 503, "readyz: {}", r.text);
    assert!(r.headers.get("retry-after").is_some(), "readyz Retry-After");
    assert!(took < READY_LIMIT, "readyz answered after {took:?}");
    took
}

fn model(name: &str) -> serde_json::Value {
    json!({"name": name, "version": "1"})
}

async fn model_names(app: &TestApp, dev: &User) -> Vec<String> {
    let r = dev.get(&app.api("/models?limit=100")).await.expect(200);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// After the database is back: the API answers again, without restarting the app. Returns how
/// long that took.
async fn recovers(app: &TestApp, dev: &User) -> StdDuration {
    let t = Instant::now();
    loop {
        let r = app.anon.get("/readyz").await;
        if r.status.as_u16() == 200 {
            break;
        }
        assert!(
            t.elapsed() < StdDuration::from_secs(10),
            "not ready 10 s after the database came back: {}",
            r.text
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let took = t.elapsed();
    dev.post(&app.api("/models"), model("After"))
        .await
        .expect(201);
    took
}

async fn dedicated_app() -> Option<(PgServer, TestApp, User)> {
    let pg = PgServer::dedicated()?;
    let url = pg.create_database();
    let app = spawn_app_in(Backend::Postgres, tempfile::tempdir().unwrap(), url, |_| {}).await;
    let dev = app.signup_developer("Aurora", "dev@aurora.example").await;
    dev.post(&app.api("/models"), model("Before"))
        .await
        .expect(201);
    Some((pg, app, dev))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_answers_503_quickly_and_recovers() {
    let Some((pg, app, dev)) = dedicated_app().await else {
        return;
    };
    pg.stop_immediate();
    let (r, t) = timed(dev.get(&app.api("/models"))).await;
    let read = unavailable(r, t, "GET /models");
    let (r, t) = timed(dev.post(&app.api("/models"), model("During"))).await;
    let write = unavailable(r, t, "POST /models");
    let (r, t) = timed(app.anon.post(
        &app.api("/auth/login"),
        json!({"email": "dev@aurora.example", "password": PASSWORD}),
    ))
    .await;
    let login = unavailable(r, t, "POST /auth/login");
    let ready = readyz_unavailable(&app).await;

    assert!(pg.start());
    let back = recovers(&app, &dev).await;
    assert_eq!(model_names(&app, &dev).await, ["After", "Before"]);
    eprintln!(
        "MEASURED stopped: GET {read:?}, POST {write:?}, login {login:?}, readyz {ready:?}; ready again {back:?} after start"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_frozen_answers_503_within_the_deadline_and_recovers() {
    let Some((pg, app, dev)) = dedicated_app().await else {
        return;
    };
    pg.freeze();
    let (r, t) = timed(dev.get(&app.api("/models"))).await;
    let read = unavailable(r, t, "GET /models");
    let (r, t) = timed(dev.post(&app.api("/models"), model("During"))).await;
    let write = unavailable(r, t, "POST /models");
    let ready = readyz_unavailable(&app).await;
    // Every pooled connection is now stuck on the frozen server; later requests still answer.
    let (r, t) = timed(dev.get(&app.api("/models"))).await;
    let again = unavailable(r, t, "GET /models, pool stuck");

    pg.thaw();
    let back = recovers(&app, &dev).await;
    // The write answered 503 was not made behind the client's back when the server woke up.
    assert_eq!(model_names(&app, &dev).await, ["After", "Before"]);
    eprintln!(
        "MEASURED frozen: GET {read:?}, POST {write:?}, readyz {ready:?}, GET with stuck pool {again:?}; ready again {back:?} after thaw"
    );
}

async fn exhausted_pool_answers_503_quickly(app: TestApp) {
    let dev = app.signup_developer("Aurora", "dev@aurora.example").await;
    // Take every connection of the pool and hold them.
    let size = app.state.pool.max_size();
    let (release, held) = std::sync::mpsc::channel::<()>();
    let (taken_tx, taken) = tokio::sync::oneshot::channel::<()>();
    let state = app.state.clone();
    let holder = std::thread::spawn(move || {
        let conns: Vec<_> = (0..size)
            .map(|_| state.pool.get_timeout(StdDuration::from_secs(10)).unwrap())
            .collect();
        taken_tx.send(()).unwrap();
        held.recv().unwrap();
        drop(conns);
    });
    taken.await.unwrap();
    let (r, t) = timed(dev.get(&app.api("/models"))).await;
    let read = unavailable(r, t, "GET /models");
    let (r, t) = timed(app.anon.get("/readyz")).await;
    assert_eq!(r.status.as_u16(), 503);
    assert!(t < READY_LIMIT, "readyz answered after {t:?}");
    release.send(()).unwrap();
    holder.join().unwrap();
    dev.get(&app.api("/models")).await.expect(200);
    eprintln!(
        "MEASURED exhausted pool ({:?}): GET {read:?}, readyz {t:?}",
        app.backend
    );
}
