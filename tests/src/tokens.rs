//! JWTs for the tests, minted by the `jsonwebtoken` crate (ring) — an implementation independent of
//! the filter's RustCrypto verification — with the demo keys of `services/demo-keys/`.

use crate::workspace_root;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// A demo key (see `services/demo-keys/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoKey {
    Rsa1,
    Rsa2,
    Ec1,
}

impl DemoKey {
    pub fn kid(self) -> &'static str {
        match self {
            DemoKey::Rsa1 => "demo-rsa-1",
            DemoKey::Rsa2 => "demo-rsa-2",
            DemoKey::Ec1 => "demo-ec-1",
        }
    }

    fn file(self) -> &'static str {
        match self {
            DemoKey::Rsa1 => "rsa1",
            DemoKey::Rsa2 => "rsa2",
            DemoKey::Ec1 => "ec1",
        }
    }

    pub fn private_pem(self) -> Vec<u8> {
        demo_file(&format!("{}.pem", self.file()))
    }

    pub fn public_pem(self) -> Vec<u8> {
        demo_file(&format!("{}.pub.pem", self.file()))
    }
}

pub fn demo_file(name: &str) -> Vec<u8> {
    let path = workspace_root().join("services/demo-keys").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Claims the demo config accepts: `sub`, issuer `https://sieve.demo`, audience `sieve-demo`,
/// valid for an hour; `extra` is merged on top (a `null` removes a claim).
pub fn claims(sub: &str, extra: Value) -> Value {
    let mut claims = json!({
        "sub": sub,
        "iss": "https://sieve.demo",
        "aud": "sieve-demo",
        "iat": now(),
        "exp": now() + 3600,
    });
    if let (Some(map), Value::Object(extra)) = (claims.as_object_mut(), extra) {
        for (key, value) in extra {
            if value.is_null() {
                map.remove(&key);
            } else {
                map.insert(key, value);
            }
        }
    }
    claims
}

/// Signs `claims` with a demo key: `alg` is RS256/384/512, PS256/384/512 (RSA keys) or ES256.
pub fn sign(alg: &str, key: DemoKey, kid: Option<&str>, claims: &Value) -> String {
    let algorithm: Algorithm = alg.parse().unwrap_or_else(|_| panic!("unknown algorithm {alg}"));
    let mut header = Header::new(algorithm);
    header.kid = kid.map(String::from);
    let encoding = match key {
        DemoKey::Ec1 => EncodingKey::from_ec_pem(&key.private_pem()),
        _ => EncodingKey::from_rsa_pem(&key.private_pem()),
    }
    .unwrap_or_else(|e| panic!("demo key {key:?}: {e}"));
    encode(&header, claims, &encoding).unwrap_or_else(|e| panic!("signing with {alg}: {e}"))
}

/// Signs with the demo key's own `kid`.
pub fn sign_with(alg: &str, key: DemoKey, claims: &Value) -> String {
    sign(alg, key, Some(key.kid()), claims)
}

/// HS256/384/512 with `secret` (also how an algorithm-confusion token is made: the secret is an
/// RSA public key).
pub fn sign_hmac(alg: &str, secret: &[u8], kid: Option<&str>, claims: &Value) -> String {
    let algorithm: Algorithm = alg.parse().unwrap_or_else(|_| panic!("unknown algorithm {alg}"));
    let mut header = Header::new(algorithm);
    header.kid = kid.map(String::from);
    encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap_or_else(|e| panic!("{e}"))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An unsecured token (`alg: none`, empty signature), built by hand: no library signs these.
pub fn unsigned(claims: &Value, kid: Option<&str>) -> String {
    let mut header = json!({"alg": "none", "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    format!("{}.{}.", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()))
}

/// `token` with its payload replaced by `claims` (the signature no longer matches).
pub fn tampered(token: &str, claims: &Value) -> String {
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    if let Some(payload) = parts.get_mut(1) {
        *payload = b64(claims.to_string().as_bytes());
    }
    parts.join(".")
}

/// A JWKS document holding an HMAC key (for inline key sets).
pub fn hmac_jwks(kid: &str, secret: &[u8]) -> Value {
    json!({"keys": [{"kty": "oct", "kid": kid, "k": b64(secret)}]})
}
