//! Edits as byte ranges spliced into the original text (ruff's model): the text between edits
//! is copied verbatim, so everything a rewrite does not touch stays byte-identical.

use crate::diagnostic::TextRange;

/// Replace `range` of the original text with `text` (an insertion when the range is empty, a
/// deletion when the text is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub text: String,
}

impl Edit {
    pub fn replacement(range: TextRange, text: impl Into<String>) -> Self {
        Edit {
            range,
            text: text.into(),
        }
    }

    pub fn deletion(range: TextRange) -> Self {
        Edit::replacement(range, "")
    }

    pub fn insertion(at: u32, text: impl Into<String>) -> Self {
        Edit::replacement(TextRange::new(at, at), text)
    }
}

/// Two edits touch the same bytes: the rewrite that made them is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error: overlapping edits at bytes {first:?} and {second:?}")]
pub struct OverlappingEdits {
    pub first: TextRange,
    pub second: TextRange,
}

/// Applies `edits` to `text`. Insertions at the same offset keep their order.
pub fn splice(text: &str, mut edits: Vec<Edit>) -> Result<String, OverlappingEdits> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut copied = 0u32;
    let mut previous: Option<TextRange> = None;
    for edit in &edits {
        if edit.range.start < copied {
            return Err(OverlappingEdits {
                first: previous.unwrap_or(edit.range),
                second: edit.range,
            });
        }
        out.push_str(&text[copied as usize..edit.range.start as usize]);
        out.push_str(&edit.text);
        copied = edit.range.end;
        previous = Some(edit.range);
    }
    out.push_str(&text[copied as usize..]);
    Ok(out)
}

/// `text` written with `old`'s line endings: when every line of `old` ends in `\r\n`, so does
/// every line of `text` (the code a rewrite inserts is written with `\n`). A file with mixed
/// or `\n` endings keeps `text` as it is. No line break of `old` is bare, so every bare one
/// in `text` is new; inside a template literal `\r\n` reads as `\n`, so none changes meaning.
pub fn with_line_endings_of(old: &str, text: String) -> String {
    let breaks = memchr::memchr_iter(b'\n', old.as_bytes()).count();
    let crlf = memchr::memmem::find_iter(old.as_bytes(), b"\r\n").count();
    if crlf == 0 || crlf != breaks {
        return text;
    }
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut after_cr = false;
    for c in text.chars() {
        if c == '\n' && !after_cr {
            out.push('\r');
        }
        after_cr = c == '\r';
        out.push(c);
    }
    out
}

/// Whether the line that ends just before `start` (at a line's start) is blank, and if so how
/// long its line break is (`\n` or `\r\n`).
fn blank_line_before(bytes: &[u8], start: usize) -> Option<usize> {
    let before = &bytes[..start];
    if before.ends_with(b"\n\r\n") || before == b"\r\n" {
        Some(2)
    } else if before.ends_with(b"\n\n") || before == b"\n" {
        Some(1)
    } else {
        None
    }
}

/// The range of a whole statement together with the line break after it, when the statement
/// is alone on its lines: deleting it then leaves no blank line behind.
pub fn statement_with_line(text: &str, statement: TextRange) -> TextRange {
    line_range(text, statement, true)
}

/// [`statement_with_line`] without touching the blank lines around: for a deletion next to
/// which something is inserted.
pub fn statement_line(text: &str, statement: TextRange) -> TextRange {
    line_range(text, statement, false)
}

fn line_range(text: &str, statement: TextRange, tidy_blank_lines: bool) -> TextRange {
    let bytes = text.as_bytes();
    let mut start = statement.start as usize;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    let at_line_start = start == 0 || bytes[start - 1] == b'\n';
    let mut end = statement.end as usize;
    while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
        end += 1;
    }
    let at_line_end = end == bytes.len() || bytes[end] == b'\n' || bytes[end] == b'\r';
    if !(at_line_start && at_line_end) {
        return statement;
    }
    if end < bytes.len() && bytes[end] == b'\r' {
        end += 1;
    }
    if end < bytes.len() && bytes[end] == b'\n' {
        end += 1;
    }
    if !tidy_blank_lines {
        return TextRange::new(start as u32, end as u32);
    }
    // Between blank lines (or at the top of the file), one blank line goes too; at the end of
    // the file, the blank line before it.
    let blank = blank_line_before(bytes, start);
    if let (true, Some(line_break)) = (end == bytes.len(), blank) {
        return TextRange::new((start - line_break) as u32, end as u32);
    }
    let blank_before = start == 0 || blank.is_some();
    if blank_before {
        if bytes[end..].starts_with(b"\r\n") {
            end += 2;
        } else if bytes[end..].starts_with(b"\n") {
            end += 1;
        }
    }
    TextRange::new(start as u32, end as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_between_untouched_text() {
        let text = "abcdef";
        let edits = vec![
            Edit::replacement(TextRange::new(4, 5), "E"),
            Edit::insertion(0, ">"),
            Edit::deletion(TextRange::new(1, 3)),
        ];
        assert_eq!(splice(text, edits).unwrap(), ">adEf");
    }

    #[test]
    fn refuses_overlaps() {
        let edits = vec![
            Edit::deletion(TextRange::new(0, 3)),
            Edit::deletion(TextRange::new(2, 4)),
        ];
        assert!(splice("abcdef", edits).is_err());
    }

    /// With `\n` and with `\r\n` line endings alike.
    #[test]
    fn statement_deletion_takes_its_line() {
        let deleted = |text: &str, statement: &str| {
            let start = text.find(statement).unwrap() as u32;
            let range =
                statement_with_line(text, TextRange::new(start, start + statement.len() as u32));
            text[range.start as usize..range.end as usize].to_owned()
        };
        for nl in ["\n", "\r\n"] {
            let text = format!("a;{nl}  export default h;{nl}b;{nl}");
            assert_eq!(
                deleted(&text, "export default h;"),
                format!("  export default h;{nl}")
            );
            // Between blank lines, one of them goes with it.
            let text = format!("a;{nl}{nl}export const config = {{}};{nl}{nl}b;{nl}");
            assert_eq!(
                deleted(&text, "export const config = {};"),
                format!("export const config = {{}};{nl}{nl}")
            );
            // Last in the file: the blank line before it goes.
            let text = format!("a;{nl}{nl}export default h;{nl}");
            assert_eq!(
                deleted(&text, "export default h;"),
                format!("{nl}export default h;{nl}")
            );
        }
        // Not alone on its line: only the statement goes.
        let text = "a; export default h; b;";
        assert_eq!(
            statement_with_line(text, TextRange::new(3, 20)),
            TextRange::new(3, 20)
        );
    }

    #[test]
    fn inserted_lines_take_the_file_s_crlf_endings() {
        let crlf = "a\r\nb\r\n";
        assert_eq!(
            with_line_endings_of(crlf, "a\r\nb\r\nnew\nlines\n".to_owned()),
            "a\r\nb\r\nnew\r\nlines\r\n"
        );
        // Mixed or `\n` files: as written.
        for old in ["a\r\nb\n", "a\nb\n", "one line"] {
            assert_eq!(with_line_endings_of(old, "x\ny\n".to_owned()), "x\ny\n");
        }
    }
}
