//! The HTTP service: axum router, access control, OpenAPI.
