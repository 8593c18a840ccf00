//! `VolumeZone` (`pkg/scheduler/framework/plugins/volumezone/volume_zone.go`): a node must be in
//! the zone and region its pod's bound volumes carry as labels (`topology.kubernetes.io/zone`,
//! `.../region` and their `failure-domain.beta.kubernetes.io` forms; a value `a__b` means
//! either). Nodes without any topology label pass (single-zone clusters).

use crate::model::pod::VolumeRef;
use crate::model::{Pod, Sym};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, NodeInfo, Plugin, PreFilterPlugin, PreFilterResult, Status, View,
};
use smallvec::SmallVec;

/// `ErrReasonConflict`.
pub const ERR_REASON_CONFLICT: &str = "node(s) had no available volume zone";

/// The labels the plugin looks at (`topologyLabels`).
pub const TOPOLOGY_LABELS: [&str; 4] = [
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
];

/// One topology label of a volume (`pvTopology`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PvTopology {
    /// Label key.
    pub key: Sym,
    /// The GA form of a beta key (the same key otherwise).
    pub ga_key: Option<Sym>,
    /// Allowed values (`LabelZonesToSet`).
    pub values: SmallVec<[Sym; 2]>,
}

/// The VolumeZone plugin.
#[derive(Debug, Default)]
pub struct VolumeZone;

impl Plugin for VolumeZone {
    fn name(&self) -> &'static str {
        "VolumeZone"
    }
}

fn ga_form(key: &str) -> Option<&'static str> {
    match key {
        "failure-domain.beta.kubernetes.io/zone" => Some("topology.kubernetes.io/zone"),
        "failure-domain.beta.kubernetes.io/region" => Some("topology.kubernetes.io/region"),
        _ => None,
    }
}

impl PreFilterPlugin for VolumeZone {
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
        // getPVbyPod
        let mut out = Vec::new();
        for v in &pod.spec.volumes {
            let VolumeRef::Claim(name) = v else { continue };
            let name = store.interner.resolve(*name);
            let Some(c) = store
                .claim_by_name(pod.namespace, name)
                .and_then(|id| store.claim(id))
            else {
                return (
                    Status::unresolvable(format!("persistentvolumeclaim \"{name}\" not found")),
                    none,
                );
            };
            let Some(pv_name) = &c.volume_name else {
                let class = c.class_name();
                if class.is_empty() {
                    return (
                        Status::unresolvable(
                            "PersistentVolumeClaim had no pv name and storageClass name",
                        ),
                        none,
                    );
                }
                if store.storage_class(class).is_none() {
                    return (
                        Status::unresolvable(format!(
                            "storageclass.storage.k8s.io \"{class}\" not found"
                        )),
                        none,
                    );
                }
                if store.is_delay_binding(class) {
                    continue;
                }
                return (Status::unresolvable("PersistentVolume had no name"), none);
            };
            let Some(pv) = store
                .volume_by_name(pv_name)
                .and_then(|id| store.volume(id))
            else {
                return (
                    Status::unresolvable(format!("persistentvolume \"{pv_name}\" not found")),
                    none,
                );
            };
            for &(k, v) in pv.labels.pairs() {
                let key = store.interner.resolve(k);
                if !TOPOLOGY_LABELS.contains(&key) {
                    continue;
                }
                let values = store
                    .interner
                    .resolve(v)
                    .split("__")
                    .filter_map(|z| store.interner.lookup(z.trim()))
                    .collect();
                out.push(PvTopology {
                    key: k,
                    ga_key: ga_form(key).and_then(|g| store.interner.lookup(g)),
                    values,
                });
            }
        }
        if out.is_empty() {
            return (Status::skip(), none);
        }
        state.volume_zone = out;
        (Status::success(), none)
    }
}

impl FilterPlugin for VolumeZone {
    fn filter(&self, state: &CycleState, _: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> Status {
        if state.volume_zone.is_empty() {
            return Status::success();
        }
        let labels = &node.node.labels;
        let i = &view.store.interner;
        let has_any = TOPOLOGY_LABELS
            .iter()
            .any(|k| i.lookup(k).is_some_and(|k| labels.get(k).is_some()));
        if !has_any {
            return Status::success();
        }
        for t in &state.volume_zone {
            let v = labels
                .get(t.key)
                .or_else(|| t.ga_key.and_then(|g| labels.get(g)));
            if !v.is_some_and(|v| t.values.contains(&v)) {
                return Status::unresolvable(ERR_REASON_CONFLICT);
            }
        }
        Status::success()
    }
}
