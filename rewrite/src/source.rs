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
        let mut line_starts = vec![0];
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

#[cfg(test)]
mod tests {
    use super::*;

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
