//! The clock and timers: `proxy_get_current_time_nanoseconds`, `proxy_set_tick_period_milliseconds`.

use super::guest::{CallOutcome, Guest};
use crate::abi::Status;

/// A root context's timer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timer {
    pub period_nanos: u64,
    pub next_due: u64,
}

pub(super) fn proxy_get_current_time_nanoseconds(guest: &mut Guest<'_, '_>, ptr: i32) -> CallOutcome {
    let now = guest.state().now_nanos;
    Ok(guest.write(ptr, &now.to_le_bytes()))
}

pub(super) fn proxy_set_tick_period_milliseconds(guest: &mut Guest<'_, '_>, period: i32) -> CallOutcome {
    let state = guest.state();
    let root = state.current;
    if !state.roots.contains(&root) {
        return Ok(Err(Status::BadArgument));
    }
    if period == 0 {
        state.timers.remove(&root);
    } else {
        let period_nanos = u64::from(period as u32) * 1_000_000;
        state.timers.insert(root, Timer { period_nanos, next_due: state.now_nanos + period_nanos });
    }
    Ok(Ok(()))
}
