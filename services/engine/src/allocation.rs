//! The city's fair allocation (SPEC §3 v2, 资源下沉): for one `as_of` and domain, ONE
//! allocation of resources to needs for the whole city — maximal in total and fair (the
//! lexicographically optimal base: the ascending vector of ratios met/demand is
//! lexicographically greatest). Every scope and every interface reads it; it is computed once
//! per `as_of` and cached in the engine, one entry per domain so a domain can be dropped alone.
//!
//! Algorithm (exact, in 128-bit integers): per domain, the resource–need graph is split into
//! connected components; each component is solved by Fujishige's decomposition. For needs N and
//! resources R, let λ = min(1, c(R)/d(N)) = p/q and run a max flow on
//! source → resource (q·capacity) → street / community / committee nodes of its reach → need
//! (unbounded) → sink (p·demand). If every need edge is saturated, all of N get the ratio λ
//! (a level set). Otherwise the minimal min cut splits the problem in two independent ones:
//! the needs on the sink side (with every resource that can serve them, all used up) are the
//! bottleneck and get ratios < λ; the rest, with the remaining resources, get ratios ≥ λ. Each
//! half is solved the same way. Who serves whom is read off each level set's flow by pushing
//! the resources' flows down the hierarchy (a path decomposition of the DAG).

use crate::Engine;
use crate::flow::{FlowNet, INF};
use crate::index::{ByTarget, Csr, Index, Provider, Target};
use crate::reach::Reach;
use dangjian_model::{Bundle, Date};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const NONE: u32 = u32::MAX;
/// Most `as_of` dates whose allocation is kept.
const CACHE_DATES: usize = 16;
/// Number of service domains (SPEC §2).
pub(crate) const DOMAINS: usize = 12;

/// The fair allocation of one domain on one date.
#[derive(Debug)]
pub(crate) struct DomainAllocation {
    /// `(need, met)` for every need of the domain, by need index.
    pub met: Vec<(u32, f64)>,
    /// Needs of the domain that some resource can serve.
    pub reachable: Vec<u32>,
    /// `(resource, need, amount)`, sorted by need then resource.
    pub allocations: Vec<(u32, u32, f64)>,
    /// `(resource, used)` for every resource of the domain that gives something.
    pub used: Vec<(u32, f64)>,
}

/// The city's allocation on one date, all domains, with the tables the gaps of any scope read.
#[derive(Debug)]
pub(crate) struct CityAllocation {
    /// The targets each resource reaches on the date.
    pub res_targets: Csr<Target>,
    /// Met demand per need (bundle order).
    pub need_met: Vec<f64>,
    pub need_reachable: Vec<bool>,
    /// Amount each resource gives (bundle order).
    pub res_used: Vec<f64>,
    /// Resources by the targets they reach.
    pub res_at: ByTarget,
    /// Resources whose reach covers at least one committee.
    pub res_reaches_any: Vec<bool>,
    /// `(resource, amount)` per need.
    pub by_need: Csr<(u32, f64)>,
    /// Unused capacity per provider slot and domain.
    pub provider_unused: Vec<[f64; DOMAINS]>,
    /// Domains each provider offers (its resources' domains; a social org's declared ones).
    pub provider_domains: Vec<u16>,
    /// Resources no need anywhere can use, sorted by id.
    pub stranded: Vec<u32>,
    /// Where the providers are (for candidates).
    pub locations: Locations,
    /// Candidates per committee: `(need, candidates)` for its unmet needs, filled on demand.
    candidates: Mutex<HashMap<u32, CandidateList>>,
    /// Stranded resources (positions in `stranded`) by the streets they are in: their
    /// provider's home street and the streets of their targets.
    pub stranded_by_street: Csr<u32>,
}

/// Candidate providers of one committee's unmet needs.
pub(crate) type CandidateList = Arc<Vec<(u32, Vec<dangjian_model::Candidate>)>>;

impl CityAllocation {
    pub(crate) fn candidates_memo(&self, k: u32) -> Option<CandidateList> {
        let memo = self
            .candidates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        memo.get(&k).cloned()
    }

    pub(crate) fn remember_candidates(&self, k: u32, list: CandidateList) {
        self.candidates
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(k, list);
    }
}

/// Cached allocations by date; each date keeps one slot per domain.
#[derive(Debug, Default)]
pub(crate) struct AllocationCache {
    entries: Mutex<Vec<CacheEntry>>,
    /// Dates whose city allocation is not computed but some components are (for scopes'
    /// totals, e.g. a trend): most recently used last.
    partial: Mutex<Vec<Arc<PartialDate>>>,
}

/// Some connected components of one date, solved alone for a scope's needs: the same numbers
/// as the city allocation gives those needs (components are independent), at a fraction of
/// the cost when the scope is small.
#[derive(Debug)]
struct PartialDate {
    as_of: Date,
    /// The targets each resource reaches on the date.
    targets: Csr<Target>,
    /// Components per domain.
    comps: Vec<Components>,
    /// The components solved so far and the met demand of their needs.
    solved: Mutex<Solved>,
}

/// Components solved as `(domain, component)`, and the met demand of their needs.
type Solved = (std::collections::HashSet<(usize, u32)>, HashMap<u32, f64>);

impl PartialDate {
    fn new(b: &Bundle, ix: &Index, as_of: Date) -> PartialDate {
        let reach = ix.reach_at(as_of, b.units.len());
        let targets = resource_targets(ix, &reach);
        let mut sc = Scratch::new(ix);
        let mut by_domain: Vec<Vec<u32>> = vec![Vec::new(); DOMAINS];
        for (n, nr) in ix.needs.iter().enumerate() {
            if nr.committee != NONE
                && let Some(v) = by_domain.get_mut(nr.domain)
            {
                v.push(n as u32);
            }
        }
        let comps = by_domain
            .into_iter()
            .enumerate()
            .map(|(d, needs)| components(ix, &targets, needs, d, &mut sc))
            .collect();
        PartialDate {
            as_of,
            targets,
            comps,
            solved: Mutex::new(Default::default()),
        }
    }

    /// Met demand of `needs` (aligned), solving the components they are in that are not
    /// solved yet.
    fn met_of(&self, ix: &Index, needs: &[u32]) -> Vec<f64> {
        let mut state = self
            .solved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (solved, met) = &mut *state;
        let mut sc: Option<Scratch> = None;
        let mut out = DomainAllocation {
            met: Vec::new(),
            reachable: Vec::new(),
            allocations: Vec::new(),
            used: Vec::new(),
        };
        for &n in needs {
            let Some(nr) = ix.needs.get(n as usize) else {
                continue;
            };
            let Some(comps) = self.comps.get(nr.domain) else {
                continue;
            };
            let Some(c) = comps.of(n) else {
                continue;
            };
            if !solved.insert((nr.domain, c)) {
                continue;
            }
            let (ns, rs) = &comps.parts[c as usize];
            let sc = sc.get_or_insert_with(|| Scratch::new(ix));
            solve_component(ix, &self.targets, sc, ns, rs, met, &mut out);
            out.allocations.clear();
            out.used.clear();
            out.reachable.clear();
        }
        needs
            .iter()
            .map(|n| met.get(n).copied().unwrap_or(0.0))
            .collect()
    }
}

#[derive(Debug)]
struct CacheEntry {
    as_of: Date,
    domains: [Option<Arc<DomainAllocation>>; DOMAINS],
    city: Option<Arc<CityAllocation>>,
}

impl AllocationCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<CacheEntry>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Drop one domain's allocation on every cached date (after a write that touches only
    /// that domain's resources or needs); the other domains are kept and reused.
    pub(crate) fn invalidate_domain(&self, domain: usize) {
        self.partials().clear();
        for e in self.lock().iter_mut() {
            if let Some(slot) = e.domains.get_mut(domain) {
                *slot = None;
            }
            e.city = None;
        }
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
        self.partials().clear();
    }

    fn partials(&self) -> std::sync::MutexGuard<'_, Vec<Arc<PartialDate>>> {
        self.partial
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The city allocation of a date if it is computed already (nothing is computed here).
    fn city_if_cached(&self, as_of: Date) -> Option<Arc<CityAllocation>> {
        self.lock()
            .iter()
            .find(|e| e.as_of == as_of)
            .and_then(|e| e.city.clone())
    }

    /// A cache for the next version of the network: the domains marked in `keep` keep their
    /// allocations on every cached date, the others and the combined city ones are dropped.
    pub(crate) fn carried_over(&self, keep: &[bool; DOMAINS]) -> AllocationCache {
        let entries: Vec<CacheEntry> = self
            .lock()
            .iter()
            .filter_map(|e| {
                let domains: [Option<Arc<DomainAllocation>>; DOMAINS] =
                    std::array::from_fn(|d| if keep[d] { e.domains[d].clone() } else { None });
                let city = if keep.iter().all(|k| *k) {
                    e.city.clone()
                } else {
                    None
                };
                domains.iter().any(Option::is_some).then_some(CacheEntry {
                    as_of: e.as_of,
                    domains,
                    city,
                })
            })
            .collect();
        AllocationCache {
            entries: Mutex::new(entries),
            partial: Mutex::new(Vec::new()),
        }
    }
}

impl Engine {
    /// The city's fair allocation on `as_of`, computed once and then reused.
    pub(crate) fn city_allocation(&self, as_of: Date) -> Arc<CityAllocation> {
        let mut cached: [Option<Arc<DomainAllocation>>; DOMAINS] = Default::default();
        {
            let mut entries = self.allocations.lock();
            if let Some(i) = entries.iter().position(|e| e.as_of == as_of) {
                // Most recently used last.
                let e = entries.remove(i);
                let city = e.city.clone();
                cached = e.domains.clone();
                entries.push(e);
                if let Some(c) = city {
                    return c;
                }
            }
        }
        let city = Arc::new(build_city(&self.bundle, &self.index, as_of, &mut cached));
        self.allocations.partials().retain(|p| p.as_of != as_of);
        let mut entries = self.allocations.lock();
        entries.retain(|e| e.as_of != as_of);
        if entries.len() >= CACHE_DATES {
            entries.remove(0);
        }
        entries.push(CacheEntry {
            as_of,
            domains: cached,
            city: Some(city.clone()),
        });
        city
    }

    /// Met demand of each of `needs` (need indexes) on `as_of`: read from the city allocation
    /// when it is computed, otherwise by solving only the connected components that hold these
    /// needs (cached per date). Components are independent, so the numbers are the city
    /// allocation's, bit for bit (tests/trend_components.rs checks it).
    pub(crate) fn needs_met(&self, needs: &[u32], as_of: Date) -> Vec<f64> {
        if let Some(city) = self.allocations.city_if_cached(as_of) {
            return needs
                .iter()
                .map(|&n| city.need_met.get(n as usize).copied().unwrap_or(0.0))
                .collect();
        }
        let found = {
            let mut parts = self.allocations.partials();
            parts.iter().position(|p| p.as_of == as_of).map(|i| {
                let p = parts.remove(i);
                parts.push(p.clone());
                p
            })
        };
        let part = match found {
            Some(p) => p,
            None => {
                let p = Arc::new(PartialDate::new(&self.bundle, &self.index, as_of));
                let mut parts = self.allocations.partials();
                match parts.iter().find(|x| x.as_of == as_of) {
                    Some(other) => other.clone(),
                    None => {
                        if parts.len() >= CACHE_DATES {
                            parts.remove(0);
                        }
                        parts.push(p.clone());
                        p
                    }
                }
            }
        };
        part.met_of(&self.index, needs)
    }

    /// The connected components of every domain on `as_of` (cached with the partial
    /// allocations), as `(needs, resources)` counts: for benchmarks and tests that show how
    /// much of the city a scope's totals need.
    #[doc(hidden)]
    pub fn allocation_components(&self, as_of: Date) -> Vec<(usize, usize)> {
        let part = PartialDate::new(&self.bundle, &self.index, as_of);
        part.comps
            .iter()
            .flat_map(|c| c.parts.iter().map(|(ns, rs)| (ns.len(), rs.len())))
            .collect()
    }

    /// Forget the cached allocations of one service domain (every date); the next query
    /// recomputes only that domain.
    pub fn invalidate_allocation_domain(&self, domain: dangjian_model::ServiceDomain) {
        self.allocations.invalidate_domain(domain as usize);
    }

    /// Forget every cached allocation.
    pub fn clear_allocation_cache(&self) {
        self.allocations.clear();
    }

    /// The plain maximum flow per domain for the whole city on `as_of` (no fairness, no
    /// cache), by our Dinic or by `petgraph::algo::dinics` on the same networks: the baseline
    /// the benchmark compares the fair allocation with. Returns the values and the time spent
    /// in the max-flow runs alone (building the networks excluded).
    #[doc(hidden)]
    pub fn bench_plain_max_flow(
        &self,
        as_of: Date,
        petgraph: bool,
    ) -> ([u64; DOMAINS], std::time::Duration) {
        let ix = &self.index;
        let reach = ix.reach_at(as_of, self.bundle.units.len());
        let targets = resource_targets(ix, &reach);
        let mut out = [0u64; DOMAINS];
        let mut spent = std::time::Duration::ZERO;
        let mut scratch = Scratch::new(ix);
        for (d, slot) in out.iter_mut().enumerate() {
            let needs: Vec<u32> = (0..ix.needs.len() as u32)
                .filter(|&n| {
                    let nr = &ix.needs[n as usize];
                    nr.domain == d && nr.committee != NONE
                })
                .collect();
            let res = ix.resources_by_domain[d].clone();
            let mut b = scratch.build(ix, &targets, &needs, &res, 1, 1, true);
            if petgraph {
                let mut g = petgraph::graph::DiGraph::<(), u128>::with_capacity(
                    b.net.node_count(),
                    b.net.edges().count(),
                );
                for _ in 0..b.net.node_count() {
                    g.add_node(());
                }
                for (u, v, c) in b.net.edges() {
                    g.add_edge(u.into(), v.into(), c);
                }
                let t = std::time::Instant::now();
                let (value, _) = petgraph::algo::dinics(&g, b.s.into(), b.t.into());
                spent += t.elapsed();
                *slot = value as u64;
            } else {
                let t = std::time::Instant::now();
                *slot = b.net.max_flow(b.s, b.t) as u64;
                spent += t.elapsed();
            }
        }
        (out, spent)
    }
}

/// The targets of every resource on the date.
fn resource_targets(ix: &Index, reach: &Reach) -> Csr<Target> {
    let mut pairs: Vec<(u32, Target)> = Vec::new();
    let mut targets = Vec::new();
    for r in 0..ix.resources.len() as u32 {
        ix.resource_targets(r, reach, &mut targets);
        pairs.extend(targets.iter().map(|t| (r, *t)));
    }
    Csr::from_pairs(ix.resources.len(), &pairs)
}

fn build_city(
    b: &Bundle,
    ix: &Index,
    as_of: Date,
    cached: &mut [Option<Arc<DomainAllocation>>; DOMAINS],
) -> CityAllocation {
    let reach = ix.reach_at(as_of, b.units.len());
    let res_targets = resource_targets(ix, &reach);
    let mut scratch = Scratch::new(ix);
    for (d, slot) in cached.iter_mut().enumerate() {
        if slot.is_none() {
            *slot = Some(Arc::new(solve_domain(ix, &res_targets, d, &mut scratch)));
        }
    }
    let nn = b.needs.len();
    let nr = b.resources.len();
    let mut need_met = vec![0.0; nn];
    let mut need_reachable = vec![false; nn];
    let mut res_used = vec![0.0; nr];
    let mut pairs: Vec<(u32, (u32, f64))> = Vec::new();
    for a in cached.iter().flatten() {
        for &(n, m) in &a.met {
            need_met[n as usize] = m;
        }
        for &n in &a.reachable {
            need_reachable[n as usize] = true;
        }
        for &(r, u) in &a.used {
            res_used[r as usize] = u;
        }
        pairs.extend(a.allocations.iter().map(|&(r, n, x)| (n, (r, x))));
    }
    let by_need = Csr::from_pairs(nn, &pairs);

    let mut at: Vec<(Target, u32)> = Vec::new();
    let mut res_reaches_any = vec![false; nr];
    let mut stranded = Vec::new();
    for r in 0..nr as u32 {
        let bit = 1u16 << ix.resources[r as usize].domain;
        let mut useful = false;
        for &t in res_targets.get(r) {
            at.push((t, r));
            if !ix.committees_of(t).is_empty() {
                res_reaches_any[r as usize] = true;
            }
            useful |= ix.need_domains(t) & bit != 0;
        }
        if !useful {
            stranded.push(r);
        }
    }
    stranded.sort_by(|&x, &y| b.resources[x as usize].id.cmp(&b.resources[y as usize].id));
    let np = ix.providers.len();
    let mut provider_unused = vec![[0.0; DOMAINS]; np];
    let mut provider_domains = vec![0u16; np];
    for (r, res) in ix.resources.iter().enumerate() {
        if let Some(u) = provider_unused.get_mut(res.provider_slot as usize) {
            u[res.domain] += res.capacity as f64 - res_used[r];
            provider_domains[res.provider_slot as usize] |= 1 << res.domain;
        }
    }
    for (p, prov) in ix.providers.iter().enumerate() {
        if let Provider::SocialOrg(o) = *prov {
            for d in &b.social_orgs[o as usize].domains {
                provider_domains[p] |= 1 << (*d as usize);
            }
        }
    }
    let locations = Locations::build(ix, &res_targets);
    let mut in_street: Vec<(u32, u32)> = Vec::new();
    for (pos, &r) in stranded.iter().enumerate() {
        let res = &ix.resources[r as usize];
        if let Some(Some(s)) = ix.provider_home.get(res.provider_slot as usize) {
            in_street.push((*s, pos as u32));
        }
        for &t in res_targets.get(r) {
            let s = match t {
                Target::Street(s) => s,
                Target::Community(c) => ix.community_street[c as usize],
                Target::Committee(k) => ix.committee_street[k as usize],
            };
            if (s as usize) < b.streets.len() {
                in_street.push((s, pos as u32));
            }
        }
    }
    in_street.sort_unstable();
    in_street.dedup();
    CityAllocation {
        stranded_by_street: Csr::from_pairs(b.streets.len(), &in_street),
        candidates: Mutex::new(HashMap::new()),
        locations,
        res_at: ByTarget::from_pairs(
            [b.streets.len(), b.communities.len(), b.committees.len()],
            at,
        ),
        res_targets,
        need_met,
        need_reachable,
        res_used,
        res_reaches_any,
        by_need,
        provider_unused,
        provider_domains,
        stranded,
    }
}

/// Scratch node maps for building flow networks (reset after each build).
struct Scratch {
    knode: Vec<u32>,
    mnode: Vec<u32>,
    snode: Vec<u32>,
    /// Union-find parents for the component split.
    parent: Vec<u32>,
    /// Component split: each committee's slot (`NONE` when it has no need of the domain) and
    /// each target's representative slot (`UNSEEN` until looked at).
    kslot: Vec<u32>,
    rep_s: Vec<u32>,
    rep_m: Vec<u32>,
    rep_k: Vec<u32>,
}

/// A built network with the nodes of each layer, in topological order.
struct Built {
    net: FlowNet,
    s: u32,
    t: u32,
    /// `(resource, node, source edge)`
    res: Vec<(u32, u32, u32)>,
    /// Hierarchy nodes: streets, then communities, then committees.
    hier: Vec<u32>,
    /// `(need, node, sink edge)`
    needs: Vec<(u32, u32, u32)>,
}

impl Scratch {
    fn new(ix: &Index) -> Scratch {
        Scratch {
            knode: vec![NONE; ix.committee_street.len()],
            mnode: vec![NONE; ix.community_street.len()],
            snode: vec![NONE; ix.street_district.len()],
            parent: Vec::new(),
            kslot: vec![NONE; ix.committee_street.len()],
            rep_s: vec![UNSEEN; ix.street_district.len()],
            rep_m: vec![UNSEEN; ix.community_street.len()],
            rep_k: vec![UNSEEN; ix.committee_street.len()],
        }
    }

    /// source → resource (q·capacity) → reach targets → … → committee → need → sink
    /// (p·demand, or the demand itself when `plain`).
    #[allow(clippy::too_many_arguments)]
    fn build(
        &mut self,
        ix: &Index,
        targets: &Csr<Target>,
        needs: &[u32],
        res: &[u32],
        p: u128,
        q: u128,
        plain: bool,
    ) -> Built {
        let mut net = FlowNet::new();
        let s = net.add_node();
        let t = net.add_node();
        let (mut ss, mut ms, mut ks) = (Vec::new(), Vec::new(), Vec::new());
        let mut need_nodes = Vec::with_capacity(needs.len());
        for &n in needs {
            let nr = &ix.needs[n as usize];
            let k = nr.committee as usize;
            if self.knode[k] == NONE {
                let kn = net.add_node();
                self.knode[k] = kn;
                ks.push(k);
                let c = ix.committee_community[k] as usize;
                if c < self.mnode.len() {
                    if self.mnode[c] == NONE {
                        self.mnode[c] = net.add_node();
                        ms.push(c);
                        let st = ix.community_street[c] as usize;
                        if st < self.snode.len() {
                            if self.snode[st] == NONE {
                                self.snode[st] = net.add_node();
                                ss.push(st);
                            }
                            net.add_edge(self.snode[st], self.mnode[c], INF);
                        }
                    }
                    net.add_edge(self.mnode[c], kn, INF);
                }
            }
            let node = net.add_node();
            net.add_edge(self.knode[k], node, INF);
            let demand = u128::from(nr.demand);
            let e = net.add_edge(node, t, if plain { demand } else { p * demand });
            need_nodes.push((n, node, e));
        }
        let mut res_nodes = Vec::with_capacity(res.len());
        let mut heads: Vec<u32> = Vec::new();
        for &r in res {
            heads.clear();
            for tg in targets.get(r) {
                let node = match *tg {
                    Target::Street(x) => self.snode.get(x as usize),
                    Target::Community(x) => self.mnode.get(x as usize),
                    Target::Committee(x) => self.knode.get(x as usize),
                };
                if let Some(&x) = node
                    && x != NONE
                    && !heads.contains(&x)
                {
                    heads.push(x);
                }
            }
            let rn = net.add_node();
            let cap = u128::from(ix.resources[r as usize].capacity);
            let e = net.add_edge(s, rn, if plain { cap } else { q * cap });
            for &h in &heads {
                net.add_edge(rn, h, INF);
            }
            res_nodes.push((r, rn, e));
        }
        let mut hier = Vec::with_capacity(ss.len() + ms.len() + ks.len());
        hier.extend(ss.iter().map(|&x| self.snode[x]));
        hier.extend(ms.iter().map(|&x| self.mnode[x]));
        hier.extend(ks.iter().map(|&x| self.knode[x]));
        for x in ss {
            self.snode[x] = NONE;
        }
        for x in ms {
            self.mnode[x] = NONE;
        }
        for x in ks {
            self.knode[x] = NONE;
        }
        Built {
            net,
            s,
            t,
            res: res_nodes,
            hier,
            needs: need_nodes,
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let g = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = g;
            x = g;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The connected components of one domain's resource–need graph on a date.
#[derive(Debug)]
struct Components {
    /// The domain's needs (those with a committee), ascending.
    needs: Vec<u32>,
    /// Component (position in `parts`) of each of `needs`.
    of_need: Vec<u32>,
    /// `(needs, resources)` per component, in order of their first need; `resources` is empty
    /// when no resource can serve the needs.
    parts: Vec<(Vec<u32>, Vec<u32>)>,
}

impl Components {
    fn of(&self, n: u32) -> Option<u32> {
        self.needs.binary_search(&n).ok().map(|i| self.of_need[i])
    }
}

/// The needs of one domain that have a committee, ascending.
fn domain_needs(ix: &Index, d: usize) -> Vec<u32> {
    (0..ix.needs.len() as u32)
        .filter(|&n| {
            let nr = &ix.needs[n as usize];
            nr.domain == d && nr.committee != NONE
        })
        .collect()
}

/// A target not looked at yet (in [`Scratch`]'s per-target representatives).
const UNSEEN: u32 = u32::MAX - 1;

/// Split one domain's needs (`needs`, ascending) and resources into connected components (a
/// resource and a need are linked when the resource reaches the need's committee).
fn components(
    ix: &Index,
    targets: &Csr<Target>,
    needs: Vec<u32>,
    d: usize,
    sc: &mut Scratch,
) -> Components {
    if needs.is_empty() {
        return Components {
            needs,
            of_need: Vec::new(),
            parts: Vec::new(),
        };
    }
    let res = &ix.resources_by_domain[d];
    // Elements: the needs' committees (slots 0..nks) and the resources (nks + i).
    let mut ks_used: Vec<u32> = Vec::new();
    for &n in &needs {
        let k = ix.needs[n as usize].committee as usize;
        if sc.kslot[k] == NONE {
            sc.kslot[k] = ks_used.len() as u32;
            ks_used.push(k as u32);
        }
    }
    let nks = ks_used.len() as u32;
    sc.parent = (0..nks + res.len() as u32).collect();
    // Each target's committees with needs are joined once; the resource joins the first.
    let mut touched: Vec<Target> = Vec::new();
    let mut serves = vec![false; res.len()];
    for (i, &r) in res.iter().enumerate() {
        for &tg in targets.get(r) {
            let seen = match tg {
                Target::Street(x) => sc.rep_s.get(x as usize),
                Target::Community(x) => sc.rep_m.get(x as usize),
                Target::Committee(x) => sc.rep_k.get(x as usize),
            };
            let Some(&seen) = seen else {
                continue;
            };
            let rep = if seen != UNSEEN {
                seen
            } else {
                let mut first = NONE;
                for &k in ix.committees_of(tg) {
                    let slot = sc.kslot[k as usize];
                    if slot != NONE {
                        if first == NONE {
                            first = slot;
                        } else {
                            sc.union(first, slot);
                        }
                    }
                }
                match tg {
                    Target::Street(x) => sc.rep_s[x as usize] = first,
                    Target::Community(x) => sc.rep_m[x as usize] = first,
                    Target::Committee(x) => sc.rep_k[x as usize] = first,
                }
                touched.push(tg);
                first
            };
            if rep != NONE {
                serves[i] = true;
                sc.union(rep, nks + i as u32);
            }
        }
    }
    // Components numbered in order of their first need (needs are ascending), so the work
    // (and any tie) is deterministic.
    let mut comp_of_root = vec![NONE; (nks as usize) + res.len()];
    let mut parts: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
    let mut of_need = Vec::with_capacity(needs.len());
    for &n in &needs {
        let root = sc.find(sc.kslot[ix.needs[n as usize].committee as usize]) as usize;
        if comp_of_root[root] == NONE {
            comp_of_root[root] = parts.len() as u32;
            parts.push((Vec::new(), Vec::new()));
        }
        let c = comp_of_root[root];
        parts[c as usize].0.push(n);
        of_need.push(c);
    }
    for (i, &r) in res.iter().enumerate() {
        if serves[i] {
            let root = sc.find(nks + i as u32) as usize;
            if let Some(part) = parts.get_mut(comp_of_root[root] as usize) {
                part.1.push(r);
            }
        }
    }
    for k in ks_used {
        sc.kslot[k as usize] = NONE;
    }
    for tg in touched {
        match tg {
            Target::Street(x) => sc.rep_s[x as usize] = UNSEEN,
            Target::Community(x) => sc.rep_m[x as usize] = UNSEEN,
            Target::Committee(x) => sc.rep_k[x as usize] = UNSEEN,
        }
    }
    Components {
        needs,
        of_need,
        parts,
    }
}

/// Solve one connected component (needs `ns`, resources `rs`): its needs' met demand into
/// `met`, its level sets' flows into `out`. Components are independent, so a component's
/// result is the same whether it is solved alone or with the whole city.
fn solve_component(
    ix: &Index,
    targets: &Csr<Target>,
    sc: &mut Scratch,
    ns: &[u32],
    rs: &[u32],
    met: &mut HashMap<u32, f64>,
    out: &mut DomainAllocation,
) {
    if rs.is_empty() {
        return; // no resource can serve these needs: met 0, unreachable
    }
    out.reachable.extend_from_slice(ns);
    let mut stack: Vec<(Vec<u32>, Vec<u32>)> = vec![(ns.to_vec(), rs.to_vec())];
    while let Some((ns, rs)) = stack.pop() {
        solve_part(ix, targets, sc, ns, rs, &mut stack, met, out);
    }
}

/// The fair allocation of one domain.
fn solve_domain(ix: &Index, targets: &Csr<Target>, d: usize, sc: &mut Scratch) -> DomainAllocation {
    let comps = components(ix, targets, domain_needs(ix, d), d, sc);
    let mut out = DomainAllocation {
        met: comps.needs.iter().map(|&n| (n, 0.0)).collect(),
        reachable: Vec::new(),
        allocations: Vec::new(),
        used: Vec::new(),
    };
    let mut met: HashMap<u32, f64> = HashMap::new();
    for (ns, rs) in &comps.parts {
        solve_component(ix, targets, sc, ns, rs, &mut met, &mut out);
    }
    for (n, m) in &mut out.met {
        if let Some(x) = met.get(n) {
            *m = *x;
        }
    }
    out.reachable.sort_unstable();
    out.allocations.sort_by_key(|a| (a.1, a.0));
    out.used.sort_by_key(|x| x.0);
    out
}

/// One step of the decomposition on needs `ns` and resources `rs`: either a level set (every
/// need at the same ratio, recorded with its flow) or a split pushed back on the stack.
#[allow(clippy::too_many_arguments)]
fn solve_part(
    ix: &Index,
    targets: &Csr<Target>,
    sc: &mut Scratch,
    ns: Vec<u32>,
    rs: Vec<u32>,
    stack: &mut Vec<(Vec<u32>, Vec<u32>)>,
    met: &mut HashMap<u32, f64>,
    out: &mut DomainAllocation,
) {
    let cap: u128 = rs
        .iter()
        .map(|&r| u128::from(ix.resources[r as usize].capacity))
        .sum();
    let demand: u128 = ns
        .iter()
        .map(|&n| u128::from(ix.needs[n as usize].demand))
        .sum();
    if cap == 0 || demand == 0 {
        return; // nothing to give (or nothing asked): met stays 0
    }
    let (p, q) = if cap >= demand {
        (1, 1)
    } else {
        let g = gcd(cap, demand);
        (cap / g, demand / g)
    };
    let mut b = sc.build(ix, targets, &ns, &rs, p, q, false);
    let flow = b.net.max_flow(b.s, b.t);
    if flow == p * demand {
        record_level(&b, q, met, out);
        return;
    }
    let side = b.net.residual_reachable(b.s);
    let (n_low, n_high) = split_by_cut(&b.needs, &side);
    let (r_low, r_high) = split_by_cut(&b.res, &side);
    if n_low.is_empty() || n_high.is_empty() {
        // Cannot happen for a maximum flow (both sides hold a need, see the module docs);
        // guard against looping forever all the same by taking the flow as it is.
        record_level(&b, q, met, out);
        return;
    }
    stack.push((n_high, r_high));
    stack.push((n_low, r_low));
}

/// The ids of `items` (id, node, capacity) whose node the source cannot reach in the residual
/// network (low), and those it can (high).
fn split_by_cut(items: &[(u32, u32, u32)], side: &[bool]) -> (Vec<u32>, Vec<u32>) {
    let (high, low): (Vec<_>, Vec<_>) =
        items.iter().partition(|&&(_, node, _)| side[node as usize]);
    let ids = |v: Vec<&(u32, u32, u32)>| v.into_iter().map(|&(id, _, _)| id).collect();
    (ids(low), ids(high))
}

/// Record a level set's met demand and who serves whom, pushing each resource's flow down the
/// hierarchy (layers in topological order) in chunks labelled by resource.
fn record_level(b: &Built, q: u128, met: &mut HashMap<u32, f64>, out: &mut DomainAllocation) {
    let qf = q as f64;
    let mut chunks: HashMap<u32, Vec<(u32, u128)>> = HashMap::new();
    let push =
        |chunks: &mut HashMap<u32, Vec<(u32, u128)>>, node: u32, inflow: Vec<(u32, u128)>| {
            let mut inflow = inflow.into_iter();
            let mut cur = inflow.next();
            for (_, to, mut f) in b.net.flows_out(node) {
                while f > 0 {
                    let Some((r, left)) = cur.as_mut() else {
                        break;
                    };
                    let take = f.min(*left);
                    chunks.entry(to).or_default().push((*r, take));
                    *left -= take;
                    f -= take;
                    if *left == 0 {
                        cur = inflow.next();
                    }
                }
            }
        };
    for &(r, node, e) in &b.res {
        let f = b.net.flow(e);
        if f > 0 {
            out.used.push((r, f as f64 / qf));
            push(&mut chunks, node, vec![(r, f)]);
        }
    }
    for &node in &b.hier {
        if let Some(inflow) = chunks.remove(&node) {
            push(&mut chunks, node, inflow);
        }
    }
    for &(n, node, e) in &b.needs {
        let f = b.net.flow(e);
        met.insert(n, f as f64 / qf);
        let mut inflow = chunks.remove(&node).unwrap_or_default();
        inflow.sort_unstable_by_key(|x| x.0);
        let mut i = 0;
        while i < inflow.len() {
            let r = inflow[i].0;
            let mut amount = 0u128;
            while i < inflow.len() && inflow[i].0 == r {
                amount += inflow[i].1;
                i += 1;
            }
            out.allocations.push((r, n, amount as f64 / qf));
        }
    }
}

/// Providers by the targets their resources reach, where the gaps' candidates are searched;
/// `fallback` holds, by home street, the providers whose resources reach nothing.
#[derive(Debug)]
pub(crate) struct Locations {
    pub at: ByTarget,
    pub fallback: Csr<u32>,
    /// Provider slot by rank of its id.
    pub by_rank: Vec<u32>,
}

impl Locations {
    /// Where each provider is on a date: the targets its resources reach.
    pub(crate) fn build(ix: &Index, res_targets: &Csr<Target>) -> Locations {
        let np = ix.providers.len();
        let mut pairs: Vec<(u32, Target)> = Vec::new();
        for (r, res) in ix.resources.iter().enumerate() {
            if res.provider_slot == NONE {
                continue;
            }
            pairs.extend(
                res_targets
                    .get(r as u32)
                    .iter()
                    .map(|t| (res.provider_slot, *t)),
            );
        }
        let mut located = vec![false; np];
        for &(p, _) in &pairs {
            located[p as usize] = true;
        }
        let fallback: Vec<(u32, u32)> = (0..np)
            .filter(|&p| !located[p])
            .filter_map(|p| ix.provider_home[p].map(|s| (s, p as u32)))
            .collect();
        let mut by_rank = vec![0u32; np];
        for (p, &r) in ix.provider_rank.iter().enumerate() {
            by_rank[r as usize] = p as u32;
        }
        Locations {
            at: ByTarget::from_pairs(
                [
                    ix.street_district.len(),
                    ix.community_street.len(),
                    ix.committee_street.len(),
                ],
                pairs.iter().map(|&(p, t)| (t, p)),
            ),
            fallback: Csr::from_pairs(ix.street_district.len(), &fallback),
            by_rank,
        }
    }
}
