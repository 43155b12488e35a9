//! The host side of the ABI: the state a VM sees, and every host call the emulator implements, one
//! file per area of the ABI. `imports.rs` holds the one list of those calls; the rest derives from it.

mod buffers;
mod callouts;
mod contexts;
mod guest;
mod headers;
mod imports;
mod logging;
mod metrics;
mod properties;
mod shared_data;
mod state;
mod stream;
mod stream_control;
mod time;
mod wasi;

pub(crate) use imports::{define, stub_missing};
pub use imports::{IMPLEMENTED, NOT_IMPLEMENTED};
pub(crate) use state::{HostState, Phase};
pub use stream::{RequestState, Stream};
