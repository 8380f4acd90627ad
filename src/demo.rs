//! `frontier-portal demo`: seeds realistic organizations, people and records, all marked DEMO,
//! so a newcomer can sign in as every role at once. The records are made through the same
//! handlers the API serves (so every rule, audit event and email applies), on a clock that starts
//! 40 days ago and moves forward, so the history reads naturally.

use std::sync::Arc;

use actix_web::{web, HttpResponse};
use anyhow::{anyhow, Context};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::accounts::{Env, NewOrg};
use crate::api::json::Json;
use crate::api::{
    access_grants as ag, designations as ds, models as md, nominations as nm, partner_grants as pg,
    terms as tm,
};
use crate::audit::AuditCtx;
use crate::auth::{actor_for_user, Actor, Credential};
use crate::clock::{truncate, Clock, ManualClock};
use crate::config::Settings;
use crate::db;
use crate::domain::policy::OrgKind;
use crate::error::AppResult;
use crate::state::{build_state, AppState};
use crate::store::accounts as users;

/// The password of every demo account (printed, marked DEMO).
pub const DEMO_PASSWORD: &str = "demo-frontier-passphrase-2026";

/// The TOTP secret (base32) of every DEMO account that must sign in with a second factor
/// (agency and operator kinds): add it to an authenticator app, or compute the code from it.
pub const DEMO_TOTP_SECRET: &str = "DEMOFRONTIERPORTALTOTPSECRETAAAA";

struct Seeder {
    state: web::Data<AppState>,
    clock: ManualClock,
    hash: String,
}

async fn json(
    call: impl std::future::Future<Output = AppResult<HttpResponse>>,
) -> anyhow::Result<Value> {
    let r = call.await.map_err(|e| anyhow!("{e}"))?;
    let bytes = actix_web::body::to_bytes(r.into_body())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(serde_json::from_slice(&bytes)?)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

fn t(d: DateTime<Utc>) -> String {
    crate::audit::rfc3339(d)
}

impl Seeder {
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn actor(&self, user_id: &str) -> anyhow::Result<Actor> {
        let mut conn = self.state.pool.get()?;
        let mut actor =
            actor_for_user(&mut conn, user_id, Credential::Session("demo".into()), None)
                .map_err(|e| anyhow!("{e}"))?;
        // The seeder acts as people who have just passed their second factor.
        actor.mfa.stepped_up = true;
        Ok(actor)
    }

    /// An organization with its people (all activated with the demo password).
    fn org(
        &self,
        new: NewOrg,
        people: &[(&str, &str, &str)],
    ) -> anyhow::Result<(String, Vec<String>)> {
        let mut conn = self.state.pool.get()?;
        let now = self.now();
        let env = Env {
            keys: &self.state.keys,
            public_url: self.state.notifier.public_url(),
            now,
        };
        let hash = self.hash.clone();
        let enrolled = self
            .state
            .settings
            .auth
            .mfa_required_kinds
            .contains(&new.kind);
        let sealer = &self.state.sealer;
        db::write_tx(&mut conn, |conn| {
            let (admin_email, admin_name, _) = people[0];
            let ctx = AuditCtx {
                now: Some(now),
                ..Default::default()
            };
            let (org, first, _) = if new.kind == OrgKind::Operator {
                let org = crate::accounts::operator_org(conn, now)?;
                let (u, url) =
                    crate::accounts::invite(conn, &env, &ctx, &org, admin_email, "admin")?;
                (org, u, url)
            } else if new.kind == OrgKind::Developer {
                let org = crate::accounts::insert_org(conn, now, &new)?;
                let (u, url) =
                    crate::accounts::invite(conn, &env, &ctx, &org, admin_email, "admin")?;
                (org, u, url)
            } else {
                crate::accounts::create_org_with_admin(conn, &env, &ctx, &new, admin_email)?
            };
            let mut ids = vec![first.id.clone()];
            users::set_name(conn, &first.id, admin_name)?;
            for (email, name, role) in &people[1..] {
                let (u, _) = crate::accounts::invite(conn, &env, &ctx, &org, email, role)?;
                users::set_name(conn, &u.id, name)?;
                ids.push(u.id);
            }
            for uid in &ids {
                users::set_password(conn, uid, &hash)?;
                users::mark_verified(conn, uid, now)?;
                if enrolled {
                    crate::store::mfa::put_pending_totp(conn, sealer, uid, DEMO_TOTP_SECRET, now)?;
                    crate::store::mfa::confirm_totp(conn, uid, now)?;
                }
            }
            Ok::<_, crate::error::AppError>((org.id, ids))
        })
        .map_err(|e| anyhow!("{e}"))
    }
}

const TERMS: [&str; 6] = [
    "Model weights, outputs and evaluation results are confidential and shared only with rostered personnel of the grantee.",
    "Access only from accredited systems meeting NIST SP 800-53 moderate controls; no copies outside the access environment.",
    "Every rostered person holds a current clearance or public-trust determination and completes insider-threat training.",
    "The developer keeps all intellectual property; no reverse engineering beyond the agreed evaluations.",
    "Use is limited to evaluation, red-teaming and benchmarking for national-security and critical-infrastructure defense.",
    "No disclosure of findings outside the grantee without the developer's written consent, except as required by law.",
];

pub fn seed(settings: Settings, if_empty: bool) -> anyhow::Result<()> {
    let start = truncate(Utc::now()) - Duration::days(40);
    let clock = ManualClock::new(start);
    let state = build_state(settings, Arc::new(clock.clone()))?;
    {
        let mut conn = state.pool.get()?;
        use crate::db::schema::organizations;
        use diesel::prelude::*;
        let n: i64 = organizations::table.count().get_result(&mut conn)?;
        if n > 0 {
            if if_empty {
                println!("Demo database already seeded (DEMO accounts use the password {DEMO_PASSWORD}).");
                print_accounts();
                return Ok(());
            }
            anyhow::bail!("the database is not empty; `demo` seeds a separate, empty database (set PORTAL__DATABASE__URL)");
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let hash = state
            .passwords
            .hash(DEMO_PASSWORD.to_string())
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let s = Seeder {
            state: web::Data::new(state),
            clock,
            hash,
        };
        run(&s).await.context("seeding the demo database")
    })?;
    println!("Demo data seeded.");
    print_accounts();
    Ok(())
}

fn print_accounts() {
    println!();
    println!("==================== DEMO ACCOUNTS (not real people; for exploration only) ====================");
    println!("password for every DEMO account: {DEMO_PASSWORD}");
    println!("TOTP secret of every DEMO agency and operator account (second factor; add it to an");
    println!(
        "authenticator app, or compute the 6-digit code, RFC 6238 SHA-1/30 s): {DEMO_TOTP_SECRET}"
    );
    for (role, email) in ACCOUNTS {
        println!("  DEMO  {role:<44} {email}");
    }
    println!("=================================================================================================");
}

const ACCOUNTS: [(&str, &str); 15] = [
    (
        "operator (portal administrators)",
        "operator@portal.example",
    ),
    ("developer admin, Aurora AI Labs", "admin@aurora-ai.example"),
    (
        "developer member, Aurora AI Labs",
        "engineer@aurora-ai.example",
    ),
    (
        "developer admin, Northwind Intelligence",
        "admin@northwind.example",
    ),
    ("NSA reviewer (admin)", "reviewer@nsa.example"),
    ("NSA analyst (member)", "analyst@nsa.example"),
    ("CISA reviewer (admin)", "reviewer@cisa.example"),
    ("Treasury reviewer (admin)", "reviewer@treasury.example"),
    ("NCD reviewer (admin)", "reviewer@ncd.example"),
    ("OSTP (APST) reviewer (admin)", "reviewer@ostp.example"),
    ("DOW reviewer (admin)", "reviewer@dow.example"),
    (
        "partner admin, Valley Rural Health (hospital)",
        "security@ruralhealth.example",
    ),
    (
        "partner member, Valley Rural Health",
        "analyst@ruralhealth.example",
    ),
    (
        "partner admin, Prairie Community Bank",
        "it@prairiebank.example",
    ),
    (
        "partner admin, River Valley Water Authority",
        "ops@riverwater.example",
    ),
];

async fn run(s: &Seeder) -> anyhow::Result<()> {
    let st = || s.state.clone();
    let day = Duration::days(1);

    // Organizations and people.
    let (_, op) = s.org(
        NewOrg {
            kind: OrgKind::Operator,
            name: "Portal Operators",
            agency_code: None,
            partner_type: None,
            sector: None,
        },
        &[("operator@portal.example", "Olivia Operator", "admin")],
    )?;
    let (_, aurora) = s.org(
        NewOrg {
            kind: OrgKind::Developer,
            name: "Aurora AI Labs",
            agency_code: None,
            partner_type: None,
            sector: None,
        },
        &[
            ("admin@aurora-ai.example", "Dana Reyes", "admin"),
            ("engineer@aurora-ai.example", "Sam Patel", "member"),
        ],
    )?;
    let (_, northwind) = s.org(
        NewOrg {
            kind: OrgKind::Developer,
            name: "Northwind Intelligence",
            agency_code: None,
            partner_type: None,
            sector: None,
        },
        &[("admin@northwind.example", "Lee Nakamura", "admin")],
    )?;
    let (nsa_org, nsa) = s.org(
        NewOrg {
            kind: OrgKind::Agency,
            name: "National Security Agency",
            agency_code: Some("NSA"),
            partner_type: None,
            sector: None,
        },
        &[
            ("reviewer@nsa.example", "Morgan Hale", "admin"),
            ("analyst@nsa.example", "Riley Chen", "member"),
        ],
    )?;
    let (cisa_org, cisa) = s.org(
        NewOrg {
            kind: OrgKind::Agency,
            name: "Cybersecurity and Infrastructure Security Agency",
            agency_code: Some("CISA"),
            partner_type: None,
            sector: None,
        },
        &[("reviewer@cisa.example", "Jordan Brooks", "admin")],
    )?;
    // The offices Sec. 3(a) names for consultation each record their own position.
    let mut consulted = Vec::new();
    for (code, name, email, person) in [
        (
            "NCD",
            "Office of the National Cyber Director",
            "reviewer@ncd.example",
            "Parker Hayes",
        ),
        (
            "OSTP",
            "Office of Science and Technology Policy",
            "reviewer@ostp.example",
            "Rowan Ellis",
        ),
        (
            "DOW",
            "Department of War",
            "reviewer@dow.example",
            "Sydney Park",
        ),
    ] {
        let (_, people) = s.org(
            NewOrg {
                kind: OrgKind::Agency,
                name,
                agency_code: Some(code),
                partner_type: None,
                sector: None,
            },
            &[(email, person, "admin")],
        )?;
        consulted.push((code, s.actor(&people[0])?));
    }
    let (treasury_org, _treasury) = s.org(
        NewOrg {
            kind: OrgKind::Agency,
            name: "Department of the Treasury",
            agency_code: Some("TREASURY"),
            partner_type: None,
            sector: None,
        },
        &[("reviewer@treasury.example", "Avery Collins", "admin")],
    )?;
    let (hospital_org, hospital) = s.org(
        NewOrg {
            kind: OrgKind::Partner,
            name: "Valley Rural Health",
            partner_type: Some("critical_infrastructure_operator"),
            sector: Some("healthcare_and_public_health"),
            agency_code: None,
        },
        &[
            ("security@ruralhealth.example", "Casey Morgan", "admin"),
            ("analyst@ruralhealth.example", "Drew Alvarez", "member"),
        ],
    )?;
    let (bank_org, _bank) = s.org(
        NewOrg {
            kind: OrgKind::Partner,
            name: "Prairie Community Bank",
            partner_type: Some("critical_infrastructure_operator"),
            sector: Some("financial_services"),
            agency_code: None,
        },
        &[("it@prairiebank.example", "Quinn Foster", "admin")],
    )?;
    let (_water_org, _water) = s.org(
        NewOrg {
            kind: OrgKind::Partner,
            name: "River Valley Water Authority",
            partner_type: Some("critical_infrastructure_operator"),
            sector: Some("water_and_wastewater_systems"),
            agency_code: None,
        },
        &[("ops@riverwater.example", "Taylor Kim", "admin")],
    )?;
    let dana = s.actor(&aurora[0])?;
    let sam = s.actor(&aurora[1])?;
    let lee = s.actor(&northwind[0])?;
    let morgan = s.actor(&nsa[0])?;
    let riley = s.actor(&nsa[1])?;
    let jordan = s.actor(&cisa[0])?;
    let casey = s.actor(&hospital[0])?;
    let operator = s.actor(&op[0])?;
    let treasury_admin = s.actor(&_treasury[0])?;
    let now0 = s.now();
    let real_now = now0 + Duration::days(40);

    // Terms: an operator template and Aurora's own.
    let body = |label: &str| tm::CreateTerms {
        label: Some(label.into()),
        confidentiality: Some(TERMS[0].into()),
        cybersecurity: Some(TERMS[1].into()),
        insider_risk: Some(TERMS[2].into()),
        intellectual_property: Some(TERMS[3].into()),
        use_terms: Some(TERMS[4].into()),
        nondisclosure: Some(TERMS[5].into()),
    };
    let template = json(tm::create(
        st(),
        operator.clone(),
        Json(body("Standard Government evaluation terms (template) v1")),
    ))
    .await?;
    let aurora_terms = json(tm::create(
        st(),
        dana.clone(),
        Json(body("Aurora AI Labs evaluation terms 2026")),
    ))
    .await?;

    // Models.
    let model =
        |name: &str, version: &str, desc: &str, modality: &str, release: Option<DateTime<Utc>>| {
            md::CreateModel {
                name: name.into(),
                version: version.into(),
                description: Some(desc.into()),
                modality: Some(modality.into()),
                planned_partner_release_at: release.map(t),
            }
        };
    let a7 = id(&json(md::create(
        st(),
        dana.clone(),
        Json(model(
            "Aurora-7",
            "2026.06",
            "Frontier multimodal model with agentic tool use.",
            "text, code, images",
            Some(real_now + day * 35),
        )),
    ))
    .await?);
    let a7m = id(&json(md::create(
        st(),
        sam.clone(),
        Json(model(
            "Aurora-7 Mini",
            "2026.05",
            "Distilled model for on-device use.",
            "text",
            None,
        )),
    ))
    .await?);
    let a8 = id(&json(md::create(
        st(),
        dana.clone(),
        Json(model(
            "Aurora-8 Preview",
            "0.3",
            "Early research checkpoint.",
            "text, code",
            Some(real_now + day * 60),
        )),
    ))
    .await?);
    let nw2 = id(&json(md::create(
        st(),
        lee.clone(),
        Json(model(
            "Northwind-2",
            "2.0-rc",
            "Financial-analysis model.",
            "text",
            None,
        )),
    ))
    .await?);

    // Designation requests in every state.
    let file = |m: &str, summary: &str| {
        ds::CreateRequest {
        model_id: m.into(),
        summary: summary.into(),
        capability_evidence: "Internal evaluations show strong performance on autonomous vulnerability discovery and exploitation benchmarks; details in the attached evaluation summary.".into(),
        requested_response_by: Some(t(real_now + day * 14)),
    }
    };
    // A path segment as the handler takes it (a typed id or the plain string).
    fn path<T: From<String>>(s: &str) -> web::Path<T> {
        web::Path::from(T::from(s.to_string()))
    }
    let r_det = id(&json(ds::create(
        st(),
        dana.clone(),
        Json(file(&a7, "Is Aurora-7 a covered frontier model?")),
    ))
    .await?);
    json(ds::submit(st(), dana.clone(), path(&r_det))).await?;
    s.clock.advance(day);
    json(ds::assign(
        st(),
        morgan.clone(),
        path(&r_det),
        web::Bytes::new(),
    ))
    .await?;
    let office = |code: &str| {
        if code == "CISA" {
            jordan.clone()
        } else {
            consulted
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, a)| a.clone())
                .expect("seeded above")
        }
    };
    for (code, pos, note) in [
        (
            "CISA",
            "concur",
            "Capabilities relevant to critical-infrastructure defense.",
        ),
        (
            "NCD",
            "concur",
            "Consistent with national cyber strategy priorities.",
        ),
        ("OSTP", "no_comment", "No objection."),
        ("DOW", "concur", "Relevant to defensive cyber operations."),
    ] {
        // Each office records its own consultation (DESIGN §2.2).
        json(ds::consult(
            st(),
            office(code),
            path(&r_det),
            Json(ds::ConsultationBody {
                agency_code: code.into(),
                position: pos.into(),
                note: note.into(),
            }),
        ))
        .await?;
    }
    s.clock.advance(day * 2);
    json(ds::determine(
        st(),
        morgan.clone(),
        path(&r_det),
        Json(ds::DeterminationBody {
            outcome: "covered".into(),
            rationale: "Aurora-7 meets the covered-model threshold for autonomous cyber capability. This determination does not restrict the developer in any way.".into(),
            benchmark_ref: "BM-2026-017".into(),
        }),
    ))
    .await?;
    let r_info = id(&json(ds::create(
        st(),
        sam.clone(),
        Json(file(&a7m, "Aurora-7 Mini: covered or not?")),
    ))
    .await?);
    json(ds::submit(st(), sam.clone(), path(&r_info))).await?;
    json(ds::assign(
        st(),
        riley.clone(),
        path(&r_info),
        web::Bytes::new(),
    ))
    .await?;
    json(ds::request_info(
        st(),
        riley.clone(),
        path(&r_info),
        Json(ds::MessageBody {
            message:
                "Please share the evaluation harness configuration used for the cyber results."
                    .into(),
        }),
    ))
    .await?;
    // One open request per model version: the superseded one was withdrawn before the next.
    let r_wd = id(&json(ds::create(
        st(),
        lee.clone(),
        Json(file(&nw2, "Northwind-2 (superseded request)")),
    ))
    .await?);
    json(ds::submit(st(), lee.clone(), path(&r_wd))).await?;
    json(ds::withdraw_request(st(), lee.clone(), path(&r_wd))).await?;
    // Its response date passed while it is still under review: the queue flags it overdue.
    let r_review = id(&json(ds::create(
        st(),
        lee.clone(),
        Json(ds::CreateRequest {
            requested_response_by: Some((real_now - day * 3).date_naive().to_string()),
            ..file(&nw2, "Northwind-2 financial-analysis model")
        }),
    ))
    .await?);
    json(ds::submit(st(), lee.clone(), path(&r_review))).await?;
    json(ds::consult(
        st(),
        jordan.clone(),
        path(&r_review),
        Json(ds::ConsultationBody {
            agency_code: "CISA".into(),
            position: "no_comment".into(),
            note: "Reviewing.".into(),
        }),
    ))
    .await?;
    let r_sub = id(&json(ds::create(
        st(),
        dana.clone(),
        Json(file(&a8, "Aurora-8 Preview early check")),
    ))
    .await?);
    json(ds::submit(st(), dana.clone(), path(&r_sub))).await?;
    // A draft for the next checkpoint (Aurora-8 Preview 0.3 has its submitted request open).
    let a8_next = id(&json(md::create(
        st(),
        dana.clone(),
        Json(model(
            "Aurora-8 Preview",
            "0.4",
            "Next research checkpoint.",
            "text, code",
            None,
        )),
    ))
    .await?);
    json(ds::create(
        st(),
        dana.clone(),
        Json(file(
            &a8_next,
            "Aurora-8 Preview 0.4 (draft, not yet submitted)",
        )),
    ))
    .await?;

    // Government access grants: expired, ended early, active, scheduled, awaiting terms.
    let offer = |model: &str,
                 grantees: Vec<String>,
                 mode: &str,
                 from: DateTime<Utc>,
                 to: DateTime<Utc>,
                 terms: &Value| {
        ag::OfferBody {
        model_id: model.into(),
        grantee_org_ids: grantees,
        access_mode: mode.into(),
        access_instructions: "DEMO: hosted endpoint https://eval.aurora-ai.example/v1 — credentials are issued per rostered person through the developer's secure portal.".into(),
        starts_at: t(from),
        ends_at: t(to),
        terms_version_id: id(terms),
    }
    };
    let accept_all = |g: String, grantee_admins: Vec<Actor>| {
        let st = st();
        let dana = dana.clone();
        async move {
            json(ag::accept_terms(
                st.clone(),
                dana,
                web::Path::from(g.clone()),
            ))
            .await?;
            for a in grantee_admins {
                json(ag::accept_terms(st.clone(), a, web::Path::from(g.clone()))).await?;
            }
            anyhow::Ok(())
        }
    };
    let now = s.now();
    let expired = id(&json(ag::offer(
        st(),
        dana.clone(),
        Json(offer(
            &a7m,
            vec![nsa_org.clone()],
            "sandbox",
            now + day,
            now + day * 11,
            &template,
        )),
    ))
    .await?);
    accept_all(expired.clone(), vec![morgan.clone()]).await?;
    let ended = id(&json(ag::offer(
        st(),
        dana.clone(),
        Json(offer(
            &a8,
            vec![cisa_org.clone()],
            "hosted_api",
            now + day * 2,
            now + day * 12,
            &aurora_terms,
        )),
    ))
    .await?);
    accept_all(ended.clone(), vec![jordan.clone()]).await?;
    s.clock.advance(day * 5);
    json(ag::end(st(), dana.clone(), path(&ended))).await?;
    // The main active window on Aurora-7, to NSA and CISA, with a roster and an access log.
    s.clock.set(real_now - day * 6);
    let now = s.now();
    let active = id(&json(ag::offer(
        st(),
        dana.clone(),
        Json(offer(
            &a7,
            vec![nsa_org.clone(), cisa_org.clone()],
            "hosted_api",
            now + day,
            now + day * 16,
            &aurora_terms,
        )),
    ))
    .await?);
    accept_all(active.clone(), vec![morgan.clone(), jordan.clone()]).await?;
    json(ag::roster_add(
        st(),
        morgan.clone(),
        path(&active),
        Json(crate::api::grants::RosterBody {
            user_id: riley.user_id.to_string(),
        }),
    ))
    .await?;
    json(ag::roster_add(
        st(),
        morgan.clone(),
        path(&active),
        Json(crate::api::grants::RosterBody {
            user_id: morgan.user_id.to_string(),
        }),
    ))
    .await?;
    json(ag::acknowledge(st(), riley.clone(), path(&active))).await?;
    s.clock.advance(day * 3);
    for (h, kind, mins, summary) in [
        (
            2,
            "evaluation",
            120,
            "Ran the cyber-capability evaluation suite against the hosted endpoint.",
        ),
        (
            30,
            "red_team",
            90,
            "Probed tool-use jailbreaks; findings shared with the developer.",
        ),
    ] {
        let at = s.now() - Duration::hours(h);
        json(ag::log_add(
            st(),
            riley.clone(),
            path(&active),
            Json(ag::LogBody {
                occurred_at: t(at),
                kind: kind.into(),
                duration_minutes: mins,
                summary: summary.into(),
                corrects: None,
            }),
        ))
        .await?;
    }
    // Scheduled (accepted, starts later) and awaiting terms (Northwind to Treasury).
    s.clock.set(real_now - Duration::hours(2));
    let now = s.now();
    let scheduled = id(&json(ag::offer(
        st(),
        dana.clone(),
        Json(offer(
            &a8,
            vec![nsa_org.clone()],
            "weights_on_premises",
            now + day * 5,
            now + day * 15,
            &template,
        )),
    ))
    .await?);
    accept_all(scheduled, vec![morgan.clone()]).await?;
    json(ag::offer(
        st(),
        lee.clone(),
        Json(offer(
            &nw2,
            vec![treasury_org.clone()],
            "sandbox",
            now + day * 3,
            now + day * 10,
            &template,
        )),
    ))
    .await?;
    let _ = &treasury_admin;

    // Co-selection: selected (hospital, with an active early-access grant), pending (bank),
    // declined (a county office), and a Government-nominated new partner (water utility).
    s.clock.set(real_now - day * 3);
    let nominate = |m: &str,
                    partner: Option<String>,
                    new_partner: Option<nm::NewPartnerBody>,
                    why: &str| nm::CreateBody {
        model_id: m.into(),
        partner_org_id: partner,
        new_partner,
        rationale: why.into(),
    };
    let hosp = id(&json(nm::create(
        st(),
        dana.clone(),
        Json(nominate(
            &a7,
            Some(hospital_org.clone()),
            None,
            "Rural hospital network facing ransomware; early defensive testing of clinical IT.",
        )),
    ))
    .await?);
    json(nm::concur(st(), morgan.clone(), path(&hosp))).await?;
    json(nm::create(
        st(),
        dana.clone(),
        Json(nominate(
            &a7,
            Some(bank_org.clone()),
            None,
            "Community bank fraud-detection pilot.",
        )),
    ))
    .await?;
    let county = id(&json(nm::create(
        st(),
        dana.clone(),
        Json(nominate(
            &a7,
            None,
            Some(nm::NewPartnerBody {
                name: "Lakeside County Emergency Management".into(),
                partner_type: "state_local_authority".into(),
                sector: Some("emergency_services".into()),
                contact_email: "em@lakesidecounty.example".into(),
            }),
            "County emergency operations planning.",
        )),
    ))
    .await?);
    json(nm::decline(st(), jordan.clone(), path(&county))).await?;
    let water = id(&json(nm::create(
        st(),
        morgan.clone(),
        Json(nominate(
            &a7,
            Some(_water_org.clone()),
            None,
            "Water utility SCADA defense — proposed by NSA.",
        )),
    ))
    .await?);
    json(nm::concur(st(), sam.clone(), path(&water))).await?;
    s.clock.set(real_now - day * 2);
    let now = s.now();
    let issue = |n: &str, from: DateTime<Utc>, to: DateTime<Utc>| {
        pg::IssueBody {
        nomination_id: n.into(),
        starts_at: t(from),
        ends_at: t(to),
        terms_version_id: id(&aurora_terms),
        access_instructions: "DEMO: sandbox at https://partners.aurora-ai.example — sign in with the portal-issued partner code.".into(),
    }
    };
    let hg = id(&json(pg::issue(
        st(),
        dana.clone(),
        Json(issue(&hosp, now + day, now + day * 30)),
    ))
    .await?);
    json(pg::accept_terms(st(), casey.clone(), path(&hg))).await?;
    json(pg::roster_add(
        st(),
        casey.clone(),
        path(&hg),
        Json(crate::api::grants::RosterBody {
            user_id: casey.user_id.to_string(),
        }),
    ))
    .await?;
    json(pg::roster_add(
        st(),
        casey.clone(),
        path(&hg),
        Json(crate::api::grants::RosterBody {
            user_id: hospital[1].clone(),
        }),
    ))
    .await?;
    json(pg::acknowledge(st(), casey.clone(), path(&hg))).await?;
    json(pg::issue(
        st(),
        dana.clone(),
        Json(issue(&water, now + day * 10, now + day * 40)),
    ))
    .await?;
    Ok(())
}
