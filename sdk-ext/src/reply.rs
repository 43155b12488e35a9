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

    /// `{"error": ..., "message": ...}`.
    pub fn body(&self) -> Vec<u8> {
        let body = serde_json::json!({ "error": self.error, "message": self.message });
        let mut bytes = body.to_string().into_bytes();
        bytes.push(b'\n');
        bytes
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

#[cfg(test)]
#[path = "reply_test.rs"]
mod tests;
