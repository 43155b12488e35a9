//! The headers filter's plugin configuration: any bytes are accepted or refused, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::testing::FakeHost;
use sieve_sdk_ext::Stage;

fuzz_target!(|data: &[u8]| {
    let _ = Stage::<sieve_headers::Headers>::configure(data, &mut FakeHost::default());
});
