//! Matching a request path to a route the way Next.js does (`resolve-routes.ts`): an exact
//! static match first (App Router files before Pages), then one list of dynamic routes from both
//! routers in sorted-routes order, identical patterns app first.

use rustc_hash::FxHashMap;

use super::sorted::sort_routes;
use super::{is_dynamic, segments, Router, Segment};

/// A route the table can serve.
#[derive(Debug, Clone)]
pub struct TableRoute {
    pub pattern: String,
    pub router: Router,
}

/// A dynamic parameter's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    One(String),
    Many(Vec<String>),
}

/// The route a path resolved to, by index into the table's routes, with decoded params. An
/// optional catch-all that matched nothing has no entry, as in Next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    pub route: usize,
    pub params: Vec<(String, ParamValue)>,
}

/// Why a path could not be matched although a route's pattern fits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchError {
    /// A parameter is not valid percent-encoded UTF-8; Next answers 400.
    UndecodableParam { route: usize },
}

/// What Next does with a request path, before any handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A trailing slash (with the default `trailingSlash: false`): a 308 to the path without
    /// it, for every path, routed or not (spec C5).
    Redirect {
        location: String,
    },
    Matched(RouteMatch),
    /// A route's pattern fits but a parameter is not valid percent-encoding: a 400.
    BadRequest {
        route: usize,
    },
    NotFound,
}

/// Routes in the order Next tries them.
#[derive(Debug, Default)]
pub struct RouteTable {
    routes: Vec<TableRoute>,
    static_app: FxHashMap<String, usize>,
    static_pages: FxHashMap<String, usize>,
    /// Dynamic routes in match order, each with its parsed segments.
    dynamic: Vec<(usize, Vec<Segment>)>,
}

impl RouteTable {
    /// Builds the table. Where two routes of one router share a pattern, the first is kept.
    pub fn new(routes: Vec<TableRoute>) -> Self {
        let mut table = RouteTable::default();
        let mut by_pattern: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (index, route) in routes.iter().enumerate() {
            if is_dynamic(&route.pattern) {
                by_pattern.entry(&route.pattern).or_default().push(index);
            } else {
                let map = match route.router {
                    Router::App => &mut table.static_app,
                    Router::Pages => &mut table.static_pages,
                };
                map.entry(route.pattern.clone()).or_insert(index);
            }
        }
        let mut patterns: Vec<&str> = by_pattern.keys().copied().collect();
        patterns.sort_unstable();
        for pattern in sort_routes(patterns).patterns {
            let mut group = by_pattern.remove(pattern.as_str()).unwrap_or_default();
            group.sort_by_key(|&i| (routes[i].router != Router::App, i));
            group.dedup_by_key(|&mut i| routes[i].router);
            for index in group {
                table.dynamic.push((index, segments(&pattern)));
            }
        }
        table.routes = routes;
        table
    }

    pub fn routes(&self) -> &[TableRoute] {
        &self.routes
    }

    /// What Next does with a request for `path` (and its query string, kept in a redirect).
    pub fn resolve(&self, path: &str, query: Option<&str>) -> Resolution {
        if path.len() > 1 && path.ends_with('/') {
            let mut location = path[..path.len() - 1].to_owned();
            if let Some(query) = query.filter(|q| !q.is_empty()) {
                location.push('?');
                location.push_str(query);
            }
            return Resolution::Redirect { location };
        }
        match self.match_path(path) {
            Ok(Some(found)) => Resolution::Matched(found),
            Ok(None) => Resolution::NotFound,
            Err(MatchError::UndecodableParam { route }) => Resolution::BadRequest { route },
        }
    }

    /// Resolves a request path (no query string) to a route, as Next's route regexes do (they
    /// allow one trailing slash; [`RouteTable::resolve`] redirects it first, as Next does).
    pub fn match_path(&self, path: &str) -> Result<Option<RouteMatch>, MatchError> {
        let path = if path.len() > 1 {
            path.strip_suffix('/').unwrap_or(path)
        } else {
            path
        };
        if let Ok(decoded) = decode_uri_component(path) {
            for map in [&self.static_app, &self.static_pages] {
                if let Some(&route) = map.get(&decoded) {
                    return Ok(Some(RouteMatch {
                        route,
                        params: Vec::new(),
                    }));
                }
            }
        }
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        for (route, pattern) in &self.dynamic {
            if let Some(raw) = match_segments(pattern, &parts) {
                return decode_params(raw)
                    .map(|params| {
                        Some(RouteMatch {
                            route: *route,
                            params,
                        })
                    })
                    .map_err(|MalformedUri| MatchError::UndecodableParam { route: *route });
            }
        }
        Ok(None)
    }
}

/// Raw (still encoded) params of a pattern that fits the path's segments.
fn match_segments<'a>(
    pattern: &'a [Segment],
    parts: &[&'a str],
) -> Option<Vec<(&'a str, RawParam<'a>)>> {
    let mut params = Vec::new();
    let mut i = 0;
    for segment in pattern {
        match segment {
            Segment::Static(s) => {
                if parts.get(i) != Some(&s.as_str()) {
                    return None;
                }
                i += 1;
            }
            Segment::Dynamic(name) => {
                let part = parts.get(i).filter(|p| !p.is_empty())?;
                params.push((name.as_str(), RawParam::One(part)));
                i += 1;
            }
            Segment::CatchAll(name) | Segment::OptionalCatchAll(name) => {
                let rest = &parts[i.min(parts.len())..];
                let empty = rest.is_empty() || (rest.len() == 1 && rest[0].is_empty());
                if empty {
                    if matches!(segment, Segment::CatchAll(_)) {
                        return None;
                    }
                } else {
                    params.push((name.as_str(), RawParam::Many(rest.to_vec())));
                }
                i = parts.len();
            }
        }
    }
    (i == parts.len()).then_some(params)
}

enum RawParam<'a> {
    One(&'a str),
    Many(Vec<&'a str>),
}

/// Each value is `decodeURIComponent`-ed; a catch-all was split on `/` before decoding, so an
/// encoded `%2F` stays inside one element.
fn decode_params(raw: Vec<(&str, RawParam)>) -> Result<Vec<(String, ParamValue)>, MalformedUri> {
    raw.into_iter()
        .map(|(name, value)| {
            let value = match value {
                RawParam::One(s) => ParamValue::One(decode_uri_component(s)?),
                RawParam::Many(parts) => ParamValue::Many(
                    parts
                        .into_iter()
                        .map(decode_uri_component)
                        .collect::<Result<_, _>>()?,
                ),
            };
            Ok((name.to_owned(), value))
        })
        .collect()
}

/// What `decodeURIComponent` throws on: a bad `%` escape or bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedUri;

/// JavaScript's `decodeURIComponent`: every `%XX` must be a hex escape and the bytes must be
/// UTF-8, or it throws (here: `Err`).
pub fn decode_uri_component(s: &str) -> Result<String, MalformedUri> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(MalformedUri)?;
            let hex = std::str::from_utf8(hex).map_err(|_| MalformedUri)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| MalformedUri)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| MalformedUri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(routes: &[(&str, Router)]) -> RouteTable {
        RouteTable::new(
            routes
                .iter()
                .map(|(p, r)| TableRoute {
                    pattern: (*p).to_owned(),
                    router: *r,
                })
                .collect(),
        )
    }

    type Served = (String, Router, Vec<(String, ParamValue)>);

    fn served(table: &RouteTable, path: &str) -> Option<Served> {
        let m = table.match_path(path).unwrap()?;
        let route = &table.routes()[m.route];
        Some((route.pattern.clone(), route.router, m.params))
    }

    fn one(s: &str) -> ParamValue {
        ParamValue::One(s.to_owned())
    }

    fn many(s: &[&str]) -> ParamValue {
        ParamValue::Many(s.iter().map(|s| (*s).to_owned()).collect())
    }

    /// The mixed example of spec C3, observed against `next start`.
    #[test]
    fn mixed_routers_match_as_next_does() {
        use Router::{App, Pages};
        let t = table(&[
            ("/api/m/[id]", Pages),
            ("/api/m/[...rest]", App),
            ("/api/m/fixed", App),
            ("/api/n/fixed", Pages),
            ("/api/n/[id]", App),
            ("/api/g/[[...opt]]", App),
            ("/api/g/[x]/deep", Pages),
        ]);
        let p = |s: &str| s.to_owned();
        assert_eq!(
            served(&t, "/api/m/1"),
            Some((p("/api/m/[id]"), Pages, vec![(p("id"), one("1"))]))
        );
        assert_eq!(
            served(&t, "/api/m/1/2"),
            Some((
                p("/api/m/[...rest]"),
                App,
                vec![(p("rest"), many(&["1", "2"]))]
            ))
        );
        assert_eq!(served(&t, "/api/m/fixed").unwrap().1, App);
        assert_eq!(served(&t, "/api/n/fixed").unwrap().1, Pages);
        assert_eq!(served(&t, "/api/n/other").unwrap().0, "/api/n/[id]");
        assert_eq!(
            served(&t, "/api/g"),
            Some((p("/api/g/[[...opt]]"), App, vec![]))
        );
        assert_eq!(
            served(&t, "/api/g/a").unwrap().2,
            vec![(p("opt"), many(&["a"]))]
        );
        assert_eq!(
            served(&t, "/api/g/a/deep"),
            Some((p("/api/g/[x]/deep"), Pages, vec![(p("x"), one("a"))]))
        );
        assert_eq!(
            served(&t, "/api/g/a/b/deep").unwrap().2,
            vec![(p("opt"), many(&["a", "b", "deep"]))]
        );
    }

    #[test]
    fn params_decode_like_next() {
        let t = table(&[
            ("/api/post/[pid]", Router::Pages),
            ("/api/c/[...s]", Router::App),
        ]);
        assert_eq!(
            served(&t, "/api/post/a%20b%2Fc").unwrap().2[0].1,
            one("a b/c")
        );
        assert_eq!(
            served(&t, "/api/c/a%2Fb/c").unwrap().2[0].1,
            many(&["a/b", "c"])
        );
        assert_eq!(
            t.match_path("/api/post/%zz"),
            Err(MatchError::UndecodableParam { route: 0 })
        );
        assert_eq!(served(&t, "/api/post"), None);
        assert_eq!(served(&t, "/API/post/1"), None);
    }

    #[test]
    fn static_beats_dynamic_and_app_wins_ties() {
        let t = table(&[
            ("/api/x", Router::Pages),
            ("/api/x", Router::App),
            ("/api/[y]", Router::App),
        ]);
        assert_eq!(served(&t, "/api/x").unwrap().1, Router::App);
        assert_eq!(served(&t, "/api/x/").unwrap().1, Router::App);
        let t = table(&[("/api/[y]", Router::Pages), ("/api/[y]", Router::App)]);
        assert_eq!(served(&t, "/api/z").unwrap().1, Router::App);
    }

    #[test]
    fn trailing_slashes_redirect_before_routing() {
        let t = table(&[("/api/x", Router::Pages), ("/api/[id]", Router::App)]);
        let redirect = |path, query| match t.resolve(path, query) {
            Resolution::Redirect { location } => location,
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(redirect("/api/x/", None), "/api/x");
        assert_eq!(redirect("/api/none/", Some("a=1")), "/api/none?a=1");
        assert!(matches!(t.resolve("/", None), Resolution::NotFound));
        assert!(matches!(t.resolve("/api/x", None), Resolution::Matched(_)));
        assert!(matches!(
            t.resolve("/api/%zz", None),
            Resolution::BadRequest { .. }
        ));
    }
}
