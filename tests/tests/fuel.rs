//! The cost guard: every filter's work (Wasm instructions, counted by the host emulator's fuel) on
//! the shared scenarios must stay within 10% of the baseline checked in beside this file
//! (`fuel_baseline.json`). After a deliberate change: `cargo xtask fuel --update`, and commit it.

use sieve_e2e::fuel;

#[test]
fn no_filter_does_more_work_per_request_than_its_baseline_allows() {
    let report = fuel::measure().unwrap();
    let baseline = fuel::load_baseline().unwrap();
    eprintln!("{}", fuel::table(&report, Some(&baseline)));
    let regressions = fuel::regressions(&report, &baseline);
    assert!(
        regressions.is_empty(),
        "work per request grew (cargo xtask fuel shows the figures; after a deliberate change, cargo xtask fuel --update):\n{}",
        regressions.join("\n")
    );
}

#[test]
fn the_count_is_deterministic() {
    let (first, second) = (fuel::measure().unwrap(), fuel::measure().unwrap());
    for (filter, cost) in &first.filters {
        let again = second.filters[filter].total_fuel;
        let drift = (cost.total_fuel as f64 - again as f64).abs() / cost.total_fuel as f64;
        // Signatures over freshly minted tokens vary the work of ECDSA by a hair; nothing else moves.
        let moved: Vec<String> = cost
            .cases
            .iter()
            .filter(|(case, [fuel, _])| second.filters[filter].cases.get(*case).map(|c| c[0]) != Some(*fuel))
            .map(|(case, [fuel, _])| format!("{case}: {fuel} then {:?}", second.filters[filter].cases.get(case)))
            .collect();
        assert!(drift < 0.01, "{filter}: {} then {again}\n{}", cost.total_fuel, moved.join("\n"));
    }
}
