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

/// Hash maps and sets with foldhash: the scene looks up ids of the whole city (700,000
/// members, 1,000,000 volunteering rows) and SipHash was most of a street's build time. Only
/// ever used for lookups, never iterated into the DOT, so the output does not depend on it.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Invisible layout nodes start with this; they do not count against the node budget.
pub(crate) const WRAP_PREFIX: &str = "__wrap_";
/// Rows shown in a table node before "…另有 N 项".
const TABLE_ROWS: usize = 30;
/// Above this many drawn edges the graph is crowded: edge labels become `xlabel`s and
/// `nodesep` halves. Most of a crowded picture's width is edges passing between ranks (each a
/// virtual node `nodesep` from the next) and their labels: the sample's districts were
/// 4,600–5,300 pt wide, with `xlabel`s and 0.15 in about 3,100.
const CROWDED_EDGES: usize = 40;
/// Above this many drawn edges `nodesep` is 0.1 in (the sample city: 10,300 pt wide with
/// labels and 0.3 in, 5,200 with `xlabel`s and 0.15 in, 4,000 with 0.1 in).
const VERY_CROWDED_EDGES: usize = 150;
/// Width / height the whole picture aims at when choosing how siblings wrap into rows.
const TOP_ASPECT: f64 = 1.4;
/// Width / height each street, community or district cluster aims at.
const INNER_ASPECT: f64 = 1.0;
/// Above this many nodes and drawn edges together the PNG is drawn at 72 dpi instead of
/// cairo's 96: a district's 8,700 × 5,400 px picture took `dot` 1.2–3 s to rasterise and
/// compress, at 72 dpi about half (the SVG is unchanged: it is always 72 points per inch).
/// Labelled edges take room like nodes: a Shanghai-scale street's partnerships view (44 nodes,
/// 111 edges) is 6,700–9,200 pt wide, 8,000 px at 96 dpi and 0.6 s; at 72 dpi 6,000 px, 0.3 s.
/// The sample network's streets (84–105) stay at 96 dpi.
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
    fn zh(self) -> &'static str {
        match self {
            Grain::District => "区",
            Grain::Street => "街道",
            Grain::Community => "社区",
            Grain::Committee => "居委会",
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

impl EdgeKind {
    /// The link-kind filter this edge kind falls under.
    fn link(self) -> LinkKind {
        match self {
            EdgeKind::Partnership | EdgeKind::SolePartner => LinkKind::Partnership,
            EdgeKind::MassLink => LinkKind::Mass,
            EdgeKind::SocialService => LinkKind::Social,
            EdgeKind::Resource => LinkKind::Resource,
            EdgeKind::InService => LinkKind::Member,
        }
    }

    fn zh(self) -> &'static str {
        match self {
            EdgeKind::Partnership => "共建（有效协议）",
            EdgeKind::MassLink => "群团联系",
            EdgeKind::SocialService => "社会组织服务",
            EdgeKind::Resource => "资源下沉",
            EdgeKind::InService => "在职党员双报到 / 志愿服务",
            EdgeKind::SolePartner => "唯一共建单位",
        }
    }
    fn color(self) -> &'static str {
        match self {
            EdgeKind::Partnership => "#c0392b",
            EdgeKind::MassLink => "#2471a3",
            EdgeKind::SocialService => "#7d3c98",
            EdgeKind::Resource => "#1e8449",
            EdgeKind::InService => "#d68910",
            EdgeKind::SolePartner => "#922b21",
        }
    }
    fn style(self) -> &'static str {
        match self {
            EdgeKind::Partnership => "solid",
            EdgeKind::MassLink => "dashed",
            EdgeKind::SocialService => "dotted",
            EdgeKind::Resource => "bold",
            EdgeKind::InService => "solid",
            EdgeKind::SolePartner => "bold",
        }
    }
    fn penwidth(self) -> &'static str {
        match self {
            EdgeKind::SolePartner => "3",
            EdgeKind::Partnership => "1.5",
            _ => "1",
        }
    }
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

/// Names and records by id, built once per build and shared by every grain tried.
struct Lookup<'a> {
    names: HashMap<&'a str, &'a str>,
    street_kind: HashMap<&'a str, StreetKind>,
    /// The leading org of each street, community, committee or unit: the first by id.
    org_of: HashMap<&'a str, &'a PartyOrg>,
    units: HashMap<&'a str, &'a Unit>,
    mass_orgs: HashMap<&'a str, &'a MassOrg>,
    social_orgs: HashMap<&'a str, &'a SocialOrg>,
    households: HashMap<&'a str, u64>,
    /// Members in service per (employer, committee), for the partnerships view.
    in_service: InService<'a>,
}

impl<'a> Lookup<'a> {
    fn new(b: &'a Bundle, cov: &'a CoverageDoc, opts: &DiagramOptions) -> Lookup<'a> {
        let mut names: HashMap<&str, &str> = HashMap::with_capacity_and_hasher(
            b.districts.len()
                + b.streets.len()
                + b.communities.len()
                + b.committees.len()
                + b.units.len()
                + b.mass_orgs.len()
                + b.social_orgs.len(),
            Default::default(),
        );
        for d in &b.districts {
            names.insert(&d.id, &d.name);
        }
        for s in &b.streets {
            names.insert(&s.id, &s.name);
        }
        for c in &b.communities {
            names.insert(&c.id, &c.name);
        }
        for c in &b.committees {
            names.insert(&c.id, &c.name);
        }
        for u in &b.units {
            names.insert(&u.id, &u.name);
        }
        for m in &b.mass_orgs {
            names.insert(&m.id, &m.name);
        }
        for s in &b.social_orgs {
            names.insert(&s.id, &s.name);
        }
        for c in &cov.committees {
            names.entry(c.id.as_str()).or_insert(c.name.as_str());
        }
        let mut org_of: HashMap<&str, &PartyOrg> = HashMap::default();
        for o in &b.party_orgs {
            let e = org_of.entry(o.leads.as_str()).or_insert(o);
            if o.id < e.id {
                *e = o;
            }
        }
        Lookup {
            in_service: InService::count(b, cov, opts),
            names,
            street_kind: b.streets.iter().map(|s| (s.id.as_str(), s.kind)).collect(),
            org_of,
            units: b.units.iter().map(|u| (u.id.as_str(), u)).collect(),
            mass_orgs: b.mass_orgs.iter().map(|m| (m.id.as_str(), m)).collect(),
            social_orgs: b.social_orgs.iter().map(|s| (s.id.as_str(), s)).collect(),
            households: b
                .committees
                .iter()
                .map(|c| (c.id.as_str(), c.households))
                .collect(),
        }
    }
}

/// Members per (employer, committee) in scope: registered there, and volunteering there in
/// the year up to `as_of` (distinct members, hours). Counted once per build, whatever the grain.
#[derive(Debug, Default)]
struct InService<'a> {
    pairs: BTreeMap<(&'a str, &'a str), PairStats<'a>>,
}

#[derive(Debug, Default)]
struct PairStats<'a> {
    registered: u64,
    volunteers: BTreeSet<&'a str>,
    hours: f64,
}

impl<'a> InService<'a> {
    fn count(b: &'a Bundle, cov: &'a CoverageDoc, opts: &DiagramOptions) -> InService<'a> {
        let mut pairs: BTreeMap<(&str, &str), PairStats> = BTreeMap::new();
        if opts.view != View::Partnerships {
            return InService { pairs };
        }
        let in_scope: HashSet<&str> = cov.committees.iter().map(|c| c.id.as_str()).collect();
        if in_scope.is_empty() {
            return InService { pairs };
        }
        let as_of = opts.as_of;
        let from_date = as_of
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(as_of);
        // Volunteering in the window at the scope's committees, in bundle order (so hours add
        // up in the same order), and the members who did it: only their employers are needed.
        let mut rows: Vec<(&str, &str, f64)> = Vec::new();
        let mut volunteers: HashMap<&str, Option<&str>> = HashMap::default();
        for v in &b.volunteering {
            if v.date <= from_date || v.date > as_of || !in_scope.contains(v.committee.as_str()) {
                continue;
            }
            rows.push((v.member.as_str(), v.committee.as_str(), v.hours));
            volunteers.insert(v.member.as_str(), None);
        }
        // One pass over the members: those registered in scope, and the volunteers' employers.
        for m in &b.members {
            let Some(emp) = m.employer.as_deref() else {
                continue;
            };
            if let Some(at) = m.registered_at.as_deref()
                && in_scope.contains(at)
            {
                pairs.entry((emp, at)).or_default().registered += 1;
            }
            if !volunteers.is_empty()
                && let Some(e) = volunteers.get_mut(m.id.as_str())
            {
                *e = Some(emp);
            }
        }
        for (member, at, hours) in rows {
            let Some(emp) = volunteers.get(member).copied().flatten() else {
                continue;
            };
            let p = pairs.entry((emp, at)).or_default();
            p.volunteers.insert(member);
            p.hours += hours;
        }
        InService { pairs }
    }
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

    /// Whether units and social organisations of this street are outside the scope's streets.
    fn outside(&self, street: &str) -> bool {
        self.opts.scope != "city" && !self.tree_streets.contains(street)
    }

    /// Whether an organisation drawn (after collecting) lies outside the scope's streets.
    fn has_outside_orgs(&self) -> bool {
        self.entities.values().flat_map(|e| &e.members).any(|id| {
            let street = match (
                self.lk.units.get(id.as_str()),
                self.lk.social_orgs.get(id.as_str()),
            ) {
                (Some(u), _) => u.street.as_str(),
                (None, Some(s)) => s.street.as_str(),
                (None, None) => return false,
            };
            self.outside(street)
        })
    }

    fn name(&self, id: &str) -> String {
        self.lk
            .names
            .get(id)
            .map_or_else(|| id.to_string(), |n| n.to_string())
    }

    fn scope_name(&self) -> String {
        if self.opts.scope == "city" {
            "全市".to_string()
        } else {
            self.name(&self.opts.scope)
        }
    }

    fn title(&self) -> String {
        let mut t = format!(
            "{} · {} · 截至 {}",
            self.scope_name(),
            self.opts.view.label_zh(),
            self.opts.as_of
        );
        if self.committees_aggregated() {
            t.push_str(&format!(
                "（已聚合：居委会按{}计数，驻区单位、群团和社会组织按类别计数）",
                self.grain.zh()
            ));
        } else if self.org_grain == OrgGrain::ByCategory {
            t.push_str("（已聚合：驻区单位、群团和社会组织按类别计数，居委会逐个绘制）");
        } else if self.org_grain == OrgGrain::ByCategoryToCommunities {
            t.push_str(
                "（已聚合：驻区单位、群团和社会组织按类别计数，连线汇总到社区，居委会逐个绘制）",
            );
        } else if self.org_grain == OrgGrain::OutsideByCategory {
            t.push_str(&format!(
                "（已聚合：{}单位和社会组织按类别计数，居委会逐个绘制）",
                self.outside_zh()
            ));
        }
        t
    }

    /// What "outside" means for this scope: other streets, or other districts.
    fn outside_zh(&self) -> &'static str {
        if self.scope_level() == 0 {
            "区外"
        } else {
            "外街道"
        }
    }

    fn secretary(&self, s: &str) -> String {
        if self.opts.mask_personal {
            dangjian_model::mask_name(s)
        } else {
            s.to_string()
        }
    }

    /// "name（党委）· 书记 X", or a warning when nothing leads it.
    fn org_line(&self, leads: &str) -> String {
        match self.lk.org_of.get(leads) {
            Some(o) => format!(
                "{}（{}）· 书记 {}",
                o.name,
                o.level.label_zh(),
                self.secretary(&o.secretary)
            ),
            None => "未设党组织".to_string(),
        }
    }

    /// The ancestor of a tree id at a level (itself when already there).
    fn ancestor(&self, mut id: &'a str, at: u8) -> Option<&'a str> {
        loop {
            let (l, parent) = *self.level.get(id)?;
            if l <= at {
                return (l == at).then_some(id);
            }
            id = parent?;
        }
    }

    /// The first node drawn under a tree id (an anchor for edges to its cluster).
    fn first_node_under(&self, id: &'a str) -> Option<&'a str> {
        let (l, _) = *self.level.get(id)?;
        let g = self.grain as u8;
        let mut cur = id;
        let mut lv = l;
        while lv < g {
            cur = match lv {
                0 => self.tree.get(cur)?.keys().next()?,
                1 => {
                    let d = self.ancestor(cur, 0)?;
                    self.tree.get(d)?.get(cur)?.keys().next()?
                }
                _ => {
                    let s = self.ancestor(cur, 1)?;
                    let d = self.ancestor(cur, 0)?;
                    self.tree.get(d)?.get(s)?.get(cur)?.first()?
                }
            };
            lv += 1;
        }
        Some(cur)
    }

    /// Where links to a street, community or committee in the tree end, at this grain.
    fn cell(&self, target: &'a str) -> Option<Cell> {
        let (mut l, _) = *self.level.get(target)?;
        let g = self.grain as u8;
        let mut target = target;
        // Aggregated: links end one level up (at the street or district cluster), which keeps
        // the edge count, and dot's time, small; the count nodes still carry their own figures.
        if self.committees_aggregated() && g > 0 && l >= g - 1 && (g - 1 > 0 || self.show_districts)
        {
            target = self.ancestor(target, g - 1)?;
            l = g - 1;
        } else if self.org_grain == OrgGrain::ByCategoryToCommunities && l == 3 {
            target = self.ancestor(target, 2)?;
            l = 2;
        }
        if l >= g {
            return Some(Cell {
                node: self.ancestor(target, g)?.to_string(),
                cluster: None,
            });
        }
        let node = self.first_node_under(target)?.to_string();
        let cluster = (l > 0 || self.show_districts).then(|| cluster_id(target));
        Some(Cell { node, cluster })
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

    fn unit_node(&mut self, unit_id: &str) -> Option<Cell> {
        let u = *self.lk.units.get(unit_id)?;
        let outside = match self.org_grain {
            OrgGrain::Each => None,
            OrgGrain::OutsideByCategory if !self.outside(&u.street) => None,
            OrgGrain::OutsideByCategory => Some(self.outside_zh()),
            OrgGrain::ByCategory | OrgGrain::ByCategoryToCommunities => Some("驻区"),
        };
        let key = match outside {
            Some("驻区") => format!("__units_{}", wire_name(&u.category)),
            Some(_) => format!("__outside_units_{}", wire_name(&u.category)),
            None => u.id.clone(),
        };
        let e = self.entities.entry(key.clone()).or_default();
        if e.members.contains(&u.id) {
            return Some(Cell {
                node: key,
                cluster: None,
            });
        }
        e.members.insert(u.id.clone());
        e.shape = "box";
        e.fill = "#fdebd0";
        if let Some(place) = outside {
            e.label = vec![
                format!("{place}单位 · {}", u.category.label_zh()),
                format!("{} 家", e.members.len()),
            ];
        } else {
            e.label = vec![
                u.name.clone(),
                format!("{} · {}", u.category.label_zh(), u.industry),
            ];
        }
        Some(Cell {
            node: key,
            cluster: None,
        })
    }

    fn mass_node(&mut self, mass_id: &str) -> Option<Cell> {
        let m = *self.lk.mass_orgs.get(mass_id)?;
        // Mass organisations belong to no street: counted only when everything is.
        let aggregated = self.org_grain >= OrgGrain::ByCategory;
        let key = if aggregated {
            format!("__mass_{}", wire_name(&m.kind))
        } else {
            m.id.clone()
        };
        let e = self.entities.entry(key.clone()).or_default();
        e.members.insert(m.id.clone());
        e.shape = "ellipse";
        e.fill = "#d6eaf8";
        e.label = if aggregated {
            vec![
                format!("群团 · {}", m.kind.label_zh()),
                format!("{} 个", e.members.len()),
            ]
        } else {
            vec![m.name.clone(), format!("群团 · {}", m.kind.label_zh())]
        };
        Some(Cell {
            node: key,
            cluster: None,
        })
    }

    fn social_node(&mut self, social_id: &str) -> Option<Cell> {
        let s = *self.lk.social_orgs.get(social_id)?;
        let counted = match self.org_grain {
            OrgGrain::Each => None,
            OrgGrain::OutsideByCategory if !self.outside(&s.street) => None,
            OrgGrain::OutsideByCategory => Some(self.outside_zh()),
            OrgGrain::ByCategory | OrgGrain::ByCategoryToCommunities => Some(""),
        };
        let key = match counted {
            Some("") => "__social".to_string(),
            Some(_) => "__outside_social".to_string(),
            None => s.id.clone(),
        };
        let e = self.entities.entry(key.clone()).or_default();
        e.members.insert(s.id.clone());
        e.shape = "hexagon";
        e.fill = "#e8daef";
        e.label = if let Some(place) = counted {
            vec![
                format!("{place}社会组织"),
                format!("{} 个", e.members.len()),
            ]
        } else {
            let domains: Vec<&str> = s.domains.iter().map(|d| d.label_zh()).collect();
            vec![s.name.clone(), format!("社会组织 · {}", domains.join("、"))]
        };
        Some(Cell {
            node: key,
            cluster: None,
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
        for ((emp, at), stats) in pairs.pairs.iter().filter(|_| members) {
            let Some(to) = self.cell(at) else { continue };
            if let Some(from) = self.unit_node(emp) {
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
                && !linked.contains(&u.id)
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

    /// 0 city or district, 1 street, 2 community, 3 committee.
    fn scope_level(&self) -> u8 {
        if self.opts.scope == "city" {
            0
        } else {
            self.level.get(self.opts.scope.as_str()).map_or(0, |l| l.0)
        }
    }

    // ----- labels of the tree ---------------------------------------------------------------

    fn committee_node(
        &self,
        c: &CommitteeCoverage,
        unmet: &BTreeMap<&str, Vec<(ServiceDomain, f64)>>,
    ) -> Stmt {
        let households = self.lk.households.get(c.id.as_str()).copied().unwrap_or(0);
        let mut label = vec![c.name.clone()];
        let style = if c.party_org {
            "rounded,filled"
        } else {
            "rounded,filled,dashed"
        };
        let mut attrs = vec![a("shape", "box"), a("style", style)];
        let mut tooltip = vec![format!("{}（{}）", c.name, c.id)];
        match self.opts.view {
            View::Hierarchy => {
                label.push(self.org_line(&c.id));
                label.push(format!(
                    "{households} 户 · 报到党员 {}",
                    c.registered_members
                ));
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Partnerships => {
                label.push(format!("报到党员 {}", c.registered_members));
                label.push(format!(
                    "志愿 {} 小时 · 共建单位 {}",
                    fmt_hours(c.volunteer_hours),
                    c.partners_in_reach
                ));
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Gaps => {
                let flags: Vec<&str> = c.blank_spots.iter().map(|f| f.label_zh()).collect();
                if flags.is_empty() {
                    label.push("无空白点".to_string());
                } else {
                    label.push(format!("空白点：{}", flags.join("、")));
                    tooltip.push(format!("空白点：{}", flags.join("、")));
                }
                let share = self.unmet_share(&c.id);
                if let Some(list) = unmet.get(c.id.as_str()) {
                    let parts: Vec<String> = list
                        .iter()
                        .map(|(d, n)| {
                            format!("{} {}", d.label_zh(), dangjian_model::format_amount(*n))
                        })
                        .collect();
                    label.push(format!("缺口：{}", parts.join("、")));
                    tooltip.push(format!(
                        "未满足需求：{}（占需求 {:.0}%）",
                        parts.join("、"),
                        share * 100.0
                    ));
                }
                // Unmet demand colours too: a committee with a shortfall is never "no gap".
                let fill = if c.blank_spots.contains(&BlankSpot::NoPartyOrg)
                    || c.blank_spots.len() >= 3
                    || share >= 0.5
                {
                    RED
                } else if c.blank_spots.is_empty() && share == 0.0 {
                    GREEN
                } else {
                    YELLOW
                };
                attrs.push(a("fillcolor", fill));
            }
        }
        if !c.party_org {
            attrs.push(a("color", "#c0392b"));
        }
        attrs.push(a_id("label", lines(&label)));
        attrs.push(a_id("tooltip", lines(&tooltip)));
        node(&c.id, attrs)
    }

    /// A count node for all committees under `id` (a community, street or district).
    fn aggregate_node(
        &self,
        id: &str,
        list: &[&CommitteeCoverage],
        unmet: &BTreeMap<&str, Vec<(ServiceDomain, f64)>>,
    ) -> Stmt {
        let mut label = vec![self.name(id)];
        let n = list.len();
        let members: u64 = list.iter().map(|c| c.registered_members).sum();
        let hours: f64 = list.iter().map(|c| c.volunteer_hours).sum();
        let mut attrs = vec![a("shape", "box3d"), a("style", "filled")];
        let with_flags = list.iter().filter(|c| !c.blank_spots.is_empty()).count();
        let mut tooltip = vec![format!("{}（{}）", self.name(id), id)];
        match self.opts.view {
            View::Hierarchy => {
                if self.grain == Grain::Community {
                    label.push(self.org_line(id));
                }
                label.push(format!("居委会 {n} 个 · 报到党员 {members}"));
                let no_org = list.iter().filter(|c| !c.party_org).count();
                if no_org > 0 {
                    label.push(format!("未设党组织的居委会 {no_org} 个"));
                }
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Partnerships => {
                label.push(format!("居委会 {n} 个 · 报到党员 {members}"));
                label.push(format!("志愿 {} 小时", fmt_hours(hours)));
                attrs.push(a("fillcolor", "#ffffff"));
            }
            View::Gaps => {
                label.push(format!("居委会 {n} 个，有空白点 {with_flags} 个"));
                let mut counts: BTreeMap<BlankSpot, usize> = BTreeMap::new();
                for c in list {
                    for f in &c.blank_spots {
                        *counts.entry(*f).or_default() += 1;
                    }
                }
                let parts: Vec<String> = counts
                    .iter()
                    .map(|(f, k)| format!("{} {k}", f.label_zh()))
                    .collect();
                if !parts.is_empty() {
                    label.push(parts.join(" · "));
                    tooltip.push(format!("空白点：{}", parts.join("、")));
                }
                let mut by_domain: BTreeMap<ServiceDomain, f64> = BTreeMap::new();
                for c in list {
                    for (d, u) in unmet.get(c.id.as_str()).into_iter().flatten() {
                        *by_domain.entry(*d).or_default() += u;
                    }
                }
                if !by_domain.is_empty() {
                    let parts: Vec<String> = by_domain
                        .iter()
                        .map(|(d, u)| {
                            format!("{} {}", d.label_zh(), dangjian_model::format_amount(*u))
                        })
                        .collect();
                    label.push(format!("缺口：{}", parts.join("、")));
                }
                let with_gap = list
                    .iter()
                    .filter(|c| !c.blank_spots.is_empty() || self.unmet_share(&c.id) > 0.0)
                    .count();
                let fill = if with_gap == 0 {
                    GREEN
                } else if with_gap * 2 < n {
                    YELLOW
                } else {
                    RED
                };
                attrs.push(a("fillcolor", fill));
            }
        }
        attrs.push(a_id("label", lines(&label)));
        attrs.push(a_id("tooltip", lines(&tooltip)));
        node(id, attrs)
    }

    fn cluster_label(&self, id: &str, level: u8) -> Vec<String> {
        let kind = match level {
            0 => "区".to_string(),
            1 => match self.lk.street_kind.get(id) {
                Some(StreetKind::Town) => "镇".to_string(),
                _ => "街道".to_string(),
            },
            _ => "社区".to_string(),
        };
        let mut l = vec![format!("{}（{}）", self.name(id), kind)];
        if level > 0 {
            l.push(self.org_line(id));
        }
        l
    }

    fn cluster(&self, id: &str, level: u8, mut body: Vec<Stmt>) -> Stmt {
        let (fill, color) = match level {
            0 => ("#fbfcfc", "#7f8c8d"),
            1 => ("#fef9e7", "#b7950b"),
            _ => ("#eaf2f8", "#2e86c1"),
        };
        let mut stmts = vec![
            set("label", lines(&self.cluster_label(id, level))),
            set("style", quoted("rounded,filled")),
            set("fillcolor", quoted(fill)),
            set("color", quoted(color)),
            set("labeljust", quoted("l")),
            set("fontsize", quoted(if level == 0 { "16" } else { "13" })),
        ];
        stmts.append(&mut body);
        subgraph(&cluster_id(id), stmts)
    }

    /// The tree as clusters and nodes, at this grain, and its span (top and bottom nodes, size). Siblings (committees
    /// in a community, communities in a street, streets in a district, districts) wrap into a
    /// grid: inside each cluster about as wide as tall, and at the top wide enough that the
    /// whole picture, with `legend` above it, is about [`TOP_ASPECT`].
    fn tree_stmts(&self, legend: Size) -> (Vec<Stmt>, Span) {
        let unmet = self.unmet_by_committee();
        let mut out = Vec::new();
        let mut district_spans = Vec::new();
        // One district drawn without its cluster: its streets are the top level.
        let streets_on_top = !self.show_districts && self.grain != Grain::District;
        for (district, streets) in &self.tree {
            if self.grain == Grain::District {
                let list = self.committees_under(district);
                let n = self.aggregate_node(district, &list, &unmet);
                district_spans.push(leaf(district, node_size(&n)));
                out.push(n);
                continue;
            }
            let mut d_body = Vec::new();
            let mut street_spans = Vec::new();
            for (street, communities) in streets {
                if self.grain == Grain::Street {
                    let list = self.committees_under(street);
                    let n = self.aggregate_node(street, &list, &unmet);
                    street_spans.push(leaf(street, node_size(&n)));
                    d_body.push(n);
                    continue;
                }
                let mut s_body = Vec::new();
                let mut community_spans = Vec::new();
                for (community, list) in communities {
                    if self.grain == Grain::Community {
                        let cs = self.committees_under(community);
                        let n = self.aggregate_node(community, &cs, &unmet);
                        community_spans.push(leaf(community, node_size(&n)));
                        s_body.push(n);
                        continue;
                    }
                    let mut c_body = Vec::new();
                    let mut committee_spans = Vec::new();
                    for c in list {
                        if let Some(cc) = self.committees.get(c) {
                            let n = self.committee_node(cc, &unmet);
                            committee_spans.push(leaf(c, node_size(&n)));
                            c_body.push(n);
                        }
                    }
                    let (cluster, group) =
                        self.wrap_cluster(community, 2, &committee_spans, c_body, legend);
                    s_body.push(cluster);
                    community_spans.push(group);
                }
                let (cluster, group) =
                    self.wrap_cluster(street, 1, &community_spans, s_body, legend);
                d_body.push(cluster);
                street_spans.push(group);
            }
            if streets_on_top {
                let cols = best_cols(&street_spans, TOP_ASPECT, |g| below(legend, g));
                let (stmts, group) = wrap(district, &street_spans, cols);
                out.extend(d_body);
                out.extend(stmts);
                return (out, group);
            }
            let (cluster, group) = self.wrap_cluster(district, 0, &street_spans, d_body, legend);
            out.push(cluster);
            district_spans.push(group);
        }
        let cols = best_cols(&district_spans, TOP_ASPECT, |g| below(legend, g));
        let (stmts, group) = wrap("root", &district_spans, cols);
        out.extend(stmts);
        (out, group)
    }

    /// A street, community or district cluster around `body` (its children's statements), the
    /// children wrapped into a grid about as wide as tall. Returns the cluster statement and
    /// its span.
    fn wrap_cluster(
        &self,
        id: &str,
        level: u8,
        children: &[Span],
        mut body: Vec<Stmt>,
        legend: Size,
    ) -> (Stmt, Span) {
        let font = if level == 0 { 16.0 } else { 13.0 };
        let label = self.cluster_label(id, level);
        // The scope's own cluster (a street or community) is the whole picture.
        let cols = if id == self.opts.scope {
            best_cols(children, TOP_ASPECT, |g| {
                below(legend, cluster_size(g, &label, font))
            })
        } else {
            best_cols(children, INNER_ASPECT, |g| g)
        };
        let (stmts, mut group) = wrap(id, children, cols);
        body.extend(stmts);
        group.size = cluster_size(group.size, &label, font);
        (self.cluster(id, level, body), group)
    }

    fn committees_under(&self, id: &str) -> Vec<&'a CommitteeCoverage> {
        let (l, _) = self.level.get(id).copied().unwrap_or((9, None));
        self.committees
            .values()
            .copied()
            .filter(|c| match l {
                0 => c.district == id,
                1 => c.street == id,
                2 => c.community == id,
                _ => c.id == id,
            })
            .collect()
    }

    /// The share of a committee's demand the city's fair allocation leaves unmet (0 when it
    /// has no needs), from the gaps document's `needs`.
    fn unmet_share(&self, committee: &str) -> f64 {
        let gaps = self.gaps;
        let shares = self.unmet_shares.get_or_init(|| {
            let mut sums: HashMap<&str, (u64, f64)> = HashMap::default();
            for n in &gaps.needs {
                let e = sums.entry(n.committee.as_str()).or_default();
                e.0 += n.demand;
                e.1 += n.unmet;
            }
            sums.into_iter()
                .filter(|(_, (d, _))| *d > 0)
                .map(|(k, (d, u))| (k, u / d as f64))
                .collect()
        });
        shares.get(committee).copied().unwrap_or(0.0)
    }

    fn unmet_by_committee(&self) -> BTreeMap<&'a str, Vec<(ServiceDomain, f64)>> {
        let mut m: BTreeMap<&str, BTreeMap<ServiceDomain, f64>> = BTreeMap::new();
        if self.opts.view == View::Gaps {
            for u in &self.gaps.unmet_needs {
                *m.entry(u.committee.as_str())
                    .or_default()
                    .entry(u.domain)
                    .or_default() += u.unmet;
            }
        }
        m.into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect()
    }

    // ----- entities and edges as DOT --------------------------------------------------------

    fn entity_stmts(&self) -> Vec<Stmt> {
        self.entities
            .iter()
            .map(|(key, e)| {
                let mut attrs = vec![
                    a("shape", e.shape),
                    a("style", "filled"),
                    a("fillcolor", e.fill),
                ];
                for (k, v) in &e.extra {
                    attrs.retain(|x| x.0 != id!(k));
                    attrs.push(a(k, v));
                }
                attrs.push(a_id("label", lines(&e.label)));
                node(key, attrs)
            })
            .collect()
    }

    /// The drawn edges; when `crowded`, their labels are `xlabel`s, placed after the layout
    /// instead of taking room in it.
    fn edge_stmts(&self, crowded: bool) -> Vec<Stmt> {
        self.edges
            .iter()
            .map(|((kind, from, to), acc)| {
                let mut attrs = vec![
                    a("color", kind.color()),
                    a("fontcolor", kind.color()),
                    a("style", kind.style()),
                    a("penwidth", kind.penwidth()),
                ];
                if let Some(c) = &from.cluster {
                    attrs.push(a("ltail", c));
                }
                if let Some(c) = &to.cluster {
                    attrs.push(a("lhead", c));
                }
                let mut label = Vec::new();
                match kind {
                    EdgeKind::InService => {
                        if acc.registered > 0 {
                            label.push(format!("报到 {} 人", acc.registered));
                        }
                        if !acc.volunteers.is_empty() {
                            label.push(format!(
                                "志愿 {} 人 · {} 小时",
                                acc.volunteers.len(),
                                fmt_hours(acc.hours)
                            ));
                        }
                    }
                    EdgeKind::Partnership | EdgeKind::SolePartner if acc.count > 1 => {
                        label.push(format!("{} ×{}", short_kind(*kind), acc.count));
                    }
                    EdgeKind::MassLink | EdgeKind::Resource => {
                        let d: Vec<&str> = acc.details.iter().map(String::as_str).collect();
                        let mut s = d.join("、");
                        if acc.count > 1 {
                            s = format!("{s} ×{}", acc.count);
                        }
                        label.push(s);
                    }
                    _ => {}
                }
                if !label.is_empty() {
                    let key = if crowded { "xlabel" } else { "label" };
                    attrs.push(a_id(key, lines(&label)));
                }
                attrs.push(a("tooltip", kind.zh()));
                edge(&from.node, &to.node, attrs)
            })
            .collect()
    }

    // ----- tables and legend ----------------------------------------------------------------

    fn gaps_tables(&self) -> Vec<Stmt> {
        let g = self.gaps;
        let needs: HashMap<&str, _> = self.b.needs.iter().map(|n| (n.id.as_str(), n)).collect();
        let resources: HashMap<&str, _> = self
            .b
            .resources
            .iter()
            .map(|r| (r.id.as_str(), r))
            .collect();
        let mut out = Vec::new();
        // Unmet demand by domain.
        let mut rows = vec![vec![
            "领域".to_string(),
            "需求".to_string(),
            "已满足".to_string(),
            "缺口".to_string(),
        ]];
        for d in &g.by_domain {
            rows.push(vec![
                d.domain.label_zh().to_string(),
                d.demand.to_string(),
                dangjian_model::format_amount(d.met),
                dangjian_model::format_amount(d.unmet),
            ]);
        }
        rows.push(vec![
            "合计".to_string(),
            g.total_demand.to_string(),
            dangjian_model::format_amount(g.met_demand),
            dangjian_model::format_amount(g.unmet_demand),
        ]);
        out.push(table_node(
            "__unmet_by_domain",
            "需求满足情况（按领域）",
            &rows,
            "#fdedec",
        ));
        // Unreachable needs.
        let rows = id_table(
            ["需求", "居委会", "领域", "需求量"],
            &g.unreachable_needs,
            |id| {
                needs.get(id).map(|n| {
                    [
                        n.id.clone(),
                        self.name(&n.committee),
                        n.domain.label_zh().to_string(),
                        n.demand.to_string(),
                    ]
                })
            },
        );
        out.push(table_node(
            "__unreachable_needs",
            "无资源可达的需求",
            &rows,
            "#fdedec",
        ));
        // Stranded resources.
        let rows = id_table(
            ["资源", "提供方", "领域", "能力"],
            &g.stranded_resources,
            |id| {
                resources.get(id).map(|r| {
                    [
                        r.name.clone(),
                        self.name(&r.provider),
                        r.domain.label_zh().to_string(),
                        r.capacity.to_string(),
                    ]
                })
            },
        );
        out.push(table_node(
            "__stranded_resources",
            &format!(
                "悬浮资源（闲置能力合计 {}）",
                dangjian_model::format_amount(g.unused_capacity)
            ),
            &rows,
            "#fef5e7",
        ));
        out
    }

    /// The legend node and its estimated size.
    fn legend(&self) -> (Stmt, Size) {
        let mut rows: Vec<(String, String)> = Vec::new();
        let boxed = |fill: &str, text: &str| {
            (
                format!(r##"<td bgcolor="{fill}" border="1" width="24"> </td>"##),
                escape_html(text),
            )
        };
        rows.push(boxed("#fef9e7", "街道 / 镇（党工委或党委 · 书记）"));
        rows.push(boxed("#eaf2f8", "社区（党组织 · 书记）"));
        match self.opts.view {
            View::Hierarchy => {
                rows.push(boxed(
                    "#ffffff",
                    "居委会（党组织 · 书记 · 户数 · 报到党员）",
                ));
                rows.push((
                    r##"<td border="1" color="#c0392b" style="dashed" width="24"> </td>"##.into(),
                    escape_html("红色虚线框：未设党组织"),
                ));
            }
            View::Partnerships => {
                rows.push(boxed(
                    "#ffffff",
                    "居委会（报到党员 · 志愿时长 · 共建单位数）",
                ));
                rows.push(boxed("#fdebd0", "驻区单位（虚线：未结对共建）"));
                rows.push(boxed("#d6eaf8", "群团组织"));
                rows.push(boxed("#e8daef", "社会组织"));
                for k in [
                    EdgeKind::Partnership,
                    EdgeKind::MassLink,
                    EdgeKind::SocialService,
                    EdgeKind::Resource,
                    EdgeKind::InService,
                ]
                .into_iter()
                .filter(|k| self.opts.draws(k.link()))
                {
                    rows.push(edge_row(k));
                }
            }
            View::Gaps => {
                rows.push(boxed(GREEN, "无空白点、无缺口"));
                rows.push(boxed(YELLOW, "有空白点（1–2 项）或有缺口"));
                rows.push(boxed(RED, "无党组织、3 项以上空白点或缺口过半"));
                if self.opts.draws(LinkKind::Partnership) {
                    rows.push(edge_row(EdgeKind::SolePartner));
                }
                rows.push((
                    "<td> </td>".into(),
                    escape_html("“缺口”：全市公平分配后仍未满足的需求量"),
                ));
            }
        }
        if self.committees_aggregated() {
            rows.push(boxed(
                "#ffffff",
                &format!("立体框：一个{}的居委会合计", self.grain.zh()),
            ));
        }
        match self.org_grain {
            OrgGrain::Each => {}
            OrgGrain::OutsideByCategory => rows.push((
                "<td> </td>".into(),
                escape_html(&format!(
                    "“{0}单位 · 类别 N 家”：本范围以外的单位按类别合计（含{0}在职党员的工作单位）",
                    self.outside_zh()
                )),
            )),
            OrgGrain::ByCategory => rows.push((
                "<td> </td>".into(),
                escape_html("“N 家 / N 个”：单位、群团和社会组织按类别合计"),
            )),
            OrgGrain::ByCategoryToCommunities => rows.push((
                "<td> </td>".into(),
                escape_html(
                    "“N 家 / N 个”：单位、群团和社会组织按类别合计；连线到社区框，居委会的数字见其标签",
                ),
            )),
        }
        if self.opts.mask_personal {
            rows.push((
                "<td> </td>".into(),
                escape_html("已隐去个人信息（书记仅显示姓氏）"),
            ));
        }
        let mut markup = String::from(
            r#"<table border="0" cellborder="0" cellspacing="2" cellpadding="3"><tr><td colspan="2"><b>图例</b></td></tr>"#,
        );
        for (sym, text) in rows {
            markup.push_str(&format!(r#"<tr>{sym}<td align="left">{text}</td></tr>"#));
        }
        markup.push_str("</table>");
        let size = html_size(&markup, NODE_FONT);
        let n = node(
            "__legend",
            vec![
                a("shape", "box"),
                a("style", "rounded"),
                a("color", "#999999"),
                a_id("label", html(&markup)),
            ],
        );
        (n, size)
    }

    // ----- the whole picture ----------------------------------------------------------------

    fn draw(&mut self) -> Diagram {
        match self.opts.view {
            View::Hierarchy => {}
            View::Partnerships => self.collect_partnerships(),
            View::Gaps => self.collect_sole_partners(),
        }
        let title = self.title();
        let font = self.opts.font.as_str();
        let crowded = self.edges.len() > CROWDED_EDGES;
        let nodesep = match self.edges.len() {
            n if n > VERY_CROWDED_EDGES => "0.1",
            n if n > CROWDED_EDGES => "0.15",
            _ => "0.3",
        };
        let mut stmts = vec![
            defaults(
                "graph",
                vec![
                    a("fontname", font),
                    a("label", &title),
                    a("labelloc", "t"),
                    a("fontsize", "20"),
                    a("compound", "true"),
                    a("rankdir", "TB"),
                    a("nodesep", nodesep),
                    a("newrank", "true"),
                    a("ranksep", "0.6"),
                    a("charset", "UTF-8"),
                ],
            ),
            defaults(
                "node",
                vec![
                    a("fontname", font),
                    a("fontsize", "11"),
                    a("margin", "0.1,0.05"),
                ],
            ),
            defaults("edge", vec![a("fontname", font), a("fontsize", "9")]),
        ];
        let (legend, legend_size) = self.legend();
        stmts.push(legend);
        if self.tree.is_empty() {
            stmts.push(node(
                "__empty",
                vec![a("shape", "note"), a("label", "该范围内没有居委会")],
            ));
        }
        let (tree, tree_span) = self.tree_stmts(legend_size);
        stmts.extend(tree);
        // Organisations wrap into rows above the tree instead of one very wide rank, as many to
        // a row as keeps the whole picture (legend, organisations, tree) about TOP_ASPECT.
        let entities = self.entity_stmts();
        let spans: Vec<Span> = self
            .entities
            .keys()
            .zip(&entities)
            .map(|(k, n)| leaf(k, node_size(n)))
            .collect();
        let tree_size = tree_span.size;
        let cols = best_cols(&spans, TOP_ASPECT, |g| {
            let both = Size {
                w: g.w.max(tree_size.w),
                h: g.h + 2.0 * RANKSEP + tree_size.h,
            };
            below(legend_size, both)
        });
        stmts.extend(entities);
        let (orgs, orgs_span) = wrap("orgs", &spans, cols);
        stmts.extend(orgs);
        // The organisations above the tree, not between its clusters.
        if !orgs_span.bottoms.is_empty() && !tree_span.tops.is_empty() {
            let (joins, _) = wrap("orgs_tree", &[orgs_span.clone(), tree_span.clone()], 1);
            stmts.extend(joins);
        }
        // The legend on a rank of its own above everything: next to the first row it would
        // make that rank as tall as the legend.
        for top in tree_span.tops.iter().chain(&orgs_span.tops) {
            stmts.push(edge("__legend", top, vec![a("style", "invis")]));
        }
        if self.opts.view == View::Gaps {
            stmts.extend(self.gaps_tables());
        }
        let edge_stmts = self.edge_stmts(crowded);
        let edges = edge_stmts.len();
        stmts.extend(edge_stmts);
        let nodes = count_nodes(&stmts);
        if nodes + edges > LARGE_GRAPH_ELEMENTS {
            stmts.insert(1, set("dpi", quoted("72")));
        }
        let graph = Graph::DiGraph {
            id: quoted(&format!("dangjian_{}", self.opts.view.as_str())),
            strict: false,
            stmts,
        };
        let mut dot = graph.print(&mut PrinterContext::default());
        dot.push('\n');
        Diagram {
            dot,
            aggregated: self.aggregated(),
            committees_aggregated: self.committees_aggregated(),
            nodes,
            edges,
            title,
        }
    }
}

const GREEN: &str = "#d5f5e3";
const YELLOW: &str = "#fcf3cf";
const RED: &str = "#f5b7b1";

fn cluster_id(id: &str) -> String {
    format!("cluster_{id}")
}

fn edge_row(k: EdgeKind) -> (String, String) {
    (
        format!(
            r##"<td><font color="{}">{}</font></td>"##,
            k.color(),
            match k.style() {
                "dashed" => "- - ▶",
                "dotted" => "· · ▶",
                "bold" => "━━▶",
                _ => "──▶",
            }
        ),
        escape_html(k.zh()),
    )
}

fn short_kind(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::SolePartner => "唯一共建",
        _ => "共建",
    }
}

/// The rows of a four-column table listing ids: the header, one row per id (the id alone when
/// `describe` knows nothing of it), or a single "（无）" row when the list is empty.
fn id_table(
    header: [&str; 4],
    ids: &[String],
    describe: impl Fn(&str) -> Option<[String; 4]>,
) -> Vec<Vec<String>> {
    let mut rows = vec![header.map(str::to_string).to_vec()];
    for id in ids {
        let row = describe(id.as_str())
            .unwrap_or_else(|| [id.clone(), String::new(), String::new(), String::new()]);
        rows.push(row.to_vec());
    }
    if ids.is_empty() {
        rows.push(vec![
            "（无）".to_string(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    rows
}

fn table_node(name: &str, caption: &str, rows: &[Vec<String>], head_fill: &str) -> Stmt {
    let cols = rows.first().map_or(1, Vec::len);
    let mut markup = format!(
        r#"<table border="0" cellborder="1" cellspacing="0" cellpadding="4"><tr><td colspan="{cols}" bgcolor="{head_fill}"><b>{}</b></td></tr>"#,
        escape_html(caption)
    );
    let shown = rows.len().min(TABLE_ROWS + 1);
    for (i, row) in rows.iter().take(shown).enumerate() {
        markup.push_str("<tr>");
        for cell in row {
            if i == 0 {
                markup.push_str(&format!("<td><b>{}</b></td>", escape_html(cell)));
            } else {
                markup.push_str(&format!(r#"<td align="left">{}</td>"#, escape_html(cell)));
            }
        }
        markup.push_str("</tr>");
    }
    if rows.len() > shown {
        markup.push_str(&format!(
            r#"<tr><td colspan="{cols}">…另有 {} 项</td></tr>"#,
            rows.len() - shown
        ));
    }
    markup.push_str("</table>");
    node(
        name,
        vec![a("shape", "plain"), a_id("label", html(&markup))],
    )
}

fn fmt_hours(h: f64) -> String {
    if (h - h.round()).abs() < 1e-9 {
        format!("{}", h.round() as i64)
    } else {
        format!("{h:.1}")
    }
}
