//! `cargo xtask bench`: Sieve's filters against no filter, the bare proxy-wasm floor, Envoy's Lua
//! filter and Envoy's native filters, side by side in one run, in interleaved rounds (every
//! configuration once per round, in a shuffled order), with `wrk` as the load generator and Envoy's
//! worker and `wrk` pinned to separate cores. Writes `bench/RESULTS.md` and `bench/added-us.svg`.

use base64::Engine;
use sieve_e2e::tokens::{claims, sign_hmac, sign_with, DemoKey};
use sieve_e2e::{modules, workspace_root, Envoy, EnvoyConfig, EnvoyOptions};
use sieve_screen_set::{Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const HMAC_SECRET: &[u8] = b"sieve-bench-hmac-secret-of-64-bytes-0123456789abcdef0123456789ab";
const API_KEY: &str = "sieve-demo-key-0123456789abcdef";
const PROBE: &str = "sieve-bench-probe-value";
const LIST_KEYS: u64 = 1_000_000;
/// Distinct tokens cycled through for the cold JWT runs: more than any token cache holds.
const COLD_TOKENS: usize = 3000;

struct Options {
    rounds: usize,
    seconds: u64,
    warmup: u64,
    connections: u32,
    only: Option<Vec<String>>,
    out: PathBuf,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options =
        Options { rounds: 3, seconds: 3, warmup: 1, connections: 16, only: None, out: workspace_root().join("bench") };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rounds" => options.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--seconds" => options.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--only" => options.only = Some(value()?.split(',').map(String::from).collect()),
            "--out" => options.out = PathBuf::from(value()?),
            "--quick" => {
                options.rounds = 1;
                options.seconds = 1;
                options.warmup = 0;
            }
            other => {
                return Err(format!(
                    "unknown option {other}; bench [--rounds N] [--seconds S] [--only a,b] [--quick] [--out DIR]"
                ))
            }
        }
    }
    if options.rounds == 0 || options.seconds == 0 {
        return Err("--rounds and --seconds must be at least 1".into());
    }
    Ok(options)
}

/// One configuration under test.
struct Setup {
    id: &'static str,
    label: &'static str,
    /// HTTP filters before the router, as YAML list items.
    filters: Vec<String>,
    /// Request headers every request carries (the same two for every configuration, plus a
    /// credential where one is checked).
    headers: Vec<(String, String)>,
    /// A wrk script that cycles through distinct tokens (cold JWT runs).
    script: Option<PathBuf>,
}

fn wasm_filter(name: &str, module: &str, config: &serde_json::Value) -> String {
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
        code: {{ local: {{ filename: {dir}/{module}.wasm }} }}
      failure_policy: FAIL_RELOAD
      configuration:
        "@type": type.googleapis.com/google.protobuf.StringValue
        value: {config}
"#,
        dir = modules::release_dir().display()
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

/// A 1,000,000-key list (none of them the probe value).
fn list_blob(backend: Backend) -> Result<Vec<u8>, String> {
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

fn setups(work: &Path, blobs: &BTreeMap<&'static str, Vec<u8>>) -> Result<Vec<Setup>, String> {
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
    ])
}

/// The Envoy bootstrap: `/direct` answers itself, everything else goes to the echo upstream.
fn envoy_config(setup: &Setup, echo: std::net::SocketAddr) -> Result<EnvoyConfig, String> {
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

/// One wrk run's result.
struct Run {
    rps: f64,
    non_2xx: u64,
}

fn wrk_binary() -> Result<PathBuf, String> {
    if let Some(found) = which("wrk") {
        return Ok(found);
    }
    crate::prereq::debian_packages(&["wrk"])?;
    which("wrk").ok_or_else(|| "wrk is still not on PATH".into())
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(name)).find(|p| p.is_file())
}

fn wrk(url: &str, setup: &Setup, seconds: u64, connections: u32, cpu: Option<usize>) -> Result<Run, String> {
    let binary = wrk_binary()?;
    let mut command = match cpu {
        Some(cpu) => {
            let mut c = Command::new("taskset");
            c.args(["-c", &cpu.to_string()]).arg(&binary);
            c
        }
        None => Command::new(&binary),
    };
    let threads = if cpu.is_some() { 1 } else { 2 };
    command.args(["-t", &threads.to_string(), "-c", &connections.to_string(), "-d", &format!("{seconds}s")]);
    match &setup.script {
        Some(script) => {
            command.arg("-s").arg(script);
        }
        None => {
            for (name, value) in &setup.headers {
                command.args(["-H", &format!("{name}: {value}")]);
            }
        }
    }
    let output = command.arg(url).output().map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let field = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.split_whitespace().next().map(String::from))
    };
    let rps = field("Requests/sec").and_then(|v| v.parse::<f64>().ok()).ok_or_else(|| format!("wrk output: {text}"))?;
    let non_2xx = field("Non-2xx or 3xx responses").and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(Run { rps, non_2xx })
}

/// Measurements of one configuration in one round at one concurrency.
#[derive(Default, Clone)]
struct Sample {
    direct: f64,
    echo: f64,
    /// Seconds from starting Envoy to the first request served.
    ready: f64,
    rss: u64,
    /// The screen filter's own timing of its list load in a VM (its `list_load_ms` gauge).
    list_load_ms: Option<f64>,
}

fn measure(setup: &Setup, concurrency: u32, options: &Options, echo: std::net::SocketAddr) -> Result<Sample, String> {
    let config = envoy_config(setup, echo)?;
    // One worker pinned to core 1, the load generator to core 0; two workers take both cores.
    let (envoy_cpu, wrk_cpu) =
        if concurrency == 1 && sieve_e2e::load::cpu_count() >= 2 { (Some(1), Some(0)) } else { (None, None) };
    let started = Instant::now();
    let envoy = Envoy::start(
        &config,
        EnvoyOptions {
            concurrency,
            component_log_level: "wasm:warning".into(),
            ready_timeout: Duration::from_secs(300),
            cpu: envoy_cpu,
            ..EnvoyOptions::default()
        },
    )?;
    let base = format!("http://{}", envoy.listener());
    loop {
        let mut request = sieve_e2e::Request::new("GET", &format!("{base}/direct"));
        for (name, value) in &setup.headers {
            request = request.header(name, value);
        }
        match request.try_send() {
            Ok(reply) if reply.status == 200 => break,
            Ok(reply) => return Err(format!("{}: the first request got {}: {}", setup.id, reply.status, reply.body)),
            Err(_) if started.elapsed() < Duration::from_secs(300) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e),
        }
    }
    let ready = started.elapsed().as_secs_f64();
    let connections = options.connections * concurrency;
    if options.warmup > 0 {
        wrk(&format!("{base}/direct"), setup, options.warmup, connections, wrk_cpu)?;
    }
    let mut sample = Sample { ready, ..Sample::default() };
    for (path, slot) in [("/direct", &mut sample.direct), ("/echo", &mut sample.echo)] {
        let run = wrk(&format!("{base}{path}"), setup, options.seconds, connections, wrk_cpu)?;
        if run.non_2xx > 0 {
            return Err(format!("{} {path}: {} responses were not 2xx:\n{}", setup.id, run.non_2xx, envoy.log()));
        }
        *slot = run.rps;
    }
    sample.rss = envoy.rss_bytes().unwrap_or(0);
    if setup.filters.iter().any(|f| f.contains("sieve_screen") || f.contains("sieve_chain")) {
        sample.list_load_ms = envoy.stats().get("wasmcustom.sieve.screen.list_load_ms").map(|v| *v as f64);
    }
    drop(envoy);
    Ok(sample)
}

/// Deterministic shuffle (xorshift): a different order every round, the same across runs.
fn shuffled(len: usize, round: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ (round as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d);
    for i in (1..len).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)))
}

/// Results per (setup, concurrency): samples across rounds.
type Results = BTreeMap<(String, u32), Vec<Sample>>;

/// Added µs per request against no filter, per round (same round, same concurrency, same upstream).
fn added(results: &Results, id: &str, concurrency: u32, echo: bool) -> Vec<f64> {
    let (Some(mine), Some(none)) =
        (results.get(&(id.to_string(), concurrency)), results.get(&("none".to_string(), concurrency)))
    else {
        return Vec::new();
    };
    mine.iter()
        .zip(none)
        .map(|(m, n)| {
            let (a, b) = if echo { (m.echo, n.echo) } else { (m.direct, n.direct) };
            1e6 / a - 1e6 / b
        })
        .collect()
}

pub fn bench(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let envoy_version = Envoy::version()?;
    let wrk_binary = wrk_binary()?;
    let wrk_version = Command::new(&wrk_binary)
        .arg("-v")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or_default().to_string())
        .unwrap_or_default();
    eprintln!("envoy: {envoy_version}\nwrk: {wrk_version}");
    crate::build()?;
    let extra = [
        modules::Module::standalone("sieve-bench-empty", workspace_root().join("bench/empty-filter")),
        modules::Module::standalone("sieve-bench-naive", workspace_root().join("bench/naive-filter")),
    ];
    modules::build(&extra, false)?;
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(workspace_root())
        .args(["build", "--release", "--quiet", "--package", "sieve-services", "--bin", "sieve-echo"])
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("cannot build sieve-echo".into());
    }
    let work = workspace_root().join("target/bench");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;

    eprintln!("building the 1,000,000-key lists...");
    let mut blobs = BTreeMap::new();
    let mut list_facts = Vec::new();
    for (name, backend) in [("bloom", Backend::Bloom), ("cuckoo", Backend::Cuckoo)] {
        let started = Instant::now();
        let blob = list_blob(backend)?;
        list_facts.push((name, blob.len(), started.elapsed().as_secs_f64()));
        blobs.insert(name, blob);
    }
    let setups = setups(&work, &blobs)?;
    let setups: Vec<Setup> = match &options.only {
        Some(only) => setups.into_iter().filter(|s| s.id == "none" || only.iter().any(|o| o == s.id)).collect(),
        None => setups,
    };

    // The echo upstream: its own process, on the load generator's core.
    let echo_port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let echo_addr: std::net::SocketAddr = ([127, 0, 0, 1], echo_port).into();
    let echo = EchoProcess::start(echo_addr)?;

    let concurrencies = [1u32, 2];
    let mut results: Results = BTreeMap::new();
    let started = Instant::now();
    let total = options.rounds * setups.len() * concurrencies.len();
    let mut done = 0;
    for round in 0..options.rounds {
        let mut jobs: Vec<(usize, u32)> = Vec::new();
        for index in shuffled(setups.len(), round) {
            for concurrency in concurrencies {
                jobs.push((index, concurrency));
            }
        }
        for (index, concurrency) in jobs {
            let setup = &setups[index];
            let sample = measure(setup, concurrency, &options, echo.addr)?;
            done += 1;
            eprintln!(
                "[{done}/{total}, round {}] {:<22} c{concurrency}: direct {:>8.0} rps, echo {:>8.0} rps, ready {:.2} s",
                round + 1,
                setup.id,
                sample.direct,
                sample.echo,
                sample.ready
            );
            results.entry((setup.id.to_string(), concurrency)).or_default().push(sample);
        }
    }
    drop(echo);
    let report = Report {
        options: &options,
        setups: &setups,
        results: &results,
        envoy_version,
        wrk_version,
        list_facts,
        elapsed: started.elapsed(),
    };
    let markdown = report.markdown();
    let svg = report.svg();
    std::fs::create_dir_all(&options.out).map_err(|e| e.to_string())?;
    std::fs::write(options.out.join("RESULTS.md"), &markdown).map_err(|e| e.to_string())?;
    std::fs::write(options.out.join("added-us.svg"), svg).map_err(|e| e.to_string())?;
    println!("{markdown}");
    eprintln!("wrote {} and added-us.svg", options.out.join("RESULTS.md").display());
    Ok(())
}

struct EchoProcess {
    child: Child,
    addr: std::net::SocketAddr,
}

impl EchoProcess {
    fn start(addr: std::net::SocketAddr) -> Result<EchoProcess, String> {
        let binary = workspace_root().join("target/release/sieve-echo");
        let child = Command::new("taskset")
            .args(["-c", "0"])
            .arg(&binary)
            .args(["--listen", &addr.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(addr).is_err() {
            if Instant::now() > deadline {
                return Err("the echo upstream did not start".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(EchoProcess { child, addr })
    }
}

impl Drop for EchoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Report<'a> {
    options: &'a Options,
    setups: &'a [Setup],
    results: &'a Results,
    envoy_version: String,
    wrk_version: String,
    list_facts: Vec<(&'static str, usize, f64)>,
    elapsed: Duration,
}

/// A target: a ratio of added costs (or a figure) and its limit.
struct Target {
    what: String,
    value: Option<f64>,
    limit: f64,
    unit: &'static str,
}

impl Report<'_> {
    fn added_median(&self, id: &str) -> Option<f64> {
        let values = added(self.results, id, 1, false);
        (!values.is_empty()).then(|| median(&values))
    }

    fn ratio(&self, a: &str, b: &str) -> Option<f64> {
        Some(self.added_median(a)? / self.added_median(b)?)
    }

    fn module_size(module: &str) -> Option<u64> {
        std::fs::metadata(modules::release_dir().join(format!("{module}.wasm"))).ok().map(|m| m.len())
    }

    /// Extra seconds to ready against no filter (median over rounds, one worker).
    fn load_seconds(&self, id: &str) -> Option<f64> {
        let ready = |id: &str| {
            let samples = self.results.get(&(id.to_string(), 1))?;
            Some(median(&samples.iter().map(|s| s.ready).collect::<Vec<_>>()))
        };
        Some(ready(id)? - ready("none")?)
    }

    /// The screen filter's list load time (median over rounds, one worker).
    fn list_load(&self, id: &str) -> Option<f64> {
        let samples = self.results.get(&(id.to_string(), 1))?;
        let values: Vec<f64> = samples.iter().filter_map(|s| s.list_load_ms).collect();
        (!values.is_empty()).then(|| median(&values))
    }

    /// RSS added by the second worker (median over rounds).
    fn extra_worker_rss(&self, id: &str) -> Option<f64> {
        let one = self.results.get(&(id.to_string(), 1))?;
        let two = self.results.get(&(id.to_string(), 2))?;
        let diffs: Vec<f64> = one.iter().zip(two).map(|(a, b)| b.rss as f64 - a.rss as f64).collect();
        Some(median(&diffs))
    }

    fn targets(&self) -> Vec<Target> {
        let bloom_bytes =
            self.list_facts.iter().find(|(n, ..)| *n == "bloom").map(|(_, b, _)| *b as f64).unwrap_or(0.0);
        let mut targets = vec![
            Target {
                what: "chain / three separate filters (added µs)".into(),
                value: self.ratio("chain", "three"),
                limit: 0.5,
                unit: "×",
            },
            Target { what: "chain / empty filter".into(), value: self.ratio("chain", "empty"), limit: 2.5, unit: "×" },
            Target { what: "Sieve headers / Lua".into(), value: self.ratio("headers", "lua"), limit: 0.75, unit: "×" },
            Target {
                what: "Sieve headers / empty filter".into(),
                value: self.ratio("headers", "empty"),
                limit: 1.8,
                unit: "×",
            },
            Target {
                what: "Sieve JWT HS256 / native jwt_authn HS256".into(),
                value: self.ratio("auth-hs256", "jwt_authn-hs256"),
                limit: 0.7,
                unit: "×",
            },
            Target {
                what: "Sieve JWT RS256 / native, repeated token".into(),
                value: self.ratio("auth-rs256", "jwt_authn-rs256"),
                limit: 1.5,
                unit: "×",
            },
            Target {
                what: "Sieve JWT RS256 / native, a new token every request".into(),
                value: self.ratio("auth-rs256-cold", "jwt_authn-rs256-cold"),
                limit: 1.5,
                unit: "×",
            },
            Target {
                what: "Sieve JWT PS256 / native, a new token every request".into(),
                value: self.ratio("auth-ps256-cold", "jwt_authn-ps256-cold"),
                limit: 1.5,
                unit: "×",
            },
            Target {
                what: "screen 1M Bloom / empty filter".into(),
                value: self.ratio("screen-bloom", "empty"),
                limit: 1.6,
                unit: "×",
            },
            Target {
                what: "screen 1M Cuckoo / empty filter".into(),
                value: self.ratio("screen-cuckoo", "empty"),
                limit: 1.6,
                unit: "×",
            },
            Target {
                what: "screen 1M Bloom list load in a VM (decode, verify, build; the filter's own timing)".into(),
                value: self.list_load("screen-bloom"),
                limit: 50.0,
                unit: " ms",
            },
            Target {
                what: "screen 1M Cuckoo list load in a VM".into(),
                value: self.list_load("screen-cuckoo"),
                limit: 50.0,
                unit: " ms",
            },
            Target {
                what: "RSS of an extra worker with the 1M Bloom list, against list size + 2 MB".into(),
                value: self.extra_worker_rss("screen-bloom").map(|b| b / 1e6),
                limit: bloom_bytes / 1e6 + 2.0,
                unit: " MB",
            },
        ];
        for (module, limit_kb) in
            [("sieve_headers", 150.0), ("sieve_screen", 200.0), ("sieve_auth", 400.0), ("sieve_chain", 500.0)]
        {
            targets.push(Target {
                what: format!("{module}.wasm size"),
                value: Self::module_size(module).map(|b| b as f64 / 1000.0),
                limit: limit_kb,
                unit: " KB",
            });
        }
        targets
    }

    fn markdown(&self) -> String {
        let mut md = String::new();
        let cores = sieve_e2e::load::cpu_count();
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|s| s.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let date = Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let _ = writeln!(md, "# Benchmark results\n");
        let _ = writeln!(
            md,
            "Generated by `cargo xtask bench` (`{}`) on {date}, {} in all.\n",
            self.command(),
            human(self.elapsed)
        );
        let _ = writeln!(md, "- Envoy: `{}`", self.envoy_version);
        let _ = writeln!(
            md,
            "- load generator: `{}`, {} connections per worker, {} s per run after a {} s warm-up",
            self.wrk_version, self.options.connections, self.options.seconds, self.options.warmup
        );
        let _ = writeln!(md, "- machine: {cores} cores ({cpu}); at `--concurrency 1` Envoy's worker is pinned to core 1 and wrk to core 0 (`taskset`); at 2 workers nothing is pinned (two cores hold the workers and wrk)");
        let _ = writeln!(md, "- {} interleaved rounds: every configuration once per round, in a shuffled order; medians with min–max across rounds", self.options.rounds);
        let _ = writeln!(md, "- every request carries `x-probe`, `x-api-key` and `authorization` (a valid token for the JWT configurations); `/direct` answers from a `direct_response` route, `/echo` goes to the echo upstream (its own process, on wrk's core)");
        let _ = writeln!(
            md,
            "- added µs per request = 1e6/rps − 1e6/rps(no filter), same round, same route, same concurrency\n"
        );
        let _ = writeln!(md, "![added µs per request](added-us.svg)\n");

        let _ = writeln!(
            md,
            "## Targets\n\nWhere the cost goes and why a target is missed: [ANALYSIS.md](ANALYSIS.md).\n\n| target | measured | limit | |\n|---|---|---|---|"
        );
        for target in self.targets() {
            let (measured, verdict) = match target.value {
                Some(v) if v.is_finite() => {
                    (format!("{v:.2}{}", target.unit), if v <= target.limit { "met" } else { "**missed**" })
                }
                _ => ("not measured".into(), "—"),
            };
            let _ = writeln!(md, "| {} | {measured} | ≤ {:.2}{} | {verdict} |", target.what, target.limit, target.unit);
        }
        for (concurrency, title) in
            [(1u32, "one worker (`--concurrency 1`, pinned)"), (2, "two workers (`--concurrency 2`)")]
        {
            let _ = writeln!(md, "\n## {title}\n");
            let _ = writeln!(md, "| configuration | direct: requests/s | direct: added µs/request | echo: requests/s | echo: added µs/request |");
            let _ = writeln!(md, "|---|---|---|---|---|");
            for setup in self.setups {
                let Some(samples) = self.results.get(&(setup.id.to_string(), concurrency)) else { continue };
                let direct: Vec<f64> = samples.iter().map(|s| s.direct).collect();
                let echo: Vec<f64> = samples.iter().map(|s| s.echo).collect();
                let fmt_rps = |v: &[f64]| {
                    let (lo, hi) = min_max(v);
                    format!("{:.0} ({:.0}–{:.0})", median(v), lo, hi)
                };
                let fmt_added = |v: Vec<f64>| {
                    if setup.id == "none" {
                        return "—".to_string();
                    }
                    let (lo, hi) = min_max(&v);
                    format!("{:.2} ({:.2}–{:.2})", median(&v), lo, hi)
                };
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    setup.label,
                    fmt_rps(&direct),
                    fmt_added(added(self.results, setup.id, concurrency, false)),
                    fmt_rps(&echo),
                    fmt_added(added(self.results, setup.id, concurrency, true))
                );
            }
        }
        let _ = writeln!(md, "\n## Modules, loading and memory\n");
        let _ = writeln!(md, "| module | size (release, stripped) |\n|---|---|");
        for module in
            ["sieve_bench_empty", "sieve_bench_naive", "sieve_headers", "sieve_auth", "sieve_screen", "sieve_chain"]
        {
            if let Some(size) = Self::module_size(module) {
                let _ = writeln!(md, "| `{module}.wasm` | {:.1} KB |", size as f64 / 1000.0);
            }
        }
        let _ = writeln!(md, "\n| configuration | Envoy start to first request served, over no filter (one worker: the main thread's VM and the worker's) | RSS, one worker | RSS added by a second worker |\n|---|---|---|---|");
        for setup in self.setups {
            let rss_one = self
                .results
                .get(&(setup.id.to_string(), 1))
                .map(|s| median(&s.iter().map(|x| x.rss as f64).collect::<Vec<_>>()));
            let load = if setup.id == "none" {
                "—".to_string()
            } else {
                self.load_seconds(setup.id).map(|s| format!("{:.0} ms", s * 1000.0)).unwrap_or_default()
            };
            let _ = writeln!(
                md,
                "| {} | {load} | {} | {} |",
                setup.label,
                rss_one.map(|b| format!("{:.1} MB", b / 1e6)).unwrap_or_default(),
                self.extra_worker_rss(setup.id).map(|b| format!("{:+.1} MB", b / 1e6)).unwrap_or_default()
            );
        }
        let _ =
            writeln!(md, "\n| 1M-key list | blob size | bits per key | built in (host, release) | loaded in a VM (the filter's timing) |\n|---|---|---|---|---|");
        for (name, bytes, seconds) in &self.list_facts {
            let load = self.list_load(&format!("screen-{name}")).map(|ms| format!("{ms:.0} ms")).unwrap_or_default();
            let _ = writeln!(
                md,
                "| {name} | {:.2} MB | {:.1} | {:.2} s | {load} |",
                *bytes as f64 / 1e6,
                *bytes as f64 * 8.0 / LIST_KEYS as f64,
                seconds
            );
        }
        md
    }

    fn command(&self) -> String {
        let mut command = "cargo xtask bench".to_string();
        if self.options.rounds != 3 {
            command.push_str(&format!(" --rounds {}", self.options.rounds));
        }
        if self.options.seconds != 3 {
            command.push_str(&format!(" --seconds {}", self.options.seconds));
        }
        if let Some(only) = &self.options.only {
            command.push_str(&format!(" --only {}", only.join(",")));
        }
        command
    }

    /// Horizontal bars: added µs per request, one worker, direct route, median with the min–max range.
    fn svg(&self) -> String {
        let rows: Vec<(&str, f64, f64, f64)> = self
            .setups
            .iter()
            .filter(|s| s.id != "none")
            .filter_map(|s| {
                let values = added(self.results, s.id, 1, false);
                if values.is_empty() {
                    return None;
                }
                let (lo, hi) = min_max(&values);
                Some((s.label, median(&values), lo, hi))
            })
            .collect();
        let max = rows.iter().map(|(_, _, _, hi)| *hi).fold(1.0f64, f64::max) * 1.1;
        let (label_w, bar_w, row_h, top) = (430.0, 480.0, 26.0, 50.0);
        let height = top + rows.len() as f64 * row_h + 40.0;
        let width = label_w + bar_w + 90.0;
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="22" font-size="15" font-weight="bold">Added µs per request against no filter (one pinned worker, direct_response route; median, min–max)</text>
"#
        );
        for (i, (label, med, lo, hi)) in rows.iter().enumerate() {
            let y = top + i as f64 * row_h;
            let scale = |v: f64| label_w + v.max(0.0) / max * bar_w;
            let color = if label.starts_with("Sieve") {
                "#2f7ed8"
            } else if label.starts_with("native") || label.starts_with("Lua") {
                "#999999"
            } else {
                "#f28f43"
            };
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
                label_w - 8.0,
                y + 15.0,
                xml(label)
            );
            let _ = writeln!(
                svg,
                r#"<rect x="{label_w}" y="{}" width="{:.1}" height="16" fill="{color}"/>"#,
                y + 3.0,
                scale(*med) - label_w
            );
            let _ = writeln!(
                svg,
                r#"<line x1="{:.1}" x2="{:.1}" y1="{}" y2="{}" stroke="black"/>"#,
                scale(*lo),
                scale(*hi),
                y + 11.0,
                y + 11.0
            );
            let _ = writeln!(svg, r#"<text x="{:.1}" y="{}">{med:.1}</text>"#, scale(*hi) + 6.0, y + 15.0);
        }
        let axis_y = top + rows.len() as f64 * row_h + 5.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{label_w}" x2="{}" y1="{axis_y}" y2="{axis_y}" stroke="black"/>"#,
            label_w + bar_w
        );
        let _ = writeln!(
            svg,
            r#"<text x="{label_w}" y="{}">0</text><text x="{}" y="{}" text-anchor="end">{:.0} µs</text>"#,
            axis_y + 16.0,
            label_w + bar_w,
            axis_y + 16.0,
            max
        );
        svg.push_str("</svg>\n");
        svg
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!("{}m{:02}s", seconds / 60, seconds % 60)
}
