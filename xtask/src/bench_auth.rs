//! `cargo xtask bench-auth`: what the auth filter's expensive checks cost inside Envoy's V8 — one
//! signature verification per algorithm (the work of a token the cache does not hold) and one
//! password check per stored form, timed by a benchmark-only probe module with the host's clock —
//! and what a flood of forged tokens or wrong passwords costs a worker with and without the
//! filter's budgets: the CPU Envoy spends and the latency of good requests meanwhile. Writes
//! `target/bench/auth.md`.

use sieve_e2e::modules;
use sieve_e2e::tokens::{claims, sign_hmac, sign_with, tampered, DemoKey};
use sieve_e2e::{EnvoyConfig, EnvoyOptions};
use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

const HMAC_SECRET: &[u8] = b"sieve-bench-hmac-secret-of-64-bytes-0123456789abcdef0123456789ab";

struct Options {
    samples: usize,
    /// Seconds of each flood.
    flood_seconds: u64,
    /// A probe module built elsewhere (another revision), instead of this tree's: signatures only.
    probe: Option<std::path::PathBuf>,
    /// Time the checks only, no floods.
    checks_only: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { samples: 15, flood_seconds: 10, probe: None, checks_only: false };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        match flag.as_str() {
            "--quick" => {
                options.samples = 5;
                options.flood_seconds = 4;
            }
            "--samples" => {
                options.samples = iter
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--samples needs a positive number")?
            }
            "--checks-only" => options.checks_only = true,
            "--probe" => {
                let path = iter.next().ok_or("--probe needs a .wasm file")?;
                let path = std::fs::canonicalize(path).map_err(|e| format!("--probe {path}: {e}"))?;
                options.probe = Some(path);
            }
            other => {
                return Err(format!(
                    "unknown option {other}; bench-auth [--quick] [--samples N] [--checks-only] [--probe FILE.wasm]"
                ))
            }
        }
    }
    Ok(options)
}

fn demo_jwk(kid: &str) -> Result<serde_json::Value, String> {
    let jwks: serde_json::Value =
        serde_json::from_str(sieve_services::jwks::DEMO_JWKS).map_err(|e| format!("demo JWKS: {e}"))?;
    jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["kid"] == kid)
        .cloned()
        .ok_or_else(|| format!("no demo key {kid}"))
}

/// (case name, what it is, alg, JWK, token).
type SignatureCase = (String, String, &'static str, serde_json::Value, String);

fn signature_cases() -> Result<Vec<SignatureCase>, String> {
    let rsa = demo_jwk(DemoKey::Rsa1.kid())?;
    let ec = demo_jwk(DemoKey::Ec1.kid())?;
    let hmac = sieve_e2e::tokens::hmac_jwks("hmac-1", HMAC_SECRET)["keys"][0].clone();
    let mut cases = Vec::new();
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let token = sign_with(alg, DemoKey::Rsa1, &claims("bench", serde_json::json!({})));
        cases.push((alg.to_string(), format!("{alg}, RSA-2048, valid"), alg, rsa.clone(), token));
    }
    let valid = sign_with("RS256", DemoKey::Rsa1, &claims("bench", serde_json::json!({})));
    let forged = tampered(&valid, &claims("mallory", serde_json::json!({})));
    cases.push(("RS256-forged".into(), "RS256, RSA-2048, forged (bad signature)".into(), "RS256", rsa, forged));
    match rsa4096_case() {
        Ok((jwk, token)) => cases.push(("RS256-4096".into(), "RS256, RSA-4096, valid".into(), "RS256", jwk, token)),
        Err(e) => eprintln!("no RSA-4096 case: {e}"),
    }
    let token = sign_with("ES256", DemoKey::Ec1, &claims("bench", serde_json::json!({})));
    cases.push(("ES256".into(), "ES256, P-256, valid".into(), "ES256", ec, token));
    let token = sign_hmac("HS256", HMAC_SECRET, Some("hmac-1"), &claims("bench", serde_json::json!({})));
    cases.push(("HS256".into(), "HS256, valid".into(), "HS256", hmac, token));
    Ok(cases)
}

fn human_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.1} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}

/// An RSA-4096 key and an RS256 token signed with it, by the `openssl` command (the demo keys are
/// 2048 bits); the key is made once, in target/bench/.
fn rsa4096_case() -> Result<(serde_json::Value, String), String> {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let dir = sieve_e2e::workspace_root().join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let key = dir.join("rsa4096.pem");
    let openssl = |args: &[&str], input: Option<&[u8]>| -> Result<Vec<u8>, String> {
        use std::io::Write;
        let mut child = Command::new("openssl")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("openssl: {e}"))?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(input).map_err(|e| e.to_string())?;
        }
        let output = child.wait_with_output().map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!("openssl {args:?} failed"));
        }
        Ok(output.stdout)
    };
    let path = key.display().to_string();
    if !key.exists() {
        openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096", "-out", &path], None)?;
    }
    let modulus = String::from_utf8_lossy(&openssl(&["rsa", "-in", &path, "-noout", "-modulus"], None)?).to_string();
    let hex_n = modulus.trim().strip_prefix("Modulus=").ok_or("openssl: no modulus")?;
    let n: Vec<u8> = (0..hex_n.len() / 2)
        .map(|i| u8::from_str_radix(hex_n.get(2 * i..2 * i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let jwk = serde_json::json!({"kty": "RSA", "kid": "bench-4096", "n": b64(&n), "e": "AQAB"});
    let header = b64(br#"{"alg":"RS256","typ":"JWT","kid":"bench-4096"}"#);
    let payload = b64(claims("bench", serde_json::json!({})).to_string().as_bytes());
    let input = format!("{header}.{payload}");
    let signature = openssl(&["dgst", "-sha256", "-sign", &path], Some(input.as_bytes()))?;
    Ok((jwk, format!("{input}.{}", b64(&signature))))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Envoy with the probe in place of the auth filter, one worker.
fn start_probe(plugin: &serde_json::Value, module: &str) -> Result<sieve_e2e::Envoy, String> {
    let mut config = EnvoyConfig::load("envoy/auth.yaml")?;
    config.make_local(
        &modules::release_dir(),
        &[("echo", sieve_e2e::closed_port()), ("jwks", sieve_e2e::closed_port()), ("authz", sieve_e2e::closed_port())],
    );
    config.rename_filter("sieve.auth", module);
    config.set_plugin_config("sieve.auth", &plugin.to_string());
    let options = EnvoyOptions {
        concurrency: 1,
        component_log_level: "wasm:warning".into(),
        ready_timeout: Duration::from_secs(300),
        ..EnvoyOptions::default()
    };
    sieve_e2e::Envoy::start(&config, options)
}

/// Nanoseconds per check of `case` inside V8: each request runs enough checks to last about
/// 100 ms; the median of `samples` requests.
fn time_case(envoy: &sieve_e2e::Envoy, case: &str, samples: usize) -> Result<(f64, bool), String> {
    let ask = |n: u64| -> Result<(f64, bool), String> {
        let reply = envoy.get("/").header("x-case", case).header("x-n", &n.to_string()).try_send()?;
        let ns = reply
            .header("x-ns-per-op")
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| format!("{case}: the probe answered {} {}", reply.status, reply.body))?;
        Ok((ns, reply.header("x-valid") == Some("true")))
    };
    // Warm-up (V8 tiers up hot code), then size the batches.
    let (first, _) = ask(1)?;
    let (estimate, _) = ask(((20e6 / first.max(1.0)) as u64).clamp(1, 1_000_000))?;
    let n = ((100e6 / estimate.max(1.0)) as u64).clamp(1, 1_000_000);
    let mut values = Vec::new();
    let mut valid = true;
    for _ in 0..samples {
        let (ns, ok) = ask(n)?;
        values.push(ns);
        valid &= ok;
    }
    Ok((median(&mut values), valid))
}

/// The same check natively (this process, release build), for scale.
fn time_native(alg: &str, jwk: &serde_json::Value, token: &str) -> Result<f64, String> {
    use base64::Engine;
    let alg = sieve_auth::jwt::keys::Alg::parse(alg).ok_or("alg")?;
    let key = sieve_auth::jwt::keys::parse_key(jwk)?.ok_or("not a signing key")?;
    let (message, signature) = token.rsplit_once('.').ok_or("not a JWT")?;
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature).map_err(|e| e.to_string())?;
    Ok(time_natively(|| key.verify(alg, message.as_bytes(), &signature)))
}

fn time_natively(check: impl Fn() -> bool) -> f64 {
    let mut n = 1u64;
    loop {
        let started = Instant::now();
        for _ in 0..n {
            std::hint::black_box(check());
        }
        let elapsed = started.elapsed();
        if elapsed > Duration::from_millis(300) {
            return elapsed.as_nanos() as f64 / n as f64;
        }
        n *= 4;
    }
}

const HUMAN: &str = "carol";
const HUMAN_PASSWORD: &str = "Tr0ub4dor&3-horse";

/// (case name, what it is, stored form, password tried).
fn password_cases() -> Vec<(String, String, String, String)> {
    let salt = [0x5a; 16];
    let slow = sieve_auth::basic::hash_password_pbkdf2(HUMAN_PASSWORD, &salt, sieve_auth::basic::PBKDF2_ITERATIONS);
    let fast = sieve_auth::basic::hash_password("bench-machine-secret-0123456789ab", &salt);
    vec![
        (
            "pbkdf2-right".into(),
            "PBKDF2-SHA256, 600,000 iterations, right password".into(),
            slow.clone(),
            HUMAN_PASSWORD.into(),
        ),
        ("pbkdf2-wrong".into(), "PBKDF2-SHA256, 600,000 iterations, wrong password".into(), slow, "guess".into()),
        ("hmac-wrong".into(), "HMAC-SHA256 (the fast form), wrong password".into(), fast, "guess".into()),
    ]
}

/// One flood: a configuration of the real auth filter, a bad credential sent as fast as wrk can
/// (the flood), and a good one sent every 20 ms meanwhile (the victim).
struct Flood {
    label: String,
    plugin: serde_json::Value,
    bad: (String, String),
    good: (String, String),
    /// Counters to report (full names under `wasmcustom.`).
    counters: Vec<&'static str>,
}

struct FloodResult {
    flood_rps: f64,
    statuses: String,
    counters: Vec<(String, f64)>,
    cpu_share: f64,
    latency: (f64, f64, f64),
    quiet_latency: (f64, f64, f64),
}

/// p50, p99, max in milliseconds.
fn percentiles(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| values.get(((values.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    (at(0.5), at(0.99), values.last().copied().unwrap_or(f64::NAN))
}

/// Latencies (ms) of good requests, one every 20 ms, for `seconds`; panics on a wrong answer.
fn victim(url: &str, header: &(String, String), seconds: f64) -> Result<Vec<f64>, String> {
    let started = Instant::now();
    let mut latencies = Vec::new();
    while started.elapsed().as_secs_f64() < seconds {
        let sent = Instant::now();
        let reply = sieve_e2e::Request::new("GET", url).header(&header.0, &header.1).try_send()?;
        if reply.status != 200 {
            return Err(format!("a good request got {}: {}", reply.status, reply.body));
        }
        latencies.push(sent.elapsed().as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(latencies)
}

fn run_flood(flood: &Flood, seconds: u64) -> Result<FloodResult, String> {
    let mut config = EnvoyConfig::load("envoy/auth.yaml")?;
    config.make_local(
        &modules::release_dir(),
        &[("echo", sieve_e2e::closed_port()), ("jwks", sieve_e2e::closed_port()), ("authz", sieve_e2e::closed_port())],
    );
    config.set_direct_response(200);
    config.set_plugin_config("sieve.auth", &flood.plugin.to_string());
    // One worker on core 1; wrk on core 0.
    let options = EnvoyOptions {
        concurrency: 1,
        component_log_level: "wasm:warning".into(),
        ready_timeout: Duration::from_secs(300),
        cpu: Some(1),
        ..EnvoyOptions::default()
    };
    let envoy = sieve_e2e::Envoy::start(&config, options)?;
    let url = envoy.url("/");
    // The good credential's first use pays its check (and fills the cache), before any flood.
    victim(&url, &flood.good, 0.5)?;
    let quiet = victim(&url, &flood.good, 2.0)?;
    let before = envoy.stats();
    let cpu_before = envoy.cpu_seconds().unwrap_or(0.0);
    let started = Instant::now();
    let wrk = Command::new("taskset")
        .args(["-c", "0", "wrk", "-t", "1", "-c", "32", "-d", &format!("{seconds}s"), "-H"])
        .arg(format!("{}: {}", flood.bad.0, flood.bad.1))
        .arg(&url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("wrk: {e}"))?;
    // The victim starts once the flood is on, and stops before it ends.
    std::thread::sleep(Duration::from_millis(500));
    let latencies = victim(&url, &flood.good, seconds as f64 - 1.5)?;
    let output = wrk.wait_with_output().map_err(|e| format!("wrk: {e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = envoy.cpu_seconds().unwrap_or(0.0) - cpu_before;
    let after = envoy.stats();
    let text = String::from_utf8_lossy(&output.stdout);
    let flood_rps = text
        .lines()
        .find(|l| l.trim_start().starts_with("Requests/sec"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("wrk output: {text}"))?;
    let delta = |name: &str| {
        let name = format!("wasmcustom.{name}");
        (after.get(&name).copied().unwrap_or(0) - before.get(&name).copied().unwrap_or(0)) as f64
    };
    let counters = flood.counters.iter().map(|c| (c.to_string(), delta(c) / elapsed)).collect();
    let statuses = format!(
        "{:.0}/s allowed, {:.0}/s 401, {:.0}/s 429, {:.0}/s 503",
        delta("sieve.auth.allowed") / elapsed,
        delta("sieve.auth.denied") / elapsed,
        delta("sieve.auth.throttled") / elapsed,
        delta("sieve.auth.unavailable") / elapsed
    );
    Ok(FloodResult {
        flood_rps,
        statuses,
        counters,
        cpu_share: cpu / elapsed,
        latency: percentiles(latencies),
        quiet_latency: percentiles(quiet),
    })
}

fn basic_header(user: &str, password: &str) -> (String, String) {
    use base64::Engine;
    (
        "authorization".into(),
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))),
    )
}

fn floods() -> Result<Vec<Flood>, String> {
    let salt = [0x5a; 16];
    let slow = sieve_auth::basic::hash_password_pbkdf2(HUMAN_PASSWORD, &salt, sieve_auth::basic::PBKDF2_ITERATIONS);
    let basic = |budget: serde_json::Value| {
        let mut provider = serde_json::json!({"users": [{"username": HUMAN, "password_hash": slow}]});
        if !budget.is_null() {
            provider["max_slow_verifications_per_second"] = budget;
        }
        serde_json::json!({"providers": [{"basic": provider}]})
    };
    let rsa = serde_json::json!({"keys": [demo_jwk(DemoKey::Rsa1.kid())?]});
    let jwt = |budget: serde_json::Value| {
        let mut provider =
            serde_json::json!({"issuer": "https://sieve.demo", "audiences": ["sieve-demo"], "jwks": rsa});
        if !budget.is_null() {
            provider["max_verifications_per_second"] = budget;
        }
        serde_json::json!({"providers": [{"jwt": provider}]})
    };
    let valid = sign_with("RS256", DemoKey::Rsa1, &claims("bench", serde_json::json!({})));
    let forged = tampered(&valid, &claims("mallory", serde_json::json!({})));
    let bearer = |token: &str| ("authorization".to_string(), format!("Bearer {token}"));
    let basic_counters = vec!["sieve.auth.basic.denied.invalid", "sieve.auth.basic.denied.hash_budget"];
    let jwt_counters = vec!["sieve.auth.jwt.denied.bad_signature", "sieve.auth.jwt.denied.verify_budget"];
    let mut floods = Vec::new();
    for (label, budget) in [
        ("wrong passwords, PBKDF2 600k, default budget (0.2 per second)", serde_json::Value::Null),
        ("wrong passwords, PBKDF2 600k, no budget", serde_json::json!(0)),
    ] {
        floods.push(Flood {
            label: label.into(),
            plugin: basic(budget),
            bad: basic_header(HUMAN, "guess"),
            good: basic_header(HUMAN, HUMAN_PASSWORD),
            counters: basic_counters.clone(),
        });
    }
    for (label, budget) in [
        ("forged RS256 tokens, default budget (1000 per second)", serde_json::Value::Null),
        ("forged RS256 tokens, no budget", serde_json::json!(0)),
    ] {
        floods.push(Flood {
            label: label.into(),
            plugin: jwt(budget),
            bad: bearer(&forged),
            good: bearer(&valid),
            counters: jwt_counters.clone(),
        });
    }
    Ok(floods)
}

pub fn bench_auth(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    eprintln!("envoy: {}", crate::envoy_description()?);
    let probe =
        modules::Module::standalone("sieve-bench-auth-probe", sieve_e2e::workspace_root().join("bench/auth-probe"));
    let module = match &options.probe {
        Some(path) => path.display().to_string(),
        None => {
            modules::build(&[probe], false)?;
            "sieve_bench_auth_probe.wasm".to_string()
        }
    };
    let mut md = String::new();
    let cases = signature_cases()?;
    let plugin = serde_json::json!({"cases": cases.iter().map(|(name, _, alg, jwk, token)| {
        serde_json::json!({"name": name, "alg": alg, "jwk": jwk, "token": token})
    }).collect::<Vec<_>>()});
    // A probe from another revision may predate the password cases: signatures only, then.
    let passwords = if options.probe.is_some() { Vec::new() } else { password_cases() };
    let mut plugin = plugin;
    plugin["passwords"] = serde_json::json!(passwords
        .iter()
        .map(|(name, _, stored, password)| serde_json::json!({"name": name, "password_hash": stored, "password": password}))
        .collect::<Vec<_>>());
    if passwords.is_empty() {
        if let Some(map) = plugin.as_object_mut() {
            map.remove("passwords");
        }
    }
    let envoy = start_probe(&plugin, &module)?;
    let _ = writeln!(md, "## One signature check (a token not in the cache)\n");
    let _ = writeln!(md, "| check | in Envoy's V8 | native (same Rust code, release) | V8 / native | verified |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for (name, label, alg, jwk, token) in &cases {
        let (ns, valid) = time_case(&envoy, name, options.samples)?;
        // The native column is this tree's code, whatever the probe.
        let native = time_native(alg, jwk, token)?;
        eprintln!("{label}: {:.1} µs in V8, {:.1} µs native, verified: {valid}", ns / 1e3, native / 1e3);
        let _ =
            writeln!(md, "| {label} | {:.1} µs | {:.1} µs | {:.1}× | {valid} |", ns / 1e3, native / 1e3, ns / native);
    }
    if !passwords.is_empty() {
        let _ = writeln!(md, "\n## One password check\n");
        let _ = writeln!(md, "| check | in Envoy's V8 | native (same Rust code, release) | V8 / native | matched |");
        let _ = writeln!(md, "|---|---|---|---|---|");
    }
    for (name, label, stored, password) in &passwords {
        let (ns, valid) = time_case(&envoy, name, options.samples)?;
        let parsed = sieve_auth::basic::parse_hash(stored)?;
        let native = time_natively(|| parsed.matches(password));
        eprintln!("{label}: {:.1} µs in V8, {:.1} µs native, matched: {valid}", ns / 1e3, native / 1e3);
        let _ = writeln!(md, "| {label} | {} | {} | {:.1}× | {valid} |", human_ns(ns), human_ns(native), ns / native);
    }
    drop(envoy);

    // Floods through the real filter.
    if options.checks_only {
        println!("{md}");
        return Ok(());
    }
    crate::build_packages(&["sieve-auth"])?;
    let _ = writeln!(md, "\n## Floods, one worker (pinned; wrk with 32 connections on the other core)\n");
    let _ = writeln!(md, "Good requests (a cached right credential) are sent one every 20 ms meanwhile; their latency is measured by the client, before the flood (quiet) and during it. Envoy's CPU is its whole process over the flood, in cores.\n");
    let _ = writeln!(md, "| flood | flood answered | outcomes | expensive checks run, refused | Envoy CPU | good requests, quiet: p50 / p99 / max | good requests during the flood: p50 / p99 / max |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for flood in floods()? {
        eprintln!("flood: {}...", flood.label);
        let result = run_flood(&flood, options.flood_seconds)?;
        let ms = |(p50, p99, max): (f64, f64, f64)| format!("{p50:.1} / {p99:.1} / {max:.1} ms");
        let counters: Vec<String> = result
            .counters
            .iter()
            .map(|(name, rate)| format!("{}: {rate:.1}/s", name.rsplit('.').next().unwrap_or(name)))
            .collect();
        let row = format!(
            "| {} | {:.0} requests/s | {} | {} | {:.0}% of a core | {} | {} |",
            flood.label,
            result.flood_rps,
            result.statuses,
            counters.join(", "),
            result.cpu_share * 100.0,
            ms(result.quiet_latency),
            ms(result.latency)
        );
        eprintln!("{row}");
        let _ = writeln!(md, "{row}");
    }
    println!("{md}");
    let out = sieve_e2e::workspace_root().join("target/bench");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join("auth.md"), &md);
    eprintln!("written to target/bench/auth.md");
    Ok(())
}
