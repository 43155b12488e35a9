//! The auth filter in a real Envoy: every provider, identity to the upstream, answers, key sets
//! fetched and shared across workers, an authorization service that fails. Tokens are minted by
//! `jsonwebtoken` (ring), independently of the filter's RustCrypto code.

use base64::Engine;
use serde_json::{json, Value};
use sieve_e2e::eventually;
use sieve_e2e::tokens::{self, claims, sign, sign_hmac, sign_with, unsigned, DemoKey};
use sieve_e2e::{Envoy, EnvoyConfig, Reply, Stack, StackBuilder};
use sieve_services::{authz, jwks, Handler, Response};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONFIG: &str = "envoy/auth.yaml";
const FILTER: &str = "sieve.auth";
const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";
const DEMO_KEY_SHA256: &str = "c070fc70a90f39b155e49e61d3ed9a08557f41e8931f866e0c77890a49ce4afe";
const DEMO_PASSWORD: &str = "sieve-demo-password-8c6f1d2e9a7b4f03";
const DEMO_PASSWORD_HASH: &str = "hmac-sha256$AAECAwQFBgcICQoLDA0ODw$E/q+fbtKm08wCk2IwmTS4XnXuZu1/G/BQwKpctolPDY";
const HMAC_SECRET: &[u8] = b"sieve-test-hmac-secret-of-64-bytes-0123456789abcdef0123456789ab";

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A JWKS server that counts the fetches it serves.
fn counting_jwks(document: jwks::Document, fetches: Arc<AtomicUsize>) -> Handler {
    let inner = jwks::handler(document);
    Arc::new(move |request| {
        fetches.fetch_add(1, Ordering::SeqCst);
        inner(request)
    })
}

fn demo_stack() -> Stack {
    Stack::builder(CONFIG)
        .service("jwks", jwks::handler(jwks::Document::new(jwks::DEMO_JWKS)))
        .service("authz", authz::handler(authz::demo_tokens()))
        .start()
}

fn with_config(config: Value) -> StackBuilder<'static> {
    Stack::builder(CONFIG).plugin_config(FILTER, config.to_string())
}

fn challenges(reply: &Reply) -> Vec<&str> {
    reply.header_all("www-authenticate")
}

#[test]
fn shipped_config_accepts_every_provider_and_tells_the_upstream_who() {
    let stack = demo_stack();
    let envoy = &stack.envoy;

    let missing = envoy.get("/things").send();
    missing.assert_local_reply(401, "unauthorized");
    assert_eq!(
        challenges(&missing),
        [
            "ApiKey realm=\"sieve\", header=\"x-api-key\"",
            "Basic realm=\"sieve\", charset=\"UTF-8\"",
            "Bearer realm=\"sieve\""
        ]
    );

    let by_key = envoy.get("/things").header("x-api-key", DEMO_KEY).send();
    assert_eq!(by_key.status, 200, "{}", by_key.body);
    assert_eq!(by_key.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
    assert_eq!(by_key.upstream_header("x-api-key"), None, "credential stripped");

    let by_query = envoy.get(&format!("/things?a=1&api_key={DEMO_KEY}&b=2")).send();
    assert_eq!(by_query.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
    assert_eq!(by_query.json()["query"], "a=1&b=2", "key taken out of the query");

    let by_basic = envoy.get("/things").header("authorization", &basic("demo", DEMO_PASSWORD)).send();
    assert_eq!(by_basic.upstream_header("x-sieve-consumer").as_deref(), Some("demo-admin"));
    assert_eq!(by_basic.upstream_header("authorization"), None);

    let token =
        sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({"scope": "read write", "org": {"team": "blue"}})));
    let by_jwt = envoy.get("/things").header("authorization", &bearer(&token)).send();
    assert_eq!(by_jwt.status, 200, "{}", by_jwt.body);
    assert_eq!(by_jwt.upstream_header("x-sieve-consumer").as_deref(), Some("ann"));
    assert_eq!(by_jwt.upstream_header("x-jwt-scope").as_deref(), Some("read write"));
    assert_eq!(by_jwt.upstream_header("x-jwt-team").as_deref(), Some("blue"), "nested claim");

    let es = sign_with("ES256", DemoKey::Ec1, &claims("eve", json!({})));
    assert_eq!(
        envoy.get("/").header("authorization", &bearer(&es)).send().upstream_header("x-sieve-consumer").as_deref(),
        Some("eve")
    );

    let by_authz = envoy.get("/things").header("authorization", &bearer(authz::DEMO_TOKEN)).send();
    assert_eq!(by_authz.status, 200, "{}", by_authz.body);
    assert_eq!(by_authz.upstream_header("x-sieve-consumer").as_deref(), Some("authz-demo"));
    assert_eq!(by_authz.upstream_header("x-auth-scope").as_deref(), Some("demo"));

    // Spoofing: client-sent identity headers never reach the upstream.
    let spoofed = envoy
        .get("/things")
        .header("x-api-key", DEMO_KEY)
        .header("x-sieve-consumer", "root")
        .header("x-jwt-scope", "admin")
        .header("x-auth-scope", "everything")
        .send();
    assert_eq!(spoofed.upstream_header_all("x-sieve-consumer"), ["demo-app"]);
    assert!(spoofed.upstream_header_all("x-jwt-scope").is_empty());
    assert!(spoofed.upstream_header_all("x-auth-scope").is_empty());
    let spoofed_skip = envoy.get("/healthz").header("x-sieve-consumer", "root").send();
    assert_eq!(spoofed_skip.status, 200, "skipped path needs no credentials");
    assert!(spoofed_skip.upstream_header_all("x-sieve-consumer").is_empty(), "removed on skipped paths too");

    // Per-path allow-list: authenticated but not allowed is 403.
    envoy.get("/admin/panel").header("x-api-key", DEMO_KEY).send().assert_local_reply(403, "forbidden");
    assert_eq!(envoy.get("/admin/panel").header("authorization", &basic("demo", DEMO_PASSWORD)).send().status, 200);

    let wrong_password = envoy.get("/").header("authorization", &basic("demo", "nope")).send();
    wrong_password.assert_local_reply(401, "unauthorized");
    let wrong_key = envoy.get("/").header("x-api-key", "not-the-key").send();
    wrong_key.assert_local_reply(401, "unauthorized");
    let preflight = envoy
        .request("OPTIONS", "/things")
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .send();
    assert_eq!(preflight.status, 200, "a CORS preflight skips auth");
    assert_eq!(envoy.request("OPTIONS", "/things").send().status, 401, "a bare OPTIONS does not");

    assert_eq!(envoy.counter("sieve.auth.keys.allowed"), 3);
    assert_eq!(envoy.counter("sieve.auth.keys.denied.invalid"), 1);
    assert_eq!(envoy.counter("sieve.auth.users.allowed"), 2);
    assert_eq!(envoy.counter("sieve.auth.users.denied.invalid"), 1);
    assert_eq!(envoy.counter("sieve.auth.tokens.allowed"), 2);
    assert_eq!(envoy.counter("sieve.auth.authz.allowed"), 1);
    assert_eq!(envoy.counter("sieve.auth.forbidden"), 1);
    assert_eq!(envoy.counter("sieve.auth.skipped"), 2);
    assert_eq!(envoy.counter("sieve.auth.tokens.jwks_fetch_success"), 1);
    let access = envoy.access_log(4);
    assert!(access.iter().any(|l| l["details"] == "sieve_auth.unauthorized" && l["status"] == 401), "{access:?}");
    assert!(access.iter().any(|l| l["details"] == "sieve_auth.forbidden" && l["status"] == 403), "{access:?}");
    let log = envoy.log();
    for secret in [DEMO_KEY, DEMO_PASSWORD, &token, authz::DEMO_TOKEN] {
        assert!(!log.contains(secret), "a credential was logged");
    }
}

#[test]
fn api_keys_ten_thousand_consumers() {
    let keys: Vec<String> = (0..10_000).map(|i| format!("key-{i:05}-{}", "x".repeat(24))).collect();
    let entries: Vec<Value> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| json!({"consumer": format!("consumer-{i}"), "sha256": sieve_auth::apikey::digest_hex(key)}))
        .collect();
    let stack =
        with_config(json!({"providers": [{"api_key": {"header": "x-key", "query": "key", "keys": entries}}]})).start();
    let envoy = &stack.envoy;
    for index in [0usize, 4_999, 9_999] {
        let reply = envoy.get("/").header("x-key", &keys[index]).send();
        assert_eq!(reply.upstream_header("x-sieve-consumer"), Some(format!("consumer-{index}")));
    }
    let by_query = envoy.get(&format!("/?key={}", keys[1234])).send();
    assert_eq!(by_query.upstream_header("x-sieve-consumer").as_deref(), Some("consumer-1234"));
    assert_eq!(by_query.upstream_header("x-key"), None);

    envoy.get("/").header("x-key", "key-00000-wrong").send().assert_local_reply(401, "unauthorized");
    envoy.get("/").header("x-key", "").send().assert_local_reply(401, "unauthorized");
    let huge = "k".repeat(5_000);
    let too_large = envoy.get("/").header("x-key", &huge).send();
    too_large.assert_local_reply(401, "unauthorized");
    assert_eq!(too_large.json()["message"], "the credential is too large");
    assert_eq!(envoy.counter("sieve.auth.api_key.allowed"), 4);
    assert_eq!(envoy.counter("sieve.auth.api_key.denied.invalid"), 1);
    assert_eq!(envoy.counter("sieve.auth.api_key.denied.malformed"), 1);
    assert_eq!(envoy.counter("sieve.auth.api_key.denied.too_large"), 1);
}

#[test]
fn basic_credentials_good_bad_and_malformed() {
    let stack = with_config(json!({"providers": [{"basic": {"users": [
        {"username": "demo", "password_hash": DEMO_PASSWORD_HASH}
    ]}}]}))
    .start();
    let envoy = &stack.envoy;
    let ok = envoy.get("/").header("authorization", &basic("demo", DEMO_PASSWORD)).send();
    assert_eq!(ok.upstream_header("x-sieve-consumer").as_deref(), Some("demo"));
    assert!(ok.upstream_header("authorization").is_some(), "not stripped unless configured");
    for (value, reason) in [
        (basic("demo", "wrong"), "the credential is not valid"),
        (basic("nobody", DEMO_PASSWORD), "the credential is not valid"),
        ("Basic".to_string(), "the credential is malformed"),
        ("Basic %%%notbase64%%%".to_string(), "the credential is malformed"),
        (
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("no-colon")),
            "the credential is malformed",
        ),
        ("basic ZGVtbzo=".to_string(), "the credential is not valid"),
    ] {
        let reply = envoy.get("/").header("authorization", &value).send();
        let body = reply.assert_local_reply(401, "unauthorized");
        assert_eq!(body["message"], reason, "{value}");
        assert_eq!(challenges(&reply), ["Basic realm=\"sieve\", charset=\"UTF-8\""]);
    }
    let other_scheme = envoy.get("/").header("authorization", "Bearer abc").send();
    assert_eq!(other_scheme.json()["message"], "credentials are required", "not a Basic credential");
    assert_eq!(envoy.counter("sieve.auth.basic.denied.invalid"), 3);
    assert_eq!(envoy.counter("sieve.auth.basic.denied.malformed"), 3);
}

/// A token with any header and payload bytes, correctly HS256-signed with [`HMAC_SECRET`].
fn hmac_signed_raw(header: &[u8], payload: &[u8]) -> String {
    use hmac::Mac;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let input = format!("{}.{}", b64(header), b64(payload));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(HMAC_SECRET).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

fn inline_jwt_config(extra: Value) -> Value {
    let mut jwt = json!({
        "issuer": "https://sieve.demo",
        "audiences": ["sieve-demo", "other"],
        "jwks": tokens::hmac_jwks("hmac-1", HMAC_SECRET),
        "leeway_seconds": 30,
        "max_token_bytes": 4096,
        "claims_to_headers": [
            {"claim": "roles", "header": "x-roles"},
            {"claim": "profile.level", "header": "x-level"},
            {"claim": "profile", "header": "x-profile"}
        ]
    });
    if let (Some(map), Value::Object(extra)) = (jwt.as_object_mut(), extra) {
        map.extend(extra);
    }
    json!({"providers": [{"jwt": jwt}]})
}

#[test]
fn jwt_claims_and_token_shapes() {
    let stack = with_config(inline_jwt_config(json!({}))).start();
    let envoy = &stack.envoy;
    let call = |token: &str| envoy.get("/").header("authorization", &bearer(token)).send();
    let hs = |extra: Value| sign_hmac("HS256", HMAC_SECRET, Some("hmac-1"), &claims("ann", extra));

    let ok = call(&hs(json!({"roles": ["a", "b"], "profile": {"level": 3}})));
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.upstream_header("x-roles").as_deref(), Some("a,b"));
    assert_eq!(ok.upstream_header("x-level").as_deref(), Some("3"));
    assert_eq!(ok.upstream_header("x-profile").as_deref(), Some(r#"{"level":3}"#));
    for alg in ["HS384", "HS512"] {
        let token = sign_hmac(alg, HMAC_SECRET, Some("hmac-1"), &claims("ann", json!({})));
        assert_eq!(call(&token).status, 200, "{alg}");
    }
    assert_eq!(call(&hs(json!({"aud": ["x", "other"]}))).status, 200, "one audience matches");
    assert_eq!(call(&hs(json!({"exp": tokens::now() - 10}))).status, 200, "within the leeway");
    assert_eq!(call(&hs(json!({"nbf": tokens::now() + 10}))).status, 200, "within the leeway");

    let cases: Vec<(String, &str)> = vec![
        (hs(json!({"exp": tokens::now() - 120})), "the token has expired"),
        (hs(json!({"nbf": tokens::now() + 120})), "the token is not valid yet"),
        (hs(json!({"iss": "https://evil.example"})), "the token has the wrong issuer"),
        (hs(json!({"aud": "somebody-else"})), "the token has the wrong audience"),
        (hs(json!({"exp": null})), "the token lacks the consumer claim"),
        (hs(json!({"sub": null})), "the token lacks the consumer claim"),
        (unsigned(&claims("ann", json!({})), Some("hmac-1")), "the token algorithm is not accepted"),
        (tokens::tampered(&hs(json!({})), &claims("root", json!({}))), "the token signature does not verify"),
        (
            sign_hmac(
                "HS256",
                b"another-secret-that-is-long-enough-0123456789",
                Some("hmac-1"),
                &claims("ann", json!({})),
            ),
            "the token signature does not verify",
        ),
        (
            sign_hmac("HS256", HMAC_SECRET, Some("no-such-key"), &claims("ann", json!({}))),
            "the token names an unknown key",
        ),
        ("not-a-token".to_string(), "the credential is malformed"),
        ("a.b".to_string(), "the credential is malformed"),
        ("!!!.@@@.###".to_string(), "the credential is malformed"),
        (format!("{}.{}.sig", "eyJhbGciOiJIUzI1NiJ9", "bm90IGpzb24"), "the token signature does not verify"),
        (hmac_signed_raw(b"{\"alg\":\"HS256\",\"kid\":\"hmac-1\"}", b"not json"), "the credential is malformed"),
        (hs(json!({"padding": "p".repeat(5_000)})), "the credential is too large"),
    ];
    for (token, message) in &cases {
        let reply = call(token);
        let body = reply.assert_local_reply(401, "unauthorized");
        assert_eq!(body["message"], *message, "token {token:.60}");
        let challenge = challenges(&reply).join(" | ");
        assert!(challenge.starts_with("Bearer realm=\"sieve\", error=\"invalid_token\""), "{challenge}");
    }
    assert_eq!(envoy.counter("sieve.auth.jwt.denied.expired"), 1);
    assert_eq!(envoy.counter("sieve.auth.jwt.denied.bad_signature"), 3);
    assert_eq!(envoy.counter("sieve.auth.jwt.denied.unknown_kid"), 1);
    assert_eq!(envoy.counter("sieve.auth.jwt.denied.bad_algorithm"), 1);
    assert_eq!(envoy.counter("sieve.auth.jwt.denied.malformed"), 4, "three shapes and one signed non-JSON payload");
}

#[test]
fn jwt_from_a_cookie_or_a_custom_header() {
    let stack = with_config(inline_jwt_config(json!({
        "from": [{"header": "x-token"}, {"header": "authorization", "prefix": "JWT "}, {"cookie": "session"}]
    })))
    .adjust(|c: &mut EnvoyConfig| {
        let json = c.plugin_config(FILTER).unwrap();
        let mut value: Value = serde_json::from_str(&json).unwrap();
        value["strip_credentials"] = json!(true);
        c.set_plugin_config(FILTER, &value.to_string());
    })
    .start();
    let token = sign_hmac("HS256", HMAC_SECRET, Some("hmac-1"), &claims("ann", json!({})));
    let by_header = stack.envoy.get("/").header("x-token", &token).send();
    assert_eq!(by_header.upstream_header("x-sieve-consumer").as_deref(), Some("ann"));
    assert_eq!(by_header.upstream_header("x-token"), None);
    let by_prefix = stack.envoy.get("/").header("authorization", &format!("JWT {token}")).send();
    assert_eq!(by_prefix.upstream_header("x-sieve-consumer").as_deref(), Some("ann"));
    // The prefix is matched exactly, as jwt_authn's value_prefix is.
    assert_eq!(stack.envoy.get("/").header("authorization", &format!("jwt {token}")).send().status, 401);
    let by_cookie = stack.envoy.get("/").header("cookie", &format!("theme=dark; session={token}; x=1")).send();
    assert_eq!(by_cookie.upstream_header("x-sieve-consumer").as_deref(), Some("ann"));
    assert_eq!(
        by_cookie.upstream_header("cookie").as_deref(),
        Some("theme=dark; x=1"),
        "only the token cookie is stripped"
    );
    let bearer_ignored = stack.envoy.get("/").header("authorization", &bearer(&token)).send();
    assert_eq!(bearer_ignored.status, 401, "Bearer is not a configured source here");
}

fn remote_jwt_config(refresh_seconds: u64, extra: Value) -> Value {
    let mut jwt = json!({
        "issuer": "https://sieve.demo",
        "audiences": ["sieve-demo"],
        "remote_jwks": {"cluster": "jwks", "path": "/.well-known/jwks.json", "refresh_seconds": refresh_seconds, "retry_seconds": 1}
    });
    if let (Some(map), Value::Object(extra)) = (jwt.as_object_mut(), extra) {
        map.extend(extra);
    }
    json!({"providers": [{"jwt": jwt}]})
}

#[test]
fn remote_keys_verify_rs_ps_es_and_refuse_confusion() {
    let stack = with_config(remote_jwt_config(300, json!({})))
        .service("jwks", jwks::handler(jwks::Document::new(jwks::DEMO_JWKS)))
        .start();
    let envoy = &stack.envoy;
    let call = |token: &str| envoy.get("/").header("authorization", &bearer(token)).send();
    for (alg, key) in [
        ("RS256", DemoKey::Rsa1),
        ("RS384", DemoKey::Rsa1),
        ("RS512", DemoKey::Rsa1),
        ("PS256", DemoKey::Rsa1),
        ("PS384", DemoKey::Rsa1),
        ("PS512", DemoKey::Rsa1),
        ("ES256", DemoKey::Ec1),
    ] {
        let reply = call(&sign_with(alg, key, &claims("ann", json!({}))));
        assert_eq!(reply.status, 200, "{alg}: {}", reply.body);
    }
    let no_kid = sign("RS256", DemoKey::Rsa1, None, &claims("ann", json!({})));
    assert_eq!(call(&no_kid).status, 200, "no kid: every RSA key is tried");

    // Algorithm confusion: an HS256 token whose HMAC secret is the RSA public key.
    let public_pem = DemoKey::Rsa1.public_pem();
    for kid in [Some("demo-rsa-1"), None] {
        let confused = sign_hmac("HS256", &public_pem, kid, &claims("root", json!({})));
        let reply = call(&confused);
        assert_eq!(reply.assert_local_reply(401, "unauthorized")["message"], "the token algorithm is not accepted");
    }
    let wrong_key = sign("RS256", DemoKey::Rsa2, Some("demo-rsa-1"), &claims("ann", json!({})));
    assert_eq!(call(&wrong_key).json()["message"], "the token signature does not verify");
    let unknown = sign_with("RS256", DemoKey::Rsa2, &claims("ann", json!({})));
    assert_eq!(call(&unknown).json()["message"], "the token names an unknown key", "never falls back to another key");
    let es_as_rs = sign("ES256", DemoKey::Ec1, Some("demo-rsa-1"), &claims("ann", json!({})));
    assert_eq!(call(&es_as_rs).json()["message"], "the token algorithm is not accepted");
    assert!(!envoy.log().contains("panicked"));
}

#[test]
fn keys_are_fetched_once_for_every_worker() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let stack = with_config(remote_jwt_config(300, json!({})))
        .service("jwks", counting_jwks(jwks::Document::new(jwks::DEMO_JWKS), fetches.clone()))
        .concurrency(2)
        .start();
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    // Many connections spread the requests over both workers.
    for _ in 0..40 {
        let reply = sieve_e2e::client::raw_request(
            stack.envoy.listener(),
            format!("GET / HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    }
    std::thread::sleep(Duration::from_millis(1_500));
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "one fetch for the whole Envoy");
    assert_eq!(stack.envoy.counter("sieve.auth.jwt.jwks_fetch_success"), 1);
    // Every worker's VM took the published key set (and the main thread's, when it ticks).
    assert!(stack.envoy.counter("sieve.auth.jwt.jwks_updated") >= 2);
}

#[test]
fn the_first_requests_wait_for_the_first_fetch() {
    let slow: Handler = {
        let inner = jwks::handler(jwks::Document::new(jwks::DEMO_JWKS));
        Arc::new(move |request| {
            let mut response = inner(request);
            response.delay = Duration::from_millis(1_200);
            response
        })
    };
    let stack = with_config(remote_jwt_config(300, json!({"first_fetch_wait_ms": 5000})))
        .adjust(|c: &mut EnvoyConfig| {
            // The slow server needs a longer fetch deadline than the default 2 s allows for.
            let mut value: Value = serde_json::from_str(&c.plugin_config(FILTER).unwrap()).unwrap();
            value["providers"][0]["jwt"]["remote_jwks"]["timeout_ms"] = json!(4000);
            c.set_plugin_config(FILTER, &value.to_string());
        })
        .service("jwks", slow)
        .start();
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let started = Instant::now();
    let reply = stack.envoy.get("/").header("authorization", &bearer(&token)).send();
    assert_eq!(reply.status, 200, "waited instead of refusing: {}", reply.body);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn no_keys_at_all_fails_closed_after_the_wait() {
    let stack = with_config(remote_jwt_config(300, json!({"first_fetch_wait_ms": 600}))).start(); // jwks cluster is dead
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let started = Instant::now();
    let reply = stack.envoy.get("/").header("authorization", &bearer(&token)).send();
    let body = reply.assert_local_reply(503, "unavailable");
    assert_eq!(body["message"], "the token keys are not available yet");
    assert!(started.elapsed() >= Duration::from_millis(500), "it waited first");
    assert_eq!(stack.envoy.counter("sieve.auth.unavailable"), 1);
    assert!(stack.envoy.counter("sieve.auth.jwt.jwks_fetch_failed") >= 1);
    // Without a token there is nothing to wait for: 401 at once.
    assert_eq!(stack.envoy.get("/").send().status, 401);
}

#[test]
fn last_good_keys_survive_an_outage_and_rotation_is_picked_up() {
    let document = jwks::Document::new(jwks::DEMO_JWKS);
    let stack = with_config(remote_jwt_config(1, json!({})))
        .service("jwks", jwks::handler(document.clone()))
        .concurrency(2)
        .start();
    let envoy = &stack.envoy;
    let rsa1 = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let rsa2 = sign_with("RS256", DemoKey::Rsa2, &claims("bob", json!({})));
    let status = |token: &str| envoy.get("/").header("authorization", &bearer(token)).send().status;
    assert_eq!(status(&rsa1), 200);

    document.withdraw();
    eventually(Duration::from_secs(10), "failed refreshes", || envoy.counter("sieve.auth.jwt.jwks_fetch_failed") >= 2);
    for _ in 0..5 {
        assert_eq!(status(&rsa1), 200, "the last good key set stays in force");
    }

    document.set("{\"keys\": \"garbage\"}");
    eventually(Duration::from_secs(10), "a garbage set refused", || {
        envoy.counter("sieve.auth.jwt.jwks_fetch_failed") >= 3
    });
    assert_eq!(status(&rsa1), 200, "a corrupt key set is not published");

    document.set(tokens::demo_file("jwks-rotated.json"));
    eventually(Duration::from_secs(10), "rotation picked up", || status(&rsa2) == 200);
    for _ in 0..6 {
        assert_eq!(status(&rsa2), 200, "every worker has the new keys");
        assert_eq!(status(&rsa1), 401, "the retired key is gone");
    }
}

fn authz_config(extra: Value) -> Value {
    let mut authz = json!({"cluster": "authz", "timeout_ms": 300, "headers_to_upstream": ["x-auth-scope"]});
    if let (Some(map), Value::Object(extra)) = (authz.as_object_mut(), extra) {
        map.extend(extra);
    }
    json!({"providers": [{"ext_authz": authz}]})
}

#[test]
fn external_authorization_allows_denies_and_fails_closed() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<(String, String, Option<String>)>::new()));
    let recorder: Handler = {
        let seen = seen.clone();
        Arc::new(move |request: sieve_services::Request| {
            if let Ok(mut seen) = seen.lock() {
                seen.push((
                    request.method.clone(),
                    request.path.clone(),
                    request.header("authorization").map(String::from),
                ));
            }
            match request.header("authorization") {
                Some("Bearer good") => {
                    Response::new(200).header("x-auth-consumer", "carol").header("x-auth-scope", "s1")
                }
                Some("Bearer unauthenticated") => {
                    Response::new(401).header("www-authenticate", "Bearer realm=\"corp\"")
                }
                Some("Bearer slow") => Response::new(200).delayed(Duration::from_secs(2)),
                _ => Response::new(403),
            }
        })
    };
    let stack = with_config(authz_config(json!({"path_prefix": "/check"}))).service("authz", recorder).start();
    let envoy = &stack.envoy;
    let call =
        |token: &str| envoy.request("POST", "/orders?id=7").header("authorization", &bearer(token)).body("{}").send();

    let ok = call("good");
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.upstream_header("x-sieve-consumer").as_deref(), Some("carol"));
    assert_eq!(ok.upstream_header("x-auth-scope").as_deref(), Some("s1"));
    assert_eq!(ok.json()["body"], "{}", "the body still reaches the upstream");
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0], ("POST".into(), "/check/orders".into(), Some("Bearer good".into())));
    }
    let forbidden = call("bad");
    forbidden.assert_local_reply(403, "denied");
    let unauthenticated = call("unauthenticated");
    unauthenticated.assert_local_reply(401, "denied");
    assert_eq!(challenges(&unauthenticated), ["Bearer realm=\"corp\""], "the service's challenge is passed on");
    let slow = call("slow");
    slow.assert_local_reply(503, "unavailable");
    assert_eq!(envoy.counter("sieve.auth.ext_authz.denied.denied"), 2);
    assert_eq!(envoy.counter("sieve.auth.ext_authz.denied.unavailable"), 1);
}

#[test]
fn a_dead_authorization_service_fails_closed_or_open_as_configured() {
    let closed = with_config(authz_config(json!({}))).start();
    let reply = closed.envoy.get("/").header("authorization", "Bearer x").send();
    reply.assert_local_reply(503, "unavailable");
    assert_eq!(reply.upstream_header_all("x-sieve-auth-failure-mode-allowed").len(), 0);

    let open = with_config(authz_config(json!({"failure_mode_allow": true}))).start();
    let reply = open.envoy.get("/").header("x-sieve-auth-failure-mode-allowed", "spoofed").send();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.upstream_header_all("x-sieve-auth-failure-mode-allowed"), ["true"]);
    assert_eq!(reply.upstream_header("x-sieve-consumer"), None, "no identity when nobody checked");
    assert_eq!(open.envoy.counter("sieve.auth.failure_mode_allowed"), 1);
}

#[test]
fn malformed_and_oversized_headers_get_401_and_the_vm_survives() {
    let stack = demo_stack();
    let addr = stack.envoy.listener();
    let raw_cases: Vec<Vec<u8>> = vec![
        b"Basic \xff\xfe\xfd".to_vec(),
        b"Bearer \xe9\xe9.\xe9.\xe9".to_vec(),
        b"Basic =".to_vec(),
        b"Bearer ...".to_vec(),
        b"Bearer eyJ.eyJ.".to_vec(),
        format!("Bearer {}", "A".repeat(30_000)).into_bytes(),
        b"Digest username=x".to_vec(),
        b"\t".to_vec(),
    ];
    for value in raw_cases {
        let mut request = b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: ".to_vec();
        request.extend_from_slice(&value);
        request.extend_from_slice(b"\r\n\r\n");
        let reply = sieve_e2e::client::raw_request(addr, &request).unwrap();
        assert!(
            reply.starts_with("HTTP/1.1 401") || reply.starts_with("HTTP/1.1 403"),
            "{}: {reply:.200}",
            String::from_utf8_lossy(&value)
        );
    }
    let mut api_key = b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-api-key: \xff\xff\r\n\r\n".to_vec();
    api_key.truncate(api_key.len());
    assert!(sieve_e2e::client::raw_request(addr, &api_key).unwrap().starts_with("HTTP/1.1 401"));
    let ok = stack.envoy.get("/").header("x-api-key", DEMO_KEY).send();
    assert_eq!(ok.status, 200, "the VM is alive");
    assert!(!stack.envoy.log().contains("panicked"));
}

/// Sends `total` requests with `header` from `threads` threads at once; their statuses and the time
/// it took.
fn flood(envoy: &Envoy, header: &str, threads: usize, total: usize) -> (Vec<u16>, Duration) {
    let started = Instant::now();
    let statuses = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    (0..total / threads)
                        .map(|_| envoy.get("/").header("authorization", header).send().status)
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    (statuses, started.elapsed())
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[test]
fn a_flood_of_forged_tokens_beyond_the_budget_gets_503_while_a_cached_token_passes() {
    let jwks = json!({"keys": [serde_json::from_str::<Value>(jwks::DEMO_JWKS).unwrap()["keys"][0].clone()]});
    // 20 RSA-2048 verifications a second, 2 at once.
    let stack = with_config(json!({"providers": [{"jwt": {"issuer": "https://sieve.demo", "audiences": ["sieve-demo"],
        "jwks": jwks, "max_verifications_per_second": 20}}]}))
    .start();
    let envoy = &stack.envoy;
    let valid = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let forged = tokens::tampered(&valid, &claims("mallory", json!({})));
    assert_eq!(envoy.get("/").header("authorization", &bearer(&valid)).send().status, 200);
    let (statuses, good) = std::thread::scope(|scope| {
        let attack = scope.spawn(|| flood(envoy, &bearer(&forged), 4, 400));
        // The cached token, meanwhile: never refused.
        let good: Vec<u16> = (0..20)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(10));
                envoy.get("/").header("authorization", &bearer(&valid)).send().status
            })
            .collect();
        (attack.join().unwrap(), good)
    });
    let (statuses, elapsed) = statuses;
    assert_eq!(count(&good, 200), 20, "the cached token is never refused: {good:?}");
    assert_eq!(count(&statuses, 401) + count(&statuses, 503), 400, "{statuses:?}");
    // At most the bucket (2) and 20 a second: what went through was verified and refused as forged.
    let allowed = 2 + (20.0 * elapsed.as_secs_f64()).ceil() as usize;
    assert!((1..=allowed).contains(&count(&statuses, 401)), "{} verified in {elapsed:?}", count(&statuses, 401));
    // A burst beyond the bucket: what is over it is answered 503, with a message.
    let burst: Vec<Reply> = (0..10).map(|_| envoy.get("/").header("authorization", &bearer(&forged)).send()).collect();
    let over = burst.iter().find(|r| r.status == 503).expect("a burst of 10 beyond a bucket of 2");
    let body = over.assert_local_reply(503, "unavailable");
    assert_eq!(body["message"], "too many new tokens to verify right now; retry shortly");
    let refused = count(&statuses, 503) + burst.iter().filter(|r| r.status == 503).count();
    let verified = count(&statuses, 401) + burst.iter().filter(|r| r.status == 401).count();
    eventually(Duration::from_secs(5), "the counters reach Envoy", || {
        envoy.counter("sieve.auth.jwt.denied.verify_budget") == refused as i64
            && envoy.counter("sieve.auth.jwt.denied.bad_signature") == verified as i64
    });
    // The budget refills: a second later, forged tokens are verified (and refused) again.
    std::thread::sleep(Duration::from_millis(1100));
    envoy.get("/").header("authorization", &bearer(&forged)).send().assert_local_reply(401, "unauthorized");
}

#[test]
fn a_flood_of_wrong_passwords_beyond_the_budget_gets_429_while_a_verified_password_passes() {
    let password = "Tr0ub4dor&3-horse";
    // 100,000 iterations: slow enough to matter, fast enough for a test.
    let stored = sieve_auth::basic::hash_password_pbkdf2(password, &[0x5a; 16], 100_000);
    let stack = with_config(json!({"providers": [{"basic": {"users": [{"username": "carol", "password_hash": stored}],
        "max_slow_verifications_per_second": 2}}]}))
    .start();
    let envoy = &stack.envoy;
    let ok = envoy.get("/").header("authorization", &basic("carol", password)).send();
    assert_eq!(ok.upstream_header("x-sieve-consumer").as_deref(), Some("carol"), "{}", ok.body);
    let (statuses, good) = std::thread::scope(|scope| {
        let attack = scope.spawn(|| flood(envoy, &basic("carol", "guess"), 4, 200));
        let good: Vec<u16> = (0..20)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(10));
                envoy.get("/").header("authorization", &basic("carol", password)).send().status
            })
            .collect();
        (attack.join().unwrap(), good)
    });
    let (statuses, elapsed) = statuses;
    assert_eq!(count(&good, 200), 20, "the verified password comes from the cache: {good:?}");
    assert_eq!(count(&statuses, 401) + count(&statuses, 429), 200, "{statuses:?}");
    let allowed = 1 + (2.0 * elapsed.as_secs_f64()).ceil() as usize;
    assert!(count(&statuses, 401) <= allowed, "{} slow checks in {elapsed:?}", count(&statuses, 401));
    let refused = count(&statuses, 429);
    assert!(refused >= 150, "{statuses:?}");
    // The flood may have ended a while before the verified-password loop did, and the budget refills
    // meanwhile (a rehearsal under load saw a 401 here): spend it again, and inspect the first 429.
    let reply = (0..10)
        .map(|_| envoy.get("/").header("authorization", &basic("nobody", "guess")).send())
        .find(|reply| reply.status != 401)
        .expect("10 wrong passwords back to back at a budget of 2 per second, and no 429");
    let body = reply.assert_local_reply(429, "too_many_requests");
    assert_eq!(body["message"], "too many password checks right now; retry shortly");
    assert_eq!(reply.header("retry-after"), Some("1"));
    eventually(Duration::from_secs(5), "the counters reach Envoy", || {
        envoy.counter("sieve.auth.basic.denied.hash_budget") == refused as i64 + 1
            && envoy.counter("sieve.auth.throttled") == refused as i64 + 1
    });
    let access = envoy.access_log(1);
    assert!(access.iter().any(|l| l["details"] == "sieve_auth.too_many_requests" && l["status"] == 429));
    assert!(!envoy.log().contains(password), "a credential was logged");
}

fn refused(plugin_config: Value) -> String {
    refused_with(plugin_config, |_| {}, &sieve_e2e::EnvoyOptions::default())
}

/// The line Envoy logs refusing `plugin_config`, with the Envoy config adjusted and `options`.
fn refused_with(
    plugin_config: Value,
    adjust: impl FnOnce(&mut EnvoyConfig),
    options: &sieve_e2e::EnvoyOptions,
) -> String {
    let mut config = EnvoyConfig::load(CONFIG).unwrap();
    config.make_local(&sieve_e2e::modules::wasm_dir().unwrap(), &[("echo", sieve_e2e::closed_port())]);
    config.set_plugin_config(FILTER, &plugin_config.to_string());
    adjust(&mut config);
    let log = Envoy::refuses_with(&config, options).unwrap_or_else(|e| panic!("{e}"));
    log.lines().find(|l| l.contains("sieve.auth: invalid configuration")).unwrap_or_else(|| panic!("{log}")).to_string()
}

#[test]
fn bad_configs_are_refused_naming_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"providers": []}), "providers: give at least one provider"),
        (
            json!({"providers": [{"api_key": {"keys": [{"consumer": "a", "sha256": "plaintext-key"}]}}]}),
            "providers[0].api_key.keys[0].sha256: must be 64 hex digits",
        ),
        (
            json!({"providers": [{"basic": {"users": [{"username": "u", "password_hash": "hunter2"}]}}]}),
            "providers[0].basic.users[0].password_hash",
        ),
        (
            json!({"providers": [{"jwt": {"jwks": {"keys": [{"kty": "oct", "k": "c2hvcnQ"}]}}}]}),
            "providers[0].jwt.jwks: keys[0]: an HMAC key needs at least 32 bytes",
        ),
        (
            json!({"providers": [{"jwt": {"jwks": tokens::hmac_jwks("k", HMAC_SECRET), "algorithms": ["none"]}}]}),
            "providers[0].jwt.algorithms[0]: unsupported algorithm \"none\"",
        ),
        (json!({"providers": [{"jwt": {}}]}), "providers[0].jwt.jwks: give the keys"),
        (
            json!({"providers": [{"jwt": {"remote_jwks": {"cluster": "jwks", "path": "keys"}}}]}),
            "providers[0].jwt.remote_jwks.path",
        ),
        (
            json!({"providers": [{"ext_authz": {"cluster": "authz", "timeout_ms": 0}}]}),
            "providers[0].ext_authz.timeout_ms",
        ),
        (json!({"providers": [{"magic": {}}]}), "providers[0]: unknown variant `magic`"),
        (
            json!({"providers": [{"jwt": {"jwks": tokens::hmac_jwks("k", HMAC_SECRET), "max_verifications_per_second": 5_000_000}}]}),
            "providers[0].jwt.max_verifications_per_second: must be at most 1000000",
        ),
        (
            json!({"providers": [{"basic": {"users": [{"username": "u", "password_hash": DEMO_PASSWORD_HASH}], "max_slow_verifications_per_second": -0.5}}]}),
            "providers[0].basic.max_slow_verifications_per_second",
        ),
        (
            json!({"providers": [{"basic": {"users": [{"username": "u", "password_hash": DEMO_PASSWORD_HASH}], "verified_cache_size": 200_000}}]}),
            "providers[0].basic.verified_cache_size: must be at most 100000",
        ),
        (
            json!({"providers": [{"basic": {"users": [{"username": "u", "password_hash": "pbkdf2-sha256$5000000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}}]}),
            "providers[0].basic.users[0].password_hash: the iteration count must be a number from 1000 to 2000000",
        ),
        (
            json!({"providers": [{"api_key": {"keys": [{"consumer": "a", "sha256": DEMO_KEY_SHA256}]}}], "skip": [{"path": "healthz"}]}),
            "skip[0].path: must start with '/'",
        ),
        (
            json!({"providers": [{"api_key": {"keys": [{"consumer": "a", "sha256": DEMO_KEY_SHA256}]}}, {"api_key": {"keys": [{"consumer": "b", "sha256": DEMO_KEY_SHA256}]}}]}),
            "providers[1].name: two providers are named \"api_key\"",
        ),
    ];
    std::thread::scope(|scope| {
        for chunk in cases.chunks(cases.len().div_ceil(2)) {
            scope.spawn(move || {
                for (config, expected) in chunk {
                    let line = refused(config.clone());
                    assert!(line.contains(expected), "expected {expected:?} in {line}");
                }
            });
        }
    });
}

/// The three secrets of the auth filter (API-key digests, password hashes, HMAC keys) as
/// environment variables of the VM instead of the plugin configuration. `SIEVE_API_KEYS` comes
/// from Envoy's own environment (`host_env_keys`, what Istio's `vmConfig.env` with `valueFrom:
/// HOST` becomes), so the digests appear nowhere in Envoy's configuration.
fn secrets_from_environment() -> (Value, String, String, String) {
    let config = json!({"providers": [
        {"api_key": {"name": "keys", "keys": {"from_env": "SIEVE_API_KEYS"}}},
        {"basic": {"name": "users", "users": {"from_env": "SIEVE_BASIC_USERS"}}},
        {"jwt": {"name": "tokens", "jwks": {"from_env": "SIEVE_JWKS"}, "issuer": "https://sieve.demo"}}
    ], "strip_credentials": true});
    let keys = json!([{"consumer": "demo-app", "sha256": DEMO_KEY_SHA256}]).to_string();
    let users =
        json!([{"username": "demo", "password_hash": DEMO_PASSWORD_HASH, "consumer": "demo-admin"}]).to_string();
    let jwks = tokens::hmac_jwks("hmac-1", HMAC_SECRET).to_string();
    (config, keys, users, jwks)
}

#[test]
fn secrets_come_from_the_vm_environment_and_stay_out_of_envoys_config() {
    let (config, keys, users, jwks) = secrets_from_environment();
    let stack = with_config(config)
        .adjust(|c| {
            c.set_vm_environment(FILTER, &[("SIEVE_BASIC_USERS", &users), ("SIEVE_JWKS", &jwks)], &["SIEVE_API_KEYS"])
        })
        .env("SIEVE_API_KEYS", &keys)
        .start();
    let envoy = &stack.envoy;

    let by_key = envoy.get("/things").header("x-api-key", DEMO_KEY).send();
    assert_eq!(by_key.status, 200, "{}", by_key.body);
    assert_eq!(by_key.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
    let by_basic = envoy.get("/things").header("authorization", &basic("demo", DEMO_PASSWORD)).send();
    assert_eq!(by_basic.upstream_header("x-sieve-consumer").as_deref(), Some("demo-admin"));
    let token = sign_hmac("HS256", HMAC_SECRET, Some("hmac-1"), &claims("ann", json!({})));
    let by_jwt = envoy.get("/things").header("authorization", &bearer(&token)).send();
    assert_eq!(by_jwt.upstream_header("x-sieve-consumer").as_deref(), Some("ann"), "{}", by_jwt.body);

    // What an attacker tries: a wrong key, a wrong password, a token signed with another secret.
    let forged =
        sign_hmac("HS256", b"another-secret-of-at-least-32-bytes-long!", Some("hmac-1"), &claims("ann", json!({})));
    for (name, value) in [
        ("x-api-key", "sieve-demo-key-0123456789abcdeX".to_string()),
        ("authorization", basic("demo", "guess")),
        ("authorization", bearer(&forged)),
    ] {
        envoy.get("/things").header(name, &value).send().assert_local_reply(401, "unauthorized");
    }

    // The host's variable is read by Envoy at load time: the digests are in no config Envoy shows.
    let (_, dump) = envoy.admin_get("/config_dump").unwrap();
    assert!(dump.contains("SIEVE_API_KEYS") && dump.contains("from_env"), "the config names the variable");
    assert!(!dump.contains(DEMO_KEY_SHA256), "the API-key digest is in Envoy's config dump");
    assert!(!envoy.log().contains(DEMO_KEY_SHA256) && !envoy.log().contains(DEMO_KEY), "a key reached the log");
}

#[test]
fn a_missing_or_broken_secret_variable_is_refused_naming_the_field_and_the_variable() {
    let (config, keys, users, jwks) = secrets_from_environment();
    let refusal = |key_values: &[(&str, &str)], host: &[(&str, &str)]| {
        let options = sieve_e2e::EnvoyOptions {
            env: host.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            ..Default::default()
        };
        refused_with(config.clone(), |c| c.set_vm_environment(FILTER, key_values, &["SIEVE_API_KEYS"]), &options)
    };
    let both: [(&str, &str); 2] = [("SIEVE_BASIC_USERS", &users), ("SIEVE_JWKS", &jwks)];

    // The Pod lacks the variable (a Secret not mounted, a typo in vmConfig.env): no filter, no traffic.
    let line = refusal(&both, &[]);
    assert!(line.contains("providers[0].api_key.keys: environment variable SIEVE_API_KEYS is not set"), "{line}");

    let line = refusal(&both, &[("SIEVE_API_KEYS", "c070fc70a90f39b1 (a bare digest, not JSON)")]);
    assert!(
        line.contains("providers[0].api_key.keys: environment variable SIEVE_API_KEYS does not hold a JSON value"),
        "{line}"
    );
    assert!(!line.contains("c070fc70"), "{line}");

    let plaintext = json!([{"consumer": "demo-app", "sha256": DEMO_KEY}]).to_string();
    let line = refusal(&both, &[("SIEVE_API_KEYS", &plaintext)]);
    assert!(line.contains("providers[0].api_key.keys[0].sha256: must be 64 hex digits"), "{line}");
    assert!(line.contains("(in environment variable SIEVE_API_KEYS)") && !line.contains(DEMO_KEY), "{line}");

    let short_key = json!({"keys": [{"kty": "oct", "kid": "k", "k": "c2hvcnQ"}]}).to_string();
    let line = refusal(&[("SIEVE_BASIC_USERS", &users), ("SIEVE_JWKS", &short_key)], &[("SIEVE_API_KEYS", &keys)]);
    assert!(line.contains("providers[2].jwt.jwks: keys[0]: an HMAC key needs at least 32 bytes"), "{line}");
    assert!(line.contains("(in environment variable SIEVE_JWKS)") && !line.contains("c2hvcnQ"), "{line}");
}
