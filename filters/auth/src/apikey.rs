//! API keys: the key travels in a header or a query parameter; the config holds only SHA-256
//! digests. A lookup hashes the presented key once and finds its digest in a hash map, so the
//! cost does not grow with the number of consumers; the stored digest is then compared in
//! constant time.

use crate::config::ApiKeyConfig;
use crate::credential::query_param;
use crate::outcome::{Check, Credential, Identity, Reason, Rejection};
use sha2::{Digest, Sha256};
use sieve_sdk_ext::{ConfigError, HeaderName, Http};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use subtle::ConstantTimeEq;

/// Keys longer than this are refused unhashed.
const MAX_KEY_BYTES: usize = 4096;

/// SHA-256 digests are uniformly distributed: their first 8 bytes are already a good hash, and an
/// attacker cannot steer them (that would need SHA-256 preimages).
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for (i, b) in bytes.iter().take(8).enumerate() {
            self.0 ^= u64::from(*b) << (8 * i);
        }
    }
}

pub struct ApiKeyProvider {
    header: Option<HeaderName>,
    query: Option<String>,
    digests: HashMap<[u8; 32], usize, BuildHasherDefault<DigestHasher>>,
    consumers: Vec<String>,
}

/// `hex(sha256(key))`, the form the config stores.
pub fn digest_hex(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl ApiKeyProvider {
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn compile(config: ApiKeyConfig) -> Result<Self, ConfigError> {
        let header = match (&config.header, &config.query) {
            (None, None) => Some(HeaderName::parse("x-api-key").map_err(|e| ConfigError::new("header", e))?),
            (header, _) => header.clone(),
        };
        if let Some(query) = &config.query {
            if query.is_empty() || query.contains(['&', '=', '?', '#']) {
                return Err(ConfigError::new("query", format!("invalid query parameter name {query:?}")));
            }
        }
        if config.keys.is_empty() {
            return Err(ConfigError::new("keys", "give at least one key"));
        }
        let mut digests = HashMap::with_capacity_and_hasher(config.keys.len(), BuildHasherDefault::default());
        let mut consumers = Vec::with_capacity(config.keys.len());
        for (index, entry) in config.keys.into_iter().enumerate() {
            // Each entry checked itself when it was read; what is left is how they go together.
            if digests.insert(entry.sha256.0, consumers.len()).is_some() {
                return Err(ConfigError::new(format!("keys[{index}].sha256"), "the same key is listed twice"));
            }
            consumers.push(entry.consumer.0);
        }
        Ok(ApiKeyProvider { header, query: config.query, digests, consumers })
    }

    /// Whether a key of this provider names `consumer`.
    pub fn declares(&self, consumer: &str) -> bool {
        self.consumers.iter().any(|c| c == consumer)
    }

    pub fn key_count(&self) -> usize {
        self.digests.len()
    }

    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn check(&self, http: &mut Http<'_>) -> Check {
        let (key, credential) = match self.find_key(http) {
            Some(found) => found,
            None => return Check::Absent,
        };
        if key.is_empty() {
            return Check::Rejected(Rejection::new(Reason::Malformed));
        }
        if key.len() > MAX_KEY_BYTES {
            return Check::Rejected(Rejection::new(Reason::TooLarge));
        }
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        match self.digests.get_key_value(&digest) {
            Some((stored, index)) if bool::from(stored.ct_eq(&digest)) => match self.consumers.get(*index) {
                Some(consumer) => {
                    Check::Accepted(Identity { consumer: consumer.clone(), headers: Vec::new(), credential })
                }
                None => Check::Rejected(Rejection::new(Reason::Invalid)),
            },
            _ => Check::Rejected(Rejection::new(Reason::Invalid)),
        }
    }

    fn find_key(&self, http: &mut Http<'_>) -> Option<(String, Credential)> {
        if let Some(header) = &self.header {
            if let Some(value) = http.request_header(header.as_str()) {
                return Some((value.trim().to_string(), Credential::Header(header.clone())));
            }
        }
        let query = self.query.as_ref()?;
        let value = query_param(http.path()?, query)?;
        Some((value, Credential::QueryParam(query.clone())))
    }

    pub fn header(&self) -> Option<&HeaderName> {
        self.header.as_ref()
    }
}
