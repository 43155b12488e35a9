//! The chain's configuration: the stage list and every stage's own configuration.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::chain::Chain;
use sieve_sdk_ext::testing::FakeHost;
use sieve_sdk_ext::Runtime;

fuzz_target!(|data: &[u8]| {
    let _ = <Chain<sieve_chain::SieveStages> as Runtime>::configure(data, &mut FakeHost::default());
});
