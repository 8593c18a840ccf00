//! The StatefulSet controller (`pkg/controller/statefulset/stateful_set_control.go`,
//! `stateful_set_utils.go`, `stateful_pod_control.go`): stable pod names `<set>-<ordinal>`,
//! `OrderedReady` (one pod at a time, each waiting for its predecessors to be Running and Ready
//! and available for `minReadySeconds`; scale-down in decreasing ordinal order, one at a time)
//! and `Parallel`, `RollingUpdate` (decreasing ordinals, `partition`) and `OnDelete`, claims
//! from `volumeClaimTemplates` created before the pod, and `status`.
//!
//! StatefulSets have no runtime model in the store: their manifests stay `StoredObject`s and the
//! controller keeps its own table (one entry per set, indexed by `OwnerRef::StatefulSet`).
//! Simplifications (docs/fidelity.md): `maxUnavailable` of RollingUpdate is ignored (an alpha
//! feature; updates go one pod at a time); `persistentVolumeClaimRetentionPolicy` is its default
//! (`Retain` on deletion and scale-down), so claims are never deleted; orphans are not adopted.

use super::WorkQueue;
use crate::api::workloads::{PodManagementPolicy, StatefulSet};
use crate::api::{self, Kind};
use crate::engine::SimDuration;
use crate::load::Origin;
use crate::model::convert;
use crate::model::pod::{PodPhase, PodSpec};
use crate::model::workloads::PodTemplate;
use crate::model::{OwnerRef, PodId, Sym};
use crate::sim::Ctx;
use crate::sim::event::ControllerKind;
use crate::store::events::{EventType, ObjRef};
use crate::store::{Change, NewPod, Op, PodDelta};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The label naming the revision a pod was created from.
pub const REVISION_LABEL: &str = "controller-revision-hash";
/// The label naming a StatefulSet pod (`statefulset.kubernetes.io/pod-name`).
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// The label carrying a StatefulSet pod's ordinal (`apps.kubernetes.io/pod-index`).
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// Observed state of a StatefulSet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatefulSetStatus {
    /// Pods created (including terminating ones).
    pub replicas: i32,
    /// Running and Ready pods.
    pub ready_replicas: i32,
    /// Pods of the current revision.
    pub current_replicas: i32,
    /// Pods of the update revision.
    pub updated_replicas: i32,
    /// Pods Ready for `minReadySeconds`.
    pub available_replicas: i32,
    /// The revision pods below the partition keep (`<set>-<hash>`).
    pub current_revision: String,
    /// The revision of the newest template (`<set>-<hash>`).
    pub update_revision: String,
}

/// One StatefulSet as the controller sees it.
#[derive(Debug)]
pub struct Set {
    /// Namespace.
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
    obj_uid: u64,
    origin: Origin,
    source: Arc<StatefulSet>,
    replicas: i32,
    start: i32,
    parallel: bool,
    on_delete: bool,
    partition: i32,
    min_ready: SimDuration,
    update_rev: Sym,
    current_rev: Sym,
    templates: BTreeMap<Sym, PodTemplate>,
    /// Pods by ordinal, with the revision each was created from.
    pods: BTreeMap<i32, (PodId, Sym)>,
    deleted: bool,
    /// Observed state.
    pub status: StatefulSetStatus,
}

/// The StatefulSet controller.
pub struct StatefulSetController {
    queue: WorkQueue<u32>,
    sets: Vec<Set>,
    by_key: BTreeMap<(Sym, Arc<str>), u32>,
    failures: BTreeMap<u32, u32>,
}

impl Default for StatefulSetController {
    fn default() -> Self {
        Self::new()
    }
}

impl Set {
    /// `spec.replicas`.
    pub fn replicas(&self) -> i32 {
        self.replicas
    }

    /// The set's pods, by ordinal.
    pub fn pods(&self) -> impl Iterator<Item = PodId> + '_ {
        self.pods.values().map(|(p, _)| *p)
    }
}

impl StatefulSetController {
    /// An empty controller.
    pub fn new() -> Self {
        StatefulSetController {
            queue: WorkQueue::new(ControllerKind::StatefulSet),
            sets: Vec::new(),
            by_key: BTreeMap::new(),
            failures: BTreeMap::new(),
        }
    }

    /// A StatefulSet's controller state by namespace and name.
    pub fn get(&self, ns: Sym, name: &str) -> Option<&Set> {
        self.by_key
            .get(&(ns, Arc::from(name)))
            .map(|&i| &self.sets[i as usize])
            .filter(|s| !s.deleted)
    }

    /// Watch handler: StatefulSet manifests added, changed or deleted; pods of a set changing.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Other(Kind::StatefulSet, _) => self.resync_objects(cx),
            Change::Pod(pid, op, delta) => {
                let relevant = op != Op::Updated
                    || delta.has(PodDelta::PHASE)
                    || delta.has(PodDelta::READY)
                    || delta.has(PodDelta::DELETING);
                if !relevant {
                    return;
                }
                let Some(p) = cx.store.pod(pid) else { return };
                let Some(OwnerRef::StatefulSet(idx)) = p.owner else {
                    return;
                };
                if op == Op::Deleted
                    && let Some(s) = self.sets.get_mut(idx as usize)
                {
                    s.pods.retain(|_, (id, _)| *id != pid);
                }
                self.queue.add(idx, cx.now, cx.queue);
            }
            _ => {}
        }
    }

    /// Reconciles the table with the StatefulSet manifests in the store (few objects; a changed
    /// manifest has a new uid).
    fn resync_objects(&mut self, cx: &mut Ctx<'_>) {
        let mut seen: Vec<u32> = Vec::new();
        let objs: Vec<(u64, Arc<api::Object>, Origin)> = cx
            .store
            .objects_of(Kind::StatefulSet)
            .map(|o| (o.uid, o.object.clone(), o.origin.clone()))
            .collect();
        for (uid, obj, origin) in objs {
            let api::Object::StatefulSet(ss) = obj.as_ref() else {
                continue;
            };
            let ns = cx
                .store
                .interner
                .intern(ss.metadata.namespace.as_deref().unwrap_or("default"));
            let name: Arc<str> = Arc::from(ss.metadata.name.as_deref().unwrap_or(""));
            let key = (ns, name.clone());
            let idx = match self.by_key.get(&key) {
                Some(&i) if !self.sets[i as usize].deleted => {
                    if self.sets[i as usize].obj_uid != uid
                        && let Err(e) = self.update_set(i, uid, ss, &origin, cx)
                    {
                        record_apply_error(cx, ns, &name, e);
                    }
                    i
                }
                _ => match build_set(ns, name.clone(), uid, ss, &origin, &mut cx.store.interner) {
                    Ok(s) => {
                        let i = self.sets.len() as u32;
                        self.sets.push(s);
                        self.by_key.insert(key, i);
                        i
                    }
                    Err(e) => {
                        record_apply_error(cx, ns, &name, e);
                        continue;
                    }
                },
            };
            seen.push(idx);
            self.queue.add(idx, cx.now, cx.queue);
        }
        seen.sort_unstable();
        // Deleted sets: background garbage collection of their pods.
        for i in 0..self.sets.len() as u32 {
            let s = &mut self.sets[i as usize];
            if s.deleted || seen.binary_search(&i).is_ok() {
                continue;
            }
            s.deleted = true;
            self.by_key.remove(&(s.namespace, s.name.clone()));
            for (_, (pid, _)) in std::mem::take(&mut s.pods) {
                if !cx.store.mark_pod_deleting(pid, None) {
                    cx.store.delete_pod(pid);
                }
            }
        }
    }

    fn update_set(
        &mut self,
        i: u32,
        uid: u64,
        ss: &StatefulSet,
        origin: &Origin,
        cx: &mut Ctx<'_>,
    ) -> Result<(), String> {
        let s = &self.sets[i as usize];
        let fresh = build_set(
            s.namespace,
            s.name.clone(),
            uid,
            ss,
            origin,
            &mut cx.store.interner,
        )?;
        let s = &mut self.sets[i as usize];
        let current = s.current_rev;
        let old_templates = std::mem::take(&mut s.templates);
        let pods = std::mem::take(&mut s.pods);
        let status = std::mem::take(&mut s.status);
        *s = fresh;
        s.pods = pods;
        s.status = status;
        s.current_rev = current;
        // Keep the current revision's template for pods below the partition.
        for (rev, t) in old_templates {
            if rev == current {
                s.templates.entry(rev).or_insert(t);
            }
        }
        Ok(())
    }

    /// Delayed requeue timer.
    pub fn on_timer(&mut self, generation: u32, cx: &mut Ctx<'_>) {
        self.queue.on_timer(generation, cx.now, cx.queue);
    }

    /// Drains the work queue.
    pub fn sync(&mut self, cx: &mut Ctx<'_>) {
        for idx in self.queue.take() {
            self.sync_one(idx, cx);
        }
    }

    fn sync_one(&mut self, idx: u32, cx: &mut Ctx<'_>) {
        let Some(s) = self.sets.get(idx as usize) else {
            return;
        };
        if s.deleted {
            return;
        }
        let failed = self.update_statefulset(idx, cx);
        if failed {
            // The default controller rate limiter's per-item part: 5 ms doubling, 1000 s cap.
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

    /// `updateStatefulSet`: one pass of the upstream algorithm. Returns true when a pod
    /// creation failed (the set is requeued with backoff).
    fn update_statefulset(&mut self, idx: u32, cx: &mut Ctx<'_>) -> bool {
        let s = &self.sets[idx as usize];
        let monotonic = !s.parallel;
        let (start, end) = (s.start, s.start + s.replicas);
        let min_ready = s.min_ready;
        let now = cx.now;
        // The first unhealthy pod (replicas, then condemned, by ordinal).
        let health = |pid: PodId, cx: &Ctx<'_>| -> (bool, bool, bool) {
            // (terminating, running and ready, running and available)
            match cx.store.pod(pid) {
                Some(p) => {
                    let rr = p.status.phase == PodPhase::Running && p.is_ready();
                    (
                        p.status.deletion_at.is_some(),
                        rr,
                        rr && p.is_available(min_ready, now),
                    )
                }
                None => (false, false, false),
            }
        };
        let mut first_unhealthy: Option<i32> = None;
        for (&ord, &(pid, _)) in &s.pods {
            let (term, _, avail) = health(pid, cx);
            if term || !avail {
                first_unhealthy = Some(ord);
                break;
            }
        }
        // 1. Replicas, in increasing ordinal order.
        for ord in start..end {
            let s = &self.sets[idx as usize];
            if let Some(&(pid, _)) = s.pods.get(&ord)
                && cx
                    .store
                    .pod(pid)
                    .is_some_and(|p| p.status.phase.is_terminal())
            {
                // Delete and recreate pods which finished running.
                let name = cx
                    .store
                    .pod(pid)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                cx.store.delete_pod(pid);
                self.sets[idx as usize].pods.remove(&ord);
                self.record_pod(idx, "delete", &name, None, cx);
            }
            let s = &self.sets[idx as usize];
            let Some(&(pid, _)) = s.pods.get(&ord) else {
                match self.create_pod(idx, ord, cx) {
                    Ok(true) => {}
                    // The name is still taken by a pod on its way out: its deletion wakes us.
                    Ok(false) => return false,
                    // Refused (admission): retry with backoff.
                    Err(()) => return true,
                }
                if monotonic {
                    return false;
                }
                continue;
            };
            let (term, rr, avail) = health(pid, cx);
            if term && monotonic {
                return false;
            }
            if !rr && monotonic {
                return false;
            }
            if !avail {
                // Ready but not yet for minReadySeconds: look again when it will be.
                if let Some(t) = cx.store.pod(pid).and_then(|p| p.status.ready_since) {
                    self.queue.add_at(idx, t + min_ready, now, cx.queue);
                }
                if monotonic {
                    return false;
                }
            }
        }
        // 2. Condemned pods, in decreasing ordinal order.
        let condemned: Vec<(i32, PodId)> = self.sets[idx as usize]
            .pods
            .iter()
            .rev()
            .filter(|(o, _)| **o >= end || **o < start)
            .map(|(&o, &(p, _))| (o, p))
            .collect();
        for (ord, pid) in condemned {
            let (term, rr, avail) = health(pid, cx);
            if term {
                if monotonic {
                    return false;
                }
                continue;
            }
            if (!rr || !avail) && monotonic && first_unhealthy != Some(ord) {
                return false;
            }
            let name = cx
                .store
                .pod(pid)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            if !cx.store.mark_pod_deleting(pid, None) {
                cx.store.delete_pod(pid);
            }
            self.record_pod(idx, "delete", &name, None, cx);
            if monotonic {
                return false;
            }
        }
        // 3. Rolling update, decreasing ordinals down to the partition.
        let s = &self.sets[idx as usize];
        if s.on_delete {
            return false;
        }
        let update_rev = s.update_rev;
        let min = start + s.partition.max(0);
        for ord in (min..end).rev() {
            let s = &self.sets[idx as usize];
            let Some(&(pid, rev)) = s.pods.get(&ord) else {
                continue;
            };
            let (term, rr, _) = health(pid, cx);
            if rev != update_rev && !term {
                let name = cx
                    .store
                    .pod(pid)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                if !cx.store.mark_pod_deleting(pid, None) {
                    cx.store.delete_pod(pid);
                }
                self.record_pod(idx, "delete", &name, None, cx);
                return false;
            }
            if !rr || term {
                return false;
            }
        }
        false
    }

    /// `recordPodEvent` of `stateful_pod_control.go`.
    fn record_pod(&self, idx: u32, verb: &str, pod: &str, err: Option<&str>, cx: &mut Ctx<'_>) {
        let s = &self.sets[idx as usize];
        let obj = ObjRef {
            kind: Kind::StatefulSet,
            namespace: s.namespace,
            name: s.name.clone(),
        };
        let set = s.name.clone();
        let (reason, ty): (&'static str, EventType) = match (verb, err.is_some()) {
            ("create", false) => ("SuccessfulCreate", EventType::Normal),
            ("create", true) => ("FailedCreate", EventType::Warning),
            (_, false) => ("SuccessfulDelete", EventType::Normal),
            (_, true) => ("FailedDelete", EventType::Warning),
        };
        cx.store
            .record(obj, ty, reason, "statefulset-controller", |_| match err {
                None => format!("{verb} Pod {pod} in StatefulSet {set} successful"),
                Some(e) => format!("{verb} Pod {pod} in StatefulSet {set} failed error: {e}"),
            });
    }

    /// `newVersionedStatefulSetPod` + `CreateStatefulPod`: claims first, then the pod. Returns
    /// Ok(false) when the name is still taken, Err on admission refusal.
    fn create_pod(&mut self, idx: u32, ord: i32, cx: &mut Ctx<'_>) -> Result<bool, ()> {
        let s = &self.sets[idx as usize];
        let ns = s.namespace;
        let name = format!("{}-{ord}", s.name);
        if cx.store.pod_by_name(ns, &name).is_some() {
            return Ok(false);
        }
        let rev = if ord < s.start + s.partition
            && !s.on_delete
            && s.templates.contains_key(&s.current_rev)
        {
            s.current_rev
        } else {
            s.update_rev
        };
        let t = &s.templates[&rev];
        // Claims from volumeClaimTemplates, before the pod (`createPersistentVolumeClaims`).
        let mut spec: Arc<PodSpec> = t.spec.clone();
        if !s.source.spec.volume_claim_templates.is_empty() {
            let mut api_spec = t.source.spec.clone();
            let mut claims = Vec::new();
            for ct in &s.source.spec.volume_claim_templates {
                let tname = ct.metadata.name.clone().unwrap_or_default();
                let claim = format!("{tname}-{}-{ord}", s.name);
                api_spec.volumes.retain(|v| v.name != tname);
                api_spec.volumes.push(api::pod::Volume {
                    name: tname,
                    persistent_volume_claim: Some(api::pod::PvcVolumeSource {
                        claim_name: claim.clone(),
                        read_only: None,
                    }),
                    ..Default::default()
                });
                claims.push((claim, ct.clone()));
            }
            let origin = s.origin.clone();
            match convert::pod_spec(
                &api_spec,
                &mut cx.store.interner,
                &origin,
                "spec.template.spec",
            ) {
                Ok(sp) => spec = Arc::new(sp),
                Err(e) => {
                    let msg = e.to_string();
                    self.record_pod(idx, "create", &name, Some(&msg), cx);
                    return Err(());
                }
            }
            let s = &self.sets[idx as usize];
            let ns_str = cx.store.interner.resolve(ns).to_string();
            let match_labels = s
                .source
                .spec
                .selector
                .as_ref()
                .map(|sel| sel.match_labels.clone())
                .unwrap_or_default();
            for (claim, ct) in claims {
                if cx
                    .store
                    .object(Kind::PersistentVolumeClaim, ns, &claim)
                    .is_some()
                {
                    continue;
                }
                let mut pvc = ct;
                pvc.metadata.name = Some(claim.clone());
                pvc.metadata.namespace = Some(ns_str.clone());
                for (k, v) in match_labels.0.iter() {
                    pvc.metadata.labels.0.insert(k.clone(), v.clone());
                }
                cx.store
                    .put_object(api::Object::PersistentVolumeClaim(pvc), origin.clone());
                let obj = ObjRef {
                    kind: Kind::StatefulSet,
                    namespace: ns,
                    name: s.name.clone(),
                };
                let (set, pod) = (s.name.clone(), name.clone());
                cx.store.record(
                    obj,
                    EventType::Normal,
                    "SuccessfulCreate",
                    "statefulset-controller",
                    |_| format!("create Claim {claim} Pod {pod} in StatefulSet {set} success"),
                );
            }
        }
        let s = &self.sets[idx as usize];
        let t = &s.templates[&rev];
        let i = &mut cx.store.interner;
        let mut labels = t.labels.clone();
        labels = labels.with(i.intern(REVISION_LABEL), rev);
        labels = labels.with(i.intern(POD_NAME_LABEL), i.intern(&name));
        labels = labels.with(i.intern(POD_INDEX_LABEL), i.intern(&ord.to_string()));
        let pod_name: Arc<str> = Arc::from(name.as_str());
        let res = cx.store.create_pod(NewPod {
            name: pod_name,
            namespace: ns,
            labels,
            annotations: t.annotations.clone(),
            owner: Some(OwnerRef::StatefulSet(idx)),
            spec,
        });
        match res {
            Ok(pid) => {
                self.sets[idx as usize].pods.insert(ord, (pid, rev));
                self.record_pod(idx, "create", &name, None, cx);
                Ok(true)
            }
            Err(e) => {
                let msg = e.to_string();
                self.record_pod(idx, "create", &name, Some(&msg), cx);
                Err(())
            }
        }
    }

    /// `computeReplicaStatus` + `completeRollingUpdate`.
    fn update_status(&mut self, idx: u32, cx: &mut Ctx<'_>) {
        let s = &self.sets[idx as usize];
        let mut st = StatefulSetStatus::default();
        for &(pid, rev) in s.pods.values() {
            let Some(p) = cx.store.pod(pid) else { continue };
            st.replicas += 1;
            let rr = p.status.phase == PodPhase::Running && p.is_ready();
            if rr {
                st.ready_replicas += 1;
                if p.is_available(s.min_ready, cx.now) {
                    st.available_replicas += 1;
                }
            }
            if p.status.deletion_at.is_none() {
                st.current_replicas += (rev == s.current_rev) as i32;
                st.updated_replicas += (rev == s.update_rev) as i32;
            }
        }
        let i = &cx.store.interner;
        let mut current = s.current_rev;
        if !s.on_delete
            && st.updated_replicas == st.replicas
            && st.ready_replicas == st.replicas
            && st.replicas == s.replicas
        {
            st.current_replicas = st.updated_replicas;
            current = s.update_rev;
        }
        st.current_revision = i.resolve(current).to_string();
        st.update_revision = i.resolve(s.update_rev).to_string();
        let s = &mut self.sets[idx as usize];
        if current != s.current_rev {
            let old = s.current_rev;
            s.current_rev = current;
            if old != current {
                s.templates.remove(&old);
            }
        }
        s.status = st;
    }
}

fn record_apply_error(cx: &mut Ctx<'_>, ns: Sym, name: &Arc<str>, e: String) {
    let obj = ObjRef {
        kind: Kind::StatefulSet,
        namespace: ns,
        name: name.clone(),
    };
    cx.store
        .record(obj, EventType::Warning, "FailedApply", "kubesim", |_| e);
}

/// Converts a StatefulSet manifest into the controller's entry (defaults as
/// `SetDefaults_StatefulSet`: replicas 1, OrderedReady, RollingUpdate with partition 0).
fn build_set(
    ns: Sym,
    name: Arc<str>,
    uid: u64,
    ss: &StatefulSet,
    origin: &Origin,
    i: &mut crate::model::Interner,
) -> Result<Set, String> {
    let t = convert::template(&ss.spec.template, i, origin, "spec.template")
        .map_err(|e| e.to_string())?;
    let rev = i.intern(&format!("{name}-{}", i.resolve(t.hash)));
    let strategy = ss.spec.update_strategy.as_ref();
    let on_delete = strategy.and_then(|s| s.type_.as_deref()) == Some("OnDelete");
    let partition = strategy
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0);
    let mut templates = BTreeMap::new();
    templates.insert(rev, t);
    Ok(Set {
        namespace: ns,
        name,
        obj_uid: uid,
        origin: origin.clone(),
        source: Arc::new(ss.clone()),
        replicas: ss.spec.replicas.unwrap_or(1).max(0),
        start: ss.spec.ordinals.as_ref().map(|o| o.start).unwrap_or(0),
        parallel: ss.spec.pod_management_policy == Some(PodManagementPolicy::Parallel),
        on_delete,
        partition,
        min_ready: SimDuration::from_secs(ss.spec.min_ready_seconds.unwrap_or(0).max(0) as u64),
        update_rev: rev,
        current_rev: rev,
        templates,
        pods: BTreeMap::new(),
        deleted: false,
        status: StatefulSetStatus::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(yaml: &str) -> (Set, crate::model::Interner) {
        let mut i = crate::model::Interner::new();
        let ss: StatefulSet = serde_yaml::from_str(yaml).unwrap();
        let ns = i.intern("default");
        let s = build_set(ns, Arc::from("db"), 1, &ss, &Origin::inline("t"), &mut i).unwrap();
        (s, i)
    }

    const BASE: &str = "metadata: {name: db}\nspec:\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: pg}]}\n";

    #[test]
    fn defaults_follow_set_defaults_stateful_set() {
        let (s, i) = set(BASE);
        assert_eq!(s.replicas, 1);
        assert!(!s.parallel && !s.on_delete);
        assert_eq!((s.partition, s.start), (0, 0));
        assert!(i.resolve(s.update_rev).starts_with("db-"));
        assert_eq!(s.update_rev, s.current_rev);
    }

    #[test]
    fn strategy_and_policy_are_read() {
        let (s, _) = set(&format!(
            "{BASE}  replicas: 4\n  podManagementPolicy: Parallel\n  ordinals: {{start: 3}}\n  updateStrategy: {{type: OnDelete}}\n  minReadySeconds: 9\n"
        ));
        assert_eq!((s.replicas, s.start), (4, 3));
        assert!(s.parallel && s.on_delete);
        assert_eq!(s.min_ready, SimDuration::from_secs(9));
    }
}
