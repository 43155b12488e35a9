//! The JWT provider: finds the token, verifies it against an inline or fetched key set, checks the
//! claims, names the consumer and copies chosen claims to headers.

pub mod cache;
pub mod keys;
pub mod rsa;
pub mod token;

use crate::budget::Budget;
use crate::config::{JwtConfig, TokenSource};
use crate::credential::{cookie, strip_prefix};
use crate::outcome::{Check, Credential, Identity, Reason, Rejection};
use cache::{CachedToken, TokenCache};
use keys::{Alg, KeyLookup, KeySet};
use sieve_sdk_ext::remote::{Accepted, DocumentMetrics, RemoteDefaults, RemoteDocument, RemoteResource};
use sieve_sdk_ext::{CallResponse, ConfigError, HeaderName, Http, Root, Setup};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use token::ClaimRules;

#[allow(clippy::large_enum_variant)] // one per provider, built once
enum Keys {
    Inline(Rc<KeySet>),
    Remote(RemoteDocument<KeySet>),
}

/// The reasons a JWT provider refuses, each a counter `sieve.auth.<provider>.denied.<reason>`.
pub const REASONS: &[Reason] = &[
    Reason::Invalid,
    Reason::Malformed,
    Reason::TooLarge,
    Reason::Expired,
    Reason::NotYetValid,
    Reason::BadSignature,
    Reason::UnknownKid,
    Reason::BadIssuer,
    Reason::BadAudience,
    Reason::BadAlgorithm,
    Reason::MissingClaim,
    Reason::KeysUnavailable,
    Reason::VerifyBudget,
];

/// The most `max_verifications_per_second` may be.
pub const MAX_VERIFICATIONS_PER_SECOND: u32 = 1_000_000;

pub struct JwtProvider {
    sources: Vec<TokenSource>,
    algorithms: Vec<Alg>,
    rules: ClaimRules,
    consumer_claim: Vec<String>,
    claims_to_headers: Vec<(Vec<String>, HeaderName)>,
    first_fetch_wait: Duration,
    max_token_bytes: usize,
    keys: Keys,
    /// Tokens verified in this VM, with the key set they verified against.
    verified: RefCell<TokenCache>,
    /// Signature verifications of tokens not in the cache, per second in this VM.
    budget: Budget,
}

const REMOTE_DEFAULTS: RemoteDefaults = RemoteDefaults {
    refresh: Duration::from_secs(300),
    timeout: Duration::from_secs(2),
    retry: Duration::from_secs(1),
    max_bytes: 256 * 1024,
};

fn dotted(path: &str) -> Vec<String> {
    path.split('.').map(String::from).collect()
}

impl JwtProvider {
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn compile(name: &str, config: JwtConfig, setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        let keys = match (config.jwks, config.remote_jwks) {
            (Some(_), Some(_)) => return Err(ConfigError::new("remote_jwks", "give jwks or remote_jwks, not both")),
            (None, None) => return Err(ConfigError::new("jwks", "give the keys: jwks (inline) or remote_jwks")),
            (Some(document), None) => {
                let (set, _) = KeySet::parse(&document, true).map_err(|e| ConfigError::new("jwks", e))?;
                Keys::Inline(Rc::new(set))
            }
            (None, Some(remote)) => {
                let spec = remote.compile(REMOTE_DEFAULTS).map_err(|e| e.within("remote_jwks"))?;
                // `sieve.auth.<provider>.jwks_*`.
                let metrics = DocumentMetrics {
                    fetched: setup.counter(&format!("{name}.jwks_fetch_success")),
                    failed: setup.counter(&format!("{name}.jwks_fetch_failed")),
                    taken: setup.counter(&format!("{name}.jwks_updated")),
                    ..DocumentMetrics::default()
                };
                let label = format!("sieve.auth: {name}: key set");
                Keys::Remote(RemoteDocument::new(
                    RemoteResource::new("jwks", spec),
                    label.clone(),
                    metrics,
                    // Publish only a key set that parses: a bad document leaves the last good one.
                    |body, _previous| KeySet::parse_bytes(body).map(|_| Accepted::whole(body.to_vec())),
                    move |payload| {
                        let (set, skipped) = KeySet::parse_bytes(payload)?;
                        for problem in skipped {
                            log::warn!("{label}: skipped {problem}");
                        }
                        Ok(set)
                    },
                    |set| set.len() as u64,
                ))
            }
        };
        let mut algorithms = config.algorithms;
        if algorithms.is_empty() {
            algorithms = match &keys {
                Keys::Inline(set) => set.algorithms(),
                Keys::Remote(_) => Alg::ALL.to_vec(),
            };
        }
        let mut sources = config.from;
        if sources.is_empty() {
            let name = HeaderName::parse("authorization").map_err(|e| ConfigError::new("from", e))?;
            sources.push(TokenSource::Header { name, prefix: Some("Bearer ".into()) });
        }
        if config.consumer_claim.is_empty() {
            return Err(ConfigError::new("consumer_claim", "must name a claim"));
        }
        let leeway_seconds = i64::try_from(config.leeway_seconds)
            .ok()
            .filter(|l| *l <= 3600)
            .ok_or_else(|| ConfigError::new("leeway_seconds", "must be at most 3600"))?;
        if config.first_fetch_wait_ms > 60_000 {
            return Err(ConfigError::new("first_fetch_wait_ms", "must be at most 60000"));
        }
        if config.max_verifications_per_second > MAX_VERIFICATIONS_PER_SECOND {
            return Err(ConfigError::new(
                "max_verifications_per_second",
                format!("must be at most {MAX_VERIFICATIONS_PER_SECOND} (0: no limit)"),
            ));
        }
        Ok(JwtProvider {
            sources,
            algorithms,
            rules: ClaimRules {
                issuer: config.issuer,
                audiences: config.audiences,
                leeway_seconds,
                require_exp: config.require_exp,
            },
            consumer_claim: dotted(&config.consumer_claim),
            claims_to_headers: config.claims_to_headers.into_iter().map(|c| (dotted(&c.claim), c.header)).collect(),
            first_fetch_wait: Duration::from_millis(config.first_fetch_wait_ms),
            max_token_bytes: config.max_token_bytes,
            keys,
            verified: RefCell::new(TokenCache::new(config.token_cache_size.min(100_000))),
            budget: Budget::new(f64::from(config.max_verifications_per_second)),
        })
    }

    /// Headers this provider may set (removed from every request first: no spoofing).
    pub fn identity_headers(&self) -> impl Iterator<Item = &HeaderName> {
        self.claims_to_headers.iter().map(|(_, header)| header)
    }

    pub fn has_remote_keys(&self) -> bool {
        matches!(self.keys, Keys::Remote(_))
    }

    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    fn find_token(&self, http: &mut Http<'_>) -> Option<(String, Credential)> {
        for source in &self.sources {
            match source {
                TokenSource::Header { name, prefix } => {
                    let Some(value) = http.request_header(name.as_str()) else { continue };
                    match prefix {
                        None => return Some((value.trim().to_string(), Credential::Header(name.clone()))),
                        Some(prefix) => {
                            // Byte for byte, as jwt_authn's value_prefix (and Istio's
                            // RequestAuthentication) compares it: `bearer x` is not `Bearer x`.
                            if let Some(token) = strip_prefix(&value, prefix) {
                                return Some((token.to_string(), Credential::Header(name.clone())));
                            }
                        }
                    }
                }
                TokenSource::Cookie(cookie_name) => {
                    let Some(header) = http.request_header("cookie") else { continue };
                    if let Some(token) = cookie(&header, cookie_name) {
                        return Some((token.to_string(), Credential::Cookie(cookie_name.clone())));
                    }
                }
            }
        }
        None
    }

    /// The key set to verify with now, parsing a newly published version at most once.
    fn current_keys(&self, http: &mut Http<'_>) -> Option<Rc<KeySet>> {
        match &self.keys {
            Keys::Inline(set) => Some(set.clone()),
            Keys::Remote(document) => document.current(http),
        }
    }

    /// Checks the request. `wait_deadline` is the stream's deadline for the first key set.
    pub fn check(&self, http: &mut Http<'_>, wait_deadline: &mut Option<SystemTime>) -> Check {
        let Some((token, credential)) = self.find_token(http) else { return Check::Absent };
        if token.is_empty() {
            return Check::Rejected(Rejection::new(Reason::Malformed));
        }
        if token.len() > self.max_token_bytes {
            return Check::Rejected(Rejection::new(Reason::TooLarge));
        }
        let parsed = match token::parse(&token) {
            Ok(parsed) => parsed,
            Err(reason) => return Check::Rejected(Rejection::new(reason)),
        };
        if !self.algorithms.contains(&parsed.alg) {
            return Check::Rejected(Rejection::new(Reason::BadAlgorithm));
        }
        let Some(keys) = self.current_keys(http) else {
            // No key set yet: wait for the first fetch instead of refusing, within a bound.
            let now = http.now();
            let deadline = *wait_deadline.get_or_insert(now + self.first_fetch_wait);
            if now < deadline {
                http.park_until(deadline);
                return Check::Pending;
            }
            return Check::Rejected(Rejection::new(Reason::KeysUnavailable));
        };
        let now = http.now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let digest = cache::digest(&token);
        if let Some(cached) = self.verified.borrow().get(&digest, &keys) {
            // Verified before against this very key set: only the clock can have changed.
            return match cached.check_time(&self.rules, now) {
                Ok(()) => Check::Accepted(Identity {
                    consumer: cached.consumer.clone(),
                    headers: cached.headers.clone(),
                    credential,
                }),
                Err(reason) => Check::Rejected(Rejection::new(reason)),
            };
        }
        self.verify_fresh(http, &parsed, &keys, digest, now, credential)
    }

    /// A token not in the cache: its signature against the candidate keys, then its claims; an
    /// accepted token is cached.
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    fn verify_fresh(
        &self,
        http: &mut Http<'_>,
        parsed: &token::Token<'_>,
        keys: &Rc<KeySet>,
        digest: cache::TokenDigest,
        now: i64,
        credential: Credential,
    ) -> Check {
        let candidates = match keys.candidates(parsed.kid.as_deref(), parsed.alg) {
            Ok(candidates) => candidates,
            Err(KeyLookup::UnknownKid) => return Check::Rejected(Rejection::new(Reason::UnknownKid)),
            Err(KeyLookup::WrongAlgorithm) => return Check::Rejected(Rejection::new(Reason::BadAlgorithm)),
        };
        let message = parsed.signing_input.as_bytes();
        let mut verified = false;
        for key in candidates {
            // A forged token costs a full verification: the budget bounds how many a VM does.
            let cost = key.verify_cost();
            if cost > 0 && !self.budget.try_take(http.now(), cost) {
                return Check::Rejected(Rejection::new(Reason::VerifyBudget));
            }
            if key.verify(parsed.alg, message, &parsed.signature) {
                verified = true;
                break;
            }
        }
        if !verified {
            return Check::Rejected(Rejection::new(Reason::BadSignature));
        }
        let claims = match token::claims(parsed) {
            Ok(claims) => claims,
            Err(reason) => return Check::Rejected(Rejection::new(reason)),
        };
        if let Err(reason) = token::check_claims(&claims, &self.rules, now) {
            return Check::Rejected(Rejection::new(reason));
        }
        let Some(consumer) = token::claim_at(&claims, &self.consumer_claim).and_then(|v| v.as_str()) else {
            return Check::Rejected(Rejection::new(Reason::MissingClaim));
        };
        let headers: Vec<(HeaderName, String)> = self
            .claims_to_headers
            .iter()
            .filter_map(|(path, header)| {
                let value = token::header_value(token::claim_at(&claims, path)?)?;
                Some((header.clone(), value))
            })
            .collect();
        self.verified
            .borrow_mut()
            .insert(digest, CachedToken::new(keys, &claims, consumer.to_string(), headers.clone()));
        Check::Accepted(Identity { consumer: consumer.to_string(), headers, credential })
    }

    pub fn tick_period(&self) -> Option<Duration> {
        match &self.keys {
            Keys::Inline(_) => None,
            Keys::Remote(document) => Some(document.tick_period()),
        }
    }

    pub fn on_tick(&self, root: &mut Root<'_>) {
        if let Keys::Remote(document) = &self.keys {
            document.on_tick(root);
        }
    }

    pub fn on_root_call_response(&self, root: &mut Root<'_>, response: &CallResponse) {
        if let Keys::Remote(document) = &self.keys {
            document.on_root_call_response(root, response);
        }
    }
}

#[cfg(test)]
#[path = "provider_test.rs"]
mod tests;
