//! Istio, without a cluster: manifests checked against Istio's own CRD schemas and CEL rules,
//! EnvoyFilter patches applied to a real Istio-generated sidecar listener the way istiod applies
//! them, and WasmPlugins turned into the Wasm filter config istiod and istio-agent hand Envoy. The
//! results run in the real Envoy (see `tests/data/istio-sidecar/README.md`).

use crate::config::EnvoyConfig;
use crate::workspace_root;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn data_dir() -> PathBuf {
    workspace_root().join("tests/data")
}

// ---------------------------------------------------------------------------------------------
// Validation with Istio's CRDs
// ---------------------------------------------------------------------------------------------

/// check-jsonschema and cel-python, pinned, installed once into `<root>/.tools/python`.
pub fn python_tools() -> Result<PathBuf, String> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let dir = workspace_root().join(".tools/python");
            if dir.join("check_jsonschema").is_dir() && dir.join("celpy").is_dir() {
                return Ok(dir);
            }
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let output = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"])
                .arg(&dir)
                .args(["check-jsonschema==0.39.0", "cel-python==0.5.0"])
                .output()
                .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
            if !output.status.success() {
                return Err(format!(
                    "installing the Istio validators failed:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            Ok(dir)
        })
        .clone()
}

fn python(args: &[&std::ffi::OsStr]) -> Result<(bool, String), String> {
    let tools = python_tools()?;
    let output = Command::new("python3").env("PYTHONPATH", &tools).args(args).output().map_err(|e| e.to_string())?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    Ok((output.status.success(), text))
}

/// The JSON schemas extracted from the CRDs (strict: unknown fields refused), once per process.
fn schemas() -> Result<PathBuf, String> {
    static EXTRACTED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    EXTRACTED
        .get_or_init(|| {
            let out = crate::scratch_root().join(format!("istio-schemas-{}", std::process::id()));
            std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
            let crds = data_dir().join("istio-crds");
            let mut args: Vec<std::ffi::OsString> =
                vec![crds.join("tools/extract_schemas.py").into(), out.clone().into()];
            for crd in CRDS {
                args.push(crds.join(crd.1).into());
            }
            let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            let (ok, text) = python(&refs)?;
            if ok {
                Ok(out)
            } else {
                Err(format!("extract_schemas.py failed: {text}"))
            }
        })
        .clone()
}

/// (kind, CRD file, strict schema file).
const CRDS: &[(&str, &str, &str)] = &[
    ("WasmPlugin", "wasmplugins.extensions.istio.io.yaml", "wasmplugins.v1alpha1.strict.json"),
    ("EnvoyFilter", "envoyfilters.networking.istio.io.yaml", "envoyfilters.v1alpha3.strict.json"),
    ("ServiceEntry", "serviceentries.networking.istio.io.yaml", "serviceentries.v1.strict.json"),
    ("DestinationRule", "destinationrules.networking.istio.io.yaml", "destinationrules.v1.strict.json"),
];

/// The Kubernetes version whose schemas core resources are checked against: the oldest one
/// kubernetes-validate 1.37 ships, and one every supported Istio runs on.
pub const KUBERNETES_VERSION: &str = "1.25.0";

/// Kinds checked against Kubernetes' own schemas rather than a CRD.
const KUBERNETES_KINDS: &[&str] = &["Namespace", "Deployment", "Service", "ConfigMap", "Secret"];

/// kubernetes-validate (Kubernetes' OpenAPI schemas for 1.25-1.37, offline), pinned, installed once
/// into `<root>/.tools/python-kubernetes` (apart from the Istio validators: its jsonschema differs).
fn kubernetes_tools() -> Result<PathBuf, String> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let dir = workspace_root().join(".tools/python-kubernetes");
            if dir.join("kubernetes_validate").is_dir() {
                return Ok(dir);
            }
            let output = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target"])
                .arg(&dir)
                .arg("kubernetes-validate==1.37.0")
                .output()
                .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
            if !output.status.success() {
                return Err(format!(
                    "installing kubernetes-validate failed:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            Ok(dir)
        })
        .clone()
}

/// Validates one core manifest (Deployment, Service, ...) against Kubernetes' strict schemas
/// (unknown fields refused) for [`KUBERNETES_VERSION`].
pub fn validate_kubernetes(manifest: &Path) -> Result<String, String> {
    let output = Command::new("python3")
        .env("PYTHONPATH", kubernetes_tools()?)
        .args(["-m", "kubernetes_validate", "--strict", "-k", KUBERNETES_VERSION])
        .arg(manifest)
        .output()
        .map_err(|e| e.to_string())?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// Validates a manifest file against its kinds' CRDs (core kinds: Kubernetes' schemas,
/// [`validate_kubernetes`]): the strict OpenAPI schema (check-jsonschema) and the CEL and list
/// rules (k8s_rules_check.py). A file of several YAML documents (a Deployment and its Service) is
/// checked document by document. Err carries the tools' output.
pub fn validate(manifest: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let mut docs = Vec::new();
    for document in serde_yaml::Deserializer::from_str(&text) {
        let doc = serde_yaml::Value::deserialize(document).map_err(|e| format!("{}: {e}", manifest.display()))?;
        if !doc.is_null() {
            docs.push(doc);
        }
    }
    if docs.len() <= 1 {
        let doc = docs.pop().unwrap_or_default();
        return validate_document(manifest, &doc);
    }
    validate_documents(&docs).map_err(|report| format!("{}: {report}", manifest.display()))
}

/// Validates parsed documents (a kustomize render, a file of several): the tools read one document
/// per file, so each is written to a file of its own. Err names the document (1-based) and its kind.
pub fn validate_documents(docs: &[serde_yaml::Value]) -> Result<String, String> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = crate::scratch_root().join(format!(
        "validate-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut reports = String::new();
    for (index, doc) in docs.iter().enumerate() {
        let file = dir.join(format!("{index}.yaml"));
        std::fs::write(&file, serde_yaml::to_string(doc).map_err(|e| e.to_string())?)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let kind = doc.get("kind").and_then(serde_yaml::Value::as_str).unwrap_or("?");
        match validate_document(&file, doc) {
            Ok(report) => reports.push_str(&report),
            Err(report) => {
                return Err(format!(
                    "document {} ({kind} {:?}) is refused:\n{report}",
                    index + 1,
                    doc["metadata"]["name"]
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(reports)
}

/// One document, already parsed from `manifest` (a file holding only it).
fn validate_document(manifest: &Path, doc: &serde_yaml::Value) -> Result<String, String> {
    let kind = doc.get("kind").and_then(serde_yaml::Value::as_str).unwrap_or_default();
    if KUBERNETES_KINDS.contains(&kind) {
        return validate_kubernetes(manifest);
    }
    let (_, crd, schema) = CRDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .ok_or_else(|| format!("{}: no CRD for kind {kind:?}", manifest.display()))?;
    let schema = schemas()?.join(schema);
    let (schema_ok, schema_text) = python(&[
        "-m".as_ref(),
        "check_jsonschema".as_ref(),
        "--schemafile".as_ref(),
        schema.as_os_str(),
        manifest.as_os_str(),
    ])?;
    let rules_script = data_dir().join("istio-crds/tools/k8s_rules_check.py");
    let crd = data_dir().join("istio-crds").join(crd);
    let (rules_ok, rules_text) = python(&[rules_script.as_os_str(), crd.as_os_str(), manifest.as_os_str()])?;
    let report = format!("{schema_text}{rules_text}");
    if schema_ok && rules_ok {
        Ok(report)
    } else {
        Err(report)
    }
}

// ---------------------------------------------------------------------------------------------
// EnvoyFilter patches, as istiod applies them
// ---------------------------------------------------------------------------------------------

const HCM: &str = "envoy.filters.network.http_connection_manager";

/// The reduced Istio sidecar bootstrap (`virtualInbound` only).
pub fn sidecar_bootstrap() -> Result<Value, String> {
    let path = data_dir().join("istio-sidecar/sidecar-inbound-bootstrap-envoy-1.40.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// The same sidecar as istiod generates it for a workload whose container listens on `port` instead
/// of 80 (Istio's httpbin sample: 8080): the inbound chains match that destination port, the HTTP
/// inspector's port range names it, and the chains, their stats prefix and the inbound cluster are
/// named after it. Everything else is the recorded config unchanged.
pub fn sidecar_bootstrap_on_port(port: u16) -> Result<Value, String> {
    fn walk(node: &mut Value, port: u16, seen: &mut usize) {
        match node {
            Value::Object(map) => {
                if map.get("destination_port") == Some(&json!(80)) {
                    map.insert("destination_port".into(), json!(port));
                    *seen += 1;
                }
                if map.get("start") == Some(&json!(80)) && map.get("end") == Some(&json!(81)) {
                    map.insert("start".into(), json!(port));
                    map.insert("end".into(), json!(port + 1));
                }
                map.values_mut().for_each(|v| walk(v, port, seen));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, port, seen)),
            Value::String(text) => {
                if text == "inbound|80||" {
                    *text = format!("inbound|{port}||");
                } else if let Some(prefix) = text.strip_suffix("0.0.0.0_80") {
                    *text = format!("{prefix}0.0.0.0_{port}");
                }
            }
            _ => {}
        }
    }
    let mut bootstrap = sidecar_bootstrap()?;
    let mut seen = 0;
    walk(&mut bootstrap, port, &mut seen);
    if seen == 0 {
        return Err("the recorded sidecar config has no port-80 chain: its shape changed".into());
    }
    Ok(bootstrap)
}

pub fn listener_mut<'a>(bootstrap: &'a mut Value, name: &str) -> Option<&'a mut Value> {
    bootstrap["static_resources"]["listeners"].as_array_mut()?.iter_mut().find(|l| l["name"] == name)
}

fn yaml_to_json(value: &serde_yaml::Value) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn chain_matches(chain: &Value, filter_chain: &Value, port: Option<u64>, virtual_listener: bool) -> bool {
    let m = &chain["filter_chain_match"];
    if virtual_listener {
        if let Some(port) = port {
            if m["destination_port"].as_u64() != Some(port) {
                return false;
            }
        }
    }
    if let Some(name) = filter_chain["name"].as_str() {
        if chain["name"].as_str() != Some(name) {
            return false;
        }
    }
    if let Some(transport) = filter_chain["transportProtocol"].as_str() {
        if m["transport_protocol"].as_str().unwrap_or("raw_buffer") != transport {
            return false;
        }
    }
    if let Some(port) = filter_chain["destinationPort"].as_u64() {
        if m["destination_port"].as_u64() != Some(port) {
            return false;
        }
    }
    if let Some(protocols) = filter_chain["applicationProtocols"].as_str() {
        let have: Vec<&str> =
            m["application_protocols"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        if !protocols.split(',').all(|p| have.contains(&p.trim())) {
            return false;
        }
    }
    true
}

/// Applies an EnvoyFilter's HTTP_FILTER patches for `context` to `listener` following istiod's
/// `patchHTTPFilters`. Returns the number of HTTP filter chains changed.
pub fn apply_envoyfilter(
    listener: &mut Value,
    envoyfilter: &serde_yaml::Value,
    context: &str,
) -> Result<usize, String> {
    let spec = yaml_to_json(envoyfilter.get("spec").ok_or("no spec")?);
    let listener_name = listener["name"].as_str().unwrap_or_default().to_string();
    let virtual_listener = listener_name == "virtualInbound" || listener_name == "virtualOutbound";
    let bound_port = listener["address"]["socket_address"]["port_value"].as_u64();
    let mut changed = 0;
    for patch in spec["configPatches"].as_array().into_iter().flatten() {
        if patch["applyTo"] != "HTTP_FILTER" {
            return Err(format!("only HTTP_FILTER patches are applied here, not {}", patch["applyTo"]));
        }
        let m = &patch["match"];
        let patch_context = m["context"].as_str().unwrap_or("ANY");
        if patch_context != "ANY" && patch_context != context {
            continue;
        }
        let lm = &m["listener"];
        if lm["name"].as_str().is_some_and(|n| n != listener_name) {
            continue;
        }
        let port = lm["portNumber"].as_u64();
        // On a virtual listener the port is checked per chain; elsewhere it is the bound port.
        if !virtual_listener && port.is_some() && port != bound_port {
            continue;
        }
        let filter_chain = &lm["filterChain"];
        if filter_chain["filter"]["name"].as_str().is_some_and(|n| n != HCM) {
            continue;
        }
        let sub_filter = filter_chain["filter"]["subFilter"]["name"].as_str().map(String::from);
        let operation = patch["patch"]["operation"].as_str().unwrap_or("");
        let value = patch["patch"]["value"].clone();
        for chain in listener["filter_chains"].as_array_mut().into_iter().flatten() {
            if !chain_matches(chain, filter_chain, port, virtual_listener) {
                continue;
            }
            for network_filter in chain["filters"].as_array_mut().into_iter().flatten() {
                if network_filter["name"] != HCM {
                    continue;
                }
                let Some(http_filters) = network_filter["typed_config"]["http_filters"].as_array_mut() else {
                    continue;
                };
                let position =
                    sub_filter.as_deref().and_then(|name| http_filters.iter().position(|f| f["name"] == name));
                let before = http_filters.len();
                match (operation, sub_filter.as_deref(), position) {
                    ("INSERT_FIRST", _, _) | ("INSERT_BEFORE", None, _) => http_filters.insert(0, value.clone()),
                    ("INSERT_BEFORE", Some(_), Some(at)) => http_filters.insert(at, value.clone()),
                    ("INSERT_AFTER", Some(_), Some(at)) => http_filters.insert(at + 1, value.clone()),
                    ("ADD", _, _) | ("INSERT_AFTER", None, _) => http_filters.push(value.clone()),
                    ("REPLACE", Some(_), Some(at)) => {
                        if let Some(slot) = http_filters.get_mut(at) {
                            *slot = value.clone();
                        }
                    }
                    ("REMOVE", Some(name), _) => http_filters.retain(|f| f["name"] != name),
                    _ => {}
                }
                if http_filters.len() != before || operation == "REPLACE" {
                    changed += 1;
                }
            }
        }
    }
    Ok(changed)
}

// ---------------------------------------------------------------------------------------------
// WasmPlugins, as istiod and istio-agent hand them to Envoy
// ---------------------------------------------------------------------------------------------

/// What istiod 1.31 names a WasmPlugin's filter, and its `PluginConfig.name`.
pub fn wasmplugin_names(manifest: &serde_yaml::Value) -> (String, String) {
    let meta = yaml_to_json(manifest.get("metadata").unwrap_or(&serde_yaml::Value::Null));
    let plugin = format!(
        "{}.{}~istio-translated-wasmplugin",
        meta["namespace"].as_str().unwrap_or("default"),
        meta["name"].as_str().unwrap_or("")
    );
    (format!("extensions.istio.io/trafficextension/{plugin}"), plugin)
}

/// The Wasm HTTP filter Envoy receives for a WasmPlugin once istio-agent has fetched the module
/// to `module` (`pluginConfig` as compact JSON with sorted keys in a StringValue, no `vm_id`,
/// `failStrategy` as `failure_policy`, `vmConfig.env` as the VM's `environment_variables`:
/// `INLINE` values in `key_values`, `HOST` names in `host_env_keys`, as istiod's `buildVMConfig`
/// writes them; istio-agent strips its own `ISTIO_META_` entries before Envoy sees them).
pub fn wasmplugin_filter(manifest: &serde_yaml::Value, module: &Path) -> Value {
    let spec = yaml_to_json(manifest.get("spec").unwrap_or(&serde_yaml::Value::Null));
    let (filter_name, plugin_name) = wasmplugin_names(manifest);
    let failure_policy = match spec["failStrategy"].as_str() {
        Some("FAIL_OPEN") => "FAIL_OPEN",
        Some("FAIL_RELOAD") => "FAIL_RELOAD",
        _ => "FAIL_CLOSED",
    };
    let configuration = if spec["pluginConfig"].is_null() {
        json!({})
    } else {
        json!({"@type": "type.googleapis.com/google.protobuf.StringValue", "value": spec["pluginConfig"].to_string()})
    };
    let mut vm_config =
        json!({"runtime": "envoy.wasm.runtime.v8", "code": {"local": {"filename": module.display().to_string()}}});
    if let Some(env) = spec["vmConfig"]["env"].as_array().filter(|env| !env.is_empty()) {
        let mut key_values = serde_json::Map::new();
        let mut host_env_keys = Vec::new();
        for variable in env {
            match variable["valueFrom"].as_str() {
                Some("HOST") => host_env_keys.push(variable["name"].clone()),
                _ => {
                    key_values
                        .insert(variable["name"].as_str().unwrap_or_default().to_string(), variable["value"].clone());
                }
            }
        }
        vm_config["environment_variables"] = json!({"host_env_keys": host_env_keys, "key_values": key_values});
    }
    json!({
        "name": filter_name,
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
            "config": {
                "name": plugin_name,
                "root_id": spec["pluginName"],
                "configuration": configuration,
                "vm_config": vm_config,
                "failure_policy": failure_policy,
            }
        }
    })
}

fn phase_rank(phase: &str) -> u8 {
    match phase {
        "AUTHN" => 0,
        "AUTHZ" => 1,
        "STATS" => 2,
        _ => 3,
    }
}

/// Inserts WasmPlugins into the inbound chains their `match` selects (mode SERVER or unset; ports
/// compared with each chain's destination port), in istiod's order: by phase (AUTHN, AUTHZ, STATS,
/// UNSPECIFIED), then priority (higher first), all before `envoy.filters.http.grpc_stats` — where
/// those phases sit in a sidecar's HTTP filters when the Istio-only filters are left out.
pub fn insert_wasmplugins(listener: &mut Value, plugins: &[(serde_yaml::Value, PathBuf)]) -> Result<usize, String> {
    let mut ordered: Vec<(u8, i64, &serde_yaml::Value, &PathBuf)> = plugins
        .iter()
        .map(|(manifest, module)| {
            let spec = yaml_to_json(manifest.get("spec").unwrap_or(&serde_yaml::Value::Null));
            (
                phase_rank(spec["phase"].as_str().unwrap_or("")),
                spec["priority"].as_i64().unwrap_or(i64::from(i32::MIN)),
                manifest,
                module,
            )
        })
        .collect();
    ordered.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut changed = 0;
    for chain in listener["filter_chains"].as_array_mut().into_iter().flatten() {
        let port = chain["filter_chain_match"]["destination_port"].as_u64();
        let selected: Vec<Value> = ordered
            .iter()
            .filter(|(_, _, manifest, _)| {
                let spec = yaml_to_json(manifest.get("spec").unwrap_or(&serde_yaml::Value::Null));
                let matches = spec["match"].as_array().cloned().unwrap_or_default();
                matches.is_empty()
                    || matches.iter().any(|m| {
                        let mode_ok = matches!(
                            m["mode"].as_str(),
                            None | Some("SERVER") | Some("CLIENT_AND_SERVER") | Some("UNDEFINED")
                        );
                        let ports: Vec<u64> =
                            m["ports"].as_array().into_iter().flatten().filter_map(|p| p["number"].as_u64()).collect();
                        mode_ok && (ports.is_empty() || port.is_some_and(|p| ports.contains(&p)))
                    })
            })
            .map(|(_, _, manifest, module)| wasmplugin_filter(manifest, module))
            .collect();
        if selected.is_empty() {
            continue;
        }
        for network_filter in chain["filters"].as_array_mut().into_iter().flatten() {
            if network_filter["name"] != HCM {
                continue;
            }
            let Some(http_filters) = network_filter["typed_config"]["http_filters"].as_array_mut() else { continue };
            let at = http_filters.iter().position(|f| f["name"] == "envoy.filters.http.grpc_stats").unwrap_or(0);
            for (offset, filter) in selected.iter().enumerate() {
                http_filters.insert(at + offset, filter.clone());
            }
            changed += 1;
        }
    }
    Ok(changed)
}

/// The HTTP filter names of each HCM chain of `listener`: (chain name, destination port, filters).
pub fn http_filter_names(listener: &Value) -> Vec<(String, Option<u64>, Vec<String>)> {
    listener["filter_chains"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|chain| {
            let hcm = chain["filters"].as_array()?.iter().find(|f| f["name"] == HCM)?;
            let names = hcm["typed_config"]["http_filters"]
                .as_array()?
                .iter()
                .filter_map(|f| f["name"].as_str().map(String::from))
                .collect();
            Some((
                chain["name"].as_str().unwrap_or("").to_string(),
                chain["filter_chain_match"]["destination_port"].as_u64(),
                names,
            ))
        })
        .collect()
}

/// Makes the patched sidecar bootstrap run on loopback next to other tests: the admin and main
/// addresses on free ports, the workload port's chains (their destination-port match and the
/// listener's additional address together) moved to `port`, the inbound cluster
/// (`inbound|<workload port>||`) pointed at `app`, and a STATIC
/// cluster for each mesh cluster name in `clusters`. Returns the config, ready for `Envoy::start`.
pub fn local_sidecar(
    mut bootstrap: Value,
    port: u16,
    app: std::net::SocketAddr,
    clusters: &[(String, std::net::SocketAddr)],
    wasm_dir: &Path,
) -> Result<EnvoyConfig, String> {
    bootstrap["admin"]["address"]["socket_address"]["port_value"] = json!(0);
    let listener = listener_mut(&mut bootstrap, "virtualInbound").ok_or("no virtualInbound listener")?;
    listener["address"]["socket_address"]["port_value"] = json!(0);
    listener["additional_addresses"] =
        json!([{"address": {"socket_address": {"address": "127.0.0.1", "port_value": port}}}]);
    for chain in listener["filter_chains"].as_array_mut().into_iter().flatten() {
        if chain["filter_chain_match"]["destination_port"].is_u64() {
            chain["filter_chain_match"]["destination_port"] = json!(port);
        }
    }
    let endpoint = |addr: std::net::SocketAddr| json!({"endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": addr.ip().to_string(), "port_value": addr.port()}}}}]}]});
    let cluster_list = bootstrap["static_resources"]["clusters"].as_array_mut().ok_or("no clusters")?;
    for cluster in cluster_list.iter_mut() {
        let name = cluster["name"].as_str().unwrap_or_default().to_string();
        if name.starts_with("inbound|") {
            let mut assignment = endpoint(app);
            assignment["cluster_name"] = json!(name);
            cluster["load_assignment"] = assignment;
        }
    }
    for (name, addr) in clusters {
        let mut assignment = endpoint(*addr);
        assignment["cluster_name"] = json!(name);
        cluster_list
            .push(json!({"name": name, "type": "STATIC", "connect_timeout": "2s", "load_assignment": assignment}));
    }
    let mut config = EnvoyConfig::from_json(&bootstrap)?;
    config.set_wasm_dir(wasm_dir);
    Ok(config)
}
