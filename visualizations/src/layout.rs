//! Grids of sibling nodes and clusters: rough sizes in points of what `dot` will draw, and
//! invisible rows (spacer nodes) so siblings wrap into a grid whose shape is chosen from those
//! sizes instead of one very wide rank.

use crate::dot::{WRAP_PREFIX, a, edge, node};
use graphviz_rust::dot_structures::{Attribute, Id, Stmt};

/// `nodesep` of the graph, in points (0.3 in).
pub(crate) const NODESEP: f64 = 0.3 * 72.0;
/// `ranksep` of the graph, in points (0.6 in).
pub(crate) const RANKSEP: f64 = 0.6 * 72.0;
/// The node font size, and the cluster label font sizes.
pub(crate) const NODE_FONT: f64 = 11.0;
/// Space `dot` leaves between a cluster's border and what it holds, each side.
const CLUSTER_MARGIN: f64 = 8.0;

/// A width and height in points.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Size {
    pub w: f64,
    pub h: f64,
}

impl Size {
    pub(crate) fn aspect(self) -> f64 {
        self.w / self.h.max(1.0)
    }
}

/// Width of one line of text: full-width characters (Chinese) one em, others about half.
pub(crate) fn text_width(line: &str, fontsize: f64) -> f64 {
    line.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum::<f64>()
        * fontsize
}

/// Size of a block of lines of text.
pub(crate) fn text_size<S: AsRef<str>>(lines: &[S], fontsize: f64) -> Size {
    Size {
        w: lines
            .iter()
            .map(|l| text_width(l.as_ref(), fontsize))
            .fold(0.0, f64::max),
        h: lines.len() as f64 * fontsize * 1.2,
    }
}

/// The lines of a quoted DOT label (`"a\nb"`), escapes left as they are (close enough).
fn label_lines(label: &Id) -> Vec<String> {
    match label {
        Id::Escaped(s) => s
            .trim_matches('"')
            .split("\\n")
            .map(str::to_string)
            .collect(),
        Id::Plain(s) | Id::Html(s) | Id::Anonymous(s) => vec![s.clone()],
    }
}

/// The size `dot` gives a node statement with a plain text label (node margin 0.1 × 0.05 in,
/// at least 0.75 × 0.5 in), from its `label` attribute.
pub(crate) fn node_size(stmt: &Stmt) -> Size {
    let attrs: &[Attribute] = match stmt {
        Stmt::Node(n) => &n.attributes,
        _ => &[],
    };
    let text = attrs
        .iter()
        .find(|x| x.0 == Id::Plain("label".into()))
        .map(|x| text_size(&label_lines(&x.1), NODE_FONT))
        .unwrap_or(Size {
            w: 54.0,
            h: NODE_FONT * 1.2,
        });
    Size {
        w: (text.w + 2.0 * 7.2 + 4.0).max(54.0),
        h: (text.h + 2.0 * 3.6 + 4.0).max(36.0),
    }
}

/// The size of a cluster holding `inner`, with a label of `lines` at `fontsize` on top.
pub(crate) fn cluster_size(inner: Size, lines: &[String], fontsize: f64) -> Size {
    let label = text_size(lines, fontsize);
    Size {
        w: inner.w.max(label.w) + 2.0 * CLUSTER_MARGIN,
        h: inner.h + label.h + 2.0 * CLUSTER_MARGIN,
    }
}

/// The nodes at the top and at the bottom of a drawn child (one node, or a wrapped cluster),
/// and its estimated size.
#[derive(Debug, Clone, Default)]
pub(crate) struct Span {
    pub tops: Vec<String>,
    pub bottoms: Vec<String>,
    pub size: Size,
}

/// A single node as a span.
pub(crate) fn leaf(id: &str, size: Size) -> Span {
    Span {
        tops: vec![id.to_string()],
        bottoms: vec![id.to_string()],
        size,
    }
}

/// Up to this many invisible edges between two rows, every bottom node of one row points
/// straight at every top node of the next (one rank apart); above it, through a spacer node
/// (two ranks apart, but only bottoms + tops edges).
const DIRECT_EDGES: usize = 36;

/// Whether two consecutive rows are joined directly rather than through a spacer node.
fn direct(upper: &[Span], lower: &[Span]) -> bool {
    let bottoms: usize = upper.iter().map(|s| s.bottoms.len()).sum();
    let tops: usize = lower.iter().map(|s| s.tops.len()).sum();
    bottoms * tops <= DIRECT_EDGES
}

/// The size of `spans` wrapped into rows of `cols`: rows side by side `nodesep` apart, rows
/// one rank apart (two through a spacer node).
pub(crate) fn grid_size(spans: &[Span], cols: usize) -> Size {
    let rows: Vec<&[Span]> = spans.chunks(cols.max(1)).collect();
    let mut total = Size::default();
    for (i, row) in rows.iter().enumerate() {
        let w = row.iter().map(|s| s.size.w).sum::<f64>() + NODESEP * (row.len() - 1) as f64;
        let h = row.iter().map(|s| s.size.h).fold(0.0, f64::max);
        total.w = total.w.max(w);
        total.h += h;
        if i > 0 {
            total.h += if direct(rows[i - 1], row) { 1.0 } else { 2.0 } * RANKSEP;
        }
    }
    total
}

/// `g` with `other` drawn on a rank of its own above it (e.g. the legend).
pub(crate) fn below(other: Size, g: Size) -> Size {
    Size {
        w: g.w.max(other.w),
        h: g.h + other.h + if other.h > 0.0 { RANKSEP } else { 0.0 },
    }
}

/// How many of `spans` to put in a row so that the whole picture, `whole` of the grid's size,
/// comes closest to `target` width / height (the fewest columns among equals).
pub(crate) fn best_cols(spans: &[Span], target: f64, whole: impl Fn(Size) -> Size) -> usize {
    let score = |cols: usize| (whole(grid_size(spans, cols)).aspect() / target).ln().abs();
    (1..=spans.len().max(1))
        .map(|c| (c, score(c)))
        .fold((1, f64::INFINITY), |best, (c, s)| {
            if s < best.1 - 1e-9 { (c, s) } else { best }
        })
        .0
}

/// The rough size of an HTML-like table label: one line per `<tr>`, as wide as its widest
/// row's text.
pub(crate) fn html_size(markup: &str, fontsize: f64) -> Size {
    let rows: Vec<String> = markup
        .split("<tr>")
        .skip(1)
        .map(|row| {
            let mut text = String::new();
            let mut in_tag = false;
            for ch in row.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text
        })
        .collect();
    let t = text_size(&rows, fontsize);
    Size {
        w: t.w + 48.0,
        h: rows.len() as f64 * (fontsize * 1.2 + 7.0) + 8.0,
    }
}

/// Wrap siblings into rows of `cols` instead of one very wide rank: invisible edges from every
/// bottom node of one row to every top node of the next, through an invisible spacer node when
/// there would be many. Returns the statements and the span of the group.
pub(crate) fn wrap(parent: &str, spans: &[Span], cols: usize) -> (Vec<Stmt>, Span) {
    let rows: Vec<&[Span]> = spans.chunks(cols.max(1)).collect();
    let mut out = Vec::new();
    for (r, pair) in rows.windows(2).enumerate() {
        let bottoms = pair[0].iter().flat_map(|s| &s.bottoms);
        let tops = || pair[1].iter().flat_map(|s| &s.tops);
        if direct(pair[0], pair[1]) {
            for b in bottoms {
                for t in tops() {
                    out.push(edge(b, t, vec![a("style", "invis")]));
                }
            }
            continue;
        }
        let spacer = format!("{WRAP_PREFIX}{parent}_{r}");
        out.push(node(
            &spacer,
            vec![
                a("style", "invis"),
                a("shape", "point"),
                a("width", "0"),
                a("height", "0"),
            ],
        ));
        for b in bottoms {
            out.push(edge(b, &spacer, vec![a("style", "invis")]));
        }
        for t in tops() {
            out.push(edge(&spacer, t, vec![a("style", "invis")]));
        }
    }
    let group = Span {
        tops: rows
            .first()
            .into_iter()
            .flat_map(|r| r.iter().flat_map(|s| s.tops.iter().cloned()))
            .collect(),
        bottoms: rows
            .last()
            .into_iter()
            .flat_map(|r| r.iter().flat_map(|s| s.bottoms.iter().cloned()))
            .collect(),
        size: grid_size(spans, cols),
    };
    (out, group)
}
