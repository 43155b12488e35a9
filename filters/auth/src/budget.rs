//! A per-VM budget for expensive checks (signature verifications of uncached tokens, slow password
//! hashes): a token bucket refilled from the host's clock. An attacker can make every request cost
//! a full check (a forged token, a wrong password); the budget bounds the CPU they can take from
//! the worker the VM runs on, and what is over it is refused instead of computed.

use std::cell::Cell;
use std::time::{SystemTime, UNIX_EPOCH};

/// Units are counted in billionths, so that refills are exact whatever the rate.
const SCALE: u128 = 1_000_000_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Billionths of a unit left.
    left: u128,
    /// Host time of the last refill, in nanoseconds since the epoch.
    at: u128,
}

#[derive(Debug)]
pub struct Budget {
    /// Thousandths of a unit per second; 0: no limit.
    rate_milli: u128,
    /// The most the bucket holds (billionths): a tenth of a second's worth, and at least one unit.
    /// A burst of checks blocks the worker for as long as it runs, so bursts are kept short.
    capacity: u128,
    bucket: Cell<Option<Bucket>>,
}

fn nanos(now: SystemTime) -> u128 {
    now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

impl Budget {
    /// `rate` units per second (0: unlimited; resolution 0.001), starting full.
    pub fn new(rate: f64) -> Budget {
        let rate_milli = if rate.is_finite() && rate > 0.0 { (rate * 1000.0).round().max(1.0) as u128 } else { 0 };
        let capacity = (rate_milli * SCALE / 10_000).max(SCALE);
        Budget { rate_milli, capacity, bucket: Cell::new(None) }
    }

    pub fn is_unlimited(&self) -> bool {
        self.rate_milli == 0
    }

    /// Takes `cost` units if they are there at `now`; `false` (nothing taken) if not. A cost over
    /// the capacity takes a full bucket. A clock that goes backwards refills nothing.
    pub fn try_take(&self, now: SystemTime, cost: u32) -> bool {
        if self.is_unlimited() {
            return true;
        }
        let now = nanos(now);
        let mut bucket = self.bucket.get().unwrap_or(Bucket { left: self.capacity, at: now });
        // Nanoseconds × thousandths per second / 1000 = billionths.
        let elapsed = now.saturating_sub(bucket.at).min(1_000 * SCALE);
        bucket.left = (bucket.left + elapsed * self.rate_milli / 1_000).min(self.capacity);
        bucket.at = bucket.at.max(now);
        let cost = (u128::from(cost) * SCALE).min(self.capacity);
        let taken = bucket.left >= cost;
        if taken {
            bucket.left -= cost;
        }
        self.bucket.set(Some(bucket));
        taken
    }
}

#[cfg(test)]
#[path = "budget_test.rs"]
mod tests;
