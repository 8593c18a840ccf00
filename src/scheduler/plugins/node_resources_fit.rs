//! `NodeResourcesFit` (`pkg/scheduler/framework/plugins/noderesources/fit.go` and the scoring
//! strategies in `least_allocated.go`, `resource_allocation.go`).
//!
//! Filter: pod count, then cpu, memory, ephemeral storage and every extended resource the pod
//! requests, against allocatable minus what bound pods request; a shortfall larger than the
//! whole allocatable is unresolvable. Score (LeastAllocated, cpu and memory weight 1): per
//! resource `(allocatable - requested) * 100 / allocatable` using the non-zero requests (100m
//! cpu / 200Mi memory for containers that state none), weighted average, integer arithmetic.

use crate::model::{Node, Pod};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, MAX_NODE_SCORE, Plugin, ScorePlugin, Status, View,
};
use std::borrow::Cow;

/// The NodeResourcesFit plugin (LeastAllocated scoring).
#[derive(Debug, Default)]
pub struct NodeResourcesFit;

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        "NodeResourcesFit"
    }
}

impl FilterPlugin for NodeResourcesFit {
    fn filter(&self, _: &CycleState, pod: &Pod, node: &Node, view: &View<'_>) -> Status {
        let mut st = Status::success();
        let mut unresolvable = false;
        let mut fail = |reason: Cow<'static, str>, whole_node_too_small: bool| {
            st.code = crate::scheduler::framework::Code::Unschedulable;
            st.reasons.push(reason);
            unresolvable |= whole_node_too_small;
        };
        if node.pod_count + 1 > node.allowed_pods {
            fail(Cow::Borrowed("Too many pods"), false);
        }
        let r = &pod.requests;
        if r.is_zero() {
            return st;
        }
        let a = &node.allocatable;
        let u = &node.requested;
        if r.cpu > 0 && r.cpu > a.cpu - u.cpu {
            fail(Cow::Borrowed("Insufficient cpu"), r.cpu > a.cpu);
        }
        if r.memory > 0 && r.memory > a.memory - u.memory {
            fail(Cow::Borrowed("Insufficient memory"), r.memory > a.memory);
        }
        if r.ephemeral > 0 && r.ephemeral > a.ephemeral - u.ephemeral {
            fail(
                Cow::Borrowed("Insufficient ephemeral-storage"),
                r.ephemeral > a.ephemeral,
            );
        }
        for &(name, v) in &r.scalars {
            if v > 0 && v > a.scalar(name) - u.scalar(name) {
                let n = view.store.interner.resolve(name);
                fail(Cow::Owned(format!("Insufficient {n}")), v > a.scalar(name));
            }
        }
        if unresolvable {
            st.code = crate::scheduler::framework::Code::UnschedulableAndUnresolvable;
        }
        st
    }
}

/// LeastAllocated for one resource: `(capacity - requested) * MaxNodeScore / capacity`.
pub fn least_allocated(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

impl ScorePlugin for NodeResourcesFit {
    fn score(&self, _: &CycleState, pod: &Pod, node: &Node, _: &View<'_>) -> i64 {
        let mut total = 0;
        let mut weights = 0;
        for (req, alloc) in [
            (node.non_zero_cpu + pod.non_zero_cpu, node.allocatable.cpu),
            (
                node.non_zero_memory + pod.non_zero_memory,
                node.allocatable.memory,
            ),
        ] {
            if alloc == 0 {
                continue;
            }
            total += least_allocated(req, alloc);
            weights += 1;
        }
        if weights == 0 { 0 } else { total / weights }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_allocated_formula() {
        // least_allocated_test.go: node 4000m/10000, pod 3000m/5000 → (25 + 50) / 2 = 37.
        assert_eq!(
            (least_allocated(3000, 4000) + least_allocated(5000, 10000)) / 2,
            37
        );
        assert_eq!(least_allocated(5000, 4000), 0);
        assert_eq!(least_allocated(0, 0), 0);
    }
}
