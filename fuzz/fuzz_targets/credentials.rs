//! API-key and Basic credentials: arbitrary header, query and cookie values through the auth
//! filter (API key by header and query, Basic, with spoof removal and credential stripping), and
//! the credential helpers directly.
#![no_main]
#[path = "common.rs"]
mod common;
use base64::Engine;
use common::Reader;
use libfuzzer_sys::fuzz_target;
use sieve_auth::credential;
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};

fn plugin() -> &'static TestPlugin<sieve_auth::Auth> {
    // One plugin per fuzzing thread (a test plugin is not Sync), built once.
    thread_local! {
        static PLUGIN: &'static TestPlugin<sieve_auth::Auth> = Box::leak(Box::new({
        let config = serde_json::json!({
            "providers": [
                {"api_key": {"header": "x-api-key", "query": "key", "keys": [
                    {"consumer": "app", "sha256": sieve_auth::apikey::digest_hex("fuzz-key-0123456789abcdef")}
                ]}},
                {"basic": {"users": [{"username": "u", "password_hash": sieve_auth::basic::hash_password("p", &[1u8; 16])}]}}
            ],
            "strip_credentials": true
        });
        TestPlugin::new(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
    PLUGIN.with(|plugin| *plugin)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let key = input.header_value(300);
    let authorization = input.header_value(300);
    let path = input.header_value(300);
    let cookie = input.header_value(200);
    let name = input.text(10);
    let _ = credential::parse_basic(Some(&authorization));
    let _ = credential::query_param(&path, &name);
    let _ = credential::remove_query_param(&path, &name);
    let _ = credential::cookie(&cookie, &name);
    let _ = credential::remove_cookie(&cookie, &name);
    let encoded = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(input.rest()));
    for auth in [authorization.as_str(), encoded.as_str()] {
        let mut host = FakeHost::request(
            "GET",
            &path,
            &[("x-api-key", key.as_str()), ("authorization", auth), ("cookie", cookie.as_str()), ("x-sieve-consumer", "spoofed")],
        );
        plugin().request(&mut host);
        common::assert_clean_headers(&host.request_headers);
        if host.local_reply.is_some() {
            continue; // refused: nothing goes upstream
        }
        let consumers = host.values(sieve_sdk_ext::MapKind::RequestHeaders, "x-sieve-consumer");
        assert!(!consumers.iter().any(|c| c == "spoofed"), "a client-sent identity survived");
    }
});
