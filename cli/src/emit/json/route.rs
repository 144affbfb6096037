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

use migrate_rewrite::analysis::handler::Wrapper;
use migrate_rewrite::analysis::HandlerSummary;
use migrate_rewrite::check::{LocatedDiagnostic, LocatedUse, Location, RouteReport};
use serde::Serialize;

use super::{variant, Layout};

/// A member's key as written: `"name":` (the pretty layout adds a space).
macro_rules! key {
    ($name:literal) => {
        concat!("\"", $name, "\":").as_bytes()
    };
}

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
    json.key(key!("file"));
    json.string(file);
    json.key(key!("router"));
    json.name(router.as_str());
    json.key(key!("pattern"));
    json.string(pattern);
    json.key(key!("methods"));
    json.strings(methods);
    json.key(key!("dispatch"));
    json.variant(dispatch);
    json.key(key!("fallback"));
    json.variant(fallback);
    json.key(key!("special_cased"));
    json.strings(special_cased);
    if let Some(handler) = handler {
        json.key(key!("handler"));
        json.handler(handler);
    }
    if let Some(config) = config {
        json.key(key!("config"));
        json.serde(config);
    }
    json.key(key!("verdict"));
    match verdict {
        Some(verdict) => json.name(verdict.as_str()),
        None => json.null(),
    }
    json.key(key!("diagnostics"));
    json.open(b'[');
    for diagnostic in diagnostics {
        json.element();
        json.diagnostic(diagnostic);
    }
    json.close(b']');
    json.key(key!("uses"));
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

    /// An object member's key, quoted and followed by its colon (see [`key!`]): only ever a
    /// constant of ours, with nothing to escape.
    fn key(&mut self, quoted: &'static [u8]) {
        self.separator();
        self.out.extend_from_slice(quoted);
        if self.layout == Layout::Pretty {
            self.out.push(b' ');
        }
    }

    /// What precedes an array's element.
    fn element(&mut self) {
        self.separator();
    }

    fn string(&mut self, text: &str) {
        if needs_escaping(text.as_bytes()) {
            serde_json::to_writer(&mut *self.out, text).expect("writing to memory");
        } else {
            self.out.push(b'"');
            self.out.extend_from_slice(text.as_bytes());
            self.out.push(b'"');
        }
    }

    /// A name of ours (an enum variant, a code, a severity): a constant with nothing to escape,
    /// copied without looking (a report names a few of them for every use and finding).
    fn name(&mut self, name: &'static str) {
        debug_assert!(!needs_escaping(name.as_bytes()), "{name}");
        self.out.reserve(name.len() + 2);
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'"');
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

    fn bool(&mut self, value: bool) {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// A unit variant of one of the report's enums, by the name serde gives it.
    fn variant<T: Serialize>(&mut self, value: &T) {
        match variant::name(value) {
            Some(name) => self.name(name),
            None => self.serde(value),
        }
    }

    /// A value with nested parts of its own, or a name serde knows: `serde_json` writes it, laid
    /// out at this depth.
    fn serde<T: Serialize>(&mut self, value: &T) {
        self.layout
            .write(&mut *self.out, value, self.depth)
            .expect("writing to memory");
    }

    fn location(&mut self, at: &Location) {
        if self.layout == Layout::Compact && !self.first {
            self.compact_location(at);
            return;
        }
        for (key, value) in located_members(at) {
            self.key(key);
            self.number(value);
        }
    }

    /// [`Json::location`] on one line after other members, as one copy: a report has a
    /// location for every use and finding, and member by member they were a tenth of its writing.
    fn compact_location(&mut self, at: &Location) {
        // Six commas and keys, six numbers of at most ten digits each.
        let mut text = [0u8; 128];
        let mut len = 0;
        let mut put = |bytes: &[u8]| {
            text[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        };
        for (key, value) in located_members(at) {
            put(b",");
            put(key);
            put(itoa::Buffer::new().format(value).as_bytes());
        }
        self.out.extend_from_slice(&text[..len]);
    }

    fn handler(&mut self, handler: &HandlerSummary) {
        let HandlerSummary {
            kind,
            wrappers,
            library,
            edge,
            params,
        } = handler;
        self.open(b'{');
        self.key(key!("kind"));
        self.variant(kind);
        self.key(key!("wrappers"));
        self.open(b'[');
        for wrapper in wrappers {
            let Wrapper {
                name,
                local,
                extra_arguments,
                range: _,
            } = wrapper;
            self.element();
            self.open(b'{');
            self.key(key!("name"));
            self.string(name);
            self.key(key!("local"));
            self.bool(*local);
            self.key(key!("extra_arguments"));
            self.bool(*extra_arguments);
            self.close(b'}');
        }
        self.close(b']');
        if let Some(library) = library {
            self.key(key!("library"));
            self.string(library);
        }
        self.key(key!("edge"));
        self.bool(*edge);
        self.key(key!("params"));
        self.open(b'[');
        for param in params {
            self.element();
            match param {
                Some(name) => self.string(name),
                None => self.null(),
            }
        }
        self.close(b']');
        self.close(b'}');
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
        self.key(key!("code"));
        self.name(code.as_str());
        self.key(key!("name"));
        self.name(name);
        self.key(key!("severity"));
        self.name(severity.as_str());
        self.key(key!("message"));
        self.string(message);
        self.key(key!("help"));
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
        self.key(key!("object"));
        self.variant(object);
        self.key(key!("kind"));
        self.variant(kind);
        self.key(key!("name"));
        self.string(name);
        if let Some(key) = key {
            self.key(key!("key"));
            self.string(key);
        }
        if let Some(route_param) = route_param {
            self.key(key!("route_param"));
            self.bool(*route_param);
        }
        self.location(at);
        self.close(b'}');
    }
}

/// A location's members in serde's order: each key as written (see [`key!`]) and its value.
fn located_members(at: &Location) -> [(&'static [u8], u32); 6] {
    let Location {
        start,
        end,
        line,
        column,
        end_line,
        end_column,
    } = *at;
    [
        (key!("start"), start),
        (key!("end"), end),
        (key!("line"), line),
        (key!("column"), column),
        (key!("end_line"), end_line),
        (key!("end_column"), end_column),
    ]
}

/// Whether `serde_json` would escape anything in `text`: a quote, a backslash or a control
/// character (it copies every other byte, non-ASCII included, as it is). Sixteen bytes at a
/// time, folded without branches so that the compiler turns each block into a few vector
/// instructions: most of a report's text is file names and messages with nothing to escape.
fn needs_escaping(text: &[u8]) -> bool {
    let special = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut blocks = text.chunks_exact(16);
    let found = blocks.any(|block| block.iter().fold(false, |any, &b| any | special(b)));
    found || blocks.remainder().iter().any(|&b| special(b))
}

#[cfg(test)]
mod tests {
    use super::needs_escaping;

    /// The block-at-a-time test agrees with the byte-by-byte one on every byte value at every
    /// position of a word, next to every other byte value.
    #[test]
    fn needs_escaping_agrees_with_the_plain_test() {
        let plain = |text: &[u8]| text.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for byte in 0..=255u8 {
            for neighbour in [b'a', 0x00, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xff, b'"', b'\\'] {
                // Two blocks of sixteen and a remainder.
                for position in 0..37 {
                    let mut text = vec![neighbour; 37];
                    text[position] = byte;
                    assert_eq!(needs_escaping(&text), plain(&text), "{text:?}");
                }
            }
        }
        assert!(!needs_escaping(b""));
        assert!(!needs_escaping("caf\u{e9} \u{fc}ber /api/[id]".as_bytes()));
    }
}
