//! The domain model of Dangjian Graph: the network bundle (SPEC §2), the documents the
//! analytics return (SPEC §3 "Outputs"), validation problems, and the `Store` seam every
//! storage backend implements. This crate does no I/O.

pub mod bundle;
pub mod documents;
pub mod formula;
pub mod id;
pub mod labels;
pub mod merge;
pub mod params;
pub mod person;
pub mod problem;
pub mod registry;
pub mod store;
pub mod table;
pub mod today;
pub mod tokens;
pub mod validate;

pub use bundle::*;
pub use documents::*;
pub use formula::{guard_formula, guard_table_cell, unguard_formula};
pub use merge::{Delta, Locate};
pub use person::mask_name;
pub use problem::{Problem, Problems};
pub use store::{
    ChangeEntry, ChangeFilter, Commit, Expect, RowChange, RowVersions, Store, StoreError,
    TokenInfo, TokenRole, WriteKind,
};
pub use table::Table;
pub use today::today;
pub use validate::{
    Kind, MAX_CAPACITY, MAX_DEMAND, MAX_HOURS_PER_ROW, RESERVED_IDS, validate, validation_problems,
};
