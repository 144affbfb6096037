//! Where a `pages/api` file goes in the App Router (spec C1): `pages/api/a/b.ts` →
//! `app/api/a/b/route.ts`, `index` files → their folder, dynamic segments, dot folders and
//! dotted names (`google.xml.ts` → `google.xml/`) kept, the page extension kept (`.js` →
//! `route.js`, `api.ts` → `route.api.ts`), `src/` layouts in `src/`.

use std::path::{Path, PathBuf};

/// The App Router folder of a project: the existing one, else `app` beside `pages`.
pub fn app_dir(pages_dir: &Path, existing: Option<&Path>) -> PathBuf {
    existing.map_or_else(
        || pages_dir.parent().unwrap_or(Path::new(".")).join("app"),
        Path::to_owned,
    )
}

/// The route file for the `pages` file at `path` (inside `pages_dir`), matched by the page
/// extension `extension`.
pub fn route_file(
    path: &Path,
    pages_dir: &Path,
    extension: &str,
    app_dir: &Path,
) -> Option<PathBuf> {
    let relative = path.strip_prefix(pages_dir).ok()?;
    let name = relative.file_name()?.to_str()?;
    let stem = name.strip_suffix(extension)?.strip_suffix('.')?;
    let mut folder = app_dir.join(relative.parent()?);
    if stem != "index" {
        folder.push(stem);
    }
    Some(folder.join(format!("route.{extension}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(file: &str, extension: &str) -> String {
        let pages = Path::new("/p/src/pages");
        let app = app_dir(pages, None);
        route_file(&pages.join(file), pages, extension, &app)
            .unwrap()
            .display()
            .to_string()
    }

    #[test]
    fn maps_like_next_routes() {
        assert_eq!(map("api/a/b.ts", "ts"), "/p/src/app/api/a/b/route.ts");
        assert_eq!(map("api/index.js", "js"), "/p/src/app/api/route.js");
        assert_eq!(
            map("api/users/index.tsx", "tsx"),
            "/p/src/app/api/users/route.tsx"
        );
        assert_eq!(
            map("api/post/[id].ts", "ts"),
            "/p/src/app/api/post/[id]/route.ts"
        );
        assert_eq!(
            map("api/[[...slug]].ts", "ts"),
            "/p/src/app/api/[[...slug]]/route.ts"
        );
        assert_eq!(
            map("api/feed/google.xml.ts", "ts"),
            "/p/src/app/api/feed/google.xml/route.ts"
        );
        assert_eq!(
            map("api/.well-known/x.js", "js"),
            "/p/src/app/api/.well-known/x/route.js"
        );
        assert_eq!(
            map("api/foo.api.ts", "api.ts"),
            "/p/src/app/api/foo/route.api.ts"
        );
    }

    #[test]
    fn an_existing_app_folder_is_used() {
        let app = app_dir(Path::new("/p/pages"), Some(Path::new("/p/app")));
        assert_eq!(app, Path::new("/p/app"));
    }
}
