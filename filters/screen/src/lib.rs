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
use sieve_screen_set::{Backend, Normalize, ScreenSet};
use sieve_sdk_ext::remote::{Accepted, DocumentMetrics, RemoteDefaults, RemoteDocument, RemoteResource};
use sieve_sdk_ext::{CallResponse, ConfigError, Filter, Http, HttpCall, LocalReply, Root, Setup, Verdict};
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
    /// The list the config gives (inline or a blob), in force until a feed's first version.
    config_list: Option<Rc<ScreenSet>>,
    feed: Option<RemoteDocument<ScreenSet>>,
    confirm: Option<Confirm>,
    stats: Stats,
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
        if !config.cidrs.is_empty() && !key.is_client_ip() {
            return Err(ConfigError::new("cidrs", "CIDR ranges need a client_ip key"));
        }
        let cidrs: Vec<IpNet> = config.cidrs.iter().map(|cidr| cidr.0).collect();
        let has_cidrs = !cidrs.is_empty();
        let loading = setup.now();
        let list = match list::from_config(&config.list, normalize, key.form()) {
            Ok(list) => list,
            // With CIDR ranges alone, no list is needed.
            Err(e) if has_cidrs && e.field.is_empty() => None,
            Err(e) => return Err(e.within("list")),
        };
        let confirm = config.confirm.map(Confirm::compile).transpose().map_err(|e| e.within("confirm"))?;
        let stats = Stats::define(setup);
        // How long a list took to decode, check and load in this VM (host clock).
        let list_size = setup.gauge("list_size");
        let list_load_ms = setup.gauge("list_load_ms");
        let feed = match &config.list.feed {
            Some(feed) => {
                let spec = feed.compile(FEED_DEFAULTS).map_err(|e| e.within("list.feed"))?;
                let metrics = DocumentMetrics {
                    failed: stats.feed_errors,
                    taken: stats.feed_updates,
                    left_out: stats.invalid_entries,
                    version: setup.gauge("list_version"),
                    load_ms: list_load_ms,
                    size: list_size,
                    ..DocumentMetrics::default()
                };
                let form = key.form();
                Some(RemoteDocument::new(
                    RemoteResource::new("screen", spec),
                    "sieve.screen: feed".into(),
                    metrics,
                    move |body, previous| {
                        let (payload, left_out) =
                            list::accept_feed(body, previous.etag.as_deref(), || previous.payload(), normalize, form)?;
                        Ok(Accepted { payload, left_out })
                    },
                    move |payload| list::from_document(payload, normalize, form).map(|(set, _)| set),
                    ScreenSet::len,
                ))
            }
            None => None,
        };
        if let Some(list) = &list {
            let millis = setup.now().duration_since(loading).map_or(0, |d| d.as_millis() as u64);
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
            config_list: list.map(Rc::new),
            feed,
            confirm,
            stats,
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
        self.feed.as_ref().map(RemoteDocument::tick_period)
    }

    fn on_tick(&self, root: &mut Root<'_>) {
        if let Some(feed) = &self.feed {
            feed.on_tick(root);
        }
    }

    fn on_root_call_response(&self, root: &mut Root<'_>, response: &CallResponse) {
        if let Some(feed) = &self.feed {
            feed.on_root_call_response(root, response);
        }
    }
}

impl Screen {
    /// The list in force: the feed's newest version taken by this VM, else the config's list.
    fn current_list(&self, http: &mut Http<'_>) -> Option<Rc<ScreenSet>> {
        self.feed.as_ref().and_then(|feed| feed.current(http)).or_else(|| self.config_list.clone())
    }

    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
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
    #[inline(never)] // its own function: sdk-ext/README.md, "What a module costs in memory"
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

#[cfg(test)]
#[path = "lib_test.rs"]
mod tests;
