//! `cargo xtask soak`: the fused chain in Envoy with two workers, a million requests of mixed traffic
//! (allowed, refused, malformed, screened, oversized), key sets and screening lists refreshed and
//! swapped while it runs. Fails if any answer differs from what its request must get, if a VM
//! failed or was replaced, or if Envoy's memory keeps growing after the warm-up. Writes
//! `target/soak/report.md`.

use base64::Engine;
use sieve_e2e::load::{read_response, ResponseHead};
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{modules, workspace_root, Envoy, EnvoyConfig, EnvoyOptions};
use sieve_services::{authz, feed::Feed, jwks};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";
const DEMO_PASSWORD: &str = "sieve-demo-password-8c6f1d2e9a7b4f03";
const BLOCKED: &str = "198.51.100.7";

struct Options {
    requests: u64,
    max_seconds: u64,
    connections: usize,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { requests: 1_000_000, max_seconds: 1200, connections: 16 };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--requests" => options.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
            "--max-seconds" => options.max_seconds = value()?.parse().map_err(|e| format!("--max-seconds: {e}"))?,
            other => return Err(format!("unknown option {other}; soak [--requests N] [--max-seconds S]")),
        }
    }
    Ok(options)
}

/// A kind of request and the status it must get, every time.
struct Class {
    name: &'static str,
    request: Vec<u8>,
    expect: u16,
    /// How many of every 100 requests.
    weight: usize,
}

fn request(path: &str, headers: &[(&str, String)]) -> Vec<u8> {
    let mut text = format!("GET {path} HTTP/1.1\r\nhost: soak.test\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

fn classes(token: &str) -> Vec<Class> {
    let key = ("x-api-key", DEMO_KEY.to_string());
    let basic = |password: &str| {
        (
            "authorization",
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("demo:{password}"))),
        )
    };
    let clean = ("x-forwarded-for", "203.0.113.10".to_string());
    vec![
        Class {
            name: "allowed, API key",
            request: request("/api/items", &[key.clone(), clean.clone()]),
            expect: 200,
            weight: 40,
        },
        Class {
            name: "allowed, JWT",
            request: request("/api/items", &[("authorization", format!("Bearer {token}")), clean.clone()]),
            expect: 200,
            weight: 15,
        },
        Class {
            name: "allowed, Basic on /admin",
            request: request("/admin/panel", &[basic(DEMO_PASSWORD), clean.clone()]),
            expect: 200,
            weight: 5,
        },
        Class {
            name: "no credentials",
            request: request("/api/items", std::slice::from_ref(&clean)),
            expect: 401,
            weight: 10,
        },
        Class {
            name: "malformed token",
            request: request("/", &[("authorization", "Bearer a.b.c%%%".into()), clean.clone()]),
            expect: 401,
            weight: 5,
        },
        Class {
            name: "wrong password",
            request: request("/", &[basic("not-the-password"), clean.clone()]),
            expect: 401,
            weight: 5,
        },
        Class {
            name: "forbidden on /admin",
            request: request("/admin/panel", &[key.clone(), clean.clone()]),
            expect: 403,
            weight: 5,
        },
        Class {
            name: "screened address",
            request: request("/", &[key.clone(), ("x-forwarded-for", BLOCKED.to_string())]),
            expect: 403,
            weight: 5,
        },
        Class {
            name: "missing required header",
            request: request("/tenants/a", &[key.clone(), clean.clone()]),
            expect: 400,
            weight: 5,
        },
        Class {
            name: "large headers",
            request: request("/", &[key, clean, ("x-junk", "j".repeat(30_000))]),
            expect: 200,
            weight: 5,
        },
    ]
}

/// RSS samples: (seconds since start, requests done, bytes).
type Samples = Arc<Mutex<Vec<(f64, u64, u64)>>>;

/// The chain VMs' linear memory (the `sieve.chain.vm_memory_bytes` gauge the module reports).
fn vm_memory(envoy: &Envoy) -> Option<u64> {
    let (_, body) = envoy.admin_get("/stats?filter=vm_memory_bytes").ok()?;
    body.lines().find_map(|line| line.strip_prefix("wasmcustom.sieve.chain.vm_memory_bytes: ")?.trim().parse().ok())
}

/// Least-squares slope of y over x.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (sx, sy) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + (x - mx) * (y - my), b + (x - mx).powi(2)));
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

pub fn soak(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    eprintln!("envoy: {}", crate::envoy_description()?);
    crate::build()?;

    // The services: a JWKS whose document changes (same keys) every few seconds, a feed whose list
    // is swapped (the blocked address always in it), the authorization service, the echo upstream.
    let echo = sieve_services::echo::spawn(([127, 0, 0, 1], 0).into()).map_err(|e| e.to_string())?;
    let document = jwks::Document::new(jwks::DEMO_JWKS);
    let jwks_server = sieve_services::spawn(([127, 0, 0, 1], 0).into(), jwks::handler(document.clone()))
        .map_err(|e| e.to_string())?;
    let authz_server = sieve_services::spawn(([127, 0, 0, 1], 0).into(), authz::handler(authz::demo_tokens()))
        .map_err(|e| e.to_string())?;
    let feed = Feed::new();
    feed.publish(format!("{BLOCKED}\n"));
    let feed_server = sieve_services::spawn(([127, 0, 0, 1], 0).into(), feed.handler()).map_err(|e| e.to_string())?;

    let mut config = EnvoyConfig::load("envoy/chain.yaml")?;
    config.make_local(
        &modules::release_dir(),
        &[("echo", echo.addr), ("jwks", jwks_server.addr), ("authz", authz_server.addr), ("feed", feed_server.addr)],
    );
    // Refreshes during the run: key sets every 2 s, the list every 2 s.
    let mut plugin: serde_json::Value =
        serde_json::from_str(&config.plugin_config("sieve.chain").ok_or("no sieve.chain")?)
            .map_err(|e| e.to_string())?;
    plugin["stages"][1]["auth"]["providers"][2]["jwt"]["remote_jwks"]["refresh_seconds"] = serde_json::json!(2);
    plugin["stages"][2]["screen"]["list"]["feed"]["refresh_seconds"] = serde_json::json!(2);
    config.set_plugin_config("sieve.chain", &plugin.to_string());
    let envoy = Envoy::start(
        &config,
        EnvoyOptions { concurrency: 2, component_log_level: "wasm:warning".into(), ..EnvoyOptions::default() },
    )?;
    let addr = envoy.listener();
    let token =
        sign_with("RS256", DemoKey::Rsa1, &claims("soak", serde_json::json!({"exp": sieve_e2e::tokens::now() + 7200})));
    let classes = Arc::new(classes(&token));
    // Ready: keys and list in on both workers.
    let deadline = Instant::now() + Duration::from_secs(20);
    'ready: loop {
        let mut all = true;
        for class in classes.iter() {
            let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
            let mut buffer = Vec::new();
            stream.write_all(&class.request).map_err(|e| e.to_string())?;
            if read_response(&mut stream, &mut buffer).map(|head| head.status) != Some(class.expect) {
                all = false;
            }
        }
        if all {
            break 'ready;
        }
        if Instant::now() > deadline {
            return Err(format!("not ready in 20 s:\n{}", envoy.log()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let vms_at_start = envoy.stats().get("wasm.envoy.wasm.runtime.v8.created").copied().unwrap_or(0);

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let wrong = Arc::new(AtomicU64::new(0));
    let transport = Arc::new(AtomicU64::new(0));
    let first_wrong: Arc<Mutex<Vec<String>>> = Arc::default();
    let schedule: Arc<Vec<usize>> =
        Arc::new(classes.iter().enumerate().flat_map(|(i, c)| std::iter::repeat_n(i, c.weight)).collect());
    let target = options.requests;
    let workers: Vec<_> = (0..options.connections)
        .map(|index| {
            let (stop, done, wrong, transport, first_wrong, schedule, classes) = (
                stop.clone(),
                done.clone(),
                wrong.clone(),
                transport.clone(),
                first_wrong.clone(),
                schedule.clone(),
                classes.clone(),
            );
            std::thread::spawn(move || {
                let mut next = index * 37;
                let mut buffer = Vec::with_capacity(64 * 1024);
                'connect: while !stop.load(Ordering::Relaxed) {
                    let Ok(mut stream) = TcpStream::connect(addr) else {
                        transport.fetch_add(1, Ordering::Relaxed);
                        continue;
                    };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    // Without it, Nagle and delayed ACKs hold each small request for ~40 ms.
                    let _ = stream.set_nodelay(true);
                    while !stop.load(Ordering::Relaxed) {
                        if done.load(Ordering::Relaxed) >= target {
                            return;
                        }
                        let class = schedule.get(next % schedule.len()).and_then(|i| classes.get(*i));
                        next += 1;
                        let Some(class) = class else { return };
                        if stream.write_all(&class.request).is_err() {
                            transport.fetch_add(1, Ordering::Relaxed);
                            continue 'connect;
                        }
                        match read_response(&mut stream, &mut buffer) {
                            Some(ResponseHead { status, closes }) => {
                                done.fetch_add(1, Ordering::Relaxed);
                                if status != class.expect {
                                    wrong.fetch_add(1, Ordering::Relaxed);
                                    if let Ok(mut first) = first_wrong.lock() {
                                        if first.len() < 10 {
                                            first.push(format!("{}: {status} instead of {}", class.name, class.expect));
                                        }
                                    }
                                }
                                if closes {
                                    continue 'connect;
                                }
                            }
                            None => {
                                transport.fetch_add(1, Ordering::Relaxed);
                                continue 'connect;
                            }
                        }
                    }
                }
            })
        })
        .collect();

    let samples: Samples = Arc::default();
    let started = Instant::now();
    let mut swaps = 0;
    let mut key_set_versions = 0;
    let mut last_change = Instant::now();
    let mut vm_after_warmup = None;
    while done.load(Ordering::Relaxed) < target && started.elapsed() < Duration::from_secs(options.max_seconds) {
        std::thread::sleep(Duration::from_secs(1));
        let count = done.load(Ordering::Relaxed);
        if let (Ok(mut samples), Some(rss)) = (samples.lock(), envoy.rss_bytes()) {
            samples.push((started.elapsed().as_secs_f64(), count, rss));
        }
        if count >= target / 5 && vm_after_warmup.is_none() {
            vm_after_warmup = vm_memory(&envoy);
        }
        // Every 5 s: a new list (the blocked address stays; no address a request uses as a clean
        // client joins it) and a re-served key set (same keys).
        if last_change.elapsed() >= Duration::from_secs(5) {
            last_change = Instant::now();
            swaps += 1;
            let filler: String = (0..1000)
                .map(|i| format!("198.18.{}.{}\n10.{swaps}.{}.{}\n", i / 250, i % 250, i / 250, i % 250))
                .collect();
            feed.publish(format!("# version {swaps}\n{BLOCKED}\n{filler}"));
            key_set_versions += 1;
            // The same keys in another order: a new document (and ETag) with nothing changed in it.
            let mut keys: serde_json::Value = serde_json::from_str(jwks::DEMO_JWKS).map_err(|e| e.to_string())?;
            if key_set_versions % 2 == 1 {
                if let Some(list) = keys["keys"].as_array_mut() {
                    list.reverse();
                }
            }
            document.set(keys.to_string());
        }
        eprint!(
            "\r{:>9} requests, {:>6} wrong, {:>5} transport errors, RSS {:>6.1} MB, {:>4.0} s",
            count,
            wrong.load(Ordering::Relaxed),
            transport.load(Ordering::Relaxed),
            envoy.rss_bytes().unwrap_or(0) as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        let _ = worker.join();
    }
    eprintln!();
    let seconds = started.elapsed().as_secs_f64();
    let total = done.load(Ordering::Relaxed);
    let stats = envoy.stats();
    let vms_at_end = stats.get("wasm.envoy.wasm.runtime.v8.created").copied().unwrap_or(0);
    let feed_updates = stats.get("wasmcustom.sieve.screen.feed_updates").copied().unwrap_or(0);
    let jwks_updates = stats.get("wasmcustom.sieve.auth.tokens.jwks_updated").copied().unwrap_or(0);
    let log = envoy.log();
    let panicked = log.contains("panicked") || log.contains("Plugin failed") || log.contains("VM failed");

    // Memory after the warm-up (the first fifth of the requests).
    let samples = samples.lock().map(|s| s.clone()).unwrap_or_default();
    let warm: Vec<&(f64, u64, u64)> = samples.iter().filter(|(_, count, _)| *count >= total / 5).collect();
    let points: Vec<(f64, f64)> =
        warm.iter().map(|(_, count, rss)| (*count as f64 / 100_000.0, *rss as f64 / 1e6)).collect();
    let mb_per_100k = slope(&points);
    let (first, last) = (warm.first().map(|s| s.2).unwrap_or(0), warm.last().map(|s| s.2).unwrap_or(0));
    let peak = samples.iter().map(|s| s.2).max().unwrap_or(0);
    let growth_mb = (last as f64 - first as f64) / 1e6;
    let vm_at_end = vm_memory(&envoy);
    let vm_growth_mb = match (vm_after_warmup, vm_at_end) {
        (Some(start), Some(end)) => (end as f64 - start as f64) / 1e6,
        _ => f64::NAN,
    };
    // A VM's memory only grows: past the warm-up, a leak would keep adding pages.
    let flat = mb_per_100k < 0.5 && growth_mb < 8.0 && vm_growth_mb < 2.0;

    let wrong_total = wrong.load(Ordering::Relaxed);
    let first_wrong = first_wrong.lock().map(|f| f.clone()).unwrap_or_default();
    let mut report = String::new();
    report.push_str(&format!(
        "# Soak run\n\n`cargo xtask soak` — {} Envoy, `--concurrency 2`, the fused chain (`envoy/chain.yaml`: headers, auth, screen), {} keep-alive connections.\n\n",
        Envoy::version().unwrap_or_default(),
        options.connections
    ));
    report.push_str(&format!(
        "| figure | value |\n|---|---|\n| requests | {total} in {seconds:.0} s ({:.0}/s) |\n",
        total as f64 / seconds
    ));
    report.push_str(&format!("| answers that differed from what the request must get | {wrong_total} |\n"));
    report.push_str(&format!(
        "| transport errors (connection closed or timed out) | {} |\n",
        transport.load(Ordering::Relaxed)
    ));
    report.push_str(&format!("| screening list swaps / versions taken by the VMs | {swaps} / {feed_updates} |\n"));
    report.push_str(&format!("| key set versions served / taken by the VMs | {key_set_versions} / {jwks_updates} |\n"));
    report.push_str(&format!(
        "| VMs created at start / at the end (a trap would add some) | {vms_at_start} / {vms_at_end} |\n"
    ));
    report.push_str(&format!(
        "| Envoy RSS after warm-up: first / last / peak | {:.1} / {:.1} / {:.1} MB |\n",
        first as f64 / 1e6,
        last as f64 / 1e6,
        peak as f64 / 1e6
    ));
    report.push_str(&format!(
        "| RSS slope after warm-up (least squares) | {mb_per_100k:+.3} MB per 100,000 requests |\n"
    ));
    let mb = |v: Option<u64>| v.map_or("unknown".to_string(), |b| format!("{:.2} MB", b as f64 / 1e6));
    report.push_str(&format!(
        "| a chain VM's linear memory after warm-up / at the end (`sieve.chain.vm_memory_bytes`) | {} / {} |\n\n",
        mb(vm_after_warmup),
        mb(vm_at_end)
    ));
    report.push_str("| request class | expected status | share |\n|---|---|---|\n");
    for class in classes.iter() {
        report.push_str(&format!("| {} | {} | {}% |\n", class.name, class.expect, class.weight));
    }
    if !first_wrong.is_empty() {
        report.push_str(&format!("\nFirst differing answers:\n\n```\n{}\n```\n", first_wrong.join("\n")));
    }
    let out = workspace_root().join("target/soak");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("report.md"), &report).map_err(|e| e.to_string())?;
    println!("{report}");
    let mut failures = Vec::new();
    if total < options.requests {
        failures.push(format!("only {total} of {} requests within {} s", options.requests, options.max_seconds));
    }
    if wrong_total > 0 {
        failures.push(format!("{wrong_total} answers differed"));
    }
    if vms_at_end != vms_at_start || panicked {
        failures.push(format!("a VM failed or was replaced ({vms_at_start} -> {vms_at_end} created)"));
    }
    if !flat {
        failures.push(format!(
            "memory keeps growing: {mb_per_100k:+.3} MB per 100k requests, {growth_mb:+.1} MB after warm-up, VM {vm_growth_mb:+.2} MB"
        ));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}
