//! The proxy-wasm shim: one root context per plugin configuration and one HTTP context per
//! request, each handing the host's callback to the [`Dispatcher`] with the real host. Everything
//! that decides lives in `dispatch.rs` (tested on the host); only what needs the ABI is here.

use crate::dispatch::{Dispatcher, Flow, StreamCell};
use crate::host::{abi, ProxyHost};
use crate::pipeline::Module;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action as ProxyAction, ContextType, LogLevel};
use std::rc::Rc;

/// The module's proxy-wasm entry point (`_initialize`), starting module `K`: what
/// [`crate::export_filter!`] and [`crate::export_chain!`] expand to in the module crate.
#[doc(hidden)]
#[macro_export]
macro_rules! __entry_point {
    ($module:ty) => {
        $crate::entry::__proxy_wasm::main! {{
            $crate::entry::start::<$module>();
        }}
    };
}

#[doc(hidden)]
pub use proxy_wasm as __proxy_wasm;

/// Registers module `K` as the VM's only root and HTTP context. Called by
/// [`crate::export_filter!`] and [`crate::export_chain!`].
pub fn start<K: Module>() {
    // The host refuses most calls during `_initialize` (Envoy: "restricted_callback"), so the
    // host's level is read later, in `on_vm_start` and `on_configure`.
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|context_id| Box::new(Root::<K> { dispatcher: Rc::new(Dispatcher::new(context_id)) }));
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

fn proxy_action(flow: Flow) -> ProxyAction {
    match flow {
        Flow::Continue => ProxyAction::Continue,
        Flow::Pause => ProxyAction::Pause,
    }
}

struct Root<K: Module> {
    dispatcher: Rc<Dispatcher<K>>,
}

impl<K: Module> Context for Root<K> {
    fn on_http_call_response(&mut self, token_id: u32, _headers: usize, body_size: usize, _trailers: usize) {
        self.dispatcher.call_response(&mut ProxyHost, token_id, body_size);
    }
}

impl<K: Module> RootContext for Root<K> {
    fn on_vm_start(&mut self, _vm_configuration_size: usize) -> bool {
        proxy_wasm::set_log_level(host_log_level());
        log::debug!("sieve.{}: module {} started", K::NAME, env!("CARGO_PKG_VERSION"));
        true
    }

    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        proxy_wasm::set_log_level(host_log_level());
        let bytes = match abi::plugin_configuration() {
            Ok(bytes) => bytes,
            Err(e) => {
                log::error!("sieve.{}: cannot read the plugin configuration: {e}", K::NAME);
                return false;
            }
        };
        match self.dispatcher.configure(&mut ProxyHost, &bytes) {
            Ok(description) => {
                log::info!("sieve.{}: configuration accepted ({description})", K::NAME);
                true
            }
            Err(e) => {
                // Returning false makes Envoy refuse the plugin; this line says why.
                log::error!("sieve.{}: invalid configuration: {e}", K::NAME);
                false
            }
        }
    }

    fn on_tick(&mut self) {
        self.dispatcher.tick(&mut ProxyHost);
    }

    fn create_http_context(&self, context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(HttpStream::<K> {
            id: context_id,
            dispatcher: self.dispatcher.clone(),
            stream: StreamCell::<K>::default(),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct HttpStream<K: Module> {
    id: u32,
    dispatcher: Rc<Dispatcher<K>>,
    stream: StreamCell<K>,
}

impl<K: Module> Context for HttpStream<K> {
    fn on_http_call_response(&mut self, token_id: u32, _headers: usize, body_size: usize, _trailers: usize) {
        self.dispatcher.call_response(&mut ProxyHost, token_id, body_size);
    }

    fn on_done(&mut self) -> bool {
        self.dispatcher.done(self.id);
        true
    }
}

impl<K: Module> HttpContext for HttpStream<K> {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> ProxyAction {
        proxy_action(self.dispatcher.request_headers(&mut ProxyHost, self.id, &self.stream))
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> ProxyAction {
        proxy_action(self.dispatcher.response_headers(&mut ProxyHost, &self.stream))
    }
}
