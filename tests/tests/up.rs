//! `cargo xtask up`, the README's first command, as a user runs it: it builds the filters, starts
//! Envoy in front of the demo services, and prints what to curl. `--check` runs every printed
//! command with bash, exactly as printed, and fails unless each answers as its note says.

use std::process::Command;

#[test]
fn every_command_that_up_prints_answers_as_documented() {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(sieve_e2e::workspace_root())
        // The same Envoy as every other test (installed once by the harness).
        .env("ENVOY_BIN", sieve_e2e::envoy_binary().unwrap())
        .args(["xtask", "up", "--check", "--port", "0", "--admin-port", "0"])
        .output()
        .expect("cannot run cargo xtask up");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo xtask up --check failed:\n{stdout}\n{stderr}");
    // Every listener printed its commands, and every one of them was checked.
    for filter in ["headers", "auth", "screen", "chain"] {
        assert!(stdout.contains(&format!("== {filter}: Envoy http://127.0.0.1:")), "{filter} missing:\n{stdout}");
    }
    let printed = stdout.lines().filter(|l| l.starts_with("  curl ") || l.starts_with("  echo ")).count();
    let checked = stdout.lines().filter(|l| l.starts_with("  ok ")).count();
    assert!(printed >= 20, "{stdout}");
    assert_eq!(checked, printed, "every printed command is checked:\n{stdout}");
    assert!(stdout.contains(&format!("all {printed} answered as documented")), "{stdout}");
}
