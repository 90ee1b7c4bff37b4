//! The bounded pool of query workers.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A counting semaphore: at most `capacity` jobs at once.
pub(super) struct Pool {
    busy: Mutex<usize>,
    freed: Condvar,
    capacity: usize,
}

/// A place in the pool, given back on drop.
pub(super) struct Permit(Arc<Pool>);

impl Pool {
    pub(super) fn new(capacity: usize) -> Arc<Self> {
        Arc::new(Self {
            busy: Mutex::new(0),
            freed: Condvar::new(),
            capacity,
        })
    }

    pub(super) fn acquire(self: &Arc<Self>, wait: Duration) -> Option<Permit> {
        let deadline = Instant::now() + wait;
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy >= self.capacity {
            let left = deadline.checked_duration_since(Instant::now())?;
            busy = self
                .freed
                .wait_timeout(busy, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *busy += 1;
        Some(Permit(Arc::clone(self)))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut busy = self.0.busy.lock().unwrap_or_else(PoisonError::into_inner);
        *busy = busy.saturating_sub(1);
        self.0.freed.notify_one();
    }
}
