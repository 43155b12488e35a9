//! A JWKS server: serves one document (any path), with an ETag and `304 Not Modified` for a
//! matching `If-None-Match`. The document can be swapped or withdrawn while it runs (tests play a
//! key rotation or an endpoint that goes away).

use crate::{Handler, Response};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// The demo key set (`services/demo-keys/jwks.json`).
pub const DEMO_JWKS: &str = include_str!("../demo-keys/jwks.json");

/// The document being served; `None` answers 503.
#[derive(Clone, Default)]
pub struct Document(Arc<Mutex<Option<Vec<u8>>>>);

impl Document {
    pub fn new(body: impl Into<Vec<u8>>) -> Self {
        Document(Arc::new(Mutex::new(Some(body.into()))))
    }

    pub fn set(&self, body: impl Into<Vec<u8>>) {
        if let Ok(mut current) = self.0.lock() {
            *current = Some(body.into());
        }
    }

    pub fn withdraw(&self) {
        if let Ok(mut current) = self.0.lock() {
            *current = None;
        }
    }

    fn get(&self) -> Option<Vec<u8>> {
        self.0.lock().ok().and_then(|current| current.clone())
    }
}

pub fn etag(body: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&Sha256::digest(body)[..8]))
}

pub fn handler(document: Document) -> Handler {
    Arc::new(move |request| {
        let Some(body) = document.get() else {
            return Response::new(503).body("no key set\n");
        };
        let tag = etag(&body);
        if request.header("if-none-match") == Some(tag.as_str()) {
            return Response::new(304).header("etag", &tag);
        }
        Response::new(200).header("content-type", "application/json").header("etag", &tag).body(body)
    })
}
