//! The proxy-wasm shim: the ABI's exports (`proxy_on_*`), each handing the host's callback to the
//! [`Dispatcher`] of its root context with the real host. Everything that decides lives in
//! `dispatch.rs` (tested on the host); only what needs the ABI is here.
//!
//! Sieve speaks the ABI itself rather than through the `proxy-wasm` crate: a module needs a dozen
//! of its callbacks, and the crate's general dispatcher (every context kind, gRPC, queues, network
//! filters) was 48 KiB of every module, with lookups by context id on every callback and a panic
//! on an id or a callout token it does not know. Here an unknown id is ignored and logged.

use crate::dispatch::{Dispatcher, Flow, StreamCell};
use crate::host::{abi, ProxyHost};
use crate::pipeline::Module;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

/// The module's entry point (`_initialize`), starting module `K`: what [`crate::export_module!`]
/// (and so `export_filter!` and `export_chain!`) expands to in the module crate.
#[doc(hidden)]
#[macro_export]
macro_rules! __entry_point {
    ($module:ty) => {
        #[no_mangle]
        pub extern "C" fn _initialize() {
            $crate::entry::start::<$module>();
        }
    };
}

/// The ABI's answer to a stream callback.
const CONTINUE: u32 = 0;
const PAUSE: u32 = 1;

/// Registers module `K` as the VM's module. The host refuses most calls during `_initialize`
/// (Envoy: "restricted_callback"), so the host's log level is read later, in `proxy_on_vm_start`
/// and `proxy_on_configure`.
pub fn start<K: Module>() {
    logger::install();
    VM.with(|vm| *vm.borrow_mut() = Some(Rc::new(Shim::<K>::default())));
}

/// The callbacks of the ABI a module answers, for the module type chosen at `_initialize`.
trait Callbacks {
    fn context_create(&self, id: u32, root: u32);
    fn vm_start(&self, id: u32) -> bool;
    fn configure(&self, id: u32) -> bool;
    fn tick(&self, id: u32);
    fn request_headers(&self, id: u32) -> u32;
    fn response_headers(&self, id: u32) -> u32;
    fn http_call_response(&self, id: u32, token: u32, body_size: usize);
    fn done(&self, id: u32) -> bool;
    fn delete(&self, id: u32);
}

thread_local! {
    static VM: RefCell<Option<Rc<dyn Callbacks>>> = const { RefCell::new(None) };
}

fn with_vm<T>(otherwise: T, callback: impl FnOnce(&dyn Callbacks) -> T) -> T {
    // Cloned out so that a callback may reach the host (which may call back in) without a borrow held.
    match VM.with(|vm| vm.borrow().clone()) {
        Some(vm) => callback(vm.as_ref()),
        None => otherwise,
    }
}

/// Context ids are small integers the host hands out: spread them, nothing more (SipHash on every
/// callback of every request is work for nothing).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8 | u64::from(*byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.0 = u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type ById<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;

struct Stream<K: Module> {
    dispatcher: Rc<Dispatcher<K>>,
    cell: StreamCell<K>,
}

/// One root context per plugin configuration (several plugins may share a VM), one stream per
/// request.
struct Shim<K: Module> {
    roots: RefCell<ById<Rc<Dispatcher<K>>>>,
    streams: RefCell<ById<Stream<K>>>,
}

impl<K: Module> Default for Shim<K> {
    fn default() -> Self {
        Shim { roots: RefCell::default(), streams: RefCell::default() }
    }
}

impl<K: Module> Shim<K> {
    fn root(&self, id: u32) -> Option<Rc<Dispatcher<K>>> {
        let root = self.roots.borrow().get(&id).cloned();
        if root.is_none() {
            log::warn!("sieve.{}: the host named root context {id}, which it never created", K::NAME);
        }
        root
    }

    fn stream(&self, id: u32) -> Option<(Rc<Dispatcher<K>>, StreamCell<K>)> {
        let stream = self.streams.borrow().get(&id).map(|s| (s.dispatcher.clone(), s.cell.clone()));
        if stream.is_none() {
            log::warn!("sieve.{}: the host named stream context {id}, which it never created", K::NAME);
        }
        stream
    }
}

fn flow(flow: Flow) -> u32 {
    match flow {
        Flow::Continue => CONTINUE,
        Flow::Pause => PAUSE,
    }
}

impl<K: Module> Callbacks for Shim<K> {
    fn context_create(&self, id: u32, root: u32) {
        if root == 0 {
            self.roots.borrow_mut().insert(id, Rc::new(Dispatcher::new(id)));
        } else if let Some(dispatcher) = self.root(root) {
            self.streams.borrow_mut().insert(id, Stream { dispatcher, cell: StreamCell::<K>::default() });
        }
    }

    fn vm_start(&self, _id: u32) -> bool {
        logger::follow_host();
        log::debug!("sieve.{}: module {} started", K::NAME, env!("CARGO_PKG_VERSION"));
        true
    }

    fn configure(&self, id: u32) -> bool {
        logger::follow_host();
        let Some(dispatcher) = self.root(id) else { return false };
        let bytes = match abi::plugin_configuration() {
            Ok(bytes) => bytes,
            Err(e) => {
                log::error!("sieve.{}: cannot read the plugin configuration: {e}", K::NAME);
                return false;
            }
        };
        match dispatcher.configure(&mut ProxyHost, &bytes) {
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

    fn tick(&self, id: u32) {
        if let Some(dispatcher) = self.root(id) {
            dispatcher.tick(&mut ProxyHost);
        }
    }

    fn request_headers(&self, id: u32) -> u32 {
        match self.stream(id) {
            Some((dispatcher, cell)) => flow(dispatcher.request_headers(&mut ProxyHost, id, &cell)),
            None => CONTINUE,
        }
    }

    fn response_headers(&self, id: u32) -> u32 {
        match self.stream(id) {
            Some((dispatcher, cell)) => flow(dispatcher.response_headers(&mut ProxyHost, &cell)),
            None => CONTINUE,
        }
    }

    fn http_call_response(&self, id: u32, token: u32, body_size: usize) {
        // The dispatcher owns callouts by token, whichever context the host names.
        let dispatcher = match self.streams.borrow().get(&id) {
            Some(stream) => Some(stream.dispatcher.clone()),
            None => self.roots.borrow().get(&id).cloned(),
        };
        match dispatcher {
            Some(dispatcher) => dispatcher.call_response(&mut ProxyHost, token, body_size),
            None => log::warn!("sieve.{}: a callout answer for context {id}, which it never created", K::NAME),
        }
    }

    fn done(&self, id: u32) -> bool {
        if let Some(stream) = self.streams.borrow().get(&id) {
            stream.dispatcher.done(id);
        }
        true
    }

    fn delete(&self, id: u32) {
        if self.streams.borrow_mut().remove(&id).is_none() {
            self.roots.borrow_mut().remove(&id);
        }
    }
}

/// talc instead of Rust's default dlmalloc: a small allocation and its free cost ~2,000 Wasm
/// instructions under dlmalloc, and a request makes a dozen (sdk-ext/README.md, "The allocator").
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// ---- the exports ----

#[no_mangle]
pub extern "C" fn proxy_abi_version_0_2_1() {}

/// The host's allocations in the VM (headers, bodies and buffers it hands over); freed by the
/// Rust code that takes them over.
#[cfg_attr(target_os = "unknown", export_name = "malloc")]
#[cfg_attr(not(target_os = "unknown"), no_mangle)]
pub extern "C" fn proxy_on_memory_allocate(size: usize) -> *mut u8 {
    let mut buffer: Vec<std::mem::MaybeUninit<u8>> = Vec::with_capacity(size);
    // SAFETY: MaybeUninit bytes need no initialisation; the host writes them before Rust reads.
    unsafe { buffer.set_len(size) };
    Box::into_raw(buffer.into_boxed_slice()).cast::<u8>()
}

#[no_mangle]
pub extern "C" fn proxy_on_context_create(context_id: u32, root_context_id: u32) {
    with_vm((), |vm| vm.context_create(context_id, root_context_id));
}

#[no_mangle]
pub extern "C" fn proxy_on_vm_start(context_id: u32, _vm_configuration_size: usize) -> bool {
    with_vm(false, |vm| vm.vm_start(context_id))
}

#[no_mangle]
pub extern "C" fn proxy_on_configure(context_id: u32, _plugin_configuration_size: usize) -> bool {
    with_vm(false, |vm| vm.configure(context_id))
}

#[no_mangle]
pub extern "C" fn proxy_on_tick(context_id: u32) {
    with_vm((), |vm| vm.tick(context_id));
}

#[no_mangle]
pub extern "C" fn proxy_on_request_headers(context_id: u32, _headers: usize, _end_of_stream: bool) -> u32 {
    with_vm(CONTINUE, |vm| vm.request_headers(context_id))
}

#[no_mangle]
pub extern "C" fn proxy_on_response_headers(context_id: u32, _headers: usize, _end_of_stream: bool) -> u32 {
    with_vm(CONTINUE, |vm| vm.response_headers(context_id))
}

#[no_mangle]
pub extern "C" fn proxy_on_http_call_response(
    context_id: u32,
    token: u32,
    _headers: usize,
    body_size: usize,
    _trailers: usize,
) {
    with_vm((), |vm| vm.http_call_response(context_id, token, body_size));
}

#[no_mangle]
pub extern "C" fn proxy_on_done(context_id: u32) -> bool {
    with_vm(true, |vm| vm.done(context_id))
}

#[no_mangle]
pub extern "C" fn proxy_on_delete(context_id: u32) {
    with_vm((), |vm| vm.delete(context_id));
}

// Callbacks Sieve's filters do not act on: bodies and trailers pass, the rest is a no-op.

#[no_mangle]
pub extern "C" fn proxy_on_request_body(_context_id: u32, _body_size: usize, _end_of_stream: bool) -> u32 {
    CONTINUE
}

#[no_mangle]
pub extern "C" fn proxy_on_request_trailers(_context_id: u32, _trailers: usize) -> u32 {
    CONTINUE
}

#[no_mangle]
pub extern "C" fn proxy_on_response_body(_context_id: u32, _body_size: usize, _end_of_stream: bool) -> u32 {
    CONTINUE
}

#[no_mangle]
pub extern "C" fn proxy_on_response_trailers(_context_id: u32, _trailers: usize) -> u32 {
    CONTINUE
}

#[no_mangle]
pub extern "C" fn proxy_on_log(_context_id: u32) {}

#[no_mangle]
pub extern "C" fn proxy_on_queue_ready(_context_id: u32, _queue_id: u32) {}

/// `log` records to the host's log, at the host's level; a panic's message too, before the VM dies.
mod logger {
    use crate::host::abi;

    struct HostLog;

    static HOST_LOG: HostLog = HostLog;

    impl log::Log for HostLog {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.level() <= log::max_level()
        }

        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                let level = match record.level() {
                    log::Level::Trace => 0,
                    log::Level::Debug => 1,
                    log::Level::Info => 2,
                    log::Level::Warn => 3,
                    log::Level::Error => 4,
                };
                abi::log(level, &record.args().to_string());
            }
        }

        fn flush(&self) {}
    }

    pub fn install() {
        // Only the first module start in a VM installs it; a second is harmless.
        if log::set_logger(&HOST_LOG).is_ok() {
            log::set_max_level(log::LevelFilter::Info);
            std::panic::set_hook(Box::new(|panic| abi::log(5, &panic.to_string())));
        }
    }

    /// Disabled log levels must cost nothing: follow the host's level instead of a fixed one.
    pub fn follow_host() {
        let filter = match abi::log_level() {
            Ok(0) => log::LevelFilter::Trace,
            Ok(1) => log::LevelFilter::Debug,
            Ok(2) | Err(_) => log::LevelFilter::Info,
            Ok(3) => log::LevelFilter::Warn,
            Ok(4) => log::LevelFilter::Error,
            Ok(_) => log::LevelFilter::Off,
        };
        log::set_max_level(filter);
    }
}
