//! Small helpers over graphviz-rust's DOT AST: quoted and HTML-like ids with correct escaping,
//! attributes, nodes, edges and clusters.

use graphviz_rust::dot_generator::id;
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};

/// Invisible layout nodes (the spacers of wrapped grids) start with this; they do not count
/// against the node budget and sort first.
pub(crate) const WRAP_PREFIX: &str = "__wrap_";

/// Escape text for a double-quoted DOT string: backslashes and quotes are escaped (so `\n`
/// typed by a user stays literal text), line breaks become DOT's centred line break.
pub fn escape_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(ch),
        }
    }
    out
}

/// Escape the markup characters `&`, `<`, `>`, `"` and `'` (as `apos`); every other character
/// goes through `other`. Shared by DOT's HTML-like labels and the GraphML/GEXF writers.
pub(crate) fn escape_markup(s: &str, apos: &str, other: impl Fn(char, &mut String)) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apos),
            _ => other(ch, &mut out),
        }
    }
    out
}

/// Escape text for an HTML-like label (a line break is `<br/>`).
pub fn escape_html(s: &str) -> String {
    escape_markup(s, "&#39;", |ch, out| match ch {
        '\n' => out.push_str("<br/>"),
        _ => out.push(ch),
    })
}

/// A quoted DOT id holding `s` verbatim.
pub fn quoted(s: &str) -> Id {
    id!(esc escape_quoted(s))
}

/// A multi-line label: each line escaped, joined with DOT's centred line break.
pub fn lines(ls: &[String]) -> Id {
    let parts: Vec<String> = ls.iter().map(|l| escape_quoted(l)).collect();
    id!(esc parts.join("\\n"))
}

/// An HTML-like id; `markup` must already be escaped where it holds text.
pub fn html(markup: &str) -> Id {
    id!(html format!("<{markup}>"))
}

/// `key="value"` with the value quoted and escaped.
pub fn a(key: &str, value: &str) -> Attribute {
    Attribute(id!(key), quoted(value))
}

/// `key=value` with an id already built (e.g. an HTML-like or multi-line label).
pub fn a_id(key: &str, value: Id) -> Attribute {
    Attribute(id!(key), value)
}

/// A node statement.
pub fn node(name: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Node(Node::new(NodeId(quoted(name), None), attrs))
}

/// An edge statement between two nodes.
pub fn edge(from: &str, to: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::Edge(Edge {
        ty: EdgeTy::Pair(
            Vertex::N(NodeId(quoted(from), None)),
            Vertex::N(NodeId(quoted(to), None)),
        ),
        attributes: attrs,
    })
}

/// A subgraph; a name starting with `cluster` makes dot draw it as a box.
pub fn subgraph(name: &str, stmts: Vec<Stmt>) -> Stmt {
    Stmt::Subgraph(Subgraph {
        id: quoted(name),
        stmts,
    })
}

/// A `graph[...]`, `node[...]` or `edge[...]` default statement.
pub fn defaults(kind: &str, attrs: Vec<Attribute>) -> Stmt {
    Stmt::GAttribute(match kind {
        "node" => GraphAttributes::Node(attrs),
        "edge" => GraphAttributes::Edge(attrs),
        _ => GraphAttributes::Graph(attrs),
    })
}

/// A single `key=value` statement inside a graph or subgraph.
pub fn set(key: &str, value: Id) -> Stmt {
    Stmt::Attribute(Attribute(id!(key), value))
}

/// Count node statements, recursively through subgraphs.
pub fn count_nodes(stmts: &[Stmt]) -> usize {
    stmts
        .iter()
        .map(|s| match s {
            Stmt::Node(n) => match &n.id.0 {
                Id::Escaped(v) if v.starts_with(&format!("\"{}", WRAP_PREFIX)) => 0,
                _ => 1,
            },
            Stmt::Subgraph(sg) => count_nodes(&sg.stmts),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use graphviz_rust::printer::{DotPrinter, PrinterContext};

    #[test]
    fn quotes_backslashes_and_newlines_are_escaped() {
        assert_eq!(escape_quoted(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_quoted("一\n二"), "一\\n二");
        let n = node("x\"y", vec![a("label", "书记 \"王\" \\N")]);
        let printed = n.print(&mut PrinterContext::default());
        assert_eq!(printed, r#""x\"y"[label="书记 \"王\" \\N"]"#);
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(escape_html("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
