//! Shared service state: the store, the current network snapshot (engine, place index and
//! response caches, swapped whole after each write), the write lock and the token cache.

use crate::access::Places;
use crate::error::AppError;
use crate::startup::ServeConfig;
use dangjian_engine::Engine;
use dangjian_model::{Bundle, Date, Store, StoreError, TokenInfo};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Most cached analytics responses per snapshot before the cache is emptied.
const CACHE_LIMIT: usize = 4096;
/// Most bytes of cached responses per snapshot before the cache is emptied: at Shanghai scale
/// a city-wide coverage document is about 2.5 MB, so 4,096 of them (a client stepping through
/// dates) would hold 10 GB (BENCHMARKS.md, HTTP service).
const CACHE_BYTES_LIMIT: usize = 256 * 1024 * 1024;

/// Serialised analytics documents keyed by (kind, scope, as_of), and their total size.
#[derive(Default)]
struct DocCache {
    docs: HashMap<(&'static str, String, Date), bytes::Bytes>,
    bytes: usize,
}

/// One version of the network, immutable once built: readers hold an `Arc` to it, so a reader
/// sees either all of a write or none of it.
pub struct Snapshot {
    /// The engine over this version.
    pub engine: Arc<Engine>,
    /// Where every entity sits in the street → community → committee hierarchy.
    pub places: Places,
    /// Serialised analytics documents keyed by (kind, scope, as_of); dropped with the snapshot.
    cache: Mutex<DocCache>,
    /// Whether this network passed a whole validation here (or descends by validated writes
    /// from one that did): only then may a write validate just its rows
    /// ([`dangjian_model::validate::validate_upsert`]). A network loaded from the store is
    /// validated on a background thread after loading; writes before that validate the
    /// merged whole.
    validated: AtomicBool,
}

impl Snapshot {
    /// Build the engine and the indexes for a validated bundle (CPU-bound: call it on a
    /// blocking thread).
    pub fn build(bundle: Bundle) -> Snapshot {
        let started = Instant::now();
        let rows = bundle.row_count();
        let places = Places::new(&bundle);
        let engine = Arc::new(Engine::new(bundle));
        metrics::gauge!("dangjian_engine_build_seconds").set(started.elapsed().as_secs_f64());
        metrics::gauge!("dangjian_network_rows").set(rows as f64);
        Snapshot {
            engine,
            places,
            cache: Mutex::new(DocCache::default()),
            validated: AtomicBool::new(false),
        }
    }

    /// The network of this version.
    pub fn bundle(&self) -> &Bundle {
        self.engine.bundle()
    }

    /// A cached response.
    pub fn cache_get(&self, kind: &'static str, key: &str, as_of: Date) -> Option<bytes::Bytes> {
        self.cache
            .lock()
            .ok()
            .and_then(|c| c.docs.get(&(kind, key.to_string(), as_of)).cloned())
    }

    /// Remember a response for this network version (not one bigger than the whole budget).
    pub fn cache_put(&self, kind: &'static str, key: &str, as_of: Date, value: bytes::Bytes) {
        if value.len() > CACHE_BYTES_LIMIT {
            return;
        }
        if let Ok(mut cache) = self.cache.lock() {
            if cache.docs.len() >= CACHE_LIMIT || cache.bytes + value.len() > CACHE_BYTES_LIMIT {
                cache.docs.clear();
                cache.bytes = 0;
            }
            cache.bytes += value.len();
            if let Some(old) = cache.docs.insert((kind, key.to_string(), as_of), value) {
                cache.bytes -= old.len();
            }
        }
    }
}

/// Tokens by hash, reloaded from the store when stale.
struct TokenCache {
    by_hash: HashMap<String, TokenInfo>,
    loaded: Option<Instant>,
}

struct Inner {
    store: Arc<dyn Store>,
    snapshot: RwLock<Arc<Snapshot>>,
    write_lock: tokio::sync::Mutex<()>,
    tokens: Mutex<TokenCache>,
    config: ServeConfig,
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Load the stored network, build the engine, and make the state (blocking: the CLI and
    /// tests call it before the runtime serves; async callers use [`AppState::load`]).
    pub fn load_blocking(
        store: Arc<dyn Store>,
        config: ServeConfig,
    ) -> Result<AppState, StoreError> {
        let bundle = store.load()?;
        let snapshot = Arc::new(Snapshot::build(bundle));
        let checked = snapshot.clone();
        std::thread::spawn(move || {
            if dangjian_model::validate(checked.bundle()).is_ok() {
                checked.validated.store(true, Ordering::Release);
            }
        });
        Ok(AppState(Arc::new(Inner {
            store,
            snapshot: RwLock::new(snapshot),
            write_lock: tokio::sync::Mutex::new(()),
            tokens: Mutex::new(TokenCache {
                by_hash: HashMap::new(),
                loaded: None,
            }),
            config,
        })))
    }

    /// [`AppState::load_blocking`] on a blocking thread.
    pub async fn load(store: Arc<dyn Store>, config: ServeConfig) -> Result<AppState, StoreError> {
        tokio::task::spawn_blocking(move || AppState::load_blocking(store, config))
            .await
            .map_err(|e| StoreError::Backend(format!("loading task failed: {e}")))?
    }

    /// The current network version.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.0.snapshot.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn swap(&self, next: Snapshot) {
        let next = Arc::new(next);
        match self.0.snapshot.write() {
            Ok(mut guard) => *guard = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// The store.
    pub fn store(&self) -> Arc<dyn Store> {
        self.0.store.clone()
    }

    /// The configuration the service runs with.
    pub fn config(&self) -> &ServeConfig {
        &self.0.config
    }

    /// Apply a write: under the write lock, `prepare` gets the current snapshot and returns the
    /// bundle to hand the store (`Write::Upsert` for a partial, `Write::Replace` for a whole);
    /// the merged whole is validated before anything is written, the store writes in one
    /// transaction, and the new snapshot replaces the old one. Returns `prepare`'s output.
    ///
    /// An upsert into a network known to be valid is validated incrementally
    /// ([`dangjian_model::validate::validate_upsert`], the same answer as validating the
    /// merged whole);
    /// the merged bundle is built once, after the store commits, by copying the current one
    /// and merging in place.
    pub async fn write<T, F>(&self, prepare: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot) -> Result<(Write, T), AppError> + Send + 'static,
    {
        let _guard = self.0.write_lock.lock().await;
        let current = self.snapshot();
        let store = self.store();
        let (next, out) = tokio::task::spawn_blocking(move || -> Result<_, AppError> {
            let (write, out) = prepare(&current)?;
            let started = Instant::now();
            // A merged whole already built for a whole validation, if one was needed.
            let mut merged = None;
            match &write {
                Write::Upsert(partial) if current.validated.load(Ordering::Acquire) => {
                    dangjian_model::validate::validate_upsert(current.bundle(), partial)
                        .map_err(AppError::invalid)?;
                }
                Write::Upsert(partial) => {
                    let whole = current.bundle().merged(partial);
                    dangjian_model::validate(&whole).map_err(AppError::invalid)?;
                    merged = Some(whole);
                }
                Write::Replace(whole) => {
                    dangjian_model::validate(whole).map_err(AppError::invalid)?;
                }
            }
            metrics::gauge!("dangjian_write_validate_seconds").set(started.elapsed().as_secs_f64());
            match &write {
                Write::Upsert(partial) => store.upsert(partial)?,
                Write::Replace(whole) => store.replace(whole)?,
            }
            let bundle = match (write, merged) {
                (Write::Upsert(_), Some(whole)) | (Write::Replace(whole), _) => whole,
                (Write::Upsert(partial), None) => {
                    let mut whole = current.bundle().clone();
                    whole.merge(partial);
                    whole
                }
            };
            let next = Snapshot::build(bundle);
            next.validated.store(true, Ordering::Release);
            Ok((next, out))
        })
        .await??;
        self.swap(next);
        Ok(out)
    }

    /// Whether the store answers.
    pub async fn store_ready(&self) -> bool {
        let store = self.store();
        matches!(
            tokio::task::spawn_blocking(move || store.tokens().is_ok()).await,
            Ok(true)
        )
    }

    /// The token record for a presented secret, if it exists and is not revoked.
    pub async fn token_for(&self, secret: &str) -> Result<Option<TokenInfo>, AppError> {
        let hash = crate::tokens::hash(secret);
        let ttl = self.0.config.token_cache_ttl;
        let (hit, stale) = {
            let cache = self
                .0
                .tokens
                .lock()
                .map_err(|_| AppError::Internal("token cache poisoned".into()))?;
            let age = cache.loaded.map(|t| t.elapsed());
            let stale = age.is_none_or(|a| a >= ttl);
            // An unknown token may have been created since the last load: look again, but at
            // most once a second so unknown tokens cannot hammer the store.
            let miss_reload = age.is_none_or(|a| a >= ttl.min(Duration::from_secs(1)));
            match cache.by_hash.get(&hash) {
                Some(info) if !stale => (Some(info.clone()), false),
                Some(_) => (None, true),
                None => (None, miss_reload),
            }
        };
        if !stale {
            return Ok(hit.filter(|t| !t.revoked));
        }
        let store = self.store();
        let all = tokio::task::spawn_blocking(move || store.tokens()).await??;
        let mut cache = self
            .0
            .tokens
            .lock()
            .map_err(|_| AppError::Internal("token cache poisoned".into()))?;
        cache.by_hash = all.into_iter().map(|t| (t.hash.clone(), t)).collect();
        cache.loaded = Some(Instant::now());
        Ok(cache.by_hash.get(&hash).filter(|t| !t.revoked).cloned())
    }
}

/// What a write hands the store.
pub enum Write {
    /// Rows to upsert by id into the current network.
    Upsert(Bundle),
    /// A whole network replacing the current one.
    Replace(Bundle),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_cache_stays_within_its_byte_budget() {
        let snap = Snapshot::build(Bundle::default());
        let day = Date::from_ymd_opt(2026, 6, 30).expect("date");
        let doc = bytes::Bytes::from(vec![b'x'; 3 * 1024 * 1024]);
        for i in 0..200 {
            snap.cache_put("coverage", "city", day + chrono::Days::new(i), doc.clone());
            let bytes = snap.cache.lock().expect("lock").bytes;
            assert!(
                bytes <= CACHE_BYTES_LIMIT,
                "{bytes} bytes cached after {i} puts"
            );
        }
        // The latest document is still served; replacing a key does not count it twice.
        let last = day + chrono::Days::new(199);
        assert_eq!(snap.cache_get("coverage", "city", last), Some(doc.clone()));
        let before = snap.cache.lock().expect("lock").bytes;
        snap.cache_put("coverage", "city", last, doc.clone());
        assert_eq!(snap.cache.lock().expect("lock").bytes, before);
        // A document bigger than the budget is not cached.
        let huge = bytes::Bytes::from(vec![b'y'; CACHE_BYTES_LIMIT + 1]);
        snap.cache_put("gaps", "city", day, huge);
        assert_eq!(snap.cache_get("gaps", "city", day), None);
    }
}
