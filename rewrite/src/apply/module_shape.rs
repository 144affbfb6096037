//! The top level of a `pages/api` module as a move to a route file sees it: how the handler is
//! exported, the `config` statement, segment exports, and any other export (which a route file
//! may not have: Next's build rejects exports other than methods and segment config).

use swc_common::Spanned;
use swc_ecma_ast::{
    AssignTarget, Decl, DefaultDecl, Expr, MemberProp, ModuleDecl, ModuleExportName, ModuleItem,
    Program, SimpleAssignTarget, Stmt,
};

use crate::analysis::syntax::unwrap;
use crate::diagnostic::TextRange;
use crate::parse;

/// How the module exports its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerExport {
    /// `export default function handler(…) {…}` (or a named class): deleting `prefix` leaves a
    /// declaration of `name`.
    NamedDeclaration { prefix: TextRange, name: String },
    /// `export default function (…) {…}`, `export default withAuth(h)`, `module.exports = …`:
    /// `prefix` becomes `const <name> = `.
    Expression { prefix: TextRange },
    /// `export default handler`, `export { handler as default }`, `module.exports = handler`:
    /// the statement goes and `name` is the handler.
    Name { statement: TextRange, name: String },
    /// `export { default } from './x'`: `prefix` (up to the source) becomes
    /// `import <name> from `.
    ReExport { prefix: TextRange },
}

/// `export const config = …` or `module.exports.config = …`: replacing `prefix` with
/// `replacement` keeps the value as a module-local `config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigExport {
    pub prefix: TextRange,
    pub replacement: &'static str,
    pub statement: TextRange,
}

/// What the top level holds.
#[derive(Debug, Clone, Default)]
pub struct ModuleShape {
    pub handler: Option<HandlerExport>,
    pub config: Option<ConfigExport>,
    /// `export const runtime = …` and other segment exports: name and whole statement.
    pub segment_exports: Vec<(String, TextRange)>,
    /// Exports a route file cannot keep, with where they are.
    pub other_exports: Vec<(String, TextRange)>,
    /// Exported types (`export interface X`, `export type X = …`, `export type { X }`): a route
    /// file keeps them, and what imports them may import them from there.
    pub type_exports: Vec<String>,
    /// The end of the last `import` declaration, where a new import goes.
    pub imports_end: Option<u32>,
    /// Where the first statement starts (after leading comments).
    pub first_item: Option<u32>,
    pub module_syntax: bool,
}

/// Segment config a route file may export and that means the same there as in a Pages file.
const KEPT_SEGMENT_EXPORTS: &[&str] = &["runtime", "maxDuration", "preferredRegion"];

pub fn read(program: &Program, text: &str) -> ModuleShape {
    let mut shape = ModuleShape::default();
    // Borrowed, not cloned: a script's statements are read like a module's.
    let items: Vec<(TopLevel, TextRange)> = match program {
        Program::Module(module) => {
            shape.module_syntax = true;
            module
                .body
                .iter()
                .map(|item| {
                    let span = parse::range(item.span());
                    match item {
                        ModuleItem::ModuleDecl(decl) => (TopLevel::Declaration(decl), span),
                        ModuleItem::Stmt(stmt) => (TopLevel::Statement(stmt), span),
                    }
                })
                .collect()
        }
        Program::Script(script) => script
            .body
            .iter()
            .map(|stmt| (TopLevel::Statement(stmt), parse::range(stmt.span())))
            .collect(),
    };
    shape.first_item = items.first().map(|(_, span)| span.start);
    for (item, span) in items {
        match item {
            TopLevel::Declaration(decl) => read_decl(decl, span, text, &mut shape),
            TopLevel::Statement(stmt) => read_commonjs(stmt, span, &mut shape),
        }
    }
    shape
}

/// A top-level item, borrowed from a module or a script.
enum TopLevel<'a> {
    Declaration(&'a ModuleDecl),
    Statement(&'a Stmt),
}

fn read_decl(decl: &ModuleDecl, span: TextRange, text: &str, shape: &mut ModuleShape) {
    match decl {
        ModuleDecl::Import(_) => shape.imports_end = Some(span.end),
        ModuleDecl::ExportDefaultDecl(export) => {
            let ident = match &export.decl {
                DefaultDecl::Fn(f) => f.ident.as_ref(),
                DefaultDecl::Class(c) => c.ident.as_ref(),
                DefaultDecl::TsInterfaceDecl(_) => return,
            };
            let prefix = TextRange::new(span.start, after_default_keyword(text, span.start));
            shape.handler = Some(match ident {
                Some(ident) => HandlerExport::NamedDeclaration {
                    prefix,
                    name: ident.sym.to_string(),
                },
                None => HandlerExport::Expression { prefix },
            });
        }
        ModuleDecl::ExportDefaultExpr(export) => {
            shape.handler = Some(match unwrap(&export.expr) {
                Expr::Ident(ident) => HandlerExport::Name {
                    statement: span,
                    name: ident.sym.to_string(),
                },
                _ => HandlerExport::Expression {
                    prefix: TextRange::new(span.start, parse::range(export.expr.span()).start),
                },
            });
        }
        ModuleDecl::ExportDecl(export) => {
            let inner = parse::range(export.decl.span());
            let keyword = TextRange::new(span.start, inner.start);
            match &export.decl {
                Decl::Var(var) => {
                    for declarator in &var.decls {
                        let name = crate::analysis::syntax::pat_ident(&declarator.name)
                            .unwrap_or("(pattern)")
                            .to_owned();
                        if name == "config" && var.decls.len() == 1 {
                            shape.config = Some(ConfigExport {
                                prefix: keyword,
                                replacement: "",
                                statement: span,
                            });
                        } else if KEPT_SEGMENT_EXPORTS.contains(&name.as_str())
                            && var.decls.len() == 1
                        {
                            shape.segment_exports.push((name, span));
                        } else {
                            shape.other_exports.push((name, span));
                        }
                    }
                }
                // Types are not exports Next looks at.
                Decl::TsInterface(i) => shape.type_exports.push(i.id.sym.to_string()),
                Decl::TsTypeAlias(t) => shape.type_exports.push(t.id.sym.to_string()),
                Decl::TsModule(m) if m.declare => {}
                Decl::Fn(f) => shape.other_exports.push((f.ident.sym.to_string(), span)),
                Decl::Class(c) => shape.other_exports.push((c.ident.sym.to_string(), span)),
                Decl::TsEnum(e) => shape.other_exports.push((e.id.sym.to_string(), span)),
                Decl::TsModule(_) | Decl::Using(_) => {
                    shape.other_exports.push(("(declaration)".to_owned(), span));
                }
            }
        }
        ModuleDecl::ExportNamed(named) if named.type_only => {
            for specifier in &named.specifiers {
                if let swc_ecma_ast::ExportSpecifier::Named(n) = specifier {
                    let name = n.exported.as_ref().unwrap_or(&n.orig);
                    shape.type_exports.push(export_name(name));
                }
            }
        }
        ModuleDecl::ExportNamed(named) => read_named_export(named, span, shape),
        ModuleDecl::ExportAll(_) => shape.other_exports.push(("*".to_owned(), span)),
        _ => {}
    }
}

/// `export { h as default }`, `export { default } from './x'`, and other named exports.
fn read_named_export(named: &swc_ecma_ast::NamedExport, span: TextRange, shape: &mut ModuleShape) {
    let exported = |s: &swc_ecma_ast::ExportSpecifier| match s {
        swc_ecma_ast::ExportSpecifier::Named(n) => {
            let local = export_name(&n.orig);
            let exported = n
                .exported
                .as_ref()
                .map_or_else(|| local.clone(), export_name);
            (local, exported, n.is_type_only)
        }
        swc_ecma_ast::ExportSpecifier::Default(d) => {
            (d.exported.sym.to_string(), "default".to_owned(), false)
        }
        swc_ecma_ast::ExportSpecifier::Namespace(n) => {
            ("*".to_owned(), export_name(&n.name), false)
        }
    };
    let specifiers: Vec<(String, String, bool)> = named
        .specifiers
        .iter()
        .map(exported)
        .filter(|e| !e.2)
        .collect();
    if let (Some(src), [(local, exported, _)]) = (&named.src, specifiers.as_slice()) {
        if local == "default" && exported == "default" {
            let source = parse::range(src.span);
            shape.handler = Some(HandlerExport::ReExport {
                prefix: TextRange::new(span.start, source.start),
            });
            return;
        }
    }
    if named.src.is_none() && specifiers.len() == 1 && specifiers[0].1 == "default" {
        shape.handler = Some(HandlerExport::Name {
            statement: span,
            name: specifiers[0].0.clone(),
        });
    } else {
        for (_, exported, _) in specifiers {
            shape.other_exports.push((exported, span));
        }
    }
}

/// `module.exports = handler` and `module.exports = wrap(h)` (`CommonJS` handlers), and
/// `module.exports.config = …`; any other `exports.x = …` is an export a route file cannot
/// keep.
fn read_commonjs(stmt: &Stmt, span: TextRange, shape: &mut ModuleShape) {
    let Stmt::Expr(expr) = stmt else {
        return;
    };
    let Expr::Assign(assign) = &*expr.expr else {
        return;
    };
    let AssignTarget::Simple(SimpleAssignTarget::Member(member)) = &assign.left else {
        return;
    };
    let object = unwrap(&member.obj);
    let prop = match &member.prop {
        MemberProp::Ident(p) => p.sym.to_string(),
        _ => String::new(),
    };
    let is_module_exports =
        matches!(object, Expr::Ident(i) if i.sym == *"module") && prop == "exports";
    if is_module_exports {
        shape.handler = Some(match unwrap(&assign.right) {
            Expr::Ident(ident) => HandlerExport::Name {
                statement: span,
                name: ident.sym.to_string(),
            },
            _ => HandlerExport::Expression {
                prefix: TextRange::new(span.start, parse::range(assign.right.span()).start),
            },
        });
        return;
    }
    let on_exports = matches!(object, Expr::Ident(i) if i.sym == *"exports")
        || matches!(object, Expr::Member(m) if matches!(unwrap(&m.obj), Expr::Ident(i) if i.sym == *"module"));
    // `exports.default = …` (compiled ES modules): the default export Next loads.
    if on_exports && prop == "default" {
        shape.handler = Some(HandlerExport::Expression {
            prefix: TextRange::new(span.start, parse::range(assign.right.span()).start),
        });
        return;
    }
    if on_exports && prop == "config" && shape.config.is_none() {
        shape.config = Some(ConfigExport {
            prefix: TextRange::new(span.start, parse::range(assign.right.span()).start),
            replacement: "const config = ",
            statement: span,
        });
    } else if on_exports {
        shape.other_exports.push((format!("exports.{prop}"), span));
    }
}

fn export_name(name: &ModuleExportName) -> String {
    match name {
        ModuleExportName::Ident(i) => i.sym.to_string(),
        ModuleExportName::Str(s) => s.value.as_atom().map(|a| a.to_string()).unwrap_or_default(),
    }
}

/// The offset after `export default` and the whitespace that follows it.
fn after_default_keyword(text: &str, export_start: u32) -> u32 {
    let rest = &text[export_start as usize..];
    let after_export = rest.strip_prefix("export").unwrap_or(rest).trim_start();
    let after_default = after_export.strip_prefix("default").unwrap_or(after_export);
    let declaration = after_default.trim_start();
    export_start + (rest.len() - declaration.len()) as u32
}
