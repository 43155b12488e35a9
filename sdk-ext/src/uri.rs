//! Paths and query strings: the path as rules match it, and query parameters (percent-decoded,
//! `+` as space).

use percent_encoding::percent_decode_str;

/// A query component percent-decoded, `+` as space (invalid UTF-8 replaced).
pub fn decode_component(text: &str) -> String {
    decode(text)
}

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

/// The first value of query parameter `name` in `path` (`/a?b=c`). A parameter without `=` has
/// an empty value.
pub fn query_param(path: &str, name: &str) -> Option<String> {
    let (_, query) = path.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name).then(|| decode(value))
    })
}

/// Every value of query parameter `name` as it appears in `path` (still percent-encoded).
pub fn raw_query_values<'p>(path: &'p str, name: &str) -> Vec<&'p str> {
    let Some((_, query)) = path.split_once('?') else { return Vec::new() };
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key) == name).then_some(value)
        })
        .collect()
}

/// `path` without any occurrence of query parameter `name`.
pub fn remove_query_param(path: &str, name: &str) -> String {
    let Some((base, query)) = path.split_once('?') else { return path.to_string() };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
            decode(key) != name
        })
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// Everything but RFC 3986's unreserved characters is encoded.
const COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes `text` for a query parameter value.
pub fn encode_component(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, COMPONENT).to_string()
}

/// The path as path rules compare it: percent-decoded, dot segments resolved, repeated slashes
/// merged — what an upstream that normalises would see, so that `/%61dmin`, `//admin` or
/// `/x/../admin` cannot slip past a rule on `/admin`. `None` when the path is ambiguous, because
/// upstreams read it in different ways, so no rule can know what it matches:
/// - an encoded `/` or `\`, or a backslash (some servers split segments there, others do not);
/// - `;` raw or encoded (Tomcat, Jetty and Spring drop `;` path parameters: `/;/admin` and
///   `/admin;x/panel` are `/admin/panel` to them, while Envoy's `normalize_path` keeps them);
/// - an encoded `%` that starts another escape (`%252F`: a server that decodes twice reads `/`);
/// - a control character or NUL, a bad escape, or bytes that are not UTF-8 once decoded
///   (overlong forms such as `%C0%AE`).
pub fn normalize_path(raw: &str) -> Option<String> {
    let end = raw.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(raw.len());
    let path = raw.get(..end).unwrap_or_default();
    if is_plain(path.as_bytes()) {
        return Some(path.to_string());
    }
    normalize_slowly(path)
}

/// A path already in normal form, as nearly every request's is: printable ASCII with nothing to
/// decode (`%`), no `;` or `\`, and no empty (`//`), `.` or `..` segment but a trailing slash.
fn is_plain(path: &[u8]) -> bool {
    let Some((b'/', rest)) = path.split_first() else { return false };
    if !rest.iter().all(|b| matches!(b, 0x21..=0x7e) && !matches!(b, b'%' | b';' | b'\\')) {
        return false;
    }
    let mut segments = rest.split(|b| *b == b'/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        if segment == b"." || segment == b".." || (segment.is_empty() && !last) {
            return false;
        }
    }
    true
}

fn normalize_slowly(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
    while let Some(&byte) = bytes.get(at) {
        if byte == b'%' {
            let (Some(high), Some(low)) = (hex(bytes.get(at + 1)), hex(bytes.get(at + 2))) else { return None };
            let value = (high * 16 + low) as u8;
            if matches!(value, b'/' | b'\\' | b';') {
                return None;
            }
            if value == b'%' && hex(bytes.get(at + 3)).is_some() && hex(bytes.get(at + 4)).is_some() {
                return None;
            }
            decoded.push(value);
            at += 3;
        } else {
            if byte == b';' {
                return None;
            }
            decoded.push(byte);
            at += 1;
        }
    }
    let text = String::from_utf8(decoded).ok()?;
    if text.chars().any(|c| c == '\\' || c.is_control()) {
        return None;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in text.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let trailing = text.len() > 1 && (text.ends_with('/') || text.ends_with("/.") || text.ends_with("/.."));
    let mut normalized = String::with_capacity(text.len() + 1);
    for segment in &segments {
        normalized.push('/');
        normalized.push_str(segment);
    }
    if normalized.is_empty() || trailing {
        normalized.push('/');
    }
    Some(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The shortcut for paths already in normal form answers as the full reading does.
        #[test]
        fn the_plain_path_shortcut_agrees_with_the_full_reading(path in "[/a-zA-Z.;%2FC5?#\\\\ ~-]{0,24}") {
            let end = path.bytes().position(|b| b == b'?' || b == b'#').unwrap_or(path.len());
            let bare = &path[..end];
            prop_assert_eq!(normalize_path(&path), normalize_slowly(bare));
            if is_plain(bare.as_bytes()) {
                let full = normalize_slowly(bare);
                prop_assert_eq!(full.as_deref(), Some(bare));
            }
        }
    }

    #[test]
    fn query_parameters() {
        assert_eq!(query_param("/a?x=1&api_key=k%2B1&y", "api_key").as_deref(), Some("k+1"));
        assert_eq!(query_param("/a?api%5Fkey=v+w", "api_key").as_deref(), Some("v w"));
        assert_eq!(query_param("/a?flag&x=1", "flag").as_deref(), Some(""));
        assert_eq!(query_param("/a?x=1", "api_key"), None);
        assert_eq!(query_param("/a", "api_key"), None);
        assert_eq!(remove_query_param("/a?x=1&api_key=k&y=2", "api_key"), "/a?x=1&y=2");
        assert_eq!(remove_query_param("/a?api_key=k", "api_key"), "/a");
        assert_eq!(remove_query_param("/a", "api_key"), "/a");
        assert_eq!(
            query_param(&format!("/c?key={}", encode_component("a b&c=d/é")), "key").as_deref(),
            Some("a b&c=d/é")
        );
    }

    #[test]
    fn paths_are_compared_as_an_upstream_would_read_them() {
        for (raw, normalized) in [
            ("/admin", "/admin"),
            ("/admin/", "/admin/"),
            ("//admin", "/admin"),
            ("/./admin", "/admin"),
            ("/x/../admin", "/admin"),
            ("/x/y/../../admin/z", "/admin/z"),
            ("/../../admin", "/admin"),
            ("/%61dmin", "/admin"),
            ("/%2e%2e/admin", "/admin"),
            ("/a%20b", "/a b"),
            ("/caf%C3%A9", "/café"),
            ("/admin?x=/../y", "/admin"),
            ("/admin/.", "/admin/"),
            ("/100%25", "/100%"),
            ("/100%25x", "/100%x"),
            ("", "/"),
            ("/", "/"),
        ] {
            assert_eq!(normalize_path(raw).as_deref(), Some(normalized), "{raw}");
        }
    }

    #[test]
    fn ambiguous_paths_match_no_rule() {
        for raw in [
            "/a%2Fb",
            "/a%2fb",
            "/a%5Cb",
            "/a\\b",
            "/a%00b",
            "/a%0d%0ab",
            "/%C0%AE%C0%AE/admin",
            "/%zz",
            "/%4",
            "/a%ff",
            "/;/admin/panel",
            "/admin;jsessionid=1/panel",
            "/admin/..;/x",
            "/a%3Bb",
            "/a%3bb",
            "/a%252Fb",
            "/a%255c",
        ] {
            assert_eq!(normalize_path(raw), None, "{raw}");
        }
    }
}
