//! The OpenAPI 3 document, generated from the handlers' annotations. The error answers most
//! operations share are added once, by rule ([`CommonErrors`]), rather than in each annotation:
//! 401 wherever a bearer token is required, 400 wherever query parameters are read, 403 and 404
//! for a document about a `scope`, 503 for the expensive documents.

use crate::routes::{analytics, changes, tables, upload, writes};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
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

/// The operations whose document is computed under the limit of expensive work
/// ([`crate::bounded::Heavy`]): they answer 503 with `Retry-After` when it is reached.
const HEAVY: [&str; 8] = [
    "/api/v1/coverage",
    "/api/v1/gaps",
    "/api/v1/brokers",
    "/api/v1/areas",
    "/api/v1/party-orgs/{id}/checklist",
    "/api/v1/whatif",
    "/api/v1/trend",
    "/api/v1/diagrams/{file}",
];

/// The error answers shared by many operations, each added where its rule holds and the
/// operation's own annotation does not already describe it:
/// - 401 for every operation that requires a bearer token (with `WWW-Authenticate`);
/// - 400 for every operation with query parameters (an unknown, repeated or malformed one);
/// - 403 and 404 for every operation with a `scope` parameter (outside the token's subtree;
///   no such district, street, community or committee);
/// - 503 for the expensive documents ([`HEAVY`]).
struct CommonErrors;

impl CommonErrors {
    fn add(op: &mut Operation, path: &str) {
        let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
        if op.security.iter().flatten().any(|s| *s == bearer) {
            let challenge = utoipa::openapi::header::HeaderBuilder::new()
                .schema(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::Type::String),
                )
                .description(Some(format!(
                    "`{}` (RFC 6750)",
                    crate::error::WWW_AUTHENTICATE
                )))
                .build();
            let response =
                error_response("No token, or an unknown or revoked one (code `unauthorized`)")
                    .header("WWW-Authenticate", challenge)
                    .build();
            insert(op, "401", response);
        }
        let query: Vec<String> = op
            .parameters
            .iter()
            .flatten()
            .filter(|p| p.parameter_in == ParameterIn::Query)
            .map(|p| p.name.clone())
            .collect();
        if !query.is_empty() {
            insert(
                op,
                "400",
                error_response(
                    "A query parameter is unknown, given twice or malformed; the message names it \
                     and what it accepts",
                )
                .build(),
            );
        }
        if query.iter().any(|p| p == "scope") {
            insert(
                op,
                "403",
                error_response(
                    "The scope (or an id asked for) lies outside the token's subtree, whether or \
                     not it exists",
                )
                .build(),
            );
            insert(
                op,
                "404",
                error_response("No district, street, community or committee has that id").build(),
            );
        }
        if HEAVY.contains(&path) {
            insert(
                op,
                "503",
                error_response(
                    "Busy: expensive requests are at their limit; retry after `Retry-After` \
                     seconds (code `busy`)",
                )
                .header(
                    "Retry-After",
                    utoipa::openapi::header::HeaderBuilder::new()
                        .schema(
                            utoipa::openapi::ObjectBuilder::new()
                                .schema_type(utoipa::openapi::Type::Integer),
                        )
                        .description(Some("Seconds to wait"))
                        .build(),
                )
                .build(),
            );
        }
    }
}

/// A response with the error body (`{"error": {"code", "message", "details"}}`).
fn error_response(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/json",
        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
    )
}

/// Add `response` for `status` unless the operation describes that status itself.
fn insert(op: &mut Operation, status: &str, response: Response) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert(RefOr::T(response));
}

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ]
            .into_iter()
            .flatten()
            {
                CommonErrors::add(op, path);
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Dangjian Graph (党建图谱) API", description = "Coverage, gaps, responsibility checklists and the network tables. Every operation with a `bearer` security requirement needs `Authorization: Bearer <token>` (access rules: docs/access.md); this document, `/healthz`, `/readyz`, `/metrics` and `/api/docs` need none."),
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
    modifiers(&BearerAuth, &CommonErrors),
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
