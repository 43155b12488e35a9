//! HTTP callouts: `proxy_http_call` records a pending call the test (or the clock) answers.

use super::guest::{check, CallOutcome, Guest};
use super::stream::find;
use crate::abi::{self, Status};
use crate::PendingCall;

#[allow(clippy::too_many_arguments)] // the ABI's signature
pub(super) fn proxy_http_call(
    guest: &mut Guest<'_, '_>,
    upstream_ptr: i32,
    upstream_len: i32,
    headers_ptr: i32,
    headers_len: i32,
    body_ptr: i32,
    body_len: i32,
    trailers_ptr: i32,
    trailers_len: i32,
    timeout_ms: i32,
    token_ptr: i32,
) -> CallOutcome {
    let upstream = check!(guest.read_string(upstream_ptr, upstream_len));
    let headers = check!(abi::decode_pairs(&check!(guest.read(headers_ptr, headers_len))).ok_or(Status::ParseFailure));
    let body = check!(guest.read(body_ptr, body_len));
    let trailers =
        check!(abi::decode_pairs(&check!(guest.read(trailers_ptr, trailers_len))).ok_or(Status::ParseFailure));
    let state = guest.state();
    if state.clusters.as_ref().is_some_and(|known| !known.contains(&upstream)) {
        return Ok(Err(Status::BadArgument));
    }
    // Envoy refuses a callout without these.
    if [":method", ":path", ":authority"].iter().any(|name| find(&headers, name).is_none()) {
        return Ok(Err(Status::BadArgument));
    }
    let token = state.next_token;
    state.next_token = state.next_token.wrapping_add(1).max(1);
    let timeout_ms = u64::from(timeout_ms as u32);
    state.calls.insert(
        token,
        PendingCall {
            token,
            context_id: state.current,
            upstream,
            headers,
            body,
            trailers,
            timeout_ms,
            deadline_nanos: state.now_nanos + timeout_ms * 1_000_000,
        },
    );
    Ok(guest.write_u32(token_ptr, token))
}
