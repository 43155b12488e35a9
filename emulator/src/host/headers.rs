//! Header maps: request and response headers and trailers, callout response headers and trailers.

use super::guest::{check, CallOutcome, Guest};
use super::state::{HostState, Phase};
use super::stream::find;
use crate::abi::{self, MapType, Status};

/// The header map a host call names.
fn map_type(map: i32) -> Result<MapType, Status> {
    MapType::from_i32(map).ok_or(Status::BadArgument)
}

/// The map and the header name a call that changes one header passes; the name lower-cased, as
/// Envoy hands names to filters.
fn map_and_name(guest: &Guest<'_, '_>, map: i32, key_ptr: i32, key_len: i32) -> Result<(MapType, String), Status> {
    Ok((map_type(map)?, guest.read_string(key_ptr, key_len)?.to_ascii_lowercase()))
}

impl HostState {
    fn in_log_phase(&self) -> bool {
        self.phase == Phase::Log
    }

    fn map(&self, map: MapType) -> Result<&Vec<(String, String)>, Status> {
        if map == MapType::CallResponseHeaders || map == MapType::CallResponseTrailers {
            let answer = self.call_answer.as_ref().ok_or(Status::NotFound)?;
            return Ok(if map == MapType::CallResponseHeaders { &answer.headers } else { &answer.trailers });
        }
        let log_phase = self.in_log_phase();
        let stream = self.stream().ok_or(Status::BadArgument)?;
        match map {
            MapType::RequestHeaders if stream.request_headers_held || log_phase => Ok(&stream.request_headers),
            MapType::ResponseHeaders if stream.response_headers_held || log_phase => Ok(&stream.response_headers),
            MapType::RequestTrailers if self.phase == Phase::RequestTrailers => Ok(&stream.request_trailers),
            MapType::ResponseTrailers if self.phase == Phase::ResponseTrailers => Ok(&stream.response_trailers),
            _ => Err(Status::BadArgument),
        }
    }

    fn map_mut(&mut self, map: MapType) -> Result<&mut Vec<(String, String)>, Status> {
        let phase = self.phase;
        let stream = self.stream_mut().ok_or(Status::BadArgument)?;
        match map {
            MapType::RequestHeaders if stream.request_headers_held => Ok(&mut stream.request_headers),
            MapType::ResponseHeaders if stream.response_headers_held => Ok(&mut stream.response_headers),
            MapType::RequestTrailers if phase == Phase::RequestTrailers => Ok(&mut stream.request_trailers),
            MapType::ResponseTrailers if phase == Phase::ResponseTrailers => Ok(&mut stream.response_trailers),
            _ => Err(Status::BadArgument),
        }
    }
}

pub(super) fn proxy_get_header_map_pairs(
    guest: &mut Guest<'_, '_>,
    map: i32,
    ptr_ptr: i32,
    size_ptr: i32,
) -> CallOutcome {
    let map = check!(map_type(map));
    let encoded = abi::encode_pairs(check!(guest.state().map(map)));
    guest.give(&encoded, ptr_ptr, size_ptr)
}

pub(super) fn proxy_set_header_map_pairs(guest: &mut Guest<'_, '_>, map: i32, ptr: i32, len: i32) -> CallOutcome {
    let map = check!(map_type(map));
    let bytes = check!(guest.read(ptr, len));
    let pairs = check!(abi::decode_pairs(&bytes).ok_or(Status::ParseFailure));
    let target = check!(guest.state().map_mut(map));
    *target = pairs.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
    Ok(Ok(()))
}

pub(super) fn proxy_get_header_map_value(
    guest: &mut Guest<'_, '_>,
    map: i32,
    key_ptr: i32,
    key_len: i32,
    ptr_ptr: i32,
    size_ptr: i32,
) -> CallOutcome {
    let map = check!(map_type(map));
    let key = check!(guest.read_string(key_ptr, key_len));
    let pairs = check!(guest.state().map(map));
    let value = check!(find(pairs, &key).map(str::to_owned).ok_or(Status::NotFound));
    guest.give(value.as_bytes(), ptr_ptr, size_ptr)
}

pub(super) fn proxy_replace_header_map_value(
    guest: &mut Guest<'_, '_>,
    map: i32,
    key_ptr: i32,
    key_len: i32,
    ptr: i32,
    len: i32,
) -> CallOutcome {
    let (map, key) = check!(map_and_name(guest, map, key_ptr, key_len));
    let value = check!(guest.read_string(ptr, len));
    let pairs = check!(guest.state().map_mut(map));
    match pairs.iter().position(|(k, _)| *k == key) {
        Some(first) => {
            let mut index = 0;
            pairs.retain(|(k, _)| {
                let keep = *k != key || index == first;
                index += 1;
                keep
            });
            if let Some(pair) = pairs.get_mut(first) {
                pair.1 = value;
            }
        }
        None => pairs.push((key, value)),
    }
    Ok(Ok(()))
}

pub(super) fn proxy_remove_header_map_value(
    guest: &mut Guest<'_, '_>,
    map: i32,
    key_ptr: i32,
    key_len: i32,
) -> CallOutcome {
    let (map, key) = check!(map_and_name(guest, map, key_ptr, key_len));
    check!(guest.state().map_mut(map)).retain(|(k, _)| *k != key);
    Ok(Ok(()))
}

pub(super) fn proxy_add_header_map_value(
    guest: &mut Guest<'_, '_>,
    map: i32,
    key_ptr: i32,
    key_len: i32,
    ptr: i32,
    len: i32,
) -> CallOutcome {
    let (map, key) = check!(map_and_name(guest, map, key_ptr, key_len));
    let value = check!(guest.read_string(ptr, len));
    check!(guest.state().map_mut(map)).push((key, value));
    Ok(Ok(()))
}
