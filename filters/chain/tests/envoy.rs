//! The chain in a real Envoy: envoy/chain.yaml chains the three shipped configs verbatim, Envoy
//! refuses a bad stage config naming the stage and the field, and one module means one VM per
//! worker where separate filters need three. What the chain answers is checked against the separate
//! filters by the shared scenarios (tests/scenarios/chain*.yaml).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::Value;
use sieve_e2e::{Envoy, EnvoyConfig, Stack};

fn plugin_config(file: &str, filter: &str) -> Value {
    let mut config = EnvoyConfig::load(file).unwrap();
    serde_json::from_str(&config.plugin_config(filter).unwrap()).unwrap()
}

#[test]
fn envoy_chain_yaml_chains_the_shipped_configs_verbatim() {
    let chain = plugin_config("envoy/chain.yaml", "sieve.chain");
    let stages = chain["stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s.as_object().unwrap().keys().next().unwrap().as_str()).collect();
    assert_eq!(names, ["headers", "auth", "screen"]);
    for (stage, name) in stages.iter().zip(names) {
        assert_eq!(stage[name], plugin_config(&format!("envoy/{name}.yaml"), &format!("sieve.{name}")), "{name}");
    }
}

#[test]
fn envoy_refuses_a_bad_stage_config_naming_it() {
    let mut config = EnvoyConfig::load("envoy/chain.yaml").unwrap();
    config.make_local(&sieve_e2e::modules::wasm_dir().unwrap(), &[("echo", sieve_e2e::closed_port())]);
    config.set_plugin_config(
        "sieve.chain",
        r#"{"stages": [{"headers": {}}, {"auth": {"providers": [{"api_key": {"keys": [{"consumer": "a", "sha256": "plain"}]}}]}}]}"#,
    );
    let log = Envoy::refuses(&config).unwrap();
    assert!(
        log.contains("sieve.chain: invalid configuration: stages[1].auth.providers[0].api_key.keys[0].sha256"),
        "{log}"
    );
}

#[test]
fn one_module_is_one_vm_per_worker() {
    let vms = |stack: &Stack| {
        let stats = stack.envoy.stats();
        stats.get("wasm.envoy.wasm.runtime.v8.active").copied().unwrap_or_else(|| panic!("no VM gauge: {stats:?}"))
    };
    let chain = Stack::builder("envoy/chain.yaml").concurrency(2).start();
    let response = chain.envoy.get("/healthz").send();
    assert_eq!(response.status, 200, "{}", response.body);
    let chain_vms = vms(&chain);
    drop(chain);
    // The same three configs as three filters.
    let mut separate = EnvoyConfig::load("envoy/chain.yaml").unwrap();
    let entries: Vec<serde_yaml::Value> = ["headers", "auth", "screen"]
        .iter()
        .map(|name| {
            EnvoyConfig::load(format!("envoy/{name}.yaml")).unwrap().filter_entry(&format!("sieve.{name}")).unwrap()
        })
        .collect();
    separate.replace_filter("sieve.chain", &entries);
    let three = sieve_e2e::StackBuilder::from_config(separate).concurrency(2).start();
    assert_eq!(three.envoy.get("/healthz").send().status, 200);
    let three_vms = vms(&three);
    assert_eq!(three_vms, 3 * chain_vms, "three filters, three VMs per thread (chain: {chain_vms})");
}
