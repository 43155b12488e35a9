//! The kustomize overlays of `istio/overlays/`, rendered the way a user renders them, with the
//! oldest kustomize they are promised to work with: the one kubectl 1.20 embeds (v2.0.3), from
//! Debian's `kubernetes-client` package, unpacked into `<root>/.tools/kubectl-1.20` (no root needed
//! once apt's package lists are there; `apt-get update` is run first when they are not).

use crate::workspace_root;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Debian package and the kubectl version it ships.
const PACKAGE: &str = "kubernetes-client";
const VERSION_PREFIX: &str = "v1.20.";

/// kubectl 1.20 from Debian, unpacked once into `<root>/.tools/kubectl-1.20`.
pub fn kubectl() -> Result<PathBuf, String> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED.get_or_init(install).clone()
}

fn install() -> Result<PathBuf, String> {
    let dir = workspace_root().join(".tools/kubectl-1.20");
    let binary = dir.join("usr/bin/kubectl");
    if !binary.is_file() {
        let download = crate::scratch_root().join(format!("kubectl-download-{}", std::process::id()));
        std::fs::create_dir_all(&download).map_err(|e| format!("{}: {e}", download.display()))?;
        if !apt_download(&download)? {
            // No package lists yet (a fresh machine): fetch them, then try once more.
            run(Command::new("apt-get").args(["update", "-qq"]), "apt-get update (as root)")?;
            if !apt_download(&download)? {
                return Err(format!("`apt-get download {PACKAGE}` failed: is Debian's bookworm archive reachable?"));
            }
        }
        let deb = std::fs::read_dir(&download)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "deb"))
            .ok_or_else(|| format!("apt-get download {PACKAGE} left no .deb in {}", download.display()))?;
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&dir), "dpkg-deb -x")?;
        let _ = std::fs::remove_dir_all(&download);
    }
    let version = run(Command::new(&binary).args(["version", "--client", "--short"]), "kubectl version")?;
    if !version.contains(VERSION_PREFIX) {
        return Err(format!("{} is not kubectl 1.20: {version}", binary.display()));
    }
    Ok(binary)
}

fn apt_download(into: &Path) -> Result<bool, String> {
    let output = Command::new("apt-get")
        .args(["download", "-qq", PACKAGE])
        .current_dir(into)
        .output()
        .map_err(|e| format!("cannot run apt-get: {e}"))?;
    Ok(output.status.success())
}

fn run(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command.output().map_err(|e| format!("{what}: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        Ok(text)
    } else {
        Err(format!("{what} failed ({}):\n{text}", output.status))
    }
}

/// `kubectl kustomize DIR` with kubectl 1.20: the rendered documents, in kustomize's order.
pub fn render(dir: &Path) -> Result<Vec<serde_yaml::Value>, String> {
    let output = Command::new(kubectl()?)
        .arg("kustomize")
        .arg(dir)
        .output()
        .map_err(|e| format!("kubectl kustomize {}: {e}", dir.display()))?;
    if !output.status.success() {
        return Err(format!(
            "kubectl kustomize {} failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.split("\n---\n")
        .filter(|doc| !doc.trim().is_empty())
        .map(|doc| serde_yaml::from_str(doc).map_err(|e| format!("{}: {e}", dir.display())))
        .collect()
}

/// The rendered document of `kind` named `name`.
pub fn find<'a>(docs: &'a [serde_yaml::Value], kind: &str, name: &str) -> Option<&'a serde_yaml::Value> {
    docs.iter().find(|doc| doc["kind"].as_str() == Some(kind) && doc["metadata"]["name"].as_str() == Some(name))
}
