//! `NodeResourcesBalancedAllocation` (`pkg/scheduler/framework/plugins/noderesources/
//! balanced_allocation.go`, v1.36): favours nodes whose resource fractions stay balanced.
//!
//! Uses real requests (no non-zero defaults). Balance of a vector of fractions
//! `f_i = min(requested_i / allocatable_i, 1)`: `B = int((1 − std) × 100)` with `std` the
//! population standard deviation (`|f1 − f2| / 2` for two). v1.36 scores the *change*:
//! `50 + (50 + B(node + pod) − B(node)) / 2`. PreScore skips pods that request nothing; when
//! PreScore is not enabled, Score computes the pod's requests itself (best-effort pods score 0).

use crate::model::{Interner, NodeId, Pod, Sym};
use crate::scheduler::framework::{
    CycleState, NodeInfo, Plugin, PreScorePlugin, ScorePlugin, Status, View,
};

/// The pod's requests for the configured resources (PreScore state).
#[derive(Clone, Debug, Default)]
pub struct PreScoreState {
    /// `(resource, pod request)` per configured resource; `None` resource symbol = cpu/memory.
    pub requests: Vec<(Res, i64)>,
}

/// A configured resource.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Res {
    /// Millicores.
    Cpu,
    /// Bytes.
    Memory,
    /// Bytes.
    Ephemeral,
    /// A scalar resource.
    Scalar(Sym),
}

/// `NodeResourcesBalancedAllocationArgs.resources` (weights are ignored upstream).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalancedArgs {
    /// Resource names.
    pub resources: Vec<String>,
}

impl Default for BalancedArgs {
    fn default() -> Self {
        BalancedArgs {
            resources: vec!["cpu".into(), "memory".into()],
        }
    }
}

/// The plugin.
#[derive(Debug, Default)]
pub struct BalancedAllocation {
    /// Arguments.
    pub args: BalancedArgs,
}

impl Plugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        "NodeResourcesBalancedAllocation"
    }
}

impl BalancedAllocation {
    /// The pod's requests for the configured resources (`calculatePodResourceRequestList`).
    fn pod_requests(&self, pod: &Pod, interner: &Interner) -> PreScoreState {
        let mut requests = Vec::new();
        for r in &self.args.resources {
            let (res, v) = match r.as_str() {
                "cpu" => (Res::Cpu, pod.requests.cpu),
                "memory" => (Res::Memory, pod.requests.memory),
                "ephemeral-storage" => (Res::Ephemeral, pod.requests.ephemeral),
                other => match interner.lookup(other) {
                    Some(s) => (Res::Scalar(s), pod.requests.scalar(s)),
                    None => continue,
                },
            };
            requests.push((res, v));
        }
        PreScoreState { requests }
    }
}

impl PreScoreState {
    /// True when the pod requests none of the configured resources (`isBestEffortPod`).
    fn best_effort(&self) -> bool {
        self.requests.iter().all(|&(_, v)| v == 0)
    }
}

/// Balance score of fractions (`balancedResourceScorer`'s std-dev part).
pub fn balance(fractions: &[f64]) -> i64 {
    let std = match fractions.len() {
        0 | 1 => 0.0,
        2 => (fractions[0] - fractions[1]).abs() / 2.0,
        n => {
            let mean = fractions.iter().sum::<f64>() / n as f64;
            (fractions
                .iter()
                .map(|f| (f - mean) * (f - mean))
                .sum::<f64>()
                / n as f64)
                .sqrt()
        }
    };
    ((1.0 - std) * 100.0) as i64
}

/// v1.36 score from the balance with and without the pod.
pub fn change_score(with: i64, without: i64) -> i64 {
    50 + (50 + with - without) / 2
}

impl PreScorePlugin for BalancedAllocation {
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        _: &[NodeId],
        view: &View<'_>,
    ) -> Status {
        let st = self.pod_requests(pod, &view.store.interner);
        if st.best_effort() {
            return Status::skip();
        }
        state.balanced = Some(st);
        Status::success()
    }
}

impl ScorePlugin for BalancedAllocation {
    fn node_local(&self) -> bool {
        true
    }

    fn score(&self, state: &CycleState, pod: &Pod, info: &NodeInfo<'_>, view: &View<'_>) -> i64 {
        let node = info.node;
        // Without PreScore's state (PreScore not enabled), compute the requests here; a
        // best-effort pod then scores 0.
        let computed;
        let st = match &state.balanced {
            Some(st) => st,
            None => {
                computed = self.pod_requests(pod, &view.store.interner);
                if computed.best_effort() {
                    return 0;
                }
                &computed
            }
        };
        let mut with: smallvec::SmallVec<[f64; 4]> = smallvec::SmallVec::new();
        let mut without: smallvec::SmallVec<[f64; 4]> = smallvec::SmallVec::new();
        for &(res, pod_req) in &st.requests {
            let (node_req, alloc) = match res {
                Res::Cpu => (node.requested.cpu, node.allocatable.cpu),
                Res::Memory => (node.requested.memory, node.allocatable.memory),
                Res::Ephemeral => (node.requested.ephemeral, node.allocatable.ephemeral),
                Res::Scalar(s) => {
                    if pod_req == 0 {
                        continue; // scalar resources the pod does not request are skipped
                    }
                    (node.requested.scalar(s), node.allocatable.scalar(s))
                }
            };
            if alloc == 0 {
                continue;
            }
            with.push(((node_req + pod_req) as f64 / alloc as f64).min(1.0));
            without.push((node_req as f64 / alloc as f64).min(1.0));
        }
        change_score(balance(&with), balance(&without))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v136_formula() {
        // balanced_allocation_test.go (post-#135573): empty node, pod 3000m/4000 cpu and
        // 5000/10000 memory: 100 → 87, score 68.
        assert_eq!(balance(&[0.75, 0.5]), 87);
        assert_eq!(change_score(87, 100), 68);
        // No change in balance: 75.
        assert_eq!(change_score(90, 90), 75);
        // Perfectly balanced → maximally imbalanced: 50; the reverse: 100.
        assert_eq!(change_score(50, 100), 50);
        assert_eq!(change_score(100, 50), 100);
    }
}
