//! List items leave out long texts (issue 9, ENGINEERING "Performance habits"): every list
//! answers a summary of each record — the short fields its page and filters use — and the
//! detail (`GET /{id}`) carries the long texts: the terms' sections, the access instructions,
//! the capability evidence, the consultations' notes, the rationale, the model description.
//! The keys of each summary are pinned here, so a long text that creeps back into a list fails.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    list_items_are_summaries_and_the_detail_has_the_long_texts,
    writes_still_answer_the_full_record,
);

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

const VOLUNTARY_NOTICE: &str = "Participation is voluntary: you can withdraw, end, revoke or release at any time, and nothing here waits on the Government.";

fn names(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The one item of `path` as `who` sees it, with the id `id`. The voluntary notice is said
/// once, beside the items, on every list of the engagement's records (not in each item).
async fn item(who: &User, path: &str, id: &str) -> Value {
    let page = who.get(path).await.expect(200);
    if !path.ends_with("/terms") {
        assert_eq!(
            page.body["voluntary_notice"].as_str(),
            Some(VOLUNTARY_NOTICE),
            "{path}: {}",
            page.body
        );
    }
    let all = items(&page);
    all.into_iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{path}: no item {id}"))
}

const GRANT_COMMON: &[&str] = &[
    "id",
    "model_id",
    "model_name",
    "model_version",
    "developer_org_id",
    "developer_org_name",
    "starts_at",
    "ends_at",
    "terms_version_id",
    "terms_label",
    "terms_sha256",
    "status",
    "days_remaining",
    "viewer",
    "created_at",
    "updated_at",
];

async fn list_items_are_summaries_and_the_detail_has_the_long_texts(app: TestApp) {
    let c = cast(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;

    // Terms: the list has the label and fingerprint, the detail the six sections.
    let t = item(&c.dev, &app.api("/terms"), &c.template).await;
    assert_eq!(
        keys(&t),
        names(&[
            "id",
            "label",
            "sha256",
            "is_template",
            "organization_id",
            "created_at"
        ]),
        "{t}"
    );
    let full = c
        .dev
        .get(&app.api(&format!("/terms/{}", c.template)))
        .await
        .expect(200)
        .body;
    for s in [
        "confidentiality",
        "cybersecurity",
        "insider_risk",
        "intellectual_property",
        "use",
        "nondisclosure",
    ] {
        assert!(
            full[s].as_str().is_some_and(|v| !v.is_empty()),
            "{s}: {full}"
        );
    }
    assert_eq!(t["sha256"], full["sha256"]);

    // Models: no description in the list.
    let m = item(&c.dev, &app.api("/models"), &c.model).await;
    assert!(m.get("description").is_none(), "{m}");
    assert_eq!(m["name"], "Aurora-7");
    let full = c
        .dev
        .get(&app.api(&format!("/models/{}", c.model)))
        .await
        .expect(200)
        .body;
    assert_eq!(full["description"], "A frontier model");

    // Designation requests: the summary stays (the list shows it, the search reads it); the
    // evidence, the consultations and the rationale are in the detail.
    let req = submitted_request(&app, &c.dev, &c.model).await;
    c.cisa
        .post(
            &dr(&app, &req, "consultations"),
            json!({"agency_code": "CISA", "position": "concur", "note": "Critical-infrastructure risk reviewed."}),
        )
        .await
        .expect(201);
    determine(&app, &c.nsa, &req, "covered").await;
    for who in [&c.dev, &c.nsa] {
        let r = item(who, &app.api("/designation-requests"), &req).await;
        assert_eq!(
            keys(&r),
            names(&[
                "id",
                "model_id",
                "model_name",
                "model_version",
                "developer_org_id",
                "developer_org_name",
                "status",
                "summary",
                "requested_response_by",
                "overdue",
                "submitted_at",
                "withdrawn_at",
                "assigned_to",
                "consulted",
                "determination",
                "created_at",
                "updated_at",
            ]),
            "{r}"
        );
        assert_eq!(r["summary"], "Is this model covered?");
        assert_eq!(r["consulted"]["CISA"], true, "{r}");
        assert_eq!(
            keys(&r["determination"]),
            names(&["outcome", "determined_at"]),
            "{r}"
        );
        assert_eq!(r["determination"]["outcome"], "covered");
        let full = who.get(&dr(&app, &req, "")).await.expect(200).body;
        assert_eq!(
            full["capability_evidence"],
            "Internal cyber evaluations: see attached summary."
        );
        assert_eq!(
            full["consultations"][0]["note"],
            "Critical-infrastructure risk reviewed."
        );
        assert_eq!(
            full["determination"]["rationale"],
            "Unclassified rationale shared with the developer."
        );
        assert_eq!(full["determination"]["benchmark_ref"], "BM-2026-017");
    }

    // Government access grants: no instructions in the list, even for the developer.
    let g = offer_to_nsa(&app, &c).await;
    let gid = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &gid, &[&c.dev, &c.nsa]).await;
    for who in [&c.dev, &c.nsa] {
        let i = item(who, &app.api("/access-grants"), &gid).await;
        let mut want: Vec<&str> = GRANT_COMMON.to_vec();
        want.extend([
            "grantees",
            "access_mode",
            "ended_at",
            "developer_accepted_at",
        ]);
        assert_eq!(keys(&i), names(&want), "{i}");
        assert_eq!(i["grantees"][0]["org_id"], c.nsa.org_id);
        // The list reads lean rows (no instructions, names and labels only): the same values
        // as the detail.
        let detail = who.get(&ag(&app, &gid, "")).await.expect(200).body;
        for k in &want {
            assert_eq!(i[*k], detail[*k], "{k}: list {i}\ndetail {detail}");
        }
    }
    let full = c.dev.get(&ag(&app, &gid, "")).await.expect(200).body;
    assert!(
        full["access_instructions"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{full}"
    );

    // Nominations: no rationale in the list.
    let nom = selected_nomination(&app, &c.dev, &c.nsa, &c.model, &x.org_id).await;
    for who in [&c.dev, &c.nsa] {
        let n = item(who, &app.api("/nominations"), &nom).await;
        assert!(n.get("rationale").is_none(), "{n}");
        assert_eq!(n["status"], "selected");
        assert_eq!(n["partner_name"], "Valley Rural Health");
        let full = who.get(&nm(&app, &nom, "")).await.expect(200).body;
        assert_eq!(
            full["rationale"],
            "Operates critical infrastructure in a rural region."
        );
    }

    // Partner grants: the terms' label and fingerprint instead of the whole terms, no
    // instructions; the detail has both for the parties.
    let p = issue_partner_grant(
        &app,
        &c.dev,
        &nom,
        &c.template,
        t0() + days(1),
        t0() + days(5),
    )
    .await;
    let pid = p["id"].as_str().unwrap().to_string();
    let terms = c
        .dev
        .get(&app.api(&format!("/terms/{}", c.template)))
        .await
        .expect(200)
        .body;
    let mut want: Vec<&str> = GRANT_COMMON.to_vec();
    want.extend([
        "nomination_id",
        "partner_org_id",
        "partner_name",
        "revoked_at",
        "partner_accepted_at",
        "partner_declined_at",
        "partner_declined_by_name",
        "partner_decline_reason",
    ]);
    for who in [&c.dev, &x, &c.nsa] {
        let i = item(who, &app.api("/partner-grants"), &pid).await;
        assert_eq!(keys(&i), names(&want), "{i}");
        // The list reads lean rows (no instructions, no bookkeeping): the same values as the
        // detail.
        let detail = who.get(&pg(&app, &pid, "")).await.expect(200).body;
        for k in want.iter().filter(|k| !k.starts_with("terms_")) {
            assert_eq!(i[*k], detail[*k], "{k}: list {i}\ndetail {detail}");
        }
        assert_eq!(i["partner_name"], "Valley Rural Health", "{i}");
        assert!(
            i["model_name"].as_str().is_some_and(|s| !s.is_empty()),
            "{i}"
        );
        if who.org_id == c.nsa.org_id {
            // Agencies see the metadata, not the terms (as `terms` is null in their detail).
            assert_eq!(i["terms_label"], Value::Null, "{i}");
            assert_eq!(i["terms_sha256"], Value::Null, "{i}");
        } else {
            assert_eq!(i["terms_label"], terms["label"], "{i}");
            assert_eq!(i["terms_sha256"], terms["sha256"], "{i}");
            let full = who.get(&pg(&app, &pid, "")).await.expect(200).body;
            assert_eq!(full["terms"]["confidentiality"], terms["confidentiality"]);
        }
    }
    let full = c.dev.get(&pg(&app, &pid, "")).await.expect(200).body;
    assert_eq!(
        full["access_instructions"],
        "Partner sandbox at https://partner.example ; credentials by phone"
    );
}

/// Creates and updates answer the full record (201/200), long texts included.
async fn writes_still_answer_the_full_record(app: TestApp) {
    let c = cast(&app).await;
    let x = partner_org(&app, &c.op, "Valley Rural Health").await;
    let t = publish_terms(&app, &c.dev, "Aurora terms").await;
    assert!(t["confidentiality"].is_string(), "{t}");
    let m = new_model_with(
        &app,
        &c.dev,
        json!({"name": "Aurora-8", "version": "1.0", "description": "Long description", "modality": "text"}),
    )
    .await;
    assert_eq!(m["description"], "Long description");
    let g = offer_to_nsa(&app, &c).await;
    assert!(g["access_instructions"].is_string(), "{g}");
    let nom = nominate(&app, &c.dev, m["id"].as_str().unwrap(), &x.org_id).await;
    assert!(nom["rationale"].is_string(), "{nom}");
    let nom = nom["id"].as_str().unwrap().to_string();
    let n = c
        .nsa
        .post_empty(&nm(&app, &nom, "concur"))
        .await
        .expect(200)
        .body;
    assert!(n["rationale"].is_string(), "{n}");
    let p = issue_partner_grant(
        &app,
        &c.dev,
        &nom,
        &c.template,
        t0() + days(1),
        t0() + days(5),
    )
    .await;
    assert!(p["terms"]["use"].is_string(), "{p}");
    assert!(p["access_instructions"].is_string(), "{p}");
    let req = draft_request(&app, &c.dev, &c.model).await;
    let r = c
        .dev
        .post_empty(&dr(&app, &req, "submit"))
        .await
        .expect(200)
        .body;
    assert!(r["capability_evidence"].is_string(), "{r}");
}
