//! How the service runs: the address, limits, timeouts and cache lifetimes that the
//! start-up (router, binding) and the application state read.

use std::net::SocketAddr;
use std::time::Duration;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Largest request body in bytes (a whole-network import is the largest).
    pub body_limit: usize,
    /// Longest a request may take before it is answered with 408.
    pub request_timeout: Duration,
    /// How long token records are cached before the store is asked again (revocations take
    /// effect within this time).
    pub token_cache_ttl: Duration,
    /// Expensive computations at once (analytics cache misses, brokers, what-if, diagrams);
    /// viewers share half of them. Past it: 503 with `Retry-After` ([`crate::bounded`]).
    pub heavy_permits: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit: 64 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            token_cache_ttl: Duration::from_secs(5),
            heavy_permits: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .max(2),
        }
    }
}
