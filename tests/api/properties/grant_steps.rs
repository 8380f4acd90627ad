//! The steps on government grants: offer, move, end, terms, roster, acknowledgment, access log.

use chrono::Duration;
use proptest::sample::Index;
use reqwest::Method;
use serde_json::json;

use super::acts::*;
use super::answers::*;
use super::model::*;
use super::world::World;
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
}
