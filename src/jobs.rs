//! Background work every instance runs: outbox delivery and (with the engagement module)
//! the window reminders. Each pass is safe to run concurrently on several instances.

use std::sync::Arc;
use std::time::Duration;

use crate::db::DbPool;
use crate::mail::{outbox, Mailer};
use crate::state::AppState;

/// One pass: send what is due. Returns how many emails were sent.
pub fn run_once(pool: &DbPool, mailer: &Mailer, state: &AppState) -> anyhow::Result<usize> {
    let mut conn = pool.get()?;
    let now = state.clock.now();
    crate::reminders::queue_due(&mut conn, &state.notifier, now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let sent = outbox::deliver_due(&mut conn, mailer, &state.settings.mail.from, now)?;
    Ok(sent)
}

/// Spawns the worker loop; it stops when the returned handle is aborted.
pub fn spawn(state: Arc<AppState>, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_millis(state.settings.jobs.poll_interval_ms);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let st = state.clone();
            let m = mailer.clone();
            let res = tokio::task::spawn_blocking(move || run_once(&st.pool, &m, &st)).await;
            match res {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %format!("{e:#}"), "background job pass failed")
                }
                Err(e) => tracing::warn!(error = %e, "background job panicked"),
            }
        }
    })
}
