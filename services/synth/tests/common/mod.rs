//! Test helpers: an independent reference check of a bundle and a small reach computation
//! (SPEC §3 "Reach") used to prove the sample and generated networks contain every gap kind.

#![allow(dead_code)]

use dangjian_model::{Bundle, Date, Id, MassOrgType, ServiceDomain};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Every problem with ids and references, as readable lines; empty when the bundle is sound.
/// The blank-spot flags of SPEC §3, as `blank_spots` names them.
pub const BLANK_SPOT_FLAGS: [&str; 6] = [
    "no_party_org",
    "no_members",
    "no_partners",
    "no_union",
    "no_youth_league",
    "no_women_federation",
];

pub fn reference_problems(b: &Bundle) -> Vec<String> {
    let mut problems = Vec::new();
    let mut all: HashSet<&str> = HashSet::new();
    let mut kind: HashMap<&str, &str> = HashMap::new();
    macro_rules! ids {
        ($($table:ident),*) => {
            vec![$((stringify!($table), b.$table.iter().map(|r| r.id.as_str()).collect::<Vec<&str>>())),*]
        };
    }
    let mut tables = ids!(districts, streets, communities, committees);
    tables.extend(ids!(party_orgs, units, mass_orgs, social_orgs, members));
    tables.extend(ids!(partnerships, resources, needs, projects));
    tables.extend(ids!(responsibilities));
    for (table, ids) in tables {
        for x in ids {
            if x.is_empty() || !all.insert(x) {
                problems.push(format!("{table}: empty or duplicate id `{x}`"));
            }
            kind.insert(x, table);
        }
    }

    let mut expect = |what: &str, id: &str, tables: &[&str]| match kind.get(id) {
        Some(t) if tables.contains(t) => {}
        other => problems.push(format!(
            "{what}: `{id}` should be one of {tables:?}, is {other:?}"
        )),
    };
    for r in &b.streets {
        expect("street.district", &r.district, &["districts"]);
    }
    for r in &b.communities {
        expect("community.street", &r.street, &["streets"]);
    }
    for r in &b.committees {
        expect("committee.community", &r.community, &["communities"]);
    }
    for r in &b.adjacency {
        expect("adjacency.a", &r.a, &["committees"]);
        expect("adjacency.b", &r.b, &["committees"]);
    }
    for r in &b.party_orgs {
        if let Some(p) = &r.parent {
            expect("party_org.parent", p, &["party_orgs"]);
        }
        expect(
            "party_org.leads",
            &r.leads,
            &["streets", "communities", "committees", "units"],
        );
    }
    for r in &b.units {
        expect("unit.street", &r.street, &["streets"]);
    }
    for r in &b.social_orgs {
        expect("social_org.street", &r.street, &["streets"]);
    }
    for r in &b.members {
        if let Some(e) = &r.employer {
            expect("member.employer", e, &["units"]);
        }
        if let Some(k) = &r.registered_at {
            expect("member.registered_at", k, &["committees"]);
        }
    }
    let targets = ["streets", "communities", "committees"];
    for r in &b.partnerships {
        expect("partnership.unit", &r.unit, &["units"]);
        expect("partnership.target", &r.target, &targets);
    }
    for r in &b.mass_links {
        expect("mass_link.mass_org", &r.mass_org, &["mass_orgs"]);
        expect("mass_link.target", &r.target, &targets);
    }
    for r in &b.resources {
        expect(
            "resource.provider",
            &r.provider,
            &[
                "units",
                "mass_orgs",
                "social_orgs",
                "streets",
                "communities",
            ],
        );
        for k in r.deployed_to.iter().flatten() {
            expect("resource.deployed_to", k, &["committees"]);
        }
    }
    for r in &b.needs {
        expect("need.committee", &r.committee, &["committees"]);
    }
    for r in &b.projects {
        expect("project.committee", &r.committee, &["committees"]);
        for n in &r.needs {
            expect("project.needs", n, &["needs"]);
        }
        for x in &r.resources {
            expect("project.resources", x, &["resources"]);
        }
    }
    for r in &b.volunteering {
        expect("volunteering.member", &r.member, &["members"]);
        expect("volunteering.committee", &r.committee, &["committees"]);
    }
    for r in &b.responsibilities {
        expect("responsibility.party_org", &r.party_org, &["party_orgs"]);
    }

    // Values.
    let mut pairs = HashSet::new();
    for r in &b.adjacency {
        let key = if r.a < r.b {
            (&r.a, &r.b)
        } else {
            (&r.b, &r.a)
        };
        if r.a == r.b || !pairs.insert(key) {
            problems.push(format!("adjacency: self or duplicate pair {}–{}", r.a, r.b));
        }
    }
    for r in &b.partnerships {
        if r.expires.is_some_and(|e| e <= r.signed) {
            problems.push(format!("partnership {}: expires before it is signed", r.id));
        }
    }
    for r in &b.resources {
        if r.capacity == 0 || r.deployed_to.as_ref().is_some_and(Vec::is_empty) {
            problems.push(format!(
                "resource {}: zero capacity or empty deployed_to",
                r.id
            ));
        }
    }
    for r in &b.needs {
        if r.demand == 0 {
            problems.push(format!("need {}: zero demand", r.id));
        }
    }
    let need_committee: HashMap<&str, &str> = b
        .needs
        .iter()
        .map(|n| (n.id.as_str(), n.committee.as_str()))
        .collect();
    for r in &b.projects {
        for n in &r.needs {
            if need_committee
                .get(n.as_str())
                .is_some_and(|k| *k != r.committee)
            {
                problems.push(format!(
                    "project {}: need {n} is at another committee",
                    r.id
                ));
            }
        }
    }
    for r in &b.volunteering {
        if !(r.hours >= 0.0 && r.hours.is_finite()) {
            problems.push(format!(
                "volunteering of {}: bad hours {}",
                r.member, r.hours
            ));
        }
    }
    for r in &b.social_orgs {
        if r.domains.is_empty() {
            problems.push(format!("social org {}: no domains", r.id));
        }
    }
    // Party-org hierarchy has no cycles.
    let parent: HashMap<&str, &str> = b
        .party_orgs
        .iter()
        .filter_map(|p| p.parent.as_deref().map(|q| (p.id.as_str(), q)))
        .collect();
    for p in &b.party_orgs {
        let mut at = p.id.as_str();
        let mut steps = 0;
        while let Some(q) = parent.get(at) {
            at = q;
            steps += 1;
            if steps > b.party_orgs.len() {
                problems.push(format!("party org {}: cycle in parent chain", p.id));
                break;
            }
        }
    }
    problems
}

/// The reach of every actor at `as_of`, per SPEC §3, keyed by committee.
pub struct Reach<'a> {
    /// committee → its street and community.
    pub street_of: HashMap<&'a str, &'a str>,
    pub community_of: HashMap<&'a str, &'a str>,
    /// committee → units with an active partnership reaching it (any level).
    pub units: HashMap<&'a str, BTreeSet<&'a str>>,
    /// committee → mass-org types reaching it.
    pub mass_types: HashMap<&'a str, BTreeSet<MassOrgType>>,
    /// actor (unit, mass org, social org, street, community) → committees it reaches.
    pub actor: HashMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> Reach<'a> {
    pub fn new(b: &'a Bundle, as_of: Date) -> Self {
        let community_street: HashMap<&str, &str> = b
            .communities
            .iter()
            .map(|c| (c.id.as_str(), c.street.as_str()))
            .collect();
        let mut street_of = HashMap::new();
        let mut community_of = HashMap::new();
        let mut under: HashMap<&str, Vec<&str>> = HashMap::new();
        for k in &b.committees {
            let s = community_street[k.community.as_str()];
            street_of.insert(k.id.as_str(), s);
            community_of.insert(k.id.as_str(), k.community.as_str());
            under.entry(k.id.as_str()).or_default().push(k.id.as_str());
            under
                .entry(k.community.as_str())
                .or_default()
                .push(k.id.as_str());
            under.entry(s).or_default().push(k.id.as_str());
        }
        let mut actor: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        let mut units: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for p in b.partnerships.iter().filter(|p| p.is_active(as_of)) {
            for &k in under.get(p.target.as_str()).into_iter().flatten() {
                actor.entry(p.unit.as_str()).or_default().insert(k);
                units.entry(k).or_default().insert(p.unit.as_str());
            }
        }
        let types: HashMap<&str, MassOrgType> = b
            .mass_orgs
            .iter()
            .map(|m| (m.id.as_str(), m.kind))
            .collect();
        let mut mass_types: HashMap<&str, BTreeSet<MassOrgType>> = HashMap::new();
        for l in &b.mass_links {
            for &k in under.get(l.target.as_str()).into_iter().flatten() {
                actor.entry(l.mass_org.as_str()).or_default().insert(k);
                mass_types
                    .entry(k)
                    .or_default()
                    .insert(types[l.mass_org.as_str()]);
            }
        }
        for o in &b.social_orgs {
            let set = actor.entry(o.id.as_str()).or_default();
            set.extend(under.get(o.street.as_str()).into_iter().flatten().copied());
        }
        for s in &b.streets {
            let set = actor.entry(s.id.as_str()).or_default();
            set.extend(under.get(s.id.as_str()).into_iter().flatten().copied());
        }
        for c in &b.communities {
            let set = actor.entry(c.id.as_str()).or_default();
            set.extend(under.get(c.id.as_str()).into_iter().flatten().copied());
        }
        Reach {
            street_of,
            community_of,
            units,
            mass_types,
            actor,
        }
    }

    /// Committees a resource reaches: its `deployed_to`, else its provider's reach.
    pub fn resource_reach(&self, r: &'a dangjian_model::Resource) -> BTreeSet<&'a str> {
        match &r.deployed_to {
            Some(list) => list.iter().map(Id::as_str).collect(),
            None => self
                .actor
                .get(r.provider.as_str())
                .cloned()
                .unwrap_or_default(),
        }
    }
}

/// The blank-spot flags of every committee at `as_of`, computed from first principles.
pub fn blank_spots<'a>(
    b: &'a Bundle,
    reach: &Reach<'a>,
) -> HashMap<&'a str, BTreeSet<&'static str>> {
    let led: HashSet<&str> = b.party_orgs.iter().map(|p| p.leads.as_str()).collect();
    let registered: HashSet<&str> = b
        .members
        .iter()
        .filter_map(|m| m.registered_at.as_deref())
        .collect();
    let mut out = HashMap::new();
    for k in &b.committees {
        let id = k.id.as_str();
        let mut flags = BTreeSet::new();
        if !led.contains(id) {
            flags.insert("no_party_org");
        }
        if !registered.contains(id) {
            flags.insert("no_members");
        }
        if reach.units.get(id).is_none_or(BTreeSet::is_empty) {
            flags.insert("no_partners");
        }
        let types = reach.mass_types.get(id);
        for (t, flag) in [
            (MassOrgType::Union, "no_union"),
            (MassOrgType::YouthLeague, "no_youth_league"),
            (MassOrgType::WomenFederation, "no_women_federation"),
        ] {
            if !types.is_some_and(|s| s.contains(&t)) {
                flags.insert(flag);
            }
        }
        out.insert(id, flags);
    }
    out
}

/// Gap facts: (unreachable needs, stranded resources, needs surely unmet, sole-partner units).
pub struct Gaps<'a> {
    pub unreachable: Vec<&'a str>,
    pub stranded: Vec<&'a str>,
    /// Needs whose demand exceeds the whole capacity of every resource able to serve them.
    pub surely_unmet: Vec<&'a str>,
    pub sole_partners: BTreeSet<&'a str>,
}

pub fn gaps<'a>(b: &'a Bundle, reach: &Reach<'a>) -> Gaps<'a> {
    let mut serving: HashMap<(&str, ServiceDomain), u64> = HashMap::new();
    let mut need_at: HashSet<(&str, ServiceDomain)> = HashSet::new();
    for n in &b.needs {
        need_at.insert((n.committee.as_str(), n.domain));
    }
    let mut stranded = Vec::new();
    for r in &b.resources {
        let reach_set = reach.resource_reach(r);
        if !reach_set.iter().any(|k| need_at.contains(&(*k, r.domain))) {
            stranded.push(r.id.as_str());
        }
        for k in reach_set {
            *serving.entry((k, r.domain)).or_default() += r.capacity;
        }
    }
    let mut unreachable = Vec::new();
    let mut surely_unmet = Vec::new();
    for n in &b.needs {
        match serving.get(&(n.committee.as_str(), n.domain)) {
            None => unreachable.push(n.id.as_str()),
            Some(c) if *c < n.demand => surely_unmet.push(n.id.as_str()),
            Some(_) => {}
        }
    }
    let sole_partners = reach
        .units
        .values()
        .filter(|s| s.len() == 1)
        .flat_map(|s| s.iter().copied())
        .collect();
    Gaps {
        unreachable,
        stranded,
        surely_unmet,
        sole_partners,
    }
}

/// The `as_of` the sample and generator are shaped for.
pub fn as_of() -> Date {
    Date::from_ymd_opt(2026, 6, 30).expect("a real date")
}
