//! Per-route rules inside one plugin config. Envoy cannot hand a Wasm filter per-route config
//! without another VM, so one configuration carries a `routes` list: the first entry whose `match`
//! fits the request (Envoy route name, host, path prefix, method) chooses that entry's config, or
//! disables the filter; a request no entry matches gets the top-level config.

use crate::config::ConfigError;
use crate::http::{strip_port, Http};
use serde::Deserialize;

/// What a `routes[]` entry matches on. Every field given must match; at least one must be given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteMatchSpec {
    /// Envoy route name (`name:` of the route in the route configuration), exact.
    #[serde(default)]
    pub route: Option<String>,
    /// Host names: `api.example.com`, `*.example.com` (any subdomain, not the apex) or
    /// `api.example.*`; case-insensitive; the request's port is ignored.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Path prefix, matched against the path without its query string.
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// HTTP methods, e.g. `["GET", "HEAD"]`.
    #[serde(default)]
    pub methods: Vec<String>,
}

/// One `routes[]` entry as written in the config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    #[serde(rename = "match")]
    pub matcher: RouteMatchSpec,
    /// The filter's full configuration for matching requests (replaces the top-level one).
    #[serde(default)]
    pub config: Option<serde_json::Value>,
    /// `true`: the filter does nothing for matching requests.
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    /// `*.example.com`, stored as `.example.com`.
    AnySubdomainOf(String),
    /// `api.example.*`, stored as `api.example.`.
    AnyTopLevelUnder(String),
}

impl HostPattern {
    fn parse(pattern: &str) -> Result<Self, String> {
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

/// A compiled `match`.
#[derive(Debug, Clone)]
pub struct RouteMatch {
    route: Option<String>,
    hosts: Vec<HostPattern>,
    path_prefix: Option<String>,
    methods: Vec<String>,
}

impl RouteMatch {
    pub fn compile(spec: &RouteMatchSpec) -> Result<Self, ConfigError> {
        if spec.route.is_none() && spec.hosts.is_empty() && spec.path_prefix.is_none() && spec.methods.is_empty() {
            return Err(ConfigError::new(
                "",
                "an empty match would match every request: give at least one of route, hosts, path_prefix, methods",
            ));
        }
        let mut hosts = Vec::with_capacity(spec.hosts.len());
        for (index, pattern) in spec.hosts.iter().enumerate() {
            hosts.push(HostPattern::parse(pattern).map_err(|e| ConfigError::new(format!("hosts[{index}]"), e))?);
        }
        if let Some(prefix) = &spec.path_prefix {
            if !prefix.starts_with('/') {
                return Err(ConfigError::new("path_prefix", format!("must start with '/', got {prefix:?}")));
            }
        }
        let mut methods = Vec::with_capacity(spec.methods.len());
        for (index, method) in spec.methods.iter().enumerate() {
            methods.push(parse_method(method).map_err(|e| ConfigError::new(format!("methods[{index}]"), e))?);
        }
        Ok(RouteMatch { route: spec.route.clone(), hosts, path_prefix: spec.path_prefix.clone(), methods })
    }

    /// Reads only the request facts this match needs, cheapest first.
    pub fn matches(&self, http: &mut Http<'_>) -> bool {
        if !self.methods.is_empty() {
            let Some(method) = http.method() else { return false };
            if !self.methods.iter().any(|m| m == method) {
                return false;
            }
        }
        if let Some(prefix) = &self.path_prefix {
            if !http.match_path().is_some_and(|p| p.starts_with(prefix.as_str())) {
                return false;
            }
        }
        if !self.hosts.is_empty() {
            let Some(authority) = http.authority() else { return false };
            let host = strip_port(authority);
            if !self.hosts.iter().any(|pattern| pattern.matches(host)) {
                return false;
            }
        }
        if let Some(route) = &self.route {
            if http.route_name() != Some(route.as_str()) {
                return false;
            }
        }
        true
    }
}

/// An HTTP method: an RFC 9110 token, upper-cased (nobody means `get` as a distinct method).
pub fn parse_method(method: &str) -> Result<String, String> {
    if method.is_empty() || !method.chars().all(crate::header::is_token_char) {
        return Err(format!("invalid HTTP method {method:?}"));
    }
    Ok(method.to_ascii_uppercase())
}

/// A filter's compiled configs: the top-level one and one per route entry (`None`: disabled).
#[derive(Debug)]
pub struct RouteTable<T> {
    pub default: std::rc::Rc<T>,
    pub routes: Vec<(RouteMatch, Option<std::rc::Rc<T>>)>,
}

impl<T> RouteTable<T> {
    /// The config for this request; `None` when a route entry disables the filter.
    pub fn select(&self, http: &mut Http<'_>) -> Option<&std::rc::Rc<T>> {
        for (matcher, target) in &self.routes {
            if matcher.matches(http) {
                return target.as_ref();
            }
        }
        Some(&self.default)
    }
}

#[cfg(test)]
#[path = "route_test.rs"]
mod tests;
