//! Personal data in every output (SPEC §6 "Rules (v2)"): for viewers, every full person name
//! of the network (members, party-org secretaries, hence `first_responsible`) is rewritten to
//! surname + `*` in the bytes of every text response (JSON, CSV, DOT, SVG, error bodies) by
//! one middleware, and in the strings of binary outputs (XLSX cells, the DOT a PNG is drawn
//! from) before they are written. Structural masking (no birth year, no employer) happens in
//! [`crate::access::Caller::row`]; this layer is the net under it that no route can forget.
//! The same middleware keeps 422 bodies for confined callers from saying what holds an id.

use crate::access::Caller;
use crate::state::AppState;
use aho_corasick::{AhoCorasick, MatchKind};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use dangjian_engine::Engine;
use dangjian_model::{Member, PartyOrg, Table};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, Weak};

/// Largest text body the middleware rewrites; a larger one is refused (500) rather than sent
/// unmasked.
const MAX_MASKED_BODY: usize = 512 * 1024 * 1024;

/// Every full person name of one network version, with its masked form.
pub struct NameMask {
    ac: Option<AhoCorasick>,
    masked: Vec<String>,
}

/// The masked form of a name (the one rule, in `dangjian-model`).
pub use dangjian_model::mask_name;

impl NameMask {
    /// Index the names of an engine's network: members' names and secretaries'. Names of one
    /// character are left alone (they are their own surname).
    pub fn build(engine: &Engine) -> NameMask {
        let b = engine.bundle();
        let mut seen: HashSet<&str> = HashSet::new();
        let names: Vec<&str> = b
            .members
            .iter()
            .map(|m| m.name.as_str())
            .chain(b.party_orgs.iter().map(|o| o.secretary.as_str()))
            .map(str::trim)
            .filter(|n| n.chars().count() >= 2 && seen.insert(n))
            .collect();
        // Each name as it stands in the text of every output: raw, and escaped as JSON, CSV,
        // DOT (quoted and HTML-like labels) and GraphML/GEXF escape it — with those writers'
        // own functions — when it holds a quote, a tab or the like.
        let mut patterns: Vec<String> = Vec::with_capacity(names.len());
        let mut masked: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            let short = mask_name(name);
            patterns.push(name.to_string());
            masked.push(short.clone());
            let escapes: [fn(&str) -> String; 5] = [
                json_escaped,
                csv_escaped,
                dangjian_visualizations::escape_quoted,
                dangjian_visualizations::escape_html,
                dangjian_visualizations::graph::xml_text,
            ];
            for escape in escapes {
                let (n, m) = (escape(name), escape(&short));
                if n != name && !patterns.contains(&n) {
                    patterns.push(n);
                    masked.push(m);
                }
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok();
        NameMask { ac, masked }
    }

    /// Rewrite every full name in `text`.
    pub fn mask_str(&self, text: &str) -> String {
        match &self.ac {
            Some(ac) => ac.replace_all(text, &self.masked),
            None => text.to_string(),
        }
    }

    /// Rewrite every full name in UTF-8 bytes.
    pub fn mask_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        match &self.ac {
            Some(ac) => ac.replace_all_bytes(bytes, &self.masked),
            None => bytes.to_vec(),
        }
    }
}

/// A string as it stands inside a JSON string literal.
fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

/// A string as it stands in a quoted CSV field.
fn csv_escaped(s: &str) -> String {
    s.replace('"', "\"\"")
}

/// An error body for a viewer: every value it quotes (between backticks) that holds anything
/// but ASCII is cut to its first character and `*`, whether or not it is a name of the
/// network. Errors quote what the caller sent; masking only real names there would tell a
/// viewer which guesses are names (`as_of=高莉洋` → `高*`, `高莉莉` unchanged).
pub fn mask_echoes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 && !part.is_ascii() {
            out.push_str(&mask_name(part));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The name index of the engine most recently asked for (one network version at a time), with
/// a fingerprint of the names it holds.
static CURRENT: Mutex<Option<Indexed>> = Mutex::new(None);

/// An engine (weakly held), the fingerprint of its names, their index, and the tables the
/// names came from (copy-on-write: a later version that still shares both has the same names).
type Indexed = (
    Weak<Engine>,
    u64,
    Arc<NameMask>,
    Table<Member>,
    Table<PartyOrg>,
);

/// A fingerprint of every person name of a network: a row write that touches no name (most
/// do: volunteering, needs, resources, partnerships) keeps the index of the previous version
/// instead of building it again (seconds at Shanghai scale).
fn names_fingerprint(engine: &Engine) -> u64 {
    use std::hash::{Hash, Hasher};
    let b = engine.bundle();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    b.members.len().hash(&mut h);
    for m in &b.members {
        m.name.hash(&mut h);
    }
    for o in &b.party_orgs {
        o.secretary.hash(&mut h);
    }
    h.finish()
}

/// The name index of an engine, built once per network version (CPU-bound on first use: call
/// it on a blocking thread).
pub fn names_of(engine: &Arc<Engine>) -> Arc<NameMask> {
    let mut current = match CURRENT.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    let b = engine.bundle();
    if let Some((weak, _, mask, members, orgs)) = current.as_mut() {
        if weak.upgrade().is_some_and(|e| Arc::ptr_eq(&e, engine)) {
            return mask.clone();
        }
        // A version after a write that touched neither table: no need to hash every name.
        if Table::ptr_eq(members, &b.members) && Table::ptr_eq(orgs, &b.party_orgs) {
            *weak = Arc::downgrade(engine);
            return mask.clone();
        }
    }
    let fingerprint = names_fingerprint(engine);
    let mask = match current.as_ref() {
        Some((_, f, mask, _, _)) if *f == fingerprint => mask.clone(),
        _ => Arc::new(NameMask::build(engine)),
    };
    *current = Some((
        Arc::downgrade(engine),
        fingerprint,
        mask.clone(),
        b.members.clone(),
        b.party_orgs.clone(),
    ));
    mask
}

fn is_text(res: &Response) -> bool {
    let Some(ct) = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    ["json", "text/", "svg", "graphviz", "xml"]
        .iter()
        .any(|t| ct.contains(t))
}

/// Middleware on `/api/v1`: resolve the caller once (handlers reuse it), and for viewers
/// rewrite every full person name in text responses, errors included.
pub async fn mask_for_viewers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let caller = <Caller as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    .ok();
    if let Some(c) = &caller {
        parts.extensions.insert(c.clone());
    }
    let res = next.run(Request::from_parts(parts, body)).await;
    if res.status() == axum::http::StatusCode::UNPROCESSABLE_ENTITY
        && caller.as_ref().is_some_and(|c| c.restriction().is_some())
    {
        return scrub_invalid(res).await;
    }
    if caller.is_none_or(|c| c.sees_personal_data()) || !is_text(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_MASKED_BODY).await {
        Ok(b) => b,
        Err(e) => {
            return crate::error::AppError::Internal(format!("masking a response: {e}"))
                .into_response();
        }
    };
    let engine = state.snapshot().engine.clone();
    let error = parts.status.is_client_error() || parts.status.is_server_error();
    let masked = match tokio::task::spawn_blocking(move || {
        let names = names_of(&engine);
        match std::str::from_utf8(&bytes) {
            Ok(text) if error => names.mask_bytes(mask_echoes(text).as_bytes()),
            _ => names.mask_bytes(&bytes),
        }
    })
    .await
    {
        Ok(m) => m,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(masked))
}

/// A 422 body for a confined caller: no problem says what holds an id.
async fn scrub_invalid(res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MASKED_BODY).await else {
        return crate::error::AppError::Internal("reading a 422 body".into()).into_response();
    };
    let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    if let Some(details) = doc["error"]["details"].as_array_mut() {
        for d in details {
            if let Some(serde_json::Value::String(m)) = d.get_mut("message") {
                *m = crate::access::scrub_message(m);
            }
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&doc).unwrap_or_else(|_| bytes.to_vec());
    Response::from_parts(parts, axum::body::Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_to_the_surname_longest_first() {
        let engine = Engine::new(
            serde_json::from_value(serde_json::json!({
                "members": [
                    {"id": "A1", "name": "欧阳修", "birth_year": 1990, "skills": []},
                    {"id": "A2", "name": "欧阳", "birth_year": 1991, "skills": []},
                    {"id": "A3", "name": "王", "birth_year": 1992, "skills": []}
                ]
            }))
            .expect("bundle"),
        );
        let m = NameMask::build(&engine);
        assert_eq!(
            m.mask_str("书记 欧阳修，委员 欧阳；王老师"),
            "书记 欧*，委员 欧*；王老师"
        );
        assert_eq!(m.mask_bytes("\"欧阳修\"".as_bytes()), "\"欧*\"".as_bytes());
    }

    #[test]
    fn escaped_names_are_masked_too() {
        let engine = Engine::new(
            serde_json::from_value(serde_json::json!({
                "members": [
                    {"id": "A1", "name": "龚\t伟泽", "birth_year": 1990, "skills": []},
                    {"id": "A2", "name": "高\"莉", "birth_year": 1991, "skills": []}
                ]
            }))
            .expect("bundle"),
        );
        let m = NameMask::build(&engine);
        let json = serde_json::json!({"a": "龚\t伟泽", "b": "高\"莉"}).to_string();
        assert_eq!(m.mask_str(&json), r#"{"a":"龚*","b":"高*"}"#);
        assert_eq!(
            m.mask_str("<t a=\"高&quot;莉\"/>,\"高\"\"莉\""),
            "<t a=\"高*\"/>,\"高*\""
        );
    }

    #[test]
    fn echoed_values_are_masked_alike_names_or_not() {
        assert_eq!(
            mask_echoes("`as_of` must be a date, got `高莉洋`; `S-JLT` `高莉莉,高伟`"),
            "`as_of` must be a date, got `高*`; `S-JLT` `高*`"
        );
    }
}
