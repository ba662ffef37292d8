//! The rules of each table (SPEC §2), stated once per row type ([`Rules`]): which fields must
//! not be blank, which must name a row of which kinds, and the bounds of dates and quantities;
//! then the one rule over a whole table, no cycle of party-org parents. The same statement
//! both checks a row ([`Validator::check_row`]) and lists the ids it names ([`ids_of`]).

use super::kinds::{Kind, plural_nouns};
use super::{MAX_CAPACITY, MAX_DEMAND, MAX_HOURS_PER_ROW, RESERVED_IDS, Row, Validator};
use crate::bundle::*;

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

/// What a row's rules report to: a row being validated, or [`Named`] (the ids a row names).
pub(super) trait Check<'r> {
    /// `target` must name a row of one of the `allowed` kinds.
    fn reference(&mut self, field: &str, target: &'r str, allowed: &[Kind]);
    /// A broken rule of `field`.
    fn problem(&mut self, field: &str, message: String);

    /// `value` must not be blank.
    fn name(&mut self, field: &str, value: &str) {
        if value.trim().is_empty() {
            self.problem(field, format!("`{field}` is empty"));
        }
    }
}

/// The rules of one row type, checked in the order its problems are reported (after the
/// reserved-id rule every row with an id has).
pub(super) trait Rules: InTable {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>);
}

/// Where a row type is stored: its table and, for tables with ids, the row's id.
pub(super) trait InTable {
    /// The table's name, as in [`TABLES`].
    const TABLE: &'static str;
    /// The row's id; `None` in a table without ids.
    fn id(&self) -> Option<&str>;
}

impl Rules for District {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
    }
}

impl Rules for Street {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        c.reference("district", &self.district, DISTRICT);
    }
}

impl Rules for Community {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        c.reference("street", &self.street, STREET);
    }
}

impl Rules for Committee {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        c.reference("community", &self.community, COMMUNITY);
    }
}

impl Rules for Adjacency {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.reference("a", &self.a, COMMITTEE);
        c.reference("b", &self.b, COMMITTEE);
        if self.a == self.b && !self.a.is_empty() {
            let msg = format!(
                "a committee cannot border itself (`a` and `b` are both `{}`)",
                self.a
            );
            c.problem("b", msg);
        }
    }
}

impl Rules for PartyOrg {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        if let Some(p) = &self.parent {
            c.reference("parent", p, PARTY_ORG);
        }
        c.reference("leads", &self.leads, LEADABLE);
    }
}

impl Rules for Unit {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        c.reference("street", &self.street, STREET);
    }
}

impl Rules for MassOrg {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
    }
}

impl Rules for SocialOrg {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        c.reference("street", &self.street, STREET);
        if self.domains.is_empty() {
            let msg = "`domains` is empty; list at least one service domain";
            c.problem("domains", msg.into());
        }
    }
}

impl Rules for Member {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        if !(1900..=2100).contains(&self.birth_year) {
            let msg = format!(
                "birth year {} is not plausible (expected 1900 to 2100)",
                self.birth_year
            );
            c.problem("birth_year", msg);
        }
        if let Some(e) = &self.employer {
            c.reference("employer", e, UNIT);
        }
        if let Some(k) = &self.registered_at {
            c.reference("registered_at", k, COMMITTEE);
        }
    }
}

impl Rules for Partnership {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.reference("unit", &self.unit, UNIT);
        c.reference("target", &self.target, AREA);
        if let Some(expires) = self.expires
            && expires <= self.signed
        {
            let msg = format!("expires ({expires}) must be after signed ({})", self.signed);
            c.problem("expires", msg);
        }
    }
}

impl Rules for MassLink {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.reference("mass_org", &self.mass_org, MASS_ORG);
        c.reference("target", &self.target, AREA);
    }
}

impl Rules for Resource {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        c.reference("provider", &self.provider, PROVIDER);
        if self.capacity == 0 {
            c.problem("capacity", "capacity must be greater than 0".into());
        } else if self.capacity > MAX_CAPACITY {
            let msg = format!(
                "capacity {} is above the limit of {MAX_CAPACITY}",
                self.capacity
            );
            c.problem("capacity", msg);
        }
        for k in self.deployed_to.iter().flatten() {
            c.reference("deployed_to", k, COMMITTEE);
        }
    }
}

impl Rules for Need {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.reference("committee", &self.committee, COMMITTEE);
        if self.demand == 0 {
            c.problem("demand", "demand must be greater than 0".into());
        } else if self.demand > MAX_DEMAND {
            let msg = format!("demand {} is above the limit of {MAX_DEMAND}", self.demand);
            c.problem("demand", msg);
        }
    }
}

impl Rules for Project {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.name("name", &self.name);
        c.reference("committee", &self.committee, COMMITTEE);
        for n in &self.needs {
            c.reference("needs", n, NEED);
        }
        for r in &self.resources {
            c.reference("resources", r, RESOURCE);
        }
    }
}

impl Rules for Volunteering {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.reference("member", &self.member, MEMBER);
        c.reference("committee", &self.committee, COMMITTEE);
        if !self.hours.is_finite() || self.hours < 0.0 {
            let msg = format!("hours must be a finite number ≥ 0, not {}", self.hours);
            c.problem("hours", msg);
        } else if self.hours > MAX_HOURS_PER_ROW {
            let msg = format!(
                "hours {} is above the limit of {MAX_HOURS_PER_ROW} per row",
                self.hours
            );
            c.problem("hours", msg);
        }
    }
}

impl Rules for Responsibility {
    fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
        c.reference("party_org", &self.party_org, PARTY_ORG);
        c.name("item", &self.item);
    }
}

/// A row being validated: its rules report to the [`Validator`].
struct Checked<'v, 'a, 'r> {
    v: &'v mut Validator<'a>,
    row: Row<'r>,
}

impl<'x> Check<'x> for Checked<'_, '_, '_> {
    fn reference(&mut self, field: &str, target: &'x str, allowed: &[Kind]) {
        self.v.reference(self.row, field, target, allowed);
    }

    fn problem(&mut self, field: &str, message: String) {
        self.v.push(self.row, Some(field), message);
    }
}

/// The ids rows name, collected by running their rules with nothing reported.
pub(super) struct Named<'r>(Vec<&'r str>);

impl<'r> Check<'r> for Named<'r> {
    fn reference(&mut self, _: &str, target: &'r str, _: &[Kind]) {
        self.0.push(target);
    }

    fn problem(&mut self, _: &str, _: String) {}

    fn name(&mut self, _: &str, _: &str) {}
}

macro_rules! row_id {
    ($r:ident id) => {
        Some($r.id.as_str())
    };
    ($r:ident) => {
        None
    };
}

macro_rules! tables {
    ($($t:ident: $row:ident [$($id:ident)?]),* $(,)?) => {
        $(
            impl InTable for $row {
                const TABLE: &'static str = stringify!($t);
                fn id(&self) -> Option<&str> {
                    row_id!(self $($id)?)
                }
            }
        )*

        impl Validator<'_> {
            /// Checks every row of `b` by its table's rules.
            pub(super) fn check_rows(&mut self, b: &Bundle) {
                $(
                    for (i, r) in b.$t.iter().enumerate() {
                        self.check_row(i, r);
                    }
                )*
            }
        }

        /// Every id a row of `b` has or names.
        pub(super) fn ids_of(b: &Bundle) -> Vec<&str> {
            let mut named = Named(Vec::new());
            $(
                for r in b.$t.iter() {
                    named.0.extend(r.id());
                    r.rules(&mut named);
                }
            )*
            named.0
        }
    };
}
crate::for_each_table!(tables);

impl<'a> Validator<'a> {
    /// Checks row `index` of its table: a reserved id, then the rules of its type.
    pub(super) fn check_row<T: Rules>(&mut self, index: usize, r: &T) {
        let row = Row {
            table: T::TABLE,
            index,
            id: r.id(),
        };
        if let Some(id) = row.id
            && RESERVED_IDS.contains(&id)
        {
            let msg = format!("`{id}` is a reserved word and cannot be an id");
            self.push(row, Some("id"), msg);
        }
        r.rules(&mut Checked { v: self, row });
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

    /// Reports every party org that lies on a cycle of the `parent` chain, once.
    pub(super) fn check_party_org_cycles(&mut self, b: &'a Bundle) {
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
    pub(super) fn report_cycles(&mut self, orgs: &[&PartyOrg], parent: &[Option<usize>]) {
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
                                table: PartyOrg::TABLE,
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
