//! Shared data and shared queues, common to the emulators given the same `SharedData`.

use super::guest::{check, CallOutcome, Guest};
use crate::abi::Status;
use crate::shared::SetError;

pub(super) fn proxy_get_shared_data(
    guest: &mut Guest<'_, '_>,
    key_ptr: i32,
    key_len: i32,
    ptr_ptr: i32,
    size_ptr: i32,
    cas_ptr: i32,
) -> CallOutcome {
    let key = check!(guest.read_string(key_ptr, key_len));
    let (value, cas) = check!(guest.state().shared.get(&key).ok_or(Status::NotFound));
    check!(guest.give(&value, ptr_ptr, size_ptr)?);
    Ok(guest.write_u32(cas_ptr, cas))
}

pub(super) fn proxy_set_shared_data(
    guest: &mut Guest<'_, '_>,
    key_ptr: i32,
    key_len: i32,
    ptr: i32,
    len: i32,
    cas: i32,
) -> CallOutcome {
    let key = check!(guest.read_string(key_ptr, key_len));
    let value = check!(guest.read(ptr, len));
    Ok(match guest.state().shared.set(&key, value, cas as u32) {
        Ok(()) => Ok(()),
        Err(SetError::CasMismatch) => Err(Status::CasMismatch),
    })
}

pub(super) fn proxy_register_shared_queue(
    guest: &mut Guest<'_, '_>,
    name_ptr: i32,
    name_len: i32,
    id_ptr: i32,
) -> CallOutcome {
    let name = check!(guest.read_string(name_ptr, name_len));
    let state = guest.state();
    let root = state.streams.get(&state.current).map(|s| s.root_id).unwrap_or(state.current);
    let id = state.shared.register_queue(&state.vm_id.clone(), &name, (state.emulator_id, root));
    Ok(guest.write_u32(id_ptr, id))
}

pub(super) fn proxy_resolve_shared_queue(
    guest: &mut Guest<'_, '_>,
    vm_ptr: i32,
    vm_len: i32,
    name_ptr: i32,
    name_len: i32,
    id_ptr: i32,
) -> CallOutcome {
    let vm_id = check!(guest.read_string(vm_ptr, vm_len));
    let name = check!(guest.read_string(name_ptr, name_len));
    let id = check!(guest.state().shared.resolve_queue(&vm_id, &name).ok_or(Status::NotFound));
    Ok(guest.write_u32(id_ptr, id))
}

pub(super) fn proxy_enqueue_shared_queue(guest: &mut Guest<'_, '_>, id: i32, ptr: i32, len: i32) -> CallOutcome {
    let value = check!(guest.read(ptr, len));
    Ok(if guest.state().shared.enqueue(id as u32, value) { Ok(()) } else { Err(Status::NotFound) })
}

pub(super) fn proxy_dequeue_shared_queue(
    guest: &mut Guest<'_, '_>,
    id: i32,
    ptr_ptr: i32,
    size_ptr: i32,
) -> CallOutcome {
    let item = check!(guest.state().shared.dequeue(id as u32).ok_or(Status::NotFound));
    let value = check!(item.ok_or(Status::Empty));
    guest.give(&value, ptr_ptr, size_ptr)
}
