//! HTTP callouts: a request to an Envoy cluster, and the answer as the filter sees it.

use crate::host::{Host, HostCall, HostError, MapKind};
use std::time::Duration;

/// Callout bodies the filter reads at most (a JWKS or an authorization answer is far smaller; a
/// screening feed sets its own cap).
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 1 << 20;

/// A request to an Envoy cluster.
#[derive(Debug, Clone)]
pub struct HttpCall<'a> {
    pub cluster: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    /// `:authority` sent to the cluster (e.g. the service's host name).
    pub authority: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: Option<&'a [u8]>,
    pub timeout: Duration,
}

impl HttpCall<'_> {
    pub(crate) fn dispatch(&self, host: &mut dyn Host) -> Result<u32, HostError> {
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(self.headers.len() + 3);
        headers.push((":method", self.method));
        headers.push((":path", self.path));
        headers.push((":authority", self.authority));
        headers.extend(self.headers.iter().copied());
        host.dispatch_http_call(&HostCall {
            cluster: self.cluster,
            headers: &headers,
            body: self.body,
            timeout: self.timeout,
        })
    }
}

/// The answer to a callout. A timeout, a reset or an unreachable cluster arrive as an answer with
/// no status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallResponse {
    pub token: u32,
    pub status: Option<u16>,
    pub headers: Vec<(String, Vec<u8>)>,
    /// Empty when the body is larger than the reader's cap (see `body_size`).
    pub body: Vec<u8>,
    /// The body's size as the host announced it: larger than `body.len()` when the body was too
    /// large to read, so that nobody mistakes a cut body for a whole one.
    pub body_size: usize,
}

impl CallResponse {
    /// Reads the callout answer being delivered from the host; a body larger than `max_body`
    /// (`body_size`, announced by the host) is not read at all.
    pub fn read(host: &dyn Host, token: u32, body_size: usize, max_body: usize) -> Self {
        let headers = host.headers(MapKind::HttpCallResponseHeaders);
        let status = headers
            .iter()
            .find(|(name, _)| name == ":status")
            .and_then(|(_, value)| std::str::from_utf8(value).ok()?.parse().ok());
        let body =
            if status.is_some() && body_size <= max_body { host.call_response_body(max_body) } else { Vec::new() };
        CallResponse { token, status, headers, body_size: body_size.max(body.len()), body }
    }

    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }

    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The host announced a body larger than what was read.
    pub fn body_cut(&self) -> bool {
        self.body_size > self.body.len()
    }

    /// 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}
