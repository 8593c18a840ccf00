//! The DaemonSet controller (`pkg/controller/daemon/daemon_controller.go`, `update.go`,
//! `pkg/controller/daemon/util/daemonset_util.go`): one pod on every node the set should run on
//! (`NodeShouldRunDaemonPod`: node name, node selector and required node affinity, NoSchedule and
//! NoExecute taints against the pod's tolerations plus the ones the controller adds), following
//! nodes as they come, go and change; each pod gets the node affinity term `metadata.name In
//! [node]` so the default scheduler places it; `RollingUpdate` with `maxUnavailable` (default 1)
//! and `maxSurge`, or `OnDelete`; and `status`.
//!
//! DaemonSets have no runtime model in the store: their manifests stay `StoredObject`s and the
//! controller keeps its own table (one entry per set, indexed by `OwnerRef::DaemonSet`).
//! Simplifications (docs/fidelity.md): failed daemon pods are deleted at once (no per-node
//! backoff); orphans are not adopted; no ControllerRevision history.

use super::WorkQueue;
use super::replicaset::generate_name;
use crate::api::workloads::DaemonSet;
use crate::api::{self, IntOrPercent, Kind};
use crate::engine::{RngStreams, SimDuration, SimRng, SimTime, StreamId};
use crate::load::Origin;
use crate::model::convert;
use crate::model::labels::{Requirement, SelOp, Selector};
use crate::model::pod::{NodeSelectorTerm, PodPhase, PodSpec, TaintEffect, Toleration};
use crate::model::workloads::PodTemplate;
use crate::model::{Interner, Node, NodeId, OwnerRef, PodId, Sym};
use crate::sim::Ctx;
use crate::sim::event::ControllerKind;
use crate::store::events::{EventType, ObjRef};
use crate::store::{Change, NewPod, Op, PodDelta};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Observed state of a DaemonSet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DaemonSetStatus {
    /// Nodes that should run the daemon pod.
    pub desired_number_scheduled: i32,
    /// Nodes running at least one daemon pod that should.
    pub current_number_scheduled: i32,
    /// Nodes running a daemon pod that should not.
    pub number_misscheduled: i32,
    /// Nodes with a Ready daemon pod.
    pub number_ready: i32,
    /// Nodes with an up-to-date daemon pod.
    pub updated_number_scheduled: i32,
    /// Nodes with a daemon pod available for `minReadySeconds`.
    pub number_available: i32,
    /// Nodes without an available daemon pod that should have one.
    pub number_unavailable: i32,
}

/// One DaemonSet as the controller sees it.
#[derive(Debug)]
pub struct Ds {
    /// Namespace.
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
    obj_uid: u64,
    template: PodTemplate,
    rev: Sym,
    on_delete: bool,
    max_unavailable: IntOrPercent,
    max_surge: IntOrPercent,
    min_ready: SimDuration,
    /// Pods by node, with the revision each was created from.
    pods: BTreeMap<NodeId, Vec<(PodId, Sym)>>,
    /// Nodes that should run the pod at the last sync.
    wanted: BTreeSet<NodeId>,
    deleted: bool,
    /// Observed state.
    pub status: DaemonSetStatus,
}

/// The DaemonSet controller.
pub struct DaemonSetController {
    queue: WorkQueue<u32>,
    sets: Vec<Ds>,
    by_key: BTreeMap<(Sym, Arc<str>), u32>,
    names: SimRng,
    failures: BTreeMap<u32, u32>,
}

/// The tolerations `AddOrUpdateDaemonPodTolerations` gives every daemon pod (key, effect), all
/// with operator `Exists`; network-unavailable only for host-network pods.
pub const DAEMON_TOLERATIONS: [(&str, TaintEffect); 6] = [
    ("node.kubernetes.io/not-ready", TaintEffect::NoExecute),
    ("node.kubernetes.io/unreachable", TaintEffect::NoExecute),
    ("node.kubernetes.io/disk-pressure", TaintEffect::NoSchedule),
    (
        "node.kubernetes.io/memory-pressure",
        TaintEffect::NoSchedule,
    ),
    ("node.kubernetes.io/pid-pressure", TaintEffect::NoSchedule),
    ("node.kubernetes.io/unschedulable", TaintEffect::NoSchedule),
];

impl DaemonSetController {
    /// A controller drawing generated pod names from its own stream.
    pub fn new(seeds: &RngStreams) -> Self {
        DaemonSetController {
            queue: WorkQueue::new(ControllerKind::DaemonSet),
            sets: Vec::new(),
            by_key: BTreeMap::new(),
            names: seeds.stream(StreamId::new(StreamId::CONTROLLER, 7)),
            failures: BTreeMap::new(),
        }
    }

    /// A DaemonSet's controller state by namespace and name.
    pub fn get(&self, ns: Sym, name: &str) -> Option<&Ds> {
        self.by_key
            .get(&(ns, Arc::from(name)))
            .map(|&i| &self.sets[i as usize])
            .filter(|s| !s.deleted)
    }

    /// Watch handler: manifests, nodes (added, removed, relabelled, tainted) and daemon pods.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Other(Kind::DaemonSet, _) => self.resync_objects(cx),
            Change::Node(_, Op::Added | Op::Deleted) => {
                for i in 0..self.sets.len() as u32 {
                    if !self.sets[i as usize].deleted {
                        self.queue.add(i, cx.now, cx.queue);
                    }
                }
            }
            Change::Node(nid, Op::Updated) => {
                // Only the sets whose verdict on this node changed.
                let Some(node) = cx.store.node(nid) else {
                    return;
                };
                for i in 0..self.sets.len() as u32 {
                    let s = &self.sets[i as usize];
                    if s.deleted {
                        continue;
                    }
                    let (run, cont) = should_run(&s.template.spec, node, &cx.store.interner);
                    let has = s.pods.get(&nid).is_some_and(|v| !v.is_empty());
                    if run != s.wanted.contains(&nid) || (!cont && has) || (run && !has) {
                        self.queue.add(i, cx.now, cx.queue);
                    }
                }
            }
            Change::Pod(pid, op, delta) => {
                let relevant = op != Op::Updated
                    || delta.has(PodDelta::PHASE)
                    || delta.has(PodDelta::READY)
                    || delta.has(PodDelta::DELETING)
                    || delta.has(PodDelta::BOUND);
                if !relevant {
                    return;
                }
                let Some(p) = cx.store.pod(pid) else { return };
                let Some(OwnerRef::DaemonSet(idx)) = p.owner else {
                    return;
                };
                if op == Op::Deleted
                    && let Some(s) = self.sets.get_mut(idx as usize)
                {
                    for v in s.pods.values_mut() {
                        v.retain(|(id, _)| *id != pid);
                    }
                    s.pods.retain(|_, v| !v.is_empty());
                }
                self.queue.add(idx, cx.now, cx.queue);
            }
            _ => {}
        }
    }

    fn resync_objects(&mut self, cx: &mut Ctx<'_>) {
        let mut seen: Vec<u32> = Vec::new();
        let objs: Vec<(u64, Arc<api::Object>, Origin)> = cx
            .store
            .objects_of(Kind::DaemonSet)
            .map(|o| (o.uid, o.object.clone(), o.origin.clone()))
            .collect();
        for (uid, obj, origin) in objs {
            let api::Object::DaemonSet(d) = obj.as_ref() else {
                continue;
            };
            let ns = cx
                .store
                .interner
                .intern(d.metadata.namespace.as_deref().unwrap_or("default"));
            let name: Arc<str> = Arc::from(d.metadata.name.as_deref().unwrap_or(""));
            let built = match self.by_key.get(&(ns, name.clone())) {
                Some(&i) if self.sets[i as usize].obj_uid == uid => {
                    seen.push(i);
                    continue;
                }
                _ => build(ns, name.clone(), uid, d, &origin, &mut cx.store.interner),
            };
            let fresh = match built {
                Ok(f) => f,
                Err(e) => {
                    let obj = ObjRef {
                        kind: Kind::DaemonSet,
                        namespace: ns,
                        name,
                    };
                    cx.store
                        .record(obj, EventType::Warning, "FailedApply", "kubesim", |_| e);
                    continue;
                }
            };
            let idx = match self.by_key.get(&(ns, name.clone())) {
                Some(&i) => {
                    let s = &mut self.sets[i as usize];
                    let pods = std::mem::take(&mut s.pods);
                    let wanted = std::mem::take(&mut s.wanted);
                    *s = fresh;
                    s.pods = pods;
                    s.wanted = wanted;
                    i
                }
                None => {
                    let i = self.sets.len() as u32;
                    self.sets.push(fresh);
                    self.by_key.insert((ns, name), i);
                    i
                }
            };
            seen.push(idx);
            self.queue.add(idx, cx.now, cx.queue);
        }
        seen.sort_unstable();
        for i in 0..self.sets.len() as u32 {
            let s = &mut self.sets[i as usize];
            if s.deleted || seen.binary_search(&i).is_ok() {
                continue;
            }
            // Deleted: background garbage collection of its pods.
            s.deleted = true;
            self.by_key.remove(&(s.namespace, s.name.clone()));
            for (_, v) in std::mem::take(&mut s.pods) {
                for (pid, _) in v {
                    if !cx.store.mark_pod_deleting(pid, None) {
                        cx.store.delete_pod(pid);
                    }
                }
            }
        }
    }

    /// Delayed requeue timer.
    pub fn on_timer(&mut self, generation: u32, cx: &mut Ctx<'_>) {
        self.queue.on_timer(generation, cx.now, cx.queue);
    }

    /// Drains the work queue.
    pub fn sync(&mut self, cx: &mut Ctx<'_>) {
        for idx in self.queue.take() {
            if self.sets.get(idx as usize).is_none_or(|s| s.deleted) {
                continue;
            }
            let failed = self.manage(idx, cx);
            if !failed && !self.sets[idx as usize].on_delete {
                self.rolling_update(idx, cx);
            }
            if failed {
                let f = self.failures.entry(idx).or_insert(0);
                let delay_ms = (5u64 << (*f).min(20)).min(1_000_000);
                *f += 1;
                let at = cx.now + SimDuration::from_millis(delay_ms);
                self.queue.add_at(idx, at, cx.now, cx.queue);
            } else {
                self.failures.remove(&idx);
            }
            self.update_status(idx, cx);
        }
    }

    /// `manage` + `podsShouldBeOnNode`: creates missing pods, deletes failed, duplicate and
    /// unwanted ones. Returns true when a creation was refused.
    fn manage(&mut self, idx: u32, cx: &mut Ctx<'_>) -> bool {
        let mut create: Vec<NodeId> = Vec::new();
        let mut delete: Vec<PodId> = Vec::new();
        let s = &self.sets[idx as usize];
        let surge = s.max_surge.scaled(1, true) > 0;
        let mut wanted = BTreeSet::new();
        for (nid, node) in cx.store.nodes() {
            if node.deleting {
                continue;
            }
            let (run, cont) = should_run(&s.template.spec, node, &cx.store.interner);
            if run {
                wanted.insert(nid);
            }
            let pods: &[(PodId, Sym)] = s.pods.get(&nid).map(|v| v.as_slice()).unwrap_or(&[]);
            // `exists` counts terminating pods too.
            let exists = pods.iter().any(|&(pid, _)| cx.store.pod(pid).is_some());
            if run && !exists {
                create.push(nid);
                continue;
            }
            if !cont {
                for &(pid, _) in pods {
                    if cx
                        .store
                        .pod(pid)
                        .is_some_and(|p| p.status.deletion_at.is_none())
                    {
                        delete.push(pid);
                    }
                }
                continue;
            }
            let mut live: Vec<(PodId, Sym)> = Vec::new();
            for &(pid, rev) in pods {
                let Some(p) = cx.store.pod(pid) else { continue };
                if p.status.deletion_at.is_some() {
                    continue; // terminating: neither deleted again nor counted
                }
                if p.status.phase == PodPhase::Failed {
                    delete.push(pid);
                    continue;
                }
                live.push((pid, rev));
            }
            // `podByCreationTimestampAndPhase`: oldest first.
            live.sort_by_key(|&(pid, _)| {
                cx.store
                    .pod(pid)
                    .map(|p| (p.created, p.uid))
                    .unwrap_or_default()
            });
            if !surge {
                // Without surge: keep the oldest, delete the rest (no creation while a pod
                // is still terminating).
                delete.extend(live.iter().skip(1).map(|x| x.0));
                continue;
            }
            if live.is_empty() {
                if run {
                    create.push(nid);
                }
                continue;
            }
            // With surge: the oldest new and the oldest old pod may coexist until the new one
            // is available.
            let (mut oldest_new, mut oldest_old) = (None, None);
            for &(pid, rev) in &live {
                if rev == s.rev && oldest_new.is_none() {
                    oldest_new = Some(pid);
                } else if rev != s.rev && oldest_old.is_none() {
                    oldest_old = Some(pid);
                } else {
                    delete.push(pid);
                }
            }
            if let (Some(n), Some(o)) = (oldest_new, oldest_old) {
                let ready = |p: PodId| cx.store.pod(p).is_some_and(|p| p.is_ready());
                let available = |p: PodId| {
                    cx.store
                        .pod(p)
                        .is_some_and(|p| p.is_available(s.min_ready, cx.now))
                };
                if !ready(o) || available(n) {
                    delete.push(o);
                }
            }
        }
        self.sets[idx as usize].wanted = wanted;
        self.sync_nodes(idx, &delete, &create, cx)
    }

    /// `syncNodes`: deletes then creates. Returns true when a creation was refused.
    fn sync_nodes(
        &mut self,
        idx: u32,
        delete: &[PodId],
        create: &[NodeId],
        cx: &mut Ctx<'_>,
    ) -> bool {
        let (ns, ds_name) = {
            let s = &self.sets[idx as usize];
            (s.namespace, s.name.clone())
        };
        let obj = ObjRef {
            kind: Kind::DaemonSet,
            namespace: ns,
            name: ds_name.clone(),
        };
        for &pid in delete {
            let name = cx
                .store
                .pod(pid)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            if !cx.store.mark_pod_deleting(pid, None) {
                cx.store.delete_pod(pid);
            }
            cx.store.record(
                obj.clone(),
                EventType::Normal,
                "SuccessfulDelete",
                "daemonset-controller",
                |_| format!("Deleted pod: {name}"),
            );
        }
        for &nid in create {
            let s = &self.sets[idx as usize];
            let Some(node) = cx.store.node(nid) else {
                continue;
            };
            let mut spec: PodSpec = (*s.template.spec).clone();
            replace_node_name_affinity(&mut spec, node.name, &mut cx.store.interner);
            let base = format!("{ds_name}-");
            let mut name = generate_name(&base, &mut self.names);
            while cx.store.pod_by_name(ns, &name).is_some() {
                name = generate_name(&base, &mut self.names);
            }
            let s = &self.sets[idx as usize];
            let key = cx.store.interner.intern(REVISION_LABEL);
            let labels = s.template.labels.with(key, s.rev);
            let rev = s.rev;
            let name: Arc<str> = Arc::from(name);
            let res = cx.store.create_pod(NewPod {
                name: name.clone(),
                namespace: ns,
                labels,
                annotations: s.template.annotations.clone(),
                owner: Some(OwnerRef::DaemonSet(idx)),
                spec: Arc::new(spec),
            });
            match res {
                Ok(pid) => {
                    self.sets[idx as usize]
                        .pods
                        .entry(nid)
                        .or_default()
                        .push((pid, rev));
                    cx.store.record(
                        obj.clone(),
                        EventType::Normal,
                        "SuccessfulCreate",
                        "daemonset-controller",
                        |_| format!("Created pod: {name}"),
                    );
                }
                Err(e) => {
                    cx.store.record(
                        obj.clone(),
                        EventType::Warning,
                        "FailedCreate",
                        "daemonset-controller",
                        |_| format!("Error creating: {e}"),
                    );
                    return true;
                }
            }
        }
        false
    }

    /// `rollingUpdate` of `update.go`, with and without surge.
    fn rolling_update(&mut self, idx: u32, cx: &mut Ctx<'_>) {
        let s = &self.sets[idx as usize];
        let desired = s.wanted.len() as i32;
        let mut max_unavailable = s.max_unavailable.scaled(desired, true);
        let max_surge = s.max_surge.scaled(desired, true);
        if desired > 0 && max_unavailable == 0 && max_surge == 0 {
            max_unavailable = 1;
        }
        let now = cx.now;
        let avail = |pid: PodId| {
            cx.store
                .pod(pid)
                .is_some_and(|p| p.is_active() && p.is_available(s.min_ready, now))
        };
        let mut next_check: Option<SimTime> = None;
        let mut note = |pid: PodId| {
            if let Some(t) = cx.store.pod(pid).and_then(|p| p.status.ready_since) {
                let at = t + s.min_ready;
                if at > now {
                    next_check = Some(next_check.map_or(at, |c: SimTime| c.min(at)));
                }
            }
        };
        let mut to_delete: Vec<PodId> = Vec::new();
        let mut to_create: Vec<NodeId> = Vec::new();
        if max_surge == 0 {
            let mut num_unavailable = 0;
            let mut allowed: Vec<PodId> = Vec::new();
            let mut candidates: Vec<PodId> = Vec::new();
            for &nid in &s.wanted {
                let (new, old) = find_updated(s, nid, cx);
                match (new, old) {
                    (None, None) | (Some(_), Some(_)) => num_unavailable += 1,
                    (Some(n), None) => {
                        if !avail(n) {
                            note(n);
                            num_unavailable += 1;
                        }
                    }
                    (None, Some(o)) => {
                        if !avail(o) {
                            allowed.push(o);
                        } else if num_unavailable < max_unavailable {
                            candidates.push(o);
                        }
                    }
                }
            }
            let remaining = (max_unavailable - num_unavailable).clamp(0, candidates.len() as i32);
            to_delete = allowed;
            to_delete.extend_from_slice(&candidates[..remaining as usize]);
        } else {
            let mut num_surge = 0;
            let mut allowed: Vec<NodeId> = Vec::new();
            let mut candidates: Vec<NodeId> = Vec::new();
            for &nid in &s.wanted {
                match find_updated(s, nid, cx) {
                    (_, None) => {}
                    (None, Some(o)) => {
                        if !avail(o) {
                            allowed.push(nid);
                        } else if num_surge < max_surge {
                            candidates.push(nid);
                        }
                    }
                    (Some(n), Some(o)) => {
                        if !avail(n) {
                            note(n);
                            num_surge += 1;
                        } else {
                            to_delete.push(o);
                        }
                    }
                }
            }
            let remaining = (max_surge - num_surge).clamp(0, candidates.len() as i32);
            to_create = allowed;
            to_create.extend_from_slice(&candidates[..remaining as usize]);
        }
        if let Some(t) = next_check {
            self.queue.add_at(idx, t, now, cx.queue);
        }
        if !to_delete.is_empty() || !to_create.is_empty() {
            self.sync_nodes(idx, &to_delete, &to_create, cx);
        }
    }

    /// `updateDaemonSetStatus`.
    fn update_status(&mut self, idx: u32, cx: &mut Ctx<'_>) {
        let s = &self.sets[idx as usize];
        let mut st = DaemonSetStatus {
            desired_number_scheduled: s.wanted.len() as i32,
            ..Default::default()
        };
        for (nid, pods) in &s.pods {
            let live: Vec<&(PodId, Sym)> = pods
                .iter()
                .filter(|(p, _)| cx.store.pod(*p).is_some_and(|p| !p.deleted))
                .collect();
            if live.is_empty() {
                continue;
            }
            if !s.wanted.contains(nid) {
                st.number_misscheduled += 1;
                continue;
            }
            st.current_number_scheduled += 1;
            // The newest pod on the node speaks for it (`podutil` sorts by creation time).
            let &&(pid, rev) = live
                .iter()
                .max_by_key(|(p, _)| cx.store.pod(*p).map(|p| (p.created, p.uid)))
                .expect("non-empty");
            let p = cx.store.pod(pid).expect("live");
            if p.is_ready() {
                st.number_ready += 1;
                if p.is_available(s.min_ready, cx.now) {
                    st.number_available += 1;
                }
            }
            if rev == s.rev {
                st.updated_number_scheduled += 1;
            }
        }
        st.number_unavailable = st.desired_number_scheduled - st.number_available;
        self.sets[idx as usize].status = st;
    }
}

/// The label naming the template revision a daemon pod was created from.
pub const REVISION_LABEL: &str = "controller-revision-hash";

/// `findUpdatedPodsOnNode`: the newest up-to-date and the newest old active pod on a node.
fn find_updated(s: &Ds, nid: NodeId, cx: &Ctx<'_>) -> (Option<PodId>, Option<PodId>) {
    let (mut new, mut old) = (None, None);
    for &(pid, rev) in s.pods.get(&nid).map(|v| v.as_slice()).unwrap_or(&[]) {
        if !cx.store.pod(pid).is_some_and(|p| p.is_active()) {
            continue;
        }
        if rev == s.rev {
            new = Some(pid);
        } else {
            old = Some(pid);
        }
    }
    (new, old)
}

/// `NodeShouldRunDaemonPod`: (should run, should continue running).
pub fn should_run(spec: &PodSpec, node: &Node, interner: &Interner) -> (bool, bool) {
    if spec.node_name.is_some_and(|n| n != node.name) {
        return (false, false);
    }
    let fits_selector = spec
        .node_selector
        .iter()
        .all(|&(k, v)| node.labels.get(k) == Some(v));
    let fits_affinity = match &spec.node_affinity.required {
        Some(terms) => terms
            .iter()
            .any(|t| crate::scheduler::plugins::node_affinity::term_matches(t, node, interner)),
        None => true,
    };
    if !fits_selector || !fits_affinity {
        return (false, false);
    }
    let untolerated = |effects: &[TaintEffect]| {
        node.taints.iter().any(|t| {
            effects.contains(&t.effect)
                && !spec
                    .tolerations
                    .iter()
                    .any(|tol| tol.tolerates(t, interner))
        })
    };
    if untolerated(&[TaintEffect::NoSchedule, TaintEffect::NoExecute]) {
        return (false, !untolerated(&[TaintEffect::NoExecute]));
    }
    (true, true)
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required node affinity becomes the single
/// term `metadata.name In [node]`.
pub fn replace_node_name_affinity(spec: &mut PodSpec, node: Sym, i: &mut Interner) {
    let key = i.intern("metadata.name");
    spec.node_affinity.required = Some(vec![NodeSelectorTerm {
        labels: Selector::default(),
        fields: Selector {
            reqs: vec![Requirement {
                key,
                op: SelOp::In(vec![node]),
            }],
        },
    }]);
}

/// `AddOrUpdateDaemonPodTolerations` on a converted spec.
pub fn add_daemon_tolerations(spec: &mut PodSpec, host_network: bool, i: &mut Interner) {
    let extra = DAEMON_TOLERATIONS
        .iter()
        .copied()
        .chain(host_network.then_some((
            "node.kubernetes.io/network-unavailable",
            TaintEffect::NoSchedule,
        )));
    for (key, effect) in extra {
        let k = i.intern(key);
        let tol = Toleration {
            key: Some(k),
            op: crate::model::pod::TolerationOp::Exists,
            value: i.intern(""),
            effect: Some(effect),
            toleration_seconds: None,
        };
        // `AddOrUpdateTolerationInPod`: replace a toleration with the same key and effect.
        if let Some(t) = spec
            .tolerations
            .iter_mut()
            .find(|t| t.key == Some(k) && t.effect == Some(effect))
        {
            *t = tol;
        } else {
            spec.tolerations.push(tol);
        }
    }
}

/// Converts a DaemonSet manifest (defaults as `SetDefaults_DaemonSet`: RollingUpdate,
/// maxUnavailable 1, maxSurge 0).
fn build(
    ns: Sym,
    name: Arc<str>,
    uid: u64,
    d: &DaemonSet,
    origin: &Origin,
    i: &mut Interner,
) -> Result<Ds, String> {
    let mut t = convert::template(&d.spec.template, i, origin, "spec.template")
        .map_err(|e| e.to_string())?;
    let mut spec = (*t.spec).clone();
    add_daemon_tolerations(&mut spec, d.spec.template.spec.host_network, i);
    t.spec = Arc::new(spec);
    let rev = t.hash;
    let st = d.spec.update_strategy.as_ref();
    let on_delete = st.and_then(|s| s.type_.as_deref()) == Some("OnDelete");
    let ru = st.and_then(|s| s.rolling_update.as_ref());
    Ok(Ds {
        namespace: ns,
        name,
        obj_uid: uid,
        template: t,
        rev,
        on_delete,
        max_unavailable: ru
            .and_then(|r| r.max_unavailable)
            .unwrap_or(IntOrPercent::Int(1)),
        max_surge: ru.and_then(|r| r.max_surge).unwrap_or(IntOrPercent::Int(0)),
        min_ready: SimDuration::from_secs(d.spec.min_ready_seconds.unwrap_or(0).max(0) as u64),
        pods: BTreeMap::new(),
        wanted: BTreeSet::new(),
        deleted: false,
        status: DaemonSetStatus::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;

    fn spec(yaml: &str, i: &mut Interner) -> PodSpec {
        let s: crate::api::pod::PodSpec = serde_yaml::from_str(yaml).unwrap();
        convert::pod_spec(&s, i, &Origin::inline("t"), "spec").unwrap()
    }

    fn node(yaml: &str, i: &mut Interner) -> Node {
        let yaml = format!("{yaml}\nstatus: {{allocatable: {{cpu: '1', memory: 1Gi}}}}\n");
        let n: crate::api::node::Node = serde_yaml::from_str(&yaml).unwrap();
        convert::node(&n, i, &Origin::inline("t"), 1, SimTime::ZERO).unwrap()
    }

    #[test]
    fn daemon_pods_tolerate_the_upstream_taints() {
        let mut i = Interner::new();
        let mut s = spec("containers: [{name: a, image: x}]", &mut i);
        add_daemon_tolerations(&mut s, false, &mut i);
        assert_eq!(s.tolerations.len(), 6);
        let mut h = spec("containers: [{name: a, image: x}]", &mut i);
        add_daemon_tolerations(&mut h, true, &mut i);
        assert_eq!(h.tolerations.len(), 7);
        // Cordoned and memory-pressured nodes still run daemon pods.
        let n = node(
            "metadata: {name: n1}\nspec:\n  unschedulable: true\n  taints:\n    - {key: node.kubernetes.io/unschedulable, effect: NoSchedule}\n    - {key: node.kubernetes.io/memory-pressure, effect: NoSchedule}\n",
            &mut i,
        );
        assert_eq!(should_run(&s, &n, &i), (true, true));
    }

    #[test]
    fn node_should_run_daemon_pod() {
        let mut i = Interner::new();
        let plain = spec("containers: [{name: a, image: x}]", &mut i);
        let gpu_only = spec(
            "nodeSelector: {pool: gpu}\ntolerations: [{key: dedicated, operator: Equal, value: gpu}]\ncontainers: [{name: a, image: x}]",
            &mut i,
        );
        let gpu = node(
            "metadata: {name: g, labels: {pool: gpu}}\nspec:\n  taints: [{key: dedicated, value: gpu, effect: NoSchedule}]\n",
            &mut i,
        );
        let evict = node(
            "metadata: {name: e}\nspec:\n  taints: [{key: dedicated, value: gpu, effect: NoExecute}]\n",
            &mut i,
        );
        let general = node("metadata: {name: n, labels: {pool: general}}", &mut i);
        assert_eq!(should_run(&plain, &gpu, &i), (false, true));
        assert_eq!(should_run(&gpu_only, &gpu, &i), (true, true));
        assert_eq!(should_run(&gpu_only, &general, &i), (false, false));
        assert_eq!(should_run(&plain, &general, &i), (true, true));
        // An untolerated NoExecute taint: neither run nor continue.
        assert_eq!(should_run(&plain, &evict, &i), (false, false));
    }

    #[test]
    fn node_name_affinity_replaces_required_terms() {
        let mut i = Interner::new();
        let mut s = spec(
            "affinity:\n  nodeAffinity:\n    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerms: [{matchExpressions: [{key: a, operator: Exists}]}]\ncontainers: [{name: a, image: x}]",
            &mut i,
        );
        let n = node("metadata: {name: n7}", &mut i);
        let other = node("metadata: {name: n8}", &mut i);
        replace_node_name_affinity(&mut s, n.name, &mut i);
        let terms = s.node_affinity.required.as_ref().unwrap();
        assert_eq!(terms.len(), 1);
        use crate::scheduler::plugins::node_affinity::term_matches;
        assert!(term_matches(&terms[0], &n, &i));
        assert!(!term_matches(&terms[0], &other, &i));
    }
}
