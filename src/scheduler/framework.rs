//! The scheduling framework: one trait per extension point, statuses with upstream's codes and
//! reason strings, the per-cycle state plugins precompute into, and the node view filters see.
//!
//! Mirrors `staging/src/k8s.io/kube-scheduler/framework/interface.go`. A plugin struct may
//! implement several extension points; the registry (`registry.rs`) hands out one shared
//! instance per profile, coerced to each trait it implements.

use super::cache::Cache;
use super::nominator::Nominator;
use crate::model::pod::HostPort;
use crate::model::resources::Resources;
use crate::model::{Node, NodeId, Pod, PodId, Sym};
use crate::store::Store;
use smallvec::SmallVec;
use std::borrow::Cow;
use std::collections::BTreeSet;

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
    /// Wait (Permit).
    Wait,
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

    /// The reasons joined with ", " (`Status.Message()`).
    pub fn message(&self) -> String {
        self.reasons
            .iter()
            .map(|r| r.as_ref())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a PreFilter returns besides its status: optionally, the only nodes worth filtering.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreFilterResult {
    /// Node names; `None` means all nodes.
    pub node_names: Option<BTreeSet<Sym>>,
}

/// Changes to a node for preemption dry runs and nominated pods: pods removed or added
/// hypothetically.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeDelta {
    /// Requests of pods added.
    pub add: Resources,
    /// Requests of pods removed.
    pub sub: Resources,
    /// Non-zero cpu/memory added minus removed.
    pub non_zero: (i64, i64),
    /// Pod count change.
    pub pods: i64,
    /// Host ports added.
    pub add_ports: Vec<HostPort>,
    /// Host ports removed.
    pub sub_ports: Vec<HostPort>,
    /// Pods removed.
    pub removed: Vec<PodId>,
    /// Pods added.
    pub added: Vec<PodId>,
}

impl NodeDelta {
    /// Records `pod` as removed from the node.
    pub fn remove(&mut self, id: PodId, pod: &Pod) {
        self.sub.add(&pod.requests);
        self.non_zero.0 -= pod.non_zero_cpu;
        self.non_zero.1 -= pod.non_zero_memory;
        self.pods -= 1;
        self.sub_ports.extend(pod.spec.host_ports.iter().copied());
        self.removed.push(id);
    }

    /// Undoes [`NodeDelta::remove`] for `pod` (preemption's reprieve).
    pub fn restore(&mut self, id: PodId, pod: &Pod) {
        self.sub.sub(&pod.requests);
        self.non_zero.0 += pod.non_zero_cpu;
        self.non_zero.1 += pod.non_zero_memory;
        self.pods += 1;
        for p in &pod.spec.host_ports {
            if let Some(i) = self.sub_ports.iter().position(|x| x == p) {
                self.sub_ports.swap_remove(i);
            }
        }
        if let Some(i) = self.removed.iter().position(|&x| x == id) {
            self.removed.swap_remove(i);
        }
    }

    /// Records `pod` as added to the node.
    pub fn add(&mut self, id: PodId, pod: &Pod) {
        self.add.add(&pod.requests);
        self.non_zero.0 += pod.non_zero_cpu;
        self.non_zero.1 += pod.non_zero_memory;
        self.pods += 1;
        self.add_ports.extend(pod.spec.host_ports.iter().copied());
        self.added.push(id);
    }
}

/// A node as Filter plugins see it: the stored node, possibly with hypothetical changes.
#[derive(Clone, Copy, Debug)]
pub struct NodeInfo<'a> {
    /// Id.
    pub id: NodeId,
    /// The node.
    pub node: &'a Node,
    /// Hypothetical changes (preemption, nominated pods).
    pub delta: Option<&'a NodeDelta>,
}

impl<'a> NodeInfo<'a> {
    /// The node as stored.
    pub fn plain(id: NodeId, node: &'a Node) -> Self {
        NodeInfo {
            id,
            node,
            delta: None,
        }
    }

    /// Requested resources, including the delta.
    pub fn requested(&self) -> Cow<'a, Resources> {
        match self.delta {
            None => Cow::Borrowed(&self.node.requested),
            Some(d) => {
                let mut r = self.node.requested.clone();
                r.add(&d.add);
                r.sub(&d.sub);
                Cow::Owned(r)
            }
        }
    }

    /// Non-zero cpu and memory requested, including the delta.
    pub fn non_zero_requested(&self) -> (i64, i64) {
        let (c, m) = (self.node.non_zero_cpu, self.node.non_zero_memory);
        match self.delta {
            None => (c, m),
            Some(d) => (c + d.non_zero.0, m + d.non_zero.1),
        }
    }

    /// Pods bound, including the delta.
    pub fn pod_count(&self) -> i64 {
        self.node.pod_count + self.delta.map(|d| d.pods).unwrap_or(0)
    }

    /// Host ports in use, including the delta.
    pub fn ports(&self) -> impl Iterator<Item = HostPort> + '_ {
        let removed: &[HostPort] = self.delta.map(|d| d.sub_ports.as_slice()).unwrap_or(&[]);
        let added: &[HostPort] = self.delta.map(|d| d.add_ports.as_slice()).unwrap_or(&[]);
        let mut skip: SmallVec<[HostPort; 4]> = removed.iter().copied().collect();
        self.node
            .used_ports
            .iter()
            .copied()
            .filter(move |p| match skip.iter().position(|x| x == p) {
                Some(i) => {
                    skip.swap_remove(i);
                    false
                }
                None => true,
            })
            .chain(added.iter().copied())
    }

    /// Whether a pod on the node is removed by the delta.
    pub fn is_removed(&self, p: PodId) -> bool {
        self.delta.is_some_and(|d| d.removed.contains(&p))
    }
}

/// Per-cycle data plugins compute once in PreFilter/PreScore and read per node. Cloned for
/// preemption dry runs; reused across cycles.
#[derive(Clone, Debug, Default)]
pub struct CycleState {
    /// Plugins whose Filter is skipped this cycle.
    pub skip_filter: SmallVec<[&'static str; 4]>,
    /// The same as a bit mask over the profile's Filter plugins (bit i: `filter[i]`).
    pub skip_filter_mask: u64,
    /// Plugins whose Score is skipped this cycle.
    pub skip_score: SmallVec<[&'static str; 4]>,
    /// TaintToleration: indexes of the pod's tolerations with effect PreferNoSchedule or empty.
    pub prefer_no_schedule_tolerations: SmallVec<[usize; 4]>,
    /// PodTopologySpread filter state.
    pub pts_filter: Option<super::plugins::pod_topology_spread::FilterState>,
    /// PodTopologySpread score state.
    pub pts_score: Option<super::plugins::pod_topology_spread::ScoreState>,
    /// InterPodAffinity filter state.
    pub ipa_filter: Option<super::plugins::inter_pod_affinity::FilterState>,
    /// InterPodAffinity score state.
    pub ipa_score: Option<super::plugins::inter_pod_affinity::ScoreState>,
    /// NodeResourcesBalancedAllocation: the pod's requests for the configured resources.
    pub balanced: Option<super::plugins::balanced_allocation::PreScoreState>,
    /// VolumeBinding: the pod's claims by binding state.
    pub volume_binding: Option<super::plugins::volume_binding::PodVolumeClaims>,
    /// VolumeZone: the zone/region labels of the pod's bound volumes.
    pub volume_zone: Vec<super::plugins::volume_zone::PvTopology>,
    /// VolumeRestrictions: pods using the pod's ReadWriteOncePod claims.
    pub rwop_conflicts: i64,
    /// VolumeRestrictions: the pod's ReadWriteOncePod claims (namespace, name).
    pub rwop_claims: SmallVec<[(Sym, Sym); 1]>,
}

impl CycleState {
    /// Resets for a new cycle.
    pub fn clear(&mut self) {
        self.skip_filter.clear();
        self.skip_filter_mask = 0;
        self.skip_score.clear();
        self.prefer_no_schedule_tolerations.clear();
        self.pts_filter = None;
        self.pts_score = None;
        self.ipa_filter = None;
        self.ipa_score = None;
        self.balanced = None;
        self.volume_binding = None;
        self.volume_zone.clear();
        self.rwop_conflicts = 0;
        self.rwop_claims.clear();
    }
}

/// Read-only view a plugin gets of the cluster: the store, the scheduler's cache, the
/// nominated pods, and the nodes in iteration order.
pub struct View<'a> {
    /// The store.
    pub store: &'a Store,
    /// Incrementally maintained scheduler indexes.
    pub cache: &'a Cache,
    /// Pods nominated to nodes by preemption.
    pub nominator: &'a Nominator,
    /// All nodes in the scheduler's order.
    pub nodes: &'a [NodeId],
}

/// Every plugin has a name.
pub trait Plugin {
    /// The plugin's registered name (`NodeResourcesFit`...).
    fn name(&self) -> &'static str;
}

/// PreEnqueue: may keep a pod out of the active queue (scheduling gates).
pub trait PreEnqueuePlugin: Plugin {
    /// Success lets the pod in; anything else parks it.
    fn pre_enqueue(&self, pod: &Pod) -> Status;
}

/// QueueSort: orders the active queue (only one may be enabled).
pub trait QueueSortPlugin: Plugin {
    /// True when `a` should be scheduled before `b`.
    fn less(&self, a: &QueuedInfo, b: &QueuedInfo) -> bool;
}

/// What QueueSort compares.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct QueuedInfo {
    /// Pod priority.
    pub priority: i32,
    /// Time added to the queue.
    pub timestamp: crate::engine::SimTime,
}

/// PreFilter (with AddPod/RemovePod extensions for preemption and nominated pods).
pub trait PreFilterPlugin: Plugin {
    /// Once per cycle: Success (optionally narrowing the nodes), Skip (this plugin's Filter is
    /// skipped), Unschedulable or UnschedulableAndUnresolvable (the cycle fails).
    fn pre_filter(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        view: &View<'_>,
    ) -> (Status, PreFilterResult);
    /// `pod_to_add` is hypothetically added to `node` (updates precomputed state).
    fn add_pod(
        &self,
        _state: &mut CycleState,
        _pod: &Pod,
        _pod_to_add: &Pod,
        _node: &Node,
        _view: &View<'_>,
    ) {
    }
    /// `pod_to_remove` is hypothetically removed from `node`.
    fn remove_pod(
        &self,
        _state: &mut CycleState,
        _pod: &Pod,
        _pod_to_remove: &Pod,
        _node: &Node,
        _view: &View<'_>,
    ) {
    }
}

/// Filter.
pub trait FilterPlugin: Plugin {
    /// Whether `pod` can go on `node`.
    fn filter(&self, state: &CycleState, pod: &Pod, node: &NodeInfo<'_>, view: &View<'_>)
    -> Status;
    /// True when the verdict depends only on the node (as the store holds it) and on what
    /// [`crate::model::pod::NodeLocalSignature`] captures of the pod; the scheduler then
    /// reuses verdicts across cycles until the node changes.
    fn node_local(&self) -> bool {
        false
    }
}

/// PreScore.
pub trait PreScorePlugin: Plugin {
    /// Once per cycle over the feasible nodes; Skip disables this plugin's Score.
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        nodes: &[NodeId],
        view: &View<'_>,
    ) -> Status;
}

/// Score (with NormalizeScore).
pub trait ScorePlugin: Plugin {
    /// Raw score of `node`.
    fn score(&self, state: &CycleState, pod: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> i64;
    /// Maps raw scores into `[0, 100]` (default: unchanged).
    fn normalize(&self, _state: &CycleState, _scores: &mut [i64]) {}
    /// True when the raw score depends only on the node and on the pod's
    /// [`crate::model::pod::NodeLocalSignature`] (see [`FilterPlugin::node_local`]).
    fn node_local(&self) -> bool {
        false
    }
    /// True when the plugin implements [`ScorePlugin::normalize`] (node-local plugins that do
    /// not normalise have their weighted scores summed once per node and cached).
    fn normalizes(&self) -> bool {
        false
    }
    /// True when the raw score also reads how many nodes hold each image (and how many nodes
    /// there are): memoised results are dropped when that changes.
    fn reads_image_spread(&self) -> bool {
        false
    }
}

/// Reserve / Unreserve.
pub trait ReservePlugin: Plugin {
    /// After a node is chosen.
    fn reserve(&self, _state: &mut CycleState, _pod: PodId, _node: NodeId) -> Status {
        Status::success()
    }
    /// Undo on a later failure (idempotent).
    fn unreserve(&self, _state: &mut CycleState, _pod: PodId, _node: NodeId) {}
}

/// Permit.
pub trait PermitPlugin: Plugin {
    /// Success, Wait (with a timeout) or a rejection.
    fn permit(
        &self,
        state: &CycleState,
        pod: &Pod,
        node: NodeId,
    ) -> (Status, crate::engine::SimDuration);
}

/// PreBind (may write to the store, e.g. volume bindings).
pub trait PreBindPlugin: Plugin {
    /// Before binding `pod` to `node`: Success proceeds; Wait keeps the pod in binding (it is
    /// not bound yet) until a later call succeeds — the scheduler calls again after claim or
    /// volume changes — or [`PreBindPlugin::timeout`] passes; anything else fails the binding
    /// cycle and the pod is retried.
    fn pre_bind(&self, pod: &Pod, pod_id: PodId, node: NodeId, store: &mut Store) -> Status;
    /// How long a pod may wait in PreBind.
    fn timeout(&self) -> crate::engine::SimDuration {
        crate::engine::SimDuration::from_secs(600)
    }
}

/// Bind.
pub trait BindPlugin: Plugin {
    /// Binds `pod` to `node` through the store; Skip passes to the next bind plugin.
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
