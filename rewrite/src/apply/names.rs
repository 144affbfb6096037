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

impl Visit for Collector {
    fn visit_ident(&mut self, ident: &Ident) {
        // Most identifiers repeat (`req`, `res`): count those without allocating a key.
        if let Some(count) = self.names.get_mut(ident.sym.as_str()) {
            *count += 1;
        } else {
            self.names.insert(ident.sym.to_string(), 1);
        }
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
    fn property_names_are_not_taken() {
        let text = "const a = req.query; const b = { body: 1 }; function route() {}";
        let names = identifiers(&parse::parse(text, "ts").unwrap().program);
        assert_eq!(fresh("query", &names), "query");
        assert_eq!(fresh("body", &names), "body");
        assert_eq!(fresh("route", &names), "route2");
    }
}
