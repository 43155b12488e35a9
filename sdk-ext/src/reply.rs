//! Local replies: the JSON error answer every Sieve filter gives, with a response-code detail that
//! Envoy's access log shows as `%RESPONSE_CODE_DETAILS%` (e.g. `sieve_headers.bad_request`).

use std::borrow::Cow;

/// A reply the filter sends instead of forwarding the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReply {
    pub status: u16,
    /// Machine-readable error code: the body's `error` and the last part of the detail.
    pub error: Cow<'static, str>,
    /// Human-readable explanation: the body's `message`. Never put a secret here.
    pub message: String,
    /// Extra response headers, e.g. `www-authenticate`.
    pub headers: Vec<(Cow<'static, str>, String)>,
}

impl LocalReply {
    pub fn new(status: u16, error: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        LocalReply { status, error: error.into(), message: message.into(), headers: Vec::new() }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        LocalReply::new(400, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        LocalReply::new(401, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        LocalReply::new(403, "forbidden", message)
    }

    pub fn with_header(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// `{"error": ..., "message": ...}`, written directly (no serde on the request path).
    pub fn body(&self) -> Vec<u8> {
        let mut body = String::with_capacity(32 + self.error.len() + self.message.len());
        body.push_str("{\"error\":");
        push_json_string(&mut body, &self.error);
        body.push_str(",\"message\":");
        push_json_string(&mut body, &self.message);
        body.push_str("}\n");
        body.into_bytes()
    }

    /// `sieve_<filter>.<error>`, restricted to characters Envoy accepts in a response-code detail.
    pub fn details(&self, filter: &str) -> String {
        let mut details = String::with_capacity(7 + filter.len() + self.error.len());
        details.push_str("sieve_");
        details.push_str(filter);
        details.push('.');
        details.push_str(&self.error);
        details
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' { c } else { '_' })
            .collect()
    }
}

/// Appends `text` as a JSON string literal.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let code = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(code >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(code & 0xf).copied().unwrap_or(b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[path = "reply_test.rs"]
mod tests;
