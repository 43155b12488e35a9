//! The screen filter as a proxy-wasm module: `sieve_screen.wasm`.

sieve_sdk_ext::export_filter!(filter::Screen);
