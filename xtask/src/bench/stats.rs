//! The figures drawn from the samples: medians, spreads, costs added against another
//! configuration in the same round, ratios, and whether runs agree.

use super::runs::{Route, Sample};
use std::collections::BTreeMap;

/// The configuration every added cost is measured against.
pub(super) const BASELINE: &str = "none";

/// Runs agree when the largest figure is within this fraction above the smallest.
pub(super) const REPEATABLE_WITHIN: f64 = 0.10;

/// Results per (setup, concurrency): samples across rounds, in round order.
pub(super) type Results = BTreeMap<(String, u32), Vec<Sample>>;

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

/// The median, or None when there is nothing to take it of.
pub(super) fn median_of(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| median(values))
}

/// µs per request a configuration serving `rps` costs over one serving `baseline_rps`.
pub(super) fn added_us(rps: f64, baseline_rps: f64) -> f64 {
    1e6 / rps - 1e6 / baseline_rps
}

pub(super) fn samples<'a>(results: &'a Results, id: &str, concurrency: u32) -> &'a [Sample] {
    results.get(&(id.to_string(), concurrency)).map_or(&[], Vec::as_slice)
}

/// `difference(mine, theirs)` round by round (the same round: the same machine state), for the
/// rounds where it is defined.
fn per_round(
    results: &Results,
    id: &str,
    other: &str,
    concurrency: u32,
    difference: impl Fn(&Sample, &Sample) -> Option<f64>,
) -> Vec<f64> {
    let (mine, theirs) = (samples(results, id, concurrency), samples(results, other, concurrency));
    mine.iter().zip(theirs).filter_map(|(m, t)| difference(m, t)).collect()
}

/// Added µs per request against no filter, per round (same round, same concurrency, same route).
pub(super) fn added(results: &Results, id: &str, concurrency: u32, route: Route) -> Vec<f64> {
    per_round(results, id, BASELINE, concurrency, |m, n| Some(added_us(m.rps(route), n.rps(route))))
}

/// Worker CPU µs per request, per round.
pub(super) fn cpu(results: &Results, id: &str, concurrency: u32, route: Route) -> Vec<f64> {
    samples(results, id, concurrency).iter().filter_map(|s| s.cpu_us(route)).collect()
}

/// Worker CPU µs per request of `id` minus that of `other`, per round.
pub(super) fn cpu_over(results: &Results, id: &str, other: &str, concurrency: u32, route: Route) -> Vec<f64> {
    per_round(results, id, other, concurrency, |m, o| Some(m.cpu_us(route)? - o.cpu_us(route)?))
}

/// Worker CPU µs per request added over no filter, per round.
pub(super) fn added_cpu(results: &Results, id: &str, concurrency: u32, route: Route) -> Vec<f64> {
    cpu_over(results, id, BASELINE, concurrency, route)
}

/// Envoy's RSS with `id` minus with `other`, bytes, per round.
pub(super) fn rss_over(results: &Results, id: &str, other: &str, concurrency: u32) -> Vec<f64> {
    per_round(results, id, other, concurrency, |m, o| (m.rss > 0 && o.rss > 0).then_some(m.rss as f64 - o.rss as f64))
}

/// The ratio of two medians (e.g. of added µs across rounds). A denominator that added no cost
/// (noise at or below zero) makes the ratio meaningless: infinite, so that it cannot meet a limit.
pub(super) fn ratio_of_medians(numerator: &[f64], denominator: &[f64]) -> Option<f64> {
    let (n, d) = (median_of(numerator)?, median_of(denominator)?);
    Some(if d > 0.0 { n / d } else { f64::INFINITY })
}

/// Ratios round by round. A round whose denominator added no cost has no meaningful ratio: it
/// counts as infinite, so that a claim about every round cannot pass on it.
pub(super) fn round_ratios(numerator: &[f64], denominator: &[f64]) -> Vec<f64> {
    numerator.iter().zip(denominator).map(|(n, d)| if *d > 0.0 { n / d } else { f64::INFINITY }).collect()
}

/// Whether the runs' figures agree within ±10% (max/min − 1 ≤ 0.10); None with fewer than two.
/// Figures of both signs, or zero, cannot be compared as a ratio: they agree only if equal.
pub(super) fn repeatable(figures: &[f64]) -> Option<bool> {
    if figures.len() < 2 {
        return None;
    }
    if figures.iter().any(|f| !f.is_finite()) {
        return Some(false);
    }
    let (lo, hi) = min_max(figures);
    if lo == hi {
        return Some(true);
    }
    // All negative: the same test on magnitudes.
    let (small, large) = if lo > 0.0 {
        (lo, hi)
    } else if hi < 0.0 {
        (-hi, -lo)
    } else {
        return Some(false);
    };
    Some(large / small - 1.0 <= REPEATABLE_WITHIN + 1e-12)
}

/// Every run's rounds in one set (run 1's rounds, then run 2's, ...): for the tables, which show
/// the spread across all rounds. Same-round pairs stay pairs since every run measures every
/// configuration once per round.
pub(super) fn pooled(runs: &[Results]) -> Results {
    let mut all = Results::new();
    for results in runs {
        for (key, samples) in results {
            all.entry(key.clone()).or_default().extend(samples.iter().cloned());
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(direct: f64, cpu: Option<f64>, rss: u64) -> Sample {
        Sample { direct, echo: direct / 2.0, direct_cpu_us: cpu, echo_cpu_us: cpu, rss, ..Sample::default() }
    }

    fn results(rows: &[(&str, u32, Vec<Sample>)]) -> Results {
        rows.iter().map(|(id, c, s)| ((id.to_string(), *c), s.clone())).collect()
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
        assert_eq!(median_of(&[]), None);
        assert_eq!(min_max(&[2.0, -1.0, 5.0]), (-1.0, 5.0));
    }

    #[test]
    fn added_us_is_the_difference_of_times_per_request() {
        // 50,000 rps is 20 µs a request, 40,000 is 25: 5 µs added.
        assert!((added_us(40_000.0, 50_000.0) - 5.0).abs() < 1e-9);
        assert!(added_us(50_000.0, 40_000.0) < 0.0);
    }

    #[test]
    fn added_costs_pair_rounds() {
        let r = results(&[
            ("none", 1, vec![sample(50_000.0, Some(10.0), 100), sample(40_000.0, Some(12.0), 100)]),
            ("x", 1, vec![sample(40_000.0, Some(14.0), 150), sample(40_000.0, None, 130)]),
        ]);
        let x = added(&r, "x", 1, Route::Direct);
        assert_eq!(x.len(), 2);
        assert!((x[0] - 5.0).abs() < 1e-9 && x[1].abs() < 1e-9);
        // Round 2 has no CPU reading for x: only round 1 counts.
        assert_eq!(added_cpu(&r, "x", 1, Route::Echo), vec![4.0]);
        assert_eq!(cpu(&r, "x", 1, Route::Direct), vec![14.0]);
        assert_eq!(rss_over(&r, "x", "none", 1), vec![50.0, 30.0]);
        assert!(added(&r, "x", 2, Route::Direct).is_empty());
        assert!(added(&r, "missing", 1, Route::Direct).is_empty());
    }

    #[test]
    fn ratios_of_medians_and_per_round() {
        assert_eq!(ratio_of_medians(&[2.0, 4.0, 6.0], &[1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(ratio_of_medians(&[], &[1.0]), None);
        assert_eq!(ratio_of_medians(&[1.0], &[-0.5]), Some(f64::INFINITY));
        assert_eq!(round_ratios(&[2.0, 3.0], &[2.0, 2.0]), vec![1.0, 1.5]);
        assert_eq!(round_ratios(&[2.0], &[0.0]), vec![f64::INFINITY]);
    }

    #[test]
    fn runs_repeat_within_ten_percent() {
        assert_eq!(repeatable(&[1.0]), None);
        assert_eq!(repeatable(&[]), None);
        assert_eq!(repeatable(&[1.0, 1.1]), Some(true));
        assert_eq!(repeatable(&[1.0, 1.05, 1.1]), Some(true));
        assert_eq!(repeatable(&[1.0, 1.11]), Some(false));
        assert_eq!(repeatable(&[-1.0, -1.08]), Some(true));
        assert_eq!(repeatable(&[-1.0, -1.2]), Some(false));
        assert_eq!(repeatable(&[-0.1, 0.1]), Some(false));
        assert_eq!(repeatable(&[0.0, 0.0]), Some(true));
        assert_eq!(repeatable(&[1.0, f64::INFINITY]), Some(false));
    }

    #[test]
    fn pooled_runs_keep_round_order() {
        let one = results(&[("none", 1, vec![sample(1.0, None, 1)])]);
        let two = results(&[("none", 1, vec![sample(2.0, None, 1)]), ("x", 1, vec![sample(3.0, None, 1)])]);
        let all = pooled(&[one, two]);
        let direct: Vec<f64> = samples(&all, "none", 1).iter().map(|s| s.direct).collect();
        assert_eq!(direct, vec![1.0, 2.0]);
        assert_eq!(samples(&all, "x", 1).len(), 1);
    }
}
