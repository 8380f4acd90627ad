//! One case: the signed-in cast, the shadow of what the server holds, and the step loop.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use super::acts::*;
use super::answers::*;
use super::model::*;
use crate::flows::{agency_org, colleague, keep, new_operator, partner_org, publish_terms};
use crate::helpers::*;

pub(super) struct World {
    pub(super) app: TestApp,
    pub(super) op: User,
    pub(super) dev: User,
    pub(super) dev_member: User,
    /// The same two developers through credentials that never passed a step-up although both
    /// have a second factor enrolled: every developer control runs through these (DESIGN §7:
    /// the off switch never asks for step-up).
    pub(super) dev_plain: User,
    pub(super) dev_member_plain: User,
    /// Set while a developer control runs (see `dev_plain`).
    pub(super) in_control: bool,
    pub(super) nsa: User,
    pub(super) nsa_member: User,
    pub(super) cisa: User,
    pub(super) partner: User,
    pub(super) terms: Vec<String>,
    pub(super) models: Vec<ModelS>,
    pub(super) grants: Vec<GrantS>,
    pub(super) requests: Vec<String>,
    pub(super) nominations: Vec<String>,
    pub(super) pgrants: Vec<PGrantS>,
    /// Grants the NSA member was ever on the roster of.
    pub(super) ever_rostered: Vec<usize>,
    pub(super) last_control: Option<Control>,
    pub(super) audit_seen: i64,
    pub(super) trace: Vec<String>,
    pub(super) steps: usize,
}

impl World {
    pub(super) async fn new(app: TestApp, sc: &Scenario) -> World {
        let op = new_operator(&app).await;
        let nsa = agency_org(&app, &op, "NSA").await;
        let cisa = agency_org(&app, &op, "CISA").await;
        let nsa_member = colleague(&app, &nsa, "analyst@nsa.example", "member").await;
        let (dev, dev_plain) = enrolled_developer(
            &app,
            app.signup_developer("Aurora AI Labs", "dana@aurora.example")
                .await,
        )
        .await;
        let (dev_member, dev_member_plain) =
            enrolled_developer(&app, app.member(&dev, "sam@aurora.example", "member").await).await;
        let partner = partner_org(&app, &op, "Valley Rural Health").await;
        let template = publish_terms(&app, &op, "Standard Government evaluation terms").await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let mut models = Vec::new();
        let n = if sc.two_models { 2 } else { 1 };
        for i in 0..n {
            let planned = if i == n - 1 {
                sc.planned_release_days.map(|d| t0() + Duration::days(d))
            } else {
                None
            };
            let mut body = json!({"name": format!("Aurora-{}", 7 + i), "version": "1.0"});
            if let Some(p) = planned {
                body["planned_partner_release_at"] = json!(rfc(p));
            }
            let m = dev.post(&app.api("/models"), body).await.expect(201).body;
            models.push(ModelS {
                id: m["id"].as_str().unwrap().to_string(),
                planned,
                released: false,
            });
        }
        World {
            app,
            op,
            dev,
            dev_member,
            dev_plain,
            dev_member_plain,
            in_control: false,
            nsa,
            nsa_member,
            cisa,
            partner,
            terms: vec![template],
            models,
            grants: Vec::new(),
            requests: Vec::new(),
            nominations: Vec::new(),
            pgrants: Vec::new(),
            ever_rostered: Vec::new(),
            last_control: None,
            audit_seen: 0,
            trace: Vec::new(),
            steps: 0,
        }
    }

    pub(super) fn user(&self, who: Who) -> &User {
        match who {
            Who::DevAdmin if self.in_control => &self.dev_plain,
            Who::DevMember if self.in_control => &self.dev_member_plain,
            Who::DevAdmin => &self.dev,
            Who::DevMember => &self.dev_member,
            Who::NsaAdmin => &self.nsa,
            Who::NsaMember => &self.nsa_member,
            Who::CisaAdmin => &self.cisa,
            Who::Partner => &self.partner,
            Who::Operator => &self.op,
        }
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }

    pub(super) fn api(&self, p: &str) -> String {
        self.app.api(p)
    }

    /// A call that may change state: traced and checked for well-formedness.
    pub(super) async fn call(
        &mut self,
        who: Who,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Resp, String> {
        let r = self.user(who).call(method.clone(), path, body).await;
        self.trace.push(format!(
            "    {who:?} {method} {} -> {} {}",
            path.trim_start_matches("/api/v1"),
            r.status.as_u16(),
            short(&r.text)
        ));
        well_formed(&r, &format!("{who:?} {method} {path}"))?;
        Ok(r)
    }

    /// A read that must succeed.
    pub(super) async fn read(&self, who: Who, path: &str) -> Result<Value, String> {
        let r = self.user(who).get(path).await;
        well_formed(&r, &format!("{who:?} GET {path}"))?;
        ensure!(
            r.status == 200,
            "{who:?} GET {path}: {} {}",
            r.status,
            r.text
        );
        Ok(r.body)
    }

    pub(super) fn dev_who(member: bool) -> Who {
        if member {
            Who::DevMember
        } else {
            Who::DevAdmin
        }
    }

    pub(super) fn model_windows_except(
        &self,
        model: usize,
        except: Option<usize>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.grants
            .iter()
            .enumerate()
            .filter(|(i, g)| g.model == model && Some(*i) != except)
            .map(|(_, g)| g.effective())
            .collect()
    }

    /// Runs one step: the action, the audit-count check for it, then every invariant.
    pub(super) async fn step(&mut self, act: &Act) -> Result<bool, String> {
        let before = self.app.audit_count().await;
        self.trace.push(format!(
            "step {} at {}: {act:?}",
            self.steps + 1,
            rfc(self.now())
        ));
        let outcome = self.act(act).await?;
        let Some(expected) = outcome else {
            self.trace.push("    (skipped: nothing to act on)".into());
            return Ok(false);
        };
        self.steps += 1;
        let after = self.app.audit_count().await;
        ensure!(
            after - before == expected,
            "audit events: the step should have written {expected}, it wrote {}",
            after - before
        );
        self.check().await?;
        Ok(true)
    }

    /// Performs the action; `None` when it had no target, else the audit events it should add.
    async fn act(&mut self, act: &Act) -> Result<Option<i64>, String> {
        let resolved = self.resolve(act).await?;
        if format!("{resolved:?}") != format!("{act:?}") {
            self.trace.push(format!("    (focused: {resolved:?})"));
        }
        match resolved {
            Act::Offer {
                model,
                start_h,
                len_h,
                grantees,
                terms,
            } => self.offer(model, start_h, len_h, grantees, terms).await,
            Act::MoveEnd {
                grant,
                delta_h,
                member,
            } => self.move_end(grant, delta_h, member).await,
            Act::End { grant, member } => self.end(grant, member).await,
            Act::AcceptTerms { grant, who, focus } => self.accept(grant, who, focus).await,
            Act::AcceptForMember { grant, want } => self.accept_for_member(grant, want).await,
            Act::Roster {
                grant,
                by_cisa,
                focus,
            } => self.roster(grant, by_cisa, focus).await,
            Act::Acknowledge { grant, focus } => self.acknowledge(grant, focus).await,
            Act::LogUse {
                grant,
                ago_h,
                frac,
                focus,
            } => self.log_use(grant, ago_h, frac, focus).await,
            Act::RemoveFromRoster { grant, member } => self.remove_from_roster(grant, member).await,
            Act::FileRequest { model, member } => self.file_request(model, member).await,
            Act::Submit { request, focus } => self.submit(request, focus).await,
            Act::Withdraw { request, member } => self.withdraw(request, member).await,
            Act::Determine {
                request,
                covered,
                who,
                focus,
            } => self.determine(request, covered, who, focus).await,
            Act::Consult {
                request,
                position,
                focus,
            } => self.consult(request, position, focus).await,
            Act::Nominate { model, who } => self.nominate(model, who).await,
            Act::Answer {
                nomination,
                who,
                concur,
                focus,
            } => self.answer(nomination, who, concur, focus).await,
            Act::Rescind { nomination, member } => self.rescind(nomination, member).await,
            Act::IssuePartnerGrant {
                nomination,
                start_h,
                len_h,
                focus,
            } => {
                self.issue_partner_grant(nomination, start_h, len_h, focus)
                    .await
            }
            Act::PartnerAccept { pgrant, focus } => self.partner_accept(pgrant, focus).await,
            Act::Revoke { pgrant, member } => self.revoke(pgrant, member).await,
            Act::Release { model, member } => self.release(model, member).await,
            Act::PublishTerms => self.publish_terms().await,
            Act::Advance { hours } => self.advance(hours).await,
            Act::RepeatLastControl => self.repeat_last_control().await,
        }
    }
}

/// A developer with a second factor enrolled, twice: through a token made on a session right
/// after the factor (it carries the step-up), and through a token made before they enrolled
/// (it never passes step-up: checked here, so the controls prove something).
async fn enrolled_developer(app: &TestApp, u: User) -> (User, User) {
    let plain = keep(app, u.clone()).await;
    app.enrol_totp(&u.client, &u.email).await;
    let stepped = keep(app, u).await;
    plain
        .post(
            &app.api("/auth/api-tokens"),
            json!({"name": "no step-up", "expires_in_days": 1}),
        )
        .await
        .problem(401, "step_up_required");
    (stepped, plain)
}
