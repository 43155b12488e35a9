//! One HTTP stream as the host holds it, and where it stands.

use crate::LocalReply;
use std::collections::BTreeMap;

/// Where a request stands, from the client's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    /// Created; no headers delivered yet.
    New,
    /// A callback returned `Pause`: the host waits for `proxy_continue_stream` or a local reply.
    Paused,
    /// The request went on to the upstream.
    Forwarded,
    /// The filter answered with a local reply.
    Replied,
    /// The filter closed (reset) the stream.
    Reset,
}

/// One HTTP stream (an HTTP context and what the host holds for it).
#[derive(Debug, Clone)]
pub struct Stream {
    pub(crate) root_id: u32,
    pub(crate) request_headers: Vec<(String, String)>,
    pub(crate) request_body: Vec<u8>,
    pub(crate) request_trailers: Vec<(String, String)>,
    pub(crate) response_headers: Vec<(String, String)>,
    pub(crate) response_body: Vec<u8>,
    pub(crate) response_trailers: Vec<(String, String)>,
    /// Envoy hands out the request headers only until the filter lets them go.
    pub(crate) request_headers_held: bool,
    pub(crate) response_headers_held: bool,
    pub(crate) state: RequestState,
    pub(crate) response_resumed: bool,
    pub(crate) local_reply: Option<LocalReply>,
    /// The local reply went back through the filter's response callbacks, as Envoy sends it.
    pub(crate) reply_encoded: bool,
    pub(crate) properties: BTreeMap<String, Vec<u8>>,
}

impl Stream {
    pub(crate) fn new(root_id: u32) -> Stream {
        Stream {
            root_id,
            request_headers: Vec::new(),
            request_body: Vec::new(),
            request_trailers: Vec::new(),
            response_headers: Vec::new(),
            response_body: Vec::new(),
            response_trailers: Vec::new(),
            request_headers_held: false,
            response_headers_held: false,
            state: RequestState::New,
            response_resumed: false,
            local_reply: None,
            reply_encoded: false,
            properties: BTreeMap::new(),
        }
    }

    /// The request headers as the upstream would receive them (after the filter's changes).
    pub fn request_headers(&self) -> &[(String, String)] {
        &self.request_headers
    }

    /// The first value of a request header (names are case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find(&self.request_headers, name)
    }

    /// Every value of a request header, in order.
    pub fn request_header_values(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.request_headers.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn request_body(&self) -> &[u8] {
        &self.request_body
    }

    /// The response headers as the client would receive them.
    pub fn response_headers(&self) -> &[(String, String)] {
        &self.response_headers
    }

    pub fn response_header(&self, name: &str) -> Option<&str> {
        find(&self.response_headers, name)
    }

    pub fn response_body(&self) -> &[u8] {
        &self.response_body
    }

    pub fn state(&self) -> RequestState {
        self.state
    }

    pub fn local_reply(&self) -> Option<&LocalReply> {
        self.local_reply.as_ref()
    }
}

/// The first value of header `name` (names are case-insensitive).
pub(super) fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}
