//! Sieve screen filter: looks a part of each request (client address, a header, the path, a query
//! parameter, the consumer) up in a list that can hold millions of keys — an exact set, a Bloom or
//! a Cuckoo filter — given inline, prebuilt as a blob, or fed live from an Envoy cluster, and
//! refuses what the mode says. The configuration reference is in README.md.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod config;
pub mod key;
pub mod list;

use config::{ConfirmConfig, Mode, OnError, OnMissingKey, ScreenConfig};
use ipnet::IpNet;
use key::{KeyRead, KeySource};
use sieve_sdk_ext::remote::{Fetched, RemoteDefaults, RemoteResource};
use sieve_sdk_ext::screen::{Backend, Normalize, ScreenSet};
use sieve_sdk_ext::{CallResponse, ConfigError, Filter, Gauge, Http, HttpCall, LocalReply, Root, Setup, Verdict};
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::rc::Rc;
use std::time::{Duration, SystemTime};

sieve_sdk_ext::counters! {
    /// `sieve.screen.*`
    pub struct Stats {
        /// Requests screened.
        checks,
        /// Keys found in the list (after confirmation, when configured).
        hits,
        /// Keys not in the list.
        misses,
        /// Requests refused.
        refused,
        /// Requests that would have been refused (dry run).
        dry_run_refused,
        /// Requests without the key (no header, no address...).
        missing_key,
        /// Hits from the exact CIDR ranges.
        cidr_hits,
        /// Probabilistic hits the authority confirmed.
        confirmed,
        /// Probabilistic hits the authority denied: false positives caught.
        false_positives,
        /// Confirmations that got no usable answer.
        confirm_errors,
        /// Requests screened while no list was loaded yet.
        list_unavailable,
        /// Feed versions this VM took.
        feed_updates,
        /// Feed fetches that failed or brought an unusable list (the last good list stays).
        feed_errors,
        /// List entries left out because they can never match a key (a range in an address list,
        /// an ambiguous path), counted when a feed version is fetched.
        invalid_entries,
        /// Requests refused because their key is ambiguous (a query parameter repeated with
        /// different values).
        ambiguous_key,
    }
}

const FEED_DEFAULTS: RemoteDefaults = RemoteDefaults {
    refresh: Duration::from_secs(30),
    timeout: Duration::from_secs(5),
    retry: Duration::from_secs(1),
    max_bytes: sieve_sdk_ext::remote::MAX_DOCUMENT_BYTES,
};

struct Confirm {
    cluster: String,
    authority: String,
    path: String,
    timeout: Duration,
    on_error: OnError,
    ttl: Duration,
    capacity: usize,
    /// Per VM: key -> (in the list, until).
    cache: RefCell<HashMap<String, (bool, SystemTime)>>,
}

impl Confirm {
    fn compile(config: ConfirmConfig) -> Result<Self, ConfigError> {
        if config.cluster.trim().is_empty() {
            return Err(ConfigError::new("cluster", "must name an Envoy cluster"));
        }
        if !config.path.starts_with('/') || config.path.contains('?') {
            return Err(ConfigError::new("path", "must start with '/' and have no query string"));
        }
        if !(1..=10_000).contains(&config.timeout_ms) {
            return Err(ConfigError::new("timeout_ms", "must be between 1 and 10000"));
        }
        Ok(Confirm {
            authority: config.authority.unwrap_or_else(|| config.cluster.clone()),
            cluster: config.cluster,
            path: config.path,
            timeout: Duration::from_millis(config.timeout_ms),
            on_error: config.on_error,
            ttl: Duration::from_secs(config.cache_seconds),
            capacity: config.cache_entries,
            cache: RefCell::new(HashMap::new()),
        })
    }

    fn cached(&self, key: &str, now: SystemTime) -> Option<bool> {
        self.cache.borrow().get(key).filter(|(_, until)| *until > now).map(|(hit, _)| *hit)
    }

    fn remember(&self, key: &str, hit: bool, now: SystemTime) {
        if self.ttl.is_zero() || self.capacity == 0 {
            return;
        }
        let mut cache = self.cache.borrow_mut();
        if cache.len() >= self.capacity {
            cache.retain(|_, (_, until)| *until > now);
            if cache.len() >= self.capacity {
                cache.clear();
            }
        }
        cache.insert(key.to_string(), (hit, now + self.ttl));
    }
}

pub struct Screen {
    key: KeySource,
    normalize: Normalize,
    mode: Mode,
    dry_run: bool,
    status: u16,
    on_missing_key: OnMissingKey,
    cidrs: Vec<IpNet>,
    /// The list in force in this VM.
    list: RefCell<Option<Rc<ScreenSet>>>,
    feed: Option<RemoteResource>,
    confirm: Option<Confirm>,
    stats: Stats,
    list_size: Gauge,
    list_version: Gauge,
    /// How long the last list took to decode, check and load in this VM.
    list_load_ms: Gauge,
}

/// Per request: the key awaiting its confirmation, and the callout's token.
#[derive(Debug, Default)]
pub struct ScreenStream {
    confirming: Option<(String, u32)>,
}

impl Filter for Screen {
    const NAME: &'static str = "screen";
    type Config = ScreenConfig;
    type Stream = ScreenStream;

    fn configure(config: ScreenConfig, setup: &mut Setup<'_>) -> Result<Self, ConfigError> {
        let key = KeySource::compile(config.key).map_err(|e| e.within("key"))?;
        let on_missing_key = config.on_missing_key.unwrap_or(if key.counts_proxies() {
            OnMissingKey::Refuse
        } else {
            OnMissingKey::Miss
        });
        let normalize = Normalize {
            lowercase: config.normalize.lowercase,
            trim_trailing_slash: config.normalize.trim_trailing_slash,
        };
        if !(400..=599).contains(&config.status) {
            return Err(ConfigError::new("status", "must be a 4xx or 5xx status"));
        }
        let mut cidrs = Vec::with_capacity(config.cidrs.len());
        for (index, cidr) in config.cidrs.iter().enumerate() {
            if !key.is_client_ip() {
                return Err(ConfigError::new("cidrs", "CIDR ranges need a client_ip key"));
            }
            let net: IpNet = cidr.parse().or_else(|_| cidr.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                ConfigError::new(format!("cidrs[{index}]"), format!("{cidr:?} is not a CIDR range or an address"))
            })?;
            cidrs.push(net);
        }
        let has_cidrs = !cidrs.is_empty();
        let loading = setup.now();
        let list = match list::from_config(&config.list, normalize, key.form()) {
            Ok(list) => list,
            // With CIDR ranges alone, no list is needed.
            Err(e) if has_cidrs && e.field.is_empty() => None,
            Err(e) => return Err(e.within("list")),
        };
        let feed = match &config.list.feed {
            Some(feed) => {
                let spec = feed.compile(FEED_DEFAULTS).map_err(|e| e.within("list.feed"))?;
                Some(RemoteResource::new("screen", spec))
            }
            None => None,
        };
        let confirm = config.confirm.map(Confirm::compile).transpose().map_err(|e| e.within("confirm"))?;
        let stats = Stats::define(setup);
        let list_size = setup.gauge("list_size");
        let list_version = setup.gauge("list_version");
        let list_load_ms = setup.gauge("list_load_ms");
        if let Some(list) = &list {
            let millis = elapsed_ms(loading, setup.now());
            setup.set_gauge(list_size, list.len());
            setup.set_gauge(list_load_ms, millis);
            log::info!(
                "sieve.screen: {} list of {} keys loaded with the config in {millis} ms",
                list.backend().name(),
                list.len()
            );
        }
        Ok(Screen {
            key,
            normalize,
            mode: config.mode,
            dry_run: config.dry_run,
            status: config.status,
            on_missing_key,
            cidrs,
            list: RefCell::new(list.map(Rc::new)),
            feed,
            confirm,
            stats,
            list_size,
            list_version,
            list_load_ms,
        })
    }

    fn on_request_headers(&self, http: &mut Http<'_>, stream: &mut ScreenStream) -> Verdict {
        http.count(self.stats.checks);
        let raw = match self.key.read(http) {
            KeyRead::Found(key) => key,
            KeyRead::Ambiguous => {
                http.count(self.stats.ambiguous_key);
                return Verdict::Reply(LocalReply::bad_request(
                    "the screened query parameter is repeated with different values",
                ));
            }
            KeyRead::Missing => {
                http.count(self.stats.missing_key);
                if self.on_missing_key == OnMissingKey::Refuse {
                    return self.refuse(http, "the request has no key to screen");
                }
                return self.decide(http, false, "the request has no key to screen");
            }
        };
        let key = self.normalize.apply(&raw).into_owned();
        if !self.cidrs.is_empty() {
            if let Ok(ip) = key.parse::<IpAddr>() {
                if self.cidrs.iter().any(|net| net.contains(&ip)) {
                    http.count(self.stats.cidr_hits);
                    return self.decide(http, true, "");
                }
            }
        }
        let Some(list) = self.current_list(http) else {
            if self.cidrs.is_empty() || self.feed.is_some() {
                http.count(self.stats.list_unavailable);
                if self.mode == Mode::Allow && !self.dry_run {
                    return Verdict::Reply(LocalReply::new(
                        503,
                        "list_unavailable",
                        "the allow list is not loaded yet",
                    ));
                }
            }
            return self.decide(http, false, "");
        };
        let hit = list.contains_normalized(key.as_bytes());
        if hit && list.backend() != Backend::Exact {
            if let Some(confirm) = &self.confirm {
                if let Some(answer) = confirm.cached(&key, http.now()) {
                    return self.decide(http, answer, "");
                }
                return self.ask(http, stream, confirm, key);
            }
        }
        self.decide(http, hit, "")
    }

    fn on_call_response(&self, http: &mut Http<'_>, stream: &mut ScreenStream, response: &CallResponse) -> Verdict {
        let (Some(confirm), Some((key, token))) = (&self.confirm, stream.confirming.take()) else {
            return Verdict::Continue;
        };
        if token != response.token {
            stream.confirming = Some((key, token));
            return Verdict::Pause;
        }
        let answer = match response.status {
            Some(200) => {
                http.count(self.stats.confirmed);
                true
            }
            Some(404) => {
                http.count(self.stats.false_positives);
                false
            }
            _ => {
                http.count(self.stats.confirm_errors);
                return self.decide(http, confirm.on_error == OnError::Hit, "");
            }
        };
        confirm.remember(&key, answer, http.now());
        self.decide(http, answer, "")
    }

    fn tick_period(&self) -> Option<Duration> {
        self.feed.as_ref()?;
        // Quick ticks until a list is in, then a cheap look at the shared state every second.
        Some(if self.list.borrow().is_none() { Duration::from_millis(100) } else { Duration::from_secs(1) })
    }

    fn on_tick(&self, root: &mut Root<'_>) {
        let Some(feed) = &self.feed else { return };
        if let Some((version, document)) = feed.poll(root) {
            self.install(root.host(), version, &document);
        }
    }

    fn on_root_call_response(&self, root: &mut Root<'_>, response: &CallResponse) {
        let Some(feed) = &self.feed else { return };
        let (normalize, form) = (self.normalize, self.key.form());
        let refused = std::cell::Cell::new(0usize);
        let outcome = feed.on_response(root, response, |body, previous| {
            let (document, left_out) =
                list::accept_feed(body, previous.etag.as_deref(), || previous.payload(), normalize, form)?;
            if let Some(first) = left_out.first() {
                log::warn!(
                    "sieve.screen: feed: {} entries left out, they can never match a key; first: {first}",
                    left_out.len()
                );
            }
            refused.set(left_out.len());
            Ok(document)
        });
        if refused.get() > 0 {
            root.add(self.stats.invalid_entries, refused.get() as i64);
        }
        match outcome {
            Some(Fetched::Updated { version }) => log::info!("sieve.screen: feed version {version} published"),
            Some(Fetched::NotModified) | None => {}
            Some(Fetched::Failed(reason)) => {
                log::warn!("sieve.screen: feed update failed ({reason}); keeping the last good list");
                root.count(self.stats.feed_errors);
            }
        }
    }
}

fn elapsed_ms(from: std::time::SystemTime, to: std::time::SystemTime) -> u64 {
    to.duration_since(from).map_or(0, |d| d.as_millis() as u64)
}

impl Screen {
    /// The list in force. Before this VM has a list, it takes one another worker published since
    /// its last tick; later versions arrive with the tick (no shared-data read per request).
    fn current_list(&self, http: &mut Http<'_>) -> Option<Rc<ScreenSet>> {
        // The borrow ends before `install` writes the list (a temporary in the `if let` would hold
        // it through the block: "RefCell already borrowed", a trap).
        let empty = self.list.borrow().is_none();
        if let (Some(feed), true) = (&self.feed, empty) {
            if let Some((version, document)) = feed.take_newer(http.host()) {
                self.install(http.host(), version, &document);
            }
        }
        self.list.borrow().clone()
    }

    fn install(&self, host: &mut dyn sieve_sdk_ext::Host, version: u64, document: &[u8]) {
        let loading = host.now();
        match list::from_document(document, self.normalize, self.key.form()) {
            Ok((set, _)) => {
                let millis = elapsed_ms(loading, host.now());
                log::info!(
                    "sieve.screen: feed version {version}: {} list of {} keys loaded in {millis} ms",
                    set.backend().name(),
                    set.len()
                );
                self.list_load_ms.set(host, millis);
                self.list_size.set(host, set.len());
                self.list_version.set(host, version);
                self.stats.feed_updates.add(host, 1);
                *self.list.borrow_mut() = Some(Rc::new(set));
            }
            Err(e) => {
                log::error!("sieve.screen: feed version {version} unusable: {e}");
                self.stats.feed_errors.add(host, 1);
            }
        }
    }

    fn ask(&self, http: &mut Http<'_>, stream: &mut ScreenStream, confirm: &Confirm, key: String) -> Verdict {
        let path = format!("{}?key={}", confirm.path, sieve_sdk_ext::uri::encode_component(&key));
        let call = HttpCall {
            cluster: &confirm.cluster,
            method: "GET",
            path: &path,
            authority: &confirm.authority,
            headers: Vec::new(),
            body: None,
            timeout: confirm.timeout,
        };
        match http.dispatch(&call) {
            Ok(token) => {
                stream.confirming = Some((key, token));
                Verdict::Pause
            }
            Err(e) => {
                log::warn!("sieve.screen: cannot ask cluster {}: {e}", confirm.cluster);
                http.count(self.stats.confirm_errors);
                self.decide(http, confirm.on_error == OnError::Hit, "")
            }
        }
    }

    /// Applies the mode to "the key is (not) in the list".
    fn decide(&self, http: &mut Http<'_>, in_list: bool, why: &str) -> Verdict {
        http.count(if in_list { self.stats.hits } else { self.stats.misses });
        let refuse = match self.mode {
            Mode::Deny => in_list,
            Mode::Allow => !in_list,
        };
        if !refuse {
            return Verdict::Continue;
        }
        let message = if !why.is_empty() {
            why
        } else if self.mode == Mode::Deny {
            "the request matches the deny list"
        } else {
            "the request is not on the allow list"
        };
        self.refuse(http, message)
    }

    /// Refuses (or, in a dry run, counts and logs what would be refused).
    fn refuse(&self, http: &mut Http<'_>, message: &str) -> Verdict {
        if self.dry_run {
            http.count(self.stats.dry_run_refused);
            let method = http.method().unwrap_or("-").to_string();
            log::debug!("sieve.screen: dry run: would refuse {method} {}", http.path_without_query().unwrap_or("-"));
            return Verdict::Continue;
        }
        http.count(self.stats.refused);
        Verdict::Reply(LocalReply::new(self.status, "screened", message))
    }
}

#[cfg(feature = "module")]
sieve_sdk_ext::export_filter!(Screen);

#[cfg(test)]
#[path = "lib_test.rs"]
mod tests;
