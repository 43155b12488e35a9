//! The headers filter's configuration, as users write it (see README.md for the reference).

use serde::Deserialize;
use sieve_sdk_ext::matcher::{Method, PathSpec, Status};
use sieve_sdk_ext::HeaderName;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadersConfig {
    /// Rules applied, in order, to the request before it goes upstream.
    #[serde(default)]
    pub request: Vec<RuleConfig>,
    /// Rules applied, in order, to the response before it goes back to the client.
    #[serde(default)]
    pub response: Vec<RuleConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Append a value, keeping existing values.
    Add,
    /// Replace every value (add the header if absent).
    Set,
    /// Set only when the header is absent.
    SetIfAbsent,
    /// Remove every value.
    Remove,
    /// Move every value to another name (replacing what that name had).
    Rename,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnMissing {
    /// Skip the rule when a value it interpolates is missing.
    #[default]
    Skip,
    /// Interpolate the missing value as an empty string.
    Empty,
    /// Answer 400 (`sieve_headers.bad_request`).
    Reject,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub op: Operation,
    pub name: HeaderName,
    /// The value for `add`, `set`, `set_if_absent`; may interpolate `%...%` operators.
    #[serde(default)]
    pub value: Option<String>,
    /// The new name for `rename`.
    #[serde(default)]
    pub to: Option<HeaderName>,
    #[serde(default)]
    pub on_missing: OnMissing,
    #[serde(default)]
    pub when: Option<ConditionConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionConfig {
    /// The request path (without query) is this.
    #[serde(default)]
    pub path: Option<PathSpec>,
    /// The request path (without query) starts with this.
    #[serde(default)]
    pub path_prefix: Option<PathSpec>,
    /// Compare `path` and `path_prefix` ignoring letter case.
    #[serde(default)]
    pub ignore_case: bool,
    /// The request method is one of these.
    #[serde(default)]
    pub methods: Vec<Method>,
    /// Tests on request headers; all must hold.
    #[serde(default)]
    pub headers: Vec<HeaderTestConfig>,
    /// Tests on response headers (response rules only); all must hold.
    #[serde(default)]
    pub response_headers: Vec<HeaderTestConfig>,
    /// The response status is one of these (response rules only).
    #[serde(default)]
    pub status: Vec<Status>,
}

/// A test on one header (sdk-ext's, shared with every matcher).
pub use sieve_sdk_ext::matcher::HeaderTestConfig;
