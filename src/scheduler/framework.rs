//! The scheduling framework: one trait per extension point, statuses with upstream's codes and
//! reason strings, and the per-cycle state plugins precompute into.
//!
//! Mirrors `staging/src/k8s.io/kube-scheduler/framework/interface.go`. A plugin struct may
//! implement several extension points; a profile holds them in configuration order.

use crate::model::{Node, NodeId, Pod, PodId};
use crate::store::Store;
use smallvec::SmallVec;
use std::borrow::Cow;

/// Highest score a Score plugin may return after normalisation.
pub const MAX_NODE_SCORE: i64 = 100;
/// Lowest score.
pub const MIN_NODE_SCORE: i64 = 0;

/// Status codes (`fwk.Code`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// The plugin is satisfied.
    Success,
    /// Internal error.
    Error,
    /// Not schedulable here now; preemption may help.
    Unschedulable,
    /// Not schedulable here; preemption cannot help.
    UnschedulableAndUnresolvable,
    /// The plugin does not apply to this pod (skip its later extension points).
    Skip,
}

/// A plugin's verdict with reasons (no allocation for static reasons).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Code.
    pub code: Code,
    /// Human-readable reasons, as upstream words them.
    pub reasons: SmallVec<[Cow<'static, str>; 1]>,
}

impl Status {
    /// Success.
    pub fn success() -> Self {
        Status {
            code: Code::Success,
            reasons: SmallVec::new(),
        }
    }

    /// Skip.
    pub fn skip() -> Self {
        Status {
            code: Code::Skip,
            reasons: SmallVec::new(),
        }
    }

    /// A status with one reason.
    pub fn new(code: Code, reason: impl Into<Cow<'static, str>>) -> Self {
        let mut reasons = SmallVec::new();
        reasons.push(reason.into());
        Status { code, reasons }
    }

    /// Unschedulable with one reason.
    pub fn unschedulable(reason: impl Into<Cow<'static, str>>) -> Self {
        Status::new(Code::Unschedulable, reason)
    }

    /// UnschedulableAndUnresolvable with one reason.
    pub fn unresolvable(reason: impl Into<Cow<'static, str>>) -> Self {
        Status::new(Code::UnschedulableAndUnresolvable, reason)
    }

    /// True for Success.
    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }
}

/// Per-cycle data plugins compute once in PreFilter/PreScore and read per node. Reused across
/// cycles (cleared, never reallocated).
#[derive(Debug, Default)]
pub struct CycleState {
    /// Plugins whose Filter is skipped this cycle (by index in the profile's filter list).
    pub skip_filter: SmallVec<[usize; 4]>,
    /// Plugins whose Score is skipped this cycle.
    pub skip_score: SmallVec<[usize; 4]>,
    /// NodeAffinity: the pod has preferred terms.
    pub has_preferred_node_affinity: bool,
    /// TaintToleration: indexes of the pod's tolerations with effect PreferNoSchedule or empty.
    pub prefer_no_schedule_tolerations: SmallVec<[usize; 4]>,
}

impl CycleState {
    /// Resets for a new cycle.
    pub fn clear(&mut self) {
        self.skip_filter.clear();
        self.skip_score.clear();
        self.has_preferred_node_affinity = false;
        self.prefer_no_schedule_tolerations.clear();
    }
}

/// Read-only view a plugin gets of the cluster.
pub struct View<'a> {
    /// The store.
    pub store: &'a Store,
}

/// Every plugin has a name.
pub trait Plugin {
    /// The plugin's registered name (`NodeResourcesFit`...).
    fn name(&self) -> &'static str;
}

/// Filter (with optional PreFilter).
pub trait FilterPlugin: Plugin {
    /// Once per cycle. A non-success code other than Skip fails the cycle for every node.
    fn pre_filter(&self, _state: &mut CycleState, _pod: &Pod, _view: &View<'_>) -> Status {
        Status::success()
    }
    /// Whether `pod` can go on `node`.
    fn filter(&self, state: &CycleState, pod: &Pod, node: &Node, view: &View<'_>) -> Status;
}

/// Score (with optional PreScore and NormalizeScore).
pub trait ScorePlugin: Plugin {
    /// Once per cycle, over the feasible nodes. Skip disables this plugin's Score.
    fn pre_score(
        &self,
        _state: &mut CycleState,
        _pod: &Pod,
        _nodes: &[NodeId],
        _view: &View<'_>,
    ) -> Status {
        Status::success()
    }
    /// Raw score of `node`.
    fn score(&self, state: &CycleState, pod: &Pod, node: &Node, view: &View<'_>) -> i64;
    /// Maps raw scores into `[0, 100]` (default: unchanged).
    fn normalize(&self, _state: &CycleState, _scores: &mut [i64]) {}
}

/// Binds a pod (DefaultBinder posts the Binding).
pub trait BindPlugin: Plugin {
    /// Binds `pod` to `node` through the store.
    fn bind(&self, pod: PodId, node: NodeId, store: &mut Store) -> Status;
}

/// `helper.DefaultNormalizeScore`: scales to `[0, max]` by the largest score, optionally
/// reversed.
pub fn default_normalize(max: i64, reverse: bool, scores: &mut [i64]) {
    let highest = scores.iter().copied().max().unwrap_or(0);
    if highest == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = max);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = max * *s / highest;
        *s = if reverse { max - v } else { v };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_normalize_matches_upstream() {
        // helper/normalize_score_test.go cases.
        let mut s = vec![1, 2, 3, 4];
        default_normalize(100, false, &mut s);
        assert_eq!(s, vec![25, 50, 75, 100]);
        let mut s = vec![1, 2, 3, 4];
        default_normalize(100, true, &mut s);
        assert_eq!(s, vec![75, 50, 25, 0]);
        let mut s = vec![0, 0];
        default_normalize(100, true, &mut s);
        assert_eq!(s, vec![100, 100]);
        let mut s = vec![0, 0];
        default_normalize(100, false, &mut s);
        assert_eq!(s, vec![0, 0]);
    }
}
