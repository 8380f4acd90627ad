//! The developer controls (DESIGN §2.7): answered 200 at once, whatever the state.

use reqwest::Method;
use serde_json::{json, Value};

use super::acts::*;
use super::answers::*;
use super::model::*;
use super::world::World;
use crate::flows::no_gate;
use crate::helpers::*;

impl World {
    /// A developer control (DESIGN §2.7): must answer 200 at once whatever the state; writes
    /// one audit event when it changes something, none when it is a repeat.
    pub(super) async fn control(&mut self, c: Control) -> Result<i64, String> {
        self.in_control = true;
        let out = self.control_steps(c).await;
        self.in_control = false;
        out
    }

    async fn control_steps(&mut self, c: Control) -> Result<i64, String> {
        let now = self.now();
        self.last_control = Some(c.clone());
        let (who, method, path, body, exp, what): (
            Who,
            Method,
            String,
            Option<Value>,
            Vec<Exp>,
            String,
        );
        let mut must_succeed = true;
        match &c {
            Control::End { grant, member } => {
                let g = &self.grants[*grant];
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/access-grants/{}/end", g.id));
                body = None;
                exp = vec![if g.finished(now) {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = "end grant".into();
            }
            Control::Move {
                grant,
                new_ends,
                member,
            } => {
                let g = &self.grants[*grant];
                let new_ends = *new_ends;
                who = Self::dev_who(*member);
                method = Method::PATCH;
                path = self.api(&format!("/access-grants/{}", g.id));
                body = Some(json!({"ends_at": rfc(new_ends)}));
                let shortening = new_ends < g.ends && new_ends > g.starts;
                must_succeed = shortening;
                exp = if shortening {
                    // DESIGN §2.4/§2.7: the developer may always move ends_at earlier.
                    vec![Exp::Done(200)]
                } else if new_ends == g.ends {
                    // Moving the end to where it already is changes nothing, even on a closed grant.
                    vec![Exp::Repeat(200)]
                } else if new_ends <= g.starts {
                    vec![
                        Exp::Refused(422, "invalid_window"),
                        Exp::Refused(409, "invalid_transition"),
                    ]
                } else if g.finished(now) {
                    // Extending a grant that already closed.
                    vec![Exp::Refused(409, "invalid_transition")]
                } else {
                    let others = self.model_windows_except(g.model, Some(*grant));
                    match window_verdict(&others, g.starts, new_ends, self.models[g.model].planned)
                    {
                        Ok(()) => vec![Exp::Done(200)],
                        Err(code) => vec![Exp::Refused(422, code)],
                    }
                };
                what = if shortening {
                    "shorten grant".into()
                } else {
                    "move grant end".into()
                };
            }
            Control::Withdraw { request, member } => {
                let id = self.requests[*request].clone();
                let status = self.request_status(&id).await?;
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/designation-requests/{id}/withdraw"));
                body = None;
                exp = vec![if status == "withdrawn" {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = format!("withdraw a {status} request");
            }
            Control::Release { model, member } => {
                let m = &self.models[*model];
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/models/{}/release", m.id));
                body = None;
                exp = vec![if m.released {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = "release model".into();
            }
            Control::Rescind { nomination, member } => {
                let id = self.nominations[*nomination].clone();
                let n = self
                    .read(Who::DevAdmin, &self.api(&format!("/nominations/{id}")))
                    .await?;
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/nominations/{id}/rescind"));
                body = None;
                exp = vec![if n["rescinded_at"].is_null() {
                    Exp::Done(200)
                } else {
                    Exp::Repeat(200)
                }];
                what = format!(
                    "rescind a {} nomination",
                    n["status"].as_str().unwrap_or("?")
                );
            }
            Control::Revoke { pgrant, member } => {
                let p = &self.pgrants[*pgrant];
                who = Self::dev_who(*member);
                method = Method::POST;
                path = self.api(&format!("/partner-grants/{}/revoke", p.id));
                body = None;
                exp = vec![if p.revoked_at.is_some() {
                    Exp::Repeat(200)
                } else {
                    Exp::Done(200)
                }];
                what = "revoke partner grant".into();
            }
            Control::RemoveFromRoster { grant, member } => {
                let rostered = self.member_rostered(*grant).await?;
                let g = &self.grants[*grant];
                who = Self::dev_who(*member);
                method = Method::DELETE;
                path = self.api(&format!(
                    "/access-grants/{}/roster/{}",
                    g.id, self.nsa_member.id
                ));
                body = None;
                exp = vec![if rostered.is_some() {
                    Exp::Done(200)
                } else {
                    Exp::Repeat(200)
                }];
                what = "remove from roster".into();
            }
        }
        let r = self.call(who, method, &path, body).await?;
        no_gate(&r);
        if must_succeed {
            ensure!(
                r.status == 200,
                "DESIGN §2.7: the developer control `{what}` ({c:?}) was refused: {} {}",
                r.status,
                r.text
            );
        }
        let d = judge(&r, &exp, &what)?;
        if let (
            Control::Move {
                grant, new_ends, ..
            },
            "window_cap_exceeded",
        ) = (&c, r.code())
        {
            let g = &self.grants[*grant];
            let others = self.model_windows_except(g.model, Some(*grant));
            cap_problem_days(&r, &others, g.starts, *new_ends)?;
        }
        // Keep the shadow in step with what the control changed.
        if r.status == 200 && d == 1 {
            match c {
                Control::End { grant, .. } => self.grants[grant].ended_at = Some(now),
                Control::Move {
                    grant, new_ends, ..
                } => self.grants[grant].ends = new_ends,
                Control::Release { model, .. } => self.models[model].released = true,
                Control::Rescind { nomination, .. } => {
                    let nid = self.nominations[nomination].clone();
                    for p in self.pgrants.iter_mut().filter(|p| p.nomination == nid) {
                        if p.revoked_at.is_none() {
                            p.revoked_at = Some(now);
                        }
                    }
                }
                Control::Revoke { pgrant, .. } => self.pgrants[pgrant].revoked_at = Some(now),
                Control::Withdraw { .. } | Control::RemoveFromRoster { .. } => {}
            }
        }
        Ok(d)
    }
}
