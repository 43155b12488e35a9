use super::*;

#[test]
fn pairs_round_trip() {
    let pairs = vec![("a".to_string(), "1".to_string()), ("bb".to_string(), String::new())];
    assert_eq!(decode_pairs(&encode_pairs(&pairs)), Some(pairs));
    assert_eq!(decode_pairs(&encode_pairs(&[])), Some(vec![]));
}

#[test]
fn truncated_pairs_are_refused() {
    let bytes = encode_pairs(&[("key".to_string(), "value".to_string())]);
    for cut in 1..bytes.len() - 1 {
        assert_eq!(decode_pairs(&bytes[..cut]), None, "cut at {cut}");
    }
}

#[test]
fn property_paths_join_segments() {
    assert_eq!(decode_property_path(b"source\0address"), "source.address");
    assert_eq!(decode_property_path(b"route_name"), "route_name");
}
