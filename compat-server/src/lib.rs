//! `migrate serve`: one server for a project's Pages API routes and App route handlers, side by
//! side, on the route model of `migrate check` and the Pages core of `migrate apply`'s adapter.
//!
//! Read top-down: [`serve`] compiles the project ([`compile`]), builds the route table
//! ([`routes`]), starts the Node workers ([`workers`]) and serves [`front::handle`] with hyper.

pub mod body;
pub mod compile;
pub mod front;
pub mod routes;
pub mod shadow;
pub mod watch;
pub mod workers;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use front::Front;
use routes::Routes;
use workers::{Pool, WorkerSpec};

/// The worker runtime and the Pages core it shares with `migrate apply`'s adapter.
const WORKER: &str = include_str!("../runtime/worker.mjs");
const PAGES_CORE: &str = migrate_rewrite::apply::runtime::PAGES_API_JS;

/// Names what produced the cache; bump the suffix when compiled output changes.
const STAMP: &str = concat!(env!("CARGO_PKG_VERSION"), "-3");

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub timeout: Duration,
    pub max_body: usize,
    /// Compare the Pages version of paths both routers define (`--shadow`), and with unsafe
    /// methods too.
    pub shadow: bool,
    pub shadow_unsafe_methods: bool,
    /// Where requests no route matches go.
    pub upstream: Option<String>,
}

/// Serves until SIGINT or SIGTERM.
pub async fn serve(options: Options) -> anyhow::Result<()> {
    let node = workers::find_node()?;
    let upstream = options
        .upstream
        .as_deref()
        .map(front::Upstream::new)
        .transpose()?;
    let projects = migrate_rewrite::project::discover(&options.dir)?;
    let [project] = projects.as_slice() else {
        bail!(
            "{} holds {} Next.js projects: run migrate serve in one of them",
            options.dir.display(),
            projects.len()
        );
    };
    let started = std::time::Instant::now();
    let cache = project.root.join(".next/cache/migrate-serve");
    let compiled = compile_into(&project.root, &cache)?;
    let runtime = write_runtime(&cache)?;
    let routes = Routes::of(project, &cache);
    print_collisions(&routes);
    let spec = WorkerSpec {
        node,
        script: runtime,
        root: project.root.clone(),
        sockets: cache.join("__migrate"),
        next_major: project.next.major.unwrap_or(16),
    };
    let pool = Pool::start(spec, options.workers).await?;
    let listener = listen(&options.host, options.port).await?;
    println!(
        "migrate serve: {} routes ({} app, {} pages) on http://{} with {} Node.js workers, ready in {} ms ({} files compiled)",
        routes.routes.len(),
        routes.routes.iter().filter(|r| r.router == "app").count(),
        routes.routes.iter().filter(|r| r.router == "pages").count(),
        listener.local_addr()?,
        pool.len(),
        started.elapsed().as_millis(),
        compiled,
    );
    let front = Arc::new(Front {
        routes: std::sync::RwLock::new(Arc::new(routes)),
        pool: Some(Arc::clone(&pool)),
        timeout: options.timeout,
        max_body: options.max_body,
        shadow: options
            .shadow
            .then(|| shadow::Shadow::new(options.shadow_unsafe_methods)),
        upstream,
    });
    let _watcher = watch::start(
        project.root.clone(),
        cache.clone(),
        Arc::clone(&front),
        Arc::clone(&pool),
    );
    accept_until_signal(listener, front, options.timeout).await;
    pool.shutdown().await;
    Ok(())
}

/// Compiles the project into `cache` (emptied first when another version of `migrate` wrote
/// it); returns how many files were compiled, having printed the ones that did not compile.
pub(crate) fn compile_into(root: &Path, cache: &Path) -> anyhow::Result<usize> {
    let stamp = cache.join(".stamp");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(STAMP) {
        let _ = std::fs::remove_dir_all(cache);
        std::fs::create_dir_all(cache)
            .with_context(|| format!("cannot create {}", cache.display()))?;
        std::fs::write(&stamp, STAMP)?;
    }
    let compiled = compile::compile_project(root, cache);
    for warning in &compiled.warnings {
        eprintln!("migrate serve: warning: {warning}");
    }
    for error in &compiled.errors {
        let file = error.file.strip_prefix(root).unwrap_or(&error.file);
        eprintln!("migrate serve: {}: {}", file.display(), error.message);
    }
    Ok(compiled.files)
}

/// One line per collision; Next's own message is in `/__migrate/routes`.
pub(crate) fn print_collisions(routes: &Routes) {
    for collision in &routes.collisions {
        let winner = if collision.kind == "app-pages-conflict" {
            ": the App Router version answers"
        } else {
            ""
        };
        eprintln!(
            "collision {} ({}): {}{winner}",
            collision.pattern,
            collision.kind,
            collision.files.join(" and "),
        );
    }
}

async fn listen(host: &str, port: u16) -> anyhow::Result<TcpListener> {
    let address = tokio::net::lookup_host((host, port))
        .await
        .ok()
        .and_then(|mut addresses| addresses.next())
        .with_context(|| format!("cannot use {host}:{port}"))?;
    TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))
}

/// Serves connections until SIGINT or SIGTERM, then lets the requests in flight finish (up to
/// `drain`) while idle keep-alive connections close.
async fn accept_until_signal(listener: TcpListener, front: Arc<Front>, drain: Duration) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else {
                    // Out of file descriptors, most likely: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let front = Arc::clone(&front);
                let client = stream.local_addr().ok().map(|local| front::Client {
                    address: peer.ip(),
                    port: local.port(),
                });
                let service = service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                    let front = Arc::clone(&front);
                    if let Some(client) = client {
                        request.extensions_mut().insert(client);
                    }
                    async move { Ok::<_, std::convert::Infallible>(front::handle(front, request).await) }
                });
                let connection = http1::Builder::new()
                    .max_buf_size(64 * 1024)
                    .header_read_timeout(Duration::from_secs(30))
                    .timer(hyper_util::rt::TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(drain) => {}
    }
}

async fn shutdown_signal() {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = async {
            match terminate.as_mut() {
                Some(signal) => { signal.recv().await; }
                None => std::future::pending().await,
            }
        } => {}
    }
}

/// Writes the worker runtime beside the compiled sources; returns the worker script's path.
fn write_runtime(cache: &Path) -> anyhow::Result<PathBuf> {
    // The compiled sources are CommonJS whatever the project's `"type"` says.
    std::fs::create_dir_all(cache).with_context(|| format!("cannot create {}", cache.display()))?;
    std::fs::write(cache.join("package.json"), "{ \"type\": \"commonjs\" }\n")?;
    let dir = cache.join("__migrate");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("pages-api.mjs"), PAGES_CORE)?;
    let script = dir.join("worker.mjs");
    std::fs::write(&script, WORKER)?;
    Ok(script)
}
