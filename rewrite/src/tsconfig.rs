//! tsconfig's (or jsconfig's) `baseUrl` and `paths`, read as TypeScript and Next read them: the
//! nearer config of an `extends` chain wins, JSON with comments and trailing commas. `apply`
//! finds and re-points imports written through them (`@/pages/api/auth/[...nextauth]`);
//! `serve` compiles them to relative imports.

use std::path::{Path, PathBuf};

use crate::lexical_path::normalise;

/// tsconfig's (or jsconfig's) `baseUrl` and `paths`: what `@/lib/db` names, as Next's bundler
/// resolves it.
#[derive(Debug, Clone)]
pub struct PathAliases {
    pub root: PathBuf,
    pub base_url: PathBuf,
    /// `baseUrl` was set: bare specifiers that name something under it resolve there too.
    pub explicit_base_url: bool,
    pub paths: Paths,
}

impl PathAliases {
    /// Read from `tsconfig.json`, else `jsconfig.json`, at `root`; `None` when neither sets
    /// `baseUrl` or `paths` (or cannot be read: then imports stay as written).
    pub fn read(root: &Path) -> Option<PathAliases> {
        Self::read_reporting(root).0
    }

    /// [`PathAliases::read`], and why a config of the chain (or one it `extends`) could not
    /// be read, naming the file and the position: its aliases are then not followed, which
    /// the caller must say.
    pub fn read_reporting(root: &Path) -> (Option<PathAliases>, Vec<ConfigProblem>) {
        let Some(config) = ["tsconfig.json", "jsconfig.json"]
            .iter()
            .map(|name| root.join(name))
            .find(|path| path.is_file())
        else {
            return (None, Vec::new());
        };
        let mut options = ConfigOptions::default();
        options.read(&config, 0);
        let problems = std::mem::take(&mut options.problems);
        (options.aliases(root), problems)
    }

    /// A `paths` pattern matches it, or `baseUrl` is set and holds its first segment.
    pub fn rewrites(&self, specifier: &str) -> bool {
        if specifier.starts_with('.') || specifier.starts_with('/') {
            return false;
        }
        let by_pattern = self
            .paths
            .iter()
            .any(|(pattern, _)| pattern_matches(pattern, specifier));
        by_pattern || (self.explicit_base_url && self.holds(specifier))
    }

    fn holds(&self, specifier: &str) -> bool {
        let first = specifier.split('/').next().unwrap_or(specifier);
        let path = self.base_url.join(first);
        path.exists()
            || crate::parse::SOURCE_EXTENSIONS
                .iter()
                .any(|e| path.with_extension(e).exists())
    }

    /// The paths (without extension) that `specifier` may name through these aliases, in the
    /// order TypeScript tries them; empty when no alias applies.
    pub fn targets(&self, specifier: &str) -> Vec<PathBuf> {
        if specifier.starts_with('.') || specifier.starts_with('/') {
            return Vec::new();
        }
        let mut out: Vec<PathBuf> = Vec::new();
        // The longest matching prefix first, as TypeScript picks the most specific pattern.
        let mut matching: Vec<(&str, &[String], String)> = self
            .paths
            .iter()
            .filter_map(|(pattern, targets)| match pattern.split_once('*') {
                Some((prefix, suffix)) => {
                    let fits = specifier.len() >= prefix.len() + suffix.len()
                        && specifier.starts_with(prefix)
                        && specifier.ends_with(suffix);
                    fits.then(|| {
                        let star = &specifier[prefix.len()..specifier.len() - suffix.len()];
                        (prefix, targets.as_slice(), star.to_owned())
                    })
                }
                None => (specifier == pattern)
                    .then(|| (pattern.as_str(), targets.as_slice(), String::new())),
            })
            .collect();
        matching.sort_by_key(|(prefix, _, _)| std::cmp::Reverse(prefix.len()));
        for (_, targets, star) in matching {
            for target in targets {
                out.push(normalise(&self.base_url.join(target.replace('*', &star))));
            }
        }
        if self.explicit_base_url {
            out.push(normalise(&self.base_url.join(specifier)));
        }
        out
    }

    /// `path` (without extension) written through an alias that reaches it
    /// (`@/app/api/auth/[...nextauth]/handler`), else from `baseUrl` when it is set
    /// (`app/api/auth/[...nextauth]/handler`), if either does. The alias `like` (the specifier
    /// being replaced) was written with is tried first, as its author would write the new path;
    /// a pattern that spells a specifier starting with `/` or `.` (`"/*": ["*"]`) is never used:
    /// a bundler may read such a specifier as a path, and [`PathAliases::targets`] does.
    pub fn specifier_for(&self, path: &Path, like: &str) -> Option<String> {
        let from_base_url = || {
            let rest = path
                .strip_prefix(&self.base_url)
                .ok()
                .filter(|_| self.explicit_base_url)?;
            Some(rest.to_str()?.replace(std::path::MAIN_SEPARATOR, "/"))
        };
        // Written from `baseUrl` (`src/pages/api/x`): so is the new path, where it can be.
        let through_pattern = self.paths.iter().any(|(p, _)| pattern_matches(p, like));
        if !through_pattern {
            if let Some(specifier) = from_base_url() {
                return Some(specifier);
            }
        }
        self.by_pattern(path, like).or_else(from_base_url)
    }

    fn by_pattern(&self, path: &Path, like: &str) -> Option<String> {
        let matches_like = |pattern: &str| pattern_matches(pattern, like);
        // The patterns `like` matches, the most specific first (as TypeScript picks), then the
        // others in the config's order.
        let mut order: Vec<&(String, Vec<String>)> = self.paths.iter().collect();
        order.sort_by_key(|(pattern, _)| {
            let prefix = pattern
                .split_once('*')
                .map_or(pattern.len(), |(p, _)| p.len());
            (!matches_like(pattern), std::cmp::Reverse(prefix))
        });
        order.into_iter().find_map(|(pattern, targets)| {
            let (prefix, suffix) = pattern.split_once('*')?;
            if prefix.starts_with(['/', '.']) {
                return None;
            }
            let target = targets.first()?;
            let (target_prefix, target_suffix) = target.split_once('*')?;
            if !target_suffix.is_empty() || !suffix.is_empty() {
                return None;
            }
            let folder = normalise(&self.base_url.join(target_prefix));
            let rest = path.strip_prefix(&folder).ok()?;
            let rest = rest.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
            Some(format!("{prefix}{rest}"))
        })
    }
}

/// Whether a `paths` pattern (`@/*`, or an exact `server-only`) matches `specifier`.
fn pattern_matches(pattern: &str, specifier: &str) -> bool {
    match pattern.split_once('*') {
        Some((prefix, suffix)) => {
            specifier.len() >= prefix.len() + suffix.len()
                && specifier.starts_with(prefix)
                && specifier.ends_with(suffix)
        }
        None => specifier == pattern,
    }
}

/// A config of the chain that could not be read (its position in the message when it does
/// not parse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub file: PathBuf,
    pub message: String,
}

/// `baseUrl` and `paths` along a tsconfig's `extends` chain, each with the folder of the
/// config that set it (the nearer config wins, as in TypeScript).
#[derive(Default)]
struct ConfigOptions {
    base_url: Option<(String, PathBuf)>,
    paths: Option<(Paths, PathBuf)>,
    /// Configs of the chain that could not be read, and why.
    problems: Vec<ConfigProblem>,
}

/// tsconfig `paths`: each pattern with its targets.
type Paths = Vec<(String, Vec<String>)>;

impl ConfigOptions {
    /// The aliases these options define for a project at `root`, if they define any.
    fn aliases(self, root: &Path) -> Option<PathAliases> {
        let base_url = self.base_url.map(|(value, dir)| dir.join(value));
        let (paths, paths_dir) = match self.paths {
            Some((paths, dir)) => (paths, dir),
            None => (Vec::new(), root.to_owned()),
        };
        if base_url.is_none() && paths.is_empty() {
            return None;
        }
        Some(PathAliases {
            root: root.to_owned(),
            explicit_base_url: base_url.is_some(),
            // Without `baseUrl`, `paths` are relative to the config that sets them.
            base_url: base_url.unwrap_or(paths_dir),
            paths,
        })
    }

    /// Reads `config`, then what it extends for the options it does not set itself.
    fn read(&mut self, config: &Path, depth: usize) {
        // `extends` chains are short; a cycle stops here.
        if depth > 8 {
            return;
        }
        let value = match std::fs::read_to_string(config) {
            Ok(text) => json5::from_str::<serde_json::Value>(&text).map_err(|e| json5_error(&e)),
            Err(e) => Err(e.to_string()),
        };
        let value = match value {
            Ok(value) => value,
            Err(why) => {
                self.problems.push(ConfigProblem {
                    file: config.to_owned(),
                    message: format!("cannot be read: {why}"),
                });
                return;
            }
        };
        let dir = config.parent().unwrap_or(Path::new("/")).to_owned();
        let options = &value["compilerOptions"];
        if self.base_url.is_none() {
            if let Some(base_url) = options["baseUrl"].as_str() {
                self.base_url = Some((base_url.to_owned(), dir.clone()));
            }
        }
        if self.paths.is_none() {
            if let Some(paths) = options["paths"].as_object() {
                let paths = paths
                    .iter()
                    .map(|(from, to)| {
                        let targets = to.as_array().map_or_else(Vec::new, |list| {
                            list.iter()
                                .filter_map(|t| t.as_str().map(str::to_owned))
                                .collect()
                        });
                        (from.clone(), targets)
                    })
                    .collect();
                self.paths = Some((paths, dir.clone()));
            }
        }
        // TypeScript 5 allows a list; later entries win over earlier ones.
        let extended: Vec<&str> = match &value["extends"] {
            serde_json::Value::String(one) => vec![one.as_str()],
            serde_json::Value::Array(list) => {
                list.iter().rev().filter_map(|v| v.as_str()).collect()
            }
            _ => Vec::new(),
        };
        for name in extended {
            match extended_config(&dir, name) {
                Some(path) => self.read(&path, depth + 1),
                None => self.problems.push(ConfigProblem {
                    file: config.to_owned(),
                    message: format!("extends `{name}`, which is not found"),
                }),
            }
        }
    }
}

/// A JSON5 error on one line: its position and what was expected (the parser's own message
/// draws the line with a caret over several).
fn json5_error(error: &json5::Error) -> String {
    let json5::Error::Message { msg, location } = error;
    let what = msg
        .lines()
        .last()
        .map_or(msg.as_str(), |l| l.trim().trim_start_matches("= "));
    match location {
        Some(at) => format!("line {}, column {}: {what}", at.line, at.column),
        None => what.to_owned(),
    }
}

/// The file an `extends` names: a path relative to the config, or a package's config.
fn extended_config(dir: &Path, name: &str) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = if name.starts_with('.') || name.starts_with('/') {
        let path = dir.join(name);
        vec![path.clone(), path.with_extension("json")]
    } else {
        dir.ancestors()
            .map(|d| d.join("node_modules").join(name))
            .flat_map(|p| [p.clone(), p.with_extension("json"), p.join("tsconfig.json")])
            .collect()
    };
    candidates.into_iter().find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases(explicit_base_url: bool) -> PathAliases {
        PathAliases {
            root: PathBuf::from("/p"),
            base_url: PathBuf::from("/p"),
            explicit_base_url,
            paths: vec![
                ("@/*".to_owned(), vec!["./*".to_owned()]),
                ("@lib/*".to_owned(), vec!["./src/lib/*".to_owned()]),
            ],
        }
    }

    #[test]
    fn a_config_that_cannot_be_read_is_reported_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tsconfig.json"),
            "{\n  \"extends\": \"./base.json\",\n  \"compilerOptions\": { \"paths\": { \"@/*\": [\"./*\"] } }\n}\n",
        )
        .unwrap();
        let (aliases, problems) = PathAliases::read_reporting(dir.path());
        // Its own `paths` still count; the missing base is named.
        assert!(aliases.is_some());
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "extends `./base.json`, which is not found"
        );

        std::fs::write(
            dir.path().join("tsconfig.json"),
            "{\n  \"compilerOptions\": {\n    \"baseUrl\": \".\"\n  oops\n}\n",
        )
        .unwrap();
        let (aliases, problems) = PathAliases::read_reporting(dir.path());
        assert!(aliases.is_none());
        assert_eq!(problems[0].file, dir.path().join("tsconfig.json"));
        assert!(
            problems[0].message.starts_with("cannot be read: line "),
            "{}",
            problems[0].message
        );
        assert!(!problems[0].message.contains('\n'));
    }

    #[test]
    fn targets_follow_the_most_specific_pattern_then_base_url() {
        let a = aliases(true);
        assert_eq!(
            a.targets("@lib/db"),
            vec![PathBuf::from("/p/src/lib/db"), PathBuf::from("/p/@lib/db")]
        );
        assert_eq!(
            a.targets("@/pages/api/x"),
            vec![
                PathBuf::from("/p/pages/api/x"),
                PathBuf::from("/p/@/pages/api/x")
            ]
        );
        assert!(a.targets("./x").is_empty());
        assert_eq!(aliases(false).targets("pages/api/x"), Vec::<PathBuf>::new());
    }

    #[test]
    fn a_new_path_is_written_through_an_alias_or_base_url() {
        let path = Path::new("/p/app/api/auth/[...nextauth]/handler");
        assert_eq!(
            aliases(false)
                .specifier_for(path, "@/pages/api/auth/[...nextauth]")
                .as_deref(),
            Some("@/app/api/auth/[...nextauth]/handler")
        );
        let base_url_only = PathAliases {
            paths: Vec::new(),
            ..aliases(true)
        };
        assert_eq!(
            base_url_only
                .specifier_for(path, "pages/api/auth/[...nextauth]")
                .as_deref(),
            Some("app/api/auth/[...nextauth]/handler")
        );
        assert_eq!(
            PathAliases {
                paths: Vec::new(),
                ..aliases(false)
            }
            .specifier_for(path, "@/pages/api/auth/[...nextauth]"),
            None
        );
    }

    /// A tsconfig with `"@/*": ["./src/*"]` and `"/*": ["*"]` (keys come back sorted, so
    /// `/*` first): the moved file is named through the alias the import used, never as
    /// `/src/…`, which reads as an absolute path.
    #[test]
    fn a_new_path_keeps_the_alias_it_was_imported_through() {
        let a = PathAliases {
            root: PathBuf::from("/p"),
            base_url: PathBuf::from("/p"),
            explicit_base_url: true,
            paths: vec![
                ("/*".to_owned(), vec!["*".to_owned()]),
                ("@/*".to_owned(), vec!["./src/*".to_owned()]),
                ("~/*".to_owned(), vec!["./src/*".to_owned()]),
            ],
        };
        let path = Path::new("/p/src/app/api/auth/[...nextauth]/handler");
        assert_eq!(
            a.specifier_for(path, "@/pages/api/auth/[...nextauth]")
                .as_deref(),
            Some("@/app/api/auth/[...nextauth]/handler")
        );
        assert_eq!(
            a.specifier_for(path, "~/pages/api/auth/[...nextauth]")
                .as_deref(),
            Some("~/app/api/auth/[...nextauth]/handler")
        );
        // Imported from `baseUrl`: so is the new path.
        assert_eq!(
            a.specifier_for(path, "src/pages/api/auth/[...nextauth]")
                .as_deref(),
            Some("src/app/api/auth/[...nextauth]/handler")
        );
        // Without `baseUrl`, an alias that reaches it, never `/src/…`.
        let no_base_url = PathAliases {
            explicit_base_url: false,
            ..a.clone()
        };
        assert_eq!(
            no_base_url
                .specifier_for(path, "/src/pages/api/auth/[...nextauth]")
                .as_deref(),
            Some("@/app/api/auth/[...nextauth]/handler")
        );
        // Only `/*` reaches it: `baseUrl` spells it.
        let outside = Path::new("/p/lib/auth");
        assert_eq!(a.specifier_for(outside, "@/x").as_deref(), Some("lib/auth"));
    }
}
