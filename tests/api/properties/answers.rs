//! What an answer must look like: well-formed, the expected status, the audit events it writes.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::model::*;
use crate::flows::ts;
use crate::helpers::*;

pub(super) fn opt_ts(v: &Value) -> Option<DateTime<Utc>> {
    if v.is_null() {
        None
    } else {
        Some(ts(v))
    }
}

pub(super) fn short(text: &str) -> String {
    let t: String = text.chars().take(220).collect();
    if text.chars().count() > 220 {
        format!("{t}…")
    } else {
        t
    }
}

/// A 2xx, or a well-formed RFC 9457 problem with a 4xx status; never a 5xx.
pub(super) fn well_formed(r: &Resp, what: &str) -> Result<(), String> {
    let s = r.status.as_u16();
    ensure!(s < 500, "{what}: server error {s}: {}", r.text);
    if s >= 400 {
        let ct = r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        ensure!(
            ct == "application/problem+json",
            "{what}: a {s} that is not application/problem+json ({ct}): {}",
            r.text
        );
        ensure!(
            r.body["code"].as_str().is_some_and(|c| !c.is_empty()),
            "{what}: problem without a code: {}",
            r.text
        );
        ensure!(
            r.body["detail"].as_str().is_some_and(|c| !c.is_empty()),
            "{what}: problem without a detail: {}",
            r.text
        );
        ensure!(
            r.body["status"].as_u64() == Some(s as u64),
            "{what}: problem status member differs from {s}: {}",
            r.text
        );
    } else {
        ensure!(
            (200..300).contains(&s),
            "{what}: unexpected status {s}: {}",
            r.text
        );
    }
    Ok(())
}

/// A `window_cap_exceeded` problem gives the requested window's length, the total the model
/// would reach, the days already granted by its other windows and what remains (DESIGN §2.4).
pub(super) fn cap_problem_days(
    r: &Resp,
    others: &[(DateTime<Utc>, DateTime<Utc>)],
    s: DateTime<Utc>,
    e: DateTime<Utc>,
) -> Result<(), String> {
    let granted = days_of(union_secs(others.to_vec()));
    let mut all = others.to_vec();
    all.push((s, e));
    let want = [
        ("requested_days", days_of((e - s).num_seconds())),
        ("total_days", days_of(union_secs(all))),
        ("granted_days", granted),
        ("remaining_days", (30.0 - granted).max(0.0)),
    ];
    for (k, v) in want {
        let got = r.body[k].as_f64().unwrap_or(f64::NAN);
        ensure!(
            (got - v).abs() < 0.011,
            "window_cap_exceeded: {k} should be {v:.2}: {}",
            r.text
        );
    }
    Ok(())
}

/// Matches an answer against the expected alternatives; returns the audit events it should
/// have written.
pub(super) fn judge(r: &Resp, exps: &[Exp], what: &str) -> Result<i64, String> {
    let s = r.status.as_u16();
    for e in exps {
        let events = match *e {
            Exp::Done(st) if st == s => 1,
            Exp::Repeat(st) if st == s => 0,
            Exp::Refused(st, code) if st == s && (code.is_empty() || r.code() == code) => 0,
            _ => continue,
        };
        let kind = what.split(" a ").next().unwrap_or(what);
        let label = match *e {
            Exp::Done(_) => format!("{kind}: {s}"),
            Exp::Repeat(_) => format!("{kind}: {s} (repeat)"),
            Exp::Refused(..) => format!("{kind}: {s} {}", r.code()),
        };
        OUTCOMES.with(|o| *o.borrow_mut().entry(label).or_default() += 1);
        return Ok(events);
    }
    Err(format!(
        "{what}: expected {exps:?}, got {s} {}",
        short(&r.text)
    ))
}

thread_local! {
    /// How often each kind of call got each answer (printed after each property, to show what
    /// the histories reached). The runner polls every case on the test's own thread.
    pub(super) static OUTCOMES: std::cell::RefCell<std::collections::BTreeMap<String, usize>> =
        Default::default();
}
