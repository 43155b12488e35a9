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
    check_identifier(name)?;
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

/// Checks a filter name on its own: valid and not reserved.
fn check_identifier(name: &str) -> Result<(), String> {
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
        .replace("{{config}}", "\"envoy/{{name}}.yaml\"")
        .replace("{{config_file}}", "envoy/{{name}}.yaml")
        .replace("{{scenario_note}}", "tests/scenarios/{{name}}.yaml runs in both.")
        .replace("{{new_command}}", "`cargo xtask new {{name}}`")
        .replace("{{build_command}}", "`cargo xtask build`")
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

const USAGE: &str = "usage: cargo xtask new NAME [--out DIR [--sieve-git URL[#REV]]]";

pub fn new(args: &[String]) -> Result<(), String> {
    let (name, rest) = args.split_first().ok_or(USAGE)?;
    let (mut out, mut git) = (None, None);
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(rest.next().ok_or("--out takes a directory")?)),
            "--sieve-git" => git = Some(rest.next().ok_or("--sieve-git takes URL[#REV]")?.clone()),
            _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    match (out, git) {
        (Some(out), git) => standalone(name, &out, git.as_deref()),
        (None, Some(_)) => Err(format!("--sieve-git goes with --out\n{USAGE}")),
        (None, None) => in_workspace(name),
    }
}

/// Where a standalone filter takes Sieve's crates from.
enum SieveSource {
    /// This checkout, by absolute path.
    Path(PathBuf),
    /// A git repository, at a revision if given.
    Git { url: String, rev: Option<String> },
}

impl SieveSource {
    /// The dependency fields for the Sieve package in folder `folder` of the repository.
    fn dependency(&self, folder: &str) -> String {
        match self {
            SieveSource::Path(root) => format!("path = {:?}", root.join(folder).display().to_string()),
            SieveSource::Git { url, rev: Some(rev) } => format!("git = {url:?}, rev = {rev:?}"),
            SieveSource::Git { url, rev: None } => format!("git = {url:?}"),
        }
    }

    fn describe(&self) -> String {
        match self {
            SieveSource::Path(root) => format!("path dependencies on the checkout at {}", root.display()),
            SieveSource::Git { url, rev: Some(rev) } => format!("git dependencies on {url} at {rev}"),
            SieveSource::Git { url, rev: None } => format!("git dependencies on {url}"),
        }
    }
}

/// The listener of a standalone filter's `envoy.yaml`.
const STANDALONE_PORT: u16 = 10000;

/// Renders a template for a filter in its own repository: its Envoy config is `envoy.yaml` at the
/// crate's root and Sieve's crates are dependencies.
fn render_standalone(template: &str, name: &str, sieve: &SieveSource) -> String {
    let mut text = template
        .replace("{{config}}", "concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/envoy.yaml\")")
        .replace("{{config_file}}", "envoy.yaml")
        .replace("{{scenario_note}}", "`cargo test` runs both.")
        .replace("{{new_command}}", "`cargo xtask new {{name}} --out DIR` in a checkout of Sieve")
        .replace(
            "{{build_command}}",
            "`cargo build --release --target wasm32-unknown-unknown -p sieve-{{dashed}}-module`",
        )
        .replace("{{sieve_source}}", &sieve.describe());
    while let Some(start) = text.find("{{sieve:") {
        let Some(length) = text[start..].find("}}") else { break };
        let folder = text[start + "{{sieve:".len()..start + length].to_string();
        text.replace_range(start..start + length + 2, &sieve.dependency(&folder));
    }
    render(&text, name, STANDALONE_PORT)
}

/// The filter README for a standalone crate: the workspace's "Run it" and "Tests" sections give
/// way to the standalone crate's.
fn standalone_readme(readme: &str, run_it: &str, tests: &str) -> Result<String, String> {
    let section = |title: &str| readme.find(title).ok_or(format!("the README template has no {title:?} section"));
    let (run, reference, tests_at) =
        (section("## Run it")?, section("## Configuration reference")?, section("## Tests")?);
    if !(run < reference && reference < tests_at) {
        return Err("the README template's sections are out of order".into());
    }
    let body = &readme[reference..tests_at];
    let body = body.replace("(see filters/headers/README.md)", "(see Sieve's filters/headers/README.md)");
    Ok(format!("{}{run_it}{body}{tests}", &readme[..run]))
}

/// `cargo xtask new NAME --out DIR`: the filter as a standalone crate (and its module crate) in
/// `out`, outside this workspace, depending on Sieve's SDK, emulator, harness and tooling.
fn standalone(name: &str, out: &Path, git: Option<&str>) -> Result<(), String> {
    check_identifier(name)?;
    if out.exists() && std::fs::read_dir(out).map_err(|e| format!("{}: {e}", out.display()))?.next().is_some() {
        return Err(format!("{} exists and is not empty", out.display()));
    }
    let root = workspace_root().canonicalize().map_err(|e| e.to_string())?;
    let sieve = match git {
        Some(spec) => match spec.split_once('#') {
            Some((url, rev)) => SieveSource::Git { url: url.into(), rev: Some(rev.into()) },
            None => SieveSource::Git { url: spec.into(), rev: None },
        },
        None => SieveSource::Path(root.clone()),
    };
    let template = root.join("xtask/template");
    let standalone = template.join("standalone");
    let mut files: Vec<(PathBuf, PathBuf)> = plan(&root, name)?
        .into_iter()
        .filter_map(|(from, to)| {
            let relative = to.strip_prefix(root.join("filters").join(name)).ok()?.to_path_buf();
            let replaced = ["Cargo.toml", "module/Cargo.toml", "README.md"].iter().any(|f| relative == Path::new(f));
            (!replaced).then(|| (from, out.join(relative)))
        })
        .collect();
    files.extend([
        (template.join("envoy.yaml.tmpl"), out.join("envoy.yaml")),
        (standalone.join("Cargo.toml.tmpl"), out.join("Cargo.toml")),
        (standalone.join("module/Cargo.toml.tmpl"), out.join("module/Cargo.toml")),
        (standalone.join("examples/package.rs.tmpl"), out.join("examples/package.rs")),
        (standalone.join("gitignore.tmpl"), out.join(".gitignore")),
    ]);
    let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let write = |path: &Path, text: &str| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    for (from, to) in &files {
        write(to, &render_standalone(&read(from)?, name, &sieve))?;
    }
    let readme = standalone_readme(
        &render_standalone(&read(&template.join("filter/README.md.tmpl"))?, name, &sieve),
        &render_standalone(&read(&standalone.join("run-it.md.tmpl"))?, name, &sieve),
        &render_standalone(&read(&standalone.join("tests.md.tmpl"))?, name, &sieve),
    )?;
    write(&out.join("README.md"), &readme)?;
    // The same toolchain, formatting and dependency versions as Sieve: the module builds byte for
    // byte as it would inside Sieve's workspace.
    for file in ["rust-toolchain.toml", "rustfmt.toml", "Cargo.lock"] {
        if root.join(file).is_file() {
            std::fs::copy(root.join(file), out.join(file)).map_err(|e| format!("{file}: {e}"))?;
        }
    }
    let status = cargo(out).args(["fmt", "--all"]).status().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("cargo fmt in {} failed", out.display()));
    }
    println!("created the filter {name} in {} ({}):", out.display(), sieve.describe());
    let mut created: Vec<_> = files.iter().map(|(_, to)| to.clone()).chain([out.join("README.md")]).collect();
    created.sort();
    for path in created {
        println!("  {}", path.strip_prefix(out).unwrap_or(&path).display());
    }
    println!(
        "\nnext, in {}:\n  cargo test                      # its unit, emulator and Envoy tests\n  cargo run --example package     # its OCI image and Istio manifests (deploy/)",
        out.display()
    );
    Ok(())
}

/// `cargo xtask new NAME`: the filter inside this workspace, registered everywhere.
fn in_workspace(name: &str) -> Result<(), String> {
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
            .filter(|p| p.contains(name) || p.ends_with("all.yaml"))
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
