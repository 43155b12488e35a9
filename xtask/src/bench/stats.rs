//! The figures drawn from the samples: medians, spreads, added cost against no filter.

use super::runs::Sample;
use std::collections::BTreeMap;

pub(super) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

pub(super) fn min_max(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)))
}

/// Results per (setup, concurrency): samples across rounds.
pub(super) type Results = BTreeMap<(String, u32), Vec<Sample>>;

/// Added µs per request against no filter, per round (same round, same concurrency, same upstream).
pub(super) fn added(results: &Results, id: &str, concurrency: u32, echo: bool) -> Vec<f64> {
    let (Some(mine), Some(none)) =
        (results.get(&(id.to_string(), concurrency)), results.get(&("none".to_string(), concurrency)))
    else {
        return Vec::new();
    };
    mine.iter()
        .zip(none)
        .map(|(m, n)| {
            let (a, b) = if echo { (m.echo, n.echo) } else { (m.direct, n.direct) };
            1e6 / a - 1e6 / b
        })
        .collect()
}
