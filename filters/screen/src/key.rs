//! Which part of the request is screened, read and normalised once per request.

use crate::config::KeyConfig;
use sieve_sdk_ext::{ConfigError, HeaderName, Http, MapKind};

/// What a request carries of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRead {
    Found(String),
    Missing,
    /// Carried more than one way (a query parameter repeated with different values: which one
    /// would the upstream read?).
    Ambiguous,
}

impl From<Option<String>> for KeyRead {
    fn from(key: Option<String>) -> Self {
        match key.filter(|key| !key.is_empty()) {
            Some(key) => KeyRead::Found(key),
            None => KeyRead::Missing,
        }
    }
}

pub enum KeySource {
    /// `None`: Envoy's trusted client address (`source.address`); `Some(n)`: the (n+1)th entry
    /// from the right of X-Forwarded-For.
    ClientIp {
        hops: Option<usize>,
    },
    Header(HeaderName),
    Path,
    Query(String),
    Consumer(HeaderName),
}

impl KeySource {
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn compile(config: KeyConfig) -> Result<Self, ConfigError> {
        Ok(match config {
            KeyConfig::ClientIp { xff_num_trusted_hops, xff_trusted_hops } => {
                if let Some(old) = xff_trusted_hops {
                    return Err(ConfigError::new(
                        "client_ip.xff_trusted_hops",
                        format!(
                            "replaced by xff_num_trusted_hops, which counts as Envoy does (0 is the last X-Forwarded-For entry, not the connection): \
                             the entry xff_trusted_hops: {old} chose is xff_num_trusted_hops: {old}; or leave client_ip empty to use Envoy's own client address (set use_remote_address and xff_num_trusted_hops on the listener)"
                        ),
                    ));
                }
                if xff_num_trusted_hops.is_some_and(|n| n > 32) {
                    return Err(ConfigError::new("client_ip.xff_num_trusted_hops", "must be at most 32"));
                }
                if xff_num_trusted_hops == Some(0) {
                    return Err(ConfigError::new(
                        "client_ip.xff_num_trusted_hops",
                        "0 trusts no proxy: leave client_ip empty ({}) to use Envoy's own client address",
                    ));
                }
                KeySource::ClientIp { hops: xff_num_trusted_hops.map(|n| n as usize) }
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

    /// The form a list's entries must take to match this key.
    pub fn form(&self) -> KeyForm {
        match self {
            KeySource::ClientIp { .. } => KeyForm::Address,
            KeySource::Path => KeyForm::Path,
            KeySource::Header(_) | KeySource::Query(_) | KeySource::Consumer(_) => KeyForm::Text,
        }
    }

    /// Sieve counts proxies itself (so a missing key means a request that bypassed them).
    pub fn counts_proxies(&self) -> bool {
        matches!(self, KeySource::ClientIp { hops: Some(_) })
    }

    /// The key of this request.
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
    pub fn read(&self, http: &mut Http<'_>) -> KeyRead {
        if let KeySource::Query(name) = self {
            let Some(path) = http.path() else { return KeyRead::Missing };
            let mut values =
                sieve_sdk_ext::uri::raw_query_values(path, name).into_iter().map(sieve_sdk_ext::uri::decode_component);
            let first = values.next();
            if values.any(|other| Some(&other) != first.as_ref()) {
                return KeyRead::Ambiguous;
            }
            return KeyRead::from(first);
        }
        KeyRead::from(self.read_unrepeated(http))
    }

    fn read_unrepeated(&self, http: &mut Http<'_>) -> Option<String> {
        match self {
            // Envoy's trusted client address: `source.address` is the connection's peer, or the
            // X-Forwarded-For entry the listener's settings choose.
            KeySource::ClientIp { hops: None } => canonical_ip(http.client_ip()?),
            KeySource::ClientIp { hops: Some(hops) } => {
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
            KeySource::Query(_) => None,
            KeySource::Consumer(header) => match http.consumer() {
                Some(consumer) => Some(consumer.to_string()),
                None => http.request_header(header.as_str()),
            },
        }
    }
}

/// What kind of key a list holds: its entries are written in the one form a request's key takes,
/// so that `2001:DB8::1` in a list matches the request from `2001:db8::1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyForm {
    /// An IP address: RFC 5952 IPv6, IPv4-mapped IPv6 as IPv4. A range or a port is refused.
    Address,
    /// A path, normalised as path rules read it (`/%61dmin` is `/admin`); an ambiguous one is refused.
    Path,
    /// Text (header values, query values, consumers), trimmed.
    Text,
}

impl KeyForm {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "address" => Some(KeyForm::Address),
            "path" => Some(KeyForm::Path),
            "text" => Some(KeyForm::Text),
            _ => None,
        }
    }

    /// The entry as the set must hold it, or why it can never match a request's key.
    pub fn canonical(self, entry: &str) -> Result<String, String> {
        let entry = entry.trim();
        match self {
            KeyForm::Text => Ok(entry.to_string()),
            KeyForm::Path => sieve_sdk_ext::uri::normalize_path(entry)
                .filter(|_| entry.starts_with('/'))
                .ok_or_else(|| format!("{entry:?} is not a path a request can have (ambiguous, or no leading '/')")),
            KeyForm::Address => canonical_ip(entry).ok_or_else(|| {
                if entry.contains('/') {
                    format!("{entry:?} is a range: list ranges under cidrs")
                } else {
                    format!("{entry:?} is not an IP address")
                }
            }),
        }
    }
}

/// An IP address as one canonical text: IPv6 in RFC 5952 form (`2001:DB8:0::1` is
/// `2001:db8::1`), IPv4-mapped IPv6 as IPv4. A bare IPv6 address may be bracketed (`[::1]`, as
/// `source.address` writes it); anything else (a port, a name, a range) is not an address.
pub fn canonical_ip(text: &str) -> Option<String> {
    let text = text.trim();
    let bare = match text.strip_prefix('[') {
        Some(rest) => rest.strip_suffix(']')?,
        None => text,
    };
    bare_ip(bare)
}

/// An unbracketed address as Envoy parses one (no port), in canonical form. An IPv6 zone
/// (`fe80::1%eth0`, which Envoy accepts and RBAC matches inside `fe80::/10`) is dropped: the
/// address is the same host's.
pub fn bare_ip(text: &str) -> Option<String> {
    // A dotted quad Rust parses is already canonical (it refuses leading zeros and short forms):
    // no formatting, which costs more than the rest of the lookup.
    if text.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some(text.to_string());
    }
    let address = match text.split_once('%') {
        Some((address, zone)) if address.contains(':') && !zone.is_empty() => address,
        Some(_) => return None,
        None => text,
    };
    let ip: std::net::IpAddr = address.parse().ok()?;
    Some(match ip {
        std::net::IpAddr::V6(v6) => {
            v6.to_ipv4_mapped().map_or(std::net::IpAddr::V6(v6), std::net::IpAddr::V4).to_string()
        }
        v4 => v4.to_string(),
    })
}

/// The client in `X-Forwarded-For` behind `hops` trusted proxies, counted as Envoy's
/// `xff_num_trusted_hops` counts: the (hops+1)th entry from the right, empty entries included,
/// read as Envoy reads it (spaces and tabs trimmed; a bare address: no port, no brackets). Too
/// few entries, or anything but an address at that place: `None` (never a guess).
pub fn client_from_xff(xff: &str, hops: usize) -> Option<String> {
    let entries: Vec<&str> = xff.split(',').collect();
    let index = entries.len().checked_sub(hops + 1)?;
    let entry = entries.get(index)?.trim_matches(|c| c == ' ' || c == '\t');
    // A zone names an interface of the host that wrote the entry, not a client.
    if entry.contains('%') {
        return None;
    }
    bare_ip(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xff_counts_trusted_hops_from_the_right_as_envoy_does() {
        let xff = "203.0.113.128, 203.0.113.10, 203.0.113.1";
        assert_eq!(client_from_xff(xff, 0).as_deref(), Some("203.0.113.1"), "0 hops: the last entry");
        assert_eq!(client_from_xff(xff, 1).as_deref(), Some("203.0.113.10"));
        assert_eq!(client_from_xff(xff, 2).as_deref(), Some("203.0.113.128"));
        assert_eq!(client_from_xff(xff, 3), None, "not enough entries");
        assert_eq!(client_from_xff("garbage, 10.0.0.1", 1), None);
        assert_eq!(client_from_xff("1.2.3.4, , 10.0.0.1", 1), None, "an empty entry is not skipped");
        assert_eq!(client_from_xff("[2001:db8::1]:443, 10.0.0.1", 1), None, "no ports");
        assert_eq!(client_from_xff("[2001:db8::1], 10.0.0.1", 1), None, "no brackets");
        assert_eq!(client_from_xff("fe80::53%eth0, 10.0.0.1", 1), None, "a zone names an interface, not a client");
        assert_eq!(client_from_xff("010.0.0.1,10.0.0.1", 1), None, "no leading zeros");
        assert_eq!(client_from_xff(" \t198.51.100.7\t ,10.0.0.1", 1).as_deref(), Some("198.51.100.7"));
        assert_eq!(client_from_xff("192.0.2.1:5000", 0), None);
        assert_eq!(client_from_xff("2001:DB8::1,10.0.0.1", 1).as_deref(), Some("2001:db8::1"));
        assert_eq!(client_from_xff("::ffff:192.0.2.9", 0).as_deref(), Some("192.0.2.9"));
        assert_eq!(client_from_xff("", 0), None);
    }

    #[test]
    fn addresses_are_canonical() {
        assert_eq!(canonical_ip("::ffff:10.0.0.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(canonical_ip("2001:DB8:0:0::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(canonical_ip("[::1]").as_deref(), Some("::1"));
        assert_eq!(canonical_ip("not-an-ip"), None);
        assert_eq!(canonical_ip("[::1"), None);
        // Forms some parsers take for an IPv4 address and Rust's does not: never a key.
        for not_canonical in ["010.0.0.1", "10.1", "10.0.0.1.", "0x0a.0.0.1", " 10.0.0.1x"] {
            assert_eq!(canonical_ip(not_canonical), None, "{not_canonical}");
        }
        assert_eq!(canonical_ip("10.0.0.1").as_deref(), Some("10.0.0.1"));
        assert_eq!(canonical_ip("10.0.0.0/8"), None);
    }
}
