//! Counters, defined once when the configuration loads and named `sieve.<filter>.<name>`.
//!
//! That dotted name is what code, tests and docs use. The host gets it in the tag convention that
//! Istio's bootstrap extracts (`extraStatTags`) and the shipped Envoy configs' `stats_tags` match:
//! `tag=.=value;.;` pairs, then the family. Envoy then shows one Prometheus family per kind with
//! the dimensions as labels instead of dozens of names:
//!
//! | dotted name | Prometheus (`/stats/prometheus`) |
//! |---|---|
//! | `sieve.<filter>.<outcome>` | `sieve_events_total{filter, outcome}` |
//! | `sieve.<filter>.<provider>.<outcome>` | `sieve_provider_events_total{filter, provider, outcome, reason=""}` |
//! | `sieve.<filter>.<provider>.<outcome>.<reason>` | `sieve_provider_events_total{filter, provider, outcome, reason}` |

/// The family of `sieve.<filter>.<outcome>`.
pub const EVENTS_FAMILY: &str = "sieve_events_total";
/// The family of `sieve.<filter>.<provider>.<outcome>[.<reason>]`.
pub const PROVIDER_EVENTS_FAMILY: &str = "sieve_provider_events_total";
/// The labels, in the order the dotted name carries them.
pub const LABELS: [&str; 4] = ["filter", "provider", "outcome", "reason"];

/// The name the host gets for counter `name` of `filter` (`name` is `outcome`,
/// `provider.outcome` or `provider.outcome.reason`; anything else keeps the dotted form).
pub fn host_counter_name(filter: &str, name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    let (family, values): (&str, [&str; 4]) = match parts.as_slice() {
        [outcome] => (EVENTS_FAMILY, [filter, "", outcome, ""]),
        [provider, outcome] => (PROVIDER_EVENTS_FAMILY, [filter, provider, outcome, ""]),
        [provider, outcome, reason] => (PROVIDER_EVENTS_FAMILY, [filter, provider, outcome, reason]),
        _ => return format!("sieve.{filter}.{name}"),
    };
    // A value is one label value: nothing that could read as the convention's separators.
    let safe = |value: &str| value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let [_, provider, outcome, reason] = values;
    let provider_ok = family == EVENTS_FAMILY || !provider.is_empty();
    let reason_ok = parts.len() < 3 || !reason.is_empty();
    if outcome.is_empty() || !provider_ok || !reason_ok || !values.iter().all(|v| safe(v)) {
        return format!("sieve.{filter}.{name}");
    }
    let mut host = String::new();
    for (label, value) in LABELS.iter().zip(values) {
        // The events family has no provider or reason; the provider family always has all four.
        if family == EVENTS_FAMILY && value.is_empty() {
            continue;
        }
        host.push_str(label);
        host.push_str("=.=");
        host.push_str(value);
        host.push_str(";.;");
    }
    host.push_str(family);
    host
}

/// The dotted name of a host counter name made by [`host_counter_name`] (other names unchanged):
/// what tests and tools look counters up by.
pub fn dotted_counter_name(host: &str) -> String {
    let Some(family_at) = host.rfind(";.;") else { return host.to_string() };
    let family = &host[family_at + 3..];
    if family != EVENTS_FAMILY && family != PROVIDER_EVENTS_FAMILY {
        return host.to_string();
    }
    let mut values = [""; 4];
    for pair in host[..family_at].split(";.;") {
        let Some((label, value)) = pair.split_once("=.=") else { return host.to_string() };
        match LABELS.iter().position(|l| *l == label) {
            Some(index) => {
                if let Some(slot) = values.get_mut(index) {
                    *slot = value;
                }
            }
            None => return host.to_string(),
        }
    }
    let mut dotted = String::from("sieve");
    for value in values.iter().filter(|v| !v.is_empty()) {
        dotted.push('.');
        dotted.push_str(value);
    }
    dotted
}

/// A counter defined on the host. Incrementing a counter the host refused to define does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter(pub(crate) Option<u32>);

impl Counter {
    /// A counter that counts nothing (for tests and optional stats).
    pub const NONE: Counter = Counter(None);

    /// Adds `delta` through `host` (for code that holds the host rather than an `Http` or `Root`).
    pub fn add(self, host: &mut dyn crate::Host, delta: i64) {
        if let Some(id) = self.0 {
            host.increment_counter(id, delta);
        }
    }
}

/// A gauge defined on the host (a value that goes up and down: a list's size or version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauge(pub(crate) Option<u32>);

impl Gauge {
    pub const NONE: Gauge = Gauge(None);

    pub fn set(self, host: &mut dyn crate::Host, value: u64) {
        if let Some(id) = self.0 {
            host.set_gauge(id, value);
        }
    }
}

/// Declares a filter's counters in one list: a struct with one [`Counter`] per name, `define`
/// (called from `Filter::configure`) and `NAMES` (for docs and tests).
///
/// ```text
/// sieve_sdk_ext::counters! {
///     pub struct Stats { requests, denied }
/// }
/// ```
#[macro_export]
macro_rules! counters {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($(#[$field_meta:meta])* $field:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name {
            $($(#[$field_meta])* pub $field: $crate::Counter,)*
        }

        impl $name {
            /// Every counter name, without the `sieve.<filter>.` prefix.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),*];

            pub fn define(setup: &mut $crate::Setup<'_>) -> Self {
                $name { $($field: setup.counter(stringify!($field)),)* }
            }
        }
    };
}

#[cfg(test)]
#[path = "metrics_test.rs"]
mod tests;
