//! `docker compose up` for real: no image can be pulled here, so the test builds the images the
//! compose file's variables point at (Envoy from the binary the other tests run, the services from
//! the project's binaries, both on a Debian base made with debootstrap), brings the stack up, checks
//! every filter at work through the composed Envoy, and always tears it down.
//! `SIEVE_SKIP_DOCKER=1` opts out explicitly; without Docker the test fails.

use serde_json::json;
use sieve_e2e::docker::{self, ComposeProject};
use sieve_e2e::tokens::{claims, sign_with, DemoKey};
use sieve_e2e::{workspace_root, Reply, Request};
use std::time::{Duration, Instant};

fn until_ok(what: &str, within: Duration, mut attempt: impl FnMut() -> Result<Reply, String>) -> Reply {
    let deadline = Instant::now() + within;
    loop {
        match attempt() {
            Ok(reply) if reply.status < 500 => return reply,
            Ok(reply) if Instant::now() > deadline => {
                panic!("{what}: status {} after {within:?}: {}", reply.status, reply.body)
            }
            Err(e) if Instant::now() > deadline => panic!("{what}: {e} after {within:?}"),
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

#[test]
fn docker_compose_up_serves_every_filter() {
    if docker::skipped() {
        eprintln!("skipped: {}=1", docker::SKIP_VARIABLE);
        return;
    }
    docker::require_docker().unwrap_or_else(|e| panic!("{e}"));
    let envoy_image = docker::envoy_image().unwrap_or_else(|e| panic!("{e}"));
    let services_image = docker::services_image().unwrap_or_else(|e| panic!("{e}"));
    // Empty host ports: Docker picks free ones at bind time (ports chosen here beforehand could be
    // taken by a test running beside this one before Docker binds them).
    let mut env = vec![
        ("ENVOY_IMAGE".to_string(), envoy_image.to_string()),
        ("SIEVE_SERVICES_IMAGE".into(), services_image.into()),
    ];
    for name in ["HEADERS", "AUTH", "SCREEN", "CHAIN", "ADMIN"] {
        env.push((format!("SIEVE_{name}_PORT"), String::new()));
    }
    let project =
        ComposeProject::up(&workspace_root().join("docker-compose.yaml"), env).unwrap_or_else(|e| panic!("{e}"));
    let port = |container_port: u16| project.published_port("envoy", container_port).unwrap_or_else(|e| panic!("{e}"));
    let (headers, auth, screen, chain, admin) = (port(10000), port(10001), port(10002), port(10003), port(9901));
    let url = |port: u16, path: &str| format!("http://127.0.0.1:{port}{path}");

    // headers: the composed Envoy rewrites what reaches the composed echo service.
    let reply = until_ok("headers", Duration::from_secs(90), || {
        Request::new("GET", &url(headers, "/api/hello")).header("x-legacy-user", "ann").try_send()
    });
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.upstream_header("x-user").as_deref(), Some("ann"));
    assert_eq!(reply.upstream_header("x-sieve-tags").as_deref(), Some("api"));
    assert_eq!(reply.header("x-sieve-served-by"), Some("sieve"));

    // auth: every provider, the JWKS from the jwks container, the authz container's answer.
    Request::new("GET", &url(auth, "/things")).send().assert_local_reply(401, "unauthorized");
    let by_key =
        Request::new("GET", &url(auth, "/things")).header("x-api-key", "sieve-demo-key-0123456789abcdef").send();
    assert_eq!(by_key.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
    let token = sign_with("RS256", DemoKey::Rsa1, &claims("composed", json!({})));
    let by_jwt = until_ok("JWT through the composed JWKS", Duration::from_secs(20), || {
        Request::new("GET", &url(auth, "/things")).header("authorization", &format!("Bearer {token}")).try_send()
    });
    assert_eq!(by_jwt.upstream_header("x-sieve-consumer").as_deref(), Some("composed"), "{}", by_jwt.body);
    let by_authz = Request::new("GET", &url(auth, "/things")).header("authorization", "Bearer demo-authz-token").send();
    assert_eq!(by_authz.upstream_header("x-sieve-consumer").as_deref(), Some("authz-demo"));

    // screen: the deny list the feed container serves, and the exact CIDR range.
    let blocked = until_ok("the fed list", Duration::from_secs(20), || {
        let reply = Request::new("GET", &url(screen, "/")).header("x-forwarded-for", "198.51.100.7").try_send()?;
        if reply.status == 403 {
            Ok(reply)
        } else {
            Err(format!("status {}", reply.status))
        }
    });
    blocked.assert_local_reply(403, "screened");
    Request::new("GET", &url(screen, "/"))
        .header("x-forwarded-for", "192.0.2.55")
        .send()
        .assert_local_reply(403, "screened");
    assert_eq!(Request::new("GET", &url(screen, "/")).header("x-forwarded-for", "203.0.113.9").send().status, 200);

    // chain: the three in one module, the same answers; the consumer auth found reaches the upstream.
    let unauthenticated = Request::new("GET", &url(chain, "/api/x")).send();
    unauthenticated.assert_local_reply(401, "unauthorized");
    assert_eq!(unauthenticated.header("cache-control"), Some("no-store"));
    let passed = Request::new("GET", &url(chain, "/api/x"))
        .header("x-api-key", "sieve-demo-key-0123456789abcdef")
        .header("x-legacy-user", "ann")
        .send();
    assert_eq!(passed.status, 200, "{}", passed.body);
    assert_eq!(passed.upstream_header("x-sieve-consumer").as_deref(), Some("demo-app"));
    assert_eq!(passed.upstream_header("x-user").as_deref(), Some("ann"));
    Request::new("GET", &url(chain, "/"))
        .header("x-api-key", "sieve-demo-key-0123456789abcdef")
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .assert_local_reply(403, "screened");

    // Every container reports healthy through its compose health check.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let health = project.health().unwrap();
        if health.len() == 5 && health.iter().all(|(_, status)| status == "healthy") {
            break;
        }
        assert!(Instant::now() < deadline, "not all healthy: {health:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
    // Sieve's counters as Prometheus scrapes them: labelled, from the shipped config's stats_tags.
    let scraped = Request::new("GET", &url(admin, "/stats/prometheus")).send();
    let samples = sieve_e2e::prometheus::samples(&scraped.body);
    for (filter, outcome) in [("headers", "request_rules_applied"), ("auth", "allowed"), ("screen", "refused")] {
        let value =
            sieve_e2e::prometheus::value(&samples, "sieve_events_total", &[("filter", filter), ("outcome", outcome)]);
        assert!(
            value.is_some_and(|v| v >= 1.0),
            "sieve_events_total{{filter={filter:?},outcome={outcome:?}}}: {value:?}\n{}",
            scraped.body
        );
    }
}
