//! Merging a partial bundle into a whole one: rows with ids are upserted by id (replaced in
//! place, new ones appended); rows without ids are appended unless an equal row exists.

use crate::bundle::*;
use crate::table::Table;
use std::collections::HashMap;

/// Rows that carry an id.
pub(crate) trait Keyed {
    fn key(&self) -> &str;
}

/// How the rows of one table merge: keyed rows are upserted by id, the others appended unless
/// an equal-keyed row exists (see the module doc).
pub(crate) trait MergeRows: Clone + Sized {
    /// Merges `partial` into `base` in place.
    fn merge_into(base: &mut Table<Self>, partial: Table<Self>);
    /// [`MergeRows::merge_into`] asking `locate` where `partial`'s rows sit in `base`; returns
    /// the positions in `base` of the rows it replaced.
    fn merge_located(
        base: &mut Table<Self>,
        partial: Table<Self>,
        locate: &dyn Locate,
    ) -> Vec<usize>;
}

macro_rules! merge_rows {
    (@one $row:ident id) => {
        impl Keyed for $row {
            fn key(&self) -> &str {
                &self.id
            }
        }
        impl MergeRows for $row {
            fn merge_into(base: &mut Table<Self>, partial: Table<Self>) {
                upsert_into(base, partial)
            }
            fn merge_located(
                base: &mut Table<Self>,
                partial: Table<Self>,
                locate: &dyn Locate,
            ) -> Vec<usize> {
                upsert_located(base, partial, crate::validate::Kind::$row, locate)
            }
        }
    };
    (@one $row:ident) => {
        impl MergeRows for $row {
            fn merge_into(base: &mut Table<Self>, partial: Table<Self>) {
                let keep = appended_rows(base, &partial);
                append_kept(base, partial, keep)
            }
            fn merge_located(
                base: &mut Table<Self>,
                partial: Table<Self>,
                locate: &dyn Locate,
            ) -> Vec<usize> {
                let keep = Unkeyed::appended_located(base, &partial, locate);
                append_kept(base, partial, keep);
                Vec::new()
            }
        }
    };
    ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
        $(merge_rows!(@one $row $($id)?);)*
    };
}
crate::for_each_table!(merge_rows);

impl Bundle {
    /// This bundle with `partial` merged in: a clone (sharing its tables) and [`Bundle::merge`].
    /// Nothing is validated here.
    pub fn merged(&self, partial: &Bundle) -> Bundle {
        let mut out = self.clone();
        out.merge(partial.clone());
        out
    }
}

/// Upserts `partial` into `base` in place, as in [`Bundle::merged`]: a key present in
/// `base` (first occurrence) is replaced where it stands, a new key is appended once, and the
/// last row of `partial` with a key wins. Only `partial`'s keys are indexed, so a one-row
/// partial costs one pass over `base` without allocating per row.
fn upsert_into<T: Keyed + Clone>(base: &mut Table<T>, partial: Table<T>) {
    if partial.is_empty() {
        return;
    }
    let partial = partial.into_vec();
    let mut at: HashMap<String, usize> = partial
        .iter()
        .map(|r| (r.key().to_string(), usize::MAX))
        .collect();
    for (i, r) in base.iter().enumerate() {
        if let Some(slot) = at.get_mut(r.key())
            && *slot == usize::MAX
        {
            *slot = i;
        }
    }
    place_rows(base, partial, at);
}

/// Puts each row of `partial` where `at` says its key stands in `base` (`usize::MAX`: not
/// there, so it is appended once and later rows with its key replace it); returns the
/// positions of `base`'s own rows that were replaced. Every key of `partial` is in `at`.
fn place_rows<T: Keyed>(
    base: &mut Vec<T>,
    partial: Vec<T>,
    mut at: HashMap<String, usize>,
) -> Vec<usize> {
    let len = base.len();
    let mut replaced = Vec::new();
    for r in partial {
        match at.get_mut(r.key()) {
            Some(slot) if *slot != usize::MAX => {
                if *slot < len {
                    replaced.push(*slot);
                }
                base[*slot] = r;
            }
            Some(slot) => {
                *slot = base.len();
                base.push(r);
            }
            None => base.push(r),
        }
    }
    replaced
}

/// The dedup key of a row without an id, hashed without allocating, and key equality.
pub(crate) trait Unkeyed {
    /// A hash of the key.
    fn key_hash(&self) -> u64;
    /// Whether two rows have the same key.
    fn same_key(&self, other: &Self) -> bool;
    /// The positions in `partial` of the rows to append to `base` (see [`appended_rows`]),
    /// which `locate` describes.
    fn appended_located(base: &[Self], partial: &[Self], _locate: &dyn Locate) -> Vec<usize>
    where
        Self: Sized,
    {
        appended_rows(base, partial)
    }
}

fn fixed_hash(v: impl std::hash::Hash) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(v)
}

impl Unkeyed for Adjacency {
    fn key_hash(&self) -> u64 {
        // Undirected: {a, b} equals {b, a}.
        if self.a <= self.b {
            fixed_hash((&self.a, &self.b))
        } else {
            fixed_hash((&self.b, &self.a))
        }
    }
    fn same_key(&self, o: &Self) -> bool {
        (self.a == o.a && self.b == o.b) || (self.a == o.b && self.b == o.a)
    }
}

impl Unkeyed for MassLink {
    fn key_hash(&self) -> u64 {
        fixed_hash((&self.mass_org, &self.target, self.domain))
    }
    fn same_key(&self, o: &Self) -> bool {
        self.mass_org == o.mass_org && self.target == o.target && self.domain == o.domain
    }
}

impl Unkeyed for Volunteering {
    fn key_hash(&self) -> u64 {
        fixed_hash((
            &self.member,
            &self.committee,
            self.domain,
            self.hours.to_bits(),
            self.date,
        ))
    }
    fn same_key(&self, o: &Self) -> bool {
        self.member == o.member
            && self.committee == o.committee
            && self.domain == o.domain
            && self.hours.to_bits() == o.hours.to_bits()
            && self.date == o.date
    }
    fn appended_located(_base: &[Self], partial: &[Self], locate: &dyn Locate) -> Vec<usize> {
        appended_volunteering(partial, locate)
    }
}

/// The positions in `partial` of the rows a merge appends to `base`: those whose key is
/// neither in `base` nor in an earlier row of `partial`, in order.
pub(crate) fn appended_rows<T: Unkeyed>(base: &[T], partial: &[T]) -> Vec<usize> {
    if partial.is_empty() {
        return Vec::new();
    }
    let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut taken = vec![false; partial.len()];
    for (j, r) in partial.iter().enumerate() {
        let same = by_hash.entry(r.key_hash()).or_default();
        if same.iter().any(|&k| partial[k].same_key(r)) {
            taken[j] = true;
        } else {
            same.push(j);
        }
    }
    for r in base {
        if let Some(same) = by_hash.get(&r.key_hash()) {
            for &j in same {
                if partial[j].same_key(r) {
                    taken[j] = true;
                }
            }
        }
    }
    (0..partial.len()).filter(|&j| !taken[j]).collect()
}

/// Appends the rows of `partial` at the positions `keep` (ascending) to `base`.
fn append_kept<T: Clone>(base: &mut Table<T>, partial: Table<T>, keep: Vec<usize>) {
    if keep.is_empty() {
        return;
    }
    let mut keep = keep.into_iter().peekable();
    for (j, r) in partial.into_iter().enumerate() {
        if keep.peek() == Some(&j) {
            keep.next();
            base.push(r);
        }
    }
}

/// Keeps the rows of `t` at positions `keep` (increasing); the positions of the others are
/// added to `dropped` as `(table, position)`.
fn keep_only<T: Clone>(
    table: &'static str,
    t: &mut Table<T>,
    keep: &[usize],
    dropped: &mut Vec<(&'static str, usize)>,
) {
    if keep.len() == t.len() {
        return;
    }
    let mut keep = keep.iter().peekable();
    let mut j = 0;
    t.retain(|_| {
        let kept = keep.next_if_eq(&&j).is_some();
        if !kept {
            dropped.push((table, j));
        }
        j += 1;
        kept
    });
}

impl Bundle {
    /// Drops the id-less rows (adjacency, mass links, volunteering) that merging this partial
    /// bundle into `base` would not append: those equal to a row of `base` or to an earlier row
    /// of this one. An equal id-less row is the same record, so sending it again changes
    /// nothing; a write drops them first so that it neither reports nor logs them as added.
    /// `locate`, when given, must describe `base` (volunteering is then looked up instead of
    /// scanned). Returns the dropped rows as `(table, position before dropping)`.
    pub fn drop_present(
        &mut self,
        base: &Bundle,
        locate: Option<&dyn Locate>,
    ) -> Vec<(&'static str, usize)> {
        let volunteering = match locate {
            Some(locate) => appended_volunteering(&self.volunteering, locate),
            None => appended_rows(&base.volunteering, &self.volunteering),
        };
        let adjacency = appended_rows(&base.adjacency, &self.adjacency);
        let mass_links = appended_rows(&base.mass_links, &self.mass_links);
        let mut dropped = Vec::new();
        keep_only("adjacency", &mut self.adjacency, &adjacency, &mut dropped);
        keep_only(
            "mass_links",
            &mut self.mass_links,
            &mass_links,
            &mut dropped,
        );
        keep_only(
            "volunteering",
            &mut self.volunteering,
            &volunteering,
            &mut dropped,
        );
        dropped
    }

    /// Merges `partial` into this bundle in place: without copying this bundle. Nothing is validated here.
    pub fn merge(&mut self, partial: Bundle) {
        macro_rules! merge {
            ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {$(
                if !partial.$t.is_empty() {
                    MergeRows::merge_into(&mut self.$t, partial.$t);
                }
            )*};
        }
        crate::for_each_table!(merge);
    }
}

/// Where the rows of a valid bundle sit, known without scanning it: what the write path
/// uses to merge and validate a few rows in time proportional to the rows written (an engine
/// keeps an id table and per-committee volunteering lists anyway).
///
/// Answers must describe exactly the bundle they are used with, whose ids must be unique (a
/// valid bundle): then [`Bundle::merge_located`] equals [`Bundle::merge`] and
/// [`validate_upsert_located`](crate::validate::validate_upsert_located) equals
/// [`validate_upsert`](crate::validate::validate_upsert).
pub trait Locate {
    /// The kind and position of the row with this id, `None` when no row has it.
    fn locate(&self, id: &str) -> Option<(crate::validate::Kind, usize)>;
    /// Whether the bundle holds a volunteering row with the same member, committee, domain,
    /// hours (bit for bit) and date as `v`.
    fn has_volunteering(&self, v: &Volunteering) -> bool;
}

/// [`upsert_into`] with the base positions of `partial`'s keys from `locate` instead of a scan.
fn upsert_located<T: Keyed + Clone>(
    base: &mut Table<T>,
    partial: Table<T>,
    kind: crate::validate::Kind,
    locate: &dyn Locate,
) -> Vec<usize> {
    if partial.is_empty() {
        return Vec::new();
    }
    let partial = partial.into_vec();
    let at: HashMap<String, usize> = partial
        .iter()
        .map(|r| {
            let slot = match locate.locate(r.key()) {
                Some((k, i)) if k == kind => i,
                _ => usize::MAX,
            };
            (r.key().to_string(), slot)
        })
        .collect();
    place_rows(base, partial, at)
}

/// [`appended_rows`] for volunteering, asking `locate` about the base instead of scanning it.
pub(crate) fn appended_volunteering(partial: &[Volunteering], locate: &dyn Locate) -> Vec<usize> {
    let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut out = Vec::new();
    for (j, r) in partial.iter().enumerate() {
        let same = by_hash.entry(r.key_hash()).or_default();
        if same.iter().any(|&k| partial[k].same_key(r)) {
            continue;
        }
        same.push(j);
        if !locate.has_volunteering(r) {
            out.push(j);
        }
    }
    out
}

impl Bundle {
    /// [`Bundle::merge`] with the positions of `partial`'s ids, and the volunteering already
    /// present, asked of `locate` (which must describe this bundle, see [`Locate`]): the same
    /// result, in time proportional to `partial` (plus copying each table it writes to when
    /// another version shares it). Adjacency and mass links are still deduplicated by a scan.
    pub fn merge_located(&mut self, partial: Bundle, locate: &dyn Locate) -> Delta {
        let mut delta = Delta::default();
        macro_rules! merge {
            ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {$(
                if !partial.$t.is_empty() {
                    let len = self.$t.len();
                    let replaced = MergeRows::merge_located(&mut self.$t, partial.$t, locate);
                    delta.tables.push((stringify!($t), len, replaced));
                }
            )*};
        }
        crate::for_each_table!(merge);
        delta
    }

    /// The base for the next write: `current` (its tables shared), except that each table the
    /// `next` partial writes to is taken from `spares` when the spare there is owned by no one
    /// else and is that table as it was just before its last located merge (`deltas` holds
    /// that merge's [`Delta`]): then it is brought up to date by copying over the rows that
    /// merge replaced and appended — time proportional to those rows — and the next merge goes
    /// into it in place instead of copying the whole table. Equal to `current` in any case.
    ///
    /// Returns the base and how many tables were taken from `spares`.
    pub fn from_spares(
        current: &Bundle,
        spares: &mut Bundle,
        deltas: &Delta,
        next: &Bundle,
    ) -> (Bundle, usize) {
        let mut out = current.clone();
        let mut taken = 0;
        macro_rules! take {
            ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {$(
                if !next.$t.is_empty() && !spares.$t.is_shared() {
                    let mut spare = std::mem::take(&mut spares.$t);
                    if let Some((len, replaced)) = deltas.of(stringify!($t))
                        && spare.len() == len
                        && current.$t.len() >= len
                        && replaced.iter().all(|&i| i < len)
                    {
                        // Owned by no one else: written in place.
                        let rows: &mut Vec<_> = &mut spare;
                        for &i in replaced {
                            rows[i] = current.$t[i].clone();
                        }
                        rows.extend(current.$t[len..].iter().cloned());
                        out.$t = spare;
                        taken += 1;
                    }
                }
            )*};
        }
        crate::for_each_table!(take);
        (out, taken)
    }

    /// After a located merge of `delta` onto `before` (the version it started from): keep
    /// `before`'s tables that the merge wrote as the spares of those tables (see
    /// [`Bundle::from_spares`]), with their deltas.
    pub fn keep_spares(spares: &mut Bundle, deltas: &mut Delta, before: &Bundle, delta: Delta) {
        macro_rules! keep {
            ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {$(
                if delta.of(stringify!($t)).is_some() {
                    spares.$t = before.$t.clone();
                }
            )*};
        }
        crate::for_each_table!(keep);
        for entry in delta.tables {
            deltas.tables.retain(|(t, _, _)| *t != entry.0);
            deltas.tables.push(entry);
        }
    }
}

/// What one [`Bundle::merge_located`] changed: per table it wrote to, the table's length
/// before and the positions of the rows it replaced (rows past that length were appended).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delta {
    tables: Vec<(&'static str, usize, Vec<usize>)>,
}

impl Delta {
    /// The length before and the replaced positions of one table, if the merge wrote to it.
    pub fn of(&self, table: &str) -> Option<(usize, &[usize])> {
        self.tables
            .iter()
            .find(|(t, _, _)| *t == table)
            .map(|(_, len, replaced)| (*len, replaced.as_slice()))
    }
}

/// A copy of every row of a bundle, sharing nothing (for tests of the spares).
#[cfg(test)]
pub(crate) fn tests_deep_copy(b: &Bundle) -> Bundle {
    serde_json::from_value(serde_json::to_value(b).expect("json")).expect("bundle")
}

/// A [`Locate`] built by scanning a bundle (what an engine's indexes answer faster), for
/// tests that compare the located paths with the scanning ones.
#[cfg(test)]
pub(crate) struct Scanned {
    at: HashMap<String, (crate::validate::Kind, usize)>,
    volunteering: Vec<Volunteering>,
}

#[cfg(test)]
impl Scanned {
    pub(crate) fn of(b: &Bundle) -> Scanned {
        let mut at = HashMap::new();
        crate::validate::each_id(b, |kind, i, id| {
            at.entry(id.to_string()).or_insert((kind, i));
        });
        Scanned {
            at,
            volunteering: b.volunteering.to_vec(),
        }
    }
}

#[cfg(test)]
impl Locate for Scanned {
    fn locate(&self, id: &str) -> Option<(crate::validate::Kind, usize)> {
        self.at.get(id).copied()
    }
    fn has_volunteering(&self, v: &Volunteering) -> bool {
        self.volunteering.iter().any(|r| r.same_key(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adj(a: &str, b: &str) -> Adjacency {
        Adjacency {
            a: a.into(),
            b: b.into(),
        }
    }

    fn vol(hours: f64, member: &str) -> Volunteering {
        Volunteering {
            member: member.into(),
            committee: "K1".into(),
            domain: ServiceDomain::Greening,
            hours,
            date: "2025-01-02".parse().expect("date"),
        }
    }

    fn district(id: &str, name: &str) -> District {
        District {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn upsert_replaces_in_place_and_appends() {
        let base = Bundle {
            districts: vec![district("D1", "一"), district("D2", "二")].into(),
            ..Bundle::default()
        };
        let partial = Bundle {
            districts: vec![district("D3", "三"), district("D1", "壹")].into(),
            ..Bundle::default()
        };
        let m = base.merged(&partial);
        assert_eq!(
            m.districts,
            vec![
                district("D1", "壹"),
                district("D2", "二"),
                district("D3", "三")
            ]
        );
        // The inputs are untouched.
        assert_eq!(base.districts[0].name, "一");
    }

    #[test]
    fn drop_present_keeps_exactly_what_a_merge_appends() {
        let mut base = Bundle::default();
        let v = |member: &str, hours: f64| Volunteering {
            member: member.into(),
            committee: "K1".into(),
            domain: ServiceDomain::ElderlyCare,
            hours,
            date: "2026-03-01".parse().expect("date"),
        };
        base.volunteering.push(v("M1", 2.0));
        let mut partial = Bundle::default();
        for r in [v("M1", 2.0), v("M2", 1.0), v("M2", 1.0), v("M1", 3.0)] {
            partial.volunteering.push(r);
        }
        let mut merged = base.clone();
        merged.merge(partial.clone());
        assert_eq!(
            partial.drop_present(&base, None),
            vec![("volunteering", 0), ("volunteering", 2)]
        );
        assert_eq!(
            partial
                .volunteering
                .iter()
                .map(|r| r.hours)
                .collect::<Vec<_>>(),
            vec![1.0, 3.0]
        );
        let mut again = base.clone();
        again.merge(partial.clone());
        assert_eq!(again, merged, "merging what is left adds the same rows");
        assert_eq!(
            partial.drop_present(&merged, None).len(),
            2,
            "all stored now"
        );
        assert!(partial.volunteering.is_empty());
    }

    #[test]
    fn rows_without_ids_are_deduplicated() {
        let link = |d| MassLink {
            mass_org: "M1".into(),
            target: "K1".into(),
            domain: d,
        };
        let base = Bundle {
            adjacency: vec![adj("K1", "K2")].into(),
            volunteering: vec![vol(1.0, "E1")].into(),
            mass_links: vec![link(ServiceDomain::Employment)].into(),
            ..Bundle::default()
        };
        let partial = Bundle {
            adjacency: vec![adj("K2", "K1"), adj("K2", "K3")].into(),
            volunteering: vec![vol(1.0, "E1"), vol(2.0, "E1")].into(),
            mass_links: vec![
                link(ServiceDomain::Employment),
                link(ServiceDomain::Childcare),
            ]
            .into(),
            ..Bundle::default()
        };
        let m = base.merged(&partial);
        assert_eq!(m.adjacency, vec![adj("K1", "K2"), adj("K2", "K3")]);
        assert_eq!(m.volunteering, vec![vol(1.0, "E1"), vol(2.0, "E1")]);
        assert_eq!(
            m.mass_links,
            vec![
                link(ServiceDomain::Employment),
                link(ServiceDomain::Childcare)
            ]
        );
    }

    #[test]
    fn merging_into_empty_is_the_partial() {
        let partial = Bundle {
            districts: vec![district("D1", "一")].into(),
            ..Bundle::default()
        };
        assert_eq!(Bundle::default().merged(&partial), partial);
        assert_eq!(partial.merged(&Bundle::default()), partial);
    }

    #[test]
    fn merge_in_place_equals_merged() {
        let base = Bundle {
            districts: vec![district("D1", "一"), district("D2", "二")].into(),
            adjacency: vec![adj("K1", "K2")].into(),
            volunteering: vec![vol(1.0, "E1"), vol(3.0, "E1")].into(),
            ..Bundle::default()
        };
        let partial = Bundle {
            districts: vec![
                district("D3", "三"),
                district("D1", "壹"),
                district("D3", "叁"),
                district("D2", "贰"),
            ]
            .into(),
            adjacency: vec![adj("K2", "K1"), adj("K2", "K3"), adj("K3", "K2")].into(),
            volunteering: vec![
                vol(1.0, "E1"),
                vol(2.0, "E1"),
                vol(2.0, "E1"),
                vol(f64::NAN, "E1"),
            ]
            .into(),
            ..Bundle::default()
        };
        let expected = base.merged(&partial);
        let mut m = base.clone();
        m.merge(partial);
        // NaN hours make rows unequal to themselves: compare the serialised form.
        assert_eq!(format!("{m:?}"), format!("{expected:?}"));
        assert_eq!(m.districts[2], district("D3", "叁"));
        assert_eq!(m.volunteering.len(), 4);
    }

    #[test]
    fn located_merge_equals_merge_and_copies_only_written_tables() {
        let need = |id: &str, demand: u64| Need {
            id: id.into(),
            committee: "K1".into(),
            domain: ServiceDomain::Childcare,
            demand,
        };
        let base = Bundle {
            districts: vec![district("D1", "一"), district("D2", "二")].into(),
            needs: vec![need("N1", 1), need("N2", 2)].into(),
            volunteering: vec![vol(1.0, "E1"), vol(3.0, "E1"), vol(1.0, "E2")].into(),
            ..Bundle::default()
        };
        let partials = [
            Bundle {
                // An update, a new id written twice, and an id of another table.
                needs: vec![need("N2", 20), need("N3", 3), need("N3", 30), need("D1", 4)].into(),
                ..Bundle::default()
            },
            Bundle {
                // Present, new, new twice, present under another member.
                volunteering: vec![
                    vol(3.0, "E1"),
                    vol(2.0, "E1"),
                    vol(2.0, "E1"),
                    vol(1.0, "E2"),
                    vol(5.0, "E2"),
                ]
                .into(),
                districts: vec![district("D2", "贰")].into(),
                ..Bundle::default()
            },
            Bundle::default(),
        ];
        for partial in partials {
            let mut expected = base.clone();
            expected.merge(partial.clone());
            let mut located = base.clone();
            let delta = located.merge_located(partial.clone(), &Scanned::of(&base));
            assert_eq!(located, expected, "partial {partial:?}");
            // The version before, kept as spares and brought up to date by the delta, equals
            // the newer one, and owns the tables the next write writes (in place).
            let mut spares = Bundle::default();
            let mut deltas = Delta::default();
            let before = Bundle {
                needs: base.needs.to_vec().into(),
                volunteering: base.volunteering.to_vec().into(),
                ..base.clone()
            };
            Bundle::keep_spares(&mut spares, &mut deltas, &before, delta);
            drop(before);
            let (next, taken) = Bundle::from_spares(&located, &mut spares, &deltas, &partial);
            assert_eq!(next, located);
            assert_eq!(
                taken,
                usize::from(!partial.needs.is_empty())
                    + usize::from(!partial.volunteering.is_empty())
            );
            assert_eq!(
                Table::ptr_eq(&next.needs, &located.needs),
                partial.needs.is_empty()
            );
            assert!(Table::ptr_eq(&next.members, &located.members));
            // Tables the partial has no rows for are still shared with `base`.
            assert_eq!(
                Table::ptr_eq(&located.needs, &base.needs),
                partial.needs.is_empty()
            );
            assert_eq!(
                Table::ptr_eq(&located.volunteering, &base.volunteering),
                partial.volunteering.is_empty()
            );
            assert!(Table::ptr_eq(&located.members, &base.members));
        }
    }
}
