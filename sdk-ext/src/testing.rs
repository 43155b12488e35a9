//! An in-memory host for testing policy and wiring with plain `cargo test` (no VM, no Envoy). It
//! keeps state (headers, properties, counters, the local reply) so tests assert on outcomes, not on
//! the order of host calls.

use crate::host::{Host, HostError, MapKind};
use crate::plugin::{Action, Plugin, Stream};
use crate::{ConfigError, Filter};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    /// How often each header was read (to check that facts are cached).
    reads: RefCell<HashMap<String, usize>>,
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
            reads: RefCell::new(HashMap::new()),
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

    pub fn reads_of(&self, name: &str) -> usize {
        self.reads.borrow().get(name).copied().unwrap_or(0)
    }

    fn map(&self, map: MapKind) -> &Vec<(String, Vec<u8>)> {
        match map {
            MapKind::RequestHeaders => &self.request_headers,
            MapKind::RequestTrailers => &self.request_trailers,
            MapKind::ResponseHeaders | MapKind::HttpCallResponseHeaders => &self.response_headers,
            MapKind::ResponseTrailers | MapKind::HttpCallResponseTrailers => &self.response_trailers,
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
        self.map(map).clone()
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

    fn send_local_reply(
        &mut self,
        status: u16,
        details: &str,
        body: &[u8],
        headers: &[(&str, &[u8])],
    ) -> Result<(), HostError> {
        self.local_reply = Some(SentReply {
            status,
            details: details.to_string(),
            body: body.to_vec(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_vec())).collect(),
        });
        Ok(())
    }

    fn define_counter(&mut self, name: &str) -> Result<u32, HostError> {
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

    fn now(&self) -> SystemTime {
        self.now
    }
}

/// A filter configured from JSON, driven through the same runtime as in the VM.
pub struct TestPlugin<F: Filter> {
    pub plugin: Plugin<F>,
    /// The host the configuration was loaded on (counters are defined here and carried over).
    setup_host: FakeHost,
}

impl<F: Filter> TestPlugin<F> {
    pub fn new(config_json: &str) -> Result<Self, ConfigError> {
        let mut setup_host = FakeHost::default();
        let plugin = Plugin::configure(config_json.as_bytes(), &mut setup_host)?;
        Ok(TestPlugin { plugin, setup_host })
    }

    /// Prepares `host` with the counters the configuration defined.
    pub fn attach(&self, host: &mut FakeHost) {
        host.counter_names = self.setup_host.counter_names.clone();
        for name in &host.counter_names {
            host.counters.entry(name.clone()).or_insert(0);
        }
    }

    /// Runs the request phase on `host`; returns the stream for the response phase.
    pub fn request(&self, host: &mut FakeHost) -> (Action, Stream<F>) {
        if host.counter_names.is_empty() {
            self.attach(host);
        }
        let mut stream = Stream::default();
        let action = self.plugin.on_request_headers(host, &mut stream);
        (action, stream)
    }

    /// Runs the response phase of `stream` on `host` (after [`FakeHost::respond`]). As in Envoy,
    /// the request headers are no longer readable.
    pub fn response(&self, host: &mut FakeHost, stream: &mut Stream<F>) -> Action {
        host.request_headers_gone = true;
        self.plugin.on_response_headers(host, stream)
    }
}
