//! JWT (RFC 7519) structure and claims: split, decode, check the header, then — only after the
//! signature verified — the claims. Pure functions, fuzzed on the host.

use super::keys::Alg;
use crate::outcome::Reason;
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value};

/// A token split and its header decoded; the payload is decoded only after verification.
#[derive(Debug)]
pub struct Token<'a> {
    pub alg: Alg,
    pub kid: Option<String>,
    /// `header.payload`: the bytes the signature covers.
    pub signing_input: &'a str,
    pub payload_b64: &'a str,
    pub signature: Vec<u8>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    /// A string when present (`"kid": null` or a number is malformed, as jwt_authn has it).
    #[serde(default, deserialize_with = "present")]
    kid: Option<Value>,
    #[serde(default)]
    crit: Option<Vec<String>>,
}

/// A field that is there, even as `null` (which `Option` alone would read as absent).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

fn decode(segment: &str) -> Result<Vec<u8>, Reason> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(segment).map_err(|_| Reason::Malformed)
}

/// Splits and decodes the header. `alg: none` and unknown algorithms are `BadAlgorithm`.
#[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
pub fn parse(token: &str) -> Result<Token<'_>, Reason> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Reason::Malformed);
    };
    if header_b64.is_empty() || payload_b64.is_empty() {
        return Err(Reason::Malformed);
    }
    let header: Header = serde_json::from_slice(&decode(header_b64)?).map_err(|_| Reason::Malformed)?;
    // A critical extension we do not understand must make the token invalid (RFC 7515 4.1.11).
    if header.crit.is_some() {
        return Err(Reason::Malformed);
    }
    let alg = Alg::parse(&header.alg).ok_or(Reason::BadAlgorithm)?;
    if signature_b64.is_empty() {
        return Err(Reason::BadSignature);
    }
    let signature = decode(signature_b64)?;
    let signing_input = token.get(..header_b64.len() + 1 + payload_b64.len()).ok_or(Reason::Malformed)?;
    let kid = match header.kid {
        None => None,
        Some(Value::String(kid)) => Some(kid),
        Some(_) => return Err(Reason::Malformed),
    };
    Ok(Token { alg, kid, signing_input, payload_b64, signature })
}

/// Decodes the (verified) payload: a JSON object.
#[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
pub fn claims(token: &Token<'_>) -> Result<Map<String, Value>, Reason> {
    match serde_json::from_slice(&decode(token.payload_b64)?) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Reason::Malformed),
    }
}

/// What the claims must satisfy.
#[derive(Debug, Clone)]
pub struct ClaimRules {
    pub issuer: Option<String>,
    pub audiences: Vec<String>,
    pub leeway_seconds: i64,
    pub require_exp: bool,
}

/// A NumericDate as jwt_authn reads one: a number of seconds from 0 to 2^64-1 (a fraction is
/// truncated). Past i64 it saturates (far future); anything else — negative, 1e300, a string — is
/// malformed.
pub(crate) fn numeric(value: &Value) -> Option<i64> {
    if let Some(seconds) = value.as_u64() {
        return Some(i64::try_from(seconds).unwrap_or(i64::MAX));
    }
    let seconds = value.as_f64().filter(|f| f.is_finite() && *f >= 0.0 && *f < 18_446_744_073_709_551_616.0)?;
    Some(if seconds >= 9_223_372_036_854_775_807.0 { i64::MAX } else { seconds as i64 })
}

/// Checks `exp`, `nbf`, `iss` and `aud` against `now` (seconds since the epoch, host clock).
#[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
pub fn check_claims(claims: &Map<String, Value>, rules: &ClaimRules, now: i64) -> Result<(), Reason> {
    let time = |name: &str| claims.get(name).map(|value| numeric(value).ok_or(Reason::Malformed)).transpose();
    check_times(time("exp")?, time("nbf")?, rules, now)?;
    if let Some(issuer) = &rules.issuer {
        if claims.get("iss").and_then(Value::as_str) != Some(issuer.as_str()) {
            return Err(Reason::BadIssuer);
        }
    }
    if !rules.audiences.is_empty() {
        let matches = |aud: &str| rules.audiences.iter().any(|a| a == aud);
        let ok = match claims.get("aud") {
            Some(Value::String(aud)) => matches(aud),
            Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(matches),
            _ => false,
        };
        if !ok {
            return Err(Reason::BadAudience);
        }
    }
    Ok(())
}

/// `exp` (required unless configured otherwise) and `nbf` against `now`, with the leeway.
pub fn check_times(exp: Option<i64>, nbf: Option<i64>, rules: &ClaimRules, now: i64) -> Result<(), Reason> {
    match exp {
        Some(exp) if now > exp.saturating_add(rules.leeway_seconds) => return Err(Reason::Expired),
        Some(_) => {}
        None if rules.require_exp => return Err(Reason::MissingClaim),
        None => {}
    }
    if nbf.is_some_and(|nbf| now.saturating_add(rules.leeway_seconds) < nbf) {
        return Err(Reason::NotYetValid);
    }
    Ok(())
}

/// The claim at a dotted path (`realm_access.roles`).
pub fn claim_at<'a>(claims: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(claims.get(first)?, |value, key| value.get(key))
}

/// A claim as a header value: strings as they are, numbers and booleans as text, arrays of those
/// comma-separated, objects as compact JSON; `None` for null. Control characters are dropped.
pub fn header_value(value: &Value) -> Option<String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let text = match value {
        Value::Null => return None,
        Value::Array(items) if items.iter().all(|i| scalar(i).is_some()) => {
            items.iter().filter_map(scalar).collect::<Vec<_>>().join(",")
        }
        Value::Array(_) | Value::Object(_) => value.to_string(),
        other => scalar(other)?,
    };
    Some(text.chars().filter(|c| !c.is_control() || *c == '\t').collect())
}

#[cfg(test)]
#[path = "token_test.rs"]
mod tests;
