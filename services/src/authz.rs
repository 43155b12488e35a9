//! A demo external authorization service: allows requests whose `Authorization: Bearer <token>`
//! is on its list, naming the consumer in `x-auth-consumer` (and a scope in `x-auth-scope`);
//! refuses the rest with 403.

use crate::{Handler, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// The demo token `cargo xtask up` prints.
pub const DEMO_TOKEN: &str = "demo-authz-token";

pub fn handler(tokens: HashMap<String, String>) -> Handler {
    Arc::new(move |request| {
        if request.path == "/healthz" {
            return Response::new(200).body("ok\n");
        }
        let token = request
            .header("authorization")
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim);
        match token.and_then(|t| tokens.get(t)) {
            Some(consumer) => Response::new(200).header("x-auth-consumer", consumer).header("x-auth-scope", "demo"),
            None => {
                Response::new(403).header("www-authenticate", "Bearer realm=\"sieve-authz\"").body("not on the list\n")
            }
        }
    })
}

/// The demo list: [`DEMO_TOKEN`] is consumer `authz-demo`.
pub fn demo_tokens() -> HashMap<String, String> {
    HashMap::from([(DEMO_TOKEN.to_string(), "authz-demo".to_string())])
}
