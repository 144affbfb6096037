//! Hostile input: binary files, invalid UTF-8, huge files, absurd nesting, very long
//! expression chains, symlink loops, broken links. Each gets a clear diagnostic naming the file;
//! nothing panics; the other files are still checked; exit 2 only for real IO failures.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;

fn write(root: &Path, path: &str, bytes: &[u8]) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn check_json(dir: &Path) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .args(["check", ".", "--format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "migrate panicked:\n{stderr}");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr:\n{stderr}"));
    (out.status.code().unwrap(), report, stderr)
}

/// The messages reported for a file, route or problem.
fn messages(report: &serde_json::Value, file: &str) -> Vec<String> {
    let routes = report["routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["file"] == file)
        .flat_map(|r| r["diagnostics"].as_array().unwrap().clone());
    let problems = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["file"] == file)
        .cloned();
    routes
        .chain(problems)
        .map(|d| {
            format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// A Next.js project whose one handler is fine; each test adds its hostile files.
fn project_with_one_good_handler() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "package.json",
        br#"{ "dependencies": { "next": "16.4.6" } }"#,
    );
    write(
        dir.path(),
        "pages/api/ok.ts",
        b"export default function h(req, res) { res.json({ ok: true }) }\n",
    );
    dir
}

#[test]
fn hostile_files_get_diagnostics_and_the_run_goes_on() {
    let dir = project_with_one_good_handler();
    let root = dir.path();
    write(
        root,
        "pages/api/binary.ts",
        b"\x7fELF\x02\x01\x01\x00\x00\x00garbage",
    );
    write(
        root,
        "pages/api/latin1.ts",
        b"export default function h(req, res) { res.send('caf\xe9') }\n",
    );
    let mut huge = b"export default function h(req, res) { res.end() }\n".to_vec();
    huge.resize(3 * 1024 * 1024, b' ');
    write(root, "pages/api/huge.ts", &huge);
    let deep = format!(
        "export default function h(req, res) {{ res.json({}1{}) }}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    write(root, "pages/api/deep.ts", deep.as_bytes());
    // A long expression without brackets nests the syntax tree just as deeply.
    let chain = format!(
        "export default function h(req, res) {{ res.json(1{}) }}\n",
        "+1".repeat(150_000)
    );
    write(root, "pages/api/chain.ts", chain.as_bytes());
    write(root, "pages/api/empty.ts", b"");
    std::os::unix::fs::symlink(root.join("pages/api"), root.join("pages/api/loop")).unwrap();
    let latin1_name = std::ffi::OsStr::from_bytes(b"caf\xe9.ts");
    std::fs::write(
        root.join("pages/api").join(latin1_name),
        b"export default function h(req, res) { res.end() }\n",
    )
    .unwrap();

    let (code, report, _) = check_json(root);
    assert_eq!(code, 1, "errors, but no IO failure");
    assert_eq!(report["io_failures"], 0);
    let ok = messages(&report, "pages/api/ok.ts");
    assert!(ok.iter().all(|m| !m.starts_with('F')), "{ok:?}");
    let expect = [
        ("pages/api/binary.ts", "F002 file looks binary (it contains a NUL byte at offset 7)"),
        ("pages/api/latin1.ts", "F002 file is not valid UTF-8 (invalid byte at offset 51)"),
        ("pages/api/huge.ts", "F002 file is 3145728 bytes, over the 1048576-byte limit for a source file"),
        ("pages/api/deep.ts", "F002 code is nested more than 500 levels deep; not analysed"),
        ("pages/api/empty.ts", "H001 `pages/api/empty.ts` has no default export: Next.js answers every request to it with a 500"),
    ];
    for (file, message) in expect {
        let got = messages(&report, file);
        assert!(
            got.iter().any(|m| m == message),
            "{file}: expected {message:?}, got {got:?}"
        );
    }
    // The long chain is analysed, not refused.
    assert_eq!(
        report["routes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["file"] == "pages/api/chain.ts")
            .unwrap()["verdict"],
        "auto"
    );
    let problems = report["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["file"] == "pages/api/caf\u{FFFD}.ts"
                && p["message"] == "the path is not valid UTF-8; it is not analysed"),
        "{problems:?}"
    );
    let looped = messages(&report, "pages/api/loop");
    assert!(
        looped.iter().any(|m| m.starts_with("F002 symlink loop")),
        "{looped:?}"
    );
}

#[test]
fn broken_links_are_io_failures_and_exit_2() {
    let dir = project_with_one_good_handler();
    let root = dir.path();
    std::os::unix::fs::symlink(root.join("nowhere.ts"), root.join("pages/api/dangling.ts"))
        .unwrap();
    let (code, report, stderr) = check_json(root);
    assert_eq!(code, 2);
    assert_eq!(report["io_failures"], 1);
    assert!(stderr.contains("could not be read"), "{stderr}");
    let got = messages(&report, "pages/api/dangling.ts");
    assert!(
        got.iter().any(|m| m.starts_with("F002 cannot read")),
        "{got:?}"
    );
    // The readable route was still checked.
    assert!(report["routes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["file"] == "pages/api/ok.ts"));
}
