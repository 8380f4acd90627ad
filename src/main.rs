//! `frontier-portal serve | migrate | admin create --email E | demo | audit verify`

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use frontier_portal::accounts::{self, Env};
use frontier_portal::audit::{self, AuditCtx};
use frontier_portal::clock::SystemClock;
use frontier_portal::config::Settings;
use frontier_portal::startup::{Application, Overrides};
use frontier_portal::state::build_state;
use frontier_portal::{db, telemetry};

/// mimalloc (crate `mimalloc`): per-thread free lists without a lock, where glibc's malloc
/// with its arenas bounded (below) made request threads queue on two arena locks — a fifth of
/// a list request's CPU in a profile. SQLite's own allocations stay on glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "frontier-portal",
    version,
    about = "Frontier Access Portal: the voluntary Sec. 3(b) engagement between AI developers and the U.S. Government"
)]
struct Cli {
    /// Directory holding default.toml and $PORTAL_ENV.toml.
    #[arg(
        long,
        global = true,
        default_value = "config",
        env = "PORTAL_CONFIG_DIR"
    )]
    config_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run pending migrations, then serve the portal.
    Serve,
    /// Run pending migrations and exit.
    Migrate,
    /// Operator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Seed a demo database with realistic organizations and records (marked DEMO).
    Demo {
        /// Do nothing if the database already holds organizations.
        #[arg(long)]
        if_empty: bool,
    },
    /// Grow a demo database to benchmark scale (valid records, written in bulk; see `make bench`).
    BenchSeed {
        #[arg(long, default_value_t = 2000)]
        partner_orgs: usize,
        #[arg(long, default_value_t = 100_000)]
        partner_grants: usize,
        /// Of the partner grants, how many go to the demo's first partner organization.
        #[arg(long, default_value_t = 500)]
        own_partner_grants: usize,
        #[arg(long, default_value_t = 10_000)]
        access_grants: usize,
        #[arg(long, default_value_t = 1_000_000)]
        log_rows: usize,
        #[arg(long, default_value_t = 1_000_000)]
        audit_events: usize,
    },
    /// Print the OpenAPI document the server serves at /api/openapi.json (pretty JSON, keys in a
    /// fixed order), so clients can be generated without a running server (`make api-types`).
    Openapi,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an operator invitation and print its link on standard output.
    Create {
        #[arg(long)]
        email: String,
        /// Only while that operator account is not set up: print a fresh link while its
        /// invitation is pending, nothing once it has a password (what `make run` calls).
        #[arg(long)]
        if_needed: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Re-walk the hash chain; exits 1 and names the first broken link if it is broken.
    Verify,
}

fn main() {
    lean_allocator();
    if let Err(e) = real_main() {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

fn real_main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        // Needs no configuration: the document is the same for every deployment.
        println!("{}", openapi_json()?);
        return Ok(());
    }
    let settings = Settings::load(&cli.config_dir)?;
    telemetry::init_logging(&settings.log.format, &settings.log.level);
    match cli.command {
        Command::Serve => serve(settings),
        Command::Migrate => {
            db::run_migrations(&mut *connection(&settings)?)?;
            println!("migrations are up to date");
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, if_needed },
        } => {
            let state = build_state(settings, Arc::new(SystemClock))?;
            if !if_needed {
                let link = create_operator_invitation(&state, &email)?;
                println!("{link}");
                return Ok(());
            }
            match with_links(&state, |conn, env| {
                accounts::operator_invitation_if_needed(conn, env, &email)
            })? {
                Some(link) => {
                    println!("To set up your own operator account ({email}), open:\n  {link}")
                }
                None => println!("The operator account {email} is already set up."),
            }
            Ok(())
        }
        Command::BenchSeed {
            partner_orgs,
            partner_grants,
            own_partner_grants,
            access_grants,
            log_rows,
            audit_events,
        } => {
            let mut conn = connection(&settings)?;
            db::run_migrations(&mut conn)?;
            let summary = frontier_portal::bench_seed::seed(
                &mut conn,
                frontier_portal::bench_seed::Sizes {
                    partner_orgs,
                    partner_grants,
                    own_partner_grants,
                    access_grants,
                    log_rows,
                    audit_events,
                },
                chrono::Utc::now(),
            )?;
            println!("{summary}");
            Ok(())
        }
        Command::Openapi => unreachable!("handled before the configuration is loaded"),
        Command::Demo { if_empty } => frontier_portal::demo::seed(settings, if_empty),
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let mut conn = connection(&settings)?;
            let v = audit::verify(&mut conn)?;
            if v.valid {
                println!("audit chain valid: {} events", v.events);
                Ok(())
            } else {
                println!(
                    "audit chain BROKEN at seq {}: {}",
                    v.first_broken_seq.unwrap_or_default(),
                    v.reason.unwrap_or_default()
                );
                std::process::exit(1);
            }
        }
    }
}

/// The served document through `serde_json::Value`, whose maps are sorted (no `preserve_order`),
/// so the output does not depend on registration order.
fn openapi_json() -> anyhow::Result<String> {
    use utoipa::OpenApi;
    let doc = serde_json::to_value(frontier_portal::api::openapi::ApiDoc::openapi())?;
    Ok(serde_json::to_string_pretty(&doc)?)
}

/// Runs `f` in one write transaction with what an emailed link needs (the CLI's account
/// commands).
fn with_links<T>(
    state: &frontier_portal::state::AppState,
    f: impl FnOnce(&mut db::DbConn, &Env) -> frontier_portal::error::AppResult<T> + Clone,
) -> anyhow::Result<T> {
    let now = state.clock.now();
    let mut conn = state.pool.get()?;
    let env = Env {
        keys: &state.keys,
        public_url: state.notifier.public_url(),
        now,
    };
    db::write_tx(&mut conn, |conn| f(conn, &env)).map_err(|e| anyhow::anyhow!("{}", e.detail))
}

/// A new operator invitation for `email`; answers its link.
fn create_operator_invitation(
    state: &frontier_portal::state::AppState,
    email: &str,
) -> anyhow::Result<String> {
    with_links(state, |conn, env| {
        let org = accounts::operator_org(conn, env.now)?;
        let ctx = AuditCtx {
            now: Some(env.now),
            ..Default::default()
        };
        let (_, url) = accounts::invite(conn, env, &ctx, &org, email, "admin")?;
        Ok(url)
    })
}

/// One connection with the configured limits (the maintenance commands).
fn connection(settings: &Settings) -> anyhow::Result<db::PooledConn> {
    let pool = db::connect(&settings.database.url, 1, (&settings.database).into())?;
    Ok(pool.get()?)
}

/// Bounds what glibc's allocator keeps resident (it still serves SQLite's and libpq's own
/// allocations; Rust's go to mimalloc above): at most two arenas however many threads
/// allocate (each thread otherwise gets an arena of its own that keeps its freed memory), and
/// blocks of 1 MiB or more always mapped on their own and given back when freed. Must run
/// before other threads start.
fn bound_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 4 << 20);
    }
}

/// What mimalloc keeps resident: no transparent huge pages for this process (its arenas are
/// large and aligned, so with the kernel's THP on a request's few kilobytes fault in 2 MiB pages:
/// 37 of a loaded server's 83 MB were huge pages), and freed pages go back to the system at once
/// rather than after 10 ms. Measured with the bench's small seed after a partner-grants load:
/// 83 MB resident by default, 54 MB with both.
fn lean_allocator() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (include/mimalloc.h of the
    // `mimalloc` crate's default build); read at every purge, so setting it here takes effect.
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: sets one allocator option; first thing in main, before other threads start.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    bound_allocator();
    // This runtime's blocking threads run only the background jobs (requests' database work runs
    // on the HTTP workers' own, bounded in `startup`; argon2 on its own pool): a few suffice, and
    // idle ones go, so a burst does not leave threads and their allocator caches resident.
    let blocking = 4;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking)
        .thread_keep_alive(std::time::Duration::from_secs(10))
        .build()?;
    rt.block_on(async move {
        let public_url = settings.server.public_url.clone();
        let app = Application::build(settings, Overrides::default()).await?;
        let state = app.state.clone();
        let first_run = {
            let mut conn = state.pool.get()?;
            !accounts::has_operator(&mut conn)?
        };
        println!(
            "Frontier Access Portal listening on {public_url} (port {})",
            app.port()
        );
        // The server's output is its log: it never prints a link with a token (DESIGN §6).
        if first_run {
            println!(
                "No operator account yet: create one with `frontier-portal admin create --email you@example.gov`, which prints its invitation link."
            );
        }
        release_startup_code();
        app.run_until_stopped()
            .await
            .context("server stopped with an error")
    })
}

/// Hands back to the kernel the pages of the program's own file that start-up brought in
/// (`MADV_PAGEOUT` on its read-only and executable mappings), once the server listens.
///
/// Start-up runs code no request runs again (the migrations, building the OpenAPI document,
/// reading the configuration), and the kernel maps code in 64 KB runs around each page it
/// touches: 19 of a loaded server's 41 MB resident were the binary's own pages, most of them
/// never used after start. They are clean copies of the file, so nothing is lost: a page a
/// request needs is mapped again from the page cache (or read from the file) on first use, and
/// what stays resident is what requests use. A kernel without `MADV_PAGEOUT` (before 5.4)
/// refuses the advice and nothing changes.
fn release_startup_code() {
    #[cfg(target_os = "linux")]
    {
        let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
            return;
        };
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return;
        };
        for line in maps.lines() {
            // start-end perms offset dev inode path
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [range, perms, _, _, _, path] = fields[..] else {
                continue;
            };
            if std::path::Path::new(path) != exe || perms.contains('w') {
                continue;
            }
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            ) else {
                continue;
            };
            // SAFETY: advice on a mapping of our own read-only file; the pages stay valid and are
            // faulted in again on access. The result is ignored: the advice is only a saving.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_PAGEOUT);
            }
        }
    }
}
