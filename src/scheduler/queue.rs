//! The scheduling queue (`pkg/scheduler/backend/queue`): activeQ ordered by PrioritySort
//! (higher priority first, then earlier queue timestamp), backoffQ (1 s doubling to 10 s per
//! attempt), and the unschedulable pool, flushed by cluster events and after 5 minutes.

use super::events::{ClusterEvent, Rejectors};
use crate::engine::{SimDuration, SimTime};
use crate::model::PodId;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

/// `podInitialBackoffSeconds`.
pub const INITIAL_BACKOFF: SimDuration = SimDuration::from_secs(1);
/// `podMaxBackoffSeconds`.
pub const MAX_BACKOFF: SimDuration = SimDuration::from_secs(10);
/// `podMaxInUnschedulablePodsDuration`.
pub const MAX_UNSCHEDULABLE: SimDuration = SimDuration::from_mins(5);

/// Queue bookkeeping of one pod.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct QueuedPod {
    /// The pod.
    pub pod: PodId,
    /// Priority.
    pub priority: i32,
    /// When it was (re)added to the queue.
    pub timestamp: SimTime,
    /// Creation order (final tie-break).
    pub uid: u64,
    /// Scheduling attempts so far.
    pub attempts: u32,
    /// Plugins that rejected the pod in its last attempt.
    pub rejectors: Rejectors,
}

type ActiveKey = (Reverse<i32>, SimTime, u64, PodId);

/// The three queues.
#[derive(Debug)]
pub struct SchedulingQueue {
    initial_backoff: SimDuration,
    max_backoff: SimDuration,
    active: BTreeSet<ActiveKey>,
    /// Pods backing off after rejection by plugins, by (expiry window, activeQ order).
    backoff: BTreeSet<(SimTime, ActiveKey)>,
    /// Pods backing off after an error (no rejecting plugin): never popped early.
    error_backoff: BTreeSet<(SimTime, ActiveKey)>,
    unschedulable: BTreeMap<PodId, QueuedPod>,
    info: BTreeMap<PodId, QueuedPod>,
    where_: BTreeMap<PodId, Where>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Where {
    Active,
    /// Expiry window, and whether it is the error backoff queue.
    Backoff(SimTime, bool),
    Unschedulable,
    InFlight,
}

fn key(q: &QueuedPod) -> ActiveKey {
    (Reverse(q.priority), q.timestamp, q.uid, q.pod)
}

/// The back-off after `attempts` failed attempts with the default bounds: 1 s × 2^(attempts−1),
/// at most 10 s.
pub fn backoff_duration(attempts: u32) -> SimDuration {
    backoff_with(attempts, INITIAL_BACKOFF, MAX_BACKOFF)
}

/// `calculateBackoffDuration`: `initial` doubled per attempt after the first, at most `max`.
pub fn backoff_with(attempts: u32, initial: SimDuration, max: SimDuration) -> SimDuration {
    if attempts == 0 {
        return SimDuration::ZERO;
    }
    let d = initial
        .as_micros()
        .saturating_mul(1u64 << (attempts - 1).min(40));
    SimDuration(d.min(max.as_micros()))
}

/// `t` truncated to its whole second (`backoffQOrderingWindowDuration` = 1 s).
fn floor_second(t: SimTime) -> SimTime {
    SimTime(t.as_micros() / 1_000_000 * 1_000_000)
}

impl Default for SchedulingQueue {
    fn default() -> Self {
        SchedulingQueue::with_backoff(INITIAL_BACKOFF, MAX_BACKOFF)
    }
}

impl SchedulingQueue {
    /// An empty queue with back-off bounds (`podInitialBackoffSeconds`, `podMaxBackoffSeconds`).
    pub fn with_backoff(initial: SimDuration, max: SimDuration) -> Self {
        SchedulingQueue {
            initial_backoff: initial,
            max_backoff: max,
            active: BTreeSet::new(),
            backoff: BTreeSet::new(),
            error_backoff: BTreeSet::new(),
            unschedulable: BTreeMap::new(),
            info: BTreeMap::new(),
            where_: BTreeMap::new(),
        }
    }

    /// Every pod the queue tracks (active, backing off, unschedulable, in flight).
    pub fn pods(&self) -> Vec<PodId> {
        self.where_.keys().copied().collect()
    }

    /// Adds a new pod to activeQ.
    pub fn add(&mut self, pod: PodId, priority: i32, uid: u64, now: SimTime) {
        if self.where_.contains_key(&pod) {
            return;
        }
        let q = QueuedPod {
            pod,
            priority,
            timestamp: now,
            uid,
            attempts: 0,
            rejectors: Rejectors::default(),
        };
        self.active.insert(key(&q));
        self.info.insert(pod, q);
        self.where_.insert(pod, Where::Active);
    }

    /// Pops the head of activeQ; when activeQ is empty, the head of backoffQ even if it is
    /// still backing off (SchedulerPopFromBackoffQ, on by default since v1.33). The pod is then
    /// in flight.
    pub fn pop(&mut self) -> Option<QueuedPod> {
        let k = match self.active.pop_first() {
            Some(k) => k,
            None => self.backoff.pop_first()?.1,
        };
        let q = self.info[&k.3];
        self.where_.insert(q.pod, Where::InFlight);
        Some(q)
    }

    /// True when a pop would return a pod (activeQ, or the plugin backoffQ).
    pub fn has_active(&self) -> bool {
        !self.active.is_empty() || !self.backoff.is_empty()
    }

    /// Forgets a pod (bound or deleted).
    pub fn remove(&mut self, pod: PodId) {
        let Some(w) = self.where_.remove(&pod) else {
            return;
        };
        let q = self.info.remove(&pod).expect("tracked");
        match w {
            Where::Active => {
                self.active.remove(&key(&q));
            }
            Where::Backoff(t, error) => {
                if error {
                    self.error_backoff.remove(&(t, key(&q)));
                } else {
                    self.backoff.remove(&(t, key(&q)));
                }
            }
            Where::Unschedulable => {
                self.unschedulable.remove(&pod);
            }
            Where::InFlight => {}
        }
    }

    /// Returns a pod that failed a cycle: to backoffQ when `move_request_during_flight` (an
    /// event that may help arrived meanwhile), otherwise to the unschedulable pool.
    pub fn requeue_failed(
        &mut self,
        pod: PodId,
        now: SimTime,
        rejectors: Rejectors,
        move_request_during_flight: bool,
    ) {
        let Some(q) = self.info.get_mut(&pod) else {
            return;
        };
        q.attempts += 1;
        q.timestamp = now;
        q.rejectors = rejectors;
        let q = *q;
        if move_request_during_flight || rejectors.is_empty() {
            // Failures without a rejecting plugin (errors) go to the error backoff queue.
            self.move_one(q, now);
        } else {
            self.unschedulable.insert(pod, q);
            self.where_.insert(pod, Where::Unschedulable);
        }
    }

    /// `MoveAllToActiveOrBackoffQueue`: a cluster event may make unschedulable pods fit.
    pub fn move_all(&mut self, now: SimTime) -> bool {
        let pods: Vec<QueuedPod> = std::mem::take(&mut self.unschedulable)
            .into_values()
            .collect();
        let moved = !pods.is_empty();
        for q in pods {
            self.move_one(q, now);
        }
        moved
    }

    /// Moves the unschedulable pods that `event` may help (their rejecting plugins registered
    /// for it) to activeQ or backoffQ. Returns true if any moved.
    pub fn move_for(&mut self, event: ClusterEvent, now: SimTime) -> bool {
        let pods: Vec<PodId> = self
            .unschedulable
            .values()
            .filter(|q| q.rejectors.interested(event))
            .map(|q| q.pod)
            .collect();
        for p in &pods {
            let q = self.unschedulable.remove(p).expect("listed");
            self.move_one(q, now);
        }
        !pods.is_empty()
    }

    /// To backoffQ while backing off, else activeQ (`isPodBackingoff` with SchedulerPopFromBackoffQ:
    /// the expiry is truncated to its second, and a pod backs off while that second is not yet
    /// over).
    fn move_one(&mut self, q: QueuedPod, now: SimTime) {
        let backing_off = q.attempts > 0 && {
            let window = self.window(&q);
            window >= floor_second(now)
        };
        if backing_off {
            let window = self.window(&q);
            let error = q.rejectors.is_empty();
            if error {
                self.error_backoff.insert((window, key(&q)));
            } else {
                self.backoff.insert((window, key(&q)));
            }
            self.where_.insert(q.pod, Where::Backoff(window, error));
        } else {
            self.active.insert(key(&q));
            self.where_.insert(q.pod, Where::Active);
        }
    }

    /// The pod's backoff expiry truncated to its second (`getBackoffTime`).
    fn window(&self, q: &QueuedPod) -> SimTime {
        floor_second(q.timestamp + backoff_with(q.attempts, self.initial_backoff, self.max_backoff))
    }

    /// Moves pods whose back-off expired to activeQ. Returns true if any moved.
    pub fn flush_backoff(&mut self, now: SimTime) -> bool {
        let mut moved = false;
        let current = floor_second(now);
        for set in [&mut self.backoff, &mut self.error_backoff] {
            while let Some(&(t, k)) = set.first() {
                if t >= current {
                    break;
                }
                set.pop_first();
                self.active.insert(k);
                self.where_.insert(k.3, Where::Active);
                moved = true;
            }
        }
        moved
    }

    /// Moves pods unschedulable for longer than 5 minutes back. Returns true if any moved.
    pub fn flush_unschedulable(&mut self, now: SimTime) -> bool {
        let stale: Vec<PodId> = self
            .unschedulable
            .values()
            .filter(|q| now.since(q.timestamp) > MAX_UNSCHEDULABLE)
            .map(|q| q.pod)
            .collect();
        for p in &stale {
            let q = self.unschedulable.remove(p).expect("listed");
            self.move_one(q, now);
        }
        !stale.is_empty()
    }

    /// When the earliest backing-off pod may move to activeQ (the second after its window).
    pub fn next_backoff(&self) -> Option<SimTime> {
        let a = self.backoff.first().map(|(t, _)| *t);
        let b = self.error_backoff.first().map(|(t, _)| *t);
        let w = match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }?;
        Some(w + SimDuration::from_secs(1))
    }

    /// Pods in the unschedulable pool.
    pub fn unschedulable_len(&self) -> usize {
        self.unschedulable.len()
    }

    /// Pods waiting in any queue (not in flight).
    pub fn pending_len(&self) -> usize {
        self.active.len() + self.backoff.len() + self.error_backoff.len() + self.unschedulable.len()
    }

    /// Attempts recorded for a pod.
    pub fn attempts(&self, pod: PodId) -> u32 {
        self.info.get(&pod).map(|q| q.attempts).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ArenaId;

    #[test]
    fn backoff_doubles_to_ten_seconds() {
        let s: Vec<u64> = (0..7)
            .map(|a| backoff_duration(a).as_micros() / 1_000_000)
            .collect();
        assert_eq!(s, vec![0, 1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn priority_then_timestamp_order() {
        let mut q = SchedulingQueue::default();
        let p = |i| PodId::from_parts(i, 0);
        q.add(p(0), 0, 1, SimTime(5));
        q.add(p(1), 10, 2, SimTime(9));
        q.add(p(2), 0, 3, SimTime(1));
        assert_eq!(q.pop().unwrap().pod, p(1));
        assert_eq!(q.pop().unwrap().pod, p(2));
        assert_eq!(q.pop().unwrap().pod, p(0));
    }

    fn fit_rejection() -> Rejectors {
        let mut r = Rejectors::default();
        r.add("NodeResourcesFit");
        r
    }

    #[test]
    fn failed_pods_wait_then_back_off() {
        // A pod rejected at 0.3 s (backoff 1 s → expiry 1.3 s, window 1 s) waits in the
        // unschedulable pool; moved by an event at 0.5 s it backs off until the second after
        // its window (2 s), unless activeQ is empty, when Pop takes it at once.
        let mut q = SchedulingQueue::default();
        let p = PodId::from_parts(0, 0);
        q.add(p, 0, 1, SimTime(0));
        q.pop();
        q.requeue_failed(p, SimTime(300_000), fit_rejection(), false);
        assert_eq!(q.unschedulable_len(), 1);
        assert!(!q.has_active());
        q.move_for(ClusterEvent::AssignedPodDelete, SimTime(500_000));
        assert_eq!(q.next_backoff(), Some(SimTime(2_000_000)));
        assert!(!q.flush_backoff(SimTime(1_999_999)));
        assert!(
            q.has_active(),
            "PopFromBackoffQ: poppable while activeQ is empty"
        );
        assert!(q.flush_backoff(SimTime(2_000_000)));
        assert_eq!(q.pop().unwrap().attempts, 1);
    }

    #[test]
    fn backoff_is_popped_only_when_active_queue_is_empty() {
        let mut q = SchedulingQueue::default();
        let (a, b) = (PodId::from_parts(0, 0), PodId::from_parts(1, 0));
        q.add(a, 0, 1, SimTime(0));
        q.pop();
        q.requeue_failed(a, SimTime(0), fit_rejection(), true);
        q.add(b, 0, 2, SimTime(10));
        assert_eq!(q.pop().unwrap().pod, b, "activeQ first");
        assert_eq!(
            q.pop().unwrap().pod,
            a,
            "then the backoffQ head, still backing off"
        );
    }

    #[test]
    fn errors_back_off_without_early_pop() {
        // No rejecting plugin (e.g. no nodes at all): the error backoff queue, never popped
        // before its backoff completes.
        let mut q = SchedulingQueue::default();
        let p = PodId::from_parts(0, 0);
        q.add(p, 0, 1, SimTime(0));
        q.pop();
        q.requeue_failed(p, SimTime(0), Rejectors::default(), false);
        assert_eq!(q.unschedulable_len(), 0);
        assert!(!q.has_active());
        assert!(q.pop().is_none());
        assert!(q.flush_backoff(SimTime(2_000_000)));
        assert_eq!(q.pop().unwrap().pod, p);
    }
}
