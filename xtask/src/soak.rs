//! `cargo xtask soak`: the fused chain in Envoy with two workers, a million requests of mixed traffic
//! (allowed, refused, malformed, screened, oversized), key sets and screening lists refreshed and
//! swapped while it runs. Fails if any answer differs from what its request must get, if a VM
//! failed or was replaced, or if Envoy's memory keeps growing after the warm-up. Writes
//! `target/soak/report.md`.
//!
//! The steps, in order: options, the services, the Envoy config (edited by listener, filter, stage
//! and provider name), the traffic mix, the run loop (clients, list and key-set changes, memory
//! samples), the memory verdict, the report.

use base64::Engine;
use serde_json::Value;
use sieve_e2e::load::{read_response, ResponseHead};
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{modules, workspace_root, Envoy, EnvoyConfig, EnvoyOptions};
use sieve_services::{authz, feed::Feed, jwks, Background};
use sieve_tooling::config::{auth_provider_mut, chain_stage_mut};
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[cfg(test)]
#[path = "soak_test.rs"]
mod tests;

const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";
const DEMO_PASSWORD: &str = "sieve-demo-password-8c6f1d2e9a7b4f03";
const BLOCKED: &str = "198.51.100.7";

/// What the run edits and drives in `envoy/chain.yaml`, by name.
const CONFIG_FILE: &str = "envoy/chain.yaml";
const LISTENER: &str = "ingress";
const CHAIN_FILTER: &str = "sieve.chain";
/// The JWT provider whose key set is re-served during the run.
const JWT_PROVIDER: &str = "tokens";
/// How often the VMs fetch key sets and the list during the run (the shipped config: minutes).
const REFRESH_SECONDS: u64 = 2;
/// How often the run publishes a new list and re-serves the key set.
const CHANGE_EVERY: Duration = Duration::from_secs(5);
/// Envoy's count of Wasm VMs created: a trap replaces a VM, which adds one.
const VMS_CREATED: &str = "wasm.envoy.wasm.runtime.v8.created";

// Options.

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

// The services.

/// The services the chain calls: a JWKS whose document changes (same keys) every few seconds, a
/// feed whose list is swapped (the blocked address always in it), the authorization service, the
/// echo upstream. They stop when dropped.
struct Services {
    echo: Background,
    document: jwks::Document,
    jwks: Background,
    authz: Background,
    feed: Feed,
    feed_server: Background,
}

impl Services {
    fn start() -> Result<Services, String> {
        let loopback = || SocketAddr::from(([127, 0, 0, 1], 0));
        let echo = sieve_services::echo::spawn(loopback()).map_err(|e| e.to_string())?;
        let document = jwks::Document::new(jwks::DEMO_JWKS);
        let jwks = sieve_services::spawn(loopback(), jwks::handler(document.clone())).map_err(|e| e.to_string())?;
        let authz =
            sieve_services::spawn(loopback(), authz::handler(authz::demo_tokens())).map_err(|e| e.to_string())?;
        let feed = Feed::new();
        feed.publish(format!("{BLOCKED}\n"));
        let feed_server = sieve_services::spawn(loopback(), feed.handler()).map_err(|e| e.to_string())?;
        Ok(Services { echo, document, jwks, authz, feed, feed_server })
    }

    /// The config's clusters, by name, and where each service listens.
    fn clusters(&self) -> [(&'static str, SocketAddr); 4] {
        [
            ("echo", self.echo.addr),
            ("jwks", self.jwks.addr),
            ("authz", self.authz.addr),
            ("feed", self.feed_server.addr),
        ]
    }

    /// Change number `version`: a new list (the blocked address stays; no address a request uses
    /// as a clean client joins it) and a re-served key set (same keys).
    fn change(&self, version: u64) -> Result<(), String> {
        let filler: String = (0..1000)
            .map(|i| format!("198.18.{}.{}\n10.{version}.{}.{}\n", i / 250, i % 250, i / 250, i % 250))
            .collect();
        self.feed.publish(format!("# version {version}\n{BLOCKED}\n{filler}"));
        // The same keys in another order: a new document (and ETag) with nothing changed in it.
        let mut keys: Value = serde_json::from_str(jwks::DEMO_JWKS).map_err(|e| e.to_string())?;
        if version % 2 == 1 {
            if let Some(list) = keys.get_mut("keys").and_then(Value::as_array_mut) {
                list.reverse();
            }
        }
        self.document.set(keys.to_string());
        Ok(())
    }
}

// The Envoy config.

/// `envoy/chain.yaml` on loopback in front of `services`, with key sets and the list refreshed every
/// [`REFRESH_SECONDS`].
fn soak_config(services: &Services) -> Result<EnvoyConfig, String> {
    let mut config = EnvoyConfig::load(CONFIG_FILE)?;
    config.make_local(&modules::release_dir(), &services.clusters());
    config.edit_plugin_config(CHAIN_FILTER, refresh_often)?;
    Ok(config)
}

/// Makes the chain's JWT provider refetch its key set, and its screen stage its list, every
/// [`REFRESH_SECONDS`].
fn refresh_often(chain: &mut Value) -> Result<(), String> {
    let jwt = auth_provider_mut(chain_stage_mut(chain, "auth")?, JWT_PROVIDER)?;
    set_refresh_seconds(jwt, "remote_jwks")?;
    let list = chain_stage_mut(chain, "screen")?.get_mut("list").ok_or("the screen stage has no list")?;
    set_refresh_seconds(list, "feed")
}

/// Sets `refresh_seconds` of the `source` object in `settings`.
fn set_refresh_seconds(settings: &mut Value, source: &str) -> Result<(), String> {
    let source = settings.get_mut(source).and_then(Value::as_object_mut).ok_or_else(|| format!("no {source}"))?;
    source.insert("refresh_seconds".into(), serde_json::json!(REFRESH_SECONDS));
    Ok(())
}

// The traffic mix.

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

/// A token the demo key set verifies, valid for two hours.
fn demo_token() -> String {
    sign_with("RS256", DemoKey::Rsa1, &claims("soak", serde_json::json!({"exp": sieve_e2e::tokens::now() + 7200})))
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

// The run loop.

/// Waits until every class gets its status (keys and list in on both workers), for up to 20 s.
fn wait_until_ready(addr: SocketAddr, classes: &[Class], envoy: &Envoy) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut all = true;
        for class in classes {
            let mut stream = TcpStream::connect(addr).map_err(|e| e.to_string())?;
            let mut buffer = Vec::new();
            stream.write_all(&class.request).map_err(|e| e.to_string())?;
            if read_response(&mut stream, &mut buffer).map(|head| head.status) != Some(class.expect) {
                all = false;
            }
        }
        if all {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("not ready in 20 s:\n{}", envoy.log()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What the clients count, shared between them and the run loop.
#[derive(Default)]
struct Tally {
    stop: AtomicBool,
    done: AtomicU64,
    wrong: AtomicU64,
    transport: AtomicU64,
    /// The first ten answers that differed.
    first_wrong: Mutex<Vec<String>>,
}

impl Tally {
    fn record_wrong(&self, class: &Class, status: u16) {
        self.wrong.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut first) = self.first_wrong.lock() {
            if first.len() < 10 {
                first.push(format!("{}: {status} instead of {}", class.name, class.expect));
            }
        }
    }
}

/// One keep-alive client per connection, each sending the classes in their weighted order.
fn spawn_clients(
    addr: SocketAddr,
    classes: &Arc<Vec<Class>>,
    tally: &Arc<Tally>,
    options: &Options,
) -> Vec<JoinHandle<()>> {
    let schedule: Arc<Vec<usize>> =
        Arc::new(classes.iter().enumerate().flat_map(|(i, c)| std::iter::repeat_n(i, c.weight)).collect());
    (0..options.connections)
        .map(|index| {
            let (classes, tally, schedule) = (classes.clone(), tally.clone(), schedule.clone());
            let target = options.requests;
            std::thread::spawn(move || client(index, addr, &classes, &schedule, &tally, target))
        })
        .collect()
}

/// Sends requests until `target` are done or the run stops, reconnecting when a connection closes.
fn client(index: usize, addr: SocketAddr, classes: &[Class], schedule: &[usize], tally: &Tally, target: u64) {
    let mut next = index * 37;
    let mut buffer = Vec::with_capacity(64 * 1024);
    'connect: while !tally.stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(addr) else {
            tally.transport.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        // Without it, Nagle and delayed ACKs hold each small request for ~40 ms.
        let _ = stream.set_nodelay(true);
        while !tally.stop.load(Ordering::Relaxed) {
            if tally.done.load(Ordering::Relaxed) >= target {
                return;
            }
            let class = schedule.get(next % schedule.len()).and_then(|i| classes.get(*i));
            next += 1;
            let Some(class) = class else { return };
            if stream.write_all(&class.request).is_err() {
                tally.transport.fetch_add(1, Ordering::Relaxed);
                continue 'connect;
            }
            match read_response(&mut stream, &mut buffer) {
                Some(ResponseHead { status, closes }) => {
                    tally.done.fetch_add(1, Ordering::Relaxed);
                    if status != class.expect {
                        tally.record_wrong(class, status);
                    }
                    if closes {
                        continue 'connect;
                    }
                }
                None => {
                    tally.transport.fetch_add(1, Ordering::Relaxed);
                    continue 'connect;
                }
            }
        }
    }
}

/// Envoy's RSS when `requests` were done.
#[derive(Debug, Clone, Copy)]
struct Sample {
    requests: u64,
    rss: u64,
}

/// What the run loop saw.
struct Run {
    started: Instant,
    samples: Vec<Sample>,
    /// List and key-set changes made (each change publishes one of each).
    changes: u64,
    vm_after_warmup: Option<u64>,
}

/// Every second until the clients are done or time is up: an RSS sample, the VM's memory once past
/// the warm-up, a list and key-set change every [`CHANGE_EVERY`], a progress line.
fn run_loop(envoy: &Envoy, services: &Services, tally: &Tally, options: &Options) -> Result<Run, String> {
    let target = options.requests;
    let started = Instant::now();
    let mut run = Run { started, samples: Vec::new(), changes: 0, vm_after_warmup: None };
    let mut last_change = Instant::now();
    while tally.done.load(Ordering::Relaxed) < target && started.elapsed() < Duration::from_secs(options.max_seconds) {
        std::thread::sleep(Duration::from_secs(1));
        let count = tally.done.load(Ordering::Relaxed);
        if let Some(rss) = envoy.rss_bytes() {
            run.samples.push(Sample { requests: count, rss });
        }
        if count >= target / 5 && run.vm_after_warmup.is_none() {
            run.vm_after_warmup = vm_memory(envoy);
        }
        if last_change.elapsed() >= CHANGE_EVERY {
            last_change = Instant::now();
            run.changes += 1;
            services.change(run.changes)?;
        }
        eprint!(
            "\r{:>9} requests, {:>6} wrong, {:>5} transport errors, RSS {:>6.1} MB, {:>4.0} s",
            count,
            tally.wrong.load(Ordering::Relaxed),
            tally.transport.load(Ordering::Relaxed),
            envoy.rss_bytes().unwrap_or(0) as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(run)
}

// The memory watch.

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

/// Envoy's and the VM's memory after the warm-up (the first fifth of the requests).
struct Memory {
    /// RSS after the warm-up, in bytes.
    first: u64,
    last: u64,
    /// RSS over the whole run.
    peak: u64,
    mb_per_100k: f64,
    growth_mb: f64,
    vm_after_warmup: Option<u64>,
    vm_at_end: Option<u64>,
    vm_growth_mb: f64,
}

impl Memory {
    fn measure(samples: &[Sample], total: u64, vm_after_warmup: Option<u64>, vm_at_end: Option<u64>) -> Memory {
        let warm: Vec<&Sample> = samples.iter().filter(|s| s.requests >= total / 5).collect();
        let points: Vec<(f64, f64)> =
            warm.iter().map(|s| (s.requests as f64 / 100_000.0, s.rss as f64 / 1e6)).collect();
        let (first, last) = (warm.first().map(|s| s.rss).unwrap_or(0), warm.last().map(|s| s.rss).unwrap_or(0));
        let vm_growth_mb = match (vm_after_warmup, vm_at_end) {
            (Some(start), Some(end)) => (end as f64 - start as f64) / 1e6,
            _ => f64::NAN,
        };
        Memory {
            first,
            last,
            peak: samples.iter().map(|s| s.rss).max().unwrap_or(0),
            mb_per_100k: slope(&points),
            growth_mb: (last as f64 - first as f64) / 1e6,
            vm_after_warmup,
            vm_at_end,
            vm_growth_mb,
        }
    }

    /// A VM's memory only grows: past the warm-up, a leak would keep adding pages.
    fn flat(&self) -> bool {
        self.mb_per_100k < 0.5 && self.growth_mb < 8.0 && self.vm_growth_mb < 2.0
    }
}

// The report.

/// Every figure the report shows and the verdict checks.
struct Figures {
    total: u64,
    seconds: f64,
    wrong: u64,
    transport: u64,
    first_wrong: Vec<String>,
    changes: u64,
    feed_updates: i64,
    jwks_updates: i64,
    vms_at_start: i64,
    vms_at_end: i64,
    /// Envoy logged a panic or a failed plugin or VM.
    panicked: bool,
    memory: Memory,
}

fn report(figures: &Figures, classes: &[Class], options: &Options) -> String {
    let Figures { total, seconds, wrong, transport, changes, feed_updates, jwks_updates, .. } = figures;
    let (vms_at_start, vms_at_end, memory) = (figures.vms_at_start, figures.vms_at_end, &figures.memory);
    let mut report = String::new();
    report.push_str(&format!(
        "# Soak run\n\n`cargo xtask soak` — {} Envoy, `--concurrency 2`, the fused chain (`envoy/chain.yaml`: headers, auth, screen), {} keep-alive connections.\n\n",
        Envoy::version().unwrap_or_default(),
        options.connections
    ));
    report.push_str(&format!(
        "| figure | value |\n|---|---|\n| requests | {total} in {seconds:.0} s ({:.0}/s) |\n",
        *total as f64 / seconds
    ));
    report.push_str(&format!("| answers that differed from what the request must get | {wrong} |\n"));
    report.push_str(&format!("| transport errors (connection closed or timed out) | {transport} |\n"));
    report.push_str(&format!("| screening list swaps / versions taken by the VMs | {changes} / {feed_updates} |\n"));
    report.push_str(&format!("| key set versions served / taken by the VMs | {changes} / {jwks_updates} |\n"));
    report.push_str(&format!(
        "| VMs created at start / at the end (a trap would add some) | {vms_at_start} / {vms_at_end} |\n"
    ));
    report.push_str(&format!(
        "| Envoy RSS after warm-up: first / last / peak | {:.1} / {:.1} / {:.1} MB |\n",
        memory.first as f64 / 1e6,
        memory.last as f64 / 1e6,
        memory.peak as f64 / 1e6
    ));
    report.push_str(&format!(
        "| RSS slope after warm-up (least squares) | {:+.3} MB per 100,000 requests |\n",
        memory.mb_per_100k
    ));
    let mb = |v: Option<u64>| v.map_or("unknown".to_string(), |b| format!("{:.2} MB", b as f64 / 1e6));
    report.push_str(&format!(
        "| a chain VM's linear memory after warm-up / at the end (`sieve.chain.vm_memory_bytes`) | {} / {} |\n\n",
        mb(memory.vm_after_warmup),
        mb(memory.vm_at_end)
    ));
    report.push_str("| request class | expected status | share |\n|---|---|---|\n");
    for class in classes {
        report.push_str(&format!("| {} | {} | {}% |\n", class.name, class.expect, class.weight));
    }
    if !figures.first_wrong.is_empty() {
        report.push_str(&format!("\nFirst differing answers:\n\n```\n{}\n```\n", figures.first_wrong.join("\n")));
    }
    report
}

/// Why the run failed; empty if it passed.
fn failures(figures: &Figures, options: &Options) -> Vec<String> {
    let Figures { total, wrong, vms_at_start, vms_at_end, memory, .. } = figures;
    let mut failures = Vec::new();
    if *total < options.requests {
        failures.push(format!("only {total} of {} requests within {} s", options.requests, options.max_seconds));
    }
    if *wrong > 0 {
        failures.push(format!("{wrong} answers differed"));
    }
    if vms_at_end != vms_at_start || figures.panicked {
        failures.push(format!("a VM failed or was replaced ({vms_at_start} -> {vms_at_end} created)"));
    }
    if !memory.flat() {
        failures.push(format!(
            "memory keeps growing: {:+.3} MB per 100k requests, {:+.1} MB after warm-up, VM {:+.2} MB",
            memory.mb_per_100k, memory.growth_mb, memory.vm_growth_mb
        ));
    }
    failures
}

pub fn soak(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    eprintln!("envoy: {}", crate::envoy_description()?);
    crate::build()?;

    let services = Services::start()?;
    let envoy = Envoy::start(
        &soak_config(&services)?,
        EnvoyOptions { concurrency: 2, component_log_level: "wasm:warning".into(), ..EnvoyOptions::default() },
    )?;
    let addr = envoy.listeners.get(LISTENER).copied().ok_or_else(|| format!("Envoy has no listener {LISTENER}"))?;
    let classes = Arc::new(classes(&demo_token()));
    wait_until_ready(addr, &classes, &envoy)?;
    let vms_at_start = envoy.stats().get(VMS_CREATED).copied().unwrap_or(0);

    let tally = Arc::new(Tally::default());
    let clients = spawn_clients(addr, &classes, &tally, &options);
    let run = run_loop(&envoy, &services, &tally, &options);
    tally.stop.store(true, Ordering::Relaxed);
    for client in clients {
        let _ = client.join();
    }
    eprintln!();
    let run = run?;
    // Counted to the last answer: after the clients stopped.
    let seconds = run.started.elapsed().as_secs_f64();
    let total = tally.done.load(Ordering::Relaxed);
    let stats = envoy.stats();
    let log = envoy.log();
    let figures = Figures {
        total,
        seconds,
        wrong: tally.wrong.load(Ordering::Relaxed),
        transport: tally.transport.load(Ordering::Relaxed),
        first_wrong: tally.first_wrong.lock().map(|f| f.clone()).unwrap_or_default(),
        changes: run.changes,
        feed_updates: stats.get("wasmcustom.sieve.screen.feed_updates").copied().unwrap_or(0),
        jwks_updates: stats.get("wasmcustom.sieve.auth.tokens.jwks_updated").copied().unwrap_or(0),
        vms_at_start,
        vms_at_end: stats.get(VMS_CREATED).copied().unwrap_or(0),
        panicked: log.contains("panicked") || log.contains("Plugin failed") || log.contains("VM failed"),
        memory: Memory::measure(&run.samples, total, run.vm_after_warmup, vm_memory(&envoy)),
    };

    let report = report(&figures, &classes, &options);
    let out = workspace_root().join("target/soak");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("report.md"), &report).map_err(|e| e.to_string())?;
    println!("{report}");
    let failures = failures(&figures, &options);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}
