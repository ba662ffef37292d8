//! The routes: operations (health, readiness, metrics, OpenAPI, docs page) and `/api/v1`.

pub mod analytics;
pub mod changes;
pub mod diagrams;
pub mod ops;
pub mod tables;
pub mod writes;

use crate::state::AppState;
use crate::telemetry;
use axum::Router;
use axum::routing::{get, post};

/// All routes, with metrics on each matched route.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/coverage", get(analytics::coverage))
        .route("/gaps", get(analytics::gaps))
        .route("/party-orgs/{id}/checklist", get(analytics::checklist))
        .route("/whatif", post(analytics::whatif))
        .route("/brokers", get(analytics::brokers))
        .route("/areas", get(analytics::areas))
        .route("/diagrams/{file}", get(diagrams::diagram))
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
            get(tables::list_members).post(writes::create_member),
        )
        .route(
            "/members/{id}",
            get(writes::get_member).patch(writes::patch_member),
        )
        .route(
            "/partnerships",
            get(tables::list_partnerships).post(writes::create_partnership),
        )
        .route(
            "/partnerships/{id}",
            get(writes::get_partnership).patch(writes::patch_partnership),
        )
        .route(
            "/resources",
            get(tables::list_resources).post(writes::create_resource),
        )
        .route(
            "/resources/{id}",
            get(writes::get_resource).patch(writes::patch_resource),
        )
        .route("/needs", get(tables::list_needs).post(writes::create_need))
        .route(
            "/needs/{id}",
            get(writes::get_need).patch(writes::patch_need),
        )
        .route(
            "/volunteering",
            get(tables::list_volunteering).post(writes::create_volunteering),
        )
        .route(
            "/responsibilities",
            get(tables::list_responsibilities).post(writes::create_responsibility),
        )
        .route(
            "/responsibilities/{id}",
            get(writes::get_responsibility).patch(writes::patch_responsibility),
        )
        .route("/import", post(writes::import))
        .route("/changes", get(changes::changes))
        .route("/openapi.json", get(ops::openapi_json));
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/docs", get(ops::docs_page))
        .nest("/api/v1", v1)
        .merge(crate::web::router())
        .fallback(ops::not_found)
        .route_layer(axum::middleware::from_fn(telemetry::track))
        .with_state(state)
}
