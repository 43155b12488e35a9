//! The seam between policy and proxy: everything a filter may ask of its host. `ProxyHost` (Wasm
//! only) answers through the proxy-wasm ABI; [`crate::testing::FakeHost`] answers from memory so
//! that policy and wiring are tested with plain `cargo test`.

#[cfg(target_arch = "wasm32")]
pub(crate) mod abi;
#[cfg(target_arch = "wasm32")]
mod proxy;
#[cfg(target_arch = "wasm32")]
pub(crate) use proxy::ProxyHost;

/// How stale a counter in Envoy's stats may be: in a VM, counter increments collect in memory and
/// reach the host on the root tick, which runs at least this often (a host call per increment
/// would cost about as much as a filter's whole decision).
pub const COUNTER_FLUSH: std::time::Duration = std::time::Duration::from_millis(200);

use std::fmt;
use std::time::{Duration, SystemTime};

/// The value of `name` in an environment of NUL-ended `NAME=value` entries (the first entry of
/// that name, as `getenv` finds it).
pub fn environment_value(environment: &[u8], name: &str) -> Option<Vec<u8>> {
    environment
        .split(|&b| b == 0)
        .find_map(|entry| Some(entry.strip_prefix(name.as_bytes())?.strip_prefix(b"=")?.to_vec()))
}

/// The header maps of an HTTP exchange, as the proxy-wasm ABI numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapKind {
    RequestHeaders = 0,
    RequestTrailers = 1,
    ResponseHeaders = 2,
    ResponseTrailers = 3,
    HttpCallResponseHeaders = 6,
    HttpCallResponseTrailers = 7,
}

/// An HTTP call as the host dispatches it.
#[derive(Debug, Clone, Copy)]
pub struct HostCall<'a> {
    /// The Envoy cluster.
    pub cluster: &'a str,
    /// `:method`, `:path` and `:authority` included.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: Option<&'a [u8]>,
    pub timeout: Duration,
}

/// A local reply as the host sends it.
#[derive(Debug, Clone, Copy)]
pub struct HostReply<'a> {
    pub status: u16,
    /// Shows as `%RESPONSE_CODE_DETAILS%` in Envoy's access log.
    pub details: &'a str,
    pub body: &'a [u8],
    pub headers: &'a [(&'a str, &'a [u8])],
}

/// A host call that did not succeed. Never fatal: the caller decides what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostError {
    /// The host does not have this item (e.g. a map that does not exist in this phase).
    NotFound,
    /// The host refused the arguments (e.g. an unknown cluster for a callout).
    BadArgument,
    /// A compare-and-swap write lost: someone else wrote the shared value first.
    CasMismatch,
    /// Any other status, as the ABI numbers it.
    Status(u32),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::NotFound => f.write_str("not found"),
            HostError::BadArgument => f.write_str("bad argument"),
            HostError::CasMismatch => f.write_str("compare-and-swap mismatch"),
            HostError::Status(code) => write!(f, "host status {code}"),
        }
    }
}

/// The host, as a filter sees it. Values are bytes: a client may send non-UTF-8 header values
/// (obs-text), and reading them must never fail.
pub trait Host {
    /// The first value of header `name` (lower-case) in `map`.
    fn header(&self, map: MapKind, name: &str) -> Option<Vec<u8>>;
    /// Every header of `map`, in order, repeated names included.
    fn headers(&self, map: MapKind) -> Vec<(String, Vec<u8>)>;
    /// Replaces every value of `name` by `value`.
    fn set_header(&mut self, map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError>;
    /// Appends a value for `name`, keeping the existing ones.
    fn add_header(&mut self, map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError>;
    /// Removes every value of `name`.
    fn remove_header(&mut self, map: MapKind, name: &str) -> Result<(), HostError>;
    /// An Envoy attribute such as `["source", "address"]` or `["route_name"]`.
    fn property(&self, path: &[&str]) -> Option<Vec<u8>>;
    /// Sends a local reply.
    fn send_local_reply(&mut self, reply: &HostReply<'_>) -> Result<(), HostError>;
    /// Defines a counter metric, returning its id.
    fn define_counter(&mut self, name: &str) -> Result<u32, HostError>;
    fn increment_counter(&mut self, id: u32, delta: i64);
    /// Defines a gauge metric, returning its id.
    fn define_gauge(&mut self, name: &str) -> Result<u32, HostError>;
    fn set_gauge(&mut self, id: u32, value: u64);
    /// A variable of the VM's environment (Envoy's `vm_config.environment_variables`, Istio's
    /// WasmPlugin `vmConfig.env`): how secrets reach a filter without being in its configuration.
    fn environment_variable(&self, name: &str) -> Option<Vec<u8>>;
    /// The host's wall clock (a Wasm module has none of its own).
    fn now(&self) -> SystemTime;

    /// Dispatches an HTTP call; the answer arrives later as a callout response with the token.
    fn dispatch_http_call(&mut self, call: &HostCall<'_>) -> Result<u32, HostError>;
    /// The body of the callout response being delivered (at most `max` bytes).
    fn call_response_body(&self, max: usize) -> Vec<u8>;
    /// A value shared by every VM of this `vm_id` (every worker), with its compare-and-swap token.
    fn shared_data(&self, key: &str) -> (Option<Vec<u8>>, u32);
    /// Writes a shared value; with `cas`, only if nobody wrote it since that token was read.
    fn set_shared_data(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), HostError>;
    /// How often the root context's tick fires (zero stops it).
    fn set_tick_period(&mut self, period: Duration);
    /// Makes `context_id` the context later calls act on (used to act on a waiting request from
    /// the root context).
    fn set_effective_context(&mut self, context_id: u32) -> Result<(), HostError>;
    /// Lets a paused request go on (upstream, or to the next filter).
    fn resume_request(&mut self) -> Result<(), HostError>;
    /// Hands metric updates collected in the VM to the host (the root tick calls it).
    fn flush_metrics(&mut self) {}
}
