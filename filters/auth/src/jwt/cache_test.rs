use super::*;
use serde_json::json;

fn rules() -> ClaimRules {
    ClaimRules { issuer: None, audiences: Vec::new(), leeway_seconds: 30, require_exp: true }
}

fn keys() -> Rc<KeySet> {
    let jwks =
        json!({"keys": [{"kty": "oct", "kid": "k", "k": "c2lldmUtdGVzdC1obWFjLXNlY3JldC1vZi02NC1ieXRlcy0wMTIz"}]});
    Rc::new(KeySet::parse(&jwks, true).unwrap().0)
}

fn entry(keys: &Rc<KeySet>, exp: i64) -> CachedToken {
    let claims = json!({"sub": "ann", "exp": exp}).as_object().cloned().unwrap();
    CachedToken::new(keys, &claims, "ann".into(), Vec::new())
}

#[test]
fn entries_belong_to_the_key_set_that_verified_them() {
    let (first, second) = (keys(), keys());
    let mut cache = TokenCache::new(8);
    cache.insert(digest("t"), entry(&first, 1000));
    assert!(cache.get(&digest("t"), &first).is_some());
    assert!(cache.get(&digest("t"), &second).is_none(), "another key set: verify again");
    assert!(cache.get(&digest("u"), &first).is_none());
    drop(first);
    assert!(cache.get(&digest("t"), &second).is_none());
}

#[test]
fn time_is_checked_on_every_use() {
    let keys = keys();
    let cached = entry(&keys, 1000);
    assert_eq!(cached.check_time(&rules(), 1000), Ok(()));
    assert_eq!(cached.check_time(&rules(), 1030), Ok(()), "within the leeway");
    assert_eq!(cached.check_time(&rules(), 1031), Err(Reason::Expired));
}

#[test]
fn the_oldest_entry_leaves_first_and_zero_disables() {
    let keys = keys();
    let mut cache = TokenCache::new(2);
    for token in ["a", "b", "c"] {
        cache.insert(digest(token), entry(&keys, 1000));
    }
    assert_eq!(cache.len(), 2);
    assert!(cache.get(&digest("a"), &keys).is_none());
    assert!(cache.get(&digest("c"), &keys).is_some());
    let mut off = TokenCache::new(0);
    off.insert(digest("a"), entry(&keys, 1000));
    assert!(off.is_empty());
}
