//! Field-by-field decoding of bundle rows from `serde_json::Value`s, collecting every problem
//! (unknown fields, missing fields, wrong types, bad dates, unknown vocabulary) with its location.
//! The CSV and XLSX readers turn cells into the same row values and share this decoder.

use crate::schema::{self, Field, Presence, Table, Ty, Vocabulary};
use dangjian_model::{Bundle, Problem, Problems, TABLES, validation_problems};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// How the locations of rows are written for one input.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Origin {
    /// `/members/3` — `n` is the row index; field problems point into the row.
    Json,
    /// `members.csv line 5` — `n` is the line.
    Csv,
    /// `sheet members row 5` — `n` is the sheet row.
    Xlsx,
}

impl Origin {
    pub(crate) fn row_location(self, table: &str, n: u64) -> String {
        match self {
            Origin::Json => format!("/{table}/{n}"),
            Origin::Csv => format!("{table}.csv line {n}"),
            Origin::Xlsx => format!("sheet {table} row {n}"),
        }
    }
}

/// Where a row is, and whether field locations extend it as a JSON pointer.
pub(crate) struct Loc<'a> {
    pub row: &'a str,
    pub pointer: bool,
}

impl Loc<'_> {
    fn at(&self, field: &str, item: Option<usize>) -> String {
        match (self.pointer, item) {
            (false, _) => self.row.to_string(),
            (true, None) => format!("{}/{field}", self.row),
            (true, Some(i)) => format!("{}/{field}/{i}", self.row),
        }
    }
}

/// Describes a JSON value for a message: `the text "abc"`, `the number 3`.
fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text \"{s}\""),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn vocabulary_message(voc: &Vocabulary, s: &str) -> String {
    format!(
        "unknown {} `{s}`; expected one of: {}",
        voc.what,
        voc.values.join(", ")
    )
}

/// Checks one scalar value against its type; `Err` is the message.
fn check_scalar(field: &str, ty: Ty, v: &Value) -> Result<(), String> {
    match ty {
        Ty::Text | Ty::Id => match v {
            Value::String(s) if field == "id" && s.trim().is_empty() => {
                Err("id is empty; every row needs a non-empty id".into())
            }
            Value::String(_) => Ok(()),
            other => Err(format!("expected text, found {}", found(other))),
        },
        Ty::Year => match v.as_i64() {
            Some(n) if i32::try_from(n).is_ok() => Ok(()),
            Some(n) => Err(format!("{n} is not a plausible year")),
            None => Err(format!("expected a whole number, found {}", found(v))),
        },
        Ty::Count => match (v.as_u64(), v.as_i64()) {
            (Some(_), _) => Ok(()),
            (None, Some(n)) => Err(format!("must be ≥ 0, found {n}")),
            _ => Err(format!("expected a whole number ≥ 0, found {}", found(v))),
        },
        Ty::Positive => match (v.as_u64(), v.as_i64()) {
            (Some(0), _) => Err("must be greater than 0, found 0".into()),
            (Some(_), _) => Ok(()),
            (None, Some(n)) => Err(format!("must be greater than 0, found {n}")),
            _ => match v.as_f64() {
                Some(f) if f <= 0.0 => Err(format!("must be greater than 0, found {f}")),
                _ => Err(format!("expected a whole number > 0, found {}", found(v))),
            },
        },
        Ty::Hours => match v.as_f64() {
            Some(f) if f >= 0.0 => Ok(()),
            Some(f) => Err(format!("hours must be ≥ 0, found {f}")),
            None => Err(format!(
                "expected a number of hours ≥ 0, found {}",
                found(v)
            )),
        },
        Ty::Date => match v {
            // The same parser the typed (serde) path uses, so both accept the same dates.
            Value::String(s) => match s.parse::<chrono::NaiveDate>() {
                Ok(_) => Ok(()),
                // The words every date parameter uses (`dangjian_model::params`).
                Err(_) => Err(dangjian_model::params::ParamError::Date(s.clone()).to_string()),
            },
            other => Err(format!(
                "expected a date as YYYY-MM-DD, found {}",
                found(other)
            )),
        },
        Ty::Word(voc) | Ty::Words(voc) => match v {
            Value::String(s) if voc.values.contains(&s.as_str()) => Ok(()),
            Value::String(s) => Err(vocabulary_message(voc, s)),
            other => Err(format!("expected a {}, found {}", voc.what, found(other))),
        },
        Ty::Texts | Ty::Ids => match v {
            Value::String(_) => Ok(()),
            other => Err(format!("expected text, found {}", found(other))),
        },
    }
}

/// Checks one row against its table's schema, pushing every problem.
pub(crate) fn check_row(table: &Table, row: &Value, loc: &Loc<'_>, out: &mut Vec<Problem>) {
    let id = row.get("id").and_then(Value::as_str).map(str::to_string);
    let problem = |location: String, field: Option<&str>, message: String| Problem {
        table: table.name.to_string(),
        location,
        id: id.clone(),
        field: field.map(str::to_string),
        message,
    };
    let Value::Object(map) = row else {
        out.push(problem(
            loc.row.to_string(),
            None,
            format!(
                "a row must be an object with the fields {}; found {}",
                table.field_names(),
                found(row)
            ),
        ));
        return;
    };
    for key in map.keys() {
        if table.field(key).is_none() {
            out.push(problem(
                loc.at(key, None),
                Some(key),
                format!(
                    "unknown field `{key}`; the fields of {} are: {}",
                    table.name,
                    table.field_names()
                ),
            ));
        }
    }
    for field in table.fields {
        let name = field.name;
        let value = match map.get(name) {
            None if field.presence == Presence::Required => {
                out.push(problem(
                    loc.at(name, None),
                    Some(name),
                    format!("`{name}` is required but missing"),
                ));
                continue;
            }
            None => continue,
            Some(Value::Null) if field.presence == Presence::Optional => continue,
            Some(v) => v,
        };
        if field.ty.is_list() {
            let Value::Array(items) = value else {
                out.push(problem(
                    loc.at(name, None),
                    Some(name),
                    format!("`{name}` must be a list, found {}", found(value)),
                ));
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                if let Err(m) = check_scalar(name, field.ty, item) {
                    let m = format!("item {} of `{name}`: {m}", i + 1);
                    out.push(problem(loc.at(name, Some(i)), Some(name), m));
                }
            }
        } else if let Err(m) = check_scalar(name, field.ty, value) {
            out.push(problem(loc.at(name, None), Some(name), m));
        }
    }
}

/// Decodes one row of `table` into `T`, reporting every problem of the row.
/// `location` is the row's location (a JSON pointer like `/members/3` or any text).
pub fn decode_row<T: DeserializeOwned>(
    table: &str,
    location: &str,
    value: &Value,
) -> Result<T, Problems> {
    let Some((_, schema)) = schema::table(table) else {
        return Err(Problems(vec![unknown_table(table, location.to_string())]));
    };
    let mut problems = Vec::new();
    let loc = Loc {
        row: location,
        pointer: location.starts_with('/'),
    };
    check_row(schema, value, &loc, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems));
    }
    T::deserialize(value).map_err(|e| {
        Problems(vec![Problem {
            table: table.to_string(),
            location: location.to_string(),
            id: value.get("id").and_then(Value::as_str).map(str::to_string),
            field: None,
            message: e.to_string(),
        }])
    })
}

pub(crate) fn unknown_table(name: &str, location: String) -> Problem {
    Problem {
        table: String::new(),
        location,
        id: None,
        field: None,
        message: format!(
            "unknown table `{name}`; the tables are: {}",
            TABLES.join(", ")
        ),
    }
}

/// Collects decoded rows into a bundle, with every problem, remembering where each kept row
/// came from so that semantic problems can name the original file line or sheet row.
pub(crate) struct Builder {
    origin: Origin,
    bundle: Bundle,
    /// Problems with their sort key (table position, row number).
    problems: Vec<(usize, u64, Problem)>,
    /// Per table, the origin number (index, line, row) of every kept row.
    kept: Vec<Vec<u64>>,
    /// Rows dropped because they did not decode, with their ids.
    dropped: Vec<(&'static str, String)>,
}

macro_rules! push_typed {
    ($self:ident, $t:expr, $value:expr, $($idx:literal => $field:ident),* $(,)?) => {
        match $t {
            $($idx => serde_json::from_value($value).map(|r| $self.bundle.$field.push(r)),)*
            _ => Ok(()),
        }
    };
}

impl Builder {
    pub(crate) fn new(origin: Origin) -> Self {
        Builder {
            origin,
            bundle: Bundle::default(),
            problems: Vec::new(),
            kept: vec![Vec::new(); TABLES.len()],
            dropped: Vec::new(),
        }
    }

    /// A problem that is not about one row's fields (unknown table, bad header...).
    pub(crate) fn problem(&mut self, table_pos: usize, n: u64, p: Problem) {
        self.problems.push((table_pos, n, p));
    }

    /// Records that table `t` of a JSON document is `what` instead of a list of rows.
    pub(crate) fn not_a_list(&mut self, t: usize, what: &str) {
        let name = schema::SCHEMA[t].name;
        let p = Problem {
            table: name.to_string(),
            location: format!("/{name}"),
            id: None,
            field: None,
            message: format!("`{name}` must be a list of rows, found {what}"),
        };
        self.problem(t, 0, p);
    }

    /// Records a file header's problems (column, message), all at origin number `n`.
    pub(crate) fn header_problems(
        &mut self,
        t: usize,
        n: u64,
        problems: Vec<(Option<String>, String)>,
    ) {
        let table = schema::SCHEMA[t].name;
        for (field, message) in problems {
            let location = self.origin.row_location(table, n);
            let p = Problem {
                table: table.into(),
                location,
                id: None,
                field,
                message,
            };
            self.problem(t, n, p);
        }
    }

    /// Decodes one row of table `t` from its cells in column order (`columns` from the file's
    /// header; `None` skips a column): `value` types a cell by its field (`None` = absent) or
    /// refuses it with a message, reported on the field with the row's id.
    pub(crate) fn push_cells<C>(
        &mut self,
        t: usize,
        n: u64,
        cells: impl IntoIterator<Item = C>,
        columns: &[Option<&Field>],
        value: impl Fn(&Field, C) -> Result<Option<Value>, String>,
    ) {
        let table = schema::SCHEMA[t].name;
        let mut row = Map::new();
        let mut refused = Vec::new();
        for (cell, field) in cells.into_iter().zip(columns) {
            let Some(field) = field else { continue };
            match value(field, cell) {
                Ok(Some(v)) => {
                    row.insert(field.name.to_string(), v);
                }
                Ok(None) => {}
                Err(message) => refused.push((field.name, message)),
            }
        }
        let id = row.get("id").and_then(Value::as_str).map(str::to_string);
        let location = self.origin.row_location(table, n);
        let pre = refused
            .into_iter()
            .map(|(field, message)| Problem {
                table: table.into(),
                location: location.clone(),
                id: id.clone(),
                field: Some(field.into()),
                message,
            })
            .collect();
        self.push_row_with(t, n, Value::Object(row), pre);
    }

    /// Decodes one row of table `t` (position in [`TABLES`]) found at origin number `n`.
    pub(crate) fn push_row(&mut self, t: usize, n: u64, value: Value) {
        self.push_row_with(t, n, value, Vec::new());
    }

    /// Like [`Builder::push_row`], with problems already found in some cells (`pre`); the
    /// schema check does not report those fields again.
    pub(crate) fn push_row_with(&mut self, t: usize, n: u64, value: Value, pre: Vec<Problem>) {
        let schema = &schema::SCHEMA[t];
        let row = self.origin.row_location(schema.name, n);
        let loc = Loc {
            row: &row,
            pointer: self.origin == Origin::Json,
        };
        let mut found = Vec::new();
        check_row(schema, &value, &loc, &mut found);
        if !pre.is_empty() {
            found.retain(|p| !pre.iter().any(|q| q.field == p.field));
            found.extend(pre);
        }
        if !found.is_empty() {
            if let Some(id) = value.get("id").and_then(Value::as_str) {
                self.dropped.push((schema.name, id.to_string()));
            }
            self.problems.extend(found.into_iter().map(|p| (t, n, p)));
            return;
        }
        let id = value.get("id").and_then(Value::as_str).map(str::to_string);
        let pushed = push_typed!(self, t, value,
            0 => districts, 1 => streets, 2 => communities, 3 => committees, 4 => adjacency,
            5 => party_orgs, 6 => units, 7 => mass_orgs, 8 => social_orgs, 9 => members,
            10 => partnerships, 11 => mass_links, 12 => resources, 13 => needs, 14 => projects,
            15 => volunteering, 16 => responsibilities,
        );
        match pushed {
            Ok(()) => self.kept[t].push(n),
            Err(e) => {
                // The schema check should have caught this; report serde's words.
                let p = Problem {
                    table: schema.name.to_string(),
                    location: row,
                    id,
                    field: None,
                    message: e.to_string(),
                };
                self.problems.push((t, n, p));
            }
        }
    }

    /// The decoded bundle, or every problem. With `validate`, semantic problems of the rows
    /// that decoded are included too, located by their original line or row.
    pub(crate) fn finish(mut self, validate: bool) -> Result<Bundle, Problems> {
        if validate {
            let dropped: Vec<(&str, &str)> = self
                .dropped
                .iter()
                .map(|(t, id)| (*t, id.as_str()))
                .collect();
            for mut p in validation_problems(&self.bundle, &dropped) {
                let (t, n) = self.remap(&p.location);
                p.location = self.origin.row_location(&p.table, n);
                self.problems.push((t, n, p));
            }
        }
        if self.problems.is_empty() {
            return Ok(self.bundle);
        }
        self.problems.sort_by_key(|(t, n, _)| (*t, *n));
        Err(Problems(
            self.problems.into_iter().map(|(_, _, p)| p).collect(),
        ))
    }

    /// The rows that decoded, with the location (sheet row, file line) of every one, per
    /// table in [`TABLES`] order, and every decoding problem (no semantic validation).
    pub(crate) fn finish_located(mut self) -> crate::Located {
        let origin = self.origin;
        let rows: Vec<Vec<String>> = self
            .kept
            .iter()
            .enumerate()
            .map(|(t, rows)| {
                rows.iter()
                    .map(|&n| origin.row_location(TABLES[t], n))
                    .collect()
            })
            .collect();
        self.problems.sort_by_key(|(t, n, _)| (*t, *n));
        crate::Located {
            bundle: self.bundle,
            rows,
            problems: self.problems.into_iter().map(|(_, _, p)| p).collect(),
            dropped: self.dropped,
        }
    }

    /// Maps a `/table/index` location of the built bundle to (table position, origin number).
    fn remap(&self, location: &str) -> (usize, u64) {
        let mut parts = location.trim_start_matches('/').split('/');
        let t = parts
            .next()
            .and_then(|name| TABLES.iter().position(|x| *x == name))
            .unwrap_or(0);
        let i: usize = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let n = self.kept[t].get(i).copied().unwrap_or(i as u64);
        (t, n)
    }
}

/// Decodes a whole bundle document walking its values, so that every problem is found.
pub(crate) fn decode_document(value: Value, builder: &mut Builder) {
    let Value::Object(map) = value else {
        builder.problem(
            0,
            0,
            Problem {
                table: String::new(),
                location: String::new(),
                id: None,
                field: None,
                message: format!(
                    "the bundle must be a JSON object with one list per table, found {}",
                    found(&value)
                ),
            },
        );
        return;
    };
    for (key, rows) in map {
        let Some((t, _)) = schema::table(&key) else {
            builder.problem(0, 0, unknown_table(&key, format!("/{key}")));
            continue;
        };
        match rows {
            Value::Array(rows) => {
                for (i, row) in rows.into_iter().enumerate() {
                    builder.push_row(t, i as u64, row);
                }
            }
            other => builder.not_a_list(t, &found(&other)),
        }
    }
}

/// Decodes a bundle from a JSON value, reporting every decoding problem (no semantic
/// validation: references, duplicates and cycles are [`dangjian_model::validate`]'s job).
pub fn parse_json_value(value: Value) -> Result<Bundle, Problems> {
    let mut builder = Builder::new(Origin::Json);
    decode_document(value, &mut builder);
    builder.finish(false)
}

/// Streams a bundle document into `builder` one row at a time, so that even a huge file with
/// problems is walked without holding it as JSON values. Errors are JSON syntax errors, or a
/// document that is not an object.
pub(crate) fn decode_stream<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    builder: &mut Builder,
) -> Result<(), serde_json::Error> {
    use serde::de::DeserializeSeed;
    DocumentSeed(builder).deserialize(&mut *de)?;
    de.end()
}

struct DocumentSeed<'b>(&'b mut Builder);

impl<'de> serde::de::DeserializeSeed<'de> for DocumentSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for DocumentSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object with one list per table")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match schema::table(&key) {
                Some((t, _)) => map.next_value_seed(TableSeed {
                    builder: &mut *self.0,
                    t,
                })?,
                None => {
                    self.0.problem(0, 0, unknown_table(&key, format!("/{key}")));
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct TableSeed<'b> {
    builder: &'b mut Builder,
    t: usize,
}

impl TableSeed<'_> {
    fn not_a_list(self, what: &str) {
        self.builder.not_a_list(self.t, what);
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for TableSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for TableSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of rows")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0u64;
        while let Some(row) = seq.next_element::<Value>()? {
            self.builder.push_row(self.t, i, row);
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        self.not_a_list("an object");
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_a_list("null");
        Ok(())
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.not_a_list(&format!("`{v}`"));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.not_a_list(&format!("the number {v}"));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.not_a_list(&format!("the number {v}"));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.not_a_list(&format!("the number {v}"));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.not_a_list(&format!("the text \"{v}\""));
        Ok(())
    }
}
