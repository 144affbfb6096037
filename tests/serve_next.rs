//! `migrate serve` against real Next.js: `fixtures/serve-app` has Pages API routes and App route
//! handlers side by side, several paths defined by both routers (which Next refuses to build).
//! Its collision-free copy (each Pages file that an App route shadows removed, as the App
//! version wins) is built and started with the pinned `next`; then `migrate serve` runs the
//! whole app on the same port, and must answer every request of `requests.jsonl` the same way:
//! status, body, media type and the headers the handler set (for Next's HTML error pages, the
//! status).
//!
//! Needs Node.js and npm, like `e2e_next`.

#[path = "support/next_app.rs"]
mod next_app;
#[path = "support/replay.rs"]
mod replay;

use std::path::Path;

use migrate_rewrite::check::check;
use next_app::{
    build, ensure_next, ensure_next_in, free_port, repo_root, serve_on, stage_as, stage_in,
    start_on,
};
use replay::{compare_served, record, requests};

#[test]
fn serve_answers_like_next_start() {
    let bin = ensure_next();
    let full = stage_as("serve-app", "serve-full");
    let next_copy = stage_as("serve-app", "serve-next");
    let requests = requests(&full);

    // The copy Next can build: the Pages files the App Router shadows are removed.
    let report = check(&full).unwrap();
    // Files are named relative to where the test runs: keep the part inside the app.
    let shadowed: Vec<&str> = report
        .collisions
        .iter()
        .filter(|c| c.kind == "app-pages-conflict")
        .flat_map(|c| c.files.iter())
        .filter_map(|f| f.rsplit_once("serve-full/").map(|(_, inside)| inside))
        .filter(|f| f.starts_with("pages/"))
        .collect();
    assert_eq!(shadowed.len(), 2, "the fixture's collisions: {shadowed:?}");
    for file in shadowed {
        std::fs::remove_file(next_copy.join(file)).unwrap();
    }

    compare_with_next_start("serve-app", &bin, &next_copy, &full, &requests);
}

/// The same on Next 15 (`tests/e2e15`, next@15.5.6), whose route handlers `serve` runs in Next
/// 15's own module: `cookies()`, `headers()`, `redirect()`, params, auto methods.
#[test]
fn serve_answers_like_next_start_on_next15() {
    let dir = repo_root().join("tests/e2e15");
    let bin = ensure_next_in(&dir);
    let app = stage_in(&dir, "serve-next15", "serve-next15");
    let requests = requests(&app);
    compare_with_next_start("serve-next15", &bin, &app, &app, &requests);
}

/// Builds `next_app` and records `next start`'s answers, records `migrate serve`'s on
/// `served_app` (on the same port: answers naming the host compare), and fails on any
/// difference.
fn compare_with_next_start(
    name: &str,
    bin: &Path,
    next_app: &Path,
    served_app: &Path,
    requests: &[replay::Request],
) {
    let port = free_port();
    let built = build(bin, next_app);
    assert!(built.ok, "{name} does not build:\n{}", built.output);
    let expected = {
        let server = start_on(bin, next_app, port).expect("next start");
        record(&server, requests)
    };
    let served = {
        let migrate = Path::new(env!("CARGO_BIN_EXE_migrate"));
        let server = serve_on(migrate, served_app, port).expect("migrate serve");
        record(&server, requests)
    };
    let failed = compare_served(name, requests, &expected, &served);
    assert_eq!(
        failed, 0,
        "{name}: migrate serve answered differently from next start"
    );
}
