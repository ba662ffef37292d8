//! Progress reports of long store operations (imports, projections): a hook the caller installs
//! with [`crate::Neo4jStore::set_progress`]; the CLI draws a bar from it on a terminal.

/// Receives the progress of one long operation at a time: `begin`, any number of `advance`,
/// `end`. Called from the store's runtime threads, so it must be cheap and thread-safe.
pub trait Progress: Send + Sync {
    /// A phase starts: what it does (`"writing to Neo4j"`), and how many items it will do when
    /// known (rows, nodes plus relationships, …).
    fn begin(&self, what: &str, total: Option<u64>);
    /// `n` more items are done.
    fn advance(&self, n: u64);
    /// The phase is over (successfully or not).
    fn end(&self);
}

/// Reports nothing (the default).
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _what: &str, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn end(&self) {}
}
