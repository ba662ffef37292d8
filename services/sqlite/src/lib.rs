//! The embedded default store: one SQLite file through rusqlite (SPEC §5).
//!
//! [`SqliteStore`] implements [`dangjian_model::Store`]. The schema has one table per bundle
//! table with real columns (see `migrations/0001_initial.sql`): list fields (`skills`,
//! `domains`, `deployed_to`, project `needs`/`resources`) are JSON arrays in TEXT columns,
//! dates are `YYYY-MM-DD` TEXT, and a `row_order` rowid keeps rows in their bundle order.
//! Every write is one transaction, so a killed process never leaves half a network behind.

mod changes;
mod codec;
mod errors;
mod schema;
mod store;
mod tables;

pub use schema::{APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION};
pub use store::SqliteStore;
