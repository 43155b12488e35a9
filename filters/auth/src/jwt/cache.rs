//! Verified tokens, remembered per VM: a client that repeats its token (the usual case) is not
//! verified again. Bounded (oldest out first), keyed by the token's SHA-256 (tokens themselves are
//! not kept), tied to the key set that verified them (a new key set starts afresh), and `exp`/`nbf`
//! are checked on every use, so a cached token expires exactly as an uncached one.

use super::keys::KeySet;
use super::token::{self, ClaimRules};
use crate::outcome::Reason;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sieve_sdk_ext::HeaderName;
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};

pub type TokenDigest = [u8; 32];

pub fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// What a verified token established.
pub struct CachedToken {
    /// The key set it verified against (gone or replaced: the entry is stale).
    keys: Weak<KeySet>,
    exp: Option<i64>,
    nbf: Option<i64>,
    pub consumer: String,
    pub headers: Vec<(HeaderName, String)>,
}

impl CachedToken {
    pub fn new(
        keys: &Rc<KeySet>,
        claims: &Map<String, Value>,
        consumer: String,
        headers: Vec<(HeaderName, String)>,
    ) -> CachedToken {
        let time = |name: &str| claims.get(name).and_then(token::numeric);
        CachedToken { keys: Rc::downgrade(keys), exp: time("exp"), nbf: time("nbf"), consumer, headers }
    }

    /// `exp` and `nbf` against `now`, with the provider's leeway (the rest was checked once).
    pub fn check_time(&self, rules: &ClaimRules, now: i64) -> Result<(), Reason> {
        token::check_times(self.exp, self.nbf, rules, now)
    }
}

pub struct TokenCache {
    capacity: usize,
    entries: HashMap<TokenDigest, CachedToken>,
    order: VecDeque<TokenDigest>,
}

impl TokenCache {
    pub fn new(capacity: usize) -> TokenCache {
        TokenCache { capacity, entries: HashMap::new(), order: VecDeque::new() }
    }

    /// The entry for `digest`, if it verified against `keys` (the key set in force now).
    pub fn get(&self, digest: &TokenDigest, keys: &Rc<KeySet>) -> Option<&CachedToken> {
        let entry = self.entries.get(digest)?;
        entry.keys.upgrade().filter(|verified_with| Rc::ptr_eq(verified_with, keys)).map(|_| entry)
    }

    pub fn insert(&mut self, digest: TokenDigest, token: CachedToken) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.insert(digest, token).is_none() {
            self.order.push_back(digest);
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

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
#[path = "cache_test.rs"]
mod tests;
