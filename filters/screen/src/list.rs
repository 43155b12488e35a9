//! The list a request is screened against: built from the config (inline keys or a blob) or from
//! a feed document (a blob, a text list, or a delta applied to the current Cuckoo blob).

use crate::config::ListConfig;
use crate::key::KeyForm;
use base64::Engine;
use serde::Deserialize;
use sieve_screen_set::{random_seed, Backend, Normalize, ScreenSet, CUCKOO_FP_RATE};
use sieve_sdk_ext::ConfigError;

/// Default target rate of inline Bloom lists.
pub const DEFAULT_FP_RATE: f64 = 0.01;
/// `CUCKOO_FP_RATE` in percent, as the refusal of a lower rate shows it (a test holds them equal):
/// written out, because formatting an f64 links core's float printing (~20 KiB) into the module.
pub const CUCKOO_PERCENT: &str = "3.1";

/// Builds a set from keys, refusing (never silently dropping) keys that do not fit.
pub fn build(
    backend: Backend,
    keys: &[String],
    capacity: Option<u64>,
    fp_rate: f64,
    normalize: Normalize,
) -> Result<ScreenSet, String> {
    let capacity = capacity.unwrap_or(keys.len() as u64).max(1);
    if (keys.len() as u64) > capacity {
        return Err(format!("{} keys exceed the capacity of {capacity}", keys.len()));
    }
    let fallback = keys.join("\n");
    let mut set = ScreenSet::new(backend, capacity, fp_rate, normalize, random_seed(fallback.as_bytes()))
        .map_err(|e| e.to_string())?;
    for key in keys {
        set.insert(key).map_err(|e| format!("key {key:?}: {e}"))?;
    }
    Ok(set)
}

/// The list given in the config (inline keys or a blob), if any.
#[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
pub fn from_config(config: &ListConfig, normalize: Normalize, form: KeyForm) -> Result<Option<ScreenSet>, ConfigError> {
    let backend = match config.backend.as_deref() {
        None => Backend::Exact,
        Some(name) => Backend::parse(name)
            .ok_or_else(|| ConfigError::new("backend", format!("unknown backend {name:?}: exact, bloom or cuckoo")))?,
    };
    let fp_rate = config.fp_rate.unwrap_or(match backend {
        Backend::Cuckoo => CUCKOO_FP_RATE,
        _ => DEFAULT_FP_RATE,
    });
    if backend != Backend::Exact && !(fp_rate > 0.0 && fp_rate < 1.0) {
        return Err(ConfigError::new("fp_rate", "must be between 0 and 1"));
    }
    if backend == Backend::Cuckoo && fp_rate < CUCKOO_FP_RATE {
        return Err(ConfigError::new(
            "fp_rate",
            format!(
                "the Cuckoo backend cannot meet {}: its rate is fixed at about {CUCKOO_PERCENT}% by 8-bit fingerprints; use the Bloom backend, or add a confirm authority",
                sieve_sdk_ext::config::decimal(fp_rate)
            ),
        ));
    }
    match (&config.blob, config.keys.is_empty()) {
        (Some(_), false) => Err(ConfigError::new("blob", "give keys or a blob, not both")),
        (Some(blob), true) => {
            if config.backend.is_some() || config.fp_rate.is_some() || config.capacity.is_some() {
                return Err(ConfigError::new(
                    "blob",
                    "a blob carries its own backend, rate and size: drop backend, fp_rate, capacity",
                ));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(blob.trim())
                .map_err(|e| ConfigError::new("blob", format!("not base64: {e}")))?;
            let set = ScreenSet::from_blob(&bytes).map_err(|e| ConfigError::new("blob", e))?;
            if set.normalize() != normalize {
                return Err(ConfigError::new(
                    "blob",
                    format!(
                        "the blob was built with normalisation {:?}, the config says {normalize:?}",
                        set.normalize()
                    ),
                ));
            }
            Ok(Some(set))
        }
        (None, false) => {
            // An entry that can never match a request's key is a mistake worth naming.
            let mut keys = Vec::with_capacity(config.keys.len());
            for (index, key) in config.keys.iter().enumerate() {
                keys.push(form.canonical(key).map_err(|e| ConfigError::new(format!("keys[{index}]"), e))?);
            }
            build(backend, &keys, config.capacity, fp_rate, normalize)
                .map(Some)
                .map_err(|e| ConfigError::new("keys", e))
        }
        (None, true) => {
            if config.feed.is_none() {
                return Err(ConfigError::new("", "give keys, a blob or a feed"));
            }
            Ok(None)
        }
    }
}

/// A delta a feed may send instead of a whole list: keys to add to and remove from the current
/// Cuckoo list (whose ETag is `base`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delta {
    pub base: String,
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// The longest key a text list may hold.
pub const MAX_KEY_BYTES: usize = 8192;

/// Entries refused because they can never match a key (`"10.0.0.0/8" is a range...`).
pub type Refused = Vec<String>;

/// Reads a published feed document: a blob, or a text list (one key per line, `#` comments) that
/// becomes an exact set. Text entries are canonicalised as the key is; those that cannot be are
/// left out and returned.
pub fn from_document(document: &[u8], normalize: Normalize, form: KeyForm) -> Result<(ScreenSet, Refused), String> {
    if document.starts_with(sieve_screen_set::MAGIC) {
        let set = ScreenSet::from_blob(document).map_err(|e| e.to_string())?;
        if set.normalize() != normalize {
            return Err(format!(
                "the list was built with normalisation {:?}, the config says {normalize:?}",
                set.normalize()
            ));
        }
        return Ok((set, Vec::new()));
    }
    let text = std::str::from_utf8(document).map_err(|_| "neither a blob nor UTF-8 text".to_string())?;
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    // A key is an address, a header value, a path: a "key" this long means the document is not a list.
    if let Some(long) = lines.iter().find(|k| k.len() > MAX_KEY_BYTES) {
        return Err(format!(
            "a line of {} bytes: not a list of keys (at most {MAX_KEY_BYTES} bytes a key)",
            long.len()
        ));
    }
    let (keys, refused) = canonical(lines.iter().copied(), form);
    Ok((build(Backend::Exact, &keys, None, 0.0, normalize)?, refused))
}

/// The entries in canonical form, and the reasons for those that have none.
fn canonical<'a>(entries: impl Iterator<Item = &'a str>, form: KeyForm) -> (Vec<String>, Refused) {
    let (mut keys, mut refused) = (Vec::new(), Vec::new());
    for entry in entries {
        match form.canonical(entry) {
            Ok(key) => keys.push(key),
            Err(why) => refused.push(why),
        }
    }
    (keys, refused)
}

/// Turns a feed answer into the document to publish: a whole list is checked and taken as is; a
/// delta is applied to a fresh copy of the current list, and any failure refuses the whole update
/// (the last good list stays).
pub fn accept_feed(
    body: &[u8],
    previous_etag: Option<&str>,
    previous: impl FnOnce() -> Option<Vec<u8>>,
    normalize: Normalize,
    form: KeyForm,
) -> Result<(Vec<u8>, Refused), String> {
    let trimmed = body.iter().skip_while(|b| b.is_ascii_whitespace()).copied().next();
    if trimmed != Some(b'{') {
        let (_, refused) = from_document(body, normalize, form)?;
        return Ok((body.to_vec(), refused));
    }
    let delta: Delta = serde_json::from_slice(body).map_err(|e| format!("not a delta: {e}"))?;
    if previous_etag != Some(delta.base.as_str()) {
        return Err(format!("the delta applies to {:?}, this Envoy has {previous_etag:?}", delta.base));
    }
    let base = previous().ok_or("a delta but no list to apply it to")?;
    let mut set = ScreenSet::from_blob(&base).map_err(|e| e.to_string())?;
    if set.backend() != Backend::Cuckoo {
        return Err("deltas apply to Cuckoo lists only (a Bloom filter cannot remove keys)".into());
    }
    let (remove, mut refused) = canonical(delta.remove.iter().map(String::as_str), form);
    let (add, refused_add) = canonical(delta.add.iter().map(String::as_str), form);
    refused.extend(refused_add);
    for key in &remove {
        set.remove(key).map_err(|e| e.to_string())?;
    }
    for key in &add {
        set.insert(key).map_err(|e| format!("key {key:?}: {e}"))?;
    }
    Ok((set.to_blob().map_err(|e| e.to_string())?, refused))
}
