//! `sieve-echo [--listen ADDR]` (default 127.0.0.1:8080).

fn main() {
    let usage = "sieve-echo [--listen ADDR]";
    let (listen, rest) = sieve_services::parse_args(([127, 0, 0, 1], 8080).into(), usage);
    if let Some((flag, _)) = rest.first() {
        sieve_services::fail(usage, &format!("unknown argument {flag}"));
    }
    if let Err(e) = sieve_services::run("sieve-echo", listen, sieve_services::echo::handler()) {
        sieve_services::fail(usage, &format!("cannot serve on {listen}: {e}"));
    }
}
