//! The Vertical Pod Autoscaler's admission controller (a mutating webhook):
//! `vertical-pod-autoscaler/pkg/admission-controller/resource/pod/` (`handler.go`,
//! `recommendation/recommendation_provider.go`, `patch/resource_updates.go`) and
//! `pkg/utils/vpa/limit_and_request_scaling.go` (`GetProportionalLimit`).
//!
//! A pod created for a workload that a VPA in any mode but `Off` targets gets each
//! recommended container's requests set to the recommendation's target, and (with
//! `controlledValues: RequestsAndLimits`, the default) its limits scaled to keep the original
//! limit-to-request ratio. The `vpaUpdates` annotation records what changed. Containers
//! without a recommendation are left alone; a VPA without a recommendation yet changes
//! nothing. The webhook runs after LimitRanger's defaults, as mutating webhooks follow the
//! built-in mutating admission plugins, so a LimitRange default limit counts as the original.

use crate::model::pod::PodSpec;
use std::sync::Arc;

/// The annotation recording the webhook's changes (`ResourceUpdatesAnnotation`).
pub const ANNOTATION: &str = "vpaUpdates";

/// One container's recommendation as the webhook applies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPatch {
    /// Container name.
    pub container: Arc<str>,
    /// Target cpu request, millicores.
    pub cpu: i64,
    /// Target memory request, bytes.
    pub memory: i64,
    /// `controlledValues: RequestsAndLimits` (limits scale with the requests).
    pub limits_too: bool,
}

/// What the webhook applies to a workload's new pods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpaPatch {
    /// The VPA's name (for the annotation).
    pub vpa: Arc<str>,
    /// Per recommended container.
    pub containers: Vec<ContainerPatch>,
}

/// `getProportionalResourceLimit`: the limit that keeps the original limit-to-request
/// ratio for the new request (`None`: leave the limit unset). cpu is scaled in millicores,
/// memory in bytes, both with integer division (`big.Int.Div`).
pub fn proportional_limit(
    original_limit: i64,
    original_request: i64,
    recommended: i64,
) -> Option<i64> {
    if original_limit == 0 || recommended == 0 {
        return None;
    }
    if original_request == 0 || original_request == original_limit {
        return Some(recommended);
    }
    let scaled = original_limit as i128 * recommended as i128 / original_request as i128;
    Some(scaled.min(i64::MAX as i128) as i64)
}

/// Applies `patch` to a pod spec: the new spec and the `vpaUpdates` annotation's value, or
/// `None` when no container has a recommendation.
pub fn apply(spec: &PodSpec, patch: &VpaPatch) -> Option<(PodSpec, String)> {
    let mut out = spec.clone();
    let mut parts = Vec::new();
    for (i, c) in out.containers.iter_mut().enumerate() {
        let Some(r) = patch.containers.iter().find(|r| r.container == c.name) else {
            continue;
        };
        let mut changed = Vec::new();
        // Requests are set for every resource the recommendation has (cpu and memory).
        let (old_cpu, old_mem) = (c.requests.cpu, c.requests.memory);
        let (had_cpu, had_mem) = (c.has_cpu_request, c.has_memory_request);
        c.requests.cpu = r.cpu;
        c.requests.memory = r.memory;
        c.has_cpu_request = true;
        c.has_memory_request = true;
        changed.push("cpu request");
        changed.push("memory request");
        if r.limits_too {
            let old_cpu = if had_cpu { old_cpu } else { 0 };
            let old_mem = if had_mem { old_mem } else { 0 };
            if let Some(l) = proportional_limit(c.limits.cpu, old_cpu, r.cpu) {
                c.limits.cpu = l;
                changed.push("cpu limit");
            }
            if let Some(l) = proportional_limit(c.limits.memory, old_mem, r.memory) {
                c.limits.memory = l;
                changed.push("memory limit");
            }
        }
        parts.push(format!("container {i}: {}", changed.join(", ")));
    }
    if parts.is_empty() {
        return None;
    }
    let note = format!(
        "Pod resources updated by {}: {}",
        patch.vpa,
        parts.join("; ")
    );
    Some((out, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_keep_their_ratio_to_requests() {
        // limit_and_request_scaling_test.go TestGetProportionalLimit cases.
        // "scale proportionally": request 1, limit 2, recommendation 10 -> limit 20.
        assert_eq!(proportional_limit(2, 1, 10), Some(20));
        // "no limit": nothing set.
        assert_eq!(proportional_limit(0, 1, 10), None);
        // "no request": limit equals the recommendation.
        assert_eq!(proportional_limit(2, 0, 10), Some(10));
        // "limit equal to request": limit follows the recommendation.
        assert_eq!(proportional_limit(5, 5, 7), Some(7));
        // Integer division, as big.Int.Div: 3 * 10 / 4 = 7.
        assert_eq!(proportional_limit(3, 4, 10), Some(7));
        // Overflow caps at MaxInt64.
        assert_eq!(proportional_limit(i64::MAX, 1, 2), Some(i64::MAX));
    }
}
