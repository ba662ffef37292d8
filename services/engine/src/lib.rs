//! The graph engine: indexes a bundle as graphs (id tables, CSR groupings, petgraph for the
//! committee adjacency and the reach graph) and computes coverage, gaps (resource sinking), responsibility checklists,
//! what-if, brokers and areas (SPEC §3).
//! Architecture invariant: the engine does no I/O; it takes a `Bundle` and returns documents.

mod allocation;
mod checklist;
mod coverage;
mod flow;
mod gaps;
mod ids;
mod incremental;
mod index;
mod placement;
mod reach;
mod structure;
mod trend;
mod whatif;

pub use checklist::*;
pub use structure::*;
pub use trend::*;
pub use whatif::*;

use dangjian_model::{Bundle, Committee, Id};
use index::Index;

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
    /// The computation was cancelled through its [`Cancel`] flag before it finished.
    #[error("the computation was cancelled")]
    Cancelled,
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
    /// Streets each unit's partnerships target, built on first use (access control only).
    unit_streets: std::sync::OnceLock<placement::UnitStreets>,
}

/// Networks with more rows than this are freed on a thread of their own when their engine is
/// dropped (millions of strings take a second to free, and the last holder of an old version
/// may be a request or the write that replaced it).
const DROP_ELSEWHERE_ROWS: usize = 50_000;

impl Drop for Engine {
    fn drop(&mut self) {
        // Tables shared with other versions are only released here (at once: a writer may be
        // waiting to reuse them, see `Bundle::from_spares`); only rows this engine owns alone
        // are worth a thread.
        if self.bundle.owned_rows() > DROP_ELSEWHERE_ROWS {
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
            unit_streets: std::sync::OnceLock::new(),
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
}
