//! A document fetched from an Envoy cluster **once for the whole Envoy** and handed to every
//! worker's VM through shared data: JWKS key sets, screening lists.
//!
//! Every VM ticks (Envoy gives each worker its own root context), so the VMs coordinate through two
//! shared values under one prefix:
//! - `<prefix>.state` (small JSON): the current version, when the next fetch is due, a lease that the
//!   fetching VM takes with compare-and-swap, the ETag, failures and the last error;
//! - `<prefix>.data`: the current version (8 bytes, little-endian) followed by the payload. It is
//!   overwritten in place, so host memory stays flat however often the document changes.
//!
//! A VM whose tick finds a fetch due and the lease free takes the lease and fetches; on success it
//! publishes the new version, on failure it records the error and a backoff, and the last good
//! document stays. Every VM notices a newer version on its next tick and takes it once.

use crate::call::{CallResponse, HttpCall};
use crate::config::ConfigError;
use crate::host::Host;
use crate::metrics::{Counter, Gauge};
use crate::root::Root;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::time::{Duration, UNIX_EPOCH};

/// The largest document a remote resource reads (16 MiB): a body announced larger is not read
/// at all (every worker's VM would keep the memory), and the fetch counts as failed.
pub const MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// Where and how often to fetch, as a filter's config gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteConfig {
    /// The Envoy cluster that serves the document.
    pub cluster: String,
    /// Request path, e.g. `/.well-known/jwks.json`.
    pub path: String,
    /// `:authority` of the request; defaults to the cluster name.
    #[serde(default)]
    pub authority: Option<String>,
    /// Seconds between successful fetches.
    #[serde(default)]
    pub refresh_seconds: Option<u64>,
    /// Deadline of one fetch, in milliseconds.
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// First retry after a failure, in seconds (doubling up to `refresh_seconds`).
    #[serde(default)]
    pub retry_seconds: Option<u64>,
    /// Largest document accepted, in bytes.
    #[serde(default)]
    pub max_bytes: Option<usize>,
}

/// Defaults a filter chooses for its kind of document.
#[derive(Debug, Clone, Copy)]
pub struct RemoteDefaults {
    pub refresh: Duration,
    pub timeout: Duration,
    pub retry: Duration,
    pub max_bytes: usize,
}

/// A validated [`RemoteConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSpec {
    pub cluster: String,
    pub authority: String,
    pub path: String,
    pub refresh: Duration,
    pub timeout: Duration,
    pub retry: Duration,
    pub max_bytes: usize,
}

impl RemoteConfig {
    pub fn compile(&self, defaults: RemoteDefaults) -> Result<RemoteSpec, ConfigError> {
        if self.cluster.trim().is_empty() {
            return Err(ConfigError::new("cluster", "must name an Envoy cluster"));
        }
        if !self.path.starts_with('/') || self.path.chars().any(|c| c.is_ascii_control() || c == ' ') {
            return Err(ConfigError::new(
                "path",
                format!("must be a request path starting with '/', got {:?}", self.path),
            ));
        }
        let refresh = self.refresh_seconds.map_or(defaults.refresh, Duration::from_secs);
        if refresh < Duration::from_secs(1) || refresh > Duration::from_secs(7 * 24 * 3600) {
            return Err(ConfigError::new("refresh_seconds", "must be between 1 and 604800"));
        }
        let timeout = self.timeout_ms.map_or(defaults.timeout, Duration::from_millis);
        if timeout < Duration::from_millis(10) || timeout > Duration::from_secs(60) {
            return Err(ConfigError::new("timeout_ms", "must be between 10 and 60000"));
        }
        let retry = self.retry_seconds.map_or(defaults.retry, Duration::from_secs).min(refresh);
        if retry.is_zero() {
            return Err(ConfigError::new("retry_seconds", "must be at least 1"));
        }
        let max_bytes = self.max_bytes.unwrap_or(defaults.max_bytes);
        if max_bytes == 0 || max_bytes > MAX_DOCUMENT_BYTES {
            return Err(ConfigError::new("max_bytes", format!("must be between 1 and {MAX_DOCUMENT_BYTES}")));
        }
        let authority = self.authority.clone().unwrap_or_else(|| self.cluster.clone());
        if authority.is_empty() || authority.chars().any(|c| c.is_ascii_control() || c == ' ') {
            return Err(ConfigError::new("authority", format!("invalid authority {authority:?}")));
        }
        Ok(RemoteSpec {
            cluster: self.cluster.clone(),
            authority,
            path: self.path.clone(),
            refresh,
            timeout,
            retry,
            max_bytes,
        })
    }
}

/// The coordination record every VM reads on its tick.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedState {
    pub version: u64,
    /// Milliseconds since the epoch (host clock).
    pub next_fetch_ms: u64,
    pub lease_until_ms: u64,
    pub failures: u32,
    pub etag: Option<String>,
    pub last_error: Option<String>,
    pub fetched_ms: u64,
}

/// The document currently published, for a fetch that builds on it (a delta).
pub struct Previous<'a> {
    remote: &'a RemoteResource,
    host: &'a dyn Host,
    /// The ETag of the published document (what the fetch sent as `If-None-Match`).
    pub etag: Option<String>,
}

impl Previous<'_> {
    /// The published payload (read from shared data only when asked).
    pub fn payload(&self) -> Option<Vec<u8>> {
        self.remote.published(self.host).map(|(_, payload)| payload)
    }
}

/// What this VM's fetch came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// A new version was published.
    Updated { version: u64 },
    /// The document has not changed (304).
    NotModified,
    /// The fetch failed; the last good version stays.
    Failed(String),
}

#[derive(Debug, Default)]
struct Local {
    /// The newest version this VM has taken.
    version: u64,
    /// This VM's fetch in flight: token and start (ms).
    in_flight: Option<(u32, u64)>,
}

/// One remote document, as seen from one VM.
#[derive(Debug)]
pub struct RemoteResource {
    spec: RemoteSpec,
    state_key: String,
    data_key: String,
    local: RefCell<Local>,
}

fn now_ms(host: &dyn Host) -> u64 {
    host.now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl RemoteResource {
    /// `namespace` keeps different kinds of documents apart (e.g. `jwks`, `screen`).
    pub fn new(namespace: &str, spec: RemoteSpec) -> Self {
        let prefix = format!("sieve.remote.{namespace}.{}.{}{}", spec.cluster, spec.authority, spec.path);
        RemoteResource {
            state_key: format!("{prefix}.state"),
            data_key: format!("{prefix}.data"),
            spec,
            local: RefCell::new(Local::default()),
        }
    }

    pub fn spec(&self) -> &RemoteSpec {
        &self.spec
    }

    /// The newest version this VM has taken (0: none yet).
    pub fn local_version(&self) -> u64 {
        self.local.borrow().version
    }

    pub fn state(&self, host: &dyn Host) -> (SharedState, u32) {
        let (value, cas) = host.shared_data(&self.state_key);
        let state = value.and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        (state, cas)
    }

    fn write_state(&self, host: &mut dyn Host, state: &SharedState, cas: u32) -> bool {
        let bytes = serde_json::to_vec(state).unwrap_or_default();
        host.set_shared_data(&self.state_key, &bytes, Some(cas)).is_ok()
    }

    /// The published document, if any: (version, payload).
    pub fn published(&self, host: &dyn Host) -> Option<(u64, Vec<u8>)> {
        let (value, _) = host.shared_data(&self.data_key);
        let value = value?;
        let version = u64::from_le_bytes(value.get(..8)?.try_into().ok()?);
        Some((version, value.get(8..)?.to_vec()))
    }

    /// Takes the published document if it is newer than what this VM has (for a request that
    /// arrives before the first tick saw it). Marks it taken.
    pub fn take_newer(&self, host: &dyn Host) -> Option<(u64, Vec<u8>)> {
        let (version, payload) = self.published(host)?;
        let mut local = self.local.borrow_mut();
        if version <= local.version {
            return None;
        }
        local.version = version;
        Some((version, payload))
    }

    /// Every tick: returns a newer published document if there is one, and starts a fetch when one
    /// is due and no VM holds the lease.
    pub fn poll(&self, root: &mut Root<'_>) -> Option<(u64, Vec<u8>)> {
        let now = now_ms(root.host());
        let (state, cas) = self.state(root.host());
        let update = if state.version > self.local_version() { self.take_newer(root.host()) } else { None };
        {
            let mut local = self.local.borrow_mut();
            if let Some((_, started)) = local.in_flight {
                if now <= started.saturating_add(millis(self.spec.timeout)).saturating_add(2_000) {
                    return update;
                }
                // The host never answered: forget the fetch; the lease has expired too.
                local.in_flight = None;
            }
        }
        if now < state.next_fetch_ms || now < state.lease_until_ms {
            return update;
        }
        let mut leased = state.clone();
        leased.lease_until_ms = now.saturating_add(millis(self.spec.timeout)).saturating_add(1_000);
        if !self.write_state(root.host(), &leased, cas) {
            return update; // another VM took the lease first
        }
        let etag = if self.published(root.host()).is_some() { state.etag.clone() } else { None };
        let mut headers = vec![("accept", "*/*")];
        if let Some(etag) = etag.as_deref() {
            headers.push(("if-none-match", etag));
        }
        let call = HttpCall {
            cluster: &self.spec.cluster,
            method: "GET",
            path: &self.spec.path,
            authority: &self.spec.authority,
            headers,
            body: None,
            timeout: self.spec.timeout,
        };
        match root.dispatch(&call) {
            Ok(token) => self.local.borrow_mut().in_flight = Some((token, now)),
            Err(e) => {
                log::warn!("sieve: cannot fetch {} from cluster {}: {e}", self.spec.path, self.spec.cluster);
                self.finish(root.host(), Fetched::Failed(format!("dispatch failed: {e}")), None);
            }
        }
        update
    }

    /// True when `response` answers this VM's fetch.
    pub fn owns(&self, response: &CallResponse) -> bool {
        self.local.borrow().in_flight.is_some_and(|(token, _)| token == response.token)
    }

    /// Handles the answer to this VM's fetch: `accept(body, previous)` validates the body (and may
    /// transform it, e.g. apply a delta to the `previous` document) into the payload to publish.
    /// Returns `None` if the response is not ours.
    pub fn on_response(
        &self,
        root: &mut Root<'_>,
        response: &CallResponse,
        accept: impl FnOnce(&[u8], &Previous<'_>) -> Result<Vec<u8>, String>,
    ) -> Option<Fetched> {
        if !self.owns(response) {
            return None;
        }
        self.local.borrow_mut().in_flight = None;
        let fetched = match response.status {
            Some(200) if response.body_cut() || response.body_size > self.spec.max_bytes => {
                Err(format!("document larger than {} bytes", self.spec.max_bytes))
            }
            Some(200) => {
                let host: &dyn Host = root.host();
                let previous = Previous { remote: self, host, etag: self.state(host).0.etag };
                accept(&response.body, &previous)
            }
            Some(304) => {
                let fetched = Fetched::NotModified;
                self.finish(root.host(), fetched.clone(), None);
                return Some(fetched);
            }
            Some(status) => Err(format!("status {status}")),
            None => Err("no answer (timeout, reset or unreachable cluster)".to_string()),
        };
        let fetched = match fetched {
            Ok(payload) => {
                let version = self.state(root.host()).0.version.max(self.local_version()) + 1;
                let mut data = Vec::with_capacity(8 + payload.len());
                data.extend_from_slice(&version.to_le_bytes());
                data.extend_from_slice(&payload);
                match root.host().set_shared_data(&self.data_key, &data, None) {
                    Ok(()) => {
                        let etag = response.header_str("etag").map(String::from);
                        self.finish(root.host(), Fetched::Updated { version }, etag);
                        return Some(Fetched::Updated { version });
                    }
                    Err(e) => Fetched::Failed(format!("cannot publish: {e}")),
                }
            }
            Err(reason) => Fetched::Failed(reason),
        };
        self.finish(root.host(), fetched.clone(), None);
        Some(fetched)
    }

    /// Records the outcome in the shared state (compare-and-swap, a few attempts) and frees the lease.
    fn finish(&self, host: &mut dyn Host, fetched: Fetched, etag: Option<String>) {
        let now = now_ms(host);
        for _ in 0..5 {
            let (mut state, cas) = self.state(host);
            state.lease_until_ms = 0;
            match &fetched {
                Fetched::Updated { version } => {
                    state.version = *version;
                    state.etag = etag.clone();
                    state.failures = 0;
                    state.last_error = None;
                    state.fetched_ms = now;
                    state.next_fetch_ms = now.saturating_add(millis(self.spec.refresh));
                }
                Fetched::NotModified => {
                    state.failures = 0;
                    state.last_error = None;
                    state.fetched_ms = now;
                    state.next_fetch_ms = now.saturating_add(millis(self.spec.refresh));
                }
                Fetched::Failed(reason) => {
                    state.failures = state.failures.saturating_add(1);
                    state.last_error = Some(reason.clone());
                    state.next_fetch_ms = now.saturating_add(millis(self.backoff(state.failures)));
                }
            }
            if self.write_state(host, &state, cas) {
                return;
            }
        }
        log::warn!("sieve: could not record the fetch of {} in shared data", self.spec.path);
    }

    /// `retry`, doubling with each consecutive failure, at most `refresh`.
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32.checked_shl(failures.saturating_sub(1).min(20)).unwrap_or(u32::MAX);
        self.spec.retry.saturating_mul(factor).min(self.spec.refresh)
    }

    /// True while no version has ever been published (the very first fetch is pending).
    pub fn never_fetched(&self, host: &dyn Host) -> bool {
        self.local_version() == 0 && self.state(host).0.version == 0 && self.published(host).is_none()
    }
}

/// What a fetched body becomes before it is published: the payload every VM will parse, and the
/// entries left out of it (logged, and counted in [`DocumentMetrics::left_out`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Accepted {
    pub payload: Vec<u8>,
    pub left_out: Vec<String>,
}

impl Accepted {
    pub fn whole(payload: Vec<u8>) -> Self {
        Accepted { payload, left_out: Vec::new() }
    }
}

/// The metrics a document keeps (each may be [`Counter::NONE`] / [`Gauge::NONE`]).
#[derive(Debug, Clone, Copy)]
pub struct DocumentMetrics {
    /// Fetches by this VM that brought a new version or confirmed the current one (304).
    pub fetched: Counter,
    /// Fetches that failed or brought an unusable document (the last good one stays).
    pub failed: Counter,
    /// Versions this VM took (parsed and put in force).
    pub taken: Counter,
    /// Entries a fetched document had that were left out (see [`Accepted::left_out`]).
    pub left_out: Counter,
    /// The version in force in this VM.
    pub version: Gauge,
    /// How long the last version took to parse and load in this VM (host clock), in ms.
    pub load_ms: Gauge,
    /// The document's size in force (what `size` says: keys, entries).
    pub size: Gauge,
}

impl Default for DocumentMetrics {
    fn default() -> Self {
        DocumentMetrics {
            fetched: Counter::NONE,
            failed: Counter::NONE,
            taken: Counter::NONE,
            left_out: Counter::NONE,
            version: Gauge::NONE,
            load_ms: Gauge::NONE,
            size: Gauge::NONE,
        }
    }
}

type Parse<T> = Box<dyn Fn(&[u8]) -> Result<T, String>>;
type Accept = Box<dyn Fn(&[u8], &Previous<'_>) -> Result<Accepted, String>>;

/// A [`RemoteResource`] held parsed in each VM: the lease, the cache, taking new versions, the tick
/// period and the counters, for a filter that gives how to check a fetched body (`accept`) and how
/// to read a published one (`parse`). A filter never touches the host for it.
pub struct RemoteDocument<T> {
    resource: RemoteResource,
    /// `sieve.<filter>: <what>` in logs, e.g. `sieve.auth: tokens: key set`.
    label: String,
    accept: Accept,
    parse: Parse<T>,
    size: fn(&T) -> u64,
    metrics: DocumentMetrics,
    current: RefCell<Option<std::rc::Rc<T>>>,
}

impl<T> RemoteDocument<T> {
    pub fn new(
        resource: RemoteResource,
        label: String,
        metrics: DocumentMetrics,
        accept: impl Fn(&[u8], &Previous<'_>) -> Result<Accepted, String> + 'static,
        parse: impl Fn(&[u8]) -> Result<T, String> + 'static,
        size: fn(&T) -> u64,
    ) -> Self {
        RemoteDocument {
            resource,
            label,
            accept: Box::new(accept),
            parse: Box::new(parse),
            size,
            metrics,
            current: RefCell::new(None),
        }
    }

    pub fn spec(&self) -> &RemoteSpec {
        self.resource.spec()
    }

    /// The document in force in this VM. Before this VM has one, another worker may have published
    /// one its tick has not taken yet: it is taken now (later versions arrive with the tick, so a
    /// request never reads shared data once a document is in).
    pub fn current(&self, http: &mut crate::Http<'_>) -> Option<std::rc::Rc<T>> {
        if self.current.borrow().is_none() {
            let host = http.host();
            if let Some((version, payload)) = self.resource.take_newer(host) {
                self.install(host, version, &payload);
            }
        }
        self.current.borrow().clone()
    }

    /// Whether this VM has a version in force.
    pub fn is_loaded(&self) -> bool {
        self.current.borrow().is_some()
    }

    /// Quick ticks until the first version is in, then a cheap look at the shared state.
    pub fn tick_period(&self) -> Duration {
        if self.is_loaded() {
            Duration::from_secs(1)
        } else {
            Duration::from_millis(100)
        }
    }

    /// Every tick: takes a newer published version, and fetches when one is due (one VM fetches
    /// for the whole Envoy).
    pub fn on_tick(&self, root: &mut Root<'_>) {
        if let Some((version, payload)) = self.resource.poll(root) {
            self.install(root.host(), version, &payload);
        }
    }

    /// The answer to a fetch: checked with `accept`, then published for every VM (or, if it fails,
    /// counted and logged: the last good version stays). Not this document's answer: `None`.
    pub fn on_root_call_response(&self, root: &mut Root<'_>, response: &CallResponse) -> Option<Fetched> {
        let left_out = std::cell::Cell::new(0usize);
        let outcome = self.resource.on_response(root, response, |body, previous| {
            let accepted = (self.accept)(body, previous)?;
            if let Some(first) = accepted.left_out.first() {
                log::warn!("{}: {} entries left out; first: {first}", self.label, accepted.left_out.len());
            }
            left_out.set(accepted.left_out.len());
            Ok(accepted.payload)
        })?;
        if left_out.get() > 0 {
            root.add(self.metrics.left_out, left_out.get() as i64);
        }
        match &outcome {
            Fetched::Updated { version } => {
                log::info!("{}: version {version} published", self.label);
                root.count(self.metrics.fetched);
            }
            Fetched::NotModified => root.count(self.metrics.fetched),
            Fetched::Failed(reason) => {
                log::warn!("{}: fetch failed ({reason}); keeping the last good version", self.label);
                root.count(self.metrics.failed);
            }
        }
        Some(outcome)
    }

    /// Parses a published version (once per VM) and puts it in force.
    fn install(&self, host: &mut dyn Host, version: u64, payload: &[u8]) {
        let loading = host.now();
        match (self.parse)(payload) {
            Ok(document) => {
                let millis = host.now().duration_since(loading).map_or(0, |d| d.as_millis() as u64);
                let size = (self.size)(&document);
                log::info!("{}: version {version} loaded ({size} entries, {millis} ms)", self.label);
                self.metrics.version.set(host, version);
                self.metrics.load_ms.set(host, millis);
                self.metrics.size.set(host, size);
                self.metrics.taken.add(host, 1);
                *self.current.borrow_mut() = Some(std::rc::Rc::new(document));
            }
            Err(e) => {
                log::error!("{}: version {version} unusable: {e}", self.label);
                self.metrics.failed.add(host, 1);
            }
        }
    }
}

#[cfg(test)]
#[path = "remote_test.rs"]
mod tests;
