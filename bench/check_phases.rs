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

use migrate_rewrite::analysis::{self, RouteContext};
use rayon::prelude::*;
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

#[path = "shared.rs"]
mod shared;

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
        aliases: None,
        imported_helpers: None,
    }
}

/// A labelled measurement: one pass over every file.
type Stage<'a> = (&'static str, Box<dyn Fn() + 'a>);

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
    let files = shared::corpus_files(&root);
    assert!(!files.is_empty(), "no files under {}/pages", root.display());

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
    let mut stages: Vec<Stage> = vec![
        (
            "swc parse only (the bar)",
            Box::new(|| drop(each_file(&files, shared::parse_file))),
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

    let times = {
        let mut measurements: Vec<&mut dyn FnMut()> = stages
            .iter_mut()
            .map(|(_, stage)| stage as &mut dyn FnMut())
            .collect();
        shared::rotated_rounds(rounds, &mut measurements)
    };
    println!(
        "{} files, {threads} threads, {rounds} rounds; median of the per-round ratio to the bar:",
        files.len()
    );
    for ((label, _), stage_times) in stages.iter().zip(&times) {
        println!(
            "  {label:36} {:.2}x",
            shared::median_ratio(stage_times, &times[0])
        );
    }
}
