//! The dedicated RSA code against the `rsa` crate (RustCrypto) as the reference: the raw public
//! operation on random moduli of every size and shape, and whole verifications — valid signatures
//! (signed by the `rsa` crate and by ring), tampered ones, out-of-range ones, and encoded messages
//! built by hand to hit every padding check, signed with the demo keys' private exponents.

use super::*;
use crate::jwt::keys::{parse_key, Alg, Key, SHA256_INFO, SHA384_INFO, SHA512_INFO};
use ::rsa::pkcs8::DecodePrivateKey;
use ::rsa::signature::{SignatureEncoding, Signer, Verifier};
use ::rsa::traits::{PrivateKeyParts, PublicKeyParts};
use ::rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use base64::Engine;
use sha2::{Sha256, Sha384, Sha512};

/// splitmix64: a reproducible stream of test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// A random odd modulus of exactly `bits` bits, big-endian. `shape` picks special limb patterns:
/// all ones, a lone top bit, sparse limbs — where carries and the final subtraction misbehave.
fn modulus(rng: &mut Rng, bits: usize, shape: u64) -> Vec<u8> {
    let len = bits.div_ceil(8);
    let mut n = match shape {
        0 => vec![0xff; len],
        1 => vec![0x00; len],
        2 => (0..len).map(|i| if i % 4 == 0 { 0xff } else { 0 }).collect(),
        _ => rng.bytes(len),
    };
    let top_bits = bits - 8 * (len - 1);
    if let Some(first) = n.first_mut() {
        *first &= 0xffu8 >> (8 - top_bits);
        *first |= 1 << (top_bits - 1);
    }
    if let Some(last) = n.last_mut() {
        *last |= 1;
    }
    n
}

fn be(value: &BigUint, len: usize) -> Vec<u8> {
    let bytes = value.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes);
    out
}

#[test]
fn the_public_operation_matches_the_rsa_crate_on_random_moduli() {
    let mut rng = Rng(0x5eed);
    let mut sizes = vec![35, 63, 64, 65, 96, 100, 512, 1024, 2047, 2048, 2049, 2055, 3072, 4095, 4096];
    sizes.extend((0..12).map(|_| 2048 + rng.below(2049) as usize));
    let mut checked = 0;
    for (index, bits) in sizes.into_iter().enumerate() {
        for shape in 0..4 {
            let n_bytes = modulus(&mut rng, bits, if index % 2 == 0 { shape } else { 3 });
            let n = BigUint::from_bytes_be(&n_bytes);
            for e in [3u64, 65537, 1 + 2 * rng.below(1 << 32), MAX_EXPONENT] {
                let key = RsaKey::new(&n_bytes, &e.to_be_bytes()).unwrap();
                assert_eq!(key.bits(), bits);
                let r_squared = (BigUint::from(1u32) << (64 * key.n.len())) % &n;
                let mut expected_rr = limbs_of(&r_squared.to_bytes_be());
                expected_rr.resize(key.n.len(), 0);
                assert_eq!(key.rr, expected_rr, "R^2 mod n, {bits} bits");
                let size = key.size();
                let mut bases = vec![BigUint::from(0u32), BigUint::from(1u32), &n - BigUint::from(1u32)];
                for _ in 0..2 {
                    bases.push(BigUint::from_bytes_be(&rng.bytes(size)) % &n);
                }
                for base in bases {
                    let expected = be(&base.modpow(&BigUint::from(e), &n), size);
                    assert_eq!(key.public(&be(&base, size)), Some(expected), "{bits} bits, e = {e}, shape {shape}");
                    checked += 1;
                }
                // At or above the modulus, or not exactly `size` bytes: refused.
                assert_eq!(key.public(&n_bytes), None);
                let n_plus_one = be(&(&n + BigUint::from(1u32)), size);
                if n_plus_one.len() == size {
                    assert_eq!(key.public(&n_plus_one), None);
                }
                assert_eq!(key.public(&be(&BigUint::from(1u32), size + 1)), None, "one byte too long");
                assert_eq!(key.public(&vec![1u8; size.saturating_sub(1)]), None, "one byte short");
            }
        }
    }
    assert!(checked > 1500, "{checked}");
}

#[test]
fn keys_are_refused_as_the_rsa_crate_refuses_them() {
    let mut rng = Rng(7);
    let n = modulus(&mut rng, 2048, 3);
    let reference =
        |n: &[u8], e: &[u8]| RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e)).is_ok();
    for e in [
        &[0u8][..],
        &[1],
        &[2],
        &[3],
        &[4],
        &[1, 0, 1],
        &[1, 0, 0],
        &[0, 0, 1, 0, 1],
        &[1, 0xff, 0xff, 0xff, 0xff],
        &[2, 0, 0, 0, 1],
        &[1; 9],
    ] {
        assert_eq!(RsaKey::new(&n, e).is_ok(), reference(&n, e), "e = {e:?}");
    }
    // Small moduli: the exponent must be below the modulus.
    for (n, e) in [
        (&[0x01, 0x00, 0x03][..], &[1u8, 0, 1][..]),
        (&[0x01, 0x00, 0x01], &[1, 0, 1]),
        (&[0x01, 0x00, 0x00, 0x01], &[1, 0, 1]),
        (&[0x0b], &[3]),
    ] {
        assert_eq!(RsaKey::new(n, e).is_ok(), reference(n, e), "n = {n:?}, e = {e:?}");
    }
    let big = modulus(&mut rng, 4097, 3);
    assert!(!reference(&big, &[1, 0, 1]) && RsaKey::new(&big, &[1, 0, 1]).is_err());
    let mut padded = vec![0u8; 3];
    padded.extend_from_slice(&n);
    assert_eq!(RsaKey::new(&padded, &[1, 0, 1]), RsaKey::new(&n, &[1, 0, 1]), "leading zeros do not count");
    let mut even = n.clone();
    if let Some(last) = even.last_mut() {
        *last &= 0xfe;
    }
    assert!(!reference(&even, &[1, 0, 1]));
    assert!(RsaKey::new(&even, &[1, 0, 1]).unwrap_err().contains("even"));
    assert!(RsaKey::new(&[], &[1, 0, 1]).is_err());
    assert!(RsaKey::new(&[0, 0], &[1, 0, 1]).is_err());
}

fn demo_private(file: &str) -> RsaPrivateKey {
    let pem =
        std::fs::read_to_string(format!("{}/../../services/demo-keys/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    RsaPrivateKey::from_pkcs8_pem(&pem).unwrap()
}

fn jwk_key(public: &RsaPublicKey) -> Key {
    let b64 = |n: &BigUint| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(n.to_bytes_be());
    parse_key(&serde_json::json!({"kty": "RSA", "n": b64(public.n()), "e": b64(public.e())})).unwrap().unwrap()
}

/// The `rsa` crate's verdict on a JWT signature.
fn reference(alg: Alg, public: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    use ::rsa::{pkcs1v15, pss};
    let pkcs1 = pkcs1v15::Signature::try_from(signature);
    let pss_sig = pss::Signature::try_from(signature);
    match (alg, pkcs1, pss_sig) {
        (Alg::RS256, Ok(s), _) => pkcs1v15::VerifyingKey::<Sha256>::new(public.clone()).verify(message, &s).is_ok(),
        (Alg::RS384, Ok(s), _) => pkcs1v15::VerifyingKey::<Sha384>::new(public.clone()).verify(message, &s).is_ok(),
        (Alg::RS512, Ok(s), _) => pkcs1v15::VerifyingKey::<Sha512>::new(public.clone()).verify(message, &s).is_ok(),
        (Alg::PS256, _, Ok(s)) => pss::VerifyingKey::<Sha256>::new(public.clone()).verify(message, &s).is_ok(),
        (Alg::PS384, _, Ok(s)) => pss::VerifyingKey::<Sha384>::new(public.clone()).verify(message, &s).is_ok(),
        (Alg::PS512, _, Ok(s)) => pss::VerifyingKey::<Sha512>::new(public.clone()).verify(message, &s).is_ok(),
        _ => false,
    }
}

const RSA_ALGS: [Alg; 6] = [Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256, Alg::PS384, Alg::PS512];

fn digest(alg: Alg, message: &[u8]) -> Vec<u8> {
    match alg {
        Alg::RS256 | Alg::PS256 => Sha256::digest(message).to_vec(),
        Alg::RS384 | Alg::PS384 => Sha384::digest(message).to_vec(),
        _ => Sha512::digest(message).to_vec(),
    }
}

/// EMSA-PKCS1-v1_5 with `padding` bytes of 0xff (8 or more is valid).
fn pkcs1_em(alg: Alg, hashed: &[u8], k: usize) -> Vec<u8> {
    let info: &[u8] = match alg {
        Alg::RS256 => &SHA256_INFO,
        Alg::RS384 => &SHA384_INFO,
        _ => &SHA512_INFO,
    };
    let mut em = vec![0x00, 0x01];
    em.resize(k - info.len() - hashed.len() - 1, 0xff);
    em.push(0);
    em.extend_from_slice(info);
    em.extend_from_slice(hashed);
    em
}

fn mgf1(alg: Alg, out: &mut [u8], seed: &[u8]) {
    match alg {
        Alg::PS256 => mgf1_xor::<Sha256>(out, seed),
        Alg::PS384 => mgf1_xor::<Sha384>(out, seed),
        _ => mgf1_xor::<Sha512>(out, seed),
    }
}

/// EMSA-PSS-ENCODE (RFC 8017 9.1.1) with a chosen salt, for a modulus of `bits` bits, as `k` bytes.
fn pss_em(alg: Alg, hashed: &[u8], salt: &[u8], bits: usize, k: usize) -> Vec<u8> {
    let em_bits = bits - 1;
    let em_len = em_bits.div_ceil(8);
    let mut m = vec![0u8; 8];
    m.extend_from_slice(hashed);
    m.extend_from_slice(salt);
    let h = digest(alg, &m);
    let mut db = vec![0u8; em_len - salt.len() - h.len() - 2];
    db.push(0x01);
    db.extend_from_slice(salt);
    mgf1(alg, &mut db, &h);
    db[0] &= 0xff >> (8 * em_len - em_bits);
    let mut em = vec![0u8; k - em_len];
    em.extend_from_slice(&db);
    em.extend_from_slice(&h);
    em.push(0xbc);
    em
}

/// The raw private operation: the signature that opens to `em`.
fn sign_raw(private: &RsaPrivateKey, em: &[u8]) -> Vec<u8> {
    let m = BigUint::from_bytes_be(em);
    be(&m.modpow(private.d(), private.n()), private.size())
}

fn agree(alg: Alg, key: &Key, public: &RsaPublicKey, message: &[u8], signature: &[u8], what: &str) -> bool {
    let ours = key.verify(alg, message, signature);
    assert_eq!(ours, reference(alg, public, message, signature), "{alg:?}: {what}");
    ours
}

#[test]
fn valid_signatures_verify_and_tampered_ones_do_not_as_with_the_rsa_crate() {
    let mut rng = Rng(42);
    for (file, demo) in [("rsa1.pem", sieve_e2e::tokens::DemoKey::Rsa1), ("rsa2.pem", sieve_e2e::tokens::DemoKey::Rsa2)]
    {
        let private = demo_private(file);
        let public = private.to_public_key();
        let key = jwk_key(&public);
        for alg in RSA_ALGS {
            // Signed by ring (through jsonwebtoken), independently of both implementations.
            let token = sieve_e2e::tokens::sign(alg.name(), demo, None, &serde_json::json!({"sub": "ann"}));
            let (message, signature) = token.rsplit_once('.').unwrap();
            let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(signature).unwrap();
            assert!(agree(alg, &key, &public, message.as_bytes(), &signature, "signed by ring"));
            assert!(!agree(alg, &key, &public, b"another message", &signature, "another message"));
            for _ in 0..8 {
                let mut flipped = signature.clone();
                let bit = rng.below(flipped.len() as u64 * 8) as usize;
                flipped[bit / 8] ^= 1 << (bit % 8);
                assert!(!agree(alg, &key, &public, message.as_bytes(), &flipped, "one bit flipped"));
            }
            let n = be(public.n(), public.size());
            for (what, bad) in [
                ("the modulus itself", n.clone()),
                ("all ones", vec![0xff; public.size()]),
                ("zero", vec![0; public.size()]),
                ("one short", signature[1..].to_vec()),
                ("one long", [&[0u8][..], &signature].concat()),
                ("empty", Vec::new()),
            ] {
                assert!(!agree(alg, &key, &public, message.as_bytes(), &bad, what));
            }
        }
        // Signed by the rsa crate.
        let message = b"header.payload";
        let signature = ::rsa::pkcs1v15::SigningKey::<Sha256>::new(private.clone()).sign(message).to_vec();
        assert!(agree(Alg::RS256, &key, &public, message, &signature, "signed by the rsa crate"));
    }
}

#[test]
fn every_padding_check_agrees_with_the_rsa_crate() {
    let private = demo_private("rsa1.pem");
    let public = private.to_public_key();
    let key = jwk_key(&public);
    let (k, bits) = (public.size(), public.n().bits());
    let message = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ";
    let mut cases = 0;
    for alg in [Alg::RS256, Alg::RS384, Alg::RS512] {
        let hashed = digest(alg, message);
        let good = pkcs1_em(alg, &hashed, k);
        let mut variants: Vec<(&str, Vec<u8>, bool)> = vec![("valid", good.clone(), true)];
        let mut edit = |what: &'static str, change: &dyn Fn(&mut Vec<u8>)| {
            let mut em = good.clone();
            change(&mut em);
            variants.push((what, em, false));
        };
        edit("first byte not 0", &|em| em[0] = 1);
        edit("block type 2", &|em| em[1] = 2);
        edit("a padding byte not 0xff", &|em| em[40] = 0xfe);
        edit("separator not 0", &|em| {
            let at = em.len() - hashed.len() - 20;
            em[at] = 0xff;
        });
        edit("garbage after the hash, the padding shortened", &|em| {
            em.drain(2..6);
            em.extend_from_slice(&[1, 2, 3, 4]);
        });
        edit("the DigestInfo of another hash", &|em| {
            let at = em.len() - hashed.len() - 19 + 14;
            em[at] ^= 0x03;
        });
        edit("DigestInfo without NULL parameters", &|em| {
            let at = em.len() - hashed.len() - 19;
            let mut info = em[at..at + 19].to_vec();
            info.drain(15..17);
            info[1] -= 2;
            info[3] -= 2;
            let mut rebuilt = vec![0x00, 0x01];
            rebuilt.resize(k - info.len() - hashed.len() - 1, 0xff);
            rebuilt.push(0);
            rebuilt.extend_from_slice(&info);
            rebuilt.extend_from_slice(&em[em.len() - hashed.len()..]);
            *em = rebuilt;
        });
        edit("the wrong hash", &|em| {
            let last = em.len() - 1;
            em[last] ^= 1;
        });
        edit("a hash one byte short, padding one longer", &|em| {
            em.insert(2, 0xff);
            em.pop();
        });
        for (what, em, valid) in variants {
            assert_eq!(agree(alg, &key, &public, message, &sign_raw(&private, &em), what), valid, "{alg:?}: {what}");
            cases += 1;
        }
    }
    for alg in [Alg::PS256, Alg::PS384, Alg::PS512] {
        let hashed = digest(alg, message);
        let h_len = hashed.len();
        let salt: Vec<u8> = (0..h_len as u8).collect();
        let good = pss_em(alg, &hashed, &salt, bits, k);
        let mut variants: Vec<(String, Vec<u8>, bool)> = vec![("valid".into(), good.clone(), true)];
        for salt_len in [0, 1, h_len - 1, h_len + 1] {
            let salt = vec![9u8; salt_len];
            variants.push((format!("salt of {salt_len} bytes"), pss_em(alg, &hashed, &salt, bits, k), false));
        }
        let mut edit = |what: &str, change: &dyn Fn(&mut Vec<u8>)| {
            let mut em = good.clone();
            change(&mut em);
            variants.push((what.to_string(), em, false));
        };
        edit("trailer not 0xbc", &|em| {
            let last = em.len() - 1;
            em[last] = 0xbd;
        });
        edit("the top bit of maskedDB set", &|em| em[0] |= 0x80);
        edit("a bit of H flipped", &|em| {
            let at = em.len() - 2;
            em[at] ^= 1;
        });
        edit("a bit of the salt flipped", &|em| {
            let at = em.len() - h_len - 2;
            em[at] ^= 1;
        });
        edit("a bit of the zero padding flipped", &|em| em[5] ^= 1);
        edit("the 0x01 separator flipped", &|em| {
            let at = em.len() - 2 * h_len - 2;
            em[at] ^= 1;
        });
        for (what, em, valid) in variants {
            assert_eq!(agree(alg, &key, &public, message, &sign_raw(&private, &em), &what), valid, "{alg:?}: {what}");
            cases += 1;
        }
    }
    assert!(cases > 40, "{cases}");
}
