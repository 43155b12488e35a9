//! Pair 3: Sieve auth's `access` and `skip` rules against RBAC policies with `url_path` matchers,
//! behind the same connection-manager path handling (`normalize_path: true`, `merge_slashes:
//! true`, each `path_with_escaped_slashes_action`). Generated paths carry percent-encodings (of
//! letters, of `/`, `\`, `.`, `%` itself, double encodings), dot segments, `;` parameters, letter
//! case, repeated slashes, backslashes and query strings.
//!
//! - access mode: the request carries the API key of consumer `app`; Sieve's access rules (prefix
//!   `/admin`, exact `/metrics`, for consumer `ops` only) answer 403, RBAC denies the same paths
//!   (`ignore_case: true`, as Sieve's access rules fold case);
//! - skip mode: the request carries no credential; Sieve's skip rules (prefix `/public/`, exact
//!   `/healthz`) let it through, anything else is 401; RBAC allows only those paths
//!   (`ignore_case: false`: skip rules match exactly what they name).

use super::envoy_config::{bootstrap, listener, wasm_filter, Hcm, Route};
use super::rng::Rng;
use super::wire::{RawRequest, Response};
use super::{compare, Judgement, Pair, Plan, Rule};
use serde_json::{json, Value};

const KEY: &str = "differential-app-key-0123456789ab";

/// `path_with_escaped_slashes_action` variants (`None`: Envoy's default).
pub const ACTIONS: [Option<&str>; 4] =
    [None, Some("REJECT_REQUEST"), Some("UNESCAPE_AND_REDIRECT"), Some("UNESCAPE_AND_FORWARD")];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Access,
    Skip,
}

pub static AMBIGUOUS: Rule = Rule {
    name: "ambiguous-path-400",
    why: "Sieve answers 400 to a path that upstreams read in different ways, when path rules exist \
          (filters/auth/README.md); RBAC matched the path as it was and let it through. Recognised when Sieve \
          answered 400 and the path Envoy passed on (`:path` after its normalisation) holds an encoded `/` or `\\`, \
          a backslash, `;` raw or encoded (servlet path parameters), an encoded `%` that starts another escape \
          (`%252F`: a double encoding), a `%` that starts no escape, or an escape that decodes to a control byte \
          or to bytes that are not UTF-8.",
};

const ACCESS_PREFIX: &str = "/admin";
const ACCESS_EXACT: &str = "/metrics";
const SKIP_PREFIX: &str = "/public/";
const SKIP_EXACT: &str = "/healthz";

pub struct PathsPair;

#[derive(Debug, Clone)]
pub struct PathCase {
    pub action: usize,
    pub mode: Mode,
    pub target: Vec<u8>,
    pub recipe: Vec<String>,
}

impl PathsPair {
    pub fn new() -> PathsPair {
        PathsPair
    }

    fn sieve_config(mode: Mode) -> Value {
        let provider =
            json!({"api_key": {"keys": [{"consumer": "app", "sha256": sieve_auth::apikey::digest_hex(KEY)}]}});
        match mode {
            // The requests carry `app`'s key; `ops` (another provider's consumer) is the only one allowed.
            Mode::Access => json!({"providers": [provider], "access": [
                {"path_prefix": ACCESS_PREFIX, "consumers": [{"provider": "api_key", "consumer": "ops"}]},
                {"path": ACCESS_EXACT, "consumers": [{"provider": "api_key", "consumer": "ops"}]}
            ]}),
            Mode::Skip => {
                json!({"providers": [provider], "skip": [{"path_prefix": SKIP_PREFIX}, {"path": SKIP_EXACT}]})
            }
        }
    }

    fn rbac(mode: Mode) -> Value {
        let permissions = match mode {
            Mode::Access => json!([{"or_rules": {"rules": [
                {"url_path": {"path": {"prefix": ACCESS_PREFIX, "ignore_case": true}}},
                {"url_path": {"path": {"exact": ACCESS_EXACT, "ignore_case": true}}}
            ]}}]),
            Mode::Skip => json!([{"or_rules": {"rules": [
                {"url_path": {"path": {"prefix": SKIP_PREFIX}}},
                {"url_path": {"path": {"exact": SKIP_EXACT}}}
            ]}}]),
        };
        let action = match mode {
            Mode::Access => "DENY",
            Mode::Skip => "ALLOW",
        };
        json!({"name": "envoy.filters.http.rbac", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
            "rules": {"action": action, "policies": {"paths": {"permissions": permissions, "principals": [{"any": true}]}}}
        }})
    }

    fn hcm(action: usize) -> Hcm {
        Hcm { normalize_path: true, merge_slashes: true, escaped_slashes: ACTIONS[action], ..Hcm::default() }
    }

    fn names(case: &PathCase) -> (String, String) {
        let mode = match case.mode {
            Mode::Access => "access",
            Mode::Skip => "skip",
        };
        let action = ACTIONS[case.action].unwrap_or("DEFAULT").to_ascii_lowercase().replace('_', "-");
        (format!("sieve-{mode}-{action}"), format!("rbac-{mode}-{action}"))
    }
}

impl Default for PathsPair {
    fn default() -> Self {
        PathsPair::new()
    }
}

fn hex_value(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The rule's own reading of "ambiguous" (see [`AMBIGUOUS`]), on the path without its query.
pub fn ambiguous(path: &[u8]) -> bool {
    let mut decoded = Vec::new();
    let mut at = 0;
    while let Some(&b) = path.get(at) {
        if b == b'\\' || b == b';' {
            return true;
        }
        if b == b'%' {
            let (Some(h), Some(l)) =
                (path.get(at + 1).and_then(|b| hex_value(*b)), path.get(at + 2).and_then(|b| hex_value(*b)))
            else {
                return true;
            };
            let value = h * 16 + l;
            if value == b'/' || value == b'\\' || value == b';' || value < 0x20 || value == 0x7f {
                return true;
            }
            let hex_at = |i: usize| path.get(i).and_then(|b| hex_value(*b)).is_some();
            if value == b'%' && hex_at(at + 3) && hex_at(at + 4) {
                return true;
            }
            decoded.push(value);
            at += 3;
        } else {
            decoded.push(b);
            at += 1;
        }
    }
    std::str::from_utf8(&decoded).is_err()
}

/// Bases: paths on, near and off the rules.
const BASES: [&str; 14] = [
    "/admin",
    "/admin/users",
    "/administrator",
    "/adm",
    "/metrics",
    "/metrics/x",
    "/public/",
    "/public/file",
    "/public",
    "/publicity",
    "/healthz",
    "/healthz/",
    "/api/items",
    "/",
];

/// One change to a path; returns its name, or `None` if it did not apply.
fn mutate(rng: &mut Rng, path: &mut Vec<u8>) -> Option<String> {
    let letters: Vec<usize> =
        path.iter().enumerate().filter(|(_, b)| b.is_ascii_alphabetic()).map(|(i, _)| i).collect();
    let slashes: Vec<usize> = path.iter().enumerate().filter(|(_, b)| **b == b'/').map(|(i, _)| i).collect();
    let segment_start = |rng: &mut Rng, slashes: &[usize]| slashes.get(rng.below(slashes.len())).map(|i| i + 1);
    match rng.weighted(&[14, 10, 12, 10, 6, 6, 8, 6, 6, 6, 6, 6, 4, 4]) {
        0 => {
            let at = *letters.get(rng.below(letters.len()))?;
            let b = path[at];
            let hex = if rng.chance(50) { format!("%{b:02X}") } else { format!("%{b:02x}") };
            path.splice(at..at + 1, hex.into_bytes());
            Some("a letter percent-encoded".into())
        }
        1 => {
            for &at in &letters {
                if rng.chance(50) {
                    path[at] = path[at].to_ascii_uppercase();
                }
            }
            Some("letters in upper case".into())
        }
        2 => {
            let at = segment_start(rng, &slashes)?;
            let dots = *rng.pick(&[
                "./",
                "../",
                "x/../",
                "%2e/",
                "%2E%2E/",
                ".%2e/",
                "%2e./",
                "x/%2e%2e/",
                "..;/",
                ".;/",
                "x/..;/",
                "x/%2e%2e;/",
                "...",
                "x/../../",
            ]);
            path.splice(at..at, dots.bytes());
            Some(format!("dot segment {dots:?}"))
        }
        3 => {
            let at = *slashes.get(rng.below(slashes.len()))?;
            let replacement = *rng.pick(&["%2F", "%2f", "%5C", "%5c", "\\", "%252F", "%255C", "//", "///"]);
            path.splice(at..at + 1, replacement.bytes());
            Some(format!("a slash as {replacement:?}"))
        }
        4 => {
            let at = *letters.get(rng.below(letters.len()))?;
            let b = path[at];
            let hex = format!("%25{b:02x}");
            path.splice(at..at + 1, hex.into_bytes());
            Some("a letter double-encoded (%25xx)".into())
        }
        5 => {
            let param = *rng.pick(&[";", ";x", ";jsessionid=1", ";/", ";a=b/"]);
            let at = slashes.get(rng.below(slashes.len())).map(|i| {
                // After the segment that starts here.
                path.iter().skip(i + 1).position(|b| *b == b'/').map_or(path.len(), |p| i + 1 + p)
            })?;
            path.splice(at..at, param.bytes());
            Some(format!("path parameter {param:?}"))
        }
        6 => {
            let query = *rng.pick(&["?x=1", "?a=/../admin", "?%2F", "?", "#frag", "?x#y", "?/public/x"]);
            path.extend_from_slice(query.as_bytes());
            Some(format!("query or fragment {query:?}"))
        }
        7 => {
            let at = rng.below(path.len() + 1).max(1).min(path.len());
            let odd = *rng.pick(&["%", "%2", "%zz", "%25", "%%", "%g0"]);
            path.splice(at..at, odd.bytes());
            Some(format!("a stray percent {odd:?}"))
        }
        8 => {
            let at = rng.below(path.len() + 1).max(1).min(path.len());
            let enc = *rng.pick(&["%00", "%0a", "%0D", "%09", "%7f", "%1f"]);
            path.splice(at..at, enc.bytes());
            Some(format!("an encoded control byte {enc}"))
        }
        9 => {
            let at = rng.below(path.len() + 1).max(1).min(path.len());
            let enc = *rng.pick(&["%C0%AE", "%ff", "%e2%80%ae", "%C3%A9", "%c0%af", "%ed%a0%80"]);
            path.splice(at..at, enc.bytes());
            Some(format!("non-ASCII bytes {enc}"))
        }
        10 => {
            path.push(*rng.pick(b"/."));
            Some("a trailing / or .".into())
        }
        11 => {
            let at = *slashes.get(rng.below(slashes.len()))?;
            let n = rng.range(1, 3) as usize;
            path.splice(at..at, std::iter::repeat_n(b'/', n));
            Some("repeated slashes".into())
        }
        12 => {
            let at = *letters.get(rng.below(letters.len()))?;
            let raw = *rng.pick(&[&b"\xc3\xa9"[..], b"~", b"+", b" "]);
            path.splice(at..at, raw.iter().copied());
            Some(format!("a raw byte {}", super::wire::escape(raw)))
        }
        _ => {
            let reserved = *rng.pick(&["%3B", "%3F", "%23", "%2E", "%7E", "%20", "%2D"]);
            let at = segment_start(rng, &slashes)?;
            path.splice(at..at, reserved.bytes());
            Some(format!("an encoded reserved or unreserved character {reserved}"))
        }
    }
}

impl Pair for PathsPair {
    type Case = PathCase;

    fn name(&self) -> &'static str {
        "paths"
    }

    fn title(&self) -> String {
        "auth `access` and `skip` rules vs RBAC `url_path` (normalize_path, merge_slashes, each escaped-slashes action)"
            .into()
    }

    fn bootstrap(&self) -> Value {
        let mut listeners = Vec::new();
        for action in 0..ACTIONS.len() {
            for mode in [Mode::Access, Mode::Skip] {
                let case = PathCase { action, mode, target: Vec::new(), recipe: Vec::new() };
                let (sieve_name, native_name) = PathsPair::names(&case);
                let sieve = wasm_filter("sieve_auth", "sieve.auth", &sieve_name, &PathsPair::sieve_config(mode));
                listeners.push(listener(&sieve_name, &PathsPair::hcm(action), vec![sieve], Route::Direct));
                listeners.push(listener(
                    &native_name,
                    &PathsPair::hcm(action),
                    vec![PathsPair::rbac(mode)],
                    Route::Direct,
                ));
            }
        }
        bootstrap(listeners)
    }

    fn generate(&self, rng: &mut Rng) -> PathCase {
        let action = rng.below(ACTIONS.len());
        let mode = if rng.chance(50) { Mode::Access } else { Mode::Skip };
        let mut target = rng.pick(&BASES).as_bytes().to_vec();
        let mut recipe = Vec::new();
        let count = rng.weighted(&[10, 45, 30, 15]);
        for _ in 0..count {
            if let Some(step) = mutate(rng, &mut target) {
                recipe.push(step);
            }
        }
        PathCase { action, mode, target, recipe }
    }

    fn plan(&self, case: &PathCase) -> Plan {
        let (sieve_listener, native_listener) = PathsPair::names(case);
        let mut request = RawRequest::get(case.target.clone());
        if case.mode == Mode::Access {
            request = request.header("x-api-key", KEY.as_bytes().to_vec());
        }
        Plan { sieve_listener, native_listener, source: None, request }
    }

    fn judge(&self, case: &PathCase, sieve: &Response, native: &Response) -> Judgement {
        let forwarded = native.header("x-diff-path").unwrap_or_default().to_string();
        let path = forwarded.split(['?', '#']).next().unwrap_or_default().as_bytes().to_vec();
        compare(
            sieve,
            native,
            || (sieve.status == 400 && ambiguous(&path)).then_some(&AMBIGUOUS),
            |s, n| {
                let mode = match case.mode {
                    Mode::Access => "access",
                    Mode::Skip => "skip",
                };
                let steps = if case.recipe.is_empty() { "plain path".to_string() } else { case.recipe.join(" + ") };
                format!(
                    "Sieve {} {} / RBAC {} {} ({mode} rule, {}): {steps}",
                    s.word(),
                    sieve.status,
                    n.word(),
                    native.status,
                    ACTIONS[case.action].unwrap_or("default action")
                )
            },
        )
    }

    fn shrink(&self, case: &PathCase) -> Vec<PathCase> {
        // Drop one byte at a time (keeping the leading slash), then collapse runs.
        let mut out = Vec::new();
        for at in 1..case.target.len() {
            let mut smaller = case.clone();
            smaller.target.remove(at);
            out.push(smaller);
        }
        out
    }

    fn describe(&self, case: &PathCase) -> String {
        format!(
            "{} mode, {}: path {} made by {}",
            match case.mode {
                Mode::Access => "access",
                Mode::Skip => "skip",
            },
            ACTIONS[case.action].unwrap_or("default escaped-slashes action"),
            super::wire::escape(&case.target),
            if case.recipe.is_empty() { "nothing".to_string() } else { case.recipe.join(", ") }
        )
    }

    fn sides(&self, case: &PathCase) -> (String, String) {
        let hcm = PathsPair::hcm(case.action).describe();
        let rbac = match case.mode {
            Mode::Access => {
                format!("RBAC DENY url_path prefix {ACCESS_PREFIX} or exact {ACCESS_EXACT} (ignore_case: true)")
            }
            Mode::Skip => {
                format!("RBAC ALLOW url_path prefix {SKIP_PREFIX} or exact {SKIP_EXACT} (ignore_case: false)")
            }
        };
        let key = match case.mode {
            Mode::Access => "; the request carries consumer app's API key",
            Mode::Skip => "; the request carries no credential",
        };
        (
            format!("auth {} behind HCM {{{hcm}}}{key}", PathsPair::sieve_config(case.mode)),
            format!("{rbac} behind HCM {{{hcm}}}"),
        )
    }

    fn rules(&self) -> Vec<&'static Rule> {
        vec![&AMBIGUOUS]
    }

    fn shows(&self) -> &'static [&'static str] {
        &["x-diff-path"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_own_reading_of_ambiguous() {
        assert!(ambiguous(b"/a%2Fb") && ambiguous(b"/a%5cb") && ambiguous(b"/a\\b") && ambiguous(b"/%zz"));
        assert!(ambiguous(b"/%C0%AE") && ambiguous(b"/a%00") && !ambiguous(b"/caf%C3%A9") && !ambiguous(b"/100%25"));
        assert!(ambiguous(b"/%2561"), "a double encoding: `a` to a server that decodes twice");
        assert!(ambiguous(b"/;/admin") && ambiguous(b"/a%3Bb"), "servlet path parameters");
    }
}
