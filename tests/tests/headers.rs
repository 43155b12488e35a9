//! The headers filter in a real Envoy, in front of the real echo upstream.

use serde_json::json;
use sieve_e2e::{Envoy, EnvoyConfig, Stack};

const CONFIG: &str = "envoy/headers.yaml";
const FILTER: &str = "sieve.headers";

fn with_rules(config: serde_json::Value) -> Stack {
    Stack::start(CONFIG, |envoy| envoy.set_plugin_config(FILTER, &config.to_string()))
}

/// Starts Envoy with `plugin_config` and returns its log, asserting that Envoy refused to start.
fn refused(plugin_config: &str) -> String {
    let mut config = EnvoyConfig::load(CONFIG).unwrap();
    config.make_local(&sieve_e2e::modules::wasm_dir().unwrap(), &[("echo", "127.0.0.1:9".parse().unwrap())]);
    config.set_plugin_config(FILTER, plugin_config);
    Envoy::refuses(&config).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_refused_naming(plugin_config: &str, expected: &str) {
    let log = refused(plugin_config);
    let line = log
        .lines()
        .find(|l| l.contains("sieve.headers: invalid configuration"))
        .unwrap_or_else(|| panic!("no configuration error logged; log:\n{log}"));
    assert!(line.contains(expected), "expected {expected:?} in {line:?}");
    assert!(log.contains("Unable to create Wasm plugin sieve.headers"), "Envoy must refuse the plugin:\n{log}");
}

#[test]
fn shipped_config_rewrites_requests_and_responses() {
    let stack = Stack::start(CONFIG, |_| {});
    let envoy = &stack.envoy;

    let reply = envoy
        .get("/api/items?page=2")
        .header("x-legacy-user", "ann")
        .header("x-internal-debug", "on")
        .header("x-request-id", "req-42")
        .send();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.upstream_header("x-sieve-client-ip").as_deref(), Some("127.0.0.1"));
    assert_eq!(reply.upstream_header("x-sieve-request").as_deref(), Some("GET /api/items?page=2 id=req-42"));
    assert_eq!(reply.upstream_header("x-user").as_deref(), Some("ann"), "renamed");
    assert_eq!(reply.upstream_header("x-legacy-user"), None, "renamed away");
    assert_eq!(reply.upstream_header("x-internal-debug"), None, "removed");
    assert_eq!(reply.upstream_header("x-sieve-tags").as_deref(), Some("api"), "conditional add on /api");
    assert_eq!(reply.header("x-sieve-served-by"), Some("sieve"));
    assert_eq!(reply.header("x-upstream"), Some("sieve-echo"), "response header renamed");
    assert_eq!(reply.header("x-echo-upstream"), None);
    assert_eq!(reply.header("cache-control"), None, "only on error statuses");

    let other = envoy.get("/other").send();
    assert_eq!(other.upstream_header("x-sieve-tags"), None, "the /api condition does not hold");

    let failing = envoy.get("/").header("x-echo-status", "503").send();
    assert_eq!(failing.status, 503);
    assert_eq!(failing.header("cache-control"), Some("no-store"), "status condition");

    // Per-route entry: the route named "raw" disables the filter.
    let raw = envoy.get("/raw/thing").header("x-internal-debug", "on").send();
    assert_eq!(raw.upstream_header("x-internal-debug").as_deref(), Some("on"));
    assert_eq!(raw.upstream_header("x-sieve-client-ip"), None);
    assert_eq!(raw.header("x-echo-upstream"), Some("sieve-echo"));

    // A reject rule: 400 with the JSON error and the response-code detail in the access log.
    let rejected = envoy.get("/tenants/a").send();
    let body = rejected.assert_local_reply(400, "bad_request");
    assert!(body["message"].as_str().unwrap().contains("x-tenant"), "{body}");
    let accepted = envoy.get("/tenants/a").header("x-tenant", "acme").send();
    assert_eq!(accepted.upstream_header("x-tenant").as_deref(), Some("acme"));

    assert_eq!(envoy.counter("sieve.headers.requests_rejected"), 1);
    assert!(envoy.counter("sieve.headers.request_rules_applied") >= 12);
    assert!(envoy.counter("sieve.headers.response_rules_applied") >= 8);
    let access = envoy.access_log(6);
    assert!(
        access.iter().any(|line| line["details"] == "sieve_headers.bad_request" && line["status"] == 400),
        "access log: {access:?}"
    );
}

#[test]
fn request_operations() {
    let stack = with_rules(json!({
        "request": [
            {"op": "add", "name": "x-add", "value": "added"},
            {"op": "set", "name": "x-set", "value": "set"},
            {"op": "set_if_absent", "name": "x-default", "value": "fallback"},
            {"op": "set_if_absent", "name": "x-default-kept", "value": "fallback"},
            {"op": "remove", "name": "x-remove"},
            {"op": "rename", "name": "x-old", "to": "x-new"},
            {"op": "set", "name": ":path", "value": "/rewritten%PATH%", "when": {"path_prefix": "/rewrite"}}
        ]
    }));
    let reply = stack
        .envoy
        .get("/")
        .header("x-add", "client")
        .header("x-set", "one")
        .header("x-set", "two")
        .header("x-default-kept", "client")
        .header("x-remove", "a")
        .header("x-remove", "b")
        .header("x-old", "first")
        .header("x-old", "second")
        .header("x-new", "overwritten")
        .send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.upstream_header_all("x-add"), ["client", "added"], "add appends");
    assert_eq!(reply.upstream_header_all("x-set"), ["set"], "set replaces every value");
    assert_eq!(reply.upstream_header_all("x-default"), ["fallback"]);
    assert_eq!(reply.upstream_header_all("x-default-kept"), ["client"]);
    assert!(reply.upstream_header_all("x-remove").is_empty(), "remove drops every value");
    assert!(reply.upstream_header_all("x-old").is_empty());
    assert_eq!(reply.upstream_header_all("x-new"), ["first", "second"], "rename moves every value");

    let rewritten = stack.envoy.get("/rewrite/me?q=1").send();
    assert_eq!(rewritten.upstream_path(), "/rewritten/rewrite/me");
    assert_eq!(rewritten.json()["query"], "q=1");
}

#[test]
fn response_operations_and_conditions() {
    let stack = with_rules(json!({
        "response": [
            {"op": "add", "name": "x-add", "value": "added"},
            {"op": "set", "name": "x-set", "value": "set"},
            {"op": "set_if_absent", "name": "x-default", "value": "fallback"},
            {"op": "remove", "name": "x-remove"},
            {"op": "rename", "name": "x-old", "to": "x-new"},
            {"op": "set", "name": "x-status", "value": "%STATUS% for %METHOD% %REQ(x-who)%"},
            {"op": "set", "name": "x-from-upstream", "value": "%RESP(x-echo-upstream)%"},
            {"op": "set", "name": "x-only-404", "value": "yes", "when": {"status": [404]}},
            {"op": "set", "name": "x-only-tagged", "value": "yes", "when": {"response_headers": [{"name": "x-tag", "value": "blue"}]}}
        ]
    }));
    let reply = stack
        .envoy
        .get("/")
        .header("x-who", "ann")
        .header("x-echo-response-header", "x-add=upstream")
        .header("x-echo-response-header", "x-set=one")
        .header("x-echo-response-header", "x-remove=gone")
        .header("x-echo-response-header", "x-old=moved")
        .header("x-echo-response-header", "x-tag=blue")
        .send();
    assert_eq!(reply.header_all("x-add"), ["upstream", "added"]);
    assert_eq!(reply.header_all("x-set"), ["set"]);
    assert_eq!(reply.header_all("x-default"), ["fallback"]);
    assert!(reply.header_all("x-remove").is_empty());
    assert!(reply.header_all("x-old").is_empty());
    assert_eq!(reply.header_all("x-new"), ["moved"]);
    assert_eq!(reply.header("x-status"), Some("200 for GET ann"));
    assert_eq!(reply.header("x-from-upstream"), Some("sieve-echo"));
    assert_eq!(reply.header("x-only-404"), None);
    assert_eq!(reply.header("x-only-tagged"), Some("yes"));

    let not_found = stack.envoy.get("/").header("x-echo-status", "404").header("x-who", "bob").send();
    assert_eq!(not_found.status, 404);
    assert_eq!(not_found.header("x-only-404"), Some("yes"));
    assert_eq!(not_found.header("x-only-tagged"), None);
    assert_eq!(not_found.header("x-status"), Some("404 for GET bob"));
}

#[test]
fn request_conditions() {
    let stack = with_rules(json!({
        "request": [
            {"op": "set", "name": "x-prefix", "value": "yes", "when": {"path_prefix": "/api/"}},
            {"op": "set", "name": "x-method", "value": "yes", "when": {"methods": ["post", "PUT"]}},
            {"op": "set", "name": "x-present", "value": "yes", "when": {"headers": [{"name": "X-Debug"}]}},
            {"op": "set", "name": "x-absent", "value": "yes", "when": {"headers": [{"name": "x-debug", "present": false}]}},
            {"op": "set", "name": "x-equals", "value": "yes", "when": {"headers": [{"name": "x-env", "value": "prod"}]}},
            {"op": "set", "name": "x-all", "value": "yes",
             "when": {"path_prefix": "/api/", "methods": ["POST"], "headers": [{"name": "x-env", "value": "prod"}]}}
        ]
    }));
    let envoy = &stack.envoy;
    let hit = envoy.request("POST", "/api/v1?x=1").header("x-debug", "1").header("x-env", "prod").body("{}").send();
    for name in ["x-prefix", "x-method", "x-present", "x-equals", "x-all"] {
        assert_eq!(hit.upstream_header(name).as_deref(), Some("yes"), "{name} should be set");
    }
    assert_eq!(hit.upstream_header("x-absent"), None);

    let miss = envoy.get("/apix").header("x-env", "staging").send();
    for name in ["x-prefix", "x-method", "x-present", "x-equals", "x-all"] {
        assert_eq!(miss.upstream_header(name), None, "{name} should not be set");
    }
    assert_eq!(miss.upstream_header("x-absent").as_deref(), Some("yes"));
}

#[test]
fn interpolation_and_missing_values() {
    let stack = with_rules(json!({
        "request": [
            {"op": "set", "name": "x-all", "value": "%METHOD%|%PATH%|%HOST%|%CLIENT_IP%|%REQUEST_ID%|%ROUTE_NAME%|%REQ(x-user)%|100%%"},
            {"op": "set", "name": "x-client-address", "value": "%CLIENT_ADDRESS%"},
            {"op": "set", "name": "x-skip", "value": "u=%REQ(x-missing)%"},
            {"op": "set", "name": "x-empty", "value": "u=%REQ(x-missing)%", "on_missing": "empty"},
            {"op": "set", "name": "x-required", "value": "%REQ(x-account)%", "on_missing": "reject", "when": {"path_prefix": "/accounts"}}
        ]
    }));
    let envoy = &stack.envoy;
    let reply = envoy.get("/a/b?c=d").header("x-user", "ann").header("x-request-id", "rid-7").send();
    let host = format!("127.0.0.1:{}", envoy.listener().port());
    assert_eq!(reply.upstream_header("x-all"), Some(format!("GET|/a/b?c=d|{host}|127.0.0.1|rid-7|echo|ann|100%")));
    let client_address = reply.upstream_header("x-client-address").unwrap();
    assert!(client_address.starts_with("127.0.0.1:") && client_address.len() > 10, "{client_address}");
    assert_eq!(reply.upstream_header("x-skip"), None, "skipped when the value is missing");
    assert_eq!(reply.upstream_header("x-empty").as_deref(), Some("u="));
    assert_eq!(envoy.counter("sieve.headers.rules_skipped_missing_value"), 1);

    let rejected = envoy.get("/accounts/1").send();
    let body = rejected.assert_local_reply(400, "bad_request");
    assert_eq!(body["message"], "request header x-account is required (request[4])");
    assert_eq!(envoy.counter("sieve.headers.requests_rejected"), 1);
}

#[test]
fn per_route_entries_choose_or_disable_the_config() {
    let stack = with_rules(json!({
        "request": [{"op": "set", "name": "x-config", "value": "default"}],
        "routes": [
            {"match": {"route": "raw"}, "disabled": true},
            {"match": {"hosts": ["*.example.com"]}, "config": {"request": [{"op": "set", "name": "x-config", "value": "example"}]}},
            {"match": {"path_prefix": "/admin", "methods": ["DELETE"]},
             "config": {"request": [{"op": "set", "name": "x-config", "value": "admin-delete"}]}}
        ]
    }));
    let envoy = &stack.envoy;
    let config_of = |reply: sieve_e2e::Reply| reply.upstream_header("x-config");
    assert_eq!(config_of(envoy.get("/").send()).as_deref(), Some("default"));
    assert_eq!(config_of(envoy.get("/raw/x").send()), None, "disabled on the raw route");
    assert_eq!(config_of(envoy.get("/").header("host", "api.example.com:8080").send()).as_deref(), Some("example"));
    assert_eq!(config_of(envoy.get("/").header("host", "example.com").send()).as_deref(), Some("default"));
    assert_eq!(config_of(envoy.request("DELETE", "/admin/users").send()).as_deref(), Some("admin-delete"));
    assert_eq!(config_of(envoy.get("/admin/users").send()).as_deref(), Some("default"));
}

#[test]
fn odd_header_bytes_pass_through_without_harming_the_vm() {
    let stack = with_rules(json!({
        "request": [
            {"op": "rename", "name": "x-latin", "to": "x-moved"},
            {"op": "set", "name": "x-copy", "value": "%REQ(x-binary)%"}
        ]
    }));
    let addr = stack.envoy.listener();
    // obs-text bytes (Latin-1 é, 0xff): valid HTTP/1.1, invalid UTF-8.
    let raw = sieve_e2e::client::raw_request(
        addr,
        b"GET /odd HTTP/1.1\r\nhost: x\r\nx-latin: caf\xe9\r\nx-binary: a\xffb\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.contains(r#"["x-moved","caf"#), "renamed with its bytes: {raw}");
    assert!(raw.contains(r#"["x-copy","a"#), "{raw}");
    // The VM is still alive and serving.
    for _ in 0..3 {
        assert_eq!(
            stack.envoy.get("/after").header("x-latin", "plain").send().upstream_header("x-moved").as_deref(),
            Some("plain")
        );
    }
    assert!(!stack.envoy.log().contains("panicked"), "{}", stack.envoy.log());
}

#[test]
fn bad_configs_are_refused_naming_the_field() {
    // Each case: plugin config, text the error line must contain.
    let cases: &[(&str, &str)] = &[
        (r#"{"request": [], "colour": "blue"}"#, "unknown field `colour`"),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "1", "valeu": "2"}]}"#,
            "request[0].valeu: unknown field `valeu`",
        ),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "bad\nvalue"}]}"#,
            "request[0].value: header value contains a line feed (LF)",
        ),
        (
            r#"{"response": [{"op": "add", "name": "x-a", "value": "a\r\nx-injected: 1"}]}"#,
            "response[0].value: header value contains a carriage return (CR)",
        ),
        (
            r#"{"request": [{"op": "set", "name": "bad name", "value": "1"}]}"#,
            "request[0].name: invalid header name \"bad name\"",
        ),
        (
            r#"{"request": [{"op": "remove", "name": ":path"}]}"#,
            "request[0].name: pseudo-header :path cannot be removed or renamed",
        ),
        (
            r#"{"request": [{"op": "rename", "name": "x-a", "to": ":authority"}]}"#,
            "request[0].to: pseudo-header :authority cannot be removed or renamed",
        ),
        (r#"{"request": [{"op": "set", "name": "x-a"}]}"#, "request[0].value: required for op \"set\""),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "%BOGUS%"}]}"#,
            "request[0].value: unknown operator %BOGUS%",
        ),
        (
            r#"{"request": [{"op": "set", "name": "content-length", "value": "1"}]}"#,
            "request[0].name: content-length frames the message",
        ),
        (r#"{"request": [{"op": "upsert", "name": "x-a", "value": "1"}]}"#, "request[0].op: unknown variant `upsert`"),
        (
            r#"{"request": [{"op": "set", "name": "x-a", "value": "1", "when": {"status": [200]}}]}"#,
            "request[0].when.status: only available in response rules",
        ),
        (
            r#"{"routes": [{"match": {"path_prefix": "admin"}, "disabled": true}]}"#,
            "routes[0].match.path_prefix: must start with '/'",
        ),
        (
            r#"{"routes": [{"match": {"methods": ["GET"]}, "config": {"request": [{"op": "set", "name": "x-a", "value": "\u0000"}]}}]}"#,
            "routes[0].config.request[0].value: header value contains a NUL",
        ),
        (r#"{"request": "#, "configuration is not valid JSON"),
    ];
    // Envoy starts take a while: run the cases on both cores.
    std::thread::scope(|scope| {
        for chunk in cases.chunks(cases.len().div_ceil(2)) {
            scope.spawn(move || {
                for (config, expected) in chunk {
                    assert_refused_naming(config, expected);
                }
            });
        }
    });
}
