//! `migrate apply` through the real binary: exit statuses (`--diff` 1 on changes, 0 once
//! applied; 2 when git has uncommitted changes in a file it would remove), atomic writes that
//! remove the Pages files, `--keep-pages`, and a second run that changes nothing.

use std::path::Path;
use std::process::Command;

#[path = "support/cli.rs"]
mod cli;
#[path = "support/next_app.rs"]
mod next_app;

use cli::migrate;
use next_app::{copy_dir, repo_root};

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("fixtures/apply-next14"), dir.path());
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A per-method module whose place under `app/` already holds another file stays where it is,
/// and the route that loads it loads it from there: never the unrelated file.
#[test]
fn a_module_whose_target_is_taken_stays_and_its_importer_follows_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("fixtures/route-modules"), dir.path());
    let taken = dir.path().join("app/api/users/_get.js");
    std::fs::create_dir_all(taken.parent().unwrap()).unwrap();
    std::fs::write(&taken, "export default 'another file'\n").unwrap();
    let run = migrate(&["apply", "--format", "json"], dir.path());
    assert!(run.code <= 1, "{}{}", run.stdout, run.stderr);
    let route = std::fs::read_to_string(dir.path().join("app/api/users/route.js")).unwrap();
    assert!(
        route.contains("import('../../../pages/api/users/_get')"),
        "{route}"
    );
    assert!(route.contains("import('./_post')"), "{route}");
    assert_eq!(
        std::fs::read_to_string(&taken).unwrap(),
        "export default 'another file'\n"
    );
    assert!(dir.path().join("pages/api/users/_get.js").exists());
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let stays = plan["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("users/_get.js"))
        .unwrap();
    assert!(
        stays["reasons"][0]
            .as_str()
            .unwrap()
            .contains("already holds another file"),
        "{stays}"
    );
}

#[test]
fn diff_writes_nothing_and_exits_1_on_changes() {
    let dir = project();
    let run = migrate(&["apply", "--diff"], dir.path());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("+++ b/app/api/posts/[id]/route.ts"),
        "{}",
        run.stdout
    );
    // A route file is shown as a rename of its pages file, with only the lines that change.
    assert!(
        run.stdout.contains(
            "diff --git a/pages/api/hello.ts b/app/api/hello/route.ts\nrename from pages/api/hello.ts\nrename to app/api/hello/route.ts\n--- a/pages/api/hello.ts\n+++ b/app/api/hello/route.ts\n"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("+++ /dev/null"), "{}", run.stdout);
    assert!(!dir.path().join("app").exists());
    assert!(dir.path().join("pages/api/hello.ts").exists());
}

#[test]
fn applies_once_then_changes_nothing() {
    let dir = project();
    let run = migrate(&["apply", "--format", "json"], dir.path());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(plan["written"], true);
    assert!(dir.path().join("app/api/docs/[...path]/route.ts").exists());
    assert!(dir.path().join("app/_migrate/pages-api.js").exists());
    assert!(!dir.path().join("pages/api/hello.ts").exists());
    let again = migrate(&["apply", "--diff"], dir.path());
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert!(
        again.stdout.contains("changed 0 file(s)")
            || again.stdout.contains("would change 0 file(s)"),
        "{}",
        again.stdout
    );
}

#[test]
fn keep_pages_leaves_both_and_settles() {
    let dir = project();
    assert_eq!(migrate(&["apply", "--keep-pages"], dir.path()).code, 0);
    assert!(dir.path().join("pages/api/hello.ts").exists());
    assert!(dir.path().join("app/api/hello/route.ts").exists());
    let again = migrate(&["apply", "--keep-pages", "--diff"], dir.path());
    assert_eq!(again.code, 0, "{}", again.stdout);
}

#[test]
fn uncommitted_changes_are_refused() {
    let dir = project();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "init"]);
    std::fs::write(
        dir.path().join("pages/api/hello.ts"),
        "export default function h(req, res) { res.json(1) }\n",
    )
    .unwrap();
    let run = migrate(&["apply"], dir.path());
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("pages/api/hello.ts") && run.stderr.contains("--allow-dirty"),
        "{}",
        run.stderr
    );
    assert!(
        !dir.path().join("app").exists(),
        "nothing is written when refused"
    );
    assert_eq!(migrate(&["apply", "--allow-dirty"], dir.path()).code, 0);
    assert!(dir.path().join("app/api/hello/route.ts").exists());
}

/// What `--diff` shows is exactly what `apply` writes: `git apply` of the printed diff (renames
/// and, under `--keep-pages`, copies) leaves the same tree as `apply` itself.
#[test]
fn the_diff_is_what_apply_writes() {
    for extra in [&[][..], &["--keep-pages"][..]] {
        let reviewed = tempfile::tempdir().unwrap();
        let applied = tempfile::tempdir().unwrap();
        for dir in [&reviewed, &applied] {
            copy_dir(&repo_root().join("fixtures/apply-app"), dir.path());
            git(dir.path(), &["init", "-q"]);
            git(dir.path(), &["add", "-A"]);
            git(dir.path(), &["commit", "-q", "-m", "before"]);
        }
        let diff = migrate(&[&["apply", "--diff"][..], extra].concat(), reviewed.path());
        assert_eq!(diff.code, 1, "{}", diff.stderr);
        let patch = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(patch.path(), &diff.stdout).unwrap();
        git(reviewed.path(), &["apply", patch.path().to_str().unwrap()]);
        let run = migrate(&[&["apply"][..], extra].concat(), applied.path());
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(
            tree(reviewed.path()),
            tree(applied.path()),
            "--diff and apply differ ({extra:?})"
        );
    }
}

/// Every file under `dir` but `.git`, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.path().strip_prefix(dir).unwrap().display().to_string();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// `migrate apply --diff | head` and `migrate check --format json | head`: a reader that stops
/// early is not an error. The project's output is far larger than a pipe holds, so the reader
/// is gone while `migrate` is still writing.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{ "dependencies": { "next": "16.4.6" } }"#,
    )
    .unwrap();
    let api = dir.path().join("pages/api");
    std::fs::create_dir_all(&api).unwrap();
    for i in 0..400 {
        std::fs::write(
            api.join(format!("h{i}.ts")),
            format!("import type {{ NextApiRequest, NextApiResponse }} from 'next'\n\nexport default function handler(req: NextApiRequest, res: NextApiResponse) {{\n  if (req.method !== 'GET') return res.status(405).end()\n  res.status(200).json({{ id: {i}, q: req.query.q }})\n}}\n"),
        )
        .unwrap();
    }
    for (args, expected) in [
        (&["apply", "--diff"][..], 1),
        (&["check", "--format", "json", "--fail-on", "never"][..], 0),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_migrate"))
            .args(args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut start = [0u8; 64];
        child.stdout.take().unwrap().read_exact(&mut start).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
}

/// Next 12 has no App Router: nothing moves (the endpoints would be files Next ignores), every
/// route says why, and naming the version being upgraded to lets the move go ahead.
#[test]
fn a_project_on_next_12_moves_nothing_until_next_is_upgraded() {
    let dir = project();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{ "private": true, "dependencies": { "next": "12.3.4", "react": "17.0.2" } }"#,
    )
    .unwrap();
    // Manual routes make the run fail, as they do elsewhere.
    let run = migrate(&["apply", "--format", "json"], dir.path());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let routes = plan["routes"].as_array().unwrap();
    assert!(!routes.is_empty());
    for route in routes {
        assert_eq!(route["outcome"], "manual", "{route}");
        assert!(
            route["reasons"][0]
                .as_str()
                .unwrap()
                .contains("Next 12, which has no App Router"),
            "{route}"
        );
    }
    assert_eq!(plan["files"].as_array().unwrap().len(), 0);
    assert!(!dir.path().join("app").exists());
    assert!(dir.path().join("pages/api/hello.ts").exists());
    let upgrading = migrate(
        &[
            "apply",
            "--diff",
            "--format",
            "json",
            "--next-version",
            "14",
        ],
        dir.path(),
    );
    let plan: serde_json::Value = serde_json::from_str(&upgrading.stdout).unwrap();
    assert!(!plan["files"].as_array().unwrap().is_empty(), "{plan}");
}

/// A project written with `\r\n` line endings keeps them: every line of a moved route file ends
/// in `\r\n`, the code `apply` adds included, and the import line it removes takes its blank
/// line with it. A second run changes nothing.
#[test]
fn crlf_files_stay_crlf() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{ "private": true, "dependencies": { "next": "16.4.6" } }"#,
    )
    .unwrap();
    let api = dir.path().join("pages/api");
    std::fs::create_dir_all(&api).unwrap();
    let lines = |lines: &[&str]| lines.join("\r\n") + "\r\n";
    // Split into a POST function (with the body read and a header set) and, for the second,
    // one function for every method (with the adapter's exports list).
    std::fs::write(
        api.join("guarded.ts"),
        lines(&[
            "import type { NextApiRequest, NextApiResponse } from 'next'",
            "",
            "export default async function handler(req: NextApiRequest, res: NextApiResponse) {",
            "  if (req.method !== 'POST') {",
            "    res.setHeader('Allow', 'POST')",
            "    return res.status(405).end()",
            "  }",
            "  const { name } = req.body",
            "    ",
            "  res.setHeader('X-Name', String(name))",
            "  return res.status(201).json({ name, q: req.query.q })",
            "}",
        ]),
    )
    .unwrap();
    std::fs::write(
        api.join("plain.ts"),
        lines(&[
            "import type { NextApiRequest, NextApiResponse } from 'next'",
            "",
            "export default function handler(req: NextApiRequest, res: NextApiResponse) {",
            "  res.status(200).json({ ok: true })",
            "}",
        ]),
    )
    .unwrap();
    let run = migrate(&["apply"], dir.path());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for route in ["app/api/guarded/route.ts", "app/api/plain/route.ts"] {
        let text = std::fs::read_to_string(dir.path().join(route)).unwrap();
        let breaks = text.matches('\n').count();
        assert!(breaks > 3, "{text:?}");
        assert_eq!(text.matches("\r\n").count(), breaks, "{route}: {text:?}");
        assert!(!text.starts_with("\r\n"), "{route}: {text:?}");
    }
    // The line of spaces inside the moved code is kept as it was.
    let guarded = std::fs::read_to_string(dir.path().join("app/api/guarded/route.ts")).unwrap();
    assert!(guarded.contains("\r\n    \r\n"), "{guarded:?}");
    let again = migrate(&["apply", "--diff"], dir.path());
    assert_eq!(again.code, 0, "{}", again.stdout);
}
