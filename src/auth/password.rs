//! Passwords (NIST SP 800-63B, OWASP ASVS 5.0 L2): argon2id with m = 19456 KiB, t = 2, p = 1,
//! hashed on a pool of its own (one idle-priority thread per core, each hash ~19 MiB), 15 to 128
//! characters, no composition rules, refused when common or when it contains the email or the
//! organization name. Common passwords are judged by `zxcvbn` (dictionaries of leaked
//! passwords, names and words), not a list of our own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

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

/// Hashes and verifies on a pool of its own, so a storm of sign-ins queues behind its own
/// threads and never takes the blocking threads that database reads run on. One thread per
/// core, at the lowest scheduling priority (`SCHED_IDLE` on Linux): when reads and sign-ins
/// compete for a core the reads get it, when nobody reads the sign-ins use every core. The pool size
/// also caps the memory argon2 uses at once (~19 MiB per hash). Threads end when the last
/// clone of the service is dropped.
#[derive(Clone)]
pub struct PasswordService {
    jobs: std::sync::mpsc::Sender<Job>,
    /// argon2 verifications run, real or against the dummy hash (see [`Self::verifications`]).
    verified: Arc<AtomicU64>,
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs the calling thread only when no other thread wants the core (Linux `SCHED_IDLE`,
/// per thread): a read never waits behind a hash, and with nothing to read the hashes still use
/// every core. Where that policy is refused, 10 nice steps lower. Elsewhere a no-op.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain syscalls on the calling thread; a failure only leaves the priority as is.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::pid_t;
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(tid, libc::SCHED_IDLE, &param) != 0 {
            let tid = tid as libc::id_t;
            let now = libc::getpriority(libc::PRIO_PROCESS, tid);
            libc::setpriority(libc::PRIO_PROCESS, tid, (now + 10).min(19));
        }
    }
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
    /// A pool of `threads` hashing threads (at least one).
    pub fn new(threads: usize) -> Self {
        // Make the dummy hash now so the first unknown-account login costs the same as later ones.
        let _ = dummy_hash();
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // The lock is held only while taking a job, never while hashing.
                        let next = queue.lock().map(|q| q.recv());
                        match next {
                            Ok(Ok(job)) => job(),
                            _ => break,
                        }
                    }
                })
                .expect("spawning a password hashing thread");
        }
        PasswordService {
            jobs,
            verified: Arc::default(),
        }
    }

    /// How many argon2 verifications this service has run: one per sign-in attempt that got
    /// past the limits, whether or not the account exists (what keeps them alike in time).
    pub fn verifications(&self) -> u64 {
        self.verified.load(Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = tx.send(work());
            }))
            .map_err(|_| AppError::internal(anyhow::anyhow!("password pool stopped")))?;
        rx.await
            .map_err(|_| AppError::internal(anyhow::anyhow!("password hashing thread failed")))
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
    }

    /// Verifies against `stored`, or against a dummy hash when there is no account (or no
    /// password yet), so unknown accounts cost the same time as wrong passwords.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let verified = self.verified.clone();
        self.run(move || {
            let real = stored.is_some();
            let hash_str = stored.unwrap_or_else(|| dummy_hash().to_string());
            let ok = match PasswordHash::new(&hash_str) {
                Ok(parsed) => argon()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
                Err(_) => false,
            };
            verified.fetch_add(1, Ordering::Relaxed);
            ok && real
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_on_its_own_lower_priority_threads() {
        let service = PasswordService::new(2);
        let hash = service
            .hash("maple-orbit-canyon-fiddle-42".into())
            .await
            .unwrap();
        assert!(service
            .verify("maple-orbit-canyon-fiddle-42".into(), Some(hash.clone()))
            .await
            .unwrap());
        assert!(!service.verify("wrong".into(), Some(hash)).await.unwrap());
        let name = service
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.unwrap_or_default().starts_with("argon2-"));
        #[cfg(target_os = "linux")]
        {
            // SAFETY: reads the calling thread's own scheduling policy.
            let policy = || unsafe { libc::sched_getscheduler(0) };
            assert_eq!(policy(), libc::SCHED_OTHER, "the test's own thread");
            assert_eq!(
                service.run(policy).await.unwrap(),
                libc::SCHED_IDLE,
                "hashing threads run only when no reader wants the core"
            );
        }
    }

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
