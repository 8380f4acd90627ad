//! Background work every instance runs: outbox delivery and (with the engagement module)
//! the window reminders. Each pass is safe to run concurrently on several instances; within one
//! instance, passes never overlap (the loop's and any run on demand, [`Jobs::run_once`]).

use std::sync::Arc;
use std::time::Duration;

use crate::mail::{outbox, Mailer};
use crate::state::AppState;

/// The background work of one instance: what one pass does, and the loop that runs it.
#[derive(Clone)]
pub struct Jobs {
    state: Arc<AppState>,
    mailer: Mailer,
    /// Held for the whole of a pass.
    pass: Arc<tokio::sync::Mutex<()>>,
}

impl Jobs {
    pub fn new(state: Arc<AppState>, mailer: Mailer) -> Jobs {
        Jobs {
            state,
            mailer,
            pass: Arc::default(),
        }
    }

    /// One pass: queue the reminders that are due, send what is due. Waits for a pass in
    /// progress to finish first, so when it returns everything due has been done. Returns how
    /// many emails were sent.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let _pass = self.pass.lock().await;
        let (state, mailer) = (self.state.clone(), self.mailer.clone());
        tokio::task::spawn_blocking(move || pass(&state, &mailer)).await?
    }

    /// Holds off every pass (the loop's too) until the guard is dropped: for a test that
    /// counts the statements one request runs on its database.
    pub async fn pause(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.pass.clone().lock_owned().await
    }

    /// Spawns the worker loop; it stops when the returned handle is aborted.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        let every = Duration::from_millis(self.state.settings.jobs.poll_interval_ms);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match self.run_once().await {
                    Ok(_) => {}
                    Err(e) if e.is::<tokio::task::JoinError>() => {
                        tracing::warn!(error = %e, "background job panicked")
                    }
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "background job pass failed")
                    }
                }
            }
        })
    }
}

fn pass(state: &AppState, mailer: &Mailer) -> anyhow::Result<usize> {
    let mut conn = state.pool.get()?;
    let now = state.clock.now();
    crate::reminders::queue_due(&mut conn, &state.notifier, now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let sent = outbox::deliver_due(&mut conn, mailer, &state.settings.mail.from, now)?;
    Ok(sent)
}

/// Spawns the worker loop of `state`; it stops when the returned handle is aborted.
pub fn spawn(state: Arc<AppState>, mailer: Mailer) -> tokio::task::JoinHandle<()> {
    Jobs::new(state, mailer).spawn()
}
