//! Moving routes while `check` still holds their syntax trees, so that `apply` parses each
//! route once (then once more, its output, to check it).
//!
//! A route is moved there as if no other file of the run moved. That move stands when, once
//! the run has settled, nothing it asked about moves after all (it imports no file that
//! moves) and its report did not change after its own analysis (a module of other routes, a
//! finding about its file). Otherwise it is moved again, from a fresh parse, with the real
//! answers: the outcome is the same as moving every route after the run has settled.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use super::mover::Mover;
use super::MovedRoute;
use crate::analysis::dispatch::{DispatchStyle, Fallback};
use crate::check::RouteReport;
use crate::diagnostic::Verdict;
use crate::parse::Parsed;
use crate::route::{FileKind, RouteFile};

/// A route moved ahead of the run.
pub(super) struct Speculation {
    moved: Result<MovedRoute, Vec<String>>,
    /// Every path the move asked "where does this go?", each answered "nowhere".
    asked: Vec<PathBuf>,
    /// What the move read of the report, as it was then.
    facts: Facts,
}

/// The parts of a report that the run may change after the file's own analysis.
#[derive(PartialEq, Eq)]
struct Facts {
    verdict: Option<Verdict>,
    dispatch: DispatchStyle,
    fallback: Fallback,
    methods: Vec<String>,
    special_cased: Vec<String>,
    diagnostics: usize,
}

impl Facts {
    fn of(route: &RouteReport) -> Self {
        Facts {
            verdict: route.verdict,
            dispatch: route.dispatch,
            fallback: route.fallback,
            methods: route.methods.clone(),
            special_cased: route.special_cased.clone(),
            diagnostics: route.diagnostics.len(),
        }
    }
}

/// Moves `file` as if nothing else moved, when it may move at all.
pub(super) fn speculate(
    mover: &Mover<'_>,
    (file, route): (&RouteFile, &RouteReport),
    parsed: &Parsed,
) -> Option<Speculation> {
    let may_move = file.kind == FileKind::PagesApi
        && route.verdict != Some(Verdict::Manual)
        && route.dispatch != DispatchStyle::Module;
    if !may_move {
        return None;
    }
    let asked = Mutex::new(Vec::new());
    let nowhere = |path: &Path| {
        asked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(path.to_owned());
        None
    };
    let result = mover.move_route((file, route), Some(parsed), &nowhere);
    Some(Speculation {
        moved: result,
        asked: asked
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
        facts: Facts::of(route),
    })
}

impl Speculation {
    /// The move, if it stands for the settled run: `route` is the final report and
    /// `moved_paths` where the files that move go.
    pub(super) fn standing(
        self,
        route: &RouteReport,
        moved_paths: &FxHashMap<PathBuf, PathBuf>,
    ) -> Option<Result<MovedRoute, Vec<String>>> {
        let stands = self.facts == Facts::of(route)
            && self.asked.iter().all(|p| !moved_paths.contains_key(p));
        stands.then_some(self.moved)
    }
}
