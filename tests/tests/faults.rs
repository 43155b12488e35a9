//! Faults, through a real Envoy: the JWKS server, the screening feed and the external authorization
//! service each go down, hang past the timeout, reset connections, answer 5xx, answer garbage and
//! answer a 50 MB body. The filter keeps its last good keys or list, fails closed where it must,
//! counts the error, and recovers when the peer comes back. A trapping module under FAIL_RELOAD is
//! tests/tests/failure_policy.rs; a bad config pushed to a running Envoy is the last test here.

use serde_json::{json, Value};
use sieve_e2e::eventually;
use sieve_e2e::faulty::{Fault, FaultyPeer};
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{Envoy, EnvoyConfig, Stack};
use sieve_services::{authz, feed::Feed, jwks};
use std::time::Duration;

#[test]
fn a_failing_jwks_server_leaves_the_last_good_keys_and_recovery_is_picked_up() {
    let peer = FaultyPeer::start(jwks::handler(jwks::Document::new(jwks::DEMO_JWKS))).unwrap();
    let config = json!({"providers": [{"jwt": {"issuer": "https://sieve.demo", "audiences": ["sieve-demo"],
        "remote_jwks": {"cluster": "jwks", "path": "/.well-known/jwks.json", "refresh_seconds": 1, "retry_seconds": 1, "timeout_ms": 500}}}]});
    let stack = Stack::builder("envoy/auth.yaml")
        .plugin_config("sieve.auth", config.to_string())
        .endpoint("jwks", peer.addr)
        .start();
    let envoy = &stack.envoy;
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let status = || envoy.get("/").header("authorization", &format!("Bearer {token}")).send().status;
    eventually(Duration::from_secs(10), "the first key set", || status() == 200);
    for fault in Fault::ALL {
        peer.set(fault).unwrap();
        let failed = envoy.counter("sieve.auth.jwt.jwks_fetch_failed");
        eventually(Duration::from_secs(15), &format!("a failed fetch counted ({fault:?})"), || {
            envoy.counter("sieve.auth.jwt.jwks_fetch_failed") > failed
        });
        assert_eq!(status(), 200, "{fault:?}: the last good keys stay in force");
        peer.set(Fault::None).unwrap();
        let fetched = envoy.counter("sieve.auth.jwt.jwks_fetch_success");
        eventually(Duration::from_secs(15), &format!("recovered after {fault:?}"), || {
            envoy.counter("sieve.auth.jwt.jwks_fetch_success") > fetched
        });
    }
    assert_eq!(status(), 200);
    assert!(!envoy.log().contains("panicked"), "no VM failed");
}

#[test]
fn a_failing_feed_leaves_the_last_good_list_and_a_new_list_arrives_after_recovery() {
    let feed = Feed::new();
    feed.publish("eve\n");
    let peer = FaultyPeer::start(feed.handler()).unwrap();
    let config = json!({"key": {"header": {"name": "x-user"}},
        "list": {"feed": {"cluster": "feed", "path": "/lists/users", "refresh_seconds": 1, "retry_seconds": 1, "timeout_ms": 500}}});
    let stack = Stack::builder("envoy/screen.yaml")
        .plugin_config("sieve.screen", config.to_string())
        .endpoint("feed", peer.addr)
        .start();
    let envoy = &stack.envoy;
    let status = |user: &str| envoy.get("/").header("x-user", user).send().status;
    eventually(Duration::from_secs(10), "the first list", || status("eve") == 403);
    for (round, fault) in Fault::ALL.into_iter().enumerate() {
        peer.set(fault).unwrap();
        let errors = envoy.counter("sieve.screen.feed_errors");
        eventually(Duration::from_secs(15), &format!("a failed fetch counted ({fault:?})"), || {
            envoy.counter("sieve.screen.feed_errors") > errors
        });
        assert_eq!(status("eve"), 403, "{fault:?}: the last good list stays in force");
        assert_eq!(status("bob"), 200, "{fault:?}: and nothing else is refused");
        // Back up with a new version: it is taken.
        let user = format!("user-{round}");
        feed.publish(format!("eve\n{user}\n"));
        peer.set(Fault::None).unwrap();
        eventually(Duration::from_secs(15), &format!("the new list after {fault:?}"), || status(&user) == 403);
    }
    assert!(!envoy.log().contains("panicked"));
}

#[test]
fn a_failing_authorization_service_fails_closed_then_open_as_configured_and_recovers() {
    let peer = FaultyPeer::start(authz::handler(authz::demo_tokens())).unwrap();
    for failure_mode_allow in [false, true] {
        let config = json!({"providers": [{"ext_authz": {"cluster": "authz", "timeout_ms": 400, "failure_mode_allow": failure_mode_allow}}]});
        let stack = Stack::builder("envoy/auth.yaml")
            .plugin_config("sieve.auth", config.to_string())
            .endpoint("authz", peer.addr)
            .start();
        let envoy = &stack.envoy;
        let call = || envoy.get("/").header("authorization", &format!("Bearer {}", authz::DEMO_TOKEN)).send();
        assert_eq!(call().status, 200);
        for fault in Fault::ALL {
            peer.set(fault).unwrap();
            let reply = call();
            match (fault, failure_mode_allow) {
                // A 50 MB 200 is still a 200: the service allowed; its body is never read.
                (Fault::Huge, _) => assert!(reply.status == 200 || reply.status == 503, "{fault:?}: {}", reply.status),
                // A garbage body with a 200 status is an allow: the status decides, as documented.
                (Fault::Garbage, _) => assert_eq!(reply.status, 200, "{fault:?}"),
                (_, false) => {
                    reply.assert_local_reply(503, "unavailable");
                }
                (_, true) => {
                    assert_eq!(reply.status, 200, "{fault:?}: failure_mode_allow lets it through");
                    assert_eq!(reply.upstream_header("x-sieve-auth-failure-mode-allowed").as_deref(), Some("true"));
                    assert_eq!(reply.upstream_header("x-sieve-consumer"), None, "no identity when nobody checked");
                }
            }
            peer.set(Fault::None).unwrap();
            let back = call();
            assert_eq!(back.status, 200, "recovered after {fault:?}");
            assert_eq!(back.upstream_header("x-sieve-consumer").as_deref(), Some("authz-demo"));
        }
        assert!(envoy.counter("sieve.auth.ext_authz.denied.unavailable") >= 3);
        assert!(!envoy.log().contains("panicked"));
    }
}

/// The LDS file Envoy watches (atomic replace by rename, as Envoy requires).
fn write_lds(dir: &std::path::Path, listener: &Value) {
    let document = json!({"resources": [listener]});
    let tmp = dir.join("lds.tmp.json");
    std::fs::write(&tmp, document.to_string()).unwrap();
    std::fs::rename(&tmp, dir.join("lds.json")).unwrap();
}

#[test]
fn a_bad_config_pushed_to_a_running_envoy_is_refused_and_the_old_one_keeps_serving() {
    let echo = sieve_services::echo::spawn(([127, 0, 0, 1], 0).into()).unwrap();
    let mut source = EnvoyConfig::load("envoy/headers.yaml").unwrap();
    source.make_local(&sieve_e2e::modules::wasm_dir().unwrap(), &[("echo", echo.addr)]);
    let doc: Value = serde_json::to_value(source.doc()).unwrap();
    let mut listener = doc["static_resources"]["listeners"][0].clone();
    listener["@type"] = json!("type.googleapis.com/envoy.config.listener.v3.Listener");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    listener["address"]["socket_address"] = json!({"address": "127.0.0.1", "port_value": port});
    let set_rules = |listener: &mut Value, config: &str| {
        let filter = &mut listener["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"][0];
        filter["typed_config"]["config"]["configuration"]["value"] = json!(config);
    };
    let dir = sieve_e2e::scratch_root().join(format!("lds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    set_rules(&mut listener, r#"{"request": [{"op": "set", "name": "x-version", "value": "one"}]}"#);
    write_lds(&dir, &listener);
    let mut bootstrap = doc.clone();
    bootstrap["static_resources"]["listeners"] = json!([]);
    bootstrap["node"] = json!({"id": "sieve-lds-test", "cluster": "sieve"});
    bootstrap["dynamic_resources"] = json!({"lds_config": {"resource_api_version": "V3",
        "path_config_source": {"path": dir.join("lds.json").display().to_string(), "watched_directory": {"path": dir.display().to_string()}}}});
    let config = EnvoyConfig::from_json(&bootstrap).unwrap();
    let envoy = Envoy::start(&config, sieve_e2e::EnvoyOptions::default()).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    // A new connection per check: a kept-alive one stays with the filter chain it was accepted by
    // until it closes, so it would keep seeing the old config after an update.
    let version = || {
        sieve_e2e::Request::new("GET", &format!("{base}/"))
            .header("connection", "close")
            .try_send()
            .ok()
            .and_then(|r| r.upstream_header("x-version"))
    };
    eventually(Duration::from_secs(10), "the first listener serves", || version().as_deref() == Some("one"));

    // A config the filter refuses: Envoy rejects the update; the old listener keeps serving.
    let rejected = envoy.stats().get("listener_manager.lds.update_rejected").copied().unwrap_or(0);
    set_rules(&mut listener, r#"{"request": [{"op": "set", "name": "x-version", "value": "two\r\nx-evil: 1"}]}"#);
    write_lds(&dir, &listener);
    eventually(Duration::from_secs(10), "the update rejected", || {
        envoy.stats().get("listener_manager.lds.update_rejected").copied().unwrap_or(0) > rejected
    });
    for _ in 0..5 {
        assert_eq!(version().as_deref(), Some("one"), "the old config keeps serving");
    }
    assert!(envoy.log().contains("sieve.headers: invalid configuration"), "the refusal names the reason");

    // A good one is taken.
    set_rules(&mut listener, r#"{"request": [{"op": "set", "name": "x-version", "value": "three"}]}"#);
    write_lds(&dir, &listener);
    eventually(Duration::from_secs(10), "the good update applied", || version().as_deref() == Some("three"));
    drop(envoy);
    let _ = std::fs::remove_dir_all(&dir);
}
