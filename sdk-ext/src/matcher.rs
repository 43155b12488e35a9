//! The one request matcher: per-route entries, auth's skip and access rules and the headers
//! filter's conditions all compile to a [`Matcher`], so that paths, letter case, methods, hosts,
//! headers and ambiguous paths are judged the same way everywhere.
//!
//! - Paths are compared as an upstream that normalises would read them
//!   ([`crate::uri::normalize_path`]): `/%61dmin`, `//admin` and `/x/../admin` are `/admin`.
//! - A path that upstreams read in different ways (`%2F`, `;`, a backslash...) matches no path
//!   condition: [`Matcher::evaluate`] says [`Evaluation::Ambiguous`] when the rest of the match
//!   holds, and the caller refuses the request instead of falling back to a weaker rule.
//! - [`Case::Fold`] compares paths ignoring letter case (Unicode lower case): a rule that
//!   restricts must also catch `/ADMIN`, which an upstream that ignores case serves as `/admin`.
//!   [`Case::Exact`] is for rules that relax (skips): they open only what they name.

use crate::config::ConfigError;
use crate::header::{check_value, HeaderName};
// `deserialize_checked!` implements serde's trait on the checked types.
use crate::host::MapKind;
use crate::http::{strip_port, Http, Phase, RequestNeeds};

/// How path conditions compare letter case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Case {
    /// Byte for byte (after normalisation).
    #[default]
    Exact,
    /// Ignoring case: `/Admin`, `/ADMIN` and `/admin` are one path.
    Fold,
}

// Every value a match is made of checks itself when it is deserialised, so that a wrong one is
// refused with the path serde knows (`routes[2].match.methods[1]: invalid HTTP method "P OST"`).

/// An HTTP method: an RFC 9110 token, upper-cased (nobody means `get` as a distinct method).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method(String);

impl Method {
    pub fn parse(method: &str) -> Result<Self, String> {
        parse_method(method).map(Method)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A path in a config: starts with `/`, has no query string, and reads one way only; kept
/// normalised as request paths are (`/%61dmin` is `/admin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathSpec(String);

impl PathSpec {
    pub fn parse(value: &str) -> Result<Self, String> {
        if !value.starts_with('/') {
            return Err(format!("must start with '/', got {value:?}"));
        }
        if value.contains(['?', '#']) {
            return Err("paths are matched without the query string: drop '?' and '#'".into());
        }
        crate::uri::normalize_path(value)
            .map(PathSpec)
            .ok_or_else(|| format!("{value:?} is itself ambiguous (an encoded '/' or '\\', ';', a control character)"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An HTTP status code (100-599).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status(pub u16);

impl Status {
    pub fn parse(status: u16) -> Result<Self, String> {
        if (100..=599).contains(&status) {
            Ok(Status(status))
        } else {
            Err(format!("{status} is not an HTTP status"))
        }
    }
}

/// A header value a config compares with: no CR, LF or NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderValueSpec(String);

impl HeaderValueSpec {
    pub fn parse(value: &str) -> Result<Self, String> {
        check_value(value).map(|()| HeaderValueSpec(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! deserialize_checked {
    ($type:ty, $raw:ty, $parse:expr) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <$raw>::deserialize(deserializer)?;
                $parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

deserialize_checked!(Method, String, |raw: &String| Method::parse(raw));
deserialize_checked!(PathSpec, String, |raw: &String| PathSpec::parse(raw));
deserialize_checked!(HostPattern, String, |raw: &String| HostPattern::parse(raw));
deserialize_checked!(Status, u16, |raw: &u16| Status::parse(*raw));
deserialize_checked!(HeaderValueSpec, String, |raw: &String| HeaderValueSpec::parse(raw));

/// What a header test expects, as the config writes it: `{"name"}` present, `{"name", "present":
/// false}` absent, `{"name", "value"}` equal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderTestConfig {
    pub name: HeaderName,
    #[serde(default)]
    pub value: Option<HeaderValueSpec>,
    #[serde(default)]
    pub present: Option<bool>,
}

/// A test on one header of `map`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderTestSpec {
    pub map: MapKind,
    pub test: HeaderTestConfig,
}

/// What a match is made of, as the config wrote it. Each user of the matcher has its own
/// serde struct (with only the fields it offers) and turns it into this.
#[derive(Debug, Clone, Default)]
pub struct MatchSpec {
    /// Envoy route name, exact.
    pub route: Option<String>,
    /// `api.example.com`, `*.example.com`, `api.example.*`; case-insensitive, port ignored.
    pub hosts: Vec<HostPattern>,
    /// The whole path (without the query string).
    pub path: Option<PathSpec>,
    /// A path prefix.
    pub path_prefix: Option<PathSpec>,
    /// HTTP methods.
    pub methods: Vec<Method>,
    /// Header tests; all must hold.
    pub headers: Vec<HeaderTestSpec>,
    /// The response status is one of these (response phase only).
    pub status: Vec<Status>,
    /// Only a real CORS preflight: `OPTIONS` with non-empty `Origin` and
    /// `Access-Control-Request-Method` (the Fetch standard's definition, and Envoy's CORS filter's).
    pub cors_preflight: bool,
    pub case: Case,
}

/// A host pattern: `api.example.com`, `*.example.com` (any subdomain, not the apex) or
/// `api.example.*`; case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    Exact(String),
    /// `*.example.com`, stored as `.example.com`.
    AnySubdomainOf(String),
    /// `api.example.*`, stored as `api.example.`.
    AnyTopLevelUnder(String),
}

impl HostPattern {
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let lower = pattern.to_ascii_lowercase();
        let check_label_chars = |s: &str| {
            s.chars().all(|c| {
                c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' || c == ':'
            })
        };
        if let Some(suffix) = lower.strip_prefix("*.") {
            if suffix.is_empty() || suffix.contains('*') || !check_label_chars(suffix) {
                return Err(format!("invalid host pattern {pattern:?}"));
            }
            return Ok(HostPattern::AnySubdomainOf(format!(".{suffix}")));
        }
        if let Some(prefix) = lower.strip_suffix(".*") {
            if prefix.is_empty() || prefix.contains('*') || !check_label_chars(prefix) {
                return Err(format!("invalid host pattern {pattern:?}"));
            }
            return Ok(HostPattern::AnyTopLevelUnder(format!("{prefix}.")));
        }
        if lower.is_empty() || lower.contains('*') || !check_label_chars(&lower) {
            return Err(format!("invalid host pattern {pattern:?}: use a host name, \"*.suffix\" or \"prefix.*\""));
        }
        Ok(HostPattern::Exact(lower))
    }

    fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Exact(name) => host.eq_ignore_ascii_case(name),
            HostPattern::AnySubdomainOf(suffix) => host.len() > suffix.len() && ends_with_ignore_case(host, suffix),
            HostPattern::AnyTopLevelUnder(prefix) => {
                host.len() > prefix.len()
                    && starts_with_ignore_case(host, prefix)
                    && !host.get(prefix.len()..).is_some_and(|rest| rest.contains('.'))
            }
        }
    }
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text.get(text.len() - suffix.len()..).is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// An HTTP method: an RFC 9110 token, upper-cased (nobody means `get` as a distinct method).
pub fn parse_method(method: &str) -> Result<String, String> {
    if method.is_empty() || !method.chars().all(crate::header::is_token_char) {
        return Err(format!("invalid HTTP method {method:?}"));
    }
    Ok(method.to_ascii_uppercase())
}

#[derive(Debug, Clone)]
enum Expect {
    Present,
    Absent,
    Equals(Vec<u8>),
}

#[derive(Debug, Clone)]
struct HeaderTest {
    map: MapKind,
    name: HeaderName,
    expect: Expect,
}

/// What [`Matcher::evaluate`] concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluation {
    Match,
    NoMatch,
    /// Everything but the path holds, and the path cannot be read one way only: no one can say
    /// whether the rule applies. Callers refuse the request (400).
    Ambiguous,
}

/// A compiled match. Cheap conditions are checked first; only what it needs is read.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    route: Option<String>,
    hosts: Vec<HostPattern>,
    path: Option<String>,
    path_prefix: Option<String>,
    methods: Vec<String>,
    headers: Vec<HeaderTest>,
    status: Vec<u16>,
    cors_preflight: bool,
    case: Case,
}

impl Matcher {
    /// Combines the checked values; what is left to refuse is how fields go together.
    pub fn compile(spec: MatchSpec) -> Result<Matcher, ConfigError> {
        let fold = |path: Option<PathSpec>| {
            path.map(|p| match spec.case {
                Case::Fold => p.0.to_lowercase(),
                Case::Exact => p.0,
            })
        };
        let methods: Vec<String> = spec.methods.into_iter().map(|m| m.0).collect();
        if spec.cors_preflight && !methods.is_empty() && !methods.iter().any(|m| m == "OPTIONS") {
            return Err(ConfigError::new("methods", "a CORS preflight is an OPTIONS request"));
        }
        let mut headers = Vec::with_capacity(spec.headers.len());
        let mut seen = [0usize; 2];
        for HeaderTestSpec { map, test } in spec.headers {
            // The one check that needs two fields of a test: the field named is the one to drop.
            let (list, seen) = match map {
                MapKind::ResponseHeaders => ("response_headers", &mut seen[1]),
                _ => ("headers", &mut seen[0]),
            };
            let index = *seen;
            *seen += 1;
            let expect = match (test.value, test.present) {
                (Some(_), Some(false)) => {
                    return Err(ConfigError::new(
                        format!("{list}[{index}].present"),
                        "present: false contradicts a value to compare",
                    ))
                }
                (Some(value), _) => Expect::Equals(value.0.into_bytes()),
                (None, Some(false)) => Expect::Absent,
                (None, _) => Expect::Present,
            };
            headers.push(HeaderTest { map, name: test.name, expect });
        }
        Ok(Matcher {
            route: spec.route,
            hosts: spec.hosts,
            path: fold(spec.path),
            path_prefix: fold(spec.path_prefix),
            methods,
            headers,
            status: spec.status.into_iter().map(|s| s.0).collect(),
            cors_preflight: spec.cors_preflight,
            case: spec.case,
        })
    }

    /// Matches every request (no condition at all).
    pub fn is_empty(&self) -> bool {
        self.route.is_none()
            && self.hosts.is_empty()
            && !self.uses_path()
            && self.methods.is_empty()
            && self.headers.is_empty()
            && self.status.is_empty()
            && !self.cors_preflight
    }

    /// Has a path condition (and so cannot judge an ambiguous path).
    pub fn uses_path(&self) -> bool {
        self.path.is_some() || self.path_prefix.is_some()
    }

    /// Only a method condition, or only a preflight: such a rule applies on every path.
    pub fn is_path_blind(&self) -> bool {
        !self.uses_path() && self.route.is_none() && self.hosts.is_empty()
    }

    /// Reads response-phase facts (status, response headers).
    pub fn uses_response(&self) -> bool {
        !self.status.is_empty() || self.headers.iter().any(|t| t.map == MapKind::ResponseHeaders)
    }

    /// Adds what this match reads of the request to `needs` (for matches run in the response phase).
    pub fn needs(&self, needs: &mut RequestNeeds) {
        if self.uses_path() {
            needs.path = true;
        }
        if !self.methods.is_empty() || self.cors_preflight {
            needs.method = true;
        }
        if !self.hosts.is_empty() {
            needs.authority = true;
        }
        if self.route.is_some() {
            needs.route_name = true;
        }
        for test in &self.headers {
            if test.map == MapKind::RequestHeaders {
                needs.header(test.name.as_str());
            }
        }
        if self.cors_preflight {
            needs.header("origin");
            needs.header("access-control-request-method");
        }
    }

    /// True only for [`Evaluation::Match`].
    pub fn matches(&self, http: &mut Http<'_>) -> bool {
        self.evaluate(http) == Evaluation::Match
    }

    /// Every condition, cheapest first; the path last, so that an ambiguous path only matters
    /// when everything else holds.
    pub fn evaluate(&self, http: &mut Http<'_>) -> Evaluation {
        if !self.methods.is_empty() && !http.method().is_some_and(|m| self.methods.iter().any(|x| x == m)) {
            return Evaluation::NoMatch;
        }
        if self.cors_preflight && !is_cors_preflight(http) {
            return Evaluation::NoMatch;
        }
        if !self.status.is_empty() && !http.response_status().is_some_and(|s| self.status.contains(&s)) {
            return Evaluation::NoMatch;
        }
        if !self.hosts.is_empty() {
            let Some(authority) = http.authority() else { return Evaluation::NoMatch };
            let host = strip_port(authority);
            if !self.hosts.iter().any(|pattern| pattern.matches(host)) {
                return Evaluation::NoMatch;
            }
        }
        if let Some(route) = &self.route {
            if http.route_name() != Some(route.as_str()) {
                return Evaluation::NoMatch;
            }
        }
        if !self.headers.iter().all(|test| header_test_holds(test, http)) {
            return Evaluation::NoMatch;
        }
        if !self.uses_path() {
            return Evaluation::Match;
        }
        let path = match self.case {
            Case::Exact => http.match_path(),
            Case::Fold => http.folded_match_path(),
        };
        let Some(path) = path else {
            return if http.path().is_some() { Evaluation::Ambiguous } else { Evaluation::NoMatch };
        };
        let fits = self.path.as_ref().is_none_or(|p| p == path)
            && self.path_prefix.as_ref().is_none_or(|p| prefix_matches(p, path));
        if fits {
            Evaluation::Match
        } else {
            Evaluation::NoMatch
        }
    }
}

/// `/admin` covers `/admin`, `/admin/` and `/admin/x` — and `/administrator`, as Envoy's route
/// `prefix` does; write `/admin/` to stop at the segment.
fn prefix_matches(prefix: &str, path: &str) -> bool {
    path.starts_with(prefix)
}

fn header_test_holds(test: &HeaderTest, http: &mut Http<'_>) -> bool {
    if test.map == MapKind::ResponseHeaders && http.phase() == Phase::Request {
        return false;
    }
    let value = http.header_bytes(test.map, test.name.as_str());
    match (&test.expect, value) {
        (Expect::Present, found) => found.is_some(),
        (Expect::Absent, found) => found.is_none(),
        (Expect::Equals(expected), Some(found)) => &found == expected,
        (Expect::Equals(_), None) => false,
    }
}

/// A CORS preflight as the Fetch standard (and Envoy's CORS filter) define it: `OPTIONS` with a
/// non-empty `Origin` and a non-empty `Access-Control-Request-Method`.
pub fn is_cors_preflight(http: &mut Http<'_>) -> bool {
    let non_empty = |http: &mut Http<'_>, name: &str| http.request_header(name).is_some_and(|v| !v.trim().is_empty());
    http.method() == Some("OPTIONS") && non_empty(http, "origin") && non_empty(http, "access-control-request-method")
}

#[cfg(test)]
#[path = "matcher_test.rs"]
mod tests;
