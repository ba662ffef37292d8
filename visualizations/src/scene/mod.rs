//! The three views as DOT: the scope's street → community → committee tree as nested
//! clusters (or, when aggregated, as count nodes per community, street or district), the
//! organisations and links around it, tables, legend and title.

use crate::dot::{
    a, a_id, count_nodes, defaults, edge, escape_html, html, lines, node, quoted, set, subgraph,
};
use crate::graph::LinkKind;
use crate::layout::{
    NODE_FONT, RANKSEP, Size, Span, below, best_cols, cluster_size, html_size, leaf, node_size,
    wrap,
};
use crate::{Diagram, DiagramOptions, View};
use dangjian_model::labels::wire_name;
use dangjian_model::{
    BlankSpot, Bundle, CommitteeCoverage, CoverageDoc, GapsDoc, MassOrg, PartyOrg, ServiceDomain,
    SocialOrg, StreetKind, Unit,
};
use graphviz_rust::dot_generator::id;
use graphviz_rust::dot_structures::{Graph, Id, Stmt};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use std::collections::{BTreeMap, BTreeSet};

mod draw;
mod lookup;
mod tables;
mod vocabulary;

use draw::cluster_id;
use lookup::Lookup;
use vocabulary::{GREEN, RED, YELLOW, domain_amounts, edge_row, fmt_hours, short_kind};

/// Hash maps and sets with foldhash (the scene looks up ids of the whole city; figures in
/// BENCHMARKS.md). Only ever used for lookups, never iterated into the DOT.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Rows shown in a table node before "…另有 N 项".
const TABLE_ROWS: usize = 30;
/// Above this many drawn edges the graph is crowded: edge labels become `xlabel`s and
/// `nodesep` halves (widths measured in BENCHMARKS.md).
const CROWDED_EDGES: usize = 40;
/// Above this many drawn edges `nodesep` is 0.1 in.
const VERY_CROWDED_EDGES: usize = 150;
/// Width / height the whole picture aims at when choosing how siblings wrap into rows.
const TOP_ASPECT: f64 = 1.4;
/// Width / height each street, community or district cluster aims at.
const INNER_ASPECT: f64 = 1.0;
/// Above this many nodes and drawn edges together the PNG is drawn at 72 dpi instead of
/// cairo's 96, about half the rasterising time (the SVG is unchanged; figures in BENCHMARKS.md).
const LARGE_GRAPH_ELEMENTS: usize = 120;

/// The finest level drawn as nodes: committees (no aggregation) or coarser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Grain {
    District = 0,
    Street = 1,
    Community = 2,
    Committee = 3,
}

impl Grain {
    fn coarser(self) -> Option<Grain> {
        match self {
            Grain::Committee => Some(Grain::Community),
            Grain::Community => Some(Grain::Street),
            Grain::Street => Some(Grain::District),
            Grain::District => None,
        }
    }
}

/// How the organisations around the tree are drawn, finest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum OrgGrain {
    /// Every unit, mass and social organisation is a node.
    Each,
    /// Units and social organisations from outside the scope's streets (members' employers
    /// from all over the city) are counted per category; those of the scope's streets are
    /// still nodes.
    OutsideByCategory,
    /// All units, mass and social organisations are counted per category.
    ByCategory,
    /// Counted per category, and their links to committees end at the committee's community
    /// (the committees still carry their own figures): for streets where nearly every
    /// category of employer sends members to nearly every committee.
    ByCategoryToCommunities,
}

/// Kinds of edges, each with its own colour and style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EdgeKind {
    Partnership,
    MassLink,
    SocialService,
    Resource,
    InService,
    SolePartner,
}

/// Where an edge ends: a node, and the cluster it stands for when the target is a street or
/// community drawn as a cluster (`lhead`/`ltail`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Cell {
    node: String,
    cluster: Option<String>,
}

#[derive(Debug, Default)]
struct EdgeAcc<'a> {
    count: u64,
    registered: u64,
    volunteers: BTreeSet<&'a str>,
    hours: f64,
    details: BTreeSet<String>,
}

/// A node outside the tree: a unit, mass org or social org, or a count of them.
#[derive(Debug, Default)]
struct EntityNode {
    label: Vec<String>,
    shape: &'static str,
    fill: &'static str,
    extra: Vec<(&'static str, String)>,
    members: BTreeSet<String>,
}

/// The scope's committees arranged district → street → community → committees.
type Tree<'a> = BTreeMap<&'a str, BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a str>>>>;

struct Scene<'a> {
    b: &'a Bundle,
    gaps: &'a GapsDoc,
    opts: &'a DiagramOptions,
    grain: Grain,
    org_grain: OrgGrain,
    tree: Tree<'a>,
    /// The streets the tree's committees lie in: units elsewhere are "outside".
    tree_streets: BTreeSet<&'a str>,
    show_districts: bool,
    committees: BTreeMap<&'a str, &'a CommitteeCoverage>,
    /// Level (0 district … 3 committee) and parent of every id in the tree.
    level: HashMap<&'a str, (u8, Option<&'a str>)>,
    lk: &'a Lookup<'a>,
    entities: BTreeMap<String, EntityNode>,
    edges: BTreeMap<(EdgeKind, Cell, Cell), EdgeAcc<'a>>,
    /// Unmet share of each committee's demand (gaps view), built on first use.
    unmet_shares: std::cell::OnceCell<HashMap<&'a str, f64>>,
}

/// Build the diagram, aggregating coarser and coarser until the node budget holds: first the
/// organisations (outside units per category, then all per category) while committees stay
/// nodes, then committees into counts per community, street and district.
pub(crate) fn build(
    b: &Bundle,
    cov: &CoverageDoc,
    gaps: &GapsDoc,
    opts: &DiagramOptions,
) -> Diagram {
    let lookup = Lookup::new(b, cov, opts);
    // Skip the grains whose tree alone is over the budget: no need to draw them to know.
    let distinct = |f: fn(&CommitteeCoverage) -> &str| {
        cov.committees.iter().map(f).collect::<HashSet<_>>().len()
    };
    let mut grain = Grain::Committee;
    for (g, n) in [
        (Grain::Committee, cov.committees.len()),
        (Grain::Community, distinct(|c| c.community.as_str())),
        (Grain::Street, distinct(|c| c.street.as_str())),
    ] {
        grain = g;
        if n < opts.node_budget {
            break;
        }
        grain = g.coarser().unwrap_or(Grain::District);
    }
    let mut org_grain = if grain == Grain::Committee {
        OrgGrain::Each
    } else {
        OrgGrain::ByCategory
    };
    loop {
        let mut scene = Scene::new(b, cov, gaps, opts, grain, org_grain, &lookup);
        let d = scene.draw();
        let has_outside = scene.has_outside_orgs();
        // The edge budget holds while committees are drawn one by one; once they are counted,
        // links end one level up and only the node budget decides (as it always did).
        let edges_fit = d.edges <= opts.edge_budget || grain != Grain::Committee;
        if d.nodes <= opts.node_budget && edges_fit {
            return d;
        }
        match org_grain {
            OrgGrain::Each if has_outside => org_grain = OrgGrain::OutsideByCategory,
            OrgGrain::Each | OrgGrain::OutsideByCategory => org_grain = OrgGrain::ByCategory,
            OrgGrain::ByCategory if grain == Grain::Committee => {
                org_grain = OrgGrain::ByCategoryToCommunities;
            }
            OrgGrain::ByCategory | OrgGrain::ByCategoryToCommunities => match grain.coarser() {
                Some(next) => {
                    grain = next;
                    org_grain = OrgGrain::ByCategory;
                }
                None => return d,
            },
        }
    }
}

impl<'a> Scene<'a> {
    fn new(
        b: &'a Bundle,
        cov: &'a CoverageDoc,
        gaps: &'a GapsDoc,
        opts: &'a DiagramOptions,
        grain: Grain,
        org_grain: OrgGrain,
        lk: &'a Lookup<'a>,
    ) -> Scene<'a> {
        let mut tree: Tree = BTreeMap::new();
        let mut committees = BTreeMap::new();
        let mut level = HashMap::default();
        for c in &cov.committees {
            tree.entry(c.district.as_str())
                .or_default()
                .entry(c.street.as_str())
                .or_default()
                .entry(c.community.as_str())
                .or_default()
                .push(c.id.as_str());
            committees.insert(c.id.as_str(), c);
            level.insert(c.district.as_str(), (0, None));
            level.insert(c.street.as_str(), (1, Some(c.district.as_str())));
            level.insert(c.community.as_str(), (2, Some(c.street.as_str())));
            level.insert(c.id.as_str(), (3, Some(c.community.as_str())));
        }
        for streets in tree.values_mut() {
            for communities in streets.values_mut() {
                for list in communities.values_mut() {
                    list.sort_unstable();
                }
            }
        }
        let show_districts = tree.len() > 1 || opts.scope == "city";
        let tree_streets = tree.values().flat_map(|s| s.keys().copied()).collect();
        Scene {
            b,
            gaps,
            opts,
            grain,
            org_grain,
            tree,
            tree_streets,
            show_districts,
            committees,
            level,
            lk,
            entities: BTreeMap::new(),
            unmet_shares: std::cell::OnceCell::new(),
            edges: BTreeMap::new(),
        }
    }

    /// Anything counted instead of drawn: committees or organisations.
    fn aggregated(&self) -> bool {
        self.committees_aggregated() || self.org_grain != OrgGrain::Each
    }

    /// Committees counted per community, street or district instead of drawn.
    fn committees_aggregated(&self) -> bool {
        self.grain != Grain::Committee
    }

    /// Who serves whom in the city's fair allocation: provider → committee of the need, one
    /// edge per pair labelled with the amounts per domain (summed over resources and needs).
    fn allocation_edges(&mut self) {
        let b = self.b;
        let gaps = self.gaps;
        let resources: HashMap<&str, &dangjian_model::Resource> =
            b.resources.iter().map(|r| (r.id.as_str(), r)).collect();
        let committee: HashMap<&str, &str> = gaps
            .needs
            .iter()
            .map(|n| (n.need.as_str(), n.committee.as_str()))
            .collect();
        let mut sums: BTreeMap<(Cell, Cell, ServiceDomain), f64> = BTreeMap::new();
        for al in &gaps.allocations {
            let (Some(r), Some(k)) = (
                resources.get(al.resource.as_str()),
                committee.get(al.need.as_str()),
            ) else {
                continue;
            };
            let (Some(from), Some(to)) = (self.provider_cell(&r.provider), self.cell(k)) else {
                continue;
            };
            if from != to {
                *sums.entry((from, to, r.domain)).or_default() += al.amount;
            }
        }
        for ((from, to, d), x) in sums {
            self.add_edge(EdgeKind::Resource, from, to)
                .details
                .insert(format!(
                    "{} 分配 {}",
                    d.label_zh(),
                    dangjian_model::format_amount(x)
                ));
        }
    }

    fn add_edge(&mut self, kind: EdgeKind, from: Cell, to: Cell) -> &mut EdgeAcc<'a> {
        let acc = self.edges.entry((kind, from, to)).or_default();
        acc.count += 1;
        acc
    }

    // ----- entities -------------------------------------------------------------------------

    /// Where an org on `street` is counted: `None` when drawn on its own, `Some(inside)` in
    /// the count of the scope's own orgs, or in the count of those outside (`区外`, `外街道`).
    fn counted_in(&self, street: &str, inside: &'static str) -> Option<&'static str> {
        match self.org_grain {
            OrgGrain::Each => None,
            OrgGrain::OutsideByCategory if !self.outside(street) => None,
            OrgGrain::OutsideByCategory => Some(self.outside_zh()),
            OrgGrain::ByCategory | OrgGrain::ByCategoryToCommunities => Some(inside),
        }
    }

    /// The node `key` with org `id` counted in it, drawn as `look` (shape, fill); `label`
    /// gets how many orgs the node stands for.
    fn org_cell(
        &mut self,
        key: String,
        id: &str,
        look: (&'static str, &'static str),
        label: impl FnOnce(usize) -> Vec<String>,
    ) -> Option<Cell> {
        let e = self.entities.entry(key.clone()).or_default();
        if e.members.insert(id.to_string()) {
            (e.shape, e.fill) = look;
            e.label = label(e.members.len());
        }
        Some(Cell {
            node: key,
            cluster: None,
        })
    }

    fn unit_node(&mut self, unit_id: &str) -> Option<Cell> {
        let u = *self.lk.units.get(unit_id)?;
        let outside = self.counted_in(&u.street, "驻区");
        let key = match outside {
            Some("驻区") => format!("__units_{}", wire_name(&u.category)),
            Some(_) => format!("__outside_units_{}", wire_name(&u.category)),
            None => String::from(&u.id),
        };
        self.org_cell(key, &u.id, ("box", "#fdebd0"), |n| match outside {
            Some(place) => vec![
                format!("{place}单位 · {}", u.category.label_zh()),
                format!("{n} 家"),
            ],
            None => vec![
                u.name.clone(),
                format!("{} · {}", u.category.label_zh(), u.industry),
            ],
        })
    }

    fn mass_node(&mut self, mass_id: &str) -> Option<Cell> {
        let m = *self.lk.mass_orgs.get(mass_id)?;
        // Mass organisations belong to no street: counted only when everything is.
        let aggregated = self.org_grain >= OrgGrain::ByCategory;
        let key = if aggregated {
            format!("__mass_{}", wire_name(&m.kind))
        } else {
            String::from(&m.id)
        };
        self.org_cell(key, &m.id, ("ellipse", "#d6eaf8"), |n| {
            if aggregated {
                vec![format!("群团 · {}", m.kind.label_zh()), format!("{n} 个")]
            } else {
                vec![m.name.clone(), format!("群团 · {}", m.kind.label_zh())]
            }
        })
    }

    fn social_node(&mut self, social_id: &str) -> Option<Cell> {
        let s = *self.lk.social_orgs.get(social_id)?;
        let counted = self.counted_in(&s.street, "");
        let key = match counted {
            Some("") => "__social".to_string(),
            Some(_) => "__outside_social".to_string(),
            None => String::from(&s.id),
        };
        self.org_cell(key, &s.id, ("hexagon", "#e8daef"), |n| match counted {
            Some(place) => vec![format!("{place}社会组织"), format!("{n} 个")],
            None => {
                let domains: Vec<&str> = s.domains.iter().map(|d| d.label_zh()).collect();
                vec![s.name.clone(), format!("社会组织 · {}", domains.join("、"))]
            }
        })
    }

    /// A resource provider: a unit, mass or social org, or a street or community in the tree.
    /// A street or community drawn as a cluster gets a node of its own ("自有资源"): an edge
    /// from a cluster to a committee inside it cannot be drawn.
    fn provider_cell(&mut self, provider: &'a str) -> Option<Cell> {
        if let Some(&(level, _)) = self.level.get(provider) {
            let cell = self.cell(provider)?;
            if self.committees_aggregated() || cell.cluster.is_none() {
                return Some(cell);
            }
            let key = format!("__provider_{provider}");
            let name = self.name(provider);
            let e = self.entities.entry(key.clone()).or_default();
            e.members.insert(provider.to_string());
            e.shape = "component";
            (e.fill, e.label) = match level {
                0 => ("#fbfcfc", vec![name, "区级资源".to_string()]),
                1 => ("#fef9e7", vec![name, "街道自有资源".to_string()]),
                _ => ("#eaf2f8", vec![name, "社区自有资源".to_string()]),
            };
            return Some(Cell {
                node: key,
                cluster: None,
            });
        }
        if self.lk.units.contains_key(provider) {
            return self.unit_node(provider);
        }
        if self.lk.mass_orgs.contains_key(provider) {
            return self.mass_node(provider);
        }
        if self.lk.social_orgs.contains_key(provider) {
            return self.social_node(provider);
        }
        None
    }

    // ----- collecting links -----------------------------------------------------------------

    fn collect_partnerships(&mut self) {
        let as_of = self.opts.as_of;
        let b = self.b;
        let draws = |k| self.opts.draws(k);
        let (partnerships, mass, social, resources, members) = (
            draws(LinkKind::Partnership),
            draws(LinkKind::Mass),
            draws(LinkKind::Social),
            draws(LinkKind::Resource),
            draws(LinkKind::Member),
        );
        for p in b.partnerships.iter().filter(|_| partnerships) {
            if !p.is_active(as_of) {
                continue;
            }
            let Some(to) = self.cell(&p.target) else {
                continue;
            };
            if let Some(from) = self.unit_node(&p.unit) {
                self.add_edge(EdgeKind::Partnership, from, to);
            }
        }
        for l in b.mass_links.iter().filter(|_| mass) {
            let Some(to) = self.cell(&l.target) else {
                continue;
            };
            if let Some(from) = self.mass_node(&l.mass_org) {
                self.add_edge(EdgeKind::MassLink, from, to)
                    .details
                    .insert(l.domain.label_zh().to_string());
            }
        }
        for s in b.social_orgs.iter().filter(|_| social) {
            let Some(to) = self.cell(&s.street) else {
                continue;
            };
            if let Some(from) = self.social_node(&s.id) {
                self.add_edge(EdgeKind::SocialService, from, to);
            }
        }
        for r in b.resources.iter().filter(|_| resources) {
            let Some(targets) = &r.deployed_to else {
                continue;
            };
            let cells: BTreeSet<Cell> = targets.iter().filter_map(|t| self.cell(t)).collect();
            if cells.is_empty() {
                continue;
            }
            let Some(from) = self.provider_cell(&r.provider) else {
                continue;
            };
            for to in cells {
                if to == from {
                    continue;
                }
                self.add_edge(EdgeKind::Resource, from.clone(), to)
                    .details
                    .insert(r.domain.label_zh().to_string());
            }
        }
        if self.opts.allocations && resources {
            self.allocation_edges();
        }
        // 双报到: members' employers → where they are registered and where they volunteer,
        // counted once per build over the scope (see `InService`).
        let pairs = &self.lk.in_service;
        let few = self.opts.min_member_group;
        for ((emp, at), stats) in pairs.pairs.iter().filter(|_| members) {
            let Some(to) = self.cell(at) else { continue };
            let from = if stats.registered < few && (stats.volunteers.len() as u64) < few {
                // Too few people to name their employer (see `min_member_group`).
                self.org_cell("__few_units".into(), emp, ("box", "#fdebd0"), |n| {
                    vec![format!("少于{few}人的单位"), format!("{n} 家")]
                })
            } else {
                self.unit_node(emp)
            };
            if let Some(from) = from {
                let acc = self.add_edge(EdgeKind::InService, from, to);
                acc.registered += stats.registered;
                acc.volunteers.extend(stats.volunteers.iter().copied());
                acc.hours += stats.hours;
            }
        }
        // Units of streets wholly in scope that have no links at all: drawn, marked unpaired
        // (only when every kind of link is drawn: a filtered view cannot tell).
        let whole_streets: BTreeSet<&str> =
            if self.scope_level() <= 1 && LinkKind::ALL.iter().all(|k| self.opts.draws(*k)) {
                self.tree.values().flat_map(|s| s.keys().copied()).collect()
            } else {
                BTreeSet::new()
            };
        let linked: BTreeSet<String> = self
            .entities
            .values()
            .flat_map(|e| e.members.iter().cloned())
            .collect();
        for u in &b.units {
            if whole_streets.contains(u.street.as_str())
                && !linked.contains(u.id.as_str())
                && let Some(c) = self.unit_node(&u.id)
                && c.node == u.id
                && let Some(e) = self.entities.get_mut(&c.node)
            {
                e.label.push("未结对共建".to_string());
                e.extra.push(("style", "filled,dashed".to_string()));
            }
        }
    }

    fn collect_sole_partners(&mut self) {
        if !self.opts.draws(LinkKind::Partnership) {
            return;
        }
        let gaps = self.gaps;
        for s in &gaps.sole_partner_units {
            let cells: BTreeSet<Cell> = s.committees.iter().filter_map(|c| self.cell(c)).collect();
            if cells.is_empty() {
                continue;
            }
            let Some(from) = self.unit_node(&s.unit) else {
                continue;
            };
            if from.node == s.unit
                && let Some(e) = self.entities.get_mut(&from.node)
            {
                e.label
                    .push(format!("唯一共建单位（{} 个居委会）", s.committees.len()));
                e.extra
                    .push(("color", EdgeKind::SolePartner.color().into()));
                e.extra.push(("penwidth", "3".into()));
            }
            for to in cells {
                self.add_edge(EdgeKind::SolePartner, from.clone(), to);
            }
        }
    }

    // ----- labels of the tree ---------------------------------------------------------------

    // ----- entities and edges as DOT --------------------------------------------------------

    // ----- tables and legend ----------------------------------------------------------------

    // ----- the whole picture ----------------------------------------------------------------
}
