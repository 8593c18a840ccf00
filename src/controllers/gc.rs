//! The garbage collector (`pkg/controller/garbagecollector`), background propagation: when an
//! owner is deleted its dependents are deleted after it — a Deployment's ReplicaSets, a
//! ReplicaSet's pods.

use crate::sim::Ctx;
use crate::store::{Change, Op};

/// The garbage collector.
#[derive(Debug, Default)]
pub struct GarbageCollector;

impl GarbageCollector {
    /// Watch handler: deletes the dependents of a deleted owner.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Deployment(id, Op::Deleted) => {
                for rs in cx.store.replicasets_of(id) {
                    cx.store.delete_replicaset(rs);
                }
            }
            Change::ReplicaSet(id, Op::Deleted) => {
                let pods: Vec<_> = cx
                    .store
                    .replicaset(id)
                    .map(|r| r.pods.iter().copied().collect())
                    .unwrap_or_default();
                for p in pods {
                    if !cx.store.mark_pod_deleting(p, None) {
                        cx.store.delete_pod(p);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Deletes the pods of a deleted owner (background propagation): gracefully when bound and
/// running, at once otherwise.
pub fn delete_owned_pods(pods: &[crate::model::PodId], cx: &mut Ctx<'_>) {
    for &p in pods {
        if !cx.store.mark_pod_deleting(p, None) {
            cx.store.delete_pod(p);
        }
    }
}
