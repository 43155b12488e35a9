//! Basic authentication (RFC 7617) with two forms of stored password:
//!
//! - `hmac-sha256$<salt>$<mac>`: HMAC-SHA256 keyed with a per-user random salt. One check costs one
//!   HMAC (about a microsecond), so failed attempts cannot be turned into CPU exhaustion on the
//!   worker threads. Safety at rest comes from the secret itself: `cargo xtask auth-hash password`
//!   refuses passwords under 128 bits of entropy (and can generate them), so a leaked config cannot
//!   be brute-forced whatever the hash speed.
//! - `pbkdf2-sha256$<iterations>$<salt>$<hash>` (opt-in, for human-chosen passwords): PBKDF2-HMAC-
//!   SHA256 (RFC 8018) at OWASP's iteration count, slow on purpose. What makes it slow for an
//!   attacker with the config makes it slow here too, so every slow check is bounded: a per-VM
//!   budget of slow checks per second (over it: 429), and a bounded cache of credentials that
//!   verified, so a right password costs the hash once per VM.
//!
//! README.md explains the trade-off.

use crate::budget::Budget;
use crate::config::BasicConfig;
use crate::credential::{parse_basic, BasicParse};
use crate::outcome::{Check, Credential, Identity, Reason, Rejection};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sieve_sdk_ext::{ConfigError, HeaderName, Http};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use subtle::ConstantTimeEq;

pub const SCHEME: &str = "hmac-sha256";
pub const PBKDF2_SCHEME: &str = "pbkdf2-sha256";
/// OWASP's Password Storage Cheat Sheet: 600,000 iterations for PBKDF2-HMAC-SHA256.
pub const PBKDF2_ITERATIONS: u32 = 600_000;
/// RFC 8018's floor; below OWASP's count, but a config may carry older hashes.
pub const MIN_PBKDF2_ITERATIONS: u32 = 1_000;
/// One check blocks the worker for as long as it runs (about 0.7 µs per iteration in V8).
pub const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
/// Salts are at least this long (bytes).
pub const MIN_SALT_BYTES: usize = 16;
/// The most `max_slow_verifications_per_second` and `verified_cache_size` may be.
pub const MAX_SLOW_RATE: f64 = 1000.0;
pub const MAX_CACHE_SIZE: usize = 100_000;

/// The reasons a Basic provider refuses, each a counter `sieve.auth.<provider>.denied.<reason>`.
pub const REASONS: &[Reason] = &[Reason::Invalid, Reason::Malformed, Reason::HashBudget];

/// A stored password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Hmac { salt: Vec<u8>, mac: [u8; 32] },
    Pbkdf2 { iterations: u32, salt: Vec<u8>, hash: [u8; 32] },
}

impl Stored {
    /// Whether `password` is the one stored. PBKDF2 takes its full time, whatever the answer.
    pub fn matches(&self, password: &str) -> bool {
        match self {
            Stored::Hmac { salt, mac: expected } => bool::from(mac(salt, password).ct_eq(expected)),
            Stored::Pbkdf2 { iterations, salt, hash } => {
                bool::from(pbkdf2_sha256(password, salt, *iterations).ct_eq(hash))
            }
        }
    }

    fn is_slow(&self) -> bool {
        matches!(self, Stored::Pbkdf2 { .. })
    }
}

struct User {
    stored: Stored,
    consumer: String,
}

/// Credentials that verified with a slow hash, in this VM: per username, a digest of the username
/// and password (never the password), compared in constant time. Bounded; the oldest entry leaves
/// first. A new config builds a new provider, so a changed password starts from an empty cache.
struct VerifiedCache {
    capacity: usize,
    entries: HashMap<String, [u8; 32]>,
    order: VecDeque<String>,
}

impl VerifiedCache {
    fn new(capacity: usize) -> VerifiedCache {
        VerifiedCache { capacity, entries: HashMap::new(), order: VecDeque::new() }
    }

    fn contains(&self, username: &str, digest: &[u8; 32]) -> bool {
        self.entries.get(username).is_some_and(|cached| bool::from(cached.ct_eq(digest)))
    }

    fn insert(&mut self, username: &str, digest: [u8; 32]) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.insert(username.to_string(), digest).is_none() {
            self.order.push_back(username.to_string());
        }
        while self.entries.len() > self.capacity {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.entries.remove(&oldest);
                }
                None => break,
            }
        }
    }
}

pub struct BasicProvider {
    users: HashMap<String, User>,
    authorization: HeaderName,
    /// What an unknown username is checked against: as slow as the slowest stored form, so that
    /// timing does not tell which users exist.
    decoy: Stored,
    budget: Budget,
    verified: RefCell<VerifiedCache>,
}

/// `hmac-sha256$<salt base64>$<mac base64>` for `password` (salt chosen by the caller).
pub fn hash_password(password: &str, salt: &[u8]) -> String {
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    format!("{SCHEME}${}${}", engine.encode(salt), engine.encode(mac(salt, password)))
}

/// `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>` for `password`.
pub fn hash_password_pbkdf2(password: &str, salt: &[u8], iterations: u32) -> String {
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let hash = pbkdf2_sha256(password, salt, iterations);
    format!("{PBKDF2_SCHEME}${iterations}${}${}", engine.encode(salt), engine.encode(hash))
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

fn pbkdf2_sha256(password: &str, salt: &[u8], iterations: u32) -> [u8; 32] {
    pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password.as_bytes(), salt, iterations)
}

/// What the verified-credentials cache keeps for a username and password.
fn cache_digest(salt: &[u8], username: &str, password: &str) -> [u8; 32] {
    match Hmac::<Sha256>::new_from_slice(salt) {
        Ok(mut mac) => {
            mac.update(b"sieve.auth verified\0");
            mac.update(username.as_bytes());
            mac.update(b"\0");
            mac.update(password.as_bytes());
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

fn decode<const N: usize>(what: &str, text: &str) -> Result<[u8; N], String> {
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text)
        .map_err(|_| format!("the {what} is not base64 (no padding)"))?;
    bytes.try_into().map_err(|_| format!("the {what} must be {N} bytes"))
}

fn salt(text: &str) -> Result<Vec<u8>, String> {
    let salt = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text)
        .map_err(|_| "the salt is not base64 (no padding)".to_string())?;
    if salt.len() < MIN_SALT_BYTES {
        return Err(format!("the salt must be at least {MIN_SALT_BYTES} bytes"));
    }
    Ok(salt)
}

/// Parses a stored password (`hmac-sha256$...` or `pbkdf2-sha256$...`).
pub fn parse_hash(stored: &str) -> Result<Stored, String> {
    let parts: Vec<&str> = stored.split('$').collect();
    match parts.as_slice() {
        [SCHEME, salt_text, mac_text] => Ok(Stored::Hmac { salt: salt(salt_text)?, mac: decode("mac", mac_text)? }),
        [PBKDF2_SCHEME, iterations, salt_text, hash_text] => {
            let iterations: u32 = iterations
                .parse()
                .ok()
                .filter(|n| (MIN_PBKDF2_ITERATIONS..=MAX_PBKDF2_ITERATIONS).contains(n))
                .ok_or_else(|| {
                    format!(
                        "the iteration count must be a number from {MIN_PBKDF2_ITERATIONS} to {MAX_PBKDF2_ITERATIONS} ({PBKDF2_ITERATIONS} recommended)"
                    )
                })?;
            Ok(Stored::Pbkdf2 { iterations, salt: salt(salt_text)?, hash: decode("hash", hash_text)? })
        }
        [scheme, ..] if *scheme != SCHEME && *scheme != PBKDF2_SCHEME && parts.len() > 1 => Err(format!(
            "unknown scheme {scheme:?}: {SCHEME} or {PBKDF2_SCHEME} (plaintext passwords never are)"
        )),
        _ => Err(format!(
            "must be {SCHEME}$<salt>$<mac> or {PBKDF2_SCHEME}$<iterations>$<salt>$<hash> (cargo xtask auth-hash password)"
        )),
    }
}

impl BasicProvider {
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn compile(config: BasicConfig) -> Result<Self, ConfigError> {
        if config.users.is_empty() {
            return Err(ConfigError::new("users", "give at least one user"));
        }
        let rate = config.max_slow_verifications_per_second;
        if !rate.is_finite() || !(0.0..=MAX_SLOW_RATE).contains(&rate) {
            return Err(ConfigError::new(
                "max_slow_verifications_per_second",
                // Written out: formatting an f64 links core's float printing (~20 KiB) into the module.
                "must be from 0 (no limit) to 1000",
            ));
        }
        if config.verified_cache_size > MAX_CACHE_SIZE {
            return Err(ConfigError::new("verified_cache_size", format!("must be at most {MAX_CACHE_SIZE}")));
        }
        let mut users = HashMap::with_capacity(config.users.len());
        let mut slowest: Option<u32> = None;
        for (index, user) in config.users.into_iter().enumerate() {
            // Each user checked itself when it was read; what is left is how they go together.
            let stored = user.password_hash.0;
            if let Stored::Pbkdf2 { iterations, .. } = &stored {
                slowest = slowest.max(Some(*iterations));
            }
            let username = user.username.0;
            let consumer = match user.consumer {
                Some(consumer) => consumer.0,
                // A username is header-safe too (no control characters).
                None => username.clone(),
            };
            if users.insert(username.clone(), User { stored, consumer }).is_some() {
                return Err(ConfigError::new(
                    format!("users[{index}].username"),
                    format!("{username:?} is listed twice"),
                ));
            }
        }
        let decoy = match slowest {
            Some(iterations) => Stored::Pbkdf2 { iterations, salt: vec![0; MIN_SALT_BYTES], hash: [0xff; 32] },
            None => Stored::Hmac { salt: vec![0; MIN_SALT_BYTES], mac: [0xff; 32] },
        };
        let authorization = HeaderName::parse("authorization").map_err(|e| ConfigError::new("", e))?;
        Ok(BasicProvider {
            users,
            authorization,
            decoy,
            budget: Budget::new(rate),
            verified: RefCell::new(VerifiedCache::new(config.verified_cache_size)),
        })
    }

    /// Whether a user of this provider is consumer `consumer`.
    pub fn declares(&self, consumer: &str) -> bool {
        self.users.values().any(|user| user.consumer == consumer)
    }

    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn check(&self, http: &mut Http<'_>) -> Check {
        let header = http.request_header("authorization");
        match parse_basic(header.as_deref()) {
            BasicParse::NotBasic => Check::Absent,
            BasicParse::Malformed => Check::Rejected(Rejection::new(Reason::Malformed)),
            BasicParse::Credentials { username, password } => {
                let user = self.users.get(&username);
                // Unknown users cost the same check as the slowest known ones: no user enumeration
                // by timing.
                let stored = user.map_or(&self.decoy, |user| &user.stored);
                let matches = if stored.is_slow() {
                    match self.check_slow(http, stored, &username, &password, user.is_some()) {
                        Ok(matches) => matches,
                        Err(rejection) => return Check::Rejected(rejection),
                    }
                } else {
                    stored.matches(&password)
                };
                match user {
                    Some(user) if matches => Check::Accepted(Identity {
                        consumer: user.consumer.clone(),
                        headers: Vec::new(),
                        credential: Credential::Header(self.authorization.clone()),
                    }),
                    _ => Check::Rejected(Rejection::new(Reason::Invalid)),
                }
            }
        }
    }

    /// A slow hash: answered from the cache of credentials that verified, else computed if the
    /// budget allows (`Err` if it does not).
    fn check_slow(
        &self,
        http: &mut Http<'_>,
        stored: &Stored,
        username: &str,
        password: &str,
        known: bool,
    ) -> Result<bool, Rejection> {
        let Stored::Pbkdf2 { salt, .. } = stored else { return Ok(stored.matches(password)) };
        let digest = cache_digest(salt, username, password);
        if known && self.verified.borrow().contains(username, &digest) {
            return Ok(true);
        }
        if !self.budget.try_take(http.now(), 1) {
            return Err(Rejection::new(Reason::HashBudget));
        }
        let matches = stored.matches(password);
        if matches && known {
            self.verified.borrow_mut().insert(username, digest);
        }
        Ok(matches)
    }
}

#[cfg(test)]
#[path = "basic_test.rs"]
mod tests;
