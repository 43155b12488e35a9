//! What the benchmark runs: its options, the configurations under test, and the Envoy bootstrap
//! and filter configs each configuration gets.

use base64::Engine;
use sieve_e2e::tokens::{claims, sign_hmac, sign_with, DemoKey};
use sieve_e2e::{modules, workspace_root, EnvoyConfig};
use sieve_screen_set::{Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const HMAC_SECRET: &[u8] = b"sieve-bench-hmac-secret-of-64-bytes-0123456789abcdef0123456789ab";
const API_KEY: &str = "sieve-demo-key-0123456789abcdef";
const PROBE: &str = "sieve-bench-probe-value";
pub(super) const LIST_KEYS: u64 = 1_000_000;
/// Distinct tokens cycled through for the cold JWT runs: more than any token cache holds.
const COLD_TOKENS: usize = 3000;

pub(super) const USAGE: &str = "bench [--runs N] [--rounds N] [--seconds S] [--only a,b] [--quick] [--out DIR]";

#[derive(Debug)]
pub(super) struct Options {
    /// Whole measurements (every round of every configuration) in one invocation: the report
    /// says whether they agree, which one run's medians cannot.
    pub runs: usize,
    /// Interleaved rounds per run.
    pub rounds: usize,
    pub seconds: u64,
    pub warmup: u64,
    pub connections: u32,
    pub only: Option<Vec<String>>,
    pub out: PathBuf,
    /// The command as typed, for the report's first line.
    pub invocation: String,
}

pub(super) fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        runs: 2,
        rounds: 6,
        seconds: 2,
        warmup: 1,
        connections: 16,
        only: None,
        out: workspace_root().join("bench"),
        invocation: std::iter::once("cargo xtask bench")
            .chain(args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" "),
    };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--runs" => options.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--rounds" => options.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--seconds" => options.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--only" => options.only = Some(value()?.split(',').map(String::from).collect()),
            "--out" => options.out = PathBuf::from(value()?),
            "--quick" => {
                options.runs = 1;
                options.rounds = 1;
                options.seconds = 1;
                options.warmup = 0;
            }
            other => return Err(format!("unknown option {other}; {USAGE}")),
        }
    }
    if options.runs == 0 || options.rounds == 0 || options.seconds == 0 {
        return Err("--runs, --rounds and --seconds must be at least 1".into());
    }
    Ok(options)
}

/// One configuration under test.
pub(crate) struct Setup {
    pub id: &'static str,
    pub label: &'static str,
    /// HTTP filters before the router, as YAML list items.
    pub filters: Vec<String>,
    /// Request headers every request carries (the same two for every configuration, plus a
    /// credential where one is checked).
    pub headers: Vec<(String, String)>,
    /// A wrk script that cycles through distinct tokens (cold JWT runs).
    pub script: Option<PathBuf>,
}

fn wasm_filter(name: &str, module: &str, config: &serde_json::Value) -> String {
    wasm_filter_at(name, &modules::release_dir().join(format!("{module}.wasm")), config)
}

/// A Wasm HTTP filter running the module at `path` with `config`, as a YAML list item.
pub(crate) fn wasm_filter_at(name: &str, path: &Path, config: &serde_json::Value) -> String {
    let config = serde_json::to_string(&config.to_string()).unwrap_or_default();
    format!(
        r#"- name: {name}
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
    config:
      name: {name}
      root_id: {name}
      vm_config:
        vm_id: {name}
        runtime: envoy.wasm.runtime.v8
        code: {{ local: {{ filename: {path} }} }}
      failure_policy: FAIL_RELOAD
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: {config}
"#,
        path = path.display()
    )
}

fn lua_headers_job() -> String {
    r#"- name: envoy.filters.http.lua
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
    default_source_code:
      inline_string: |
        function envoy_on_request(handle)
          local probe = handle:headers():get("x-probe")
          if probe then
            handle:streamInfo():dynamicMetadata():set("bench", "probe", probe)
          end
        end
        function envoy_on_response(handle)
          local meta = handle:streamInfo():dynamicMetadata():get("bench")
          if meta and meta["probe"] then
            handle:headers():replace("x-probe-copy", meta["probe"])
          end
        end
"#
    .into()
}

fn native_headers_job() -> String {
    r#"- name: envoy.filters.http.header_mutation
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation
    mutations:
      response_mutations:
      - append:
          header: { key: x-probe-copy, value: "%REQ(x-probe)%" }
          append_action: OVERWRITE_IF_EXISTS_OR_ADD
"#
    .into()
}

fn native_jwt(jwks: &serde_json::Value) -> String {
    let jwks = serde_json::to_string(&jwks.to_string()).unwrap_or_default();
    format!(
        r#"- name: envoy.filters.http.jwt_authn
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication
    providers:
      bench:
        issuer: https://sieve.demo
        audiences: [sieve-demo]
        forward: true
        local_jwks: {{ inline_string: {jwks} }}
    rules:
    - match: {{ prefix: / }}
      requires: {{ provider_name: bench }}
"#
    )
}

/// The headers job of the measurements: copy one request header into a response header.
fn sieve_headers_config() -> serde_json::Value {
    serde_json::json!({"response": [{"op": "set", "name": "x-probe-copy", "value": "%REQ(x-probe)%"}]})
}

fn api_key_config() -> serde_json::Value {
    let mut keys: Vec<serde_json::Value> = (0..999)
        .map(|i| {
            let key = format!("bench-consumer-key-{i:04}-0123456789abcdef");
            serde_json::json!({"consumer": format!("consumer-{i}"), "sha256": sieve_auth::apikey::digest_hex(&key)})
        })
        .collect();
    keys.push(serde_json::json!({"consumer": "bench-app", "sha256": sieve_auth::apikey::digest_hex(API_KEY)}));
    serde_json::json!({"providers": [{"api_key": {"keys": keys}}]})
}

fn jwt_config(jwks: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({"providers": [{"jwt": {"issuer": "https://sieve.demo", "audiences": ["sieve-demo"], "jwks": jwks}}]})
}

/// The cold runs measure what a verification costs, so the verification budget (which turns what
/// is over it into 503s) is off: `max_verifications_per_second: 0`.
fn cold_jwt_config(jwks: &serde_json::Value) -> serde_json::Value {
    let mut config = jwt_config(jwks);
    config["providers"][0]["jwt"]["max_verifications_per_second"] = serde_json::json!(0);
    config
}

fn screen_config(blob: &[u8]) -> serde_json::Value {
    serde_json::json!({"key": {"header": {"name": "x-probe"}}, "mode": "deny",
        "list": {"blob": base64::engine::general_purpose::STANDARD.encode(blob)}})
}

fn small_chain_config() -> serde_json::Value {
    let screen = serde_json::json!({"key": {"header": {"name": "x-probe"}}, "mode": "deny",
        "list": {"keys": ["blocked-probe-1", "blocked-probe-2"]}});
    serde_json::json!({"stages": [{"headers": sieve_headers_config()}, {"auth": api_key_config()}, {"screen": screen}]})
}

/// A 1,000,000-key list (none of them the probe value).
pub(super) fn list_blob(backend: Backend) -> Result<Vec<u8>, String> {
    let fp = if backend == Backend::Cuckoo { CUCKOO_FP_RATE } else { 0.001 };
    let mut set = ScreenSet::new(backend, LIST_KEYS, fp, Normalize::default(), [7; 32]).map_err(|e| e.to_string())?;
    for i in 0..LIST_KEYS {
        set.insert(&format!("listed-key-{i}")).map_err(|e| e.to_string())?;
    }
    set.to_blob().map_err(|e| e.to_string())
}

fn rsa_jwks() -> serde_json::Value {
    let jwks: serde_json::Value = serde_json::from_str(sieve_services::jwks::DEMO_JWKS).unwrap_or_default();
    let keys: Vec<serde_json::Value> =
        jwks["keys"].as_array().into_iter().flatten().filter(|k| k["kid"] == DemoKey::Rsa1.kid()).cloned().collect();
    serde_json::json!({ "keys": keys })
}

/// A wrk script sending `tokens` in turn (one distinct token per request).
fn cold_script(dir: &Path, name: &str, tokens: &[String]) -> Result<PathBuf, String> {
    let mut lua = String::from("local tokens = {\n");
    for token in tokens {
        let _ = writeln!(lua, "  \"{token}\",");
    }
    lua.push_str(&format!(
        "}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(nil, nil, {{[\"x-probe\"] = \"{PROBE}\", [\"x-api-key\"] = \"{API_KEY}\", [\"authorization\"] = \"Bearer \" .. tokens[(i % #tokens) + 1]}})\nend\n"
    ));
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(&path, lua).map_err(|e| e.to_string())?;
    Ok(path)
}

pub(super) fn setups(work: &Path, blobs: &BTreeMap<&'static str, Vec<u8>>) -> Result<Vec<Setup>, String> {
    let hs_jwks = sieve_e2e::tokens::hmac_jwks("hmac-1", HMAC_SECRET);
    let rs_jwks = rsa_jwks();
    let hs_token = sign_hmac("HS256", HMAC_SECRET, Some("hmac-1"), &claims("bench", serde_json::json!({})));
    let rs_token = sign_with("RS256", DemoKey::Rsa1, &claims("bench", serde_json::json!({})));
    eprintln!("minting {COLD_TOKENS} distinct RS256 and PS256 tokens for the cold runs...");
    let mint = |alg: &str| -> Vec<String> {
        (0..COLD_TOKENS)
            .map(|i| {
                sign_with(
                    alg,
                    DemoKey::Rsa1,
                    &claims(&format!("user-{i}"), serde_json::json!({"jti": format!("token-{i}")})),
                )
            })
            .collect()
    };
    let cold = mint("RS256");
    let cold_ps = mint("PS256");
    let cold_ps_script = cold_script(work, "cold-ps256", &cold_ps)?;
    let cold_script = cold_script(work, "cold-rs256", &cold)?;
    let headers = |token: &str| {
        vec![
            ("x-probe".to_string(), PROBE.to_string()),
            ("x-api-key".to_string(), API_KEY.to_string()),
            ("authorization".to_string(), format!("Bearer {token}")),
        ]
    };
    let bloom = blobs.get("bloom").cloned().unwrap_or_default();
    let cuckoo = blobs.get("cuckoo").cloned().unwrap_or_default();
    let empty = wasm_filter("bench.empty", "sieve_bench_empty", &serde_json::json!({}));
    let naive = wasm_filter("bench.naive", "sieve_bench_naive", &serde_json::json!({}));
    let sieve_noop = wasm_filter("sieve.headers", "sieve_headers", &serde_json::json!({}));
    let sieve_headers = wasm_filter("sieve.headers", "sieve_headers", &sieve_headers_config());
    let sieve_auth = wasm_filter("sieve.auth", "sieve_auth", &api_key_config());
    let sieve_screen = wasm_filter("sieve.screen", "sieve_screen", &screen_config(&bloom));
    let chain_config = serde_json::json!({"stages": [
        {"headers": sieve_headers_config()}, {"auth": api_key_config()}, {"screen": screen_config(&bloom)}
    ]});
    let setup = |id, label, filters: Vec<String>, token: &str| Setup {
        id,
        label,
        filters,
        headers: headers(token),
        script: None,
    };
    Ok(vec![
        setup("none", "no HTTP filter", vec![], &hs_token),
        setup("empty", "empty Rust proxy-wasm filter", vec![empty], &hs_token),
        setup(
            "naive",
            "hand-written Rust proxy-wasm filter doing the headers job (no framework)",
            vec![naive],
            &hs_token,
        ),
        setup("noop", "Sieve headers with no rules (sdk-ext's own cost)", vec![sieve_noop], &hs_token),
        setup(
            "headers",
            "Sieve headers (copy a request header to a response header)",
            vec![sieve_headers.clone()],
            &hs_token,
        ),
        setup("lua", "Lua doing the headers job", vec![lua_headers_job()], &hs_token),
        setup("header_mutation", "native header_mutation doing the headers job", vec![native_headers_job()], &hs_token),
        setup("auth-apikey", "Sieve auth, API key (1,000 consumers)", vec![sieve_auth.clone()], &hs_token),
        setup(
            "auth-hs256",
            "Sieve auth, JWT HS256",
            vec![wasm_filter("sieve.auth", "sieve_auth", &jwt_config(&hs_jwks))],
            &hs_token,
        ),
        setup("jwt_authn-hs256", "native jwt_authn, HS256", vec![native_jwt(&hs_jwks)], &hs_token),
        setup(
            "auth-rs256",
            "Sieve auth, JWT RS256, repeated token",
            vec![wasm_filter("sieve.auth", "sieve_auth", &jwt_config(&rs_jwks))],
            &rs_token,
        ),
        setup("jwt_authn-rs256", "native jwt_authn, RS256, repeated token", vec![native_jwt(&rs_jwks)], &rs_token),
        Setup {
            script: Some(cold_script.clone()),
            ..setup(
                "auth-rs256-cold",
                "Sieve auth, JWT RS256, a new token every request",
                vec![wasm_filter("sieve.auth", "sieve_auth", &cold_jwt_config(&rs_jwks))],
                &cold[0], // the readiness check sends the script's first token
            )
        },
        Setup {
            script: Some(cold_script),
            ..setup(
                "jwt_authn-rs256-cold",
                "native jwt_authn, RS256, a new token every request",
                vec![native_jwt(&rs_jwks)],
                &cold[0], // the readiness check sends the script's first token
            )
        },
        Setup {
            script: Some(cold_ps_script.clone()),
            ..setup(
                "auth-ps256-cold",
                "Sieve auth, JWT PS256, a new token every request",
                vec![wasm_filter("sieve.auth", "sieve_auth", &cold_jwt_config(&rs_jwks))],
                &cold_ps[0],
            )
        },
        Setup {
            script: Some(cold_ps_script),
            ..setup(
                "jwt_authn-ps256-cold",
                "native jwt_authn, PS256, a new token every request",
                vec![native_jwt(&rs_jwks)],
                &cold_ps[0],
            )
        },
        setup("screen-bloom", "Sieve screen, 1M-key Bloom list", vec![sieve_screen.clone()], &hs_token),
        setup(
            "screen-cuckoo",
            "Sieve screen, 1M-key Cuckoo list",
            vec![wasm_filter("sieve.screen", "sieve_screen", &screen_config(&cuckoo))],
            &hs_token,
        ),
        setup(
            "three",
            "Sieve headers + auth + screen as three filters",
            vec![sieve_headers, sieve_auth, sieve_screen],
            &hs_token,
        ),
        setup(
            "chain",
            "Sieve chain: the same three as stages of one filter",
            vec![wasm_filter("sieve.chain", "sieve_chain", &chain_config)],
            &hs_token,
        ),
        // The memory target is about the code a chain carries, not the 1M-key list above (which
        // every VM decodes into its own memory): the same stages with a two-key inline list.
        setup(
            "chain-small",
            "Sieve chain, the same stages with a two-key inline list (the memory target)",
            vec![wasm_filter("sieve.chain", "sieve_chain", &small_chain_config())],
            &hs_token,
        ),
    ])
}

/// The Envoy bootstrap: `/direct` answers itself, everything else goes to the echo upstream.
pub(crate) fn envoy_config(setup: &Setup, echo: std::net::SocketAddr) -> Result<EnvoyConfig, String> {
    let mut filters = String::new();
    for filter in &setup.filters {
        for line in filter.lines() {
            let _ = writeln!(filters, "          {line}");
        }
    }
    let yaml = format!(
        r#"admin:
  address: {{ socket_address: {{ address: 127.0.0.1, port_value: 0 }} }}
static_resources:
  listeners:
  - name: bench
    address: {{ socket_address: {{ address: 127.0.0.1, port_value: 0 }} }}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: bench
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: {{ prefix: /direct }}
                direct_response: {{ status: 200, body: {{ inline_string: ok }} }}
              - match: {{ prefix: / }}
                route: {{ cluster: echo }}
          http_filters:
{filters}          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: echo
    type: STATIC
    connect_timeout: 2s
    load_assignment:
      cluster_name: echo
      endpoints:
      - lb_endpoints:
        - endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {port} }} }} }}
"#,
        port = echo.port()
    );
    let mut config = EnvoyConfig::from_yaml(&yaml)?;
    config.set_listener_ports(0);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn defaults_are_two_runs_of_six_rounds() {
        let options = parse(&[]).unwrap();
        assert_eq!((options.runs, options.rounds, options.seconds, options.warmup), (2, 6, 2, 1));
        assert!(options.only.is_none());
        assert_eq!(options.invocation, "cargo xtask bench");
    }

    #[test]
    fn quick_is_one_short_run_without_warm_up() {
        let options = parse(&args("--quick --only none,chain --out /tmp/b")).unwrap();
        assert_eq!((options.runs, options.rounds, options.seconds, options.warmup), (1, 1, 1, 0));
        assert_eq!(options.only, Some(vec!["none".to_string(), "chain".to_string()]));
        assert_eq!(options.out, PathBuf::from("/tmp/b"));
        assert_eq!(options.invocation, "cargo xtask bench --quick --only none,chain --out /tmp/b");
    }

    #[test]
    fn later_flags_override_quick() {
        let options = parse(&args("--quick --runs 3 --rounds 2 --seconds 5")).unwrap();
        assert_eq!((options.runs, options.rounds, options.seconds, options.warmup), (3, 2, 5, 0));
    }

    #[test]
    fn bad_options_are_refused_with_the_usage() {
        assert!(parse(&args("--runs 0")).unwrap_err().contains("at least 1"));
        assert!(parse(&args("--runs two")).unwrap_err().starts_with("--runs:"));
        assert!(parse(&args("--rounds")).unwrap_err().contains("needs a value"));
        assert!(parse(&args("--fast")).unwrap_err().contains(USAGE));
    }
}
