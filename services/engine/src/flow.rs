//! Dinic maximum flow on adjacency arrays (the resource → need matching of SPEC §3).

/// Capacity that never limits a flow.
pub(crate) const INF: u64 = u64::MAX / 4;

const NONE: u32 = u32::MAX;

/// A flow network; edge `e` and its reverse `e ^ 1` are stored side by side.
#[derive(Debug, Default)]
pub(crate) struct FlowNet {
    head: Vec<u32>,
    next: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<u64>,
    original: Vec<u64>,
}

impl FlowNet {
    pub(crate) fn new() -> FlowNet {
        FlowNet::default()
    }

    pub(crate) fn add_node(&mut self) -> u32 {
        self.head.push(NONE);
        (self.head.len() - 1) as u32
    }

    /// Add an edge `u → v` with capacity `c`; returns its index.
    pub(crate) fn add_edge(&mut self, u: u32, v: u32, c: u64) -> u32 {
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

    /// Flow currently on edge `e`.
    pub(crate) fn flow(&self, e: u32) -> u64 {
        self.original[e as usize] - self.cap[e as usize]
    }

    /// Nodes reachable from `starts` over edges with positive original capacity.
    pub(crate) fn reachable(&self, starts: &[u32]) -> Vec<bool> {
        let mut seen = vec![false; self.head.len()];
        let mut stack: Vec<u32> = Vec::new();
        for &s in starts {
            if !seen[s as usize] {
                seen[s as usize] = true;
                stack.push(s);
            }
        }
        while let Some(u) = stack.pop() {
            let mut e = self.head[u as usize];
            while e != NONE {
                let v = self.to[e as usize];
                if self.original[e as usize] > 0 && !seen[v as usize] {
                    seen[v as usize] = true;
                    stack.push(v);
                }
                e = self.next[e as usize];
            }
        }
        seen
    }

    /// Run Dinic from `s` to `t`; returns the maximum flow value.
    pub(crate) fn max_flow(&mut self, s: u32, t: u32) -> u64 {
        let n = self.head.len();
        let mut total = 0u64;
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

    fn augment(&mut self, u: u32, t: u32, limit: u64, level: &[u32], it: &mut [u32]) -> u64 {
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
        // CLRS figure 26.1: max flow 23.
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
    }
}
