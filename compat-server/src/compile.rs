//! Project sources (TS, TSX, JS, JSX, ESM, `CommonJS`) compiled with swc into `CommonJS` files that
//! Node runs as they are: types stripped, JSX through React's automatic runtime, `import`/
//! `export` (dynamic `import()` included) as `require`. The output mirrors the project tree
//! inside the cache folder, with a `.js` extension, so relative specifiers resolve there as they
//! did in the sources and packages resolve from the project's own `node_modules` above it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use swc_common::comments::SingleThreadedComments;
use swc_common::sync::Lrc;
use swc_common::{FileName, Globals, Mark, SourceMap, Spanned, GLOBALS};
use swc_ecma_parser::Parser;
use swc_ecma_transforms_base::fixer::fixer;
use swc_ecma_transforms_base::helpers::{inject_helpers, Helpers, HELPERS};
use swc_ecma_transforms_base::hygiene::hygiene;
use swc_ecma_transforms_base::resolver;
use swc_ecma_transforms_module::common_js::{self, common_js};
use swc_ecma_transforms_module::path::Resolver;
use swc_ecma_transforms_react::{react, Options as JsxOptions, Runtime};
use swc_ecma_transforms_typescript::typescript;

/// Extensions compiled; everything else a module may load (`.json`) is copied.
pub(crate) const SOURCE_EXTENSIONS: &[&str] =
    &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];
pub(crate) const COPIED_EXTENSIONS: &[&str] = &["json"];
/// Folders that hold no project sources.
pub(crate) const SKIPPED_FOLDERS: &[&str] =
    &["node_modules", ".next", ".git", ".migrate", "out", ".turbo"];

/// A source that did not compile, and why (swc's message with its position).
#[derive(Debug, Clone)]
pub struct CompileError {
    pub file: PathBuf,
    pub message: String,
}

/// What a compile pass did.
#[derive(Debug, Default)]
pub struct Compiled {
    pub files: usize,
    pub errors: Vec<CompileError>,
}

/// Where the compiled twin of `source` (a file under `root`) lives under `cache`.
pub fn output_path(root: &Path, cache: &Path, source: &Path) -> PathBuf {
    let relative = source.strip_prefix(root).unwrap_or(source);
    let mut out = cache.join(relative);
    let compiled = source
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e));
    if compiled {
        out.set_extension("js");
    }
    out
}

/// Compiles every source of the project at `root` into `cache`, skipping files whose output is
/// newer than the source (a restart compiles only what changed).
pub fn compile_project(root: &Path, cache: &Path) -> Compiled {
    let sources: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || !(entry.file_type().is_dir()
                    && SKIPPED_FOLDERS.contains(&entry.file_name().to_string_lossy().as_ref()))
        })
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|path| {
            path.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e) || COPIED_EXTENSIONS.contains(&e))
        })
        .filter(|path| !path.to_string_lossy().ends_with(".d.ts"))
        .collect();
    let results: Vec<Result<bool, CompileError>> = sources
        .par_iter()
        .map(|source| compile_file(source, &output_path(root, cache, source)))
        .collect();
    let mut compiled = Compiled::default();
    for result in results {
        match result {
            Ok(true) => compiled.files += 1,
            Ok(false) => {}
            Err(error) => compiled.errors.push(error),
        }
    }
    compiled
}

/// Compiles (or copies) one file when its output is missing or older; true when written.
pub fn compile_file(source: &Path, out: &Path) -> Result<bool, CompileError> {
    let error = |message: String| CompileError {
        file: source.to_owned(),
        message,
    };
    let fresh = match (std::fs::metadata(source), std::fs::metadata(out)) {
        (Ok(s), Ok(o)) => match (s.modified(), o.modified()) {
            (Ok(s), Ok(o)) => o >= s,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(false);
    }
    let extension = source
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let bytes = std::fs::read(source).map_err(|e| error(e.to_string()))?;
    let output = if COPIED_EXTENSIONS.contains(&extension) {
        bytes
    } else {
        let text = String::from_utf8(bytes).map_err(|_| error("not UTF-8 text".to_owned()))?;
        to_commonjs(&text, extension, &source.display().to_string())
            .map_err(error)?
            .into_bytes()
    };
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| error(e.to_string()))?;
    }
    // Written beside and renamed: a worker never loads half a file.
    let temp = out.with_extension("js.tmp");
    std::fs::write(&temp, output).map_err(|e| error(e.to_string()))?;
    std::fs::rename(&temp, out).map_err(|e| error(e.to_string()))?;
    Ok(true)
}

/// One module's text as `CommonJS` JavaScript.
pub fn to_commonjs(text: &str, extension: &str, name: &str) -> Result<String, String> {
    let typescript_syntax = matches!(extension, "ts" | "tsx" | "mts" | "cts");
    let jsx = matches!(extension, "tsx" | "jsx" | "js");
    GLOBALS.set(&Globals::new(), || {
        let cm: Lrc<SourceMap> = Lrc::default();
        let file = cm.new_source_file(Lrc::new(FileName::Custom(name.to_owned())), text.to_owned());
        let comments = SingleThreadedComments::default();
        let mut parser = Parser::new(
            migrate_rewrite::parse::syntax_for(extension),
            swc_ecma_parser::StringInput::from(&*file),
            Some(&comments),
        );
        let program = parser.parse_program().map_err(|e| {
            let at = cm.lookup_char_pos(e.span().lo);
            format!("{}:{}: {}", at.line, at.col_display + 1, e.kind().msg())
        })?;
        if let Some(e) = parser.take_errors().into_iter().next() {
            let at = cm.lookup_char_pos(e.span().lo);
            return Err(format!(
                "{}:{}: {}",
                at.line,
                at.col_display + 1,
                e.kind().msg()
            ));
        }
        let unresolved = Mark::new();
        let top_level = Mark::new();
        let program = HELPERS.set(&Helpers::new(false), || {
            let mut program = program.apply(resolver(unresolved, top_level, typescript_syntax));
            if typescript_syntax {
                program = program.apply(typescript::typescript(
                    typescript::Config::default(),
                    unresolved,
                    top_level,
                ));
            }
            if jsx {
                program = program.apply(react(
                    cm.clone(),
                    Some(comments.clone()),
                    JsxOptions {
                        runtime: Some(Runtime::Automatic),
                        ..Default::default()
                    },
                    top_level,
                    unresolved,
                ));
            }
            program
                .apply(common_js(
                    Resolver::Default,
                    unresolved,
                    swc_ecma_transforms_module::util::Config::default(),
                    common_js::FeatureFlag {
                        support_block_scoping: true,
                        support_arrow: true,
                    },
                ))
                .apply(inject_helpers(unresolved))
                .apply(hygiene())
                .apply(fixer(Some(&comments)))
        });
        Ok(swc_ecma_codegen::to_code_default(
            cm,
            Some(&comments),
            &program,
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_esm_becomes_commonjs() {
        let out = to_commonjs(
            "import type { NextApiRequest } from 'next'\nimport { db } from '../lib/db'\nexport const config = { api: { bodyParser: false } }\nexport default async function handler(req: NextApiRequest, res: any) { res.json(await db(req.query.id as string)) }\n",
            "ts",
            "x.ts",
        )
        .unwrap();
        assert!(out.contains("require(\"../lib/db\")"), "{out}");
        assert!(out.contains("exports"), "{out}");
        assert!(!out.contains("NextApiRequest"), "{out}");
        assert!(!out.contains(" as string"), "{out}");
        // Helpers are inlined: the output needs no package and has no `import` left.
        let reexport = to_commonjs("export { default } from './x'\n", "ts", "x.ts").unwrap();
        assert!(
            reexport.contains("function _interop_require_default"),
            "{reexport}"
        );
        assert!(!reexport.contains("import "), "{reexport}");
    }

    #[test]
    fn dynamic_imports_stay_lazy() {
        let out = to_commonjs(
            "export default { GET: () => import('./_get') }\n",
            "ts",
            "x.ts",
        )
        .unwrap();
        assert!(out.contains("require(\"./_get\")"), "{out}");
        assert!(out.contains("Promise.resolve().then"), "{out}");
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let error = to_commonjs("export default function (\n", "ts", "x.ts").unwrap_err();
        assert!(
            error.starts_with("2:") || error.starts_with("1:"),
            "{error}"
        );
    }
}
