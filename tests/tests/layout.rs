//! The code reads as three floors, and this test keeps it so:
//!
//! 1. `filters/*`: policy in plain Rust. A filter library uses sdk-ext's public views and its own
//!    helper crates (the screening sets), never proxy-wasm, the dispatcher or the host; its
//!    `module/` crate is only the entry point.
//! 2. `sdk-ext`: the views, the dispatcher and the stages. The proxy-wasm ABI appears only in the
//!    shim (`entry.rs`, its exports, and `host/abi.rs`, its imports); it depends on no Sieve crate.
//! 3. Tooling and tests (`emulator`, `tooling`, `tests`, `xtask`, `services`) stand on the floors
//!    below; nothing below points back up.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    sieve_e2e::workspace_root()
}

/// The `sieve-*` packages in a manifest's `[dependencies]` (not dev-dependencies: tests may use
/// the harness).
fn sieve_dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let doc: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let Some(deps) = doc.get("dependencies").and_then(toml::Value::as_table) else { return Vec::new() };
    deps.iter()
        .map(|(name, spec)| spec.get("package").and_then(toml::Value::as_str).unwrap_or(name).to_string())
        .filter(|package| package.starts_with("sieve-"))
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

/// Filter crates: `filters/<name>` and the crates beside it (`module/`, `set/`, `cli/`).
fn filter_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("filters"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 4, "{dirs:?}");
    dirs
}

#[test]
fn sdk_ext_depends_on_no_sieve_crate_and_keeps_the_abi_in_the_shim() {
    let sdk = root().join("sdk-ext");
    assert_eq!(sieve_dependencies(&sdk.join("Cargo.toml")), Vec::<String>::new());
    // The ABI: the host's functions Sieve imports, and the callbacks it exports.
    let shim = [sdk.join("src/entry.rs"), sdk.join("src/host/abi.rs")];
    let mut outside = Vec::new();
    for file in rust_files(&sdk.join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let abi = ["extern \"C\"", "no_mangle", "wasm_import_module", "proxy_wasm", "unsafe"];
        if abi.iter().any(|mark| text.contains(mark)) && !shim.contains(&file) {
            outside.push(relative(&file));
        }
    }
    assert!(outside.is_empty(), "the proxy-wasm ABI reached outside the shim: {outside:?}");
    for file in &shim {
        assert!(std::fs::read_to_string(file).unwrap().contains("extern \"C\""), "{} is the shim", relative(file));
    }
}

#[test]
fn filters_use_only_sdk_ext_views_and_their_own_crates() {
    let filters = ["sieve-headers", "sieve-auth", "sieve-screen"];
    for dir in filter_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let own = format!("sieve-{name}");
        for manifest in [dir.join("Cargo.toml"), dir.join("set/Cargo.toml"), dir.join("cli/Cargo.toml")] {
            if !manifest.is_file() {
                continue;
            }
            for dependency in sieve_dependencies(&manifest) {
                // A filter stands on sdk-ext and its own helper crates; the chain links the filters.
                let allowed = dependency == "sieve-sdk-ext"
                    || dependency == own
                    || dependency.starts_with(&format!("{own}-"))
                    || (name == "chain" && filters.contains(&dependency.as_str()));
                assert!(allowed, "{} depends on {dependency}, a crate above the filters' floor", relative(&manifest));
            }
        }
        // The filter's code (its tests, under tests/, drive the compiled module and may name host
        // constants).
        let code = ["src", "module", "set/src", "cli/src"].iter().flat_map(|sub| rust_files(&dir.join(sub)));
        for file in code {
            let text = std::fs::read_to_string(&file).unwrap();
            for below in ["proxy_wasm", "sieve_sdk_ext::entry", "sieve_sdk_ext::dispatch", "sieve_sdk_ext::host"] {
                assert!(!text.contains(below), "{} reaches under the views: {below}", relative(&file));
            }
        }
    }
}

#[test]
fn a_module_crate_is_only_the_entry_point() {
    let mut seen = 0;
    for dir in filter_dirs() {
        let module = dir.join("module");
        if !module.is_dir() {
            continue;
        }
        seen += 1;
        let lib = std::fs::read_to_string(module.join("lib.rs")).unwrap();
        let code: Vec<&str> = lib.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).collect();
        assert_eq!(code.len(), 1, "{}: {code:?}", relative(&module));
        // A filter's module exports the filter; the chain's, the stages its library defines.
        assert!(
            code[0].starts_with("sieve_sdk_ext::export_filter!(filter::")
                || code[0].starts_with("sieve_sdk_ext::export_module!(chain::"),
            "{}: {code:?}",
            relative(&module)
        );
        // The library itself exports nothing: a chain links it as a stage, and a crate that is an
        // rlib and a cdylib is linked without LTO.
        for file in rust_files(&dir.join("src")) {
            let text = std::fs::read_to_string(&file).unwrap();
            for export in ["export_filter!", "export_module!", "export_chain!"] {
                assert!(!text.contains(export), "{} exports a module entry point ({export})", relative(&file));
            }
        }
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(!manifest.contains("cdylib"), "{}: the library is not the module", relative(&dir));
    }
    assert!(seen >= 4, "filters with a module/ crate: {seen}");
}

#[test]
fn nothing_below_points_back_up() {
    for (crate_dir, forbidden) in [
        ("sdk-ext", &["sieve-e2e", "sieve-tooling", "sieve-emulator", "sieve-services"][..]),
        ("filters/screen/set", &["sieve-e2e", "sieve-tooling", "sieve-emulator", "sieve-services", "sieve-screen"][..]),
        ("emulator", &["sieve-e2e", "sieve-tooling"][..]),
        ("tooling", &["sieve-e2e"][..]),
    ] {
        let dependencies = sieve_dependencies(&root().join(crate_dir).join("Cargo.toml"));
        for dependency in dependencies {
            assert!(!forbidden.contains(&dependency.as_str()), "{crate_dir} depends on {dependency}");
        }
    }
}
