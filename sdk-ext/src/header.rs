//! Header names and values checked when the configuration loads, so that nothing a filter writes at
//! request time can be refused by Envoy's codec or split a message (CR/LF injection).

use serde::{Deserialize, Deserializer};
use std::fmt;

/// Pseudo-headers Envoy exposes in header maps.
const PSEUDO_HEADERS: &[&str] = &[":authority", ":path", ":method", ":scheme", ":status", ":protocol"];

/// A header name: an RFC 9110 token (or a known pseudo-header), stored lower-case as Envoy and
/// HTTP/2 see it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderName(Box<str>);

impl HeaderName {
    pub fn parse(name: &str) -> Result<Self, String> {
        if name.is_empty() {
            return Err("header name is empty".into());
        }
        let lower = name.to_ascii_lowercase();
        if lower.starts_with(':') {
            if PSEUDO_HEADERS.contains(&lower.as_str()) {
                return Ok(HeaderName(lower.into()));
            }
            return Err(format!("unknown pseudo-header {name:?} (known: {})", PSEUDO_HEADERS.join(", ")));
        }
        if let Some(bad) = name.chars().find(|c| !is_token_char(*c)) {
            return Err(format!(
                "invalid header name {name:?}: {bad:?} is not allowed in a header name (RFC 9110 token)"
            ));
        }
        Ok(HeaderName(lower.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_pseudo(&self) -> bool {
        self.0.starts_with(':')
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

impl AsRef<str> for HeaderName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for HeaderName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        HeaderName::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `tchar` of RFC 9110 section 5.6.2.
pub fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Checks a header value: no CR, LF, NUL or other control characters (horizontal tab is allowed),
/// which Envoy's codecs would refuse or which could split a message.
pub fn check_value(value: &str) -> Result<(), String> {
    check_value_bytes(value.as_bytes())
}

pub fn check_value_bytes(value: &[u8]) -> Result<(), String> {
    match value.iter().position(|b| !is_value_byte(*b)) {
        None => Ok(()),
        Some(at) => {
            let what = match value.get(at) {
                Some(b'\r') => "carriage return (CR)".to_string(),
                Some(b'\n') => "line feed (LF)".to_string(),
                Some(0) => "NUL".to_string(),
                Some(b) => format!("control character 0x{b:02x}"),
                None => "invalid byte".to_string(),
            };
            Err(format!("header value contains a {what} at byte {at}"))
        }
    }
}

/// RFC 9110 field-value bytes: visible ASCII, space, horizontal tab and obs-text (0x80-0xff).
pub fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80
}

/// Removes bytes a header value may not carry (used on values built at request time from request
/// data, which Envoy has already validated, as a last line of defence).
pub fn sanitize_value(value: &mut Vec<u8>) {
    if !value.iter().all(|b| is_value_byte(*b)) {
        value.retain(|b| is_value_byte(*b));
    }
}

#[cfg(test)]
#[path = "header_test.rs"]
mod tests;
