//! The screen filter in a real Envoy: every key source in deny and allow modes, inline, prebuilt
//! and fed lists, Cuckoo inserts at high load inside the VM, live updates on every worker, deltas
//! that remove keys, a feed that dies or serves garbage, confirmations, and bad configs.

use base64::Engine;
use serde_json::{json, Value};
use sieve_e2e::eventually;
use sieve_e2e::{Envoy, EnvoyConfig, Stack};
use sieve_screen_set::{Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use sieve_services::feed::Feed;
use sieve_services::Response;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONFIG: &str = "envoy/screen.yaml";
const FILTER: &str = "sieve.screen";

fn blob(backend: Backend, keys: &[String], fp_rate: f64, capacity: Option<u64>) -> Vec<u8> {
    let capacity = capacity.unwrap_or(keys.len() as u64);
    let mut set = ScreenSet::new(backend, capacity, fp_rate, Normalize::default(), [42; 32]).unwrap();
    for key in keys {
        set.insert(key).unwrap();
    }
    set.to_blob().unwrap()
}

fn strings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

/// A raw request on its own connection (so that requests spread over Envoy's workers).
fn status_via(envoy: &Envoy, path: &str, headers: &[(&str, &str)]) -> u16 {
    let mut request = format!("GET {path} HTTP/1.1\r\nhost: screen.test\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let reply = sieve_e2e::client::raw_request(envoy.listener(), request.as_bytes()).unwrap();
    reply.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status: {reply}"))
}

#[test]
fn shipped_config_screens_by_address_cidr_and_partner() {
    let feed = Feed::new();
    feed.publish(std::fs::read(sieve_e2e::workspace_root().join("services/demo-lists/deny.txt")).unwrap());
    let stack = Stack::builder(CONFIG).service("feed", feed.handler()).start();
    let envoy = &stack.envoy;
    // Behind one load balancer (the listener trusts one X-Forwarded-For entry): the test plays it.
    let xff = |client: &str| client.to_string();

    eventually(Duration::from_secs(5), "the fed list is loaded", || {
        status_via(envoy, "/", &[("x-forwarded-for", &xff("198.51.100.7"))]) == 403
    });
    let refused = envoy.get("/x").header("x-forwarded-for", &xff("198.51.100.7")).send();
    let body = refused.assert_local_reply(403, "screened");
    assert_eq!(body["message"], "the request matches the deny list");
    envoy.get("/").header("x-forwarded-for", &xff("192.0.2.55")).send().assert_local_reply(403, "screened");
    assert_eq!(envoy.get("/").header("x-forwarded-for", &xff("203.0.113.1")).send().status, 200);
    assert_eq!(envoy.get("/").send().status, 200, "no X-Forwarded-For: the peer's address, not listed");
    assert_eq!(envoy.get("/partners/a").header("x-partner-id", "ACME").send().status, 200, "lower-cased");
    envoy.get("/partners/a").header("x-partner-id", "initech").send().assert_local_reply(403, "screened");
    envoy.get("/partners/a").send().assert_local_reply(403, "screened");
    assert_eq!(envoy.get("/healthz").header("x-forwarded-for", &xff("198.51.100.7")).send().status, 200);

    assert!(envoy.counter("sieve.screen.refused") >= 5);
    assert_eq!(envoy.counter("sieve.screen.cidr_hits"), 1);
    assert!(envoy.counter("sieve.screen.missing_key") >= 1, "the partner request without its header");
    let stats = envoy.stats();
    assert_eq!(stats.get("wasmcustom.sieve.screen.list_size"), Some(&2), "{stats:?}");
    let access = envoy.access_log(3);
    assert!(access.iter().any(|l| l["details"] == "sieve_screen.screened" && l["status"] == 403), "{access:?}");
}

/// One Envoy, a route per (key source, mode), each with an inline exact list.
#[test]
fn every_key_source_in_deny_and_allow_modes() {
    type Headers<'a> = Vec<(&'a str, &'a str)>;
    let sources: Vec<(&str, Value, &str, Headers, Headers)> = vec![
        // (name, key config, listed key, request headers that carry it, headers that carry another)
        ("ip", json!({"client_ip": {}}), "127.0.0.1", vec![], vec![]),
        (
            "xff",
            // Sieve counts the proxies itself: Envoy appended the peer, so three trusted entries.
            json!({"client_ip": {"xff_num_trusted_hops": 3}}),
            "198.51.100.9",
            vec![("x-forwarded-for", "198.51.100.9, 10.1.1.1, 10.2.2.2")],
            vec![("x-forwarded-for", "198.51.100.10, 10.1.1.1, 10.2.2.2")],
        ),
        (
            "header",
            json!({"header": {"name": "x-user"}}),
            "mallory",
            vec![("x-user", "mallory")],
            vec![("x-user", "alice")],
        ),
        ("query", json!({"query": {"name": "token"}}), "t0k3n", vec![], vec![]),
        (
            "consumer",
            json!({"consumer": {}}),
            "bad-app",
            vec![("x-sieve-consumer", "bad-app")],
            vec![("x-sieve-consumer", "good-app")],
        ),
    ];
    let mut routes = Vec::new();
    for (name, key, listed, _, _) in &sources {
        for mode in ["deny", "allow"] {
            let mut keys = vec![listed.to_string()];
            if *name == "ip" && mode == "allow" {
                keys = vec!["192.0.2.1".into()]; // the test client (127.0.0.1) is not on it
            }
            routes.push(json!({"match": {"path_prefix": format!("/{name}/{mode}")},
                "config": {"key": key, "mode": mode, "list": {"keys": keys}, "normalize": {"trim_trailing_slash": true}}}));
        }
    }
    let config = json!({"key": {"header": {"name": "x-unused"}}, "list": {"keys": ["unused"]}, "routes": routes});
    let stack = Stack::builder(CONFIG).plugin_config(FILTER, config.to_string()).start();
    let envoy = &stack.envoy;
    for (name, _, listed, hit_headers, miss_headers) in &sources {
        let (hit_query, miss_query) = match *name {
            "query" => (format!("?token={listed}"), "?token=other".to_string()),
            _ => (String::new(), String::new()),
        };
        let status = |mode: &str, query: &str, headers: &[(&str, &str)]| {
            status_via(envoy, &format!("/{name}/{mode}/r{query}"), headers)
        };
        assert_eq!(status("deny", &hit_query, hit_headers), 403, "{name} deny hit");
        if *name != "ip" {
            // The test client is always 127.0.0.1: the connection address cannot miss.
            assert_eq!(status("deny", &miss_query, miss_headers), 200, "{name} deny miss");
        }
        if *name != "ip" {
            assert_eq!(status("allow", &hit_query, hit_headers), 200, "{name} allow hit");
        }
        assert_eq!(status("allow", &miss_query, miss_headers), 403, "{name} allow miss");
    }
    // The path key, with its own lists: normalised (trailing slash), query string ignored.
    let config = json!({"key": {"path": {}}, "mode": "deny", "normalize": {"trim_trailing_slash": true, "lowercase": true},
        "list": {"keys": ["/admin", "/internal/debug"]},
        "routes": [{"match": {"path_prefix": "/open"}, "config": {"key": {"path": {}}, "mode": "allow", "list": {"keys": ["/open/ok"]}}}]});
    let paths = Stack::builder(CONFIG).plugin_config(FILTER, config.to_string()).start();
    for (path, status) in [
        ("/admin", 403),
        ("/Admin/", 403),
        ("/admin?x=1", 403),
        ("/internal/debug/", 403),
        ("/administrator", 200),
        ("/open/ok", 200),
        ("/open/other", 403),
    ] {
        assert_eq!(status_via(&paths.envoy, path, &[]), status, "{path}");
    }
}

#[test]
fn inline_cuckoo_at_ninety_percent_load_and_bloom_inside_envoy() {
    // 3,700 keys in a 4,096-slot Cuckoo table (90.3% load): relocations draw host randomness.
    let keys: Vec<String> = (0..3_700).map(|i| format!("user-{i:05}")).collect();
    let bloom_keys: Vec<String> = (0..5_000).map(|i| format!("b-{i}")).collect();
    let config = json!({
        "key": {"header": {"name": "x-user"}},
        "list": {"keys": keys, "backend": "cuckoo", "capacity": 3_700},
        "routes": [{"match": {"path_prefix": "/bloom"}, "config": {"key": {"header": {"name": "x-user"}},
            "list": {"keys": bloom_keys, "backend": "bloom", "fp_rate": 0.001}}}]
    });
    let stack = Stack::builder(CONFIG).plugin_config(FILTER, config.to_string()).concurrency(2).start();
    let envoy = &stack.envoy;
    for i in (0..3_700).step_by(37) {
        assert_eq!(status_via(envoy, "/", &[("x-user", &format!("user-{i:05}"))]), 403, "user-{i:05}");
    }
    let passed = (0..200).filter(|i| status_via(envoy, "/", &[("x-user", &format!("someone-{i}"))]) == 200).count();
    assert!(passed >= 185, "Cuckoo false positives stay near 3%: {passed}/200 passed");
    for i in (0..5_000).step_by(250) {
        assert_eq!(status_via(envoy, "/bloom", &[("x-user", &format!("b-{i}"))]), 403);
    }
    assert_eq!(status_via(envoy, "/bloom", &[("x-user", "nobody")]), 200);
    let log = envoy.log();
    assert!(!log.contains("panicked") && !log.contains("thread_rng"), "{log}");
    assert!(log.contains("cuckoo list of 3700 keys loaded"), "{log}");
}

#[test]
fn prebuilt_blob_in_the_config() {
    let keys: Vec<String> = (0..100_000).map(|i| format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(blob(Backend::Bloom, &keys, 0.001, None));
    let config = json!({"key": {"client_ip": {}}, "list": {"blob": encoded}});
    let stack = Stack::builder(CONFIG).plugin_config(FILTER, config.to_string()).start();
    for key in ["10.0.0.0", "10.0.200.17", "10.1.134.159"] {
        assert_eq!(status_via(&stack.envoy, "/", &[("x-forwarded-for", key)]), 403, "{key}");
    }
    assert_eq!(status_via(&stack.envoy, "/", &[("x-forwarded-for", "172.16.0.1")]), 200);
    assert_eq!(stack.envoy.stats().get("wasmcustom.sieve.screen.list_size"), Some(&100_000));
}

fn feed_config(refresh_seconds: u64) -> Value {
    json!({"key": {"header": {"name": "x-user"}},
        "list": {"feed": {"cluster": "feed", "path": "/lists/users", "refresh_seconds": refresh_seconds, "retry_seconds": 1}}})
}

#[test]
fn a_feed_update_reaches_every_worker_within_its_interval() {
    let feed = Feed::new();
    feed.publish(blob(Backend::Bloom, &strings(&["eve", "mallory"]), 0.001, None));
    let stack = Stack::builder(CONFIG)
        .plugin_config(FILTER, feed_config(2).to_string())
        .service("feed", feed.handler())
        .concurrency(2)
        .start();
    let envoy = &stack.envoy;
    eventually(Duration::from_secs(5), "first list", || status_via(envoy, "/", &[("x-user", "eve")]) == 403);

    let published = Instant::now();
    feed.publish("trent\n# a text list becomes an exact set\nmallory\n");
    eventually(Duration::from_secs(6), "the update on every worker", || {
        (0..12).all(|_| status_via(envoy, "/", &[("x-user", "trent")]) == 403)
    });
    assert!(
        published.elapsed() < Duration::from_secs(4),
        "within the 2 s interval (plus a tick): {:?}",
        published.elapsed()
    );
    for _ in 0..12 {
        assert_eq!(status_via(envoy, "/", &[("x-user", "eve")]), 200, "eve left the list on every worker");
    }
    assert_eq!(envoy.stats().get("wasmcustom.sieve.screen.list_size"), Some(&2));
    // Fetched once per interval for the whole Envoy, not once per worker.
    let requests_before = feed.requests();
    std::thread::sleep(Duration::from_secs(4));
    let polls = feed.requests() - requests_before;
    assert!((1..=3).contains(&polls), "{polls} fetches in 4 s with a 2 s interval");
}

#[test]
fn a_cuckoo_delta_adds_and_removes_keys() {
    let feed = Feed::new();
    let v1 = strings(&["alpha", "bravo", "charlie"]);
    feed.publish(blob(Backend::Cuckoo, &v1, CUCKOO_FP_RATE, Some(100)));
    let deltas_served = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let handler = {
        let inner = feed.handler();
        let deltas_served = deltas_served.clone();
        Arc::new(move |request: sieve_services::Request| {
            let response: Response = inner(request);
            if response.headers.iter().any(|(n, v)| n == "content-type" && v == "application/json") {
                deltas_served.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            response
        })
    };
    let stack = Stack::builder(CONFIG)
        .plugin_config(FILTER, feed_config(1).to_string())
        .service("feed", handler)
        .concurrency(2)
        .start();
    let envoy = &stack.envoy;
    eventually(Duration::from_secs(5), "first list", || status_via(envoy, "/", &[("x-user", "alpha")]) == 403);

    let v2 = strings(&["bravo", "charlie", "delta"]);
    feed.publish_delta(blob(Backend::Cuckoo, &v2, CUCKOO_FP_RATE, Some(100)), &["delta"], &["alpha"]);
    eventually(Duration::from_secs(6), "the delta applied", || {
        (0..8).all(|_| {
            status_via(envoy, "/", &[("x-user", "delta")]) == 403
                && status_via(envoy, "/", &[("x-user", "alpha")]) == 200
        })
    });
    assert_eq!(status_via(envoy, "/", &[("x-user", "bravo")]), 403, "untouched keys stay");
    assert_eq!(
        deltas_served.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the delta, not the whole list, was fetched"
    );
    assert_eq!(envoy.stats().get("wasmcustom.sieve.screen.list_size"), Some(&3));
}

#[test]
fn a_dead_or_garbage_feed_leaves_the_last_good_list() {
    let feed = Feed::new();
    feed.publish(blob(Backend::Bloom, &strings(&["eve"]), 0.01, None));
    let stack = Stack::builder(CONFIG)
        .plugin_config(FILTER, feed_config(1).to_string())
        .service("feed", feed.handler())
        .start();
    let envoy = &stack.envoy;
    eventually(Duration::from_secs(5), "first list", || status_via(envoy, "/", &[("x-user", "eve")]) == 403);

    feed.publish(b"garbage\xff\xfe".to_vec());
    feed.set_garbage(true);
    eventually(Duration::from_secs(8), "garbage refused", || envoy.counter("sieve.screen.feed_errors") >= 2);
    assert_eq!(status_via(envoy, "/", &[("x-user", "eve")]), 403, "the last good list stays");
    feed.set_garbage(false);
    feed.set_down(true);
    let errors = envoy.counter("sieve.screen.feed_errors");
    eventually(Duration::from_secs(8), "outage counted", || envoy.counter("sieve.screen.feed_errors") > errors);
    assert_eq!(status_via(envoy, "/", &[("x-user", "eve")]), 403);
    assert_eq!(status_via(envoy, "/", &[("x-user", "bob")]), 200);
}

#[test]
fn an_allow_list_not_loaded_yet_fails_closed() {
    let config = json!({"key": {"header": {"name": "x-user"}}, "mode": "allow",
        "list": {"feed": {"cluster": "feed", "path": "/lists/users", "refresh_seconds": 1}}});
    let stack = Stack::builder(CONFIG).plugin_config(FILTER, config.to_string()).start(); // feed cluster is dead
    let reply = stack.envoy.get("/").header("x-user", "anyone").send();
    reply.assert_local_reply(503, "list_unavailable");
}

#[test]
fn confirmations_catch_false_positives_and_dry_run_refuses_nothing() {
    // A deliberately loose Bloom filter (30%) so that false positives are common.
    let members: Vec<String> = (0..200).map(|i| format!("m-{i}")).collect();
    let authority = {
        let members = members.clone();
        Arc::new(move |request: sieve_services::Request| {
            let key = request.query.strip_prefix("key=").unwrap_or_default().to_string();
            Response::new(if members.contains(&key) { 200 } else { 404 })
        })
    };
    let config = json!({"key": {"header": {"name": "x-user"}},
        "list": {"keys": members, "backend": "bloom", "fp_rate": 0.3},
        "confirm": {"cluster": "authority", "path": "/member", "timeout_ms": 500},
        "routes": [{"match": {"path_prefix": "/dry"}, "config": {"key": {"header": {"name": "x-user"}}, "dry_run": true, "list": {"keys": ["m-1"]}}}]});
    let stack =
        Stack::builder(CONFIG).plugin_config(FILTER, config.to_string()).service("authority", authority).start();
    let envoy = &stack.envoy;
    for i in (0..200).step_by(20) {
        assert_eq!(status_via(envoy, "/", &[("x-user", &format!("m-{i}"))]), 403);
    }
    for i in 0..100 {
        assert_eq!(
            status_via(envoy, "/", &[("x-user", &format!("outsider-{i}"))]),
            200,
            "a false positive must never block"
        );
    }
    assert!(envoy.counter("sieve.screen.false_positives") > 5, "the loose filter did produce false positives");
    assert_eq!(envoy.counter("sieve.screen.confirmed"), 10);
    assert_eq!(status_via(envoy, "/dry", &[("x-user", "m-1")]), 200);
    assert_eq!(envoy.counter("sieve.screen.dry_run_refused"), 1);
}

fn refused(plugin_config: Value) -> String {
    let mut config = EnvoyConfig::load(CONFIG).unwrap();
    config.make_local(&sieve_e2e::modules::wasm_dir().unwrap(), &[("echo", sieve_e2e::closed_port())]);
    config.set_plugin_config(FILTER, &plugin_config.to_string());
    let log = Envoy::refuses(&config).unwrap_or_else(|e| panic!("{e}"));
    log.lines()
        .find(|l| l.contains("sieve.screen: invalid configuration"))
        .unwrap_or_else(|| panic!("{log}"))
        .to_string()
}

#[test]
fn bad_configs_are_refused_naming_the_field() {
    let good_blob =
        base64::engine::general_purpose::STANDARD.encode(blob(Backend::Bloom, &strings(&["a"]), 0.01, None));
    let mut corrupt = blob(Backend::Bloom, &strings(&["a"]), 0.01, None);
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xff;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"key": {"header": {"name": "x"}}, "list": {"keys": ["a"], "backend": "cuckoo", "fp_rate": 0.01}}),
            "list.fp_rate: the Cuckoo backend cannot meet 0.01",
        ),
        (
            json!({"key": {"header": {"name": "x"}}, "list": {"keys": ["a"], "backend": "quotient"}}),
            "list.backend: unknown backend",
        ),
        (json!({"key": {"ip": {}}, "list": {"keys": ["a"]}}), "key: unknown variant `ip`"),
        (json!({"key": {"client_ip": {}}, "cidrs": ["10.0.0.0/33"], "list": {"keys": ["a"]}}), "cidrs[0]"),
        (
            json!({"key": {"header": {"name": "x"}}, "cidrs": ["10.0.0.0/8"], "list": {"keys": ["a"]}}),
            "cidrs: CIDR ranges need a client_ip key",
        ),
        (json!({"key": {"header": {"name": "x"}}, "list": {"blob": "%%%"}}), "list.blob: not base64"),
        (
            json!({"key": {"header": {"name": "x"}}, "list": {"blob": base64::engine::general_purpose::STANDARD.encode(corrupt)}}),
            "list.blob: not a usable screening blob: checksum mismatch",
        ),
        (
            json!({"key": {"header": {"name": "x"}}, "normalize": {"lowercase": true}, "list": {"blob": good_blob}}),
            "list.blob: the blob was built with normalisation",
        ),
        (json!({"key": {"header": {"name": "x"}}}), "list: give keys, a blob or a feed"),
        (
            json!({"key": {"header": {"name": "x"}}, "list": {"keys": ["a"]}, "status": 200}),
            "status: must be a 4xx or 5xx status",
        ),
        (
            json!({"key": {"header": {"name": "x"}}, "list": {"keys": ["a"]}, "confirm": {"cluster": "c", "path": "check"}}),
            "confirm.path",
        ),
        (
            json!({"key": {"header": {"name": "x"}}, "list": {"feed": {"cluster": "feed", "path": "/l", "refresh_seconds": 0}}}),
            "list.feed.refresh_seconds",
        ),
    ];
    std::thread::scope(|scope| {
        for chunk in cases.chunks(cases.len().div_ceil(2)) {
            scope.spawn(move || {
                for (config, expected) in chunk {
                    let line = refused(config.clone());
                    assert!(line.contains(expected), "expected {expected:?} in {line}");
                }
            });
        }
    });
}
