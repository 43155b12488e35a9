//! The dispatcher on the fake host: what the Wasm shim only forwards to it — callouts owned by
//! token, waiting requests, parking and ticks, root callouts, requests that end while they wait.

use super::*;
use crate::stage::Stage;
use crate::testing::{call_response, FakeHost};
use crate::{ConfigError, Filter, Http, HttpCall, LocalReply, Root, Setup, Verdict};
use serde::Deserialize;
use std::cell::Cell;
use std::time::SystemTime;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    mode: String,
}

/// `call`: asks the `authz` cluster and takes the consumer from the answer; `park`: waits until the
/// root has ticked once (or 1 s); the root of every mode dispatches a fetch on its first tick.
struct Probe {
    mode: String,
    ticked: Cell<bool>,
    root_answers: Cell<u32>,
}

fn call<'a>(cluster: &'a str) -> HttpCall<'a> {
    HttpCall {
        cluster,
        method: "GET",
        path: "/",
        authority: cluster,
        headers: Vec::new(),
        body: None,
        timeout: Duration::from_millis(500),
    }
}

impl Filter for Probe {
    const NAME: &'static str = "probe";
    type Config = Config;
    type Stream = Option<SystemTime>;

    fn configure(config: Config, _setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        Ok(Probe { mode: config.mode, ticked: Cell::new(false), root_answers: Cell::new(0) })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, deadline: &mut Option<SystemTime>) -> Verdict {
        match self.mode.as_str() {
            "call" => match http.dispatch(&call("authz")) {
                Ok(_) => Verdict::Pause,
                Err(_) => Verdict::Reply(LocalReply::new(503, "unavailable", "no authz")),
            },
            "park" if !self.ticked.get() => {
                let until = http.now() + Duration::from_secs(1);
                *deadline = Some(until);
                http.park_until(until);
                Verdict::Pause
            }
            _ => Verdict::Continue,
        }
    }

    fn on_call_response(&self, http: &mut Http<'_>, _: &mut Option<SystemTime>, response: &CallResponse) -> Verdict {
        match response.header_str("x-consumer") {
            Some(consumer) => {
                let _ = http.set_request_header("x-consumer", consumer);
                Verdict::Continue
            }
            None => Verdict::Reply(LocalReply::forbidden("no consumer")),
        }
    }

    fn on_wake(&self, http: &mut Http<'_>, deadline: &mut Option<SystemTime>) -> Verdict {
        if self.ticked.get() {
            Verdict::Continue
        } else if deadline.is_some_and(|d| http.now() > d) {
            Verdict::Reply(LocalReply::new(504, "timeout", "no tick"))
        } else {
            Verdict::Pause
        }
    }

    fn tick_period(&self) -> Option<Duration> {
        Some(Duration::from_secs(5))
    }

    fn on_tick(&self, root: &mut Root<'_>) {
        if !self.ticked.replace(true) {
            let _ = root.dispatch(&call("lists"));
        }
    }

    fn on_root_call_response(&self, _root: &mut Root<'_>, _response: &CallResponse) {
        self.root_answers.set(self.root_answers.get() + 1);
    }
}

fn dispatcher(mode: &str) -> (Dispatcher<Stage<Probe>>, FakeHost) {
    let dispatcher = Dispatcher::new(1);
    let mut host = FakeHost::default();
    dispatcher.configure(&mut host, format!(r#"{{"mode": "{mode}"}}"#).as_bytes()).unwrap();
    (dispatcher, host)
}

fn probe(dispatcher: &Dispatcher<Stage<Probe>>) -> std::rc::Rc<Pipeline<Stage<Probe>>> {
    dispatcher.pipeline().unwrap()
}

/// Delivers `answer` the way the host does: to whatever context, by token.
fn deliver(dispatcher: &Dispatcher<Stage<Probe>>, host: &mut FakeHost, answer: CallResponse) {
    let (token, size) = (answer.token, answer.body_size);
    host.delivering = Some(answer);
    dispatcher.call_response(host, token, size);
    host.delivering = None;
}

#[test]
fn answers_reach_the_request_that_asked_by_token_in_any_order() {
    let (dispatcher, mut host) = dispatcher("call");
    let (first, second) = (StreamCell::<Stage<Probe>>::default(), StreamCell::<Stage<Probe>>::default());
    assert_eq!(dispatcher.request_headers(&mut host, 10, &first), Flow::Pause);
    assert_eq!(dispatcher.request_headers(&mut host, 11, &second), Flow::Pause);
    let tokens: Vec<u32> = host.calls.iter().map(|c| c.token).collect();
    assert_eq!(tokens.len(), 2);
    deliver(&dispatcher, &mut host, call_response(tokens[1], Some(200), &[("x-consumer", "bob")], b""));
    assert_eq!(host.effective_context, Some(11), "the answer acts on the request that asked");
    assert!(!dispatcher.is_waiting(11) && dispatcher.is_waiting(10));
    assert_eq!(host.resumed, 1);
    deliver(&dispatcher, &mut host, call_response(tokens[0], Some(200), &[("x-consumer", "ann")], b""));
    assert_eq!(host.effective_context, Some(10));
    assert!(!dispatcher.is_waiting(10));
    assert_eq!(host.resumed, 2);
}

#[test]
fn a_stray_or_late_answer_is_dropped() {
    let (dispatcher, mut host) = dispatcher("call");
    let cell = StreamCell::<Stage<Probe>>::default();
    dispatcher.request_headers(&mut host, 10, &cell);
    let token = host.last_call().unwrap().token;
    // Not a token anyone dispatched: nothing happens.
    deliver(&dispatcher, &mut host, call_response(token + 100, Some(200), &[("x-consumer", "x")], b""));
    assert!(dispatcher.is_waiting(10));
    assert_eq!(host.resumed, 0);
    // The request ends (client gone) while it waits: its answer finds no one.
    dispatcher.done(10);
    deliver(&dispatcher, &mut host, call_response(token, Some(200), &[("x-consumer", "x")], b""));
    assert_eq!(host.resumed, 0);
    assert!(!dispatcher.is_waiting(10));
}

#[test]
fn a_parked_request_is_woken_by_the_tick_which_runs_fast_meanwhile() {
    let (dispatcher, mut host) = dispatcher("park");
    assert_eq!(host.tick_period, COUNTER_FLUSH, "the root ticks at least as often as counters flush");
    let cell = StreamCell::<Stage<Probe>>::default();
    assert_eq!(dispatcher.request_headers(&mut host, 10, &cell), Flow::Pause);
    assert_eq!(host.tick_period, PARKED_TICK, "a parked request makes the root tick fast");
    dispatcher.tick(&mut host);
    assert!(!dispatcher.is_waiting(10), "the tick released it");
    assert_eq!(host.resumed, 1);
    assert_eq!(host.tick_period, COUNTER_FLUSH, "back to the slow tick once nothing is parked");
    assert_eq!(host.effective_context, Some(1), "the root acts as itself again after waking requests");
}

#[test]
fn a_parked_request_past_its_deadline_gets_its_filters_answer() {
    let (dispatcher, mut host) = dispatcher("park");
    let cell = StreamCell::<Stage<Probe>>::default();
    dispatcher.request_headers(&mut host, 10, &cell);
    host.advance(Duration::from_secs(2));
    dispatcher.wake(&mut host, 10);
    assert_eq!(host.local_reply.as_ref().map(|r| r.status), Some(504));
    assert!(!dispatcher.is_waiting(10));
}

#[test]
fn root_callouts_are_answered_to_the_root_not_to_a_request() {
    let (dispatcher, mut host) = dispatcher("call");
    dispatcher.tick(&mut host);
    let fetch = host.last_call().unwrap().clone();
    assert_eq!(fetch.cluster, "lists");
    assert!(dispatcher.owns_root_call(fetch.token));
    deliver(&dispatcher, &mut host, call_response(fetch.token, Some(200), &[], b"doc"));
    assert!(!dispatcher.owns_root_call(fetch.token));
    let pipeline = probe(&dispatcher);
    let [stage] = pipeline.stages() else { panic!("one stage") };
    assert_eq!(stage.filter().root_answers.get(), 1, "the config that dispatched it got the answer");
    assert_eq!(host.resumed, 0, "no request was resumed by a root answer");
}

#[test]
fn without_a_configuration_requests_are_refused() {
    let dispatcher = Dispatcher::<Stage<Probe>>::new(1);
    let mut host = FakeHost::request("GET", "/", &[]);
    let refused = dispatcher.configure(&mut host, br#"{"mode": 7}"#).unwrap_err();
    assert_eq!(refused.field, "mode");
    assert_eq!(dispatcher.request_headers(&mut host, 10, &StreamCell::default()), Flow::Pause);
    let reply = host.local_reply.unwrap();
    assert_eq!((reply.status, reply.details.as_str()), (500, "sieve_probe.not_configured"));
}

#[test]
fn a_refused_update_keeps_the_configuration_in_force() {
    let (dispatcher, mut host) = dispatcher("call");
    assert!(dispatcher.configure(&mut host, b"{\"mode\": [1]}").is_err());
    let cell = StreamCell::<Stage<Probe>>::default();
    assert_eq!(dispatcher.request_headers(&mut host, 10, &cell), Flow::Pause, "still the `call` configuration");
}
