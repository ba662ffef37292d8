//! Resource sinking (资源下沉) and gaps (SPEC §3 v2): any scope's view of the city's fair
//! allocation ([`crate::allocation`]) — its needs with met, unmet and cause, who serves whom,
//! unreachable needs, stranded resources (悬浮资源), unused capacity, named candidate providers
//! for unmet needs, and sole-partner units. A need has the same numbers in every scope; a
//! scope's totals are sums over its needs, rounded to 2 decimals after summing.
//!
//! Choices made where the SPEC leaves room:
//! - A need counts as unmet (an `unmet_needs` entry, a `cause`, a checklist item) when more
//!   than [`UNMET_EPSILON`] of it is left, i.e. when it shows as unmet after rounding.
//! - `stranded_resources` lists resources "in" the scope: reaching one of its committees, or
//!   whose provider's home street lies in it (every resource for `city`).
//! - `unused_capacity` sums, over the resources that reach a committee of the scope (any
//!   domain), their capacity less what they give anywhere in the city.
//! - Candidates for an unmet need are providers that offer its domain (a resource in it, or a
//!   social org's declared domain) and none of whose resources reaches the need's committee,
//!   found by petgraph's breadth-first search over the committee adjacency graph (at most
//!   [`MAX_HOPS`] hops; a provider is as near as the nearest committee it reaches, or its home
//!   street when it reaches none) plus the providers whose home street is the need's. Ranked:
//!   unused capacity in the domain first, then fewer hops, then same street, then id; at most
//!   [`CANDIDATE_LIMIT`] are listed.

use crate::allocation::{CityAllocation, DOMAINS, Locations};
use crate::coverage::PartnerCounter;
use crate::index::{Graph, Index};
use crate::reach::Scope;
use crate::{Engine, EngineError};
use dangjian_model::{
    Allocation, Candidate, Date, DomainDemand, GapCause, GapsDoc, Id, NeedGap, ServiceDomain,
    SolePartnerUnit, UnmetNeed, format_amount, round2,
};
use petgraph::visit::{Bfs, VisitMap, Visitable};
use std::collections::BTreeMap;

/// Furthest adjacency distance searched for candidate providers.
pub const MAX_HOPS: u32 = 6;
/// Most candidate providers listed per unmet need.
pub const CANDIDATE_LIMIT: usize = 5;
/// Demand left over below which a need counts as met (half the reported precision).
pub const UNMET_EPSILON: f64 = 0.005;

const NONE: u32 = u32::MAX;

impl Engine {
    /// The gaps document of a scope on `as_of` (SPEC §3 "Resource sinking", v2): the city's
    /// fair allocation restricted to the scope's needs.
    pub fn gaps(&self, scope: &str, as_of: Date) -> Result<GapsDoc, EngineError> {
        let sc = self.resolve_scope(scope)?;
        let ks = self.scope_committee_indexes(sc);
        let alloc = self.city_allocation(as_of);
        let b = &self.bundle;
        let ix = &self.index;

        let mut scope_needs: Vec<u32> = ks
            .iter()
            .flat_map(|&k| ix.needs_by_committee.get(k).iter().copied())
            .collect();
        scope_needs.sort_by(|&x, &y| b.needs[x as usize].id.cmp(&b.needs[y as usize].id));

        let mut demand = [0u64; DOMAINS];
        let mut met = [0f64; DOMAINS];
        let mut needs = Vec::with_capacity(scope_needs.len());
        let mut allocations = Vec::new();
        let mut unreachable_needs = Vec::new();
        let mut unmet: Vec<(u32, GapCause)> = Vec::new();
        for &n in &scope_needs {
            let rec = &ix.needs[n as usize];
            let m = alloc.need_met[n as usize];
            demand[rec.domain] += rec.demand;
            met[rec.domain] += m;
            let reachable = alloc.need_reachable[n as usize];
            if !reachable {
                unreachable_needs.push(b.needs[n as usize].id.clone());
            }
            let left = rec.demand as f64 - m;
            let cause = (left > UNMET_EPSILON).then_some(if reachable {
                GapCause::Insufficient
            } else {
                GapCause::Unreachable
            });
            if let Some(c) = cause {
                unmet.push((n, c));
            }
            let met_r = round2(m);
            needs.push(NeedGap {
                need: b.needs[n as usize].id.clone(),
                committee: b.committees[rec.committee as usize].id.clone(),
                domain: ServiceDomain::ALL[rec.domain],
                demand: rec.demand,
                met: met_r,
                unmet: round2(rec.demand as f64 - met_r),
                cause,
            });
            let mut given: Vec<(&str, f64)> = alloc
                .by_need
                .get(n)
                .iter()
                .map(|&(r, x)| (b.resources[r as usize].id.as_str(), x))
                .collect();
            given.sort_by(|a, b| a.0.cmp(b.0));
            allocations.extend(given.into_iter().map(|(r, x)| Allocation {
                resource: r.into(),
                need: b.needs[n as usize].id.clone(),
                amount: round2(x),
            }));
        }
        let total_demand: u64 = demand.iter().sum();
        let met_total: f64 = met.iter().sum();
        let by_domain = ServiceDomain::ALL
            .iter()
            .enumerate()
            .filter(|(d, _)| demand[*d] > 0)
            .map(|(d, dom)| DomainDemand {
                domain: *dom,
                demand: demand[d],
                met: round2(met[d]),
                unmet: round2(demand[d] as f64 - met[d]),
            })
            .collect();

        let stranded_resources = self.stranded(sc, &ks, &alloc);
        let unused_capacity = round2(self.scope_unused(sc, &ks, &alloc));
        let unmet_needs = self.unmet_needs(&unmet, &alloc);
        let sole_partner_units = self.sole_partner_units(&ks, as_of);

        Ok(GapsDoc {
            as_of,
            scope: scope.to_string(),
            total_demand,
            met_demand: round2(met_total),
            unmet_demand: round2(total_demand as f64 - met_total),
            by_domain,
            needs,
            allocations,
            unreachable_needs,
            stranded_resources,
            unused_capacity,
            unmet_needs,
            sole_partner_units,
        })
    }

    /// Capacity left unused by the resources that reach a committee of the scope.
    fn scope_unused(&self, sc: Scope, ks: &[u32], alloc: &CityAllocation) -> f64 {
        let ix = &self.index;
        let unused = |r: u32| ix.resources[r as usize].capacity as f64 - alloc.res_used[r as usize];
        if sc == Scope::City {
            return (0..ix.resources.len() as u32)
                .filter(|&r| alloc.res_reaches_any[r as usize])
                .map(unused)
                .sum();
        }
        let mut rs: Vec<u32> = Vec::new();
        let mut streets: Vec<u32> = Vec::new();
        let mut communities: Vec<u32> = Vec::new();
        for &k in ks {
            rs.extend_from_slice(alloc.res_at.committee.get(k));
            communities.push(ix.committee_community[k as usize]);
            streets.push(ix.committee_street[k as usize]);
        }
        for v in [&mut streets, &mut communities] {
            v.sort_unstable();
            v.dedup();
        }
        for &c in &communities {
            rs.extend_from_slice(alloc.res_at.community.get(c));
        }
        for &s in &streets {
            rs.extend_from_slice(alloc.res_at.street.get(s));
        }
        rs.sort_unstable();
        rs.dedup();
        rs.into_iter().map(unused).sum()
    }

    /// Resources in the scope that no need anywhere can use, sorted by id.
    fn stranded(&self, sc: Scope, ks: &[u32], alloc: &CityAllocation) -> Vec<Id> {
        let b = &self.bundle;
        let ix = &self.index;
        // Only resources "in" one of the scope's streets can be in the scope.
        let positions: Vec<u32> = if sc == Scope::City {
            (0..alloc.stranded.len() as u32).collect()
        } else {
            let mut streets: Vec<u32> = ks
                .iter()
                .map(|&k| ix.committee_street[k as usize])
                .collect();
            if let Scope::District(d) = sc {
                streets.extend_from_slice(ix.district_streets.get(d));
            }
            if let Scope::Street(s) = sc {
                streets.push(s);
            }
            streets.sort_unstable();
            streets.dedup();
            let mut v: Vec<u32> = streets
                .iter()
                .flat_map(|&s| alloc.stranded_by_street.get(s).iter().copied())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        positions
            .into_iter()
            .map(|pos| alloc.stranded[pos as usize])
            .filter(|&r| {
                let res = &ix.resources[r as usize];
                let home_in_scope = ix
                    .provider_home
                    .get(res.provider_slot as usize)
                    .copied()
                    .flatten()
                    .is_some_and(|s| ix.scope_has_street(sc, s));
                sc == Scope::City
                    || home_in_scope
                    || alloc
                        .res_targets
                        .get(r)
                        .iter()
                        .any(|t| ix.scope_touches(sc, *t))
            })
            .map(|r| b.resources[r as usize].id.clone())
            .collect()
    }

    /// Units that are the only partner in reach of some of the committees `ks`.
    fn sole_partner_units(&self, ks: &[u32], as_of: Date) -> Vec<SolePartnerUnit> {
        let b = &self.bundle;
        let mut counter = PartnerCounter::new(b.units.len());
        let mut by_unit: BTreeMap<&str, Vec<Id>> = BTreeMap::new();
        for &k in ks {
            if let Some(u) = counter.count(&self.index, k, as_of).sole {
                by_unit
                    .entry(b.units[u as usize].id.as_str())
                    .or_default()
                    .push(b.committees[k as usize].id.clone());
            }
        }
        by_unit
            .into_iter()
            .map(|(unit, mut committees)| {
                committees.sort();
                SolePartnerUnit {
                    unit: unit.into(),
                    committees,
                }
            })
            .collect()
    }

    /// Unmet needs (`(need, cause)`, sorted by need id), each with its candidate providers.
    /// Candidates depend only on the city's allocation, so they are memoised per committee.
    fn unmet_needs(&self, unmet: &[(u32, GapCause)], alloc: &CityAllocation) -> Vec<UnmetNeed> {
        let b = &self.bundle;
        let ix = &self.index;
        if unmet.is_empty() {
            return Vec::new();
        }
        let mut search: Option<Search> = None;
        // Needs grouped by committee, so one search serves all of a committee's needs (a scope
        // holds whole committees, so the group is every unmet need of the committee).
        let mut order: Vec<usize> = (0..unmet.len()).collect();
        order.sort_by_key(|&i| (ix.needs[unmet[i].0 as usize].committee, i));
        let mut out: Vec<(usize, UnmetNeed)> = Vec::with_capacity(unmet.len());
        let mut i = 0;
        while i < order.len() {
            let k = ix.needs[unmet[order[i]].0 as usize].committee;
            let mut j = i;
            while j < order.len() && ix.needs[unmet[order[j]].0 as usize].committee == k {
                j += 1;
            }
            let group: Vec<u32> = order[i..j].iter().map(|&p| unmet[p].0).collect();
            let memo = alloc.candidates_memo(k);
            let found = match memo {
                Some(v) if v.iter().map(|x| x.0).eq(group.iter().copied()) => v,
                _ => {
                    let s = search.get_or_insert_with(|| {
                        Search::new(b.communities.len(), b.streets.len(), ix.providers.len())
                    });
                    let v = std::sync::Arc::new(self.candidates_of(k, &group, alloc, s));
                    alloc.remember_candidates(k, v.clone());
                    v
                }
            };
            for (&pos, (n, candidates)) in order[i..j].iter().zip(found.iter()) {
                let (_, cause) = unmet[pos];
                let need = &ix.needs[*n as usize];
                out.push((
                    pos,
                    UnmetNeed {
                        need: b.needs[*n as usize].id.clone(),
                        committee: b.committees[k as usize].id.clone(),
                        domain: ServiceDomain::ALL[need.domain],
                        unmet: round2(need.demand as f64 - round2(alloc.need_met[*n as usize])),
                        cause,
                        candidates: candidates.clone(),
                    },
                ));
            }
            i = j;
        }
        out.sort_by_key(|x| x.0);
        out.into_iter().map(|x| x.1).collect()
    }

    /// Candidate providers for the unmet needs `group` of committee `k`.
    fn candidates_of(
        &self,
        k: u32,
        group: &[u32],
        alloc: &CityAllocation,
        search: &mut Search,
    ) -> Vec<(u32, Vec<Candidate>)> {
        let ix = &self.index;
        let loc = &alloc.locations;
        let unused = &alloc.provider_unused;
        let wanted = group
            .iter()
            .fold(0u16, |w, &n| w | 1 << ix.needs[n as usize].domain);
        search.run(self, loc, unused, k, wanted);
        let street = ix.committee_street[k as usize];
        group
            .iter()
            .map(|&n| {
                let d = ix.needs[n as usize].domain;
                let bit = 1u16 << d;
                let mut keys: Vec<u64> = search
                    .found
                    .iter()
                    .filter(|&&p| alloc.provider_domains[p as usize] & bit != 0)
                    .map(|&p| {
                        let tier = u64::from(unused[p as usize][d] <= UNMET_EPSILON);
                        let hops = u64::from(search.hops[p as usize].min(0xF_FFFF));
                        let other_street = u64::from(ix.provider_home[p as usize] != Some(street));
                        tier << 62
                            | hops << 40
                            | other_street << 32
                            | u64::from(ix.provider_rank[p as usize])
                    })
                    .collect();
                if keys.len() > CANDIDATE_LIMIT {
                    keys.select_nth_unstable(CANDIDATE_LIMIT);
                    keys.truncate(CANDIDATE_LIMIT);
                }
                keys.sort_unstable();
                let dom = ServiceDomain::ALL[d];
                let candidates = keys
                    .iter()
                    .map(|&key| {
                        let p = loc.by_rank[(key & 0xFFFF_FFFF) as usize] as usize;
                        let spare = unused[p][d].max(0.0);
                        let hops = (search.hops[p] != NONE).then_some(search.hops[p]);
                        let same_street = ix.provider_home[p] == Some(street);
                        let mut parts: Vec<String> = Vec::new();
                        if spare > UNMET_EPSILON {
                            parts.push(format!(
                                "{}领域尚有闲置能力 {}",
                                dom.label_zh(),
                                format_amount(spare)
                            ));
                        } else {
                            parts.push(format!("提供{}服务，但能力已用尽", dom.label_zh()));
                        }
                        if let Some(h) = hops
                            && h > 0
                        {
                            parts.push(format!("距离 {h} 个相邻居委会"));
                        }
                        if same_street {
                            parts.push("同街道".to_string());
                        }
                        let (provider, name) = self.provider(p);
                        Candidate {
                            provider,
                            name,
                            domain_match: true,
                            unused_capacity: round2(spare),
                            hops,
                            same_street,
                            reason: parts.join("，"),
                        }
                    })
                    .collect();
                (n, candidates)
            })
            .collect()
    }

    /// The candidate search of every committee with an unmet need on `as_of` (the allocation
    /// computed first, not timed): the providers found and the time spent searching.
    #[doc(hidden)]
    pub fn bench_candidate_search(&self, as_of: Date) -> (usize, std::time::Duration) {
        let b = &self.bundle;
        let ix = &self.index;
        let alloc = self.city_allocation(as_of);
        let mut wanted: BTreeMap<u32, u16> = BTreeMap::new();
        for (n, rec) in ix.needs.iter().enumerate() {
            if rec.committee != NONE && rec.demand as f64 - alloc.need_met[n] > UNMET_EPSILON {
                *wanted.entry(rec.committee).or_default() |= 1 << rec.domain;
            }
        }
        let mut s = Search::new(b.communities.len(), b.streets.len(), ix.providers.len());
        let mut found = 0;
        let t = std::time::Instant::now();
        for (&k, &w) in &wanted {
            s.run(self, &alloc.locations, &alloc.provider_unused, k, w);
            found += s.found.len();
        }
        (found, t.elapsed())
    }

    /// The id and name of the provider in `slot`.
    fn provider(&self, slot: usize) -> (Id, String) {
        use crate::index::Provider;
        let b = &self.bundle;
        macro_rules! id_name {
            ($rows:ident, $x:expr) => {{
                let row = &b.$rows[$x as usize];
                (row.id.clone(), row.name.clone())
            }};
        }
        match self.index.providers[slot] {
            Provider::Unit(x) => id_name!(units, x),
            Provider::MassOrg(x) => id_name!(mass_orgs, x),
            Provider::SocialOrg(x) => id_name!(social_orgs, x),
            Provider::Street(x) => id_name!(streets, x),
            Provider::Community(x) => id_name!(communities, x),
        }
    }
}

/// The visited set of a search over a [`Graph`].
type Visited = <Graph as Visitable>::Map;

/// Scratch space of the candidate search, reused across committees (stamped, never cleared;
/// petgraph's visited set is reset per search).
struct Search {
    round: u32,
    community_seen: Vec<u32>,
    street_seen: Vec<u32>,
    provider_seen: Vec<u32>,
    hops: Vec<u32>,
    found: Vec<u32>,
    bfs: Bfs<u32, Visited>,
}

impl Search {
    fn new(nm: usize, ns: usize, np: usize) -> Search {
        Search {
            round: 0,
            community_seen: vec![NONE; nm],
            street_seen: vec![NONE; ns],
            provider_seen: vec![NONE; np],
            hops: vec![NONE; np],
            found: Vec::new(),
            bfs: Bfs::default(),
        }
    }

    /// Breadth-first search from committee `k` until every wanted domain has
    /// [`CANDIDATE_LIMIT`] providers with unused capacity, or [`MAX_HOPS`] is reached:
    /// petgraph's [`Bfs`] over the committee adjacency, taken one whole level at a time (the
    /// queue holds exactly the next level once the current one is popped). At Shanghai scale
    /// it takes 0.93× the time of the hand-written level search it replaced (BENCHMARKS.md).
    fn run(&mut self, e: &Engine, loc: &Locations, unused: &[[f64; DOMAINS]], k: u32, wanted: u16) {
        let ix = &e.index;
        let g = &*ix.adjacency;
        self.round += 1;
        self.found.clear();
        g.reset_map(&mut self.bfs.discovered);
        self.bfs.stack.clear();
        self.bfs.discovered.visit(k);
        self.bfs.stack.push_back(k);
        let mut counts = [0usize; DOMAINS];
        let mut hops = 0u32;
        loop {
            for _ in 0..self.bfs.stack.len() {
                let Some(c) = self.bfs.next(g) else { break };
                self.collect(ix, loc, unused, c, hops, wanted, &mut counts);
            }
            let done = enough(wanted, &counts);
            if done || hops >= MAX_HOPS || self.bfs.stack.is_empty() {
                break;
            }
            hops += 1;
        }
        self.add_home_street(ix, k);
    }

    /// Records the providers located at committee `c` (reached after `hops` hops), at its
    /// community and at its street, the first time each is seen in this round.
    #[allow(clippy::too_many_arguments)]
    fn collect(
        &mut self,
        ix: &Index,
        loc: &Locations,
        unused: &[[f64; DOMAINS]],
        c: u32,
        hops: u32,
        wanted: u16,
        counts: &mut [usize; DOMAINS],
    ) {
        let id = self.round;
        let cm = ix.committee_community[c as usize];
        let st = ix.committee_street[c as usize];
        let mut lists: [&[u32]; 4] = [loc.at.committee.get(c), &[], &[], &[]];
        if self
            .community_seen
            .get(cm as usize)
            .is_some_and(|x| *x != id)
        {
            self.community_seen[cm as usize] = id;
            lists[1] = loc.at.community.get(cm);
        }
        if self.street_seen.get(st as usize).is_some_and(|x| *x != id) {
            self.street_seen[st as usize] = id;
            lists[2] = loc.at.street.get(st);
            lists[3] = loc.fallback.get(st);
        }
        for (li, list) in lists.iter().enumerate() {
            // At the need's own committee, providers that reach it are already linked.
            let linked = hops == 0 && li < 3;
            for &p in *list {
                let pu = p as usize;
                if self.provider_seen[pu] == id {
                    continue;
                }
                self.provider_seen[pu] = id;
                if linked {
                    continue;
                }
                self.hops[pu] = hops;
                self.found.push(p);
                for (d, count) in counts.iter_mut().enumerate() {
                    if wanted & (1 << d) != 0 && unused[pu][d] > UNMET_EPSILON {
                        *count += 1;
                    }
                }
            }
        }
    }

    /// Adds the providers whose home street is committee `k`'s, not found by the search.
    fn add_home_street(&mut self, ix: &Index, k: u32) {
        let id = self.round;
        let street = ix.committee_street[k as usize];
        for &p in ix.providers_by_home.get(street) {
            let pu = p as usize;
            if self.provider_seen[pu] != id {
                self.provider_seen[pu] = id;
                self.hops[pu] = NONE;
                self.found.push(p);
            }
        }
    }
}

/// Whether every wanted domain has [`CANDIDATE_LIMIT`] providers with unused capacity.
fn enough(wanted: u16, counts: &[usize; DOMAINS]) -> bool {
    (0..DOMAINS).all(|d| wanted & (1 << d) == 0 || counts[d] >= CANDIDATE_LIMIT)
}
