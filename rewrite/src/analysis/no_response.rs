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

use super::syntax::{FnLike, Var};

/// Where a path through the handler ends without touching the response: a `return` that does
/// not answer, or the end of the body. `None` when every path answers (or might).
pub fn silent_end(function: FnLike, res: Option<Var>) -> Option<Span> {
    let body = function.body_stmts()?;
    let Some(res) = res else {
        // A handler without a response parameter never answers.
        return Some(function.span());
    };
    match stmts(body, res) {
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
    /// As `Open`, and one such path comes out of this `switch` case (a method a dispatch serves
    /// that never answers, when nothing after the `switch` does): named apart from the other
    /// values' path past the `switch`, which a dispatch reports as its fallback.
    OpenCase(Span),
}

fn stmts(list: &[Stmt], res: Var) -> Path {
    let mut open_case = None;
    for stmt in list {
        match one(stmt, res) {
            Path::Open => {}
            Path::OpenCase(at) => {
                open_case.get_or_insert(at);
            }
            decided => return decided,
        }
    }
    open_case.map_or(Path::Open, Path::OpenCase)
}

fn one(stmt: &Stmt, res: Var) -> Path {
    match stmt {
        Stmt::Return(r) => match &r.arg {
            Some(arg) if touches(&**arg, res) => Path::Answered,
            _ => Path::Silent(r.span),
        },
        Stmt::Throw(_) => Path::Answered,
        Stmt::Block(b) => stmts(&b.stmts, res),
        Stmt::Labeled(l) => one(&l.body, res),
        Stmt::If(i) => {
            if touches(&*i.test, res) {
                return Path::Answered;
            }
            let cons = one(&i.cons, res);
            let alt = i.alt.as_deref().map_or(Path::Open, |alt| one(alt, res));
            either(cons, alt)
        }
        Stmt::Try(t) => {
            if t.finalizer.as_ref().is_some_and(|f| touches(f, res)) {
                return Path::Answered;
            }
            let block = stmts(&t.block.stmts, res);
            // The block may throw anywhere: the handler is another path.
            let handler = t
                .handler
                .as_ref()
                .map_or(Path::Answered, |h| stmts(&h.body.stmts, res));
            either(block, handler)
        }
        Stmt::Switch(s) => {
            if touches(&*s.discriminant, res) {
                return Path::Answered;
            }
            // From the last case up: a case that does not break runs on into the next one.
            let mut next = Path::Open;
            let mut outcomes = Vec::with_capacity(s.cases.len());
            for case in s.cases.iter().rev() {
                next = case_path(&case.cons, next, res);
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
            if let Some(Path::Silent(at)) = outcomes.iter().find(|p| matches!(p, Path::Silent(_))) {
                Path::Silent(*at)
            } else if has_default && outcomes.iter().all(|p| *p == Path::Answered) {
                Path::Answered
            } else {
                open_case.map_or(Path::Open, Path::OpenCase)
            }
        }
        // A loop body may not run at all.
        Stmt::For(l) => loop_body(&l.body, res),
        Stmt::ForIn(l) => loop_body(&l.body, res),
        Stmt::ForOf(l) => loop_body(&l.body, res),
        Stmt::While(l) => loop_body(&l.body, res),
        Stmt::DoWhile(l) => loop_body(&l.body, res),
        Stmt::Break(_) | Stmt::Continue(_) => Path::Open,
        other if touches(other, res) => Path::Answered,
        _ => Path::Open,
    }
}

/// A `switch` case's statements: a `break` leaves the switch, the end runs on into the next
/// case (`fallthrough`).
fn case_path(cons: &[Stmt], fallthrough: Path, res: Var) -> Path {
    for stmt in cons {
        if matches!(stmt, Stmt::Break(_)) {
            return Path::Open;
        }
        match one(stmt, res) {
            Path::Open | Path::OpenCase(_) => {}
            decided => return decided,
        }
    }
    fallthrough
}

fn loop_body(body: &Stmt, res: Var) -> Path {
    match one(body, res) {
        Path::Silent(at) => Path::Silent(at),
        _ if touches(body, res) => Path::Answered,
        _ => Path::Open,
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
