//! A registry token service: Docker's token authentication (the `auth: token` of the CNCF
//! distribution registry, Debian's `docker-registry`), for tests of the bearer flow.
//!
//! `GET /token?service=S&scope=repository:NAME:pull,push` with basic auth answers
//! `{"token": JWT, "access_token": JWT, "expires_in": 300}`. The JWT is ES256, its header carries
//! the signing certificate (`x5c`), which the registry verifies against its `rootcertbundle`; its
//! claims are `iss`, `sub`, `aud` (the service), `exp`/`nbf`/`iat`, `jti` and `access` (what was
//! granted). Wrong or missing credentials get 401; an unknown service 400. Passwords are kept as
//! SHA-256 digests and compared in constant time.

use crate::{Handler, Request, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// Lifetime of an issued token, in seconds.
pub const TOKEN_SECONDS: u64 = 300;

pub struct TokenService {
    /// `iss`: the registry's `auth.token.issuer`.
    pub issuer: String,
    /// `aud`: the registry's `auth.token.service`.
    pub service: String,
    /// User name and SHA-256 of the password.
    pub users: Vec<(String, [u8; 32])>,
    /// PKCS#8 PEM of the P-256 signing key.
    pub signing_key_pem: String,
    /// DER of the certificate of that key (sent as `x5c`).
    pub certificate_der: Vec<u8>,
}

pub fn password_digest(password: &str) -> [u8; 32] {
    Sha256::digest(password.as_bytes()).into()
}

fn unauthorized(message: &str) -> Response {
    Response::json(401, &serde_json::json!({"errors": [{"code": "UNAUTHORIZED", "message": message}]}))
        .header("www-authenticate", "Basic realm=\"sieve-registry-token\"")
}

/// The user the basic credentials prove, if they do.
fn authenticate(service: &TokenService, request: &Request) -> Option<String> {
    let encoded = request.header("authorization")?.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    let digest = password_digest(password);
    // Every entry is compared, so the time does not tell which users exist.
    let mut found = None;
    for (name, expected) in &service.users {
        let same: bool = (name.as_bytes().ct_eq(user.as_bytes()) & expected.ct_eq(&digest)).into();
        if same {
            found = Some(name.clone());
        }
    }
    found
}

/// `repository:NAME:ACTIONS` scopes of the query (repeated `scope=`, or space-separated).
fn requested_access(query: &str) -> Vec<serde_json::Value> {
    let mut access = Vec::new();
    for pair in query.split('&') {
        let Some(scope) = pair.strip_prefix("scope=") else { continue };
        let scope = percent_decode(scope);
        for scope in scope.split(' ') {
            let mut parts = scope.splitn(3, ':');
            let (Some(kind), Some(name), Some(actions)) = (parts.next(), parts.next(), parts.next()) else { continue };
            if kind != "repository" || name.is_empty() {
                continue;
            }
            let actions: Vec<&str> = actions.split(',').filter(|a| matches!(*a, "pull" | "push")).collect();
            access.push(serde_json::json!({"type": "repository", "name": name, "actions": actions}));
        }
    }
    access
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=').map(percent_decode))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn handler(service: TokenService) -> Result<Handler, String> {
    let key = jsonwebtoken::EncodingKey::from_ec_pem(service.signing_key_pem.as_bytes())
        .map_err(|e| format!("the signing key: {e}"))?;
    let x5c = base64::engine::general_purpose::STANDARD.encode(&service.certificate_der);
    let issued = AtomicU64::new(0);
    Ok(Arc::new(move |request| {
        if request.path == "/healthz" {
            return Response::new(200).body("ok\n");
        }
        if request.path != "/token" || request.method != "GET" {
            return Response::new(404);
        }
        let Some(user) = authenticate(&service, &request) else {
            return unauthorized("wrong user name or password");
        };
        if query_param(&request.query, "service").as_deref() != Some(service.service.as_str()) {
            return Response::json(
                400,
                &serde_json::json!({"errors": [{"code": "DENIED", "message": "unknown service"}]}),
            );
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        let claims = serde_json::json!({
            "iss": service.issuer,
            "sub": user,
            "aud": service.service,
            "exp": now + TOKEN_SECONDS,
            "nbf": now.saturating_sub(10),
            "iat": now,
            "jti": format!("sieve-{}", issued.fetch_add(1, Ordering::Relaxed)),
            "access": requested_access(&request.query),
        });
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
        header.x5c = Some(vec![x5c.clone()]);
        match jsonwebtoken::encode(&header, &claims, &key) {
            Ok(token) => Response::json(
                200,
                &serde_json::json!({"token": token, "access_token": token, "expires_in": TOKEN_SECONDS}),
            ),
            Err(_) => Response::new(500).body("cannot sign\n"),
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_as_registries_send_them() {
        let access = requested_access("service=r&scope=repository%3Asieve%2Fx%3Apull%2Cpush&scope=repository:y:pull");
        assert_eq!(
            access,
            vec![
                serde_json::json!({"type": "repository", "name": "sieve/x", "actions": ["pull", "push"]}),
                serde_json::json!({"type": "repository", "name": "y", "actions": ["pull"]}),
            ]
        );
        assert_eq!(requested_access("scope=repository:z:delete,*")[0]["actions"], serde_json::json!([]));
        assert_eq!(query_param("a=1&service=sieve%20registry", "service").as_deref(), Some("sieve registry"));
    }
}
