//! The real host: Envoy (or any proxy-wasm host) through the ABI.

use super::{abi, Host, HostError, MapKind};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Zero-sized: the ABI acts on the context the host made current before calling the module.
pub(crate) struct ProxyHost;

impl Host for ProxyHost {
    fn header(&self, map: MapKind, name: &str) -> Option<Vec<u8>> {
        abi::get_header(map, name).ok().flatten()
    }

    fn headers(&self, map: MapKind) -> Vec<(String, Vec<u8>)> {
        abi::get_headers(map).unwrap_or_default()
    }

    fn set_header(&mut self, map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError> {
        abi::replace_header(map, name, value)
    }

    fn add_header(&mut self, map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError> {
        abi::add_header(map, name, value)
    }

    fn remove_header(&mut self, map: MapKind, name: &str) -> Result<(), HostError> {
        abi::remove_header(map, name)
    }

    fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        abi::get_property(path).ok().flatten()
    }

    fn send_local_reply(
        &mut self,
        status: u16,
        details: &str,
        body: &[u8],
        headers: &[(&str, &[u8])],
    ) -> Result<(), HostError> {
        abi::send_local_response(status, details, body, headers)
    }

    fn define_counter(&mut self, name: &str) -> Result<u32, HostError> {
        abi::define_counter(name)
    }

    fn increment_counter(&mut self, id: u32, delta: i64) {
        // A metric that cannot be bumped must not fail the request.
        let _ = abi::increment_metric(id, delta);
    }

    fn now(&self) -> SystemTime {
        let nanos = abi::current_time_nanos().unwrap_or(0);
        UNIX_EPOCH + Duration::from_nanos(nanos)
    }
}
