//! Properties: `proxy_get_property` and `proxy_set_property`.

use super::guest::{check, CallOutcome, Guest};
use super::state::HostState;
use crate::abi::{self, Status};

impl HostState {
    /// The request's own value, else the VM's, else the plugin's identity Envoy always knows.
    fn property(&self, path: &str) -> Option<Vec<u8>> {
        if let Some(value) = self.stream().and_then(|s| s.properties.get(path)) {
            return Some(value.clone());
        }
        if let Some(value) = self.properties.get(path) {
            return Some(value.clone());
        }
        match path {
            "plugin_name" => Some(self.plugin_name.clone().into_bytes()),
            "plugin_root_id" => Some(self.root_id_name.clone().into_bytes()),
            "plugin_vm_id" => Some(self.vm_id.clone().into_bytes()),
            _ => None,
        }
    }
}

pub(super) fn proxy_get_property(
    guest: &mut Guest<'_, '_>,
    path_ptr: i32,
    path_len: i32,
    ptr_ptr: i32,
    size_ptr: i32,
) -> CallOutcome {
    let path = abi::decode_property_path(&check!(guest.read(path_ptr, path_len)));
    let value = check!(guest.state().property(&path).ok_or(Status::NotFound));
    guest.give(&value, ptr_ptr, size_ptr)
}

pub(super) fn proxy_set_property(
    guest: &mut Guest<'_, '_>,
    path_ptr: i32,
    path_len: i32,
    ptr: i32,
    len: i32,
) -> CallOutcome {
    let path = abi::decode_property_path(&check!(guest.read(path_ptr, path_len)));
    let value = check!(guest.read(ptr, len));
    let state = guest.state();
    match state.stream_mut() {
        Some(stream) => stream.properties.insert(path, value),
        None => state.properties.insert(path, value),
    };
    Ok(Ok(()))
}
