//! The leak matrix for writes (SPEC §6 "Rules (v2)", docs/access.md, docs/writes.md): every
//! POST and PATCH route of the served OpenAPI document × role (admin, coordinator of one
//! street, unscoped viewer, coordinator of the district that holds that street, viewer scoped
//! to the street), with the path id and every id a body names set inside the caller's scope,
//! outside it and nowhere (one at a time, and mixed in batches), ids of new rows fresh, stored
//! inside, or stored outside, and bodies that are malformed (a wrong type, an unknown field, a
//! bad date, no JSON at all, a file that is none) so the error paths run too.
//!
//! What must hold, computed from the bundle by `leaks::Truth` and not by the service:
//! - a viewer's write is 403, and no viewer response holds a full person name or a birth year;
//! - a scoped caller naming anything outside its view, or an id that exists nowhere, gets 403
//!   (a well-formed body), and no scoped caller's response, success or error, names an id or a
//!   name outside its scope that it did not send — with the one exception docs/access.md
//!   makes: a partnership into the scope may name a unit from anywhere, which then touches the
//!   scope (`touches_by`); naming a unit that does not exist there is invalid for everyone;
//! - a refused request changes nothing: the admin's change log does not move (nor after a
//!   POST that only reads, like the what-if);
//! - the admin's valid writes succeed, inside the street and outside it alike.
//!
//! The routes, their parameters and the shape of their bodies come from the OpenAPI document
//! and the bundle: a row route is filled from a row of its table (found by the route's path),
//! a body with a schema from the schema's properties; a route or a parameter this file cannot
//! fill fails the test. Roles run viewers first and the admin last, so that every write that
//! succeeds stays inside the scopes of the roles still to run (what is outside them is what
//! `Truth` computed from the bundle).

use crate::helpers::*;
use crate::leaks::{
    AS_OF, Kind, MINE, NOWHERE, OTHER, Truth, five_roles, has_id, names_entity, text_of,
};
use dangjian_api::ServeConfig;
use dangjian_model::Bundle;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const JSON: &str = "application/json";
const ZIP: &str = "application/zip";
/// Not a date: the 30th of February.
const BAD_DATE: &str = "2025-02-30";
const NOT_JSON: &str = "{\"id\": ";

/// What a request's body and headers are, beside the ids they name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Well-formed, and valid wherever its ids are in view and exist.
    Valid,
    /// A wrong type, an unknown field, a bad date, no JSON, a file that is none, a bad query.
    Malformed,
    /// A create of an id that is stored already.
    Taken,
    /// `If-Match` that is no ETag.
    BadHeader,
    /// `If-Match` naming a version the row is not at.
    Stale,
    /// A change of a row in view that names something out of view (an employer elsewhere):
    /// the caller may or may not write it (403), but no answer names what lies outside.
    Leaning,
}

/// One request of the matrix.
struct WriteCase {
    method: Method,
    url: String,
    content_type: &'static str,
    if_match: Option<String>,
    body: Vec<u8>,
    /// The ids and names it sends, as text (a file's rows as JSON): an error may repeat them.
    sent: String,
    /// The worst kind of id it names (a fresh id for a new row counts as in view).
    kind: Kind,
    shape: Shape,
    /// Only admins may send it at all (a JSON import).
    admin_only: bool,
    what: String,
}

/// The network as JSON tables, and what each id names (`member`, `committee`, …).
struct Net {
    tables: Map<String, Value>,
    kind_of: HashMap<String, String>,
}

/// `communities` → `community`, `party_orgs` → `party_org`.
fn singular(table: &str) -> String {
    match table.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => table.trim_end_matches('s').to_string(),
    }
}

impl Net {
    fn new(bundle: &Bundle) -> Net {
        let Value::Object(tables) = serde_json::to_value(bundle).expect("bundle as JSON") else {
            panic!("a bundle is a JSON object");
        };
        let mut kind_of = HashMap::new();
        for (table, rows) in &tables {
            for row in rows.as_array().into_iter().flatten() {
                if let Some(id) = row["id"].as_str() {
                    kind_of.insert(id.to_string(), singular(table));
                }
            }
        }
        Net { tables, kind_of }
    }

    /// The table a route's collection segment (`party-orgs`) names, if it is one.
    fn table_of(&self, segment: &str) -> Option<String> {
        let t = segment.replace('-', "_");
        self.tables
            .get(&t)
            .is_some_and(Value::is_array)
            .then_some(t)
    }

    fn rows(&self, table: &str) -> &[Value] {
        self.tables[table].as_array().expect("a table")
    }

    /// The fields of a row that name other entities (not its own id): field and kind. A list
    /// field names entities when every element is an id of one kind.
    fn refs(&self, row: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (field, v) in row.as_object().expect("a row").iter() {
            if field == "id" {
                continue;
            }
            let kind = match v {
                Value::String(s) => self.kind_of.get(s).cloned(),
                Value::Array(items) if !items.is_empty() => {
                    let kinds: Vec<Option<&String>> = items
                        .iter()
                        .map(|x| x.as_str().and_then(|s| self.kind_of.get(s)))
                        .collect();
                    kinds[0]
                        .filter(|k| kinds.iter().all(|x| *x == Some(*k)))
                        .cloned()
                }
                _ => None,
            };
            if let Some(kind) = kind {
                out.push((field.clone(), kind));
            }
        }
        out
    }

    /// The row of `table` that best serves as a template in `truth`'s scope: it and every
    /// entity it names lie inside (most names first: an empty list names nothing).
    fn template(&self, truth: &Truth, table: &str) -> Value {
        let ids_of = |row: &Value| -> Vec<String> {
            let mut ids: Vec<String> = row["id"].as_str().map(str::to_string).into_iter().collect();
            for (field, _) in self.refs(row) {
                match &row[&field] {
                    Value::Array(items) => {
                        ids.extend(items.iter().filter_map(|x| x.as_str().map(str::to_string)))
                    }
                    v => ids.extend(v.as_str().map(str::to_string)),
                }
            }
            ids
        };
        self.rows(table)
            .iter()
            .filter(|r| ids_of(r).iter().all(|id| truth.inside(id)))
            .max_by_key(|r| (self.refs(r).len(), std::cmp::Reverse(ids_of(r))))
            .cloned()
            .unwrap_or_else(|| panic!("no {table} row lies wholly inside {}", truth.scope))
    }
}

impl Net {
    /// The first row of `table` in view that names something in `outside` (a member
    /// registered inside, employed by a unit the scope does not see).
    fn leaning_out(&self, truth: &Truth, table: &str, outside: &[String]) -> Option<Value> {
        self.rows(table)
            .iter()
            .find(|r| {
                r["id"].as_str().is_some_and(|id| truth.inside(id))
                    && self.refs(r).iter().any(|(f, _)| match &r[f] {
                        Value::Array(items) => items
                            .iter()
                            .any(|x| x.as_str().is_some_and(|x| outside.iter().any(|o| o == x))),
                        v => v.as_str().is_some_and(|x| outside.iter().any(|o| o == x)),
                    })
            })
            .cloned()
    }
}

/// The fields of a row that name nothing (not its id, not a field naming an entity).
fn plain_fields(net: &Net, row: &Value) -> Value {
    let mut plain = row.as_object().expect("a row").clone();
    plain.remove("id");
    for (field, _) in net.refs(row) {
        plain.remove(&field);
    }
    Value::Object(plain)
}

/// The first date-valued field of a row.
fn date_field(row: &Value) -> Option<String> {
    row.as_object()?.iter().find_map(|(k, v)| {
        v.as_str()
            .filter(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
            .map(|_| k.clone())
    })
}

/// A value of the wrong type for `v`.
fn wrong_type(v: &Value) -> Value {
    match v {
        Value::String(_) => json!(12345),
        _ => json!("not-a-number"),
    }
}

/// In-view, out-of-view and non-existent ids of what a field names.
fn values_for(truth: &Truth, kind: &str) -> Vec<(String, Kind)> {
    let (inside, outside) = truth.ids_for(kind).unwrap_or_else(|| {
        panic!("the write matrix cannot fill a field naming a `{kind}`: teach Truth::ids_for")
    });
    let mut out = vec![(inside, Kind::In)];
    out.extend(outside.map(|o| (o, Kind::Out)));
    out.push((NOWHERE.to_string(), Kind::Nowhere));
    out
}

/// Whether a field of a row makes the entity it names touch the scope of the row, so that a
/// coordinator may name one from outside (docs/access.md, "Touching": a unit with a
/// partnership into the subtree). Such a field's outside id is in view once written, and one
/// that exists nowhere is invalid for everyone alike.
fn touches_by(table: &str, field: &str) -> bool {
    table == "partnerships" && field == "unit"
}

/// [`values_for`] a field of a row of `table`, with the shape each value gives the row. The
/// outside id of a field that makes what it names touch the scope is the last one outside (not
/// the first, which the other fields name): once written, it is in view.
fn field_values(
    truth: &Truth,
    net: &Net,
    table: &str,
    field: &str,
    kind: &str,
) -> Vec<(String, Kind, Shape)> {
    let touching = touches_by(table, field);
    let last_outside = || {
        truth
            .outside_ids()
            .iter()
            .rev()
            .find(|id| net.kind_of.get(id.as_str()).is_some_and(|k| k == kind))
            .map(|id| id.to_string())
            .unwrap_or_else(|| panic!("no {kind} outside {}", truth.scope))
    };
    values_for(truth, kind)
        .into_iter()
        .map(|(id, k)| match k {
            Kind::Out if touching => (last_outside(), Kind::In, Shape::Valid),
            Kind::Nowhere if touching => (id, Kind::In, Shape::Malformed),
            k => (id, k, Shape::Valid),
        })
        .collect()
}

/// The ids a request's rows (`sent`: rows of `table`, or a bundle) make touch their scope once
/// written ([`touches_by`]).
fn touches_of(table: Option<&str>, sent: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Value>(sent) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut add = |t: &str, rows: &Value| match rows {
        Value::Array(items) => items.iter().for_each(|r| out.extend(touched(t, r))),
        row => out.extend(touched(t, row)),
    };
    match (table, &v) {
        (Some(t), _) => add(t, &v),
        (None, Value::Object(tables)) => tables.iter().for_each(|(t, rows)| add(t, rows)),
        _ => {}
    }
    out
}

/// The ids a row makes touch its scope once written ([`touches_by`]).
fn touched(table: &str, row: &Value) -> Vec<String> {
    row.as_object()
        .into_iter()
        .flatten()
        .filter(|(f, _)| touches_by(table, f))
        .filter_map(|(_, v)| v.as_str().map(str::to_string))
        .collect()
}

fn set(row: &Value, field: &str, value: Value) -> Value {
    let mut row = row.clone();
    row[field] = value;
    row
}

/// A value for a field that names entities: the id, in a list where the row holds a list.
fn naming(template: &Value, field: &str, id: &str) -> Value {
    if template[field].is_array() {
        json!([id])
    } else {
        json!(id)
    }
}

/// Whose id a created row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdUse {
    /// A new id (or none: the table has no ids).
    Fresh,
    /// The id of a stored row of the same table.
    Same,
    /// The id of a stored row of another table.
    Other,
}

/// A row to create (on its own, in a batch, or in a file).
struct RowVariant {
    row: Value,
    kind: Kind,
    shape: Shape,
    id_use: IdUse,
    what: String,
}

/// The rows to create in `table` for a caller of `truth`'s scope: the template with a fresh
/// id; each field naming an entity set in view, out of view and nowhere; the ids of stored
/// rows inside and outside (this table's and another's); a wrong type, an unknown field and a
/// bad date.
fn row_variants(truth: &Truth, net: &Net, table: &str, fresh: &mut usize) -> Vec<RowVariant> {
    let template = net.template(truth, table);
    let with_id = template.get("id").is_some();
    let mut new_row = |row: &Value| {
        if with_id {
            *fresh += 1;
            set(row, "id", json!(format!("LW-{fresh}")))
        } else {
            row.clone()
        }
    };
    let v = |row, kind, shape, id_use, what: String| RowVariant {
        row,
        kind,
        shape,
        id_use,
        what,
    };
    let mut out = vec![v(
        new_row(&template),
        Kind::In,
        Shape::Valid,
        IdUse::Fresh,
        "a new row in view".into(),
    )];
    for (field, kind) in net.refs(&template) {
        for (id, k, shape) in field_values(truth, net, table, &field, &kind) {
            out.push(v(
                new_row(&set(&template, &field, naming(&template, &field, &id))),
                k,
                shape,
                IdUse::Fresh,
                format!("{field} = {id} ({k:?})"),
            ));
        }
    }
    if with_id {
        out.push(v(
            template.clone(),
            Kind::In,
            Shape::Taken,
            IdUse::Same,
            "the id of a stored row in view".into(),
        ));
        if let Some((_, Some(outside))) = truth.ids_for(&singular(table)) {
            out.push(v(
                set(&template, "id", json!(outside)),
                Kind::Out,
                Shape::Taken,
                IdUse::Same,
                format!("the id of a stored row out of view ({outside})"),
            ));
        }
        let other = if table == "committees" {
            "community"
        } else {
            "committee"
        };
        if let Some((_, Some(outside))) = truth.ids_for(other) {
            out.push(v(
                set(&template, "id", json!(outside)),
                Kind::Out,
                Shape::Taken,
                IdUse::Other,
                format!("the id of a {other} out of view ({outside})"),
            ));
        }
    }
    let first = template
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| *k != "id"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .expect("a row with a field");
    let mut malformed = vec![
        (
            set(&template, &first.0, wrong_type(&first.1)),
            format!("{} of the wrong type", first.0),
        ),
        (
            set(&template, "no_such_field", json!(1)),
            "an unknown field".to_string(),
        ),
    ];
    if let Some(d) = date_field(&template) {
        malformed.push((
            set(&template, &d, json!(BAD_DATE)),
            format!("{d} = {BAD_DATE}"),
        ));
    }
    for (row, what) in malformed {
        out.push(v(
            new_row(&row),
            Kind::In,
            Shape::Malformed,
            IdUse::Fresh,
            what,
        ));
    }
    out
}

/// The text of what a request sends, for the leak checks: an error may repeat it.
fn sent_text(v: &Value) -> String {
    v.to_string()
}

fn json_case(
    method: Method,
    url: &str,
    body: &Value,
    kind: Kind,
    shape: Shape,
    what: String,
) -> WriteCase {
    WriteCase {
        method,
        url: url.to_string(),
        content_type: JSON,
        if_match: None,
        body: body.to_string().into_bytes(),
        sent: sent_text(body),
        kind,
        shape,
        admin_only: false,
        what,
    }
}

fn raw_case(method: Method, url: &str, content_type: &'static str, body: &[u8]) -> WriteCase {
    WriteCase {
        method,
        url: url.to_string(),
        content_type,
        if_match: None,
        body: body.to_vec(),
        sent: String::from_utf8_lossy(body).into_owned(),
        kind: Kind::In,
        shape: Shape::Malformed,
        admin_only: false,
        what: format!("a {content_type} body that is none"),
    }
}

/// `POST /api/v1/{table}`: each row variant on its own, and batches (in view; one row out of
/// view or nowhere beside one in view; one malformed row; none).
fn create_cases(
    truth: &Truth,
    net: &Net,
    path: &str,
    table: &str,
    fresh: &mut usize,
) -> Vec<WriteCase> {
    let variants = row_variants(truth, net, table, fresh);
    let mut out: Vec<WriteCase> = variants
        .iter()
        .map(|v| json_case(Method::POST, path, &v.row, v.kind, v.shape, v.what.clone()))
        .collect();
    // Each batch of new rows, so that one the admin stored does not make the next a conflict.
    let batch = |fresh: &mut usize, pick: &dyn Fn(&RowVariant) -> bool| {
        let rows = row_variants(truth, net, table, fresh);
        let second = rows
            .iter()
            .find(|v| pick(v))
            .expect("a variant")
            .row
            .clone();
        (rows[0].row.clone(), second)
    };
    let (a, b) = batch(fresh, &|v| {
        v.id_use == IdUse::Fresh
            && v.shape == Shape::Valid
            && v.kind == Kind::In
            && v.what != "a new row in view"
    });
    out.push(json_case(
        Method::POST,
        path,
        &json!([a, b]),
        Kind::In,
        Shape::Valid,
        "a batch of two new rows in view".into(),
    ));
    let mixed: Vec<(String, Kind)> = variants
        .iter()
        .filter(|v| v.shape == Shape::Valid && v.kind != Kind::In && v.id_use == IdUse::Fresh)
        .map(|v| (v.what.clone(), v.kind))
        .collect();
    for (what, kind) in mixed {
        let (a, b) = batch(fresh, &|v| v.what == what);
        out.push(json_case(
            Method::POST,
            path,
            &json!([a, b]),
            kind,
            Shape::Valid,
            format!("a batch: one new row in view, one with {what}"),
        ));
    }
    let (a, bad) = batch(fresh, &|v| v.shape == Shape::Malformed);
    out.push(json_case(
        Method::POST,
        path,
        &json!([a, bad]),
        Kind::In,
        Shape::Malformed,
        "a batch with one malformed row".into(),
    ));
    out.push(json_case(
        Method::POST,
        path,
        &json!([]),
        Kind::In,
        Shape::Malformed,
        "an empty batch".into(),
    ));
    out.push(raw_case(Method::POST, path, JSON, NOT_JSON.as_bytes()));
    out
}

/// `PATCH /api/v1/{table}/{id}`: the path id in view, out of view and nowhere with the plain
/// fields of the row in view; in view, the whole row, each field naming an entity set in view,
/// out of view and nowhere, malformed changes, and a bad or stale `If-Match` (in view and out).
fn patch_cases(
    truth: &Truth,
    net: &Net,
    path: &str,
    table: &str,
    kind: &str,
    if_match: bool,
    outside_ids: &[String],
) -> Vec<WriteCase> {
    let template = net.template(truth, table);
    let id = template["id"]
        .as_str()
        .unwrap_or_else(|| panic!("PATCH {path}: {table} rows have no id"))
        .to_string();
    let (_, outside) = truth
        .ids_for(kind)
        .unwrap_or_else(|| panic!("PATCH {path}: no ids for `{kind}`"));
    let outside = outside.unwrap_or_else(|| panic!("PATCH {path}: no {kind} outside"));
    let refs = net.refs(&template);
    let plain = plain_fields(net, &template);
    let mut whole = template.clone();
    whole.as_object_mut().expect("a row").remove("id");
    let url = |id: &str| path.replace("{id}", id);
    let mut out = Vec::new();
    for (id, k) in [
        (id.as_str(), Kind::In),
        (outside.as_str(), Kind::Out),
        (NOWHERE, Kind::Nowhere),
    ] {
        out.push(json_case(
            Method::PATCH,
            &url(id),
            &plain,
            k,
            Shape::Valid,
            "the plain fields of the row in view".into(),
        ));
    }
    let mine = url(&id);
    if let Some(row) = net.leaning_out(truth, table, outside_ids) {
        let id = row["id"].as_str().expect("an id");
        out.push(json_case(
            Method::PATCH,
            &url(id),
            &plain_fields(net, &row),
            Kind::In,
            Shape::Leaning,
            "its own plain fields, of a row in view naming something out of view".into(),
        ));
    }
    out.push(json_case(
        Method::PATCH,
        &mine,
        &whole,
        Kind::In,
        Shape::Valid,
        "the whole row".into(),
    ));
    for (field, k) in &refs {
        for (v, kind, shape) in field_values(truth, net, table, field, k) {
            out.push(json_case(
                Method::PATCH,
                &mine,
                &json!({ field: naming(&template, field, &v) }),
                kind,
                shape,
                format!("{field} = {v} ({kind:?})"),
            ));
        }
    }
    let first = plain
        .as_object()
        .and_then(|m| m.iter().next())
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap_or_else(|| panic!("PATCH {path}: {table} rows have no plain field"));
    let mut malformed = vec![
        json!({ first.0.clone(): wrong_type(&first.1) }),
        json!({"no_such_field": 1}),
        json!({"id": "LW-another-id"}),
    ];
    if let Some(d) = date_field(&template) {
        malformed.push(json!({ d: BAD_DATE }));
    }
    for body in malformed {
        out.push(json_case(
            Method::PATCH,
            &mine,
            &body,
            Kind::In,
            Shape::Malformed,
            "a malformed change".into(),
        ));
    }
    out.push(json_case(
        Method::PATCH,
        &url(&outside),
        &json!({ first.0.clone(): wrong_type(&first.1) }),
        Kind::Out,
        Shape::Malformed,
        "a malformed change of a row out of view".into(),
    ));
    out.push(raw_case(Method::PATCH, &mine, JSON, NOT_JSON.as_bytes()));
    if if_match {
        for (target, k, tag, shape) in [
            (&mine, Kind::In, "not-an-etag", Shape::BadHeader),
            (&mine, Kind::In, "\"999999999\"", Shape::Stale),
            (&url(&outside), Kind::Out, "\"999999999\"", Shape::Stale),
        ] {
            let mut c = json_case(
                Method::PATCH,
                target,
                &plain,
                k,
                shape,
                format!("If-Match {tag}"),
            );
            c.if_match = Some(tag.to_string());
            out.push(c);
        }
    }
    out
}

/// A body described by a schema (`POST /whatif`): every property naming entities in view,
/// then each alone out of view and nowhere; a wrong type, an unknown field, a bad date.
fn schema_cases(truth: &Truth, path: &str, schema: &Value) -> Vec<WriteCase> {
    let props = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("POST {path}: a body schema without properties: {schema}"));
    // (property, kind, list) naming entities; (property, value) plain.
    let mut entity: Vec<(String, String, bool)> = Vec::new();
    let mut plain: Vec<(String, Value)> = Vec::new();
    for (name, p) in props {
        let list = p["type"] == "array";
        let stem = name.strip_prefix("without_").unwrap_or(name);
        let kind = names_entity(path, stem).map(str::to_string).or_else(|| {
            let k = singular(stem);
            truth.ids_for(&k).map(|_| k)
        });
        if let Some(kind) = kind {
            entity.push((name.clone(), kind, list));
        } else if name == "as_of" {
            plain.push((name.clone(), json!(AS_OF)));
        } else {
            panic!("the write matrix cannot fill property `{name}` of POST {path}");
        }
    }
    let value = |id: &str, list: bool| if list { json!([id]) } else { json!(id) };
    let mut base = Map::new();
    for (name, kind, list) in &entity {
        base.insert(name.clone(), value(&values_for(truth, kind)[0].0, *list));
    }
    for (name, v) in &plain {
        base.insert(name.clone(), v.clone());
    }
    let base = Value::Object(base);
    let mut out = vec![json_case(
        Method::POST,
        path,
        &base,
        Kind::In,
        Shape::Valid,
        "every id in view".into(),
    )];
    for (name, kind, list) in &entity {
        for (id, k) in values_for(truth, kind).into_iter().skip(1) {
            out.push(json_case(
                Method::POST,
                path,
                &set(&base, name, value(&id, *list)),
                k,
                Shape::Valid,
                format!("{name} = {id} ({k:?})"),
            ));
        }
    }
    let (first, _, _) = entity
        .first()
        .unwrap_or_else(|| panic!("POST {path}: no property names an entity"));
    let mut malformed = vec![
        set(&base, first, json!(5)),
        set(&base, "no_such_field", json!(1)),
    ];
    for (name, _) in &plain {
        malformed.push(set(&base, name, json!(BAD_DATE)));
    }
    for body in malformed {
        out.push(json_case(
            Method::POST,
            path,
            &body,
            Kind::In,
            Shape::Malformed,
            "a malformed body".into(),
        ));
    }
    out.push(raw_case(Method::POST, path, JSON, NOT_JSON.as_bytes()));
    out
}

/// A bundle of `rows` of `table`, as JSON.
fn bundle_json(table: &str, rows: &[&Value]) -> Value {
    json!({ table: rows })
}

/// The workbook the bundle writer makes of one table's rows.
fn workbook_of(bundle: &Bundle) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("w.xlsx");
    dangjian_bundle_io::write_xlsx(bundle, &path).expect("write workbook");
    std::fs::read(&path).expect("read workbook")
}

/// A zip of the CSV files the bundle writer makes.
fn csv_zip_of(bundle: &Bundle) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("dir");
    dangjian_bundle_io::write_csv_dir(bundle, dir.path()).expect("write CSV files");
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("CSV dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        z.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        z.write_all(&std::fs::read(&f).expect("CSV file"))
            .expect("zip write");
    }
    z.finish().expect("zip");
    out.into_inner()
}

/// `POST /api/v1/import`: for every table rows are created in, each row variant uploaded as
/// a workbook (merged; a stored id is an update, so the same table's stored ids are plain
/// rows here), the new row in view also as a zip of CSV files and as a JSON bundle merged
/// (admins only), malformed JSON rows, files that are none, and bad or forbidden modes.
fn import_cases(
    truth: &Truth,
    net: &Net,
    path: &str,
    tables: &[String],
    admin: bool,
    fresh: &mut usize,
) -> Vec<WriteCase> {
    let mut out = Vec::new();
    let file = |url: String, ct: &'static str, bytes: Vec<u8>, sent: &Value, kind, shape, what| {
        WriteCase {
            method: Method::POST,
            url,
            content_type: ct,
            if_match: None,
            body: bytes,
            sent: sent_text(sent),
            kind,
            shape,
            admin_only: false,
            what,
        }
    };
    // A JSON bundle sent to the route: an admin's import only.
    let admin_json = |url: String, doc: &Value, kind, shape, what| {
        let mut c = json_case(Method::POST, &url, doc, kind, shape, what);
        c.admin_only = true;
        c
    };
    for table in tables {
        for v in row_variants(truth, net, table, fresh) {
            let doc = bundle_json(table, &[&v.row]);
            let shape = match (v.shape, v.id_use) {
                (Shape::Taken, IdUse::Same) => Shape::Valid,
                (s, _) => s,
            };
            let what = format!("{table}: {}", v.what);
            if v.shape == Shape::Malformed {
                out.push(admin_json(
                    format!("{path}?merge=true"),
                    &doc,
                    v.kind,
                    shape,
                    format!("JSON {what}"),
                ));
                continue;
            }
            let bundle: Bundle = serde_json::from_value(doc.clone())
                .unwrap_or_else(|e| panic!("{what} is no bundle: {e}"));
            out.push(file(
                path.to_string(),
                XLSX,
                workbook_of(&bundle),
                &doc,
                v.kind,
                shape,
                format!("workbook {what}"),
            ));
            if v.what == "a new row in view" {
                out.push(file(
                    path.to_string(),
                    ZIP,
                    csv_zip_of(&bundle),
                    &doc,
                    v.kind,
                    shape,
                    format!("CSV zip {what}"),
                ));
                out.push(admin_json(
                    format!("{path}?merge=true"),
                    &doc,
                    v.kind,
                    shape,
                    format!("JSON {what}"),
                ));
                out.push(file(
                    format!("{path}?mode=bogus"),
                    XLSX,
                    workbook_of(&bundle),
                    &doc,
                    v.kind,
                    Shape::Malformed,
                    format!("workbook {what}, mode=bogus"),
                ));
                out.push(admin_json(
                    format!("{path}?mode=merge"),
                    &doc,
                    v.kind,
                    Shape::Malformed,
                    format!("JSON {what}, mode=merge"),
                ));
                // Replacing the network is for admins; the admin's replace is not sent (it
                // would leave the one row).
                if !admin {
                    let mut c = file(
                        format!("{path}?mode=replace"),
                        XLSX,
                        workbook_of(&bundle),
                        &doc,
                        v.kind,
                        Shape::Valid,
                        format!("workbook {what}, mode=replace"),
                    );
                    c.admin_only = true;
                    out.push(c);
                }
            }
        }
    }
    out.push(raw_case(Method::POST, path, XLSX, b"not a workbook"));
    out.push(raw_case(Method::POST, path, ZIP, b"PK\x03\x04 not a zip"));
    let mut c = raw_case(
        Method::POST,
        &format!("{path}?merge=true"),
        JSON,
        NOT_JSON.as_bytes(),
    );
    c.admin_only = true;
    out.push(c);
    out
}

/// A POST or PATCH route of the document.
struct Route {
    method: Method,
    path: String,
    /// Tagged `writes` (others, like the what-if, only read).
    write: bool,
    /// (name, in)
    params: Vec<(String, String)>,
    /// The JSON body schema, resolved, when it is more than "an object".
    schema: Option<Value>,
}

/// The entries of the change log after `since`, and the sequence to ask from next.
async fn log_after(app: &TestApp, since: u64) -> (Vec<Value>, u64) {
    let body = app
        .get_ok(
            &format!("/api/v1/changes?since={since}&limit=10000"),
            &app.tokens.admin,
        )
        .await;
    let entries = body["changes"].as_array().cloned().unwrap_or_default();
    let next = body["next_since"].as_u64().expect("next_since");
    (entries, next)
}

#[tokio::test]
async fn no_write_route_role_or_body_leaks_or_changes_what_it_may_not() {
    let bundle = sample_bundle();
    let net = Net::new(&bundle);
    let street = Truth::new(bundle.clone(), MINE);
    let district = Truth::new(bundle.clone(), &street.district.clone());
    assert!(district.streets.contains(OTHER));
    let person_names = street.person_names();
    assert!(person_names.len() > 200, "{}", person_names.len());
    let mut outside: HashMap<String, (Vec<String>, Vec<String>)> = HashMap::new();
    for truth in [&street, &district] {
        let ids = truth.outside_ids().iter().map(|i| i.to_string()).collect();
        outside.insert(truth.scope.to_string(), (ids, truth.outside_names()));
    }
    let app = spawn_network(ServeConfig::default(), bundle, MINE, OTHER).await;
    let doc = app.get_ok("/api/v1/openapi.json", &app.tokens.admin).await;
    let mut routes: Vec<Route> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, m) in [("post", Method::POST), ("patch", Method::PATCH)] {
            let Some(op) = item.get(method) else { continue };
            let params = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let name = p["name"].as_str().expect("name").to_string();
                    (name, p["in"].as_str().expect("in").to_string())
                })
                .collect();
            let schema = op["requestBody"]["content"][JSON]["schema"].clone();
            let schema = match schema["$ref"].as_str() {
                Some(r) => {
                    let name = r.rsplit('/').next().expect("a schema name");
                    Some(doc["components"]["schemas"][name].clone())
                }
                None => None,
            };
            let write = op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "writes"));
            routes.push(Route {
                method: m,
                path: path.clone(),
                write,
                params,
                schema,
            });
        }
    }
    assert!(
        routes.iter().filter(|r| r.method == Method::POST).count() >= 7
            && routes.iter().filter(|r| r.method == Method::PATCH).count() >= 5,
        "{} write routes",
        routes.len()
    );
    // The tables rows are created in, by their POST route.
    let create_tables: Vec<String> = routes
        .iter()
        .filter(|r| r.method == Method::POST && r.write)
        .filter_map(|r| net.table_of(r.path.rsplit('/').next().unwrap_or("")))
        .collect();
    assert!(create_tables.len() >= 6, "{create_tables:?}");

    // Viewers first, the admin last (see the module documentation).
    let mut roles = five_roles(&app, &street, &district).await;
    roles.sort_by_key(|r| (r.is_admin(), !r.viewer));
    let (_, mut seq) = log_after(&app, 0).await;
    let mut fresh = 0usize;
    // (route, role) → requests sent; route → the admin's successes.
    let mut sent: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut admin_ok: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused = 0usize;
    for role in &roles {
        let (ids, names) = &outside[role.truth.scope.as_str()];
        // What this role's writes made touch its scope is in view from then on.
        let mut ids = ids.clone();
        for route in &routes {
            let label = format!("{} {}", route.method, route.path);
            let segments: Vec<&str> = route.path.trim_end_matches('/').split('/').collect();
            let last = segments.last().copied().unwrap_or("");
            let mut if_match = false;
            for (name, loc) in &route.params {
                match (name.as_str(), loc.as_str()) {
                    ("id", "path") if names_entity(&route.path, "id").is_some() => {}
                    ("If-Match", "header") => if_match = true,
                    ("merge" | "mode", "query") if last == "import" => {}
                    _ => panic!(
                        "the write matrix cannot fill parameter `{name}` ({loc}) of {label}: \
                         teach leaks_writes.rs about it"
                    ),
                }
            }
            let route_table = match (&route.method, last) {
                (&Method::PATCH, "{id}") => Some(
                    net.table_of(segments[segments.len() - 2])
                        .unwrap_or_else(|| panic!("{label}: no table of the bundle")),
                ),
                (&Method::POST, _) => net.table_of(last),
                _ => None,
            };
            let cases = if route.method == Method::PATCH && last == "{id}" {
                let table = route_table.clone().expect("a table");
                let kind = names_entity(&route.path, "id").expect("checked above");
                patch_cases(role.truth, &net, &route.path, &table, kind, if_match, &ids)
            } else if route.method == Method::POST
                && let Some(table) = net.table_of(last)
            {
                create_cases(role.truth, &net, &route.path, &table, &mut fresh)
            } else if route.method == Method::POST && last == "import" {
                import_cases(
                    role.truth,
                    &net,
                    &route.path,
                    &create_tables,
                    role.is_admin(),
                    &mut fresh,
                )
            } else if let Some(schema) = &route.schema {
                schema_cases(role.truth, &route.path, schema)
            } else {
                panic!("the write matrix cannot fill the body of {label}: teach leaks_writes.rs");
            };
            for case in cases {
                let mut req = app
                    .client
                    .request(case.method.clone(), app.url(&case.url))
                    .bearer_auth(&role.token)
                    .header("content-type", case.content_type)
                    .body(case.body.clone());
                if let Some(tag) = &case.if_match {
                    req = req.header("if-match", tag);
                }
                let res = req.send().await.expect("request");
                let (status, ct) = (res.status(), content_type(&res));
                let bytes = res.bytes().await.expect("body");
                let text = text_of(&ct, &bytes).unwrap_or_default();
                let what = format!(
                    "{} {} {} [{}; {:?} {:?}] → {status}",
                    role.name, case.method, case.url, case.what, case.kind, case.shape
                );
                assert!(!status.is_server_error(), "{what}: {text}");
                *sent.entry((label.clone(), role.name.clone())).or_default() += 1;
                let expect = |ok: bool| assert!(ok, "{what}: {text}");
                let out_of_view = role.scoped && case.kind != Kind::In;
                // A viewer's write, a non-admin's JSON import, and (well-formed) anything
                // naming an id outside or nowhere: the same 403, whether or not it exists.
                if (route.write && role.viewer)
                    || (case.admin_only && !role.is_admin())
                    || (out_of_view && case.shape != Shape::Malformed)
                {
                    expect(status == StatusCode::FORBIDDEN);
                } else {
                    match case.shape {
                        Shape::Valid if case.kind == Kind::Nowhere => {
                            expect(status.is_client_error() && status != StatusCode::FORBIDDEN)
                        }
                        Shape::Valid => expect(status.is_success()),
                        Shape::Malformed => expect(
                            status == StatusCode::BAD_REQUEST
                                || status == StatusCode::UNPROCESSABLE_ENTITY
                                || (out_of_view && status == StatusCode::FORBIDDEN),
                        ),
                        Shape::Taken => expect(
                            status == StatusCode::CONFLICT
                                || status == StatusCode::UNPROCESSABLE_ENTITY,
                        ),
                        Shape::BadHeader => expect(status == StatusCode::BAD_REQUEST),
                        Shape::Stale => expect(status == StatusCode::PRECONDITION_FAILED),
                        Shape::Leaning => expect(
                            status.is_success() || (role.scoped && status == StatusCode::FORBIDDEN),
                        ),
                    }
                }
                if role.is_admin() && route.write && status.is_success() {
                    *admin_ok.entry(label.clone()).or_default() += 1;
                }
                // A refused request, or one that only reads, changes nothing.
                let (entries, next) = log_after(&app, seq).await;
                if !status.is_success() || !route.write {
                    refused += usize::from(!status.is_success());
                    assert!(
                        entries.is_empty(),
                        "{what} changed the network: {entries:?}"
                    );
                }
                seq = next;
                if status.is_success() && route.write {
                    let made = touches_of(route_table.as_deref(), &case.sent);
                    ids.retain(|id| !made.contains(id));
                }
                let request = format!("{} {}", case.url, case.sent);
                if role.scoped {
                    // An error may repeat what the caller sent: that tells it nothing.
                    for id in ids.iter().filter(|id| !has_id(&request, id)) {
                        assert!(!has_id(&text, id), "{what} names {id}: {text}");
                    }
                    for name in names.iter().filter(|n| !request.contains(n.as_str())) {
                        assert!(!text.contains(name.as_str()), "{what} names {name}: {text}");
                    }
                }
                if role.viewer {
                    for name in &person_names {
                        assert!(!text.contains(name.as_str()), "{what} shows {name}: {text}");
                    }
                    assert!(
                        !text.contains("\"birth_year\"") && !text.contains("\"employer\""),
                        "{what}: {text}"
                    );
                }
            }
        }
    }
    // Every route was sent by every role, several ways; every write route took the admin's
    // valid writes.
    for route in &routes {
        let label = format!("{} {}", route.method, route.path);
        for role in &roles {
            let n = sent.get(&(label.clone(), role.name.clone())).copied();
            assert!(n.is_some_and(|n| n >= 5), "{label} × {}: {n:?}", role.name);
        }
        if route.write {
            assert!(
                admin_ok.get(&label).is_some_and(|n| *n >= 2),
                "{label}: {admin_ok:?}"
            );
        }
    }
    let total: usize = sent.values().sum();
    assert!(
        total > 300 * roles.len() / 2 && refused > total / 3,
        "{total} sent, {refused} refused"
    );
}
