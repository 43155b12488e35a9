use super::*;

fn seed(n: u8) -> [u8; 32] {
    [n; 32]
}

fn filled(backend: Backend, keys: u64, fp: f64) -> ScreenSet {
    let mut set = ScreenSet::new(backend, keys, fp, Normalize::default(), seed(7)).unwrap();
    for i in 0..keys {
        set.insert(&format!("key-{i}")).unwrap();
    }
    set
}

fn false_positive_rate(set: &ScreenSet, probes: u64) -> f64 {
    let hits = (0..probes).filter(|i| set.contains(&format!("absent-{i}"))).count();
    hits as f64 / probes as f64
}

#[test]
fn every_backend_finds_what_it_holds() {
    for backend in [Backend::Exact, Backend::Bloom, Backend::Cuckoo] {
        let set = filled(backend, 2_000, 0.05);
        assert_eq!(set.len(), 2_000);
        assert!((0..2_000).all(|i| set.contains(&format!("key-{i}"))), "{backend:?}: no false negatives");
        assert!(false_positive_rate(&set, 20_000) < 0.06, "{backend:?}");
    }
    let exact = filled(Backend::Exact, 100, 0.0);
    assert_eq!(false_positive_rate(&exact, 10_000), 0.0);
}

#[test]
fn bloom_meets_its_target_rate() {
    for target in [0.01, 0.001] {
        let set = filled(Backend::Bloom, 20_000, target);
        let measured = false_positive_rate(&set, 200_000);
        assert!(measured < target * 1.5, "target {target}, measured {measured}");
        let stats = set.stats();
        let optimal = 1.44 * (1.0 / target).log2();
        assert!((stats.bits_per_key - optimal).abs() < 0.5, "{stats:?}");
    }
}

#[test]
fn cuckoo_rate_is_fixed_and_lower_targets_are_refused() {
    let err = ScreenSet::new(Backend::Cuckoo, 10, 0.01, Normalize::default(), seed(1)).err().unwrap();
    assert!(err.to_string().contains("fixed at about 3.1%"), "{err}");
    let set = filled(Backend::Cuckoo, 50_000, CUCKOO_FP_RATE);
    let measured = false_positive_rate(&set, 200_000);
    assert!(measured > 0.01 && measured < CUCKOO_FP_RATE * 1.1, "measured {measured}");
}

#[test]
fn cuckoo_takes_inserts_at_ninety_percent_load_and_deletes() {
    let mut set = ScreenSet::new(Backend::Cuckoo, 4_096, CUCKOO_FP_RATE, Normalize::default(), seed(3)).unwrap();
    assert_eq!(set.stats().load, Some(0.0));
    // 4096 keys in 8192 slots... fill to >= 90% of the real table.
    let table = 8_192u64;
    let target = (table * 9).div_ceil(10);
    for i in 0..target {
        set.insert(&format!("k{i}")).unwrap_or_else(|e| panic!("insert {i}: {e}"));
    }
    assert!(set.stats().load.unwrap() >= 0.9);
    assert!((0..target).all(|i| set.contains(&format!("k{i}"))));
    assert_eq!(set.remove("k7"), Ok(true));
    assert!(!set.contains("k7"));
    assert_eq!(set.len(), target - 1);
}

#[test]
fn normalisation_applies_to_inserts_and_lookups() {
    let norm = Normalize { lowercase: true, trim_trailing_slash: true };
    let mut set = ScreenSet::new(Backend::Exact, 4, 0.0, norm, seed(0)).unwrap();
    set.insert("/Admin/").unwrap();
    assert!(set.contains("/admin"));
    assert!(set.contains(" /ADMIN// "));
    assert_eq!(norm.apply("/"), "/");
    assert_eq!(norm.apply("///"), "/");
    assert_eq!(Normalize::from_flags(norm.flags()), norm);
}

#[test]
fn blobs_round_trip_and_corruption_is_caught() {
    for backend in [Backend::Bloom, Backend::Cuckoo] {
        let mut set =
            ScreenSet::new(backend, 1_000, 0.05, Normalize { lowercase: true, trim_trailing_slash: false }, seed(9))
                .unwrap();
        for i in 0..1_000 {
            set.insert(&format!("Key-{i}")).unwrap();
        }
        let blob = set.to_blob().unwrap();
        let back = ScreenSet::from_blob(&blob).unwrap();
        assert_eq!(back.backend(), backend);
        assert_eq!(back.len(), 1_000);
        assert!(back.normalize().lowercase);
        assert!((0..1_000).all(|i| back.contains(&format!("key-{i}"))));
        assert_eq!(false_positive_rate(&back, 5_000), false_positive_rate(&set, 5_000), "same answers");

        let mut flipped = blob.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        assert!(ScreenSet::from_blob(&flipped).err().unwrap().to_string().contains("checksum"));
        assert!(ScreenSet::from_blob(&blob[..blob.len() - 1]).is_err());
        assert!(ScreenSet::from_blob(b"SIEVESET").is_err());
        assert!(ScreenSet::from_blob(b"").is_err());
    }
    assert!(filled(Backend::Exact, 3, 0.0).to_blob().is_err());
}

#[test]
fn forged_blobs_with_valid_checksums_are_refused() {
    let set = filled(Backend::Bloom, 10, 0.1);
    let blob = set.to_blob().unwrap();
    let reseal = |mut body: Vec<u8>| {
        body.truncate(body.len() - 32);
        let sum = Sha256::digest(&body);
        body.extend_from_slice(&sum);
        body
    };
    let mut version = blob.clone();
    version[8] = 9;
    assert!(ScreenSet::from_blob(&reseal(version)).err().unwrap().to_string().contains("format version"));
    let mut backend = blob.clone();
    backend[10] = 7;
    assert!(ScreenSet::from_blob(&reseal(backend)).err().unwrap().to_string().contains("unknown backend"));
    let mut hashes = blob.clone();
    // bloomfilter's own header: version (1), length (8), hash count (4) at 36 + 9.
    hashes[36 + 9..36 + 13].copy_from_slice(&100_000u32.to_le_bytes());
    assert!(ScreenSet::from_blob(&reseal(hashes)).err().unwrap().to_string().contains("out of range"));

    let cuckoo = filled(Backend::Cuckoo, 10, CUCKOO_FP_RATE).to_blob().unwrap();
    let mut odd = cuckoo[..cuckoo.len() - 32].to_vec();
    odd.truncate(odd.len() - 4); // drop a bucket: no longer a power of two
    let new_len = (odd.len() - 36) as u64;
    odd[28..36].copy_from_slice(&new_len.to_le_bytes());
    odd.extend_from_slice(&[0u8; 32]);
    assert!(ScreenSet::from_blob(&reseal(odd)).err().unwrap().to_string().contains("power-of-two"));
}

#[test]
fn bloom_cannot_delete_and_bad_rates_are_refused() {
    let mut set = filled(Backend::Bloom, 10, 0.1);
    assert_eq!(set.remove("key-1"), Err(ScreenError::NoDelete));
    for bad in [0.0, 1.0, -1.0, f64::NAN] {
        assert!(ScreenSet::new(Backend::Bloom, 10, bad, Normalize::default(), seed(1)).is_err(), "{bad}");
    }
}

#[test]
fn a_different_seed_gives_different_false_positives() {
    let a = {
        let mut s = ScreenSet::new(Backend::Bloom, 1_000, 0.05, Normalize::default(), seed(1)).unwrap();
        (0..1_000).for_each(|i| s.insert(&format!("key-{i}")).unwrap());
        s
    };
    let b = {
        let mut s = ScreenSet::new(Backend::Bloom, 1_000, 0.05, Normalize::default(), seed(2)).unwrap();
        (0..1_000).for_each(|i| s.insert(&format!("key-{i}")).unwrap());
        s
    };
    let fp = |s: &ScreenSet| (0..20_000).filter(|i| s.contains(&format!("absent-{i}"))).collect::<Vec<_>>();
    assert_ne!(fp(&a), fp(&b), "false positives depend on the secret seed");
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]
        #[test]
        fn any_bytes_are_refused_or_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = ScreenSet::from_blob(&bytes);
            let mut framed = b"SIEVESET".to_vec();
            framed.extend_from_slice(&bytes);
            let sum = Sha256::digest(&framed);
            framed.extend_from_slice(&sum);
            if let Ok(set) = ScreenSet::from_blob(&framed) {
                let _ = set.contains("probe");
                let _ = set.stats();
            }
        }
    }
}

#[test]
fn a_cuckoo_rate_below_its_own_is_refused_with_the_rate_it_has() {
    let Err(ScreenError::Invalid(why)) = ScreenSet::new(Backend::Cuckoo, 100, 0.001, Normalize::default(), [1; 32])
    else {
        panic!("a Cuckoo set cannot meet 0.1%")
    };
    assert!(why.contains(&format!("about {:.1}%", CUCKOO_FP_RATE * 100.0)), "{why}");
}
