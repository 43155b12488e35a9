//! `sieve-authz [--listen ADDR] [--allow TOKEN=CONSUMER]...` (default 127.0.0.1:8082, the demo token).

use std::collections::HashMap;

fn main() {
    let usage = "sieve-authz [--listen ADDR] [--allow TOKEN=CONSUMER]...";
    let (listen, rest) = sieve_services::parse_args(([127, 0, 0, 1], 8082).into(), usage);
    let mut tokens = HashMap::new();
    for (flag, value) in rest {
        match (flag.as_str(), value.split_once('=')) {
            ("--allow", Some((token, consumer))) => {
                tokens.insert(token.to_string(), consumer.to_string());
            }
            _ => sieve_services::fail(usage, &format!("bad argument {flag} {value}")),
        }
    }
    if tokens.is_empty() {
        tokens = sieve_services::authz::demo_tokens();
    }
    if let Err(e) = sieve_services::run("sieve-authz", listen, sieve_services::authz::handler(tokens)) {
        sieve_services::fail(usage, &format!("cannot serve on {listen}: {e}"));
    }
}
