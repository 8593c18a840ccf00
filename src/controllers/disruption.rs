//! PodDisruptionBudget arithmetic (`pkg/controller/disruption/disruption.go`:
//! `getExpectedPodCount`, `countHealthyPods`, `updatePdbStatus`): how many pods a budget
//! covers, how many must stay healthy, and how many disruptions it allows now.
//!
//! kubesim computes a budget's status on demand from the store, which equals a disruption
//! controller that is always up to date (upstream's controller lags by its resync). The
//! `disruptedPods` map (pods the Eviction API has just evicted) is not kept.

use crate::api;
use crate::api::meta::IntOrPercent;
use crate::model::{Interner, OwnerRef, Pod, Selector, Sym};
use crate::store::Store;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A PodDisruptionBudget in model form.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Namespace.
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
    /// `spec.selector` (`None`: nil, matches nothing; an empty selector matches every pod
    /// for the controller but nothing for scheduler preemption).
    pub selector: Option<Selector>,
    /// `spec.minAvailable`.
    pub min_available: Option<IntOrPercent>,
    /// `spec.maxUnavailable`.
    pub max_unavailable: Option<IntOrPercent>,
}

/// A budget's status (`PodDisruptionBudgetStatus`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct BudgetStatus {
    /// `expectedPods`.
    pub expected: i32,
    /// `desiredHealthy`.
    pub desired_healthy: i32,
    /// `currentHealthy`.
    pub current_healthy: i32,
    /// `disruptionsAllowed`.
    pub disruptions_allowed: i32,
}

impl Budget {
    /// Converts every stored PodDisruptionBudget, in name order.
    pub fn all(store: &mut Store) -> Vec<Budget> {
        let raw: Vec<(String, api::policy::PodDisruptionBudget)> = store
            .objects_of(api::Kind::PodDisruptionBudget)
            .filter_map(|o| match o.object.as_ref() {
                api::Object::PodDisruptionBudget(p) => {
                    Some((o.object.namespace().to_string(), p.clone()))
                }
                _ => None,
            })
            .collect();
        raw.into_iter()
            .map(|(ns, p)| Budget::from_api(&ns, &p, &mut store.interner))
            .collect()
    }

    /// Converts one budget.
    pub fn from_api(ns: &str, p: &api::policy::PodDisruptionBudget, i: &mut Interner) -> Budget {
        Budget {
            namespace: i.intern(ns),
            name: Arc::from(p.metadata.name.as_deref().unwrap_or("")),
            selector: p
                .spec
                .selector
                .as_ref()
                .map(|s| crate::model::convert::selector(s, i)),
            min_available: p.spec.min_available,
            max_unavailable: p.spec.max_unavailable,
        }
    }

    /// Whether the budget covers `pod` for the disruption controller.
    pub fn covers(&self, pod: &Pod, i: &Interner) -> bool {
        pod.namespace == self.namespace
            && !pod.deleted
            && self
                .selector
                .as_ref()
                .is_some_and(|s| s.matches(&pod.labels, i))
    }

    /// Whether scheduler preemption counts `pod` against the budget (`filterPodsWithPDBViolation`:
    /// pods without labels and nil or empty selectors match nothing).
    pub fn preemption_matches(&self, pod: &Pod, i: &Interner) -> bool {
        pod.namespace == self.namespace
            && !pod.labels.is_empty()
            && self
                .selector
                .as_ref()
                .is_some_and(|s| !s.is_empty() && s.matches(&pod.labels, i))
    }

    /// The budget's status now.
    pub fn status(&self, store: &Store) -> BudgetStatus {
        let pods: Vec<&Pod> = store
            .pods()
            .map(|(_, p)| p)
            .filter(|p| self.covers(p, &store.interner))
            .collect();
        let mut st = BudgetStatus::default();
        if let Some(mu) = self.max_unavailable {
            st.expected = expected_scale(store, &pods);
            let max_unavailable = mu.scaled(st.expected, true);
            st.desired_healthy = (st.expected - max_unavailable).max(0);
        } else if let Some(ma) = self.min_available {
            match ma {
                IntOrPercent::Int(v) => {
                    st.desired_healthy = v;
                    st.expected = pods.len() as i32;
                }
                IntOrPercent::Percent(_) => {
                    st.expected = expected_scale(store, &pods);
                    st.desired_healthy = ma.scaled(st.expected, true);
                }
            }
        }
        st.current_healthy = pods
            .iter()
            .filter(|p| !p.is_terminating() && p.is_ready())
            .count() as i32;
        let allowed = st.current_healthy - st.desired_healthy;
        st.disruptions_allowed = if st.expected <= 0 || allowed <= 0 {
            0
        } else {
            allowed
        };
        st
    }
}

/// `getExpectedScale`: the sum of the scales of the controllers owning the pods (Deployments
/// through their ReplicaSets, ReplicaSets, StatefulSets), each counted once; pods without a
/// scalable controller are left out.
fn expected_scale(store: &Store, pods: &[&Pod]) -> i32 {
    let mut seen: BTreeSet<(u8, u64)> = BTreeSet::new();
    let mut total = 0;
    for p in pods {
        if let Some(OwnerRef::StatefulSet(_)) = p.owner {
            // StatefulSet pods are named `<set>-<ordinal>`; the set's scale is its manifest's.
            let Some((set, _)) = p.name.rsplit_once('-') else {
                continue;
            };
            let Some(o) = store.object(api::Kind::StatefulSet, p.namespace, set) else {
                continue;
            };
            let api::Object::StatefulSet(ss) = o.object.as_ref() else {
                continue;
            };
            if seen.insert((2, o.uid)) {
                total += ss.spec.replicas.unwrap_or(1);
            }
            continue;
        }
        let Some(OwnerRef::ReplicaSet(rs)) = p.owner else {
            continue;
        };
        let Some(r) = store.replicaset(rs) else {
            continue;
        };
        let (key, scale) = match r.owner {
            Some(OwnerRef::Deployment(d)) => match store.deployment(d) {
                Some(d) => ((1, d.uid), d.replicas),
                None => continue,
            },
            _ => ((0, r.uid), r.replicas),
        };
        if seen.insert(key) {
            total += scale;
        }
    }
    total
}
