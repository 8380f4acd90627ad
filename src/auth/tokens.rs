//! JWTs: one pinned algorithm (HS256), a key of at least 256 bits, required `exp`, `iss`, `aud`
//! and `sub`, and a distinct audience per kind of token so that one kind can never be replayed
//! as another. Every JWT names a database row (session, API token, email link) that can be
//! revoked at once; the signature only saves a lookup for forged tokens.
//!
//! Expiry is checked against the injected clock (not the system time) so tests can move time.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::Settings;

pub const ISSUER: &str = "frontier-portal";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Session,
    Api,
    EmailLink,
    /// The pending cookie between a correct password and the second factor (its `sub` is the
    /// user id; it lives five minutes and only lets a code be entered).
    MfaPending,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Session => "frontier-portal/session",
            Audience::Api => "frontier-portal/api",
            Audience::EmailLink => "frontier-portal/email-link",
            Audience::MfaPending => "frontier-portal/mfa-pending",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The id of the row this token names (session, API token or email link).
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
    /// A key of its own, derived from the signing key, for the keyed hash of recovery codes.
    code_key: [u8; 32],
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> Self {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
        mac.update(b"frontier-portal/recovery-codes");
        JwtKeys {
            enc: EncodingKey::from_secret(secret),
            dec: DecodingKey::from_secret(secret),
            code_key: mac.finalize().into_bytes().into(),
        }
    }

    /// The key from `PORTAL__AUTH__JWT_KEY`, else `auth.jwt_key_file`, else a key generated once
    /// into `{data_dir}/jwt.key` with mode 0600.
    pub fn load(settings: &Settings) -> anyhow::Result<Self> {
        let key = load_key(
            settings.auth.jwt_key.as_ref(),
            &settings.auth.jwt_key_file,
            &settings.server.data_dir.join("jwt.key"),
            "auth.jwt_key_file",
        )?;
        Ok(Self::from_secret(&key))
    }

    /// HMAC-SHA256 of a recovery code (hex). A fast keyed hash, not argon2: the codes carry
    /// 80 random bits, so no stretching is needed, and a sign-in finds its code by one indexed
    /// lookup instead of ten argon2 checks; the key keeps a stolen table from being checked
    /// offline.
    pub fn code_hash(&self, code: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&self.code_key).expect("32 bytes");
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn issue(
        &self,
        aud: Audience,
        sub: &str,
        now: DateTime<Utc>,
        exp: DateTime<Utc>,
    ) -> String {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: aud.as_str().into(),
            sub: sub.into(),
            iat: now.timestamp(),
            exp: exp.timestamp(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.enc).expect("jwt encode")
    }

    /// Returns the `sub` of a valid token of audience `aud`, unexpired at `now`.
    pub fn verify(&self, token: &str, aud: Audience, now: DateTime<Utc>) -> Option<String> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_audience(&[aud.as_str()]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.validate_exp = false; // checked below against the injected clock
        v.leeway = 0;
        let data = decode::<Claims>(token, &self.dec, &v).ok()?;
        if data.claims.exp <= now.timestamp() {
            return None;
        }
        Some(data.claims.sub)
    }
}

/// A server key of at least 256 bits: the environment's value if set, else the configured
/// file, else (when no file is configured) one generated once into `generated` with mode 0600,
/// which every later start (and every instance sharing the data directory) reads back.
pub fn load_key(
    from_env: Option<&crate::config::Secret>,
    file: &str,
    generated: &Path,
    setting: &str,
) -> anyhow::Result<Vec<u8>> {
    if let Some(k) = from_env {
        return Ok(k.expose().as_bytes().to_vec());
    }
    let path = if file.is_empty() {
        generated.to_path_buf()
    } else {
        Path::new(file).to_path_buf()
    };
    if !path.exists() && file.is_empty() {
        generate_key_file(&path)?;
    }
    let key =
        std::fs::read(&path).with_context(|| format!("reading {setting} {}", path.display()))?;
    let key: Vec<u8> = String::from_utf8_lossy(&key).trim().as_bytes().to_vec();
    if key.len() < 32 {
        anyhow::bail!(
            "{setting} {} must hold at least 32 bytes (256 bits)",
            path.display()
        );
    }
    Ok(key)
}

fn generate_key_file(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let encoded = hex::encode(bytes);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(mut f) => {
            f.write_all(encoded.as_bytes())?;
            tracing::info!(path = %path.display(), "generated a new server key");
            Ok(())
        }
        // Another instance made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

/// A random opaque id for rows named by tokens (128 bits of entropy beyond the UUID v7 clock bits
/// is not needed: the JWT signature is what makes a token unforgeable).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn audience_and_expiry_are_enforced() {
        let keys = JwtKeys::from_secret(&[7u8; 32]);
        let now = Utc::now();
        let t = keys.issue(Audience::Session, "s1", now, now + Duration::minutes(5));
        assert_eq!(
            keys.verify(&t, Audience::Session, now).as_deref(),
            Some("s1")
        );
        assert_eq!(keys.verify(&t, Audience::Api, now), None);
        assert_eq!(
            keys.verify(&t, Audience::Session, now + Duration::minutes(6)),
            None
        );
        let other = JwtKeys::from_secret(&[8u8; 32]);
        assert_eq!(other.verify(&t, Audience::Session, now), None);
    }
}
