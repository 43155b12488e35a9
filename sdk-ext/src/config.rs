//! Plugin configuration: JSON parsed once per VM into a filter's typed config, with errors that name
//! the field (`request[2].value: ...`) so that the line Envoy logs on a refused plugin is actionable.

use serde::de::DeserializeOwned;
use std::fmt;

/// Why a configuration was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Path of the offending field, e.g. `request[2].value`; empty for the document as a whole.
    pub field: String,
    /// What is wrong with it, in words a user can act on.
    pub reason: String,
}

impl ConfigError {
    pub fn new(field: impl Into<String>, reason: impl fmt::Display) -> Self {
        ConfigError { field: field.into(), reason: reason.to_string() }
    }

    /// Puts this error under `prefix`, e.g. a route's `routes[3].config`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = join_path(prefix, &self.field);
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

impl std::error::Error for ConfigError {}

/// Joins two config paths: `("routes[0]", "config.request")` -> `routes[0].config.request`.
pub fn join_path(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (_, true) => prefix.to_string(),
        _ if rest.starts_with('[') => format!("{prefix}{rest}"),
        _ => format!("{prefix}.{rest}"),
    }
}

/// Parses the raw plugin configuration into a JSON object. An empty configuration is `{}`.
pub fn parse_object(bytes: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, ConfigError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| ConfigError::new("", format!("configuration is not UTF-8: {e}")))?;
    if text.trim().is_empty() {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(other) => Err(ConfigError::new("", format!("configuration must be a JSON object, not {}", kind_of(&other)))),
        Err(e) => Err(ConfigError::new("", format!("configuration is not valid JSON: {e}"))),
    }
}

/// The key of a reference to an environment variable: `{"from_env": "SIEVE_API_KEYS"}` stands
/// for the JSON document that variable holds (Envoy's `vm_config.environment_variables`, Istio's
/// WasmPlugin `vmConfig.env`), so that secrets need not be in the plugin configuration.
pub const FROM_ENV_KEY: &str = "from_env";

/// Where a configuration took values from the environment: (JSON path, variable name).
#[derive(Debug, Default)]
pub struct EnvironmentValues(Vec<(String, String)>);

impl EnvironmentValues {
    /// An error inside a value from the environment says which variable it came from, and quotes
    /// none of the value: it may be a secret, and config errors reach Envoy's log.
    pub fn explain(&self, mut error: ConfigError) -> ConfigError {
        let inside = |at: &str| {
            error.field == at
                || error.field.strip_prefix(at).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        };
        if let Some((_, variable)) = self.0.iter().find(|(at, _)| inside(at)) {
            error.reason = format!("{} (in environment variable {variable})", redact_quoted(&error.reason));
        }
        error
    }
}

/// `invalid type: string "abc"` -> `invalid type: string "…"`.
fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, part) in text.split('"').enumerate() {
        if index > 0 {
            out.push('"');
        }
        out.push_str(if index % 2 == 1 { "…" } else { part });
    }
    out
}

/// Parses the plugin configuration and puts in the values its `from_env` references name.
/// References are not followed inside a variable's value.
pub fn parse_with_environment(
    bytes: &[u8],
    environment: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Result<(serde_json::Map<String, serde_json::Value>, EnvironmentValues), ConfigError> {
    let mut document = parse_object(bytes)?;
    let mut found = EnvironmentValues::default();
    // Most configurations name no variable: a scan of the bytes spares walking them (a key
    // spelt with `\u` escapes is walked too).
    let mentioned = |needle: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
    if !mentioned(FROM_ENV_KEY.as_bytes()) && !mentioned(b"\\u") {
        return Ok((document, found));
    }
    for (key, value) in document.iter_mut() {
        resolve_references(value, key.clone(), environment, &mut found)?;
    }
    Ok((document, found))
}

#[inline(never)]
fn resolve_references(
    value: &mut serde_json::Value,
    at: String,
    environment: &dyn Fn(&str) -> Option<Vec<u8>>,
    found: &mut EnvironmentValues,
) -> Result<(), ConfigError> {
    match value {
        serde_json::Value::Object(map) if map.contains_key(FROM_ENV_KEY) => {
            let (Some(serde_json::Value::String(variable)), 1) = (map.get(FROM_ENV_KEY), map.len()) else {
                return Err(ConfigError::new(
                    at,
                    "a reference to the environment is {\"from_env\": \"<VARIABLE>\"}, with no other fields",
                ));
            };
            let variable = variable.clone();
            let text = environment(&variable).ok_or_else(|| {
                ConfigError::new(&at, format!("environment variable {variable} is not set (vm_config.environment_variables; Istio: WasmPlugin vmConfig.env)"))
            })?;
            // serde_json's syntax errors give a position, never the text. Parsed from a str, as
            // the configuration is: one instance of the parser in the module, not two.
            let parsed = std::str::from_utf8(&text).map_err(|_| "is not UTF-8".to_string()).and_then(|text| {
                serde_json::from_str::<serde_json::Value>(text).map_err(|e| format!("does not hold a JSON value: {e}"))
            });
            *value = parsed.map_err(|why| ConfigError::new(&at, format!("environment variable {variable} {why}")))?;
            found.0.push((at, variable));
            Ok(())
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                resolve_references(item, join_path(&at, key), environment, found)?;
            }
            Ok(())
        }
        serde_json::Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                resolve_references(item, format!("{at}[{index}]"), environment, found)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Deserializes `value` into `T`, reporting the path of the first field that does not fit.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ConfigError> {
    path::deserialize(&value).map_err(|e| ConfigError::new(e.path(), e.message))
}

/// Parses a whole configuration document into `T` (used by tools and tests; filters go through
/// [`crate::Plugin`], which also takes out the per-route `routes` list).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ConfigError> {
    from_value(serde_json::Value::Object(parse_object(bytes)?))
}

/// A number for a config error, e.g. `0.01`: up to nine decimals, trailing zeros dropped. Written
/// here because `{}` on an f64 links core's float printing (~20 KiB) into every module that does it.
pub fn decimal(value: f64) -> String {
    if !value.is_finite() || value.abs() >= 1e15 {
        return if value.is_nan() { "NaN".into() } else { "a number out of range".into() };
    }
    const SCALE: f64 = 1e9;
    let scaled = (value.abs() * SCALE).round();
    // Exact: below 1e15 * 1e9 < 2^84, but the integer part is below 1e15 < 2^53.
    let whole = (scaled / SCALE).floor();
    let fraction = (scaled - whole * SCALE) as u64;
    let mut text = String::new();
    if value < 0.0 && scaled > 0.0 {
        text.push('-');
    }
    text.push_str(&(whole as u64).to_string());
    if fraction > 0 {
        let digits = format!("{fraction:09}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[path = "config_path.rs"]
mod path;

#[cfg(test)]
#[path = "config_test.rs"]
mod tests;
