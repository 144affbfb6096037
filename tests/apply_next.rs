//! `migrate apply` against real Next.js: the fixture app `fixtures/apply-app` (a Pages Router
//! API in the shapes real projects have) is built and started with the pinned `next`, and
//! answers a list of requests (`requests.jsonl`: every served method, unserved ones, bad JSON,
//! empty bodies, repeated query keys, cookies, …). Then a copy is migrated with the `migrate`
//! binary, type-checked with `tsc --noEmit`, built and started again, and must answer every
//! request the same way: status, body, media type and the headers the handler set. The only
//! answers allowed to differ are the ones `apply` declares: methods a route no longer exports
//! get Next's own 405/204/automatic HEAD.
//!
//! Needs Node.js and npm, like `e2e_next`.

#[path = "support/next_app.rs"]
mod next_app;
#[path = "support/replay.rs"]
mod replay;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use migrate_rewrite::check::check;
use migrate_rewrite::route::matcher::Resolution;
use next_app::{
    build, e2e_dir, ensure_next, ensure_next_in, free_port, repo_root, serve_on, stage_as,
    stage_in, start, start_on,
};
use replay::{
    compare_served, record, requests, send, show, without_random_cookies, Answer, Request,
};
use serde_json::Value;

/// How each route moved (`None`: it did not), by URL pattern, from `apply --format json`.
struct Moved {
    /// The kinds of difference the report declares for the route.
    declared: Vec<String>,
    methods: Vec<String>,
}

fn moves(plan: &Value) -> BTreeMap<String, Option<Moved>> {
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect()
    };
    plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|route| {
            let outcome = route["outcome"].as_str();
            let moved = matches!(outcome, Some("adapter" | "idiomatic")).then(|| Moved {
                declared: strings(&route["declared"]),
                methods: strings(&route["methods"]),
            });
            (route["pattern"].as_str().unwrap().to_owned(), moved)
        })
        .collect()
}

/// Both answers with what the report declares for the route taken out of the comparison, and
/// nothing else.
fn forgive(
    declared: &[String],
    before: Option<&Answer>,
    after: Option<&Answer>,
) -> (Option<Answer>, Option<Answer>) {
    let (mut before, mut after) = (before.cloned(), after.cloned());
    let has = |tag: &str| declared.iter().any(|d| d == tag);
    for answer in [before.as_mut(), after.as_mut()].into_iter().flatten() {
        if has("json-charset-and-etag") {
            answer.headers.remove("etag");
            if let Some(types) = answer.headers.get_mut("content-type") {
                for value in types.iter_mut() {
                    *value = value
                        .split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_owned();
                }
            }
        }
        if has("text-etag-and-content-type") {
            answer.headers.remove("etag");
        }
        if has("session-cookies") {
            answer.headers.remove("set-cookie");
        }
        if has("joined-header-lines") {
            // One line per value and one line joined with `, ` are the same field (RFC 9110,
            // 5.3); `set-cookie` is the exception, and a `Response` keeps its lines apart.
            for (name, values) in &mut answer.headers {
                if name != "set-cookie" && values.len() > 1 {
                    *values = vec![values.join(", ")];
                }
            }
        }
        if has("error-body") && answer.status == 500 {
            answer.body.clear();
            answer.headers.clear();
        }
    }
    if has("text-etag-and-content-type") {
        if let (Some(before), Some(after)) = (&before, &mut after) {
            let was_untyped = !before.headers.contains_key("content-type");
            let now_text = after
                .headers
                .get("content-type")
                .is_some_and(|v| v.len() == 1 && v[0].starts_with("text/plain"));
            if was_untyped && now_text {
                after.headers.remove("content-type");
            }
        }
    }
    // `Response.json(undefined)` throws where `res.json(undefined)` answered an empty 200.
    if has("json-undefined")
        && before
            .as_ref()
            .is_some_and(|b| b.status == 200 && b.body.is_empty())
        && after.as_ref().is_some_and(|a| a.status == 500)
    {
        after.clone_from(&before);
    }
    // Pages' body parser answered before the handler ran; the route never parses the body.
    let rejected_body = |a: &Answer| {
        (a.status == 400 && (a.body == b"Invalid JSON" || a.body == b"Invalid body"))
            || (a.status == 413 && a.body.starts_with(b"Body exceeded "))
    };
    if has("body-not-parsed") && before.as_ref().is_some_and(rejected_body) {
        after.clone_from(&before);
    }
    if has("no-response-500") && before.is_none() && after.as_ref().is_some_and(|a| a.status == 500)
    {
        after = None;
    }
    (before, after)
}

fn apply(app: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .args(["apply", "--allow-dirty", "--format", "json"])
        .arg(app)
        .output()
        .expect("run migrate apply");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.code().is_some_and(|c| c < 2),
        "migrate apply failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn type_check(app: &Path) {
    type_check_with(&e2e_dir(), app);
}

fn type_check_with(modules: &Path, app: &Path) {
    let tsc = modules.join("node_modules/typescript/bin/tsc");
    let output = Command::new("node")
        .arg(tsc)
        .args(["--noEmit", "-p"])
        .arg(app)
        .output()
        .expect("run tsc");
    assert!(
        output.status.success(),
        "tsc --noEmit fails on the migrated app:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn migrated_app_answers_like_the_original() {
    let bin = ensure_next();
    let before = stage_as("apply-app", "apply-before");
    let after = stage_as("apply-app", "apply-after");
    let requests = requests(&before);

    let report = check(&before).unwrap();
    let table = report.route_table();

    // Both apps answer on the same port: answers that name the host (NextAuth's URLs) compare.
    let port = free_port();
    let built = build(&bin, &before);
    assert!(
        built.ok,
        "the original app does not build:\n{}",
        built.output
    );
    let expected = {
        let server = start_on(&bin, &before, port).expect("next start (original)");
        record(&server, &requests)
    };
    // `migrate serve` on the same Pages handlers.
    let served_pages = {
        let server = serve_on(migrate(), &before, port).expect("migrate serve (original)");
        record(&server, &requests)
    };

    let plan = apply(&after);
    let moves = moves(&plan);
    let built = build(&bin, &after);
    assert!(
        built.ok,
        "the migrated app does not build:\n{}",
        built.output
    );
    type_check(&after);
    let actual = {
        let server = start_on(&bin, &after, port).expect("next start (migrated)");
        record(&server, &requests)
    };
    // `migrate serve` on both routers at once (`apply --keep-pages`): every path is defined
    // twice and the App version must win, answering as `next start` answers the migrated app.
    let both = stage_as("apply-app", "apply-both");
    let kept = migrate_command(&both, &["apply", "--keep-pages", "--allow-dirty"]);
    assert!(
        kept.status.success(),
        "{}",
        String::from_utf8_lossy(&kept.stderr)
    );
    let served_both = {
        let server = serve_on(migrate(), &both, port).expect("migrate serve (both routers)");
        record(&server, &requests)
    };
    let serve_failures = [
        ("serve (pages)", &expected, &served_pages),
        ("serve (app over pages)", &actual, &served_both),
    ]
    .map(|(name, next, served)| compare_served(name, &requests, next, served));

    let (mut passed, mut declared, mut failures) = (0, 0, Vec::new());
    for ((request, before), after) in requests.iter().zip(&expected).zip(&actual) {
        let (path, query) = request
            .path
            .split_once('?')
            .map_or((request.path.as_str(), None), |(p, q)| (p, Some(q)));
        let pattern = match table.resolve(path, query) {
            Resolution::Matched(found) => Some(report.routes[found.route].pattern.clone()),
            _ => None,
        };
        let route_move = pattern
            .as_ref()
            .and_then(|p| moves.get(p))
            .and_then(Option::as_ref);
        let is_declared = route_move.is_some_and(|m| !m.methods.contains(&request.method));
        let declared_kinds = route_move
            .map(|m| m.declared.as_slice())
            .unwrap_or_default();
        let (before, after) = (
            without_random_cookies(before.as_ref()),
            without_random_cookies(after.as_ref()),
        );
        let (before, after) = forgive(declared_kinds, before.as_ref(), after.as_ref());
        if is_declared {
            declared += 1;
        } else if before == after {
            passed += 1;
        } else {
            failures.push(format!(
                "{} {}\n  before: {}\n  after:  {}",
                request.method,
                request.path,
                show(before.as_ref()),
                show(after.as_ref())
            ));
        }
    }
    for failure in &failures {
        eprintln!("MISMATCH {failure}");
    }
    eprintln!(
        "apply-app: {passed} passed, {} failed, {declared} declared differences (methods the route no longer exports: Next's own 405/OPTIONS/HEAD; other declared differences forgiven per route)",
        failures.len()
    );
    assert!(failures.is_empty(), "{} answers changed", failures.len());
    assert_eq!(
        serve_failures,
        [0, 0],
        "migrate serve answered differently from next start"
    );
}

fn migrate() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_migrate"))
}

fn migrate_command(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(migrate())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// On Next 14 a route handler's `params` is a plain object: `apply` writes `params.id` (no
/// `await`) and `{ params: { id: string } }`, and the migrated project builds with `next@14`
/// (its own type check included), passes `tsc --noEmit` and answers with the params.
#[test]
fn migrated_next14_app_builds_and_answers() {
    let dir = repo_root().join("tests/e2e14");
    let bin = ensure_next_in(&dir);
    let app = stage_in(&dir, "apply-next14", "apply-next14");
    let plan = apply(&app);
    let moved = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "idiomatic")
        .count();
    assert_eq!(moved, 3, "{plan:#}");
    let route = std::fs::read_to_string(app.join("app/api/posts/[id]/route.ts")).unwrap();
    assert!(
        route.contains("{ params: { id: string } }") && !route.contains("await params"),
        "{route}"
    );
    let built = build(&bin, &app);
    assert!(
        built.ok,
        "the migrated Next 14 app does not build:\n{}",
        built.output
    );
    type_check_with(&dir, &app);
    let get = |server: &next_app::Server, path: &str| {
        let request = Request {
            method: "GET".to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
            status_only: false,
        };
        let answer = send(server, &request).expect("an answer");
        (
            answer.status,
            String::from_utf8_lossy(&answer.body).into_owned(),
        )
    };
    let expected = [
        ("/api/posts/7", r#"{"id":"7"}"#),
        ("/api/docs/a/b?v=2", r#"{"path":["a","b"],"version":"2"}"#),
        ("/api/hello", r#"{"hello":"next 14"}"#),
    ];
    // `next start`, then `migrate serve` (route handlers in Next 14's own module) on the same app.
    for server in [
        start(&bin, &app).expect("next start (Next 14)"),
        serve_on(migrate(), &app, free_port()).expect("migrate serve (Next 14)"),
    ] {
        for (path, body) in expected {
            assert_eq!(get(&server, path), (200, body.to_owned()), "{path}");
        }
    }
    eprintln!("apply-next14: 3 routes moved, built with next@14, 3 answers as expected from next start and from migrate serve");
}
