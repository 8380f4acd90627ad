//! The in-process per-IP limit on `/api/v1/auth/*` (a first line against credential stuffing;
//! the per-account lockout in the database is the one shared by all instances). The client IP
//! is the socket peer unless that peer is a configured trusted proxy, in which case the last
//! address it appended to `X-Forwarded-For` is used.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, ResponseError};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;
use crate::state::AppState;

pub struct IpLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl IpLimiter {
    pub fn per_minute(n: u32) -> Arc<Self> {
        let n = NonZeroU32::new(n.max(1)).expect("non-zero");
        Arc::new(IpLimiter {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
        })
    }

    /// `Err(seconds)` when the IP must wait.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&ip).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if trusted.contains(&peer) {
        if let Some(fwd) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        {
            if let Some(last) = fwd.rsplit(',').next().and_then(|s| s.trim().parse().ok()) {
                return Some(last);
            }
        }
    }
    Some(peer)
}

/// Middleware for the auth scope.
pub async fn limit_auth(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        if let Some(ip) = client_ip(req.request(), &state.settings.server.trusted_proxies) {
            if let Err(secs) = state.ip_limiter.check(ip) {
                let resp = AppError::too_many(
                    secs,
                    "Too many requests from your address. Wait and try again.",
                )
                .error_response();
                return Ok(req.into_response(resp));
            }
        }
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}
