//! Finding credentials in a request and taking them out again. Pure functions over header and
//! path text, so they are fuzzed on the host.

use base64::Engine;

/// `Authorization: Basic <base64(user:password)>` (RFC 7617).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BasicParse {
    /// Not a Basic credential (another scheme, or no header).
    NotBasic,
    Malformed,
    Credentials {
        username: String,
        password: String,
    },
}

/// Splits an `Authorization` value into scheme and parameters (RFC 9110 credentials syntax).
pub fn split_scheme(value: &str) -> Option<(&str, &str)> {
    let value = value.trim_matches(|c| c == ' ' || c == '\t');
    let (scheme, rest) = value.split_once([' ', '\t'])?;
    Some((scheme, rest.trim_start_matches([' ', '\t'])))
}

pub fn parse_basic(authorization: Option<&str>) -> BasicParse {
    let Some(value) = authorization else { return BasicParse::NotBasic };
    let Some((scheme, encoded)) = split_scheme(value) else {
        return if value.trim().eq_ignore_ascii_case("basic") { BasicParse::Malformed } else { BasicParse::NotBasic };
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return BasicParse::NotBasic;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim_end()) else {
        return BasicParse::Malformed;
    };
    let Ok(text) = String::from_utf8(decoded) else { return BasicParse::Malformed };
    match text.split_once(':') {
        Some((username, password)) if !username.is_empty() && !username.chars().any(char::is_control) => {
            BasicParse::Credentials { username: username.to_string(), password: password.to_string() }
        }
        _ => BasicParse::Malformed,
    }
}

/// The token after `prefix` (matched exactly), e.g. `Bearer `. `None` when the value does not
/// start with the prefix; an empty token is `Some("")`.
pub fn strip_prefix<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    value.strip_prefix(prefix).map(|rest| rest.trim_matches(|c| c == ' ' || c == '\t'))
}

/// The token after `prefix` (matched case-insensitively), e.g. `Bearer `. `None` when the value
/// does not start with the prefix; an empty token is `Some("")`.
pub fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    value.get(prefix.len()..).map(|rest| rest.trim_matches(|c| c == ' ' || c == '\t'))
}

pub use sieve_sdk_ext::uri::{query_param, remove_query_param};

/// Cookie `name` from a `Cookie` header value.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"'))
    })
}

/// The `Cookie` header without cookie `name`; `None` when no cookie is left.
pub fn remove_cookie(header: &str, name: &str) -> Option<String> {
    let kept: Vec<&str> = header
        .split(';')
        .map(str::trim)
        .filter(|pair| !pair.is_empty() && pair.split_once('=').is_none_or(|(k, _)| k.trim() != name))
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

#[cfg(test)]
#[path = "credential_test.rs"]
mod tests;
