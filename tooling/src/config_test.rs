use super::*;
use serde_json::json;

/// One listener with two Wasm filters, `sieve.first` and `sieve.second`.
const TWO_FILTERS: &str = r#"
static_resources:
  listeners:
  - name: ingress
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          http_filters:
          - name: sieve.first
            typed_config: { config: { configuration: { value: '{"n": 1}' } } }
          - name: sieve.second
            typed_config: { config: { configuration: { value: '{"n": 2}' } } }
"#;

fn plugin_json(config: &mut EnvoyConfig, filter_name: &str) -> serde_json::Value {
    serde_json::from_str(&config.plugin_config(filter_name).unwrap()).unwrap()
}

#[test]
fn a_plugin_config_is_edited_by_filter_name() {
    let mut config = EnvoyConfig::from_yaml(TWO_FILTERS).unwrap();
    config
        .edit_plugin_config("sieve.second", |json| {
            json["n"] = json!(20);
            Ok(())
        })
        .unwrap();
    assert_eq!(plugin_json(&mut config, "sieve.second"), json!({"n": 20}));
    assert_eq!(plugin_json(&mut config, "sieve.first"), json!({"n": 1}), "the other filter is untouched");
}

#[test]
fn editing_a_missing_filter_or_failing_an_edit_names_the_filter() {
    let mut config = EnvoyConfig::from_yaml(TWO_FILTERS).unwrap();
    let missing = config.edit_plugin_config("sieve.third", |_| Ok(())).unwrap_err();
    assert!(missing.contains("sieve.third"), "{missing}");
    let failed = config.edit_plugin_config("sieve.first", |_| Err("no such stage".into())).unwrap_err();
    assert_eq!(failed, "sieve.first: no such stage");
    assert_eq!(plugin_json(&mut config, "sieve.first"), json!({"n": 1}), "a failed edit writes nothing");
}

#[test]
fn chain_stages_and_auth_providers_are_found_by_name_wherever_they_stand() {
    let mut chain = json!({"stages": [
        {"screen": {"mode": "deny"}},
        {"auth": {"providers": [{"api_key": {"name": "keys"}}, {"jwt": {"name": "tokens", "issuer": "i"}}]}},
    ]});
    assert_eq!(chain_stage_mut(&mut chain, "screen").unwrap(), &json!({"mode": "deny"}));
    let auth = chain_stage_mut(&mut chain, "auth").unwrap();
    assert_eq!(auth_provider_mut(auth, "tokens").unwrap(), &json!({"name": "tokens", "issuer": "i"}));
    assert_eq!(auth_provider_mut(auth, "users").unwrap_err(), "no auth provider named users");
    assert_eq!(chain_stage_mut(&mut chain, "headers").unwrap_err(), "the chain has no headers stage");
    assert!(chain_stage_mut(&mut json!({}), "auth").is_err(), "no stages at all");
}
