//! Query strings: reading and removing parameters (percent-decoded, `+` as space).

use percent_encoding::percent_decode_str;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
