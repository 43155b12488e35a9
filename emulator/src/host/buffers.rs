//! Buffers: the plugin and VM configuration, request and response bodies, callout bodies.

use super::guest::{check, CallOutcome, Guest};
use super::state::{HostState, Phase};
use crate::abi::{BufferType, Status};

impl HostState {
    /// The buffer `buffer`, where it exists now (bodies only in their own callbacks, as in Envoy).
    fn buffer(&self, buffer: BufferType) -> Result<&[u8], Status> {
        match buffer {
            BufferType::PluginConfiguration => Ok(&self.plugin_config),
            BufferType::VmConfiguration => Ok(&self.vm_config),
            BufferType::HttpCallResponseBody => {
                self.call_answer.as_ref().map(|a| a.body.as_slice()).ok_or(Status::NotFound)
            }
            BufferType::HttpRequestBody if self.phase == Phase::RequestBody => {
                self.stream().map(|s| s.request_body.as_slice()).ok_or(Status::NotFound)
            }
            BufferType::HttpResponseBody if self.phase == Phase::ResponseBody => {
                self.stream().map(|s| s.response_body.as_slice()).ok_or(Status::NotFound)
            }
            _ => Err(Status::NotFound),
        }
    }

    fn buffer_mut(&mut self, buffer: BufferType) -> Result<&mut Vec<u8>, Status> {
        let phase = self.phase;
        let stream = self.stream_mut().ok_or(Status::NotFound)?;
        match buffer {
            BufferType::HttpRequestBody if phase == Phase::RequestBody => Ok(&mut stream.request_body),
            BufferType::HttpResponseBody if phase == Phase::ResponseBody => Ok(&mut stream.response_body),
            _ => Err(Status::NotFound),
        }
    }
}

pub(super) fn proxy_get_buffer_bytes(
    guest: &mut Guest<'_, '_>,
    kind: i32,
    start: i32,
    max: i32,
    ptr_ptr: i32,
    size_ptr: i32,
) -> CallOutcome {
    let kind = check!(BufferType::from_i32(kind).ok_or(Status::BadArgument));
    let (start, max) = (start as u32 as usize, max as u32 as usize);
    let buffer = check!(guest.state().buffer(kind));
    if start > buffer.len() {
        return Ok(Err(Status::BadArgument));
    }
    let end = start.saturating_add(max).min(buffer.len());
    let bytes = buffer.get(start..end).unwrap_or_default().to_vec();
    guest.give(&bytes, ptr_ptr, size_ptr)
}

pub(super) fn proxy_set_buffer_bytes(
    guest: &mut Guest<'_, '_>,
    kind: i32,
    start: i32,
    size: i32,
    ptr: i32,
    len: i32,
) -> CallOutcome {
    let kind = check!(BufferType::from_i32(kind).ok_or(Status::BadArgument));
    let bytes = check!(guest.read(ptr, len));
    let buffer = check!(guest.state().buffer_mut(kind));
    let start = (start as u32 as usize).min(buffer.len());
    let end = start.saturating_add(size as u32 as usize).min(buffer.len());
    buffer.splice(start..end, bytes);
    Ok(Ok(()))
}
