//! Table cells ↔ row values: how a CSV or XLSX cell is typed by the table schema when read,
//! and how a row's fields become cells when written. List fields are joined with `;`.

use crate::schema::{Field, Presence, Table, Ty};
use serde_json::{Map, Value};

/// The separator of list items in one cell.
pub(crate) const LIST_SEPARATOR: char = ';';

/// Types the text of one cell by its field; `None` means the field is absent.
///
/// A leading `'` that the writers put before formula-like text is taken away first
/// ([`dangjian_model::unguard_formula`]), so exported files re-import to the same bundle.
pub(crate) fn text_to_value(ty: Ty, presence: Presence, raw: &str) -> Option<Value> {
    let raw = dangjian_model::unguard_formula(raw);
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return match ty {
            // An empty required text is the empty string (semantic validation flags empty
            // names); keeping it lets `industry: ""` survive a round trip.
            Ty::Text | Ty::Id if presence == Presence::Required => Some(Value::String(raw.into())),
            _ if ty.is_list() && presence != Presence::Optional => Some(Value::Array(Vec::new())),
            _ => None,
        };
    }
    Some(match ty {
        Ty::Text | Ty::Id => Value::String(raw.into()),
        Ty::Year | Ty::Count | Ty::Positive => whole_number(trimmed),
        Ty::Hours => trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(trimmed.into())),
        Ty::Date | Ty::Word(_) => Value::String(trimmed.into()),
        Ty::Words(_) | Ty::Texts | Ty::Ids => Value::Array(
            trimmed
                .split(LIST_SEPARATOR)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.into()))
                .collect(),
        ),
    })
}

/// A whole number from text; `1992.0` counts as whole. Anything else stays text, so the row
/// checker reports it with the value it saw.
fn whole_number(s: &str) -> Value {
    if let Ok(n) = s.parse::<i64>() {
        return Value::from(n);
    }
    if let Ok(n) = s.parse::<u64>() {
        return Value::from(n);
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
        Ok(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(s.into())),
        Err(_) => Value::String(s.into()),
    }
}

/// A number from a workbook cell, typed by its field.
pub(crate) fn number_to_value(ty: Ty, presence: Presence, f: f64) -> Option<Value> {
    let whole = f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15;
    match ty {
        Ty::Hours => serde_json::Number::from_f64(f).map(Value::Number),
        Ty::Year | Ty::Count | Ty::Positive if whole => Some(Value::from(f as i64)),
        // A whole number too large for exact float arithmetic still reaches the bounds check
        // as a number (7e18 → "demand 7000000000000000000 is above the limit").
        Ty::Year | Ty::Count | Ty::Positive if f.fract() == 0.0 && (0.0..1.8e19).contains(&f) => {
            Some(Value::from(f as u64))
        }
        Ty::Year | Ty::Count | Ty::Positive => serde_json::Number::from_f64(f).map(Value::Number),
        _ => {
            let text = if whole {
                format!("{}", f as i64)
            } else {
                f.to_string()
            };
            text_to_value(ty, presence, &text)
        }
    }
}

/// The cells of one row, one per schema field, as written to CSV and XLSX.
pub(crate) enum Cell {
    Empty,
    Text(String),
    Number(f64, String),
}

impl Cell {
    pub(crate) fn text(&self) -> &str {
        match self {
            Cell::Empty => "",
            Cell::Text(s) => s,
            Cell::Number(_, s) => s,
        }
    }
}

/// Splits a serialized row into cells in schema field order.
pub(crate) fn row_cells(table: &Table, row: &Map<String, Value>) -> Vec<Cell> {
    table
        .fields
        .iter()
        .map(|f| match row.get(f.name) {
            None | Some(Value::Null) => Cell::Empty,
            Some(Value::String(s)) => Cell::Text(s.clone()),
            Some(Value::Number(n)) => Cell::Number(n.as_f64().unwrap_or(0.0), n.to_string()),
            Some(Value::Array(items)) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                if parts.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(parts.join(&LIST_SEPARATOR.to_string()))
                }
            }
            Some(other) => Cell::Text(other.to_string()),
        })
        .collect()
}

/// Serializes every row of table `t` of `bundle` as a JSON object.
pub(crate) fn table_rows(bundle: &dangjian_model::Bundle, t: usize) -> Vec<Map<String, Value>> {
    fn rows<T: serde::Serialize>(rows: &[T]) -> Vec<Map<String, Value>> {
        rows.iter()
            .filter_map(|r| match serde_json::to_value(r) {
                Ok(Value::Object(m)) => Some(m),
                _ => None,
            })
            .collect()
    }
    match t {
        0 => rows(&bundle.districts),
        1 => rows(&bundle.streets),
        2 => rows(&bundle.communities),
        3 => rows(&bundle.committees),
        4 => rows(&bundle.adjacency),
        5 => rows(&bundle.party_orgs),
        6 => rows(&bundle.units),
        7 => rows(&bundle.mass_orgs),
        8 => rows(&bundle.social_orgs),
        9 => rows(&bundle.members),
        10 => rows(&bundle.partnerships),
        11 => rows(&bundle.mass_links),
        12 => rows(&bundle.resources),
        13 => rows(&bundle.needs),
        14 => rows(&bundle.projects),
        15 => rows(&bundle.volunteering),
        16 => rows(&bundle.responsibilities),
        _ => Vec::new(),
    }
}

/// A header row mapped onto a table's schema.
pub(crate) struct Header {
    /// The field of every column (None = ignored: blank, unknown or repeated).
    pub columns: Vec<Option<&'static Field>>,
    /// Unknown, repeated and missing columns: (column, message).
    pub problems: Vec<(Option<String>, String)>,
    /// A required column is missing, so every row would fail on it.
    pub missing_required: bool,
}

/// Maps header names to schema fields; reports unknown, duplicate and missing columns.
pub(crate) fn map_header(table: &Table, header: &[String]) -> Header {
    let mut problems = Vec::new();
    let mut columns = Vec::with_capacity(header.len());
    let mut seen: Vec<&str> = Vec::new();
    for name in header {
        let name = name.trim().trim_start_matches('\u{feff}');
        match table.field(name) {
            Some(_) if seen.contains(&name) => {
                problems.push((
                    Some(name.to_string()),
                    format!("column `{name}` appears twice"),
                ));
                columns.push(None);
            }
            Some(f) => {
                seen.push(f.name);
                columns.push(Some(f));
            }
            None if name.is_empty() => columns.push(None),
            None => {
                problems.push((
                    Some(name.to_string()),
                    format!(
                        "unknown column `{name}`; the columns of {} are: {}",
                        table.name,
                        table.field_names()
                    ),
                ));
                columns.push(None);
            }
        }
    }
    let mut missing_required = false;
    for f in table.fields {
        if f.presence == Presence::Required && !seen.contains(&f.name) {
            missing_required = true;
            problems.push((
                Some(f.name.to_string()),
                format!("required column `{}` is missing", f.name),
            ));
        }
    }
    Header {
        columns,
        problems,
        missing_required,
    }
}
