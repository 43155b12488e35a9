//! The screen filter's compiled module, driven through the proxy-wasm ABI by Sieve's host emulator:
//! feed polls, deltas and outages are clock steps here instead of seconds of waiting. The
//! real-Envoy tests are tests/tests/screen.rs, and tests/scenarios/screen.yaml runs in both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use sieve_e2e::emulated::answer_calls;
use sieve_emulator::{Emulator, Outcome, Request, SharedData};
use sieve_screen_set::{Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use sieve_services::feed::Feed;
use sieve_services::{Handler, Response};
use std::sync::Arc;
use std::time::Duration;

fn module() -> std::path::PathBuf {
    sieve_emulator::modules::module_path("sieve-screen").unwrap()
}

fn vm(config: &Value) -> Emulator {
    Emulator::builder(module()).plugin_config(config.to_string()).start().unwrap()
}

fn blob(backend: Backend, keys: &[&str], fp_rate: f64, capacity: Option<u64>) -> Vec<u8> {
    let capacity = capacity.unwrap_or(keys.len() as u64);
    let mut set = ScreenSet::new(backend, capacity, fp_rate, Normalize::default(), [42; 32]).unwrap();
    for key in keys {
        set.insert(key).unwrap();
    }
    set.to_blob().unwrap()
}

/// The status a request gets (200 when forwarded).
fn status(vm: &mut Emulator, request: Request) -> u32 {
    match vm.send(request).unwrap().outcome {
        Outcome::Forwarded => 200,
        Outcome::Replied(reply) => reply.status,
        other => panic!("unexpected {other:?}"),
    }
}

fn user(name: &str) -> Request {
    Request::get("/").header("x-user", name)
}

fn feed_config(refresh_seconds: u64) -> Value {
    json!({"key": {"header": {"name": "x-user"}},
        "list": {"feed": {"cluster": "feed", "path": "/lists/users", "refresh_seconds": refresh_seconds, "retry_seconds": 1}}})
}

/// Lets every worker poll (advancing `by`), answers the polls, and lets the workers pick up the result.
fn poll(workers: &mut [Emulator], by: Duration, services: &[(&str, Handler)]) {
    for worker in workers.iter_mut() {
        worker.advance(by).unwrap();
        answer_calls(worker, services).unwrap();
    }
    for worker in workers.iter_mut() {
        worker.advance(Duration::from_millis(250)).unwrap(); // the next tick takes the published list
    }
}

#[test]
fn the_shipped_config_screens_by_address_cidr_and_partner() {
    let mut config = sieve_e2e::EnvoyConfig::load("envoy/screen.yaml").unwrap();
    let mut vm = vm(&serde_json::from_str(&config.plugin_config("sieve.screen").unwrap()).unwrap());
    let feed = Feed::new();
    feed.publish(std::fs::read(sieve_e2e::workspace_root().join("services/demo-lists/deny.txt")).unwrap());
    poll(std::slice::from_mut(&mut vm), Duration::from_millis(150), &[("feed", feed.handler())]);

    // The emulator has no connection manager: the client address is what Envoy would hand the
    // filter (`source.address`) behind the shipped listener's one trusted load balancer.
    let xff = |client: &str| Request::get("/x").header("x-forwarded-for", client).client(&format!("{client}:0"));
    let refused = vm.send(xff("198.51.100.7")).unwrap();
    let Outcome::Replied(reply) = refused.outcome else { panic!("{refused:?}") };
    assert_eq!((reply.status, reply.details.as_str()), (403, "sieve_screen.screened"));
    let body: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body["message"], "the request matches the deny list");
    assert_eq!(status(&mut vm, xff("192.0.2.55")), 403, "inside a denied CIDR");
    assert_eq!(status(&mut vm, xff("203.0.113.1")), 200);
    assert_eq!(status(&mut vm, Request::get("/")), 200, "no X-Forwarded-For: the peer, not listed");
    assert_eq!(status(&mut vm, Request::get("/partners/a").header("x-partner-id", "ACME")), 200, "lower-cased");
    assert_eq!(status(&mut vm, Request::get("/partners/a").header("x-partner-id", "initech")), 403);
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.screen.cidr_hits"), Some(1));
    assert_eq!(vm.metric("sieve.screen.list_size"), Some(2));
}

#[test]
fn a_feed_is_polled_once_per_interval_for_all_workers_with_etags() {
    let shared = SharedData::new();
    let mut workers: Vec<Emulator> = (0..2)
        .map(|_| Emulator::builder(module()).plugin_config(feed_config(2).to_string()).shared(&shared).start().unwrap())
        .collect();
    let feed = Feed::new();
    feed.publish(blob(Backend::Bloom, &["eve", "mallory"], 0.001, None));
    let services: Vec<(&str, Handler)> = vec![("feed", feed.handler())];
    poll(&mut workers, Duration::from_millis(150), &services);
    assert_eq!(feed.requests(), 1, "one poll for both workers");
    for worker in &mut workers {
        assert_eq!(status(worker, user("eve")), 403);
    }

    // Unchanged list: the next poll, by one worker only, carries the ETag (and gets 304).
    for worker in workers.iter_mut() {
        worker.advance(Duration::from_secs(2)).unwrap();
    }
    let polls: Vec<_> = workers.iter().flat_map(|w| w.pending_calls()).collect();
    assert_eq!(polls.len(), 1, "one poll per interval for the whole Envoy: {polls:?}");
    assert!(polls[0].header("if-none-match").is_some_and(|etag| !etag.is_empty()), "{polls:?}");
    poll(&mut workers, Duration::ZERO, &services);
    assert_eq!(feed.requests(), 2);
    for worker in &mut workers {
        assert_eq!(status(worker, user("eve")), 403, "a 304 keeps the list");
    }

    feed.publish("trent\n# a text list becomes an exact set\nmallory\n");
    poll(&mut workers, Duration::from_secs(2), &services);
    for worker in &mut workers {
        assert_eq!(status(worker, user("trent")), 403, "the update reached every worker");
        assert_eq!(status(worker, user("eve")), 200, "eve left the list");
    }
    assert_eq!(feed.requests(), 3);
    assert!(shared.keys().len() <= 4, "old list versions are removed: {:?}", shared.keys());
}

/// Regression: a worker whose own tick has not come yet takes the list another worker published
/// on its first request. Holding the list's borrow while installing it trapped the VM.
#[test]
fn a_worker_takes_the_published_list_on_a_request_before_its_own_tick() {
    let shared = SharedData::new();
    let mut workers: Vec<Emulator> = (0..2)
        .map(|_| Emulator::builder(module()).plugin_config(feed_config(2).to_string()).shared(&shared).start().unwrap())
        .collect();
    let feed = Feed::new();
    feed.publish("eve\n");
    let services: Vec<(&str, Handler)> = vec![("feed", feed.handler())];
    // Only the first worker ticks, polls and publishes.
    workers[0].advance(Duration::from_millis(150)).unwrap();
    answer_calls(&mut workers[0], &services).unwrap();
    assert_eq!(feed.requests(), 1);
    let second = &mut workers[1];
    assert_eq!(status(second, user("eve")), 403, "the second worker, before any tick of its own");
    assert_eq!(status(second, user("bob")), 200);
    assert!(second.trap().is_none(), "{:?}", second.trap());
    assert_eq!(status(&mut workers[0], user("eve")), 403);
}

#[test]
fn a_cuckoo_delta_adds_and_removes_keys() {
    let mut vm = vm(&feed_config(1));
    let feed = Feed::new();
    feed.publish(blob(Backend::Cuckoo, &["alpha", "bravo", "charlie"], CUCKOO_FP_RATE, Some(100)));
    let services: Vec<(&str, Handler)> = vec![("feed", feed.handler())];
    poll(std::slice::from_mut(&mut vm), Duration::from_millis(150), &services);
    assert_eq!(status(&mut vm, user("alpha")), 403);

    feed.publish_delta(
        blob(Backend::Cuckoo, &["bravo", "charlie", "delta"], CUCKOO_FP_RATE, Some(100)),
        &["delta"],
        &["alpha"],
    );
    let served_before = feed.requests();
    poll(std::slice::from_mut(&mut vm), Duration::from_secs(1), &services);
    assert_eq!(feed.requests(), served_before + 1, "one request: the delta");
    assert_eq!(status(&mut vm, user("delta")), 403, "added by the delta");
    assert_eq!(status(&mut vm, user("alpha")), 200, "removed by the delta");
    assert_eq!(status(&mut vm, user("bravo")), 403, "untouched keys stay");
    assert_eq!(vm.metric("sieve.screen.list_size"), Some(3));
}

#[test]
fn a_dead_slow_or_garbage_feed_leaves_the_last_good_list() {
    let mut vm = vm(&feed_config(1));
    let feed = Feed::new();
    feed.publish(blob(Backend::Bloom, &["eve"], 0.01, None));
    let services: Vec<(&str, Handler)> = vec![("feed", feed.handler())];
    poll(std::slice::from_mut(&mut vm), Duration::from_millis(150), &services);
    assert_eq!(status(&mut vm, user("eve")), 403);

    feed.publish(b"garbage\xff\xfe".to_vec());
    feed.set_garbage(true);
    poll(std::slice::from_mut(&mut vm), Duration::from_secs(2), &services);
    assert_eq!(status(&mut vm, user("eve")), 403, "a corrupt blob is refused");
    feed.set_garbage(false);
    poll(std::slice::from_mut(&mut vm), Duration::from_secs(4), &[]);
    assert_eq!(status(&mut vm, user("eve")), 403, "a dead feed changes nothing");
    vm.advance(Duration::from_secs(8)).unwrap(); // polls that are never answered time out
    assert_eq!(status(&mut vm, user("eve")), 403, "a hanging feed changes nothing");
    assert_eq!(status(&mut vm, user("bob")), 200);
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert!(vm.metric("sieve.screen.feed_errors").unwrap_or(0) >= 3, "{:?}", vm.metrics());
}

#[test]
fn an_allow_list_not_loaded_yet_fails_closed() {
    let mut vm = vm(&json!({"key": {"header": {"name": "x-user"}}, "mode": "allow",
        "list": {"feed": {"cluster": "feed", "path": "/lists/users", "refresh_seconds": 1}}}));
    let exchange = vm.send(user("anyone")).unwrap();
    let Outcome::Replied(reply) = exchange.outcome else { panic!("{exchange:?}") };
    assert_eq!((reply.status, reply.details.as_str()), (503, "sieve_screen.list_unavailable"));
}

#[test]
fn cuckoo_inserts_at_ninety_percent_load_inside_the_vm() {
    let keys: Vec<String> = (0..900).map(|i| format!("user-{i}")).collect();
    let mut vm = vm(&json!({"key": {"header": {"name": "x-user"}},
        "list": {"keys": keys, "backend": "cuckoo", "capacity": 1000}}));
    for i in (0..900).step_by(37) {
        assert_eq!(status(&mut vm, user(&format!("user-{i}"))), 403);
    }
    assert!(vm.unimplemented_calls().is_empty(), "{:?}", vm.unimplemented_calls());
    assert!(vm.trap().is_none());
}

#[test]
fn confirmations_catch_false_positives() {
    let members: Vec<String> = (0..200).map(|i| format!("m-{i}")).collect();
    let authority: Handler = {
        let members = members.clone();
        Arc::new(move |request: sieve_services::Request| {
            let key = request.query.strip_prefix("key=").unwrap_or_default().to_string();
            Response::new(if members.contains(&key) { 200 } else { 404 })
        })
    };
    let mut vm = vm(&json!({"key": {"header": {"name": "x-user"}},
        "list": {"keys": members, "backend": "bloom", "fp_rate": 0.3},
        "confirm": {"cluster": "authority", "path": "/member", "timeout_ms": 500}}));
    let services = [("authority", authority)];
    let final_status = |vm: &mut Emulator, name: &str| {
        let exchange = vm.send(user(name)).unwrap();
        answer_calls(vm, &services).unwrap();
        match vm.outcome(exchange.context).unwrap() {
            Outcome::Forwarded => 200,
            Outcome::Replied(reply) => reply.status,
            other => panic!("{other:?}"),
        }
    };
    for i in (0..200).step_by(20) {
        assert_eq!(final_status(&mut vm, &format!("m-{i}")), 403);
    }
    for i in 0..100 {
        assert_eq!(final_status(&mut vm, &format!("outsider-{i}")), 200, "a false positive must never block");
    }
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert!(vm.metric("sieve.screen.false_positives").unwrap_or(0) > 5);
    assert_eq!(vm.metric("sieve.screen.confirmed"), Some(10));
}

#[test]
fn lookup_cost_does_not_grow_with_the_list() {
    let fuel = |size: usize| {
        let keys: Vec<String> = (0..size).map(|i| format!("k{i}")).collect();
        let mut vm = vm(&json!({"key": {"header": {"name": "x-user"}},
            "list": {"keys": keys, "backend": "bloom", "fp_rate": 0.001}}));
        status(&mut vm, user("outsider"));
        // A Bloom lookup stops at the first clear bit, which depends on the key and on where the
        // list's bits fall: one key's cost moves by a probe or two either way, so take twenty.
        (0..20)
            .map(|i| {
                status(&mut vm, user(&format!("outsider-{i}")));
                vm.last_fuel()
            })
            .sum::<u64>()
    };
    let (small, large) = (fuel(100), fuel(50_000));
    assert!(large <= small + small / 10, "50,000 keys: {large} fuel, 100 keys: {small}");
}

#[test]
fn bad_configs_are_refused_naming_the_field() {
    let cases = [
        (
            json!({"key": {"header": {"name": "x"}}, "list": {"keys": ["a"], "backend": "quotient"}}),
            "list.backend: unknown backend",
        ),
        (json!({"key": {"ip": {}}, "list": {"keys": ["a"]}}), "key: unknown variant `ip`"),
        (json!({"key": {"client_ip": {}}, "cidrs": ["10.0.0.0/33"], "list": {"keys": ["a"]}}), "cidrs[0]"),
    ];
    sieve_emulator::check_refusals(module(), &cases).unwrap_or_else(|e| panic!("{e}"));
}
