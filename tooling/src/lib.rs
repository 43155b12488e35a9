//! Sieve's release tooling, used by `cargo xtask` and by the tests that check its output:
//!
//! - [`config`]: an Envoy config read from `envoy/`, edited by listener, filter, stage and provider
//!   name;
//! - [`generate`]: `envoy/all.yaml` and the Istio manifests, generated from the filter configs;
//! - [`oci`]: a module as a Wasm OCI image (deterministic) in the forms Istio pulls, written as a
//!   layout;
//! - [`registry`]: the image pushed to a registry over HTTPS, with basic or token auth and
//!   credentials from Docker's `config.json` ([`docker_config`]).

pub mod config;
pub mod docker_config;
pub mod generate;
pub mod oci;
pub mod registry;

pub use config::EnvoyConfig;
pub use sieve_emulator::modules;

/// The workspace root (see [`sieve_emulator::modules::workspace_root`]).
pub fn workspace_root() -> std::path::PathBuf {
    sieve_emulator::modules::workspace_root()
}
