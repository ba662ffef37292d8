//! The live network: the one write path (merge → validate → store → apply to memory) shared by
//! the CLI and the HTTP service, and following the commits other processes make on the same
//! store (SPEC §5 "Writes (v2)").
//!
//! A [`Live`] holds the current in-memory version of the network (any [`View`] built from a
//! bundle: the service's engine and indexes, or just the bundle for the CLI), the row versions
//! (for `ETag`s and conflict checks) and the store sequence it has applied. Writes are
//! serialised by one lock; each runs to completion on the calling thread, so an async caller
//! that runs it on a blocking task gets a write that finishes whatever its client does.

use dangjian_model::store::{Commit, Expect, RowChange, RowVersions, WriteKind};
use dangjian_model::{
    Bundle, ChangeEntry, ChangeFilter, Delta, Locate, Problems, Store, StoreError,
};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use std::time::Duration;

/// How often a follower looks for other processes' commits.
pub const FOLLOW_PERIOD: Duration = Duration::from_millis(200);

/// Most change-log entries applied one by one; beyond that a follower reloads the whole.
const MAX_INCREMENTAL: usize = 5_000;

/// An in-memory version of the network, built from a bundle.
pub trait View: Send + Sync + 'static {
    /// Build the view of a network (CPU-bound).
    fn build(bundle: Bundle) -> Self;
    /// The network it was built from.
    fn bundle(&self) -> &Bundle;
    /// The next version after a row write: `merged` is this version's network with `partial`
    /// merged in. Views that can update incrementally override this; the default rebuilds.
    fn apply(&self, merged: Bundle, partial: &Bundle) -> Self
    where
        Self: Sized,
    {
        let _ = partial;
        Self::build(merged)
    }
    /// Where rows sit in [`View::bundle`], answered without scanning it (an engine's id table):
    /// then a write merges and validates in time proportional to its rows. `None` (the
    /// default): the write path scans the network instead.
    fn locator(&self) -> Option<&dyn Locate> {
        None
    }
}

/// Spare tables kept by the writer: for each table a located write wrote to, that table as it
/// was just before (in a [`Bundle`], the others empty), with that write's [`Delta`]. Once no
/// version holds a spare any more, the next write to its table brings it up to date and merges
/// into it in place ([`Bundle::from_spares`]), so a stream of writes to a big table (members,
/// volunteering) does not copy it each time.
#[derive(Default)]
struct Spares {
    tables: Bundle,
    deltas: Delta,
}
/// The next network after a row write: a copy-on-write clone of `view`'s (cheap: the tables
/// are shared) with `partial` merged in, located when `view` can locate and `valid` (ids
/// unique) — else by scanning. Both give the same bundle.
fn merged_of<V: View>(view: &V, partial: &Bundle, valid: bool) -> Bundle {
    let mut whole = view.bundle().clone();
    match view.locator() {
        Some(locate) if valid => {
            whole.merge_located(partial.clone(), locate);
        }
        _ => whole.merge(partial.clone()),
    }
    whole
}

/// The plain bundle: what the CLI needs.
impl View for Bundle {
    fn build(bundle: Bundle) -> Self {
        bundle
    }
    fn bundle(&self) -> &Bundle {
        self
    }
}

/// What a write does, as prepared from the current version.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Rows (one or a batch), each described for the change log with its expectation.
    Rows {
        /// The rows, as a partial bundle.
        partial: Bundle,
        /// One entry per row of `partial`, in the same order.
        changes: Vec<RowChange>,
    },
    /// An import replacing the whole network.
    Replace(Bundle),
    /// An import merged into the network by id.
    Merge(Bundle),
}

/// What a write installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The store sequence of its (last) change-log entry: a written row's version (`ETag`).
    pub seq: u64,
    /// How many rows the network holds after it (the import answers' `total_rows`).
    pub rows: usize,
}

/// Why a write was refused or failed; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The network would be invalid.
    #[error("{0}")]
    Invalid(#[source] Problems),
    /// The store refused (a conflict: [`StoreError::Exists`], [`StoreError::Stale`]) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The row change for a created row (`Expect::Absent`), or an added id-less row.
pub fn created(table: &str, id: Option<&str>, after: Value) -> RowChange {
    RowChange {
        table: table.to_string(),
        id: id.map(str::to_string),
        op: if id.is_some() { "create" } else { "add" }.to_string(),
        before: None,
        after: Some(after),
        expect: if id.is_some() {
            Expect::Absent
        } else {
            Expect::Any
        },
    }
}

/// The row change for an update of a row read at `version`.
pub fn updated(table: &str, id: &str, before: Value, after: Value, version: u64) -> RowChange {
    RowChange {
        table: table.to_string(),
        id: Some(id.to_string()),
        op: "update".to_string(),
        before: Some(before),
        after: Some(after),
        expect: Expect::Version(version),
    }
}

/// The row a validation problem of a row write is about, as an index into the rows the caller
/// sent for `table` (before [`Bundle::drop_present`] dropped the ones at `dropped`,
/// increasing): found by the problem's id in `ids`, or from its location in the merged network
/// (`/<table>/<n>`), where the write appended its rows after the `base` rows the table held.
/// `None` when the problem is about another table or a stored row.
pub fn sent_row(
    p: &dangjian_model::Problem,
    table: &str,
    base: usize,
    ids: &std::collections::HashMap<String, usize>,
    dropped: &[usize],
) -> Option<usize> {
    if p.table != table {
        return None;
    }
    if let Some(&i) = p.id.as_ref().and_then(|id| ids.get(id)) {
        return Some(i);
    }
    let n: usize = p.location.rsplit('/').next()?.parse().ok()?;
    let mut k = n.checked_sub(base)?;
    for &d in dropped {
        if d <= k {
            k += 1;
        }
    }
    Some(k)
}

/// A create for every row of `partial` (by table, in bundle order), as [`created`] makes them.
pub fn creates_of(partial: &Bundle) -> Result<Vec<RowChange>, StoreError> {
    let value = serde_json::to_value(partial)
        .map_err(|e| StoreError::Backend(format!("encoding rows: {e}")))?;
    let mut out = Vec::with_capacity(partial.row_count());
    if let Value::Object(tables) = value {
        for (table, rows) in tables {
            let Value::Array(rows) = rows else { continue };
            for row in rows {
                let id = row.get("id").and_then(Value::as_str).map(str::to_string);
                out.push(created(&table, id.as_deref(), row));
            }
        }
    }
    Ok(out)
}

/// The current version and what is known about it.
struct Current<V> {
    view: Arc<V>,
    /// Whether this network is known to be valid (then a write validates only its rows).
    validated: bool,
}

/// The live network over one store.
pub struct Live<V: View> {
    store: Arc<dyn Store>,
    current: RwLock<Current<V>>,
    versions: Mutex<RowVersions>,
    /// Every change up to this sequence is applied in memory.
    applied: AtomicU64,
    /// Serialises writes and following.
    write_lock: Mutex<()>,
    /// Set when the follower should stop.
    stopped: AtomicBool,
    /// The background validation of a loaded network, while it runs: a write waits for it
    /// rather than validating the merged whole itself.
    validation: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Spare tables for in-place writes; emptied whenever a version is installed otherwise.
    spares: Mutex<Spares>,
    /// How many writes were merged into the version before, brought up to date in place.
    in_place: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<V: View> Live<V> {
    /// A `Live` over `store` showing `view` (validated or not), at sequence `seq`.
    fn with(
        store: Arc<dyn Store>,
        view: V,
        validated: bool,
        versions: RowVersions,
        seq: u64,
    ) -> Live<V> {
        Live {
            store,
            current: RwLock::new(Current {
                view: Arc::new(view),
                validated,
            }),
            versions: Mutex::new(versions),
            applied: AtomicU64::new(seq),
            write_lock: Mutex::new(()),
            stopped: AtomicBool::new(false),
            validation: Mutex::new(None),
            spares: Mutex::new(Spares::default()),
            in_place: AtomicU64::new(0),
        }
    }

    /// Load the stored network and build its view. With `trusted` the stored network is taken
    /// as valid (every write path validates before committing); otherwise it is validated on
    /// a background thread and writes validate the merged whole until that finishes.
    pub fn open(store: Arc<dyn Store>, trusted: bool) -> Result<Arc<Live<V>>, StoreError> {
        let (bundle, seq, versions) = store.load_versioned()?;
        let live = Arc::new(Live::with(store, V::build(bundle), trusted, versions, seq));
        if !trusted {
            live.validate_in_background();
        }
        Ok(live)
    }

    /// A `Live` that does not load the stored network, for a write that replaces it whole
    /// ([`Plan::Replace`], an import): nothing else may be written through it.
    pub fn for_replace(store: Arc<dyn Store>) -> Result<Arc<Live<V>>, StoreError> {
        let seq = store.sequence()?;
        Ok(Arc::new(Live::with(
            store,
            V::build(Bundle::default()),
            true,
            RowVersions::default(),
            seq,
        )))
    }

    /// Validate the current version on a thread; mark it validated if it is still current.
    fn validate_in_background(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        let view = self.current();
        let handle = std::thread::spawn(move || {
            let valid = dangjian_model::validate(view.bundle()).is_ok();
            if let Some(live) = weak.upgrade() {
                let mut current = live.current.write().unwrap_or_else(|p| p.into_inner());
                if valid && Arc::ptr_eq(&current.view, &view) {
                    current.validated = true;
                }
            }
        });
        *lock(&self.validation) = Some(handle);
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The current version.
    pub fn current(&self) -> Arc<V> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .view
            .clone()
    }

    /// Whether the current version is known to be valid.
    pub fn validated(&self) -> bool {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .validated
    }

    /// The store sequence applied in memory.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// How many writes so far were merged in place into spare tables brought up to date,
    /// rather than into copy-on-write clones of the current version's tables.
    pub fn in_place_writes(&self) -> u64 {
        self.in_place.load(Ordering::Relaxed)
    }

    /// The version of a row (its `ETag`).
    pub fn version_of(&self, table: &str, id: &str) -> u64 {
        lock(&self.versions).get(table, id)
    }

    fn install(&self, view: V, validated: bool) {
        let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
        *current = Current {
            view: Arc::new(view),
            validated,
        };
    }

    /// The one write path: under the write lock, catch up with other processes' commits,
    /// `prepare` the write from the current version and row versions, validate the merged
    /// network (incrementally when the current one is known valid), commit it with its
    /// change-log entries in one store transaction (the store checks each row's expectation),
    /// then apply it in memory. Returns `prepare`'s output and what was installed.
    pub fn write<T, E>(
        &self,
        actor: &str,
        prepare: impl FnOnce(&V, &RowVersions) -> Result<(Plan, T), E>,
    ) -> Result<(T, Written), E>
    where
        E: From<WriteError>,
    {
        let _guard = lock(&self.write_lock);
        // A failed catch-up is not fatal: the store still checks every expectation.
        let _ = self.follow_locked();
        // One whole validation at a time: finish the background one rather than repeat it.
        let pending = lock(&self.validation).take();
        if let Some(handle) = pending {
            let _ = handle.join();
        }
        let (view, validated) = {
            let c = self.current.read().unwrap_or_else(|p| p.into_inner());
            (c.view.clone(), c.validated)
        };
        let (plan, out) = {
            let versions = lock(&self.versions);
            prepare(&view, &versions)?
        };
        // A row write with no rows left (every one already stored) changes nothing: nothing
        // to validate, commit or log.
        if let Plan::Rows { changes, .. } = &plan
            && changes.is_empty()
        {
            let rows = view.bundle().row_count();
            return Ok((
                out,
                Written {
                    seq: self.applied(),
                    rows,
                },
            ));
        }
        // Validate; keep a merged whole when one had to be built for that.
        let mut merged = None;
        match &plan {
            Plan::Rows { partial, .. } | Plan::Merge(partial) if validated => {
                dangjian_model::validate::validate_upsert_with(
                    view.bundle(),
                    partial,
                    view.locator(),
                )
                .map_err(WriteError::Invalid)?;
            }
            Plan::Rows { partial, .. } | Plan::Merge(partial) => {
                let whole = view.bundle().merged(partial);
                dangjian_model::validate(&whole).map_err(WriteError::Invalid)?;
                merged = Some(whole);
            }
            Plan::Replace(whole) => {
                dangjian_model::validate(whole).map_err(WriteError::Invalid)?;
            }
        }
        let kind = match &plan {
            Plan::Rows { partial, changes } => WriteKind::Rows { partial, changes },
            Plan::Replace(b) => WriteKind::Replace(b),
            Plan::Merge(b) => WriteKind::Merge(b),
        };
        let based_on = self.applied();
        let seq = self
            .store
            .commit(&Commit {
                actor,
                kind,
                based_on,
            })
            .map_err(WriteError::Store)?;
        let entries = match &plan {
            Plan::Rows { changes, .. } => changes.len() as u64,
            _ => 1,
        };
        // Row versions: each entry of a row write has its own consecutive sequence.
        {
            let mut versions = lock(&self.versions);
            match &plan {
                Plan::Rows { changes, .. } => {
                    let first = seq + 1 - entries;
                    for (i, change) in changes.iter().enumerate() {
                        if let Some(id) = &change.id {
                            versions
                                .rows
                                .insert((change.table.clone(), id.clone()), first + i as u64);
                        }
                    }
                }
                _ => {
                    *versions = RowVersions {
                        base: seq,
                        rows: Default::default(),
                    };
                }
            }
        }
        let next = match (plan, merged) {
            (Plan::Replace(whole), _) => {
                *lock(&self.spares) = Spares::default();
                V::build(whole)
            }
            (Plan::Rows { partial, .. } | Plan::Merge(partial), Some(whole)) => {
                *lock(&self.spares) = Spares::default();
                view.apply(whole, &partial)
            }
            (Plan::Rows { partial, .. } | Plan::Merge(partial), None) => {
                let whole = self.next_bundle(&view, &partial, validated);
                view.apply(whole, &partial)
            }
        };
        let rows = next.bundle().row_count();
        self.install(next, true);
        // Only when nothing else committed in between is everything up to `seq` applied;
        // otherwise the follower replays the gap (applying our own rows again is harmless).
        let _ =
            self.applied
                .compare_exchange(seq - entries, seq, Ordering::AcqRel, Ordering::Acquire);
        Ok((out, Written { seq, rows }))
    }

    /// The network after a row write onto `view` (the current version). Located when `view`
    /// can locate and is `valid`: into the spare tables where they can be brought up to date
    /// in place, else into copy-on-write clones of `view`'s; the tables written become the
    /// next spares. Otherwise merged by scanning (and the spares are dropped).
    fn next_bundle(&self, view: &Arc<V>, partial: &Bundle, valid: bool) -> Bundle {
        let mut spares = lock(&self.spares);
        let Some(locate) = view.locator().filter(|_| valid) else {
            *spares = Spares::default();
            return merged_of(&**view, partial, false);
        };
        let Spares { tables, deltas } = &mut *spares;
        let (mut whole, taken) = Bundle::from_spares(view.bundle(), tables, deltas, partial);
        if taken > 0 {
            self.in_place.fetch_add(1, Ordering::Relaxed);
        }
        let delta = whole.merge_located(partial.clone(), locate);
        Bundle::keep_spares(tables, deltas, view.bundle(), delta);
        whole
    }

    /// Apply the commits other processes made since the last look; true when something
    /// changed in memory.
    pub fn follow(&self) -> Result<bool, StoreError> {
        let _guard = lock(&self.write_lock);
        self.follow_locked()
    }

    fn follow_locked(&self) -> Result<bool, StoreError> {
        let applied = self.applied();
        if self.store.sequence()? <= applied {
            return Ok(false);
        }
        let entries = self.store.changes(&ChangeFilter {
            since: applied,
            limit: MAX_INCREMENTAL + 1,
            ..ChangeFilter::default()
        })?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            return Ok(false);
        };
        if entries.len() > MAX_INCREMENTAL || entries.iter().any(ChangeEntry::is_import) {
            let (bundle, seq, versions) = self.store.load_versioned()?;
            let view = V::build(bundle);
            *lock(&self.versions) = versions;
            // Imports are validated by their writer; the store holds only validated networks.
            self.install(view, true);
            *lock(&self.spares) = Spares::default();
            self.applied.store(seq, Ordering::Release);
            return Ok(true);
        }
        let partial = partial_of(&entries)?;
        let (view, validated) = {
            let c = self.current.read().unwrap_or_else(|p| p.into_inner());
            (c.view.clone(), c.validated)
        };
        let whole = merged_of(&*view, &partial, validated);
        {
            let mut versions = lock(&self.versions);
            for e in &entries {
                if let (Some(table), Some(id)) = (&e.table, &e.id) {
                    versions.rows.insert((table.clone(), id.clone()), e.seq);
                }
            }
        }
        self.install(view.apply(whole, &partial), validated);
        *lock(&self.spares) = Spares::default();
        self.applied.store(last, Ordering::Release);
        Ok(true)
    }

    /// Follow the store on a thread, every [`FOLLOW_PERIOD`], until [`Live::stop`] or until the
    /// `Live` is dropped.
    pub fn spawn_follower(self: &Arc<Self>) -> std::thread::JoinHandle<()> {
        let weak: Weak<Self> = Arc::downgrade(self);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(FOLLOW_PERIOD);
                let Some(live) = weak.upgrade() else { break };
                if live.stopped.load(Ordering::Acquire) {
                    break;
                }
                let _ = live.follow();
            }
        })
    }

    /// Stop the follower thread.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }
}

/// The rows of change-log row entries as a partial bundle (their `after` values, by table).
pub fn partial_of(entries: &[ChangeEntry]) -> Result<Bundle, StoreError> {
    let mut tables = serde_json::Map::new();
    for e in entries {
        if let (Some(table), Some(after)) = (&e.table, &e.after) {
            let rows = tables
                .entry(table.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(rows) = rows {
                rows.push(after.clone());
            }
        }
    }
    serde_json::from_value(Value::Object(tables)).map_err(|e| {
        StoreError::Backend(format!(
            "the change log holds a row this program cannot read: {e}"
        ))
    })
}
