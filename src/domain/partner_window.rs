//! Advice on a partner early-access window (issue 11 item 11). Participation is voluntary and
//! partner windows have no cap (Sec. 3(b)(iii) sets none), so these are **warnings, never
//! refusals**: the developer reads them and decides. They are computed wherever a window is
//! proposed or shown — the issue form, the change of an end date, the grant page — from this one
//! rule, so the form's preview and the grant's answer always agree.

use chrono::{DateTime, Duration, Utc};

use super::window::Interval;
use super::{duration_days, round_days};

/// Longer than this reads as a standing arrangement rather than early access: worth a second look.
pub const LONG_PARTNER_WINDOW: Duration = Duration::days(90);

domain_string_enum! {
    /// What a partner window warning is about.
    pub enum PartnerWindowWarningCode {
        /// It overlaps another offered or active grant of the same partner for the same model.
        OverlapsPartnerGrant = "overlaps_partner_grant",
        /// It ends after the model's planned partner release.
        EndsAfterPlannedRelease = "ends_after_planned_release",
        /// It is longer than [`LONG_PARTNER_WINDOW`].
        LongerThan90Days = "longer_than_90_days",
    }
}

/// One warning: its code (the contract) and a sentence a person reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerWindowWarning {
    pub code: PartnerWindowWarningCode,
    pub message: String,
}

/// The warnings for `window`, a partner grant's proposed or current window, given the other
/// open (offered or active, not revoked, not expired) grants of the same partner for the same
/// model — the grant itself left out — and the model's planned partner release, if it has one.
/// In a fixed order (overlap, release, length); empty when there is nothing to say.
pub fn partner_window_warnings(
    window: Interval,
    others: &[Interval],
    planned_release: Option<DateTime<Utc>>,
) -> Vec<PartnerWindowWarning> {
    let mut out = Vec::new();
    // Half-open intervals: one ending at 12:00 and another starting at 12:00 do not overlap.
    let overlapping = others
        .iter()
        .filter(|o| o.start < window.end && window.start < o.end)
        .count();
    if overlapping > 0 {
        out.push(PartnerWindowWarning {
            code: PartnerWindowWarningCode::OverlapsPartnerGrant,
            message: if overlapping == 1 {
                "It overlaps another early-access grant this partner has for this model.".into()
            } else {
                format!(
                    "It overlaps {overlapping} other early-access grants this partner has for this model."
                )
            },
        });
    }
    if let Some(release) = planned_release {
        if window.end > release {
            out.push(PartnerWindowWarning {
                code: PartnerWindowWarningCode::EndsAfterPlannedRelease,
                message: "It ends after the model's planned partner release date, when early access is meant to give way to the release.".into(),
            });
        }
    }
    let length = window.length();
    if length > LONG_PARTNER_WINDOW {
        out.push(PartnerWindowWarning {
            code: PartnerWindowWarningCode::LongerThan90Days,
            message: format!(
                "It lasts {}, longer than 90 days.",
                days_words(duration_days(length))
            ),
        });
    }
    out
}

/// "118 days", "90.5 days": whole days without decimals.
fn days_words(days: f64) -> String {
    let d = (round_days(days) * 10.0).round() / 10.0;
    if d.fract() == 0.0 {
        format!("{} days", d as i64)
    } else {
        format!("{d} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use PartnerWindowWarningCode as C;

    fn t(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap() + Duration::days(day)
    }
    fn w(a: i64, b: i64) -> Interval {
        Interval::new(t(a), t(b))
    }
    fn codes(v: &[PartnerWindowWarning]) -> Vec<C> {
        v.iter().map(|w| w.code).collect()
    }

    #[test]
    fn a_plain_window_has_no_warnings() {
        assert!(partner_window_warnings(w(0, 30), &[w(30, 60)], Some(t(30))).is_empty());
        assert!(partner_window_warnings(w(0, 90), &[], None).is_empty());
    }

    #[test]
    fn the_issue_example_has_all_three_in_order() {
        // A 118-day grant overlapping the partner's active one and ending months after release.
        let v = partner_window_warnings(w(0, 118), &[w(-10, 20)], Some(t(35)));
        assert_eq!(
            codes(&v),
            [
                C::OverlapsPartnerGrant,
                C::EndsAfterPlannedRelease,
                C::LongerThan90Days
            ]
        );
        assert_eq!(v[2].message, "It lasts 118 days, longer than 90 days.");
    }

    #[test]
    fn overlap_is_half_open_and_counts_each_grant() {
        assert!(partner_window_warnings(w(10, 20), &[w(0, 10), w(20, 30)], None).is_empty());
        let v = partner_window_warnings(w(5, 25), &[w(0, 10), w(20, 30)], None);
        assert_eq!(codes(&v), [C::OverlapsPartnerGrant]);
        assert!(v[0].message.contains("2 other"), "{}", v[0].message);
        // Containment both ways.
        assert_eq!(
            codes(&partner_window_warnings(w(2, 3), &[w(0, 10)], None)),
            [C::OverlapsPartnerGrant]
        );
        assert_eq!(
            codes(&partner_window_warnings(w(0, 10), &[w(2, 3)], None)),
            [C::OverlapsPartnerGrant]
        );
    }

    #[test]
    fn ending_exactly_at_the_release_is_fine() {
        assert!(partner_window_warnings(w(0, 35), &[], Some(t(35))).is_empty());
        let v = partner_window_warnings(w(0, 35), &[], Some(t(35) - Duration::seconds(1)));
        assert_eq!(codes(&v), [C::EndsAfterPlannedRelease]);
    }

    #[test]
    fn ninety_days_is_fine_and_a_minute_more_is_not() {
        assert!(partner_window_warnings(w(0, 90), &[], None).is_empty());
        let v =
            partner_window_warnings(Interval::new(t(0), t(90) + Duration::hours(12)), &[], None);
        assert_eq!(codes(&v), [C::LongerThan90Days]);
        assert_eq!(v[0].message, "It lasts 90.5 days, longer than 90 days.");
    }

    #[test]
    fn messages_are_plain_words() {
        let v = partner_window_warnings(w(0, 118), &[w(0, 5)], Some(t(1)));
        for m in v {
            assert!(!m.message.contains('_'), "{}", m.message);
            assert!(m.message.ends_with('.'));
        }
    }
}
