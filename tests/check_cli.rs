//! `migrate check` end to end through the real binary: every fixture project in every output
//! format, snapshotted (stdout, stderr and exit code), and the SARIF validated against the
//! SARIF 2.1.0 schema.

#[path = "support/cli.rs"]
mod cli;

use std::path::{Path, PathBuf};
use std::process::Command;

use cli::{migrate, Run};

/// The fixture projects, relative to the repository root.
const FIXTURES: &[&str] = &[
    "fixtures/example",
    "fixtures/collisions/clean",
    "fixtures/collisions/app-pages-conflict",
    "fixtures/collisions/slug-mismatch",
    "fixtures/collisions/duplicate-page",
    "fixtures/collisions/route-page-conflict",
    "fixtures/collisions/duplicate-app-route",
    "fixtures/collisions/optional-catchall",
    "fixtures/collisions/custom-extensions",
    "fixtures/collisions/src-mixed",
    "fixtures/collisions/webpack-conflict",
    "fixtures/src-layout",
    "fixtures/page-extensions",
    "fixtures/computed-config",
    "fixtures/monorepo",
    "fixtures/methods",
    "fixtures/bindings-and-flow",
    "fixtures/route-modules",
];

/// `json` is `json-pretty` on one line (the emitter's unit tests compare both with
/// `serde_json`'s own output, and `one_line_json_is_the_pretty_report` below): the snapshots
/// show the indented one, which a reviewer can read.
const FORMATS: &[&str] = &["human", "json-pretty", "sarif", "github"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn snapshot_name(fixture: &str, format: &str) -> String {
    format!(
        "check__{}__{format}",
        fixture.trim_start_matches("fixtures/").replace('/', "__")
    )
}

#[test]
fn every_fixture_in_every_format() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo_root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    // The tool's own version, not SARIF's.
    settings.add_filter(
        &format!(
            r#""version": "{}""#,
            env!("CARGO_PKG_VERSION").replace('.', r"\.")
        ),
        r#""version": "[VERSION]""#,
    );
    settings.bind(|| {
        for fixture in FIXTURES {
            for format in FORMATS {
                let run = migrate(&["check", fixture, "--format", format], &repo_root());
                let shown = format!(
                    "exit: {}\n--- stderr\n{}--- stdout\n{}",
                    run.code, run.stderr, run.stdout
                );
                insta::assert_snapshot!(snapshot_name(fixture, format), shown);
            }
        }
    });
}

#[test]
fn sarif_is_valid_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/schemas/sarif-2.1.0-rtm.5.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    // The validator is not a no-op: a log without `runs` is rejected.
    assert!(!validator.is_valid(&serde_json::json!({ "version": "2.1.0" })));
    for fixture in FIXTURES {
        let run = migrate(&["check", fixture, "--format", "sarif"], &repo_root());
        let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{fixture}: SARIF is not valid:\n{}",
            errors.join("\n")
        );
        assert!(
            !log["runs"][0]["results"].as_array().unwrap().is_empty()
                || !fixture.contains("example")
        );
    }
}

#[test]
fn exit_status_follows_fail_on() {
    let root = repo_root();
    // Only info findings: clean at the default threshold, failing at --fail-on info.
    assert_eq!(
        migrate(&["check", "fixtures/collisions/clean"], &root).code,
        0
    );
    assert_eq!(
        migrate(
            &["check", "fixtures/collisions/clean", "--fail-on", "info"],
            &root
        )
        .code,
        1
    );
    // A warning-level collision.
    assert_eq!(
        migrate(&["check", "fixtures/collisions/duplicate-page"], &root).code,
        0
    );
    assert_eq!(
        migrate(
            &[
                "check",
                "fixtures/collisions/duplicate-page",
                "--fail-on",
                "warning"
            ],
            &root
        )
        .code,
        1
    );
    // Errors, unless told never to fail.
    assert_eq!(migrate(&["check", "fixtures/example"], &root).code, 1);
    assert_eq!(
        migrate(&["check", "fixtures/example", "--fail-on", "never"], &root).code,
        0
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    let root = repo_root();
    let bad_flag = migrate(&["check", "--format", "xml"], &root);
    assert_eq!(bad_flag.code, 2);
    assert!(
        bad_flag.stderr.contains("invalid value 'xml'"),
        "{}",
        bad_flag.stderr
    );

    let missing = migrate(&["check", "does/not/exist"], &root);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("does/not/exist"),
        "{}",
        missing.stderr
    );

    let empty = tempfile::tempdir().unwrap();
    let none = migrate(&["check", "."], empty.path());
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains("no Next.js project found"),
        "{}",
        none.stderr
    );
}

#[test]
fn one_line_json_is_the_pretty_report() {
    for fixture in FIXTURES {
        let compact = migrate(&["check", fixture, "--format", "json"], &repo_root());
        let pretty = migrate(&["check", fixture, "--format", "json-pretty"], &repo_root());
        assert_eq!(compact.code, pretty.code);
        assert_eq!(compact.stdout.lines().count(), 1, "{fixture}: one line");
        let value = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        assert_eq!(value(&compact.stdout), value(&pretty.stdout), "{fixture}");
    }
}

#[test]
fn format_can_come_from_the_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .args(["check", "fixtures/collisions/clean"])
        .current_dir(repo_root())
        .env("MIGRATE_FORMAT", "json")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["schema_version"], 2);
}

#[test]
fn paths_are_relative_to_where_migrate_runs() {
    let files = |run: Run| -> Vec<String> {
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        report["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["file"].as_str().unwrap().to_owned())
            .collect()
    };
    // Pointed at a folder inside the project: the whole project is checked.
    let from_root = files(migrate(
        &["check", "fixtures/example/pages", "--format", "json"],
        &repo_root(),
    ));
    assert!(
        from_root.contains(&"fixtures/example/pages/api/hello.ts".to_owned()),
        "{from_root:?}"
    );
    assert!(
        from_root.contains(&"fixtures/example/app/api/health/route.ts".to_owned()),
        "{from_root:?}"
    );
    let inside = files(migrate(
        &["check", "--format", "json"],
        &repo_root().join("fixtures/example/pages"),
    ));
    assert!(inside.contains(&"api/hello.ts".to_owned()), "{inside:?}");
    assert!(
        inside.contains(&"../app/api/health/route.ts".to_owned()),
        "{inside:?}"
    );
}

/// Where the workers' large stacks cannot be reserved (a tight `ulimit -v`), `check` and
/// `apply` run on default stacks: the same report as without the limit, every time. (Trying
/// the large stacks first and falling back aborted about one run in six, out of address space
/// while the first attempt's threads were still exiting; hence several runs each.)
#[cfg(target_os = "linux")]
#[test]
fn a_tight_address_space_limit_still_checks() {
    let dir = repo_root().join("fixtures/example");
    let limited = |args: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v 700000 && exec \"$0\" {args} --color never"
            ))
            .arg(env!("CARGO_BIN_EXE_migrate"))
            .current_dir(&dir)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let free_check = migrate(
        &["check", "--format", "json-pretty", "--fail-on", "never"],
        &dir,
    );
    let free_apply = migrate(&["apply", "--diff", "--color", "never"], &dir);
    for run in 0..12 {
        let (code, stdout, stderr) = limited("check --format json-pretty --fail-on never");
        assert_eq!(code, Some(0), "run {run}: {stderr}");
        assert_eq!(stdout, free_check.stdout, "run {run}");
        let (code, stdout, stderr) = limited("apply --diff");
        assert_eq!(code, Some(free_apply.code), "run {run}: {stderr}");
        assert_eq!(stdout, free_apply.stdout, "run {run}");
    }
}

/// A project on Next 12 has no App Router: said once for the project (R004), not per route.
#[test]
fn a_project_without_an_app_router_is_told_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pages/api")).unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{ "dependencies": { "next": "^12.3.4" } }"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pages/api/hello.js"),
        "export default (req, res) => res.json({ ok: true })\n",
    )
    .unwrap();
    let run = migrate(&["check", ".", "--format", "json"], dir.path());
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["R004"], "{}", run.stdout);
    assert_eq!(report["routes"][0]["verdict"], "auto");
}
