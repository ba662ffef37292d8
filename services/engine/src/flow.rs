//! Dinic maximum flow on adjacency arrays, in exact 128-bit integers: the max-flow checks of
//! the fair allocation (SPEC §3), whose capacities are scaled by the denominator of a rational
//! level λ = p/q (≤ 10⁹ × row counts on each side, far below 2¹²⁸).
//!
//! Why our own Dinic and not `petgraph::algo::dinics`: on the Shanghai network's city-wide
//! per-domain networks ours took 0.23 s and petgraph's 20.4 s in the same bench run (BENCHMARKS.md,
//! "Fair allocation"); ours also exposes the residual graph (the min cut) the fair split needs.

/// Capacity that never limits a flow.
pub(crate) const INF: u128 = u128::MAX / 4;

const NONE: u32 = u32::MAX;

/// A flow network; edge `e` and its reverse `e ^ 1` are stored side by side.
#[derive(Debug, Default)]
pub(crate) struct FlowNet {
    head: Vec<u32>,
    next: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<u128>,
    original: Vec<u128>,
}

impl FlowNet {
    pub(crate) fn new() -> FlowNet {
        FlowNet::default()
    }

    pub(crate) fn add_node(&mut self) -> u32 {
        self.head.push(NONE);
        (self.head.len() - 1) as u32
    }

    /// Add an edge `u → v` with capacity `c`; returns its index (always even).
    pub(crate) fn add_edge(&mut self, u: u32, v: u32, c: u128) -> u32 {
        let e = self.to.len() as u32;
        for (a, b, cap) in [(u, v, c), (v, u, 0)] {
            self.to.push(b);
            self.cap.push(cap);
            self.original.push(cap);
            self.next.push(self.head[a as usize]);
            self.head[a as usize] = self.to.len() as u32 - 1;
        }
        e
    }

    /// Every edge as added: `(from, to, capacity)`.
    pub(crate) fn edges(&self) -> impl Iterator<Item = (u32, u32, u128)> + '_ {
        (0..self.to.len())
            .step_by(2)
            .map(|e| (self.to[e ^ 1], self.to[e], self.original[e]))
    }

    /// Number of nodes.
    pub(crate) fn node_count(&self) -> usize {
        self.head.len()
    }

    /// Flow currently on edge `e`.
    pub(crate) fn flow(&self, e: u32) -> u128 {
        self.original[e as usize] - self.cap[e as usize]
    }

    /// The forward edges leaving `u` that carry flow: `(edge, head node, flow)`.
    pub(crate) fn flows_out(&self, u: u32) -> impl Iterator<Item = (u32, u32, u128)> + '_ {
        let mut e = self.head[u as usize];
        std::iter::from_fn(move || {
            while e != NONE {
                let cur = e;
                e = self.next[cur as usize];
                if cur & 1 == 0 {
                    let f = self.flow(cur);
                    if f > 0 {
                        return Some((cur, self.to[cur as usize], f));
                    }
                }
            }
            None
        })
    }

    /// Nodes reachable from `s` over edges with residual capacity (the source side of the
    /// minimal minimum cut, once a maximum flow has been found).
    pub(crate) fn residual_reachable(&self, s: u32) -> Vec<bool> {
        let mut seen = vec![false; self.head.len()];
        let mut stack = vec![s];
        seen[s as usize] = true;
        while let Some(u) = stack.pop() {
            let mut e = self.head[u as usize];
            while e != NONE {
                let v = self.to[e as usize];
                if self.cap[e as usize] > 0 && !seen[v as usize] {
                    seen[v as usize] = true;
                    stack.push(v);
                }
                e = self.next[e as usize];
            }
        }
        seen
    }

    /// Run Dinic from `s` to `t`; returns the maximum flow value.
    pub(crate) fn max_flow(&mut self, s: u32, t: u32) -> u128 {
        let n = self.head.len();
        let mut total = 0u128;
        let mut level = vec![u32::MAX; n];
        let mut it = vec![NONE; n];
        let mut queue: Vec<u32> = Vec::with_capacity(n);
        loop {
            level.fill(u32::MAX);
            level[s as usize] = 0;
            queue.clear();
            queue.push(s);
            let mut qi = 0;
            while qi < queue.len() {
                let u = queue[qi];
                qi += 1;
                let mut e = self.head[u as usize];
                while e != NONE {
                    let v = self.to[e as usize];
                    if self.cap[e as usize] > 0 && level[v as usize] == u32::MAX {
                        level[v as usize] = level[u as usize] + 1;
                        queue.push(v);
                    }
                    e = self.next[e as usize];
                }
            }
            if level[t as usize] == u32::MAX {
                return total;
            }
            it.copy_from_slice(&self.head);
            loop {
                let f = self.augment(s, t, INF, &level, &mut it);
                if f == 0 {
                    break;
                }
                total += f;
            }
        }
    }

    fn augment(&mut self, u: u32, t: u32, limit: u128, level: &[u32], it: &mut [u32]) -> u128 {
        if u == t {
            return limit;
        }
        while it[u as usize] != NONE {
            let e = it[u as usize] as usize;
            let v = self.to[e];
            if self.cap[e] > 0 && level[v as usize] == level[u as usize] + 1 {
                let f = self.augment(v, t, limit.min(self.cap[e]), level, it);
                if f > 0 {
                    self.cap[e] -= f;
                    self.cap[e ^ 1] += f;
                    return f;
                }
            }
            it[u as usize] = self.next[e];
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_network() {
        // CLRS figure 26.1: max flow 23; the min cut leaves {s, v1, v2, v4} on the source side.
        let mut g = FlowNet::new();
        let n: Vec<u32> = (0..6).map(|_| g.add_node()).collect();
        for (u, v, c) in [
            (0, 1, 16),
            (0, 2, 13),
            (1, 3, 12),
            (2, 1, 4),
            (2, 4, 14),
            (3, 2, 9),
            (3, 5, 20),
            (4, 3, 7),
            (4, 5, 4),
        ] {
            g.add_edge(n[u], n[v], c);
        }
        assert_eq!(g.max_flow(n[0], n[5]), 23);
        let side = g.residual_reachable(n[0]);
        assert_eq!(side, [true, true, true, false, true, false]);
        let out: u128 = g.flows_out(n[0]).map(|x| x.2).sum();
        assert_eq!(out, 23);
    }

    #[test]
    fn huge_capacities_do_not_overflow() {
        // 10⁹ × 10¹⁴ per edge, as a level λ = p/q with q ≈ 10¹⁴ scales them.
        let mut g = FlowNet::new();
        let (s, a, t) = (g.add_node(), g.add_node(), g.add_node());
        let big = 1_000_000_000u128 * 100_000_000_000_000;
        g.add_edge(s, a, big);
        g.add_edge(s, a, big);
        g.add_edge(a, t, INF);
        assert_eq!(g.max_flow(s, t), 2 * big);
    }
}
