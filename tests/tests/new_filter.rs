//! `cargo xtask new`: in a copy of the workspace, a new filter is created, and its tests — unit,
//! emulator, real Envoy, the shared scenarios, the generated-files check, the lints — pass without
//! a single edit. The copy builds into its own target directory (`target/new-filter/`, kept between
//! runs): sharing this workspace's would let the copy's builds replace artifacts this run still uses.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Folders that are build output or downloads, not sources.
const SKIP: &[&str] = &["target", ".git", ".envoy", ".tools", ".sieve"];

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        let (source, target) = (entry.path(), to.join(&name));
        if entry.file_type().unwrap().is_dir() {
            if !SKIP.contains(&name.to_string_lossy().as_ref()) {
                copy_tree(&source, &target);
            }
        } else {
            std::fs::copy(&source, &target).unwrap();
        }
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| sieve_e2e::workspace_root().join("target"))
}

fn cargo(workspace: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target_dir().join("new-filter"))
        // No debug info: the copy's build is only run, never debugged; this halves its time.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        // The copy finds the same Envoy as this workspace.
        .env("ENVOY_BIN", sieve_e2e::envoy_binary().unwrap())
        .args(args)
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

fn must(workspace: &Path, args: &[&str]) -> String {
    let (ok, text) = cargo(workspace, args);
    assert!(ok, "cargo {} failed:\n{text}", args.join(" "));
    text
}

#[test]
fn a_new_filter_passes_its_tests_without_edits() {
    let scratch = sieve_e2e::scratch_root().join(format!("new-filter-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let workspace = scratch.join("workspace");
    copy_tree(&sieve_e2e::workspace_root(), &workspace);

    let created = must(&workspace, &["xtask", "new", "deny_demo"]);
    assert!(created.contains("created the filter deny_demo"), "{created}");
    for file in [
        "filters/deny_demo/src/lib.rs",
        "filters/deny_demo/module/lib.rs",
        "filters/deny_demo/README.md",
        "filters/deny_demo/tests/emulator.rs",
        "filters/deny_demo/tests/envoy.rs",
        "envoy/deny_demo.yaml",
        "tests/scenarios/deny_demo.yaml",
        "istio/deny_demo/wasmplugin.yaml",
        "istio/deny_demo/envoyfilter-sidecar.yaml",
        "istio/deny_demo/envoyfilter-gateway.yaml",
    ] {
        assert!(workspace.join(file).is_file(), "{file} was not created");
    }
    // The new filter takes the first listener port no filter has yet.
    let port = sieve_e2e::modules::discover().unwrap().len() + 10_000;
    let manifest = std::fs::read_to_string(workspace.join("filters/deny_demo/Cargo.toml")).unwrap();
    assert!(manifest.contains(&format!("port = {port}")), "{manifest}");
    let all = std::fs::read_to_string(workspace.join("envoy/all.yaml")).unwrap();
    assert!(
        all.contains("sieve.deny_demo") && all.contains(&format!("port_value: {port}")),
        "all.yaml runs the new filter"
    );
    let compose = std::fs::read_to_string(workspace.join("docker-compose.yaml")).unwrap();
    assert!(compose.contains(&format!("${{SIEVE_DENY_DEMO_PORT-{port}}}:{port}")), "compose publishes its port");

    // What `cargo xtask test` runs, for the new filter: format, lints on both targets, its tests,
    // the shared scenarios, the generated-files check, the config checks.
    must(&workspace, &["fmt", "--all", "--check"]);
    must(&workspace, &["clippy", "-p", "sieve-deny-demo", "--all-targets", "--quiet", "--", "-D", "warnings"]);
    must(
        &workspace,
        &[
            "clippy",
            "-p",
            "sieve-deny-demo",
            "-p",
            "sieve-deny-demo-module",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ],
    );
    let tests = must(&workspace, &["test", "-p", "sieve-deny-demo"]);
    for name in [
        "tags_by_default_and_denies_listed_prefixes",
        "denies_listed_path_prefixes_with_a_json_403",
        "the_shipped_config_tags_and_denies",
    ] {
        assert!(tests.contains(&format!("{name} ... ok")), "{name} did not pass:\n{tests}");
    }
    let checks = must(
        &workspace,
        &["test", "-p", "sieve-e2e", "--test", "scenarios", "--test", "generated", "--test", "configs"],
    );
    assert!(!checks.contains("FAILED"), "{checks}");

    // The same name again, and names that are not valid, are refused.
    for (name, reason) in [("deny_demo", "clashes"), ("Deny-Demo", "not a valid filter name"), ("chain", "reserved")] {
        let (ok, text) = cargo(&workspace, &["xtask", "new", name]);
        assert!(!ok && text.contains(reason), "xtask new {name}: {text}");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
