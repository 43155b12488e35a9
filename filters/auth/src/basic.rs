//! Basic authentication (RFC 7617) with passwords stored as `hmac-sha256$<salt>$<mac>`:
//! HMAC-SHA256 keyed with a per-user random salt. One check costs one HMAC (about a microsecond),
//! so failed attempts cannot be turned into CPU exhaustion on the worker threads, unlike bcrypt or
//! scrypt. Safety at rest comes from the secrets themselves: `cargo xtask auth-hash password`
//! refuses passwords under 128 bits of entropy (and can generate them), so a leaked config cannot
//! be brute-forced whatever the hash speed. README.md explains the trade-off.

use crate::config::BasicConfig;
use crate::credential::{parse_basic, BasicParse};
use crate::outcome::{Check, Credential, Identity, Reason, Rejection};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sieve_sdk_ext::{ConfigError, HeaderName, Http};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

pub const SCHEME: &str = "hmac-sha256";
/// Salts are at least this long (bytes).
pub const MIN_SALT_BYTES: usize = 16;

struct User {
    salt: Vec<u8>,
    mac: [u8; 32],
    consumer: String,
}

pub struct BasicProvider {
    users: HashMap<String, User>,
    authorization: HeaderName,
}

/// `hmac-sha256$<salt base64>$<mac base64>` for `password` (salt chosen by the caller).
pub fn hash_password(password: &str, salt: &[u8]) -> String {
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    format!("{SCHEME}${}${}", engine.encode(salt), engine.encode(mac(salt, password)))
}

fn mac(salt: &[u8], password: &str) -> [u8; 32] {
    match Hmac::<Sha256>::new_from_slice(salt) {
        Ok(mut mac) => {
            mac.update(password.as_bytes());
            mac.finalize().into_bytes().into()
        }
        // HMAC takes keys of any length; kept total without a panic.
        Err(_) => [0; 32],
    }
}

fn parse_hash(stored: &str) -> Result<(Vec<u8>, [u8; 32]), String> {
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut parts = stored.split('$');
    let (Some(scheme), Some(salt), Some(mac), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(format!("must be {SCHEME}$<salt>$<mac> (cargo xtask auth-hash password)"));
    };
    if scheme != SCHEME {
        return Err(format!("unknown scheme {scheme:?}: only {SCHEME} is supported (plaintext passwords never are)"));
    }
    let salt = engine.decode(salt).map_err(|_| "the salt is not base64 (no padding)".to_string())?;
    if salt.len() < MIN_SALT_BYTES {
        return Err(format!("the salt must be at least {MIN_SALT_BYTES} bytes"));
    }
    let mac = engine.decode(mac).map_err(|_| "the mac is not base64 (no padding)".to_string())?;
    let mac: [u8; 32] = mac.try_into().map_err(|_| "the mac must be 32 bytes".to_string())?;
    Ok((salt, mac))
}

impl BasicProvider {
    pub fn compile(config: BasicConfig) -> Result<Self, ConfigError> {
        if config.users.is_empty() {
            return Err(ConfigError::new("users", "give at least one user"));
        }
        let mut users = HashMap::with_capacity(config.users.len());
        for (index, user) in config.users.into_iter().enumerate() {
            let at = |field: &str| format!("users[{index}].{field}");
            if user.username.is_empty() || user.username.contains(':') || user.username.chars().any(char::is_control) {
                return Err(ConfigError::new(at("username"), "must be non-empty, without ':' or control characters"));
            }
            let (salt, mac) = parse_hash(&user.password_hash).map_err(|e| ConfigError::new(at("password_hash"), e))?;
            let consumer = user.consumer.unwrap_or_else(|| user.username.clone());
            if sieve_sdk_ext::header::check_value(&consumer).is_err() {
                return Err(ConfigError::new(at("consumer"), "must be header-safe"));
            }
            if users.insert(user.username.clone(), User { salt, mac, consumer }).is_some() {
                return Err(ConfigError::new(at("username"), format!("{:?} is listed twice", user.username)));
            }
        }
        let authorization = HeaderName::parse("authorization").map_err(|e| ConfigError::new("", e))?;
        Ok(BasicProvider { users, authorization })
    }

    /// Whether a user of this provider is consumer `consumer`.
    pub fn declares(&self, consumer: &str) -> bool {
        self.users.values().any(|user| user.consumer == consumer)
    }

    pub fn check(&self, http: &mut Http<'_>) -> Check {
        let header = http.request_header("authorization");
        match parse_basic(header.as_deref()) {
            BasicParse::NotBasic => Check::Absent,
            BasicParse::Malformed => Check::Rejected(Rejection::new(Reason::Malformed)),
            BasicParse::Credentials { username, password } => {
                // Unknown users cost the same HMAC as known ones: no user enumeration by timing.
                let (salt, expected, consumer) = match self.users.get(&username) {
                    Some(user) => (user.salt.as_slice(), user.mac, Some(&user.consumer)),
                    None => (&[0u8; MIN_SALT_BYTES][..], [0xff; 32], None),
                };
                let matches = bool::from(mac(salt, &password).ct_eq(&expected));
                match consumer {
                    Some(consumer) if matches => Check::Accepted(Identity {
                        consumer: consumer.clone(),
                        headers: Vec::new(),
                        credential: Credential::Header(self.authorization.clone()),
                    }),
                    _ => Check::Rejected(Rejection::new(Reason::Invalid)),
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "basic_test.rs"]
mod tests;
