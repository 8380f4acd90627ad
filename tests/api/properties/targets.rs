//! Picking a step's target: any record, or (focused) one where the step makes progress.

use proptest::sample::Index;

use super::acts::*;
use super::model::*;
use super::world::World;

impl World {
    /// A focused step's target among `candidates`, else any of `all`.
    pub(super) fn pick(idx: &Index, focus: bool, candidates: &[usize], all: usize) -> usize {
        if focus && !candidates.is_empty() {
            candidates[idx.index(candidates.len())]
        } else {
            idx.index(all)
        }
    }

    /// A grant, and who accepts its terms: focused, a party that has not accepted yet.
    ///
    /// `member`: `Some(None)` = only grants of the NSA; `Some(Some(want))` = only grants where
    /// the NSA member is in state `want` (and, for a rostered member whose organization has
    /// not accepted, only the NSA's acceptance).
    pub(super) async fn pick_acceptance(
        &self,
        idx: &Index,
        who: Who,
        focus: bool,
        member: Option<Option<MemberWant>>,
    ) -> Result<(usize, Who), String> {
        if !focus {
            return Ok((idx.index(self.grants.len()), who));
        }
        let within = match member {
            Some(Some(want)) => Some(self.member_candidates(want).await?),
            _ => None,
        };
        let nsa_party_only = member == Some(Some(MemberWant::RosteredUnaccepted));
        let nsa_only = member.is_some();
        let now = self.now();
        let l = self
            .read(Who::DevAdmin, &self.api("/access-grants?limit=200"))
            .await?;
        let mut pending: Vec<(usize, Who)> = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            let Some(gi) = self
                .grants
                .iter()
                .position(|g| g.id == x["id"].as_str().unwrap_or_default())
            else {
                continue;
            };
            let g = &self.grants[gi];
            if g.finished(now)
                || (nsa_only && !g.grantees.contains(&self.nsa.org_id))
                || within.as_ref().is_some_and(|w| !w.contains(&gi))
            {
                continue;
            }
            if x["developer_accepted_at"].is_null() && !nsa_party_only {
                pending.push((gi, Who::DevAdmin));
            }
            for y in x["grantees"].as_array().into_iter().flatten() {
                if y["terms_accepted_at"].is_null() {
                    let w = if y["org_id"] == self.nsa.org_id.as_str() {
                        Who::NsaAdmin
                    } else {
                        Who::CisaAdmin
                    };
                    if w == Who::NsaAdmin || !nsa_party_only {
                        pending.push((gi, w));
                    }
                }
            }
        }
        pending.sort_by_key(|(gi, _)| *gi);
        Ok(if pending.is_empty() {
            (idx.index(self.grants.len()), who)
        } else {
            pending[idx.index(pending.len())]
        })
    }

    /// Grants where a step of the NSA member can make progress.
    pub(super) async fn member_candidates(&self, want: MemberWant) -> Result<Vec<usize>, String> {
        let now = self.now();
        let l = self
            .read(Who::NsaMember, &self.api("/access-grants?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            let Some(gi) = self
                .grants
                .iter()
                .position(|g| g.id == x["id"].as_str().unwrap_or_default())
            else {
                continue;
            };
            let g = &self.grants[gi];
            let (rostered, ack) = (
                x["viewer"]["rostered"] == true,
                x["viewer"]["acknowledged"] == true,
            );
            let nsa_accepted = x["grantees"].as_array().into_iter().flatten().any(|y| {
                y["org_id"] == self.nsa.org_id.as_str() && !y["terms_accepted_at"].is_null()
            });
            let completed = !x["developer_accepted_at"].is_null()
                && x["grantees"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|y| !y["terms_accepted_at"].is_null());
            let ok = match want {
                MemberWant::Rosterable => !rostered && !g.finished(now),
                MemberWant::Unacknowledged => rostered && !ack && nsa_accepted && !g.finished(now),
                MemberWant::Acknowledged => {
                    ack && completed && g.starts <= now && g.starts < g.effective_end()
                }
                MemberWant::AcknowledgedNotStarted => {
                    ack && completed && now < g.starts && !g.finished(now)
                }
                MemberWant::AcknowledgedIncomplete => ack && !completed && !g.finished(now),
                MemberWant::RosteredUnaccepted => {
                    rostered && !ack && !nsa_accepted && !g.finished(now)
                }
            };
            if ok {
                candidates.push(gi);
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    /// A grant for the NSA member's steps: focused, one where the step can make progress.
    pub(super) async fn pick_grant(
        &self,
        idx: &Index,
        focus: bool,
        want: MemberWant,
    ) -> Result<usize, String> {
        let candidates = if focus {
            self.member_candidates(want).await?
        } else {
            Vec::new()
        };
        Ok(Self::pick(idx, focus, &candidates, self.grants.len()))
    }

    pub(super) async fn request_candidates(&self, states: &[&str]) -> Result<Vec<usize>, String> {
        let l = self
            .read(Who::DevAdmin, &self.api("/designation-requests?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            if states.iter().any(|s| x["status"] == *s) {
                if let Some(i) = self.requests.iter().position(|r| x["id"] == r.as_str()) {
                    candidates.push(i);
                }
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    pub(super) async fn nomination_candidates(&self, status: &str) -> Result<Vec<usize>, String> {
        let l = self
            .read(Who::DevAdmin, &self.api("/nominations?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            if x["status"] == status {
                if let Some(i) = self.nominations.iter().position(|n| x["id"] == n.as_str()) {
                    candidates.push(i);
                }
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    pub(super) async fn pgrant_candidates(&self) -> Result<Vec<usize>, String> {
        let now = self.now();
        let l = self
            .read(Who::Partner, &self.api("/partner-grants?limit=200"))
            .await?;
        let mut candidates = Vec::new();
        for x in l["items"].as_array().into_iter().flatten() {
            if !x["partner_accepted_at"].is_null() {
                continue;
            }
            if let Some(i) = self.pgrants.iter().position(|p| x["id"] == p.id.as_str()) {
                let p = &self.pgrants[i];
                if p.revoked_at.is_none() && now < p.ends {
                    candidates.push(i);
                }
            }
        }
        candidates.sort();
        Ok(candidates)
    }

    /// A focused step with nothing to make progress on becomes the step before it on the
    /// way (log ← wait for the window ← acknowledge ← roster ← accept terms; partner accepts
    /// ← issue ← answer ← nominate; determine/consult ← submit ← file), so short histories
    /// reach deep states.
    pub(super) async fn resolve(&self, act: &Act) -> Result<Act, String> {
        let mut act = act.clone();
        for _ in 0..8 {
            let next = match &act {
                // A step on a record of a kind that does not exist yet: the developer creates
                // one first.
                Act::MoveEnd { grant, .. }
                | Act::End { grant, .. }
                | Act::AcceptTerms { grant, .. }
                | Act::AcceptForMember { grant, .. }
                | Act::Roster { grant, .. }
                | Act::Acknowledge { grant, .. }
                | Act::LogUse { grant, .. }
                    if self.grants.is_empty() =>
                {
                    Some(Act::Offer {
                        model: *grant,
                        start_h: -24,
                        len_h: 10 * 24,
                        grantees: 0,
                        terms: *grant,
                    })
                }
                Act::Submit { request, .. }
                | Act::Withdraw { request, .. }
                | Act::Determine { request, .. }
                | Act::Consult { request, .. }
                    if self.requests.is_empty() =>
                {
                    Some(Act::FileRequest {
                        model: *request,
                        member: false,
                    })
                }
                Act::Answer { nomination, .. }
                | Act::Rescind { nomination, .. }
                | Act::IssuePartnerGrant { nomination, .. }
                    if self.nominations.is_empty() =>
                {
                    Some(Act::Nominate {
                        model: *nomination,
                        who: Who::DevAdmin,
                    })
                }
                Act::PartnerAccept { pgrant, .. } | Act::Revoke { pgrant, .. }
                    if self.pgrants.is_empty() =>
                {
                    Some(Act::IssuePartnerGrant {
                        nomination: *pgrant,
                        start_h: -24,
                        len_h: 20 * 24,
                        focus: true,
                    })
                }
                Act::LogUse {
                    grant, focus: true, ..
                } if self
                    .member_candidates(MemberWant::Acknowledged)
                    .await?
                    .is_empty() =>
                {
                    let waiting = self
                        .member_candidates(MemberWant::AcknowledgedNotStarted)
                        .await?;
                    if let Some(first) = waiting.iter().map(|gi| self.grants[*gi].starts).min() {
                        // Time passes until the earliest such window opens.
                        let h = ((first - self.now()).num_minutes() + 59) / 60;
                        Some(Act::Advance {
                            hours: h.clamp(0, 5 * 24),
                        })
                    } else if self
                        .member_candidates(MemberWant::AcknowledgedIncomplete)
                        .await?
                        .is_empty()
                    {
                        Some(Act::Acknowledge {
                            grant: *grant,
                            focus: true,
                        })
                    } else {
                        Some(Act::AcceptForMember {
                            grant: *grant,
                            want: Some(MemberWant::AcknowledgedIncomplete),
                        })
                    }
                }
                Act::Acknowledge { grant, focus: true }
                    if self
                        .member_candidates(MemberWant::Unacknowledged)
                        .await?
                        .is_empty() =>
                {
                    if self
                        .member_candidates(MemberWant::RosteredUnaccepted)
                        .await?
                        .is_empty()
                    {
                        Some(Act::Roster {
                            grant: *grant,
                            by_cisa: false,
                            focus: true,
                        })
                    } else {
                        Some(Act::AcceptForMember {
                            grant: *grant,
                            want: Some(MemberWant::RosteredUnaccepted),
                        })
                    }
                }
                Act::Roster {
                    grant, focus: true, ..
                } if self
                    .member_candidates(MemberWant::Rosterable)
                    .await?
                    .is_empty() =>
                {
                    Some(Act::AcceptForMember {
                        grant: *grant,
                        want: None,
                    })
                }
                Act::PartnerAccept {
                    pgrant,
                    focus: true,
                } if self.pgrant_candidates().await?.is_empty() => Some(Act::IssuePartnerGrant {
                    nomination: *pgrant,
                    start_h: -24,
                    len_h: 20 * 24,
                    focus: true,
                }),
                Act::IssuePartnerGrant {
                    nomination,
                    focus: true,
                    ..
                } if self.nomination_candidates("selected").await?.is_empty() => {
                    Some(Act::Answer {
                        nomination: *nomination,
                        who: Who::NsaAdmin,
                        concur: true,
                        focus: true,
                    })
                }
                Act::Answer {
                    nomination,
                    focus: true,
                    ..
                } if self.nomination_candidates("pending").await?.is_empty() => {
                    Some(Act::Nominate {
                        model: *nomination,
                        who: Who::DevAdmin,
                    })
                }
                Act::Determine {
                    request,
                    focus: true,
                    ..
                }
                | Act::Consult {
                    request,
                    focus: true,
                    ..
                } if self.request_candidates(&OPEN_REQUEST).await?.is_empty() => {
                    Some(Act::Submit {
                        request: *request,
                        focus: true,
                    })
                }
                Act::Submit {
                    request,
                    focus: true,
                } if self.request_candidates(&["draft"]).await?.is_empty() => {
                    Some(Act::FileRequest {
                        model: *request,
                        member: false,
                    })
                }
                _ => None,
            };
            match next {
                Some(a) => act = a,
                None => break,
            }
        }
        Ok(act)
    }

    /// A designation request: focused, one in one of `states`.
    pub(super) async fn pick_request(
        &self,
        idx: &Index,
        focus: bool,
        states: &[&str],
    ) -> Result<String, String> {
        let candidates = if focus {
            self.request_candidates(states).await?
        } else {
            Vec::new()
        };
        Ok(self.requests[Self::pick(idx, focus, &candidates, self.requests.len())].clone())
    }

    /// A nomination: focused, one whose status is `status`.
    pub(super) async fn pick_nomination(
        &self,
        idx: &Index,
        focus: bool,
        status: &str,
    ) -> Result<String, String> {
        let candidates = if focus {
            self.nomination_candidates(status).await?
        } else {
            Vec::new()
        };
        Ok(self.nominations[Self::pick(idx, focus, &candidates, self.nominations.len())].clone())
    }

    /// A partner grant: focused, one the partner has not accepted and that is still open.
    pub(super) async fn pick_pgrant(&self, idx: &Index, focus: bool) -> Result<usize, String> {
        let candidates = if focus {
            self.pgrant_candidates().await?
        } else {
            Vec::new()
        };
        Ok(Self::pick(idx, focus, &candidates, self.pgrants.len()))
    }
}
