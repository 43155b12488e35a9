//! A chain: several filters as stages of one module — one VM, one HTTP context per request — so
//! that the fixed cost every separate Wasm filter pays per request is paid once.
//!
//! ```json
//! {"stages": [{"headers": {...}}, {"auth": {...}}, {"screen": {...}}]}
//! ```
//!
//! Each stage takes exactly the configuration it takes alone (per-route entries included), and runs
//! through the same code ([`Plugin`]) as when alone. Stages run in the order given; a stage's local
//! reply ends the request phase, as a separate filter's would. The response phase runs the stages
//! that saw the request, last first — Envoy's order for separate filters. Stages share one
//! [`StreamCore`]: request facts are read from the host once for all of them, and what auth learns
//! (the consumer) reaches screen in memory.

use crate::call::CallResponse;
use crate::config::{self, ConfigError};
use crate::filter::Filter;
use crate::host::Host;
use crate::http::StreamCore;
use crate::plugin::{Action, Plugin, RootCalls, StageState};
use crate::runtime::Runtime;
use std::any::Any;
use std::marker::PhantomData;
use std::time::Duration;

/// The stages a chain module offers, by name (see [`crate::export_chain!`]).
pub trait Stages: 'static {
    /// `sieve.<NAME>` in logs.
    const NAME: &'static str;
    /// Every stage name, for error messages.
    const NAMES: &'static [&'static str];
    /// Builds stage `name` from its configuration; `None` if there is no such stage.
    fn build(
        name: &str,
        config: serde_json::Map<String, serde_json::Value>,
        host: &mut dyn Host,
    ) -> Option<Result<Box<dyn Stage>, ConfigError>>;
}

/// Builds a [`Stage`] for filter `F` (what [`Stages::build`] returns for each name).
pub fn stage<F: Filter>(
    config: serde_json::Map<String, serde_json::Value>,
    host: &mut dyn Host,
) -> Result<Box<dyn Stage>, ConfigError> {
    Ok(Box::new(Plugin::<F>::configure_object(config, host)?))
}

/// A filter as a stage, its type erased.
pub trait Stage {
    fn name(&self) -> &'static str;
    fn new_state(&self) -> Box<dyn Any>;
    fn config_count(&self) -> usize;
    fn tick_period(&self) -> Option<Duration>;
    fn on_tick(&self, host: &mut dyn Host) -> RootCalls;
    fn on_root_call_response(&self, host: &mut dyn Host, index: usize, response: &CallResponse) -> RootCalls;
    fn request(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut dyn Any) -> Action;
    fn response(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut dyn Any) -> Action;
    fn call_response(
        &self,
        host: &mut dyn Host,
        core: &mut StreamCore,
        state: &mut dyn Any,
        response: &CallResponse,
    ) -> Action;
    fn wake(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut dyn Any) -> Action;
    /// Whether this stage, in `state`, waits for the answer to callout `token`.
    fn waits_for(&self, state: &dyn Any, token: u32) -> bool;
}

impl<F: Filter> Stage for Plugin<F> {
    fn name(&self) -> &'static str {
        F::NAME
    }

    fn new_state(&self) -> Box<dyn Any> {
        Box::new(StageState::<F>::default())
    }

    fn config_count(&self) -> usize {
        Plugin::config_count(self)
    }

    fn tick_period(&self) -> Option<Duration> {
        Plugin::tick_period(self)
    }

    fn on_tick(&self, host: &mut dyn Host) -> RootCalls {
        Plugin::on_tick(self, host)
    }

    fn on_root_call_response(&self, host: &mut dyn Host, index: usize, response: &CallResponse) -> RootCalls {
        Plugin::on_root_call_response(self, host, index, response)
    }

    fn request(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut dyn Any) -> Action {
        match state.downcast_mut::<StageState<F>>() {
            Some(state) => self.stage_request(host, core, state),
            None => Action::Continue,
        }
    }

    fn response(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut dyn Any) -> Action {
        match state.downcast_mut::<StageState<F>>() {
            Some(state) => self.stage_response(host, core, state),
            None => Action::Continue,
        }
    }

    fn call_response(
        &self,
        host: &mut dyn Host,
        core: &mut StreamCore,
        state: &mut dyn Any,
        response: &CallResponse,
    ) -> Action {
        match state.downcast_mut::<StageState<F>>() {
            Some(state) => self.stage_call_response(host, core, state, response),
            None => Action::Continue,
        }
    }

    fn wake(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut dyn Any) -> Action {
        match state.downcast_mut::<StageState<F>>() {
            Some(state) => self.stage_wake(host, core, state),
            None => Action::Continue,
        }
    }

    fn waits_for(&self, state: &dyn Any, token: u32) -> bool {
        state.downcast_ref::<StageState<F>>().is_some_and(|state| state.waits_for(token))
    }
}

/// The compiled chain.
pub struct Chain<S: Stages> {
    stages: Vec<Box<dyn Stage>>,
    /// Where each stage's root-callout indexes start in the chain's flat numbering.
    offsets: Vec<usize>,
    /// `sieve.<chain>.stray_callout_answers`: answers no stage of the request is waiting for.
    stray_answers: crate::Counter,
    _stages: PhantomData<S>,
}

/// Per-request state: the shared core, each stage's own state (made when the stage first runs),
/// the stage the request is at, and how many stages saw the request.
#[derive(Default)]
pub struct ChainStream {
    core: StreamCore,
    states: Vec<Box<dyn Any>>,
    current: usize,
    ran: usize,
}

impl<S: Stages> Chain<S> {
    /// The stage names, in order.
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|stage| stage.name()).collect()
    }

    /// Runs the request phase from stage `start` on.
    fn run_from(&self, host: &mut dyn Host, stream: &mut ChainStream, start: usize) -> Action {
        for (index, stage) in self.stages.iter().enumerate().skip(start) {
            while stream.states.len() <= index {
                let next = stream.states.len();
                match self.stages.get(next) {
                    Some(stage) => stream.states.push(stage.new_state()),
                    None => return Action::Continue,
                }
            }
            let Some(state) = stream.states.get_mut(index) else { return Action::Continue };
            stream.current = index;
            stream.ran = index + 1;
            match stage.request(host, &mut stream.core, state.as_mut()) {
                Action::Continue => {}
                other => return other,
            }
        }
        Action::Continue
    }

    /// The stage the request waits in, with its state.
    fn waiting(&self, stream: &mut ChainStream) -> Option<(&dyn Stage, usize)> {
        let index = stream.current;
        self.stages.get(index).map(|stage| (stage.as_ref(), index))
    }

    /// Splits a flat root-callout index into (stage, that stage's index).
    fn locate(&self, flat: usize) -> Option<(usize, usize)> {
        let stage = self.offsets.iter().rposition(|offset| *offset <= flat)?;
        Some((stage, flat - self.offsets.get(stage)?))
    }

    fn flatten(&self, stage: usize, calls: RootCalls) -> RootCalls {
        let offset = self.offsets.get(stage).copied().unwrap_or(0);
        calls.into_iter().map(|(token, index)| (token, offset + index)).collect()
    }
}

/// The top-level key of a chain's configuration.
pub const STAGES_KEY: &str = "stages";

impl<S: Stages> Runtime for Chain<S> {
    type Stream = ChainStream;

    fn name() -> &'static str {
        S::NAME
    }

    fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Self, ConfigError> {
        let mut document = config::parse_object(bytes)?;
        let entries = document.remove(STAGES_KEY).ok_or_else(|| ConfigError::new(STAGES_KEY, "give the stages"))?;
        if let Some(unknown) = document.keys().next() {
            return Err(ConfigError::new(unknown.clone(), format!("unknown field, expected `{STAGES_KEY}`")));
        }
        let serde_json::Value::Array(entries) = entries else {
            return Err(ConfigError::new(STAGES_KEY, "a list of {\"<stage>\": {config}} objects"));
        };
        if entries.is_empty() {
            return Err(ConfigError::new(STAGES_KEY, "give at least one stage"));
        }
        let (mut stages, mut offsets, mut next) = (Vec::new(), Vec::new(), 0);
        for (index, entry) in entries.into_iter().enumerate() {
            let at = format!("{STAGES_KEY}[{index}]");
            let serde_json::Value::Object(entry) = entry else {
                return Err(ConfigError::new(at, "a {\"<stage>\": {config}} object"));
            };
            let mut fields = entry.into_iter();
            let (Some((name, config)), None) = (fields.next(), fields.next()) else {
                return Err(ConfigError::new(at, "exactly one stage name per entry"));
            };
            let serde_json::Value::Object(config) = config else {
                return Err(ConfigError::new(format!("{at}.{name}"), "the stage's configuration object"));
            };
            let stage = S::build(&name, config, host)
                .ok_or_else(|| {
                    ConfigError::new(&at, format!("unknown stage {name:?} (known: {})", S::NAMES.join(", ")))
                })?
                .map_err(|e| e.within(&format!("{at}.{name}")))?;
            offsets.push(next);
            next += stage.config_count();
            stages.push(stage);
        }
        let stray_answers = crate::Setup::new(host, S::NAME).counter("stray_callout_answers");
        Ok(Chain { stages, offsets, stray_answers, _stages: PhantomData })
    }

    fn describe(&self) -> String {
        format!("stages: {}", self.stage_names().join(" -> "))
    }

    fn tick_period(&self) -> Option<Duration> {
        self.stages.iter().filter_map(|stage| stage.tick_period()).min()
    }

    fn on_tick(&self, host: &mut dyn Host) -> RootCalls {
        let mut calls = Vec::new();
        for (index, stage) in self.stages.iter().enumerate() {
            let stage_calls = stage.on_tick(host);
            calls.extend(self.flatten(index, stage_calls));
        }
        calls
    }

    fn on_root_call_response(&self, host: &mut dyn Host, flat: usize, response: &CallResponse) -> RootCalls {
        let Some((stage_index, index)) = self.locate(flat) else { return Vec::new() };
        let Some(stage) = self.stages.get(stage_index) else { return Vec::new() };
        let calls = stage.on_root_call_response(host, index, response);
        self.flatten(stage_index, calls)
    }

    fn on_request_headers(&self, host: &mut dyn Host, stream: &mut ChainStream) -> Action {
        self.run_from(host, stream, 0)
    }

    fn on_response_headers(&self, host: &mut dyn Host, stream: &mut ChainStream) -> Action {
        for index in (0..stream.ran).rev() {
            let (Some(stage), Some(state)) = (self.stages.get(index), stream.states.get_mut(index)) else { continue };
            match stage.response(host, &mut stream.core, state.as_mut()) {
                Action::Continue => {}
                other => return other,
            }
        }
        Action::Continue
    }

    fn on_call_response(&self, host: &mut dyn Host, stream: &mut ChainStream, response: &CallResponse) -> Action {
        let Some((stage, index)) = self.waiting(stream) else { return Action::Continue };
        let Some(state) = stream.states.get_mut(index) else { return Action::Continue };
        // By token, not by position: the answer goes to the stage that asked, and only while the
        // request waits in it. An earlier stage's late answer (it already moved on) is stray.
        if !stage.waits_for(state.as_ref(), response.token) {
            self.stray_answers.add(host, 1);
            log::debug!("sieve.{}: dropped an answer to callout {} no stage waits for", S::NAME, response.token);
            return Action::Pause;
        }
        match stage.call_response(host, &mut stream.core, state.as_mut(), response) {
            Action::Continue => self.run_from(host, stream, index + 1),
            other => other,
        }
    }

    fn on_wake(&self, host: &mut dyn Host, stream: &mut ChainStream) -> Action {
        let Some((stage, index)) = self.waiting(stream) else { return Action::Continue };
        let Some(state) = stream.states.get_mut(index) else { return Action::Continue };
        match stage.wake(host, &mut stream.core, state.as_mut()) {
            Action::Continue => self.run_from(host, stream, index + 1),
            other => other,
        }
    }

    fn take_new_calls(stream: &mut ChainStream) -> Vec<u32> {
        std::mem::take(&mut stream.core.calls)
    }

    fn is_parked(stream: &ChainStream) -> bool {
        stream.core.parked_until.is_some()
    }
}

/// Exports a chain module offering the given filters as stages.
///
/// ```text
/// sieve_sdk_ext::export_chain!(SieveChain, "chain", {
///     "headers" => sieve_headers::Headers,
///     "auth" => sieve_auth::Auth,
/// });
/// ```
#[macro_export]
macro_rules! export_chain {
    ($stages:ident, $name:literal, { $($stage:literal => $filter:ty),+ $(,)? }) => {
        /// The stages this chain module offers.
        pub struct $stages;

        impl $crate::chain::Stages for $stages {
            const NAME: &'static str = $name;
            const NAMES: &'static [&'static str] = &[$($stage),+];

            fn build(
                name: &str,
                config: $crate::__serde_json::Map<String, $crate::__serde_json::Value>,
                host: &mut dyn $crate::Host,
            ) -> Option<Result<Box<dyn $crate::chain::Stage>, $crate::ConfigError>> {
                match name {
                    $($stage => Some($crate::chain::stage::<$filter>(config, host)),)+
                    _ => None,
                }
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::__proxy_wasm::main! {{
            $crate::entry::start::<$crate::chain::Chain<$stages>>();
        }}
    };
}

#[cfg(test)]
#[path = "chain_test.rs"]
mod tests;
