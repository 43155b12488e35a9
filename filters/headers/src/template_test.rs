use super::*;
use sieve_sdk_ext::testing::FakeHost;
use sieve_sdk_ext::StreamCore;

fn render(template: &str, phase: Phase, host: &mut FakeHost) -> Result<String, String> {
    let template = Template::parse(template, phase)?;
    let mut core = StreamCore::default();
    template.render(&mut Http::new(host, &mut core), false).map(|v| String::from_utf8(v).unwrap())
}

#[test]
fn interpolates_request_data() {
    let mut host = FakeHost::request("GET", "/a?b=1", &[("x-user", "ann"), ("x-request-id", "rid-1")]);
    let got = render(
        "%METHOD% %PATH% by %REQ(X-User)% from %CLIENT_IP% (%CLIENT_ADDRESS%) id=%REQUEST_ID% 100%%",
        Phase::Request,
        &mut host,
    );
    assert_eq!(got.unwrap(), "GET /a?b=1 by ann from 192.0.2.10 (192.0.2.10:34567) id=rid-1 100%");
}

#[test]
fn response_operators() {
    let mut host = FakeHost::request("GET", "/", &[]);
    host.respond(503, &[("x-upstream", "u1")]);
    assert_eq!(render("%STATUS%/%RESP(x-upstream)%", Phase::Response, &mut host).unwrap(), "503/u1");
    assert!(Template::parse("%STATUS%", Phase::Request).unwrap_err().contains("only available in response rules"));
    assert!(Template::parse("%RESP(x)%", Phase::Request).is_err());
}

#[test]
fn missing_items_are_named() {
    let mut host = FakeHost::request("GET", "/", &[]);
    assert_eq!(render("x-%REQ(x-tenant)%", Phase::Request, &mut host).unwrap_err(), "request header x-tenant");
}

#[test]
fn bad_templates_are_refused() {
    assert!(Template::parse("50%", Phase::Request).unwrap_err().contains("unterminated"));
    assert!(Template::parse("%NOPE%", Phase::Request).unwrap_err().contains("unknown operator %NOPE%"));
    assert!(Template::parse("%REQ(bad name)%", Phase::Request).is_err());
    assert!(Template::parse("a\r\nb", Phase::Request).unwrap_err().contains("carriage return"));
    assert!(Template::parse("%METHOD%\n", Phase::Request).unwrap_err().contains("line feed"));
    assert!(Template::parse("plain", Phase::Request).unwrap().is_literal());
    assert!(!Template::parse("%PATH%", Phase::Request).unwrap().is_literal());
}
