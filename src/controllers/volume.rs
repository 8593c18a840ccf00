//! The PersistentVolume controller (`pkg/controller/volume/persistentvolume/pv_controller.go`)
//! with an external provisioner folded in: binds Immediate claims to the smallest matching
//! Available volume, dynamically provisions a volume for a class with a provisioner (after the
//! scenario's `storage.provisioningDelay`), provisions WaitForFirstConsumer claims once the
//! scheduler has annotated them with the selected node (in that node's zone), completes the
//! scheduler's pre-bindings, and releases or deletes a volume when its claim goes.
//!
//! Upstream resyncs claims every 15 s (`--pvclaimbinder-sync-period`): a claim waiting for a
//! volume created later is bound at the next resync, not at once. kubesim keeps that one
//! timer, armed only while claims are pending. Events are recorded when a claim's own change
//! triggers the sync (upstream repeats them at every resync).

use crate::engine::{SimDuration, SimTime};
use crate::model::Node;
use crate::sim::Ctx;
use crate::sim::event::{Event, StorageWake};
use crate::store::events::{EventType, ObjRef};
use crate::store::volumes::{
    Claim, ClaimId, NOT_SUPPORTED_PROVISIONER, Reclaim, VolumeId, VolumePhase, access,
};
use crate::store::{Change, Op, Store};
use std::collections::{BTreeMap, BTreeSet};

/// The PV controller's event source.
pub const SOURCE: &str = "persistentvolume-controller";
/// `--pvclaimbinder-sync-period`.
pub const RESYNC: SimDuration = SimDuration::from_secs(15);

/// `findMatchingVolume` (`pkg/controller/volume/persistentvolume/util` /
/// `component-helpers/storage/volume/pv_helpers.go`): a volume pre-bound to the claim wins;
/// otherwise the smallest Available volume of the claim's class that is big enough, of the
/// same volume mode, matches the selector and (scheduler path, `node` given) is reachable
/// from the node with the claim's access modes. With `delay_binding` and no node (the
/// controller on a WaitForFirstConsumer claim) only pre-bound volumes are returned.
pub fn find_matching_volume(
    store: &Store,
    claim: &Claim,
    candidates: impl Iterator<Item = VolumeId>,
    node: Option<&Node>,
    excluded: &[VolumeId],
    delay_binding: bool,
) -> Option<VolumeId> {
    let mut smallest: Option<(i64, VolumeId)> = None;
    for id in candidates {
        if excluded.contains(&id) {
            continue;
        }
        let Some(v) = store.volume(id) else { continue };
        if v.deleted {
            continue;
        }
        let bound_to_claim = v
            .claim_ref
            .as_ref()
            .is_some_and(|(ns, n)| *ns == claim.namespace && *n == claim.name);
        if v.claim_ref.is_some() && !bound_to_claim {
            continue;
        }
        if v.capacity < claim.request || v.block != claim.block {
            continue;
        }
        let affinity_ok = node.is_none_or(|n| volume_reachable(store, v, n));
        if bound_to_claim {
            return affinity_ok.then_some(id);
        }
        if node.is_none() && delay_binding {
            continue;
        }
        if v.phase != VolumePhase::Available {
            continue;
        }
        if let Some(sel) = &claim.selector
            && !sel.matches(&v.labels, &store.interner)
        {
            continue;
        }
        if &*v.class != claim.class_name() || !affinity_ok {
            continue;
        }
        if node.is_some() && v.access_modes & claim.access_modes != claim.access_modes {
            continue;
        }
        if smallest.is_none_or(|(q, _)| q > v.capacity) {
            smallest = Some((v.capacity, id));
        }
    }
    smallest.map(|(_, id)| id)
}

/// `CheckNodeAffinity`: the volume's required node affinity admits the node.
pub fn volume_reachable(store: &Store, v: &crate::store::volumes::Volume, node: &Node) -> bool {
    match &v.node_affinity {
        None => true,
        Some(terms) => terms.iter().any(|t| {
            crate::scheduler::plugins::node_affinity::term_matches(t, node, &store.interner)
        }),
    }
}

/// The PV controller.
#[derive(Debug, Default)]
pub struct VolumeController {
    /// Provisioning time for classes not listed in `per_class`.
    pub delay: SimDuration,
    /// Provisioning time per StorageClass name.
    pub per_class: BTreeMap<String, SimDuration>,
    provisioning: BTreeSet<ClaimId>,
    resync_at: Option<SimTime>,
}

impl VolumeController {
    /// A controller whose provisioner takes `delay` (or the class's entry of `per_class`).
    pub fn new(delay: SimDuration, per_class: BTreeMap<String, SimDuration>) -> Self {
        VolumeController {
            delay,
            per_class,
            ..Default::default()
        }
    }

    fn claim_ref(c: &Claim) -> ObjRef {
        ObjRef {
            kind: crate::api::Kind::PersistentVolumeClaim,
            namespace: c.namespace,
            name: c.name.clone(),
        }
    }

    /// Watch handler.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Claim(id, Op::Added | Op::Updated) => self.sync_claim(id, true, cx),
            Change::Claim(id, Op::Deleted) => self.claim_deleted(id, cx),
            Change::Volume(id, Op::Added | Op::Updated) => self.sync_volume(id, cx),
            Change::Other(crate::api::Kind::StorageClass, Op::Added | Op::Updated) => {
                // Retroactive default class assignment for claims without a class.
                if let Some(def) = cx.store.default_storage_class() {
                    let unset: Vec<ClaimId> = cx
                        .store
                        .pending_claims()
                        .filter(|&c| cx.store.claim(c).is_some_and(|c| c.class.is_none()))
                        .collect();
                    for c in unset {
                        cx.store.set_claim_class(c, def.clone());
                    }
                }
                self.arm_resync(cx);
            }
            _ => {}
        }
    }

    /// A storage timer.
    pub fn on_wake(&mut self, w: StorageWake, cx: &mut Ctx<'_>) {
        match w {
            StorageWake::Provisioned(id) => self.provisioned(id, cx),
            StorageWake::Resync => {
                if self.resync_at == Some(cx.now) {
                    self.resync_at = None;
                }
                let pending: Vec<ClaimId> = cx.store.pending_claims().collect();
                for c in pending {
                    self.sync_claim(c, false, cx);
                }
                self.arm_resync(cx);
            }
        }
    }

    fn arm_resync(&mut self, cx: &mut Ctx<'_>) {
        if self.resync_at.is_none() && cx.store.pending_claims().next().is_some() {
            let at = cx.now + RESYNC;
            self.resync_at = Some(at);
            cx.queue.push(at, Event::Storage(StorageWake::Resync));
        }
    }

    /// `syncUnboundClaim`.
    fn sync_claim(&mut self, id: ClaimId, announce: bool, cx: &mut Ctx<'_>) {
        let Some(c) = cx.store.claim(id) else { return };
        if c.deleted || c.is_bound() {
            return;
        }
        let c = c.clone();
        let store = &*cx.store;
        match &c.volume_name {
            None => {
                let class = c.class_name();
                let delay = store.is_delay_binding(class);
                let candidates = store
                    .volume_for_claim(c.namespace, &c.name)
                    .into_iter()
                    .chain(store.volumes_of_class(class))
                    .filter(|&v| {
                        // The controller's index lists volumes by access modes
                        // (`findByClaim`): only those with every mode the claim asks for.
                        store
                            .volume(v)
                            .is_some_and(|v| v.access_modes & c.access_modes == c.access_modes)
                    });
                match find_matching_volume(store, &c, candidates, None, &[], delay) {
                    Some(v) => cx.store.bind_claim(id, v),
                    None => {
                        if delay && c.selected_node.is_none() {
                            if announce {
                                let obj = Self::claim_ref(&c);
                                cx.store.record(
                                    obj,
                                    EventType::Normal,
                                    "WaitForFirstConsumer",
                                    SOURCE,
                                    |_| {
                                        "waiting for first consumer to be created before binding"
                                            .into()
                                    },
                                );
                            }
                        } else {
                            self.provision(id, &c, announce, cx);
                        }
                    }
                }
            }
            Some(name) => {
                let Some(v) = store.volume_by_name(name) else {
                    // "volume requested by claim not found": stays Pending.
                    self.arm_resync(cx);
                    return;
                };
                let vol = store.volume(v).expect("indexed");
                let mine = vol
                    .claim_ref
                    .as_ref()
                    .is_some_and(|(ns, n)| *ns == c.namespace && *n == c.name);
                if vol.claim_ref.is_none() || mine {
                    if vol.capacity < c.request || vol.block != c.block {
                        if announce {
                            let obj = Self::claim_ref(&c);
                            let msg = format!(
                                "Cannot bind to requested volume \"{name}\": requested PV is too small"
                            );
                            cx.store.record(
                                obj,
                                EventType::Warning,
                                "VolumeMismatch",
                                SOURCE,
                                |_| msg,
                            );
                        }
                    } else {
                        cx.store.bind_claim(id, v);
                    }
                } else if announce {
                    let obj = Self::claim_ref(&c);
                    let msg = format!("volume \"{name}\" already bound to a different claim.");
                    cx.store
                        .record(obj, EventType::Warning, "FailedBinding", SOURCE, |_| msg);
                }
            }
        }
        self.arm_resync(cx);
    }

    /// `provisionClaim` for a claim no volume matches.
    fn provision(&mut self, id: ClaimId, c: &Claim, announce: bool, cx: &mut Ctx<'_>) {
        let class = c.class_name();
        let obj = Self::claim_ref(c);
        if class.is_empty() {
            if announce {
                cx.store
                    .record(obj, EventType::Normal, "FailedBinding", SOURCE, |_| {
                        "no persistent volumes available for this claim and no storage class is set"
                            .into()
                    });
            }
            return;
        }
        let Some(sc) = cx.store.storage_class(class) else {
            if announce {
                let msg = format!("storageclass.storage.k8s.io \"{class}\" not found");
                cx.store.record(
                    obj,
                    EventType::Warning,
                    "ProvisioningFailed",
                    SOURCE,
                    |_| msg,
                );
            }
            return;
        };
        if sc.provisioner.is_empty() || sc.provisioner == NOT_SUPPORTED_PROVISIONER {
            return;
        }
        if !self.provisioning.insert(id) {
            return;
        }
        let provisioner = sc.provisioner.clone();
        let delay = self.per_class.get(class).copied().unwrap_or(self.delay);
        let key = format!("{}/{}", cx.store.interner.resolve(c.namespace), c.name);
        let p2 = provisioner.clone();
        cx.store
            .record(obj.clone(), EventType::Normal, "ExternalProvisioning", SOURCE, move |_| {
                format!("Waiting for a volume to be created either by the external provisioner '{p2}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.")
            });
        cx.store.record(
            obj,
            EventType::Normal,
            "Provisioning",
            "external-provisioner",
            move |_| format!("External provisioner is provisioning volume for claim \"{key}\""),
        );
        cx.queue
            .push(cx.now + delay, Event::Storage(StorageWake::Provisioned(id)));
    }

    /// The provisioner finished: create the volume (`pvc-<uid>`) and bind it.
    fn provisioned(&mut self, id: ClaimId, cx: &mut Ctx<'_>) {
        self.provisioning.remove(&id);
        let Some(c) = cx.store.claim(id) else { return };
        if c.deleted || c.is_bound() {
            return;
        }
        let c = c.clone();
        let class = c.class_name().to_string();
        let Some(sc) = cx.store.storage_class(&class).cloned() else {
            return;
        };
        let name = format!("pvc-{:08x}", c.uid);
        let affinity = provisioned_topology(cx.store, &sc, &c);
        let mut pv = crate::api::storage::PersistentVolume::default();
        pv.metadata.name = Some(name.clone());
        pv.metadata.annotations.insert(
            "pv.kubernetes.io/provisioned-by".into(),
            sc.provisioner.clone(),
        );
        pv.spec.capacity.0.insert(
            "storage".into(),
            crate::api::Quantity::parse(&c.request.to_string()).expect("an integer"),
        );
        pv.spec.access_modes = mode_names(c.access_modes);
        pv.spec.storage_class_name = Some(class.clone());
        pv.spec.persistent_volume_reclaim_policy =
            Some(sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()));
        if c.block {
            pv.spec.volume_mode = Some("Block".into());
        }
        pv.spec.claim_ref = Some(crate::api::storage::ClaimRef {
            namespace: Some(cx.store.interner.resolve(c.namespace).to_string()),
            name: Some(c.name.to_string()),
        });
        pv.spec.node_affinity = affinity.map(|terms| crate::api::storage::VolumeNodeAffinity {
            required: Some(crate::api::pod::NodeSelector {
                node_selector_terms: vec![crate::api::pod::NodeSelectorTerm {
                    match_expressions: terms
                        .into_iter()
                        .map(|(k, v)| crate::api::pod::NodeSelectorRequirement {
                            key: k,
                            operator: Some(crate::api::pod::NodeSelectorOperator::In),
                            values: vec![v],
                        })
                        .collect(),
                    ..Default::default()
                }],
            }),
        });
        let origin = crate::load::Origin::inline(&sc.provisioner);
        cx.store
            .put_object(crate::api::Object::PersistentVolume(pv), origin);
        let obj = Self::claim_ref(&c);
        let prov = sc.provisioner.clone();
        let n2 = name.clone();
        cx.store.record(
            obj,
            EventType::Normal,
            "ProvisioningSucceeded",
            "external-provisioner",
            move |_| format!("Successfully provisioned volume {n2} using {prov}"),
        );
        if let Some(v) = cx.store.volume_by_name(&name) {
            cx.store.bind_claim(id, v);
        }
    }

    /// A volume changed: complete a pre-binding (`syncVolume`), or mark it Available.
    fn sync_volume(&mut self, id: VolumeId, cx: &mut Ctx<'_>) {
        let Some(v) = cx.store.volume(id) else { return };
        if v.deleted {
            return;
        }
        match v.claim_ref.clone() {
            None => cx.store.make_volume_available(id),
            Some((ns, name)) => {
                if v.phase == VolumePhase::Bound {
                    return;
                }
                match cx.store.claim_by_name(ns, &name) {
                    Some(c) => {
                        let claim = cx.store.claim(c).expect("indexed");
                        let fits = claim.volume_name.is_none()
                            || claim.volume_name.as_deref() == Some(&*v.name);
                        if fits && !claim.is_bound() {
                            cx.store.bind_claim(c, id);
                        }
                    }
                    None if v.phase == VolumePhase::Released => {}
                    None => {
                        // A pre-bound volume waits for its claim (Available until then).
                        cx.store.make_volume_available(id);
                    }
                }
            }
        }
    }

    /// `reclaimVolume`: the claim is gone; its volume is Released (Retain) or deleted (Delete).
    fn claim_deleted(&mut self, id: ClaimId, cx: &mut Ctx<'_>) {
        self.provisioning.remove(&id);
        let Some(c) = cx.store.claim(id) else { return };
        let Some(v) = c
            .volume_name
            .clone()
            .and_then(|n| cx.store.volume_by_name(&n))
        else {
            return;
        };
        let vol = cx.store.volume(v).expect("indexed");
        let mine = vol
            .claim_ref
            .as_ref()
            .is_some_and(|(ns, n)| *ns == c.namespace && *n == c.name);
        if !mine {
            return;
        }
        match vol.reclaim {
            Reclaim::Retain => cx.store.release_volume(v),
            Reclaim::Delete => {
                let name = vol.name.clone();
                cx.store.release_volume(v);
                let ns = cx.store.interner.intern("");
                cx.store
                    .delete_object(crate::api::Kind::PersistentVolume, ns, &name);
            }
        }
    }
}

fn mode_names(bits: u8) -> Vec<String> {
    [
        (access::RWO, "ReadWriteOnce"),
        (access::ROX, "ReadOnlyMany"),
        (access::RWX, "ReadWriteMany"),
        (access::RWOP, "ReadWriteOncePod"),
    ]
    .iter()
    .filter(|(b, _)| bits & b != 0)
    .map(|(_, n)| n.to_string())
    .collect()
}

/// Where a provisioned volume is reachable from: the selected node's zone
/// (WaitForFirstConsumer; topology-aware CSI provisioning), else the first value of each
/// requirement of the class's first `allowedTopologies` term, else everywhere.
fn provisioned_topology(
    store: &Store,
    sc: &crate::api::storage::StorageClass,
    c: &Claim,
) -> Option<Vec<(String, String)>> {
    if let Some(node) = &c.selected_node {
        let sym = store.interner.lookup(node)?;
        let n = store.node(store.node_by_name(sym)?)?;
        let keys: Vec<String> = match sc.allowed_topologies.first() {
            Some(t) => t
                .match_label_expressions
                .iter()
                .map(|r| r.key.clone())
                .collect(),
            None => vec![crate::model::convert::ZONE_LABEL.to_string()],
        };
        let mut out = Vec::new();
        for k in keys {
            let ks = store.interner.lookup(&k)?;
            if let Some(v) = n.labels.get(ks) {
                out.push((k, store.interner.resolve(v).to_string()));
            }
        }
        return (!out.is_empty()).then_some(out);
    }
    let t = sc.allowed_topologies.first()?;
    let out: Vec<(String, String)> = t
        .match_label_expressions
        .iter()
        .filter_map(|r| r.values.first().map(|v| (r.key.clone(), v.clone())))
        .collect();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(yaml: &str) -> Store {
        let mut s = Store::new();
        for l in crate::load::load_text(yaml, "t.yaml").unwrap().objects {
            s.put_object(l.object, l.origin);
        }
        s
    }

    fn pv(name: &str, size: &str, modes: &str, extra: &str) -> String {
        format!(
            "---
apiVersion: v1
kind: PersistentVolume
metadata: {{name: {name}, labels: {{tier: {name}}}}}
spec:
  capacity: {{storage: {size}}}
  accessModes: [{modes}]
  storageClassName: gold
{extra}"
        )
    }

    const CLAIM: &str = "---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: c}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: gold
  resources: {requests: {storage: 5Gi}}
";

    fn matching(s: &Store, delay: bool) -> Option<String> {
        let ns = s.interner.lookup("default").unwrap();
        let c = s.claim(s.claim_by_name(ns, "c").unwrap()).unwrap();
        find_matching_volume(s, c, s.volumes_of_class("gold"), None, &[], delay)
            .map(|v| s.volume(v).unwrap().name.to_string())
    }

    #[test]
    fn smallest_big_enough_volume_wins() {
        // index_test.go TestMatchVolume "successful-match-with-class"-style cases.
        let s = store_with(
            &[
                pv("huge", "100Gi", "ReadWriteOnce", ""),
                pv("fits", "8Gi", "ReadWriteOnce", ""),
                pv("tiny", "1Gi", "ReadWriteOnce", ""),
                pv("block", "6Gi", "ReadWriteOnce", "  volumeMode: Block\n"),
                CLAIM.to_string(),
            ]
            .concat(),
        );
        assert_eq!(matching(&s, false).as_deref(), Some("fits"));
        // WaitForFirstConsumer without a node: the controller leaves it to the scheduler.
        assert_eq!(matching(&s, true), None);
    }

    #[test]
    fn a_volume_pre_bound_to_the_claim_wins_over_smaller_ones() {
        let s = store_with(
            &[
                pv("small", "5Gi", "ReadWriteOnce", ""),
                pv(
                    "mine",
                    "50Gi",
                    "ReadWriteOnce",
                    "  claimRef: {namespace: default, name: c}\n",
                ),
                pv(
                    "theirs",
                    "5Gi",
                    "ReadWriteOnce",
                    "  claimRef: {namespace: default, name: other}\n",
                ),
                CLAIM.to_string(),
            ]
            .concat(),
        );
        assert_eq!(matching(&s, false).as_deref(), Some("mine"));
        assert_eq!(matching(&s, true).as_deref(), Some("mine"));
    }

    #[test]
    fn the_claim_selector_filters_volumes() {
        let claim = CLAIM.replace(
            "  storageClassName: gold\n",
            "  storageClassName: gold\n  selector: {matchLabels: {tier: second}}\n",
        );
        let s = store_with(
            &[
                pv("first", "10Gi", "ReadWriteOnce", ""),
                pv("second", "20Gi", "ReadWriteOnce", ""),
                claim,
            ]
            .concat(),
        );
        assert_eq!(matching(&s, false).as_deref(), Some("second"));
    }
}
