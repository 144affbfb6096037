//! The published reference of every diagnostic code, generated from the codes' own docs so the
//! two cannot drift apart (`docs/codes.md`; a test fails when it is stale).

use std::fmt::Write;

use crate::diagnostic::Code;

/// `docs/codes.md`.
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n<!-- Generated from rewrite/src/diagnostic_codes.rs by `cargo test -p migrate-rewrite docs`; do not edit. -->\n\n\
         Prefixes: `F` file, `R` routing, `C` collision, `H` handler shape, `D` method dispatch, `U` a `req`/`res` use, \
         `K` `export const config`, `A` an App Router route file.\n\n\
         The verdict column is the least a Pages API route with this finding needs: `auto` (an idiomatic route handler \
         can be generated), `adapter` (only through a compatibility adapter), `manual` (a person).\n\n\
         | code | name | severity | verdict |\n|---|---|---|---|\n",
    );
    for code in Code::ALL {
        let _ = writeln!(
            out,
            "| [{code}](#{}) | `{}` | {} | {} |",
            code.as_str().to_lowercase(),
            code.name(),
            code.default_severity().as_str(),
            code.verdict_floor().as_str()
        );
    }
    for code in Code::ALL {
        let docs: Vec<&str> = code.docs().lines().map(str::trim).collect();
        let _ = write!(
            out,
            "\n## {code}\n\n`{}` · {} · verdict {}\n\n{}\n",
            code.name(),
            code.default_severity().as_str(),
            code.verdict_floor().as_str(),
            docs.join(" ").trim()
        );
        if let Some(help) = code.default_help() {
            let _ = writeln!(out, "\nHelp: {help}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// Regenerate with `MIGRATE_UPDATE_DOCS=1 cargo test -p migrate-rewrite docs`.
    #[test]
    fn docs_codes_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/codes.md");
        let generated = super::codes_markdown();
        if std::env::var_os("MIGRATE_UPDATE_DOCS").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/codes.md is stale: run MIGRATE_UPDATE_DOCS=1 cargo test -p migrate-rewrite docs"
        );
    }
}
