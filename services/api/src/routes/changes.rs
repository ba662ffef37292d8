//! The change log (SPEC §5 "Writes (v2)"): `GET /api/v1/changes?since=&table=&id=`. Admins
//! read every entry; a coordinator reads the entries of rows inside their subtree (imports
//! show only row counts), with the personal data of people registered outside removed
//! (SPEC §6); viewers get 403.

use crate::access::Caller;
use crate::error::AppError;
use crate::extract::{Count, Limit, NoQuery, Query, opt};
use crate::routes::writes::anchors_of;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use dangjian_model::{ChangeEntry, ChangeFilter, TokenRole};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

/// Entries per page by default, and at most.
const DEFAULT_LIMIT: usize = 1_000;
const MAX_LIMIT: usize = 10_000;

/// The query of the change log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Entries with a sequence number above this (default 0).
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<u64>)]
    since: Option<Count>,
    /// Only this table (`needs`, `members`, … as in an import).
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    table: Option<TableName>,
    /// Only this row id.
    #[serde(default, deserialize_with = "opt")]
    id: Option<String>,
    /// Entries scanned per page, default 1000, max 10000.
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<usize>, minimum = 1, maximum = 10000)]
    limit: Option<Limit<MAX_LIMIT>>,
}

/// A table of the network by name: one of [`dangjian_model::TABLES`] (any other is refused,
/// naming them, rather than answered with an empty log).
#[derive(Debug, Clone, Copy)]
struct TableName(&'static str);

impl std::str::FromStr for TableName {
    type Err = String;

    fn from_str(s: &str) -> Result<TableName, String> {
        let choices = dangjian_model::TABLES.map(|t| (t, TableName(t)));
        crate::extract::one_of(s, &choices)
    }
}

/// Change-log entries after `since`, oldest first.
#[utoipa::path(get, path = "/api/v1/changes", tag = "writes",
    params(ChangesQuery),
    responses((status = 200, description = "`changes` (seq, at, actor, op, table, id, before, after) and `next_since` for the next page", body = Object),
        (status = 400, body = crate::routes::analytics::ErrorBody),
        (status = 403, body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ChangesQuery>, AppError>,
) -> Result<Json<Value>, AppError> {
    if caller.role == TokenRole::Viewer {
        return Err(AppError::Forbidden(
            "the change log is for admins and coordinators".into(),
        ));
    }
    let Query(q) = query?;
    let since = q.since.map_or(0, |c| c.0);
    let (table, id) = (q.table.map(|t| t.0.to_string()), q.id);
    // Checked (1 to MAX_LIMIT) when the query was read.
    let limit = q.limit.map_or(DEFAULT_LIMIT, |l| l.0);
    if let Some(id) = &id
        && caller.restriction().is_some()
    {
        // An id outside the caller's view is 403 whether or not it exists (SPEC §6).
        caller.require_inside(&state.snapshot().engine, id)?;
    }
    let filter = ChangeFilter {
        since,
        table,
        id,
        limit,
    };
    let store = state.store();
    let entries = tokio::task::spawn_blocking(move || store.changes(&filter)).await??;
    let next_since = entries.last().map_or(since, |e| e.seq);
    let last = state.live().applied();
    let entries: Vec<Value> = if caller.restriction().is_none() {
        entries
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
            .collect()
    } else {
        let snap = state.snapshot();
        entries
            .into_iter()
            .filter_map(|e| for_coordinator(&caller, &snap.engine, e))
            .collect()
    };
    Ok(Json(json!({
        "changes": entries,
        "next_since": next_since,
        "applied": last,
    })))
}

/// The entry as a coordinator may see it, or `None` when it lies outside their subtree.
fn for_coordinator(
    caller: &Caller,
    places: &dangjian_engine::Engine,
    mut e: ChangeEntry,
) -> Option<Value> {
    let inside = |table: &str, row: &Value| {
        anchors_of(table, row).is_some_and(|anchors| {
            anchors
                .iter()
                .all(|a| a.as_deref().is_some_and(|id| caller.inside(places, id)))
        })
    };
    if !e.is_import() {
        let table = e.table.clone()?;
        let after_inside = e.after.as_ref().is_some_and(|r| inside(&table, r));
        let before_inside = e.before.as_ref().is_some_and(|r| inside(&table, r));
        if !after_inside && !before_inside {
            return None;
        }
        // A row that moved in or out: the side outside is not shown.
        if !after_inside {
            e.after = None;
        }
        if !before_inside {
            e.before = None;
        }
        if table == "volunteering" {
            // Hours per person are personal: a volunteer registered outside stays anonymous.
            for row in [e.before.as_mut(), e.after.as_mut()].into_iter().flatten() {
                let outside = row
                    .get("member")
                    .and_then(Value::as_str)
                    .is_some_and(|m| !caller.inside(places, m));
                if outside && let Value::Object(map) = row {
                    map.remove("member");
                }
            }
        }
    }
    let mut value = serde_json::to_value(e).ok()?;
    caller.redact(places, &mut value);
    Some(value)
}

/// The caller's own token: its role and scope (what the page needs to show or hide controls).
#[utoipa::path(get, path = "/api/v1/me", tag = "writes",
    responses((status = 200, description = "`{role, scope, token_id}`: admin, coordinator or viewer; the subtree, or null", body = Object),
        (status = 400, description = "Any query parameter (none is read)", body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(caller: Caller, _: Query<NoQuery>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({
        "role": caller.role,
        "scope": caller.scope,
        "token_id": caller.token_id,
    })))
}
