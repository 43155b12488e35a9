use super::*;
use crate::http::StreamCore;
use crate::testing::FakeHost;

fn evaluate(spec: MatchSpec, method: &str, path: &str, headers: &[(&str, &str)]) -> Evaluation {
    let matcher = Matcher::compile(spec).unwrap();
    let mut host = FakeHost::request(method, path, headers);
    let mut core = StreamCore::default();
    matcher.evaluate(&mut Http::new(&mut host, &mut core))
}

fn path(text: &str) -> PathSpec {
    PathSpec::parse(text).unwrap()
}

fn method(text: &str) -> Method {
    Method::parse(text).unwrap()
}

fn prefix(prefix: &str, case: Case) -> MatchSpec {
    MatchSpec { path_prefix: Some(path(prefix)), case, ..MatchSpec::default() }
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
    let exact = MatchSpec { path: Some(path("/healthz")), ..MatchSpec::default() };
    assert_eq!(evaluate(exact.clone(), "GET", "/healthz?x=1", &[]), Evaluation::Match);
    assert_eq!(evaluate(exact, "GET", "/healthz/x", &[]), Evaluation::NoMatch);
}

#[test]
fn an_ambiguous_path_is_ambiguous_only_when_the_rest_holds() {
    let spec = MatchSpec { path_prefix: Some(path("/admin")), methods: vec![method("POST")], ..MatchSpec::default() };
    for path in ["/admin%2Fx", "/;/admin", "/admin;x=1", "/a%5Cb", "/a%252Fb"] {
        assert_eq!(evaluate(spec.clone(), "POST", path, &[]), Evaluation::Ambiguous, "{path}");
        assert_eq!(evaluate(spec.clone(), "GET", path, &[]), Evaluation::NoMatch, "{path}");
    }
    let methods_only = MatchSpec { methods: vec![method("POST")], ..MatchSpec::default() };
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
            test: HeaderTestConfig {
                name: HeaderName::parse("x-tenant").unwrap(),
                value: value.map(|v| HeaderValueSpec::parse(v).unwrap()),
                present,
            },
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
fn bad_values_are_refused_where_they_are_read_naming_the_field() {
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Spec {
        #[serde(default)]
        hosts: Vec<HostPattern>,
        #[serde(default)]
        path: Option<PathSpec>,
        #[serde(default)]
        path_prefix: Option<PathSpec>,
        #[serde(default)]
        methods: Vec<Method>,
        #[serde(default)]
        status: Vec<Status>,
        #[serde(default)]
        headers: Vec<HeaderTestConfig>,
    }
    let error = |json: serde_json::Value| crate::config::from_value::<Spec>(json).unwrap_err();
    for (json, field) in [
        (serde_json::json!({"path_prefix": "admin"}), "path_prefix"),
        (serde_json::json!({"path_prefix": "/admin?x"}), "path_prefix"),
        (serde_json::json!({"path_prefix": "/a%2Fb"}), "path_prefix"),
        (serde_json::json!({"path": "/;x"}), "path"),
        (serde_json::json!({"methods": ["GET", "P OST"]}), "methods[1]"),
        (serde_json::json!({"hosts": ["a b"]}), "hosts[0]"),
        (serde_json::json!({"status": [99]}), "status[0]"),
        (serde_json::json!({"headers": [{"name": "x", "value": "a\nb"}]}), "headers[0].value"),
    ] {
        assert_eq!(error(json.clone()).field, field, "{json}");
    }
    // What is left for compile: how fields go together.
    let preflight_get = MatchSpec { cors_preflight: true, methods: vec![method("GET")], ..MatchSpec::default() };
    assert_eq!(Matcher::compile(preflight_get).unwrap_err().field, "methods");
    let contradiction = MatchSpec {
        headers: vec![HeaderTestSpec {
            map: MapKind::RequestHeaders,
            test: HeaderTestConfig {
                name: HeaderName::parse("x").unwrap(),
                value: Some(HeaderValueSpec::parse("v").unwrap()),
                present: Some(false),
            },
        }],
        ..MatchSpec::default()
    };
    assert_eq!(Matcher::compile(contradiction).unwrap_err().field, "headers[0].present");
}

#[test]
fn configured_paths_are_normalised_like_requests() {
    // A config path written with an escape or a dot segment still names the path it means.
    let spec = |p: &str| MatchSpec { path_prefix: Some(path(p)), ..MatchSpec::default() };
    assert_eq!(evaluate(spec("/%61dmin"), "GET", "/admin/x", &[]), Evaluation::Match);
    assert_eq!(evaluate(spec("/x/../admin"), "GET", "/admin/x", &[]), Evaluation::Match);
    assert_eq!(evaluate(spec("/Admin"), "GET", "/admin/x", &[]), Evaluation::NoMatch);
    assert_eq!(evaluate(prefix("/Admin", Case::Fold), "GET", "/admin/x", &[]), Evaluation::Match);
}
