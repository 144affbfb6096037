//! Pages responses (`res.json`, `res.status(…).end()`, `res.send`, `res.redirect`,
//! `res.setHeader`) as returned `Response`s.
//!
//! - `res.json(x)`, `res.send(<object, array or number literal>)` → `Response.json(x, init)`
//!   (`x` `undefined` when it runs: declared, `Response.json` throws where Pages sent nothing);
//! - `res.send('text')`, `res.end('text')` (string or template literals) → `new Response('text',
//!   init)`;
//! - `res.end()`, and any answer with a status that has no body → `new Response(null, init)`;
//! - `res.redirect([status,] url)` → `new Response(url, { status, headers: { Location: url } })`
//!   (Pages writes the URL as the body too);
//! - `res.setHeader(name, value)` → `headers.set(name, value)` on a `Headers` the function
//!   creates first, which every response of the function then carries (Pages' headers
//!   accumulate on `res` the same way).

use super::arg_shape::{self, ArgShape};
use super::{Declared, Idiomatic};
use crate::analysis::model::FunctionModel;
use crate::analysis::uses::{Use, UseKind};
use crate::apply::edit::Edit;
use crate::diagnostic::TextRange;

/// Statuses whose answers have no body (a `Response` with a body and one of them throws).
const NULL_BODY: [u16; 3] = [204, 205, 304];

/// How the function's responses are built.
pub struct Responses<'a> {
    /// The `Headers` local, when the function sets headers.
    pub headers: Option<&'a str>,
    /// A `Content-Type` is set with `setHeader`: `res.json` would override it, `Response.json`
    /// would not.
    pub sets_content_type: bool,
    /// The body of the function when it is an arrow's expression (`(req, res) =>
    /// res.json(x)`): a response there is what the arrow returns.
    pub expression_body: Option<TextRange>,
    /// Where the function's `setHeader` calls start.
    pub header_sets: Vec<u32>,
    /// The function's loops.
    pub loops: Vec<TextRange>,
}

impl Responses<'_> {
    /// Whether a header set may have run before `use_`: one stands before it in the text, or
    /// it sits in a loop (where a set written after it runs first on an earlier pass). A
    /// redirect answers with its `Location` alone, so only those it cannot carry.
    fn headers_may_precede(&self, use_: &Use) -> bool {
        self.header_sets.iter().any(|&at| at < use_.range.start)
            || self
                .loops
                .iter()
                .any(|l| l.start <= use_.range.start && use_.range.end <= l.end)
    }
}

/// One response call (with its `status(…)` chain) → a returned `Response`. The argument stays
/// where it is (edits inside it, `req.query` → `query`, still apply): only the text around it
/// changes.
pub fn response_edits(
    input: &Idiomatic,
    responses: &Responses,
    use_: &Use,
    declared: &mut Vec<Declared>,
) -> Result<Vec<Edit>, String> {
    let text = input.text;
    if use_
        .chain
        .iter()
        .any(|c| c.name != "status" && c.name != "setHeader")
    {
        return Err(format!("`res.{}` follows another response call", use_.name));
    }
    let computed = computed_status(text, use_)?;
    let chained = chained_headers(text, use_)?;
    if chained.is_some() && responses.headers.is_some() {
        return Err("headers set both in a chain and on their own".to_owned());
    }
    let arg_text = |i: usize| {
        use_.args
            .get(i)
            .map(|r| &text[r.start as usize..r.end as usize])
    };
    let first_shape = use_
        .args
        .first()
        .map(|range| arg_shape::of(input.program, *range));
    let form = match use_.kind {
        UseKind::Json if use_.args.len() == 1 && arg_text(0) != Some("undefined") => {
            if first_shape.is_some_and(|s| !s.always_serializable()) {
                declared.push(Declared::JsonUndefined);
            }
            Body::Json(0)
        }
        UseKind::Json => return Err("`res.json` without exactly one value".to_owned()),
        // Pages' `send` answers objects, arrays and numbers as JSON.
        UseKind::Send
            if matches!(
                first_shape,
                Some(ArgShape::Object | ArgShape::Array | ArgShape::Number)
            ) =>
        {
            Body::Json(0)
        }
        UseKind::Send | UseKind::End if arg_text(0).is_some_and(is_string_literal) => Body::Text(0),
        UseKind::Send if !use_.args.is_empty() => {
            return Err("`res.send` of a value that is not a literal".to_owned())
        }
        UseKind::End if !use_.args.is_empty() => {
            return Err("`res.end` of a value that is not a string literal".to_owned())
        }
        UseKind::Redirect if responses.headers.is_some() && responses.headers_may_precede(use_) => {
            return Err("a redirect after headers were set".to_owned())
        }
        UseKind::Redirect => redirect_form(use_, &arg_text)?,
        _ => Body::None,
    };
    let status = answer_status(&form, computed, use_, declared)?;
    let chain_sets_type = chained
        .as_ref()
        .is_some_and(|h| h.to_ascii_lowercase().contains("content-type"));
    if matches!(form, Body::Json(_)) && (responses.sets_content_type || chain_sets_type) {
        return Err("`res.json` overrides a `Content-Type` set earlier".to_owned());
    }
    if chained.is_some() && matches!(form, Body::Redirect { .. }) {
        return Err("a redirect after headers were set".to_owned());
    }
    let headers = chained.as_deref().or(responses.headers);
    let init = init(status, headers, &form, text, use_);
    let (keyword, statement_end) = placement(text, use_, responses.expression_body)?;
    let mut edits = match form {
        Body::Json(i) => {
            declared.push(Declared::JsonCharsetAndEtag);
            around(use_, use_.args[i], keyword, "Response.json(", &init)
        }
        Body::Text(i) => {
            declared.push(Declared::TextEtagAndContentType);
            around(use_, use_.args[i], keyword, "new Response(", &init)
        }
        Body::Redirect { url, .. } => {
            declared.push(Declared::TextEtagAndContentType);
            around(use_, use_.args[url], keyword, "new Response(", &init)
        }
        Body::None => vec![Edit::replacement(
            use_.range,
            format!("{keyword}new Response(null{init})"),
        )],
    };
    // A bare `return` or `break` right after a response that is now returned is unreachable.
    if !keyword.is_empty() {
        edits.extend(unreachable_exit(text, statement_end).map(Edit::deletion));
    }
    Ok(edits)
}

/// The `return;`/`break;` statement (alone on its line) that follows `after`, with the line
/// break before it, if any.
pub fn unreachable_exit(text: &str, after: u32) -> Option<TextRange> {
    let rest = &text[after as usize..];
    let line_end = rest.find('\n')?;
    if !rest[..line_end].trim().is_empty() {
        return None;
    }
    let next_line = &rest[line_end + 1..];
    let next_line = &next_line[..next_line.find('\n').unwrap_or(next_line.len())];
    let statement = next_line.trim().trim_end_matches(';');
    if statement != "return" && statement != "break" {
        return None;
    }
    // From the end of the response's statement to the end of the `return`: the line goes,
    // and the range stays inside the statement list both belong to.
    let end = after as usize + line_end + 1 + next_line.trim_end().len();
    Some(TextRange::new(after, end as u32))
}

/// What a response sends.
enum Body {
    /// JSON of the argument at this index.
    Json(usize),
    /// The string literal at this index, as is.
    Text(usize),
    Redirect {
        status: u16,
        url: usize,
    },
    None,
}

/// `res.redirect('/x')` (307) or `res.redirect(301, '/x')`, with a URL that can be written
/// twice (a literal or a name): it is both the body and the `Location`.
fn redirect_form<'t>(
    use_: &Use,
    arg_text: &dyn Fn(usize) -> Option<&'t str>,
) -> Result<Body, String> {
    let (status, url) = match use_.args.len() {
        1 => (307, 0),
        2 => (
            arg_text(0)
                .and_then(|s| s.trim().parse::<u16>().ok())
                .ok_or("the redirect status is not a literal")?,
            1,
        ),
        _ => return Err("`res.redirect` with other arguments".to_owned()),
    };
    let written = arg_text(url).unwrap_or_default().trim();
    let simple = is_string_literal(written)
        || written
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.');
    if !simple || (written.starts_with('`') && written.contains("${")) {
        return Err("the redirect URL is an expression (it would be evaluated twice)".to_owned());
    }
    Ok(Body::Redirect { status, url })
}

/// `res.setHeader('A', 'x').setHeader('B', 2).json(…)`: the headers set in the chain, as
/// the object literal `headers: { 'A': 'x', 'B': '2' }` of the response (values written once
/// each, in order, as Node would have set them).
fn chained_headers(text: &str, use_: &Use) -> Result<Option<String>, String> {
    let calls: Vec<_> = use_
        .chain
        .iter()
        .filter(|c| c.name == "setHeader")
        .collect();
    if calls.is_empty() {
        return Ok(None);
    }
    let slice = |r: TextRange| &text[r.start as usize..r.end as usize];
    let mut entries = Vec::new();
    let mut seen = Vec::new();
    for call in calls {
        let [name, value] = call.args.as_slice() else {
            return Err("`setHeader` without a name and a value".to_owned());
        };
        let (name, value) = (slice(*name).trim(), slice(*value).trim());
        if !is_string_literal(name) || name.starts_with('`') {
            return Err("a header name that is not a literal".to_owned());
        }
        let lower = name.to_ascii_lowercase();
        if seen.contains(&lower) {
            return Err("a header set twice in one chain".to_owned());
        }
        seen.push(lower);
        let value = if is_string_literal(value) {
            value.to_owned()
        } else if value.parse::<f64>().is_ok() {
            format!("'{value}'")
        } else {
            return Err("a chained header value that is not a literal".to_owned());
        };
        entries.push(format!("{name}: {value}"));
    }
    Ok(Some(format!("headers: {{ {} }}", entries.join(", "))))
}

/// The status the answer carries; a body with a status that has none is refused.
fn answer_status<'t>(
    form: &Body,
    computed: Option<&'t str>,
    use_: &Use,
    declared: &mut Vec<Declared>,
) -> Result<Status<'t>, String> {
    let status = match (form, computed) {
        (Body::Redirect { .. }, Some(_)) => {
            return Err("a computed status before a redirect".to_owned())
        }
        (Body::Redirect { status, .. }, None) => Status::Code(*status),
        (_, Some(computed)) => {
            declared.push(Declared::ComputedStatus);
            Status::Computed(computed)
        }
        (_, None) => Status::Code(use_.status.unwrap_or(200)),
    };
    if let Status::Code(code) = status {
        if !matches!(form, Body::None) && NULL_BODY.contains(&code) {
            return Err(format!("a body sent with status {code}, which has none"));
        }
    }
    Ok(status)
}

/// The status of an answer: a literal, or the text of an expression computed when it runs.
#[derive(Clone, Copy)]
enum Status<'t> {
    Code(u16),
    Computed(&'t str),
}

/// The status a response chain sets with an expression (`res.status(error.status || 500)`),
/// where that expression can move after the body's (in `Response.json(body, { status })` it
/// runs second): names, member reads and literals, joined by `||` or `??`.
fn computed_status<'t>(text: &'t str, use_: &Use) -> Result<Option<&'t str>, String> {
    let Some(call) = use_.chain.iter().rev().find(|c| c.name == "status") else {
        return Ok(None);
    };
    if use_.status.is_some() {
        return Ok(None);
    }
    let [arg] = call.args.as_slice() else {
        return Err("`res.status` without exactly one value".to_owned());
    };
    let expression = text[arg.start as usize..arg.end as usize].trim();
    let operand = |part: &str| {
        let part = part.trim();
        !part.is_empty()
            && !part.starts_with('.')
            && part
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | '?'))
    };
    let parts = expression.split("||").flat_map(|p| p.split("??"));
    if parts.clone().all(operand) && !parts.clone().any(|p| p.trim() == "await") {
        Ok(Some(expression))
    } else {
        Err("the status is computed by an expression that may run code".to_owned())
    }
}

/// `, { status: 201, headers }` (empty when nothing differs from the defaults).
fn init(status: Status, headers: Option<&str>, form: &Body, text: &str, use_: &Use) -> String {
    let mut fields = Vec::new();
    match status {
        Status::Code(200) => {}
        Status::Code(code) => fields.push(format!("status: {code}")),
        Status::Computed("status") => fields.push("status".to_owned()),
        Status::Computed(expression) => fields.push(format!("status: {expression}")),
    }
    if let Body::Redirect { url, .. } = form {
        let range = use_.args[*url];
        let url = &text[range.start as usize..range.end as usize];
        fields.push(format!("headers: {{ Location: {url} }}"));
    } else if let Some(headers) = headers {
        fields.push(headers.to_owned());
    }
    if fields.is_empty() {
        String::new()
    } else {
        format!(", {{ {} }}", fields.join(", "))
    }
}

/// The body of a function when it is an arrow's expression (`(req, res) => res.json(x)`).
pub fn expression_body(function: &FunctionModel) -> Option<TextRange> {
    function.is_arrow.then_some(function.body)
}

/// Whether the call is a statement (`res.json(x)` → `return Response.json(x)`), already
/// returned (`return res.json(x)`) or the whole body of the handler arrow (`(req, res) =>
/// res.json(x)`, which returns it); any other place (`cond && res.json(x)`) would need more
/// than a local edit.
fn placement(
    text: &str,
    use_: &Use,
    arrow_body: Option<TextRange>,
) -> Result<(&'static str, u32), String> {
    if arrow_body == Some(use_.range) {
        return Ok(("", use_.range.end));
    }
    let statement = &text[use_.statement.start as usize..use_.statement.end as usize];
    let call = &text[use_.range.start as usize..use_.range.end as usize];
    let is_statement = statement.trim_end().trim_end_matches(';').trim_end() == call;
    let is_returned = statement
        .strip_prefix("return")
        .map(|rest| rest.trim().trim_end_matches(';').trim_end())
        == Some(call);
    match (is_statement, is_returned) {
        (true, _) => Ok(("return ", use_.statement.end)),
        (_, true) => Ok(("", use_.statement.end)),
        _ => Err(format!("`res.{}` sits inside an expression", use_.name)),
    }
}

/// The call's text before and after the kept argument replaced.
fn around(use_: &Use, arg: TextRange, keyword: &str, open: &str, init: &str) -> Vec<Edit> {
    vec![
        Edit::replacement(
            TextRange::new(use_.range.start, arg.start),
            format!("{keyword}{open}"),
        ),
        Edit::replacement(TextRange::new(arg.end, use_.range.end), format!("{init})")),
    ]
}

/// `res.setHeader('X-A', value)` → `headers.set('X-A', value)`; an array of values →
/// `for (const value of [...]) headers.append(…)` (only for a header set once: `set` would
/// replace earlier values; a statement that starts with `for`, not `[`, is safe without
/// semicolons).
pub fn set_header_edit(
    input: &Idiomatic,
    headers: &str,
    value_name: &str,
    use_: &Use,
    set_more_than_once: bool,
    declared: &mut Vec<Declared>,
) -> Result<Edit, String> {
    let text = input.text;
    if use_.name == "appendHeader" {
        // Node writes a line per call; a `Headers` would join them (the adapter declares it).
        return Err(
            "`res.appendHeader`: Node writes a line per call, a `Headers` joins them".to_owned(),
        );
    }
    let (keyword, _) = placement(text, use_, None)?;
    if !keyword.starts_with("return") {
        return Err("`res.setHeader` is returned".to_owned());
    }
    let [name, value] = use_.args.as_slice() else {
        return Err("`res.setHeader` without a name and a value".to_owned());
    };
    let name = &text[name.start as usize..name.end as usize];
    let value_text = &text[value.start as usize..value.end as usize];
    if !is_string_literal(name) || name.starts_with('`') {
        return Err("a header name that is not a literal".to_owned());
    }
    let call_end = use_.range.end;
    if arg_shape::of(input.program, *value) == ArgShape::Array {
        if set_more_than_once {
            return Err("a header set to several values, and set again".to_owned());
        }
        // Node wrote a line per item; `Headers` join them into one (all but `Set-Cookie`).
        if !name[1..name.len() - 1].eq_ignore_ascii_case("set-cookie") {
            declared.push(Declared::JoinedHeaderLines);
        }
        return Ok(Edit::replacement(
            TextRange::new(use_.range.start, call_end),
            format!(
                "for (const {value_name} of {value_text}) {headers}.append({name}, {value_name})"
            ),
        ));
    }
    if is_string_literal(value_text) || arg_shape::is_string(input.program, *value) {
        return Ok(Edit::replacement(
            TextRange::new(use_.range.start, value.start),
            format!("{headers}.set({name}, "),
        ));
    }
    // A number: `Headers` takes strings, Node wrote the number as text.
    if value_text.trim().parse::<f64>().is_ok() {
        let q = input.style.quote;
        return Ok(Edit::replacement(
            use_.range,
            format!("{headers}.set({name}, {q}{}{q})", value_text.trim()),
        ));
    }
    Err("a header value that is not a literal (an array would be sent differently)".to_owned())
}

/// `'…'`, `"…"` or a template literal.
pub fn is_string_literal(arg: &str) -> bool {
    let arg = arg.trim();
    let quoted = |q: char| arg.len() >= 2 && arg.starts_with(q) && arg.ends_with(q);
    quoted('\'') || quoted('"') || quoted('`')
}
