//! A one-pass index of a module's top level: bindings, imports, the default export, named
//! exports and `config`. Handler resolution and the app-route checks read from it.

use rustc_hash::{FxBuildHasher, FxHashMap};

use swc_common::{Span, SyntaxContext};
use swc_ecma_ast::{
    AssignTarget, Callee, Decl, DefaultDecl, Expr, Function, Ident, ImportSpecifier, ModuleDecl,
    ModuleExportName, ModuleItem, Pat, Program, SimpleAssignTarget, Stmt, VarDecl,
};

use super::fallback::ImportedHelpers;
use super::syntax::{ident_name, member_name, string_value, unwrap, FnLike};

/// What a top-level name is bound to.
#[derive(Clone, Copy)]
pub enum Binding<'a> {
    Function(&'a Function),
    Value(&'a Expr),
    /// `import x from 'src'`, `import { y as x } from 'src'`, `const x = require('src')`.
    Import {
        source: &'a str,
        /// What it names in `src`: `default`, `y`; `None` for a namespace or `require`.
        imported: Option<&'a str>,
    },
    /// A class, an enum, a destructured variable: something we do not follow.
    Other,
}

/// The module's default export.
#[derive(Clone, Copy)]
pub enum DefaultExport<'a> {
    Function(&'a Function, Span),
    Expr(&'a Expr, Span),
    /// `export { x as default }`.
    Name(&'a str, Span),
    /// `export { default } from './impl'`.
    ReExport(&'a str, Span),
    Class(Span),
}

impl DefaultExport<'_> {
    pub fn span(&self) -> Span {
        match *self {
            DefaultExport::Function(_, s)
            | DefaultExport::Expr(_, s)
            | DefaultExport::Name(_, s)
            | DefaultExport::ReExport(_, s)
            | DefaultExport::Class(s) => s,
        }
    }
}

/// The top level of one module.
#[derive(Default)]
pub struct ModuleIndex<'a> {
    pub bindings: FxHashMap<&'a str, Binding<'a>>,
    pub default_export: Option<DefaultExport<'a>>,
    /// Named exports: (exported name, local name if a plain alias, span).
    pub named_exports: Vec<(String, Span)>,
    /// `export const config = …` / `module.exports.config = …`.
    pub config: Option<(&'a Expr, Span)>,
    /// `export const runtime = …` and other segment-style exports with a string value.
    pub string_exports: FxHashMap<String, String>,
    /// The resolver's context for top-level bindings (see [`crate::parse::Parsed`]).
    pub top_level: SyntaxContext,
    /// Every module the top level loads: `import … from`, `export … from`, `require(…)`.
    pub sources: Vec<&'a str>,
    /// What the helpers this module imports from modules of the project send, when the caller
    /// can read them (`check` can; an analysis of text alone cannot).
    pub imported_helpers: Option<&'a dyn ImportedHelpers>,
}

impl<'a> ModuleIndex<'a> {
    pub fn new(program: &'a Program, top_level: SyntaxContext) -> Self {
        let items = match program {
            Program::Module(m) => m.body.len(),
            Program::Script(s) => s.body.len(),
        };
        let mut index = ModuleIndex {
            top_level,
            // Most top-level items bind a name or two: sized once, where growing from empty
            // rehashed the map three or four times per file.
            bindings: FxHashMap::with_capacity_and_hasher(items + items / 2, FxBuildHasher),
            ..ModuleIndex::default()
        };
        match program {
            Program::Module(m) => {
                for item in &m.body {
                    match item {
                        ModuleItem::Stmt(stmt) => index.stmt(stmt),
                        ModuleItem::ModuleDecl(decl) => index.module_decl(decl),
                    }
                }
            }
            Program::Script(s) => s.body.iter().for_each(|stmt| index.stmt(stmt)),
        }
        index
    }

    /// The top-level binding of a name.
    pub fn binding(&self, name: &str) -> Option<Binding<'a>> {
        self.bindings.get(name).copied()
    }

    /// The function a top-level name is bound to (`function f() {}`, `const f = () => {}`).
    pub fn function_named(&self, name: &str) -> Option<FnLike<'a>> {
        match self.binding(name)? {
            Binding::Function(f) => Some(FnLike::Function(f)),
            Binding::Value(value) => FnLike::from_expr(value),
            _ => None,
        }
    }

    /// The top-level function an identifier refers to, when no inner scope rebinds it.
    pub fn function_of(&self, ident: &Ident) -> Option<FnLike<'a>> {
        if ident.ctxt == self.top_level {
            self.function_named(&ident.sym)
        } else {
            None
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Decl(decl) => self.decl(decl, false),
            Stmt::Expr(e) => self.commonjs_export(&e.expr),
            _ => {}
        }
    }

    fn decl(&mut self, decl: &'a Decl, exported: bool) {
        match decl {
            Decl::Fn(f) => {
                self.bindings
                    .insert(&f.ident.sym, Binding::Function(&f.function));
                if exported {
                    self.named_exports
                        .push((f.ident.sym.to_string(), f.ident.span));
                }
            }
            Decl::Var(var) => self.var(var, exported),
            Decl::Class(c) => {
                self.bindings.insert(&c.ident.sym, Binding::Other);
                if exported {
                    self.named_exports
                        .push((c.ident.sym.to_string(), c.ident.span));
                }
            }
            _ => {}
        }
    }

    fn var(&mut self, var: &'a VarDecl, exported: bool) {
        for declarator in &var.decls {
            match &declarator.name {
                Pat::Ident(b) => {
                    let name: &str = &b.id.sym;
                    let binding = match declarator.init.as_deref() {
                        Some(init) => require_source(init).map_or(Binding::Value(init), |source| {
                            self.sources.push(source);
                            Binding::Import {
                                source,
                                imported: None,
                            }
                        }),
                        None => Binding::Other,
                    };
                    self.bindings.insert(name, binding);
                    if exported {
                        self.named_exports.push((name.to_owned(), b.id.span));
                        if let Some(init) = declarator.init.as_deref() {
                            if name == "config" {
                                self.config = Some((init, declarator.span));
                            } else if let Some(value) = string_value(init) {
                                self.string_exports
                                    .insert(name.to_owned(), value.to_owned());
                            }
                        }
                    }
                }
                // `export const { GET, POST } = handlers` (Auth.js v5 style).
                pattern => {
                    for (name, span) in pattern_names(pattern) {
                        self.bindings.insert(name, Binding::Other);
                        if exported {
                            self.named_exports.push((name.to_owned(), span));
                        }
                    }
                }
            }
        }
    }

    fn module_decl(&mut self, decl: &'a ModuleDecl) {
        match decl {
            ModuleDecl::Import(import) => {
                let Some(source) = import.src.value.as_atom().map(|a| a.as_str()) else {
                    return;
                };
                self.sources.push(source);
                for specifier in &import.specifiers {
                    let (local, imported) = match specifier {
                        ImportSpecifier::Named(n) => (
                            &n.local,
                            match &n.imported {
                                Some(ModuleExportName::Ident(i)) => Some(&*i.sym),
                                Some(ModuleExportName::Str(_)) => None,
                                None => Some(&*n.local.sym),
                            },
                        ),
                        ImportSpecifier::Default(d) => (&d.local, Some("default")),
                        ImportSpecifier::Namespace(n) => (&n.local, None),
                    };
                    self.bindings
                        .insert(&local.sym, Binding::Import { source, imported });
                }
            }
            ModuleDecl::ExportDecl(e) => self.decl(&e.decl, true),
            ModuleDecl::ExportDefaultDecl(e) => {
                self.default_export = Some(match &e.decl {
                    DefaultDecl::Fn(f) => {
                        if let Some(ident) = &f.ident {
                            self.bindings
                                .insert(&ident.sym, Binding::Function(&f.function));
                        }
                        DefaultExport::Function(&f.function, e.span)
                    }
                    DefaultDecl::Class(_) | DefaultDecl::TsInterfaceDecl(_) => {
                        DefaultExport::Class(e.span)
                    }
                });
            }
            ModuleDecl::ExportDefaultExpr(e) => {
                self.default_export = Some(DefaultExport::Expr(&e.expr, e.span));
            }
            ModuleDecl::ExportAll(all) => {
                if let Some(source) = all.src.value.as_atom() {
                    self.sources.push(source.as_str());
                }
            }
            ModuleDecl::ExportNamed(named) => {
                let source = named
                    .src
                    .as_ref()
                    .and_then(|s| s.value.as_atom().map(|a| a.as_str()));
                self.sources.extend(source);
                for specifier in &named.specifiers {
                    let swc_ecma_ast::ExportSpecifier::Named(n) = specifier else {
                        continue;
                    };
                    let orig = export_name(&n.orig);
                    let exported = n.exported.as_ref().map_or(orig, export_name);
                    if exported == "default" {
                        self.default_export = Some(match source {
                            Some(source) => DefaultExport::ReExport(source, named.span),
                            None => DefaultExport::Name(orig, named.span),
                        });
                    } else {
                        self.named_exports.push((exported.to_owned(), n.span));
                        if exported == "config" && source.is_none() {
                            if let Some(Binding::Value(init)) = self.binding(orig) {
                                self.config = Some((init, n.span));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// `module.exports = x`, `exports.default = x`, `module.exports.config = {…}`.
    fn commonjs_export(&mut self, expr: &'a Expr) {
        let Expr::Assign(assign) = expr else { return };
        let AssignTarget::Simple(SimpleAssignTarget::Member(target)) = &assign.left else {
            return;
        };
        let path = member_path(&Expr::Member(target.clone()));
        match path.as_deref() {
            Some("module.exports" | "exports.default" | "module.exports.default") => {
                self.default_export = Some(DefaultExport::Expr(&assign.right, assign.span));
            }
            Some("module.exports.config" | "exports.config") => {
                self.config = Some((&assign.right, assign.span));
            }
            _ => {}
        }
    }
}

fn export_name(name: &ModuleExportName) -> &str {
    match name {
        ModuleExportName::Ident(i) => &i.sym,
        ModuleExportName::Str(s) => s.value.as_atom().map_or("", |a| a.as_str()),
    }
}

/// `a.b.c` as text, for plain identifier chains.
fn member_path(expr: &Expr) -> Option<String> {
    match unwrap(expr) {
        Expr::Ident(i) => Some(i.sym.to_string()),
        Expr::Member(m) => Some(format!(
            "{}.{}",
            member_path(&m.obj)?,
            member_name(&m.prop)?
        )),
        _ => None,
    }
}

/// `require('x')` (also `require('x').default` and `require('x').y`).
fn require_source(expr: &Expr) -> Option<&str> {
    match unwrap(expr) {
        Expr::Call(call) => {
            let Callee::Expr(callee) = &call.callee else {
                return None;
            };
            if ident_name(callee) != Some("require") {
                return None;
            }
            match call.args.first().map(|a| unwrap(&a.expr)) {
                Some(Expr::Lit(swc_ecma_ast::Lit::Str(s))) => s.value.as_atom().map(|a| a.as_str()),
                _ => None,
            }
        }
        Expr::Member(m) => require_source(&m.obj),
        _ => None,
    }
}

/// Names bound by a destructuring pattern.
fn pattern_names(pat: &Pat) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    collect_names(pat, &mut out);
    out
}

fn collect_names<'a>(pat: &'a Pat, out: &mut Vec<(&'a str, Span)>) {
    match pat {
        Pat::Ident(b) => out.push((&b.id.sym, b.id.span)),
        Pat::Object(o) => {
            for prop in &o.props {
                match prop {
                    swc_ecma_ast::ObjectPatProp::KeyValue(kv) => collect_names(&kv.value, out),
                    swc_ecma_ast::ObjectPatProp::Assign(a) => out.push((&a.key.sym, a.key.span)),
                    swc_ecma_ast::ObjectPatProp::Rest(r) => collect_names(&r.arg, out),
                }
            }
        }
        Pat::Array(a) => a.elems.iter().flatten().for_each(|p| collect_names(p, out)),
        Pat::Assign(a) => collect_names(&a.left, out),
        Pat::Rest(r) => collect_names(&r.arg, out),
        _ => {}
    }
}
