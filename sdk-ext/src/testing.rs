//! An in-memory host for testing policy and wiring with plain `cargo test` (no VM, no Envoy). It
//! keeps state (headers, properties, counters, the local reply) so tests assert on outcomes, not on
//! the order of host calls.

use crate::call::CallResponse;
use crate::dispatch::{Dispatcher, Flow, StreamCell};
use crate::host::{Host, HostCall, HostError, HostReply, MapKind};
use crate::stage::{Action, Stage};
use crate::{ConfigError, Filter};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A callout the filter dispatched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCall {
    pub token: u32,
    pub cluster: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Duration,
}

impl SentCall {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Shared data as the host keeps it across VMs: value and compare-and-swap token per key. Give two
/// `FakeHost`s the same store to act as two workers.
#[derive(Debug, Default)]
pub struct SharedStore {
    entries: HashMap<String, (Vec<u8>, u32)>,
    next_cas: u32,
}

impl SharedStore {
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key).map(|(value, _)| value.as_slice())
    }

    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.entries.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// Bytes held, to check that memory stays flat.
    pub fn bytes(&self) -> usize {
        self.entries.iter().map(|(k, (v, _))| k.len() + v.len()).sum()
    }
}

/// A local reply the filter sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReply {
    pub status: u16,
    pub details: String,
    pub body: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl SentReply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

#[derive(Debug)]
pub struct FakeHost {
    pub request_headers: Vec<(String, Vec<u8>)>,
    pub request_trailers: Vec<(String, Vec<u8>)>,
    pub response_headers: Vec<(String, Vec<u8>)>,
    pub response_trailers: Vec<(String, Vec<u8>)>,
    /// Properties by dotted path, e.g. `source.address`.
    pub properties: HashMap<String, Vec<u8>>,
    pub local_reply: Option<SentReply>,
    pub now: SystemTime,
    /// Like Envoy once the request has gone upstream: request headers can no longer be read.
    pub request_headers_gone: bool,
    counter_names: Vec<String>,
    counters: BTreeMap<String, i64>,
    gauge_names: Vec<String>,
    gauges: BTreeMap<String, u64>,
    /// How often each header was read (to check that facts are cached).
    reads: RefCell<HashMap<String, usize>>,
    /// Callouts dispatched, in order.
    pub calls: Vec<SentCall>,
    next_token: u32,
    /// The answer being delivered (what `call_response_body` and the call-response map read).
    pub delivering: Option<CallResponse>,
    pub shared: Rc<RefCell<SharedStore>>,
    pub tick_period: Duration,
    pub effective_context: Option<u32>,
    /// How often a paused request was resumed.
    pub resumed: usize,
    /// Make the next dispatches fail with this error.
    pub fail_dispatch: Option<HostError>,
    /// The VM's environment variables.
    pub environment: HashMap<String, Vec<u8>>,
}

impl Default for FakeHost {
    fn default() -> Self {
        FakeHost {
            request_headers: Vec::new(),
            request_trailers: Vec::new(),
            response_headers: Vec::new(),
            response_trailers: Vec::new(),
            properties: HashMap::new(),
            local_reply: None,
            request_headers_gone: false,
            now: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            counter_names: Vec::new(),
            counters: BTreeMap::new(),
            gauge_names: Vec::new(),
            gauges: BTreeMap::new(),
            reads: RefCell::new(HashMap::new()),
            calls: Vec::new(),
            next_token: 1,
            delivering: None,
            shared: Rc::new(RefCell::new(SharedStore::default())),
            tick_period: Duration::ZERO,
            effective_context: None,
            resumed: 0,
            fail_dispatch: None,
            environment: HashMap::new(),
        }
    }
}

impl FakeHost {
    /// A request as Envoy presents it: pseudo-headers first, `:authority` defaulting to `example.com`
    /// unless `headers` gives one, and a client at `192.0.2.10:34567`.
    pub fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Self {
        let mut host = FakeHost::default();
        host.request_headers.push((":method".into(), method.as_bytes().to_vec()));
        host.request_headers.push((":path".into(), path.as_bytes().to_vec()));
        host.request_headers.push((":scheme".into(), b"http".to_vec()));
        if !headers.iter().any(|(n, _)| *n == ":authority") {
            host.request_headers.push((":authority".into(), b"example.com".to_vec()));
        }
        for (name, value) in headers {
            host.request_headers.push((name.to_ascii_lowercase(), value.as_bytes().to_vec()));
        }
        host.set_property(&["source", "address"], "192.0.2.10:34567");
        host
    }

    /// Sets the response the upstream gave.
    pub fn respond(&mut self, status: u16, headers: &[(&str, &str)]) {
        self.response_headers = vec![(":status".into(), status.to_string().into_bytes())];
        for (name, value) in headers {
            self.response_headers.push((name.to_ascii_lowercase(), value.as_bytes().to_vec()));
        }
    }

    pub fn set_property(&mut self, path: &[&str], value: &str) {
        self.properties.insert(path.join("."), value.as_bytes().to_vec());
    }

    /// Every value of `name` in `map`, as text.
    pub fn values(&self, map: MapKind, name: &str) -> Vec<String> {
        self.map(map).iter().filter(|(n, _)| n == name).map(|(_, v)| String::from_utf8_lossy(v).into_owned()).collect()
    }

    pub fn request_header(&self, name: &str) -> Option<String> {
        self.values(MapKind::RequestHeaders, name).into_iter().next()
    }

    pub fn response_header(&self, name: &str) -> Option<String> {
        self.values(MapKind::ResponseHeaders, name).into_iter().next()
    }

    /// A counter's value by full name (`sieve.headers.requests`); 0 if never incremented.
    pub fn counter(&self, name: &str) -> i64 {
        self.counters.get(name).copied().unwrap_or(0)
    }

    pub fn counters(&self) -> &BTreeMap<String, i64> {
        &self.counters
    }

    /// A gauge's value by full name; `None` if never set.
    pub fn gauge(&self, name: &str) -> Option<u64> {
        self.gauges.get(name).copied()
    }

    pub fn reads_of(&self, name: &str) -> usize {
        self.reads.borrow().get(name).copied().unwrap_or(0)
    }

    /// A host for another worker: its own request state, the same shared data and clock.
    pub fn another_worker(&self) -> FakeHost {
        FakeHost { shared: self.shared.clone(), now: self.now, ..FakeHost::default() }
    }

    /// Moves the clock on.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// The last callout dispatched.
    pub fn last_call(&self) -> Option<&SentCall> {
        self.calls.last()
    }

    fn map(&self, map: MapKind) -> &[(String, Vec<u8>)] {
        match map {
            MapKind::RequestHeaders => &self.request_headers,
            MapKind::RequestTrailers => &self.request_trailers,
            MapKind::ResponseHeaders => &self.response_headers,
            MapKind::ResponseTrailers | MapKind::HttpCallResponseTrailers => &self.response_trailers,
            MapKind::HttpCallResponseHeaders => self.delivering.as_ref().map_or(&[], |r| r.headers.as_slice()),
        }
    }

    fn map_mut(&mut self, map: MapKind) -> &mut Vec<(String, Vec<u8>)> {
        match map {
            MapKind::RequestHeaders => &mut self.request_headers,
            MapKind::RequestTrailers => &mut self.request_trailers,
            MapKind::ResponseHeaders | MapKind::HttpCallResponseHeaders => &mut self.response_headers,
            MapKind::ResponseTrailers | MapKind::HttpCallResponseTrailers => &mut self.response_trailers,
        }
    }
}

impl Host for FakeHost {
    fn header(&self, map: MapKind, name: &str) -> Option<Vec<u8>> {
        *self.reads.borrow_mut().entry(name.to_string()).or_default() += 1;
        if map == MapKind::RequestHeaders && self.request_headers_gone {
            return None;
        }
        self.map(map).iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    fn headers(&self, map: MapKind) -> Vec<(String, Vec<u8>)> {
        self.map(map).to_vec()
    }

    fn set_header(&mut self, map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError> {
        let entries = self.map_mut(map);
        match entries.iter().position(|(n, _)| n == name) {
            Some(first) => {
                if let Some(entry) = entries.get_mut(first) {
                    entry.1 = value.to_vec();
                }
                let mut index = 0;
                entries.retain(|(n, _)| {
                    let keep = n != name || index == first;
                    index += 1;
                    keep
                });
            }
            None => entries.push((name.to_string(), value.to_vec())),
        }
        Ok(())
    }

    fn add_header(&mut self, map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError> {
        self.map_mut(map).push((name.to_string(), value.to_vec()));
        Ok(())
    }

    fn remove_header(&mut self, map: MapKind, name: &str) -> Result<(), HostError> {
        self.map_mut(map).retain(|(n, _)| n != name);
        Ok(())
    }

    fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        self.properties.get(&path.join(".")).cloned()
    }

    fn send_local_reply(&mut self, reply: &HostReply<'_>) -> Result<(), HostError> {
        self.local_reply = Some(SentReply {
            status: reply.status,
            details: reply.details.to_string(),
            body: reply.body.to_vec(),
            headers: reply.headers.iter().map(|(n, v)| (n.to_string(), v.to_vec())).collect(),
        });
        Ok(())
    }

    fn define_counter(&mut self, name: &str) -> Result<u32, HostError> {
        // Tests look counters up by their dotted names.
        let name = &crate::metrics::dotted_counter_name(name);
        if let Some(id) = self.counter_names.iter().position(|n| n == name) {
            return Ok(id as u32);
        }
        self.counter_names.push(name.to_string());
        self.counters.entry(name.to_string()).or_insert(0);
        Ok((self.counter_names.len() - 1) as u32)
    }

    fn increment_counter(&mut self, id: u32, delta: i64) {
        if let Some(name) = self.counter_names.get(id as usize) {
            *self.counters.entry(name.clone()).or_default() += delta;
        }
    }

    fn define_gauge(&mut self, name: &str) -> Result<u32, HostError> {
        if let Some(id) = self.gauge_names.iter().position(|n| n == name) {
            return Ok(id as u32);
        }
        self.gauge_names.push(name.to_string());
        Ok((self.gauge_names.len() - 1) as u32)
    }

    fn set_gauge(&mut self, id: u32, value: u64) {
        if let Some(name) = self.gauge_names.get(id as usize) {
            self.gauges.insert(name.clone(), value);
        }
    }

    fn environment_variable(&self, name: &str) -> Option<Vec<u8>> {
        self.environment.get(name).cloned()
    }

    fn now(&self) -> SystemTime {
        self.now
    }

    fn dispatch_http_call(&mut self, call: &HostCall<'_>) -> Result<u32, HostError> {
        if let Some(error) = self.fail_dispatch {
            return Err(error);
        }
        let token = self.next_token;
        self.next_token += 1;
        self.calls.push(SentCall {
            token,
            cluster: call.cluster.to_string(),
            headers: call.headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: call.body.map(<[u8]>::to_vec),
            timeout: call.timeout,
        });
        Ok(token)
    }

    fn call_response_body(&self, max: usize) -> Vec<u8> {
        self.delivering.as_ref().map(|r| r.body.iter().take(max).copied().collect()).unwrap_or_default()
    }

    fn shared_data(&self, key: &str) -> (Option<Vec<u8>>, u32) {
        match self.shared.borrow().entries.get(key) {
            Some((value, cas)) => (Some(value.clone()), *cas),
            None => (None, 0),
        }
    }

    fn set_shared_data(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), HostError> {
        let mut store = self.shared.borrow_mut();
        // As in Envoy: a compare-and-swap token of 0 (or none) writes unconditionally.
        if let (Some(cas), Some((_, current))) = (cas.filter(|c| *c != 0), store.entries.get(key)) {
            if cas != *current {
                return Err(HostError::CasMismatch);
            }
        }
        store.next_cas += 1;
        let next = store.next_cas;
        store.entries.insert(key.to_string(), (value.to_vec(), next));
        Ok(())
    }

    fn set_tick_period(&mut self, period: Duration) {
        self.tick_period = period;
    }

    fn set_effective_context(&mut self, context_id: u32) -> Result<(), HostError> {
        self.effective_context = Some(context_id);
        Ok(())
    }

    fn resume_request(&mut self) -> Result<(), HostError> {
        self.resumed += 1;
        Ok(())
    }
}

/// Builds the answer to a callout.
pub fn call_response(token: u32, status: Option<u16>, headers: &[(&str, &str)], body: &[u8]) -> CallResponse {
    let mut all: Vec<(String, Vec<u8>)> = Vec::new();
    if let Some(status) = status {
        all.push((":status".into(), status.to_string().into_bytes()));
    }
    all.extend(headers.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())));
    CallResponse { token, status, headers: all, body: body.to_vec(), body_size: body.len() }
}

/// A filter configured from JSON, driven through the same dispatcher as in the VM (the registry of
/// waiting requests, callouts by token, parking and ticks). Each request runs on its own
/// [`FakeHost`]; tokens are unique across them, as in one VM.
pub struct TestPlugin<F: Filter> {
    pub dispatcher: Dispatcher<Stage<F>>,
    /// The host the configuration was loaded on (counters are defined here and carried over).
    setup_host: FakeHost,
    next_context: Cell<u32>,
    next_token: Cell<u32>,
}

/// A request a [`TestPlugin`] runs: its context id and its state.
pub struct TestStream<F: Filter> {
    pub id: u32,
    pub cell: StreamCell<Stage<F>>,
}

impl<F: Filter> TestStream<F> {
    /// Parked until the root wakes it.
    pub fn is_parked(&self) -> bool {
        self.cell.try_borrow().is_ok_and(|stream| stream.is_parked())
    }
}

impl<F: Filter> TestPlugin<F> {
    pub fn new(config_json: &str) -> Result<Self, ConfigError> {
        let mut setup_host = FakeHost::default();
        let dispatcher = Dispatcher::new(1);
        dispatcher.configure(&mut setup_host, config_json.as_bytes())?;
        Ok(TestPlugin {
            dispatcher,
            next_token: Cell::new(setup_host.next_token),
            setup_host,
            next_context: Cell::new(2),
        })
    }

    /// Prepares `host` with the counters the configuration defined (once), and with tokens that
    /// follow every host this plugin ran on.
    pub fn attach(&self, host: &mut FakeHost) {
        host.next_token = host.next_token.max(self.next_token.get());
        if !host.counter_names.is_empty() {
            return;
        }
        host.counter_names = self.setup_host.counter_names.clone();
        host.gauge_names = self.setup_host.gauge_names.clone();
        for name in &host.counter_names {
            host.counters.entry(name.clone()).or_insert(0);
        }
    }

    fn detach(&self, host: &FakeHost) {
        self.next_token.set(self.next_token.get().max(host.next_token));
    }

    /// What the request's last callback came to: a reply sent (`Stop`), waiting (`Pause`), or on.
    fn action(&self, host: &FakeHost, stream: &TestStream<F>) -> Action {
        if host.local_reply.is_some() {
            Action::Stop
        } else if self.dispatcher.is_waiting(stream.id) {
            Action::Pause
        } else {
            Action::Continue
        }
    }

    /// Runs the request phase on `host`; returns the stream for the response phase.
    pub fn request(&self, host: &mut FakeHost) -> (Action, TestStream<F>) {
        self.attach(host);
        let id = self.next_context.get();
        self.next_context.set(id + 1);
        let stream = TestStream { id, cell: StreamCell::<Stage<F>>::default() };
        self.dispatcher.request_headers(host, id, &stream.cell);
        self.detach(host);
        (self.action(host, &stream), stream)
    }

    /// A root tick (every compiled config, every parked request); returns the tokens of the
    /// callouts the root dispatched.
    pub fn tick(&self, host: &mut FakeHost) -> Vec<u32> {
        self.attach(host);
        let before = host.calls.len();
        self.dispatcher.tick(host);
        self.detach(host);
        host.calls.iter().skip(before).map(|call| call.token).filter(|t| self.dispatcher.owns_root_call(*t)).collect()
    }

    /// Delivers the answer to a root callout; false if the root dispatched no call with that token.
    pub fn answer_root(&self, host: &mut FakeHost, response: CallResponse) -> bool {
        if !self.dispatcher.owns_root_call(response.token) {
            return false;
        }
        self.deliver(host, response);
        true
    }

    /// Delivers the answer to a callout `stream` dispatched.
    pub fn answer(&self, host: &mut FakeHost, stream: &mut TestStream<F>, response: CallResponse) -> Action {
        self.deliver(host, response);
        self.action(host, stream)
    }

    fn deliver(&self, host: &mut FakeHost, response: CallResponse) {
        self.attach(host);
        let (token, size) = (response.token, response.body_size);
        host.delivering = Some(response);
        self.dispatcher.call_response(host, token, size);
        host.delivering = None;
        self.detach(host);
    }

    /// Wakes a parked stream (what a root tick does).
    pub fn wake(&self, host: &mut FakeHost, stream: &mut TestStream<F>) -> Action {
        self.attach(host);
        self.dispatcher.wake(host, stream.id);
        self.detach(host);
        self.action(host, stream)
    }

    /// Runs the response phase of `stream` on `host` (after [`FakeHost::respond`]). As in Envoy,
    /// the request headers are no longer readable.
    pub fn response(&self, host: &mut FakeHost, stream: &mut TestStream<F>) -> Action {
        host.request_headers_gone = true;
        match self.dispatcher.response_headers(host, &stream.cell) {
            Flow::Pause => Action::Stop,
            Flow::Continue => Action::Continue,
        }
    }
}
