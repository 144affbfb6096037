//! Where `check`'s wall time goes, phase by phase, against the swc parse-only bar: each line adds
//! one stage of the per-file work (binding resolution, the analysis, keeping the results) or a
//! walk of every tree that does nothing, on the same files and threads. Prints, per line, the
//! median over the rounds of its time over the bar's in the same round (rounds start one
//! measurement later each time, as in `check_vs_parse`).
//!
//!     cargo bench --bench check_vs_parse -- corpus /tmp/corpus 20000   # write a corpus
//!     cargo bench --bench check_phases -- /tmp/corpus                   # 2 threads, 15 rounds
//!     cargo bench --bench check_phases -- /tmp/corpus 2 25              # threads, rounds

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use migrate_rewrite::analysis::{self, RouteContext};
use rayon::prelude::*;
use swc_common::BytePos;
use swc_ecma_parser::{Parser, StringInput, Syntax, TsSyntax};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

// The same allocator as the `migrate` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A walk of a whole tree that only counts identifiers: what a visitor costs by itself.
struct CountIdents(usize);

impl Visit for CountIdents {
    noop_visit_type!();

    fn visit_ident(&mut self, _: &swc_ecma_ast::Ident) {
        self.0 += 1;
    }
}

fn route() -> RouteContext<'static> {
    RouteContext {
        params: &[],
        next_major: Some(16),
        file: "bench",
    }
}

/// A labelled measurement: one pass over every file.
type Stage<'a> = (&'static str, Box<dyn Fn() + Sync + 'a>);

/// Each stage for every file, split as `check` splits its files.
fn each_file<T: Send>(files: &[PathBuf], stage: impl Fn(&Path) -> T + Sync) -> Vec<T> {
    files.par_iter().with_max_len(4).map(|p| stage(p)).collect()
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: check_phases CORPUS_DIR [THREADS] [ROUNDS] (see the file's docs)");
        return;
    };
    let threads: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2);
    let rounds: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(15);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .unwrap();
    let files = corpus_files(&root);

    let parse_only = |path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let input = StringInput::new(&text, BytePos(1), BytePos(1 + text.len() as u32));
        let mut parser = Parser::new(Syntax::Typescript(TsSyntax::default()), input, None);
        usize::from(parser.parse_program().is_ok())
    };
    let resolved = |path: &Path| {
        let text = migrate_rewrite::source::load(path).unwrap();
        migrate_rewrite::parse::parse(&text, "ts").unwrap()
    };
    let walked = |walks: usize| {
        move |path: &Path| {
            let parsed = resolved(path);
            let mut count = CountIdents(0);
            for _ in 0..walks {
                parsed.program.visit_with(&mut count);
            }
            count.0
        }
    };
    let analysed = |path: &Path| {
        let text = migrate_rewrite::source::load(path).unwrap();
        analysis::analyse_pages_api(&text, "ts", &route())
    };
    let stages: Vec<Stage> = vec![
        (
            "swc parse only (the bar)",
            Box::new(|| drop(each_file(&files, parse_only))),
        ),
        (
            "+ bindings resolved (our parse)",
            // Each tree is dropped as soon as it is made, as the bar's are.
            Box::new(|| {
                drop(each_file(&files, |p| {
                    usize::from(resolved(p).program.is_module())
                }));
            }),
        ),
        (
            "+ one walk of every tree",
            Box::new(|| drop(each_file(&files, walked(1)))),
        ),
        (
            "+ four walks of every tree",
            Box::new(|| drop(each_file(&files, walked(4)))),
        ),
        (
            "+ the analysis, results dropped",
            Box::new(|| {
                drop(each_file(&files, |p| analysed(p).uses.len()));
            }),
        ),
        (
            "+ the analysis, results kept",
            Box::new(|| {
                // Kept until the process ends, as `check` keeps its (smaller) reports.
                std::mem::forget(each_file(&files, analysed));
            }),
        ),
    ];

    print_medians(
        &stages,
        &rotated_rounds(&stages, rounds),
        threads,
        files.len(),
    );
}

/// The files of the corpus under `root/pages`.
fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(root.join("pages"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    assert!(!files.is_empty(), "no files under {}/pages", root.display());
    files
}

/// Every stage's time in each round, each round starting one stage later than the one before.
fn rotated_rounds(stages: &[Stage], rounds: usize) -> Vec<Vec<Duration>> {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); stages.len()];
    for round in 0..rounds {
        for i in (0..stages.len()).map(|k| (round + k) % stages.len()) {
            let start = Instant::now();
            (stages[i].1)();
            times[i].push(start.elapsed());
        }
    }
    times
}

/// For each stage, the median over the rounds of its time over the bar's (the first stage's) in
/// the same round.
fn print_medians(stages: &[Stage], times: &[Vec<Duration>], threads: usize, files: usize) {
    println!(
        "{files} files, {threads} threads, {} rounds; median of the per-round ratio to the bar:",
        times[0].len()
    );
    let bar = &times[0];
    for ((label, _), stage_times) in stages.iter().zip(times) {
        let mut ratios: Vec<f64> = stage_times
            .iter()
            .zip(bar)
            .map(|(t, bar)| t.as_secs_f64() / bar.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!("  {label:36} {:.2}x", ratios[ratios.len() / 2]);
    }
}
