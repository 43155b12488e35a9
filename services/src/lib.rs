//! Sieve's demo services, for `cargo xtask up`, docker compose and the end-to-end tests. Each binds
//! 127.0.0.1 by default and speaks plain HTTP/1.1.
//!
//! - [`echo`]: the upstream; answers with the request it received, as JSON;
//! - [`authz`]: an external authorization service (allow-list of bearer tokens);
//! - [`jwks`]: serves a JWKS document with an ETag;
//! - [`registry_token`]: a registry token service (Docker's token authentication), served over
//!   TLS with [`spawn_tls`].
//!
//! Every service is a [`Handler`] run by [`spawn`] (on a background thread, for tests and xtask) or
//! [`run`] (in a binary). Tests write their own handlers to play a slow, failing or changing peer.

pub mod authz;
pub mod echo;
pub mod feed;
pub mod jwks;
pub mod registry_token;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Request bodies are read up to this size.
pub const MAX_BODY: usize = 64 * 1024;

/// A request as a handler sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Lower-case names, in order, repeated names kept.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was larger than [`MAX_BODY`] and was not read.
    pub body_too_large: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A handler's answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (to play a slow peer).
    pub delay: Duration,
    /// Close the connection instead of answering (to play a peer that resets).
    pub reset: bool,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response { status, headers: Vec::new(), body: Vec::new(), delay: Duration::ZERO, reset: false }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        let mut body = value.to_string().into_bytes();
        body.push(b'\n');
        Response::new(status).header("content-type", "application/json").body(body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// A peer that closes the connection without an answer.
    pub fn reset() -> Self {
        Response { reset: true, ..Response::new(502) }
    }
}

pub type Handler = Arc<dyn Fn(Request) -> Response + Send + Sync>;

/// Serves `handler` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, handler: Handler) {
    loop {
        let Ok((stream, _peer)) = listener.accept().await else { continue };
        tokio::spawn(serve_connection(stream, handler.clone()));
    }
}

/// One HTTP/1.1 connection (keep-alive), plain or TLS.
async fn serve_connection<S>(stream: S, handler: Handler)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request| answer(request, handler.clone()));
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Returned to hyper to drop the connection without an answer.
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by the handler")
    }
}

impl std::error::Error for Reset {}

async fn answer(request: hyper::Request<Incoming>, handler: Handler) -> Result<hyper::Response<Full<Bytes>>, Reset> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_BODY).collect().await.map(|b| b.to_bytes().to_vec());
    let request = Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body_too_large: body.is_err(),
        body: body.unwrap_or_default(),
    };
    let response = handler(request);
    if !response.delay.is_zero() {
        tokio::time::sleep(response.delay).await;
    }
    if response.reset {
        return Err(Reset);
    }
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    Ok(builder.body(Full::new(Bytes::from(response.body))).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::from_static(b"bad response\n")));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    }))
}

/// A service running on its own thread, stopped when dropped.
pub struct Background {
    pub addr: SocketAddr,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Starts `handler` on `addr` (port 0 picks a free port) on a background thread.
pub fn spawn(addr: SocketAddr, handler: Handler) -> std::io::Result<Background> {
    in_background(addr, "sieve-service", move |listener| serve(listener, handler))
}

/// [`spawn`] over TLS: `certificate_chain_pem` (leaf first) and its PKCS#8 `key_pem`.
pub fn spawn_tls(
    addr: SocketAddr,
    handler: Handler,
    certificate_chain_pem: &str,
    key_pem: &str,
) -> std::io::Result<Background> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let invalid = |e: &dyn std::fmt::Display| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
    let certificates = CertificateDer::pem_slice_iter(certificate_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(&e))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| invalid(&e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&e))?
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .map_err(|e| invalid(&e))?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    in_background(addr, "sieve-tls-service", move |listener| async move {
        loop {
            let Ok((stream, _peer)) = listener.accept().await else { continue };
            let (acceptor, handler) = (acceptor.clone(), handler.clone());
            tokio::spawn(async move {
                // A client that fails the handshake (wrong CA, plain HTTP) is dropped.
                if let Ok(stream) = acceptor.accept(stream).await {
                    serve_connection(stream, handler).await;
                }
            });
        }
    })
}

/// Binds `addr` and runs `serve` on it on a thread of its own until the [`Background`] is dropped.
fn in_background<F, Fut>(addr: SocketAddr, name: &str, serve: F) -> std::io::Result<Background>
where
    F: FnOnce(TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name(format!("{name}-{}", addr.port())).spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = TcpListener::from_std(listener) else { return };
            tokio::select! {
                _ = serve(listener) => {}
                _ = stopped => {}
            }
        });
    })?;
    Ok(Background { addr, _shutdown: shutdown })
}

/// Runs `handler` on `addr` until Ctrl-C or SIGTERM (for the binaries).
pub fn run(name: &str, addr: SocketAddr, handler: Handler) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(addr).await?;
        println!("{name} listening on http://{}", listener.local_addr()?);
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = serve(listener, handler) => {}
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        Ok(())
    })
}

/// `--listen ADDR` and `--health URL`-style argument parsing shared by the binaries: returns the
/// listen address and the remaining `(flag, value)` pairs.
pub fn parse_args(default: SocketAddr, usage: &str) -> (SocketAddr, Vec<(String, String)>) {
    let mut listen = default;
    let mut rest = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else { fail(usage, &format!("{flag} needs a value")) };
        if flag == "--listen" {
            listen = value.parse().unwrap_or_else(|e| fail(usage, &format!("--listen {value}: {e}")));
        } else {
            rest.push((flag, value));
        }
    }
    (listen, rest)
}

pub fn fail(usage: &str, message: &str) -> ! {
    eprintln!("{message}\nusage: {usage}");
    std::process::exit(2);
}
