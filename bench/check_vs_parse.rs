//! Benchmark: `migrate check` and `migrate apply --diff` on a synthetic project of 20,000
//! handlers against the bar, a swc parse-only pass over the same files on the same threads.
//! Prints wall times and ratios. Every round runs each measurement once in turn, so that a
//! slow spell of a shared machine slows both sides of a ratio rather than one; each line gives
//! the best time over the rounds, its ratio to the bar's best, and the median over the rounds
//! of the ratio to the bar's time in the same round (the steadier of the two).
//!
//!     cargo bench --bench check_vs_parse            # 20,000 handlers, 2 threads
//!     cargo bench --bench check_vs_parse -- 5000 4  # handlers, threads
//!
//! With `MIGRATE_BENCH_DIR=/some/dir` the project is generated there and kept (for profiling).
//! `bench/instructions.sh` counts instructions instead, which this shared machine's clock
//! cannot measure steadily; it runs this binary as `… corpus DIR N` and `… parse DIR`.
//!
//! The handlers rotate through the shapes real projects have (plain, switch, if/else, guard,
//! wrapped, helpers taking `res`, next-connect, edge, webhooks with `bodyParser: false`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rayon::prelude::*;

#[path = "shared.rs"]
mod shared;

// The same allocator as the `migrate` binary, for both sides of the comparison.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TEMPLATES: &[&str] = &[
    "import type { NextApiRequest, NextApiResponse } from 'next'\n\nexport default function handler(req: NextApiRequest, res: NextApiResponse) {\n  res.status(200).json({ name: 'John Doe', id: NUM })\n}\n",
    "import type { NextApiRequest, NextApiResponse } from 'next'\nimport { db } from '../../../lib/db'\n\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  const { id } = req.query\n  switch (req.method) {\n    case 'GET': {\n      const item = await db.find(id as string)\n      if (!item) return res.status(404).json({ error: 'not found' })\n      return res.status(200).json(item)\n    }\n    case 'PUT':\n      return res.status(200).json(await db.update(id as string, req.body))\n    case 'DELETE':\n      await db.remove(id as string)\n      return res.status(204).end()\n    default:\n      res.setHeader('Allow', ['GET', 'PUT', 'DELETE'])\n      return res.status(405).end(`Method ${req.method} Not Allowed`)\n  }\n}\n",
    "import type { NextApiRequest, NextApiResponse } from 'next'\n\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  if (req.method === 'GET') {\n    const page = Number(req.query.page ?? 1)\n    res.status(200).json({ page, items: [] })\n  } else if (req.method === 'POST') {\n    const { email, name } = req.body\n    if (!email) return res.status(400).json({ error: 'email required' })\n    res.status(201).json({ email, name })\n  } else {\n    res.status(405).json({ error: 'Method not allowed' })\n  }\n}\n",
    "import type { NextApiHandler } from 'next'\nimport { withAuth } from '../../../lib/auth'\n\nconst handler: NextApiHandler = async (req, res) => {\n  if (req.method !== 'POST') return res.status(405).end()\n  const token = req.headers.authorization?.split(' ')[1]\n  res.json({ ok: true, token, user: (req as any).user, n: NUM })\n}\n\nexport default withAuth(handler, { role: 'admin' })\n",
    "import type { NextApiRequest, NextApiResponse } from 'next'\nimport { cors, ok, fail } from '../../../lib/http'\n\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  await cors(req, res)\n  if (req.method === 'OPTIONS') return res.status(200).end()\n  if (!req.body?.message) return fail(res, 400, 'message is required')\n  ok(res, { received: NUM, from: req.headers['x-forwarded-for'], session: req.cookies.session })\n}\n",
    "import type { NextApiRequest, NextApiResponse } from 'next'\nimport { createRouter } from 'next-connect'\n\nconst router = createRouter<NextApiRequest, NextApiResponse>()\n\nrouter\n  .use(async (req, res, next) => { await next() })\n  .get((req, res) => { res.json({ n: NUM }) })\n  .post((req, res) => { res.status(201).json(req.body) })\n\nexport default router.handler()\n",
    "import type { NextRequest } from 'next/server'\n\nexport const config = { runtime: 'edge' }\n\nexport default async function handler(req: NextRequest) {\n  const { searchParams } = new URL(req.url)\n  if (req.method !== 'GET') return new Response(null, { status: 405 })\n  return new Response(JSON.stringify({ q: searchParams.get('q'), n: NUM }), { headers: { 'content-type': 'application/json' } })\n}\n",
    "import type { NextApiRequest, NextApiResponse } from 'next'\nimport { buffer } from 'micro'\n\nexport const config = { api: { bodyParser: false } }\n\nexport default async function handler(req: NextApiRequest, res: NextApiResponse) {\n  if (req.method !== 'POST') {\n    res.setHeader('Allow', 'POST')\n    return res.status(405).end('Method Not Allowed')\n  }\n  const buf = await buffer(req)\n  const sig = req.headers['stripe-signature']\n  res.json({ received: true, size: buf.length, sig, n: NUM })\n}\n",
];

/// What real handler files carry besides the handler: types, constants, a validation helper,
/// comments. Appended in the second corpus so files have a realistic size (the reference bar,
/// 0.47 s to parse 20,000 real handlers on 2 threads, implies files of this order).
const HELPERS: &str = r"
/**
 * Validates and normalises the input of this endpoint. Kept next to the handler, as most
 * projects do; it touches neither `req` nor `res`.
 */
interface Input {
  id?: string
  email?: string
  page?: number
  tags?: string[]
}

const LIMITS = { maxTags: 10, maxPage: 500, emailPattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/ } as const

function normalise(raw: Record<string, unknown>): Input {
  const out: Input = {}
  if (typeof raw.id === 'string' && raw.id.length > 0) out.id = raw.id.trim()
  if (typeof raw.email === 'string' && LIMITS.emailPattern.test(raw.email)) out.email = raw.email.toLowerCase()
  const page = Number(raw.page ?? 1)
  out.page = Number.isFinite(page) ? Math.min(Math.max(1, Math.floor(page)), LIMITS.maxPage) : 1
  if (Array.isArray(raw.tags)) {
    out.tags = raw.tags.filter((t): t is string => typeof t === 'string').slice(0, LIMITS.maxTags)
  }
  return out
}

function describe(input: Input): string {
  const parts = [input.id && `id=${input.id}`, input.email && `email=${input.email}`, `page=${input.page ?? 1}`]
  return parts.filter(Boolean).join('&')
}
";

/// Rounds of every measurement: the machine is shared and noisy.
// Fifteen, not nine: with nine, one run's best ratio and its median paired ratio differed by
// as much as 0.44 on this machine, more than the distance to the 1.5x target.
const RUNS: usize = 15;

fn generate(root: &Path, handlers: usize, helpers: bool) -> Vec<PathBuf> {
    std::fs::write(
        root.join("package.json"),
        r#"{ "dependencies": { "next": "16.4.6" } }"#,
    )
    .unwrap();
    let mut files = Vec::with_capacity(handlers);
    for i in 0..handlers {
        let dir = root.join(format!("pages/api/g{}", i % 200));
        std::fs::create_dir_all(&dir).unwrap();
        let name = if i % 5 == 0 {
            format!("[id{i}].ts")
        } else {
            format!("h{i}.ts")
        };
        let path = dir.join(if i % 5 == 0 {
            format!("d{i}/{name}")
        } else {
            name
        });
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = TEMPLATES[i % TEMPLATES.len()].replace("NUM", &i.to_string());
        if helpers {
            text.push_str(HELPERS);
        }
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    // Folder by folder, as `check` reads them (it sorts its files by path). In the order they
    // were written, one file per folder in turn across 200 folders, the bar measured up to a
    // fifth slower than the bar plus the directory walk, which reads them folder by folder:
    // a bar that slow flatters every ratio.
    files.sort();
    files
}

/// The bar: read and parse every file with swc, nothing else. Split as finely as `check`
/// splits its files (rayon would otherwise leave a long sequential run to one thread at the
/// end, and the bar would measure that rather than parsing).
fn parse_only(files: &[PathBuf]) -> usize {
    files
        .par_iter()
        .with_max_len(4)
        .map(|path| shared::parse_file(path))
        .sum()
}

/// The bar plus finding the files: list the tree, then read and parse every handler.
fn walk_and_parse(root: &Path) -> usize {
    parse_only(&shared::corpus_files(root))
}

/// One measurement against the bar (the first): its best time, the ratio of the best times,
/// and the median of its paired ratios to the bar ([`shared::median_ratio`]).
struct Figure {
    best: Duration,
    best_ratio: f64,
    median_ratio: f64,
}

fn figures(times: &[Vec<Duration>]) -> Vec<Figure> {
    let best = |t: &[Duration]| t.iter().copied().min().expect("at least one round");
    let bar = &times[0];
    times
        .iter()
        .map(|t| Figure {
            best: best(t),
            best_ratio: best(t).as_secs_f64() / best(bar).as_secs_f64(),
            median_ratio: shared::median_ratio(t, bar),
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    // For `bench/instructions.sh` and profiling: write the corpus with helpers (`corpus`) or the
    // compact one (`compact-corpus`), or parse a tree once on one thread, and nothing else.
    match args.first().map(String::as_str) {
        Some(corpus @ ("corpus" | "compact-corpus")) => {
            let handlers = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2_000);
            generate(Path::new(&args[1]), handlers, corpus == "corpus");
            return;
        }
        Some("parse") => {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build_global()
                .unwrap();
            println!("{} files parsed", walk_and_parse(Path::new(&args[1])));
            return;
        }
        _ => {}
    }
    let handlers: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let threads: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .unwrap();
    std::env::set_var("RAYON_NUM_THREADS", threads.to_string());

    for helpers in [false, true] {
        measure(handlers, threads, helpers);
    }
}

fn measure(handlers: usize, threads: usize, helpers: bool) {
    let temp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("MIGRATE_BENCH_DIR").map(PathBuf::from);
    let root = kept.clone().unwrap_or_else(|| temp.path().to_owned());
    if let Some(kept) = &kept {
        let _ = std::fs::remove_dir_all(kept);
        std::fs::create_dir_all(kept).unwrap();
    }
    let files = generate(&root, handlers, helpers);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let corpus = if helpers {
        "handlers with their helpers and types"
    } else {
        "compact handlers"
    };
    println!(
        "\n{corpus}: {handlers} files, {} bytes on average, {threads} threads",
        bytes / handlers as u64
    );

    let binary = env!("CARGO_BIN_EXE_migrate");
    let run_binary = |args: &[&str]| {
        std::process::Command::new(binary)
            .args(args)
            .current_dir(&root)
            .env("RAYON_NUM_THREADS", threads.to_string())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
    };
    let times = shared::rotated_rounds(
        RUNS,
        &mut [
            &mut || assert_eq!(parse_only(&files), handlers, "every handler parses"),
            &mut || assert_eq!(walk_and_parse(&root), handlers),
            &mut || {
                let report = migrate_rewrite::check::check(&root).unwrap();
                assert_eq!(report.routes.len(), handlers);
            },
            &mut || {
                let status = run_binary(&["check", ".", "--format", "json", "--fail-on", "never"]);
                assert!(status.success());
            },
            &mut || {
                let status = run_binary(&[
                    "check",
                    ".",
                    "--format",
                    "json-pretty",
                    "--fail-on",
                    "never",
                ]);
                assert!(status.success());
            },
            &mut || {
                let plan = migrate_rewrite::apply::plan(
                    std::slice::from_ref(&root),
                    migrate_rewrite::apply::Options::default(),
                )
                .unwrap();
                assert_eq!(plan.routes.len(), handlers);
            },
            &mut || {
                // 1: there are changes to make; 0: none.
                let status = run_binary(&["apply", ".", "--diff"]);
                assert!(matches!(status.code(), Some(0 | 1)), "{status}");
            },
        ],
    );
    let figures = figures(&times);
    println!(
        "{:52} {:>10}   {:>7}   {:>13}",
        "", "best", "ratio", "median ratio"
    );
    let labels = [
        "swc parse only",
        "walk + swc parse",
        "migrate check (library)",
        "migrate check --format json (binary, incl. output)",
        "migrate check --format json-pretty (binary)",
        "migrate apply (library plan)",
        "migrate apply --diff (binary, incl. diffs)",
    ];
    for (label, figure) in labels.iter().zip(&figures) {
        println!(
            "{label:52} {:>8.3} s   {:>6.2}x   {:>12.2}x",
            figure.best.as_secs_f64(),
            figure.best_ratio,
            figure.median_ratio
        );
    }
    print_outcomes(&root);
    match peak_memory_kib(binary, &root, threads) {
        Some(kib) => println!(
            "{:52} {:>6} MiB",
            "migrate check --format json peak memory (max RSS)",
            kib / 1024
        ),
        None => println!("peak memory: unavailable (needs GNU time at /usr/bin/time)"),
    }
}

/// What `migrate apply` does with the routes of the corpus.
fn print_outcomes(root: &Path) {
    let plan = migrate_rewrite::apply::plan(
        &[root.to_owned()],
        migrate_rewrite::apply::Options::default(),
    )
    .unwrap();
    let outcomes =
        |o: migrate_rewrite::apply::Outcome| plan.routes.iter().filter(|r| r.outcome == o).count();
    println!(
        "apply outcomes: {} idiomatic, {} adapter, {} manual",
        outcomes(migrate_rewrite::apply::Outcome::Idiomatic),
        outcomes(migrate_rewrite::apply::Outcome::Adapter),
        outcomes(migrate_rewrite::apply::Outcome::Manual)
    );
}

/// The binary's peak resident memory in KiB, as GNU time reports it (`%M`).
fn peak_memory_kib(binary: &str, root: &Path, threads: usize) -> Option<u64> {
    let output = std::process::Command::new("/usr/bin/time")
        .args([
            "-f",
            "%M",
            binary,
            "check",
            ".",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .current_dir(root)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .stdout(std::process::Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}
