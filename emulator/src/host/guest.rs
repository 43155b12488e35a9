//! A host call's view of the module (its memory and allocator), and the frame every proxy-wasm
//! host call runs in: refused during `_initialize`, counted, its status turned into the ABI's code.

use super::state::{HostState, Phase};
use crate::abi::Status;
use wasmi::{Caller, Extern, Memory};

/// A host call's access to the module: its memory and its allocator.
pub(super) struct Guest<'a, 'b> {
    caller: &'a mut Caller<'b, HostState>,
    memory: Memory,
}

impl<'a, 'b> Guest<'a, 'b> {
    pub(super) fn new(caller: &'a mut Caller<'b, HostState>) -> Result<Self, Status> {
        let memory = caller.get_export("memory").and_then(Extern::into_memory).ok_or(Status::InternalFailure)?;
        Ok(Guest { caller, memory })
    }

    pub(super) fn state(&mut self) -> &mut HostState {
        self.caller.data_mut()
    }

    pub(super) fn read(&self, ptr: i32, len: i32) -> Result<Vec<u8>, Status> {
        let mut buffer = vec![0u8; len as u32 as usize];
        self.memory.read(&*self.caller, ptr as u32 as usize, &mut buffer).map_err(|_| Status::InvalidMemoryAccess)?;
        Ok(buffer)
    }

    pub(super) fn read_string(&self, ptr: i32, len: i32) -> Result<String, Status> {
        Ok(String::from_utf8_lossy(&self.read(ptr, len)?).into_owned())
    }

    pub(super) fn write(&mut self, ptr: i32, bytes: &[u8]) -> Result<(), Status> {
        self.memory.write(&mut *self.caller, ptr as u32 as usize, bytes).map_err(|_| Status::InvalidMemoryAccess)
    }

    pub(super) fn write_u32(&mut self, ptr: i32, value: u32) -> Result<(), Status> {
        self.write(ptr, &value.to_le_bytes())
    }

    /// Copies `bytes` into memory the module allocates, and writes where and how long to the
    /// return pointers. Like Envoy, an empty value comes back as a null pointer.
    pub(super) fn give(
        &mut self,
        bytes: &[u8],
        ptr_ptr: i32,
        size_ptr: i32,
    ) -> Result<Result<(), Status>, wasmi::Error> {
        let mut address = 0u32;
        if !bytes.is_empty() {
            let allocate = self
                .caller
                .get_export("proxy_on_memory_allocate")
                .or_else(|| self.caller.get_export("malloc"))
                .and_then(Extern::into_func);
            let Some(allocate) = allocate else { return Ok(Err(Status::InternalFailure)) };
            let allocate = allocate.typed::<i32, i32>(&*self.caller)?;
            address = allocate.call(&mut *self.caller, bytes.len() as i32)? as u32;
            if address == 0 {
                return Ok(Err(Status::InternalFailure));
            }
            if let Err(code) = self.write(address as i32, bytes) {
                return Ok(Err(code));
            }
        }
        if let Err(code) = self.write_u32(ptr_ptr, address) {
            return Ok(Err(code));
        }
        Ok(self.write_u32(size_ptr, bytes.len() as u32))
    }
}

/// What a proxy-wasm host call's body returns: `Ok(Ok(()))` answers `Ok`, `Ok(Err(code))` answers
/// that status, `Err` traps the VM.
pub(super) type CallOutcome = Result<Result<(), Status>, wasmi::Error>;

/// Inside a host call's body: the value, or stop with the status.
macro_rules! check {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(code) => return Ok(Err(code)),
        }
    };
}
pub(super) use check;

/// Runs the body of proxy-wasm host call `name`: refused during `_initialize`, counted for
/// `host_calls()`, and its outcome converted to the ABI's status code.
pub(super) fn proxy_call(
    caller: &mut Caller<'_, HostState>,
    name: &'static str,
    body: impl FnOnce(&mut Guest<'_, '_>) -> CallOutcome,
) -> Result<i32, wasmi::Error> {
    restricted(caller, name)?;
    *caller.data_mut().call_counts.entry(name).or_insert(0) += 1;
    let outcome = match Guest::new(caller) {
        Ok(mut guest) => body(&mut guest)?,
        Err(code) => Err(code),
    };
    let status = match outcome {
        Ok(()) => Status::Ok,
        Err(code) => code,
    };
    Ok(status as i32)
}

/// Envoy refuses host calls while the module's `_initialize` runs ("restricted_callback") and
/// fails the VM; the emulator does the same so that a filter that would not load is caught here.
fn restricted(caller: &mut Caller<'_, HostState>, name: &str) -> Result<(), wasmi::Error> {
    if caller.data().phase == Phase::Initialize {
        let reason = format!("restricted_callback: {name} may not be called during _initialize");
        caller.data_mut().host_failure.get_or_insert(reason.clone());
        return Err(wasmi::Error::new(reason));
    }
    Ok(())
}
