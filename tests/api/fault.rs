//! Crash safety: the real binary is killed with SIGKILL in the middle of a stream of writes from
//! several clients, restarted on the same database, and must have kept every write it
//! acknowledged, each with exactly one audit event, and an audit chain that verifies. A write
//! in flight at the kill may be present or absent, but if present it is complete (its event
//! too).
//!
//! Three kill cycles per backend, each after a random 0.3–0.9 s of writes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use diesel::prelude::*;
use frontier_portal::db::schema::{audit_events, designation_requests, models};
use frontier_portal::db::{self, DbConn};
use rand::Rng;
use serde_json::{json, Value};

use crate::helpers::*;

const CYCLES: usize = 3;
const CLIENTS: usize = 4;

/// The portal binary, started on a database and a data directory that outlive it.
struct Portal {
    dir: PathBuf,
    url: String,
    child: Option<Child>,
    base: String,
}

impl Portal {
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_frontier-portal"));
        c.args(args)
            .env(
                "PORTAL_CONFIG_DIR",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("config"),
            )
            .env("PORTAL_ENV", "fault-test")
            .env("PORTAL__SERVER__PORT", "0")
            .env("PORTAL__SERVER__DATA_DIR", self.dir.join("data"))
            .env("PORTAL__SERVER__STATIC_DIR", self.dir.join("no-frontend"))
            .env("PORTAL__DATABASE__URL", &self.url)
            .env("PORTAL__MAIL__TRANSPORT", "file")
            .env("PORTAL__MAIL__DIR", self.dir.join("mail"))
            .env("PORTAL__AUTH__JWT_KEY", JWT_SECRET)
            .env("PORTAL__AUTH__IP_REQUESTS_PER_MINUTE", "1000000")
            .env("PORTAL__JOBS__POLL_INTERVAL_MS", "50")
            .env("PORTAL__LOG__LEVEL", "warn");
        c
    }

    /// Starts `serve` and waits until it prints its port.
    fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("portal.log"))
            .unwrap();
        let mut child = self
            .command(&["serve"])
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start frontier-portal");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Keeps reading, so the pipe never fills and blocks the server.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(p) = line
                    .split("(port ")
                    .nth(1)
                    .and_then(|r| r.split(')').next())
                    .and_then(|p| p.parse::<u16>().ok())
                {
                    let _ = tx.send(p);
                }
            }
        });
        let port = rx
            .recv_timeout(StdDuration::from_secs(30))
            .expect("the portal printed its port");
        self.base = format!("http://127.0.0.1:{port}");
        self.child = Some(child);
    }

    fn kill_9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap(); // SIGKILL
            c.wait().unwrap();
        }
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// What the server acknowledged with a 2xx.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ack {
    Model(String),
    Created(String),
    Submitted(String),
    Withdrawn(String),
}

impl Ack {
    fn event(&self) -> (&'static str, &str) {
        match self {
            Ack::Model(id) => ("model.registered", id),
            Ack::Created(id) => ("designation.created", id),
            Ack::Submitted(id) => ("designation.submitted", id),
            Ack::Withdrawn(id) => ("designation.withdrawn", id),
        }
    }
}

/// Answers other than 2xx from a live server (there should be none).
type Refusals = Arc<Mutex<Vec<String>>>;

/// POST with the session cookie; None when the server is gone (or answers no 2xx).
async fn post(c: &Client, url: String, body: Option<Value>, refusals: &Refusals) -> Option<Value> {
    let mut rb = c.http.post(&url).header("X-Requested-With", "fetch");
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.ok()?;
    if !r.status().is_success() {
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        refusals
            .lock()
            .unwrap()
            .push(format!("{url}: {status} {text}"));
        return None;
    }
    r.json().await.ok()
}

/// One client's stream: register a model, file a request on it, submit it, withdraw it, again.
async fn writer(
    base: String,
    c: Client,
    who: usize,
    acks: Arc<Mutex<Vec<Ack>>>,
    refusals: Refusals,
) {
    let api = |p: &str| format!("{base}/api/v1{p}");
    for i in 0.. {
        let name = format!("m-{who}-{i}-{}", uuid::Uuid::new_v4().simple());
        let Some(m) = post(
            &c,
            api("/models"),
            Some(json!({"name": name, "version": "1"})),
            &refusals,
        )
        .await
        else {
            return;
        };
        let model = m["id"].as_str().unwrap().to_string();
        acks.lock().unwrap().push(Ack::Model(model.clone()));
        let Some(r) = post(
            &c,
            api("/designation-requests"),
            Some(json!({"model_id": model, "summary": "Please review", "capability_evidence": "Evals"})),
            &refusals,
        )
        .await
        else {
            return;
        };
        let id = r["id"].as_str().unwrap().to_string();
        acks.lock().unwrap().push(Ack::Created(id.clone()));
        for (step, ack) in [
            ("submit", Ack::Submitted(id.clone())),
            ("withdraw", Ack::Withdrawn(id.clone())),
        ] {
            if post(
                &c,
                api(&format!("/designation-requests/{id}/{step}")),
                None,
                &refusals,
            )
            .await
            .is_none()
            {
                return;
            }
            acks.lock().unwrap().push(ack);
        }
    }
}

/// Signs up a developer through the emailed link (read from the `.eml` file) and signs in.
async fn developer(p: &Portal) -> Client {
    let anon = Client::new(&p.base, false);
    let email = "crash@aurora.example";
    anon.post(
        &format!("{}/api/v1/auth/signup", p.base),
        json!({"organization_name": "Aurora", "name": "Dev", "email": email, "password": PASSWORD}),
    )
    .await
    .expect(201);
    let maildir = p.dir.join("mail");
    let started = Instant::now();
    let raw = loop {
        let found = std::fs::read_dir(&maildir).ok().and_then(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .find(|raw| raw.contains(email) && raw.contains("verify-email"))
        });
        if let Some(raw) = found {
            break raw;
        }
        assert!(
            started.elapsed() < StdDuration::from_secs(10),
            "no verification email in {}",
            maildir.display()
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    };
    // The file transport keeps link-bearing emails private.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&maildir), 0o700, "mail dir mode");
    for e in std::fs::read_dir(&maildir).unwrap().flatten() {
        assert_eq!(mode(&e.path()), 0o600, "{}", e.path().display());
    }
    let token = Mail { to: vec![], raw }.token().unwrap();
    anon.post(
        &format!("{}/api/v1/auth/verify-email", p.base),
        json!({"token": token, "password": PASSWORD}),
    )
    .await
    .expect(200);
    let c = Client::new(&p.base, true);
    c.post(
        &format!("{}/api/v1/auth/login", p.base),
        json!({"email": email, "password": PASSWORD}),
    )
    .await
    .expect(200);
    c
}

/// What the database holds after a restart.
struct Stored {
    models: BTreeSet<String>,
    /// id → (submitted, withdrawn)
    requests: BTreeMap<String, (bool, bool)>,
    /// (action, target id) → events
    events: BTreeMap<(String, String), usize>,
}

fn stored(conn: &mut DbConn) -> Stored {
    let models = models::table
        .select(models::id)
        .load::<String>(conn)
        .unwrap()
        .into_iter()
        .collect();
    let requests = designation_requests::table
        .select((
            designation_requests::id,
            designation_requests::submitted_at.is_not_null(),
            designation_requests::withdrawn_at.is_not_null(),
        ))
        .load::<(String, bool, bool)>(conn)
        .unwrap()
        .into_iter()
        .map(|(id, s, w)| (id, (s, w)))
        .collect();
    let mut events = BTreeMap::new();
    for (action, target) in audit_events::table
        .select((audit_events::action, audit_events::target_id))
        .load::<(String, String)>(conn)
        .unwrap()
    {
        *events.entry((action, target)).or_insert(0) += 1;
    }
    Stored {
        models,
        requests,
        events,
    }
}

/// Every acknowledged write is there with one event; every write that is there (acknowledged or
/// not) has exactly one event, and no event describes a change that is not there. Returns the
/// number of acknowledged writes that were lost (asserted to be 0) and of changes stored that
/// were never acknowledged (in flight at a kill, committed before it).
fn check(s: &Stored, acks: &[Ack]) -> (usize, usize) {
    let n = |action: &str, id: &str| {
        s.events
            .get(&(action.to_string(), id.to_string()))
            .copied()
            .unwrap_or(0)
    };
    let lost: Vec<&Ack> = acks
        .iter()
        .filter(|a| match a {
            Ack::Model(id) => !s.models.contains(id),
            Ack::Created(id) => !s.requests.contains_key(id),
            Ack::Submitted(id) => !s.requests.get(id).is_some_and(|r| r.0),
            Ack::Withdrawn(id) => !s.requests.get(id).is_some_and(|r| r.1),
        })
        .collect();
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    for a in acks {
        let (action, id) = a.event();
        assert_eq!(n(action, id), 1, "events of acknowledged {a:?}");
    }
    for id in &s.models {
        assert_eq!(n("model.registered", id), 1, "events of model {id}");
    }
    for (id, (submitted, withdrawn)) in &s.requests {
        assert_eq!(n("designation.created", id), 1, "created events of {id}");
        assert_eq!(
            n("designation.submitted", id),
            usize::from(*submitted),
            "submitted events of {id}"
        );
        assert_eq!(
            n("designation.withdrawn", id),
            usize::from(*withdrawn),
            "withdrawn events of {id}"
        );
    }
    let acked: BTreeSet<&Ack> = acks.iter().collect();
    let stored_changes =
        s.models
            .iter()
            .map(|id| Ack::Model(id.clone()))
            .chain(s.requests.iter().flat_map(|(id, (sub, wd))| {
                [
                    Some(Ack::Created(id.clone())),
                    sub.then(|| Ack::Submitted(id.clone())),
                    wd.then(|| Ack::Withdrawn(id.clone())),
                ]
                .into_iter()
                .flatten()
            }));
    let unacknowledged = stored_changes.filter(|c| !acked.contains(c)).count();
    (lost.len(), unacknowledged)
}

async fn kill_cycles(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let Some(url) = database_url(backend, tmp.path()) else {
        return;
    };
    let started = Instant::now();
    let mut p = Portal {
        dir: tmp.path().to_path_buf(),
        url: url.clone(),
        child: None,
        base: String::new(),
    };
    p.start();
    let dev = developer(&p).await;
    let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let refusals: Refusals = Arc::default();
    let mut per_cycle = Vec::new();
    for _ in 0..CYCLES {
        let before = acks.lock().unwrap().len();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|who| {
                // The cookie store is shared; each client gets its own connections.
                let mut c = dev.clone();
                c.base = p.base.clone();
                tokio::spawn(writer(
                    p.base.clone(),
                    c,
                    who,
                    acks.clone(),
                    refusals.clone(),
                ))
            })
            .collect();
        let delay = rand::thread_rng().gen_range(300..900);
        tokio::time::sleep(StdDuration::from_millis(delay)).await;
        p.kill_9();
        for c in clients {
            tokio::time::timeout(StdDuration::from_secs(10), c)
                .await
                .expect("clients notice the dead server")
                .unwrap();
        }
        p.start();
        // The restarted server serves the same session.
        dev.get(&format!("{}/api/v1/models?limit=1", p.base))
            .await
            .expect(200);
        let acked = acks.lock().unwrap().clone();
        let url = url.clone();
        let (lost, in_flight) = tokio::task::spawn_blocking(move || {
            let pool = db::connect(&url, 1, crate::helpers::default_limits()).unwrap();
            let mut conn = pool.get().unwrap();
            check(&stored(&mut conn), &acked)
        })
        .await
        .unwrap();
        let out = p.command(&["audit", "verify"]).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success() && said.contains("audit chain valid"),
            "audit verify: {said} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        per_cycle.push((delay, acks.lock().unwrap().len() - before, lost, in_flight));
    }
    let refusals = refusals.lock().unwrap().clone();
    assert!(
        refusals.is_empty(),
        "the live server refused writes: {refusals:?}"
    );
    assert!(
        per_cycle.iter().all(|(_, acked, _, _)| *acked > 0),
        "every cycle acknowledged writes before the kill: {per_cycle:?}"
    );
    eprintln!(
        "MEASURED kill -9 on {backend:?}: (kill after ms, writes acknowledged, acknowledged writes lost, unacknowledged writes stored so far) per cycle {per_cycle:?}; {:?} in all",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_keeps_every_acknowledged_write_sqlite() {
    kill_cycles(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_keeps_every_acknowledged_write_postgres() {
    kill_cycles(Backend::Postgres).await;
}
