//! JSON Web Keys (RFC 7517) parsed once per key-set version into ready-to-verify keys, and
//! signature verification (RFC 7518): HMAC, SHA-2 and ECDSA from RustCrypto, RSA with the
//! dedicated public-key operation of [`super::rsa`]. A key's type binds the algorithms it can
//! verify: an HMAC algorithm never uses an RSA or EC key, which rules out algorithm confusion.

use super::rsa::RsaKey;
use base64::Engine;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::Verifier;
use serde::Deserialize;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::collections::HashMap;

/// Smallest RSA modulus accepted.
const MIN_RSA_BITS: usize = 2048;
/// An ES256 verification in RSA-2048 verifications (`Key::verify_cost`).
pub const ES256_COST: u32 = 10;

#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Hmac,
    Rsa,
    EcP256,
}

impl Alg {
    pub const ALL: [Alg; 10] = [
        Alg::HS256,
        Alg::HS384,
        Alg::HS512,
        Alg::RS256,
        Alg::RS384,
        Alg::RS512,
        Alg::PS256,
        Alg::PS384,
        Alg::PS512,
        Alg::ES256,
    ];

    pub fn parse(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|alg| alg.name() == name)
    }
}

impl<'de> serde::Deserialize<'de> for Alg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Alg::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unsupported algorithm {name:?}; supported: {}",
                Alg::ALL.map(Alg::name).join(", ")
            ))
        })
    }
}

impl Alg {
    pub fn name(self) -> &'static str {
        match self {
            Alg::HS256 => "HS256",
            Alg::HS384 => "HS384",
            Alg::HS512 => "HS512",
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
            Alg::PS256 => "PS256",
            Alg::PS384 => "PS384",
            Alg::PS512 => "PS512",
            Alg::ES256 => "ES256",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Alg::HS256 | Alg::HS384 | Alg::HS512 => Family::Hmac,
            Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512 => Family::Rsa,
            Alg::ES256 => Family::EcP256,
        }
    }
}

pub enum Material {
    Hmac(Vec<u8>),
    Rsa(RsaKey),
    EcP256(p256::ecdsa::VerifyingKey),
}

pub struct Key {
    pub kid: Option<String>,
    /// The key's own `alg`, when the JWK states one: then only that algorithm may use it.
    pub alg: Option<Alg>,
    pub material: Material,
}

impl Key {
    pub fn family(&self) -> Family {
        match self.material {
            Material::Hmac(_) => Family::Hmac,
            Material::Rsa(_) => Family::Rsa,
            Material::EcP256(_) => Family::EcP256,
        }
    }

    /// What verifying a signature with this key takes from the VM's verification budget, in
    /// RSA-2048 verifications (measured in V8 by `cargo xtask bench-auth`): an RSA key by the square
    /// of its size, an ES256 key ten, an HMAC key nothing (it costs about what a cache lookup does).
    pub fn verify_cost(&self) -> u32 {
        match &self.material {
            Material::Hmac(_) => 0,
            Material::Rsa(key) => {
                let units = key.bits().div_ceil(64);
                u32::try_from((units * units).div_ceil(32 * 32)).unwrap_or(u32::MAX)
            }
            Material::EcP256(_) => ES256_COST,
        }
    }

    /// Whether this key may verify a token signed with `alg`.
    pub fn allows(&self, alg: Alg) -> bool {
        self.family() == alg.family() && self.alg.is_none_or(|own| own == alg)
    }

    /// Verifies `signature` over `message`. Never panics, whatever the input.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        if !self.allows(alg) {
            return false;
        }
        match (&self.material, alg) {
            (Material::Hmac(secret), Alg::HS256) => hmac_verify::<Hmac<Sha256>>(secret, message, signature),
            (Material::Hmac(secret), Alg::HS384) => hmac_verify::<Hmac<Sha384>>(secret, message, signature),
            (Material::Hmac(secret), Alg::HS512) => hmac_verify::<Hmac<Sha512>>(secret, message, signature),
            (Material::Rsa(key), Alg::RS256) => key.verify_pkcs1v15(&SHA256_INFO, &Sha256::digest(message), signature),
            (Material::Rsa(key), Alg::RS384) => key.verify_pkcs1v15(&SHA384_INFO, &Sha384::digest(message), signature),
            (Material::Rsa(key), Alg::RS512) => key.verify_pkcs1v15(&SHA512_INFO, &Sha512::digest(message), signature),
            (Material::Rsa(key), Alg::PS256) => key.verify_pss::<Sha256>(&Sha256::digest(message), signature),
            (Material::Rsa(key), Alg::PS384) => key.verify_pss::<Sha384>(&Sha384::digest(message), signature),
            (Material::Rsa(key), Alg::PS512) => key.verify_pss::<Sha512>(&Sha512::digest(message), signature),
            (Material::EcP256(key), Alg::ES256) => es256_verify(key, message, signature),
            _ => false,
        }
    }
}

#[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
fn es256_verify(key: &p256::ecdsa::VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    match p256::ecdsa::Signature::from_slice(signature) {
        Ok(signature) => key.verify(message, &signature).is_ok(),
        Err(_) => false,
    }
}

#[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
fn hmac_verify<M: Mac + hmac::digest::KeyInit>(secret: &[u8], message: &[u8], signature: &[u8]) -> bool {
    match <M as Mac>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(message);
            // Constant-time comparison.
            mac.verify_slice(signature).is_ok()
        }
        Err(_) => false,
    }
}

/// DER `DigestInfo` prefixes of RSASSA-PKCS1-v1_5 (RFC 8017 9.2, note 1): the hash's OID with
/// NULL parameters, then the digest's length.
pub const SHA256_INFO: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
pub const SHA384_INFO: [u8; 19] =
    [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];
pub const SHA512_INFO: [u8; 19] =
    [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

/// A parsed key set, with an index by `kid`.
#[derive(Default)]
pub struct KeySet {
    keys: Vec<Key>,
    by_kid: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawJwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
    #[serde(default)]
    k: Option<String>,
}

fn b64(field: &str, value: Option<&String>) -> Result<Vec<u8>, String> {
    let value = value.ok_or_else(|| format!("missing \"{field}\""))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .map_err(|_| format!("\"{field}\" is not base64url"))
}

/// Parses one JWK. `Ok(None)`: a key for encryption, skipped.
// Out of line (as are the key kinds' own readers): a key set's parse in one function was 12 KB of
// Wasm, and V8's peak memory while compiling a module grows with its largest functions.
#[inline(never)]
pub fn parse_key(value: &serde_json::Value) -> Result<Option<Key>, String> {
    // Read by sdk-ext's config deserializer, which every config type already uses, rather than
    // serde_json's `Value` deserializer: one copy of the visitors in the module, not two.
    let raw: RawJwk = sieve_sdk_ext::config::from_value(value.clone()).map_err(|e| format!("not a JWK: {e}"))?;
    if raw.usage.as_deref().is_some_and(|u| u != "sig") {
        return Ok(None);
    }
    let alg = match raw.alg.as_deref() {
        None => None,
        Some(name) => Some(Alg::parse(name).ok_or_else(|| format!("unsupported alg {name:?}"))?),
    };
    let material = match raw.kty.as_str() {
        "oct" => {
            let secret = b64("k", raw.k.as_ref())?;
            let minimum = match alg {
                Some(Alg::HS384) => 48,
                Some(Alg::HS512) => 64,
                _ => 32,
            };
            if secret.len() < minimum {
                return Err(format!("an HMAC key needs at least {minimum} bytes (RFC 7518 3.2)"));
            }
            Material::Hmac(secret)
        }
        "RSA" => {
            let (n, e) = (b64("n", raw.n.as_ref())?, b64("e", raw.e.as_ref())?);
            let key = RsaKey::new(&n, &e).map_err(|e| format!("invalid RSA key: {e}"))?;
            if key.bits() < MIN_RSA_BITS {
                return Err(format!("RSA keys need at least {MIN_RSA_BITS} bits"));
            }
            Material::Rsa(key)
        }
        "EC" => {
            if raw.crv.as_deref() != Some("P-256") {
                return Err(format!("unsupported curve {:?} (P-256 is supported)", raw.crv));
            }
            let (x, y) = (b64("x", raw.x.as_ref())?, b64("y", raw.y.as_ref())?);
            if x.len() != 32 || y.len() != 32 {
                return Err("P-256 coordinates are 32 bytes".into());
            }
            // SEC1 uncompressed point: 0x04 || x || y.
            let mut sec1 = Vec::with_capacity(65);
            sec1.push(4);
            sec1.extend_from_slice(&x);
            sec1.extend_from_slice(&y);
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| "not a point on P-256")?;
            Material::EcP256(key)
        }
        other => return Err(format!("unsupported kty {other:?}")),
    };
    let key = Key { kid: raw.kid, alg, material };
    if let Some(alg) = key.alg {
        if !key.allows(alg) {
            return Err(format!("alg {} does not fit kty {}", alg.name(), raw.kty));
        }
    }
    Ok(Some(key))
}

impl KeySet {
    /// Parses a JWKS document. `strict`: any bad key is an error (inline sets, checked at load);
    /// otherwise bad keys are skipped with their errors returned (fetched sets), as long as one
    /// usable key remains.
    pub fn parse(document: &serde_json::Value, strict: bool) -> Result<(KeySet, Vec<String>), String> {
        let doc: JwksDocument =
            sieve_sdk_ext::config::from_value(document.clone()).map_err(|e| format!("not a JWKS document: {e}"))?;
        let mut set = KeySet::default();
        let mut skipped = Vec::new();
        for (index, value) in doc.keys.iter().enumerate() {
            match parse_key(value) {
                Ok(Some(key)) => {
                    if let Some(kid) = &key.kid {
                        if set.by_kid.insert(kid.clone(), set.keys.len()).is_some() {
                            let problem = format!("keys[{index}]: kid {kid:?} appears twice");
                            if strict {
                                return Err(problem);
                            }
                            skipped.push(problem);
                            continue;
                        }
                    }
                    set.keys.push(key);
                }
                Ok(None) => {}
                Err(problem) if strict => return Err(format!("keys[{index}]: {problem}")),
                Err(problem) => skipped.push(format!("keys[{index}]: {problem}")),
            }
        }
        if set.keys.is_empty() {
            return Err("no usable signing key".into());
        }
        Ok((set, skipped))
    }

    pub fn parse_bytes(bytes: &[u8]) -> Result<(KeySet, Vec<String>), String> {
        let document: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        KeySet::parse(&document, false)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys a token may be checked against: the one its `kid` names (an unknown `kid` never
    /// falls back to other keys), or, without a `kid`, every key that allows `alg`.
    pub fn candidates(&self, kid: Option<&str>, alg: Alg) -> Result<Vec<&Key>, KeyLookup> {
        match kid {
            Some(kid) => {
                let key = self.by_kid.get(kid).and_then(|i| self.keys.get(*i)).ok_or(KeyLookup::UnknownKid)?;
                if key.allows(alg) {
                    Ok(vec![key])
                } else {
                    Err(KeyLookup::WrongAlgorithm)
                }
            }
            None => {
                let keys: Vec<&Key> = self.keys.iter().filter(|k| k.allows(alg)).collect();
                if keys.is_empty() {
                    Err(KeyLookup::WrongAlgorithm)
                } else {
                    Ok(keys)
                }
            }
        }
    }

    /// The algorithms some key of this set allows.
    pub fn algorithms(&self) -> Vec<Alg> {
        Alg::ALL.into_iter().filter(|alg| self.keys.iter().any(|k| k.allows(*alg))).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLookup {
    UnknownKid,
    /// The key (or every key) cannot verify this algorithm.
    WrongAlgorithm,
}

#[cfg(test)]
#[path = "keys_test.rs"]
mod tests;
