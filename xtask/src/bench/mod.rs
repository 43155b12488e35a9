//! `cargo xtask bench`: Sieve's filters against no filter, the bare proxy-wasm floor, Envoy's Lua
//! filter and Envoy's native filters, side by side in one run: every configuration's Envoy is up
//! at once, and each round measures every configuration once, back to back in a shuffled order,
//! with `wrk` as the load generator and Envoy's worker and `wrk` pinned to separate cores. Throughput, the CPU time of Envoy's worker threads
//! per request, and Envoy's RSS; the whole measurement repeated `--runs` times so the report can
//! say whether each target's figure repeats. Writes `bench/RESULTS.md` and `bench/added-us.svg`.
//!
//! - `config`: options, the configurations under test, their Envoy configs;
//! - `runs`:   wrk, the echo upstream, one configuration's Envoy measured round after round;
//! - `stats`:  medians, spreads, added costs, ratios, repeatability;
//! - `report`: targets, tables and the chart.

mod config;
mod report;
mod runs;
mod stats;

/// The bench's Envoy bootstrap and Wasm filter, for the other benchmarks (bench-memory).
pub(crate) use config::{envoy_config, wasm_filter_at, Setup};

use config::{list_blob, parse, setups};
use report::Report;
use runs::{wrk_binary, EchoProcess, Instance};
use sieve_e2e::{modules, workspace_root, Envoy};
use sieve_screen_set::Backend;
use stats::Results;
use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

/// Deterministic shuffle (xorshift): a different order every round, the same in every invocation.
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

pub(crate) fn bench(args: &[String]) -> Result<(), String> {
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
    let mut runs: Vec<Results> = Vec::new();
    let started = Instant::now();
    let total = options.runs * options.rounds * setups.len() * concurrencies.len();
    let mut done = 0;
    for run in 0..options.runs {
        let mut results = Results::new();
        for concurrency in concurrencies {
            // Every configuration's Envoy up at once (idle ones wait on epoll): a round then
            // measures them all back to back, and the figures compared come from the same minutes.
            eprintln!("run {}: starting {} Envoys with {concurrency} worker(s)...", run + 1, setups.len());
            let instances = setups
                .iter()
                .map(|setup| Instance::start(setup, concurrency, &options, echo.addr))
                .collect::<Result<Vec<_>, _>>()?;
            for round in 0..options.rounds {
                // Rounds are numbered across runs so that no two rounds share an order.
                for index in shuffled(setups.len(), run * options.rounds + round) {
                    let (setup, instance) = (&setups[index], &instances[index]);
                    let sample = instance.sample(setup, &options)?;
                    done += 1;
                    let cpu = |v: Option<f64>| v.map_or_else(|| "?".into(), |us| format!("{us:.2}"));
                    eprintln!(
                        "[{done}/{total}, run {}, c{concurrency}, round {}] {:<22} direct {:>8.0} rps {:>6} CPU µs, echo {:>8.0} rps {:>6} CPU µs, ready {:.2} s, RSS {:.1} MB",
                        run + 1,
                        round + 1,
                        setup.id,
                        sample.direct,
                        cpu(sample.direct_cpu_us),
                        sample.echo,
                        cpu(sample.echo_cpu_us),
                        sample.ready,
                        sample.rss as f64 / 1e6
                    );
                    results.entry((setup.id.to_string(), concurrency)).or_default().push(sample);
                }
            }
        }
        runs.push(results);
    }
    drop(echo);
    let report = Report {
        options: &options,
        setups: &setups,
        runs: &runs,
        pooled: stats::pooled(&runs),
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
