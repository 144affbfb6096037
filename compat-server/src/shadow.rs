//! `--shadow`: for a path both routers define, the App version answers the client and the
//! Pages version gets a copy of the request; status, the headers that matter and the body are
//! compared, and each divergence is logged as a unified diff and counted (served at
//! `/__migrate/routes`). Only GET, HEAD and OPTIONS are mirrored unless unsafe methods are
//! allowed: running a POST twice may do things twice.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::{Method, Request, Response};
use migrate_rewrite::route::matcher::ParamValue;
use similar::TextDiff;

use crate::body::{self, Body, BoxError};
use crate::front;
use crate::routes::ServedRoute;
use crate::workers::Pool;

/// Answers larger than this are passed through without a comparison.
const MAX_COMPARED: usize = 8 << 20;
/// Divergences kept for `/__migrate/routes`.
const KEPT: usize = 20;
/// The response headers compared: what a client acts on, not what the transport adds.
const COMPARED_HEADERS: &[&str] = &[
    "content-type",
    "location",
    "set-cookie",
    "cache-control",
    "allow",
    "www-authenticate",
];

pub struct Shadow {
    unsafe_methods: bool,
    compared: AtomicUsize,
    diverged: AtomicUsize,
    recent: Mutex<VecDeque<String>>,
}

/// The two routes of one path, and the params both get.
pub struct Pair<'a> {
    pub app: &'a ServedRoute,
    pub pages: &'a ServedRoute,
    pub params: &'a [(String, ParamValue)],
}

impl Shadow {
    pub fn new(unsafe_methods: bool) -> Arc<Shadow> {
        Arc::new(Shadow {
            unsafe_methods,
            compared: AtomicUsize::new(0),
            diverged: AtomicUsize::new(0),
            recent: Mutex::new(VecDeque::new()),
        })
    }

    pub fn applies(&self, method: &Method) -> bool {
        self.unsafe_methods || matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    /// Counts and the last divergences, for `/__migrate/routes`.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::json!({
            "compared": self.compared.load(Ordering::Relaxed),
            "diverged": self.diverged.load(Ordering::Relaxed),
            "recent": self.recent.lock().expect("shadow lock").iter().collect::<Vec<_>>(),
        })
    }

    fn record(&self, label: &str, app: &Captured, pages: &Captured) {
        self.compared.fetch_add(1, Ordering::Relaxed);
        let (app_text, pages_text) = (app.render(), pages.render());
        if app_text == pages_text {
            return;
        }
        self.diverged.fetch_add(1, Ordering::Relaxed);
        let diff = TextDiff::from_lines(&pages_text, &app_text)
            .unified_diff()
            .header("pages", "app")
            .to_string();
        let entry = format!("{label}\n{diff}");
        eprintln!("migrate serve: shadow divergence: {entry}");
        let mut recent = self.recent.lock().expect("shadow lock");
        if recent.len() == KEPT {
            recent.pop_front();
        }
        recent.push_back(entry);
    }
}

/// One answer, as compared.
struct Captured {
    status: u16,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Captured {
    async fn of(response: Response<Body>) -> Option<Captured> {
        let (parts, body) = response.into_parts();
        let body = read_bounded(body).await?;
        let mut headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .filter(|(name, _)| COMPARED_HEADERS.contains(&name.as_str()))
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        headers.sort();
        Some(Captured {
            status: parts.status.as_u16(),
            headers,
            body,
        })
    }

    /// Status, headers and body as lines, for a line diff.
    fn render(&self) -> String {
        let mut text = format!("{}\n", self.status);
        for (name, value) in &self.headers {
            let _ = writeln!(text, "{name}: {value}");
        }
        text.push('\n');
        text.push_str(&String::from_utf8_lossy(&self.body));
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }
}

/// The App version's answer (buffered, to be compared), with the Pages version run on a copy
/// of the request in the background.
pub async fn answer<B>(
    shadow: &Arc<Shadow>,
    pool: &Arc<Pool>,
    timeout: Duration,
    pair: &Pair<'_>,
    parts: hyper::http::request::Parts,
    incoming: B,
) -> Response<Body>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let Ok(collected) = incoming.collect().await else {
        return Response::builder()
            .status(hyper::StatusCode::PAYLOAD_TOO_LARGE)
            .body(body::empty())
            .expect("valid response");
    };
    let request_body = collected.to_bytes();
    let copy = |route: &ServedRoute| {
        let mut request = Request::builder()
            .method(parts.method.clone())
            .uri(parts.uri.clone())
            .version(parts.version)
            .body(body::full(request_body.clone()))
            .expect("valid request");
        *request.headers_mut() = parts.headers.clone();
        front::address(request.headers_mut(), route, pair.params);
        request
    };
    let label = format!("{} {}", parts.method, parts.uri);
    let app_answer = front::answer(pool, copy(pair.app), timeout, pair.app).await;
    let pages_request = copy(pair.pages);
    let (app_parts, app_body) = app_answer.into_parts();
    let Some(app_bytes) = read_bounded(app_body).await else {
        return front_error("the App route's answer could not be read");
    };
    let app_captured = Captured::of(Response::from_parts(
        app_parts.clone(),
        body::full(app_bytes.clone()),
    ))
    .await;
    let (shadow, pool, pages) = (Arc::clone(shadow), Arc::clone(pool), pair.pages.clone());
    tokio::spawn(async move {
        let pages_answer = front::answer(&pool, pages_request, timeout, &pages).await;
        if let (Some(app), Some(pages)) = (app_captured, Captured::of(pages_answer).await) {
            shadow.record(&label, &app, &pages);
        }
    });
    Response::from_parts(app_parts, body::full(app_bytes))
}

/// A body read whole, or `None` past `MAX_COMPARED` bytes or on an error.
async fn read_bounded(mut body: Body) -> Option<Bytes> {
    let mut out = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.ok()?.into_data() {
            if out.len() + data.len() > MAX_COMPARED {
                return None;
            }
            out.extend_from_slice(&data);
        }
    }
    Some(out.freeze())
}

fn front_error(reason: &str) -> Response<Body> {
    Response::builder()
        .status(hyper::StatusCode::BAD_GATEWAY)
        .header("content-type", "application/json")
        .body(body::full(
            serde_json::json!({ "error": reason }).to_string(),
        ))
        .expect("valid response")
}
