//! What a screening feed serves: a blob, a text list, or a JSON delta against the current Cuckoo
//! list. Arbitrary bodies are taken or refused; a taken one loads.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sieve_screen::key::KeyForm;
use sieve_screen_set::{Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use std::sync::OnceLock;

fn base() -> &'static Vec<u8> {
    static BASE: OnceLock<Vec<u8>> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut set = ScreenSet::new(Backend::Cuckoo, 64, CUCKOO_FP_RATE, Normalize::default(), [3; 32])
            .unwrap_or_else(|e| panic!("{e}"));
        for key in ["alpha", "bravo", "charlie"] {
            let _ = set.insert(key);
        }
        set.to_blob().unwrap_or_else(|e| panic!("{e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    // Text keys, and addresses (entries canonicalised, or left out and reported).
    for form in [KeyForm::Text, KeyForm::Address] {
        let accepted =
            sieve_screen::list::accept_feed(data, Some("\"v1\""), || Some(base().clone()), Normalize::default(), form);
        if let Ok((document, _)) = accepted {
            assert!(
                sieve_screen::list::from_document(&document, Normalize::default(), form).is_ok(),
                "an accepted update must load"
            );
        }
    }
});
