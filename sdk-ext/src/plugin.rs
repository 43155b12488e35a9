//! The runtime between the host callbacks and a [`Filter`]: config parsing with per-route entries,
//! route selection, verdicts turned into local replies. Plain Rust over [`Host`], so the wiring is
//! tested on the host target with [`crate::testing::FakeHost`].

use crate::config::{self, ConfigError};
use crate::filter::{Filter, Setup, Verdict};
use crate::host::Host;
use crate::http::{Http, RequestFacts};
use crate::route::{RouteMatch, RouteSpec, RouteTable};
use std::rc::Rc;

/// What the host should do after a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    /// A local reply was sent: stop processing this direction.
    Stop,
}

/// A filter's compiled configuration, shared by every HTTP context of the VM.
pub struct Plugin<F: Filter> {
    table: RouteTable<F>,
}

/// The reserved top-level key holding per-route entries.
pub const ROUTES_KEY: &str = "routes";

impl<F: Filter> Plugin<F> {
    /// Parses, validates and compiles the plugin configuration.
    pub fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Self, ConfigError> {
        let mut document = config::parse_object(bytes)?;
        let routes = document.remove(ROUTES_KEY);
        let default = compile::<F>(serde_json::Value::Object(document), host)?;
        let mut table = RouteTable { default: Rc::new(default), routes: Vec::new() };
        if let Some(routes) = routes {
            let specs: Vec<RouteSpec> = config::from_value(routes).map_err(|e| e.within(ROUTES_KEY))?;
            for (index, spec) in specs.into_iter().enumerate() {
                let at = format!("{ROUTES_KEY}[{index}]");
                let matcher = RouteMatch::compile(&spec.matcher).map_err(|e| e.within(&format!("{at}.match")))?;
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
        Ok(Plugin { table })
    }

    /// Number of per-route entries (for the load log line).
    pub fn route_count(&self) -> usize {
        self.table.routes.len()
    }

    pub fn on_request_headers(&self, host: &mut dyn Host, stream: &mut Stream<F>) -> Action {
        let mut http = Http::new(host, &mut stream.facts);
        let Some(filter) = self.table.select(&mut http).cloned() else {
            stream.filter = None;
            return Action::Continue;
        };
        let verdict = filter.on_request_headers(&mut http, &mut stream.state);
        stream.filter = Some(filter);
        stream.apply(verdict, host)
    }

    pub fn on_response_headers(&self, host: &mut dyn Host, stream: &mut Stream<F>) -> Action {
        // Our own local reply passes back through this filter: leave it as it is.
        if stream.replied {
            return Action::Continue;
        }
        let Some(filter) = stream.filter.clone() else { return Action::Continue };
        let verdict = filter.on_response_headers(&mut Http::for_response(host, &mut stream.facts), &mut stream.state);
        stream.apply(verdict, host)
    }
}

fn compile<F: Filter>(value: serde_json::Value, host: &mut dyn Host) -> Result<F, ConfigError> {
    let typed: F::Config = config::from_value(value)?;
    F::configure(typed, &mut Setup::new(host, F::NAME))
}

/// Per-request state: the config chosen for this request's route, the filter's own state and the
/// cached request facts.
pub struct Stream<F: Filter> {
    filter: Option<Rc<F>>,
    pub state: F::Stream,
    pub facts: RequestFacts,
    replied: bool,
}

impl<F: Filter> Default for Stream<F> {
    fn default() -> Self {
        Stream { filter: None, state: F::Stream::default(), facts: RequestFacts::default(), replied: false }
    }
}

impl<F: Filter> Stream<F> {
    fn apply(&mut self, verdict: Verdict, host: &mut dyn Host) -> Action {
        match verdict {
            Verdict::Continue => Action::Continue,
            Verdict::Reply(reply) => {
                self.replied = true;
                send_reply(host, F::NAME, &reply);
                Action::Stop
            }
        }
    }
}

/// Sends `reply` as JSON with its response-code detail.
pub fn send_reply(host: &mut dyn Host, filter: &str, reply: &crate::LocalReply) {
    let body = reply.body();
    let mut headers: Vec<(&str, &[u8])> = Vec::with_capacity(reply.headers.len() + 1);
    headers.push(("content-type", b"application/json"));
    for (name, value) in &reply.headers {
        headers.push((name.as_ref(), value.as_bytes()));
    }
    if let Err(e) = host.send_local_reply(reply.status, &reply.details(filter), &body, &headers) {
        log::error!("sieve.{filter}: could not send local reply {}: {e}", reply.status);
    }
}
