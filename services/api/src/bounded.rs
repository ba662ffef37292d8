//! Bounded cost (SPEC §6 "Rules (v2)"): expensive work (analytics cache misses, brokers,
//! areas, what-if, diagrams) runs on blocking threads under a concurrency limit, identical
//! concurrent cache misses compute once, and work nobody waits for any more is cancelled.
//!
//! - **Limit.** `permits` computations at once for the whole service (default: the number of
//!   CPUs, at least 2); viewer tokens share at most half of them (at least 1), so viewers
//!   cannot starve coordinators and admins. A request that finds no permit free waits at most
//!   [`WAIT`] in a short queue (a page asks for coverage, gaps and a diagram at once); when
//!   the queue is full ([`WAITERS_PER_PERMIT`] per permit) or the wait runs out it is
//!   answered with 503 and `Retry-After: 1`.
//! - **Single flight.** Misses for the same cache key wait for the first one and read its
//!   cached answer.
//! - **Own threads.** The work runs on `permits` threads of its own, not on tokio's blocking
//!   pool: the allocator keeps a heap arena per thread, and a what-if (a copy of the network
//!   and a second engine, ~0.5 GB at Shanghai scale) run on ever new blocking threads left
//!   that much behind in each of their arenas (service RSS 2.4 GiB in the abuse benchmark).
//!   With a fixed set of threads, each computation reuses its thread's arena.
//! - **Cancellation.** Each computation gets an engine [`Cancel`] flag that is set when the
//!   request's future is dropped (the 408 timeout, a client that hung up); betweenness and
//!   Louvain stop at their next check.

use crate::access::Caller;
use crate::error::AppError;
use crate::state::Snapshot;
use dangjian_engine::Cancel;
use dangjian_model::Date;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Longest a request waits for a permit before 503.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Requests that may wait for a permit, per permit; more are answered 503 at once.
pub const WAITERS_PER_PERMIT: usize = 2;

/// A job for the heavy threads.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// The limiter, shared by every route of one service (an axum `Extension`).
pub struct Heavy {
    jobs: Mutex<std::sync::mpsc::Sender<Job>>,
    all: Arc<Semaphore>,
    viewers: Arc<Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
    max_waiting: usize,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Permission to run one computation; released when dropped.
pub struct Permit {
    /// The viewers' share (a viewer only), then the whole pool's.
    _held: Vec<OwnedSemaphorePermit>,
}

/// Sets the flag when dropped: held by the request's future, so a dropped request cancels.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl Heavy {
    /// A limiter allowing `permits` computations at once (at least 1), viewers half of them.
    pub fn new(permits: usize) -> Heavy {
        let permits = permits.max(1);
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..permits {
            let rx = rx.clone();
            // The threads end when the limiter (the sender) is dropped.
            let spawned = std::thread::Builder::new()
                .name(format!("dangjian-heavy-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a heavy-work thread");
            }
        }
        Heavy {
            jobs: Mutex::new(tx),
            all: Arc::new(Semaphore::new(permits)),
            viewers: Arc::new(Semaphore::new(permits.div_ceil(2))),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            max_waiting: permits * WAITERS_PER_PERMIT,
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// A permit for the caller, waiting at most [`WAIT`] in a bounded queue; 503 otherwise.
    pub async fn acquire(&self, caller: &Caller) -> Result<Permit, AppError> {
        if let Ok(p) = self.try_acquire(caller) {
            return Ok(p);
        }
        use std::sync::atomic::Ordering::SeqCst;
        if self.waiting.fetch_add(1, SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, SeqCst);
            return Err(busy());
        }
        let wait = async {
            let mut held = Vec::with_capacity(2);
            for share in self.shares(caller) {
                held.push(share.acquire_owned().await.map_err(|_| busy())?);
            }
            Ok(Permit { _held: held })
        };
        let out = tokio::time::timeout(WAIT, wait).await;
        self.waiting.fetch_sub(1, SeqCst);
        out.unwrap_or_else(|_| Err(busy()))
    }

    /// A permit for the caller, or 503 at once when its share is taken.
    pub fn try_acquire(&self, caller: &Caller) -> Result<Permit, AppError> {
        let held = self
            .shares(caller)
            .map(|share| share.try_acquire_owned().map_err(|_| busy()))
            .collect::<Result<_, _>>()?;
        Ok(Permit { _held: held })
    }

    /// The semaphores a caller holds a permit of, in the order taken: the viewers' half
    /// (callers who do not see personal data), then the whole pool.
    fn shares(&self, caller: &Caller) -> impl Iterator<Item = Arc<Semaphore>> {
        let viewers = (!caller.sees_personal_data()).then(|| self.viewers.clone());
        viewers.into_iter().chain([self.all.clone()])
    }

    /// Run `work` on a blocking thread under a permit; its [`Cancel`] flag is set if this
    /// future is dropped before it finishes.
    pub async fn run<T, F>(&self, caller: &Caller, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Cancel) -> Result<T, AppError> + Send + 'static,
    {
        let permit = self.acquire(caller).await?;
        let cancel = Cancel::new();
        let guard = CancelOnDrop(cancel.clone());
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _permit = permit;
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&cancel)))
                .unwrap_or_else(|_| Err(AppError::Internal("a heavy computation panicked".into())));
            let _ = done.send(out);
        });
        self.jobs
            .lock()
            .map_err(|_| AppError::Internal("heavy-work queue poisoned".into()))?
            .send(job)
            .map_err(|_| AppError::Internal("the heavy-work threads are gone".into()))?;
        let out = answer
            .await
            .map_err(|_| AppError::Internal("a heavy computation was lost".into()))?;
        drop(guard);
        out
    }

    /// A cached answer for `key`, or computed by [`Heavy::run`] and cached; concurrent misses
    /// for one key compute once.
    pub async fn cached<F>(
        &self,
        snap: &Arc<Snapshot>,
        caller: &Caller,
        kind: &'static str,
        key: &str,
        as_of: Date,
        work: F,
    ) -> Result<bytes::Bytes, AppError>
    where
        F: FnOnce(&Cancel) -> Result<bytes::Bytes, AppError> + Send + 'static,
    {
        if let Some(hit) = snap.cache_get(kind, key, as_of) {
            return Ok(hit);
        }
        let flight_key = format!("{kind}|{key}|{as_of}");
        let lock = {
            let mut flights = self
                .flights
                .lock()
                .map_err(|_| AppError::Internal("flight table poisoned".into()))?;
            flights
                .entry(flight_key.clone())
                .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(())))
                .clone()
        };
        let out = async {
            let _turn = lock.lock().await;
            if let Some(hit) = snap.cache_get(kind, key, as_of) {
                return Ok(hit);
            }
            let bytes = self.run(caller, work).await?;
            snap.cache_put(kind, key, as_of, bytes.clone());
            Ok(bytes)
        }
        .await;
        if let Ok(mut flights) = self.flights.lock()
            && flights
                .get(&flight_key)
                .is_some_and(|l| Arc::ptr_eq(l, &lock) && Arc::strong_count(l) <= 2)
        {
            flights.remove(&flight_key);
        }
        out
    }
}

fn busy() -> AppError {
    metrics::counter!("dangjian_busy_total").increment(1);
    AppError::Busy("the service is busy with expensive requests; retry in a second".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dangjian_model::TokenRole;

    fn caller(role: TokenRole) -> Caller {
        Caller {
            token_id: "tok_t".into(),
            role,
            scope: None,
        }
    }

    #[test]
    fn viewers_take_at_most_half_the_permits() {
        let heavy = Heavy::new(4);
        let viewer = caller(TokenRole::Viewer);
        let a = heavy.try_acquire(&viewer).expect("first");
        let b = heavy.try_acquire(&viewer).expect("second");
        let third = heavy.try_acquire(&viewer);
        assert!(
            matches!(third, Err(AppError::Busy(_))),
            "viewers are capped at 2 of 4"
        );
        let admin = caller(TokenRole::Admin);
        let c = heavy.try_acquire(&admin).expect("admins still get one");
        let d = heavy.try_acquire(&admin).expect("and the last");
        assert!(heavy.try_acquire(&admin).is_err(), "all 4 taken");
        drop((a, b, c, d));
        assert!(heavy.try_acquire(&viewer).is_ok(), "released on drop");
    }

    #[tokio::test]
    async fn a_full_queue_is_answered_503_at_once_and_a_short_wait_is_served() {
        let heavy = Arc::new(Heavy::new(1));
        let admin = caller(TokenRole::Admin);
        let held = heavy.try_acquire(&admin).expect("the only permit");
        // Two may wait (WAITERS_PER_PERMIT); the third is refused without waiting.
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let h = heavy.clone();
                tokio::spawn(async move { h.acquire(&caller(TokenRole::Admin)).await.map(drop) })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        let third = heavy.acquire(&admin).await;
        assert!(matches!(third, Err(AppError::Busy(_))));
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
        drop(held);
        for w in waiters {
            assert!(
                w.await.expect("join").is_ok(),
                "served once the permit is free"
            );
        }
    }

    #[tokio::test]
    async fn a_dropped_request_cancels_its_work() {
        let heavy = Arc::new(Heavy::new(2));
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let h = heavy.clone();
        let task = tokio::spawn(async move {
            h.run(&caller(TokenRole::Admin), move |cancel| {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                while !cancel.is_cancelled() && std::time::Instant::now() < deadline {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                seen_tx.send(cancel.is_cancelled()).ok();
                Ok(())
            })
            .await
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        task.abort();
        let cancelled = tokio::task::spawn_blocking(move || {
            seen_rx.recv_timeout(std::time::Duration::from_secs(5))
        })
        .await
        .expect("join");
        assert_eq!(
            cancelled,
            Ok(true),
            "the loop saw the flag, not the deadline"
        );
    }
}
