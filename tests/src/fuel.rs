//! The deterministic cost guard: the work (fuel: about one unit per Wasm instruction) and host calls
//! each filter spends on the shared scenarios in the host emulator, against a checked-in baseline
//! (`tests/tests/fuel_baseline.json`). Timing on a shared machine is noisy; instruction counts are
//! not. `cargo xtask fuel` prints the figures, `cargo xtask fuel --update` rewrites the baseline.

use crate::scenario::{self, Cost, Inputs};
use crate::workspace_root;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A filter's total may grow this much above its baseline before the guard fails.
pub const TOLERANCE: f64 = 0.10;

/// Per filter (module package): per case (`<scenario> / <case>`), what it cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub filters: BTreeMap<String, FilterCost>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterCost {
    pub total_fuel: u64,
    pub total_host_calls: u64,
    /// Case -> [fuel, host calls].
    pub cases: BTreeMap<String, [u64; 2]>,
}

pub fn baseline_path() -> PathBuf {
    workspace_root().join("tests/tests/fuel_baseline.json")
}

/// Runs every scenario in the emulator and totals the cost per filter.
pub fn measure() -> Result<Report, String> {
    let inputs = Inputs::new();
    let mut report = Report::default();
    for scenario in scenario::load_all()? {
        let costs = scenario::costs(&scenario, &inputs)?;
        let entry = report.filters.entry(scenario.module().to_string()).or_default();
        for (case, Cost { fuel, host_calls }) in costs {
            entry.total_fuel += fuel;
            entry.total_host_calls += host_calls;
            entry.cases.insert(format!("{} / {case}", scenario.name()), [fuel, host_calls]);
        }
    }
    Ok(report)
}

pub fn load_baseline() -> Result<Report, String> {
    let path = baseline_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e} (create it with `cargo xtask fuel --update`)", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn write_baseline(report: &Report) -> Result<(), String> {
    let text = serde_json::to_string_pretty(report).map_err(|e| e.to_string())? + "\n";
    std::fs::write(baseline_path(), text).map_err(|e| e.to_string())
}

/// Filters whose total grew more than [`TOLERANCE`] above the baseline (or that it lacks), each
/// with the cases that grew.
pub fn regressions(report: &Report, baseline: &Report) -> Vec<String> {
    let mut found = Vec::new();
    for (filter, cost) in &report.filters {
        let Some(base) = baseline.filters.get(filter) else {
            found.push(format!("{filter}: no baseline (run `cargo xtask fuel --update` and commit it)"));
            continue;
        };
        let limit = base.total_fuel as f64 * (1.0 + TOLERANCE);
        if cost.total_fuel as f64 > limit {
            let mut text = format!(
                "{filter}: {} fuel on its scenarios, {:+.1}% over the baseline {} (limit +{:.0}%)",
                cost.total_fuel,
                percent(cost.total_fuel, base.total_fuel),
                base.total_fuel,
                TOLERANCE * 100.0
            );
            for (case, [fuel, _]) in &cost.cases {
                if let Some([before, _]) = base.cases.get(case) {
                    if *fuel > before + before / 20 {
                        text.push_str(&format!("\n    {case}: {before} -> {fuel} ({:+.1}%)", percent(*fuel, *before)));
                    }
                }
            }
            found.push(text);
        }
    }
    found
}

fn percent(now: u64, before: u64) -> f64 {
    if before == 0 {
        return 0.0;
    }
    (now as f64 / before as f64 - 1.0) * 100.0
}

/// A table of the report against the baseline, for people.
pub fn table(report: &Report, baseline: Option<&Report>) -> String {
    let mut text = String::from("| filter | case | fuel | host calls | vs baseline |\n|---|---|---|---|---|\n");
    for (filter, cost) in &report.filters {
        let base = baseline.and_then(|b| b.filters.get(filter));
        for (case, [fuel, calls]) in &cost.cases {
            let versus = base
                .and_then(|b| b.cases.get(case))
                .map(|[before, _]| format!("{:+.1}%", percent(*fuel, *before)))
                .unwrap_or_else(|| "new".into());
            text.push_str(&format!("| {filter} | {case} | {fuel} | {calls} | {versus} |\n"));
        }
        let versus =
            base.map(|b| format!("{:+.1}%", percent(cost.total_fuel, b.total_fuel))).unwrap_or_else(|| "new".into());
        text.push_str(&format!(
            "| **{filter}** | **total** | **{}** | **{}** | **{versus}** |\n",
            cost.total_fuel, cost.total_host_calls
        ));
    }
    text
}
