//! Semantic validation of a whole bundle (SPEC §2): unique ids, references that resolve to the
//! right kind of row, party-org cycles, dates and quantities — every problem in one pass.

use crate::bundle::*;
use crate::problem::{Problem, Problems};
use std::collections::HashMap;

/// foldhash (hashbrown's own default hasher): several times faster than SipHash on short id
/// strings, which matters with millions of rows, and well mixed in the low bits that
/// hashbrown uses to pick buckets — a hand-rolled Fx hash here collided on the sequential ids
/// of a Shanghai-scale network and made validation take 47 s instead of under one.
type IdIndex<'a> = HashMap<&'a str, (Kind, usize), foldhash::fast::RandomState>;

/// What kind of row an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    District,
    Street,
    Community,
    Committee,
    PartyOrg,
    Unit,
    MassOrg,
    SocialOrg,
    Member,
    Partnership,
    Resource,
    Need,
    Project,
    Responsibility,
}

impl Kind {
    /// The table that holds rows of this kind.
    pub fn table(self) -> &'static str {
        match self {
            Self::District => "districts",
            Self::Street => "streets",
            Self::Community => "communities",
            Self::Committee => "committees",
            Self::PartyOrg => "party_orgs",
            Self::Unit => "units",
            Self::MassOrg => "mass_orgs",
            Self::SocialOrg => "social_orgs",
            Self::Member => "members",
            Self::Partnership => "partnerships",
            Self::Resource => "resources",
            Self::Need => "needs",
            Self::Project => "projects",
            Self::Responsibility => "responsibilities",
        }
    }

    /// The kind of a table with ids, by table name.
    pub fn of_table(table: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.table() == table)
    }

    /// Every kind, in bundle order.
    pub const ALL: [Kind; 14] = [
        Self::District,
        Self::Street,
        Self::Community,
        Self::Committee,
        Self::PartyOrg,
        Self::Unit,
        Self::MassOrg,
        Self::SocialOrg,
        Self::Member,
        Self::Partnership,
        Self::Resource,
        Self::Need,
        Self::Project,
        Self::Responsibility,
    ];

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
            let row = Row {
                table: "districts",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
        }
        for (i, r) in b.streets.iter().enumerate() {
            let row = Row {
                table: "streets",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
            self.reference(row, "district", &r.district, DISTRICT);
        }
        for (i, r) in b.communities.iter().enumerate() {
            let row = Row {
                table: "communities",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
            self.reference(row, "street", &r.street, STREET);
        }
        for (i, r) in b.committees.iter().enumerate() {
            let row = Row {
                table: "committees",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
            self.reference(row, "community", &r.community, COMMUNITY);
        }
        for (i, r) in b.adjacency.iter().enumerate() {
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
        for (i, r) in b.party_orgs.iter().enumerate() {
            let row = Row {
                table: "party_orgs",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
            if let Some(p) = &r.parent {
                self.reference(row, "parent", p, PARTY_ORG);
            }
            self.reference(row, "leads", &r.leads, LEADABLE);
        }
        for (i, r) in b.units.iter().enumerate() {
            let row = Row {
                table: "units",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
            self.reference(row, "street", &r.street, STREET);
        }
        for (i, r) in b.mass_orgs.iter().enumerate() {
            let row = Row {
                table: "mass_orgs",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
        }
        for (i, r) in b.social_orgs.iter().enumerate() {
            let row = Row {
                table: "social_orgs",
                index: i,
                id: Some(&r.id),
            };
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
        for (i, r) in b.members.iter().enumerate() {
            let row = Row {
                table: "members",
                index: i,
                id: Some(&r.id),
            };
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
        for (i, r) in b.partnerships.iter().enumerate() {
            let row = Row {
                table: "partnerships",
                index: i,
                id: Some(&r.id),
            };
            self.reference(row, "unit", &r.unit, UNIT);
            self.reference(row, "target", &r.target, AREA);
            if let Some(expires) = r.expires
                && expires <= r.signed
            {
                let msg = format!("expires ({expires}) must be after signed ({})", r.signed);
                self.push(row, Some("expires"), msg);
            }
        }
        for (i, r) in b.mass_links.iter().enumerate() {
            let row = Row {
                table: "mass_links",
                index: i,
                id: None,
            };
            self.reference(row, "mass_org", &r.mass_org, MASS_ORG);
            self.reference(row, "target", &r.target, AREA);
        }
        for (i, r) in b.resources.iter().enumerate() {
            let row = Row {
                table: "resources",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
            self.reference(row, "provider", &r.provider, PROVIDER);
            if r.capacity == 0 {
                self.push(
                    row,
                    Some("capacity"),
                    "capacity must be greater than 0".into(),
                );
            }
            for c in r.deployed_to.iter().flatten() {
                self.reference(row, "deployed_to", c, COMMITTEE);
            }
        }
        for (i, r) in b.needs.iter().enumerate() {
            let row = Row {
                table: "needs",
                index: i,
                id: Some(&r.id),
            };
            self.reference(row, "committee", &r.committee, COMMITTEE);
            if r.demand == 0 {
                self.push(row, Some("demand"), "demand must be greater than 0".into());
            }
        }
        for (i, r) in b.projects.iter().enumerate() {
            let row = Row {
                table: "projects",
                index: i,
                id: Some(&r.id),
            };
            self.name(row, "name", &r.name);
            self.reference(row, "committee", &r.committee, COMMITTEE);
            for n in &r.needs {
                self.reference(row, "needs", n, NEED);
            }
            for res in &r.resources {
                self.reference(row, "resources", res, RESOURCE);
            }
        }
        for (i, r) in b.volunteering.iter().enumerate() {
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
            }
        }
        for (i, r) in b.responsibilities.iter().enumerate() {
            let row = Row {
                table: "responsibilities",
                index: i,
                id: Some(&r.id),
            };
            self.reference(row, "party_org", &r.party_org, PARTY_ORG);
            self.name(row, "item", &r.item);
        }
    }

    /// Reports every party org that lies on a cycle of the `parent` chain, once.
    fn check_party_org_cycles(&mut self, b: &'a Bundle) {
        let orgs = &b.party_orgs;
        let parent: Vec<Option<usize>> = orgs
            .iter()
            .map(|o| {
                let p = o.parent.as_deref()?;
                match self.index.get(p) {
                    Some(&(Kind::PartyOrg, j)) if j != usize::MAX => Some(j),
                    _ => None,
                }
            })
            .collect();
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
            districts: vec![District {
                id: "D1".into(),
                name: "黄浦区".into(),
            }],
            streets: vec![Street {
                id: "S1".into(),
                name: "外滩街道".into(),
                district: "D1".into(),
                kind: StreetKind::Street,
            }],
            communities: vec![Community {
                id: "C1".into(),
                name: "社区一".into(),
                street: "S1".into(),
            }],
            committees: vec![
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
            ],
            adjacency: vec![Adjacency {
                a: "K1".into(),
                b: "K2".into(),
            }],
            party_orgs: vec![
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
            ],
            units: vec![Unit {
                id: "U1".into(),
                name: "某医院".into(),
                category: UnitCategory::Hospital,
                industry: "医疗".into(),
                street: "S1".into(),
            }],
            mass_orgs: vec![MassOrg {
                id: "M1".into(),
                name: "街道工会".into(),
                kind: MassOrgType::Union,
            }],
            social_orgs: vec![SocialOrg {
                id: "O1".into(),
                name: "阳光社工".into(),
                street: "S1".into(),
                domains: vec![ServiceDomain::ElderlyCare],
            }],
            members: vec![Member {
                id: "E1".into(),
                name: "王五".into(),
                birth_year: 1990,
                employer: Some("U1".into()),
                registered_at: Some("K1".into()),
                skills: vec!["护理".into()],
            }],
            partnerships: vec![Partnership {
                id: "PS1".into(),
                unit: "U1".into(),
                target: "C1".into(),
                signed: d("2024-01-01"),
                expires: Some(d("2027-01-01")),
            }],
            mass_links: vec![MassLink {
                mass_org: "M1".into(),
                target: "S1".into(),
                domain: ServiceDomain::Employment,
            }],
            resources: vec![Resource {
                id: "R1".into(),
                name: "义诊".into(),
                provider: "U1".into(),
                domain: ServiceDomain::Healthcare,
                capacity: 12,
                deployed_to: Some(vec!["K1".into()]),
            }],
            needs: vec![Need {
                id: "N1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::Healthcare,
                demand: 5,
            }],
            projects: vec![Project {
                id: "J1".into(),
                name: "健康进社区".into(),
                committee: "K1".into(),
                needs: vec!["N1".into()],
                resources: vec!["R1".into()],
                status: ProjectStatus::Active,
            }],
            volunteering: vec![Volunteering {
                member: "E1".into(),
                committee: "K1".into(),
                domain: ServiceDomain::Healthcare,
                hours: 2.5,
                date: d("2025-06-01"),
            }],
            responsibilities: vec![Responsibility {
                id: "T1".into(),
                party_org: "P2".into(),
                item: "走访驻区单位".into(),
                due: Some(d("2025-12-31")),
                status: ItemStatus::Open,
            }],
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
        b.members.push(Member {
            id: "E1".into(),
            ..b.members[0].clone()
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
        b.volunteering.push(Volunteering {
            hours: f64::NAN,
            ..b.volunteering[0].clone()
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
        for i in 0..200_000 {
            b.members.push(Member {
                id: format!("m{i}"),
                ..b.members[0].clone()
            });
            b.volunteering.push(Volunteering {
                member: format!("m{i}"),
                ..b.volunteering[0].clone()
            });
        }
        let t = std::time::Instant::now();
        assert_eq!(validate(&b), Ok(()));
        // Generous even for debug builds; release is far quicker.
        assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
    }
}
