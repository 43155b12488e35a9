//! What a filter author writes: a config type, a compile step, and hooks that return a verdict.

use crate::call::CallResponse;
use crate::config::ConfigError;
use crate::host::Host;
use crate::http::Http;
use crate::metrics::{Counter, Gauge};
use crate::reply::LocalReply;
use crate::root::Root;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A Sieve filter. The same type runs alone (one module, via [`crate::export_filter!`]) or as a
/// stage of a chain inside one VM: it never touches the host except through [`Http`].
pub trait Filter: Sized + 'static {
    /// Short name: metrics are `sieve.<NAME>.*`, reply details `sieve_<NAME>.*`.
    const NAME: &'static str;
    /// The JSON configuration (use `#[serde(deny_unknown_fields)]`).
    type Config: DeserializeOwned;
    /// Per-request state kept between the request and response callbacks.
    type Stream: Default + 'static;

    /// Validates and compiles the configuration, once per VM. An error names the field.
    fn configure(config: Self::Config, setup: &mut Setup<'_>) -> Result<Self, ConfigError>;

    fn on_request_headers(&self, _http: &mut Http<'_>, _stream: &mut Self::Stream) -> Verdict {
        Verdict::Continue
    }

    fn on_response_headers(&self, _http: &mut Http<'_>, _stream: &mut Self::Stream) -> Verdict {
        Verdict::Continue
    }

    /// The answer to a callout this request dispatched with [`Http::dispatch`].
    fn on_call_response(&self, _http: &mut Http<'_>, _stream: &mut Self::Stream, _response: &CallResponse) -> Verdict {
        Verdict::Continue
    }

    /// A request parked with [`Http::park_until`]: called on every root tick while parked (the
    /// filter checks whether what it waits for arrived, or whether its deadline passed).
    fn on_wake(&self, _http: &mut Http<'_>, _stream: &mut Self::Stream) -> Verdict {
        Verdict::Continue
    }

    /// How often the root context should tick for this filter, if at all. Asked after configure
    /// and after every tick, so a filter can tick fast while it waits for something.
    fn tick_period(&self) -> Option<Duration> {
        None
    }

    /// A root tick: refresh remote state, poll shared data.
    fn on_tick(&self, _root: &mut Root<'_>) {}

    /// The answer to a callout the root dispatched with [`Root::dispatch`].
    fn on_root_call_response(&self, _root: &mut Root<'_>, _response: &CallResponse) {}
}

/// What a hook decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on with the request (or response).
    Continue,
    /// Answer now with this reply; later stages and the upstream are not reached.
    Reply(LocalReply),
    /// Wait: the filter dispatched a callout ([`Http::dispatch`]) or parked the request
    /// ([`Http::park_until`]); it decides again when the answer arrives or the root wakes it.
    Pause,
}

/// What `configure` may use: metric definitions under the filter's prefix.
pub struct Setup<'a> {
    host: &'a mut dyn Host,
    filter: &'static str,
}

impl<'a> Setup<'a> {
    pub fn new(host: &'a mut dyn Host, filter: &'static str) -> Self {
        Setup { host, filter }
    }

    /// Defines the gauge `sieve.<filter>.<name>`.
    pub fn gauge(&mut self, name: &str) -> Gauge {
        let full = format!("sieve.{}.{}", self.filter, name);
        match self.host.define_gauge(&full) {
            Ok(id) => Gauge(Some(id)),
            Err(e) => {
                log::warn!("sieve.{}: cannot define gauge {full}: {e}", self.filter);
                Gauge(None)
            }
        }
    }

    /// The host's clock (to time what the configuration loads).
    pub fn now(&self) -> std::time::SystemTime {
        self.host.now()
    }

    /// Sets a gauge now (e.g. the size of a list loaded with the config).
    pub fn set_gauge(&mut self, gauge: Gauge, value: u64) {
        gauge.set(self.host, value);
    }

    /// This filter takes credentials out of requests ([`Http::scrub_secret`]): from now on the VM
    /// records the request headers every stage writes, so that copies can be scrubbed.
    pub fn scrubs_credentials(&mut self) {
        crate::http::track_copies();
    }

    /// Defines `sieve.<filter>.<name>` (on the host in the tag convention of
    /// [`crate::metrics::host_counter_name`]). A host that refuses gives a counter that counts nothing.
    pub fn counter(&mut self, name: &str) -> Counter {
        let full = format!("sieve.{}.{}", self.filter, name);
        match self.host.define_counter(&crate::metrics::host_counter_name(self.filter, name)) {
            Ok(id) => Counter(Some(id)),
            Err(e) => {
                log::warn!("sieve.{}: cannot define counter {full}: {e}", self.filter);
                Counter(None)
            }
        }
    }
}
