//! The auth filter's configuration, as users write it (README.md has the reference).

use serde::Deserialize;
use sieve_sdk_ext::matcher::{Method, PathSpec};
use sieve_sdk_ext::remote::RemoteConfig;
use sieve_sdk_ext::HeaderName;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Tried in order; a request passes if one accepts it.
    pub providers: Vec<ProviderConfig>,
    /// Set to the consumer's name on success (default `x-sieve-consumer`); a client-sent copy is
    /// always removed first.
    #[serde(default)]
    pub consumer_header: Option<HeaderName>,
    /// Set to the name of the provider that accepted the request (default `x-sieve-provider`), so
    /// that an upstream can tell the Basic user `admin` from a token whose `sub` is `admin`; a
    /// client-sent copy is always removed first.
    #[serde(default)]
    pub provider_header: Option<HeaderName>,
    /// Remove the credential that was accepted before the request goes upstream.
    #[serde(default)]
    pub strip_credentials: bool,
    /// Requests that skip authentication (health checks, public paths, CORS preflights). A skip
    /// opens exactly what it names: paths match case-sensitively.
    #[serde(default)]
    pub skip: Vec<RequestMatch>,
    /// Per-path consumer allow-lists: the first entry that matches decides; a consumer not listed
    /// gets 403. Requests no entry matches are open to every authenticated consumer. Paths match
    /// ignoring letter case (an upstream that ignores case must not serve `/ADMIN` past `/admin`).
    #[serde(default)]
    pub access: Vec<AccessRule>,
    /// `realm` in `WWW-Authenticate` challenges.
    #[serde(default = "default_realm")]
    pub realm: String,
}

fn default_realm() -> String {
    "sieve".into()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestMatch {
    /// Exact path (without the query string).
    #[serde(default)]
    pub path: Option<PathSpec>,
    #[serde(default)]
    pub path_prefix: Option<PathSpec>,
    /// Methods alone open every path for them: `["OPTIONS"]` lets any OPTIONS request through
    /// unauthenticated. For CORS, use `cors_preflight`.
    #[serde(default)]
    pub methods: Vec<Method>,
    /// Only real CORS preflights: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
    #[serde(default)]
    pub cors_preflight: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessRule {
    #[serde(default)]
    pub path: Option<PathSpec>,
    #[serde(default)]
    pub path_prefix: Option<PathSpec>,
    #[serde(default)]
    pub methods: Vec<Method>,
    /// The consumers allowed; others get 403.
    pub consumers: Vec<ConsumerRef>,
}

/// A consumer an access rule allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsumerRef {
    /// `"demo-admin"`: a consumer an `api_key` or `basic` provider of this config declares. A
    /// token's `sub` or an authorization service's answer never matches a bare name: that would
    /// let one provider impersonate another's consumers.
    Declared(String),
    /// `{"provider": "tokens", "consumer": "alice"}`: that consumer, from that provider only;
    /// `{"provider": "tokens"}`: any consumer that provider accepts.
    Of { provider: String, consumer: Option<String> },
}

impl<'de> Deserialize<'de> for ConsumerRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Qualified {
            provider: String,
            #[serde(default)]
            consumer: Option<String>,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ConsumerRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a consumer name, or {"provider": "<provider name>", "consumer": "<name>"}"#)
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<ConsumerRef, E> {
                Ok(ConsumerRef::Declared(name.to_string()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<ConsumerRef, M::Error> {
                let q = Qualified::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(ConsumerRef::Of { provider: q.provider, consumer: q.consumer })
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ProviderConfig {
    ApiKey(ApiKeyConfig),
    Basic(BasicConfig),
    Jwt(JwtConfig),
    ExtAuthz(ExtAuthzConfig),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Name in metrics; defaults to `api_key`.
    #[serde(default)]
    pub name: Option<String>,
    /// Header carrying the key (default `x-api-key` unless only `query` is given).
    #[serde(default)]
    pub header: Option<HeaderName>,
    /// Query parameter carrying the key.
    #[serde(default)]
    pub query: Option<String>,
    pub keys: Vec<ApiKeyEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyEntry {
    pub consumer: ConsumerName,
    /// SHA-256 of the key, hex (`cargo xtask auth-hash api-key`).
    pub sha256: KeyDigest,
}

// Values that check themselves when they are deserialised: a wrong one is refused with the path
// serde knows (`providers[0].api_key.keys[3].sha256: must be 64 hex digits...`).

/// A consumer name: non-empty and header-safe (it is written into a request header).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ConsumerName(pub String);

impl TryFrom<String> for ConsumerName {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        if name.is_empty() || sieve_sdk_ext::header::check_value(&name).is_err() {
            return Err(format!("{name:?}: a consumer must be a non-empty header-safe name"));
        }
        Ok(ConsumerName(name))
    }
}

/// The SHA-256 of an API key, as 64 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct KeyDigest(pub [u8; 32]);

impl TryFrom<String> for KeyDigest {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let mut digest = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut digest)
            .map_err(|_| "must be 64 hex digits: the SHA-256 of the key (cargo xtask auth-hash api-key)".to_string())?;
        Ok(KeyDigest(digest))
    }
}

/// A Basic username: non-empty, without `:` (RFC 7617 splits there) or control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Username(pub String);

impl TryFrom<String> for Username {
    type Error = String;
    fn try_from(name: String) -> Result<Self, String> {
        if name.is_empty() || name.contains(':') || name.chars().any(char::is_control) {
            return Err("must be non-empty, without ':' or control characters".into());
        }
        Ok(Username(name))
    }
}

/// A stored password (`hmac-sha256$...` or `pbkdf2-sha256$...`), parsed.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct PasswordHash(pub crate::basic::Stored);

impl TryFrom<String> for PasswordHash {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        crate::basic::parse_hash(&text).map(PasswordHash)
    }
}

/// A request header a provider may send or copy: not a pseudo-header, not `host`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "HeaderName")]
pub struct PlainHeaderName(pub HeaderName);

impl TryFrom<HeaderName> for PlainHeaderName {
    type Error = String;
    fn try_from(name: HeaderName) -> Result<Self, String> {
        if name.is_pseudo() || name.as_str() == "host" {
            return Err(format!("{name}: pseudo-headers (and host) cannot be named here"));
        }
        Ok(PlainHeaderName(name))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicConfig {
    #[serde(default)]
    pub name: Option<String>,
    pub users: Vec<BasicUser>,
    /// Slow password checks (PBKDF2, cache misses) allowed per second in each VM; 0: no limit.
    #[serde(default = "default_slow_verifications")]
    pub max_slow_verifications_per_second: f64,
    /// Credentials that verified with a slow hash, remembered per VM; 0 turns the cache off.
    #[serde(default = "default_verified_cache")]
    pub verified_cache_size: usize,
}

fn default_slow_verifications() -> f64 {
    0.2
}

fn default_verified_cache() -> usize {
    1024
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicUser {
    pub username: Username,
    /// `hmac-sha256$<salt>$<mac>` or `pbkdf2-sha256$<iterations>$<salt>$<hash>`
    /// (`cargo xtask auth-hash password`).
    pub password_hash: PasswordHash,
    /// Consumer name; defaults to the username.
    #[serde(default)]
    pub consumer: Option<ConsumerName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    #[serde(default)]
    pub name: Option<String>,
    /// Where the token is; default `Authorization: Bearer <token>`.
    #[serde(default)]
    pub from: Vec<TokenSource>,
    /// Required `iss`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// `aud` must contain one of these (when given).
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Inline key set (a JWKS document).
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// Key set fetched from an Envoy cluster, shared by every worker.
    #[serde(default)]
    pub remote_jwks: Option<RemoteConfig>,
    /// Algorithms accepted (default: every supported one the keys allow).
    #[serde(default)]
    pub algorithms: Vec<crate::jwt::keys::Alg>,
    /// Clock skew allowed on `exp` and `nbf`, in seconds.
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// Refuse tokens without `exp`.
    #[serde(default = "default_true")]
    pub require_exp: bool,
    /// The claim naming the consumer (dotted path for nested claims).
    #[serde(default = "default_consumer_claim")]
    pub consumer_claim: String,
    /// Claims copied to request headers.
    #[serde(default)]
    pub claims_to_headers: Vec<ClaimToHeader>,
    /// How long a request waits for the very first key set fetch.
    #[serde(default = "default_first_fetch_wait")]
    pub first_fetch_wait_ms: u64,
    /// Longest token accepted, in bytes.
    #[serde(default = "default_max_token_bytes")]
    pub max_token_bytes: usize,
    /// Verified tokens remembered per VM (by SHA-256), so that a client repeating its token is not
    /// verified again; expiry is checked on every use. 0 turns the cache off.
    #[serde(default = "default_token_cache")]
    pub token_cache_size: usize,
    /// Signature verifications (tokens not in the cache) allowed per second in each VM, counted in
    /// RSA-2048 verifications; 0: no limit.
    #[serde(default = "default_verifications")]
    pub max_verifications_per_second: u32,
}

fn default_verifications() -> u32 {
    1000
}

fn default_true() -> bool {
    true
}

fn default_leeway() -> u64 {
    60
}

fn default_consumer_claim() -> String {
    "sub".into()
}

fn default_token_cache() -> usize {
    1024
}

fn default_first_fetch_wait() -> u64 {
    5_000
}

fn default_max_token_bytes() -> usize {
    16 * 1024
}

/// Where a token is: a header (with an optional prefix such as `Bearer `, matched exactly, as
/// jwt_authn does) or a cookie.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawTokenSource")]
pub enum TokenSource {
    Header { name: HeaderName, prefix: Option<String> },
    Cookie(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTokenSource {
    #[serde(default)]
    header: Option<HeaderName>,
    #[serde(default)]
    prefix: Option<String>,
    #[serde(default)]
    cookie: Option<String>,
}

impl TryFrom<RawTokenSource> for TokenSource {
    type Error = &'static str;
    fn try_from(raw: RawTokenSource) -> Result<Self, &'static str> {
        match (raw.header, raw.cookie) {
            (Some(name), None) => Ok(TokenSource::Header { name, prefix: raw.prefix }),
            (None, Some(cookie)) if raw.prefix.is_none() && !cookie.is_empty() => Ok(TokenSource::Cookie(cookie)),
            _ => Err("give a header (with an optional prefix) or a cookie"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimToHeader {
    /// Dotted path: `sub`, `realm_access.roles`.
    pub claim: String,
    pub header: HeaderName,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtAuthzConfig {
    #[serde(default)]
    pub name: Option<String>,
    /// The Envoy cluster of the authorization service.
    pub cluster: String,
    /// `:authority` of the check request (default: the cluster name).
    #[serde(default)]
    pub authority: Option<String>,
    /// Prepended to the request path in the check request.
    #[serde(default)]
    pub path_prefix: String,
    #[serde(default = "default_authz_timeout")]
    pub timeout_ms: u64,
    /// Request headers sent to the service (default: authorization, cookie).
    #[serde(default)]
    pub headers_to_send: Option<Vec<PlainHeaderName>>,
    /// Headers of an allowing answer copied onto the upstream request.
    #[serde(default)]
    pub headers_to_upstream: Vec<PlainHeaderName>,
    /// Header of an allowing answer naming the consumer (default `x-auth-consumer`).
    #[serde(default)]
    pub consumer_header: Option<HeaderName>,
    /// Let requests through when the service is down or slow (counted, and marked upstream).
    #[serde(default)]
    pub failure_mode_allow: bool,
    /// Consult the service only for requests carrying one of these headers (default: every request).
    #[serde(default)]
    pub when_present: Vec<HeaderName>,
}

fn default_authz_timeout() -> u64 {
    500
}
