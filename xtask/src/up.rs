//! `cargo xtask up`: an Envoy per config in `envoy/`, in front of the demo services, on 127.0.0.1.

use crate::{build, envoy_description, USAGE};
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{modules, workspace_root, Envoy, EnvoyConfig, EnvoyOptions};
use sieve_services::{authz, echo, feed, jwks, Background};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

struct Options {
    only: Option<String>,
    port: u16,
    admin_port: u16,
    check: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { only: None, port: 10000, admin_port: 9901, check: false };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--config" => options.only = Some(value()?),
            "--port" => options.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--admin-port" => options.admin_port = value()?.parse().map_err(|e| format!("--admin-port: {e}"))?,
            "--check" => options.check = true,
            other => return Err(format!("unknown option {other:?} for up\n\n{USAGE}")),
        }
    }
    Ok(options)
}

struct Services {
    echo: Background,
    jwks: Background,
    authz: Background,
    feed: Background,
}

impl Services {
    fn start(deny_list: PathBuf) -> Result<Self, String> {
        let local =
            |what: &str, result: std::io::Result<Background>| result.map_err(|e| format!("cannot start {what}: {e}"));
        Ok(Services {
            echo: local("the echo upstream", echo::spawn(([127, 0, 0, 1], 0).into()))?,
            jwks: local(
                "the JWKS server",
                sieve_services::spawn(([127, 0, 0, 1], 0).into(), jwks::handler(jwks::Document::new(jwks::DEMO_JWKS))),
            )?,
            authz: local(
                "the authorization service",
                sieve_services::spawn(([127, 0, 0, 1], 0).into(), authz::handler(authz::demo_tokens())),
            )?,
            feed: local(
                "the screening feed",
                sieve_services::spawn(([127, 0, 0, 1], 0).into(), feed::file_handler(deny_list)),
            )?,
        })
    }

    fn clusters(&self) -> Vec<(&'static str, SocketAddr)> {
        vec![("echo", self.echo.addr), ("jwks", self.jwks.addr), ("authz", self.authz.addr), ("feed", self.feed.addr)]
    }
}

/// The deny list the demo feed serves (edit it while `up` runs).
fn demo_list() -> PathBuf {
    workspace_root().join("services/demo-lists/deny.txt")
}

/// One thing to try against the demo: the shell command as printed, the note printed under it, and
/// what its output must show, which `up --check` verifies by running the very command printed.
struct Try {
    command: String,
    note: &'static str,
    shows: Vec<String>,
    hides: Vec<String>,
    /// The answer may take this long to appear (a list the feed serves on its interval).
    within: Duration,
}

impl Try {
    fn new(command: String, note: &'static str) -> Try {
        Try { command, note, shows: Vec::new(), hides: Vec::new(), within: Duration::ZERO }
    }
    fn shows(mut self, text: &str) -> Try {
        self.shows.push(text.to_string());
        self
    }
    fn hides(mut self, text: &str) -> Try {
        self.hides.push(text.to_string());
        self
    }
    fn within(mut self, duration: Duration) -> Try {
        self.within = duration;
        self
    }

    /// What the echo upstream reports for a header it received (its JSON `header_list`).
    fn upstream_sees(self, name: &str, value: &str) -> Try {
        self.shows(&format!("[\"{name}\",\"{value}\"]"))
    }
    fn upstream_lacks(self, name: &str) -> Try {
        self.hides(&format!("[\"{name}\","))
    }

    fn render(&self) -> String {
        if self.note.is_empty() {
            format!("  {}\n", self.command)
        } else {
            format!("  {}\n      # {}\n", self.command, self.note)
        }
    }

    /// Runs the command with bash, as a user pasting it would; retries until `within` has passed.
    fn check(&self) -> Result<(), String> {
        let deadline = Instant::now() + self.within;
        loop {
            let output = Command::new("bash")
                .args(["-c", &self.command])
                .output()
                .map_err(|e| format!("cannot run bash: {e}"))?;
            let text =
                format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
            let missing: Vec<&String> = self.shows.iter().filter(|s| !text.contains(s.as_str())).collect();
            let present: Vec<&String> = self.hides.iter().filter(|s| text.contains(s.as_str())).collect();
            let failed_command = !output.status.success() && self.shows.is_empty() && self.hides.is_empty();
            if missing.is_empty() && present.is_empty() && !failed_command {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "{}\n      expected {:?}, missing {missing:?}, present but must not be {present:?}; output:\n{}",
                    self.command,
                    self.shows,
                    text.lines().map(|l| format!("        {l}")).collect::<Vec<_>>().join("\n")
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";

/// What to try against the Envoy running `config`.
fn tries(config: &str, base: &str, admin: &str, deny_list: &std::path::Path) -> Vec<Try> {
    let stats = Try::new(
        format!("curl -s '{admin}/stats/prometheus' | grep '^sieve_'"),
        "Sieve's counters as Prometheus reads them: sieve_events_total{filter,outcome}, sieve_provider_events_total{filter,provider,outcome,reason}",
    )
    .shows("sieve_events_total{");
    let mut tries = match config {
        "headers" => vec![
            Try::new(
                format!("curl -s {base}/api/hello -H 'x-legacy-user: ann' -H 'x-internal-debug: 1'"),
                "the upstream sees x-sieve-client-ip, x-sieve-request, x-user (renamed), x-sieve-tags; no x-internal-debug",
            )
            .shows("[\"x-sieve-client-ip\",")
            .shows("[\"x-sieve-request\",\"GET /api/hello")
            .upstream_sees("x-user", "ann")
            .upstream_sees("x-sieve-tags", "api")
            .upstream_lacks("x-internal-debug")
            .upstream_lacks("x-legacy-user"),
            Try::new(
                format!("curl -s {base}/api/hello -H 'x-forwarded-for: 9.9.9.9'"),
                "x-sieve-client-ip is still the connection's address: an edge Envoy ignores what the client wrote",
            )
            .upstream_sees("x-sieve-client-ip", "127.0.0.1"),
            Try::new(
                format!("curl -si {base}/api/hello | grep -i '^x-'"),
                "the response gains x-sieve-served-by; x-echo-upstream is renamed to x-upstream",
            )
            .shows("x-sieve-served-by: sieve")
            .shows("x-upstream: sieve-echo")
            .hides("x-echo-upstream"),
            Try::new(
                format!("curl -si {base}/ -H 'x-echo-status: 503' | grep -i cache-control"),
                "a response rule conditioned on the status",
            )
            .shows("cache-control: no-store"),
            Try::new(
                format!("curl -si {base}/tenants/acme"),
                "400 JSON error: the x-tenant rule rejects requests without it (detail sieve_headers.bad_request)",
            )
            .shows("HTTP/1.1 400")
            .shows("\"error\":\"bad_request\""),
            Try::new(format!("curl -s {base}/raw/anything"), "the route named \"raw\" disables the filter (per-route entry)")
                .shows("\"path\":\"/raw/anything\"")
                .upstream_lacks("x-sieve-request"),
        ],
        "auth" => {
            let token = sign_with(
                "RS256",
                DemoKey::Rsa1,
                &claims(
                    "demo-user",
                    serde_json::json!({"scope": "read", "org": {"team": "blue"}, "exp": sieve_e2e::tokens::now() + 86_400}),
                ),
            );
            vec![
                Try::new(format!("curl -si {base}/things"), "401 with a WWW-Authenticate challenge per provider")
                    .shows("HTTP/1.1 401")
                    .shows("www-authenticate: ApiKey")
                    .shows("www-authenticate: Basic")
                    .shows("www-authenticate: Bearer"),
                Try::new(
                    format!("curl -s {base}/things -H 'x-api-key: {DEMO_KEY}'"),
                    "API key: the upstream sees x-sieve-consumer: demo-app (and no x-api-key: stripped)",
                )
                .upstream_sees("x-sieve-consumer", "demo-app")
                .upstream_lacks("x-api-key"),
                Try::new(
                    format!("curl -s -u demo:sieve-demo-password-8c6f1d2e9a7b4f03 {base}/admin/panel"),
                    "Basic: consumer demo-admin, the only one allowed on /admin",
                )
                .upstream_sees("x-sieve-consumer", "demo-admin")
                .upstream_lacks("authorization"),
                Try::new(
                    format!("curl -si {base}/admin/panel -H 'x-api-key: {DEMO_KEY}'"),
                    "403: authenticated, not allowed on /admin",
                )
                .shows("HTTP/1.1 403"),
                Try::new(
                    format!("curl -s {base}/things -H 'authorization: Bearer {token}'"),
                    "JWT (RS256, keys fetched from the JWKS server): consumer demo-user, x-jwt-scope, x-jwt-team",
                )
                .upstream_sees("x-sieve-consumer", "demo-user")
                .upstream_sees("x-jwt-scope", "read")
                .upstream_sees("x-jwt-team", "blue"),
                Try::new(
                    format!("curl -s {base}/things -H 'authorization: Bearer demo-authz-token'"),
                    "external authorization: consumer authz-demo, x-auth-scope from the service",
                )
                .upstream_sees("x-sieve-consumer", "authz-demo")
                .upstream_sees("x-auth-scope", "demo"),
                Try::new(
                    format!("curl -s {base}/things -H 'x-sieve-consumer: root' -H 'x-api-key: {DEMO_KEY}'"),
                    "a client-sent consumer header never reaches the upstream",
                )
                .upstream_sees("x-sieve-consumer", "demo-app")
                .hides("\"root\""),
            ]
        }
        "screen" => {
            // curl plays the one load balancer the listener trusts (xff_num_trusted_hops: 1).
            let from = |client: &str| format!("curl -si {base}/ -H 'x-forwarded-for: {client}'");
            vec![
                Try::new(
                    from("198.51.100.7"),
                    "403: the client (the address the trusted load balancer appended) is on the deny list the feed serves",
                )
                .shows("HTTP/1.1 403"),
                Try::new(from("192.0.2.55"), "403: inside the exact CIDR range 192.0.2.0/24").shows("HTTP/1.1 403"),
                Try::new(from("203.0.113.9"), "200: not listed").shows("HTTP/1.1 200"),
                Try::new(
                    format!("echo 203.0.113.9 >> {}", deny_list.display()),
                    "the feed serves the new list: within 5 s (its interval) every worker has it",
                ),
                Try::new(from("203.0.113.9"), "403: now listed").shows("HTTP/1.1 403").within(Duration::from_secs(15)),
                Try::new(
                    format!("curl -si {base}/partners/orders -H 'x-partner-id: ACME'"),
                    "200: on the inline allow list",
                )
                .shows("HTTP/1.1 200"),
                Try::new(
                    format!("curl -si {base}/partners/orders -H 'x-partner-id: initech'"),
                    "403: not on it",
                )
                .shows("HTTP/1.1 403"),
            ]
        }
        "chain" => vec![
            Try::new(
                format!("curl -si {base}/api/x"),
                "401: the auth stage; the headers stage still adds cache-control and x-sieve-served-by to the reply",
            )
            .shows("HTTP/1.1 401")
            .shows("cache-control: no-store")
            .shows("x-sieve-served-by: sieve"),
            Try::new(
                format!("curl -s {base}/api/x -H 'x-api-key: {DEMO_KEY}' -H 'x-legacy-user: ann'"),
                "headers, auth and screen in one VM: x-sieve-consumer, x-user, x-sieve-tags upstream",
            )
            .upstream_sees("x-sieve-consumer", "demo-app")
            .upstream_sees("x-user", "ann")
            .upstream_sees("x-sieve-tags", "api"),
            Try::new(
                format!("curl -si {base}/ -H 'x-api-key: {DEMO_KEY}' -H 'x-forwarded-for: 198.51.100.7'"),
                "403: authenticated, then screened by the fed deny list",
            )
            .shows("HTTP/1.1 403")
            .shows("\"error\":\"screened\""),
        ],
        _ => vec![Try::new(format!("curl -si {base}/"), "").shows("HTTP/1.1")],
    };
    tries.push(stats);
    tries
}

pub fn up(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    eprintln!("envoy: {}", envoy_description()?);
    build()?;
    // A check edits a copy of the deny list, never the one in the repository.
    let deny_list = if options.check {
        let copy = sieve_e2e::scratch_root().join(format!("up-check-{}", std::process::id())).join("deny.txt");
        let dir = copy.parent().ok_or("no scratch directory")?;
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::copy(demo_list(), &copy).map_err(|e| format!("{}: {e}", demo_list().display()))?;
        copy
    } else {
        demo_list()
    };
    let services = Services::start(deny_list.clone())?;
    let file = options.only.clone().unwrap_or_else(|| "envoy/all.yaml".into());
    let mut config = EnvoyConfig::load(&file)?;
    config.make_local(&modules::release_dir(), &services.clusters());
    config.set_admin_port(options.admin_port);
    config.set_listener_ports(options.port);
    let envoy_options = EnvoyOptions { component_log_level: "wasm:info".into(), ..EnvoyOptions::default() };
    let envoy = Envoy::start(&config, envoy_options).map_err(|e| {
        format!(
            "{e}\n(is something already on ports {}+ or {}? choose others with --port/--admin-port)",
            options.port, options.admin_port
        )
    })?;
    let admin = format!("http://{}", envoy.admin);
    let stem = PathBuf::from(&file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut text = String::new();
    let mut all_tries = Vec::new();
    for listener in config.listener_names() {
        // all.yaml names its listeners after the filters; a single-filter file has one listener.
        let name = if stem == "all" { listener.clone() } else { stem.clone() };
        let addr = envoy.listeners.get(&listener).ok_or_else(|| format!("Envoy has no listener {listener}"))?;
        let base = format!("http://{addr}");
        let tries = tries(&name, &base, &admin, &deny_list);
        text.push_str(&format!("\n== {name}: Envoy {base}\n"));
        tries.iter().for_each(|t| text.push_str(&t.render()));
        all_tries.extend(tries);
    }
    println!(
        "\nSieve is up: Envoy with {file} (rendered {}; log {}; admin {admin})\nDemo services: echo http://{}, JWKS http://{}, authorization http://{}, feed http://{}\n{text}",
        envoy.work_dir.join("envoy.yaml").display(),
        envoy.work_dir.join("envoy.log").display(),
        services.echo.addr,
        services.jwks.addr,
        services.authz.addr,
        services.feed.addr
    );
    if options.check {
        let result = check(&all_tries);
        let _ = envoy.stop();
        drop(services);
        let _ = deny_list.parent().map(std::fs::remove_dir_all);
        return result;
    }
    println!("Access logs follow. Ctrl-C stops everything.");
    let mut running = vec![(stem, envoy)];
    let stopped_by_user = wait(&mut running)?;
    eprintln!("\nstopping Envoy and the demo services...");
    let mut failed = Vec::new();
    for (name, mut envoy) in running {
        if !envoy.is_running() {
            failed.push(format!("{name}:\n{}", envoy.log()));
        }
        let _ = envoy.stop();
    }
    drop(services);
    if stopped_by_user {
        eprintln!("stopped.");
        Ok(())
    } else {
        Err(format!("Envoy exited unexpectedly; its log:\n{}", failed.join("\n")))
    }
}

/// `--check`: every printed command, run in order as printed, answers as its note says.
fn check(tries: &[Try]) -> Result<(), String> {
    println!("checking every command above (as printed, with bash):");
    let mut failures = Vec::new();
    for attempt in tries {
        match attempt.check() {
            Ok(()) => println!("  ok      {}", shorten(&attempt.command)),
            Err(why) => {
                println!("  FAILED  {why}");
                failures.push(shorten(&attempt.command));
            }
        }
    }
    if failures.is_empty() {
        println!("all {} answered as documented", tries.len());
        Ok(())
    } else {
        Err(format!("{} of {} commands did not answer as documented: {failures:?}", failures.len(), tries.len()))
    }
}

fn shorten(command: &str) -> String {
    let mut short: String = command.chars().take(110).collect();
    if short.len() < command.len() {
        short.push('…');
    }
    short
}

/// Prints new access-log lines until Ctrl-C/SIGTERM (true) or an Envoy exits (false).
fn wait(running: &mut [(String, Envoy)]) -> Result<bool, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let mut printed = vec![0usize; running.len()];
    runtime.block_on(async {
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
                _ = &mut ctrl_c => return Ok(true),
                _ = &mut terminated => return Ok(true),
                _ = tokio::time::sleep(Duration::from_millis(250)) => {
                    for ((name, envoy), seen) in running.iter_mut().zip(printed.iter_mut()) {
                        let text = std::fs::read_to_string(envoy.access_log_path()).unwrap_or_default();
                        for line in text.lines().skip(*seen) {
                            println!("[{name}] {line}");
                            *seen += 1;
                        }
                        if !envoy.is_running() {
                            return Ok(false);
                        }
                    }
                }
            }
        }
    })
}
