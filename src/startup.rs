//! Building and running the application, shared by `serve` and the test harness (which starts
//! the real server on port 0 with its own database, clock and mailer).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::mail::Mailer;
use crate::state::{build_state, AppState};

/// Options the tests (and the CLI) can override.
#[derive(Default)]
pub struct Overrides {
    pub clock: Option<Arc<dyn Clock>>,
    pub mailer: Option<Mailer>,
    /// Skip the background worker (tests that drive it by hand).
    pub no_jobs: bool,
}

pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
    jobs: Option<tokio::task::JoinHandle<()>>,
}

/// The HTTP workers (one per core) and the blocking threads each may start. Database work runs
/// on a worker's own blocking threads (`web::block`), and each such thread holds, or waits for,
/// one pooled connection: a thread beyond the pool's share only waits, and costs a stack and an
/// allocator cache for as long as it lives. So the threads are bounded by the pool (actix's own
/// default is 512 across the workers): one more than the worker's share, so a slow request does
/// not hold up the worker's next request while the pool still has a connection to give.
fn threads(pool_size: u32) -> (usize, usize) {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_worker = (pool_size as usize).div_ceil(workers) + 1;
    (workers, per_worker)
}

impl Application {
    pub async fn build(settings: Settings, overrides: Overrides) -> anyhow::Result<Application> {
        let clock = overrides.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let mailer = match overrides.mailer {
            Some(m) => m,
            None => Mailer::from_settings(&settings.mail)?,
        };
        let addr = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&addr).with_context(|| {
            format!("binding server.host:server.port {addr} (is another process using it?)")
        })?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(build_state(settings, clock)?);
        let static_dir = state.settings.server.static_dir.clone();
        let (workers, blocking) = threads(state.settings.database.pool_size);
        let data = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .wrap(actix_web::middleware::from_fn(
                    crate::telemetry::common_headers,
                ))
                .wrap(TracingLogger::<crate::telemetry::RedactingRootSpan>::new())
                .configure(crate::api::configure)
                .configure(|cfg| crate::web_ui::configure(cfg, &static_dir))
        })
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .listen(listener)?
        .shutdown_timeout(20)
        .run();
        let jobs = if overrides.no_jobs {
            None
        } else {
            Some(crate::jobs::spawn(state.clone().into_inner(), mailer))
        };
        Ok(Application {
            port,
            server,
            state,
            jobs,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is asked to stop (SIGINT/SIGTERM: in-flight requests finish).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let res = self.server.await;
        if let Some(j) = self.jobs {
            j.abort();
        }
        res
    }
}
