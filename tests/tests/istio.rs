//! The Istio path, proven without a cluster: every manifest in `istio/` against Istio's own CRDs
//! (schema and CEL rules); each EnvoyFilter applied the way istiod applies it to a real
//! Istio-generated sidecar inbound listener (and to a gateway listener), then run in the real Envoy;
//! the WasmPlugins turned into the Wasm filters Envoy receives from Istio, and run.

use base64::Engine;
use serde_json::json;
use sieve_e2e::eventually;
use sieve_e2e::istio;
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{workspace_root, Envoy, EnvoyConfig, EnvoyOptions, Reply, Request};
use sieve_services::{authz, echo, feed::Feed, jwks, Background};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

fn manifests() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace_root().join("istio"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|dir| std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml") && !p.ends_with("kustomization.yaml"))
        .collect();
    files.sort();
    files
}

/// A generated manifest as `kubectl apply -n sieve-demo -f` creates it (they carry no namespace).
fn manifest(path: &str) -> serde_yaml::Value {
    let mut doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(workspace_root().join(path)).unwrap()).unwrap();
    doc["metadata"]["namespace"] = "sieve-demo".into();
    doc
}

#[test]
fn every_manifest_passes_istios_crd_schemas_and_rules() {
    let files = manifests();
    assert!(files.len() >= 11, "{files:?}");
    for file in &files {
        if let Err(report) = istio::validate(file) {
            panic!("{} is refused:\n{report}", file.display());
        }
    }
    // The validators are not vacuous: Istio's invalid examples are refused, by the schema or by the CEL rules.
    let examples = sieve_e2e::istio::data_dir().join("istio-crds/examples");
    for bad in [
        "wasmplugin-invalid.yaml",
        "wasmplugin-invalid-cel-only.yaml",
        "envoyfilter-invalid.yaml",
        "envoyfilter-invalid-cel-only.yaml",
        "serviceentry-invalid.yaml",
    ] {
        let report = istio::validate(&examples.join(bad)).expect_err(bad);
        assert!(
            report.contains("is not one of")
                || report.contains("only one of")
                || report.contains("required")
                || report.contains("may only be set"),
            "{bad}: {report}"
        );
    }
    istio::validate(&examples.join("wasmplugin-valid.yaml")).unwrap();
}

/// The demo services, reachable under the cluster names the Istio manifests use.
struct Mesh {
    app: Background,
    _services: Vec<Background>,
    clusters: Vec<(String, SocketAddr)>,
    feed: Feed,
}

fn mesh() -> Mesh {
    let app = echo::spawn(([127, 0, 0, 1], 0).into()).unwrap();
    let feed = Feed::new();
    feed.publish(std::fs::read(workspace_root().join("services/demo-lists/deny.txt")).unwrap());
    let spawn = |handler| sieve_services::spawn(([127, 0, 0, 1], 0).into(), handler).unwrap();
    let services = vec![
        spawn(jwks::handler(jwks::Document::new(jwks::DEMO_JWKS))),
        spawn(authz::handler(authz::demo_tokens())),
        spawn(feed.handler()),
    ];
    let clusters = sieve_e2e::generate::MESH_CLUSTERS
        .iter()
        .zip(&services)
        .map(|(mesh, service)| (mesh.istio_cluster(), service.addr))
        .collect();
    Mesh { app, _services: services, clusters, feed }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap()
}

fn start(config: &EnvoyConfig) -> Envoy {
    Envoy::start(config, EnvoyOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// What each filter's demo config does, through whatever `base` URL serves it.
fn check_filter(filter: &str, base: &str) {
    let get = |path: &str| Request::new("GET", &format!("{base}{path}"));
    match filter {
        "headers" => {
            let reply = get("/api/hello").header("x-legacy-user", "ann").send();
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert_eq!(reply.upstream_header("x-user").as_deref(), Some("ann"), "renamed by the filter");
            assert_eq!(reply.upstream_header("x-sieve-tags").as_deref(), Some("api"));
            assert_eq!(reply.header("x-sieve-served-by"), Some("sieve"));
        }
        "auth" => {
            get("/things").send().assert_local_reply(401, "unauthorized");
            let by_key = get("/things").header("x-api-key", "sieve-demo-key-0123456789abcdef").send();
            assert_eq!(by_key.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
            let token = sign_with("RS256", DemoKey::Rsa1, &claims("mesh-user", json!({})));
            let by_jwt = get("/things").header("authorization", &format!("Bearer {token}")).send();
            assert_eq!(
                by_jwt.upstream_header("x-sieve-consumer").as_deref(),
                Some("mesh-user"),
                "JWKS through outbound|80||jwks.example.com: {}",
                by_jwt.body
            );
            let by_authz = get("/things").header("authorization", "Bearer demo-authz-token").send();
            assert_eq!(
                by_authz.upstream_header("x-sieve-consumer").as_deref(),
                Some("authz-demo"),
                "{}",
                by_authz.body
            );
        }
        "screen" => {
            eventually(Duration::from_secs(10), "the fed deny list", || {
                get("/").header("x-forwarded-for", "198.51.100.7").send().status == 403
            });
            get("/").header("x-forwarded-for", "192.0.2.55").send().assert_local_reply(403, "screened");
            assert_eq!(get("/").header("x-forwarded-for", "203.0.113.9").send().status, 200);
        }
        "chain" => {
            // The three demo configs as stages of one module: the same answers as separately.
            let unauthenticated = get("/api/x").send();
            unauthenticated.assert_local_reply(401, "unauthorized");
            assert_eq!(unauthenticated.header("cache-control"), Some("no-store"), "the headers stage saw the reply");
            let key = ("x-api-key", "sieve-demo-key-0123456789abcdef");
            let passed = get("/api/x").header(key.0, key.1).header("x-legacy-user", "ann").send();
            assert_eq!(passed.status, 200, "{}", passed.body);
            assert_eq!(passed.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
            assert_eq!(passed.upstream_header("x-user").as_deref(), Some("ann"));
            let token = sign_with("RS256", DemoKey::Rsa1, &claims("mesh-user", json!({})));
            let by_jwt = get("/").header("authorization", &format!("Bearer {token}")).send();
            assert_eq!(by_jwt.upstream_header("x-sieve-consumer").as_deref(), Some("mesh-user"), "{}", by_jwt.body);
            eventually(Duration::from_secs(10), "the fed deny list", || {
                get("/").header(key.0, key.1).header("x-forwarded-for", "198.51.100.7").send().status == 403
            });
        }
        other => panic!("no check for {other}"),
    }
}

#[test]
fn sidecar_envoyfilters_patch_the_istio_inbound_listener_and_serve() {
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    for source in sieve_e2e::generate::sources().unwrap() {
        let filter = source.filter.as_str();
        let envoyfilter = manifest(&format!("istio/{filter}/envoyfilter-sidecar.yaml"));
        let mut bootstrap = istio::sidecar_bootstrap().unwrap();
        let listener = istio::listener_mut(&mut bootstrap, "virtualInbound").unwrap();
        let changed = istio::apply_envoyfilter(listener, &envoyfilter, "SIDECAR_INBOUND").unwrap();
        assert_eq!(changed, 2, "{filter}: the port-80 chains, tls (mTLS peers) and plaintext");
        for (chain, port, filters) in istio::http_filter_names(listener) {
            let mut expected =
                vec!["envoy.filters.http.grpc_stats", "envoy.filters.http.fault", "envoy.filters.http.cors"];
            let sieve = format!("sieve.{filter}");
            if port == Some(80) {
                expected.push(&sieve);
            }
            expected.push("envoy.filters.http.router");
            assert_eq!(filters, expected, "{filter}: chain {chain} (port {port:?})");
        }
        // The same patch does nothing in another context.
        let mut untouched = istio::sidecar_bootstrap().unwrap();
        let other = istio::listener_mut(&mut untouched, "virtualInbound").unwrap();
        assert_eq!(istio::apply_envoyfilter(other, &envoyfilter, "GATEWAY").unwrap(), 0);

        let mesh = mesh();
        let port = free_port();
        let config = istio::local_sidecar(bootstrap, port, mesh.app.addr, &mesh.clusters, &wasm_dir).unwrap();
        let envoy = start(&config);
        check_filter(filter, &format!("http://127.0.0.1:{port}"));
        // A chain's counters are its stages' (sieve.auth.*, ...), as when they run alone.
        let counted = if filter == "chain" { "auth" } else { filter };
        assert!(
            envoy.stats().keys().any(|k| k.starts_with(&format!("wasmcustom.sieve.{counted}."))),
            "the filter's counters"
        );
        let _ = mesh.feed.requests();
    }
}

#[test]
fn gateway_envoyfilters_patch_a_gateway_listener_and_serve() {
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    for source in sieve_e2e::generate::sources().unwrap() {
        let filter = source.filter.as_str();
        let envoyfilter = manifest(&format!("istio/{filter}/envoyfilter-gateway.yaml"));
        // A gateway listener: the source config's listener with its Sieve filter taken out.
        let mut config = EnvoyConfig::load(&source.file).unwrap();
        let mut doc: serde_json::Value = serde_json::to_value(config.doc()).unwrap();
        let listener = &mut doc["static_resources"]["listeners"][0];
        listener["name"] = json!("0.0.0.0_8080");
        let hcm = &mut listener["filter_chains"][0]["filters"][0]["typed_config"];
        let filters = hcm["http_filters"].as_array_mut().unwrap();
        filters.retain(|f| !f["name"].as_str().unwrap().starts_with("sieve."));
        assert_eq!(filters.len(), 1, "only the router is left");
        assert_eq!(istio::apply_envoyfilter(listener, &envoyfilter, "GATEWAY").unwrap(), 1);
        assert_eq!(
            istio::apply_envoyfilter(listener, &envoyfilter, "SIDECAR_INBOUND").unwrap(),
            0,
            "gateway patches only"
        );
        let names: Vec<String> = istio::http_filter_names(listener).remove(0).2;
        assert_eq!(names, vec![format!("sieve.{filter}"), "envoy.filters.http.router".to_string()]);

        let mesh = mesh();
        let mut patched = EnvoyConfig::from_json(&doc).unwrap();
        let clusters: Vec<(&str, SocketAddr)> = vec![("echo", mesh.app.addr)];
        patched.make_local(&wasm_dir, &clusters);
        for (name, addr) in &mesh.clusters {
            patched.ensure_cluster(name, *addr);
        }
        for cluster in config.cluster_names() {
            if cluster != "echo" {
                patched.set_cluster_endpoint(&cluster, sieve_e2e::closed_port());
            }
        }
        config = patched;
        let envoy = start(&config);
        check_filter(filter, &format!("http://{}", envoy.listener()));
    }
}

#[test]
fn wasmplugins_become_the_filters_istio_hands_envoy() {
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    // The separate filters (the chain is the alternative to them, checked on its own below).
    let sources: Vec<_> = sieve_e2e::generate::sources().unwrap().into_iter().filter(|s| s.filter != "chain").collect();
    let plugins: Vec<(serde_yaml::Value, PathBuf)> = sources
        .iter()
        .map(|s| {
            (
                manifest(&format!("istio/{}/wasmplugin.yaml", s.filter)),
                wasm_dir.join(format!("sieve_{}.wasm", s.filter)),
            )
        })
        .collect();
    // istio-agent fetches each module by the manifest's sha256: the module Envoy loads is the one pinned.
    for ((manifest, module), source) in plugins.iter().zip(&sources) {
        let image = sieve_e2e::oci::Image::build(
            &std::fs::read(module).unwrap(),
            &format!("sieve-{}", source.filter),
            sieve_e2e::generate::VERSION,
        )
        .unwrap();
        assert_eq!(manifest["spec"]["sha256"].as_str(), Some(image.sha256().as_str()));
    }
    let mut bootstrap = istio::sidecar_bootstrap().unwrap();
    let listener = istio::listener_mut(&mut bootstrap, "virtualInbound").unwrap();
    assert_eq!(
        istio::insert_wasmplugins(listener, &plugins).unwrap(),
        2,
        "match: SERVER, port 80 — both port-80 chains, not the catch-alls"
    );
    let (_, _, names) = istio::http_filter_names(listener).into_iter().find(|(_, port, _)| *port == Some(80)).unwrap();
    let (auth, _) = istio::wasmplugin_names(&plugins[1].0);
    let (screen, _) = istio::wasmplugin_names(&plugins[2].0);
    let (headers, _) = istio::wasmplugin_names(&plugins[0].0);
    assert_eq!(
        names,
        vec![
            auth,
            screen,
            headers,
            "envoy.filters.http.grpc_stats".into(),
            "envoy.filters.http.fault".into(),
            "envoy.filters.http.cors".into(),
            "envoy.filters.http.router".into()
        ],
        "AUTHN, then AUTHZ, then UNSPECIFIED_PHASE"
    );

    let mesh = mesh();
    let port = free_port();
    let config = istio::local_sidecar(bootstrap, port, mesh.app.addr, &mesh.clusters, &wasm_dir).unwrap();
    let envoy = start(&config);
    let base = format!("http://127.0.0.1:{port}");
    let get = |path: &str| Request::new("GET", &format!("{base}{path}"));
    // AUTHN first: no credentials, no further filter runs.
    get("/").header("x-forwarded-for", "198.51.100.7").send().assert_local_reply(401, "unauthorized");
    let key = ("x-api-key", "sieve-demo-key-0123456789abcdef");
    // Then AUTHZ: an authenticated client on the fed deny list.
    eventually(Duration::from_secs(10), "the fed deny list", || {
        get("/").header(key.0, key.1).header("x-forwarded-for", "198.51.100.7").send().status == 403
    });
    // Then the header rewrites, on what got through.
    let passed: Reply = get("/api/x").header(key.0, key.1).header("x-legacy-user", "ann").send();
    assert_eq!(passed.status, 200, "{}", passed.body);
    assert_eq!(passed.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
    assert_eq!(passed.upstream_header("x-user").as_deref(), Some("ann"));
    // failStrategy reached Envoy as the filter's failure_policy, and pluginConfig as its configuration.
    let (_, dump) = envoy.admin_get("/config_dump").unwrap();
    assert!(dump.contains("\"failure_policy\": \"FAIL_RELOAD\""), "failure policy in the config dump");
    assert!(dump.contains("sieve-demo.sieve-auth~istio-translated-wasmplugin"));
    drop(envoy);

    // The chain's WasmPlugin alone: one filter where there were three.
    let chain = vec![(manifest("istio/chain/wasmplugin.yaml"), wasm_dir.join("sieve_chain.wasm"))];
    let mut bootstrap = istio::sidecar_bootstrap().unwrap();
    let listener = istio::listener_mut(&mut bootstrap, "virtualInbound").unwrap();
    assert_eq!(istio::insert_wasmplugins(listener, &chain).unwrap(), 2);
    let (_, _, names) = istio::http_filter_names(listener).into_iter().find(|(_, port, _)| *port == Some(80)).unwrap();
    assert_eq!(names.iter().filter(|n| n.contains("sieve")).count(), 1, "{names:?}");
    let port = free_port();
    let config = istio::local_sidecar(bootstrap, port, mesh.app.addr, &mesh.clusters, &wasm_dir).unwrap();
    let _envoy = start(&config);
    check_filter("chain", &format!("http://127.0.0.1:{port}"));
}

/// Each rendered document checked against Istio's CRDs (core kinds: Kubernetes' schemas).
fn validate_rendered(overlay: &str, docs: &[serde_yaml::Value]) {
    if let Err(report) = istio::validate_documents(docs) {
        panic!("{overlay}: rendered {report}");
    }
}

fn render(overlay: &str) -> Vec<serde_yaml::Value> {
    sieve_e2e::kustomize::render(&workspace_root().join("istio/overlays").join(overlay))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn kustomize_overlays_render_with_the_kubectl_1_20_kustomize_and_pass_istios_crds() {
    let mut overlays: Vec<String> = std::fs::read_dir(workspace_root().join("istio/overlays"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    overlays.sort();
    assert_eq!(overlays, ["demo", "gateway", "httpbin", "secrets"]);
    for overlay in &overlays {
        let docs = render(overlay);
        let kinds: Vec<&str> = docs
            .iter()
            .filter_map(|d| d["kind"].as_str())
            .filter(|k| k.ends_with("Plugin") || *k == "ServiceEntry")
            .collect();
        assert_eq!(kinds, ["WasmPlugin", "ServiceEntry", "ServiceEntry"], "{overlay}");
        // Istio's kinds against its CRDs, Kubernetes' own (the demo's services) against its schemas.
        validate_rendered(overlay, &docs);
    }

    // The values reached the WasmPlugin; what an overlay does not set is the base's.
    let demo = render("demo");
    let plugin = sieve_e2e::kustomize::find(&demo, "WasmPlugin", "sieve-chain").unwrap();
    let base = manifest("istio/chain/wasmplugin.yaml");
    assert_eq!(plugin["metadata"]["namespace"], "sieve-demo");
    assert_eq!(plugin["spec"], base["spec"], "the demo's values are the base's");
    assert!(
        demo.iter().filter(|d| d["kind"] != "Namespace").all(|d| d["metadata"]["namespace"] == "sieve-demo"),
        "the ServiceEntries and the demo's services too"
    );

    let httpbin = render("httpbin");
    let plugin = sieve_e2e::kustomize::find(&httpbin, "WasmPlugin", "sieve-chain").unwrap();
    assert_eq!(plugin["metadata"]["namespace"], "default");
    assert_eq!(plugin["spec"]["match"][0]["ports"][0]["number"], 8080, "the container port of Istio's httpbin");
    assert_eq!(plugin["spec"]["selector"]["matchLabels"]["version"], "v1");
    assert_eq!(plugin["spec"]["sha256"], base["spec"]["sha256"], "the same module, pinned");
    assert_eq!(plugin["spec"]["pluginConfig"], base["spec"]["pluginConfig"]);

    // targetRefs instead of a selector: the CRD's CEL rule refuses both at once, so the base's
    // selector must be gone, and the gateway's ports are all of them.
    let gateway = render("gateway");
    let plugin = sieve_e2e::kustomize::find(&gateway, "WasmPlugin", "sieve-chain").unwrap();
    assert!(plugin["spec"].get("selector").is_none(), "{:?}", plugin["spec"]);
    assert!(plugin["spec"].get("match").is_none());
    assert_eq!(plugin["spec"]["targetRefs"][0]["kind"], "Gateway");
    let mut both = plugin.clone();
    both["spec"]["selector"] = base["spec"]["selector"].clone();
    let file = sieve_e2e::scratch_root().join(format!("kustomize-both-{}.yaml", std::process::id()));
    std::fs::write(&file, serde_yaml::to_string(&both).unwrap()).unwrap();
    let report = istio::validate(&file).expect_err("selector and targetRefs together are refused");
    assert!(report.contains("selector") || report.contains("targetRefs"), "{report}");
}

#[test]
fn the_httpbin_overlay_puts_the_filter_on_the_chain_that_serves_8080() {
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    let module = wasm_dir.join("sieve_chain.wasm");
    let httpbin = render("httpbin");
    let plugin = sieve_e2e::kustomize::find(&httpbin, "WasmPlugin", "sieve-chain").unwrap().clone();

    // The demo's values on httpbin's sidecar: no chain matches, so no filter and no error — the
    // mistake this overlay exists to prevent.
    let demo = render("demo");
    let demo_plugin = sieve_e2e::kustomize::find(&demo, "WasmPlugin", "sieve-chain").unwrap().clone();
    let mut bootstrap = istio::sidecar_bootstrap_on_port(8080).unwrap();
    let listener = istio::listener_mut(&mut bootstrap, "virtualInbound").unwrap();
    assert_eq!(istio::insert_wasmplugins(listener, &[(demo_plugin, module.clone())]).unwrap(), 0);

    let mut bootstrap = istio::sidecar_bootstrap_on_port(8080).unwrap();
    let listener = istio::listener_mut(&mut bootstrap, "virtualInbound").unwrap();
    assert_eq!(
        istio::insert_wasmplugins(listener, &[(plugin, module)]).unwrap(),
        2,
        "both 8080 chains (mTLS peers and plaintext), not the catch-alls"
    );
    let chains = istio::http_filter_names(listener);
    for (chain, port, filters) in &chains {
        let sieve = filters.iter().filter(|f| f.contains("default.sieve-chain~istio-translated-wasmplugin")).count();
        assert_eq!(sieve, usize::from(*port == Some(8080)), "chain {chain} (port {port:?}): {filters:?}");
    }
    assert_eq!(chains.iter().filter(|(_, port, _)| *port == Some(8080)).count(), 2);

    // And it runs there: the chain's demo behaviour through the 8080 chains.
    let mesh = mesh();
    let port = free_port();
    let config = istio::local_sidecar(bootstrap, port, mesh.app.addr, &mesh.clusters, &wasm_dir).unwrap();
    let envoy = start(&config);
    check_filter("chain", &format!("http://127.0.0.1:{port}"));
    let (_, dump) = envoy.admin_get("/config_dump").unwrap();
    assert!(dump.contains("inbound|8080||"), "the sidecar as istiod generates it for port 8080");
}

/// The `stats_config` istio-agent writes for a sidecar with `extraStatTags: [filter, provider,
/// outcome, reason]` (tests/data/istio-stats/README.md says where it comes from).
fn istio_agent_stats_config() -> serde_json::Value {
    let file = workspace_root().join("tests/data/istio-stats/sidecar-stats-config.json");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    doc["stats_config"].clone()
}

#[test]
fn sieve_metrics_are_labelled_under_the_stats_config_istio_agent_writes() {
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    let chain = vec![(manifest("istio/chain/wasmplugin.yaml"), wasm_dir.join("sieve_chain.wasm"))];
    let mut bootstrap = istio::sidecar_bootstrap().unwrap();
    let listener = istio::listener_mut(&mut bootstrap, "virtualInbound").unwrap();
    istio::insert_wasmplugins(listener, &chain).unwrap();
    bootstrap["stats_config"] = istio_agent_stats_config();
    let mesh = mesh();
    let port = free_port();
    let config = istio::local_sidecar(bootstrap, port, mesh.app.addr, &mesh.clusters, &wasm_dir).unwrap();
    let envoy = start(&config);
    let get = |path: &str| Request::new("GET", &format!("http://127.0.0.1:{port}{path}"));
    get("/").send().assert_local_reply(401, "unauthorized");
    get("/").header("x-api-key", "not-a-key").send().assert_local_reply(401, "unauthorized");
    assert_eq!(get("/api/x").header("x-api-key", "sieve-demo-key-0123456789abcdef").send().status, 200);

    let text = envoy.prometheus();
    let samples = sieve_e2e::prometheus::samples(&text);
    let families = sieve_e2e::prometheus::families(&text);
    let sieve_counters: Vec<&str> = families
        .iter()
        .filter(|(name, kind)| name.starts_with("sieve") && kind == "counter")
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(sieve_counters, ["sieve_events_total", "sieve_provider_events_total"], "{text}");
    let value = |family: &str, labels: &[(&str, &str)]| {
        sieve_e2e::prometheus::value(&samples, family, labels)
            .unwrap_or_else(|| panic!("no {family}{labels:?} in:\n{text}"))
    };
    let keys = [("filter", "auth"), ("provider", "keys")];
    assert_eq!(
        value("sieve_provider_events_total", &[keys[0], keys[1], ("outcome", "denied"), ("reason", "invalid")]),
        1.0
    );
    assert_eq!(value("sieve_provider_events_total", &[keys[0], keys[1], ("outcome", "allowed")]), 1.0);
    assert_eq!(value("sieve_events_total", &[("filter", "auth"), ("outcome", "denied")]), 2.0);
    // The chain's other stages count in the same family, under their own filter label.
    let screened = |s: &&sieve_e2e::prometheus::Sample| {
        s.name == "sieve_events_total" && s.labels.get("filter").map(String::as_str) == Some("screen") && s.value >= 1.0
    };
    assert!(samples.iter().any(|s| screened(&s)), "{text}");
    // Istio's own inclusion list keeps them (its `wasm` prefix); Envoy's stats beyond it are gone.
    assert!(!families.iter().any(|(name, _)| name.starts_with("envoy_http_downstream_rq")), "stats matcher applied");
}

/// The rendered documents of `kind`.
fn of_kind<'a>(docs: &'a [serde_yaml::Value], kind: &str) -> Vec<&'a serde_yaml::Value> {
    docs.iter().filter(|d| d["kind"].as_str() == Some(kind)).collect()
}

#[test]
fn the_demo_overlay_is_the_whole_demo_for_a_cluster() {
    let demo = render("demo");
    validate_rendered("demo-whole", &demo);
    let namespaces = of_kind(&demo, "Namespace");
    assert_eq!(namespaces.len(), 1);
    assert_eq!(namespaces[0]["metadata"]["name"], "sieve-demo");
    assert_eq!(namespaces[0]["metadata"]["labels"]["istio-injection"], "enabled", "sidecars injected");

    // Each Service selects a Deployment's pods and reaches a port its container listens on (the
    // port in the container's command, as docker-compose.yaml runs it).
    let deployments = of_kind(&demo, "Deployment");
    let names: Vec<&str> = deployments.iter().filter_map(|d| d["metadata"]["name"].as_str()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    for name in ["httpbin", "jwks", "authz", "feed"] {
        assert!(names.contains(&name), "{name}: {names:?}");
    }
    let service_port = |name: &str| -> u64 {
        let service = sieve_e2e::kustomize::find(&demo, "Service", name).unwrap_or_else(|| panic!("no Service {name}"));
        let selector = service["spec"]["selector"].as_mapping().unwrap();
        let deployment = deployments
            .iter()
            .find(|d| {
                let labels = &d["spec"]["template"]["metadata"]["labels"];
                selector.iter().all(|(k, v)| &labels[k] == v)
            })
            .unwrap_or_else(|| panic!("Service {name} selects no Deployment"));
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        let target = service["spec"]["ports"][0]["targetPort"].as_u64().unwrap();
        assert_eq!(container["ports"][0]["containerPort"].as_u64(), Some(target), "{name}");
        let command: Vec<&str> =
            container["command"].as_sequence().unwrap().iter().filter_map(|c| c.as_str()).collect();
        assert!(command.contains(&format!("0.0.0.0:{target}").as_str()), "{name} listens on {target}: {command:?}");
        assert_eq!(container["readinessProbe"]["httpGet"]["port"].as_u64(), Some(target));
        service["spec"]["ports"][0]["port"].as_u64().unwrap()
    };

    // The filter's in-mesh service (authz.sieve-demo.svc.cluster.local:8082) is that Service.
    for mesh in sieve_e2e::generate::MESH_CLUSTERS.iter().filter(|m| !m.external) {
        let (name, namespace) = mesh.host.split_once('.').unwrap();
        assert!(namespace.starts_with("sieve-demo."), "{}", mesh.host);
        assert_eq!(service_port(name), u64::from(mesh.port), "{}", mesh.host);
    }
    // The external hosts the filter calls resolve to the demo's services, on their ports.
    for entry in of_kind(&demo, "ServiceEntry") {
        let endpoint = &entry["spec"]["endpoints"][0];
        let address = endpoint["address"].as_str().unwrap_or_else(|| panic!("{entry:?}: no endpoint"));
        let service = address.strip_suffix(".sieve-demo.svc.cluster.local").unwrap();
        assert_eq!(endpoint["ports"]["http"].as_u64(), Some(service_port(service)), "{address}");
    }
    // The workload the WasmPlugin selects and the port it filters are the echo's.
    let plugin = sieve_e2e::kustomize::find(&demo, "WasmPlugin", "sieve-chain").unwrap();
    let labels = plugin["spec"]["selector"]["matchLabels"].as_mapping().unwrap();
    let workload = deployments
        .iter()
        .find(|d| labels.iter().all(|(k, v)| &d["spec"]["template"]["metadata"]["labels"][k] == v))
        .expect("a Deployment the WasmPlugin selects");
    assert_eq!(workload["metadata"]["name"], "httpbin");
    let port = plugin["spec"]["match"][0]["ports"][0]["number"].as_u64();
    assert_eq!(workload["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"].as_u64(), port);
    // The feed serves the same deny list as in docker compose.
    let lists = sieve_e2e::kustomize::find(&demo, "ConfigMap", "sieve-demo-lists").unwrap();
    let list = std::fs::read_to_string(workspace_root().join("services/demo-lists/deny.txt")).unwrap();
    assert_eq!(lists["data"]["deny.txt"].as_str(), Some(list.as_str()));

    // A Deployment with a field Kubernetes does not know is refused: the schemas are strict.
    let mut broken = (*deployments[0]).clone();
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolcy"] = "Always".into();
    let file = sieve_e2e::scratch_root().join(format!("deployment-broken-{}.yaml", std::process::id()));
    std::fs::write(&file, serde_yaml::to_string(&broken).unwrap()).unwrap();
    let report = istio::validate(&file).expect_err("an unknown field is refused");
    assert!(report.contains("imagePullPolcy"), "{report}");
}

#[test]
fn the_httpbin_overlay_reaches_the_external_services_over_tls() {
    let httpbin = render("httpbin");
    let plugin = sieve_e2e::kustomize::find(&httpbin, "WasmPlugin", "sieve-chain").unwrap();
    let plugin_config = serde_json::to_string(&plugin["spec"]["pluginConfig"]).unwrap();
    let entries = of_kind(&httpbin, "ServiceEntry");
    assert_eq!(entries.len(), 2);
    for entry in entries {
        let host = entry["spec"]["hosts"][0].as_str().unwrap();
        let port = &entry["spec"]["ports"][0];
        let number = port["number"].as_u64().unwrap();
        // The filter calls the host in plain HTTP on the ServiceEntry's port, inside the pod...
        assert!(plugin_config.contains(&format!("outbound|{number}||{host}")), "{host}: {plugin_config}");
        assert_eq!(port["protocol"], "HTTP");
        // ...and the sidecar originates TLS to 443, verifying the server and sending SNI.
        assert_eq!(port["targetPort"].as_u64(), Some(443), "{host}");
        let rule = of_kind(&httpbin, "DestinationRule")
            .into_iter()
            .find(|r| r["spec"]["host"].as_str() == Some(host))
            .unwrap_or_else(|| panic!("no DestinationRule for {host}"));
        let setting = &rule["spec"]["trafficPolicy"]["portLevelSettings"][0];
        assert_eq!(setting["port"]["number"].as_u64(), Some(number), "{host}: the port the filter calls");
        assert_eq!(setting["tls"]["mode"], "SIMPLE");
        assert_eq!(setting["tls"]["sni"].as_str(), Some(host));
        assert!(setting["tls"].get("insecureSkipVerify").is_none(), "certificates are checked");
    }
    // The DestinationRule CRD is strict here: a misspelt TLS field is refused.
    let mut broken = of_kind(&httpbin, "DestinationRule")[0].clone();
    broken["spec"]["trafficPolicy"]["portLevelSettings"][0]["tls"]["sni_name"] = "x".into();
    let file = sieve_e2e::scratch_root().join(format!("destinationrule-broken-{}.yaml", std::process::id()));
    std::fs::write(&file, serde_yaml::to_string(&broken).unwrap()).unwrap();
    let report = istio::validate(&file).expect_err("an unknown field is refused");
    assert!(report.contains("sni_name"), "{report}");
}

/// The environment the sidecar of the Deployment `name` gets from Secrets, as the kubelet sets it
/// for the pod's istio-proxy container (which Istio's injector merges into the sidecar).
fn sidecar_environment(docs: &[serde_yaml::Value], name: &str) -> Vec<(String, String)> {
    let deployment =
        sieve_e2e::kustomize::find(docs, "Deployment", name).unwrap_or_else(|| panic!("no Deployment {name}"));
    let containers = deployment["spec"]["template"]["spec"]["containers"].as_sequence().unwrap();
    let sidecar = containers.iter().find(|c| c["name"] == "istio-proxy").expect("an istio-proxy container to merge");
    let mut environment = Vec::new();
    for variable in sidecar["env"].as_sequence().unwrap() {
        let reference = &variable["valueFrom"]["secretKeyRef"];
        let secret_name = reference["name"].as_str().unwrap();
        let secret = sieve_e2e::kustomize::find(docs, "Secret", secret_name)
            .unwrap_or_else(|| panic!("no Secret {secret_name}"));
        let value = secret["stringData"][reference["key"].as_str().unwrap()].as_str();
        let value = value.unwrap_or_else(|| panic!("Secret {secret_name} has no {:?}", reference["key"]));
        environment.push((variable["name"].as_str().unwrap().to_string(), value.to_string()));
    }
    environment
}

#[test]
fn the_secrets_overlay_keeps_digests_out_of_the_wasmplugin_and_serves_from_the_sidecar_environment() {
    let docs = render("secrets");
    validate_rendered("secrets", &docs);
    let plugin = sieve_e2e::kustomize::find(&docs, "WasmPlugin", "sieve-chain").unwrap().clone();
    let base = manifest("istio/chain/wasmplugin.yaml");
    let secret = sieve_e2e::kustomize::find(&docs, "Secret", "sieve-auth-secrets").unwrap();
    assert_eq!(secret["metadata"]["namespace"], "sieve-demo", "beside the workload that reads it");

    // Nothing secret is left in the WasmPlugin: every digest and hash of the base is in the Secret.
    let plugin_text = serde_yaml::to_string(&plugin).unwrap();
    let auth = &base["spec"]["pluginConfig"]["stages"][1]["auth"]["providers"];
    let digest = auth[0]["api_key"]["keys"][0]["sha256"].as_str().unwrap();
    let password_hash = auth[1]["basic"]["users"][0]["password_hash"].as_str().unwrap();
    for value in [digest, password_hash] {
        assert!(!plugin_text.contains(value), "{value} is still in the WasmPlugin");
        assert!(serde_yaml::to_string(secret).unwrap().contains(value), "{value} is not in the Secret");
    }
    // The variables the WasmPlugin reads from the host are the ones the sidecar gets.
    let environment = sidecar_environment(&docs, "httpbin");
    let names: Vec<&str> = environment.iter().map(|(name, _)| name.as_str()).collect();
    let host_keys: Vec<&str> = plugin["spec"]["vmConfig"]["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .inspect(|v| assert_eq!(v["valueFrom"], "HOST", "{v:?}"))
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(names, host_keys);
    // The rest of the plugin is the demo's.
    let demo = render("demo");
    let demo_plugin = sieve_e2e::kustomize::find(&demo, "WasmPlugin", "sieve-chain").unwrap();
    assert_eq!(plugin["spec"]["pluginConfig"]["stages"][0], demo_plugin["spec"]["pluginConfig"]["stages"][0]);
    assert_eq!(plugin["spec"]["sha256"], demo_plugin["spec"]["sha256"]);

    // In the sidecar, as istiod and istio-agent hand it to Envoy, with the pod's environment.
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    let chain = vec![(plugin.clone(), wasm_dir.join("sieve_chain.wasm"))];
    let sidecar = |environment: Vec<(String, String)>| {
        let mut bootstrap = istio::sidecar_bootstrap().unwrap();
        let listener = istio::listener_mut(&mut bootstrap, "virtualInbound").unwrap();
        assert_eq!(istio::insert_wasmplugins(listener, &chain).unwrap(), 2);
        let mesh = mesh();
        let port = free_port();
        let config = istio::local_sidecar(bootstrap, port, mesh.app.addr, &mesh.clusters, &wasm_dir).unwrap();
        (config, mesh, port, EnvoyOptions { env: environment, ..Default::default() })
    };
    let (config, _mesh, port, options) = sidecar(environment.clone());
    let envoy = Envoy::start(&config, options).unwrap_or_else(|e| panic!("{e}"));
    check_filter("chain", &format!("http://127.0.0.1:{port}"));
    let by_basic = Request::new("GET", &format!("http://127.0.0.1:{port}/admin/x"))
        .header(
            "authorization",
            &format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("demo:sieve-demo-password-8c6f1d2e9a7b4f03")
            ),
        )
        .send();
    assert_eq!(by_basic.upstream_header("x-sieve-consumer").as_deref(), Some("demo-admin"), "{}", by_basic.body);
    let (_, dump) = envoy.admin_get("/config_dump").unwrap();
    assert!(dump.contains("SIEVE_API_KEYS"));
    assert!(!dump.contains(digest) && !dump.contains(password_hash), "a secret in Envoy's config dump");
    drop(envoy);

    // A pod without the Secret's variables: the sidecar refuses the plugin, naming what is missing.
    let (config, _mesh, _, options) =
        sidecar(environment.into_iter().filter(|(name, _)| name != "SIEVE_BASIC_USERS").collect());
    let log = Envoy::refuses_with(&config, &options).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        log.contains("stages[1].auth.providers[1].basic.users: environment variable SIEVE_BASIC_USERS is not set"),
        "{log}"
    );
}
