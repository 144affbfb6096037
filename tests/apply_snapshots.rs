//! `migrate apply` on fixture projects, checked by a harness and snapshotted for review:
//!
//! - every rewritten file re-parses, keeps every comment of the original, and keeps verbatim
//!   (in order) each line of the original that no rewrite rule touches;
//! - applying the plan and planning again changes nothing (with and without `--keep-pages`);
//! - each route of `fixtures/apply-app` has a snapshot with its outcome, reasons, declared
//!   differences and the diff from the Pages file to its route file; every fixture has a
//!   snapshot of the whole plan.

use std::path::{Path, PathBuf};

use migrate_rewrite::apply::{self, FileChange, Options, Plan};
use migrate_rewrite::parse;

#[path = "support/next_app.rs"]
mod next_app;

use next_app::{copy_dir, repo_root};

/// The fixture projects whose plans are checked and snapshotted.
const FIXTURES: &[&str] = &[
    "fixtures/apply-app",
    "fixtures/example",
    "fixtures/methods",
    "fixtures/route-modules",
    "fixtures/src-layout",
    "fixtures/page-extensions",
    "fixtures/bindings-and-flow",
    "fixtures/apply-next14",
];

fn plan(dir: &Path, keep_pages: bool) -> Plan {
    apply::plan(
        &[dir.to_owned()],
        Options {
            keep_pages,
            next_major: None,
        },
    )
    .unwrap()
}

fn extension(path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    // `route.api.ts` is parsed as TypeScript, like `route.ts`.
    name.rsplit('.').next().unwrap().to_owned()
}

/// A JavaScript or TypeScript file (the runtime module written beside the routes is one, its
/// `.d.ts` too).
fn is_source(path: &Path) -> bool {
    matches!(
        extension(path).as_str(),
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts"
    )
}

/// A line no rewrite rule touches: not an export or import, no `req`/`res` use, no Pages type,
/// not part of `config` (which goes), not only brackets, not a bare `return`/`break`, not a
/// chained call.
fn untouched_by_rules(line: &str) -> bool {
    // The dispatch itself (`switch`, `case`, `else`, method tests) goes when a handler becomes
    // one function per method.
    const DISPATCH: &[&str] = &["switch (", "case ", "default:", "else", "method"];
    const TOUCHED: &[&str] = &[
        "export",
        "import",
        "require(",
        "req",
        "res",
        "NextApi",
        "config",
        "runtime",
        "api:",
        "bodyParser",
        "sizeLimit",
        "maxDuration",
        "regions",
        "responseLimit",
        "externalResolver",
    ];
    if DISPATCH.iter().any(|d| line.contains(d)) {
        return false;
    }
    let trimmed = line.trim();
    // A bare `return`/`break` after a response that is now returned goes (it is unreachable).
    let bare_exit = matches!(trimmed.trim_end_matches(';'), "return" | "break");
    // A chained call on its own line (`.setHeader(…)` after `res`) is part of a response.
    let chained = trimmed.starts_with('.');
    // The tail of a signature written over several lines, with the handler's return type
    // (`): Promise<void> {`), which goes with Pages' types.
    let signature_tail = trimmed.starts_with("):");
    // A Pages field on a line of its own in a destructuring of `req` written over several
    // lines (`query: { id },`) leaves the pattern.
    let destructured_field = ["query", "body", "cookies"].iter().any(|field| {
        trimmed
            .strip_prefix(field)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', ',']))
    });
    !bare_exit
        && !destructured_field
        && !chained
        && !signature_tail
        && !trimmed.chars().all(|c| "{}()[],;".contains(c))
        && !TOUCHED.iter().any(|t| line.contains(t))
}

/// A declaration of the prelude of a handler split into one function per method, that no
/// function uses (`const allowed = ['GET', 'POST']` read by the guard alone): its name is gone
/// from the output altogether, uses included, so nothing that needed it was dropped.
fn left_out_everywhere(line: &str, new: &str) -> bool {
    let trimmed = line.trim();
    let Some(rest) = ["const ", "let "]
        .iter()
        .find_map(|keyword| trimmed.strip_prefix(keyword))
    else {
        return false;
    };
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    !name.is_empty() && migrate_rewrite::apply::imports::occurrences(new, &name) == 0
}

/// The harness: what every rewritten file must satisfy.
fn check_rewrite(old_path: &Path, old: &str, new_path: &Path, new: &str) {
    let shown = new_path.display();
    parse::parse(new, &extension(new_path))
        .unwrap_or_else(|e| panic!("{shown} does not parse: {}", e.message));
    let parsed = parse::parse_with(old, &extension(old_path), true).unwrap();
    for comment in &parsed.comments {
        let text = &old[comment.range.start as usize..comment.range.end as usize];
        assert!(new.contains(text), "{shown} lost the comment {text:?}");
    }
    // Kept in order; the indentation may change (a case's statements move into a function).
    let mut rest = new;
    for line in old
        .lines()
        .filter(|l| untouched_by_rules(l) && !left_out_everywhere(l, new))
        .map(str::trim)
    {
        match rest.find(line) {
            Some(at) => rest = &rest[at + line.len()..],
            None => panic!(
                "{shown}: the line {line:?} of {} is not kept verbatim and in order",
                old_path.display()
            ),
        }
    }
}

fn write(plan: &Plan) {
    for change in &plan.changes {
        match change {
            FileChange::Create { path, text, .. } => {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                assert!(!path.exists(), "{} would be overwritten", path.display());
                std::fs::write(path, text).unwrap();
            }
            FileChange::Modify { path, old, text } => {
                assert_eq!(&std::fs::read_to_string(path).unwrap(), old);
                std::fs::write(path, text).unwrap();
            }
            FileChange::Delete { path, .. } => std::fs::remove_file(path).unwrap(),
        }
    }
}

fn staged(fixture: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("migrate-apply-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&repo_root().join(fixture), &dir);
    dir
}

#[test]
fn rewrites_pass_the_harness_and_settle() {
    for fixture in FIXTURES {
        let name = fixture.trim_start_matches("fixtures/");
        let first = plan(&repo_root().join(fixture), false);
        // Each file made from a Pages file is checked against it (a route file rewritten from
        // its module, or a module moved beside its new route file); every other new file must
        // parse.
        for change in &first.changes {
            match change {
                FileChange::Create {
                    path,
                    text,
                    from: Some(origin),
                } => check_rewrite(&origin.path, &origin.text, path, text),
                FileChange::Create { path, text, .. } | FileChange::Modify { path, text, .. }
                    if is_source(path) =>
                {
                    parse::parse(text, &extension(path)).unwrap_or_else(|e| {
                        panic!("{name}: {} does not parse: {}", path.display(), e.message)
                    });
                }
                _ => {}
            }
        }

        for keep_pages in [false, true] {
            let dir = staged(fixture, &format!("{name}-{keep_pages}").replace('/', "_"));
            write(&plan(&dir, keep_pages));
            let again = plan(&dir, keep_pages);
            assert!(
                again.changes.is_empty(),
                "{name} (keep_pages: {keep_pages}): a second apply would change {:?}",
                again
                    .changes
                    .iter()
                    .map(FileChange::path)
                    .collect::<Vec<_>>()
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo_root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// The whole plan of each fixture, as `apply --format json` reports it.
#[test]
fn plans() {
    settings().bind(|| {
        for fixture in FIXTURES {
            let plan = plan(&repo_root().join(fixture), false);
            let files: Vec<String> = plan
                .changes
                .iter()
                .map(|c| match c {
                    FileChange::Create { path, .. } => format!("create {}", relative(path)),
                    FileChange::Modify { path, .. } => format!("modify {}", relative(path)),
                    FileChange::Delete { path, .. } => format!("delete {}", relative(path)),
                })
                .collect();
            let shown = serde_json::to_string_pretty(&serde_json::json!({
                "routes": plan.routes.iter().map(|r| serde_json::json!({
                    "file": relative(Path::new(&r.file)),
                    "outcome": r.outcome,
                    "methods": r.methods,
                    "reasons": r.reasons,
                })).collect::<Vec<_>>(),
                "files": files,
                "notes": plan.notes,
            }))
            .unwrap();
            // Files that stay have only their imports re-pointed: the diffs show it.
            let mut shown = shown;
            for change in &plan.changes {
                if let FileChange::Modify { path, old, text } = change {
                    let name = relative(path);
                    shown.push_str("\n\n");
                    shown.push_str(
                        &similar::TextDiff::from_lines(old.as_str(), text.as_str())
                            .unified_diff()
                            .header(&name, &name)
                            .to_string(),
                    );
                }
            }
            let name = format!(
                "apply__{}",
                fixture.trim_start_matches("fixtures/").replace('/', "__")
            );
            insta::assert_snapshot!(name, shown);
        }
    });
}

/// One snapshot per route of `fixtures/apply-app` and of `fixtures/apply-next14` (where
/// `params` is a plain object): the outcome and the rewrite itself.
#[test]
fn route_rewrites() {
    for fixture in ["apply-app", "apply-next14"] {
        route_snapshots(fixture);
    }
}

fn route_snapshots(fixture: &str) {
    let plan = plan(&repo_root().join("fixtures").join(fixture), false);
    settings().bind(|| {
        for route in &plan.routes {
            let Some(target) = &route.target else {
                continue;
            };
            let original = plan.changes.iter().find_map(|c| match c {
                FileChange::Delete { path, old }
                    if path.ends_with(route.file.trim_start_matches("../")) =>
                {
                    Some(old.as_str())
                }
                _ => None,
            });
            let Some(original) = original else {
                continue;
            };
            // The route file (diffed against the Pages file it was made from, or shown whole
            // when new), then the module moved beside it, if any.
            let mut diff = String::new();
            for change in &plan.changes {
                let FileChange::Create { path, text, from } = change else {
                    continue;
                };
                let is_target = path.ends_with(target.trim_start_matches("../"));
                let from_route = from
                    .as_ref()
                    .is_some_and(|o| o.path.ends_with(route.file.trim_start_matches("../")));
                if !(is_target || from_route) {
                    continue;
                }
                let (before, before_name) = if from.is_some() {
                    (original, relative(Path::new(&route.file)))
                } else {
                    ("", "/dev/null".to_owned())
                };
                let part = similar::TextDiff::from_lines(before, text.as_str())
                    .unified_diff()
                    .header(&before_name, &relative(path))
                    .to_string();
                let part = if part.is_empty() {
                    format!("{before_name} moves unchanged to {}\n", relative(path))
                } else {
                    part
                };
                if is_target {
                    diff.insert_str(0, &part);
                } else {
                    diff.push_str(&part);
                }
            }
            let list = |items: &[String]| -> String {
                items
                    .iter()
                    .map(|item| "  - ".to_owned() + item + "\n")
                    .collect()
            };
            let shown = format!(
                "outcome: {:?}\nmethods: {}\nreasons:\n{}differences:\n{}\n{diff}",
                route.outcome,
                route.methods.join(", "),
                list(&route.reasons),
                list(&route.differences),
            );
            let name = format!(
                "apply__{fixture}__{}",
                relative(Path::new(&route.file))
                    .trim_start_matches(&format!("fixtures/{fixture}/pages/api/"))
                    .replace('/', "__")
            );
            insta::assert_snapshot!(name, shown);
        }
    });
}

/// A path from the repository root (tests run from `cli/`).
fn relative(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let root = repo_root().to_string_lossy().replace('\\', "/");
    text.trim_start_matches(&format!("{root}/"))
        .trim_start_matches("../")
        .to_owned()
}
