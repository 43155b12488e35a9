//! The chain module in the host emulator: the shipped config, config errors naming the stage, and
//! what one VM saves — work (fuel) and host calls per request against the three filters run
//! separately on the same request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use sieve_emulator::{Emulator, Outcome, Request};

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
    sieve_emulator::check_refusals(module("sieve-chain"), &cases).unwrap_or_else(|e| panic!("{e}"));
}

fn authz_stage() -> Value {
    json!({"auth": {"providers": [{"ext_authz": {"cluster": "authz", "timeout_ms": 2000}}]}})
}

fn confirming_screen_stage() -> Value {
    json!({"screen": {"key": {"header": {"name": "x-user"}}, "list": {"keys": ["mallory", "eve"], "backend": "bloom"},
        "confirm": {"cluster": "lists", "path": "/confirm", "timeout_ms": 2000}}})
}

/// Answers the only pending callout to `cluster`, failing if there is not exactly one.
fn answer_one(vm: &mut Emulator, cluster: &str, answer: sieve_emulator::CallAnswer) {
    let calls: Vec<_> = vm.pending_calls().into_iter().filter(|c| c.upstream == cluster).collect();
    assert_eq!(calls.len(), 1, "exactly one call to {cluster}, got {}", calls.len());
    vm.answer_call(calls[0].token, answer).unwrap();
}

/// Two stages that call out, in both orders: each answer reaches the stage that asked.
#[test]
fn answers_reach_the_stage_that_asked_in_either_order() {
    use sieve_emulator::CallAnswer;
    for stages in [vec![authz_stage(), confirming_screen_stage()], vec![confirming_screen_stage(), authz_stage()]] {
        let auth_first = stages[0].get("auth").is_some();
        let config = json!({ "stages": stages });
        let mut vm = Emulator::builder(module("sieve-chain")).plugin_config(config.to_string()).start().unwrap();
        for (user, in_list) in [("mallory", true), ("alice", false)] {
            let exchange =
                vm.send(Request::get("/").header("x-user", user).header("authorization", "Bearer t")).unwrap();
            let allow = || CallAnswer::new(200, "").header("x-auth-consumer", "carol");
            let confirm = if in_list { CallAnswer::new(200, "") } else { CallAnswer::new(404, "") };
            if auth_first {
                answer_one(&mut vm, "authz", allow());
                if user == "mallory" {
                    answer_one(&mut vm, "lists", confirm);
                }
            } else {
                if user == "mallory" {
                    answer_one(&mut vm, "lists", confirm);
                }
                if !in_list {
                    answer_one(&mut vm, "authz", allow());
                }
            }
            let outcome = vm.outcome(exchange.context).unwrap();
            match (user, outcome) {
                ("mallory", Outcome::Replied(reply)) => assert_eq!(reply.status, 403, "auth first: {auth_first}"),
                ("alice", Outcome::Forwarded) => {
                    assert_eq!(vm.stream(exchange.context).unwrap().request_header("x-sieve-consumer"), Some("carol"))
                }
                (user, other) => panic!("{user} (auth first: {auth_first}): {other:?}"),
            }
        }
    }
}

/// The auth stage parks for a key set that never comes, then asks the authorization service; the
/// screen stage then asks for a confirmation. The service's answer must not be taken for the
/// confirmation (it would say "in the list"), nor be asked for twice.
#[test]
fn a_parked_auth_stage_then_a_confirming_screen_stage() {
    use sieve_emulator::CallAnswer;
    let auth = json!({"auth": {"providers": [
        {"jwt": {"remote_jwks": {"cluster": "jwks", "path": "/jwks", "retry_seconds": 30}, "first_fetch_wait_ms": 300}},
        {"ext_authz": {"cluster": "authz", "timeout_ms": 2000}}
    ]}});
    let config = json!({"stages": [auth, confirming_screen_stage()]});
    let mut vm = Emulator::builder(module("sieve-chain")).plugin_config(config.to_string()).start().unwrap();
    vm.tick().unwrap();
    sieve_e2e::emulated::answer_calls(&mut vm, &[]).unwrap(); // the key set fetch fails
    let token = sieve_e2e::tokens::sign_with(
        "RS256",
        sieve_e2e::tokens::DemoKey::Rsa1,
        &sieve_e2e::tokens::claims("ann", json!({})),
    );
    let exchange =
        vm.send(Request::get("/").header("x-user", "eve").header("authorization", &format!("Bearer {token}"))).unwrap();
    vm.advance(std::time::Duration::from_millis(1200)).unwrap();
    answer_one(&mut vm, "authz", CallAnswer::new(200, "").header("x-auth-consumer", "carol"));
    vm.advance(std::time::Duration::from_millis(200)).unwrap();
    answer_one(&mut vm, "lists", CallAnswer::new(404, "")); // a false positive: eve is not listed
    assert_eq!(vm.outcome(exchange.context).unwrap(), Outcome::Forwarded);
}
