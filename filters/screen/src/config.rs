//! The screen filter's configuration, as users write it (README.md has the reference).

use serde::Deserialize;
use sieve_sdk_ext::remote::RemoteConfig;
use sieve_sdk_ext::HeaderName;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenConfig {
    /// What of the request is looked up.
    pub key: KeyConfig,
    #[serde(default)]
    pub normalize: NormalizeConfig,
    /// `deny`: a key in the list is refused. `allow`: a key not in the list is refused.
    #[serde(default)]
    pub mode: Mode,
    /// Count and log what would be refused, refuse nothing.
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default)]
    pub list: ListConfig,
    /// Exact CIDR ranges (client-address keys only), checked before the list.
    #[serde(default)]
    pub cidrs: Vec<CidrSpec>,
    /// An exact second opinion on probabilistic hits, from an authority behind an Envoy cluster.
    #[serde(default)]
    pub confirm: Option<ConfirmConfig>,
    /// Status of a refusal.
    #[serde(default = "default_status")]
    pub status: u16,
    /// A request without the key (no header, no address, too few X-Forwarded-For entries):
    /// `refuse` it, or count it as a `miss` (not in the list: passes a deny list, fails an allow
    /// list). Default: `refuse` when `client_ip.xff_num_trusted_hops` is set, else `miss`.
    #[serde(default)]
    pub on_missing_key: Option<OnMissingKey>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnMissingKey {
    Refuse,
    Miss,
}

fn default_status() -> u16 {
    403
}

/// A CIDR range (`192.0.2.0/24`) or one address, checked when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CidrSpec(pub ipnet::IpNet);

impl TryFrom<String> for CidrSpec {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse::<ipnet::IpNet>()
            .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
            .map(CidrSpec)
            .map_err(|_| format!("{text:?} is not a CIDR range or an address"))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Deny,
    Allow,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyConfig {
    /// The client address. `{}`: Envoy's own trusted client address (what RBAC's `remote_ip`
    /// and the access log's `%DOWNSTREAM_REMOTE_ADDRESS%` use), set by the listener's
    /// `use_remote_address` and `xff_num_trusted_hops`. `{"xff_num_trusted_hops": N}`: Sieve
    /// reads `X-Forwarded-For` itself, counting as Envoy counts: the (N+1)th entry from the right
    /// of the header as the filter sees it.
    ClientIp {
        #[serde(default)]
        xff_num_trusted_hops: Option<u32>,
        /// Replaced by `xff_num_trusted_hops` (which counts as Envoy does): refused with a note.
        #[serde(default)]
        xff_trusted_hops: Option<u32>,
    },
    Header {
        name: HeaderName,
    },
    /// The path, without its query string.
    Path {},
    Query {
        name: String,
    },
    /// The consumer the auth filter authenticated (in a chain: handed on in memory).
    Consumer {
        #[serde(default)]
        header: Option<HeaderName>,
    },
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormalizeConfig {
    #[serde(default)]
    pub lowercase: bool,
    #[serde(default)]
    pub trim_trailing_slash: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListConfig {
    /// Inline keys (small lists).
    #[serde(default)]
    pub keys: Vec<String>,
    /// Backend for inline keys: `exact` (default), `bloom`, `cuckoo`.
    #[serde(default)]
    pub backend: Option<String>,
    /// Target false-positive rate for inline Bloom lists (default 0.01).
    #[serde(default)]
    pub fp_rate: Option<f64>,
    /// Keys the inline Bloom/Cuckoo list is sized for (default: the number of keys).
    #[serde(default)]
    pub capacity: Option<u64>,
    /// A prebuilt blob (`sieve-screen build`), base64.
    #[serde(default)]
    pub blob: Option<String>,
    /// A live feed; its first version replaces the inline or blob list.
    #[serde(default)]
    pub feed: Option<RemoteConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmConfig {
    pub cluster: String,
    #[serde(default)]
    pub authority: Option<String>,
    /// `GET <path>?key=<key>`: 200 means "in the list", 404 "not in the list".
    pub path: String,
    #[serde(default = "default_confirm_timeout")]
    pub timeout_ms: u64,
    /// What an unanswered confirmation counts as: `hit` (default: fail closed in deny mode) or `miss`.
    #[serde(default)]
    pub on_error: OnError,
    /// How long a confirmation is remembered by each VM.
    #[serde(default = "default_cache_seconds")]
    pub cache_seconds: u64,
    #[serde(default = "default_cache_entries")]
    pub cache_entries: usize,
}

fn default_confirm_timeout() -> u64 {
    200
}

fn default_cache_seconds() -> u64 {
    60
}

fn default_cache_entries() -> usize {
    10_000
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    #[default]
    Hit,
    Miss,
}
