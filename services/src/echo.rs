//! The demo upstream: every request is answered with a JSON echo of what arrived, so a test or a
//! curl user sees exactly what the filters in front of it changed.
//!
//! Two request headers steer the answer (for tests of response rules):
//! - `x-echo-status: 503` answers with that status;
//! - `x-echo-response-header: name=value` (repeatable) adds that response header.

use crate::{Handler, Request, Response, MAX_BODY};
use std::sync::Arc;

pub fn handler() -> Handler {
    Arc::new(answer)
}

pub fn answer(request: Request) -> Response {
    let mut headers = serde_json::Map::new();
    let mut header_list = Vec::new();
    for (name, value) in &request.headers {
        header_list.push(serde_json::json!([name, value]));
        match headers.get_mut(name.as_str()) {
            Some(serde_json::Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            _ => {
                headers.insert(name.clone(), serde_json::Value::String(value.clone()));
            }
        }
    }
    let body = if request.body_too_large {
        format!("<body larger than {MAX_BODY} bytes>")
    } else {
        String::from_utf8_lossy(&request.body).into_owned()
    };
    let echo = serde_json::json!({
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": headers,
        "header_list": header_list,
        "body": body,
    });
    let status = request
        .header("x-echo-status")
        .and_then(|v| v.parse::<u16>().ok())
        .filter(|s| (200..600).contains(s))
        .unwrap_or(200);
    let mut response = Response::json(status, &echo).header("x-echo-upstream", "sieve-echo");
    for (name, value) in &request.headers {
        if name == "x-echo-response-header" {
            if let Some((header, value)) = value.split_once('=') {
                response = response.header(header.trim(), value.trim());
            }
        }
    }
    response
}

/// Starts the echo upstream on a background thread.
pub fn spawn(addr: std::net::SocketAddr) -> std::io::Result<crate::Background> {
    crate::spawn(addr, handler())
}
