//! Configuration: `config/default.toml` ← `config/$PORTAL_ENV.toml` ← `PORTAL__SECTION__KEY`.
//!
//! Secrets are only taken from the environment or from a file named in the configuration, never
//! from the TOML files themselves (a secret found there stops start-up). Every value is checked
//! here so that a wrong one stops start-up with a message naming its key.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub auth: AuthSettings,
    pub jobs: JobSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub static_dir: PathBuf,
    #[serde(default)]
    pub trusted_proxies: Vec<IpAddr>,
    /// KiB of recent list answers kept per instance (`api::page_cache`); 0 keeps none.
    #[serde(default = "default_page_cache_kib")]
    pub page_cache_kib: usize,
}

fn default_page_cache_kib() -> usize {
    1024
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    /// Longest wait for a pooled connection (and, rounded up to libpq's 2 s minimum, for a new
    /// PostgreSQL connection) before a request answers 503.
    pub acquire_timeout_ms: u64,
    /// PostgreSQL `statement_timeout` (SQLite: `busy_timeout`) of every pooled connection.
    pub statement_timeout_ms: u64,
    /// The most one unit of a request's database work may take, from asking for a connection
    /// to the commit; past it the request answers 503 (see `db::run`).
    pub request_deadline_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    pub transport: String,
    pub dir: PathBuf,
    pub from: String,
    pub smtp_url: String,
    #[serde(default)]
    pub smtp_username: String,
    #[serde(default)]
    pub smtp_password_file: String,
    /// Only from `PORTAL__MAIL__SMTP_PASSWORD` or `smtp_password_file`.
    #[serde(default)]
    pub smtp_password: Option<Secret>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    #[serde(default)]
    pub jwt_key_file: String,
    /// Only from `PORTAL__AUTH__JWT_KEY`.
    #[serde(default)]
    pub jwt_key: Option<Secret>,
    /// The key that seals TOTP seeds at rest (`auth::sealed`); empty = generated once into
    /// data_dir. Changing it voids every authenticator app (passkeys and passwords stay).
    #[serde(default)]
    pub mfa_key_file: String,
    /// Only from `PORTAL__AUTH__MFA_KEY`.
    #[serde(default)]
    pub mfa_key: Option<Secret>,
    pub ip_requests_per_minute: u32,
    /// Organization kinds whose users must sign in with a second factor (DESIGN §7).
    #[serde(default = "default_mfa_required_kinds")]
    pub mfa_required_kinds: Vec<crate::domain::policy::OrgKind>,
    /// OpenID Connect providers for single sign-on, by name (`auth.oidc.<name>`; the name is
    /// part of the sign-in routes). None by default.
    #[serde(default)]
    pub oidc: std::collections::BTreeMap<String, OidcProviderSettings>,
}

/// One OpenID Connect provider (DESIGN §7, single sign-on). The portal is a confidential
/// client using the authorization code flow with PKCE; register its redirect URI at the
/// provider as `<server.public_url>/api/v1/auth/oidc/<name>/callback`.
#[derive(Debug, Clone, Deserialize)]
pub struct OidcProviderSettings {
    /// The issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Only from `PORTAL__AUTH__OIDC__<NAME>__CLIENT_SECRET` or `client_secret_file`.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    #[serde(default)]
    pub client_secret_file: String,
    /// The button text's provider name: "Sign in with <display_name>".
    pub display_name: String,
    /// Scopes asked for besides `openid` (default `email`, which carries the address and
    /// whether the provider verified it).
    #[serde(default = "default_oidc_scopes")]
    pub scopes: Vec<String>,
}

fn default_oidc_scopes() -> Vec<String> {
    vec!["email".into()]
}

fn default_mfa_required_kinds() -> Vec<crate::domain::policy::OrgKind> {
    use crate::domain::policy::OrgKind;
    vec![OrgKind::Agency, OrgKind::Operator]
}

#[derive(Debug, Clone, Deserialize)]
pub struct JobSettings {
    pub poll_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub format: String,
    pub level: String,
}

/// A secret string whose `Debug` never prints the value.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

const SECRET_KEYS: [(&str, &str); 3] = [
    ("auth", "jwt_key"),
    ("auth", "mfa_key"),
    ("mail", "smtp_password"),
];

impl Settings {
    /// Loads the layered configuration from `config_dir` (normally `./config`).
    pub fn load(config_dir: &Path) -> anyhow::Result<Settings> {
        let env_name = std::env::var("PORTAL_ENV").unwrap_or_else(|_| "development".into());
        let default_file = config_dir.join("default.toml");
        let files = config::Config::builder()
            .add_source(config::File::from(default_file.clone()).required(false))
            .add_source(
                config::File::from(config_dir.join(format!("{env_name}.toml"))).required(false),
            )
            .build()
            .context("reading configuration files")?;
        if let Ok(providers) = files.get_table("auth.oidc") {
            for (name, v) in providers {
                let has_secret = v
                    .into_table()
                    .is_ok_and(|t| t.contains_key("client_secret"));
                if has_secret {
                    bail!(
                        "configuration key auth.oidc.{name}.client_secret is a secret and may not be set in a file under {}; \
                         set PORTAL__AUTH__OIDC__{}__CLIENT_SECRET or auth.oidc.{name}.client_secret_file instead",
                        config_dir.display(),
                        name.to_uppercase()
                    );
                }
            }
        }
        for (section, key) in SECRET_KEYS {
            if files.get_string(&format!("{section}.{key}")).is_ok() {
                bail!(
                    "configuration key {section}.{key} is a secret and may not be set in a file under {}; \
                     set PORTAL__{}__{} or {section}.{key}_file instead",
                    config_dir.display(),
                    section.to_uppercase(),
                    key.to_uppercase()
                );
            }
        }
        let builder = config::Config::builder()
            .add_source(config::File::from_str(
                include_str!("../config/default.toml"),
                config::FileFormat::Toml,
            ))
            .add_source(files)
            .add_source(
                config::Environment::with_prefix("PORTAL")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("server.trusted_proxies")
                    .try_parsing(true),
            );
        let settings: Settings = builder
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        settings.validated()
    }

    /// Checks every value and resolves file-held secrets.
    pub fn validated(mut self) -> anyhow::Result<Settings> {
        let url = url_parts(&self.server.public_url).with_context(|| {
            format!(
                "server.public_url must be an http(s) URL, got {:?}",
                self.server.public_url
            )
        })?;
        let _ = url;
        if self.server.public_url.ends_with('/') {
            self.server.public_url.pop();
        }
        if self.database.url.trim().is_empty() {
            bail!("database.url must be a postgres:// URL or a SQLite file path");
        }
        if self.database.pool_size == 0 {
            bail!("database.pool_size must be at least 1");
        }
        let d = &self.database;
        if d.acquire_timeout_ms == 0 || d.statement_timeout_ms == 0 || d.request_deadline_ms == 0 {
            bail!("database.acquire_timeout_ms, statement_timeout_ms and request_deadline_ms must be at least 1");
        }
        if d.acquire_timeout_ms > d.request_deadline_ms
            || d.statement_timeout_ms > d.request_deadline_ms
        {
            bail!("database.acquire_timeout_ms and database.statement_timeout_ms may not exceed database.request_deadline_ms");
        }
        match self.mail.transport.as_str() {
            "file" => {}
            "smtp" => {
                if !(self.mail.smtp_url.starts_with("smtp://")
                    || self.mail.smtp_url.starts_with("smtps://"))
                {
                    bail!("mail.smtp_url must be an smtp:// or smtps:// URL when mail.transport = \"smtp\"");
                }
            }
            other => bail!("mail.transport must be \"file\" or \"smtp\", got {other:?}"),
        }
        if !self.mail.from.contains('@') {
            bail!(
                "mail.from must be an email address, got {:?}",
                self.mail.from
            );
        }
        if !self.mail.smtp_password_file.is_empty() {
            let pw = std::fs::read_to_string(&self.mail.smtp_password_file).with_context(|| {
                format!(
                    "reading mail.smtp_password_file {:?}",
                    self.mail.smtp_password_file
                )
            })?;
            self.mail.smtp_password = Some(Secret(pw.trim_end().to_string()));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            bail!(
                "log.format must be \"text\" or \"json\", got {:?}",
                self.log.format
            );
        }
        if self.auth.ip_requests_per_minute == 0 {
            bail!("auth.ip_requests_per_minute must be at least 1");
        }
        if self.jobs.poll_interval_ms == 0 {
            bail!("jobs.poll_interval_ms must be at least 1");
        }
        for (name, p) in self.auth.oidc.iter_mut() {
            let key = format!("auth.oidc.{name}");
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                bail!("{key}: a provider's name may hold only a-z, 0-9, '-' and '_' (it is part of a URL)");
            }
            if url_parts(&p.issuer).is_none() {
                bail!("{key}.issuer must be an http(s) URL, got {:?}", p.issuer);
            }
            if p.client_id.trim().is_empty() {
                bail!("{key}.client_id must not be empty");
            }
            if p.display_name.trim().is_empty() {
                bail!("{key}.display_name must not be empty (it is the button text)");
            }
            if !p.client_secret_file.is_empty() {
                let s = std::fs::read_to_string(&p.client_secret_file).with_context(|| {
                    format!(
                        "reading {key}.client_secret_file {:?}",
                        p.client_secret_file
                    )
                })?;
                p.client_secret = Some(Secret(s.trim_end().to_string()));
            }
            if p.client_secret
                .as_ref()
                .is_none_or(|s| s.expose().is_empty())
            {
                bail!(
                    "{key} needs a client secret: set PORTAL__AUTH__OIDC__{}__CLIENT_SECRET or {key}.client_secret_file",
                    name.to_uppercase()
                );
            }
        }
        if let Some(k) = &self.auth.jwt_key {
            if k.expose().len() < 32 {
                bail!("PORTAL__AUTH__JWT_KEY must be at least 32 bytes (256 bits)");
            }
        }
        if let Some(k) = &self.auth.mfa_key {
            if k.expose().len() < 32 {
                bail!("PORTAL__AUTH__MFA_KEY must be at least 32 bytes (256 bits)");
            }
        }
        Ok(self)
    }

    /// True when the portal is reached over TLS: cookies get `Secure` and the `__Host-` prefix,
    /// responses get HSTS.
    pub fn is_https(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    /// Whether the configured database is PostgreSQL (else SQLite).
    pub fn is_postgres(&self) -> bool {
        crate::db::is_postgres_url(&self.database.url)
    }
}

fn url_parts(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    if !(scheme == "http" || scheme == "https") || rest.is_empty() {
        return None;
    }
    Some((scheme, rest))
}
