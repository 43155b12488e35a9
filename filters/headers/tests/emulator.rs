//! The headers filter's compiled module, driven through the proxy-wasm ABI by Sieve's host
//! emulator: no Envoy, milliseconds per test. The real-Envoy tests are tests/tests/headers.rs, and
//! tests/scenarios/headers.yaml runs in both to check that they agree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use sieve_emulator::{Action, Emulator, Outcome, Request};

fn vm(config: Value) -> Emulator {
    let module = sieve_emulator::modules::module_path("sieve-headers").unwrap();
    Emulator::builder(module).plugin_config(config.to_string()).start().unwrap()
}

fn refusal(config: &str) -> String {
    let module = sieve_emulator::modules::module_path("sieve-headers").unwrap();
    Emulator::builder(module).plugin_config(config).refusal().unwrap_or_else(|e| panic!("{config}: {e}"))
}

/// Sends `request` and, when it is forwarded, the response `upstream` would give; returns the
/// context to inspect.
fn round_trip(vm: &mut Emulator, request: Request, upstream: &[(&str, &str)]) -> u32 {
    let exchange = vm.send(request).unwrap();
    assert_eq!(exchange.outcome, Outcome::Forwarded);
    assert_eq!(vm.response_headers(exchange.context, upstream, false).unwrap(), Action::Continue);
    exchange.context
}

#[test]
fn request_operations() {
    let mut vm = vm(json!({"request": [
        {"op": "add", "name": "x-add", "value": "added"},
        {"op": "set", "name": "x-set", "value": "set"},
        {"op": "set_if_absent", "name": "x-default", "value": "fallback"},
        {"op": "set_if_absent", "name": "x-default-kept", "value": "fallback"},
        {"op": "remove", "name": "x-remove"},
        {"op": "rename", "name": "x-old", "to": "x-new"},
        {"op": "set", "name": ":path", "value": "/rewritten%PATH%", "when": {"path_prefix": "/rewrite"}}
    ]}));
    let request = Request::get("/")
        .header("x-add", "client")
        .header("x-set", "one")
        .header("x-set", "two")
        .header("x-default-kept", "client")
        .header("x-remove", "a")
        .header("x-remove", "b")
        .header("x-old", "first")
        .header("x-old", "second")
        .header("x-new", "overwritten");
    let exchange = vm.send(request).unwrap();
    assert_eq!(exchange.outcome, Outcome::Forwarded);
    let stream = vm.stream(exchange.context).unwrap();
    assert_eq!(stream.request_header_values("x-add"), ["client", "added"], "add appends");
    assert_eq!(stream.request_header_values("x-set"), ["set"], "set replaces every value");
    assert_eq!(stream.request_header_values("x-default"), ["fallback"]);
    assert_eq!(stream.request_header_values("x-default-kept"), ["client"]);
    assert!(stream.request_header_values("x-remove").is_empty());
    assert!(stream.request_header_values("x-old").is_empty());
    assert_eq!(stream.request_header_values("x-new"), ["first", "second"], "rename moves every value");

    let rewritten = vm.send(Request::get("/rewrite/me?q=1")).unwrap();
    assert_eq!(vm.stream(rewritten.context).unwrap().request_header(":path"), Some("/rewritten/rewrite/me?q=1"));
}

#[test]
fn response_operations_and_conditions() {
    let mut vm = vm(json!({"response": [
        {"op": "add", "name": "x-add", "value": "added"},
        {"op": "set", "name": "x-set", "value": "set"},
        {"op": "set_if_absent", "name": "x-default", "value": "fallback"},
        {"op": "remove", "name": "x-remove"},
        {"op": "rename", "name": "x-old", "to": "x-new"},
        {"op": "set", "name": "x-status", "value": "%STATUS% for %METHOD% %REQ(x-who)%"},
        {"op": "set", "name": "x-from-upstream", "value": "%RESP(x-echo-upstream)%"},
        {"op": "set", "name": "x-only-404", "value": "yes", "when": {"status": [404]}},
        {"op": "set", "name": "x-only-tagged", "value": "yes", "when": {"response_headers": [{"name": "x-tag", "value": "blue"}]}}
    ]}));
    let upstream = [
        (":status", "200"),
        ("x-echo-upstream", "sieve-echo"),
        ("x-add", "upstream"),
        ("x-set", "one"),
        ("x-remove", "gone"),
        ("x-old", "moved"),
        ("x-tag", "blue"),
    ];
    let context = round_trip(&mut vm, Request::get("/").header("x-who", "ann"), &upstream);
    let stream = vm.stream(context).unwrap();
    let values = |name: &str| {
        stream.response_headers().iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>()
    };
    assert_eq!(values("x-add"), ["upstream", "added"]);
    assert_eq!(values("x-set"), ["set"]);
    assert_eq!(values("x-default"), ["fallback"]);
    assert!(values("x-remove").is_empty());
    assert!(values("x-old").is_empty());
    assert_eq!(values("x-new"), ["moved"]);
    assert_eq!(stream.response_header("x-status"), Some("200 for GET ann"), "request headers kept for the response");
    assert_eq!(stream.response_header("x-from-upstream"), Some("sieve-echo"));
    assert_eq!(stream.response_header("x-only-404"), None);
    assert_eq!(stream.response_header("x-only-tagged"), Some("yes"));

    let context = round_trip(&mut vm, Request::get("/").header("x-who", "bob"), &[(":status", "404")]);
    let stream = vm.stream(context).unwrap();
    assert_eq!(stream.response_header("x-only-404"), Some("yes"));
    assert_eq!(stream.response_header("x-only-tagged"), None);
    assert_eq!(stream.response_header("x-status"), Some("404 for GET bob"));
}

#[test]
fn request_conditions() {
    let mut vm = vm(json!({"request": [
        {"op": "set", "name": "x-prefix", "value": "yes", "when": {"path_prefix": "/api/"}},
        {"op": "set", "name": "x-method", "value": "yes", "when": {"methods": ["post", "PUT"]}},
        {"op": "set", "name": "x-present", "value": "yes", "when": {"headers": [{"name": "X-Debug"}]}},
        {"op": "set", "name": "x-absent", "value": "yes", "when": {"headers": [{"name": "x-debug", "present": false}]}},
        {"op": "set", "name": "x-equals", "value": "yes", "when": {"headers": [{"name": "x-env", "value": "prod"}]}}
    ]}));
    let names = ["x-prefix", "x-method", "x-present", "x-equals"];
    let hit =
        vm.send(Request::new("POST", "/api/v1?x=1").header("x-debug", "1").header("x-env", "prod").body("{}")).unwrap();
    let stream = vm.stream(hit.context).unwrap();
    for name in names {
        assert_eq!(stream.request_header(name), Some("yes"), "{name} should be set");
    }
    assert_eq!(stream.request_header("x-absent"), None);

    let miss = vm.send(Request::get("/apix").header("x-env", "staging")).unwrap();
    let stream = vm.stream(miss.context).unwrap();
    for name in names {
        assert_eq!(stream.request_header(name), None, "{name} should not be set");
    }
    assert_eq!(stream.request_header("x-absent"), Some("yes"));
}

#[test]
fn interpolation_reads_headers_and_host_properties() {
    let mut vm = vm(json!({"request": [
        {"op": "set", "name": "x-all", "value": "%METHOD%|%PATH%|%HOST%|%CLIENT_IP%|%REQUEST_ID%|%ROUTE_NAME%|%REQ(x-user)%|100%%"},
        {"op": "set", "name": "x-client-address", "value": "%CLIENT_ADDRESS%"},
        {"op": "set", "name": "x-skip", "value": "u=%REQ(x-missing)%"},
        {"op": "set", "name": "x-empty", "value": "u=%REQ(x-missing)%", "on_missing": "empty"}
    ]}));
    let request = Request::get("/a/b?c=d")
        .header("x-user", "ann")
        .header("x-request-id", "rid-7")
        .client("203.0.113.9:4711")
        .property("xds.route_name", "echo");
    let exchange = vm.send(request).unwrap();
    let stream = vm.stream(exchange.context).unwrap();
    assert_eq!(stream.request_header("x-all"), Some("GET|/a/b?c=d|example.com|203.0.113.9|rid-7|echo|ann|100%"));
    assert_eq!(stream.request_header("x-client-address"), Some("203.0.113.9:4711"));
    assert_eq!(stream.request_header("x-skip"), None);
    assert_eq!(stream.request_header("x-empty"), Some("u="));
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.headers.rules_skipped_missing_value"), Some(1));
}

#[test]
fn a_required_value_that_is_missing_answers_400() {
    let mut vm = vm(json!({"request": [
        {"op": "set", "name": "x-tenant", "value": "%REQ(x-tenant)%", "on_missing": "reject", "when": {"path_prefix": "/tenants"}}
    ]}));
    let exchange = vm.send(Request::get("/tenants/a")).unwrap();
    let Outcome::Replied(reply) = exchange.outcome else { panic!("expected a local reply: {exchange:?}") };
    assert_eq!(reply.status, 400);
    assert_eq!(reply.details, "sieve_headers.bad_request");
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body["error"], "bad_request");
    assert_eq!(body["message"], "request header x-tenant is required (request[0])");
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.headers.requests_rejected"), Some(1));

    let accepted = vm.send(Request::get("/tenants/a").header("x-tenant", "acme")).unwrap();
    assert_eq!(accepted.outcome, Outcome::Forwarded);
}

#[test]
fn per_route_entries_choose_or_disable_the_config() {
    let mut vm = vm(json!({
        "request": [{"op": "set", "name": "x-config", "value": "default"}],
        "routes": [
            {"match": {"route": "raw"}, "disabled": true},
            {"match": {"hosts": ["*.example.com"]}, "config": {"request": [{"op": "set", "name": "x-config", "value": "example"}]}},
            {"match": {"path_prefix": "/admin", "methods": ["DELETE"]},
             "config": {"request": [{"op": "set", "name": "x-config", "value": "admin-delete"}]}}
        ]
    }));
    let mut config_of = |request: Request| {
        let exchange = vm.send(request).unwrap();
        vm.stream(exchange.context).unwrap().request_header("x-config").map(str::to_owned)
    };
    assert_eq!(config_of(Request::get("/")).as_deref(), Some("default"));
    assert_eq!(config_of(Request::get("/raw/x").property("xds.route_name", "raw")), None, "disabled on the raw route");
    assert_eq!(
        config_of(Request::get("/").set_header(":authority", "api.example.com:8080")).as_deref(),
        Some("example")
    );
    assert_eq!(config_of(Request::new("DELETE", "/admin/users")).as_deref(), Some("admin-delete"));
    assert_eq!(config_of(Request::get("/admin/users")).as_deref(), Some("default"));
}

#[test]
fn bad_configs_are_refused_naming_the_field() {
    let cases = [
        (r#"{"request": [{"op": "set", "name": "x-a"}]}"#, "request[0]"),
        (r#"{"request": [{"op": "remove", "name": ":path"}]}"#, "request[0]"),
        (r#"{"request": [{"op": "set", "name": "x-a", "value": "a\r\nb"}]}"#, "request[0].value"),
        (r#"{"request": [{"op": "set", "name": "bad name", "value": "1"}]}"#, "request[0].name"),
        (r#"{"requests": []}"#, "requests"),
        (r#"{"request": [{"op": "set", "name": "x-a", "value": "%NOPE%"}]}"#, "request[0].value"),
        ("not json", "sieve.headers"),
    ];
    for (config, field) in cases {
        let log = refusal(config);
        assert!(log.contains(field), "refusing {config} should name {field}: {log}");
    }
}

#[test]
fn bodies_and_trailers_pass_untouched() {
    let mut vm = vm(json!({"request": [{"op": "set", "name": "x-a", "value": "1"}]}));
    let context = vm.new_http_context().unwrap();
    let headers = [(":method", "POST"), (":path", "/"), (":authority", "example.com")];
    assert_eq!(vm.request_headers(context, &headers, false).unwrap(), Action::Continue);
    assert_eq!(vm.request_body(context, b"payload", false).unwrap(), Action::Continue);
    assert_eq!(vm.request_trailers(context, &[("x-trailer", "t")]).unwrap(), Action::Continue);
    assert_eq!(vm.stream(context).unwrap().request_body(), b"payload");
    vm.complete(context).unwrap();
    assert!(vm.stream(context).is_none());
    assert!(vm.trap().is_none());
}

#[test]
fn each_request_costs_a_bounded_amount_of_work() {
    let mut vm = vm(json!({"request": [{"op": "set", "name": "x-a", "value": "%METHOD% %PATH%"}]}));
    vm.send(Request::get("/warm")).unwrap();
    let exchange = vm.send(Request::get("/measured")).unwrap();
    let fuel = vm.last_fuel();
    assert!(fuel > 0 && fuel < 200_000, "one rule on request headers burned {fuel} fuel");
    assert_eq!(vm.stream(exchange.context).unwrap().request_header("x-a"), Some("GET /measured"));
}

/// Every Sieve module reports its VM's linear memory (`sieve.<filter>.vm_memory_bytes`) when it is
/// configured and on ticks when it grew: the soak run reads it to tell a leak from a warm-up.
#[test]
fn the_vm_reports_its_memory() {
    let mut vm = vm(json!({"request": [{"op": "set", "name": "x-a", "value": "%PATH%"}]}));
    let at_start = vm.metric("sieve.headers.vm_memory_bytes").expect("the gauge is defined");
    assert!(at_start >= 64 * 1024 && at_start % 65_536 == 0, "{at_start}");
    for i in 0..200 {
        vm.send(Request::get(&format!("/{i}"))).unwrap();
    }
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap();
    let later = vm.metric("sieve.headers.vm_memory_bytes").unwrap();
    assert!(later >= at_start && later - at_start <= 4 * 65_536, "{at_start} -> {later}");
}
