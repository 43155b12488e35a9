//! `cargo xtask oci`: each filter as a Wasm OCI image (by default the compat variant with standard
//! OCI media types; see tooling/src/oci.rs for why and for the other forms Istio pulls), written as
//! OCI layouts under `target/oci/`, and pushed to a registry when asked (HTTPS, basic or token
//! auth, credentials from Docker's config.json: tooling/src/registry.rs).

use sieve_e2e::modules;
use sieve_tooling::generate::{sources, VERSION};
use sieve_tooling::oci::{Format, Image};
use sieve_tooling::registry::PushOptions;

pub const USAGE: &str = "oci [--push HOST[:PORT]] [--plain-http] [--ca FILE] [--authfile FILE] [--repository PREFIX] [--format oci|docker|wasm-artifact] [--chain STAGES]";

pub fn oci(args: &[String]) -> Result<(), String> {
    let mut registry = None;
    let mut prefix = "sieve".to_string();
    let mut format = Format::default();
    let mut options = PushOptions::default();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        if options.take_flag(flag, &mut value)? {
            continue;
        }
        match flag.as_str() {
            "--push" => registry = Some(value()?),
            "--repository" => prefix = value()?,
            "--format" => format = Format::parse(&value()?)?,
            "--chain" => {
                value()?;
            }
            other => return Err(format!("unknown option {other}; {USAGE}")),
        }
    }
    let chain = crate::chain_option(args)?;
    crate::build_with(&chain)?;
    let out = sieve_e2e::workspace_root().join("target/oci");
    for source in sources()? {
        let name = format!("sieve-{}", source.filter);
        let module = std::fs::read(modules::release_dir().join(format!("sieve_{}.wasm", source.filter)))
            .map_err(|e| e.to_string())?;
        let image = Image::build_as(format, &module, &name, VERSION)?;
        let layout = out.join(&name);
        let _ = std::fs::remove_dir_all(&layout);
        image.write_layout(&layout, VERSION)?;
        let stages = if source.filter == "chain" && !chain.is_all() {
            format!(", stages {}", chain.names().join(","))
        } else {
            String::new()
        };
        println!("{name}: {}{stages} (OCI layout {})", image.digest(), layout.display());
        if let Some(registry) = &registry {
            let repository = format!("{prefix}/{name}");
            let digest = sieve_tooling::oci::push(registry, &repository, VERSION, &image, &options)?;
            println!("  pushed oci://{registry}/{repository}:{VERSION}\n  WasmPlugin: url: oci://{registry}/{repository}:{VERSION}\n              sha256: {}", digest.trim_start_matches("sha256:"));
        }
    }
    Ok(())
}
