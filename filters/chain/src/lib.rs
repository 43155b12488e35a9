//! Sieve's fused chain: the headers, auth and screen filters as stages of one module. One VM and
//! one HTTP context per request pay the per-filter cost of the proxy-wasm ABI once instead of three
//! times; request facts are read from Envoy once for every stage, and the consumer auth
//! authenticates reaches screen in memory. Each stage takes exactly the configuration it takes
//! alone (see README.md).

sieve_sdk_ext::export_chain!(SieveStages, "chain", {
    Headers: "headers" => sieve_headers::Headers,
    Auth: "auth" => sieve_auth::Auth,
    Screen: "screen" => sieve_screen::Screen,
});
