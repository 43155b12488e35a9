//! The shared scenario suite (tests/scenarios/*.yaml). A one-filter scenario runs in a real Envoy
//! and in the host emulator; a staged scenario runs as separate filters in Envoy, as the fused chain
//! in Envoy and as the chain in the emulator. Every run must give what the file expects: a
//! disagreement means the emulator drifted from Envoy, or the chain from the separate filters.

use sieve_e2e::scenario::{self, Inputs, Observed, Scenario};

fn report(scenario: &Scenario, runner: &str, results: &Result<Vec<Observed>, String>, failures: &mut Vec<String>) {
    match results {
        Err(error) => failures.push(format!("{} in {runner}: {error}", scenario.name())),
        Ok(observed) => {
            for (case, seen) in scenario.cases.iter().zip(observed) {
                let expected = case.expect.as_observed();
                if *seen != expected {
                    failures.push(format!(
                        "{} / {} in {runner}:\n    expected {expected:?}\n    observed {seen:?}",
                        scenario.name(),
                        case.name
                    ));
                }
            }
            if observed.len() != scenario.cases.len() {
                failures.push(format!(
                    "{} in {runner}: {} results for {} cases",
                    scenario.name(),
                    observed.len(),
                    scenario.cases.len()
                ));
            }
        }
    }
}

#[test]
fn every_run_of_every_scenario_gives_what_it_expects() {
    let scenarios = scenario::load_all().unwrap();
    assert!(scenarios.len() >= 4, "the suite is in tests/scenarios");
    let inputs = Inputs::new();
    let mut runs = Vec::new();
    for scenario in &scenarios {
        for variant in scenario.variants().unwrap() {
            runs.push((scenario, variant));
        }
    }
    // Runs go side by side, two at a time (two cores): each has its own Envoy on free ports.
    let mut results = Vec::new();
    for batch in runs.chunks(2) {
        let batch_results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|(scenario, variant)| {
                    let inputs = &inputs;
                    scope.spawn(move || scenario::run(scenario, variant, inputs))
                })
                .collect();
            handles.into_iter().map(|handle| handle.join().expect("a scenario runner panicked")).collect()
        });
        results.extend(batch_results);
    }
    let mut failures = Vec::new();
    for ((scenario, variant), result) in runs.iter().zip(&results) {
        report(scenario, &variant.label, result, &mut failures);
    }
    assert!(failures.is_empty(), "{} disagreement(s):\n{}", failures.len(), failures.join("\n"));
    let cases: usize = runs.iter().map(|(scenario, _)| scenario.cases.len()).sum();
    eprintln!("{} scenarios, {} runs, {cases} case runs: all as expected", scenarios.len(), runs.len());
}

#[test]
fn every_filter_has_a_scenario() {
    let scenarios = scenario::load_all().unwrap();
    for module in sieve_e2e::modules::discover().unwrap() {
        assert!(
            scenarios.iter().any(|s| s.module() == module.package),
            "filters/{} has no scenario in tests/scenarios/",
            module.dir.file_name().unwrap().to_string_lossy()
        );
    }
}
