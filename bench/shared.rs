//! What the `check` benchmarks share: the corpus's files, the parse-only bar for one file, and
//! rounds measured in rotating order with the median of paired ratios.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use swc_common::BytePos;
use swc_ecma_parser::{Parser, StringInput, Syntax, TsSyntax};

/// Every file under `root/pages`.
pub fn corpus_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root.join("pages"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// The bar for one file: read it and parse it with swc, nothing else (1 when it parses).
pub fn parse_file(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let input = StringInput::new(&text, BytePos(1), BytePos(1 + text.len() as u32));
    let mut parser = Parser::new(Syntax::Typescript(TsSyntax::default()), input, None);
    usize::from(parser.parse_program().is_ok())
}

/// Every measurement's time in each of `runs` rounds (`times[measurement][round]`), each round
/// running every measurement once in turn: a slow spell of this shared machine then slows both
/// sides of a ratio, not one. Each round starts one measurement later than the one before:
/// whatever runs right after the heaviest one (its memory being returned, its files' pages
/// evicted) is not always the same measurement. (With a fixed order the bar always ran after
/// `apply --diff`, and came out slower than the bar plus the directory walk.)
pub fn rotated_rounds(runs: usize, measurements: &mut [&mut dyn FnMut()]) -> Vec<Vec<Duration>> {
    let count = measurements.len();
    let mut times = vec![Vec::with_capacity(runs); count];
    for round in 0..runs {
        for i in (0..count).map(|k| (round + k) % count) {
            let start = Instant::now();
            measurements[i]();
            times[i].push(start.elapsed());
        }
    }
    times
}

/// The median over the rounds of `times` over the bar's time in the same round. The best times
/// of two measurements can come from different rounds, that is from different speeds of a
/// shared machine; paired ratios cannot, and one lucky or unlucky round does not move their
/// median.
pub fn median_ratio(times: &[Duration], bar: &[Duration]) -> f64 {
    let mut ratios: Vec<f64> = times
        .iter()
        .zip(bar)
        .map(|(t, b)| t.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let middle = ratios.len() / 2;
    if ratios.len() % 2 == 1 {
        ratios[middle]
    } else {
        f64::midpoint(ratios[middle - 1], ratios[middle])
    }
}
