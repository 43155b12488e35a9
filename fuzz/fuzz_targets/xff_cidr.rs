//! X-Forwarded-For chains against trusted hops, address canonicalisation, and CIDR matching in
//! the screen filter: arbitrary header and client address values.
#![no_main]
#[path = "common.rs"]
mod common;
use common::Reader;
use libfuzzer_sys::fuzz_target;
use sieve_screen::key::{canonical_ip, client_from_xff};
use sieve_sdk_ext::testing::{FakeHost, TestPlugin};

fn plugin() -> &'static TestPlugin<sieve_screen::Screen> {
    // One plugin per fuzzing thread (a test plugin is not Sync), built once.
    thread_local! {
        static PLUGIN: &'static TestPlugin<sieve_screen::Screen> = Box::leak(Box::new({
        let config = serde_json::json!({"key": {"client_ip": {"xff_num_trusted_hops": 2}},
            "cidrs": ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"], "list": {"keys": ["198.51.100.7", "::1"]}});
        TestPlugin::new(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
        }));
    }
    PLUGIN.with(|plugin| *plugin)
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader::new(data);
    let hops = usize::from(input.byte() % 8);
    let xff = input.text(500);
    let address = input.text(80);
    let _ = client_from_xff(&xff, hops);
    let _ = canonical_ip(&address);
    let _ = address.parse::<std::net::IpAddr>();
    let mut host = FakeHost::request("GET", "/", &[("x-forwarded-for", xff.as_str())]);
    host.set_property(&["source", "address"], &address);
    plugin().request(&mut host);
});
