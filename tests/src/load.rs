//! A closed-loop HTTP/1.1 load generator for benchmarks: a few keep-alive connections, each sending
//! its next request as soon as the previous answer is in. Build it in release mode.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct LoadResult {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
}

impl LoadResult {
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    /// Wall time per request across all connections (1 / throughput), in microseconds.
    pub fn micros_per_request(&self) -> f64 {
        1e6 / self.requests_per_second().max(1e-9)
    }
}

/// Reads one response off a keep-alive connection (content-length bodies; what Envoy's local and
/// direct responses send). Returns false if the connection failed.
fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> bool {
    buffer.clear();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(buffer.get(..end).unwrap_or_default()).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buffer.len() < end + 4 + length {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                }
            }
            return head.starts_with("http/1.1 ");
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
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

/// Sends `requests` (raw HTTP/1.1 requests, cycled) over `connections` keep-alive connections for
/// `duration`, after `warmup`. With `cpu`, the client threads are pinned to it.
pub fn run(
    addr: SocketAddr,
    requests: &[Vec<u8>],
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> LoadResult {
    run_pinned(addr, requests, connections, warmup, duration, None)
}

pub fn run_pinned(
    addr: SocketAddr,
    requests: &[Vec<u8>],
    connections: usize,
    warmup: Duration,
    duration: Duration,
    cpu: Option<usize>,
) -> LoadResult {
    let stop = Arc::new(AtomicBool::new(false));
    let counting = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(requests.to_vec());
    let threads: Vec<_> = (0..connections.max(1))
        .map(|index| {
            let (stop, counting, done, errors, requests) =
                (stop.clone(), counting.clone(), done.clone(), errors.clone(), requests.clone());
            std::thread::spawn(move || {
                if let Some(cpu) = cpu {
                    pin_current_thread(cpu);
                }
                let mut buffer = Vec::with_capacity(16 * 1024);
                let mut next = index * 7919;
                'connect: while !stop.load(Ordering::Relaxed) {
                    let Ok(mut stream) = TcpStream::connect(addr) else {
                        errors.fetch_add(1, Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    while !stop.load(Ordering::Relaxed) {
                        let Some(request) = requests.get(next % requests.len().max(1)) else { return };
                        next = next.wrapping_add(1);
                        if stream.write_all(request).is_err() || !read_response(&mut stream, &mut buffer) {
                            errors.fetch_add(1, Ordering::Relaxed);
                            continue 'connect;
                        }
                        if counting.load(Ordering::Relaxed) {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(warmup);
    counting.store(true, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(duration);
    counting.store(false, Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        let _ = thread.join();
    }
    LoadResult { requests: done.load(Ordering::Relaxed), errors: errors.load(Ordering::Relaxed), seconds }
}

/// A GET request with the given headers.
pub fn get(path: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut request = format!("GET {path} HTTP/1.1\r\nhost: bench\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.into_bytes()
}
