//! Contexts: `proxy_set_effective_context` (which context later host calls act on) and `proxy_done`.

use super::guest::{CallOutcome, Guest};
use crate::abi::Status;

pub(super) fn proxy_set_effective_context(guest: &mut Guest<'_, '_>, context: i32) -> CallOutcome {
    let state = guest.state();
    let context = context as u32;
    if !state.streams.contains_key(&context) && !state.roots.contains(&context) {
        return Ok(Err(Status::BadArgument));
    }
    state.current = context;
    Ok(Ok(()))
}

/// A root context saying it finished its work after `proxy_on_done` returned false: accepted.
pub(super) fn proxy_done(_guest: &mut Guest<'_, '_>) -> CallOutcome {
    Ok(Ok(()))
}
