//! Edits are picked up without a restart: a change to a source file recompiles what changed,
//! rebuilds the route table (a route file added or removed) and replaces the workers, so the
//! next request runs the new code.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::front::Front;
use crate::routes::Routes;
use crate::workers::Pool;

/// Edits closer together than this are taken as one.
const SETTLE: Duration = Duration::from_millis(100);

/// Watches `root`; the watcher stops when the returned value is dropped. `None` (with a
/// message) when the platform cannot watch.
pub fn start(
    root: PathBuf,
    cache: PathBuf,
    front: Arc<Front>,
    pool: Arc<Pool>,
) -> Option<notify::RecommendedWatcher> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let watched_root = root.clone();
    let mut watcher =
        match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                if event.paths.iter().any(|p| is_source(&watched_root, p)) {
                    let _ = tx.send(());
                }
            }
        }) {
            Ok(watcher) => watcher,
            Err(error) => {
                eprintln!("migrate serve: not watching for edits: {error}");
                return None;
            }
        };
    if let Err(error) = watcher.watch(&root, RecursiveMode::Recursive) {
        eprintln!("migrate serve: not watching for edits: {error}");
        return None;
    }
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Let a burst of events (an editor's save, a git checkout) settle.
            tokio::time::sleep(SETTLE).await;
            while rx.try_recv().is_ok() {}
            reload(&root, &cache, &front, &pool).await;
        }
    });
    Some(watcher)
}

async fn reload(root: &Path, cache: &Path, front: &Front, pool: &Pool) {
    let (root_owned, cache_owned) = (root.to_owned(), cache.to_owned());
    let rebuilt = tokio::task::spawn_blocking(move || {
        let compiled = crate::compile_into(&root_owned, &cache_owned).ok()?;
        let project = migrate_rewrite::project::discover(&root_owned)
            .ok()?
            .into_iter()
            .find(|p| p.root == root_owned)?;
        Some((compiled, Routes::of(&project, &cache_owned)))
    })
    .await
    .ok()
    .flatten();
    let Some((compiled, routes)) = rebuilt else {
        eprintln!("migrate serve: the project could not be reloaded; serving the previous version");
        return;
    };
    crate::print_collisions(&routes);
    let count = routes.routes.len();
    *front.routes.write().expect("routes lock") = Arc::new(routes);
    pool.restart_all().await;
    println!("migrate serve: reloaded ({compiled} files compiled, {count} routes)");
}

/// A file whose change matters: a source or JSON file outside the folders that hold none, or
/// an `.env*` file (the new workers load it).
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let skipped = relative.components().any(|c| {
        crate::compile::SKIPPED_FOLDERS.contains(&c.as_os_str().to_string_lossy().as_ref())
    });
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let env_file = relative.components().count() == 1
        && path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".env"));
    env_file
        || !skipped
            && (crate::compile::SOURCE_EXTENSIONS.contains(&extension)
                || crate::compile::COPIED_EXTENSIONS.contains(&extension))
}
