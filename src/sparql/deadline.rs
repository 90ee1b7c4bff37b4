//! One deadline type for every time limit on a query: `query`'s
//! cancellation and its last resort, the server's wait for a worker thread,
//! and a worker process's watchdog all count from a [`Deadline`].

use oxigraph::sparql::CancellationToken;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// When a query must have ended: its limit, counted from when it started.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    start: Instant,
    limit: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    #[must_use]
    pub fn after(limit: Duration) -> Self {
        Self {
            start: Instant::now(),
            limit,
        }
    }

    /// The limit it was given.
    #[must_use]
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// The time left, zero once it has passed.
    #[must_use]
    pub fn left(&self) -> Duration {
        self.limit.saturating_sub(self.start.elapsed())
    }

    /// Whether it has passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.start.elapsed() > self.limit
    }

    /// Cancels `token` when the deadline passes, unless the returned guard
    /// is dropped first (the query ended). Oxigraph notices the token when
    /// it next reads the store.
    #[must_use]
    pub fn cancel_at(self, token: CancellationToken) -> Guard {
        self.at(Duration::ZERO, move || token.cancel())
    }

    /// Runs `last_resort` `grace` after the deadline, unless the returned
    /// guard is dropped first: for a query that joins or sorts in memory,
    /// which no token stops.
    #[must_use]
    pub fn then(self, grace: Duration, last_resort: impl FnOnce() + Send + 'static) -> Guard {
        self.at(grace, last_resort)
    }

    fn at(self, grace: Duration, action: impl FnOnce() + Send + 'static) -> Guard {
        let (done, finished) = mpsc::channel::<()>();
        let wait = self.left() + grace;
        let thread = thread::Builder::new()
            .name("policykg deadline".to_owned())
            .spawn(move || {
                if finished.recv_timeout(wait) == Err(mpsc::RecvTimeoutError::Timeout) {
                    action();
                }
            })
            .ok();
        Guard {
            done: Some(done),
            thread,
        }
    }
}

/// Keeps a deadline's action armed; dropping it (the query ended) disarms
/// it and ends its thread at once.
#[derive(Debug)]
pub struct Guard {
    done: Option<mpsc::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_cancels_and_a_dropped_guard_does_not() {
        let token = CancellationToken::new();
        let guard = Deadline::after(Duration::ZERO).cancel_at(token.clone());
        let waited = Instant::now();
        while !token.is_cancelled() {
            assert!(
                waited.elapsed() < Duration::from_secs(60),
                "never cancelled"
            );
            thread::sleep(Duration::from_millis(1));
        }
        drop(guard);
        let token = CancellationToken::new();
        drop(Deadline::after(Duration::from_secs(3600)).cancel_at(token.clone()));
        assert!(!token.is_cancelled());
        let deadline = Deadline::after(Duration::from_secs(3600));
        assert!(!deadline.passed() && deadline.left() > Duration::from_secs(3500));
        assert!(Deadline::after(Duration::ZERO).left().is_zero());
    }
}
