//! Envoy's connection manager rules for the client address and `X-Forwarded-For` (its
//! `use_remote_address` and `xff_num_trusted_hops`), as a model for the host emulator, which has
//! no connection manager. The model is checked against the real Envoy by the differential test
//! (tests/tests/differential.rs): where they disagree, Envoy is right.

use std::net::IpAddr;

/// A listener's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XffSettings {
    pub use_remote_address: bool,
    pub xff_num_trusted_hops: u32,
}

impl XffSettings {
    /// The settings of the first HTTP connection manager in `config`.
    pub fn of(config: &crate::EnvoyConfig) -> XffSettings {
        fn find(node: &serde_yaml::Value) -> Option<&serde_yaml::Mapping> {
            match node {
                serde_yaml::Value::Mapping(map) => {
                    if map.get("stat_prefix").is_some() && map.get("http_filters").is_some() {
                        return Some(map);
                    }
                    map.values().find_map(find)
                }
                serde_yaml::Value::Sequence(items) => items.iter().find_map(find),
                _ => None,
            }
        }
        let Some(hcm) = find(config.doc()) else { return XffSettings::default() };
        XffSettings {
            use_remote_address: hcm.get("use_remote_address").and_then(serde_yaml::Value::as_bool).unwrap_or(false),
            xff_num_trusted_hops: hcm
                .get("xff_num_trusted_hops")
                .and_then(serde_yaml::Value::as_u64)
                .map_or(0, |n| n as u32),
        }
    }

    /// What the filters see: `X-Forwarded-For` after Envoy's append (if any) and the trusted
    /// client address (`source.address`), for a request with `xff` from `peer`.
    pub fn apply(&self, xff: Option<&str>, peer: IpAddr) -> (Option<String>, IpAddr) {
        let from_xff = |skip: u32| xff.and_then(|xff| entry_from_right(xff, skip as usize));
        let client = if self.use_remote_address {
            match self.xff_num_trusted_hops {
                0 => peer,
                hops => from_xff(hops - 1).unwrap_or(peer),
            }
        } else {
            from_xff(self.xff_num_trusted_hops).unwrap_or(peer)
        };
        let forwarded = if self.use_remote_address {
            Some(match xff {
                Some(xff) if !xff.is_empty() => format!("{xff},{peer}"),
                _ => peer.to_string(),
            })
        } else {
            xff.map(String::from)
        };
        (forwarded, client)
    }
}

/// The address `skip` entries from the right of `xff`, if that entry is an address.
fn entry_from_right(xff: &str, skip: usize) -> Option<IpAddr> {
    let entries: Vec<&str> = xff.split(',').collect();
    let index = entries.len().checked_sub(skip + 1)?;
    entries.get(index)?.trim_matches(|c| c == ' ' || c == '\t').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_cases() {
        let peer: IpAddr = "10.0.0.9".parse().unwrap();
        let at = |ura, hops, xff: Option<&str>| {
            XffSettings { use_remote_address: ura, xff_num_trusted_hops: hops }.apply(xff, peer).1.to_string()
        };
        // Envoy's docs, "x-forwarded-for": use_remote_address false takes the (N+1)th entry from
        // the right, else the peer; true with N > 0 takes the Nth from the right, else the peer.
        assert_eq!(at(false, 0, Some("1.1.1.1, 2.2.2.2")), "2.2.2.2");
        assert_eq!(at(false, 1, Some("1.1.1.1, 2.2.2.2")), "1.1.1.1");
        assert_eq!(at(false, 2, Some("1.1.1.1, 2.2.2.2")), "10.0.0.9");
        assert_eq!(at(false, 0, None), "10.0.0.9");
        assert_eq!(at(true, 0, Some("1.1.1.1")), "10.0.0.9");
        assert_eq!(at(true, 1, Some("1.1.1.1, 2.2.2.2")), "2.2.2.2");
        assert_eq!(at(true, 2, Some("1.1.1.1, 2.2.2.2")), "1.1.1.1");
        assert_eq!(at(true, 3, Some("1.1.1.1, 2.2.2.2")), "10.0.0.9");
        let settings = XffSettings { use_remote_address: true, xff_num_trusted_hops: 0 };
        assert_eq!(settings.apply(Some("1.1.1.1"), peer).0.as_deref(), Some("1.1.1.1,10.0.0.9"));
    }
}
