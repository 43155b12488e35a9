//! A screening-list feed: serves the current list document with an ETag, `304` for a client that
//! has it, and — when the list moved on by a delta — the delta to a client one version behind.
//! Tests drive it (publish, publish a delta, go down, serve garbage); the `sieve-feed` binary
//! serves a file and picks up its changes.

use crate::{Handler, Response};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct State {
    /// Versions in order: (etag, full document, delta from the previous version as JSON).
    versions: Vec<(String, Vec<u8>, Option<Vec<u8>>)>,
    down: bool,
    garbage: bool,
    requests: usize,
}

/// A feed whose content the owner changes while it serves.
#[derive(Clone, Default)]
pub struct Feed(Arc<Mutex<State>>);

impl Feed {
    pub fn new() -> Self {
        Feed::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> Option<T> {
        self.0.lock().ok().map(|mut state| f(&mut state))
    }

    /// Publishes a whole list (a blob or a text list); returns its ETag.
    pub fn publish(&self, document: impl Into<Vec<u8>>) -> String {
        let document = document.into();
        self.with(|state| {
            let etag = format!("\"v{}\"", state.versions.len() + 1);
            state.versions.push((etag.clone(), document, None));
            etag
        })
        .unwrap_or_default()
    }

    /// Publishes a new version reached from the current one by adding and removing keys:
    /// `document` is the whole new list (for clients further behind), the delta goes to clients
    /// holding the current version.
    pub fn publish_delta(&self, document: impl Into<Vec<u8>>, add: &[&str], remove: &[&str]) -> String {
        let document = document.into();
        self.with(|state| {
            let base = state.versions.last().map(|(etag, _, _)| etag.clone()).unwrap_or_default();
            let delta = serde_json::json!({"base": base, "add": add, "remove": remove}).to_string().into_bytes();
            let etag = format!("\"v{}\"", state.versions.len() + 1);
            state.versions.push((etag.clone(), document, Some(delta)));
            etag
        })
        .unwrap_or_default()
    }

    /// Answers 503 to everything while `down`.
    pub fn set_down(&self, down: bool) {
        self.with(|state| state.down = down);
    }

    /// Serves a corrupt document (with a fresh ETag) while `garbage`.
    pub fn set_garbage(&self, garbage: bool) {
        self.with(|state| state.garbage = garbage);
    }

    /// Requests served so far.
    pub fn requests(&self) -> usize {
        self.with(|state| state.requests).unwrap_or(0)
    }

    pub fn handler(&self) -> Handler {
        let feed = self.clone();
        Arc::new(move |request| {
            feed.with(|state| {
                state.requests += 1;
                if state.down {
                    return Response::new(503).body("feed down\n");
                }
                if state.garbage {
                    let etag = format!("\"garbage-{}\"", state.requests);
                    return Response::new(200)
                        .header("etag", &etag)
                        .body(b"SIEVESET\x01\x00garbage that is not a list".to_vec());
                }
                let Some((etag, document, delta)) = state.versions.last().cloned() else {
                    return Response::new(404).body("nothing published\n");
                };
                let client = request.header("if-none-match");
                if client == Some(etag.as_str()) {
                    return Response::new(304).header("etag", &etag);
                }
                let previous = state.versions.len().checked_sub(2).and_then(|i| state.versions.get(i));
                if let (Some(delta), Some((previous_etag, _, _))) = (delta, previous) {
                    if client == Some(previous_etag.as_str()) {
                        return Response::new(200)
                            .header("etag", &etag)
                            .header("content-type", "application/json")
                            .body(delta);
                    }
                }
                Response::new(200)
                    .header("etag", &etag)
                    .header("content-type", "application/octet-stream")
                    .body(document)
            })
            .unwrap_or_else(|| Response::new(500))
        })
    }
}

/// A feed that serves `path` and publishes it again whenever the file changes.
pub fn file_handler(path: std::path::PathBuf) -> Handler {
    let feed = Feed::new();
    let seen = Arc::new(Mutex::new(None::<std::time::SystemTime>));
    let inner = feed.handler();
    Arc::new(move |request| {
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if let Ok(mut seen) = seen.lock() {
            if modified.is_some() && *seen != modified {
                if let Ok(document) = std::fs::read(&path) {
                    feed.publish(document);
                    *seen = modified;
                }
            }
        }
        inner(request)
    })
}
