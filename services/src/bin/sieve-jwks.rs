//! `sieve-jwks [--listen ADDR] [--jwks FILE]` (default 127.0.0.1:8081, the demo key set).

fn main() {
    let usage = "sieve-jwks [--listen ADDR] [--jwks FILE]";
    let (listen, rest) = sieve_services::parse_args(([127, 0, 0, 1], 8081).into(), usage);
    let mut body = sieve_services::jwks::DEMO_JWKS.as_bytes().to_vec();
    for (flag, value) in rest {
        match flag.as_str() {
            "--jwks" => {
                body = std::fs::read(&value)
                    .unwrap_or_else(|e| sieve_services::fail(usage, &format!("--jwks {value}: {e}")))
            }
            _ => sieve_services::fail(usage, &format!("unknown argument {flag}")),
        }
    }
    let handler = sieve_services::jwks::handler(sieve_services::jwks::Document::new(body));
    if let Err(e) = sieve_services::run("sieve-jwks", listen, handler) {
        sieve_services::fail(usage, &format!("cannot serve on {listen}: {e}"));
    }
}
