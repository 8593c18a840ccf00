//! `NodeAffinity` (`pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`): Filter
//! applies `nodeSelector` and required node affinity; Score sums the weights of matching
//! preferred terms, normalised by the highest.

use crate::model::pod::NodeSelectorTerm;
use crate::model::{Node, NodeId, Pod};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, MAX_NODE_SCORE, Plugin, ScorePlugin, Status, View, default_normalize,
};

/// Reason upstream reports.
pub const REASON: &str = "node(s) didn't match Pod's node affinity/selector";

/// The NodeAffinity plugin.
#[derive(Debug, Default)]
pub struct NodeAffinity;

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }
}

/// Whether a node matches a node selector term (an empty term matches nothing).
pub fn term_matches(t: &NodeSelectorTerm, node: &Node, view: &View<'_>) -> bool {
    if t.labels.is_empty() && t.fields.is_empty() {
        return false;
    }
    let i = &view.store.interner;
    if !t.labels.matches(&node.labels, i) {
        return false;
    }
    if !t.fields.is_empty() {
        // matchFields only supports metadata.name: evaluate against a one-label set.
        let key = t.fields.reqs[0].key;
        let set = crate::model::LabelSet::from_pairs(vec![(key, node.name)]);
        if !t.fields.matches(&set, i) {
            return false;
        }
    }
    true
}

/// Whether the pod's node selector and required affinity admit `node`.
pub fn required_matches(pod: &Pod, node: &Node, view: &View<'_>) -> bool {
    if !pod
        .spec
        .node_selector
        .iter()
        .all(|&(k, v)| node.labels.get(k) == Some(v))
    {
        return false;
    }
    match &pod.spec.node_affinity.required {
        Some(terms) => terms.iter().any(|t| term_matches(t, node, view)),
        None => true,
    }
}

impl FilterPlugin for NodeAffinity {
    fn pre_filter(&self, state: &mut CycleState, pod: &Pod, _: &View<'_>) -> Status {
        state.has_preferred_node_affinity = !pod.spec.node_affinity.preferred.is_empty();
        Status::success()
    }

    fn filter(&self, _: &CycleState, pod: &Pod, node: &Node, view: &View<'_>) -> Status {
        if required_matches(pod, node, view) {
            Status::success()
        } else {
            Status::unresolvable(REASON)
        }
    }
}

impl ScorePlugin for NodeAffinity {
    fn pre_score(&self, state: &mut CycleState, pod: &Pod, _: &[NodeId], _: &View<'_>) -> Status {
        state.has_preferred_node_affinity = !pod.spec.node_affinity.preferred.is_empty();
        if state.has_preferred_node_affinity {
            Status::success()
        } else {
            Status::skip()
        }
    }

    fn score(&self, _: &CycleState, pod: &Pod, node: &Node, view: &View<'_>) -> i64 {
        pod.spec
            .node_affinity
            .preferred
            .iter()
            .filter(|(_, t)| term_matches(t, node, view))
            .map(|(w, _)| *w as i64)
            .sum()
    }

    fn normalize(&self, _: &CycleState, scores: &mut [i64]) {
        default_normalize(MAX_NODE_SCORE, false, scores);
    }
}
