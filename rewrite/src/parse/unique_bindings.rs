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
//! holding those functions need telling apart. A statement that binds a name twice itself
//! (`res` and a callback's own `res`) needs the resolver: it is resolved on its own, and what it
//! binds at its top or leaves unbound gets the empty context, which names the file's top level
//! (and the globals) everywhere else. A name bound once in each of several statements (`data`
//! in the handler and in a helper, as real files have it all the time) needs less: inside each
//! of those statements the name is one binding, so each statement's identifiers of that name
//! get a context of the statement's own, and the analyses tell the handler's `data` from the
//! helper's as they would after the resolver, for a walk that only sets contexts. Only a name
//! bound twice outside every function (two top-level declarations, a top-level `catch (e)` and
//! an import `e`) sends the whole file to the resolver.
//!
//! Counting errs on the side of "bound twice": a plain assignment `x = …` is not a binding, but
//! the rare destructuring assignment (`[a, b] = [b, a]`) and `for (x of …)` on an existing
//! variable are counted as if they were, which only sends the file to the resolver. Types are
//! not values and are skipped, as the resolver skips them for us (`typescript: false`).

use std::collections::BTreeMap;

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
    /// The names bound twice are all bound inside functions of top-level statements (indexes
    /// into the module's or script's body, each list in order).
    Statements {
        /// Statements that bind a name twice themselves: the resolver tells their scopes apart.
        resolve: Vec<usize>,
        /// Statements (none of them in `resolve`) that bind a name once that other statements
        /// also bind, with those names: a context per statement tells them apart.
        separate: Vec<(usize, Vec<Id>)>,
    },
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
        resolve: Vec::new(),
        separate: Vec::new(),
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
    let Bindings {
        mut resolve,
        separate,
        ..
    } = bindings;
    if resolve.is_empty() && separate.is_empty() {
        return Resolution::NotNeeded;
    }
    resolve.sort_unstable();
    resolve.dedup();
    // By statement, each one's names once, in the order they were found bound again.
    let mut by_statement: BTreeMap<usize, Vec<Id>> = BTreeMap::new();
    for (statement, name) in separate {
        // The resolver tells every binding of a statement it resolves apart already.
        if resolve.binary_search(&statement).is_ok() {
            continue;
        }
        let names = by_statement.entry(statement).or_default();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Resolution::Statements {
        resolve,
        separate: by_statement.into_iter().collect(),
    }
}

/// Where a name was last bound.
#[derive(Clone, Copy)]
struct LastBinding {
    statement: usize,
    inside_function: bool,
}

struct Bindings {
    /// The names bound so far, each with the empty context whatever the tree carries: names
    /// are what is counted.
    seen: FxHashMap<Id, LastBinding>,
    /// The top-level statement being visited (the visit goes through them in order).
    statement: usize,
    /// How many functions the visit is inside.
    functions_deep: u32,
    /// The statements binding a name a second time themselves.
    resolve: Vec<usize>,
    /// Each statement binding a name that another statement binds too, with that name (in
    /// the empty context).
    separate: Vec<(usize, Id)>,
    whole_file: bool,
}

impl Bindings {
    fn bind(&mut self, ident: &Ident) {
        let here = LastBinding {
            statement: self.statement,
            inside_function: self.functions_deep > 0,
        };
        let name = (ident.sym.clone(), SyntaxContext::empty());
        match self.seen.entry(name) {
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(here);
            }
            std::collections::hash_map::Entry::Occupied(mut entry) => {
                let last = *entry.get();
                if !(last.inside_function && here.inside_function) {
                    self.whole_file = true;
                } else if last.statement == here.statement {
                    self.resolve.push(here.statement);
                } else {
                    let name = entry.key();
                    self.separate.push((last.statement, name.clone()));
                    self.separate.push((here.statement, name.clone()));
                    entry.insert(here);
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
