use super::*;
use crate::http::StreamCore;
use crate::testing::FakeHost;

fn spec(json: &str) -> RouteMatchSpec {
    serde_json::from_str(json).unwrap()
}

fn matches(spec_json: &str, host: &mut FakeHost) -> bool {
    let matcher = RouteMatch::compile(&spec(spec_json), false).unwrap();
    let mut core = StreamCore::default();
    matcher.matches(&mut Http::new(host, &mut core))
}

#[test]
fn every_given_field_must_match() {
    let mut host = FakeHost::request("POST", "/admin/users?x=1", &[(":authority", "API.example.com:8443")]);
    host.set_property(&["route_name"], "admin");
    assert!(matches(r#"{"path_prefix": "/admin"}"#, &mut host));
    assert!(matches(r#"{"hosts": ["*.example.com"], "methods": ["post"], "route": "admin"}"#, &mut host));
    assert!(!matches(r#"{"hosts": ["*.example.com"], "methods": ["GET"]}"#, &mut host));
    assert!(!matches(r#"{"route": "public"}"#, &mut host));
    let err = refused(r#"{"path_prefix": "/admin/users?x"}"#);
    assert!(err.reason.contains("without the query string"), "{err}");
}

/// A `match` refused while it is read (serde names the field) or compiled.
fn refused(json: &str) -> ConfigError {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    match crate::config::from_value::<RouteMatchSpec>(value) {
        Err(e) => e,
        Ok(spec) => RouteMatch::compile(&spec, false).unwrap_err(),
    }
}

#[test]
fn bad_matches_are_refused_with_the_field() {
    assert!(refused(r#"{}"#).reason.contains("empty match"));
    assert_eq!(refused(r#"{"hosts": ["ok.com", "bad host"]}"#).field, "hosts[1]");
    assert_eq!(refused(r#"{"path_prefix": "admin"}"#).field, "path_prefix");
    assert_eq!(refused(r#"{"methods": ["GET", "P OST"]}"#).field, "methods[1]");
}

fn select(routes: &[(&str, bool)], method: &str, path: &str) -> &'static str {
    let table = RouteTable {
        default: std::rc::Rc::new("default"),
        routes: routes
            .iter()
            .map(|(json, disabled)| {
                let matcher = RouteMatch::compile(&spec(json), *disabled).unwrap();
                (matcher, (!*disabled).then(|| std::rc::Rc::new("entry")))
            })
            .collect(),
    };
    let mut host = FakeHost::request(method, path, &[]);
    let mut core = StreamCore::default();
    match table.select(&mut Http::new(&mut host, &mut core)) {
        Selection::Config(config) => **config,
        Selection::Disabled => "disabled",
        Selection::Ambiguous => "ambiguous",
    }
}

#[test]
fn an_entry_with_a_config_folds_case_a_disabled_entry_does_not() {
    let partners = [(r#"{"path_prefix": "/partners"}"#, false)];
    assert_eq!(select(&partners, "GET", "/partners/data"), "entry");
    assert_eq!(select(&partners, "GET", "/PARTNERS/data"), "entry", "case must not dodge a restricting entry");
    assert_eq!(select(&partners, "GET", "/Partners%2fdata"), "ambiguous");
    assert_eq!(select(&partners, "GET", "/partners%2Fdata"), "ambiguous", "refused, not handed to the default");
    assert_eq!(select(&partners, "GET", "/;/partners/data"), "ambiguous");
    assert_eq!(select(&partners, "GET", "/other"), "default");
    let raw = [(r#"{"path_prefix": "/raw"}"#, true)];
    assert_eq!(select(&raw, "GET", "/raw/x"), "disabled");
    assert_eq!(select(&raw, "GET", "/RAW/x"), "default", "a relaxing entry opens only what it names");
    let chosen = [(r#"{"path_prefix": "/raw", "ignore_case": true}"#, true)];
    assert_eq!(select(&chosen, "GET", "/RAW/x"), "disabled");
}

#[test]
fn an_ambiguous_path_is_refused_only_where_an_entry_would_otherwise_match() {
    let by_method = [(r#"{"path_prefix": "/partners", "methods": ["POST"]}"#, false)];
    assert_eq!(select(&by_method, "GET", "/partners%2Fdata"), "default", "the entry cannot match a GET anyway");
    assert_eq!(select(&by_method, "POST", "/partners%2Fdata"), "ambiguous");
    let no_path = [(r#"{"methods": ["POST"]}"#, false)];
    assert_eq!(select(&no_path, "POST", "/a%2Fb"), "entry", "an entry without a path condition is not ambiguous");
}
