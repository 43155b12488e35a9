//! The shared scenario suite (tests/scenarios/*.yaml): every scenario runs in a real Envoy and in
//! the host emulator, and both must give what the file expects. A disagreement means the emulator
//! has drifted from Envoy (or the filter behaves differently there): either is a bug to fix here.

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
fn emulator_and_envoy_agree_on_every_scenario() {
    let scenarios = scenario::load_all().unwrap();
    assert!(scenarios.len() >= 4, "the suite is in tests/scenarios");
    let inputs = Inputs::new();
    let mut failures = Vec::new();
    let mut cases = 0;
    // Scenarios run side by side: each has its own Envoy on free ports.
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = scenarios
            .iter()
            .map(|scenario| {
                let inputs = &inputs;
                scope.spawn(move || {
                    (scenario::run_in_envoy(scenario, inputs), scenario::run_in_emulator(scenario, inputs))
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("a scenario runner panicked")).collect()
    });
    for (scenario, (in_envoy, in_emulator)) in scenarios.iter().zip(&results) {
        cases += scenario.cases.len();
        report(scenario, "Envoy", in_envoy, &mut failures);
        report(scenario, "the emulator", in_emulator, &mut failures);
    }
    assert!(failures.is_empty(), "{} disagreement(s):\n{}", failures.len(), failures.join("\n"));
    eprintln!("{} scenarios, {cases} cases: Envoy and the emulator agree", scenarios.len());
}

#[test]
fn every_filter_has_a_scenario() {
    let scenarios = scenario::load_all().unwrap();
    for module in sieve_e2e::modules::discover().unwrap() {
        assert!(
            scenarios.iter().any(|s| s.module == module.package),
            "filters/{} has no scenario in tests/scenarios/",
            module.dir.file_name().unwrap().to_string_lossy()
        );
    }
}
