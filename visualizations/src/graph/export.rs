//! The graph document as GraphML (yEd, Cytoscape desktop) and GEXF (Gephi).

use super::doc::{GraphDoc, GraphEdge, GraphNode};
use std::fmt::Write as _;

/// Escape text for an XML attribute or element.
pub fn xml(s: &str) -> String {
    crate::dot::escape_markup(s, "&apos;", |c, out| match c {
        // Characters XML 1.0 cannot carry at all.
        c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
        c => out.push(c),
    })
}

/// An element's attributes in GraphML and GEXF: (key, value), the absent ones left out.
type Attrs = Vec<(&'static str, String)>;

/// The given ones of `(key, value)`.
fn given<const N: usize>(attrs: [(&'static str, Option<String>); N]) -> Attrs {
    attrs
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

/// A node's attributes (their types are declared in [`NODE_KEYS`]).
fn node_attrs(n: &GraphNode) -> Attrs {
    given([
        ("kind", Some(n.kind.as_str().to_string())),
        ("parent", n.parent.clone()),
        ("detail", n.detail.clone()),
        ("area", n.area.clone()),
        ("households", n.households.map(|x| x.to_string())),
        ("capacity", n.capacity.map(|x| x.to_string())),
    ])
}

/// An edge's attributes (their types are declared in [`EDGE_KEYS`]).
fn edge_attrs(e: &GraphEdge) -> Attrs {
    let text = |x: Option<u64>| x.map(|x| x.to_string());
    given([
        ("kind", Some(e.kind.as_str().to_string())),
        ("kind_zh", Some(e.kind.label_zh().to_string())),
        ("members", text(e.members)),
        ("volunteers", text(e.volunteers)),
        ("hours", e.hours.map(|x| x.to_string())),
        ("resources", text(e.resources)),
        ("capacity", text(e.capacity)),
        ("units", text(e.units)),
        ("since", e.since.map(|x| x.to_string())),
        ("until", e.until.map(|x| x.to_string())),
        ("domain", e.domain.clone()),
    ])
}

const NODE_KEYS: [(&str, &str); 6] = [
    ("kind", "string"),
    ("parent", "string"),
    ("detail", "string"),
    ("area", "string"),
    ("households", "long"),
    ("capacity", "long"),
];
const EDGE_KEYS: [(&str, &str); 11] = [
    ("resources", "long"),
    ("capacity", "long"),
    ("kind", "string"),
    ("kind_zh", "string"),
    ("members", "long"),
    ("volunteers", "long"),
    ("hours", "double"),
    ("units", "long"),
    ("since", "string"),
    ("until", "string"),
    ("domain", "string"),
];

/// One declaration line per typed attribute key, as `decl(name, type)` writes it.
fn declare(s: &mut String, keys: &[(&str, &str)], decl: impl Fn(&str, &str) -> String) {
    for (k, t) in keys {
        s.push_str(&decl(k, t));
        s.push('\n');
    }
}

/// Each item as one element: `open` (id, label and the like), one `attr(key, escaped value)`
/// per attribute of `attrs`, then `close` (positions, the closing tag). The GraphML and GEXF
/// writers differ only in these three.
fn elements<T>(
    s: &mut String,
    items: &[T],
    attrs: fn(&T) -> Attrs,
    open: impl Fn(&mut String, &T),
    attr: impl Fn(&str, &str) -> String,
    close: impl Fn(&mut String, &T),
) {
    for item in items {
        open(s, item);
        for (k, v) in attrs(item) {
            s.push_str(&attr(k, &xml(&v)));
        }
        close(s, item);
    }
}

/// An edge's opening tag: id, ends, label and weight, `label`/`weight` written by `extra`.
fn edge_open(s: &mut String, indent: &str, e: &GraphEdge, extra: impl Fn(&str, f64) -> String) {
    let _ = write!(
        s,
        "{indent}<edge id=\"{}\" source=\"{}\" target=\"{}\"{}",
        xml(&e.id),
        xml(&e.source),
        xml(&e.target),
        extra(&xml(&e.label), e.weight)
    );
}

/// GraphML (yEd, Cytoscape desktop, NetworkX): a flat directed graph; the compound hierarchy
/// is the `parent` attribute.
pub fn to_graphml(doc: &GraphDoc) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    s.push_str("  <key id=\"n_label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n");
    declare(&mut s, &NODE_KEYS, |k, t| {
        format!("  <key id=\"n_{k}\" for=\"node\" attr.name=\"{k}\" attr.type=\"{t}\"/>")
    });
    s.push_str("  <key id=\"n_x\" for=\"node\" attr.name=\"x\" attr.type=\"double\"/>\n");
    s.push_str("  <key id=\"n_y\" for=\"node\" attr.name=\"y\" attr.type=\"double\"/>\n");
    s.push_str("  <key id=\"e_label\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n");
    s.push_str("  <key id=\"e_weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
    declare(&mut s, &EDGE_KEYS, |k, t| {
        format!("  <key id=\"e_{k}\" for=\"edge\" attr.name=\"{k}\" attr.type=\"{t}\"/>")
    });
    let _ = writeln!(
        s,
        "  <graph id=\"{}\" edgedefault=\"directed\">",
        xml(&format!("{}@{}", doc.scope, doc.as_of))
    );
    elements(
        &mut s,
        &doc.nodes,
        node_attrs,
        |s, n| {
            let _ = write!(
                s,
                "    <node id=\"{}\"><data key=\"n_label\">{}</data>",
                xml(&n.id),
                xml(&n.label)
            );
        },
        |k, v| format!("<data key=\"n_{k}\">{v}</data>"),
        |s, n| {
            if let (Some(x), Some(y)) = (n.x, n.y) {
                let _ = write!(
                    s,
                    "<data key=\"n_x\">{x}</data><data key=\"n_y\">{y}</data>"
                );
            }
            s.push_str("</node>\n");
        },
    );
    elements(
        &mut s,
        &doc.edges,
        edge_attrs,
        |s, e| {
            edge_open(s, "    ", e, |label, weight| {
                format!(
                    "><data key=\"e_label\">{label}</data><data key=\"e_weight\">{weight}</data>"
                )
            })
        },
        |k, v| format!("<data key=\"e_{k}\">{v}</data>"),
        |s, _| s.push_str("</edge>\n"),
    );
    s.push_str("  </graph>\n</graphml>\n");
    s
}

/// GEXF 1.3 (Gephi): a static directed graph with typed node and edge attributes; the
/// compound hierarchy is the `parent` attribute.
pub fn to_gexf(doc: &GraphDoc) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(
        "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" version=\"1.3\">\n",
    );
    let _ = writeln!(
        s,
        "  <meta lastmodifieddate=\"{}\"><creator>Dangjian Graph</creator><description>{}</description></meta>",
        doc.as_of,
        xml(&format!("党建图谱 {} · {}", doc.scope, doc.as_of))
    );
    s.push_str("  <graph defaultedgetype=\"directed\" mode=\"static\">\n");
    let attribute =
        |k: &str, t: &str| format!("      <attribute id=\"{k}\" title=\"{k}\" type=\"{t}\"/>");
    s.push_str("    <attributes class=\"node\">\n");
    declare(&mut s, &NODE_KEYS, attribute);
    s.push_str("    </attributes>\n    <attributes class=\"edge\">\n");
    declare(&mut s, &EDGE_KEYS, attribute);
    s.push_str("    </attributes>\n    <nodes>\n");
    let attvalue = |k: &str, v: &str| format!("<attvalue for=\"{k}\" value=\"{v}\"/>");
    elements(
        &mut s,
        &doc.nodes,
        node_attrs,
        |s, n| {
            let _ = write!(
                s,
                "      <node id=\"{}\" label=\"{}\"><attvalues>",
                xml(&n.id),
                xml(&n.label)
            );
        },
        attvalue,
        |s, n| {
            s.push_str("</attvalues>");
            if let (Some(x), Some(y)) = (n.x, n.y) {
                // GEXF's y axis points up; the page's (Cytoscape's) down.
                let _ = write!(s, "<viz:position x=\"{x}\" y=\"{}\" z=\"0.0\"/>", 0.0 - y);
            }
            s.push_str("</node>\n");
        },
    );
    s.push_str("    </nodes>\n    <edges>\n");
    elements(
        &mut s,
        &doc.edges,
        edge_attrs,
        |s, e| {
            edge_open(s, "      ", e, |label, weight| {
                format!(" label=\"{label}\" weight=\"{weight}\"><attvalues>")
            })
        },
        attvalue,
        |s, _| s.push_str("</attvalues></edge>\n"),
    );
    s.push_str("    </edges>\n  </graph>\n</gexf>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1}y"), "x y");
    }
}
