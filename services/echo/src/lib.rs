//! The demo upstream: every request is answered `200` with a JSON echo of what arrived, so a test or
//! a curl user sees exactly what the filters in front of it changed.
//!
//! Two request headers steer the answer (for tests of response rules):
//! - `x-echo-status: 503` answers with that status;
//! - `x-echo-response-header: name=value` (repeatable) adds that response header.

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Bodies beyond this are not echoed (the answer says how large they were).
const MAX_ECHOED_BODY: usize = 64 * 1024;

/// Serves until the task is dropped.
pub async fn serve(listener: TcpListener) {
    loop {
        let Ok((stream, _peer)) = listener.accept().await else { continue };
        tokio::spawn(async move {
            let service = hyper::service::service_fn(answer);
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_ECHOED_BODY).collect().await.map(|b| b.to_bytes());
    let mut headers = serde_json::Map::new();
    let mut header_list = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        header_list.push(serde_json::json!([name.as_str(), value]));
        match headers.get_mut(name.as_str()) {
            Some(serde_json::Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_string(), serde_json::Value::String(value));
            }
        }
    }
    let echo = serde_json::json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query().unwrap_or(""),
        "headers": headers,
        "header_list": header_list,
        "body": match &body {
            Ok(bytes) => serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned()),
            Err(_) => serde_json::Value::String(format!("<body larger than {MAX_ECHOED_BODY} bytes>")),
        },
    });
    let status = parts
        .headers
        .get("x-echo-status")
        .and_then(|v| v.to_str().ok()?.parse::<u16>().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-echo-upstream", "sieve-echo");
    for wanted in parts.headers.get_all("x-echo-response-header") {
        if let Some((name, value)) = wanted.to_str().ok().and_then(|v| v.split_once('=')) {
            response = response.header(name.trim(), value.trim());
        }
    }
    let mut bytes = echo.to_string().into_bytes();
    bytes.push(b'\n');
    Ok(response.body(Full::new(Bytes::from(bytes))).unwrap_or_else(|_| {
        let mut fallback = Response::new(Full::new(Bytes::from_static(b"{\"error\":\"bad echo request\"}\n")));
        *fallback.status_mut() = StatusCode::BAD_REQUEST;
        fallback
    }))
}

/// An echo server running on its own thread, stopped when dropped.
pub struct Background {
    pub addr: SocketAddr,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Starts an echo server on `addr` (port 0 picks a free port) on a background thread.
pub fn spawn(addr: SocketAddr) -> std::io::Result<Background> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name(format!("sieve-echo-{}", addr.port())).spawn(move || {
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
