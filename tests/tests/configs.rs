//! Every Envoy config in `envoy/` is valid for the real Envoy (`--mode validate`, which also loads
//! the Wasm modules), and docker-compose.yaml passes the real Compose tool's `config` check.

use sieve_e2e::{workspace_root, Envoy, EnvoyConfig};

fn envoy_configs() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(workspace_root().join("envoy"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.strip_prefix(workspace_root()).unwrap().display().to_string())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no Envoy configs in envoy/");
    files
}

#[test]
fn every_envoy_config_validates() {
    let wasm_dir = sieve_e2e::modules::wasm_dir().unwrap();
    for file in envoy_configs() {
        let mut config = EnvoyConfig::load(&file).unwrap();
        config.make_local(&wasm_dir, &[]);
        if let Err(log) = Envoy::validate(&config) {
            panic!("{file} does not validate:\n{log}");
        }
    }
}

#[test]
fn validate_mode_catches_a_broken_config() {
    // The check above would be worthless if validate accepted anything.
    let mut config = EnvoyConfig::load("envoy/headers.yaml").unwrap();
    config.make_local(&sieve_e2e::modules::wasm_dir().unwrap(), &[]);
    config.set_plugin_config("sieve.headers", r#"{"request": [{"op": "nope"}]}"#);
    let log = Envoy::validate(&config).expect_err("a bad plugin config must fail validation");
    assert!(log.contains("request[0].op"), "{log}");
}

#[test]
fn compose_file_passes_the_compose_config_check() {
    let output = sieve_e2e::docker::compose()
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(workspace_root())
        .args(["-f", "docker-compose.yaml", "config"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "compose config failed:\n{}{}", text, String::from_utf8_lossy(&output.stderr));
    assert!(text.contains("envoyproxy/envoy:v1.40.0"), "Envoy pinned to the tested version:\n{text}");
    assert!(text.contains("sieve_headers.wasm") || text.contains("/etc/sieve/wasm"), "modules mounted:\n{text}");

    let overridden = sieve_e2e::docker::compose()
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(workspace_root())
        .env("ENVOY_IMAGE", "example.local/envoy:custom")
        .args(["-f", "docker-compose.yaml", "config"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&overridden.stdout).contains("example.local/envoy:custom"),
        "the image is a variable"
    );
}
