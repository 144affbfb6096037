//! A pool of Node.js worker processes, each an HTTP server on its own Unix socket running
//! `worker.mjs`. Requests are forwarded over pooled HTTP/1.1 connections, so bodies stream both
//! ways. A worker that exits is replaced; one that is stuck on a request is killed and replaced.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncBufReadExt;
use tokio::net::UnixStream;
use tokio::process::{Child, Command};

use crate::body::Body;

/// What the workers run and where.
#[derive(Debug, Clone)]
pub struct WorkerSpec {
    pub node: PathBuf,
    /// The worker runtime (`worker.mjs`, beside its `pages-api.mjs`).
    pub script: PathBuf,
    /// The project root (packages resolve from here).
    pub root: PathBuf,
    /// Folder for the workers' sockets.
    pub sockets: PathBuf,
    pub next_major: u32,
}

/// Connections to one worker at a time; beyond this, requests wait for one to free up (file
/// descriptors stay bounded under thousands of clients).
const CONNECTIONS_PER_WORKER: usize = 128;

/// One worker: its process, its socket and its idle connections.
struct Worker {
    generation: usize,
    socket: PathBuf,
    child: Option<Child>,
    idle: Vec<SendRequest<Body>>,
}

/// The pool; requests are spread round-robin.
pub struct Pool {
    spec: WorkerSpec,
    workers: Vec<Mutex<Worker>>,
    permits: Vec<Arc<tokio::sync::Semaphore>>,
    next: AtomicUsize,
    generations: AtomicUsize,
}

/// Why a request could not be answered by a worker.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    #[error("the worker could not be reached: {0}")]
    Unreachable(String),
    #[error("the worker failed while answering: {0}")]
    Failed(String),
}

impl Pool {
    /// Starts `count` workers and waits until each is listening.
    pub async fn start(spec: WorkerSpec, count: usize) -> anyhow::Result<Arc<Pool>> {
        let count = count.max(1);
        let mut workers = Vec::with_capacity(count);
        for generation in 0..count {
            workers.push(Mutex::new(spawn(&spec, generation).await?));
        }
        Ok(Arc::new(Pool {
            spec,
            permits: (0..count)
                .map(|_| Arc::new(tokio::sync::Semaphore::new(CONNECTIONS_PER_WORKER)))
                .collect(),
            workers,
            next: AtomicUsize::new(0),
            generations: AtomicUsize::new(count),
        }))
    }

    pub fn len(&self) -> usize {
        self.workers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.workers.is_empty()
    }

    /// Sends `request` to the next worker and returns its answer (the body still streaming).
    pub async fn forward(
        self: &Arc<Self>,
        request: hyper::Request<Body>,
        timeout: Duration,
    ) -> Result<hyper::Response<Incoming>, ForwardError> {
        let index = self.least_busy();
        let permit = Arc::clone(&self.permits[index])
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let (generation, socket, idle) = {
            let mut worker = self.workers[index].lock().expect("worker lock");
            // A pooled connection the worker has since closed (keep-alive timeout) is dropped.
            let mut idle = worker.idle.pop();
            while idle.as_ref().is_some_and(SendRequest::is_closed) {
                idle = worker.idle.pop();
            }
            (worker.generation, worker.socket.clone(), idle)
        };
        let mut sender = match idle {
            Some(sender) => sender,
            None => match connect(&socket).await {
                Ok(sender) => sender,
                Err(error) => {
                    self.replace(index, generation).await;
                    return Err(ForwardError::Unreachable(error.to_string()));
                }
            },
        };
        let answer = tokio::time::timeout(timeout, sender.send_request(request)).await;
        match answer {
            Ok(Ok(response)) => {
                // Back to the pool once this response's body has been read.
                let pool = Arc::clone(self);
                tokio::spawn(async move {
                    let _permit = permit;
                    if sender.ready().await.is_ok() {
                        let mut worker = pool.workers[index].lock().expect("worker lock");
                        if worker.generation == generation {
                            worker.idle.push(sender);
                        }
                    }
                });
                Ok(response)
            }
            Ok(Err(error)) => {
                // The worker died under this request (`process.exit`, a crash): replace it.
                if self.exited(index, generation).await {
                    self.replace(index, generation).await;
                }
                Err(ForwardError::Failed(error.to_string()))
            }
            Err(_) => {
                // A handler that never answers holds its worker: recycle it.
                self.replace(index, generation).await;
                Err(ForwardError::Failed(format!(
                    "no answer within {} s",
                    timeout.as_secs()
                )))
            }
        }
    }

    /// The worker with the fewest requests in flight, ties taken round-robin: a worker stuck in
    /// a handler that never answers gets no more requests while others are free.
    fn least_busy(&self) -> usize {
        let count = self.workers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % count;
        let mut best = start;
        for offset in 1..count {
            let index = (start + offset) % count;
            if self.permits[index].available_permits() > self.permits[best].available_permits() {
                best = index;
            }
        }
        best
    }

    /// Whether worker `index` (still at `generation`) has exited; a process whose socket just
    /// closed may take a moment to be reaped.
    async fn exited(&self, index: usize, generation: usize) -> bool {
        for _ in 0..20 {
            {
                let mut worker = self.workers[index].lock().expect("worker lock");
                if worker.generation != generation {
                    return false;
                }
                match worker.child.as_mut().map(Child::try_wait) {
                    Some(Ok(Some(_)) | Err(_)) | None => return true,
                    Some(Ok(None)) => {}
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// Replaces worker `index` if it is still the `generation` that failed (another request
    /// may have replaced it already), killing the old process.
    async fn replace(&self, index: usize, generation: usize) {
        let (old, generation) = {
            let mut worker = self.workers[index].lock().expect("worker lock");
            if worker.generation != generation {
                return;
            }
            // Taken now, so that other requests failing on this worker do not replace it too.
            worker.generation = self.generations.fetch_add(1, Ordering::Relaxed);
            worker.idle.clear();
            (worker.child.take(), worker.generation)
        };
        if let Some(mut child) = old {
            let _ = child.kill().await;
        }
        match spawn(&self.spec, generation).await {
            Ok(fresh) => {
                let mut worker = self.workers[index].lock().expect("worker lock");
                let _ = std::fs::remove_file(&worker.socket);
                *worker = fresh;
            }
            Err(error) => eprintln!("migrate serve: cannot restart a worker: {error:#}"),
        }
    }

    /// Replaces every worker with a fresh one (after the sources changed). Each new worker is
    /// listening before the old one is retired, and the old one finishes its requests in flight.
    pub async fn restart_all(&self) {
        for index in 0..self.workers.len() {
            let generation = self.generations.fetch_add(1, Ordering::Relaxed);
            match spawn(&self.spec, generation).await {
                Ok(fresh) => {
                    let old = {
                        let mut worker = self.workers[index].lock().expect("worker lock");
                        std::mem::replace(&mut *worker, fresh)
                    };
                    retire(old);
                }
                Err(error) => eprintln!("migrate serve: cannot restart a worker: {error:#}"),
            }
        }
    }

    /// Stops every worker and removes its socket.
    pub async fn shutdown(&self) {
        for worker in &self.workers {
            let (child, socket) = {
                let mut worker = worker.lock().expect("worker lock");
                worker.idle.clear();
                (worker.child.take(), worker.socket.clone())
            };
            if let Some(mut child) = child {
                let _ = child.kill().await;
            }
            let _ = std::fs::remove_file(socket);
        }
    }
}

/// A new worker process, listening when this returns.
async fn spawn(spec: &WorkerSpec, generation: usize) -> anyhow::Result<Worker> {
    let socket = spec
        .sockets
        .join(format!("w{}-{generation}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let mut child = Command::new(&spec.node)
        .arg(&spec.script)
        .arg(&socket)
        .arg(&spec.root)
        .arg(spec.next_major.to_string())
        .current_dir(&spec.root)
        .env("NODE_ENV", "production")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", spec.node.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await;
    match ready {
        Ok(Ok(Some(line))) if line == "ready" => {}
        _ => bail!("a Node.js worker did not start (see its output above)"),
    }
    // Whatever the handlers print goes on to our stdout.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            println!("{line}");
        }
    });
    Ok(Worker {
        generation,
        socket,
        child: Some(child),
        idle: Vec::new(),
    })
}

/// Lets a replaced worker finish what it is answering: closing its stdin tells it to stop
/// accepting and exit once its connections close (killed after 30 s).
fn retire(mut old: Worker) {
    old.idle.clear();
    let Some(mut child) = old.child.take() else {
        return;
    };
    tokio::spawn(async move {
        drop(child.stdin.take());
        if tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .is_err()
        {
            let _ = child.kill().await;
        }
        let _ = std::fs::remove_file(old.socket);
    });
}

async fn connect(socket: &Path) -> std::io::Result<SendRequest<Body>> {
    let stream = UnixStream::connect(socket).await?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// The `node` to run: `$MIGRATE_NODE`, else `node` on the `PATH`; at least Node 18 (the Web
/// `Request`/`Response` and `Readable.toWeb` the runtime uses).
pub fn find_node() -> anyhow::Result<PathBuf> {
    let node =
        std::env::var_os("MIGRATE_NODE").map_or_else(|| PathBuf::from("node"), PathBuf::from);
    let output = std::process::Command::new(&node)
        .arg("--version")
        .output()
        .with_context(|| {
            format!(
                "cannot run `{}`: migrate serve runs the project's handlers with Node.js 18 or later (install it, or set MIGRATE_NODE)",
                node.display()
            )
        })?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 18 {
        bail!(
            "`{}` is Node.js {version}: migrate serve needs Node.js 18 or later",
            node.display()
        );
    }
    Ok(node)
}
