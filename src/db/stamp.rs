//! Reading `Timestamp` columns without chrono's format parser.
//!
//! SQLite has no time type: diesel stores a `Timestamp` as text (`2026-07-01 12:00:00.123456789`)
//! and reads it back by trying its eighteen accepted formats with `parse_from_str`, each format
//! string interpreted again on every value. That was the largest single cost of a list page: a
//! sixth of a partner-grants request's instructions, for 300 timestamps.
//!
//! The row structs of `crate::store` read every timestamp field through [`Stamp`] or
//! [`MaybeStamp`] (`#[diesel(deserialize_as = …)]`): on SQLite the text diesel itself writes is
//! parsed by hand, digit by digit; any other text falls back to diesel's own parser, so what
//! diesel accepts is still accepted. PostgreSQL sends a binary timestamp and goes straight to
//! diesel's reader. The field types stay `NaiveDateTime`; nothing else changes.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::deserialize::{self, FromSql};
use diesel::sql_types::{Nullable, Timestamp};

use super::{MultiBackend, MultiRawValue};

/// A `Timestamp` column read fast ([module docs](self)); becomes the field's `NaiveDateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct Stamp(pub NaiveDateTime);

/// A `Nullable<Timestamp>` column read fast; becomes the field's `Option<NaiveDateTime>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, diesel::deserialize::FromSqlRow)]
pub struct MaybeStamp(pub Option<NaiveDateTime>);

impl From<Stamp> for NaiveDateTime {
    fn from(s: Stamp) -> NaiveDateTime {
        s.0
    }
}

impl From<MaybeStamp> for Option<NaiveDateTime> {
    fn from(s: MaybeStamp) -> Option<NaiveDateTime> {
        s.0
    }
}

fn read(value: MultiRawValue<'_>) -> deserialize::Result<NaiveDateTime> {
    match value {
        MultiRawValue::Sqlite(v) => read_sqlite(v),
        other => other.from_sql::<NaiveDateTime, Timestamp>(),
    }
}

fn read_sqlite(
    mut v: diesel::sqlite::SqliteValue<'_, '_, '_>,
) -> deserialize::Result<NaiveDateTime> {
    match parse_sqlite_text(v.read_text()) {
        Some(t) => Ok(t),
        None => <NaiveDateTime as FromSql<Timestamp, diesel::sqlite::Sqlite>>::from_sql(v),
    }
}

/// The same reading on a backend's own connection (`db::on_backend!`), for the statements that
/// bypass the `MultiConnection` wrapper.
macro_rules! per_backend {
    ($backend:ty, $read:expr) => {
        impl FromSql<Timestamp, $backend> for Stamp {
            fn from_sql(
                value: <$backend as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                $read(value).map(Stamp)
            }
        }

        impl FromSql<Nullable<Timestamp>, $backend> for MaybeStamp {
            fn from_sql(
                value: <$backend as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                $read(value).map(|t| MaybeStamp(Some(t)))
            }

            fn from_nullable_sql(
                value: Option<<$backend as diesel::backend::Backend>::RawValue<'_>>,
            ) -> deserialize::Result<Self> {
                match value {
                    Some(v) => $read(v).map(|t| MaybeStamp(Some(t))),
                    None => Ok(MaybeStamp(None)),
                }
            }
        }
    };
}

per_backend!(diesel::sqlite::Sqlite, read_sqlite);
per_backend!(
    diesel::pg::Pg,
    <NaiveDateTime as FromSql<Timestamp, diesel::pg::Pg>>::from_sql
);

impl FromSql<Timestamp, MultiBackend> for Stamp {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        read(value).map(Stamp)
    }
}

impl FromSql<Nullable<Timestamp>, MultiBackend> for MaybeStamp {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        read(value).map(|t| MaybeStamp(Some(t)))
    }

    fn from_nullable_sql(value: Option<MultiRawValue<'_>>) -> deserialize::Result<Self> {
        match value {
            Some(v) => read(v).map(|t| MaybeStamp(Some(t))),
            None => Ok(MaybeStamp(None)),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional `.` and 1 to 9 digits of fraction: the form diesel
/// writes (`%F %T%.f`). `None` for anything else (the caller falls back to diesel's parser).
fn parse_sqlite_text(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    let seps = [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')];
    if b.len() < 19 || seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let (h, m, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let nano = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            num(20, b.len())? * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    // A leap second (written as second 60) is refused here and read by diesel's parser.
    let time = NaiveTime::from_hms_nano_opt(h, m, sec, nano)?;
    Some(NaiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use diesel::dsl::sql;
    use diesel::{Connection, RunQueryDsl};

    use crate::db::DbConn;

    /// What diesel writes for a `NaiveDateTime` on SQLite (its `ToSql`, `%F %T%.f`).
    fn written(t: NaiveDateTime) -> String {
        t.format("%F %T%.f").to_string()
    }

    /// `text` read back through a real SQLite connection, as a column of a row is.
    fn through_sqlite(conn: &mut DbConn, text: Option<&str>) -> MaybeStamp {
        let literal = text.map_or("NULL".to_string(), |t| format!("'{t}'"));
        diesel::select(sql::<Nullable<Timestamp>>(&literal))
            .get_result(conn)
            .unwrap()
    }

    #[test]
    fn reads_back_what_diesel_writes() {
        let mut conn = DbConn::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        for t in crate::clock::sample_times() {
            let t = t.naive_utc();
            let text = written(t);
            assert_eq!(parse_sqlite_text(&text), Some(t), "{text}");
            assert_eq!(through_sqlite(&mut conn, Some(&text)), MaybeStamp(Some(t)));
        }
        let stamp: Stamp = diesel::select(sql::<Timestamp>("'2026-07-01 12:00:00.5'"))
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(stamp.0.nanosecond(), 500_000_000);
        assert_eq!(through_sqlite(&mut conn, None), MaybeStamp(None));
    }

    #[test]
    fn other_forms_fall_back_to_diesel() {
        let mut conn = DbConn::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        // Forms diesel accepts that the hand parser leaves to it: still read, the same time.
        let noon = NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        let at = |nanos: u32| noon.with_nanosecond(nanos).unwrap();
        for (text, want) in [
            ("2026-07-01T12:00:00", noon),
            ("2026-07-01 12:00", noon),
            ("2026-07-01 12:00:00Z", noon),
            ("2026-07-01T12:00:00.000Z", noon),
            // chrono reads only the first nine digits of a longer fraction.
            ("2026-07-01 12:00:00.1234567890", at(123_456_789)),
        ] {
            assert_eq!(parse_sqlite_text(text), None, "{text}");
            assert_eq!(
                through_sqlite(&mut conn, Some(text)),
                MaybeStamp(Some(want)),
                "{text}"
            );
        }
        // An offset, or a Julian day number: diesel's parser reads these too.
        for text in ["2026-07-01 12:00:00+02:00", "2461223.5"] {
            assert_eq!(parse_sqlite_text(text), None, "{text}");
            let r = through_sqlite(&mut conn, Some(text));
            assert!(r.0.is_some(), "{text}: {r:?}");
        }
        // Not times at all: refused by both.
        for text in [
            "2026-07-01 12:00:00.",
            "2026-13-01 12:00:00",
            "2026-02-30 12:00:00",
            "2026-07-01 24:00:00",
            "2026-07-01 12:0a:00",
            "",
        ] {
            assert_eq!(parse_sqlite_text(text), None, "{text}");
            let literal = format!("'{text}'");
            let r = diesel::select(sql::<Nullable<Timestamp>>(&literal))
                .get_result::<MaybeStamp>(&mut conn);
            assert!(r.is_err(), "{text}: {r:?}");
        }
    }
}
