//! Test-only module (never deployed): accepts any plugin configuration, answers requests normally
//! (setting `x-sieve-trap-vm` to a per-VM request count), and traps when a request carries
//! `x-sieve-trap` — the way a filter bug would kill its VM. The failure-policy tests load it in
//! place of a real filter, under each Envoy config's own `failure_policy`.

use sieve_sdk_ext::{ConfigError, Filter, Http, Setup, Verdict};
use std::cell::Cell;

pub struct Trap {
    served: Cell<u64>,
}

impl Filter for Trap {
    const NAME: &'static str = "trap";
    type Config = serde_json::Value;
    type Stream = ();

    fn configure(_config: serde_json::Value, _setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        Ok(Trap { served: Cell::new(0) })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, _stream: &mut ()) -> Verdict {
        if http.request_header("x-sieve-trap").is_some() {
            // A deliberate trap: the point of this module.
            panic!("x-sieve-trap: trapping on request");
        }
        self.served.set(self.served.get() + 1);
        let _ = http.set_request_header("x-sieve-trap-vm", self.served.get().to_string());
        Verdict::Continue
    }
}

sieve_sdk_ext::export_filter!(Trap);
