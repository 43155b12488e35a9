//! Logging: `proxy_log` and `proxy_get_log_level`.

use super::guest::{check, CallOutcome, Guest};
use crate::abi::{LogLevel, Status};

pub(super) fn proxy_log(guest: &mut Guest<'_, '_>, level: i32, ptr: i32, len: i32) -> CallOutcome {
    let level = check!(LogLevel::from_i32(level).ok_or(Status::BadArgument));
    let message = check!(guest.read_string(ptr, len));
    guest.state().log(level, message);
    Ok(Ok(()))
}

pub(super) fn proxy_get_log_level(guest: &mut Guest<'_, '_>, ptr: i32) -> CallOutcome {
    let level = guest.state().log_level as u32;
    Ok(guest.write_u32(ptr, level))
}
