//! The HTTP service: axum router, bearer-token access control (SPEC §6), the `/api/v1`
//! endpoints (SPEC §4) with their OpenAPI document, metrics and graceful shutdown.
//!
//! Architecture invariant: only this crate knows HTTP. Handlers are thin: they check access,
//! call the engine on the current snapshot, and serialise the model's documents.

pub mod access;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tokens;
pub mod web;
pub mod xlsx;

pub use access::Caller;
pub use error::AppError;
pub use startup::{Application, ServeConfig, ServeError, app, shutdown_signal};
pub use state::AppState;
