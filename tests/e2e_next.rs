//! End to end against real Next.js: every fixture app under `fixtures/collisions/` is built with
//! the pinned `next` (tests/e2e/package.json) and, where it builds, started. The test checks that
//!
//! - every error `migrate check` reports is one Next rejects, in Next's own words, at build or
//!   at start; and an app we report no error for builds and starts;
//! - the routes `next build` lists are exactly the routes we discover;
//! - for a set of URLs, `next start` serves them with the file and params our route table
//!   predicts (which router wins, param decoding, 404s);
//! - for every handler of `fixtures/methods`, each method gets from `next start` what the
//!   analysis says: served methods an answer of their own, the others the fallback reported
//!   (405, with `Allow` or not; 500 for a throw; no answer at all when the handler ends
//!   without responding).
//!
//! Needs Node.js and npm; installs the pinned Next into `tests/e2e/node_modules` on first run.
//! To leave it out while iterating: `cargo test --workspace -- --skip next_agrees`.

#[path = "support/next_app.rs"]
mod next_app;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use next_app::{build, ensure_next, repo_root, stage, start, Server};

use migrate_rewrite::analysis::dispatch::{DispatchStyle, Fallback};
use migrate_rewrite::check::{check, Report, RouteReport};
use migrate_rewrite::diagnostic::{Code, Severity};
use migrate_rewrite::route::matcher::{ParamValue, Resolution, RouteTable};
use serde_json::Value;

/// The message of each error-level finding: what Next must print (every line of it).
fn expected_errors(report: &Report) -> Vec<(Code, String)> {
    let mut errors: Vec<(Code, String)> = report
        .collisions
        .iter()
        .filter(|c| c.severity == Severity::Error)
        .map(|c| (c.code, c.message.clone()))
        .collect();
    for d in report
        .routes
        .iter()
        .flat_map(|r| &r.diagnostics)
        .chain(report.problems.iter().map(|p| &p.diagnostic))
    {
        if matches!(d.code, Code::InvalidRoute | Code::RoutersInDifferentFolders) {
            errors.push((d.code, d.message.to_string()));
        }
    }
    errors
}

#[test]
fn next_agrees_with_check() {
    let bin = ensure_next();
    let mut cases: Vec<String> = std::fs::read_dir(repo_root().join("fixtures/collisions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    let mut checked_errors = 0;
    for case in &cases {
        let app = stage(&format!("collisions/{case}"));
        let report = check(&app).unwrap();
        let errors = expected_errors(&report);
        let built = build(&bin, &app);
        let started = if built.ok {
            Some(start(&bin, &app))
        } else {
            None
        };
        let start_output = match &started {
            Some(Err(output)) => output.clone(),
            _ => String::new(),
        };
        let next_output = format!("{}{}", built.output, start_output);
        let next_rejected = !built.ok || matches!(started, Some(Err(_)));
        eprintln!(
            "{case}: we report {} error(s); next build {}, next start {}",
            errors.len(),
            if built.ok { "passed" } else { "failed" },
            match &started {
                None => "not run",
                Some(Ok(_)) => "listened",
                Some(Err(_)) => "exited",
            }
        );
        if errors.is_empty() {
            assert!(
                !next_rejected,
                "{case}: we report no error, but Next rejects the app:\n{next_output}"
            );
        } else {
            assert!(
                next_rejected,
                "{case}: we report {errors:?}, but Next builds and starts the app:\n{next_output}"
            );
            for (code, message) in &errors {
                for line in message.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    assert!(
                        next_output.contains(line),
                        "{case}: Next does not print our {code} message line {line:?}:\n{next_output}"
                    );
                }
                checked_errors += 1;
            }
        }
        // An app Next accepts lists its routes; they must be exactly the ones we discover.
        if !next_rejected {
            routes_listed_by_build(case, &report, &built.output);
        }
        if case == "clean" {
            let Some(Ok(server)) = started else {
                panic!("clean app did not start")
            };
            requests_match_route_table(&report, &server);
        }
    }
    assert!(
        checked_errors >= 5,
        "only {checked_errors} error messages were checked against Next"
    );
}

/// `next build` prints its route table; the API routes in it must be exactly ours.
fn routes_listed_by_build(case: &str, report: &Report, output: &str) {
    let listed: BTreeSet<String> = output
        .lines()
        .filter_map(|line| {
            line.trim_start_matches(['┌', '├', '└', ' '])
                .split_whitespace()
                .nth(1)
        })
        .filter(|path| {
            path.starts_with('/')
                && *path != "/_not-found"
                && *path != "/404"
                && *path != "/_app"
                && *path != "/_error"
                && *path != "/_document"
        })
        .map(str::to_owned)
        .collect();
    let ours: BTreeSet<String> = report.routes.iter().map(|r| r.pattern.clone()).collect();
    assert_eq!(
        listed, ours,
        "{case}: next build lists other routes than we discover"
    );
    eprintln!(
        "{case}: next build lists the {} routes we discover",
        ours.len()
    );
}

/// Params as the JSON a handler echoes them.
fn params_json(params: &[(String, ParamValue)]) -> BTreeMap<String, Value> {
    params
        .iter()
        .map(|(k, v)| {
            let v = match v {
                ParamValue::One(s) => Value::from(s.as_str()),
                ParamValue::Many(list) => Value::from(list.clone()),
            };
            (k.clone(), v)
        })
        .collect()
}

/// Requests URLs from `next start` and compares who answers with our route table's prediction.
fn requests_match_route_table(report: &Report, server: &Server) {
    let table = report.route_table();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let urls = [
        "/api",
        "/api/m/1",
        "/api/m/1/2",
        "/api/m/fixed",
        "/api/n/fixed",
        "/api/n/other",
        "/api/g",
        "/api/g/a",
        "/api/g/a/deep",
        "/api/g/a/b/deep",
        "/api/post/create",
        "/api/post/abc",
        "/api/post/a/b",
        "/api/post",
        "/api/opt",
        "/api/opt/a/b",
        "/api/_util",
        "/api/.ory/a/b",
        "/api/feed/google.xml",
        "/api/feed/google",
        "/api/grouped",
        "/api/_private",
        "/api/_escaped",
        "/api/post/a%20b%2Fc",
        "/api/m/a%2Fb/c",
        "/.hidden-app",
        "/API/m/1",
        "/api/nothing/here/at/all",
    ];
    let mut compared = 0;
    for url in urls {
        let mut response = agent
            .get(&format!("http://127.0.0.1:{}{url}", server.port))
            .call()
            .unwrap();
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        let predicted = table.match_path(url).unwrap();
        match predicted {
            None => assert_eq!(
                status, 404,
                "{url}: we predict no route, Next answered {status}: {body}"
            ),
            Some(m) => {
                assert_eq!(
                    status,
                    200,
                    "{url}: we predict {:?}, Next answered {status}: {body}",
                    table.routes()[m.route]
                );
                let json: Value = serde_json::from_str(&body).unwrap();
                let route = report
                    .routes
                    .iter()
                    .find(|r| {
                        r.pattern == table.routes()[m.route].pattern
                            && r.router == table.routes()[m.route].router
                    })
                    .unwrap();
                let served_file = json["file"].as_str().unwrap();
                assert!(
                    route.file.ends_with(served_file),
                    "{url}: Next served {served_file}, we predict {}",
                    route.file
                );
                let ours = params_json(&m.params);
                // Pages answer `query` (params merged with search params, none sent here);
                // route handlers answer `params` (null on a static route).
                let theirs: BTreeMap<String, Value> =
                    match json.get("query").or_else(|| json.get("params")) {
                        Some(Value::Object(map)) => map.clone().into_iter().collect(),
                        _ => BTreeMap::new(),
                    };
                assert_eq!(ours, theirs, "{url}: params differ");
            }
        }
        compared += 1;
    }
    eprintln!("clean: {compared} URLs served by next start as our route table predicts");
    trailing_slashes_redirect(&table, server);
}

/// With the default `trailingSlash: false`, Next answers a path ending in `/` with a 308 to
/// the path without it, routed or not, keeping the query string.
fn trailing_slashes_redirect(table: &RouteTable, server: &Server) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let urls = [
        "/api/post/abc/",
        "/api/",
        "/api/g/a/b/deep/",
        "/api/nothing/here/",
        "/api/m/1/?a=1&a=2",
    ];
    for url in urls {
        let (path, query) = url
            .split_once('?')
            .map_or((url, None), |(p, q)| (p, Some(q)));
        let Resolution::Redirect { location } = table.resolve(path, query) else {
            panic!("{url}: we predict no redirect");
        };
        let response = agent
            .get(&format!("http://127.0.0.1:{}{url}", server.port))
            .call()
            .unwrap();
        let theirs = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            (response.status().as_u16(), theirs.as_deref()),
            (308, Some(location.as_str())),
            "{url}: Next's redirect differs from ours"
        );
    }
    eprintln!(
        "clean: {} trailing-slash URLs redirected as we predict",
        urls.len()
    );
}

/// The methods every handler of `fixtures/methods` is sent.
const PROBED_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// How long a request may take before we call it unanswered (Next adds no timeout of its own:
/// a handler that never responds leaves the request hanging).
const NO_ANSWER_AFTER: Duration = Duration::from_secs(3);

#[test]
fn methods_and_fallbacks_agree_with_next() {
    let bin = ensure_next();
    let mut checked = 0;
    let mut silent_paths_seen = 0;
    let mut failures = Vec::new();
    for fixture in ["methods", "route-modules"] {
        let app = stage(fixture);
        let report = check(&app).unwrap();
        let built = build(&bin, &app);
        assert!(
            built.ok,
            "fixtures/{fixture} does not build:\n{}",
            built.output
        );
        let server = start(&bin, &app).expect("the app starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(NO_ANSWER_AFTER))
            .build()
            .into();
        let patient: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        for route in report
            .routes
            .iter()
            .filter(|r| r.file.contains("/pages/api/"))
        {
            let url = format!("http://127.0.0.1:{}{}?q=x&id=1", server.port, route.pattern);
            if route.dispatch == DispatchStyle::Module {
                // A module other routes import: Next serves it publicly all the same.
                let mut answer = send(&agent, "GET", &url);
                if answer.is_none() && says_no_default_export(route) {
                    answer = send(&patient, "GET", &url);
                }
                if let Err(why) = publicly_served(route, &answer) {
                    failures.push(format!("{fixture} {}: {why}", route.pattern));
                }
                checked += 1;
                continue;
            }
            for method in PROBED_METHODS {
                let mut answer = send(&agent, method, &url);
                // A slow answer on a loaded machine is not a hang: where we expect one, wait
                // longer before calling it unanswered.
                if answer.is_none() && expects_answer(route, method) {
                    answer = send(&patient, method, &url);
                }
                if answer.is_none() && route.pattern.ends_with("/silent-path") {
                    silent_paths_seen += 1;
                }
                if let Err(why) = agrees(route, method, answer) {
                    failures.push(format!("{fixture} {} {method}: {why}", route.pattern));
                }
                checked += 1;
            }
        }
    }
    eprintln!(
        "methods: {} passed, {} failed (requests to next start)",
        checked - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= 20 * PROBED_METHODS.len(),
        "only {checked} requests were checked"
    );
    // The path we report as ending without a response really leaves the request unanswered.
    assert_eq!(
        silent_paths_seen,
        PROBED_METHODS.len(),
        "/api/silent-path answered where we report a path without a response"
    );
}

/// The H008 finding says the module has no default export (so Next answers 500 there).
fn says_no_default_export(route: &RouteReport) -> bool {
    route
        .diagnostics
        .iter()
        .any(|d| d.code == Code::ImportedRouteModule && d.message.contains("no default export"))
}

/// A module imported by other routes, reported as served publicly: Next answers its URL (a
/// 500 when it has no default export), or leaves the request hanging when its default export
/// never responds; it never answers 404.
fn publicly_served(route: &RouteReport, answer: &Answer) -> Result<(), String> {
    if !route
        .diagnostics
        .iter()
        .any(|d| d.code == Code::ImportedRouteModule)
    {
        return Err("no H008 finding".to_owned());
    }
    let no_default = says_no_default_export(route);
    match answer {
        Some((404, _)) => Err("we say Next serves it publicly, Next answered 404".to_owned()),
        Some((status, _)) if no_default && *status != 500 => Err(format!(
            "we say it answers 500 (no default export), Next answered {status}"
        )),
        None if no_default => {
            Err("we say it answers 500 (no default export), Next did not answer".to_owned())
        }
        _ => Ok(()),
    }
}

/// What Next answered: the status and the `Allow` header, or `None` when it did not answer.
type Answer = Option<(u16, Option<String>)>;

fn send(agent: &ureq::Agent, method: &str, url: &str) -> Answer {
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("content-type", "application/json")
        .header("authorization", "Bearer e2e");
    let result = if matches!(method, "POST" | "PUT" | "PATCH") {
        agent.run(request.body("{\"k\":1}").unwrap())
    } else {
        agent.run(request.body(()).unwrap())
    };
    match result {
        Ok(response) => Some((
            response.status().as_u16(),
            response
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap_or_default().to_owned()),
        )),
        Err(ureq::Error::Timeout(_)) => None,
        Err(error) => panic!("{method} {url}: {error}"),
    }
}

/// Whether the analysis says `method` gets an answer at all (not a fallback that never
/// answers, nor a path we report as ending without a response).
fn expects_answer(route: &RouteReport, method: &str) -> bool {
    let listed = route.methods.iter().any(|x| x == method || x == "*");
    let silent_path = route
        .diagnostics
        .iter()
        .any(|d| d.code == Code::NoResponsePath);
    !silent_path && (listed || route.fallback != Fallback::NoResponse)
}

/// Whether Next's answer to `method` is what the analysis of the route says it gets.
fn agrees(route: &RouteReport, method: &str, answer: Answer) -> Result<(), String> {
    let listed = |m: &str| route.methods.iter().any(|x| x == m || x == "*");
    // A path we report as ending without a response (D004) may be the one this request takes.
    let silent_path = route
        .diagnostics
        .iter()
        .any(|d| d.code == Code::NoResponsePath);
    // Answered early, before the dispatch (a preflight, a GET ahead of a session check): any
    // answer of the handler's own. Listed with the served methods too, so looked at first.
    if route.special_cased.iter().any(|m| m == method) {
        return answer
            .map(|_| ())
            .ok_or_else(|| "special-cased, but Next did not answer".to_owned());
    }
    if listed(method) {
        return match answer {
            Some((status, _)) if (200..300).contains(&status) => Ok(()),
            None if silent_path => Ok(()),
            other => Err(format!("we say it is served, Next answered {other:?}")),
        };
    }
    let expected = match route.fallback {
        // The two 405s are told apart by the header: a 405 we say has no `Allow` must not.
        Fallback::MethodNotAllowed => matches!(answer, Some((405, None))),
        Fallback::MethodNotAllowedWithAllow => matches!(answer, Some((405, Some(_)))),
        Fallback::Throws => matches!(answer, Some((500, _))),
        Fallback::NoResponse => answer.is_none(),
        Fallback::Custom => matches!(answer, Some((status, _)) if !(200..300).contains(&status)),
        Fallback::FallsThrough => answer.is_some(),
        Fallback::Served | Fallback::Framework | Fallback::Unknown => true,
    };
    if expected {
        Ok(())
    } else {
        Err(format!(
            "we say methods {:?} with fallback {:?}, Next answered {answer:?}",
            route.methods, route.fallback
        ))
    }
}
