//! The other steps: nominations, partner grants, releases, terms templates, the clock, repeats.

use proptest::sample::Index;
use reqwest::Method;
use serde_json::json;

use super::acts::*;
use super::answers::*;
use super::model::*;
use super::world::World;
use crate::flows::terms_body;
use crate::helpers::*;

impl World {
    /// A developer (or the NSA admin, for the Government) nominates the partner.
    pub(super) async fn nominate(&mut self, model: Index, who: Who) -> Result<Option<i64>, String> {
        let m = model.index(self.models.len());
        let exp = if who == Who::NsaAdmin {
            // The Government nominates for models it knows of: a filed request on the
            // model, or a grant of the model to this agency.
            let mut known = self
                .grants
                .iter()
                .any(|g| g.model == m && g.grantees.contains(&self.nsa.org_id));
            if !known {
                let l = self
                    .read(
                        Who::DevAdmin,
                        &self.api(&format!(
                            "/designation-requests?model_id={}&limit=200",
                            self.models[m].id
                        )),
                    )
                    .await?;
                known = l["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|x| x["status"] != "draft");
            }
            if known {
                Exp::Done(201)
            } else {
                Exp::Refused(422, "")
            }
        } else {
            Exp::Done(201)
        };
        let r = self
            .call(
                who,
                Method::POST,
                &self.api("/nominations"),
                Some(json!({"model_id": self.models[m].id, "partner_org_id": self.partner.org_id, "rationale": "Operates critical infrastructure in a rural region."})),
            )
            .await?;
        let d = judge(&r, &[exp], "nominate")?;
        if r.status == 201 {
            ensure!(
                r.body["status"] == "pending",
                "a new nomination is pending: {}",
                r.text
            );
            self.nominations.push(r.id());
        }
        Ok(Some(d))
    }

    /// Someone concurs with or declines a nomination.
    pub(super) async fn answer(
        &mut self,
        nomination: Index,
        who: Who,
        concur: bool,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.nominations.is_empty() {
            return Ok(None);
        }
        let id = self.pick_nomination(&nomination, focus, "pending").await?;
        let n = self
            .read(Who::DevAdmin, &self.api(&format!("/nominations/{id}")))
            .await?;
        // Focused: the side whose turn it is answers.
        let who = if focus && n["status"] == "pending" {
            let dev_turn = n["developer_position"] == "pending";
            match (dev_turn, who) {
                (true, Who::DevAdmin | Who::DevMember) => who,
                (true, _) => Who::DevAdmin,
                (false, Who::NsaAdmin | Who::CisaAdmin) => who,
                (false, _) => Who::NsaAdmin,
            }
        } else {
            who
        };
        let dev_side = matches!(who, Who::DevAdmin | Who::DevMember);
        let mine = if dev_side {
            n["developer_position"].clone()
        } else {
            n["government_position"].clone()
        };
        let answer = if concur { "concur" } else { "decline" };
        let exp = if who == Who::NsaMember {
            Exp::Refused(403, "")
        } else if n["status"] == "rescinded" {
            Exp::Refused(409, "invalid_transition")
        } else if n["status"] != "pending" {
            if mine == answer {
                Exp::Repeat(200)
            } else {
                Exp::Refused(409, "invalid_transition")
            }
        } else if mine == "pending" {
            Exp::Done(200)
        } else {
            Exp::Refused(409, "invalid_transition")
        };
        let r = self
            .call(
                who,
                Method::POST,
                &self.api(&format!("/nominations/{id}/{answer}")),
                None,
            )
            .await?;
        judge(&r, &[exp], "answer nomination").map(Some)
    }

    /// A developer rescinds a nomination (control).
    pub(super) async fn rescind(
        &mut self,
        nomination: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        if self.nominations.is_empty() {
            return Ok(None);
        }
        let ni = nomination.index(self.nominations.len());
        self.control(Control::Rescind {
            nomination: ni,
            member,
        })
        .await
        .map(Some)
    }

    /// The developer admin issues a partner grant.
    pub(super) async fn issue_partner_grant(
        &mut self,
        nomination: Index,
        start_h: i64,
        len_h: i64,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        let now = self.now();
        if self.nominations.is_empty() {
            return Ok(None);
        }
        let id = self.pick_nomination(&nomination, focus, "selected").await?;
        let n = self
            .read(Who::DevAdmin, &self.api(&format!("/nominations/{id}")))
            .await?;
        let exp = if n["status"] == "selected" {
            Exp::Done(201)
        } else {
            Exp::Refused(409, "not_selected")
        };
        let s = now + hours(start_h);
        let e = s + hours(len_h);
        let r = self
            .call(
                Who::DevAdmin,
                Method::POST,
                &self.api("/partner-grants"),
                Some(json!({"nomination_id": id, "starts_at": rfc(s), "ends_at": rfc(e), "terms_version_id": self.terms[0], "access_instructions": "Partner sandbox at https://partner.example"})),
            )
            .await?;
        let d = judge(&r, &[exp], "issue partner grant")?;
        if r.status == 201 {
            self.pgrants.push(PGrantS {
                id: r.id(),
                nomination: id,
                starts: s,
                ends: e,
                revoked_at: None,
            });
        }
        Ok(Some(d))
    }

    /// The partner admin accepts a partner grant's terms.
    pub(super) async fn partner_accept(
        &mut self,
        pgrant: Index,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        let now = self.now();
        if self.pgrants.is_empty() {
            return Ok(None);
        }
        let pi = self.pick_pgrant(&pgrant, focus).await?;
        let p = &self.pgrants[pi];
        let id = p.id.clone();
        let finished = p.revoked_at.is_some() || now >= p.ends;
        let v = self
            .read(Who::Partner, &self.api(&format!("/partner-grants/{id}")))
            .await?;
        let exp = if !v["partner_accepted_at"].is_null() {
            Exp::Repeat(200)
        } else if finished {
            Exp::Refused(409, "invalid_transition")
        } else {
            Exp::Done(200)
        };
        let r = self
            .call(
                Who::Partner,
                Method::POST,
                &self.api(&format!("/partner-grants/{id}/accept-terms")),
                None,
            )
            .await?;
        judge(&r, &[exp], "partner accepts").map(Some)
    }

    /// A developer revokes a partner grant (control).
    pub(super) async fn revoke(
        &mut self,
        pgrant: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        if self.pgrants.is_empty() {
            return Ok(None);
        }
        let pi = pgrant.index(self.pgrants.len());
        self.control(Control::Revoke { pgrant: pi, member })
            .await
            .map(Some)
    }

    /// A developer releases a model (control).
    pub(super) async fn release(
        &mut self,
        model: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        let m = model.index(self.models.len());
        self.control(Control::Release { model: m, member })
            .await
            .map(Some)
    }

    /// The operator publishes another terms template.
    pub(super) async fn publish_terms(&mut self) -> Result<Option<i64>, String> {
        let label = format!("Template {}", self.terms.len() + 1);
        let r = self
            .call(
                Who::Operator,
                Method::POST,
                &self.api("/terms"),
                Some(terms_body(&label)),
            )
            .await?;
        let d = judge(&r, &[Exp::Done(201)], "publish terms")?;
        self.terms.push(r.id());
        Ok(Some(d))
    }

    /// The clock moves.
    pub(super) async fn advance(&mut self, h: i64) -> Result<Option<i64>, String> {
        self.app.advance(hours(h));
        Ok(Some(0))
    }

    /// The last developer control is sent again (an idempotent repeat, or the same refusal).
    pub(super) async fn repeat_last_control(&mut self) -> Result<Option<i64>, String> {
        match self.last_control.clone() {
            None => Ok(None),
            Some(c) => {
                self.trace.push(format!("    repeating {c:?}"));
                self.control(c).await.map(Some)
            }
        }
    }
}
