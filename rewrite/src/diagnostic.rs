//! The diagnostic model: what every finding carries, independent of the parser and of the
//! output format (ruff keeps this in `ruff_diagnostics` for the same reason).

use serde::Serialize;

pub use crate::diagnostic_codes::Code;

/// How serious a finding is. Ordered, so `--fail-on` is one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; changes nothing by itself.
    Info,
    /// The migration changes behaviour here, or needs a person's decision.
    Warning,
    /// Next.js rejects this, or we could not read the file.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How a Pages API route can be moved to the App Router. Ordered from least to most work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// An idiomatic route handler can be generated.
    Auto,
    /// It can be moved faithfully only through a compatibility adapter.
    Adapter,
    /// It needs a person.
    Manual,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Auto => "auto",
            Verdict::Adapter => "adapter",
            Verdict::Manual => "manual",
        }
    }

    /// The verdict a set of diagnostics adds up to.
    pub fn of(diagnostics: &[Diagnostic]) -> Verdict {
        diagnostics
            .iter()
            .map(|d| d.code.verdict_floor())
            .max()
            .unwrap_or(Verdict::Auto)
    }
}

/// A half-open byte range into a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: u32, end: u32) -> Self {
        Self { start, end }
    }

    /// The empty range at the start of a file, for findings about a whole file.
    pub fn file_start() -> Self {
        Self::default()
    }
}

/// A message or help text: most are fixed sentences, which a report of 20,000 routes then
/// holds once instead of once per finding.
pub type Text = std::borrow::Cow<'static, str>;

/// One finding: a stable code, where it is, what it means and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub range: TextRange,
    pub message: Text,
    pub help: Option<Text>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, range: TextRange, message: impl Into<Text>) -> Self {
        Self {
            code,
            severity: code.default_severity(),
            range,
            message: message.into(),
            help: code.default_help().map(Text::Borrowed),
        }
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<Text>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}
