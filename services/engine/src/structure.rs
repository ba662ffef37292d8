//! Network structure (SPEC §3 "Structure"): broker units by betweenness centrality on the
//! unit–committee reach graph, and areas (片区) of committees by Louvain community detection
//! on adjacency and shared partners.
//!
//! - **Brokers.** The graph is bipartite: a node per committee in scope and per unit with an
//!   active partnership reaching one of them; an edge when the unit reaches the committee
//!   (SPEC §3 "Reach", at any level). A unit on many shortest committee–committee paths is the
//!   link between otherwise separate groups of committees. Betweenness is Brandes' algorithm
//!   on the unweighted, undirected graph, each unordered pair counted once, not normalised.
//!   It is exact while the work fits [`BROKER_WORK_BUDGET`]; the work is counted per
//!   connected component (a breadth-first search from a source only visits its component):
//!   Σ nodes_c × (nodes_c + 2·edges_c). Otherwise it is estimated from `k` pivot sources chosen
//!   by a fixed-seed generator (so repeated calls agree), as many as the budget allows at the
//!   average cost of a source, at least [`MIN_PIVOTS`], and scaled by nodes / k. We implement Brandes here rather than use `rustworkx-core`, which has no
//!   sampled variant and would pull rayon, ndarray and a second `rand` into the engine.
//! - **Areas.** The graph has a node per committee in scope; edge weight = 1.0 when the two
//!   committees are adjacent (地域相邻, duplicates and both directions counted once) + 0.5 ×
//!   the number of units in reach of both (shared partners). Louvain (modularity at
//!   resolution one) runs to convergence over as many levels as improve, visiting nodes in
//!   bundle order so the result is deterministic. Areas are numbered `A1`, `A2`, … by size (largest first),
//!   then by the bundle position of their first committee.

use crate::index::{Graph, undirected_graph};
use crate::{Engine, EngineError};
pub use dangjian_model::{Area, AreaUnit, AreasDoc, Broker, BrokerMethod, BrokersDoc};
use dangjian_model::{Committee, Date, Unit};
use petgraph::unionfind::UnionFind;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A cooperative cancellation flag for long computations (betweenness, Louvain): the caller
/// keeps a clone and cancels it when nobody waits for the answer any more (a request timed
/// out or its client went away); the loops check it between units of work and stop with
/// [`EngineError::Cancelled`].
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag that is not cancelled.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Ask the computation to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn check(&self) -> Result<(), EngineError> {
        if self.is_cancelled() {
            Err(EngineError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Work allowed for betweenness, in source × visited nodes and adjacency entries (2–4 ns
/// each, so about two seconds); beyond it the betweenness is sampled with as many pivots as
/// fit the budget.
pub const BROKER_WORK_BUDGET: u64 = 600_000_000;

/// Fewest pivots a sampled betweenness uses.
pub const MIN_PIVOTS: usize = 64;

/// Edge weight of two adjacent committees in the area graph.
pub const ADJACENCY_WEIGHT: f64 = 1.0;

/// Edge weight added per unit in reach of both committees in the area graph.
pub const SHARED_PARTNER_WEIGHT: f64 = 0.5;

/// Committees of a scope and the units reaching them.
struct ScopeReach<'a> {
    committees: Vec<&'a Committee>,
    /// The committees' indexes in the bundle, in the same order.
    ks: Vec<u32>,
    units: Vec<&'a Unit>,
    /// Per unit: sorted, distinct indices into `committees`.
    reach: Vec<Vec<u32>>,
    /// Per unit: active partnerships reaching the scope.
    partnerships: Vec<u64>,
}

impl<'a> ScopeReach<'a> {
    /// The reach of the committees in `scope` (unless `cancel` is already set).
    fn of_scope(
        engine: &'a Engine,
        scope: &str,
        as_of: Date,
        cancel: &Cancel,
    ) -> Result<Self, EngineError> {
        cancel.check()?;
        let ks = engine.scope_committee_indexes(engine.resolve_scope(scope)?);
        Ok(ScopeReach::new(engine, ks, as_of))
    }

    /// The reach of committees `ks` over the active partnerships resolved in the index.
    fn new(engine: &'a Engine, ks: Vec<u32>, as_of: Date) -> Self {
        let b = engine.bundle();
        let ix = &engine.index;
        let position = in_scope(b.committees.len(), &ks);
        let mut reach: Vec<Vec<u32>> = vec![Vec::new(); b.units.len()];
        let mut partnerships = vec![0u64; b.units.len()];
        for p in ix.partnerships.iter() {
            let (Some(t), Some(r)) = (p.target, reach.get_mut(p.unit as usize)) else {
                continue;
            };
            if !p.is_active(as_of) {
                continue;
            }
            let before = r.len();
            r.extend(
                ix.committees_of(t)
                    .iter()
                    .map(|&k| position[k as usize])
                    .filter(|&i| i != NOT_IN_SCOPE),
            );
            if r.len() > before {
                partnerships[p.unit as usize] += 1;
            }
        }
        let mut out = ScopeReach {
            committees: ks.iter().map(|&k| &b.committees[k as usize]).collect(),
            ks,
            units: Vec::new(),
            reach: Vec::new(),
            partnerships: Vec::new(),
        };
        for (u, mut r) in reach.into_iter().enumerate() {
            if r.is_empty() {
                continue;
            }
            r.sort_unstable();
            r.dedup();
            out.units.push(&b.units[u]);
            out.reach.push(r);
            out.partnerships.push(partnerships[u]);
        }
        out
    }
}

/// Marks a committee outside the scope in [`in_scope`].
const NOT_IN_SCOPE: u32 = u32::MAX;

/// Per committee of the bundle (`nk` of them): its position in `ks`, or [`NOT_IN_SCOPE`].
fn in_scope(nk: usize, ks: &[u32]) -> Vec<u32> {
    let mut position = vec![NOT_IN_SCOPE; nk];
    for (i, &k) in ks.iter().enumerate() {
        position[k as usize] = i as u32;
    }
    position
}

/// Σ over connected components (petgraph's union-find) of nodes × (nodes + adjacency
/// entries): the visits of Brandes from every source.
fn brandes_work(g: &Graph) -> u64 {
    let n = g.node_count();
    let mut components = UnionFind::<u32>::new(n);
    for v in 0..n as u32 {
        for &w in g.neighbors_slice(v) {
            components.union(v, w);
        }
    }
    let mut nodes = vec![0u64; n];
    let mut entries = vec![0u64; n];
    for v in 0..n as u32 {
        let root = components.find_mut(v) as usize;
        nodes[root] += 1;
        entries[root] += g.out_degree(v) as u64;
    }
    nodes.iter().zip(&entries).fold(0u64, |work, (&c, &e)| {
        work.saturating_add(c.saturating_mul(c + e))
    })
}

/// Brandes' betweenness from the given sources, accumulated (undirected pairs counted twice).
fn brandes(
    g: &Graph,
    n: usize,
    sources: impl Iterator<Item = usize>,
    cancel: &Cancel,
) -> Result<Vec<f64>, EngineError> {
    let mut bc = vec![0.0f64; n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![-1i32; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    for s in sources {
        cancel.check()?;
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        order.push(s as u32);
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            let dv = dist[v];
            for &w in g.neighbors_slice(v as u32) {
                let w = w as usize;
                if dist[w] < 0 {
                    dist[w] = dv + 1;
                    order.push(w as u32);
                }
                if dist[w] == dv + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        for &w in order.iter().rev() {
            let w = w as usize;
            let dw = dist[w];
            let coeff = (1.0 + delta[w]) / sigma[w];
            for &v in g.neighbors_slice(w as u32) {
                let v = v as usize;
                if dist[v] == dw - 1 {
                    delta[v] += sigma[v] * coeff;
                }
            }
            if w != s {
                bc[w] += delta[w];
            }
        }
        for &v in &order {
            let v = v as usize;
            sigma[v] = 0.0;
            dist[v] = -1;
            delta[v] = 0.0;
        }
    }
    Ok(bc)
}

/// splitmix64: a small fixed-seed generator for choosing pivots reproducibly.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `k` distinct values of `0..n`, sorted (partial Fisher–Yates).
    fn choose(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + (self.next() % (n - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(k.min(n));
        all.sort_unstable();
        all
    }
}

/// Seed of the pivot generator.
const PIVOT_SEED: u64 = 0x6461_6e67_6a69_616e; // "dangjian"

/// A weighted undirected graph for Louvain: adjacency lists in both directions, self loops
/// apart (a loop of weight w adds 2w to its node's degree).
struct WGraph {
    adj: Vec<Vec<(u32, f64)>>,
    loops: Vec<f64>,
}

impl WGraph {
    fn len(&self) -> usize {
        self.adj.len()
    }

    fn degrees(&self) -> Vec<f64> {
        self.adj
            .iter()
            .zip(&self.loops)
            .map(|(a, l)| a.iter().map(|(_, w)| w).sum::<f64>() + 2.0 * l)
            .collect()
    }
}

/// One Louvain level: local moves until none improves; returns the community of each node,
/// renumbered 0.. in order of first appearance, and whether any node moved.
fn louvain_level(g: &WGraph) -> (Vec<u32>, bool) {
    let n = g.len();
    let k = g.degrees();
    let m2: f64 = k.iter().sum();
    let mut comm: Vec<u32> = (0..n as u32).collect();
    let mut tot = k.clone();
    let mut any_move = false;
    if m2 <= 0.0 {
        return (comm, false);
    }
    let mut link = vec![0.0f64; n];
    let mut is_touched = vec![false; n];
    let mut touched: Vec<u32> = Vec::new();
    for _pass in 0..100 {
        let mut moved = false;
        for i in 0..n {
            let ci = comm[i];
            tot[ci as usize] -= k[i];
            touched.clear();
            touched.push(ci);
            is_touched[ci as usize] = true;
            for &(j, w) in &g.adj[i] {
                let cj = comm[j as usize];
                if !is_touched[cj as usize] {
                    is_touched[cj as usize] = true;
                    touched.push(cj);
                }
                link[cj as usize] += w;
            }
            let gain = |c: u32| link[c as usize] - tot[c as usize] * k[i] / m2;
            let mut best = ci;
            let mut best_gain = gain(ci);
            for &c in &touched {
                let gc = gain(c);
                if gc > best_gain + 1e-12 {
                    best = c;
                    best_gain = gc;
                }
            }
            for &c in &touched {
                link[c as usize] = 0.0;
                is_touched[c as usize] = false;
            }
            tot[best as usize] += k[i];
            if best != ci {
                comm[i] = best;
                moved = true;
                any_move = true;
            }
        }
        if !moved {
            break;
        }
    }
    let mut renumber: HashMap<u32, u32> = HashMap::new();
    for c in &mut comm {
        let next = renumber.len() as u32;
        *c = *renumber.entry(*c).or_insert(next);
    }
    (comm, any_move)
}

fn aggregate(g: &WGraph, comm: &[u32]) -> WGraph {
    let nc = comm.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut loops = vec![0.0f64; nc];
    let mut maps: Vec<HashMap<u32, f64>> = vec![HashMap::new(); nc];
    for (i, edges) in g.adj.iter().enumerate() {
        let ci = comm[i];
        loops[ci as usize] += g.loops[i];
        for &(j, w) in edges {
            let cj = comm[j as usize];
            if ci == cj {
                loops[ci as usize] += w / 2.0;
            } else {
                *maps[ci as usize].entry(cj).or_insert(0.0) += w;
            }
        }
    }
    let adj = maps
        .into_iter()
        .map(|m| {
            let mut v: Vec<(u32, f64)> = m.into_iter().collect();
            v.sort_unstable_by_key(|&(c, _)| c);
            v
        })
        .collect();
    WGraph { adj, loops }
}

/// Louvain over as many levels as improve; the community of each original node.
fn louvain(g: &WGraph, cancel: &Cancel) -> Result<Vec<u32>, EngineError> {
    let mut membership: Vec<u32> = (0..g.len() as u32).collect();
    let mut level = WGraph {
        adj: g.adj.clone(),
        loops: g.loops.clone(),
    };
    for _ in 0..32 {
        cancel.check()?;
        let (comm, moved) = louvain_level(&level);
        if !moved {
            break;
        }
        for m in &mut membership {
            *m = comm[*m as usize];
        }
        level = aggregate(&level, &comm);
    }
    Ok(membership)
}

/// Modularity of a partition of `g` (no self loops in `g`).
fn modularity(g: &WGraph, comm: &[u32]) -> f64 {
    let k = g.degrees();
    let m2: f64 = k.iter().sum();
    if m2 <= 0.0 {
        return 0.0;
    }
    let nc = comm.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut inside = 0.0;
    let mut tot = vec![0.0f64; nc];
    for (i, edges) in g.adj.iter().enumerate() {
        tot[comm[i] as usize] += k[i];
        inside += 2.0 * g.loops[i];
        for &(j, w) in edges {
            if comm[i] == comm[j as usize] {
                inside += w;
            }
        }
    }
    inside / m2 - tot.iter().map(|t| (t / m2) * (t / m2)).sum::<f64>()
}

impl Engine {
    /// Broker units of a scope: betweenness centrality on the unit–committee reach graph,
    /// highest first, at most `limit` of them.
    pub fn brokers(
        &self,
        scope: &str,
        as_of: Date,
        limit: usize,
    ) -> Result<BrokersDoc, EngineError> {
        self.brokers_until(scope, as_of, limit, &Cancel::new())
    }

    /// [`Engine::brokers`] that stops with [`EngineError::Cancelled`] once `cancel` is set.
    pub fn brokers_until(
        &self,
        scope: &str,
        as_of: Date,
        limit: usize,
        cancel: &Cancel,
    ) -> Result<BrokersDoc, EngineError> {
        let sr = ScopeReach::of_scope(self, scope, as_of, cancel)?;
        let nc = sr.committees.len();
        let n = nc + sr.units.len();
        let mut edges: Vec<(u32, u32)> = Vec::new();
        for (u, r) in sr.reach.iter().enumerate() {
            let un = (nc + u) as u32;
            edges.extend(r.iter().map(|&c| (un, c)));
        }
        let g = undirected_graph(n, &edges);
        let work = brandes_work(&g);
        let (bc, method, samples) = if work <= BROKER_WORK_BUDGET {
            (brandes(&g, n, 0..n, cancel)?, BrokerMethod::Exact, None)
        } else {
            let per_source = (work / n.max(1) as u64).max(1);
            let k = ((BROKER_WORK_BUDGET / per_source) as usize).clamp(MIN_PIVOTS.min(n), n);
            let pivots = SplitMix(PIVOT_SEED).choose(n, k);
            let mut bc = brandes(&g, n, pivots.into_iter(), cancel)?;
            let scale = n as f64 / k.max(1) as f64;
            for x in &mut bc {
                *x *= scale;
            }
            (bc, BrokerMethod::Sampled, Some(k))
        };
        let mut brokers: Vec<Broker> = sr
            .units
            .iter()
            .enumerate()
            .map(|(u, unit)| Broker {
                unit: unit.id.clone(),
                name: unit.name.clone(),
                betweenness: bc[nc + u] / 2.0,
                partnerships: sr.partnerships[u],
                committees_in_reach: sr.reach[u].len() as u64,
            })
            .collect();
        brokers.sort_by(|a, b| {
            b.betweenness
                .total_cmp(&a.betweenness)
                .then_with(|| b.committees_in_reach.cmp(&a.committees_in_reach))
                .then_with(|| a.unit.cmp(&b.unit))
        });
        brokers.truncate(limit);
        Ok(BrokersDoc {
            as_of,
            scope: scope.to_owned(),
            method,
            samples,
            brokers,
        })
    }

    /// Areas (片区) of a scope: Louvain communities of its committees on adjacency and shared
    /// partners, with the units that reach most of each area.
    pub fn areas(&self, scope: &str, as_of: Date) -> Result<AreasDoc, EngineError> {
        self.areas_until(scope, as_of, &Cancel::new())
    }

    /// [`Engine::areas`] that stops with [`EngineError::Cancelled`] once `cancel` is set.
    pub fn areas_until(
        &self,
        scope: &str,
        as_of: Date,
        cancel: &Cancel,
    ) -> Result<AreasDoc, EngineError> {
        let sr = ScopeReach::of_scope(self, scope, as_of, cancel)?;
        let n = sr.committees.len();
        let position = in_scope(self.bundle().committees.len(), &sr.ks);
        let mut weights: HashMap<(u32, u32), f64> = HashMap::new();
        for (x, &k) in sr.ks.iter().enumerate() {
            for &m in self.index.adjacency.neighbors_slice(k) {
                let y = position[m as usize];
                if y != NOT_IN_SCOPE && (x as u32) < y {
                    weights.insert((x as u32, y), ADJACENCY_WEIGHT);
                }
            }
        }
        // Units with the same reach add the same pairs: group them first.
        let mut groups: HashMap<&[u32], u32> = HashMap::new();
        for r in &sr.reach {
            if r.len() >= 2 {
                *groups.entry(r.as_slice()).or_insert(0) += 1;
            }
        }
        for (r, count) in groups {
            let w = SHARED_PARTNER_WEIGHT * f64::from(count);
            for (i, &x) in r.iter().enumerate() {
                for &y in &r[i + 1..] {
                    *weights.entry((x, y)).or_insert(0.0) += w;
                }
            }
        }
        let mut pairs: Vec<((u32, u32), f64)> = weights.into_iter().collect();
        pairs.sort_unstable_by_key(|&(p, _)| p);
        let mut adj: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for ((x, y), w) in pairs {
            adj[x as usize].push((y, w));
            adj[y as usize].push((x, w));
        }
        for a in &mut adj {
            a.sort_unstable_by_key(|&(c, _)| c);
        }
        let g = WGraph {
            adj,
            loops: vec![0.0; n],
        };
        let membership = louvain(&g, cancel)?;
        let q = modularity(&g, &membership);

        // Order areas by size (desc), then first committee.
        let nc = membership
            .iter()
            .map(|&c| c as usize + 1)
            .max()
            .unwrap_or(0);
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); nc];
        for (i, &c) in membership.iter().enumerate() {
            members[c as usize].push(i as u32);
        }
        let mut order: Vec<usize> = (0..nc).filter(|&c| !members[c].is_empty()).collect();
        order.sort_by_key(|&c| (std::cmp::Reverse(members[c].len()), members[c][0]));
        let mut rank = vec![usize::MAX; nc];
        for (r, &c) in order.iter().enumerate() {
            rank[c] = r;
        }
        // Units per area: how many committees of the area each unit reaches.
        let mut strongest: Vec<Vec<(u64, usize)>> = vec![Vec::new(); order.len()];
        let mut counts: HashMap<usize, u64> = HashMap::new();
        for (u, r) in sr.reach.iter().enumerate() {
            counts.clear();
            for &c in r {
                *counts
                    .entry(rank[membership[c as usize] as usize])
                    .or_insert(0) += 1;
            }
            for (&area, &count) in &counts {
                strongest[area].push((count, u));
            }
        }
        let areas = order
            .iter()
            .zip(strongest)
            .enumerate()
            .map(|(r, (&c, mut units))| {
                units.sort_by(|a, b| {
                    b.0.cmp(&a.0)
                        .then_with(|| sr.units[a.1].id.cmp(&sr.units[b.1].id))
                });
                units.truncate(3);
                let committees: Vec<&Committee> = members[c]
                    .iter()
                    .map(|&i| sr.committees[i as usize])
                    .collect();
                Area {
                    id: format!("A{}", r + 1),
                    committees: committees.iter().map(|c| c.id.clone()).collect(),
                    names: committees.iter().map(|c| c.name.clone()).collect(),
                    strongest_units: units
                        .into_iter()
                        .map(|(count, u)| AreaUnit {
                            unit: sr.units[u].id.clone(),
                            name: sr.units[u].name.clone(),
                            committees: count,
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(AreasDoc {
            as_of,
            scope: scope.to_owned(),
            modularity: q,
            areas,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path 0–1–…–(n−1): node i lies on i·(n−1−i) pairs.
    fn path(n: usize) -> Graph {
        let edges: Vec<(u32, u32)> = (1..n as u32).map(|i| (i - 1, i)).collect();
        undirected_graph(n, &edges)
    }

    #[test]
    fn brandes_on_a_path() {
        let n = 9;
        let bc = brandes(&path(n), n, 0..n, &Cancel::new()).expect("not cancelled");
        for (i, x) in bc.iter().enumerate() {
            assert_eq!(*x / 2.0, (i * (n - 1 - i)) as f64, "node {i}");
        }
    }

    #[test]
    fn brandes_counts_shortest_paths_fractionally() {
        // A 4-cycle 0–1–2–3–0: each node is on half of the paths of its opposite pair.
        let g = undirected_graph(4, &[(0, 1), (1, 2), (2, 3), (3, 0)]);
        let bc = brandes(&g, 4, 0..4, &Cancel::new()).expect("not cancelled");
        assert!(bc.iter().all(|x| (*x / 2.0 - 0.5).abs() < 1e-12), "{bc:?}");
    }

    #[test]
    fn pivots_are_distinct_sorted_and_reproducible() {
        let a = SplitMix(PIVOT_SEED).choose(1000, 64);
        let b = SplitMix(PIVOT_SEED).choose(1000, 64);
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert!(a.iter().all(|&x| x < 1000));
        assert_eq!(SplitMix(1).choose(5, 10), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn sampled_betweenness_estimates_the_exact_one() {
        let n = 400;
        let g = path(n);
        let exact = brandes(&g, n, 0..n, &Cancel::new()).expect("not cancelled");
        let k = 200;
        let pivots = SplitMix(PIVOT_SEED).choose(n, k);
        let scale = n as f64 / k as f64;
        let est: Vec<f64> = brandes(&g, n, pivots.into_iter(), &Cancel::new())
            .expect("not cancelled")
            .into_iter()
            .map(|x| x * scale)
            .collect();
        let mid = n / 2;
        let rel = (est[mid] - exact[mid]).abs() / exact[mid];
        assert!(rel < 0.2, "estimate {} vs exact {}", est[mid], exact[mid]);
        // The middle still outranks the ends.
        assert!(est[mid] > est[5] && est[mid] > est[n - 6]);
    }

    #[test]
    fn a_cancelled_flag_stops_betweenness_and_louvain() {
        let cancel = Cancel::new();
        cancel.cancel();
        assert_eq!(
            brandes(&path(50), 50, 0..50, &cancel),
            Err(EngineError::Cancelled)
        );
        let g = WGraph {
            adj: vec![Vec::new(); 3],
            loops: vec![0.0; 3],
        };
        assert_eq!(louvain(&g, &cancel), Err(EngineError::Cancelled));
        assert!(brandes(&path(5), 5, 0..5, &Cancel::new()).is_ok());
    }

    #[test]
    fn work_is_counted_per_component() {
        // Two separate paths of 3 nodes (4 adjacency entries each): 2 × 3 × (3 + 4).
        let g = undirected_graph(6, &[(0, 1), (1, 2), (3, 4), (4, 5)]);
        assert_eq!(brandes_work(&g), 42);
        // An isolated node costs one visit, a trailing one too.
        assert_eq!(brandes_work(&undirected_graph(1, &[])), 1);
        assert_eq!(
            brandes_work(&undirected_graph(8, &[(0, 1), (1, 2), (3, 4), (4, 5)])),
            44
        );
    }

    #[test]
    fn louvain_keeps_isolated_nodes_apart() {
        let g = WGraph {
            adj: vec![Vec::new(); 3],
            loops: vec![0.0; 3],
        };
        assert_eq!(
            louvain(&g, &Cancel::new()).expect("not cancelled"),
            vec![0, 1, 2]
        );
        assert_eq!(modularity(&g, &[0, 1, 2]), 0.0);
    }
}
