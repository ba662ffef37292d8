//! The analytics endpoints: coverage, gaps, checklists (JSON, CSV, XLSX), what-if, brokers and
//! areas. Documents are computed on a blocking thread and cached per network version.

use crate::access::Caller;
use crate::bounded::Heavy;
use crate::error::AppError;
use crate::extract::{Body, Query, flag, opt};
use crate::state::{AppState, Snapshot};
use axum::Extension;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use dangjian_engine::{Cancel, Engine};
use dangjian_export::ChecklistLang;
use dangjian_model::params::{AsOf, Scope};
use dangjian_model::{Date, Id};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Largest `limit` for brokers.
const MAX_BROKERS: usize = 1000;

/// Most ids (units and partnerships together) one what-if may remove.
pub const MAX_WHATIF_IDS: usize = 1000;

/// Largest `POST /whatif` body: 1,000 ids of up to 200 bytes, and room for the rest.
pub const WHATIF_BODY_LIMIT: usize = 256 * 1024;

/// A JSON response from already serialised bytes.
pub fn json_bytes(body: bytes::Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// Serialise a document, redacted for the caller.
fn serialise<T: Serialize>(
    doc: &T,
    caller: &Caller,
    snap: &Snapshot,
) -> Result<bytes::Bytes, AppError> {
    if caller.restriction().is_none() {
        return serde_json::to_vec(doc).map(Into::into).map_err(internal);
    }
    let mut value = serde_json::to_value(doc).map_err(internal)?;
    caller.redact(&snap.engine, &mut value);
    serde_json::to_vec(&value).map(Into::into).map_err(internal)
}

/// The shared limiter of expensive work.
pub type HeavyExt = Extension<Arc<Heavy>>;

/// A cached document for (kind, scope, as_of) and the caller's restriction; on a miss computed
/// once (single flight) on a blocking thread under the concurrency limit.
async fn cached<T, F>(
    heavy: &Heavy,
    snap: Arc<Snapshot>,
    caller: &Caller,
    kind: &'static str,
    key: String,
    as_of: Date,
    compute: F,
) -> Result<bytes::Bytes, AppError>
where
    T: Serialize,
    F: FnOnce(&Engine, &Cancel) -> Result<T, AppError> + Send + 'static,
{
    let key = format!("{key}|{}", caller.restriction().unwrap_or(""));
    let caller2 = caller.clone();
    let snap2 = snap.clone();
    heavy
        .cached(&snap, caller, kind, &key, as_of, move |cancel| {
            let doc = compute(&snap2.engine, cancel)?;
            serialise(&doc, &caller2, &snap2)
        })
        .await
}

/// A query struct for a document about a scope on a date: `scope` and `as_of`, then the
/// document's own parameters.
macro_rules! scope_query {
    ($(#[$doc:meta])* $name:ident { $($extra:tt)* }) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            /// `city` or a district, street, community or committee id; default: city, or the
            /// token's subtree.
            #[serde(default, deserialize_with = "opt")]
            #[param(value_type = Option<String>)]
            scope: Option<Scope>,
            /// YYYY-MM-DD, default today (in Shanghai).
            #[serde(default, deserialize_with = "opt")]
            #[param(value_type = Option<String>)]
            as_of: Option<AsOf>,
            $($extra)*
        }

        impl Scoped for $name {
            fn scope(&self) -> Option<&Scope> {
                self.scope.as_ref()
            }
            fn as_of(&self) -> Option<AsOf> {
                self.as_of
            }
        }
    };
}

/// The `scope` and `as_of` of a query struct.
pub trait Scoped {
    /// The scope asked for, if any.
    fn scope(&self) -> Option<&Scope>;
    /// The date asked for, if any.
    fn as_of(&self) -> Option<AsOf>;
}

scope_query!(
    /// The query of coverage, gaps and areas.
    ScopeQuery {}
);

scope_query!(
    /// The query of the brokers document.
    BrokersQuery {
        /// At most this many (default 20, max 1000).
        #[serde(default, deserialize_with = "opt")]
        #[param(value_type = Option<usize>, minimum = 1, maximum = 1000)]
        limit: Option<crate::extract::Limit<MAX_BROKERS>>,
    }
);

/// Everything a scoped analytics read takes from its request: the network, the limiter of
/// heavy work, the caller and its typed query.
pub struct ScopedRead<Q> {
    state: AppState,
    heavy: Arc<Heavy>,
    caller: Caller,
    query: Q,
}

impl<Q: DeserializeOwned + Send> FromRequestParts<AppState> for ScopedRead<Q> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Query(query) = Query::<Q>::from_request_parts(parts, state).await?;
        let heavy = parts
            .extensions
            .get::<Arc<Heavy>>()
            .cloned()
            .ok_or_else(|| AppError::Internal("the heavy-work limiter is not installed".into()))?;
        Ok(ScopedRead {
            state: state.clone(),
            heavy,
            caller,
            query,
        })
    }
}

impl<Q: Scoped> ScopedRead<Q> {
    /// The one shape of every scoped analytics read: the caller's scope (403 outside its
    /// subtree), then the document `kind` for (scope, `extra`, as_of) from the cache, or
    /// computed once on a blocking thread.
    async fn document<T, F>(
        self,
        kind: &'static str,
        extra: String,
        compute: F,
    ) -> Result<Response, AppError>
    where
        T: Serialize,
        F: FnOnce(&Engine, &str, Date, &Cancel) -> Result<T, dangjian_engine::EngineError>
            + Send
            + 'static,
    {
        let as_of = AsOf::or_today(self.query.as_of());
        let snap = self.state.snapshot();
        let scope = self
            .caller
            .read_scope(&snap.engine, self.query.scope().map(Scope::as_str))?;
        let key = format!("{scope}{extra}");
        let body = cached(
            &self.heavy,
            snap,
            &self.caller,
            kind,
            key,
            as_of,
            move |e, cancel| Ok(compute(e, &scope, as_of, cancel)?),
        )
        .await?;
        Ok(json_bytes(body))
    }
}

/// Coverage of a scope (docs/指标口径.md): per committee, with roll-ups.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "analytics", params(ScopeQuery),
    responses((status = 200, description = "The coverage document", body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn coverage(read: ScopedRead<ScopeQuery>) -> Result<Response, AppError> {
    read.document("coverage", String::new(), |e, s, d, _| e.coverage(s, d))
        .await
}

/// Resource sinking gaps of a scope (docs/指标口径.md).
#[utoipa::path(get, path = "/api/v1/gaps", tag = "analytics", params(ScopeQuery),
    responses((status = 200, description = "The gaps document", body = Object), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn gaps(read: ScopedRead<ScopeQuery>) -> Result<Response, AppError> {
    read.document("gaps", String::new(), |e, s, d, _| e.gaps(s, d))
        .await
}

/// Output format of a checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        use Format::*;
        crate::extract::one_of(s, &[("json", Json), ("csv", Csv), ("xlsx", Xlsx)])
    }
}

/// The format asked for: the `format` parameter, else the `Accept` header, else JSON.
fn checklist_format(param: Option<Format>, headers: &HeaderMap) -> Format {
    if let Some(format) = param {
        return format;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("text/csv") {
        Format::Csv
    } else if accept.contains(XLSX_MIME) {
        Format::Xlsx
    } else {
        Format::Json
    }
}

/// The query of a checklist.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChecklistQuery {
    /// YYYY-MM-DD, default today (in Shanghai).
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    as_of: Option<AsOf>,
    /// Include every org below it.
    #[serde(default, deserialize_with = "flag")]
    subtree: Option<bool>,
    /// json (default), csv or xlsx; `Accept: text/csv` or the XLSX type also work.
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    format: Option<Format>,
    /// CSV/XLSX headers and values: `zh` (default: 状态 未完成/已完成, 预警 红/黄/绿) or `en`
    /// (the JSON field names and codes).
    #[serde(default, deserialize_with = "opt")]
    #[param(value_type = Option<String>)]
    lang: Option<ChecklistLang>,
}

/// The responsibility checklist (责任清单) of a party org, as JSON, CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/party-orgs/{id}/checklist", tag = "analytics",
    params(("id" = String, Path, description = "Party org id"), ChecklistQuery),
    responses((status = 200, description = "The checklist document, CSV or XLSX", body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn checklist(
    State(state): State<AppState>,
    Extension(heavy): HeavyExt,
    caller: Caller,
    Path(org): Path<String>,
    headers: HeaderMap,
    Query(q): Query<ChecklistQuery>,
) -> Result<Response, AppError> {
    let as_of = AsOf::or_today(q.as_of);
    let subtree = q.subtree.unwrap_or(false);
    let format = checklist_format(q.format, &headers);
    let lang = q.lang.unwrap_or(ChecklistLang::Zh);
    let snap = state.snapshot();
    // 403 for an org outside the caller's subtree before anything says whether it exists.
    caller.require_inside(&snap.engine, &org)?;
    let key = format!("{org}|{subtree}");
    let o = org.clone();
    let body = cached(
        &heavy,
        snap.clone(),
        &caller,
        "checklist",
        key,
        as_of,
        move |e, _| Ok(e.checklist(&o, subtree, as_of)?),
    )
    .await?;
    if format == Format::Json {
        return Ok(json_bytes(body));
    }
    let mut doc: dangjian_model::ChecklistDoc = serde_json::from_slice(&body).map_err(internal)?;
    if !caller.sees_personal_data() {
        let engine = snap.engine.clone();
        doc = tokio::task::spawn_blocking(move || {
            let names = crate::personal::names_of(&engine);
            for it in &mut doc.items {
                it.first_responsible = crate::personal::mask_name(&it.first_responsible);
                it.item = names.mask_str(&it.item);
                for f in &mut it.facts {
                    *f = names.mask_str(f).into();
                }
            }
            doc
        })
        .await?;
    }
    let safe_org: String = org
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let (mime, ext, bytes): (&str, &str, Vec<u8>) = match format {
        Format::Csv => (
            "text/csv; charset=utf-8",
            "csv",
            dangjian_export::checklist_csv(&doc, lang)
                .map_err(internal)?
                .into_bytes(),
        ),
        _ => (
            XLSX_MIME,
            "xlsx",
            tokio::task::spawn_blocking(move || dangjian_export::checklist_xlsx(&doc, lang))
                .await?
                .map_err(internal)?,
        ),
    };
    let disposition = format!("attachment; filename=\"checklist-{safe_org}-{as_of}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The body of `POST /whatif`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// Units to remove (with all their partnerships).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub without_units: Vec<Id>,
    /// Partnerships to remove.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub without_partnerships: Vec<Id>,
    /// Scope of the figures; default: city, or the token's subtree.
    #[serde(default)]
    pub scope: Option<String>,
    /// YYYY-MM-DD, default today (in Shanghai).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub as_of: Option<AsOf>,
}

/// Coverage and gap figures after removing units or partnerships, without changing stored data.
#[utoipa::path(post, path = "/api/v1/whatif", tag = "analytics",
    request_body = WhatIfRequest,
    responses((status = 200, description = "The what-if document", body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, description = "Bad body, or more than 1,000 ids", body = ErrorBody), (status = 503, description = "Busy: retry after `Retry-After` seconds", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn whatif(
    State(state): State<AppState>,
    Extension(heavy): HeavyExt,
    caller: Caller,
    body: Body,
) -> Result<Response, AppError> {
    let req: WhatIfRequest = body.json("whatif")?;
    let ids = req.without_units.len() + req.without_partnerships.len();
    if ids == 0 {
        // As the CLI: a what-if that withdraws nothing is a mistake, not a question.
        return Err(AppError::invalid_body(
            "whatif",
            Some("without_units".into()),
            "say what to withdraw: without_units and/or without_partnerships".into(),
        ));
    }
    if ids > MAX_WHATIF_IDS {
        return Err(AppError::invalid_body(
            "whatif",
            Some("without_units".into()),
            format!("at most {MAX_WHATIF_IDS} ids may be removed at once, got {ids}"),
        ));
    }
    let snap = state.snapshot();
    let scope = caller.read_scope(&snap.engine, req.scope.as_deref())?;
    // 403 for any id the caller may not see, whether or not it exists; only then 404.
    for u in &req.without_units {
        caller.require_visible(&snap.engine, u)?;
    }
    for id in &req.without_partnerships {
        caller.require_inside(&snap.engine, id)?;
    }
    let as_of = AsOf::or_today(req.as_of);
    let what = dangjian_engine::WhatIf {
        without_units: req.without_units,
        without_partnerships: req.without_partnerships,
    };
    let caller2 = caller.clone();
    let bytes = heavy
        .run(&caller, move |_| {
            let doc = snap.engine.whatif(&what, &scope, as_of)?;
            serialise(&doc, &caller2, &snap)
        })
        .await?;
    Ok(json_bytes(bytes))
}

/// Broker units of a scope by betweenness centrality.
#[utoipa::path(get, path = "/api/v1/brokers", tag = "analytics", params(BrokersQuery),
    responses((status = 200, description = "The brokers document", body = Object), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn brokers(read: ScopedRead<BrokersQuery>) -> Result<Response, AppError> {
    let limit = read.query.limit.map_or(20, |l| l.0);
    read.document("brokers", format!("|{limit}"), move |e, s, d, c| {
        e.brokers_until(s, d, limit, c)
    })
    .await
}

/// Areas (片区) of a scope: clusters of committees.
#[utoipa::path(get, path = "/api/v1/areas", tag = "analytics", params(ScopeQuery),
    responses((status = 200, description = "The areas document", body = Object), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn areas(read: ScopedRead<ScopeQuery>) -> Result<Response, AppError> {
    read.document("areas", String::new(), |e, s, d, c| e.areas_until(s, d, c))
        .await
}

/// The error body, for the OpenAPI document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// `{"code", "message", "details"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `invalid`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `payload_too_large`, `busy` (503, with `Retry-After`) or `internal`.
    pub code: String,
    pub message: String,
    /// For `invalid`: the problems, each with table, location, id and field.
    #[schema(value_type = Vec<Object>)]
    pub details: Vec<serde_json::Value>,
}
