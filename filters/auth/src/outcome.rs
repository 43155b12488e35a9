//! What a provider concludes about a request, why it refused, and the counters that record it.

use sieve_sdk_ext::{Counter, HeaderName, Setup};

/// Why a credential was refused. Each is a counter per provider: `sieve.auth.<provider>.denied.<reason>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Well-formed but wrong: unknown API key, wrong password.
    Invalid,
    /// Not parseable: bad base64, bad JSON, wrong number of token segments, bad scheme syntax.
    Malformed,
    TooLarge,
    Expired,
    NotYetValid,
    BadSignature,
    UnknownKid,
    BadIssuer,
    BadAudience,
    /// `alg: none`, an algorithm not allowed, or one the key does not support.
    BadAlgorithm,
    /// The consumer claim is missing or not a string.
    MissingClaim,
    /// No key set yet (the first fetch has not succeeded): answered 503.
    KeysUnavailable,
    /// The authorization service said no.
    Denied,
    /// The authorization service did not answer (down, slow, unreachable): answered 503.
    Unavailable,
    /// The VM's budget of signature verifications (tokens not in the cache) is spent: answered 503.
    VerifyBudget,
    /// The VM's budget of slow password hashes is spent: answered 429.
    HashBudget,
}

impl Reason {
    pub fn name(self) -> &'static str {
        match self {
            Reason::Invalid => "invalid",
            Reason::Malformed => "malformed",
            Reason::TooLarge => "too_large",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::BadSignature => "bad_signature",
            Reason::UnknownKid => "unknown_kid",
            Reason::BadIssuer => "bad_issuer",
            Reason::BadAudience => "bad_audience",
            Reason::BadAlgorithm => "bad_algorithm",
            Reason::MissingClaim => "missing_claim",
            Reason::KeysUnavailable => "keys_unavailable",
            Reason::Denied => "denied",
            Reason::Unavailable => "unavailable",
            Reason::VerifyBudget => "verify_budget",
            Reason::HashBudget => "hash_budget",
        }
    }

    /// The request could not be checked at all: the answer is 503, not 401.
    pub fn is_unavailable(self) -> bool {
        matches!(self, Reason::KeysUnavailable | Reason::Unavailable | Reason::VerifyBudget)
    }

    /// Too many attempts to check now: the answer is 429.
    pub fn is_throttled(self) -> bool {
        self == Reason::HashBudget
    }

    /// Words for the client (never the credential itself).
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Invalid => "the credential is not valid",
            Reason::Malformed => "the credential is malformed",
            Reason::TooLarge => "the credential is too large",
            Reason::Expired => "the token has expired",
            Reason::NotYetValid => "the token is not valid yet",
            Reason::BadSignature => "the token signature does not verify",
            Reason::UnknownKid => "the token names an unknown key",
            Reason::BadIssuer => "the token has the wrong issuer",
            Reason::BadAudience => "the token has the wrong audience",
            Reason::BadAlgorithm => "the token algorithm is not accepted",
            Reason::MissingClaim => "the token lacks the consumer claim",
            Reason::KeysUnavailable => "the token keys are not available yet",
            Reason::Denied => "the authorization service denied the request",
            Reason::Unavailable => "the authorization service is unavailable",
            Reason::VerifyBudget => "too many new tokens to verify right now; retry shortly",
            Reason::HashBudget => "too many password checks right now; retry shortly",
        }
    }
}

/// Who the caller is, once a provider accepted the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub consumer: String,
    /// Extra request headers (claims, authorization-service headers).
    pub headers: Vec<(HeaderName, String)>,
    /// What to remove when `strip_credentials` is on.
    pub credential: Credential,
}

/// Where the accepted credential came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    None,
    Header(HeaderName),
    QueryParam(String),
    Cookie(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: Reason,
    /// The authorization service's status, for `Denied`.
    pub status: Option<u16>,
    /// The authorization service's own `www-authenticate`, passed on.
    pub challenge: Option<String>,
}

impl Rejection {
    pub fn new(reason: Reason) -> Self {
        Rejection { reason, status: None, challenge: None }
    }
}

/// One provider's verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// No credential for this provider in the request.
    Absent,
    Accepted(Identity),
    Rejected(Rejection),
    /// A callout is in flight or the request is parked for keys.
    Pending,
}

/// `sieve.auth.<provider>.allowed` and `sieve.auth.<provider>.denied.<reason>`.
#[derive(Debug, Clone)]
pub struct ProviderStats {
    pub allowed: Counter,
    denied: Vec<(Reason, Counter)>,
}

impl ProviderStats {
    pub fn define(setup: &mut Setup<'_>, provider: &str, reasons: &[Reason]) -> Self {
        ProviderStats {
            allowed: setup.counter(&format!("{provider}.allowed")),
            denied: reasons.iter().map(|r| (*r, setup.counter(&format!("{provider}.denied.{}", r.name())))).collect(),
        }
    }

    pub fn denied(&self, reason: Reason) -> Counter {
        self.denied.iter().find(|(r, _)| *r == reason).map_or(Counter::NONE, |(_, c)| *c)
    }
}
