//! The naive filter of the measurements (`../shared/measurements.md`), written directly on
//! proxy-wasm 0.2.5 with no framework: read `x-probe` from the request, set it as `x-probe-copy` on
//! the response. `cargo xtask bench` runs it beside Sieve's headers filter doing the same job, to
//! show what sdk-ext costs over hand-written code.

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType};

proxy_wasm::main! {{
    proxy_wasm::set_root_context(|_| Box::new(NaiveRoot));
}}

struct NaiveRoot;

impl Context for NaiveRoot {}

impl RootContext for NaiveRoot {
    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Naive { probe: None }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Naive {
    probe: Option<String>,
}

impl Context for Naive {}

impl HttpContext for Naive {
    fn on_http_request_headers(&mut self, _count: usize, _end_of_stream: bool) -> Action {
        self.probe = self.get_http_request_header("x-probe");
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _count: usize, _end_of_stream: bool) -> Action {
        if let Some(probe) = self.probe.take() {
            self.set_http_response_header("x-probe-copy", Some(&probe));
        }
        Action::Continue
    }
}
