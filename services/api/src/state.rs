//! Shared service state: the live network ([`dangjian_live::Live`]: the store, the current
//! network snapshot — engine and response cache, swapped whole after each write or
//! followed commit — and the one write path) and the token cache.

use crate::config::ServeConfig;
use crate::error::AppError;
use dangjian_engine::Engine;
use dangjian_live::{Live, Plan, View, WriteError, Written};
use dangjian_model::store::RowVersions;
use dangjian_model::{Bundle, Date, Store, StoreError, TokenInfo};
#[cfg(test)]
use dangjian_model::{ServiceDomain, Volunteering};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
    /// Serialised analytics documents keyed by (kind, scope, as_of); dropped with the snapshot.
    cache: Mutex<DocCache>,
}

impl View for Snapshot {
    fn build(bundle: Bundle) -> Self {
        Snapshot::build(bundle)
    }
    fn bundle(&self) -> &Bundle {
        self.engine.bundle()
    }
    fn apply(&self, merged: Bundle, partial: &Bundle) -> Self {
        let engine = Arc::new(self.engine.with_merged(merged, partial));
        let cache = match self.cache.lock() {
            Ok(old) => carried_over(&old, &engine, partial),
            Err(_) => DocCache::default(),
        };
        Snapshot {
            engine,
            cache: Mutex::new(cache),
        }
    }
    fn locator(&self) -> Option<&dyn dangjian_model::Locate> {
        Some(&*self.engine)
    }
}

/// The cached documents of the previous version that a row write cannot have changed, for
/// the next version (`engine`, with `partial` applied).
///
/// Only unrestricted coverage documents are carried over (the ones every other caller's view
/// and every other kind are computed from anew). Coverage (SPEC §3) is made of the hierarchy,
/// members' registrations and birth years, volunteering at the scope's committees,
/// partnerships, units, party orgs and mass links — not of needs, resources, responsibilities
/// or projects. So after a write of needs, resources or responsibilities every coverage
/// document is still right; after volunteering rows, every one whose scope contains none of
/// the rows' committees (the city contains all of them). Any other table: nothing is carried.
fn carried_over(old: &DocCache, engine: &Engine, partial: &Bundle) -> DocCache {
    use dangjian_model::Kind;
    use dangjian_model::Locate;
    let p = partial;
    let other_tables = p.row_count()
        - p.needs.len()
        - p.resources.len()
        - p.responsibilities.len()
        - p.volunteering.len();
    if other_tables > 0 || old.docs.is_empty() {
        return DocCache::default();
    }
    // The scopes that contain a written committee: the committee and its ancestors.
    let b = engine.bundle();
    let mut touched: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for v in p.volunteering.iter() {
        let Some((Kind::Committee, k)) = engine.locate(&v.committee) else {
            return DocCache::default();
        };
        let k = &b.committees[k];
        touched.insert(&k.id);
        touched.insert(&k.community);
        if let Some((Kind::Community, c)) = engine.locate(&k.community) {
            let street = &b.communities[c].street;
            touched.insert(street);
            if let Some((Kind::Street, s)) = engine.locate(street) {
                touched.insert(&b.streets[s].district);
            }
        }
    }
    let mut next = DocCache::default();
    for ((kind, key, as_of), doc) in &old.docs {
        let Some(scope) = key.strip_suffix('|') else {
            continue;
        };
        let unchanged = *kind == "coverage"
            && (touched.is_empty() || (scope != "city" && !touched.contains(scope)));
        if unchanged {
            next.bytes += doc.len();
            next.docs.insert((kind, key.clone(), *as_of), doc.clone());
        }
    }
    next
}

impl Snapshot {
    /// Build the engine and the indexes for a validated bundle (CPU-bound: call it on a
    /// blocking thread).
    pub fn build(bundle: Bundle) -> Snapshot {
        let started = Instant::now();
        let rows = bundle.row_count();
        let engine = Arc::new(Engine::new(bundle));
        metrics::gauge!("dangjian_engine_build_seconds").set(started.elapsed().as_secs_f64());
        metrics::gauge!("dangjian_network_rows").set(rows as f64);
        Snapshot {
            engine,
            cache: Mutex::new(DocCache::default()),
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
    live: Arc<Live<Snapshot>>,
    tokens: Mutex<TokenCache>,
    config: ServeConfig,
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Load the stored network, build the engine, start following other processes' commits,
    /// and make the state (blocking: the CLI and tests call it before the runtime serves;
    /// async callers use [`AppState::load`]).
    pub fn load_blocking(
        store: Arc<dyn Store>,
        config: ServeConfig,
    ) -> Result<AppState, StoreError> {
        let live = Live::open(store, false)?;
        live.spawn_follower();
        Ok(AppState(Arc::new(Inner {
            live,
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
        self.0.live.current()
    }

    /// The live network (write path, row versions, store sequence).
    pub fn live(&self) -> &Arc<Live<Snapshot>> {
        &self.0.live
    }

    /// The store.
    pub fn store(&self) -> Arc<dyn Store> {
        self.0.live.store().clone()
    }

    /// The configuration the service runs with.
    pub fn config(&self) -> &ServeConfig {
        &self.0.config
    }

    /// Apply a write through the one write path ([`Live::write`]): `prepare` gets the current
    /// snapshot and row versions and returns the [`Plan`]; validation, the store transaction
    /// (with its change-log entries, made by `actor`) and the swap to the new snapshot follow.
    ///
    /// The whole write runs on a detached blocking task: when the client disconnects or times
    /// out and this future is dropped, the write still runs to completion, so the store and
    /// the running service never disagree. Returns `prepare`'s output and what was installed
    /// (the store sequence of the write, the version of the rows it wrote; the network's rows).
    pub async fn write<T, F>(&self, actor: String, prepare: F) -> Result<(T, Written), AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot, &RowVersions) -> Result<(Plan, T), AppError> + Send + 'static,
    {
        let live = self.0.live.clone();
        let started = Instant::now();
        let task = tokio::task::spawn_blocking(move || live.write(&actor, prepare));
        let (out, written) = task.await??;
        metrics::gauge!("dangjian_write_seconds").set(started.elapsed().as_secs_f64());
        Ok((out, written))
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

impl From<WriteError> for AppError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Invalid(p) => AppError::invalid(p),
            WriteError::Store(e @ (StoreError::Exists { .. } | StoreError::Replaced { .. })) => {
                AppError::Conflict(e.to_string())
            }
            WriteError::Store(e @ StoreError::Stale { .. }) => {
                AppError::PreconditionFailed(e.to_string())
            }
            WriteError::Store(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network() -> Bundle {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../engine/tests/data/net-1002.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("network")).expect("bundle")
    }

    /// Coverage of a scope as the cache holds it (an unrestricted caller's bytes).
    fn coverage(e: &Engine, scope: &str, as_of: Date) -> bytes::Bytes {
        serde_json::to_vec(&e.coverage(scope, as_of).expect("coverage"))
            .expect("json")
            .into()
    }

    #[test]
    fn a_write_keeps_the_coverage_documents_it_cannot_change_and_only_those() {
        let b = network();
        let snap = Snapshot::build(b.clone());
        let day = Date::from_ymd_opt(2026, 6, 30).expect("date");
        // A committee the write volunteers at, and a street that does not contain it.
        let k = b.committees[0].clone();
        let street_of = |community: &str| {
            b.communities
                .iter()
                .find(|c| c.id == community)
                .map(|c| c.street.to_string())
                .expect("community")
        };
        let home = street_of(&k.community);
        let elsewhere = b
            .committees
            .iter()
            .map(|c| street_of(&c.community))
            .find(|s| *s != home)
            .expect("a second street");
        let scopes = [
            "city".to_string(),
            home.clone(),
            elsewhere.clone(),
            k.id.to_string(),
        ];
        // An unrestricted caller's key; each scope's coverage computed by and put into a
        // snapshot; what a snapshot holds for each scope.
        let key = |s: &str| format!("{s}|");
        let put_coverage = |snap: &Snapshot| {
            for s in &scopes {
                snap.cache_put("coverage", &key(s), day, coverage(&snap.engine, s, day));
            }
        };
        let cached = |snap: &Snapshot| -> Vec<Option<bytes::Bytes>> {
            let get = |s: &String| snap.cache_get("coverage", &key(s), day);
            scopes.iter().map(get).collect()
        };
        put_coverage(&snap);
        for s in &scopes {
            snap.cache_put("gaps", &key(s), day, "gaps".into());
        }
        // A restricted caller's document is never carried over.
        snap.cache_put(
            "coverage",
            &format!("{elsewhere}|{elsewhere}"),
            day,
            "x".into(),
        );

        let mut p = Bundle::default();
        p.volunteering.push(Volunteering {
            member: b.members[0].id.clone(),
            committee: k.id.clone(),
            domain: ServiceDomain::Greening,
            hours: 7.5,
            date: day,
        });
        let merged = b.merged(&p);
        let next = snap.apply(merged, &p);
        for (s, kept) in scopes.iter().zip(cached(&next)) {
            // What was kept is what the new version computes.
            let expected = (*s == elsewhere).then(|| coverage(&next.engine, s, day));
            assert_eq!(kept, expected, "coverage of {s}");
            assert_eq!(next.cache_get("gaps", &key(s), day), None);
        }
        // The write did change the committee's coverage: dropping it was needed.
        assert_ne!(
            coverage(&next.engine, &k.id, day),
            coverage(&snap.engine, &k.id, day)
        );
        assert_eq!(
            next.cache_get("coverage", &format!("{elsewhere}|{elsewhere}"), day),
            None
        );

        // A need write changes no coverage: every unrestricted coverage document is kept.
        put_coverage(&next);
        let mut p = Bundle::default();
        let mut need = b.needs[0].clone();
        need.demand += 5;
        p.needs.push(need);
        let after = next.apply(next.bundle().merged(&p), &p);
        let fresh: Vec<_> = scopes
            .iter()
            .map(|s| Some(coverage(&after.engine, s, day)))
            .collect();
        assert_eq!(cached(&after), fresh, "coverage after a need write");
        // A member write may change any coverage (birth years, registrations): nothing kept.
        let mut p = Bundle::default();
        let mut m = b.members[0].clone();
        m.birth_year += 1;
        p.members.push(m);
        let last = after.apply(after.bundle().merged(&p), &p);
        assert_eq!(cached(&last), vec![None; scopes.len()]);
    }

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
