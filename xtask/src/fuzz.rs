//! `cargo xtask fuzz [--secs N] [--target NAME]`: every cargo-fuzz target in `fuzz/`, each for N
//! seconds (default 60), from its checked-in seeds (`fuzz/seeds/<target>/`). Installs what it needs
//! (the nightly toolchain through rustup, cargo-fuzz into `.tools/`), builds the filter modules for
//! the emulator target, and writes `target/fuzz/report.md`. A crash fails the run and leaves the
//! input under `target/fuzz/artifacts/<target>/`.

use sieve_e2e::workspace_root;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub const TARGETS: &[&str] = &[
    "config_headers",
    "config_auth",
    "config_screen",
    "config_chain",
    "header_interpolation",
    "credentials",
    "jwt",
    "jwks",
    "xff_cidr",
    "screen_blob",
    "feed_delta",
    "extauthz_response",
    "emulator_abi",
];

struct Options {
    seconds: u64,
    only: Option<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { seconds: 60, only: None };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--secs" => options.seconds = value()?.parse().map_err(|e| format!("--secs: {e}"))?,
            "--target" => options.only = Some(value()?),
            other => return Err(format!("unknown option {other}; fuzz [--secs N] [--target NAME]")),
        }
    }
    if let Some(only) = &options.only {
        if !TARGETS.contains(&only.as_str()) {
            return Err(format!("no fuzz target {only}; targets: {}", TARGETS.join(", ")));
        }
    }
    Ok(options)
}

fn tools_dir() -> PathBuf {
    workspace_root().join(".tools/cargo-fuzz")
}

/// The nightly toolchain (cargo fuzz needs it for the sanitizer flags) and cargo-fuzz itself.
pub(crate) fn ensure_tools() -> Result<(), String> {
    let nightly = Command::new("rustup").args(["run", "nightly", "rustc", "--version"]).output();
    if !nightly.is_ok_and(|o| o.status.success()) {
        eprintln!("installing the nightly toolchain (rustup)...");
        let status = Command::new("rustup")
            .args(["toolchain", "install", "nightly", "--profile", "minimal"])
            .status()
            .map_err(|e| format!("rustup: {e}"))?;
        if !status.success() {
            return Err("cannot install the nightly toolchain".into());
        }
    }
    if !tools_dir().join("bin/cargo-fuzz").is_file() {
        eprintln!("installing cargo-fuzz into {} ...", tools_dir().display());
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["install", "cargo-fuzz", "--locked", "--root"])
            .arg(tools_dir())
            .status()
            .map_err(|e| format!("cargo install: {e}"))?;
        if !status.success() {
            return Err("cannot install cargo-fuzz".into());
        }
    }
    Ok(())
}

fn path_with_tools() -> String {
    let tools = tools_dir().join("bin");
    match std::env::var("PATH") {
        Ok(path) => format!("{}:{path}", tools.display()),
        Err(_) => tools.display().to_string(),
    }
}

/// One target's run.
struct Outcome {
    target: String,
    runs: u64,
    seconds: f64,
    corpus: usize,
    crashed: Option<String>,
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|entries| entries.count()).unwrap_or(0)
}

fn run_target(target: &str, seconds: u64) -> Result<Outcome, String> {
    let root = workspace_root();
    let work = root.join("target/fuzz");
    let corpus = work.join("corpus").join(target);
    let artifacts = work.join("artifacts").join(target);
    let seeds = root.join("fuzz/seeds").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let started = Instant::now();
    let output = Command::new("cargo")
        .current_dir(&root)
        .env("PATH", path_with_tools())
        // The fuzz crate builds apart from the workspace, with its own target directory.
        .env_remove("CARGO_TARGET_DIR")
        .args(["+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", target])
        .arg(&corpus)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-rss_limit_mb=4096")
        .arg("-print_final_stats=1")
        .output()
        .map_err(|e| format!("cargo fuzz: {e}"))?;
    let text = String::from_utf8_lossy(&output.stderr);
    let runs = text
        .lines()
        .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|v| v.trim().parse().ok())
        .or_else(|| text.lines().find_map(|l| l.strip_prefix("Done ")?.split_whitespace().next()?.parse().ok()))
        .unwrap_or(0);
    let crashed = if output.status.success() {
        None
    } else {
        // The panic message (and the line after it) says what broke; else the end of the output.
        let lines: Vec<&str> = text.lines().collect();
        let panic: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(_, line)| line.contains("panicked at") || line.contains("ERROR: AddressSanitizer"))
            .flat_map(|(i, _)| lines[i..(i + 2).min(lines.len())].iter().copied())
            .collect();
        let shown = if panic.is_empty() { lines[lines.len().saturating_sub(40)..].to_vec() } else { panic };
        let artifact = lines.iter().find(|line| line.contains("Test unit written to")).copied().unwrap_or_default();
        Some(format!("{}\n{artifact}", shown.join("\n")))
    };
    Ok(Outcome {
        target: target.to_string(),
        runs,
        seconds: started.elapsed().as_secs_f64(),
        corpus: count_files(&corpus) + count_files(&seeds),
        crashed,
    })
}

pub fn fuzz(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    ensure_tools()?;
    // The emulator target loads the filter modules.
    crate::build()?;
    let targets: Vec<&str> = match &options.only {
        Some(only) => vec![only.as_str()],
        None => TARGETS.to_vec(),
    };
    let mut outcomes = Vec::new();
    for target in targets {
        eprintln!("==> fuzz {target} ({} s)", options.seconds);
        let outcome = run_target(target, options.seconds)?;
        eprintln!("    {} executions{}", outcome.runs, if outcome.crashed.is_some() { ", CRASHED" } else { "" });
        outcomes.push(outcome);
    }
    let mut report = format!(
        "# Fuzzing\n\n`cargo xtask fuzz --secs {}` — cargo-fuzz (libFuzzer, AddressSanitizer), nightly toolchain, from the seeds in `fuzz/seeds/`.\n\n| target | executions | seconds | corpus (seeds + found) | crashes |\n|---|---|---|---|---|\n",
        options.seconds
    );
    for outcome in &outcomes {
        report.push_str(&format!(
            "| `{}` | {} | {:.0} | {} | {} |\n",
            outcome.target,
            outcome.runs,
            outcome.seconds,
            outcome.corpus,
            if outcome.crashed.is_some() { "**1**" } else { "0" }
        ));
    }
    let out = workspace_root().join("target/fuzz");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("report.md"), &report).map_err(|e| e.to_string())?;
    println!("{report}");
    let crashes: Vec<String> =
        outcomes.iter().filter_map(|o| o.crashed.as_ref().map(|tail| format!("{}:\n{tail}", o.target))).collect();
    if crashes.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found crashes (inputs under target/fuzz/artifacts/):\n{}", crashes.join("\n\n")))
    }
}
