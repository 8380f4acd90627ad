//! Times in answers, written as chrono writes them, without `core::fmt`.
//!
//! chrono's `Serialize` for `DateTime<Utc>` formats through `Display` and `collect_str`: about
//! 1,600 instructions a time, a tenth of a list page's work (300 times in 50 items). These write
//! the same text (`2026-07-01T12:00:00Z`, `…:00.5Z` → `.500Z`: whole milli-, micro- or
//! nanoseconds, as chrono's `SecondsFormat::AutoSi`) into a fixed buffer. The unit test holds the
//! two outputs equal; a time outside what that covers (a year past 9999, a leap second) is
//! handed to chrono itself.
//!
//! Every `DateTime<Utc>` field of an answer uses them:
//! `#[serde(serialize_with = "crate::api::rfc3339::utc")]` (or `opt_utc` for an `Option`).

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// Serializes a time as chrono does ([module docs](self)).
pub fn utc<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 32];
    match write(t, &mut buf) {
        Some(n) => s.serialize_str(std::str::from_utf8(&buf[..n]).expect("ASCII digits")),
        None => t.serialize(s),
    }
}

/// [`utc`] for an optional time (`null` when absent).
pub fn opt_utc<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => utc(t, s),
        None => s.serialize_none(),
    }
}

/// Writes `t` into `buf`, returning the length; `None` when chrono must write it.
fn write(t: &DateTime<Utc>, buf: &mut [u8; 32]) -> Option<usize> {
    let year = t.year();
    let nano = t.nanosecond();
    if !(0..=9999).contains(&year) || nano >= 1_000_000_000 {
        return None;
    }
    let mut at = digits(buf, 0, year as u32, 4);
    for (sep, value) in [
        (b'-', t.month()),
        (b'-', t.day()),
        (b'T', t.hour()),
        (b':', t.minute()),
        (b':', t.second()),
    ] {
        buf[at] = sep;
        at = digits(buf, at + 1, value, 2);
    }
    let (frac, width) = if nano == 0 {
        (0, 0)
    } else if nano % 1_000_000 == 0 {
        (nano / 1_000_000, 3)
    } else if nano % 1_000 == 0 {
        (nano / 1_000, 6)
    } else {
        (nano, 9)
    };
    if width > 0 {
        buf[at] = b'.';
        at = digits(buf, at + 1, frac, width);
    }
    buf[at] = b'Z';
    Some(at + 1)
}

/// Writes `value` as `width` decimal digits (zero-padded) at `at`; returns the next position.
fn digits(buf: &mut [u8; 32], at: usize, value: u32, width: u32) -> usize {
    let mut v = value;
    for i in (0..width as usize).rev() {
        buf[at + i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    at + width as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "utc")]
        t: DateTime<Utc>,
        #[serde(serialize_with = "opt_utc")]
        o: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        t: DateTime<Utc>,
        o: Option<DateTime<Utc>>,
    }

    fn same(t: DateTime<Utc>) {
        for o in [Some(t), None] {
            let ours = serde_json::to_string(&Ours { t, o }).unwrap();
            let theirs = serde_json::to_string(&Chronos { t, o }).unwrap();
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn writes_what_chrono_writes() {
        for t in crate::clock::sample_times() {
            same(t);
        }
        // The edges of the years written with four digits, and past them (chrono's own text).
        same(Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap());
        same(Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap());
        same(Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap());
        same(Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap());
        // A leap second.
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        same(leap);
    }
}
