//! External authorization: the request's selected headers go to an authorization service behind
//! an Envoy cluster; 2xx allows (and may hand headers to the upstream), any other status denies
//! with that status, and no answer (down, slow, unreachable) fails closed unless
//! `failure_mode_allow` is set.

use crate::config::ExtAuthzConfig;
use crate::outcome::{Check, Credential, Identity, Reason, Rejection};
use sieve_sdk_ext::{CallResponse, ConfigError, HeaderName, Http, HttpCall};
use std::time::Duration;

pub struct ExtAuthzProvider {
    name: String,
    cluster: String,
    authority: String,
    path_prefix: String,
    timeout: Duration,
    headers_to_send: Vec<HeaderName>,
    headers_to_upstream: Vec<HeaderName>,
    consumer_header: HeaderName,
    pub failure_mode_allow: bool,
    when_present: Vec<HeaderName>,
    /// Marks requests let through by `failure_mode_allow`.
    pub failure_header: HeaderName,
}

fn header(name: &str, field: &str) -> Result<HeaderName, ConfigError> {
    HeaderName::parse(name).map_err(|e| ConfigError::new(field, e))
}

impl ExtAuthzProvider {
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn compile(name: &str, config: ExtAuthzConfig) -> Result<Self, ConfigError> {
        if config.cluster.trim().is_empty() {
            return Err(ConfigError::new("cluster", "must name an Envoy cluster"));
        }
        if !(config.path_prefix.is_empty() || config.path_prefix.starts_with('/')) || config.path_prefix.ends_with('/')
        {
            return Err(ConfigError::new("path_prefix", "must be empty or start with '/' and not end with '/'"));
        }
        if !(1..=60_000).contains(&config.timeout_ms) {
            return Err(ConfigError::new("timeout_ms", "must be between 1 and 60000"));
        }
        let headers_to_send = match config.headers_to_send {
            Some(list) => list.into_iter().map(|name| name.0).collect(),
            None => vec![header("authorization", "headers_to_send")?, header("cookie", "headers_to_send")?],
        };
        Ok(ExtAuthzProvider {
            name: name.to_string(),
            authority: config.authority.unwrap_or_else(|| config.cluster.clone()),
            cluster: config.cluster,
            path_prefix: config.path_prefix,
            timeout: Duration::from_millis(config.timeout_ms),
            headers_to_send,
            headers_to_upstream: config.headers_to_upstream.into_iter().map(|name| name.0).collect(),
            consumer_header: match config.consumer_header {
                Some(name) => name,
                None => header("x-auth-consumer", "consumer_header")?,
            },
            failure_mode_allow: config.failure_mode_allow,
            when_present: config.when_present,
            failure_header: header("x-sieve-auth-failure-mode-allowed", "failure_mode_allow")?,
        })
    }

    /// Headers this provider may set (removed from every request first: no spoofing).
    pub fn identity_headers(&self) -> impl Iterator<Item = &HeaderName> {
        self.headers_to_upstream.iter().chain(std::iter::once(&self.failure_header))
    }

    /// Dispatches the check. `Ok(token)`: wait for the answer; `Err(Check::Absent)`: nothing to
    /// check (see `when_present`).
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn dispatch(&self, http: &mut Http<'_>) -> Result<u32, Check> {
        if !self.when_present.is_empty() && !self.when_present.iter().any(|h| http.request_header(h.as_str()).is_some())
        {
            return Err(Check::Absent);
        }
        let method = http.method().unwrap_or("GET").to_string();
        let path = format!("{}{}", self.path_prefix, http.path().unwrap_or("/"));
        let sent: Vec<(String, String)> = self
            .headers_to_send
            .iter()
            .filter_map(|name| Some((name.as_str().to_string(), http.request_header(name.as_str())?)))
            .collect();
        let call = HttpCall {
            cluster: &self.cluster,
            method: &method,
            path: &path,
            authority: &self.authority,
            headers: sent.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect(),
            body: None,
            timeout: self.timeout,
        };
        http.dispatch(&call).map_err(|e| {
            log::warn!("sieve.auth: {}: cannot call cluster {}: {e}", self.name, self.cluster);
            self.unavailable()
        })
    }

    /// What the service's answer means. Envoy reports an unreachable cluster as 503 and a
    /// timeout as 504 (and a broken upstream as 502), so those count as "unavailable".
    pub fn on_response(&self, response: &CallResponse) -> Check {
        match response.status {
            None | Some(502..=504) => self.unavailable(),
            Some(_) if response.is_success() => {
                let consumer = response.header_str(self.consumer_header.as_str()).unwrap_or(&self.name).to_string();
                let headers = self
                    .headers_to_upstream
                    .iter()
                    .filter_map(|name| Some((name.clone(), response.header_str(name.as_str())?.to_string())))
                    .collect();
                Check::Accepted(Identity { consumer, headers, credential: Credential::None })
            }
            Some(status) => Check::Rejected(Rejection {
                reason: Reason::Denied,
                status: Some(status),
                challenge: response.header_str("www-authenticate").map(String::from),
            }),
        }
    }

    fn unavailable(&self) -> Check {
        Check::Rejected(Rejection::new(Reason::Unavailable))
    }
}
