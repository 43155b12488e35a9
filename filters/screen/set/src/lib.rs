//! Screening sets: "is this key in the list?" over an exact set (small lists), a Bloom filter
//! (`bloomfilter` crate) or a Cuckoo filter (`cuckoofilter` crate, which also deletes), behind one
//! type, with a versioned, checksummed blob format for prebuilt lists.
//!
//! Keys are hashed with a secret per-list seed before they reach a probabilistic filter, so nobody
//! without the list can search offline for keys that collide with it (a false positive an attacker
//! could choose would bypass an allow list).
//!
//! Hashing is the same on every platform (a blob built on a 64-bit host answers the same inside the
//! 32-bit VM): keys become 16-byte digests hashed as bytes, and the Cuckoo table's hasher writes
//! integers as fixed little-endian bytes.
//!
//! Blob format, version 1 (all integers little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 0..8 | magic `SIEVESET` |
//! | 8..10 | format version (1) |
//! | 10 | backend: 1 Bloom, 2 Cuckoo |
//! | 11 | normalisation flags the keys were built with (bit 0 lower-case, bit 1 trailing slash trimmed) |
//! | 12..20 | number of keys |
//! | 20..28 | target false-positive rate (f64) |
//! | 28..36 | payload length |
//! | 36.. | payload: Bloom = the `bloomfilter` bytes (bitmap, hash count, seed); Cuckoo = 16-byte seed, then the fingerprint table |
//! | last 32 | SHA-256 of everything before it |

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use bloomfilter::Bloom;
use cuckoofilter::{CuckooFilter, ExportedCuckooFilter};
use sha2::{Digest, Sha256};
use siphasher::sip::SipHasher13;
use siphasher::sip128::{Hasher128, SipHasher13 as SipHasher13x128};
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};

pub const MAGIC: &[u8; 8] = b"SIEVESET";
pub const FORMAT_VERSION: u16 = 1;
const HEADER: usize = 36;
const CHECKSUM: usize = 32;

/// The false-positive rate of `cuckoofilter` 0.5 is fixed by its 8-bit fingerprints (255 usable
/// values) and 4-slot buckets: about 2·4/255 ≈ 3.1% when full. A configured rate below this cannot
/// be met by the Cuckoo backend.
pub const CUCKOO_FP_RATE: f64 = 8.0 / 255.0;

/// Highest Cuckoo load accepted when building (inserts beyond it fail more and more often).
pub const CUCKOO_MAX_LOAD: f64 = 0.95;

/// Largest number of Bloom hash functions accepted from a blob (a forged blob must not make every
/// lookup loop for long).
const MAX_BLOOM_HASHES: u32 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Exact,
    Bloom,
    Cuckoo,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Exact => "exact",
            Backend::Bloom => "bloom",
            Backend::Cuckoo => "cuckoo",
        }
    }

    pub fn parse(name: &str) -> Option<Backend> {
        [Backend::Exact, Backend::Bloom, Backend::Cuckoo].into_iter().find(|b| b.name() == name)
    }
}

/// How keys are normalised before they are added or looked up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Normalize {
    pub lowercase: bool,
    pub trim_trailing_slash: bool,
}

impl Normalize {
    pub fn flags(self) -> u8 {
        u8::from(self.lowercase) | (u8::from(self.trim_trailing_slash) << 1)
    }

    pub fn from_flags(flags: u8) -> Self {
        Normalize { lowercase: flags & 1 != 0, trim_trailing_slash: flags & 2 != 0 }
    }

    /// The key as the set stores it.
    pub fn apply<'a>(self, key: &'a str) -> std::borrow::Cow<'a, str> {
        let mut key = std::borrow::Cow::Borrowed(key.trim());
        if self.trim_trailing_slash && key.len() > 1 && key.ends_with('/') {
            key = std::borrow::Cow::Owned(key.trim_end_matches('/').to_string());
            if key.is_empty() {
                key = std::borrow::Cow::Borrowed("/");
            }
        }
        if self.lowercase && key.chars().any(|c| c.is_uppercase()) {
            key = std::borrow::Cow::Owned(key.to_lowercase());
        }
        key
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenError {
    /// The Cuckoo filter has no room for another key.
    Full,
    /// Bloom filters cannot delete.
    NoDelete,
    Invalid(String),
}

impl fmt::Display for ScreenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScreenError::Full => f.write_str("the Cuckoo filter is full: build it with a larger capacity"),
            ScreenError::NoDelete => f.write_str("a Bloom filter cannot remove keys: use the Cuckoo backend"),
            ScreenError::Invalid(why) => f.write_str(why),
        }
    }
}

/// What a probabilistic filter stores for a key: a 128-bit digest, hashed as its 16 bytes only.
/// (Hashing `[u8]` or `usize` through `Hash` writes a `usize` length, 8 bytes on the host and 4 on
/// wasm32: a blob built by the command-line tool would not match lookups inside the VM.)
#[derive(Clone, Copy)]
struct Item([u8; 16]);

impl Hash for Item {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(&self.0);
    }
}

/// `cuckoofilter` hashes fingerprints as arrays, whose `Hash` writes a `usize` length: this
/// hasher writes every integer as fixed little-endian bytes, so the table is the same on every
/// platform. SipHash-1-3 with fixed keys (stable by specification).
#[derive(Default)]
pub struct PortableHasher(SipHasher13);

impl Hasher for PortableHasher {
    fn finish(&self) -> u64 {
        self.0.finish()
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
    fn write_u8(&mut self, n: u8) {
        self.0.write(&[n]);
    }
    fn write_u16(&mut self, n: u16) {
        self.0.write(&n.to_le_bytes());
    }
    fn write_u32(&mut self, n: u32) {
        self.0.write(&n.to_le_bytes());
    }
    fn write_u64(&mut self, n: u64) {
        self.0.write(&n.to_le_bytes());
    }
    fn write_u128(&mut self, n: u128) {
        self.0.write(&n.to_le_bytes());
    }
    fn write_usize(&mut self, n: usize) {
        self.0.write(&(n as u64).to_le_bytes());
    }
}

enum Inner {
    Exact(HashSet<Box<[u8]>>),
    /// Stores [`stable_item`] of each key; the filter's own seeded hashes make positions secret.
    Bloom(Bloom<Item>),
    /// Stores a keyed digest of each key; `slots` is the table size.
    Cuckoo {
        filter: CuckooFilter<PortableHasher>,
        seed: [u8; 16],
        slots: u64,
    },
}

/// A list of keys to screen requests against.
pub struct ScreenSet {
    inner: Inner,
    normalize: Normalize,
    fp_rate: f64,
    keys: u64,
}

/// What a set is made of, for `stats` and the benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct SetStats {
    pub backend: Backend,
    pub keys: u64,
    /// Bits of the filter itself (the exact set: its key bytes).
    pub bits: u64,
    pub bits_per_key: f64,
    /// The false-positive rate the set was built for (0 for exact).
    pub target_fp_rate: f64,
    /// The rate expected at this fill (0 for exact).
    pub expected_fp_rate: f64,
    /// Cuckoo: fraction of slots used.
    pub load: Option<f64>,
    pub hash_functions: Option<u32>,
}

/// A seed for one purpose, derived from the list's seed: the two halves of a Bloom seed key its two
/// hash functions and must differ whatever seed the caller gave.
fn derive_seed(purpose: &[u8], seed: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(purpose);
    hasher.update(seed);
    hasher.finalize().into()
}

fn keyed_item(seed: &[u8; 16], key: &[u8]) -> Item {
    let mut hasher = SipHasher13x128::new_with_key(seed);
    hasher.write(key);
    Item(hasher.finish128().as_u128().to_le_bytes())
}

/// The Bloom item of a key: an unkeyed digest (the Bloom filter's seed keys its own hashes).
fn stable_item(key: &[u8]) -> Item {
    keyed_item(&[0; 16], key)
}

impl ScreenSet {
    /// An empty set. `capacity` is the number of keys it is sized for (Bloom, Cuckoo); `seed` must
    /// be secret and random for probabilistic backends (tools draw it from the OS; the filter from
    /// the host).
    pub fn new(
        backend: Backend,
        capacity: u64,
        fp_rate: f64,
        normalize: Normalize,
        seed: [u8; 32],
    ) -> Result<Self, ScreenError> {
        let capacity_usize =
            usize::try_from(capacity.max(1)).map_err(|_| ScreenError::Invalid("capacity too large".into()))?;
        let inner = match backend {
            Backend::Exact => Inner::Exact(HashSet::with_capacity(capacity_usize.min(1 << 20))),
            Backend::Bloom => {
                if !(fp_rate > 0.0 && fp_rate < 1.0) {
                    // The rate is not printed: formatting an f64 links core's float printing (~20
                    // KiB) into every module that holds a set. The caller knows what it asked for.
                    return Err(ScreenError::Invalid("fp_rate must be between 0 and 1".into()));
                }
                let bloom = Bloom::new_for_fp_rate_with_seed(capacity_usize, fp_rate, &derive_seed(b"bloom", &seed))
                    .map_err(|e| ScreenError::Invalid(e.to_string()))?;
                Inner::Bloom(bloom)
            }
            Backend::Cuckoo => {
                if fp_rate < CUCKOO_FP_RATE {
                    return Err(ScreenError::Invalid(
                        "the Cuckoo backend's false-positive rate is fixed at about 3.1% (8-bit fingerprints); a lower rate cannot be met: use the Bloom backend, or an exact confirmation".into(),
                    ));
                }
                // Room for `capacity` keys at most CUCKOO_MAX_LOAD full.
                let wanted = ((capacity_usize as f64) / CUCKOO_MAX_LOAD).ceil() as usize;
                let mut cuckoo_seed = [0u8; 16];
                cuckoo_seed.copy_from_slice(derive_seed(b"cuckoo", &seed).get(..16).unwrap_or(&[0; 16]));
                // `with_capacity` rounds the table up to a power of two.
                let slots = wanted.max(4).next_power_of_two() as u64;
                Inner::Cuckoo { filter: CuckooFilter::with_capacity(wanted.max(4)), seed: cuckoo_seed, slots }
            }
        };
        Ok(ScreenSet { inner, normalize, fp_rate, keys: 0 })
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            Inner::Exact(_) => Backend::Exact,
            Inner::Bloom(_) => Backend::Bloom,
            Inner::Cuckoo { .. } => Backend::Cuckoo,
        }
    }

    pub fn normalize(&self) -> Normalize {
        self.normalize
    }

    pub fn len(&self) -> u64 {
        self.keys
    }

    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Adds `key` (normalised). A full Cuckoo filter refuses with [`ScreenError::Full`]; the
    /// `cuckoofilter` crate may then have dropped one earlier key, so a set that refused an insert
    /// must be thrown away, not used (builders do; see the crate docs).
    pub fn insert(&mut self, key: &str) -> Result<(), ScreenError> {
        let key = self.normalize.apply(key);
        let bytes = key.as_bytes();
        match &mut self.inner {
            Inner::Exact(set) => {
                if set.insert(bytes.into()) {
                    self.keys += 1;
                }
            }
            Inner::Bloom(bloom) => {
                bloom.set(&stable_item(bytes));
                self.keys += 1;
            }
            Inner::Cuckoo { filter, seed, .. } => {
                filter.add(&keyed_item(seed, bytes)).map_err(|_| ScreenError::Full)?;
                self.keys += 1;
            }
        }
        Ok(())
    }

    /// Removes `key`. Only remove keys that were added: in a Cuckoo filter, removing a key that was
    /// never added can remove another key sharing its fingerprint.
    pub fn remove(&mut self, key: &str) -> Result<bool, ScreenError> {
        let key = self.normalize.apply(key);
        let bytes = key.as_bytes();
        let removed = match &mut self.inner {
            Inner::Exact(set) => set.remove(bytes),
            Inner::Bloom(_) => return Err(ScreenError::NoDelete),
            Inner::Cuckoo { filter, seed, .. } => filter.delete(&keyed_item(seed, bytes)),
        };
        if removed {
            self.keys = self.keys.saturating_sub(1);
        }
        Ok(removed)
    }

    /// Whether `key` (normalised) is in the set (probabilistic backends: or a false positive).
    pub fn contains(&self, key: &str) -> bool {
        let key = self.normalize.apply(key);
        self.contains_normalized(key.as_bytes())
    }

    /// Lookup of a key already normalised.
    pub fn contains_normalized(&self, key: &[u8]) -> bool {
        match &self.inner {
            Inner::Exact(set) => set.contains(key),
            Inner::Bloom(bloom) => bloom.check(&stable_item(key)),
            Inner::Cuckoo { filter, seed, .. } => filter.contains(&keyed_item(seed, key)),
        }
    }

    pub fn stats(&self) -> SetStats {
        let keys = self.keys;
        let (bits, expected, load, hashes) = match &self.inner {
            Inner::Exact(set) => (set.iter().map(|k| k.len() as u64 * 8).sum(), 0.0, None, None),
            Inner::Bloom(bloom) => {
                let m = bloom.len() as f64;
                let k = f64::from(bloom.number_of_hash_functions());
                let expected = (1.0 - (-k * keys as f64 / m.max(1.0)).exp()).powf(k);
                (bloom.len(), expected, None, Some(bloom.number_of_hash_functions()))
            }
            Inner::Cuckoo { slots, .. } => {
                let load = keys as f64 / (*slots).max(1) as f64;
                (slots * 8, 1.0 - (1.0 - 1.0 / 255.0f64).powf(8.0 * load), Some(load), None)
            }
        };
        SetStats {
            backend: self.backend(),
            keys,
            bits,
            bits_per_key: if keys == 0 { 0.0 } else { bits as f64 / keys as f64 },
            target_fp_rate: if self.backend() == Backend::Exact { 0.0 } else { self.fp_rate },
            expected_fp_rate: expected,
            load,
            hash_functions: hashes,
        }
    }

    /// The blob of this set (probabilistic backends only: an exact list is given as keys).
    pub fn to_blob(&self) -> Result<Vec<u8>, ScreenError> {
        let (backend, payload) = match &self.inner {
            Inner::Exact(_) => return Err(ScreenError::Invalid("exact sets are not stored as blobs".into())),
            Inner::Bloom(bloom) => (1u8, bloom.to_bytes()),
            Inner::Cuckoo { filter, seed, .. } => {
                let exported = filter.export();
                let mut payload = Vec::with_capacity(24 + exported.values.len());
                payload.extend_from_slice(seed);
                payload.extend_from_slice(&(exported.length as u64).to_le_bytes());
                payload.extend_from_slice(&exported.values);
                (2u8, payload)
            }
        };
        let mut blob = Vec::with_capacity(HEADER + payload.len() + CHECKSUM);
        blob.extend_from_slice(MAGIC);
        blob.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        blob.push(backend);
        blob.push(self.normalize.flags());
        blob.extend_from_slice(&self.keys.to_le_bytes());
        blob.extend_from_slice(&self.fp_rate.to_le_bytes());
        blob.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        blob.extend_from_slice(&payload);
        let checksum = Sha256::digest(&blob);
        blob.extend_from_slice(&checksum);
        Ok(blob)
    }

    /// Reads a blob, checking its magic, version, checksum and every size before use.
    pub fn from_blob(blob: &[u8]) -> Result<Self, ScreenError> {
        let bad = |why: &str| ScreenError::Invalid(format!("not a usable screening blob: {why}"));
        if blob.len() < HEADER + CHECKSUM || blob.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("no SIEVESET header"));
        }
        let (body, checksum) = blob.split_at(blob.len() - CHECKSUM);
        if Sha256::digest(body)[..] != *checksum {
            return Err(bad("checksum mismatch (corrupt or truncated)"));
        }
        let u64_at = |at: usize| body.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes);
        let version = body.get(8..10).and_then(|b| b.try_into().ok()).map(u16::from_le_bytes);
        if version != Some(FORMAT_VERSION) {
            return Err(bad(&format!("format version {version:?}, this build reads {FORMAT_VERSION}")));
        }
        let backend = body.get(10).copied();
        let normalize = Normalize::from_flags(body.get(11).copied().unwrap_or(0));
        let keys = u64_at(12).ok_or_else(|| bad("truncated"))?;
        let fp_rate = f64::from_bits(u64_at(20).ok_or_else(|| bad("truncated"))?);
        let payload_len = u64_at(28).and_then(|n| usize::try_from(n).ok()).ok_or_else(|| bad("truncated"))?;
        let payload = body.get(HEADER..).filter(|p| p.len() == payload_len).ok_or_else(|| bad("payload length"))?;
        let inner = match backend {
            Some(1) => {
                let bloom = Bloom::<Item>::from_slice(payload).map_err(&bad)?;
                // `len` is the bitmap's size in bits (`is_empty` means "no bit set"): zero bits
                // would make every lookup divide by zero.
                #[allow(clippy::len_zero)]
                let no_bits = bloom.len() == 0;
                if no_bits || !(1..=MAX_BLOOM_HASHES).contains(&bloom.number_of_hash_functions()) {
                    return Err(bad("Bloom parameters out of range"));
                }
                Inner::Bloom(bloom)
            }
            Some(2) => {
                let seed: [u8; 16] =
                    payload.get(..16).and_then(|s| s.try_into().ok()).ok_or_else(|| bad("truncated"))?;
                let length = payload
                    .get(16..24)
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_le_bytes)
                    .ok_or_else(|| bad("truncated"))?;
                let values = payload.get(24..).unwrap_or_default();
                let buckets = values.len() / 4;
                if values.is_empty() || values.len() % 4 != 0 || !buckets.is_power_of_two() {
                    return Err(bad("the Cuckoo table must hold a power-of-two number of 4-slot buckets"));
                }
                let length =
                    usize::try_from(length).ok().filter(|l| *l <= values.len()).ok_or_else(|| bad("length"))?;
                let filter =
                    CuckooFilter::<PortableHasher>::from(ExportedCuckooFilter { values: values.to_vec(), length });
                Inner::Cuckoo { filter, seed, slots: values.len() as u64 }
            }
            _ => return Err(bad("unknown backend")),
        };
        Ok(ScreenSet { inner, normalize, fp_rate, keys })
    }
}

#[cfg(test)]
#[path = "lib_test.rs"]
mod tests;

/// A random seed for a list built inside the VM, from the proxy's random source; if the host has
/// none, a seed derived from `fallback` (the list's own content and the host clock) — weaker, and
/// logged.
pub fn random_seed(fallback: &[u8]) -> [u8; 32] {
    let mut seed = [0u8; 32];
    match getrandom::getrandom(&mut seed) {
        Ok(()) => seed,
        Err(e) => {
            log::warn!("sieve: no random source ({e}): list seed derived from its content");
            derive_seed(b"fallback", &Sha256::digest(fallback).into())
        }
    }
}
