//! Sieve auth filter: API keys, Basic, JWT (inline or fetched JWKS) and external authorization,
//! tried in order; the first provider that accepts names the consumer for the upstream. Anything
//! that cannot be checked fails closed. The configuration reference is in README.md.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod apikey;
pub mod basic;
pub mod budget;
pub mod config;
pub mod credential;
pub mod extauthz;
pub mod jwt;
pub mod outcome;

use apikey::ApiKeyProvider;
use basic::BasicProvider;
use config::{AccessRule, AuthConfig, ProviderConfig, RequestMatch};
use extauthz::ExtAuthzProvider;
use jwt::JwtProvider;
use outcome::{Check, Credential, Identity, ProviderStats, Reason, Rejection};
use sieve_sdk_ext::route::parse_method;
use sieve_sdk_ext::{CallResponse, ConfigError, Filter, HeaderName, Http, LocalReply, Root, Setup, Verdict};
use std::time::{Duration, SystemTime};

sieve_sdk_ext::counters! {
    /// `sieve.auth.*` (per-provider counters are `sieve.auth.<provider>.*`).
    pub struct Stats {
        /// Requests a provider accepted and the access rules let through.
        allowed,
        /// Requests answered 401 (or the authorization service's status).
        denied,
        /// Requests answered 403 by an access rule.
        forbidden,
        /// Requests answered 503: keys not available, authorization service down, verification budget spent.
        unavailable,
        /// Requests answered 429: the budget of slow password checks is spent.
        throttled,
        /// Requests let through because the authorization service failed and `failure_mode_allow` is set.
        failure_mode_allowed,
        /// Requests that matched `skip`.
        skipped,
        /// Requests answered 400 because their path is ambiguous and path rules are configured.
        ambiguous_path,
    }
}

// One value per configured provider, built once: size differences do not matter.
#[allow(clippy::large_enum_variant)]
enum Kind {
    ApiKey(ApiKeyProvider),
    Basic(BasicProvider),
    Jwt(JwtProvider),
    ExtAuthz(ExtAuthzProvider),
}

struct Provider {
    name: String,
    kind: Kind,
    stats: ProviderStats,
}

/// A path/method matcher (for `skip` and `access`).
struct Matcher {
    path: Option<String>,
    path_prefix: Option<String>,
    methods: Vec<String>,
    /// Access rules restrict: they also match the path in another letter case (`/ADMIN` is `/admin`
    /// to an upstream that ignores case). Skip rules relax: they match exactly what they name.
    fold_case: bool,
}

impl Matcher {
    fn compile(
        path: Option<String>,
        path_prefix: Option<String>,
        methods: &[String],
        fold_case: bool,
    ) -> Result<Self, ConfigError> {
        for (field, value) in [("path", &path), ("path_prefix", &path_prefix)] {
            if value.as_ref().is_some_and(|v| !v.starts_with('/')) {
                return Err(ConfigError::new(field, "must start with '/'"));
            }
        }
        let methods = methods
            .iter()
            .enumerate()
            .map(|(i, m)| parse_method(m).map_err(|e| ConfigError::new(format!("methods[{i}]"), e)))
            .collect::<Result<Vec<_>, _>>()?;
        if path.is_none() && path_prefix.is_none() && methods.is_empty() {
            return Err(ConfigError::new("", "give path, path_prefix or methods"));
        }
        let fold = |value: Option<String>| if fold_case { value.map(|v| v.to_ascii_lowercase()) } else { value };
        Ok(Matcher { path: fold(path), path_prefix: fold(path_prefix), methods, fold_case })
    }

    fn matches(&self, http: &mut Http<'_>) -> bool {
        if !self.methods.is_empty() && !http.method().is_some_and(|m| self.methods.iter().any(|x| x == m)) {
            return false;
        }
        // Compared as an upstream would read the path (`/%61dmin` is `/admin`); the caller refuses
        // ambiguous paths before any matcher runs.
        let path = http.match_path().unwrap_or_default();
        let folded;
        let path = if self.fold_case {
            folded = path.to_ascii_lowercase();
            folded.as_str()
        } else {
            path
        };
        self.path.as_ref().is_none_or(|p| p == path)
            && self.path_prefix.as_ref().is_none_or(|p| path.starts_with(p.as_str()))
    }
}

pub struct Auth {
    providers: Vec<Provider>,
    consumer_header: HeaderName,
    /// Every header this filter may set: removed from each request before anything else.
    identity_headers: Vec<HeaderName>,
    strip_credentials: bool,
    skip: Vec<Matcher>,
    access: Vec<(Matcher, Vec<String>)>,
    realm: String,
    stats: Stats,
}

/// Per-request progress through the providers.
#[derive(Debug, Default)]
pub struct AuthStream {
    /// The provider to try next (or the one being waited for).
    next: usize,
    rejections: Vec<(usize, Rejection)>,
    /// Deadline for the first JWKS fetch, once this request started waiting.
    jwt_wait_deadline: Option<SystemTime>,
    /// The external authorization callout in flight: provider index.
    awaiting_authz: Option<usize>,
}

impl Filter for Auth {
    const NAME: &'static str = "auth";
    type Config = AuthConfig;
    type Stream = AuthStream;

    fn configure(config: AuthConfig, setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        if config.providers.is_empty() {
            return Err(ConfigError::new("providers", "give at least one provider"));
        }
        let consumer_header = match config.consumer_header {
            Some(name) => name,
            None => HeaderName::parse("x-sieve-consumer").map_err(|e| ConfigError::new("consumer_header", e))?,
        };
        if consumer_header.is_pseudo() {
            return Err(ConfigError::new("consumer_header", "cannot be a pseudo-header"));
        }
        if config.realm.is_empty() || config.realm.contains(['"', '\\']) || config.realm.chars().any(char::is_control) {
            return Err(ConfigError::new(
                "realm",
                "must be non-empty, without quotes, backslashes or control characters",
            ));
        }
        let mut providers: Vec<Provider> = Vec::with_capacity(config.providers.len());
        for (index, provider) in config.providers.into_iter().enumerate() {
            let at = format!("providers[{index}]");
            let provider = compile_provider(provider, setup).map_err(|e| e.within(&at))?;
            if providers.iter().any(|p| p.name == provider.name) {
                return Err(ConfigError::new(
                    format!("{at}.name"),
                    format!("two providers are named {:?}: give them distinct names", provider.name),
                ));
            }
            providers.push(provider);
        }
        let mut identity_headers = vec![consumer_header.clone()];
        for provider in &providers {
            match &provider.kind {
                Kind::Jwt(jwt) => identity_headers.extend(jwt.identity_headers().cloned()),
                Kind::ExtAuthz(authz) => identity_headers.extend(authz.identity_headers().cloned()),
                Kind::ApiKey(_) | Kind::Basic(_) => {}
            }
        }
        identity_headers.sort();
        identity_headers.dedup();
        let skip = config
            .skip
            .into_iter()
            .enumerate()
            .map(|(i, RequestMatch { path, path_prefix, methods })| {
                Matcher::compile(path, path_prefix, &methods, false).map_err(|e| e.within(&format!("skip[{i}]")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let access = config
            .access
            .into_iter()
            .enumerate()
            .map(|(i, AccessRule { path, path_prefix, methods, consumers })| {
                let matcher = Matcher::compile(path, path_prefix, &methods, true)
                    .map_err(|e| e.within(&format!("access[{i}]")))?;
                Ok((matcher, consumers))
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        Ok(Auth {
            providers,
            consumer_header,
            identity_headers,
            strip_credentials: config.strip_credentials,
            skip,
            access,
            realm: config.realm,
            stats: Stats::define(setup),
        })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, stream: &mut AuthStream) -> Verdict {
        // Whatever happens next, the upstream never sees an identity the client made up: every
        // path that lets the request go either sets each identity header (replacing the client's
        // values) or removes it. A refused request goes nowhere, so it needs neither.
        if (!self.skip.is_empty() || !self.access.is_empty()) && http.path_is_ambiguous() {
            // An encoded slash or a backslash: upstreams disagree on what path this is, so neither
            // a skip rule nor an access rule can be applied to it safely.
            http.count(self.stats.ambiguous_path);
            return Verdict::Reply(LocalReply::bad_request(
                "the request path is ambiguous (an encoded slash or backslash, a control character, or bytes that are not UTF-8)",
            ));
        }
        if self.skip.iter().any(|m| m.matches(http)) {
            self.clear_identity(http, &[]);
            http.count(self.stats.skipped);
            return Verdict::Continue;
        }
        self.run(http, stream)
    }

    fn on_call_response(&self, http: &mut Http<'_>, stream: &mut AuthStream, response: &CallResponse) -> Verdict {
        let Some(index) = stream.awaiting_authz.take() else { return Verdict::Continue };
        let check = match self.providers.get(index).map(|p| &p.kind) {
            Some(Kind::ExtAuthz(authz)) => authz.on_response(response),
            _ => Check::Rejected(Rejection::new(Reason::Unavailable)),
        };
        match self.settle(http, stream, index, check) {
            Some(verdict) => verdict,
            None => {
                stream.next = index + 1;
                self.run(http, stream)
            }
        }
    }

    fn on_wake(&self, http: &mut Http<'_>, stream: &mut AuthStream) -> Verdict {
        self.run(http, stream)
    }

    fn tick_period(&self) -> Option<Duration> {
        self.jwt_providers().filter_map(JwtProvider::tick_period).min()
    }

    fn on_tick(&self, root: &mut Root<'_>) {
        for jwt in self.jwt_providers() {
            jwt.on_tick(root);
        }
    }

    fn on_root_call_response(&self, root: &mut Root<'_>, response: &CallResponse) {
        for jwt in self.jwt_providers() {
            jwt.on_root_call_response(root, response);
        }
    }
}

fn provider_name(configured: Option<String>, default: &str) -> Result<String, ConfigError> {
    let name = configured.unwrap_or_else(|| default.to_string());
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(ConfigError::new(
            "name",
            format!("{name:?}: use lower-case letters, digits and '_' (it names metrics)"),
        ));
    }
    Ok(name)
}

fn compile_provider(config: ProviderConfig, setup: &mut Setup<'_>) -> Result<Provider, ConfigError> {
    let (name, kind, reasons): (String, Kind, &[Reason]) = match config {
        ProviderConfig::ApiKey(c) => {
            let name = provider_name(c.name.clone(), "api_key").map_err(|e| e.within("api_key"))?;
            let kind = Kind::ApiKey(ApiKeyProvider::compile(c).map_err(|e| e.within("api_key"))?);
            (name, kind, &[Reason::Invalid, Reason::Malformed, Reason::TooLarge])
        }
        ProviderConfig::Basic(c) => {
            let name = provider_name(c.name.clone(), "basic").map_err(|e| e.within("basic"))?;
            let kind = Kind::Basic(BasicProvider::compile(c).map_err(|e| e.within("basic"))?);
            (name, kind, basic::REASONS)
        }
        ProviderConfig::Jwt(c) => {
            let name = provider_name(c.name.clone(), "jwt").map_err(|e| e.within("jwt"))?;
            let kind = Kind::Jwt(JwtProvider::compile(&name, c, setup).map_err(|e| e.within("jwt"))?);
            (name, kind, jwt::REASONS)
        }
        ProviderConfig::ExtAuthz(c) => {
            let name = provider_name(c.name.clone(), "ext_authz").map_err(|e| e.within("ext_authz"))?;
            let kind = Kind::ExtAuthz(ExtAuthzProvider::compile(&name, c).map_err(|e| e.within("ext_authz"))?);
            (name, kind, &[Reason::Denied, Reason::Unavailable])
        }
    };
    let stats = ProviderStats::define(setup, &name, reasons);
    Ok(Provider { name, kind, stats })
}

impl Auth {
    fn jwt_providers(&self) -> impl Iterator<Item = &JwtProvider> {
        self.providers.iter().filter_map(|p| match &p.kind {
            Kind::Jwt(jwt) => Some(jwt),
            _ => None,
        })
    }

    /// Tries the providers from `stream.next` on.
    fn run(&self, http: &mut Http<'_>, stream: &mut AuthStream) -> Verdict {
        while let Some(provider) = self.providers.get(stream.next) {
            let index = stream.next;
            let check = match &provider.kind {
                Kind::ApiKey(p) => p.check(http),
                Kind::Basic(p) => p.check(http),
                Kind::Jwt(p) => p.check(http, &mut stream.jwt_wait_deadline),
                Kind::ExtAuthz(p) => match p.dispatch(http) {
                    Ok(_token) => {
                        stream.awaiting_authz = Some(index);
                        Check::Pending
                    }
                    Err(check) => check,
                },
            };
            if let Some(verdict) = self.settle(http, stream, index, check) {
                return verdict;
            }
            stream.next = index + 1;
        }
        self.deny(http, stream)
    }

    /// `Some(verdict)` when the request is decided (or must wait); `None` to try the next provider.
    fn settle(&self, http: &mut Http<'_>, stream: &mut AuthStream, index: usize, check: Check) -> Option<Verdict> {
        let provider = self.providers.get(index)?;
        match check {
            Check::Absent => None,
            Check::Pending => Some(Verdict::Pause),
            Check::Accepted(identity) => Some(self.accept(http, provider, identity)),
            Check::Rejected(rejection) => {
                http.count(provider.stats.denied(rejection.reason));
                if let Kind::ExtAuthz(authz) = &provider.kind {
                    if rejection.reason == Reason::Unavailable && authz.failure_mode_allow {
                        http.count(self.stats.failure_mode_allowed);
                        self.clear_identity(http, &[]);
                        let _ = http.set_request_header(authz.failure_header.as_str(), "true");
                        return Some(Verdict::Continue);
                    }
                }
                stream.rejections.push((index, rejection));
                None
            }
        }
    }

    fn accept(&self, http: &mut Http<'_>, provider: &Provider, identity: Identity) -> Verdict {
        if let Some((_, consumers)) = self.access.iter().find(|(matcher, _)| matcher.matches(http)) {
            if !consumers.contains(&identity.consumer) {
                http.count(self.stats.forbidden);
                return Verdict::Reply(LocalReply::forbidden("this consumer may not access this resource"));
            }
        }
        if self.strip_credentials {
            self.strip(http, &identity.credential);
        }
        let _ = http.set_request_header(self.consumer_header.as_str(), &identity.consumer);
        http.set_consumer(&identity.consumer);
        for (name, value) in &identity.headers {
            let _ = http.set_request_header(name.as_str(), value);
        }
        let set: Vec<&str> = std::iter::once(self.consumer_header.as_str())
            .chain(identity.headers.iter().map(|(name, _)| name.as_str()))
            .collect();
        self.clear_identity(http, &set);
        http.count(provider.stats.allowed);
        http.count(self.stats.allowed);
        Verdict::Continue
    }

    /// Removes the identity headers the client may have sent, but those in `set` (just written).
    fn clear_identity(&self, http: &mut Http<'_>, set: &[&str]) {
        for name in &self.identity_headers {
            if !set.contains(&name.as_str()) {
                let _ = http.remove_request_header(name.as_str());
            }
        }
    }

    fn strip(&self, http: &mut Http<'_>, credential: &Credential) {
        match credential {
            Credential::None => {}
            Credential::Header(name) => {
                let _ = http.remove_request_header(name.as_str());
            }
            Credential::QueryParam(param) => {
                if let Some(path) = http.path().map(|p| credential::remove_query_param(p, param)) {
                    let _ = http.set_request_header(":path", path);
                }
            }
            Credential::Cookie(cookie) => {
                if let Some(header) = http.request_header("cookie") {
                    let _ = match credential::remove_cookie(&header, cookie) {
                        Some(rest) => http.set_request_header("cookie", rest),
                        None => http.remove_request_header("cookie"),
                    };
                }
            }
        }
    }

    /// No provider accepted. The first refusal, in provider order, decides the answer: 503 if it
    /// could not be checked, the authorization service's status if it denied, else 401 with a
    /// challenge per provider.
    fn deny(&self, http: &mut Http<'_>, stream: &AuthStream) -> Verdict {
        let first = stream.rejections.first().map(|(_, r)| r);
        if let Some(rejection) = first.filter(|r| r.reason.is_throttled()) {
            http.count(self.stats.throttled);
            let reply = LocalReply::new(429, "too_many_requests", rejection.reason.describe());
            return Verdict::Reply(reply.with_header("retry-after", "1"));
        }
        if let Some(rejection) = first.filter(|r| r.reason.is_unavailable()) {
            http.count(self.stats.unavailable);
            return Verdict::Reply(LocalReply::new(503, "unavailable", rejection.reason.describe()));
        }
        http.count(self.stats.denied);
        if let Some(rejection) = first.filter(|r| r.reason == Reason::Denied) {
            let status = rejection.status.filter(|s| (400..600).contains(s)).unwrap_or(403);
            let mut reply = LocalReply::new(status, "denied", rejection.reason.describe());
            if let Some(challenge) = &rejection.challenge {
                reply = reply.with_header("www-authenticate", challenge.clone());
            }
            return Verdict::Reply(reply);
        }
        let message = first.map_or("credentials are required", |r| r.reason.describe());
        let mut reply = LocalReply::unauthorized(message);
        for (index, provider) in self.providers.iter().enumerate() {
            let rejected = stream.rejections.iter().find(|(i, _)| *i == index).map(|(_, r)| r);
            if let Some(challenge) = self.challenge(provider, rejected) {
                reply = reply.with_header("www-authenticate", challenge);
            }
        }
        Verdict::Reply(reply)
    }

    /// RFC 9110 11.6.1 challenges: Basic (RFC 7617), Bearer (RFC 6750), and an `ApiKey` scheme
    /// naming where the key goes.
    fn challenge(&self, provider: &Provider, rejected: Option<&Rejection>) -> Option<String> {
        let realm = &self.realm;
        match &provider.kind {
            Kind::Basic(_) => Some(format!("Basic realm=\"{realm}\", charset=\"UTF-8\"")),
            Kind::Jwt(_) => Some(match rejected {
                None => format!("Bearer realm=\"{realm}\""),
                Some(r) => format!(
                    "Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{}\"",
                    r.reason.describe()
                ),
            }),
            Kind::ApiKey(p) => Some(match p.header() {
                Some(header) => format!("ApiKey realm=\"{realm}\", header=\"{header}\""),
                None => format!("ApiKey realm=\"{realm}\""),
            }),
            Kind::ExtAuthz(_) => rejected.and_then(|r| r.challenge.clone()),
        }
    }
}

#[cfg(feature = "module")]
sieve_sdk_ext::export_filter!(Auth);

#[cfg(test)]
#[path = "lib_test.rs"]
mod tests;

#[cfg(test)]
#[path = "fuzz_test.rs"]
mod fuzz;
