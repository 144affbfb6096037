//! A port of Next.js's sorted-routes algorithm (`shared/lib/router/utils/sorted-routes.ts`):
//! the order in which dynamic routes are tried, and every error Next raises while building that
//! order, in Next's own words.
//!
//! Next throws at the first error. We keep going so that one run reports every bad route: an
//! insertion that fails is rolled back, as if that route did not exist.

use rustc_hash::FxHashMap;

/// A route Next.js would reject, with the message it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortError {
    /// The index (into the input) of the route being inserted when the error was raised.
    pub route: usize,
    /// The earlier route the error is about, when there is one (e.g. the route that named the
    /// slug differently).
    pub other: Option<usize>,
    pub message: String,
}

/// The sorted patterns, and the errors raised while sorting.
#[derive(Debug, Default)]
pub struct Sorted {
    pub patterns: Vec<String>,
    pub errors: Vec<SortError>,
}

/// Sorts route patterns the way Next does. Patterns are inserted in the given order, which
/// decides which of two conflicting routes an error names first.
pub fn sort_routes<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Sorted {
    let mut sorted = Vec::new();
    let errors = sort(patterns, Some(&mut sorted));
    Sorted {
        patterns: sorted,
        errors,
    }
}

/// The errors [`sort_routes`] raises, without building the sorted list.
pub fn sort_errors<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Vec<SortError> {
    sort(patterns, None)
}

fn sort<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
    sorted: Option<&mut Vec<String>>,
) -> Vec<SortError> {
    let mut root = UrlNode::default();
    let mut errors = Vec::new();
    for (index, pattern) in patterns.into_iter().enumerate() {
        let parts: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
        if let Err(error) = root.insert(&parts, &mut Vec::new(), false, index) {
            errors.push(error);
        }
    }
    root.smoosh(&mut "/".to_owned(), sorted, &mut errors);
    errors
}

/// A slug name and the route that introduced it.
type Slug = Option<(String, usize)>;

#[derive(Default)]
struct UrlNode {
    /// The route that ends at this node, if any (JS: `placeholder === false`).
    route: Option<usize>,
    children: FxHashMap<String, UrlNode>,
    slug_name: Slug,
    rest_slug_name: Slug,
    optional_rest_slug_name: Slug,
}

/// JavaScript's default sort compares UTF-16 code units, which differs from Rust's byte order
/// only for characters above U+FFFF (four UTF-8 bytes, lead byte 0xF0 or more).
fn js_sort(keys: &mut [&String]) {
    if keys.iter().all(|k| k.bytes().all(|b| b < 0xF0)) {
        keys.sort_unstable();
    } else {
        keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    }
}

impl UrlNode {
    /// `prefix` is one buffer extended and truncated on the way down (Next builds a new
    /// string per node; the result is the same).
    fn smoosh(
        &self,
        prefix: &mut String,
        mut out: Option<&mut Vec<String>>,
        errors: &mut Vec<SortError>,
    ) {
        let mut statics: Vec<&String> = self
            .children
            .keys()
            .filter(|k| !matches!(k.as_str(), "[]" | "[...]" | "[[...]]"))
            .collect();
        js_sort(&mut statics);

        if let Some(route) = self.route {
            let r = if prefix == "/" {
                "/"
            } else {
                &prefix[..prefix.len() - 1]
            };
            if let Some((name, owner)) = &self.optional_rest_slug_name {
                errors.push(SortError {
                    route,
                    other: Some(*owner),
                    message: format!(
                        "You cannot define a route with the same specificity as a optional catch-all route (\"{r}\" and \"{r}[[...{name}]]\")."
                    ),
                });
            }
            if let Some(out) = out.as_deref_mut() {
                out.push(r.to_owned());
            }
        }
        let mut descend = |child: &UrlNode, parts: &[&str]| {
            let len = prefix.len();
            for part in parts {
                prefix.push_str(part);
            }
            prefix.push('/');
            child.smoosh(prefix, out.as_deref_mut(), errors);
            prefix.truncate(len);
        };
        for key in statics {
            descend(&self.children[key], &[key]);
        }
        if let Some((name, _)) = &self.slug_name {
            descend(&self.children["[]"], &["[", name, "]"]);
        }
        if let Some((name, _)) = &self.rest_slug_name {
            descend(&self.children["[...]"], &["[...", name, "]"]);
        }
        if let Some((name, _)) = &self.optional_rest_slug_name {
            descend(&self.children["[[...]]"], &["[[...", name, "]]"]);
        }
    }

    // A line-by-line port of Next's `_insert`: keeping its shape makes it checkable against it.
    #[allow(clippy::too_many_lines)]
    fn insert(
        &mut self,
        url_paths: &[&str],
        slug_names: &mut Vec<String>,
        mut is_catch_all: bool,
        route: usize,
    ) -> Result<(), SortError> {
        let error = |message: String, other: Option<usize>| SortError {
            route,
            other,
            message,
        };
        let Some((&first, rest)) = url_paths.split_first() else {
            self.route.get_or_insert(route);
            return Ok(());
        };
        if is_catch_all {
            return Err(error(
                "Catch-all must be the last part of the URL.".to_owned(),
                None,
            ));
        }

        // Borrowed: a new key is allocated only when a child is created.
        let mut next_segment: &str = first;
        // Which slot of this node the segment claims, so a failed insertion can be undone.
        let mut claimed: Option<(Slot, Slug)> = None;
        let pushed_slug = if first.starts_with('[') && first.ends_with(']') {
            let mut segment_name = &first[1..first.len() - 1];
            let mut is_optional = false;
            if segment_name.starts_with('[') && segment_name.ends_with(']') {
                segment_name = &segment_name[1..segment_name.len() - 1];
                is_optional = true;
            }
            if segment_name.starts_with('…') {
                return Err(error(
                    format!("Detected a three-dot character ('…') at ('{segment_name}'). Did you mean ('...')?"),
                    None,
                ));
            }
            if let Some(stripped) = segment_name.strip_prefix("...") {
                segment_name = stripped;
                is_catch_all = true;
            }
            if segment_name.starts_with('[') || segment_name.ends_with(']') {
                return Err(error(
                    format!("Segment names may not start or end with extra brackets ('{segment_name}')."),
                    None,
                ));
            }
            if segment_name.starts_with('.') {
                return Err(error(
                    format!(
                        "Segment names may not start with erroneous periods ('{segment_name}')."
                    ),
                    None,
                ));
            }

            let slot = if is_catch_all {
                if is_optional {
                    if let Some((rest, owner)) = &self.rest_slug_name {
                        return Err(error(
                            format!("You cannot use both an required and optional catch-all route at the same level (\"[...{rest}]\" and \"{first}\" )."),
                            Some(*owner),
                        ));
                    }
                    next_segment = "[[...]]";
                    Slot::OptionalRest
                } else {
                    if let Some((optional, owner)) = &self.optional_rest_slug_name {
                        return Err(error(
                            format!("You cannot use both an optional and required catch-all route at the same level (\"[[...{optional}]]\" and \"{first}\")."),
                            Some(*owner),
                        ));
                    }
                    next_segment = "[...]";
                    Slot::Rest
                }
            } else {
                if is_optional {
                    return Err(error(
                        format!("Optional route parameters are not yet supported (\"{first}\")."),
                        None,
                    ));
                }
                next_segment = "[]";
                Slot::Param
            };

            // handleSlug
            let previous = self.slot(slot).clone();
            if let Some((previous_name, owner)) = &previous {
                if previous_name != segment_name {
                    return Err(error(
                        format!("You cannot use different slug names for the same dynamic path ('{previous_name}' !== '{segment_name}')."),
                        Some(*owner),
                    ));
                }
            }
            let word = |s: &str| {
                s.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            };
            for slug in slug_names.iter() {
                if slug == segment_name {
                    return Err(error(
                        format!("You cannot have the same slug name \"{segment_name}\" repeat within a single dynamic path"),
                        None,
                    ));
                }
                if word(slug) == word(first) {
                    return Err(error(
                        format!("You cannot have the slug names \"{slug}\" and \"{segment_name}\" differ only by non-word symbols within a single dynamic path"),
                        None,
                    ));
                }
            }
            slug_names.push(segment_name.to_owned());
            if previous.is_none() {
                *self.slot_mut(slot) = Some((segment_name.to_owned(), route));
            }
            claimed = Some((slot, previous));
            true
        } else {
            false
        };

        // Look up before inserting: most segments already exist and need no new key.
        let created = !self.children.contains_key(next_segment);
        if created {
            self.children
                .insert(next_segment.to_owned(), UrlNode::default());
        }
        let child = self.children.get_mut(next_segment).expect("just ensured");
        let result = child.insert(rest, slug_names, is_catch_all, route);
        if result.is_err() {
            if created {
                self.children.remove(next_segment);
            }
            if let Some((slot, previous)) = claimed {
                *self.slot_mut(slot) = previous;
            }
        }
        if pushed_slug {
            slug_names.pop();
        }
        result
    }

    fn slot(&self, slot: Slot) -> &Slug {
        match slot {
            Slot::Param => &self.slug_name,
            Slot::Rest => &self.rest_slug_name,
            Slot::OptionalRest => &self.optional_rest_slug_name,
        }
    }

    fn slot_mut(&mut self, slot: Slot) -> &mut Slug {
        match slot {
            Slot::Param => &mut self.slug_name,
            Slot::Rest => &mut self.rest_slug_name,
            Slot::OptionalRest => &mut self.optional_rest_slug_name,
        }
    }
}

#[derive(Clone, Copy)]
enum Slot {
    Param,
    Rest,
    OptionalRest,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(patterns: &[&str]) -> Vec<String> {
        let sorted = sort_routes(patterns.iter().copied());
        assert!(sorted.errors.is_empty(), "{:?}", sorted.errors);
        sorted.patterns
    }

    fn first_error(patterns: &[&str]) -> SortError {
        let errors = sort_routes(patterns.iter().copied()).errors;
        // Without the sorted list, the same errors in the same order.
        assert_eq!(sort_errors(patterns.iter().copied()), errors);
        errors.into_iter().next().expect("an error")
    }

    #[test]
    fn orders_index_static_param_catchall_optional() {
        assert_eq!(
            order(&[
                "/api/post/[...slug]",
                "/api/post/[pid]",
                "/api/post/create",
                "/api/post",
                "/api/b",
                "/api/B",
                "/api/g/[[...o]]"
            ]),
            vec![
                "/api/B",
                "/api/b",
                "/api/g/[[...o]]",
                "/api/post",
                "/api/post/create",
                "/api/post/[pid]",
                "/api/post/[...slug]"
            ]
        );
    }

    #[test]
    fn next_messages_word_for_word() {
        assert_eq!(
            first_error(&["/api/d/[slug]", "/api/d/[id]"]).message,
            "You cannot use different slug names for the same dynamic path ('slug' !== 'id')."
        );
        assert_eq!(
            first_error(&["/api/o", "/api/o/[[...s]]"]).message,
            "You cannot define a route with the same specificity as a optional catch-all route (\"/api/o\" and \"/api/o[[...s]]\")."
        );
        assert_eq!(
            first_error(&["/a/[...x]/b"]).message,
            "Catch-all must be the last part of the URL."
        );
        assert_eq!(
            first_error(&["/a/[x]/[x]"]).message,
            "You cannot have the same slug name \"x\" repeat within a single dynamic path"
        );
        assert_eq!(
            first_error(&["/a/[a-b]/[ab]"]).message,
            "You cannot have the slug names \"a-b\" and \"ab\" differ only by non-word symbols within a single dynamic path"
        );
        assert_eq!(
            first_error(&["/a/[...x]", "/a/[[...y]]"]).message,
            "You cannot use both an required and optional catch-all route at the same level (\"[...x]\" and \"[[...y]]\" )."
        );
        assert_eq!(
            first_error(&["/a/[[...y]]", "/a/[...x]"]).message,
            "You cannot use both an optional and required catch-all route at the same level (\"[[...y]]\" and \"[...x]\")."
        );
        assert_eq!(
            first_error(&["/a/[[x]]"]).message,
            "Optional route parameters are not yet supported (\"[[x]]\")."
        );
        assert_eq!(
            first_error(&["/a/[…x]"]).message,
            "Detected a three-dot character ('…') at ('…x'). Did you mean ('...')?"
        );
        assert_eq!(
            first_error(&["/a/[.x]"]).message,
            "Segment names may not start with erroneous periods ('.x')."
        );
    }

    #[test]
    fn sorts_like_javascript_above_the_bmp() {
        // UTF-16 puts the surrogate pair of U+1F600 (0xD83D…) before U+FF61; UTF-8 bytes do not.
        assert_eq!(
            order(&["/a/\u{FF61}", "/a/\u{1F600}"]),
            vec!["/a/\u{1F600}", "/a/\u{FF61}"]
        );
    }

    #[test]
    fn failed_insert_is_rolled_back() {
        let sorted = sort_routes(["/a/[x]/[...r]/z", "/a/[y]"]);
        // The first route fails deep inside; it must not leave its slug name behind.
        assert_eq!(sorted.errors.len(), 1);
        assert_eq!(sorted.patterns, vec!["/a/[y]"]);
    }

    #[test]
    fn error_names_the_other_route() {
        let error = first_error(&["/x", "/api/d/[slug]", "/api/d/[id]"]);
        assert_eq!((error.route, error.other), (2, Some(1)));
    }
}
