//! Paths worked out as text, the way bundlers resolve import specifiers: without the file
//! system (no symlinks followed, no existence checked).

use std::path::{Component, Path, PathBuf};

/// `path` with `.` removed and each `..` undoing the part before it: `a/./b/../c` is `a/c`. A
/// `..` with nothing to undo stays in a relative path (`a/../../b` is `../b`: it names a place
/// outside `a`'s parent, not `b` inside it) and is dropped at the root (`/..` is `/`).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                Some(Component::ParentDir | Component::CurDir) | None => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;
    use std::path::{Path, PathBuf};

    #[test]
    fn dots_are_worked_out_as_text() {
        let cases = [
            ("/p/pages/api/./x/../../../lib/http", "/p/lib/http"),
            ("/p/../../b", "/b"),
            ("a/../../b", "../b"),
            ("../p/pages/api/../../lib", "../p/lib"),
            ("./pages/api/../../lib", "lib"),
            ("../../x", "../../x"),
        ];
        for (path, normal) in cases {
            assert_eq!(normalise(Path::new(path)), PathBuf::from(normal), "{path}");
        }
    }
}
