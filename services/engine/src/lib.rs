//! The graph engine: builds a petgraph graph from a bundle and computes coverage, gaps
//! (resource sinking), responsibility checklists, what-if, brokers and areas (SPEC §3).
//! Architecture invariant: the engine does no I/O; it takes a `Bundle` and returns documents.

mod checklist;
mod coverage;
mod gaps;
mod structure;
mod whatif;

pub use checklist::*;
pub use structure::*;
pub use whatif::*;

use dangjian_model::{Bundle, Date};

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

/// A built engine over one validated network. Cheap to query many times; build once per
/// stored network version.
pub struct Engine {
    bundle: Bundle,
}

impl Engine {
    /// Build the engine (indexes and graph) from a validated bundle.
    pub fn new(bundle: Bundle) -> Engine {
        Engine { bundle }
    }

    /// The network the engine was built from.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }
}

#[allow(dead_code)]
fn _assert_date(_: Date) {}
