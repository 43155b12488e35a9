use super::*;
use crate::http::StreamCore;
use crate::testing::FakeHost;

fn evaluate(spec: MatchSpec, method: &str, path: &str, headers: &[(&str, &str)]) -> Evaluation {
    let matcher = Matcher::compile(spec).unwrap();
    let mut host = FakeHost::request(method, path, headers);
    let mut core = StreamCore::default();
    matcher.evaluate(&mut Http::new(&mut host, &mut core))
}

fn prefix(prefix: &str, case: Case) -> MatchSpec {
    MatchSpec { path_prefix: Some(prefix.into()), case, ..MatchSpec::default() }
}

#[test]
fn host_patterns() {
    let sub = HostPattern::parse("*.Example.com").unwrap();
    assert!(sub.matches("api.example.com"));
    assert!(sub.matches("a.b.EXAMPLE.com"));
    assert!(!sub.matches("example.com"));
    assert!(!sub.matches("badexample.com"));
    let top = HostPattern::parse("api.example.*").unwrap();
    assert!(top.matches("api.example.org"));
    assert!(!top.matches("api.example.co.uk"));
    assert!(!top.matches("api.example."));
    assert!(HostPattern::parse("*").is_err());
    assert!(HostPattern::parse("a.*.com").is_err());
    assert!(HostPattern::parse("a b").is_err());
}

#[test]
fn paths_compare_as_an_upstream_reads_them() {
    for path in ["/admin/x", "//admin/x", "/x/../admin/x", "/%61dmin/x", "/admin"] {
        assert_eq!(evaluate(prefix("/admin", Case::Exact), "GET", path, &[]), Evaluation::Match, "{path}");
    }
    assert_eq!(evaluate(prefix("/admin", Case::Exact), "GET", "/ADMIN/x", &[]), Evaluation::NoMatch);
    for path in ["/ADMIN/x", "/Admin", "/%41dmin", "/\u{212a}"] {
        let expected = if path == "/\u{212a}" { Evaluation::NoMatch } else { Evaluation::Match };
        assert_eq!(evaluate(prefix("/admin", Case::Fold), "GET", path, &[]), expected, "{path}");
    }
    // The Kelvin sign folds to `k` in Unicode lower case: a folding rule on /key catches it.
    assert_eq!(evaluate(prefix("/key", Case::Fold), "GET", "/\u{212a}ey", &[]), Evaluation::Match);
    let exact = MatchSpec { path: Some("/healthz".into()), ..MatchSpec::default() };
    assert_eq!(evaluate(exact.clone(), "GET", "/healthz?x=1", &[]), Evaluation::Match);
    assert_eq!(evaluate(exact, "GET", "/healthz/x", &[]), Evaluation::NoMatch);
}

#[test]
fn an_ambiguous_path_is_ambiguous_only_when_the_rest_holds() {
    let spec = MatchSpec { path_prefix: Some("/admin".into()), methods: vec!["POST".into()], ..MatchSpec::default() };
    for path in ["/admin%2Fx", "/;/admin", "/admin;x=1", "/a%5Cb", "/a%252Fb"] {
        assert_eq!(evaluate(spec.clone(), "POST", path, &[]), Evaluation::Ambiguous, "{path}");
        assert_eq!(evaluate(spec.clone(), "GET", path, &[]), Evaluation::NoMatch, "{path}");
    }
    let methods_only = MatchSpec { methods: vec!["POST".into()], ..MatchSpec::default() };
    assert_eq!(evaluate(methods_only, "POST", "/a%2Fb", &[]), Evaluation::Match);
}

#[test]
fn a_cors_preflight_needs_origin_and_the_requested_method() {
    let preflight = MatchSpec { cors_preflight: true, ..MatchSpec::default() };
    let both = [("origin", "https://app.example"), ("access-control-request-method", "POST")];
    assert_eq!(evaluate(preflight.clone(), "OPTIONS", "/admin", &both), Evaluation::Match);
    assert_eq!(evaluate(preflight.clone(), "OPTIONS", "/admin", &[]), Evaluation::NoMatch);
    assert_eq!(evaluate(preflight.clone(), "OPTIONS", "/admin", &both[..1]), Evaluation::NoMatch);
    assert_eq!(evaluate(preflight.clone(), "OPTIONS", "/admin", &both[1..]), Evaluation::NoMatch);
    assert_eq!(
        evaluate(preflight.clone(), "OPTIONS", "/", &[("origin", " "), ("access-control-request-method", "GET")]),
        Evaluation::NoMatch
    );
    assert_eq!(evaluate(preflight, "GET", "/admin", &both), Evaluation::NoMatch);
}

#[test]
fn header_tests() {
    let header = |value: Option<&str>, present: Option<bool>| MatchSpec {
        headers: vec![HeaderTestSpec {
            map: MapKind::RequestHeaders,
            name: HeaderName::parse("x-tenant").unwrap(),
            value: value.map(String::from),
            present,
        }],
        ..MatchSpec::default()
    };
    let with = [("x-tenant", "acme")];
    assert_eq!(evaluate(header(None, None), "GET", "/", &with), Evaluation::Match);
    assert_eq!(evaluate(header(None, None), "GET", "/", &[]), Evaluation::NoMatch);
    assert_eq!(evaluate(header(None, Some(false)), "GET", "/", &[]), Evaluation::Match);
    assert_eq!(evaluate(header(Some("acme"), None), "GET", "/", &with), Evaluation::Match);
    assert_eq!(evaluate(header(Some("ACME"), None), "GET", "/", &with), Evaluation::NoMatch);
}

#[test]
fn bad_specs_name_the_field() {
    let error = |spec: MatchSpec| Matcher::compile(spec).unwrap_err();
    assert_eq!(error(prefix("admin", Case::Exact)).field, "path_prefix");
    assert_eq!(error(prefix("/admin?x", Case::Exact)).field, "path_prefix");
    assert_eq!(error(prefix("/a%2Fb", Case::Exact)).field, "path_prefix");
    assert_eq!(error(MatchSpec { path: Some("/;x".into()), ..MatchSpec::default() }).field, "path");
    assert_eq!(
        error(MatchSpec { methods: vec!["GET".into(), "P OST".into()], ..MatchSpec::default() }).field,
        "methods[1]"
    );
    assert_eq!(error(MatchSpec { hosts: vec!["a b".into()], ..MatchSpec::default() }).field, "hosts[0]");
    assert_eq!(error(MatchSpec { status: vec![99], ..MatchSpec::default() }).field, "status[0]");
    let preflight_get = MatchSpec { cors_preflight: true, methods: vec!["GET".into()], ..MatchSpec::default() };
    assert_eq!(error(preflight_get).field, "methods");
    let contradiction = MatchSpec {
        headers: vec![HeaderTestSpec {
            map: MapKind::RequestHeaders,
            name: HeaderName::parse("x").unwrap(),
            value: Some("v".into()),
            present: Some(false),
        }],
        ..MatchSpec::default()
    };
    assert_eq!(error(contradiction).field, "headers[0].present");
}

#[test]
fn configured_paths_are_normalised_like_requests() {
    // A config path written with an escape or a dot segment still names the path it means.
    let spec = |p: &str| MatchSpec { path_prefix: Some(p.into()), ..MatchSpec::default() };
    assert_eq!(evaluate(spec("/%61dmin"), "GET", "/admin/x", &[]), Evaluation::Match);
    assert_eq!(evaluate(spec("/x/../admin"), "GET", "/admin/x", &[]), Evaluation::Match);
    assert_eq!(evaluate(spec("/Admin"), "GET", "/admin/x", &[]), Evaluation::NoMatch);
    assert_eq!(evaluate(prefix("/Admin", Case::Fold), "GET", "/admin/x", &[]), Evaluation::Match);
}
