//! Unified diffs of planned changes (`similar`), with paths relative to the working directory;
//! colour only on a terminal. A route file made from a `pages/api` file is shown as git shows
//! a rename (or a copy, under `--keep-pages`): only the lines that change, which is what a
//! reviewer needs to see, and what `git apply` accepts.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use migrate_rewrite::apply::{display, FileChange};
use rayon::prelude::*;
use similar::TextDiff;

pub fn write_all(changes: &[FileChange], color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let renamed: HashSet<&Path> = changes
        .iter()
        .filter_map(|change| match change {
            FileChange::Create {
                from: Some(from), ..
            } => Some(from.path.as_path()),
            _ => None,
        })
        .collect();
    let deleted: HashSet<&Path> = changes
        .iter()
        .filter_map(|change| match change {
            FileChange::Delete { path, .. } => Some(path.as_path()),
            FileChange::Create { .. } | FileChange::Modify { .. } => None,
        })
        .collect();
    // Each file's diff is computed on its own, in parallel (a large migration diffs thousands
    // of files), a batch at a time, and written in order.
    for batch in changes.chunks(1024) {
        let texts: Vec<Vec<u8>> = batch
            .par_iter()
            .map(|change| {
                let mut text = Vec::new();
                write_one(change, &renamed, &deleted, color, &mut text)?;
                Ok(text)
            })
            .collect::<std::io::Result<_>>()?;
        for text in texts {
            out.write_all(&text)?;
        }
    }
    Ok(())
}

/// One planned change as a git diff.
fn write_one(
    change: &FileChange,
    renamed: &HashSet<&Path>,
    deleted: &HashSet<&Path>,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match change {
        FileChange::Create {
            path,
            text,
            from: Some(from),
        } => {
            let (old, new) = (display(&from.path), display(path));
            let verb = if deleted.contains(from.path.as_path()) {
                "rename"
            } else {
                "copy"
            };
            let header =
                format!("diff --git a/{old} b/{new}\n{verb} from {old}\n{verb} to {new}\n");
            write_diff(&header, &from.text, text, (&old, &new), color, out)?;
        }
        FileChange::Create { path, text, .. } => {
            let new = display(path);
            let header = format!("diff --git a/{new} b/{new}\nnew file mode 100644\n");
            write_diff(&header, "", text, ("", &new), color, out)?;
        }
        FileChange::Modify { path, old, text } => {
            let name = display(path);
            let header = format!("diff --git a/{name} b/{name}\n");
            write_diff(&header, old, text, (&name, &name), color, out)?;
        }
        FileChange::Delete { path, .. } if renamed.contains(path.as_path()) => {}
        FileChange::Delete { path, old } => {
            let gone = display(path);
            let header = format!("diff --git a/{gone} b/{gone}\ndeleted file mode 100644\n");
            write_diff(&header, old, "", (&gone, ""), color, out)?;
        }
    }
    Ok(())
}

/// One file's diff: the git header, then the unified hunks (none when only the name changes).
/// An empty name stands for `/dev/null`.
fn write_diff(
    header: &str,
    old: &str,
    new: &str,
    (old_name, new_name): (&str, &str),
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    paint(header, Some("1"), color, out)?;
    if old == new {
        return Ok(());
    }
    let name = |prefix: &str, name: &str| {
        if name.is_empty() {
            "/dev/null".to_owned()
        } else {
            format!("{prefix}/{name}")
        }
    };
    // `TextDiff::from_lines`, with the lines found by `memchr` rather than a char at a time
    // (the same lines: each ends after `\n`, `\r\n` or a lone `\r`).
    let (old_lines, new_lines) = (lines(old), lines(new));
    let diff = TextDiff::configure()
        .newline_terminated(true)
        .diff_slices(&old_lines, &new_lines);
    let text = diff
        .unified_diff()
        .header(&name("a", old_name), &name("b", new_name))
        .to_string();
    for line in text.split_inclusive('\n') {
        let code = if line.starts_with("+++") || line.starts_with("---") {
            Some("1")
        } else if line.starts_with('+') {
            Some("32")
        } else if line.starts_with('-') {
            Some("31")
        } else if line.starts_with("@@") {
            Some("36")
        } else {
            None
        };
        paint(line, code, color, out)?;
    }
    if !text.ends_with('\n') && !text.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// `text` split after each line break, the breaks kept, as `similar` splits lines.
fn lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut lines = Vec::with_capacity(bytes.len() / 32 + 1);
    let mut start = 0;
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if at < start {
            // The `\n` of a `\r\n` already taken.
            continue;
        }
        let end = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        lines.push(&text[start..end]);
        start = end;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

fn paint(text: &str, code: Option<&str>, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    match code.filter(|_| color) {
        Some(code) => {
            for line in text.lines() {
                writeln!(out, "\x1b[{code}m{line}\x1b[0m")?;
            }
            Ok(())
        }
        None => out.write_all(text.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use similar::DiffableStr;

    #[test]
    fn lines_are_split_as_similar_splits_them() {
        for text in [
            "",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\rc\n\n",
            "\r\r\n\n\r",
            "é\nü\r\n",
        ] {
            assert_eq!(super::lines(text), text.tokenize_lines(), "{text:?}");
        }
    }
}
