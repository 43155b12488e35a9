//! The auth filter's plugin configuration (providers, inline JWKS, hashes, rules).
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::testing::FakeHost;
use sieve_sdk_ext::Stage;

fuzz_target!(|data: &[u8]| {
    let _ = Stage::<sieve_auth::Auth>::configure(data, &mut FakeHost::default());
});
