//! Pair 1: Sieve screen's `client_ip` key with inline `cidrs` (deny mode) against RBAC denying
//! `remote_ip` principals with the same CIDRs, for every connection-manager setting
//! (`use_remote_address` true and false, `xff_num_trusted_hops` 0–3), with generated
//! X-Forwarded-For chains and connections from two peers (one inside the CIDRs).
//!
//! - Variant (a), pair `screen`: `{"client_ip": {}}` behind the same connection-manager settings
//!   as the RBAC listener: Sieve takes Envoy's own trusted client address (`source.address`).
//! - Variant (b), pair `screen-xff`: `{"client_ip": {"xff_num_trusted_hops": N}}` behind a
//!   connection manager with `xff_num_trusted_hops: 0` (and the same `use_remote_address`), against
//!   RBAC behind `xff_num_trusted_hops: N`: Sieve reads X-Forwarded-For itself. The client is the
//!   (N+1)th entry from the right of X-Forwarded-For as the filter sees it (Envoy has already
//!   appended the peer when `use_remote_address` is true); too few entries, or an entry that is not
//!   an address, and the request is refused — where Envoy falls back to the connection's peer
//!   (rule `xff-no-client-refused`).

use super::envoy_config::{bootstrap, listener, wasm_filter, Hcm, Route};
use super::rng::Rng;
use super::wire::{RawRequest, Response};
use super::{compare, Judgement, Pair, Plan, Rule, XffField};
use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The ranges both sides deny. 127.0.0.77 and 127.0.0.1 are peers cases connect from: a fallback
/// to the peer is then visible as a refusal.
pub const CIDRS: [(&str, u8); 6] = [
    ("198.51.100.0", 24),
    ("203.0.113.128", 25),
    ("2001:db8:bad::", 48),
    ("fe80::", 10),
    ("127.0.0.77", 32),
    ("127.0.0.1", 32),
];

/// The peers cases connect from: 127.0.0.2 is outside the ranges, 127.0.0.77 and 127.0.0.1 inside.
/// With `use_remote_address`, Envoy appends the peer to X-Forwarded-For, except for 127.0.0.1 (and
/// ::1), for which it appends its own local address.
pub const PEERS: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 77)),
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)),
];

/// Every connection-manager setting: (use_remote_address, xff_num_trusted_hops).
pub const SETTINGS: [(bool, u32); 8] =
    [(false, 0), (false, 1), (false, 2), (false, 3), (true, 0), (true, 1), (true, 2), (true, 3)];

pub static IPV4_MAPPED: Rule = Rule {
    name: "ipv4-mapped-is-ipv4",
    why: "Sieve reads an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it maps, so an IPv4 range \
          covers it (filters/screen/README.md: \"IPv4-mapped IPv6 is IPv4\"); RBAC compares IPv4 ranges with IPv4 \
          addresses only. Recognised when Envoy's trusted client address is IPv4-mapped and its IPv4 address is in \
          the ranges.",
};

pub static XFF_NO_CLIENT: Rule = Rule {
    name: "xff-no-client-refused",
    why: "Variant (b): when X-Forwarded-For has too few entries, or the entry at the client's position is not an \
          address, Sieve refuses the request; Envoy falls back to the connection's peer. Recognised when the RBAC \
          listener's trusted address is the peer itself, port included (an address taken from X-Forwarded-For has \
          port 0).",
};

pub static XFF_ZONE: Rule = Rule {
    name: "xff-zone-refused",
    why: "Variant (b): an IPv6 address with a zone (`fe80::1%eth0`) in X-Forwarded-For names an interface of \
          the host that wrote it, not a client; whether Envoy parses it depends on the interfaces of the machine \
          it runs on (`%eth0` parses where eth0 exists). Sieve refuses the request. Recognised when Envoy's \
          trusted address carries a zone.",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Sieve takes Envoy's trusted address.
    EnvoyAddress,
    /// Sieve reads X-Forwarded-For with this config field.
    Xff { field: &'static str },
}

pub struct ScreenPair {
    variant: Variant,
    notes: Vec<String>,
}

/// One case: a setting, a peer, and X-Forwarded-For lines (none: no header).
#[derive(Debug, Clone)]
pub struct ScreenCase {
    pub setting: usize,
    pub peer: usize,
    pub lines: Vec<String>,
}

impl ScreenPair {
    pub fn client_ip() -> ScreenPair {
        ScreenPair { variant: Variant::EnvoyAddress, notes: Vec::new() }
    }

    /// Variant (b): `xff_num_trusted_hops`. `Auto` first asks the built module (in the host
    /// emulator) whether it takes the field, to fail with the module's own words if not.
    pub fn xff(field: XffField) -> Result<ScreenPair, String> {
        if field == XffField::Auto {
            if let Some(why) = refusal("xff_num_trusted_hops")? {
                return Err(format!("the module refuses `xff_num_trusted_hops`: {why}"));
            }
        }
        let (field, note): (&'static str, Option<String>) = ("xff_num_trusted_hops", None);
        Ok(ScreenPair { variant: Variant::Xff { field }, notes: note.into_iter().collect() })
    }

    fn sieve_config(&self, hops: u32) -> Value {
        let key = match self.variant {
            Variant::EnvoyAddress => json!({"client_ip": {}}),
            Variant::Xff { field } => json!({"client_ip": {field: hops}}),
        };
        json!({"key": key, "mode": "deny", "cidrs": CIDRS.iter().map(|(a, l)| format!("{a}/{l}")).collect::<Vec<_>>()})
    }

    /// Variant (b) counts at least one proxy: `xff_num_trusted_hops: 0` is refused by the filter
    /// (`client_ip: {}`, variant (a), is Envoy's own address there).
    fn runs(&self, setting: usize) -> bool {
        match self.variant {
            Variant::EnvoyAddress => true,
            Variant::Xff { field } => {
                field != "xff_num_trusted_hops" || SETTINGS.get(setting).is_some_and(|(_, hops)| *hops > 0)
            }
        }
    }

    fn names(&self, setting: usize) -> (String, String) {
        let (ura, hops) = SETTINGS[setting];
        let sieve = match self.variant {
            Variant::EnvoyAddress => format!("sieve-a-ura-{ura}-hops-{hops}"),
            Variant::Xff { .. } => format!("sieve-b-ura-{ura}-hops-{hops}"),
        };
        (sieve, format!("rbac-ura-{ura}-hops-{hops}"))
    }

    fn sieve_hcm(&self, setting: usize) -> Hcm {
        let (ura, hops) = SETTINGS[setting];
        let hops = match self.variant {
            Variant::EnvoyAddress => hops,
            Variant::Xff { .. } => 0,
        };
        Hcm { use_remote_address: ura, xff_num_trusted_hops: hops, ..Hcm::default() }
    }
}

/// Why the screen module refuses `{"client_ip": {field: 1}}`, if it does (`None`: it takes it).
fn refusal(field: &str) -> Result<Option<String>, String> {
    // The modules every pair's Envoy loads (built once per process).
    let module = sieve_emulator::modules::wasm_dir()?.join("sieve_screen.wasm");
    let config = json!({"key": {"client_ip": {field: 1}}, "cidrs": ["192.0.2.0/24"]});
    match sieve_emulator::Emulator::builder(module).plugin_config(config.to_string()).start() {
        Ok(_) => Ok(None),
        Err(e) => Ok(Some(e.refusal_log().lines().last().unwrap_or("refused").trim().to_string())),
    }
}

pub fn rbac_filter() -> Value {
    let principals: Vec<Value> = CIDRS
        .iter()
        .map(|(address, len)| json!({"remote_ip": {"address_prefix": address, "prefix_len": len}}))
        .collect();
    json!({"name": "envoy.filters.http.rbac", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
        "rules": {"action": "DENY", "policies": {"cidrs": {"permissions": [{"any": true}], "principals": principals}}}
    }})
}

fn in_cidrs(ip: IpAddr) -> bool {
    CIDRS.iter().any(|(address, len)| {
        let Ok(network) = address.parse::<IpAddr>() else { return false };
        match (ip, network) {
            (IpAddr::V4(ip), IpAddr::V4(net)) => {
                let mask = if *len == 0 { 0 } else { u32::MAX << (32 - u32::from(*len)) };
                u32::from(ip) & mask == u32::from(net) & mask
            }
            (IpAddr::V6(ip), IpAddr::V6(net)) => {
                let mask = if *len == 0 { 0 } else { u128::MAX << (128 - u32::from(*len)) };
                u128::from(ip) & mask == u128::from(net) & mask
            }
            _ => false,
        }
    })
}

/// Envoy's `%DOWNSTREAM_REMOTE_ADDRESS%` (`1.2.3.4:0`, `[::1]:0`, `[fe80::1%4]:0`): address, zone, port.
fn parse_reported(text: &str) -> Option<(IpAddr, bool, u16)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, port) = rest.split_once("]:")?;
        (host, port)
    } else {
        text.rsplit_once(':')?
    };
    let (host, zoned) = match host.split_once('%') {
        Some((host, _)) => (host, true),
        None => (host, false),
    };
    Some((host.parse().ok()?, zoned, port.parse().ok()?))
}

/// What a piece of X-Forwarded-For is, whitespace aside (for class names; never for verdicts).
pub fn kind(token: &str) -> String {
    shape(token).trim_start_matches("padded ").to_string()
}

/// What a piece of X-Forwarded-For looks like (for class names; never for verdicts).
pub fn shape(token: &str) -> String {
    let trimmed = token.trim_matches([' ', '\t']);
    let padded = if trimmed.len() != token.len() { "padded " } else { "" };
    let kind = if trimmed.is_empty() {
        "empty".to_string()
    } else if let Ok(ip) = trimmed.parse::<IpAddr>() {
        match ip {
            IpAddr::V4(_) => "IPv4".into(),
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => "IPv4-mapped IPv6".into(),
            IpAddr::V6(_) => "IPv6".into(),
        }
    } else if trimmed.split_once('%').is_some_and(|(a, _)| a.parse::<Ipv6Addr>().is_ok()) {
        "IPv6 with a zone (%scope)".into()
    } else if let Some(inner) = trimmed.strip_prefix('[') {
        match inner.split_once(']') {
            Some((_, "")) => "[IPv6]".into(),
            Some((_, port)) if port.starts_with(':') => "[IPv6]:port".into(),
            _ => "not an address".into(),
        }
    } else if trimmed.rsplit_once(':').is_some_and(|(a, p)| a.parse::<Ipv4Addr>().is_ok() && p.parse::<u16>().is_ok()) {
        "IPv4:port".into()
    } else {
        "not an address".into()
    };
    format!("{padded}{kind}")
}

impl Pair for ScreenPair {
    type Case = ScreenCase;

    fn name(&self) -> &'static str {
        match self.variant {
            Variant::EnvoyAddress => "screen",
            Variant::Xff { .. } => "screen-xff",
        }
    }

    fn title(&self) -> String {
        match self.variant {
            Variant::EnvoyAddress => "Screen `client_ip: {}` (Envoy's trusted address) vs RBAC `remote_ip`, same connection manager".into(),
            Variant::Xff { field } => format!(
                "Screen `client_ip: {{{field}: N}}` behind xff_num_trusted_hops 0 vs RBAC `remote_ip` behind xff_num_trusted_hops N"
            ),
        }
    }

    fn bootstrap(&self) -> Value {
        let mut listeners = Vec::new();
        for (setting, (ura, hops)) in SETTINGS.iter().enumerate() {
            if !self.runs(setting) {
                continue;
            }
            let (sieve_name, native_name) = self.names(setting);
            let sieve = wasm_filter("sieve_screen", "sieve.screen", &sieve_name, &self.sieve_config(*hops));
            listeners.push(listener(&sieve_name, &self.sieve_hcm(setting), vec![sieve], Route::Direct));
            let native_hcm = Hcm { use_remote_address: *ura, xff_num_trusted_hops: *hops, ..Hcm::default() };
            listeners.push(listener(&native_name, &native_hcm, vec![rbac_filter()], Route::Direct));
        }
        bootstrap(listeners)
    }

    fn generate(&self, rng: &mut Rng) -> ScreenCase {
        let mut setting = rng.below(SETTINGS.len());
        while !self.runs(setting) {
            setting = rng.below(SETTINGS.len());
        }
        let peer = rng.below(PEERS.len());
        let entries = match rng.weighted(&[8, 62, 24, 6]) {
            0 => 0,
            1 => rng.range(1, 4) as usize,
            2 => rng.range(5, 10) as usize,
            _ => rng.range(20, 40) as usize,
        };
        let mut pieces: Vec<String> = (0..entries).map(|_| entry(rng)).collect();
        if entries > 0 && rng.chance(6) {
            // An empty piece somewhere: `a,,b`, a leading or a trailing comma.
            let at = rng.below(pieces.len() + 1);
            pieces.insert(at, String::new());
        }
        let lines = if pieces.is_empty() {
            Vec::new()
        } else {
            let count = match rng.weighted(&[80, 15, 5]) {
                0 => 1,
                1 => 2,
                _ => 3,
            }
            .min(pieces.len());
            split_lines(rng, pieces, count)
        };
        ScreenCase { setting, peer, lines }
    }

    fn plan(&self, case: &ScreenCase) -> Plan {
        let (sieve_listener, native_listener) = self.names(case.setting);
        let mut request = RawRequest::get("/");
        for line in &case.lines {
            request = request.header("x-forwarded-for", line.as_bytes().to_vec());
        }
        Plan { sieve_listener, native_listener, source: Some(PEERS[case.peer]), request }
    }

    fn judge(&self, case: &ScreenCase, sieve: &Response, native: &Response) -> Judgement {
        let reported = native.header("x-diff-trusted").and_then(parse_reported);
        let direct = native.header("x-diff-direct").and_then(parse_reported);
        let mapped_in_ranges = || match reported {
            Some((IpAddr::V6(v6), _, _)) => v6.to_ipv4_mapped().is_some_and(|v4| in_cidrs(IpAddr::V4(v4))),
            _ => false,
        };
        let (ura, hops) = SETTINGS[case.setting];
        // Envoy reads X-Forwarded-For only behind trusted hops (or without use_remote_address); then
        // a trusted address equal to the peer, port included, is its fallback (an address taken from
        // X-Forwarded-For has port 0).
        let reads_xff = !ura || hops > 0;
        let fell_back = reads_xff && reported.is_some() && reported == direct;
        compare(
            sieve,
            native,
            || {
                if mapped_in_ranges() {
                    Some(&IPV4_MAPPED)
                } else if matches!(self.variant, Variant::Xff { .. }) && fell_back {
                    Some(&XFF_NO_CLIENT)
                } else if matches!(self.variant, Variant::Xff { .. })
                    && native.header("x-diff-trusted").is_some_and(|client| client.contains('%'))
                {
                    Some(&XFF_ZONE)
                } else {
                    None
                }
            },
            |s, n| {
                let envoy = if fell_back {
                    "Envoy fell back to the peer".to_string()
                } else if !reads_xff {
                    "Envoy used the peer".to_string()
                } else {
                    let client = native.header("x-diff-trusted").unwrap_or("?");
                    let token =
                        client.strip_suffix(":0").unwrap_or(client).trim_start_matches('[').trim_end_matches(']');
                    format!("Envoy used an X-Forwarded-For {}", kind(token))
                };
                let mut class = format!("Sieve {} / RBAC {}: {envoy}", s.word(), n.word());
                if let Variant::Xff { .. } = self.variant {
                    // X-Forwarded-For as both filters saw it (Envoy's append included).
                    let xff = native.header("x-diff-xff").filter(|x| *x != "-").unwrap_or_default();
                    let pieces: Vec<&str> = if xff.is_empty() { Vec::new() } else { xff.split(',').collect() };
                    let position = match pieces.len().checked_sub(hops as usize + 1).and_then(|i| pieces.get(i)) {
                        Some(piece) => kind(piece),
                        None => "missing".into(),
                    };
                    class.push_str(&format!("; the entry N+1 from the right is {position}"));
                    let right = pieces.len().saturating_sub(hops as usize);
                    if pieces.get(right..).unwrap_or_default().iter().any(|p| p.trim().is_empty()) {
                        class.push_str(", with an empty entry to its right");
                    }
                    if hops == 0 {
                        class.push_str(" (N = 0)");
                    }
                }
                class
            },
        )
    }

    fn shrink(&self, case: &ScreenCase) -> Vec<ScreenCase> {
        let mut out = Vec::new();
        // Fewer lines, fewer pieces, then simpler pieces.
        if case.lines.len() > 1 {
            for i in 0..case.lines.len() {
                let mut smaller = case.clone();
                smaller.lines.remove(i);
                out.push(smaller);
            }
            let mut merged = case.clone();
            merged.lines = vec![case.lines.join(",")];
            out.push(merged);
        }
        for (line_index, line) in case.lines.iter().enumerate() {
            let pieces: Vec<&str> = line.split(',').collect();
            for i in 0..pieces.len() {
                let mut rest = pieces.clone();
                rest.remove(i);
                let mut smaller = case.clone();
                if rest.is_empty() {
                    smaller.lines.remove(line_index);
                } else {
                    smaller.lines[line_index] = rest.join(",");
                }
                out.push(smaller);
            }
            for i in 0..pieces.len() {
                let trimmed = pieces[i].trim_matches([' ', '\t']);
                if trimmed.len() != pieces[i].len() {
                    let mut rest = pieces.clone();
                    rest[i] = trimmed;
                    let mut smaller = case.clone();
                    smaller.lines[line_index] = rest.join(",");
                    out.push(smaller);
                }
            }
        }
        out
    }

    fn describe(&self, case: &ScreenCase) -> String {
        let (ura, hops) = SETTINGS[case.setting];
        format!(
            "use_remote_address {ura}, N = {hops}, peer {}{}",
            PEERS[case.peer],
            if in_cidrs(PEERS[case.peer]) { " (inside the ranges)" } else { " (outside the ranges)" }
        )
    }

    fn sides(&self, case: &ScreenCase) -> (String, String) {
        let (ura, hops) = SETTINGS[case.setting];
        let native_hcm = Hcm { use_remote_address: ura, xff_num_trusted_hops: hops, ..Hcm::default() };
        (
            format!("screen {} behind HCM {{{}}}", self.sieve_config(hops), self.sieve_hcm(case.setting).describe()),
            format!(
                "RBAC DENY remote_ip {} behind HCM {{{}}}",
                CIDRS.iter().map(|(a, l)| format!("{a}/{l}")).collect::<Vec<_>>().join(" "),
                native_hcm.describe()
            ),
        )
    }

    fn rules(&self) -> Vec<&'static Rule> {
        match self.variant {
            Variant::EnvoyAddress => vec![&IPV4_MAPPED],
            Variant::Xff { .. } => vec![&IPV4_MAPPED, &XFF_NO_CLIENT, &XFF_ZONE],
        }
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn shows(&self) -> &'static [&'static str] {
        &["x-diff-trusted", "x-diff-direct", "x-diff-xff"]
    }
}

fn split_lines(rng: &mut Rng, pieces: Vec<String>, count: usize) -> Vec<String> {
    let mut cuts: Vec<usize> = (0..count - 1).map(|_| rng.range(1, pieces.len().max(2) as i64 - 1) as usize).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut lines = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([pieces.len()]) {
        if cut > start && cut <= pieces.len() {
            lines.push(join_pieces(rng, &pieces[start..cut]));
            start = cut;
        }
    }
    if lines.is_empty() {
        lines.push(join_pieces(rng, &pieces));
    }
    lines
}

fn join_pieces(rng: &mut Rng, pieces: &[String]) -> String {
    let mut line = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            const SEPARATORS: [&str; 7] = [",", ",", ", ", ", ", " , ", ",\t", ",  "];
            line.push_str(SEPARATORS[rng.below(SEPARATORS.len())]);
        }
        line.push_str(piece);
    }
    line
}

/// One X-Forwarded-For entry: an address inside or outside the ranges, in any of its textual
/// forms, sometimes dressed (port, brackets, zone, whitespace) or not an address at all.
fn entry(rng: &mut Rng) -> String {
    let inside = rng.chance(45);
    let text = match rng.weighted(&[40, 22, 8, 5, 3, 4, 3, 4, 3, 2, 2, 4]) {
        0 => ipv4(rng, inside).to_string(),
        1 => ipv6_text(rng, inside),
        2 => {
            // IPv4-mapped, in its forms.
            let v4 = ipv4(rng, inside);
            let [a, b, c, d] = v4.octets();
            match rng.below(4) {
                0 => format!("::ffff:{v4}"),
                1 => format!("::FFFF:{v4}"),
                2 => format!("::ffff:{:x}:{:x}", u16::from(a) << 8 | u16::from(b), u16::from(c) << 8 | u16::from(d)),
                _ => format!("0:0:0:0:0:ffff:{v4}"),
            }
        }
        3 => format!("{}:{}", ipv4(rng, inside), rng.pick(&[80, 443, 8080, 0, 65535])),
        4 => format!("[{}]:{}", ipv6(rng, inside), rng.pick(&[80, 443])),
        5 => format!("[{}]", ipv6(rng, inside)),
        6 => {
            // Link-local with a zone (Envoy reads zones; the ranges hold fe80::/10).
            let host = if inside {
                format!("fe80::{:x}", rng.range(1, 0xffff))
            } else {
                format!("2001:db8::{:x}", rng.range(1, 0xffff))
            };
            format!("{host}%{}", rng.pick(&["1", "2", "lo", "eth0"]))
        }
        7 => {
            // The peers themselves and other loopback forms.
            (*rng.pick(&["127.0.0.77", "127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.77", "127.0.0.78"])).to_string()
        }
        8 => {
            // Numeric forms some parsers take: leading zeros, short, hex, trailing dot.
            let v4 = ipv4(rng, inside);
            let [a, b, c, d] = v4.octets();
            match rng.below(5) {
                0 => format!("{a}.{b:03}.{c}.{d}"),
                1 => format!("{a}.{b}.{}", u16::from(c) << 8 | u16::from(d)),
                2 => format!("0x{a:x}.{b}.{c}.{d}"),
                3 => format!("{v4}."),
                _ => format!("::{v4}"),
            }
        }
        9 => format!("\"{}\"", ipv4(rng, inside)),
        10 => format!("for={}", ipv4(rng, inside)),
        _ => (*rng.pick(&["unknown", "_hidden", "garbage", "-", "1.2.3", "999.1.1.1", "1.2.3.4 5.6.7.8", "::g"]))
            .to_string(),
    };
    match rng.weighted(&[80, 8, 6, 6]) {
        0 => text,
        1 => format!(" {text}"),
        2 => format!("{text} "),
        _ => format!("\t{text}\t"),
    }
}

fn ipv4(rng: &mut Rng, inside: bool) -> Ipv4Addr {
    if inside {
        match rng.below(4) {
            0 | 1 => Ipv4Addr::new(198, 51, 100, rng.below(256) as u8),
            2 => Ipv4Addr::new(203, 0, 113, 128 + rng.below(128) as u8),
            _ => *rng.pick(&[
                Ipv4Addr::new(198, 51, 100, 0),
                Ipv4Addr::new(198, 51, 100, 255),
                Ipv4Addr::new(203, 0, 113, 128),
            ]),
        }
    } else {
        match rng.below(5) {
            0 => Ipv4Addr::new(203, 0, 113, rng.below(128) as u8),
            1 => Ipv4Addr::new(192, 0, 2, rng.below(256) as u8),
            2 => Ipv4Addr::new(10, rng.below(256) as u8, rng.below(256) as u8, rng.below(256) as u8),
            3 => *rng.pick(&[
                Ipv4Addr::new(198, 51, 99, 255),
                Ipv4Addr::new(198, 51, 101, 0),
                Ipv4Addr::new(203, 0, 113, 127),
            ]),
            _ => Ipv4Addr::new(8, 8, rng.below(256) as u8, rng.below(256) as u8),
        }
    }
}

fn ipv6(rng: &mut Rng, inside: bool) -> Ipv6Addr {
    let low = rng.next_u64() as u16;
    if inside {
        Ipv6Addr::new(0x2001, 0xdb8, 0xbad, 0, 0, 0, rng.below(3) as u16, low)
    } else {
        *rng.pick(&[
            Ipv6Addr::new(0x2001, 0xdb8, 0xbae, 0, 0, 0, 0, low),
            Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, low),
            Ipv6Addr::new(0x2001, 0xdb8, 0xbac, 0xffff, 0, 0, 0, low),
        ])
    }
}

/// An IPv6 address in one of its textual forms.
fn ipv6_text(rng: &mut Rng, inside: bool) -> String {
    let ip = ipv6(rng, inside);
    match rng.below(4) {
        0 | 1 => ip.to_string(),
        2 => ip.to_string().to_ascii_uppercase(),
        _ => {
            let s = ip.segments();
            format!("{:x}:{:x}:{:04x}:{:x}:{:x}:{:x}:{:x}:{:x}", s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_positions() {
        assert_eq!(shape("1.2.3.4"), "IPv4");
        assert_eq!(shape(" 1.2.3.4"), "padded IPv4");
        assert_eq!(shape("1.2.3.4:80"), "IPv4:port");
        assert_eq!(shape("[::1]:80"), "[IPv6]:port");
        assert_eq!(shape("fe80::1%eth0"), "IPv6 with a zone (%scope)");
        assert_eq!(shape("::ffff:1.2.3.4"), "IPv4-mapped IPv6");
        assert_eq!(shape(""), "empty");
        assert_eq!(parse_reported("[fe80::1%4]:0"), Some(("fe80::1".parse().unwrap(), true, 0)));
        assert_eq!(parse_reported("127.0.0.77:5123"), Some((PEERS[1], false, 5123)));
        assert!(!in_cidrs(PEERS[0]) && in_cidrs(PEERS[1]) && in_cidrs(PEERS[2]));
        assert!(in_cidrs("203.0.113.200".parse().unwrap()) && !in_cidrs("203.0.113.127".parse().unwrap()));
        assert!(in_cidrs("fe80::1".parse().unwrap()) && !in_cidrs("::ffff:198.51.100.1".parse().unwrap()));
    }
}
