//! The proxy-wasm wiring: one root context per plugin configuration, one HTTP context per request,
//! both delegating to [`Plugin`]. Only compiled for Wasm.

use crate::host::{abi, ProxyHost};
use crate::plugin::{self, Action, Plugin, Stream};
use crate::{Filter, LocalReply};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action as ProxyAction, ContextType, LogLevel};
use std::rc::Rc;

/// Registers filter `F` as the module's only root and HTTP context. Called by [`crate::export_filter!`].
pub fn start<F: Filter>() {
    // The host refuses most calls during `_initialize` (Envoy: "restricted_callback"), so the
    // host's level is read later, in `on_vm_start` and `on_configure`.
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| Box::new(Root::<F> { plugin: None }));
}

/// Disabled log levels must cost nothing: follow the host's level instead of a fixed one.
fn host_log_level() -> LogLevel {
    match abi::log_level() {
        Ok(0) => LogLevel::Trace,
        Ok(1) => LogLevel::Debug,
        Ok(2) | Err(_) => LogLevel::Info,
        Ok(3) => LogLevel::Warn,
        Ok(4) => LogLevel::Error,
        Ok(_) => LogLevel::Critical,
    }
}

struct Root<F: Filter> {
    plugin: Option<Rc<Plugin<F>>>,
}

impl<F: Filter> Context for Root<F> {}

impl<F: Filter> RootContext for Root<F> {
    fn on_vm_start(&mut self, _vm_configuration_size: usize) -> bool {
        proxy_wasm::set_log_level(host_log_level());
        log::debug!("sieve.{}: module {} started", F::NAME, env!("CARGO_PKG_VERSION"));
        true
    }

    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        proxy_wasm::set_log_level(host_log_level());
        let bytes = match abi::plugin_configuration() {
            Ok(bytes) => bytes,
            Err(e) => {
                log::error!("sieve.{}: cannot read the plugin configuration: {e}", F::NAME);
                return false;
            }
        };
        match Plugin::<F>::configure(&bytes, &mut ProxyHost) {
            Ok(plugin) => {
                log::info!("sieve.{}: configuration accepted ({} route entries)", F::NAME, plugin.route_count());
                self.plugin = Some(Rc::new(plugin));
                true
            }
            Err(e) => {
                // Returning false makes Envoy refuse the plugin; this line says why.
                log::error!("sieve.{}: invalid configuration: {e}", F::NAME);
                false
            }
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(HttpStream::<F> { plugin: self.plugin.clone(), stream: Stream::default() }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct HttpStream<F: Filter> {
    plugin: Option<Rc<Plugin<F>>>,
    stream: Stream<F>,
}

impl<F: Filter> Context for HttpStream<F> {}

impl<F: Filter> HttpContext for HttpStream<F> {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> ProxyAction {
        match &self.plugin {
            Some(plugin) => to_proxy(plugin.on_request_headers(&mut ProxyHost, &mut self.stream)),
            None => {
                // Only reachable if the host runs a plugin whose configuration it refused: fail closed.
                let reply = LocalReply::new(500, "not_configured", "the filter has no valid configuration");
                plugin::send_reply(&mut ProxyHost, F::NAME, &reply);
                ProxyAction::Pause
            }
        }
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> ProxyAction {
        match &self.plugin {
            Some(plugin) => to_proxy(plugin.on_response_headers(&mut ProxyHost, &mut self.stream)),
            None => ProxyAction::Continue,
        }
    }
}

fn to_proxy(action: Action) -> ProxyAction {
    match action {
        Action::Continue => ProxyAction::Continue,
        Action::Stop => ProxyAction::Pause,
    }
}
