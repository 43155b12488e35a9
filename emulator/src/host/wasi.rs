//! WASI calls: Envoy gives every module these, `wasm32-unknown-unknown` ones included. They answer
//! WASI errno values and are not counted in `host_calls()` (proxy-wasm calls only).

use super::guest::Guest;
use super::state::HostState;
use crate::abi::LogLevel;
use wasmi::Caller;

const ERRNO_SUCCESS: i32 = 0;
const ERRNO_BADF: i32 = 8;
/// A pointer outside the module's memory.
const ERRNO_FAULT: i32 = 21;

type Errno = Result<i32, wasmi::Error>;

fn errno_of(written: bool) -> Errno {
    Ok(if written { ERRNO_SUCCESS } else { ERRNO_FAULT })
}

impl HostState {
    fn next_random(&mut self) -> u64 {
        // xorshift64*: deterministic per seed, which keeps emulator runs repeatable.
        let mut x = self.random_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random_state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

pub(super) fn random_get(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32) -> Errno {
    let Ok(mut guest) = Guest::new(caller) else { return Ok(ERRNO_FAULT) };
    let mut bytes = Vec::with_capacity(len as u32 as usize);
    while bytes.len() < len as u32 as usize {
        bytes.extend_from_slice(&guest.state().next_random().to_le_bytes());
    }
    bytes.truncate(len as u32 as usize);
    errno_of(guest.write(ptr, &bytes).is_ok())
}

/// Standard output and error become Info and Error log lines.
pub(super) fn fd_write(caller: &mut Caller<'_, HostState>, fd: i32, iovs: i32, count: i32, written_ptr: i32) -> Errno {
    let Ok(mut guest) = Guest::new(caller) else { return Ok(ERRNO_FAULT) };
    let mut text = Vec::new();
    for index in 0..count {
        let Ok(entry) = guest.read(iovs + index * 8, 8) else { return Ok(ERRNO_FAULT) };
        let word = |at: usize| entry.get(at..at + 4).and_then(|w| w.try_into().ok()).map(i32::from_le_bytes);
        let (Some(ptr), Some(len)) = (word(0), word(4)) else { return Ok(ERRNO_FAULT) };
        let Ok(chunk) = guest.read(ptr, len) else { return Ok(ERRNO_FAULT) };
        text.extend_from_slice(&chunk);
    }
    let level = match fd {
        1 => LogLevel::Info,
        2 => LogLevel::Error,
        _ => return Ok(ERRNO_BADF),
    };
    let written = text.len() as u32;
    let message = String::from_utf8_lossy(&text).trim_end().to_string();
    guest.state().log(level, message);
    errno_of(guest.write_u32(written_ptr, written).is_ok())
}

/// The emulated clock, whichever clock is asked for.
pub(super) fn clock_time_get(caller: &mut Caller<'_, HostState>, _clock: i32, _precision: i64, ptr: i32) -> Errno {
    let Ok(mut guest) = Guest::new(caller) else { return Ok(ERRNO_FAULT) };
    let now = guest.state().now_nanos;
    errno_of(guest.write(ptr, &now.to_le_bytes()).is_ok())
}

/// The environment as WASI lays it out: `NAME=value\0` entries, one after another.
fn environment_entries(state: &HostState) -> Vec<Vec<u8>> {
    state.environment.iter().map(|(name, value)| format!("{name}={value}\0").into_bytes()).collect()
}

pub(super) fn environ_sizes_get(caller: &mut Caller<'_, HostState>, count_ptr: i32, size_ptr: i32) -> Errno {
    let Ok(mut guest) = Guest::new(caller) else { return Ok(ERRNO_FAULT) };
    let entries = environment_entries(guest.state());
    let size: usize = entries.iter().map(Vec::len).sum();
    errno_of(guest.write_u32(count_ptr, entries.len() as u32).is_ok() && guest.write_u32(size_ptr, size as u32).is_ok())
}

/// Writes a pointer per entry at `pointers` and the entries themselves from `bytes` on.
pub(super) fn environ_get(caller: &mut Caller<'_, HostState>, pointers: i32, bytes: i32) -> Errno {
    let Ok(mut guest) = Guest::new(caller) else { return Ok(ERRNO_FAULT) };
    let entries = environment_entries(guest.state());
    let mut at = bytes;
    for (index, entry) in entries.iter().enumerate() {
        let written = guest.write_u32(pointers + 4 * index as i32, at as u32).is_ok() && guest.write(at, entry).is_ok();
        if !written {
            return Ok(ERRNO_FAULT);
        }
        at += entry.len() as i32;
    }
    Ok(ERRNO_SUCCESS)
}

/// No arguments: zero entries of zero bytes.
fn no_entries(caller: &mut Caller<'_, HostState>, count_ptr: i32, size_ptr: i32) -> Errno {
    let Ok(mut guest) = Guest::new(caller) else { return Ok(ERRNO_FAULT) };
    errno_of(guest.write_u32(count_ptr, 0).is_ok() && guest.write_u32(size_ptr, 0).is_ok())
}

pub(super) fn args_sizes_get(caller: &mut Caller<'_, HostState>, count_ptr: i32, size_ptr: i32) -> Errno {
    no_entries(caller, count_ptr, size_ptr)
}

/// Zero entries (see `args_sizes_get`): nothing to write.
pub(super) fn args_get(_caller: &mut Caller<'_, HostState>, _pointers: i32, _bytes: i32) -> Errno {
    Ok(ERRNO_SUCCESS)
}

/// A module that exits traps with its exit code.
pub(super) fn proc_exit(_caller: &mut Caller<'_, HostState>, code: i32) -> Result<(), wasmi::Error> {
    Err(wasmi::Error::i32_exit(code))
}
