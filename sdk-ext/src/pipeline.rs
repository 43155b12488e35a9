//! A module's stages, run in order for each request: one filter, or several filters as stages of
//! one VM (a chain) so that the fixed cost every separate Wasm filter pays per request is paid once.
//!
//! ```json
//! {"stages": [{"headers": {...}}, {"auth": {...}}, {"screen": {...}}]}
//! ```
//!
//! A lone filter is a pipeline of one stage: there is one path from the host's callbacks to a
//! [`crate::Filter`], whatever the module. Each stage takes exactly the configuration it takes alone
//! (per-route entries included). Stages run in the order given; a stage's local reply ends the
//! request phase, as a separate filter's would. The response phase runs the stages that saw the
//! request, last first — Envoy's order for separate filters. Stages share one [`StreamCore`]: request
//! facts are read from the host once for all of them, and what auth learns (the consumer) reaches
//! screen in memory. Per-request state is typed: [`StageKind::State`] is a filter's own state, or an
//! enum of them that [`crate::export_chain!`] generates.

use crate::call::CallResponse;
use crate::config::{self, ConfigError};
use crate::filter::Filter;
use crate::host::Host;
use crate::http::StreamCore;
use crate::stage::{Action, Hook, RootCalls, Stage, StageState};
use crate::Counter;
use std::time::Duration;

/// What a stage is to the pipeline: the filter behind it, with its per-request state.
pub trait StageKind: Sized + 'static {
    /// One request's state in this stage.
    type State: 'static;
    /// The filter's name (`headers`, `auth`...).
    fn name(&self) -> &'static str;
    fn new_state(&self) -> Self::State;
    /// Compiled configs (the top-level one and each enabled route entry's): root callouts are
    /// numbered across them.
    fn config_count(&self) -> usize;
    fn tick_period(&self) -> Option<Duration>;
    fn on_tick(&self, host: &mut dyn Host) -> RootCalls;
    fn on_root_call_response(&self, host: &mut dyn Host, index: usize, response: &CallResponse) -> RootCalls;
    /// Runs `hook` of one request through the stage, in its `state`.
    fn run(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut Self::State, hook: Hook<'_>) -> Action;
    /// Whether this stage, in `state`, waits for the answer to callout `token`.
    fn waits_for(&self, state: &Self::State, token: u32) -> bool;
}

/// How a module's plugin configuration becomes its stages.
pub trait Module: StageKind {
    /// `sieve.<NAME>` in logs and metrics of the module itself.
    const NAME: &'static str;
    fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Vec<Self>, ConfigError>;
    /// The log line's words when a configuration is accepted.
    fn describe(stages: &[Self]) -> String;
}

impl<F: Filter> StageKind for Stage<F> {
    type State = StageState<F>;

    fn name(&self) -> &'static str {
        F::NAME
    }

    fn new_state(&self) -> StageState<F> {
        StageState::default()
    }

    fn config_count(&self) -> usize {
        Stage::config_count(self)
    }

    fn tick_period(&self) -> Option<Duration> {
        Stage::tick_period(self)
    }

    fn on_tick(&self, host: &mut dyn Host) -> RootCalls {
        Stage::on_tick(self, host)
    }

    fn on_root_call_response(&self, host: &mut dyn Host, index: usize, response: &CallResponse) -> RootCalls {
        Stage::on_root_call_response(self, host, index, response)
    }

    fn run(&self, host: &mut dyn Host, core: &mut StreamCore, state: &mut StageState<F>, hook: Hook<'_>) -> Action {
        Stage::run(self, host, core, state, hook)
    }

    fn waits_for(&self, state: &StageState<F>, token: u32) -> bool {
        Stage::waits_for(self, state, token)
    }
}

/// A lone filter: its whole plugin configuration is its one stage's.
impl<F: Filter> Module for Stage<F> {
    const NAME: &'static str = F::NAME;

    fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Vec<Self>, ConfigError> {
        Ok(vec![Stage::configure(bytes, host)?])
    }

    fn describe(stages: &[Self]) -> String {
        let routes: usize = stages.iter().map(Stage::route_count).sum();
        format!("{routes} route entries")
    }
}

/// The top-level key of a chain's configuration.
pub const STAGES_KEY: &str = "stages";

/// Reads a chain's `{"stages": [{"<name>": {config}}, ...]}`, building each stage with `build`
/// (`None`: no stage of that name; `names` lists them for the error).
#[inline(never)]
pub fn configure_stages<K>(
    bytes: &[u8],
    host: &mut dyn Host,
    names: &[&str],
    build: impl Fn(&str, serde_json::Map<String, serde_json::Value>, &mut dyn Host) -> Option<Result<K, ConfigError>>,
) -> Result<Vec<K>, ConfigError> {
    let (document, from_environment) = config::parse_with_environment(bytes, &|name| host.environment_variable(name))?;
    stages_of(document, host, names, build).map_err(|e| from_environment.explain(e))
}

fn stages_of<K>(
    mut document: serde_json::Map<String, serde_json::Value>,
    host: &mut dyn Host,
    names: &[&str],
    build: impl Fn(&str, serde_json::Map<String, serde_json::Value>, &mut dyn Host) -> Option<Result<K, ConfigError>>,
) -> Result<Vec<K>, ConfigError> {
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
    let mut stages = Vec::with_capacity(entries.len());
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
        let stage = build(&name, config, host)
            .ok_or_else(|| ConfigError::new(&at, format!("unknown stage {name:?} (known: {})", names.join(", "))))?
            .map_err(|e| e.within(&format!("{at}.{name}")))?;
        stages.push(stage);
    }
    Ok(stages)
}

/// The compiled module: its stages, in order.
pub struct Pipeline<K: Module> {
    stages: Vec<K>,
    /// Where each stage's root-callout indexes start in the pipeline's flat numbering.
    offsets: Vec<usize>,
    /// `sieve.<module>.stray_callout_answers`: answers no stage of the request is waiting for.
    stray_answers: Counter,
}

/// Per-request state: the shared core, each stage's own state (made when the stage first runs),
/// the stage the request is at, and how many stages saw the request.
pub struct PipelineStream<K: StageKind> {
    pub core: StreamCore,
    states: States<K::State>,
    current: usize,
    ran: usize,
}

impl<K: StageKind> Default for PipelineStream<K> {
    fn default() -> Self {
        PipelineStream { core: StreamCore::default(), states: States::default(), current: 0, ran: 0 }
    }
}

impl<K: StageKind> PipelineStream<K> {
    /// Callouts dispatched since the last call (the dispatcher routes their answers back).
    pub fn take_new_calls(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.core.calls)
    }

    /// Parked until the root wakes it.
    pub fn is_parked(&self) -> bool {
        self.core.parked_until.is_some()
    }
}

/// The stages' per-request states, the first held inline: a lone filter's request allocates
/// nothing for it.
struct States<S> {
    first: Option<S>,
    rest: Vec<S>,
}

impl<S> Default for States<S> {
    fn default() -> Self {
        States { first: None, rest: Vec::new() }
    }
}

impl<S> States<S> {
    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.len()
    }

    fn push(&mut self, state: S) {
        if self.first.is_none() {
            self.first = Some(state);
        } else {
            self.rest.push(state);
        }
    }

    fn get_mut(&mut self, index: usize) -> Option<&mut S> {
        match index.checked_sub(1) {
            None => self.first.as_mut(),
            Some(at) => self.rest.get_mut(at),
        }
    }
}

impl<K: Module> Pipeline<K> {
    /// Parses, validates and compiles the plugin configuration.
    #[inline(never)]
    pub fn configure(bytes: &[u8], host: &mut dyn Host) -> Result<Self, ConfigError> {
        let stages = K::configure(bytes, host)?;
        let mut offsets = Vec::with_capacity(stages.len());
        let mut next = 0;
        for stage in &stages {
            offsets.push(next);
            next += stage.config_count();
        }
        let stray_answers = crate::Setup::new(host, K::NAME).counter("stray_callout_answers");
        Ok(Pipeline { stages, offsets, stray_answers })
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[K] {
        &self.stages
    }

    /// The stage names, in order.
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(StageKind::name).collect()
    }

    pub fn describe(&self) -> String {
        K::describe(&self.stages)
    }

    pub fn tick_period(&self) -> Option<Duration> {
        self.stages.iter().filter_map(StageKind::tick_period).min()
    }

    /// A root tick for every stage; returns the callouts dispatched, numbered across stages.
    pub fn on_tick(&self, host: &mut dyn Host) -> RootCalls {
        let mut calls = Vec::new();
        for (index, stage) in self.stages.iter().enumerate() {
            let stage_calls = stage.on_tick(host);
            calls.extend(self.flatten(index, stage_calls));
        }
        calls
    }

    /// Hands a root callout's answer to the stage (and config) that dispatched it.
    pub fn on_root_call_response(&self, host: &mut dyn Host, flat: usize, response: &CallResponse) -> RootCalls {
        let Some((stage_index, index)) = self.locate(flat) else { return Vec::new() };
        let Some(stage) = self.stages.get(stage_index) else { return Vec::new() };
        let calls = stage.on_root_call_response(host, index, response);
        self.flatten(stage_index, calls)
    }

    pub fn on_request_headers(&self, host: &mut dyn Host, stream: &mut PipelineStream<K>) -> Action {
        self.run_from(host, stream, 0)
    }

    pub fn on_response_headers(&self, host: &mut dyn Host, stream: &mut PipelineStream<K>) -> Action {
        for index in (0..stream.ran).rev() {
            let (Some(stage), Some(state)) = (self.stages.get(index), stream.states.get_mut(index)) else { continue };
            match stage.run(host, &mut stream.core, state, Hook::Response) {
                Action::Continue => {}
                other => return other,
            }
        }
        Action::Continue
    }

    /// The answer to a callout the request dispatched: by its token, to the stage that asked, and
    /// only while the request waits in it. An earlier stage's late answer (it already moved on) or
    /// an answer no stage asked for is stray: dropped and counted.
    pub fn on_call_response(
        &self,
        host: &mut dyn Host,
        stream: &mut PipelineStream<K>,
        response: &CallResponse,
    ) -> Action {
        let index = stream.current;
        let (Some(stage), Some(state)) = (self.stages.get(index), stream.states.get_mut(index)) else {
            return Action::Continue;
        };
        if !stage.waits_for(state, response.token) {
            self.stray_answers.add(host, 1);
            log::debug!("sieve.{}: dropped an answer to callout {} no stage waits for", K::NAME, response.token);
            return Action::Pause;
        }
        match stage.run(host, &mut stream.core, state, Hook::CallResponse(response)) {
            Action::Continue => self.run_from(host, stream, index + 1),
            other => other,
        }
    }

    /// A root tick while the request is parked.
    pub fn on_wake(&self, host: &mut dyn Host, stream: &mut PipelineStream<K>) -> Action {
        let index = stream.current;
        let (Some(stage), Some(state)) = (self.stages.get(index), stream.states.get_mut(index)) else {
            return Action::Continue;
        };
        match stage.run(host, &mut stream.core, state, Hook::Wake) {
            Action::Continue => self.run_from(host, stream, index + 1),
            other => other,
        }
    }

    /// Runs the request phase from stage `start` on.
    fn run_from(&self, host: &mut dyn Host, stream: &mut PipelineStream<K>, start: usize) -> Action {
        for (index, stage) in self.stages.iter().enumerate().skip(start) {
            while stream.states.len() <= index {
                let Some(next) = self.stages.get(stream.states.len()) else { return Action::Continue };
                stream.states.push(next.new_state());
            }
            let Some(state) = stream.states.get_mut(index) else { return Action::Continue };
            stream.current = index;
            stream.ran = index + 1;
            match stage.run(host, &mut stream.core, state, Hook::Request) {
                Action::Continue => {}
                other => return other,
            }
        }
        Action::Continue
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

/// Exports a chain module offering the given filters as stages: [`crate::define_chain!`] and the
/// module's entry point, in a crate that is only a `cdylib`.
///
/// ```text
/// sieve_sdk_ext::export_chain!(SieveStages, "chain", {
///     Headers: "headers" => sieve_headers::Headers,
///     Auth: "auth" => sieve_auth::Auth,
/// });
/// ```
#[macro_export]
macro_rules! export_chain {
    ($stages:ident, $name:literal, { $($body:tt)+ }) => {
        $crate::define_chain!($stages, $name, { $($body)+ });
        $crate::export_module!($stages);
    };
}

/// A chain's stages as a type, without an entry point: an enum of the stages (and one of their
/// per-request states), so that a request's state is typed and dispatch is a `match`. A library
/// defines it (tests and fuzzing link it); a `cdylib` holding only
/// `sieve_sdk_ext::export_module!(chain::Stages)` makes the module. (A crate that is both an
/// `rlib` and a `cdylib` is linked without LTO: a larger module.)
#[macro_export]
macro_rules! define_chain {
    ($stages:ident, $name:literal, { $($(#[$meta:meta])* $variant:ident : $stage:literal => $filter:ty),+ $(,)? }) => {
        /// The stages this chain module offers.
        pub enum $stages {
            $($(#[$meta])* $variant($crate::stage::Stage<$filter>),)+
        }

        /// One request's state in one stage of this chain.
        pub enum __StageState {
            $($(#[$meta])* $variant($crate::stage::StageState<$filter>),)+
        }

        impl $crate::pipeline::StageKind for $stages {
            type State = __StageState;

            fn name(&self) -> &'static str {
                match self { $($(#[$meta])* $stages::$variant(_) => $stage,)+ }
            }

            fn new_state(&self) -> __StageState {
                match self { $($(#[$meta])* $stages::$variant(_) => __StageState::$variant(Default::default()),)+ }
            }

            fn config_count(&self) -> usize {
                match self { $($(#[$meta])* $stages::$variant(s) => s.config_count(),)+ }
            }

            fn tick_period(&self) -> Option<std::time::Duration> {
                match self { $($(#[$meta])* $stages::$variant(s) => s.tick_period(),)+ }
            }

            fn on_tick(&self, host: &mut dyn $crate::Host) -> $crate::stage::RootCalls {
                match self { $($(#[$meta])* $stages::$variant(s) => s.on_tick(host),)+ }
            }

            fn on_root_call_response(
                &self,
                host: &mut dyn $crate::Host,
                index: usize,
                response: &$crate::CallResponse,
            ) -> $crate::stage::RootCalls {
                match self { $($(#[$meta])* $stages::$variant(s) => s.on_root_call_response(host, index, response),)+ }
            }

            fn run(
                &self,
                host: &mut dyn $crate::Host,
                core: &mut $crate::StreamCore,
                state: &mut __StageState,
                hook: $crate::stage::Hook<'_>,
            ) -> $crate::Action {
                match (self, state) {
                    $($(#[$meta])* ($stages::$variant(s), __StageState::$variant(st)) => s.run(host, core, st, hook),)+
                    #[allow(unreachable_patterns)]
                    _ => $crate::Action::Continue,
                }
            }

            fn waits_for(&self, state: &__StageState, token: u32) -> bool {
                match (self, state) {
                    $($(#[$meta])* ($stages::$variant(s), __StageState::$variant(st)) => s.waits_for(st, token),)+
                    #[allow(unreachable_patterns)]
                    _ => false,
                }
            }
        }

        impl $crate::pipeline::Module for $stages {
            const NAME: &'static str = $name;

            fn configure(
                bytes: &[u8],
                host: &mut dyn $crate::Host,
            ) -> Result<Vec<Self>, $crate::ConfigError> {
                // A stage may sit behind a `#[cfg]` (a chain built with fewer stages).
                let names: &[&str] = &[$($(#[$meta])* $stage),+];
                $crate::pipeline::configure_stages(bytes, host, names, |name, config, host| match name {
                    $($(#[$meta])* $stage => Some($crate::stage::Stage::<$filter>::configure_object(config, host).map($stages::$variant)),)+
                    _ => None,
                })
            }

            fn describe(stages: &[Self]) -> String {
                let names: Vec<&str> = stages.iter().map($crate::pipeline::StageKind::name).collect();
                format!("stages: {}", names.join(" -> "))
            }
        }
    };
}

#[cfg(test)]
#[path = "pipeline_test.rs"]
mod tests;
