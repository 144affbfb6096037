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

pub use migrate_rewrite::tsconfig::PathAliases;

/// Extensions compiled; everything else a module may load (`.json`) is copied.
pub(crate) use migrate_rewrite::parse::SOURCE_EXTENSIONS;
pub(crate) const COPIED_EXTENSIONS: &[&str] = &["json"];
/// Folders that hold no project sources.
pub(crate) const SKIPPED_FOLDERS: &[&str] =
    &["node_modules", ".next", ".git", ".migrate", "out", ".turbo"];

/// swc's module resolver for one source file, tsconfig aliases made relative.
fn module_resolver(aliases: &PathAliases, source: &Path) -> Resolver {
    use swc_ecma_loader::resolvers::{node::NodeModulesResolver, tsc::TsConfigResolver};
    use swc_ecma_transforms_module::path::{Config, NodeImportResolver};
    let node = NodeModulesResolver::new(
        swc_ecma_loader::TargetEnv::Node,
        rustc_hash::FxHashMap::default(),
        true,
    );
    let tsconfig = AliasesOnly {
        aliases: aliases.clone(),
        inner: TsConfigResolver::new(node, aliases.base_url.clone(), aliases.paths.clone()),
    };
    let config = Config {
        base_dir: Some(aliases.root.clone()),
        resolve_fully: false,
        file_extension: "js".to_owned(),
    };
    Resolver::Real {
        base: FileName::Real(source.to_owned()),
        resolver: std::sync::Arc::new(NodeImportResolver::with_config(tsconfig, config)),
    }
}

/// swc's tsconfig resolver, asked only about the specifiers tsconfig rewrites: relative ones
/// and packages are left as written (an error here means "keep the specifier").
struct AliasesOnly<R> {
    aliases: PathAliases,
    inner: R,
}

impl<R: swc_ecma_loader::resolve::Resolve> swc_ecma_loader::resolve::Resolve for AliasesOnly<R> {
    fn resolve(
        &self,
        base: &FileName,
        specifier: &str,
    ) -> Result<swc_ecma_loader::resolve::Resolution, anyhow::Error> {
        if self.aliases.rewrites(specifier) {
            self.inner.resolve(base, specifier)
        } else {
            anyhow::bail!("not an alias")
        }
    }
}

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
    /// tsconfig problems: its aliases are then not resolved.
    pub warnings: Vec<String>,
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
    let (aliases, warnings) = PathAliases::read_reporting(root);
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
        .map(|source| compile_file(source, &output_path(root, cache, source), aliases.as_ref()))
        .collect();
    let mut compiled = Compiled {
        warnings: warnings
            .into_iter()
            .map(|w| {
                let file = w.file.strip_prefix(root).unwrap_or(&w.file);
                format!(
                    "{}: {}: imports written through its `paths` are not resolved",
                    file.display(),
                    w.message
                )
            })
            .collect(),
        ..Compiled::default()
    };
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
pub fn compile_file(
    source: &Path,
    out: &Path,
    aliases: Option<&PathAliases>,
) -> Result<bool, CompileError> {
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
        // A source that did not compile stays reported until it is edited.
        return match failed_compile(out) {
            Some(message) => Err(error(message)),
            None => Ok(false),
        };
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
        let resolver = aliases.map_or(Resolver::Default, |a| module_resolver(a, source));
        match to_commonjs(&text, extension, &source.display().to_string(), resolver) {
            Ok(module) => module.into_bytes(),
            Err(message) => {
                // The module becomes one that throws the compile error: a request to its route
                // gets a 500 whose log says why, and an older compiled version never serves.
                write_atomically(out, failing_module(source, &message).as_bytes())
                    .map_err(|e| error(e.to_string()))?;
                return Err(error(message));
            }
        }
    };
    write_atomically(out, &output).map_err(|e| error(e.to_string()))?;
    Ok(true)
}

/// The first line of a module written for a source that did not compile.
const FAILED_MARKER: &str = "// migrate serve: this source did not compile\n";

fn failing_module(source: &Path, message: &str) -> String {
    let json = |text: &str| serde_json::to_string(text).expect("a string serialises");
    format!(
        "{FAILED_MARKER}// {}\nthrow new SyntaxError({})\n",
        json(message),
        json(&format!("{}: {message}", source.display()))
    )
}

/// The compile error recorded in `out`, when it is a module written by [`failing_module`].
fn failed_compile(out: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = Vec::with_capacity(FAILED_MARKER.len());
    std::fs::File::open(out)
        .ok()?
        .take(FAILED_MARKER.len() as u64)
        .read_to_end(&mut head)
        .ok()?;
    if head != FAILED_MARKER.as_bytes() {
        return None;
    }
    let text = std::fs::read_to_string(out).ok()?;
    serde_json::from_str(text.lines().nth(1)?.strip_prefix("// ")?).ok()
}

/// Writes beside and renames: a worker never loads half a file.
fn write_atomically(out: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let temp = out.with_extension("js.tmp");
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, out)
}

/// One module's text as `CommonJS` JavaScript.
pub fn to_commonjs(
    text: &str,
    extension: &str,
    name: &str,
    imports: Resolver,
) -> Result<String, String> {
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
                    imports,
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
            Resolver::Default,
        )
        .unwrap();
        assert!(out.contains("require(\"../lib/db\")"), "{out}");
        assert!(out.contains("exports"), "{out}");
        assert!(!out.contains("NextApiRequest"), "{out}");
        assert!(!out.contains(" as string"), "{out}");
        // Helpers are inlined: the output needs no package and has no `import` left.
        let reexport = to_commonjs(
            "export { default } from './x'\n",
            "ts",
            "x.ts",
            Resolver::Default,
        )
        .unwrap();
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
            Resolver::Default,
        )
        .unwrap();
        assert!(out.contains("require(\"./_get\")"), "{out}");
        assert!(out.contains("Promise.resolve().then"), "{out}");
    }

    #[test]
    fn a_source_that_does_not_compile_becomes_a_module_that_throws_its_error() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("broken.ts");
        let out = dir.path().join("out/broken.js");
        std::fs::write(
            &source,
            "export default function handler(req, res) {\n  res.json({ ok: true })\n}\n",
        )
        .unwrap();
        assert!(compile_file(&source, &out, None).unwrap());
        // Edited into a syntax error a second later: the older output must not keep serving.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&source, "export default function handler(req, res {\n}\n").unwrap();
        let first = compile_file(&source, &out, None).unwrap_err();
        assert!(first.message.starts_with("1:"), "{}", first.message);
        let module = std::fs::read_to_string(&out).unwrap();
        assert!(module.contains("throw new SyntaxError("), "{module}");
        assert!(!module.contains("ok: true"), "{module}");
        // Unchanged since: still reported, without compiling again.
        let again = compile_file(&source, &out, None).unwrap_err();
        assert_eq!(again.message, first.message);
    }

    #[test]
    fn syntax_errors_name_the_position() {
        let error = to_commonjs(
            "export default function (\n",
            "ts",
            "x.ts",
            Resolver::Default,
        )
        .unwrap_err();
        assert!(
            error.starts_with("2:") || error.starts_with("1:"),
            "{error}"
        );
    }
}

#[cfg(test)]
mod alias_tests {
    use super::*;

    #[test]
    fn tsconfig_paths_become_relative_imports() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(
            root.join("tsconfig.json"),
            "{\n  // comments and trailing commas, as tsconfig allows\n  \"compilerOptions\": { \"paths\": { \"@/*\": [\"./*\"], }, },\n}\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("lib")).unwrap();
        std::fs::write(root.join("lib/db.ts"), "export const db = 1\n").unwrap();
        std::fs::create_dir_all(root.join("pages/api")).unwrap();
        let source = root.join("pages/api/x.ts");
        std::fs::write(
            &source,
            "import { db } from '@/lib/db'\nimport next from 'next/server'\nexport default () => [db, next]\n",
        )
        .unwrap();
        let aliases = PathAliases::read(&root).expect("paths read");
        let cache = root.join(".cache");
        let out = output_path(&root, &cache, &source);
        assert!(compile_file(&source, &out, Some(&aliases)).unwrap());
        let text = std::fs::read_to_string(out).unwrap();
        assert!(text.contains("require(\"../../lib/db\")"), "{text}");
        // Packages stay as written: Node resolves them from the project.
        assert!(text.contains("require(\"next/server\")"), "{text}");
        // With `baseUrl`, what lives under it resolves there; packages still stay.
        std::fs::write(
            root.join("tsconfig.json"),
            r#"{ "compilerOptions": { "baseUrl": "." } }"#,
        )
        .unwrap();
        std::fs::write(
            &source,
            "import { db } from 'lib/db'\nimport next from 'next/server'\nexport default () => [db, next]\n",
        )
        .unwrap();
        let aliases = PathAliases::read(&root).expect("baseUrl read");
        let out = output_path(&root, &cache, &source);
        std::fs::remove_file(&out).unwrap();
        assert!(compile_file(&source, &out, Some(&aliases)).unwrap());
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("require(\"../../lib/db\")"), "{text}");
        assert!(text.contains("require(\"next/server\")"), "{text}");
        // `paths` from an extended config, relative to that config's folder.
        std::fs::create_dir_all(root.join("config")).unwrap();
        std::fs::write(
            root.join("config/base.json"),
            r#"{ "compilerOptions": { "paths": { "~db": ["../lib/db"] } } }"#,
        )
        .unwrap();
        std::fs::write(
            root.join("tsconfig.json"),
            r#"{ "extends": "./config/base.json", "compilerOptions": { "strict": true } }"#,
        )
        .unwrap();
        std::fs::write(&source, "import { db } from '~db'\nexport default db\n").unwrap();
        let aliases = PathAliases::read(&root).expect("extended paths read");
        std::fs::remove_file(&out).unwrap();
        assert!(compile_file(&source, &out, Some(&aliases)).unwrap());
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("require(\"../../lib/db\")"), "{text}");
    }
}
