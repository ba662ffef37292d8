//! The graph engine: builds a petgraph graph from a bundle and computes coverage, gaps
//! (resource sinking), responsibility checklists, what-if, brokers and areas (SPEC §3).
//! Architecture invariant: the engine does no I/O; it takes a `Bundle` and returns documents.

mod allocation;
mod checklist;
mod coverage;
mod flow;
mod gaps;
mod ids;
mod incremental;
mod index;
mod reach;
mod structure;
mod whatif;

pub use checklist::*;
pub use structure::*;
pub use whatif::*;

use dangjian_model::{Bundle, Committee, Id};
use index::{Ent, Index};

/// Errors the analytics report for bad arguments (the bundle itself is already valid).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The scope is neither `city` nor a district, street, community or committee id.
    #[error("unknown scope `{0}`: use `city` or a district, street, community or committee id")]
    UnknownScope(String),
    /// No party org has this id.
    #[error("unknown party org `{0}`")]
    UnknownPartyOrg(String),
    /// No unit has this id.
    #[error("unknown unit `{0}`")]
    UnknownUnit(String),
    /// No partnership has this id.
    #[error("unknown partnership `{0}`")]
    UnknownPartnership(String),
}

/// Where an entity sits in the hierarchy (for access control): the district, street,
/// community and committee, as far down as the entity goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    pub district: Option<Id>,
    pub street: Option<Id>,
    pub community: Option<Id>,
    pub committee: Option<Id>,
}

/// A built engine over one validated network. Cheap to query many times; build once per
/// stored network version, then derive the next version of a row write with
/// [`Engine::with_rows`] (incremental: see `incremental.rs`).
#[derive(Debug)]
pub struct Engine {
    bundle: Bundle,
    index: Index,
    /// The city's fair allocation per `as_of` (and domain), computed on first use.
    allocations: allocation::AllocationCache,
}

/// Networks with more rows than this are freed on a thread of their own when their engine is
/// dropped (millions of strings take a second to free, and the last holder of an old version
/// may be a request or the write that replaced it).
const DROP_ELSEWHERE_ROWS: usize = 50_000;

impl Drop for Engine {
    fn drop(&mut self) {
        if self.bundle.row_count() > DROP_ELSEWHERE_ROWS {
            let bundle = std::mem::take(&mut self.bundle);
            // If no thread can be started, the bundle is freed here, as it would have been.
            let _ = std::thread::Builder::new()
                .name("engine-drop".into())
                .spawn(move || drop(bundle));
        }
    }
}

impl Engine {
    /// Build the engine (indexes and the committee adjacency graph) from a validated bundle.
    pub fn new(bundle: Bundle) -> Engine {
        let index = Index::build(&bundle);
        Engine {
            bundle,
            index,
            allocations: allocation::AllocationCache::default(),
        }
    }

    /// The network the engine was built from.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The committees under a scope (`city`, or a district, street, community or committee id),
    /// in bundle order.
    pub fn scope_committees(&self, scope: &str) -> Result<Vec<&Committee>, EngineError> {
        let s = self.resolve_scope(scope)?;
        Ok(self
            .scope_committee_indexes(s)
            .into_iter()
            .map(|k| &self.bundle.committees[k as usize])
            .collect())
    }

    /// The committee adjacency (地域相邻) as a petgraph graph; node weight and node index are
    /// the committee's row index in `bundle().committees`.
    pub fn adjacency_graph(&self) -> &petgraph::graph::UnGraph<u32, ()> {
        &self.index.adjacency_graph
    }

    /// Where an entity sits: districts, streets, communities and committees (their chain),
    /// units and social orgs (their street), party orgs (what they lead), members (their
    /// `registered_at` committee, else their employer's street), needs and projects (their
    /// committee), resources (their provider), partnerships (their target), responsibilities
    /// (their party org). `None` for unknown ids and for mass orgs (city-wide).
    pub fn place_of(&self, id: &str) -> Option<Place> {
        self.place_depth(id, 0)
    }

    fn place_depth(&self, id: &str, depth: u32) -> Option<Place> {
        if depth > 64 {
            return None;
        }
        let b = &self.bundle;
        let ix = &self.index;
        let street_place = |s: u32| {
            let st = b.streets.get(s as usize)?;
            Some(Place {
                district: Some(st.district.clone()),
                street: Some(st.id.clone()),
                community: None,
                committee: None,
            })
        };
        let community_place = |c: u32| {
            let cm = b.communities.get(c as usize)?;
            let mut p = street_place(ix.community_street[c as usize]).unwrap_or_default();
            p.street = Some(cm.street.clone());
            p.community = Some(cm.id.clone());
            Some(p)
        };
        let committee_place = |k: u32| {
            let cm = b.committees.get(k as usize)?;
            let mut p = community_place(ix.committee_community[k as usize]).unwrap_or_default();
            p.community = Some(cm.community.clone());
            p.committee = Some(cm.id.clone());
            Some(p)
        };
        let street_id = |sid: &str| match ix.ids.get(sid) {
            Some(Ent::Street(s)) => street_place(*s),
            _ => None,
        };
        match *ix.ids.get(id)? {
            Ent::District(d) => Some(Place {
                district: Some(b.districts[d as usize].id.clone()),
                ..Place::default()
            }),
            Ent::Street(s) => street_place(s),
            Ent::Community(c) => community_place(c),
            Ent::Committee(k) => committee_place(k),
            Ent::Unit(u) => street_id(&b.units[u as usize].street),
            Ent::SocialOrg(o) => street_id(&b.social_orgs[o as usize].street),
            Ent::MassOrg(_) => None,
            Ent::PartyOrg(p) => self.place_depth(&b.party_orgs[p as usize].leads, depth + 1),
            Ent::Member(m) => {
                let m = &b.members[m as usize];
                if let Some(r) = &m.registered_at {
                    return self.place_depth(r, depth + 1);
                }
                self.place_depth(m.employer.as_deref()?, depth + 1)
            }
            Ent::Need(n) => self.place_depth(&b.needs[n as usize].committee, depth + 1),
            Ent::Project(p) => self.place_depth(&b.projects[p as usize].committee, depth + 1),
            Ent::Resource(r) => self.place_depth(&b.resources[r as usize].provider, depth + 1),
            Ent::Partnership(p) => self.place_depth(&b.partnerships[p as usize].target, depth + 1),
            Ent::Responsibility(r) => {
                self.place_depth(&b.responsibilities[r as usize].party_org, depth + 1)
            }
        }
    }
}
