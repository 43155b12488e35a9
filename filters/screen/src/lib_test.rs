use super::*;
use crate::key::KeyForm;
use serde_json::json;
use sieve_screen_set::CUCKOO_FP_RATE;
use sieve_sdk_ext::testing::{call_response, FakeHost, TestPlugin};
use sieve_sdk_ext::Action;

fn plugin(config: serde_json::Value) -> TestPlugin<Screen> {
    TestPlugin::new(&config.to_string()).unwrap_or_else(|e| panic!("config refused: {e}"))
}

fn status(plugin: &TestPlugin<Screen>, host: &mut FakeHost) -> u16 {
    match plugin.request(host).0 {
        Action::Continue => 200,
        Action::Stop => host.local_reply.as_ref().map_or(0, |r| r.status),
        Action::Pause => 0,
    }
}

fn user(name: &str) -> FakeHost {
    FakeHost::request("GET", "/", &[("x-user", name)])
}

#[test]
fn deny_and_allow_modes_and_a_missing_key() {
    let deny = plugin(json!({"key": {"header": {"name": "x-user"}}, "list": {"keys": ["eve"]}}));
    assert_eq!(status(&deny, &mut user("eve")), 403);
    assert_eq!(status(&deny, &mut user("bob")), 200);
    assert_eq!(status(&deny, &mut FakeHost::request("GET", "/", &[])), 200, "no key: nothing to deny");
    let mut host = user("eve");
    deny.request(&mut host);
    let reply = host.local_reply.unwrap();
    assert_eq!((reply.details.as_str(), reply.json()["error"].as_str()), ("sieve_screen.screened", Some("screened")));

    let allow = plugin(
        json!({"key": {"header": {"name": "x-user"}}, "mode": "allow", "status": 451, "list": {"keys": ["bob"]}}),
    );
    assert_eq!(status(&allow, &mut user("bob")), 200);
    assert_eq!(status(&allow, &mut user("eve")), 451);
    let mut missing = FakeHost::request("GET", "/", &[]);
    assert_eq!(status(&allow, &mut missing), 451, "no key: not on the allow list");
    assert_eq!(missing.counter("sieve.screen.missing_key"), 1);
}

#[test]
fn cidrs_and_client_addresses() {
    let plugin = plugin(
        json!({"key": {"client_ip": {}}, "cidrs": ["192.0.2.0/28", "2001:db8::/32"], "list": {"keys": ["198.51.100.1"]}}),
    );
    let from = |address: &str| {
        let mut host = FakeHost::request("GET", "/", &[]);
        host.set_property(&["source", "address"], address);
        host
    };
    assert_eq!(status(&plugin, &mut from("192.0.2.10:1234")), 403);
    assert_eq!(status(&plugin, &mut from("192.0.2.16:1234")), 200);
    assert_eq!(status(&plugin, &mut from("[2001:db8::9]:443")), 403);
    assert_eq!(status(&plugin, &mut from("198.51.100.1:80")), 403, "the list");
    assert_eq!(status(&plugin, &mut from("[::ffff:198.51.100.1]:80")), 403, "IPv4-mapped is the same client");
    let mut host = from("192.0.2.1:1");
    plugin.request(&mut host);
    assert_eq!(host.counter("sieve.screen.cidr_hits"), 1);
}

#[test]
fn the_consumer_comes_from_the_auth_filters_header() {
    let plugin = plugin(json!({"key": {"consumer": {}}, "list": {"keys": ["bad-app"]}}));
    assert_eq!(status(&plugin, &mut FakeHost::request("GET", "/", &[("x-sieve-consumer", "bad-app")])), 403);
    assert_eq!(status(&plugin, &mut FakeHost::request("GET", "/", &[("x-sieve-consumer", "ok-app")])), 200);
}

#[test]
fn dry_run_counts_and_lets_through() {
    let plugin = plugin(json!({"key": {"header": {"name": "x-user"}}, "dry_run": true, "list": {"keys": ["eve"]}}));
    let mut host = user("eve");
    assert_eq!(status(&plugin, &mut host), 200);
    assert_eq!(host.counter("sieve.screen.dry_run_refused"), 1);
    assert_eq!(host.counter("sieve.screen.refused"), 0);
}

#[test]
fn confirmations_are_asked_once_and_remembered() {
    let keys: Vec<String> = (0..50).map(|i| format!("k{i}")).collect();
    let plugin = plugin(
        json!({"key": {"header": {"name": "x-user"}}, "list": {"keys": keys, "backend": "bloom", "fp_rate": 0.01},
        "confirm": {"cluster": "authority", "path": "/member", "cache_seconds": 60}}),
    );
    let mut host = user("k7");
    let (action, mut stream) = plugin.request(&mut host);
    assert_eq!(action, Action::Pause);
    let call = host.last_call().unwrap().clone();
    assert_eq!((call.cluster.as_str(), call.header(":path")), ("authority", Some("/member?key=k7")));
    assert_eq!(plugin.answer(&mut host, &mut stream, call_response(call.token, Some(200), &[], b"")), Action::Stop);
    assert_eq!(host.local_reply.unwrap().status, 403);
    // Remembered: the next request for k7 asks nobody.
    let mut again = user("k7");
    assert_eq!(status(&plugin, &mut again), 403);
    assert!(again.calls.is_empty());

    // A false positive caught, and an unanswered confirmation counting as a hit (the default).
    let mut host = user("k8");
    let (_, mut stream) = plugin.request(&mut host);
    let token = host.last_call().unwrap().token;
    assert_eq!(plugin.answer(&mut host, &mut stream, call_response(token, Some(404), &[], b"")), Action::Continue);
    assert_eq!(host.counter("sieve.screen.false_positives"), 1);
    let mut host = user("k9");
    let (_, mut stream) = plugin.request(&mut host);
    let token = host.last_call().unwrap().token;
    assert_eq!(plugin.answer(&mut host, &mut stream, call_response(token, None, &[], b"")), Action::Stop);
    assert_eq!(host.counter("sieve.screen.confirm_errors"), 1);
}

fn blob(backend: Backend, keys: &[&str]) -> Vec<u8> {
    let fp = if backend == Backend::Cuckoo { CUCKOO_FP_RATE } else { 0.01 };
    let mut set = ScreenSet::new(backend, 64, fp, Normalize::default(), [5; 32]).unwrap();
    for key in keys {
        set.insert(key).unwrap();
    }
    set.to_blob().unwrap()
}

#[test]
fn a_feed_is_fetched_by_one_worker_and_taken_by_all() {
    let config = json!({"key": {"header": {"name": "x-user"}}, "list": {"feed": {"cluster": "feed", "path": "/l", "refresh_seconds": 10}}});
    let worker_a = plugin(config.clone());
    let worker_b = plugin(config);
    let mut a = FakeHost::default();
    let mut b = a.another_worker();
    let tokens = worker_a.tick(&mut a);
    assert_eq!(tokens.len(), 1);
    assert!(worker_b.tick(&mut b).is_empty(), "B sees A's lease");
    assert!(worker_a.answer_root(
        &mut a,
        call_response(tokens[0], Some(200), &[("etag", "\"1\"")], &blob(Backend::Cuckoo, &["eve"]))
    ));
    worker_a.tick(&mut a);
    worker_b.tick(&mut b);
    for (plugin, host) in [(&worker_a, &a), (&worker_b, &b)] {
        let mut request = user("eve");
        request.shared = host.shared.clone();
        assert_eq!(status(plugin, &mut request), 403);
    }
    assert_eq!(b.gauge("sieve.screen.list_size"), Some(1));
    assert_eq!(b.gauge("sieve.screen.list_version"), Some(1));

    // A delta from the published version: applied once, published whole.
    a.advance(std::time::Duration::from_secs(11));
    let tokens = worker_a.tick(&mut a);
    assert_eq!(a.last_call().unwrap().header("if-none-match"), Some("\"1\""));
    let delta = json!({"base": "\"1\"", "add": ["mallory"], "remove": ["eve"]}).to_string();
    assert!(worker_a.answer_root(&mut a, call_response(tokens[0], Some(200), &[("etag", "\"2\"")], delta.as_bytes())));
    worker_b.tick(&mut b);
    let mut eve = user("eve");
    eve.shared = b.shared.clone();
    assert_eq!(status(&worker_b, &mut eve), 200);
    let mut mallory = user("mallory");
    mallory.shared = b.shared.clone();
    assert_eq!(status(&worker_b, &mut mallory), 403);
}

#[test]
fn feed_documents_are_checked_before_they_are_published() {
    let normalize = Normalize::default();
    let bloom = blob(Backend::Bloom, &["a"]);
    let cuckoo = blob(Backend::Cuckoo, &["a"]);
    assert!(list::accept_feed(&bloom, None, || None, normalize, KeyForm::Text).is_ok());
    assert!(list::accept_feed(b"one\ntwo\n", None, || None, normalize, KeyForm::Text).is_ok());
    assert!(list::accept_feed(b"SIEVESET\x01\x00nonsense", None, || None, normalize, KeyForm::Text)
        .unwrap_err()
        .contains("not a usable"));
    assert!(list::accept_feed(&[0xff, 0xfe], None, || None, normalize, KeyForm::Text)
        .unwrap_err()
        .contains("neither a blob"));
    let delta = br#"{"base": "\"1\"", "add": ["b"], "remove": []}"#;
    assert!(list::accept_feed(delta, Some("\"0\""), || Some(cuckoo.clone()), normalize, KeyForm::Text)
        .unwrap_err()
        .contains("applies to"));
    assert!(list::accept_feed(delta, Some("\"1\""), || Some(bloom.clone()), normalize, KeyForm::Text)
        .unwrap_err()
        .contains("Cuckoo lists only"));
    assert!(list::accept_feed(delta, Some("\"1\""), || None, normalize, KeyForm::Text)
        .unwrap_err()
        .contains("no list"));
    let (applied, _) =
        list::accept_feed(delta, Some("\"1\""), || Some(cuckoo.clone()), normalize, KeyForm::Text).unwrap();
    let set = ScreenSet::from_blob(&applied).unwrap();
    assert!(set.contains("a") && set.contains("b"));
    let wrong_norm = Normalize { lowercase: true, trim_trailing_slash: false };
    assert!(list::accept_feed(&bloom, None, || None, wrong_norm, KeyForm::Text).unwrap_err().contains("normalisation"));
}

#[test]
fn an_inline_cuckoo_list_that_does_not_fit_is_refused() {
    let keys: Vec<String> = (0..100).map(|i| format!("/k{i}")).collect();
    let error = TestPlugin::<Screen>::new(
        &json!({"key": {"path": {}}, "list": {"keys": keys, "backend": "cuckoo", "capacity": 50}}).to_string(),
    )
    .err()
    .unwrap();
    assert_eq!(error.to_string(), "list.keys: 100 keys exceed the capacity of 50");
}

#[test]
fn list_entries_take_the_form_of_the_key() {
    let plugin = TestPlugin::<Screen>::new(
        &json!({"key": {"client_ip": {}}, "list": {"keys": ["2001:DB8:0:0::1", "::ffff:192.0.2.9", " 198.51.100.7 "]}})
            .to_string(),
    )
    .unwrap();
    for (client, expected) in
        [("[2001:db8::1]:5555", 403), ("192.0.2.9:1", 403), ("198.51.100.7:2", 403), ("[::1]:3", 200)]
    {
        let mut host = FakeHost::request("GET", "/", &[]);
        host.set_property(&["source", "address"], client);
        plugin.request(&mut host);
        assert_eq!(host.local_reply.map_or(200, |r| r.status), expected, "{client}");
    }
    let error = |key: serde_json::Value, keys: serde_json::Value| {
        TestPlugin::<Screen>::new(&json!({"key": key, "list": {"keys": keys}}).to_string()).err().unwrap().to_string()
    };
    let range = error(json!({"client_ip": {}}), json!(["10.0.0.1", "10.0.0.0/8"]));
    assert!(range.starts_with("list.keys[1]: \"10.0.0.0/8\" is a range"), "{range}");
    let port = error(json!({"client_ip": {}}), json!(["10.0.0.1:80"]));
    assert!(port.starts_with("list.keys[0]"), "{port}");
    let path = error(json!({"path": {}}), json!(["/ok", "/a%2Fb"]));
    assert!(path.starts_with("list.keys[1]"), "{path}");
    // Paths are listed as requests' paths are read.
    let plugin =
        TestPlugin::<Screen>::new(&json!({"key": {"path": {}}, "list": {"keys": ["/%61dmin//x"]}}).to_string())
            .unwrap();
    let mut host = FakeHost::request("GET", "/admin/x", &[]);
    plugin.request(&mut host);
    assert_eq!(host.local_reply.map(|r| r.status), Some(403));
}

#[test]
fn a_text_feed_leaves_out_and_reports_what_cannot_match() {
    let (set, refused) = list::from_document(
        b"10.0.0.1\n10.0.0.0/8\n2001:DB8::1\nnot-an-address\n# comment\n",
        Normalize::default(),
        KeyForm::Address,
    )
    .unwrap();
    assert!(set.contains("10.0.0.1") && set.contains("2001:db8::1"));
    assert_eq!(set.len(), 2);
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].contains("is a range"), "{refused:?}");
}

#[test]
fn a_repeated_query_key_is_refused_unless_every_value_agrees() {
    let plugin = TestPlugin::<Screen>::new(
        &json!({"key": {"query": {"name": "user"}}, "list": {"keys": ["mallory"]}}).to_string(),
    )
    .unwrap();
    for (path, expected) in [
        ("/?user=mallory", 403),
        ("/?user=alice", 200),
        ("/?user=alice&user=mallory", 400),
        ("/?user=mallory&user=alice", 400),
        ("/?user=alice&user=alice", 200),
        ("/?user=%6dallory&user=mallory", 403),
    ] {
        let mut host = FakeHost::request("GET", path, &[]);
        plugin.request(&mut host);
        assert_eq!(host.local_reply.map_or(200, |r| r.status), expected, "{path}");
    }
}

#[test]
fn a_proxy_count_refuses_requests_that_bypassed_the_proxies() {
    let config = |extra: serde_json::Value| {
        let mut config = json!({"key": {"client_ip": {"xff_num_trusted_hops": 1}}, "list": {"keys": ["198.51.100.7"]}});
        config.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        TestPlugin::<Screen>::new(&config.to_string()).unwrap()
    };
    let status = |plugin: &TestPlugin<Screen>, xff: Option<&str>| {
        let headers: Vec<(&str, &str)> = xff.map(|x| vec![("x-forwarded-for", x)]).unwrap_or_default();
        let mut host = FakeHost::request("GET", "/", &headers);
        plugin.request(&mut host);
        host.local_reply.map_or(200, |r| r.status)
    };
    let refusing = config(json!({}));
    assert_eq!(status(&refusing, Some("198.51.100.7, 10.0.0.1")), 403);
    assert_eq!(status(&refusing, Some("203.0.113.1, 10.0.0.1")), 200);
    assert_eq!(status(&refusing, Some("10.0.0.1")), 403, "one entry: no client behind one proxy");
    assert_eq!(status(&refusing, None), 403);
    let lenient = config(json!({"on_missing_key": "miss"}));
    assert_eq!(status(&lenient, None), 200);
    let old = TestPlugin::<Screen>::new(
        &json!({"key": {"client_ip": {"xff_trusted_hops": 1}}, "list": {"keys": ["x"]}}).to_string(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(old.starts_with("key.client_ip.xff_trusted_hops: replaced by xff_num_trusted_hops"), "{old}");
}

#[test]
fn the_cuckoo_rate_in_refusals_is_the_backends_rate() {
    assert_eq!(crate::list::CUCKOO_PERCENT, format!("{:.1}", CUCKOO_FP_RATE * 100.0));
}
