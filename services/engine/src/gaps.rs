//! Resource sinking (资源下沉) and gaps (SPEC §3): the maximum-flow matching of a scope's needs to
//! the resources that can reach them, unreachable needs, stranded resources (悬浮资源), unused
//! capacity, candidate providers for unmet needs, and sole-partner units.
//!
//! The flow network is built per domain (domains never share an edge, so their flows are
//! independent) and follows the hierarchy instead of expanding reach: source → resource
//! (capacity) → the street / community / committee nodes it reaches (unbounded) → street →
//! community → committee (unbounded) → sink (the committee's total demand in the domain). The
//! max-flow value equals that of the resource → need network of SPEC §3, with far fewer edges.
//!
//! Choices made where the SPEC leaves room:
//! - Needs of one committee and domain share a node; its flow is handed to those needs in
//!   bundle order (several maximum matchings share the same total; this one is deterministic).
//! - `stranded_resources` lists resources "in" the scope: reaching one of its committees, or
//!   whose provider's home street lies in it (every resource for `city`).
//! - Candidates for an unmet need are providers with a resource, none of whose resources
//!   reaches the need's committee, found by a breadth-first search over committee adjacency
//!   (at most [`MAX_HOPS`] hops; a provider is as near as the nearest committee it reaches, or
//!   its home street when it reaches none) plus the providers whose home street is the need's.
//!   They are ranked: same domain with unused capacity first, then fewer hops, then same
//!   street, then id; at most [`CANDIDATE_LIMIT`] are listed.

use crate::coverage::PartnerCounter;
use crate::flow::{FlowNet, INF};
use crate::index::{Csr, Target};
use crate::reach::{Reach, Scope};
use crate::{Engine, EngineError};
use dangjian_model::{
    Candidate, Date, DomainDemand, GapsDoc, ServiceDomain, SolePartnerUnit, UnmetNeed,
};
use std::collections::BTreeMap;

/// Furthest adjacency distance searched for candidate providers.
pub const MAX_HOPS: u32 = 6;
/// Most candidate providers listed per unmet need.
pub const CANDIDATE_LIMIT: usize = 5;

const NONE: u32 = u32::MAX;

/// The outcome of matching one scope.
pub(crate) struct Matching {
    /// Indexes of the scope's needs, grouped by committee in scope order.
    pub scope_needs: Vec<u32>,
    /// Met demand per need (indexed like `bundle.needs`; zero outside the scope).
    pub need_met: Vec<u64>,
    /// Whether some resource can serve the need.
    pub need_reachable: Vec<bool>,
    /// Flow through each resource (zero for resources that do not take part).
    pub res_flow: Vec<u64>,
    pub participating: Vec<bool>,
    /// Demand and met demand per domain (SPEC order index).
    pub demand: [u64; 12],
    pub met: [u64; 12],
}

impl Engine {
    /// The gaps document of a scope on `as_of` (SPEC §3 "Resource sinking").
    pub fn gaps(&self, scope: &str, as_of: Date) -> Result<GapsDoc, EngineError> {
        let sc = self.resolve_scope(scope)?;
        let ks = self.scope_committee_indexes(sc);
        let b = &self.bundle;
        let ix = &self.index;
        let reach = ix.reach_at(as_of, b.units.len());
        let m = self.match_scope(&ks, &reach);

        let total_demand: u64 = m.demand.iter().sum();
        let met_demand: u64 = m.met.iter().sum();
        let by_domain = ServiceDomain::ALL
            .iter()
            .enumerate()
            .filter(|(d, _)| m.demand[*d] > 0)
            .map(|(d, dom)| DomainDemand {
                domain: *dom,
                demand: m.demand[d],
                met: m.met[d],
                unmet: m.demand[d] - m.met[d],
            })
            .collect();

        let mut unreachable_needs: Vec<String> = m
            .scope_needs
            .iter()
            .filter(|&&n| !m.need_reachable[n as usize])
            .map(|&n| b.needs[n as usize].id.clone())
            .collect();
        unreachable_needs.sort();

        let stranded_resources = self.stranded(sc, &reach);

        let unused_capacity: u64 = (0..b.resources.len())
            .filter(|&r| m.participating[r])
            .map(|r| ix.resources[r].capacity - m.res_flow[r])
            .sum();

        let unmet_needs = self.unmet_needs(&m, &reach);
        let sole_partner_units = self.sole_partner_units(&ks, as_of);

        Ok(GapsDoc {
            as_of,
            scope: scope.to_string(),
            total_demand,
            met_demand,
            unmet_demand: total_demand - met_demand,
            by_domain,
            unreachable_needs,
            stranded_resources,
            unused_capacity,
            unmet_needs,
            sole_partner_units,
        })
    }

    /// Max-flow matching of the needs of committees `ks` (SPEC §3).
    pub(crate) fn match_scope(&self, ks: &[u32], reach: &Reach) -> Matching {
        let b = &self.bundle;
        let ix = &self.index;
        let mut m = Matching {
            scope_needs: Vec::new(),
            need_met: vec![0; b.needs.len()],
            need_reachable: vec![false; b.needs.len()],
            res_flow: vec![0; b.resources.len()],
            participating: vec![false; b.resources.len()],
            demand: [0; 12],
            met: [0; 12],
        };
        let mut by_domain: Vec<Vec<u32>> = vec![Vec::new(); 12];
        for &k in ks {
            for &n in ix.needs_by_committee.get(k) {
                m.scope_needs.push(n);
                by_domain[ix.needs[n as usize].domain].push(n);
            }
        }
        let mut cnode = vec![NONE; b.committees.len()];
        let mut mnode = vec![NONE; b.communities.len()];
        let mut snode = vec![NONE; b.streets.len()];
        let mut targets: Vec<Target> = Vec::new();
        for (d, needs) in by_domain.iter().enumerate() {
            if needs.is_empty() {
                continue;
            }
            let mut net = FlowNet::new();
            let src = net.add_node();
            let sink = net.add_node();
            // Committee nodes: (committee, node, first..last position in `needs`, demand).
            let mut groups: Vec<(u32, u32, usize, usize, u64)> = Vec::new();
            for (i, &n) in needs.iter().enumerate() {
                let need = &ix.needs[n as usize];
                m.demand[d] += need.demand;
                match groups.last_mut() {
                    Some(g) if g.0 == need.committee => {
                        g.3 = i + 1;
                        g.4 += need.demand;
                    }
                    _ => {
                        let node = net.add_node();
                        cnode[need.committee as usize] = node;
                        groups.push((need.committee, node, i, i + 1, need.demand));
                    }
                }
            }
            let mut sink_edges = Vec::with_capacity(groups.len());
            let mut touched_m = Vec::new();
            let mut touched_s = Vec::new();
            for g in &groups {
                sink_edges.push(net.add_edge(g.1, sink, g.4));
                let c = ix.committee_community[g.0 as usize] as usize;
                if mnode[c] == NONE {
                    mnode[c] = net.add_node();
                    touched_m.push(c);
                    let s = ix.community_street[c] as usize;
                    if s < snode.len() {
                        if snode[s] == NONE {
                            snode[s] = net.add_node();
                            touched_s.push(s);
                        }
                        net.add_edge(snode[s], mnode[c], INF);
                    }
                }
                net.add_edge(mnode[c], g.1, INF);
            }
            let mut res_nodes: Vec<(u32, u32, u32)> = Vec::new();
            let mut heads: Vec<u32> = Vec::new();
            for &r in &ix.resources_by_domain[d] {
                ix.resource_targets(r, reach, &mut targets);
                heads.clear();
                for t in &targets {
                    let node = match *t {
                        Target::Street(s) => snode.get(s as usize),
                        Target::Community(c) => mnode.get(c as usize),
                        Target::Committee(k) => cnode.get(k as usize),
                    };
                    if let Some(&x) = node
                        && x != NONE
                        && !heads.contains(&x)
                    {
                        heads.push(x);
                    }
                }
                if heads.is_empty() {
                    continue;
                }
                let rn = net.add_node();
                let e = net.add_edge(src, rn, ix.resources[r as usize].capacity);
                for &h in &heads {
                    net.add_edge(rn, h, INF);
                }
                res_nodes.push((r, rn, e));
            }
            let flow = net.max_flow(src, sink);
            m.met[d] = flow;
            let starts: Vec<u32> = res_nodes.iter().map(|x| x.1).collect();
            let seen = net.reachable(&starts);
            for &(r, _, e) in &res_nodes {
                m.participating[r as usize] = true;
                m.res_flow[r as usize] = net.flow(e);
            }
            for (g, &e) in groups.iter().zip(&sink_edges) {
                let mut left = net.flow(e);
                let reachable = seen[g.1 as usize];
                for &n in &needs[g.2..g.3] {
                    let give = left.min(ix.needs[n as usize].demand);
                    m.need_met[n as usize] = give;
                    m.need_reachable[n as usize] = reachable;
                    left -= give;
                }
                cnode[g.0 as usize] = NONE;
            }
            for c in touched_m {
                mnode[c] = NONE;
            }
            for s in touched_s {
                snode[s] = NONE;
            }
        }
        m
    }

    /// Resources in the scope that no need anywhere can use, sorted by id.
    fn stranded(&self, sc: Scope, reach: &Reach) -> Vec<String> {
        let b = &self.bundle;
        let ix = &self.index;
        let mut targets = Vec::new();
        let mut out: Vec<String> = Vec::new();
        for (r, res) in ix.resources.iter().enumerate() {
            ix.resource_targets(r as u32, reach, &mut targets);
            let bit = 1u16 << res.domain;
            if targets.iter().any(|t| ix.need_domains(*t) & bit != 0) {
                continue;
            }
            let home_in_scope = ix
                .provider_home
                .get(res.provider_slot as usize)
                .copied()
                .flatten()
                .is_some_and(|s| ix.scope_has_street(sc, s));
            if sc == Scope::City
                || home_in_scope
                || targets.iter().any(|t| ix.scope_touches(sc, *t))
            {
                out.push(b.resources[r].id.clone());
            }
        }
        out.sort();
        out
    }

    /// Units that are the only partner in reach of some of the committees `ks`.
    fn sole_partner_units(&self, ks: &[u32], as_of: Date) -> Vec<SolePartnerUnit> {
        let b = &self.bundle;
        let mut counter = PartnerCounter::new(b.units.len());
        let mut by_unit: BTreeMap<&str, Vec<String>> = BTreeMap::new();
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
                    unit: unit.to_string(),
                    committees,
                }
            })
            .collect()
    }

    /// Unmet needs of the matching, sorted by need id, each with its candidate providers.
    fn unmet_needs(&self, m: &Matching, reach: &Reach) -> Vec<UnmetNeed> {
        let b = &self.bundle;
        let ix = &self.index;
        let unmet: Vec<u32> = m
            .scope_needs
            .iter()
            .copied()
            .filter(|&n| m.need_met[n as usize] < ix.needs[n as usize].demand)
            .collect();
        if unmet.is_empty() {
            return Vec::new();
        }
        let np = ix.providers.len();
        // Unused capacity per provider and domain (resources outside the matching: all of it).
        let mut unused: Vec<[u64; 12]> = vec![[0; 12]; np];
        for (r, res) in ix.resources.iter().enumerate() {
            if let Some(u) = unused.get_mut(res.provider_slot as usize) {
                u[res.domain] += res.capacity - m.res_flow[r];
            }
        }
        // Where each provider is: the targets its resources reach.
        let mut pairs: Vec<(u32, Target)> = Vec::new();
        let mut targets = Vec::new();
        for (r, res) in ix.resources.iter().enumerate() {
            if res.provider_slot == NONE {
                continue;
            }
            ix.resource_targets(r as u32, reach, &mut targets);
            pairs.extend(targets.iter().map(|t| (res.provider_slot, *t)));
        }
        pairs.sort_unstable_by_key(|&(p, t)| (p, target_key(t)));
        pairs.dedup();
        let mut located = vec![false; np];
        let (mut at_s, mut at_m, mut at_k) = (Vec::new(), Vec::new(), Vec::new());
        for &(p, t) in &pairs {
            located[p as usize] = true;
            match t {
                Target::Street(s) => at_s.push((s, p)),
                Target::Community(c) => at_m.push((c, p)),
                Target::Committee(k) => at_k.push((k, p)),
            }
        }
        let fallback: Vec<(u32, u32)> = (0..np)
            .filter(|&p| !located[p])
            .filter_map(|p| ix.provider_home[p].map(|s| (s, p as u32)))
            .collect();
        let loc = Locations {
            at_street: Csr::from_pairs(b.streets.len(), &at_s),
            at_community: Csr::from_pairs(b.communities.len(), &at_m),
            at_committee: Csr::from_pairs(b.committees.len(), &at_k),
            fallback: Csr::from_pairs(b.streets.len(), &fallback),
        };
        let mut by_rank = vec![0u32; np];
        for (p, &r) in ix.provider_rank.iter().enumerate() {
            by_rank[r as usize] = p as u32;
        }
        let mut search = Search::new(b.committees.len(), b.communities.len(), b.streets.len(), np);

        let mut out = Vec::with_capacity(unmet.len());
        let mut i = 0;
        while i < unmet.len() {
            let k = ix.needs[unmet[i] as usize].committee;
            let mut j = i;
            let mut wanted = 0u16;
            while j < unmet.len() && ix.needs[unmet[j] as usize].committee == k {
                wanted |= 1 << ix.needs[unmet[j] as usize].domain;
                j += 1;
            }
            search.run(self, &loc, &unused, k, wanted);
            let street = ix.committee_street[k as usize];
            for &n in &unmet[i..j] {
                let need = &ix.needs[n as usize];
                let d = need.domain;
                let mut keys: Vec<u64> = search
                    .found
                    .iter()
                    .map(|&p| {
                        let tier = u64::from(unused[p as usize][d] == 0);
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
                        let p = by_rank[(key & 0xFFFF_FFFF) as usize] as usize;
                        let mut parts: Vec<String> = Vec::new();
                        if unused[p][d] > 0 {
                            parts.push(format!(
                                "同领域（{}）尚有余量 {}",
                                dom.label_zh(),
                                unused[p][d]
                            ));
                        }
                        // Hop 0 without a link means "lives in this street": said below.
                        if search.hops[p] != NONE && search.hops[p] > 0 {
                            parts.push(format!("距离 {} 个相邻居委会", search.hops[p]));
                        }
                        if ix.provider_home[p] == Some(street) {
                            parts.push("同街道".to_string());
                        }
                        Candidate {
                            provider: self.provider_id(p),
                            reason: parts.join("，"),
                        }
                    })
                    .collect();
                out.push(UnmetNeed {
                    need: b.needs[n as usize].id.clone(),
                    committee: b.committees[k as usize].id.clone(),
                    domain: dom,
                    unmet: need.demand - m.need_met[n as usize],
                    candidates,
                });
            }
            i = j;
        }
        out.sort_by(|a, b| a.need.cmp(&b.need));
        out
    }

    fn provider_id(&self, slot: usize) -> String {
        use crate::index::Provider;
        let b = &self.bundle;
        match self.index.providers[slot] {
            Provider::Unit(x) => b.units[x as usize].id.clone(),
            Provider::MassOrg(x) => b.mass_orgs[x as usize].id.clone(),
            Provider::SocialOrg(x) => b.social_orgs[x as usize].id.clone(),
            Provider::Street(x) => b.streets[x as usize].id.clone(),
            Provider::Community(x) => b.communities[x as usize].id.clone(),
        }
    }
}

fn target_key(t: Target) -> (u8, u32) {
    match t {
        Target::Street(s) => (0, s),
        Target::Community(c) => (1, c),
        Target::Committee(k) => (2, k),
    }
}

/// Providers by the targets their resources reach; `fallback` holds, by home street, the
/// providers whose resources reach nothing.
struct Locations {
    at_street: Csr<u32>,
    at_community: Csr<u32>,
    at_committee: Csr<u32>,
    fallback: Csr<u32>,
}

/// Scratch space of the candidate search, reused across committees (stamped, never cleared).
struct Search {
    round: u32,
    committee_seen: Vec<u32>,
    community_seen: Vec<u32>,
    street_seen: Vec<u32>,
    provider_seen: Vec<u32>,
    hops: Vec<u32>,
    found: Vec<u32>,
    frontier: Vec<u32>,
    next: Vec<u32>,
}

impl Search {
    fn new(nk: usize, nm: usize, ns: usize, np: usize) -> Search {
        Search {
            round: 0,
            committee_seen: vec![NONE; nk],
            community_seen: vec![NONE; nm],
            street_seen: vec![NONE; ns],
            provider_seen: vec![NONE; np],
            hops: vec![NONE; np],
            found: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
        }
    }

    /// Breadth-first search from committee `k` until every wanted domain has
    /// [`CANDIDATE_LIMIT`] providers with unused capacity, or [`MAX_HOPS`] is reached.
    fn run(&mut self, e: &Engine, loc: &Locations, unused: &[[u64; 12]], k: u32, wanted: u16) {
        let ix = &e.index;
        self.round += 1;
        let id = self.round;
        self.found.clear();
        self.frontier.clear();
        self.frontier.push(k);
        self.committee_seen[k as usize] = id;
        let mut counts = [0usize; 12];
        let mut hops = 0u32;
        loop {
            for fi in 0..self.frontier.len() {
                let c = self.frontier[fi];
                let cm = ix.committee_community[c as usize];
                let st = ix.committee_street[c as usize];
                let mut lists: [&[u32]; 4] = [loc.at_committee.get(c), &[], &[], &[]];
                if self
                    .community_seen
                    .get(cm as usize)
                    .is_some_and(|x| *x != id)
                {
                    self.community_seen[cm as usize] = id;
                    lists[1] = loc.at_community.get(cm);
                }
                if self.street_seen.get(st as usize).is_some_and(|x| *x != id) {
                    self.street_seen[st as usize] = id;
                    lists[2] = loc.at_street.get(st);
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
                            if wanted & (1 << d) != 0 && unused[pu][d] > 0 {
                                *count += 1;
                            }
                        }
                    }
                }
            }
            let done = (0..12).all(|d| wanted & (1 << d) == 0 || counts[d] >= CANDIDATE_LIMIT);
            if done || hops >= MAX_HOPS {
                break;
            }
            self.next.clear();
            for fi in 0..self.frontier.len() {
                for &n in ix.adjacency.get(self.frontier[fi]) {
                    if self.committee_seen[n as usize] != id {
                        self.committee_seen[n as usize] = id;
                        self.next.push(n);
                    }
                }
            }
            if self.next.is_empty() {
                break;
            }
            std::mem::swap(&mut self.frontier, &mut self.next);
            hops += 1;
        }
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
