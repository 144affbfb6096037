//! Library recipes: the App Router form of the entry points people have, used only when the
//! Pages entry point is written exactly the way the recipe expects.
//!
//! - NextAuth.js v4: `export default NextAuth(options)` → `const handler = NextAuth(options)`
//!   exported as GET and POST (v4's `NextAuth` returns a function that serves both routers:
//!   it tells them apart by its second argument).
//! - tRPC v10/v11: `export default createNextApiHandler({ router, createContext: () => … })` →
//!   `fetchRequestHandler({ endpoint, req, router, … })` from `@trpc/server/adapters/fetch`,
//!   exported as GET and POST; only when `createContext` takes no arguments (the Pages one
//!   gets `{ req, res }`, the fetch one `{ req, resHeaders }`).
//! - GraphQL Yoga: `export default createYoga({ … })` → `const { handleRequest } =
//!   createYoga({ …, fetchAPI: { Response } })` and a `handler(request)` calling it, exported as
//!   GET, POST and OPTIONS; only when the
//!   module never mentions a `context`, `req` or `res` (Yoga's context holds `req`/`res` under
//!   Pages and the route's `{ params }` as a route handler, so resolvers reading them would
//!   change) and `createYoga` takes no type arguments.

use swc_ecma_ast::{
    Callee, Expr, ImportSpecifier, ModuleDecl, ModuleItem, Program, Prop, PropName, PropOrSpread,
};

use super::adapter::{export_list, import_edit};
use super::edit::{self, statement_with_line, Edit};
use super::idiomatic::Declared;
use super::imports;
use super::module_shape::ModuleShape;
use super::names::{self, Names};
use super::style::Style;
use crate::analysis::syntax::unwrap;
use crate::diagnostic::TextRange;
use crate::parse;

/// A module rewritten by a recipe.
pub struct Cooked {
    pub text: String,
    pub recipe: &'static str,
    pub methods: Vec<&'static str>,
    /// How the library answers differently in its route-handler mode.
    pub declared: Vec<Declared>,
}

/// What a recipe needs.
pub struct Kitchen<'a> {
    pub text: &'a str,
    pub extension: &'a str,
    pub program: &'a Program,
    pub shape: &'a ModuleShape,
    pub style: Style,
    pub taken: &'a Names,
    /// The route's URL pattern (`/api/trpc/[trpc]`).
    pub pattern: &'a str,
    /// Edits that re-point the module's relative imports.
    pub import_edits: Vec<Edit>,
}

/// The recipe for `library`, when the module matches it exactly.
pub fn cook(kitchen: &Kitchen, library: &str) -> Result<Cooked, String> {
    if !kitchen.shape.other_exports.is_empty() {
        return Err("it exports more than its handler".to_owned());
    }
    let (statement, call) =
        default_export_call(kitchen.program).ok_or("the default export is not a call")?;
    let Callee::Expr(callee) = &call.callee else {
        return Err("the default export is not a call".to_owned());
    };
    match library {
        "next-auth" => next_auth(kitchen, statement, callee, call),
        "@trpc/server" | "@trpc/server/adapters/next" => trpc(kitchen, statement, callee, call),
        "graphql-yoga" => yoga(kitchen, statement, callee, call),
        _ => Err(format!("no recipe for `{library}`")),
    }
}

fn next_auth(
    kitchen: &Kitchen,
    statement: TextRange,
    callee: &Expr,
    call: &swc_ecma_ast::CallExpr,
) -> Result<Cooked, String> {
    next_auth_call(kitchen.program, callee, call)?;
    let handler = names::fresh("handler", kitchen.taken);
    let expression = parse::range(call.span);
    let mut edits = kitchen.import_edits.clone();
    edits.push(Edit::replacement(
        TextRange::new(statement.start, expression.start),
        format!("const {handler} = "),
    ));
    edits.extend(config_deletion(kitchen));
    let methods = vec!["GET", "POST"];
    let cooked = finish(kitchen, edits, &handler, &methods, "NextAuth.js v4")?;
    // In its route-handler mode NextAuth answers with `Response.json`.
    Ok(Cooked {
        declared: vec![Declared::JsonCharsetAndEtag],
        ..cooked
    })
}

/// `NextAuth(options)`, `NextAuth` being `next-auth`'s default export.
fn next_auth_call(
    program: &Program,
    callee: &Expr,
    call: &swc_ecma_ast::CallExpr,
) -> Result<(), String> {
    let Expr::Ident(ident) = unwrap(callee) else {
        return Err("`NextAuth` is not called by name".to_owned());
    };
    if imported_from(program, &ident.sym) != Some(("next-auth", None)) {
        return Err("the call is not `NextAuth` from `next-auth`".to_owned());
    }
    if call.args.len() != 1 || call.args[0].spread.is_some() {
        return Err("`NextAuth` is called with other than one options argument".to_owned());
    }
    Ok(())
}

/// The name of the library whose handler, the module's default export as it is, also serves
/// Web requests (NextAuth.js v4's `NextAuth(options)`, by the recipe's own test), so that a
/// route file may export it unchanged.
pub fn serving_itself(program: &Program, library: &str) -> Option<&'static str> {
    if library != "next-auth" {
        return None;
    }
    let (_, call) = default_export_call(program)?;
    let Callee::Expr(callee) = &call.callee else {
        return None;
    };
    next_auth_call(program, callee, call).ok()?;
    Some("NextAuth.js v4")
}

/// Options of `createNextApiHandler` that `fetchRequestHandler` takes the same way.
const TRPC_SHARED_OPTIONS: &[&str] = &[
    "router",
    "createContext",
    "onError",
    "batching",
    "responseMeta",
    "allowMethodOverride",
    "allowBatching",
];

fn trpc(
    kitchen: &Kitchen,
    statement: TextRange,
    callee: &Expr,
    call: &swc_ecma_ast::CallExpr,
) -> Result<Cooked, String> {
    let from_adapter = match unwrap(callee) {
        Expr::Ident(ident) => {
            imported_from(kitchen.program, &ident.sym)
                == Some(("@trpc/server/adapters/next", Some("createNextApiHandler")))
        }
        Expr::Member(member) => {
            let is_create = matches!(&member.prop, swc_ecma_ast::MemberProp::Ident(p) if p.sym == *"createNextApiHandler");
            let namespace = match unwrap(&member.obj) {
                Expr::Ident(ns) => imported_from(kitchen.program, &ns.sym),
                _ => None,
            };
            is_create && namespace == Some(("@trpc/server/adapters/next", Some("*")))
        }
        _ => false,
    };
    if !from_adapter {
        return Err("the call is not `createNextApiHandler` from tRPC's Next adapter".to_owned());
    }
    let [argument] = call.args.as_slice() else {
        return Err("`createNextApiHandler` takes other than one options object".to_owned());
    };
    let Expr::Object(options) = unwrap(&argument.expr) else {
        return Err("the options are not an object literal".to_owned());
    };
    check_trpc_options(options)?;
    // `/api/trpc/[trpc]` → `/api/trpc`: the procedure path is what follows.
    let endpoint = kitchen
        .pattern
        .rsplit_once('/')
        .filter(|(_, last)| {
            last.starts_with('[') && !last.starts_with("[[") && !last.starts_with("[...")
        })
        .map(|(endpoint, _)| endpoint)
        .ok_or("the route is not `…/[trpc]`")?;
    let handler = names::fresh("handler", kitchen.taken);
    let req = names::fresh("req", kitchen.taken);
    let typescript = kitchen.extension.contains("ts");
    let param = if typescript {
        format!("{req}: Request")
    } else {
        req.clone()
    };
    let object = parse::range(options.span);
    let inside = &kitchen.text[object.start as usize + 1..object.end as usize];
    let indent = inside
        .lines()
        .nth(1)
        .map_or("  ", |l| &l[..l.len() - l.trim_start().len()]);
    let q = kitchen.style.quote;
    let req_field = if req == "req" {
        req.clone()
    } else {
        format!("req: {req}")
    };
    let mut edits = kitchen.import_edits.clone();
    let import = format!(
        "import {{ fetchRequestHandler }} from {}{}",
        kitchen.style.string("@trpc/server/adapters/fetch"),
        kitchen.style.semi()
    );
    edits.push(import_edit(kitchen.text, kitchen.shape, &import));
    edits.push(Edit::replacement(
        TextRange::new(statement.start, object.start + 1),
        format!(
            "const {handler} = ({param}) => fetchRequestHandler({{\n{indent}endpoint: {q}{endpoint}{q},\n{indent}{req_field},"
        ),
    ));
    edits.extend(config_deletion(kitchen));
    let methods = vec!["GET", "POST"];
    // The Next adapter's import goes once nothing uses it.
    let adapter_import = |draft: &str| {
        imports::unused(
            kitchen.program,
            kitchen.text,
            draft,
            "@trpc/server/adapters/next",
            &|_| true,
        )
    };
    finish_with(
        kitchen,
        edits,
        &handler,
        &methods,
        "tRPC fetch adapter",
        &adapter_import,
    )
}

fn yoga(
    kitchen: &Kitchen,
    statement: TextRange,
    callee: &Expr,
    call: &swc_ecma_ast::CallExpr,
) -> Result<Cooked, String> {
    let Expr::Ident(callee_name) = unwrap(callee) else {
        return Err("`createYoga` is not called by name".to_owned());
    };
    if imported_from(kitchen.program, &callee_name.sym)
        != Some(("graphql-yoga", Some("createYoga")))
    {
        return Err("the call is not `createYoga` from `graphql-yoga`".to_owned());
    }
    if call.type_args.is_some() {
        return Err("`createYoga` is typed with the Pages `req`/`res` context".to_owned());
    }
    let [argument] = call.args.as_slice() else {
        return Err("`createYoga` takes other than one options object".to_owned());
    };
    let Expr::Object(options) = unwrap(&argument.expr) else {
        return Err("the options are not an object literal".to_owned());
    };
    for word in ["context", "req", "res"] {
        if imports::occurrences(kitchen.text, word) > 0 {
            return Err(format!(
                "the module mentions `{word}`: its resolvers may read the Pages context"
            ));
        }
    }
    let object = parse::range(options.span);
    let handle = names::fresh("handleRequest", kitchen.taken);
    let binding = if handle == "handleRequest" {
        handle.clone()
    } else {
        format!("handleRequest: {handle}")
    };
    let members = &kitchen.text[object.start as usize + 1..object.end as usize - 1];
    let indent = members
        .lines()
        .nth(1)
        .map_or("  ", |l| &l[..l.len() - l.trim_start().len()]);
    let trailing_comma = members.trim_end().ends_with(',');
    let comma = if trailing_comma { "" } else { "," };
    let mut edits = kitchen.import_edits.clone();
    edits.push(Edit::replacement(
        TextRange::new(statement.start, parse::range(call.span).start),
        format!("const {{ {binding} }} = "),
    ));
    // Yoga answers with the global `Response`, as its Next.js App Router guide sets it.
    let last_line_start = members.trim_end().len();
    edits.push(Edit::insertion(
        object.start + 1 + last_line_start as u32,
        format!("{comma}\n{indent}fetchAPI: {{ Response }},"),
    ));
    edits.extend(config_deletion(kitchen));
    // A function of the route's own shape (Next's route types reject Yoga's `(request, ctx)`).
    let handler = names::fresh("handler", kitchen.taken);
    let semi = kitchen.style.semi();
    let param = if kitchen.extension.contains("ts") {
        "request: Request"
    } else {
        "request"
    };
    edits.push(Edit::insertion(
        statement.end,
        format!(
            "\n\nfunction {handler}({param}) {{\n{indent}return {handle}(request, {{}}){semi}\n}}"
        ),
    ));
    let methods = vec!["GET", "POST", "OPTIONS"];
    finish(kitchen, edits, &handler, &methods, "GraphQL Yoga")
}

/// Every option is one the fetch adapter takes the same way, and `createContext` (if any)
/// takes no arguments.
fn check_trpc_options(options: &swc_ecma_ast::ObjectLit) -> Result<(), String> {
    for prop in &options.props {
        let PropOrSpread::Prop(prop) = prop else {
            return Err("the options spread another object".to_owned());
        };
        let (key, value) = match &**prop {
            Prop::KeyValue(kv) => (prop_key(&kv.key), Some(&*kv.value)),
            Prop::Shorthand(ident) => (Some(ident.sym.to_string()), None),
            _ => (None, None),
        };
        let key = key.ok_or("an option with a computed name")?;
        if !TRPC_SHARED_OPTIONS.contains(&key.as_str()) {
            return Err(format!(
                "the option `{key}` has no fetch-adapter counterpart"
            ));
        }
        if key == "createContext" && !takes_no_arguments(value) {
            return Err("`createContext` reads the Pages `req`/`res`".to_owned());
        }
    }
    Ok(())
}

/// `config` (`api.bodyParser` and the like) has no route-handler counterpart: the library
/// reads the request itself.
fn config_deletion(kitchen: &Kitchen) -> Option<Edit> {
    kitchen
        .shape
        .config
        .as_ref()
        .map(|config| Edit::deletion(statement_with_line(kitchen.text, config.statement)))
}

fn finish(
    kitchen: &Kitchen,
    edits: Vec<Edit>,
    handler: &str,
    methods: &[&'static str],
    recipe: &'static str,
) -> Result<Cooked, String> {
    finish_with(kitchen, edits, handler, methods, recipe, &|_| Vec::new())
}

/// Adds the exports, and the edits `more` decides on the draft, then checks the output parses.
fn finish_with(
    kitchen: &Kitchen,
    mut edits: Vec<Edit>,
    handler: &str,
    methods: &[&'static str],
    recipe: &'static str,
    more: &dyn Fn(&str) -> Vec<Edit>,
) -> Result<Cooked, String> {
    let separator = if kitchen.text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    edits.push(Edit::insertion(
        kitchen.text.len() as u32,
        format!(
            "{separator}{}",
            export_list(handler, methods, kitchen.style.semi())
        ),
    ));
    let draft = edit::splice(kitchen.text, edits.clone()).map_err(|e| e.to_string())?;
    edits.extend(more(&draft));
    let text = edit::splice(kitchen.text, edits).map_err(|e| e.to_string())?;
    parse::parse_syntax(&text, kitchen.extension).map_err(|e| {
        format!(
            "internal error: the recipe's output does not parse ({})",
            e.message
        )
    })?;
    Ok(Cooked {
        text,
        recipe,
        methods: methods.to_vec(),
        declared: Vec::new(),
    })
}

/// `export default <call>`: the statement and the call.
fn default_export_call(program: &Program) -> Option<(TextRange, &swc_ecma_ast::CallExpr)> {
    let Program::Module(module) = program else {
        return None;
    };
    module.body.iter().find_map(|item| match item {
        ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => match unwrap(&export.expr)
        {
            Expr::Call(call) => Some((parse::range(export.span), call)),
            _ => None,
        },
        _ => None,
    })
}

/// Where a top-level name is imported from: the source and the imported name (`None` for a
/// default import, `*` for a namespace).
fn imported_from<'p>(program: &'p Program, local: &str) -> Option<(&'p str, Option<&'p str>)> {
    let Program::Module(module) = program else {
        return None;
    };
    module.body.iter().find_map(|item| {
        let ModuleItem::ModuleDecl(ModuleDecl::Import(import)) = item else {
            return None;
        };
        let source = import.src.value.as_atom()?.as_str();
        import
            .specifiers
            .iter()
            .find_map(|specifier| match specifier {
                ImportSpecifier::Default(d) if d.local.sym == *local => Some((source, None)),
                ImportSpecifier::Namespace(n) if n.local.sym == *local => Some((source, Some("*"))),
                ImportSpecifier::Named(n) if n.local.sym == *local => {
                    let imported = match &n.imported {
                        Some(swc_ecma_ast::ModuleExportName::Ident(i)) => i.sym.as_str(),
                        Some(swc_ecma_ast::ModuleExportName::Str(_)) => return None,
                        None => n.local.sym.as_str(),
                    };
                    Some((source, Some(imported)))
                }
                _ => None,
            })
    })
}

fn prop_key(key: &PropName) -> Option<String> {
    match key {
        PropName::Ident(i) => Some(i.sym.to_string()),
        PropName::Str(s) => s.value.as_atom().map(|a| a.to_string()),
        _ => None,
    }
}

/// `() => …` or `function () { … }`.
fn takes_no_arguments(value: Option<&Expr>) -> bool {
    match value.map(unwrap) {
        Some(Expr::Arrow(arrow)) => arrow.params.is_empty(),
        Some(Expr::Fn(f)) => f.function.params.is_empty(),
        _ => false,
    }
}
