//! A peer that misbehaves on demand, for the fault tests: it serves a healthy handler until told to
//! go down, hang, reset connections, answer 5xx, answer garbage or answer a 50 MB body — and comes
//! back on the same address when told to recover.

use sieve_services::{Background, Handler, Response};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the peer does to every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Healthy: the wrapped handler answers.
    None,
    /// Nothing listens: connections are refused.
    Down,
    /// Answers after 30 s (long past any timeout).
    Hang,
    /// Closes the connection without answering.
    Reset,
    /// `503`.
    ServerError,
    /// `200` with bytes that are neither JSON nor a list.
    Garbage,
    /// `200` with a 50 MB body.
    Huge,
}

impl Fault {
    pub const ALL: [Fault; 6] =
        [Fault::Down, Fault::Hang, Fault::Reset, Fault::ServerError, Fault::Garbage, Fault::Huge];
}

pub struct FaultyPeer {
    pub addr: SocketAddr,
    fault: Arc<Mutex<Fault>>,
    handler: Handler,
    server: Mutex<Option<Background>>,
}

impl FaultyPeer {
    /// Serves `healthy` on a free loopback port.
    pub fn start(healthy: Handler) -> Result<FaultyPeer, String> {
        let fault = Arc::new(Mutex::new(Fault::None));
        let handler: Handler = {
            let fault = fault.clone();
            Arc::new(move |request| {
                let now = fault.lock().map(|f| *f).unwrap_or(Fault::None);
                match now {
                    Fault::None | Fault::Down => healthy(request),
                    Fault::Hang => healthy(request).delayed(Duration::from_secs(30)),
                    Fault::Reset => Response::reset(),
                    Fault::ServerError => Response::new(503).body("upstream exploded\n"),
                    Fault::Garbage => Response::new(200)
                        .header("content-type", "application/json")
                        .body(b"\x00\xff{{{ not json, not a list, not a blob \xfe".to_vec()),
                    Fault::Huge => Response::new(200).header("content-type", "text/plain").body(vec![b'x'; 50 << 20]),
                }
            })
        };
        let server = sieve_services::spawn(([127, 0, 0, 1], 0).into(), handler.clone())
            .map_err(|e| format!("cannot start the faulty peer: {e}"))?;
        Ok(FaultyPeer { addr: server.addr, fault, handler, server: Mutex::new(Some(server)) })
    }

    /// From now on, every request meets `fault` (`Fault::None`: healthy again).
    pub fn set(&self, fault: Fault) -> Result<(), String> {
        if let Ok(mut now) = self.fault.lock() {
            *now = fault;
        }
        let mut server = self.server.lock().map_err(|_| "poisoned")?;
        match fault {
            Fault::Down => {
                server.take();
                // The listener closes with its thread: wait until connections are refused.
                let deadline = Instant::now() + Duration::from_secs(5);
                while std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok() {
                    if Instant::now() > deadline {
                        return Err("the peer did not go down".into());
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            _ if server.is_none() => {
                let deadline = Instant::now() + Duration::from_secs(5);
                loop {
                    match sieve_services::spawn(self.addr, self.handler.clone()) {
                        Ok(background) => {
                            *server = Some(background);
                            break;
                        }
                        Err(e) if Instant::now() > deadline => {
                            return Err(format!("cannot come back on {}: {e}", self.addr))
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
