//! The headers filter as a proxy-wasm module: `sieve_headers.wasm`.

sieve_sdk_ext::export_filter!(filter::Headers);
