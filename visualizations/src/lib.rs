//! Diagrams: DOT built with graphviz-rust for the hierarchy, partnerships and gaps views, rendered by Graphviz dot.
//!
//! [`build_dot`] draws one view of a scope (the city, a district, street, community or
//! committee) from the engine's documents; [`render`] turns DOT into SVG or PNG with the real
//! `dot` program, with a timeout. Above a node budget a view aggregates and says so in its
//! title, so large scopes never hang `dot`: first the organisations (units and social
//! organisations from outside the scope's streets into counts per category, then all units,
//! mass and social organisations per category) with committees still drawn one by one; only if
//! that is not enough, committees into counts per community, or per street or district.
//!
//! Labels are Chinese; `dot` measures and draws them with one font family, set on graph, nodes
//! and edges ([`DEFAULT_FONT`], WenQuanYi Zen Hei from Debian `fonts-wqy-zenhei`,
//! configurable through [`DiagramOptions::font`]).

/// `parse` and `FromStr` for an enum with `ALL` and `as_str` (its wire names); the error names
/// every choice: ``unknown view `x`: use hierarchy, partnerships or gaps``.
macro_rules! parse_wire_name {
    ($ty:ident, $what:literal) => {
        impl $ty {
            /// Parse a wire name.
            pub fn parse(s: &str) -> Option<$ty> {
                $ty::ALL.into_iter().find(|v| v.as_str() == s)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s).ok_or_else(|| {
                    let names: Vec<&str> = $ty::ALL.iter().map(|v| v.as_str()).collect();
                    let (last, rest) = names.split_last().unwrap_or((&"", &[]));
                    format!("unknown {} `{s}`: use {} or {last}", $what, rest.join(", "))
                })
            }
        }
    };
}

mod dot;
pub mod graph;
mod layout;
mod render;
mod scene;

/// How DOT labels escape text (the viewers' name mask matches names escaped so, too).
pub use dot::{escape_html, escape_quoted};
pub use render::{Format, PNG_MAX_INCHES, render, render_with};

use dangjian_engine::{Engine, EngineError};
use dangjian_model::{Bundle, CoverageDoc, Date, GapsDoc};
use std::time::Duration;

/// The font family `dot` is told to use: one family, because `fontname` takes one. WenQuanYi
/// Zen Hei covers Chinese and Latin and is a small Debian package (`fonts-wqy-zenhei`).
pub const DEFAULT_FONT: &str = "WenQuanYi Zen Hei";

/// Above this many nodes a view aggregates.
pub const DEFAULT_NODE_BUDGET: usize = 500;

/// While committees are drawn one by one, above this many drawn links the view aggregates
/// too: every labelled edge is a node to `dot`, and a street whose 170 employers each send
/// members to a dozen committees has thousands (one street of the Shanghai-scale network:
/// 2,557 edges, `dot` gave up; 352 edges, 25,000 px wide; 111 edges, 0.1 s).
pub const DEFAULT_EDGE_BUDGET: usize = 300;

/// Which picture to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Street → community → committee with their leading party orgs.
    Hierarchy,
    /// The hierarchy plus units, mass and social organisations and their links.
    Partnerships,
    /// Blank spots, unmet demand, stranded resources and sole-partner units.
    Gaps,
}

impl View {
    /// All views, in menu order.
    pub const ALL: [View; 3] = [View::Hierarchy, View::Partnerships, View::Gaps];

    /// The wire name (`hierarchy`, `partnerships`, `gaps`).
    pub fn as_str(self) -> &'static str {
        match self {
            View::Hierarchy => "hierarchy",
            View::Partnerships => "partnerships",
            View::Gaps => "gaps",
        }
    }

    /// The Chinese title of the view.
    pub fn label_zh(self) -> &'static str {
        match self {
            View::Hierarchy => "组织架构图",
            View::Partnerships => "共建关系图",
            View::Gaps => "空白点与资源缺口图",
        }
    }
}

parse_wire_name!(View, "view");

/// What to draw and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramOptions {
    /// The view.
    pub view: View,
    /// `city` or a district, street, community or committee id.
    pub scope: String,
    /// The date the analytics are computed at.
    pub as_of: Date,
    /// Leave out anything personal: secretaries are reduced to surname + `*` (members are only
    /// ever drawn as counts).
    pub mask_personal: bool,
    /// Above this many nodes the view aggregates.
    pub node_budget: usize,
    /// While committees are drawn one by one, above this many drawn links (edges) the view
    /// aggregates too.
    pub edge_budget: usize,
    /// The font family set on graph, nodes and edges.
    pub font: String,
    /// Partnerships view: also draw the city's fair allocation (provider → committee, amount
    /// per domain) as resource edges.
    pub allocations: bool,
    /// Link kinds drawn in the partnerships and gaps views (the hierarchy is always drawn):
    /// 共建 (with 唯一共建单位), 资源下沉 (with allocations), 群团, 社会组织, 双报到. All by
    /// default; the same filter as `/api/v1/graph?kinds=`.
    pub kinds: Vec<graph::LinkKind>,
    /// 双报到 links of an employer standing for fewer than this many members and volunteers at
    /// a committee are drawn from one node 少于N人的单位 instead of the employer (0: never; see
    /// [`graph::MIN_MEMBER_GROUP`]), for readers who may not see where a person works.
    pub min_member_group: u64,
}

impl DiagramOptions {
    /// Whether links of `kind` are drawn.
    pub fn draws(&self, kind: graph::LinkKind) -> bool {
        self.kinds.contains(&kind)
    }
}

impl DiagramOptions {
    /// Options with the defaults: no masking, [`DEFAULT_NODE_BUDGET`], [`DEFAULT_EDGE_BUDGET`],
    /// [`DEFAULT_FONT`].
    pub fn new(view: View, scope: impl Into<String>, as_of: Date) -> DiagramOptions {
        DiagramOptions {
            view,
            scope: scope.into(),
            as_of,
            mask_personal: false,
            node_budget: DEFAULT_NODE_BUDGET,
            edge_budget: DEFAULT_EDGE_BUDGET,
            font: DEFAULT_FONT.to_string(),
            allocations: false,
            kinds: graph::LinkKind::ALL.to_vec(),
            min_member_group: 0,
        }
    }
}

/// A built diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// The DOT text.
    pub dot: String,
    /// Whether the view was aggregated to stay within the node budget (organisations counted
    /// per category, committees counted, or both).
    pub aggregated: bool,
    /// Whether committees were counted per community, street or district instead of drawn
    /// (only after counting organisations per category was not enough).
    pub committees_aggregated: bool,
    /// Number of nodes in the DOT (layout helpers not counted).
    pub nodes: usize,
    /// Number of drawn edges in the DOT (layout helpers not counted).
    pub edges: usize,
    /// The title drawn at the top (scope, view, `as_of`, and the aggregation note if any).
    pub title: String,
}

/// Errors building or rendering a diagram.
#[derive(Debug, thiserror::Error)]
pub enum VizError {
    /// The engine rejected the scope or another argument.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The documents passed in are for another scope or date than the options ask for.
    #[error(
        "documents are for scope `{doc_scope}` at {doc_as_of}, but the diagram asks for `{scope}` at {as_of}"
    )]
    DocumentMismatch {
        /// Scope asked for.
        scope: String,
        /// Date asked for.
        as_of: Date,
        /// Scope of the coverage document.
        doc_scope: String,
        /// Date of the coverage document.
        doc_as_of: Date,
    },
    /// The Graphviz `dot` program is not installed (or not on `PATH`).
    #[error(
        "the Graphviz program `{program}` was not found: install Graphviz and a CJK font \
         (apt-get install graphviz fonts-wqy-zenhei)"
    )]
    DotMissing {
        /// The program that was looked for.
        program: String,
    },
    /// `dot` ran longer than allowed and was killed.
    #[error(
        "Graphviz dot took longer than {0:?} and was stopped; try a smaller scope or a lower node budget"
    )]
    Timeout(Duration),
    /// `dot` exited with an error.
    #[error("Graphviz dot failed ({status}): {stderr}")]
    DotFailed {
        /// Exit status as text.
        status: String,
        /// What dot wrote to stderr.
        stderr: String,
    },
    /// Talking to the `dot` process failed.
    #[error("could not run Graphviz dot: {0}")]
    Io(#[from] std::io::Error),
}

/// Build the DOT of a view of a scope, computing coverage (and gaps, for the gaps view) with
/// the engine. Synchronous and CPU-bound; callers on an async runtime use `spawn_blocking`.
pub fn build_dot(engine: &Engine, opts: &DiagramOptions) -> Result<Diagram, VizError> {
    let coverage = engine.coverage(&opts.scope, opts.as_of)?;
    let gaps = if opts.view == View::Gaps || (opts.view == View::Partnerships && opts.allocations) {
        engine.gaps(&opts.scope, opts.as_of)?
    } else {
        empty_gaps(&opts.scope, opts.as_of)
    };
    build_dot_from_docs(engine.bundle(), &coverage, &gaps, opts)
}

/// Build the DOT of a view from documents already computed for `opts.scope` at `opts.as_of`
/// (the gaps document is only read by the gaps view; [`empty_gaps`] will do for the others).
pub fn build_dot_from_docs(
    bundle: &Bundle,
    coverage: &CoverageDoc,
    gaps: &GapsDoc,
    opts: &DiagramOptions,
) -> Result<Diagram, VizError> {
    if coverage.scope != opts.scope || coverage.as_of != opts.as_of {
        return Err(VizError::DocumentMismatch {
            scope: opts.scope.clone(),
            as_of: opts.as_of,
            doc_scope: coverage.scope.clone(),
            doc_as_of: coverage.as_of,
        });
    }
    Ok(scene::build(bundle, coverage, gaps, opts))
}

/// A gaps document with nothing in it, for views that do not draw gaps.
pub fn empty_gaps(scope: &str, as_of: Date) -> GapsDoc {
    GapsDoc {
        as_of,
        scope: scope.to_string(),
        total_demand: 0,
        met_demand: 0.0,
        unmet_demand: 0.0,
        by_domain: Vec::new(),
        needs: Vec::new(),
        allocations: Vec::new(),
        unreachable_needs: Vec::new(),
        stranded_resources: Vec::new(),
        unused_capacity: 0.0,
        unmet_needs: Vec::new(),
        sole_partner_units: Vec::new(),
    }
}
