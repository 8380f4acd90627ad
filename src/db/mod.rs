//! One code path over two databases: `DbConn` is a diesel `MultiConnection` over PostgreSQL and
//! SQLite, chosen by the URL (`postgres://…` or a file path / `sqlite://…`). Where the dialects
//! differ (row locking) callers `match` on the variant, one arm per backend.

pub mod schema;

use std::path::Path;
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

pub type DbPool = Pool<ConnectionManager<DbConn>>;
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The string diesel's SQLite driver opens: the path without a `sqlite://` prefix.
fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").unwrap_or(url)
}

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens the pool (creating the SQLite file's directory if needed).
pub fn connect(url: &str, pool_size: u32) -> anyhow::Result<DbPool> {
    let conn_url = if is_postgres_url(url) {
        // The MultiConnection reports only "invalid connection url" when a connection fails;
        // connect once directly so start-up names the real cause (never the URL: it may hold a
        // password).
        diesel::PgConnection::establish(url).map_err(|e| {
            anyhow::anyhow!("connecting to the PostgreSQL server of database.url: {e}")
        })?;
        url.to_string()
    } else {
        let path = sqlite_path(url);
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
    Pool::builder()
        .max_size(pool_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(Pragmas))
        .build(manager)
        .with_context(|| {
            "connecting to database.url (check that the server is reachable and the URL is right)"
        })
}

/// Runs pending migrations. On PostgreSQL an advisory lock lets several instances start at once.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<()> {
    match conn {
        DbConn::Postgres(c) => {
            c.batch_execute("SELECT pg_advisory_lock(727001)")?;
            let res = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            c.batch_execute("SELECT pg_advisory_unlock(727001)")?;
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

impl RetryableError for diesel::result::Error {
    fn is_retryable(&self) -> bool {
        is_retryable_db_error(self)
    }
}

/// Runs blocking database work off the async workers with a pooled connection.
pub async fn run<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Runs `f` in a write transaction off the async workers.
pub async fn tx<T, F>(pool: &DbPool, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Clone + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| write_tx(conn, f)).await
}

/// `SELECT 1`, for `/readyz`.
pub fn ping(conn: &mut DbConn) -> Result<(), AppError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}
