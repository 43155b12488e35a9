//! The screening blob format (magic, version, parameters, checksum, Bloom or Cuckoo payload):
//! arbitrary bytes, and arbitrary bytes behind a valid header and checksum, are refused or loaded,
//! and a loaded set answers lookups.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_screen_set::ScreenSet;

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = ScreenSet::from_blob(data) {
        let _ = set.contains("probe");
        let _ = set.len();
        let _ = set.to_blob();
    }
});
