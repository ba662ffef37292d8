//! Writes: import, and create/patch of partnerships, members, volunteering, needs, resources
//! and responsibilities. Each is validated as the merged whole, like an import, and applied
//! atomically under the write lock.

use crate::access::Caller;
use crate::error::AppError;
use crate::extract::{Body, Params, decode_row};
use crate::state::{AppState, Snapshot, Write};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dangjian_model::{Bundle, Member, Need, Partnership, Resource, Responsibility, Volunteering};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A table rows can be written to one at a time.
pub trait Row: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    /// Table name in the bundle.
    const TABLE: &'static str;
    /// The row's id, when the table has ids.
    fn id(&self) -> Option<&str>;
    /// The table's rows.
    fn rows(b: &Bundle) -> &[Self];
    /// A partial bundle holding just this row.
    fn partial(self) -> Bundle;
    /// The entities that must lie inside a coordinator's subtree for them to write the row.
    /// `None` entries (e.g. an unregistered member) are never inside.
    fn anchors(&self) -> Vec<Option<&str>>;
}

impl Row for Partnership {
    const TABLE: &'static str = "partnerships";
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn rows(b: &Bundle) -> &[Self] {
        &b.partnerships
    }
    fn partial(self) -> Bundle {
        Bundle {
            partnerships: vec![self],
            ..Bundle::default()
        }
    }
    fn anchors(&self) -> Vec<Option<&str>> {
        vec![Some(&self.target)]
    }
}

impl Row for Member {
    const TABLE: &'static str = "members";
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn rows(b: &Bundle) -> &[Self] {
        &b.members
    }
    fn partial(self) -> Bundle {
        Bundle {
            members: vec![self],
            ..Bundle::default()
        }
    }
    fn anchors(&self) -> Vec<Option<&str>> {
        vec![self.registered_at.as_deref()]
    }
}

impl Row for Volunteering {
    const TABLE: &'static str = "volunteering";
    fn id(&self) -> Option<&str> {
        None
    }
    fn rows(b: &Bundle) -> &[Self] {
        &b.volunteering
    }
    fn partial(self) -> Bundle {
        Bundle {
            volunteering: vec![self],
            ..Bundle::default()
        }
    }
    fn anchors(&self) -> Vec<Option<&str>> {
        vec![Some(&self.committee)]
    }
}

impl Row for Need {
    const TABLE: &'static str = "needs";
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn rows(b: &Bundle) -> &[Self] {
        &b.needs
    }
    fn partial(self) -> Bundle {
        Bundle {
            needs: vec![self],
            ..Bundle::default()
        }
    }
    fn anchors(&self) -> Vec<Option<&str>> {
        vec![Some(&self.committee)]
    }
}

impl Row for Resource {
    const TABLE: &'static str = "resources";
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn rows(b: &Bundle) -> &[Self] {
        &b.resources
    }
    fn partial(self) -> Bundle {
        Bundle {
            resources: vec![self],
            ..Bundle::default()
        }
    }
    fn anchors(&self) -> Vec<Option<&str>> {
        std::iter::once(Some(self.provider.as_str()))
            .chain(self.deployed_to.iter().flatten().map(|k| Some(k.as_str())))
            .collect()
    }
}

impl Row for Responsibility {
    const TABLE: &'static str = "responsibilities";
    fn id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn rows(b: &Bundle) -> &[Self] {
        &b.responsibilities
    }
    fn partial(self) -> Bundle {
        Bundle {
            responsibilities: vec![self],
            ..Bundle::default()
        }
    }
    fn anchors(&self) -> Vec<Option<&str>> {
        vec![Some(&self.party_org)]
    }
}

fn require_anchors<R: Row>(caller: &Caller, snap: &Snapshot, row: &R) -> Result<(), AppError> {
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

/// Create a row: 201 with the stored row, 409 when the id exists.
pub async fn create<R: Row>(
    state: &AppState,
    caller: Caller,
    body: Body,
) -> Result<(StatusCode, Json<Value>), AppError> {
    caller.require_writer()?;
    let row: R = body.row(R::TABLE)?;
    let stored = state
        .write(move |snap| {
            require_anchors(&caller, snap, &row)?;
            if let Some(id) = row.id()
                && R::rows(snap.bundle()).iter().any(|r| r.id() == Some(id))
            {
                return Err(AppError::Conflict(format!(
                    "{} `{id}` exists already; use PATCH to change it",
                    R::TABLE
                )));
            }
            let out = serde_json::to_value(&row).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((Write::Upsert(row.partial()), out))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// Patch a row: the body's fields replace the stored ones (`null` clears an optional field);
/// 404 for an unknown id.
pub async fn patch<R: Row>(
    state: &AppState,
    caller: Caller,
    id: String,
    body: Body,
) -> Result<Json<Value>, AppError> {
    caller.require_writer()?;
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
    let stored = state
        .write(move |snap| {
            let current = R::rows(snap.bundle())
                .iter()
                .find(|r| r.id() == Some(id.as_str()))
                .ok_or_else(|| AppError::NotFound(format!("no {} row `{id}`", R::TABLE)))?;
            require_anchors(&caller, snap, current)?;
            let mut value =
                serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
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
            require_anchors(&caller, snap, &row)?;
            let out = serde_json::to_value(&row).map_err(|e| AppError::Internal(e.to_string()))?;
            Ok((Write::Upsert(row.partial()), out))
        })
        .await?;
    Ok(Json(stored))
}

macro_rules! write_endpoints {
    ($row:ty, $create:ident, $create_path:literal, $patch:ident, $patch_path:literal, $what:literal) => {
        #[doc = concat!("Create one ", $what, " row.")]
        #[utoipa::path(post, path = $create_path, tag = "writes",
            request_body(content = Object, description = concat!("A ", $what, " row as in the bundle")),
            responses((status = 201, description = "The stored row", body = Object),
                (status = 400, body = crate::routes::analytics::ErrorBody),
                (status = 403, body = crate::routes::analytics::ErrorBody),
                (status = 409, body = crate::routes::analytics::ErrorBody),
                (status = 422, body = crate::routes::analytics::ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $create(
            State(state): State<AppState>,
            caller: Caller,
            body: Body,
        ) -> Result<(StatusCode, Json<Value>), AppError> {
            create::<$row>(&state, caller, body).await
        }

        #[doc = concat!("Change fields of one ", $what, " row.")]
        #[utoipa::path(patch, path = $patch_path, tag = "writes",
            params(("id" = String, Path, description = "Row id")),
            request_body(content = Object, description = "The fields to change; null clears an optional field"),
            responses((status = 200, description = "The stored row", body = Object),
                (status = 403, body = crate::routes::analytics::ErrorBody),
                (status = 404, body = crate::routes::analytics::ErrorBody),
                (status = 422, body = crate::routes::analytics::ErrorBody)),
            security(("bearer" = [])))]
        pub async fn $patch(
            State(state): State<AppState>,
            caller: Caller,
            Path(id): Path<String>,
            body: Body,
        ) -> Result<Json<Value>, AppError> {
            patch::<$row>(&state, caller, id, body).await
        }
    };
}

write_endpoints!(
    Partnership,
    create_partnership,
    "/api/v1/partnerships",
    patch_partnership,
    "/api/v1/partnerships/{id}",
    "partnership"
);
write_endpoints!(
    Member,
    create_member,
    "/api/v1/members",
    patch_member,
    "/api/v1/members/{id}",
    "member"
);
write_endpoints!(
    Need,
    create_need,
    "/api/v1/needs",
    patch_need,
    "/api/v1/needs/{id}",
    "need"
);
write_endpoints!(
    Resource,
    create_resource,
    "/api/v1/resources",
    patch_resource,
    "/api/v1/resources/{id}",
    "resource"
);
write_endpoints!(
    Responsibility,
    create_responsibility,
    "/api/v1/responsibilities",
    patch_responsibility,
    "/api/v1/responsibilities/{id}",
    "responsibility"
);

/// Record volunteering hours.
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
) -> Result<(StatusCode, Json<Value>), AppError> {
    create::<Volunteering>(&state, caller, body).await
}

/// Import a whole network bundle (JSON), replacing the stored one, or merged into it with
/// `?merge=true`. Admin only.
#[utoipa::path(post, path = "/api/v1/import", tag = "writes",
    params(("merge" = Option<bool>, Query, description = "Merge into the stored network instead of replacing it")),
    request_body(content = Object, description = "A network bundle (SPEC §2)"),
    responses((status = 200, description = "Row counts", body = Object),
        (status = 400, body = crate::routes::analytics::ErrorBody),
        (status = 403, body = crate::routes::analytics::ErrorBody),
        (status = 413, body = crate::routes::analytics::ErrorBody),
        (status = 422, body = crate::routes::analytics::ErrorBody)),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    mut p: Params,
    body: Body,
) -> Result<Json<Value>, AppError> {
    caller.require_admin()?;
    let merge = p.take_bool("merge")?.unwrap_or(false);
    p.finish()?;
    let bundle = parse_bundle(&body.0)?;
    let imported = bundle.row_count();
    let total = state
        .write(move |snap| {
            let total = if merge {
                snap.bundle().merged(&bundle).row_count()
            } else {
                imported
            };
            let write = if merge {
                Write::Upsert(bundle)
            } else {
                Write::Replace(bundle)
            };
            Ok((write, total))
        })
        .await?;
    Ok(Json(
        json!({"imported_rows": imported, "total_rows": total, "merged": merge}),
    ))
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
