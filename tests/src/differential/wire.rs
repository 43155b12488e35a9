//! Requests exactly as they go on the wire, over kept-alive connections (optionally from a chosen
//! loopback source address, so that the connection's peer is part of a case), and how a request
//! is shown in a reproducer.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

/// An HTTP/1.1 request as raw bytes: the request target and header values may hold any byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRequest {
    pub method: String,
    pub target: Vec<u8>,
    /// Header lines after `host`, in order; a name may repeat.
    pub headers: Vec<(String, Vec<u8>)>,
}

pub const HOST: &str = "diff.test";

impl RawRequest {
    pub fn get(target: impl Into<Vec<u8>>) -> RawRequest {
        RawRequest { method: "GET".into(), target: target.into(), headers: Vec::new() }
    }

    pub fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> RawRequest {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&self.target);
        out.extend_from_slice(b" HTTP/1.1\r\nhost: ");
        out.extend_from_slice(HOST.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// The request as a reader sees it: one line per header line, with a `printf` form that
    /// sends exactly these bytes.
    pub fn show(&self) -> String {
        let bytes = self.to_bytes();
        let mut lines = String::new();
        for line in bytes.split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            lines.push_str("    ");
            lines.push_str(&escape(line));
            lines.push('\n');
        }
        lines.push_str(&format!("    (printf '{}' | nc HOST PORT)", printf_escape(&bytes)));
        lines
    }
}

/// Printable ASCII as it is, anything else as `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            out.push(b as char);
        } else if b == b'\\' {
            out.push_str("\\\\");
        } else if b == b'\t' {
            out.push_str("\\t");
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

fn printf_escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("'\\''"),
            b'%' => out.push_str("%%"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

/// A response as the client got it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Lower-case names, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `403 {"error":"screened",...}`, the body cut short.
    pub fn summary(&self) -> String {
        let body = self.body_text().replace(['\r', '\n'], " ");
        let body: String = body.chars().take(160).collect();
        format!("{} {}", self.status, body.trim())
    }

    fn closes(&self) -> bool {
        self.headers.iter().any(|(n, v)| n == "connection" && v.eq_ignore_ascii_case("close"))
    }
}

/// Kept-alive connections by (listener, source address).
#[derive(Default)]
pub struct Client {
    connections: HashMap<(SocketAddr, Option<IpAddr>), TcpStream>,
    /// New connections made (the first of each pair, and after every close).
    pub connects: u64,
}

impl Client {
    pub fn new() -> Client {
        Client::default()
    }

    /// Sends `request` to `addr` from `source` (any loopback address; `None`: the system's choice)
    /// and reads the response. A kept-alive connection the server closed meanwhile is replaced
    /// once.
    pub fn send(&mut self, addr: SocketAddr, source: Option<IpAddr>, request: &[u8]) -> Result<Response, String> {
        let key = (addr, source);
        for attempt in 0..2 {
            let reused = self.connections.contains_key(&key);
            let stream = match self.connections.remove(&key) {
                Some(stream) => stream,
                None => {
                    self.connects += 1;
                    connect(addr, source)?
                }
            };
            match exchange(stream, request) {
                Ok((response, stream)) => {
                    if let Some(stream) = stream {
                        self.connections.insert(key, stream);
                    }
                    return Ok(response);
                }
                Err(e) if reused && attempt == 0 && e.before_response => continue,
                Err(e) => return Err(format!("{addr}: {}", e.message)),
            }
        }
        Err(format!("{addr}: no answer"))
    }
}

fn connect(addr: SocketAddr, source: Option<IpAddr>) -> Result<TcpStream, String> {
    let domain = if addr.is_ipv4() { socket2::Domain::IPV4 } else { socket2::Domain::IPV6 };
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, None).map_err(|e| format!("socket: {e}"))?;
    if let Some(source) = source {
        socket.bind(&SocketAddr::new(source, 0).into()).map_err(|e| format!("bind {source}: {e}"))?;
    }
    socket.connect_timeout(&addr.into(), Duration::from_secs(5)).map_err(|e| format!("connect {addr}: {e}"))?;
    let stream: TcpStream = socket.into();
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(20))).map_err(|e| e.to_string())?;
    Ok(stream)
}

struct ExchangeError {
    message: String,
    /// Nothing of a response arrived: a kept-alive connection closed by the server meanwhile.
    before_response: bool,
}

fn exchange(mut stream: TcpStream, request: &[u8]) -> Result<(Response, Option<TcpStream>), ExchangeError> {
    let fail = |message: String, before_response: bool| ExchangeError { message, before_response };
    stream.write_all(request).map_err(|e| fail(format!("write: {e}"), true))?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(fail("closed before a response".into(), buffer.is_empty())),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(fail(format!("read: {e}"), buffer.is_empty())),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| fail(format!("not an HTTP status line: {status_line:?}"), false))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut rest = buffer[head_end + 4..].to_vec();
    let length = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<usize>().ok());
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let mut read_more = |rest: &mut Vec<u8>| -> Result<bool, ExchangeError> {
        match stream.read(&mut chunk) {
            Ok(0) => Ok(false),
            Ok(n) => {
                rest.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e) => Err(fail(format!("read body: {e}"), false)),
        }
    };
    let body = if let Some(length) = length {
        while rest.len() < length {
            if !read_more(&mut rest)? {
                return Err(fail("closed inside a body".into(), false));
            }
        }
        rest.truncate(length);
        rest
    } else if chunked {
        loop {
            if let Some(body) = dechunk(&rest) {
                break body;
            }
            if !read_more(&mut rest)? {
                return Err(fail("closed inside a chunked body".into(), false));
            }
        }
    } else if status == 204 || status == 304 || (100..200).contains(&status) {
        Vec::new()
    } else {
        while read_more(&mut rest)? {}
        let response = Response { status, headers, body: rest };
        return Ok((response, None));
    };
    let response = Response { status, headers, body };
    let keep = !response.closes();
    Ok((response, keep.then_some(stream)))
}

/// The body of a complete chunked encoding, `None` while incomplete.
fn dechunk(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let line_end = at + data.get(at..)?.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[at..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        let start = line_end + 2;
        if size == 0 {
            // Trailers (none expected) end with an empty line.
            return data.get(start..)?.windows(2).position(|w| w == b"\r\n").map(|_| out);
        }
        out.extend_from_slice(data.get(start..start + size)?);
        at = start + size + 2;
        if data.len() < at {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_render_exactly() {
        let request = RawRequest::get("/a%2Fb\\c").header("x-forwarded-for", b"1.2.3.4,\t5.6.7.8".to_vec());
        assert_eq!(
            request.to_bytes(),
            b"GET /a%2Fb\\c HTTP/1.1\r\nhost: diff.test\r\nx-forwarded-for: 1.2.3.4,\t5.6.7.8\r\n\r\n".to_vec()
        );
        let shown = request.show();
        assert!(shown.contains("    GET /a%2Fb\\\\c HTTP/1.1\n"), "{shown}");
        assert!(shown.contains("x-forwarded-for: 1.2.3.4,\\t5.6.7.8"), "{shown}");
        assert!(shown.contains("printf 'GET /a%%2Fb\\\\c HTTP/1.1\\r\\nhost"), "{shown}");
    }

    #[test]
    fn chunked_bodies() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").as_deref(), Some(&b"abcde"[..]));
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde"), None);
    }
}
