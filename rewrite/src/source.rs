//! Reading a file as text, with the guards hostile input needs, and mapping byte offsets to
//! line and column.

use std::path::Path;

/// Files larger than this are not parsed: no real handler is this big, and a generated or
/// vendored blob would only slow the run down.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Why a file could not be read as source text.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("file is {size} bytes, over the {limit}-byte limit for a source file")]
    TooLarge { size: u64, limit: u64 },
    #[error("file looks binary (it contains a NUL byte at offset {offset})")]
    Binary { offset: usize },
    #[error("file is not valid UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize },
}

impl LoadError {
    /// The byte offset the problem is at, where there is one.
    pub fn offset(&self) -> u32 {
        match self {
            LoadError::Binary { offset } | LoadError::NotUtf8 { offset } => *offset as u32,
            _ => 0,
        }
    }
}

/// Reads `path` as UTF-8 source text, refusing huge, binary and non-UTF-8 files. One open,
/// one `fstat`, one read: this runs once per handler and shows in the benchmark.
pub fn load(path: &Path) -> Result<String, LoadError> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    // `take` guards against a file that grows between the `fstat` and the read.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    if let Some(offset) = memchr::memchr(0, &bytes) {
        return Err(LoadError::Binary { offset });
    }
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Maps byte offsets to 1-based lines and columns (columns count Unicode code points, which is
/// what SARIF's `unicodeCodePoints` column kind and most editors expect).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // Room for lines of 32 bytes on average: most files need no second allocation.
        let mut line_starts = Vec::with_capacity(1 + text.len() / 32);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        Self { line_starts }
    }

    /// 1-based (line, column) of a byte offset; offsets past the end clamp to the end.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(text.len() as u32);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[start..end];
        // Most code is ASCII, where bytes are code points.
        let column = if before.is_ascii() {
            before.len()
        } else {
            before.chars().count()
        };
        (line as u32 + 1, column as u32 + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, line: u32) -> &'a str {
        let i = (line as usize)
            .saturating_sub(1)
            .min(self.line_starts.len() - 1);
        let start = self.line_starts[i] as usize;
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(text.len(), |&e| e as usize);
        text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// The lines and columns of the few offsets a file's report names (its findings and its
/// `req`/`res` uses), found in one pass over the text up to the last of them: a [`LineIndex`]
/// finds every line of the file first, which costs more than the handful of lookups a handler
/// file needs.
pub struct Positions {
    /// (offset, 1-based line, the offset its line starts at), by offset.
    known: Vec<(u32, u32, u32)>,
}

impl Positions {
    pub fn of(text: &str, offsets: impl IntoIterator<Item = u32>) -> Self {
        let mut wanted: Vec<u32> = offsets.into_iter().map(|o| on_char(text, o)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let bytes = text.as_bytes();
        let (mut line, mut line_start, mut scanned) = (1u32, 0u32, 0u32);
        let known = wanted
            .into_iter()
            .map(|offset| {
                let passed = &bytes[scanned as usize..offset as usize];
                // Counting bytes is vectorised; finding each line break is not.
                let breaks = bytecount::count(passed, b'\n') as u32;
                if breaks > 0 {
                    line += breaks;
                    line_start =
                        scanned + memchr::memrchr(b'\n', passed).map_or(0, |i| i as u32) + 1;
                }
                scanned = offset;
                (offset, line, line_start)
            })
            .collect();
        Self { known }
    }

    /// 1-based (line, column) of an offset given to [`Positions::of`], as [`LineIndex::line_col`]
    /// finds them.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let (offset, line, start) = self.position(text, offset);
        let before = &text[start as usize..offset as usize];
        let column = if before.is_ascii() {
            before.len()
        } else {
            before.chars().count()
        };
        (line, column as u32 + 1)
    }

    /// The text of the line an offset given to [`Positions::of`] is on, without its ending.
    pub fn line_text<'a>(&self, text: &'a str, offset: u32) -> &'a str {
        let (_, _, start) = self.position(text, offset);
        let rest = &text[start as usize..];
        let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
        rest[..end].trim_end_matches(['\n', '\r'])
    }

    fn position(&self, text: &str, offset: u32) -> (u32, u32, u32) {
        let offset = on_char(text, offset);
        let i = self
            .known
            .binary_search_by_key(&offset, |&(o, _, _)| o)
            .expect("the offset was given to Positions::of");
        self.known[i]
    }
}

/// `offset` clamped to the text and moved back to the start of the character it is in.
fn on_char(text: &str, offset: u32) -> u32 {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions finds what the line index finds, for every offset of texts with multi-byte
    /// characters, CRLF endings, empty lines and no final line break, and past the end.
    #[test]
    fn positions_agree_with_the_line_index() {
        for text in [
            "",
            "a",
            "\n",
            "ab\né x\n",
            "x\r\n\r\ny é\n\nzz",
            "€€\n€\n\n€",
        ] {
            let index = LineIndex::new(text);
            let offsets: Vec<u32> = (0..=text.len() as u32 + 2).rev().collect();
            let positions = Positions::of(text, offsets.iter().copied());
            for offset in offsets {
                let (line, column) = index.line_col(text, offset);
                assert_eq!(
                    positions.line_col(text, offset),
                    (line, column),
                    "{text:?} at {offset}"
                );
                assert_eq!(
                    positions.line_text(text, offset),
                    index.line_text(text, line),
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn line_and_column_count_code_points() {
        let text = "ab\né x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 3), (2, 1));
        // 'é' is two bytes: the 'x' after "é " is the third code point of line 2.
        assert_eq!(index.line_col(text, 6), (2, 3));
        assert_eq!(index.line_text(text, 2), "é x");
    }
}
