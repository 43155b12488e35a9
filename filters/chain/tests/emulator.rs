//! The chain module in the host emulator: the shipped config, config errors naming the stage, and
//! what one VM saves — work (fuel) and host calls per request against the three filters run
//! separately on the same request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use sieve_emulator::{Emulator, Error, Outcome, Request};

const KEY: &str = "sieve-demo-key-0123456789abcdef";
const KEY_SHA256: &str = "c070fc70a90f39b155e49e61d3ed9a08557f41e8931f866e0c77890a49ce4afe";

fn module(package: &str) -> std::path::PathBuf {
    sieve_emulator::modules::module_path(package).unwrap()
}

fn headers_config() -> Value {
    json!({"request": [{"op": "set", "name": "x-sieve-request", "value": "%METHOD% %PATH%"}],
           "response": [{"op": "set", "name": "x-sieve-served-by", "value": "sieve"}]})
}

fn auth_config() -> Value {
    json!({"providers": [{"api_key": {"keys": [{"consumer": "demo-app", "sha256": KEY_SHA256}]}}]})
}

fn screen_config() -> Value {
    json!({"key": {"consumer": {}}, "mode": "deny", "list": {"keys": ["blocked-app"]}})
}

fn request() -> Request {
    Request::get("/api/items?page=2").header("x-api-key", KEY).header("user-agent", "bench")
}

/// Sends one request (headers, then the upstream's response headers) and returns the fuel and
/// host calls it took.
fn cost(vm: &mut Emulator) -> (u64, u64) {
    vm.reset_host_calls();
    let before = vm.fuel_consumed();
    let exchange = vm.send(request()).unwrap();
    assert_eq!(exchange.outcome, Outcome::Forwarded);
    vm.response_headers(exchange.context, &[(":status", "200"), ("content-type", "application/json")], false).unwrap();
    vm.complete(exchange.context).unwrap();
    (vm.fuel_consumed() - before, vm.host_call_total())
}

#[test]
fn the_shipped_chain_config_loads_every_stage() {
    let mut config = sieve_e2e::EnvoyConfig::load("envoy/chain.yaml").unwrap();
    let plugin_config = config.plugin_config("sieve.chain").unwrap();
    let vm = Emulator::builder(module("sieve-chain")).plugin_config(plugin_config).start().unwrap();
    assert!(vm.logged("stages: headers -> auth -> screen"), "{:?}", vm.logs());
}

#[test]
fn stages_run_in_order_and_hand_the_consumer_on() {
    let config =
        json!({"stages": [{"headers": headers_config()}, {"auth": auth_config()}, {"screen": screen_config()}]});
    let mut vm = Emulator::builder(module("sieve-chain")).plugin_config(config.to_string()).start().unwrap();
    let exchange = vm.send(request()).unwrap();
    assert_eq!(exchange.outcome, Outcome::Forwarded);
    let stream = vm.stream(exchange.context).unwrap();
    assert_eq!(stream.request_header("x-sieve-request"), Some("GET /api/items?page=2"));
    assert_eq!(stream.request_header("x-sieve-consumer"), Some("demo-app"));
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.screen.checks"), Some(1), "screen keyed on the consumer");

    let refused = vm.send(Request::get("/")).unwrap();
    let Outcome::Replied(reply) = refused.outcome else { panic!("{refused:?}") };
    assert_eq!((reply.status, reply.details.as_str()), (401, "sieve_auth.unauthorized"));
    let stream = vm.stream(refused.context).unwrap();
    assert_eq!(stream.response_header("x-sieve-served-by"), Some("sieve"), "the headers stage saw the reply");
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.screen.checks"), Some(1), "screen never saw the refused request");
}

#[test]
fn one_vm_costs_less_than_three_filters() {
    let chain_config =
        json!({"stages": [{"headers": headers_config()}, {"auth": auth_config()}, {"screen": screen_config()}]});
    let mut chain = Emulator::builder(module("sieve-chain")).plugin_config(chain_config.to_string()).start().unwrap();
    let mut separate: Vec<Emulator> = [
        ("sieve-headers", headers_config()),
        ("sieve-auth", auth_config()),
        (
            "sieve-screen",
            json!({"key": {"header": {"name": "x-sieve-consumer"}}, "mode": "deny", "list": {"keys": ["blocked-app"]}}),
        ),
    ]
    .into_iter()
    .map(|(package, config)| Emulator::builder(module(package)).plugin_config(config.to_string()).start().unwrap())
    .collect();
    cost(&mut chain);
    let (chain_fuel, chain_calls) = cost(&mut chain);
    let (mut fuel, mut calls) = (0, 0);
    for vm in &mut separate {
        cost(vm);
        let (f, c) = cost(vm);
        fuel += f;
        calls += c;
    }
    eprintln!(
        "per request: chain {chain_fuel} fuel, {chain_calls} host calls; three filters {fuel} fuel, {calls} host calls"
    );
    assert!(chain_calls < calls, "shared request facts: {chain_calls} host calls vs {calls}");
    assert!(chain_fuel < fuel, "{chain_fuel} fuel vs {fuel}");
}

#[test]
fn a_bad_stage_config_is_refused_naming_the_stage_and_field() {
    let cases = [
        (json!({"stages": [{"auth": {"providers": []}}]}), "stages[0].auth.providers"),
        (
            json!({"stages": [{"headers": {}}, {"screen": {"key": {"ip": {}}, "list": {"keys": ["a"]}}}]}),
            "stages[1].screen.key",
        ),
        (json!({"stages": [{"rate_limit": {}}]}), "unknown stage \"rate_limit\" (known: headers, auth, screen)"),
        (json!({"stages": []}), "stages: give at least one stage"),
        (json!({"headers": {}}), "stages: give the stages"),
        (json!({"stages": [{"headers": {}}], "extra": 1}), "extra: unknown field"),
    ];
    for (config, expected) in cases {
        match Emulator::builder(module("sieve-chain")).plugin_config(config.to_string()).start() {
            Err(error @ Error::Refused { .. }) => {
                assert!(error.refusal_log().contains(expected), "{expected:?} not in {}", error.refusal_log())
            }
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("accepted {config}"),
        }
    }
}
