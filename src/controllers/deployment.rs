//! The Deployment controller (`pkg/controller/deployment/{deployment_controller,sync,rolling,
//! recreate,rollback}.go` and `util/deployment_util.go`): one ReplicaSet per template revision,
//! rolling updates bounded by `maxSurge`/`maxUnavailable` (upstream rounding), Recreate,
//! proportional scaling during a rollout, revision history and its cleanup, pause, and the
//! Progressing/Available conditions with `progressDeadlineSeconds`.

use super::WorkQueue;
use crate::api::IntOrPercent;
use crate::engine::{SimDuration, SimTime};
use crate::model::workloads::{
    Condition, DeploymentStatus, PodTemplate, ReplicaSet, ReplicaSetStatus, Strategy,
};
use crate::model::{DeploymentId, OwnerRef, ReplicaSetId, Selector, convert};
use crate::sim::Ctx;
use crate::sim::event::ControllerKind;
use crate::store::events::EventType;
use crate::store::{Change, Op};
use std::sync::Arc;

/// The Deployment controller.
pub struct DeploymentController {
    queue: WorkQueue<DeploymentId>,
    stuck_requeues: std::collections::BTreeMap<DeploymentId, u32>,
    canonical: CanonicalMemo,
}

/// Each template's canonical form, computed once: templates are immutable (a changed template
/// is a new `Arc`), and the HPA scales a Deployment every few syncs, each of which compares
/// templates. Keyed by the `Arc`'s address, kept alive by the entry so the address is not
/// reused; only looked up, never iterated.
#[derive(Debug, Default)]
struct CanonicalMemo(
    std::collections::BTreeMap<usize, (Arc<crate::api::pod::PodTemplateSpec>, Arc<str>)>,
);

impl CanonicalMemo {
    fn get(&mut self, t: &PodTemplate) -> Arc<str> {
        let key = Arc::as_ptr(&t.source) as usize;
        self.0
            .entry(key)
            .or_insert_with(|| (t.source.clone(), canonical_of(t)))
            .1
            .clone()
    }
}

impl Default for DeploymentController {
    fn default() -> Self {
        Self::new()
    }
}

/// A snapshot of one ReplicaSet for the rollout arithmetic.
#[derive(Clone, Debug)]
struct Rs {
    id: ReplicaSetId,
    name: Arc<str>,
    replicas: i32,
    status: ReplicaSetStatus,
    created: SimTime,
    uid: u64,
    revision: i64,
    desired_ann: Option<i32>,
    max_ann: Option<i32>,
    canonical: Arc<str>,
}

/// `MaxSurge`: the surge resolved against the desired replicas (rounded up).
pub fn max_surge(strategy: Strategy, replicas: i32) -> i32 {
    match strategy {
        Strategy::Recreate => 0,
        Strategy::RollingUpdate {
            max_surge,
            max_unavailable,
        } => resolve_fenceposts(max_surge, max_unavailable, replicas).0,
    }
}

/// `MaxUnavailable`: the unavailability budget (rounded down; never above `replicas`).
pub fn max_unavailable(strategy: Strategy, replicas: i32) -> i32 {
    match strategy {
        Strategy::Recreate => 0,
        Strategy::RollingUpdate { .. } if replicas == 0 => 0,
        Strategy::RollingUpdate {
            max_surge,
            max_unavailable,
        } => resolve_fenceposts(max_surge, max_unavailable, replicas)
            .1
            .min(replicas),
    }
}

/// `ResolveFenceposts`: surge rounds up, unavailable rounds down; both zero makes unavailable 1.
pub fn resolve_fenceposts(
    surge: IntOrPercent,
    unavailable: IntOrPercent,
    desired: i32,
) -> (i32, i32) {
    let s = surge.scaled(desired, true);
    let u = unavailable.scaled(desired, false);
    if s == 0 && u == 0 { (0, 1) } else { (s, u) }
}

fn sum<F: Fn(&Rs) -> i32>(rss: &[Rs], f: F) -> i32 {
    rss.iter().map(f).sum()
}

impl DeploymentController {
    /// A new controller.
    pub fn new() -> Self {
        DeploymentController {
            queue: WorkQueue::new(ControllerKind::Deployment),
            stuck_requeues: Default::default(),
            canonical: Default::default(),
        }
    }

    /// Watch handler.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Deployment(id, Op::Added | Op::Updated) => self.queue.add(id, cx.now, cx.queue),
            Change::ReplicaSet(rs, _) => {
                if let Some(d) = cx.store.replicaset(rs).and_then(|r| r.deployment()) {
                    self.queue.add(d, cx.now, cx.queue);
                }
            }
            Change::Pod(pid, Op::Deleted, _) => {
                // Recreate waits for old pods to be gone.
                if let Some(OwnerRef::ReplicaSet(rs)) = cx.store.pod(pid).and_then(|p| p.owner)
                    && let Some(d) = cx.store.replicaset(rs).and_then(|r| r.deployment())
                    && cx
                        .store
                        .deployment(d)
                        .is_some_and(|d| d.strategy == Strategy::Recreate)
                {
                    self.queue.add(d, cx.now, cx.queue);
                }
            }
            _ => {}
        }
    }

    /// Delayed requeue timer.
    pub fn on_timer(&mut self, generation: u32, cx: &mut Ctx<'_>) {
        self.queue.on_timer(generation, cx.now, cx.queue);
    }

    /// Drains the work queue.
    pub fn sync(&mut self, cx: &mut Ctx<'_>) {
        for id in self.queue.take() {
            self.sync_one(id, cx);
        }
    }

    fn snapshot(&mut self, id: DeploymentId, cx: &Ctx<'_>) -> Vec<Rs> {
        let canonical = &mut self.canonical;
        let mut v: Vec<Rs> = cx
            .store
            .replicasets_of(id)
            .into_iter()
            .filter_map(|rid| {
                cx.store.replicaset(rid).map(|r| Rs {
                    id: rid,
                    name: r.name.clone(),
                    replicas: r.replicas,
                    status: r.status.clone(),
                    created: r.created,
                    uid: r.uid,
                    revision: r.revision,
                    desired_ann: r.desired_annotation,
                    max_ann: r.max_annotation,
                    canonical: canonical.get(&r.template),
                })
            })
            .collect();
        v.sort_by_key(|r| (r.created, r.uid));
        v
    }

    fn sync_one(&mut self, id: DeploymentId, cx: &mut Ctx<'_>) {
        let Some(d) = cx.store.deployment(id) else {
            return;
        };
        if d.deleted {
            return;
        }
        self.check_paused_conditions(id, cx);
        let d = cx.store.deployment(id).expect("exists");
        let paused = d.paused;
        let strategy = d.strategy;
        let rss = self.snapshot(id, cx);
        if paused || self.is_scaling_event(id, &rss, cx) {
            self.sync_scale(id, rss, cx);
            return;
        }
        match strategy {
            Strategy::Recreate => self.rollout_recreate(id, rss, cx),
            Strategy::RollingUpdate { .. } => self.rollout_rolling(id, rss, cx),
        }
    }

    fn check_paused_conditions(&mut self, id: DeploymentId, cx: &mut Ctx<'_>) {
        let d = cx.store.deployment(id).expect("exists");
        if d.progress_deadline.is_none() {
            return;
        }
        let cond = d.status.progressing.clone();
        if cond
            .as_ref()
            .is_some_and(|c| c.reason == "ProgressDeadlineExceeded")
        {
            return;
        }
        let paused_cond = cond
            .as_ref()
            .is_some_and(|c| c.reason == "DeploymentPaused");
        let new = if d.paused && !paused_cond {
            Some(("DeploymentPaused", "Deployment is paused"))
        } else if !d.paused && paused_cond {
            Some(("DeploymentResumed", "Deployment is resumed"))
        } else {
            None
        };
        if let Some((reason, msg)) = new {
            let mut st = d.status.clone();
            let rev = d.revision;
            set_condition(
                &mut st.progressing,
                "Unknown",
                reason,
                msg.to_string(),
                cx.now,
            );
            cx.store.set_deployment_status(id, rev, st);
        }
    }

    /// `isScalingEvent`: an active ReplicaSet's desired-replicas annotation differs from spec.
    fn is_scaling_event(&self, id: DeploymentId, rss: &[Rs], cx: &Ctx<'_>) -> bool {
        let replicas = cx.store.deployment(id).expect("exists").replicas;
        rss.iter()
            .filter(|r| r.replicas > 0)
            .any(|r| r.desired_ann.is_some_and(|a| a != replicas))
    }

    /// Splits into (new RS, old RSs), creating the new one when asked, and syncs revisions
    /// (`getAllReplicaSetsAndSyncRevision`).
    fn new_and_old(
        &mut self,
        id: DeploymentId,
        mut rss: Vec<Rs>,
        create: bool,
        cx: &mut Ctx<'_>,
    ) -> (Option<Rs>, Vec<Rs>) {
        let d = cx.store.deployment(id).expect("exists");
        let want = self.canonical.get(&d.template);
        // FindNewReplicaSet: the oldest RS whose template equals the deployment's.
        let new_idx = rss.iter().position(|r| r.canonical == want);
        let mut new_rs = new_idx.map(|i| rss.remove(i));
        let old = rss;
        let max_old_rev = old.iter().map(|r| r.revision).max().unwrap_or(0);
        let new_revision = max_old_rev + 1;
        if let Some(n) = &mut new_rs {
            if n.revision < new_revision {
                n.revision = new_revision;
                let rid = n.id;
                cx.store
                    .update_replicaset(rid, |r| r.revision = new_revision);
            }
            let d = cx.store.deployment(id).expect("exists");
            if d.revision != n.revision
                || (d.progress_deadline.is_some() && d.status.progressing.is_none())
            {
                let mut st = d.status.clone();
                if d.progress_deadline.is_some() && st.progressing.is_none() {
                    set_condition(
                        &mut st.progressing,
                        "True",
                        "FoundNewReplicaSet",
                        format!("Found new replica set \"{}\"", n.name),
                        cx.now,
                    );
                }
                cx.store.set_deployment_status(id, n.revision, st);
            }
            return (new_rs, old);
        }
        if !create {
            return (None, old);
        }
        // Create the new ReplicaSet.
        let d = cx.store.deployment(id).expect("exists");
        let replicas = new_rs_new_replicas(d.strategy, d.replicas, &old, None);
        let hash = d.template.hash;
        let hash_str = cx.store.interner.resolve(hash).to_string();
        let mut name = format!("{}-{}", d.name, hash_str);
        let mut collision = 0u32;
        while cx.store.replicaset_by_name(d.namespace, &name).is_some() {
            collision += 1;
            let h = convert::safe_encode(
                &convert::fnv32a(format!("{}{}", want, collision).as_bytes()).to_string(),
            );
            name = format!("{}-{}", d.name, h);
        }
        let (d_template, d_selector, d_ns, d_replicas, d_strategy, d_min_ready) = (
            d.template.clone(),
            d.selector.clone(),
            d.namespace,
            d.replicas,
            d.strategy,
            d.min_ready,
        );
        let label_key = cx.store.interner.intern(convert::POD_TEMPLATE_HASH);
        let hash_val = cx
            .store
            .interner
            .intern(name.rsplit('-').next().unwrap_or(&hash_str));
        let mut template = d_template.clone();
        template.labels = template.labels.with(label_key, hash_val);
        let mut selector: Selector = d_selector;
        selector.reqs.push(crate::model::labels::Requirement {
            key: label_key,
            op: crate::model::labels::SelOp::In(vec![hash_val]),
        });
        let surge = max_surge(d_strategy, d_replicas);
        let rs = ReplicaSet {
            uid: 0,
            name: Arc::from(name.as_str()),
            namespace: d_ns,
            labels: d_template.labels.with(label_key, hash_val),
            owner: Some(OwnerRef::Deployment(id)),
            replicas,
            selector,
            template,
            min_ready: d_min_ready,
            revision: new_revision,
            desired_annotation: Some(d_replicas),
            max_annotation: Some(d_replicas + surge),
            created: cx.now,
            status: ReplicaSetStatus::default(),
            pods: Default::default(),
            active_pods: 0,
            ready_pods: 0,
            members_gen: 0,
            deleted: false,
        };
        let uid = cx.store.next_uid();
        let rid = cx.store.add_replicaset(ReplicaSet { uid, ..rs });
        let obj = cx.store.deployment_ref(id);
        if replicas > 0 {
            let nm = name.clone();
            cx.store.record(
                obj,
                EventType::Normal,
                "ScalingReplicaSet",
                "deployment-controller",
                |_| format!("Scaled up replica set {nm} to {replicas} from 0"),
            );
        }
        let d = cx.store.deployment(id).expect("exists");
        let mut st = d.status.clone();
        if d.progress_deadline.is_some() {
            set_condition(
                &mut st.progressing,
                "True",
                "NewReplicaSetCreated",
                format!("Created new replica set \"{name}\""),
                cx.now,
            );
        }
        cx.store.set_deployment_status(id, new_revision, st);
        let r = cx.store.replicaset(rid).expect("just added");
        let snap = Rs {
            id: rid,
            name: r.name.clone(),
            replicas: r.replicas,
            status: r.status.clone(),
            created: r.created,
            uid: r.uid,
            revision: r.revision,
            desired_ann: r.desired_annotation,
            max_ann: r.max_annotation,
            canonical: want,
        };
        (Some(snap), old)
    }

    /// `scaleReplicaSetAndRecordEvent` / `scaleReplicaSet`.
    fn scale_rs(
        &mut self,
        id: DeploymentId,
        rs: &mut Rs,
        new_scale: i32,
        op: Option<&str>,
        cx: &mut Ctx<'_>,
    ) -> bool {
        let d = cx.store.deployment(id).expect("exists");
        let (desired, maxr) = (d.replicas, d.replicas + max_surge(d.strategy, d.replicas));
        let size_changed = rs.replicas != new_scale;
        let ann_changed = rs.desired_ann != Some(desired) || rs.max_ann != Some(maxr);
        if !size_changed && !ann_changed {
            return false;
        }
        let old = rs.replicas;
        let op = op.unwrap_or(if new_scale > old { "up" } else { "down" });
        cx.store.update_replicaset(rs.id, |r| {
            r.replicas = new_scale;
            r.desired_annotation = Some(desired);
            r.max_annotation = Some(maxr);
        });
        rs.replicas = new_scale;
        rs.desired_ann = Some(desired);
        rs.max_ann = Some(maxr);
        if size_changed {
            let obj = cx.store.deployment_ref(id);
            let name = rs.name.clone();
            let op = op.to_string();
            cx.store.record(
                obj,
                EventType::Normal,
                "ScalingReplicaSet",
                "deployment-controller",
                |_| format!("Scaled {op} replica set {name} to {new_scale} from {old}"),
            );
        }
        size_changed
    }

    /// `sync`: scaling events and paused deployments.
    fn sync_scale(&mut self, id: DeploymentId, rss: Vec<Rs>, cx: &mut Ctx<'_>) {
        let (new_rs, mut old) = self.new_and_old(id, rss, false, cx);
        let mut new_rs = new_rs;
        self.scale(id, &mut new_rs, &mut old, cx);
        let d = cx.store.deployment(id).expect("exists");
        if d.paused {
            self.cleanup(id, &old, cx);
        }
        let mut all = old;
        all.extend(new_rs.clone());
        self.sync_deployment_status(id, &all, new_rs.as_ref(), cx);
    }

    /// `scale`: proportional scaling of the active ReplicaSets.
    fn scale(
        &mut self,
        id: DeploymentId,
        new_rs: &mut Option<Rs>,
        old: &mut [Rs],
        cx: &mut Ctx<'_>,
    ) {
        let d = cx.store.deployment(id).expect("exists");
        let (replicas, strategy) = (d.replicas, d.strategy);
        // FindActiveOrLatest.
        let active: Vec<usize> = old
            .iter()
            .enumerate()
            .filter(|(_, r)| r.replicas > 0)
            .map(|(i, _)| i)
            .collect();
        let new_active = new_rs.as_ref().is_some_and(|r| r.replicas > 0);
        let single = match (new_active, active.len()) {
            (true, 0) => Some(None),
            (false, 1) => Some(Some(active[0])),
            (false, 0) => {
                // No active RS: the latest (new, else newest old).
                if new_rs.is_some() {
                    Some(None)
                } else if !old.is_empty() {
                    Some(Some(old.len() - 1))
                } else {
                    return;
                }
            }
            _ => None,
        };
        if let Some(which) = single {
            let target = match which {
                None => new_rs.as_mut().expect("checked"),
                Some(i) => &mut old[i],
            };
            if target.replicas != replicas {
                self.scale_rs(id, target, replicas, None, cx);
            }
            return;
        }
        // New RS saturated: old ones go to zero.
        // IsSaturated.
        if let Some(n) = new_rs.as_ref()
            && n.replicas == replicas
            && n.desired_ann == Some(replicas)
            && n.status.available_replicas == replicas
        {
            for r in old.iter_mut().filter(|r| r.replicas > 0) {
                self.scale_rs(id, r, 0, None, cx);
            }
            return;
        }
        if !matches!(strategy, Strategy::RollingUpdate { .. }) {
            return;
        }
        // Proportional scaling across active replica sets.
        let mut all: Vec<&mut Rs> = old.iter_mut().filter(|r| r.replicas > 0).collect();
        if let Some(n) = new_rs.as_mut()
            && n.replicas > 0
        {
            all.push(n);
        }
        let all_replicas: i32 = all.iter().map(|r| r.replicas).sum();
        let allowed = if replicas > 0 {
            replicas + max_surge(strategy, replicas)
        } else {
            0
        };
        let to_add = allowed - all_replicas;
        let op = match to_add.cmp(&0) {
            std::cmp::Ordering::Greater => {
                // ReplicaSetsBySizeNewer: larger first, newer first among equals.
                all.sort_by(|a, b| {
                    b.replicas
                        .cmp(&a.replicas)
                        .then((b.created, b.uid).cmp(&(a.created, a.uid)))
                });
                "up"
            }
            std::cmp::Ordering::Less => {
                // ReplicaSetsBySizeOlder: larger first, older first among equals.
                all.sort_by(|a, b| {
                    b.replicas
                        .cmp(&a.replicas)
                        .then((a.created, a.uid).cmp(&(b.created, b.uid)))
                });
                "down"
            }
            std::cmp::Ordering::Equal => "",
        };
        let mut added = 0i32;
        let mut sizes: Vec<i32> = Vec::with_capacity(all.len());
        for r in all.iter() {
            if to_add != 0 {
                let p = proportion(r, replicas, strategy, to_add, added);
                sizes.push(r.replicas + p);
                added += p;
            } else {
                sizes.push(r.replicas);
            }
        }
        for (i, r) in all.into_iter().enumerate() {
            let mut size = sizes[i];
            if i == 0 && to_add != 0 {
                size = (size + to_add - added).max(0);
            }
            let op = if op.is_empty() { None } else { Some(op) };
            self.scale_rs(id, r, size, op, cx);
        }
    }

    fn rollout_rolling(&mut self, id: DeploymentId, rss: Vec<Rs>, cx: &mut Ctx<'_>) {
        let (new_rs, mut old) = self.new_and_old(id, rss, true, cx);
        let Some(mut new_rs) = new_rs else { return };
        // reconcileNewReplicaSet.
        let d = cx.store.deployment(id).expect("exists");
        let (replicas, strategy) = (d.replicas, d.strategy);
        let scaled_up = if new_rs.replicas == replicas {
            false
        } else if new_rs.replicas > replicas {
            self.scale_rs(id, &mut new_rs, replicas, None, cx)
        } else {
            let mut all = old.clone();
            all.push(new_rs.clone());
            let n = new_rs_new_replicas(strategy, replicas, &all, Some(&new_rs));
            self.scale_rs(id, &mut new_rs, n, None, cx)
        };
        let mut all = old.clone();
        all.push(new_rs.clone());
        if scaled_up {
            self.sync_rollout_status(id, &all, Some(&new_rs), cx);
            return;
        }
        // reconcileOldReplicaSets.
        let scaled_down = self.reconcile_old(id, &mut old, &new_rs, cx);
        let mut all = old.clone();
        all.push(new_rs.clone());
        if scaled_down {
            self.sync_rollout_status(id, &all, Some(&new_rs), cx);
            return;
        }
        let status = calculate_status(&all, Some(&new_rs), replicas, strategy);
        if deployment_complete(replicas, &status) {
            self.cleanup(id, &old, cx);
        }
        self.sync_rollout_status(id, &all, Some(&new_rs), cx);
    }

    fn reconcile_old(
        &mut self,
        id: DeploymentId,
        old: &mut [Rs],
        new_rs: &Rs,
        cx: &mut Ctx<'_>,
    ) -> bool {
        let old_count = sum(old, |r| r.replicas);
        if old_count == 0 {
            return false;
        }
        let d = cx.store.deployment(id).expect("exists");
        let (replicas, strategy) = (d.replicas, d.strategy);
        let all_count = old_count + new_rs.replicas;
        let max_unav = max_unavailable(strategy, replicas);
        let min_available = replicas - max_unav;
        let new_unavailable = new_rs.replicas - new_rs.status.available_replicas;
        let max_scaled_down = all_count - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return false;
        }
        // cleanupUnhealthyReplicas: oldest first.
        old.sort_by_key(|r| (r.created, r.uid));
        let mut cleaned = 0;
        for r in old.iter_mut() {
            if cleaned >= max_scaled_down {
                break;
            }
            if r.replicas == 0 || r.replicas == r.status.available_replicas {
                continue;
            }
            let n = (max_scaled_down - cleaned).min(r.replicas - r.status.available_replicas);
            let new_scale = r.replicas - n;
            self.scale_rs(id, r, new_scale, None, cx);
            cleaned += n;
        }
        // scaleDownOldReplicaSetsForRollingUpdate.
        let available =
            sum(old, |r| r.status.available_replicas) + new_rs.status.available_replicas;
        let mut scaled = 0;
        if available > min_available {
            let total = available - min_available;
            for r in old.iter_mut() {
                if scaled >= total {
                    break;
                }
                if r.replicas == 0 {
                    continue;
                }
                let n = r.replicas.min(total - scaled);
                let new_scale = r.replicas - n;
                self.scale_rs(id, r, new_scale, None, cx);
                scaled += n;
            }
        }
        cleaned + scaled > 0
    }

    fn rollout_recreate(&mut self, id: DeploymentId, rss: Vec<Rs>, cx: &mut Ctx<'_>) {
        let (new_rs, mut old) = self.new_and_old(id, rss, false, cx);
        // scaleDownOldReplicaSetsForRecreate.
        let mut scaled = false;
        for r in old.iter_mut().filter(|r| r.replicas > 0) {
            scaled |= self.scale_rs(id, r, 0, None, cx);
        }
        let mut all = old.clone();
        all.extend(new_rs.clone());
        if scaled {
            self.sync_rollout_status(id, &all, new_rs.as_ref(), cx);
            return;
        }
        // oldPodsRunning: any pod of an old RS that is not Succeeded/Failed (terminating ones too).
        let old_running = old.iter().any(|r| {
            cx.store.replicaset(r.id).is_some_and(|rs| {
                rs.pods.iter().any(|&p| {
                    cx.store
                        .pod(p)
                        .is_some_and(|p| !p.status.phase.is_terminal())
                })
            })
        });
        if old_running {
            self.sync_rollout_status(id, &all, new_rs.as_ref(), cx);
            return;
        }
        let (new_rs, old) = match new_rs {
            Some(n) => (Some(n), old),
            None => {
                let rss = self.snapshot(id, cx);
                self.new_and_old(id, rss, true, cx)
            }
        };
        let Some(mut new_rs) = new_rs else { return };
        let replicas = cx.store.deployment(id).expect("exists").replicas;
        self.scale_rs(id, &mut new_rs, replicas, None, cx);
        let mut all = old.clone();
        all.push(new_rs.clone());
        let strategy = cx.store.deployment(id).expect("exists").strategy;
        if deployment_complete(
            replicas,
            &calculate_status(&all, Some(&new_rs), replicas, strategy),
        ) {
            self.cleanup(id, &old, cx);
        }
        self.sync_rollout_status(id, &all, Some(&new_rs), cx);
    }

    /// `cleanupDeployment`: deletes the oldest fully scaled-down old ReplicaSets beyond
    /// `revisionHistoryLimit`.
    fn cleanup(&mut self, id: DeploymentId, old: &[Rs], cx: &mut Ctx<'_>) {
        let limit = cx
            .store
            .deployment(id)
            .expect("exists")
            .revision_history_limit
            .max(0) as usize;
        let mut cleanable: Vec<&Rs> = old
            .iter()
            .filter(|r| r.replicas == 0 && r.status.replicas == 0)
            .collect();
        if cleanable.len() <= limit {
            return;
        }
        cleanable.sort_by_key(|r| (r.revision, r.created, r.uid));
        let n = cleanable.len() - limit;
        for r in cleanable.into_iter().take(n) {
            cx.store.delete_replicaset(r.id);
        }
    }

    fn sync_deployment_status(
        &mut self,
        id: DeploymentId,
        all: &[Rs],
        new_rs: Option<&Rs>,
        cx: &mut Ctx<'_>,
    ) {
        let d = cx.store.deployment(id).expect("exists");
        let mut st = calculate_status(all, new_rs, d.replicas, d.strategy);
        st.progressing = d.status.progressing.clone();
        merge_available(&mut st, &d.status, cx.now);
        let rev = d.revision;
        cx.store.set_deployment_status(id, rev, st);
    }

    /// `syncRolloutStatus`: status plus the Progressing condition and the deadline requeue.
    fn sync_rollout_status(
        &mut self,
        id: DeploymentId,
        all: &[Rs],
        new_rs: Option<&Rs>,
        cx: &mut Ctx<'_>,
    ) {
        let now = cx.now;
        let d = cx.store.deployment(id).expect("exists");
        let mut st = calculate_status(all, new_rs, d.replicas, d.strategy);
        merge_available(&mut st, &d.status, now);
        let cur = d.status.progressing.clone();
        st.progressing = cur.clone();
        if d.progress_deadline.is_none() {
            st.progressing = None;
        }
        let complete = st.replicas == st.updated_replicas
            && cur
                .as_ref()
                .is_some_and(|c| c.reason == "NewReplicaSetAvailable");
        if let Some(deadline) = d.progress_deadline
            && !complete
        {
            let name = new_rs
                .map(|r| format!("ReplicaSet \"{}\"", r.name))
                .unwrap_or_else(|| format!("Deployment \"{}\"", d.name));
            if deployment_complete(d.replicas, &st) {
                if cur
                    .as_ref()
                    .is_none_or(|c| c.reason != "NewReplicaSetAvailable")
                {
                    set_condition(
                        &mut st.progressing,
                        "True",
                        "NewReplicaSetAvailable",
                        format!("{name} has successfully progressed."),
                        now,
                    );
                }
            } else if deployment_progressing(&d.status, &st) {
                let mut c = Condition {
                    status: "True",
                    reason: "ReplicaSetUpdated",
                    message: format!("{name} is progressing."),
                    last_update: now,
                    last_transition: now,
                };
                if let Some(cc) = &cur
                    && cc.status == "True"
                {
                    c.last_transition = cc.last_transition;
                }
                st.progressing = Some(c);
            } else if let Some(c) = &cur
                && c.reason != "NewReplicaSetAvailable"
                && (c.reason == "ProgressDeadlineExceeded" || c.last_update + deadline < now)
            {
                // DeploymentTimedOut (a no-op when the condition already says so).
                set_condition(
                    &mut st.progressing,
                    "False",
                    "ProgressDeadlineExceeded",
                    format!("{name} has timed out progressing."),
                    now,
                );
            }
        }
        let rev = d.revision;
        let replicas = d.replicas;
        let unchanged = status_equal(&d.status, &st);
        cx.store.set_deployment_status(id, rev, st.clone());
        if !unchanged || deployment_complete(replicas, &st) {
            self.stuck_requeues.remove(&id);
        }
        // requeueStuckDeployment (only when the status did not change).
        if !unchanged {
            return;
        }
        if let Some(deadline) = cx.store.deployment(id).expect("exists").progress_deadline
            && let Some(c) = &st.progressing
            && !deployment_complete(replicas, &st)
            && c.reason != "ProgressDeadlineExceeded"
        {
            let due = c.last_update + deadline;
            let at = if due.since(now) < SimDuration::from_secs(1) {
                // enqueueRateLimited: per-item exponential back-off (5 ms doubling to 1000 s).
                // Upstream's Forget after every sync makes this a 10/s loop bounded by the
                // bucket limiter; backing off instead changes nothing observable.
                let n = self.stuck_requeues.entry(id).or_insert(0);
                let delay = SimDuration::from_millis((5u64 << (*n).min(20)).min(1_000_000));
                *n += 1;
                now + delay
            } else {
                due + SimDuration::from_secs(1)
            };
            self.queue.add_at(id, at, now, cx.queue);
        }
    }
}

fn status_equal(a: &DeploymentStatus, b: &DeploymentStatus) -> bool {
    a.replicas == b.replicas
        && a.updated_replicas == b.updated_replicas
        && a.ready_replicas == b.ready_replicas
        && a.available_replicas == b.available_replicas
        && a.unavailable_replicas == b.unavailable_replicas
        && a.progressing == b.progressing
        && a.available == b.available
}

fn merge_available(st: &mut DeploymentStatus, prev: &DeploymentStatus, now: SimTime) {
    // Keep transition times of an unchanged Available condition.
    if let (Some(new), Some(old)) = (&mut st.available, &prev.available)
        && new.status == old.status
    {
        new.last_transition = old.last_transition;
        if new.reason == old.reason && new.message == old.message {
            new.last_update = old.last_update;
        }
    }
    let _ = now;
}

fn set_condition(
    slot: &mut Option<Condition>,
    status: &'static str,
    reason: &'static str,
    message: String,
    now: SimTime,
) {
    // SetDeploymentCondition: no change when status and reason are the same.
    if let Some(c) = slot.as_ref()
        && c.status == status
        && c.reason == reason
    {
        return;
    }
    let last_transition = match slot.as_ref() {
        Some(c) if c.status == status => c.last_transition,
        _ => now,
    };
    *slot = Some(Condition {
        status,
        reason,
        message,
        last_update: now,
        last_transition,
    });
}

fn canonical_of(t: &PodTemplate) -> Arc<str> {
    // `EqualIgnoreHash`: templates compare without the pod-template-hash label.
    let mut src = (*t.source).clone();
    src.metadata.labels.0.remove(convert::POD_TEMPLATE_HASH);
    Arc::from(String::from_utf8(serde_json::to_vec(&src).unwrap_or_default()).unwrap_or_default())
}

/// `NewRSNewReplicas`.
fn new_rs_new_replicas(strategy: Strategy, replicas: i32, all: &[Rs], new_rs: Option<&Rs>) -> i32 {
    match strategy {
        Strategy::Recreate => replicas,
        Strategy::RollingUpdate { max_surge: s, .. } => {
            let surge = s.scaled(replicas, true);
            let current = sum(all, |r| r.replicas);
            let max_total = replicas + surge;
            let new_replicas = new_rs.map(|r| r.replicas).unwrap_or(0);
            if current >= max_total {
                return new_replicas;
            }
            let up = (max_total - current).min(replicas - new_replicas);
            new_replicas + up
        }
    }
}

/// `GetProportion` / `getReplicaSetFraction`.
fn proportion(rs: &Rs, replicas: i32, strategy: Strategy, to_add: i32, added: i32) -> i32 {
    if rs.replicas == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if replicas == 0 {
        -rs.replicas
    } else {
        let max_replicas = replicas + max_surge(strategy, replicas);
        match rs.max_ann {
            Some(before) if before != 0 => {
                let v = rs.replicas as f64 * max_replicas as f64 / before as f64;
                // integer.RoundToInt32: round half away from zero.
                v.round() as i32 - rs.replicas
            }
            _ => replicas - rs.replicas,
        }
    };
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// `calculateStatus`.
fn calculate_status(
    all: &[Rs],
    new_rs: Option<&Rs>,
    replicas: i32,
    strategy: Strategy,
) -> DeploymentStatus {
    let available = sum(all, |r| r.status.available_replicas);
    let total = sum(all, |r| r.replicas);
    let mut st = DeploymentStatus {
        replicas: sum(all, |r| r.status.replicas),
        updated_replicas: new_rs.map(|r| r.status.replicas).unwrap_or(0),
        ready_replicas: sum(all, |r| r.status.ready_replicas),
        available_replicas: available,
        unavailable_replicas: (total - available).max(0),
        progressing: None,
        available: None,
    };
    let (status, reason, msg) = if available >= replicas - max_unavailable(strategy, replicas) {
        (
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        (
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    st.available = Some(Condition {
        status,
        reason,
        message: msg.to_string(),
        last_update: SimTime::ZERO,
        last_transition: SimTime::ZERO,
    });
    st
}

/// `DeploymentComplete`.
fn deployment_complete(replicas: i32, st: &DeploymentStatus) -> bool {
    st.updated_replicas == replicas && st.replicas == replicas && st.available_replicas == replicas
}

/// `DeploymentProgressing`.
fn deployment_progressing(old: &DeploymentStatus, new: &DeploymentStatus) -> bool {
    let old_old = old.replicas - old.updated_replicas;
    let new_old = new.replicas - new.updated_replicas;
    new.updated_replicas > old.updated_replicas
        || new_old < old_old
        || new.ready_replicas > old.ready_replicas
        || new.available_replicas > old.available_replicas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenceposts_round_like_upstream() {
        let p = IntOrPercent::Percent;
        // 25%/25% of 10: surge ceil(2.5)=3, unavailable floor(2.5)=2.
        assert_eq!(resolve_fenceposts(p(25), p(25), 10), (3, 2));
        // 25%/25% of 1: surge 1, unavailable 0.
        assert_eq!(resolve_fenceposts(p(25), p(25), 1), (1, 0));
        // both resolve to zero: unavailable becomes 1.
        assert_eq!(resolve_fenceposts(p(0), IntOrPercent::Int(0), 3), (0, 1));
        let s = Strategy::RollingUpdate {
            max_surge: IntOrPercent::Int(1),
            max_unavailable: IntOrPercent::Int(5),
        };
        assert_eq!(max_unavailable(s, 3), 3, "capped at replicas");
        assert_eq!(max_unavailable(s, 0), 0);
    }

    #[test]
    fn new_rs_replicas_respect_surge() {
        let s = Strategy::RollingUpdate {
            max_surge: IntOrPercent::Int(1),
            max_unavailable: IntOrPercent::Int(0),
        };
        let rs = |replicas| Rs {
            id: crate::model::arena::ArenaId::from_parts(0, 0),
            name: Arc::from("x"),
            replicas,
            status: ReplicaSetStatus::default(),
            created: SimTime::ZERO,
            uid: 0,
            revision: 1,
            desired_ann: None,
            max_ann: None,
            canonical: Arc::from(""),
        };
        let old = rs(3);
        let new = rs(0);
        assert_eq!(
            new_rs_new_replicas(s, 3, &[old.clone(), new.clone()], Some(&new)),
            1
        );
        let new1 = rs(1);
        assert_eq!(
            new_rs_new_replicas(s, 3, &[old, new1.clone()], Some(&new1)),
            1,
            "at 4 = 3 + surge"
        );
    }
}
