//! The invariants, checked after every step.

use std::collections::{HashMap, HashSet};

use super::acts::*;
use super::answers::*;
use super::model::*;
use super::world::World;
use crate::flows::ts;

impl World {
    pub(super) async fn check(&mut self) -> Result<(), String> {
        let now = self.now();
        let mut dev_status: HashMap<String, String> = HashMap::new();
        // 1 + 3 for government grants, model by model.
        for (mi, m) in self.models.iter().enumerate() {
            let l = self
                .read(
                    Who::DevAdmin,
                    &self.api(&format!("/access-grants?model_id={}&limit=200", m.id)),
                )
                .await?;
            let items = l["items"].as_array().cloned().unwrap_or_default();
            let shadow: Vec<&GrantS> = self.grants.iter().filter(|g| g.model == mi).collect();
            let got: HashSet<String> = items
                .iter()
                .map(|x| x["id"].as_str().unwrap_or_default().to_string())
                .collect();
            let want: HashSet<String> = shadow.iter().map(|g| g.id.clone()).collect();
            ensure!(
                got == want,
                "model {}: grants listed {got:?}, offered {want:?}",
                m.id
            );
            let mut windows = Vec::new();
            for x in &items {
                let id = x["id"].as_str().unwrap_or_default();
                let g = shadow.iter().find(|g| g.id == id).unwrap();
                let (s, e, ended) = (
                    ts(&x["starts_at"]),
                    ts(&x["ends_at"]),
                    opt_ts(&x["ended_at"]),
                );
                ensure!(
                    s == g.starts && e == g.ends && ended == g.ended_at,
                    "grant {id}: window [{s}, {e}) ended {ended:?}; expected [{}, {}) ended {:?}",
                    g.starts,
                    g.ends,
                    g.ended_at
                );
                let eff_end = ended.map_or(e, |x| x.min(e));
                windows.push((s, eff_end.max(s)));
                // 3: the derived status.
                let accepted = !x["developer_accepted_at"].is_null()
                    && x["grantees"]
                        .as_array()
                        .is_some_and(|a| a.iter().all(|y| !y["terms_accepted_at"].is_null()));
                let want = derived_status(now, s, e, ended.is_some(), "ended", accepted);
                ensure!(
                    x["status"] == want,
                    "grant {id}: status {} but the timestamps say {want} (now {now}, starts {s}, ends {e}, ended {ended:?}, accepted {accepted})",
                    x["status"]
                );
                dev_status.insert(id.to_string(), want.to_string());
                let left = x["days_remaining"].as_f64().unwrap_or(f64::NAN);
                let want_left = if ended.is_some() {
                    0.0
                } else {
                    days_of((e - now).num_seconds().max(0))
                };
                ensure!(
                    (left - want_left).abs() <= 0.006,
                    "grant {id}: days_remaining {left}, expected {want_left:.4}"
                );
            }
            // 1: the cap, on what the API says and on the shadow.
            let union = union_secs(windows);
            ensure!(
                union <= CAP,
                "model {}: the government windows span {:.3} days > 30",
                m.id,
                days_of(union)
            );
            let shadow_union = union_secs(shadow.iter().map(|g| g.effective()).collect());
            ensure!(
                union == shadow_union,
                "model {}: union {union}s, shadow {shadow_union}s",
                m.id
            );
            let mv = self
                .read(Who::DevAdmin, &self.api(&format!("/models/{}", m.id)))
                .await?;
            let granted = mv["government_days_granted"].as_f64().unwrap_or(f64::NAN);
            ensure!(
                (granted - days_of(union)).abs() <= 0.01 + 1e-9,
                "model {}: government_days_granted {granted}, the windows' union is {:.4} days",
                m.id,
                days_of(union)
            );
            let remaining = mv["government_days_remaining"].as_f64().unwrap_or(f64::NAN);
            ensure!(
                (remaining - (30.0 - granted).max(0.0)).abs() <= 0.01 + 1e-9,
                "model {}: government_days_remaining {remaining} with {granted} granted",
                m.id
            );
            ensure!(
                mv["released_at"].is_null() != m.released,
                "model {}: released_at {} but released = {}",
                m.id,
                mv["released_at"],
                m.released
            );
        }
        // 3 for the grantees: NSA and CISA see exactly their grants, with the same status.
        for who in [Who::NsaAdmin, Who::CisaAdmin] {
            let org = self.user(who).org_id.clone();
            let l = self
                .read(who, &self.api("/access-grants?limit=200"))
                .await?;
            let got: HashMap<String, String> = l["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| {
                    (
                        x["id"].as_str().unwrap_or_default().to_string(),
                        x["status"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let want: HashSet<String> = self
                .grants
                .iter()
                .filter(|g| g.grantees.contains(&org))
                .map(|g| g.id.clone())
                .collect();
            ensure!(
                got.keys().cloned().collect::<HashSet<_>>() == want,
                "{who:?} lists grants {:?}, is grantee of {want:?}",
                got.keys()
            );
            for (id, s) in &got {
                ensure!(
                    dev_status.get(id) == Some(s),
                    "{who:?} sees grant {id} as {s}, the developer as {:?}",
                    dev_status.get(id)
                );
            }
            // Grantee admins are never on a roster here: they never see the instructions (not in
            // the list, which never carries them, nor in the detail).
            for x in l["items"].as_array().into_iter().flatten() {
                let id = x["id"].as_str().unwrap_or_default();
                let d = self
                    .read(who, &self.api(&format!("/access-grants/{id}")))
                    .await?;
                ensure!(
                    x.get("access_instructions").is_none() && d["access_instructions"].is_null(),
                    "{who:?} (not rostered) sees the access instructions of grant {}",
                    x["id"]
                );
            }
        }
        // The NSA member sees the NSA's grants; the instructions only once rostered and
        // acknowledged, and only while the grant is scheduled or active (every party accepted,
        // not ended or expired: DESIGN §2.4).
        let l = self
            .read(Who::NsaMember, &self.api("/access-grants?limit=200"))
            .await?;
        let mut seen = 0;
        for x in l["items"].as_array().into_iter().flatten() {
            seen += 1;
            let id = x["id"].as_str().unwrap_or_default();
            let ack = x["viewer"]["acknowledged"] == true;
            ensure!(
                !ack || x["viewer"]["rostered"] == true,
                "grant {id}: the member acknowledged without being rostered: {}",
                x["viewer"]
            );
            let open = matches!(x["status"].as_str(), Some("scheduled" | "active"));
            // The list never carries the instructions; the detail does, to whom may see them.
            let d = self
                .read(Who::NsaMember, &self.api(&format!("/access-grants/{id}")))
                .await?;
            ensure!(
                x.get("access_instructions").is_none()
                    && d["access_instructions"].is_null() != (ack && open),
                "grant {id} ({}): the member (viewer {}) sees instructions {} (list item {x})",
                x["status"],
                x["viewer"],
                d["access_instructions"]
            );
            ensure!(
                dev_status.get(id).map(String::as_str) == x["status"].as_str(),
                "the NSA member sees grant {id} as {}, the developer as {:?}",
                x["status"],
                dev_status.get(id)
            );
        }
        let nsa_grants = self
            .grants
            .iter()
            .filter(|g| g.grantees.contains(&self.nsa.org_id))
            .count();
        ensure!(
            seen == nsa_grants,
            "the NSA member lists {seen} grants, the NSA is grantee of {nsa_grants}"
        );
        // Nominations: the status is derived from the two positions and rescission.
        let l = self
            .read(Who::DevAdmin, &self.api("/nominations?limit=200"))
            .await?;
        let items = l["items"].as_array().cloned().unwrap_or_default();
        ensure!(
            items.len() == self.nominations.len(),
            "{} nominations listed, {} made",
            items.len(),
            self.nominations.len()
        );
        for x in &items {
            let (d, g) = (
                x["developer_position"].as_str().unwrap_or_default(),
                x["government_position"].as_str().unwrap_or_default(),
            );
            let want = if !x["rescinded_at"].is_null() {
                "rescinded"
            } else if d == "decline" || g == "decline" {
                "declined"
            } else if d == "concur" && g == "concur" {
                "selected"
            } else {
                "pending"
            };
            ensure!(
                x["status"] == want,
                "nomination {}: status {} with positions {d}/{g}, rescinded_at {}",
                x["id"],
                x["status"],
                x["rescinded_at"]
            );
        }
        // 3 for partner grants, as the developer and as the partner.
        let dev_l = self
            .read(Who::DevAdmin, &self.api("/partner-grants?limit=200"))
            .await?;
        let partner_l = self
            .read(Who::Partner, &self.api("/partner-grants?limit=200"))
            .await?;
        for (who, l) in [(Who::DevAdmin, &dev_l), (Who::Partner, &partner_l)] {
            let items = l["items"].as_array().cloned().unwrap_or_default();
            let got: HashSet<String> = items
                .iter()
                .map(|x| x["id"].as_str().unwrap_or_default().to_string())
                .collect();
            let want: HashSet<String> = self.pgrants.iter().map(|p| p.id.clone()).collect();
            ensure!(
                got == want,
                "{who:?} lists partner grants {got:?}, issued {want:?}"
            );
            for x in &items {
                let id = x["id"].as_str().unwrap_or_default();
                let p = self.pgrants.iter().find(|p| p.id == id).unwrap();
                let (s, e, rev) = (
                    ts(&x["starts_at"]),
                    ts(&x["ends_at"]),
                    opt_ts(&x["revoked_at"]),
                );
                ensure!(
                    s == p.starts && e == p.ends && rev == p.revoked_at,
                    "{who:?}: partner grant {id}: [{s}, {e}) revoked {rev:?}; expected [{}, {}) revoked {:?}",
                    p.starts,
                    p.ends,
                    p.revoked_at
                );
                let accepted = !x["partner_accepted_at"].is_null();
                let want = derived_status(now, s, e, rev.is_some(), "revoked", accepted);
                let d = self
                    .read(who, &self.api(&format!("/partner-grants/{id}")))
                    .await?;
                ensure!(
                    x.get("access_instructions").is_none()
                        && (who == Who::DevAdmin || d["access_instructions"].is_null()),
                    "the partner admin (never acknowledged) sees the instructions of {id}: {}",
                    d["access_instructions"]
                );
                ensure!(
                    x["status"] == want,
                    "{who:?}: partner grant {id}: status {} but the timestamps say {want} (now {now}, accepted {accepted})",
                    x["status"]
                );
            }
        }
        // 4: the audit chain.
        let v = self
            .read(Who::Operator, &self.api("/admin/audit/verify"))
            .await?;
        ensure!(v["valid"] == true, "the audit chain is broken: {v}");
        let events = v["events"].as_i64().unwrap_or(-1);
        ensure!(
            events >= self.audit_seen,
            "the audit chain shrank from {} to {events} events",
            self.audit_seen
        );
        let stored = self.app.audit_count().await;
        ensure!(
            events == stored,
            "audit verify counted {events} events, the table holds {stored}"
        );
        self.audit_seen = events;
        Ok(())
    }
}
