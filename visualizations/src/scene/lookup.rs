//! Lookups and counts for a scene: names and records by id, members in service per pair,
//! and where an id sits in the drawn tree.

use super::*;

/// Names and records by id, built once per build and shared by every grain tried.
pub(super) struct Lookup<'a> {
    pub(super) names: HashMap<&'a str, &'a str>,
    pub(super) street_kind: HashMap<&'a str, StreetKind>,
    /// The leading org of each street, community, committee or unit: the first by id.
    pub(super) org_of: HashMap<&'a str, &'a PartyOrg>,
    pub(super) units: HashMap<&'a str, &'a Unit>,
    pub(super) mass_orgs: HashMap<&'a str, &'a MassOrg>,
    pub(super) social_orgs: HashMap<&'a str, &'a SocialOrg>,
    pub(super) households: HashMap<&'a str, u64>,
    /// Members in service per (employer, committee), for the partnerships view.
    pub(super) in_service: InService<'a>,
}

/// Members per (employer, committee) in scope: registered there, and volunteering there in
/// the year up to `as_of` (distinct members, hours). Counted once per build, whatever the grain.
#[derive(Debug, Default)]
pub(super) struct InService<'a> {
    pub(super) pairs: BTreeMap<(&'a str, &'a str), PairStats<'a>>,
}

#[derive(Debug, Default)]
pub(super) struct PairStats<'a> {
    pub(super) registered: u64,
    pub(super) volunteers: BTreeSet<&'a str>,
    pub(super) hours: f64,
}

impl<'a> Lookup<'a> {
    pub(super) fn new(b: &'a Bundle, cov: &'a CoverageDoc, opts: &DiagramOptions) -> Lookup<'a> {
        let mut names: HashMap<&str, &str> = HashMap::default();
        macro_rules! named {
            ($($table:ident),*) => {$(
                names.extend(b.$table.iter().map(|r| (r.id.as_str(), r.name.as_str())));
            )*};
        }
        named!(
            districts,
            streets,
            communities,
            committees,
            units,
            mass_orgs,
            social_orgs
        );
        for c in &cov.committees {
            names.entry(c.id.as_str()).or_insert(c.name.as_str());
        }
        let mut org_of: HashMap<&str, &PartyOrg> = HashMap::default();
        for o in &b.party_orgs {
            let e = org_of.entry(o.leads.as_str()).or_insert(o);
            if o.id < e.id {
                *e = o;
            }
        }
        Lookup {
            in_service: InService::count(b, cov, opts),
            names,
            street_kind: b.streets.iter().map(|s| (s.id.as_str(), s.kind)).collect(),
            org_of,
            units: b.units.iter().map(|u| (u.id.as_str(), u)).collect(),
            mass_orgs: b.mass_orgs.iter().map(|m| (m.id.as_str(), m)).collect(),
            social_orgs: b.social_orgs.iter().map(|s| (s.id.as_str(), s)).collect(),
            households: b
                .committees
                .iter()
                .map(|c| (c.id.as_str(), c.households))
                .collect(),
        }
    }
}

impl<'a> InService<'a> {
    pub(super) fn count(
        b: &'a Bundle,
        cov: &'a CoverageDoc,
        opts: &DiagramOptions,
    ) -> InService<'a> {
        let mut pairs: BTreeMap<(&str, &str), PairStats> = BTreeMap::new();
        if opts.view != View::Partnerships {
            return InService { pairs };
        }
        let in_scope: HashSet<&str> = cov.committees.iter().map(|c| c.id.as_str()).collect();
        if in_scope.is_empty() {
            return InService { pairs };
        }
        let as_of = opts.as_of;
        let from_date = as_of
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(as_of);
        // Volunteering in the window at the scope's committees, in bundle order (so hours add
        // up in the same order), and the members who did it: only their employers are needed.
        let mut rows: Vec<(&str, &str, f64)> = Vec::new();
        let mut volunteers: HashMap<&str, Option<&str>> = HashMap::default();
        for v in &b.volunteering {
            if v.date <= from_date || v.date > as_of || !in_scope.contains(v.committee.as_str()) {
                continue;
            }
            rows.push((v.member.as_str(), v.committee.as_str(), v.hours));
            volunteers.insert(v.member.as_str(), None);
        }
        // One pass over the members: those registered in scope, and the volunteers' employers.
        for m in &b.members {
            let Some(emp) = m.employer.as_deref() else {
                continue;
            };
            if let Some(at) = m.registered_at.as_deref()
                && in_scope.contains(at)
            {
                pairs.entry((emp, at)).or_default().registered += 1;
            }
            if !volunteers.is_empty()
                && let Some(e) = volunteers.get_mut(m.id.as_str())
            {
                *e = Some(emp);
            }
        }
        for (member, at, hours) in rows {
            let Some(emp) = volunteers.get(member).copied().flatten() else {
                continue;
            };
            let p = pairs.entry((emp, at)).or_default();
            p.volunteers.insert(member);
            p.hours += hours;
        }
        InService { pairs }
    }
}

impl<'a> Scene<'a> {
    /// Whether units and social organisations of this street are outside the scope's streets.
    pub(super) fn outside(&self, street: &str) -> bool {
        self.opts.scope != "city" && !self.tree_streets.contains(street)
    }

    /// Whether an organisation drawn (after collecting) lies outside the scope's streets.
    pub(super) fn has_outside_orgs(&self) -> bool {
        self.entities.values().flat_map(|e| &e.members).any(|id| {
            let street = match (
                self.lk.units.get(id.as_str()),
                self.lk.social_orgs.get(id.as_str()),
            ) {
                (Some(u), _) => u.street.as_str(),
                (None, Some(s)) => s.street.as_str(),
                (None, None) => return false,
            };
            self.outside(street)
        })
    }

    pub(super) fn name(&self, id: &str) -> String {
        self.lk
            .names
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.to_string())
    }

    /// The ancestor of a tree id at a level (itself when already there).
    pub(super) fn ancestor(&self, mut id: &'a str, at: u8) -> Option<&'a str> {
        loop {
            let (l, parent) = *self.level.get(id)?;
            if l <= at {
                return (l == at).then_some(id);
            }
            id = parent?;
        }
    }

    /// The first node drawn under a tree id (an anchor for edges to its cluster).
    pub(super) fn first_node_under(&self, id: &'a str) -> Option<&'a str> {
        let (l, _) = *self.level.get(id)?;
        let g = self.grain as u8;
        let mut cur = id;
        let mut lv = l;
        while lv < g {
            cur = match lv {
                0 => self.tree.get(cur)?.keys().next()?,
                1 => {
                    let d = self.ancestor(cur, 0)?;
                    self.tree.get(d)?.get(cur)?.keys().next()?
                }
                _ => {
                    let s = self.ancestor(cur, 1)?;
                    let d = self.ancestor(cur, 0)?;
                    self.tree.get(d)?.get(s)?.get(cur)?.first()?
                }
            };
            lv += 1;
        }
        Some(cur)
    }

    /// Where links to a street, community or committee in the tree end, at this grain.
    pub(super) fn cell(&self, target: &'a str) -> Option<Cell> {
        let (mut l, _) = *self.level.get(target)?;
        let g = self.grain as u8;
        let mut target = target;
        // Aggregated: links end one level up (at the street or district cluster), which keeps
        // the edge count, and dot's time, small; the count nodes still carry their own figures.
        if self.committees_aggregated() && g > 0 && l >= g - 1 && (g - 1 > 0 || self.show_districts)
        {
            target = self.ancestor(target, g - 1)?;
            l = g - 1;
        } else if self.org_grain == OrgGrain::ByCategoryToCommunities && l == 3 {
            target = self.ancestor(target, 2)?;
            l = 2;
        }
        if l >= g {
            return Some(Cell {
                node: self.ancestor(target, g)?.to_string(),
                cluster: None,
            });
        }
        let node = self.first_node_under(target)?.to_string();
        let cluster = (l > 0 || self.show_districts).then(|| cluster_id(target));
        Some(Cell { node, cluster })
    }

    /// 0 city or district, 1 street, 2 community, 3 committee.
    pub(super) fn scope_level(&self) -> u8 {
        if self.opts.scope == "city" {
            0
        } else {
            self.level.get(self.opts.scope.as_str()).map_or(0, |l| l.0)
        }
    }

    pub(super) fn committees_under(&self, id: &str) -> Vec<&'a CommitteeCoverage> {
        let (l, _) = self.level.get(id).copied().unwrap_or((9, None));
        self.committees
            .values()
            .copied()
            .filter(|c| match l {
                0 => c.district == id,
                1 => c.street == id,
                2 => c.community == id,
                _ => c.id == id,
            })
            .collect()
    }

    /// The share of a committee's demand the city's fair allocation leaves unmet (0 when it
    /// has no needs), from the gaps document's `needs`.
    pub(super) fn unmet_share(&self, committee: &str) -> f64 {
        let gaps = self.gaps;
        let shares = self.unmet_shares.get_or_init(|| {
            let mut sums: HashMap<&str, (u64, f64)> = HashMap::default();
            for n in &gaps.needs {
                let e = sums.entry(n.committee.as_str()).or_default();
                e.0 += n.demand;
                e.1 += n.unmet;
            }
            sums.into_iter()
                .filter(|(_, (d, _))| *d > 0)
                .map(|(k, (d, u))| (k, u / d as f64))
                .collect()
        });
        shares.get(committee).copied().unwrap_or(0.0)
    }

    pub(super) fn unmet_by_committee(&self) -> BTreeMap<&'a str, Vec<(ServiceDomain, f64)>> {
        let mut m: BTreeMap<&str, BTreeMap<ServiceDomain, f64>> = BTreeMap::new();
        if self.opts.view == View::Gaps {
            for u in &self.gaps.unmet_needs {
                *m.entry(u.committee.as_str())
                    .or_default()
                    .entry(u.domain)
                    .or_default() += u.unmet;
            }
        }
        m.into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect()
    }
}
