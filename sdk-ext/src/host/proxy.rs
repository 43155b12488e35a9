//! The real host: Envoy (or any proxy-wasm host) through the ABI.

use super::{abi, Host, HostCall, HostError, HostReply, MapKind};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Callout response bodies beyond this are cut (and then fail to parse).
const MAX_CALL_RESPONSE_BODY: usize = 16 << 20;

/// Zero-sized: the ABI acts on the context the host made current before calling the module.
pub(crate) struct ProxyHost;

thread_local! {
    /// Counter increments not yet handed to the host: (metric id, delta). One VM per thread.
    static PENDING: std::cell::RefCell<Vec<(u32, i64)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Hands every pending counter increment to the host (one host call per counter that moved).
fn flush_counters() {
    PENDING.with(|pending| {
        for (id, delta) in pending.borrow_mut().iter_mut() {
            if *delta != 0 {
                // A metric that cannot be bumped must not fail anything.
                let _ = abi::increment_metric(*id, *delta);
                *delta = 0;
            }
        }
    });
}

/// Whether increments wait to be flushed.
fn counters_pending() -> bool {
    PENDING.with(|pending| pending.borrow().iter().any(|(_, delta)| *delta != 0))
}

impl Host for ProxyHost {
    fn flush_metrics(&mut self) {
        if counters_pending() {
            flush_counters();
        }
    }

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

    fn send_local_reply(&mut self, reply: &HostReply<'_>) -> Result<(), HostError> {
        abi::send_local_response(reply)
    }

    fn define_counter(&mut self, name: &str) -> Result<u32, HostError> {
        abi::define_metric(0, name)
    }

    fn define_gauge(&mut self, name: &str) -> Result<u32, HostError> {
        abi::define_metric(1, name)
    }

    fn set_gauge(&mut self, id: u32, value: u64) {
        let _ = abi::record_metric(id, value);
    }

    fn increment_counter(&mut self, id: u32, delta: i64) {
        // A host call costs about as much as a filter's whole decision: counts collect in the VM
        // and reach Envoy on the root tick (every COUNTER_FLUSH), not one host call per increment.
        PENDING.with(|pending| {
            let mut pending = pending.borrow_mut();
            match pending.iter_mut().find(|(pending_id, _)| *pending_id == id) {
                Some((_, total)) => *total = total.saturating_add(delta),
                None => pending.push((id, delta)),
            }
        });
    }

    fn environment_variable(&self, name: &str) -> Option<Vec<u8>> {
        crate::host::environment_value(&abi::environment(), name)
    }

    fn now(&self) -> SystemTime {
        let nanos = abi::current_time_nanos().unwrap_or(0);
        UNIX_EPOCH + Duration::from_nanos(nanos)
    }

    fn dispatch_http_call(&mut self, call: &HostCall<'_>) -> Result<u32, HostError> {
        abi::http_call(call)
    }

    fn call_response_body(&self, max: usize) -> Vec<u8> {
        abi::call_response_body(max.min(MAX_CALL_RESPONSE_BODY)).unwrap_or_default()
    }

    fn shared_data(&self, key: &str) -> (Option<Vec<u8>>, u32) {
        abi::get_shared_data(key).unwrap_or((None, 0))
    }

    fn set_shared_data(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), HostError> {
        abi::set_shared_data(key, value, cas.unwrap_or(0))
    }

    fn set_tick_period(&mut self, period: Duration) {
        let millis = u32::try_from(period.as_millis()).unwrap_or(u32::MAX);
        let _ = abi::set_tick_period_ms(millis);
    }

    fn set_effective_context(&mut self, context_id: u32) -> Result<(), HostError> {
        abi::set_effective_context(context_id)
    }

    fn resume_request(&mut self) -> Result<(), HostError> {
        abi::continue_request()
    }
}
