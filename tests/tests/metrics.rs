//! Sieve's counters as Prometheus reads them: `/stats/prometheus` of a real Envoy under the shipped
//! configs shows two labelled families (`sieve_events_total{filter,outcome}` and
//! `sieve_provider_events_total{filter,provider,outcome,reason}`) instead of a name per dimension.
//! `tests/tests/istio.rs` checks the same under the stats config istio-agent writes for a sidecar.

use sieve_e2e::prometheus::{self, Sample};
use sieve_e2e::{generate, EnvoyConfig, Stack};
use sieve_services::{authz, jwks};

const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";

/// The labelled families and their samples; fails on any Sieve counter outside them.
pub fn sieve_counters(text: &str) -> Vec<Sample> {
    let families: Vec<(String, String)> =
        prometheus::families(text).into_iter().filter(|(name, _)| name.starts_with("sieve")).collect();
    let counters: Vec<&str> =
        families.iter().filter(|(_, kind)| kind == "counter").map(|(name, _)| name.as_str()).collect();
    assert_eq!(counters, ["sieve_events_total", "sieve_provider_events_total"], "Sieve's counter families:\n{text}");
    // No name carries a dimension: neither the tag convention's text nor a per-outcome name.
    for (name, _) in &families {
        assert!(!name.contains("filter") && !name.contains("outcome") && !name.contains("denied"), "{name}");
    }
    prometheus::samples(text)
        .into_iter()
        .filter(|s| s.name.starts_with("sieve_") && s.name.ends_with("_total"))
        .collect()
}

/// A shipped config in front of the echo, with the demo JWKS and authorization services.
fn demo_stack(config: &str) -> Stack {
    Stack::builder(config)
        .service("jwks", jwks::handler(jwks::Document::new(jwks::DEMO_JWKS)))
        .service("authz", authz::handler(authz::demo_tokens()))
        .start()
}

#[test]
fn the_shipped_configs_show_labelled_families_on_stats_prometheus() {
    let stack = demo_stack("envoy/auth.yaml");
    let envoy = &stack.envoy;
    envoy.get("/things").send().assert_local_reply(401, "unauthorized");
    envoy.get("/things").header("x-api-key", "not-a-key").send().assert_local_reply(401, "unauthorized");
    for _ in 0..3 {
        assert_eq!(envoy.get("/things").header("x-api-key", DEMO_KEY).send().status, 200);
    }

    let text = envoy.prometheus();
    let samples = sieve_counters(&text);
    let value = |family: &str, labels: &[(&str, &str)]| {
        prometheus::value(&samples, family, labels).unwrap_or_else(|| panic!("no {family}{labels:?} in:\n{text}"))
    };
    let provider = |outcome: &str, reason: &str| {
        let labels = [("filter", "auth"), ("provider", "keys"), ("outcome", outcome), ("reason", reason)];
        value("sieve_provider_events_total", &labels)
    };
    assert_eq!(provider("allowed", ""), 3.0);
    assert_eq!(provider("denied", "invalid"), 1.0);
    assert_eq!(value("sieve_events_total", &[("filter", "auth"), ("outcome", "allowed")]), 3.0);
    assert_eq!(value("sieve_events_total", &[("filter", "auth"), ("outcome", "denied")]), 2.0);
    // Every provider of the config has its series, labelled by its name (keys, users, tokens, authz).
    let providers: std::collections::BTreeSet<&str> = samples
        .iter()
        .filter(|s| s.name == "sieve_provider_events_total")
        .filter_map(|s| s.labels.get("provider").map(String::as_str))
        .collect();
    assert!(["keys", "users", "tokens", "authz"].iter().all(|p| providers.contains(p)), "{providers:?}");
    // The harness still finds each counter by its dotted name.
    assert_eq!(envoy.counter("sieve.auth.keys.denied.invalid"), 1);
    for line in text.lines().filter(|line| line.starts_with("sieve_events_total") || line.contains("provider=\"keys\""))
    {
        println!("{line}");
    }
}

/// The metric names and `by (...)` labels a PromQL expression uses (enough for the dashboard's).
fn promql_names(expr: &str) -> (Vec<String>, Vec<String>) {
    let words: Vec<&str> =
        expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let metrics = words.iter().filter(|w| w.starts_with("sieve_")).map(|w| w.to_string()).collect();
    let grouped = expr
        .split("by (")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .flat_map(|(labels, _)| labels.split(',').map(|l| l.trim().to_string()).collect::<Vec<_>>())
        .collect();
    (metrics, grouped)
}

#[test]
fn the_grafana_dashboard_queries_what_envoy_exports() {
    let stack = demo_stack("envoy/chain.yaml");
    stack.envoy.get("/").header("x-api-key", DEMO_KEY).send();
    let text = stack.envoy.prometheus();
    let exported: std::collections::BTreeSet<String> =
        prometheus::families(&text).into_iter().map(|(name, _)| name).collect();
    let dashboard: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sieve_e2e::workspace_root().join("dashboards/sieve.json")).unwrap())
            .unwrap();
    let panels = dashboard["panels"].as_array().unwrap();
    assert!(panels.len() >= 5);
    for panel in panels {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let (metrics, grouped) = promql_names(expr);
            assert!(!metrics.is_empty(), "{expr}");
            for metric in metrics {
                assert!(exported.contains(&metric), "{}: {metric} is not exported by Envoy:\n{text}", panel["title"]);
            }
            for label in grouped {
                assert!(
                    ["filter", "provider", "outcome", "reason", "pod", "namespace"].contains(&label.as_str()),
                    "{expr}"
                );
            }
        }
    }
}

#[test]
fn every_shipped_config_carries_the_tag_rules() {
    for source in generate::sources().unwrap().iter().map(|s| s.file.clone()).chain(["envoy/all.yaml".to_string()]) {
        let config = EnvoyConfig::load(&source).unwrap();
        let tags: Vec<&str> = config.doc()["stats_config"]["stats_tags"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{source}: no stats_config.stats_tags"))
            .iter()
            .filter_map(|tag| tag["tag_name"].as_str())
            .collect();
        assert_eq!(tags, ["filter", "provider", "outcome", "reason"], "{source}");
    }
}
