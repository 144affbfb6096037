//! Unified diffs of planned changes (`similar`), with paths relative to the working directory;
//! colour only on a terminal.

use std::io::Write;

use migrate_rewrite::apply::{display, FileChange};
use similar::TextDiff;

pub fn write(change: &FileChange, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let path = display(change.path());
    let (old, new, old_name, new_name) = match change {
        FileChange::Create { text, .. } => (
            "",
            text.as_str(),
            "/dev/null".to_owned(),
            format!("b/{path}"),
        ),
        FileChange::Delete { old, .. } => (
            old.as_str(),
            "",
            format!("a/{path}"),
            "/dev/null".to_owned(),
        ),
    };
    let diff = TextDiff::from_lines(old, new);
    let text = diff.unified_diff().header(&old_name, &new_name).to_string();
    for line in text.split_inclusive('\n') {
        let paint = if !color || line.starts_with("+++") || line.starts_with("---") {
            None
        } else if line.starts_with('+') {
            Some("32")
        } else if line.starts_with('-') {
            Some("31")
        } else if line.starts_with("@@") {
            Some("36")
        } else {
            None
        };
        match paint {
            Some(code) => writeln!(out, "\x1b[{code}m{}\x1b[0m", line.trim_end_matches('\n'))?,
            None => out.write_all(line.as_bytes())?,
        }
    }
    if !text.ends_with('\n') && !text.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}
