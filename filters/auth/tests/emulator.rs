//! The auth filter's compiled module, driven through the proxy-wasm ABI by Sieve's host emulator.
//! What takes seconds of waiting in a real Envoy — expiry, key refreshes, timeouts, several
//! workers — takes a clock step here. The real-Envoy tests are tests/tests/auth.rs, and
//! tests/scenarios/auth.yaml runs in both to check that they agree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use serde_json::{json, Value};
use sieve_e2e::emulated::answer_calls;
use sieve_e2e::tokens::{self, claims, sign_hmac, sign_with, DemoKey};
use sieve_emulator::{CallAnswer, Emulator, Outcome, Request, SharedData};
use sieve_services::{authz, jwks, Handler};
use std::time::Duration;

const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";
const HMAC_SECRET: &[u8] = b"sieve-test-hmac-secret-of-64-bytes-0123456789abcdef0123456789ab";

fn module() -> std::path::PathBuf {
    sieve_emulator::modules::module_path("sieve-auth").unwrap()
}

fn vm(config: &Value) -> Emulator {
    Emulator::builder(module()).plugin_config(config.to_string()).start().unwrap()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn reply_of(outcome: &Outcome) -> (u32, Value) {
    match outcome {
        Outcome::Replied(reply) => (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null)),
        other => panic!("expected a local reply, got {other:?}"),
    }
}

fn consumer(vm: &Emulator, context: u32) -> Option<String> {
    vm.stream(context).unwrap().request_header("x-sieve-consumer").map(str::to_owned)
}

fn hs256(extra: Value) -> String {
    sign_hmac("HS256", HMAC_SECRET, Some("hmac-1"), &claims("ann", extra))
}

fn inline_jwt(extra: Value) -> Value {
    let mut jwt = json!({
        "issuer": "https://sieve.demo",
        "audiences": ["sieve-demo"],
        "jwks": tokens::hmac_jwks("hmac-1", HMAC_SECRET),
        "leeway_seconds": 30
    });
    if let (Some(map), Value::Object(extra)) = (jwt.as_object_mut(), extra) {
        map.extend(extra);
    }
    json!({"providers": [{"jwt": jwt}]})
}

fn remote_jwt(extra: Value) -> Value {
    let mut jwt = json!({
        "issuer": "https://sieve.demo",
        "audiences": ["sieve-demo"],
        "remote_jwks": {"cluster": "jwks", "path": "/.well-known/jwks.json", "refresh_seconds": 60, "retry_seconds": 1}
    });
    if let (Some(map), Value::Object(extra)) = (jwt.as_object_mut(), extra) {
        map.extend(extra);
    }
    json!({"providers": [{"jwt": jwt}]})
}

#[test]
fn the_shipped_config_accepts_every_provider() {
    let mut config = sieve_e2e::EnvoyConfig::load("envoy/auth.yaml").unwrap();
    let plugin_config = config.plugin_config("sieve.auth").unwrap();
    let mut vm =
        Emulator::builder(module()).plugin_config(plugin_config).clusters(&["jwks", "authz", "echo"]).start().unwrap();
    let services: Vec<(&str, Handler)> = vec![
        ("jwks", jwks::handler(jwks::Document::new(jwks::DEMO_JWKS))),
        ("authz", authz::handler(authz::demo_tokens())),
    ];
    // The key set is fetched by the root when the VM starts: answer it.
    vm.tick().unwrap();
    answer_calls(&mut vm, &services).unwrap();

    let missing = vm.send(Request::get("/things")).unwrap();
    let (status, body) = reply_of(&missing.outcome);
    assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")));

    let by_key = vm.send(Request::get("/things").header("x-api-key", DEMO_KEY)).unwrap();
    assert_eq!(by_key.outcome, Outcome::Forwarded);
    assert_eq!(consumer(&vm, by_key.context).as_deref(), Some("demo-app"));
    assert_eq!(vm.stream(by_key.context).unwrap().request_header("x-api-key"), None, "credential stripped");

    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({"org": {"team": "blue"}})));
    let by_jwt = vm.send(Request::get("/things").header("authorization", &bearer(&token))).unwrap();
    assert_eq!(by_jwt.outcome, Outcome::Forwarded, "{:?}", vm.logs());
    assert_eq!(consumer(&vm, by_jwt.context).as_deref(), Some("ann"));
    assert_eq!(vm.stream(by_jwt.context).unwrap().request_header("x-jwt-team"), Some("blue"));

    let by_authz = vm.send(Request::get("/things").header("authorization", &bearer(authz::DEMO_TOKEN))).unwrap();
    assert_eq!(by_authz.outcome, Outcome::Waiting, "the authorization service is asked");
    let call = &vm.pending_calls()[0];
    assert_eq!(call.upstream, "authz");
    assert_eq!(call.header("authorization"), Some(bearer(authz::DEMO_TOKEN).as_str()));
    answer_calls(&mut vm, &services).unwrap();
    assert_eq!(vm.outcome(by_authz.context).unwrap(), Outcome::Forwarded);
    assert_eq!(consumer(&vm, by_authz.context).as_deref(), Some("authz-demo"));

    let spoofed =
        vm.send(Request::get("/things").header("x-api-key", DEMO_KEY).header("x-sieve-consumer", "root")).unwrap();
    assert_eq!(vm.stream(spoofed.context).unwrap().request_header_values("x-sieve-consumer"), ["demo-app"]);
}

#[test]
fn expiry_and_not_before_follow_the_host_clock_with_leeway() {
    let mut vm = vm(&inline_jwt(json!({})));
    let now = tokens::now();
    let token = hs256(json!({"exp": now + 60, "nbf": now + 45}));
    let status = |vm: &mut Emulator| {
        let exchange = vm.send(Request::get("/").header("authorization", &bearer(&token))).unwrap();
        match exchange.outcome {
            Outcome::Forwarded => (200, String::new()),
            outcome => {
                let (status, body) = reply_of(&outcome);
                (status, body["message"].as_str().unwrap_or_default().to_string())
            }
        }
    };
    assert_eq!(status(&mut vm), (401, "the token is not valid yet".into()), "nbf 45 s ahead, leeway 30 s");
    vm.advance(Duration::from_secs(20)).unwrap();
    assert_eq!(status(&mut vm).0, 200, "within the leeway of nbf");
    vm.advance(Duration::from_secs(60)).unwrap();
    assert_eq!(status(&mut vm).0, 200, "exp passed 20 s ago, within the leeway");
    vm.advance(Duration::from_secs(15)).unwrap();
    assert_eq!(status(&mut vm), (401, "the token has expired".into()));
}

#[test]
fn a_repeated_token_is_verified_once_and_still_expires() {
    let jwks =
        json!({"keys": [serde_json::from_str::<Value>(sieve_services::jwks::DEMO_JWKS).unwrap()["keys"][0].clone()]});
    let mut vm = vm(
        &json!({"providers": [{"jwt": {"issuer": "https://sieve.demo", "audiences": ["sieve-demo"], "jwks": jwks, "leeway_seconds": 0}}]}),
    );
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({"exp": tokens::now() + 60})));
    let send = |vm: &mut Emulator| {
        let exchange = vm.send(Request::get("/").header("authorization", &bearer(&token))).unwrap();
        (exchange.outcome, vm.last_fuel())
    };
    let (first, verified) = send(&mut vm);
    assert_eq!(first, Outcome::Forwarded);
    let (again, cached) = send(&mut vm);
    assert_eq!(again, Outcome::Forwarded);
    assert!(cached * 20 < verified, "the signature is not verified again: {cached} fuel vs {verified}");
    vm.advance(Duration::from_secs(61)).unwrap();
    let (expired, _) = send(&mut vm);
    assert!(matches!(expired, Outcome::Replied(ref reply) if reply.status == 401), "a cached token expires too");
}

#[test]
fn remote_keys_are_fetched_once_for_all_workers_and_refreshed_on_the_timer() {
    let shared = SharedData::new();
    let mut workers: Vec<Emulator> = (0..3)
        .map(|_| {
            Emulator::builder(module())
                .plugin_config(remote_jwt(json!({})).to_string())
                .shared(&shared)
                .start()
                .unwrap()
        })
        .collect();
    for worker in &mut workers {
        worker.tick().unwrap();
    }
    let calls: usize = workers.iter().map(|w| w.pending_calls().len()).sum();
    assert_eq!(calls, 1, "one fetch for the whole Envoy, not one per worker");

    let document = jwks::Document::new(jwks::DEMO_JWKS);
    let services: Vec<(&str, Handler)> = vec![("jwks", jwks::handler(document.clone()))];
    for worker in &mut workers {
        answer_calls(worker, &services).unwrap();
    }
    let rsa1 = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let rsa2 = sign_with("RS256", DemoKey::Rsa2, &claims("bob", json!({})));
    for worker in &mut workers {
        worker.advance(Duration::from_millis(100)).unwrap();
        let exchange = worker.send(Request::get("/").header("authorization", &bearer(&rsa1))).unwrap();
        assert_eq!(exchange.outcome, Outcome::Forwarded, "every worker took the shared key set");
    }

    // The server rotates its keys; nothing changes until the refresh is due.
    document.set(tokens::demo_file("jwks-rotated.json"));
    let refreshed = |workers: &mut Vec<Emulator>, by: Duration| {
        for worker in workers.iter_mut() {
            worker.advance(by).unwrap();
            answer_calls(worker, &services).unwrap();
        }
        for worker in workers.iter_mut() {
            worker.advance(Duration::from_millis(100)).unwrap();
        }
    };
    refreshed(&mut workers, Duration::from_secs(30));
    let before = workers[1].send(Request::get("/").header("authorization", &bearer(&rsa2))).unwrap();
    assert!(matches!(before.outcome, Outcome::Replied(_)), "not refreshed before refresh_seconds");
    refreshed(&mut workers, Duration::from_secs(31));
    for worker in &mut workers {
        let exchange = worker.send(Request::get("/").header("authorization", &bearer(&rsa2))).unwrap();
        assert_eq!(exchange.outcome, Outcome::Forwarded, "rotation reached every worker");
    }
    for worker in &mut workers {
        worker.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    }
    let fetches: i64 = workers.iter().filter_map(|w| w.metric("sieve.auth.jwt.jwks_fetch_success")).sum();
    assert_eq!(fetches, 2, "two fetches in all: the first and one refresh");
}

#[test]
fn an_outage_keeps_the_last_good_keys() {
    let mut vm = vm(&remote_jwt(json!({})));
    let document = jwks::Document::new(jwks::DEMO_JWKS);
    let services: Vec<(&str, Handler)> = vec![("jwks", jwks::handler(document.clone()))];
    vm.tick().unwrap();
    answer_calls(&mut vm, &services).unwrap();
    let rsa1 = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let status = |vm: &mut Emulator| {
        let exchange = vm.send(Request::get("/").header("authorization", &bearer(&rsa1))).unwrap();
        exchange.outcome == Outcome::Forwarded
    };
    assert!(status(&mut vm));
    for broken in ["withdrawn", "garbage", "timeout"] {
        match broken {
            "withdrawn" => document.withdraw(),
            "garbage" => document.set("{\"keys\": \"garbage\"}"),
            _ => {}
        }
        vm.advance(Duration::from_secs(61)).unwrap();
        if broken == "timeout" {
            vm.advance(Duration::from_secs(5)).unwrap(); // the pending fetch times out (504)
        } else {
            answer_calls(&mut vm, &services).unwrap();
        }
        assert!(status(&mut vm), "after a {broken} key set, the last good one stays in force");
    }
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert!(vm.metric("sieve.auth.jwt.jwks_fetch_failed").unwrap_or(0) >= 3);
}

#[test]
fn the_first_request_waits_for_the_first_fetch_then_fails_closed() {
    let mut vm = vm(&remote_jwt(json!({"first_fetch_wait_ms": 800})));
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let waiting = vm.send(Request::get("/").header("authorization", &bearer(&token))).unwrap();
    assert_eq!(waiting.outcome, Outcome::Waiting, "parked until the keys arrive");
    let services: Vec<(&str, Handler)> = vec![("jwks", jwks::handler(jwks::Document::new(jwks::DEMO_JWKS)))];
    vm.advance(Duration::from_millis(100)).unwrap();
    answer_calls(&mut vm, &services).unwrap();
    vm.advance(Duration::from_millis(40)).unwrap();
    assert_eq!(vm.outcome(waiting.context).unwrap(), Outcome::Forwarded, "released once the keys arrived");

    let mut dead = vm_with_dead_jwks(800);
    let parked = dead.send(Request::get("/").header("authorization", &bearer(&token))).unwrap();
    assert_eq!(parked.outcome, Outcome::Waiting);
    dead.advance(Duration::from_millis(900)).unwrap();
    let (status, body) = reply_of(&dead.outcome(parked.context).unwrap());
    assert_eq!((status, body["message"].as_str()), (503, Some("the token keys are not available yet")));
}

fn vm_with_dead_jwks(wait_ms: u64) -> Emulator {
    let mut vm = vm(&remote_jwt(json!({"first_fetch_wait_ms": wait_ms})));
    vm.tick().unwrap();
    answer_calls(&mut vm, &[]).unwrap(); // no service: Envoy's 503 for a dead peer
    vm
}

#[test]
fn external_authorization_allows_denies_and_times_out_closed() {
    let config = json!({"providers": [{"ext_authz": {"cluster": "authz", "timeout_ms": 300, "headers_to_upstream": ["x-auth-scope"]}}]});
    let mut vm = vm(&config);
    let request = |token: &str| Request::new("POST", "/orders?id=7").header("authorization", &bearer(token));

    let allowed = vm.send(request("good")).unwrap();
    let call = vm.pending_calls().pop().unwrap();
    assert_eq!((call.upstream.as_str(), call.header(":path"), call.timeout_ms), ("authz", Some("/orders?id=7"), 300));
    vm.answer_call(
        call.token,
        CallAnswer::new(200, "").header("x-auth-consumer", "carol").header("x-auth-scope", "s1"),
    )
    .unwrap();
    assert_eq!(vm.outcome(allowed.context).unwrap(), Outcome::Forwarded);
    assert_eq!(consumer(&vm, allowed.context).as_deref(), Some("carol"));
    assert_eq!(vm.stream(allowed.context).unwrap().request_header("x-auth-scope"), Some("s1"));

    let denied = vm.send(request("bad")).unwrap();
    let call = vm.pending_calls().pop().unwrap();
    vm.answer_call(call.token, CallAnswer::new(401, "").header("www-authenticate", "Bearer realm=\"corp\"")).unwrap();
    let Outcome::Replied(reply) = vm.outcome(denied.context).unwrap() else { panic!("denied") };
    assert_eq!((reply.status, reply.header("www-authenticate")), (401, Some("Bearer realm=\"corp\"")));

    let slow = vm.send(request("slow")).unwrap();
    vm.advance(Duration::from_millis(301)).unwrap();
    let (status, body) = reply_of(&vm.outcome(slow.context).unwrap());
    assert_eq!((status, body["error"].as_str()), (503, Some("unavailable")), "a timeout fails closed");

    let reset = vm.send(request("reset")).unwrap();
    let call = vm.pending_calls().pop().unwrap();
    vm.fail_call(call.token).unwrap();
    assert_eq!(reply_of(&vm.outcome(reset.context).unwrap()).0, 503, "a reset fails closed");
    vm.advance(sieve_sdk_ext::host::COUNTER_FLUSH).unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.auth.ext_authz.denied.unavailable"), Some(2));

    let mut open = self::vm(&json!({"providers": [{"ext_authz": {"cluster": "authz", "failure_mode_allow": true}}]}));
    let exchange = open.send(Request::get("/")).unwrap();
    answer_calls(&mut open, &[]).unwrap();
    assert_eq!(open.outcome(exchange.context).unwrap(), Outcome::Forwarded, "failure_mode_allow lets it through");
    assert_eq!(
        open.stream(exchange.context).unwrap().request_header("x-sieve-auth-failure-mode-allowed"),
        Some("true")
    );
}

#[test]
fn api_key_cost_does_not_grow_with_the_number_of_consumers() {
    let fuel_per_request = |consumers: usize| {
        let keys: Vec<String> = (0..consumers).map(|i| format!("key-{i:05}-{}", "x".repeat(24))).collect();
        let entries: Vec<Value> = keys
            .iter()
            .enumerate()
            .map(|(i, key)| json!({"consumer": format!("c{i}"), "sha256": sieve_auth::apikey::digest_hex(key)}))
            .collect();
        let mut vm = vm(&json!({"providers": [{"api_key": {"keys": entries}}]}));
        let last = keys.last().unwrap().clone();
        vm.send(Request::get("/").header("x-api-key", &last)).unwrap();
        let exchange = vm.send(Request::get("/").header("x-api-key", &last)).unwrap();
        assert_eq!(consumer(&vm, exchange.context), Some(format!("c{}", consumers - 1)));
        vm.last_fuel()
    };
    let (small, large) = (fuel_per_request(10), fuel_per_request(10_000));
    assert!(
        large <= small + small / 10,
        "a request with 10,000 consumers burned {large} fuel, with 10 consumers {small}: the lookup must not grow"
    );
}

#[test]
fn garbage_credentials_get_401_and_never_trap() {
    let mut vm = vm(&json!({"providers": [
        {"api_key": {"keys": [{"consumer": "a", "sha256": sieve_auth::apikey::digest_hex(DEMO_KEY)}]}},
        {"basic": {"users": [{"username": "demo", "password_hash": "hmac-sha256$AAECAwQFBgcICQoLDA0ODw$E/q+fbtKm08wCk2IwmTS4XnXuZu1/G/BQwKpctolPDY"}]}},
        {"jwt": {"jwks": tokens::hmac_jwks("hmac-1", HMAC_SECRET)}}
    ]}));
    let long = format!("Bearer {}", "A".repeat(30_000));
    for value in [
        "Basic =",
        "Bearer ...",
        "Bearer eyJ.eyJ.",
        "Digest username=x",
        "\t",
        "Basic",
        long.as_str(),
        "Bearer a.b.c.d",
    ] {
        let exchange = vm.send(Request::get("/").header("authorization", value)).unwrap();
        let (status, _) = reply_of(&exchange.outcome);
        assert_eq!(status, 401, "{value:.40}");
    }
    let ok = vm.send(Request::get("/").header("x-api-key", DEMO_KEY)).unwrap();
    assert_eq!(ok.outcome, Outcome::Forwarded, "the VM is alive");
    assert!(vm.trap().is_none());
}

#[test]
fn bad_configs_are_refused_naming_the_field() {
    let cases = [
        (json!({"providers": []}), "providers: give at least one provider"),
        (
            json!({"providers": [{"api_key": {"keys": [{"consumer": "a", "sha256": "plaintext-key"}]}}]}),
            "providers[0].api_key.keys[0].sha256: must be 64 hex digits",
        ),
        (json!({"providers": [{"jwt": {}}]}), "providers[0].jwt.jwks: give the keys"),
        (
            json!({"providers": [{"ext_authz": {"cluster": "authz", "timeout_ms": 0}}]}),
            "providers[0].ext_authz.timeout_ms",
        ),
        (json!({"providers": [{"magic": {}}]}), "providers[0]: unknown variant `magic`"),
        (
            json!({"providers": [{"jwt": {"jwks": tokens::hmac_jwks("h", HMAC_SECRET), "max_verifications_per_second": 2_000_000}}]}),
            "providers[0].jwt.max_verifications_per_second: must be at most 1000000",
        ),
        (
            json!({"providers": [{"basic": {"users": [{"username": "a", "password_hash": SLOW_HASH}], "max_slow_verifications_per_second": 5000}}]}),
            "providers[0].basic.max_slow_verifications_per_second: must be from 0",
        ),
        (
            json!({"providers": [{"basic": {"users": [{"username": "a", "password_hash": SLOW_HASH}], "verified_cache_size": 1_000_000}}]}),
            "providers[0].basic.verified_cache_size: must be at most 100000",
        ),
        (
            json!({"providers": [{"basic": {"users": [{"username": "a", "password_hash": "pbkdf2-sha256$99$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}}]}),
            "providers[0].basic.users[0].password_hash: the iteration count must be",
        ),
    ];
    sieve_emulator::check_refusals(module(), &cases).unwrap_or_else(|e| panic!("{e}"));
}

/// Providers `[jwt(remote), ext_authz, jwt(remote)]` with the key sets not fetched yet: the request
/// parks for the first JWT provider, then asks the authorization service once — not once per tick
/// while it waits — and the answer is routed by its token.
#[test]
fn a_request_parked_for_keys_asks_the_authorization_service_once() {
    let remote = |name: &str| {
        json!({"jwt": {"name": name, "remote_jwks": {"cluster": "jwks", "path": "/.well-known/jwks.json",
            "refresh_seconds": 60, "retry_seconds": 30}, "first_fetch_wait_ms": 300}})
    };
    let config = json!({"providers": [remote("first"), {"ext_authz": {"cluster": "authz", "timeout_ms": 2000}}, remote("second")]});
    let mut vm = vm(&config);
    vm.tick().unwrap();
    answer_calls(&mut vm, &[]).unwrap(); // the key set fetch fails: no keys yet
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let waiting = vm.send(Request::get("/").header("authorization", &bearer(&token))).unwrap();
    assert_eq!(waiting.outcome, Outcome::Waiting);
    // Past the first provider's wait, then many parked-tick periods.
    vm.advance(Duration::from_millis(1200)).unwrap();
    let authz: Vec<_> = vm.pending_calls().into_iter().filter(|c| c.upstream == "authz").collect();
    assert_eq!(authz.len(), 1, "one check per request");
    vm.answer_call(authz[0].token, CallAnswer::new(200, "").header("x-auth-consumer", "carol")).unwrap();
    assert_eq!(vm.outcome(waiting.context).unwrap(), Outcome::Forwarded);
    assert_eq!(consumer(&vm, waiting.context).as_deref(), Some("carol"));
}

fn status_of(exchange: &sieve_emulator::Exchange) -> u32 {
    match &exchange.outcome {
        Outcome::Forwarded => 200,
        outcome => reply_of(outcome).0,
    }
}

fn rs256_jwt(budget: u32) -> Value {
    let jwks =
        json!({"keys": [serde_json::from_str::<Value>(sieve_services::jwks::DEMO_JWKS).unwrap()["keys"][0].clone()]});
    json!({"providers": [{"jwt": {"issuer": "https://sieve.demo", "audiences": ["sieve-demo"], "jwks": jwks, "max_verifications_per_second": budget}}]})
}

#[test]
fn a_flood_of_forged_tokens_beyond_the_budget_gets_503_while_a_cached_token_passes() {
    // 100 RSA-2048 verifications a second: 10 at once.
    let mut vm = vm(&rs256_jwt(100));
    let valid = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let forged = tokens::tampered(&valid, &claims("mallory", json!({})));
    // Status, and the work of the whole exchange (a local reply runs more than one callback).
    let send = |vm: &mut Emulator, token: &str| {
        let before = vm.fuel_consumed();
        let exchange = vm.send(Request::get("/").header("authorization", &bearer(token))).unwrap();
        (status_of(&exchange), vm.fuel_consumed() - before)
    };
    let (status, verified) = send(&mut vm, &valid);
    assert_eq!(status, 200);
    let mut refused_fuel = 0;
    let mut statuses = Vec::new();
    for _ in 0..200 {
        let (status, fuel) = send(&mut vm, &forged);
        if status == 503 {
            refused_fuel = fuel;
        }
        statuses.push(status);
        // Half the flood, the valid token again: cached, so never refused.
        if statuses.len() == 100 {
            assert_eq!(send(&mut vm, &valid).0, 200);
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 9, "the budget's verifications: bad signatures");
    assert_eq!(statuses.iter().filter(|s| **s == 503).count(), 191);
    assert!(refused_fuel * 20 < verified, "a refused token costs no verification: {refused_fuel} vs {verified}");
    vm.tick().unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.auth.jwt.denied.verify_budget"), Some(191));
    assert_eq!(vm.metric("sieve.auth.jwt.denied.bad_signature"), Some(9));
    assert_eq!(vm.metric("sieve.auth.unavailable"), Some(191));
    assert_eq!(send(&mut vm, &valid).0, 200, "after the flood too");
    // The budget refills with the host's clock: 100 a second.
    vm.advance(Duration::from_millis(50)).unwrap();
    let after: Vec<u32> = (0..8).map(|_| send(&mut vm, &forged).0).collect();
    assert_eq!(after, [401, 401, 401, 401, 401, 503, 503, 503]);
    // A new valid token is a verification like any other: refused while the budget is spent.
    let fresh = sign_with("RS256", DemoKey::Rsa1, &claims("bob", json!({})));
    assert_eq!(send(&mut vm, &fresh).0, 503);
    vm.advance(Duration::from_millis(10)).unwrap();
    assert_eq!(send(&mut vm, &fresh).0, 200);
}

/// `pbkdf2-sha256` of "correct horse battery staple" at 10,000 iterations (made by Python's
/// hashlib.pbkdf2_hmac, independently of the filter).
const SLOW_HASH: &str = "pbkdf2-sha256$10000$c2lldmUtdGVzdC1zYWx0LTE2$J6lyfQ4BGmwtIivSVvekPjKMIIuA4P/aBcTrtmNDvOo";
const SLOW_PASSWORD: &str = "correct horse battery staple";

#[test]
fn a_flood_of_wrong_passwords_beyond_the_budget_gets_429_while_a_verified_password_passes() {
    let mut vm = vm(&json!({"providers": [{"basic": {"users": [
        {"username": "carol", "password_hash": SLOW_HASH}
    ], "max_slow_verifications_per_second": 2}}]}));
    let basic = |password: &str| {
        format!(
            "Basic {}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("carol:{password}"))
        )
    };
    let send = |vm: &mut Emulator, password: &str| {
        let before = vm.fuel_consumed();
        let exchange = vm.send(Request::get("/").header("authorization", &basic(password))).unwrap();
        (status_of(&exchange), vm.fuel_consumed() - before)
    };
    let (status, hashed) = send(&mut vm, SLOW_PASSWORD);
    assert_eq!(status, 200, "{:?}", vm.logs());
    let (status, cached) = send(&mut vm, SLOW_PASSWORD);
    assert_eq!(status, 200);
    assert!(cached * 100 < hashed, "a verified password is not hashed again: {cached} fuel vs {hashed}");
    let flood: Vec<u32> = (0..50).map(|_| send(&mut vm, "guess").0).collect();
    assert!(flood.iter().all(|s| *s == 429), "the one check of this second went to the right password: {flood:?}");
    let (status, cached_during) = send(&mut vm, SLOW_PASSWORD);
    assert_eq!(status, 200, "the verified password passes during the flood");
    assert!(cached_during * 100 < hashed);
    vm.tick().unwrap(); // counters reach the host on the tick
    assert_eq!(vm.metric("sieve.auth.basic.denied.hash_budget"), Some(50));
    assert_eq!(vm.metric("sieve.auth.throttled"), Some(50));
    vm.advance(Duration::from_millis(500)).unwrap();
    let (status, wrong) = send(&mut vm, "guess");
    assert_eq!(status, 401, "half a second later: one more check, and the password is wrong");
    assert!(wrong * 2 > hashed, "a wrong password costs the whole hash: {wrong} vs {hashed}");
    assert_eq!(send(&mut vm, "guess").0, 429);
    vm.tick().unwrap();
    assert_eq!(vm.metric("sieve.auth.basic.denied.invalid"), Some(1));
}

/// Secrets kept out of the plugin configuration: `{"from_env": NAME}` stands for the JSON the VM's
/// environment variable holds (Envoy's `vm_config.environment_variables`, Istio's `vmConfig.env`).
#[test]
fn api_keys_passwords_and_hmac_keys_come_from_the_vm_environment() {
    let keys = json!([{"consumer": "env-app", "sha256": sieve_auth::apikey::digest_hex(DEMO_KEY)}]).to_string();
    let users = json!([{"username": "ops", "password_hash": sieve_auth::basic::hash_password("env-password", b"0123456789abcdef")}])
        .to_string();
    let config = json!({"providers": [
        {"api_key": {"keys": {"from_env": "SIEVE_API_KEYS"}}},
        {"basic": {"users": {"from_env": "SIEVE_BASIC_USERS"}}},
        {"jwt": {"jwks": {"from_env": "SIEVE_JWKS"}}}
    ]});
    let plugin_config = config.to_string();
    assert!(
        !plugin_config.contains(&sieve_auth::apikey::digest_hex(DEMO_KEY)) && !plugin_config.contains("hmac-sha256")
    );
    let mut vm = Emulator::builder(module())
        .plugin_config(plugin_config)
        .env("SIEVE_API_KEYS", &keys)
        .env("SIEVE_BASIC_USERS", &users)
        .env("SIEVE_JWKS", &tokens::hmac_jwks("hmac-1", HMAC_SECRET).to_string())
        .start()
        .unwrap();
    let exchange = vm.send(Request::get("/").header("x-api-key", DEMO_KEY)).unwrap();
    assert_eq!(consumer(&vm, exchange.context).as_deref(), Some("env-app"));
    let basic = format!("Basic {}", base64_of("ops:env-password"));
    let exchange = vm.send(Request::get("/").header("authorization", &basic)).unwrap();
    assert_eq!(consumer(&vm, exchange.context).as_deref(), Some("ops"));
    let exchange = vm.send(Request::get("/").header("authorization", &bearer(&hs256(json!({}))))).unwrap();
    assert_eq!(consumer(&vm, exchange.context).as_deref(), Some("ann"));
    for (name, value) in [("x-api-key", "wrong-key"), ("authorization", "Basic b3BzOndyb25n")] {
        let exchange = vm.send(Request::get("/").header(name, value)).unwrap();
        assert_eq!(reply_of(&exchange.outcome).0, 401, "{name}: {value}");
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[test]
fn a_missing_or_wrong_environment_variable_is_refused_naming_the_field_and_the_variable() {
    let config = json!({"providers": [{"api_key": {"keys": {"from_env": "SIEVE_API_KEYS"}}}]}).to_string();
    let refusal = Emulator::builder(module()).plugin_config(config.clone()).refusal().unwrap();
    assert!(refusal.contains("providers[0].api_key.keys: environment variable SIEVE_API_KEYS is not set"), "{refusal}");
    let refusal = Emulator::builder(module())
        .plugin_config(config.clone())
        .env("SIEVE_API_KEYS", "c070 a digest, not JSON")
        .refusal()
        .unwrap();
    assert!(
        refusal.contains("providers[0].api_key.keys: environment variable SIEVE_API_KEYS does not hold a JSON value"),
        "{refusal}"
    );
    assert!(!refusal.contains("c070"), "{refusal}");
    // A secret in the wrong place is named by its field and variable, and not quoted.
    let keys = json!([{"consumer": "a", "sha256": "the-plaintext-key"}]).to_string();
    let refusal = Emulator::builder(module()).plugin_config(config).env("SIEVE_API_KEYS", &keys).refusal().unwrap();
    assert!(refusal.contains("providers[0].api_key.keys[0].sha256: must be 64 hex digits"), "{refusal}");
    assert!(refusal.contains("(in environment variable SIEVE_API_KEYS)"), "{refusal}");
    assert!(!refusal.contains("the-plaintext-key"), "{refusal}");
}
