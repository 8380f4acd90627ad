//! The review queue sorted by the requested response date (issue 11: "sort and overdue flags by
//! response date"): `GET /designation-requests?sort=response_by` answers the soonest date first,
//! requests without a date last, ties by id (oldest first), for agencies and developers alike,
//! with the other filters; its cursor pages never skip or repeat a request, across a run of equal
//! dates and across the end of the dated ones; a bad `sort` or cursor is a 422 in plain words.

use serde_json::json;

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    sorting_by_response_date_puts_the_soonest_first_and_undated_last,
    response_date_pages_have_no_gaps_or_repeats,
    bad_sort_values_and_cursors_are_a_422_in_plain_words,
);

/// A submitted request on a new version of `model`, with this response date (days from the
/// test clock's today), or none.
async fn request_due(app: &TestApp, dev: &User, model: &str, due_in_days: Option<i64>) -> String {
    let model_id = model_version(app, dev, model).await;
    let mut body = json!({"model_id": model_id, "summary": format!("{model} review"), "capability_evidence": "Internal evaluations."});
    if let Some(d) = due_in_days {
        body["requested_response_by"] = json!((app.now() + days(d)).date_naive().to_string());
    }
    let id = dev
        .post(&app.api("/designation-requests"), body)
        .await
        .expect(201)
        .id();
    dev.post_empty(&dr(app, &id, "submit")).await.expect(200);
    id
}

/// Every id of the sorted queue for `who`, read in pages of `limit` (the extra parameters are
/// other filters), and the number of pages.
async fn read_all(app: &TestApp, who: &User, limit: usize, extra: &str) -> (Vec<String>, usize) {
    let mut got = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = app.api(&format!(
            "/designation-requests?sort=response_by&limit={limit}{extra}"
        ));
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = who.get(&url).await.expect(200);
        pages += 1;
        let page_ids = ids(&page);
        assert!(page_ids.len() <= limit, "{}", page.text);
        got.extend(page_ids);
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 50, "the pages never end");
    }
    (got, pages)
}

struct Queue {
    c: Cast,
    /// The ids in the order the sort must give.
    want: Vec<String>,
}

/// Nine requests: three due in 2 days (a run of equal dates), one in 5, one in 9, one today,
/// and three without a date, filed in a shuffled order of dates.
async fn queue(app: &TestApp) -> Queue {
    let c = cast(app).await;
    let plan: [(&str, Option<i64>); 9] = [
        ("M1", Some(5)),
        ("M2", Some(2)),
        ("M3", None),
        ("M4", Some(2)),
        ("M5", Some(9)),
        ("M6", None),
        ("M7", Some(2)),
        ("M8", Some(0)),
        ("M9", None),
    ];
    let mut filed = Vec::new();
    for (model, due) in plan {
        filed.push((due, request_due(app, &c.dev, model, due).await));
    }
    // Soonest first; ties by id (ids are time-ordered, so in filing order); undated last.
    let mut want = filed.clone();
    want.sort_by(|(a, ia), (b, ib)| {
        (a.is_none(), a.unwrap_or(0), ia.clone()).cmp(&(b.is_none(), b.unwrap_or(0), ib.clone()))
    });
    Queue {
        c,
        want: want.into_iter().map(|(_, id)| id).collect(),
    }
}

async fn sorting_by_response_date_puts_the_soonest_first_and_undated_last(app: TestApp) {
    let q = queue(&app).await;
    // A draft: the developer sees it in its own queue, agencies never do.
    let draft_model = model_version(&app, &q.c.dev, "Draft").await;
    let draft =
        q.c.dev
            .post(
                &app.api("/designation-requests"),
                json!({"model_id": draft_model, "summary": "Not yet", "capability_evidence": "e",
                   "requested_response_by": (app.now() + days(1)).date_naive().to_string()}),
            )
            .await
            .expect(201)
            .id();
    let r =
        q.c.nsa
            .get(&app.api("/designation-requests?sort=response_by"))
            .await
            .expect(200);
    assert_eq!(ids(&r), q.want, "the agency's queue");
    let dates: Vec<serde_json::Value> = items(&r)
        .iter()
        .map(|i| i["requested_response_by"].clone())
        .collect();
    assert!(dates[..6].iter().all(|d| d.is_string()) && dates[6..].iter().all(|d| d.is_null()));
    assert!(r.body["next_cursor"].is_null());
    // The developer's own queue: the draft (due tomorrow) takes its place among the dates.
    let mut dev_want = q.want.clone();
    dev_want.insert(1, draft.clone());
    let r =
        q.c.dev
            .get(&app.api("/designation-requests?sort=response_by"))
            .await
            .expect(200);
    assert_eq!(ids(&r), dev_want, "the developer's queue");
    // Another developer sees none of them.
    let other = developer(&app, "Other Labs", "olive@other.example").await;
    let r = other
        .get(&app.api("/designation-requests?sort=response_by"))
        .await
        .expect(200);
    assert!(ids(&r).is_empty(), "{}", r.text);
    // The other filters apply in this order too, and `newest` is the default order.
    let r =
        q.c.nsa
            .get(&app.api("/designation-requests?sort=response_by&q=M2%20review"))
            .await
            .expect(200);
    assert_eq!(ids(&r).len(), 1, "{}", r.text);
    let newest = ids(&q
        .c
        .nsa
        .get(&app.api("/designation-requests"))
        .await
        .expect(200));
    let explicit = ids(&q
        .c
        .nsa
        .get(&app.api("/designation-requests?sort=newest"))
        .await
        .expect(200));
    assert_eq!(newest, explicit);
    let mut by_id = q.want.clone();
    by_id.sort();
    by_id.reverse();
    assert_eq!(newest, by_id, "default: newest first");
}

async fn response_date_pages_have_no_gaps_or_repeats(app: TestApp) {
    let q = queue(&app).await;
    // Pages of 2 break inside the run of three equal dates and inside the undated ones; pages
    // of 3 end exactly where the undated ones begin (6 dated); pages of 1 cross every boundary.
    for (limit, pages) in [(1, 9), (2, 5), (3, 3), (4, 3), (9, 1), (50, 1)] {
        let (got, n) = read_all(&app, &q.c.nsa, limit, "").await;
        assert_eq!(got, q.want, "pages of {limit}");
        assert_eq!(n, pages, "pages of {limit}");
    }
    // A request filed between two pages lands in its place without disturbing what follows.
    let first =
        q.c.nsa
            .get(&app.api("/designation-requests?sort=response_by&limit=4"))
            .await
            .expect(200);
    assert_eq!(ids(&first), q.want[..4].to_vec());
    let late = request_due(&app, &q.c.dev, "Late", Some(30)).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let rest =
        q.c.nsa
            .get(&app.api(&format!(
                "/designation-requests?sort=response_by&limit=50&cursor={cursor}"
            )))
            .await
            .expect(200);
    let mut want_rest = q.want[4..6].to_vec();
    want_rest.push(late);
    want_rest.extend_from_slice(&q.want[6..]);
    assert_eq!(ids(&rest), want_rest);
    // With a filter, the pages still hold only matches, each once.
    let (got, _) = read_all(&app, &q.c.nsa, 2, "&assigned=unassigned").await;
    assert_eq!(got.len(), q.want.len() + 1);
}

async fn bad_sort_values_and_cursors_are_a_422_in_plain_words(app: TestApp) {
    let c = cast(&app).await;
    request_due(&app, &c.dev, "A", Some(3)).await;
    request_due(&app, &c.dev, "B", None).await;
    let plain = |r: &Resp| {
        let detail = r.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.starts_with(|ch: char| ch.is_uppercase()) && detail.ends_with('.'),
            "{detail}"
        );
        assert!(!detail.contains('_'), "internal word in {detail:?}");
    };
    for bad in ["soonest", "RESPONSE_BY", "response_by,id"] {
        let r = c
            .nsa
            .get(&app.api(&format!("/designation-requests?sort={bad}")))
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["sort"], "{}", r.text);
        plain(&r);
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("requested response date"),
            "{}",
            r.text
        );
    }
    // A cursor of one order does not continue the other.
    let newest = c
        .nsa
        .get(&app.api("/designation-requests?limit=1"))
        .await
        .expect(200);
    let uuid_cursor = newest.body["next_cursor"].as_str().unwrap().to_string();
    let sorted = c
        .nsa
        .get(&app.api("/designation-requests?sort=response_by&limit=1"))
        .await
        .expect(200);
    let date_cursor = sorted.body["next_cursor"].as_str().unwrap().to_string();
    for url in [
        format!("/designation-requests?sort=response_by&cursor={uuid_cursor}"),
        format!("/designation-requests?cursor={date_cursor}"),
        "/designation-requests?sort=response_by&cursor=2026-13-01_x".to_string(),
        "/designation-requests?sort=response_by&cursor=none_nope".to_string(),
    ] {
        let r = c
            .nsa
            .get(&app.api(&url))
            .await
            .problem(422, "validation_failed");
        assert_eq!(r.fields(), vec!["cursor"], "{url}: {}", r.text);
        plain(&r);
    }
    let r = c
        .nsa
        .get(&app.api("/designation-requests?sort=response_by&limit=0"))
        .await
        .problem(422, "validation_failed");
    assert_eq!(r.fields(), vec!["limit"]);
}
