//! Benchmark-only module (never deployed, not among `filters/`): loads a screening blob like the
//! screen filter does and answers each request itself after timing `lookups` lookups with the
//! host's clock, in `x-lookup-ns` (nanoseconds per lookup). One lookup is too short for the clock;
//! a thousand are not.

use base64::Engine;
use serde::Deserialize;
use sieve_screen_set::ScreenSet;
use sieve_sdk_ext::{ConfigError, Filter, Http, LocalReply, Setup, Verdict};
use std::time::UNIX_EPOCH;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    blob: String,
    lookups: u32,
}

pub struct Probe {
    set: ScreenSet,
    lookups: u32,
}

fn nanos(http: &Http<'_>) -> u128 {
    http.now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

impl Filter for Probe {
    const NAME: &'static str = "bench_probe";
    type Config = ProbeConfig;
    type Stream = ();

    fn configure(config: ProbeConfig, _setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        let bytes =
            base64::engine::general_purpose::STANDARD.decode(config.blob).map_err(|e| ConfigError::new("blob", e))?;
        let set = ScreenSet::from_blob(&bytes).map_err(|e| ConfigError::new("blob", e))?;
        Ok(Probe { set, lookups: config.lookups.max(1) })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, _stream: &mut ()) -> Verdict {
        // Half the lookups for keys in the list (`key-<10 digits>` below `x-n`), half for absent ones.
        let listed: u64 = http.request_header("x-n").and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
        let keys: Vec<String> = (0..u64::from(self.lookups))
            .map(|i| {
                if i % 2 == 0 {
                    format!("key-{:010}", i.wrapping_mul(2_654_435_761) % listed)
                } else {
                    format!("absent-{i}")
                }
            })
            .collect();
        let started = nanos(http);
        let mut hits = 0u32;
        for key in &keys {
            hits += u32::from(self.set.contains_normalized(key.as_bytes()));
        }
        let elapsed = nanos(http).saturating_sub(started);
        let per_lookup = elapsed as f64 / f64::from(self.lookups);
        Verdict::Reply(
            LocalReply::new(200, "probe", format!("{hits} hits"))
                .with_header("x-lookup-ns", format!("{per_lookup:.1}")),
        )
    }
}

sieve_sdk_ext::export_filter!(Probe);
