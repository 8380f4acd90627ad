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

/// A read-write transaction. On SQLite the first statement takes the write lock at once (the
/// equivalent of `BEGIN IMMEDIATE`), so a transaction that reads and then writes never fails
/// with a stale snapshot when another writer got in between; `busy_timeout` queues writers.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if let DbConn::Sqlite(_) = conn {
            diesel::sql_query("UPDATE audit_head SET id = id WHERE id = 1").execute(conn)?;
        }
        f(conn)
    })
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
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| write_tx(conn, f)).await
}

/// `SELECT 1`, for `/readyz`.
pub fn ping(conn: &mut DbConn) -> Result<(), AppError> {
    diesel::sql_query("SELECT 1").execute(conn)?;
    Ok(())
}
