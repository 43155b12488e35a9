//! The chain's configuration: the stage list and every stage's own configuration.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::pipeline::Pipeline;
use sieve_sdk_ext::testing::FakeHost;

fuzz_target!(|data: &[u8]| {
    let _ = Pipeline::<sieve_chain::SieveStages>::configure(data, &mut FakeHost::default());
});
