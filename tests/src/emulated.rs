//! Glue between the host emulator and the demo services: answers an emulated filter's callouts
//! with the same handlers the real-Envoy tests put behind Envoy clusters, in process.

use sieve_emulator::{CallAnswer, Emulator, Error, PendingCall};
use sieve_services::Handler;

/// What Envoy's router answers for a cluster whose endpoint refuses connections.
pub fn connection_failure() -> CallAnswer {
    CallAnswer::new(
        503,
        "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure",
    )
    .header("content-type", "text/plain")
}

/// The handler's request for a callout.
pub fn service_request(call: &PendingCall) -> sieve_services::Request {
    let target = call.header(":path").unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    sieve_services::Request {
        method: call.header(":method").unwrap_or("GET").to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers: call
            .headers
            .iter()
            .filter(|(name, _)| !name.starts_with(':'))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
            .collect(),
        body: call.body.clone(),
        body_too_large: call.body.len() > sieve_services::MAX_BODY,
    }
}

/// Answers every pending callout: with the handler behind its cluster (a handler slower than the
/// call's timeout times it out, as Envoy would), or as a dead peer when `services` has none.
/// Returns how many calls were answered; answers may dispatch new calls, which are answered too.
pub fn answer_calls(vm: &mut Emulator, services: &[(&str, Handler)]) -> Result<usize, Error> {
    let mut answered = 0;
    // Bounded: a filter that keeps calling must not hang a test.
    for _ in 0..32 {
        let pending = vm.pending_calls();
        if pending.is_empty() {
            break;
        }
        for call in pending {
            match services.iter().find(|(cluster, _)| *cluster == call.upstream) {
                Some((_, handler)) => {
                    let response = handler(service_request(&call));
                    if response.delay.as_millis() >= u128::from(call.timeout_ms) {
                        vm.time_out_call(call.token)?;
                    } else {
                        let mut answer = CallAnswer::new(response.status, response.body);
                        for (name, value) in &response.headers {
                            answer = answer.header(name, value);
                        }
                        vm.answer_call(call.token, answer)?;
                    }
                }
                None => vm.answer_call(call.token, connection_failure())?,
            }
            answered += 1;
        }
    }
    Ok(answered)
}
