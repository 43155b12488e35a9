use super::*;
use serde_json::json;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn token(header: &str, payload: &str, signature: &[u8]) -> String {
    format!("{}.{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()), b64(signature))
}

#[test]
fn parses_header_and_keeps_payload_for_later() {
    let t = token(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#, r#"{"sub":"a"}"#, b"sig");
    let parsed = parse(&t).unwrap();
    assert_eq!(parsed.alg, Alg::RS256);
    assert_eq!(parsed.kid.as_deref(), Some("k1"));
    assert_eq!(parsed.signature, b"sig");
    assert_eq!(parsed.signing_input, t.rsplit_once('.').unwrap().0);
    assert_eq!(claims(&parsed).unwrap()["sub"], "a");
}

#[test]
fn refuses_bad_shapes() {
    assert_eq!(parse("").unwrap_err(), Reason::Malformed);
    assert_eq!(parse("a.b").unwrap_err(), Reason::Malformed);
    assert_eq!(parse("a.b.c.d").unwrap_err(), Reason::Malformed);
    assert_eq!(parse(".x.y").unwrap_err(), Reason::Malformed);
    assert_eq!(parse(&token("not json", "{}", b"s")).unwrap_err(), Reason::Malformed);
    assert_eq!(parse(&token(r#"{"alg":"none"}"#, "{}", b"")).unwrap_err(), Reason::BadAlgorithm);
    assert_eq!(parse(&token(r#"{"alg":"HS256"}"#, "{}", b"")).unwrap_err(), Reason::BadSignature);
    assert_eq!(parse(&token(r#"{"alg":"HS256","crit":["exp"]}"#, "{}", b"s")).unwrap_err(), Reason::Malformed);
    assert_eq!(parse(&token(r#"{"alg":"HS256","kid":null}"#, "{}", b"s")).unwrap_err(), Reason::Malformed);
    assert_eq!(parse(&token(r#"{"alg":"HS256","kid":7}"#, "{}", b"s")).unwrap_err(), Reason::Malformed);
    let padded = format!("{}=.e30.c2ln", b64(br#"{"alg":"HS256"}"#));
    assert_eq!(parse(&padded).unwrap_err(), Reason::Malformed, "padding is not base64url");
    let array_claims = token(r#"{"alg":"HS256"}"#, "[1]", b"s");
    let parsed = parse(&array_claims).unwrap();
    assert_eq!(claims(&parsed).unwrap_err(), Reason::Malformed, "claims must be an object");
}

fn rules() -> ClaimRules {
    ClaimRules {
        issuer: Some("iss-1".into()),
        audiences: vec!["a1".into(), "a2".into()],
        leeway_seconds: 10,
        require_exp: true,
    }
}

fn check(value: serde_json::Value) -> Result<(), Reason> {
    check_claims(value.as_object().unwrap(), &rules(), 1_000)
}

#[test]
fn claims_against_the_clock_issuer_and_audience() {
    assert_eq!(check(json!({"exp": 1_000, "iss": "iss-1", "aud": "a1"})), Ok(()));
    assert_eq!(check(json!({"exp": 995.5, "iss": "iss-1", "aud": ["x", "a2"]})), Ok(()));
    assert_eq!(check(json!({"exp": 989, "iss": "iss-1", "aud": "a1"})), Err(Reason::Expired));
    assert_eq!(check(json!({"exp": 2_000, "nbf": 1_011, "iss": "iss-1", "aud": "a1"})), Err(Reason::NotYetValid));
    assert_eq!(check(json!({"exp": 2_000, "nbf": 1_010, "iss": "iss-1", "aud": "a1"})), Ok(()));
    assert_eq!(check(json!({"iss": "iss-1", "aud": "a1"})), Err(Reason::MissingClaim));
    assert_eq!(check(json!({"exp": "tomorrow", "iss": "iss-1", "aud": "a1"})), Err(Reason::Malformed));
    assert_eq!(check(json!({"exp": 1.0e300, "iss": "iss-1", "aud": "a1"})), Err(Reason::Malformed));
    assert_eq!(check(json!({"exp": -1, "iss": "iss-1", "aud": "a1"})), Err(Reason::Malformed));
    assert_eq!(check(json!({"exp": u64::MAX, "iss": "iss-1", "aud": "a1"})), Ok(()));
    assert_eq!(check(json!({"exp": 2_000, "iss": "other", "aud": "a1"})), Err(Reason::BadIssuer));
    assert_eq!(check(json!({"exp": 2_000, "aud": "a1"})), Err(Reason::BadIssuer));
    assert_eq!(check(json!({"exp": 2_000, "iss": "iss-1", "aud": ["x"]})), Err(Reason::BadAudience));
    assert_eq!(check(json!({"exp": 2_000, "iss": "iss-1", "aud": 7})), Err(Reason::BadAudience));
    assert_eq!(check(json!({"exp": 2_000, "iss": "iss-1"})), Err(Reason::BadAudience));
    let open = ClaimRules { issuer: None, audiences: vec![], leeway_seconds: 0, require_exp: false };
    assert_eq!(check_claims(json!({}).as_object().unwrap(), &open, 1_000), Ok(()));
}

#[test]
fn claims_to_header_values() {
    let claims = json!({"a": {"b": {"c": "deep"}}, "n": 5, "t": true, "l": ["x", 1], "o": {"k": [1]}, "z": null, "ctl": "a\r\nb"});
    let claims = claims.as_object().unwrap();
    let at =
        |path: &str| claim_at(claims, &path.split('.').map(String::from).collect::<Vec<_>>()).and_then(header_value);
    assert_eq!(at("a.b.c").as_deref(), Some("deep"));
    assert_eq!(at("n").as_deref(), Some("5"));
    assert_eq!(at("t").as_deref(), Some("true"));
    assert_eq!(at("l").as_deref(), Some("x,1"));
    assert_eq!(at("o").as_deref(), Some(r#"{"k":[1]}"#));
    assert_eq!(at("z"), None);
    assert_eq!(at("missing.path"), None);
    assert_eq!(at("ctl").as_deref(), Some("ab"), "control characters never reach a header");
}
