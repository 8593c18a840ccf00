//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`): keeps the number of
//! active pods equal to `spec.replicas`, deleting the pods upstream ranks first
//! (`controller.ActivePodsWithRanks`, with LogarithmicScaleDown), and keeps `status` current.
//!
//! Simplifications (documented in `docs/fidelity.md`): pods are created one at a time instead
//! of in slow-start batches (same result, since creation is synchronous here); orphan pods are
//! not adopted.

use super::WorkQueue;
use crate::engine::{RngStreams, SimDuration, SimRng, SimTime, StreamId};
use crate::model::workloads::ReplicaSetStatus;
use crate::model::{OwnerRef, PodId, ReplicaSetId};
use crate::sim::Ctx;
use crate::sim::event::ControllerKind;
use crate::store::events::EventType;
use crate::store::{Change, NewPod, Op, PodDelta};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `burstReplicas`: the most pods created or deleted in one sync.
pub const BURST_REPLICAS: i32 = 500;

/// The alphabet of `rand.String` (apimachinery `util/rand`).
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Generates `base` + 5 random characters, as `names.SimpleNameGenerator` does (the base is
/// truncated to 58 characters).
pub fn generate_name(base: &str, rng: &mut SimRng) -> String {
    let mut s: String = base.chars().take(58).collect();
    for _ in 0..5 {
        s.push(NAME_ALPHABET[rng.below(NAME_ALPHABET.len() as u64) as usize] as char);
    }
    s
}

/// The ReplicaSet controller.
pub struct ReplicaSetController {
    queue: WorkQueue<ReplicaSetId>,
    names: SimRng,
    seeds: RngStreams,
    failures: BTreeMap<ReplicaSetId, u32>,
}

impl ReplicaSetController {
    /// A controller drawing generated names from its own stream.
    pub fn new(seeds: &RngStreams) -> Self {
        ReplicaSetController {
            queue: WorkQueue::new(ControllerKind::ReplicaSet),
            names: seeds.stream(StreamId::new(StreamId::CONTROLLER, 1)),
            seeds: *seeds,
            failures: BTreeMap::new(),
        }
    }

    /// Watch handler: enqueues the ReplicaSet a change concerns.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::ReplicaSet(id, Op::Added | Op::Updated) => self.queue.add(id, cx.now, cx.queue),
            Change::Pod(pid, op, delta) => {
                let relevant = op != Op::Updated
                    || delta.has(PodDelta::PHASE)
                    || delta.has(PodDelta::READY)
                    || delta.has(PodDelta::DELETING);
                if !relevant {
                    return;
                }
                if let Some(p) = cx.store.pod(pid)
                    && let Some(OwnerRef::ReplicaSet(rs)) = p.owner
                {
                    self.queue.add(rs, cx.now, cx.queue);
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

    fn sync_one(&mut self, id: ReplicaSetId, cx: &mut Ctx<'_>) {
        let Some(rs) = cx.store.replicaset(id) else {
            return;
        };
        if rs.deleted {
            return;
        }
        let replicas = rs.replicas;
        // The store keeps the active count; the pods themselves are listed only to choose
        // which to delete.
        let diff = rs.active_pods as i32 - replicas;
        let mut failed = false;
        if diff < 0 {
            let n = (-diff).min(BURST_REPLICAS);
            for _ in 0..n {
                if !self.create_pod(id, cx) {
                    failed = true;
                    break;
                }
            }
        } else if diff > 0 {
            let n = diff.min(BURST_REPLICAS) as usize;
            let active: Vec<PodId> = rs
                .pods
                .iter()
                .copied()
                .filter(|&p| cx.store.pod(p).is_some_and(|p| p.is_active()))
                .collect();
            for pid in self.pods_to_delete(id, active, n, cx) {
                let name = cx
                    .store
                    .pod(pid)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                if !cx.store.mark_pod_deleting(pid, None) {
                    cx.store.delete_pod(pid);
                }
                let obj = cx.store.replicaset_ref(id);
                cx.store.record(
                    obj,
                    EventType::Normal,
                    "SuccessfulDelete",
                    "replicaset-controller",
                    |_| format!("Deleted pod: {name}"),
                );
            }
        }
        if failed {
            // Rate-limited requeue: 5 ms doubling per failure, capped at 1000 s (the default
            // controller rate limiter's per-item part).
            let f = self.failures.entry(id).or_insert(0);
            let delay_ms = (5u64 << (*f).min(20)).min(1_000_000);
            *f += 1;
            let at = cx.now + SimDuration::from_millis(delay_ms);
            self.queue.add_at(id, at, cx.now, cx.queue);
        } else {
            self.failures.remove(&id);
        }
        self.update_status(id, cx);
    }

    fn create_pod(&mut self, id: ReplicaSetId, cx: &mut Ctx<'_>) -> bool {
        let Some(rs) = cx.store.replicaset(id) else {
            return false;
        };
        let base = format!("{}-", rs.name);
        let (ns, labels, annotations, spec) = (
            rs.namespace,
            rs.template.labels.clone(),
            rs.template.annotations.clone(),
            rs.template.spec.clone(),
        );
        let mut name = generate_name(&base, &mut self.names);
        while cx.store.pod_by_name(ns, &name).is_some() {
            name = generate_name(&base, &mut self.names);
        }
        let name: Arc<str> = Arc::from(name);
        let res = cx.store.create_pod(NewPod {
            name: name.clone(),
            namespace: ns,
            labels,
            annotations,
            owner: Some(OwnerRef::ReplicaSet(id)),
            spec,
        });
        let obj = cx.store.replicaset_ref(id);
        match res {
            Ok(_) => {
                cx.store.record(
                    obj,
                    EventType::Normal,
                    "SuccessfulCreate",
                    "replicaset-controller",
                    |_| format!("Created pod: {name}"),
                );
                true
            }
            Err(e) => {
                cx.store.record(
                    obj,
                    EventType::Warning,
                    "FailedCreate",
                    "replicaset-controller",
                    |_| format!("Error creating: {e}"),
                );
                false
            }
        }
    }

    /// `getPodsToDelete`: ranks the active pods by `ActivePodsWithRanks` (rank = active pods of
    /// the same owner on the same node) and returns the first `n`.
    fn pods_to_delete(
        &self,
        id: ReplicaSetId,
        mut pods: Vec<PodId>,
        n: usize,
        cx: &Ctx<'_>,
    ) -> Vec<PodId> {
        let store = &*cx.store;
        if n >= pods.len() {
            return pods;
        }
        // Related pods: active pods of every ReplicaSet of the same Deployment.
        let mut per_node: BTreeMap<Option<crate::model::NodeId>, i64> = BTreeMap::new();
        let siblings: Vec<ReplicaSetId> = match store.replicaset(id).and_then(|r| r.deployment()) {
            Some(d) => store.replicasets_of(d),
            None => vec![id],
        };
        for rs in siblings {
            if let Some(r) = store.replicaset(rs) {
                for &p in &r.pods {
                    if let Some(p) = store.pod(p)
                        && p.is_active()
                    {
                        *per_node.entry(p.status.node).or_default() += 1;
                    }
                }
            }
        }
        let now = cx.now;
        let uid_hash = |uid: u64| {
            self.seeds
                .counter_u64(StreamId::new(StreamId::CONTROLLER, 1), uid, 0)
        };
        // `ActivePodsWithRanks.Less` is not a strict weak order (pods in the same log bucket
        // compare by UID when their times differ but fall through to restarts and creation
        // when they are equal), so it is ranked here by the lexicographic key it implies:
        // the same order whenever upstream's comparator is consistent.
        let key_of = store
            .interner
            .lookup("controller.kubernetes.io/pod-deletion-cost");
        let rank = |t: SimTime| log_rank(t, now);
        let mut keyed: Vec<(RankKey, PodId)> = pods
            .iter()
            .map(|&id| {
                let p = store.pod(id).expect("active");
                let phase = match p.status.phase {
                    crate::model::pod::PodPhase::Pending => 0,
                    crate::model::pod::PodPhase::Running => 2,
                    _ => 1,
                };
                let cost: i64 = key_of
                    .and_then(|k| p.annotations.iter().find(|(kk, _)| *kk == k))
                    .and_then(|(_, v)| store.interner.resolve(*v).parse().ok())
                    .unwrap_or(0);
                let colocated = per_node.get(&p.status.node).copied().unwrap_or(0);
                let ready_rank = match (p.is_ready(), p.status.ready_since) {
                    (true, Some(t)) => rank(t),
                    _ => i64::MIN,
                };
                let key = (
                    // 1. Unassigned < assigned; 2. Pending < Unknown < Running; 3. not ready
                    // < ready.
                    (p.status.node.is_some(), phase, p.is_ready()),
                    // 4. Lower pod-deletion-cost; 5. more colocated related pods first.
                    (cost, -colocated),
                    // 6. Ready for less time (log buckets); 7. more restarts first;
                    // 8. newer first (log buckets); then the (pseudo-random) UID order.
                    (
                        ready_rank,
                        -(p.status.restarts as i64),
                        rank(p.created),
                        uid_hash(p.uid),
                        std::cmp::Reverse(p.uid),
                    ),
                );
                (key, id)
            })
            .collect();
        keyed.sort_unstable();
        pods.clear();
        pods.extend(keyed.into_iter().map(|(_, id)| id));
        pods.truncate(n);
        pods
    }

    fn update_status(&mut self, id: ReplicaSetId, cx: &mut Ctx<'_>) {
        let Some(rs) = cx.store.replicaset(id) else {
            return;
        };
        let mut st = ReplicaSetStatus {
            replicas: rs.active_pods as i32,
            ready_replicas: rs.ready_pods as i32,
            ..Default::default()
        };
        if rs.min_ready == SimDuration::ZERO {
            // Ready for zero seconds is available.
            st.available_replicas = st.ready_replicas;
        } else {
            for &p in &rs.pods {
                if let Some(p) = cx.store.pod(p)
                    && p.is_active()
                    && p.is_available(rs.min_ready, cx.now)
                {
                    st.available_replicas += 1;
                }
            }
        }
        let (min_ready, replicas) = (rs.min_ready, rs.replicas);
        cx.store.set_replicaset_status(id, st.clone());
        if min_ready > SimDuration::ZERO
            && st.ready_replicas == replicas
            && st.available_replicas != replicas
        {
            self.queue.add_at(id, cx.now + min_ready, cx.now, cx.queue);
        }
    }
}

/// `logarithmicRankDiff`'s rank: `floor(log2(now - t))` in nanoseconds, as upstream computes
/// on `time.Duration` (-1 for no time elapsed).
fn log_rank(t: SimTime, now: SimTime) -> i64 {
    let d_ns = now.since(t).as_micros() as f64 * 1000.0;
    if d_ns > 0.0 { d_ns.log2() as i64 } else { -1 }
}

/// The sort key of a pod for scale-down (see `pods_to_delete`).
type RankKey = (
    (bool, u8, bool),
    (i64, i64),
    (i64, i64, i64, u64, std::cmp::Reverse<u64>),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_use_upstream_alphabet() {
        let mut r = RngStreams::new(3).stream(StreamId(1));
        let n = generate_name("web-7d4f8-", &mut r);
        assert_eq!(n.len(), "web-7d4f8-".len() + 5);
        assert!(n[10..].bytes().all(|b| NAME_ALPHABET.contains(&b)));
        let long = "x".repeat(70);
        assert_eq!(generate_name(&long, &mut r).len(), 63);
    }

    #[test]
    fn log_rank_buckets() {
        let now = SimTime(1_000_000_000);
        // 1000 µs = 1e6 ns → rank 19; 500 µs → 18; 900 µs → 19.
        assert_eq!(log_rank(SimTime(999_999_000), now), 19);
        assert_eq!(log_rank(SimTime(999_999_500), now), 18);
        assert_eq!(log_rank(SimTime(999_999_100), now), 19);
        assert_eq!(log_rank(now, now), -1);
    }
}
