//! JWKS documents as a key server could serve them (and as inline config): parsed, then every key
//! that parsed is used to verify an arbitrary signature.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_auth::jwt::keys::{Alg, KeySet};

fuzz_target!(|data: &[u8]| {
    let (document, signature) = data.split_at(data.len() / 2);
    if let Ok((set, _skipped)) = KeySet::parse_bytes(document) {
        for alg in Alg::ALL {
            if let Ok(candidates) = set.candidates(None, alg) {
                for key in candidates {
                    let _ = key.verify(alg, b"header.payload", signature);
                }
            }
        }
    }
});
