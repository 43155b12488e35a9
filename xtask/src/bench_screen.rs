//! `cargo xtask bench-screen`: the screening benchmark. For each list size and target rate, for
//! both backends: bits per key against the theoretical minimum and the optimal Bloom figure, the
//! measured false-positive rate, build time, blob size, lookup time on the host and inside Envoy's
//! V8 (timed by a benchmark-only probe module), and Envoy's start time with the list in its config
//! against the same Envoy with a one-key list, in interleaved rounds (medians).

use base64::Engine;
use sieve_e2e::{modules, Envoy, EnvoyConfig, EnvoyOptions};
use sieve_screen_set::{random_seed, Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use std::time::{Duration, Instant};

struct Options {
    sizes: Vec<u64>,
    rounds: usize,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { sizes: vec![1_000_000, 10_000_000], rounds: 3 };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--sizes" => {
                options.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().parse::<u64>().map_err(|e| format!("--sizes: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--rounds" => options.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--quick" => {
                options.sizes = vec![100_000];
                options.rounds = 2;
            }
            other => return Err(format!("unknown option {other}; bench-screen [--sizes N,M] [--rounds R] [--quick]")),
        }
    }
    Ok(options)
}

fn key(i: u64) -> String {
    format!("key-{i:010}")
}

struct Built {
    envoy_lookup_ns: f64,
    backend: Backend,
    keys: u64,
    target: f64,
    blob: Vec<u8>,
    build_seconds: f64,
    measured_fp: f64,
    host_lookup_ns: f64,
}

fn build_and_measure(backend: Backend, keys: u64, target: f64) -> Result<Built, String> {
    let started = Instant::now();
    let mut set =
        ScreenSet::new(backend, keys, target, Normalize::default(), random_seed(b"")).map_err(|e| e.to_string())?;
    for i in 0..keys {
        set.insert(&key(i)).map_err(|e| format!("{}: {e}", key(i)))?;
    }
    let blob = set.to_blob().map_err(|e| e.to_string())?;
    let build_seconds = started.elapsed().as_secs_f64();
    let probes = 1_000_000u64;
    let false_positives = (0..probes).filter(|i| set.contains_normalized(format!("absent-{i:010}").as_bytes())).count();
    let lookups: Vec<String> =
        (0..4096u64).map(|i| if i % 2 == 0 { key(i * 2_654_435_761 % keys) } else { format!("other-{i}") }).collect();
    let rounds = 500u64;
    let started = Instant::now();
    let mut hits = 0u64;
    for _ in 0..rounds {
        for lookup in &lookups {
            hits += u64::from(set.contains_normalized(lookup.as_bytes()));
        }
    }
    let host_lookup_ns = started.elapsed().as_nanos() as f64 / (rounds * lookups.len() as u64) as f64;
    std::hint::black_box(hits);
    Ok(Built {
        envoy_lookup_ns: f64::NAN,
        backend,
        keys,
        target,
        blob,
        build_seconds,
        measured_fp: false_positives as f64 / probes as f64,
        host_lookup_ns,
    })
}

/// Nanoseconds per lookup inside Envoy's V8, timed by the benchmark-only probe module over a
/// thousand lookups per request (median of many requests).
fn probe_in_envoy(blob: &[u8], keys: u64) -> Result<f64, String> {
    let mut config = EnvoyConfig::load("envoy/screen.yaml")?;
    config
        .make_local(&modules::release_dir(), &[("echo", sieve_e2e::closed_port()), ("feed", sieve_e2e::closed_port())]);
    config.rename_filter("sieve.screen", "sieve_bench_screen_probe.wasm");
    let plugin = serde_json::json!({"blob": base64::engine::general_purpose::STANDARD.encode(blob), "lookups": 1000});
    config.set_plugin_config("sieve.screen", &plugin.to_string());
    let options = EnvoyOptions {
        concurrency: 1,
        component_log_level: "wasm:warning".into(),
        ready_timeout: Duration::from_secs(300),
        ..EnvoyOptions::default()
    };
    let envoy = Envoy::start(&config, options)?;
    let mut samples = Vec::new();
    for _ in 0..60 {
        let reply = envoy.get("/").header("x-n", &keys.to_string()).try_send()?;
        if let Some(ns) = reply.header("x-lookup-ns").and_then(|v| v.parse::<f64>().ok()) {
            samples.push(ns);
        }
    }
    if samples.is_empty() {
        return Err(format!("the probe did not answer:\n{}", envoy.log()));
    }
    Ok(median(&mut samples))
}

/// Envoy with the screen filter in dry-run mode (every request reaches the direct response) and
/// `list` as its plugin list.
fn envoy_config(list: serde_json::Value) -> Result<EnvoyConfig, String> {
    let mut config = EnvoyConfig::load("envoy/screen.yaml")?;
    config
        .make_local(&modules::release_dir(), &[("echo", sieve_e2e::closed_port()), ("feed", sieve_e2e::closed_port())]);
    config.set_direct_response(200);
    let plugin = serde_json::json!({"key": {"header": {"name": "x-k"}}, "dry_run": true, "list": list});
    config.set_plugin_config("sieve.screen", &plugin.to_string());
    Ok(config)
}

/// Seconds from starting Envoy to ready: every VM (main thread and worker) decodes, checks and
/// loads the list from the config before Envoy is ready.
fn start_seconds(config: &EnvoyConfig) -> Result<f64, String> {
    let started = Instant::now();
    let options = EnvoyOptions {
        concurrency: 1,
        component_log_level: "wasm:warning".into(),
        ready_timeout: Duration::from_secs(300),
        ..EnvoyOptions::default()
    };
    let envoy = Envoy::start(config, options)?;
    let seconds = started.elapsed().as_secs_f64();
    drop(envoy);
    Ok(seconds)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

pub fn bench_screen(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    eprintln!("envoy: {}", crate::envoy_description()?);
    crate::build()?;
    let probe =
        modules::Module::standalone("sieve-bench-screen-probe", sieve_e2e::workspace_root().join("bench/screen-probe"));
    modules::build(&[probe], false)?;
    let mut rows = Vec::new();
    for &keys in &options.sizes {
        let mut built = Vec::new();
        for (backend, target) in [(Backend::Bloom, 0.01), (Backend::Bloom, 0.001), (Backend::Cuckoo, CUCKOO_FP_RATE)] {
            eprintln!("building {} {keys} keys at {target}...", backend.name());
            let mut b = build_and_measure(backend, keys, target)?;
            b.envoy_lookup_ns = probe_in_envoy(&b.blob, keys)?;
            built.push(b);
        }
        let baseline = envoy_config(serde_json::json!({"keys": ["key-0000000000"]}))?;
        let configs: Vec<EnvoyConfig> = built
            .iter()
            .map(|b| {
                envoy_config(serde_json::json!({"blob": base64::engine::general_purpose::STANDARD.encode(&b.blob)}))
            })
            .collect::<Result<_, _>>()?;
        // Interleaved rounds, order rotated: baseline and every list once per round.
        let mut starts = vec![Vec::new(); configs.len() + 1];
        for round in 0..options.rounds {
            for step in 0..=configs.len() {
                let index = (step + round) % (configs.len() + 1);
                let config = if index == 0 { &baseline } else { configs.get(index - 1).ok_or("index")? };
                eprintln!(
                    "round {} / {}: {}",
                    round + 1,
                    options.rounds,
                    if index == 0 { "one-key list".to_string() } else { format!("list {index}") }
                );
                let start = start_seconds(config)?;
                if let Some(s) = starts.get_mut(index) {
                    s.push(start);
                }
            }
        }
        let base_start = median(starts.get_mut(0).ok_or("no baseline")?);
        for (index, b) in built.into_iter().enumerate() {
            let start = median(starts.get_mut(index + 1).ok_or("index")?);
            rows.push((b, start - base_start, base_start));
        }
    }
    let mut table = String::from(
        "| backend | keys | target ε | bits/key | log2(1/ε) | 1.44·log2(1/ε) | measured ε | build | blob | lookup, host | lookup, in Envoy | Envoy start with the list |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (b, start_delta, base_start) in &rows {
        let bits = b.blob.len() as f64 * 8.0 / b.keys as f64;
        let minimum = (1.0 / b.target).log2();
        let target = if b.backend == Backend::Cuckoo {
            format!("fixed ≈{:.1}%", b.target * 100.0)
        } else {
            format!("{}%", b.target * 100.0)
        };
        table.push_str(&format!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.3}% | {:.1} s | {:.1} MB | {:.0} ns | {:.0} ns | +{:.2} s (one-key list: {:.2} s) |\n",
            b.backend.name(),
            b.keys,
            target,
            bits,
            minimum,
            1.44 * minimum,
            b.measured_fp * 100.0,
            b.build_seconds,
            b.blob.len() as f64 / 1e6,
            b.host_lookup_ns,
            b.envoy_lookup_ns,
            start_delta,
            base_start
        ));
    }
    println!("{table}");
    let out = sieve_e2e::workspace_root().join("target/bench");
    let _ = std::fs::create_dir_all(&out);
    let _ = std::fs::write(out.join("screen.md"), &table);
    eprintln!("written to target/bench/screen.md");
    Ok(())
}
