//! Writes: import, and create (one row or a batch)/read/patch of partnerships, members,
//! volunteering, needs, resources and responsibilities. Every write goes through the one write
//! path ([`AppState::write`]: validated like an import, committed with its change-log entries,
//! run to completion whatever the client does). Rows carry versions: `GET` answers an `ETag`,
//! `PATCH` honours `If-Match` (412 when stale), a create of a stored id is a 409.

use crate::access::{Caller, mask_member};
use crate::error::AppError;
use crate::extract::{Body, Query, decode_row, flag, opt};
use crate::state::{AppState, Snapshot};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dangjian_live::{Plan, updated};
use dangjian_model::{
    Bundle, Member, Need, Partnership, Problem, Resource, Responsibility, Volunteering,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::IntoParams;

/// Most rows in one batch create.
pub const MAX_BATCH_ROWS: usize = 100_000;

/// A table rows can be written to one at a time.
pub trait Row: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    /// Table name in the bundle.
    const TABLE: &'static str;
    /// The row's id, when the table has ids.
    fn id(&self) -> Option<&str>;
    /// The table's rows.
    fn rows(b: &Bundle) -> &[Self];
    /// The table's rows, to add to.
    fn rows_mut(b: &mut Bundle) -> &mut Vec<Self>;
    /// The entities that must lie inside a coordinator's subtree for them to write the row.
    /// `None` entries (e.g. an unregistered member) are never inside.
    fn anchors(&self) -> Vec<Option<&str>>;
    /// The people a new row records something personal about (a volunteer's hours): a
    /// coordinator may create it only for people registered inside their subtree — otherwise
    /// they could add to an outside person's record, and learn which member ids exist.
    fn people(&self) -> Vec<&str> {
        Vec::new()
    }
    /// Other entities the row names, which may lie outside a coordinator's subtree but must be
    /// visible to them (a member's employer, which they could not read back otherwise): one
    /// they may not see is 403 whether or not it exists, as everywhere else — otherwise a
    /// write would tell them which outside ids exist (201 for one, 422 "unknown" for another).
    fn named(&self) -> Vec<&str> {
        Vec::new()
    }
}

/// `impl Row` for a table: its name, bundle field, id and anchors, stated once per table.
macro_rules! row {
    ($ty:ty, $field:ident, id: |$r:ident| $id:expr, anchors: |$a:ident| $anchors:expr
        $(, people: |$p:ident| $people:expr)? $(, named: |$n:ident| $named:expr)?) => {
        impl Row for $ty {
            const TABLE: &'static str = stringify!($field);
            fn id(&self) -> Option<&str> {
                let $r = self;
                $id
            }
            fn rows(b: &Bundle) -> &[Self] {
                &b.$field
            }
            fn rows_mut(b: &mut Bundle) -> &mut Vec<Self> {
                &mut b.$field
            }
            fn anchors(&self) -> Vec<Option<&str>> {
                let $a = self;
                $anchors
            }
            $(fn people(&self) -> Vec<&str> {
                let $p = self;
                $people
            })?
            $(fn named(&self) -> Vec<&str> {
                let $n = self;
                $named
            })?
        }
    };
}

// A partnership may name any unit: it makes the unit touch the subtree (docs/access.md).
row!(Partnership, partnerships, id: |r| Some(&r.id), anchors: |r| vec![Some(&r.target)]);
row!(Member, members, id: |r| Some(&r.id), anchors: |r| vec![r.registered_at.as_deref()],
    named: |r| r.employer.as_deref().into_iter().collect());
row!(Volunteering, volunteering, id: |_r| None, anchors: |r| vec![Some(&r.committee)],
    people: |r| vec![&r.member]);
row!(Need, needs, id: |r| Some(&r.id), anchors: |r| vec![Some(&r.committee)]);
row!(Resource, resources, id: |r| Some(&r.id), anchors: |r| {
    std::iter::once(Some(r.provider.as_str()))
        .chain(r.deployed_to.iter().flatten().map(|k| Some(k.as_str())))
        .collect()
});
row!(Responsibility, responsibilities, id: |r| Some(&r.id), anchors: |r| vec![Some(&r.party_org)]);

pub(crate) fn require_anchors<R: Row>(
    caller: &Caller,
    snap: &Snapshot,
    row: &R,
) -> Result<(), AppError> {
    for anchor in row.anchors() {
        match anchor {
            Some(id) => caller.require_inside(&snap.engine, id)?,
            None if caller.restriction().is_some() => {
                return Err(AppError::Forbidden(format!(
                    "a coordinator can only write {} inside their subtree",
                    R::TABLE
                )));
            }
            None => {}
        }
    }
    Ok(())
}

/// 403 unless the caller may write `row` in place of the stored row `before` (none for a
/// create) — the one check of a row create, a PATCH and a file upload: its anchors and people
/// lie inside the caller's subtree, and every entity it names ([`Row::named`]) that `before` did
/// not name already is visible to them (keeping what is stored, an inside member's employer
/// elsewhere, tells nothing, and must not be refused, or the refusal would). Whether `before`
/// itself may be written, and whether a new row's id is taken outside, the callers check.
pub(crate) fn require_writable<R: Row>(
    caller: &Caller,
    snap: &Snapshot,
    row: &R,
    before: Option<&R>,
) -> Result<(), AppError> {
    require_anchors(caller, snap, row)?;
    for person in row.people() {
        caller.require_inside(&snap.engine, person)?;
    }
    let kept = before.map(Row::named).unwrap_or_default();
    for id in row.named() {
        if !kept.contains(&id) {
            caller.require_visible(&snap.engine, id)?;
        }
    }
    Ok(())
}

/// The `ETag` of a row version.
fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version an `If-Match` header names: `None` without the header or for `*`.
fn if_match(headers: &HeaderMap) -> Result<Option<u64>, AppError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| AppError::BadRequest("If-Match is not ASCII".into()))?
        .trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| {
            AppError::BadRequest(format!(
                "If-Match `{text}` is not an ETag this service gave (a quoted version number)"
            ))
        })
}

/// The rows of a create body: one object, or an array of them (a batch). Every row's
/// problems are reported in one pass, located by the row's index: those of rows that cannot be
/// read, and — for an admin, who may learn what exists anywhere — what validation finds in the
/// rows that can (an unknown committee in one row is not hidden by a bad domain in another).
fn checked_rows<R: Row>(
    body: &Body,
    state: &AppState,
    caller: &Caller,
) -> Result<(Vec<R>, bool), AppError> {
    let (rows, mut problems, batch) = body_rows::<R>(body)?;
    if problems.is_empty() {
        return Ok((rows.into_iter().map(|(_, r)| r).collect(), batch));
    }
    if caller.role == dangjian_model::TokenRole::Admin {
        let snap = state.snapshot();
        let mut partial = Bundle::default();
        let mut ids = HashMap::new();
        for (k, (_, r)) in rows.iter().enumerate() {
            if let Some(id) = r.id() {
                ids.insert(id.to_string(), k);
            }
            R::rows_mut(&mut partial).push(r.clone());
        }
        let found = dangjian_model::validate::validate_upsert_with(
            snap.bundle(),
            &partial,
            dangjian_live::View::locator(&*snap),
        );
        let base = R::rows(snap.bundle()).len();
        for mut p in found.err().map(|p| p.0).unwrap_or_default() {
            if let Some(k) = dangjian_live::sent_row(&p, R::TABLE, base, &ids, &[]) {
                p.location = format!("request body row {}", rows[k].0);
            }
            problems.push(p);
        }
        problems.sort_by_key(|p| {
            p.location
                .rsplit(' ')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
        });
    }
    Err(AppError::invalid(dangjian_model::Problems(problems)))
}

/// The rows of a create body that can be read (with their index in the body), the problems of
/// those that cannot, and whether it is a batch.
#[allow(clippy::type_complexity)]
fn body_rows<R: Row>(body: &Body) -> Result<(Vec<(usize, R)>, Vec<Problem>, bool), AppError> {
    let value: Value = serde_json::from_slice(&body.0)
        .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Err(AppError::invalid_body(
                    R::TABLE,
                    None,
                    "the batch holds no rows".into(),
                ));
            }
            if items.len() > MAX_BATCH_ROWS {
                return Err(AppError::invalid_body(
                    R::TABLE,
                    None,
                    format!("a batch holds at most {MAX_BATCH_ROWS} rows"),
                ));
            }
            let mut rows = Vec::with_capacity(items.len());
            let mut problems = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let location = format!("request body row {i}");
                match dangjian_bundle_io::decode_row::<R>(R::TABLE, &location, item) {
                    Ok(row) => rows.push((i, row)),
                    Err(p) => problems.extend(p.0),
                }
            }
            Ok((rows, problems, true))
        }
        single => Ok((vec![(0, decode_row(R::TABLE, &single)?)], Vec::new(), false)),
    }
}

/// Point the problems validation found at the rows of the request: `request body` for one
/// row, `request body row i` in a batch (see [`dangjian_live::sent_row`]).
fn locate_in_body<R: Row>(err: AppError, sent: &Sent, batch: bool) -> AppError {
    let AppError::Invalid { message, problems } = err else {
        return err;
    };
    let problems = problems
        .into_iter()
        .map(|mut p: Problem| {
            if let Some(i) =
                dangjian_live::sent_row(&p, R::TABLE, sent.base, &sent.ids, &sent.dropped)
            {
                p.location = if batch {
                    format!("request body row {i}")
                } else {
                    "request body".to_string()
                };
            }
            p
        })
        .collect();
    AppError::Invalid { message, problems }
}

/// What a create learnt about the rows it was sent, to locate problems in the request: the
/// table's length before the write, and the positions of rows dropped as stored already.
#[derive(Default)]
struct Sent {
    ids: HashMap<String, usize>,
    base: usize,
    dropped: Vec<usize>,
}

/// Create rows: one object → 201 with the stored row and its `ETag`; an array → 201 with the
/// count, all or nothing. 409 when an id is stored already (what holds it is not revealed); for
/// a coordinator, 403 when the row holding it lies outside their subtree. An id-less row
/// (volunteering) equal to a stored one is the same record: it is not added again, and the
/// answer says so (200 for one row; a batch counts `created` and `already_stored`).
pub async fn create<R: Row>(
    state: &AppState,
    caller: Caller,
    body: Body,
) -> Result<Response, AppError> {
    caller.require_writer()?;
    let (rows, batch) = checked_rows::<R>(&body, state, &caller)?;
    let count = rows.len();
    let sent = Arc::new(std::sync::Mutex::new(Sent {
        ids: rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.id().map(|id| (id.to_string(), i)))
            .collect(),
        ..Sent::default()
    }));
    let seen_by_write = sent.clone();
    let actor = caller.token_id.clone();
    let result = state
        .write(actor, move |snap, _versions| {
            let base = R::rows(snap.bundle()).len();
            let mut seen = std::collections::HashSet::new();
            let mut partial = Bundle::default();
            let mut duplicates = Vec::new();
            // One row answers with itself (the stored row: equal to what was sent).
            let out = match (batch, rows.first()) {
                (false, Some(row)) => {
                    Some(serde_json::to_value(row).map_err(|e| AppError::Internal(e.to_string()))?)
                }
                _ => None,
            };
            for (i, row) in rows.into_iter().enumerate() {
                require_writable(&caller, snap, &row, None)?;
                if let Some(id) = row.id() {
                    if !taken_in_view::<R>(&caller, snap, id) {
                        return Err(AppError::outside(id));
                    }
                    if find_row::<R>(snap, id).is_some() {
                        return Err(AppError::Conflict(if batch {
                            format!("request body row {i}: {} `{id}` exists already", R::TABLE)
                        } else {
                            format!("{} `{id}` exists already; use PATCH to change it", R::TABLE)
                        }));
                    }
                    if !seen.insert(id.to_string()) {
                        duplicates.push(Problem {
                            table: R::TABLE.to_string(),
                            location: format!("request body row {i}"),
                            id: Some(id.to_string()),
                            field: Some("id".into()),
                            message: "the id appears twice in the batch".into(),
                        });
                    }
                }
                R::rows_mut(&mut partial).push(row);
            }
            if !duplicates.is_empty() {
                return Err(AppError::invalid(dangjian_model::Problems(duplicates)));
            }
            let dropped: Vec<usize> = partial
                .drop_present(snap.bundle(), dangjian_live::View::locator(snap))
                .into_iter()
                .map(|(_, j)| j)
                .collect();
            let stored = dropped.len();
            {
                let mut sent = seen_by_write.lock().unwrap_or_else(|p| p.into_inner());
                sent.base = base;
                sent.dropped = dropped;
            }
            let changes = dangjian_live::creates_of(&partial)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((Plan::Rows { partial, changes }, (out, stored)))
        })
        .await;
    let ((row, stored), seq) = match result {
        Ok((out, written)) => (out, written.seq),
        Err(e) => {
            let sent = sent.lock().unwrap_or_else(|p| p.into_inner());
            return Err(locate_in_body::<R>(e, &sent, batch));
        }
    };
    Ok(match row {
        Some(row) if stored > 0 => (StatusCode::OK, Json(row)).into_response(),
        Some(row) => {
            let mut response = (StatusCode::CREATED, Json(row)).into_response();
            response.headers_mut().insert(header::ETAG, etag(seq));
            response
        }
        None => (
            if stored == count {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            },
            Json(json!({
                "created": count - stored,
                "already_stored": stored,
                "table": R::TABLE,
                "seq": seq,
            })),
        )
            .into_response(),
    })
}

/// The stored row of table `R` with this id: located with the engine's id table, checked, and
/// looked for by a scan only when the id table places the id in another table.
fn find_row<'a, R: Row>(snap: &'a Snapshot, id: &str) -> Option<&'a R> {
    use dangjian_model::Locate;
    let rows = R::rows(snap.bundle());
    if let Some((kind, i)) = snap.engine.locate(id)
        && kind.table() == R::TABLE
        && let Some(r) = rows.get(i)
        && r.id() == Some(id)
    {
        return Some(r);
    }
    // Not in the id table: no row of any table has the id.
    snap.engine.locate(id)?;
    // Stays: an unvalidated stored network (loaded untrusted) may hold the id in two tables.
    rows.iter().find(|r| r.id() == Some(id))
}

/// Whether the caller may learn that `id` is taken, if it is: always for an unconfined caller;
/// for a coordinator only when the row holding it lies inside their subtree. A create of an id
/// taken outside answers 403, like any id outside (not 409, and not the duplicate-id 422, which
/// would tell which table holds it).
pub(crate) fn taken_in_view<R: Row>(caller: &Caller, snap: &Snapshot, id: &str) -> bool {
    use dangjian_model::Locate;
    if caller.restriction().is_none() || snap.engine.locate(id).is_none() {
        return true;
    }
    match find_row::<R>(snap, id) {
        Some(stored) => require_anchors(caller, snap, stored).is_ok(),
        None => caller.inside(&snap.engine, id),
    }
}

/// The stored row with this id: 404 when there is none, but 403 for a confined caller
/// (whether the id exists outside is not revealed).
fn stored_row<'a, R: Row>(
    snap: &'a Snapshot,
    caller: &Caller,
    id: &str,
) -> Result<&'a R, AppError> {
    match find_row::<R>(snap, id) {
        Some(row) => Ok(row),
        None if caller.restriction().is_some() => Err(AppError::outside(id)),
        None => Err(AppError::NotFound(format!("no {} row `{id}`", R::TABLE))),
    }
}

/// Read a row with its `ETag`; 403 outside a coordinator's subtree, members masked for viewers.
pub async fn get<R: Row>(
    state: &AppState,
    caller: Caller,
    id: String,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let row = stored_row::<R>(&snap, &caller, &id)?;
    let version = state.live().version_of(R::TABLE, &id);
    let value = serde_json::to_value(row).map_err(|e| AppError::Internal(e.to_string()))?;
    let value = readable::<R>(&caller, &snap, value).ok_or_else(|| AppError::outside(&id))?;
    let mut response = Json(value).into_response();
    response.headers_mut().insert(header::ETAG, etag(version));
    Ok(response)
}

/// A stored row as the caller may read it, in the answer to a GET of the row and to its PATCH:
/// read as in the lists (`tables.rs`): an inside member's employer the caller may not see is
/// left out, the member stays; a row is shown where it touches the caller's view (a resource
/// of an inside unit deployed outside too, with the outside committees left out), and is
/// otherwise outside (`None`).
fn readable<R: Row>(caller: &Caller, snap: &Snapshot, mut value: Value) -> Option<Value> {
    if R::TABLE == "members" && !caller.sees_personal_data() {
        mask_member(&mut value);
    }
    if let Value::Object(map) = &mut value
        && let Some(employer) = map.get("employer").and_then(Value::as_str)
        && !caller.visible(&snap.engine, employer)
    {
        map.insert("employer".into(), Value::Null);
    }
    caller.row(&snap.engine, value)
}

/// Patch a row: the body's fields replace the stored ones (`null` clears an optional field);
/// 404 for an unknown id; 412 when `If-Match` names another version, or when another writer
/// changed the row since it was read here. Answers the stored row and its new `ETag`.
pub async fn patch<R: Row>(
    state: &AppState,
    caller: Caller,
    id: String,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    caller.require_writer()?;
    let expected = if_match(&headers)?;
    let changes: serde_json::Map<String, Value> = body.json(R::TABLE)?;
    if let Some(given) = changes.get("id")
        && given.as_str() != Some(id.as_str())
    {
        return Err(AppError::invalid_body(
            R::TABLE,
            Some("id".into()),
            "the id cannot be changed".into(),
        ));
    }
    let actor = caller.token_id.clone();
    let reader = caller.clone();
    let (stored, written) = state
        .write(actor, move |snap, versions| {
            let current = stored_row::<R>(snap, &caller, &id)?;
            // Outside: 403 naming the id asked for, never what holds it (as for a read).
            require_anchors(&caller, snap, current).map_err(|_| AppError::outside(&id))?;
            let version = versions.get(R::TABLE, &id);
            if let Some(expected) = expected
                && expected != version
            {
                return Err(AppError::PreconditionFailed(format!(
                    "{} `{id}` is at version {version}, not {expected}; read it again and retry",
                    R::TABLE
                )));
            }
            let before =
                serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
            let mut value = before.clone();
            if let Value::Object(map) = &mut value {
                for (k, v) in changes {
                    if v.is_null() {
                        map.remove(&k);
                    } else {
                        map.insert(k, v);
                    }
                }
            }
            let row: R = decode_row(R::TABLE, &value)?;
            require_writable(&caller, snap, &row, Some(current))?;
            let after =
                serde_json::to_value(&row).map_err(|e| AppError::Internal(e.to_string()))?;
            let mut partial = Bundle::default();
            R::rows_mut(&mut partial).push(row);
            let change = updated(R::TABLE, &id, before, after.clone(), version);
            Ok((
                Plan::Rows {
                    partial,
                    changes: vec![change],
                },
                after,
            ))
        })
        .await?;
    // Answered as a GET of the row reads it (a kept employer the caller may not see is left
    // out); the write's checks leave nothing else outside, and were it so, it is redacted.
    let snap = state.snapshot();
    let stored = readable::<R>(&reader, &snap, stored.clone()).unwrap_or_else(|| {
        let mut value = stored;
        reader.redact(&snap.engine, &mut value);
        value
    });
    let mut response = Json(stored).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(written.seq));
    Ok(response)
}

/// Where a change-log row lies: the entities that must be inside a coordinator's subtree for
/// them to see it (`None`: the table is not one rows are written to).
pub fn anchors_of(table: &str, row: &Value) -> Option<Vec<Option<String>>> {
    fn of<R: Row>(row: &Value) -> Option<Vec<Option<String>>> {
        let row: R = serde_json::from_value(row.clone()).ok()?;
        Some(
            row.anchors()
                .into_iter()
                .map(|a| a.map(str::to_string))
                .collect(),
        )
    }
    match table {
        "partnerships" => of::<Partnership>(row),
        "members" => of::<Member>(row),
        "volunteering" => of::<Volunteering>(row),
        "needs" => of::<Need>(row),
        "resources" => of::<Resource>(row),
        "responsibilities" => of::<Responsibility>(row),
        _ => None,
    }
}

macro_rules! write_endpoints {
    ($($row:ty => $create:ident, $create_path:literal, $get:ident, $patch:ident, $patch_path:literal, $what:literal;)*) => {$(
        #[doc = concat!("Create one ", $what, " row, or a batch (an array of rows, all or nothing).")]
        #[utoipa::path(post, path = $create_path, tag = "writes",
            request_body(content = Object, description = concat!("A ", $what, " row as in the bundle, or an array of them")),
            responses((status = 201, description = "The stored row (ETag: its version), or the count of a batch", body = Object),
                (status = 400, body = crate::routes::analytics::ErrorBody),
                (status = 403, body = crate::routes::analytics::ErrorBody),
                (status = 409, body = crate::routes::analytics::ErrorBody),
                (status = 422, body = crate::routes::analytics::ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $create(
            State(state): State<AppState>,
            caller: Caller,
            body: Body,
        ) -> Result<Response, AppError> {
            create::<$row>(&state, caller, body).await
        }

        #[doc = concat!("One ", $what, " row, with its version as the ETag.")]
        #[utoipa::path(get, path = $patch_path, tag = "writes",
            params(("id" = String, Path, description = "Row id")),
            responses((status = 200, description = "The row", body = Object),
                (status = 403, body = crate::routes::analytics::ErrorBody),
                (status = 404, body = crate::routes::analytics::ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $get(
            State(state): State<AppState>,
            caller: Caller,
            Path(id): Path<String>,
        ) -> Result<Response, AppError> {
            get::<$row>(&state, caller, id).await
        }

        #[doc = concat!("Change fields of one ", $what, " row (If-Match: the ETag it was read at).")]
        #[utoipa::path(patch, path = $patch_path, tag = "writes",
            params(("id" = String, Path, description = "Row id"),
                ("If-Match" = Option<String>, Header, description = "The ETag the change is based on")),
            request_body(content = Object, description = "The fields to change; null clears an optional field"),
            responses((status = 200, description = "The stored row (ETag: its new version)", body = Object),
                (status = 403, body = crate::routes::analytics::ErrorBody),
                (status = 404, body = crate::routes::analytics::ErrorBody),
                (status = 412, body = crate::routes::analytics::ErrorBody),
                (status = 422, body = crate::routes::analytics::ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $patch(
            State(state): State<AppState>,
            caller: Caller,
            Path(id): Path<String>,
            headers: HeaderMap,
            body: Body,
        ) -> Result<Response, AppError> {
            patch::<$row>(&state, caller, id, headers, body).await
        }
    )*};
}

// The row tables written one row at a time: row type => handlers, paths and name.
write_endpoints! {
    Partnership => create_partnership, "/api/v1/partnerships", get_partnership, patch_partnership, "/api/v1/partnerships/{id}", "partnership";
    Member => create_member, "/api/v1/members", get_member, patch_member, "/api/v1/members/{id}", "member";
    Need => create_need, "/api/v1/needs", get_need, patch_need, "/api/v1/needs/{id}", "need";
    Resource => create_resource, "/api/v1/resources", get_resource, patch_resource, "/api/v1/resources/{id}", "resource";
    Responsibility => create_responsibility, "/api/v1/responsibilities", get_responsibility, patch_responsibility, "/api/v1/responsibilities/{id}", "responsibility";
}

/// Record volunteering hours: one row, or a batch (an array, all or nothing).
#[utoipa::path(post, path = "/api/v1/volunteering", tag = "writes",
    request_body(content = Object, description = "A volunteering row as in the bundle"),
    responses((status = 201, description = "The stored row", body = Object),
        (status = 403, body = crate::routes::analytics::ErrorBody),
        (status = 422, body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_volunteering(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Response, AppError> {
    create::<Volunteering>(&state, caller, body).await
}

/// Import a whole network bundle (JSON, admin only), replacing the stored one, or merged into it
/// with `?merge=true`; or upload an XLSX workbook or a zip of CSV files (`Content-Type`
/// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` or `application/zip`,
/// [`crate::routes::upload`]): admins `?mode=merge` (the default for files) or `replace`,
/// coordinators merge rows inside their subtree. All or nothing; a bad file answers 422 with
/// every problem's sheet, row, field and a Chinese message.
#[utoipa::path(post, path = "/api/v1/import", tag = "writes",
    params(ImportQuery),
    request_body(content = Object, description = "A network bundle (docs/数据格式.md) as JSON, an XLSX workbook, or a zip of CSV files"),
    responses((status = 200, description = "Row counts", body = Object),
        (status = 400, body = crate::routes::analytics::ErrorBody),
        (status = 403, body = crate::routes::analytics::ErrorBody),
        (status = 413, body = crate::routes::analytics::ErrorBody),
        (status = 422, body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<ImportQuery>, AppError>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(kind) = crate::routes::upload::FileKind::of(content_type) {
        return crate::routes::upload::import_file(&state, caller, query, kind, body).await;
    }
    caller.require_admin()?;
    let Query(q) = query?;
    if q.mode.is_some() {
        return Err(AppError::BadRequest(
            crate::routes::upload::JSON_MODE.into(),
        ));
    }
    let merge = q.merge.unwrap_or(false);
    let bundle = parse_bundle(&body.0)?;
    let imported = bundle.row_count();
    let actor = caller.token_id.clone();
    let ((), written) = state
        .write(actor, move |_, _| {
            let write = if merge {
                Plan::Merge(bundle)
            } else {
                Plan::Replace(bundle)
            };
            Ok((write, ()))
        })
        .await?;
    Ok(Json(json!({
        "imported_rows": imported,
        "total_rows": written.rows,
        "merged": merge,
        "seq": written.seq
    }))
    .into_response())
}

/// The query of an import (read after the caller's rights are checked, so a bad parameter
/// does not tell a caller without them more than 403 would).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Merge into the stored network instead of replacing it.
    #[serde(default, deserialize_with = "flag")]
    pub merge: Option<bool>,
    /// Files only: `merge` (default) or `replace` (admins).
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    pub mode: Option<Merges>,
}

/// How a file import meets the stored network: merged into it by id (`merge`, true) or
/// replacing it (`replace`, false).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merges(pub bool);

impl std::str::FromStr for Merges {
    type Err = String;
    fn from_str(s: &str) -> Result<Merges, String> {
        crate::extract::one_of(s, &[("merge", Merges(true)), ("replace", Merges(false))])
    }
}

/// Decode a JSON bundle with every problem located (validation of the whole follows in the
/// write, on the merged network).
fn parse_bundle(bytes: &[u8]) -> Result<Bundle, AppError> {
    use dangjian_bundle_io::ReadError;
    dangjian_bundle_io::parse_json_unvalidated(bytes).map_err(|e| match e {
        ReadError::Malformed { .. } => AppError::BadRequest(format!("malformed JSON: {e}")),
        ReadError::Invalid(problems) => AppError::invalid(problems),
        other => AppError::Internal(other.to_string()),
    })
}
