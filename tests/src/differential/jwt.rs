//! Pair 2: Sieve auth's JWT provider against Envoy's `jwt_authn`, with the same inline key set,
//! issuer and audience, `exp` required and 60 s of clock skew on both. Tokens are made here (with
//! `jsonwebtoken`/ring and `hmac`, not the filter's code), signed over exactly the bytes they
//! carry: valid ones for every algorithm Sieve supports (HS256/384/512, RS256/384/512,
//! PS256/384/512, ES256), expired and not yet valid ones, and every kind of tampering. The verdict
//! is allowed (2xx) or refused (4xx).

use super::envoy_config::{bootstrap, listener, wasm_filter, Hcm, Route};
use super::rng::Rng;
use super::wire::{RawRequest, Response};
use super::{compare, Judgement, Pair, Plan, Rule};
use crate::tokens::{now, DemoKey};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};

const ISSUER: &str = "https://sieve.demo";
const AUDIENCE: &str = "sieve-demo";
/// An HMAC key for any HS algorithm (64 bytes), and one bound to HS256 by its JWK's `alg`.
const SECRET_ANY: &[u8; 64] = b"differential-hmac-secret-for-every-hs-algorithm-0123456789abcdef";
const SECRET_256: &[u8; 32] = b"differential-hs256-only-secret!!";

const ALGS: [&str; 10] = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256"];

pub static CONSUMER_CLAIM: Rule = Rule {
    name: "jwt-consumer-claim-required",
    why: "Sieve names the consumer from the `sub` claim and refuses a token without a string `sub` \
          (filters/auth/README.md, `consumer_claim`: \"must be a string\"); jwt_authn needs no subject. Recognised \
          when the token's payload has no string `sub`.",
};

pub static CRIT: Rule = Rule {
    name: "jwt-crit-refused",
    why: "Sieve refuses a token whose header has `crit` (RFC 7515 4.1.11: an extension it does not understand; \
          filters/auth/README.md: \"a JSON header, no `crit`\"). Recognised when the token's header has `crit`.",
};

pub static ALG_BOUND: Rule = Rule {
    name: "jwt-alg-is-the-signature-alg",
    why: "Sieve verifies a token only with the algorithm its header names, and only with a key whose type allows \
          that algorithm (filters/auth/README.md: \"a key's type binds its algorithms\"); jwt_authn checks an `oct` \
          key's HMAC whatever the header's `alg` says (HMAC-SHA256 unless it is HS384 or HS512). Recognised when \
          the token's header names another algorithm than the one its signature was made with.",
};

pub static BASE64URL_STRICT: Rule = Rule {
    name: "jwt-base64url-unpadded-canonical",
    why: "Sieve reads each segment as RFC 7515 defines it: base64url without padding, in canonical form (the \
          unused low bits of the last character zero; base64 crate's strict decoder); jwt_authn also accepts \
          padding and set unused bits. Recognised when a segment was padded, written in the standard alphabet, \
          or given set unused bits.",
};

pub static AUD_EXACT: Rule = Rule {
    name: "jwt-aud-exact",
    why: "Sieve compares `aud` exactly as RFC 7519 4.1.3 says (StringOrURI values, compared as strings); \
          jwt_authn drops a URL scheme and a trailing slash first (`https://sieve-demo` matches `sieve-demo`). \
          Recognised when the token's `aud` is not exactly one of the configured audiences but equals one \
          without scheme and trailing slash.",
};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The key set both sides hold.
pub fn jwks() -> Value {
    let demo: Value =
        serde_json::from_str(sieve_services::jwks::DEMO_JWKS).unwrap_or_else(|e| panic!("demo JWKS: {e}"));
    let mut keys = demo["keys"].as_array().cloned().unwrap_or_default();
    keys.push(json!({"kty": "oct", "kid": "hs-any", "k": b64(SECRET_ANY)}));
    keys.push(json!({"kty": "oct", "kid": "hs256-only", "alg": "HS256", "k": b64(SECRET_256)}));
    json!({"keys": keys})
}

/// How a signature is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signer {
    HmacAny,
    Hmac256,
    Rsa1,
    /// A key the set does not hold.
    Rsa2,
    Ec1,
    /// HMAC keyed with the RSA public key's PEM (algorithm confusion).
    RsaPemAsHmac,
}

fn default_signer(alg: &str) -> (Signer, &'static str) {
    match alg {
        "ES256" => (Signer::Ec1, "demo-ec-1"),
        a if a.starts_with("HS") => (Signer::HmacAny, "hs-any"),
        _ => (Signer::Rsa1, "demo-rsa-1"),
    }
}

/// The base64url signature of `input` with `alg` (`None` when the signer cannot make one).
fn sign(input: &[u8], alg: &str, signer: Signer) -> Option<Vec<u8>> {
    let algorithm: Algorithm = alg.parse().ok()?;
    let key = match signer {
        Signer::HmacAny => EncodingKey::from_secret(SECRET_ANY),
        Signer::Hmac256 => EncodingKey::from_secret(SECRET_256),
        Signer::RsaPemAsHmac => EncodingKey::from_secret(&DemoKey::Rsa1.public_pem()),
        Signer::Rsa1 => EncodingKey::from_rsa_pem(&DemoKey::Rsa1.private_pem()).ok()?,
        Signer::Rsa2 => EncodingKey::from_rsa_pem(&DemoKey::Rsa2.private_pem()).ok()?,
        Signer::Ec1 => EncodingKey::from_ec_pem(&DemoKey::Ec1.private_pem()).ok()?,
    };
    let text = jsonwebtoken::crypto::sign(input, &key, algorithm).ok()?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

/// How a segment is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    UrlNoPad,
    UrlPad,
    Std,
}

fn encode(bytes: &[u8], enc: Enc) -> String {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
    match enc {
        Enc::UrlNoPad => URL_SAFE_NO_PAD.encode(bytes),
        Enc::UrlPad => URL_SAFE.encode(bytes),
        Enc::Std => STANDARD.encode(bytes),
    }
}

/// A token under construction: what is signed, with what, and what happens afterwards.
#[derive(Debug, Clone)]
struct Build {
    header: String,
    payload: String,
    /// The algorithm the signature is made with (usually the header's).
    sign_alg: String,
    signer: Option<Signer>,
    encs: [Enc; 3],
    /// Replaces the header after signing (the signature no longer covers it).
    header_after: Option<String>,
    /// Mutations of the finished token text.
    post: Vec<Post>,
    scheme: String,
    before: String,
    after: String,
}

#[derive(Debug, Clone)]
enum Post {
    /// Replace the character at this fraction of segment `segment` with another base64url one.
    Flip {
        segment: usize,
        at: f64,
    },
    /// Flip the unused low bits of the last character of a segment (non-canonical base64).
    TrailingBits {
        segment: usize,
    },
    TruncateSignature(usize),
    EmptySignature,
    DropSignature,
    Append(&'static str),
}

impl Build {
    fn finish(&self) -> String {
        let header_seg = encode(self.header.as_bytes(), self.encs[0]);
        let payload_seg = encode(self.payload.as_bytes(), self.encs[1]);
        let input = format!("{header_seg}.{payload_seg}");
        let signature = self
            .signer
            .and_then(|signer| sign(input.as_bytes(), &self.sign_alg, signer))
            .map(|sig| encode(&sig, self.encs[2]))
            .unwrap_or_default();
        let header_seg = match &self.header_after {
            Some(header) => encode(header.as_bytes(), self.encs[0]),
            None => header_seg,
        };
        let mut segments = vec![header_seg, payload_seg, signature];
        let mut extra = String::new();
        for post in &self.post {
            match post {
                Post::Flip { segment, at } => {
                    if let Some(seg) = segments.get_mut(*segment) {
                        let chars: Vec<char> = seg.chars().collect();
                        if !chars.is_empty() {
                            let i = ((chars.len() as f64 * at) as usize).min(chars.len() - 1);
                            let mut out = chars.clone();
                            out[i] = if chars[i] == 'A' { 'B' } else { 'A' };
                            *seg = out.into_iter().collect();
                        }
                    }
                }
                Post::TrailingBits { segment } => {
                    if let Some(seg) = segments.get_mut(*segment) {
                        let trimmed = seg.trim_end_matches('=').to_string();
                        let pad = seg.len() - trimmed.len();
                        let unused = match trimmed.len() % 4 {
                            2 => 4,
                            3 => 2,
                            _ => 0,
                        };
                        if unused > 0 {
                            let alphabet = if self.encs[*segment] == Enc::Std {
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                            } else {
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                            };
                            let mut chars: Vec<char> = trimmed.chars().collect();
                            if let Some(last) = chars.last_mut() {
                                if let Some(value) = alphabet.find(*last) {
                                    let value = value ^ 1;
                                    *last = alphabet.as_bytes()[value] as char;
                                }
                            }
                            *seg = chars.into_iter().collect::<String>() + &"=".repeat(pad);
                        }
                    }
                }
                Post::TruncateSignature(n) => {
                    if let Some(sig) = segments.get_mut(2) {
                        let keep = sig.len().saturating_sub(*n);
                        sig.truncate(keep);
                    }
                }
                Post::EmptySignature => {
                    if let Some(sig) = segments.get_mut(2) {
                        sig.clear();
                    }
                }
                Post::DropSignature => {
                    segments.truncate(2);
                }
                Post::Append(text) => extra.push_str(text),
            }
        }
        format!("{}{}{}{}", self.before, segments.join("."), extra, self.after)
    }
}

/// One case: what the token is made of (replayable: each twist has its own seed, so a case can
/// lose a twist when it is shrunk), and what was made.
#[derive(Debug, Clone)]
pub struct JwtCase {
    pub alg: &'static str,
    /// HS256 with the key bound to HS256 (`hs256-only`) instead of `hs-any`.
    pub hs256_only: bool,
    pub drop_kid: bool,
    /// One seed per twist, applied in order.
    pub twists: Vec<u64>,
    /// A second Authorization line.
    pub extra_line: Option<&'static str>,
    pub no_header: bool,
    pub made: Made,
}

/// A token as made (the clock is read when it is made).
#[derive(Debug, Clone)]
pub struct Made {
    pub recipe: String,
    /// A short name of the twists (the divergence class).
    pub twist: String,
    pub authorization: Vec<String>,
    /// The header the token carries.
    pub header: String,
    pub payload: String,
    /// The algorithm the signature was made with.
    pub sign_alg: String,
    /// What the signature was made over and with (`alg`, signer).
    pub signed: String,
}

impl JwtCase {
    fn make(mut self) -> JwtCase {
        let now = now();
        let alg = self.alg;
        let (mut signer, mut kid) = default_signer(alg);
        if self.hs256_only {
            (signer, kid) = (Signer::Hmac256, "hs256-only");
        }
        let mut header = json!({"alg": alg, "typ": "JWT", "kid": kid});
        if self.drop_kid {
            header.as_object_mut().map(|m| m.remove("kid"));
        }
        let mut build = Build {
            header: header.to_string(),
            payload: claims(now).to_string(),
            sign_alg: alg.to_string(),
            signer: Some(signer),
            encs: [Enc::UrlNoPad; 3],
            header_after: None,
            post: Vec::new(),
            scheme: "Bearer ".into(),
            before: String::new(),
            after: String::new(),
        };
        let names: Vec<String> =
            self.twists.iter().map(|seed| twist(&mut Rng::new(*seed), &mut build, alg, now)).collect();
        let twist = if names.is_empty() { format!("valid {alg}") } else { names.join(" + ") };
        let token = build.finish();
        let mut authorization = vec![format!("{}{token}", build.scheme)];
        if let Some(line) = self.extra_line {
            // A second Authorization line (Envoy joins the two).
            authorization.push(line.to_string());
        }
        if self.no_header {
            authorization.clear();
        }
        let header_shown = build.header_after.clone().unwrap_or_else(|| build.header.clone());
        self.made = Made {
            recipe: format!("{alg}, {twist}"),
            twist: if self.no_header {
                "no Authorization header".into()
            } else if self.extra_line.is_some() {
                "two Authorization lines".into()
            } else {
                twist
            },
            authorization,
            header: header_shown,
            payload: build.payload.clone(),
            sign_alg: build.sign_alg.clone(),
            signed: format!(
                "{} with {}{}",
                build.sign_alg,
                build.signer.map_or_else(|| "nothing".to_string(), |s| format!("{s:?}")),
                if build.header_after.is_some() { format!(" over header {}", build.header) } else { String::new() }
            ),
        };
        self
    }
}

pub struct JwtPair {
    jwks: Value,
}

impl JwtPair {
    pub fn new() -> JwtPair {
        JwtPair { jwks: jwks() }
    }

    /// The verification budget is off: it is a rate limit jwt_authn does not have, not a token rule,
    /// and a verdict must not depend on the machine's speed: on a fast machine a burst of new ES256
    /// tokens (10 units each) can outrun the default bucket (100 units) and answer 503 (CI failed a
    /// case of seed 20261201 that agrees on a slower one). The budget has its own tests.
    fn sieve_config(&self) -> Value {
        json!({"providers": [{"jwt": {
            "jwks": self.jwks, "issuer": ISSUER, "audiences": [AUDIENCE], "max_verifications_per_second": 0
        }}]})
    }

    fn native_filter(&self) -> Value {
        json!({"name": "envoy.filters.http.jwt_authn", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
            "providers": {"diff": {
                "issuer": ISSUER,
                "audiences": [AUDIENCE],
                "local_jwks": {"inline_string": self.jwks.to_string()},
                "require_expiration": true,
                "clock_skew_seconds": 60,
                // Sieve's default source; jwt_authn's default would also read `access_token` from the query.
                "from_headers": [{"name": "authorization", "value_prefix": "Bearer "}]
            }},
            "rules": [{"match": {"prefix": "/"}, "requires": {"provider_name": "diff"}}]
        }})
    }
}

impl Default for JwtPair {
    fn default() -> Self {
        JwtPair::new()
    }
}

fn claims(now: i64) -> Value {
    json!({"sub": "ann", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 3600})
}

/// Applies one twist to `build`; returns its name.
fn twist(rng: &mut Rng, build: &mut Build, alg: &str, now: i64) -> String {
    let mut payload: Value = serde_json::from_str(&build.payload).unwrap_or_default();
    let mut header: Value = serde_json::from_str(&build.header).unwrap_or_default();
    let set_payload = |payload: &Value, build: &mut Build| build.payload = payload.to_string();
    let name: String = match rng.weighted(&[10, 8, 10, 8, 8, 10, 8, 8, 8, 6, 8, 5]) {
        // Times, away from the edges of the skew (the clock moves while a run goes on).
        0 => {
            let (exp, label) = *rng.pick(&[
                (-3600, "exp an hour ago"),
                (-65, "exp 65 s ago (past the skew)"),
                (-55, "exp 55 s ago (within the skew)"),
                (-5, "exp 5 s ago (within the skew)"),
                (30, "exp in 30 s"),
            ]);
            payload["exp"] = json!(now + exp);
            set_payload(&payload, build);
            label.into()
        }
        1 => {
            let (nbf, label) = *rng.pick(&[
                (3600, "nbf in an hour"),
                (65, "nbf in 65 s (past the skew)"),
                (55, "nbf in 55 s (within the skew)"),
                (-10, "nbf 10 s ago"),
            ]);
            payload["nbf"] = json!(now + nbf);
            set_payload(&payload, build);
            label.into()
        }
        2 => {
            let label = match rng.below(8) {
                0 => {
                    payload.as_object_mut().map(|m| m.remove("exp"));
                    "no exp"
                }
                1 => {
                    payload["exp"] = json!((now + 3600) as f64 + 0.5);
                    "exp a fraction"
                }
                2 => {
                    payload["exp"] = json!((now + 3600).to_string());
                    "exp a string"
                }
                3 => {
                    payload["exp"] = json!(-1);
                    "exp negative"
                }
                4 => {
                    payload["exp"] = json!(9_223_372_036_854_775_807i64);
                    "exp 2^63-1"
                }
                5 => {
                    payload["exp"] = json!(1.0e300);
                    "exp 1e300"
                }
                6 => {
                    payload["nbf"] = json!((now + 3600).to_string());
                    "nbf a string"
                }
                _ => {
                    payload["exp"] = Value::Null;
                    "exp null"
                }
            };
            set_payload(&payload, build);
            label.into()
        }
        3 => {
            let (iss, label): (Value, &str) = rng
                .pick(&[
                    (json!("https://evil.demo"), "wrong iss"),
                    (json!("https://sieve.demo/"), "iss with a trailing slash"),
                    (json!("HTTPS://SIEVE.DEMO"), "iss in capitals"),
                    (Value::Null, "no iss"),
                    (json!(["https://sieve.demo"]), "iss a list"),
                ])
                .clone();
            if iss.is_null() {
                payload.as_object_mut().map(|m| m.remove("iss"));
            } else {
                payload["iss"] = iss;
            }
            set_payload(&payload, build);
            label.into()
        }
        4 => {
            let (aud, label): (Value, &str) = rng
                .pick(&[
                    (json!("other"), "wrong aud"),
                    (json!(["other", "sieve-demo"]), "aud list holding ours"),
                    (json!(["other"]), "aud list without ours"),
                    (json!([]), "aud empty list"),
                    (Value::Null, "no aud"),
                    (json!("https://sieve-demo"), "aud as https URL"),
                    (json!("http://sieve-demo/"), "aud as http URL with slash"),
                    (json!("sieve-demo/"), "aud with a trailing slash"),
                    (json!("SIEVE-DEMO"), "aud in capitals"),
                    (json!(7), "aud a number"),
                ])
                .clone();
            if aud.is_null() {
                payload.as_object_mut().map(|m| m.remove("aud"));
            } else {
                payload["aud"] = aud;
            }
            set_payload(&payload, build);
            label.into()
        }
        5 => {
            let label = match rng.below(9) {
                0 => {
                    header["kid"] = json!("no-such-key");
                    "unknown kid"
                }
                1 => {
                    header.as_object_mut().map(|m| m.remove("kid"));
                    "no kid"
                }
                2 => {
                    header["kid"] = json!(if alg.starts_with("HS") { "demo-rsa-1" } else { "hs-any" });
                    "kid of a key of another type"
                }
                3 => {
                    header["kid"] = json!(7);
                    "kid a number"
                }
                4 => {
                    header["kid"] = Value::Null;
                    "kid null"
                }
                5 => {
                    header["typ"] = json!("at+jwt");
                    "typ at+jwt"
                }
                6 => {
                    header["crit"] = json!(["exp"]);
                    "crit header"
                }
                7 => {
                    header["jku"] = json!("https://evil.demo/jwks.json");
                    "jku header"
                }
                _ => {
                    header.as_object_mut().map(|m| m.remove("typ"));
                    "no typ"
                }
            };
            build.header = header.to_string();
            label.into()
        }
        6 => {
            // The header's alg changed after signing: the signature covers the old header.
            let label = match rng.below(5) {
                0 => {
                    header["alg"] = json!(swap(alg));
                    build.header_after = Some(header.to_string());
                    "alg swapped after signing"
                }
                1 => {
                    header["alg"] = json!(swap(alg));
                    build.header = header.to_string();
                    "alg swapped before signing with the original algorithm"
                }
                2 => {
                    header["alg"] = json!("none");
                    build.header = header.to_string();
                    build.post.push(Post::EmptySignature);
                    "alg none, empty signature"
                }
                3 => {
                    header["alg"] = json!(rng.pick(&["none", "None", "NONE", "nOnE"]));
                    build.header = header.to_string();
                    "alg none (any case), signature kept"
                }
                _ => {
                    header["alg"] = json!(rng.pick(&["hs256", "RS257", "ES384", "EdDSA", ""]));
                    build.header = header.to_string();
                    "alg unsupported"
                }
            };
            label.into()
        }
        7 => {
            let label = match rng.below(6) {
                0 => {
                    build.post.push(Post::Flip { segment: 2, at: rng.below(1000) as f64 / 1000.0 });
                    "signature character changed"
                }
                1 => {
                    build.post.push(Post::Flip { segment: 1, at: rng.below(1000) as f64 / 1000.0 });
                    "payload character changed"
                }
                2 => {
                    build.post.push(Post::Flip { segment: 0, at: rng.below(1000) as f64 / 1000.0 });
                    "header character changed"
                }
                3 => {
                    build.post.push(Post::TruncateSignature(rng.range(1, 8) as usize));
                    "signature truncated"
                }
                4 => {
                    build.post.push(Post::EmptySignature);
                    "empty signature"
                }
                _ => {
                    build.post.push(Post::DropSignature);
                    "two segments"
                }
            };
            label.into()
        }
        8 => {
            let label = if alg.starts_with("HS") {
                build.signer = Some(Signer::Hmac256);
                header["kid"] = json!("hs-any");
                build.header = header.to_string();
                "HMAC with another key of the set"
            } else if rng.chance(50) && alg != "ES256" {
                build.signer = Some(Signer::Rsa2);
                "RSA key not in the set"
            } else {
                header["alg"] = json!("HS256");
                build.header = header.to_string();
                build.sign_alg = "HS256".into();
                build.signer = Some(Signer::RsaPemAsHmac);
                "HS256 keyed with the RSA public key (confusion)"
            };
            label.into()
        }
        9 => {
            // Valid bytes in other base64 forms, signed over exactly what is sent.
            let label = match rng.below(4) {
                0 => {
                    build.encs = [Enc::UrlPad, Enc::UrlPad, Enc::UrlPad];
                    "padded base64url segments"
                }
                1 => {
                    build.encs[2] = Enc::UrlPad;
                    "padded signature"
                }
                2 => {
                    build.encs = [Enc::Std, Enc::Std, Enc::Std];
                    // Make the standard alphabet show: claims whose encoding has + or /.
                    payload["pad"] = json!("??>>??>>");
                    set_payload(&payload, build);
                    "standard base64 alphabet"
                }
                _ => {
                    build.post.push(Post::TrailingBits { segment: rng.pick(&[0usize, 1, 2]).to_owned() });
                    "non-canonical base64 (unused bits set)"
                }
            };
            label.into()
        }
        10 => {
            let label = match rng.below(8) {
                0 => {
                    build.post.push(Post::Append(".x"));
                    "four segments"
                }
                1 => {
                    build.post.push(Post::Append("..e.f"));
                    "six segments (JWE-like)"
                }
                2 => {
                    build.before = " ".into();
                    "a space before the token"
                }
                3 => {
                    build.after = " ".into();
                    "a space after the token"
                }
                4 => {
                    build.after = "\t".into();
                    "a tab after the token"
                }
                5 => {
                    build.scheme = rng.pick(&["bearer ", "BEARER ", "BeArEr "]).to_string();
                    "scheme in other letter case"
                }
                6 => {
                    build.scheme = rng.pick(&["Bearer  ", "Bearer\t", "Bearer", "Token "]).to_string();
                    "other separator or scheme"
                }
                _ => {
                    build.post.push(Post::Append("="));
                    "a trailing ="
                }
            };
            label.into()
        }
        _ => {
            // JSON oddities.
            let label = match rng.below(6) {
                0 => {
                    build.header = format!("{{\"alg\":\"none\",{}", build.header.trim_start_matches('{'));
                    "duplicate alg (none first)"
                }
                1 => {
                    let trimmed = build.header.trim_end_matches('}').to_string();
                    build.header = format!("{trimmed},\"alg\":\"none\"}}");
                    "duplicate alg (none last)"
                }
                2 => {
                    let trimmed = build.payload.trim_end_matches('}').to_string();
                    build.payload = format!("{trimmed},\"exp\":{}}}", now - 3600);
                    "duplicate exp (expired last)"
                }
                3 => {
                    build.payload = format!("\u{feff}{}", build.payload);
                    "payload with a byte order mark"
                }
                4 => {
                    build.payload = format!(" \n{} ", build.payload);
                    "payload JSON with whitespace around"
                }
                _ => {
                    payload.as_object_mut().map(|m| m.remove("sub"));
                    if rng.chance(50) {
                        payload["sub"] = json!(42);
                    }
                    set_payload(&payload, build);
                    "no string sub"
                }
            };
            label.into()
        }
    };
    name
}

/// Another algorithm of a different family (or the same family's sibling).
fn swap(alg: &str) -> &'static str {
    match alg {
        "HS256" => "RS256",
        "HS384" => "HS256",
        "HS512" => "ES256",
        "RS256" => "PS256",
        "RS384" => "HS256",
        "RS512" => "RS256",
        "PS256" => "RS256",
        "PS384" => "ES256",
        "PS512" => "PS256",
        _ => "HS256",
    }
}

impl Pair for JwtPair {
    type Case = JwtCase;

    fn name(&self) -> &'static str {
        "jwt"
    }

    fn title(&self) -> String {
        "auth `jwt` provider vs `jwt_authn` (same inline JWKS, issuer, audience; exp required; 60 s skew)".into()
    }

    fn bootstrap(&self) -> Value {
        let sieve = wasm_filter("sieve_auth", "sieve.auth", "sieve-jwt", &self.sieve_config());
        bootstrap(vec![
            listener("sieve-jwt", &Hcm::default(), vec![sieve], Route::Direct),
            listener("native-jwt", &Hcm::default(), vec![self.native_filter()], Route::Direct),
        ])
    }

    fn generate(&self, rng: &mut Rng) -> JwtCase {
        let alg = *rng.pick(&ALGS);
        let hs256_only = alg == "HS256" && rng.chance(30);
        let drop_kid = rng.chance(12);
        let count = match rng.weighted(&[25, 60, 15]) {
            0 => 0,
            1 => 1,
            _ => 2,
        };
        let twists = (0..count).map(|_| rng.next_u64()).collect();
        let extra_line = rng.chance(3).then(|| *rng.pick(&["Bearer x", "Basic Zm9vOmJhcg=="]));
        let no_header = rng.chance(3);
        let made = Made {
            recipe: String::new(),
            twist: String::new(),
            authorization: Vec::new(),
            header: String::new(),
            payload: String::new(),
            sign_alg: String::new(),
            signed: String::new(),
        };
        JwtCase { alg, hs256_only, drop_kid, twists, extra_line, no_header, made }.make()
    }

    fn plan(&self, case: &JwtCase) -> Plan {
        let mut request = RawRequest::get("/");
        for value in &case.made.authorization {
            request = request.header("authorization", value.as_bytes().to_vec());
        }
        Plan { sieve_listener: "sieve-jwt".into(), native_listener: "native-jwt".into(), source: None, request }
    }

    fn judge(&self, case: &JwtCase, sieve: &Response, native: &Response) -> Judgement {
        let made = &case.made;
        compare(
            sieve,
            native,
            || {
                let payload: Option<Value> = serde_json::from_str(made.payload.trim_start_matches('\u{feff}')).ok();
                let header: Option<Value> = serde_json::from_str(&made.header).ok();
                let header_alg = header.as_ref().and_then(|h| h.get("alg")).and_then(Value::as_str);
                let twist = made.twist.as_str();
                let aud_reshaped =
                    payload.as_ref().and_then(|p| p.get("aud")).and_then(Value::as_str).is_some_and(|aud| {
                        aud != AUDIENCE
                            && aud.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/')
                                == AUDIENCE
                    });
                if header.as_ref().is_some_and(|h| h.get("crit").is_some()) {
                    Some(&CRIT)
                } else if [
                    "padded base64url segments",
                    "padded signature",
                    "standard base64 alphabet",
                    "non-canonical base64",
                    "a trailing =",
                ]
                .iter()
                .any(|t| twist.contains(t))
                {
                    Some(&BASE64URL_STRICT)
                } else if aud_reshaped {
                    Some(&AUD_EXACT)
                } else if header_alg.is_some_and(|alg| alg != made.sign_alg) {
                    Some(&ALG_BOUND)
                } else if payload.as_ref().is_some_and(|p| !p.get("sub").is_some_and(Value::is_string)) {
                    Some(&CONSUMER_CLAIM)
                } else {
                    None
                }
            },
            |s, n| format!("Sieve {} / jwt_authn {}: {}", s.word(), n.word(), made.twist),
        )
    }

    fn shrink(&self, case: &JwtCase) -> Vec<JwtCase> {
        // Fewer twists (the token is made again, with the same seeds), no second line.
        let mut out = Vec::new();
        for i in 0..case.twists.len() {
            let mut smaller = case.clone();
            smaller.twists.remove(i);
            out.push(smaller.make());
        }
        if case.extra_line.is_some() {
            let mut smaller = case.clone();
            smaller.extra_line = None;
            out.push(smaller.make());
        }
        out
    }

    fn classify_by_shrinking(&self) -> bool {
        true
    }

    fn describe(&self, case: &JwtCase) -> String {
        let now = now();
        let relative = |text: &str| {
            let mut out = text.to_string();
            if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
                for key in ["exp", "nbf", "iat"] {
                    if let Some(t) = map.get(key).and_then(Value::as_i64) {
                        if (t - now).abs() < 100_000 {
                            out.push_str(&format!(" ({key} = now {:+} s)", t - now));
                        }
                    }
                }
            }
            out
        };
        let made = &case.made;
        format!("{}; header {}; payload {}; signed {}", made.recipe, made.header, relative(&made.payload), made.signed)
    }

    fn sides(&self, _case: &JwtCase) -> (String, String) {
        (
            "auth {\"providers\": [{\"jwt\": {jwks (RSA demo-rsa-1, EC demo-ec-1, oct hs-any, oct hs256-only alg HS256), \
             issuer, audiences, max_verifications_per_second: 0}}]} (leeway 60, require_exp true by default; no \
             verification budget: a rate limit, not a token rule)"
                .into(),
            "jwt_authn provider {issuer, audiences, local_jwks (the same), require_expiration: true, clock_skew_seconds: 60, \
             from_headers: authorization \"Bearer \"}"
                .into(),
        )
    }

    fn rules(&self) -> Vec<&'static Rule> {
        vec![&CONSUMER_CLAIM, &CRIT, &ALG_BOUND, &BASE64URL_STRICT, &AUD_EXACT]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_signed_over_what_they_carry() {
        for alg in ALGS {
            let (signer, kid) = default_signer(alg);
            let build = Build {
                header: json!({"alg": alg, "kid": kid}).to_string(),
                payload: claims(now()).to_string(),
                sign_alg: alg.into(),
                signer: Some(signer),
                encs: [Enc::UrlNoPad; 3],
                header_after: None,
                post: Vec::new(),
                scheme: "Bearer ".into(),
                before: String::new(),
                after: String::new(),
            };
            let token = build.finish();
            assert_eq!(token.split('.').count(), 3, "{alg}: {token}");
            assert!(!token.ends_with('.'), "{alg} has a signature");
        }
    }
}
