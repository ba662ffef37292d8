//! Building and running the service: configuration, the router with its middleware (request
//! ids, tracing without personal data, body limit, timeout, metrics), binding and graceful
//! shutdown.

use crate::config::ServeConfig;
use crate::routes;
use crate::state::AppState;
use crate::telemetry;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, Response, StatusCode};
use dangjian_model::{Store, StoreError};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address could not be bound or the server failed.
    #[error("cannot serve on {addr}: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole router with its middleware.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config().body_limit;
    let timeout = state.config().request_timeout;
    telemetry::install();
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let request_id = req
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The route only (`/api/v1/members/{id}`): paths, query strings and
                    // bodies may carry names, headers carry tokens.
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("(no route)", axum::extract::MatchedPath::as_str);
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %route,
                        request_id = %request_id,
                    )
                })
                .on_request(())
                .on_response(|res: &Response<_>, latency: Duration, _: &Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = latency.as_secs_f64() * 1000.0,
                        "response"
                    );
                })
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    routes::router(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(layers)
}

/// A bound, ready-to-run service.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    addr: SocketAddr,
}

impl Application {
    /// Load the store, build the engine and bind `config.addr` (port 0 allowed).
    pub async fn build(store: Arc<dyn Store>, config: ServeConfig) -> Result<Self, ServeError> {
        let state = AppState::load(store, config.clone()).await?;
        Self::with_state(state).await
    }

    /// Bind for an existing state.
    pub async fn with_state(state: AppState) -> Result<Self, ServeError> {
        let want = state.config().addr;
        let listener = tokio::net::TcpListener::bind(want)
            .await
            .map_err(|source| ServeError::Io { addr: want, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ServeError::Io { addr: want, source })?;
        tracing::info!(%addr, store = %state.store().describe(), "listening");
        Ok(Application {
            listener,
            router: app(state),
            addr,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serve until Ctrl-C or SIGTERM, then finish the requests in flight.
    pub async fn run_until_stopped(self) -> Result<(), ServeError> {
        self.run_until(shutdown_signal()).await
    }

    /// Serve until `shutdown` completes, then finish the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let addr = self.addr;
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|source| ServeError::Io { addr, source })
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
