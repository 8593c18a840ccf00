//! `VolumeBinding` (`pkg/scheduler/framework/plugins/volumebinding/volume_binding.go` and
//! `binder.go`): a pod's PersistentVolumeClaims must be bound, or bindable from the node.
//!
//! PreFilter sorts the pod's claims into bound, unbound WaitForFirstConsumer ("delay") and
//! unbound Immediate ones; an unbound Immediate claim makes the pod unschedulable until the PV
//! controller binds it. Filter (`FindPodVolumes`) checks bound volumes' node affinity, and for
//! delay claims looks for a matching Available volume reachable from the node
//! (`findMatchingVolumes`) or a class whose provisioner and `allowedTopologies` admit the node
//! (`checkVolumeProvisions`). PreBind (`BindPodVolumes`) pre-binds the chosen static volumes and
//! annotates claims to provision with the selected node, then waits (the pod is not bound yet)
//! until the PV controller has bound every claim. Storage capacity tracking
//! (CSIStorageCapacity) and the StorageCapacityScoring score are not modelled.

use crate::controllers::volume::{find_matching_volume, volume_reachable};
use crate::engine::SimDuration;
use crate::model::pod::VolumeRef;
use crate::model::{Node, NodeId, Pod, PodId};
use crate::scheduler::framework::{
    Code, CycleState, FilterPlugin, NodeInfo, Plugin, PreBindPlugin, PreFilterPlugin,
    PreFilterResult, Status, View,
};
use crate::store::Store;
use crate::store::volumes::{ClaimId, NOT_SUPPORTED_PROVISIONER, VolumeId};
use std::sync::Arc;

/// `ErrReasonBindConflict`.
pub const ERR_REASON_BIND_CONFLICT: &str =
    "node(s) didn't find available persistent volumes to bind";
/// `ErrReasonNodeConflict`.
pub const ERR_REASON_NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
/// `ErrReasonPVNotExist`.
pub const ERR_REASON_PV_NOT_EXIST: &str =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/// PreFilter's reason for unbound Immediate claims.
pub const ERR_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

/// The pod's claims as PreFilter sorted them (`PodVolumeClaims`).
#[derive(Clone, Debug, Default)]
pub struct PodVolumeClaims {
    /// Bound claims.
    pub bound: Vec<ClaimId>,
    /// Unbound claims of WaitForFirstConsumer classes.
    pub delay: Vec<ClaimId>,
}

/// The VolumeBinding plugin.
#[derive(Debug)]
pub struct VolumeBinding {
    /// `bindTimeoutSeconds` (default 600).
    pub bind_timeout: SimDuration,
}

impl Default for VolumeBinding {
    fn default() -> Self {
        VolumeBinding {
            bind_timeout: SimDuration::from_secs(600),
        }
    }
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        "VolumeBinding"
    }
}

/// True when the pod has a PersistentVolumeClaim volume.
pub fn has_claims(pod: &Pod) -> bool {
    pod.spec
        .volumes
        .iter()
        .any(|v| matches!(v, VolumeRef::Claim(_)))
}

/// `GetPodVolumeClaims` (after `podHasPVCs`): `Err` carries the PreFilter status.
pub fn pod_volume_claims(pod: &Pod, store: &Store) -> Result<PodVolumeClaims, Status> {
    let mut out = PodVolumeClaims::default();
    let mut immediate = false;
    for v in &pod.spec.volumes {
        let VolumeRef::Claim(name) = v else { continue };
        let name = store.interner.resolve(*name);
        let Some(id) = store.claim_by_name(pod.namespace, name) else {
            return Err(Status::unresolvable(format!(
                "persistentvolumeclaim \"{name}\" not found"
            )));
        };
        let c = store.claim(id).expect("indexed");
        if c.is_bound() {
            out.bound.push(id);
        } else if store.is_delay_binding(c.class_name()) && c.volume_name.is_none() {
            out.delay.push(id);
        } else {
            immediate = true;
        }
    }
    if immediate {
        return Err(Status::unresolvable(ERR_UNBOUND_IMMEDIATE));
    }
    Ok(out)
}

/// What `FindPodVolumes` decided for one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodVolumes {
    /// Claims to bind to existing volumes.
    pub static_bindings: Vec<(ClaimId, VolumeId)>,
    /// Claims to provision.
    pub dynamic_provisions: Vec<ClaimId>,
    /// Why the node does not fit (empty: it fits).
    pub reasons: Vec<&'static str>,
}

/// `FindPodVolumes` for `node`; `Err` is an internal error (a missing class).
pub fn find_pod_volumes(
    claims: &PodVolumeClaims,
    node: &Node,
    store: &Store,
) -> Result<PodVolumes, String> {
    let mut out = PodVolumes::default();
    let mut bound_satisfied = true;
    let mut unbound_satisfied = true;
    let mut pvs_found = true;
    // checkBoundClaims
    for &c in &claims.bound {
        let claim = store.claim(c).expect("indexed");
        let vol = claim
            .volume_name
            .as_deref()
            .and_then(|n| store.volume_by_name(n))
            .and_then(|v| store.volume(v));
        match vol {
            None => {
                pvs_found = false;
                break;
            }
            Some(v) if !volume_reachable(store, v, node) => {
                bound_satisfied = false;
                break;
            }
            Some(_) => {}
        }
    }
    'delay: {
        if claims.delay.is_empty() {
            break 'delay;
        }
        let mut to_match = Vec::new();
        let mut to_provision = Vec::new();
        for &c in &claims.delay {
            let claim = store.claim(c).expect("indexed");
            match &claim.selected_node {
                Some(sel) => {
                    if **sel != *store.interner.resolve(node.name) {
                        unbound_satisfied = false;
                        break 'delay;
                    }
                    to_provision.push(c);
                }
                None => to_match.push(c),
            }
        }
        if !to_match.is_empty() {
            // findMatchingVolumes: smallest requests first, each volume chosen once.
            to_match.sort_by_key(|&c| store.claim(c).map(|c| c.request).unwrap_or(0));
            let mut chosen: Vec<VolumeId> = Vec::new();
            for c in to_match {
                let claim = store.claim(c).expect("indexed");
                let candidates = store.volumes_of_class(claim.class_name());
                match find_matching_volume(store, claim, candidates, Some(node), &chosen, true) {
                    Some(v) => {
                        chosen.push(v);
                        out.static_bindings.push((c, v));
                    }
                    None => {
                        unbound_satisfied = false;
                        to_provision.push(c);
                    }
                }
            }
        }
        if !to_provision.is_empty() {
            // checkVolumeProvisions
            unbound_satisfied = true;
            for &c in &to_provision {
                let claim = store.claim(c).expect("indexed");
                let class = claim.class_name();
                if class.is_empty() {
                    return Err(format!(
                        "no class for claim \"{}/{}\"",
                        store.interner.resolve(claim.namespace),
                        claim.name
                    ));
                }
                let Some(sc) = store.storage_class(class) else {
                    return Err(format!("failed to find storage class \"{class}\""));
                };
                if sc.provisioner.is_empty()
                    || sc.provisioner == NOT_SUPPORTED_PROVISIONER
                    || !topology_admits(&sc.allowed_topologies, node, store)
                {
                    unbound_satisfied = false;
                    out.dynamic_provisions.clear();
                    break 'delay;
                }
                out.dynamic_provisions.push(c);
            }
        }
    }
    if !bound_satisfied {
        out.reasons.push(ERR_REASON_NODE_CONFLICT);
    }
    if !unbound_satisfied {
        out.reasons.push(ERR_REASON_BIND_CONFLICT);
    }
    if !pvs_found {
        out.reasons.push(ERR_REASON_PV_NOT_EXIST);
    }
    Ok(out)
}

/// `MatchTopologySelectorTerms`: no terms admit every node; otherwise some term's every
/// requirement must have the node's label value among its values.
pub fn topology_admits(
    terms: &[crate::api::storage::TopologySelectorTerm],
    node: &Node,
    store: &Store,
) -> bool {
    if terms.is_empty() {
        return true;
    }
    terms.iter().any(|t| {
        t.match_label_expressions.iter().all(|r| {
            store
                .interner
                .lookup(&r.key)
                .and_then(|k| node.labels.get(k))
                .is_some_and(|v| r.values.iter().any(|x| x == store.interner.resolve(v)))
        })
    })
}

impl PreFilterPlugin for VolumeBinding {
    fn pre_filter(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        view: &View<'_>,
    ) -> (Status, PreFilterResult) {
        if !has_claims(pod) {
            return (Status::skip(), PreFilterResult::default());
        }
        match pod_volume_claims(pod, view.store) {
            Ok(c) => {
                state.volume_binding = Some(c);
                (Status::success(), PreFilterResult::default())
            }
            Err(st) => (st, PreFilterResult::default()),
        }
    }
}

impl FilterPlugin for VolumeBinding {
    fn filter(&self, state: &CycleState, _: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> Status {
        let Some(claims) = &state.volume_binding else {
            return Status::success();
        };
        match find_pod_volumes(claims, node.node, view.store) {
            Err(e) => Status::new(Code::Error, e),
            Ok(v) if v.reasons.is_empty() => Status::success(),
            Ok(v) => {
                let mut st = Status::unresolvable(v.reasons[0]);
                st.reasons
                    .extend(v.reasons[1..].iter().map(|r| (*r).into()));
                st
            }
        }
    }
}

impl PreBindPlugin for VolumeBinding {
    fn pre_bind(&self, pod: &Pod, _: PodId, node: NodeId, store: &mut Store) -> Status {
        if !has_claims(pod) {
            return Status::skip();
        }
        let claims = match pod_volume_claims(pod, store) {
            Ok(c) => c,
            Err(st) => {
                return Status::new(Code::Error, format!("binding volumes: {}", st.message()));
            }
        };
        if claims.delay.is_empty() {
            return Status::success();
        }
        let Some(n) = store.node(node) else {
            return Status::new(Code::Error, "binding volumes: node not found");
        };
        let node_name = store.interner.resolve_arc(n.name);
        // Claims already in the PV controller's hands: provisioning for this node, or a
        // volume pre-bound to them.
        let mut fresh = PodVolumeClaims::default();
        for &c in &claims.delay {
            let claim = store.claim(c).expect("indexed");
            if claim.selected_node.as_deref() == Some(&*node_name)
                || store
                    .volume_for_claim(claim.namespace, &claim.name)
                    .is_some()
            {
                continue;
            }
            if claim.selected_node.is_some() {
                return Status::new(
                    Code::Error,
                    "binding volumes: claim was provisioned for another node",
                );
            }
            fresh.delay.push(c);
        }
        if !fresh.delay.is_empty() {
            let found = match find_pod_volumes(&fresh, n, store) {
                Ok(f) => f,
                Err(e) => return Status::new(Code::Error, format!("binding volumes: {e}")),
            };
            if !found.reasons.is_empty() {
                return Status::new(
                    Code::Error,
                    format!("binding volumes: {}", found.reasons.join(", ")),
                );
            }
            for (c, v) in found.static_bindings {
                store.prebind_volume(v, c);
            }
            for c in found.dynamic_provisions {
                store.set_claim_selected_node(c, Some(Arc::clone(&node_name)));
            }
        }
        Status::new(Code::Wait, "waiting for volumes to bind")
    }

    fn timeout(&self) -> SimDuration {
        self.bind_timeout
    }
}
