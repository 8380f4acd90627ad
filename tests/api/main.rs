//! One integration test binary: every test runs against the real server, on SQLite and on
//! PostgreSQL (see `helpers`).

mod helpers;

mod flows;
mod foundation;
mod migrations;

mod access_grants;
mod audit_coverage;
mod authz;
mod declines;
mod designations;
mod fault;
mod gate;
mod grant_messages;
mod list_filters;
mod list_items;
mod mail;
mod mfa;
mod nominations;
mod notifications;
mod openapi_contract;
mod operator;
mod outage;
mod page_cache;
mod partner_grants;
mod passkeys;
mod people;
mod plain_words;
mod plans;
mod properties;
mod queue_sort;
mod races;
mod records;
mod requests;
mod security;
mod sessions;
mod sso;
