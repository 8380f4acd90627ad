//! One method per action: the call it makes and the answer the shadow predicts.

use chrono::Duration;
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
    /// The developer admin offers a government grant: `starts_at = now + start_h`,
    /// `ends_at = starts_at + len_h`, to NSA (0), CISA (1) or both (2).
    pub(super) async fn offer(
        &mut self,
        model: Index,
        start_h: i64,
        len_h: i64,
        grantees: u8,
        terms: Index,
    ) -> Result<Option<i64>, String> {
        let now = self.now();
        let m = model.index(self.models.len());
        let s = now + hours(start_h);
        let e = s + hours(len_h);
        let orgs: Vec<String> = match grantees {
            0 => vec![self.nsa.org_id.clone()],
            1 => vec![self.cisa.org_id.clone()],
            _ => vec![self.nsa.org_id.clone(), self.cisa.org_id.clone()],
        };
        let terms_id = self.terms[terms.index(self.terms.len())].clone();
        let others = self.model_windows_except(m, None);
        let verdict = window_verdict(&others, s, e, self.models[m].planned);
        let body = json!({
            "model_id": self.models[m].id,
            "grantee_org_ids": orgs,
            "access_mode": "hosted_api",
            "access_instructions": "Endpoint https://eval.example/v1 ; key in sealed envelope",
            "starts_at": rfc(s),
            "ends_at": rfc(e),
            "terms_version_id": terms_id,
        });
        let r = self
            .call(
                Who::DevAdmin,
                Method::POST,
                &self.api("/access-grants"),
                Some(body),
            )
            .await?;
        let exp = match verdict {
            Ok(()) => Exp::Done(201),
            Err(code) => Exp::Refused(422, code),
        };
        let d = judge(&r, &[exp], "offer")?;
        if r.status == 201 {
            self.grants.push(GrantS {
                id: r.id(),
                model: m,
                starts: s,
                ends: e,
                ended_at: None,
                grantees: orgs,
            });
        } else if r.code() == "window_cap_exceeded" {
            cap_problem_days(&r, &others, s, e)?;
        }
        Ok(Some(d))
    }

    /// A developer moves `ends_at` of a grant by `delta_h` hours (control when it shortens).
    pub(super) async fn move_end(
        &mut self,
        grant: Index,
        delta_h: i64,
        member: bool,
    ) -> Result<Option<i64>, String> {
        if self.grants.is_empty() {
            return Ok(None);
        }
        let g = grant.index(self.grants.len());
        let new_ends = self.grants[g].ends + hours(delta_h);
        self.control(Control::Move {
            grant: g,
            new_ends,
            member,
        })
        .await
        .map(Some)
    }

    /// A developer ends a grant (control).
    pub(super) async fn end(&mut self, grant: Index, member: bool) -> Result<Option<i64>, String> {
        if self.grants.is_empty() {
            return Ok(None);
        }
        let g = grant.index(self.grants.len());
        self.control(Control::End { grant: g, member })
            .await
            .map(Some)
    }

    /// Someone accepts a grant's terms.
    pub(super) async fn accept(
        &mut self,
        grant: Index,
        who: Who,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.grants.is_empty() {
            return Ok(None);
        }
        let (gi, who) = self.pick_acceptance(&grant, who, focus, None).await?;
        self.accept_terms(gi, who).await.map(Some)
    }

    /// A focused acceptance on a grant of the NSA (not generated: the step a focused member
    /// step falls back to, see `World::resolve`).
    pub(super) async fn accept_for_member(
        &mut self,
        grant: Index,
        want: Option<MemberWant>,
    ) -> Result<Option<i64>, String> {
        if self.grants.is_empty() {
            return Ok(None);
        }
        let (gi, who) = self
            .pick_acceptance(&grant, Who::NsaAdmin, true, Some(want))
            .await?;
        self.accept_terms(gi, who).await.map(Some)
    }

    /// An agency admin rosters the NSA member (the CISA admin cannot: not its user).
    pub(super) async fn roster(
        &mut self,
        grant: Index,
        by_cisa: bool,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        let now = self.now();
        if self.grants.is_empty() {
            return Ok(None);
        }
        let gi = self
            .pick_grant(&grant, focus, MemberWant::Rosterable)
            .await?;
        let who = if by_cisa {
            Who::CisaAdmin
        } else {
            Who::NsaAdmin
        };
        let org = self.user(who).org_id.clone();
        let id = self.grants[gi].id.clone();
        let rostered = self.member_rostered(gi).await?;
        let g = &self.grants[gi];
        let exp = if !g.grantees.contains(&org) {
            Exp::Refused(404, "")
        } else if g.finished(now) {
            Exp::Refused(409, "invalid_transition")
        } else if by_cisa {
            Exp::Refused(422, "")
        } else if rostered.is_some() {
            Exp::Repeat(200)
        } else {
            Exp::Done(201)
        };
        let r = self
            .call(
                who,
                Method::POST,
                &self.api(&format!("/access-grants/{id}/roster")),
                Some(json!({"user_id": self.nsa_member.id})),
            )
            .await?;
        let d = judge(&r, &[exp], "roster")?;
        if r.status == 201 && !self.ever_rostered.contains(&gi) {
            self.ever_rostered.push(gi);
        }
        Ok(Some(d))
    }

    /// The NSA member acknowledges the terms personally.
    pub(super) async fn acknowledge(
        &mut self,
        grant: Index,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        let now = self.now();
        if self.grants.is_empty() {
            return Ok(None);
        }
        let gi = self
            .pick_grant(&grant, focus, MemberWant::Unacknowledged)
            .await?;
        let id = self.grants[gi].id.clone();
        let rostered = self.member_rostered(gi).await?;
        let view = self
            .read(Who::DevAdmin, &self.api(&format!("/access-grants/{id}")))
            .await?;
        let nsa_accepted =
            view["grantees"].as_array().into_iter().flatten().any(|x| {
                x["org_id"] == self.nsa.org_id.as_str() && !x["terms_accepted_at"].is_null()
            });
        let g = &self.grants[gi];
        let exp = if !g.grantees.contains(&self.nsa.org_id) {
            Exp::Refused(404, "")
        } else {
            match rostered {
                None => Exp::Refused(403, "not_rostered"),
                Some(true) => Exp::Repeat(200),
                Some(false) if !nsa_accepted => Exp::Refused(409, "terms_not_accepted"),
                Some(false) if g.finished(now) => Exp::Refused(409, "invalid_transition"),
                Some(false) => Exp::Done(200),
            }
        };
        let r = self
            .call(
                Who::NsaMember,
                Method::POST,
                &self.api(&format!("/access-grants/{id}/acknowledge")),
                None,
            )
            .await?;
        judge(&r, &[exp], "acknowledge").map(Some)
    }

    /// The NSA member logs a use: focused, at `frac`% of the way from `starts_at` to the
    /// earlier of now and the window's end; else at `now - ago_h`.
    pub(super) async fn log_use(
        &mut self,
        grant: Index,
        ago_h: i64,
        frac: u8,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        let now = self.now();
        if self.grants.is_empty() {
            return Ok(None);
        }
        let gi = self
            .pick_grant(&grant, focus, MemberWant::Acknowledged)
            .await?;
        let id = self.grants[gi].id.clone();
        let rostered = self.member_rostered(gi).await?;
        let view = self
            .read(Who::DevAdmin, &self.api(&format!("/access-grants/{id}")))
            .await?;
        let completed = !view["developer_accepted_at"].is_null()
            && view["grantees"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|x| !x["terms_accepted_at"].is_null());
        let g = &self.grants[gi];
        let span_end = g.effective_end().min(now);
        let at = if focus && span_end > g.starts {
            g.starts + Duration::seconds((span_end - g.starts).num_seconds() * frac as i64 / 100)
        } else {
            now - hours(ago_h)
        };
        let exp = if !g.grantees.contains(&self.nsa.org_id) {
            Exp::Refused(404, "")
        } else {
            match rostered {
                None => Exp::Refused(403, "not_rostered"),
                Some(ack) if !ack || !completed => Exp::Refused(409, "terms_not_accepted"),
                Some(_) => {
                    if at > now || at < g.starts || at >= g.effective_end() {
                        Exp::Refused(422, "outside_window")
                    } else {
                        Exp::Done(201)
                    }
                }
            }
        };
        let r = self
            .call(
                Who::NsaMember,
                Method::POST,
                &self.api(&format!("/access-grants/{id}/access-log")),
                Some(json!({"occurred_at": rfc(at), "kind": "red_team", "duration_minutes": 45, "summary": "Probed tool-use jailbreaks."})),
            )
            .await?;
        judge(&r, &[exp], "access log").map(Some)
    }

    /// A developer removes the NSA member from a roster they were once on (control).
    pub(super) async fn remove_from_roster(
        &mut self,
        grant: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        if self.ever_rostered.is_empty() {
            return Ok(None);
        }
        let gi = self.ever_rostered[grant.index(self.ever_rostered.len())];
        self.control(Control::RemoveFromRoster { grant: gi, member })
            .await
            .map(Some)
    }

    /// A developer files a designation request.
    pub(super) async fn file_request(
        &mut self,
        model: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        let m = model.index(self.models.len());
        let r = self
            .call(
                Self::dev_who(member),
                Method::POST,
                &self.api("/designation-requests"),
                Some(json!({"model_id": self.models[m].id, "summary": "Is this model covered?", "capability_evidence": "Internal cyber evaluations."})),
            )
            .await?;
        let d = judge(&r, &[Exp::Done(201)], "file request")?;
        self.requests.push(r.id());
        Ok(Some(d))
    }

    /// A developer submits a request.
    pub(super) async fn submit(
        &mut self,
        request: Index,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let id = self.pick_request(&request, focus, &["draft"]).await?;
        let status = self.request_status(&id).await?;
        let exp = if status == "draft" {
            Exp::Done(200)
        } else {
            Exp::Refused(409, "invalid_transition")
        };
        let r = self
            .call(
                Who::DevAdmin,
                Method::POST,
                &self.api(&format!("/designation-requests/{id}/submit")),
                None,
            )
            .await?;
        judge(&r, &[exp], "submit").map(Some)
    }

    /// A developer withdraws a request (control).
    pub(super) async fn withdraw(
        &mut self,
        request: Index,
        member: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let ri = request.index(self.requests.len());
        self.control(Control::Withdraw {
            request: ri,
            member,
        })
        .await
        .map(Some)
    }

    /// An agency user records the determination (only NSA may).
    pub(super) async fn determine(
        &mut self,
        request: Index,
        covered: bool,
        who: Who,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let id = self.pick_request(&request, focus, &OPEN_REQUEST).await?;
        let status = self.request_status(&id).await?;
        let exp: Vec<Exp> = match status.as_str() {
            "draft" => vec![Exp::Refused(404, "")],
            // A request withdrawn before it was ever submitted: see the report; either
            // "not visible" or "wrong state" keeps the invariants.
            "withdrawn" if who == Who::CisaAdmin => {
                vec![Exp::Refused(404, ""), Exp::Refused(403, "")]
            }
            "withdrawn" => vec![
                Exp::Refused(404, ""),
                Exp::Refused(409, "invalid_transition"),
            ],
            _ if who == Who::CisaAdmin => vec![Exp::Refused(403, "")],
            "submitted" | "under_review" | "info_requested" => vec![Exp::Done(200)],
            _ => vec![Exp::Refused(409, "invalid_transition")],
        };
        let r = self
            .call(
                who,
                Method::POST,
                &self.api(&format!("/designation-requests/{id}/determination")),
                Some(json!({"outcome": if covered { "covered" } else { "not_covered" }, "rationale": "Unclassified rationale.", "benchmark_ref": "BM-2026-017"})),
            )
            .await?;
        judge(&r, &exp, "determine").map(Some)
    }

    /// The CISA admin records a consultation.
    pub(super) async fn consult(
        &mut self,
        request: Index,
        position: u8,
        focus: bool,
    ) -> Result<Option<i64>, String> {
        if self.requests.is_empty() {
            return Ok(None);
        }
        let id = self.pick_request(&request, focus, &OPEN_REQUEST).await?;
        let status = self.request_status(&id).await?;
        let exp: Vec<Exp> = match status.as_str() {
            "draft" => vec![Exp::Refused(404, "")],
            "withdrawn" => vec![
                Exp::Refused(404, ""),
                Exp::Refused(409, "invalid_transition"),
            ],
            "submitted" | "under_review" | "info_requested" => vec![Exp::Done(201)],
            _ => vec![Exp::Refused(409, "invalid_transition")],
        };
        let pos = ["concur", "non_concur", "no_comment"][position as usize % 3];
        let r = self
            .call(
                Who::CisaAdmin,
                Method::POST,
                &self.api(&format!("/designation-requests/{id}/consultations")),
                Some(json!({"agency_code": "CISA", "position": pos, "note": "Consulted."})),
            )
            .await?;
        judge(&r, &exp, "consult").map(Some)
    }

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

    /// `who` accepts the terms of grant `gi` for their organization.
    pub(super) async fn accept_terms(&mut self, gi: usize, who: Who) -> Result<i64, String> {
        let now = self.now();
        let g = &self.grants[gi];
        let id = g.id.clone();
        let view = self
            .read(Who::DevAdmin, &self.api(&format!("/access-grants/{id}")))
            .await?;
        let accepted_by = |org: &str| -> bool {
            view["grantees"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x["org_id"] == org && !x["terms_accepted_at"].is_null())
        };
        let finished = g.finished(now);
        let grantee = |org: &str| g.grantees.iter().any(|o| o == org);
        let exp = match who {
            Who::DevAdmin => {
                if !view["developer_accepted_at"].is_null() {
                    Exp::Repeat(200)
                } else if finished {
                    Exp::Refused(409, "invalid_transition")
                } else {
                    Exp::Done(200)
                }
            }
            Who::DevMember => Exp::Refused(403, ""),
            Who::NsaAdmin | Who::CisaAdmin => {
                let org = self.user(who).org_id.clone();
                if !grantee(&org) {
                    Exp::Refused(404, "")
                } else if accepted_by(&org) {
                    Exp::Repeat(200)
                } else if finished {
                    Exp::Refused(409, "invalid_transition")
                } else {
                    Exp::Done(200)
                }
            }
            _ => {
                if grantee(&self.nsa.org_id) {
                    Exp::Refused(403, "")
                } else {
                    Exp::Refused(404, "")
                }
            }
        };
        let r = self
            .call(
                who,
                Method::POST,
                &self.api(&format!("/access-grants/{id}/accept-terms")),
                None,
            )
            .await?;
        judge(&r, &[exp], "accept terms")
    }

    /// `None` if the NSA member is not on the grant's roster, else whether they acknowledged.
    pub(super) async fn member_rostered(&self, gi: usize) -> Result<Option<bool>, String> {
        let id = &self.grants[gi].id;
        let l = self
            .read(
                Who::DevAdmin,
                &self.api(&format!("/access-grants/{id}/roster")),
            )
            .await?;
        Ok(l["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x["user_id"] == self.nsa_member.id.as_str())
            .map(|x| !x["acknowledged_at"].is_null()))
    }

    pub(super) async fn request_status(&self, id: &str) -> Result<String, String> {
        let r = self
            .read(
                Who::DevAdmin,
                &self.api(&format!("/designation-requests/{id}")),
            )
            .await?;
        Ok(r["status"].as_str().unwrap_or_default().to_string())
    }
}
