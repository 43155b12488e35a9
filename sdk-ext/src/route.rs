//! Per-route rules inside one plugin config. Envoy cannot hand a Wasm filter per-route config
//! without another VM, so one configuration carries a `routes` list: the first entry whose `match`
//! fits the request (Envoy route name, host, path, method) chooses that entry's config, or
//! disables the filter; a request no entry matches gets the top-level config. A request whose
//! path is ambiguous while an entry would otherwise match is refused (400): handing it to the
//! top-level config would let `/partners%2Fdata` dodge a stricter `/partners` entry.

use crate::config::ConfigError;
use crate::http::Http;
use crate::matcher::{Case, Evaluation, HostPattern, MatchSpec, Matcher, Method, PathSpec};
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
    pub hosts: Vec<HostPattern>,
    /// The whole path, without its query string.
    #[serde(default)]
    pub path: Option<PathSpec>,
    /// Path prefix, matched against the path without its query string.
    #[serde(default)]
    pub path_prefix: Option<PathSpec>,
    /// HTTP methods, e.g. `["GET", "HEAD"]`.
    #[serde(default)]
    pub methods: Vec<Method>,
    /// Compare paths ignoring letter case. Default: yes for an entry with a `config` (it usually
    /// restricts: `/PARTNERS` must not dodge the `/partners` entry), no for a `disabled` entry
    /// (it relaxes: it turns off only what it names).
    #[serde(default)]
    pub ignore_case: Option<bool>,
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

/// A compiled `match`.
#[derive(Debug, Clone)]
pub struct RouteMatch {
    matcher: Matcher,
}

impl RouteMatch {
    /// `relaxes`: the entry turns the filter off (its paths then match case-sensitively by default).
    pub fn compile(spec: &RouteMatchSpec, relaxes: bool) -> Result<Self, ConfigError> {
        let fold = spec.ignore_case.unwrap_or(!relaxes);
        let matcher = Matcher::compile(MatchSpec {
            route: spec.route.clone(),
            hosts: spec.hosts.clone(),
            path: spec.path.clone(),
            path_prefix: spec.path_prefix.clone(),
            methods: spec.methods.clone(),
            case: if fold { Case::Fold } else { Case::Exact },
            ..MatchSpec::default()
        })?;
        if matcher.is_empty() {
            return Err(ConfigError::new(
                "",
                "an empty match would match every request: give at least one of route, hosts, path, path_prefix, methods",
            ));
        }
        Ok(RouteMatch { matcher })
    }

    pub fn evaluate(&self, http: &mut Http<'_>) -> Evaluation {
        self.matcher.evaluate(http)
    }

    pub fn matches(&self, http: &mut Http<'_>) -> bool {
        self.matcher.matches(http)
    }
}

pub use crate::matcher::parse_method;

/// A filter's compiled configs: the top-level one and one per route entry (`None`: disabled).
#[derive(Debug)]
pub struct RouteTable<T> {
    pub default: std::rc::Rc<T>,
    pub routes: Vec<(RouteMatch, Option<std::rc::Rc<T>>)>,
}

/// Which config a request gets.
#[derive(Debug)]
pub enum Selection<'a, T> {
    Config(&'a std::rc::Rc<T>),
    /// A route entry turns the filter off for this request.
    Disabled,
    /// An entry would match but for the path, which cannot be read one way only: refusing is the
    /// only answer that neither dodges a stricter entry nor grants a weaker one.
    Ambiguous,
}

impl<T> RouteTable<T> {
    /// The first entry that matches decides; no entry: the top-level config.
    pub fn select(&self, http: &mut Http<'_>) -> Selection<'_, T> {
        for (matcher, target) in &self.routes {
            match matcher.evaluate(http) {
                Evaluation::Match => {
                    return match target {
                        Some(config) => Selection::Config(config),
                        None => Selection::Disabled,
                    }
                }
                Evaluation::Ambiguous => return Selection::Ambiguous,
                Evaluation::NoMatch => {}
            }
        }
        Selection::Config(&self.default)
    }
}

#[cfg(test)]
#[path = "route_test.rs"]
mod tests;
