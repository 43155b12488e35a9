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
use config::{AccessRule, AuthConfig, ConsumerRef, ProviderConfig, RequestMatch};
use extauthz::ExtAuthzProvider;
use jwt::JwtProvider;
use outcome::{Check, Credential, Identity, ProviderStats, Reason, Rejection};
use sieve_sdk_ext::matcher::{Case, Evaluation, MatchSpec, Matcher};
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

/// Who an access rule lets in.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// A consumer an `api_key` or `basic` provider declares, from such a provider.
    Declared(String),
    /// From provider `provider` (index), any consumer or the one named.
    Of { provider: usize, consumer: Option<String> },
}

impl Allowed {
    fn admits(&self, provider: usize, declared_by: bool, consumer: &str) -> bool {
        match self {
            Allowed::Declared(name) => declared_by && name == consumer,
            Allowed::Of { provider: p, consumer: c } => *p == provider && c.as_deref().is_none_or(|c| c == consumer),
        }
    }
}

fn skip_matcher(rule: RequestMatch) -> Result<Matcher, ConfigError> {
    let RequestMatch { path, path_prefix, methods, cors_preflight } = rule;
    let matcher = Matcher::compile(MatchSpec { path, path_prefix, methods, cors_preflight, ..MatchSpec::default() })?;
    if matcher.is_empty() {
        return Err(ConfigError::new("", "give path, path_prefix, methods or cors_preflight"));
    }
    Ok(matcher)
}

pub struct Auth {
    providers: Vec<Provider>,
    consumer_header: HeaderName,
    provider_header: HeaderName,
    /// Every header this filter may set: removed from each request before anything else.
    identity_headers: Vec<HeaderName>,
    strip_credentials: bool,
    skip: Vec<Matcher>,
    access: Vec<(Matcher, Vec<Allowed>)>,
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
    /// The external authorization callout in flight: provider index and call token.
    awaiting_authz: Option<(usize, u32)>,
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
        let provider_header = match config.provider_header {
            Some(name) => name,
            None => HeaderName::parse("x-sieve-provider").map_err(|e| ConfigError::new("provider_header", e))?,
        };
        if provider_header.is_pseudo() || provider_header == consumer_header {
            return Err(ConfigError::new("provider_header", "cannot be a pseudo-header or the consumer header"));
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
        let mut identity_headers = vec![consumer_header.clone(), provider_header.clone()];
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
            .map(|(i, rule)| skip_matcher(rule).map_err(|e| e.within(&format!("skip[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        for (index, matcher) in skip.iter().enumerate() {
            if matcher.is_path_blind() {
                log::warn!(
                    "sieve.auth: skip[{index}] names no path: it lets such requests through unauthenticated on every path (for CORS, use cors_preflight)"
                );
            }
        }
        let mut access = Vec::with_capacity(config.access.len());
        for (i, AccessRule { path, path_prefix, methods, consumers }) in config.access.into_iter().enumerate() {
            let at = format!("access[{i}]");
            let matcher =
                Matcher::compile(MatchSpec { path, path_prefix, methods, case: Case::Fold, ..MatchSpec::default() })
                    .map_err(|e| e.within(&at))?;
            if matcher.is_empty() {
                return Err(ConfigError::new(at, "give path, path_prefix or methods"));
            }
            let allowed = consumers
                .into_iter()
                .enumerate()
                .map(|(j, consumer)| {
                    resolve(&providers, consumer).map_err(|e| ConfigError::new(format!("{at}.consumers[{j}]"), e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            access.push((matcher, allowed));
        }
        if config.strip_credentials {
            setup.scrubs_credentials();
        }
        Ok(Auth {
            providers,
            consumer_header,
            provider_header,
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
        let mut skipped = false;
        for matcher in &self.skip {
            match matcher.evaluate(http) {
                Evaluation::Match => {
                    skipped = true;
                    break;
                }
                Evaluation::Ambiguous => return self.ambiguous(http),
                Evaluation::NoMatch => {}
            }
        }
        if skipped {
            self.clear_identity(http, &[]);
            http.count(self.stats.skipped);
            return Verdict::Continue;
        }
        // Which access rule applies is known before any credential is checked: an ambiguous path
        // is refused before a provider spends work on it.
        if self.access.iter().any(|(matcher, _)| matcher.evaluate(http) == Evaluation::Ambiguous) {
            return self.ambiguous(http);
        }
        self.run(http, stream)
    }

    fn on_call_response(&self, http: &mut Http<'_>, stream: &mut AuthStream, response: &CallResponse) -> Verdict {
        // The answer must be the one this request's check is waiting for (the runtime already
        // drops answers to calls no stage of this request made).
        let Some((index, token)) = stream.awaiting_authz else { return Verdict::Pause };
        if token != response.token {
            return Verdict::Pause;
        }
        stream.awaiting_authz = None;
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
        if stream.awaiting_authz.is_some() {
            return Verdict::Pause;
        }
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

/// The consumer and every value the identity carries are header-safe and the consumer is not empty.
fn writable(identity: &Identity) -> Result<(), ()> {
    let safe = |value: &str| sieve_sdk_ext::header::check_value(value).is_ok();
    if identity.consumer.trim().is_empty() || !safe(&identity.consumer) {
        return Err(());
    }
    if identity.headers.iter().all(|(_, value)| safe(value)) {
        Ok(())
    } else {
        Err(())
    }
}

/// An access rule's consumer entry, checked against the providers.
fn resolve(providers: &[Provider], consumer: ConsumerRef) -> Result<Allowed, String> {
    match consumer {
        ConsumerRef::Declared(name) => {
            let declared = providers.iter().any(|p| match &p.kind {
                Kind::ApiKey(keys) => keys.declares(&name),
                Kind::Basic(users) => users.declares(&name),
                Kind::Jwt(_) | Kind::ExtAuthz(_) => false,
            });
            if declared {
                Ok(Allowed::Declared(name))
            } else {
                Err(format!(
                    "no api_key or basic provider declares consumer {name:?}; a consumer named by a token or an authorization service must name its provider: {{\"provider\": \"<name>\", \"consumer\": {name:?}}}"
                ))
            }
        }
        ConsumerRef::Of { provider, consumer } => {
            let index = providers.iter().position(|p| p.name == provider).ok_or_else(|| {
                let names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
                format!("no provider is named {provider:?} (providers: {})", names.join(", "))
            })?;
            if consumer.as_deref().is_some_and(|c| c.is_empty()) {
                return Err("consumer must not be empty (leave it out for any consumer of the provider)".into());
            }
            Ok(Allowed::Of { provider: index, consumer })
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

#[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
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
            (name, kind, &[Reason::Denied, Reason::Unavailable, Reason::Malformed])
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
                    Ok(token) => {
                        stream.awaiting_authz = Some((index, token));
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
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    fn settle(&self, http: &mut Http<'_>, stream: &mut AuthStream, index: usize, check: Check) -> Option<Verdict> {
        let provider = self.providers.get(index)?;
        match check {
            Check::Absent => None,
            Check::Pending => Some(Verdict::Pause),
            Check::Accepted(identity) => match writable(&identity) {
                // A consumer or claim value that could not be written as a header (a control
                // character, a line break, nothing at all) is refused, never sanitised into
                // someone else's name.
                Err(()) => {
                    http.count(provider.stats.denied(Reason::Malformed));
                    stream.rejections.push((index, Rejection::new(Reason::Malformed)));
                    None
                }
                Ok(()) => Some(self.accept(http, index, provider, identity)),
            },
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

    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    fn accept(&self, http: &mut Http<'_>, index: usize, provider: &Provider, identity: Identity) -> Verdict {
        let declares = matches!(provider.kind, Kind::ApiKey(_) | Kind::Basic(_));
        if let Some((_, allowed)) = self.access.iter().find(|(matcher, _)| matcher.matches(http)) {
            if !allowed.iter().any(|a| a.admits(index, declares, &identity.consumer)) {
                http.count(self.stats.forbidden);
                return Verdict::Reply(LocalReply::forbidden("this consumer may not access this resource"));
            }
        }
        if self.strip_credentials {
            self.strip(http, &identity.credential);
        }
        let _ = http.set_request_header(self.consumer_header.as_str(), &identity.consumer);
        let _ = http.set_request_header(self.provider_header.as_str(), &provider.name);
        http.set_consumer(&identity.consumer);
        for (name, value) in &identity.headers {
            let _ = http.set_request_header(name.as_str(), value);
        }
        let set: Vec<&str> = [self.consumer_header.as_str(), self.provider_header.as_str()]
            .into_iter()
            .chain(identity.headers.iter().map(|(name, _)| name.as_str()))
            .collect();
        self.clear_identity(http, &set);
        http.count(provider.stats.allowed);
        http.count(self.stats.allowed);
        Verdict::Continue
    }

    fn ambiguous(&self, http: &mut Http<'_>) -> Verdict {
        // An encoded slash, `;`, a backslash: upstreams disagree on what path this is, so neither
        // a skip rule nor an access rule can be applied to it safely.
        http.count(self.stats.ambiguous_path);
        Verdict::Reply(LocalReply::bad_request(
            "the request path is ambiguous (an encoded slash or backslash, ';', a double encoding, a control character, or bytes that are not UTF-8)",
        ))
    }

    /// Removes the identity headers the client may have sent, but those in `set` (just written).
    fn clear_identity(&self, http: &mut Http<'_>, set: &[&str]) {
        for name in &self.identity_headers {
            if !set.contains(&name.as_str()) {
                let _ = http.remove_request_header(name.as_str());
            }
        }
    }

    /// Takes the accepted credential out of the request, and out of every copy a stage made of it.
    fn strip(&self, http: &mut Http<'_>, credential: &Credential) {
        match credential {
            Credential::None => {}
            Credential::Header(name) => {
                if let Some(value) = http.request_header(name.as_str()) {
                    // The whole value, and the credential after its scheme (`Basic <this>`).
                    http.scrub_secret(value.trim().as_bytes());
                    if let Some((_, token)) = credential::split_scheme(&value) {
                        http.scrub_secret(token.trim().as_bytes());
                    }
                }
                let _ = http.remove_request_header(name.as_str());
            }
            Credential::QueryParam(param) => {
                let Some(path) = http.path().map(String::from) else { return };
                for raw in sieve_sdk_ext::uri::raw_query_values(&path, param) {
                    http.scrub_secret(raw.as_bytes());
                    http.scrub_secret(sieve_sdk_ext::uri::decode_component(raw).as_bytes());
                }
                let _ = http.set_request_header(":path", credential::remove_query_param(&path, param));
            }
            Credential::Cookie(cookie) => {
                if let Some(header) = http.request_header("cookie") {
                    if let Some(value) = credential::cookie(&header, cookie) {
                        http.scrub_secret(value.as_bytes());
                    }
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
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
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

#[cfg(test)]
#[path = "lib_test.rs"]
mod tests;

#[cfg(test)]
#[path = "fuzz_test.rs"]
mod fuzz;
