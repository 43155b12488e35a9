//! JWTs: arbitrary tokens (header, claims, base64url, signatures) against HS, RSA and EC keys, with
//! claims copied to headers; and tokens built from arbitrary JSON header and claims, correctly
//! HMAC-signed so that the claim checks run too.
#![no_main]
#[path = "common.rs"]
mod common;
use base64::Engine;
use common::Reader;
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};

const SECRET: &[u8] = b"sieve-fuzz-hmac-secret-of-at-least-32-bytes!!";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn plugin() -> &'static TestPlugin<sieve_auth::Auth> {
    // One plugin per fuzzing thread (a test plugin is not Sync), built once.
    thread_local! {
        static PLUGIN: &'static TestPlugin<sieve_auth::Auth> = Box::leak(Box::new({
        let demo: serde_json::Value =
            serde_json::from_str(include_str!("../../services/demo-keys/jwks.json")).unwrap_or_default();
        let mut keys = demo["keys"].as_array().cloned().unwrap_or_default();
        keys.push(serde_json::json!({"kty": "oct", "kid": "h", "k": b64(SECRET)}));
        let config = serde_json::json!({"providers": [{"jwt": {
            "jwks": {"keys": keys},
            "issuer": "https://sieve.demo",
            "audiences": ["sieve-demo"],
            "claims_to_headers": [{"claim": "a.b", "header": "x-ab"}, {"claim": "roles", "header": "x-roles"}],
            "token_cache_size": 4
        }}]});
        TestPlugin::new(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
    PLUGIN.with(|plugin| *plugin)
}

fn hs256(header: &[u8], claims: &[u8]) -> String {
    use hmac_free::sign;
    let input = format!("{}.{}", b64(header), b64(claims));
    format!("{input}.{}", b64(&sign(SECRET, input.as_bytes())))
}

/// HMAC-SHA256 through the filter's own dependency tree would hide bugs in it: a tiny independent
/// implementation on top of sha2 is enough to sign fuzz tokens.
mod hmac_free {
    pub fn sign(key: &[u8], message: &[u8]) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut block = [0u8; 64];
        block[..key.len().min(64)].copy_from_slice(&key[..key.len().min(64)]);
        let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
        let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
        let inner_hash = Sha256::new().chain_update(&inner).chain_update(message).finalize();
        Sha256::new().chain_update(&outer).chain_update(inner_hash).finalize().to_vec()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let raw = input.header_value(2000);
    let header = input.bytes(300).to_vec();
    let claims = input.rest().to_vec();
    for token in [raw, hs256(&header, &claims)] {
        let mut host = FakeHost::request("GET", "/", &[("authorization", &format!("Bearer {token}"))]);
        plugin().request(&mut host);
        common::assert_clean_headers(&host.request_headers);
    }
});
