//! Edge API routes (`runtime: 'edge'`) take a `NextRequest` and return a `Response`, so they
//! move almost verbatim. What does not: the second argument (the edge `event`, whose
//! `waitUntil` a route handler does not have: its second argument is `{ params }`), and
//! `request.geo`/`request.ip`, which `NextRequest` lost in Next 15.

use swc_common::Span;
use swc_ecma_ast::{Ident, MemberExpr};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

use super::syntax::{member_name, pat_var, FnLike, Var};

/// A use in an edge handler that changes meaning as a route handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeOnly {
    /// The second argument, the edge `event` (`event.waitUntil(…)`).
    Event { name: String, span: Span },
    /// `request.geo` or `request.ip`.
    RemovedMember { name: String, span: Span },
}

/// The edge-only uses of an edge handler.
pub fn edge_only(function: FnLike) -> Vec<EdgeOnly> {
    let params = function.params();
    let mut finder = Finder {
        request: params.first().and_then(|p| pat_var(p)),
        event: params.get(1).and_then(|p| pat_var(p)),
        found: Vec::new(),
    };
    function.visit_body(&mut finder);
    finder.found
}

struct Finder<'a> {
    request: Option<Var<'a>>,
    event: Option<Var<'a>>,
    found: Vec<EdgeOnly>,
}

impl Visit for Finder<'_> {
    noop_visit_type!();

    fn visit_member_expr(&mut self, member: &MemberExpr) {
        if self.request.is_some_and(|r| r.is(&member.obj)) {
            if let Some(name @ ("geo" | "ip")) = member_name(&member.prop) {
                self.found.push(EdgeOnly::RemovedMember {
                    name: name.to_owned(),
                    span: member.span,
                });
            }
        }
        member.visit_children_with(self);
    }

    fn visit_ident(&mut self, ident: &Ident) {
        if self.event.is_some_and(|e| e.is_ident(ident)) {
            self.found.push(EdgeOnly::Event {
                name: ident.sym.to_string(),
                span: ident.span,
            });
        }
    }
}
