//! `cargo xtask differential`: the same generated requests through Sieve and through Envoy's
//! equivalent native filters, verdicts compared (tests/src/differential/). Writes
//! `target/differential/report.md`; fails on any divergence that no named rule explains.

use sieve_e2e::differential::{self, Options};
use std::time::Instant;

pub fn differential(args: &[String]) -> Result<(), String> {
    let options = Options::parse(args)?;
    let started = Instant::now();
    eprintln!(
        "differential: seed {}, {} cases per pair, pairs {} (Envoy {})",
        options.seed,
        options.requests,
        options.pairs.join(", "),
        crate::envoy_description()?
    );
    let reports = differential::run(&options);
    let text = differential::render(&options, &reports);
    // Next to the harness's scratch directory: <target>/differential.
    let scratch = sieve_e2e::scratch_root();
    let dir = scratch.parent().unwrap_or(&scratch).join("differential");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join("report.md");
    std::fs::write(&path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // The summary table again, after the per-pair reports printed while running.
    println!("{}", text.split("\n## ").next().unwrap_or_default());
    println!("report: {} ({:.0} s)", path.display(), started.elapsed().as_secs_f64());
    let failed: Vec<&str> = reports.iter().filter(|r| !r.passed()).map(|r| r.pair.as_str()).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("Sieve and Envoy's native filters disagree: {} (see the report)", failed.join(", ")))
    }
}
