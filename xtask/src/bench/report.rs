//! The report: the targets with their verdicts, the tables (bench/RESULTS.md) and the chart.

use super::config::{Options, Setup, LIST_KEYS};
use super::stats::{added, median, min_max, Results};
use sieve_e2e::modules;
use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

pub(super) struct Report<'a> {
    pub options: &'a Options,
    pub setups: &'a [Setup],
    pub results: &'a Results,
    pub envoy_version: String,
    pub wrk_version: String,
    pub list_facts: Vec<(&'static str, usize, f64)>,
    pub elapsed: Duration,
}

/// A target: a ratio of added costs (or a figure) and its limit.
struct Target {
    what: String,
    value: Option<f64>,
    limit: f64,
    unit: &'static str,
}

impl Report<'_> {
    fn added_median(&self, id: &str) -> Option<f64> {
        let values = added(self.results, id, 1, false);
        (!values.is_empty()).then(|| median(&values))
    }

    fn ratio(&self, a: &str, b: &str) -> Option<f64> {
        Some(self.added_median(a)? / self.added_median(b)?)
    }

    fn module_size(module: &str) -> Option<u64> {
        std::fs::metadata(modules::release_dir().join(format!("{module}.wasm"))).ok().map(|m| m.len())
    }

    /// Extra seconds to ready against no filter (median over rounds, one worker).
    fn load_seconds(&self, id: &str) -> Option<f64> {
        let ready = |id: &str| {
            let samples = self.results.get(&(id.to_string(), 1))?;
            Some(median(&samples.iter().map(|s| s.ready).collect::<Vec<_>>()))
        };
        Some(ready(id)? - ready("none")?)
    }

    /// The screen filter's list load time (median over rounds, one worker).
    fn list_load(&self, id: &str) -> Option<f64> {
        let samples = self.results.get(&(id.to_string(), 1))?;
        let values: Vec<f64> = samples.iter().filter_map(|s| s.list_load_ms).collect();
        (!values.is_empty()).then(|| median(&values))
    }

    /// RSS added by the second worker (median over rounds).
    fn extra_worker_rss(&self, id: &str) -> Option<f64> {
        let one = self.results.get(&(id.to_string(), 1))?;
        let two = self.results.get(&(id.to_string(), 2))?;
        let diffs: Vec<f64> = one.iter().zip(two).map(|(a, b)| b.rss as f64 - a.rss as f64).collect();
        Some(median(&diffs))
    }

    fn targets(&self) -> Vec<Target> {
        let bloom_bytes =
            self.list_facts.iter().find(|(n, ..)| *n == "bloom").map(|(_, b, _)| *b as f64).unwrap_or(0.0);
        let mut targets = vec![
            Target {
                what: "chain / three separate filters (added µs)".into(),
                value: self.ratio("chain", "three"),
                limit: 0.5,
                unit: "×",
            },
            Target { what: "chain / empty filter".into(), value: self.ratio("chain", "empty"), limit: 2.5, unit: "×" },
            Target { what: "Sieve headers / Lua".into(), value: self.ratio("headers", "lua"), limit: 0.75, unit: "×" },
            Target {
                what: "Sieve headers / empty filter".into(),
                value: self.ratio("headers", "empty"),
                limit: 1.8,
                unit: "×",
            },
            Target {
                what: "Sieve JWT HS256 / native jwt_authn HS256".into(),
                value: self.ratio("auth-hs256", "jwt_authn-hs256"),
                limit: 0.7,
                unit: "×",
            },
            Target {
                what: "Sieve JWT RS256 / native, repeated token".into(),
                value: self.ratio("auth-rs256", "jwt_authn-rs256"),
                limit: 1.5,
                unit: "×",
            },
            Target {
                what: "Sieve JWT RS256 / native, a new token every request".into(),
                value: self.ratio("auth-rs256-cold", "jwt_authn-rs256-cold"),
                limit: 1.5,
                unit: "×",
            },
            Target {
                what: "Sieve JWT PS256 / native, a new token every request".into(),
                value: self.ratio("auth-ps256-cold", "jwt_authn-ps256-cold"),
                limit: 1.5,
                unit: "×",
            },
            Target {
                what: "screen 1M Bloom / empty filter".into(),
                value: self.ratio("screen-bloom", "empty"),
                limit: 1.6,
                unit: "×",
            },
            Target {
                what: "screen 1M Cuckoo / empty filter".into(),
                value: self.ratio("screen-cuckoo", "empty"),
                limit: 1.6,
                unit: "×",
            },
            Target {
                what: "screen 1M Bloom list load in a VM (decode, verify, build; the filter's own timing)".into(),
                value: self.list_load("screen-bloom"),
                limit: 50.0,
                unit: " ms",
            },
            Target {
                what: "screen 1M Cuckoo list load in a VM".into(),
                value: self.list_load("screen-cuckoo"),
                limit: 50.0,
                unit: " ms",
            },
            Target {
                what: "RSS of an extra worker with the 1M Bloom list, against list size + 2 MB".into(),
                value: self.extra_worker_rss("screen-bloom").map(|b| b / 1e6),
                limit: bloom_bytes / 1e6 + 2.0,
                unit: " MB",
            },
        ];
        for (module, limit_kb) in
            [("sieve_headers", 150.0), ("sieve_screen", 200.0), ("sieve_auth", 400.0), ("sieve_chain", 500.0)]
        {
            targets.push(Target {
                what: format!("{module}.wasm size"),
                value: Self::module_size(module).map(|b| b as f64 / 1000.0),
                limit: limit_kb,
                unit: " KB",
            });
        }
        targets
    }

    pub(super) fn markdown(&self) -> String {
        let mut md = String::new();
        let cores = sieve_e2e::load::cpu_count();
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|s| s.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let date = Command::new("date")
            .args(["-u", "+%Y-%m-%d %H:%M UTC"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let _ = writeln!(md, "# Benchmark results\n");
        let _ = writeln!(
            md,
            "Generated by `cargo xtask bench` (`{}`) on {date}, {} in all.\n",
            self.command(),
            human(self.elapsed)
        );
        let _ = writeln!(md, "- Envoy: `{}`", self.envoy_version);
        let _ = writeln!(
            md,
            "- load generator: `{}`, {} connections per worker, {} s per run after a {} s warm-up",
            self.wrk_version, self.options.connections, self.options.seconds, self.options.warmup
        );
        let _ = writeln!(md, "- machine: {cores} cores ({cpu}); at `--concurrency 1` Envoy's worker is pinned to core 1 and wrk to core 0 (`taskset`); at 2 workers nothing is pinned (two cores hold the workers and wrk)");
        let _ = writeln!(md, "- {} interleaved rounds: every configuration once per round, in a shuffled order; medians with min–max across rounds", self.options.rounds);
        let _ = writeln!(md, "- every request carries `x-probe`, `x-api-key` and `authorization` (a valid token for the JWT configurations); `/direct` answers from a `direct_response` route, `/echo` goes to the echo upstream (its own process, on wrk's core)");
        let _ = writeln!(
            md,
            "- added µs per request = 1e6/rps − 1e6/rps(no filter), same round, same route, same concurrency\n"
        );
        let _ = writeln!(md, "![added µs per request](added-us.svg)\n");

        let _ = writeln!(
            md,
            "## Targets\n\nWhere the cost goes and why a target is missed: [ANALYSIS.md](ANALYSIS.md).\n\n| target | measured | limit | |\n|---|---|---|---|"
        );
        for target in self.targets() {
            let (measured, verdict) = match target.value {
                Some(v) if v.is_finite() => {
                    (format!("{v:.2}{}", target.unit), if v <= target.limit { "met" } else { "**missed**" })
                }
                _ => ("not measured".into(), "—"),
            };
            let _ = writeln!(md, "| {} | {measured} | ≤ {:.2}{} | {verdict} |", target.what, target.limit, target.unit);
        }
        for (concurrency, title) in
            [(1u32, "one worker (`--concurrency 1`, pinned)"), (2, "two workers (`--concurrency 2`)")]
        {
            let _ = writeln!(md, "\n## {title}\n");
            let _ = writeln!(md, "| configuration | direct: requests/s | direct: added µs/request | echo: requests/s | echo: added µs/request |");
            let _ = writeln!(md, "|---|---|---|---|---|");
            for setup in self.setups {
                let Some(samples) = self.results.get(&(setup.id.to_string(), concurrency)) else { continue };
                let direct: Vec<f64> = samples.iter().map(|s| s.direct).collect();
                let echo: Vec<f64> = samples.iter().map(|s| s.echo).collect();
                let fmt_rps = |v: &[f64]| {
                    let (lo, hi) = min_max(v);
                    format!("{:.0} ({:.0}–{:.0})", median(v), lo, hi)
                };
                let fmt_added = |v: Vec<f64>| {
                    if setup.id == "none" {
                        return "—".to_string();
                    }
                    let (lo, hi) = min_max(&v);
                    format!("{:.2} ({:.2}–{:.2})", median(&v), lo, hi)
                };
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    setup.label,
                    fmt_rps(&direct),
                    fmt_added(added(self.results, setup.id, concurrency, false)),
                    fmt_rps(&echo),
                    fmt_added(added(self.results, setup.id, concurrency, true))
                );
            }
        }
        let _ = writeln!(md, "\n## Modules, loading and memory\n");
        let _ = writeln!(md, "| module | size (release, stripped) |\n|---|---|");
        for module in
            ["sieve_bench_empty", "sieve_bench_naive", "sieve_headers", "sieve_auth", "sieve_screen", "sieve_chain"]
        {
            if let Some(size) = Self::module_size(module) {
                let _ = writeln!(md, "| `{module}.wasm` | {:.1} KB |", size as f64 / 1000.0);
            }
        }
        let _ = writeln!(md, "\n| configuration | Envoy start to first request served, over no filter (one worker: the main thread's VM and the worker's) | RSS, one worker | RSS added by a second worker |\n|---|---|---|---|");
        for setup in self.setups {
            let rss_one = self
                .results
                .get(&(setup.id.to_string(), 1))
                .map(|s| median(&s.iter().map(|x| x.rss as f64).collect::<Vec<_>>()));
            let load = if setup.id == "none" {
                "—".to_string()
            } else {
                self.load_seconds(setup.id).map(|s| format!("{:.0} ms", s * 1000.0)).unwrap_or_default()
            };
            let _ = writeln!(
                md,
                "| {} | {load} | {} | {} |",
                setup.label,
                rss_one.map(|b| format!("{:.1} MB", b / 1e6)).unwrap_or_default(),
                self.extra_worker_rss(setup.id).map(|b| format!("{:+.1} MB", b / 1e6)).unwrap_or_default()
            );
        }
        let _ =
            writeln!(md, "\n| 1M-key list | blob size | bits per key | built in (host, release) | loaded in a VM (the filter's timing) |\n|---|---|---|---|---|");
        for (name, bytes, seconds) in &self.list_facts {
            let load = self.list_load(&format!("screen-{name}")).map(|ms| format!("{ms:.0} ms")).unwrap_or_default();
            let _ = writeln!(
                md,
                "| {name} | {:.2} MB | {:.1} | {:.2} s | {load} |",
                *bytes as f64 / 1e6,
                *bytes as f64 * 8.0 / LIST_KEYS as f64,
                seconds
            );
        }
        md
    }

    fn command(&self) -> String {
        let mut command = "cargo xtask bench".to_string();
        if self.options.rounds != 3 {
            command.push_str(&format!(" --rounds {}", self.options.rounds));
        }
        if self.options.seconds != 3 {
            command.push_str(&format!(" --seconds {}", self.options.seconds));
        }
        if let Some(only) = &self.options.only {
            command.push_str(&format!(" --only {}", only.join(",")));
        }
        command
    }

    /// Horizontal bars: added µs per request, one worker, direct route, median with the min–max range.
    pub(super) fn svg(&self) -> String {
        let rows: Vec<(&str, f64, f64, f64)> = self
            .setups
            .iter()
            .filter(|s| s.id != "none")
            .filter_map(|s| {
                let values = added(self.results, s.id, 1, false);
                if values.is_empty() {
                    return None;
                }
                let (lo, hi) = min_max(&values);
                Some((s.label, median(&values), lo, hi))
            })
            .collect();
        let max = rows.iter().map(|(_, _, _, hi)| *hi).fold(1.0f64, f64::max) * 1.1;
        let (label_w, bar_w, row_h, top) = (430.0, 480.0, 26.0, 50.0);
        let height = top + rows.len() as f64 * row_h + 40.0;
        let width = label_w + bar_w + 90.0;
        let mut svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="22" font-size="15" font-weight="bold">Added µs per request against no filter (one pinned worker, direct_response route; median, min–max)</text>
"#
        );
        for (i, (label, med, lo, hi)) in rows.iter().enumerate() {
            let y = top + i as f64 * row_h;
            let scale = |v: f64| label_w + v.max(0.0) / max * bar_w;
            let color = if label.starts_with("Sieve") {
                "#2f7ed8"
            } else if label.starts_with("native") || label.starts_with("Lua") {
                "#999999"
            } else {
                "#f28f43"
            };
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
                label_w - 8.0,
                y + 15.0,
                xml(label)
            );
            let _ = writeln!(
                svg,
                r#"<rect x="{label_w}" y="{}" width="{:.1}" height="16" fill="{color}"/>"#,
                y + 3.0,
                scale(*med) - label_w
            );
            let _ = writeln!(
                svg,
                r#"<line x1="{:.1}" x2="{:.1}" y1="{}" y2="{}" stroke="black"/>"#,
                scale(*lo),
                scale(*hi),
                y + 11.0,
                y + 11.0
            );
            let _ = writeln!(svg, r#"<text x="{:.1}" y="{}">{med:.1}</text>"#, scale(*hi) + 6.0, y + 15.0);
        }
        let axis_y = top + rows.len() as f64 * row_h + 5.0;
        let _ = writeln!(
            svg,
            r#"<line x1="{label_w}" x2="{}" y1="{axis_y}" y2="{axis_y}" stroke="black"/>"#,
            label_w + bar_w
        );
        let _ = writeln!(
            svg,
            r#"<text x="{label_w}" y="{}">0</text><text x="{}" y="{}" text-anchor="end">{:.0} µs</text>"#,
            axis_y + 16.0,
            label_w + bar_w,
            axis_y + 16.0,
            max
        );
        svg.push_str("</svg>\n");
        svg
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!("{}m{:02}s", seconds / 60, seconds % 60)
}
