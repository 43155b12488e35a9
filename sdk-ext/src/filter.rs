//! What a filter author writes: a config type, a compile step, and hooks that return a verdict.

use crate::config::ConfigError;
use crate::host::Host;
use crate::http::Http;
use crate::metrics::Counter;
use crate::reply::LocalReply;
use serde::de::DeserializeOwned;

/// A Sieve filter. The same type runs alone (one module, via [`crate::export_filter!`]) or as a
/// stage of a chain inside one VM: it never touches the host except through [`Http`].
pub trait Filter: Sized + 'static {
    /// Short name: metrics are `sieve.<NAME>.*`, reply details `sieve_<NAME>.*`.
    const NAME: &'static str;
    /// The JSON configuration (use `#[serde(deny_unknown_fields)]`).
    type Config: DeserializeOwned;
    /// Per-request state kept between the request and response callbacks.
    type Stream: Default;

    /// Validates and compiles the configuration, once per VM. An error names the field.
    fn configure(config: Self::Config, setup: &mut Setup<'_>) -> Result<Self, ConfigError>;

    fn on_request_headers(&self, _http: &mut Http<'_>, _stream: &mut Self::Stream) -> Verdict {
        Verdict::Continue
    }

    fn on_response_headers(&self, _http: &mut Http<'_>, _stream: &mut Self::Stream) -> Verdict {
        Verdict::Continue
    }
}

/// What a hook decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go on with the request (or response).
    Continue,
    /// Answer now with this reply; later stages and the upstream are not reached.
    Reply(LocalReply),
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

    /// Defines `sieve.<filter>.<name>`. A host that refuses gives a counter that counts nothing.
    pub fn counter(&mut self, name: &str) -> Counter {
        let full = format!("sieve.{}.{}", self.filter, name);
        match self.host.define_counter(&full) {
            Ok(id) => Counter(Some(id)),
            Err(e) => {
                log::warn!("sieve.{}: cannot define counter {full}: {e}", self.filter);
                Counter(None)
            }
        }
    }
}
