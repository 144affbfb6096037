//! Command-line arguments. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Move Next.js API routes from the Pages Router to the App Router.
#[derive(Debug, Parser)]
#[command(name = "migrate", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report every API route of both routers, what migrating each one takes, and where the
    /// routers collide. Exits 1 when a finding reaches `--fail-on`.
    Check(CheckArgs),
    /// Move `pages/api` routes to App Router route handlers: each becomes an
    /// `app/**/route.<ext>` file that answers as before. Exits 1 with `--diff` when there
    /// would be changes, and otherwise when a selected route needs a person.
    Apply(ApplyArgs),
    /// Run the project's Pages API routes and App route handlers side by side (with Node.js),
    /// the App version winning where both define a path. Collisions are printed at start-up and
    /// served at `/__migrate` and `/__migrate/routes`.
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Port to listen on.
    #[arg(short, long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on (loopback unless told otherwise).
    #[arg(short = 'H', long, default_value = "127.0.0.1")]
    pub hostname: String,
    /// Node.js worker processes (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Seconds a handler may take to start answering before it gets a 504 and its worker is
    /// recycled.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Largest request body forwarded to a handler, in bytes.
    #[arg(long, default_value_t = 100 * 1024 * 1024)]
    pub max_body: usize,
    /// For paths both routers define, also run the Pages version on a copy of each GET, HEAD
    /// and OPTIONS request and log where its answer differs from the App version's.
    #[arg(long)]
    pub shadow: bool,
    /// With `--shadow`, mirror every method (handlers then run twice: only against test data).
    #[arg(long, requires = "shadow")]
    pub shadow_unsafe_methods: bool,
    /// Send requests no route matches to this server (e.g. `http://127.0.0.1:3001`, a `next
    /// dev` serving the pages), instead of answering 404.
    #[arg(long)]
    pub upstream: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Project directories, folders inside one (`pages/api/users`) or single route files.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Print unified diffs of what would change and write nothing.
    #[arg(long)]
    pub diff: bool,

    /// Leave each `pages/api` file beside its new route file (what `migrate serve` runs).
    #[arg(long)]
    pub keep_pages: bool,

    /// Touch files that have uncommitted changes in git.
    #[arg(long)]
    pub allow_dirty: bool,

    /// The Next.js major version to write for (default: the installed one, else the one
    /// `package.json` asks for). From 15, a route's `params` is a Promise.
    #[arg(long, value_name = "MAJOR")]
    pub next_version: Option<u32>,

    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Human, help_heading = "Output")]
    pub format: ApplyFormat,

    /// When to use colour in diffs and the summary.
    #[arg(long, value_enum, default_value_t = Color::Auto, help_heading = "Output")]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    /// Diffs (with `--diff`) and a summary, for people.
    Human,
    /// Per route: outcome, files, reasons and declared differences.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The project directory (or a directory containing several projects).
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, env = "MIGRATE_FORMAT", help_heading = "Output")]
    pub format: Format,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto, help_heading = "Output")]
    pub color: Color,

    /// Also show info-level findings in human and GitHub output (JSON and SARIF always include
    /// them).
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,

    /// The lowest severity that makes the run exit 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error, help_heading = "Exit status")]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames and a summary, for people.
    Human,
    /// The full report on one line (schema in docs/json-schema.md).
    Json,
    /// The same report, indented.
    JsonPretty,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    /// Never exit 1 for findings.
    Never,
}
