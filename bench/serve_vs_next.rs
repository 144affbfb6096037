//! Benchmark: `migrate serve` against `next start` on the same trivial handlers
//! (`fixtures/serve-bench`: one Pages API route, one App route handler), in one run, on
//! loopback: requests/s and p50/p99 latency with 50 keep-alive connections, what the Rust front
//! adds over calling a worker directly, and the cold start to the first answer.
//!
//!     cargo bench --bench serve_vs_next            # 5 s per measurement
//!     cargo bench --bench serve_vs_next -- 10      # seconds per measurement
//!
//! Needs Node.js and npm (it installs the pinned Next.js in tests/e2e, as the e2e tests do).

#[path = "../tests/support/next_app.rs"]
mod next_app;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;

const CONNECTIONS: usize = 50;

fn main() {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let duration = Duration::from_secs(seconds);
    let bin = next_app::ensure_next();
    let app = next_app::stage("serve-bench");
    let built = next_app::build(&bin, &app);
    assert!(built.ok, "next build failed:\n{}", built.output);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "{CONNECTIONS} connections, {seconds} s each, {} cores",
        std::thread::available_parallelism().map_or(0, usize::from)
    );

    let port = next_app::free_port();
    let started = Instant::now();
    let next = next_app::start_on(&bin, &app, port).expect("next start");
    let next_cold = started.elapsed();
    let next_pages = runtime.block_on(load(tcp(port), "/api/hello", duration, CONNECTIONS));
    let next_app_route = runtime.block_on(load(tcp(port), "/api/app-hello", duration, CONNECTIONS));
    drop(next);

    let migrate = PathBuf::from(env!("CARGO_BIN_EXE_migrate"));
    // A cold start: no compiled files yet.
    let _ = std::fs::remove_dir_all(app.join(".next/cache/migrate-serve"));
    let started = Instant::now();
    let serve = next_app::serve_on(&migrate, &app, port).expect("migrate serve");
    let serve_cold = started.elapsed();
    let serve_pages = runtime.block_on(load(tcp(port), "/api/hello", duration, CONNECTIONS));
    let serve_app_route =
        runtime.block_on(load(tcp(port), "/api/app-hello", duration, CONNECTIONS));
    drop(serve);

    // What the front adds: one connection, one worker, the same pages route through the front
    // and straight to the worker's socket (with the headers the front would add).
    let serve = next_app::serve_with(&migrate, &app, port, &["--workers", "1"]).expect("serve");
    let through_front = runtime.block_on(load(tcp(port), "/api/hello", duration, 1));
    let module = app.join(".next/cache/migrate-serve/pages/api/hello.js");
    let direct = runtime.block_on(load(
        Target::Unix {
            socket: worker_socket(&app),
            module: module.display().to_string(),
        },
        "/api/hello",
        duration,
        1,
    ));
    drop(serve);

    println!("{:<44} {:>10} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
    for (name, result) in [
        ("next start, pages route", &next_pages),
        ("migrate serve, pages route", &serve_pages),
        ("next start, app route", &next_app_route),
        ("migrate serve, app route", &serve_app_route),
        ("1 connection, 1 worker, through the front", &through_front),
        ("1 connection, the same worker directly", &direct),
    ] {
        println!(
            "{name:<44} {:>10.0} {:>9.3} {:>9.3}",
            result.rate, result.p50, result.p99
        );
    }
    println!(
        "migrate serve / next start: pages {:.2}x, app {:.2}x (requests/s)",
        serve_pages.rate / next_pages.rate,
        serve_app_route.rate / next_app_route.rate
    );
    println!(
        "the front adds {:+.3} ms at p50 ({:+.3} ms at p99) over calling the worker directly",
        through_front.p50 - direct.p50,
        through_front.p99 - direct.p99
    );
    println!(
        "cold start to first answer: next start {} ms (after next build), migrate serve {} ms (no build step, every file compiled)",
        next_cold.as_millis(),
        serve_cold.as_millis()
    );
}

/// Where the load goes.
#[derive(Clone)]
enum Target {
    Tcp(u16),
    /// A worker's socket, with the headers the front would add.
    Unix {
        socket: PathBuf,
        module: String,
    },
}

fn tcp(port: u16) -> Target {
    Target::Tcp(port)
}

/// The socket of the first worker of the running `migrate serve`.
fn worker_socket(app: &Path) -> PathBuf {
    let dir = app.join(".next/cache/migrate-serve/__migrate");
    std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "sock"))
        .expect("a worker socket")
}

struct Measured {
    rate: f64,
    p50: f64,
    p99: f64,
}

/// `connections` keep-alive connections sending GET `path` back to back for `duration`.
async fn load(target: Target, path: &str, duration: Duration, connections: usize) -> Measured {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let target = target.clone();
        let path = path.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(&target).await;
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let mut request = hyper::Request::get(&path).header("host", "127.0.0.1");
                if let Target::Unix { module, .. } = &target {
                    request = request
                        .header("x-migrate-module", module)
                        .header("x-migrate-router", "pages");
                }
                let request = request.body(Empty::<Bytes>::new()).unwrap();
                let sent = Instant::now();
                sender.ready().await.unwrap();
                let response = sender.send_request(request).await.unwrap();
                assert!(response.status().is_success(), "{}", response.status());
                response.into_body().collect().await.unwrap();
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    latencies.sort_by(f64::total_cmp);
    // Percentiles by rank: `len * percent / 100`.
    let at = |percent: usize| latencies[(latencies.len() * percent / 100).min(latencies.len() - 1)];
    let count = u32::try_from(latencies.len()).expect("fewer than 4 billion requests");
    Measured {
        rate: f64::from(count) / duration.as_secs_f64(),
        p50: at(50),
        p99: at(99),
    }
}

async fn connect(target: &Target) -> hyper::client::conn::http1::SendRequest<Empty<Bytes>> {
    macro_rules! handshake {
        ($stream:expr) => {{
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new($stream))
                .await
                .unwrap();
            tokio::spawn(connection);
            sender
        }};
    }
    match target {
        Target::Tcp(port) => {
            handshake!(tokio::net::TcpStream::connect(("127.0.0.1", *port))
                .await
                .unwrap())
        }
        Target::Unix { socket, .. } => {
            handshake!(tokio::net::UnixStream::connect(socket).await.unwrap())
        }
    }
}
