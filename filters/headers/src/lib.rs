//! Sieve headers filter: add, set, remove and rename request and response headers, with values
//! interpolated from the request and rules conditioned on path, method, headers and status.
//! The configuration reference is in README.md.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod config;
pub mod rules;
pub mod template;

use config::HeadersConfig;
use rules::Rule;
use sieve_sdk_ext::{ConfigError, Filter, Http, LocalReply, MapKind, Phase, RequestNeeds, Setup, Verdict};

sieve_sdk_ext::counters! {
    /// `sieve.headers.*`
    pub struct Stats {
        /// Request rules that changed the request headers.
        request_rules_applied,
        /// Response rules that changed the response headers.
        response_rules_applied,
        /// Rules skipped because a value they interpolate was missing (`on_missing: skip`).
        rules_skipped_missing_value,
        /// Requests answered 400 because a `reject` rule's value was missing.
        requests_rejected,
        /// Requests answered 400 because a rule's path condition met an ambiguous path.
        ambiguous_path,
    }
}

pub struct Headers {
    request: Vec<Rule>,
    response: Vec<Rule>,
    /// What the response rules read of the request (kept while the request passes).
    response_needs: RequestNeeds,
    stats: Stats,
}

impl Filter for Headers {
    const NAME: &'static str = "headers";
    type Config = HeadersConfig;
    type Stream = ();

    fn configure(config: HeadersConfig, setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        let response = rules::compile(config.response, Phase::Response)?;
        Ok(Headers {
            request: rules::compile(config.request, Phase::Request)?,
            response_needs: rules::request_needs(&response),
            response,
            stats: Stats::define(setup),
        })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, _stream: &mut ()) -> Verdict {
        let verdict = self.run(&self.request, MapKind::RequestHeaders, self.stats.request_rules_applied, http);
        // Response rules see the request as it went upstream, i.e. after the request rules.
        if verdict == Verdict::Continue && !self.response_needs.is_empty() {
            http.keep_for_response(&self.response_needs);
        }
        verdict
    }

    fn on_response_headers(&self, http: &mut Http<'_>, _stream: &mut ()) -> Verdict {
        self.run(&self.response, MapKind::ResponseHeaders, self.stats.response_rules_applied, http)
    }
}

impl Headers {
    fn run(&self, rules: &[Rule], map: MapKind, applied: sieve_sdk_ext::Counter, http: &mut Http<'_>) -> Verdict {
        if rules.is_empty() {
            return Verdict::Continue;
        }
        let outcome = rules::apply(rules, map, http);
        if outcome.applied > 0 {
            http.add(applied, outcome.applied);
        }
        if outcome.skipped_missing > 0 {
            http.add(self.stats.rules_skipped_missing_value, outcome.skipped_missing);
        }
        if outcome.ambiguous {
            http.count(self.stats.ambiguous_path);
            return Verdict::Reply(LocalReply::bad_request(
                "the request path is ambiguous (an encoded slash or backslash, ';', a double encoding, a control character, or bytes that are not UTF-8)",
            ));
        }
        match outcome.rejected {
            None => Verdict::Continue,
            Some(message) => {
                http.count(self.stats.requests_rejected);
                Verdict::Reply(LocalReply::bad_request(message))
            }
        }
    }
}

#[cfg(test)]
#[path = "lib_test.rs"]
mod tests;
