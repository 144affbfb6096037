//! How a file's bindings can be told apart, at the least cost.
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
//! When the names bound twice are all bound inside functions, only the top-level statements
//! holding those functions need the resolver: each is resolved on its own, and what it binds
//! at its top or leaves unbound gets the empty context, which names the file's top level (and
//! the globals) everywhere else. Only a name bound twice outside every function (two top-level
//! declarations, a top-level `catch (e)` and an import `e`) sends the whole file to the
//! resolver.
//!
//! Counting errs on the side of "bound twice": a plain assignment `x = …` is not a binding, but
//! the rare destructuring assignment (`[a, b] = [b, a]`) and `for (x of …)` on an existing
//! variable are counted as if they were, which only sends the file to the resolver. Types are
//! not values and are skipped, as the resolver skips them for us (`typescript: false`).

use rustc_hash::{FxBuildHasher, FxHashMap};
use swc_common::SyntaxContext;
use swc_ecma_ast::{
    ArrowExpr, BindingIdent, ClassDecl, ClassExpr, Constructor, FnDecl, FnExpr, Function,
    GetterProp, Id, Ident, ImportDefaultSpecifier, ImportNamedSpecifier, ImportStarAsSpecifier,
    Program, SetterProp, SimpleAssignTarget, StaticBlock, TsEnumDecl, TsImportEqualsDecl,
    TsModuleDecl, TsModuleName,
};
use swc_ecma_visit::{noop_visit_type, Visit, VisitWith};

/// How much of a file the resolver must see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// No name is bound twice: names are bindings.
    NotNeeded,
    /// The names bound twice are all bound inside functions of these top-level statements
    /// (indexes into the module's or script's body, in order).
    Statements(Vec<usize>),
    /// A name is bound twice outside every function.
    WholeFile,
}

/// What the resolver must see of `program`.
pub fn resolution(program: &Program) -> Resolution {
    let mut bindings = Bindings {
        // A handler file binds a few dozen names: grow the map once at most.
        seen: FxHashMap::with_capacity_and_hasher(64, FxBuildHasher),
        statement: 0,
        functions_deep: 0,
        statements: Vec::new(),
        whole_file: false,
    };
    match program {
        Program::Module(module) => {
            for (i, item) in module.body.iter().enumerate() {
                bindings.statement = i;
                item.visit_with(&mut bindings);
            }
        }
        Program::Script(script) => {
            for (i, stmt) in script.body.iter().enumerate() {
                bindings.statement = i;
                stmt.visit_with(&mut bindings);
            }
        }
    }
    if bindings.whole_file {
        return Resolution::WholeFile;
    }
    if bindings.statements.is_empty() {
        return Resolution::NotNeeded;
    }
    bindings.statements.sort_unstable();
    bindings.statements.dedup();
    Resolution::Statements(bindings.statements)
}

/// Where a name was first bound.
#[derive(Clone, Copy)]
struct FirstBinding {
    statement: usize,
    inside_function: bool,
}

struct Bindings {
    /// The names bound so far, each with the empty context whatever the tree carries: names
    /// are what is counted.
    seen: FxHashMap<Id, FirstBinding>,
    /// The top-level statement being visited.
    statement: usize,
    /// How many functions the visit is inside.
    functions_deep: u32,
    /// The statements holding a second binding of a name, and those holding its first.
    statements: Vec<usize>,
    whole_file: bool,
}

impl Bindings {
    fn bind(&mut self, ident: &Ident) {
        let here = FirstBinding {
            statement: self.statement,
            inside_function: self.functions_deep > 0,
        };
        let name = (ident.sym.clone(), SyntaxContext::empty());
        match self.seen.entry(name) {
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(here);
            }
            std::collections::hash_map::Entry::Occupied(entry) => {
                let first = *entry.get();
                if first.inside_function && here.inside_function {
                    self.statements.push(first.statement);
                    self.statements.push(here.statement);
                } else {
                    self.whole_file = true;
                }
            }
        }
    }

    /// Visits a scope that only code inside it sees.
    fn inside_function(&mut self, visit: impl FnOnce(&mut Self)) {
        self.functions_deep += 1;
        visit(self);
        self.functions_deep -= 1;
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

    // The scopes only their own code sees: functions (and methods), arrows, constructors,
    // accessors of object literals, and class static blocks.
    fn visit_function(&mut self, function: &Function) {
        self.inside_function(|this| function.visit_children_with(this));
    }

    fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
        self.inside_function(|this| arrow.visit_children_with(this));
    }

    fn visit_constructor(&mut self, constructor: &Constructor) {
        self.inside_function(|this| constructor.visit_children_with(this));
    }

    fn visit_getter_prop(&mut self, getter: &GetterProp) {
        self.inside_function(|this| getter.visit_children_with(this));
    }

    fn visit_setter_prop(&mut self, setter: &SetterProp) {
        self.inside_function(|this| setter.visit_children_with(this));
    }

    fn visit_static_block(&mut self, block: &StaticBlock) {
        self.inside_function(|this| block.visit_children_with(this));
    }
}
