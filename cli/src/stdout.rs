//! Standard output for reports: buffered once, by us.
//!
//! `std::io::stdout()` is line-buffered: every write is searched backwards for its last newline
//! before it is passed on. A one-line JSON report of a large project has none, so each 64 KiB
//! write was scanned in full for nothing (tens of megabytes on 20,000 routes). A duplicate of
//! the descriptor, as a `File`, takes the writes as they are.

use std::io::{BufWriter, Write};

/// How many bytes are gathered before each write to the terminal, pipe or file.
const BUFFER_BYTES: usize = 1 << 16;

/// A buffered writer to standard output; flush it before the process ends.
pub fn buffered() -> BufWriter<Box<dyn Write>> {
    BufWriter::with_capacity(BUFFER_BYTES, unbuffered())
}

/// `result`, except that a write refused because the reader went away (`migrate … | head`)
/// is not an error: nothing more of the output was wanted.
pub fn unless_reader_gone(result: anyhow::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(error) if reader_gone(&error) => Ok(()),
        other => other,
    }
}

fn reader_gone(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(unix)]
fn unbuffered() -> Box<dyn Write> {
    use std::os::fd::AsFd;
    // Nothing was printed before the report, so no line-buffered text can be left behind.
    match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(std::fs::File::from(fd)),
        Err(_) => Box::new(std::io::stdout()),
    }
}

#[cfg(not(unix))]
fn unbuffered() -> Box<dyn Write> {
    Box::new(std::io::stdout())
}
