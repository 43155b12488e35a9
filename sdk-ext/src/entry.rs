//! The proxy-wasm wiring: one root context per plugin configuration, one HTTP context per request,
//! both delegating to a [`Runtime`] (one filter, or a chain of stages). Only compiled for Wasm.
//!
//! Requests that wait (for a callout answer, or parked until the root has fresh data) are kept in a
//! registry shared by the root and its HTTP contexts, so that whichever context the host delivers
//! a callout answer to, and the root's tick, can act on the right request.

use crate::call::{CallResponse, DEFAULT_MAX_RESPONSE_BODY};
use crate::host::{abi, counters_pending, flush_counters, Host, ProxyHost, COUNTER_FLUSH};
use crate::plugin::{self, Action, RootCalls};
use crate::runtime::Runtime;
use crate::LocalReply;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action as ProxyAction, ContextType, LogLevel};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

/// Tick period while requests are parked: how late a parked request learns that its data arrived.
const PARKED_TICK: Duration = Duration::from_millis(20);

/// Root callouts may fetch large documents (screening lists); request callouts are small.
const MAX_ROOT_CALL_BODY: usize = crate::remote::MAX_DOCUMENT_BYTES;

/// Registers runtime `R` as the module's only root and HTTP context. Called by
/// [`crate::export_filter!`] and [`crate::export_chain!`].
pub fn start<R: Runtime>() {
    // The host refuses most calls during `_initialize` (Envoy: "restricted_callback"), so the
    // host's level is read later, in `on_vm_start` and `on_configure`.
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|context_id| {
        Box::new(Root::<R> {
            context_id,
            memory_gauge: std::cell::Cell::new(None),
            shared: Rc::new(Shared {
                plugin: RefCell::new(None),
                waiting: RefCell::default(),
                calls: RefCell::default(),
            }),
        })
    });
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

#[derive(Debug, Clone, Copy)]
enum Owner {
    Stream(u32),
    /// Index of the compiled config that dispatched it.
    Root(usize),
}

type StreamCell<R> = Rc<RefCell<<R as Runtime>::Stream>>;

struct Shared<R: Runtime> {
    plugin: RefCell<Option<Rc<R>>>,
    /// Requests waiting for a callout answer or a wake-up, by context id.
    waiting: RefCell<HashMap<u32, StreamCell<R>>>,
    /// Callouts in flight, by token.
    calls: RefCell<HashMap<u32, Owner>>,
}

impl<R: Runtime> Shared<R> {
    fn plugin(&self) -> Option<Rc<R>> {
        self.plugin.borrow().clone()
    }

    fn register_root_calls(&self, calls: RootCalls) {
        let mut registry = self.calls.borrow_mut();
        for (token, index) in calls {
            registry.insert(token, Owner::Root(index));
        }
    }

    /// Records what a stream callback left behind and tells the host what to do. `resumed`: the
    /// callback was asynchronous, so going on means resuming the paused request.
    fn settle(&self, id: u32, cell: &StreamCell<R>, action: Action, resumed: bool) -> ProxyAction {
        let (new_calls, parked) = match cell.try_borrow_mut() {
            Ok(mut stream) => (R::take_new_calls(&mut stream), R::is_parked(&stream)),
            Err(_) => (Vec::new(), false),
        };
        {
            let mut calls = self.calls.borrow_mut();
            for token in new_calls {
                calls.insert(token, Owner::Stream(id));
            }
        }
        match action {
            Action::Continue => {
                self.forget(id);
                if resumed {
                    if let Err(e) = ProxyHost.resume_request() {
                        log::warn!("sieve.{}: cannot resume request {id}: {e}", R::name());
                    }
                }
                ProxyAction::Continue
            }
            Action::Stop => {
                self.forget(id);
                ProxyAction::Pause
            }
            Action::Pause => {
                self.waiting.borrow_mut().insert(id, cell.clone());
                if parked {
                    ProxyHost.set_tick_period(PARKED_TICK);
                }
                ProxyAction::Pause
            }
        }
    }

    fn forget(&self, id: u32) {
        self.waiting.borrow_mut().remove(&id);
        self.calls.borrow_mut().retain(|_, owner| !matches!(owner, Owner::Stream(owner_id) if *owner_id == id));
    }

    /// A callout answer, whichever context the host delivered it to.
    fn on_call_response(&self, token: u32, body_size: usize) {
        let owner = self.calls.borrow_mut().remove(&token);
        let Some(plugin) = self.plugin() else { return };
        match owner {
            Some(Owner::Stream(id)) => {
                let Some(cell) = self.waiting.borrow().get(&id).cloned() else { return };
                let response = CallResponse::read(&ProxyHost, token, body_size, DEFAULT_MAX_RESPONSE_BODY);
                if ProxyHost.set_effective_context(id).is_err() {
                    self.forget(id);
                    return;
                }
                let action = match cell.try_borrow_mut() {
                    Ok(mut stream) => plugin.on_call_response(&mut ProxyHost, &mut stream, &response),
                    Err(_) => return,
                };
                self.settle(id, &cell, action, true);
            }
            Some(Owner::Root(index)) => {
                let response = CallResponse::read(&ProxyHost, token, body_size, MAX_ROOT_CALL_BODY);
                let calls = plugin.on_root_call_response(&mut ProxyHost, index, &response);
                self.register_root_calls(calls);
            }
            None => log::debug!("sieve.{}: answer to an unknown or abandoned callout {token}", R::name()),
        }
    }
}

struct Root<R: Runtime> {
    context_id: u32,
    /// `sieve.<filter>.vm_memory_bytes`: the VM's linear memory (it only grows; a leak shows as
    /// a rise that never stops) and the value last reported.
    memory_gauge: std::cell::Cell<Option<(u32, u64)>>,
    shared: Rc<Shared<R>>,
}

/// The module's linear memory in bytes.
fn linear_memory_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

impl<R: Runtime> Root<R> {
    /// Reports the VM's memory when it changed (one host call per growth, none otherwise).
    fn report_memory(&self) {
        let Some((gauge, reported)) = self.memory_gauge.get() else { return };
        let now = linear_memory_bytes();
        if now != reported {
            ProxyHost.set_gauge(gauge, now);
            self.memory_gauge.set(Some((gauge, now)));
        }
    }

    fn reset_tick(&self, plugin: &R) {
        let parked =
            self.shared.waiting.borrow().values().any(|cell| cell.try_borrow().is_ok_and(|s| R::is_parked(&s)));
        let period = if parked { Some(PARKED_TICK) } else { plugin.tick_period() };
        // Counter increments collect in the VM until a tick flushes them.
        let period = period.map_or(COUNTER_FLUSH, |p| p.min(COUNTER_FLUSH));
        ProxyHost.set_tick_period(period);
    }
}

impl<R: Runtime> Context for Root<R> {
    fn on_http_call_response(&mut self, token_id: u32, _headers: usize, body_size: usize, _trailers: usize) {
        self.shared.on_call_response(token_id, body_size);
    }
}

impl<R: Runtime> RootContext for Root<R> {
    fn on_vm_start(&mut self, _vm_configuration_size: usize) -> bool {
        proxy_wasm::set_log_level(host_log_level());
        log::debug!("sieve.{}: module {} started", R::name(), env!("CARGO_PKG_VERSION"));
        true
    }

    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        proxy_wasm::set_log_level(host_log_level());
        let bytes = match abi::plugin_configuration() {
            Ok(bytes) => bytes,
            Err(e) => {
                log::error!("sieve.{}: cannot read the plugin configuration: {e}", R::name());
                return false;
            }
        };
        match R::configure(&bytes, &mut ProxyHost) {
            Ok(plugin) => {
                log::info!("sieve.{}: configuration accepted ({})", R::name(), plugin.describe());
                if self.memory_gauge.get().is_none() {
                    let name = format!("sieve.{}.vm_memory_bytes", R::name());
                    self.memory_gauge.set(ProxyHost.define_gauge(&name).ok().map(|id| (id, 0)));
                }
                self.report_memory();
                self.reset_tick(&plugin);
                *self.shared.plugin.borrow_mut() = Some(Rc::new(plugin));
                true
            }
            Err(e) => {
                // Returning false makes Envoy refuse the plugin; this line says why.
                log::error!("sieve.{}: invalid configuration: {e}", R::name());
                false
            }
        }
    }

    fn on_tick(&mut self) {
        let Some(plugin) = self.shared.plugin() else { return };
        let calls = plugin.on_tick(&mut ProxyHost);
        self.shared.register_root_calls(calls);
        let parked: Vec<(u32, StreamCell<R>)> = self
            .shared
            .waiting
            .borrow()
            .iter()
            .filter(|(_, cell)| cell.try_borrow().is_ok_and(|s| R::is_parked(&s)))
            .map(|(id, cell)| (*id, cell.clone()))
            .collect();
        for (id, cell) in parked {
            if ProxyHost.set_effective_context(id).is_err() {
                self.shared.forget(id);
                continue;
            }
            let action = match cell.try_borrow_mut() {
                Ok(mut stream) => plugin.on_wake(&mut ProxyHost, &mut stream),
                Err(_) => continue,
            };
            self.shared.settle(id, &cell, action, true);
        }
        let _ = ProxyHost.set_effective_context(self.context_id);
        if counters_pending() {
            flush_counters();
        }
        self.report_memory();
        self.reset_tick(&plugin);
    }

    fn create_http_context(&self, context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(HttpStream::<R> {
            id: context_id,
            shared: self.shared.clone(),
            stream: Rc::new(RefCell::new(R::Stream::default())),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct HttpStream<R: Runtime> {
    id: u32,
    shared: Rc<Shared<R>>,
    stream: StreamCell<R>,
}

impl<R: Runtime> Context for HttpStream<R> {
    fn on_http_call_response(&mut self, token_id: u32, _headers: usize, body_size: usize, _trailers: usize) {
        self.shared.on_call_response(token_id, body_size);
    }

    fn on_done(&mut self) -> bool {
        self.shared.forget(self.id);
        true
    }
}

impl<R: Runtime> HttpContext for HttpStream<R> {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> ProxyAction {
        let Some(plugin) = self.shared.plugin() else {
            // Only reachable if the host runs a plugin whose configuration it refused: fail closed.
            let reply = LocalReply::new(500, "not_configured", "the filter has no valid configuration");
            plugin::send_reply(&mut ProxyHost, R::name(), &reply);
            return ProxyAction::Pause;
        };
        let action = match self.stream.try_borrow_mut() {
            Ok(mut stream) => plugin.on_request_headers(&mut ProxyHost, &mut stream),
            Err(_) => return ProxyAction::Continue,
        };
        self.shared.settle(self.id, &self.stream, action, false)
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> ProxyAction {
        let Some(plugin) = self.shared.plugin() else { return ProxyAction::Continue };
        let action = match self.stream.try_borrow_mut() {
            Ok(mut stream) => plugin.on_response_headers(&mut ProxyHost, &mut stream),
            Err(_) => return ProxyAction::Continue,
        };
        match action {
            Action::Stop => ProxyAction::Pause,
            // Waiting is only supported while the request is held.
            Action::Continue | Action::Pause => ProxyAction::Continue,
        }
    }
}
