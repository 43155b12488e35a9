//! The auth filter as a proxy-wasm module: `sieve_auth.wasm`.

sieve_sdk_ext::export_filter!(filter::Auth);
