//! Frontier Access Portal: the voluntary engagement of Sec. 3(b) of the June 2026 executive
//! order "Promoting Advanced Artificial Intelligence Innovation and Security".
//!
//! Layers, in one direction: `api` (HTTP: extract, parse bodies into commands, map to JSON and
//! problem answers) → `store`/`db` (diesel queries over SQLite or PostgreSQL) → `domain` (the
//! Sec. 3 rules, no I/O, depending on nothing else here); `api` also calls `domain` directly.
//! `state` is what handlers and jobs share; `startup` wires routes and the server and nothing
//! imports it. Beside them `auth`, `mail` + `jobs`/`reminders` (which use `store`, `domain` and
//! `notify`, never `api`), `audit`. `demo` drives the API handlers as a client would (the one
//! module outside `api` that names it).
//! See README.md for the picture and DESIGN.md for the product.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod bench_seed;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod jobs;
pub mod mail;
pub mod notify;
pub mod reminders;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web_ui;
