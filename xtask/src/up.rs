//! `cargo xtask up`: an Envoy per config in `envoy/`, in front of the demo services, on 127.0.0.1.

use crate::{build, envoy_description, USAGE};
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{modules, workspace_root, Envoy, EnvoyConfig, EnvoyOptions};
use sieve_services::{authz, echo, feed, jwks, Background};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

struct Options {
    only: Option<String>,
    port: u16,
    admin_port: u16,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options { only: None, port: 10000, admin_port: 9901 };
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--config" => options.only = Some(value()?),
            "--port" => options.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--admin-port" => options.admin_port = value()?.parse().map_err(|e| format!("--admin-port: {e}"))?,
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
    fn start() -> Result<Self, String> {
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
                sieve_services::spawn(([127, 0, 0, 1], 0).into(), feed::file_handler(demo_list())),
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

/// What to try against the Envoy running `config`.
fn hints(config: &str, base: &str, admin: &str) -> String {
    match config {
        "headers" => format!(
            r#"  curl -s {base}/api/hello -H 'x-legacy-user: ann' -H 'x-internal-debug: 1'
      # the upstream sees x-sieve-client-ip, x-sieve-request, x-user (renamed), x-sieve-tags; no x-internal-debug
  curl -si {base}/api/hello | grep -i '^x-'
      # the response gains x-sieve-served-by; x-echo-upstream is renamed to x-upstream
  curl -si {base}/ -H 'x-echo-status: 503' | grep -i cache-control
      # a response rule conditioned on the status
  curl -si {base}/tenants/acme
      # 400 JSON error: the x-tenant rule rejects requests without it (detail sieve_headers.bad_request)
  curl -s {base}/raw/anything
      # the route named "raw" disables the filter (per-route entry)
  curl -s '{admin}/stats?filter=sieve'"#
        ),
        "auth" => {
            let token = sign_with(
                "RS256",
                DemoKey::Rsa1,
                &claims(
                    "demo-user",
                    serde_json::json!({"scope": "read", "org": {"team": "blue"}, "exp": sieve_e2e::tokens::now() + 86_400}),
                ),
            );
            format!(
                r#"  curl -si {base}/things
      # 401 with a WWW-Authenticate challenge per provider
  curl -s {base}/things -H 'x-api-key: sieve-demo-key-0123456789abcdef'
      # API key: the upstream sees x-sieve-consumer: demo-app (and no x-api-key: stripped)
  curl -s -u demo:sieve-demo-password-8c6f1d2e9a7b4f03 {base}/admin/panel
      # Basic: consumer demo-admin, the only one allowed on /admin
  curl -si {base}/admin/panel -H 'x-api-key: sieve-demo-key-0123456789abcdef'
      # 403: authenticated, not allowed on /admin
  curl -s {base}/things -H 'authorization: Bearer {token}'
      # JWT (RS256, keys fetched from the JWKS server): consumer demo-user, x-jwt-scope, x-jwt-team
  curl -s {base}/things -H 'authorization: Bearer demo-authz-token'
      # external authorization: consumer authz-demo, x-auth-scope from the service
  curl -s {base}/things -H 'x-sieve-consumer: root' -H 'x-api-key: sieve-demo-key-0123456789abcdef'
      # a client-sent consumer header never reaches the upstream
  curl -s '{admin}/stats?filter=sieve'"#
            )
        }
        "screen" => format!(
            r#"  curl -si {base}/ -H 'x-forwarded-for: 198.51.100.7, 10.0.0.1'
      # 403: the client (left of one trusted proxy) is on the deny list the feed serves
  curl -si {base}/ -H 'x-forwarded-for: 192.0.2.55, 10.0.0.1'
      # 403: inside the exact CIDR range 192.0.2.0/24
  curl -si {base}/ -H 'x-forwarded-for: 203.0.113.9, 10.0.0.1'
      # 200: not listed
  echo 203.0.113.9 >> {list}
      # ...and within 5 s (the feed's interval) the same request gets 403, on every worker
  curl -si {base}/partners/orders -H 'x-partner-id: ACME'       # 200: on the inline allow list
  curl -si {base}/partners/orders -H 'x-partner-id: initech'    # 403: not on it
  curl -s '{admin}/stats?filter=sieve'"#,
            list = demo_list().display()
        ),
        "chain" => format!(
            r#"  curl -si {base}/api/x
      # 401: the auth stage; the headers stage still adds cache-control and x-sieve-served-by to the reply
  curl -s {base}/api/x -H 'x-api-key: sieve-demo-key-0123456789abcdef' -H 'x-legacy-user: ann'
      # headers, auth and screen in one VM: x-sieve-consumer, x-user, x-sieve-tags upstream
  curl -si {base}/ -H 'x-api-key: sieve-demo-key-0123456789abcdef' -H 'x-forwarded-for: 198.51.100.7, 10.0.0.1'
      # 403: authenticated, then screened by the fed deny list
  curl -s '{admin}/stats?filter=sieve'"#
        ),
        _ => format!("  curl -si {base}/\n  curl -s '{admin}/stats?filter=sieve'"),
    }
}

pub fn up(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    eprintln!("envoy: {}", envoy_description()?);
    build()?;
    let services = Services::start()?;
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
    let admin = format!("http://127.0.0.1:{}", options.admin_port);
    let stem = PathBuf::from(&file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut text = String::new();
    for (index, listener) in config.listener_names().iter().enumerate() {
        // all.yaml names its listeners after the filters; a single-filter file has one listener.
        let name = if stem == "all" { listener.clone() } else { stem.clone() };
        let base = format!("http://127.0.0.1:{}", options.port + index as u16);
        text.push_str(&format!("\n== {name}: Envoy {base}\n{}\n", hints(&name, &base, &admin)));
    }
    println!(
        "\nSieve is up: Envoy with {file} (rendered {}; log {}; admin {admin})\nDemo services: echo http://{}, JWKS http://{}, authorization http://{}, feed http://{}\n{text}\nAccess logs follow. Ctrl-C stops everything.",
        envoy.work_dir.join("envoy.yaml").display(),
        envoy.work_dir.join("envoy.log").display(),
        services.echo.addr,
        services.jwks.addr,
        services.authz.addr,
        services.feed.addr
    );
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
