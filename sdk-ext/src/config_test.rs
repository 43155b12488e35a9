use super::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Inner {
    name: String,
    #[serde(default)]
    count: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Outer {
    #[serde(default)]
    items: Vec<Inner>,
}

#[test]
fn unknown_field_is_named_with_its_path() {
    let err = parse::<Outer>(br#"{"items":[{"name":"a"},{"name":"b","colour":1}]}"#).unwrap_err();
    assert_eq!(err.field, "items[1].colour");
    assert!(err.reason.contains("unknown field `colour`"), "{err}");
}

#[test]
fn wrong_type_is_named_with_its_path() {
    let err = parse::<Outer>(br#"{"items":[{"name":"a","count":"many"}]}"#).unwrap_err();
    assert_eq!(err.field, "items[0].count");
    assert!(err.reason.contains("invalid type"), "{err}");
}

#[test]
fn empty_configuration_is_an_empty_object() {
    let parsed = parse::<Outer>(b"  ").unwrap();
    assert!(parsed.items.is_empty());
}

#[test]
fn non_object_and_broken_json_are_refused() {
    assert!(parse::<Outer>(b"[1]").unwrap_err().reason.contains("must be a JSON object, not an array"));
    assert!(parse::<Outer>(b"{\"items\": [").unwrap_err().reason.contains("not valid JSON"));
    assert!(parse::<Outer>(&[0xff, 0xfe]).unwrap_err().reason.contains("not UTF-8"));
}

#[test]
fn paths_join_like_json_paths() {
    assert_eq!(join_path("routes[0]", "config.items[1]"), "routes[0].config.items[1]");
    assert_eq!(join_path("items", "[1].name"), "items[1].name");
    assert_eq!(join_path("", "x"), "x");
    assert_eq!(join_path("x", ""), "x");
    let err = ConfigError::new("name", "bad").within("routes[2].config");
    assert_eq!(err.to_string(), "routes[2].config.name: bad");
}
