//! The 30-day cap on Government access (Sec. 3(b)(ii), DESIGN §2.4).
//!
//! Sec. 3(b)(ii) has developers give the Government access to a covered model "for up to 30
//! days before release to other trusted partners". The portal reads that as a cap **per
//! model**: the *union* of all Government windows of one model — ended ones included, up to
//! when they ended — never spans more than 30 days, and no window ends after the model's
//! planned partner release. Overlapping windows (for example two agencies at once) count once.
//!
//! Partner early-access grants have no cap; they only need a positive window
//! ([`check_window_order`]).

use chrono::{DateTime, Duration, Utc};
use std::fmt;

use super::problem::ProblemCode;
use super::{duration_days, round_days};

/// The most Government access one model may ever get, counted as the union of its windows.
pub const GOVERNMENT_CAP: Duration = Duration::days(30);

/// A half-open time interval `[start, end)`. Half-open so that a window ending at 12:00 and
/// another starting at 12:00 touch without overlapping, and count as one continuous span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    /// First instant inside the interval.
    pub start: DateTime<Utc>,
    /// First instant after the interval.
    pub end: DateTime<Utc>,
}

impl Interval {
    /// Builds `[start, end)`; an `end` at or before `start` gives an empty interval.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Interval { start, end }
    }

    /// The interval's length, never negative (an inverted interval is empty).
    pub fn length(&self) -> Duration {
        (self.end - self.start).max(Duration::zero())
    }

    /// Whether the interval contains no instant at all.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// The total time covered by `intervals`, counting overlapping or adjacent stretches once and
/// ignoring empty ones. This is the quantity the 30-day cap limits.
pub fn union_length(intervals: &[Interval]) -> Duration {
    let mut sorted: Vec<Interval> = intervals
        .iter()
        .filter(|i| !i.is_empty())
        .copied()
        .collect();
    sorted.sort_by_key(|i| i.start);
    let mut total = Duration::zero();
    let mut current: Option<Interval> = None;
    for next in sorted {
        match current.as_mut() {
            Some(cur) if next.start <= cur.end => cur.end = cur.end.max(next.end),
            Some(cur) => {
                total += cur.length();
                current = Some(next);
            }
            None => current = Some(next),
        }
    }
    total + current.map(|c| c.length()).unwrap_or_else(Duration::zero)
}

/// The part of a grant's window that counts against the cap: a grant the developer ended
/// early counts only up to when it ended (access stopped then); one ended before it started
/// counts nothing.
pub fn effective_interval(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
) -> Interval {
    let end = match ended_at {
        Some(ended) => ends_at.min(ended),
        None => ends_at,
    };
    Interval::new(starts_at, end.max(starts_at))
}

/// Why a proposed window was refused. Each maps to a 422; see [`WindowError::code`].
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum WindowError {
    /// `ends_at` is not after `starts_at`.
    NotPositive,
    /// The window is longer than 30 days, or would bring the union of the model's Government
    /// windows past 30 days. All values are days rounded to 2 decimals:
    /// - `requested_days`: the length of the requested window;
    /// - `total_days`: the model's total Government access if it were accepted (the union of the
    ///   other windows and this one, overlaps counted once);
    /// - `granted_days`: the union of the model's other windows (already granted);
    /// - `remaining_days`: `max(0, 30 − granted_days)`.
    CapExceeded {
        /// The requested window's length, in days.
        requested_days: f64,
        /// Total Government access to the model if this window were accepted, in days.
        total_days: f64,
        /// Government access already granted by the model's other windows, in days.
        granted_days: f64,
        /// What is left of the 30-day cap, in days.
        remaining_days: f64,
        /// The latest end (whole minute) this window could have within the cap, keeping its
        /// start; `None` when nothing is left from that start.
        latest_end: Option<DateTime<Utc>>,
    },
    /// The window ends after the model's planned release to partners; Sec. 3(b)(ii) access
    /// comes *before* that release.
    AfterRelease {
        /// The model's `planned_partner_release_at`.
        planned_partner_release_at: DateTime<Utc>,
    },
}

impl WindowError {
    /// The problem `code` the API sends with this error (DESIGN §3).
    pub fn code(&self) -> ProblemCode {
        match self {
            WindowError::NotPositive => ProblemCode::InvalidWindow,
            WindowError::CapExceeded { .. } => ProblemCode::WindowCapExceeded,
            WindowError::AfterRelease { .. } => ProblemCode::WindowAfterRelease,
        }
    }

    /// The request field the error is about, for the 422 `errors: [{field, message}]` list.
    pub fn field(&self) -> &'static str {
        "ends_at"
    }
}

/// Formats days for people with at most one decimal (`10`, `39.3`, `14.5`): the same figure
/// the web form shows at the field (frontend `fmt`), so summary and field agree.
fn fmt_days(days: f64) -> String {
    let s = format!("{days:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

impl fmt::Display for WindowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WindowError::NotPositive => f.write_str("the window must end after it starts"),
            WindowError::CapExceeded {
                requested_days,
                total_days,
                granted_days,
                remaining_days,
                latest_end,
            } => {
                write!(
                    f,
                    "this {}-day window would bring the Government's access to this model to {} days; \
                     the cap is 30 days, {} are already granted and {} remain",
                    fmt_days(*requested_days),
                    fmt_days(*total_days),
                    fmt_days(*granted_days),
                    fmt_days(*remaining_days)
                )?;
                match latest_end {
                    Some(end) => write!(
                        f,
                        "; the latest end that fits is {}",
                        end.format("%Y-%m-%d %H:%M UTC")
                    ),
                    None => f.write_str("; no window from this start fits"),
                }
            }
            WindowError::AfterRelease {
                planned_partner_release_at,
            } => write!(
                f,
                "this window ends after the model's planned release to partners ({}); \
                 Government access must end on or before it",
                planned_partner_release_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

/// Checks that a window is positive (`starts_at < ends_at`). Partner early-access grants need
/// only this: the 30-day cap is about Government access.
pub fn check_window_order(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<(), WindowError> {
    if ends_at <= starts_at {
        Err(WindowError::NotPositive)
    } else {
        Ok(())
    }
}

/// The latest end (a whole minute) of a window starting at `start` that keeps the union with
/// `existing` within the cap and the window itself at most 30 days; `None` if even a minute
/// does not fit. The union grows with the end, so a binary search over seconds finds it.
pub fn latest_end_within_cap(existing: &[Interval], start: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let fits = |end: DateTime<Utc>| {
        let mut all = existing.to_vec();
        all.push(Interval::new(start, end));
        union_length(&all) <= GOVERNMENT_CAP
    };
    let (mut lo, mut hi) = (0i64, GOVERNMENT_CAP.num_seconds());
    if !fits(start + Duration::seconds(60)) {
        return None;
    }
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        if fits(start + Duration::seconds(mid)) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Some(start + Duration::seconds(lo - lo % 60))
}

/// Checks a proposed (new or edited) Government window against the Sec. 3(b)(ii) rules.
///
/// `existing` are the *other* Government windows of the same model, each already passed
/// through [`effective_interval`] (the caller excludes the grant being edited, so moving
/// `ends_at` is checked against the rest). Checks, in this order: the window is positive;
/// it is at most 30 days and keeps the union at most 30 days (exactly 30 days is allowed);
/// it ends no later than `planned_partner_release_at` (ending exactly then is allowed).
pub fn check_government_window(
    existing: &[Interval],
    proposed: Interval,
    planned_partner_release_at: Option<DateTime<Utc>>,
) -> Result<(), WindowError> {
    check_changed_government_window(existing, None, proposed, planned_partner_release_at)
}

/// [`check_government_window`] for a window being changed: `current` is its present
/// (effective) interval. It is not counted against the new window (the new one replaces it),
/// but the refusal's `granted_days` includes it, as the model page does: extending an 18-day
/// window of an otherwise unused model says 18 are already granted, not 0.
pub fn check_changed_government_window(
    existing: &[Interval],
    current: Option<Interval>,
    proposed: Interval,
    planned_partner_release_at: Option<DateTime<Utc>>,
) -> Result<(), WindowError> {
    check_window_order(proposed.start, proposed.end)?;
    let mut all = existing.to_vec();
    all.push(proposed);
    let total = union_length(&all);
    if proposed.length() > GOVERNMENT_CAP || total > GOVERNMENT_CAP {
        let mut counted = existing.to_vec();
        counted.extend(current);
        let granted = duration_days(union_length(&counted));
        return Err(WindowError::CapExceeded {
            requested_days: round_days(duration_days(proposed.length())),
            total_days: round_days(duration_days(total)),
            granted_days: round_days(granted),
            remaining_days: round_days((duration_days(GOVERNMENT_CAP) - granted).max(0.0)),
            latest_end: latest_end_within_cap(existing, proposed.start),
        });
    }
    if let Some(release) = planned_partner_release_at {
        if proposed.end > release {
            return Err(WindowError::AfterRelease {
                planned_partner_release_at: release,
            });
        }
    }
    Ok(())
}

/// Days left until `ends_at`, never negative, rounded to 2 decimals (shown to grantees).
pub fn days_remaining(now: DateTime<Utc>, ends_at: DateTime<Utc>) -> f64 {
    round_days(duration_days(ends_at - now).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
    }
    fn day(d: f64) -> DateTime<Utc> {
        t0() + Duration::milliseconds((d * 86_400_000.0) as i64)
    }
    fn iv(a: f64, b: f64) -> Interval {
        Interval::new(day(a), day(b))
    }
    fn days_of(d: Duration) -> f64 {
        duration_days(d)
    }

    #[test]
    fn cap_is_thirty_days() {
        assert_eq!(GOVERNMENT_CAP.num_seconds(), 30 * 86_400);
    }

    #[test]
    fn union_merges_overlap_adjacency_and_containment() {
        assert_eq!(days_of(union_length(&[])), 0.0);
        assert_eq!(days_of(union_length(&[iv(0.0, 10.0), iv(5.0, 15.0)])), 15.0); // overlap
        assert_eq!(
            days_of(union_length(&[iv(0.0, 10.0), iv(10.0, 20.0)])),
            20.0
        ); // adjacent
        assert_eq!(days_of(union_length(&[iv(0.0, 20.0), iv(5.0, 6.0)])), 20.0); // contained
        assert_eq!(days_of(union_length(&[iv(0.0, 5.0), iv(10.0, 12.0)])), 7.0); // disjoint
        assert_eq!(days_of(union_length(&[iv(5.0, 5.0), iv(9.0, 3.0)])), 0.0); // empty ones
        assert_eq!(
            days_of(union_length(&[iv(20.0, 25.0), iv(0.0, 3.0), iv(2.0, 21.0)])),
            25.0
        );
    }

    #[test]
    fn ended_grants_count_until_they_ended() {
        assert_eq!(effective_interval(day(0.0), day(10.0), None), iv(0.0, 10.0));
        assert_eq!(
            effective_interval(day(0.0), day(10.0), Some(day(4.0))),
            iv(0.0, 4.0)
        );
        assert_eq!(
            effective_interval(day(0.0), day(10.0), Some(day(12.0))),
            iv(0.0, 10.0)
        );
        let before = effective_interval(day(5.0), day(10.0), Some(day(1.0)));
        assert!(before.is_empty());
        assert_eq!(before.length(), Duration::zero());
        // An ended 20-day grant that ran 4 days leaves 26 days.
        let existing = [effective_interval(day(0.0), day(20.0), Some(day(4.0)))];
        assert_eq!(
            check_government_window(&existing, iv(10.0, 36.0), None),
            Ok(())
        );
        assert!(check_government_window(&existing, iv(10.0, 36.1), None).is_err());
    }

    #[test]
    fn exactly_thirty_days_allowed_one_second_more_refused() {
        let start = t0();
        let exact = Interval::new(start, start + GOVERNMENT_CAP);
        assert_eq!(check_government_window(&[], exact, None), Ok(()));
        let over = Interval::new(start, start + GOVERNMENT_CAP + Duration::seconds(1));
        let err = check_government_window(&[], over, None).unwrap_err();
        assert_eq!(
            err,
            WindowError::CapExceeded {
                requested_days: 30.0,
                total_days: 30.0,
                granted_days: 0.0,
                remaining_days: 30.0,
                latest_end: Some(start + GOVERNMENT_CAP),
            }
        );
        assert_eq!(err.code().as_str(), "window_cap_exceeded");
        // Union exactly 30 across two windows is fine; one second more is not.
        assert_eq!(
            check_government_window(&[iv(0.0, 10.0)], iv(20.0, 40.0), None),
            Ok(())
        );
        let over2 = Interval::new(day(20.0), day(40.0) + Duration::seconds(1));
        assert!(check_government_window(&[iv(0.0, 10.0)], over2, None).is_err());
    }

    #[test]
    fn cap_error_reports_total_granted_and_remaining() {
        let err = check_government_window(&[iv(0.0, 20.0)], iv(25.0, 39.5), None).unwrap_err();
        assert_eq!(
            err,
            WindowError::CapExceeded {
                requested_days: 14.5,
                total_days: 34.5,
                granted_days: 20.0,
                remaining_days: 10.0,
                latest_end: Some(day(35.0)),
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "this 14.5-day window would bring the Government's access to this model to 34.5 days; \
                 the cap is 30 days, 20 are already granted and 10 remain; the latest end that fits is {}",
                day(35.0).format("%Y-%m-%d %H:%M UTC")
            )
        );
        // Changing a window: the refusal counts the window's present days as granted (one
        // figure with the model page), and the latest end that fits ignores them.
        let err = check_changed_government_window(&[], Some(iv(0.0, 18.0)), iv(0.0, 40.0), None)
            .unwrap_err();
        assert!(
            matches!(err, WindowError::CapExceeded { granted_days, remaining_days, latest_end, .. }
                if granted_days == 18.0 && remaining_days == 12.0 && latest_end == Some(day(30.0))),
            "{err:?}"
        );
        // Days always with one decimal.
        let err = check_government_window(&[iv(0.0, 20.0)], iv(20.0, 39.0 + 1.0 / 3.0), None)
            .unwrap_err();
        assert!(
            err.to_string().contains("19.3-day window") && err.to_string().contains("39.3 days"),
            "{err}"
        );
        // Overlap counts once: 20 existing + [15, 30) adds only 10.
        assert_eq!(
            check_government_window(&[iv(0.0, 20.0)], iv(15.0, 30.0), None),
            Ok(())
        );
        // Remaining never goes negative even if old data already exceeds the cap.
        let err = check_government_window(&[iv(0.0, 31.0)], iv(40.0, 41.0), None).unwrap_err();
        assert!(
            matches!(err, WindowError::CapExceeded { remaining_days, .. } if remaining_days == 0.0)
        );
    }

    #[test]
    fn non_positive_and_after_release() {
        assert_eq!(
            check_government_window(&[], iv(5.0, 5.0), None),
            Err(WindowError::NotPositive)
        );
        assert_eq!(
            check_window_order(day(2.0), day(1.0)),
            Err(WindowError::NotPositive)
        );
        assert_eq!(check_window_order(day(1.0), day(200.0)), Ok(()));
        assert_eq!(
            check_government_window(&[], iv(0.0, 10.0), Some(day(10.0))),
            Ok(())
        );
        let err = check_government_window(&[], iv(0.0, 10.5), Some(day(10.0))).unwrap_err();
        assert_eq!(
            err,
            WindowError::AfterRelease {
                planned_partner_release_at: day(10.0)
            }
        );
        assert_eq!(err.code().as_str(), "window_after_release");
        assert!(err.to_string().contains("2026-06-11T00:00:00Z"));
    }

    #[test]
    fn days_remaining_is_non_negative_and_rounded() {
        assert_eq!(days_remaining(day(0.0), day(10.0)), 10.0);
        assert_eq!(days_remaining(day(0.0), day(0.333)), 0.33);
        assert_eq!(days_remaining(day(11.0), day(10.0)), 0.0);
    }

    fn interval_strategy() -> impl Strategy<Value = Interval> {
        // Starts within 90 days, lengths from -2 to 40 days, second precision.
        (0i64..90 * 86_400, -2 * 86_400i64..40 * 86_400).prop_map(|(s, len)| {
            let start = t0() + Duration::seconds(s);
            Interval::new(start, start + Duration::seconds(len))
        })
    }

    proptest! {
        #[test]
        fn union_bounds_and_order_independence(
            set in prop::collection::vec(interval_strategy(), 0..12)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            let (intervals, shuffled) = set;
            let u = union_length(&intervals);
            let sum = intervals.iter().map(|i| i.length()).fold(Duration::zero(), |a, b| a + b);
            let max = intervals.iter().map(|i| i.length()).max().unwrap_or_else(Duration::zero);
            prop_assert!(u <= sum);
            prop_assert!(u >= max);
            prop_assert_eq!(u, union_length(&shuffled));
        }

        /// However many windows a developer proposes, the accepted ones never give the
        /// Government more than 30 days on one model.
        #[test]
        fn accepted_windows_never_exceed_cap(
            proposals in prop::collection::vec(interval_strategy(), 0..20)
        ) {
            let mut accepted: Vec<Interval> = Vec::new();
            for p in proposals {
                if check_government_window(&accepted, p, None).is_ok() {
                    accepted.push(p);
                }
                prop_assert!(union_length(&accepted) <= GOVERNMENT_CAP);
            }
        }
    }
}
