//! The kubelet's dense per-pod usage rows: one small row per pod slot holding what the load
//! tick and metrics-server's scrape read and write for every pod (cpu in use, cumulative cpu,
//! memory working set, and a mirror of the run's stage, first running container, node and
//! limits). The per-tick passes walk these rows in slot order, touching a few megabytes in
//! sequence instead of one scattered pod run per pod.
//!
//! The rows own the usage figures. The mirrored fields are copied from the pod's run
//! (`PodRun`) when the run changes: every mutable access to a run marks its slot dirty, and
//! [`Rows::sync`] refreshes dirty slots before a pass.

use crate::engine::SimTime;
use crate::model::{NodeId, PodId};

/// One pod slot's usage row.
#[derive(Copy, Clone, Debug)]
pub(super) struct Row {
    /// The pod whose run occupies the slot (meaningful when `present`).
    pub(super) pod: PodId,
    /// A run exists for `pod`.
    pub(super) present: bool,
    /// Mirror: the run's stage is `Running` (every container started).
    pub(super) running: bool,
    /// Mirror: the first app container with `running_since` set.
    pub(super) first_running: Option<u16>,
    /// Mirror: the node the containers run on.
    pub(super) node: Option<NodeId>,
    /// Mirror: the pod's cpu and memory limits.
    pub(super) limits: (Option<i64>, Option<i64>),
    /// Memory in use at the last load tick (bytes; counted against the node).
    pub(super) memory: i64,
    /// cpu in use since the last load tick (millicores, after throttling).
    pub(super) cpu: f64,
    /// cpu used up to `cpu_at` (millicore-seconds; the cgroup's cumulative usage).
    pub(super) cpu_total: f64,
    /// When `cpu_total` was last brought up to date.
    pub(super) cpu_at: SimTime,
}

impl Row {
    /// A row for `pod` with no usage yet (mirrors unset until the next sync).
    fn new(pod: PodId) -> Row {
        Row {
            pod,
            present: false,
            running: false,
            first_running: None,
            node: None,
            limits: (None, None),
            memory: 0,
            cpu: 0.0,
            cpu_total: 0.0,
            cpu_at: SimTime::ZERO,
        }
    }

    /// Brings the cumulative cpu up to `now` at the current rate.
    #[inline]
    pub(super) fn advance_cpu(&mut self, now: SimTime) {
        if now > self.cpu_at {
            self.cpu_total += self.cpu * now.since(self.cpu_at).as_secs_f64();
            self.cpu_at = now;
        }
    }

    /// Cumulative cpu at `now` (millicore-seconds).
    #[inline]
    pub(super) fn cpu_total_at(&self, now: SimTime) -> f64 {
        self.cpu_total + self.cpu * now.since(self.cpu_at.min(now)).as_secs_f64()
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
        use crate::model::ArenaId;
        let i = pod.index() as usize;
        if self.rows.len() <= i {
            self.rows.resize(i + 1, Row::new(vacant()));
        }
        self.rows[i] = Row::new(pod);
        self.mark(i);
    }

    /// Refreshes the mirrored fields of every dirty slot from `mirror(i)` (None: no run).
    pub(super) fn sync(&mut self, mut mirror: impl FnMut(usize) -> Option<Mirror>) {
        for k in 0..self.dirty.len() {
            let i = self.dirty[k] as usize;
            self.is_dirty[i] = false;
            if self.rows.len() <= i {
                self.rows.resize(i + 1, Row::new(vacant()));
            }
            let r = &mut self.rows[i];
            match mirror(i) {
                Some(m) => {
                    r.pod = m.pod;
                    r.present = true;
                    r.running = m.running;
                    r.first_running = m.first_running;
                    r.node = m.node;
                    r.limits = m.limits;
                }
                None => r.present = false,
            }
        }
        self.dirty.clear();
    }

    /// The row of `pod` (its usage; the caller checks that the pod's run exists).
    #[inline]
    pub(super) fn get(&self, pod: PodId) -> Option<&Row> {
        use crate::model::ArenaId;
        self.rows.get(pod.index() as usize).filter(|r| r.pod == pod)
    }

    /// The row of `pod` to write its usage.
    #[inline]
    pub(super) fn get_mut(&mut self, pod: PodId) -> Option<&mut Row> {
        use crate::model::ArenaId;
        self.rows
            .get_mut(pod.index() as usize)
            .filter(|r| r.pod == pod)
    }
}

/// The id of no pod (never allocated: arenas hold fewer than `u32::MAX` slots).
fn vacant() -> PodId {
    use crate::model::ArenaId;
    PodId::from_parts(u32::MAX, u32::MAX)
}
