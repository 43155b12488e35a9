//! Raw proxy-wasm ABI 0.2.1 imports, wrapped so that no host answer can panic the module.
//!
//! The `proxy-wasm` crate's own wrappers `panic!` on an unexpected status and `unwrap` UTF-8
//! conversions of header values: a client sending a Latin-1 header value would kill the VM and every
//! request on its worker. These wrappers return bytes and errors instead. Statuses are taken as
//! `u32`, never transmuted into an enum, so an unknown status cannot be undefined behaviour.

use super::{HostCall, HostError, HostReply, MapKind};
use std::ptr::{null, null_mut};

const OK: u32 = 0;
const NOT_FOUND: u32 = 1;
const BAD_ARGUMENT: u32 = 2;
const CAS_MISMATCH: u32 = 8;

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_header_map_value(
        map: u32,
        key_data: *const u8,
        key_size: usize,
        value_data: *mut *mut u8,
        value_size: *mut usize,
    ) -> u32;
    fn proxy_get_header_map_pairs(map: u32, data: *mut *mut u8, size: *mut usize) -> u32;
    fn proxy_replace_header_map_value(map: u32, key: *const u8, key_len: usize, val: *const u8, val_len: usize) -> u32;
    fn proxy_add_header_map_value(map: u32, key: *const u8, key_len: usize, val: *const u8, val_len: usize) -> u32;
    fn proxy_remove_header_map_value(map: u32, key_data: *const u8, key_size: usize) -> u32;
    fn proxy_get_property(path_data: *const u8, path_size: usize, data: *mut *mut u8, size: *mut usize) -> u32;
    fn proxy_send_local_response(
        status_code: u32,
        details_data: *const u8,
        details_size: usize,
        body_data: *const u8,
        body_size: usize,
        headers_data: *const u8,
        headers_size: usize,
        grpc_status: i32,
    ) -> u32;
    fn proxy_define_metric(metric_type: u32, name_data: *const u8, name_size: usize, id: *mut u32) -> u32;
    fn proxy_increment_metric(id: u32, offset: i64) -> u32;
    fn proxy_record_metric(id: u32, value: u64) -> u32;
    fn proxy_get_current_time_nanoseconds(nanos: *mut u64) -> u32;
    fn proxy_get_buffer_bytes(
        buffer_type: u32,
        start: usize,
        max_size: usize,
        data: *mut *mut u8,
        size: *mut usize,
    ) -> u32;
    fn proxy_get_log_level(level: *mut u32) -> u32;
    fn proxy_log(level: u32, message_data: *const u8, message_size: usize) -> u32;
    fn proxy_http_call(
        upstream_data: *const u8,
        upstream_size: usize,
        headers_data: *const u8,
        headers_size: usize,
        body_data: *const u8,
        body_size: usize,
        trailers_data: *const u8,
        trailers_size: usize,
        timeout_milliseconds: u32,
        token: *mut u32,
    ) -> u32;
    fn proxy_get_shared_data(
        key_data: *const u8,
        key_size: usize,
        value_data: *mut *mut u8,
        value_size: *mut usize,
        cas: *mut u32,
    ) -> u32;
    fn proxy_set_shared_data(
        key_data: *const u8,
        key_size: usize,
        value_data: *const u8,
        value_size: usize,
        cas: u32,
    ) -> u32;
    fn proxy_set_tick_period_milliseconds(period: u32) -> u32;
    fn proxy_set_effective_context(context_id: u32) -> u32;
    fn proxy_continue_stream(stream_type: u32) -> u32;
}

fn status(code: u32) -> Result<(), HostError> {
    match code {
        OK => Ok(()),
        NOT_FOUND => Err(HostError::NotFound),
        BAD_ARGUMENT => Err(HostError::BadArgument),
        CAS_MISMATCH => Err(HostError::CasMismatch),
        other => Err(HostError::Status(other)),
    }
}

/// Takes ownership of a buffer the host allocated through `proxy_on_memory_allocate` (which the
/// `proxy-wasm` crate exports as a `Vec<u8>` of exactly `size` capacity).
unsafe fn take_buffer(data: *mut u8, size: usize) -> Vec<u8> {
    if data.is_null() || size == 0 {
        Vec::new()
    } else {
        Vec::from_raw_parts(data, size, size)
    }
}

pub fn get_header(map: MapKind, name: &str) -> Result<Option<Vec<u8>>, HostError> {
    let mut data = null_mut();
    let mut size = 0;
    let code = unsafe { proxy_get_header_map_value(map as u32, name.as_ptr(), name.len(), &mut data, &mut size) };
    match status(code) {
        Ok(()) => Ok(Some(unsafe { take_buffer(data, size) })),
        Err(HostError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn get_headers(map: MapKind) -> Result<Vec<(String, Vec<u8>)>, HostError> {
    let mut data = null_mut();
    let mut size = 0;
    status(unsafe { proxy_get_header_map_pairs(map as u32, &mut data, &mut size) })?;
    let bytes = unsafe { take_buffer(data, size) };
    Ok(crate::wire::decode_pairs(&bytes)
        .into_iter()
        // Names are ASCII in practice: take the bytes as they are, copy only when they are not UTF-8.
        .map(|(name, value)| {
            let name = String::from_utf8(name).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            (name, value)
        })
        .collect())
}

pub fn replace_header(map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError> {
    status(unsafe {
        proxy_replace_header_map_value(map as u32, name.as_ptr(), name.len(), value.as_ptr(), value.len())
    })
}

pub fn add_header(map: MapKind, name: &str, value: &[u8]) -> Result<(), HostError> {
    status(unsafe { proxy_add_header_map_value(map as u32, name.as_ptr(), name.len(), value.as_ptr(), value.len()) })
}

pub fn remove_header(map: MapKind, name: &str) -> Result<(), HostError> {
    status(unsafe { proxy_remove_header_map_value(map as u32, name.as_ptr(), name.len()) })
}

pub fn get_property(path: &[&str]) -> Result<Option<Vec<u8>>, HostError> {
    let encoded = crate::wire::encode_property_path(path);
    let mut data = null_mut();
    let mut size = 0;
    let code = unsafe { proxy_get_property(encoded.as_ptr(), encoded.len(), &mut data, &mut size) };
    match status(code) {
        Ok(()) => Ok(Some(unsafe { take_buffer(data, size) })),
        Err(HostError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn send_local_response(reply: &HostReply<'_>) -> Result<(), HostError> {
    let encoded = crate::wire::encode_pairs(reply.headers);
    status(unsafe {
        proxy_send_local_response(
            u32::from(reply.status),
            reply.details.as_ptr(),
            reply.details.len(),
            if reply.body.is_empty() { null() } else { reply.body.as_ptr() },
            reply.body.len(),
            encoded.as_ptr(),
            encoded.len(),
            -1,
        )
    })
}

/// Metric types of the ABI: 0 counter, 1 gauge.
pub fn define_metric(metric_type: u32, name: &str) -> Result<u32, HostError> {
    let mut id = 0;
    status(unsafe { proxy_define_metric(metric_type, name.as_ptr(), name.len(), &mut id) })?;
    Ok(id)
}

pub fn record_metric(id: u32, value: u64) -> Result<(), HostError> {
    status(unsafe { proxy_record_metric(id, value) })
}

pub fn increment_metric(id: u32, delta: i64) -> Result<(), HostError> {
    status(unsafe { proxy_increment_metric(id, delta) })
}

pub fn current_time_nanos() -> Result<u64, HostError> {
    let mut nanos = 0;
    status(unsafe { proxy_get_current_time_nanoseconds(&mut nanos) })?;
    Ok(nanos)
}

// WASI's environment calls: Envoy answers them from the VM's `environment_variables` (Istio's
// WasmPlugin `vmConfig.env`), for `wasm32-unknown-unknown` modules too.
#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn environ_sizes_get(count: *mut u32, bytes: *mut u32) -> u32;
    fn environ_get(pointers: *mut u32, bytes: *mut u8) -> u32;
}

/// Longest environment the module reads, in bytes: a host saying more is not believed.
const MAX_ENVIRONMENT_BYTES: u32 = 16 << 20;

/// The VM's environment: `NAME=value` entries, each ended by a NUL; empty when the host has none
/// or answers oddly.
pub fn environment() -> Vec<u8> {
    let (mut count, mut size) = (0u32, 0u32);
    if unsafe { environ_sizes_get(&mut count, &mut size) } != 0
        || count == 0
        || count > size
        || size > MAX_ENVIRONMENT_BYTES
    {
        return Vec::new();
    }
    // The host writes `count` pointers, and the entries one after another into `bytes`.
    let mut pointers = vec![0u32; count as usize];
    let mut bytes = vec![0u8; size as usize];
    if unsafe { environ_get(pointers.as_mut_ptr(), bytes.as_mut_ptr()) } != 0 {
        return Vec::new();
    }
    bytes
}

/// Buffer 7 of the ABI: the plugin configuration.
pub fn plugin_configuration() -> Result<Vec<u8>, HostError> {
    let mut data = null_mut();
    let mut size = 0;
    match status(unsafe { proxy_get_buffer_bytes(7, 0, usize::MAX, &mut data, &mut size) }) {
        Ok(()) => Ok(unsafe { take_buffer(data, size) }),
        Err(HostError::NotFound) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The host's log level (0 trace .. 5 critical), so that disabled levels cost nothing here.
pub fn log_level() -> Result<u32, HostError> {
    let mut level = 0;
    status(unsafe { proxy_get_log_level(&mut level) })?;
    Ok(level)
}

/// Writes to the host's log (0 trace .. 5 critical). A line that cannot be logged is dropped.
pub fn log(level: u32, message: &str) {
    // SAFETY: the host reads `message` during the call only.
    let _ = unsafe { proxy_log(level, message.as_ptr(), message.len()) };
}

/// Dispatches an HTTP call; returns its token.
pub fn http_call(call: &HostCall<'_>) -> Result<u32, HostError> {
    let headers: Vec<(&str, &[u8])> = call.headers.iter().map(|(name, value)| (*name, value.as_bytes())).collect();
    let headers = crate::wire::encode_pairs(&headers);
    let trailers = crate::wire::encode_pairs(&[]);
    let body = call.body.unwrap_or_default();
    let timeout = u32::try_from(call.timeout.as_millis()).unwrap_or(u32::MAX);
    let mut token = 0;
    status(unsafe {
        proxy_http_call(
            call.cluster.as_ptr(),
            call.cluster.len(),
            headers.as_ptr(),
            headers.len(),
            if body.is_empty() { null() } else { body.as_ptr() },
            body.len(),
            trailers.as_ptr(),
            trailers.len(),
            timeout,
            &mut token,
        )
    })?;
    Ok(token)
}

/// Buffer 4 of the ABI: the body of the callout response being delivered.
pub fn call_response_body(max: usize) -> Result<Vec<u8>, HostError> {
    let mut data = null_mut();
    let mut size = 0;
    match status(unsafe { proxy_get_buffer_bytes(4, 0, max, &mut data, &mut size) }) {
        Ok(()) => Ok(unsafe { take_buffer(data, size) }),
        Err(HostError::NotFound) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

pub fn get_shared_data(key: &str) -> Result<(Option<Vec<u8>>, u32), HostError> {
    let mut data = null_mut();
    let mut size = 0;
    let mut cas = 0;
    match status(unsafe { proxy_get_shared_data(key.as_ptr(), key.len(), &mut data, &mut size, &mut cas) }) {
        Ok(()) => Ok((Some(unsafe { take_buffer(data, size) }), cas)),
        Err(HostError::NotFound) => Ok((None, cas)),
        Err(e) => Err(e),
    }
}

/// `cas` 0 writes unconditionally (the ABI's convention).
pub fn set_shared_data(key: &str, value: &[u8], cas: u32) -> Result<(), HostError> {
    status(unsafe { proxy_set_shared_data(key.as_ptr(), key.len(), value.as_ptr(), value.len(), cas) })
}

pub fn set_tick_period_ms(period: u32) -> Result<(), HostError> {
    status(unsafe { proxy_set_tick_period_milliseconds(period) })
}

pub fn set_effective_context(context_id: u32) -> Result<(), HostError> {
    status(unsafe { proxy_set_effective_context(context_id) })
}

/// Stream type 0 of the ABI: the HTTP request.
pub fn continue_request() -> Result<(), HostError> {
    status(unsafe { proxy_continue_stream(0) })
}
