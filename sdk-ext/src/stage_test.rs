//! The runtime's promises, with a toy filter: what a verdict does, callouts, parked requests.

use super::*;
use crate::testing::{call_response, FakeHost, TestPlugin};
use crate::{HttpCall, Root};
use serde::Deserialize;
use std::time::{Duration, SystemTime};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToyConfig {
    mode: String,
}

/// `mode` decides what `on_request_headers` does: `continue`, `reply`, `stall` (pause with nothing
/// pending), `call` (dispatch and wait), `park` (wait for the root, 1 s), `forever` (park and keep
/// pausing past the deadline).
struct Toy {
    mode: String,
    ticks: std::cell::Cell<u32>,
}

impl Filter for Toy {
    const NAME: &'static str = "toy";
    type Config = ToyConfig;
    type Stream = Option<SystemTime>;

    fn configure(config: ToyConfig, _setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        Ok(Toy { mode: config.mode, ticks: std::cell::Cell::new(0) })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, stream: &mut Option<SystemTime>) -> Verdict {
        match self.mode.as_str() {
            "reply" => Verdict::Reply(LocalReply::new(418, "teapot", "short and stout")),
            "stall" => Verdict::Pause,
            "call" => {
                let call = HttpCall {
                    cluster: "svc",
                    method: "GET",
                    path: "/x",
                    authority: "svc",
                    headers: vec![],
                    body: None,
                    timeout: Duration::from_millis(100),
                };
                match http.dispatch(&call) {
                    Ok(_) => Verdict::Pause,
                    Err(_) => Verdict::Reply(LocalReply::new(503, "unavailable", "no call")),
                }
            }
            "park" | "forever" => {
                let deadline = http.now() + Duration::from_secs(1);
                *stream = Some(deadline);
                http.park_until(deadline);
                Verdict::Pause
            }
            _ => Verdict::Continue,
        }
    }

    fn on_response_headers(&self, http: &mut Http<'_>, _stream: &mut Option<SystemTime>) -> Verdict {
        let _ = http.set_response_header("x-toy", "seen");
        Verdict::Continue
    }

    fn on_call_response(
        &self,
        _http: &mut Http<'_>,
        _stream: &mut Option<SystemTime>,
        response: &CallResponse,
    ) -> Verdict {
        if response.is_success() {
            Verdict::Continue
        } else {
            Verdict::Reply(LocalReply::forbidden("the service said no"))
        }
    }

    fn on_wake(&self, http: &mut Http<'_>, stream: &mut Option<SystemTime>) -> Verdict {
        if self.mode == "forever" {
            return Verdict::Pause;
        }
        match stream {
            Some(deadline) if http.now() >= *deadline => Verdict::Reply(LocalReply::new(504, "late", "gave up")),
            _ if self.ticks.get() > 0 => Verdict::Continue,
            _ => Verdict::Pause,
        }
    }

    fn tick_period(&self) -> Option<Duration> {
        Some(Duration::from_secs(2))
    }

    fn on_tick(&self, _root: &mut Root<'_>) {
        self.ticks.set(self.ticks.get() + 1);
    }
}

fn toy(mode: &str) -> TestPlugin<Toy> {
    TestPlugin::new(&format!(r#"{{"mode": "{mode}"}}"#)).unwrap()
}

#[test]
fn a_reply_stops_the_request_and_skips_the_response_hook() {
    let plugin = toy("reply");
    let mut host = FakeHost::request("GET", "/", &[]);
    let (action, mut stream) = plugin.request(&mut host);
    assert_eq!(action, Action::Stop);
    let reply = host.local_reply.clone().unwrap();
    assert_eq!((reply.status, reply.details.as_str()), (418, "sieve_toy.teapot"));
    host.respond(418, &[]);
    plugin.response(&mut host, &mut stream);
    assert_eq!(host.response_header("x-toy"), None);
}

#[test]
fn pausing_with_nothing_pending_is_a_500_not_a_hang() {
    let plugin = toy("stall");
    let mut host = FakeHost::request("GET", "/", &[]);
    assert_eq!(plugin.request(&mut host).0, Action::Stop);
    let reply = host.local_reply.unwrap();
    assert_eq!((reply.status, reply.details.as_str()), (500, "sieve_toy.internal"));
}

#[test]
fn a_callout_answer_resumes_the_request() {
    let plugin = toy("call");
    let mut host = FakeHost::request("GET", "/", &[]);
    let (action, mut stream) = plugin.request(&mut host);
    assert_eq!(action, Action::Pause);
    assert!(plugin.dispatcher.is_waiting(stream.id) && !stream.is_parked());
    let token = host.last_call().unwrap().token;
    assert_eq!(plugin.answer(&mut host, &mut stream, call_response(token, Some(200), &[], b"")), Action::Continue);
    assert!(!plugin.dispatcher.is_waiting(stream.id));
    assert_eq!(host.resumed, 1, "the paused request was resumed");

    let mut host = FakeHost::request("GET", "/", &[]);
    let (_, mut stream) = plugin.request(&mut host);
    let token = host.last_call().unwrap().token;
    assert_eq!(plugin.answer(&mut host, &mut stream, call_response(token, None, &[], b"")), Action::Stop);
    assert_eq!(host.local_reply.unwrap().status, 403);
}

#[test]
fn a_parked_request_waits_for_the_root() {
    let plugin = toy("park");
    let mut host = FakeHost::request("GET", "/", &[]);
    let (action, mut stream) = plugin.request(&mut host);
    assert_eq!(action, Action::Pause);
    assert!(stream.is_parked());
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Pause, "nothing new yet");
    plugin.tick(&mut host);
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Continue);
    assert!(!stream.is_parked());

    let mut host = FakeHost::request("GET", "/", &[]);
    let (_, mut stream) = plugin.request(&mut host);
    host.advance(Duration::from_secs(2));
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Stop);
    assert_eq!(host.local_reply.unwrap().status, 504, "the filter's own deadline answer");
}

#[test]
fn a_filter_that_never_stops_waiting_gets_a_503_backstop() {
    let plugin = toy("forever");
    let mut host = FakeHost::request("GET", "/", &[]);
    let (_, mut stream) = plugin.request(&mut host);
    host.advance(Duration::from_millis(1_500));
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Pause, "within the grace second");
    host.advance(Duration::from_secs(1));
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Stop);
    let reply = host.local_reply.unwrap();
    assert_eq!((reply.status, reply.details.as_str()), (503, "sieve_toy.wait_timeout"));
}

#[test]
fn the_tick_period_is_the_shortest_any_config_asks_for() {
    let plugin = TestPlugin::<Toy>::new(
        r#"{"mode": "continue", "routes": [{"match": {"path_prefix": "/a"}, "config": {"mode": "reply"}}]}"#,
    )
    .unwrap();
    let pipeline = plugin.dispatcher.pipeline().unwrap();
    assert_eq!(pipeline.tick_period(), Some(Duration::from_secs(2)));
    assert_eq!(pipeline.describe(), "1 route entries");
}
