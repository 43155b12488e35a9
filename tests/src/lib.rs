//! Sieve's end-to-end harness: a real Envoy, real HTTP on loopback, the real echo upstream.
//!
//! ```no_run
//! use sieve_e2e::{Stack, plugin_config};
//! let stack = Stack::start("envoy/headers.yaml", |config| {
//!     config.set_plugin_config("sieve.headers", r#"{"request": [{"op": "set", "name": "x-a", "value": "1"}]}"#);
//! });
//! let reply = stack.envoy.get("/").send();
//! assert_eq!(reply.upstream_header("x-a").as_deref(), Some("1"));
//! ```
//!
//! Every Envoy runs on free ports with its own work directory; tests run in parallel. Envoy is
//! killed when its handle drops (also when a test panics, and with the test thread if the test
//! process dies), and its log is printed when a test fails.

pub mod client;
pub mod config;
pub mod envoy;
pub mod modules;

pub use client::{Reply, Request};
pub use config::EnvoyConfig;
pub use envoy::{envoy_binary, Envoy, EnvoyOptions};

use std::path::PathBuf;

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Where harness work directories go: `<root>/target/sieve-e2e`.
pub fn scratch_root() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    target.join("sieve-e2e")
}

/// Builds a plugin configuration string from JSON (keeps tests readable with `serde_json::json!`).
pub fn plugin_config(value: serde_json::Value) -> String {
    value.to_string()
}

/// Envoy with the echo upstream behind it: the usual shape of an end-to-end test.
pub struct Stack {
    // Field order matters: Envoy stops before its upstream.
    pub envoy: Envoy,
    pub echo: sieve_echo::Background,
}

impl Stack {
    /// Starts the echo upstream and Envoy with `config_file` (relative to the workspace root), made
    /// local (loopback, free ports, built modules) and then adjusted by `adjust`.
    pub fn start(config_file: &str, adjust: impl FnOnce(&mut EnvoyConfig)) -> Stack {
        Self::try_start(config_file, adjust, EnvoyOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_start(
        config_file: &str,
        adjust: impl FnOnce(&mut EnvoyConfig),
        options: EnvoyOptions,
    ) -> Result<Stack, String> {
        let echo = sieve_echo::spawn(([127, 0, 0, 1], 0).into())
            .map_err(|e| format!("cannot start the echo upstream: {e}"))?;
        let mut config = EnvoyConfig::load(config_file)?;
        config.make_local(&modules::wasm_dir()?, &[("echo", echo.addr)]);
        adjust(&mut config);
        let envoy = Envoy::start(&config, options)?;
        Ok(Stack { envoy, echo })
    }
}
