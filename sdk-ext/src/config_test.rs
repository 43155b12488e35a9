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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[allow(dead_code)]
enum Provider {
    Keys { keys: Vec<Inner> },
    Open,
    Named(Percent),
}

#[derive(Debug, Deserialize)]
#[serde(try_from = "u32")]
#[allow(dead_code)]
struct Percent(u32);

impl TryFrom<u32> for Percent {
    type Error = String;
    fn try_from(value: u32) -> Result<Self, String> {
        if value <= 100 {
            Ok(Percent(value))
        } else {
            Err(format!("{value} is over 100"))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Providers {
    providers: Vec<Provider>,
    #[serde(default)]
    fallback: Option<Provider>,
    #[serde(default)]
    mode: Option<Mode>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    Allow,
    Deny,
}

/// The paths an error names, as a user reads them in Envoy's log: keys, list positions, the
/// variant an object names, and where a value's own check (`try_from`) fails.
#[test]
fn errors_name_keys_positions_and_variants() {
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"providers": [{"open": null}, {"keys": {"keys": [{"name": 1}]}}]}"#,
            "providers[1].keys.keys[0].name",
            "invalid type: integer `1`, expected a string",
        ),
        (r#"{"providers": [{"magic": {}}]}"#, "providers[0]", "unknown variant `magic`"),
        (r#"{"providers": [{"keys": {"keys": [], "extra": 1}}]}"#, "providers[0].keys.extra", "unknown field `extra`"),
        (r#"{"providers": [{"named": 101}]}"#, "providers[0].named", "101 is over 100"),
        (r#"{"providers": [{"named": -1}]}"#, "providers[0].named", "invalid value: integer `-1`, expected u32"),
        (r#"{"providers": [], "fallback": {"keys": {}}}"#, "fallback.keys", "missing field `keys`"),
        (r#"{"providers": [], "mode": "maybe"}"#, "mode", "unknown variant `maybe`, expected `allow` or `deny`"),
        (r#"{"providers": [], "mode": 3}"#, "mode", "invalid type"),
        (r#"{"providers": {}}"#, "providers", "invalid type: map, expected a sequence"),
        (r#"{}"#, "", "missing field `providers`"),
    ];
    for (json, field, reason) in cases {
        let err = parse::<Providers>(json.as_bytes()).unwrap_err();
        assert_eq!(err.field, *field, "{json}: {err}");
        assert!(err.reason.contains(reason), "{json}: {err}");
    }
    let fine = parse::<Providers>(br#"{"providers": [{"open": null}, {"named": 7}], "mode": "deny"}"#).unwrap();
    assert!(matches!(fine.mode, Some(Mode::Deny)) && fine.providers.len() == 2 && fine.fallback.is_none());
    // An error leaves nothing behind for the next document.
    assert_eq!(parse::<Outer>(br#"{"items": [{"name": 2}]}"#).unwrap_err().field, "items[0].name");
}

#[test]
fn decimal_prints_config_numbers_as_rust_does() {
    for value in [0.01, 0.001, 0.5, 0.03125, 1.0, 1000.0, 12.75, 0.0, 1e-9, 123456.000001, -0.25] {
        assert_eq!(decimal(value), format!("{value}"), "{value}");
    }
    assert_eq!(decimal(0.1 + 0.2), "0.3");
    assert_eq!(decimal(f64::NAN), "NaN");
    assert_eq!(decimal(f64::INFINITY), "a number out of range");
    assert_eq!(decimal(-1e-12), "0");
}
