//! What the host keeps for one VM, and which callback it is running.

use super::metrics::Metric;
use super::stream::Stream;
use super::time::Timer;
use crate::abi::LogLevel;
use crate::shared::SharedData;
use crate::{CallAnswer, LogRecord, PendingCall};
use std::collections::BTreeMap;

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
    /// The VM's environment variables (`Builder::env`), in order.
    pub environment: Vec<(String, String)>,
    /// The first host-side reason a call failed hard (e.g. a restricted call during `_initialize`).
    pub host_failure: Option<String>,
    /// How many times each host call was made (what a request costs in host calls).
    pub call_counts: BTreeMap<&'static str, u64>,
}

impl HostState {
    /// Captures a log line at or above the configured level (Envoy drops the others).
    pub(super) fn log(&mut self, level: LogLevel, message: String) {
        if level < self.log_level {
            return;
        }
        if self.echo_logs {
            eprintln!("[emulator {level:?}] {message}");
        }
        self.logs.push(LogRecord { level, message });
    }

    /// The HTTP stream of the current context, if it is one.
    pub(super) fn stream(&self) -> Option<&Stream> {
        self.streams.get(&self.current)
    }

    pub(super) fn stream_mut(&mut self) -> Option<&mut Stream> {
        self.streams.get_mut(&self.current)
    }
}
