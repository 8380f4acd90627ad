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

/// `.json_body(value)` on a response builder ([module docs](self)).
pub trait JsonBody {
    fn json_body(&mut self, value: impl Serialize) -> HttpResponse;
}

impl JsonBody for HttpResponseBuilder {
    fn json_body(&mut self, value: impl Serialize) -> HttpResponse {
        match sonic_rs::to_vec(&value) {
            Ok(body) => self.insert_header(ContentType::json()).body(body),
            // As with actix's `.json`, a value that is not JSON (a map with non-string keys) is
            // the server's fault: the usual 500 problem, its cause logged (not the value).
            Err(e) => {
                AppError::internal(anyhow::anyhow!("an answer is not JSON: {e}")).error_response()
            }
        }
    }
}
