//! A chain built with only the stages a deployment uses (`cargo xtask build --chain headers,auth`):
//! a smaller module, which refuses a configuration naming a stage it does not carry, runs the
//! stages it does in a real Envoy, and whose generated manifests follow the choice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use sieve_e2e::generate::{self, ChainStages};
use sieve_e2e::oci::Image;
use sieve_e2e::{modules, Envoy, EnvoyConfig, Stack};
use std::path::PathBuf;
use std::sync::OnceLock;

const KEY: &str = "sieve-demo-key-0123456789abcdef";

fn headers_and_auth() -> ChainStages {
    ChainStages::parse("auth,headers").unwrap()
}

/// The chain with headers and auth only, built once, in its own target directory (the other tests
/// of this crate load the full chain from the workspace's).
fn reduced_module() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let target = modules::workspace_root().join("target/chain-stages");
            modules::build_chain(headers_and_auth().names(), Some(&target), false).unwrap()
        })
        .clone()
}

fn shipped_chain_config() -> serde_json::Value {
    let mut config = EnvoyConfig::load("envoy/chain.yaml").unwrap();
    serde_json::from_str(&config.plugin_config("sieve.chain").unwrap()).unwrap()
}

fn restricted_chain_config() -> serde_json::Value {
    let mut chain = shipped_chain_config();
    headers_and_auth().restrict(&mut chain).unwrap();
    chain
}

#[test]
fn stage_lists_are_checked_and_put_in_the_crates_order() {
    assert_eq!(headers_and_auth().names(), ["headers", "auth"]);
    assert!(ChainStages::all().is_all());
    assert!(!headers_and_auth().is_all());
    for (bad, says) in [("", "at least one"), ("headers,cors", "unknown stage \"cors\""), ("auth,auth", "twice")] {
        let error = ChainStages::parse(bad).unwrap_err();
        assert!(error.contains(says), "{bad:?}: {error}");
    }
    let chain = restricted_chain_config();
    let names: Vec<&str> = chain["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_object().unwrap().keys().next().unwrap().as_str())
        .collect();
    assert_eq!(names, ["headers", "auth"]);
    let mut screen_only = serde_json::json!({"stages": [{"screen": {}}]});
    assert!(headers_and_auth().restrict(&mut screen_only).unwrap_err().contains("no stage"));
}

#[test]
fn a_chain_without_screen_is_smaller_and_envoy_refuses_a_screen_stage_by_name() {
    let full = std::fs::metadata(modules::wasm_dir().unwrap().join("sieve_chain.wasm")).unwrap().len();
    let reduced = std::fs::metadata(reduced_module()).unwrap().len();
    eprintln!("chain: {} KiB with every stage, {} KiB with headers and auth", full / 1024, reduced / 1024);
    assert!(reduced + 50 * 1024 < full, "{reduced} bytes is not clearly below the full chain's {full}");

    let mut config = EnvoyConfig::load("envoy/chain.yaml").unwrap();
    config.make_local(reduced_module().parent().unwrap(), &[("echo", sieve_e2e::closed_port())]);
    let log = Envoy::refuses(&config).unwrap();
    assert!(
        log.contains(r#"sieve.chain: invalid configuration: stages[2]: unknown stage "screen" (known: headers, auth)"#),
        "{log}"
    );
}

#[test]
fn a_chain_without_screen_runs_its_stages_in_envoy() {
    let module_dir = reduced_module().parent().unwrap().to_path_buf();
    let stack = Stack::builder("envoy/chain.yaml")
        .plugin_config("sieve.chain", restricted_chain_config().to_string())
        .adjust(move |config| config.set_wasm_dir(&module_dir))
        .start();
    assert!(stack.envoy.log().contains("stages: headers -> auth"), "{}", stack.envoy.log());
    let denied = stack.envoy.get("/api/items").send();
    assert_eq!(denied.status, 401, "{}", denied.body);
    let allowed = stack.envoy.get("/api/items").header("x-api-key", KEY).send();
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(allowed.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
    assert_eq!(
        allowed.upstream_header("x-sieve-request").as_deref().map(|v| v.starts_with("GET /api/items")),
        Some(true)
    );
    assert_eq!(allowed.header("x-sieve-served-by"), Some("sieve"));
}

#[test]
fn generated_manifests_follow_the_chosen_stages() {
    let wasm_dir = reduced_module().parent().unwrap().to_path_buf();
    // The lone filters' modules come from the workspace build; only the chain is the smaller one.
    for file in ["sieve_headers.wasm", "sieve_auth.wasm", "sieve_screen.wasm"] {
        std::fs::copy(modules::wasm_dir().unwrap().join(file), wasm_dir.join(file)).unwrap();
    }
    let reduced = generate::generate_for(&wasm_dir, &headers_and_auth()).unwrap();
    let full = generate::generate(&modules::wasm_dir().unwrap()).unwrap();
    let file = |files: &[(String, String)], path: &str| {
        files.iter().find(|(p, _)| p == path).map(|(_, content)| content.clone()).unwrap_or_else(|| panic!("no {path}"))
    };

    let plugin = file(&reduced, "istio/chain/wasmplugin.yaml");
    let image = Image::build(&std::fs::read(reduced_module()).unwrap(), "sieve-chain", generate::VERSION).unwrap();
    assert!(plugin.contains(&format!("sha256: {}", image.sha256())), "{plugin}");
    assert!(plugin.starts_with("# The chain module here carries only the stages headers,auth"), "{plugin}");
    let doc: serde_yaml::Value = serde_yaml::from_str(&plugin).unwrap();
    let stages = doc["spec"]["pluginConfig"]["stages"].as_sequence().unwrap();
    let names: Vec<&str> =
        stages.iter().map(|s| s.as_mapping().unwrap().keys().next().unwrap().as_str().unwrap()).collect();
    assert_eq!(names, ["headers", "auth"]);

    let all = EnvoyConfig::from_yaml(&file(&reduced, "envoy/all.yaml")).unwrap().plugin_config("sieve.chain").unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&all).unwrap(), restricted_chain_config());
    // What is not the chain is what the full generation writes.
    for (path, content) in &full {
        if !path.starts_with("istio/chain/") && path != "envoy/all.yaml" {
            assert_eq!(&file(&reduced, path), content, "{path}");
        }
    }
}
