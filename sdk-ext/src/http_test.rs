use super::*;
use crate::testing::FakeHost;

#[test]
fn strip_port_handles_v4_v6_and_names() {
    assert_eq!(strip_port("10.0.0.1:5000"), "10.0.0.1");
    assert_eq!(strip_port("[::1]:5000"), "::1");
    assert_eq!(strip_port("[2001:db8::1]"), "2001:db8::1");
    assert_eq!(strip_port("2001:db8::1"), "2001:db8::1");
    assert_eq!(strip_port("example.com:8080"), "example.com");
    assert_eq!(strip_port("example.com"), "example.com");
}

#[test]
fn facts_are_read_once_and_forgotten_on_write() {
    let mut host = FakeHost::request("GET", "/a?b=c", &[]);
    host.set_property(&["source", "address"], "[2001:db8::7]:4242");
    let mut core = StreamCore::default();
    let mut http = Http::new(&mut host, &mut core);
    assert_eq!(http.path(), Some("/a?b=c"));
    assert_eq!(http.path_without_query(), Some("/a"));
    assert_eq!(http.client_ip(), Some("2001:db8::7"));
    http.set_request_header(":path", "/rewritten").unwrap();
    assert_eq!(http.path(), Some("/rewritten"));
    assert_eq!(host.reads_of(":path"), 2, "read once, then once again after the rewrite");
}

#[test]
fn the_response_phase_reads_the_request_from_what_was_kept() {
    let mut host = FakeHost::request("POST", "/p", &[("x-user", "ann"), ("x-other", "o")]);
    let mut core = StreamCore::default();
    let needs = RequestNeeds { headers: vec!["x-user".into(), "x-absent".into()], method: true, ..Default::default() };
    Http::new(&mut host, &mut core).keep_for_response(&needs);
    // Envoy has dropped the request header map by the time the response arrives.
    host.request_headers.clear();
    host.respond(200, &[]);
    let mut http = Http::for_response(&mut host, &mut core);
    assert_eq!(http.request_header("x-user").as_deref(), Some("ann"));
    assert_eq!(http.request_header("x-absent"), None);
    assert_eq!(http.request_header("x-other"), None, "not kept");
    assert_eq!(http.method(), Some("POST"));
    assert_eq!(http.path(), None, "not kept");
}

#[test]
fn non_utf8_values_are_read_without_failing() {
    let mut host = FakeHost::request("GET", "/", &[]);
    host.request_headers.push(("x-latin".into(), b"caf\xe9".to_vec()));
    let mut core = StreamCore::default();
    let http = Http::new(&mut host, &mut core);
    assert_eq!(http.request_header("x-latin").as_deref(), Some("caf\u{fffd}"));
    assert_eq!(http.header_bytes(MapKind::RequestHeaders, "x-latin").unwrap(), b"caf\xe9");
}

#[test]
fn a_scrubbed_credential_leaves_every_copy_written_before_or_after() {
    let mut host = FakeHost::request("GET", "/a?api_key=s3cr%2Bt&x=1", &[("x-api-key", "k-123456")]);
    track_copies();
    let mut core = StreamCore::default();
    let mut http = Http::new(&mut host, &mut core);
    http.set_request_header("x-sieve-request", "GET /a?api_key=s3cr%2Bt&x=1").unwrap();
    http.add_header(MapKind::RequestHeaders, "x-copies", "k-123456").unwrap();
    http.add_header(MapKind::RequestHeaders, "x-copies", "clean").unwrap();
    http.scrub_secret(b"s3cr%2Bt");
    http.scrub_secret(b"k-123456");
    http.set_request_header("x-later", "key=k-123456;").unwrap();
    assert_eq!(http.request_header("x-sieve-request").as_deref(), Some("GET /a?api_key=[redacted]&x=1"));
    assert_eq!(http.request_header("x-later").as_deref(), Some("key=[redacted];"));
    let copies: Vec<Vec<u8>> =
        host.headers(MapKind::RequestHeaders).into_iter().filter(|(n, _)| n == "x-copies").map(|(_, v)| v).collect();
    assert_eq!(copies, vec![b"[redacted]".to_vec(), b"clean".to_vec()]);
    // The credential's own header is the caller's to remove; response headers are left alone.
    assert_eq!(host.request_header("x-api-key").as_deref(), Some("k-123456"));
}
