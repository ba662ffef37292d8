//! Deterministic node positions for a graph document, so the page can draw without a force layout.
//!
//! The hierarchy (district → street → community → committee, whatever of it the document
//! holds) is laid out as nested grids of boxes, children in id order: a committee is a cell,
//! a community a box holding its committees' cells, a street a box of community boxes. The
//! organisations (units, mass and social organisations, resources, grouped employers) go
//! around that block on a grid of label-sized cells, each in the free cell nearest to the
//! point where the ray from the block's centre through the barycentre of its hierarchy
//! neighbours leaves the block: an organisation sits next to the committees it serves, and
//! no two nodes share a cell. The grouped employers of in-service members (双报到) go round
//! the outer border, evenly by id. Nothing is random and nothing depends on the order of the
//! document's edges, so the same document always gives the same positions; `GraphIndex::place`
//! lays out a scope's links of every date at once, so a scope's positions do not change from
//! one date to another.

use super::doc::{GraphDoc, NodeKind};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// A position (Cytoscape model coordinates: x to the right, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Width and height of a hierarchy leaf's cell (a committee: its box and its label below).
const LEAF: (f64, f64) = (130.0, 56.0);
/// Padding inside a hierarchy box, and the extra room at its top for its label.
const PAD: f64 = 18.0;
const TOP: f64 = 22.0;
/// Gap between sibling boxes.
const GAP: f64 = 16.0;
/// An organisation's cell: wide enough for its label (the page cuts labels at 110 px).
const ORG: (f64, f64) = (130.0, 46.0);

fn is_hierarchy(k: NodeKind) -> bool {
    matches!(
        k,
        NodeKind::District | NodeKind::Street | NodeKind::Community | NodeKind::Committee
    )
}

/// A laid-out hierarchy box: its size, and its children's offsets from its top-left corner.
struct BoxTree {
    w: f64,
    h: f64,
    children: Vec<(usize, f64, f64)>,
}

/// Lay out `doc`: a position for every node (a compound node's is the centre of its box).
pub fn layout(doc: &GraphDoc) -> HashMap<String, Point> {
    let n = doc.nodes.len();
    let index: HashMap<&str, usize> = doc
        .nodes
        .iter()
        .enumerate()
        .map(|(i, nd)| (nd.id.as_str(), i))
        .collect();
    // The hierarchy forest, children in id order.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots: Vec<usize> = Vec::new();
    for (i, nd) in doc.nodes.iter().enumerate() {
        if !is_hierarchy(nd.kind) {
            continue;
        }
        match nd.parent.as_deref().and_then(|p| index.get(p).copied()) {
            Some(p) if is_hierarchy(doc.nodes[p].kind) && p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let by_id = |v: &mut Vec<usize>| v.sort_by(|&a, &b| doc.nodes[a].id.cmp(&doc.nodes[b].id));
    for c in &mut children {
        by_id(c);
    }
    by_id(&mut roots);
    let mut boxes: Vec<Option<BoxTree>> = (0..n).map(|_| None).collect();
    let mut seen = vec![false; n];
    for &r in &roots {
        measure(r, &children, &mut boxes, &mut seen);
    }
    let mut out: HashMap<String, Point> = HashMap::with_capacity(n);
    // The roots side by side as one more grid (no padding).
    let sizes: Vec<(f64, f64)> = roots
        .iter()
        .map(|&r| boxes[r].as_ref().map_or(LEAF, |b| (b.w, b.h)))
        .collect();
    let (offsets, bw, bh) = grid(&sizes);
    let mut centres: Vec<Option<Point>> = vec![None; n];
    for (&r, &(ox, oy)) in roots.iter().zip(&offsets) {
        place_box(r, ox, oy, &boxes, &mut centres);
    }
    let block_c = Point {
        x: bw / 2.0,
        y: bh / 2.0,
    };
    let half = (bw / 2.0, bh / 2.0);

    // Organisations: neighbours in the hierarchy, degree.
    let mut hood: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut degree = vec![0usize; n];
    for e in &doc.edges {
        let (Some(&s), Some(&t)) = (index.get(e.source.as_str()), index.get(e.target.as_str()))
        else {
            continue;
        };
        degree[s] += 1;
        degree[t] += 1;
        if centres[t].is_some() && centres[s].is_none() {
            hood[s].push(t);
        }
        if centres[s].is_some() && centres[t].is_none() {
            hood[t].push(s);
        }
    }
    let mut orgs: Vec<usize> = (0..n).filter(|&i| centres[i].is_none()).collect();
    // Grouped employers last (round the border); the rest by degree, then id.
    orgs.sort_by(|&a, &b| {
        let ga = doc.nodes[a].kind == NodeKind::UnitGroup;
        let gb = doc.nodes[b].kind == NodeKind::UnitGroup;
        (ga, std::cmp::Reverse(degree[a]), &doc.nodes[a].id).cmp(&(
            gb,
            std::cmp::Reverse(degree[b]),
            &doc.nodes[b].id,
        ))
    });
    let groups: Vec<usize> = {
        let mut g: Vec<usize> = orgs
            .iter()
            .copied()
            .filter(|&i| doc.nodes[i].kind == NodeKind::UnitGroup)
            .collect();
        by_id(&mut g);
        g
    };
    let mut cells = Cells::new(bw, bh);
    // How far the placed nodes reach from the centre, per axis.
    let mut reach = half;
    let mut ring: Option<(f64, f64)> = None;
    for &i in &orgs {
        let ideal = if doc.nodes[i].kind == NodeKind::UnitGroup {
            // Round the border of everything else, evenly by id from the top.
            let (rx, ry) = *ring.get_or_insert((reach.0 + ORG.0, reach.1 + 1.5 * ORG.1));
            let k = groups.iter().position(|&g| g == i).unwrap_or(0);
            let angle = -std::f64::consts::FRAC_PI_2
                + std::f64::consts::TAU * k as f64 / groups.len() as f64;
            Point {
                x: block_c.x + angle.cos() * rx,
                y: block_c.y + angle.sin() * ry,
            }
        } else {
            let dir = direction(&doc.nodes[i].id, &hood[i], &centres, block_c, half);
            exit_point(block_c, half, dir)
        };
        let p = cells.take_nearest(ideal);
        reach.0 = reach.0.max((p.x - block_c.x).abs());
        reach.1 = reach.1.max((p.y - block_c.y).abs());
        centres[i] = Some(p);
    }
    for (i, nd) in doc.nodes.iter().enumerate() {
        if let Some(p) = centres[i] {
            // Centred on the origin, whole pixels: easy to read and compare.
            out.insert(
                nd.id.clone(),
                Point {
                    x: (p.x - block_c.x).round(),
                    y: (p.y - block_c.y).round(),
                },
            );
        }
    }
    out
}

/// The unit direction from the block's centre towards the barycentre of `hood`; when that is
/// near the centre (or there is no neighbour), a direction from the id's hash.
fn direction(
    id: &str,
    hood: &[usize],
    centres: &[Option<Point>],
    c: Point,
    half: (f64, f64),
) -> (f64, f64) {
    let mut sx = 0.0;
    let mut sy = 0.0;
    let mut k = 0.0;
    for &h in hood {
        if let Some(p) = centres[h] {
            sx += p.x;
            sy += p.y;
            k += 1.0;
        }
    }
    if k > 0.0 {
        let (dx, dy) = (sx / k - c.x, sy / k - c.y);
        let len = dx.hypot(dy);
        // Linked all over the block (its barycentre near the centre): no side is nearer.
        if len > 0.15 * half.0.hypot(half.1).max(1.0) {
            return (dx / len, dy / len);
        }
    }
    let angle = (fnv(id) % 3600) as f64 / 3600.0 * std::f64::consts::TAU;
    (angle.cos(), angle.sin())
}

/// Where the ray from `c` along `dir` leaves the block (half sizes `half`), one cell further.
fn exit_point(c: Point, half: (f64, f64), dir: (f64, f64)) -> Point {
    let tx = if dir.0.abs() > 1e-9 {
        half.0 / dir.0.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dir.1.abs() > 1e-9 {
        half.1 / dir.1.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty) + ORG.1;
    Point {
        x: c.x + dir.0 * t,
        y: c.y + dir.1 * t,
    }
}

/// FNV-1a of a string: a stable hash (the standard library's is seeded per process).
fn fnv(s: &str) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// The organisations' grid: cells of [`ORG`] size, those over the hierarchy block taken.
struct Cells {
    taken: HashSet<(i32, i32)>,
}

impl Cells {
    fn new(bw: f64, bh: f64) -> Cells {
        let mut taken = HashSet::new();
        // The block and a margin of one cell around it.
        let (i0, j0) = Self::cell(Point { x: 0.0, y: 0.0 });
        let (i1, j1) = Self::cell(Point { x: bw, y: bh });
        for i in i0 - 1..=i1 + 1 {
            for j in j0 - 1..=j1 + 1 {
                taken.insert((i, j));
            }
        }
        Cells { taken }
    }

    fn cell(p: Point) -> (i32, i32) {
        ((p.x / ORG.0).floor() as i32, (p.y / ORG.1).floor() as i32)
    }

    fn centre((i, j): (i32, i32)) -> Point {
        Point {
            x: (i as f64 + 0.5) * ORG.0,
            y: (j as f64 + 0.5) * ORG.1,
        }
    }

    /// Take the free cell whose centre is nearest `p` (ties: the smaller (i, j)).
    fn take_nearest(&mut self, p: Point) -> Point {
        let c = Self::cell(p);
        let mut best: Option<(f64, (i32, i32))> = None;
        let step = ORG.0.min(ORG.1);
        for r in 0i32.. {
            if let Some((d, _)) = best
                && (f64::from(r) - 1.0) * step > d.sqrt()
            {
                break;
            }
            for i in c.0 - r..=c.0 + r {
                for j in c.1 - r..=c.1 + r {
                    if (i - c.0).abs() != r && (j - c.1).abs() != r {
                        continue;
                    }
                    if self.taken.contains(&(i, j)) {
                        continue;
                    }
                    let q = Self::centre((i, j));
                    let d = (q.x - p.x).powi(2) + (q.y - p.y).powi(2);
                    if best.is_none_or(|(bd, bc)| d < bd || (d == bd && (i, j) < bc)) {
                        best = Some((d, (i, j)));
                    }
                }
            }
        }
        let (_, cell) = best.unwrap_or((0.0, c));
        self.taken.insert(cell);
        Self::centre(cell)
    }
}

/// Sizes of the boxes under `i` (a tree: a node reached twice is drawn once).
fn measure(
    i: usize,
    children: &[Vec<usize>],
    boxes: &mut Vec<Option<BoxTree>>,
    seen: &mut Vec<bool>,
) -> (f64, f64) {
    if seen[i] {
        return (0.0, 0.0);
    }
    seen[i] = true;
    let kids: Vec<usize> = children[i].iter().copied().filter(|&c| !seen[c]).collect();
    if kids.is_empty() {
        boxes[i] = Some(BoxTree {
            w: LEAF.0,
            h: LEAF.1,
            children: Vec::new(),
        });
        return LEAF;
    }
    let sizes: Vec<(f64, f64)> = kids
        .iter()
        .map(|&c| measure(c, children, boxes, seen))
        .collect();
    let (offsets, w, h) = grid(&sizes);
    let b = BoxTree {
        w: w + 2.0 * PAD,
        h: h + 2.0 * PAD + TOP,
        children: kids
            .iter()
            .zip(offsets)
            .map(|(&c, (x, y))| (c, x + PAD, y + PAD + TOP))
            .collect(),
    };
    let size = (b.w, b.h);
    boxes[i] = Some(b);
    size
}

/// Lay boxes out as a table, row by row, about 16:10 overall: each box's top-left offset
/// (centred in its table cell), and the table's width and height.
fn grid(sizes: &[(f64, f64)]) -> (Vec<(f64, f64)>, f64, f64) {
    let n = sizes.len();
    if n == 0 {
        return (Vec::new(), 0.0, 0.0);
    }
    let (sw, sh) = sizes
        .iter()
        .fold((0.0, 0.0), |(a, b), (w, h)| (a + w + GAP, b + h + GAP));
    let (aw, ah) = (sw / n as f64, sh / n as f64);
    let cols = ((n as f64 * ah / aw * 1.6).sqrt().round() as usize).clamp(1, n);
    let rows = n.div_ceil(cols);
    let mut col_w = vec![0.0f64; cols];
    let mut row_h = vec![0.0f64; rows];
    for (k, &(w, h)) in sizes.iter().enumerate() {
        col_w[k % cols] = col_w[k % cols].max(w);
        row_h[k / cols] = row_h[k / cols].max(h);
    }
    let mut col_x = vec![0.0; cols];
    for c in 1..cols {
        col_x[c] = col_x[c - 1] + col_w[c - 1] + GAP;
    }
    let mut row_y = vec![0.0; rows];
    for r in 1..rows {
        row_y[r] = row_y[r - 1] + row_h[r - 1] + GAP;
    }
    let offsets = sizes
        .iter()
        .enumerate()
        .map(|(k, &(w, h))| {
            let (c, r) = (k % cols, k / cols);
            (
                col_x[c] + (col_w[c] - w) / 2.0,
                row_y[r] + (row_h[r] - h) / 2.0,
            )
        })
        .collect();
    let width = col_x[cols - 1] + col_w[cols - 1];
    let height = row_y[rows - 1] + row_h[rows - 1];
    (offsets, width, height)
}

/// Absolute centres of `i`'s box and everything in it, its top-left corner at (x, y).
fn place_box(i: usize, x: f64, y: f64, boxes: &[Option<BoxTree>], centres: &mut [Option<Point>]) {
    let Some(b) = boxes[i].as_ref() else {
        return;
    };
    centres[i] = Some(Point {
        x: x + b.w / 2.0,
        y: y + b.h / 2.0,
    });
    for &(c, ox, oy) in &b.children {
        place_box(c, x + ox, y + oy, boxes, centres);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_keeps_boxes_apart_and_in_order() {
        let sizes = vec![(100.0, 50.0); 7];
        let (offsets, w, h) = grid(&sizes);
        assert_eq!(offsets.len(), 7);
        for (a, pa) in offsets.iter().enumerate() {
            for pb in &offsets[a + 1..] {
                let apart = (pa.0 - pb.0).abs() >= 100.0 || (pa.1 - pb.1).abs() >= 50.0;
                assert!(apart, "{pa:?} overlaps {pb:?}");
            }
            assert!(pa.0 + 100.0 <= w + 1e-9 && pa.1 + 50.0 <= h + 1e-9);
        }
        // Row by row: the second box is right of the first.
        assert!(offsets[1].0 > offsets[0].0 && offsets[1].1 == offsets[0].1);
    }

    #[test]
    fn nearest_free_cells_are_distinct_and_outside_the_block() {
        let mut cells = Cells::new(300.0, 200.0);
        let mut got = HashSet::new();
        for _ in 0..50 {
            let p = cells.take_nearest(Point { x: 150.0, y: 100.0 });
            assert!(
                p.x < 0.0 || p.x > 300.0 || p.y < 0.0 || p.y > 200.0,
                "{p:?} is on the block"
            );
            assert!(got.insert((p.x as i64, p.y as i64)), "{p:?} twice");
        }
    }

    #[test]
    fn fnv_is_the_reference_hash() {
        // FNV-1a 32-bit of "a" is 0xe40c292c (the published test vector).
        assert_eq!(fnv("a"), 0xe40c_292c);
        assert_eq!(fnv(""), 0x811c_9dc5);
    }
}
