//! `const { method, query, body } = req` in the handler's body. The Pages fields become the
//! route's locals for them: a field taken whole keeps the user's name (the local is declared
//! under it, at the top of the function, where Pages had the value too); a field taken apart
//! (`query: { id }`, `body: payload`) is taken apart from the local; `method` stays on the
//! request, which has the same.
//!
//! ```text
//! const { method, query, body: payload } = req
//! ```
//! becomes
//! ```text
//! const query = pagesQuery(req)            (at the top, with the other locals)
//! const body = await pagesBody(req)
//! …
//! const { method } = req, payload = body
//! ```

use super::requests::{Destructured, RequestUses};
use crate::apply::edit::Edit;
use crate::apply::names;
use crate::diagnostic::TextRange;

/// The name of the route's local for a Pages `field`: the user's own where they take the field
/// whole, else a fresh one. The user's name is only taken over where doing so changes no
/// other reference: nothing in the function before the statement mentions it, and the field is
/// read nowhere else (a `req.body` elsewhere may sit where another `body` is bound).
pub fn local_name(
    field: &'static str,
    requests: &RequestUses,
    text: &str,
    body: TextRange,
    taken: &names::Names,
) -> Result<String, String> {
    let Some(destructured) = requests
        .destructured
        .as_ref()
        .filter(|d| d.whole.contains(&field))
    else {
        return Ok(names::fresh(field, taken));
    };
    let read_elsewhere = match field {
        "query" => !requests.query.is_empty(),
        "body" => !requests.body.is_empty(),
        _ => !requests.cookies.is_empty(),
    };
    let before = &text[body.start as usize..destructured.statement.start as usize];
    if read_elsewhere || mentions(before, field) {
        return Err(format!(
            "`{field}` taken off `req` by a destructuring and used otherwise too"
        ));
    }
    Ok(field.to_owned())
}

/// Whether `name` occurs in `text` as a word (in code, a comment or a string alike: where it
/// does, the name is not taken over).
fn mentions(text: &str, name: &str) -> bool {
    crate::apply::imports::occurrences(text, name) > 0
}

/// Where the route finds the Pages fields: the query (a local or the awaited `params`), and
/// the locals of the body and cookies where it reads them.
pub struct Locals {
    pub query: String,
    pub body: Option<String>,
    pub cookies: Option<String>,
}

/// The edits of the statement: the fields taken whole or apart leave the pattern (what is left,
/// `method`, keeps its layout), each field taken apart is taken from its local (`source`) in a
/// declarator of its own; when nothing is left, the statement goes.
pub fn statement_edits(
    text: &str,
    destructured: &Destructured,
    locals: &Locals,
) -> Result<Vec<Edit>, String> {
    let source = |field: &str| match field {
        "query" => locals.query.clone(),
        "body" => locals.body.clone().unwrap_or_default(),
        _ => locals.cookies.clone().unwrap_or_default(),
    };
    let slice = |r: TextRange| &text[r.start as usize..r.end as usize];
    let apart: Vec<String> = destructured
        .taken_apart
        .iter()
        .map(|(field, pattern)| format!("{} = {}", slice(*pattern), source(field)))
        .collect();
    let Some(last_kept) = destructured.props.iter().rposition(|(_, kept)| *kept) else {
        if apart.is_empty() {
            return Ok(vec![Edit::deletion(removal(text, destructured.statement))]);
        }
        return Ok(vec![Edit::replacement(
            destructured.declarator,
            apart.join(", "),
        )]);
    };
    let props = &destructured.props;
    // A property before the last one kept goes up to the next property; those after it go
    // together, from the end of the last one kept (its comma stays where there was one).
    let mut removed: Vec<TextRange> = (0..last_kept)
        .filter(|&i| !props[i].1)
        .map(|i| TextRange::new(props[i].0.start, props[i + 1].0.start))
        .collect();
    if let Some((last, _)) = props.last().filter(|_| last_kept + 1 < props.len()) {
        removed.push(TextRange::new(props[last_kept].0.end, last.end));
    }
    // A comment among them would go with them.
    if removed
        .iter()
        .any(|r| slice(*r).contains("//") || slice(*r).contains("/*"))
    {
        return Err("a comment inside the destructuring of `req`".to_owned());
    }
    let mut edits: Vec<Edit> = removed.into_iter().map(Edit::deletion).collect();
    if !apart.is_empty() {
        edits.push(Edit::insertion(
            destructured.init_end,
            format!(", {}", apart.join(", ")),
        ));
    }
    Ok(edits)
}

/// The statement with the space that separates it from the code before it, so that no blank
/// line is left; the first statement of the body goes with the space after it instead (the
/// locals are inserted where it starts).
fn removal(text: &str, statement: TextRange) -> TextRange {
    let before = text[..statement.start as usize].trim_end();
    if before.ends_with('{') {
        let after = &text[statement.end as usize..];
        let space = after.len() - after.trim_start().len();
        TextRange::new(statement.start, statement.end + space as u32)
    } else {
        TextRange::new(before.len() as u32, statement.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_whole_words_only() {
        assert!(mentions("if (query) x()", "query"));
        assert!(!mentions("const queryString = req.url", "query"));
        assert!(!mentions("const $body = 1; const body_ = 2", "body"));
    }

    #[test]
    fn a_removed_statement_takes_the_space_around_it() {
        let text = "function h(req) {\n  const { body } = req\n  go()\n}";
        let statement = TextRange::new(20, 40);
        assert_eq!(&text[20..40], "const { body } = req");
        // First in the body: the space after it goes.
        assert_eq!(removal(text, statement), TextRange::new(20, 43));
        let text = "function h(req) {\n  go()\n  const { body } = req\n}";
        assert_eq!(&text[27..47], "const { body } = req");
        assert_eq!(
            removal(text, TextRange::new(27, 47)),
            TextRange::new(24, 47)
        );
    }
}
