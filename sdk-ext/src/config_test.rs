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

fn environment(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<Vec<u8>> {
    move |name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_bytes().to_vec())
}

#[test]
fn from_env_references_are_replaced_by_the_json_the_variable_holds() {
    let env = environment(&[("ITEMS", r#"[{"name":"a","count":2}]"#), ("NAME", r#""b""#)]);
    let (document, found) =
        parse_with_environment(br#"{"items":{"from_env":"ITEMS"},"more":[{"x":{"from_env":"NAME"}}]}"#, &env).unwrap();
    assert_eq!(document["items"], serde_json::json!([{"name": "a", "count": 2}]));
    assert_eq!(document["more"][0]["x"], serde_json::json!("b"));
    assert_eq!(
        found.0,
        vec![("items".to_string(), "ITEMS".to_string()), ("more[0].x".to_string(), "NAME".to_string())]
    );
}

#[test]
fn a_reference_inside_a_variable_is_not_followed() {
    let env = environment(&[("OUTER", r#"{"from_env":"INNER"}"#), ("INNER", "1")]);
    let (document, _) = parse_with_environment(br#"{"a":{"from_env":"OUTER"}}"#, &env).unwrap();
    assert_eq!(document["a"], serde_json::json!({"from_env": "INNER"}));
}

#[test]
fn a_missing_or_broken_variable_is_named_with_the_field() {
    let env = environment(&[("BROKEN", "c070fc70 not json")]);
    let err = parse_with_environment(br#"{"items":[{"keys":{"from_env":"UNSET"}}]}"#, &env).unwrap_err();
    assert_eq!(err.field, "items[0].keys");
    assert!(err.reason.contains("environment variable UNSET is not set"), "{err}");

    let err = parse_with_environment(br#"{"keys":{"from_env":"BROKEN"}}"#, &env).unwrap_err();
    assert_eq!(err.field, "keys");
    assert!(err.reason.contains("BROKEN does not hold a JSON value"), "{err}");
    assert!(!err.reason.contains("c070"), "the value is not quoted: {err}");

    for bad in [r#"{"keys":{"from_env":"X","other":1}}"#, r#"{"keys":{"from_env":7}}"#] {
        let err = parse_with_environment(bad.as_bytes(), &env).unwrap_err();
        assert_eq!(err.field, "keys", "{bad}");
        assert!(err.reason.contains("no other fields"), "{err}");
    }
}

#[test]
fn errors_inside_a_value_from_the_environment_name_the_variable_and_quote_nothing() {
    let env = environment(&[("ITEMS", r#"[{"name":"s3cret-value","count":"s3cret-count"}]"#)]);
    let (document, found) = parse_with_environment(br#"{"items":{"from_env":"ITEMS"}}"#, &env).unwrap();
    let err = found.explain(from_value::<Outer>(serde_json::Value::Object(document)).unwrap_err());
    assert_eq!(err.field, "items[0].count");
    assert!(err.reason.ends_with("(in environment variable ITEMS)"), "{err}");
    assert!(!err.to_string().contains("s3cret"), "{err}");

    // An error elsewhere is left as it is.
    let other = found.explain(ConfigError::new("itemsx", "bad \"thing\""));
    assert_eq!(other.reason, "bad \"thing\"");
}

#[test]
fn a_variable_is_found_by_its_whole_name() {
    let entries = b"SIEVE_KEYS_OLD=1\0SIEVE_KEYS=[2]\0SIEVE_KEYS=3\0EMPTY=\0";
    assert_eq!(crate::host::environment_value(entries, "SIEVE_KEYS").as_deref(), Some(&b"[2]"[..]));
    assert_eq!(crate::host::environment_value(entries, "EMPTY").as_deref(), Some(&b""[..]));
    assert_eq!(crate::host::environment_value(entries, "SIEVE"), None);
    assert_eq!(crate::host::environment_value(b"", "SIEVE"), None);
}

#[test]
fn a_reference_spelt_with_escapes_is_still_a_reference() {
    let env = environment(&[("ITEMS", "[]")]);
    let (document, _) = parse_with_environment(br#"{"items":{"from\u005fenv":"ITEMS"}}"#, &env).unwrap();
    assert_eq!(document["items"], serde_json::json!([]));
}
