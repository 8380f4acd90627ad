//! The state every request handler and background job shares, built once at start-up.
//!
//! It lives apart from `startup` (which registers the routes and runs the server) so that the
//! handlers, `auth`, `jobs`, `reminders` and `demo` depend on this state and never on the
//! bootstrap that wires them together: the arrows point one way, from `startup` down.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::auth::password::PasswordService;
use crate::auth::throttle::IpLimiter;
use crate::auth::tokens::JwtKeys;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, DbConn, DbPool};
use crate::mail::templates::Reason;
use crate::notify;
use crate::telemetry::Metrics;

/// The portal's public address (`server.public_url`), the base of every link in an email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    pub fn new(url: impl Into<String>) -> Self {
        PublicUrl(url.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Queues emails that link into the portal: what a handler or job needs to tell someone about a
/// change, without reaching into the settings.
#[derive(Debug, Clone)]
pub struct Notifier {
    public_url: PublicUrl,
}

impl Notifier {
    pub fn new(public_url: PublicUrl) -> Self {
        Notifier { public_url }
    }

    pub fn public_url(&self) -> &str {
        self.public_url.as_str()
    }

    /// Queues `reason` with a link to `path` (e.g. `/access-grants/<id>`) to every address,
    /// inside the caller's transaction.
    pub fn send(
        &self,
        conn: &mut DbConn,
        now: DateTime<Utc>,
        to: &[String],
        reason: Reason,
        path: &str,
    ) -> QueryResult<()> {
        notify::send(conn, now, self.public_url(), to, reason, path)
    }
}

/// Everything a handler may need; shared by all workers.
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    pub keys: JwtKeys,
    /// Seals TOTP seeds at rest (`auth::sealed`).
    pub sealer: crate::auth::sealed::Sealer,
    pub passwords: PasswordService,
    pub ip_limiter: Arc<IpLimiter>,
    pub metrics: Arc<Metrics>,
    pub notifier: Arc<Notifier>,
    /// The WebAuthn relying party of `server.public_url`; None when its host is an IP address
    /// (passkeys are then unavailable).
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
    /// The single sign-on providers of `auth.oidc` (discovered lazily, see `auth::oidc`).
    pub oidc: Arc<crate::auth::oidc::OidcProviders>,
    /// Recent list answers (`api::page_cache`).
    pub pages: crate::api::page_cache::PageCache,
}

fn relying_party(public_url: &str) -> Option<Arc<webauthn_rs::Webauthn>> {
    let rp = crate::api::webauthn::relying_party(public_url).map(Arc::new);
    if rp.is_none() {
        tracing::warn!(
            public_url,
            "passkeys are unavailable: server.public_url must name a host, not an IP address"
        );
    }
    rp
}

/// Builds the shared state: pool (running migrations), keys, services.
pub fn build_state(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let pool = db::connect(
        &settings.database.url,
        settings.database.pool_size,
        (&settings.database).into(),
    )?;
    {
        // Start-up may wait longer for its first connection than a request does.
        let mut conn = pool
            .get_timeout(std::time::Duration::from_secs(10))
            .context("connecting to database.url")?;
        db::run_migrations(&mut conn)?;
    }
    let keys = JwtKeys::load(&settings)?;
    let sealer = crate::auth::sealed::Sealer::load(&settings)?;
    {
        let mut conn = pool
            .get_timeout(std::time::Duration::from_secs(10))
            .context("connecting to database.url")?;
        let n = crate::store::mfa::reseal_legacy_totp(&mut conn, &sealer)?;
        if n > 0 {
            tracing::info!(
                count = n,
                "sealed authenticator-app secrets stored before sealing"
            );
        }
    }
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    Ok(AppState {
        pool,
        keys,
        sealer,
        passwords: PasswordService::new(cpus.max(2)),
        ip_limiter: IpLimiter::per_minute(settings.auth.ip_requests_per_minute),
        metrics: Arc::new(Metrics::default()),
        notifier: Arc::new(Notifier::new(PublicUrl::new(
            settings.server.public_url.clone(),
        ))),
        webauthn: relying_party(&settings.server.public_url),
        oidc: Arc::new(crate::auth::oidc::OidcProviders::new(&settings.auth.oidc)?),
        pages: crate::api::page_cache::PageCache::new(settings.server.page_cache_kib * 1024),
        settings: Arc::new(settings),
        clock,
    })
}
