//! Running the load: wrk, the echo upstream, and one configuration measured at one concurrency.

use super::config::{Options, Setup};
use sieve_e2e::{workspace_root, Envoy, EnvoyOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One wrk run's result.
struct Run {
    rps: f64,
    non_2xx: u64,
}

pub(super) fn wrk_binary() -> Result<PathBuf, String> {
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
pub(super) struct Sample {
    pub direct: f64,
    pub echo: f64,
    /// Seconds from starting Envoy to the first request served.
    pub ready: f64,
    pub rss: u64,
    /// The screen filter's own timing of its list load in a VM (its `list_load_ms` gauge).
    pub list_load_ms: Option<f64>,
}

pub(super) fn measure(
    setup: &Setup,
    concurrency: u32,
    options: &Options,
    echo: std::net::SocketAddr,
) -> Result<Sample, String> {
    let config = super::config::envoy_config(setup, echo)?;
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

pub(super) struct EchoProcess {
    child: Child,
    pub addr: std::net::SocketAddr,
}

impl EchoProcess {
    pub(super) fn start(addr: std::net::SocketAddr) -> Result<EchoProcess, String> {
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
