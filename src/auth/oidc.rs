//! The portal as an OpenID Connect relying party (the `openidconnect` crate): discovery, the
//! authorization URL (code flow, PKCE S256, `state`, `nonce`) and the callback's checks (code
//! exchange with the PKCE verifier; ID token signature, issuer, audience, expiry and nonce;
//! userinfo when the ID token does not carry the email).
//!
//! Discovery runs lazily on the first sign-in attempt and is cached for [`DISCOVERY_TTL`]; a
//! provider that cannot be reached never stops the server: its button answers
//! `provider_unavailable` until it can be reached again.
//!
//! The client secret is held in `ClientSecret` (whose `Debug` prints nothing) and is never
//! written to a log line or an error.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdTokenClaims, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use tokio::sync::Mutex;

use crate::config::OidcProviderSettings;
use crate::domain::sso::SsoRefusal;

/// How long discovered metadata (endpoints, signing keys) is reused before it is read again.
pub const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
/// After a failed discovery, how long the button answers `provider_unavailable` at once
/// instead of waiting on the provider again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(15);
/// The longest one request to a provider may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The configured providers, by name.
pub struct OidcProviders {
    providers: BTreeMap<String, Arc<OidcProvider>>,
}

enum Discovery {
    None,
    Found(Instant, Box<CoreProviderMetadata>),
    Failed(Instant),
}

pub struct OidcProvider {
    pub name: String,
    pub display_name: String,
    settings: OidcProviderSettings,
    http: oidc_http::Client,
    discovery: Mutex<Discovery>,
}

/// The start of an attempt: where to send the browser, and what the callback must check.
pub struct Begun {
    pub authorize_url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who the provider says signed in, after every check passed.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// RFC 8176 authentication method references, as the ID token gave them.
    pub amr: Vec<String>,
}

/// The HTTP client for provider requests: reqwest 0.13 on rustls (aws-lc-rs, the platform's
/// trust store), no redirects (following them opens the door to SSRF), a time limit.
fn http_client() -> anyhow::Result<oidc_http::Client> {
    Ok(oidc_http::Client::builder()
        .redirect(oidc_http::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()?)
}

/// The error of one provider request (the address and the transport's reason, nothing sent).
#[derive(Debug, thiserror::Error)]
#[error("request to the provider failed: {0}")]
pub struct HttpError(#[from] oidc_http::Error);

/// One request to the provider, in the shape `openidconnect` asks of an HTTP client.
async fn send(
    http: &oidc_http::Client,
    req: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    let (parts, body) = req.into_parts();
    let answer = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut out = openidconnect::http::Response::builder().status(answer.status());
    for (k, v) in answer.headers() {
        out = out.header(k, v);
    }
    let body = answer.bytes().await?.to_vec();
    Ok(out
        .body(body)
        .expect("status and headers came from a response"))
}

impl OidcProviders {
    pub fn new(settings: &BTreeMap<String, OidcProviderSettings>) -> anyhow::Result<Self> {
        let mut providers = BTreeMap::new();
        if settings.is_empty() {
            return Ok(OidcProviders { providers });
        }
        let http = http_client()?;
        for (name, s) in settings {
            providers.insert(
                name.clone(),
                Arc::new(OidcProvider {
                    name: name.clone(),
                    display_name: s.display_name.clone(),
                    settings: s.clone(),
                    http: http.clone(),
                    discovery: Mutex::new(Discovery::None),
                }),
            );
        }
        Ok(OidcProviders { providers })
    }

    pub fn get(&self, name: &str) -> Option<Arc<OidcProvider>> {
        self.providers.get(name).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<OidcProvider>> {
        self.providers.values()
    }
}

impl OidcProvider {
    async fn metadata(&self) -> Result<CoreProviderMetadata, SsoRefusal> {
        let mut d = self.discovery.lock().await;
        match &*d {
            Discovery::Found(at, m) if at.elapsed() < DISCOVERY_TTL => return Ok((**m).clone()),
            Discovery::Failed(at) if at.elapsed() < RETRY_AFTER_FAILURE => {
                return Err(SsoRefusal::ProviderUnavailable)
            }
            _ => {}
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| {
            tracing::error!(provider = %self.name, error = %e, "SSO issuer URL is invalid");
            SsoRefusal::ProviderUnavailable
        })?;
        let http = |r| send(&self.http, r);
        match CoreProviderMetadata::discover_async(issuer, &http).await {
            Ok(m) => {
                *d = Discovery::Found(Instant::now(), Box::new(m.clone()));
                Ok(m)
            }
            Err(e) => {
                tracing::warn!(provider = %self.name, error = %e, "SSO provider discovery failed");
                *d = Discovery::Failed(Instant::now());
                Err(SsoRefusal::ProviderUnavailable)
            }
        }
    }

    async fn client(&self, redirect_uri: &str) -> Result<Client, SsoRefusal> {
        let meta = self.metadata().await?;
        let secret = self
            .settings
            .client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose().to_string()));
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(|e| {
            tracing::error!(provider = %self.name, error = %e, "SSO redirect URI is invalid");
            SsoRefusal::ProviderUnavailable
        })?;
        Ok(CoreClient::from_provider_metadata(
            meta,
            ClientId::new(self.settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect))
    }

    /// A new attempt: the provider's authorization URL with fresh `state`, `nonce` and PKCE.
    pub async fn begin(&self, redirect_uri: &str) -> Result<Begun, SsoRefusal> {
        let client = self.client(redirect_uri).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for s in &self.settings.scopes {
            if s != "openid" {
                req = req.add_scope(Scope::new(s.clone()));
            }
        }
        let (url, state, nonce) = req.set_pkce_challenge(challenge).url();
        Ok(Begun {
            authorize_url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// The callback's checks: exchanges `code` with the PKCE verifier, verifies the ID token
    /// (signature with the provider's published keys, `iss`, `aud`, `exp`, and the attempt's
    /// `nonce`) and, when the ID token has no email, reads it from userinfo (whose `sub` must
    /// be the ID token's).
    ///
    /// The ID token's times are checked against the system clock: the provider issued them
    /// on its wall clock, not on the portal's injectable one.
    pub async fn complete(
        &self,
        redirect_uri: &str,
        code: String,
        pkce_verifier: String,
        nonce: String,
    ) -> Result<Identity, SsoRefusal> {
        let client = self.client(redirect_uri).await?;
        let http = |r| send(&self.http, r);
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| {
                tracing::error!(provider = %self.name, error = %e, "SSO provider has no token endpoint");
                SsoRefusal::ProviderUnavailable
            })?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&http)
            .await
            .map_err(|e| {
                // The error names the provider's answer (e.g. invalid_grant), never our secret.
                tracing::warn!(provider = %self.name, error = %e, "SSO code exchange failed");
                match e {
                    openidconnect::RequestTokenError::ServerResponse(_) => SsoRefusal::TokenInvalid,
                    _ => SsoRefusal::ProviderUnavailable,
                }
            })?;
        let id_token = token.extra_fields().id_token().ok_or_else(|| {
            tracing::warn!(provider = %self.name, "SSO token answer has no ID token");
            SsoRefusal::TokenInvalid
        })?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce))
            .map_err(|e| {
                tracing::warn!(provider = %self.name, error = %e, "SSO ID token refused");
                SsoRefusal::TokenInvalid
            })?
            .clone();
        let mut identity = identity_of(&claims);
        if identity.email.is_none() {
            let info: CoreUserInfoClaims = client
                .user_info(token.access_token().clone(), Some(claims.subject().clone()))
                .map_err(|_| SsoRefusal::EmailNotVerified)?
                .request_async(&http)
                .await
                .map_err(|e| {
                    tracing::warn!(provider = %self.name, error = %e, "SSO userinfo failed");
                    SsoRefusal::TokenInvalid
                })?;
            identity.email = info.email().map(|e| e.as_str().to_string());
            identity.email_verified = info.email_verified() == Some(true);
            if identity.name.is_none() {
                identity.name = info
                    .name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_string());
            }
        }
        Ok(identity)
    }
}

fn identity_of<AC: AdditionalClaims>(c: &IdTokenClaims<AC, CoreGenderClaim>) -> Identity {
    Identity {
        subject: c.subject().as_str().to_string(),
        email: c.email().map(|e| e.as_str().to_string()),
        email_verified: c.email_verified() == Some(true),
        name: c
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string()),
        amr: c
            .auth_method_refs()
            .map(|v| v.iter().map(|a| a.as_str().to_string()).collect())
            .unwrap_or_default(),
    }
}
