//! Docker and Docker Compose for the deployment tests: images built without any registry (a
//! Debian base made with debootstrap, Envoy from the same binary the other tests run, the
//! services from the project's binaries), and a compose project that is always torn down.

use crate::{envoy_binary, modules, scratch_root, workspace_root};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Set to `1` to opt out of the tests that need Docker (they then pass without running; say so).
pub const SKIP_VARIABLE: &str = "SIEVE_SKIP_DOCKER";

pub const BASE_IMAGE: &str = "sieve-test/debian:bookworm";
pub const ENVOY_IMAGE: &str = "sieve-test/envoy:1.40.0";
pub const SERVICES_IMAGE: &str = "sieve-test/services:dev";

/// True when the user opted out of Docker tests explicitly.
pub fn skipped() -> bool {
    std::env::var(SKIP_VARIABLE).is_ok_and(|v| v == "1")
}

fn run(command: &mut Command, what: &str) -> Result<Output, String> {
    let output = command.output().map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Fails with one clear line when Docker is not usable.
pub fn require_docker() -> Result<(), String> {
    run(Command::new("docker").args(["version", "--format", "{{.Server.Version}}"]), "docker version")
        .map(|_| ())
        .map_err(|e| {
            format!(
                "Docker is required for this test (set {SKIP_VARIABLE}=1 to opt out explicitly): {}",
                e.lines().next().unwrap_or("")
            )
        })
}

/// `docker-compose` (v1) or `docker compose` (v2), whichever this machine has.
pub fn compose() -> Result<Command, String> {
    if Command::new("docker-compose").arg("version").output().is_ok_and(|o| o.status.success()) {
        return Ok(Command::new("docker-compose"));
    }
    if Command::new("docker").args(["compose", "version"]).output().is_ok_and(|o| o.status.success()) {
        let mut command = Command::new("docker");
        command.arg("compose");
        return Ok(command);
    }
    Err(format!(
        "neither docker-compose nor `docker compose` is available (set {SKIP_VARIABLE}=1 to opt out explicitly)"
    ))
}

/// True when the Debian base image is already built (building it needs root for debootstrap).
pub fn base_image_exists() -> bool {
    image_exists(BASE_IMAGE)
}

fn image_exists(image: &str) -> bool {
    Command::new("docker").args(["image", "inspect", image]).output().is_ok_and(|o| o.status.success())
}

/// The Debian mirror apt uses on this machine (debootstrap needs one; nothing else is reachable).
fn debian_mirror() -> String {
    let sources = std::fs::read_to_string("/etc/apt/sources.list.d/debian.sources")
        .or_else(|_| std::fs::read_to_string("/etc/apt/sources.list"))
        .unwrap_or_default();
    sources
        .lines()
        .find_map(|line| {
            line.strip_prefix("URIs:").map(|u| u.split_whitespace().next().unwrap_or("").to_string()).or_else(|| {
                line.strip_prefix("deb ")
                    .and_then(|rest| rest.split_whitespace().find(|w| w.starts_with("http")).map(String::from))
            })
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "http://deb.debian.org/debian".into())
}

/// A minimal Debian bookworm image made with debootstrap (no registry needed), built once.
pub fn base_image() -> Result<&'static str, String> {
    if image_exists(BASE_IMAGE) {
        return Ok(BASE_IMAGE);
    }
    let rootfs = scratch_root().join("debian-rootfs");
    // debootstrap needs root; a user who is not root gets it through passwordless sudo.
    let as_root = |program: &str| {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            Command::new(program)
        } else {
            let mut command = Command::new("sudo");
            command.args(["-n", program]);
            command
        }
    };
    let remove_rootfs = || {
        let _ = as_root("rm").arg("-rf").arg(&rootfs).status();
    };
    remove_rootfs();
    std::fs::create_dir_all(&rootfs).map_err(|e| e.to_string())?;
    let debootstrap = if Path::new("/usr/sbin/debootstrap").exists() { "/usr/sbin/debootstrap" } else { "debootstrap" };
    run(
        as_root(debootstrap).args(["--variant=minbase", "bookworm"]).arg(&rootfs).arg(debian_mirror()),
        "debootstrap (as root or with passwordless sudo; cargo xtask test installs it)",
    )?;
    let tar = as_root("tar")
        .arg("-C")
        .arg(&rootfs)
        .args(["-c", "."])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stdout = tar.stdout.ok_or("tar gave no output")?;
    run(Command::new("docker").args(["import", "-", BASE_IMAGE]).stdin(stdout), "docker import")?;
    remove_rootfs();
    Ok(BASE_IMAGE)
}

/// Envoy in an image, from the very binary the real-Envoy tests run.
pub fn envoy_image() -> Result<&'static str, String> {
    let base = base_image()?;
    let dir = scratch_root().join("envoy-image");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::copy(envoy_binary()?, dir.join("envoy")).map_err(|e| format!("copying Envoy: {e}"))?;
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM {base}\nCOPY envoy /usr/local/bin/envoy\nCMD [\"envoy\", \"--version\"]\n"),
    )
    .map_err(|e| e.to_string())?;
    run(Command::new("docker").args(["build", "-q", "-t", ENVOY_IMAGE]).arg(&dir), "docker build (Envoy)")?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(ENVOY_IMAGE)
}

/// The demo services, from `services/Dockerfile` on the Debian base.
pub fn services_image() -> Result<&'static str, String> {
    let base = base_image()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(
        Command::new(cargo).current_dir(workspace_root()).args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "sieve-services",
        ]),
        "cargo build -p sieve-services",
    )?;
    run(
        Command::new("docker")
            .current_dir(workspace_root())
            .args(["build", "-q", "-f", "services/Dockerfile", "--build-arg"])
            .arg(format!("BASE_IMAGE={base}"))
            .args(["-t", SERVICES_IMAGE, "."]),
        "docker build (services)",
    )?;
    Ok(SERVICES_IMAGE)
}

/// A compose project, brought down (with its volumes) when dropped.
pub struct ComposeProject {
    pub name: String,
    file: PathBuf,
    env: Vec<(String, String)>,
}

impl ComposeProject {
    /// `docker compose -p NAME -f FILE up -d --no-build` with `env` (image and port variables).
    pub fn up(file: &Path, env: Vec<(String, String)>) -> Result<ComposeProject, String> {
        // The modules the compose file mounts must exist.
        modules::wasm_dir()?;
        let project =
            ComposeProject { name: format!("sieve-e2e-{}", std::process::id()), file: file.to_path_buf(), env };
        project.command(&["up", "-d", "--no-build"]).and_then(|mut c| run(&mut c, "compose up"))?;
        Ok(project)
    }

    fn command(&self, args: &[&str]) -> Result<Command, String> {
        let mut command = compose()?;
        command.current_dir(workspace_root()).arg("-p").arg(&self.name).arg("-f").arg(&self.file).args(args);
        for (k, v) in &self.env {
            command.env(k, v);
        }
        Ok(command)
    }

    /// The host port Docker published for a service's container port (`docker compose port`):
    /// the tests leave the host ports empty so that Docker picks free ones, which no other test
    /// can take between the choice and the bind.
    pub fn published_port(&self, service: &str, container_port: u16) -> Result<u16, String> {
        let output = run(&mut self.command(&["port", service, &container_port.to_string()])?, "compose port")?;
        let text = String::from_utf8_lossy(&output.stdout);
        text.trim()
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| format!("compose port {service} {container_port}: unexpected answer {text:?}"))
    }

    /// `docker compose ps -q`: the containers' ids.
    pub fn containers(&self) -> Result<Vec<String>, String> {
        let output = run(&mut self.command(&["ps", "-q"])?, "compose ps")?;
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    }

    /// Health of each container: (name, status).
    pub fn health(&self) -> Result<Vec<(String, String)>, String> {
        let mut states = Vec::new();
        for id in self.containers()? {
            let output = run(
                Command::new("docker").args([
                    "inspect",
                    "--format",
                    "{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
                    &id,
                ]),
                "docker inspect",
            )?;
            let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
            if let Some((name, status)) = text.split_once(' ') {
                states.push((name.trim_start_matches('/').to_string(), status.to_string()));
            }
        }
        Ok(states)
    }

    /// The logs of every service (for a failing test).
    pub fn logs(&self) -> String {
        self.command(&["logs", "--no-color", "--tail", "200"])
            .ok()
            .and_then(|mut c| c.output().ok())
            .map(|o| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
            .unwrap_or_default()
    }
}

impl Drop for ComposeProject {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- compose logs ({}) ---\n{}", self.name, self.logs());
        }
        if let Ok(mut down) = self.command(&["down", "-v", "--remove-orphans", "--timeout", "5"]) {
            let _ = down.output();
        }
    }
}
