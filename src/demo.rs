//! `frontier-portal demo`: seeds realistic organizations and records, marked DEMO.
//! (The engagement records are added with the workflow module.)

use crate::startup::AppState;

pub fn seed(_state: &AppState, _if_empty: bool) -> anyhow::Result<()> {
    anyhow::bail!("the demo seeder arrives with the engagement workflow")
}
