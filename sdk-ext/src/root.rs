//! The root context's view: what a filter may do outside any request (timers, callouts of its own,
//! shared data across the VMs of every worker).

use crate::call::HttpCall;
use crate::host::{Host, HostError};
use crate::metrics::Counter;
use std::time::SystemTime;

pub struct Root<'a> {
    host: &'a mut dyn Host,
    /// Tokens of the callouts dispatched in this callback (the runtime routes their answers back).
    pub(crate) calls: Vec<u32>,
}

impl<'a> Root<'a> {
    pub fn new(host: &'a mut dyn Host) -> Self {
        Root { host, calls: Vec::new() }
    }

    pub fn now(&self) -> SystemTime {
        self.host.now()
    }

    /// Dispatches a callout owned by the root; its answer comes to `Filter::on_root_call_response`.
    pub fn dispatch(&mut self, call: &HttpCall<'_>) -> Result<u32, HostError> {
        let token = call.dispatch(self.host)?;
        self.calls.push(token);
        Ok(token)
    }

    pub fn shared_data(&self, key: &str) -> (Option<Vec<u8>>, u32) {
        self.host.shared_data(key)
    }

    pub fn set_shared_data(&mut self, key: &str, value: &[u8], cas: Option<u32>) -> Result<(), HostError> {
        self.host.set_shared_data(key, value, cas)
    }

    pub fn set_gauge(&mut self, gauge: crate::Gauge, value: u64) {
        gauge.set(self.host, value);
    }

    pub fn count(&mut self, counter: Counter) {
        self.add(counter, 1);
    }

    pub fn add(&mut self, counter: Counter, delta: i64) {
        if let Some(id) = counter.0 {
            self.host.increment_counter(id, delta);
        }
    }

    /// The raw host: sdk-ext's own, never a filter's.
    pub(crate) fn host(&mut self) -> &mut dyn Host {
        self.host
    }
}
