//! One filter as a stage of a module: its config with per-route entries, route selection, verdicts
//! turned into replies, callouts and parked requests. A module is a [`crate::pipeline::Pipeline`]
//! of stages; a lone filter is a pipeline of one. Plain Rust over [`Host`], tested on the host.

use crate::call::CallResponse;
use crate::config::{self, ConfigError};
use crate::filter::{Filter, Setup, Verdict};
use crate::host::{Host, HostReply};
use crate::http::{Http, StreamCore};
use crate::reply::LocalReply;
use crate::root::Root;
use crate::route::{RouteMatch, RouteSpec, RouteTable, Selection};
use std::rc::Rc;
use std::time::Duration;

/// What the host should do after a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Go on (after an asynchronous callback: resume the paused request).
    Continue,
    /// A local reply was sent: stop processing this direction.
    Stop,
    /// Wait for a callout answer or a root wake-up.
    Pause,
}

/// A filter's compiled configuration, shared by every HTTP context of the VM.
pub struct Stage<F: Filter> {
    table: RouteTable<F>,
    /// `sieve.<filter>.route_ambiguous_path`: requests refused because a route entry would match
    /// but for an ambiguous path.
    ambiguous_path: crate::Counter,
}

/// The reserved top-level key holding per-route entries.
pub const ROUTES_KEY: &str = "routes";

/// Root callouts in flight: token -> index of the compiled config that dispatched it.
pub type RootCalls = Vec<(u32, usize)>;

impl<F: Filter> Stage<F> {
    /// Parses, validates and compiles the plugin configuration.
    pub fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Self, ConfigError> {
        let (document, from_environment) =
            config::parse_with_environment(bytes, &|name| host.environment_variable(name))?;
        Self::configure_object(document, host).map_err(|e| from_environment.explain(e))
    }

    /// Validates and compiles a configuration already parsed (a chain's stage entry).
    #[inline(never)]
    pub fn configure_object(
        mut document: serde_json::Map<String, serde_json::Value>,
        host: &mut dyn Host,
    ) -> Result<Self, ConfigError> {
        let routes = document.remove(ROUTES_KEY);
        let default = compile::<F>(serde_json::Value::Object(document), host)?;
        let mut table = RouteTable { default: Rc::new(default), routes: Vec::new() };
        if let Some(routes) = routes {
            let specs: Vec<RouteSpec> = config::from_value(routes).map_err(|e| e.within(ROUTES_KEY))?;
            for (index, spec) in specs.into_iter().enumerate() {
                let at = format!("{ROUTES_KEY}[{index}]");
                let matcher =
                    RouteMatch::compile(&spec.matcher, spec.disabled).map_err(|e| e.within(&format!("{at}.match")))?;
                let target = match (spec.config, spec.disabled) {
                    (Some(_), true) => {
                        return Err(ConfigError::new(at, "give either config or disabled: true, not both"))
                    }
                    (None, false) => {
                        return Err(ConfigError::new(at, "give config (this route's settings) or disabled: true"))
                    }
                    (None, true) => None,
                    (Some(value), false) => {
                        if value.get(ROUTES_KEY).is_some() {
                            return Err(ConfigError::new(
                                format!("{at}.config.{ROUTES_KEY}"),
                                "route entries cannot nest routes",
                            ));
                        }
                        Some(Rc::new(compile::<F>(value, host).map_err(|e| e.within(&format!("{at}.config")))?))
                    }
                };
                table.routes.push((matcher, target));
            }
        }
        let ambiguous_path = if table.routes.is_empty() {
            crate::Counter::NONE
        } else {
            Setup::new(host, F::NAME).counter("route_ambiguous_path")
        };
        Ok(Stage { table, ambiguous_path })
    }

    /// The top-level config (what requests no route entry matches get).
    pub fn filter(&self) -> &F {
        &self.table.default
    }

    /// Number of per-route entries (for the load log line).
    pub fn route_count(&self) -> usize {
        self.table.routes.len()
    }

    /// Every compiled config: the top-level one, then each enabled route entry's.
    fn configs(&self) -> impl Iterator<Item = &Rc<F>> {
        std::iter::once(&self.table.default).chain(self.table.routes.iter().filter_map(|(_, target)| target.as_ref()))
    }

    /// The shortest tick period any compiled config asks for.
    pub fn tick_period(&self) -> Option<Duration> {
        self.configs().filter_map(|config| config.tick_period()).min()
    }

    /// A root tick for every compiled config; returns the callouts they dispatched.
    pub fn on_tick(&self, host: &mut dyn Host) -> RootCalls {
        let mut calls = Vec::new();
        for (index, config) in self.configs().enumerate() {
            let mut root = Root::new(host);
            config.on_tick(&mut root);
            calls.extend(root.calls.into_iter().map(|token| (token, index)));
        }
        calls
    }

    /// Hands a root callout's answer to the config that dispatched it.
    pub fn on_root_call_response(
        &self,
        host: &mut dyn Host,
        config_index: usize,
        response: &CallResponse,
    ) -> RootCalls {
        let Some(config) = self.configs().nth(config_index) else { return Vec::new() };
        let mut root = Root::new(host);
        config.on_root_call_response(&mut root, response);
        root.calls.into_iter().map(|token| (token, config_index)).collect()
    }

    /// Number of compiled configs (the top-level one and each enabled route entry's).
    pub fn config_count(&self) -> usize {
        self.configs().count()
    }

    // The request, through this stage: `core` is shared with the other stages (cached facts, the
    // consumer, callouts); `stage` is this filter's own state.

    #[inline(never)]
    pub fn request(&self, host: &mut dyn Host, core: &mut StreamCore, stage: &mut StageState<F>) -> Action {
        let calls_before = core.calls.len();
        let mut http = Http::new(host, core);
        let filter = match self.table.select(&mut http) {
            Selection::Config(filter) => filter.clone(),
            Selection::Disabled => {
                stage.filter = None;
                return Action::Continue;
            }
            Selection::Ambiguous => {
                http.count(self.ambiguous_path);
                let reply = LocalReply::bad_request(
                    "the request path is ambiguous (an encoded slash or backslash, ';', a double encoding, a control character, or bytes that are not UTF-8)",
                );
                return stage.apply(Verdict::Reply(reply), core, calls_before, host);
            }
        };
        let verdict = filter.on_request_headers(&mut http, &mut stage.state);
        stage.filter = Some(filter);
        stage.apply(verdict, core, calls_before, host)
    }

    #[inline(never)]
    pub fn response(&self, host: &mut dyn Host, core: &mut StreamCore, stage: &mut StageState<F>) -> Action {
        // Our own local reply passes back through this filter: leave it as it is.
        if stage.replied {
            return Action::Continue;
        }
        let Some(filter) = stage.filter.clone() else { return Action::Continue };
        let calls_before = core.calls.len();
        let verdict = filter.on_response_headers(&mut Http::for_response(host, core), &mut stage.state);
        stage.apply(verdict, core, calls_before, host)
    }

    #[inline(never)]
    pub fn call_response(
        &self,
        host: &mut dyn Host,
        core: &mut StreamCore,
        stage: &mut StageState<F>,
        response: &CallResponse,
    ) -> Action {
        stage.outstanding.retain(|token| *token != response.token);
        let Some(filter) = stage.filter.clone() else { return Action::Continue };
        if stage.replied {
            return Action::Stop;
        }
        let calls_before = core.calls.len();
        let verdict = filter.on_call_response(&mut Http::new(host, core), &mut stage.state, response);
        stage.apply(verdict, core, calls_before, host)
    }

    #[inline(never)]
    pub fn wake(&self, host: &mut dyn Host, core: &mut StreamCore, stage: &mut StageState<F>) -> Action {
        let Some(filter) = stage.filter.clone() else { return Action::Continue };
        let deadline = core.parked_until;
        let calls_before = core.calls.len();
        let verdict = filter.on_wake(&mut Http::new(host, core), &mut stage.state);
        // Backstop: a filter that keeps waiting past its own deadline gets a 503, not a hung request.
        let overdue = deadline.is_some_and(|d| host.now() > d + Duration::from_secs(1));
        if verdict == Verdict::Pause && overdue && stage.outstanding.is_empty() {
            log::warn!("sieve.{}: request still parked past its deadline: answering 503", F::NAME);
            let reply = LocalReply::new(503, "wait_timeout", "the filter waited too long for its data");
            return stage.apply(Verdict::Reply(reply), core, calls_before, host);
        }
        stage.apply(verdict, core, calls_before, host)
    }

    /// Runs `hook` of one request through this stage.
    pub fn run(&self, host: &mut dyn Host, core: &mut StreamCore, stage: &mut StageState<F>, hook: Hook<'_>) -> Action {
        match hook {
            Hook::Request => self.request(host, core, stage),
            Hook::Response => self.response(host, core, stage),
            Hook::CallResponse(response) => self.call_response(host, core, stage, response),
            Hook::Wake => self.wake(host, core, stage),
        }
    }

    /// Whether this stage, in `stage`, waits for the answer to callout `token`.
    pub fn waits_for(&self, stage: &StageState<F>, token: u32) -> bool {
        stage.outstanding.contains(&token)
    }
}

// Reading and compiling stay apart (`#[inline(never)]`): V8 compiles every function of a module
// when it loads, with peak memory that grows with the largest ones, and Envoy keeps that peak
// (bench/ANALYSIS.md: "What V8 keeps"). Configure-time code is run once; it need not be one piece.
fn compile<F: Filter>(value: serde_json::Value, host: &mut dyn Host) -> Result<F, ConfigError> {
    let typed = read_config::<F::Config>(value)?;
    build::<F>(typed, host)
}

#[inline(never)]
fn read_config<C: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<C, ConfigError> {
    config::from_value(value)
}

#[inline(never)]
fn build<F: Filter>(typed: F::Config, host: &mut dyn Host) -> Result<F, ConfigError> {
    F::configure(typed, &mut Setup::new(host, F::NAME))
}

/// One filter's per-request state: the config chosen for this request's route, the filter's own
/// state, and what the filter is waiting for.
pub struct StageState<F: Filter> {
    filter: Option<Rc<F>>,
    pub state: F::Stream,
    replied: bool,
    outstanding: Vec<u32>,
}

impl<F: Filter> Default for StageState<F> {
    fn default() -> Self {
        StageState { filter: None, state: F::Stream::default(), replied: false, outstanding: Vec::new() }
    }
}

impl<F: Filter> StageState<F> {
    /// Waiting for a callout answer this stage dispatched.
    pub fn has_outstanding_calls(&self) -> bool {
        !self.outstanding.is_empty()
    }

    /// Whether this stage waits for the answer to callout `token`.
    pub fn waits_for(&self, token: u32) -> bool {
        self.outstanding.contains(&token)
    }

    /// Turns a verdict into what the host should do; a reply is sent with this filter's detail.
    fn apply(&mut self, verdict: Verdict, core: &mut StreamCore, calls_before: usize, host: &mut dyn Host) -> Action {
        let dispatched = core.calls.len() > calls_before;
        self.outstanding.extend(core.calls.iter().skip(calls_before).copied());
        // A request waits for one thing at a time: a callout dispatched while parked (the keys
        // did not come; the next provider asks a service) ends the parking, or every tick would
        // wake it and it would ask again.
        if dispatched && verdict == Verdict::Pause {
            core.parked_until = None;
        }
        match verdict {
            Verdict::Continue => {
                core.parked_until = None;
                Action::Continue
            }
            Verdict::Reply(reply) => {
                core.parked_until = None;
                self.replied = true;
                send_reply(host, F::NAME, &reply);
                Action::Stop
            }
            Verdict::Pause if core.parked_until.is_some() || !self.outstanding.is_empty() => Action::Pause,
            Verdict::Pause => {
                // Nothing would ever resume this request: fail it rather than hang it.
                log::error!("sieve.{}: paused with no callout and not parked: answering 500", F::NAME);
                let reply = LocalReply::new(500, "internal", "the filter stalled");
                self.apply(Verdict::Reply(reply), core, calls_before, host)
            }
        }
    }
}

/// What reaches a stage for one request: the host's callback, as a stage sees it.
#[derive(Debug, Clone, Copy)]
pub enum Hook<'a> {
    /// The request headers.
    Request,
    /// The response headers.
    Response,
    /// The answer to a callout the stage dispatched.
    CallResponse(&'a CallResponse),
    /// A root tick while the request is parked in the stage.
    Wake,
}

/// Sends `reply` as JSON with its response-code detail.
pub fn send_reply(host: &mut dyn Host, filter: &str, reply: &LocalReply) {
    let body = reply.body();
    let mut headers: Vec<(&str, &[u8])> = Vec::with_capacity(reply.headers.len() + 1);
    headers.push(("content-type", b"application/json"));
    for (name, value) in &reply.headers {
        headers.push((name.as_ref(), value.as_bytes()));
    }
    let details = reply.details(filter);
    let sent = HostReply { status: reply.status, details: &details, body: &body, headers: &headers };
    if let Err(e) = host.send_local_reply(&sent) {
        log::error!("sieve.{filter}: could not send local reply {}: {e}", reply.status);
    }
}

#[cfg(test)]
#[path = "stage_test.rs"]
mod tests;
