#![doc = include_str!("../README.md")]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod call;
pub mod config;
pub mod dispatch;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod entry;
pub mod filter;
pub mod header;
pub mod host;
pub mod http;
pub mod matcher;
pub mod metrics;
pub mod pipeline;
pub mod remote;
pub mod reply;
pub mod root;
pub mod route;
pub mod stage;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod uri;
pub mod wire;

pub use call::{CallResponse, HttpCall};
pub use config::ConfigError;
pub use filter::{Filter, Setup, Verdict};
pub use header::HeaderName;
pub use host::{Host, HostError, MapKind};
pub use http::{Http, Phase, RequestNeeds, StreamCore};
pub use metrics::{Counter, Gauge};
pub use reply::LocalReply;
pub use root::Root;
pub use stage::{Action, Stage, StageState};

#[doc(hidden)]
pub use serde_json as __serde_json;

/// Exports filter `F` as a proxy-wasm module (only when building for Wasm).
///
/// Call it in the filter's own `module/` crate (a `cdylib` holding only this line), not in the
/// filter's library: a chain links the library as a stage, and a module has one entry point.
#[macro_export]
macro_rules! export_filter {
    ($filter:ty) => {
        $crate::export_module!($crate::stage::Stage<$filter>);
    };
}

/// Exports a module type (a chain that [`crate::define_chain!`] made) as the proxy-wasm module
/// (only when building for Wasm): the one line of a chain's `module/` crate.
#[macro_export]
macro_rules! export_module {
    ($module:ty) => {
        #[cfg(target_arch = "wasm32")]
        $crate::__entry_point!($module);
    };
}
