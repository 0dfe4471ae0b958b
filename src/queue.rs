//! The event queue of the first-passage pass: a radix heap over the bit patterns of
//! non-negative `f32` times (which order like the times themselves). Dijkstra's pass only ever
//! inserts times at or after the last one taken out, which is exactly what a radix heap needs;
//! an element moves between buckets at most 32 times, in practice once or twice, so it beats a
//! binary heap's log(n) sift on every pop.

/// A monotone priority queue of (time in hours, person) pairs.
#[derive(Debug)]
pub struct RadixQueue {
    /// The key of the last element taken out; all keys in the queue are >= it.
    last: u32,
    /// `buckets[b]` holds keys whose highest bit differing from `last` is bit `b - 1`
    /// (`buckets[0]`: keys equal to `last`).
    buckets: Vec<Vec<(u32, u32)>>,
    /// Bit `b` set iff `buckets[b]` (for b >= 1) is non-empty.
    occupied: u64,
    len: usize,
}

impl Default for RadixQueue {
    fn default() -> Self {
        RadixQueue { last: 0, buckets: (0..33).map(|_| Vec::new()).collect(), occupied: 0, len: 0 }
    }
}

#[inline(always)]
fn bucket_of(key: u32, last: u32) -> usize {
    32 - (key ^ last).leading_zeros() as usize
}

impl RadixQueue {
    /// Empties the queue (keeping its memory) and resets the monotone floor to time 0.
    pub fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.last = 0;
        self.occupied = 0;
        self.len = 0;
    }

    /// Inserts `person` at `time` hours; `time` must be finite, >= 0 and >= the last time popped.
    #[inline]
    pub fn push(&mut self, time: f32, person: u32) {
        debug_assert!(time >= 0.0 && time.is_finite());
        let key = time.to_bits();
        debug_assert!(key >= self.last, "radix queue needs monotone inserts");
        let b = bucket_of(key, self.last);
        self.buckets[b].push((key, person));
        self.occupied |= 1 << b;
        self.len += 1;
    }

    /// Removes an element with the earliest time.
    #[inline]
    pub fn pop(&mut self) -> Option<(f32, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let b = (self.occupied & !1).trailing_zeros() as usize;
            debug_assert!(b < 33 && !self.buckets[b].is_empty());
            self.occupied &= !(1 << b);
            let mut moving = std::mem::take(&mut self.buckets[b]);
            self.last = moving.iter().map(|&(k, _)| k).min().expect("non-empty");
            for &(k, p) in &moving {
                // Every key lands in a bucket below `b`.
                let nb = bucket_of(k, self.last);
                self.buckets[nb].push((k, p));
                self.occupied |= 1 << nb;
            }
            moving.clear();
            self.buckets[b] = moving; // keep the allocation
        }
        self.len -= 1;
        self.buckets[0].pop().map(|(k, p)| (f32::from_bits(k), p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_with_monotone_inserts() {
        let mut q = RadixQueue::default();
        let mut reference: Vec<f32> = Vec::new();
        let mut x = 12345u64;
        let mut now = 0.0;
        let mut popped = Vec::new();
        for round in 0..2000 {
            // Insert a few times at or after `now`, pop one.
            for _ in 0..3 {
                x = crate::rng::fmix64(x + 1);
                let t = now + (x >> 40) as f32 / (1u64 << 24) as f32 * 10.0 * (round % 7) as f32;
                q.push(t, round);
                reference.push(t);
            }
            let (t, _) = q.pop().unwrap();
            reference.sort_by(f32::total_cmp);
            assert_eq!(t, reference.remove(0));
            assert!(t >= now);
            now = t;
            popped.push(t);
        }
        while let Some((t, _)) = q.pop() {
            reference.sort_by(f32::total_cmp);
            assert_eq!(t, reference.remove(0));
        }
        assert!(reference.is_empty());
    }
}
