//! What the Wasm entry point drives: a single filter ([`Plugin`]) or a chain of stages
//! ([`crate::chain::Chain`]). Both are plain Rust over [`Host`], tested on the host target.

use crate::call::CallResponse;
use crate::config::ConfigError;
use crate::filter::Filter;
use crate::host::Host;
use crate::plugin::{Action, Plugin, RootCalls, Stream};
use std::time::Duration;

/// The host-facing side of a module: configuration, root ticks and callouts, and the request
/// callbacks. The entry point (`export_filter!`, `export_chain!`) is generic over it.
pub trait Runtime: Sized + 'static {
    /// Per-request state.
    type Stream: Default + 'static;

    /// `sieve.<name>` in logs.
    fn name() -> &'static str;

    /// Parses, validates and compiles the plugin configuration.
    fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Self, ConfigError>;

    /// A short description for the log line when a configuration is accepted.
    fn describe(&self) -> String;

    /// How often the root context should tick, if at all.
    fn tick_period(&self) -> Option<Duration>;

    /// A root tick; returns the callouts dispatched, each with an index handed back with its answer.
    fn on_tick(&self, host: &mut dyn Host) -> RootCalls;

    /// The answer to a root callout dispatched with `index`.
    fn on_root_call_response(&self, host: &mut dyn Host, index: usize, response: &CallResponse) -> RootCalls;

    fn on_request_headers(&self, host: &mut dyn Host, stream: &mut Self::Stream) -> Action;

    fn on_response_headers(&self, host: &mut dyn Host, stream: &mut Self::Stream) -> Action;

    /// The answer to a callout the request dispatched.
    fn on_call_response(&self, host: &mut dyn Host, stream: &mut Self::Stream, response: &CallResponse) -> Action;

    /// A root tick while the request is parked.
    fn on_wake(&self, host: &mut dyn Host, stream: &mut Self::Stream) -> Action;

    /// Callouts dispatched since the last call (the entry point routes their answers back).
    fn take_new_calls(stream: &mut Self::Stream) -> Vec<u32>;

    /// Parked until the root wakes it.
    fn is_parked(stream: &Self::Stream) -> bool;
}

impl<F: Filter> Runtime for Plugin<F> {
    type Stream = Stream<F>;

    fn name() -> &'static str {
        F::NAME
    }

    fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Self, ConfigError> {
        Plugin::configure(bytes, host)
    }

    fn describe(&self) -> String {
        format!("{} route entries", self.route_count())
    }

    fn tick_period(&self) -> Option<Duration> {
        Plugin::tick_period(self)
    }

    fn on_tick(&self, host: &mut dyn Host) -> RootCalls {
        Plugin::on_tick(self, host)
    }

    fn on_root_call_response(&self, host: &mut dyn Host, index: usize, response: &CallResponse) -> RootCalls {
        Plugin::on_root_call_response(self, host, index, response)
    }

    fn on_request_headers(&self, host: &mut dyn Host, stream: &mut Stream<F>) -> Action {
        Plugin::on_request_headers(self, host, stream)
    }

    fn on_response_headers(&self, host: &mut dyn Host, stream: &mut Stream<F>) -> Action {
        Plugin::on_response_headers(self, host, stream)
    }

    fn on_call_response(&self, host: &mut dyn Host, stream: &mut Stream<F>, response: &CallResponse) -> Action {
        Plugin::on_call_response(self, host, stream, response)
    }

    fn on_wake(&self, host: &mut dyn Host, stream: &mut Stream<F>) -> Action {
        Plugin::on_wake(self, host, stream)
    }

    fn take_new_calls(stream: &mut Stream<F>) -> Vec<u32> {
        stream.take_new_calls()
    }

    fn is_parked(stream: &Stream<F>) -> bool {
        stream.is_parked()
    }
}
