//! The dispatcher: what happens between the host's callbacks and a module's [`Pipeline`], as plain
//! Rust over [`Host`] — so that it is tested on the host ([`crate::testing`]) and the Wasm entry
//! point (`entry.rs`) is a thin shim.
//!
//! Requests that wait (for a callout answer, or parked until the root has fresh data) are kept in a
//! registry shared by the root and the HTTP contexts, so that whichever context the host delivers a
//! callout answer to, and the root's tick, act on the right request. Callouts are owned by token: a
//! request's, or the root's (with the index of the compiled config that dispatched it).

use crate::call::{CallResponse, DEFAULT_MAX_RESPONSE_BODY};
use crate::config::ConfigError;
use crate::host::{Host, COUNTER_FLUSH};
use crate::pipeline::{Module, Pipeline, PipelineStream};
use crate::stage::{self, Action, RootCalls};
use crate::LocalReply;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

/// Tick period while requests are parked: how late a parked request learns that its data arrived.
pub const PARKED_TICK: Duration = Duration::from_millis(20);

/// Root callouts may fetch large documents (screening lists); request callouts are small.
pub const MAX_ROOT_CALL_BODY: usize = crate::remote::MAX_DOCUMENT_BYTES;

/// What the host should do with a request after a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Hold the request (it waits, or a local reply was sent).
    Pause,
}

#[derive(Debug, Clone, Copy)]
enum Owner {
    Stream(u32),
    /// Index of the compiled config that dispatched it.
    Root(usize),
}

/// One request's state, shared by its HTTP context and the registry while it waits.
pub type StreamCell<K> = Rc<RefCell<PipelineStream<K>>>;

/// One VM's root: the module's pipeline (once configured), the waiting requests and the callouts
/// in flight.
pub struct Dispatcher<K: Module> {
    root_context: u32,
    pipeline: RefCell<Option<Rc<Pipeline<K>>>>,
    waiting: RefCell<HashMap<u32, StreamCell<K>>>,
    calls: RefCell<HashMap<u32, Owner>>,
    /// `sieve.<module>.vm_memory_bytes` and the value last reported.
    memory_gauge: Cell<Option<(u32, u64)>>,
}

impl<K: Module> Dispatcher<K> {
    pub fn new(root_context: u32) -> Self {
        Dispatcher {
            root_context,
            pipeline: RefCell::new(None),
            waiting: RefCell::default(),
            calls: RefCell::default(),
            memory_gauge: Cell::new(None),
        }
    }

    pub fn pipeline(&self) -> Option<Rc<Pipeline<K>>> {
        self.pipeline.borrow().clone()
    }

    /// A new plugin configuration: compiled and put in force, or refused (the old one stays).
    /// Returns the words of the log line.
    pub fn configure(&self, host: &mut dyn Host, bytes: &[u8]) -> Result<String, ConfigError> {
        let pipeline = Pipeline::<K>::configure(bytes, host)?;
        let description = pipeline.describe();
        if self.memory_gauge.get().is_none() {
            let name = format!("sieve.{}.vm_memory_bytes", K::NAME);
            self.memory_gauge.set(host.define_gauge(&name).ok().map(|id| (id, 0)));
        }
        self.report_memory(host);
        self.reset_tick(host, &pipeline);
        *self.pipeline.borrow_mut() = Some(Rc::new(pipeline));
        Ok(description)
    }

    /// The root tick: the pipeline's own work, then every parked request, then counters and memory.
    pub fn tick(&self, host: &mut dyn Host) {
        let Some(pipeline) = self.pipeline() else { return };
        let calls = pipeline.on_tick(host);
        self.register_root_calls(calls);
        let parked: Vec<(u32, StreamCell<K>)> = self
            .waiting
            .borrow()
            .iter()
            .filter(|(_, cell)| cell.try_borrow().is_ok_and(|s| s.is_parked()))
            .map(|(id, cell)| (*id, cell.clone()))
            .collect();
        for (id, cell) in parked {
            self.wake_one(host, &pipeline, id, &cell);
        }
        let _ = host.set_effective_context(self.root_context);
        host.flush_metrics();
        self.report_memory(host);
        self.reset_tick(host, &pipeline);
    }

    /// Wakes request `id` if it is parked (what the root tick does for every parked request).
    pub fn wake(&self, host: &mut dyn Host, id: u32) {
        let (Some(pipeline), Some(cell)) = (self.pipeline(), self.waiting.borrow().get(&id).cloned()) else { return };
        if cell.try_borrow().is_ok_and(|s| s.is_parked()) {
            self.wake_one(host, &pipeline, id, &cell);
        }
    }

    fn wake_one(&self, host: &mut dyn Host, pipeline: &Pipeline<K>, id: u32, cell: &StreamCell<K>) {
        if host.set_effective_context(id).is_err() {
            self.forget(id);
            return;
        }
        let action = match cell.try_borrow_mut() {
            Ok(mut stream) => pipeline.on_wake(host, &mut stream),
            Err(_) => return,
        };
        self.settle(host, id, cell, action, true);
    }

    /// Whether the root dispatched callout `token` and waits for its answer.
    pub fn owns_root_call(&self, token: u32) -> bool {
        matches!(self.calls.borrow().get(&token), Some(Owner::Root(_)))
    }

    /// A request's headers. Without a configuration (a host that runs a plugin whose
    /// configuration it refused), the request is refused: fail closed.
    pub fn request_headers(&self, host: &mut dyn Host, id: u32, cell: &StreamCell<K>) -> Flow {
        let Some(pipeline) = self.pipeline() else {
            let reply = LocalReply::new(500, "not_configured", "the filter has no valid configuration");
            stage::send_reply(host, K::NAME, &reply);
            return Flow::Pause;
        };
        let action = match cell.try_borrow_mut() {
            Ok(mut stream) => pipeline.on_request_headers(host, &mut stream),
            Err(_) => return Flow::Continue,
        };
        self.settle(host, id, cell, action, false)
    }

    /// The response's headers. Waiting is only supported while the request is held.
    pub fn response_headers(&self, host: &mut dyn Host, cell: &StreamCell<K>) -> Flow {
        let Some(pipeline) = self.pipeline() else { return Flow::Continue };
        let action = match cell.try_borrow_mut() {
            Ok(mut stream) => pipeline.on_response_headers(host, &mut stream),
            Err(_) => return Flow::Continue,
        };
        match action {
            Action::Stop => Flow::Pause,
            Action::Continue | Action::Pause => Flow::Continue,
        }
    }

    /// A callout answer, whichever context the host delivered it to.
    pub fn call_response(&self, host: &mut dyn Host, token: u32, body_size: usize) {
        let owner = self.calls.borrow_mut().remove(&token);
        let Some(pipeline) = self.pipeline() else { return };
        match owner {
            Some(Owner::Stream(id)) => {
                let Some(cell) = self.waiting.borrow().get(&id).cloned() else { return };
                let response = CallResponse::read(host, token, body_size, DEFAULT_MAX_RESPONSE_BODY);
                if host.set_effective_context(id).is_err() {
                    self.forget(id);
                    return;
                }
                let action = match cell.try_borrow_mut() {
                    Ok(mut stream) => pipeline.on_call_response(host, &mut stream, &response),
                    Err(_) => return,
                };
                self.settle(host, id, &cell, action, true);
            }
            Some(Owner::Root(index)) => {
                let response = CallResponse::read(host, token, body_size, MAX_ROOT_CALL_BODY);
                let calls = pipeline.on_root_call_response(host, index, &response);
                self.register_root_calls(calls);
            }
            None => log::debug!("sieve.{}: answer to an unknown or abandoned callout {token}", K::NAME),
        }
    }

    /// The request is over (completed or reset): nothing of it may stay registered.
    pub fn done(&self, id: u32) {
        self.forget(id);
    }

    /// Whether request `id` waits (for a callout answer or a wake-up).
    pub fn is_waiting(&self, id: u32) -> bool {
        self.waiting.borrow().contains_key(&id)
    }

    fn register_root_calls(&self, calls: RootCalls) {
        let mut registry = self.calls.borrow_mut();
        for (token, index) in calls {
            registry.insert(token, Owner::Root(index));
        }
    }

    /// Records what a stream callback left behind and tells the host what to do. `resumed`: the
    /// callback was asynchronous, so going on means resuming the paused request.
    fn settle(&self, host: &mut dyn Host, id: u32, cell: &StreamCell<K>, action: Action, resumed: bool) -> Flow {
        let (new_calls, parked) = match cell.try_borrow_mut() {
            Ok(mut stream) => (stream.take_new_calls(), stream.is_parked()),
            Err(_) => (Vec::new(), false),
        };
        if !new_calls.is_empty() {
            let mut calls = self.calls.borrow_mut();
            for token in new_calls {
                calls.insert(token, Owner::Stream(id));
            }
        }
        match action {
            Action::Continue => {
                self.forget(id);
                if resumed {
                    if let Err(e) = host.resume_request() {
                        log::warn!("sieve.{}: cannot resume request {id}: {e}", K::NAME);
                    }
                }
                Flow::Continue
            }
            Action::Stop => {
                self.forget(id);
                Flow::Pause
            }
            Action::Pause => {
                self.waiting.borrow_mut().insert(id, cell.clone());
                if parked {
                    host.set_tick_period(PARKED_TICK);
                }
                Flow::Pause
            }
        }
    }

    fn forget(&self, id: u32) {
        // Nearly every request never waits: skip hashing its id into empty registries.
        let mut waiting = self.waiting.borrow_mut();
        if !waiting.is_empty() {
            waiting.remove(&id);
        }
        let mut calls = self.calls.borrow_mut();
        if !calls.is_empty() {
            calls.retain(|_, owner| !matches!(owner, Owner::Stream(owner_id) if *owner_id == id));
        }
    }

    /// Reports the VM's memory when it changed (one host call per growth, none otherwise).
    fn report_memory(&self, host: &mut dyn Host) {
        let Some((gauge, reported)) = self.memory_gauge.get() else { return };
        let now = linear_memory_bytes();
        if now != reported {
            host.set_gauge(gauge, now);
            self.memory_gauge.set(Some((gauge, now)));
        }
    }

    fn reset_tick(&self, host: &mut dyn Host, pipeline: &Pipeline<K>) {
        let parked = self.waiting.borrow().values().any(|cell| cell.try_borrow().is_ok_and(|s| s.is_parked()));
        let period = if parked { Some(PARKED_TICK) } else { pipeline.tick_period() };
        // Counter increments collect in the VM until a tick flushes them.
        host.set_tick_period(period.map_or(COUNTER_FLUSH, |p| p.min(COUNTER_FLUSH)));
    }
}

/// The module's linear memory in bytes (0 off Wasm).
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

#[cfg(test)]
#[path = "dispatch_test.rs"]
mod tests;
