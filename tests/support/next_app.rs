//! Running the pinned Next.js on a fixture app: install, stage, build, start. Shared by the
//! end-to-end tests.

// Each test uses the part it needs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

pub fn e2e_dir() -> PathBuf {
    repo_root().join("tests/e2e")
}

/// Installs the pinned Next.js from the lock file, once.
pub fn ensure_next() -> PathBuf {
    ensure_next_in(&e2e_dir())
}

/// Installs the Next.js pinned in `dir` (a folder with a `package.json` and lock file), once;
/// returns its `next` binary.
pub fn ensure_next_in(dir: &Path) -> PathBuf {
    let bin = dir.join("node_modules/next/dist/bin/next");
    if !bin.exists() || !dir.join("node_modules/typescript/bin/tsc").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .status()
            .expect("npm is needed for the end-to-end tests (Node 20 and npm)");
        assert!(status.success(), "npm ci failed in {}", dir.display());
    }
    bin
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A fixture app (a folder under `fixtures/`) copied under tests/e2e/work, so that Node
/// resolves the pinned `next` there.
pub fn stage(fixture: &str) -> PathBuf {
    stage_as(fixture, fixture)
}

/// [`stage`] under another name, for two copies of one fixture.
pub fn stage_as(fixture: &str, name: &str) -> PathBuf {
    stage_in(&e2e_dir(), fixture, name)
}

/// A fixture copied under `<dir>/work/<name>`, where Node resolves the Next.js of `dir`.
pub fn stage_in(dir: &Path, fixture: &str, name: &str) -> PathBuf {
    let work = dir.join("work").join(name);
    let _ = std::fs::remove_dir_all(&work);
    copy_dir(&repo_root().join("fixtures").join(fixture), &work);
    work
}

pub fn next(bin: &Path, app: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("node");
    command
        .arg(bin)
        .args(args)
        .current_dir(app)
        .env("NEXT_TELEMETRY_DISABLED", "1")
        .env_remove("NODE_OPTIONS");
    command
}

pub struct Build {
    pub ok: bool,
    pub output: String,
}

/// `next build`, with `--webpack` when the app's own build script asks for it.
pub fn build(bin: &Path, app: &Path) -> Build {
    let package = std::fs::read_to_string(app.join("package.json")).unwrap_or_default();
    let args: &[&str] = if package.contains("next build --webpack") {
        &["build", "--webpack"]
    } else {
        &["build"]
    };
    let out = next(bin, app, args).output().expect("run next build");
    Build {
        ok: out.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// A running `next start`, killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    /// What the server printed after it was up, line by line (stdout and stderr).
    output: mpsc::Receiver<String>,
}

impl Server {
    /// Waits (up to `limit`) until a line printed since start-up contains `needle`; that line.
    pub fn wait_for_output(&self, needle: &str, limit: Duration) -> Option<String> {
        let deadline = Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.output.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }

    /// Sends SIGTERM and waits (up to `limit`) for the server to exit; its exit status.
    pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the built app; `Err(output)` when Next exits instead of listening.
pub fn start(bin: &Path, app: &Path) -> Result<Server, String> {
    start_on(bin, app, free_port())
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// [`start`] on a given port (two apps compared answer with the same `Host`).
pub fn start_on(bin: &Path, app: &Path, port: u16) -> Result<Server, String> {
    let command = next(
        bin,
        app,
        &["start", "-p", &port.to_string(), "-H", "127.0.0.1"],
    );
    // "Ready" is printed before Next loads its routes (and may then exit on a routing error):
    // the server is up only once it answers a request.
    wait_until_serving(command, port, "Ready in")
}

/// `migrate serve` on `app` (the binary at `migrate`), listening on `port`.
pub fn serve_on(migrate: &Path, app: &Path, port: u16) -> Result<Server, String> {
    serve_with(migrate, app, port, &[])
}

/// [`serve_on`] with more options.
pub fn serve_with(migrate: &Path, app: &Path, port: u16, extra: &[&str]) -> Result<Server, String> {
    let mut command = Command::new(migrate);
    command
        .args(["serve", ".", "-p", &port.to_string()])
        .args(extra)
        .current_dir(app);
    if !extra.contains(&"--workers") {
        command.args(["--workers", "2"]);
    }
    wait_until_serving(command, port, "migrate serve:")
}

/// Spawns `command` and waits until it printed `marker` and answers HTTP on `port`, or exited.
fn wait_until_serving(mut command: Command, port: u16, marker: &str) -> Result<Server, String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the server");
    let (tx, rx) = mpsc::channel::<String>();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let deadline = Instant::now() + Duration::from_mins(1);
    let mut output = String::new();
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            while let Ok(line) = rx.recv_timeout(Duration::from_millis(500)) {
                output.push_str(&line);
                output.push('\n');
            }
            return Err(output);
        }
        while let Ok(line) = rx.try_recv() {
            output.push_str(&line);
            output.push('\n');
        }
        if output.contains(marker) && answers(port) {
            return Ok(Server {
                child,
                port,
                output: rx,
            });
        }
        assert!(
            Instant::now() < deadline,
            "the server neither listened nor exited:\n{output}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// True when something answers HTTP on the port (any status).
pub fn answers(port: u16) -> bool {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    agent
        .get(&format!("http://127.0.0.1:{port}/__migrate_probe"))
        .call()
        .is_ok()
}
