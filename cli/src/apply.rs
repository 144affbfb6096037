//! `migrate apply`: plan the move, show it (diffs with `--diff`), check that git has every
//! file we would touch committed, then write atomically: new files first (each written beside
//! its target and renamed into place, never over an existing file), deletions last.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use migrate_rewrite::apply::{self, display, FileChange, Outcome, Plan};

use crate::args::{ApplyArgs, ApplyFormat, Color};
use crate::exit::ExitStatus;
use crate::stdout::unless_reader_gone;

mod diff;

pub fn run(args: &ApplyArgs) -> anyhow::Result<ExitStatus> {
    // One set of threads for the whole run (see the function's docs).
    migrate_rewrite::check::run_on_workers(|| run_here(args))
}

fn run_here(args: &ApplyArgs) -> anyhow::Result<ExitStatus> {
    let options = apply::Options {
        keep_pages: args.keep_pages,
        next_major: args.next_version,
    };
    let plan = apply::plan(&args.paths, options).context("cannot plan the migration")?;
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut stdout = crate::stdout::buffered();
    // `migrate apply --diff | head` is not an error; the files are written all the same.
    if args.diff && args.format == ApplyFormat::Human {
        unless_reader_gone(
            diff::write_all(&plan.changes, color, &mut stdout).context("cannot write the diffs"),
        )?;
    }
    if !args.diff && !plan.changes.is_empty() {
        if !args.allow_dirty {
            refuse_dirty(&plan)?;
        }
        write_changes(&plan)?;
    }
    unless_reader_gone(report(&plan, args, &mut stdout).context("cannot write the summary"))?;
    let manual = plan.routes.iter().any(|r| r.outcome == Outcome::Manual);
    let status = if args.diff && !plan.changes.is_empty() || !args.diff && manual {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    // The process ends here: freeing every planned file's text one by one only costs time.
    std::mem::forget(plan);
    Ok(status)
}

/// The summary or the JSON of the plan, then everything still buffered.
fn report(plan: &Plan, args: &ApplyArgs, stdout: &mut impl Write) -> anyhow::Result<()> {
    match args.format {
        ApplyFormat::Human => summary(plan, args.diff, stdout)?,
        ApplyFormat::Json => {
            let json = serde_json::json!({
                "routes": plan.routes,
                "files": plan.changes.iter().map(|c| serde_json::json!({
                    "path": display(c.path()),
                    "action": match c {
                        FileChange::Create { .. } => "create",
                        FileChange::Modify { .. } => "modify",
                        FileChange::Delete { .. } => "delete",
                    },
                })).collect::<Vec<_>>(),
                "notes": plan.notes,
                "written": !args.diff,
            });
            serde_json::to_writer_pretty(&mut *stdout, &json)?;
            writeln!(stdout)?;
        }
    }
    stdout.flush()?;
    Ok(())
}

fn summary(plan: &Plan, dry_run: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    for route in &plan.routes {
        let arrow = route
            .target
            .as_deref()
            .map(|t| format!(" -> {t}"))
            .unwrap_or_default();
        let methods = if route.methods.is_empty() {
            String::new()
        } else {
            format!(" ({})", route.methods.join(", "))
        };
        let outcome = match route.outcome {
            Outcome::Idiomatic => "idiomatic",
            Outcome::Adapter => "adapter",
            Outcome::Manual => "manual",
            Outcome::Module => "module",
        };
        writeln!(out, "{outcome:<9} {}{arrow}{methods}", route.file)?;
        for reason in &route.reasons {
            writeln!(out, "          - {reason}")?;
        }
        for difference in &route.differences {
            writeln!(out, "          ~ {difference}")?;
        }
    }
    for note in &plan.notes {
        writeln!(out, "note: {note}")?;
    }
    let count = |o: Outcome| plan.routes.iter().filter(|r| r.outcome == o).count();
    let verb = if dry_run { "would change" } else { "changed" };
    writeln!(
        out,
        "{} route(s): {} idiomatic, {} through the adapter, {} manual, {} module(s) that routes import; {verb} {} file(s)",
        plan.routes.len(),
        count(Outcome::Idiomatic),
        count(Outcome::Adapter),
        count(Outcome::Manual),
        count(Outcome::Module),
        plan.changes.len()
    )?;
    Ok(())
}

/// Files with uncommitted changes (untracked ones included: deleting those loses them for
/// good) are not touched without `--allow-dirty`. Outside a git repository nothing is checked.
/// One `git status` per repository, whatever the number of files.
fn refuse_dirty(plan: &Plan) -> anyhow::Result<()> {
    let mut dirty_by_repo: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    let mut dirty = Vec::new();
    for change in &plan.changes {
        let (FileChange::Delete { path, .. } | FileChange::Modify { path, .. }) = change else {
            continue;
        };
        let Some(dir) = path.parent() else { continue };
        if !dirty_by_repo.iter().any(|(top, _)| path.starts_with(top)) {
            let Some(repo) = repository_status(dir) else {
                continue;
            };
            dirty_by_repo.push(repo);
        }
        let Some((_, files)) = dirty_by_repo.iter().find(|(top, _)| path.starts_with(top)) else {
            continue;
        };
        if files.iter().any(|f| f == path) {
            dirty.push(display(path));
        }
    }
    if !dirty.is_empty() {
        bail!(
            "these files have uncommitted changes: {}\nhelp: commit or stash them first, or pass --allow-dirty",
            dirty.join(", ")
        );
    }
    Ok(())
}

/// The repository's top folder and the files `git status` lists as changed or untracked.
fn repository_status(dir: &Path) -> Option<(PathBuf, Vec<PathBuf>)> {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
    };
    let top = git(&["rev-parse", "--show-toplevel"]).filter(|o| o.status.success())?;
    let top = PathBuf::from(String::from_utf8_lossy(&top.stdout).trim())
        .canonicalize()
        .ok()?;
    let status = git(&["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        .filter(|o| o.status.success())?;
    // Entries are `XY path`, NUL-separated; a rename adds its old path as the next entry.
    let files = status
        .stdout
        .split(|b| *b == 0)
        .filter(|entry| entry.len() > 3)
        .map(|entry| top.join(String::from_utf8_lossy(&entry[3..]).as_ref()))
        .collect();
    Some((top, files))
}

fn write_changes(plan: &Plan) -> anyhow::Result<()> {
    for change in &plan.changes {
        if let FileChange::Create { path, text, .. } = change {
            write_new(path, text).with_context(|| format!("cannot write {}", display(path)))?;
        }
    }
    for change in &plan.changes {
        if let FileChange::Modify { path, old, text } = change {
            replace(path, old, text).with_context(|| format!("cannot write {}", display(path)))?;
        }
    }
    for change in &plan.changes {
        if let FileChange::Delete { path, .. } = change {
            std::fs::remove_file(path)
                .with_context(|| format!("cannot remove {}", display(path)))?;
        }
    }
    Ok(())
}

/// Replaces the text of `path`, still `old`, by `text`: written beside it and renamed over it
/// (killed midway, the file is old or new, never half).
fn replace(path: &Path, old: &str, text: &str) -> anyhow::Result<()> {
    if std::fs::read_to_string(path)? != old {
        bail!("it changed while apply ran: not overwritten");
    }
    let dir = path.parent().context("no parent folder")?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        file.as_file().set_permissions(meta.permissions())?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `text` to a temporary file beside `path` and renames it into place, refusing to
/// replace a file that appeared meanwhile.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().context("no parent folder")?;
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}
