//! Paths that end without a response. A Pages handler that returns without answering leaves the
//! request hanging (Next adds no timeout); a route handler that returns nothing is answered
//! with a 500 (`No response is returned from route handler`). A rewrite turns one into the
//! other, so the analysis says where.
//!
//! Conservative on purpose: any statement that touches `res` at all (a call, a helper it is
//! passed to, a callback that closes over it) and any `throw` count as answering, so a path is
//! reported only when it certainly never touches the response.

use swc_common::{BytePos, Span};
use swc_ecma_ast::{Ident, Stmt};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::dispatch::stmt_body;
use super::syntax::{FnLike, Var};
use crate::diagnostic::TextRange;

/// Where a path through the handler ends without touching the response: a `return` that does
/// not answer, or the end of the body. `None` when every path answers (or might).
///
/// `branches` are the statements of the dispatch's method branches (see
/// [`super::dispatch::Branch`]): a path that runs out of one of those unanswered is a method the
/// handler serves that does not always answer, reported at its branch, apart from the path of
/// the methods no branch serves (which a dispatch reports as its fallback).
pub fn silent_end(function: FnLike, res: Option<Var>, branches: &[TextRange]) -> Option<Span> {
    let body = function.body_stmts()?;
    let Some(res) = res else {
        // A handler without a response parameter never answers.
        return Some(function.span());
    };
    match (Paths { res, branches }).stmts(body) {
        Path::Silent(at) | Path::OpenCase(at) => Some(at),
        // The closing brace of the body.
        Path::Open => {
            let end = function.span().hi;
            Some(Span::new(end - BytePos(1), end))
        }
        Path::Answered => None,
    }
}

/// What the paths through some statements do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// Every path touched the response or threw.
    Answered,
    /// Some path returns here without touching the response.
    Silent(Span),
    /// Some path runs on past the statements without touching the response.
    Open,
    /// As `Open`, and one such path comes out of this `switch` case or method branch (a method
    /// a dispatch serves that does not always answer, when nothing after it does): named apart
    /// from the other values' path past the `switch` or `if`, which a dispatch reports as its
    /// fallback.
    OpenCase(Span),
}

/// The paths through statements, for the response `res`.
struct Paths<'a> {
    res: Var<'a>,
    branches: &'a [TextRange],
}

impl Paths<'_> {
    fn stmts(&self, list: &[Stmt]) -> Path {
        let mut open_case = None;
        for stmt in list {
            match self.one(stmt) {
                Path::Open => {}
                Path::OpenCase(at) => {
                    open_case.get_or_insert(at);
                }
                decided => return decided,
            }
        }
        open_case.map_or(Path::Open, Path::OpenCase)
    }

    fn one(&self, stmt: &Stmt) -> Path {
        match stmt {
            Stmt::Return(r) => match &r.arg {
                Some(arg) if touches(&**arg, self.res) => Path::Answered,
                _ => Path::Silent(r.span),
            },
            Stmt::Throw(_) => Path::Answered,
            Stmt::Block(b) => self.stmts(&b.stmts),
            Stmt::Labeled(l) => self.one(&l.body),
            Stmt::If(i) => {
                if touches(&*i.test, self.res) {
                    return Path::Answered;
                }
                let cons = self.branch(&i.cons, i.span);
                let alt = i.alt.as_deref().map_or(Path::Open, |alt| match alt {
                    // `else if`: its own branches are named by the inner `if`.
                    Stmt::If(_) => self.one(alt),
                    alt => self.branch(alt, i.span),
                });
                either(cons, alt)
            }
            Stmt::Try(t) => {
                if t.finalizer.as_ref().is_some_and(|f| touches(f, self.res)) {
                    return Path::Answered;
                }
                let block = self.stmts(&t.block.stmts);
                // The block may throw anywhere: the handler is another path.
                let handler = t
                    .handler
                    .as_ref()
                    .map_or(Path::Answered, |h| self.stmts(&h.body.stmts));
                either(block, handler)
            }
            Stmt::Switch(s) => {
                if touches(&*s.discriminant, self.res) {
                    return Path::Answered;
                }
                // From the last case up: a case that does not break runs on into the next one.
                let mut next = Path::Open;
                let mut outcomes = Vec::with_capacity(s.cases.len());
                for case in s.cases.iter().rev() {
                    next = self.case_path(&case.cons, next);
                    outcomes.push(next);
                }
                let has_default = s.cases.iter().any(|c| c.test.is_none());
                // `outcomes` runs from the last case up.
                let open_case = s
                    .cases
                    .iter()
                    .rev()
                    .zip(&outcomes)
                    .find(|(case, path)| {
                        case.test.is_some() && matches!(path, Path::Open | Path::OpenCase(_))
                    })
                    .map(|(case, _)| case.span);
                if let Some(Path::Silent(at)) =
                    outcomes.iter().find(|p| matches!(p, Path::Silent(_)))
                {
                    Path::Silent(*at)
                } else if has_default && outcomes.iter().all(|p| *p == Path::Answered) {
                    Path::Answered
                } else {
                    open_case.map_or(Path::Open, Path::OpenCase)
                }
            }
            // A loop body may not run at all.
            Stmt::For(l) => self.loop_body(&l.body),
            Stmt::ForIn(l) => self.loop_body(&l.body),
            Stmt::ForOf(l) => self.loop_body(&l.body),
            Stmt::While(l) => self.loop_body(&l.body),
            Stmt::DoWhile(l) => self.loop_body(&l.body),
            Stmt::Break(_) | Stmt::Continue(_) => Path::Open,
            other if touches(other, self.res) => Path::Answered,
            _ => Path::Open,
        }
    }

    /// One side of an `if` at `at`: a path that runs out of it unanswered is named by the `if`
    /// when the side is a method branch of the dispatch.
    fn branch(&self, side: &Stmt, at: Span) -> Path {
        match self.one(side) {
            Path::Open if stmt_body(side).is_some_and(|body| self.branches.contains(&body)) => {
                Path::OpenCase(at)
            }
            path => path,
        }
    }

    /// A `switch` case's statements: a `break` leaves the switch, the end runs on into the next
    /// case (`fallthrough`).
    fn case_path(&self, cons: &[Stmt], fallthrough: Path) -> Path {
        for stmt in cons {
            if matches!(stmt, Stmt::Break(_)) {
                return Path::Open;
            }
            match self.one(stmt) {
                Path::Open | Path::OpenCase(_) => {}
                decided => return decided,
            }
        }
        fallthrough
    }

    fn loop_body(&self, body: &Stmt) -> Path {
        match self.one(body) {
            Path::Silent(at) => Path::Silent(at),
            _ if touches(body, self.res) => Path::Answered,
            _ => Path::Open,
        }
    }
}

/// Two alternative paths: silent if either is, answered only if both are.
fn either(a: Path, b: Path) -> Path {
    match (a, b) {
        (Path::Silent(at), _) | (_, Path::Silent(at)) => Path::Silent(at),
        (Path::Answered, Path::Answered) => Path::Answered,
        (Path::OpenCase(at), _) | (_, Path::OpenCase(at)) => Path::OpenCase(at),
        _ => Path::Open,
    }
}

/// True when `res` appears anywhere in `node`, callbacks included.
fn touches<N>(node: &N, res: Var) -> bool
where
    N: for<'a> VisitWith<Touches<'a>>,
{
    let mut touches = Touches { res, found: false };
    node.visit_with(&mut touches);
    touches.found
}

struct Touches<'a> {
    res: Var<'a>,
    found: bool,
}

impl Visit for Touches<'_> {
    noop_visit_type!();

    fn visit_ident(&mut self, ident: &Ident) {
        self.found |= self.res.is_ident(ident);
    }
}
