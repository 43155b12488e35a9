//! Sieve's fused chain: the headers, auth and screen filters as stages of one module. One VM and
//! one HTTP context per request pay the per-filter cost of the proxy-wasm ABI once instead of three
//! times; request facts are read from Envoy once for every stage, and the consumer auth
//! authenticates reaches screen in memory. Each stage takes exactly the configuration it takes
//! alone (see README.md). The module is `module/`: a `cdylib` of its own, so that it links with LTO.

#[cfg(not(any(feature = "headers", feature = "auth", feature = "screen")))]
compile_error!("a chain needs at least one stage: enable the features headers, auth or screen");

sieve_sdk_ext::define_chain!(SieveStages, "chain", {
    #[cfg(feature = "headers")]
    Headers: "headers" => sieve_headers::Headers,
    #[cfg(feature = "auth")]
    Auth: "auth" => sieve_auth::Auth,
    #[cfg(feature = "screen")]
    Screen: "screen" => sieve_screen::Screen,
});
