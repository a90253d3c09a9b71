//! Resource limits (issue 13): connections, request numbers, free text,
//! bodies. Each test attacks the running server over real HTTP.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use relais_app::App;
use relais_server::{ConnectionLimits, ServerConfig};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_finish_their_headers_cannot_take_the_server_down() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(&dir.path().join("relais.db")).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let limits = ConnectionLimits {
        max_connections: 20,
        header_read_timeout: Duration::from_secs(1),
    };
    tokio::spawn(relais_server::serve_with(
        listener,
        relais_server::router(app, ServerConfig::default()),
        std::future::pending(),
        limits,
    ));

    // Three times the limit of clients that start a request and never finish it.
    let mut slow = Vec::new();
    for _ in 0..60 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: relais\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }

    // A real client is still answered, once the slow ones are timed out.
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(format!("http://{address}/healthz"))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(15));

    // The first slow clients were disconnected by the header time-out.
    for stream in slow.iter_mut().take(5) {
        let mut buffer = [0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {} // a 408 before the close is fine
                }
            }
        })
        .await;
        assert!(read.is_ok(), "a slow connection was left open");
    }
}
