//! Walk-arounds, from the attacker's side, against the shipped configs in a real Envoy: what a
//! client who wants in would send, one class per test (RELIABILITY.md, "Walk-arounds", lists each
//! with what Sieve answers). Each of these requests got the wrong answer before the fix named in
//! the test.

use serde_json::json;
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{eventually, Request, Stack, StackBuilder};
use sieve_services::feed::Feed;
use sieve_services::{authz, jwks, Handler, Response};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";
const DEMO_PASSWORD: &str = "sieve-demo-password-8c6f1d2e9a7b4f03";

fn auth_demo() -> Stack {
    Stack::builder("envoy/auth.yaml")
        .service("jwks", jwks::handler(jwks::Document::new(jwks::DEMO_JWKS)))
        .service("authz", authz::handler(authz::demo_tokens()))
        .start()
}

fn screen_demo() -> Stack {
    let feed = Feed::new();
    feed.publish(std::fs::read(sieve_e2e::workspace_root().join("services/demo-lists/deny.txt")).unwrap());
    let stack = Stack::builder("envoy/screen.yaml").service("feed", feed.handler()).start();
    eventually(Duration::from_secs(5), "the fed list is loaded", || {
        stack.envoy.get("/").header("x-forwarded-for", "198.51.100.7").send().status == 403
    });
    stack
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// Class 1: Paths an upstream reads another way: servlet containers drop `;` path parameters, so
/// `/;/admin/panel` is `/admin/panel` to Tomcat, and a server that decodes twice reads `%252F`
/// as `/`. Envoy's normalize_path keeps both as they are; Sieve refuses them (400).
#[test]
fn path_forms_that_upstreams_read_differently_are_refused() {
    let stack = auth_demo();
    for path in [
        "/;/admin/panel",
        "/admin;jsessionid=1/panel",
        "/%3B/admin/panel",
        "/admin%252Fpanel",
        "/admin%2Fpanel",
        "/admin%5Cpanel",
    ] {
        let reply = stack.envoy.get(path).header("x-api-key", DEMO_KEY).send();
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
    }
    assert!(stack.envoy.counter("sieve.auth.ambiguous_path") >= 6);
    // Envoy's normalize_path resolves `..;` as a dot segment (as Tomcat does): what reaches the
    // filter is /admin/panel.
    assert_eq!(stack.envoy.get("/x/..;/admin/panel").header("x-api-key", DEMO_KEY).send().status, 403);
    // The plain form is still answered as the rule says: authenticated, not allowed.
    assert_eq!(stack.envoy.get("/admin/panel").header("x-api-key", DEMO_KEY).send().status, 403);
    assert_eq!(stack.envoy.get("/ADMIN/panel").header("x-api-key", DEMO_KEY).send().status, 403);
}

/// Class 2: Per-route entries dodged by case or encoding: the screen demo's `/partners` allow list must
/// hold for `/PARTNERS/...`, and `/partners%2Fdata` must not fall back to the weaker top level.
#[test]
fn per_route_entries_are_not_dodged_by_case_or_encoding() {
    let stack = screen_demo();
    let partner = |path: &str, id: &str| stack.envoy.get(path).header("x-partner-id", id).send().status;
    assert_eq!(partner("/partners/data", "acme"), 200);
    assert_eq!(partner("/partners/data", "initech"), 403);
    assert_eq!(partner("/PARTNERS/data", "initech"), 403, "case folds into the /partners entry");
    assert_eq!(partner("/Partners/data", "acme"), 200);
    for path in ["/partners%2Fdata", "/partners%2fdata", "/;/partners/data", "/partners;x/data"] {
        assert_eq!(partner(path, "initech"), 400, "{path}: ambiguous while the /partners entry would match");
    }
    assert!(stack.envoy.counter("sieve.screen.route_ambiguous_path") >= 4);
    // The healthz entry relaxes (disabled): it opens exactly what it names.
    assert_eq!(stack.envoy.get("/healthz").header("x-forwarded-for", "198.51.100.7").send().status, 200);
    assert_eq!(stack.envoy.get("/HEALTHZ").header("x-forwarded-for", "198.51.100.7").send().status, 403);
}

/// Class 3: Skip rules wider than meant: the demo used to skip authentication for every OPTIONS request.
/// Now only a real CORS preflight (Origin and Access-Control-Request-Method) is skipped.
#[test]
fn only_a_real_cors_preflight_skips_authentication() {
    let stack = auth_demo();
    let options = |headers: &[(&str, &str)]| {
        let mut request = Request::new("OPTIONS", &stack.envoy.url("/admin/panel"));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send().status
    };
    assert_eq!(options(&[]), 401, "a bare OPTIONS is not a preflight");
    assert_eq!(options(&[("origin", "https://app.example")]), 401);
    assert_eq!(options(&[("access-control-request-method", "DELETE")]), 401);
    assert_eq!(options(&[("origin", "https://app.example"), ("access-control-request-method", "DELETE")]), 200);
}

/// Class 4: Credentials copied before they are stripped: in the chain, the headers stage writes
/// `%PATH%` into x-sieve-request before the auth stage strips `?api_key=`. No copy of a credential
/// may reach the upstream, whatever the stage order.
#[test]
fn no_copy_of_a_credential_reaches_the_upstream_in_any_stage_order() {
    let stack = Stack::builder("envoy/chain.yaml").start();
    let reply = stack.envoy.get(&format!("/api/x?api_key={DEMO_KEY}&page=2")).send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(!reply.body.contains(DEMO_KEY), "the key reached the upstream: {}", reply.body);
    assert_eq!(reply.upstream_header("x-sieve-request").as_deref().map(|v| v.contains("[redacted]")), Some(true));
    assert_eq!((reply.upstream_path(), reply.json()["query"].as_str()), ("/api/x".into(), Some("page=2")));

    // Copies of a header credential, with the headers stage before and after auth.
    let headers = json!({"request": [
        {"op": "set", "name": "x-copy-key", "value": "%REQ(x-api-key)%"},
        {"op": "set", "name": "x-copy-auth", "value": "seen %REQ(authorization)%"}
    ]});
    let auth = json!({"providers": [
        {"api_key": {"keys": [{"consumer": "demo-app", "sha256": sieve_auth::apikey::digest_hex(DEMO_KEY)}]}},
        {"basic": {"users": [{"username": "demo", "consumer": "demo-admin",
            "password_hash": "hmac-sha256$AAECAwQFBgcICQoLDA0ODw$E/q+fbtKm08wCk2IwmTS4XnXuZu1/G/BQwKpctolPDY"}]}}
    ], "strip_credentials": true});
    for stages in [
        json!([{"headers": headers.clone()}, {"auth": auth.clone()}]),
        json!([{"auth": auth.clone()}, {"headers": headers.clone()}]),
    ] {
        let stack = StackBuilder::new("envoy/chain.yaml")
            .plugin_config("sieve.chain", json!({ "stages": stages }).to_string())
            .start();
        let by_key = stack.envoy.get("/").header("x-api-key", DEMO_KEY).send();
        assert_eq!(by_key.status, 200, "{}", by_key.body);
        assert!(!by_key.body.contains(DEMO_KEY), "{stages}: {}", by_key.body);
        let by_password = stack.envoy.get("/").header("authorization", &basic("demo", DEMO_PASSWORD)).send();
        assert_eq!(by_password.status, 200, "{}", by_password.body);
        let encoded = basic("demo", DEMO_PASSWORD).trim_start_matches("Basic ").to_string();
        assert!(!by_password.body.contains(&encoded), "{stages}: {}", by_password.body);
    }
}

/// Class 5: Identity across providers: a token from the trusted issuer whose `sub` is `demo-admin` is not
/// the Basic user `demo-admin`, and a consumer value that is not a header value is refused.
#[test]
fn a_token_cannot_impersonate_another_providers_consumer() {
    let stack = auth_demo();
    let token =
        |sub: &str| sign_with("RS256", DemoKey::Rsa1, &claims(sub, json!({"exp": sieve_e2e::tokens::now() + 600})));
    let forged =
        stack.envoy.get("/admin/panel").header("authorization", &format!("Bearer {}", token("demo-admin"))).send();
    assert_eq!(forged.status, 403, "{}", forged.body);
    let real = stack.envoy.get("/admin/panel").header("authorization", &basic("demo", DEMO_PASSWORD)).send();
    assert_eq!(real.status, 200);
    assert_eq!(real.upstream_header("x-sieve-provider").as_deref(), Some("users"));
    let by_token =
        stack.envoy.get("/things").header("authorization", &format!("Bearer {}", token("demo-admin"))).send();
    assert_eq!(
        by_token.upstream_header("x-sieve-provider").as_deref(),
        Some("tokens"),
        "the upstream can tell them apart"
    );
    let spoofed = stack.envoy.get("/things").header("x-api-key", DEMO_KEY).header("x-sieve-provider", "users").send();
    assert_eq!(spoofed.upstream_header_all("x-sieve-provider"), ["keys"]);
    let injected =
        stack.envoy.get("/things").header("authorization", &format!("Bearer {}", token("demo\r\nx-admin: 1"))).send();
    assert_eq!(injected.status, 401, "{}", injected.body);
}

/// Class 6: Client address: the demo configs are edge listeners (use_remote_address), so an address a
/// client writes into X-Forwarded-For is not taken for its own.
#[test]
fn a_client_written_x_forwarded_for_is_not_the_client_address() {
    let stack = Stack::builder("envoy/headers.yaml").start();
    let reply = stack.envoy.get("/api/hello").header("x-forwarded-for", "9.9.9.9").send();
    assert_eq!(reply.upstream_header("x-sieve-client-ip").as_deref(), Some("127.0.0.1"));
    // Sieve counting proxies itself refuses a request that bypassed them (no entry to trust).
    let screen = StackBuilder::new("envoy/screen.yaml")
        .plugin_config(
            "sieve.screen",
            json!({"key": {"client_ip": {"xff_num_trusted_hops": 1}}, "list": {"keys": ["198.51.100.7"]}}).to_string(),
        )
        .start();
    let status = |xff: Option<&str>| {
        let mut request = screen.envoy.get("/");
        if let Some(xff) = xff {
            request = request.header("x-forwarded-for", xff);
        }
        request.send().status
    };
    // The listener appends the peer (use_remote_address): one trusted hop is that entry, the
    // client is the one before it.
    assert_eq!(status(Some("198.51.100.7")), 403);
    assert_eq!(status(Some("203.0.113.1")), 200);
    assert_eq!(status(None), 403, "too few entries: refused, not screened as someone else");
}

/// Class 7: List entries in another form than the key: `2001:DB8::1` and `::ffff:198.51.100.9` in a list
/// match requests from those addresses; a range in a fed text list is left out and counted.
#[test]
fn list_entries_match_keys_written_another_way() {
    let feed = Feed::new();
    feed.publish(b"2001:DB8:0:0::7\n10.0.0.0/8\n::ffff:198.51.100.9\n".to_vec());
    let stack = StackBuilder::new("envoy/screen.yaml")
        .service("feed", feed.handler())
        .plugin_config(
            "sieve.screen",
            json!({"key": {"client_ip": {}}, "list": {"feed": {"cluster": "feed", "path": "/lists/deny"}}}).to_string(),
        )
        .start();
    eventually(Duration::from_secs(5), "the fed list", || {
        stack.envoy.get("/").header("x-forwarded-for", "198.51.100.9").send().status == 403
    });
    assert_eq!(stack.envoy.get("/").header("x-forwarded-for", "2001:db8::7").send().status, 403);
    assert_eq!(stack.envoy.get("/").header("x-forwarded-for", "10.1.2.3").send().status, 200);
    assert!(stack.envoy.counter("sieve.screen.invalid_entries") >= 1);

    let by_query = StackBuilder::new("envoy/screen.yaml")
        .plugin_config(
            "sieve.screen",
            json!({"key": {"query": {"name": "user"}}, "list": {"keys": ["mallory"]}}).to_string(),
        )
        .start();
    let status = |path: &str| by_query.envoy.get(path).send().status;
    assert_eq!(status("/?user=mallory"), 403);
    assert_eq!(status("/?user=alice&user=mallory"), 400, "which value would the upstream read?");
    assert_eq!(status("/?user=alice&user=alice"), 200);
}

/// Class 8: Callout answers routed by position: a request parked for the first key-set fetch used to ask
/// the authorization service again on every tick while it waited.
#[test]
fn a_parked_request_asks_the_authorization_service_once() {
    let checks = Arc::new(AtomicUsize::new(0));
    let counted = checks.clone();
    let slow_authz: Handler = Arc::new(move |_request| {
        counted.fetch_add(1, Ordering::SeqCst);
        Response::new(200).header("x-auth-consumer", "carol").delayed(Duration::from_millis(400))
    });
    let config = json!({"providers": [
        {"jwt": {"remote_jwks": {"cluster": "jwks", "path": "/jwks", "retry_seconds": 30}, "first_fetch_wait_ms": 300}},
        {"ext_authz": {"cluster": "authz", "timeout_ms": 2000}}
    ]});
    let stack = StackBuilder::new("envoy/auth.yaml")
        .endpoint("jwks", sieve_e2e::closed_port())
        .service("authz", slow_authz)
        .plugin_config("sieve.auth", config.to_string())
        .start();
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let reply = stack.envoy.get("/").header("authorization", &format!("Bearer {token}")).send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.upstream_header("x-sieve-consumer").as_deref(), Some("carol"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(checks.load(Ordering::SeqCst), 1, "one check per request");
}
