//! One exported function per method, as Next's route-handler docs write them: a `switch` or
//! `if`/`else if` dispatch whose other methods only got a 405 becomes `export async function
//! GET(…) { <prelude> <GET's branch> }` and so on; the 405 fallback goes (Next answers it).
//!
//! Done only when it is exact: the dispatch is the handler's last statement, no case falls
//! through into the next, no `break` leaves a case early, no comment would be dropped, and no
//! template literal spans lines (re-indenting would change its text). Otherwise the handler
//! keeps its dispatch and is exported under each method.

use std::fmt::Write;

use swc_ecma_ast::{Program, Stmt};
use swc_ecma_visit::{Visit, VisitWith};

use super::pure_declarations::{self, pure_declarations, PureDeclaration};
use super::{names, Idiomatic, Rewritten};
use crate::analysis::dispatch::{DispatchStyle, Fallback, ROUTE_METHODS};
use crate::apply::edit::{self, Edit};
use crate::apply::module_shape::HandlerExport;
use crate::diagnostic::TextRange;
use crate::parse;

/// The handler's statement replaced by one function per method.
pub struct Split {
    /// The statement the functions replace (`export default async function handler…`).
    pub replaced: TextRange,
    pub text: String,
    /// `export { GET as HEAD }` for branches serving several methods (empty if none).
    pub aliases: String,
    /// Edits outside the handler that still apply (none today: every inner edit is inside).
    pub kept_inner: Vec<Edit>,
}

pub fn functions(
    input: &Idiomatic,
    dispatch: (DispatchStyle, Fallback),
    rewritten: &Rewritten,
    handler: &HandlerExport,
    methods: &[&'static str],
) -> Result<Split, String> {
    let style = splittable(dispatch)?;
    // `export async function GET` would declare `GET` again where the module has its own.
    if let Some(taken) = methods
        .iter()
        .find(|m| names::binds(input.program, m, names::Namespace::Value))
    {
        return Err(format!("the module binds `{taken}` itself"));
    }
    let model = input.analysis.model.as_ref().ok_or("no model")?;
    let function = model.function.as_ref().ok_or("no function")?;
    let prefix = match handler {
        HandlerExport::NamedDeclaration { prefix, .. } | HandlerExport::Expression { prefix } => {
            *prefix
        }
        _ => return Err("the handler is declared apart from its export".to_owned()),
    };
    let replaced = TextRange::new(prefix.start, function.range.end);
    let text = input.text;
    let body = function_body(input.program, function.range).ok_or("no function body")?;
    let (before, unwrapped) = if style == DispatchStyle::Guard {
        (guard_prelude(&body, model)?, Vec::new())
    } else {
        let (last, before) = body.split_last().ok_or("an empty handler")?;
        let dispatch_range = parse::range(swc_common::Spanned::span(last));
        let all_in_last = model
            .branches
            .iter()
            .all(|b| dispatch_range.start <= b.body.start && b.body.end <= dispatch_range.end);
        if model.branches.is_empty() || !all_in_last {
            return Err("the dispatch is not the handler's last statement".to_owned());
        }
        (before, case_blocks(last)?)
    };
    // Every exported method needs a branch of its own (an `OPTIONS` answered early, before the
    // dispatch, has none).
    let covered = |m: &&str| model.branches.iter().any(|b| b.methods.contains(*m));
    if !methods.iter().all(covered) {
        return Err("a method is answered outside the dispatch's branches".to_owned());
    }
    let prelude = before.first().zip(before.last()).map(|(first, last)| {
        TextRange::new(
            parse::range(swc_common::Spanned::span(first)).start,
            parse::range(swc_common::Spanned::span(last)).end,
        )
    });

    let kept: Vec<TextRange> = prelude
        .into_iter()
        .chain(model.branches.iter().map(|b| b.body))
        .collect();
    nothing_lost(model, rewritten, replaced, &kept)?;

    let indent = indent_unit(text, function.body);
    let piece = Pieces {
        text,
        rewritten,
        indent: &indent,
    };
    let (functions, aliases) = method_functions(
        input,
        rewritten,
        methods,
        &unwrapped,
        &Prelude::new(input.text, before, &body, prelude, rewritten, function),
        &piece,
        &indent,
    )?;
    let semi = input.style.semi();
    if functions.is_empty() {
        return Err("no branch serves an exported method".to_owned());
    }
    let aliases = if aliases.is_empty() {
        String::new()
    } else {
        format!("export {{ {} }}{semi}\n", aliases.join(", "))
    };
    Ok(Split {
        replaced,
        text: functions.join("\n\n"),
        aliases,
        kept_inner: rewritten
            .inner
            .iter()
            .filter(|e| e.range.end <= replaced.start || replaced.end <= e.range.start)
            .cloned()
            .collect(),
    })
}

/// The dispatch styles that split, with a fallback that only answered 405.
fn splittable((style, fallback): (DispatchStyle, Fallback)) -> Result<DispatchStyle, String> {
    if !matches!(
        style,
        DispatchStyle::Switch | DispatchStyle::IfChain | DispatchStyle::Guard
    ) {
        return Err("not a switch, an if/else chain or a guard".to_owned());
    }
    if !matches!(
        fallback,
        Fallback::MethodNotAllowed | Fallback::MethodNotAllowedWithAllow
    ) {
        return Err("its other methods get more than a 405".to_owned());
    }
    Ok(style)
}

/// For a guard (`if (req.method !== 'POST') { …405 }` then the work): the statements before the
/// guard. The one branch is everything after it, to the end of the handler.
fn guard_prelude<'s>(
    body: &'s [Stmt],
    model: &crate::analysis::model::HandlerModel,
) -> Result<&'s [Stmt], String> {
    let [branch] = model.branches.as_slice() else {
        return Err("a guard with more than one branch".to_owned());
    };
    let starts_branch =
        |s: &Stmt| parse::range(swc_common::Spanned::span(s)).start == branch.body.start;
    let first_of_branch = body
        .iter()
        .position(starts_branch)
        .ok_or("the guard's branch is not a run of statements")?;
    let last_end = body
        .last()
        .map(|s| parse::range(swc_common::Spanned::span(s)).end);
    if first_of_branch == 0 || last_end != Some(branch.body.end) {
        return Err("the guard's branch does not run to the end of the handler".to_owned());
    }
    Ok(&body[..first_of_branch - 1])
}

/// Checks a `switch` dispatch's cases, and finds those whose only statement is a block
/// (`case 'GET': { … }`): their statements are used without the braces.
fn case_blocks(dispatch: &Stmt) -> Result<Vec<(TextRange, TextRange)>, String> {
    let mut unwrapped = Vec::new();
    let Stmt::Switch(switch) = dispatch else {
        return Ok(unwrapped);
    };
    check_cases(switch)?;
    for case in &switch.cases {
        if let [Stmt::Block(block)] = case.cons.as_slice() {
            if let (Some(first), Some(end)) = (block.stmts.first(), block.stmts.last()) {
                unwrapped.push((
                    parse::range(block.span),
                    TextRange::new(
                        parse::range(swc_common::Spanned::span(first)).start,
                        parse::range(swc_common::Spanned::span(end)).end,
                    ),
                ));
            }
        }
    }
    Ok(unwrapped)
}

/// Everything the functions keep carries its comments and edits along: no comment outside the
/// prelude and the branches would be dropped, and no edit falls outside them but in the
/// fallback (which goes).
fn nothing_lost(
    model: &crate::analysis::model::HandlerModel,
    rewritten: &Rewritten,
    replaced: TextRange,
    kept: &[TextRange],
) -> Result<(), String> {
    let inside = |r: TextRange| kept.iter().any(|k| k.start <= r.start && r.end <= k.end);
    let within = |r: TextRange| replaced.start <= r.start && r.end <= replaced.end;
    if model
        .comments
        .iter()
        .any(|c| within(c.range) && !inside(c.range))
    {
        return Err("a comment between the cases would be dropped".to_owned());
    }
    if rewritten
        .inner
        .iter()
        .any(|e| within(e.range) && !inside(e.range) && !in_fallback(model, e.range))
    {
        return Err("an edit lies outside the prelude and the branches".to_owned());
    }
    Ok(())
}

/// One function per branch, named by its first exported method; the branch's other methods
/// are aliases of it.
fn method_functions(
    input: &Idiomatic,
    rewritten: &Rewritten,
    methods: &[&'static str],
    unwrapped: &[(TextRange, TextRange)],
    prelude: &Prelude,
    piece: &Pieces<'_>,
    indent: &str,
) -> Result<(Vec<String>, Vec<String>), String> {
    let model = input.analysis.model.as_ref().ok_or("no model")?;
    let keyword = if rewritten.is_async {
        "async function"
    } else {
        "function"
    };
    let mut functions = Vec::new();
    let mut aliases = Vec::new();
    for branch in &model.branches {
        let served: Vec<&'static str> = ROUTE_METHODS
            .iter()
            .copied()
            .filter(|m| branch.methods.contains(*m) && methods.contains(m))
            .collect();
        let Some((name, others)) = served.split_first() else {
            continue;
        };
        let range = unwrapped
            .iter()
            .find(|(outer, _)| *outer == branch.body)
            .map_or(branch.body, |(_, inner)| *inner);
        let branch_text = piece.text(range, &[])?;
        let branch_text = strip_trailing_break(&branch_text);
        let prelude_text = prelude.text_for(range, &rewritten.prelude, piece)?;
        let (branch_text, prelude_kept) =
            drop_empty_headers(&rewritten.prelude, branch_text, prelude_text.as_deref());
        let branch_text = branch_text.as_str();
        let own_code = format!("{}\n{branch_text}", prelude_kept.as_deref().unwrap_or(""));
        let mut body = String::new();
        for line in needed_lines(&rewritten.prelude, &own_code, name) {
            let _ = writeln!(body, "{indent}{line}");
        }
        if let Some(prelude) = &prelude_kept {
            body.push_str(prelude);
            body.push('\n');
        }
        body.push_str(branch_text);
        body.push('\n');
        functions.push(format!(
            "export {keyword} {name}({}) {{\n{body}}}",
            rewritten.signature
        ));
        aliases.extend(others.iter().map(|other| format!("{name} as {other}")));
    }
    Ok((functions, aliases))
}

/// The kept parts of the handler, as a method's function holds them.
struct Pieces<'a> {
    text: &'a str,
    rewritten: &'a Rewritten,
    /// The function body's indentation.
    indent: &'a str,
}

impl Pieces<'_> {
    /// A range's text with the edits inside it, less the pure declarations in `left_out` (and the
    /// edits in them), re-indented for a function's body.
    fn text(&self, range: TextRange, left_out: &[LeftOut<'_>]) -> Result<String, String> {
        let relative = |r: TextRange| TextRange::new(r.start - range.start, r.end - range.start);
        let within = |outer: TextRange, inner: TextRange| {
            outer.start <= inner.start && inner.end <= outer.end
        };
        let edits: Vec<Edit> = self
            .rewritten
            .inner
            .iter()
            .filter(|e| within(range, e.range))
            .filter(|e| !left_out.iter().any(|l| within(l.range(), e.range)))
            .map(|e| Edit::replacement(relative(e.range), e.text.clone()))
            .chain(left_out.iter().map(|l| match l {
                LeftOut::Whole(d) => Edit::replacement(relative(d.statement), LEFT_OUT.to_owned()),
                LeftOut::OnRequest { part, apart } => {
                    Edit::replacement(relative(*part), (*apart).to_owned())
                }
            }))
            .collect();
        let spliced = edit::splice(&self.text[range.start as usize..range.end as usize], edits)
            .map_err(|e| e.to_string())?;
        let spliced = if left_out.iter().any(|l| matches!(l, LeftOut::Whole(_))) {
            without_left_out(&spliced)
        } else {
            spliced
        };
        if template_spans_lines(&spliced) {
            return Err("a template literal spans lines".to_owned());
        }
        Ok(reindent(
            &spliced,
            &line_indent(self.text, range.start),
            self.indent,
        ))
    }
}

/// What a method's function goes without.
#[derive(Clone, Copy)]
enum LeftOut<'a> {
    /// The whole statement.
    Whole(&'a PureDeclaration),
    /// A destructuring of the request without the locals that stay on it: `part` (`{ method,
    /// query: { id } } = req`) becomes what the rewrite takes apart (`{ id } = await params`).
    OnRequest { part: TextRange, apart: &'a str },
}

impl LeftOut<'_> {
    /// The text it replaces, with every edit of the rewrite inside.
    fn range(&self) -> TextRange {
        match self {
            LeftOut::Whole(d) => d.statement,
            LeftOut::OnRequest { part, .. } => *part,
        }
    }
}

/// Stands for a left-out statement until its line goes ([`without_left_out`]).
const LEFT_OUT: &str = "\u{F8FF}left out\u{F8FF}";

/// Text with the left-out statements gone: each line holding only one goes whole, and one
/// sharing its line with other code (`const a = 1; const { method } = req`) goes alone.
fn without_left_out(text: &str) -> String {
    let lines: Vec<&str> = text
        .split_inclusive('\n')
        .filter(|line| line.trim() != LEFT_OUT)
        .collect();
    let mut text = lines.concat();
    // With the spaces that parted it from the code after it on its line.
    // With the spaces that parted it from the code after it on its line, or, last on its
    // line, from the code before it.
    while let Some(at) = text.find(LEFT_OUT) {
        let after = &text[at + LEFT_OUT.len()..];
        let rest = after.trim_start_matches([' ', '\t']);
        let end = text.len() - rest.len();
        let start = if rest.is_empty() || rest.starts_with('\n') {
            text[..at].trim_end_matches([' ', '\t']).len()
        } else {
            at
        };
        text.replace_range(start..end, "");
    }
    text.trim().to_owned()
}

/// The statements before the dispatch, which every method's function starts with.
struct Prelude {
    range: Option<TextRange>,
    statements: Vec<TextRange>,
    /// Its statements without an effect beyond their locals.
    reads: Vec<PureDeclaration>,
    /// Every identifier of the handler's body, where it stands.
    identifiers: Vec<(swc_ecma_ast::Id, u32)>,
}

impl Prelude {
    fn new(
        text: &str,
        before: &[Stmt],
        body: &[Stmt],
        range: Option<TextRange>,
        rewritten: &Rewritten,
        function: &crate::analysis::model::FunctionModel,
    ) -> Self {
        let req = function
            .params
            .first()
            .and_then(|p| p.name.as_deref())
            .unwrap_or_default();
        let mut reads = pure_declarations(text, before, req);
        // A statement the rewrite already takes out whole is not theirs to leave out.
        reads.retain(|r| {
            !rewritten
                .inner
                .iter()
                .any(|e| e.range.start <= r.statement.start && r.statement.end <= e.range.end)
        });
        Prelude {
            range,
            statements: before
                .iter()
                .map(|s| parse::range(swc_common::Spanned::span(s)))
                .collect(),
            reads,
            identifiers: pure_declarations::identifiers(body),
        }
    }

    /// The prelude of the function whose branch is `branch`: without the pure declarations whose
    /// locals neither the branch nor the rest of the prelude use. A local the rewrite took out
    /// of a destructuring (declared again by a line of `added`) is not the read's any more.
    fn text_for(
        &self,
        branch: TextRange,
        added: &[String],
        piece: &Pieces<'_>,
    ) -> Result<Option<String>, String> {
        let Some(range) = self.range else {
            return Ok(None);
        };
        let taken_out = |name: &str| {
            added.iter().any(|line| {
                line.strip_prefix("const ")
                    .is_some_and(|rest| rest.starts_with(&format!("{name} ")))
            })
        };
        let inside = |r: &TextRange, at: u32| r.start <= at && at < r.end;
        let mut left_out: Vec<LeftOut<'_>> = Vec::new();
        for read in &self.reads {
            let gone = |s: &TextRange| {
                left_out
                    .iter()
                    .any(|l| matches!(l, LeftOut::Whole(d) if d.statement == *s))
            };
            let kept = |at: u32| {
                inside(&branch, at)
                    || self
                        .statements
                        .iter()
                        .any(|s| inside(s, at) && *s != read.statement && !gone(s))
            };
            let used = |id: &swc_ecma_ast::Id| {
                self.identifiers
                    .iter()
                    .any(|(other, at)| other == id && kept(*at))
            };
            let unused =
                |(name, id, _): &&(String, swc_ecma_ast::Id, bool)| taken_out(name) || !used(id);
            if read.bindings.iter().all(|b| unused(&b)) {
                left_out.push(LeftOut::Whole(read));
                continue;
            }
            let on_request: Vec<_> = read.bindings.iter().filter(|b| b.2).collect();
            let apart = read.on_request.and_then(|part| {
                piece.rewritten.inner.iter().find_map(|e| {
                    (e.range.start == part.end && e.range.end == part.end)
                        .then(|| e.text.strip_prefix(", "))
                        .flatten()
                        .map(|apart| (part, apart))
                })
            });
            if let Some((part, apart)) = apart {
                if !on_request.is_empty() && on_request.iter().all(unused) {
                    left_out.push(LeftOut::OnRequest { part, apart });
                }
            }
        }
        let text = piece.text(range, &left_out)?;
        Ok((!text.trim().is_empty()).then_some(text))
    }
}

/// When only the dropped fallback set headers (`Allow`), this function's responses carry an
/// empty `Headers`: the `headers` it passes go (the answer is the same without them), and
/// `needed_lines` then drops the `const headers = new Headers()`.
fn drop_empty_headers(
    prelude_lines: &[String],
    branch: &str,
    prelude: Option<&str>,
) -> (String, Option<String>) {
    let name = prelude_lines.iter().find_map(|l| {
        l.strip_prefix("const ")
            .and_then(|rest| {
                rest.strip_suffix(" = new Headers()")
                    .or_else(|| rest.strip_suffix(" = new Headers();"))
            })
            .map(str::to_owned)
    });
    let Some(name) = name else {
        return (branch.to_owned(), prelude.map(str::to_owned));
    };
    let code = format!("{}\n{branch}", prelude.unwrap_or(""));
    // The name is fresh (the original has no such identifier): every use of it is ours.
    let writes = [format!("{name}.set("), format!("{name}.append(")];
    if writes.iter().any(|w| code.contains(w.as_str())) {
        return (branch.to_owned(), prelude.map(str::to_owned));
    }
    let strip = |text: &str| {
        text.replace(&format!(", {{ {name} }})"), ")")
            .replace(&format!(", {name} }}"), " }")
    };
    (strip(branch), prelude.map(strip))
}

/// The statements added at the top that this function needs: a read (`const query = …`) only
/// where its name is used; the body's parse always, except for GET and HEAD, which carry no
/// body in a route handler (Pages' parser gave them `""` or `{}`, never a 400).
fn needed_lines<'l>(lines: &'l [String], code: &str, method: &str) -> Vec<&'l String> {
    let declared = |line: &str| {
        line.strip_prefix("const ")
            .and_then(|rest| rest.split([' ', '=']).next())
            .map(str::to_owned)
    };
    // `headers: { Location: … }` (a redirect's own headers) names a key, not the local.
    let used = |name: &str| {
        crate::apply::imports::occurrences(code, name)
            > crate::apply::imports::occurrences(code, &format!("{name}:"))
    };
    let body_name = lines
        .iter()
        .find(|l| l.contains("pagesBody("))
        .and_then(|l| declared(l));
    lines
        .iter()
        .filter(|line| {
            let is_body_line = body_name.as_deref().is_some_and(|b| {
                line.contains("pagesBody(") || line.starts_with(&format!("if ({b} instanceof"))
            });
            if is_body_line {
                let name = body_name.as_deref().unwrap_or_default();
                return used(name) || !matches!(method, "GET" | "HEAD");
            }
            declared(line).is_none_or(|name| used(&name))
        })
        .collect()
}

fn in_fallback(model: &crate::analysis::model::HandlerModel, range: TextRange) -> bool {
    model
        .fallback_range
        .is_some_and(|f| f.start <= range.start && range.end <= f.end)
}

/// Every case but the last ends by leaving the switch (`break`, `return`, `throw`) or is an
/// empty label grouped with the next; no `break` leaves a case from inside.
fn check_cases(switch: &swc_ecma_ast::SwitchStmt) -> Result<(), String> {
    let count = switch.cases.len();
    for (i, case) in switch.cases.iter().enumerate() {
        let Some((last, before)) = case.cons.split_last() else {
            continue;
        };
        let exits = matches!(last, Stmt::Break(b) if b.label.is_none())
            || matches!(last, Stmt::Return(_) | Stmt::Throw(_))
            || matches!(last, Stmt::Block(block) if block.stmts.last().is_some_and(|s| matches!(s, Stmt::Return(_) | Stmt::Throw(_))));
        if !exits && i + 1 < count {
            return Err("a case falls through into the next".to_owned());
        }
        let mut breaks = Breaks::default();
        for stmt in before {
            stmt.visit_with(&mut breaks);
        }
        if let Stmt::Block(block) = last {
            block.visit_with(&mut breaks);
        }
        if breaks.found {
            return Err("a `break` leaves a case early".to_owned());
        }
    }
    Ok(())
}

/// An unlabelled `break` that is not inside a loop or a nested `switch`.
#[derive(Default)]
struct Breaks {
    found: bool,
}

impl Visit for Breaks {
    fn visit_break_stmt(&mut self, stmt: &swc_ecma_ast::BreakStmt) {
        self.found |= stmt.label.is_none();
    }
    fn visit_for_stmt(&mut self, _: &swc_ecma_ast::ForStmt) {}
    fn visit_for_in_stmt(&mut self, _: &swc_ecma_ast::ForInStmt) {}
    fn visit_for_of_stmt(&mut self, _: &swc_ecma_ast::ForOfStmt) {}
    fn visit_while_stmt(&mut self, _: &swc_ecma_ast::WhileStmt) {}
    fn visit_do_while_stmt(&mut self, _: &swc_ecma_ast::DoWhileStmt) {}
    fn visit_switch_stmt(&mut self, _: &swc_ecma_ast::SwitchStmt) {}
    fn visit_function(&mut self, _: &swc_ecma_ast::Function) {}
    fn visit_arrow_expr(&mut self, _: &swc_ecma_ast::ArrowExpr) {}
}

/// The statements of the function whose range is `range`.
fn function_body(program: &Program, range: TextRange) -> Option<Vec<Stmt>> {
    #[derive(Default)]
    struct Find {
        range: TextRange,
        body: Option<Vec<Stmt>>,
    }
    impl Visit for Find {
        fn visit_function(&mut self, f: &swc_ecma_ast::Function) {
            if parse::range(f.span) == self.range {
                self.body = f.body.as_ref().map(|b| b.stmts.clone());
            }
            f.visit_children_with(self);
        }
        fn visit_arrow_expr(&mut self, a: &swc_ecma_ast::ArrowExpr) {
            if parse::range(a.span) == self.range {
                if let swc_ecma_ast::ArrowFunctionBody::FunctionBody(b) = &*a.body {
                    self.body = Some(b.stmts.clone());
                }
            }
            a.visit_children_with(self);
        }
    }
    let mut find = Find { range, body: None };
    program.visit_with(&mut find);
    find.body
}

/// The indentation of the body's first statement: the file's indent unit.
fn indent_unit(text: &str, body: TextRange) -> String {
    let inner = &text[body.start as usize + 1..body.end as usize];
    let first = inner.trim_start_matches(['\n', '\r']);
    let line = first.lines().next().unwrap_or("");
    let unit = &line[..line.len() - line.trim_start().len()];
    if unit.is_empty() {
        "  ".to_owned()
    } else {
        unit.to_owned()
    }
}

/// The whitespace before `at` on its line.
fn line_indent(text: &str, at: u32) -> String {
    let before = &text[..at as usize];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// `text` (which starts at a statement indented by `base`) moved to `indent`. Lines that hold
/// only whitespace and the line endings (`\r\n` too) stay as written: only the indentation
/// of code moves.
fn reindent(text: &str, base: &str, indent: &str) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, line)| {
            let content = line.trim_end_matches(['\r', '\n']);
            let ending = &line[content.len()..];
            if content.trim().is_empty() {
                line.to_owned()
            } else if i == 0 {
                format!("{indent}{content}{ending}")
            } else {
                let code = content.strip_prefix(base).unwrap_or(content.trim_start());
                format!("{indent}{code}{ending}")
            }
        })
        .collect()
}

/// A `break` (with or without `;`) ending a case, now unreachable or pointless.
fn strip_trailing_break(text: &str) -> &str {
    let trimmed = text.trim_end();
    let Some(rest) = trimmed
        .strip_suffix("break;")
        .or_else(|| trimmed.strip_suffix("break"))
    else {
        return trimmed;
    };
    if rest.ends_with(|c: char| c.is_whitespace()) || rest.is_empty() {
        rest.trim_end()
    } else {
        trimmed
    }
}

/// Whether a template literal in `text` contains a line break (a rough scan: enough to refuse).
fn template_spans_lines(text: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '`' => inside = !inside,
            '\n' if inside => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_left_out_statement_goes_with_its_line_or_its_spaces() {
        let text = format!(
            "  {LEFT_OUT}\n  const a = 1; {LEFT_OUT} // kept\n  const b = 2; {LEFT_OUT}\n  {LEFT_OUT} const c = 3\n"
        );
        assert_eq!(
            without_left_out(&text),
            "const a = 1; // kept\n  const b = 2;\n  const c = 3"
        );
    }

    /// Code moves to the new indentation; a line of only spaces and the line endings stay as
    /// they were (a project's CRLF files keep CRLF).
    #[test]
    fn reindenting_moves_code_only() {
        let text = "try {\r\n      a()\r\n    \r\n\r\n      b()\r\n    } finally {}";
        assert_eq!(
            reindent(text, "    ", "  "),
            "  try {\r\n    a()\r\n    \r\n\r\n    b()\r\n  } finally {}"
        );
        let same = "if (x) {\n    y()\n    \n  }";
        assert_eq!(reindent(same, "  ", "  "), format!("  {same}"));
    }
}
