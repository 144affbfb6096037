//! `migrate serve` under handlers that misbehave (`fixtures/serve-faults`): one that exits its
//! process, one that never answers, one that throws asynchronously, 50 MB bodies, and 1,000
//! concurrent connections. Every request gets an answer and the other routes keep being served.
//! Needs Node.js (no Next build: these are Pages handlers on the Pages core).

#[path = "support/next_app.rs"]
mod next_app;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use next_app::{copy_dir, free_port, repo_root, serve_with, Server};

fn server() -> (tempfile::TempDir, Server) {
    server_with(&[])
}

fn server_with(options: &[&str]) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("fixtures/serve-faults"), dir.path());
    let migrate = Path::new(env!("CARGO_BIN_EXE_migrate"));
    let server = serve_with(migrate, dir.path(), free_port(), options).expect("migrate serve");
    (dir, server)
}

/// One HTTP/1.1 request on a new connection; the status and the body.
fn request(port: u16, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // A server may answer before reading all of a large body (413): stop writing then.
    let _ = stream.write_all(body);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        },
    )
}

/// The payload of a chunked body (sizes in hex, each chunk followed by CRLF).
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

#[test]
fn a_handler_that_exits_gets_a_502_and_its_worker_is_replaced() {
    let (_dir, server) = server();
    let (status, body) = request(server.port, "GET", "/api/exit", b"");
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("pages/api/exit.js"), "{body}");
    // Both workers (round robin) serve again.
    for _ in 0..4 {
        assert_eq!(request(server.port, "GET", "/api/ok", b"").0, 200);
    }
}

#[test]
fn a_handler_that_never_answers_gets_a_504_and_the_others_are_served() {
    let (_dir, server) = server_with(&["--timeout", "2"]);
    let port = server.port;
    let looping = std::thread::spawn(move || {
        let started = Instant::now();
        (request(port, "GET", "/api/loop", b""), started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(200));
    for _ in 0..4 {
        assert_eq!(request(port, "GET", "/api/ok", b"").0, 200);
    }
    let ((status, body), took) = looping.join().unwrap();
    assert_eq!(status, 504, "{body}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    for _ in 0..4 {
        assert_eq!(request(port, "GET", "/api/ok", b"").0, 200);
    }
}

#[test]
fn an_asynchronous_throw_does_not_stop_the_worker() {
    let (_dir, server) = server();
    for _ in 0..4 {
        let (status, body) = request(server.port, "GET", "/api/async-throw", b"");
        assert_eq!(status, 200, "{body}");
    }
    std::thread::sleep(Duration::from_millis(100));
    for _ in 0..4 {
        assert_eq!(request(server.port, "GET", "/api/ok", b"").0, 200);
    }
}

#[test]
fn a_fifty_megabyte_body_streams_and_a_parsed_one_gets_nexts_413() {
    let (_dir, server) = server();
    let body = vec![b'x'; 50 << 20];
    let (status, answer) = request(server.port, "POST", "/api/raw", &body);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, r#"{"size":52428800}"#);
    // The default body parser stops at 1 MB, as Pages does.
    let (status, answer) = request(server.port, "POST", "/api/ok", &body[..2 << 20]);
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer, "Body exceeded 1mb limit");
}

#[test]
fn a_thousand_concurrent_connections_all_get_answers() {
    let (_dir, server) = server();
    let port = server.port;
    let clients: Vec<_> = (0..1000)
        .map(|_| std::thread::spawn(move || request(port, "GET", "/api/slow", b"").0))
        .collect();
    let statuses: Vec<u16> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let ok = statuses.iter().filter(|&&s| s == 200).count();
    assert_eq!(ok, 1000, "statuses other than 200: {:?}", {
        let mut others: Vec<u16> = statuses.into_iter().filter(|&s| s != 200).collect();
        others.dedup();
        others
    });
}

#[test]
fn sigterm_lets_requests_in_flight_finish_then_exits() {
    let (_dir, mut server) = server();
    let port = server.port;
    let slow = std::thread::spawn(move || request(port, "GET", "/api/slow", b""));
    std::thread::sleep(Duration::from_millis(50));
    let status = server.terminate(Duration::from_secs(10));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    let (status, body) = slow.join().unwrap();
    assert_eq!((status, body.as_str()), (200, r#"{"slow":true}"#));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn edits_are_picked_up_without_a_restart() {
    let (dir, server) = server();
    let port = server.port;
    assert_eq!(request(port, "GET", "/api/added", b"").0, 404);
    std::fs::write(
        dir.path().join("pages/api/ok.js"),
        "export default function handler(req, res) {\n  res.json({ edited: true })\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pages/api/added.ts"),
        "export default (req: any, res: any) => res.json({ added: true })\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let edited = request(port, "GET", "/api/ok", b"");
        let added = request(port, "GET", "/api/added", b"");
        if edited == (200, r#"{"edited":true}"#.to_owned())
            && added == (200, r#"{"added":true}"#.to_owned())
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not reloaded: {edited:?} {added:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Edited into a syntax error: the route answers 500 (never the previous version) and the
    // log names the file and the position, at the reload and again when the route is asked.
    std::fs::write(
        dir.path().join("pages/api/ok.js"),
        "export default function handler(req, res {\n  res.json({ broken: true })\n}\n",
    )
    .unwrap();
    let reported = server.wait_for_output("pages/api/ok.js: 1:", Duration::from_secs(20));
    assert!(reported.is_some(), "the compile error is not reported");
    let deadline = Instant::now() + Duration::from_secs(20);
    while request(port, "GET", "/api/ok", b"").0 != 500 {
        assert!(Instant::now() < deadline, "the broken route still answers");
        std::thread::sleep(Duration::from_millis(100));
    }
    let logged = server.wait_for_output("SyntaxError", Duration::from_secs(5));
    assert!(
        logged.as_deref().is_some_and(|l| l.contains("ok.js: 1:")),
        "{logged:?}"
    );
    assert_eq!(request(port, "GET", "/api/added", b"").0, 200);
}

/// `--shadow` runs the Pages version of a path both routers define on a copy of each safe
/// request and reports where it differs; `--upstream` answers what no route matches.
#[test]
fn shadow_compares_both_versions_and_upstream_takes_the_rest() {
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_port = upstream.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in upstream.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nupstream",
            );
        }
    });
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("fixtures/serve-faults"), dir.path());
    let migrate = Path::new(env!("CARGO_BIN_EXE_migrate"));
    let upstream_url = format!("http://127.0.0.1:{upstream_port}");
    let server = serve_with(
        migrate,
        dir.path(),
        free_port(),
        &["--shadow", "--upstream", &upstream_url],
    )
    .expect("migrate serve");
    let port = server.port;

    assert_eq!(
        request(port, "GET", "/api/same", b""),
        (200, "same".to_owned())
    );
    assert_eq!(
        request(port, "GET", "/api/differs", b""),
        (200, r#"{"v":2}"#.to_owned())
    );
    // Not mirrored: a POST would run twice.
    assert_eq!(
        request(port, "POST", "/api/differs", b""),
        (200, r#"{"posted":true}"#.to_owned())
    );
    assert_eq!(
        request(port, "GET", "/not-routed", b""),
        (200, "upstream".to_owned())
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    let summary = loop {
        let (_, body) = request(port, "GET", "/__migrate/routes", b"");
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        if json["shadow"]["compared"] == 2 {
            break json["shadow"].clone();
        }
        assert!(Instant::now() < deadline, "not compared: {body}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(summary["diverged"], 1, "{summary}");
    let divergence = summary["recent"][0].as_str().unwrap();
    assert!(divergence.starts_with("GET /api/differs"), "{divergence}");
    assert!(divergence.contains("-{\"v\":1}"), "{divergence}");
    assert!(divergence.contains("+{\"v\":2}"), "{divergence}");
    // Pages' JSON carries a charset and Response.json's does not: a real difference, shown.
    assert!(
        divergence.contains("-content-type: application/json; charset=utf-8"),
        "{divergence}"
    );
}

/// A package that can only be imported (`exports` with an `import` entry alone) loads in the
/// `CommonJS` the sources are compiled to.
#[test]
fn an_esm_only_package_loads() {
    let (_dir, server) = server();
    assert_eq!(
        request(server.port, "GET", "/api/esm", b""),
        (200, r#"{"shouted":"ESM!"}"#.to_owned())
    );
}
