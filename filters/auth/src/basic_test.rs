use super::*;

#[test]
fn hashes_round_trip_and_bad_hashes_are_refused() {
    let stored = hash_password("correct horse battery staple", &[7u8; 16]);
    assert!(stored.starts_with("hmac-sha256$"));
    let (salt, mac_bytes) = parse_hash(&stored).unwrap();
    assert_eq!(salt, vec![7u8; 16]);
    assert_eq!(mac_bytes, mac(&salt, "correct horse battery staple"));
    assert!(parse_hash("plaintext").unwrap_err().contains("must be"));
    assert!(parse_hash("bcrypt$a$b").unwrap_err().contains("unknown scheme"));
    assert!(parse_hash("hmac-sha256$c2FsdA$AAAA").unwrap_err().contains("at least 16"));
    assert!(parse_hash(&format!("hmac-sha256${}$AAAA", "A".repeat(24))).unwrap_err().contains("32 bytes"));
}
