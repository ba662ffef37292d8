//! The HTTP service: axum router, bearer-token access control (SPEC §6), the `/api/v1`
//! endpoints (SPEC §4) with their OpenAPI document, metrics and graceful shutdown.
//!
//! Architecture invariant: only this crate knows HTTP. Handlers are thin: they check access,
//! call the engine on the current snapshot, and serialise the model's documents.
//!
//! - Reads take the current [`state::Snapshot`] (engine + place index + response cache) by
//!   `Arc`; writes are serialised by one lock, validate the merged whole, write the store in one
//!   transaction, build a new snapshot and swap it in, so a reader never sees half a write.
//! - Access (SPEC §6) lives in [`access`]: coordinators are confined to their street or
//!   district (reads default to it, anything outside is 403, analytics documents are redacted
//!   of foreign ids), viewers read members masked and cannot write.
//! - `/api/docs` is a small self-contained HTML page that lists the endpoints from
//!   `/api/v1/openapi.json`; it loads nothing remote. (`utoipa-swagger-ui` downloads the
//!   Swagger UI assets at build time, which an offline build cannot do.)
//! - Logs carry method, path (never the query string), status, latency and request id; never
//!   the `Authorization` header, bodies or member names.

pub mod access;
pub mod bounded;
pub mod config;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod personal;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod view;
pub mod web;

/// Token creation and hashing live beside the `Store` seam in the model.
pub use dangjian_model::tokens;

pub use access::Caller;
pub use config::ServeConfig;
pub use error::AppError;
pub use startup::{Application, ServeError, app, shutdown_signal};
pub use state::AppState;
