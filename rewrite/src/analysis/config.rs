//! `export const config` of a Pages API route (spec A6): what it sets and what becomes of each
//! setting in a route handler.

use serde::Serialize;
use swc_common::Span;
use swc_ecma_ast::{Expr, Lit, Prop, PropOrSpread};

use super::module_index::ModuleIndex;
use super::syntax::{prop_name, string_value, unwrap};
use crate::diagnostic::TextRange;
use crate::parse;

/// The settings a Pages API route's `config` can hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PageConfig {
    /// `api.bodyParser`: `false` turns parsing off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_parser: Option<bool>,
    /// `api.bodyParser.sizeLimit`, as written (`'10mb'`, `4096`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_resolver: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
    /// `regions` (the deployment's regions, `'iad1'` or `['iad1', 'sfo1']`), as written: a
    /// route handler sets them with `export const preferredRegion`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<String>,
    /// `runtime` comes from `export const runtime = …` (which Next reads before
    /// `config.runtime`), not from `config`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub runtime_exported: bool,
    /// Where `config` is, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<TextRange>,
    /// Parts we could not read: (span, what).
    #[serde(skip)]
    pub unreadable: Vec<(Span, String)>,
    /// `supportsResponseStreaming`: Vercel's opt-in to streaming (and `waitUntil`) for a Pages
    /// API route, which a route handler does by default.
    #[serde(skip)]
    pub streaming_opt_in: bool,
    /// Keys Next does not read for an API route (`api.x` for those inside `api`): (span, key).
    #[serde(skip)]
    pub unknown: Vec<(Span, String)>,
}

impl PageConfig {
    /// True for `runtime: 'edge'` (and the pre-15 `'experimental-edge'`).
    pub fn is_edge(&self) -> bool {
        matches!(self.runtime.as_deref(), Some("edge" | "experimental-edge"))
    }
}

/// The page config of a module: its `config` and its `export const runtime`.
pub fn of_module(index: &ModuleIndex) -> Option<PageConfig> {
    let runtime_export = index.string_exports.get("runtime").map(|runtime| {
        let span = index
            .named_exports
            .iter()
            .find(|(name, _)| name == "runtime")
            .map_or_else(Default::default, |(_, span)| *span);
        (runtime.as_str(), span)
    });
    resolve(index.config, runtime_export)
}

/// The page config Next resolves for a Pages API route: `config`, with a top-level
/// `export const runtime` taking precedence over `config.runtime`
/// (`get-page-static-info`: `config.runtime ?? config.config.runtime`).
pub fn resolve(
    config: Option<(&Expr, Span)>,
    runtime_export: Option<(&str, Span)>,
) -> Option<PageConfig> {
    let mut config = config.map(|(value, span)| read(value, span));
    if let Some((runtime, span)) = runtime_export {
        let config = config.get_or_insert_with(|| PageConfig {
            range: Some(parse::range(span)),
            ..PageConfig::default()
        });
        config.runtime = Some(runtime.to_owned());
        config.runtime_exported = true;
    }
    config
}

/// Reads a `config` value.
pub fn read(value: &Expr, span: Span) -> PageConfig {
    let mut config = PageConfig {
        range: Some(parse::range(span)),
        ..PageConfig::default()
    };
    let Expr::Object(object) = unwrap(value) else {
        config
            .unreadable
            .push((span, "`config` is not an object literal".to_owned()));
        return config;
    };
    for (key, value, span) in props(object) {
        match key.as_str() {
            "api" => match unwrap(value) {
                Expr::Object(api) => {
                    for (key, value, span) in props(api) {
                        match key.as_str() {
                            "bodyParser" => match unwrap(value) {
                                Expr::Lit(Lit::Bool(b)) => config.body_parser = Some(b.value),
                                Expr::Object(parser) => {
                                    config.body_parser = Some(true);
                                    for (key, value, span) in props(parser) {
                                        if key == "sizeLimit" {
                                            match literal_text(value) {
                                                Some(v) => config.size_limit = Some(v),
                                                None => config
                                                    .unreadable
                                                    .push((span, "`sizeLimit`".to_owned())),
                                            }
                                        }
                                    }
                                }
                                _ => config.unreadable.push((span, "`bodyParser`".to_owned())),
                            },
                            "responseLimit" => match literal_text(value) {
                                Some(v) => config.response_limit = Some(v),
                                None => {
                                    config.unreadable.push((span, "`responseLimit`".to_owned()));
                                }
                            },
                            "externalResolver" => match unwrap(value) {
                                Expr::Lit(Lit::Bool(b)) => config.external_resolver = Some(b.value),
                                _ => config
                                    .unreadable
                                    .push((span, "`externalResolver`".to_owned())),
                            },
                            other => config.unknown.push((span, format!("api.{other}"))),
                        }
                    }
                }
                _ => config.unreadable.push((span, "`api`".to_owned())),
            },
            "runtime" => match string_value(value) {
                Some(v) => config.runtime = Some(v.to_owned()),
                None => config.unreadable.push((span, "`runtime`".to_owned())),
            },
            "maxDuration" => match literal_text(value) {
                Some(v) => config.max_duration = Some(v),
                None => config.unreadable.push((span, "`maxDuration`".to_owned())),
            },
            "regions" => match regions_text(value) {
                Some(v) => config.regions = Some(v),
                None => config.unreadable.push((span, "`regions`".to_owned())),
            },
            "supportsResponseStreaming" => config.streaming_opt_in = true,
            other => config.unknown.push((span, other.to_owned())),
        }
    }
    config
}

fn props(object: &swc_ecma_ast::ObjectLit) -> Vec<(String, &Expr, Span)> {
    object
        .props
        .iter()
        .filter_map(|p| match p {
            PropOrSpread::Prop(prop) => match &**prop {
                Prop::KeyValue(kv) => Some((
                    prop_name(&kv.key)?.to_owned(),
                    &*kv.value,
                    kv.key.span_lo_hi(&kv.value),
                )),
                _ => None,
            },
            PropOrSpread::Spread(_) => None,
        })
        .collect()
}

trait KeySpan {
    fn span_lo_hi(&self, value: &Expr) -> Span;
}

impl KeySpan for swc_ecma_ast::PropName {
    fn span_lo_hi(&self, value: &Expr) -> Span {
        use swc_common::Spanned;
        self.span().to(value.span())
    }
}

/// A string, number or boolean literal as text (`'10mb'` → `10mb`, `60` → `60`).
/// `'iad1'` or `['iad1', 'sfo1']` as source text: string literals as written.
fn regions_text(expr: &Expr) -> Option<String> {
    let raw = |e: &Expr| match unwrap(e) {
        Expr::Lit(Lit::Str(s)) => s.raw.as_ref().map(ToString::to_string),
        _ => None,
    };
    match unwrap(expr) {
        Expr::Array(array) => {
            let items = array
                .elems
                .iter()
                .map(|e| {
                    e.as_ref()
                        .filter(|e| e.spread.is_none())
                        .and_then(|e| raw(&e.expr))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(format!("[{}]", items.join(", ")))
        }
        e => raw(e),
    }
}

fn literal_text(expr: &Expr) -> Option<String> {
    match unwrap(expr) {
        Expr::Lit(Lit::Num(n)) => Some(n.value.to_string()),
        Expr::Lit(Lit::Bool(b)) => Some(b.value.to_string()),
        e => string_value(e).map(str::to_owned),
    }
}
