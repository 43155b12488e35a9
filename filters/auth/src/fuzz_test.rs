//! Thousands of malformed credentials and tokens through every parser, and through the whole
//! filter on a fake host: nothing may panic.

use crate::credential::{
    cookie, parse_basic, query_param, remove_cookie, remove_query_param, strip_prefix_ignore_case,
};
use crate::jwt::keys::KeySet;
use crate::jwt::token::{self, ClaimRules};
use crate::Auth;
use base64::Engine;
use proptest::prelude::*;
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Token-like strings: three segments of random or base64 of random JSON-ish text.
fn token_like() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        ".{0,40}",
        proptest::collection::vec(any::<u8>(), 0..60).prop_map(|b| b64(&b)),
        "\\{\"alg\":\"(HS256|RS256|ES256|none|PS512|xx)\"(,\"kid\":\"[a-z0-9-]{0,6}\")?\\}"
            .prop_map(|s| b64(s.as_bytes())),
        "\\{\"sub\":.{0,10},\"exp\":[0-9a-z.e+-]{0,12}\\}".prop_map(|s| b64(s.as_bytes())),
    ];
    (segment.clone(), segment.clone(), segment, 0usize..5).prop_map(|(a, b, c, dots)| match dots {
        0 => a,
        1 => format!("{a}.{b}"),
        2 | 3 => format!("{a}.{b}.{c}"),
        _ => format!("{a}.{b}.{c}.{a}"),
    })
}

fn all_provider_plugin() -> TestPlugin<Auth> {
    let jwks = serde_json::json!({"keys": [{"kty": "oct", "kid": "k", "k": b64(&[9u8; 32])}]});
    let config = serde_json::json!({"providers": [
        {"api_key": {"query": "key", "header": "x-api-key", "keys": [{"consumer": "a", "sha256": "0".repeat(64)}]}},
        {"basic": {"users": [{"username": "u", "password_hash": crate::basic::hash_password("p", &[1u8; 16])}]}},
        {"jwt": {"jwks": jwks, "from": [{"header": "authorization", "prefix": "Bearer "}, {"cookie": "s"}]}}
    ]});
    TestPlugin::new(&config.to_string()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, .. ProptestConfig::default() })]

    #[test]
    fn credential_helpers_never_panic(text in ".{0,200}", name in "[a-z_]{0,8}") {
        let _ = parse_basic(Some(&text));
        let _ = parse_basic(Some(&format!("Basic {text}")));
        let _ = strip_prefix_ignore_case(&text, "Bearer ");
        let _ = query_param(&text, &name);
        let _ = remove_query_param(&text, &name);
        let _ = cookie(&text, &name);
        let _ = remove_cookie(&text, &name);
    }

    #[test]
    fn token_parsing_never_panics(token in token_like()) {
        if let Ok(parsed) = token::parse(&token) {
            if let Ok(claims) = token::claims(&parsed) {
                let rules = ClaimRules { issuer: Some("i".into()), audiences: vec!["a".into()], leeway_seconds: 5, require_exp: true };
                let _ = token::check_claims(&claims, &rules, 1_700_000_000);
                for path in [vec!["sub".to_string()], vec!["a".into(), "b".into()]] {
                    if let Some(value) = token::claim_at(&claims, &path) {
                        let _ = token::header_value(value);
                    }
                }
            }
        }
    }

    #[test]
    fn key_set_parsing_never_panics(document in ".{0,300}", n in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = KeySet::parse_bytes(document.as_bytes());
        let rsa = serde_json::json!({"keys": [{"kty": "RSA", "n": b64(&n), "e": "AQAB"}, {"kty": "EC", "crv": "P-256", "x": b64(&n), "y": b64(&n)}]});
        let _ = KeySet::parse_bytes(rsa.to_string().as_bytes());
    }

    #[test]
    fn the_whole_filter_never_panics(authorization in ".{0,120}", token in token_like(), key in ".{0,40}", path in "/[a-z?=&%0-9]{0,30}") {
        let plugin = all_provider_plugin();
        for headers in [
            vec![("authorization", authorization.clone())],
            vec![("authorization", format!("Bearer {token}"))],
            vec![("authorization", format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(&authorization)))],
            vec![("cookie", format!("s={token}; x=1"))],
            vec![("x-api-key", key.clone())],
        ] {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let mut host = FakeHost::request("GET", &path, &headers);
            let (_action, _stream) = plugin.request(&mut host);
        }
    }
}
