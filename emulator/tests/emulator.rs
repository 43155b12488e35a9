//! The emulator itself: traps and panic messages, dead VMs, refusals, the runaway guard, queues,
//! bodies, properties, metrics and timers — on the trap module, the ABI probe and a real filter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use sieve_emulator::{Action, CallAnswer, Emulator, Error, MetricKind, Outcome, Request, SharedData};
use std::time::Duration;

fn module(package: &str) -> std::path::PathBuf {
    sieve_emulator::modules::module_path(package).unwrap()
}

#[test]
fn a_panic_is_reported_with_its_message_and_kills_the_vm() {
    let mut vm = Emulator::builder(module("sieve-test-trap")).plugin_config("{}").start().unwrap();
    let ok = vm.send(Request::get("/")).unwrap();
    assert_eq!(vm.stream(ok.context).unwrap().request_header("x-sieve-trap-vm"), Some("1"));

    let error = vm.send(Request::get("/").header("x-sieve-trap", "1")).unwrap_err();
    let Error::Trap(trap) = &error else { panic!("expected a trap, got {error}") };
    assert_eq!(trap.callback, "proxy_on_request_headers");
    let panic = trap.panic.as_deref().unwrap_or_default();
    assert!(panic.contains("x-sieve-trap: trapping on request"), "the module's panic message: {panic:?}");
    assert!(error.to_string().contains("trapping on request"), "{error}");

    // Like Envoy, a VM that trapped serves nothing more.
    let after = vm.send(Request::get("/")).unwrap_err();
    assert!(matches!(after, Error::Dead(_)), "{after}");
    assert!(vm.trap().is_some());
}

#[test]
fn a_runaway_callback_is_stopped_by_the_fuel_limit() {
    let error = Emulator::builder(module("sieve-headers"))
        .plugin_config(r#"{"request": [{"op": "set", "name": "x-a", "value": "1"}]}"#)
        .fuel_per_call(2_000)
        .start()
        .err()
        .expect("2,000 fuel cannot parse a config");
    let trap = error.trap().expect("a trap");
    assert!(trap.message.contains("fuel"), "{trap}");
}

#[test]
fn a_refused_config_carries_the_log_lines() {
    let error = Emulator::builder(module("sieve-headers")).plugin_config(r#"{"request": 7}"#).start().err().unwrap();
    let Error::Refused { callback, .. } = &error else { panic!("{error}") };
    assert_eq!(*callback, "proxy_on_configure");
    assert!(error.refusal_log().contains("request"), "{}", error.refusal_log());
}

#[test]
fn shared_queues_deliver_to_the_registering_vm() {
    let shared = SharedData::new();
    let mut first = Emulator::builder(module("sieve-emulator-probe")).shared(&shared).start().unwrap();
    let mut second = Emulator::builder(module("sieve-emulator-probe")).shared(&shared).start().unwrap();
    // Both register the same queue name in the same VM id: the last registration owns it, as in Envoy.
    let enqueued = first.send(Request::get("/").header("x-enqueue", "hello")).unwrap();
    assert_eq!(first.stream(enqueued.context).unwrap().request_header("x-probe-last-queued"), Some("none"));
    second.advance(Duration::from_millis(1)).unwrap(); // the owner runs proxy_on_queue_ready
    let seen = first.send(Request::get("/")).unwrap();
    assert_eq!(first.stream(seen.context).unwrap().request_header("x-probe-last-queued"), Some("hello"));
    assert_eq!(shared.get("probe.last_queued").map(|(value, _)| value), Some(b"hello".to_vec()));
}

#[test]
fn bodies_properties_histograms_and_response_headers() {
    let mut vm = Emulator::builder(module("sieve-emulator-probe")).plugin_name("probe-plugin").start().unwrap();
    let context = vm.new_http_context().unwrap();
    let headers = [(":method", "POST"), (":path", "/"), (":authority", "a")];
    assert_eq!(vm.request_headers(context, &headers, false).unwrap(), Action::Continue);
    assert_eq!(vm.request_body(context, b"hello ", false).unwrap(), Action::Pause, "buffering until the end");
    assert_eq!(vm.request_body(context, b"hello world", true).unwrap(), Action::Continue);
    let stream = vm.stream(context).unwrap();
    assert_eq!(stream.request_body(), b"HELLO WORLD");
    assert_eq!(stream.request_header("x-probe-plugin"), Some("probe-plugin"));
    assert_eq!(vm.response_headers(context, &[(":status", "201")], true).unwrap(), Action::Continue);
    let stream = vm.stream(context).unwrap();
    assert_eq!(stream.response_header("x-probe-response"), Some("POST"));
    assert_eq!(stream.response_header("x-probe-status"), Some("201"));
    vm.complete(context).unwrap();
    let histogram = vm.metrics().into_iter().find(|(name, ..)| name == "probe.header_counts").unwrap();
    assert_eq!((histogram.1, histogram.2), (MetricKind::Histogram, 1), "one sample recorded");
}

#[test]
fn ticks_follow_the_clock() {
    let mut vm = Emulator::builder(module("sieve-emulator-probe")).start().unwrap();
    assert_eq!(vm.tick_period(), Some(Duration::from_secs(1)));
    let start = vm.now();
    vm.advance(Duration::from_millis(3_500)).unwrap();
    assert_eq!(vm.metric("probe.ticks"), Some(3), "ticks at 1 s, 2 s and 3 s");
    assert_eq!(vm.now().duration_since(start).unwrap(), Duration::from_millis(3_500));
    vm.tick().unwrap();
    assert_eq!(vm.metric("probe.ticks"), Some(4));
}

#[test]
fn callouts_to_unknown_clusters_are_refused_and_answers_reach_the_caller() {
    let config = r#"{"providers": [{"ext_authz": {"cluster": "authz", "timeout_ms": 300}}]}"#;
    let mut refused =
        Emulator::builder(module("sieve-auth")).plugin_config(config).clusters(&["other"]).start().unwrap();
    let exchange = refused.send(Request::get("/")).unwrap();
    assert!(matches!(exchange.outcome, Outcome::Replied(ref r) if r.status == 503), "{exchange:?}");
    assert!(refused.pending_calls().is_empty());

    let mut vm = Emulator::builder(module("sieve-auth")).plugin_config(config).clusters(&["authz"]).start().unwrap();
    let exchange = vm.send(Request::get("/x").header("authorization", "Bearer t")).unwrap();
    let calls = vm.pending_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].context_id, exchange.context, "dispatched from the request's context");
    assert!(vm.answer_call(calls[0].token + 100, CallAnswer::new(200, "")).is_err(), "unknown token");
    vm.answer_call(calls[0].token, CallAnswer::new(200, "").header("x-auth-consumer", "zed")).unwrap();
    assert_eq!(vm.outcome(exchange.context).unwrap(), Outcome::Forwarded);
    assert!(vm.unimplemented_calls().is_empty());
}

#[test]
fn the_readme_lists_exactly_what_is_covered() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (call, _) in sieve_emulator::COVERAGE_IMPLEMENTED.iter().chain(sieve_emulator::COVERAGE_NOT_IMPLEMENTED) {
        assert!(readme.contains(&format!("| `{call}` |")), "README.md lacks a row for {call}");
    }
    let rows = readme.lines().filter(|l| l.starts_with("| `")).count();
    let listed = sieve_emulator::COVERAGE_IMPLEMENTED.len() + sieve_emulator::COVERAGE_NOT_IMPLEMENTED.len();
    assert_eq!(rows, listed, "README rows and the coverage lists differ");
}

#[test]
fn the_readme_table_is_the_import_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let readme_rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
    let table_rows: Vec<String> = sieve_emulator::COVERAGE_IMPLEMENTED
        .iter()
        .chain(sieve_emulator::COVERAGE_NOT_IMPLEMENTED)
        .map(|(call, behaviour)| format!("| `{call}` | {behaviour} |"))
        .collect();
    assert_eq!(readme_rows, table_rows, "README.md's coverage rows, in order, are the import table's rows");
}

#[test]
fn host_calls_are_counted_under_their_import_names() {
    let mut vm = Emulator::builder(module("sieve-emulator-probe")).start().unwrap();
    vm.reset_host_calls();
    vm.send(Request::get("/").header("x-enqueue", "hello")).unwrap();
    let calls = vm.host_calls();
    for name in calls.keys() {
        let listed = sieve_emulator::COVERAGE_IMPLEMENTED.iter().any(|(call, _)| call == name);
        assert!(listed, "{name} is counted but is not a row of the import table");
    }
    assert_eq!(calls.get("proxy_get_header_map_value"), Some(&2), ":method and x-enqueue: {calls:?}");
    assert_eq!(vm.host_call_total(), calls.values().sum::<u64>());
}
