//! The routes: operations (health, readiness, metrics, OpenAPI, docs page) and `/api/v1`.

pub mod analytics;
pub mod changes;
pub mod diagrams;
pub mod graph;
pub mod ops;
pub mod tables;
pub mod trend;
pub mod upload;
pub mod writes;

use crate::state::AppState;
use crate::telemetry;
use axum::Router;
use axum::routing::{get, post};

/// Largest body of a row write: one row, or a batch of up to
/// [`writes::MAX_BATCH_ROWS`] rows (a month of volunteering from a spreadsheet is ~100 bytes a
/// row); the whole-network import keeps the service's limit.
pub const ROW_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A route whose request bodies are capped at [`ROW_BODY_LIMIT`].
fn capped(route: axum::routing::MethodRouter<AppState>) -> axum::routing::MethodRouter<AppState> {
    crate::extract::capped(route, ROW_BODY_LIMIT)
}

/// All routes, with metrics on each matched route.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/coverage", get(analytics::coverage))
        .route("/gaps", get(analytics::gaps))
        .route("/party-orgs/{id}/checklist", get(analytics::checklist))
        .route(
            "/whatif",
            crate::extract::capped(post(analytics::whatif), analytics::WHATIF_BODY_LIMIT),
        )
        .route("/brokers", get(analytics::brokers))
        .route("/areas", get(analytics::areas))
        .route("/diagrams/{file}", get(diagrams::diagram))
        .route("/graph", get(graph::graph))
        .route("/graph.graphml", get(graph::graphml))
        .route("/graph.gexf", get(graph::gexf))
        .route("/trend", get(trend::trend))
        .route("/dates", get(trend::dates))
        .route("/districts", get(tables::list_districts))
        .route("/streets", get(tables::list_streets))
        .route("/communities", get(tables::list_communities))
        .route("/committees", get(tables::list_committees))
        .route("/committees/{id}", get(tables::committee_detail))
        .route("/party-orgs", get(tables::list_party_orgs))
        .route("/units", get(tables::list_units))
        .route("/mass-orgs", get(tables::list_mass_orgs))
        .route("/social-orgs", get(tables::list_social_orgs))
        .route("/mass-links", get(tables::list_mass_links))
        .route("/projects", get(tables::list_projects))
        .route(
            "/members",
            capped(get(tables::list_members).post(writes::create_member)),
        )
        .route(
            "/members/{id}",
            capped(get(writes::get_member).patch(writes::patch_member)),
        )
        .route(
            "/partnerships",
            capped(get(tables::list_partnerships).post(writes::create_partnership)),
        )
        .route(
            "/partnerships/{id}",
            capped(get(writes::get_partnership).patch(writes::patch_partnership)),
        )
        .route(
            "/resources",
            capped(get(tables::list_resources).post(writes::create_resource)),
        )
        .route(
            "/resources/{id}",
            capped(get(writes::get_resource).patch(writes::patch_resource)),
        )
        .route(
            "/needs",
            capped(get(tables::list_needs).post(writes::create_need)),
        )
        .route(
            "/needs/{id}",
            capped(get(writes::get_need).patch(writes::patch_need)),
        )
        .route(
            "/volunteering",
            capped(get(tables::list_volunteering).post(writes::create_volunteering)),
        )
        .route(
            "/responsibilities",
            capped(get(tables::list_responsibilities).post(writes::create_responsibility)),
        )
        .route(
            "/responsibilities/{id}",
            capped(get(writes::get_responsibility).patch(writes::patch_responsibility)),
        )
        .route("/import", post(writes::import))
        .route("/import/template", get(upload::template))
        .route("/changes", get(changes::changes))
        .route("/me", get(changes::me))
        .route("/openapi.json", get(ops::openapi_json))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::personal::mask_for_viewers,
        ));
    let heavy = std::sync::Arc::new(crate::bounded::Heavy::new(state.config().heavy_permits));
    // Index the person names for viewers' masking now rather than on a viewer's first request
    // (4 s at Shanghai scale); a write's new snapshot is indexed on first use.
    let engine = state.snapshot().engine.clone();
    std::thread::spawn(move || crate::personal::names_of(&engine));
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/docs", get(ops::docs_page))
        .nest("/api/v1", v1)
        .merge(crate::web::router())
        .fallback(ops::not_found)
        .route_layer(axum::middleware::from_fn(telemetry::track))
        .layer(axum::Extension(heavy))
        .with_state(state)
}
