//! The kubelet's dense per-pod usage rows: one small row per pod slot holding what the load
//! tick and metrics-server's scrape read and write for every pod (cpu in use, cumulative cpu,
//! memory working set, and a mirror of the run's stage, first running container, node and
//! limits). The per-tick passes walk these rows in slot order, touching a few megabytes in
//! sequence instead of one scattered pod run per pod.
//!
//! The rows own the usage figures. The mirrored fields are copied from the pod's run
//! (`PodRun`) when the run changes: every mutable access to a run marks its slot dirty, and
//! [`Rows::sync`] refreshes dirty slots before a pass.

use crate::engine::{Elapsed, SimTime};
use crate::model::{ArenaId, NodeId, PodId};

/// One pod slot's usage row (48 bytes: the per-tick passes stream these, so every byte counts;
/// limits live beside the rows and are read only for pods that have some).
#[derive(Copy, Clone, Debug)]
pub(super) struct Row {
    /// The pod whose run occupies the slot (meaningful when `present`).
    pub(super) pod: PodId,
    /// cpu in use since the last load tick (millicores, after throttling).
    pub(super) cpu: f64,
    /// cpu used up to `cpu_at` (millicore-seconds; the cgroup's cumulative usage).
    pub(super) cpu_total: f64,
    /// When `cpu_total` was last brought up to date.
    pub(super) cpu_at: SimTime,
    /// Memory in use at the last load tick (bytes; counted against the node).
    pub(super) memory: i64,
    /// Mirror: the slot of the node the containers run on ([`NO_NODE`]: not set).
    pub(super) node: u32,
    /// Mirror: the first app container with `running_since` set ([`NO_CONTAINER`]: none).
    pub(super) first_running: u16,
    /// [`PRESENT`], [`RUNNING`], [`LIMITED`].
    flags: u8,
}

/// A run exists for the row's pod.
const PRESENT: u8 = 1;
/// Mirror: the run's stage is `Running` (every container started).
const RUNNING: u8 = 2;
/// Mirror: the pod has a cpu or memory limit (see [`Rows::limits`]).
const LIMITED: u8 = 4;

/// A limit that is not set (no demand exceeds it).
pub(super) const NO_LIMIT: i64 = i64::MAX;
/// No node.
pub(super) const NO_NODE: u32 = u32::MAX;
/// No running container.
pub(super) const NO_CONTAINER: u16 = u16::MAX;
/// No limits at all.
const UNLIMITED: (i64, i64) = (NO_LIMIT, NO_LIMIT);

impl Row {
    /// A row for `pod` with no usage yet (mirrors unset until the next sync).
    fn new(pod: PodId) -> Row {
        Row {
            pod,
            cpu: 0.0,
            cpu_total: 0.0,
            cpu_at: SimTime::ZERO,
            memory: 0,
            node: NO_NODE,
            first_running: NO_CONTAINER,
            flags: 0,
        }
    }

    /// A run exists for `pod`.
    #[inline]
    pub(super) fn present(&self) -> bool {
        self.flags & PRESENT != 0
    }

    /// The run's stage is `Running`.
    #[inline]
    pub(super) fn running(&self) -> bool {
        self.flags & RUNNING != 0
    }

    /// The pod has a cpu or memory limit.
    #[inline]
    pub(super) fn limited(&self) -> bool {
        self.flags & LIMITED != 0
    }

    /// Brings the cumulative cpu up to `now` at the current rate, with the elapsed seconds
    /// since `cpu_at` memoised across rows (most rows of a pass were last brought up to date at
    /// the same instant).
    #[inline]
    pub(super) fn advance_cpu_with(&mut self, now: SimTime, memo: &mut Elapsed) {
        if now > self.cpu_at {
            self.cpu_total += self.cpu * memo.secs(self.cpu_at, now);
            self.cpu_at = now;
        }
    }

    /// Cumulative cpu at `now` (millicore-seconds).
    #[inline]
    pub(super) fn cpu_total_at(&self, now: SimTime) -> f64 {
        self.cpu_total_at_with(now, &mut Elapsed::default())
    }

    /// [`Row::cpu_total_at`] with the elapsed seconds memoised across rows.
    #[inline]
    pub(super) fn cpu_total_at_with(&self, now: SimTime, memo: &mut Elapsed) -> f64 {
        self.cpu_total + self.cpu * memo.secs(self.cpu_at.min(now), now)
    }
}

/// What a row mirrors from a pod run.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(super) struct Mirror {
    /// The run's pod.
    pub(super) pod: PodId,
    /// Stage `Running`.
    pub(super) running: bool,
    /// First running app container.
    pub(super) first_running: Option<u16>,
    /// Node.
    pub(super) node: Option<NodeId>,
    /// Limits.
    pub(super) limits: (Option<i64>, Option<i64>),
}

/// The rows of every pod slot, and the slots whose run changed since the last sync.
#[derive(Debug, Default)]
pub(super) struct Rows {
    /// Rows by pod slot.
    pub(super) rows: Vec<Row>,
    /// Mirror: each slot's cpu (millicores) and memory (bytes) limits, [`NO_LIMIT`] where unset.
    pub(super) limits: Vec<(i64, i64)>,
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
}

impl Rows {
    /// Marks slot `i` for a refresh of its mirrored fields.
    #[inline]
    pub(super) fn mark(&mut self, i: usize) {
        if self.is_dirty.len() <= i {
            self.is_dirty.resize(i + 1, false);
        }
        if !self.is_dirty[i] {
            self.is_dirty[i] = true;
            self.dirty.push(i as u32);
        }
    }

    /// A new run of `pod` (or none) in its slot: its usage starts from zero, as a new run's
    /// does.
    pub(super) fn reset(&mut self, pod: PodId) {
        let i = pod.index() as usize;
        if self.rows.len() <= i {
            self.rows.resize(i + 1, Row::new(vacant()));
            self.limits.resize(i + 1, UNLIMITED);
        }
        self.rows[i] = Row::new(pod);
        self.limits[i] = UNLIMITED;
        self.mark(i);
    }

    /// Refreshes the mirrored fields of every dirty slot from `mirror(i)` (None: no run).
    pub(super) fn sync(&mut self, mut mirror: impl FnMut(usize) -> Option<Mirror>) {
        for k in 0..self.dirty.len() {
            let i = self.dirty[k] as usize;
            self.is_dirty[i] = false;
            if self.rows.len() <= i {
                self.rows.resize(i + 1, Row::new(vacant()));
                self.limits.resize(i + 1, UNLIMITED);
            }
            let r = &mut self.rows[i];
            match mirror(i) {
                Some(m) => {
                    r.pod = m.pod;
                    r.flags = PRESENT
                        | if m.running { RUNNING } else { 0 }
                        | if m.limits != (None, None) { LIMITED } else { 0 };
                    r.first_running = m.first_running.unwrap_or(NO_CONTAINER);
                    r.node = m.node.map_or(NO_NODE, |n| n.index());
                    self.limits[i] = (
                        m.limits.0.unwrap_or(NO_LIMIT),
                        m.limits.1.unwrap_or(NO_LIMIT),
                    );
                }
                None => r.flags = 0,
            }
        }
        self.dirty.clear();
    }

    /// The row of `pod` (its usage; the caller checks that the pod's run exists).
    #[inline]
    pub(super) fn get(&self, pod: PodId) -> Option<&Row> {
        self.rows.get(pod.index() as usize).filter(|r| r.pod == pod)
    }

    /// The row of `pod` to write its usage.
    #[inline]
    pub(super) fn get_mut(&mut self, pod: PodId) -> Option<&mut Row> {
        self.rows
            .get_mut(pod.index() as usize)
            .filter(|r| r.pod == pod)
    }
}

/// Limits as `usage::pod_limits` gives them.
pub(super) fn as_options((c, m): (i64, i64)) -> (Option<i64>, Option<i64>) {
    let l = |v: i64| (v != NO_LIMIT).then_some(v);
    (l(c), l(m))
}

/// The id of no pod (never allocated: arenas hold fewer than `u32::MAX` slots).
fn vacant() -> PodId {
    use crate::model::ArenaId;
    PodId::from_parts(u32::MAX, u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    #[test]
    fn rows_are_one_cache_line_and_mirror_runs() {
        assert_eq!(std::mem::size_of::<Row>(), 48);
        let p = PodId::from_parts(2, 1);
        let mut rows = Rows::default();
        rows.reset(p);
        let m = Mirror {
            pod: p,
            running: true,
            first_running: Some(1),
            node: Some(NodeId::from_parts(4, 0)),
            limits: (Some(500), None),
        };
        rows.sync(|i| (i == 2).then_some(m));
        let r = rows.get(p).expect("row");
        assert!(r.present() && r.running() && r.limited());
        assert_eq!((r.first_running, r.node), (1, 4));
        assert_eq!(as_options(rows.limits[2]), (Some(500), None));
        // Usage integrates at the current rate.
        let r = rows.get_mut(p).expect("row");
        r.cpu = 200.0;
        let t = SimTime::ZERO + SimDuration::from_secs(15);
        assert_eq!(r.cpu_total_at(t), 3000.0);
        let mut memo = Elapsed::default();
        r.advance_cpu_with(t, &mut memo);
        assert_eq!(memo.secs(SimTime::ZERO, t), 15.0);
        assert_eq!((r.cpu_total, r.cpu_at), (3000.0, t));
        // The run goes away: the row is no longer present.
        rows.mark(2);
        rows.sync(|_| None);
        assert!(!rows.get(p).expect("row").present());
        assert!(
            rows.get(PodId::from_parts(2, 2)).is_none(),
            "another pod in the slot"
        );
    }
}
