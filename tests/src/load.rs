//! Pieces for load runs (the soak run, the benchmark): reading responses off keep-alive HTTP/1.1
//! connections, and pinning threads to cores.

use std::io::Read;
use std::net::TcpStream;

/// What [`read_response`] learnt of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseHead {
    pub status: u16,
    /// The server closes the connection after it (`connection: close`; Envoy does after some local
    /// replies, e.g. a 400).
    pub closes: bool,
}

/// Reads one response off a keep-alive connection (content-length bodies; what Envoy's local and
/// direct responses and the echo upstream send). `None` if the connection failed or the answer is
/// not HTTP/1.1.
pub fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<ResponseHead> {
    buffer.clear();
    let mut chunk = [0u8; 16384];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(buffer.get(..end).unwrap_or_default()).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buffer.len() < end + 4 + length {
                let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
                buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
            }
            let status = head.strip_prefix("http/1.1 ")?.split(' ').next()?.parse().ok()?;
            let closes = head.lines().any(|l| l.replace(' ', "") == "connection:close");
            return Some(ResponseHead { status, closes });
        }
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
    }
}

/// Pins the calling thread (or, before `exec`, the process) to `cpu`. Best effort.
pub fn pin_current_thread(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET stays within it for cpu < 1024.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if cpu < 1024 {
            libc::CPU_SET(cpu, &mut set);
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        }
    }
}

/// CPUs this process may run on.
pub fn cpu_count() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}
