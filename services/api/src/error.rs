//! One error type for every handler: bad input becomes a 4xx with details, internals an opaque,
//! logged 500 (`{"error": {"code", "message", "details"}}`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dangjian_engine::EngineError;
use dangjian_model::{Problem, Problems, StoreError};
use serde_json::json;

/// The challenge of a 401 (RFC 6750 §3): a bearer token for this service.
pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"dangjian\"";

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed: bad JSON syntax, a bad query parameter (400).
    #[error("{0}")]
    BadRequest(String),
    /// The data would make the network invalid, or a body has wrong fields or types (422).
    #[error("{message}")]
    Invalid {
        /// Summary.
        message: String,
        /// One entry per problem, with table, location and field.
        problems: Vec<Problem>,
    },
    /// An uploaded workbook or CSV archive has problems (422): each is answered with its sheet,
    /// row, field and a Chinese message ([`crate::routes::upload::problem_json`]).
    #[error("the uploaded file has {} problem(s)", .0.len())]
    Upload(Vec<Problem>),
    /// No token, an unknown or a revoked one (401).
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// The token's role or scope does not allow this (403).
    #[error("{0}")]
    Forbidden(String),
    /// An upload the token's role or scope does not allow (403): answered, like the upload's
    /// other messages, in Chinese (`message`) with the English kept as `message_en`
    /// ([`crate::routes::upload::zh_message`]).
    #[error("{0}")]
    UploadForbidden(String),
    /// No such resource (404).
    #[error("{0}")]
    NotFound(String),
    /// The id exists already (409).
    #[error("{0}")]
    Conflict(String),
    /// The row changed since the version the request was based on (412).
    #[error("{0}")]
    PreconditionFailed(String),
    /// The body is larger than the configured limit (413).
    #[error("the request body is larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// Expensive work is at its concurrency limit (503 with `Retry-After`).
    #[error("{0}")]
    Busy(String),
    /// Something failed inside the service; logged, never shown (500).
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The status code this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } | AppError::Upload(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::UploadForbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code in the body.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid { .. } | AppError::Upload(_) => "invalid",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) | AppError::UploadForbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::PreconditionFailed(_) => "precondition_failed",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Busy(_) => "busy",
            AppError::Internal(_) => "internal",
        }
    }

    /// A 422 from a list of problems.
    pub fn invalid(problems: Problems) -> AppError {
        AppError::Invalid {
            message: format!(
                "the network would be invalid: {} problem(s)",
                problems.0.len()
            ),
            problems: problems.0,
        }
    }

    /// A 422 for one problem in a request body.
    pub fn invalid_body(table: &str, field: Option<String>, message: String) -> AppError {
        AppError::Invalid {
            message: format!("invalid request body: {message}"),
            problems: vec![Problem {
                table: table.to_string(),
                location: "request body".to_string(),
                id: None,
                field,
                message,
            }],
        }
    }

    /// A 403 for an id outside the caller's subtree: the same answer whether or not the id
    /// exists, and nothing about what holds it.
    pub fn outside(what: &str) -> AppError {
        AppError::Forbidden(format!("`{what}` is outside the scope of this token"))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(p) => AppError::invalid(p),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Cancelled => {
                AppError::Busy("the computation was stopped before it finished".into())
            }
            other => AppError::NotFound(other.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Internal(format!("background task failed: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Upload(problems) => return crate::routes::upload::upload_response(problems),
            AppError::UploadForbidden(en) => {
                let body = json!({"error": {
                    "code": self.code(),
                    "message": crate::routes::upload::zh_message(en, ""),
                    "message_en": en,
                    "details": [],
                }});
                return (self.status(), axum::Json(body)).into_response();
            }
            _ => {}
        }
        let status = self.status();
        let (message, details) = match &self {
            AppError::Internal(detail) => {
                // The span around the request carries the request id.
                tracing::error!(error = %detail, "internal error");
                ("internal error; see the service log".to_string(), json!([]))
            }
            AppError::Invalid { message, problems } => (
                message.clone(),
                serde_json::to_value(problems).unwrap_or_else(|_| json!([])),
            ),
            other => (other.to_string(), json!([])),
        };
        let body = json!({"error": {"code": self.code(), "message": message, "details": details}});
        let mut res = (status, axum::Json(body)).into_response();
        match self {
            AppError::Busy(_) => {
                res.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("1"),
                );
            }
            // RFC 6750 §3: a 401 names the scheme that would be accepted.
            AppError::Unauthorized => {
                res.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static(WWW_AUTHENTICATE),
                );
            }
            _ => {}
        }
        res
    }
}
