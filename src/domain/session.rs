//! Sessions and personal API tokens as a person sees them (DESIGN §7): what a token may do, and
//! the short browser label that the sessions page and the new-browser email show.

domain_string_enum! {
    /// What a personal API token may do.
    pub enum TokenScope {
        /// Only reading: GET and HEAD requests. Anything else answers 403 `insufficient_scope`.
        Read = "read",
        /// Everything its user may do.
        ReadWrite = "read_write",
    }
}

impl TokenScope {
    /// Whether a token of this scope may make a request with this method.
    pub fn allows(self, method: &str) -> bool {
        match self {
            TokenScope::ReadWrite => true,
            TokenScope::Read => matches!(method, "GET" | "HEAD"),
        }
    }
}

/// A short label for a `User-Agent` header, such as "Chrome on Linux". It is made only from the
/// fixed words below, never from the header's own text, so it is safe to put in an email and
/// stable across browser updates (the new-browser email compares labels, not versions).
pub fn browser_label(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.map(str::trim).filter(|s| !s.is_empty()) else {
        return "Unknown browser".into();
    };
    // Order matters: Edge and Opera say "Chrome", Chrome says "Safari", every browser "Mozilla".
    let browser = if ua.contains("Edg/") || ua.contains("Edge/") {
        Some("Edge")
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        Some("Opera")
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        Some("Firefox")
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        Some("Chrome")
    } else if ua.contains("Safari/") {
        Some("Safari")
    } else if ua.starts_with("curl/") {
        Some("curl")
    } else {
        None
    };
    let os = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") || ua.contains("iPad") || ua.contains("iOS") {
        Some("iOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("CrOS") {
        Some("ChromeOS")
    } else if ua.contains("Linux") || ua.contains("X11") {
        Some("Linux")
    } else {
        None
    };
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_string(),
        (None, Some(o)) => format!("A browser on {o}"),
        (None, None) => "Other client".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_browser_and_system() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari on iOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("curl/8.5.0", "curl"),
            ("<script>alert(1)</script>", "Other client"),
            ("", "Unknown browser"),
        ];
        for (ua, want) in cases {
            assert_eq!(browser_label(Some(ua)), want, "{ua}");
        }
        assert_eq!(browser_label(None), "Unknown browser");
    }

    #[test]
    fn a_read_token_only_reads() {
        assert!(TokenScope::Read.allows("GET"));
        assert!(TokenScope::Read.allows("HEAD"));
        for m in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            assert!(!TokenScope::Read.allows(m), "{m}");
            assert!(TokenScope::ReadWrite.allows(m), "{m}");
        }
    }
}
