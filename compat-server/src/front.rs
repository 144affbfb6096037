//! The front: routes each request as Next would and forwards it to a worker, or answers itself
//! (Next's trailing-slash 308, 400 for an undecodable param, 404, and the `/__migrate` pages).
//! [`handle`] is a plain function of a request, so it is tested without a socket.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use migrate_rewrite::route::matcher::{ParamValue, Resolution};

use crate::body::{self, Body, BoxError};
use crate::routes::{Routes, ServedRoute};
use crate::shadow::{self, Shadow};
use crate::workers::{ForwardError, Pool};

/// Headers the front uses to tell a worker what to run; never taken from a client.
const MODULE: &str = "x-migrate-module";
const ROUTER: &str = "x-migrate-router";
const PARAMS: &str = "x-migrate-params";
const PATTERN: &str = "x-migrate-pattern";

/// Everything a request needs.
pub struct Front {
    /// Replaced as a whole when the project's files change.
    pub routes: std::sync::RwLock<Arc<Routes>>,
    /// `None` in tests that never reach a handler.
    pub pool: Option<Arc<Pool>>,
    pub timeout: Duration,
    /// The largest request body forwarded, in bytes.
    pub max_body: usize,
    /// `--shadow`: paths both routers define also run their Pages version, compared.
    pub shadow: Option<Arc<Shadow>>,
    /// `--upstream`: where requests no route matches go (e.g. the team's `next dev`).
    pub upstream: Option<Upstream>,
}

/// A server that answers what the route table does not.
pub struct Upstream {
    pub base: hyper::Uri,
    pub client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        Body,
    >,
}

impl Upstream {
    pub fn new(url: &str) -> anyhow::Result<Upstream> {
        let base: hyper::Uri = url.parse()?;
        anyhow::ensure!(
            base.scheme_str() == Some("http") && base.authority().is_some(),
            "--upstream must be an http:// URL with a host, not {url}"
        );
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http();
        Ok(Upstream { base, client })
    }

    /// The request, sent on to the upstream server; its answer streamed back.
    async fn forward<B>(&self, request: Request<B>) -> Response<Body>
    where
        B: hyper::body::Body<Data = bytes::Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        let (mut parts, incoming) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", hyper::http::uri::PathAndQuery::as_str);
        let authority = self.base.authority().expect("checked").clone();
        parts.uri = hyper::Uri::builder()
            .scheme("http")
            .authority(authority)
            .path_and_query(path)
            .build()
            .expect("a valid URI");
        match self
            .client
            .request(Request::from_parts(parts, body::boxed(incoming)))
            .await
        {
            Ok(answer) => {
                let (mut parts, incoming) = answer.into_parts();
                parts.headers.insert(
                    HeaderName::from_static(ROUTER),
                    HeaderValue::from_static("upstream"),
                );
                Response::from_parts(parts, body::boxed(incoming))
            }
            Err(failure) => error(
                StatusCode::BAD_GATEWAY,
                &format!("the upstream server failed: {failure}"),
                &self.base.to_string(),
            ),
        }
    }
}

/// Answers one request.
pub async fn handle<B>(front: Arc<Front>, request: Request<B>) -> Response<Body>
where
    B: hyper::body::Body<Data = bytes::Bytes> + Send + Sync + 'static,
    B::Error: Into<BoxError>,
{
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let routes = Arc::clone(&front.routes.read().expect("routes lock"));
    if path == "/__migrate/routes" {
        return routes_json(&routes, front.shadow.as_deref());
    }
    if path == "/__migrate" {
        return routes_page(&routes);
    }
    let found = match routes.table.resolve(&path, query.as_deref()) {
        Resolution::Redirect { location } => {
            return Response::builder()
                .status(StatusCode::PERMANENT_REDIRECT)
                .header("location", &location)
                .header("refresh", format!("0;url={location}"))
                .body(body::full(location))
                .expect("valid response");
        }
        Resolution::BadRequest { .. } => return plain(StatusCode::BAD_REQUEST, "Bad Request"),
        Resolution::NotFound => {
            return match &front.upstream {
                Some(upstream) => upstream.forward(request).await,
                None => plain(StatusCode::NOT_FOUND, "Not Found"),
            };
        }
        Resolution::Matched(found) => found,
    };
    let route = &routes.routes[found.route];
    let Some(pool) = front.pool.clone() else {
        return error(StatusCode::BAD_GATEWAY, "no workers", &route.file);
    };
    let (mut parts, incoming) = request.into_parts();
    // A client may not choose the module a worker runs.
    for name in [MODULE, ROUTER, PARAMS, PATTERN] {
        parts.headers.remove(name);
    }
    for hop in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "upgrade",
        "te",
        "trailer",
    ] {
        parts.headers.remove(hop);
    }
    let client = parts.extensions.get::<Client>().copied();
    add_forwarded(&mut parts.headers, client);
    let limited = http_body_util::Limited::new(incoming, front.max_body);
    if let Some(shadow) = &front.shadow {
        let pages = routes.shadowed_by(found.route);
        if let Some(pages) = pages.filter(|_| shadow.applies(&parts.method)) {
            let pair = shadow::Pair {
                app: route,
                pages: &routes.routes[pages],
                params: &found.params,
            };
            return shadow::answer(shadow, &pool, front.timeout, &pair, parts, limited).await;
        }
    }
    let mut forwarded = Request::from_parts(parts, body::boxed(limited));
    address(forwarded.headers_mut(), route, &found.params);
    answer(&pool, forwarded, front.timeout, route).await
}

/// The connection a request came in on, put in its extensions by the server (absent in tests
/// without a socket).
#[derive(Debug, Clone, Copy)]
pub struct Client {
    /// The client's address, as Node's `socket.remoteAddress` gives it.
    pub address: std::net::IpAddr,
    /// The port the server listens on.
    pub port: u16,
}

/// The `x-forwarded-*` headers `next start` adds to every request it routes, each only where
/// the client sent none (`??=` in Next's `base-server`): handlers of both routers see them, and
/// a worker's own socket is the front's, not the client's.
fn add_forwarded(headers: &mut hyper::HeaderMap, client: Option<Client>) {
    let host = headers.get(hyper::header::HOST).cloned();
    let mut add = |name: &'static str, value: Option<HeaderValue>| {
        if let Some(value) = value {
            headers
                .entry(HeaderName::from_static(name))
                .or_insert(value);
        }
    };
    add("x-forwarded-host", host);
    add(
        "x-forwarded-port",
        client.map(|c| HeaderValue::from(c.port)),
    );
    // The front speaks plain HTTP; a client's own `x-forwarded-proto` is kept.
    add("x-forwarded-proto", Some(HeaderValue::from_static("http")));
    add(
        "x-forwarded-for",
        client.and_then(|c| HeaderValue::from_str(&c.address.to_string()).ok()),
    );
}

/// Sends a request already addressed to `route` and returns its answer, or the 502/504 that
/// stands for it.
pub(crate) async fn answer(
    pool: &Arc<Pool>,
    forwarded: Request<Body>,
    timeout: Duration,
    route: &ServedRoute,
) -> Response<Body> {
    match pool.forward(forwarded, timeout).await {
        Ok(answer) => {
            let (mut parts, incoming) = answer.into_parts();
            // The worker connection's own headers are not the client's.
            for hop in ["connection", "keep-alive"] {
                parts.headers.remove(hop);
            }
            parts.headers.insert(
                HeaderName::from_static(ROUTER),
                HeaderValue::from_static(route.router),
            );
            Response::from_parts(parts, body::boxed(incoming))
        }
        Err(ForwardError::Failed(reason)) if reason.starts_with("no answer") => {
            error(StatusCode::GATEWAY_TIMEOUT, &reason, &route.file)
        }
        Err(failure) => error(StatusCode::BAD_GATEWAY, &failure.to_string(), &route.file),
    }
}

/// The headers that tell a worker what to run: the module, its router, its pattern and params.
pub(crate) fn address(
    headers: &mut hyper::HeaderMap,
    route: &ServedRoute,
    params: &[(String, ParamValue)],
) {
    let module = route.module.to_string_lossy();
    headers.insert(
        HeaderName::from_static(MODULE),
        HeaderValue::from_str(&module).expect("paths are valid header values"),
    );
    headers.insert(
        HeaderName::from_static(ROUTER),
        HeaderValue::from_static(route.router),
    );
    if let Ok(pattern) = HeaderValue::from_str(&route.pattern) {
        headers.insert(HeaderName::from_static(PATTERN), pattern);
    }
    if route.dynamic {
        let params: serde_json::Map<String, serde_json::Value> = params
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    ParamValue::One(one) => serde_json::Value::from(one.as_str()),
                    ParamValue::Many(many) => serde_json::Value::from(many.clone()),
                };
                (name.clone(), value)
            })
            .collect();
        let json = serde_json::Value::Object(params).to_string();
        // Decoded params may hold any character; Node reads header bytes as Latin-1, so the
        // JSON travels as ASCII (`\uXXXX` escapes).
        let value = HeaderValue::from_str(&ascii_json(&json)).expect("ASCII");
        headers.insert(HeaderName::from_static(PARAMS), value);
    }
}

/// JSON with every non-ASCII character escaped (`\uXXXX`), so it fits in a header.
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(body::full(text))
        .expect("valid response")
}

fn error(status: StatusCode, reason: &str, file: &str) -> Response<Body> {
    eprintln!("migrate serve: {file}: {reason}");
    let json = serde_json::json!({ "error": reason, "route": file });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body::full(json.to_string()))
        .expect("valid response")
}

fn routes_json(routes: &Routes, shadow: Option<&Shadow>) -> Response<Body> {
    let collisions: Vec<serde_json::Value> = routes
        .collisions
        .iter()
        .map(|c| {
            serde_json::json!({
                "kind": c.kind, "pattern": c.pattern, "files": c.files, "message": c.message,
            })
        })
        .collect();
    let json = serde_json::json!({
        "routes": routes.routes,
        "collisions": collisions,
        "shadow": shadow.map(Shadow::summary),
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(body::full(
            serde_json::to_string_pretty(&json).expect("serializable"),
        ))
        .expect("valid response")
}

fn routes_page(routes: &Routes) -> Response<Body> {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><title>migrate serve</title>\
         <h1>Routes</h1><table><tr><th>pattern<th>router<th>file<th></tr>",
    );
    for route in &routes.routes {
        let shadowed = if route.shadowed {
            "shadowed by app"
        } else {
            ""
        };
        let _ = write!(
            html,
            "<tr><td>{}<td>{}<td>{}<td>{shadowed}</tr>",
            escape(&route.pattern),
            route.router,
            escape(&route.file)
        );
    }
    html.push_str("</table><h1>Collisions</h1><ul>");
    for collision in &routes.collisions {
        let _ = write!(html, "<li>{}</li>", escape(&collision.message));
    }
    html.push_str("</ul>");
    Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .body(body::full(html))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    /// A project with a path both routers define, a dynamic route and a static one.
    fn front() -> (tempfile::TempDir, Arc<Front>) {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("package.json", r#"{"dependencies":{"next":"16.0.0"}}"#);
        write(
            "pages/api/both.ts",
            "export default (req, res) => res.json({ from: 'pages' })\n",
        );
        write(
            "app/api/both/route.ts",
            "export const GET = () => Response.json({ from: 'app' })\n",
        );
        write(
            "pages/api/post/[id].ts",
            "export default (req, res) => res.end()\n",
        );
        let project = migrate_rewrite::project::discover(dir.path())
            .unwrap()
            .remove(0);
        let routes = Routes::of(&project, &dir.path().join(".cache"));
        let front = Front {
            routes: std::sync::RwLock::new(Arc::new(routes)),
            pool: None,
            timeout: Duration::from_secs(1),
            max_body: 1024,
            shadow: None,
            upstream: None,
        };
        (dir, Arc::new(front))
    }

    async fn get(front: &Arc<Front>, uri: &str) -> (StatusCode, hyper::HeaderMap, String) {
        let request = Request::get(uri).body(body::empty()).unwrap();
        let response = handle(Arc::clone(front), request).await;
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[test]
    fn forwarded_headers_are_added_as_next_start_adds_them() {
        let mut headers = hyper::HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("example.test:3000"));
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let client = Client {
            address: "::ffff:127.0.0.1".parse().unwrap(),
            port: 3000,
        };
        add_forwarded(&mut headers, Some(client));
        let get = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            get("x-forwarded-host").as_deref(),
            Some("example.test:3000")
        );
        assert_eq!(get("x-forwarded-port").as_deref(), Some("3000"));
        // The client's own value stays (`??=`).
        assert_eq!(get("x-forwarded-proto").as_deref(), Some("https"));
        assert_eq!(get("x-forwarded-for").as_deref(), Some("::ffff:127.0.0.1"));

        // Without a connection (tests), what needs one is left out.
        let mut bare = hyper::HeaderMap::new();
        add_forwarded(&mut bare, None);
        assert_eq!(bare.len(), 1, "{bare:?}");
        assert_eq!(bare["x-forwarded-proto"], "http");
    }

    #[tokio::test]
    async fn trailing_slash_is_a_308_as_in_next() {
        let (_dir, front) = front();
        let (status, headers, _) = get(&front, "/api/both/?a=1").await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(headers["location"], "/api/both?a=1");
        assert_eq!(headers["refresh"], "0;url=/api/both?a=1");
    }

    #[tokio::test]
    async fn unknown_paths_and_bad_params_never_reach_a_worker() {
        let (_dir, front) = front();
        assert_eq!(get(&front, "/api/nope").await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            get(&front, "/api/post/%zz").await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            get(&front, "/api/../etc/passwd").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(get(&front, "/api/post/a/b").await.0, StatusCode::NOT_FOUND);
        // A matched route with no worker pool: a 502, naming the route.
        let (status, _, body) = get(&front, "/api/post/1").await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(body.contains("pages/api/post/[id].ts"), "{body}");
    }

    #[tokio::test]
    async fn the_route_table_shows_app_winning_and_the_collision() {
        let (_dir, front) = front();
        let (status, _, body) = get(&front, "/__migrate/routes").await;
        assert_eq!(status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let routes = json["routes"].as_array().unwrap();
        let pages_both = routes
            .iter()
            .find(|r| r["file"] == "pages/api/both.ts")
            .unwrap();
        assert_eq!(pages_both["shadowed"], true);
        let collisions = json["collisions"].as_array().unwrap();
        assert_eq!(collisions.len(), 1, "{body}");
        assert_eq!(collisions[0]["pattern"], "/api/both");
        let (_, _, html) = get(&front, "/__migrate").await;
        assert!(html.contains("shadowed by app"), "{html}");
    }

    #[test]
    fn params_json_fits_in_a_header() {
        assert_eq!(ascii_json(r#"{"id":"é"}"#), r#"{"id":"\u00e9"}"#);
        assert_eq!(ascii_json(r#"{"id":"😀"}"#), r#"{"id":"\ud83d\ude00"}"#);
    }
}
