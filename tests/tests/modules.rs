//! What the built modules ask of their host: the proxy-wasm ABI; `wasi_snapshot_preview1`'s
//! `environ_sizes_get` and `environ_get`, which Envoy answers from the VM's
//! `environment_variables` (every module: `from_env` in a configuration); and — only where a Cuckoo
//! filter can insert inside the VM (the screen filter) — `random_get`, which Envoy provides (see
//! third_party/getrandom-0.1-host). A dependency that reached for randomness, a clock or a
//! filesystem any other way would show up here as an import Envoy does not provide.

use sieve_e2e::modules;

/// The WASI calls every module makes for the VM's environment (`from_env` in a configuration).
const ENVIRONMENT: &[&str] = &["environ_sizes_get", "environ_get"];

/// Modules allowed to import the host's random source.
const USES_HOST_RANDOMNESS: &[&str] = &["sieve_screen.wasm", "sieve_chain.wasm"];

#[test]
fn modules_import_only_the_proxy_wasm_abi() {
    let dir = modules::wasm_dir().unwrap();
    let all = modules::discover().unwrap();
    assert!(all.len() >= 3, "found {all:?}");
    for module in all {
        let file = module.file_name();
        let bytes = std::fs::read(dir.join(&file)).unwrap();
        let imports = modules::imports(&bytes).unwrap();
        assert!(!imports.is_empty(), "{file}: no imports read");
        for (from, name) in &imports {
            let abi = from == "env" && name.starts_with("proxy_");
            let randomness = from == "wasi_snapshot_preview1"
                && name == "random_get"
                && USES_HOST_RANDOMNESS.contains(&file.as_str());
            // Every module reads its environment: `from_env` references in its configuration.
            let environment = from == "wasi_snapshot_preview1" && ENVIRONMENT.contains(&name.as_str());
            assert!(abi || randomness || environment, "{file}: unexpected import {from}.{name}");
        }
        eprintln!("{file}: {} KiB, {} host imports", bytes.len() / 1024, imports.len());
    }
}
