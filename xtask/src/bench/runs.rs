//! Running the load: wrk, the echo upstream, and one configuration measured at one concurrency.

use super::config::{Options, Setup};
use sieve_e2e::{workspace_root, Envoy, EnvoyOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One wrk run's result.
#[derive(Debug, PartialEq)]
struct Run {
    rps: f64,
    /// Requests wrk completed (the divisor of the workers' CPU time).
    requests: u64,
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
    parse_wrk(&text).ok_or_else(|| format!("wrk output: {text}"))
}

/// wrk's summary: `N requests in 3.00s, ...`, `Requests/sec: R`, and a `Non-2xx or 3xx responses: M`
/// line only when there were some.
fn parse_wrk(text: &str) -> Option<Run> {
    let field = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.split_whitespace().next().map(String::from))
    };
    let rps = field("Requests/sec")?.parse::<f64>().ok()?;
    let requests = text.lines().find(|l| l.contains(" requests in "))?.split_whitespace().next()?.parse().ok()?;
    let non_2xx = field("Non-2xx or 3xx responses").and_then(|v| v.parse().ok()).unwrap_or(0);
    Some(Run { rps, requests, non_2xx })
}

/// The two routes every configuration is measured on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Route {
    /// A `direct_response` route: Envoy answers itself.
    Direct,
    /// Through Envoy to the echo upstream.
    Echo,
}

impl Route {
    pub const BOTH: [Route; 2] = [Route::Direct, Route::Echo];

    pub fn path(self) -> &'static str {
        match self {
            Route::Direct => "/direct",
            Route::Echo => "/echo",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Route::Direct => "direct",
            Route::Echo => "echo",
        }
    }
}

/// Measurements of one configuration in one round at one concurrency.
#[derive(Default, Clone, Debug)]
pub(super) struct Sample {
    pub direct: f64,
    pub echo: f64,
    /// CPU µs Envoy's worker threads spent per request during the measured run, per route.
    pub direct_cpu_us: Option<f64>,
    pub echo_cpu_us: Option<f64>,
    /// Seconds from starting Envoy to the first request served.
    pub ready: f64,
    pub rss: u64,
    /// The screen filter's own timing of its list load in a VM (its `list_load_ms` gauge).
    pub list_load_ms: Option<f64>,
}

impl Sample {
    pub fn rps(&self, route: Route) -> f64 {
        match route {
            Route::Direct => self.direct,
            Route::Echo => self.echo,
        }
    }

    pub fn cpu_us(&self, route: Route) -> Option<f64> {
        match route {
            Route::Direct => self.direct_cpu_us,
            Route::Echo => self.echo_cpu_us,
        }
    }
}

/// One configuration's Envoy at one concurrency, started once and measured round after round:
/// every configuration of a run is up at the same time, so one round measures them all within a
/// couple of minutes of each other instead of restarting Envoy for each sample.
pub(super) struct Instance {
    envoy: Envoy,
    workers: Vec<u32>,
    base: String,
    wrk_cpu: Option<usize>,
    connections: u32,
    /// Seconds from starting Envoy to the first request served.
    ready: f64,
}

impl Instance {
    pub(super) fn start(
        setup: &Setup,
        concurrency: u32,
        options: &Options,
        echo: std::net::SocketAddr,
    ) -> Result<Instance, String> {
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
                Ok(reply) => {
                    return Err(format!("{}: the first request got {}: {}", setup.id, reply.status, reply.body))
                }
                Err(_) if started.elapsed() < Duration::from_secs(300) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(e),
            }
        }
        let ready = started.elapsed().as_secs_f64();
        let workers = worker_threads(envoy.pid());
        if workers.len() != concurrency as usize {
            return Err(format!(
                "{}: found {} Envoy worker thread(s) named {WORKER_THREAD_PREFIX}N, expected {concurrency}",
                setup.id,
                workers.len()
            ));
        }
        let instance =
            Instance { envoy, workers, base, wrk_cpu, connections: options.connections * concurrency, ready };
        if options.warmup > 0 {
            wrk(&format!("{}/direct", instance.base), setup, options.warmup, instance.connections, wrk_cpu)?;
        }
        Ok(instance)
    }

    /// One round's measurement: each route for `options.seconds`.
    pub(super) fn sample(&self, setup: &Setup, options: &Options) -> Result<Sample, String> {
        let mut sample = Sample { ready: self.ready, ..Sample::default() };
        for route in Route::BOTH {
            // Read right around the measured run.
            let before = workers_cpu_ns(self.envoy.pid(), &self.workers);
            let run =
                wrk(&format!("{}{}", self.base, route.path()), setup, options.seconds, self.connections, self.wrk_cpu)?;
            let after = workers_cpu_ns(self.envoy.pid(), &self.workers);
            if run.non_2xx > 0 {
                return Err(format!(
                    "{} {}: {} responses were not 2xx:\n{}",
                    setup.id,
                    route.path(),
                    run.non_2xx,
                    self.envoy.log()
                ));
            }
            let cpu_us = match (before, after) {
                (Some(before), Some(after)) if run.requests > 0 => {
                    Some(after.saturating_sub(before) as f64 / 1000.0 / run.requests as f64)
                }
                _ => None,
            };
            match route {
                Route::Direct => (sample.direct, sample.direct_cpu_us) = (run.rps, cpu_us),
                Route::Echo => (sample.echo, sample.echo_cpu_us) = (run.rps, cpu_us),
            }
        }
        sample.rss = self.envoy.rss_bytes().unwrap_or(0);
        if setup.filters.iter().any(|f| f.contains("sieve_screen") || f.contains("sieve_chain")) {
            sample.list_load_ms = self.envoy.stats().get("wasmcustom.sieve.screen.list_load_ms").map(|v| *v as f64);
        }
        Ok(sample)
    }
}

/// Envoy 1.40 names its worker threads `wrk:worker_0`, `wrk:worker_1`, ... (the `wrk` is Envoy's
/// own abbreviation, nothing to do with the load generator); the main thread is `envoy`, the
/// watchdogs `dog:...`, gRPC's threads `Grpc...`.
const WORKER_THREAD_PREFIX: &str = "wrk:worker_";

fn is_worker_thread(comm: &str) -> bool {
    comm.trim_end().starts_with(WORKER_THREAD_PREFIX)
}

/// The thread ids of Envoy's workers, from /proc/PID/task/*/comm.
fn worker_threads(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return Vec::new() };
    let mut tids: Vec<u32> = tasks
        .filter_map(|task| {
            let task = task.ok()?;
            let comm = std::fs::read_to_string(task.path().join("comm")).ok()?;
            is_worker_thread(&comm).then(|| task.file_name().to_str()?.parse().ok())?
        })
        .collect();
    tids.sort_unstable();
    tids
}

/// The workers' CPU time so far, in ns; None if one of them cannot be read.
fn workers_cpu_ns(pid: u32, tids: &[u32]) -> Option<u64> {
    tids.iter().map(|tid| thread_cpu_ns(pid, *tid)).sum()
}

/// One thread's CPU time: schedstat counts it in ns; stat's utime + stime, in clock ticks, is the
/// fallback for kernels without schedstat.
fn thread_cpu_ns(pid: u32, tid: u32) -> Option<u64> {
    let dir = format!("/proc/{pid}/task/{tid}");
    if let Some(ns) = std::fs::read_to_string(format!("{dir}/schedstat")).ok().as_deref().and_then(parse_schedstat) {
        return Some(ns);
    }
    // SAFETY: sysconf has no preconditions.
    let ticks = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).ok().filter(|t| *t > 0).unwrap_or(100);
    parse_stat_cpu_ns(&std::fs::read_to_string(format!("{dir}/stat")).ok()?, ticks)
}

/// /proc/PID/task/TID/schedstat: `ns-on-cpu ns-waiting timeslices`.
fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

/// /proc/PID/task/TID/stat: utime and stime (fields 14 and 15, in clock ticks) converted to ns.
fn parse_stat_cpu_ns(text: &str, ticks_per_second: u64) -> Option<u64> {
    // The name in parentheses may hold spaces and parentheses: fields are counted after the last ')'.
    let fields: Vec<&str> = text.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 1_000_000_000 / ticks_per_second.max(1))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_summary_gives_rate_requests_and_failures() {
        let text = "Running 1s test @ http://127.0.0.1:1/direct\n  1 threads and 16 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   371.00us  100.00us   2.00ms   90.00%\n  41234 requests in 1.00s, 4.02MB read\n  Non-2xx or 3xx responses: 7\nRequests/sec:  41190.55\nTransfer/sec:      4.02MB\n";
        assert_eq!(parse_wrk(text), Some(Run { rps: 41190.55, requests: 41234, non_2xx: 7 }));
        let clean = text.replace("  Non-2xx or 3xx responses: 7\n", "");
        assert_eq!(parse_wrk(&clean).map(|r| r.non_2xx), Some(0));
        assert_eq!(parse_wrk("unable to connect to 127.0.0.1:1 Connection refused"), None);
    }

    #[test]
    fn schedstat_first_field_is_ns_on_cpu() {
        assert_eq!(parse_schedstat("2451008 1211382 44\n"), Some(2_451_008));
        assert_eq!(parse_schedstat(""), None);
        assert_eq!(parse_schedstat("x 1 2"), None);
    }

    #[test]
    fn stat_utime_and_stime_become_ns() {
        // utime 250 and stime 50 ticks at 100 per second: 3 s.
        let stat = "6087 (wrk:worker_0) S 1 6073 6073 0 -1 4194368 120 0 0 0 250 50 0 0 20 0 9 0 1234 0 0";
        assert_eq!(parse_stat_cpu_ns(stat, 100), Some(3_000_000_000));
        // A name with a space and a ')' does not shift the fields.
        let odd = "6087 (a) b c) S 1 6073 6073 0 -1 4194368 120 0 0 0 250 50 0 0 20 0 9 0 1234 0 0";
        assert_eq!(parse_stat_cpu_ns(odd, 100), Some(3_000_000_000));
        assert_eq!(parse_stat_cpu_ns("6087 (short) S 1", 100), None);
    }

    #[test]
    fn only_envoys_workers_count() {
        assert!(is_worker_thread("wrk:worker_0\n"));
        assert!(is_worker_thread("wrk:worker_11"));
        for other in ["envoy\n", "dog:main_thread", "dog:workers_gua", "GrpcGoogClient", "grpc_global_tim"] {
            assert!(!is_worker_thread(other), "{other}");
        }
    }
}
