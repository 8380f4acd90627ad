//! Second factors (DESIGN §7): TOTP codes (RFC 6238 through `totp-rs`: SHA-1, 6 digits, 30 s,
//! ±1 step) and one-time recovery codes, plus the windows of the step-up rule.
//!
//! A TOTP code is accepted once only: [`matching_step`] names the 30-second step a code belongs
//! to, and the store accepts it only if that step is later than the last step accepted for the
//! user (`store::mfa::use_totp_step`, a compare-and-set inside the write transaction, so two
//! simultaneous uses of one code cannot both pass on PostgreSQL either).

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

/// A factor used on the session within this long satisfies step-up.
pub const STEP_UP_WINDOW: Duration = Duration::minutes(15);
/// How long the pending cookie between password and code lives.
pub const PENDING_TTL: Duration = Duration::minutes(5);
/// How many recovery codes a confirmed enrolment gives.
pub const RECOVERY_CODES: usize = 10;
const STEP_SECS: i64 = 30;
const ISSUER: &str = "Frontier Access Portal";

/// A fresh TOTP secret: 160 random bits (RFC 4226's recommended length), base32 without padding.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => unreachable!("to_encoded gives an encoded secret"),
    }
}

fn totp(secret: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS as u64,
        bytes,
        Some(ISSUER.to_string()),
        account.to_string(),
    )
    .ok()
}

/// The `otpauth://totp/…` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    totp(secret, account)
        .map(|t| t.get_url())
        .unwrap_or_default()
}

/// The 30-second step of `at`.
pub fn step_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECS)
}

/// The code of `step` (what an authenticator app shows then).
pub fn code_at_step(secret: &str, step: i64) -> Option<String> {
    totp(secret, "").map(|t| t.generate((step * STEP_SECS) as u64))
}

/// The step (now −1, now or now +1) whose code `code` is, if any; compared in constant time.
pub fn matching_step(secret: &str, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret, "")?;
    let now_step = step_of(now);
    let mut found = None;
    for step in [now_step - 1, now_step, now_step + 1] {
        let want = t.generate((step * STEP_SECS) as u64);
        if constant_time_eq::constant_time_eq(want.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Ten fresh recovery codes: 16 base32 characters each (80 random bits), shown as
/// `XXXX-XXXX-XXXX-XXXX`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let Secret::Encoded(s) = Secret::Raw(bytes.to_vec()).to_encoded() else {
                unreachable!("to_encoded gives an encoded secret")
            };
            s.as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).expect("base32 is ASCII"))
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A recovery code as typed (any case, with or without dashes and spaces) in its canonical form.
pub fn normalize_recovery_code(code: &str) -> String {
    let raw: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 Appendix B, SHA-1, T = 59 s → 94287082 (8 digits); the last six are ours.
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        assert_eq!(code_at_step(&secret, 1).unwrap(), "287082");
        let t = Utc.timestamp_opt(59, 0).unwrap();
        assert_eq!(matching_step(&secret, "287082", t), Some(1));
        // ±1 step is accepted, two steps away is not.
        assert_eq!(
            matching_step(&secret, "287082", t + Duration::seconds(30)),
            Some(1)
        );
        assert_eq!(
            matching_step(&secret, "287082", t + Duration::seconds(61)),
            None
        );
        assert_eq!(matching_step(&secret, "28708", t), None);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_normalize() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut d = codes.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 10);
        let c = &codes[0];
        assert_eq!(c.len(), 19);
        assert_eq!(
            normalize_recovery_code(&c.to_lowercase().replace('-', " ")),
            *c
        );
    }
}
