//! Every list is one index-ordered range scan per page, for every kind of caller (DESIGN.md §6,
//! "Scale"), and a page's items come from a fixed number of statements (no N+1).
//!
//! The test records every statement the real server runs for a list request (diesel's
//! connection instrumentation, installed before the app opens its pool and scoped to this
//! test's database), then asks the database for the plan of each page query (the statements
//! with a `LIMIT`):
//! - SQLite: `EXPLAIN QUERY PLAN` must not show `USE TEMP B-TREE FOR ORDER BY` (a sort of every
//!   matching row);
//! - PostgreSQL: with `enable_sort` and `enable_seqscan` off, `EXPLAIN` must not show a `Sort`
//!   node: PostgreSQL still sorts when no index yields the order, so a Sort here means the list
//!   would sort every visible row however large the tables grow.
//!
//! Statement counts are compared between a one-item page and a full page of the same list.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    every_list_is_one_index_ordered_scan_per_page,
    background_jobs_read_only_due_rows,
    bench_seed_writes_records_the_api_serves,
);

// ---------------------------------------------------------------- recording statements

/// Statements recorded per watched database (a key contained in the connection URL).
static RECORDED: OnceLock<Mutex<HashMap<String, Vec<String>>>> = OnceLock::new();

fn recorded() -> &'static Mutex<HashMap<String, Vec<String>>> {
    RECORDED.get_or_init(|| Mutex::new(HashMap::new()))
}

struct Recorder {
    key: Option<String>,
}

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartEstablishConnection { url, .. } => {
                let map = map();
                self.key = map.keys().find(|k| url.contains(k.as_str())).cloned();
            }
            InstrumentationEvent::StartQuery { query, .. } => {
                if let Some(k) = &self.key {
                    if let Some(v) = map().get_mut(k) {
                        v.push(query.to_string());
                    }
                }
            }
            _ => {}
        }
    }
}

fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        diesel::connection::set_default_instrumentation(|| Some(Box::new(Recorder { key: None })))
            .expect("instrumentation");
    });
}

/// The key that identifies a test database in its connection URL: a PostgreSQL test database's
/// name (unique per test), or a SQLite file's whole path (every test's file is `portal.db` in a
/// temporary directory of its own, so the name alone would match other tests running at once).
fn db_key(url: &str) -> String {
    if !url.starts_with("postgres") {
        return url.to_string();
    }
    url.rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

/// The recorder map, even after a failed test panicked while holding it: the recorder runs on
/// every connection of every test in this binary, so one poisoned lock must not fail them all.
fn map() -> std::sync::MutexGuard<'static, HashMap<String, Vec<String>>> {
    recorded().lock().unwrap_or_else(|e| e.into_inner())
}

fn take(key: &str) -> Vec<String> {
    std::mem::take(map().get_mut(key).unwrap())
}

// ---------------------------------------------------------------- plans

/// Splits `SQL -- binds: [a, b]` into the SQL and the Debug text of each bind.
fn split_binds(stmt: &str) -> (String, Vec<String>) {
    let (sql, binds) = stmt.rsplit_once(" -- binds: ").unwrap_or((stmt, "[]"));
    let binds = binds.trim();
    let inner = binds
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or(binds);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_str = false;
    let mut escaped = false;
    let mut depth = 0;
    for ch in inner.chars() {
        if in_str {
            cur.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_str = false;
            }
            continue;
        }
        match ch {
            '"' => {
                in_str = true;
                cur.push(ch);
            }
            '[' => {
                depth += 1;
                cur.push(ch);
            }
            ']' => {
                depth -= 1;
                cur.push(ch);
            }
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
            }
            _ => cur.push(ch),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    (sql.to_string(), out)
}

/// A string's Debug text back to the string (`\"` and `\\` are the escapes a bind here uses).
fn unescape_debug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// A bind's Debug text as an SQL literal.
fn literal(bind: &str) -> String {
    if let Some(items) = bind.strip_prefix('[').and_then(|b| b.strip_suffix(']')) {
        // An array bind (PostgreSQL's `= ANY($n)`).
        let (_, parts) = split_binds(&format!(" -- binds: [{items}]"));
        let lits: Vec<String> = parts.iter().map(|p| literal(p)).collect();
        return format!("ARRAY[{}]::text[]", lits.join(", "));
    }
    if let Some(s) = bind.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return format!("'{}'", unescape_debug(s).replace('\'', "''"));
    }
    if bind.parse::<i64>().is_ok() || bind == "true" || bind == "false" {
        return bind.to_string();
    }
    // NaiveDateTime and the like.
    format!("'{}'", bind.replace('T', " "))
}

/// The statement with its binds written in (placeholders `?` on SQLite, `$n` on PostgreSQL).
fn inline(backend: Backend, stmt: &str) -> String {
    let (sql, binds) = split_binds(stmt);
    let lits: Vec<String> = binds.iter().map(|b| literal(b)).collect();
    match backend {
        Backend::Sqlite => {
            let mut out = String::new();
            let mut i = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    out.push_str(&lits[i]);
                    i += 1;
                } else {
                    out.push(ch);
                }
            }
            out
        }
        Backend::Postgres => {
            let mut out = sql.clone();
            for (i, l) in lits.iter().enumerate().rev() {
                out = out.replace(&format!("${}", i + 1), l);
            }
            out
        }
    }
}

#[derive(QueryableByName)]
struct SqlitePlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlanRow {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    plan: String,
}

async fn plan(app: &TestApp, sql: String) -> String {
    let backend = app.backend;
    app.db(move |c| match backend {
        Backend::Sqlite => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<SqlitePlanRow>(c)
            .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"))
            .into_iter()
            .map(|r| r.detail)
            .collect::<Vec<_>>()
            .join("\n"),
        Backend::Postgres => c
            .transaction(|c| {
                diesel::sql_query("SET LOCAL enable_sort = off").execute(c)?;
                diesel::sql_query("SET LOCAL enable_seqscan = off").execute(c)?;
                diesel::sql_query(format!("EXPLAIN {sql}")).load::<PgPlanRow>(c)
            })
            .unwrap_or_else(|e| panic!("EXPLAIN {sql}: {e}"))
            .into_iter()
            .map(|r| r.plan)
            .collect::<Vec<_>>()
            .join("\n"),
    })
    .await
}

/// Requests `path` as `who` and checks the plan of every page query it ran; answers how many
/// statements the request ran.
async fn check_list(app: &TestApp, key: &str, who: &User, path: &str) -> Vec<String> {
    // Only the request's own statements: no background pass runs on this database meanwhile.
    let _quiet = app.jobs.pause().await;
    take(key);
    let r = who.get(path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    let stmts = take(key);
    let pages: Vec<&String> = stmts
        .iter()
        .filter(|s| s.contains(" LIMIT ") && s.trim_start().starts_with("SELECT"))
        .collect();
    assert!(
        !pages.is_empty(),
        "{path}: no page query recorded: {stmts:#?}"
    );
    for s in pages {
        let p = plan(app, inline(app.backend, s)).await;
        let sorts = match app.backend {
            Backend::Sqlite => p.contains("USE TEMP B-TREE FOR ORDER BY"),
            Backend::Postgres => p.lines().any(|l| {
                l.trim_start()
                    .trim_start_matches("->")
                    .trim_start()
                    .starts_with("Sort")
            }),
        };
        assert!(
            !sorts,
            "{path}: the page query sorts every visible row\n{s}\nplan:\n{p}"
        );
    }
    stmts
}

/// The plan check for `path`, plus: a one-item page runs as many statements as a full page.
async fn check(app: &TestApp, key: &str, who: &User, path: &str) {
    let sep = if path.contains('?') { '&' } else { '?' };
    // A first request may write the credential's last use (at most once a minute); warm up.
    who.get(path).await;
    let full = check_list(app, key, who, &format!("{path}{sep}limit=200")).await;
    let one = check_list(app, key, who, &format!("{path}{sep}limit=1")).await;
    assert_eq!(
        full.len(),
        one.len(),
        "{path}: a full page runs {} statements, a one-item page {} (N+1?)\n{full:#?}",
        full.len(),
        one.len()
    );
}

async fn every_list_is_one_index_ordered_scan_per_page(app: TestApp) {
    install();
    // The app's pool opened its connections before the recorder existed: watch this database,
    // then start a second instance on it, whose connections are recorded.
    let key = db_key(&app.state.settings.database.url);
    map().insert(key.clone(), Vec::new());
    let base = app.second_instance_with(true).await;

    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let own_terms = publish_terms(&app, &c.dev, "Aurora terms").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut grant = String::new();
    let mut pgrant = String::new();
    for i in 0..3 {
        let model = new_model(&app, &c.dev, &format!("Plan-{i}")).await;
        let req = submitted_request(&app, &c.dev, &model).await;
        c.dev
            .post(
                &app.api(&format!("/designation-requests/{req}/messages")),
                json!({"message": "Hello"}),
            )
            .await;
        let g = offer(
            &app,
            &c.dev,
            &model,
            &[&c.nsa],
            &own_terms,
            t0() + days(1),
            t0() + days(5),
        )
        .await;
        grant = g["id"].as_str().unwrap().to_string();
        accept_all(&app, &grant, &[&c.dev, &c.nsa]).await;
        let n = selected_nomination(&app, &c.dev, &c.nsa, &model, &x.org_id).await;
        let p = issue_partner_grant(
            &app,
            &c.dev,
            &n,
            &c.template,
            t0() + days(1),
            t0() + days(5),
        )
        .await;
        pgrant = p["id"].as_str().unwrap().to_string();
        // Every grant's thread has messages, so a thread's page must pick its own grant's.
        for (who, kind, id) in [
            (&c.nsa, "access-grants", &grant),
            (&x, "partner-grants", &pgrant),
        ] {
            for body in ["A question", "An answer"] {
                who.post(
                    &app.api(&format!("/{kind}/{id}/messages")),
                    json!({"body": body}),
                )
                .await
                .expect(201);
            }
        }
    }
    roster_add(&c.nsa, &ag(&app, &grant, ""), &analyst.id)
        .await
        .expect(201);
    analyst
        .post_empty(&ag(&app, &grant, "acknowledge"))
        .await
        .expect(200);
    app.advance(days(2));
    for _ in 0..2 {
        analyst
            .post(
                &ag(&app, &grant, "access-log"),
                log_body(t0() + days(1) + chrono::Duration::hours(1)),
            )
            .await
            .expect(201);
    }

    let on = |u: &User| u.at(&base);
    let (dev, nsa, part, op) = (on(&c.dev), on(&c.nsa), on(&x), on(&c.op));
    let api = |p: &str| app.api(p);
    let lists: Vec<(&User, String)> = vec![
        (&dev, api("/models")),
        (&dev, api("/designation-requests")),
        (&dev, api("/designation-requests?status=submitted")),
        (&nsa, api("/designation-requests")),
        (&nsa, api("/designation-requests?status=submitted")),
        (&dev, api("/designation-requests?q=aurora")),
        (&nsa, api("/designation-requests?overdue=true")),
        (&dev, api("/designation-requests?sort=response_by")),
        (&nsa, api("/designation-requests?sort=response_by")),
        (
            &nsa,
            api("/designation-requests?q=aurora&assigned=unassigned"),
        ),
        (
            &nsa,
            api("/designation-requests?assigned=me&status=submitted"),
        ),
        (&dev, api("/access-grants")),
        (&dev, api("/access-grants?status=scheduled")),
        (&nsa, api("/access-grants")),
        (&nsa, api("/access-grants?status=scheduled")),
        (&dev, api(&format!("/access-grants/{grant}/access-log"))),
        (&dev, api(&format!("/access-grants/{grant}/messages"))),
        (&nsa, api(&format!("/access-grants/{grant}/messages"))),
        (&dev, api(&format!("/partner-grants/{pgrant}/messages"))),
        (&part, api(&format!("/partner-grants/{pgrant}/messages"))),
        (&dev, api("/nominations")),
        (&nsa, api("/nominations")),
        (&dev, api("/partner-grants")),
        (&nsa, api("/partner-grants")),
        (&part, api("/partner-grants")),
        (&part, api("/partner-grants?status=scheduled")),
        (&dev, api("/terms")),
        (&op, api("/terms")),
        (&dev, api("/audit-events")),
        (&dev, api(&format!("/audit-events?target_id={grant}"))),
        (&nsa, api("/audit-events")),
        (&part, api("/audit-events")),
        (&op, api("/admin/users")),
        (&op, api("/admin/users?q=aurora&status=active")),
        (
            &op,
            api(&format!(
                "/admin/users?organization_id={}&status=invited",
                dev.org_id
            )),
        ),
        (&op, api("/admin/organizations")),
        (&dev, api("/organizations?kind=partner")),
        (&dev, api("/organizations")),
        (&nsa, api("/organizations")),
    ];
    for (who, path) in &lists {
        check(&app, &key, who, path).await;
    }
    // The export pages through the same index.
    check_list(&app, &key, &dev, &api("/audit-events/export?format=json")).await;
    map().remove(&key);
}

/// DESIGN §6: background jobs touch only the rows that are due. One pass of the reminder job
/// and of the outbox worker, on a connection this test records: every query they make of the
/// grant tables or the outbox reads through one of the partial indexes that hold only open,
/// unreminded grants and unsent mail — never a scan of every grant or message ever made.
async fn background_jobs_read_only_due_rows(app: TestApp) {
    install();
    let url = app.state.settings.database.url.clone();
    let key = db_key(&url);
    map().insert(key.clone(), Vec::new());
    // Something for the jobs to find: a scheduled grant and queued mail.
    let c = cast(&app).await;
    let g = offer_to_nsa(&app, &c).await;
    accept_all(&app, g["id"].as_str().unwrap(), &[&c.dev, &c.nsa]).await;
    app.advance(days(2));

    let state = app.state.clone();
    let k = key.clone();
    let stmts = tokio::task::spawn_blocking(move || {
        let pool = frontier_portal::db::connect(&url, 1, default_limits()).unwrap();
        let mut conn = pool.get().unwrap();
        take(&k);
        let now = state.clock.now();
        frontier_portal::reminders::queue_due(&mut conn, &state.notifier, now).unwrap();
        let mailer = frontier_portal::mail::Mailer::Memory(Default::default());
        frontier_portal::mail::outbox::deliver_due(
            &mut conn,
            &mailer,
            &state.settings.mail.from,
            now,
        )
        .unwrap();
        take(&k)
    })
    .await
    .unwrap();
    map().remove(&key);

    let due_indexes = [
        "access_grants_start_due_idx",
        "access_grants_end_due_idx",
        "partner_grants_start_due_idx",
        "partner_grants_end_due_idx",
        "outbox_unsent_idx",
    ];
    let mut checked = 0;
    for s in &stmts {
        let (sql, _) = split_binds(s);
        let Some((head, filter)) = sql.split_once(" WHERE ") else {
            continue;
        };
        let from_grants = head.contains("access_grants") || head.contains("partner_grants");
        let due_grants = from_grants && filter.contains("notice_sent_at");
        let due_mail = head.contains("outbox") && filter.contains("sent_at");
        if !head.trim_start().starts_with("SELECT") || !(due_grants || due_mail) {
            continue;
        }
        let p = plan(&app, inline(app.backend, s)).await;
        assert!(
            due_indexes.iter().any(|i| p.contains(i)),
            "a background job reads past the due rows\n{s}\nplan:\n{p}"
        );
        checked += 1;
    }
    // Four reminder queries (start and end notice, both grant kinds) and the outbox claim.
    assert!(checked >= 5, "job queries recorded: {stmts:#?}");
}

/// `frontier-portal bench-seed` writes around the handlers, so check that what it writes is what
/// the API would: the chain verifies, the lists serve the rows, every window fits the cap.
async fn bench_seed_writes_records_the_api_serves(app: TestApp) {
    let c = cast(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let before = app.audit_count().await;
    let now = app.now();
    let summary = app
        .db(move |conn| {
            frontier_portal::bench_seed::seed(
                conn,
                frontier_portal::bench_seed::Sizes {
                    partner_orgs: 5,
                    partner_grants: 40,
                    own_partner_grants: 10,
                    access_grants: 12,
                    log_rows: 30,
                    audit_events: 25,
                },
                now,
            )
            .unwrap()
        })
        .await;
    assert!(summary.contains("40 partner grants"), "{summary}");
    assert_eq!(app.audit_count().await - before, 25);
    let v = app.db(|c| frontier_portal::audit::verify(c).unwrap()).await;
    assert!(v.valid, "{v:?}");
    let mine = items(
        &x.get(&app.api("/partner-grants?limit=200"))
            .await
            .expect(200),
    );
    assert_eq!(mine.len(), 10, "the demo partner's own grants");
    let grants = items(
        &c.dev
            .get(&app.api("/access-grants?limit=200"))
            .await
            .expect(200),
    );
    assert_eq!(grants.len(), 12);
    let seen = items(
        &c.nsa
            .get(&app.api("/access-grants?limit=200"))
            .await
            .expect(200),
    );
    assert_eq!(seen.len(), 12, "NSA is the grantee of each");
    for g in &grants {
        let m = c
            .dev
            .get(&app.api(&format!("/models/{}", g["model_id"].as_str().unwrap())))
            .await
            .expect(200)
            .body;
        assert!(num(&m["government_days_granted"]) <= 30.0);
    }
    let log = items(
        &c.dev
            .get(&ag(&app, grants[0]["id"].as_str().unwrap(), "access-log"))
            .await
            .expect(200),
    );
    assert!(!log.is_empty());
}
