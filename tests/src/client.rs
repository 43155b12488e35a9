//! A small HTTP client for tests: statuses are answers, not errors; repeated headers are kept.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into()
    })
}

/// A request under construction.
#[derive(Debug, Clone)]
pub struct Request {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Request {
    pub fn new(method: &str, url: &str) -> Self {
        Request { method: method.to_string(), url: url.to_string(), headers: Vec::new(), body: None }
    }

    /// Adds a header (call twice for a repeated header).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sends the request; a transport failure panics with the URL (tests want the reason).
    pub fn send(self) -> Reply {
        self.try_send().unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_send(self) -> Result<Reply, String> {
        let mut builder = ureq::http::Request::builder().method(self.method.as_str()).uri(&self.url);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let request = builder
            .body(self.body.clone().unwrap_or_default())
            .map_err(|e| format!("{} {}: bad request: {e}", self.method, self.url))?;
        let response = agent().run(request).map_err(|e| format!("{} {}: {e}", self.method, self.url))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let body = response
            .into_body()
            .read_to_string()
            .map_err(|e| format!("{} {}: reading body: {e}", self.method, self.url))?;
        Ok(Reply { status, headers, body })
    }
}

/// A response as the client saw it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Lower-case names, in order, repeated names kept.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The first value of response header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Every value of response header `name`.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    /// What the echo upstream received: every value of request header `name`, in order.
    pub fn upstream_header_all(&self, name: &str) -> Vec<String> {
        self.json()["header_list"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|pair| pair[0] == name)
            .filter_map(|pair| pair[1].as_str().map(String::from))
            .collect()
    }

    /// What the echo upstream received: the first value of request header `name`.
    pub fn upstream_header(&self, name: &str) -> Option<String> {
        self.upstream_header_all(name).into_iter().next()
    }

    /// The path (without query) the echo upstream received.
    pub fn upstream_path(&self) -> String {
        self.json()["path"].as_str().unwrap_or_default().to_string()
    }

    /// Asserts a Sieve JSON local reply: status, `error` code.
    pub fn assert_local_reply(&self, status: u16, error: &str) -> serde_json::Value {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/json"), "local replies are JSON");
        let body = self.json();
        assert_eq!(body["error"], error, "error code in {body}");
        assert!(body["message"].is_string(), "message in {body}");
        body
    }
}

/// A minimal GET for the admin interface (no pooling: used while Envoy starts and stops).
pub fn admin_get(admin: SocketAddr, path: &str) -> Result<(u16, String), String> {
    let raw =
        raw_request(admin, format!("GET {path} HTTP/1.1\r\nhost: admin\r\nconnection: close\r\n\r\n").as_bytes())?;
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no HTTP status from admin {path}"))?;
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, dechunk(&raw, body)))
}

fn dechunk(raw: &str, body: String) -> String {
    let head = raw.split("\r\n\r\n").next().unwrap_or_default().to_ascii_lowercase();
    if !head.contains("transfer-encoding: chunked") {
        return body;
    }
    let mut out = String::new();
    let mut rest = body.as_str();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 {
            break;
        }
        out.push_str(after.get(..size).unwrap_or(after));
        rest = after.get(size + 2..).unwrap_or_default();
    }
    out
}

/// Writes `bytes` to `addr` as they are and reads one response (for requests a normal client
/// would refuse to send). Returns the raw response text. The response ends at its
/// `content-length`, at the end of a chunked body, or when the server closes — not at Envoy's
/// delayed close, which would cost a second per request.
pub fn raw_request(addr: SocketAddr, bytes: &[u8]) -> Result<String, String> {
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    stream.write_all(bytes).map_err(|e| format!("write to {addr}: {e}"))?;
    let mut response = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        if response_complete(&response) {
            break;
        }
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(buffer.get(..n).unwrap_or_default()),
            Err(e)
                if !response.is_empty()
                    && matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                break
            }
            Err(e) => return Err(format!("read from {addr}: {e}")),
        }
    }
    Ok(String::from_utf8_lossy(&response).into_owned())
}

fn response_complete(response: &[u8]) -> bool {
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&response[..end]).to_ascii_lowercase();
    let body = &response[end + 4..];
    if let Some(length) =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok())
    {
        return body.len() >= length;
    }
    if head.contains("transfer-encoding: chunked") {
        return body.ends_with(b"0\r\n\r\n");
    }
    // No length: only a bodiless status ends before the server closes.
    head.starts_with("http/1.1 204") || head.starts_with("http/1.1 304")
}
