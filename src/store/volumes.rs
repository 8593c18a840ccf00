//! PersistentVolumeClaims and PersistentVolumes at run time: their status (phase, binding,
//! selected node) next to the manifests kept in the store, and the indexes the PV controller,
//! the scheduler's volume plugins and the kubelet read (claims by name, volumes by name, by
//! class and by `claimRef`, the pending claims). Every PVC/PV created, replaced or deleted
//! through [`Store::put_object`] / [`Store::delete_object`] — manifests at time zero, scenario
//! applies, or objects controllers create at run time (StatefulSet claim templates) — is
//! indexed here and announced as a [`Change::Claim`] / [`Change::Volume`] notification.

use super::{Change, Op, Store};
use crate::api::{self, Kind};
use crate::engine::SimTime;
use crate::model::pod::NodeSelectorTerm;
use crate::model::{LabelSet, Selector, Sym};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Annotation the scheduler sets on a WaitForFirstConsumer claim (`volume.AnnSelectedNode`).
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
/// Annotation marking the default StorageClass.
pub const ANN_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
/// The provisioner of classes that cannot provision (`volume.NotSupportedProvisioner`).
pub const NOT_SUPPORTED_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// Access-mode bits.
pub mod access {
    /// ReadWriteOnce.
    pub const RWO: u8 = 1;
    /// ReadOnlyMany.
    pub const ROX: u8 = 2;
    /// ReadWriteMany.
    pub const RWX: u8 = 4;
    /// ReadWriteOncePod.
    pub const RWOP: u8 = 8;

    /// The bits of a list of access modes (unknown names are rejected by validation).
    pub fn parse(modes: &[String]) -> u8 {
        modes.iter().fold(0, |m, s| {
            m | match s.as_str() {
                "ReadWriteOnce" => RWO,
                "ReadOnlyMany" => ROX,
                "ReadWriteMany" => RWX,
                "ReadWriteOncePod" => RWOP,
                _ => 0,
            }
        })
    }
}

/// A claim's index in the store (stable for the run; slots are never reused).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClaimId(pub u32);

/// A volume's index in the store (stable for the run; slots are never reused).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VolumeId(pub u32);

/// `status.phase` of a claim.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClaimPhase {
    /// Not bound yet.
    Pending,
    /// Bound to a volume.
    Bound,
}

/// `status.phase` of a volume.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum VolumePhase {
    /// Free to bind.
    Available,
    /// Bound to a claim.
    Bound,
    /// Its claim was deleted; kept by the Retain policy.
    Released,
}

/// `persistentVolumeReclaimPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Reclaim {
    /// Keep the volume (Released) when its claim goes.
    Retain,
    /// Delete the volume when its claim goes.
    Delete,
}

/// A PersistentVolumeClaim at run time.
#[derive(Clone, Debug)]
pub struct Claim {
    /// Namespace.
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
    /// Unique id.
    pub uid: u64,
    /// Creation time.
    pub created: SimTime,
    /// `spec.storageClassName` after the DefaultStorageClass admission (`None`: unset).
    pub class: Option<Arc<str>>,
    /// Requested `storage` bytes.
    pub request: i64,
    /// Access-mode bits ([`access`]).
    pub access_modes: u8,
    /// `volumeMode: Block`.
    pub block: bool,
    /// `spec.selector`.
    pub selector: Option<Selector>,
    /// `spec.volumeName` (pre-bound, or set by the PV controller on binding).
    pub volume_name: Option<Arc<str>>,
    /// The `volume.kubernetes.io/selected-node` annotation.
    pub selected_node: Option<Arc<str>>,
    /// Phase.
    pub phase: ClaimPhase,
    /// Deleted (a tombstone).
    pub deleted: bool,
}

impl Claim {
    /// `GetPersistentVolumeClaimClass`: the class name, empty when none.
    pub fn class_name(&self) -> &str {
        self.class.as_deref().unwrap_or("")
    }

    /// Bound to a volume (`spec.volumeName` set and the bind completed).
    pub fn is_bound(&self) -> bool {
        self.phase == ClaimPhase::Bound && self.volume_name.is_some()
    }
}

/// A PersistentVolume at run time.
#[derive(Clone, Debug)]
pub struct Volume {
    /// Name.
    pub name: Arc<str>,
    /// Unique id.
    pub uid: u64,
    /// Labels (`topology.kubernetes.io/zone`...).
    pub labels: LabelSet,
    /// `storage` capacity in bytes.
    pub capacity: i64,
    /// Access-mode bits ([`access`]).
    pub access_modes: u8,
    /// `volumeMode: Block`.
    pub block: bool,
    /// `spec.storageClassName` (empty: none).
    pub class: Arc<str>,
    /// Reclaim policy.
    pub reclaim: Reclaim,
    /// Required node affinity terms (ORed); `None`: reachable from every node.
    pub node_affinity: Option<Vec<NodeSelectorTerm>>,
    /// `spec.claimRef` (namespace, name).
    pub claim_ref: Option<(Sym, Arc<str>)>,
    /// Phase.
    pub phase: VolumePhase,
    /// Deleted (a tombstone).
    pub deleted: bool,
}

/// Claims and volumes with their indexes.
#[derive(Default)]
pub struct StorageIndex {
    claims: Vec<Claim>,
    claim_by_name: BTreeMap<(Sym, Arc<str>), ClaimId>,
    pending: BTreeSet<ClaimId>,
    volumes: Vec<Volume>,
    volume_by_name: BTreeMap<Arc<str>, VolumeId>,
    volumes_by_class: BTreeMap<Arc<str>, BTreeSet<VolumeId>>,
    volume_by_claim: BTreeMap<(Sym, Arc<str>), VolumeId>,
}

fn storage_bytes(r: &api::resources::ResourceList) -> i64 {
    r.get("storage").and_then(|q| q.value().ok()).unwrap_or(0)
}

impl Store {
    // ----- claims ---------------------------------------------------------------------------

    /// A claim by id (tombstones included).
    pub fn claim(&self, id: ClaimId) -> Option<&Claim> {
        self.storage.claims.get(id.0 as usize)
    }

    /// A live claim by namespace and name.
    pub fn claim_by_name(&self, ns: Sym, name: &str) -> Option<ClaimId> {
        self.storage
            .claim_by_name
            .get(&(ns, Arc::from(name)))
            .copied()
    }

    /// Live claims that are not bound yet, in creation order.
    pub fn pending_claims(&self) -> impl Iterator<Item = ClaimId> + '_ {
        self.storage.pending.iter().copied()
    }

    /// Number of live claims.
    pub fn claim_count(&self) -> usize {
        self.storage.claim_by_name.len()
    }

    /// True when every PersistentVolumeClaim volume of the pod exists and is bound.
    pub fn pod_claims_bound(&self, pod: &crate::model::Pod) -> bool {
        pod.spec.volumes.iter().all(|v| match v {
            crate::model::pod::VolumeRef::Claim(c) => self
                .claim_by_name(pod.namespace, self.interner.resolve(*c))
                .and_then(|id| self.claim(id))
                .is_some_and(|c| c.is_bound()),
            _ => true,
        })
    }

    /// Sets the `volume.kubernetes.io/selected-node` annotation (the scheduler's PreBind for
    /// WaitForFirstConsumer claims); `None` removes it (rescheduling after a failure).
    pub fn set_claim_selected_node(&mut self, id: ClaimId, node: Option<Arc<str>>) {
        if let Some(c) = self.storage.claims.get_mut(id.0 as usize)
            && !c.deleted
            && c.selected_node != node
        {
            c.selected_node = node;
            self.changes.push(Change::Claim(id, Op::Updated));
        }
    }

    /// Sets a claim's class (retroactive default StorageClass assignment).
    pub fn set_claim_class(&mut self, id: ClaimId, class: Arc<str>) {
        if let Some(c) = self.storage.claims.get_mut(id.0 as usize)
            && !c.deleted
        {
            c.class = Some(class);
            self.changes.push(Change::Claim(id, Op::Updated));
        }
    }

    // ----- volumes --------------------------------------------------------------------------

    /// A volume by id (tombstones included).
    pub fn volume(&self, id: VolumeId) -> Option<&Volume> {
        self.storage.volumes.get(id.0 as usize)
    }

    /// A live volume by name.
    pub fn volume_by_name(&self, name: &str) -> Option<VolumeId> {
        self.storage.volume_by_name.get(name).copied()
    }

    /// Live volumes of a class (empty name: volumes without a class), in name order.
    pub fn volumes_of_class(&self, class: &str) -> impl Iterator<Item = VolumeId> + '_ {
        self.storage
            .volumes_by_class
            .get(class)
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }

    /// The live volume whose `claimRef` names this claim.
    pub fn volume_for_claim(&self, ns: Sym, name: &str) -> Option<VolumeId> {
        self.storage
            .volume_by_claim
            .get(&(ns, Arc::from(name)))
            .copied()
    }

    /// Sets a volume's `claimRef` (the scheduler's PreBind of a static binding); the PV
    /// controller completes the bind.
    pub fn prebind_volume(&mut self, v: VolumeId, claim: ClaimId) {
        let Some(c) = self.claim(claim) else { return };
        let key = (c.namespace, c.name.clone());
        let Some(vol) = self.storage.volumes.get_mut(v.0 as usize) else {
            return;
        };
        if vol.deleted || vol.claim_ref.is_some() {
            return;
        }
        vol.claim_ref = Some(key.clone());
        self.storage.volume_by_claim.insert(key, v);
        self.changes.push(Change::Volume(v, Op::Updated));
    }

    /// Binds a claim and a volume both ways (`bind` of the PV controller): the volume gets the
    /// `claimRef` and phase Bound, the claim `volumeName` and phase Bound.
    pub fn bind_claim(&mut self, claim: ClaimId, v: VolumeId) {
        let Some(c) = self.storage.claims.get_mut(claim.0 as usize) else {
            return;
        };
        if c.deleted {
            return;
        }
        let key = (c.namespace, c.name.clone());
        let Some(vol) = self.storage.volumes.get_mut(v.0 as usize) else {
            return;
        };
        if vol.deleted {
            return;
        }
        let vol_name = vol.name.clone();
        if vol.claim_ref.as_ref() != Some(&key) || vol.phase != VolumePhase::Bound {
            if let Some(old) = vol.claim_ref.replace(key.clone())
                && old != key
            {
                self.storage.volume_by_claim.remove(&old);
            }
            vol.phase = VolumePhase::Bound;
            self.storage.volume_by_claim.insert(key, v);
            self.changes.push(Change::Volume(v, Op::Updated));
        }
        let c = &mut self.storage.claims[claim.0 as usize];
        c.volume_name = Some(vol_name);
        c.phase = ClaimPhase::Bound;
        self.storage.pending.remove(&claim);
        self.changes.push(Change::Claim(claim, Op::Updated));
    }

    /// Marks a volume whose claim is gone as Released (the Retain policy).
    pub fn release_volume(&mut self, v: VolumeId) {
        if let Some(vol) = self.storage.volumes.get_mut(v.0 as usize)
            && !vol.deleted
            && vol.phase != VolumePhase::Released
        {
            vol.phase = VolumePhase::Released;
            self.changes.push(Change::Volume(v, Op::Updated));
        }
    }

    /// Marks a volume Available (no `claimRef`).
    pub fn make_volume_available(&mut self, v: VolumeId) {
        if let Some(vol) = self.storage.volumes.get_mut(v.0 as usize)
            && !vol.deleted
            && vol.claim_ref.is_none()
            && vol.phase != VolumePhase::Available
        {
            vol.phase = VolumePhase::Available;
            self.changes.push(Change::Volume(v, Op::Updated));
        }
    }

    // ----- storage classes ------------------------------------------------------------------

    /// A StorageClass by name.
    pub fn storage_class(&self, name: &str) -> Option<&api::storage::StorageClass> {
        match self
            .object(Kind::StorageClass, Sym(0), name)?
            .object
            .as_ref()
        {
            api::Object::StorageClass(sc) => Some(sc),
            _ => None,
        }
    }

    /// The default StorageClass (`GetDefaultClass` in `pkg/volume/util/storageclass.go`, used
    /// by the DefaultStorageClass admission plugin: the newest of those annotated, name
    /// breaking ties).
    pub fn default_storage_class(&self) -> Option<Arc<str>> {
        let mut best: Option<(SimTime, &str)> = None;
        for o in self.objects_of(Kind::StorageClass) {
            if let api::Object::StorageClass(sc) = o.object.as_ref()
                && sc
                    .metadata
                    .annotations
                    .get(ANN_DEFAULT_CLASS)
                    .is_some_and(|v| v == "true")
            {
                let name = sc.metadata.name.as_deref().unwrap_or("");
                if best.is_none_or(|(t, n)| o.created > t || (o.created == t && name < n)) {
                    best = Some((o.created, name));
                }
            }
        }
        best.map(|(_, n)| Arc::from(n))
    }

    /// True when the class binds volumes on first consumer (`IsDelayBindingMode` in
    /// `component-helpers/storage/volume/helpers.go`; a missing class is not delayed).
    pub fn is_delay_binding(&self, class: &str) -> bool {
        !class.is_empty()
            && self
                .storage_class(class)
                .is_some_and(|sc| sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
    }

    // ----- indexing (from put_object / delete_object) -----------------------------------------

    /// Indexes a PVC or PV manifest being created or replaced; returns its notification.
    pub(super) fn index_storage_object(&mut self, object: &api::Object, uid: u64) -> Change {
        match object {
            api::Object::PersistentVolumeClaim(pvc) => self.index_claim(pvc, uid),
            api::Object::PersistentVolume(pv) => self.index_volume(pv, uid),
            _ => unreachable!("only claims and volumes are indexed"),
        }
    }

    fn index_claim(&mut self, pvc: &api::storage::PersistentVolumeClaim, uid: u64) -> Change {
        let ns = self
            .interner
            .intern(pvc.metadata.namespace.as_deref().unwrap_or("default"));
        let name: Arc<str> = Arc::from(pvc.metadata.name.as_deref().unwrap_or(""));
        let spec = &pvc.spec;
        let selector = spec
            .selector
            .as_ref()
            .map(|s| crate::model::convert::selector(s, &mut self.interner));
        let annotated = pvc
            .metadata
            .annotations
            .get(ANN_SELECTED_NODE)
            .map(|s| Arc::from(s.as_str()));
        if let Some(&id) = self.storage.claim_by_name.get(&(ns, name.clone())) {
            // Claims are immutable but for their requests and annotations.
            let c = &mut self.storage.claims[id.0 as usize];
            c.request = storage_bytes(&spec.resources.requests);
            if annotated.is_some() {
                c.selected_node = annotated;
            }
            return Change::Claim(id, Op::Updated);
        }
        // DefaultStorageClass admission: a claim without a class gets the default one.
        let class = match &spec.storage_class_name {
            Some(c) => Some(Arc::from(c.as_str())),
            None => self.default_storage_class(),
        };
        let id = ClaimId(self.storage.claims.len() as u32);
        self.storage.claims.push(Claim {
            namespace: ns,
            name: name.clone(),
            uid,
            created: self.now,
            class,
            request: storage_bytes(&spec.resources.requests),
            access_modes: access::parse(&spec.access_modes),
            block: spec.volume_mode.as_deref() == Some("Block"),
            selector,
            volume_name: spec
                .volume_name
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(Arc::from),
            selected_node: annotated,
            phase: ClaimPhase::Pending,
            deleted: false,
        });
        self.storage.claim_by_name.insert((ns, name), id);
        self.storage.pending.insert(id);
        Change::Claim(id, Op::Added)
    }

    fn index_volume(&mut self, pv: &api::storage::PersistentVolume, uid: u64) -> Change {
        let name: Arc<str> = Arc::from(pv.metadata.name.as_deref().unwrap_or(""));
        let pairs: Vec<(Sym, Sym)> = pv
            .metadata
            .labels
            .0
            .iter()
            .map(|(k, v)| (self.interner.intern(k), self.interner.intern(v)))
            .collect();
        let spec = &pv.spec;
        let origin = crate::load::Origin::inline("PersistentVolume");
        let node_affinity = spec
            .node_affinity
            .as_ref()
            .and_then(|a| a.required.as_ref())
            .map(|sel| {
                crate::model::convert::node_selector_terms(
                    sel,
                    &mut self.interner,
                    &origin,
                    "spec.nodeAffinity.required",
                )
                .unwrap_or_default()
            });
        let claim_ref = spec.claim_ref.as_ref().and_then(|r| {
            let n = r.name.as_deref().filter(|n| !n.is_empty())?;
            let ns = self
                .interner
                .intern(r.namespace.as_deref().unwrap_or("default"));
            Some((ns, Arc::from(n)))
        });
        let class: Arc<str> = Arc::from(spec.storage_class_name.as_deref().unwrap_or(""));
        let reclaim = match spec.persistent_volume_reclaim_policy.as_deref() {
            Some("Delete") => Reclaim::Delete,
            // Manually created volumes default to Retain; Recycle is deprecated (kept).
            _ => Reclaim::Retain,
        };
        let mut vol = Volume {
            name: name.clone(),
            uid,
            labels: LabelSet::from_pairs(pairs),
            capacity: storage_bytes(&spec.capacity),
            access_modes: access::parse(&spec.access_modes),
            block: spec.volume_mode.as_deref() == Some("Block"),
            class: class.clone(),
            reclaim,
            node_affinity,
            claim_ref: claim_ref.clone(),
            phase: VolumePhase::Available,
            deleted: false,
        };
        if let Some(&id) = self.storage.volume_by_name.get(&name) {
            let old = &self.storage.volumes[id.0 as usize];
            // Status survives a re-apply; a claimRef set at run time too.
            vol.phase = old.phase;
            if vol.claim_ref.is_none() {
                vol.claim_ref = old.claim_ref.clone();
            }
            let old_class = old.class.clone();
            if let Some(k) = old.claim_ref.clone() {
                self.storage.volume_by_claim.remove(&k);
            }
            if let Some(s) = self.storage.volumes_by_class.get_mut(&old_class) {
                s.remove(&id);
            }
            if let Some(k) = vol.claim_ref.clone() {
                self.storage.volume_by_claim.insert(k, id);
            }
            self.storage
                .volumes_by_class
                .entry(class)
                .or_default()
                .insert(id);
            self.storage.volumes[id.0 as usize] = vol;
            return Change::Volume(id, Op::Updated);
        }
        let id = VolumeId(self.storage.volumes.len() as u32);
        self.storage.volumes.push(vol);
        self.storage.volume_by_name.insert(name, id);
        self.storage
            .volumes_by_class
            .entry(class)
            .or_default()
            .insert(id);
        if let Some(k) = claim_ref {
            self.storage.volume_by_claim.insert(k, id);
        }
        Change::Volume(id, Op::Added)
    }

    /// Removes a PVC or PV from the indexes; returns its notification.
    pub(super) fn unindex_storage_object(&mut self, kind: Kind, ns: Sym, name: &str) -> Change {
        let name: Arc<str> = Arc::from(name);
        if kind == Kind::PersistentVolumeClaim {
            let id = self
                .storage
                .claim_by_name
                .remove(&(ns, name))
                .expect("indexed with the object");
            self.storage.pending.remove(&id);
            self.storage.claims[id.0 as usize].deleted = true;
            Change::Claim(id, Op::Deleted)
        } else {
            let id = self
                .storage
                .volume_by_name
                .remove(&name)
                .expect("indexed with the object");
            let v = &mut self.storage.volumes[id.0 as usize];
            v.deleted = true;
            let (class, cref) = (v.class.clone(), v.claim_ref.clone());
            if let Some(s) = self.storage.volumes_by_class.get_mut(&class) {
                s.remove(&id);
            }
            if let Some(k) = cref
                && self.storage.volume_by_claim.get(&k) == Some(&id)
            {
                self.storage.volume_by_claim.remove(&k);
            }
            Change::Volume(id, Op::Deleted)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(store: &mut Store, yaml: &str) {
        for l in crate::load::load_text(yaml, "t.yaml").unwrap().objects {
            store.put_object(l.object, l.origin);
        }
    }

    #[test]
    fn claims_and_volumes_are_indexed_with_their_own_notifications() {
        let mut s = Store::new();
        load(
            &mut s,
            "apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: std
  annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}
provisioner: x
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1, labels: {topology.kubernetes.io/zone: a}}
spec:
  capacity: {storage: 2Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  storageClassName: std
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: c1}
spec:
  accessModes: [ReadWriteOncePod]
  resources: {requests: {storage: 1Gi}}
",
        );
        let mut ch = Vec::new();
        s.drain_changes(&mut ch);
        assert!(matches!(
            ch[0],
            Change::Other(Kind::StorageClass, Op::Added)
        ));
        assert!(matches!(ch[1], Change::Volume(VolumeId(0), Op::Added)));
        assert!(matches!(ch[2], Change::Claim(ClaimId(0), Op::Added)));
        let ns = s.interner.lookup("default").unwrap();
        let c = s.claim_by_name(ns, "c1").unwrap();
        let claim = s.claim(c).unwrap();
        assert_eq!(
            claim.class.as_deref(),
            Some("std"),
            "DefaultStorageClass admission"
        );
        assert_eq!(claim.access_modes, access::RWOP);
        assert_eq!(claim.request, 1 << 30);
        let v = s.volume_by_name("pv1").unwrap();
        assert_eq!(s.volume(v).unwrap().access_modes, access::RWO | access::ROX);
        assert_eq!(s.volumes_of_class("std").collect::<Vec<_>>(), vec![v]);
        assert_eq!(s.pending_claims().collect::<Vec<_>>(), vec![c]);
        s.bind_claim(c, v);
        assert!(s.claim(c).unwrap().is_bound());
        assert_eq!(s.volume(v).unwrap().phase, VolumePhase::Bound);
        assert_eq!(s.volume_for_claim(ns, "c1"), Some(v));
        assert_eq!(s.pending_claims().count(), 0);
        assert!(s.delete_object(Kind::PersistentVolumeClaim, ns, "c1"));
        assert!(s.claim(c).unwrap().deleted, "a tombstone stays readable");
        assert_eq!(s.claim_by_name(ns, "c1"), None);
        let empty = s.interner.intern("");
        assert!(s.delete_object(Kind::PersistentVolume, empty, "pv1"));
        assert_eq!(s.volumes_of_class("std").count(), 0);
        assert_eq!(s.volume_for_claim(ns, "c1"), None);
    }
}
