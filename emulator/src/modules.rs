//! The filter modules: found in the workspace, built for `wasm32-unknown-unknown` in release mode.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// A filter that builds a proxy-wasm module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The filter's Cargo package, e.g. `sieve-headers`: it names the module and holds the
    /// filter's `[package.metadata.sieve]`.
    pub package: String,
    /// The package Cargo builds into the `.wasm`: the filter's `module/` crate (e.g.
    /// `sieve-headers-module`, whose library is also named `sieve_headers`), or the filter's own
    /// package when that is the cdylib.
    pub build_package: String,
    /// The filter's folder, e.g. `filters/headers`.
    pub dir: PathBuf,
}

impl Module {
    /// A module whose own package is the cdylib (test and benchmark modules).
    pub fn standalone(package: &str, dir: PathBuf) -> Self {
        Module { package: package.to_string(), build_package: package.to_string(), dir }
    }

    /// `sieve_headers.wasm`.
    pub fn file_name(&self) -> String {
        format!("{}.wasm", self.package.replace('-', "_"))
    }
}

/// The `[package] name` of a manifest.
fn package_name(manifest: &Path, text: &str) -> Result<String, String> {
    text.lines()
        .skip_while(|line| line.trim() != "[package]")
        .find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_string())
        })
        .ok_or_else(|| format!("{}: no package name", manifest.display()))
}

/// Every `filters/*` crate that builds a module, sorted by package name: a filter library with a
/// `module/` crate beside its sources (headers, auth, screen), or a crate that is itself a `cdylib`
/// (the chain, which no other crate links).
pub fn discover() -> Result<Vec<Module>, String> {
    let filters = workspace_root().join("filters");
    let entries = std::fs::read_dir(&filters).map_err(|e| format!("cannot read {}: {e}", filters.display()))?;
    let mut modules = Vec::new();
    for entry in entries.flatten() {
        let dir = entry.path();
        let manifest = dir.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else { continue };
        let package = package_name(&manifest, &text)?;
        let module_manifest = dir.join("module").join("Cargo.toml");
        let build_package = match std::fs::read_to_string(&module_manifest) {
            Ok(module_text) if module_text.contains("cdylib") => package_name(&module_manifest, &module_text)?,
            _ if text.contains("cdylib") => package.clone(),
            _ => continue,
        };
        modules.push(Module { package, build_package, dir });
    }
    modules.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(modules)
}

/// `<target>/wasm32-unknown-unknown/release`.
pub fn release_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    target.join(WASM_TARGET).join("release")
}

/// Builds every module once per process (Cargo makes an up-to-date build a no-op) and returns the
/// directory holding the `.wasm` files.
pub fn wasm_dir() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let modules = discover()?;
            build(&modules, false)?;
            Ok(release_dir())
        })
        .clone()
}

/// Builds `modules` in one Cargo invocation: every module's entry point sits in its own `cdylib`
/// crate, so a chain linking filters as stages builds beside their modules.
pub fn build(modules: &[Module], verbose: bool) -> Result<(), String> {
    if modules.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = modules.iter().map(|m| m.build_package.as_str()).collect();
    let mut args = Vec::new();
    for package in &packages {
        args.extend(["--package", package]);
    }
    cargo_build(&args, verbose).map_err(|e| format!("building {} for {WASM_TARGET} failed:\n{e}", packages.join(", ")))
}

/// Builds the chain module with only `stages` (e.g. `["headers", "auth"]`), through the chain
/// crate's features: a deployment pays in memory for every byte of code its module carries. Into
/// `target_dir` when given (its own Cargo target directory), else the workspace's; returns the
/// module's path.
pub fn build_chain(stages: &[&str], target_dir: Option<&Path>, verbose: bool) -> Result<PathBuf, String> {
    if stages.is_empty() {
        return Err("a chain needs at least one stage (headers, auth, screen)".into());
    }
    let features = stages.join(",");
    let mut args = vec!["--package", "sieve-chain-module", "--no-default-features", "--features", &features];
    let target = target_dir.map(|dir| dir.display().to_string());
    if let Some(target) = &target {
        args.extend(["--target-dir", target]);
    }
    cargo_build(&args, verbose).map_err(|e| format!("building the chain with stages {features} failed:\n{e}"))?;
    let release = target_dir.map_or_else(release_dir, |dir| dir.join(WASM_TARGET).join("release"));
    Ok(release.join("sieve_chain.wasm"))
}

/// `cargo build --release --target wasm32-unknown-unknown <args>`, reproducibly.
fn cargo_build(args: &[&str], verbose: bool) -> Result<(), String> {
    cargo_build_in(&workspace_root(), args, verbose)
}

fn cargo_build_in(workspace: &Path, args: &[&str], verbose: bool) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace)
        .env("CARGO_ENCODED_RUSTFLAGS", reproducible_rustflags())
        .args(["build", "--release", "--target", WASM_TARGET])
        .args(args);
    if !verbose {
        command.arg("--quiet");
    }
    let output = command.output().map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    if verbose {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(())
}

/// Modules carry source paths in panic messages; dependencies' paths start with the local Cargo
/// home. Mapping it to a fixed name makes a module byte-for-byte the same on every machine with the
/// pinned toolchain and lockfile, so the sha256 in the Istio manifests is the one a user builds.
pub fn reproducible_rustflags() -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"));
    format!("--remap-path-prefix={}=/cargo-home", cargo_home.display())
}

/// The Sieve workspace the process runs in: the nearest ancestor of the working directory holding
/// the workspace manifest (Cargo runs tests and `cargo xtask` inside the workspace); else the one
/// this crate was built in. Found at run time because a build may be shared by copies of the
/// workspace (the `cargo xtask new` test does that).
pub fn workspace_root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let is_sieve = |dir: &Path| {
            dir.join("sdk-ext").is_dir()
                && dir.join("emulator").is_dir()
                && std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|text| text.contains("[workspace]"))
        };
        let current = std::env::current_dir().ok();
        let found = current.as_deref().and_then(|dir| dir.ancestors().find(|d| is_sieve(d)).map(Path::to_path_buf));
        found.unwrap_or_else(|| {
            let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            manifest.parent().map(PathBuf::from).unwrap_or(manifest)
        })
    })
    .clone()
}

/// Builds the module of filter package `package` (e.g. `sieve-headers`) if needed and returns its
/// path: what an emulator test loads.
pub fn module_path(package: &str) -> Result<PathBuf, String> {
    // A filter's module crate, or any other workspace package that builds a cdylib (test modules).
    let module = discover()?
        .into_iter()
        .find(|m| m.package == package)
        .unwrap_or_else(|| Module::standalone(package, workspace_root()));
    build(std::slice::from_ref(&module), false)?;
    let path = release_dir().join(module.file_name());
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} was not built", path.display()))
    }
}

/// Builds the module of the filter crate in `filter_dir` (its `module/` crate) in whichever Cargo
/// workspace holds it, and returns the module's path. A filter's tests call it with
/// `env!("CARGO_MANIFEST_DIR")`, so the same test code works inside Sieve's workspace and in a
/// filter's own repository (`cargo xtask new NAME --out DIR`), where Sieve is only a dependency.
pub fn module_for(filter_dir: &str) -> Result<PathBuf, String> {
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, path)) = built.iter().find(|(dir, _)| dir == filter_dir) {
        return Ok(path.clone());
    }
    let dir = Path::new(filter_dir);
    let read = |manifest: &Path| {
        std::fs::read_to_string(manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))
    };
    let filter_manifest = dir.join("Cargo.toml");
    let filter_package = package_name(&filter_manifest, &read(&filter_manifest)?)?;
    let module_manifest = dir.join("module/Cargo.toml");
    let module_package = package_name(&module_manifest, &read(&module_manifest)?)?;
    let workspace = dir
        .ancestors()
        .find(|d| std::fs::read_to_string(d.join("Cargo.toml")).is_ok_and(|text| text.contains("[workspace]")))
        .ok_or_else(|| format!("{}: in no Cargo workspace", dir.display()))?;
    cargo_build_in(workspace, &["--package", &module_package], false)
        .map_err(|e| format!("building {module_package} for {WASM_TARGET} failed:\n{e}"))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace.join("target"));
    let path =
        target.join(WASM_TARGET).join("release").join(Module::standalone(&filter_package, dir.into()).file_name());
    if !path.is_file() {
        return Err(format!("{} was not built", path.display()));
    }
    built.push((filter_dir.to_string(), path.clone()));
    Ok(path)
}

/// Size of a built module in bytes.
pub fn size_of(module: &Module) -> Option<u64> {
    std::fs::metadata(release_dir().join(module.file_name())).ok().map(|m| m.len())
}

/// Path of a built module.
pub fn path_of(module_file: &str) -> Result<PathBuf, String> {
    let path = wasm_dir()?.join(module_file);
    if Path::new(&path).is_file() {
        Ok(path)
    } else {
        Err(format!("{} was not built", path.display()))
    }
}

/// The imports of a Wasm module: (module, name) pairs, read from its import section.
pub fn imports(wasm: &[u8]) -> Result<Vec<(String, String)>, String> {
    fn leb(bytes: &[u8], at: &mut usize) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *bytes.get(*at).ok_or("truncated LEB128")?;
            *at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("LEB128 too long".into())
    }
    fn name(bytes: &[u8], at: &mut usize) -> Result<String, String> {
        let len = leb(bytes, at)? as usize;
        let text = bytes.get(*at..*at + len).ok_or("truncated name")?;
        *at += len;
        Ok(String::from_utf8_lossy(text).into_owned())
    }
    if wasm.get(..4) != Some(b"\0asm") {
        return Err("not a Wasm module".into());
    }
    let mut at = 8;
    let mut found = Vec::new();
    while at < wasm.len() {
        let id = *wasm.get(at).ok_or("truncated section")?;
        at += 1;
        let size = leb(wasm, &mut at)? as usize;
        let end = at + size;
        if id == 2 {
            let count = leb(wasm, &mut at)?;
            for _ in 0..count {
                let module = name(wasm, &mut at)?;
                let field = name(wasm, &mut at)?;
                found.push((module, field));
                let kind = *wasm.get(at).ok_or("truncated import")?;
                at += 1;
                match kind {
                    0 => {
                        leb(wasm, &mut at)?;
                    }
                    1 => {
                        at += 1;
                        let flags = leb(wasm, &mut at)?;
                        leb(wasm, &mut at)?;
                        if flags & 1 == 1 {
                            leb(wasm, &mut at)?;
                        }
                    }
                    2 => {
                        let flags = leb(wasm, &mut at)?;
                        leb(wasm, &mut at)?;
                        if flags & 1 == 1 {
                            leb(wasm, &mut at)?;
                        }
                    }
                    3 => at += 2,
                    other => return Err(format!("unknown import kind {other}")),
                }
            }
        }
        at = end;
    }
    Ok(found)
}
