//! `cargo xtask new NAME`: a new filter from `xtask/template/`, registered everywhere a filter must
//! be — the workspace, the build, `envoy/all.yaml`, docker compose and the Istio manifests — so that
//! `cargo xtask test` passes on it without edits.

use sieve_e2e::{modules, workspace_root};
use sieve_tooling::generate;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Names a filter cannot take: they clash with the workspace's own crates or with words Rust, Envoy
/// configs or Sieve's tools use.
const RESERVED: &[&str] = &[
    "all",
    "chain",
    "sdk",
    "sdk_ext",
    "ext",
    "e2e",
    "emulator",
    "emulator_probe",
    "services",
    "test",
    "tests",
    "test_trap",
    "xtask",
    "core",
    "std",
    "alloc",
    "proc_macro",
    "self",
    "super",
    "crate",
    "mod",
    "fn",
    "type",
    "struct",
    "enum",
    "trait",
    "impl",
    "match",
    "loop",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "extern",
    "false",
    "true",
    "for",
    "if",
    "in",
    "let",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "static",
    "unsafe",
    "use",
    "where",
    "while",
    "async",
    "await",
    "dyn",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "gen",
    "union",
];

/// Checks a filter name: a crate-name-safe, metric-safe identifier that clashes with nothing.
pub fn check_name(name: &str, root: &Path) -> Result<(), String> {
    let valid = name.len() <= 32
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__");
    if !valid {
        return Err(format!(
            "{name:?} is not a valid filter name: use 1-32 lower-case letters, digits and single '_', starting with a letter \
             (it becomes the crate sieve-<name>, the Envoy filter sieve.<name> and the metrics sieve.<name>.*)"
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!("{name:?} is reserved (a Rust keyword or a name Sieve uses); choose another"));
    }
    for taken in [
        format!("filters/{name}"),
        format!("envoy/{name}.yaml"),
        format!("istio/{name}"),
        format!("tests/scenarios/{name}.yaml"),
    ] {
        if root.join(&taken).exists() {
            return Err(format!("{name:?} clashes with {taken}, which exists"));
        }
    }
    let package = package_name(name);
    let manifests = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let members = members(&manifests);
    for member in members {
        let text = std::fs::read_to_string(root.join(&member).join("Cargo.toml")).unwrap_or_default();
        for taken in [package.clone(), format!("{package}-module")] {
            if text.lines().any(|line| line.replace(' ', "") == format!("name=\"{taken}\"")) {
                return Err(format!("{name:?} clashes with the package {taken} in {member}"));
            }
        }
    }
    Ok(())
}

fn package_name(name: &str) -> String {
    format!("sieve-{}", name.replace('_', "-"))
}

fn type_name(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The `members = [...]` entries of the workspace manifest.
fn members(manifest: &str) -> Vec<String> {
    let Some(start) = manifest.find("members = [") else { return Vec::new() };
    let rest = &manifest[start..];
    let end = rest.find(']').unwrap_or(rest.len());
    rest[..end].split('"').skip(1).step_by(2).map(String::from).collect()
}

/// The next free listener port after every filter's.
fn next_port() -> Result<u16, String> {
    let highest = generate::sources()?.iter().map(|s| s.port).max().unwrap_or(9999);
    highest.checked_add(1).ok_or_else(|| "no port left".to_string())
}

fn render(template: &str, name: &str, port: u16) -> String {
    template
        .replace("{{name}}", name)
        .replace("{{dashed}}", &name.replace('_', "-"))
        .replace("{{Type}}", &type_name(name))
        .replace("{{port}}", &port.to_string())
}

/// Every template file and where it goes.
fn plan(root: &Path, name: &str) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    let template = root.join("xtask/template");
    let mut files = vec![
        (template.join("envoy.yaml.tmpl"), root.join(format!("envoy/{name}.yaml"))),
        (template.join("scenario.yaml.tmpl"), root.join(format!("tests/scenarios/{name}.yaml"))),
    ];
    let filter_template = template.join("filter");
    let mut stack = vec![filter_template.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&filter_template).map_err(|e| e.to_string())?;
            let target = root.join("filters").join(name).join(relative);
            let target = match target.to_string_lossy().strip_suffix(".tmpl") {
                Some(stripped) => PathBuf::from(stripped),
                None => target,
            };
            files.push((path, target));
        }
    }
    files.sort();
    Ok(files)
}

/// Adds `filters/<name>` and its module crate to the workspace members, after the last filter.
fn register_member(root: &Path, name: &str) -> Result<(), String> {
    let path = root.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let entry = format!("    \"filters/{name}\",\n    \"filters/{name}/module\",\n");
    let lines: Vec<&str> = manifest.split_inclusive('\n').collect();
    let last_filter = lines
        .iter()
        .rposition(|line| line.trim_start().starts_with("\"filters/"))
        .ok_or("the workspace manifest lists no filters/ member")?;
    let mut updated: String = lines.iter().take(last_filter + 1).copied().collect();
    updated.push_str(&entry);
    updated.extend(lines.iter().skip(last_filter + 1).copied());
    std::fs::write(&path, updated).map_err(|e| e.to_string())
}

/// Publishes the filter's listener port in docker-compose.yaml, next to the other filters'.
fn publish_port(root: &Path, name: &str, port: u16) -> Result<(), String> {
    let path = root.join("docker-compose.yaml");
    let compose = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let variable = format!("SIEVE_{}_PORT", name.to_ascii_uppercase());
    let line = format!("      - \"127.0.0.1:${{{variable}-{port}}}:{port}\"\n");
    let anchor = "      - \"127.0.0.1:${SIEVE_ADMIN_PORT";
    let at = compose.find(anchor).ok_or("docker-compose.yaml: no admin port line to insert before")?;
    let updated = format!("{}{line}{}", &compose[..at], &compose[at..]);
    std::fs::write(&path, updated).map_err(|e| e.to_string())
}

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root);
    command
}

pub fn new(args: &[String]) -> Result<(), String> {
    let [name] = args else { return Err("usage: cargo xtask new NAME".into()) };
    let root = workspace_root();
    check_name(name, &root)?;
    let port = next_port()?;
    let files = plan(&root, name)?;
    for (template, target) in &files {
        let text = std::fs::read_to_string(template).map_err(|e| format!("{}: {e}", template.display()))?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(target, render(&text, name, port)).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    register_member(&root, name)?;
    publish_port(&root, name, port)?;
    let package = package_name(name);
    let status = cargo(&root)
        .args(["fmt", "--package", &package, "--package", &format!("{package}-module")])
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("cargo fmt --package {package} failed"));
    }
    eprintln!("building the modules and regenerating envoy/all.yaml and istio/ ...");
    let all = modules::discover()?;
    modules::build(&all, false)?;
    let generated = generate::write(&modules::release_dir())?;
    println!("created the filter {name} (package {package}):");
    for (_, target) in &files {
        println!("  {}", target.strip_prefix(&root).unwrap_or(target).display());
    }
    println!("registered: Cargo.toml (workspace member), docker-compose.yaml (port {port})");
    println!(
        "regenerated: {}",
        generated
            .iter()
            .filter(|p| p.contains(name.as_str()) || p.ends_with("all.yaml"))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "\nnext:\n  cargo test -p {package}                        # its unit, emulator and Envoy tests\n  cargo xtask up --config envoy/{name}.yaml       # run it in Envoy\n  edit filters/{name}/src/ and its README.md, then cargo xtask generate"
    );
    Ok(())
}

#[cfg(test)]
#[path = "new_test.rs"]
mod tests;
