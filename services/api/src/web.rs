//! The planners' web page (规划工作台) at `/`: plain HTML, CSS and JavaScript embedded in the
//! binary (no Node build, nothing remote), served without a token; the page itself calls the
//! `/api/v1` endpoints with the token the user enters.

use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The page.
pub const INDEX_HTML: &str = include_str!("../web/index.html");
/// Its script (an ES module).
pub const APP_JS: &str = include_str!("../web/app.js");
/// Its style sheet.
pub const APP_CSS: &str = include_str!("../web/app.css");

/// The vendored graph-drawing libraries (`web/vendor/README.md`): Cytoscape.js and the fCoSE
/// compound layout with its two base libraries, served from here so the page works offline.
pub const VENDOR: [(&str, &str); 4] = [
    (
        "cytoscape.min.js",
        include_str!("../web/vendor/cytoscape.min.js"),
    ),
    (
        "layout-base.js",
        include_str!("../web/vendor/layout-base.js"),
    ),
    ("cose-base.js", include_str!("../web/vendor/cose-base.js")),
    (
        "cytoscape-fcose.js",
        include_str!("../web/vendor/cytoscape-fcose.js"),
    ),
];

/// Everything may come from this origin only; diagrams arrive as inline SVG and downloads as
/// `blob:` URLs.
const CSP: &str = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; \
                   object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// The definition of every figure the page shows (the repository's `docs/指标口径.md`, Chinese
/// first, English after), linked from the page header as 指标口径.
pub const DEFINITIONS_MD: &str = include_str!("../../../docs/指标口径.md");

/// `GET /docs/definitions`: [`DEFINITIONS_MD`] as plain UTF-8 text.
pub async fn definitions() -> Response {
    asset("text/plain; charset=utf-8", DEFINITIONS_MD)
}

/// `GET /`: the page.
pub async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX_HTML)
}

/// `GET /app.js`.
pub async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

/// `GET /app.css`.
pub async fn app_css() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

/// `GET /vendor/{file}`: one of [`VENDOR`].
pub async fn vendor(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    match VENDOR.iter().find(|(name, _)| *name == file) {
        Some((_, body)) => asset("text/javascript; charset=utf-8", body),
        None => (axum::http::StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// The page's routes, merged into the service's router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/vendor/{file}", get(vendor))
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/app.js", get(app_js))
        .route("/app.css", get(app_css))
        .route("/docs/definitions", get(definitions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_links_the_definitions_of_its_figures() {
        assert!(INDEX_HTML.contains(r#"href="/docs/definitions""#));
        assert!(DEFINITIONS_MD.contains("公平") && DEFINITIONS_MD.contains("空白点"));
    }

    #[test]
    fn the_page_loads_its_own_assets_and_nothing_remote() {
        assert!(INDEX_HTML.contains(r#"src="/app.js""#));
        assert!(INDEX_HTML.contains(r#"href="/app.css""#));
        for (file, body) in VENDOR {
            assert!(
                INDEX_HTML.contains(&format!(r#"src="/vendor/{file}""#)),
                "{file}"
            );
            assert!(body.len() > 10_000, "{file} is the real library");
        }
        for text in [INDEX_HTML, APP_JS, APP_CSS] {
            // The SVG namespace name is an identifier, never fetched.
            let text = text.replace("http://www.w3.org/2000/svg", "");
            assert!(!text.contains("http://"), "no remote URL");
            assert!(!text.contains("https://"), "no remote URL");
        }
    }
}
