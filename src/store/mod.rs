//! The API-server-like store: the single owner of cluster state.
//!
//! Controllers, the scheduler and the kubelet read state through `&Store` and change it only
//! through its methods. Each change is recorded as a [`Change`] (a watch notification); the
//! simulation delivers those to interested components at the same simulated instant, after the
//! current event, in FIFO order — like informers without a cache. Indexes (objects by name, pods
//! by owner and node, per-node requested totals, pod counts by phase) are maintained here,
//! incrementally, so no component ever rescans the cluster.
//!
//! Deletion is two-phase: a deleted object leaves every index at once but stays readable as a
//! tombstone until its `Deleted` notification has been delivered; then the simulation calls
//! [`Store::reap`].

pub mod admission;
pub mod brief;
pub mod events;
pub mod trace;
pub mod volumes;
pub mod vpa_webhook;

use crate::api::{self, Kind};
use crate::engine::{SimDuration, SimTime};
use crate::load::Origin;
use crate::model::ArenaId;
use crate::model::pod::{PodPhase, PodReason, PodStatus};
use crate::model::workloads::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetStatus};
use crate::model::{
    Arena, DeploymentId, Interner, Node, NodeId, OwnerRef, Pod, PodId, ReplicaSetId, Sym,
};
use events::{EventLog, EventType, KEvent, ObjRef};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The label the API server puts on every namespace.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// What changed about a pod (bit flags).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PodDelta(pub u16);

impl PodDelta {
    /// Bound to a node.
    pub const BOUND: PodDelta = PodDelta(1);
    /// Phase changed.
    pub const PHASE: PodDelta = PodDelta(2);
    /// Readiness changed.
    pub const READY: PodDelta = PodDelta(4);
    /// Deletion started.
    pub const DELETING: PodDelta = PodDelta(8);
    /// Status details (reason, restarts, conditions).
    pub const STATUS: PodDelta = PodDelta(16);
    /// Nominated node or scheduling state.
    pub const SCHEDULING: PodDelta = PodDelta(32);

    /// True when any flag of `other` is set.
    pub fn has(self, other: PodDelta) -> bool {
        self.0 & other.0 != 0
    }
}

/// The kind of change.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Created.
    Added,
    /// Modified.
    Updated,
    /// Deleted (the object is a tombstone until reaped).
    Deleted,
}

/// A watch notification.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// A pod changed.
    Pod(PodId, Op, PodDelta),
    /// A node changed.
    Node(NodeId, Op),
    /// A Deployment changed.
    Deployment(DeploymentId, Op),
    /// A ReplicaSet changed.
    ReplicaSet(ReplicaSetId, Op),
    /// A PersistentVolumeClaim changed (created, bound, annotated, deleted).
    Claim(volumes::ClaimId, Op),
    /// A PersistentVolume changed (created, bound, released, deleted).
    Volume(volumes::VolumeId, Op),
    /// An object of another kind (Service, ConfigMap, ...) changed.
    Other(Kind, Op),
}

impl Change {
    /// A small code for the event hash.
    pub fn code(&self) -> (u8, u64) {
        let op = |o: &Op| match o {
            Op::Added => 0u8,
            Op::Updated => 1,
            Op::Deleted => 2,
        };
        match self {
            Change::Pod(id, o, d) => (op(o) | ((d.0 as u8) << 2), id.to_u64()),
            Change::Node(id, o) => (16 + op(o), id.to_u64()),
            Change::Deployment(id, o) => (32 + op(o), id.to_u64()),
            Change::ReplicaSet(id, o) => (48 + op(o), id.to_u64()),
            Change::Other(k, o) => (64 + op(o), *k as u64),
            Change::Claim(id, o) => (80 + op(o), id.0 as u64),
            Change::Volume(id, o) => (96 + op(o), id.0 as u64),
        }
    }
}

/// An object of a kind without its own runtime model yet, kept as its manifest.
#[derive(Clone, Debug)]
pub struct StoredObject {
    /// Unique id.
    pub uid: u64,
    /// The manifest.
    pub object: Arc<api::Object>,
    /// Where it came from.
    pub origin: Origin,
    /// When it was created.
    pub created: SimTime,
}

/// Pod counts by phase, kept incrementally.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct PodCounts {
    /// Pending pods.
    pub pending: u64,
    /// Running pods.
    pub running: u64,
    /// Succeeded pods.
    pub succeeded: u64,
    /// Failed pods.
    pub failed: u64,
    /// Pods being deleted.
    pub terminating: u64,
    /// Pods not bound to a node.
    pub unbound: u64,
    /// Ready pods.
    pub ready: u64,
    /// Pods ever created.
    pub created: u64,
    /// Pods ever deleted.
    pub deleted: u64,
}

/// Why a pod was refused at creation (admission).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdmissionError {
    /// A pod with that name exists.
    #[error("pods \"{0}\" already exists")]
    AlreadyExists(String),
    /// The named PriorityClass does not exist.
    #[error("pods \"{0}\" is forbidden: no PriorityClass with name {1} was found")]
    NoPriorityClass(String, String),
    /// The namespace does not exist.
    #[error("namespaces \"{0}\" not found")]
    NoNamespace(String),
    /// Refused by LimitRanger or ResourceQuota (pod name, reason).
    #[error("pods \"{0}\" is forbidden: {1}")]
    Forbidden(String, String),
}

/// Everything needed to create a pod.
#[derive(Clone, Debug)]
pub struct NewPod {
    /// Name.
    pub name: Arc<str>,
    /// Namespace.
    pub namespace: Sym,
    /// Labels.
    pub labels: crate::model::LabelSet,
    /// Annotations.
    pub annotations: Arc<[(Sym, Sym)]>,
    /// Owner.
    pub owner: Option<OwnerRef>,
    /// Spec.
    pub spec: Arc<crate::model::pod::PodSpec>,
}

/// The cluster state.
pub struct Store {
    /// Interned strings of the whole simulation.
    pub interner: Interner,
    now: SimTime,
    next_uid: u64,
    nodes: Arena<NodeId, Node>,
    node_by_name: BTreeMap<Sym, NodeId>,
    node_order: Vec<NodeId>,
    pods: Arena<PodId, Pod>,
    pod_by_name: BTreeMap<(Sym, Arc<str>), PodId>,
    deployments: Arena<DeploymentId, Deployment>,
    deployment_by_name: BTreeMap<(Sym, Arc<str>), DeploymentId>,
    replicasets: Arena<ReplicaSetId, ReplicaSet>,
    rs_by_name: BTreeMap<(Sym, Arc<str>), ReplicaSetId>,
    rs_by_deployment: BTreeMap<DeploymentId, BTreeSet<ReplicaSetId>>,
    objects: BTreeMap<(Kind, Sym, Arc<str>), StoredObject>,
    storage: volumes::StorageIndex,
    namespaces: BTreeMap<Sym, crate::model::LabelSet>,
    image_nodes: BTreeMap<Sym, u32>,
    signatures: BTreeMap<crate::model::pod::NodeLocalSignature, u32>,
    node_gens: Vec<u64>,
    gen_counter: u64,
    images_gen: u64,
    /// Priorities of resource-holding bound pods over all nodes, with counts: every count a
    /// node takes is added here (counts of nodes removed from the arena may stay, so this only
    /// ever over-reports).
    bound_priorities: Vec<(i32, u32)>,
    changes: Vec<Change>,
    /// Recorded Kubernetes events.
    pub events: EventLog,
    /// The opt-in causal record (`kubesim explain`).
    pub trace: trace::Trace,
    counts: PodCounts,
    admission: admission::Admission,
    /// Pods whose readiness or phase changed since the load model last looked (`None`: not
    /// kept).
    status_log: Option<Vec<PodId>>,
    /// Dense rows of the pod fields read on every sync (see [`brief`]).
    briefs: brief::Briefs,
    /// What the VPA admission webhook applies to new pods, by (namespace, Deployment name).
    vpa_patches: BTreeMap<(Sym, Arc<str>), Arc<vpa_webhook::VpaPatch>>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// An empty cluster with the `default`, `kube-system`, `kube-public` and `kube-node-lease`
    /// namespaces.
    pub fn new() -> Self {
        let mut interner = Interner::new();
        let mut namespaces = BTreeMap::new();
        let name_key = interner.intern(NAMESPACE_NAME_LABEL);
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let s = interner.intern(ns);
            namespaces.insert(s, crate::model::LabelSet::from_pairs(vec![(name_key, s)]));
        }
        Store {
            interner,
            now: SimTime::ZERO,
            next_uid: 1,
            nodes: Arena::new(),
            node_by_name: BTreeMap::new(),
            node_order: Vec::new(),
            pods: Arena::new(),
            pod_by_name: BTreeMap::new(),
            deployments: Arena::new(),
            deployment_by_name: BTreeMap::new(),
            replicasets: Arena::new(),
            rs_by_name: BTreeMap::new(),
            rs_by_deployment: BTreeMap::new(),
            objects: BTreeMap::new(),
            storage: volumes::StorageIndex::default(),
            namespaces,
            image_nodes: BTreeMap::new(),
            signatures: BTreeMap::new(),
            node_gens: Vec::new(),
            gen_counter: 0,
            images_gen: 0,
            bound_priorities: Vec::new(),
            changes: Vec::new(),
            events: EventLog::default(),
            trace: trace::Trace::default(),
            counts: PodCounts::default(),
            admission: admission::Admission::default(),
            status_log: None,
            briefs: brief::Briefs::default(),
            vpa_patches: BTreeMap::new(),
        }
    }

    // ----- time, uids, notifications ------------------------------------------------------

    /// The current simulated time (set by the simulation before each event).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Advances the store's clock.
    pub fn set_now(&mut self, t: SimTime) {
        self.now = t;
    }

    /// A fresh unique id.
    pub fn next_uid(&mut self) -> u64 {
        let u = self.next_uid;
        self.next_uid += 1;
        u
    }

    /// Takes the pending watch notifications (in the order the changes were made).
    pub fn drain_changes(&mut self, out: &mut Vec<Change>) {
        out.append(&mut self.changes);
    }

    /// True when changes are waiting to be delivered.
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Frees a deleted object's slot once its `Deleted` notification has been delivered.
    pub fn reap(&mut self, change: &Change) {
        match *change {
            Change::Pod(id, Op::Deleted, _) => {
                self.pods.remove(id);
                self.briefs.forget(id);
            }
            Change::Node(id, Op::Deleted) => {
                self.nodes.remove(id);
            }
            Change::Deployment(id, Op::Deleted) => {
                self.deployments.remove(id);
            }
            Change::ReplicaSet(id, Op::Deleted) => {
                self.replicasets.remove(id);
            }
            _ => {}
        }
    }

    // ----- events ---------------------------------------------------------------------------

    /// Records a Kubernetes event. `message` is only called when the event is kept.
    pub fn record(
        &mut self,
        object: ObjRef,
        type_: EventType,
        reason: &'static str,
        source: &'static str,
        message: impl FnOnce(&Store) -> String,
    ) {
        let message = if self.events.wants(type_) {
            message(self)
        } else {
            String::new()
        };
        let time = self.now;
        self.events.push(KEvent {
            time,
            type_,
            reason,
            object,
            message,
            source,
        });
    }

    /// Records a cause in the causal trace when it is on (`objects` and `detail` are only
    /// called then); returns its id.
    pub fn cause(
        &mut self,
        what: &'static str,
        parent: Option<u32>,
        objects: impl FnOnce(&Store) -> Vec<ObjRef>,
        detail: impl FnOnce(&Store) -> String,
    ) -> Option<u32> {
        if !self.trace.enabled() {
            return None;
        }
        let objects = objects(self);
        let detail = detail(self);
        let now = self.now;
        Some(self.trace.push(now, what, objects, parent, detail))
    }

    fn gone(kind: Kind) -> ObjRef {
        ObjRef {
            kind,
            namespace: Sym(0),
            name: Arc::from("<gone>"),
        }
    }

    /// The event reference for a pod.
    pub fn pod_ref(&self, id: PodId) -> ObjRef {
        match self.pods.get(id) {
            Some(p) => ObjRef {
                kind: Kind::Pod,
                namespace: p.namespace,
                name: p.name.clone(),
            },
            None => Self::gone(Kind::Pod),
        }
    }

    /// The event reference for a node.
    pub fn node_ref(&self, id: NodeId) -> ObjRef {
        match self.nodes.get(id) {
            Some(n) => ObjRef {
                kind: Kind::Node,
                namespace: Sym(0),
                name: self.interner.resolve_arc(n.name),
            },
            None => Self::gone(Kind::Node),
        }
    }

    /// The event reference for a Deployment.
    pub fn deployment_ref(&self, id: DeploymentId) -> ObjRef {
        match self.deployments.get(id) {
            Some(d) => ObjRef {
                kind: Kind::Deployment,
                namespace: d.namespace,
                name: d.name.clone(),
            },
            None => Self::gone(Kind::Deployment),
        }
    }

    /// The event reference for a ReplicaSet.
    pub fn replicaset_ref(&self, id: ReplicaSetId) -> ObjRef {
        match self.replicasets.get(id) {
            Some(r) => ObjRef {
                kind: Kind::ReplicaSet,
                namespace: r.namespace,
                name: r.name.clone(),
            },
            None => Self::gone(Kind::ReplicaSet),
        }
    }

    /// `namespace/name` of a pod, for messages.
    pub fn pod_key(&self, id: PodId) -> String {
        match self.pods.get(id) {
            Some(p) => format!("{}/{}", self.interner.resolve(p.namespace), p.name),
            None => "<gone>".into(),
        }
    }

    // ----- namespaces and other objects -------------------------------------------------------

    /// True when the namespace exists.
    pub fn has_namespace(&self, ns: Sym) -> bool {
        self.namespaces.contains_key(&ns)
    }

    /// Creates a namespace (idempotent) with the `kubernetes.io/metadata.name` label the API
    /// server adds, plus `labels`.
    pub fn add_namespace_with_labels(&mut self, ns: Sym, labels: &[(Sym, Sym)]) {
        let name_key = self.interner.intern(NAMESPACE_NAME_LABEL);
        let mut pairs = labels.to_vec();
        pairs.push((name_key, ns));
        let set = crate::model::LabelSet::from_pairs(pairs);
        let op = if self.namespaces.contains_key(&ns) {
            Op::Updated
        } else {
            Op::Added
        };
        if self.namespaces.get(&ns) != Some(&set) {
            self.namespaces.insert(ns, set);
            self.changes.push(Change::Other(Kind::Namespace, op));
        }
    }

    /// Creates a namespace (idempotent).
    pub fn add_namespace(&mut self, ns: Sym) {
        if !self.namespaces.contains_key(&ns) {
            self.add_namespace_with_labels(ns, &[]);
        }
    }

    /// A namespace's labels.
    pub fn namespace_labels(&self, ns: Sym) -> Option<&crate::model::LabelSet> {
        self.namespaces.get(&ns)
    }

    /// Every namespace.
    pub fn namespaces(&self) -> impl Iterator<Item = Sym> + '_ {
        self.namespaces.keys().copied()
    }

    /// Number of nodes that have `image` (ImageLocality's `NumNodes`).
    pub fn image_node_count(&self, image: Sym) -> u32 {
        self.image_nodes.get(&image).copied().unwrap_or(0)
    }

    /// Records that `image` is now on `node` (the kubelet's image cache), without a watch
    /// notification (node status image lists are not watched by anything but the scheduler's
    /// ImageLocality counts kept here).
    pub fn add_node_image(&mut self, node: NodeId, image: Sym, size: i64) {
        if let Some(n) = self.nodes.get_mut(node)
            && n.image_size(image).is_none()
        {
            Self::touch(&mut self.node_gens, &mut self.gen_counter, node);
            self.images_gen += 1;
            n.add_image(image, size);
            *self.image_nodes.entry(image).or_default() += 1;
        }
    }

    /// Stores (creates or replaces) an object of a kind without a runtime model.
    pub fn put_object(&mut self, object: api::Object, origin: Origin) {
        let kind = object.kind();
        let ns = self.interner.intern(object.namespace());
        let name: Arc<str> = Arc::from(object.name());
        let key = (kind, ns, name);
        let op = if self.objects.contains_key(&key) {
            Op::Updated
        } else {
            Op::Added
        };
        let uid = self.next_uid();
        let created = self.now;
        let change = match kind {
            Kind::PersistentVolumeClaim | Kind::PersistentVolume => {
                self.index_storage_object(&object, uid)
            }
            _ => Change::Other(kind, op),
        };
        self.objects.insert(
            key,
            StoredObject {
                uid,
                object: Arc::new(object),
                origin,
                created,
            },
        );
        self.changes.push(change);
        if matches!(kind, Kind::ResourceQuota | Kind::LimitRange) {
            self.refresh_admission(kind, ns);
        }
    }

    /// Rebuilds a namespace's quotas (recounting their usage from its pods) or LimitRanges
    /// after one of them changed.
    fn refresh_admission(&mut self, kind: Kind, ns: Sym) {
        let ns_name = self.interner.resolve(ns).to_string();
        let objs = self
            .objects_of(kind)
            .filter(|o| o.object.namespace() == ns_name)
            .map(|o| o.object.clone());
        if kind == Kind::LimitRange {
            let lrs = objs
                .filter_map(|o| match o.as_ref() {
                    api::Object::LimitRange(lr) => Some(Arc::new(lr.clone())),
                    _ => None,
                })
                .collect();
            self.admission.set_limit_ranges(ns, lrs);
            return;
        }
        let quotas = objs
            .filter_map(|o| match o.as_ref() {
                api::Object::ResourceQuota(q) => Some(admission::Quota::new(q)),
                _ => None,
            })
            .collect();
        self.admission.set_quotas(ns, quotas);
        let mut all = Vec::new();
        for (_, p) in self.pods() {
            if p.namespace == ns && !p.status.phase.is_terminal() {
                all.extend(self.admission.pod_charges(
                    ns,
                    &p.spec,
                    p.qos,
                    &p.requests,
                    &self.interner,
                ));
            }
        }
        self.admission.charge(ns, &all, 1);
    }

    /// A namespace's ResourceQuotas with their `status.used`, in name order.
    pub fn quotas(&self, ns: Sym) -> &[admission::Quota] {
        self.admission.quotas(ns)
    }

    /// Reverts a pod's quota charges (it turned terminal or was deleted).
    fn uncharge_pod(&mut self, id: PodId) {
        let Some(p) = self.pods.get(id) else { return };
        if self.admission.quotas(p.namespace).is_empty() {
            return;
        }
        let c =
            self.admission
                .pod_charges(p.namespace, &p.spec, p.qos, &p.requests, &self.interner);
        self.admission.charge(p.namespace, &c, -1);
    }

    /// Removes an object of a kind without a runtime model.
    pub fn delete_object(&mut self, kind: Kind, ns: Sym, name: &str) -> bool {
        let removed = self.objects.remove(&(kind, ns, Arc::from(name))).is_some();
        if removed {
            let change = match kind {
                Kind::PersistentVolumeClaim | Kind::PersistentVolume => {
                    self.unindex_storage_object(kind, ns, name)
                }
                _ => Change::Other(kind, Op::Deleted),
            };
            self.changes.push(change);
            if matches!(kind, Kind::ResourceQuota | Kind::LimitRange) {
                self.refresh_admission(kind, ns);
            }
        }
        removed
    }

    /// An object of a kind without a runtime model.
    pub fn object(&self, kind: Kind, ns: Sym, name: &str) -> Option<&StoredObject> {
        self.objects.get(&(kind, ns, Arc::from(name)))
    }

    /// Every stored object of `kind`, in (namespace, name) order.
    pub fn objects_of(&self, kind: Kind) -> impl Iterator<Item = &StoredObject> + '_ {
        self.objects
            .range((kind, Sym(0), Arc::from(""))..)
            .take_while(move |((k, _, _), _)| *k == kind)
            .map(|(_, o)| o)
    }

    // ----- nodes ------------------------------------------------------------------------------

    /// Adds a node.
    pub fn add_node(&mut self, node: Node) -> NodeId {
        let name = node.name;
        for &(img, _) in &node.images {
            *self.image_nodes.entry(img).or_default() += 1;
        }
        let id = self.nodes.insert(node);
        Self::touch(&mut self.node_gens, &mut self.gen_counter, id);
        self.images_gen += 1;
        self.node_by_name.insert(name, id);
        self.node_order.push(id);
        self.changes.push(Change::Node(id, Op::Added));
        id
    }

    /// Gives a node a new generation (after any change to it or to what is bound to it).
    fn touch(gens: &mut Vec<u64>, counter: &mut u64, id: NodeId) {
        let i = id.index() as usize;
        if gens.len() <= i {
            gens.resize(i + 1, 0);
        }
        *counter += 1;
        gens[i] = *counter;
    }

    /// The node's generation: a value that changes whenever the node, its status or the pods
    /// bound to it change (never reused). Kept apart from the node for cache-friendly checks.
    pub fn node_generation(&self, id: NodeId) -> u64 {
        self.node_gens
            .get(id.index() as usize)
            .copied()
            .unwrap_or(0)
    }

    /// False when no resource-holding pod bound to any node has a priority below `priority`
    /// (true may be a false alarm: see the field).
    pub fn may_have_priority_below(&self, priority: i32) -> bool {
        self.bound_priorities.iter().any(|e| e.0 < priority)
    }

    /// Changes whenever any node's generation changes (the largest generation handed out):
    /// while it stays put, no node, node status or pod binding has changed.
    pub fn nodes_generation(&self) -> u64 {
        self.gen_counter
    }

    /// Changes whenever any node's image list or the node set changes (ImageLocality's
    /// cluster-wide image spread).
    pub fn images_generation(&self) -> u64 {
        self.images_gen
    }

    /// A node by id.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// A node by name.
    pub fn node_by_name(&self, name: Sym) -> Option<NodeId> {
        self.node_by_name.get(&name).copied()
    }

    /// Nodes in the order they were added (the scheduler builds its node tree from it).
    pub fn node_ids(&self) -> &[NodeId] {
        &self.node_order
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_order.len()
    }

    /// Iterates nodes in the order they were added.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, &Node)> + '_ {
        self.node_order
            .iter()
            .filter_map(|&id| self.nodes.get(id).map(|n| (id, n)))
    }

    /// Changes a node through `f` (for fields without indexes: conditions, taints, cordon,
    /// health, images) and notifies watchers.
    pub fn update_node(&mut self, id: NodeId, f: impl FnOnce(&mut Node)) {
        if let Some(n) = self.nodes.get_mut(id) {
            f(n);
            Self::touch(&mut self.node_gens, &mut self.gen_counter, id);
            self.changes.push(Change::Node(id, Op::Updated));
        }
    }

    /// Records image pull bookkeeping on a node without notifying watchers (the kubelet's own
    /// state: the image cache and the serial puller).
    pub fn node_agent_state(&mut self, id: NodeId) -> Option<&mut Node> {
        let n = self.nodes.get_mut(id)?;
        Self::touch(&mut self.node_gens, &mut self.gen_counter, id);
        Some(n)
    }

    /// Deletes a node. Pods still bound to it stay bound (the pod GC deletes them).
    pub fn delete_node(&mut self, id: NodeId) {
        if self.trace.enabled() && self.nodes.get(id).is_some_and(|n| !n.deleting) {
            self.cause(
                "NodeRemoved",
                None,
                |s| vec![s.node_ref(id)],
                |s| {
                    let n = s.nodes.get(id).expect("checked");
                    format!("node object deleted ({} pods still bound)", n.pods.len())
                },
            );
        }
        if let Some(n) = self.nodes.get_mut(id) {
            if n.deleting {
                return; // already deleted (a tombstone until its notification is delivered)
            }
            Self::touch(&mut self.node_gens, &mut self.gen_counter, id);
            self.images_gen += 1;
            n.deleting = true;
            let name = n.name;
            for &(img, _) in &n.images {
                if let Some(c) = self.image_nodes.get_mut(&img) {
                    *c -= 1;
                }
            }
            self.node_by_name.remove(&name);
            self.node_order.retain(|&x| x != id);
            self.changes.push(Change::Node(id, Op::Deleted));
        }
    }

    // ----- pods -------------------------------------------------------------------------------

    /// A pod by id (tombstones included until reaped).
    pub fn pod(&self, id: PodId) -> Option<&Pod> {
        self.pods.get(id)
    }

    /// A pod's hot fields (phase, deletion, readiness times, start time, requests) from a
    /// dense array: what per-pod loops over a workload's pods should read.
    #[inline]
    pub fn pod_brief(&self, id: PodId) -> Option<brief::PodBrief> {
        self.briefs.get(id)
    }

    /// Rewrites a pod's brief after a mutation.
    fn refresh_brief(&mut self, id: PodId) {
        if let Some(p) = self.pods.get(id)
            && self.briefs.refresh(id, p)
            && let Some(OwnerRef::ReplicaSet(rs)) = p.owner
            && let Some(r) = self.replicasets.get_mut(rs)
        {
            r.members_gen += 1;
        }
    }

    /// A pod by namespace and name.
    pub fn pod_by_name(&self, ns: Sym, name: &str) -> Option<PodId> {
        self.pod_by_name.get(&(ns, Arc::from(name))).copied()
    }

    /// Iterates live pods (not tombstones) in slot order.
    pub fn pods(&self) -> impl Iterator<Item = (PodId, &Pod)> + '_ {
        self.pods.iter().filter(|(_, p)| !p.deleted)
    }

    /// Live pods that are Pending and not bound to a node, in the order of [`Store::pods`]
    /// (found through the dense briefs, so the scan reads no other pod objects).
    pub fn pending_unbound_pods(&self) -> impl Iterator<Item = (PodId, &Pod)> + '_ {
        self.briefs
            .iter()
            .filter(|b| b.node.is_none() && b.phase == PodPhase::Pending)
            .filter_map(|b| self.pods.get(b.id).map(|p| (b.id, p)))
            .filter(|(_, p)| !p.deleted)
    }

    /// Number of live pods.
    pub fn pod_count(&self) -> usize {
        self.pod_by_name.len()
    }

    /// Pod counts by phase.
    pub fn pod_counts(&self) -> PodCounts {
        self.counts
    }

    /// Creates a pod after admission (namespace, name uniqueness, priority resolution).
    pub fn create_pod(&mut self, p: NewPod) -> Result<PodId, AdmissionError> {
        if !self.namespaces.contains_key(&p.namespace) {
            return Err(AdmissionError::NoNamespace(
                self.interner.resolve(p.namespace).to_string(),
            ));
        }
        if self
            .pod_by_name
            .contains_key(&(p.namespace, p.name.clone()))
        {
            return Err(AdmissionError::AlreadyExists(p.name.to_string()));
        }
        // Mutating admission: LimitRanger defaults, then Priority.
        let mut spec = p.spec.clone();
        if self.admission.has_limit_ranges(p.namespace)
            && let Some(s) = self
                .admission
                .apply_defaults(p.namespace, &spec, &self.interner)
        {
            spec = Arc::new(s);
        }
        // The VPA admission webhook (a mutating webhook: after the built-in plugins).
        let mut annotations = p.annotations.clone();
        if !self.vpa_patches.is_empty()
            && let Some(patch) = self.vpa_patch_for(p.namespace, p.owner)
            && let Some((s, note)) = vpa_webhook::apply(&spec, &patch)
        {
            spec = Arc::new(s);
            let key = self.interner.intern(vpa_webhook::ANNOTATION);
            let value = self.interner.intern(&note);
            let mut a: Vec<(Sym, Sym)> =
                annotations.iter().copied().filter(|x| x.0 != key).collect();
            a.push((key, value));
            annotations = a.into();
        }
        let (priority, preempt) = self.resolve_priority(&p)?;
        // Validating admission: LimitRanger, then ResourceQuota (last, as upstream).
        let forbidden = |m: String| AdmissionError::Forbidden(p.name.to_string(), m);
        self.admission
            .validate_limits(p.namespace, &spec)
            .map_err(forbidden)?;
        let requests = spec.effective_requests();
        let charges = self
            .admission
            .check_quota(
                p.namespace,
                &spec,
                spec.qos_class(),
                &requests,
                &self.interner,
            )
            .map_err(forbidden)?;
        self.admission.charge(p.namespace, &charges, 1);
        let (nz_cpu, nz_mem) = spec.non_zero_requests();
        let qos = spec.qos_class();
        let sig = crate::model::pod::NodeLocalSignature::of(&spec, &requests, (nz_cpu, nz_mem));
        let next_sig = self.signatures.len() as u32;
        let node_local_sig = *self.signatures.entry(sig).or_insert(next_sig);
        let uid = self.next_uid();
        let mut status = PodStatus::pending();
        if !spec.scheduling_gates.is_empty() {
            status.reason = Some(PodReason::SchedulingGated);
        }
        let pod = Pod {
            uid,
            name: p.name.clone(),
            namespace: p.namespace,
            labels: p.labels,
            annotations,
            owner: p.owner,
            preempt_lower: spec.preempt_lower.unwrap_or(preempt),
            spec,
            created: self.now,
            priority,
            requests,
            node_local_sig,
            non_zero_cpu: nz_cpu,
            non_zero_memory: nz_mem,
            qos,
            status,
            deleted: false,
        };
        let id = self.pods.insert(pod);
        self.refresh_brief(id);
        self.pod_by_name.insert((p.namespace, p.name), id);
        if let Some(OwnerRef::ReplicaSet(rs)) = p.owner
            && let Some(r) = self.replicasets.get_mut(rs)
        {
            r.pods.insert(id);
            r.members_gen += 1;
            r.active_pods += 1;
        }
        self.counts.pending += 1;
        self.counts.unbound += 1;
        self.counts.created += 1;
        self.changes
            .push(Change::Pod(id, Op::Added, PodDelta::default()));
        Ok(id)
    }

    /// Starts keeping the log of readiness and phase changes that [`Store::take_status_log`]
    /// drains.
    pub fn keep_status_log(&mut self) {
        self.status_log.get_or_insert_with(Vec::new);
    }

    /// The pods whose readiness or phase changed since the last call (each change once, in
    /// order); unlike watch notifications, this is current at any instant. `buf` is reused.
    pub fn take_status_log(&mut self, buf: &mut Vec<PodId>) {
        buf.clear();
        if let Some(log) = self.status_log.as_mut() {
            std::mem::swap(log, buf);
        }
    }

    /// Sets (or with `None` removes) what the VPA admission webhook applies to new pods of the
    /// Deployment `name` in `ns`.
    pub fn set_vpa_patch(&mut self, ns: Sym, name: Arc<str>, patch: Option<vpa_webhook::VpaPatch>) {
        match patch {
            Some(p) => {
                if self
                    .vpa_patches
                    .get(&(ns, name.clone()))
                    .is_none_or(|x| **x != p)
                {
                    self.vpa_patches.insert((ns, name), Arc::new(p));
                }
            }
            None => {
                self.vpa_patches.remove(&(ns, name));
            }
        }
    }

    /// The webhook's patch for a pod owned by `owner` (a ReplicaSet of a Deployment).
    fn vpa_patch_for(
        &self,
        ns: Sym,
        owner: Option<OwnerRef>,
    ) -> Option<Arc<vpa_webhook::VpaPatch>> {
        let deployment = match owner? {
            OwnerRef::ReplicaSet(rs) => match self.replicasets.get(rs)?.owner? {
                OwnerRef::Deployment(d) => d,
                _ => return None,
            },
            OwnerRef::Deployment(d) => d,
            _ => return None,
        };
        let name = self.deployments.get(deployment)?.name.clone();
        self.vpa_patches.get(&(ns, name)).cloned()
    }

    /// Resolves a pod's priority like the Priority admission plugin: the named class's value,
    /// else the global default class, else `spec.priority`, else 0.
    fn resolve_priority(&self, p: &NewPod) -> Result<(i32, bool), AdmissionError> {
        let class_info = |o: &StoredObject| -> (i32, bool) {
            match o.object.as_ref() {
                api::Object::PriorityClass(pc) => (
                    pc.value,
                    pc.preemption_policy != Some(api::pod::PreemptionPolicy::Never),
                ),
                _ => (0, true),
            }
        };
        if let Some(pc) = p.spec.priority_class {
            let name = self.interner.resolve(pc);
            // Built-in system classes.
            match name {
                "system-cluster-critical" => return Ok((2_000_000_000, true)),
                "system-node-critical" => return Ok((2_000_001_000, true)),
                _ => {}
            }
            return match self.object(Kind::PriorityClass, Sym(0), name) {
                Some(o) => Ok(class_info(o)),
                None => Err(AdmissionError::NoPriorityClass(
                    p.name.to_string(),
                    name.to_string(),
                )),
            };
        }
        for o in self.objects_of(Kind::PriorityClass) {
            if let api::Object::PriorityClass(pc) = o.object.as_ref()
                && pc.global_default
            {
                return Ok(class_info(o));
            }
        }
        Ok((p.spec.priority.unwrap_or(0), true))
    }

    /// Binds a pod to a node (the Binding subresource): the pod now holds the node's resources.
    pub fn bind_pod(&mut self, id: PodId, node: NodeId) {
        let now = self.now;
        let Some(p) = self.pods.get_mut(id) else {
            return;
        };
        if p.status.node.is_some() {
            return;
        }
        p.status.node = Some(node);
        p.status.scheduled_at = Some(now);
        p.status.unschedulable = false;
        p.status.nominated_node = None;
        let holds = !p.status.phase.is_terminal();
        let (req, nzc, nzm, ports, priority) = (
            p.requests.clone(),
            p.non_zero_cpu,
            p.non_zero_memory,
            p.spec.host_ports.clone(),
            p.priority,
        );
        self.counts.unbound -= 1;
        if let Some(n) = self.nodes.get_mut(node) {
            Self::touch(&mut self.node_gens, &mut self.gen_counter, node);
            n.pods.insert(id);
            if holds {
                n.requested.add(&req);
                n.non_zero_cpu += nzc;
                n.non_zero_memory += nzm;
                n.pod_count += 1;
                n.count_priority(priority, 1);
                count_priority(&mut self.bound_priorities, priority, 1);
                n.used_ports.extend(ports);
            }
        }
        self.refresh_brief(id);
        self.changes
            .push(Change::Pod(id, Op::Updated, PodDelta::BOUND));
    }

    fn release_node_resources(&mut self, id: PodId) {
        let Some(p) = self.pods.get(id) else { return };
        let Some(node) = p.status.node else { return };
        let (req, nzc, nzm) = (p.requests.clone(), p.non_zero_cpu, p.non_zero_memory);
        let ports = p.spec.host_ports.clone();
        let priority = p.priority;
        if let Some(n) = self.nodes.get_mut(node) {
            Self::touch(&mut self.node_gens, &mut self.gen_counter, node);
            n.requested.sub(&req);
            n.non_zero_cpu -= nzc;
            n.non_zero_memory -= nzm;
            n.pod_count -= 1;
            if n.priorities.iter().any(|e| e.0 == priority) {
                count_priority(&mut self.bound_priorities, priority, -1);
            }
            n.count_priority(priority, -1);
            for hp in ports {
                if let Some(i) = n.used_ports.iter().position(|x| *x == hp) {
                    n.used_ports.swap_remove(i);
                }
            }
        }
    }

    fn count_phase(&mut self, phase: PodPhase, delta: i64) {
        let c = match phase {
            PodPhase::Pending => &mut self.counts.pending,
            PodPhase::Running => &mut self.counts.running,
            PodPhase::Succeeded => &mut self.counts.succeeded,
            PodPhase::Failed => &mut self.counts.failed,
        };
        *c = (*c as i64 + delta) as u64;
    }

    /// Sets a pod's phase. A terminal phase releases the node's resources and readiness.
    pub fn set_pod_phase(&mut self, id: PodId, phase: PodPhase) {
        let before = self.rs_state(id);
        self.set_pod_phase_inner(id, phase);
        self.rs_fix(id, before);
    }

    fn set_pod_phase_inner(&mut self, id: PodId, phase: PodPhase) {
        let Some(p) = self.pods.get(id) else { return };
        let old = p.status.phase;
        if old == phase || old.is_terminal() {
            return;
        }
        if phase.is_terminal() {
            self.uncharge_pod(id);
            self.release_node_resources(id);
            if self
                .pods
                .get(id)
                .is_some_and(|p| p.status.ready_since.is_some())
            {
                self.counts.ready -= 1;
            }
        }
        let now = self.now;
        let p = self.pods.get_mut(id).expect("checked");
        p.status.phase = phase;
        if phase == PodPhase::Running && p.status.running_since.is_none() {
            p.status.running_since = Some(now);
        }
        let mut delta = PodDelta::PHASE;
        if phase.is_terminal() && p.status.ready_since.take().is_some() {
            p.status.ready_lost = Some(now);
            delta = PodDelta(delta.0 | PodDelta::READY.0);
        }
        if let Some(log) = self.status_log.as_mut() {
            log.push(id);
        }
        self.count_phase(old, -1);
        self.count_phase(phase, 1);
        self.refresh_brief(id);
        self.changes.push(Change::Pod(id, Op::Updated, delta));
    }

    /// Sets or clears a pod's Ready condition.
    pub fn set_pod_ready(&mut self, id: PodId, ready: bool) {
        let before = self.rs_state(id);
        let was = self.trace.enabled() && self.pods.get(id).is_some_and(|p| p.is_ready());
        self.set_pod_ready_inner(id, ready);
        self.rs_fix(id, before);
        if self.trace.enabled() && self.pods.get(id).is_some_and(|p| p.is_ready()) != was {
            self.cause(
                if ready { "Ready" } else { "NotReady" },
                None,
                |s| vec![s.pod_ref(id)],
                |_| {
                    if ready {
                        "every container running and passing its readiness probe: Ready=True"
                            .to_string()
                    } else {
                        "a container stopped or failed its probe: Ready=False".to_string()
                    }
                },
            );
        }
    }

    fn set_pod_ready_inner(&mut self, id: PodId, ready: bool) {
        let now = self.now;
        let Some(p) = self.pods.get_mut(id) else {
            return;
        };
        if p.status.ready_since.is_some() == ready || (ready && p.status.phase.is_terminal()) {
            return;
        }
        p.status.ready_since = if ready { Some(now) } else { None };
        if !ready {
            p.status.ready_lost = Some(now);
        }
        if ready {
            self.counts.ready += 1;
        } else {
            self.counts.ready -= 1;
        }
        if let Some(log) = self.status_log.as_mut() {
            log.push(id);
        }
        self.refresh_brief(id);
        self.changes
            .push(Change::Pod(id, Op::Updated, PodDelta::READY));
    }

    /// Changes non-indexed pod status fields (reason, restarts, start time, messages...).
    pub fn update_pod_status(
        &mut self,
        id: PodId,
        delta: PodDelta,
        f: impl FnOnce(&mut PodStatus),
    ) {
        let Some(p) = self.pods.get_mut(id) else {
            return;
        };
        let (phase, node, ready, deleting) = (
            p.status.phase,
            p.status.node,
            p.status.ready_since,
            p.status.deletion_at,
        );
        f(&mut p.status);
        // Indexed fields must go through their own methods.
        debug_assert!(p.status.phase == phase && p.status.node == node);
        debug_assert!(p.status.ready_since == ready && p.status.deletion_at == deleting);
        p.status.phase = phase;
        p.status.node = node;
        p.status.ready_since = ready;
        p.status.deletion_at = deleting;
        self.refresh_brief(id);
        self.changes.push(Change::Pod(id, Op::Updated, delta));
    }

    /// Starts a graceful deletion (`metadata.deletionTimestamp`). Returns false when the pod
    /// can be deleted at once instead: it is not bound, or already terminal (as the API server
    /// decides in `CheckGracefulDelete`).
    pub fn mark_pod_deleting(&mut self, id: PodId, grace: Option<SimDuration>) -> bool {
        let before = self.rs_state(id);
        let started = self.trace.enabled()
            && self
                .pods
                .get(id)
                .is_some_and(|p| p.status.deletion_at.is_none());
        let r = self.mark_pod_deleting_inner(id, grace);
        self.rs_fix(id, before);
        if started && r {
            self.cause(
                "Deleting",
                None,
                |s| vec![s.pod_ref(id)],
                |s| {
                    let g = s
                        .pods
                        .get(id)
                        .map_or(SimDuration::ZERO, |p| p.status.deletion_grace);
                    format!("deletion started (Terminating), grace period {g}")
                },
            );
        }
        r
    }

    fn mark_pod_deleting_inner(&mut self, id: PodId, grace: Option<SimDuration>) -> bool {
        let now = self.now;
        let Some(p) = self.pods.get_mut(id) else {
            return false;
        };
        if p.status.deletion_at.is_some() {
            return true;
        }
        if p.status.node.is_none() || p.status.phase.is_terminal() {
            return false;
        }
        p.status.deletion_at = Some(now);
        p.status.deletion_grace = grace.unwrap_or(p.spec.termination_grace);
        let was_ready = p.status.ready_since.take().is_some();
        if was_ready {
            p.status.ready_lost = Some(now);
        }
        self.counts.terminating += 1;
        if was_ready {
            self.counts.ready -= 1;
        }
        let d = if was_ready {
            PodDelta(PodDelta::DELETING.0 | PodDelta::READY.0)
        } else {
            PodDelta::DELETING
        };
        self.refresh_brief(id);
        self.changes.push(Change::Pod(id, Op::Updated, d));
        true
    }

    /// The owning ReplicaSet of a pod with whether the pod is active and active-and-ready.
    fn rs_state(&self, id: PodId) -> Option<(ReplicaSetId, bool, bool)> {
        let p = self.pods.get(id)?;
        let Some(OwnerRef::ReplicaSet(rs)) = p.owner else {
            return None;
        };
        let active = p.is_active();
        Some((rs, active, active && p.is_ready()))
    }

    /// Adjusts the owner's counters from `before` to the pod's state now.
    fn rs_fix(&mut self, id: PodId, before: Option<(ReplicaSetId, bool, bool)>) {
        let Some((rs, a0, r0)) = before else { return };
        let (a1, r1) = match self.rs_state(id) {
            Some((_, a, r)) => (a, r),
            None => (false, false),
        };
        if let Some(r) = self.replicasets.get_mut(rs) {
            r.active_pods = (r.active_pods as i64 + a1 as i64 - a0 as i64) as u32;
            r.ready_pods = (r.ready_pods as i64 + r1 as i64 - r0 as i64) as u32;
        }
    }

    /// Removes a pod from the cluster: it leaves every index now and is reaped after its
    /// `Deleted` notification.
    pub fn delete_pod(&mut self, id: PodId) {
        if self.pods.get(id).is_none_or(|p| p.deleted) {
            return;
        }
        if self.trace.enabled() {
            self.cause(
                "Deleted",
                None,
                |s| vec![s.pod_ref(id)],
                |s| {
                    let p = s.pods.get(id).expect("checked");
                    format!(
                        "removed from the API server (phase {})",
                        p.status.phase.as_str()
                    )
                },
            );
        }
        let Some(p) = self.pods.get(id) else { return };
        let before = self.rs_state(id);
        if let Some((rs, a, r)) = before
            && let Some(set) = self.replicasets.get_mut(rs)
        {
            set.active_pods -= a as u32;
            set.ready_pods -= r as u32;
        }
        if !p.status.phase.is_terminal() {
            self.uncharge_pod(id);
        }
        let p = self.pods.get(id).expect("checked");
        if p.holds_resources() {
            self.release_node_resources(id);
        }
        let p = self.pods.get_mut(id).expect("checked");
        p.deleted = true;
        let (ns, name, owner, node, phase) = (
            p.namespace,
            p.name.clone(),
            p.owner,
            p.status.node,
            p.status.phase,
        );
        let ready = p.status.ready_since.is_some();
        let terminating = p.status.deletion_at.is_some();
        self.pod_by_name.remove(&(ns, name));
        if let Some(OwnerRef::ReplicaSet(rs)) = owner
            && let Some(r) = self.replicasets.get_mut(rs)
        {
            r.pods.remove(&id);
            r.members_gen += 1;
        }
        match node {
            Some(n) => {
                if let Some(nd) = self.nodes.get_mut(n) {
                    Self::touch(&mut self.node_gens, &mut self.gen_counter, n);
                    nd.pods.remove(&id);
                }
            }
            None => self.counts.unbound -= 1,
        }
        self.count_phase(phase, -1);
        if ready {
            self.counts.ready -= 1;
        }
        if terminating {
            self.counts.terminating -= 1;
        }
        self.counts.deleted += 1;
        self.refresh_brief(id);
        self.changes
            .push(Change::Pod(id, Op::Deleted, PodDelta::default()));
    }

    // ----- deployments --------------------------------------------------------------------------

    /// Creates a Deployment.
    pub fn add_deployment(&mut self, d: Deployment) -> DeploymentId {
        let key = (d.namespace, d.name.clone());
        let id = self.deployments.insert(d);
        self.deployment_by_name.insert(key, id);
        self.changes.push(Change::Deployment(id, Op::Added));
        id
    }

    /// A Deployment by id.
    pub fn deployment(&self, id: DeploymentId) -> Option<&Deployment> {
        self.deployments.get(id)
    }

    /// A Deployment by namespace and name.
    pub fn deployment_by_name(&self, ns: Sym, name: &str) -> Option<DeploymentId> {
        self.deployment_by_name.get(&(ns, Arc::from(name))).copied()
    }

    /// Live Deployments in (namespace, name) order.
    pub fn deployments(&self) -> impl Iterator<Item = (DeploymentId, &Deployment)> + '_ {
        self.deployment_by_name
            .values()
            .filter_map(|&id| self.deployments.get(id).map(|d| (id, d)))
    }

    /// Changes a Deployment's spec through `f` (scale, new template, pause) and notifies.
    pub fn update_deployment(&mut self, id: DeploymentId, f: impl FnOnce(&mut Deployment)) {
        if let Some(d) = self.deployments.get_mut(id) {
            f(d);
            self.changes.push(Change::Deployment(id, Op::Updated));
        }
    }

    /// Writes a Deployment's status (no notification when unchanged).
    pub fn set_deployment_status(
        &mut self,
        id: DeploymentId,
        revision: i64,
        status: DeploymentStatus,
    ) {
        if let Some(d) = self.deployments.get_mut(id) {
            let same = d.revision == revision
                && d.status.replicas == status.replicas
                && d.status.updated_replicas == status.updated_replicas
                && d.status.ready_replicas == status.ready_replicas
                && d.status.available_replicas == status.available_replicas
                && d.status.unavailable_replicas == status.unavailable_replicas
                && d.status.progressing == status.progressing
                && d.status.available == status.available;
            d.revision = revision;
            d.status = status;
            if !same {
                self.changes.push(Change::Deployment(id, Op::Updated));
            }
        }
    }

    /// Deletes a Deployment (its ReplicaSets are garbage-collected by the simulation).
    pub fn delete_deployment(&mut self, id: DeploymentId) {
        if let Some(d) = self.deployments.get_mut(id) {
            d.deleted = true;
            let key = (d.namespace, d.name.clone());
            self.deployment_by_name.remove(&key);
            self.changes.push(Change::Deployment(id, Op::Deleted));
        }
    }

    // ----- replicasets ----------------------------------------------------------------------------

    /// Creates a ReplicaSet.
    pub fn add_replicaset(&mut self, rs: ReplicaSet) -> ReplicaSetId {
        let key = (rs.namespace, rs.name.clone());
        let dep = rs.deployment();
        let id = self.replicasets.insert(rs);
        self.rs_by_name.insert(key, id);
        if let Some(d) = dep {
            self.rs_by_deployment.entry(d).or_default().insert(id);
        }
        self.changes.push(Change::ReplicaSet(id, Op::Added));
        id
    }

    /// A ReplicaSet by id.
    pub fn replicaset(&self, id: ReplicaSetId) -> Option<&ReplicaSet> {
        self.replicasets.get(id)
    }

    /// A ReplicaSet by namespace and name.
    pub fn replicaset_by_name(&self, ns: Sym, name: &str) -> Option<ReplicaSetId> {
        self.rs_by_name.get(&(ns, Arc::from(name))).copied()
    }

    /// Live ReplicaSets in (namespace, name) order.
    pub fn replicasets(&self) -> impl Iterator<Item = (ReplicaSetId, &ReplicaSet)> + '_ {
        self.rs_by_name
            .values()
            .filter_map(|&id| self.replicasets.get(id).map(|r| (id, r)))
    }

    /// ReplicaSets owned by a Deployment.
    pub fn replicasets_of(&self, d: DeploymentId) -> Vec<ReplicaSetId> {
        self.rs_by_deployment
            .get(&d)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Changes a ReplicaSet's spec through `f` (replicas, annotations, revision) and notifies.
    pub fn update_replicaset(&mut self, id: ReplicaSetId, f: impl FnOnce(&mut ReplicaSet)) {
        if let Some(r) = self.replicasets.get_mut(id) {
            f(r);
            self.changes.push(Change::ReplicaSet(id, Op::Updated));
        }
    }

    /// Writes a ReplicaSet's status (no notification when unchanged).
    pub fn set_replicaset_status(&mut self, id: ReplicaSetId, status: ReplicaSetStatus) {
        if let Some(r) = self.replicasets.get_mut(id)
            && r.status != status
        {
            r.status = status;
            self.changes.push(Change::ReplicaSet(id, Op::Updated));
        }
    }

    /// Deletes a ReplicaSet (its pods are garbage-collected by the simulation).
    pub fn delete_replicaset(&mut self, id: ReplicaSetId) {
        if let Some(r) = self.replicasets.get_mut(id) {
            r.deleted = true;
            let key = (r.namespace, r.name.clone());
            let dep = r.deployment();
            self.rs_by_name.remove(&key);
            if let Some(d) = dep
                && let Some(s) = self.rs_by_deployment.get_mut(&d)
            {
                s.remove(&id);
            }
            self.changes.push(Change::ReplicaSet(id, Op::Deleted));
        }
    }

    /// Checks the incremental bookkeeping against a full recount (for tests and `sim-check`
    /// builds). Returns a description of the first mismatch.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (_, r) in self.replicasets() {
            let (mut active, mut ready) = (0, 0);
            for &p in &r.pods {
                if let Some(p) = self.pods.get(p)
                    && p.is_active()
                {
                    active += 1;
                    ready += p.is_ready() as u32;
                }
            }
            if (active, ready) != (r.active_pods, r.ready_pods) {
                return Err(format!(
                    "replicaset {}: counted {}/{} active/ready pods, recount {active}/{ready}",
                    r.name, r.active_pods, r.ready_pods
                ));
            }
        }
        let mut counts = PodCounts {
            created: self.counts.created,
            deleted: self.counts.deleted,
            ..Default::default()
        };
        let mut per_node: BTreeMap<NodeId, (crate::model::Resources, i64, i64, i64)> =
            BTreeMap::new();
        for (id, p) in self.pods() {
            match p.status.phase {
                PodPhase::Pending => counts.pending += 1,
                PodPhase::Running => counts.running += 1,
                PodPhase::Succeeded => counts.succeeded += 1,
                PodPhase::Failed => counts.failed += 1,
            }
            if p.status.deletion_at.is_some() {
                counts.terminating += 1;
            }
            if p.status.node.is_none() {
                counts.unbound += 1;
            }
            if p.is_ready() {
                counts.ready += 1;
            }
            if let Some(n) = p.status.node {
                let node = self
                    .nodes
                    .get(n)
                    .ok_or_else(|| format!("pod {} bound to a missing node", p.name))?;
                if !node.pods.contains(&id) {
                    return Err(format!("pod {} missing from its node's pod set", p.name));
                }
                if p.holds_resources() {
                    let e = per_node
                        .entry(n)
                        .or_insert((crate::model::Resources::zero(), 0, 0, 0));
                    e.0.add(&p.requests);
                    e.1 += p.non_zero_cpu;
                    e.2 += p.non_zero_memory;
                    e.3 += 1;
                }
            }
        }
        let spaces: Vec<Sym> = self.namespaces.keys().copied().collect();
        for ns in spaces {
            let quotas = self.admission.quotas(ns);
            if quotas.is_empty() {
                continue;
            }
            let mut recount: Vec<Vec<i64>> = quotas.iter().map(|q| vec![0; q.used.len()]).collect();
            for (_, p) in self.pods() {
                if p.namespace == ns && !p.status.phase.is_terminal() {
                    let c =
                        self.admission
                            .pod_charges(ns, &p.spec, p.qos, &p.requests, &self.interner);
                    for (qi, ri, v) in c {
                        recount[qi][ri] += v;
                    }
                }
            }
            for (q, r) in quotas.iter().zip(&recount) {
                if &q.used != r {
                    return Err(format!(
                        "quota {}: used {:?} != recount {r:?}",
                        q.name, q.used
                    ));
                }
            }
        }
        if counts != self.counts {
            return Err(format!(
                "pod counts {:?} != recount {:?}",
                self.counts, counts
            ));
        }
        for (id, n) in self.nodes() {
            let (r, c, m, k) =
                per_node
                    .remove(&id)
                    .unwrap_or((crate::model::Resources::zero(), 0, 0, 0));
            if n.requested != r || n.non_zero_cpu != c || n.non_zero_memory != m || n.pod_count != k
            {
                return Err(format!(
                    "node {} totals {:?}/{}/{}/{} != recount {:?}/{}/{}/{}",
                    self.interner.resolve(n.name),
                    n.requested,
                    n.non_zero_cpu,
                    n.non_zero_memory,
                    n.pod_count,
                    r,
                    c,
                    m,
                    k
                ));
            }
        }
        Ok(())
    }
}

/// Counts one more or one fewer pod of `priority` in a (priority, count) list.
fn count_priority(list: &mut Vec<(i32, u32)>, priority: i32, delta: i32) {
    match list.iter().position(|e| e.0 == priority) {
        Some(i) => {
            let c = list[i].1 as i64 + delta as i64;
            if c <= 0 {
                list.swap_remove(i);
            } else {
                list[i].1 = c as u32;
            }
        }
        None if delta > 0 => list.push((priority, delta as u32)),
        None => {}
    }
}
