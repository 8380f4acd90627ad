//! Process-wide SQLite settings, made before the first connection opens ([`enable`]).
//!
//! **Threading: multi-thread mode, no memory statistics.** The bundled SQLite is built
//! serialized: every call on a connection takes that connection's mutex, and every allocation
//! a global one for its statistics (two mutex pairs per row read, 3% of a list page). A pooled
//! connection is only ever used by one thread at a time (r2d2 hands it out exclusively; diesel's
//! connection is not `Sync`), which is what multi-thread mode requires, and nothing reads the
//! statistics. Both must be set before SQLite initializes; if something opened SQLite first,
//! `sqlite3_config` refuses and SQLite stays serialized, which is only slower.
//!
//! **The query planner stability guarantee (QPSG) on every connection.**
//!
//! Without it, SQLite (3.47 and later) plans some statements with the values bound to them: a
//! bound `LIMIT ?`, and any bound value when `sqlite_stat4` samples exist. Such a statement is
//! marked to be compiled again whenever one of those parameters is bound anew, so every list
//! page compiled its query from scratch although diesel's statement cache held it (about
//! 190,000 instructions a request, under `sqlite3Reprepare`), and the plan a page gets could
//! change with the values in it, which `EXPLAIN QUERY PLAN` in the plan tests never sees. With
//! the guarantee, a statement's plan depends on its text and the schema only: compiled once,
//! reused for every binding, and the same plan the tests hold.
//!
//! The flag is per connection and diesel does not hand out the raw handle, so it is set through
//! `sqlite3_auto_extension`, SQLite's own hook run for every connection opened afterwards in
//! this process (registered once, before the first connection).

use std::ffi::{c_char, c_int};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use libsqlite3_sys as ffi;

static REGISTER: Once = Once::new();
/// Connections opened with the guarantee on (read by the test below).
static CONFIGURED: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    let mut now_on: c_int = 0;
    // SAFETY: `db` is the connection SQLite is opening; SQLITE_DBCONFIG_ENABLE_QPSG takes an
    // int (1 = on) and an int* that receives the new setting.
    let rc = unsafe {
        ffi::sqlite3_db_config(
            db,
            ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as c_int,
            &mut now_on,
        )
    };
    if rc == ffi::SQLITE_OK && now_on == 1 {
        CONFIGURED.fetch_add(1, Ordering::Relaxed);
    }
    // The connection opens either way: the guarantee is a performance setting, not a rule.
    ffi::SQLITE_OK
}

/// Makes the settings (once per process); call before opening SQLite connections.
pub fn enable() {
    REGISTER.call_once(|| {
        // SAFETY: sqlite3_config is called before any other thread uses SQLite (the first
        // connection opens after this), with the argument each option takes (none for
        // MULTITHREAD, an int for MEMSTATUS); it returns SQLITE_MISUSE, changing nothing, once
        // SQLite has initialized. sqlite3_auto_extension registers a function with the
        // signature SQLite calls it with, valid for the life of the process.
        unsafe {
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MULTITHREAD);
            ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
            ffi::sqlite3_auto_extension(Some(on_open));
        }
    });
}

/// How many connections have been opened with the guarantee on.
#[cfg(test)]
fn configured_connections() -> usize {
    CONFIGURED.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use diesel::{Connection, SqliteConnection};

    #[test]
    fn every_new_connection_gets_the_guarantee() {
        super::enable();
        let before = super::configured_connections();
        let _a = SqliteConnection::establish(":memory:").unwrap();
        let _b = SqliteConnection::establish(":memory:").unwrap();
        assert!(super::configured_connections() >= before + 2);
    }
}
