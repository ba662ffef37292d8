//! Semantic validation of a whole bundle (SPEC §2): unique ids, references that resolve to the
//! right kind of row, party-org cycles, dates and quantities — every problem in one pass.

use crate::bundle::*;
use crate::merge::{Keyed, Locate};
use crate::problem::{Problem, Problems};
use std::collections::HashMap;

/// foldhash (hashbrown's own default hasher): several times faster than SipHash on short id
/// strings, which matters with millions of rows, and well mixed in the low bits that
/// hashbrown uses to pick buckets — a hand-rolled Fx hash here collided on the sequential ids
/// of a Shanghai-scale network and made validation take 47 s instead of under one.
type IdIndex<'a> = HashMap<&'a str, (Kind, usize), foldhash::fast::RandomState>;

macro_rules! kinds {
    ($($t:ident: $row:ident,)*) => {
        /// What kind of row an id names: one per table with ids, named as its row type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($row,)*
        }

        impl Kind {
            /// The table that holds rows of this kind.
            pub fn table(self) -> &'static str {
                match self {
                    $(Self::$row => stringify!($t),)*
                }
            }

            /// Every kind, in bundle order.
            pub const ALL: [Kind; 14] = [$(Self::$row),*];
        }

        /// Calls `f(kind, position, id)` for every row with an id, in bundle order.
        pub(crate) fn each_id<'a>(b: &'a Bundle, mut f: impl FnMut(Kind, usize, &'a str)) {
            $(
                for (i, r) in b.$t.iter().enumerate() {
                    f(Kind::$row, i, r.key());
                }
            )*
        }
    };
}
crate::for_each_table!(keyed kinds);

impl Kind {
    /// The kind of a table with ids, by table name.
    pub fn of_table(table: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.table() == table)
    }

    /// A noun for messages: `committee`, `party org`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Street => "street",
            Self::Community => "community",
            Self::Committee => "committee",
            Self::PartyOrg => "party org",
            Self::Unit => "unit",
            Self::MassOrg => "mass org",
            Self::SocialOrg => "social org",
            Self::Member => "member",
            Self::Partnership => "partnership",
            Self::Resource => "resource",
            Self::Need => "need",
            Self::Project => "project",
            Self::Responsibility => "responsibility",
        }
    }
}

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
    v.sink.sort_by_key(|(t, r, _)| (*t, *r));
    v.sink.into_iter().map(|(_, _, p)| p).collect()
}

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

fn validate_upsert_with(
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

/// Every id a row of `b` has or references.
fn ids_of(b: &Bundle) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    out.extend(b.districts.iter().map(|r| r.id.as_str()));
    for r in &b.streets {
        out.extend([r.id.as_str(), &r.district]);
    }
    for r in &b.communities {
        out.extend([r.id.as_str(), &r.street]);
    }
    for r in &b.committees {
        out.extend([r.id.as_str(), &r.community]);
    }
    for r in &b.adjacency {
        out.extend([r.a.as_str(), &r.b]);
    }
    for r in &b.party_orgs {
        out.extend([r.id.as_str(), &r.leads]);
        out.extend(r.parent.as_deref());
    }
    for r in &b.units {
        out.extend([r.id.as_str(), &r.street]);
    }
    out.extend(b.mass_orgs.iter().map(|r| r.id.as_str()));
    for r in &b.social_orgs {
        out.extend([r.id.as_str(), &r.street]);
    }
    for r in &b.members {
        out.push(&r.id);
        out.extend(r.employer.as_deref());
        out.extend(r.registered_at.as_deref());
    }
    for r in &b.partnerships {
        out.extend([r.id.as_str(), &r.unit, &r.target]);
    }
    for r in &b.mass_links {
        out.extend([r.mass_org.as_str(), &r.target]);
    }
    for r in &b.resources {
        out.extend([r.id.as_str(), &r.provider]);
        out.extend(r.deployed_to.iter().flatten().map(Id::as_str));
    }
    for r in &b.needs {
        out.extend([r.id.as_str(), &r.committee]);
    }
    for r in &b.projects {
        out.extend([r.id.as_str(), &r.committee]);
        out.extend(r.needs.iter().map(Id::as_str));
        out.extend(r.resources.iter().map(Id::as_str));
    }
    for r in &b.volunteering {
        out.extend([r.member.as_str(), &r.committee]);
    }
    for r in &b.responsibilities {
        out.extend([r.id.as_str(), &r.party_org]);
    }
    out
}

/// Where the rows of one table of `partial` land in the merged bundle: `(position, row)` for
/// each surviving row (the last of `partial` with a key wins), ordered by position. New ids
/// are registered in `index`; `None` when an id would be duplicated across tables.
fn landing<'a, T: Keyed>(
    kind: Kind,
    base: &[T],
    partial: &'a [T],
    in_current: &HashMap<&'a str, (Kind, usize), foldhash::fast::RandomState>,
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

/// The problems of `current` merged with `partial` when `current` is valid, or `None` when an
/// id would be duplicated (then only a whole validation reports every consequence).
fn upsert_problems(
    current: &Bundle,
    partial: &Bundle,
    locate: Option<&dyn Locate>,
) -> Option<Vec<Problem>> {
    type Map<'a> = HashMap<&'a str, (Kind, usize), foldhash::fast::RandomState>;
    let needed: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        ids_of(partial).into_iter().collect();
    // Where the ids `partial` has or names sit in `current` (unique there: it is valid).
    let mut in_current: Map<'_> = Map::default();
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
    let mut new_ids: IdIndex<'_> = IdIndex::default();
    let mut empty_ids = Vec::new();
    macro_rules! land {
        ($kind:expr, $table:ident) => {
            landing(
                $kind,
                &current.$table,
                &partial.$table,
                &in_current,
                &mut new_ids,
                &mut empty_ids,
            )?
        };
    }
    let districts = land!(Kind::District, districts);
    let streets = land!(Kind::Street, streets);
    let communities = land!(Kind::Community, communities);
    let committees = land!(Kind::Committee, committees);
    let party_orgs = land!(Kind::PartyOrg, party_orgs);
    let units = land!(Kind::Unit, units);
    let mass_orgs = land!(Kind::MassOrg, mass_orgs);
    let social_orgs = land!(Kind::SocialOrg, social_orgs);
    let members = land!(Kind::Member, members);
    let partnerships = land!(Kind::Partnership, partnerships);
    let resources = land!(Kind::Resource, resources);
    let needs = land!(Kind::Need, needs);
    let projects = land!(Kind::Project, projects);
    let responsibilities = land!(Kind::Responsibility, responsibilities);

    let mut index = new_ids;
    for (id, at) in &in_current {
        index.entry(id).or_insert(*at);
    }
    let mut v = Validator {
        index,
        sink: Vec::new(),
    };
    for (kind, pos, id) in empty_ids {
        let row = Row {
            table: kind.table(),
            index: pos,
            id: Some(id),
        };
        v.push(
            row,
            Some("id"),
            "id is empty; every row needs a non-empty id".into(),
        );
    }
    macro_rules! check {
        ($rows:expr, $f:ident) => {
            for (i, r) in $rows {
                v.$f(i, r);
            }
        };
    }
    macro_rules! check_appended {
        ($table:ident, $f:ident) => {
            let base = current.$table.len();
            let new = crate::merge::appended_rows(&current.$table, &partial.$table);
            for (k, j) in new.into_iter().enumerate() {
                v.$f(base + k, &partial.$table[j]);
            }
        };
    }
    check!(districts, check_districts);
    check!(streets, check_streets);
    check!(communities, check_communities);
    check!(committees, check_committees);
    check_appended!(adjacency, check_adjacency);
    check!(party_orgs.iter().copied(), check_party_orgs);
    check!(units, check_units);
    check!(mass_orgs, check_mass_orgs);
    check!(social_orgs, check_social_orgs);
    check!(members, check_members);
    check!(partnerships, check_partnerships);
    check_appended!(mass_links, check_mass_links);
    check!(resources, check_resources);
    check!(needs, check_needs);
    check!(projects, check_projects);
    match locate {
        Some(locate) if !partial.volunteering.is_empty() => {
            let base = current.volunteering.len();
            let new = crate::merge::appended_volunteering(&partial.volunteering, locate);
            for (k, j) in new.into_iter().enumerate() {
                v.check_volunteering(base + k, &partial.volunteering[j]);
            }
        }
        _ => {
            check_appended!(volunteering, check_volunteering);
        }
    }
    check!(responsibilities, check_responsibilities);

    if !party_orgs.is_empty() {
        // The merged party orgs, and the parent of each among them.
        let mut orgs: Vec<&PartyOrg> = current.party_orgs.iter().collect();
        for (pos, r) in party_orgs {
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
    v.sink.sort_by_key(|(t, r, _)| (*t, *r));
    Some(v.sink.into_iter().map(|(_, _, p)| p).collect())
}

const STREET: &[Kind] = &[Kind::Street];
const DISTRICT: &[Kind] = &[Kind::District];
const COMMUNITY: &[Kind] = &[Kind::Community];
const COMMITTEE: &[Kind] = &[Kind::Committee];
const PARTY_ORG: &[Kind] = &[Kind::PartyOrg];
const UNIT: &[Kind] = &[Kind::Unit];
const MASS_ORG: &[Kind] = &[Kind::MassOrg];
const MEMBER: &[Kind] = &[Kind::Member];
const NEED: &[Kind] = &[Kind::Need];
const RESOURCE: &[Kind] = &[Kind::Resource];
const AREA: &[Kind] = &[Kind::Street, Kind::Community, Kind::Committee];
const LEADABLE: &[Kind] = &[Kind::Street, Kind::Community, Kind::Committee, Kind::Unit];
const PROVIDER: &[Kind] = &[
    Kind::Unit,
    Kind::MassOrg,
    Kind::SocialOrg,
    Kind::Street,
    Kind::Community,
];

/// Position of a table in [`TABLES`], for ordering problems.
fn table_pos(table: &str) -> usize {
    TABLES.iter().position(|t| *t == table).unwrap_or(0)
}

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

fn plural_nouns(kinds: &[Kind]) -> String {
    let nouns: Vec<&str> = kinds.iter().map(|k| k.noun()).collect();
    match nouns.len() {
        0 => String::new(),
        1 => nouns[0].to_string(),
        n => format!("{} or {}", nouns[..n - 1].join(", "), nouns[n - 1]),
    }
}

impl<'a> Validator<'a> {
    fn new(b: &'a Bundle) -> Self {
        let mut v = Validator {
            index: IdIndex::with_capacity_and_hasher(
                b.row_count() - b.adjacency.len() - b.mass_links.len() - b.volunteering.len(),
                Default::default(),
            ),
            sink: Vec::new(),
        };
        fn add<'a, T>(
            v: &mut Validator<'a>,
            kind: Kind,
            rows: &'a [T],
            id: impl Fn(&'a T) -> &'a str,
        ) {
            for (i, r) in rows.iter().enumerate() {
                let id = id(r);
                let row = Row {
                    table: kind.table(),
                    index: i,
                    id: Some(id),
                };
                if id.trim().is_empty() {
                    v.push(
                        row,
                        Some("id"),
                        "id is empty; every row needs a non-empty id".into(),
                    );
                    continue;
                }
                match v.index.get(id) {
                    Some(&(k, j)) => {
                        let msg = format!(
                            "duplicate id `{id}`: already used by {} /{}/{j}",
                            k.noun(),
                            k.table()
                        );
                        v.push(row, Some("id"), msg);
                    }
                    None => {
                        v.index.insert(id, (kind, i));
                    }
                }
            }
        }
        add(&mut v, Kind::District, &b.districts, |r| &r.id);
        add(&mut v, Kind::Street, &b.streets, |r| &r.id);
        add(&mut v, Kind::Community, &b.communities, |r| &r.id);
        add(&mut v, Kind::Committee, &b.committees, |r| &r.id);
        add(&mut v, Kind::PartyOrg, &b.party_orgs, |r| &r.id);
        add(&mut v, Kind::Unit, &b.units, |r| &r.id);
        add(&mut v, Kind::MassOrg, &b.mass_orgs, |r| &r.id);
        add(&mut v, Kind::SocialOrg, &b.social_orgs, |r| &r.id);
        add(&mut v, Kind::Member, &b.members, |r| &r.id);
        add(&mut v, Kind::Partnership, &b.partnerships, |r| &r.id);
        add(&mut v, Kind::Resource, &b.resources, |r| &r.id);
        add(&mut v, Kind::Need, &b.needs, |r| &r.id);
        add(&mut v, Kind::Project, &b.projects, |r| &r.id);
        add(&mut v, Kind::Responsibility, &b.responsibilities, |r| &r.id);
        v
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

    /// Reports a row whose id is reserved ([`RESERVED_IDS`]).
    fn reserved(&mut self, row: Row<'_>) {
        if let Some(id) = row.id
            && RESERVED_IDS.contains(&id)
        {
            let msg = format!("`{id}` is a reserved word and cannot be an id");
            self.push(row, Some("id"), msg);
        }
    }

    fn name(&mut self, row: Row<'_>, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.push(row, Some(field), format!("`{field}` is empty"));
        }
    }

    /// Checks that `target` names a row of one of the `allowed` kinds.
    fn reference(&mut self, row: Row<'_>, field: &str, target: &str, allowed: &[Kind]) {
        if target.is_empty() {
            let msg = format!(
                "`{field}` is empty; it must name a {}",
                plural_nouns(allowed)
            );
            self.push(row, Some(field), msg);
            return;
        }
        match self.index.get(target) {
            Some((kind, _)) if allowed.contains(kind) => {}
            Some(&(kind, j)) => {
                let at = if j == usize::MAX {
                    kind.table().to_string()
                } else {
                    format!("/{}/{j}", kind.table())
                };
                let msg = format!(
                    "`{field}` refers to `{target}`, which is a {} ({at}), not a {}",
                    kind.noun(),
                    plural_nouns(allowed)
                );
                self.push(row, Some(field), msg);
            }
            None => {
                let msg = format!(
                    "`{field}` refers to `{target}`, but no {} has that id",
                    plural_nouns(allowed)
                );
                self.push(row, Some(field), msg);
            }
        }
    }

    fn check_rows(&mut self, b: &Bundle) {
        for (i, r) in b.districts.iter().enumerate() {
            self.check_districts(i, r);
        }
        for (i, r) in b.streets.iter().enumerate() {
            self.check_streets(i, r);
        }
        for (i, r) in b.communities.iter().enumerate() {
            self.check_communities(i, r);
        }
        for (i, r) in b.committees.iter().enumerate() {
            self.check_committees(i, r);
        }
        for (i, r) in b.adjacency.iter().enumerate() {
            self.check_adjacency(i, r);
        }
        for (i, r) in b.party_orgs.iter().enumerate() {
            self.check_party_orgs(i, r);
        }
        for (i, r) in b.units.iter().enumerate() {
            self.check_units(i, r);
        }
        for (i, r) in b.mass_orgs.iter().enumerate() {
            self.check_mass_orgs(i, r);
        }
        for (i, r) in b.social_orgs.iter().enumerate() {
            self.check_social_orgs(i, r);
        }
        for (i, r) in b.members.iter().enumerate() {
            self.check_members(i, r);
        }
        for (i, r) in b.partnerships.iter().enumerate() {
            self.check_partnerships(i, r);
        }
        for (i, r) in b.mass_links.iter().enumerate() {
            self.check_mass_links(i, r);
        }
        for (i, r) in b.resources.iter().enumerate() {
            self.check_resources(i, r);
        }
        for (i, r) in b.needs.iter().enumerate() {
            self.check_needs(i, r);
        }
        for (i, r) in b.projects.iter().enumerate() {
            self.check_projects(i, r);
        }
        for (i, r) in b.volunteering.iter().enumerate() {
            self.check_volunteering(i, r);
        }
        for (i, r) in b.responsibilities.iter().enumerate() {
            self.check_responsibilities(i, r);
        }
    }

    fn check_districts(&mut self, i: usize, r: &District) {
        let row = Row {
            table: "districts",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
    }

    fn check_streets(&mut self, i: usize, r: &Street) {
        let row = Row {
            table: "streets",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        self.reference(row, "district", &r.district, DISTRICT);
    }

    fn check_communities(&mut self, i: usize, r: &Community) {
        let row = Row {
            table: "communities",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        self.reference(row, "street", &r.street, STREET);
    }

    fn check_committees(&mut self, i: usize, r: &Committee) {
        let row = Row {
            table: "committees",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        self.reference(row, "community", &r.community, COMMUNITY);
    }

    fn check_adjacency(&mut self, i: usize, r: &Adjacency) {
        let row = Row {
            table: "adjacency",
            index: i,
            id: None,
        };
        self.reference(row, "a", &r.a, COMMITTEE);
        self.reference(row, "b", &r.b, COMMITTEE);
        if r.a == r.b && !r.a.is_empty() {
            let msg = format!(
                "a committee cannot border itself (`a` and `b` are both `{}`)",
                r.a
            );
            self.push(row, Some("b"), msg);
        }
    }

    fn check_party_orgs(&mut self, i: usize, r: &PartyOrg) {
        let row = Row {
            table: "party_orgs",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        if let Some(p) = &r.parent {
            self.reference(row, "parent", p, PARTY_ORG);
        }
        self.reference(row, "leads", &r.leads, LEADABLE);
    }

    fn check_units(&mut self, i: usize, r: &Unit) {
        let row = Row {
            table: "units",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        self.reference(row, "street", &r.street, STREET);
    }

    fn check_mass_orgs(&mut self, i: usize, r: &MassOrg) {
        let row = Row {
            table: "mass_orgs",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
    }

    fn check_social_orgs(&mut self, i: usize, r: &SocialOrg) {
        let row = Row {
            table: "social_orgs",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        self.reference(row, "street", &r.street, STREET);
        if r.domains.is_empty() {
            self.push(
                row,
                Some("domains"),
                "`domains` is empty; list at least one service domain".into(),
            );
        }
    }

    fn check_members(&mut self, i: usize, r: &Member) {
        let row = Row {
            table: "members",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        if !(1900..=2100).contains(&r.birth_year) {
            let msg = format!(
                "birth year {} is not plausible (expected 1900 to 2100)",
                r.birth_year
            );
            self.push(row, Some("birth_year"), msg);
        }
        if let Some(e) = &r.employer {
            self.reference(row, "employer", e, UNIT);
        }
        if let Some(c) = &r.registered_at {
            self.reference(row, "registered_at", c, COMMITTEE);
        }
    }

    fn check_partnerships(&mut self, i: usize, r: &Partnership) {
        let row = Row {
            table: "partnerships",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.reference(row, "unit", &r.unit, UNIT);
        self.reference(row, "target", &r.target, AREA);
        if let Some(expires) = r.expires
            && expires <= r.signed
        {
            let msg = format!("expires ({expires}) must be after signed ({})", r.signed);
            self.push(row, Some("expires"), msg);
        }
    }

    fn check_mass_links(&mut self, i: usize, r: &MassLink) {
        let row = Row {
            table: "mass_links",
            index: i,
            id: None,
        };
        self.reference(row, "mass_org", &r.mass_org, MASS_ORG);
        self.reference(row, "target", &r.target, AREA);
    }

    fn check_resources(&mut self, i: usize, r: &Resource) {
        let row = Row {
            table: "resources",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        self.reference(row, "provider", &r.provider, PROVIDER);
        if r.capacity == 0 {
            self.push(
                row,
                Some("capacity"),
                "capacity must be greater than 0".into(),
            );
        } else if r.capacity > MAX_CAPACITY {
            let msg = format!(
                "capacity {} is above the limit of {MAX_CAPACITY}",
                r.capacity
            );
            self.push(row, Some("capacity"), msg);
        }
        for c in r.deployed_to.iter().flatten() {
            self.reference(row, "deployed_to", c, COMMITTEE);
        }
    }

    fn check_needs(&mut self, i: usize, r: &Need) {
        let row = Row {
            table: "needs",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.reference(row, "committee", &r.committee, COMMITTEE);
        if r.demand == 0 {
            self.push(row, Some("demand"), "demand must be greater than 0".into());
        } else if r.demand > MAX_DEMAND {
            let msg = format!("demand {} is above the limit of {MAX_DEMAND}", r.demand);
            self.push(row, Some("demand"), msg);
        }
    }

    fn check_projects(&mut self, i: usize, r: &Project) {
        let row = Row {
            table: "projects",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.name(row, "name", &r.name);
        self.reference(row, "committee", &r.committee, COMMITTEE);
        for n in &r.needs {
            self.reference(row, "needs", n, NEED);
        }
        for res in &r.resources {
            self.reference(row, "resources", res, RESOURCE);
        }
    }

    fn check_volunteering(&mut self, i: usize, r: &Volunteering) {
        let row = Row {
            table: "volunteering",
            index: i,
            id: None,
        };
        self.reference(row, "member", &r.member, MEMBER);
        self.reference(row, "committee", &r.committee, COMMITTEE);
        if !r.hours.is_finite() || r.hours < 0.0 {
            let msg = format!("hours must be a finite number ≥ 0, not {}", r.hours);
            self.push(row, Some("hours"), msg);
        } else if r.hours > MAX_HOURS_PER_ROW {
            let msg = format!(
                "hours {} is above the limit of {MAX_HOURS_PER_ROW} per row",
                r.hours
            );
            self.push(row, Some("hours"), msg);
        }
    }

    fn check_responsibilities(&mut self, i: usize, r: &Responsibility) {
        let row = Row {
            table: "responsibilities",
            index: i,
            id: Some(&r.id),
        };
        self.reserved(row);
        self.reference(row, "party_org", &r.party_org, PARTY_ORG);
        self.name(row, "item", &r.item);
    }

    /// Reports every party org that lies on a cycle of the `parent` chain, once.
    fn check_party_org_cycles(&mut self, b: &'a Bundle) {
        let parent: Vec<Option<usize>> = b
            .party_orgs
            .iter()
            .map(|o| {
                let p = o.parent.as_deref()?;
                match self.index.get(p) {
                    Some(&(Kind::PartyOrg, j)) if j != usize::MAX => Some(j),
                    _ => None,
                }
            })
            .collect();
        let orgs: Vec<&PartyOrg> = b.party_orgs.iter().collect();
        self.report_cycles(&orgs, &parent);
    }

    /// Reports every org of `orgs` on a cycle of `parent` (the position of each org's parent
    /// in `orgs`, when it names a party org), once.
    fn report_cycles(&mut self, orgs: &[&PartyOrg], parent: &[Option<usize>]) {
        // 0 = unseen, 1 = on the current walk, 2 = finished.
        let mut state = vec![0u8; orgs.len()];
        let mut path = Vec::new();
        for start in 0..orgs.len() {
            if state[start] != 0 {
                continue;
            }
            path.clear();
            let mut cur = start;
            loop {
                match state[cur] {
                    0 => {
                        state[cur] = 1;
                        path.push(cur);
                        match parent[cur] {
                            Some(p) => cur = p,
                            None => break,
                        }
                    }
                    1 => {
                        let from = path.iter().position(|&x| x == cur).unwrap_or(0);
                        let cycle = &path[from..];
                        let mut chain: Vec<&str> =
                            cycle.iter().map(|&j| orgs[j].id.as_str()).collect();
                        chain.push(&orgs[cur].id);
                        let chain = chain.join(" → ");
                        for &j in cycle {
                            let row = Row {
                                table: "party_orgs",
                                index: j,
                                id: Some(&orgs[j].id),
                            };
                            let msg = format!("the party-org parent chain has a cycle: {chain}");
                            self.push(row, Some("parent"), msg);
                        }
                        break;
                    }
                    _ => break,
                }
            }
            for &j in &path {
                state[j] = 2;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    /// A small valid bundle touching every table.
    pub(crate) fn sample() -> Bundle {
        Bundle {
            districts: (vec![District {
                id: "D1".into(),
                name: "黄浦区".into(),
            }])
            .into(),
            streets: (vec![Street {
                id: "S1".into(),
                name: "外滩街道".into(),
                district: "D1".into(),
                kind: StreetKind::Street,
            }])
            .into(),
            communities: (vec![Community {
                id: "C1".into(),
                name: "社区一".into(),
                street: "S1".into(),
            }])
            .into(),
            committees: (vec![
                Committee {
                    id: "K1".into(),
                    name: "居委会一".into(),
                    community: "C1".into(),
                    households: 1200,
                },
                Committee {
                    id: "K2".into(),
                    name: "居委会二".into(),
                    community: "C1".into(),
                    households: 0,
                },
            ])
            .into(),
            adjacency: (vec![Adjacency {
                a: "K1".into(),
                b: "K2".into(),
            }])
            .into(),
            party_orgs: (vec![
                PartyOrg {
                    id: "P1".into(),
                    name: "外滩街道党工委".into(),
                    level: PartyOrgLevel::WorkingCommittee,
                    parent: None,
                    leads: "S1".into(),
                    secretary: "张书记".into(),
                },
                PartyOrg {
                    id: "P2".into(),
                    name: "居委会一党支部".into(),
                    level: PartyOrgLevel::Branch,
                    parent: Some("P1".into()),
                    leads: "K1".into(),
                    secretary: "李书记".into(),
                },
            ])
            .into(),
            units: (vec![Unit {
                id: "U1".into(),
                name: "某医院".into(),
                category: UnitCategory::Hospital,
                industry: "医疗".into(),
                street: "S1".into(),
            }])
            .into(),
            mass_orgs: (vec![MassOrg {
                id: "M1".into(),
                name: "街道工会".into(),
                kind: MassOrgType::Union,
            }])
            .into(),
            social_orgs: (vec![SocialOrg {
                id: "O1".into(),
                name: "阳光社工".into(),
                street: "S1".into(),
                domains: vec![ServiceDomain::ElderlyCare],
            }])
            .into(),
            members: (vec![Member {
                id: "E1".into(),
                name: "王五".into(),
                birth_year: 1990,
                employer: Some("U1".into()),
                registered_at: Some("K1".into()),
                skills: vec!["护理".into()],
            }])
            .into(),
            partnerships: (vec![Partnership {
                id: "PS1".into(),
                unit: "U1".into(),
                target: "C1".into(),
                signed: d("2024-01-01"),
                expires: Some(d("2027-01-01")),
            }])
            .into(),
            mass_links: (vec![MassLink {
                mass_org: "M1".into(),
                target: "S1".into(),
                domain: ServiceDomain::Employment,
            }])
            .into(),
            resources: (vec![Resource {
                id: "R1".into(),
                name: "义诊".into(),
                provider: "U1".into(),
                domain: ServiceDomain::Healthcare,
                capacity: 12,
                deployed_to: Some(vec!["K1".into()]),
            }])
            .into(),
            needs: (vec![Need {
                id: "N1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::Healthcare,
                demand: 5,
            }])
            .into(),
            projects: (vec![Project {
                id: "J1".into(),
                name: "健康进社区".into(),
                committee: "K1".into(),
                needs: vec!["N1".into()],
                resources: vec!["R1".into()],
                status: ProjectStatus::Active,
            }])
            .into(),
            volunteering: (vec![Volunteering {
                member: "E1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::Healthcare,
                hours: 2.5,
                date: d("2025-06-01"),
            }])
            .into(),
            responsibilities: (vec![Responsibility {
                id: "T1".into(),
                party_org: "P2".into(),
                item: "走访驻区单位".into(),
                due: Some(d("2025-12-31")),
                status: ItemStatus::Open,
            }])
            .into(),
        }
    }

    fn problems(b: &Bundle) -> Vec<Problem> {
        validate(b).err().map(|p| p.0).unwrap_or_default()
    }

    fn has(ps: &[Problem], location: &str, field: &str, needle: &str) -> bool {
        ps.iter().any(|p| {
            p.location == location
                && p.field.as_deref() == Some(field)
                && p.message.contains(needle)
        })
    }

    #[test]
    fn sample_is_valid() {
        assert_eq!(validate(&sample()), Ok(()));
    }

    #[test]
    fn duplicate_ids_within_and_across_tables() {
        let mut b = sample();
        b.units[0].id = "K2".into();
        let first = b.members[0].clone();
        b.members.push(Member {
            id: "E1".into(),
            ..first
        });
        let ps = problems(&b);
        assert!(has(&ps, "/units/0", "id", "/committees/1"), "{ps:#?}");
        assert!(has(&ps, "/members/1", "id", "duplicate id `E1`"), "{ps:#?}");
    }

    #[test]
    fn empty_ids_and_names() {
        let mut b = sample();
        b.districts.push(District {
            id: "".into(),
            name: "".into(),
        });
        b.mass_orgs[0].name = " ".into();
        b.responsibilities[0].item = "".into();
        let ps = problems(&b);
        assert!(has(&ps, "/districts/1", "id", "id is empty"), "{ps:#?}");
        assert!(has(&ps, "/districts/1", "name", "empty"), "{ps:#?}");
        assert!(has(&ps, "/mass_orgs/0", "name", "empty"), "{ps:#?}");
        assert!(has(&ps, "/responsibilities/0", "item", "empty"), "{ps:#?}");
    }

    #[test]
    fn every_reference_kind_is_checked() {
        let mut b = sample();
        b.streets[0].district = "nope".into();
        b.communities[0].street = "D1".into();
        b.committees[0].community = "S1".into();
        b.adjacency.push(Adjacency {
            a: "C1".into(),
            b: "K9".into(),
        });
        b.party_orgs[1].parent = Some("K1".into());
        b.party_orgs[0].leads = "E1".into();
        b.units[0].street = "C1".into();
        b.social_orgs[0].street = "x".into();
        b.members[0].employer = Some("O1".into());
        b.members[0].registered_at = Some("C1".into());
        b.partnerships[0].unit = "M1".into();
        b.partnerships[0].target = "D1".into();
        b.mass_links[0].mass_org = "U1".into();
        b.mass_links[0].target = "U1".into();
        b.resources[0].provider = "K1".into();
        b.resources[0].deployed_to = Some(vec!["K1".into(), "C1".into()]);
        b.needs[0].committee = "".into();
        b.projects[0].committee = "N1".into();
        b.projects[0].needs = vec!["R1".into()];
        b.projects[0].resources = vec!["N1".into()];
        b.volunteering[0].member = "U1".into();
        b.volunteering[0].committee = "zz".into();
        b.responsibilities[0].party_org = "S1".into();
        let ps = problems(&b);
        let expected = [
            ("/streets/0", "district", "no district has that id"),
            (
                "/communities/0",
                "street",
                "which is a district (/districts/0), not a street",
            ),
            ("/committees/0", "community", "not a community"),
            ("/adjacency/1", "a", "not a committee"),
            ("/adjacency/1", "b", "no committee"),
            ("/party_orgs/1", "parent", "not a party org"),
            (
                "/party_orgs/0",
                "leads",
                "not a street, community, committee or unit",
            ),
            ("/units/0", "street", "not a street"),
            ("/social_orgs/0", "street", "no street"),
            ("/members/0", "employer", "not a unit"),
            ("/members/0", "registered_at", "not a committee"),
            ("/partnerships/0", "unit", "not a unit"),
            (
                "/partnerships/0",
                "target",
                "not a street, community or committee",
            ),
            ("/mass_links/0", "mass_org", "not a mass org"),
            ("/mass_links/0", "target", "which is a unit"),
            (
                "/resources/0",
                "provider",
                "not a unit, mass org, social org, street or community",
            ),
            ("/resources/0", "deployed_to", "`C1`"),
            ("/needs/0", "committee", "is empty"),
            ("/projects/0", "committee", "not a committee"),
            ("/projects/0", "needs", "not a need"),
            ("/projects/0", "resources", "not a resource"),
            ("/volunteering/0", "member", "not a member"),
            ("/volunteering/0", "committee", "no committee"),
            ("/responsibilities/0", "party_org", "not a party org"),
        ];
        for (loc, field, needle) in expected {
            assert!(
                has(&ps, loc, field, needle),
                "missing {loc} {field} {needle}: {ps:#?}"
            );
        }
        assert_eq!(ps.len(), expected.len(), "{ps:#?}");
        // Ordered by table, then row.
        assert_eq!(ps[0].table, "streets");
        assert_eq!(
            ps.last().map(|p| p.table.as_str()),
            Some("responsibilities")
        );
    }

    #[test]
    fn adjacency_to_itself() {
        let mut b = sample();
        b.adjacency[0].b = "K1".into();
        assert!(has(
            &problems(&b),
            "/adjacency/0",
            "b",
            "cannot border itself"
        ));
    }

    #[test]
    fn party_org_cycles_reported_once_per_org() {
        let mut b = sample();
        let org = |id: &str, parent: &str| PartyOrg {
            id: id.into(),
            name: format!("{id}党支部"),
            level: PartyOrgLevel::Branch,
            parent: Some(parent.into()),
            leads: "K2".into(),
            secretary: "赵".into(),
        };
        b.party_orgs.push(org("A", "B"));
        b.party_orgs.push(org("B", "C"));
        b.party_orgs.push(org("C", "A"));
        b.party_orgs.push(org("X", "A")); // leads into the cycle, not on it
        b.party_orgs.push(org("Y", "Y"));
        let ps = problems(&b);
        let cyc: Vec<_> = ps.iter().filter(|p| p.message.contains("cycle")).collect();
        assert_eq!(cyc.len(), 4, "{ps:#?}");
        for loc in [
            "/party_orgs/2",
            "/party_orgs/3",
            "/party_orgs/4",
            "/party_orgs/6",
        ] {
            assert!(cyc.iter().any(|p| p.location == loc), "{loc}: {ps:#?}");
        }
        assert!(
            cyc.iter().any(|p| p.message.contains("A → B → C → A")),
            "{ps:#?}"
        );
    }

    #[test]
    fn dates_and_quantities() {
        let mut b = sample();
        b.partnerships[0].expires = Some(d("2023-12-31"));
        b.resources[0].capacity = 0;
        b.needs[0].demand = 0;
        b.volunteering[0].hours = -1.0;
        let first = b.volunteering[0].clone();
        b.volunteering.push(Volunteering {
            hours: f64::NAN,
            ..first
        });
        b.members[0].birth_year = 1850;
        b.social_orgs[0].domains.clear();
        let ps = problems(&b);
        assert!(
            has(&ps, "/partnerships/0", "expires", "must be after signed"),
            "{ps:#?}"
        );
        assert!(has(&ps, "/resources/0", "capacity", "greater than 0"));
        assert!(has(&ps, "/needs/0", "demand", "greater than 0"));
        assert!(has(&ps, "/volunteering/0", "hours", "≥ 0"));
        assert!(has(&ps, "/volunteering/1", "hours", "finite"));
        assert!(has(&ps, "/members/0", "birth_year", "1850"));
        assert!(has(&ps, "/social_orgs/0", "domains", "empty"));
        assert_eq!(ps.len(), 7, "{ps:#?}");
    }

    #[test]
    fn bounds_of_spec_2_are_enforced_at_the_limit_plus_one() {
        let mut b = sample();
        b.resources[0].capacity = MAX_CAPACITY;
        b.needs[0].demand = MAX_DEMAND;
        b.volunteering[0].hours = MAX_HOURS_PER_ROW;
        assert!(problems(&b).is_empty(), "{:#?}", problems(&b));
        b.resources[0].capacity = MAX_CAPACITY + 1;
        b.needs[0].demand = 7_000_000_000_000_000_000;
        b.volunteering[0].hours = 10_000.5;
        let ps = problems(&b);
        assert!(has(&ps, "/resources/0", "capacity", "limit of 1000000000"));
        assert!(has(&ps, "/needs/0", "demand", "7000000000000000000"));
        assert!(has(&ps, "/volunteering/0", "hours", "10000.5"));
        assert_eq!(ps.len(), 3, "{ps:#?}");
    }

    #[test]
    fn city_is_reserved_case_sensitively_in_validate_and_upsert() {
        // The sample with its street `S1` renamed everywhere.
        let renamed = |to: &str| -> Bundle {
            let text = serde_json::to_string(&sample()).expect("serialize");
            serde_json::from_str(&text.replace("\"S1\"", &format!("\"{to}\""))).expect("parse")
        };
        let ps = problems(&renamed("city"));
        assert!(has(&ps, "/streets/0", "id", "reserved"), "{ps:#?}");
        assert_eq!(ps.len(), 1, "{ps:#?}");
        let ok = renamed("City");
        assert!(problems(&ok).is_empty(), "{:#?}", problems(&ok));
        // Added through an upsert too.
        let current = sample();
        let partial = Bundle {
            districts: (vec![District {
                id: "city".into(),
                name: "全市".into(),
            }])
            .into(),
            ..Bundle::default()
        };
        let ps = validate_upsert(&current, &partial)
            .expect_err("city refused")
            .0;
        assert!(has(&ps, "/districts/1", "id", "reserved"), "{ps:#?}");
    }

    #[test]
    fn same_day_expiry_is_a_problem() {
        let mut b = sample();
        b.partnerships[0].expires = Some(b.partnerships[0].signed);
        assert!(has(&problems(&b), "/partnerships/0", "expires", "after"));
    }

    #[test]
    fn rows_elsewhere_are_not_dangling() {
        let mut b = sample();
        b.needs[0].committee = "K7".into();
        assert_eq!(validation_problems(&b, &[("committees", "K7")]), vec![]);
        let ps = validation_problems(&b, &[("units", "K7")]);
        assert_eq!(ps.len(), 1);
        assert!(ps[0].message.contains("which is a unit (units)"), "{ps:#?}");
    }

    #[test]
    fn large_bundle_validates_fast() {
        let mut b = sample();
        let (member, volunteering) = (b.members[0].clone(), b.volunteering[0].clone());
        for i in 0..200_000 {
            b.members.push(Member {
                id: format!("m{i}").into(),
                ..member.clone()
            });
            b.volunteering.push(Volunteering {
                member: format!("m{i}").into(),
                ..volunteering.clone()
            });
        }
        let t = std::time::Instant::now();
        assert_eq!(validate(&b), Ok(()));
        // Generous even for debug builds; release is far quicker.
        assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
    }

    /// A small deterministic xorshift generator for the property test.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'x, T>(&mut self, xs: &'x [T]) -> &'x T {
            &xs[self.below(xs.len())]
        }
    }

    /// Rewrites one field of a row (as JSON) to something that may or may not be valid.
    fn mutate(rng: &mut Rng, row: &mut serde_json::Value, pool: &[String], same: &[String]) {
        let Some(obj) = row.as_object_mut() else {
            return;
        };
        let mut keys: Vec<String> = obj.keys().cloned().collect();
        keys.push("parent".into());
        let key = rng.pick(&keys).clone();
        let id = |rng: &mut Rng| -> String {
            match rng.below(10) {
                0 => String::new(),
                1 => " ".into(),
                2 => format!("new{}", rng.below(4)),
                3..=5 if !same.is_empty() => rng.pick(same).clone(),
                _ => rng.pick(pool).clone(),
            }
        };
        let value = match obj.get(&key) {
            Some(serde_json::Value::String(_)) | None => serde_json::Value::String(id(rng)),
            Some(serde_json::Value::Array(a)) if a.iter().all(|x| x.is_string()) => {
                let mut a = a.clone();
                if a.is_empty() || rng.below(2) == 0 {
                    a.push(id(rng).into());
                } else {
                    a.clear();
                }
                a.into()
            }
            Some(serde_json::Value::Number(_)) => {
                serde_json::json!(rng.pick(&[0.0, -1.0, 1850.0, 7.0, 1985.0, 3.5]))
            }
            Some(other) => other.clone(),
        };
        obj.insert(key, value);
    }

    /// `validate_upsert` answers exactly as validating the merged whole does — same problems,
    /// locations and order — over many random small partials of the Shanghai sample, valid
    /// and invalid ones (dangling and wrong-kind references, empty and duplicate ids across
    /// tables, field rules, party-org cycles, repeated id-less rows).
    #[test]
    fn validate_upsert_equals_validating_the_merged_whole() {
        let text = include_str!("../../../seed/shanghai-sample.json");
        let current: Bundle = serde_json::from_str(text).expect("sample");
        assert_eq!(validate(&current), Ok(()));
        let whole = serde_json::to_value(&current).expect("json");
        let tables: Vec<(String, Vec<serde_json::Value>)> = whole
            .as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_array().cloned().unwrap_or_default()))
            .filter(|(_, rows)| !rows.is_empty())
            .collect();
        let ids_in = |rows: &[serde_json::Value]| -> Vec<String> {
            rows.iter()
                .filter_map(|r| r.get("id").and_then(|v| v.as_str()).map(str::to_string))
                .collect()
        };
        let pool: Vec<String> = tables.iter().flat_map(|(_, rows)| ids_in(rows)).collect();
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut ok, mut invalid, mut slow, mut cycles) = (0, 0, 0, 0);
        for round in 0..3000 {
            let mut partial = serde_json::Map::new();
            for _ in 0..1 + rng.below(3) {
                let (table, rows) = rng.pick(&tables);
                let mut row = rng.pick(rows).clone();
                let same = ids_in(rows);
                match rng.below(3) {
                    // An existing row, changed.
                    0 => {}
                    // A new row.
                    1 => {
                        if let Some(obj) = row.as_object_mut()
                            && obj.contains_key("id")
                        {
                            obj.insert("id".into(), format!("new{}", rng.below(4)).into());
                        }
                    }
                    // An existing row, unchanged or a copy (id-less rows dedupe).
                    _ => {
                        partial
                            .entry(table.clone())
                            .or_insert_with(|| serde_json::Value::Array(vec![]))
                            .as_array_mut()
                            .expect("array")
                            .push(row);
                        continue;
                    }
                }
                for _ in 0..rng.below(3) {
                    mutate(&mut rng, &mut row, &pool, &same);
                }
                // Now and then hang a party org under one of its children: a cycle.
                if table == "party_orgs" && rng.below(2) == 0 {
                    let id = row.get("id").cloned();
                    let children: Vec<&serde_json::Value> = rows
                        .iter()
                        .filter(|r| r.get("parent") == id.as_ref())
                        .collect();
                    if !children.is_empty()
                        && let (Some(obj), Some(child)) =
                            (row.as_object_mut(), rng.pick(&children).get("id"))
                    {
                        obj.insert("parent".into(), child.clone());
                    }
                }
                partial
                    .entry(table.clone())
                    .or_insert_with(|| serde_json::Value::Array(vec![]))
                    .as_array_mut()
                    .expect("array")
                    .push(row);
            }
            let Ok(partial) = serde_json::from_value::<Bundle>(partial.into()) else {
                continue;
            };
            let expected = validate(&current.merged(&partial));
            let got = validate_upsert(&current, &partial);
            assert_eq!(got, expected, "round {round}: partial {partial:#?}");
            let located = crate::merge::Scanned::of(&current);
            let got = validate_upsert_located(&current, &partial, &located);
            assert_eq!(
                got, expected,
                "round {round} (located): partial {partial:#?}"
            );
            if got.is_ok() {
                let mut merged = current.clone();
                let delta = merged.merge_located(partial.clone(), &located);
                assert_eq!(
                    format!("{merged:?}"),
                    format!("{:?}", current.merged(&partial)),
                    "round {round}: located merge"
                );
                // The version before, kept as spares, brought up to date by the delta alone.
                let mut spares = Bundle::default();
                let mut deltas = crate::merge::Delta::default();
                let before = crate::merge::tests_deep_copy(&current);
                Bundle::keep_spares(&mut spares, &mut deltas, &before, delta);
                drop(before);
                let (next, _) = Bundle::from_spares(&merged, &mut spares, &deltas, &partial);
                assert_eq!(
                    format!("{next:?}"),
                    format!("{merged:?}"),
                    "round {round}: catch-up"
                );
            }
            match upsert_problems(&current, &partial, None) {
                None => slow += 1,
                Some(ps) if ps.is_empty() => ok += 1,
                Some(ps) => {
                    invalid += 1;
                    if ps.iter().any(|p| p.message.contains("cycle")) {
                        cycles += 1;
                    }
                }
            }
        }
        // Every path was exercised, mostly the incremental one.
        assert!(ok > 300, "{ok} valid");
        assert!(invalid > 300, "{invalid} invalid");
        assert!(cycles > 5, "{cycles} with cycles");
        assert!(slow > 20, "{slow} duplicate-id fallbacks");
    }
}
