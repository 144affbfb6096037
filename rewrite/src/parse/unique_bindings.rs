//! Whether every runtime binding of a file has a name of its own.
//!
//! swc's resolver tells bindings apart by scope: it gives each identifier the context of the
//! scope that binds it, so that `res` in `.then((res) => res.json())` is another variable than
//! the handler's `res`. Doing so costs about a fifth of the parse (a mark per scope, a map per
//! scope, a hoisting pass per function). When no name is bound twice anywhere in the file, the
//! name alone already identifies the binding: every identifier with that name either refers to
//! it or is not bound at all (a global, or an error at runtime), and the analyses, which only
//! compare identifiers with bindings they track (a handler's parameters, their aliases, a
//! top-level function), cannot tell the two trees apart. Most handler files are like that.
//!
//! Counting errs on the side of "bound twice": a plain assignment `x = …` is not a binding, but
//! the rare destructuring assignment (`[a, b] = [b, a]`) and `for (x of …)` on an existing
//! variable are counted as if they were, which only sends the file to the resolver. Types are
//! not values and are skipped, as the resolver skips them for us (`typescript: false`).

use rustc_hash::{FxBuildHasher, FxHashSet};
use swc_common::SyntaxContext;
use swc_ecma_ast::{
    BindingIdent, ClassDecl, ClassExpr, FnDecl, FnExpr, Id, Ident, ImportDefaultSpecifier,
    ImportNamedSpecifier, ImportStarAsSpecifier, Program, SimpleAssignTarget, TsEnumDecl,
    TsImportEqualsDecl, TsModuleDecl, TsModuleName,
};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

/// True when no runtime name is bound more than once in `program`.
pub fn every_binding_named_once(program: &Program) -> bool {
    let mut bindings = Bindings {
        // A handler file binds a few dozen names: grow the set once at most.
        seen: FxHashSet::with_capacity_and_hasher(64, FxBuildHasher),
        repeated: false,
    };
    program.visit_with(&mut bindings);
    !bindings.repeated
}

struct Bindings {
    /// The names bound so far, each with the empty context whatever the tree carries: names
    /// are what is counted.
    seen: FxHashSet<Id>,
    repeated: bool,
}

impl Bindings {
    fn bind(&mut self, ident: &Ident) {
        if !self
            .seen
            .insert((ident.sym.clone(), SyntaxContext::empty()))
        {
            self.repeated = true;
        }
    }
}

impl Visit for Bindings {
    noop_visit_type!();

    // Parameters, variables, catch clauses, and what patterns destructure into (over-counting
    // destructuring assignments, as said above).
    fn visit_binding_ident(&mut self, binding: &BindingIdent) {
        self.bind(&binding.id);
    }

    // `x = …` names an existing binding; it binds nothing.
    fn visit_simple_assign_target(&mut self, target: &SimpleAssignTarget) {
        if !matches!(target, SimpleAssignTarget::Ident(_)) {
            target.visit_children_with(self);
        }
    }

    fn visit_fn_decl(&mut self, decl: &FnDecl) {
        self.bind(&decl.ident);
        decl.function.visit_with(self);
    }

    fn visit_fn_expr(&mut self, expr: &FnExpr) {
        if let Some(ident) = &expr.ident {
            self.bind(ident);
        }
        expr.function.visit_with(self);
    }

    fn visit_class_decl(&mut self, decl: &ClassDecl) {
        self.bind(&decl.ident);
        decl.class.visit_with(self);
    }

    fn visit_class_expr(&mut self, expr: &ClassExpr) {
        if let Some(ident) = &expr.ident {
            self.bind(ident);
        }
        expr.class.visit_with(self);
    }

    fn visit_import_named_specifier(&mut self, specifier: &ImportNamedSpecifier) {
        self.bind(&specifier.local);
    }

    fn visit_import_default_specifier(&mut self, specifier: &ImportDefaultSpecifier) {
        self.bind(&specifier.local);
    }

    fn visit_import_star_as_specifier(&mut self, specifier: &ImportStarAsSpecifier) {
        self.bind(&specifier.local);
    }

    fn visit_ts_enum_decl(&mut self, decl: &TsEnumDecl) {
        self.bind(&decl.id);
        decl.members.visit_with(self);
    }

    fn visit_ts_module_decl(&mut self, decl: &TsModuleDecl) {
        if let TsModuleName::Ident(ident) = &decl.id {
            self.bind(ident);
        }
        decl.body.visit_with(self);
    }

    fn visit_ts_import_equals_decl(&mut self, decl: &TsImportEqualsDecl) {
        self.bind(&decl.id);
    }
}
