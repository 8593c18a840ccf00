//! `VolumeRestrictions` (`pkg/scheduler/framework/plugins/volumerestrictions/volume_restrictions.go`):
//! a ReadWriteOncePod claim may be used by one pod only. PreFilter counts the pod's
//! ReadWriteOncePod claims that assigned pods already use (the scheduler cache's claim
//! reference counts, `IsPVCUsedByPods`) and skips the plugin when there is none; Filter
//! rejects every node while any remains. The in-tree disk conflicts (GCE PD, AWS EBS, RBD,
//! iSCSI inline volumes) are not modelled: pods only use PersistentVolumeClaims.

use crate::model::pod::VolumeRef;
use crate::model::{Node, Pod};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, NodeInfo, Plugin, PreFilterPlugin, PreFilterResult, Status, View,
};
use crate::store::volumes::access;

/// `ErrReasonReadWriteOncePodConflict`.
pub const ERR_REASON_RWOP_CONFLICT: &str =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

/// The VolumeRestrictions plugin.
#[derive(Debug, Default)]
pub struct VolumeRestrictions;

impl Plugin for VolumeRestrictions {
    fn name(&self) -> &'static str {
        "VolumeRestrictions"
    }
}

/// How many of `state.rwop_claims` `other` uses.
fn shared(state: &CycleState, other: &Pod) -> i64 {
    other
        .spec
        .volumes
        .iter()
        .filter(|v| match v {
            VolumeRef::Claim(c) => state
                .rwop_claims
                .iter()
                .any(|&(ns, n)| ns == other.namespace && n == *c),
            _ => false,
        })
        .count() as i64
}

impl PreFilterPlugin for VolumeRestrictions {
    fn pre_filter(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        view: &View<'_>,
    ) -> (Status, PreFilterResult) {
        let none = PreFilterResult::default();
        if !super::volume_binding::has_claims(pod) {
            return (Status::skip(), none);
        }
        let store = view.store;
        // readWriteOncePodPVCsForPod
        for v in &pod.spec.volumes {
            let VolumeRef::Claim(name) = v else { continue };
            let n = store.interner.resolve(*name);
            let Some(c) = store
                .claim_by_name(pod.namespace, n)
                .and_then(|id| store.claim(id))
            else {
                return (
                    Status::unresolvable(format!("persistentvolumeclaim \"{n}\" not found")),
                    none,
                );
            };
            if c.access_modes & access::RWOP != 0 {
                state.rwop_claims.push((pod.namespace, *name));
            }
        }
        // calPreFilterState
        state.rwop_conflicts = state
            .rwop_claims
            .iter()
            .filter(|k| view.cache.claim_users.get(k).is_some_and(|&n| n > 0))
            .count() as i64;
        if state.rwop_conflicts == 0 {
            return (Status::skip(), none);
        }
        (Status::success(), none)
    }

    fn add_pod(&self, state: &mut CycleState, _: &Pod, add: &Pod, _: &Node, _: &View<'_>) {
        state.rwop_conflicts += shared(state, add);
    }

    fn remove_pod(&self, state: &mut CycleState, _: &Pod, rm: &Pod, _: &Node, _: &View<'_>) {
        state.rwop_conflicts -= shared(state, rm);
    }
}

impl FilterPlugin for VolumeRestrictions {
    fn filter(&self, state: &CycleState, _: &Pod, _: &NodeInfo<'_>, _: &View<'_>) -> Status {
        if state.rwop_conflicts > 0 {
            Status::unschedulable(ERR_REASON_RWOP_CONFLICT)
        } else {
            Status::success()
        }
    }
}
