//! Differential testing: the same generated requests go through a Sieve filter and through an
//! Envoy listener configured with the equivalent native filter, and the verdicts must agree. The
//! check does not rely on Sieve's own model of what a request means: Envoy's native filter is the
//! oracle.
//!
//! Each pair runs one Envoy holding both sides as separate listeners (a Sieve listener and a
//! native one for every connection-manager setting the pair varies); requests go over kept-alive
//! raw TCP connections. Every case is drawn from its own seeded stream ([`rng::Rng::for_case`]),
//! so a run is reproducible from its seed and one case can be replayed alone.
//!
//! A disagreement is either an intended divergence — Sieve stricter on purpose, recognised by an
//! explicit, named [`Rule`] of the pair, counted and shown — or a divergence, which fails the run.
//! The first case of each divergence class is shrunk (parts of the request removed while the same
//! divergence persists) and reported as a reproducer: the raw request and both answers.
//!
//! The pairs: [`screen`] (client address vs RBAC `remote_ip`, two variants), [`jwt`] (JWT vs
//! `jwt_authn`), [`paths`] (auth access and skip rules vs RBAC `url_path`), [`headers`] (header
//! rules vs `header_mutation`).

pub mod envoy_config;
pub mod headers;
pub mod jwt;
pub mod paths;
pub mod rng;
pub mod screen;
pub mod wire;

use crate::{EnvoyConfig, StackBuilder};
use rng::Rng;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};
use wire::{Client, RawRequest, Response};

/// The pairs, by the names `--pair` takes.
pub const PAIRS: [&str; 5] = ["screen", "screen-xff", "jwt", "paths", "headers"];

/// How variant (b) of the screen pair names its X-Forwarded-For setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XffField {
    /// `xff_num_trusted_hops`, after asking the module whether it takes the field.
    Auto,
    /// `xff_num_trusted_hops`: the client is the (N+1)th entry from the right.
    Num,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Cases per pair; each case is one request sent to both sides.
    pub requests: u64,
    pub pairs: Vec<String>,
    pub xff_field: XffField,
    /// Exchanges spent shrinking the first case of each divergence class.
    pub shrink_budget: usize,
    /// Progress lines on stderr.
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            requests: 10_000,
            pairs: PAIRS.iter().map(|p| p.to_string()).collect(),
            xff_field: XffField::Auto,
            shrink_budget: 300,
            progress: false,
        }
    }
}

impl Options {
    /// `--seed S --requests N --pair NAME (repeatable, or comma-separated) --xff-field auto|num`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options { progress: true, ..Options::default() };
        let mut pairs = Vec::new();
        let mut iter = args.iter();
        while let Some(flag) = iter.next() {
            let mut value = || iter.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
                "--requests" => options.requests = value()?.parse().map_err(|e| format!("--requests: {e}"))?,
                "--pair" => {
                    for name in value()?.split(',') {
                        if !PAIRS.contains(&name) {
                            return Err(format!("unknown pair {name:?}; pairs: {}", PAIRS.join(", ")));
                        }
                        pairs.push(name.to_string());
                    }
                }
                "--xff-field" => {
                    options.xff_field = match value()?.as_str() {
                        "auto" => XffField::Auto,
                        "num" => XffField::Num,
                        other => return Err(format!("--xff-field: {other:?} is not auto or num")),
                    }
                }
                "--shrink-budget" => {
                    options.shrink_budget = value()?.parse().map_err(|e| format!("--shrink-budget: {e}"))?
                }
                other => return Err(format!("unknown option {other}")),
            }
        }
        if !pairs.is_empty() {
            options.pairs = pairs;
        }
        Ok(options)
    }
}

/// An intended divergence: a disagreement where Sieve is stricter on purpose, recognised by a
/// condition the pair checks on the case and on what Envoy reported.
#[derive(Debug)]
pub struct Rule {
    pub name: &'static str,
    pub why: &'static str,
}

/// How one case's two answers compare.
#[derive(Debug, Clone)]
pub enum Judgement {
    Agree,
    Intended(&'static Rule),
    Diverge {
        /// What kind of disagreement: the first case of each class is shrunk and shown.
        class: String,
        /// Sieve refused where the native filter let the request through (`Some(true)`), or the
        /// reverse (`Some(false)`); `None` when the answers differ otherwise.
        sieve_stricter: Option<bool>,
    },
}

/// What one pair must provide.
pub trait Pair {
    type Case: Clone;
    fn name(&self) -> &'static str;
    /// What is compared with what, in one line.
    fn title(&self) -> String;
    fn bootstrap(&self) -> serde_json::Value;
    fn generate(&self, rng: &mut Rng) -> Self::Case;
    /// The request and where it goes.
    fn plan(&self, case: &Self::Case) -> Plan;
    fn judge(&self, case: &Self::Case, sieve: &Response, native: &Response) -> Judgement;
    /// Smaller cases to try when shrinking (each still a valid case).
    fn shrink(&self, case: &Self::Case) -> Vec<Self::Case>;
    /// How the case was made, for the reproducer (setting, recipe).
    fn describe(&self, case: &Self::Case) -> String;
    /// The configuration of each side for a case: (Sieve, native).
    fn sides(&self, case: &Self::Case) -> (String, String);
    /// Every intended-divergence rule the pair knows (the report lists those that never fired too).
    fn rules(&self) -> Vec<&'static Rule>;
    /// Whether every divergent case is shrunk before its class is taken (cases made of
    /// independent twists: the class then names the twists that matter, not every twist).
    fn classify_by_shrinking(&self) -> bool {
        false
    }
    /// Which of Envoy's reports (`x-diff-*` response headers) a reproducer shows.
    fn shows(&self) -> &'static [&'static str] {
        &[]
    }
    /// Notes for the report (e.g. which config field a variant used).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// One request and the two listeners it goes to.
#[derive(Debug, Clone)]
pub struct Plan {
    pub sieve_listener: String,
    pub native_listener: String,
    /// The connection's source address (a loopback address), if the case chooses it.
    pub source: Option<IpAddr>,
    pub request: RawRequest,
}

/// A case shown in the report.
#[derive(Debug, Clone)]
pub struct Example {
    pub index: u64,
    pub description: String,
    pub sieve_side: String,
    pub native_side: String,
    pub plan: Plan,
    pub sieve: Response,
    pub native: Response,
    pub shrink_steps: usize,
    /// Envoy's reports (`x-diff-*` headers) worth showing for this pair.
    pub shows: &'static [&'static str],
}

#[derive(Debug, Clone)]
pub struct DivergenceClass {
    pub class: String,
    pub sieve_stricter: Option<bool>,
    pub count: u64,
    pub example: Example,
}

#[derive(Debug, Clone)]
pub struct PairReport {
    pub pair: String,
    pub title: String,
    pub seed: u64,
    pub cases: u64,
    pub agreed: u64,
    pub intended: Vec<(&'static Rule, u64, Example)>,
    /// Rules of the pair that no case needed.
    pub unused_rules: Vec<&'static Rule>,
    pub divergences: Vec<DivergenceClass>,
    /// Transport failures and Envoy trouble (a failed start, a trapped VM): each fails the run.
    pub errors: Vec<String>,
    pub notes: Vec<String>,
    pub elapsed: Duration,
}

impl PairReport {
    pub fn passed(&self) -> bool {
        self.divergences.is_empty() && self.errors.is_empty()
    }

    fn failed_to_start(pair: &str, title: String, seed: u64, error: String, notes: Vec<String>) -> PairReport {
        PairReport {
            pair: pair.to_string(),
            title,
            seed,
            cases: 0,
            agreed: 0,
            intended: Vec::new(),
            unused_rules: Vec::new(),
            divergences: Vec::new(),
            errors: vec![error],
            notes,
            elapsed: Duration::ZERO,
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let intended: u64 = self.intended.iter().map(|(_, n, _)| n).sum();
        let diverged: u64 = self.divergences.iter().map(|d| d.count).sum();
        let _ = writeln!(out, "## {} — {}\n", self.pair, self.title);
        let _ = writeln!(
            out,
            "seed {}: {} cases ({} requests) in {:.1} s: {} agree, {} intended divergences, {} divergent cases in {} classes{}\n",
            self.seed,
            self.cases,
            self.cases * 2,
            self.elapsed.as_secs_f64(),
            self.agreed,
            intended,
            diverged,
            self.divergences.len(),
            if self.passed() { "" } else { " — FAILED" }
        );
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for error in &self.errors {
            let _ = writeln!(out, "error: {error}");
        }
        if !self.notes.is_empty() || !self.errors.is_empty() {
            out.push('\n');
        }
        if !self.intended.is_empty() {
            let _ = writeln!(out, "### Intended divergences (Sieve stricter on purpose)\n");
            for (rule, count, example) in &self.intended {
                let _ = writeln!(out, "- `{}`: {} cases. {}", rule.name, count, rule.why);
                let _ = writeln!(out, "{}", indent(&example.render(), "  "));
            }
        }
        if !self.unused_rules.is_empty() {
            let names: Vec<String> = self.unused_rules.iter().map(|r| format!("`{}`", r.name)).collect();
            let _ = writeln!(out, "Rules no case needed: {}\n", names.join(", "));
        }
        if !self.divergences.is_empty() {
            let _ = writeln!(out, "### Divergences\n");
            for (number, class) in self.divergences.iter().enumerate() {
                let direction = match class.sieve_stricter {
                    Some(true) => "Sieve stricter",
                    Some(false) => "Sieve laxer",
                    None => "answers differ",
                };
                let _ = writeln!(out, "{}. [{direction}] {} — {} cases", number + 1, class.class, class.count);
                let _ = writeln!(out, "{}", indent(&class.example.render(), "   "));
            }
        }
        out
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines().map(|l| format!("{prefix}{l}")).collect::<Vec<_>>().join("\n")
}

impl Example {
    fn render(&self) -> String {
        let mut out = String::new();
        let shrunk =
            if self.shrink_steps > 0 { format!(", shrunk in {} steps", self.shrink_steps) } else { String::new() };
        let _ = writeln!(out, "case #{}{shrunk}: {}", self.index, self.description);
        let _ = writeln!(out, "Sieve  ({}): {}", self.plan.sieve_listener, self.sieve_side);
        let _ = writeln!(out, "native ({}): {}", self.plan.native_listener, self.native_side);
        if let Some(source) = self.plan.source {
            let _ = writeln!(out, "connection from {source}");
        }
        let _ = writeln!(out, "request:\n{}", self.plan.request.show());
        let _ = writeln!(out, "Sieve answered:  {}", answer(&self.sieve, self.shows));
        let _ = write!(out, "native answered: {}", answer(&self.native, self.shows));
        out
    }
}

/// A response with what Envoy reported about the request.
fn answer(response: &Response, shows: &[&str]) -> String {
    let mut text = response.summary();
    for (header, label) in [
        ("x-diff-trusted", "Envoy's client"),
        ("x-diff-direct", "peer"),
        ("x-diff-xff", "X-Forwarded-For"),
        ("x-diff-path", "Envoy's :path"),
    ] {
        if !shows.contains(&header) {
            continue;
        }
        if let Some(value) = response.header(header).filter(|v| !v.is_empty() && *v != "-") {
            let _ = write!(text, " [{label} {value}]");
        }
    }
    text
}

/// Runs every pair the options name; one report each.
pub fn run(options: &Options) -> Vec<PairReport> {
    let mut reports = Vec::new();
    for name in &options.pairs {
        let report = std::panic::catch_unwind(|| run_named(name, options)).unwrap_or_else(|panic| {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            PairReport::failed_to_start(
                name,
                String::new(),
                options.seed,
                format!("the run panicked: {why}"),
                Vec::new(),
            )
        });
        if options.progress {
            eprintln!("{}", report.render());
        }
        reports.push(report);
    }
    reports
}

fn run_named(name: &str, options: &Options) -> PairReport {
    match name {
        "screen" => run_pair(&screen::ScreenPair::client_ip(), options),
        "screen-xff" => match screen::ScreenPair::xff(options.xff_field) {
            Ok(pair) => run_pair(&pair, options),
            Err(e) => PairReport::failed_to_start(name, "screen variant (b)".into(), options.seed, e, Vec::new()),
        },
        "jwt" => run_pair(&jwt::JwtPair::new(), options),
        "paths" => run_pair(&paths::PathsPair::new(), options),
        "headers" => run_pair(&headers::HeadersPair::new(options.seed), options),
        other => PairReport::failed_to_start(other, String::new(), options.seed, "unknown pair".into(), Vec::new()),
    }
}

/// The whole report of a run.
pub fn render(options: &Options, reports: &[PairReport]) -> String {
    let mut out = String::from("# Differential run: Sieve vs Envoy's native filters\n\n");
    let _ = writeln!(
        out,
        "seed {}, {} cases per pair (each case: one request to the Sieve listener, the same to the native one)\n",
        options.seed, options.requests
    );
    let _ = writeln!(out, "| pair | cases | agree | intended | divergent cases | classes | time | result |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for report in reports {
        let intended: u64 = report.intended.iter().map(|(_, n, _)| n).sum();
        let diverged: u64 = report.divergences.iter().map(|d| d.count).sum();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.1} s | {} |",
            report.pair,
            report.cases,
            report.agreed,
            intended,
            diverged,
            report.divergences.len(),
            report.elapsed.as_secs_f64(),
            if report.passed() { "ok" } else { "FAILED" }
        );
    }
    out.push('\n');
    for report in reports {
        out.push_str(&report.render());
        out.push('\n');
    }
    out
}

struct Runner<'a> {
    listeners: &'a BTreeMap<String, SocketAddr>,
    client: Client,
}

impl Runner<'_> {
    fn exchange(&mut self, listener: &str, plan: &Plan) -> Result<Response, String> {
        let addr = *self.listeners.get(listener).ok_or_else(|| format!("no listener {listener}"))?;
        self.client.send(addr, plan.source, &plan.request.to_bytes())
    }

    fn observe(&mut self, plan: &Plan) -> (Result<Response, String>, Result<Response, String>) {
        (self.exchange(&plan.sieve_listener, plan), self.exchange(&plan.native_listener, plan))
    }
}

fn judge_results<P: Pair>(
    pair: &P,
    case: &P::Case,
    results: &(Result<Response, String>, Result<Response, String>),
) -> Judgement {
    match results {
        (Ok(sieve), Ok(native)) => pair.judge(case, sieve, native),
        (sieve, native) => Judgement::Diverge {
            class: format!(
                "no answer: Sieve {}, native {}",
                sieve.as_ref().map_or_else(|e| format!("failed ({e})"), |r| r.status.to_string()),
                native.as_ref().map_or_else(|e| format!("failed ({e})"), |r| r.status.to_string())
            ),
            sieve_stricter: None,
        },
    }
}

fn placeholder(error: &Result<Response, String>) -> Response {
    match error {
        Ok(response) => response.clone(),
        Err(e) => Response { status: 0, headers: Vec::new(), body: format!("(no answer: {e})").into_bytes() },
    }
}

/// Runs one pair: starts its Envoy, sends `options.requests` cases, judges and reports.
pub fn run_pair<P: Pair>(pair: &P, options: &Options) -> PairReport {
    let started = Instant::now();
    let name = pair.name();
    let config = match EnvoyConfig::from_json(&pair.bootstrap()) {
        Ok(config) => config,
        Err(e) => return PairReport::failed_to_start(name, pair.title(), options.seed, e, pair.notes()),
    };
    let stack = match StackBuilder::from_config(config).try_start() {
        Ok(stack) => stack,
        Err(e) => {
            let lines: Vec<&str> =
                e.lines().filter(|l| l.contains("critical") || l.contains("error")).take(6).collect();
            let error = format!("Envoy did not start: {}", if lines.is_empty() { e.as_str() } else { "" });
            return PairReport::failed_to_start(
                name,
                pair.title(),
                options.seed,
                error + &lines.join("\n"),
                pair.notes(),
            );
        }
    };
    if options.progress {
        eprintln!(
            "{name}: Envoy up with {} listeners in {:.1} s",
            stack.envoy.listeners.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let mut runner = Runner { listeners: &stack.envoy.listeners, client: Client::new() };
    let mut report = PairReport {
        pair: name.to_string(),
        title: pair.title(),
        seed: options.seed,
        cases: 0,
        agreed: 0,
        intended: Vec::new(),
        unused_rules: Vec::new(),
        divergences: Vec::new(),
        errors: Vec::new(),
        notes: pair.notes(),
        elapsed: Duration::ZERO,
    };
    let example = |index: u64,
                   case: &P::Case,
                   plan: Plan,
                   results: &(Result<Response, String>, Result<Response, String>),
                   steps: usize| {
        let (sieve_side, native_side) = pair.sides(case);
        Example {
            index,
            description: pair.describe(case),
            sieve_side,
            native_side,
            plan,
            sieve: placeholder(&results.0),
            native: placeholder(&results.1),
            shrink_steps: steps,
            shows: pair.shows(),
        }
    };
    let mut transport_errors = 0u64;
    for index in 0..options.requests {
        let mut rng = Rng::for_case(options.seed, name, index);
        let case = pair.generate(&mut rng);
        let plan = pair.plan(&case);
        let results = runner.observe(&plan);
        if results.0.is_err() || results.1.is_err() {
            transport_errors += 1;
        }
        report.cases += 1;
        match judge_results(pair, &case, &results) {
            Judgement::Agree => report.agreed += 1,
            Judgement::Intended(rule) => match report.intended.iter_mut().find(|(r, _, _)| r.name == rule.name) {
                Some((_, count, _)) => *count += 1,
                None => {
                    let key = format!("rule {}", rule.name);
                    let (small, small_results, steps) =
                        shrink(pair, &mut runner, case, results, &key, options.shrink_budget);
                    let small_plan = pair.plan(&small);
                    report.intended.push((rule, 1, example(index, &small, small_plan, &small_results, steps)));
                }
            },
            Judgement::Diverge { class, sieve_stricter } => {
                let (case, results, class, shrunk) = if pair.classify_by_shrinking() {
                    let key = format!("direction {sieve_stricter:?}");
                    let (small, small_results, steps) = shrink(pair, &mut runner, case, results, &key, 16);
                    match judge_results(pair, &small, &small_results) {
                        Judgement::Diverge { class, .. } => (small, small_results, class, steps),
                        _ => (small, small_results, class, steps),
                    }
                } else {
                    (case, results, class, 0)
                };
                match report.divergences.iter_mut().find(|d| d.class == class) {
                    Some(known) => known.count += 1,
                    None => {
                        let key = format!("class {class}");
                        let (small, small_results, steps) =
                            shrink(pair, &mut runner, case, results, &key, options.shrink_budget);
                        let small_plan = pair.plan(&small);
                        report.divergences.push(DivergenceClass {
                            class,
                            sieve_stricter,
                            count: 1,
                            example: example(index, &small, small_plan, &small_results, steps + shrunk),
                        });
                    }
                }
            }
        }
        if options.progress && (index + 1) % 2000 == 0 {
            eprintln!(
                "{name}: {} cases, {} divergence classes, {:.1} s",
                index + 1,
                report.divergences.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    if transport_errors > 0 {
        report.errors.push(format!("{transport_errors} cases got no answer from one side"));
    }
    let log = stack.envoy.log();
    let troubles: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("panicked") || l.contains("Uncaught RuntimeError") || l.contains("Plugin configured to fail")
        })
        .take(3)
        .collect();
    if !troubles.is_empty() {
        report.errors.push(format!("Envoy's log shows a failed VM: {}", troubles.join(" | ")));
    }
    report.unused_rules =
        pair.rules().into_iter().filter(|rule| !report.intended.iter().any(|(r, _, _)| r.name == rule.name)).collect();
    report.elapsed = started.elapsed();
    report
}

type Results = (Result<Response, String>, Result<Response, String>);

/// What a shrunk case must keep: the same rule, or the same divergence class.
fn shrink_key(judgement: &Judgement) -> Option<String> {
    match judgement {
        Judgement::Agree => None,
        Judgement::Intended(rule) => Some(format!("rule {}", rule.name)),
        Judgement::Diverge { class, sieve_stricter } => Some(format!("class {class}|direction {sieve_stricter:?}")),
    }
}

/// Greedy shrinking: take the first smaller case that is judged the same way (`key`), until none
/// is or the budget of exchanges is spent.
fn shrink<P: Pair>(
    pair: &P,
    runner: &mut Runner<'_>,
    case: P::Case,
    results: Results,
    key: &str,
    budget: usize,
) -> (P::Case, Results, usize) {
    let (mut current, mut current_results, mut steps, mut spent) = (case, results, 0, 0);
    'outer: while spent < budget {
        for candidate in pair.shrink(&current) {
            if spent >= budget {
                break 'outer;
            }
            spent += 1;
            let plan = pair.plan(&candidate);
            let results = runner.observe(&plan);
            let found = shrink_key(&judge_results(pair, &candidate, &results)).unwrap_or_default();
            if found == key || found.split('|').any(|part| part == key) {
                current = candidate;
                current_results = results;
                steps += 1;
                continue 'outer;
            }
        }
        break;
    }
    (current, current_results, steps)
}

/// The verdict of one side, as pairs compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused,
}

impl Verdict {
    /// 2xx (and redirects, which Envoy's connection manager answers the same on both sides) is
    /// allowed; 4xx and 5xx are refused.
    pub fn of(response: &Response) -> Verdict {
        if response.status < 400 {
            Verdict::Allowed
        } else {
            Verdict::Refused
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Verdict::Allowed => "allows",
            Verdict::Refused => "refuses",
        }
    }
}

/// The common judgement: agree when both sides answer alike; `intended` looks for a rule when
/// Sieve refused what the native filter let through; otherwise a divergence of class `class`.
pub fn compare(
    sieve: &Response,
    native: &Response,
    intended: impl FnOnce() -> Option<&'static Rule>,
    class: impl FnOnce(Verdict, Verdict) -> String,
) -> Judgement {
    let (s, n) = (Verdict::of(sieve), Verdict::of(native));
    if s == n {
        return Judgement::Agree;
    }
    if s == Verdict::Refused {
        if let Some(rule) = intended() {
            return Judgement::Intended(rule);
        }
    }
    Judgement::Diverge { class: class(s, n), sieve_stricter: Some(s == Verdict::Refused) }
}
