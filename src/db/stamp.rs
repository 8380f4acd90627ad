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
        MultiRawValue::Sqlite(mut v) => match parse_sqlite_text(v.read_text()) {
            Some(t) => Ok(t),
            None => <NaiveDateTime as FromSql<Timestamp, diesel::sqlite::Sqlite>>::from_sql(v),
        },
        other => other.from_sql::<NaiveDateTime, Timestamp>(),
    }
}

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
            Some(v) => Self::from_sql(v),
            None => Ok(MaybeStamp(None)),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional `.` and 1 to 9 digits of fraction: the form diesel
/// writes (`%F %T%.f`). `None` for anything else (the caller falls back to diesel's parser).
pub fn parse_sqlite_text(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
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
    use chrono::{Duration, Timelike};

    /// What diesel writes for a `NaiveDateTime` on SQLite (its `ToSql`, `%F %T%.f`).
    fn written(t: NaiveDateTime) -> String {
        t.format("%F %T%.f").to_string()
    }

    #[test]
    fn reads_back_what_diesel_writes() {
        let base = NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        // Whole seconds, milli-, micro- and nanoseconds, across years, months and days.
        let steps = [
            Duration::zero(),
            Duration::nanoseconds(1),
            Duration::nanoseconds(494_770_519),
            Duration::microseconds(123_456),
            Duration::milliseconds(7),
            Duration::seconds(59),
            Duration::days(1) - Duration::nanoseconds(1),
            Duration::days(31) + Duration::seconds(3_723),
            Duration::days(366 * 3) + Duration::nanoseconds(10),
            Duration::days(-20_000) + Duration::nanoseconds(999_999_999),
        ];
        for d in &steps {
            for k in 0..50i32 {
                let t = base + *d + Duration::nanoseconds(i64::from(k) * 86_399_987_654_321);
                let text = written(t);
                assert_eq!(parse_sqlite_text(&text), Some(t), "{text}");
            }
        }
    }

    #[test]
    fn other_forms_fall_back_to_diesel() {
        for text in [
            "2026-07-01T12:00:00",
            "2026-07-01 12:00",
            "2026-07-01 12:00:00Z",
            "2026-07-01 12:00:00+02:00",
            "2026-07-01 12:00:00.",
            "2026-07-01 12:00:00.1234567890",
            "2026-13-01 12:00:00",
            "2026-02-30 12:00:00",
            "2026-07-01 24:00:00",
            "2026-07-01 12:0a:00",
            "2461223.5",
            "",
        ] {
            assert_eq!(parse_sqlite_text(text), None, "{text}");
        }
        let t = parse_sqlite_text("2026-07-01 12:00:00.5").unwrap();
        assert_eq!(t.nanosecond(), 500_000_000);
    }
}
