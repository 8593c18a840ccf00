//! `NodeResourcesFit` (`pkg/scheduler/framework/plugins/noderesources/fit.go`, with the scoring
//! strategies of `least_allocated.go`, `most_allocated.go`, `requested_to_capacity_ratio.go`,
//! `resource_allocation.go` and `plugins/helper/shape_score.go`).
//!
//! Filter: pod count, then cpu, memory, ephemeral storage and every extended resource the pod
//! requests, against allocatable minus what assigned pods request; a shortfall larger than the
//! whole allocatable is unresolvable; extended resources named in `ignoredResources` or
//! `ignoredResourceGroups` are skipped (native ones such as `kubernetes.io/…` never are).
//! Score: the configured strategy over the configured resources (default LeastAllocated over
//! cpu and memory, weight 1 each), utilisation *after* placing the pod, with the scheduler's
//! non-zero defaults (100m cpu / 200Mi memory) for cpu and memory, integer arithmetic.

use crate::model::{Node, Pod, Sym};
use crate::scheduler::framework::{
    Code, CycleState, FilterPlugin, MAX_NODE_SCORE, NodeInfo, Plugin, PreFilterPlugin,
    PreFilterResult, PreScorePlugin, ScorePlugin, Status, View,
};
use std::borrow::Cow;

/// Scoring strategies (`ScoringStrategyType`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Prefer nodes with the most room left (spreading).
    LeastAllocated,
    /// Prefer the fullest nodes (bin packing).
    MostAllocated,
    /// A piecewise-linear function of utilisation: `(utilization %, score 0..10)` points.
    RequestedToCapacityRatio(Vec<(i64, i64)>),
}

/// A resource the score considers, with its weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceWeight {
    /// `cpu`, `memory`, `ephemeral-storage` or an extended resource.
    pub name: String,
    /// Weight 1..100.
    pub weight: i64,
}

/// `NodeResourcesFitArgs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FitArgs {
    /// Scoring strategy.
    pub strategy: Strategy,
    /// Resources scored.
    pub resources: Vec<ResourceWeight>,
    /// Resources the filter ignores.
    pub ignored_resources: Vec<String>,
    /// Resource-name prefixes (`example.com` for `example.com/foo`) the filter ignores.
    pub ignored_resource_groups: Vec<String>,
}

impl Default for FitArgs {
    fn default() -> Self {
        FitArgs {
            strategy: Strategy::LeastAllocated,
            resources: vec![
                ResourceWeight {
                    name: "cpu".into(),
                    weight: 1,
                },
                ResourceWeight {
                    name: "memory".into(),
                    weight: 1,
                },
            ],
            ignored_resources: Vec::new(),
            ignored_resource_groups: Vec::new(),
        }
    }
}

/// The NodeResourcesFit plugin.
#[derive(Debug, Default)]
pub struct NodeResourcesFit {
    /// Arguments.
    pub args: FitArgs,
}

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        "NodeResourcesFit"
    }
}

/// `v1helper.IsExtendedResourceName`: a domain-prefixed name outside `kubernetes.io/`
/// (native resources such as `hugepages-2Mi` or `kubernetes.io/…` are not extended).
fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/") && !name.starts_with("requests.")
}

impl NodeResourcesFit {
    /// Only extended resources can be ignored (`fitsRequest`).
    fn ignored(&self, name: &str) -> bool {
        is_extended(name)
            && (self.args.ignored_resources.iter().any(|r| r == name)
                || name.split_once('/').is_some_and(|(group, _)| {
                    self.args.ignored_resource_groups.iter().any(|g| g == group)
                }))
    }
}

impl PreFilterPlugin for NodeResourcesFit {
    fn pre_filter(&self, _: &mut CycleState, _: &Pod, _: &View<'_>) -> (Status, PreFilterResult) {
        (Status::success(), PreFilterResult::default())
    }
}

impl FilterPlugin for NodeResourcesFit {
    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, _: &CycleState, pod: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> Status {
        let mut st = Status::success();
        let mut unresolvable = false;
        let mut fail = |reason: Cow<'static, str>, whole_node_too_small: bool| {
            st.code = Code::Unschedulable;
            st.reasons.push(reason);
            unresolvable |= whole_node_too_small;
        };
        let n = node.node;
        if node.pod_count() + 1 > n.allowed_pods {
            fail(Cow::Borrowed("Too many pods"), false);
        }
        let r = &pod.requests;
        if r.is_zero() {
            return st;
        }
        let a = &n.allocatable;
        let u = node.requested();
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
            let nm = view.store.interner.resolve(name);
            if v > 0 && !self.ignored(nm) && v > a.scalar(name) - u.scalar(name) {
                fail(Cow::Owned(format!("Insufficient {nm}")), v > a.scalar(name));
            }
        }
        if unresolvable {
            st.code = Code::UnschedulableAndUnresolvable;
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

/// MostAllocated for one resource: `requested * MaxNodeScore / capacity`, requested clamped.
pub fn most_allocated(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 {
        return 0;
    }
    requested.min(capacity) * MAX_NODE_SCORE / capacity
}

/// The broken-linear function of `helper.BuildBrokenLinearFunction`, over points
/// `(utilization, score)` with scores already scaled to 0..100.
pub fn broken_linear(shape: &[(i64, i64)], p: i64) -> i64 {
    for (i, &(u, s)) in shape.iter().enumerate() {
        if p <= u {
            if i == 0 {
                return s;
            }
            let (u0, s0) = shape[i - 1];
            return s0 + (s - s0) * (p - u0) / (u - u0);
        }
    }
    shape.last().map(|&(_, s)| s).unwrap_or(0)
}

/// RequestedToCapacityRatio for one resource (`requested_to_capacity_ratio.go`).
pub fn requested_to_capacity_ratio(shape: &[(i64, i64)], requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return broken_linear(shape, 100);
    }
    broken_linear(shape, (requested as i128 * 100 / capacity as i128) as i64)
}

impl NodeResourcesFit {
    /// The node's score for `pod` (`resourceAllocationScorer.score`).
    pub fn score_node(&self, pod: &Pod, node: &Node, interner: &crate::model::Interner) -> i64 {
        let mut total: i64 = 0;
        let mut weights: i64 = 0;
        let shape: Vec<(i64, i64)> = match &self.args.strategy {
            Strategy::RequestedToCapacityRatio(s) => s
                .iter()
                .map(|&(u, sc)| (u, sc * MAX_NODE_SCORE / 10))
                .collect(),
            _ => Vec::new(),
        };
        for rw in &self.args.resources {
            let (requested, alloc) = match rw.name.as_str() {
                "cpu" => (node.non_zero_cpu + pod.non_zero_cpu, node.allocatable.cpu),
                "memory" => (
                    node.non_zero_memory + pod.non_zero_memory,
                    node.allocatable.memory,
                ),
                "ephemeral-storage" => (
                    node.requested.ephemeral + pod.requests.ephemeral,
                    node.allocatable.ephemeral,
                ),
                other => {
                    let Some(s) = interner.lookup(other) else {
                        continue;
                    };
                    let req = pod.requests.scalar(s);
                    if req == 0 {
                        continue; // extended resources the pod does not request are skipped
                    }
                    (node.requested.scalar(s) + req, node.allocatable.scalar(s))
                }
            };
            if alloc == 0 {
                continue;
            }
            let s = match &self.args.strategy {
                Strategy::LeastAllocated => least_allocated(requested, alloc),
                Strategy::MostAllocated => most_allocated(requested, alloc),
                Strategy::RequestedToCapacityRatio(_) => {
                    let s = requested_to_capacity_ratio(&shape, requested, alloc);
                    if s <= 0 {
                        continue; // only contributing resources count
                    }
                    s
                }
            };
            total += s * rw.weight;
            weights += rw.weight;
        }
        if weights == 0 {
            return 0;
        }
        match self.args.strategy {
            Strategy::RequestedToCapacityRatio(_) => {
                crate::engine::num::round_i64((total as f64) / (weights as f64))
            }
            _ => total / weights,
        }
    }
}

/// Upstream's PreScore computes the pod's requests once per cycle; kubesim keeps them on the
/// pod already, so there is nothing to precompute.
impl PreScorePlugin for NodeResourcesFit {
    fn pre_score(
        &self,
        _: &mut CycleState,
        _: &Pod,
        _: &[crate::model::NodeId],
        _: &View<'_>,
    ) -> Status {
        Status::success()
    }
}

impl ScorePlugin for NodeResourcesFit {
    fn node_local(&self) -> bool {
        true
    }

    fn score(&self, _: &CycleState, pod: &Pod, info: &NodeInfo<'_>, view: &View<'_>) -> i64 {
        let node = info.node;
        self.score_node(pod, node, &view.store.interner)
    }
}

/// Symbols of the configured resources (for callers that pre-resolve them).
pub fn resource_syms(args: &FitArgs, i: &mut crate::model::Interner) -> Vec<Sym> {
    args.resources.iter().map(|r| i.intern(&r.name)).collect()
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

    #[test]
    fn only_extended_resources_are_ignored() {
        // fit.go fitsRequest: the ignore lists apply to v1helper.IsExtendedResourceName only.
        let fit = NodeResourcesFit {
            args: FitArgs {
                ignored_resources: vec!["example.com/a".into(), "kubernetes.io/b".into()],
                ignored_resource_groups: vec!["example.org".into(), "kubernetes.io".into()],
                ..Default::default()
            },
        };
        assert!(fit.ignored("example.com/a"));
        assert!(fit.ignored("example.org/x"));
        assert!(!fit.ignored("example.com/other"));
        assert!(!fit.ignored("kubernetes.io/b"));
        assert!(!fit.ignored("kubernetes.io/x"));
        assert!(!fit.ignored("hugepages-2Mi"));
    }

    #[test]
    fn broken_linear_shape() {
        // shape_score_test: {0→0, 100→100} is the identity; points interpolate with truncation.
        let s = [(0, 0), (100, 100)];
        assert_eq!(broken_linear(&s, 37), 37);
        let s = [(10, 10), (50, 90), (100, 20)];
        assert_eq!(broken_linear(&s, 5), 10);
        assert_eq!(broken_linear(&s, 30), 50);
        assert_eq!(broken_linear(&s, 75), 55);
        assert_eq!(broken_linear(&s, 110), 20);
    }
}
