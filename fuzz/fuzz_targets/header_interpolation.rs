//! Header rules and value interpolation: arbitrary request and response header values, path,
//! method and client address through a rule set using every operator. Nothing panics, and no
//! CR, LF or NUL reaches a header.
#![no_main]
#[path = "common.rs"]
mod common;
use common::Reader;
use libfuzzer_sys::fuzz_target;
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};
use sieve_sdk_ext::MapKind;

fn plugin() -> &'static TestPlugin<sieve_headers::Headers> {
    // One plugin per fuzzing thread (a test plugin is not Sync), built once.
    thread_local! {
        static PLUGIN: &'static TestPlugin<sieve_headers::Headers> = Box::leak(Box::new({
        let config = serde_json::json!({
            "request": [
                {"op": "set", "name": "x-all", "value": "%METHOD% %PATH% %HOST% %CLIENT_IP% %CLIENT_ADDRESS% %REQUEST_ID% %ROUTE_NAME% %REQ(x-a)% 100%%", "on_missing": "empty"},
                {"op": "add", "name": "x-b", "value": "%REQ(x-b)%-%REQ(x-a)%"},
                {"op": "set_if_absent", "name": "x-c", "value": "%REQ(x-c)%", "on_missing": "reject", "when": {"path_prefix": "/r"}},
                {"op": "rename", "name": "x-d", "to": "x-e"},
                {"op": "remove", "name": "x-f", "when": {"headers": [{"name": "x-a", "value": "v"}], "methods": ["POST"]}},
                {"op": "set", "name": ":path", "value": "/p%PATH%", "when": {"path_prefix": "/rewrite"}}
            ],
            "response": [
                {"op": "set", "name": "x-status", "value": "%STATUS% %REQ(x-a)% %RESP(x-r)%"},
                {"op": "rename", "name": "x-r", "to": "x-s", "when": {"status": [200, 404]}}
            ]
        });
        TestPlugin::new(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
    PLUGIN.with(|plugin| *plugin)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let method = input.header_value(10);
    let path = input.header_value(200);
    let mut headers = Vec::new();
    for name in ["x-a", "x-b", "x-c", "x-d", "x-f", ":authority", "x-request-id"] {
        let value = input.header_value(100);
        headers.push((name.to_string(), value));
    }
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let mut host = FakeHost::request(&method, &path, &pairs);
    host.set_property(&["source", "address"], &input.header_value(60));
    host.set_property(&["xds", "route_name"], &input.header_value(30));
    let (_, mut stream) = plugin().request(&mut host);
    common::assert_clean_headers(&host.request_headers);
    let status = input.header_value(5);
    let response_value = input.header_value(100);
    host.respond(200, &[("x-r", response_value.as_str())]);
    // The status as any text Envoy could hand over.
    host.response_headers[0].1 = status.into_bytes();
    plugin().response(&mut host, &mut stream);
    common::assert_clean_headers(&host.response_headers);
    let _ = host.values(MapKind::ResponseHeaders, "x-status");
});
