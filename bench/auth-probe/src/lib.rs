//! Benchmark-only module (never deployed, not among `filters/`): runs the auth filter's own
//! expensive checks — a signature (the code the filter runs on a token it has not cached), a stored
//! password — `x-n` times per request and answers with the host's timing in `x-ns-per-op`
//! (nanoseconds per check) and whether the check passed in `x-valid`. One check of a cheap
//! algorithm is too short for the clock; many are not. `cargo xtask bench-auth` drives it.

use base64::Engine;
use serde::Deserialize;
use sieve_auth::basic::{parse_hash, Stored};
use sieve_auth::jwt::keys::{parse_key, Alg, Key};
use sieve_sdk_ext::{ConfigError, Filter, Http, LocalReply, Setup, Verdict};
use std::time::UNIX_EPOCH;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    #[serde(default)]
    cases: Vec<CaseConfig>,
    #[serde(default)]
    passwords: Vec<PasswordConfig>,
}

/// A password check: `password` against `password_hash` (as a Basic user's config stores it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfig {
    name: String,
    password_hash: String,
    password: String,
}

/// A JWT signature check: `jwk` verifies `token` (a whole compact JWT) with `alg`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseConfig {
    name: String,
    alg: String,
    jwk: serde_json::Value,
    token: String,
}

struct Case {
    name: String,
    alg: Alg,
    key: Key,
    message: Vec<u8>,
    signature: Vec<u8>,
}

pub struct Probe {
    cases: Vec<Case>,
    passwords: Vec<(String, Stored, String)>,
}

fn nanos(http: &Http<'_>) -> u128 {
    http.now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

impl Filter for Probe {
    const NAME: &'static str = "bench_auth_probe";
    type Config = ProbeConfig;
    type Stream = ();

    fn configure(config: ProbeConfig, _setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        let mut cases = Vec::new();
        for (index, case) in config.cases.into_iter().enumerate() {
            let at = |field: &str| format!("cases[{index}].{field}");
            let alg = Alg::parse(&case.alg).ok_or_else(|| ConfigError::new(at("alg"), "unknown algorithm"))?;
            let key = parse_key(&case.jwk)
                .map_err(|e| ConfigError::new(at("jwk"), e))?
                .ok_or_else(|| ConfigError::new(at("jwk"), "not a signing key"))?;
            let (message, signature) =
                case.token.rsplit_once('.').ok_or_else(|| ConfigError::new(at("token"), "not a JWT"))?;
            let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(signature)
                .map_err(|e| ConfigError::new(at("token"), e))?;
            cases.push(Case { name: case.name, alg, key, message: message.as_bytes().to_vec(), signature });
        }
        let mut passwords = Vec::new();
        for (index, case) in config.passwords.into_iter().enumerate() {
            let stored = parse_hash(&case.password_hash)
                .map_err(|e| ConfigError::new(format!("passwords[{index}].password_hash"), e))?;
            passwords.push((case.name, stored, case.password));
        }
        Ok(Probe { cases, passwords })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, _stream: &mut ()) -> Verdict {
        let name = http.request_header("x-case").unwrap_or_default();
        let count: u32 = http.request_header("x-n").and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
        let check: Box<dyn Fn() -> bool> = if let Some(case) = self.cases.iter().find(|c| c.name == name) {
            Box::new(|| case.key.verify(case.alg, &case.message, &case.signature))
        } else if let Some((_, stored, password)) = self.passwords.iter().find(|(n, ..)| *n == name) {
            Box::new(|| stored.matches(password))
        } else {
            return Verdict::Reply(LocalReply::new(404, "no_case", "no such case"));
        };
        let started = nanos(http);
        let mut valid = true;
        for _ in 0..count {
            valid &= check();
        }
        let elapsed = nanos(http).saturating_sub(started);
        let per_op = elapsed as f64 / f64::from(count);
        Verdict::Reply(
            LocalReply::new(200, "probe", format!("{count} checks"))
                .with_header("x-ns-per-op", format!("{per_op:.0}"))
                .with_header("x-valid", valid.to_string()),
        )
    }
}

sieve_sdk_ext::export_filter!(Probe);
