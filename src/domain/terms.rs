//! Versioned terms of access (Sec. 3(b)(ii), DESIGN §2.3).
//!
//! Sec. 3(b)(ii) puts Government access under confidentiality, cybersecurity, insider-risk,
//! intellectual-property, use and nondisclosure requirements. A terms version carries a label
//! and those six sections, all required. Once published it is immutable and identified by the
//! SHA-256 of its canonical form, so an acceptance ("who, when, which version, which hash")
//! can later be checked against the exact text that was accepted — also outside the portal.
//!
//! # Canonical form (reproducible by an outside verifier)
//!
//! [`canonical_bytes`] is UTF-8 JSON: one object with exactly the seven keys
//! `confidentiality`, `cybersecurity`, `insider_risk`, `intellectual_property`, `label`,
//! `nondisclosure`, `use` in that (byte-wise sorted) order, no whitespace between tokens, each
//! value the field's text **verbatim** (not trimmed or normalized) as a JSON string. Strings
//! are escaped as serde_json does: `"` → `\"`, `\` → `\\`, the control characters U+0008,
//! U+0009, U+000A, U+000C, U+000D → `\b \t \n \f \r`, other characters below U+0020 →
//! `\u00XX` (lowercase hex); everything else, including `/` and all non-ASCII, is written as
//! raw UTF-8. In Python: `json.dumps(d, sort_keys=True, separators=(",", ":"),
//! ensure_ascii=False)` produces the same bytes. The hash is the lowercase hex SHA-256 of
//! those bytes.

use sha2::{Digest, Sha256};

/// The content of a terms version: a label and the six sections Sec. 3(b)(ii) requires.
/// In JSON the `use_terms` field is named `use` (a Rust keyword).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermsContent {
    /// A short human name, e.g. "NSA evaluation terms v2".
    pub label: String,
    /// Confidentiality requirements.
    pub confidentiality: String,
    /// Cybersecurity requirements for the access environment.
    pub cybersecurity: String,
    /// Insider-risk requirements for the people given access.
    pub insider_risk: String,
    /// Intellectual-property protections.
    pub intellectual_property: String,
    /// Permitted uses of the access.
    #[serde(rename = "use")]
    pub use_terms: String,
    /// Nondisclosure requirements.
    pub nondisclosure: String,
}

/// The longest label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// The longest section accepted, in characters.
pub const MAX_SECTION_CHARS: usize = 20_000;

/// One invalid field, reported in a 422's `errors: [{field, message}]` list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The JSON field name (e.g. `use`, not `use_terms`).
    pub field: &'static str,
    /// What is wrong, for people.
    pub message: String,
}

impl TermsContent {
    /// The fields as `(json name, value)` pairs in canonical (sorted) order.
    fn canonical_fields(&self) -> [(&'static str, &str); 7] {
        [
            ("confidentiality", &self.confidentiality),
            ("cybersecurity", &self.cybersecurity),
            ("insider_risk", &self.insider_risk),
            ("intellectual_property", &self.intellectual_property),
            ("label", &self.label),
            ("nondisclosure", &self.nondisclosure),
            ("use", &self.use_terms),
        ]
    }
}

/// Checks that every field is present (non-blank after trimming) and not too long: the label
/// at most [`MAX_LABEL_CHARS`], each section at most [`MAX_SECTION_CHARS`] characters. Why
/// required: terms missing any of the six Sec. 3(b)(ii) requirements are not terms the order
/// describes. Reports every invalid field at once, in canonical field order.
pub fn validate(terms: &TermsContent) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = terms
        .canonical_fields()
        .into_iter()
        .filter_map(|(field, value)| {
            let max = if field == "label" {
                MAX_LABEL_CHARS
            } else {
                MAX_SECTION_CHARS
            };
            if value.trim().is_empty() {
                Some(FieldError {
                    field,
                    message: "is required".to_string(),
                })
            } else if value.chars().count() > max {
                Some(FieldError {
                    field,
                    message: format!("must be at most {max} characters"),
                })
            } else {
                None
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The canonical bytes that are hashed; see the module docs for the exact form. Written by
/// hand (not through a JSON map) so that no serde_json feature can change the key order.
pub fn canonical_bytes(terms: &TermsContent) -> Vec<u8> {
    let mut out = String::from("{");
    for (i, (key, value)) in terms.canonical_fields().into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(key);
        out.push_str("\":");
        out.push_str(&serde_json::to_string(value).expect("a string always serializes"));
    }
    out.push('}');
    out.into_bytes()
}

/// The lowercase hex SHA-256 of [`canonical_bytes`]: the identity of a published terms version
/// that every acceptance records.
pub fn sha256_hex(terms: &TermsContent) -> String {
    hex::encode(Sha256::digest(canonical_bytes(terms)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TermsContent {
        TermsContent {
            label: "Standard evaluation terms v1".into(),
            confidentiality: "Keep it confidential.".into(),
            cybersecurity: "Use an accredited enclave.".into(),
            insider_risk: "Named, vetted individuals only.".into(),
            intellectual_property: "No rights transfer.".into(),
            use_terms: "Evaluation of national-security risk only.".into(),
            nondisclosure: "Do not disclose results without consent.".into(),
        }
    }

    /// Computed once from the canonical form documented above and checked in.
    const GOLDEN_SHA256: &str = "f4258c06dd3f8a8afec110a95ca89eaa4d078d5028f9e5a42eedd14b0dfd124b";

    #[test]
    fn canonical_form_is_sorted_compact_json() {
        let bytes = canonical_bytes(&sample());
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text,
            "{\"confidentiality\":\"Keep it confidential.\",\
             \"cybersecurity\":\"Use an accredited enclave.\",\
             \"insider_risk\":\"Named, vetted individuals only.\",\
             \"intellectual_property\":\"No rights transfer.\",\
             \"label\":\"Standard evaluation terms v1\",\
             \"nondisclosure\":\"Do not disclose results without consent.\",\
             \"use\":\"Evaluation of national-security risk only.\"}"
        );
        // It is valid JSON that reads back into the same content.
        let back: TermsContent = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn escaping_matches_documented_form() {
        let mut t = sample();
        t.label = "a\"b\\c\nd\u{1}é/€\u{8}\u{c}\t\r\u{1f}".into();
        let text = String::from_utf8(canonical_bytes(&t)).unwrap();
        // The same bytes Python's json.dumps(..., ensure_ascii=False) gives for this string.
        assert!(
            text.contains(r#""label":"a\"b\\c\nd\u0001é/€\b\f\t\r\u001f""#),
            "{text}"
        );
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(sha256_hex(&sample()), GOLDEN_SHA256);
        let recomputed = hex::encode(Sha256::digest(canonical_bytes(&sample())));
        assert_eq!(sha256_hex(&sample()), recomputed);
        assert_eq!(recomputed.len(), 64);
    }

    #[test]
    fn hash_changes_when_any_field_changes() {
        let base = sha256_hex(&sample());
        let edits: [fn(&mut TermsContent); 7] = [
            |t| t.label.push('!'),
            |t| t.confidentiality.push('!'),
            |t| t.cybersecurity.push('!'),
            |t| t.insider_risk.push('!'),
            |t| t.intellectual_property.push('!'),
            |t| t.use_terms.push('!'),
            |t| t.nondisclosure.push('!'),
        ];
        let mut seen = vec![base];
        for edit in edits {
            let mut t = sample();
            edit(&mut t);
            let h = sha256_hex(&t);
            assert!(!seen.contains(&h));
            seen.push(h);
        }
        // Moving text between sections changes the hash too.
        let mut swapped = sample();
        std::mem::swap(&mut swapped.confidentiality, &mut swapped.nondisclosure);
        assert!(!seen.contains(&sha256_hex(&swapped)));
    }

    #[test]
    fn validation() {
        assert_eq!(validate(&sample()), Ok(()));
        let mut t = sample();
        t.use_terms = "   ".into();
        t.label = "x".repeat(201);
        t.nondisclosure = "y".repeat(20_001);
        let errors = validate(&t).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["label", "nondisclosure", "use"]);
        assert_eq!(errors[2].message, "is required");
        assert_eq!(errors[0].message, "must be at most 200 characters");
        // Limits are inclusive and counted in characters, not bytes.
        let mut t = sample();
        t.label = "é".repeat(200);
        t.cybersecurity = "é".repeat(20_000);
        assert_eq!(validate(&t), Ok(()));
        let json = serde_json::to_value(sample()).unwrap();
        assert!(json.get("use").is_some() && json.get("use_terms").is_none());
    }
}
