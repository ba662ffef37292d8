//! Validating a partial bundle upserted into a valid one without building the merged bundle
//! ([`validate_upsert`], [`validate_upsert_located`]): only the partial's rows are checked,
//! against the ids the merge would have.

use super::kinds::{IdIndex, Kind};
use super::rules::ids_of;
use super::{Validator, each_id, validate};
use crate::bundle::*;
use crate::merge::{Keyed, Locate, Unkeyed, appended_rows};
use crate::problem::{Problem, Problems};
use std::collections::HashMap;

/// Validates `current` with `partial` upserted into it, without building the merged bundle:
/// the same answer as `validate(&current.merged(partial))` (the same problems, locations and
/// order) provided `current` itself is valid. Costs one pass over `current`'s ids (and over
/// the id-less tables `partial` adds rows to), not a validation of the whole.
///
/// Why checking only `partial`'s rows suffices when `current` is valid: an upsert never
/// removes a row; a row of `partial` whose id exists in the same table replaces that row in
/// place (same id, same table, so the same kind at the same position); every other row is
/// appended. Rows of `current` keep their fields, so their field rules still hold, and every
/// id they reference still names a row of the same kind at the same position — unless a row
/// of `partial` appends that id to *another* table, which makes the id a duplicate (and can
/// move which row the id resolves to). So when no id of the merged bundle is duplicated, the
/// only new problems are on `partial`'s surviving rows (checked here against the merged ids)
/// and party-org cycles through a changed org (checked over the merged party orgs); when an
/// id is duplicated, the merged whole is validated the slow way, so the report stays complete.
pub fn validate_upsert(current: &Bundle, partial: &Bundle) -> Result<(), Problems> {
    validate_upsert_with(current, partial, None)
}

/// [`validate_upsert`] with the positions of `partial`'s ids (and the volunteering already
/// present) asked of `locate`, which must describe `current` (see [`Locate`]): the same
/// answer, in time proportional to `partial` instead of one pass over `current`'s ids.
pub fn validate_upsert_located(
    current: &Bundle,
    partial: &Bundle,
    locate: &dyn Locate,
) -> Result<(), Problems> {
    validate_upsert_with(current, partial, Some(locate))
}

/// [`validate_upsert_located`] when `locate` is given, else [`validate_upsert`]: for callers
/// whose view of the network may or may not locate.
pub fn validate_upsert_with(
    current: &Bundle,
    partial: &Bundle,
    locate: Option<&dyn Locate>,
) -> Result<(), Problems> {
    let problems = match upsert_problems(current, partial, locate) {
        Some(problems) => problems,
        None => return validate(&current.merged(partial)),
    };
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Problems(problems))
    }
}

/// Where the rows of one table of `partial` land in the merged bundle: `(position, row)` for
/// each surviving row (the last of `partial` with a key wins), ordered by position. New ids
/// are registered in `index`; `None` when an id would be duplicated across tables.
fn landing<'a, T: Keyed>(
    kind: Kind,
    base: &[T],
    partial: &'a [T],
    in_current: &IdIndex<'a>,
    index: &mut IdIndex<'a>,
    empty_ids: &mut Vec<(Kind, usize, &'a str)>,
) -> Option<Vec<(usize, &'a T)>> {
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<(usize, &'a T)> = Vec::new();
    for r in partial {
        let id = r.key();
        if let Some(&slot) = at.get(id) {
            out[slot].1 = r;
            continue;
        }
        let pos = match in_current.get(id) {
            Some(&(k, j)) if k == kind => j,
            // The id names a row of another table: a duplicate id.
            Some(_) => return None,
            None => {
                let pos = base.len() + out.iter().filter(|(p, _)| *p >= base.len()).count();
                if id.trim().is_empty() {
                    empty_ids.push((kind, pos, id));
                } else if index.insert(id, (kind, pos)).is_some() {
                    // A new id in two tables of `partial`: a duplicate id.
                    return None;
                }
                pos
            }
        };
        at.insert(id, out.len());
        out.push((pos, r));
    }
    out.sort_by_key(|(p, _)| *p);
    Some(out)
}

macro_rules! landed {
    ($($t:ident: $row:ident,)*) => {
        /// Where the rows of `partial`'s tables with ids land in the merged bundle (see
        /// [`landing`]), per table.
        struct Landed<'a> {
            $($t: Vec<(usize, &'a $row)>,)*
        }

        impl<'a> Landed<'a> {
            /// The landing of every table with ids, registering new ids in `index` and blank
            /// ones in `empty_ids`; `None` when an id would be duplicated across tables.
            fn of(
                current: &Bundle,
                partial: &'a Bundle,
                in_current: &IdIndex<'a>,
                index: &mut IdIndex<'a>,
                empty_ids: &mut Vec<(Kind, usize, &'a str)>,
            ) -> Option<Self> {
                Some(Landed {
                    $($t: landing(
                        Kind::$row,
                        &current.$t,
                        &partial.$t,
                        in_current,
                        index,
                        empty_ids,
                    )?,)*
                })
            }
        }
    };
}
crate::for_each_table!(keyed landed);

/// The problems of `current` merged with `partial` when `current` is valid, or `None` when an
/// id would be duplicated (then only a whole validation reports every consequence).
pub(super) fn upsert_problems(
    current: &Bundle,
    partial: &Bundle,
    locate: Option<&dyn Locate>,
) -> Option<Vec<Problem>> {
    let needed: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        ids_of(partial).into_iter().collect();
    // Where the ids `partial` has or names sit in `current` (unique there: it is valid).
    let mut in_current = IdIndex::default();
    if let Some(locate) = locate {
        for &id in &needed {
            if let Some(at) = locate.locate(id) {
                in_current.insert(id, at);
            }
        }
    } else if !needed.is_empty() {
        each_id(current, |kind, i, id| {
            if let Some(&id) = needed.get(id) {
                in_current.entry(id).or_insert((kind, i));
            }
        });
    }
    let mut index = IdIndex::default();
    let mut empty_ids = Vec::new();
    let landed = Landed::of(current, partial, &in_current, &mut index, &mut empty_ids)?;
    for (id, at) in &in_current {
        index.entry(id).or_insert(*at);
    }
    let mut v = Validator::with_index(index);
    for (kind, pos, id) in empty_ids {
        v.empty_id(kind, pos, id);
    }
    // Rows with ids: where they land. Rows without: those the merge appends.
    macro_rules! check {
        (@one $t:ident [id]) => {
            for &(i, r) in &landed.$t {
                v.check_row(i, r);
            }
        };
        (@one $t:ident []) => {
            let new = match locate {
                Some(locate) => Unkeyed::appended_located(&current.$t, &partial.$t, locate),
                None => appended_rows(&current.$t, &partial.$t),
            };
            for (k, j) in new.into_iter().enumerate() {
                v.check_row(current.$t.len() + k, &partial.$t[j]);
            }
        };
        ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
            $(check!(@one $t [$($id)?]);)*
        };
    }
    crate::for_each_table!(check);

    if !landed.party_orgs.is_empty() {
        // The merged party orgs, and the parent of each among them.
        let mut orgs: Vec<&PartyOrg> = current.party_orgs.iter().collect();
        for &(pos, r) in &landed.party_orgs {
            if pos < orgs.len() {
                orgs[pos] = r;
            } else {
                orgs.push(r);
            }
        }
        let at: HashMap<&str, usize, foldhash::fast::RandomState> = orgs
            .iter()
            .enumerate()
            .filter(|(_, o)| !o.id.trim().is_empty())
            .map(|(j, o)| (o.id.as_str(), j))
            .collect();
        let parent: Vec<Option<usize>> = orgs
            .iter()
            .map(|o| at.get(o.parent.as_deref()?).copied())
            .collect();
        v.report_cycles(&orgs, &parent);
    }
    Some(v.into_problems())
}
