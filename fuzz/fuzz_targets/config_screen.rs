//! The screen filter's plugin configuration (keys, CIDRs, inline lists, base64 blobs, feeds).
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::testing::FakeHost;
use sieve_sdk_ext::Stage;

fuzz_target!(|data: &[u8]| {
    let _ = Stage::<sieve_screen::Screen>::configure(data, &mut FakeHost::default());
});
