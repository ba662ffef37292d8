//! Semantic validation of a whole bundle (SPEC §2): unique ids, references that resolve to the
//! right kind of row, party-org cycles, dates and quantities — every problem in one pass.
//!
//! - `kinds`: what kind of row an id names, and the index of every id of a bundle;
//! - `rules`: the rules of each table, stated once per row type;
//! - `upserts`: validating a partial bundle upserted into a valid one, without merging.

mod kinds;
mod rules;
mod upserts;

#[cfg(test)]
mod tests;

pub use kinds::Kind;
pub(crate) use kinds::each_id;
pub use upserts::{validate_upsert, validate_upsert_located, validate_upsert_with};

use crate::bundle::*;
use crate::problem::{Problem, Problems};
use kinds::IdIndex;

/// The largest `demand` of a need (SPEC §2): one billion units of service a year. Sums of up
/// to millions of such rows stay far below `u64::MAX`, so the analytics cannot overflow.
pub const MAX_DEMAND: u64 = 1_000_000_000;
/// The largest `capacity` of a resource (SPEC §2), for the same reason as [`MAX_DEMAND`].
pub const MAX_CAPACITY: u64 = 1_000_000_000;
/// The most `hours` one volunteering row may record (SPEC §2).
pub const MAX_HOURS_PER_ROW: f64 = 10_000.0;
/// Ids no row may have (SPEC §2): `city` names the whole city in access scopes, so a row with
/// that id would let a scope mean two things. Compared case-sensitively.
pub const RESERVED_IDS: &[&str] = &["city"];

/// Validates the whole bundle; `Err` holds every problem found, ordered by table and row.
pub fn validate(bundle: &Bundle) -> Result<(), Problems> {
    let problems = validation_problems(bundle, &[]);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}

/// Every semantic problem of `bundle`. `elsewhere` lists `(table, id)` rows that exist but are
/// not in `bundle` (rows a decoder had to drop): references to them are not reported as dangling.
pub fn validation_problems(bundle: &Bundle, elsewhere: &[(&str, &str)]) -> Vec<Problem> {
    let mut v = Validator::new(bundle);
    for (table, id) in elsewhere {
        if let Some(kind) = Kind::of_table(table) {
            v.index.entry(id).or_insert((kind, usize::MAX));
        }
    }
    v.check_rows(bundle);
    v.check_party_org_cycles(bundle);
    v.into_problems()
}

/// The ids of a bundle (or of a bundle and a partial upserted into it) and the problems found
/// so far, with the table and row each belongs to.
struct Validator<'a> {
    index: IdIndex<'a>,
    sink: Vec<(usize, usize, Problem)>,
}

/// One row being checked: its table, index and id.
#[derive(Clone, Copy)]
struct Row<'a> {
    table: &'static str,
    index: usize,
    id: Option<&'a str>,
}

/// Position of a table in [`TABLES`], for ordering problems.
fn table_pos(table: &str) -> usize {
    TABLES.iter().position(|t| *t == table).unwrap_or(0)
}

impl<'a> Validator<'a> {
    /// A validator knowing `index`, with no problem yet.
    fn with_index(index: IdIndex<'a>) -> Self {
        Validator {
            index,
            sink: Vec::new(),
        }
    }

    fn push(&mut self, row: Row<'_>, field: Option<&str>, message: String) {
        self.sink.push((
            table_pos(row.table),
            row.index,
            Problem {
                table: row.table.to_string(),
                location: format!("/{}/{}", row.table, row.index),
                id: row.id.map(str::to_string),
                field: field.map(str::to_string),
                message,
            },
        ));
    }

    /// The problems found, ordered by table and row (a row's own in the order found).
    fn into_problems(mut self) -> Vec<Problem> {
        self.sink.sort_by_key(|(t, r, _)| (*t, *r));
        self.sink.into_iter().map(|(_, _, p)| p).collect()
    }
}
