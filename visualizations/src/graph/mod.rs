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
//! street's document is a few milliseconds. Here: the index and the builder; `doc.rs` the
//! document types, `layout.rs` the positions, `export.rs` GraphML and GEXF.

use dangjian_engine::EngineError;
use dangjian_model::{Bundle, Date, Id, MassOrgType};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::{Arc, Mutex};

mod doc;
mod export;
pub mod layout;

pub use doc::{GraphDoc, GraphEdge, GraphNode, GraphOptions, LinkKind, MemberGrouping, NodeKind};
pub use export::{to_gexf, to_graphml, xml as xml_text};

/// Fewest members or volunteers a 双报到 link from one employer may stand for in what a
/// non-admin reads (see [`GraphDoc::fold_small_member_groups`]).
pub const MIN_MEMBER_GROUP: u64 = 3;

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
    /// Partnerships by target and by unit.
    pships_at: ByPlace,
    unit_pships: Vec<Vec<u32>>,
    /// Mass links by target and by mass org.
    links_at: ByPlace,
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
type Positions = HashMap<String, layout::Point>;

/// At most this many scopes' positions are kept per network.
const POSITIONS_KEPT: usize = 512;

/// Rows by the street, community or committee they name, in row order.
#[derive(Debug)]
struct ByPlace {
    street: Vec<Vec<u32>>,
    community: Vec<Vec<u32>>,
    committee: Vec<Vec<u32>>,
}

impl ByPlace {
    /// Groups `(place, row)` pairs over `n` = [streets, communities, committees].
    fn group(n: [usize; 3], pairs: Vec<(Target, u32)>) -> ByPlace {
        let at = |level: usize| {
            pairs.iter().filter_map(move |&(t, row)| match (level, t) {
                (0, Target::Street(x)) | (1, Target::Community(x)) | (2, Target::Committee(x)) => {
                    Some((x, row))
                }
                _ => None,
            })
        };
        ByPlace {
            street: grouped(n[0], at(0)),
            community: grouped(n[1], at(1)),
            committee: grouped(n[2], at(2)),
        }
    }

    fn get(&self, t: Target) -> &[u32] {
        match t {
            Target::Street(s) => &self.street[s as usize],
            Target::Community(c) => &self.community[c as usize],
            Target::Committee(k) => &self.committee[k as usize],
        }
    }
}

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
        let place = |id: &str| match ix(id) {
            Some(Ent::Street(s)) => Some(Target::Street(s)),
            Some(Ent::Community(c)) => Some(Target::Community(c)),
            Some(Ent::Committee(k)) => Some(Target::Committee(k)),
            _ => None,
        };
        let (mut pships, mut unit_p) = (Vec::new(), Vec::new());
        for (i, p) in b.partnerships.iter().enumerate() {
            let Some(t) = place(&p.target) else { continue };
            pships.push((t, i as u32));
            if let Some(Ent::Unit(u)) = ix(&p.unit) {
                unit_p.push((u, i as u32));
            }
        }
        let (mut links, mut mass_l) = (Vec::new(), Vec::new());
        for (i, l) in b.mass_links.iter().enumerate() {
            let Some(t) = place(&l.target) else { continue };
            links.push((t, i as u32));
            if let Some(Ent::MassOrg(m)) = ix(&l.mass_org) {
                mass_l.push((m, i as u32));
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
            pships_at: ByPlace::group([ns, nm, nk], pships),
            unit_pships: grouped(b.units.len(), unit_p.into_iter()),
            links_at: ByPlace::group([ns, nm, nk], links),
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
    /// out by [`layout::layout`]: the same node is at the same place whatever
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
                let p = Arc::new(layout::layout(&every_date));
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

    /// The node `id`, made by `make` the first time it is asked for; its id.
    fn node_once(&mut self, id: &str, make: impl FnOnce(&Self) -> GraphNode) -> String {
        if !self.node_seen.contains(id) {
            let n = make(self);
            self.node(n);
        }
        id.to_owned()
    }

    fn unit_node(&mut self, u: u32) -> String {
        let row = &self.b.units[u as usize];
        self.node_once(&row.id, |me| {
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::Unit);
            n.detail = Some(format!("{} · {}", row.category.label_zh(), row.industry));
            n.area = match me.ix.ids.get(&row.street) {
                Some(Ent::Street(s)) => me.district_name(*s),
                _ => None,
            };
            n
        })
    }

    fn mass_node(&mut self, m: u32) -> String {
        let row = &self.b.mass_orgs[m as usize];
        self.node_once(&row.id, |_| {
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::MassOrg);
            n.detail = Some(mass_zh(row.kind).to_string());
            n
        })
    }

    fn social_node(&mut self, x: u32) -> String {
        let row = &self.b.social_orgs[x as usize];
        self.node_once(&row.id, |_| {
            let mut n = GraphNode::new(&row.id, &row.name, NodeKind::SocialOrg);
            n.detail = Some(
                row.domains
                    .iter()
                    .map(|d| d.label_zh())
                    .collect::<Vec<_>>()
                    .join("、"),
            );
            n
        })
    }

    fn run(mut self) -> Result<GraphDoc, EngineError> {
        let as_of = self.opts.as_of;
        let (ix, b) = (self.ix, self.b);
        let targets = self.targets();
        let (mut units, mut masses, mut socials): (Vec<u32>, Vec<u32>, Vec<u32>) =
            Default::default();
        for &t in &targets {
            let (pships, links) = (ix.pships_at.get(t), ix.links_at.get(t));
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

pub(crate) fn fmt_hours(h: f64) -> String {
    if h.fract() == 0.0 {
        format!("{h:.0}")
    } else {
        format!("{h}")
    }
}

impl GraphDoc {
    /// For a reader who may not see employers or one person's hours (everyone but an admin):
    /// every 双报到 link from an employer unit or district standing for fewer than `min`
    /// members and fewer than `min` volunteers is folded, per committee, into one link from
    /// the node `grp:few` (少于 `min` 人的单位) — otherwise a link with one volunteer ties that
    /// person's hours, which the volunteering table lists per member, to their employer. Nodes
    /// that had links and have none left go too.
    pub fn fold_small_member_groups(&mut self, min: u64) {
        let small = |e: &GraphEdge| {
            e.kind == LinkKind::Member
                && e.source != "grp:none"
                && e.members.unwrap_or(0) < min
                && e.volunteers.unwrap_or(0) < min
        };
        if !self.edges.iter().any(small) {
            return;
        }
        let linked = |edges: &[GraphEdge]| -> std::collections::HashSet<String> {
            edges
                .iter()
                .flat_map(|e| [e.source.clone(), e.target.clone()])
                .collect()
        };
        let before = linked(&self.edges);
        let position: std::collections::HashMap<&str, (Option<f64>, Option<f64>)> = self
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), (n.x, n.y)))
            .collect();
        let few = "grp:few".to_string();
        let mut at = None;
        let mut folded: std::collections::BTreeMap<String, GraphEdge> = Default::default();
        let mut kept = Vec::with_capacity(self.edges.len());
        for e in std::mem::take(&mut self.edges) {
            if !small(&e) {
                kept.push(e);
                continue;
            }
            at = at.or_else(|| position.get(e.source.as_str()).copied());
            let f = folded.entry(e.target.clone()).or_insert_with(|| {
                let mut f = GraphEdge::new(
                    &format!("member:{few}>{}", e.target),
                    few.clone(),
                    e.target.clone(),
                    LinkKind::Member,
                );
                f.members = Some(0);
                f.volunteers = Some(0);
                f.hours = Some(0.0);
                f.units = Some(0);
                f
            });
            f.members = Some(f.members.unwrap_or(0) + e.members.unwrap_or(0));
            f.volunteers = Some(f.volunteers.unwrap_or(0) + e.volunteers.unwrap_or(0));
            f.hours = Some(f.hours.unwrap_or(0.0) + e.hours.unwrap_or(0.0));
            f.units = Some(f.units.unwrap_or(0) + e.units.unwrap_or(1));
        }
        for mut f in folded.into_values() {
            let (members, hours) = (
                f.members.unwrap_or(0),
                (f.hours.unwrap_or(0.0) * 100.0).round() / 100.0,
            );
            f.hours = Some(hours);
            f.label = format!("双报到 {members} 人 · 志愿 {} 小时", fmt_hours(hours));
            f.weight = 1.0 + members as f64 + hours / 100.0;
            kept.push(f);
        }
        self.edges = kept;
        let after = linked(&self.edges);
        self.nodes
            .retain(|n| !before.contains(&n.id) || after.contains(&n.id));
        let (x, y) = at.unwrap_or((None, None));
        self.nodes.push(GraphNode {
            detail: Some(format!(
                "每个单位在该居委会少于 {min} 名在职党员和志愿者：合并显示，不列单位名，以免推知个人的工作单位"
            )),
            x,
            y,
            ..GraphNode::new(&few, &format!("少于{min}人的单位"), NodeKind::UnitGroup)
        });
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
