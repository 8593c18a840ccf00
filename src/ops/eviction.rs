//! The Eviction API (`pkg/registry/core/pod/storage/eviction.go`): deletes a pod unless a
//! PodDisruptionBudget forbids the disruption. Used by `kubectl drain` (`ops::drain`) and by
//! anything else that evicts "politely".

use crate::controllers::disruption::Budget;
use crate::engine::SimDuration;
use crate::model::PodId;
use crate::model::pod::{DisruptionReason, PodPhase};
use crate::store::{PodDelta, Store};

/// What the API server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvictionResult {
    /// The pod is being deleted (or was deleted at once).
    Evicted,
    /// The pod does not exist (any more): 404, which `kubectl drain` counts as done.
    NotFound,
    /// 429 TooManyRequests: a budget allows no disruption now; retry later. The message is the
    /// status message with its cause, as kubectl prints it.
    TooManyRequests(String),
    /// Another error (500: more than one budget covers the pod).
    Failed(String),
}

/// The 429 message the Eviction API returns when a budget allows no disruption.
pub const VIOLATES_BUDGET: &str =
    "Cannot evict pod as it would violate the pod's disruption budget.";

/// Evicts pod `p` with the given grace period (None: the pod's own).
pub fn evict(store: &mut Store, p: PodId, grace: Option<SimDuration>) -> EvictionResult {
    let Some(pod) = store.pod(p) else {
        return EvictionResult::NotFound;
    };
    if pod.deleted {
        return EvictionResult::NotFound;
    }
    // `canIgnorePDB`: terminal or pending pods, and pods already being deleted.
    let ignore_pdb = matches!(
        pod.status.phase,
        PodPhase::Succeeded | PodPhase::Failed | PodPhase::Pending
    ) || pod.is_terminating();
    if !ignore_pdb {
        let budgets = Budget::all(store);
        let pod = store.pod(p).expect("checked above");
        // `getPodDisruptionBudgets`: same namespace; nil or empty selectors match nothing.
        let matching: Vec<&Budget> = budgets
            .iter()
            .filter(|b| {
                b.namespace == pod.namespace
                    && b.selector
                        .as_ref()
                        .is_some_and(|s| !s.is_empty() && s.matches(&pod.labels, &store.interner))
            })
            .collect();
        if matching.len() > 1 {
            return EvictionResult::Failed(
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.".into(),
            );
        }
        if let Some(b) = matching.first() {
            let st = b.status(store);
            let unready_ok = !pod.is_ready()
                && st.current_healthy >= st.desired_healthy
                && st.desired_healthy > 0;
            if !unready_ok && st.disruptions_allowed <= 0 {
                return EvictionResult::TooManyRequests(format!(
                    "{VIOLATES_BUDGET} The disruption budget {} needs {} healthy pods and has {} currently",
                    b.name, st.desired_healthy, st.current_healthy
                ));
            }
        }
    }
    let already = store.pod(p).is_some_and(|x| x.is_terminating());
    if !already {
        store.update_pod_status(p, PodDelta::STATUS, |s| {
            s.disruption_target = Some(DisruptionReason::EvictionByEvictionAPI)
        });
    }
    if !store.mark_pod_deleting(p, grace) {
        store.delete_pod(p);
    }
    EvictionResult::Evicted
}
