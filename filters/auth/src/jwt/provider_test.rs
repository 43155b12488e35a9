//! The verification budget, through the whole filter on a fake host.

use crate::Auth;
use serde_json::json;
use sieve_e2e::tokens::{claims, sign, sign_hmac, sign_with, tampered, DemoKey};
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};
use sieve_sdk_ext::Action;
use std::time::Duration;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn demo_jwks() -> serde_json::Value {
    // demo-rsa-1 and demo-ec-1, demo-rsa-2 (from the rotated set) and an HMAC key.
    let mut jwks: serde_json::Value = serde_json::from_str(sieve_services::jwks::DEMO_JWKS).unwrap();
    let rotated: serde_json::Value =
        serde_json::from_str(include_str!("../../../../services/demo-keys/jwks-rotated.json")).unwrap();
    let secret = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, SECRET);
    let keys = jwks["keys"].as_array_mut().unwrap();
    keys.push(rotated["keys"][0].clone());
    keys.push(json!({"kty": "oct", "kid": "hmac", "k": secret}));
    jwks
}

fn plugin(budget: u32) -> TestPlugin<Auth> {
    let config = json!({"providers": [{"jwt": {"issuer": "https://sieve.demo", "audiences": ["sieve-demo"],
        "jwks": demo_jwks(), "max_verifications_per_second": budget}}]});
    TestPlugin::new(&config.to_string()).unwrap()
}

fn status(plugin: &TestPlugin<Auth>, host: &mut FakeHost, token: &str) -> u16 {
    let fresh = FakeHost::request("GET", "/", &[("authorization", &format!("Bearer {token}"))]);
    host.request_headers = fresh.request_headers;
    host.local_reply = None;
    match plugin.request(host).0 {
        Action::Continue => 200,
        _ => host.local_reply.as_ref().map_or(0, |r| r.status),
    }
}

#[test]
fn a_flood_of_forged_tokens_beyond_the_budget_gets_503_and_a_cached_token_still_passes() {
    // 50 RSA-2048 verifications a second: 5 at once.
    let filter = plugin(50);
    let mut host = FakeHost::request("GET", "/", &[]);
    host.now = std::time::UNIX_EPOCH + Duration::from_secs(sieve_e2e::tokens::now() as u64);
    let valid = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let forged = tampered(&valid, &claims("mallory", json!({})));
    assert_eq!(status(&filter, &mut host, &valid), 200, "one verification");
    let flood: Vec<u16> = (0..20).map(|_| status(&filter, &mut host, &forged)).collect();
    assert_eq!(flood.iter().filter(|s| **s == 401).count(), 4, "{flood:?}");
    assert_eq!(flood.iter().filter(|s| **s == 503).count(), 16, "{flood:?}");
    assert_eq!(host.local_reply.as_ref().unwrap().details, "sieve_auth.unavailable");
    assert_eq!(host.counter("sieve.auth.jwt.denied.verify_budget"), 16);
    assert_eq!(host.counter("sieve.auth.jwt.denied.bad_signature"), 4);
    assert_eq!(host.counter("sieve.auth.unavailable"), 16);
    assert_eq!(status(&filter, &mut host, &valid), 200, "the cached token needs no verification");
    // HMAC tokens cost about a cache lookup: never budgeted.
    let hs = sign_hmac("HS256", SECRET, Some("hmac"), &claims("bob", json!({})));
    assert_eq!(status(&filter, &mut host, &hs), 200);
    // A tenth of a second later, the budget has 5 verifications again.
    host.advance(Duration::from_millis(100));
    let flood: Vec<u16> = (0..6).map(|_| status(&filter, &mut host, &forged)).collect();
    assert_eq!(flood, [401, 401, 401, 401, 401, 503]);
}

#[test]
fn dearer_verifications_take_more_of_the_budget() {
    let filter = plugin(50);
    let mut host = FakeHost::request("GET", "/", &[]);
    host.now = std::time::UNIX_EPOCH + Duration::from_secs(sieve_e2e::tokens::now() as u64);
    // Without a kid, both demo RSA keys are tried: two verifications for a forged token.
    let forged = tampered(&sign("RS256", DemoKey::Rsa1, None, &claims("ann", json!({}))), &claims("x", json!({})));
    assert_eq!(status(&filter, &mut host, &forged), 401);
    assert_eq!(status(&filter, &mut host, &forged), 401);
    assert_eq!(status(&filter, &mut host, &forged), 503, "one unit left, two needed");
    // ES256 counts ten: more than the bucket holds, so it takes a full one.
    host.advance(Duration::from_millis(100));
    let es = sign_with("ES256", DemoKey::Ec1, &claims("ann", json!({})));
    assert_eq!(status(&filter, &mut host, &es), 200);
    let rs = sign_with("RS256", DemoKey::Rsa1, &claims("bob", json!({})));
    assert_eq!(status(&filter, &mut host, &rs), 503);
    // No limit.
    let unlimited = plugin(0);
    let forged = tampered(&sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({}))), &claims("x", json!({})));
    assert!((0..30).all(|_| status(&unlimited, &mut host, &forged) == 401));
}

#[test]
fn the_budget_is_validated_naming_the_field() {
    let config = json!({"providers": [{"jwt": {"jwks": demo_jwks(), "max_verifications_per_second": 1_000_001}}]});
    let error = TestPlugin::<Auth>::new(&config.to_string()).err().unwrap().to_string();
    assert!(error.contains("providers[0].jwt.max_verifications_per_second"), "{error}");
    let config = json!({"providers": [{"jwt": {"jwks": demo_jwks(), "max_verifications_per_second": -1}}]});
    assert!(TestPlugin::<Auth>::new(&config.to_string()).is_err());
}
