//! Parsing one file with swc, choosing the syntax from the file's extension.

use swc_common::comments::{CommentKind, SingleThreadedComments};
use swc_common::{BytePos, Globals, Mark, Spanned, SyntaxContext, DUMMY_SP, GLOBALS};
use swc_ecma_ast::{EmptyStmt, Id, Ident, Module, Program, Script, Stmt};
use swc_ecma_parser::{EsSyntax, Parser, StringInput, Syntax, TsSyntax};
use swc_ecma_transforms_base::resolver;
use swc_ecma_visit::{noop_visit_mut_type, VisitMut, VisitMutWith};

use crate::diagnostic::TextRange;

mod unique_bindings;

pub use unique_bindings::Resolution;

/// swc reserves position 0 for "no position", so files start at 1; subtract this to get a
/// byte offset into the text.
pub const BASE: u32 = 1;

/// The extensions of JavaScript and TypeScript sources.
pub const SOURCE_EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

/// Bracket nesting beyond this is refused before parsing: swc's parser grows its stack, but
/// visiting and dropping such a tree recurses once per level. Real handlers nest a few dozen.
pub const MAX_NESTING: usize = 500;

/// A parsed file whose identifiers tell their bindings apart: by context (swc's resolver), by
/// name alone where no name is bound twice (every context is then the empty one), or both: the
/// top-level statements that bind a name twice inside their functions resolved, the rest named.
pub struct Parsed {
    pub program: Program,
    /// The context of the module's top-level bindings: an identifier with another context is
    /// bound in some inner scope, whatever its name.
    pub top_level: SyntaxContext,
    /// Every comment, in source order: an edit can tell which comments it would move or
    /// swallow.
    pub comments: Vec<Comment>,
}

/// A comment's range (delimiters included) and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    pub range: TextRange,
    /// `/* … */` (or `/** … */`), as opposed to `// …`.
    pub block: bool,
}

/// Why a file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub range: TextRange,
    pub message: String,
    /// True when we refused to parse (nesting) rather than swc failing.
    pub refused: bool,
}

/// The swc syntax for a file extension (`ts`, `tsx`, `js`, `api.ts`, …): the last dotted part
/// decides. Unknown extensions are parsed as TSX-free TypeScript, the most permissive choice
/// that is still unambiguous about `<T>` casts.
pub fn syntax_for(extension: &str) -> Syntax {
    let last = extension.rsplit('.').next().unwrap_or(extension);
    match last {
        "tsx" => Syntax::Typescript(TsSyntax {
            tsx: true,
            ..Default::default()
        }),
        "ts" | "mts" | "cts" => Syntax::Typescript(TsSyntax::default()),
        _ => Syntax::Es(EsSyntax {
            jsx: true,
            ..Default::default()
        }),
    }
}

/// Parses `text` as a module or script (swc decides from the presence of `import`/`export`).
pub fn parse(text: &str, extension: &str) -> Result<Parsed, ParseError> {
    parse_with(text, extension, false)
}

/// [`parse`], keeping the comments when `with_comments` (edits need them; reports do not).
pub fn parse_with(text: &str, extension: &str, with_comments: bool) -> Result<Parsed, ParseError> {
    let comments = SingleThreadedComments::default();
    let program = parse_program(
        text,
        extension,
        with_comments.then_some(&comments as &dyn swc_common::comments::Comments),
    )?;
    let mut parsed = resolve_scopes(program);
    parsed.comments = sorted_comments(comments);
    Ok(parsed)
}

/// [`parse_with`], running the resolver even where names alone tell bindings apart: to check
/// that skipping it changes nothing.
#[cfg(test)]
pub fn parse_resolving_always(text: &str, extension: &str) -> Result<Parsed, ParseError> {
    let comments = SingleThreadedComments::default();
    let program = parse_program(text, extension, Some(&comments))?;
    let mut parsed = run_resolver(program);
    parsed.comments = sorted_comments(comments);
    Ok(parsed)
}

/// How much of `program` [`parse`] resolves (see [`unique_bindings`]).
#[cfg(test)]
pub fn resolution(program: &Program) -> unique_bindings::Resolution {
    unique_bindings::resolution(program)
}

/// Parses without marking scopes: for checking that a rewrite's output is valid and for
/// reading its top level, which need no bindings. Spans are the same as [`parse`]'s.
pub fn parse_syntax(text: &str, extension: &str) -> Result<Program, ParseError> {
    parse_program(text, extension, None)
}

/// The syntax tree, or the first error (recoverable errors are still errors for us: Next's
/// compiler rejects the file); absurdly nested code is refused before swc recurses into it.
fn parse_program(
    text: &str,
    extension: &str,
    comments: Option<&dyn swc_common::comments::Comments>,
) -> Result<Program, ParseError> {
    if let Some(offset) = too_deep_at(text) {
        return Err(ParseError {
            range: TextRange::new(offset as u32, offset as u32 + 1),
            message: format!("code is nested more than {MAX_NESTING} levels deep; not analysed"),
            refused: true,
        });
    }
    let end = BASE + text.len() as u32;
    let input = StringInput::new(text, BytePos(BASE), BytePos(end));
    let mut parser = Parser::new(syntax_for(extension), input, comments);
    let first_error = match parser.parse_program() {
        Ok(program) => match parser.take_errors().into_iter().next() {
            None => return Ok(program),
            Some(error) => error,
        },
        Err(error) => error,
    };
    Err(parse_error(first_error))
}

fn parse_error(first_error: swc_ecma_parser::error::Error) -> ParseError {
    let span = first_error.span();
    ParseError {
        range: TextRange::new(
            span.lo.0.saturating_sub(BASE),
            span.hi.0.saturating_sub(BASE),
        ),
        message: first_error.into_kind().msg().into_owned(),
        refused: false,
    }
}

fn sorted_comments(comments: SingleThreadedComments) -> Vec<Comment> {
    let (leading, trailing) = comments.take_all();
    let (leading, trailing) = (leading.take(), trailing.take());
    let mut all: Vec<Comment> = leading
        .into_values()
        .chain(trailing.into_values())
        .flatten()
        .map(|c| Comment {
            range: range(c.span),
            block: c.kind == CommentKind::Block,
        })
        .collect();
    all.sort_by_key(|c| c.range.start);
    all.dedup();
    all
}

/// Runs swc's resolver, which gives every identifier the context of the scope that binds it:
/// `res` in `.then((res) => res.json())` is then another variable than the handler's `res`, and
/// the analyses follow bindings instead of names.
///
/// Only values are resolved (`typescript: false`, as swc advises for passes that neither strip
/// types nor read them): the analyses follow runtime bindings, and types are a third of what a
/// typical handler file declares (interfaces, annotations), which the resolver would otherwise
/// walk scope by scope. An identifier in a type keeps its parsed context.
///
/// When no name is bound twice, names already tell bindings apart and the resolver is skipped:
/// every identifier keeps the empty context, which is then also the top level's; when the
/// names bound twice are all bound inside functions, only the top-level statements holding
/// them are resolved (see [`unique_bindings`]).
fn resolve_scopes(program: Program) -> Parsed {
    match unique_bindings::resolution(&program) {
        Resolution::NotNeeded => Parsed {
            program,
            top_level: SyntaxContext::empty(),
            comments: Vec::new(),
        },
        Resolution::Statements { resolve, separate } => {
            resolve_statements(program, &resolve, &separate)
        }
        Resolution::WholeFile => run_resolver(program),
    }
}

fn run_resolver(mut program: Program) -> Parsed {
    GLOBALS.set(&Globals::new(), || {
        let unresolved = Mark::new();
        let top_level = Mark::new();
        program.visit_mut_with(&mut resolver(unresolved, top_level, false));
        Parsed {
            program,
            top_level: SyntaxContext::empty().apply_mark(top_level),
            comments: Vec::new(),
        }
    })
}

/// Resolves each of the top-level statements in `resolve` as if it were the whole file, then
/// gives what it binds at its top and what it leaves unbound the empty context: the file's top
/// level and its globals, as every other statement names them. In each statement of
/// `separate`, the identifiers of the names given with it get a context of that statement's
/// own (each of those names is one binding there, inside a function; see [`unique_bindings`]).
fn resolve_statements(
    mut program: Program,
    resolve: &[usize],
    separate: &[(usize, Vec<Id>)],
) -> Parsed {
    GLOBALS.set(&Globals::new(), || {
        let marks = (Mark::new(), Mark::new());
        let mut to_top = ToTopLevel([
            SyntaxContext::empty().apply_mark(marks.0),
            SyntaxContext::empty().apply_mark(marks.1),
        ]);
        for (i, names) in separate {
            let mut own = OwnContext {
                names,
                context: SyntaxContext::empty().apply_mark(Mark::new()),
            };
            match &mut program {
                Program::Module(module) => module.body[*i].visit_mut_with(&mut own),
                Program::Script(script) => script.body[*i].visit_mut_with(&mut own),
            }
        }
        match &mut program {
            Program::Module(module) => {
                for &i in resolve {
                    let item = std::mem::replace(&mut module.body[i], empty_statement().into());
                    let mut alone = Module {
                        span: module.span,
                        body: vec![item],
                        shebang: None,
                    };
                    resolve_alone(&mut alone, marks, &mut to_top);
                    module.body[i] = alone.body.pop().expect("the statement put there");
                }
            }
            Program::Script(script) => {
                for &i in resolve {
                    let stmt = std::mem::replace(&mut script.body[i], empty_statement());
                    let mut alone = Script {
                        span: script.span,
                        body: vec![stmt],
                        shebang: None,
                    };
                    resolve_alone(&mut alone, marks, &mut to_top);
                    script.body[i] = alone.body.pop().expect("the statement put there");
                }
            }
        }
        Parsed {
            program,
            top_level: SyntaxContext::empty(),
            comments: Vec::new(),
        }
    })
}

/// swc's resolver on a module or script that holds one statement (with these unresolved and
/// top-level marks), then the empty context for what it binds at its top or leaves unbound.
fn resolve_alone<T>(alone: &mut T, (unresolved, top_level): (Mark, Mark), to_top: &mut ToTopLevel)
where
    T: VisitMutWith<dyn VisitMut> + VisitMutWith<ToTopLevel>,
{
    let mut resolver = resolver(unresolved, top_level, false);
    alone.visit_mut_with(&mut resolver as &mut dyn VisitMut);
    alone.visit_mut_with(to_top);
}

fn empty_statement() -> Stmt {
    Stmt::Empty(EmptyStmt { span: DUMMY_SP })
}

/// Gives the identifiers of these names (all in the empty context) the statement's context.
/// Types are skipped, as the resolver skips them.
struct OwnContext<'a> {
    names: &'a [Id],
    context: SyntaxContext,
}

impl VisitMut for OwnContext<'_> {
    noop_visit_mut_type!();

    fn visit_mut_ident(&mut self, ident: &mut Ident) {
        if ident.ctxt == SyntaxContext::empty()
            && self.names.iter().any(|(name, _)| *name == ident.sym)
        {
            ident.ctxt = self.context;
        }
    }
}

/// Gives identifiers of these contexts the empty one.
struct ToTopLevel([SyntaxContext; 2]);

impl VisitMut for ToTopLevel {
    noop_visit_mut_type!();

    fn visit_mut_ident(&mut self, ident: &mut Ident) {
        if self.0.contains(&ident.ctxt) {
            ident.ctxt = SyntaxContext::empty();
        }
    }
}

/// The offset of the first bracket that opens nesting deeper than [`MAX_NESTING`], counting
/// `(`, `[` and `{` outside nothing in particular: strings and comments can only make the count
/// higher than the truth, and only by as many brackets as they contain.
fn too_deep_at(text: &str) -> Option<usize> {
    // Fewer opening brackets than the limit cannot nest past it: skip the byte-by-byte scan
    // (counting a byte is vectorised and almost free; finding each bracket is not).
    let bytes = text.as_bytes();
    let opening: usize = [b'(', b'[', b'{']
        .into_iter()
        .map(|bracket| bytecount::count(bytes, bracket))
        .sum();
    if opening <= MAX_NESTING {
        return None;
    }
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Converts an swc span to a byte range into the text.
pub fn range(span: swc_common::Span) -> TextRange {
    TextRange::new(
        span.lo.0.saturating_sub(BASE),
        span.hi.0.saturating_sub(BASE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each name in `names` with the contexts its identifiers carry in each top-level statement.
    fn contexts_by_statement(parsed: &Parsed, names: &[&str]) -> Vec<Vec<(String, SyntaxContext)>> {
        struct Contexts<'n>(&'n [&'n str], Vec<(String, SyntaxContext)>);
        impl swc_ecma_visit::Visit for Contexts<'_> {
            fn visit_ident(&mut self, ident: &Ident) {
                if self.0.contains(&&*ident.sym) {
                    self.1.push((ident.sym.to_string(), ident.ctxt));
                }
            }
        }
        let Program::Module(module) = &parsed.program else {
            panic!("a module");
        };
        module
            .body
            .iter()
            .map(|item| {
                let mut found = Contexts(names, Vec::new());
                swc_ecma_visit::VisitWith::visit_with(item, &mut found);
                found.1.sort();
                found.1.dedup();
                found.1
            })
            .collect()
    }

    /// A name bound once in the handler and once in a helper: within each statement one
    /// context (the binding and its uses are one variable), and another in the other, as the
    /// resolver gives them; the top level keeps the empty context.
    #[test]
    fn a_name_bound_once_in_each_of_two_statements_gets_a_context_per_statement() {
        let text = "function helper(req, res) { const r = 1; return r }\nexport default function handler(req, res) { const r = res; helper(req, r) }";
        assert!(matches!(
            unique_bindings::resolution(&parse_syntax(text, "ts").unwrap()),
            Resolution::Statements { ref resolve, .. } if resolve.is_empty()
        ));
        let parsed = parse(text, "ts").unwrap();
        let by_statement = contexts_by_statement(&parsed, &["r", "req", "res", "helper"]);
        let context_of = |statement: usize, name: &str| -> Vec<SyntaxContext> {
            by_statement[statement]
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, c)| *c)
                .collect()
        };
        for name in ["r", "req", "res"] {
            let (helper, handler) = (context_of(0, name), context_of(1, name));
            assert_eq!(helper.len(), 1, "{name}: one context in the helper");
            assert_eq!(handler.len(), 1, "{name}: one context in the handler");
            assert_ne!(helper, handler, "{name}: the helper's is not the handler's");
            assert_ne!(
                helper[0],
                SyntaxContext::empty(),
                "{name}: not the top level's"
            );
        }
        // The helper's name is a top-level binding, in both statements.
        assert_eq!(context_of(0, "helper"), vec![parsed.top_level]);
        assert_eq!(context_of(1, "helper"), vec![parsed.top_level]);
    }

    #[test]
    fn parses_ts_and_jsx() {
        assert!(parse("export default function h(req: any, res: any) {}", "ts").is_ok());
        assert!(parse("export default () => <div/>", "jsx").is_ok());
    }

    #[test]
    fn reports_position_of_syntax_error() {
        let err = parse("const a = ;\n", "ts").err().unwrap();
        assert_eq!(err.range.start, 10);
        assert!(!err.refused);
    }

    #[test]
    fn refuses_absurd_nesting_without_overflowing() {
        let text = "(".repeat(100_000);
        let err = parse(&text, "js").err().unwrap();
        assert!(err.refused);
        assert_eq!(err.range.start as usize, MAX_NESTING);
    }
}
