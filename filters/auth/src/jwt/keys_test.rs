use super::*;
use serde_json::json;

fn oct(kid: &str, len: usize) -> serde_json::Value {
    json!({"kty": "oct", "kid": kid, "k": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vec![7u8; len])})
}

#[test]
fn strict_parsing_names_the_bad_key() {
    let err = KeySet::parse(&json!({"keys": [oct("a", 32), oct("b", 8)]}), true).err().unwrap();
    assert!(err.starts_with("keys[1]: an HMAC key needs at least 32 bytes"), "{err}");
    let err = KeySet::parse(&json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA"}]}), true).err().unwrap();
    assert!(err.contains("unsupported kty"), "{err}");
    let err = KeySet::parse(&json!({"keys": [oct("a", 32), oct("a", 32)]}), true).err().unwrap();
    assert!(err.contains("appears twice"), "{err}");
    assert!(KeySet::parse(&json!({"keys": []}), true).err().unwrap().contains("no usable signing key"));
    assert!(KeySet::parse(&json!({"kees": []}), true).err().unwrap().contains("not a JWKS document"));
}

#[test]
fn lenient_parsing_skips_bad_keys_and_encryption_keys() {
    let doc = json!({"keys": [oct("good", 32), oct("short", 4), {"kty": "oct", "use": "enc", "k": "AA"}]});
    let (set, skipped) = KeySet::parse(&doc, false).unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(skipped.len(), 1);
}

#[test]
fn a_key_type_binds_its_algorithms() {
    let (set, _) = KeySet::parse(&json!({"keys": [oct("h", 64), {"kty": "oct", "kid": "h256", "alg": "HS256", "k": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}), true).unwrap();
    assert!(set.candidates(Some("h"), Alg::HS512).is_ok());
    assert_eq!(set.candidates(Some("h"), Alg::RS256).err(), Some(KeyLookup::WrongAlgorithm));
    assert_eq!(
        set.candidates(Some("h256"), Alg::HS384).err(),
        Some(KeyLookup::WrongAlgorithm),
        "the key's own alg rules"
    );
    assert_eq!(set.candidates(Some("nope"), Alg::HS256).err(), Some(KeyLookup::UnknownKid));
    assert_eq!(set.candidates(None, Alg::HS256).map(|k| k.len()), Ok(2));
    assert_eq!(set.candidates(None, Alg::ES256).err(), Some(KeyLookup::WrongAlgorithm));
    assert!(
        parse_key(&json!({"kty": "oct", "alg": "RS256", "k": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})).is_err()
    );
}

#[test]
fn hmac_verification() {
    let (set, _) = KeySet::parse(&json!({"keys": [oct("h", 32)]}), true).unwrap();
    let key = set.candidates(Some("h"), Alg::HS256).unwrap()[0];
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&[7u8; 32]).unwrap();
    mac.update(b"header.payload");
    let signature = mac.finalize().into_bytes();
    assert!(key.verify(Alg::HS256, b"header.payload", &signature));
    assert!(!key.verify(Alg::HS256, b"header.payloaX", &signature));
    assert!(!key.verify(Alg::HS256, b"header.payload", &signature[..31]));
    assert!(!key.verify(Alg::RS256, b"header.payload", &signature));
}

#[test]
fn rsa_and_ec_keys_parse_from_the_demo_set() {
    let demo = include_str!("../../../../services/demo-keys/jwks.json");
    let (set, skipped) = KeySet::parse_bytes(demo.as_bytes()).unwrap();
    assert!(skipped.is_empty());
    assert_eq!(
        set.algorithms(),
        vec![Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256, Alg::PS384, Alg::PS512, Alg::ES256]
    );
    // Garbage signatures of every length are refused without a panic.
    for alg in set.algorithms() {
        for key in set.candidates(None, alg).unwrap() {
            for len in [0usize, 1, 63, 64, 65, 255, 256, 257] {
                assert!(!key.verify(alg, b"m", &vec![1u8; len]));
            }
        }
    }
    let small_rsa = json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
    assert!(parse_key(&small_rsa).err().unwrap().contains("at least 2048 bits") || parse_key(&small_rsa).is_err());
    let off_curve = json!({"kty": "EC", "crv": "P-256", "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([1u8; 32]), "y": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([2u8; 32])});
    assert!(parse_key(&off_curve).err().unwrap().contains("not a point"));
    assert!(parse_key(&json!({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}))
        .err()
        .unwrap()
        .contains("unsupported curve"));
}
