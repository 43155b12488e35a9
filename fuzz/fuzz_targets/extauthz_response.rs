//! Answers of an external authorization service: arbitrary status, headers and body, or none (a
//! timeout or reset). Nothing panics; what is not a clear 2xx never lets the request through.
#![no_main]
#[path = "common.rs"]
mod common;
use common::Reader;
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::testing::{call_response, FakeHost, TestPlugin};
use sieve_sdk_ext::Action;

fn plugin() -> &'static TestPlugin<sieve_auth::Auth> {
    // One plugin per fuzzing thread (a test plugin is not Sync), built once.
    thread_local! {
        static PLUGIN: &'static TestPlugin<sieve_auth::Auth> = Box::leak(Box::new({
        let config = serde_json::json!({"providers": [{"ext_authz": {"cluster": "authz", "timeout_ms": 300,
            "headers_to_upstream": ["x-auth-scope", "x-auth-consumer"]}}]});
        TestPlugin::new(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
    PLUGIN.with(|plugin| *plugin)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let status = match input.byte() % 4 {
        0 => None,
        _ => Some(input.u16()),
    };
    let mut headers = Vec::new();
    for _ in 0..(input.byte() % 6) {
        headers.push((input.header_value(30).to_ascii_lowercase(), input.header_value(200)));
    }
    let body = input.rest().to_vec();
    let mut host = FakeHost::request("POST", "/orders", &[("authorization", "Bearer t")]);
    let (action, mut stream) = plugin().request(&mut host);
    if action != Action::Pause {
        return;
    }
    let Some(token) = host.last_call().map(|call| call.token) else { return };
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let answer = plugin().answer(&mut host, &mut stream, call_response(token, status, &pairs, &body));
    if answer == Action::Continue {
        assert!(status.is_some_and(|s| (200..300).contains(&s)), "let through on {status:?}");
    }
    common::assert_clean_headers(&host.request_headers);
});
