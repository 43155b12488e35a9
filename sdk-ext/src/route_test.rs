use super::*;
use crate::http::StreamCore;
use crate::testing::FakeHost;

fn spec(json: &str) -> RouteMatchSpec {
    serde_json::from_str(json).unwrap()
}

fn matches(spec_json: &str, host: &mut FakeHost) -> bool {
    let matcher = RouteMatch::compile(&spec(spec_json)).unwrap();
    let mut core = StreamCore::default();
    matcher.matches(&mut Http::new(host, &mut core))
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
fn every_given_field_must_match() {
    let mut host = FakeHost::request("POST", "/admin/users?x=1", &[(":authority", "API.example.com:8443")]);
    host.set_property(&["route_name"], "admin");
    assert!(matches(r#"{"path_prefix": "/admin"}"#, &mut host));
    assert!(matches(r#"{"hosts": ["*.example.com"], "methods": ["post"], "route": "admin"}"#, &mut host));
    assert!(!matches(r#"{"hosts": ["*.example.com"], "methods": ["GET"]}"#, &mut host));
    assert!(!matches(r#"{"route": "public"}"#, &mut host));
    assert!(!matches(r#"{"path_prefix": "/admin/users?x"}"#, &mut host), "the query string is not part of the path");
}

#[test]
fn bad_matches_are_refused_with_the_field() {
    let err = RouteMatch::compile(&spec(r#"{}"#)).unwrap_err();
    assert!(err.reason.contains("empty match"));
    let err = RouteMatch::compile(&spec(r#"{"hosts": ["ok.com", "bad host"]}"#)).unwrap_err();
    assert_eq!(err.field, "hosts[1]");
    let err = RouteMatch::compile(&spec(r#"{"path_prefix": "admin"}"#)).unwrap_err();
    assert_eq!(err.field, "path_prefix");
    let err = RouteMatch::compile(&spec(r#"{"methods": ["GET", "P OST"]}"#)).unwrap_err();
    assert_eq!(err.field, "methods[1]");
}
