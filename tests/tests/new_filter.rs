//! `cargo xtask new`: in a copy of the workspace, a new filter is created, and its tests — unit,
//! emulator, real Envoy, the shared scenarios, the generated-files check, the lints — pass without
//! a single edit. `cargo xtask new NAME --out DIR` makes one in a directory outside the workspace,
//! its own repository, whose tests and packaging work there. Both build into their own target
//! directory (`target/new-filter/`, kept between runs): sharing this workspace's would let their
//! builds replace artifacts this run still uses. The two tests take turns, since both build the
//! `xtask` binary there.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

/// Held by each test for its whole run: they share `target/new-filter/`.
static TURN: Mutex<()> = Mutex::new(());

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
    let _turn = TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
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

#[test]
fn a_filter_in_its_own_repository_passes_its_tests_and_packages() {
    let _turn = TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = sieve_e2e::workspace_root();
    // Outside the workspace: no Cargo.toml above it names Sieve's workspace.
    let scratch = std::env::temp_dir().join(format!("sieve-own-repository-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let repository = scratch.join("deny-demo");
    assert!(!repository.ancestors().any(|dir| dir == root), "{} is inside the workspace", repository.display());
    let manifest_before = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();

    let started = Instant::now();
    let created = must(&root, &["xtask", "new", "deny_demo", "--out", repository.to_str().unwrap()]);
    assert!(created.contains("created the filter deny_demo in"), "{created}");
    let manifest = std::fs::read_to_string(repository.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("[workspace]")
            && manifest.contains(&format!("path = \"{}/sdk-ext\"", root.canonicalize().unwrap().display())),
        "{manifest}"
    );
    // Sieve's workspace is untouched: no member, no filter folder, no generated file added.
    assert_eq!(std::fs::read_to_string(root.join("Cargo.toml")).unwrap(), manifest_before);
    for file in ["filters/deny_demo", "envoy/deny_demo.yaml", "istio/deny_demo", "tests/scenarios/deny_demo.yaml"] {
        assert!(!root.join(file).exists(), "{file} was created in Sieve's workspace");
    }

    let tests = must(&repository, &["test"]);
    let elapsed = started.elapsed();
    for name in [
        "tags_by_default_and_denies_listed_prefixes",
        "tags_requests_it_lets_through",
        "denies_listed_path_prefixes_with_a_json_403",
        "a_bad_config_is_refused_naming_the_field",
        "the_shipped_config_tags_and_denies",
        "envoy_refuses_a_bad_config_naming_the_field",
    ] {
        assert!(tests.contains(&format!("{name} ... ok")), "{name} did not pass:\n{tests}");
    }
    println!("from `cargo xtask new --out` to green tests: {:.0} s", elapsed.as_secs_f64());
    must(&repository, &["clippy", "--all-targets", "--quiet", "--", "-D", "warnings"]);

    // Its image and manifests: a kustomize base whose WasmPlugin pulls the image from the given
    // place, pins the digest of the image layout written beside it, and passes Istio's CRDs.
    let image = "127.0.0.1:5000/team/sieve-deny-demo:1.2.3";
    let packaged = must(&repository, &["run", "--quiet", "--example", "package", "--", "--image", image]);
    assert!(packaged.contains("wrote deploy/wasmplugin.yaml"), "{packaged}");
    let plugin_file = repository.join("deploy/wasmplugin.yaml");
    sieve_e2e::istio::validate(&plugin_file).unwrap();
    let docs = sieve_e2e::kustomize::render(&repository.join("deploy")).unwrap();
    let plugin = sieve_e2e::kustomize::find(&docs, "WasmPlugin", "sieve-deny-demo").unwrap();
    assert_eq!(plugin["spec"]["url"].as_str(), Some(format!("oci://{image}").as_str()));
    assert_eq!(plugin["spec"]["pluginName"].as_str(), Some("sieve.deny_demo"));
    let layout = target_dir().join("new-filter/oci/sieve-deny-demo");
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let digest = index["manifests"][0]["digest"].as_str().unwrap();
    assert_eq!(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"].as_str(), Some("1.2.3"));
    assert_eq!(Some(digest.trim_start_matches("sha256:")), plugin["spec"]["sha256"].as_str());
    let module = target_dir().join("new-filter/wasm32-unknown-unknown/release/sieve_deny_demo.wasm");
    let built = sieve_e2e::oci::Image::build(&std::fs::read(module).unwrap(), "sieve-deny-demo", "1.2.3").unwrap();
    assert_eq!(built.digest(), digest, "the layout holds the image of the module the tests ran");

    // A second `new` into the same, now full, directory is refused.
    let (ok, text) = cargo(&root, &["xtask", "new", "deny_demo", "--out", repository.to_str().unwrap()]);
    assert!(!ok && text.contains("is not empty"), "{text}");
    let _ = std::fs::remove_dir_all(&scratch);
}
