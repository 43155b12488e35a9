//! The request/response view a filter works through. It asks the host only for what is used, and
//! caches the request facts (path, method, host, route, client) that several rules or stages read.

use crate::call::HttpCall;
use crate::host::{Host, HostError, MapKind};
use crate::metrics::Counter;
use std::time::SystemTime;

/// What sdk-ext keeps per request: facts read at most once, request headers kept for the response
/// phase, and what the request is waiting for.
#[derive(Debug, Default, Clone)]
pub struct StreamCore {
    /// Callouts dispatched during the current callback (the runtime routes their answers back).
    pub(crate) calls: Vec<u32>,
    /// Set when a filter parks the request until the root wakes it (or this deadline passes).
    pub(crate) parked_until: Option<SystemTime>,
    /// The consumer an earlier stage authenticated (handed on in memory inside a chain).
    pub(crate) consumer: Option<String>,
    path: Option<Option<String>>,
    match_path: Option<Option<String>>,
    folded_match_path: Option<Option<String>>,
    method: Option<Option<String>>,
    authority: Option<Option<String>>,
    route_name: Option<Option<String>>,
    client_address: Option<Option<String>>,
    /// Envoy drops the request header map once the request has gone upstream: what the response
    /// phase reads of the request is kept here during the request phase.
    kept_headers: Vec<(String, Option<Vec<u8>>)>,
    /// Credentials taken out of this request (raw bytes as they appeared): no header written on the
    /// way upstream may carry them, whichever stage wrote it and in whichever order.
    secrets: Vec<Vec<u8>>,
    /// Request headers written in the request phase (by any stage), with the values written, to
    /// scrub when a credential is taken out after they were written.
    written: Vec<(String, Vec<Vec<u8>>)>,
    /// Request headers read in the request phase, so that stages of a chain (or rules of one
    /// filter) that read the same header ask the host once. A write through [`Http`] drops the entry.
    seen: std::cell::RefCell<Vec<(String, Option<Vec<u8>>)>>,
}

/// What of the request a filter reads in the response phase (computed when the config loads).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RequestNeeds {
    pub headers: Vec<String>,
    pub path: bool,
    pub method: bool,
    pub authority: bool,
    pub route_name: bool,
    pub client_address: bool,
}

impl RequestNeeds {
    pub fn is_empty(&self) -> bool {
        *self == RequestNeeds::default()
    }

    pub fn header(&mut self, name: &str) {
        if !self.headers.iter().any(|n| n == name) {
            self.headers.push(name.to_string());
        }
    }
}

/// Which callback the view serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Request,
    Response,
}

/// One HTTP exchange as a filter sees it, in the current callback.
///
/// It is the only door to the host a filter has: what a filter does runs the same alone, as a
/// stage of a chain and on the test host. A filter reads and writes through the view:
///
/// ```
/// fn path_of(http: &mut sieve_sdk_ext::Http<'_>) -> Option<String> {
///     http.path().map(String::from)
/// }
/// ```
///
/// but cannot reach past it to the raw host:
///
/// ```compile_fail,E0624
/// fn raw(http: &mut sieve_sdk_ext::Http<'_>) {
///     let _host = http.host();
/// }
/// ```
///
/// nor past the root's view:
///
/// ```compile_fail,E0624
/// fn raw(root: &mut sieve_sdk_ext::Root<'_>) {
///     let _host = root.host();
/// }
/// ```
pub struct Http<'a> {
    host: &'a mut dyn Host,
    core: &'a mut StreamCore,
    phase: Phase,
}

macro_rules! cached_fact {
    ($self:ident . $field:ident, $load:expr) => {{
        if $self.core.$field.is_none() {
            let loaded = $load;
            $self.core.$field = Some(loaded);
        }
        $self.core.$field.as_ref().and_then(|v| v.as_deref())
    }};
}

impl<'a> Http<'a> {
    /// A view for the request phase.
    pub fn new(host: &'a mut dyn Host, core: &'a mut StreamCore) -> Self {
        Http { host, core, phase: Phase::Request }
    }

    /// A view for the response phase: request headers come from what was kept.
    pub fn for_response(host: &'a mut dyn Host, core: &'a mut StreamCore) -> Self {
        Http { host, core, phase: Phase::Response }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Reads now (request phase) what the response phase will need of the request.
    pub fn keep_for_response(&mut self, needs: &RequestNeeds) {
        for name in &needs.headers {
            if !self.core.kept_headers.iter().any(|(kept, _)| kept == name) {
                let value = self.header_bytes(MapKind::RequestHeaders, name);
                self.core.kept_headers.push((name.clone(), value));
            }
        }
        if needs.path {
            self.path();
        }
        if needs.method {
            self.method();
        }
        if needs.authority {
            self.authority();
        }
        if needs.route_name {
            self.route_name();
        }
        if needs.client_address {
            self.client_address();
        }
    }

    /// The raw host: sdk-ext's own, never a filter's (a filter touches the host only through
    /// this view, so that it runs the same alone, in a chain, and on the test host).
    pub(crate) fn host(&mut self) -> &mut dyn Host {
        self.host
    }

    // ---- headers, any map ----

    /// The first value of `name` (lower-case), as UTF-8 (invalid bytes replaced by U+FFFD).
    pub fn header(&self, map: MapKind, name: &str) -> Option<String> {
        self.header_bytes(map, name).map(lossy)
    }

    pub fn header_bytes(&self, map: MapKind, name: &str) -> Option<Vec<u8>> {
        if map == MapKind::RequestHeaders {
            if self.phase == Phase::Response {
                if let Some((_, kept)) = self.core.kept_headers.iter().find(|(kept, _)| kept == name) {
                    return kept.clone();
                }
            } else {
                if let Some((_, value)) = self.core.seen.borrow().iter().find(|(seen, _)| seen == name) {
                    return value.clone();
                }
                let value = self.host.header(map, name);
                self.core.seen.borrow_mut().push((name.to_string(), value.clone()));
                return value;
            }
        }
        self.host.header(map, name)
    }

    pub fn headers(&self, map: MapKind) -> Vec<(String, Vec<u8>)> {
        self.host.headers(map)
    }

    pub fn set_header(&mut self, map: MapKind, name: &str, value: impl AsRef<[u8]>) -> Result<(), HostError> {
        self.forget_fact(map, name);
        let value = self.outgoing(map, name, value.as_ref(), true);
        self.host.set_header(map, name, &value)
    }

    pub fn add_header(&mut self, map: MapKind, name: &str, value: impl AsRef<[u8]>) -> Result<(), HostError> {
        self.forget_fact(map, name);
        let value = self.outgoing(map, name, value.as_ref(), false);
        self.host.add_header(map, name, &value)
    }

    /// A request header on its way upstream: without any credential a stage took out of this
    /// request, and recorded as written (`replace`: a set, which replaces what was written before).
    fn outgoing<'v>(&mut self, map: MapKind, name: &str, value: &'v [u8], replace: bool) -> std::borrow::Cow<'v, [u8]> {
        let tracking = COPY_TRACKING.load(std::sync::atomic::Ordering::Relaxed);
        if !tracking || map != MapKind::RequestHeaders || self.phase != Phase::Request || name.starts_with(':') {
            return std::borrow::Cow::Borrowed(value);
        }
        let value = redact(value, &self.core.secrets);
        match self.core.written.iter_mut().find(|(written, _)| written == name) {
            Some((_, values)) => {
                if replace {
                    values.clear();
                }
                values.push(value.to_vec());
            }
            None => self.core.written.push((name.to_string(), vec![value.to_vec()])),
        }
        value
    }

    /// Takes a credential out of the request's copies: every request header a stage wrote before
    /// (for instance `%PATH%` copied into `x-sieve-request` before `?api_key=` was stripped) and
    /// every one written after loses it. `secret` is the credential as it appeared in the request
    /// (an empty one is ignored). The credential's own header or parameter is the caller's to remove.
    pub fn scrub_secret(&mut self, secret: &[u8]) {
        if secret.is_empty() || self.core.secrets.iter().any(|known| known == secret) {
            return;
        }
        self.core.secrets.push(secret.to_vec());
        // Only a header a stage wrote with the secret in it costs a read of the headers.
        let copies: Vec<String> = self
            .core
            .written
            .iter()
            .filter(|(_, values)| values.iter().any(|value| contains(value, secret)))
            .map(|(name, _)| name.clone())
            .collect();
        for name in copies {
            let values: Vec<Vec<u8>> = self
                .host
                .headers(MapKind::RequestHeaders)
                .into_iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, value)| value)
                .collect();
            self.forget_fact(MapKind::RequestHeaders, &name);
            let _ = self.host.remove_header(MapKind::RequestHeaders, &name);
            for value in &values {
                let clean = redact(value, &self.core.secrets);
                let _ = self.host.add_header(MapKind::RequestHeaders, &name, &clean);
            }
            if let Some((_, written)) = self.core.written.iter_mut().find(|(n, _)| *n == name) {
                for value in written.iter_mut() {
                    *value = redact(value, &self.core.secrets).into_owned();
                }
            }
        }
    }

    pub fn remove_header(&mut self, map: MapKind, name: &str) -> Result<(), HostError> {
        self.forget_fact(map, name);
        if map == MapKind::RequestHeaders {
            self.core.written.retain(|(written, _)| written != name);
        }
        self.host.remove_header(map, name)
    }

    // ---- request and response shorthands ----

    pub fn request_header(&self, name: &str) -> Option<String> {
        self.header(MapKind::RequestHeaders, name)
    }

    pub fn set_request_header(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<(), HostError> {
        self.set_header(MapKind::RequestHeaders, name, value)
    }

    pub fn remove_request_header(&mut self, name: &str) -> Result<(), HostError> {
        self.remove_header(MapKind::RequestHeaders, name)
    }

    pub fn response_header(&self, name: &str) -> Option<String> {
        self.header(MapKind::ResponseHeaders, name)
    }

    pub fn set_response_header(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<(), HostError> {
        self.set_header(MapKind::ResponseHeaders, name, value)
    }

    /// The response status, when response headers are available.
    pub fn response_status(&self) -> Option<u16> {
        self.host.header(MapKind::ResponseHeaders, ":status").and_then(|v| std::str::from_utf8(&v).ok()?.parse().ok())
    }

    // ---- request facts (cached) ----

    /// `:path`, query string included.
    pub fn path(&mut self) -> Option<&str> {
        cached_fact!(self.path, self.host.header(MapKind::RequestHeaders, ":path").map(lossy))
    }

    /// The path as path rules compare it (percent-decoded, dot segments resolved, slashes
    /// merged; see [`crate::uri::normalize_path`]). `None` when there is no path or it is ambiguous:
    /// rules on paths must then not match (and a filter guarding paths should refuse it).
    pub fn match_path(&mut self) -> Option<&str> {
        cached_fact!(self.match_path, self.path().and_then(crate::uri::normalize_path))
    }

    /// [`Http::match_path`] in lower case, for rules that ignore letter case.
    pub fn folded_match_path(&mut self) -> Option<&str> {
        cached_fact!(self.folded_match_path, self.match_path().map(fold_case))
    }

    /// A path is there but no path rule can tell what it means (an encoded `/`, a backslash...).
    pub fn path_is_ambiguous(&mut self) -> bool {
        self.path().is_some() && self.match_path().is_none()
    }

    /// `:path` without the query string.
    pub fn path_without_query(&mut self) -> Option<&str> {
        self.path().map(|p| p.split_once('?').map_or(p, |(before, _)| before))
    }

    pub fn method(&mut self) -> Option<&str> {
        cached_fact!(self.method, self.host.header(MapKind::RequestHeaders, ":method").map(lossy))
    }

    /// `:authority` as the client sent it (port included).
    pub fn authority(&mut self) -> Option<&str> {
        cached_fact!(self.authority, self.host.header(MapKind::RequestHeaders, ":authority").map(lossy))
    }

    /// The name of the Envoy route this request matched (empty if the route has no name).
    pub fn route_name(&mut self) -> Option<&str> {
        cached_fact!(
            self.route_name,
            self.host.property(&["route_name"]).or_else(|| self.host.property(&["xds", "route_name"])).map(lossy)
        )
    }

    /// The downstream peer as `ip:port` (`[v6]:port` for IPv6), from the connection.
    pub fn client_address(&mut self) -> Option<&str> {
        cached_fact!(self.client_address, self.host.property(&["source", "address"]).map(lossy))
    }

    /// The downstream peer's IP address, without the port.
    pub fn client_ip(&mut self) -> Option<&str> {
        self.client_address().map(strip_port)
    }

    /// The request id Envoy assigns (`x-request-id`).
    pub fn request_id(&self) -> Option<String> {
        self.request_header("x-request-id")
    }

    pub fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        self.host.property(path)
    }

    pub fn now(&self) -> SystemTime {
        self.host.now()
    }

    /// Dispatches a callout for this request; its answer comes to `Filter::on_call_response`.
    /// Return `Verdict::Pause` after dispatching.
    pub fn dispatch(&mut self, call: &HttpCall<'_>) -> Result<u32, HostError> {
        let token = call.dispatch(self.host)?;
        self.core.calls.push(token);
        Ok(token)
    }

    /// Parks this request until the root context wakes it (every root tick calls
    /// `Filter::on_wake`) or `deadline` passes. Return `Verdict::Pause` after parking.
    pub fn park_until(&mut self, deadline: SystemTime) {
        self.core.parked_until = Some(deadline);
    }

    /// When the request is parked until.
    pub fn parked_until(&self) -> Option<SystemTime> {
        self.core.parked_until
    }

    /// Records the authenticated consumer for later stages of this request (in a chain they read
    /// it from memory; a separate filter reads the header the auth filter sets).
    pub fn set_consumer(&mut self, consumer: &str) {
        self.core.consumer = Some(consumer.to_string());
    }

    /// The consumer an earlier stage of this request authenticated, if any.
    pub fn consumer(&self) -> Option<&str> {
        self.core.consumer.as_deref()
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub fn query_param(&mut self, name: &str) -> Option<String> {
        crate::uri::query_param(self.path()?, name)
    }

    /// Sets a gauge.
    pub fn set_gauge(&mut self, gauge: crate::Gauge, value: u64) {
        gauge.set(self.host, value);
    }

    /// A value shared by every VM of this `vm_id`.
    pub fn shared_data(&self, key: &str) -> (Option<Vec<u8>>, u32) {
        self.host.shared_data(key)
    }

    pub fn count(&mut self, counter: Counter) {
        self.add(counter, 1);
    }

    pub fn add(&mut self, counter: Counter, delta: i64) {
        if let Some(id) = counter.0 {
            self.host.increment_counter(id, delta);
        }
    }

    /// A write to a pseudo-header the facts cache must not outlive.
    fn forget_fact(&mut self, map: MapKind, name: &str) {
        if map != MapKind::RequestHeaders {
            return;
        }
        self.core.kept_headers.retain(|(kept, _)| kept != name);
        self.core.seen.borrow_mut().retain(|(seen, _)| seen != name);
        match name {
            ":path" => {
                self.core.path = None;
                self.core.match_path = None;
                self.core.folded_match_path = None;
            }
            ":method" => self.core.method = None,
            ":authority" => self.core.authority = None,
            _ => {}
        }
    }
}

/// Set when a filter of this VM may scrub credentials ([`crate::Setup::scrubs_credentials`]):
/// only then are the headers a request's stages write recorded (a VM without one pays nothing).
static COPY_TRACKING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn track_copies() {
    COPY_TRACKING.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// What a scrubbed credential becomes in the headers that copied it.
pub const REDACTED: &[u8] = b"[redacted]";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|window| window == needle)
}

/// `value` with every occurrence of every secret replaced by [`REDACTED`].
fn redact<'v>(value: &'v [u8], secrets: &[Vec<u8>]) -> std::borrow::Cow<'v, [u8]> {
    if !secrets.iter().any(|secret| contains(value, secret)) {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut text = value.to_vec();
    for secret in secrets {
        let mut out = Vec::with_capacity(text.len());
        let mut at = 0;
        while at < text.len() {
            if text.get(at..at + secret.len()) == Some(secret.as_slice()) {
                out.extend_from_slice(REDACTED);
                at += secret.len();
            } else {
                out.extend(text.get(at).copied());
                at += 1;
            }
        }
        text = out;
    }
    std::borrow::Cow::Owned(text)
}

/// Lower case as `str::to_lowercase` gives it, without its per-character work for ASCII.
fn fold_case(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

fn lossy(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// `10.0.0.1:5000` -> `10.0.0.1`, `[::1]:5000` -> `::1`, `::1` -> `::1`, `host:80` -> `host`.
pub fn strip_port(address: &str) -> &str {
    if let Some(rest) = address.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(ip, _)| ip);
    }
    match address.rsplit_once(':') {
        // More than one colon and no brackets: a bare IPv6 address.
        Some((host, _)) if !host.contains(':') => host,
        _ => address,
    }
}

#[cfg(test)]
#[path = "http_test.rs"]
mod tests;
