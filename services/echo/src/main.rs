//! `sieve-echo [--listen ADDR]` (default 127.0.0.1:8080; the container image listens on 0.0.0.0).

use std::net::SocketAddr;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--listen", Some(value)) => match value.parse() {
                Ok(addr) => listen = addr,
                Err(e) => fail(&format!("--listen {value}: {e}")),
            },
            _ => fail(&format!("unknown argument {arg}; usage: sieve-echo [--listen ADDR]")),
        }
    }
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => listener,
        Err(e) => fail(&format!("cannot listen on {listen}: {e}")),
    };
    let bound = listener.local_addr().unwrap_or(listen);
    println!("sieve-echo listening on http://{bound}");
    tokio::select! {
        _ = sieve_echo::serve(listener) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

fn fail(message: &str) -> ! {
    eprintln!("sieve-echo: {message}");
    std::process::exit(2);
}
