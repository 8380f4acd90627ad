//! The JSON body extractor of every handler. Like `actix_web::web::Json`, but a value of the
//! wrong type names its field: deserialization runs through `serde_path_to_error`, so
//! `{"ends_at": 12345}` answers 422 with `errors: [{field: "ends_at", …}]` (nested fields as
//! `new_partner.sector`), while a body that is not JSON at all answers 400, a body over the limit
//! 413 and a non-JSON content type 415 — all as problem documents.

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::api::JSON_LIMIT;
use crate::error::ProblemCode;
use crate::error::{AppError, FieldError};

#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ProblemCode::BodyTooLarge,
        format!("The request body is larger than {} KiB.", JSON_LIMIT / 1024),
    )
}

fn not_json() -> AppError {
    AppError::bad_request("The request body is not valid JSON.")
}

/// The path (`name`, `new_partner.sector`, `grantee_org_ids[1]`) of the first string — value or
/// key — holding a NUL character, if any.
fn nul_path(v: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match v {
        Value::String(s) if s.contains('\0') => Some(if at.is_empty() {
            "body".into()
        } else {
            at.into()
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_path(x, &format!("{at}[{i}]"))),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            if k.contains('\0') {
                Some(join(&k.replace('\0', "")))
            } else {
                nul_path(x, &join(k))
            }
        }),
        _ => None,
    }
}

/// Parses a body, naming the field of a type error. Refused besides type errors, so that bad
/// input is a 4xx problem on both backends and never reaches the database (DESIGN §6):
/// bytes after the JSON value (400, like any malformed body), and a NUL character in any
/// string (422 naming the field: PostgreSQL's text cannot hold it, SQLite's can — one rule here
/// keeps the backends alike).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // A NUL can only arrive escaped (a raw control character is not valid JSON), so the full
    // walk runs only for bodies that spell one.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| not_json())?;
        if let Some(field) = nul_path(&v, "") {
            return Err(AppError::validation(vec![FieldError::new(
                field,
                "must not contain NUL characters",
            )]));
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, T>(&mut *de);
    if parsed.is_ok() {
        // Only whitespace may follow the value.
        de.end().map_err(|_| not_json())?;
    }
    match parsed {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if !inner.is_data() {
                return Err(not_json());
            }
            let msg = inner.to_string();
            let msg = msg
                .split(" at line ")
                .next()
                .unwrap_or(&msg)
                .replace('`', "");
            // serde reports a missing field at its parent's path; name the field itself.
            let field = match msg.strip_prefix("missing field ") {
                Some(name) if path == "." => name.to_string(),
                Some(name) => format!("{path}.{name}"),
                None if path == "." => "body".to_string(),
                None => path,
            };
            let message = if msg.starts_with("missing field") {
                "is required".to_string()
            } else {
                msg
            };
            Err(AppError::validation(vec![FieldError::new(field, message)]))
        }
    }
}

/// An integer field as JSON Schema's `integer` describes it: `90` and `90.0` alike (a number
/// with a zero fractional part), within `i64`. For `#[serde(deserialize_with = ...)]`.
pub fn integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<i64, E> {
            // 2^63 is exact as an f64; anything from it on is out of range.
            if v.fract() == 0.0 && v >= -(2f64.powi(63)) && v < 2f64.powi(63) {
                Ok(v as i64)
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Float(v), &self))
            }
        }
    }
    d.deserialize_any(V)
}

/// [`integer`] for an optional field (absent or `null` = `None`; needs `#[serde(default)]`).
pub fn opt_integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(serde::Deserialize)]
    struct W(#[serde(deserialize_with = "integer")] i64);
    Ok(<Option<W> as serde::Deserialize>::deserialize(d)?.map(|w| w.0))
}

/// A nested object field (absent or `null` = `None`; needs `#[serde(default)]`). Unlike serde's
/// derived struct impls, an array is refused, not read as the fields in order.
pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::de::Error;
    match <Option<serde_json::Map<String, serde_json::Value>> as serde::Deserialize>::deserialize(
        d,
    )? {
        None => Ok(None),
        Some(m) => T::deserialize(serde_json::Value::Object(m))
            .map(Some)
            .map_err(D::Error::custom),
    }
}

/// Every request body of the API is a JSON object (serde's derived impls would also read an
/// array as the fields in order): anything else is a 422 on `body`.
fn require_object(bytes: &[u8]) -> Result<(), AppError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => Ok(()),
        Some(_) => Err(AppError::validation(vec![FieldError::new(
            "body",
            "must be a JSON object",
        )])),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let essence = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let too_big = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > JSON_LIMIT);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if too_big {
                return Err(too_large());
            }
            if !is_json {
                return Err(AppError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ProblemCode::UnsupportedMediaType,
                    "Send the body as application/json.",
                ));
            }
            let bytes =
                body.await
                    .map_err(|e| match e.as_error::<actix_web::error::PayloadError>() {
                        Some(actix_web::error::PayloadError::Overflow) => too_large(),
                        _ => AppError::bad_request("The request body could not be read."),
                    })?;
            if bytes.len() > JSON_LIMIT {
                return Err(too_large());
            }
            require_object(&bytes)?;
            parse(&bytes).map(Json)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        sector: Option<String>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[test]
    fn errors_name_their_field() {
        let e = parse::<Body>(br#"{"name": 5}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "name");
        let e = parse::<Body>(br#"{"name": "x", "inner": {"sector": 3}}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "inner.sector");
        let e = parse::<Body>(br#"{}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "name");
        assert_eq!(
            parse::<Body>(b"{nope").unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn trailing_bytes_are_a_malformed_body() {
        assert!(parse::<Body>(b"{\"name\": \"x\"}  \n").is_ok());
        for body in [
            &b"{\"name\": \"x\"}{}"[..],
            b"{\"name\": \"x\"} x",
            b"{\"name\": \"x\"},",
        ] {
            let e = parse::<Body>(body).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{:?}", body);
        }
    }

    #[test]
    fn nul_characters_are_refused_naming_the_field() {
        let e = parse::<Body>(br#"{"name": "a\u0000b"}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.errors[0].field, "name");
        let e = parse::<Body>(br#"{"name": "x", "inner": {"sector": "\u0000"}}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "inner.sector");
        let e = parse::<Vec<String>>(br#"["ok", "\u0000"]"#).unwrap_err();
        assert_eq!(e.errors[0].field, "[1]");
        let e = parse::<Body>(br#"{"name": "x", "extra\u0000": 1}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "extra");
        // An escaped backslash followed by "u0000" is six ordinary characters.
        let b = parse::<Body>(br#"{"name": "a\\u0000"}"#).unwrap();
        assert_eq!(b.name, "a\\u0000");
    }
}
