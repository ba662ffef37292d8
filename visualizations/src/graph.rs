//! The network as a graph document (nodes and edges by link kind) for the interactive view and
//! for graph tools: JSON, GraphML (yEd, Cytoscape desktop) and GEXF (Gephi).
//!
//! A scope draws its hierarchy as compound parents (street → community → committee; a district
//! above its streets; the street and community above a community or committee scope) and the
//! organisations linked to it: units (共建 partnerships), mass orgs (群团 links), social orgs of
//! its streets (社会组织), resources reaching it (资源下沉: one edge per provider and place it
//! sinks into, with the number, capacity and domains of its resources) and the in-service members (双报到), which are only ever counted: one edge per
//! (employer group, committee) with members registered, distinct volunteers and hours of the
//! last 12 months — never a person. By default the employers are grouped by the district of
//! their street, so a street scope does not draw one node per employer in the city.
//!
//! [`GraphIndex`] is built once per network (Shanghai scale: well under a second) so that a
//! street's document is a few milliseconds.

use dangjian_engine::EngineError;
use dangjian_model::{Bundle, Date, Id, MassOrgType};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

/// The kinds of link drawn between nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// 共建: a unit's active partnership with a street, community or committee.
    Partnership,
    /// 资源下沉: a provider's resources where they sink (deployed, else the provider's reach).
    Resource,
    /// 群团: a mass organisation's link to a street, community or committee.
    Mass,
    /// 社会组织: a social organisation serving its street.
    Social,
    /// 双报到: in-service members registered or volunteering at a committee, per employer group.
    Member,
}

impl LinkKind {
    /// All kinds, in menu order.
    pub const ALL: [LinkKind; 5] = [
        LinkKind::Partnership,
        LinkKind::Resource,
        LinkKind::Mass,
        LinkKind::Social,
        LinkKind::Member,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Partnership => "partnership",
            LinkKind::Resource => "resource",
            LinkKind::Mass => "mass",
            LinkKind::Social => "social",
            LinkKind::Member => "member",
        }
    }

    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<LinkKind> {
        LinkKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            LinkKind::Partnership => "共建",
            LinkKind::Resource => "资源下沉",
            LinkKind::Mass => "群团",
            LinkKind::Social => "社会组织",
            LinkKind::Member => "双报到",
        }
    }

    /// Parse a comma-separated list (`partnership,member`); empty → every kind.
    pub fn parse_list(s: &str) -> Result<Vec<LinkKind>, String> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let k = LinkKind::parse(part).ok_or_else(|| {
                format!(
                    "unknown link kind `{part}`: use partnership, resource, mass, social or member"
                )
            })?;
            if !out.contains(&k) {
                out.push(k);
            }
        }
        if out.is_empty() {
            out = LinkKind::ALL.to_vec();
        }
        out.sort();
        Ok(out)
    }
}

/// How in-service members' employers are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberGrouping {
    /// One node per district of the employer's street (the default).
    District,
    /// One node per employer unit.
    Unit,
}

impl MemberGrouping {
    /// Parse `district` or `unit`.
    pub fn parse(s: &str) -> Option<MemberGrouping> {
        match s {
            "district" => Some(MemberGrouping::District),
            "unit" => Some(MemberGrouping::Unit),
            _ => None,
        }
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    District,
    Street,
    Community,
    Committee,
    Unit,
    MassOrg,
    SocialOrg,
    Resource,
    /// The employers of in-service members, grouped (by district, or "no employer given").
    UnitGroup,
}

impl NodeKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::District => "district",
            NodeKind::Street => "street",
            NodeKind::Community => "community",
            NodeKind::Committee => "committee",
            NodeKind::Unit => "unit",
            NodeKind::MassOrg => "mass_org",
            NodeKind::SocialOrg => "social_org",
            NodeKind::Resource => "resource",
            NodeKind::UnitGroup => "unit_group",
        }
    }
}

/// One node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// The entity's id (`grp:<district id>` / `grp:none` for member employer groups).
    pub id: String,
    /// Its name.
    pub label: String,
    pub kind: NodeKind,
    /// The compound parent (a committee's community, a community's street, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// A short description: a unit's category and industry, a mass org's type, a social org's
    /// or resource's domains, a street's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A unit's or a member group's district name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// A committee's households.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households: Option<u64>,
    /// A resource's capacity (resource nodes are not drawn by [`GraphIndex::graph`], which
    /// aggregates resources on their edges; the kind is kept for other producers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// The position computed by the service ([`GraphIndex::place`]; `None` when not asked
    /// for): the same for a scope on every date. A compound node's is the centre of its box.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
}

/// One edge (directed from the organisation to the place it serves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// The partnership's id for 共建; a made-up stable id for the others.
    pub id: String,
    pub source: String,
    pub target: String,
    pub kind: LinkKind,
    /// A short Chinese label (`共建 · 2024-03-01 起`, `12 人 · 340 小时`).
    pub label: String,
    /// A weight for layout and graph tools (≥ 1): member count plus hours / 100 for 双报到.
    pub weight: f64,
    /// 双报到: members registered at the target committee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<u64>,
    /// 双报到: distinct members with counted hours there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volunteers: Option<u64>,
    /// 双报到: counted hours there in the 12 months up to `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// 资源下沉: how many resources of the provider sink there, and their capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// 双报到 grouped: distinct employer units behind the edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<u64>,
    /// 共建: signed; 资源下沉 and 群团: the service domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

/// The graph of a scope on a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphDoc {
    pub as_of: Date,
    pub scope: String,
    /// The link kinds drawn.
    pub kinds: Vec<LinkKind>,
    pub grouping: MemberGrouping,
    /// Whether the graph is drawn per street (a district or the city): communities and
    /// committees folded into their street, units counted per district and category, social
    /// organisations per district, links summed.
    #[serde(default)]
    pub aggregated: bool,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphOptions {
    /// `city` or a district, street, community or committee id.
    pub scope: String,
    pub as_of: Date,
    /// Link kinds to draw (the hierarchy is always drawn).
    pub kinds: Vec<LinkKind>,
    pub grouping: MemberGrouping,
    /// Draw per street (see [`GraphDoc::aggregated`]); `None`: for a district or the city.
    pub aggregate: Option<bool>,
}

impl GraphOptions {
    /// Every kind, members grouped by district.
    pub fn new(scope: impl Into<String>, as_of: Date) -> GraphOptions {
        GraphOptions {
            scope: scope.into(),
            as_of,
            kinds: LinkKind::ALL.to_vec(),
            grouping: MemberGrouping::District,
            aggregate: None,
        }
    }
}

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ent {
    District(u32),
    Street(u32),
    Community(u32),
    Committee(u32),
    Unit(u32),
    MassOrg(u32),
    SocialOrg(u32),
}

/// Lookups over one bundle for building graph documents quickly. Build it once per network
/// and pass the same bundle to [`GraphIndex::graph`].
#[derive(Debug)]
pub struct GraphIndex {
    ids: HashMap<Id, Ent>,
    street_district: Vec<u32>,
    community_street: Vec<u32>,
    committee_community: Vec<u32>,
    district_streets: Vec<Vec<u32>>,
    street_communities: Vec<Vec<u32>>,
    community_committees: Vec<Vec<u32>>,
    /// Partnerships by target (street, community, committee) and by unit.
    pships_street: Vec<Vec<u32>>,
    pships_community: Vec<Vec<u32>>,
    pships_committee: Vec<Vec<u32>>,
    unit_pships: Vec<Vec<u32>>,
    /// Mass links by target and by mass org.
    links_street: Vec<Vec<u32>>,
    links_community: Vec<Vec<u32>>,
    links_committee: Vec<Vec<u32>>,
    mass_links: Vec<Vec<u32>>,
    social_by_street: Vec<Vec<u32>>,
    /// Resources deployed to a committee; resources without `deployed_to` by provider.
    deployed_at: Vec<Vec<u32>>,
    undeployed_by_provider: HashMap<Ent, Vec<u32>>,
    members_at: Vec<Vec<u32>>,
    /// Employer unit of each member (`NONE` when not given or unknown).
    member_employer: Vec<u32>,
    /// Volunteering rows by committee, with the member index (`NONE` when unknown).
    vol_at: Vec<Vec<(u32, u32)>>,
    /// Positions laid out per (scope, grouping, aggregated), for [`GraphIndex::place`].
    positions: Mutex<HashMap<(String, MemberGrouping, bool), Arc<Positions>>>,
}

/// Positions by node id.
type Positions = HashMap<String, crate::graph_layout::Point>;

/// At most this many scopes' positions are kept per network.
const POSITIONS_KEPT: usize = 512;

fn grouped(n: usize, pairs: impl Iterator<Item = (u32, u32)>) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); n];
    for (k, v) in pairs {
        if let Some(slot) = out.get_mut(k as usize) {
            slot.push(v);
        }
    }
    out
}

impl GraphIndex {
    /// Index a (validated) bundle.
    pub fn new(b: &Bundle) -> GraphIndex {
        let mut ids: HashMap<Id, Ent> = HashMap::with_capacity(
            b.districts.len()
                + b.streets.len()
                + b.communities.len()
                + b.committees.len()
                + b.units.len()
                + b.mass_orgs.len()
                + b.social_orgs.len(),
        );
        macro_rules! put {
            ($table:ident, $variant:ident) => {
                for (i, r) in b.$table.iter().enumerate() {
                    ids.insert(r.id.clone(), Ent::$variant(i as u32));
                }
            };
        }
        put!(districts, District);
        put!(streets, Street);
        put!(communities, Community);
        put!(committees, Committee);
        put!(units, Unit);
        put!(mass_orgs, MassOrg);
        put!(social_orgs, SocialOrg);
        let ix = |id: &str| ids.get(id).copied();
        let street_of = |id: &str| match ix(id) {
            Some(Ent::Street(s)) => s,
            _ => NONE,
        };
        let street_district: Vec<u32> = b
            .streets
            .iter()
            .map(|s| match ix(&s.district) {
                Some(Ent::District(d)) => d,
                _ => NONE,
            })
            .collect();
        let community_street: Vec<u32> =
            b.communities.iter().map(|c| street_of(&c.street)).collect();
        let committee_community: Vec<u32> = b
            .committees
            .iter()
            .map(|k| match ix(&k.community) {
                Some(Ent::Community(c)) => c,
                _ => NONE,
            })
            .collect();
        let enumerate = |v: &Vec<u32>| -> Vec<(u32, u32)> {
            v.iter().enumerate().map(|(i, p)| (*p, i as u32)).collect()
        };
        let (ns, nm, nk) = (b.streets.len(), b.communities.len(), b.committees.len());
        let mut pships = [Vec::new(), Vec::new(), Vec::new()];
        let mut unit_p = Vec::new();
        for (i, p) in b.partnerships.iter().enumerate() {
            let i = i as u32;
            match ix(&p.target) {
                Some(Ent::Street(s)) => pships[0].push((s, i)),
                Some(Ent::Community(c)) => pships[1].push((c, i)),
                Some(Ent::Committee(k)) => pships[2].push((k, i)),
                _ => continue,
            }
            if let Some(Ent::Unit(u)) = ix(&p.unit) {
                unit_p.push((u, i));
            }
        }
        let mut links = [Vec::new(), Vec::new(), Vec::new()];
        let mut mass_l = Vec::new();
        for (i, l) in b.mass_links.iter().enumerate() {
            let i = i as u32;
            match ix(&l.target) {
                Some(Ent::Street(s)) => links[0].push((s, i)),
                Some(Ent::Community(c)) => links[1].push((c, i)),
                Some(Ent::Committee(k)) => links[2].push((k, i)),
                _ => continue,
            }
            if let Some(Ent::MassOrg(m)) = ix(&l.mass_org) {
                mass_l.push((m, i));
            }
        }
        let mut deployed = Vec::new();
        let mut undeployed_by_provider: HashMap<Ent, Vec<u32>> = HashMap::new();
        for (i, r) in b.resources.iter().enumerate() {
            let i = i as u32;
            match &r.deployed_to {
                Some(list) => {
                    for k in list {
                        if let Some(Ent::Committee(k)) = ix(k) {
                            deployed.push((k, i));
                        }
                    }
                }
                None => {
                    if let Some(p) = ix(&r.provider) {
                        undeployed_by_provider.entry(p).or_default().push(i);
                    }
                }
            }
        }
        let mut member_ix: HashMap<&str, u32> = HashMap::with_capacity(b.members.len());
        let mut members_at = Vec::new();
        let mut member_employer = Vec::with_capacity(b.members.len());
        for (i, m) in b.members.iter().enumerate() {
            member_ix.insert(&m.id, i as u32);
            if let Some(Ent::Committee(k)) = m.registered_at.as_deref().and_then(ix) {
                members_at.push((k, i as u32));
            }
            member_employer.push(match m.employer.as_deref().and_then(ix) {
                Some(Ent::Unit(u)) => u,
                _ => NONE,
            });
        }
        let mut vol_at: Vec<Vec<(u32, u32)>> = vec![Vec::new(); nk];
        for (i, v) in b.volunteering.iter().enumerate() {
            if let Some(Ent::Committee(k)) = ix(&v.committee) {
                let m = member_ix.get(v.member.as_str()).copied().unwrap_or(NONE);
                vol_at[k as usize].push((i as u32, m));
            }
        }
        let social = b
            .social_orgs
            .iter()
            .enumerate()
            .map(|(i, s)| (street_of(&s.street), i as u32));
        GraphIndex {
            district_streets: grouped(b.districts.len(), enumerate(&street_district).into_iter()),
            street_communities: grouped(ns, enumerate(&community_street).into_iter()),
            community_committees: grouped(nm, enumerate(&committee_community).into_iter()),
            pships_street: grouped(ns, pships[0].iter().copied()),
            pships_community: grouped(nm, pships[1].iter().copied()),
            pships_committee: grouped(nk, pships[2].iter().copied()),
            unit_pships: grouped(b.units.len(), unit_p.into_iter()),
            links_street: grouped(ns, links[0].iter().copied()),
            links_community: grouped(nm, links[1].iter().copied()),
            links_committee: grouped(nk, links[2].iter().copied()),
            mass_links: grouped(b.mass_orgs.len(), mass_l.into_iter()),
            social_by_street: grouped(ns, social),
            deployed_at: grouped(nk, deployed.into_iter()),
            undeployed_by_provider,
            members_at: grouped(nk, members_at.into_iter()),
            member_employer,
            vol_at,
            positions: Mutex::new(HashMap::new()),
            street_district,
            community_street,
            committee_community,
            ids,
        }
    }

    /// The graph of a scope. `b` must be the bundle the index was built from.
    pub fn graph(&self, b: &Bundle, opts: &GraphOptions) -> Result<GraphDoc, EngineError> {
        Builder::new(self, b, opts)?.run()
    }

    /// Give every node of `doc` (built by [`GraphIndex::graph`] from the same bundle) its
    /// position `x`, `y`. The positions are those of the scope's graph with every link kind
    /// on every date (partnerships whether active or not, volunteering of any year), laid
    /// out by [`crate::graph_layout::layout`]: the same node is at the same place whatever
    /// the date and the kinds asked for. Laid out once per (scope, grouping, folded) and kept.
    pub fn place(&self, b: &Bundle, doc: &mut GraphDoc) -> Result<(), EngineError> {
        let key = (doc.scope.clone(), doc.grouping, doc.aggregated);
        let cached = self
            .positions
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned());
        let positions = match cached {
            Some(p) => p,
            None => {
                let opts = GraphOptions {
                    scope: doc.scope.clone(),
                    as_of: doc.as_of,
                    kinds: LinkKind::ALL.to_vec(),
                    grouping: doc.grouping,
                    aggregate: Some(doc.aggregated),
                };
                let mut builder = Builder::new(self, b, &opts)?;
                builder.any_date = true;
                let every_date = builder.run()?;
                let p = Arc::new(crate::graph_layout::layout(&every_date));
                if let Ok(mut m) = self.positions.lock() {
                    if m.len() >= POSITIONS_KEPT {
                        m.clear();
                    }
                    m.insert(key, p.clone());
                }
                p
            }
        };
        for n in &mut doc.nodes {
            let p = positions.get(&n.id);
            n.x = p.map(|p| p.x);
            n.y = p.map(|p| p.y);
        }
        Ok(())
    }
}

/// Build the graph of a scope in one go (indexes the bundle first; for one-off use such as
/// the CLI).
pub fn build_graph(b: &Bundle, opts: &GraphOptions) -> Result<GraphDoc, EngineError> {
    GraphIndex::new(b).graph(b, opts)
}

/// A drawn hierarchy target (partnerships and mass links may point at it).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Street(u32),
    Community(u32),
    Committee(u32),
}

struct Builder<'a> {
    ix: &'a GraphIndex,
    b: &'a Bundle,
    opts: &'a GraphOptions,
    kinds: [bool; 5],
    nodes: Vec<GraphNode>,
    node_seen: HashSet<String>,
    edges: Vec<GraphEdge>,
    streets: Vec<u32>,
    communities: Vec<u32>,
    committees: Vec<u32>,
    drawn_street: Vec<bool>,
    drawn_community: Vec<bool>,
    drawn_committee: Vec<bool>,
    /// How many nodes the hierarchy takes (they come first).
    hierarchy_len: usize,
    /// The scope is a district or the city.
    wide: bool,
    /// Links of every date: partnerships whether active or not, volunteering of any year
    /// (for positions that do not depend on the date).
    any_date: bool,
}

fn kind_slot(k: LinkKind) -> usize {
    match k {
        LinkKind::Partnership => 0,
        LinkKind::Resource => 1,
        LinkKind::Mass => 2,
        LinkKind::Social => 3,
        LinkKind::Member => 4,
    }
}

impl<'a> Builder<'a> {
    fn new(
        ix: &'a GraphIndex,
        b: &'a Bundle,
        opts: &'a GraphOptions,
    ) -> Result<Builder<'a>, EngineError> {
        let mut kinds = [false; 5];
        for k in &opts.kinds {
            kinds[kind_slot(*k)] = true;
        }
        let mut me = Builder {
            ix,
            b,
            opts,
            kinds,
            nodes: Vec::new(),
            node_seen: HashSet::new(),
            edges: Vec::new(),
            streets: Vec::new(),
            communities: Vec::new(),
            committees: Vec::new(),
            drawn_street: vec![false; b.streets.len()],
            drawn_community: vec![false; b.communities.len()],
            drawn_committee: vec![false; b.committees.len()],
            hierarchy_len: 0,
            wide: false,
            any_date: false,
        };
        let unknown = || EngineError::UnknownScope(opts.scope.clone());
        let mut districts: Vec<u32> = Vec::new();
        if opts.scope == "city" {
            districts = (0..b.districts.len() as u32).collect();
        } else {
            match ix
                .ids
                .get(opts.scope.as_str())
                .copied()
                .ok_or_else(unknown)?
            {
                Ent::District(d) => districts.push(d),
                Ent::Street(s) => me.streets.push(s),
                Ent::Community(c) => {
                    me.streets.push(ix.community_street[c as usize]);
                    me.communities.push(c);
                }
                Ent::Committee(k) => {
                    let c = ix.committee_community[k as usize];
                    me.streets.push(ix.community_street[c as usize]);
                    me.communities.push(c);
                    me.committees.push(k);
                }
                _ => return Err(unknown()),
            }
        }
        me.wide = !districts.is_empty();
        for &d in &districts {
            me.streets.extend(&ix.district_streets[d as usize]);
        }
        if me.communities.is_empty() {
            for &s in &me.streets {
                me.communities.extend(&ix.street_communities[s as usize]);
            }
        }
        if me.committees.is_empty() {
            for &c in &me.communities {
                me.committees.extend(&ix.community_committees[c as usize]);
            }
        }
        me.streets.retain(|&s| s != NONE);
        me.communities.retain(|&c| c != NONE);
        for &d in &districts {
            let row = &b.districts[d as usize];
            me.node(GraphNode::new(&row.id, &row.name, NodeKind::District));
        }
        for &s in &me.streets.clone() {
            me.drawn_street[s as usize] = true;
            let row = &b.streets[s as usize];
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::Street);
            if !districts.is_empty() {
                n.parent = Some(String::from(&row.district));
            }
            n.detail = Some(
                match row.kind {
                    dangjian_model::StreetKind::Street => "街道",
                    dangjian_model::StreetKind::Town => "镇",
                }
                .to_string(),
            );
            me.node(n);
        }
        for &c in &me.communities.clone() {
            me.drawn_community[c as usize] = true;
            let row = &b.communities[c as usize];
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::Community);
            n.parent = Some(String::from(&row.street));
            me.node(n);
        }
        for &k in &me.committees.clone() {
            me.drawn_committee[k as usize] = true;
            let row = &b.committees[k as usize];
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::Committee);
            n.parent = Some(String::from(&row.community));
            n.households = Some(row.households);
            me.node(n);
        }
        me.hierarchy_len = me.nodes.len();
        Ok(me)
    }

    fn on(&self, k: LinkKind) -> bool {
        self.kinds[kind_slot(k)]
    }

    fn node(&mut self, n: GraphNode) {
        if self.node_seen.insert(n.id.clone()) {
            self.nodes.push(n);
        }
    }

    fn targets(&self) -> Vec<Target> {
        self.streets
            .iter()
            .map(|&s| Target::Street(s))
            .chain(self.communities.iter().map(|&c| Target::Community(c)))
            .chain(self.committees.iter().map(|&k| Target::Committee(k)))
            .collect()
    }

    fn target_id(&self, t: Target) -> &'a str {
        match t {
            Target::Street(s) => &self.b.streets[s as usize].id,
            Target::Community(c) => &self.b.communities[c as usize].id,
            Target::Committee(k) => &self.b.committees[k as usize].id,
        }
    }

    fn target_drawn(&self, id: &str) -> bool {
        match self.ix.ids.get(id) {
            Some(Ent::Street(s)) => self.drawn_street[*s as usize],
            Some(Ent::Community(c)) => self.drawn_community[*c as usize],
            Some(Ent::Committee(k)) => self.drawn_committee[*k as usize],
            _ => false,
        }
    }

    fn district_name(&self, street: u32) -> Option<String> {
        let d = *self.ix.street_district.get(street as usize)?;
        self.b.districts.get(d as usize).map(|d| d.name.clone())
    }

    fn unit_node(&mut self, u: u32) -> String {
        let row = &self.b.units[u as usize];
        if !self.node_seen.contains(row.id.as_str()) {
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::Unit);
            n.detail = Some(format!("{} · {}", row.category.label_zh(), row.industry));
            n.area = match self.ix.ids.get(&row.street) {
                Some(Ent::Street(s)) => self.district_name(*s),
                _ => None,
            };
            self.node(n);
        }
        String::from(&row.id)
    }

    fn mass_node(&mut self, m: u32) -> String {
        let row = &self.b.mass_orgs[m as usize];
        if !self.node_seen.contains(row.id.as_str()) {
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::MassOrg);
            n.detail = Some(mass_zh(row.kind).to_string());
            self.node(n);
        }
        String::from(&row.id)
    }

    fn social_node(&mut self, x: u32) -> String {
        let row = &self.b.social_orgs[x as usize];
        if !self.node_seen.contains(row.id.as_str()) {
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::SocialOrg);
            n.detail = Some(
                row.domains
                    .iter()
                    .map(|d| d.label_zh())
                    .collect::<Vec<_>>()
                    .join("、"),
            );
            self.node(n);
        }
        String::from(&row.id)
    }

    fn run(mut self) -> Result<GraphDoc, EngineError> {
        let as_of = self.opts.as_of;
        let (ix, b) = (self.ix, self.b);
        let targets = self.targets();
        let (mut units, mut masses, mut socials): (Vec<u32>, Vec<u32>, Vec<u32>) =
            Default::default();
        for &t in &targets {
            let (pships, links) = match t {
                Target::Street(s) => (&ix.pships_street[s as usize], &ix.links_street[s as usize]),
                Target::Community(c) => (
                    &ix.pships_community[c as usize],
                    &ix.links_community[c as usize],
                ),
                Target::Committee(k) => (
                    &ix.pships_committee[k as usize],
                    &ix.links_committee[k as usize],
                ),
            };
            let tid = self.target_id(t);
            for &p in pships {
                let p = &b.partnerships[p as usize];
                if !self.any_date && !p.is_active(as_of) {
                    continue;
                }
                let Some(Ent::Unit(u)) = ix.ids.get(&p.unit).copied() else {
                    continue;
                };
                units.push(u);
                if self.on(LinkKind::Partnership) {
                    let src = self.unit_node(u);
                    let mut e = GraphEdge::new(&p.id, src, tid, LinkKind::Partnership);
                    e.label = format!("共建 · {} 起", p.signed);
                    e.since = Some(p.signed);
                    e.until = p.expires;
                    self.edges.push(e);
                }
            }
            for &l in links {
                let l = &b.mass_links[l as usize];
                let Some(Ent::MassOrg(m)) = ix.ids.get(&l.mass_org).copied() else {
                    continue;
                };
                masses.push(m);
                if self.on(LinkKind::Mass) {
                    let src = self.mass_node(m);
                    let id = format!("mass:{}>{}>{}", l.mass_org, tid, l.domain.as_str());
                    let mut e = GraphEdge::new(&id, src, tid, LinkKind::Mass);
                    e.label = format!("群团 · {}", l.domain.label_zh());
                    e.domain = Some(l.domain.as_str().to_string());
                    self.edges.push(e);
                }
            }
            if let Target::Street(s) = t {
                for &x in &ix.social_by_street[s as usize] {
                    socials.push(x);
                    if self.on(LinkKind::Social) {
                        let src = self.social_node(x);
                        let id = format!("social:{src}>{tid}");
                        let mut e = GraphEdge::new(&id, src, tid, LinkKind::Social);
                        e.label = "社会组织".to_string();
                        self.edges.push(e);
                    }
                }
            }
        }
        if self.on(LinkKind::Resource) {
            self.resources(&targets, &units, &masses, &socials);
        }
        if self.on(LinkKind::Member) {
            self.members();
        }
        let mut edge_seen = HashSet::with_capacity(self.edges.len());
        self.edges.retain(|e| edge_seen.insert(e.id.clone()));
        self.edges.sort_by(|a, b| {
            (a.kind, &a.source, &a.target, &a.id).cmp(&(b.kind, &b.source, &b.target, &b.id))
        });
        // Hierarchy first (in bundle order), then organisations by kind and id: stable.
        let first_org = self.hierarchy_len.min(self.nodes.len());
        self.nodes[first_org..].sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        let aggregated = self.opts.aggregate.unwrap_or(self.wide);
        if aggregated {
            self.aggregate();
        }
        Ok(GraphDoc {
            as_of,
            scope: self.opts.scope.clone(),
            kinds: self.opts.kinds.clone(),
            grouping: self.opts.grouping,
            aggregated,
            nodes: self.nodes,
            edges: self.edges,
        })
    }

    /// Fold the drawn graph per street: communities and committees into their street, units
    /// into (district, category) groups, social organisations into one group per district,
    /// and the links between the same two nodes summed.
    fn aggregate(&mut self) {
        let (ix, b) = (self.ix, self.b);
        let parent: HashMap<String, Option<String>> = self
            .nodes
            .iter()
            .map(|n| (n.id.clone(), n.parent.clone()))
            .collect();
        let kind_of: HashMap<String, NodeKind> =
            self.nodes.iter().map(|n| (n.id.clone(), n.kind)).collect();
        // Where a node goes: its street (hierarchy below streets), its group (units, social
        // organisations), or itself.
        let mut groups: Vec<GraphNode> = Vec::new();
        let mut members_of: HashMap<String, usize> = HashMap::new();
        let mut to: HashMap<String, String> = HashMap::new();
        for n in &self.nodes {
            let target = match n.kind {
                NodeKind::Committee => parent
                    .get(&n.id)
                    .cloned()
                    .flatten()
                    .and_then(|c| parent.get(&c).cloned().flatten()),
                NodeKind::Community => n.parent.clone(),
                NodeKind::Unit | NodeKind::SocialOrg => {
                    let (district, label) = match ix.ids.get(n.id.as_str()) {
                        Some(Ent::Unit(u)) => {
                            let row = &b.units[*u as usize];
                            let d = match ix.ids.get(&row.street) {
                                Some(Ent::Street(s)) => ix.street_district[*s as usize],
                                _ => NONE,
                            };
                            (d, row.category.label_zh().to_string())
                        }
                        Some(Ent::SocialOrg(x)) => {
                            let row = &b.social_orgs[*x as usize];
                            let d = match ix.ids.get(&row.street) {
                                Some(Ent::Street(s)) => ix.street_district[*s as usize],
                                _ => NONE,
                            };
                            (d, "社会组织".to_string())
                        }
                        _ => (NONE, String::new()),
                    };
                    let (did, dname) = b
                        .districts
                        .get(district as usize)
                        .map(|d| (d.id.as_str(), d.name.as_str()))
                        .unwrap_or(("none", "外区"));
                    let tag = if n.kind == NodeKind::Unit {
                        n.detail
                            .as_deref()
                            .and_then(|d| d.split(" · ").next())
                            .unwrap_or("")
                            .to_string()
                    } else {
                        "social".to_string()
                    };
                    let id = format!("agg:{}:{did}:{tag}", n.kind.as_str());
                    if !members_of.contains_key(&id) {
                        let mut g = GraphNode::new(&id, &format!("{dname}·{label}"), n.kind);
                        g.area = Some(dname.to_string());
                        groups.push(g);
                    }
                    *members_of.entry(id.clone()).or_default() += 1;
                    Some(id)
                }
                _ => None,
            };
            if let Some(t) = target {
                to.insert(n.id.clone(), t);
            }
        }
        let map = |id: &str| to.get(id).cloned().unwrap_or_else(|| id.to_string());
        // Sum the edges between the same two nodes, per kind.
        let mut summed: std::collections::BTreeMap<(LinkKind, String, String), (GraphEdge, u64)> =
            Default::default();
        for e in std::mem::take(&mut self.edges) {
            let (src, tgt) = (map(&e.source), map(&e.target));
            if src == tgt {
                continue;
            }
            let key = (e.kind, src.clone(), tgt.clone());
            let slot = summed.entry(key).or_insert_with(|| {
                let id = format!("agg:{}:{src}>{tgt}", e.kind.as_str());
                (GraphEdge::new(&id, src, tgt, e.kind), 0)
            });
            let add = |a: &mut Option<u64>, b: Option<u64>| {
                if let Some(b) = b {
                    *a = Some(a.unwrap_or(0) + b);
                }
            };
            add(&mut slot.0.members, e.members);
            add(&mut slot.0.volunteers, e.volunteers);
            add(&mut slot.0.units, e.units);
            add(&mut slot.0.resources, e.resources);
            add(&mut slot.0.capacity, e.capacity);
            if let Some(h) = e.hours {
                slot.0.hours = Some(slot.0.hours.unwrap_or(0.0) + h);
            }
            slot.1 += 1;
        }
        self.edges = summed
            .into_values()
            .map(|(mut e, n)| {
                if let Some(h) = e.hours {
                    e.hours = Some((h * 100.0).round() / 100.0);
                }
                e.label = match e.kind {
                    LinkKind::Partnership => format!("共建 {n} 项"),
                    LinkKind::Resource => {
                        format!("资源下沉 {} 项", e.resources.unwrap_or(n))
                    }
                    LinkKind::Mass => format!("群团 {n} 项"),
                    LinkKind::Social => format!("社会组织 {n} 家"),
                    LinkKind::Member => format!(
                        "双报到 {} 人 · 志愿 {} 小时",
                        e.members.unwrap_or(0),
                        fmt_hours(e.hours.unwrap_or(0.0))
                    ),
                };
                e.weight = 1.0
                    + match e.kind {
                        LinkKind::Member => e.members.unwrap_or(0) as f64,
                        LinkKind::Resource => e.resources.unwrap_or(n) as f64,
                        _ => n as f64,
                    };
                e
            })
            .collect();
        for g in &mut groups {
            let n = members_of.get(&g.id).copied().unwrap_or(0);
            g.label = format!("{}（{n} 家）", g.label);
        }
        groups.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        let kept = std::mem::take(&mut self.nodes).into_iter().filter(|n| {
            !matches!(
                kind_of.get(&n.id),
                Some(
                    NodeKind::Committee
                        | NodeKind::Community
                        | NodeKind::Unit
                        | NodeKind::SocialOrg
                )
            )
        });
        let mut nodes: Vec<GraphNode> = kept.collect();
        let first_org = nodes
            .iter()
            .position(|n| !matches!(n.kind, NodeKind::District | NodeKind::Street))
            .unwrap_or(nodes.len());
        nodes.splice(first_org..first_org, groups);
        self.nodes = nodes;
    }

    fn resources(&mut self, targets: &[Target], units: &[u32], masses: &[u32], socials: &[u32]) {
        let (ix, b) = (self.ix, self.b);
        let mut list: Vec<u32> = Vec::new();
        for &k in &self.committees {
            list.extend(&ix.deployed_at[k as usize]);
        }
        let providers = units
            .iter()
            .map(|&u| Ent::Unit(u))
            .chain(masses.iter().map(|&m| Ent::MassOrg(m)))
            .chain(socials.iter().map(|&x| Ent::SocialOrg(x)))
            .chain(targets.iter().filter_map(|t| match *t {
                Target::Street(s) => Some(Ent::Street(s)),
                Target::Community(c) => Some(Ent::Community(c)),
                Target::Committee(_) => None,
            }));
        for p in providers {
            if let Some(rs) = ix.undeployed_by_provider.get(&p) {
                list.extend(rs);
            }
        }
        list.sort_unstable();
        list.dedup();
        type Agg = (u64, u64, Vec<dangjian_model::ServiceDomain>);
        let mut agg: std::collections::BTreeMap<(String, &'a str), Agg> = Default::default();
        for r in list {
            let res = &b.resources[r as usize];
            let provider = ix.ids.get(&res.provider).copied();
            // Where it sinks: its deployed committees, else its provider's drawn targets.
            let mut sinks: Vec<&'a str> = Vec::new();
            match &res.deployed_to {
                Some(ks) => {
                    sinks.extend(ks.iter().map(Id::as_str).filter(|k| self.target_drawn(k)))
                }
                None => match provider {
                    Some(Ent::Unit(u)) => {
                        for &p in &ix.unit_pships[u as usize] {
                            let p = &b.partnerships[p as usize];
                            if (self.any_date || p.is_active(self.opts.as_of))
                                && self.target_drawn(&p.target)
                            {
                                sinks.push(&p.target);
                            }
                        }
                    }
                    Some(Ent::MassOrg(m)) => {
                        for &l in &ix.mass_links[m as usize] {
                            let l = &b.mass_links[l as usize];
                            if self.target_drawn(&l.target) {
                                sinks.push(&l.target);
                            }
                        }
                    }
                    Some(Ent::SocialOrg(x)) => {
                        let s = &b.social_orgs[x as usize].street;
                        if self.target_drawn(s) {
                            sinks.push(s);
                        }
                    }
                    Some(Ent::Street(_)) | Some(Ent::Community(_))
                        if self.target_drawn(&res.provider) =>
                    {
                        sinks.push(&res.provider);
                    }
                    _ => {}
                },
            }
            sinks.sort_unstable();
            sinks.dedup();
            if sinks.is_empty() {
                continue;
            }
            let src = match provider {
                Some(Ent::Unit(u)) => self.unit_node(u),
                Some(Ent::MassOrg(m)) => self.mass_node(m),
                Some(Ent::SocialOrg(x)) => self.social_node(x),
                Some(Ent::Street(_)) | Some(Ent::Community(_))
                    if self.target_drawn(&res.provider) =>
                {
                    String::from(&res.provider)
                }
                _ => continue,
            };
            for t in sinks {
                // A street's or community's own resources sink inside it: no edge to itself.
                if t == src {
                    continue;
                }
                let a = agg.entry((src.clone(), t)).or_default();
                a.0 += 1;
                a.1 += res.capacity;
                if !a.2.contains(&res.domain) {
                    a.2.push(res.domain);
                }
            }
        }
        // One edge per (provider, place): the count, capacity and domains of its resources.
        for ((src, t), (count, capacity, mut domains)) in agg {
            domains.sort();
            let id = format!("res:{src}>{t}");
            let mut e = GraphEdge::new(&id, src, t, LinkKind::Resource);
            let zh: Vec<&str> = domains.iter().map(|d| d.label_zh()).collect();
            e.label = format!("资源下沉 {count} 项 · {}", zh.join("、"));
            e.weight = 1.0 + count as f64;
            e.resources = Some(count);
            e.capacity = Some(capacity);
            e.domain = Some(
                domains
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            );
            self.edges.push(e);
        }
    }

    fn members(&mut self) {
        let as_of = self.opts.as_of;
        let year_ago = as_of
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(Date::MIN);
        let by_unit = self.opts.grouping == MemberGrouping::Unit;
        let (ix, b) = (self.ix, self.b);
        // Group key: the unit (by unit), the district (by district), NONE: no employer given.
        let group_of = |m: u32| -> u32 {
            let u = ix.member_employer.get(m as usize).copied().unwrap_or(NONE);
            if by_unit || u == NONE {
                return u;
            }
            match ix.ids.get(&b.units[u as usize].street) {
                Some(Ent::Street(s)) => ix.street_district[*s as usize],
                _ => NONE,
            }
        };
        #[derive(Default)]
        struct Agg {
            members: u64,
            volunteers: HashSet<u32>,
            hours: f64,
            units: HashSet<u32>,
        }
        for &k in &self.committees.clone() {
            let mut by_group: HashMap<u32, Agg> = HashMap::new();
            for &m in &ix.members_at[k as usize] {
                let a = by_group.entry(group_of(m)).or_default();
                a.members += 1;
                a.units.insert(ix.member_employer[m as usize]);
            }
            for &(row, m) in &ix.vol_at[k as usize] {
                let v = &b.volunteering[row as usize];
                let in_window = year_ago < v.date && v.date <= as_of;
                if !(self.any_date || in_window) {
                    continue;
                }
                let g = if m == NONE { NONE } else { group_of(m) };
                let a = by_group.entry(g).or_default();
                a.hours += v.hours;
                if m != NONE {
                    if v.hours > 0.0 {
                        a.volunteers.insert(m);
                    }
                    a.units.insert(ix.member_employer[m as usize]);
                }
            }
            let mut groups: Vec<(u32, Agg)> = by_group.into_iter().collect();
            groups.sort_by_key(|(g, _)| *g);
            let kid = b.committees[k as usize].id.clone();
            for (g, a) in groups {
                if a.members == 0 && a.hours <= 0.0 {
                    continue;
                }
                let src = if g == NONE {
                    self.node(GraphNode {
                        detail: Some("在职党员未填工作单位".to_string()),
                        ..GraphNode::new("grp:none", "未填单位", NodeKind::UnitGroup)
                    });
                    "grp:none".to_string()
                } else if by_unit {
                    self.unit_node(g)
                } else {
                    let d = &b.districts[g as usize];
                    let id = format!("grp:{}", d.id);
                    self.node(GraphNode {
                        detail: Some(format!("工作单位在{}的在职党员", d.name)),
                        area: Some(d.name.clone()),
                        ..GraphNode::new(&id, &format!("{}单位", d.name), NodeKind::UnitGroup)
                    });
                    id
                };
                let id = format!("member:{src}>{kid}");
                let mut e = GraphEdge::new(&id, src, &kid, LinkKind::Member);
                let volunteers = a.volunteers.len() as u64;
                let hours = (a.hours * 100.0).round() / 100.0;
                e.label = format!("双报到 {} 人 · 志愿 {} 小时", a.members, fmt_hours(hours));
                e.weight = 1.0 + a.members as f64 + hours / 100.0;
                e.members = Some(a.members);
                e.volunteers = Some(volunteers);
                e.hours = Some(hours);
                if !by_unit && g != NONE {
                    e.units = Some(a.units.iter().filter(|&&u| u != NONE).count() as u64);
                }
                self.edges.push(e);
            }
        }
    }
}

fn fmt_hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h}")
    }
}

impl GraphNode {
    fn new(id: &str, label: &str, kind: NodeKind) -> GraphNode {
        GraphNode {
            id: id.to_string(),
            label: label.to_string(),
            kind,
            parent: None,
            detail: None,
            area: None,
            households: None,
            capacity: None,
            x: None,
            y: None,
        }
    }
}

impl GraphEdge {
    fn new(id: &str, source: String, target: impl Into<String>, kind: LinkKind) -> GraphEdge {
        GraphEdge {
            id: id.to_string(),
            source,
            target: target.into(),
            kind,
            label: kind.label_zh().to_string(),
            weight: 1.0,
            members: None,
            volunteers: None,
            hours: None,
            resources: None,
            capacity: None,
            units: None,
            since: None,
            until: None,
            domain: None,
        }
    }
}

/// A mass organisation's detail line: its type's label ([`MassOrgType::label_zh`]), the
/// catch-all type named 其他群团 so it reads on its own beside a node.
fn mass_zh(t: MassOrgType) -> &'static str {
    match t {
        MassOrgType::Other => "其他群团",
        t => t.label_zh(),
    }
}

/// Escape text for an XML attribute or element.
fn xml(s: &str) -> String {
    crate::dot::escape_markup(s, "&apos;", |c, out| match c {
        // Characters XML 1.0 cannot carry at all.
        c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
        c => out.push(c),
    })
}

/// The node attributes written to GraphML and GEXF: (key, type, value).
fn node_attrs(n: &GraphNode) -> Vec<(&'static str, &'static str, String)> {
    let mut v = vec![("kind", "string", n.kind.as_str().to_string())];
    if let Some(p) = &n.parent {
        v.push(("parent", "string", p.clone()));
    }
    if let Some(d) = &n.detail {
        v.push(("detail", "string", d.clone()));
    }
    if let Some(a) = &n.area {
        v.push(("area", "string", a.clone()));
    }
    if let Some(h) = n.households {
        v.push(("households", "long", h.to_string()));
    }
    if let Some(c) = n.capacity {
        v.push(("capacity", "long", c.to_string()));
    }
    v
}

fn edge_attrs(e: &GraphEdge) -> Vec<(&'static str, &'static str, String)> {
    let mut v = vec![
        ("kind", "string", e.kind.as_str().to_string()),
        ("kind_zh", "string", e.kind.label_zh().to_string()),
    ];
    if let Some(x) = e.members {
        v.push(("members", "long", x.to_string()));
    }
    if let Some(x) = e.volunteers {
        v.push(("volunteers", "long", x.to_string()));
    }
    if let Some(x) = e.hours {
        v.push(("hours", "double", x.to_string()));
    }
    if let Some(x) = e.resources {
        v.push(("resources", "long", x.to_string()));
    }
    if let Some(x) = e.capacity {
        v.push(("capacity", "long", x.to_string()));
    }
    if let Some(x) = e.units {
        v.push(("units", "long", x.to_string()));
    }
    if let Some(x) = e.since {
        v.push(("since", "string", x.to_string()));
    }
    if let Some(x) = e.until {
        v.push(("until", "string", x.to_string()));
    }
    if let Some(x) = &e.domain {
        v.push(("domain", "string", x.clone()));
    }
    v
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
    attrs: fn(&T) -> Vec<(&'static str, &'static str, String)>,
    open: impl Fn(&mut String, &T),
    attr: impl Fn(&str, &str) -> String,
    close: impl Fn(&mut String, &T),
) {
    for item in items {
        open(s, item);
        for (k, _, v) in attrs(item) {
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
    fn link_kinds_parse_as_lists() {
        assert_eq!(LinkKind::parse_list("").ok(), Some(LinkKind::ALL.to_vec()));
        assert_eq!(
            LinkKind::parse_list("member, partnership,member").ok(),
            Some(vec![LinkKind::Partnership, LinkKind::Member])
        );
        let err = LinkKind::parse_list("partnership,friends").expect_err("unknown kind");
        assert!(err.contains("`friends`"), "{err}");
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("x\u{1}y"), "x y");
    }
}
