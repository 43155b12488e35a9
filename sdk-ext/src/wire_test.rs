use super::*;

#[test]
fn pairs_round_trip() {
    let pairs: Vec<(&str, &[u8])> = vec![(":status", b"200"), ("x-a", b""), ("x-b", b"caf\xe9")];
    let decoded = decode_pairs(&encode_pairs(&pairs));
    let expected: Vec<(Vec<u8>, Vec<u8>)> = pairs.iter().map(|(n, v)| (n.as_bytes().to_vec(), v.to_vec())).collect();
    assert_eq!(decoded, expected);
    assert_eq!(decode_pairs(&encode_pairs(&[])), Vec::<(Vec<u8>, Vec<u8>)>::new());
}

#[test]
fn truncated_or_lying_buffers_do_not_panic() {
    let full = encode_pairs(&[("a", b"1"), ("b", b"2")]);
    for cut in 0..full.len() {
        let partial = decode_pairs(&full[..cut]);
        assert!(partial.len() <= 2);
    }
    assert!(decode_pairs(&[0xff, 0xff, 0xff, 0xff]).is_empty());
    let mut lying = full.clone();
    lying[4] = 0xff; // first name length far beyond the buffer
    assert!(decode_pairs(&lying).is_empty());
}

#[test]
fn property_paths_are_nul_terminated_segments() {
    assert_eq!(encode_property_path(&["source", "address"]), b"source\0address\0");
    assert!(encode_property_path(&[]).is_empty());
}
