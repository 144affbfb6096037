//! The handler model: what `apply` walks to rewrite a `pages/api` module. Where `check` reports
//! a summary, this keeps the places: the handler function and its parameters, the export
//! statement and each wrapper call, each dispatch branch and the fallback, the statements before
//! the dispatch, the imports, `config` and segment exports, and every comment. Every range is a
//! [`TextRange`], a byte range into the file's text; `req`/`res` uses are
//! [`Analysis::uses`](super::Analysis::uses), each with its statement, site and arguments.

use swc_common::Spanned;
use swc_ecma_ast::{
    Decl, Expr, ImportDecl, ImportSpecifier, Lit, ModuleDecl, ModuleExportName, ModuleItem, Pat,
    Program,
};

use super::config::PageConfig;
use super::dispatch::{Branch, Dispatch, Fallback};
use super::handler::{Handler, Wrapper};
use super::syntax::{pat_ident, string_value, unwrap, FnLike};
use crate::diagnostic::TextRange;
use crate::parse::{self, Comment};

/// Everything a rewrite of one `pages/api` module needs to know, by position.
#[derive(Debug, Clone)]
pub struct HandlerModel {
    /// The default-export statement (`export default …`, `export { h as default }`,
    /// `module.exports = …`).
    pub export: Option<TextRange>,
    /// The innermost function taking `(req, res)`, when there is one.
    pub function: Option<FunctionModel>,
    /// The calls around the handler, outermost first.
    pub wrappers: Vec<Wrapper>,
    /// The statements of the handler's body before the dispatch (run by every method).
    pub prelude: Option<TextRange>,
    /// Each dispatch branch, in source order.
    pub branches: Vec<Branch>,
    /// What the methods no branch serves get, and the statements that answer them.
    pub fallback: Fallback,
    pub fallback_range: Option<TextRange>,
    pub imports: Vec<Import>,
    /// `export const config = …` (or `module.exports.config = …`): the whole statement and
    /// what it sets.
    pub config: Option<ConfigStatement>,
    /// `export const runtime = 'edge'`, `export const maxDuration = 30`, …
    pub segment_exports: Vec<SegmentExport>,
    /// Every comment of the file, in source order.
    pub comments: Vec<Comment>,
    /// Methods whose code lives in another module of the project, loaded by a method table
    /// (`{ GET: import('./_get') }`): `apply` moves those modules with this file.
    pub method_modules: Vec<MethodModule>,
    /// What the module exports beside its handler and segment config (`authOptions`): a
    /// route file cannot export it, so `apply` moves the module beside its route file.
    pub exports_beside_handler: Vec<String>,
    /// The types it exports, which its route file keeps.
    pub type_exports: Vec<String>,
}

/// A method of a table whose handler is another module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodModule {
    /// Uppercase.
    pub method: String,
    /// The specifier as written (`./_get`).
    pub source: String,
}

/// The handler function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionModel {
    pub range: TextRange,
    pub params: Vec<Param>,
    /// The body: a block (braces included) or an arrow's expression.
    pub body: TextRange,
    pub is_async: bool,
    pub is_arrow: bool,
}

/// A parameter: its name when it is a plain identifier (possibly with a default), and where it
/// is (type annotation included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: Option<String>,
    pub range: TextRange,
}

/// One `import` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub range: TextRange,
    pub source: String,
    /// `import type { … } from …`.
    pub type_only: bool,
    pub specifiers: Vec<ImportedName>,
}

/// One name an import binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedName {
    pub local: String,
    /// The exported name, for named imports (`{ a as b }`: `a`); `None` for default and
    /// namespace imports.
    pub imported: Option<String>,
    pub kind: ImportKind,
    /// `import { type A }`, or the whole import is type-only.
    pub type_only: bool,
    pub range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Default,
    Named,
    Namespace,
}

/// The statement that exports `config`, and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigStatement {
    pub statement: TextRange,
    pub values: PageConfig,
}

/// A top-level `export const name = literal` Next reads as route configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentExport {
    pub name: String,
    pub value: Literal,
    pub statement: TextRange,
}

/// A literal value, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Number(f64),
    Bool(bool),
    /// Anything else (an expression we do not evaluate).
    Other,
}

/// The exports Next reads as segment configuration of a route.
const SEGMENT_EXPORTS: &[&str] = &[
    "runtime",
    "maxDuration",
    "preferredRegion",
    "dynamic",
    "dynamicParams",
    "revalidate",
    "fetchCache",
];

impl HandlerModel {
    /// The index of the dispatch branch a range lies in, if any.
    pub fn branch_of(&self, range: TextRange) -> Option<usize> {
        self.branches
            .iter()
            .position(|b| b.body.start <= range.start && range.end <= b.body.end)
    }

    /// The comments inside a range: what an edit replacing it would swallow.
    pub fn comments_in(&self, range: TextRange) -> impl Iterator<Item = &Comment> {
        self.comments
            .iter()
            .filter(move |c| range.start <= c.range.start && c.range.end <= range.end)
    }
}

/// Builds the model of a module from the pieces the analysis found.
pub fn build(
    program: &Program,
    comments: Vec<Comment>,
    handler: &Handler,
    dispatch: &Dispatch,
    config: Option<&PageConfig>,
) -> HandlerModel {
    let function = handler.function.map(function_model);
    let prelude = handler
        .function
        .and_then(|f| f.body_stmts())
        .zip(dispatch.span)
        .and_then(|(body, dispatch_span)| {
            let before: Vec<TextRange> = body
                .iter()
                .map(|s| parse::range(s.span()))
                .take_while(|r| r.end <= dispatch_span.start)
                .collect();
            Some(TextRange::new(before.first()?.start, before.last()?.end))
        });
    let (spans, decls) = top_level(program);
    HandlerModel {
        export: handler.span.map(parse::range),
        function,
        wrappers: handler.wrappers.clone(),
        prelude,
        branches: dispatch.branches.clone(),
        fallback: dispatch.fallback,
        fallback_range: dispatch.fallback_range,
        imports: decls.iter().filter_map(|decl| import(decl)).collect(),
        config: config.and_then(|values| {
            let at = values.range?;
            let statement = spans
                .iter()
                .copied()
                .find(|r| r.start <= at.start && at.end <= r.end)?;
            Some(ConfigStatement {
                statement,
                values: values.clone(),
            })
        }),
        segment_exports: decls
            .iter()
            .flat_map(|decl| segment_exports(decl))
            .collect(),
        comments,
        method_modules: handler
            .method_table
            .iter()
            .filter_map(|entry| {
                Some(MethodModule {
                    method: entry.method.to_owned(),
                    source: entry.module?.to_owned(),
                })
            })
            .collect(),
        // Filled in by the caller, which has the text the top-level reader needs.
        exports_beside_handler: Vec::new(),
        type_exports: Vec::new(),
    }
}

/// The range of every top-level item, and the module declarations among them.
fn top_level(program: &Program) -> (Vec<TextRange>, Vec<&ModuleDecl>) {
    match program {
        Program::Module(m) => (
            m.body
                .iter()
                .map(|item| parse::range(item.span()))
                .collect(),
            m.body
                .iter()
                .filter_map(|item| match item {
                    ModuleItem::ModuleDecl(decl) => Some(decl),
                    ModuleItem::Stmt(_) => None,
                })
                .collect(),
        ),
        Program::Script(s) => (
            s.body
                .iter()
                .map(|stmt| parse::range(stmt.span()))
                .collect(),
            Vec::new(),
        ),
    }
}

pub fn function_model(function: FnLike) -> FunctionModel {
    let (body, is_async, is_arrow) = match function {
        FnLike::Function(f) => (
            f.body.as_ref().map_or(f.span, |b| b.span),
            f.is_async,
            false,
        ),
        FnLike::Arrow(a) => (a.body.span(), a.is_async, true),
    };
    FunctionModel {
        range: parse::range(function.span()),
        params: function
            .params()
            .iter()
            .map(|p| Param {
                name: pat_ident(p).map(str::to_owned),
                range: parse::range(p.span()),
            })
            .collect(),
        body: parse::range(body),
        is_async,
        is_arrow,
    }
}

fn import(decl: &ModuleDecl) -> Option<Import> {
    let ModuleDecl::Import(decl) = decl else {
        return None;
    };
    let ImportDecl {
        span,
        specifiers,
        src,
        type_only,
        ..
    } = decl;
    Some(Import {
        range: parse::range(*span),
        source: src
            .value
            .as_atom()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        type_only: *type_only,
        specifiers: specifiers
            .iter()
            .map(|specifier| match specifier {
                ImportSpecifier::Named(n) => ImportedName {
                    local: n.local.sym.to_string(),
                    imported: Some(n.imported.as_ref().map_or_else(
                        || n.local.sym.to_string(),
                        |name| match name {
                            ModuleExportName::Ident(i) => i.sym.to_string(),
                            ModuleExportName::Str(s) => {
                                s.value.as_atom().map(|a| a.to_string()).unwrap_or_default()
                            }
                        },
                    )),
                    kind: ImportKind::Named,
                    type_only: *type_only || n.is_type_only,
                    range: parse::range(n.span),
                },
                ImportSpecifier::Default(d) => ImportedName {
                    local: d.local.sym.to_string(),
                    imported: None,
                    kind: ImportKind::Default,
                    type_only: *type_only,
                    range: parse::range(d.span),
                },
                ImportSpecifier::Namespace(n) => ImportedName {
                    local: n.local.sym.to_string(),
                    imported: None,
                    kind: ImportKind::Namespace,
                    type_only: *type_only,
                    range: parse::range(n.span),
                },
            })
            .collect(),
    })
}

fn segment_exports(decl: &ModuleDecl) -> Vec<SegmentExport> {
    let ModuleDecl::ExportDecl(export) = decl else {
        return Vec::new();
    };
    let Decl::Var(var) = &export.decl else {
        return Vec::new();
    };
    var.decls
        .iter()
        .filter_map(|d| {
            let Pat::Ident(name) = &d.name else {
                return None;
            };
            let name = name.id.sym.as_str();
            if !SEGMENT_EXPORTS.contains(&name) {
                return None;
            }
            Some(SegmentExport {
                name: name.to_owned(),
                value: d.init.as_deref().map_or(Literal::Other, literal),
                statement: parse::range(export.span),
            })
        })
        .collect()
}

fn literal(expr: &Expr) -> Literal {
    if let Some(s) = string_value(expr) {
        return Literal::String(s.to_owned());
    }
    match unwrap(expr) {
        Expr::Lit(Lit::Num(n)) => Literal::Number(n.value),
        Expr::Lit(Lit::Bool(b)) => Literal::Bool(b.value),
        _ => Literal::Other,
    }
}
