//! The injectable clock. Every rule that depends on time asks this clock, so tests move time
//! instead of sleeping, and statuses are derived from stored timestamps and "now".

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, DurationRound, Utc};

pub trait Clock: Send + Sync + 'static {
    /// Current UTC time, truncated to microseconds so that what is stored (both SQLite and
    /// PostgreSQL keep microseconds) reads back identical — the audit hash depends on it.
    fn now(&self) -> DateTime<Utc>;
}

pub fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::microseconds(1)).unwrap_or(t)
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        truncate(Utc::now())
    }
}

/// A clock that only moves when told to. Cloning shares the same time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(Mutex::new(truncate(start))))
    }
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().expect("clock lock");
        *t += by;
    }
    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = truncate(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// Timestamps are stored as UTC `NaiveDateTime` (a portable TIMESTAMP column).
pub fn to_db(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    t.naive_utc()
}

pub fn from_db(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Times for the tests of the hand-written readers and writers of timestamps (`db::stamp`,
/// `api::rfc3339`): whole seconds and every width of fraction (milli-, micro-, nanoseconds),
/// across days, months and years on both sides of 2026.
#[cfg(test)]
pub fn sample_times() -> Vec<DateTime<Utc>> {
    use chrono::TimeZone;
    let base = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
    let steps = [
        Duration::zero(),
        Duration::nanoseconds(1),
        Duration::nanoseconds(494_770_519),
        Duration::nanoseconds(120_000),
        Duration::microseconds(123_456),
        Duration::milliseconds(7),
        Duration::milliseconds(500),
        Duration::seconds(59),
        Duration::days(1) - Duration::nanoseconds(1),
        Duration::days(31) + Duration::seconds(3_723),
        Duration::days(366 * 3) + Duration::nanoseconds(10),
        Duration::days(-20_000) + Duration::nanoseconds(999_999_999),
    ];
    let mut out = Vec::new();
    for step in steps {
        for k in 0..100i64 {
            out.push(base + step + Duration::nanoseconds(k * 86_399_987_654_321));
            out.push(base + step - Duration::seconds(k * 9_876_543));
        }
    }
    out
}
