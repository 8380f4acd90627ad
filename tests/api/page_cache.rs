//! The kept list answers (`api::page_cache`, issue 9): a list asked for again is answered from
//! memory, and never with a page older than the last commit on any instance, older than the
//! clock's second, or built for another caller.

use crate::dual_tests;
use crate::flows::*;
use crate::helpers::*;

dual_tests!(
    a_list_asked_again_is_kept_and_a_write_on_either_instance_shows_at_once,
    a_kept_list_follows_the_clock,
    a_kept_list_is_only_its_callers,
    a_refused_list_is_not_kept,
    a_sign_in_keeps_record_lists_and_ends_the_kept_audit_list,
);

/// `portal_list_pages_kept_served` of the instance `who` talks to.
async fn kept(who: &User) -> u64 {
    let r = who.get("/metrics").await.expect(200);
    r.text
        .lines()
        .find_map(|l| l.strip_prefix("portal_list_pages_kept_served "))
        .unwrap_or_else(|| panic!("no page-cache count in /metrics: {}", r.text))
        .trim()
        .parse::<f64>()
        .expect("a count") as u64
}

fn status_of(r: &Resp, id: &str) -> String {
    items(r)
        .iter()
        .find(|g| g["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in {}", r.text))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn a_list_asked_again_is_kept_and_a_write_on_either_instance_shows_at_once(app: TestApp) {
    let c = cast(&app).await;
    let list = app.api("/access-grants");
    let first = c.dev.get(&list).await.expect(200);
    let before = kept(&c.dev).await;
    let again = c.dev.get(&list).await.expect(200);
    assert_eq!(again.text, first.text, "the same answer");
    assert_eq!(kept(&c.dev).await, before + 1, "served from the cache");

    // A write on this instance shows in the next answer (the test's clock stands still, so
    // this is the same clock second: only the data version tells the pages apart).
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    let after = c.dev.get(&list).await.expect(200);
    assert_eq!(ids(&after), vec![id.clone()], "{}", after.text);
    assert_eq!(kept(&c.dev).await, before + 1, "built again, not kept");

    // A second instance on the same database keeps its own pages; a write on the first shows
    // on the second at once.
    let b = app.second_instance().await;
    let dev_b = c.dev.at(&b);
    assert_eq!(
        status_of(&dev_b.get(&list).await.expect(200), &id),
        "awaiting_terms"
    );
    let kept_b = kept(&dev_b).await;
    assert_eq!(
        status_of(&dev_b.get(&list).await.expect(200), &id),
        "awaiting_terms"
    );
    assert_eq!(
        kept(&dev_b).await,
        kept_b + 1,
        "the second instance kept its page"
    );
    c.dev.post_empty(&ag(&app, &id, "end")).await.expect(200);
    assert_eq!(
        status_of(&dev_b.get(&list).await.expect(200), &id),
        "ended",
        "the end made on the first instance shows on the second"
    );
    // And the other way round: a write on the second shows on the first.
    let nsa_b = c.nsa.at(&b);
    let models_before = c.dev.get(&app.api("/models")).await.expect(200);
    assert_eq!(ids(&models_before).len(), 1);
    let m = new_model(&app, &dev_b, "Second model").await;
    let models_after = c.dev.get(&app.api("/models")).await.expect(200);
    assert!(ids(&models_after).contains(&m), "{}", models_after.text);
    // An agency's list follows the same number.
    nsa_b.get(&list).await.expect(200);
}

async fn a_kept_list_follows_the_clock(app: TestApp) {
    let c = cast(&app).await;
    let g = offer(
        &app,
        &c.dev,
        &c.model,
        &[&c.nsa],
        &c.template,
        t0() + days(1),
        t0() + days(3),
    )
    .await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    let list = app.api("/access-grants");
    assert_eq!(
        status_of(&c.dev.get(&list).await.expect(200), &id),
        "scheduled"
    );
    let before = kept(&c.dev).await;
    assert_eq!(
        status_of(&c.dev.get(&list).await.expect(200), &id),
        "scheduled"
    );
    assert_eq!(kept(&c.dev).await, before + 1, "kept while nothing changes");
    // Nothing is written, but the window opens: the kept page is not answered any more.
    app.advance(days(1));
    assert_eq!(
        status_of(&c.dev.get(&list).await.expect(200), &id),
        "active"
    );
    app.advance(days(2));
    assert_eq!(
        status_of(&c.dev.get(&list).await.expect(200), &id),
        "expired"
    );
}

async fn a_kept_list_is_only_its_callers(app: TestApp) {
    let c = cast(&app).await;
    let analyst = colleague(&app, &c.nsa, "analyst@nsa.example", "member").await;
    let other = colleague(&app, &c.nsa, "other@nsa.example", "member").await;
    let g = offer_to_nsa(&app, &c).await;
    let id = g["id"].as_str().unwrap().to_string();
    accept_all(&app, &id, &[&c.dev, &c.nsa]).await;
    let r = roster_add(&c.nsa, &ag(&app, &id, ""), &analyst.id).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{} {}",
        r.status,
        r.text
    );
    let list = app.api("/access-grants");
    // The analyst's page is built and kept first; the colleague's is their own.
    let a = analyst.get(&list).await.expect(200);
    let a2 = analyst.get(&list).await.expect(200);
    assert_eq!(a.text, a2.text);
    let o = other.get(&list).await.expect(200);
    assert_eq!(items(&a)[0]["viewer"]["rostered"], true, "{}", a.text);
    assert_eq!(items(&o)[0]["viewer"]["rostered"], false, "{}", o.text);
    // Another organization, same list and version: its own (empty) page.
    let cisa = c.cisa.get(&list).await.expect(200);
    assert!(items(&cisa).is_empty(), "{}", cisa.text);
}

async fn a_refused_list_is_not_kept(app: TestApp) {
    let c = cast(&app).await;
    let bad = app.api("/access-grants?limit=0");
    let before = kept(&c.dev).await;
    c.dev.get(&bad).await.problem(422, "validation_failed");
    c.dev.get(&bad).await.problem(422, "validation_failed");
    assert_eq!(
        kept(&c.dev).await,
        before,
        "a problem is answered as it is, never kept"
    );
    // A signed-out caller is refused before the cache is asked, even for a kept page.
    let list = app.api("/access-grants");
    c.dev.get(&list).await.expect(200);
    c.dev.get(&list).await.expect(200);
    let mut gone = c.dev.clone();
    gone.client.bearer = Some("not-a-token".into());
    gone.get(&list).await.expect(401);
}

async fn a_sign_in_keeps_record_lists_and_ends_the_kept_audit_list(app: TestApp) {
    let c = cast(&app).await;
    let list = app.api("/access-grants");
    let trail = app.api("/audit-events");
    c.dev.get(&list).await.expect(200);
    c.dev.get(&trail).await.expect(200);
    let before = kept(&c.dev).await;
    // The developer admin signs in again elsewhere: an event, but no record changes.
    app.login(&c.dev.email, PASSWORD).await;
    c.dev.get(&list).await.expect(200);
    assert_eq!(
        kept(&c.dev).await,
        before + 1,
        "the grants page is still the kept one"
    );
    let t = c.dev.get(&trail).await.expect(200);
    assert_eq!(
        kept(&c.dev).await,
        before + 1,
        "the audit page is built again"
    );
    assert_eq!(items(&t)[0]["action"], "session.created", "{}", t.text);
}
