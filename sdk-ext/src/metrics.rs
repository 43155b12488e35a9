//! Counters, defined once when the configuration loads and named `sieve.<filter>.<name>`.

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
