//! One route of the JSON report, written directly rather than through serde: the routes are
//! nearly all of a large report, and most of their text is keys, numbers and short names.
//! `serde_json` escapes every key byte by byte and goes through a map for each flattened
//! location; here a key is one copy of a constant, a number one `itoa` call, and a string
//! is copied as it is unless it holds a byte JSON must escape (then `serde_json` writes it). The
//! bytes are exactly `serde_json`'s for the same layout: `mod.rs`'s tests compare the two on
//! whole reports, in both layouts.
//!
//! The fields are listed by destructuring each type: a field added to a report type does not
//! compile here until it is written (or skipped) in serde's order.

use migrate_rewrite::check::{LocatedDiagnostic, LocatedUse, Location, RouteReport};
use serde::Serialize;

use super::Layout;

/// Writes `route` as an element of the `routes` array (`depth` levels deep).
pub fn write(out: &mut Vec<u8>, layout: Layout, depth: usize, route: &RouteReport) {
    let RouteReport {
        file,
        router,
        pattern,
        methods,
        dispatch,
        fallback,
        special_cased,
        handler,
        config,
        verdict,
        diagnostics,
        uses,
        relative_imports: _,
        kept: _,
    } = route;
    let mut json = Json {
        out,
        layout,
        depth,
        first: true,
    };
    json.open(b'{');
    json.key("file");
    json.string(file);
    json.key("router");
    json.string(router.as_str());
    json.key("pattern");
    json.string(pattern);
    json.key("methods");
    json.strings(methods);
    json.key("dispatch");
    json.serde(dispatch);
    json.key("fallback");
    json.serde(fallback);
    json.key("special_cased");
    json.strings(special_cased);
    if let Some(handler) = handler {
        json.key("handler");
        json.serde(handler);
    }
    if let Some(config) = config {
        json.key("config");
        json.serde(config);
    }
    json.key("verdict");
    match verdict {
        Some(verdict) => json.string(verdict.as_str()),
        None => json.null(),
    }
    json.key("diagnostics");
    json.open(b'[');
    for diagnostic in diagnostics {
        json.element();
        json.diagnostic(diagnostic);
    }
    json.close(b']');
    json.key("uses");
    json.open(b'[');
    for located in uses {
        json.element();
        json.located_use(located);
    }
    json.close(b']');
    json.close(b'}');
}

/// A JSON writer at some depth of the document, laid out as `serde_json` lays it out.
struct Json<'a> {
    out: &'a mut Vec<u8>,
    layout: Layout,
    /// How deep the members being written are.
    depth: usize,
    /// No member has been written in the innermost object or array yet.
    first: bool,
}

impl Json<'_> {
    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    /// Closes the innermost object or array: `{}` and `[]` when it is empty, as `serde_json`
    /// writes them.
    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.first {
            self.line_break();
        }
        self.out.push(bracket);
        // The object or array just closed is a member of the one around it.
        self.first = false;
    }

    /// What precedes a member: a comma unless it is the first, and in the pretty layout a
    /// line break and the indentation of its depth.
    fn separator(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.line_break();
    }

    fn line_break(&mut self) {
        if self.layout == Layout::Pretty {
            self.out.push(b'\n');
            self.out.extend(std::iter::repeat_n(b' ', self.depth * 2));
        }
    }

    /// An object member's key (only ever a constant of ours: nothing to escape).
    fn key(&mut self, key: &'static str) {
        self.separator();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(match self.layout {
            Layout::Compact => b"\":",
            Layout::Pretty => b"\": ",
        });
    }

    /// What precedes an array's element.
    fn element(&mut self) {
        self.separator();
    }

    fn string(&mut self, text: &str) {
        // serde_json escapes quotes, backslashes and control characters, and copies every
        // other byte (non-ASCII included) as it is.
        if text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
            serde_json::to_writer(&mut *self.out, text).expect("writing to memory");
        } else {
            self.out.push(b'"');
            self.out.extend_from_slice(text.as_bytes());
            self.out.push(b'"');
        }
    }

    fn strings(&mut self, texts: &[String]) {
        self.open(b'[');
        for text in texts {
            self.element();
            self.string(text);
        }
        self.close(b']');
    }

    fn number(&mut self, n: u32) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    /// A value with nested parts of its own, or a name serde knows: `serde_json` writes it, laid
    /// out at this depth.
    fn serde<T: Serialize>(&mut self, value: &T) {
        self.layout
            .write(&mut *self.out, value, self.depth)
            .expect("writing to memory");
    }

    fn location(&mut self, at: &Location) {
        let Location {
            start,
            end,
            line,
            column,
            end_line,
            end_column,
        } = *at;
        for (key, value) in [
            ("start", start),
            ("end", end),
            ("line", line),
            ("column", column),
            ("end_line", end_line),
            ("end_column", end_column),
        ] {
            self.key(key);
            self.number(value);
        }
    }

    fn diagnostic(&mut self, diagnostic: &LocatedDiagnostic) {
        let LocatedDiagnostic {
            code,
            name,
            severity,
            message,
            help,
            at,
            source_line: _,
        } = diagnostic;
        self.open(b'{');
        self.key("code");
        self.string(code.as_str());
        self.key("name");
        self.string(name);
        self.key("severity");
        self.string(severity.as_str());
        self.key("message");
        self.string(message);
        self.key("help");
        match help {
            Some(help) => self.string(help),
            None => self.null(),
        }
        self.location(at);
        self.close(b'}');
    }

    fn located_use(&mut self, located: &LocatedUse) {
        let LocatedUse {
            object,
            kind,
            name,
            key,
            route_param,
            at,
        } = located;
        self.open(b'{');
        self.key("object");
        self.serde(object);
        self.key("kind");
        self.serde(kind);
        self.key("name");
        self.string(name);
        if let Some(key) = key {
            self.key("key");
            self.string(key);
        }
        if let Some(route_param) = route_param {
            self.key("route_param");
            self.out
                .extend_from_slice(if *route_param { b"true" } else { b"false" });
        }
        self.location(at);
        self.close(b'}');
    }
}
