//! The differential check, short form: a seeded run of every pair — the same generated requests
//! through Sieve and through Envoy's equivalent native filter (RBAC, jwt_authn, header_mutation),
//! verdicts compared. The long form is `cargo xtask differential` (10,000 cases per pair).
//! A divergence fails with its reproducer: the raw request and both answers.

use sieve_e2e::differential::{self, Options};
use std::time::{Duration, Instant};

/// Cases per pair: the whole file stays within a minute on two cores (about 10 s of requests, plus
/// the module build every end-to-end test binary does once).
const CASES: u64 = 1000;
const SEED: u64 = 20_261_201;

fn check(pair: &str) {
    let options =
        Options { seed: SEED, requests: CASES, pairs: vec![pair.to_string()], shrink_budget: 40, ..Options::default() };
    // The modules are built (once per process) before the clock starts: the budget is the run's.
    sieve_e2e::modules::wasm_dir().unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let reports = differential::run(&options);
    let text = differential::render(&options, &reports);
    for report in &reports {
        assert!(report.passed(), "{pair}: Sieve and Envoy's native filter disagree (report above):\n{text}");
    }
    assert!(started.elapsed() < Duration::from_secs(60), "{pair} took {:?}", started.elapsed());
}

#[test]
fn screen_client_ip_agrees_with_rbac_remote_ip() {
    check("screen");
}

#[test]
fn screen_xff_agrees_with_rbac_behind_trusted_hops() {
    check("screen-xff");
}

#[test]
fn jwt_agrees_with_jwt_authn() {
    check("jwt");
}

#[test]
fn access_and_skip_rules_agree_with_rbac_url_path() {
    check("paths");
}

#[test]
fn header_rules_agree_with_header_mutation() {
    check("headers");
}
