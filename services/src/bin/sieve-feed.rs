//! `sieve-feed [--listen ADDR] --file LIST` (default 127.0.0.1:8083): serves a screening list (a
//! blob from `sieve-screen build`, or a text file of keys) with an ETag, re-reading it when it
//! changes.

fn main() {
    let usage = "sieve-feed [--listen ADDR] --file LIST";
    let (listen, rest) = sieve_services::parse_args(([127, 0, 0, 1], 8083).into(), usage);
    let mut file = None;
    for (flag, value) in rest {
        match flag.as_str() {
            "--file" => file = Some(std::path::PathBuf::from(value)),
            _ => sieve_services::fail(usage, &format!("unknown argument {flag}")),
        }
    }
    let Some(file) = file else { sieve_services::fail(usage, "--file is required") };
    if let Err(e) = sieve_services::run("sieve-feed", listen, sieve_services::feed::file_handler(file)) {
        sieve_services::fail(usage, &format!("cannot serve on {listen}: {e}"));
    }
}
