//! The proxy-wasm ABI 0.2.1 as the host sees it: result codes, enumerations, and the wire format of
//! header maps.

/// `WasmResult` codes returned by host calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Status {
    Ok = 0,
    NotFound = 1,
    BadArgument = 2,
    ParseFailure = 4,
    InvalidMemoryAccess = 6,
    Empty = 7,
    CasMismatch = 8,
    InternalFailure = 10,
    Unimplemented = 12,
}

/// Log levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    Critical = 5,
}

impl LogLevel {
    pub fn from_i32(level: i32) -> Option<LogLevel> {
        Some(match level {
            0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            4 => LogLevel::Error,
            5 => LogLevel::Critical,
            _ => return None,
        })
    }
}

/// What a stream callback tells the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    /// `StopIteration`: the host waits for `proxy_continue_stream` or a local reply.
    Pause,
}

/// Buffer types of `proxy_get_buffer_bytes` / `proxy_set_buffer_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BufferType {
    HttpRequestBody,
    HttpResponseBody,
    DownstreamData,
    UpstreamData,
    HttpCallResponseBody,
    GrpcReceiveBuffer,
    VmConfiguration,
    PluginConfiguration,
}

impl BufferType {
    pub fn from_i32(value: i32) -> Option<BufferType> {
        Some(match value {
            0 => BufferType::HttpRequestBody,
            1 => BufferType::HttpResponseBody,
            2 => BufferType::DownstreamData,
            3 => BufferType::UpstreamData,
            4 => BufferType::HttpCallResponseBody,
            5 => BufferType::GrpcReceiveBuffer,
            6 => BufferType::VmConfiguration,
            7 => BufferType::PluginConfiguration,
            _ => return None,
        })
    }
}

/// Header map types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapType {
    RequestHeaders,
    RequestTrailers,
    ResponseHeaders,
    ResponseTrailers,
    GrpcInitialMetadata,
    GrpcTrailingMetadata,
    CallResponseHeaders,
    CallResponseTrailers,
}

impl MapType {
    pub fn from_i32(value: i32) -> Option<MapType> {
        Some(match value {
            0 => MapType::RequestHeaders,
            1 => MapType::RequestTrailers,
            2 => MapType::ResponseHeaders,
            3 => MapType::ResponseTrailers,
            4 => MapType::GrpcInitialMetadata,
            5 => MapType::GrpcTrailingMetadata,
            6 => MapType::CallResponseHeaders,
            7 => MapType::CallResponseTrailers,
            _ => return None,
        })
    }
}

/// Metric kinds of `proxy_define_metric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

impl MetricKind {
    pub fn from_i32(value: i32) -> Option<MetricKind> {
        Some(match value {
            0 => MetricKind::Counter,
            1 => MetricKind::Gauge,
            2 => MetricKind::Histogram,
            _ => return None,
        })
    }
}

/// Header pairs as the ABI serialises them: a count, then (key length, value length) for each pair,
/// then each key and value followed by a NUL byte; all integers little-endian u32.
pub fn encode_pairs(pairs: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (key, value) in pairs {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    }
    for (key, value) in pairs {
        out.extend_from_slice(key.as_bytes());
        out.push(0);
        out.extend_from_slice(value.as_bytes());
        out.push(0);
    }
    out
}

/// The inverse of [`encode_pairs`]; `None` on a malformed buffer.
pub fn decode_pairs(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    fn word(bytes: &[u8], at: usize) -> Option<usize> {
        let raw: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(raw) as usize)
    }
    if bytes.is_empty() {
        return Some(Vec::new());
    }
    let count = word(bytes, 0)?;
    let mut sizes = Vec::with_capacity(count.min(1024));
    for index in 0..count {
        let at = 4 + index * 8;
        sizes.push((word(bytes, at)?, word(bytes, at + 4)?));
    }
    let mut at = 4 + count * 8;
    let mut pairs = Vec::with_capacity(sizes.len());
    for (key_len, value_len) in sizes {
        let key = bytes.get(at..at + key_len)?;
        at += key_len + 1;
        let value = bytes.get(at..at + value_len)?;
        at += value_len + 1;
        pairs.push((String::from_utf8_lossy(key).into_owned(), String::from_utf8_lossy(value).into_owned()));
    }
    Some(pairs)
}

/// Property paths travel as their segments joined by NUL bytes.
/// (each segment may also end with one, as the Rust SDKs send them).
pub fn decode_property_path(bytes: &[u8]) -> String {
    let trimmed = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    trimmed.split(|b| *b == 0).map(|s| String::from_utf8_lossy(s).into_owned()).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
#[path = "abi_test.rs"]
mod tests;
