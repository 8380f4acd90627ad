//! The test harness: `spawn_app(backend)` starts the real server on port 0 with a fresh database
//! (a SQLite file, or a database of its own on a throw-away PostgreSQL cluster), an injected
//! manual clock and a real SMTP listener on loopback, and returns a handle with helpers.
//!
//! Every test is written once as `async fn name(app: TestApp)` and listed in `dual_tests!`, which
//! runs it on SQLite and on PostgreSQL. PostgreSQL comes from `PORTAL_TEST_PG_URL`
//! (`postgres://user@host:port`, a superuser) or is started here with `initdb`/`pg_ctl` when the
//! server binaries are installed; without either, PostgreSQL variants print a notice and pass,
//! unless `PORTAL_TEST_REQUIRE_PG=1` (as in CI), where they fail.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use diesel::prelude::*;
use frontier_portal::accounts::{self, Env};
use frontier_portal::audit::AuditCtx;
use frontier_portal::clock::ManualClock;
use frontier_portal::config::{Secret, Settings};
use frontier_portal::db;
use frontier_portal::jobs::Jobs;
use frontier_portal::mail::Mailer;
use frontier_portal::startup::{Application, Overrides};
use frontier_portal::state::AppState;
use mailin_embedded::{response, Handler, Response, Server, SslConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const JWT_SECRET: &str = "test-secret-key-of-at-least-32-bytes-0123456789";
pub const PASSWORD: &str = "harbor-lantern-quiet-meadow-7";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

// ---------------------------------------------------------------- SMTP listener

#[derive(Clone, Default)]
pub struct MailSink {
    pub messages: Arc<Mutex<Vec<Mail>>>,
    current: Arc<Mutex<(Vec<String>, Vec<u8>)>>,
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub raw: String,
}

impl Mail {
    pub fn subject(&self) -> String {
        self.raw
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or_default()
            .to_string()
    }
    /// The first link into the portal in the text part.
    pub fn link(&self) -> Option<String> {
        let start = self
            .raw
            .find("https://")
            .or_else(|| self.raw.find("http://"))?;
        let rest = &self.raw[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .unwrap_or(rest.len());
        Some(rest[..end].to_string())
    }
    /// The `token` of the link (query `token=` or the last path segment of /invite/).
    pub fn token(&self) -> Option<String> {
        let link = self.link()?;
        if let Some((_, t)) = link.split_once("token=") {
            return Some(t.to_string());
        }
        link.rsplit('/').next().map(str::to_string)
    }
}

impl Handler for MailSink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        *self.current.lock().unwrap() = (to.to_vec(), Vec::new());
        response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.lock().unwrap().1.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        let (to, raw) = std::mem::take(&mut *self.current.lock().unwrap());
        self.messages.lock().unwrap().push(Mail {
            to,
            raw: String::from_utf8_lossy(&raw).into_owned(),
        });
        response::OK
    }
}

fn start_smtp() -> (u16, MailSink) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sink = MailSink::default();
    let mut server = Server::new(sink.clone());
    server
        .with_name("test.local")
        .with_ssl(SslConfig::None)
        .unwrap()
        .with_num_threads(2)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, sink)
}

// ---------------------------------------------------------------- PostgreSQL

struct PgCluster {
    base_url: String,
}

static PG: OnceLock<Option<PgCluster>> = OnceLock::new();

fn pg_bindir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root).
fn pg_cmd(bin: &Path, args: &[&str]) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin).args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

fn start_cluster() -> Option<PgCluster> {
    if let Ok(url) = std::env::var("PORTAL_TEST_PG_URL") {
        return Some(PgCluster {
            base_url: url.trim_end_matches('/').to_string(),
        });
    }
    // The shared cluster lives as long as the test process (its watchdog removes it).
    let server = PgServer::init(false)?;
    let base_url = server.base_url.clone();
    std::mem::forget(server);
    Some(PgCluster { base_url })
}

/// A throw-away PostgreSQL cluster (`initdb` + `pg_ctl` on a temp directory and a free port).
/// Tests that stop or freeze their database get one of their own ([`PgServer::dedicated`]):
/// doing that to the shared cluster would break the tests running beside them. Dropping it stops
/// the cluster and removes its files; a watchdog does the same if the test process dies.
pub struct PgServer {
    bindir: PathBuf,
    dir: PathBuf,
    data: String,
    opts: String,
    pub base_url: String,
}

impl PgServer {
    /// A cluster of its own, or None (after a notice) when PostgreSQL is unavailable. Unlike the
    /// shared cluster it keeps PostgreSQL's durability settings, so what was committed survives
    /// `stop_immediate`.
    pub fn dedicated() -> Option<PgServer> {
        match PgServer::init(true) {
            Some(s) => Some(s),
            None => {
                if std::env::var("PORTAL_TEST_REQUIRE_PG").as_deref() == Ok("1") {
                    panic!(
                        "PORTAL_TEST_REQUIRE_PG=1 but a PostgreSQL cluster could not be started"
                    );
                }
                eprintln!("NOTICE: PostgreSQL binaries not found: this PostgreSQL test is skipped");
                None
            }
        }
    }

    fn init(durable: bool) -> Option<PgServer> {
        let bindir = pg_bindir()?;
        let dir = tempfile::Builder::new()
            .prefix("portal-test-pg-")
            .tempdir()
            .ok()?
            .keep();
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .ok()?;
        }
        let data = dir.join("data").to_str()?.to_string();
        let out = pg_cmd(
            &bindir.join("initdb"),
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )
        .output()
        .ok()?;
        if !out.status.success() {
            eprintln!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        let port = free_port();
        let fast = if durable {
            ""
        } else {
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        };
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400{fast}",
            dir.display()
        );
        let server = PgServer {
            bindir,
            dir,
            data,
            opts,
            base_url: format!("postgres://postgres@127.0.0.1:{port}"),
        };
        if !server.start() {
            return None;
        }
        // A watchdog stops the cluster and removes its files when this test process ends.
        let pid = std::process::id();
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; kill -CONT $(cat {}/postmaster.pid 2>/dev/null | head -1) 2>/dev/null; {} >/dev/null 2>&1; rm -rf {}",
            server.data,
            server.stop_command(),
            server.dir.display()
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(std::process::Stdio::null())
            .spawn()
            .ok()?;
        Some(server)
    }

    fn stop_command(&self) -> String {
        let pg_ctl = self.bindir.join("pg_ctl");
        let cmd = format!("{} -D {} stop -m immediate", pg_ctl.display(), self.data);
        if is_root() {
            format!("runuser -u postgres -- {cmd}")
        } else {
            cmd
        }
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start(&self) -> bool {
        let log = self.dir.join("pg.log");
        let st = pg_cmd(
            &self.bindir.join("pg_ctl"),
            &[
                "-D",
                &self.data,
                "-o",
                &self.opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        )
        .output();
        match st {
            Ok(o) if o.status.success() => true,
            Ok(o) => {
                eprintln!(
                    "pg_ctl start failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                false
            }
            Err(e) => {
                eprintln!("pg_ctl start failed: {e}");
                false
            }
        }
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`: every connection is cut).
    pub fn stop_immediate(&self) {
        let st = pg_cmd(
            &self.bindir.join("pg_ctl"),
            &["-D", &self.data, "-m", "immediate", "-w", "stop"],
        )
        .output()
        .expect("pg_ctl stop");
        assert!(
            st.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&st.stderr)
        );
    }

    /// The postmaster and every process it started (backends, checkpointer, …).
    pub fn pids(&self) -> Vec<u32> {
        let Ok(pid_file) = std::fs::read_to_string(Path::new(&self.data).join("postmaster.pid"))
        else {
            return Vec::new();
        };
        let Some(pm) = pid_file
            .lines()
            .next()
            .and_then(|l| l.trim().parse::<u32>().ok())
        else {
            return Vec::new();
        };
        let mut pids = vec![pm];
        for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ')'.
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(pm) {
                pids.push(pid);
            }
        }
        pids
    }

    fn signal(&self, sig: &str) {
        let pids: Vec<String> = self.pids().iter().map(u32::to_string).collect();
        assert!(!pids.is_empty(), "no PostgreSQL processes to signal");
        let st = Command::new("kill")
            .arg(sig)
            .args(&pids)
            .status()
            .expect("kill");
        assert!(st.success(), "kill {sig} {pids:?}");
    }

    /// Freezes the whole cluster (SIGSTOP): connections stay open and nothing answers.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    /// A fresh database on this cluster.
    pub fn create_database(&self) -> String {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(&format!("{}/postgres", self.base_url))
            .expect("connect to test PostgreSQL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create test database");
        format!("{}/{name}", self.base_url)
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .args([
                "-c",
                &format!(
                    "kill -CONT $(head -1 {}/postmaster.pid) 2>/dev/null; {}",
                    self.data,
                    self.stop_command()
                ),
            ])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh PostgreSQL database URL, or None (after a notice) when PostgreSQL is unavailable.
pub fn pg_database() -> Option<String> {
    let cluster = PG.get_or_init(start_cluster);
    match cluster {
        Some(c) => {
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut conn = diesel::PgConnection::establish(&format!("{}/postgres", c.base_url))
                .expect("connect to test PostgreSQL");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create test database");
            Some(format!("{}/{name}", c.base_url))
        }
        None => {
            if std::env::var("PORTAL_TEST_REQUIRE_PG").as_deref() == Ok("1") {
                panic!("PORTAL_TEST_REQUIRE_PG=1 but PostgreSQL could not be started (install postgresql, or set PORTAL_TEST_PG_URL)");
            }
            eprintln!("NOTICE: PostgreSQL binaries not found: the PostgreSQL variant of this test is skipped");
            None
        }
    }
}

/// A database URL for `backend`, or None when PostgreSQL is unavailable (see `pg_database`).
pub fn database_url(backend: Backend, dir: &Path) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(dir.join("portal.db").to_str().unwrap().to_string()),
        Backend::Postgres => pg_database(),
    }
}

// ---------------------------------------------------------------- the app

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub clock: ManualClock,
    pub mail: MailSink,
    pub state: actix_web::web::Data<AppState>,
    /// The instance's background work: its loop runs every 20 ms, [`TestApp::run_jobs`] runs a
    /// pass on demand (never overlapping the loop's).
    pub jobs: Jobs,
    pub dir: tempfile::TempDir,
    /// An anonymous client (no cookies).
    pub anon: Client,
    /// The TOTP authenticator of the test's users: email → (secret, last step used).
    pub totp: Arc<std::sync::Mutex<std::collections::HashMap<String, (String, i64)>>>,
}

/// 2026-06-01T12:00:00Z, a fixed start for every test clock.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// The `[database]` time limits of `config/default.toml`, for tests that open a pool themselves.
pub fn default_limits() -> db::Limits {
    let s = Settings::load(Path::new("config")).expect("config/default.toml");
    (&s.database).into()
}

pub fn test_settings(dir: &Path, db_url: String, smtp_port: u16) -> Settings {
    let mut s = Settings::load(Path::new("config")).expect("config/default.toml");
    s.server.host = "127.0.0.1".into();
    s.server.port = 0;
    // A host name, not an IP address, so that it can be the WebAuthn relying party (passkeys).
    s.server.public_url = "http://localhost:8080".into();
    s.server.data_dir = dir.to_path_buf();
    s.server.static_dir = dir.join("no-frontend");
    s.database.url = db_url;
    s.database.pool_size = 4;
    s.mail.transport = "smtp".into();
    s.mail.smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    s.auth.jwt_key = Some(Secret::new(JWT_SECRET));
    s.auth.ip_requests_per_minute = 10_000;
    s.jobs.poll_interval_ms = 20;
    s
}

pub async fn spawn_app_with(
    backend: Backend,
    tweak: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(backend, dir.path())?;
    Some(spawn_app_in(backend, dir, url, tweak).await)
}

/// Starts the app on the database at `url` (e.g. on a [`PgServer`] of the test's own).
pub async fn spawn_app_in(
    backend: Backend,
    dir: tempfile::TempDir,
    url: String,
    tweak: impl FnOnce(&mut Settings),
) -> TestApp {
    let (smtp_port, mail) = start_smtp();
    let mut settings = test_settings(dir.path(), url, smtp_port);
    tweak(&mut settings);
    let clock = ManualClock::new(t0());
    let app = Application::build(
        settings,
        Overrides {
            clock: Some(Arc::new(clock.clone())),
            mailer: None,
            // The worker is started below, where the test can reach it.
            no_jobs: true,
        },
    )
    .await
    .expect("build app");
    let port = app.port();
    let state = app.state.clone();
    let mailer = Mailer::from_settings(&state.settings.mail).expect("mailer");
    let jobs = Jobs::new(state.clone().into_inner(), mailer);
    jobs.clone().spawn();
    tokio::spawn(app.run_until_stopped());
    let base = format!("http://127.0.0.1:{port}");
    TestApp {
        backend,
        anon: Client::new(&base, false),
        base,
        clock,
        mail,
        state,
        jobs,
        dir,
        totp: Default::default(),
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Runs a test body on one backend (used by `dual_tests!`).
pub async fn run_on<F, Fut>(backend: Backend, f: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if let Some(app) = spawn_app(backend).await {
        f(app).await;
    }
}

/// Declares each listed `async fn name(app: TestApp)` as two tests, `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! dual_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::helpers::run_on($crate::helpers::Backend::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::helpers::run_on($crate::helpers::Backend::Postgres, super::$name).await;
                }
            )*
        }
    };
}

// ---------------------------------------------------------------- HTTP client

#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    /// Send `X-Requested-With: fetch` (the browser client always does).
    pub csrf: bool,
    pub bearer: Option<String>,
    /// The `User-Agent` header to send (reqwest sends none by default).
    pub user_agent: Option<String>,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// Reads a whole answer (a JSON body, when it is one, in `body`).
    pub async fn read(r: reqwest::Response) -> Resp {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }
    /// Asserts an RFC 9457 problem with this status and code.
    #[track_caller]
    pub fn problem(self, status: u16, code: &str) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        let ct = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert_eq!(
            ct, "application/problem+json",
            "problem content type; body: {}",
            self.text
        );
        assert_eq!(self.code(), code, "problem code; body: {}", self.text);
        assert_eq!(self.body["status"].as_u64(), Some(status as u64));
        assert!(self.body["type"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(self.body["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(self.body["detail"].as_str().is_some_and(|t| !t.is_empty()));
        self
    }
    /// The field names of a 422's `errors[]`.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("id in body").to_string()
    }
}

impl Client {
    pub fn new(base: &str, cookies: bool) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(cookies)
            .build()
            .unwrap();
        Client {
            base: base.to_string(),
            http,
            csrf: true,
            bearer: None,
            user_agent: None,
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut rb = self.request(method, path);
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        Resp::read(rb.send().await.expect("request")).await
    }

    /// [`Client::call`] with a body sent as it is written (malformed JSON, trailing bytes, …).
    pub async fn call_text(&self, method: Method, path: &str, body: Option<&str>) -> Resp {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        Resp::read(rb.send().await.expect("request")).await
    }

    /// A request with this client's credentials (`path` relative to the base, or a full URL).
    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        };
        let mut rb = self.http.request(method, url);
        if self.csrf {
            rb = rb.header("X-Requested-With", "fetch");
        }
        if let Some(b) = &self.bearer {
            rb = rb.bearer_auth(b);
        }
        if let Some(ua) = &self.user_agent {
            rb = rb.header("user-agent", ua);
        }
        rb
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn post_empty(&self, path: &str) -> Resp {
        self.call(Method::POST, path, None).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(body)).await
    }
}

/// A signed-in user.
#[derive(Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub org_id: String,
    pub client: Client,
}

impl User {
    /// The same user (same credentials) talking to the instance at `base`. Bearer-token users
    /// work on any instance; cookie users carry their cookie jar along.
    pub fn at(&self, base: &str) -> User {
        let mut u = self.clone();
        u.client.base = base.to_string();
        u
    }
}

impl std::ops::Deref for User {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl TestApp {
    pub fn api(&self, p: &str) -> String {
        format!("/api/v1{p}")
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base, true)
    }

    /// Waits (up to 10 s of real time; the worker polls every 20 ms) for an email to `to`
    /// whose subject contains `subject`, and returns it.
    pub async fn wait_mail(&self, to: &str, subject: &str) -> Mail {
        for _ in 0..500 {
            if let Some(m) = self.find_mail(to, subject) {
                return m;
            }
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
        let seen: Vec<(Vec<String>, String)> = self
            .mail
            .messages
            .lock()
            .unwrap()
            .iter()
            .map(|m| (m.to.clone(), m.subject()))
            .collect();
        panic!("no email to {to} with subject containing {subject:?}; received: {seen:?}");
    }

    /// Runs the background work (reminders that are due, outbox delivery) to completion: after
    /// a pass in progress, passes until one sends nothing. Every email due by the test clock has
    /// then been delivered to [`TestApp::mail`].
    pub async fn run_jobs(&self) {
        while self.jobs.run_once().await.expect("a background job pass") > 0 {}
    }

    pub fn find_mail(&self, to: &str, subject: &str) -> Option<Mail> {
        self.mail
            .messages
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|m| {
                m.to.iter().any(|t| t.eq_ignore_ascii_case(to)) && m.subject().contains(subject)
            })
            .cloned()
    }

    /// Emails received for `to` whose subject contains `subject`.
    pub fn count_mail(&self, to: &str, subject: &str) -> usize {
        self.mail
            .messages
            .lock()
            .unwrap()
            .iter()
            .filter(|m| {
                m.to.iter().any(|t| t.eq_ignore_ascii_case(to)) && m.subject().contains(subject)
            })
            .count()
    }

    pub fn mail_count(&self, to: &str) -> usize {
        self.mail
            .messages
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .count()
    }

    /// The next code of `email`'s authenticator, as a person would read it from the app: the
    /// code of the earliest step the server still accepts (now −1 … now +1) that this user has
    /// not used yet, so that several sign-ins at one instant of the test clock each have a code.
    pub fn totp_code(&self, email: &str) -> String {
        use frontier_portal::auth::mfa;
        let mut all = self.totp.lock().unwrap();
        let (secret, last) = all
            .get_mut(&email.to_lowercase())
            .unwrap_or_else(|| panic!("{email} has no authenticator in this test"));
        let now = mfa::step_of(self.now());
        let step = (now - 1).max(*last + 1);
        assert!(
            step <= now + 1,
            "{email} used every code the server accepts at this instant; move the test clock"
        );
        *last = step;
        mfa::code_at_step(secret, step).unwrap()
    }

    /// Remembers `secret` as `email`'s authenticator (after enrolling through the API).
    pub fn remember_totp(&self, email: &str, secret: &str) {
        self.totp
            .lock()
            .unwrap()
            .insert(email.to_lowercase(), (secret.to_string(), i64::MIN / 2));
    }

    /// Enrols TOTP for the signed-in client (start, then confirm with the app's code) and
    /// returns the recovery codes.
    pub async fn enrol_totp(&self, c: &Client, email: &str) -> Vec<String> {
        let r = c.post_empty(&self.api("/auth/mfa/totp")).await.expect(201);
        self.remember_totp(email, r.body["secret"].as_str().unwrap());
        let code = self.totp_code(email);
        let r = c
            .post(&self.api("/auth/mfa/totp/confirm"), json!({"code": code}))
            .await
            .expect(200);
        r.body["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// Signs in with email + password and returns the signed-in user, as a client does: when
    /// the answer asks for the second factor, the code from the user's authenticator follows;
    /// a user whose organization requires a factor and has none enrols one first (as the web
    /// page holds them to), so that every test user can act afterwards.
    pub async fn login(&self, email: &str, password: &str) -> User {
        let c = self.client();
        let mut r = c
            .post(
                &self.api("/auth/login"),
                json!({"email": email, "password": password}),
            )
            .await
            .expect(200);
        if r.body["mfa_required"] == true {
            let code = self.totp_code(email);
            r = c
                .post(&self.api("/auth/login/mfa"), json!({"code": code}))
                .await
                .expect(200);
        } else {
            let m = c.get(&self.api("/auth/mfa")).await.expect(200);
            if m.body["required"] == true && m.body["enrolled"] == false {
                self.enrol_totp(&c, email).await;
            }
        }
        User {
            id: r.body["user"]["id"].as_str().unwrap().into(),
            email: email.into(),
            org_id: r.body["user"]["organization_id"].as_str().unwrap().into(),
            client: c,
        }
    }

    /// Signs up a developer organization, verifies the email by the emailed link, signs in.
    pub async fn signup_developer(&self, org: &str, email: &str) -> User {
        self.anon
            .post(&self.api("/auth/signup"), json!({"organization_name": org, "name": "Dev Admin", "email": email, "password": PASSWORD}))
            .await
            .expect(201);
        let mail = self.wait_mail(email, "Confirm your email").await;
        self.anon
            .post(
                &self.api("/auth/verify-email"),
                json!({"token": mail.token().unwrap(), "password": PASSWORD}),
            )
            .await
            .expect(200);
        self.login(email, PASSWORD).await
    }

    /// Creates an operator account directly (as `frontier-portal admin create` does) and signs in.
    pub async fn operator(&self) -> User {
        let email = format!(
            "op-{}@portal.example",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let link = {
            let state = self.state.clone();
            let e = email.clone();
            tokio::task::spawn_blocking(move || {
                let mut conn = state.pool.get().unwrap();
                let now = state.clock.now();
                let env = Env {
                    keys: &state.keys,
                    public_url: &state.settings.server.public_url,
                    now,
                };
                db::write_tx(&mut conn, |conn| {
                    let org = accounts::operator_org(conn, now)?;
                    accounts::invite(
                        conn,
                        &env,
                        &AuditCtx {
                            now: Some(now),
                            ..Default::default()
                        },
                        &org,
                        &e,
                        "admin",
                    )
                    .map(|(_, u)| u)
                })
                .unwrap()
            })
            .await
            .unwrap()
        };
        let token = link.rsplit('/').next().unwrap().to_string();
        self.accept_invitation(&token, "Olive Operator").await;
        self.login(&email, PASSWORD).await
    }

    pub async fn accept_invitation(&self, token: &str, name: &str) {
        self.anon
            .post(
                &self.api(&format!("/auth/invitations/{token}/accept")),
                json!({"name": name, "password": PASSWORD}),
            )
            .await
            .expect(200);
    }

    /// An operator creates an organization; its first admin accepts the emailed invitation and
    /// signs in.
    pub async fn create_org(&self, op: &User, body: Value) -> User {
        let email = body["admin_email"].as_str().unwrap().to_string();
        op.post(&self.api("/admin/organizations"), body)
            .await
            .expect(201);
        let mail = self.wait_mail(&email, "invited").await;
        self.accept_invitation(&mail.token().unwrap(), "First Admin")
            .await;
        self.login(&email, PASSWORD).await
    }

    pub async fn agency(&self, op: &User, code: &str) -> User {
        let email = format!("admin@{}.example", code.to_lowercase());
        self.create_org(op, json!({"kind": "agency", "name": format!("{code} office"), "agency_code": code, "admin_email": email})).await
    }

    pub async fn partner(&self, op: &User, name: &str) -> User {
        let slug: String = name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        self.create_org(
            op,
            json!({"kind": "partner", "name": name, "partner_type": "critical_infrastructure_operator", "sector": "healthcare_and_public_health", "admin_email": format!("admin@{slug}.example")}),
        )
        .await
    }

    /// An org admin invites a member, who accepts and signs in.
    pub async fn member(&self, admin: &User, email: &str, role: &str) -> User {
        admin
            .post(
                &self.api("/organizations/me/invitations"),
                json!({"email": email, "org_role": role}),
            )
            .await
            .expect(201);
        let mail = self.wait_mail(email, "invited").await;
        self.accept_invitation(&mail.token().unwrap(), "Member")
            .await;
        self.login(email, PASSWORD).await
    }

    pub fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }

    pub fn now(&self) -> DateTime<Utc> {
        use frontier_portal::clock::Clock;
        self.clock.now()
    }

    /// Runs blocking database work against the app's pool.
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut db::DbConn) -> T + Send + 'static,
    ) -> T {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = state.pool.get().unwrap();
            f(&mut conn)
        })
        .await
        .unwrap()
    }

    /// Starts a second portal instance on this app's database (as a second server behind a
    /// load balancer would be: its own pool, its own background worker, the same clock and SMTP
    /// listener) and answers its base URL. It runs until the test ends.
    pub async fn second_instance(&self) -> String {
        self.second_instance_with(false).await
    }

    /// [`second_instance`], optionally without its background worker (so that everything it
    /// runs is what requests ask of it).
    pub async fn second_instance_with(&self, no_jobs: bool) -> String {
        let mut settings = (*self.state.settings).clone();
        settings.server.port = 0;
        let app = Application::build(
            settings,
            Overrides {
                clock: Some(Arc::new(self.clock.clone())),
                mailer: None,
                no_jobs,
            },
        )
        .await
        .expect("build the second instance");
        let port = app.port();
        tokio::spawn(app.run_until_stopped());
        format!("http://127.0.0.1:{port}")
    }

    /// Emails written to the outbox for `to` (sent or not), of one `reason` (e.g. `invitation`,
    /// `request_submitted`) or of any: what the app decided to send, without waiting for delivery.
    pub async fn queued_mail(&self, to: &str, reason: Option<&str>) -> i64 {
        let (to, reason) = (to.to_string(), reason.map(str::to_string));
        self.db(move |c| {
            use frontier_portal::db::schema::outbox;
            let mut q = outbox::table.filter(outbox::to_address.eq(to)).into_boxed();
            if let Some(r) = reason {
                q = q.filter(outbox::reason.eq(r));
            }
            q.count().get_result::<i64>(c).unwrap()
        })
        .await
    }

    /// Number of audit events.
    pub async fn audit_count(&self) -> i64 {
        self.db(|c| {
            use frontier_portal::db::schema::audit_events;
            audit_events::table.count().get_result::<i64>(c).unwrap()
        })
        .await
    }
}

/// A JSON answer for a snapshot: a string equal to an id the test knows becomes that id's name
/// (`"[model]"`), so the snapshot still says which record a field points at; any other UUID
/// becomes `"[uuid]"`. Times need no redaction: the clock is the test's (from [`t0`]).
pub fn named(v: &Value, names: &[(&str, &str)]) -> Value {
    match v {
        Value::String(s) => match names.iter().find(|(id, _)| id == s) {
            Some((_, name)) => json!(format!("[{name}]")),
            None if uuid::Uuid::parse_str(s).is_ok() => json!("[uuid]"),
            None => v.clone(),
        },
        Value::Array(a) => a.iter().map(|x| named(x, names)).collect(),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| (k.clone(), named(x, names)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        _ => v.clone(),
    }
}

pub fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

// ---------------------------------------------------------------- OpenID Provider

/// The redirect URI the test provider accepts: the callback of provider `test` at the test
/// settings' `public_url` (every test app has the same one).
pub const SSO_REDIRECT_URI: &str = "http://localhost:8080/api/v1/auth/oidc/test/callback";
pub const SSO_CLIENT_ID: &str = "portal-tests";
pub const SSO_CLIENT_SECRET: &str = "portal-tests-client-secret";

struct OidcServer {
    issuer: String,
    // Kept so the provider lives as long as this test binary; it exits when its stdin closes.
    _child: Mutex<std::process::Child>,
}

static OIDC: OnceLock<OidcServer> = OnceLock::new();

/// The issuer of a real OpenID Provider (the npm `oidc-provider`, run by
/// frontend/tests/oidc/provider.mjs), started once per test binary. Its node_modules come with
/// the frontend's `npm ci`; without them the SSO tests fail, saying so (they never skip).
pub fn oidc_issuer() -> String {
    OIDC.get_or_init(|| {
        use std::io::BufRead;
        let script = Path::new("frontend/tests/oidc/provider.mjs");
        assert!(
            Path::new("frontend/node_modules/oidc-provider").exists(),
            "the SSO tests need the test OpenID Provider: run `npm ci` in frontend/ (make frontend-deps)"
        );
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_PORT", "0")
            .env("OIDC_CLIENT_ID", SSO_CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", SSO_CLIENT_SECRET)
            .env("OIDC_REDIRECT_URIS", SSO_REDIRECT_URI)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(
                std::fs::File::create(std::env::temp_dir().join("portal-test-oidc-provider.log"))
                    .map(std::process::Stdio::from)
                    .unwrap_or_else(|_| std::process::Stdio::null()),
            )
            .spawn()
            .expect("starting node for the test OpenID Provider");
        let out = child.stdout.take().unwrap();
        let mut line = String::new();
        let mut reader = std::io::BufReader::new(out);
        reader
            .read_line(&mut line)
            .expect("reading the provider's issuer");
        // Keep reading, so the provider never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let issuer = line
            .trim()
            .strip_prefix("issuer ")
            .unwrap_or_else(|| panic!("test OpenID Provider did not start: {line:?}"))
            .to_string();
        OidcServer {
            issuer,
            _child: Mutex::new(child),
        }
    })
    .issuer
    .clone()
}

/// An app with the test provider configured as `auth.oidc.test`.
pub async fn spawn_sso_app(backend: Backend) -> Option<TestApp> {
    let issuer = oidc_issuer();
    spawn_app_with(backend, move |s| {
        s.auth.oidc.insert(
            "test".into(),
            frontier_portal::config::OidcProviderSettings {
                issuer,
                client_id: SSO_CLIENT_ID.into(),
                client_secret: Some(Secret::new(SSO_CLIENT_SECRET)),
                client_secret_file: String::new(),
                display_name: "Test ID".into(),
                scopes: vec!["email".into()],
            },
        );
    })
    .await
}
