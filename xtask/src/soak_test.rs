use super::*;

#[test]
fn the_chain_config_is_edited_by_name() {
    let mut config = EnvoyConfig::load(CONFIG_FILE).unwrap();
    assert_eq!(config.listener_names(), [LISTENER]);
    let before: Value = serde_json::from_str(&config.plugin_config(CHAIN_FILTER).unwrap()).unwrap();
    config.edit_plugin_config(CHAIN_FILTER, refresh_often).unwrap();
    let mut after: Value = serde_json::from_str(&config.plugin_config(CHAIN_FILTER).unwrap()).unwrap();

    let jwt = auth_provider_mut(chain_stage_mut(&mut after, "auth").unwrap(), JWT_PROVIDER).unwrap();
    assert_eq!(jwt["remote_jwks"]["refresh_seconds"], serde_json::json!(REFRESH_SECONDS));
    let screen = chain_stage_mut(&mut after, "screen").unwrap();
    assert_eq!(screen["list"]["feed"]["refresh_seconds"], serde_json::json!(REFRESH_SECONDS));

    // Nothing else moved: putting the shipped values back gives the shipped config.
    let mut restored = after.clone();
    let jwt = auth_provider_mut(chain_stage_mut(&mut restored, "auth").unwrap(), JWT_PROVIDER).unwrap();
    jwt["remote_jwks"]["refresh_seconds"] = serde_json::json!(300);
    chain_stage_mut(&mut restored, "screen").unwrap()["list"]["feed"]["refresh_seconds"] = serde_json::json!(5);
    assert_eq!(restored, before);
}

#[test]
fn an_edit_that_finds_nothing_says_what_is_missing() {
    let mut no_jwt = serde_json::json!({"stages": [{"auth": {"providers": [{"api_key": {"name": "keys"}}]}}]});
    assert_eq!(refresh_often(&mut no_jwt).unwrap_err(), "no auth provider named tokens");
    let mut no_screen = serde_json::json!({"stages": [
        {"auth": {"providers": [{"jwt": {"name": "tokens", "remote_jwks": {}}}]}}
    ]});
    assert_eq!(refresh_often(&mut no_screen).unwrap_err(), "the chain has no screen stage");
}

#[test]
fn memory_after_the_warm_up_is_judged_on_its_slope_and_growth() {
    let sample = |requests: u64, mb: u64| Sample { requests, rss: mb * 1_000_000 };
    // The first fifth is warm-up: its growth does not count.
    let steady =
        [sample(0, 50), sample(100_000, 100), sample(200_000, 100), sample(300_000, 100), sample(500_000, 100)];
    let memory = Memory::measure(&steady, 500_000, Some(1_000_000), Some(1_000_000));
    assert_eq!((memory.first, memory.last, memory.peak), (100_000_000, 100_000_000, 100_000_000));
    assert!(memory.flat(), "slope {}", memory.mb_per_100k);

    let leaking = [sample(100_000, 100), sample(200_000, 101), sample(300_000, 102), sample(500_000, 104)];
    let memory = Memory::measure(&leaking, 500_000, Some(1_000_000), Some(1_000_000));
    assert!((memory.mb_per_100k - 1.0).abs() < 1e-9, "{}", memory.mb_per_100k);
    assert!(!memory.flat());

    let vm_grew = Memory::measure(&steady, 500_000, Some(1_000_000), Some(4_000_000));
    assert!(!vm_grew.flat(), "a VM that gained 3 MB after the warm-up");
}
