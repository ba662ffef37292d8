//! The OpenAPI 3 document, generated from the handlers' annotations.

use crate::routes::{analytics, changes, tables, upload, writes};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `dangjian token create --role admin|coordinator|viewer`",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Dangjian Graph (党建图谱) API", description = "Coverage, gaps, responsibility checklists and the network tables (SPEC §3, §4, §6)."),
    paths(
        analytics::coverage, analytics::gaps, analytics::checklist, analytics::whatif,
        analytics::brokers, analytics::areas,
        crate::routes::diagrams::diagram,
        crate::routes::graph::graph, crate::routes::graph::graphml, crate::routes::graph::gexf, crate::routes::trend::trend, crate::routes::trend::dates,
        tables::list_districts, tables::list_streets, tables::list_communities,
        tables::list_committees, tables::committee_detail, tables::list_party_orgs,
        tables::list_units, tables::list_mass_orgs, tables::list_social_orgs,
        tables::list_members, tables::list_partnerships, tables::list_mass_links,
        tables::list_resources, tables::list_needs, tables::list_projects,
        tables::list_volunteering, tables::list_responsibilities,
        writes::import, upload::template, writes::create_partnership, writes::patch_partnership,
        writes::create_member, writes::patch_member, writes::create_volunteering,
        writes::create_need, writes::patch_need, writes::create_resource,
        writes::patch_resource, writes::create_responsibility, writes::patch_responsibility,
        writes::get_partnership, writes::get_member, writes::get_need, writes::get_resource,
        writes::get_responsibility, changes::changes, changes::me,
    ),
    components(schemas(analytics::ErrorBody, analytics::ErrorDetail, analytics::WhatIfRequest, tables::Page)),
    modifiers(&BearerAuth),
    tags(
        (name = "analytics", description = "Coverage, gaps, checklists, what-if, brokers, areas"),
        (name = "tables", description = "Reads of the network tables, filtered and paged"),
        (name = "writes", description = "Validated, atomic writes"),
    )
)]
struct ApiDoc;

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
