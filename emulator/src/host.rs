//! The host side of the ABI: the state a VM sees, and every host call the emulator implements.

use crate::abi::{self, BufferType, LogLevel, MapType, MetricKind, Status};
use crate::shared::{SetError, SharedData};
use crate::{CallAnswer, LocalReply, LogRecord, PendingCall};
use std::collections::BTreeMap;
use wasmi::{Caller, Extern, Linker, Memory, Val, ValType};

/// Which callback the host is running: decides which header maps and buffers exist, as in Envoy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Idle,
    Initialize,
    VmStart,
    Configure,
    Tick,
    QueueReady,
    RequestHeaders,
    RequestBody,
    RequestTrailers,
    ResponseHeaders,
    ResponseBody,
    ResponseTrailers,
    CallResponse,
    Done,
    Log,
    Delete,
}

impl Phase {
    pub(crate) fn callback(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Initialize => "_initialize",
            Phase::VmStart => "proxy_on_vm_start",
            Phase::Configure => "proxy_on_configure",
            Phase::Tick => "proxy_on_tick",
            Phase::QueueReady => "proxy_on_queue_ready",
            Phase::RequestHeaders => "proxy_on_request_headers",
            Phase::RequestBody => "proxy_on_request_body",
            Phase::RequestTrailers => "proxy_on_request_trailers",
            Phase::ResponseHeaders => "proxy_on_response_headers",
            Phase::ResponseBody => "proxy_on_response_body",
            Phase::ResponseTrailers => "proxy_on_response_trailers",
            Phase::CallResponse => "proxy_on_http_call_response",
            Phase::Done => "proxy_on_done",
            Phase::Log => "proxy_on_log",
            Phase::Delete => "proxy_on_delete",
        }
    }
}

/// Where a request stands, from the client's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    /// Created; no headers delivered yet.
    New,
    /// A callback returned `Pause`: the host waits for `proxy_continue_stream` or a local reply.
    Paused,
    /// The request went on to the upstream.
    Forwarded,
    /// The filter answered with a local reply.
    Replied,
    /// The filter closed (reset) the stream.
    Reset,
}

/// One HTTP stream (an HTTP context and what the host holds for it).
#[derive(Debug, Clone)]
pub struct Stream {
    pub(crate) root_id: u32,
    pub(crate) request_headers: Vec<(String, String)>,
    pub(crate) request_body: Vec<u8>,
    pub(crate) request_trailers: Vec<(String, String)>,
    pub(crate) response_headers: Vec<(String, String)>,
    pub(crate) response_body: Vec<u8>,
    pub(crate) response_trailers: Vec<(String, String)>,
    /// Envoy hands out the request headers only until the filter lets them go.
    pub(crate) request_headers_held: bool,
    pub(crate) response_headers_held: bool,
    pub(crate) state: RequestState,
    pub(crate) response_resumed: bool,
    pub(crate) local_reply: Option<LocalReply>,
    /// The local reply went back through the filter's response callbacks, as Envoy sends it.
    pub(crate) reply_encoded: bool,
    pub(crate) properties: BTreeMap<String, Vec<u8>>,
}

impl Stream {
    pub(crate) fn new(root_id: u32) -> Stream {
        Stream {
            root_id,
            request_headers: Vec::new(),
            request_body: Vec::new(),
            request_trailers: Vec::new(),
            response_headers: Vec::new(),
            response_body: Vec::new(),
            response_trailers: Vec::new(),
            request_headers_held: false,
            response_headers_held: false,
            state: RequestState::New,
            response_resumed: false,
            local_reply: None,
            reply_encoded: false,
            properties: BTreeMap::new(),
        }
    }

    /// The request headers as the upstream would receive them (after the filter's changes).
    pub fn request_headers(&self) -> &[(String, String)] {
        &self.request_headers
    }

    /// The first value of a request header (names are case-insensitive).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find(&self.request_headers, name)
    }

    /// Every value of a request header, in order.
    pub fn request_header_values(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.request_headers.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn request_body(&self) -> &[u8] {
        &self.request_body
    }

    /// The response headers as the client would receive them.
    pub fn response_headers(&self) -> &[(String, String)] {
        &self.response_headers
    }

    pub fn response_header(&self, name: &str) -> Option<&str> {
        find(&self.response_headers, name)
    }

    pub fn response_body(&self) -> &[u8] {
        &self.response_body
    }

    pub fn state(&self) -> RequestState {
        self.state
    }

    pub fn local_reply(&self) -> Option<&LocalReply> {
        self.local_reply.as_ref()
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// A defined metric.
#[derive(Debug, Clone)]
pub(crate) struct Metric {
    pub name: String,
    pub kind: MetricKind,
    pub value: i64,
    /// Histograms: every recorded value.
    pub samples: Vec<u64>,
}

/// A root context's timer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timer {
    pub period_nanos: u64,
    pub next_due: u64,
}

/// Everything the host keeps for one VM.
pub(crate) struct HostState {
    /// Process-unique number of this emulator (owner of shared queues).
    pub emulator_id: u64,
    pub vm_id: String,
    pub plugin_name: String,
    pub root_id_name: String,
    pub plugin_config: Vec<u8>,
    pub vm_config: Vec<u8>,
    pub log_level: LogLevel,
    pub echo_logs: bool,
    pub logs: Vec<LogRecord>,
    pub now_nanos: u64,
    pub timers: BTreeMap<u32, Timer>,
    pub phase: Phase,
    /// The context the current callback runs for (or the one set effective).
    pub current: u32,
    pub roots: Vec<u32>,
    pub streams: BTreeMap<u32, Stream>,
    /// The answer being delivered by `proxy_on_http_call_response`.
    pub call_answer: Option<CallAnswer>,
    pub calls: BTreeMap<u32, PendingCall>,
    pub next_token: u32,
    pub clusters: Option<Vec<String>>,
    pub metrics: Vec<Metric>,
    pub properties: BTreeMap<String, Vec<u8>>,
    pub shared: SharedData,
    /// Imports the module called that the emulator does not implement.
    pub unimplemented: Vec<String>,
    pub random_state: u64,
    /// The first host-side reason a call failed hard (e.g. a restricted call during `_initialize`).
    pub host_failure: Option<String>,
    /// How many times each host call was made (what a request costs in host calls).
    pub call_counts: BTreeMap<&'static str, u64>,
}

impl HostState {
    fn log(&mut self, level: LogLevel, message: String) {
        if level < self.log_level {
            return;
        }
        if self.echo_logs {
            eprintln!("[emulator {level:?}] {message}");
        }
        self.logs.push(LogRecord { level, message });
    }

    fn stream(&self) -> Option<&Stream> {
        self.streams.get(&self.current)
    }

    fn stream_mut(&mut self) -> Option<&mut Stream> {
        self.streams.get_mut(&self.current)
    }

    fn in_log_phase(&self) -> bool {
        self.phase == Phase::Log
    }

    fn map(&self, map: MapType) -> Result<&Vec<(String, String)>, Status> {
        if map == MapType::CallResponseHeaders || map == MapType::CallResponseTrailers {
            let answer = self.call_answer.as_ref().ok_or(Status::NotFound)?;
            return Ok(if map == MapType::CallResponseHeaders { &answer.headers } else { &answer.trailers });
        }
        let log_phase = self.in_log_phase();
        let stream = self.stream().ok_or(Status::BadArgument)?;
        match map {
            MapType::RequestHeaders if stream.request_headers_held || log_phase => Ok(&stream.request_headers),
            MapType::ResponseHeaders if stream.response_headers_held || log_phase => Ok(&stream.response_headers),
            MapType::RequestTrailers if self.phase == Phase::RequestTrailers => Ok(&stream.request_trailers),
            MapType::ResponseTrailers if self.phase == Phase::ResponseTrailers => Ok(&stream.response_trailers),
            _ => Err(Status::BadArgument),
        }
    }

    fn map_mut(&mut self, map: MapType) -> Result<&mut Vec<(String, String)>, Status> {
        let phase = self.phase;
        let stream = self.stream_mut().ok_or(Status::BadArgument)?;
        match map {
            MapType::RequestHeaders if stream.request_headers_held => Ok(&mut stream.request_headers),
            MapType::ResponseHeaders if stream.response_headers_held => Ok(&mut stream.response_headers),
            MapType::RequestTrailers if phase == Phase::RequestTrailers => Ok(&mut stream.request_trailers),
            MapType::ResponseTrailers if phase == Phase::ResponseTrailers => Ok(&mut stream.response_trailers),
            _ => Err(Status::BadArgument),
        }
    }

    fn buffer(&self, buffer: BufferType) -> Result<&[u8], Status> {
        match buffer {
            BufferType::PluginConfiguration => Ok(&self.plugin_config),
            BufferType::VmConfiguration => Ok(&self.vm_config),
            BufferType::HttpCallResponseBody => {
                self.call_answer.as_ref().map(|a| a.body.as_slice()).ok_or(Status::NotFound)
            }
            BufferType::HttpRequestBody if self.phase == Phase::RequestBody => {
                self.stream().map(|s| s.request_body.as_slice()).ok_or(Status::NotFound)
            }
            BufferType::HttpResponseBody if self.phase == Phase::ResponseBody => {
                self.stream().map(|s| s.response_body.as_slice()).ok_or(Status::NotFound)
            }
            _ => Err(Status::NotFound),
        }
    }

    fn buffer_mut(&mut self, buffer: BufferType) -> Result<&mut Vec<u8>, Status> {
        let phase = self.phase;
        let stream = self.stream_mut().ok_or(Status::NotFound)?;
        match buffer {
            BufferType::HttpRequestBody if phase == Phase::RequestBody => Ok(&mut stream.request_body),
            BufferType::HttpResponseBody if phase == Phase::ResponseBody => Ok(&mut stream.response_body),
            _ => Err(Status::NotFound),
        }
    }

    fn property(&self, path: &str) -> Option<Vec<u8>> {
        if let Some(value) = self.stream().and_then(|s| s.properties.get(path)) {
            return Some(value.clone());
        }
        if let Some(value) = self.properties.get(path) {
            return Some(value.clone());
        }
        match path {
            "plugin_name" => Some(self.plugin_name.clone().into_bytes()),
            "plugin_root_id" => Some(self.root_id_name.clone().into_bytes()),
            "plugin_vm_id" => Some(self.vm_id.clone().into_bytes()),
            _ => None,
        }
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: deterministic per seed, which keeps emulator runs repeatable.
        let mut x = self.random_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random_state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// A host call's access to the module: its memory and its allocator.
struct Guest<'a, 'b> {
    caller: &'a mut Caller<'b, HostState>,
    memory: Memory,
}

type HostResult = Result<i32, wasmi::Error>;

fn status(code: Status) -> HostResult {
    Ok(code as i32)
}

impl<'a, 'b> Guest<'a, 'b> {
    fn new(caller: &'a mut Caller<'b, HostState>) -> Result<Self, Status> {
        let memory = caller.get_export("memory").and_then(Extern::into_memory).ok_or(Status::InternalFailure)?;
        Ok(Guest { caller, memory })
    }

    fn state(&mut self) -> &mut HostState {
        self.caller.data_mut()
    }

    fn read(&self, ptr: i32, len: i32) -> Result<Vec<u8>, Status> {
        let mut buffer = vec![0u8; len as u32 as usize];
        self.memory.read(&*self.caller, ptr as u32 as usize, &mut buffer).map_err(|_| Status::InvalidMemoryAccess)?;
        Ok(buffer)
    }

    fn read_string(&self, ptr: i32, len: i32) -> Result<String, Status> {
        Ok(String::from_utf8_lossy(&self.read(ptr, len)?).into_owned())
    }

    fn write(&mut self, ptr: i32, bytes: &[u8]) -> Result<(), Status> {
        self.memory.write(&mut *self.caller, ptr as u32 as usize, bytes).map_err(|_| Status::InvalidMemoryAccess)
    }

    fn write_u32(&mut self, ptr: i32, value: u32) -> Result<(), Status> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Copies `bytes` into memory the module allocates, and writes where and how long to the
    /// return pointers. Like Envoy, an empty value comes back as a null pointer.
    fn give(&mut self, bytes: &[u8], ptr_ptr: i32, size_ptr: i32) -> Result<Result<(), Status>, wasmi::Error> {
        let mut address = 0u32;
        if !bytes.is_empty() {
            let allocate = self
                .caller
                .get_export("proxy_on_memory_allocate")
                .or_else(|| self.caller.get_export("malloc"))
                .and_then(Extern::into_func);
            let Some(allocate) = allocate else { return Ok(Err(Status::InternalFailure)) };
            let allocate = allocate.typed::<i32, i32>(&*self.caller)?;
            address = allocate.call(&mut *self.caller, bytes.len() as i32)? as u32;
            if address == 0 {
                return Ok(Err(Status::InternalFailure));
            }
            if let Err(code) = self.write(address as i32, bytes) {
                return Ok(Err(code));
            }
        }
        if let Err(code) = self.write_u32(ptr_ptr, address) {
            return Ok(Err(code));
        }
        Ok(self.write_u32(size_ptr, bytes.len() as u32))
    }
}

/// Runs a host call body that may fail with a status; converts the outcome to the ABI's code.
macro_rules! host_call {
    ($caller:ident, $name:literal, |$guest:ident| $body:block) => {{
        restricted(&mut $caller, $name)?;
        *$caller.data_mut().call_counts.entry($name).or_insert(0) += 1;
        let mut $guest = match Guest::new(&mut $caller) {
            Ok(guest) => guest,
            Err(code) => return status(code),
        };
        // A closure, so that the body can stop early with `?` and `check!`.
        #[allow(clippy::redundant_closure_call)]
        let outcome: Result<Result<(), Status>, wasmi::Error> = (|| $body)();
        match outcome {
            Ok(Ok(())) => status(Status::Ok),
            Ok(Err(code)) => status(code),
            Err(error) => Err(error),
        }
    }};
}

/// Shorthand inside `host_call!` bodies: stop with a status.
macro_rules! check {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(code) => return Ok(Err(code)),
        }
    };
}

/// Envoy refuses host calls while the module's `_initialize` runs ("restricted_callback") and
/// fails the VM; the emulator does the same so that a filter that would not load is caught here.
fn restricted(caller: &mut Caller<'_, HostState>, name: &str) -> Result<(), wasmi::Error> {
    if caller.data().phase == Phase::Initialize {
        let reason = format!("restricted_callback: {name} may not be called during _initialize");
        caller.data_mut().host_failure.get_or_insert(reason.clone());
        return Err(wasmi::Error::new(reason));
    }
    Ok(())
}

/// Host calls the emulator implements, with what they do; the README's coverage table lists them.
pub const IMPLEMENTED: &[(&str, &str)] = &[
    ("proxy_log", "captured; `logs()`; below the configured level dropped, as in Envoy"),
    ("proxy_get_log_level", "the level set with `log_level` (default Info, Envoy's default)"),
    ("proxy_get_current_time_nanoseconds", "the emulated clock: starts at the real time, moves with `advance`"),
    ("proxy_set_tick_period_milliseconds", "per root context; `advance` fires due ticks, `tick` fires one now"),
    ("proxy_get_buffer_bytes", "plugin and VM configuration, request/response bodies (in their callbacks), callout bodies"),
    ("proxy_set_buffer_bytes", "request/response bodies in their callbacks"),
    ("proxy_get_header_map_pairs", "request/response headers and trailers, callout response headers and trailers"),
    ("proxy_set_header_map_pairs", "request/response headers and trailers"),
    ("proxy_get_header_map_value", "first value, as Envoy; names case-insensitive"),
    ("proxy_replace_header_map_value", "replaces every value, or adds"),
    ("proxy_remove_header_map_value", "removes every value"),
    ("proxy_add_header_map_value", "appends"),
    ("proxy_get_property", "per-request and per-VM properties set by the test; `plugin_name`, `plugin_root_id`, `plugin_vm_id`"),
    ("proxy_set_property", "stored for the request (or the VM from a root context)"),
    ("proxy_get_shared_data", "shared across emulators given the same `SharedData`"),
    ("proxy_set_shared_data", "with Envoy's CAS rule (0 always writes)"),
    ("proxy_register_shared_queue", "per VM id"),
    ("proxy_resolve_shared_queue", "per VM id"),
    ("proxy_enqueue_shared_queue", "the owner's `proxy_on_queue_ready` runs after the current call returns"),
    ("proxy_dequeue_shared_queue", "`Empty` when drained"),
    ("proxy_continue_stream", "resumes a paused request or response"),
    ("proxy_close_stream", "resets the request"),
    ("proxy_send_local_response", "recorded as the request's local reply"),
    ("proxy_http_call", "recorded as a pending call; Envoy's checks: known cluster, `:method`, `:path`, `:authority`; `advance` past its timeout answers 504 as Envoy's router does"),
    ("proxy_set_effective_context", "switches the context later host calls act on"),
    ("proxy_done", "accepted"),
    ("proxy_define_metric", "counters, gauges, histograms; `metric(name)`"),
    ("proxy_increment_metric", "counters refuse negative steps, as in Envoy"),
    ("proxy_record_metric", "gauges set, histograms record, counters add"),
    ("proxy_get_metric", "counters and gauges"),
    ("wasi random_get", "deterministic bytes from `random_seed` (Envoy: real random bytes)"),
    ("wasi fd_write", "stdout and stderr captured as Info and Error logs"),
    ("wasi clock_time_get", "the emulated clock"),
    ("wasi environ_get, environ_sizes_get, args_get, args_sizes_get", "empty"),
    ("wasi proc_exit", "traps with the exit code"),
];

/// Host calls in the ABI that the emulator answers with `Unimplemented` (and records, see
/// `unimplemented_calls()`): none of Sieve's filters uses them.
pub const NOT_IMPLEMENTED: &[(&str, &str)] = &[
    ("proxy_grpc_call, proxy_grpc_stream, proxy_grpc_send, proxy_grpc_cancel, proxy_grpc_close", "gRPC callouts"),
    ("proxy_get_status", "gRPC status of a callout"),
    ("proxy_call_foreign_function", "Envoy's foreign functions (e.g. compress, expression evaluation)"),
    ("proxy_on_new_connection and the other network-filter callbacks", "TCP filters: the emulator drives HTTP"),
    ("any other import", "answered with `Unimplemented` when its result is an i32, or a no-op"),
];

pub(crate) fn define(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
    define_logging_and_time(linker)?;
    define_buffers_and_maps(linker)?;
    define_properties_and_shared(linker)?;
    define_streams_and_calls(linker)?;
    define_metrics(linker)?;
    define_wasi(linker)?;
    Ok(())
}

fn define_logging_and_time(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
    linker.func_wrap("env", "proxy_log", |mut caller: Caller<'_, HostState>, level: i32, ptr: i32, len: i32| {
        host_call!(caller, "proxy_log", |guest| {
            let level = check!(LogLevel::from_i32(level).ok_or(Status::BadArgument));
            let message = check!(guest.read_string(ptr, len));
            guest.state().log(level, message);
            Ok(Ok(()))
        })
    })?;
    linker.func_wrap("env", "proxy_get_log_level", |mut caller: Caller<'_, HostState>, ptr: i32| {
        host_call!(caller, "proxy_get_log_level", |guest| {
            let level = guest.state().log_level as u32;
            Ok(guest.write_u32(ptr, level))
        })
    })?;
    linker.func_wrap("env", "proxy_get_current_time_nanoseconds", |mut caller: Caller<'_, HostState>, ptr: i32| {
        host_call!(caller, "proxy_get_current_time_nanoseconds", |guest| {
            let now = guest.state().now_nanos;
            Ok(guest.write(ptr, &now.to_le_bytes()))
        })
    })?;
    linker.func_wrap(
        "env",
        "proxy_set_tick_period_milliseconds",
        |mut caller: Caller<'_, HostState>, period: i32| {
            host_call!(caller, "proxy_set_tick_period_milliseconds", |guest| {
                let state = guest.state();
                let root = state.current;
                if !state.roots.contains(&root) {
                    return Ok(Err(Status::BadArgument));
                }
                if period == 0 {
                    state.timers.remove(&root);
                } else {
                    let period_nanos = u64::from(period as u32) * 1_000_000;
                    state
                        .timers
                        .insert(root, crate::host::Timer { period_nanos, next_due: state.now_nanos + period_nanos });
                }
                Ok(Ok(()))
            })
        },
    )?;
    Ok(())
}

fn define_buffers_and_maps(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
    linker.func_wrap(
        "env",
        "proxy_get_buffer_bytes",
        |mut caller: Caller<'_, HostState>, kind: i32, start: i32, max: i32, ptr_ptr: i32, size_ptr: i32| {
            host_call!(caller, "proxy_get_buffer_bytes", |guest| {
                let kind = check!(BufferType::from_i32(kind).ok_or(Status::BadArgument));
                let (start, max) = (start as u32 as usize, max as u32 as usize);
                let buffer = check!(guest.state().buffer(kind));
                if start > buffer.len() {
                    return Ok(Err(Status::BadArgument));
                }
                let end = start.saturating_add(max).min(buffer.len());
                let bytes = buffer.get(start..end).unwrap_or_default().to_vec();
                guest.give(&bytes, ptr_ptr, size_ptr)
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_buffer_bytes",
        |mut caller: Caller<'_, HostState>, kind: i32, start: i32, size: i32, ptr: i32, len: i32| {
            host_call!(caller, "proxy_set_buffer_bytes", |guest| {
                let kind = check!(BufferType::from_i32(kind).ok_or(Status::BadArgument));
                let bytes = check!(guest.read(ptr, len));
                let buffer = check!(guest.state().buffer_mut(kind));
                let start = (start as u32 as usize).min(buffer.len());
                let end = start.saturating_add(size as u32 as usize).min(buffer.len());
                buffer.splice(start..end, bytes);
                Ok(Ok(()))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_pairs",
        |mut caller: Caller<'_, HostState>, map: i32, ptr_ptr: i32, size_ptr: i32| {
            host_call!(caller, "proxy_get_header_map_pairs", |guest| {
                let map = check!(MapType::from_i32(map).ok_or(Status::BadArgument));
                let encoded = abi::encode_pairs(check!(guest.state().map(map)));
                guest.give(&encoded, ptr_ptr, size_ptr)
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_header_map_pairs",
        |mut caller: Caller<'_, HostState>, map: i32, ptr: i32, len: i32| {
            host_call!(caller, "proxy_set_header_map_pairs", |guest| {
                let map = check!(MapType::from_i32(map).ok_or(Status::BadArgument));
                let bytes = check!(guest.read(ptr, len));
                let pairs = check!(abi::decode_pairs(&bytes).ok_or(Status::ParseFailure));
                let target = check!(guest.state().map_mut(map));
                *target = pairs.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
                Ok(Ok(()))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_value",
        |mut caller: Caller<'_, HostState>, map: i32, key_ptr: i32, key_len: i32, ptr_ptr: i32, size_ptr: i32| {
            host_call!(caller, "proxy_get_header_map_value", |guest| {
                let map = check!(MapType::from_i32(map).ok_or(Status::BadArgument));
                let key = check!(guest.read_string(key_ptr, key_len));
                let pairs = check!(guest.state().map(map));
                let value = check!(find(pairs, &key).map(str::to_owned).ok_or(Status::NotFound));
                guest.give(value.as_bytes(), ptr_ptr, size_ptr)
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_replace_header_map_value",
        |mut caller: Caller<'_, HostState>, map: i32, key_ptr: i32, key_len: i32, ptr: i32, len: i32| {
            host_call!(caller, "proxy_replace_header_map_value", |guest| {
                let map = check!(MapType::from_i32(map).ok_or(Status::BadArgument));
                let key = check!(guest.read_string(key_ptr, key_len)).to_ascii_lowercase();
                let value = check!(guest.read_string(ptr, len));
                let pairs = check!(guest.state().map_mut(map));
                match pairs.iter().position(|(k, _)| *k == key) {
                    Some(first) => {
                        let mut index = 0;
                        pairs.retain(|(k, _)| {
                            let keep = *k != key || index == first;
                            index += 1;
                            keep
                        });
                        if let Some(pair) = pairs.get_mut(first) {
                            pair.1 = value;
                        }
                    }
                    None => pairs.push((key, value)),
                }
                Ok(Ok(()))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_remove_header_map_value",
        |mut caller: Caller<'_, HostState>, map: i32, key_ptr: i32, key_len: i32| {
            host_call!(caller, "proxy_remove_header_map_value", |guest| {
                let map = check!(MapType::from_i32(map).ok_or(Status::BadArgument));
                let key = check!(guest.read_string(key_ptr, key_len)).to_ascii_lowercase();
                check!(guest.state().map_mut(map)).retain(|(k, _)| *k != key);
                Ok(Ok(()))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_add_header_map_value",
        |mut caller: Caller<'_, HostState>, map: i32, key_ptr: i32, key_len: i32, ptr: i32, len: i32| {
            host_call!(caller, "proxy_add_header_map_value", |guest| {
                let map = check!(MapType::from_i32(map).ok_or(Status::BadArgument));
                let key = check!(guest.read_string(key_ptr, key_len)).to_ascii_lowercase();
                let value = check!(guest.read_string(ptr, len));
                check!(guest.state().map_mut(map)).push((key, value));
                Ok(Ok(()))
            })
        },
    )?;
    Ok(())
}

fn define_properties_and_shared(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
    linker.func_wrap(
        "env",
        "proxy_get_property",
        |mut caller: Caller<'_, HostState>, path_ptr: i32, path_len: i32, ptr_ptr: i32, size_ptr: i32| {
            host_call!(caller, "proxy_get_property", |guest| {
                let path = abi::decode_property_path(&check!(guest.read(path_ptr, path_len)));
                let value = check!(guest.state().property(&path).ok_or(Status::NotFound));
                guest.give(&value, ptr_ptr, size_ptr)
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_property",
        |mut caller: Caller<'_, HostState>, path_ptr: i32, path_len: i32, ptr: i32, len: i32| {
            host_call!(caller, "proxy_set_property", |guest| {
                let path = abi::decode_property_path(&check!(guest.read(path_ptr, path_len)));
                let value = check!(guest.read(ptr, len));
                let state = guest.state();
                match state.stream_mut() {
                    Some(stream) => stream.properties.insert(path, value),
                    None => state.properties.insert(path, value),
                };
                Ok(Ok(()))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_shared_data",
        |mut caller: Caller<'_, HostState>, key_ptr: i32, key_len: i32, ptr_ptr: i32, size_ptr: i32, cas_ptr: i32| {
            host_call!(caller, "proxy_get_shared_data", |guest| {
                let key = check!(guest.read_string(key_ptr, key_len));
                let (value, cas) = check!(guest.state().shared.get(&key).ok_or(Status::NotFound));
                check!(guest.give(&value, ptr_ptr, size_ptr)?);
                Ok(guest.write_u32(cas_ptr, cas))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_shared_data",
        |mut caller: Caller<'_, HostState>, key_ptr: i32, key_len: i32, ptr: i32, len: i32, cas: i32| {
            host_call!(caller, "proxy_set_shared_data", |guest| {
                let key = check!(guest.read_string(key_ptr, key_len));
                let value = check!(guest.read(ptr, len));
                Ok(match guest.state().shared.set(&key, value, cas as u32) {
                    Ok(()) => Ok(()),
                    Err(SetError::CasMismatch) => Err(Status::CasMismatch),
                })
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_register_shared_queue",
        |mut caller: Caller<'_, HostState>, name_ptr: i32, name_len: i32, id_ptr: i32| {
            host_call!(caller, "proxy_register_shared_queue", |guest| {
                let name = check!(guest.read_string(name_ptr, name_len));
                let state = guest.state();
                let root = state.streams.get(&state.current).map(|s| s.root_id).unwrap_or(state.current);
                let id = state.shared.register_queue(&state.vm_id.clone(), &name, (state.emulator_id, root));
                Ok(guest.write_u32(id_ptr, id))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_resolve_shared_queue",
        |mut caller: Caller<'_, HostState>, vm_ptr: i32, vm_len: i32, name_ptr: i32, name_len: i32, id_ptr: i32| {
            host_call!(caller, "proxy_resolve_shared_queue", |guest| {
                let vm_id = check!(guest.read_string(vm_ptr, vm_len));
                let name = check!(guest.read_string(name_ptr, name_len));
                let id = check!(guest.state().shared.resolve_queue(&vm_id, &name).ok_or(Status::NotFound));
                Ok(guest.write_u32(id_ptr, id))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_enqueue_shared_queue",
        |mut caller: Caller<'_, HostState>, id: i32, ptr: i32, len: i32| {
            host_call!(caller, "proxy_enqueue_shared_queue", |guest| {
                let value = check!(guest.read(ptr, len));
                Ok(if guest.state().shared.enqueue(id as u32, value) { Ok(()) } else { Err(Status::NotFound) })
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_dequeue_shared_queue",
        |mut caller: Caller<'_, HostState>, id: i32, ptr_ptr: i32, size_ptr: i32| {
            host_call!(caller, "proxy_dequeue_shared_queue", |guest| {
                let item = check!(guest.state().shared.dequeue(id as u32).ok_or(Status::NotFound));
                let value = check!(item.ok_or(Status::Empty));
                guest.give(&value, ptr_ptr, size_ptr)
            })
        },
    )?;
    Ok(())
}

fn define_streams_and_calls(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
    linker.func_wrap("env", "proxy_continue_stream", |mut caller: Caller<'_, HostState>, stream: i32| {
        host_call!(caller, "proxy_continue_stream", |guest| {
            let current = check!(guest.state().stream_mut().ok_or(Status::BadArgument));
            match stream {
                0 => {
                    if current.state == RequestState::Paused || current.state == RequestState::New {
                        current.state = RequestState::Forwarded;
                    }
                    current.request_headers_held = false;
                }
                1 => {
                    current.response_resumed = true;
                    current.response_headers_held = false;
                }
                _ => return Ok(Err(Status::BadArgument)),
            }
            Ok(Ok(()))
        })
    })?;
    linker.func_wrap("env", "proxy_close_stream", |mut caller: Caller<'_, HostState>, _stream: i32| {
        host_call!(caller, "proxy_close_stream", |guest| {
            let current = check!(guest.state().stream_mut().ok_or(Status::BadArgument));
            current.state = RequestState::Reset;
            current.request_headers_held = false;
            current.response_headers_held = false;
            Ok(Ok(()))
        })
    })?;
    linker.func_wrap(
        "env",
        "proxy_send_local_response",
        |mut caller: Caller<'_, HostState>,
         status_code: i32,
         details_ptr: i32,
         details_len: i32,
         body_ptr: i32,
         body_len: i32,
         headers_ptr: i32,
         headers_len: i32,
         grpc_status: i32| {
            host_call!(caller, "proxy_send_local_response", |guest| {
                let details = check!(guest.read_string(details_ptr, details_len));
                let body = check!(guest.read(body_ptr, body_len));
                let headers = check!(guest.read(headers_ptr, headers_len));
                let headers = check!(abi::decode_pairs(&headers).ok_or(Status::ParseFailure));
                let stream = check!(guest.state().stream_mut().ok_or(Status::BadArgument));
                if stream.local_reply.is_none() {
                    stream.local_reply = Some(LocalReply {
                        status: status_code as u32,
                        // Envoy keeps response-code details free of spaces.
                        details: details.replace(' ', "_"),
                        body,
                        headers: headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect(),
                        grpc_status: (grpc_status >= 0).then_some(grpc_status),
                    });
                }
                stream.state = RequestState::Replied;
                stream.request_headers_held = false;
                Ok(Ok(()))
            })
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_http_call",
        |mut caller: Caller<'_, HostState>,
         upstream_ptr: i32,
         upstream_len: i32,
         headers_ptr: i32,
         headers_len: i32,
         body_ptr: i32,
         body_len: i32,
         trailers_ptr: i32,
         trailers_len: i32,
         timeout_ms: i32,
         token_ptr: i32| {
            host_call!(caller, "proxy_http_call", |guest| {
                let upstream = check!(guest.read_string(upstream_ptr, upstream_len));
                let headers = check!(
                    abi::decode_pairs(&check!(guest.read(headers_ptr, headers_len))).ok_or(Status::ParseFailure)
                );
                let body = check!(guest.read(body_ptr, body_len));
                let trailers = check!(
                    abi::decode_pairs(&check!(guest.read(trailers_ptr, trailers_len))).ok_or(Status::ParseFailure)
                );
                let state = guest.state();
                if state.clusters.as_ref().is_some_and(|known| !known.contains(&upstream)) {
                    return Ok(Err(Status::BadArgument));
                }
                // Envoy refuses a callout without these.
                if [":method", ":path", ":authority"].iter().any(|name| find(&headers, name).is_none()) {
                    return Ok(Err(Status::BadArgument));
                }
                let token = state.next_token;
                state.next_token = state.next_token.wrapping_add(1).max(1);
                let timeout_ms = u64::from(timeout_ms as u32);
                state.calls.insert(
                    token,
                    PendingCall {
                        token,
                        context_id: state.current,
                        upstream,
                        headers,
                        body,
                        trailers,
                        timeout_ms,
                        deadline_nanos: state.now_nanos + timeout_ms * 1_000_000,
                    },
                );
                Ok(guest.write_u32(token_ptr, token))
            })
        },
    )?;
    linker.func_wrap("env", "proxy_set_effective_context", |mut caller: Caller<'_, HostState>, context: i32| {
        host_call!(caller, "proxy_set_effective_context", |guest| {
            let state = guest.state();
            let context = context as u32;
            if !state.streams.contains_key(&context) && !state.roots.contains(&context) {
                return Ok(Err(Status::BadArgument));
            }
            state.current = context;
            Ok(Ok(()))
        })
    })?;
    linker.func_wrap("env", "proxy_done", |mut caller: Caller<'_, HostState>| {
        host_call!(caller, "proxy_done", |_guest| { Ok(Ok(())) })
    })?;
    Ok(())
}

fn define_metrics(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
    linker.func_wrap(
        "env",
        "proxy_define_metric",
        |mut caller: Caller<'_, HostState>, kind: i32, name_ptr: i32, name_len: i32, id_ptr: i32| {
            host_call!(caller, "proxy_define_metric", |guest| {
                let kind = check!(MetricKind::from_i32(kind).ok_or(Status::BadArgument));
                let name = check!(guest.read_string(name_ptr, name_len));
                let metrics = &mut guest.state().metrics;
                let index = match metrics.iter().position(|m| m.name == name && m.kind == kind) {
                    Some(index) => index,
                    None => {
                        metrics.push(Metric { name, kind, value: 0, samples: Vec::new() });
                        metrics.len() - 1
                    }
                };
                Ok(guest.write_u32(id_ptr, index as u32 + 1))
            })
        },
    )?;
    linker.func_wrap("env", "proxy_increment_metric", |mut caller: Caller<'_, HostState>, id: i32, offset: i64| {
        host_call!(caller, "proxy_increment_metric", |guest| {
            let metric = check!(metric_mut(guest.state(), id));
            match metric.kind {
                MetricKind::Counter if offset < 0 => return Ok(Err(Status::BadArgument)),
                MetricKind::Histogram => return Ok(Err(Status::BadArgument)),
                _ => metric.value = metric.value.saturating_add(offset),
            }
            Ok(Ok(()))
        })
    })?;
    linker.func_wrap("env", "proxy_record_metric", |mut caller: Caller<'_, HostState>, id: i32, value: i64| {
        host_call!(caller, "proxy_record_metric", |guest| {
            let metric = check!(metric_mut(guest.state(), id));
            match metric.kind {
                MetricKind::Counter => metric.value = metric.value.saturating_add(value),
                MetricKind::Gauge => metric.value = value,
                MetricKind::Histogram => metric.samples.push(value as u64),
            }
            Ok(Ok(()))
        })
    })?;
    linker.func_wrap("env", "proxy_get_metric", |mut caller: Caller<'_, HostState>, id: i32, ptr: i32| {
        host_call!(caller, "proxy_get_metric", |guest| {
            let metric = check!(metric_mut(guest.state(), id));
            if metric.kind == MetricKind::Histogram {
                return Ok(Err(Status::BadArgument));
            }
            let value = metric.value;
            Ok(guest.write(ptr, &value.to_le_bytes()))
        })
    })?;
    Ok(())
}

fn metric_mut(state: &mut HostState, id: i32) -> Result<&mut Metric, Status> {
    state.metrics.get_mut((id as u32 as usize).wrapping_sub(1)).ok_or(Status::NotFound)
}

const WASI: &str = "wasi_snapshot_preview1";

/// WASI calls: Envoy gives every module these, `wasm32-unknown-unknown` ones included.
fn define_wasi(linker: &mut Linker<HostState>) -> Result<(), wasmi::Error> {
    // WASI errno values: 0 success, 8 EBADF, 21 EFAULT (bad memory), 28 EINVAL.
    linker.func_wrap(WASI, "random_get", |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
        let Ok(mut guest) = Guest::new(&mut caller) else { return Ok(21) };
        let mut bytes = Vec::with_capacity(len as u32 as usize);
        while bytes.len() < len as u32 as usize {
            bytes.extend_from_slice(&guest.state().next_random().to_le_bytes());
        }
        bytes.truncate(len as u32 as usize);
        Ok::<i32, wasmi::Error>(if guest.write(ptr, &bytes).is_ok() { 0 } else { 21 })
    })?;
    linker.func_wrap(
        WASI,
        "fd_write",
        |mut caller: Caller<'_, HostState>, fd: i32, iovs: i32, count: i32, written_ptr: i32| {
            let Ok(mut guest) = Guest::new(&mut caller) else { return Ok(21) };
            let mut text = Vec::new();
            for index in 0..count {
                let Ok(entry) = guest.read(iovs + index * 8, 8) else { return Ok(21) };
                let word = |at: usize| entry.get(at..at + 4).and_then(|w| w.try_into().ok()).map(i32::from_le_bytes);
                let (Some(ptr), Some(len)) = (word(0), word(4)) else { return Ok(21) };
                let Ok(chunk) = guest.read(ptr, len) else { return Ok(21) };
                text.extend_from_slice(&chunk);
            }
            let level = match fd {
                1 => LogLevel::Info,
                2 => LogLevel::Error,
                _ => return Ok(8),
            };
            let written = text.len() as u32;
            let message = String::from_utf8_lossy(&text).trim_end().to_string();
            guest.state().log(level, message);
            Ok::<i32, wasmi::Error>(if guest.write_u32(written_ptr, written).is_ok() { 0 } else { 21 })
        },
    )?;
    linker.func_wrap(
        WASI,
        "clock_time_get",
        |mut caller: Caller<'_, HostState>, _clock: i32, _precision: i64, ptr: i32| {
            let Ok(mut guest) = Guest::new(&mut caller) else { return Ok(21) };
            let now = guest.state().now_nanos;
            Ok::<i32, wasmi::Error>(if guest.write(ptr, &now.to_le_bytes()).is_ok() { 0 } else { 21 })
        },
    )?;
    for name in ["environ_sizes_get", "args_sizes_get"] {
        linker.func_wrap(WASI, name, |mut caller: Caller<'_, HostState>, count_ptr: i32, size_ptr: i32| {
            let Ok(mut guest) = Guest::new(&mut caller) else { return Ok(21) };
            let ok = guest.write_u32(count_ptr, 0).is_ok() && guest.write_u32(size_ptr, 0).is_ok();
            Ok::<i32, wasmi::Error>(if ok { 0 } else { 21 })
        })?;
    }
    for name in ["environ_get", "args_get"] {
        linker.func_wrap(WASI, name, |_caller: Caller<'_, HostState>, _a: i32, _b: i32| Ok::<i32, wasmi::Error>(0))?;
    }
    linker.func_wrap(WASI, "proc_exit", |_caller: Caller<'_, HostState>, code: i32| -> Result<(), wasmi::Error> {
        Err(wasmi::Error::i32_exit(code))
    })?;
    Ok(())
}

/// Defines every import of `module` the linker does not know yet as a stub that records the call
/// and answers `Unimplemented` (12) when it returns an i32.
pub(crate) fn stub_missing(linker: &mut Linker<HostState>, module: &wasmi::Module) -> Result<(), String> {
    let known: Vec<(String, String)> =
        IMPLEMENTED_IMPORTS.iter().map(|(m, n)| (m.to_string(), n.to_string())).collect();
    for import in module.imports() {
        let (module_name, name) = (import.module().to_string(), import.name().to_string());
        if known.contains(&(module_name.clone(), name.clone())) {
            continue;
        }
        let wasmi::ExternType::Func(ty) = import.ty() else {
            return Err(format!("the module imports {module_name}.{name}, which is not a function; the emulator provides only functions"));
        };
        let ty = ty.clone();
        let label = format!("{module_name}.{name}");
        let returns_status = ty.results().first() == Some(&ValType::I32);
        linker
            .func_new(
                &module_name,
                &name,
                ty,
                move |mut caller: Caller<'_, HostState>, _params: &[Val], results: &mut [Val]| {
                    let state = caller.data_mut();
                    if !state.unimplemented.contains(&label) {
                        state.unimplemented.push(label.clone());
                    }
                    state.log(LogLevel::Warn, format!("emulator: {label} is not emulated; answered Unimplemented"));
                    for (index, result) in results.iter_mut().enumerate() {
                        *result = match result.ty() {
                            ValType::I32 if index == 0 && returns_status => Val::I32(Status::Unimplemented as i32),
                            ValType::I64 => Val::I64(0),
                            ValType::F32 => Val::F32(0f32.into()),
                            ValType::F64 => Val::F64(0f64.into()),
                            _ => Val::I32(0),
                        };
                    }
                    Ok(())
                },
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// (module, name) of every import `define` provides.
const IMPLEMENTED_IMPORTS: &[(&str, &str)] = &[
    ("env", "proxy_log"),
    ("env", "proxy_get_log_level"),
    ("env", "proxy_get_current_time_nanoseconds"),
    ("env", "proxy_set_tick_period_milliseconds"),
    ("env", "proxy_get_buffer_bytes"),
    ("env", "proxy_set_buffer_bytes"),
    ("env", "proxy_get_header_map_pairs"),
    ("env", "proxy_set_header_map_pairs"),
    ("env", "proxy_get_header_map_value"),
    ("env", "proxy_replace_header_map_value"),
    ("env", "proxy_remove_header_map_value"),
    ("env", "proxy_add_header_map_value"),
    ("env", "proxy_get_property"),
    ("env", "proxy_set_property"),
    ("env", "proxy_get_shared_data"),
    ("env", "proxy_set_shared_data"),
    ("env", "proxy_register_shared_queue"),
    ("env", "proxy_resolve_shared_queue"),
    ("env", "proxy_enqueue_shared_queue"),
    ("env", "proxy_dequeue_shared_queue"),
    ("env", "proxy_continue_stream"),
    ("env", "proxy_close_stream"),
    ("env", "proxy_send_local_response"),
    ("env", "proxy_http_call"),
    ("env", "proxy_set_effective_context"),
    ("env", "proxy_done"),
    ("env", "proxy_define_metric"),
    ("env", "proxy_increment_metric"),
    ("env", "proxy_record_metric"),
    ("env", "proxy_get_metric"),
    (WASI, "random_get"),
    (WASI, "fd_write"),
    (WASI, "clock_time_get"),
    (WASI, "environ_sizes_get"),
    (WASI, "args_sizes_get"),
    (WASI, "environ_get"),
    (WASI, "args_get"),
    (WASI, "proc_exit"),
];
