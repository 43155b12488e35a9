//! Which part of the request is screened, read and normalised once per request.

use crate::config::KeyConfig;
use sieve_sdk_ext::{ConfigError, HeaderName, Http, MapKind};
use std::net::IpAddr;

pub enum KeySource {
    /// `hops` = 0: the connection's peer; otherwise the address left of the last `hops` entries of
    /// X-Forwarded-For.
    ClientIp {
        hops: usize,
    },
    Header(HeaderName),
    Path,
    Query(String),
    Consumer(HeaderName),
}

impl KeySource {
    pub fn compile(config: KeyConfig) -> Result<Self, ConfigError> {
        Ok(match config {
            KeyConfig::ClientIp { xff_trusted_hops } => {
                if xff_trusted_hops > 32 {
                    return Err(ConfigError::new("client_ip.xff_trusted_hops", "must be at most 32"));
                }
                KeySource::ClientIp { hops: xff_trusted_hops as usize }
            }
            KeyConfig::Header { name } => KeySource::Header(name),
            KeyConfig::Path {} => KeySource::Path,
            KeyConfig::Query { name } => {
                if name.is_empty() {
                    return Err(ConfigError::new("query.name", "must not be empty"));
                }
                KeySource::Query(name)
            }
            KeyConfig::Consumer { header } => KeySource::Consumer(match header {
                Some(header) => header,
                None => HeaderName::parse("x-sieve-consumer").map_err(|e| ConfigError::new("consumer.header", e))?,
            }),
        })
    }

    pub fn is_client_ip(&self) -> bool {
        matches!(self, KeySource::ClientIp { .. })
    }

    /// The key of this request, if it has one.
    pub fn read(&self, http: &mut Http<'_>) -> Option<String> {
        match self {
            KeySource::ClientIp { hops: 0 } => canonical_ip(http.client_ip()?),
            KeySource::ClientIp { hops } => {
                // Every X-Forwarded-For line, in order (a client may send several).
                let joined = http
                    .headers(MapKind::RequestHeaders)
                    .into_iter()
                    .filter(|(name, _)| name == "x-forwarded-for")
                    .map(|(_, value)| String::from_utf8_lossy(&value).into_owned())
                    .collect::<Vec<_>>()
                    .join(",");
                client_from_xff(&joined, *hops)
            }
            KeySource::Header(name) => http.request_header(name.as_str()).map(|v| v.trim().to_string()),
            // As path rules compare it: `/%61dmin` and `//admin` are `/admin`; an ambiguous path has no key.
            KeySource::Path => http.match_path().map(String::from),
            KeySource::Query(name) => http.query_param(name),
            KeySource::Consumer(header) => match http.consumer() {
                Some(consumer) => Some(consumer.to_string()),
                None => http.request_header(header.as_str()),
            },
        }
        .filter(|key| !key.is_empty())
    }
}

/// The address as one canonical text (so `::ffff:10.0.0.1`, `010.0.0.1`-free forms match what a
/// list holds): IPv4-mapped IPv6 becomes IPv4.
pub fn canonical_ip(text: &str) -> Option<String> {
    let ip: IpAddr = text.trim().trim_start_matches('[').trim_end_matches(']').parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4).to_string(),
        v4 => v4.to_string(),
    })
}

/// The client in `X-Forwarded-For` behind `hops` trusted proxies: the entry just left of the last
/// `hops` entries. Missing (too few entries) or malformed: `None`.
pub fn client_from_xff(xff: &str, hops: usize) -> Option<String> {
    let entries: Vec<&str> = xff.split(',').map(str::trim).filter(|e| !e.is_empty()).collect();
    let index = entries.len().checked_sub(hops + 1)?;
    let entry = entries.get(index)?;
    // An entry may carry a port (`1.2.3.4:5678`, `[::1]:80`).
    canonical_ip(entry).or_else(|| canonical_ip(sieve_sdk_ext::http::strip_port(entry)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xff_counts_trusted_hops_from_the_right() {
        let xff = "203.0.113.128, 203.0.113.10, 203.0.113.1";
        assert_eq!(client_from_xff(xff, 0).as_deref(), Some("203.0.113.1"));
        assert_eq!(client_from_xff(xff, 1).as_deref(), Some("203.0.113.10"));
        assert_eq!(client_from_xff(xff, 2).as_deref(), Some("203.0.113.128"));
        assert_eq!(client_from_xff(xff, 3), None, "not enough entries");
        assert_eq!(client_from_xff("garbage, 10.0.0.1", 1), None);
        assert_eq!(client_from_xff("[2001:db8::1]:443, 10.0.0.1", 1).as_deref(), Some("2001:db8::1"));
        assert_eq!(client_from_xff("192.0.2.1:5000", 0).as_deref(), Some("192.0.2.1"));
        assert_eq!(client_from_xff("", 0), None);
    }

    #[test]
    fn addresses_are_canonical() {
        assert_eq!(canonical_ip("::ffff:10.0.0.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(canonical_ip("2001:DB8:0:0::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(canonical_ip("[::1]").as_deref(), Some("::1"));
        assert_eq!(canonical_ip("not-an-ip"), None);
    }
}
