//! What the built modules ask of their host: the proxy-wasm ABI, and — only where a Cuckoo filter
//! can insert inside the VM (the screen filter) — `wasi_snapshot_preview1.random_get`, which Envoy
//! provides (see third_party/getrandom-0.1-host). A dependency that reached for randomness, a clock
//! or a filesystem any other way would show up here as an import Envoy does not provide.

use sieve_e2e::modules;

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
            assert!(abi || randomness, "{file}: unexpected import {from}.{name}");
        }
        eprintln!("{file}: {} KiB, {} host imports", bytes.len() / 1024, imports.len());
    }
}
