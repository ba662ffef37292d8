//! `GET /api/v1/graph` (JSON), `/api/v1/graph.graphml` and `/api/v1/graph.gexf`: the network of
//! a scope as nodes and edges by link kind (`dangjian_visualizations::graph`), redacted for the
//! caller (SPEC §6) before it is written in any format.

use crate::access::Caller;
use crate::error::AppError;
use crate::extract::{Query, flag, opt};
use crate::routes::analytics::json_bytes;
use crate::state::{AppState, Snapshot};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use dangjian_engine::Engine;
use dangjian_model::TokenRole;
use dangjian_model::params::AsOf;
use dangjian_visualizations::graph::{
    GraphDoc, GraphIndex, GraphOptions, LinkKind, MIN_MEMBER_GROUP, MemberGrouping, to_gexf,
    to_graphml,
};
use serde::Deserialize;
use std::sync::{Arc, Mutex, Weak};
use utoipa::IntoParams;

/// The graph index of the current network version: built on first use after each write and
/// kept as long as that version's engine lives (a `Weak` so an old network is never served).
static INDEX: Mutex<Option<(Weak<Engine>, Arc<GraphIndex>)>> = Mutex::new(None);

fn index_for(snap: &Snapshot) -> Arc<GraphIndex> {
    if let Ok(guard) = INDEX.lock()
        && let Some((engine, ix)) = guard.as_ref()
        && engine
            .upgrade()
            .is_some_and(|e| Arc::ptr_eq(&e, &snap.engine))
    {
        return ix.clone();
    }
    let ix = Arc::new(GraphIndex::new(snap.bundle()));
    if let Ok(mut guard) = INDEX.lock() {
        *guard = Some((Arc::downgrade(&snap.engine), ix.clone()));
    }
    ix
}

/// The formats of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    GraphMl,
    Gexf,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// The query of the graph, the same for every format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GraphQuery {
    /// `city` or a district, street, community or committee id; default: city, or the token's
    /// subtree.
    #[serde(default, deserialize_with = "opt")]
    scope: Option<String>,
    /// YYYY-MM-DD, default today.
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    as_of: Option<AsOf>,
    /// Comma-separated link kinds: partnership (共建), resource (资源下沉), mass (群团), social
    /// (社会组织), member (双报到); default all.
    #[serde(default, deserialize_with = "opt")]
    kinds: Option<String>,
    /// 双报到 employers: `district` (default: one node per district) or `unit`.
    #[serde(default, deserialize_with = "opt")]
    group: Option<String>,
    /// Draw per street: communities and committees folded into their street, units counted per
    /// district and category; default true for a district or the city.
    #[serde(default, deserialize_with = "flag")]
    aggregate: Option<bool>,
    /// Give every node a position `x`, `y` (default true): laid out by the service from the
    /// scope's links of every date, so the same for a scope on every date; GraphML carries them
    /// as `x`/`y`, GEXF as `viz:position` (y up).
    #[serde(default, deserialize_with = "flag")]
    positions: Option<bool>,
}

/// Read the parameters, build the document and redact it for the caller.
async fn document(state: &AppState, caller: &Caller, q: GraphQuery) -> Result<GraphDoc, AppError> {
    let as_of = AsOf::or_today(q.as_of);
    let kinds = LinkKind::parse_list(&q.kinds.unwrap_or_default()).map_err(AppError::BadRequest)?;
    let grouping = match q.group.as_deref() {
        None => MemberGrouping::District,
        Some(g) => MemberGrouping::parse(g).ok_or_else(|| {
            AppError::BadRequest(format!("`group` must be district or unit, got `{g}`"))
        })?,
    };
    let aggregate = q.aggregate;
    let positions = q.positions.unwrap_or(true);
    let snap = state.snapshot();
    let scope = caller.read_scope(&snap.engine, q.scope.as_deref())?;
    let caller = caller.clone();
    tokio::task::spawn_blocking(move || {
        let ix = index_for(&snap);
        let opts = GraphOptions {
            scope,
            as_of,
            kinds,
            grouping,
            aggregate,
        };
        let mut doc = ix.graph(snap.bundle(), &opts)?;
        if positions {
            ix.place(snap.bundle(), &mut doc)?;
        }
        if caller.role != TokenRole::Admin {
            // No link may tie one or two people's hours to their employer.
            doc.fold_small_member_groups(MIN_MEMBER_GROUP);
        }
        if caller.restriction().is_none() {
            return Ok(doc);
        }
        // One redaction for every format: through the same JSON the other reads use.
        let mut value = serde_json::to_value(&doc).map_err(internal)?;
        caller.redact(&snap.engine, &mut value);
        let mut doc: GraphDoc = serde_json::from_value(value).map_err(internal)?;
        // Edges whose end was redacted away go with it.
        let ids: std::collections::HashSet<String> =
            doc.nodes.iter().map(|n| n.id.clone()).collect();
        let keep: Vec<bool> = doc
            .edges
            .iter()
            .map(|e| ids.contains(e.source.as_str()) && ids.contains(e.target.as_str()))
            .collect();
        let mut it = keep.into_iter();
        doc.edges.retain(|_| it.next().unwrap_or(false));
        for n in &mut doc.nodes {
            if n.parent.as_deref().is_some_and(|p| !ids.contains(p)) {
                n.parent = None;
            }
        }
        Ok(doc)
    })
    .await?
}

async fn respond(
    state: AppState,
    caller: Caller,
    Query(q): Query<GraphQuery>,
    format: Format,
) -> Result<Response, AppError> {
    let doc = document(&state, &caller, q).await?;
    let (mime, body): (&'static str, bytes::Bytes) = match format {
        Format::Json => {
            return Ok(json_bytes(
                serde_json::to_vec(&doc).map_err(internal)?.into(),
            ));
        }
        Format::GraphMl => (
            "application/graphml+xml; charset=utf-8",
            to_graphml(&doc).into(),
        ),
        Format::Gexf => ("application/gexf+xml; charset=utf-8", to_gexf(&doc).into()),
    };
    let ext = if format == Format::Gexf {
        "gexf"
    } else {
        "graphml"
    };
    let disposition = format!(
        "attachment; filename=\"graph-{}-{}.{ext}\"",
        ascii(&doc.scope),
        doc.as_of
    );
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(internal)?,
            ),
        ],
        body,
    )
        .into_response())
}

/// Ids are free text: keep a file name to safe ASCII.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The handlers of the graph's formats: one per route (each with its own OpenAPI entry), all
/// reading [`GraphQuery`] and answering through [`respond`].
macro_rules! graph_routes {
    ($($(#[$attr:meta])* $name:ident => $format:expr;)*) => {$(
        $(#[$attr])*
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            q: Query<GraphQuery>,
        ) -> Result<Response, AppError> {
            respond(state, caller, q, $format).await
        }
    )*};
}

graph_routes! {
    /// The network of a scope as nodes and edges.
    #[utoipa::path(get, path = "/api/v1/graph", tag = "analytics",
        params(GraphQuery),
        responses((status = 200, description = "`{as_of, scope, kinds, grouping, aggregated, nodes: [{id, label, kind, parent?, detail?, area?, households?, capacity?, x?, y?}], edges: [{id, source, target, kind, label, weight, members?, volunteers?, hours?, units?, since?, until?, domain?}]}`", body = Object),
            (status = 400, body = crate::routes::analytics::ErrorBody), (status = 403, body = crate::routes::analytics::ErrorBody), (status = 404, body = crate::routes::analytics::ErrorBody)),
        security(("bearer" = [])))]
    graph => Format::Json;

    /// The same graph as GraphML (yEd, Cytoscape desktop).
    #[utoipa::path(get, path = "/api/v1/graph.graphml", tag = "analytics",
        params(GraphQuery),
        responses((status = 200, description = "GraphML; the compound hierarchy is the node attribute `parent`"), (status = 403, body = crate::routes::analytics::ErrorBody)),
        security(("bearer" = [])))]
    graphml => Format::GraphMl;

    /// The same graph as GEXF 1.3 (Gephi).
    #[utoipa::path(get, path = "/api/v1/graph.gexf", tag = "analytics",
        params(GraphQuery),
        responses((status = 200, description = "GEXF 1.3; the compound hierarchy is the node attribute `parent`"), (status = 403, body = crate::routes::analytics::ErrorBody)),
        security(("bearer" = [])))]
    gexf => Format::Gexf;
}
