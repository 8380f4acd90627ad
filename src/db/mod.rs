//! One code path over two databases: `DbConn` is a diesel `MultiConnection` over PostgreSQL and
//! SQLite, chosen by the URL (`postgres://…` or a file path / `sqlite://…`). Where the dialects
//! differ (row locking) callers `match` on the variant, one arm per backend.
//!
//! Database trouble (DESIGN.md §6): requests answer 503 + `Retry-After` within 2 s instead of
//! hanging, by one mechanism — every request reaches the database through [`run`]/[`tx`], which
//! bound the whole unit of work by `database.request_deadline_ms` (a client-side timer, because a
//! frozen server enforces nothing) and ask the pool for a connection for at most
//! `database.acquire_timeout_ms`. Each connection also carries server-side limits
//! (`statement_timeout`, `idle_in_transaction_session_timeout`, and libpq's `connect_timeout` /
//! `tcp_user_timeout`), so work no one waits for is ended by the server and the connection comes
//! back. `crate::error` maps every "the database is not there" error to the 503.
//!
//! The remaining limit: when the server is frozen (SIGSTOP, a stalled host), the blocking thread
//! stuck in libpq cannot be interrupted; the request has its 503, but the thread and its
//! connection stay stuck until the server answers or the kernel drops the socket. A write whose
//! request already answered 503 is rolled back when it gets that far ([`tx`]).

pub mod enums;
mod in_list;
pub use in_list::{in_list, InList};
pub mod schema;
mod sqlite_config;
mod stamp;
pub use stamp::{MaybeStamp, Stamp};

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{AppError, AppResult};

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// The connection pool with the time limits of the work run on it ([`run`]).
/// Runs `$body` with `$c` bound to the backend's own connection (`&mut PgConnection` or
/// `&mut SqliteConnection`), the body compiled once for each.
///
/// For the statements every request runs (the caller's credential and actor) and a list page's
/// own statements. Through the `MultiConnection` wrapper, diesel writes a statement's whole SQL
/// text again in every pass over it (the wrapper's `walk_ast` renders the inner query for the
/// bind pass and for the is-it-cacheable pass too), even when the prepared statement is cached:
/// a quarter of an answered-from-cache request went to that. On the backend's own connection a
/// cached statement's SQL is never written again. Everything else keeps using `DbConn`
/// directly; the queries are the same diesel DSL either way.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

#[derive(Clone, Debug)]
pub struct DbPool {
    pool: Pool<ConnectionManager<DbConn>>,
    pub limits: Limits,
}

impl std::ops::Deref for DbPool {
    type Target = Pool<ConnectionManager<DbConn>>;
    fn deref(&self) -> &Self::Target {
        &self.pool
    }
}

pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

/// Time limits of database work (`[database]` in the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub acquire: Duration,
    pub statement: Duration,
    pub deadline: Duration,
}

impl From<&crate::config::DatabaseSettings> for Limits {
    fn from(d: &crate::config::DatabaseSettings) -> Self {
        Limits {
            acquire: Duration::from_millis(d.acquire_timeout_ms),
            statement: Duration::from_millis(d.statement_timeout_ms),
            deadline: Duration::from_millis(d.request_deadline_ms),
        }
    }
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The string diesel's SQLite driver opens: the path without a `sqlite://` prefix.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

/// Session settings of every pooled connection.
#[derive(Debug)]
struct Pragmas(Limits);

/// Each SQLite connection's page cache, in KiB (SQLite's default is 2000). A page of a list is a
/// range scan over a few index pages; the operating system's file cache holds the rest, once for
/// every connection, so a small bound here keeps the pool's memory flat at any size of database.
const SQLITE_CACHE_KIB: u32 = 1024;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        let statement = self.0.statement.as_millis();
        // A transaction idle longer than the deadline belongs to a request that has already
        // answered 503; ending it frees the locks it holds for the other instances.
        let idle = self.0.deadline.as_millis();
        let sql = match conn {
            DbConn::Sqlite(_) => format!(
                "PRAGMA busy_timeout = {statement}; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{SQLITE_CACHE_KIB};"
            ),
            DbConn::Postgres(_) => format!(
                "SET statement_timeout = {statement}; SET idle_in_transaction_session_timeout = {idle};"
            ),
        };
        conn.batch_execute(&sql)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// `url` with libpq's client-side limits added (unless the URL sets them): `connect_timeout`
/// (whole seconds, at least 2 — libpq's minimum) and `tcp_user_timeout`, which ends a connection
/// whose sent data goes unacknowledged (a vanished host) instead of waiting for TCP's minutes.
fn pg_url_with_limits(url: &str, limits: &Limits) -> String {
    let mut out = url.to_string();
    let connect = limits.acquire.as_millis().div_ceil(1000).max(2);
    let tcp = limits.deadline.as_millis();
    for (key, value) in [("connect_timeout", connect), ("tcp_user_timeout", tcp)] {
        if !out.contains(&format!("{key}=")) {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{key}={value}"));
        }
    }
    out
}

/// Opens the pool (creating the SQLite file's directory if needed) with the `[database]` time
/// limits of the configuration.
pub fn connect(url: &str, pool_size: u32, limits: Limits) -> anyhow::Result<DbPool> {
    let conn_url = if is_postgres_url(url) {
        let url = pg_url_with_limits(url, &limits);
        let url = url.as_str();
        // The MultiConnection reports only "invalid connection url" when a connection fails;
        // connect once directly so start-up names the real cause (never the URL: it may hold a
        // password).
        diesel::PgConnection::establish(url).map_err(|e| {
            anyhow::anyhow!("connecting to the PostgreSQL server of database.url: {e}")
        })?;
        url.to_string()
    } else {
        let path = sqlite_path(url);
        sqlite_config::enable();
        if let Some(parent) = Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating the directory of database.url {path:?}"))?;
            }
        }
        // WAL is a property of the file: set it once, before the pool opens many connections.
        let mut c = diesel::SqliteConnection::establish(path)
            .with_context(|| format!("opening the SQLite database at database.url {path:?}"))?;
        c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
        path.to_string()
    };
    let manager = ConnectionManager::<DbConn>::new(conn_url);
    // Unchecked: the direct connection above already proved the URL, and the pool fills itself
    // in the background rather than failing start-up when the first connections are slow.
    let pool = Pool::builder()
        .max_size(pool_size)
        .connection_timeout(limits.acquire)
        .connection_customizer(Box::new(Pragmas(limits)))
        .build_unchecked(manager);
    Ok(DbPool { pool, limits })
}

/// Runs pending migrations. On PostgreSQL an advisory lock lets several instances start at once.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<()> {
    match conn {
        DbConn::Postgres(c) => {
            // Migrations (and waiting for another instance's) may take longer than a request's
            // statement_timeout; lift it for this connection and put it back afterwards.
            c.batch_execute(
                "SELECT set_config('portal.saved_statement_timeout', current_setting('statement_timeout'), false), \
                        set_config('portal.saved_idle_timeout', current_setting('idle_in_transaction_session_timeout'), false); \
                 SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0;",
            )?;
            c.batch_execute("SELECT pg_advisory_lock(727001)")?;
            let res = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            c.batch_execute("SELECT pg_advisory_unlock(727001)")?;
            c.batch_execute(
                "SELECT set_config('statement_timeout', current_setting('portal.saved_statement_timeout'), false), \
                        set_config('idle_in_transaction_session_timeout', current_setting('portal.saved_idle_timeout'), false);",
            )?;
            res.map_err(|e| anyhow::anyhow!("running migrations: {e}"))
        }
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("running migrations: {e}")),
    }
}

/// Reverts every migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut DbConn) -> anyhow::Result<()> {
    match conn {
        DbConn::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    }
    .map_err(|e| anyhow::anyhow!("reverting migrations: {e}"))
}

/// How many times a write transaction is re-run after PostgreSQL reports a serialization
/// failure or a deadlock. With the write lock below neither should occur between portal
/// instances; the retry covers what the lock cannot order (e.g. an operator's manual SQL).
const WRITE_ATTEMPTS: u32 = 5;

/// A read-write transaction with **one write order on both backends** (DESIGN.md §6).
///
/// Every write transaction takes the same lock as its first statement, before it reads
/// anything: the single `audit_head` row, which every state change appends to anyway.
/// - SQLite: a write on that row takes the database write lock at once (`BEGIN IMMEDIATE` in
///   effect); `busy_timeout` queues the other writers.
/// - PostgreSQL: `SELECT … FOR UPDATE` on that row. Writers from every instance queue on it,
///   and at READ COMMITTED each later statement sees everything committed before the lock was
///   granted, so the checks a transaction makes (the 30-day union, a request's state, the
///   positions of a nomination, which parties accepted) read the latest committed state and
///   stay true until it commits.
///
/// So two requests that race behave as if one ran after the other, whatever instance they
/// reach; there is one lock, so no lock-order deadlock between write transactions is possible.
/// Readers never wait for it. Writes stay short (argon2 and mail delivery run outside).
/// The cost is that writes are serialized, as they are on SQLite; at this portal's write rates
/// (human actions) that is far below the lock's capacity.
///
/// `f` may run more than once (a fresh clone of it per attempt, see [`WRITE_ATTEMPTS`]), so it
/// must not have effects outside the transaction.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E> + Clone,
    E: From<diesel::result::Error> + RetryableError,
{
    let mut attempt = 1;
    loop {
        let attempt_f = f.clone();
        let res = conn.transaction(|conn| {
            take_write_lock(conn)?;
            attempt_f(conn)
        });
        match res {
            Err(e) if attempt < WRITE_ATTEMPTS && e.is_retryable() => attempt += 1,
            other => return other,
        }
    }
}

/// The first statement of every write transaction (see [`write_tx`]).
fn take_write_lock(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(c) => {
            diesel::sql_query("SELECT last_seq FROM audit_head WHERE id = 1 FOR UPDATE")
                .execute(c)?;
        }
        DbConn::Sqlite(c) => {
            diesel::sql_query("UPDATE audit_head SET id = id WHERE id = 1").execute(c)?;
        }
    }
    Ok(())
}

/// Errors after which re-running the whole transaction can succeed.
pub trait RetryableError {
    fn is_retryable(&self) -> bool;
}

/// PostgreSQL's SQLSTATE 40001 (serialization_failure) and 40P01 (deadlock_detected); diesel
/// names the first and leaves the second as `Unknown`, so the message is matched.
pub fn is_retryable_db_error(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => info.message().contains("deadlock detected"),
        _ => false,
    }
}

impl RetryableError for anyhow::Error {
    fn is_retryable(&self) -> bool {
        self.downcast_ref::<diesel::result::Error>()
            .is_some_and(is_retryable_db_error)
    }
}

impl RetryableError for diesel::result::Error {
    fn is_retryable(&self) -> bool {
        is_retryable_db_error(self)
    }
}

/// Runs blocking database work off the async workers with a pooled connection, answering 503
/// (`database_unavailable`) when it is not done by the pool's deadline.
pub async fn run<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    within(pool, pool.limits.deadline, move |conn, _| f(conn)).await
}

/// [`run`] with a shorter deadline (`/readyz` answers within 1 s).
pub async fn run_within<T, F>(pool: &DbPool, deadline: Duration, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    within(pool, deadline.min(pool.limits.deadline), move |conn, _| {
        f(conn)
    })
    .await
}

/// Runs `f` in a write transaction off the async workers. If the request has already answered
/// 503 when `f` is done, the transaction rolls back instead of committing, so a client told
/// "unavailable" does not find the change made after all (unless the deadline passed during the
/// commit itself).
pub async fn tx<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Clone + Send + 'static,
    T: Send + 'static,
{
    within(pool, pool.limits.deadline, move |conn, abandoned| {
        write_tx(conn, |conn| {
            let out = f(conn)?;
            if abandoned.load(Ordering::SeqCst) {
                return Err(AppError::database_unavailable());
            }
            Ok(out)
        })
    })
    .await
}

/// The deadline of [`run`]: the blocking work gets a flag that is raised when the request gives
/// up on it, so it can stop before starting or before committing.
async fn within<T, F>(pool: &DbPool, deadline: Duration, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn, &AtomicBool) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let abandoned = Arc::new(AtomicBool::new(false));
    let flag = abandoned.clone();
    let pool = pool.clone();
    let acquire = pool.limits.acquire.min(deadline);
    let work = actix_web::web::block(move || {
        let mut conn = pool.get_timeout(acquire)?;
        if flag.load(Ordering::SeqCst) {
            return Err(AppError::database_unavailable());
        }
        f(&mut conn, &flag)
    });
    match tokio::time::timeout(deadline, work).await {
        Ok(done) => done?,
        Err(_) => {
            abandoned.store(true, Ordering::SeqCst);
            tracing::warn!(
                deadline_ms = deadline.as_millis() as u64,
                "database work passed its deadline"
            );
            Err(AppError::database_unavailable())
        }
    }
}

/// `SELECT 1`, for `/readyz`.
pub fn ping(conn: &mut DbConn) -> Result<(), AppError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}
