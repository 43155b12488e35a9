//! How a stream goes on: `proxy_continue_stream`, `proxy_close_stream` (a reset), and
//! `proxy_send_local_response` (the filter answers itself).

use super::guest::{check, CallOutcome, Guest};
use super::stream::RequestState;
use crate::abi::{self, Status};
use crate::LocalReply;

pub(super) fn proxy_continue_stream(guest: &mut Guest<'_, '_>, stream: i32) -> CallOutcome {
    let current = check!(guest.state().stream_mut().ok_or(Status::BadArgument));
    match stream {
        0 => {
            if current.state == RequestState::Paused || current.state == RequestState::New {
                current.state = RequestState::Forwarded;
            }
            current.request_headers_held = false;
        }
        1 => {
            current.response_resumed = true;
            current.response_headers_held = false;
        }
        _ => return Ok(Err(Status::BadArgument)),
    }
    Ok(Ok(()))
}

pub(super) fn proxy_close_stream(guest: &mut Guest<'_, '_>, _stream: i32) -> CallOutcome {
    let current = check!(guest.state().stream_mut().ok_or(Status::BadArgument));
    current.state = RequestState::Reset;
    current.request_headers_held = false;
    current.response_headers_held = false;
    Ok(Ok(()))
}

#[allow(clippy::too_many_arguments)] // the ABI's signature
pub(super) fn proxy_send_local_response(
    guest: &mut Guest<'_, '_>,
    status_code: i32,
    details_ptr: i32,
    details_len: i32,
    body_ptr: i32,
    body_len: i32,
    headers_ptr: i32,
    headers_len: i32,
    grpc_status: i32,
) -> CallOutcome {
    let details = check!(guest.read_string(details_ptr, details_len));
    let body = check!(guest.read(body_ptr, body_len));
    let headers = check!(guest.read(headers_ptr, headers_len));
    let headers = check!(abi::decode_pairs(&headers).ok_or(Status::ParseFailure));
    let stream = check!(guest.state().stream_mut().ok_or(Status::BadArgument));
    if stream.local_reply.is_none() {
        stream.local_reply = Some(LocalReply {
            status: status_code as u32,
            // Envoy keeps response-code details free of spaces.
            details: details.replace(' ', "_"),
            body,
            headers: headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect(),
            grpc_status: (grpc_status >= 0).then_some(grpc_status),
        });
    }
    stream.state = RequestState::Replied;
    stream.request_headers_held = false;
    Ok(Ok(()))
}
