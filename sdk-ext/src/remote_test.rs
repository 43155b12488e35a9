use super::*;
use crate::testing::{call_response, FakeHost};

fn spec() -> RemoteSpec {
    RemoteConfig {
        cluster: "jwks".into(),
        path: "/keys".into(),
        authority: None,
        refresh_seconds: Some(60),
        timeout_ms: Some(500),
        retry_seconds: Some(1),
        max_bytes: Some(100),
    }
    .compile(RemoteDefaults {
        refresh: Duration::from_secs(300),
        timeout: Duration::from_secs(1),
        retry: Duration::from_secs(1),
        max_bytes: 1 << 20,
    })
    .unwrap()
}

fn accept_all(body: &[u8], _previous: &Previous<'_>) -> Result<Vec<u8>, String> {
    Ok(body.to_vec())
}

fn poll(remote: &RemoteResource, host: &mut FakeHost) -> Option<(u64, Vec<u8>)> {
    remote.poll(&mut Root::new(host))
}

fn answer(
    remote: &RemoteResource,
    host: &mut FakeHost,
    status: Option<u16>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<Fetched> {
    let token = host.last_call().unwrap().token;
    remote.on_response(&mut Root::new(host), &call_response(token, status, headers, body), accept_all)
}

#[test]
fn one_vm_fetches_for_all_and_every_vm_takes_the_document_once() {
    let mut a = FakeHost::default();
    let mut b = a.another_worker();
    let remote_a = RemoteResource::new("jwks", spec());
    let remote_b = RemoteResource::new("jwks", spec());
    assert!(remote_a.never_fetched(&a));

    assert_eq!(poll(&remote_a, &mut a), None);
    assert_eq!(a.calls.len(), 1, "A took the lease and fetched");
    let call = a.last_call().unwrap().clone();
    assert_eq!(
        (call.cluster.as_str(), call.header(":path"), call.header(":authority")),
        ("jwks", Some("/keys"), Some("jwks"))
    );
    assert_eq!(poll(&remote_b, &mut b), None);
    assert!(b.calls.is_empty(), "B sees the lease and does not fetch");

    assert_eq!(
        answer(&remote_a, &mut a, Some(200), &[("etag", "\"v1\"")], b"keys-1"),
        Some(Fetched::Updated { version: 1 })
    );
    assert_eq!(poll(&remote_b, &mut b), Some((1, b"keys-1".to_vec())));
    assert_eq!(poll(&remote_a, &mut a), Some((1, b"keys-1".to_vec())));
    assert_eq!(poll(&remote_b, &mut b), None, "taken once");
    assert!(b.calls.is_empty() && a.calls.len() == 1, "not due again before the refresh");
}

#[test]
fn refresh_uses_the_etag_and_a_304_keeps_the_document() {
    let mut a = FakeHost::default();
    let remote = RemoteResource::new("jwks", spec());
    poll(&remote, &mut a);
    answer(&remote, &mut a, Some(200), &[("etag", "\"v1\"")], b"keys-1");
    poll(&remote, &mut a);
    a.advance(Duration::from_secs(61));
    poll(&remote, &mut a);
    assert_eq!(a.calls.len(), 2);
    assert_eq!(a.last_call().unwrap().header("if-none-match"), Some("\"v1\""));
    assert_eq!(answer(&remote, &mut a, Some(304), &[], b""), Some(Fetched::NotModified));
    assert_eq!(remote.published(&a), Some((1, b"keys-1".to_vec())));
}

#[test]
fn failures_keep_the_last_good_document_and_back_off() {
    let mut a = FakeHost::default();
    let remote = RemoteResource::new("jwks", spec());
    poll(&remote, &mut a);
    answer(&remote, &mut a, Some(200), &[], b"good");
    poll(&remote, &mut a);

    a.advance(Duration::from_secs(61));
    poll(&remote, &mut a);
    assert_eq!(answer(&remote, &mut a, Some(503), &[], b""), Some(Fetched::Failed("status 503".into())));
    assert_eq!(remote.state(&a).0.failures, 1);
    a.advance(Duration::from_millis(500));
    poll(&remote, &mut a);
    assert_eq!(a.calls.len(), 2, "no retry before the backoff (1 s)");
    a.advance(Duration::from_millis(600));
    poll(&remote, &mut a);
    assert_eq!(a.calls.len(), 3);
    assert!(matches!(answer(&remote, &mut a, None, &[], b""), Some(Fetched::Failed(r)) if r.contains("no answer")));
    assert_eq!(remote.backoff(2), Duration::from_secs(2));
    assert_eq!(remote.backoff(30), Duration::from_secs(60), "capped at the refresh interval");

    a.advance(Duration::from_secs(2));
    poll(&remote, &mut a);
    let token = a.last_call().unwrap().token;
    let rejected =
        remote.on_response(&mut Root::new(&mut a), &call_response(token, Some(200), &[], b"corrupt"), |_, _| {
            Err("not a key set".to_string())
        });
    assert_eq!(rejected, Some(Fetched::Failed("not a key set".into())));
    a.advance(Duration::from_secs(5));
    poll(&remote, &mut a);
    let too_big = vec![b'x'; 101];
    assert!(
        matches!(answer(&remote, &mut a, Some(200), &[], &too_big), Some(Fetched::Failed(r)) if r.contains("larger"))
    );
    assert_eq!(remote.published(&a), Some((1, b"good".to_vec())), "the last good document stays");
    assert_eq!(remote.state(&a).0.last_error.as_deref(), Some("document larger than 100 bytes"));
}

#[test]
fn a_lease_whose_owner_never_answers_expires() {
    let mut a = FakeHost::default();
    let mut b = a.another_worker();
    let remote_a = RemoteResource::new("jwks", spec());
    let remote_b = RemoteResource::new("jwks", spec());
    poll(&remote_a, &mut a);
    b.advance(Duration::from_millis(1_400));
    poll(&remote_b, &mut b);
    assert!(b.calls.is_empty(), "the lease (timeout + 1 s) still holds");
    b.advance(Duration::from_millis(200));
    poll(&remote_b, &mut b);
    assert_eq!(b.calls.len(), 1, "B takes over");
    // A late answer is still a good document: it is published, and B's fetch publishes after it.
    assert_eq!(answer(&remote_a, &mut a, Some(200), &[], b"late"), Some(Fetched::Updated { version: 1 }));
    assert_eq!(answer(&remote_b, &mut b, Some(200), &[], b"fresh"), Some(Fetched::Updated { version: 2 }));
    assert_eq!(remote_a.published(&a), Some((2, b"fresh".to_vec())));
}

#[test]
fn a_fetch_can_build_on_the_published_document() {
    let mut a = FakeHost::default();
    let remote = RemoteResource::new("feed", spec());
    poll(&remote, &mut a);
    answer(&remote, &mut a, Some(200), &[("etag", "\"v1\"")], b"base");
    poll(&remote, &mut a);
    a.advance(Duration::from_secs(61));
    poll(&remote, &mut a);
    let token = a.last_call().unwrap().token;
    let outcome = remote.on_response(
        &mut Root::new(&mut a),
        &call_response(token, Some(200), &[], b"+delta"),
        |body, previous| {
            assert_eq!(previous.etag.as_deref(), Some("\"v1\""));
            let mut merged = previous.payload().ok_or("no base")?;
            merged.extend_from_slice(body);
            Ok(merged)
        },
    );
    assert_eq!(outcome, Some(Fetched::Updated { version: 2 }));
    assert_eq!(remote.published(&a), Some((2, b"base+delta".to_vec())));
}

#[test]
fn answers_to_other_calls_are_not_taken() {
    let mut a = FakeHost::default();
    let remote = RemoteResource::new("jwks", spec());
    poll(&remote, &mut a);
    let other = call_response(999, Some(200), &[], b"x");
    assert_eq!(remote.on_response(&mut Root::new(&mut a), &other, accept_all), None);
}

#[test]
fn host_memory_stays_flat_across_versions() {
    let mut a = FakeHost::default();
    let remote = RemoteResource::new("jwks", spec());
    let mut sizes = Vec::new();
    for round in 0..10 {
        poll(&remote, &mut a);
        let body = format!("document-{round:03}");
        answer(&remote, &mut a, Some(200), &[], body.as_bytes());
        poll(&remote, &mut a);
        a.advance(Duration::from_secs(61));
        sizes.push(a.shared.borrow().bytes());
    }
    assert_eq!(remote.published(&a).unwrap().0, 10);
    assert_eq!(a.shared.borrow().keys().len(), 2, "one state and one data key");
    assert!(sizes.windows(2).all(|w| w[1] <= w[0] + 2), "{sizes:?}");
}

#[test]
fn dispatch_failures_are_recorded() {
    let mut a = FakeHost::default();
    a.fail_dispatch = Some(crate::HostError::BadArgument);
    let remote = RemoteResource::new("jwks", spec());
    poll(&remote, &mut a);
    let (state, _) = remote.state(&a);
    assert_eq!(state.failures, 1);
    assert!(state.last_error.unwrap().contains("dispatch failed"));
    assert_eq!(state.lease_until_ms, 0);
}

#[test]
fn bad_specs_are_refused() {
    let defaults = RemoteDefaults {
        refresh: Duration::from_secs(300),
        timeout: Duration::from_secs(1),
        retry: Duration::from_secs(1),
        max_bytes: 10,
    };
    let base = RemoteConfig {
        cluster: "c".into(),
        path: "/p".into(),
        authority: None,
        refresh_seconds: None,
        timeout_ms: None,
        retry_seconds: None,
        max_bytes: None,
    };
    let field = |config: RemoteConfig| config.compile(defaults).unwrap_err().field;
    assert_eq!(field(RemoteConfig { cluster: " ".into(), ..base.clone() }), "cluster");
    assert_eq!(field(RemoteConfig { path: "keys".into(), ..base.clone() }), "path");
    assert_eq!(field(RemoteConfig { refresh_seconds: Some(0), ..base.clone() }), "refresh_seconds");
    assert_eq!(field(RemoteConfig { timeout_ms: Some(0), ..base.clone() }), "timeout_ms");
    assert_eq!(field(RemoteConfig { authority: Some("a b".into()), ..base.clone() }), "authority");
    assert_eq!(base.compile(defaults).unwrap().authority, "c");
}

/// A document of numbers, one per line, that refuses anything else (and leaves out `#` lines).
fn numbers(host: &mut FakeHost) -> RemoteDocument<Vec<u64>> {
    let mut setup = crate::Setup::new(host, "doc");
    let metrics = DocumentMetrics {
        fetched: setup.counter("fetched"),
        failed: setup.counter("failed"),
        taken: setup.counter("taken"),
        left_out: setup.counter("left_out"),
        version: setup.gauge("version"),
        size: setup.gauge("size"),
        ..DocumentMetrics::default()
    };
    let parse = |text: &[u8]| -> Result<Vec<u64>, String> {
        std::str::from_utf8(text)
            .map_err(|e| e.to_string())?
            .lines()
            .map(|line| line.parse::<u64>().map_err(|e| format!("{line:?}: {e}")))
            .collect()
    };
    RemoteDocument::new(
        RemoteResource::new("doc", spec()),
        "test: numbers".into(),
        metrics,
        move |body, _previous| {
            let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
            let (kept, left_out): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| !l.starts_with('#'));
            let payload = kept.join("\n").into_bytes();
            parse(&payload)?;
            Ok(Accepted { payload, left_out: left_out.into_iter().map(String::from).collect() })
        },
        parse,
        |numbers| numbers.len() as u64,
    )
}

fn deliver(document: &RemoteDocument<Vec<u64>>, host: &mut FakeHost, status: u16, body: &[u8]) -> Option<Fetched> {
    let token = host.last_call().unwrap().token;
    document.on_root_call_response(&mut Root::new(host), &call_response(token, Some(status), &[], body))
}

#[test]
fn a_document_is_checked_published_and_taken_by_every_vm_once() {
    let mut a = FakeHost::default();
    let mut b = a.another_worker();
    let (doc_a, doc_b) = (numbers(&mut a), numbers(&mut b));
    assert_eq!(doc_a.tick_period(), Duration::from_millis(100), "quick ticks until a version is in");
    doc_a.on_tick(&mut Root::new(&mut a));
    assert_eq!(deliver(&doc_a, &mut a, 200, b"1\n# a comment\n2"), Some(Fetched::Updated { version: 1 }));
    assert_eq!((a.counter("sieve.doc.fetched"), a.counter("sieve.doc.left_out")), (1, 1));
    doc_a.on_tick(&mut Root::new(&mut a));
    assert!(doc_a.is_loaded());
    assert_eq!((a.gauge("sieve.doc.version"), a.gauge("sieve.doc.size")), (Some(1), Some(2)));
    assert_eq!(doc_a.tick_period(), Duration::from_secs(1));

    // Another worker takes it on a request before its own tick has seen it, once.
    let mut core = crate::StreamCore::default();
    let taken = doc_b.current(&mut crate::Http::new(&mut b, &mut core)).unwrap();
    assert_eq!(*taken, vec![1, 2]);
    let mut core = crate::StreamCore::default();
    doc_b.current(&mut crate::Http::new(&mut b, &mut core));
    assert_eq!(b.counter("sieve.doc.taken"), 1, "parsed once per VM");
}

#[test]
fn an_unusable_document_is_counted_and_the_last_good_one_stays() {
    let mut a = FakeHost::default();
    let doc = numbers(&mut a);
    doc.on_tick(&mut Root::new(&mut a));
    deliver(&doc, &mut a, 200, b"7");
    doc.on_tick(&mut Root::new(&mut a));
    a.advance(Duration::from_secs(61));
    doc.on_tick(&mut Root::new(&mut a));
    assert!(matches!(deliver(&doc, &mut a, 200, b"not a number"), Some(Fetched::Failed(_))));
    a.advance(Duration::from_secs(2));
    doc.on_tick(&mut Root::new(&mut a));
    assert!(matches!(deliver(&doc, &mut a, 503, b""), Some(Fetched::Failed(_))));
    assert_eq!(a.counter("sieve.doc.failed"), 2);
    let mut core = crate::StreamCore::default();
    assert_eq!(*doc.current(&mut crate::Http::new(&mut a, &mut core)).unwrap(), vec![7]);
}
