//! Envoy bootstraps for the pairs, built as JSON: listeners that differ only in their filters
//! (Sieve on one, the native filter on the other) and in the connection manager settings a pair
//! varies. Every listener reports what Envoy itself decided in response headers (on forwarded
//! answers, direct responses and local replies alike), so that a reproducer can say what Envoy
//! saw: `x-diff-trusted` (the trusted client address, `%DOWNSTREAM_REMOTE_ADDRESS%`),
//! `x-diff-direct` (the connection's peer), `x-diff-path` (`:path` after Envoy's normalisation) and
//! `x-diff-xff` (X-Forwarded-For after Envoy's append).

use serde_json::{json, Value};

/// Connection manager settings a pair varies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hcm {
    pub use_remote_address: bool,
    pub xff_num_trusted_hops: u32,
    pub normalize_path: bool,
    pub merge_slashes: bool,
    /// `path_with_escaped_slashes_action`; `None` leaves Envoy's default.
    pub escaped_slashes: Option<&'static str>,
}

impl Default for Hcm {
    fn default() -> Self {
        Hcm {
            use_remote_address: false,
            xff_num_trusted_hops: 0,
            normalize_path: true,
            merge_slashes: true,
            escaped_slashes: None,
        }
    }
}

impl Hcm {
    pub fn describe(&self) -> String {
        let mut text = format!(
            "use_remote_address: {}, xff_num_trusted_hops: {}, normalize_path: {}, merge_slashes: {}",
            self.use_remote_address, self.xff_num_trusted_hops, self.normalize_path, self.merge_slashes
        );
        if let Some(action) = self.escaped_slashes {
            text.push_str(&format!(", path_with_escaped_slashes_action: {action}"));
        }
        text
    }
}

/// Where a listener's route sends requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Envoy answers 200 itself (no upstream: the fastest verdict).
    Direct,
    /// The echo upstream, which answers with the request it received.
    Echo,
}

fn oracle_headers() -> Value {
    let header = |key: &str, value: &str| json!({"header": {"key": key, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"});
    json!([
        header("x-diff-trusted", "%DOWNSTREAM_REMOTE_ADDRESS%"),
        header("x-diff-direct", "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%"),
        header("x-diff-path", "%REQ(:PATH)%"),
        header("x-diff-xff", "%REQ(X-FORWARDED-FOR)%"),
    ])
}

/// A listener named `name` on 127.0.0.1 (its port is chosen when Envoy starts).
pub fn listener(name: &str, hcm: &Hcm, filters: Vec<Value>, route: Route) -> Value {
    let mut route_entry = json!({"name": name, "match": {"prefix": "/"}, "response_headers_to_add": oracle_headers()});
    match route {
        Route::Direct => route_entry["direct_response"] = json!({"status": 200, "body": {"inline_string": "direct"}}),
        Route::Echo => route_entry["route"] = json!({"cluster": "echo", "timeout": "10s"}),
    }
    let mut http_filters = filters;
    http_filters.push(json!({"name": "envoy.filters.http.router", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}));
    let mut manager = json!({
        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": name,
        "use_remote_address": hcm.use_remote_address,
        "xff_num_trusted_hops": hcm.xff_num_trusted_hops,
        "normalize_path": hcm.normalize_path,
        "merge_slashes": hcm.merge_slashes,
        "route_config": {"name": name, "virtual_hosts": [{"name": "all", "domains": ["*"], "routes": [route_entry]}]},
        "local_reply_config": {"mappers": [{
            "filter": {"status_code_filter": {"comparison": {"op": "GE",
                "value": {"default_value": 100, "runtime_key": "diff.local_reply_mapper"}}}},
            "headers_to_add": oracle_headers()
        }]},
        "http_filters": http_filters,
    });
    if let Some(action) = hcm.escaped_slashes {
        manager["path_with_escaped_slashes_action"] = json!(action);
    }
    json!({
        "name": name,
        "address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}},
        "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": manager}]}]
    })
}

/// A Sieve Wasm filter: `module` is the file name without `.wasm` (`sieve_screen`), `root_id` the
/// filter's root id (`sieve.screen`). Every listener of one module shares a VM (same `vm_id`).
pub fn wasm_filter(module: &str, root_id: &str, plugin_name: &str, config: &Value) -> Value {
    json!({"name": root_id, "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
        "config": {
            "name": plugin_name,
            "root_id": root_id,
            "vm_config": {
                "vm_id": root_id,
                "runtime": "envoy.wasm.runtime.v8",
                "code": {"local": {"filename": format!("/etc/sieve/wasm/{module}.wasm")}}
            },
            "failure_policy": "FAIL_RELOAD",
            "configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": config.to_string()}
        }
    }})
}

/// The whole bootstrap: admin, `listeners`, the echo cluster (pointed at the echo upstream when
/// the stack starts).
pub fn bootstrap(listeners: Vec<Value>) -> Value {
    json!({
        "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 0}}},
        "static_resources": {
            "listeners": listeners,
            "clusters": [{
                "name": "echo",
                "type": "STATIC",
                "connect_timeout": "2s",
                "load_assignment": {"cluster_name": "echo", "endpoints": [{"lb_endpoints": [{"endpoint": {"address":
                    {"socket_address": {"address": "127.0.0.1", "port_value": 9}}}}]}]}
            }]
        }
    })
}
