//! A probe for the host emulator, written on the bare `proxy-wasm` crate as a user of another SDK
//! would: it exercises host calls Sieve's own filters do not (shared queues, body rewriting,
//! histograms, response-phase headers) and shows what it saw in headers, so that the same requests
//! can be checked in the emulator and in Envoy.
//!
//! - `x-enqueue: V` enqueues V to the VM's queue; `proxy_on_queue_ready` stores it in shared data,
//!   and every request copies it to `x-probe-last-queued`;
//! - `x-probe-plugin` carries the `plugin_name` property;
//! - a request body is upper-cased once it is complete;
//! - responses get `x-probe-response: <request method>` and `x-probe-status: <status>`.

use proxy_wasm::hostcalls;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel, MetricType};
use std::time::Duration;

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Info);
    proxy_wasm::set_root_context(|_| Box::new(ProbeRoot { queue: None, ticks: 0, histogram: 0 }));
}}

const QUEUE: &str = "probe";
const LAST_QUEUED: &str = "probe.last_queued";

struct ProbeRoot {
    queue: Option<u32>,
    ticks: u32,
    histogram: u32,
}

impl Context for ProbeRoot {}

impl RootContext for ProbeRoot {
    fn on_configure(&mut self, _size: usize) -> bool {
        self.queue = hostcalls::register_shared_queue(QUEUE).ok();
        self.histogram = hostcalls::define_metric(MetricType::Histogram, "probe.header_counts").unwrap_or(0);
        self.set_tick_period(Duration::from_secs(1));
        self.queue.is_some()
    }

    fn on_tick(&mut self) {
        self.ticks += 1;
        if let Ok(id) = hostcalls::define_metric(MetricType::Gauge, "probe.ticks") {
            let _ = hostcalls::record_metric(id, u64::from(self.ticks));
        }
    }

    fn on_queue_ready(&mut self, queue_id: u32) {
        while let Ok(Some(item)) = hostcalls::dequeue_shared_queue(queue_id) {
            let _ = hostcalls::set_shared_data(LAST_QUEUED, Some(&item), None);
        }
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Probe { method: String::new(), histogram: self.histogram }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Probe {
    method: String,
    histogram: u32,
}

impl Context for Probe {}

impl HttpContext for Probe {
    fn on_http_request_headers(&mut self, count: usize, _end_of_stream: bool) -> Action {
        let _ = hostcalls::record_metric(self.histogram, count as u64);
        self.method = self.get_http_request_header(":method").unwrap_or_default();
        if let Some(value) = self.get_http_request_header("x-enqueue") {
            if let Ok(Some(queue)) = hostcalls::resolve_shared_queue("", QUEUE) {
                let _ = hostcalls::enqueue_shared_queue(queue, Some(value.as_bytes()));
            }
        }
        let (last, _) = self.get_shared_data(LAST_QUEUED);
        let last = last.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_else(|| "none".into());
        self.set_http_request_header("x-probe-last-queued", Some(&last));
        let plugin = self.get_property(vec!["plugin_name"]).map(|b| String::from_utf8_lossy(&b).into_owned());
        self.set_http_request_header("x-probe-plugin", plugin.as_deref());
        Action::Continue
    }

    fn on_http_request_body(&mut self, size: usize, end_of_stream: bool) -> Action {
        if !end_of_stream {
            return Action::Pause;
        }
        if let Some(body) = self.get_http_request_body(0, size) {
            self.set_http_request_body(0, size, &body.to_ascii_uppercase());
        }
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _count: usize, _end_of_stream: bool) -> Action {
        self.set_http_response_header("x-probe-response", Some(&self.method.clone()));
        let status = self.get_http_response_header(":status").unwrap_or_default();
        self.set_http_response_header("x-probe-status", Some(&status));
        Action::Continue
    }
}
