//! `TaintToleration` (`pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`):
//! Filter rejects nodes with an untolerated NoSchedule/NoExecute taint; Score counts
//! untolerated PreferNoSchedule taints, normalised in reverse (fewer is better).

use crate::model::pod::TaintEffect;
use crate::model::{NodeId, Pod};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, MAX_NODE_SCORE, NodeInfo, Plugin, PreScorePlugin, ScorePlugin,
    Status, View, default_normalize,
};

/// Reason upstream reports (v1.35+ wording).
pub const REASON: &str = "node(s) had untolerated taint(s)";

/// The TaintToleration plugin.
#[derive(Debug, Default)]
pub struct TaintToleration;

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        "TaintToleration"
    }
}

impl FilterPlugin for TaintToleration {
    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, _: &CycleState, pod: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> Status {
        let i = &view.store.interner;
        let untolerated = node.node.taints.iter().any(|t| {
            matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute)
                && !pod.spec.tolerations.iter().any(|tol| tol.tolerates(t, i))
        });
        if untolerated {
            Status::unresolvable(REASON)
        } else {
            Status::success()
        }
    }
}

impl PreScorePlugin for TaintToleration {
    fn pre_score(&self, state: &mut CycleState, pod: &Pod, _: &[NodeId], _: &View<'_>) -> Status {
        state.prefer_no_schedule_tolerations.clear();
        for (k, t) in pod.spec.tolerations.iter().enumerate() {
            if t.effect.is_none() || t.effect == Some(TaintEffect::PreferNoSchedule) {
                state.prefer_no_schedule_tolerations.push(k);
            }
        }
        Status::success()
    }
}

impl ScorePlugin for TaintToleration {
    fn normalizes(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn score(&self, state: &CycleState, pod: &Pod, info: &NodeInfo<'_>, view: &View<'_>) -> i64 {
        let node = info.node;
        let i = &view.store.interner;
        node.taints
            .iter()
            .filter(|t| t.effect == TaintEffect::PreferNoSchedule)
            .filter(|t| {
                !state
                    .prefer_no_schedule_tolerations
                    .iter()
                    .any(|&k| pod.spec.tolerations[k].tolerates(t, i))
            })
            .count() as i64
    }

    fn normalize(&self, _: &CycleState, scores: &mut [i64]) {
        default_normalize(MAX_NODE_SCORE, true, scores);
    }
}
