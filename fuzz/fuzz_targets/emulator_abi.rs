//! Whole compiled filters (the `.wasm` Envoy loads) driven through the proxy-wasm ABI by the host
//! emulator with arbitrary sequences of events: configurations (valid ones and arbitrary bytes),
//! request and response headers, bodies, trailers, callout answers (arbitrary status, headers,
//! body, or a reset), ticks and clock jumps, requests left half-done. The module must never trap.
//! `cargo xtask fuzz` builds the modules first.
#![no_main]
#[path = "common.rs"]
mod common;
use common::Reader;
use libfuzzer_sys::fuzz_target;
use sieve_emulator::{CallAnswer, Emulator, Error};
use std::time::Duration;

const MODULES: &[&str] = &["sieve_headers", "sieve_auth", "sieve_screen", "sieve_chain"];

/// A valid configuration per module, so that most runs get past configure.
fn valid_config(module: &str) -> &'static str {
    match module {
        "sieve_headers" => r#"{"request": [{"op": "set", "name": "x-a", "value": "%REQ(x-b)% %PATH%"}, {"op": "rename", "name": "x-c", "to": "x-d"}], "response": [{"op": "set", "name": "x-s", "value": "%STATUS% %REQ(x-a)%"}]}"#,
        "sieve_auth" => r#"{"providers": [{"api_key": {"keys": [{"consumer": "a", "sha256": "ad0e1e6b0e4d0f27c6f1d31c81b0c35b7d0b6ae4c51c4b7e02d0fdb2eb6a3a7d"}]}}, {"jwt": {"remote_jwks": {"cluster": "jwks", "path": "/keys", "refresh_seconds": 5}}}, {"ext_authz": {"cluster": "authz", "timeout_ms": 200}}]}"#,
        "sieve_screen" => r#"{"key": {"client_ip": {"xff_num_trusted_hops": 1}}, "cidrs": ["10.0.0.0/8"], "list": {"feed": {"cluster": "feed", "path": "/l", "refresh_seconds": 1}}, "confirm": {"cluster": "authority", "path": "/c"}}"#,
        _ => r#"{"stages": [{"headers": {"request": [{"op": "set", "name": "x-a", "value": "%METHOD%"}]}}, {"auth": {"providers": [{"ext_authz": {"cluster": "authz"}}]}}, {"screen": {"key": {"consumer": {}}, "list": {"keys": ["a"]}}}]}"#,
    }
}

fn module_path(module: &str) -> std::path::PathBuf {
    sieve_emulator::modules::release_dir().join(format!("{module}.wasm"))
}

fn headers(input: &mut Reader<'_>, pseudo: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if pseudo {
        out.push((":method".to_string(), input.text(8)));
        out.push((":path".to_string(), format!("/{}", input.text(100))));
        out.push((":authority".to_string(), input.text(30)));
    }
    for _ in 0..(input.byte() % 8) {
        let name = match input.byte() % 6 {
            0 => "authorization".to_string(),
            1 => "x-api-key".to_string(),
            2 => "x-forwarded-for".to_string(),
            3 => "x-sieve-consumer".to_string(),
            _ => input.text(20).to_ascii_lowercase(),
        };
        out.push((name, input.text(200)));
    }
    out
}

fn refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
}

fn check<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::Trap(trap)) | Err(Error::Dead(trap)) => panic!("the module trapped: {trap}"),
        // The fuzzer asked for something that does not exist (a finished request): not a finding.
        Err(_) => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let module = MODULES[usize::from(input.byte()) % MODULES.len()];
    let path = module_path(module);
    if !path.is_file() {
        panic!("{} is missing: run `cargo xtask fuzz`, which builds the modules", path.display());
    }
    let config = if input.byte() % 4 == 0 { input.bytes(2000).to_vec() } else { valid_config(module).as_bytes().to_vec() };
    let vm = Emulator::builder(&path).plugin_config(config).fuel_per_call(2_000_000_000).start();
    let mut vm = match vm {
        Ok(vm) => vm,
        Err(Error::Trap(trap)) => panic!("the module trapped while loading: {trap}"),
        Err(_) => return, // refused: the right answer to a bad config
    };
    let mut open: Vec<u32> = Vec::new();
    for _ in 0..64 {
        if input.is_empty() {
            break;
        }
        match input.byte() % 10 {
            0 | 1 => {
                let Some(context) = check(vm.new_http_context()) else { continue };
                let pairs = headers(&mut input, true);
                let end = input.byte() % 2 == 0;
                check(vm.request_headers(context, &refs(&pairs), end));
                open.push(context);
            }
            2 => {
                if let Some(&context) = open.last() {
                    let body = input.bytes(500).to_vec();
                    check(vm.request_body(context, &body, input.byte() % 2 == 0));
                }
            }
            3 => {
                if let Some(&context) = open.first() {
                    let mut pairs = vec![(":status".to_string(), input.u16().to_string())];
                    pairs.extend(headers(&mut input, false));
                    check(vm.response_headers(context, &refs(&pairs), false));
                    let body = input.bytes(300).to_vec();
                    check(vm.response_body(context, &body, true));
                }
            }
            4 | 5 => {
                let calls = vm.pending_calls();
                if let Some(call) = calls.get(usize::from(input.byte()) % calls.len().max(1)) {
                    let token = call.token;
                    if input.byte() % 4 == 0 {
                        check(vm.fail_call(token));
                    } else {
                        let mut answer = CallAnswer::new(input.u16(), input.bytes(3000).to_vec());
                        for (name, value) in headers(&mut input, false) {
                            answer = answer.header(&name, &value);
                        }
                        check(vm.answer_call(token, answer));
                    }
                }
            }
            6 => {
                check(vm.advance(Duration::from_millis(u64::from(input.u16()) * 10)));
            }
            7 => {
                check(vm.tick());
            }
            8 => {
                if !open.is_empty() {
                    let context = open.remove(usize::from(input.byte()) % open.len());
                    check(vm.complete(context));
                }
            }
            _ => {
                if let Some(&context) = open.last() {
                    let pairs = headers(&mut input, false);
                    check(vm.request_trailers(context, &refs(&pairs)));
                }
            }
        }
    }
    for context in open {
        check(vm.complete(context));
    }
});
