//! Each Envoy config's `failure_policy`, shown on a module that traps: the config is loaded as it
//! is, with the filter's module swapped for a test module that traps on request. Every Sieve
//! config chooses FAIL_RELOAD (README: "Failure policy"): the trapping request is refused, the
//! next ones are served by a fresh VM — never by skipping the filter, never 503 forever.

use sieve_e2e::{EnvoyConfig, Stack};

const CONFIGS: &[(&str, &str)] = &[
    ("envoy/headers.yaml", "sieve.headers"),
    ("envoy/auth.yaml", "sieve.auth"),
    ("envoy/screen.yaml", "sieve.screen"),
];

fn vm_count(reply: &sieve_e2e::Reply) -> Option<u64> {
    reply.upstream_header("x-sieve-trap-vm").and_then(|v| v.parse().ok())
}

#[test]
fn every_config_reloads_a_trapped_vm_and_never_skips_the_filter() {
    for (file, filter) in CONFIGS {
        let source = EnvoyConfig::load(file).unwrap();
        let policy = serde_yaml::to_string(source.doc()).unwrap();
        assert!(policy.contains("failure_policy: FAIL_RELOAD"), "{file} must choose FAIL_RELOAD");
        let stack = Stack::builder(file)
            .adjust(move |config: &mut EnvoyConfig| {
                modules_for_trap(config, filter);
            })
            .start();
        let envoy = &stack.envoy;
        let first = envoy.get("/").send();
        assert_eq!((first.status, vm_count(&first)), (200, Some(1)), "{file}: the filter runs: {}", first.body);
        assert_eq!(vm_count(&envoy.get("/").send()), Some(2));

        let trapped = envoy.get("/").header("x-sieve-trap", "1").send();
        assert_eq!(trapped.status, 503, "{file}: the trapping request is refused, not passed on");
        // Envoy reloads the VM on a later request (with a short backoff after a reload).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let after = loop {
            let reply = envoy.get("/").send();
            if reply.status == 200 || std::time::Instant::now() > deadline {
                break reply;
            }
            assert_eq!(reply.status, 503, "{file}: while reloading, requests are refused, never passed on");
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        assert_eq!(after.status, 200, "{file}: not 503 forever");
        assert_eq!(vm_count(&after), Some(1), "{file}: a fresh VM runs the filter (FAIL_OPEN would skip it)");
        let reloads = envoy.stats().get(&format!("wasm.{filter}.vm_reload_success")).copied().unwrap_or(0);
        assert!(reloads >= 1, "{file}: Envoy counts the reload");
        assert!(envoy.log().contains("panicked at"), "the trap's message is logged");
        let access = envoy.access_log(4);
        assert!(access.iter().any(|l| l["details"] == "wasm_fail_stream" && l["status"] == 503), "{access:?}");
    }
}

/// Loads the trap module in place of `filter`'s module, keeping everything else of the config.
fn modules_for_trap(config: &mut EnvoyConfig, filter: &str) {
    config.rename_filter(filter, "sieve_test_trap.wasm");
    // The trap module must be built like the filters.
    let trap = sieve_e2e::modules::Module::standalone(
        "sieve-test-trap",
        sieve_e2e::workspace_root().join("tests/trap-module"),
    );
    sieve_e2e::modules::build(&[trap], false).unwrap();
}
