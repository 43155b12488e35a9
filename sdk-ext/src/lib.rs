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
pub mod screen;
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
pub use proxy_wasm as __proxy_wasm;
#[doc(hidden)]
pub use serde_json as __serde_json;

/// Exports filter `F` as a proxy-wasm module (only when building for Wasm).
///
/// Put it behind the filter crate's `module` feature so that a chain can link the same filter as
/// a stage without a second entry point.
#[macro_export]
macro_rules! export_filter {
    ($filter:ty) => {
        #[cfg(target_arch = "wasm32")]
        $crate::__proxy_wasm::main! {{
            $crate::entry::start::<$crate::stage::Stage<$filter>>();
        }}
    };
}
