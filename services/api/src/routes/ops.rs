//! Operational endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document and a
//! self-contained docs page (no remote assets: the service may run offline).

use crate::error::AppError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

/// Liveness: the process answers.
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the store answers and the engine is built. Anyone may ask, so the store is
/// named by its kind only (`sqlite`, `neo4j`): never the database file's path or the server's
/// URI (the service logs those when it starts).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let snap = state.snapshot();
    let rows = snap.bundle().row_count();
    if state.store_ready().await {
        let described = state.store().describe();
        let store = store_kind(&described);
        Json(json!({"status": "ready", "store": store, "rows": rows})).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "reason": "the store does not answer"})),
        )
            .into_response()
    }
}

/// The kind of a store from its description (`sqlite:/path/to.db` → `sqlite`).
pub fn store_kind(describe: &str) -> &str {
    describe.split(':').next().unwrap_or("")
}

/// Prometheus text format.
pub async fn metrics() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::render(),
    )
        .into_response()
}

/// The OpenAPI 3 document.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// 404 for unknown paths, in the error format.
pub async fn not_found() -> AppError {
    AppError::NotFound("no such endpoint; see /api/v1/openapi.json".into())
}

/// A browsable list of the endpoints, rendered in the page from the OpenAPI document.
pub async fn docs_page() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>党建图谱 API</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;max-width:70em}
.op{border:1px solid #ccc;border-radius:4px;margin:.5em 0;padding:.5em}
.m{display:inline-block;min-width:4.5em;font-weight:bold;text-transform:uppercase}
.get{color:#1a7f37}.post{color:#0550ae}.patch{color:#9a6700}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
details{margin-top:.3em}
</style></head><body>
<h1>党建图谱 Dangjian Graph API</h1>
<p>Every <code>/api/v1</code> request except the OpenAPI document needs
<code>Authorization: Bearer &lt;token&gt;</code> (create one with
<code>dangjian token create --role admin</code>). Machine-readable document:
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script>
fetch('/api/v1/openapi.json').then(r=>r.json()).then(doc=>{
  const root=document.getElementById('ops'); root.textContent='';
  const esc=s=>String(s??'').replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  for(const [path,item] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(item)){
      const params=(op.parameters||[]).map(p=>`<tr><td>${esc(p.name)}</td><td>${esc(p.in)}</td><td>${p.required?'yes':''}</td><td>${esc(p.description)}</td></tr>`).join('');
      const codes=Object.entries(op.responses||{}).map(([c,r])=>`${esc(c)} ${esc(r.description)}`).join('; ');
      const div=document.createElement('div'); div.className='op';
      div.innerHTML=`<span class="m ${method}">${method}</span> <code>${esc(path)}</code> — ${esc(op.summary||op.description||'')}
        <details><summary>details</summary>${params?`<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>${params}</table>`:''}<p>Responses: ${codes}</p></details>`;
      root.appendChild(div);
    }
  }
}).catch(e=>{document.getElementById('ops').textContent='Cannot load the OpenAPI document: '+e;});
</script></body></html>"#;
