//! The Envoy configs in `envoy/` are written for the container layout. A local run (tests and
//! `cargo xtask up`) uses the same files with only these rewritten: listener and admin addresses,
//! named clusters' endpoints, and the directory of the `.wasm` modules.

use crate::workspace_root;
use serde_yaml::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[cfg(test)]
#[path = "config_test.rs"]
mod tests;

#[derive(Debug, Clone)]
pub struct EnvoyConfig {
    pub source: PathBuf,
    doc: Value,
}

fn key(name: &str) -> Value {
    Value::String(name.to_string())
}

fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, segment| node.get(*segment))
}

fn get_mut<'a>(value: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |node, segment| node.get_mut(*segment))
}

fn set_socket(address: &mut Value, ip: &str, port: u16) {
    if let Some(socket) = address.get_mut("socket_address").and_then(Value::as_mapping_mut) {
        socket.insert(key("address"), key(ip));
        socket.insert(key("port_value"), Value::Number(port.into()));
    }
}

impl EnvoyConfig {
    /// Loads `file` (absolute, or relative to the workspace root).
    pub fn load(file: impl AsRef<Path>) -> Result<Self, String> {
        let source = workspace_root().join(file.as_ref());
        let text = std::fs::read_to_string(&source).map_err(|e| format!("cannot read {}: {e}", source.display()))?;
        let doc = serde_yaml::from_str(&text).map_err(|e| format!("{} is not valid YAML: {e}", source.display()))?;
        Ok(EnvoyConfig { source, doc })
    }

    pub fn from_yaml(text: &str) -> Result<Self, String> {
        let doc = serde_yaml::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?;
        Ok(EnvoyConfig { source: PathBuf::from("<inline>"), doc })
    }

    /// A config from JSON (e.g. an Istio bootstrap).
    pub fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let doc = serde_yaml::to_value(value).map_err(|e| e.to_string())?;
        Ok(EnvoyConfig { source: PathBuf::from("<json>"), doc })
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(&self.doc).unwrap_or_default()
    }

    pub fn doc(&self) -> &Value {
        &self.doc
    }

    pub fn doc_mut(&mut self) -> &mut Value {
        &mut self.doc
    }

    /// Loopback on free ports, `upstreams` as the named clusters' only endpoints, modules from
    /// `wasm_dir`.
    pub fn make_local(&mut self, wasm_dir: &Path, upstreams: &[(&str, SocketAddr)]) {
        self.set_admin_port(0);
        self.set_listener_ports(0);
        for (cluster, addr) in upstreams {
            self.set_cluster_endpoint(cluster, *addr);
        }
        self.set_wasm_dir(wasm_dir);
    }

    pub fn set_admin_port(&mut self, port: u16) {
        if let Some(address) = get_mut(&mut self.doc, &["admin", "address"]) {
            set_socket(address, "127.0.0.1", port);
        }
    }

    /// Puts the listeners on 127.0.0.1: `port`, `port + 1`, ... in order (0: each its own free port).
    pub fn set_listener_ports(&mut self, port: u16) {
        if let Some(listeners) =
            get_mut(&mut self.doc, &["static_resources", "listeners"]).and_then(Value::as_sequence_mut)
        {
            for (index, listener) in listeners.iter_mut().enumerate() {
                let this = if port == 0 { 0 } else { port.saturating_add(index as u16) };
                if let Some(address) = listener.get_mut("address") {
                    set_socket(address, "127.0.0.1", this);
                }
            }
        }
    }

    /// Listener names, in order.
    pub fn listener_names(&self) -> Vec<String> {
        get(&self.doc, &["static_resources", "listeners"])
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|l| l.get("name").and_then(Value::as_str).map(String::from))
            .collect()
    }

    /// The names of the config's static clusters.
    pub fn cluster_names(&self) -> Vec<String> {
        get(&self.doc, &["static_resources", "clusters"])
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("name").and_then(Value::as_str).map(String::from))
            .collect()
    }

    /// Adds a STATIC cluster `name` (pointed at `addr`) if the config has none of that name.
    pub fn ensure_cluster(&mut self, name: &str, addr: SocketAddr) {
        if self.cluster_names().iter().any(|n| n == name) {
            return;
        }
        let cluster: Value =
            serde_yaml::from_str(&format!("name: {name}\ntype: STATIC\nconnect_timeout: 2s\n")).unwrap_or(Value::Null);
        if let Some(clusters) =
            get_mut(&mut self.doc, &["static_resources", "clusters"]).and_then(Value::as_sequence_mut)
        {
            clusters.push(cluster);
        }
        self.set_cluster_endpoint(name, addr);
    }

    /// Makes cluster `name` a STATIC cluster with `addr` as its only endpoint.
    pub fn set_cluster_endpoint(&mut self, name: &str, addr: SocketAddr) {
        let Some(clusters) = get_mut(&mut self.doc, &["static_resources", "clusters"]).and_then(Value::as_sequence_mut)
        else {
            return;
        };
        for cluster in clusters {
            if cluster.get("name").and_then(Value::as_str) != Some(name) {
                continue;
            }
            if let Some(map) = cluster.as_mapping_mut() {
                map.insert(key("type"), key("STATIC"));
            }
            let endpoint: Value = serde_yaml::from_str(&format!(
                "cluster_name: {name}\nendpoints:\n- lb_endpoints:\n  - endpoint:\n      address:\n        socket_address: {{ address: \"{}\", port_value: {} }}\n",
                addr.ip(),
                addr.port()
            ))
            .unwrap_or(Value::Null);
            if let Some(map) = cluster.as_mapping_mut() {
                map.insert(key("load_assignment"), endpoint);
            }
        }
    }

    /// Makes every route answer `status` itself (`direct_response`): benchmarks measure the filters,
    /// not an upstream.
    pub fn set_direct_response(&mut self, status: u16) {
        fn walk(node: &mut Value, status: u16) {
            match node {
                Value::Mapping(map) => {
                    if map.contains_key(key("route")) && map.contains_key(key("match")) {
                        map.remove(key("route"));
                        let response: Value = serde_yaml::from_str(&format!("status: {status}")).unwrap_or(Value::Null);
                        map.insert(key("direct_response"), response);
                        return;
                    }
                    for (_, v) in map.iter_mut() {
                        walk(v, status);
                    }
                }
                Value::Sequence(items) => items.iter_mut().for_each(|item| walk(item, status)),
                _ => {}
            }
        }
        walk(&mut self.doc, status);
    }

    /// Points every `filename: .../<module>.wasm` at `dir/<module>.wasm`.
    pub fn set_wasm_dir(&mut self, dir: &Path) {
        fn walk(node: &mut Value, dir: &Path) {
            match node {
                Value::Mapping(map) => {
                    for (k, v) in map.iter_mut() {
                        if k.as_str() == Some("filename") {
                            if let Some(file) = v.as_str().filter(|f| f.ends_with(".wasm")) {
                                let base = Path::new(file).file_name().map(PathBuf::from).unwrap_or_default();
                                *v = Value::String(dir.join(base).display().to_string());
                                continue;
                            }
                        }
                        walk(v, dir);
                    }
                }
                Value::Sequence(items) => items.iter_mut().for_each(|item| walk(item, dir)),
                _ => {}
            }
        }
        walk(&mut self.doc, dir);
    }

    /// Every HTTP filter entry named `name`, in any listener.
    fn http_filters_mut(&mut self, name: &str) -> Vec<&mut Value> {
        fn walk<'a>(node: &'a mut Value, name: &str, found: &mut Vec<&'a mut Value>) {
            match node {
                Value::Mapping(map) => {
                    for (k, v) in map.iter_mut() {
                        if k.as_str() == Some("http_filters") {
                            if let Value::Sequence(filters) = v {
                                for filter in filters.iter_mut() {
                                    if filter.get("name").and_then(Value::as_str) == Some(name) {
                                        found.push(filter);
                                    }
                                }
                            }
                        } else {
                            walk(v, name, found);
                        }
                    }
                }
                Value::Sequence(items) => items.iter_mut().for_each(|item| walk(item, name, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        walk(&mut self.doc, name, &mut found);
        found
    }

    /// A copy of the HTTP filter entry named `name`.
    pub fn filter_entry(&mut self, name: &str) -> Option<Value> {
        self.http_filters_mut(name).into_iter().next().map(|filter| filter.clone())
    }

    /// Replaces the HTTP filter entry named `name` with `replacements`, in place (in every listener).
    pub fn replace_filter(&mut self, name: &str, replacements: &[Value]) {
        fn walk(node: &mut Value, name: &str, replacements: &[Value]) {
            match node {
                Value::Mapping(map) => {
                    for (k, v) in map.iter_mut() {
                        match v {
                            Value::Sequence(filters) if k.as_str() == Some("http_filters") => {
                                let mut replaced = Vec::with_capacity(filters.len() + replacements.len());
                                for filter in filters.drain(..) {
                                    if filter.get("name").and_then(Value::as_str) == Some(name) {
                                        replaced.extend(replacements.iter().cloned());
                                    } else {
                                        replaced.push(filter);
                                    }
                                }
                                *filters = replaced;
                            }
                            _ => walk(v, name, replacements),
                        }
                    }
                }
                Value::Sequence(items) => items.iter_mut().for_each(|item| walk(item, name, replacements)),
                _ => {}
            }
        }
        walk(&mut self.doc, name, replacements);
    }

    /// Makes Wasm filter `filter_name` load module `module_file` (from the same directory).
    pub fn rename_filter(&mut self, filter_name: &str, module_file: &str) {
        for filter in self.http_filters_mut(filter_name) {
            if let Some(local) = get_mut(filter, &["typed_config", "config", "vm_config", "code", "local"])
                .and_then(Value::as_mapping_mut)
            {
                let current = local.get(key("filename")).and_then(Value::as_str).map(PathBuf::from).unwrap_or_default();
                let replaced = current.with_file_name(module_file).display().to_string();
                local.insert(key("filename"), Value::String(replaced));
            }
        }
    }

    /// Replaces the plugin configuration (the JSON string) of the Wasm HTTP filter `filter_name`.
    /// Panics if there is no such filter: a test that edits nothing would prove nothing.
    pub fn set_plugin_config(&mut self, filter_name: &str, json: &str) {
        let filters = self.http_filters_mut(filter_name);
        assert!(!filters.is_empty(), "no Wasm HTTP filter named {filter_name} in the config");
        for filter in filters {
            let configuration = get_mut(filter, &["typed_config", "config", "configuration"])
                .and_then(Value::as_mapping_mut)
                .unwrap_or_else(|| panic!("{filter_name} has no typed_config.config.configuration"));
            configuration.insert(key("value"), Value::String(json.to_string()));
        }
    }

    /// Gives the VM of Wasm HTTP filter `filter_name` the environment Envoy's
    /// `vm_config.environment_variables` defines: `key_values` set here, `host_env_keys` copied
    /// from Envoy's own environment (what Istio's WasmPlugin `vmConfig.env` becomes, `INLINE` and
    /// `HOST`).
    pub fn set_vm_environment(&mut self, filter_name: &str, key_values: &[(&str, &str)], host_env_keys: &[&str]) {
        let filters = self.http_filters_mut(filter_name);
        assert!(!filters.is_empty(), "no Wasm HTTP filter named {filter_name} in the config");
        let mut values = serde_yaml::Mapping::new();
        for (name, value) in key_values {
            values.insert(key(name), Value::String(value.to_string()));
        }
        let mut environment = serde_yaml::Mapping::new();
        environment.insert(key("key_values"), Value::Mapping(values));
        environment.insert(
            key("host_env_keys"),
            Value::Sequence(host_env_keys.iter().map(|k| Value::String(k.to_string())).collect()),
        );
        for filter in filters {
            let vm_config = get_mut(filter, &["typed_config", "config", "vm_config"])
                .and_then(Value::as_mapping_mut)
                .unwrap_or_else(|| panic!("{filter_name} has no typed_config.config.vm_config"));
            vm_config.insert(key("environment_variables"), Value::Mapping(environment.clone()));
        }
    }

    /// The plugin configuration (JSON string) of the Wasm HTTP filter `filter_name`.
    pub fn plugin_config(&mut self, filter_name: &str) -> Option<String> {
        let filters = self.http_filters_mut(filter_name);
        let filter = filters.into_iter().next()?;
        get(filter, &["typed_config", "config", "configuration", "value"]).and_then(Value::as_str).map(String::from)
    }

    /// Edits the plugin configuration (JSON) of the Wasm HTTP filter `filter_name` with `edit`, and
    /// writes it back to every filter of that name.
    pub fn edit_plugin_config(
        &mut self,
        filter_name: &str,
        edit: impl FnOnce(&mut serde_json::Value) -> Result<(), String>,
    ) -> Result<(), String> {
        let text = self
            .plugin_config(filter_name)
            .ok_or_else(|| format!("no Wasm HTTP filter named {filter_name} with a plugin configuration"))?;
        let mut json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{filter_name}'s plugin configuration: {e}"))?;
        edit(&mut json).map_err(|e| format!("{filter_name}: {e}"))?;
        self.set_plugin_config(filter_name, &json.to_string());
        Ok(())
    }

    /// Writes the config to `path`.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        std::fs::write(path, self.to_yaml()).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// The configuration of stage `stage` (`headers`, `auth`, `screen`) in the plugin configuration
/// of the chain module (`{"stages": [{"auth": {...}}, ...]}`), wherever it stands in the chain.
pub fn chain_stage_mut<'a>(chain: &'a mut serde_json::Value, stage: &str) -> Result<&'a mut serde_json::Value, String> {
    chain
        .get_mut("stages")
        .and_then(serde_json::Value::as_array_mut)
        .into_iter()
        .flatten()
        .find_map(|entry| entry.get_mut(stage))
        .ok_or_else(|| format!("the chain has no {stage} stage"))
}

/// The settings of the auth provider named `name` (its `name` field) in an auth configuration
/// (`{"providers": [{"jwt": {"name": "tokens", ...}}, ...]}`), whatever its kind and position.
pub fn auth_provider_mut<'a>(auth: &'a mut serde_json::Value, name: &str) -> Result<&'a mut serde_json::Value, String> {
    auth.get_mut("providers")
        .and_then(serde_json::Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(|provider| provider.as_object_mut()?.values_mut().next())
        .find(|settings| settings.get("name").and_then(serde_json::Value::as_str) == Some(name))
        .ok_or_else(|| format!("no auth provider named {name}"))
}
