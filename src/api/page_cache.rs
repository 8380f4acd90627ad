//! The bytes of recent list answers, so that a list asked for again before anything changed is
//! not built again (issue 9).
//!
//! A list page costs 25–50 times a `/healthz` answer (the page's statements, building 50 items,
//! writing their JSON); the same page asked for again by the same caller — a dashboard reloaded,
//! a second tab, a client polling, a script walking the list — is answered here for about the
//! cost of authenticating the request.
//!
//! **Why it is never wrong about data.** Every state change appends one audit event in its own
//! transaction (DESIGN §2.8; `audit_coverage` walks every state-changing route and counts), and
//! every write transaction first takes the one write lock on the audit head (`db::write_tx`), so
//! the head's `last_seq` grows with every commit that changes anything, in commit order, on
//! every instance. The request's actor is read together with that number
//! (`store::accounts::actor_rows`), before anything the page shows, so a page built afterwards is
//! at least that new. An answer is kept only under the number it was built at, and served only
//! to a request that read the same number: after any change, on any instance, the next request
//! reads a larger number and builds the page again. (Bookkeeping that writes no event — the
//! outbox's delivery marks, a session's last use — shows in no list.)
//!
//! There are two such numbers ([`Shows`]): the audit list is keyed by the last event of all;
//! every other list by the last event that changed a record (`audit_head.records_seq`, raised by
//! every event except those of a person's own sign-in state, `AuditAction::changes_records`),
//! so a morning's sign-ins do not make every kept page be built again.
//!
//! **Time.** Statuses (`scheduled`/`active`/`ended`), days remaining and step-up depend on the
//! clock as well. An answer is kept for the clock second it was built in (by `state.clock`, so a
//! test's clock moves it too), so a status that changes with time shows at most one second late;
//! the rules themselves are checked on every write, never against a kept page.
//!
//! **Whose.** The key is the request's path and query with the caller's user id and
//! second-factor state; everything else a view depends on (role, organization, rosters) changes
//! only by a write. Authentication is never kept: the actor is read for every request, so a
//! signed-out session or a disabled user is refused before the cache is asked.
//!
//! **Size.** Only the answers of one (version, second) are held; at most
//! `server.page_cache_kib` of them (0 turns the cache off), and none larger than a quarter of
//! that.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api::body::json_bytes;
use crate::auth::{Actor, MfaState};
use crate::error::AppResult;

/// What a list shows, so which change ends its kept pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// Records (grants, requests, models…): kept until the next event that changes one
    /// (`AuditAction::changes_records`; a sign-in does not).
    Records,
    /// The audit trail itself: kept until the next event of any kind.
    AuditTrail,
}

/// What one kept answer is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    path_and_query: String,
    user_id: String,
    mfa: MfaState,
}

/// When the kept answers were built: the data version and the clock second.
type Generation = (i64, i64);

#[derive(Default)]
struct Held {
    generation: Generation,
    bytes: usize,
    pages: HashMap<Key, Bytes>,
}

/// See the [module docs](self).
pub struct PageCache {
    max_bytes: usize,
    held: Mutex<Held>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl PageCache {
    /// A cache of at most `max_bytes` of answers (0: none are kept).
    pub fn new(max_bytes: usize) -> Self {
        PageCache {
            max_bytes,
            held: Mutex::new(Held::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The 200 answer of a list: the kept bytes of the same request at the same data version and
    /// clock second, else `build(actor, now)`'s value as JSON, kept for the next. An error from
    /// `build` is answered as usual and not kept.
    pub async fn answer<T, F, Fut>(
        &self,
        shows: Shows,
        actor: Actor,
        req: &HttpRequest,
        now: DateTime<Utc>,
        build: F,
    ) -> AppResult<HttpResponse>
    where
        T: Serialize,
        F: FnOnce(Actor, DateTime<Utc>) -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        if self.max_bytes == 0 {
            let value = build(actor, now).await?;
            return Ok(response(Bytes::from(json_bytes(&value)?)));
        }
        let version = match shows {
            Shows::Records => actor.versions.records,
            Shows::AuditTrail => actor.versions.trail,
        };
        let generation = (version, now.timestamp());
        let key = Key {
            path_and_query: req
                .uri()
                .path_and_query()
                .map_or_else(|| req.path().to_string(), |p| p.as_str().to_string()),
            user_id: actor.user_id.to_string(),
            mfa: actor.mfa,
        };
        if let Some(bytes) = self.get(generation, &key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(response(bytes));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let value = build(actor, now).await?;
        let bytes = Bytes::from(json_bytes(&value)?);
        self.put(generation, key, bytes.clone());
        Ok(response(bytes))
    }

    /// (answers served from the cache, answers built) since start, for `/metrics`.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    fn get(&self, generation: Generation, key: &Key) -> Option<Bytes> {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.generation != generation {
            return None;
        }
        held.pages.get(key).cloned()
    }

    fn put(&self, generation: Generation, key: Key, bytes: Bytes) {
        if bytes.len() > self.max_bytes / 4 {
            return;
        }
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.generation != generation {
            // Another version or second: what is held is of no use to anyone after it. (Two
            // requests either side of a commit may take turns here for a moment; each answer is
            // still built from data at least as new as its key.)
            held.pages.clear();
            held.bytes = 0;
            held.generation = generation;
        }
        if held.bytes + bytes.len() > self.max_bytes {
            return;
        }
        held.bytes += bytes.len();
        if let Some(old) = held.pages.insert(key, bytes) {
            held.bytes -= old.len();
        }
    }
}

fn response(bytes: Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::json())
        .body(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(path: &str, user: &str) -> Key {
        Key {
            path_and_query: path.into(),
            user_id: user.into(),
            mfa: MfaState::default(),
        }
    }

    #[test]
    fn an_answer_is_served_only_at_its_version_and_second_to_its_caller() {
        let c = PageCache::new(1 << 20);
        c.put((7, 100), key("/a", "u1"), Bytes::from_static(b"[1]"));
        assert_eq!(
            c.get((7, 100), &key("/a", "u1")).as_deref(),
            Some(&b"[1]"[..])
        );
        assert_eq!(c.get((7, 100), &key("/a", "u2")), None, "another caller");
        assert_eq!(
            c.get((7, 100), &key("/a?limit=5", "u1")),
            None,
            "another query"
        );
        assert_eq!(c.get((8, 100), &key("/a", "u1")), None, "after a commit");
        assert_eq!(c.get((7, 101), &key("/a", "u1")), None, "the next second");
        let stepped_up = Key {
            mfa: MfaState {
                stepped_up: true,
                ..MfaState::default()
            },
            ..key("/a", "u1")
        };
        assert_eq!(c.get((7, 100), &stepped_up), None, "another factor state");
    }

    #[test]
    fn a_new_generation_drops_the_old_and_size_is_bounded() {
        let c = PageCache::new(1000);
        c.put((1, 1), key("/a", "u"), Bytes::from(vec![b'x'; 200]));
        c.put((2, 1), key("/b", "u"), Bytes::from(vec![b'x'; 200]));
        assert_eq!(c.get((1, 1), &key("/a", "u")), None);
        assert_eq!(
            c.held.lock().unwrap().bytes,
            200,
            "only the new generation is held"
        );
        c.put((2, 1), key("/c", "u"), Bytes::from(vec![b'x'; 251]));
        assert_eq!(
            c.get((2, 1), &key("/c", "u")),
            None,
            "over a quarter of the cache"
        );
        for p in ["/d", "/e", "/f", "/g"] {
            c.put((2, 1), key(p, "u"), Bytes::from(vec![b'x'; 250]));
        }
        let held = c.held.lock().unwrap();
        assert!(held.bytes <= 1000, "bounded: {}", held.bytes);
        assert_eq!(held.pages.len(), 4, "the page that did not fit is not held");
    }

    #[test]
    fn replacing_a_page_counts_its_bytes_once() {
        let c = PageCache::new(1000);
        c.put((1, 1), key("/a", "u"), Bytes::from(vec![b'x'; 200]));
        c.put((1, 1), key("/a", "u"), Bytes::from(vec![b'x'; 100]));
        assert_eq!(c.held.lock().unwrap().bytes, 100);
    }
}
