//! `GET /api/v1/diagrams/{scope}.{dot|svg|png}`: the hierarchy, partnerships and gaps diagrams
//! of a scope, built by `dangjian-visualizations` and rendered by Graphviz `dot` on a blocking
//! thread with a timeout. Same access rules as the other reads; viewers get masked diagrams.
//! Built DOT and rendered bytes are cached per network version.

use crate::access::Caller;
use crate::bounded::Heavy;
use crate::error::AppError;
use crate::extract::{Query, opt};
use crate::state::{AppState, Snapshot};
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use dangjian_model::Date;
use dangjian_model::params::AsOf;
use dangjian_visualizations::graph::LinkKind;
use dangjian_visualizations::{DiagramOptions, Format, View, VizError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use utoipa::IntoParams;

/// Longest a `dot` run may take (less when the request timeout is shorter).
pub const RENDER_TIMEOUT: Duration = Duration::from_secs(20);

/// `true` when the view was aggregated to stay within the node budget.
pub static AGGREGATED_HEADER: HeaderName = HeaderName::from_static("x-diagram-aggregated");
/// The diagram's title (scope, view, date, aggregation note), percent-encoded UTF-8.
pub static TITLE_HEADER: HeaderName = HeaderName::from_static("x-diagram-title");

/// Why a diagram request failed: the usual errors, or rendering ones with their own status.
#[derive(Debug, thiserror::Error)]
pub enum DiagramError {
    /// A 4xx or 500 shared with the other endpoints.
    #[error(transparent)]
    App(#[from] AppError),
    /// Graphviz is not installed on the server (503).
    #[error("{0}")]
    DotMissing(String),
    /// `dot` ran past the render timeout (504).
    #[error("{0}")]
    Timeout(String),
}

impl From<VizError> for DiagramError {
    fn from(e: VizError) -> Self {
        match e {
            VizError::Engine(e) => DiagramError::App(AppError::from(e)),
            VizError::DotMissing { .. } => DiagramError::DotMissing(format!(
                "{e}; the service cannot draw SVG or PNG until it is installed \
                 (scripts/setup does it), DOT downloads still work"
            )),
            VizError::Timeout(_) => DiagramError::Timeout(e.to_string()),
            other => DiagramError::App(AppError::Internal(other.to_string())),
        }
    }
}

impl From<tokio::task::JoinError> for DiagramError {
    fn from(e: tokio::task::JoinError) -> Self {
        DiagramError::App(AppError::from(e))
    }
}

impl IntoResponse for DiagramError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            DiagramError::App(e) => return e.into_response(),
            DiagramError::DotMissing(m) => (StatusCode::SERVICE_UNAVAILABLE, "dot_missing", m),
            DiagramError::Timeout(m) => (StatusCode::GATEWAY_TIMEOUT, "render_timeout", m),
        };
        tracing::warn!(status = status.as_u16(), code, "diagram not rendered");
        let body = json!({"error": {"code": code, "message": message, "details": []}});
        (status, Json(body)).into_response()
    }
}

/// What is cached about a built diagram (its DOT and what the headers say).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Built {
    dot: String,
    aggregated: bool,
    title: String,
}

/// Split `S-JLT.svg` into the scope and the format.
pub fn split_file(file: &str) -> Result<(&str, Format), AppError> {
    let (scope, ext) = file.rsplit_once('.').ok_or_else(|| {
        AppError::BadRequest(format!(
            "`{file}` has no format: ask for `{file}.svg`, `.png` or `.dot`"
        ))
    })?;
    let format: Format = ext.parse().map_err(AppError::BadRequest)?;
    if scope.is_empty() {
        return Err(AppError::BadRequest("the scope is empty".into()));
    }
    Ok((scope, format))
}

/// Everything but unreserved ASCII (RFC 3986 §2.3) is percent-encoded in a title header.
const TITLE_ENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode a title for a header value that JavaScript's `decodeURIComponent` reads back.
pub fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, TITLE_ENCODE).to_string()
}

/// The render timeout for a service whose requests time out after `request_timeout`: the
/// smaller of [`RENDER_TIMEOUT`] and four fifths of it, so a slow `dot` is answered with 504
/// before the request itself times out.
pub fn render_timeout(request_timeout: Duration) -> Duration {
    RENDER_TIMEOUT.min(request_timeout.mul_f64(0.8))
}

/// The query of a diagram.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiagramQuery {
    /// `hierarchy` (default), `partnerships` or `gaps`.
    #[serde(default, deserialize_with = "opt")]
    view: Option<String>,
    /// YYYY-MM-DD, default today (in Shanghai).
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    as_of: Option<AsOf>,
    /// Comma-separated link kinds drawn in the partnerships and gaps views, as for
    /// /api/v1/graph: partnership (共建), resource (资源下沉), mass (群团), social (社会组织),
    /// member (双报到); default all.
    #[serde(default, deserialize_with = "opt")]
    kinds: Option<String>,
}

/// A diagram of a scope as Graphviz DOT, SVG or PNG.
#[utoipa::path(get, path = "/api/v1/diagrams/{file}", tag = "diagrams",
    params(
        ("file" = String, Path, description = "`<scope>.<format>`: scope `city` or a district, street, community or committee id; format `dot`, `svg` or `png`, e.g. `S-JLT.svg`"),
        DiagramQuery,
    ),
    responses(
        (status = 200, description = "The diagram (`text/vnd.graphviz`, `image/svg+xml` or `image/png`); headers `X-Diagram-Aggregated: true|false` and `X-Diagram-Title` (percent-encoded UTF-8)"),
        (status = 400, body = crate::routes::analytics::ErrorBody),
        (status = 403, body = crate::routes::analytics::ErrorBody),
        (status = 404, body = crate::routes::analytics::ErrorBody),
        (status = 503, description = "Graphviz `dot` is not installed (code `dot_missing`), or busy: expensive requests are at their limit, retry after `Retry-After` seconds (code `busy`)", body = crate::routes::analytics::ErrorBody),
        (status = 504, description = "`dot` took too long; try a smaller scope", body = crate::routes::analytics::ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn diagram(
    State(state): State<AppState>,
    Extension(heavy): crate::routes::analytics::HeavyExt,
    caller: Caller,
    Path(file): Path<String>,
    query: Result<Query<DiagramQuery>, AppError>,
) -> Result<Response, DiagramError> {
    let (scope, format) = split_file(&file)?;
    let Query(q) = query?;
    let view = match q.view {
        None => View::Hierarchy,
        Some(v) => v.parse().map_err(AppError::BadRequest)?,
    };
    let as_of = AsOf::or_today(q.as_of);
    let kinds = LinkKind::parse_list(&q.kinds.unwrap_or_default()).map_err(AppError::BadRequest)?;
    let snap = state.snapshot();
    let scope = caller.read_scope(&snap.engine, Some(scope))?;
    let masked = !caller.sees_personal_data();
    let key = format!(
        "{scope}|{}|{masked}|{}|{}",
        view.as_str(),
        caller.restriction().unwrap_or(""),
        kinds
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    let built = built(
        &heavy, &snap, &caller, &key, &scope, view, as_of, masked, kinds,
    )
    .await?;
    let body: bytes::Bytes = match format {
        Format::Dot => built.dot.clone().into(),
        Format::Svg | Format::Png => {
            let kind = if format == Format::Svg {
                "diagram_svg"
            } else {
                "diagram_png"
            };
            match snap.cache_get(kind, &key, as_of) {
                Some(hit) => hit,
                None => {
                    let timeout = render_timeout(state.config().request_timeout);
                    let dot = built.dot.clone();
                    let started = std::time::Instant::now();
                    let bytes: bytes::Bytes = heavy
                        .run(&caller, move |_| {
                            Ok(dangjian_visualizations::render(&dot, format, timeout))
                        })
                        .await??
                        .into();
                    metrics::histogram!("dangjian_diagram_render_seconds", "format" => format.as_str())
                        .record(started.elapsed().as_secs_f64());
                    snap.cache_put(kind, &key, as_of, bytes.clone());
                    bytes
                }
            }
        }
    };
    let title = HeaderValue::from_str(&percent_encode(&built.title))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (
                AGGREGATED_HEADER.clone(),
                HeaderValue::from_static(if built.aggregated { "true" } else { "false" }),
            ),
            (TITLE_HEADER.clone(), title),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// The DOT of a diagram as the caller may see it: a confined caller's is drawn from its view
/// of the network ([`crate::view::visible_bundle`]) and its redacted documents; a viewer's has
/// every full person name cut to the surname.
fn build_for(
    snap: &Snapshot,
    caller: &Caller,
    opts: &DiagramOptions,
) -> Result<dangjian_visualizations::Diagram, AppError> {
    let engine = &snap.engine;
    let viz = |e: VizError| match e {
        VizError::Engine(e) => AppError::from(e),
        other => AppError::Internal(other.to_string()),
    };
    let mut diagram = match crate::view::visible_bundle(engine, caller) {
        None => dangjian_visualizations::build_dot(engine, opts).map_err(viz)?,
        Some(bundle) => {
            let redacted = |v: serde_json::Value| {
                let mut v = v;
                caller.redact(engine, &mut v);
                v
            };
            let internal = |e: serde_json::Error| AppError::Internal(e.to_string());
            let coverage = engine.coverage(&opts.scope, opts.as_of)?;
            let coverage = serde_json::from_value(redacted(
                serde_json::to_value(&coverage).map_err(internal)?,
            ))
            .map_err(internal)?;
            let gaps = if opts.view == View::Gaps {
                let gaps = engine.gaps(&opts.scope, opts.as_of)?;
                serde_json::from_value(redacted(serde_json::to_value(&gaps).map_err(internal)?))
                    .map_err(internal)?
            } else {
                dangjian_visualizations::empty_gaps(&opts.scope, opts.as_of)
            };
            dangjian_visualizations::build_dot_from_docs(&bundle, &coverage, &gaps, opts)
                .map_err(viz)?
        }
    };
    if opts.mask_personal {
        let names = crate::personal::names_of(engine);
        diagram.dot = names.mask_str(&diagram.dot);
        diagram.title = names.mask_str(&diagram.title);
    }
    Ok(diagram)
}

/// The built DOT of a diagram, from the snapshot's cache or built once (single flight) on a
/// blocking thread under the concurrency limit.
#[allow(clippy::too_many_arguments)]
async fn built(
    heavy: &Heavy,
    snap: &Arc<Snapshot>,
    caller: &Caller,
    key: &str,
    scope: &str,
    view: View,
    as_of: Date,
    masked: bool,
    kinds: Vec<LinkKind>,
) -> Result<Built, DiagramError> {
    let mut opts = DiagramOptions::new(view, scope, as_of);
    opts.mask_personal = masked;
    opts.kinds = kinds;
    if caller.role != dangjian_model::TokenRole::Admin {
        // As in the graph: no link may tie one or two people's hours to their employer.
        opts.min_member_group = dangjian_visualizations::graph::MIN_MEMBER_GROUP;
    }
    let snap2 = snap.clone();
    let caller2 = caller.clone();
    let bytes = heavy
        .cached(snap, caller, "diagram_dot", key, as_of, move |_| {
            let diagram = build_for(&snap2, &caller2, &opts)?;
            let built = Built {
                dot: diagram.dot,
                aggregated: diagram.aggregated,
                title: diagram.title,
            };
            serde_json::to_vec(&built)
                .map(Into::into)
                .map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    serde_json::from_slice(&bytes).map_err(|e| DiagramError::App(AppError::Internal(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_file_reads_scope_and_format() {
        assert_eq!(split_file("S-JLT.svg").ok(), Some(("S-JLT", Format::Svg)));
        assert_eq!(split_file("a.b.png").ok(), Some(("a.b", Format::Png)));
        assert_eq!(split_file("city.dot").ok(), Some(("city", Format::Dot)));
        assert!(split_file("S-JLT").is_err());
        assert!(split_file("S-JLT.gif").is_err());
        assert!(split_file(".svg").is_err());
    }

    #[test]
    fn titles_are_percent_encoded_utf8() {
        assert_eq!(percent_encode("a b"), "a%20b");
        assert_eq!(percent_encode("图"), "%E5%9B%BE");
        assert!(HeaderValue::from_str(&percent_encode("九里亭街道 · 2026-06-30")).is_ok());
    }

    #[test]
    fn render_timeout_stays_below_the_request_timeout() {
        assert_eq!(render_timeout(Duration::from_secs(30)), RENDER_TIMEOUT);
        assert_eq!(
            render_timeout(Duration::from_secs(10)),
            Duration::from_secs(8)
        );
    }

    #[test]
    fn rendering_errors_answer_503_and_504_with_json() {
        let missing = DiagramError::from(VizError::DotMissing {
            program: "dot".into(),
        })
        .into_response();
        assert_eq!(missing.status(), StatusCode::SERVICE_UNAVAILABLE);
        let slow = DiagramError::from(VizError::Timeout(Duration::from_secs(1))).into_response();
        assert_eq!(slow.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(
            slow.headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    }

    #[test]
    fn a_missing_dot_program_is_reported_as_503_by_a_real_run() {
        let err = dangjian_visualizations::render_with(
            std::ffi::OsStr::new("/nonexistent/dot-for-this-test"),
            "digraph { a }",
            Format::Svg,
            Duration::from_secs(5),
        )
        .expect_err("no such program");
        let res = DiagramError::from(err);
        assert!(res.to_string().contains("scripts/setup"), "{res}");
        assert_eq!(
            res.into_response().status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
