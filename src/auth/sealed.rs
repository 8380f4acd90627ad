//! Secrets the portal must read back, sealed at rest: the TOTP seeds of authenticator apps
//! (NIST SP 800-63B §5.1.4.2: a verifier's stored OTP secrets are protected). A password is
//! hashed and a recovery code is a keyed hash, but a TOTP seed has to be used as it is, so it is
//! encrypted instead: AES-256-GCM under a key of its own (`auth.mfa_key`, not the JWT key, so
//! that rotating the session key does not void everyone's authenticator app), with a fresh
//! 96-bit nonce per seal and the row it belongs to (`totp:<user id>`) as associated data, so a
//! sealed value copied onto another user's row does not open.
//!
//! Stored form: `v1:` + base64url(nonce ‖ ciphertext ‖ tag). A value without the prefix is a
//! seed written before sealing existed; [`Sealer::open`] still reads it and start-up reseals
//! every such row ([`crate::store::mfa::reseal_legacy_totp`]).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use crate::config::Settings;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(***)")
    }
}

/// What a sealed value belongs to, bound into its tag.
pub fn totp_context(user_id: &str) -> String {
    format!("totp:{user_id}")
}

impl Sealer {
    /// A sealer for any key of at least 256 bits: the AES key is HMAC-SHA256(key, purpose).
    pub fn from_key(key: &[u8]) -> Sealer {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
        mac.update(b"frontier-portal/sealed-secrets/v1");
        let derived: [u8; 32] = mac.finalize().into_bytes().into();
        Sealer {
            cipher: Aes256Gcm::new(&derived.into()),
        }
    }

    /// The key from `PORTAL__AUTH__MFA_KEY`, else `auth.mfa_key_file`, else one generated once
    /// into `{data_dir}/mfa.key` (mode 0600).
    pub fn load(settings: &Settings) -> anyhow::Result<Sealer> {
        let key = crate::auth::tokens::load_key(
            settings.auth.mfa_key.as_ref(),
            &settings.auth.mfa_key_file,
            &settings.server.data_dir.join("mfa.key"),
            "auth.mfa_key_file",
        )?;
        Ok(Sealer::from_key(&key))
    }

    pub fn seal(&self, context: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of a short value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// The plain value, or `None` when it does not open (another key, another row, altered).
    /// A legacy unsealed value is returned as it is.
    pub fn open(&self, context: &str, stored: &str) -> Option<String> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Some(stored.to_string());
        };
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let plain = self
            .cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }

    /// Whether a stored value is sealed (else it is a legacy plain seed).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_for_its_row_and_key() {
        let s = Sealer::from_key(&[7u8; 32]);
        let a = s.seal("totp:u1", "JBSWY3DPEHPK3PXP");
        assert!(Sealer::is_sealed(&a));
        assert!(!a.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(s.open("totp:u1", &a).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        // A fresh nonce each time: the same seed seals differently.
        assert_ne!(a, s.seal("totp:u1", "JBSWY3DPEHPK3PXP"));
        // Copied onto another user's row, or read with another key: does not open.
        assert_eq!(s.open("totp:u2", &a), None);
        assert_eq!(Sealer::from_key(&[8u8; 32]).open("totp:u1", &a), None);
        // Altered: does not open.
        let mut altered = a.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            s.open("totp:u1", &String::from_utf8(altered).unwrap()),
            None
        );
        assert_eq!(s.open("totp:u1", "v1:"), None);
        // A legacy plain seed still reads.
        assert_eq!(s.open("totp:u1", "PLAINSEED").as_deref(), Some("PLAINSEED"));
    }
}
