use super::*;
use base64::Engine;
use hmac::Mac;
use serde_json::json;
use sieve_sdk_ext::testing::{call_response, FakeHost, TestPlugin};
use sieve_sdk_ext::{Action, MapKind};

const KEY: &str = "test-key-0123456789";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn plugin(config: serde_json::Value) -> TestPlugin<Auth> {
    TestPlugin::new(&config.to_string()).unwrap_or_else(|e| panic!("config refused: {e}"))
}

fn api_key_provider() -> serde_json::Value {
    json!({"api_key": {"keys": [{"consumer": "app", "sha256": apikey::digest_hex(KEY)}]}})
}

fn hs256(claims: serde_json::Value) -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let input = format!("{}.{}", b64(br#"{"alg":"HS256","kid":"k"}"#), b64(claims.to_string().as_bytes()));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

fn hmac_jwks() -> serde_json::Value {
    json!({"keys": [{"kty": "oct", "kid": "k", "k": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(SECRET)}]})
}

#[test]
fn accepted_requests_carry_the_consumer_and_lose_spoofed_headers() {
    let plugin = plugin(json!({"providers": [api_key_provider()], "strip_credentials": true}));
    let mut host = FakeHost::request(
        "GET",
        "/",
        &[("x-api-key", KEY), ("x-sieve-consumer", "root"), ("x-sieve-consumer", "admin")],
    );
    let (action, _) = plugin.request(&mut host);
    assert_eq!(action, Action::Continue);
    assert_eq!(host.values(MapKind::RequestHeaders, "x-sieve-consumer"), ["app"]);
    assert_eq!(host.request_header("x-api-key"), None);
    assert_eq!(host.counter("sieve.auth.api_key.allowed"), 1);
    assert_eq!(host.counter("sieve.auth.allowed"), 1);
}

#[test]
fn missing_and_wrong_credentials_get_401_with_challenges() {
    let plugin = plugin(json!({"providers": [api_key_provider(), {"basic": {"users": [
        {"username": "u", "password_hash": basic::hash_password("pw-0123456789abcdef", &[1u8; 16])}
    ]}}], "realm": "corp"}));
    let mut host = FakeHost::request("GET", "/", &[]);
    assert_eq!(plugin.request(&mut host).0, Action::Stop);
    let reply = host.local_reply.unwrap();
    assert_eq!((reply.status, reply.details.as_str()), (401, "sieve_auth.unauthorized"));
    let challenges: Vec<String> = reply
        .headers
        .iter()
        .filter(|(n, _)| n == "www-authenticate")
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    assert_eq!(challenges, ["ApiKey realm=\"corp\", header=\"x-api-key\"", "Basic realm=\"corp\", charset=\"UTF-8\""]);
    assert_eq!(reply.json()["message"], "credentials are required");

    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("u:wrong"));
    let mut host = FakeHost::request("GET", "/", &[("authorization", &auth)]);
    plugin.request(&mut host);
    assert_eq!(host.local_reply.unwrap().json()["message"], "the credential is not valid");
    let good = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("u:pw-0123456789abcdef"));
    let mut host = FakeHost::request("GET", "/", &[("authorization", &good)]);
    assert_eq!(plugin.request(&mut host).0, Action::Continue);
    assert_eq!(host.request_header("x-sieve-consumer").as_deref(), Some("u"));
}

#[test]
fn access_rules_and_skips() {
    let plugin = plugin(json!({
        "providers": [api_key_provider()],
        "skip": [{"path": "/healthz"}, {"path_prefix": "/public/", "methods": ["GET"]}],
        "access": [{"path_prefix": "/admin", "consumers": [{"provider": "api_key", "consumer": "ops"}]}, {"path": "/app-only", "consumers": ["app"]}]
    }));
    let run = |method: &str, path: &str, key: bool| {
        let headers: Vec<(&str, &str)> = if key { vec![("x-api-key", KEY)] } else { vec![] };
        let mut host = FakeHost::request(method, path, &headers);
        plugin.request(&mut host);
        host.local_reply.map_or(200, |r| r.status)
    };
    assert_eq!(run("GET", "/healthz", false), 200);
    assert_eq!(run("GET", "/healthz/deep", false), 401, "path is exact");
    assert_eq!(run("GET", "/public/x", false), 200);
    assert_eq!(run("POST", "/public/x", false), 401, "skip is for GET only");
    assert_eq!(run("GET", "/admin/x", true), 403);
    assert_eq!(run("GET", "/app-only?x=1", true), 200);
    assert_eq!(run("GET", "/other", true), 200);
    assert_eq!(run("GET", "/ADMIN/x", true), 403, "access rules ignore letter case");
    assert_eq!(run("GET", "/;/admin/x", true), 400, "servlet path parameters are ambiguous");
    assert_eq!(run("GET", "/HEALTHZ", false), 401, "a skip opens exactly what it names");
}

#[test]
fn a_token_cannot_impersonate_a_declared_consumer() {
    let plugin = plugin(json!({
        "providers": [api_key_provider(), {"jwt": {"name": "tokens", "jwks": hmac_jwks(), "require_exp": false}}],
        "access": [
            {"path_prefix": "/admin", "consumers": ["app"]},
            {"path_prefix": "/reports", "consumers": [{"provider": "tokens", "consumer": "app"}]},
            {"path_prefix": "/any-token", "consumers": [{"provider": "tokens"}]}
        ]
    }));
    let run = |path: &str, headers: &[(&str, &str)]| {
        let mut host = FakeHost::request("GET", path, headers);
        plugin.request(&mut host);
        let provider = host.request_header("x-sieve-provider");
        (host.local_reply.map_or(200, |r| r.status), provider)
    };
    let token = format!("Bearer {}", hs256(json!({"sub": "app"})));
    assert_eq!(run("/admin/x", &[("x-api-key", KEY)]), (200, Some("api_key".into())));
    assert_eq!(
        run("/admin/x", &[("authorization", &token)]).0,
        403,
        "a token whose sub is `app` is not the key's `app`"
    );
    assert_eq!(run("/reports", &[("authorization", &token)]), (200, Some("tokens".into())));
    assert_eq!(run("/reports", &[("x-api-key", KEY)]).0, 403);
    assert_eq!(run("/any-token", &[("authorization", &token)]).0, 200);
    let spoofed = run("/other", &[("x-api-key", KEY), ("x-sieve-provider", "tokens")]);
    assert_eq!(spoofed, (200, Some("api_key".into())), "a client-sent provider header is replaced");
}

#[test]
fn access_rules_name_real_providers_and_declared_consumers() {
    let refused = |access: serde_json::Value| {
        TestPlugin::<Auth>::new(&json!({"providers": [api_key_provider()], "access": access}).to_string())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let error = refused(json!([{"path": "/a", "consumers": ["nobody"]}]));
    assert!(error.starts_with("access[0].consumers[0]: no api_key or basic provider declares"), "{error}");
    let error = refused(json!([{"path": "/a", "consumers": [{"provider": "tokens", "consumer": "x"}]}]));
    assert!(error.contains("no provider is named \"tokens\""), "{error}");
    let error = refused(json!([{"path": "/a", "consumers": [{"provider": "api_key", "extra": 1}]}]));
    assert!(error.starts_with("access[0].consumers[0]"), "{error}");
}

#[test]
fn a_preflight_skip_opens_only_real_preflights() {
    let plugin = plugin(json!({"providers": [api_key_provider()], "skip": [{"cors_preflight": true}]}));
    let run = |method: &str, headers: &[(&str, &str)]| {
        let mut host = FakeHost::request(method, "/admin/panel", headers);
        plugin.request(&mut host);
        host.local_reply.map_or(200, |r| r.status)
    };
    let preflight = [("origin", "https://app.example"), ("access-control-request-method", "DELETE")];
    assert_eq!(run("OPTIONS", &preflight), 200);
    assert_eq!(run("OPTIONS", &[]), 401, "a bare OPTIONS is not a preflight");
    assert_eq!(run("OPTIONS", &preflight[..1]), 401);
    assert_eq!(run("DELETE", &preflight), 401);
}

#[test]
fn consumers_that_cannot_be_written_as_headers_are_refused() {
    let plugin = plugin(json!({"providers": [{"jwt": {"jwks": hmac_jwks(), "require_exp": false,
        "claims_to_headers": [{"claim": "team", "header": "x-team"}]}}]}));
    for claims in
        [json!({"sub": "a\r\nx-admin: 1"}), json!({"sub": ""}), json!({"sub": " "}), json!({"sub": "a\u{0}b"})]
    {
        let mut host =
            FakeHost::request("GET", "/", &[("authorization", &format!("Bearer {}", hs256(claims.clone())))]);
        plugin.request(&mut host);
        assert_eq!(host.local_reply.map(|r| r.status), Some(401), "{claims}");
    }
    // Claims copied to other headers lose their control characters (they name no one).
    let mut host = FakeHost::request(
        "GET",
        "/",
        &[("authorization", &format!("Bearer {}", hs256(json!({"sub": "ok", "team": "a\nb"}))))],
    );
    plugin.request(&mut host);
    assert_eq!(host.request_header("x-team").as_deref(), Some("ab"));
}

#[test]
fn external_authorization_flow() {
    let plugin = plugin(json!({"providers": [{"ext_authz": {"cluster": "authz", "path_prefix": "/check",
        "headers_to_send": ["authorization"], "headers_to_upstream": ["x-scope"]}}]}));
    let mut host = FakeHost::request("PUT", "/a?b=c", &[("authorization", "Bearer t"), ("cookie", "c=1")]);
    let (action, mut stream) = plugin.request(&mut host);
    assert_eq!(action, Action::Pause);
    let call = host.last_call().unwrap().clone();
    assert_eq!(call.cluster, "authz");
    assert_eq!(
        (call.header(":method"), call.header(":path"), call.header(":authority")),
        (Some("PUT"), Some("/check/a?b=c"), Some("authz"))
    );
    assert_eq!(call.header("authorization"), Some("Bearer t"));
    assert_eq!(call.header("cookie"), None, "only the configured headers go out");
    assert_eq!(call.timeout, std::time::Duration::from_millis(500));

    let answer = call_response(call.token, Some(204), &[("x-auth-consumer", "zed"), ("x-scope", "rw")], b"");
    assert_eq!(plugin.answer(&mut host, &mut stream, answer), Action::Continue);
    assert_eq!(host.request_header("x-sieve-consumer").as_deref(), Some("zed"));
    assert_eq!(host.request_header("x-scope").as_deref(), Some("rw"));

    for (status, expected) in [(None, 503), (Some(504), 503), (Some(401), 401), (Some(418), 418)] {
        let mut host = FakeHost::request("GET", "/", &[]);
        let (_, mut stream) = plugin.request(&mut host);
        let token = host.last_call().unwrap().token;
        assert_eq!(plugin.answer(&mut host, &mut stream, call_response(token, status, &[], b"")), Action::Stop);
        assert_eq!(host.local_reply.unwrap().status, expected, "{status:?}");
    }
}

#[test]
fn dispatch_failure_fails_closed_or_open() {
    for (allow, expected) in [(false, Action::Stop), (true, Action::Continue)] {
        let plugin = plugin(json!({"providers": [{"ext_authz": {"cluster": "missing", "failure_mode_allow": allow}}]}));
        let mut host = FakeHost::request("GET", "/", &[]);
        host.fail_dispatch = Some(sieve_sdk_ext::HostError::BadArgument);
        assert_eq!(plugin.request(&mut host).0, expected);
        if allow {
            assert_eq!(host.request_header("x-sieve-auth-failure-mode-allowed").as_deref(), Some("true"));
            assert_eq!(host.counter("sieve.auth.failure_mode_allowed"), 1);
        } else {
            assert_eq!(host.local_reply.unwrap().status, 503);
        }
    }
}

fn remote_jwt() -> TestPlugin<Auth> {
    plugin(
        json!({"providers": [{"jwt": {"remote_jwks": {"cluster": "jwks", "path": "/keys"}, "first_fetch_wait_ms": 1000}}]}),
    )
}

#[test]
fn a_request_before_the_first_key_set_waits_for_it() {
    let plugin = remote_jwt();
    let token = hs256(json!({"sub": "ann", "exp": 1_900_000_000}));
    let mut host = FakeHost::request("GET", "/", &[("authorization", &format!("Bearer {token}"))]);
    let (action, mut stream) = plugin.request(&mut host);
    assert_eq!(action, Action::Pause, "parked, not refused");
    assert!(stream.is_parked());

    let tokens = plugin.tick(&mut host);
    assert_eq!(tokens.len(), 1, "the tick fetches the key set");
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Pause, "still nothing");
    let body = hmac_jwks().to_string();
    assert!(plugin.answer_root(&mut host, call_response(tokens[0], Some(200), &[("etag", "\"1\"")], body.as_bytes())));
    assert_eq!(host.counter("sieve.auth.jwt.jwks_fetch_success"), 1);
    plugin.tick(&mut host);
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Continue);
    assert_eq!(host.request_header("x-sieve-consumer").as_deref(), Some("ann"));
    assert_eq!(host.counter("sieve.auth.jwt.jwks_updated"), 1);

    // Another worker takes the published set without fetching.
    let mut other = host.another_worker();
    let mut request = FakeHost::request("GET", "/", &[("authorization", &format!("Bearer {token}"))]);
    request.shared = other.shared.clone();
    assert_eq!(plugin_for_worker().request(&mut request).0, Action::Continue);
    assert!(plugin_for_worker().tick(&mut other).is_empty(), "not due: no second fetch");
}

fn plugin_for_worker() -> TestPlugin<Auth> {
    remote_jwt()
}

#[test]
fn a_request_gives_up_waiting_with_503() {
    let plugin = remote_jwt();
    let token = hs256(json!({"sub": "ann", "exp": 1_900_000_000}));
    let mut host = FakeHost::request("GET", "/", &[("authorization", &format!("Bearer {token}"))]);
    let (_, mut stream) = plugin.request(&mut host);
    host.advance(std::time::Duration::from_millis(1_100));
    assert_eq!(plugin.wake(&mut host, &mut stream), Action::Stop);
    let reply = host.local_reply.unwrap();
    assert_eq!((reply.status, reply.json()["error"].as_str()), (503, Some("unavailable")));
}
