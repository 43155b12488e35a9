use super::*;
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};
use sieve_sdk_ext::Action;

fn plugin(config: &str) -> TestPlugin<Headers> {
    TestPlugin::new(config).unwrap_or_else(|e| panic!("config refused: {e}"))
}

fn config_error(config: &str) -> String {
    match TestPlugin::<Headers>::new(config) {
        Ok(_) => panic!("config accepted: {config}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn request_operations_in_order() {
    let plugin = plugin(
        r#"{"request": [
            {"op": "rename", "name": "x-old", "to": "x-new"},
            {"op": "add", "name": "x-new", "value": "added"},
            {"op": "set", "name": "x-set", "value": "%METHOD%"},
            {"op": "set_if_absent", "name": "x-keep", "value": "default"},
            {"op": "remove", "name": "x-gone"}
        ]}"#,
    );
    let mut host = FakeHost::request(
        "PUT",
        "/",
        &[("x-old", "1"), ("x-old", "2"), ("x-set", "a"), ("x-set", "b"), ("x-keep", "mine"), ("x-gone", "z")],
    );
    let (action, _) = plugin.request(&mut host);
    assert_eq!(action, Action::Continue);
    assert_eq!(host.values(MapKind::RequestHeaders, "x-new"), ["1", "2", "added"]);
    assert!(host.values(MapKind::RequestHeaders, "x-old").is_empty());
    assert_eq!(host.values(MapKind::RequestHeaders, "x-set"), ["PUT"]);
    assert_eq!(host.values(MapKind::RequestHeaders, "x-keep"), ["mine"]);
    assert!(host.values(MapKind::RequestHeaders, "x-gone").is_empty());
    assert_eq!(host.counter("sieve.headers.request_rules_applied"), 4, "set_if_absent changed nothing");
}

#[test]
fn response_rules_read_the_request_as_it_went_upstream() {
    let plugin = plugin(
        r#"{
            "request": [{"op": "set", "name": "x-user", "value": "rewritten"}],
            "response": [
                {"op": "set", "name": "x-echo", "value": "%METHOD% %PATH% %REQ(x-user)% %STATUS%",
                 "when": {"path_prefix": "/a", "headers": [{"name": "x-user"}]}}
            ]
        }"#,
    );
    let mut host = FakeHost::request("GET", "/a/b", &[("x-user", "ann")]);
    let (_, mut stream) = plugin.request(&mut host);
    host.respond(201, &[]);
    assert_eq!(plugin.response(&mut host, &mut stream), Action::Continue);
    assert_eq!(host.response_header("x-echo").as_deref(), Some("GET /a/b rewritten 201"));
}

#[test]
fn reject_answers_400_with_json_and_detail_and_skips_response_rules() {
    let plugin = plugin(
        r#"{"request": [{"op": "set", "name": "x-t", "value": "%REQ(x-tenant)%", "on_missing": "reject"}],
            "response": [{"op": "set", "name": "x-r", "value": "1"}]}"#,
    );
    let mut host = FakeHost::request("GET", "/", &[]);
    let (action, mut stream) = plugin.request(&mut host);
    assert_eq!(action, Action::Stop);
    let reply = host.local_reply.clone().unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(reply.details, "sieve_headers.bad_request");
    assert_eq!(reply.header("content-type").as_deref(), Some("application/json"));
    assert_eq!(reply.json()["message"], "request header x-tenant is required (request[0])");
    host.respond(400, &[]);
    plugin.response(&mut host, &mut stream);
    assert_eq!(host.response_header("x-r"), None);
    assert_eq!(host.counter("sieve.headers.requests_rejected"), 1);
}

#[test]
fn missing_values_skip_or_interpolate_empty() {
    let plugin = plugin(
        r#"{"request": [
            {"op": "set", "name": "x-skip", "value": "a%REQ(x-none)%"},
            {"op": "set", "name": "x-empty", "value": "a%REQ(x-none)%", "on_missing": "empty"}
        ]}"#,
    );
    let mut host = FakeHost::request("GET", "/", &[]);
    plugin.request(&mut host);
    assert_eq!(host.request_header("x-skip"), None);
    assert_eq!(host.request_header("x-empty").as_deref(), Some("a"));
    assert_eq!(host.counter("sieve.headers.rules_skipped_missing_value"), 1);
}

#[test]
fn route_entries_select_or_disable() {
    let plugin = plugin(
        r#"{"request": [{"op": "set", "name": "x-c", "value": "top"}],
            "routes": [
                {"match": {"path_prefix": "/off"}, "disabled": true},
                {"match": {"methods": ["POST"]}, "config": {"request": [{"op": "set", "name": "x-c", "value": "post"}]}}
            ]}"#,
    );
    for (method, path, expected) in [("GET", "/", Some("top")), ("GET", "/off/x", None), ("POST", "/", Some("post"))] {
        let mut host = FakeHost::request(method, path, &[]);
        plugin.request(&mut host);
        assert_eq!(host.request_header("x-c").as_deref(), expected, "{method} {path}");
    }
}

#[test]
fn config_errors_name_the_field() {
    let cases = [
        (r#"{"request": [{"op": "rename", "name": "x-a"}]}"#, "request[0].to: required for op \"rename\""),
        (r#"{"request": [{"op": "rename", "name": "x-a", "to": "X-A"}]}"#, "request[0].to: renaming x-a to itself"),
        (
            r#"{"request": [{"op": "remove", "name": "x-a", "value": "1"}]}"#,
            "request[0].value: not used by op \"remove\"",
        ),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "1", "to": "x-b"}]}"#,
            "request[0].to: only used by op \"rename\"",
        ),
        (
            r#"{"request": [{"op": "add", "name": ":path", "value": "/x"}]}"#,
            "request[0].name: pseudo-header :path cannot be changed by op \"add\"",
        ),
        (
            r#"{"response": [{"op": "set", "name": ":authority", "value": "x"}]}"#,
            "response[0].name: pseudo-header :authority cannot be changed",
        ),
        (
            r#"{"request": [{"op": "set", "name": "host", "value": "x"}]}"#,
            "request[0].name: write :authority, not host",
        ),
        (
            r#"{"response": [{"op": "set", "name": "x-a", "value": "%REQ(x)%", "on_missing": "reject"}]}"#,
            "response[0].on_missing",
        ),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "1", "when": {"path_prefix": "api"}}]}"#,
            "request[0].when.path_prefix: must start with '/'",
        ),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "1", "when": {"methods": ["G T"]}}]}"#,
            "request[0].when.methods[0]",
        ),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "1", "when": {"headers": [{"name": "x", "value": "v", "present": false}]}}]}"#,
            "request[0].when.headers[0].present",
        ),
        (
            r#"{"response": [{"op": "set", "name": "x-a", "value": "1", "when": {"status": [99]}}]}"#,
            "response[0].when.status[0]: 99 is not an HTTP status",
        ),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "%STATUS%"}]}"#,
            "request[0].value: %STATUS% is only available in response rules",
        ),
        (r#"{"routes": [{"match": {"route": "a"}}]}"#, "routes[0]: give config"),
        (
            r#"{"routes": [{"match": {"route": "a"}, "disabled": true, "config": {}}]}"#,
            "routes[0]: give either config or disabled",
        ),
        (
            r#"{"routes": [{"match": {"route": "a"}, "config": {"routes": []}}]}"#,
            "routes[0].config.routes: route entries cannot nest",
        ),
        (r#"{"routes": [{"match": {}, "disabled": true}]}"#, "routes[0].match: an empty match"),
        (
            r#"{"routes": [{"match": {"route": "a"}, "config": {"request": [{"op": "set", "name": "x"}]}}]}"#,
            "routes[0].config.request[0].value: required",
        ),
    ];
    for (config, expected) in cases {
        let error = config_error(config);
        assert!(error.contains(expected), "{config}\n  gave: {error}\n  want: {expected}");
    }
}

#[test]
fn an_empty_config_changes_nothing() {
    let plugin = plugin("");
    let mut host = FakeHost::request("GET", "/", &[("x-a", "1")]);
    let before = host.request_headers.clone();
    plugin.request(&mut host);
    assert_eq!(host.request_headers, before);
}
