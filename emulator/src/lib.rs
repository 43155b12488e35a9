//! A proxy-wasm host emulator: loads a compiled filter (`.wasm`) and drives it through the
//! proxy-wasm ABI 0.2.1 the way Envoy does — no Envoy, no network, milliseconds per test.
//!
//! ```no_run
//! use sieve_emulator::{Emulator, Outcome, Request};
//!
//! let module = sieve_emulator::modules::module_path("sieve-headers").unwrap();
//! let mut vm = Emulator::builder(&module)
//!     .plugin_config(r#"{"request": [{"op": "set", "name": "x-greeting", "value": "hello"}]}"#)
//!     .start()
//!     .unwrap();
//! let exchange = vm.send(Request::get("/")).unwrap();
//! assert_eq!(exchange.outcome, Outcome::Forwarded);
//! assert_eq!(vm.stream(exchange.context).unwrap().request_header("x-greeting"), Some("hello"));
//! ```
//!
//! What it covers is listed in [`COVERAGE_IMPLEMENTED`] and [`COVERAGE_NOT_IMPLEMENTED`] (and in
//! the README's table). Fidelity to Envoy is checked by the scenario suite that runs both.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

mod abi;
mod host;
pub mod modules;
mod shared;

pub use abi::{Action, LogLevel, MetricKind};
pub use host::{
    RequestState, Stream, IMPLEMENTED as COVERAGE_IMPLEMENTED, NOT_IMPLEMENTED as COVERAGE_NOT_IMPLEMENTED,
};
pub use shared::SharedData;

use host::{HostState, Phase};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasmi::{CompilationMode, Config, Engine, Extern, Instance, Linker, Module, Store, Val};

/// A captured log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub level: LogLevel,
    pub message: String,
}

/// A local reply the filter sent (`proxy_send_local_response`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReply {
    pub status: u32,
    /// Envoy's response-code details (`%RESPONSE_CODE_DETAILS%`).
    pub details: String,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub grpc_status: Option<i32>,
}

impl LocalReply {
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An HTTP callout the filter dispatched and that awaits an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCall {
    pub token: u32,
    /// The context that dispatched it (and receives the answer).
    pub context_id: u32,
    /// The Envoy cluster.
    pub upstream: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub trailers: Vec<(String, String)>,
    pub timeout_ms: u64,
    pub(crate) deadline_nanos: u64,
}

impl PendingCall {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The answer a test gives to a callout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallAnswer {
    /// Includes `:status`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub trailers: Vec<(String, String)>,
}

impl CallAnswer {
    /// An answer with `status` and `body`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> CallAnswer {
        CallAnswer { headers: vec![(":status".into(), status.to_string())], body: body.into(), trailers: Vec::new() }
    }

    pub fn header(mut self, name: &str, value: &str) -> CallAnswer {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }
}

/// A request for [`Emulator::send`].
#[derive(Debug, Clone)]
pub struct Request {
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Host properties for this request (`source.address`, `xds.route_name`, ...).
    pub properties: Vec<(String, Vec<u8>)>,
}

impl Request {
    /// `method path`, with `:authority` `example.com` and `:scheme` `http`.
    pub fn new(method: &str, path: &str) -> Request {
        Request {
            headers: vec![
                (":method".into(), method.into()),
                (":path".into(), path.into()),
                (":authority".into(), "example.com".into()),
                (":scheme".into(), "http".into()),
            ],
            body: None,
            properties: vec![("source.address".into(), b"127.0.0.1:40000".to_vec())],
        }
    }

    pub fn get(path: &str) -> Request {
        Request::new("GET", path)
    }

    /// Adds a header (names are lower-cased, as Envoy hands them to filters).
    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Replaces a header (every value).
    pub fn set_header(mut self, name: &str, value: &str) -> Request {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(k, _)| *k != name);
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = Some(body.into());
        self
    }

    /// Sets a property; the path uses dots (`source.address`).
    pub fn property(mut self, path: &str, value: impl Into<Vec<u8>>) -> Request {
        self.properties.retain(|(p, _)| p != path);
        self.properties.push((path.to_string(), value.into()));
        self
    }

    /// The client address Envoy reports (`source.address`).
    pub fn client(self, address: &str) -> Request {
        self.property("source.address", address.as_bytes().to_vec())
    }
}

/// What happened to a request so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Went on to the upstream; its headers are in [`Stream::request_headers`].
    Forwarded,
    /// Answered by the filter.
    Replied(LocalReply),
    /// Waiting (for a callout answer, or a tick).
    Waiting,
    /// Reset by the filter.
    Reset,
}

/// A request sent with [`Emulator::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub context: u32,
    pub outcome: Outcome,
}

/// How a VM failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    /// The callback that trapped (`proxy_on_request_headers`, ...).
    pub callback: String,
    /// The runtime's trap message (a Rust panic aborts with `unreachable`).
    pub message: String,
    /// The panic message the module logged before aborting, if any.
    pub panic: Option<String>,
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} trapped: {}", self.callback, self.message)?;
        if let Some(panic) = &self.panic {
            write!(f, " ({panic})")?;
        }
        Ok(())
    }
}

/// Errors of the emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The module could not be read, compiled or linked.
    Load(String),
    /// `proxy_on_vm_start` or `proxy_on_configure` returned false: Envoy would refuse the plugin.
    /// `logs` holds what the module logged, e.g. the config error naming the field.
    Refused { callback: &'static str, logs: Vec<LogRecord> },
    /// The module trapped; like Envoy, the VM serves nothing afterwards.
    Trap(Trap),
    /// A call on a VM that trapped earlier.
    Dead(Trap),
    /// The test asked for something that does not exist (an unknown context or token).
    Usage(String),
}

impl Error {
    /// The trap, for a trap or a dead VM.
    pub fn trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(trap) | Error::Dead(trap) => Some(trap),
            _ => None,
        }
    }

    /// Everything the module logged before refusing to start, joined by newlines.
    pub fn refusal_log(&self) -> String {
        match self {
            Error::Refused { logs, .. } => logs.iter().map(|l| l.message.as_str()).collect::<Vec<_>>().join("\n"),
            _ => String::new(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Load(reason) => write!(f, "cannot load the module: {reason}"),
            Error::Refused { callback, logs } => {
                write!(f, "{callback} returned false: the plugin is refused")?;
                for line in logs {
                    write!(f, "\n  [{:?}] {}", line.level, line.message)?;
                }
                Ok(())
            }
            Error::Trap(trap) => write!(f, "{trap}"),
            Error::Dead(trap) => write!(f, "the VM is dead since: {trap}"),
            Error::Usage(reason) => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for Error {}

/// Fuel (instructions, roughly) one callback may burn before it is stopped as a runaway.
pub const DEFAULT_FUEL_PER_CALL: u64 = 20_000_000_000;

/// Sets up an [`Emulator`].
#[derive(Debug, Clone)]
pub struct Builder {
    module: PathBuf,
    plugin_config: Vec<u8>,
    vm_config: Vec<u8>,
    vm_id: String,
    plugin_name: String,
    root_id: String,
    properties: BTreeMap<String, Vec<u8>>,
    log_level: LogLevel,
    shared: SharedData,
    start_time: Option<SystemTime>,
    clusters: Option<Vec<String>>,
    random_seed: u64,
    fuel_per_call: u64,
    environment: Vec<(String, String)>,
}

impl Builder {
    /// The plugin configuration (`configuration` in Envoy's `PluginConfig`).
    pub fn plugin_config(mut self, config: impl Into<Vec<u8>>) -> Builder {
        self.plugin_config = config.into();
        self
    }

    /// The VM configuration (`vm_config.configuration`).
    pub fn vm_config(mut self, config: impl Into<Vec<u8>>) -> Builder {
        self.vm_config = config.into();
        self
    }

    /// `vm_config.vm_id` (shared queues are named within it).
    pub fn vm_id(mut self, vm_id: &str) -> Builder {
        self.vm_id = vm_id.to_string();
        self
    }

    /// `plugin_name` property.
    pub fn plugin_name(mut self, name: &str) -> Builder {
        self.plugin_name = name.to_string();
        self
    }

    /// `root_id` of the plugin.
    pub fn root_id(mut self, root_id: &str) -> Builder {
        self.root_id = root_id.to_string();
        self
    }

    /// A property every request sees unless the request sets its own.
    pub fn property(mut self, path: &str, value: impl Into<Vec<u8>>) -> Builder {
        self.properties.insert(path.to_string(), value.into());
        self
    }

    /// Logs below this level are dropped and the module is told this level (default Info).
    pub fn log_level(mut self, level: LogLevel) -> Builder {
        self.log_level = level;
        self
    }

    /// Shares shared data and queues with other emulators (several workers of one Envoy).
    pub fn shared(mut self, shared: &SharedData) -> Builder {
        self.shared = shared.clone();
        self
    }

    /// Where the clock starts (default: now; with [`Builder::shared`], when the first emulator
    /// sharing that data started, as the workers of one Envoy share one clock).
    pub fn start_time(mut self, time: SystemTime) -> Builder {
        self.start_time = Some(time);
        self
    }

    /// The clusters that exist; a callout to another is refused with `BadArgument`, as in Envoy.
    /// By default every cluster exists.
    pub fn clusters(mut self, clusters: &[&str]) -> Builder {
        self.clusters = Some(clusters.iter().map(|c| c.to_string()).collect());
        self
    }

    /// A variable of the VM's environment, as Envoy's `vm_config.environment_variables` gives it
    /// (WASI `environ_get`); set again, the last value wins.
    pub fn env(mut self, name: &str, value: &str) -> Builder {
        self.environment.retain(|(n, _)| n != name);
        self.environment.push((name.to_string(), value.to_string()));
        self
    }

    /// Seed of the bytes `random_get` returns.
    pub fn random_seed(mut self, seed: u64) -> Builder {
        self.random_seed = seed;
        self
    }

    /// Fuel one callback may burn before it is stopped (a runaway loop becomes a trap).
    pub fn fuel_per_call(mut self, fuel: u64) -> Builder {
        self.fuel_per_call = fuel;
        self
    }

    /// What the module logged refusing its configuration, for tests of config errors; `Err` says
    /// what happened instead (it started, or failed another way).
    pub fn refusal(self) -> Result<String, String> {
        match self.start() {
            Err(error @ Error::Refused { .. }) => Ok(error.refusal_log()),
            Err(other) => Err(format!("expected a refusal, got {other}")),
            Ok(_) => Err("the configuration was accepted".into()),
        }
    }

    /// Loads the module, runs `_initialize`, creates the root context and runs
    /// `proxy_on_vm_start` and `proxy_on_configure`, as Envoy does when it loads a plugin.
    pub fn start(self) -> Result<Emulator, Error> {
        let module = compiled(&self.module)?;
        let engine = module.engine().clone();
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let start_time = self.start_time.unwrap_or_else(|| self.shared.clock_start());
        let now_nanos = start_time.duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or_default();
        let state = HostState {
            emulator_id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            vm_id: self.vm_id,
            plugin_name: self.plugin_name,
            root_id_name: self.root_id,
            plugin_config: self.plugin_config,
            vm_config: self.vm_config,
            log_level: self.log_level,
            echo_logs: std::env::var_os("SIEVE_EMULATOR_LOG").is_some(),
            logs: Vec::new(),
            now_nanos,
            timers: BTreeMap::new(),
            phase: Phase::Idle,
            current: 0,
            roots: Vec::new(),
            streams: BTreeMap::new(),
            call_answer: None,
            calls: BTreeMap::new(),
            next_token: 1,
            clusters: self.clusters,
            metrics: Vec::new(),
            properties: self.properties,
            shared: self.shared,
            unimplemented: Vec::new(),
            random_state: self.random_seed | 1,
            environment: self.environment,
            host_failure: None,
            call_counts: BTreeMap::new(),
        };
        let mut store = Store::new(&engine, state);
        let mut linker = Linker::new(&engine);
        host::define(&mut linker).map_err(|e| Error::Load(e.to_string()))?;
        host::stub_missing(&mut linker, &module).map_err(Error::Load)?;
        store.set_fuel(self.fuel_per_call).map_err(|e| Error::Load(e.to_string()))?;
        let instance = linker.instantiate_and_start(&mut store, &module).map_err(|e| Error::Load(e.to_string()))?;
        let mut emulator = Emulator {
            store,
            instance,
            root_id: 1,
            next_context: 2,
            fuel_per_call: self.fuel_per_call,
            fuel_total: 0,
            fuel_last: 0,
            dead: None,
        };
        for start in ["_initialize", "_start"] {
            if emulator.export(start).is_some() {
                emulator.call(Phase::Initialize, 0, start, &[])?;
            }
        }
        emulator.store.data_mut().roots.push(emulator.root_id);
        emulator.call(Phase::Idle, emulator.root_id, "proxy_on_context_create", &[i(emulator.root_id), i(0)])?;
        let vm_config_len = emulator.store.data().vm_config.len();
        if !emulator.call_bool(
            Phase::VmStart,
            emulator.root_id,
            "proxy_on_vm_start",
            &[i(1), i(vm_config_len as u32)],
        )? {
            return Err(Error::Refused { callback: "proxy_on_vm_start", logs: emulator.store.data().logs.clone() });
        }
        emulator.configure_current()?;
        Ok(emulator)
    }
}

fn i(value: u32) -> Val {
    Val::I32(value as i32)
}

/// Compiles each module once per process: tests start many emulators on one module.
fn compiled(path: &Path) -> Result<Module, Error> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, (SystemTime, Module)>>> = OnceLock::new();
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((when, module)) = cache.get(path) {
        if *when == modified {
            return Ok(module.clone());
        }
    }
    let bytes = std::fs::read(path).map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
    let mut config = Config::default();
    // Eager translation: wasmi charges lazy translation to the fuel of the first call that reaches a
    // function, which would make the first VM on a cached module look costlier than the next.
    config.consume_fuel(true).compilation_mode(CompilationMode::Eager);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &bytes[..]).map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
    cache.insert(path.to_path_buf(), (modified, module.clone()));
    Ok(module)
}

/// A loaded filter module with its root context: one Envoy worker's VM.
pub struct Emulator {
    store: Store<HostState>,
    instance: Instance,
    root_id: u32,
    next_context: u32,
    fuel_per_call: u64,
    fuel_total: u64,
    fuel_last: u64,
    dead: Option<Trap>,
}

/// For tests of config errors: starts `module` with each config and checks that it is refused with
/// a log holding the expected text (the field the error names, say); the first case that is not
/// refused so is the error.
pub fn check_refusals<C: fmt::Display>(module: impl AsRef<Path>, cases: &[(C, &str)]) -> Result<(), String> {
    for (config, expected) in cases {
        let log = Emulator::builder(module.as_ref()).plugin_config(config.to_string()).refusal();
        match log {
            Ok(log) if log.contains(expected) => {}
            Ok(log) => return Err(format!("{config}: {expected:?} not in {log}")),
            Err(e) => return Err(format!("{config}: {e}")),
        }
    }
    Ok(())
}

impl Emulator {
    /// Starts setting up an emulator for the module at `module`.
    pub fn builder(module: impl AsRef<Path>) -> Builder {
        Builder {
            module: module.as_ref().to_path_buf(),
            plugin_config: Vec::new(),
            vm_config: Vec::new(),
            vm_id: String::new(),
            plugin_name: "sieve".into(),
            root_id: String::new(),
            properties: BTreeMap::new(),
            log_level: LogLevel::Info,
            shared: SharedData::new(),
            start_time: None,
            clusters: None,
            random_seed: 0x5eed,
            fuel_per_call: DEFAULT_FUEL_PER_CALL,
            environment: Vec::new(),
        }
    }

    fn export(&self, name: &str) -> Option<wasmi::Func> {
        self.instance.get_export(&self.store, name).and_then(Extern::into_func)
    }

    /// Calls an export for `context`. A trap kills the VM, as in Envoy.
    fn call(&mut self, phase: Phase, context: u32, name: &str, args: &[Val]) -> Result<Option<Val>, Error> {
        if let Some(trap) = &self.dead {
            return Err(Error::Dead(trap.clone()));
        }
        let Some(func) = self.export(name) else {
            return if name.starts_with("proxy_on_") && phase != Phase::Idle {
                Err(Error::Load(format!("the module does not export {name}")))
            } else {
                Ok(None)
            };
        };
        let mut results = vec![Val::I32(0); func.ty(&self.store).results().len()];
        let log_mark = self.store.data().logs.len();
        {
            let state = self.store.data_mut();
            state.phase = phase;
            state.current = context;
        }
        let _ = self.store.set_fuel(self.fuel_per_call);
        let outcome = func.call(&mut self.store, args, &mut results);
        let left = self.store.get_fuel().unwrap_or(0);
        self.fuel_last = self.fuel_per_call.saturating_sub(left);
        self.fuel_total = self.fuel_total.saturating_add(self.fuel_last);
        {
            let state = self.store.data_mut();
            state.phase = Phase::Idle;
            state.call_answer = None;
        }
        match outcome {
            Ok(()) => {
                self.deliver_queue_items()?;
                if !matches!(phase, Phase::ResponseHeaders | Phase::ResponseBody | Phase::ResponseTrailers) {
                    self.encode_local_replies()?;
                }
                Ok(results.into_iter().next())
            }
            Err(error) => {
                let state = self.store.data();
                let panic = state
                    .logs
                    .get(log_mark..)
                    .unwrap_or_default()
                    .iter()
                    .rev()
                    .find(|l| l.level == LogLevel::Critical)
                    .map(|l| l.message.clone());
                let mut message = error.to_string();
                if error.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) {
                    message =
                        format!("{message} (more than {} fuel in one callback: a runaway loop?)", self.fuel_per_call);
                }
                if let Some(failure) = &state.host_failure {
                    message = failure.clone();
                }
                let trap = Trap { callback: phase_name(phase, name), message, panic };
                self.dead = Some(trap.clone());
                Err(Error::Trap(trap))
            }
        }
    }

    /// Sends every new local reply back through the filter's response callbacks, as Envoy does: its
    /// encoder path runs every filter, the one that replied included, on the reply.
    fn encode_local_replies(&mut self) -> Result<(), Error> {
        let due: Vec<(u32, LocalReply)> = self
            .store
            .data_mut()
            .streams
            .iter_mut()
            .filter(|(_, stream)| !stream.reply_encoded)
            .filter_map(|(id, stream)| {
                let reply = stream.local_reply.clone()?;
                stream.reply_encoded = true;
                Some((*id, reply))
            })
            .collect();
        for (context, reply) in due {
            let mut headers = vec![(":status".to_string(), reply.status.to_string())];
            headers.extend(reply.headers.iter().cloned());
            headers.push(("content-length".into(), reply.body.len().to_string()));
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            self.response_headers(context, &pairs, reply.body.is_empty())?;
            if !reply.body.is_empty() {
                self.response_body(context, &reply.body, true)?;
            }
        }
        Ok(())
    }

    fn call_bool(&mut self, phase: Phase, context: u32, name: &str, args: &[Val]) -> Result<bool, Error> {
        Ok(matches!(self.call(phase, context, name, args)?, Some(Val::I32(v)) if v != 0))
    }

    fn call_action(&mut self, phase: Phase, context: u32, name: &str, args: &[Val]) -> Result<Action, Error> {
        Ok(match self.call(phase, context, name, args)? {
            Some(Val::I32(0)) | None => Action::Continue,
            Some(_) => Action::Pause,
        })
    }

    fn configure_current(&mut self) -> Result<(), Error> {
        let log_mark = self.store.data().logs.len();
        let config_len = self.store.data().plugin_config.len() as u32;
        if !self.call_bool(Phase::Configure, self.root_id, "proxy_on_configure", &[i(self.root_id), i(config_len)])? {
            let logs = self.store.data().logs.get(log_mark..).unwrap_or_default().to_vec();
            return Err(Error::Refused { callback: "proxy_on_configure", logs });
        }
        Ok(())
    }

    /// Delivers `proxy_on_queue_ready` for items enqueued to queues this VM registered.
    fn deliver_queue_items(&mut self) -> Result<(), Error> {
        // Bounded: a module that enqueues to itself on every delivery must not hang the test.
        for _ in 0..64 {
            let state = self.store.data();
            let due = state.shared.take_announcements(state.emulator_id);
            if due.is_empty() {
                return Ok(());
            }
            for (queue, root) in due {
                self.call(Phase::QueueReady, root, "proxy_on_queue_ready", &[i(root), i(queue)])?;
            }
        }
        Ok(())
    }

    /// Pushes a new plugin configuration to the running VM (`proxy_on_configure` again).
    pub fn configure(&mut self, config: impl Into<Vec<u8>>) -> Result<(), Error> {
        self.store.data_mut().plugin_config = config.into();
        self.configure_current()
    }

    /// Creates an HTTP context (a new request on this worker).
    pub fn new_http_context(&mut self) -> Result<u32, Error> {
        let context = self.next_context;
        self.next_context += 1;
        self.store.data_mut().streams.insert(context, Stream::new(self.root_id));
        self.call(Phase::Idle, context, "proxy_on_context_create", &[i(context), i(self.root_id)])?;
        Ok(context)
    }

    fn stream_mut(&mut self, context: u32) -> Result<&mut Stream, Error> {
        self.store
            .data_mut()
            .streams
            .get_mut(&context)
            .ok_or_else(|| Error::Usage(format!("no HTTP context {context}")))
    }

    /// Delivers the request headers (`proxy_on_request_headers`).
    pub fn request_headers(
        &mut self,
        context: u32,
        headers: &[(&str, &str)],
        end_of_stream: bool,
    ) -> Result<Action, Error> {
        let stream = self.stream_mut(context)?;
        stream.request_headers = headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect();
        stream.request_headers_held = true;
        let count = headers.len() as u32;
        let action = self.call_action(
            Phase::RequestHeaders,
            context,
            "proxy_on_request_headers",
            &[i(context), i(count), i(u32::from(end_of_stream))],
        )?;
        let stream = self.stream_mut(context)?;
        if stream.state == RequestState::New || stream.state == RequestState::Paused {
            stream.state = match action {
                Action::Continue => RequestState::Forwarded,
                Action::Pause => RequestState::Paused,
            };
        }
        if action == Action::Continue || stream.state != RequestState::Paused {
            // Envoy stops handing out the request headers once the filter lets them go.
            stream.request_headers_held = false;
        }
        Ok(action)
    }

    /// Delivers a request body chunk (`proxy_on_request_body`); the filter may rewrite it.
    pub fn request_body(&mut self, context: u32, body: &[u8], end_of_stream: bool) -> Result<Action, Error> {
        self.stream_mut(context)?.request_body = body.to_vec();
        self.call_action(
            Phase::RequestBody,
            context,
            "proxy_on_request_body",
            &[i(context), i(body.len() as u32), i(u32::from(end_of_stream))],
        )
    }

    /// Delivers request trailers (`proxy_on_request_trailers`).
    pub fn request_trailers(&mut self, context: u32, trailers: &[(&str, &str)]) -> Result<Action, Error> {
        self.stream_mut(context)?.request_trailers = pairs(trailers);
        self.call_action(
            Phase::RequestTrailers,
            context,
            "proxy_on_request_trailers",
            &[i(context), i(trailers.len() as u32)],
        )
    }

    /// Delivers the response headers (`proxy_on_response_headers`); read the result with
    /// [`Stream::response_headers`].
    pub fn response_headers(
        &mut self,
        context: u32,
        headers: &[(&str, &str)],
        end_of_stream: bool,
    ) -> Result<Action, Error> {
        let stream = self.stream_mut(context)?;
        stream.response_headers = pairs(headers);
        stream.response_headers_held = true;
        let action = self.call_action(
            Phase::ResponseHeaders,
            context,
            "proxy_on_response_headers",
            &[i(context), i(headers.len() as u32), i(u32::from(end_of_stream))],
        )?;
        if action == Action::Continue {
            self.stream_mut(context)?.response_headers_held = false;
        }
        Ok(action)
    }

    /// Delivers a response body chunk (`proxy_on_response_body`).
    pub fn response_body(&mut self, context: u32, body: &[u8], end_of_stream: bool) -> Result<Action, Error> {
        self.stream_mut(context)?.response_body = body.to_vec();
        self.call_action(
            Phase::ResponseBody,
            context,
            "proxy_on_response_body",
            &[i(context), i(body.len() as u32), i(u32::from(end_of_stream))],
        )
    }

    /// Delivers response trailers (`proxy_on_response_trailers`).
    pub fn response_trailers(&mut self, context: u32, trailers: &[(&str, &str)]) -> Result<Action, Error> {
        self.stream_mut(context)?.response_trailers = pairs(trailers);
        self.call_action(
            Phase::ResponseTrailers,
            context,
            "proxy_on_response_trailers",
            &[i(context), i(trailers.len() as u32)],
        )
    }

    /// Ends the request: `proxy_on_done`, `proxy_on_log`, `proxy_on_delete`; its callouts are
    /// cancelled, as Envoy does when a stream goes away.
    pub fn complete(&mut self, context: u32) -> Result<(), Error> {
        self.stream_mut(context)?;
        self.call(Phase::Done, context, "proxy_on_done", &[i(context)])?;
        self.call(Phase::Log, context, "proxy_on_log", &[i(context)])?;
        self.call(Phase::Delete, context, "proxy_on_delete", &[i(context)])?;
        let state = self.store.data_mut();
        state.calls.retain(|_, call| call.context_id != context);
        state.streams.remove(&context);
        Ok(())
    }

    /// Sends a whole request: a new context, its headers (and body), and returns where it stands.
    pub fn send(&mut self, request: Request) -> Result<Exchange, Error> {
        let context = self.new_http_context()?;
        self.stream_mut(context)?.properties = request.properties.into_iter().collect();
        let headers: Vec<(&str, &str)> = request.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.request_headers(context, &headers, request.body.is_none())?;
        if let Some(body) = &request.body {
            if self.stream(context).is_some_and(|s| s.state == RequestState::Forwarded) {
                self.request_body(context, body, true)?;
            }
        }
        Ok(Exchange { context, outcome: self.outcome(context)? })
    }

    /// Where request `context` stands now.
    pub fn outcome(&self, context: u32) -> Result<Outcome, Error> {
        let stream = self.stream(context).ok_or_else(|| Error::Usage(format!("no HTTP context {context}")))?;
        Ok(match (stream.state, &stream.local_reply) {
            (_, Some(reply)) => Outcome::Replied(reply.clone()),
            (RequestState::Forwarded, None) => Outcome::Forwarded,
            (RequestState::Reset, None) => Outcome::Reset,
            _ => Outcome::Waiting,
        })
    }

    /// The HTTP context `context`, while it exists.
    pub fn stream(&self, context: u32) -> Option<&Stream> {
        self.store.data().streams.get(&context)
    }

    /// Callouts waiting for an answer, oldest first.
    pub fn pending_calls(&self) -> Vec<PendingCall> {
        self.store.data().calls.values().cloned().collect()
    }

    /// Answers callout `token` (`proxy_on_http_call_response` on the context that made it).
    pub fn answer_call(&mut self, token: u32, answer: CallAnswer) -> Result<(), Error> {
        let call = self
            .store
            .data_mut()
            .calls
            .remove(&token)
            .ok_or_else(|| Error::Usage(format!("no pending call {token}")))?;
        self.deliver_call(call, answer)
    }

    /// Times out callout `token` as Envoy's router does: a `504` answer, `upstream request timeout`.
    /// [`Emulator::advance`] does this to every callout whose timeout passes.
    pub fn time_out_call(&mut self, token: u32) -> Result<(), Error> {
        let answer = CallAnswer::new(504, "upstream request timeout").header("content-type", "text/plain");
        self.answer_call(token, answer)
    }

    /// Fails callout `token` the way Envoy reports a reset stream: no headers, no body.
    pub fn fail_call(&mut self, token: u32) -> Result<(), Error> {
        let call = self
            .store
            .data_mut()
            .calls
            .remove(&token)
            .ok_or_else(|| Error::Usage(format!("no pending call {token}")))?;
        self.deliver_call(call, CallAnswer::default())
    }

    fn deliver_call(&mut self, call: PendingCall, answer: CallAnswer) -> Result<(), Error> {
        let context = call.context_id;
        let args = [
            i(context),
            i(call.token),
            i(answer.headers.len() as u32),
            i(answer.body.len() as u32),
            i(answer.trailers.len() as u32),
        ];
        // `call` clears the answer when the callback returns.
        self.store.data_mut().call_answer = Some(answer);
        self.call(Phase::CallResponse, context, "proxy_on_http_call_response", &args)?;
        Ok(())
    }

    /// Fires the root's tick now (`proxy_on_tick`), whether or not a period is set.
    pub fn tick(&mut self) -> Result<(), Error> {
        self.call(Phase::Tick, self.root_id, "proxy_on_tick", &[i(self.root_id)]).map(|_| ())
    }

    /// The tick period the root asked for.
    pub fn tick_period(&self) -> Option<Duration> {
        self.store.data().timers.get(&self.root_id).map(|t| Duration::from_nanos(t.period_nanos))
    }

    /// Moves the clock forward by `by`, firing due ticks and timing out due callouts
    /// ([`Emulator::time_out_call`]) in time order. Queue items other emulators enqueued for this
    /// VM are delivered first (`advance(Duration::ZERO)` delivers only them).
    pub fn advance(&mut self, by: Duration) -> Result<(), Error> {
        // Items other VMs enqueued to this VM's queues arrive first.
        self.deliver_queue_items()?;
        let end = self.store.data().now_nanos.saturating_add(by.as_nanos() as u64);
        loop {
            let state = self.store.data();
            let next_tick = state.timers.iter().map(|(root, t)| (t.next_due, *root)).min();
            let next_timeout = state.calls.values().map(|c| (c.deadline_nanos, c.token)).min();
            match (next_tick, next_timeout) {
                (Some((due, root)), timeout) if due <= end && timeout.is_none_or(|(deadline, _)| due <= deadline) => {
                    let state = self.store.data_mut();
                    state.now_nanos = state.now_nanos.max(due);
                    if let Some(timer) = state.timers.get_mut(&root) {
                        timer.next_due = due + timer.period_nanos;
                    }
                    self.call(Phase::Tick, root, "proxy_on_tick", &[i(root)])?;
                }
                (_, Some((deadline, token))) if deadline <= end => {
                    let state = self.store.data_mut();
                    state.now_nanos = state.now_nanos.max(deadline);
                    self.time_out_call(token)?;
                }
                _ => break,
            }
        }
        self.store.data_mut().now_nanos = end;
        Ok(())
    }

    /// The emulated clock.
    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.store.data().now_nanos)
    }

    /// A metric's value by the name the module defined (Envoy shows it as `wasmcustom.<name>`).
    pub fn metric(&self, name: &str) -> Option<i64> {
        self.store
            .data()
            .metrics
            .iter()
            .find(|m| m.name == name || dotted_metric_name(&m.name) == name)
            .map(|m| m.value)
    }

    /// Every metric: name, kind, value (histograms: the number of samples).
    pub fn metrics(&self) -> Vec<(String, MetricKind, i64)> {
        self.store
            .data()
            .metrics
            .iter()
            .map(|m| {
                let value = if m.kind == MetricKind::Histogram { m.samples.len() as i64 } else { m.value };
                (dotted_metric_name(&m.name), m.kind, value)
            })
            .collect()
    }

    /// Everything logged at or above the configured level.
    pub fn logs(&self) -> &[LogRecord] {
        &self.store.data().logs
    }

    /// Whether a log line contains `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.logs().iter().any(|l| l.message.contains(text))
    }

    /// Takes the captured logs.
    pub fn take_logs(&mut self) -> Vec<LogRecord> {
        std::mem::take(&mut self.store.data_mut().logs)
    }

    /// The process-wide shared data this VM uses.
    pub fn shared_data(&self) -> SharedData {
        self.store.data().shared.clone()
    }

    /// Sets a property every later request sees unless it sets its own.
    pub fn set_property(&mut self, path: &str, value: impl Into<Vec<u8>>) {
        self.store.data_mut().properties.insert(path.to_string(), value.into());
    }

    /// Fuel burned by every callback so far: a deterministic measure of work (wasmi charges
    /// roughly one unit per instruction), used by the cost guard.
    pub fn fuel_consumed(&self) -> u64 {
        self.fuel_total
    }

    /// Fuel burned by the last callback.
    pub fn last_fuel(&self) -> u64 {
        self.fuel_last
    }

    /// How many times the module made each proxy-wasm host call (`proxy_get_header_map_value`, ...)
    /// since the start or the last [`Emulator::reset_host_calls`].
    pub fn host_calls(&self) -> BTreeMap<&'static str, u64> {
        self.store.data().call_counts.clone()
    }

    /// The total of [`Emulator::host_calls`].
    pub fn host_call_total(&self) -> u64 {
        self.store.data().call_counts.values().sum()
    }

    pub fn reset_host_calls(&mut self) {
        self.store.data_mut().call_counts.clear();
    }

    /// Imports the module called that the emulator does not implement.
    pub fn unimplemented_calls(&self) -> &[String] {
        &self.store.data().unimplemented
    }

    /// The trap that killed the VM, if one did.
    pub fn trap(&self) -> Option<&Trap> {
        self.dead.as_ref()
    }

    /// Bytes of linear memory the module holds.
    pub fn memory_bytes(&self) -> usize {
        self.instance
            .get_export(&self.store, "memory")
            .and_then(Extern::into_memory)
            .map(|m| m.data_size(&self.store))
            .unwrap_or(0)
    }
}

fn pairs(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect()
}

fn phase_name(phase: Phase, export: &str) -> String {
    if phase == Phase::Idle {
        export.to_string()
    } else {
        phase.callback().to_string()
    }
}

/// A metric name in Istio's tag convention (`filter=.=auth;.;outcome=.=denied;.;sieve_events_total`,
/// as Sieve's SDK defines its counters) as its dotted name (`sieve.auth.denied`): the label values in
/// the order filter, provider, outcome, reason. Other names are returned as they are.
pub fn dotted_metric_name(name: &str) -> String {
    const LABELS: [&str; 4] = ["filter", "provider", "outcome", "reason"];
    let Some((tags, family)) = name.rsplit_once(";.;") else { return name.to_string() };
    if !family.starts_with("sieve_") {
        return name.to_string();
    }
    let mut values = [""; 4];
    for pair in tags.split(";.;") {
        let slot =
            pair.split_once("=.=").and_then(|(label, value)| Some((LABELS.iter().position(|l| *l == label)?, value)));
        match slot.and_then(|(index, value)| Some((values.get_mut(index)?, value))) {
            Some((slot, value)) => *slot = value,
            None => return name.to_string(),
        }
    }
    values.iter().filter(|v| !v.is_empty()).fold(String::from("sieve"), |dotted, value| dotted + "." + value)
}
