//! Logs (text or JSON, every line of a request carries its request id through the
//! `tracing-actix-web` span), response headers every answer gets, and Prometheus metrics of
//! requests and latency by route.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_subscriber::{fmt, EnvFilter};

use crate::state::AppState;

pub fn init_logging(format: &str, level: &str) {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// What a redacted secret reads as in a log line.
pub const REDACTED: &str = "[redacted]";

/// A request target (path and query) fit for a log line: link tokens never reach a log
/// (DESIGN §6). The path segment after `invitations` (`/api/v1/auth/invitations/{token}/accept`)
/// or `invite` (the web page `/invite/{token}`), and the value of every query parameter whose
/// name ends in `token` (`?token=`, `access_token=`), are replaced by [`REDACTED`].
pub fn redact_target(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut out = String::with_capacity(target.len());
    let mut after_marker = false;
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if after_marker && !seg.is_empty() {
            out.push_str(REDACTED);
        } else {
            out.push_str(seg);
        }
        after_marker =
            seg.eq_ignore_ascii_case("invitations") || seg.eq_ignore_ascii_case("invite");
    }
    if let Some(q) = query {
        out.push('?');
        for (i, pair) in q.split('&').enumerate() {
            if i > 0 {
                out.push('&');
            }
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            if key.to_ascii_lowercase().ends_with("token") && pair.contains('=') {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
            } else {
                out.push_str(pair);
            }
        }
    }
    out
}

/// The root span of every request (`tracing-actix-web`), with the fields of its default
/// builder except that `http.target` is [`redact_target`]ed: every line logged while serving a
/// request — including the event the middleware emits for an error answer — carries the span's
/// fields, so the raw target would put emailed tokens into the log.
pub struct RedactingRootSpan;

impl RootSpanBuilder for RedactingRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let target = redact_target(
            request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or(""),
        );
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_string());
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|r| r.to_string())
            .unwrap_or_default();
        let user_agent = request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_string();
        let client_ip = request
            .connection_info()
            .realip_remote_addr()
            .unwrap_or("")
            .to_string();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %target,
            http.client_ip = %client_ip,
            http.user_agent = %user_agent,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

pub const CSP: &str = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Latency histogram buckets in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    // (method, route, status) → series
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        let mut m = self.series.lock().expect("metrics lock");
        let s = m
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// Prometheus text exposition format.
    pub fn render(&self, extra: &[(&str, &str, f64)]) -> String {
        let m = self.series.lock().expect("metrics lock");
        let mut out = String::new();
        out.push_str(
            "# HELP portal_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE portal_http_requests_total counter\n");
        for ((method, route, status), s) in m.iter() {
            out.push_str(&format!(
                "portal_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}\n",
                s.count
            ));
        }
        out.push_str("# HELP portal_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.push_str("# TYPE portal_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Series> = BTreeMap::new();
        for ((method, route, _), s) in m.iter() {
            let agg = by_route
                .entry((method.as_str(), route.as_str()))
                .or_default();
            agg.count += s.count;
            agg.sum += s.sum;
            for i in 0..BUCKETS.len() {
                agg.buckets[i] += s.buckets[i];
            }
        }
        for ((method, route), s) in by_route {
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "portal_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{b}\"}} {}\n",
                    s.buckets[i]
                ));
            }
            out.push_str(&format!(
                "portal_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "portal_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {}\n",
                s.sum
            ));
            out.push_str(&format!(
                "portal_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {}\n",
                s.count
            ));
        }
        for (name, help, value) in extra {
            out.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
            ));
        }
        out
    }
}

/// Headers every answer gets, the request id, and the metrics observation.
pub async fn common_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().to_string();
    let path = req.path().to_string();
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|r| r.to_string());
    let mut res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    let status = res.status().as_u16();
    let h = res.headers_mut();
    let set = |h: &mut actix_web::http::header::HeaderMap, k: HeaderName, v: &str| {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    };
    if let Some(id) = &request_id {
        set(h, HeaderName::from_static("x-request-id"), id);
    }
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" || path == "/metrics" {
        set(h, header::CACHE_CONTROL, "no-store");
    } else if path.starts_with("/assets/") && status == 200 {
        set(
            h,
            header::CACHE_CONTROL,
            "public, max-age=31536000, immutable",
        );
    } else if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-cache");
    }
    if let Some(state) = &state {
        if state.settings.is_https() {
            set(
                h,
                header::STRICT_TRANSPORT_SECURITY,
                "max-age=63072000; includeSubDomains",
            );
        }
        state
            .metrics
            .observe(&method, &route, status, started.elapsed().as_secs_f64());
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_are_redacted_from_targets() {
        assert_eq!(
            redact_target("/api/v1/auth/invitations/eyJhbGc.eyJzdWIi.sig/accept"),
            "/api/v1/auth/invitations/[redacted]/accept"
        );
        assert_eq!(redact_target("/invite/eyJ.x.y"), "/invite/[redacted]");
        assert_eq!(
            redact_target("/verify-email?token=eyJ.x.y"),
            "/verify-email?token=[redacted]"
        );
        assert_eq!(
            redact_target("/api/v1/models?limit=5&Token=abc&x=1&access_token=def"),
            "/api/v1/models?limit=5&Token=[redacted]&x=1&access_token=[redacted]"
        );
        // Nothing else changes.
        assert_eq!(
            redact_target("/api/v1/access-grants/0190-ab/roster?cursor=c1"),
            "/api/v1/access-grants/0190-ab/roster?cursor=c1"
        );
        assert_eq!(
            redact_target("/api/v1/auth/invitations"),
            "/api/v1/auth/invitations"
        );
        assert_eq!(redact_target(""), "");
    }
}
