use super::*;

#[test]
fn names_are_lowercased_tokens() {
    assert_eq!(HeaderName::parse("X-Request-ID").unwrap().as_str(), "x-request-id");
    assert!(HeaderName::parse(":authority").unwrap().is_pseudo());
    assert!(HeaderName::parse(":Path").is_ok());
    assert!(HeaderName::parse("").unwrap_err().contains("empty"));
    assert!(HeaderName::parse("x y").unwrap_err().contains("' '"));
    assert!(HeaderName::parse("x:y").unwrap_err().contains("':'"));
    assert!(HeaderName::parse("x\r\ny").is_err());
    assert!(HeaderName::parse(":bogus").unwrap_err().contains("unknown pseudo-header"));
    assert!(HeaderName::parse("é").is_err());
}

#[test]
fn values_refuse_control_characters() {
    assert!(check_value("plain value\twith tab").is_ok());
    assert!(check_value("caf\u{e9}").is_ok());
    assert!(check_value("a\r\nx-injected: 1").unwrap_err().contains("carriage return"));
    assert!(check_value("a\nb").unwrap_err().contains("line feed"));
    assert!(check_value("a\0b").unwrap_err().contains("NUL"));
    assert!(check_value("a\x07b").unwrap_err().contains("0x07"));
    assert!(check_value("a\x7fb").unwrap_err().contains("0x7f"));
}

#[test]
fn sanitize_drops_only_forbidden_bytes() {
    let mut value = b"ok\r\nstill\0ok".to_vec();
    sanitize_value(&mut value);
    assert_eq!(value, b"okstillok");
}
