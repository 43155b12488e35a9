//! The chain as a proxy-wasm module: `sieve_chain.wasm`, with the stages its features name.

sieve_sdk_ext::export_module!(chain::SieveStages);
