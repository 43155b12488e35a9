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
pub mod differential;
pub mod docker;
pub mod emulated;
pub mod envoy;
pub mod faulty;
pub mod fuel;
pub mod istio;
pub mod kustomize;
pub mod load;
pub mod prometheus;
pub mod scenario;
pub mod tokens;
pub mod xff;

pub use client::{Reply, Request};
// Release tooling lives in its own crate; the tests check its output through these names.
pub use envoy::{envoy_binary, Envoy, EnvoyOptions};
pub use sieve_emulator::modules;
pub use sieve_tooling::{config, generate, oci, EnvoyConfig};

use std::path::PathBuf;

/// The workspace root (see [`sieve_emulator::modules::workspace_root`]).
pub fn workspace_root() -> PathBuf {
    sieve_emulator::modules::workspace_root()
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

/// Envoy with the echo upstream (and any other services) behind it: the usual shape of an
/// end-to-end test.
pub struct Stack {
    // Field order matters: Envoy stops before its upstreams.
    pub envoy: Envoy,
    pub echo: sieve_services::Background,
    /// Other services by cluster name.
    pub services: Vec<(String, sieve_services::Background)>,
}

impl Stack {
    /// Starts the echo upstream and Envoy with `config_file` (relative to the workspace root), made
    /// local (loopback, free ports, built modules) and then adjusted by `adjust`.
    pub fn start(config_file: &str, adjust: impl FnOnce(&mut EnvoyConfig)) -> Stack {
        StackBuilder::new(config_file).adjust(adjust).start()
    }

    pub fn builder(config_file: &str) -> StackBuilder<'static> {
        StackBuilder::new(config_file)
    }

    /// The address of the service behind cluster `cluster`.
    pub fn service(&self, cluster: &str) -> std::net::SocketAddr {
        self.services
            .iter()
            .find(|(name, _)| name == cluster)
            .map(|(_, service)| service.addr)
            .unwrap_or_else(|| panic!("no service for cluster {cluster}"))
    }
}

type Adjustment<'a> = Box<dyn FnOnce(&mut EnvoyConfig) + 'a>;

/// Builds a [`Stack`]: services for named clusters, plugin configs, Envoy options. Clusters of the
/// config without a service point at a closed loopback port (a dead peer).
pub struct StackBuilder<'a> {
    config_file: String,
    config: Option<EnvoyConfig>,
    services: Vec<(String, sieve_services::Handler)>,
    adjustments: Vec<Adjustment<'a>>,
    options: EnvoyOptions,
    /// Where the config's modules are; by default Sieve's own, built first.
    wasm_dir: Option<PathBuf>,
}

impl<'a> StackBuilder<'a> {
    pub fn new(config_file: &str) -> Self {
        StackBuilder {
            config_file: config_file.to_string(),
            config: None,
            services: Vec::new(),
            adjustments: Vec::new(),
            options: EnvoyOptions::default(),
            wasm_dir: None,
        }
    }

    /// Loads the config's modules from the folder of `module` instead of Sieve's: for a filter
    /// built in its own repository ([`modules::module_for`]).
    pub fn module(mut self, module: &std::path::Path) -> Self {
        self.wasm_dir = module.parent().map(PathBuf::from);
        self
    }

    /// Starts from an Envoy config built in the test instead of a file.
    pub fn from_config(config: EnvoyConfig) -> Self {
        StackBuilder { config: Some(config), ..StackBuilder::new("") }
    }

    /// Serves `handler` behind cluster `cluster`.
    pub fn service(mut self, cluster: &str, handler: sieve_services::Handler) -> Self {
        self.services.push((cluster.to_string(), handler));
        self
    }

    /// Points cluster `cluster` at a peer the test runs itself (e.g. a [`faulty::FaultyPeer`]).
    pub fn endpoint(self, cluster: &str, addr: std::net::SocketAddr) -> Self {
        let cluster = cluster.to_string();
        self.adjust(move |config| {
            config.ensure_cluster(&cluster, addr);
            config.set_cluster_endpoint(&cluster, addr);
        })
    }

    /// Replaces the plugin configuration of Wasm filter `filter`.
    pub fn plugin_config(self, filter: &str, json: impl Into<String>) -> Self {
        let filter = filter.to_string();
        let json = json.into();
        self.adjust(move |config| config.set_plugin_config(&filter, &json))
    }

    pub fn adjust(mut self, adjust: impl FnOnce(&mut EnvoyConfig) + 'a) -> Self {
        self.adjustments.push(Box::new(adjust));
        self
    }

    /// Envoy's log level for every component (`trace` shows everything, Wasm filters included).
    pub fn log_level(mut self, level: &str) -> Self {
        self.options.log_level = level.to_string();
        self.options.component_log_level = format!("wasm:{level}");
        self
    }

    /// Adds a variable to Envoy's environment (what `host_env_keys` reads).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.options.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn concurrency(mut self, workers: u32) -> Self {
        self.options.concurrency = workers;
        self
    }

    pub fn start(self) -> Stack {
        self.try_start().unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_start(self) -> Result<Stack, String> {
        let echo = sieve_services::echo::spawn(([127, 0, 0, 1], 0).into())
            .map_err(|e| format!("cannot start the echo upstream: {e}"))?;
        let mut services = Vec::new();
        for (cluster, handler) in self.services {
            let service = sieve_services::spawn(([127, 0, 0, 1], 0).into(), handler)
                .map_err(|e| format!("cannot start the service for {cluster}: {e}"))?;
            services.push((cluster, service));
        }
        let mut config = match self.config {
            Some(config) => config,
            None => EnvoyConfig::load(&self.config_file)?,
        };
        for (cluster, service) in &services {
            config.ensure_cluster(cluster, service.addr);
        }
        let dead = closed_port();
        let mut upstreams: Vec<(&str, std::net::SocketAddr)> = vec![("echo", echo.addr)];
        for (cluster, service) in &services {
            upstreams.push((cluster.as_str(), service.addr));
        }
        for cluster in config.cluster_names() {
            if !upstreams.iter().any(|(name, _)| *name == cluster) {
                config.set_cluster_endpoint(&cluster, dead);
            }
        }
        let wasm_dir = match self.wasm_dir {
            Some(dir) => dir,
            None => modules::wasm_dir()?,
        };
        config.make_local(&wasm_dir, &upstreams);
        for adjust in self.adjustments {
            adjust(&mut config);
        }
        let envoy = Envoy::start(&config, self.options)?;
        Ok(Stack { envoy, echo, services })
    }
}

/// Polls `check` every 100 ms until it holds; panics naming `what` if `within` passes first.
pub fn eventually(within: std::time::Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("not within {within:?}: {what}");
}

/// A loopback address nothing listens on.
pub fn closed_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap_or_else(|_| ([127, 0, 0, 1], 9).into())
}
