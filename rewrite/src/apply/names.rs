//! The identifiers a module already uses, so that a name a rewrite introduces (`query`,
//! `body`, `route`, `pagesHandler`) never captures or shadows one of them. Property names
//! (`req.query`, `{ query: 1 }`) are not identifiers and do not count.

use rustc_hash::FxHashMap;
use swc_ecma_ast::{Ident, Program};
use swc_ecma_visit::{Visit, VisitWith};

/// The identifiers of one module.
#[derive(Debug, Default)]
pub struct Names(FxHashMap<String, usize>);

impl Names {
    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// How many times the name occurs as an identifier.
    pub fn count(&self, name: &str) -> usize {
        self.0.get(name).copied().unwrap_or(0)
    }
}

/// Every identifier of the program (bindings and references).
pub fn identifiers(program: &Program) -> Names {
    let mut collector = Collector::default();
    program.visit_with(&mut collector);
    Names(collector.names)
}

#[derive(Default)]
struct Collector {
    names: FxHashMap<String, usize>,
}

/// The members of an object type (`type Data = { body: string }`, an interface's `query(): X`)
/// are named by plain identifiers in swc's tree, but they are property names: skipped, so a
/// type's `body` does not make the route's `body` local `body2`. A computed key
/// (`[key]: string`) is an expression and counts.
impl Visit for Collector {
    fn visit_ts_property_signature(&mut self, signature: &swc_ecma_ast::TsPropertySignature) {
        if signature.computed {
            signature.key.visit_with(self);
        }
        signature.type_ann.visit_with(self);
    }

    fn visit_ts_method_signature(&mut self, signature: &swc_ecma_ast::TsMethodSignature) {
        if signature.computed {
            signature.key.visit_with(self);
        }
        signature.params.visit_with(self);
        signature.type_ann.visit_with(self);
        signature.type_params.visit_with(self);
    }

    fn visit_ts_getter_signature(&mut self, signature: &swc_ecma_ast::TsGetterSignature) {
        if signature.computed {
            signature.key.visit_with(self);
        }
        signature.type_ann.visit_with(self);
    }

    fn visit_ts_setter_signature(&mut self, signature: &swc_ecma_ast::TsSetterSignature) {
        if signature.computed {
            signature.key.visit_with(self);
        }
        signature.param.visit_with(self);
    }

    fn visit_ident(&mut self, ident: &Ident) {
        // Most identifiers repeat (`req`, `res`): count those without allocating a key.
        if let Some(count) = self.names.get_mut(ident.sym.as_str()) {
            *count += 1;
        } else {
            self.names.insert(ident.sym.to_string(), 1);
        }
    }
}

/// Where a name is looked up: as a value (`Response.json`, `new Headers()`) or as a type (`req:
/// Request`). TypeScript keeps them apart: a `type Response` does not capture the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Namespace {
    Value,
    Type,
}

/// Whether the module binds `name` in `namespace` anywhere (a declaration, import, parameter,
/// type, class or catch binding, at any depth): a rewrite that writes `name` meaning the global
/// (`Response`, `Headers`) or a name it imports would then mean that binding instead.
pub fn binds(program: &Program, name: &str, namespace: Namespace) -> bool {
    let mut finder = Binder {
        name,
        namespace,
        type_only_import: false,
        found: false,
    };
    program.visit_with(&mut finder);
    finder.found
}

struct Binder<'n> {
    name: &'n str,
    namespace: Namespace,
    type_only_import: bool,
    found: bool,
}

impl Binder<'_> {
    /// `ident` binds in `value` and/or `type` space.
    fn check(&mut self, ident: &Ident, value: bool, ty: bool) {
        let space = match self.namespace {
            Namespace::Value => value,
            Namespace::Type => ty,
        };
        self.found |= space && ident.sym == *self.name;
    }
}

impl Visit for Binder<'_> {
    fn visit_binding_ident(&mut self, binding: &swc_ecma_ast::BindingIdent) {
        self.check(&binding.id, true, false);
    }
    fn visit_fn_decl(&mut self, decl: &swc_ecma_ast::FnDecl) {
        self.check(&decl.ident, true, false);
        decl.visit_children_with(self);
    }
    fn visit_fn_expr(&mut self, expr: &swc_ecma_ast::FnExpr) {
        if let Some(ident) = &expr.ident {
            self.check(ident, true, false);
        }
        expr.visit_children_with(self);
    }
    fn visit_class_decl(&mut self, decl: &swc_ecma_ast::ClassDecl) {
        self.check(&decl.ident, true, true);
        decl.visit_children_with(self);
    }
    fn visit_class_expr(&mut self, expr: &swc_ecma_ast::ClassExpr) {
        if let Some(ident) = &expr.ident {
            self.check(ident, true, true);
        }
        expr.visit_children_with(self);
    }
    fn visit_import_decl(&mut self, decl: &swc_ecma_ast::ImportDecl) {
        self.type_only_import = decl.type_only;
        decl.visit_children_with(self);
        self.type_only_import = false;
    }
    fn visit_import_named_specifier(&mut self, s: &swc_ecma_ast::ImportNamedSpecifier) {
        let value = !self.type_only_import && !s.is_type_only;
        self.check(&s.local, value, true);
    }
    fn visit_import_default_specifier(&mut self, s: &swc_ecma_ast::ImportDefaultSpecifier) {
        self.check(&s.local, !self.type_only_import, true);
    }
    fn visit_import_star_as_specifier(&mut self, s: &swc_ecma_ast::ImportStarAsSpecifier) {
        self.check(&s.local, !self.type_only_import, true);
    }
    fn visit_ts_type_alias_decl(&mut self, decl: &swc_ecma_ast::TsTypeAliasDecl) {
        self.check(&decl.id, false, true);
        decl.visit_children_with(self);
    }
    fn visit_ts_interface_decl(&mut self, decl: &swc_ecma_ast::TsInterfaceDecl) {
        self.check(&decl.id, false, true);
        decl.visit_children_with(self);
    }
    fn visit_ts_enum_decl(&mut self, decl: &swc_ecma_ast::TsEnumDecl) {
        self.check(&decl.id, true, true);
        decl.visit_children_with(self);
    }
    fn visit_ts_module_decl(&mut self, decl: &swc_ecma_ast::TsModuleDecl) {
        if let swc_ecma_ast::TsModuleName::Ident(ident) = &decl.id {
            self.check(ident, true, true);
        }
        decl.visit_children_with(self);
    }
    fn visit_ts_type_param(&mut self, param: &swc_ecma_ast::TsTypeParam) {
        self.check(&param.name, false, true);
        param.visit_children_with(self);
    }
    fn visit_ts_import_equals_decl(&mut self, decl: &swc_ecma_ast::TsImportEqualsDecl) {
        self.check(&decl.id, true, true);
    }
}

/// `base`, or `base2`, `base3`, … when the name is taken.
pub fn fresh(base: &str, taken: &Names) -> String {
    let mut name = base.to_owned();
    let mut suffix = 1;
    while taken.contains(&name) {
        suffix += 1;
        name = format!("{base}{suffix}");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn bindings_are_told_from_references_and_types_from_values() {
        let text = "import { Response } from './x'; type Request = {}; function f<Headers>() {} \
                    import type { Body } from './y'; new URL(Buffer.from(''))";
        let program = parse::parse(text, "ts").unwrap().program;
        let (value, ty) = (Namespace::Value, Namespace::Type);
        assert!(binds(&program, "Response", value) && binds(&program, "Response", ty));
        assert!(binds(&program, "Request", ty) && !binds(&program, "Request", value));
        assert!(binds(&program, "Headers", ty) && !binds(&program, "Headers", value));
        assert!(binds(&program, "Body", ty) && !binds(&program, "Body", value));
        assert!(binds(&program, "f", value));
        for used in ["URL", "Buffer"] {
            assert!(!binds(&program, used, value) && !binds(&program, used, ty));
        }
        let text = "try {} catch (Headers) {} const { a: Response } = b";
        let program = parse::parse(text, "ts").unwrap().program;
        assert!(binds(&program, "Headers", value) && binds(&program, "Response", value));
    }

    #[test]
    fn property_names_are_not_taken() {
        let text = "const a = req.query; const b = { body: 1 }; function route() {}";
        let names = identifiers(&parse::parse(text, "ts").unwrap().program);
        assert_eq!(fresh("query", &names), "query");
        assert_eq!(fresh("body", &names), "body");
        assert_eq!(fresh("route", &names), "route2");
    }

    /// The members of object types and interfaces are property names too; a computed key and
    /// the types the members name are identifiers.
    #[test]
    fn type_members_are_not_taken() {
        let text = "type Data = { body: string; query?: Q; [key]: string }\n\
                    interface I { headers(): H; get cookies(): C; set url(v: V) }";
        let names = identifiers(&parse::parse(text, "ts").unwrap().program);
        for free in ["body", "query", "headers", "cookies", "url"] {
            assert_eq!(fresh(free, &names), free);
        }
        for taken in ["key", "Q", "H", "C", "v", "V", "Data", "I"] {
            assert!(names.contains(taken), "{taken}");
        }
    }
}
