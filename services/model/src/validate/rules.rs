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

/// One rule of a row `$r`, reported to `$c` (see `rules!`).
macro_rules! rule {
    ($r:ident $c:ident name($f:ident)) => {
        $c.name(stringify!($f), &$r.$f)
    };
    ($r:ident $c:ident one($f:ident, $kinds:ident)) => {
        $c.reference(stringify!($f), &$r.$f, $kinds)
    };
    ($r:ident $c:ident opt($f:ident, $kinds:ident)) => {
        if let Some(target) = &$r.$f {
            $c.reference(stringify!($f), target, $kinds);
        }
    };
    ($r:ident $c:ident each($f:ident, $kinds:ident)) => {
        for target in $r.$f.iter() {
            $c.reference(stringify!($f), target, $kinds);
        }
    };
    ($r:ident $c:ident each_opt($f:ident, $kinds:ident)) => {
        for target in $r.$f.iter().flatten() {
            $c.reference(stringify!($f), target, $kinds);
        }
    };
    ($r:ident $c:ident amount($f:ident, $max:expr)) => {
        if let Some(msg) = amount(stringify!($f), $r.$f, $max) {
            $c.problem(stringify!($f), msg);
        }
    };
    ($r:ident $c:ident check($f:ident, $rule:ident)) => {
        if let Some(msg) = $rule($r) {
            $c.problem(stringify!($f), msg);
        }
    };
}

/// The [`Rules`] of each row type, one line each, in the order a row's problems are reported:
/// `name(f)` — `f` is not blank; `one(f, K)` — `f` names a row of one of the kinds `K`;
/// `opt(f, K)`, `each(f, K)`, `each_opt(f, K)` — the same for an optional field, a list and an
/// optional list; `amount(f, MAX)` — `f` is between 1 and `MAX`; `check(f, g)` — the problem
/// `g(row)` finds, reported on `f`.
macro_rules! rules {
    ($($row:ident: $($kind:ident $args:tt),*;)*) => {$(
        impl Rules for $row {
            fn rules<'r>(&'r self, c: &mut impl Check<'r>) {
                let r = self;
                $(rule!(r c $kind $args);)*
            }
        }
    )*};
}

rules! {
    District: name(name);
    Street: name(name), one(district, DISTRICT);
    Community: name(name), one(street, STREET);
    Committee: name(name), one(community, COMMUNITY);
    Adjacency: one(a, COMMITTEE), one(b, COMMITTEE), check(b, not_itself);
    PartyOrg: name(name), opt(parent, PARTY_ORG), one(leads, LEADABLE);
    Unit: name(name), one(street, STREET);
    MassOrg: name(name);
    SocialOrg: name(name), one(street, STREET), check(domains, some_domain);
    Member: name(name), check(birth_year, plausible_birth_year), opt(employer, UNIT),
        opt(registered_at, COMMITTEE);
    Partnership: one(unit, UNIT), one(target, AREA), check(expires, expires_after_signed);
    MassLink: one(mass_org, MASS_ORG), one(target, AREA);
    Resource: name(name), one(provider, PROVIDER), amount(capacity, MAX_CAPACITY),
        each_opt(deployed_to, COMMITTEE);
    Need: one(committee, COMMITTEE), amount(demand, MAX_DEMAND);
    Project: name(name), one(committee, COMMITTEE), each(needs, NEED), each(resources, RESOURCE);
    Volunteering: one(member, MEMBER), one(committee, COMMITTEE), check(hours, hours_in_bounds);
    Responsibility: one(party_org, PARTY_ORG), name(item);
}

/// A quantity of `field`: more than 0 and at most `max`.
fn amount(field: &str, value: u64, max: u64) -> Option<String> {
    if value == 0 {
        Some(format!("{field} must be greater than 0"))
    } else if value > max {
        Some(format!("{field} {value} is above the limit of {max}"))
    } else {
        None
    }
}

/// A committee cannot border itself.
fn not_itself(r: &Adjacency) -> Option<String> {
    (r.a == r.b && !r.a.is_empty()).then(|| {
        format!(
            "a committee cannot border itself (`a` and `b` are both `{}`)",
            r.a
        )
    })
}

/// A social organisation serves at least one domain.
fn some_domain(r: &SocialOrg) -> Option<String> {
    r.domains
        .is_empty()
        .then(|| "`domains` is empty; list at least one service domain".into())
}

/// A member was born between 1900 and 2100.
fn plausible_birth_year(r: &Member) -> Option<String> {
    (!(1900..=2100).contains(&r.birth_year)).then(|| {
        format!(
            "birth year {} is not plausible (expected 1900 to 2100)",
            r.birth_year
        )
    })
}

/// A partnership expires after it was signed.
fn expires_after_signed(r: &Partnership) -> Option<String> {
    let expires = r.expires.filter(|e| *e <= r.signed)?;
    Some(format!(
        "expires ({expires}) must be after signed ({})",
        r.signed
    ))
}

/// Volunteering hours are a finite number from 0 to [`MAX_HOURS_PER_ROW`].
fn hours_in_bounds(r: &Volunteering) -> Option<String> {
    if !r.hours.is_finite() || r.hours < 0.0 {
        Some(format!(
            "hours must be a finite number ≥ 0, not {}",
            r.hours
        ))
    } else if r.hours > MAX_HOURS_PER_ROW {
        Some(format!(
            "hours {} is above the limit of {MAX_HOURS_PER_ROW} per row",
            r.hours
        ))
    } else {
        None
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
