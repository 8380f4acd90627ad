//! The review queue's server-side filters (`GET /designation-requests?q=&assigned=`): a search
//! over the model name, the developer's name and the summary, and who the request is assigned to. Both apply to
//! everything the caller may see, keep the cursor pagination, never reach another
//! organization's records, and refuse bad values with a 422 problem.

use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    search_matches_the_model_developer_or_summary_in_any_case,
    search_treats_like_wildcards_as_plain_characters,
    assigned_filters_to_me_or_to_nobody,
    filters_keep_the_cursor_pagination,
    filters_never_reach_other_organizations,
    bad_filter_values_are_a_422_problem,
);

/// The queue's URL with these query parameters, percent-encoded.
fn queue(app: &TestApp, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    app.api(&format!("/designation-requests?{}", query.join("&")))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The ids a caller gets for these parameters, sorted.
async fn found(app: &TestApp, who: &User, params: &[(&str, &str)]) -> Vec<String> {
    let mut got = ids(&who.get(&queue(app, params)).await.expect(200));
    got.sort();
    got
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// A request with this summary, submitted.
/// Files and submits a request on a new version of the model named `model` (one open request
/// per model version).
async fn request_about(app: &TestApp, dev: &User, model: &str, summary: &str) -> String {
    let model_id = model_version(app, dev, model).await;
    let r = dev
        .post(
            &app.api("/designation-requests"),
            json!({"model_id": model_id, "summary": summary, "capability_evidence": "Internal evaluations."}),
        )
        .await
        .expect(201);
    let id = r.id();
    dev.post_empty(&dr(app, &id, "submit")).await.expect(200);
    id
}

async fn search_matches_the_model_developer_or_summary_in_any_case(app: TestApp) {
    let c = cast(&app).await;
    // A developer whose name shares nothing with its models' names.
    let dev = developer(&app, "Polar Systems", "pat@polar.example").await;
    let by_name = request_about(&app, &dev, "Aurora-7", "Strong autonomy results.").await;
    let by_summary = request_about(
        &app,
        &dev,
        "Borealis",
        "Cyber uplift comparable to AURORA-class models.",
    )
    .await;
    let neither = request_about(&app, &dev, "Borealis", "Biology evaluations only.").await;
    let draft = draft_request(&app, &dev, &model_version(&app, &dev, "Aurora-7").await).await;

    // The reviewer: the model name or the summary, in any case; never a draft.
    assert_eq!(
        found(&app, &c.nsa, &[("q", "aurora")]).await,
        sorted(vec![by_name.clone(), by_summary.clone()])
    );
    assert_eq!(
        found(&app, &c.nsa, &[("q", "BIOLOGY")]).await,
        vec![neither.clone()]
    );
    assert_eq!(
        found(&app, &c.nsa, &[("q", "real-7")]).await,
        Vec::<String>::new(),
        "a substring must be contiguous"
    );
    assert_eq!(
        found(&app, &c.nsa, &[("q", "ora-7")]).await,
        vec![by_name.clone()]
    );
    // The developer organization's name matches all of its (submitted) requests.
    assert_eq!(
        found(&app, &c.nsa, &[("q", "polar sys")]).await,
        sorted(vec![by_name.clone(), by_summary.clone(), neither.clone()])
    );
    // Surrounding spaces do not count, and an empty search is no search.
    assert_eq!(
        found(&app, &c.nsa, &[("q", "  borealis ")]).await,
        sorted(vec![by_summary.clone(), neither.clone()])
    );
    assert_eq!(
        found(&app, &c.nsa, &[("q", "")]).await,
        sorted(vec![by_name.clone(), by_summary.clone(), neither.clone()])
    );
    // With the status filter: both apply.
    c.nsa
        .post_empty(&dr(&app, &by_summary, "withdraw"))
        .await
        .expect(403);
    dev.post_empty(&dr(&app, &by_summary, "withdraw"))
        .await
        .expect(200);
    assert_eq!(
        found(&app, &c.nsa, &[("q", "aurora"), ("status", "submitted")]).await,
        vec![by_name.clone()]
    );
    // The developer searches its own requests, drafts included.
    assert_eq!(
        found(&app, &dev, &[("q", "Aurora")]).await,
        sorted(vec![by_name, by_summary, draft])
    );
    // Another developer's search never reaches these.
    assert_eq!(
        found(&app, &c.dev, &[("q", "polar")]).await,
        Vec::<String>::new()
    );
}

async fn search_treats_like_wildcards_as_plain_characters(app: TestApp) {
    let c = cast(&app).await;
    let percent = request_about(&app, &c.dev, "Aurora-7", "Uplift of 50% on cyber evals.").await;
    let fifty = request_about(&app, &c.dev, "Aurora-7", "Uplift of 500 on cyber evals.").await;
    let underscore = request_about(&app, &c.dev, "Aurora-7", "Uses snake_case tools.").await;
    let any_char = request_about(&app, &c.dev, "Aurora-7", "Uses snakeXcase tools.").await;
    let backslash =
        request_about(&app, &c.dev, "Aurora-7", r"Paths like C:\evals were read.").await;
    let all = sorted(vec![
        percent.clone(),
        fifty.clone(),
        underscore.clone(),
        any_char.clone(),
        backslash.clone(),
    ]);
    assert_eq!(found(&app, &c.nsa, &[("q", "uplift")]).await.len(), 2);
    // `%` and `_` match only themselves, not "anything" and "any one character".
    assert_eq!(
        found(&app, &c.nsa, &[("q", "50%")]).await,
        vec![percent.clone()]
    );
    assert_eq!(found(&app, &c.nsa, &[("q", "%")]).await, vec![percent]);
    assert_eq!(
        found(&app, &c.nsa, &[("q", "snake_case")]).await,
        vec![underscore.clone()]
    );
    assert_eq!(found(&app, &c.nsa, &[("q", "_")]).await, vec![underscore]);
    // The escape character itself is plain text too.
    assert_eq!(
        found(&app, &c.nsa, &[("q", r"C:\evals")]).await,
        vec![backslash.clone()]
    );
    assert_eq!(found(&app, &c.nsa, &[("q", r"\")]).await, vec![backslash]);
    assert_eq!(
        found(&app, &c.nsa, &[("q", r"\%")]).await,
        Vec::<String>::new()
    );
    // Without a search every one of them is there.
    assert_eq!(found(&app, &c.nsa, &[]).await, all);
}

async fn assigned_filters_to_me_or_to_nobody(app: TestApp) {
    let c = cast(&app).await;
    let nsa_colleague = colleague(&app, &c.nsa, "second@nsa.example", "member").await;
    let aurora = || model_version(&app, &c.dev, "Aurora-7");
    let mine = submitted_request(&app, &c.dev, &c.model).await;
    let cisas = submitted_request(&app, &c.dev, &aurora().await).await;
    let nobodys = submitted_request(&app, &c.dev, &aurora().await).await;
    let draft = draft_request(&app, &c.dev, &aurora().await).await;
    assign_self(&app, &c.nsa, &mine).await;
    assign_self(&app, &c.cisa, &cisas).await;

    assert_eq!(
        found(&app, &c.nsa, &[("assigned", "me")]).await,
        vec![mine.clone()]
    );
    assert_eq!(
        found(&app, &c.cisa, &[("assigned", "me")]).await,
        vec![cisas.clone()]
    );
    assert_eq!(
        found(&app, &nsa_colleague, &[("assigned", "me")]).await,
        Vec::<String>::new(),
        "a colleague's assignment is not mine"
    );
    assert_eq!(
        found(&app, &c.nsa, &[("assigned", "unassigned")]).await,
        vec![nobodys.clone()]
    );
    // Absent or empty: everything.
    assert_eq!(
        found(&app, &c.nsa, &[("assigned", "")]).await,
        sorted(vec![mine.clone(), cisas.clone(), nobodys.clone()])
    );
    // Reassigning moves a request from one reviewer's "me" to the other's.
    c.nsa
        .post(&dr(&app, &cisas, "assign"), json!({"user_id": c.nsa.id}))
        .await
        .expect(200);
    assert_eq!(
        found(&app, &c.nsa, &[("assigned", "me")]).await,
        sorted(vec![mine.clone(), cisas])
    );
    assert_eq!(
        found(&app, &c.cisa, &[("assigned", "me")]).await,
        Vec::<String>::new()
    );
    // Together with the search and the status.
    assert_eq!(
        found(
            &app,
            &c.nsa,
            &[
                ("assigned", "me"),
                ("q", "aurora"),
                ("status", "under_review")
            ]
        )
        .await
        .len(),
        2
    );
    assert_eq!(
        found(
            &app,
            &c.nsa,
            &[("assigned", "unassigned"), ("q", "nothing like it")]
        )
        .await,
        Vec::<String>::new()
    );
    // A developer is never a reviewer: its own unassigned requests, drafts included.
    assert_eq!(
        found(&app, &c.dev, &[("assigned", "me")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(&app, &c.dev, &[("assigned", "unassigned")]).await,
        sorted(vec![nobodys, draft])
    );
}

async fn filters_keep_the_cursor_pagination(app: TestApp) {
    let c = cast(&app).await;
    let mut want = Vec::new();
    for i in 0..5 {
        want.push(request_about(&app, &c.dev, "Aurora-7", &format!("Aurora run {i}.")).await);
        // Interleaved requests that do not match: the pages must skip them, not come up short.
        request_about(&app, &c.dev, "Borealis", &format!("Unrelated {i}.")).await;
    }
    let mut got = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![
            ("q", "aurora run"),
            ("assigned", "unassigned"),
            ("limit", "2"),
        ];
        if let Some(cur) = &cursor {
            params.push(("cursor", cur));
        }
        let page = c.nsa.get(&queue(&app, &params)).await.expect(200);
        pages += 1;
        let page_ids = ids(&page);
        assert!(page_ids.len() <= 2, "{}", page.text);
        got.extend(page_ids);
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 10, "the pages never end");
    }
    assert_eq!(pages, 3, "5 matches in pages of 2");
    // Newest first, each once.
    let mut newest_first = want.clone();
    newest_first.reverse();
    assert_eq!(got, newest_first);
}

async fn filters_never_reach_other_organizations(app: TestApp) {
    let c = cast(&app).await;
    let rival = developer(&app, "Rival Labs", "riley@rival.example").await;
    let ours = request_about(&app, &c.dev, "Aurora-7", "Aurora autonomy results.").await;
    // The same model name.
    let theirs = request_about(&app, &rival, "Aurora-7", "Aurora autonomy results.").await;
    let their_draft =
        draft_request(&app, &rival, &model_version(&app, &rival, "Aurora-7").await).await;
    let op = c.op.clone();
    let partner = partner_org(&app, &op, "Valley Rural Health").await;

    let both = sorted(vec![theirs.clone(), their_draft.clone()]);
    // (parameters, what the rival developer finds): its draft matches by its model's name.
    let cases = [
        (vec![("q", "aurora")], both.clone()),
        (vec![("q", "autonomy")], vec![theirs.clone()]),
        (vec![("assigned", "unassigned")], both.clone()),
        (vec![("q", "aurora"), ("assigned", "unassigned")], both),
    ];
    // The rival's own name, searched by the first developer, reaches nothing of the rival's.
    assert_eq!(
        found(&app, &c.dev, &[("q", "rival")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        found(&app, &rival, &[("q", "rival")]).await,
        sorted(vec![theirs.clone(), their_draft.clone()])
    );
    assert_eq!(
        found(&app, &c.nsa, &[("q", "rival labs")]).await,
        vec![theirs.clone()]
    );
    for (params, rivals) in cases {
        assert_eq!(found(&app, &c.dev, &params).await, vec![ours.clone()]);
        assert_eq!(found(&app, &rival, &params).await, rivals);
        // Agencies see both developers' submitted requests, never a draft.
        assert_eq!(
            found(&app, &c.nsa, &params).await,
            sorted(vec![ours.clone(), theirs.clone()])
        );
        // Partners and operators see no designation request at all.
        assert_eq!(found(&app, &partner, &params).await, Vec::<String>::new());
        assert_eq!(found(&app, &op, &params).await, Vec::<String>::new());
    }
}

async fn bad_filter_values_are_a_422_problem(app: TestApp) {
    let c = cast(&app).await;
    submitted_request(&app, &c.dev, &c.model).await;
    let bad = |params: Vec<(&'static str, String)>, field: &'static str| {
        let (app, nsa) = (&app, &c.nsa);
        async move {
            let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = nsa
                .get(&queue(app, &pairs))
                .await
                .problem(422, "validation_failed");
            assert_eq!(r.fields(), vec![field.to_string()], "{}", r.text);
        }
    };
    bad(vec![("assigned", "someone".into())], "assigned").await;
    bad(vec![("assigned", "ME".into())], "assigned").await;
    bad(vec![("assigned", c.nsa.id.clone())], "assigned").await;
    bad(vec![("q", "a".repeat(101))], "q").await;
    bad(vec![("q", "é".repeat(101))], "q").await;
    bad(vec![("q", "line\nbreak".into())], "q").await;
    // A NUL anywhere in a query string is refused before any handler, as on every route.
    c.nsa
        .get(&queue(&app, &[("q", "Aurora\0")]))
        .await
        .problem(400, "malformed_request");
    // The bound itself is fine, in characters rather than bytes.
    c.nsa
        .get(&queue(&app, &[("q", &"é".repeat(100))]))
        .await
        .expect(200);
    c.nsa
        .get(&queue(&app, &[("q", &"a".repeat(100))]))
        .await
        .expect(200);
    // A bad filter is refused for every kind of caller, before anything is read.
    c.dev
        .get(&queue(&app, &[("assigned", "nobody")]))
        .await
        .problem(422, "validation_failed");
}
