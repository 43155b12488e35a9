//! The public API of getrandom 0.1, backed by the proxy's `random_get` on wasm32-unknown-unknown
//! and by `/dev/urandom` elsewhere. See README.md for why.

use core::fmt;
use core::num::NonZeroU32;

/// An error code, as in getrandom 0.1.
#[derive(Copy, Clone, Eq, PartialEq)]
pub struct Error(NonZeroU32);

const INTERNAL_UNAVAILABLE: u32 = Error::INTERNAL_START;

impl Error {
    pub const UNKNOWN: Error = Error(match NonZeroU32::new(INTERNAL_UNAVAILABLE) {
        Some(code) => code,
        None => NonZeroU32::MIN,
    });
    pub const UNAVAILABLE: Error = Error::UNKNOWN;
    pub const INTERNAL_START: u32 = 1 << 31;
    pub const CUSTOM_START: u32 = (1 << 31) + (1 << 30);

    /// The OS or WASI error number, if this is one.
    pub fn raw_os_error(self) -> Option<i32> {
        if self.0.get() < Self::INTERNAL_START {
            Some(self.0.get() as i32)
        } else {
            None
        }
    }

    pub fn code(self) -> NonZeroU32 {
        self.0
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error {{ code: {} }}", self.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.raw_os_error() {
            Some(errno) => write!(f, "random source error {errno}"),
            None => f.write_str("no random source available"),
        }
    }
}

impl From<NonZeroU32> for Error {
    fn from(code: NonZeroU32) -> Self {
        Error(code)
    }
}

impl std::error::Error for Error {}

fn errno(code: u32) -> Error {
    NonZeroU32::new(code).map_or(Error::UNKNOWN, Error)
}

/// Fills `dest` with random bytes.
pub fn getrandom(dest: &mut [u8]) -> Result<(), Error> {
    if dest.is_empty() {
        return Ok(());
    }
    imp::fill(dest)
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod imp {
    use super::{errno, Error};

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        /// WASI `random_get(buf, buf_len) -> errno`.
        fn random_get(buf: *mut u8, buf_len: usize) -> i32;
    }

    pub fn fill(dest: &mut [u8]) -> Result<(), Error> {
        // SAFETY: the host writes at most `dest.len()` bytes into `dest`.
        match unsafe { random_get(dest.as_mut_ptr(), dest.len()) } {
            0 => Ok(()),
            code => Err(errno(code as u32)),
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod imp {
    use super::{errno, Error};
    use std::io::Read;

    pub fn fill(dest: &mut [u8]) -> Result<(), Error> {
        std::fs::File::open("/dev/urandom")
            .and_then(|mut file| file.read_exact(dest))
            .map_err(|e| errno(e.raw_os_error().unwrap_or(0) as u32))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_with_something_other_than_zeros() {
        let mut bytes = [0u8; 64];
        super::getrandom(&mut bytes).unwrap();
        assert!(bytes.iter().any(|b| *b != 0));
    }
}
