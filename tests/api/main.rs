//! One integration test binary: every test runs against the real server, on SQLite and on
//! PostgreSQL (see `helpers`).

pub mod helpers;

mod foundation;
mod migrations;
