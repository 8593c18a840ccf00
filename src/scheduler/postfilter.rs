//! PostFilter: what runs when no node fits (preemption). Plugins get a [`Preemptor`] that can
//! run the profile's PreFilter extensions and Filters against hypothetical node states; they
//! return a decision, which the scheduler carries out.

use super::FitError;
use super::framework::{CycleState, NodeDelta, NodeInfo, Plugin, Status, View};
use super::profile::Profile;
use crate::engine::SimRng;
use crate::model::{Node, NodeId, Pod, PodId};
use crate::scenario::TieBreak;

/// A preemption decision: nominate `node` and evict `victims`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nomination {
    /// The node the preemptor is nominated to.
    pub node: NodeId,
    /// Pods to evict.
    pub victims: Vec<PodId>,
}

/// What a PostFilter result does to the pod's `status.nominatedNodeName`
/// (`NominatingMode`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nominating {
    /// Leave it as it is.
    Noop,
    /// Clear it (preemption found no candidate).
    Clear,
    /// Nominate the node and evict the victims.
    Set(Nomination),
}

/// What a PostFilter plugin returns.
#[derive(Clone, Debug)]
pub struct PostFilterResult {
    /// Success (a nomination was made), Unschedulable (with a message) or
    /// UnschedulableAndUnresolvable.
    pub status: Status,
    /// The effect on the nomination.
    pub nominating: Nominating,
}

/// PostFilter.
pub trait PostFilterPlugin: Plugin {
    /// Called with the failed cycle's statuses.
    fn post_filter(&self, p: &mut Preemptor<'_, '_>, pod: &Pod, fit: &FitError)
    -> PostFilterResult;
}

/// The framework as PostFilter plugins see it.
pub struct Preemptor<'a, 'b> {
    /// Read-only cluster view.
    pub view: &'a View<'b>,
    /// The profile in use.
    pub profile: &'a Profile,
    /// The cycle state after PreFilter.
    pub state: &'a CycleState,
    /// The scheduler's seeded stream (offsets and final tie-breaks).
    pub rng: &'a mut SimRng,
    /// The preemptor's id.
    pub pod_id: PodId,
    /// How final ties are broken.
    pub tie_break: TieBreak,
}

impl Preemptor<'_, '_> {
    /// Runs every Filter of the profile (skipping those PreFilter skipped) on a node view.
    pub fn run_filters(&self, state: &CycleState, pod: &Pod, info: &NodeInfo<'_>) -> Status {
        self.profile.run_filters(state, pod, info, self.view).1
    }

    /// `RunPreFilterExtensionRemovePod`.
    pub fn remove_pod(&self, state: &mut CycleState, pod: &Pod, victim: &Pod, node: &Node) {
        for p in &self.profile.pre_filter {
            if !state.skip_filter.contains(&p.name()) {
                p.remove_pod(state, pod, victim, node, self.view);
            }
        }
    }

    /// `RunPreFilterExtensionAddPod`.
    pub fn add_pod(&self, state: &mut CycleState, pod: &Pod, added: &Pod, node: &Node) {
        for p in &self.profile.pre_filter {
            if !state.skip_filter.contains(&p.name()) {
                p.add_pod(state, pod, added, node, self.view);
            }
        }
    }

    /// `RunFilterPluginsWithNominatedPods` on a node with hypothetical changes.
    pub fn filters_with_nominated(
        &self,
        state: &CycleState,
        pod: &Pod,
        id: NodeId,
        delta: &NodeDelta,
    ) -> Status {
        super::runtime::run_filters_with_nominated(
            self.profile,
            state,
            pod,
            self.pod_id,
            id,
            Some(delta),
            self.view,
        )
        .1
    }
}
