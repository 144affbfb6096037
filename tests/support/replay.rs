//! Replaying a request list (`requests.jsonl` of a fixture app) against a server and comparing
//! the answers: status, body and the headers a handler sets. Shared by the end-to-end tests.

// Each test uses the part it needs.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::next_app::Server;

/// One request of the list.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Only the status (and `location`) is compared: the body is Next's HTML error page.
    pub status_only: bool,
}

/// What came back; `None` when nothing came back in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: BTreeMap<String, Vec<String>>,
    pub body: Vec<u8>,
}

/// Headers the server or the transport adds, not the handler: left out of the comparison.
/// (`content-length`: Next sends route-handler bodies chunked; `vary`: Next adds its router
/// headers to every route-handler answer.)
pub const TRANSPORT_HEADERS: &[&str] = &[
    "date",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "vary",
    // `migrate serve` names the router that answered.
    "x-migrate-router",
];

pub fn requests(app: &Path) -> Vec<Request> {
    let text = std::fs::read_to_string(app.join("requests.jsonl")).unwrap();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let methods: Vec<String> = match (&value["methods"], &value["method"]) {
            (Value::Array(list), _) => list
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .collect(),
            (_, Value::String(m)) => vec![m.clone()],
            _ => vec!["GET".to_owned()],
        };
        let headers: Vec<(String, String)> = value["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        for method in methods {
            out.push(Request {
                method,
                path: value["path"].as_str().unwrap().to_owned(),
                headers: headers.clone(),
                body: value["body"].as_str().map(str::to_owned),
                status_only: value["compare"].as_str() == Some("status"),
            });
        }
    }
    out
}

pub fn send(server: &Server, request: &Request) -> Option<Answer> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into();
    let mut builder = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(format!("http://127.0.0.1:{}{}", server.port, request.path));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let result = match &request.body {
        Some(body) => agent.run(builder.body(body.clone()).unwrap()),
        None => agent.run(builder.body(()).unwrap()),
    };
    let mut response = match result {
        Ok(response) => response,
        Err(ureq::Error::Timeout(_)) => return None,
        Err(error) => panic!("{} {}: {error}", request.method, request.path),
    };
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in response.headers() {
        let name = name.as_str().to_ascii_lowercase();
        if TRANSPORT_HEADERS.contains(&name.as_str()) {
            continue;
        }
        headers
            .entry(name)
            .or_default()
            .push(value.to_str().unwrap_or_default().to_owned());
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(10 << 20)
        .read_to_vec()
        .unwrap_or_default();
    Some(Answer {
        status: response.status().as_u16(),
        headers,
        body,
    })
}

pub fn record(server: &Server, requests: &[Request]) -> Vec<Option<Answer>> {
    requests.iter().map(|r| send(server, r)).collect()
}

pub fn show(answer: Option<&Answer>) -> String {
    match answer {
        None => "no answer".to_owned(),
        Some(a) => format!(
            "{} {:?} {}",
            a.status,
            a.headers,
            String::from_utf8_lossy(&a.body[..a.body.len().min(300)])
        ),
    }
}

/// `migrate serve`'s answers against `next start`'s for the same requests; the count of
/// differences (each printed).
pub fn compare_served(
    name: &str,
    requests: &[Request],
    next: &[Option<Answer>],
    served: &[Option<Answer>],
) -> usize {
    let mut failed = 0;
    for ((request, next), served) in requests.iter().zip(next).zip(served) {
        let (next, served) = (
            without_random_cookies(next.as_ref()),
            without_random_cookies(served.as_ref()),
        );
        let (next, served) = (&next, &served);
        let same = if request.status_only {
            let location = |a: &Option<Answer>| {
                a.as_ref()
                    .map(|a| (a.status, a.headers.get("location").cloned()))
            };
            location(next) == location(served)
        } else {
            next == served
        };
        if !same {
            failed += 1;
            eprintln!(
                "MISMATCH {name}: {} {}\n  next start: {}\n  serve:      {}",
                request.method,
                request.path,
                show(next.as_ref()),
                show(served.as_ref())
            );
        }
    }
    eprintln!(
        "{name}: {} passed, {failed} failed",
        requests.len() - failed
    );
    failed
}

/// Cookies whose value each server draws at random: Next's preview id, NextAuth.js's CSRF token
/// and its session token (re-encrypted, with a new expiry, each time the session is read).
const RANDOM_COOKIES: &[&str] = &[
    "__prerender_bypass=",
    "next-auth.csrf-token=",
    "next-auth.session-token=",
];

/// The answer with the value of each cookie of [`RANDOM_COOKIES`] blanked, and its `Expires`
/// (a date from the moment it was set).
pub fn without_random_cookies(answer: Option<&Answer>) -> Option<Answer> {
    let mut answer = answer.cloned()?;
    if let Some(cookies) = answer.headers.get_mut("set-cookie") {
        for cookie in cookies.iter_mut() {
            for name in RANDOM_COOKIES {
                if let Some(rest) = cookie.strip_prefix(name) {
                    let attributes: Vec<&str> = rest
                        .split(';')
                        .skip(1)
                        .filter(|a| !a.trim().to_ascii_lowercase().starts_with("expires="))
                        .collect();
                    let value = if rest.starts_with(';') || rest.is_empty() {
                        ""
                    } else {
                        "<random>"
                    };
                    let mut blanked = format!("{name}{value}");
                    for attribute in attributes {
                        blanked.push(';');
                        blanked.push_str(attribute);
                    }
                    *cookie = blanked;
                }
            }
        }
    }
    Some(answer)
}
