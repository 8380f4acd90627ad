//! Passwords (NIST SP 800-63B, OWASP ASVS 5.0 L2): argon2id with m = 19456 KiB, t = 2, p = 1,
//! hashed on a blocking thread with a cap on concurrent hashes (each costs ~19 MiB), 15 to 128
//! characters, no composition rules, refused when common or when it contains the email or the
//! organization name. Common passwords are judged by `zxcvbn` (dictionaries of leaked
//! passwords, names and words), not a list of our own.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult, FieldError};

pub const MIN_LEN: usize = 15;
pub const MAX_LEN: usize = 128;

fn argon() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19_456, 2, 1, None).expect("argon2 params"),
    )
}

/// Checks a new password against the policy; the error names the field.
pub fn check_policy(
    field: &str,
    password: &str,
    email: &str,
    org_name: Option<&str>,
) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(FieldError::new(
            field,
            format!(
                "must be at least {MIN_LEN} characters (a passphrase of several words works well)"
            ),
        ));
    }
    if len > MAX_LEN {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_LEN} characters"),
        ));
    }
    let lower = password.to_lowercase();
    let email_l = email.trim().to_lowercase();
    let local = email_l.split('@').next().unwrap_or("");
    if !email_l.is_empty()
        && (lower.contains(&email_l) || (local.len() >= 4 && lower.contains(local)))
    {
        return Err(FieldError::new(
            field,
            "must not contain your email address",
        ));
    }
    if let Some(org) = org_name {
        let org_l = org.trim().to_lowercase();
        if org_l.len() >= 4 && lower.contains(&org_l) {
            return Err(FieldError::new(
                field,
                "must not contain your organization's name",
            ));
        }
    }
    let mut inputs = vec![email_l.as_str(), local];
    let org_l = org_name.map(|o| o.to_lowercase());
    if let Some(o) = org_l.as_deref() {
        inputs.push(o);
    }
    let entropy = zxcvbn::zxcvbn(password, &inputs);
    if (entropy.score() as u8) < 3 {
        return Err(FieldError::new(
            field,
            "is too common or easy to guess; choose a longer, less predictable passphrase",
        ));
    }
    Ok(())
}

/// Hashes and verifies on blocking threads, at most `permits` at a time.
#[derive(Clone)]
pub struct PasswordService {
    permits: Arc<Semaphore>,
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon()
            .hash_password(b"dummy password for timing equality", &salt)
            .expect("hash")
            .to_string()
    })
}

impl PasswordService {
    pub fn new(max_concurrent: usize) -> Self {
        // Make the dummy hash now so the first unknown-account login costs the same as later ones.
        let _ = dummy_hash();
        PasswordService {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
        }
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await
        .map_err(AppError::internal)?
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
    }

    /// Verifies against `stored`, or against a dummy hash when there is no account (or no
    /// password yet), so unknown accounts cost the same time as wrong passwords.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let real = stored.is_some();
            let hash_str = stored.unwrap_or_else(|| dummy_hash().to_string());
            let ok = match PasswordHash::new(&hash_str) {
                Ok(parsed) => argon()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
                Err(_) => false,
            };
            ok && real
        })
        .await
        .map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_long_common_and_personal() {
        assert!(check_policy("password", "short", "a@b.example", None).is_err());
        assert!(check_policy("password", &"x".repeat(129), "a@b.example", None).is_err());
        assert!(check_policy("password", "passwordpassword", "a@b.example", None).is_err());
        assert!(check_policy(
            "password",
            "aliceinwonderland-rides",
            "alice@x.example",
            None
        )
        .is_err());
        assert!(check_policy(
            "password",
            "zebra aurora labs quietly",
            "bob@x.example",
            Some("Aurora Labs")
        )
        .is_err());
        assert!(check_policy(
            "password",
            "maple-orbit-canyon-fiddle-42",
            "bob@x.example",
            Some("Aurora")
        )
        .is_ok());
    }
}
