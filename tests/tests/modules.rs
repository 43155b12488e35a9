//! What the built modules ask of their host: only the proxy-wasm ABI. A dependency that reached
//! for randomness (`getrandom`), a clock or a filesystem on `wasm32-unknown-unknown` would show up
//! here as an import Envoy does not provide, or as `wasi_snapshot_preview1` calls.

use sieve_e2e::modules;

#[test]
fn modules_import_only_the_proxy_wasm_abi() {
    let dir = modules::wasm_dir().unwrap();
    let all = modules::discover().unwrap();
    assert!(all.len() >= 2, "found {all:?}");
    for module in all {
        let path = dir.join(module.file_name());
        let bytes = std::fs::read(&path).unwrap();
        let imports = modules::imports(&bytes).unwrap();
        assert!(!imports.is_empty(), "{}: no imports read", module.file_name());
        for (from, name) in &imports {
            assert!(
                from == "env" && name.starts_with("proxy_"),
                "{}: unexpected import {from}.{name}",
                module.file_name()
            );
        }
        let size = bytes.len();
        eprintln!("{}: {} KiB, {} host imports", module.file_name(), size / 1024, imports.len());
    }
}
