//! Every migration runs up, down and up again on both backends, and the diesel schema matches
//! what the migrations create (a query touching every column of every table succeeds).

use diesel::prelude::*;
use frontier_portal::db::{self, schema::*};

use crate::helpers::{database_url, Backend};

fn roundtrip(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = database_url(backend, dir.path()) else {
        return;
    };
    let pool = db::connect(&url, 1, crate::helpers::default_limits()).unwrap();
    let mut conn = pool.get().unwrap();
    db::run_migrations(&mut conn).unwrap();
    touch_every_table(&mut conn);
    db::revert_all_migrations(&mut conn).unwrap();
    // After reverting, the tables are gone.
    assert!(organizations::table
        .count()
        .get_result::<i64>(&mut conn)
        .is_err());
    db::run_migrations(&mut conn).unwrap();
    touch_every_table(&mut conn);
}

fn touch_every_table(conn: &mut db::DbConn) {
    touch_typed(conn);
}

fn touch_typed(conn: &mut db::DbConn) {
    use frontier_portal::audit::AuditRow;
    use frontier_portal::mail::outbox::OutboxRow;
    use frontier_portal::store::accounts::{
        ApiTokenRow, EmailTokenRow, SessionRow, ThrottleRow, UserRow,
    };
    use frontier_portal::store::orgs::OrgRow;
    organizations::table
        .select(OrgRow::as_select())
        .load(conn)
        .unwrap();
    users::table
        .select(UserRow::as_select())
        .load(conn)
        .unwrap();
    sessions::table
        .select(SessionRow::as_select())
        .load(conn)
        .unwrap();
    api_tokens::table
        .select(ApiTokenRow::as_select())
        .load(conn)
        .unwrap();
    email_tokens::table
        .select(EmailTokenRow::as_select())
        .load(conn)
        .unwrap();
    login_throttle::table
        .select(ThrottleRow::as_select())
        .load(conn)
        .unwrap();
    outbox::table
        .select(OutboxRow::as_select())
        .load(conn)
        .unwrap();
    audit_events::table
        .select(AuditRow::as_select())
        .load(conn)
        .unwrap();
    audit_event_orgs::table
        .select((audit_event_orgs::seq, audit_event_orgs::organization_id))
        .load::<(i64, String)>(conn)
        .unwrap();
    grant_declines::table
        .select(frontier_portal::store::grants::DeclineRow::as_select())
        .load(conn)
        .unwrap();
    notification_optouts::table
        .select(frontier_portal::store::notifications::OptoutRow::as_select())
        .load(conn)
        .unwrap();
    audit_head::table
        .select((audit_head::id, audit_head::last_seq, audit_head::last_hash))
        .load::<(i32, i64, String)>(conn)
        .unwrap();
}

#[test]
fn migrations_roundtrip_sqlite() {
    roundtrip(Backend::Sqlite);
}

#[test]
fn migrations_roundtrip_postgres() {
    roundtrip(Backend::Postgres);
}
