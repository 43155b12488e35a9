//! One source, the rest generated: each filter's Envoy config in `envoy/` (hand-written, run by the
//! tests) produces `envoy/all.yaml` (every filter in one Envoy, for docker compose and `xtask up`)
//! and the filter's Istio manifests in `istio/`. `cargo xtask generate` writes them; a test fails
//! when a checked-in file differs from what the sources produce.

use crate::config::EnvoyConfig;
use crate::oci::Image;
use crate::workspace_root;
use serde_yaml::{Mapping, Value};
use std::path::Path;

/// A filter's source config and how Istio should place it, from the filter crate's
/// `[package.metadata.sieve]` (`cargo xtask new` writes it for a new filter):
///
/// ```toml
/// [package.metadata.sieve]
/// phase = "AUTHN"     # WasmPlugin phase: AUTHN, AUTHZ, STATS or UNSPECIFIED_PHASE
/// priority = 100      # WasmPlugin priority within the phase (higher runs first)
/// port = 10001        # its listener in envoy/all.yaml (docker compose, `cargo xtask up`)
/// ```
///
/// Auth authenticates (AUTHN); screen may key on the consumer auth set (AUTHZ); header rewriting
/// goes after both (UNSPECIFIED_PHASE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The folder under `filters/`; the Envoy filter is `sieve.<filter>`.
    pub filter: String,
    /// `envoy/<filter>.yaml`.
    pub file: String,
    pub phase: String,
    pub priority: i64,
    pub port: u16,
}

impl Source {
    /// The name of its Kubernetes resources and image: `sieve-<filter>`, with `-` for `_` (a
    /// resource name is a DNS label).
    pub fn resource_name(&self) -> String {
        format!("sieve-{}", self.filter.replace('_', "-"))
    }
}

const PHASES: &[&str] = &["AUTHN", "AUTHZ", "STATS", "UNSPECIFIED_PHASE"];

/// Every filter's source, by listener port.
pub fn sources() -> Result<Vec<Source>, String> {
    let mut sources = Vec::new();
    for module in crate::modules::discover()? {
        let filter = module.dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        sources.push(source_of(&module.dir, &filter, &format!("envoy/{filter}.yaml"))?);
    }
    sources.sort_by_key(|s| s.port);
    for pair in sources.windows(2) {
        if let [a, b] = pair {
            if a.port == b.port {
                return Err(format!("filters {} and {} both use port {}", a.filter, b.filter, a.port));
            }
        }
    }
    Ok(sources)
}

/// The filter crate in `dir` as a [`Source`]: its `[package.metadata.sieve]` (phase, priority,
/// port), named `filter`, configured for Envoy by `file` (relative to the workspace root, or
/// absolute for a filter in its own repository).
pub fn source_of(dir: &Path, filter: &str, file: &str) -> Result<Source, String> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let doc: toml::Table = text.parse().map_err(|e| format!("{}: {e}", manifest.display()))?;
    let meta = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("sieve"))
        .ok_or_else(|| format!("{}: no [package.metadata.sieve] (phase, priority, port)", manifest.display()))?;
    let field =
        |name: &str| meta.get(name).ok_or_else(|| format!("{}: metadata.sieve.{name} is missing", manifest.display()));
    let phase = field("phase")?.as_str().unwrap_or_default().to_string();
    if !PHASES.contains(&phase.as_str()) {
        return Err(format!("{}: metadata.sieve.phase must be one of {PHASES:?}", manifest.display()));
    }
    let priority = field("priority")?
        .as_integer()
        .ok_or_else(|| format!("{}: metadata.sieve.priority: an integer", manifest.display()))?;
    let port = field("port")?
        .as_integer()
        .and_then(|p| u16::try_from(p).ok())
        .ok_or_else(|| format!("{}: metadata.sieve.port: a port number", manifest.display()))?;
    Ok(Source { filter: filter.to_string(), file: file.to_string(), phase, priority, port })
}

/// The stages the chain module carries. A deployment pays in memory for every byte of code its
/// module holds, so it may build the chain with fewer (`cargo xtask build --chain headers,auth`,
/// through the chain crate's features); the chain's manifests and images then follow that choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStages(Vec<&'static str>);

impl ChainStages {
    /// Every stage the chain crate offers, in its feature names.
    pub const KNOWN: &'static [&'static str] = &["headers", "auth", "screen"];

    pub fn all() -> Self {
        ChainStages(Self::KNOWN.to_vec())
    }

    /// `headers,auth`: known stage names, each once, at least one.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut chosen = Vec::new();
        for name in list.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            let known = Self::KNOWN
                .iter()
                .find(|known| **known == name)
                .ok_or_else(|| format!("--chain: unknown stage {name:?} (stages: {})", Self::KNOWN.join(", ")))?;
            if chosen.contains(known) {
                return Err(format!("--chain: stage {name:?} given twice"));
            }
            chosen.push(*known);
        }
        if chosen.is_empty() {
            return Err(format!("--chain: give at least one stage ({})", Self::KNOWN.join(", ")));
        }
        // The module's stages do not depend on the order they are named in.
        chosen.sort_by_key(|name| Self::KNOWN.iter().position(|known| known == name));
        Ok(ChainStages(chosen))
    }

    pub fn names(&self) -> &[&'static str] {
        &self.0
    }

    pub fn is_all(&self) -> bool {
        self.0.len() == Self::KNOWN.len()
    }

    /// Removes from a chain plugin configuration (`{"stages": [{"auth": {...}}, ...]}`) the stages
    /// this module does not carry (it would refuse them as unknown).
    pub fn restrict(&self, chain: &mut serde_json::Value) -> Result<(), String> {
        let stages = chain
            .get_mut("stages")
            .and_then(serde_json::Value::as_array_mut)
            .ok_or("the chain configuration has no `stages` list")?;
        stages.retain(|entry| {
            entry.as_object().and_then(|entry| entry.keys().next()).is_some_and(|name| self.0.contains(&name.as_str()))
        });
        if stages.is_empty() {
            return Err(format!("no stage of the configuration is one of {}", self.0.join(", ")));
        }
        Ok(())
    }
}

/// The namespace and workloads the Istio examples target (the workload of the Istio-generated
/// sidecar config the tests patch is `httpbin` in `default`; examples use their own namespace).
pub const NAMESPACE: &str = "sieve-demo";
pub const WORKLOAD_LABEL: (&str, &str) = ("app", "httpbin");
pub const GATEWAY_LABEL: (&str, &str) = ("istio", "ingressgateway");
/// Where an EnvoyFilter expects the module inside istio-proxy (mounted from a ConfigMap; see istio/README.md).
pub const MODULE_DIR_IN_PROXY: &str = "/var/local/lib/wasm-filters";
/// The OCI repository the WasmPlugins pull from (`cargo xtask oci push` publishes there).
pub const IMAGE_REPOSITORY: &str = "ghcr.io/sieve-wasm";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a cluster of the demo configs is reached inside a mesh.
pub struct MeshCluster {
    pub cluster: &'static str,
    pub host: &'static str,
    pub port: u16,
    /// Outside the mesh: needs a ServiceEntry.
    pub external: bool,
}

pub const MESH_CLUSTERS: &[MeshCluster] = &[
    MeshCluster { cluster: "jwks", host: "jwks.example.com", port: 80, external: true },
    MeshCluster { cluster: "authz", host: "authz.sieve-demo.svc.cluster.local", port: 8082, external: false },
    MeshCluster { cluster: "feed", host: "feed.example.com", port: 80, external: true },
];

impl MeshCluster {
    /// Istio's name for the outbound cluster of this service.
    pub fn istio_cluster(&self) -> String {
        format!("outbound|{}||{}", self.port, self.host)
    }
}

fn key(text: &str) -> Value {
    Value::String(text.to_string())
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    let mut mapping = Mapping::new();
    for (k, v) in entries {
        mapping.insert(key(k), v);
    }
    Value::Mapping(mapping)
}

/// The Sieve Wasm filter entry of a source config (`name: sieve.*`).
fn sieve_filter(config: &EnvoyConfig) -> Result<Value, String> {
    fn find(node: &Value) -> Option<&Value> {
        match node {
            Value::Mapping(m) => {
                if m.get(key("name")).and_then(Value::as_str).is_some_and(|n| n.starts_with("sieve."))
                    && m.get(key("typed_config")).is_some()
                {
                    return Some(node);
                }
                m.values().find_map(find)
            }
            Value::Sequence(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(config.doc()).cloned().ok_or_else(|| format!("{}: no sieve.* HTTP filter", config.source.display()))
}

/// The plugin configuration of a filter entry, parsed.
fn plugin_json(filter: &Value) -> Result<serde_json::Value, String> {
    let text = filter
        .get("typed_config")
        .and_then(|t| t.get("config"))
        .and_then(|c| c.get("configuration"))
        .and_then(|c| c.get("value"))
        .and_then(Value::as_str)
        .ok_or("the filter has no configuration value")?;
    serde_json::from_str(text).map_err(|e| format!("the plugin configuration is not JSON: {e}"))
}

/// Rewrites every `"cluster": "<demo cluster>"` to Istio's cluster name, adding the service's
/// `authority` where none is given. Returns the clusters used.
pub fn to_mesh(config: &mut serde_json::Value) -> Vec<&'static MeshCluster> {
    fn walk(node: &mut serde_json::Value, used: &mut Vec<&'static MeshCluster>) {
        match node {
            serde_json::Value::Object(object) => {
                let mesh = object
                    .get("cluster")
                    .and_then(|c| c.as_str())
                    .and_then(|name| MESH_CLUSTERS.iter().find(|m| m.cluster == name));
                if let Some(mesh) = mesh {
                    object.insert("cluster".into(), serde_json::Value::String(mesh.istio_cluster()));
                    object.entry("authority").or_insert_with(|| serde_json::Value::String(mesh.host.to_string()));
                    if !used.iter().any(|u| u.cluster == mesh.cluster) {
                        used.push(mesh);
                    }
                }
                for value in object.values_mut() {
                    walk(value, used);
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|item| walk(item, used)),
            _ => {}
        }
    }
    let mut used = Vec::new();
    walk(config, &mut used);
    used
}

fn json_to_yaml(value: &serde_json::Value) -> Value {
    serde_yaml::to_value(value).unwrap_or(Value::Null)
}

fn header(source: &Source, what: &str) -> String {
    format!("# GENERATED by `cargo xtask generate` from {} — edit that file, then regenerate.\n# {what}\n", source.file)
}

fn yaml(value: &Value) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| e.to_string())
}

/// The filter entry an EnvoyFilter inserts: the source's, with the module where the proxy has it
/// and the clusters as the mesh names them.
fn envoyfilter_value(source: &Source, filter: &Value) -> Result<(Value, Vec<&'static MeshCluster>), String> {
    let mut filter = filter.clone();
    let mut plugin = plugin_json(&filter)?;
    let used = to_mesh(&mut plugin);
    let text = serde_json::to_string_pretty(&plugin).map_err(|e| e.to_string())?;
    let config = filter
        .get_mut("typed_config")
        .and_then(|t| t.get_mut("config"))
        .and_then(Value::as_mapping_mut)
        .ok_or("no typed_config.config")?;
    if let Some(Value::Mapping(configuration)) = config.get_mut(key("configuration")) {
        configuration.insert(key("value"), Value::String(text));
    }
    if let Some(Value::Mapping(vm)) = config.get_mut(key("vm_config")) {
        let local = map(vec![("filename", key(&format!("{MODULE_DIR_IN_PROXY}/sieve_{}.wasm", source.filter)))]);
        vm.insert(key("code"), map(vec![("local", local)]));
    }
    Ok((filter, used))
}

fn envoyfilter(source: &Source, value: &Value, gateway: bool) -> Value {
    let (suffix, label, context) =
        if gateway { ("gateway", GATEWAY_LABEL, "GATEWAY") } else { ("sidecar", WORKLOAD_LABEL, "SIDECAR_INBOUND") };
    let mut listener = vec![];
    if !gateway {
        // The workload's target port: only its service chains, not the catch-all passthrough chains.
        listener.push(("portNumber", Value::Number(80.into())));
    }
    listener.push((
        "filterChain",
        map(vec![(
            "filter",
            map(vec![
                ("name", key("envoy.filters.network.http_connection_manager")),
                ("subFilter", map(vec![("name", key("envoy.filters.http.router"))])),
            ]),
        )]),
    ));
    map(vec![
        ("apiVersion", key("networking.istio.io/v1alpha3")),
        ("kind", key("EnvoyFilter")),
        (
            "metadata",
            map(vec![("name", key(&format!("{}-{suffix}", source.resource_name()))), ("namespace", key(NAMESPACE))]),
        ),
        (
            "spec",
            map(vec![
                ("workloadSelector", map(vec![("labels", map(vec![(label.0, key(label.1))]))])),
                (
                    "configPatches",
                    Value::Sequence(vec![map(vec![
                        ("applyTo", key("HTTP_FILTER")),
                        ("match", map(vec![("context", key(context)), ("listener", map(listener))])),
                        ("patch", map(vec![("operation", key("INSERT_BEFORE")), ("value", value.clone())])),
                    ])]),
                ),
            ]),
        ),
    ])
}

/// Envoy's `failure_policy` as a WasmPlugin's `failStrategy`.
pub fn fail_strategy(policy: &str) -> &'static str {
    match policy {
        "FAIL_OPEN" => "FAIL_OPEN",
        "FAIL_RELOAD" => "FAIL_RELOAD",
        _ => "FAIL_CLOSE",
    }
}

fn wasmplugin(source: &Source, filter: &Value, sha256: &str, url: &str) -> Result<Value, String> {
    let mut plugin = plugin_json(filter)?;
    to_mesh(&mut plugin);
    let config = filter.get("typed_config").and_then(|t| t.get("config")).ok_or("no typed_config.config")?;
    let root_id = config.get("root_id").and_then(Value::as_str).ok_or("no root_id")?;
    let policy = config.get("failure_policy").and_then(Value::as_str).unwrap_or("FAIL_CLOSED");
    Ok(map(vec![
        ("apiVersion", key("extensions.istio.io/v1alpha1")),
        ("kind", key("WasmPlugin")),
        // No namespace: `kubectl apply -n NS` or an overlay's `namespace:` places it (a kustomize base).
        ("metadata", map(vec![("name", key(&source.resource_name()))])),
        (
            "spec",
            map(vec![
                ("selector", map(vec![("matchLabels", map(vec![(WORKLOAD_LABEL.0, key(WORKLOAD_LABEL.1))]))])),
                ("url", key(url)),
                ("sha256", key(sha256)),
                ("imagePullPolicy", key("IfNotPresent")),
                ("pluginName", key(root_id)),
                ("phase", key(&source.phase)),
                ("priority", Value::Number(source.priority.into())),
                ("failStrategy", key(fail_strategy(policy))),
                (
                    "match",
                    Value::Sequence(vec![map(vec![
                        ("mode", key("SERVER")),
                        ("ports", Value::Sequence(vec![map(vec![("number", Value::Number(80.into()))])])),
                    ])]),
                ),
                ("pluginConfig", json_to_yaml(&plugin)),
            ]),
        ),
    ]))
}

/// The filter's directory as a kustomize base: its WasmPlugin and the ServiceEntries of the services
/// it calls (not the EnvoyFilters, the other way to deploy it). Only fields of the kustomize that
/// kubectl 1.20 embeds (v2.0.3), so every kubectl since can render the overlays of `istio/overlays/`.
fn kustomization(source: &Source, resources: &[String]) -> Result<String, String> {
    let doc = map(vec![("resources", Value::Sequence(resources.iter().map(|r| key(r)).collect()))]);
    Ok(header(
        source,
        "kustomize base: the WasmPlugin and the ServiceEntries it needs; an overlay sets the values (as Sieve's istio/overlays/ do).",
    ) + &yaml(&doc)?)
}

fn serviceentry(source: &Source, cluster: &MeshCluster) -> Value {
    map(vec![
        ("apiVersion", key("networking.istio.io/v1")),
        ("kind", key("ServiceEntry")),
        (
            "metadata",
            map(vec![("name", key(&format!("{}-{}", source.resource_name(), cluster.cluster.replace('_', "-"))))]),
        ),
        (
            "spec",
            map(vec![
                ("hosts", Value::Sequence(vec![key(cluster.host)])),
                ("location", key("MESH_EXTERNAL")),
                ("resolution", key("DNS")),
                (
                    "ports",
                    Value::Sequence(vec![map(vec![
                        ("number", Value::Number(cluster.port.into())),
                        ("name", key("http")),
                        ("protocol", key("HTTP")),
                    ])]),
                ),
            ]),
        ),
    ])
}

/// Every listener of every source in one Envoy, each on its source's port.
fn all_in_one(configs: &[(&Source, EnvoyConfig)]) -> Result<String, String> {
    let mut doc: Option<Value> = None;
    let mut listeners = Vec::new();
    let mut clusters: Vec<Value> = Vec::new();
    for (source, config) in configs {
        let root = config.doc().clone();
        let mut listener = root
            .get("static_resources")
            .and_then(|s| s.get("listeners"))
            .and_then(Value::as_sequence)
            .and_then(|l| l.first())
            .cloned()
            .ok_or_else(|| format!("{}: no listener", source.file))?;
        if let Some(m) = listener.as_mapping_mut() {
            m.insert(key("name"), key(&source.filter));
        }
        if let Some(socket) =
            listener.get_mut("address").and_then(|a| a.get_mut("socket_address")).and_then(Value::as_mapping_mut)
        {
            socket.insert(key("port_value"), Value::Number(source.port.into()));
        }
        for cluster in root
            .get("static_resources")
            .and_then(|s| s.get("clusters"))
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let name = cluster.get("name");
            match clusters.iter().find(|c| c.get("name") == name) {
                Some(existing) if existing != cluster => {
                    return Err(format!("{}: cluster {name:?} differs from another source's", source.file));
                }
                Some(_) => {}
                None => clusters.push(cluster.clone()),
            }
        }
        listeners.push(listener);
        doc.get_or_insert(root);
    }
    let mut doc = doc.ok_or("no sources")?;
    if let Some(resources) = doc.get_mut("static_resources").and_then(Value::as_mapping_mut) {
        resources.insert(key("listeners"), Value::Sequence(listeners));
        resources.insert(key("clusters"), Value::Sequence(clusters));
    }
    let files = configs.iter().map(|(s, _)| s.file.as_str()).collect::<Vec<_>>().join(", ");
    let ports = configs.iter().map(|(s, _)| format!("{} :{}", s.filter, s.port)).collect::<Vec<_>>().join(", ");
    Ok(format!(
        "# GENERATED by `cargo xtask generate` from {files} — edit those files, then regenerate.\n# Every Sieve filter in one Envoy, one listener each ({ports}); admin :9901. docker compose runs this file.\n{}",
        yaml(&doc)?
    ))
}

/// A filter's kustomize base in `dir`: its WasmPlugin pinned to `image`, pulled from `url`, the
/// ServiceEntries of the external services it calls (`used`), and the `kustomization.yaml`.
fn kustomize_base(
    source: &Source,
    filter: &Value,
    used: &[&MeshCluster],
    image: &Image,
    url: &str,
    dir: &str,
) -> Result<Vec<(String, String)>, String> {
    let mut files = vec![(
        format!("{dir}/wasmplugin.yaml"),
        header(source, "WasmPlugin: istiod places the filter by phase and priority; sha256 is the digest of the image built from the module.")
            + &yaml(&wasmplugin(source, filter, &image.sha256(), url)?)?,
    )];
    let mut resources = vec!["wasmplugin.yaml".to_string()];
    for cluster in used.iter().filter(|c| c.external) {
        resources.push(format!("serviceentry-{}.yaml", cluster.cluster));
        files.push((
            format!("{dir}/serviceentry-{}.yaml", cluster.cluster),
            header(
                source,
                &format!("ServiceEntry: the filter calls {} (cluster {}).", cluster.host, cluster.istio_cluster()),
            ) + &yaml(&serviceentry(source, cluster))?,
        ));
    }
    files.push((format!("{dir}/kustomization.yaml"), kustomization(source, &resources)?));
    Ok(files)
}

/// What a filter built in its own repository ships for Istio (`cargo xtask new NAME --out DIR`
/// gives it an `examples/package.rs` that calls this): `config` is its Envoy config (`source.file`
/// names it in the headers), `module` its built module, `version` the image's, `generator` the command that
/// regenerates the files (named in their headers). Returns the OCI image and the kustomize base's
/// files under `dir`, the WasmPlugin pinned to the image and pulled from `url`.
pub fn package(
    source: &Source,
    config: &EnvoyConfig,
    module: &[u8],
    version: &str,
    url: &str,
    dir: &str,
    generator: &str,
) -> Result<(Image, Vec<(String, String)>), String> {
    let filter = sieve_filter(config)?;
    let mut plugin = plugin_json(&filter)?;
    let used = to_mesh(&mut plugin);
    let image = Image::build(module, &source.resource_name(), version)?;
    let files = kustomize_base(source, &filter, &used, &image, url, dir)?
        .into_iter()
        .map(|(path, text)| (path, text.replacen("`cargo xtask generate`", generator, 1)))
        .collect();
    Ok((image, files))
}

/// Every generated file: (path relative to the workspace root, content). `wasm_dir` holds the built
/// modules (the WasmPlugins pin the digest of each module's image).
pub fn generate(wasm_dir: &Path) -> Result<Vec<(String, String)>, String> {
    generate_for(wasm_dir, &ChainStages::all())
}

/// [`generate`] for a chain module built with only `chain`'s stages: its configuration keeps only
/// those stages, and its WasmPlugin pins that module's image.
pub fn generate_for(wasm_dir: &Path, chain: &ChainStages) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let mut configs = Vec::new();
    let sources = sources()?;
    for source in &sources {
        let mut config = EnvoyConfig::load(&source.file)?;
        if source.filter == "chain" && !chain.is_all() {
            config.edit_plugin_config("sieve.chain", |json| chain.restrict(json))?;
        }
        let filter = sieve_filter(&config)?;
        let (value, used) = envoyfilter_value(source, &filter)?;
        let module_path = wasm_dir.join(format!("sieve_{}.wasm", source.filter));
        let module = std::fs::read(&module_path)
            .map_err(|e| format!("{}: {e} (build the modules first)", module_path.display()))?;
        let image = Image::build(&module, &source.resource_name(), VERSION)?;
        let dir = format!("istio/{}", source.filter);
        files.push((
            format!("{dir}/envoyfilter-sidecar.yaml"),
            header(
                source,
                "EnvoyFilter for sidecars: inserts the filter before the router on the workload's inbound port 80.",
            ) + &yaml(&envoyfilter(source, &value, false))?,
        ));
        files.push((
            format!("{dir}/envoyfilter-gateway.yaml"),
            header(
                source,
                "EnvoyFilter for the ingress gateway: inserts the filter before the router on every gateway listener.",
            ) + &yaml(&envoyfilter(source, &value, true))?,
        ));
        let url = format!("oci://{IMAGE_REPOSITORY}/sieve-{}:{VERSION}", source.filter);
        files.extend(kustomize_base(source, &filter, &used, &image, &url, &dir)?);
        configs.push((source, config));
    }
    files.push(("envoy/all.yaml".into(), all_in_one(&configs)?));
    if !chain.is_all() {
        let note = format!(
            "# The chain module here carries only the stages {0}: built with `cargo xtask build --chain {0}`.\n",
            chain.names().join(",")
        );
        for (_, content) in files.iter_mut().filter(|(path, _)| path.starts_with("istio/chain/")) {
            content.insert_str(0, &note);
        }
    }
    Ok(files)
}

/// Files that differ from what the sources produce (or are missing, or are stale leftovers in `istio/`).
pub fn drift(wasm_dir: &Path) -> Result<Vec<String>, String> {
    let files = generate(wasm_dir)?;
    let root = workspace_root();
    let mut differing: Vec<String> = files
        .iter()
        .filter(|(path, content)| std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(content.as_str()))
        .map(|(path, _)| path.clone())
        .collect();
    for source in sources()? {
        let dir = root.join("istio").join(&source.filter);
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = format!("istio/{}/{}", source.filter, entry.file_name().to_string_lossy());
            if path.ends_with(".yaml") && !files.iter().any(|(p, _)| *p == path) {
                differing.push(format!("{path} (not generated any more)"));
            }
        }
    }
    Ok(differing)
}

/// Writes the generated files into the workspace; returns their paths.
pub fn write(wasm_dir: &Path) -> Result<Vec<String>, String> {
    write_to(&workspace_root(), wasm_dir, &ChainStages::all())
}

/// Writes the files [`generate_for`] makes under `root`; returns their paths.
pub fn write_to(root: &Path, wasm_dir: &Path, chain: &ChainStages) -> Result<Vec<String>, String> {
    let files = generate_for(wasm_dir, chain)?;
    for (path, content) in &files {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&full, content).map_err(|e| format!("{}: {e}", full.display()))?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
