//! Attacks, through a real Envoy: header injection through interpolated values, spoofed identity,
//! forged X-Forwarded-For chains, path tricks against path rules, duplicate credentials, oversized
//! and very many headers, JWT tricks, timing of secret comparisons, and secrets in trace logs.
//! Envoy's own path normalisation is switched off here: the filters must hold on their own (the
//! shipped configs turn it on as well, see envoy/README.md).

use base64::Engine;
use serde_json::{json, Value};
use sieve_e2e::client::raw_request;
use sieve_e2e::tokens::{claims, sign_hmac, sign_with, DemoKey};
use sieve_e2e::{EnvoyConfig, Stack, StackBuilder};
use sieve_services::{authz, jwks};

const DEMO_KEY: &str = "sieve-demo-key-0123456789abcdef";
const DEMO_PASSWORD: &str = "sieve-demo-password-8c6f1d2e9a7b4f03";
const HMAC_SECRET: &[u8] = b"sieve-attack-hmac-secret-of-64-bytes-0123456789abcdef0123456789";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Envoy without its own path normalisation: what the filters see is what the client sent.
fn raw_paths(config: &mut EnvoyConfig) {
    fn walk(node: &mut serde_yaml::Value) {
        match node {
            serde_yaml::Value::Mapping(map) => {
                if map.contains_key("http_filters") {
                    map.insert("normalize_path".into(), false.into());
                    map.insert("merge_slashes".into(), false.into());
                }
                map.iter_mut().for_each(|(_, v)| walk(v));
            }
            serde_yaml::Value::Sequence(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(config.doc_mut());
}

fn auth_stack(config: Value) -> Stack {
    StackBuilder::new("envoy/auth.yaml").plugin_config("sieve.auth", config.to_string()).adjust(raw_paths).start()
}

fn demo_providers(extra: Value) -> Value {
    let mut config = json!({"providers": [
        {"api_key": {"keys": [{"consumer": "demo-app", "sha256": sieve_auth::apikey::digest_hex(DEMO_KEY)}]}},
        {"basic": {"users": [{"username": "demo", "consumer": "demo-admin",
            "password_hash": "hmac-sha256$AAECAwQFBgcICQoLDA0ODw$E/q+fbtKm08wCk2IwmTS4XnXuZu1/G/BQwKpctolPDY"}]}},
        {"jwt": {"jwks": sieve_e2e::tokens::hmac_jwks("h", HMAC_SECRET), "issuer": "https://sieve.demo",
            "audiences": ["sieve-demo"], "claims_to_headers": [{"claim": "note", "header": "x-jwt-note"}]}}
    ]});
    if let (Some(map), Value::Object(extra)) = (config.as_object_mut(), extra) {
        map.extend(extra);
    }
    config
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// A raw HTTP/1.1 request with exactly these header lines (raw bytes allowed); the status code.
fn raw_status(addr: std::net::SocketAddr, path: &str, headers: &[(&str, &[u8])]) -> u16 {
    let mut request = format!("GET {path} HTTP/1.1\r\nhost: attack.test\r\nconnection: close\r\n").into_bytes();
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    let reply = raw_request(addr, &request).unwrap();
    reply.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {reply:.200}"))
}

#[test]
fn path_tricks_do_not_get_past_access_or_skip_rules() {
    let stack = auth_stack(demo_providers(json!({
        "skip": [{"path": "/healthz"}],
        "access": [{"path_prefix": "/admin", "consumers": ["demo-admin"]}]
    })));
    let addr = stack.envoy.listener();
    let app = [("x-api-key", DEMO_KEY.as_bytes())];
    assert_eq!(raw_status(addr, "/things", &app), 200, "demo-app is authenticated");
    assert_eq!(raw_status(addr, "/admin/users", &app), 403, "but not allowed on /admin");
    for path in [
        "//admin/users",
        "/./admin/users",
        "/x/../admin/users",
        "/%61dmin/users",
        "/%2e/admin",
        "/admin/",
        "/ADMIN/users",
        "/Admin",
    ] {
        assert_eq!(raw_status(addr, path, &app), 403, "{path} must be /admin to the access rule");
    }
    for path in ["/admin%2Fusers", "/admin%2fusers", "/x/..%2Fadmin", "/%C0%AE%C0%AE/admin", "/admin%5Cusers", "/a%00b"]
    {
        assert_eq!(raw_status(addr, path, &app), 400, "{path} is ambiguous: refused");
    }
    // Skip rules match exactly what they name: no trick makes an authenticated path skip.
    assert_eq!(raw_status(addr, "/healthz", &[]), 200);
    for path in ["/healthz/", "/HEALTHZ", "/healthz/../things", "/%68ealthz/x", "/healthz%2F..%2Fthings"] {
        assert_ne!(raw_status(addr, path, &[]), 200, "{path} must not skip authentication");
    }
    let admin = basic("demo", DEMO_PASSWORD);
    assert_eq!(raw_status(addr, "/%61dmin/users", &[("authorization", admin.as_bytes())]), 200, "demo-admin may");
}

#[test]
fn interpolated_values_cannot_inject_headers() {
    let stack = auth_stack(demo_providers(json!({})));
    let envoy = &stack.envoy;
    for note in ["line\r\nx-injected: yes", "nul\u{0}x-injected: yes", "tab\there", "\u{7f}del"] {
        let token = sign_hmac("HS256", HMAC_SECRET, Some("h"), &claims("ann", json!({"note": note})));
        let reply = envoy.get("/").header("authorization", &format!("Bearer {token}")).send();
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.upstream_header("x-injected"), None, "{note:?}");
        let copied = reply.upstream_header("x-jwt-note").unwrap_or_default();
        assert!(!copied.contains(['\r', '\n', '\0']), "{copied:?}");
    }
    // The headers filter copying client values: CR/LF cannot come in (Envoy refuses them), and a
    // percent-encoded one stays encoded.
    let headers = StackBuilder::new("envoy/headers.yaml")
        .plugin_config(
            "sieve.headers",
            r#"{"request": [{"op": "set", "name": "x-copy", "value": "%REQ(x-a)%|%PATH%"}]}"#,
        )
        .start();
    let reply = headers.envoy.get("/p%0d%0ax-injected:%20yes").header("x-a", "v").send();
    assert_eq!(reply.upstream_header("x-copy").as_deref(), Some("v|/p%0d%0ax-injected:%20yes"));
    assert_eq!(reply.upstream_header("x-injected"), None);
    // A bare CR in a client header: Envoy either refuses the request or passes the value whole; no
    // copy of it ever becomes a second header upstream.
    let request = b"GET / HTTP/1.1\r\nhost: attack.test\r\nconnection: close\r\nx-a: a\rx-injected: yes\r\n\r\n";
    let reply = raw_request(headers.envoy.listener(), request).unwrap();
    let status: u16 = reply.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    assert!(status == 400 || status == 200, "{reply:.300}");
    assert!(!reply.contains("\"x-injected\""), "a bare CR split a header: {reply}");
}

#[test]
fn spoofed_identities_and_forged_forwarding_chains_are_ignored() {
    let stack = auth_stack(demo_providers(json!({"skip": [{"path": "/public"}]})));
    let envoy = &stack.envoy;
    for path in ["/public", "/things"] {
        let reply = envoy
            .get(path)
            .header("x-api-key", DEMO_KEY)
            .header("x-sieve-consumer", "root")
            .header("x-jwt-note", "forged")
            .send();
        let expected: &[&str] = if path == "/public" { &[] } else { &["demo-app"] };
        assert_eq!(reply.upstream_header_all("x-sieve-consumer"), expected, "{path}");
        assert!(reply.upstream_header_all("x-jwt-note").is_empty(), "{path}");
    }

    // One trusted load balancer (the listener's xff_num_trusted_hops: 1): the client is the entry
    // it appended, whatever the client prepends.
    let screen = StackBuilder::new("envoy/screen.yaml")
        .plugin_config(
            "sieve.screen",
            json!({"key": {"client_ip": {}}, "list": {"keys": ["198.51.100.7"]}}).to_string(),
        )
        .start();
    let status = |xff: &str| screen.envoy.get("/").header("x-forwarded-for", xff).send().status;
    for xff in ["198.51.100.7", "1.2.3.4, 198.51.100.7", "evil, ,198.51.100.7", "[::1], 198.51.100.7"] {
        assert_eq!(status(xff), 403, "{xff}: the client the load balancer saw is screened");
    }
    for xff in ["203.0.113.5", "198.51.100.7 , 203.0.113.5"] {
        assert_eq!(status(xff), 200, "{xff}");
    }
}

#[test]
fn duplicate_credentials_and_oversized_or_many_headers() {
    let stack = auth_stack(demo_providers(json!({"strip_credentials": true})));
    let addr = stack.envoy.listener();
    let valid = format!("Bearer {}", sign_hmac("HS256", HMAC_SECRET, Some("h"), &claims("ann", json!({}))));
    // Envoy joins repeated Authorization headers into one value: no single token verifies.
    assert_eq!(raw_status(addr, "/", &[("authorization", valid.as_bytes()), ("authorization", b"Bearer forged")]), 401);
    assert_eq!(raw_status(addr, "/", &[("authorization", b"Bearer forged"), ("authorization", valid.as_bytes())]), 401);
    // A repeated API key: the first decides, and every copy is stripped before the upstream.
    let reply = stack.envoy.get("/").header("x-api-key", DEMO_KEY).header("x-api-key", "other").send();
    assert_eq!(reply.upstream_header_all("x-sieve-consumer"), ["demo-app"]);
    assert!(reply.upstream_header_all("x-api-key").is_empty(), "every copy stripped");
    let reply = stack.envoy.get("/").header("x-api-key", "other").header("x-api-key", DEMO_KEY).send();
    reply.assert_local_reply(401, "unauthorized");

    let big = "k".repeat(50_000);
    assert_eq!(raw_status(addr, "/", &[("x-api-key", big.as_bytes())]), 401, "too large, refused");
    let many: Vec<(String, Vec<u8>)> = (0..90).map(|i| (format!("x-h{i}"), b"v".to_vec())).collect();
    let mut headers: Vec<(&str, &[u8])> = many.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    headers.push(("x-api-key", DEMO_KEY.as_bytes()));
    assert_eq!(raw_status(addr, "/", &headers), 200, "90 headers are fine (Envoy allows 100, its own included)");
    let too_many: Vec<(String, Vec<u8>)> = (0..150).map(|i| (format!("x-h{i}"), b"v".to_vec())).collect();
    let headers: Vec<(&str, &[u8])> = too_many.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect();
    let status = raw_status(addr, "/", &headers);
    assert!(status == 431 || status == 401, "Envoy's limit or the filter's answer: {status}");
    assert_eq!(raw_status(addr, "/", &[("x-api-key", DEMO_KEY.as_bytes())]), 200, "the VM is alive");
}

#[test]
fn jwt_tricks_are_refused() {
    let stack = auth_stack(json!({"providers": [{"jwt": {
        "jwks": {"keys": [
            sieve_e2e::tokens::hmac_jwks("h", HMAC_SECRET)["keys"][0].clone(),
            serde_json::from_str::<Value>(jwks::DEMO_JWKS).unwrap()["keys"][0].clone()
        ]},
        "issuer": "https://sieve.demo", "audiences": ["sieve-demo"]}}]}));
    let envoy = &stack.envoy;
    let status = |token: &str| envoy.get("/").header("authorization", &format!("Bearer {token}")).send().status;
    let good = claims("ann", json!({}));
    let hs = |header: Value, payload: &Value| {
        use hmac::Mac;
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(payload.to_string().as_bytes()));
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(HMAC_SECRET).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", b64(&mac.finalize().into_bytes()))
    };
    assert_eq!(status(&hs(json!({"alg": "HS256", "kid": "h"}), &good)), 200, "the control token passes");
    let refused = [
        ("alg none", sieve_e2e::tokens::unsigned(&good, Some("h"))),
        ("alg NONE", format!("{}.{}.", b64(br#"{"alg":"NONE","kid":"h"}"#), b64(good.to_string().as_bytes()))),
        (
            "HS256 signed with the RSA public key",
            sign_hmac("HS256", &DemoKey::Rsa1.public_pem(), Some("demo-rsa-1"), &good),
        ),
        ("kid path traversal", hs(json!({"alg": "HS256", "kid": "../../../../dev/null"}), &good)),
        ("kid SQL injection", hs(json!({"alg": "HS256", "kid": "h' OR '1'='1"}), &good)),
        ("kid with NUL", hs(json!({"alg": "HS256", "kid": "h\u{0}"}), &good)),
        ("crit header", hs(json!({"alg": "HS256", "kid": "h", "crit": ["exp"]}), &good)),
        (
            "nested JWS",
            hs(
                json!({"alg": "HS256", "kid": "h", "cty": "JWT"}),
                &Value::String(hs(json!({"alg": "HS256", "kid": "h"}), &good)),
            ),
        ),
        ("exp as a string", hs(json!({"alg": "HS256", "kid": "h"}), &claims("ann", json!({"exp": "9999999999"})))),
        ("exp in the past", hs(json!({"alg": "HS256", "kid": "h"}), &claims("ann", json!({"exp": 1})))),
        ("nbf far ahead", hs(json!({"alg": "HS256", "kid": "h"}), &claims("ann", json!({"nbf": 9.0e18})))),
        ("RS256 header on an HS signature", hs(json!({"alg": "RS256", "kid": "demo-rsa-1"}), &good)),
        ("a key the set does not hold", sign_with("RS256", DemoKey::Rsa2, &good)),
        ("empty signature", {
            let t = hs(json!({"alg": "HS256", "kid": "h"}), &good);
            format!("{}.", t.rsplit_once('.').unwrap().0)
        }),
    ];
    for (what, token) in refused {
        assert_eq!(status(&token), 401, "{what}");
    }
    // Numbers at the edges are read, not overflowed: a far-future exp up to 2^64-1 is valid (as
    // jwt_authn reads it); past that (1e300) or negative it is malformed, as jwt_authn has it.
    for (exp, expected) in [
        (json!(9_223_372_036_854_775_807i64), 200),
        (json!(18_446_744_073_709_551_615u64), 200),
        (json!(1.0e300), 401),
        (json!(-1), 401),
    ] {
        assert_eq!(
            status(&hs(json!({"alg": "HS256", "kid": "h"}), &claims("ann", json!({"exp": exp})))),
            expected,
            "exp {exp}"
        );
    }
    assert!(!envoy.log().contains("panicked"));
}

/// Two groups of wrong API keys: sharing 31 of 32 characters with the valid key, or sharing none.
/// In the emulator the work to refuse each is counted exactly: it must be the same for both. In
/// Envoy, a Welch t-test on the rejection latencies must not show the close guesses as faster.
#[test]
fn secret_comparisons_take_the_same_time_whatever_the_guess() {
    let config = json!({"providers": [{"api_key": {"keys": [{"consumer": "a", "sha256": sieve_auth::apikey::digest_hex(DEMO_KEY)}]}}]});
    let module = sieve_emulator::modules::module_path("sieve-auth").unwrap();
    let mut vm = sieve_emulator::Emulator::builder(module).plugin_config(config.to_string()).start().unwrap();
    let close: Vec<String> =
        (0..50).map(|i| format!("{}{}", &DEMO_KEY[..DEMO_KEY.len() - 1], char::from(b'A' + (i % 26) as u8))).collect();
    let far: Vec<String> = (0..50).map(|i| format!("{:0>32}", format!("zz{i}"))).collect();
    let mut fuel = |keys: &[String]| -> Vec<u64> {
        keys.iter()
            .map(|key| {
                vm.send(sieve_emulator::Request::get("/").header("x-api-key", key)).unwrap();
                vm.last_fuel()
            })
            .collect()
    };
    // The first request pays for lazy set-up; it is not part of either group.
    fuel(&["warm-up".to_string()]);
    let (close_fuel, far_fuel) = (fuel(&close), fuel(&far));
    // Keys are looked up by their SHA-256: how close a guess is to the key changes nothing but the
    // digest's hash-table probe, which no guess can aim.
    // (A few requests also flush buffered counters on the tick; the median is the comparison's work.)
    let median = |v: &[u64]| {
        let mut sorted = v.to_vec();
        sorted.sort_unstable();
        sorted[sorted.len() / 2]
    };
    let (close_median, far_median) = (median(&close_fuel), median(&far_fuel));
    eprintln!("work to refuse: close guesses {close_median} fuel, far guesses {far_median} fuel (medians)");
    assert_eq!(close_median, far_median, "{close_fuel:?} vs {far_fuel:?}");

    let stack = auth_stack(config);
    let addr = stack.envoy.listener();
    let timed = |key: &str| {
        let started = std::time::Instant::now();
        let status = raw_status(addr, "/", &[("x-api-key", key.as_bytes())]);
        assert_eq!(status, 401);
        started.elapsed().as_secs_f64() * 1e6
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..400 {
        a.push(timed(&close[round % close.len()]));
        b.push(timed(&far[round % far.len()]));
    }
    let stats = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
        (mean, var)
    };
    let ((ma, va), (mb, vb)) = (stats(&a), stats(&b));
    let t = (mb - ma) / (va / a.len() as f64 + vb / b.len() as f64).sqrt();
    eprintln!("rejection latency: close guesses {ma:.1} µs, far guesses {mb:.1} µs, Welch t = {t:.2}");
    assert!(t < 4.0, "close guesses are rejected measurably faster (t = {t:.2})");
}

#[test]
fn secrets_never_reach_the_log_even_at_trace_level() {
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("ann", json!({})));
    let stack = StackBuilder::new("envoy/auth.yaml")
        .service("jwks", jwks::handler(jwks::Document::new(jwks::DEMO_JWKS)))
        .service("authz", authz::handler(authz::demo_tokens()))
        .log_level("trace")
        .start();
    let envoy = &stack.envoy;
    std::thread::sleep(std::time::Duration::from_millis(500));
    envoy.get("/").header("x-api-key", DEMO_KEY).send();
    envoy.get("/").header("x-api-key", "sieve-wrong-key-ABCDEFGHIJKLMNOP").send();
    envoy.get("/").header("authorization", &basic("demo", DEMO_PASSWORD)).send();
    envoy.get("/").header("authorization", &basic("demo", "sieve-wrong-password-QRSTUV")).send();
    envoy.get("/").header("authorization", &format!("Bearer {token}")).send();
    envoy.get("/").header("authorization", &format!("Bearer {}", authz::DEMO_TOKEN)).send();
    let log = envoy.log();
    let wasm_lines: Vec<&str> = log.lines().filter(|l| l.contains("[wasm]") || l.contains("sieve.")).collect();
    assert!(wasm_lines.iter().any(|l| l.contains("sieve.auth")), "the filter does log at trace level");
    let signature = token.rsplit('.').next().unwrap_or_default();
    for secret in [
        DEMO_KEY,
        "sieve-wrong-key-ABCDEFGHIJKLMNOP",
        DEMO_PASSWORD,
        "sieve-wrong-password-QRSTUV",
        signature,
        authz::DEMO_TOKEN,
    ] {
        assert!(!wasm_lines.iter().any(|l| l.contains(secret)), "{secret} in Sieve's log lines");
    }
    let basic_encoded = basic("demo", DEMO_PASSWORD);
    assert!(!wasm_lines.iter().any(|l| l.contains(basic_encoded.trim_start_matches("Basic "))));
}
