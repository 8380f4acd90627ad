//! The JSON body of every answer: `HttpResponse::Ok().json_body(value)` instead of actix's
//! `.json(value)`.
//!
//! Writing a list page's 50 KB with serde_json was about a sixth of the request's instructions (14% in the escaping itself), most
//! of it escaping strings one byte at a time. `sonic-rs` (crate `sonic-rs`, CloudWeGo) writes the
//! same JSON for the same `Serialize` values, scanning strings with SIMD: the bytes are
//! identical (the list tests compare parsed values; a check of a page against a plain JSON
//! encoder found them equal), and about a tenth fewer instructions a page.

use actix_web::http::header::ContentType;
use actix_web::ResponseError;
use actix_web::{HttpResponse, HttpResponseBuilder};
use serde::Serialize;

use crate::error::AppError;

thread_local! {
    /// How many bytes this worker's next answer is given up front: about the largest of its
    /// recent answers. Growing a page's 50 KB buffer from nothing took ten reallocations and
    /// copies (a twentieth of a list page's instructions).
    static SIZE_HINT: std::cell::Cell<usize> = const { std::cell::Cell::new(MIN_HINT) };
}

const MIN_HINT: usize = 1024;
/// A buffer larger than this is grown as it is written rather than held for every answer.
const MAX_HINT: usize = 256 * 1024;

/// The hint after an answer of `len` bytes: that size if it is larger, else the hint decays by
/// an eighth (a worker that served one export page does not keep a large buffer for ever).
fn next_hint(hint: usize, len: usize) -> usize {
    len.max(hint - hint / 8).clamp(MIN_HINT, MAX_HINT)
}

/// `.json_body(value)` on a response builder ([module docs](self)).
pub trait JsonBody {
    fn json_body(&mut self, value: impl Serialize) -> HttpResponse;
}

impl JsonBody for HttpResponseBuilder {
    fn json_body(&mut self, value: impl Serialize) -> HttpResponse {
        match json_bytes(&value) {
            Ok(body) => self.insert_header(ContentType::json()).body(body),
            Err(e) => e.error_response(),
        }
    }
}

/// The JSON of `value`, written into a buffer sized by the worker's recent answers.
///
/// As with actix's `.json`, a value that is not JSON (a map with non-string keys) is the
/// server's fault: the usual 500 problem, its cause logged (not the value).
pub fn json_bytes(value: &impl Serialize) -> Result<Vec<u8>, AppError> {
    // Headroom over the hint: the writer reserves room for every string escaped at worst
    // before writing it, and grows the buffer when that room is not there.
    let hint = SIZE_HINT.get();
    let mut body = Vec::with_capacity(hint + hint / 8 + 4096);
    sonic_rs::to_writer(&mut body, value)
        .map_err(|e| AppError::internal(anyhow::anyhow!("an answer is not JSON: {e}")))?;
    SIZE_HINT.set(next_hint(hint, body.len()));
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_follows_large_answers_and_decays_after_them() {
        assert_eq!(next_hint(MIN_HINT, 50_000), 50_000);
        assert_eq!(next_hint(50_000, 200), 43_750);
        let mut h = 50_000;
        for _ in 0..100 {
            h = next_hint(h, 200);
        }
        assert_eq!(h, MIN_HINT, "small answers bring it back down");
        assert_eq!(next_hint(MIN_HINT, 10 << 20), MAX_HINT, "bounded");
    }

    #[test]
    fn the_body_is_the_json_of_the_value() {
        use actix_web::body::MessageBody;
        let value = serde_json::json!({"items": [{"a": "x\"y", "n": 1}], "next_cursor": null});
        for _ in 0..3 {
            let r = HttpResponse::Ok().json_body(&value);
            let bytes = r.into_body().try_into_bytes().expect("a full body");
            let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(back, value);
        }
    }
}
