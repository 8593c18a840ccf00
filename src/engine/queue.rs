//! The event queue: a min-heap keyed by `(time, sequence number)`.
//!
//! `seq` is a global counter incremented on every push, so events scheduled for the same instant
//! come out first-in, first-out: the order is a property of the queue, never of hashing or threads.
//!
//! Most events a simulation schedules are for *now* (watch notifications, controller wake-ups).
//! Those go to a FIFO lane beside the heap instead of the heap itself. Every lane entry has
//! `time == now` and a larger `seq` than anything pushed before it, and every heap entry has
//! `time >= now`, so comparing the two heads by `(time, seq)` yields exactly the order a single
//! heap would — at a fraction of the cost (SimCore's "ordered events" idea, without a second API).

use super::time::SimTime;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// An event popped from the queue, with the key it was ordered by.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Scheduled<E> {
    /// When the event fires.
    pub time: SimTime,
    /// Its insertion number: unique, increasing, the FIFO tie-break among equal times.
    pub seq: u64,
    /// The payload.
    pub event: E,
}

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed, so that std's max-heap pops the smallest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// A deterministic priority queue of `Copy` events ordered by `(time, seq)`.
///
/// # Examples
/// ```
/// use kubesim::engine::{EventQueue, SimTime};
/// let mut q = EventQueue::new();
/// q.push(SimTime(5), 'b');
/// q.push(SimTime(1), 'a');
/// q.push(SimTime(5), 'c');
/// let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
/// assert_eq!(order, vec!['a', 'b', 'c']);
/// ```
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    now_lane: VecDeque<(u64, E)>,
    now: SimTime,
    next_seq: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty queue with room for `n` pending events.
    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(n),
            now_lane: VecDeque::with_capacity(64),
            now: SimTime::ZERO,
            next_seq: 0,
        }
    }

    /// The time of the most recently popped event (the simulation's current time).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `time` and returns its sequence number. A time in the past is
    /// treated as *now* (an event can never fire before the one being handled).
    pub fn push(&mut self, time: SimTime, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if time <= self.now {
            self.now_lane.push_back((seq, event));
        } else {
            self.heap.push(Entry { time, seq, event });
        }
        seq
    }

    /// Removes and returns the earliest event, advancing [`now`](Self::now) to its time.
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let take_lane = match (self.now_lane.front(), self.heap.peek()) {
            (None, None) => return None,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(&(lseq, _)), Some(h)) => (self.now, lseq) < (h.time, h.seq),
        };
        let s = if take_lane {
            let (seq, event) = self.now_lane.pop_front()?;
            Scheduled {
                time: self.now,
                seq,
                event,
            }
        } else {
            let e = self.heap.pop()?;
            Scheduled {
                time: e.time,
                seq: e.seq,
                event: e.event,
            }
        };
        self.now = s.time;
        Some(s)
    }

    /// The time of the earliest pending event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        if !self.now_lane.is_empty() {
            return Some(self.now);
        }
        self.heap.peek().map(|e| e.time)
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len() + self.now_lane.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total number of events ever pushed.
    pub fn pushed(&self) -> u64 {
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn fifo_among_equal_times() {
        let mut q = EventQueue::new();
        for i in 0..10u32 {
            q.push(SimTime(7), i);
        }
        let v: Vec<u32> = std::iter::from_fn(|| q.pop().map(|s| s.event)).collect();
        assert_eq!(v, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn lane_and_heap_interleave_by_seq() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), 1); // heap
        q.push(SimTime(10), 2); // heap
        assert_eq!(q.pop().unwrap().event, 1); // now = 10
        q.push(SimTime(10), 3); // lane, seq after 2
        q.push(SimTime(5), 4); // past: treated as now, after 3
        assert_eq!(q.pop().unwrap().event, 2);
        assert_eq!(q.pop().unwrap().event, 3);
        let last = q.pop().unwrap();
        assert_eq!((last.event, last.time), (4, SimTime(10)));
        assert!(q.pop().is_none());
    }

    proptest! {
        /// Pops come out in non-decreasing (time, seq) order and match a reference model that
        /// sorts every push by (max(time, now-at-push), seq), including pushes made while popping.
        #[test]
        fn matches_reference_model(ops in proptest::collection::vec((0u64..50, any::<bool>()), 1..400)) {
            let mut q = EventQueue::new();
            let mut model: BTreeMap<(u64, u64), usize> = BTreeMap::new();
            let mut last = (0u64, 0u64);
            for (i, (dt, pop)) in ops.iter().enumerate() {
                if *pop {
                    let got = q.pop();
                    let want = model.pop_first();
                    match (got, want) {
                        (None, None) => {}
                        (Some(s), Some(((t, seq), id))) => {
                            prop_assert_eq!((s.time.0, s.seq, s.event), (t, seq, id));
                            prop_assert!((t, seq) >= last);
                            last = (t, seq);
                        }
                        (g, w) => prop_assert!(false, "mismatch {:?} vs {:?}", g.map(|s| s.seq), w),
                    }
                } else {
                    let t = q.now().0 + dt % 5 * (dt / 10); // many exact "now" pushes
                    let seq = q.push(SimTime(t), i);
                    model.insert((t.max(q.now().0), seq), i);
                }
            }
        }
    }
}
