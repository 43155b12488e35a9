use super::*;
use crate::Auth;
use serde_json::json;
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};
use sieve_sdk_ext::Action;
use std::time::Duration;

#[test]
fn hashes_round_trip_and_bad_hashes_are_refused() {
    let stored = hash_password("correct horse battery staple", &[7u8; 16]);
    assert!(stored.starts_with("hmac-sha256$"));
    let parsed = parse_hash(&stored).unwrap();
    assert_eq!(parsed, Stored::Hmac { salt: vec![7u8; 16], mac: mac(&[7u8; 16], "correct horse battery staple") });
    assert!(parsed.matches("correct horse battery staple"));
    assert!(!parsed.matches("correct horse battery stapl"));
    assert!(parse_hash("plaintext").unwrap_err().contains("must be"));
    assert!(parse_hash("bcrypt$a$b").unwrap_err().contains("unknown scheme"));
    assert!(parse_hash("hmac-sha256$c2FsdA$AAAA").unwrap_err().contains("at least 16"));
    assert!(parse_hash(&format!("hmac-sha256${}$AAAA", "A".repeat(24))).unwrap_err().contains("32 bytes"));
    assert!(parse_hash("hmac-sha256$a$b$c").unwrap_err().contains("must be"));
}

/// PBKDF2-HMAC-SHA256 test vectors of RFC 7914 section 11 (the first two), through the stored form.
#[test]
fn pbkdf2_matches_the_published_vectors_and_round_trips() {
    assert_eq!(
        hex::encode(pbkdf2_sha256("passwd", b"salt", 1)),
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
    );
    assert_eq!(
        hex::encode(pbkdf2::pbkdf2_hmac_array::<Sha256, 64>(b"Password", b"NaCl", 80_000))
            .get(..64)
            .unwrap_or_default(),
        "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
    );
    let stored = hash_password_pbkdf2("Tr0ub4dor&3", &[9u8; 16], 1_000);
    assert!(stored.starts_with("pbkdf2-sha256$1000$"), "{stored}");
    let parsed = parse_hash(&stored).unwrap();
    assert_eq!(
        parsed,
        Stored::Pbkdf2 {
            iterations: 1_000,
            salt: vec![9u8; 16],
            hash: pbkdf2_sha256("Tr0ub4dor&3", &[9u8; 16], 1_000)
        }
    );
    assert!(parsed.matches("Tr0ub4dor&3"));
    assert!(!parsed.matches("Tr0ub4dor&4"));
    let salt = "A".repeat(22);
    let hash = "A".repeat(43);
    assert!(parse_hash(&format!("pbkdf2-sha256$999${salt}${hash}")).unwrap_err().contains("iteration count"));
    assert!(parse_hash(&format!("pbkdf2-sha256$2000001${salt}${hash}")).unwrap_err().contains("iteration count"));
    assert!(parse_hash(&format!("pbkdf2-sha256$lots${salt}${hash}")).unwrap_err().contains("iteration count"));
    assert!(parse_hash(&format!("pbkdf2-sha256$600000$c2FsdA${hash}")).unwrap_err().contains("at least 16"));
    assert!(parse_hash(&format!("pbkdf2-sha256$600000${salt}$AAAA")).unwrap_err().contains("32 bytes"));
    assert!(parse_hash(&format!("pbkdf2-sha256${salt}${hash}")).unwrap_err().contains("must be"));
}

#[test]
fn a_hash_made_by_another_implementation_verifies() {
    // Python: hashlib.pbkdf2_hmac("sha256", b"Tr0ub4dor&3-horse", salt, 600000), as
    // `cargo xtask auth-hash password carol --pbkdf2` prints it.
    let stored =
        parse_hash("pbkdf2-sha256$600000$utr2YNBjpuQ2F0Em31FEQQ$XAlAQVYcZwB//f1j3O9v3HDPVnQXF8B+yUjthY9CSvI").unwrap();
    assert!(stored.matches("Tr0ub4dor&3-horse"));
    assert!(!stored.matches("Tr0ub4dor&3-Horse"));
}

const PASSWORD: &str = "correct horse battery staple";

fn slow_plugin(extra: serde_json::Value) -> TestPlugin<Auth> {
    let mut basic = json!({"users": [
        {"username": "ann", "password_hash": hash_password_pbkdf2(PASSWORD, &[3u8; 16], 1_000)},
        {"username": "bot", "password_hash": hash_password("bot-secret-0123456789abcdef", &[4u8; 16])}
    ]});
    if let (Some(map), serde_json::Value::Object(extra)) = (basic.as_object_mut(), extra) {
        map.extend(extra);
    }
    TestPlugin::new(&json!({"providers": [{"basic": basic}]}).to_string()).unwrap()
}

fn basic_header(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// The status of one request (200: let through) at `host`'s current time.
fn status(plugin: &TestPlugin<Auth>, host: &mut FakeHost, user: &str, password: &str) -> u32 {
    let fresh = FakeHost::request("GET", "/", &[("authorization", &basic_header(user, password))]);
    host.request_headers = fresh.request_headers;
    host.local_reply = None;
    match plugin.request(host).0 {
        Action::Continue => 200,
        _ => host.local_reply.as_ref().map_or(0, |r| u32::from(r.status)),
    }
}

#[test]
fn a_right_password_costs_the_slow_hash_once_then_comes_from_the_cache() {
    let plugin = slow_plugin(json!({"max_slow_verifications_per_second": 1}));
    let mut host = FakeHost::request("GET", "/", &[]);
    assert_eq!(status(&plugin, &mut host, "ann", PASSWORD), 200, "the first check spends the budget");
    for _ in 0..5 {
        assert_eq!(status(&plugin, &mut host, "ann", PASSWORD), 200, "then the cache answers, budget or not");
    }
    assert_eq!(status(&plugin, &mut host, "ann", "wrong"), 429, "a wrong password needs the hash: no budget left");
    let reply = host.local_reply.clone().unwrap();
    assert_eq!(reply.details, "sieve_auth.too_many_requests");
    assert!(reply.headers.iter().any(|(n, v)| n == "retry-after" && v == b"1"));
    assert_eq!(status(&plugin, &mut host, "bot", "bot-secret-0123456789abcdef"), 200, "HMAC users are not budgeted");
    assert_eq!(host.counter("sieve.auth.basic.denied.hash_budget"), 1);
    assert_eq!(host.counter("sieve.auth.throttled"), 1);
    host.advance(Duration::from_secs(1));
    assert_eq!(status(&plugin, &mut host, "ann", "wrong"), 401, "a second later there is budget again");
    assert_eq!(host.counter("sieve.auth.basic.denied.invalid"), 1);
}

#[test]
fn unknown_users_cost_a_slow_hash_and_the_budget_like_known_ones() {
    let plugin = slow_plugin(json!({"max_slow_verifications_per_second": 2}));
    let mut host = FakeHost::request("GET", "/", &[]);
    assert_eq!(status(&plugin, &mut host, "nobody", "x"), 401);
    assert_eq!(status(&plugin, &mut host, "ann", "wrong"), 429, "the decoy check took the budget");
    host.advance(Duration::from_millis(500));
    assert_eq!(status(&plugin, &mut host, "ann", "wrong"), 401);
    assert_eq!(status(&plugin, &mut host, "nobody", "x"), 429, "the decoy check is budgeted too");
    assert_eq!(status(&plugin, &mut host, "ann", PASSWORD), 429, "not cached yet, and no budget");
}

#[test]
fn the_cache_is_bounded_and_keyed_by_the_password_and_zero_turns_it_off() {
    let users: Vec<serde_json::Value> = (0..3)
        .map(|i| json!({"username": format!("u{i}"), "password_hash": hash_password_pbkdf2(&format!("pw{i}"), &[i as u8; 16], 1_000)}))
        .collect();
    let plugin = TestPlugin::<Auth>::new(
        &json!({"providers": [{"basic": {"users": users, "max_slow_verifications_per_second": 1, "verified_cache_size": 2}}]})
            .to_string(),
    )
    .unwrap();
    let mut host = FakeHost::request("GET", "/", &[]);
    for i in 0..3 {
        assert_eq!(status(&plugin, &mut host, &format!("u{i}"), &format!("pw{i}")), 200);
        host.advance(Duration::from_millis(if i < 2 { 1_000 } else { 0 }));
    }
    // u0 left the cache (the oldest), u1 and u2 are in it.
    assert_eq!(status(&plugin, &mut host, "u2", "pw2"), 200);
    assert_eq!(status(&plugin, &mut host, "u1", "pw1"), 200);
    assert_eq!(status(&plugin, &mut host, "u0", "pw0"), 429, "evicted: the hash again, and the budget is spent");
    assert_eq!(status(&plugin, &mut host, "u1", "pw2"), 429, "another password is not the cached one");

    let uncached = slow_plugin(json!({"max_slow_verifications_per_second": 1, "verified_cache_size": 0}));
    let mut host = FakeHost::request("GET", "/", &[]);
    assert_eq!(status(&uncached, &mut host, "ann", PASSWORD), 200);
    assert_eq!(status(&uncached, &mut host, "ann", PASSWORD), 429);
}

#[test]
fn no_limit_with_zero_and_config_errors_name_the_field() {
    let plugin = slow_plugin(json!({"max_slow_verifications_per_second": 0, "verified_cache_size": 0}));
    let mut host = FakeHost::request("GET", "/", &[]);
    assert!((0..20).all(|_| status(&plugin, &mut host, "ann", "wrong") == 401));
    let refused = |extra: serde_json::Value| {
        let config = json!({"providers": [{"basic": {"users": [{"username": "a", "password_hash": hash_password("x", &[1u8; 16])}]}}]});
        let mut config = config;
        if let (Some(map), serde_json::Value::Object(extra)) = (config["providers"][0]["basic"].as_object_mut(), extra)
        {
            map.extend(extra);
        }
        TestPlugin::<Auth>::new(&config.to_string()).err().unwrap().to_string()
    };
    let error = refused(json!({"max_slow_verifications_per_second": -1}));
    assert!(error.contains("providers[0].basic.max_slow_verifications_per_second"), "{error}");
    let error = refused(json!({"max_slow_verifications_per_second": 1001}));
    assert!(error.contains("providers[0].basic.max_slow_verifications_per_second"), "{error}");
    let error = refused(json!({"verified_cache_size": 100_001}));
    assert!(error.contains("providers[0].basic.verified_cache_size"), "{error}");
    let error = refused(
        json!({"users": [{"username": "a", "password_hash": "pbkdf2-sha256$10$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}),
    );
    assert!(
        error.contains("providers[0].basic.users[0].password_hash") && error.contains("iteration count"),
        "{error}"
    );
}

#[test]
fn the_slow_rate_refusal_names_the_limit() {
    assert_eq!(format!("{MAX_SLOW_RATE}"), "1000");
}
