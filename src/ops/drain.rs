//! `kubectl drain` over simulated time (`staging/src/k8s.io/kubectl/pkg/drain/{drain,filters}.go`):
//! cordon the node, filter its pods as kubectl does (DaemonSet-managed, local storage,
//! controller-less), evict every remaining pod through the Eviction API, retry the evictions a
//! PodDisruptionBudget refuses (429) every 5 s, poll every second until each evicted pod is
//! gone, and record how long the whole drain took.
//!
//! The Cluster Autoscaler drains through the same machine with [`AutoscalerDrain`] set, as
//! cluster-autoscaler's `core/scaledown/actuation/drain.go` does: each eviction's grace period
//! is the pod's capped at `--max-graceful-termination-sec`, refused evictions are retried every
//! 10 s until `--max-pod-eviction-time` has passed, and the evicted pods are polled every 5 s for
//! up to `--max-graceful-termination-sec` + 30 s; a pod still refused, or still there, fails the
//! drain. Its events are the autoscaler's, not kubectl's.
//!
//! One timer per active drain (generation-checked), never one per pod; pod deletions arrive as
//! watch notifications.

use super::eviction::{self, EvictionResult};
use crate::engine::{SimDuration, SimTime};
use crate::model::pod::VolumeRef;
use crate::model::{NodeId, OwnerRef, Pod, PodId};
use crate::sim::Ctx;
use crate::sim::event::Event;
use crate::store::events::EventType;
use crate::store::{Change, Op, Store};
use std::collections::BTreeMap;

/// kubectl's wait between evictions refused with 429 (`drain.go`: "will retry after 5s").
pub const EVICTION_RETRY: SimDuration = SimDuration::from_secs(5);
/// kubectl's poll interval while waiting for evicted pods to be deleted (`waitForDelete`).
pub const DELETE_POLL: SimDuration = SimDuration::from_secs(1);
/// The source of the autoscaler's events.
const CLUSTER_AUTOSCALER: &str = "cluster-autoscaler";

/// cluster-autoscaler's wait between refused evictions (`DefaultEvictionRetryTime`).
pub const CA_EVICTION_RETRY: SimDuration = SimDuration::from_secs(10);
/// cluster-autoscaler's extra wait for evicted pods beyond the grace period
/// (`DefaultPodEvictionHeadroom`).
pub const CA_POD_EVICTION_HEADROOM: SimDuration = SimDuration::from_secs(30);
/// cluster-autoscaler's poll interval while waiting for evicted pods to disappear
/// (`waitPodsToDisappear`).
pub const CA_DISAPPEAR_POLL: SimDuration = SimDuration::from_secs(5);

/// A Cluster Autoscaler drain's settings (`core/scaledown/actuation/drain.go`, `Evictor`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AutoscalerDrain {
    /// `--max-graceful-termination-sec`: caps each eviction's grace period; the evicted pods are
    /// waited for this long plus `headroom`.
    pub max_grace: SimDuration,
    /// `--max-pod-eviction-time`: refused evictions are retried until this has passed.
    pub eviction_deadline: SimDuration,
    /// `EvictionRetryTime`.
    pub retry_interval: SimDuration,
    /// `PodEvictionHeadroom`.
    pub headroom: SimDuration,
    /// The poll interval of `waitPodsToDisappear`.
    pub poll: SimDuration,
}

impl AutoscalerDrain {
    /// The given flags with upstream's fixed retry, headroom and poll times.
    pub fn new(max_grace: SimDuration, eviction_deadline: SimDuration) -> Self {
        AutoscalerDrain {
            max_grace,
            eviction_deadline,
            retry_interval: CA_EVICTION_RETRY,
            headroom: CA_POD_EVICTION_HEADROOM,
            poll: CA_DISAPPEAR_POLL,
        }
    }

    /// The grace period an eviction asks for: the pod's, capped at `--max-graceful-termination-sec`
    /// when that is positive (`evictPod`).
    pub fn grace_for(&self, pod_grace: SimDuration) -> SimDuration {
        if self.max_grace > SimDuration::ZERO && pod_grace > self.max_grace {
            self.max_grace
        } else {
            pod_grace
        }
    }

    /// When a pod whose first eviction was at `start` gives up if every attempt is refused: the
    /// attempts are `retry_interval` apart and one is made while `now < start + deadline`
    /// (`for first := true; first || time.Now().Before(retryUntil); time.Sleep(...)`).
    pub fn give_up_at(&self, start: SimTime) -> SimTime {
        let k = steps_to_reach(self.eviction_deadline, self.retry_interval).max(1);
        start + self.retry_interval.saturating_mul(k)
    }

    /// When `waitPodsToDisappear`, begun at `start`, stops polling: the first poll at or after
    /// `max_grace + headroom` is not made, and the drain fails.
    pub fn wait_ends_at(&self, start: SimTime) -> SimTime {
        let limit = self.max_grace + self.headroom;
        let k = steps_to_reach(limit, self.poll);
        start + self.poll.saturating_mul(k)
    }

    /// The poll of a wait begun at `start` that first sees a pod gone at `gone`.
    pub fn seen_at(&self, start: SimTime, gone: SimTime) -> SimTime {
        let k = steps_to_reach(gone.since(start), self.poll);
        start + self.poll.saturating_mul(k)
    }
}

/// The smallest `k` with `k * step >= span` (a zero step: 0 when the span is, else 1).
fn steps_to_reach(span: SimDuration, step: SimDuration) -> u64 {
    let (span, step) = (span.as_micros(), step.as_micros());
    if step == 0 {
        return u64::from(span > 0);
    }
    span.div_ceil(step)
}

/// The flags of one drain (`kubectl drain` options).
#[derive(Clone, Debug, Default)]
pub struct DrainOptions {
    /// `--grace-period` (None: each pod's own).
    pub grace: Option<SimDuration>,
    /// `--timeout` (None or zero: wait forever).
    pub timeout: Option<SimDuration>,
    /// `--force`: also delete pods that declare no controller.
    pub force: bool,
    /// `--ignore-daemonsets`.
    pub ignore_daemonsets: bool,
    /// `--delete-emptydir-data`.
    pub delete_emptydir_data: bool,
    /// Drain as the Cluster Autoscaler does rather than as kubectl (`grace` and `timeout` are
    /// then unused).
    pub autoscaler: Option<AutoscalerDrain>,
}

/// How a drain ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrainOutcome {
    /// Still running.
    Running,
    /// Every pod was evicted and is gone.
    Drained,
    /// kubectl refused to drain (pods its filters reject, or an eviction error).
    Failed(String),
    /// `--timeout` passed first.
    TimedOut,
}

impl DrainOutcome {
    /// The word used in outputs.
    pub fn as_str(&self) -> &'static str {
        match self {
            DrainOutcome::Running => "running",
            DrainOutcome::Drained => "drained",
            DrainOutcome::Failed(_) => "failed",
            DrainOutcome::TimedOut => "timed-out",
        }
    }
}

/// The record of one drain, for `summary.json`.
#[derive(Clone, Debug)]
pub struct DrainRecord {
    /// The node's name.
    pub node: String,
    /// When the drain started.
    pub started: SimTime,
    /// When it ended (None while running).
    pub finished: Option<SimTime>,
    /// How it ended.
    pub outcome: DrainOutcome,
    /// Pods evicted.
    pub evicted: u32,
    /// Evictions refused by a PodDisruptionBudget (each retry counts).
    pub blocked: u32,
    /// A Cluster Autoscaler drain.
    pub autoscaler: bool,
}

#[derive(Clone, Debug)]
struct Waiting {
    pod: PodId,
    evicted_at: Option<SimTime>,
    next_try: SimTime,
    gone_at: Option<SimTime>,
    /// The last refusal's message (autoscaler drains).
    last_error: Option<String>,
    /// Every attempt was refused until the deadline (autoscaler drains).
    gave_up: bool,
}

#[derive(Clone, Debug)]
struct Active {
    record: usize,
    node: NodeId,
    opts: DrainOptions,
    deadline: Option<SimTime>,
    pods: Vec<Waiting>,
    generation: u32,
    armed: Option<SimTime>,
    /// Autoscaler drains: when the evictions started.
    started: SimTime,
    /// Autoscaler drains: when every eviction had gone through (`waitPodsToDisappear` starts).
    wait_from: Option<SimTime>,
}

/// A finished drain, handed back to the simulation (node-pool upgrades wait for these).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// Index into [`Drainer::records`].
    pub record: usize,
    /// The drained node.
    pub node: NodeId,
    /// True when the node is empty of evictable pods.
    pub drained: bool,
}

/// Every drain of the run.
#[derive(Debug, Default)]
pub struct Drainer {
    /// One record per drain started, in start order.
    pub records: Vec<DrainRecord>,
    active: BTreeMap<u32, Active>,
    by_pod: BTreeMap<PodId, u32>,
}

/// Which pods kubectl would evict, or the error it stops with (`filters.go`).
fn filter_pods(store: &Store, node: NodeId, opts: &DrainOptions) -> Result<Vec<PodId>, String> {
    let Some(n) = store.node(node) else {
        return Ok(Vec::new());
    };
    let mut pods: Vec<(String, PodId)> = n
        .pods
        .iter()
        .filter_map(|&p| store.pod(p).map(|x| (store.pod_key(p), p, x)))
        .filter(|(_, _, x)| !x.deleted)
        .map(|(k, p, _)| (k, p))
        .collect();
    pods.sort(); // the API lists pods by namespace/name
    let mut keep = Vec::new();
    let (mut ds_err, mut local_err, mut unrep_err) = (vec![], vec![], vec![]);
    for (key, p) in pods {
        let pod = store.pod(p).expect("listed");
        if is_daemonset_pod(pod) {
            if !opts.ignore_daemonsets {
                ds_err.push(key);
            }
            continue;
        }
        let terminal = pod.status.phase.is_terminal();
        if !terminal
            && !opts.delete_emptydir_data
            && pod
                .spec
                .volumes
                .iter()
                .any(|v| matches!(v, VolumeRef::Local))
        {
            local_err.push(key);
            continue;
        }
        if !terminal && pod.owner.is_none() && !opts.force {
            unrep_err.push(key);
            continue;
        }
        keep.push(p);
    }
    let mut errs = Vec::new();
    if !ds_err.is_empty() {
        errs.push(format!(
            "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}",
            ds_err.join(", ")
        ));
    }
    if !local_err.is_empty() {
        errs.push(format!(
            "cannot delete Pods with local storage (use --delete-emptydir-data to override): {}",
            local_err.join(", ")
        ));
    }
    if !unrep_err.is_empty() {
        errs.push(format!(
            "cannot delete Pods that declare no controller (use --force to override): {}",
            unrep_err.join(", ")
        ));
    }
    if errs.is_empty() {
        Ok(keep)
    } else {
        Err(errs.join(", "))
    }
}

/// Whether a DaemonSet controls the pod (kubectl skips those with `--ignore-daemonsets`).
pub fn is_daemonset_pod(pod: &Pod) -> bool {
    matches!(pod.owner, Some(OwnerRef::DaemonSet(_)))
}

impl Drainer {
    /// No drains yet.
    pub fn new() -> Self {
        Drainer::default()
    }

    /// Starts draining `node` (already cordoned by the caller). Returns the record index, and
    /// a `Finished` when the drain ends at once (nothing to evict, or kubectl refuses).
    pub fn start(
        &mut self,
        node: NodeId,
        opts: DrainOptions,
        cx: &mut Ctx<'_>,
    ) -> (usize, Option<Finished>) {
        let now = cx.now;
        let name = cx.store.node_ref(node).name.to_string();
        let record = self.records.len();
        self.records.push(DrainRecord {
            node: name.clone(),
            started: now,
            finished: None,
            outcome: DrainOutcome::Running,
            evicted: 0,
            blocked: 0,
            autoscaler: opts.autoscaler.is_some(),
        });
        let pods = match filter_pods(cx.store, node, &opts) {
            Ok(p) => p,
            Err(e) => {
                let msg = format!("unable to drain node \"{name}\" due to error: {e}");
                self.finish(record, node, DrainOutcome::Failed(msg), cx);
                return (record, Some(self.finished_of(record, node)));
            }
        };
        if opts.autoscaler.is_some() {
            // `evictPod`: one event per pod when its eviction starts.
            for &p in &pods {
                let obj = cx.store.pod_ref(p);
                cx.store.record(
                    obj,
                    EventType::Normal,
                    "ScaleDown",
                    CLUSTER_AUTOSCALER,
                    |_| "deleting pod for node scale down".to_string(),
                );
            }
        } else {
            let obj = cx.store.node_ref(node);
            let n = pods.len();
            cx.store
                .record(obj, EventType::Normal, "Draining", "kubectl", |_| {
                    format!("Draining node {name}: evicting {n} pod(s)")
                });
        }
        let key = record as u32;
        let deadline = opts
            .timeout
            .filter(|t| *t > SimDuration::ZERO)
            .map(|t| now + t);
        let mut a = Active {
            record,
            node,
            opts,
            deadline,
            pods: pods
                .into_iter()
                .map(|pod| Waiting {
                    pod,
                    evicted_at: None,
                    next_try: now,
                    gone_at: None,
                    last_error: None,
                    gave_up: false,
                })
                .collect(),
            generation: 0,
            armed: None,
            started: now,
            wait_from: None,
        };
        for w in &a.pods {
            self.by_pod.insert(w.pod, key);
        }
        let done = self.step(&mut a, cx);
        if let Some(outcome) = done {
            self.release(&a);
            self.finish(record, node, outcome, cx);
            return (record, Some(self.finished_of(record, node)));
        }
        self.arm(key, &mut a, cx);
        self.active.insert(key, a);
        (record, None)
    }

    fn finished_of(&self, record: usize, node: NodeId) -> Finished {
        Finished {
            record,
            node,
            drained: self.records[record].outcome == DrainOutcome::Drained,
        }
    }

    fn release(&mut self, a: &Active) {
        for w in &a.pods {
            self.by_pod.remove(&w.pod);
        }
    }

    /// Evicts what is due; returns the outcome when the drain is over at `now`.
    fn step(&mut self, a: &mut Active, cx: &mut Ctx<'_>) -> Option<DrainOutcome> {
        if let Some(ca) = a.opts.autoscaler {
            return self.step_autoscaler(a, ca, cx);
        }
        let now = cx.now;
        // kubectl's global timeout fires before a retry due at the same instant.
        if a.deadline.is_some_and(|d| d <= now) {
            return Some(DrainOutcome::TimedOut);
        }
        for i in 0..a.pods.len() {
            let w = &a.pods[i];
            if w.evicted_at.is_some() || w.next_try > now {
                continue;
            }
            let p = w.pod;
            let r = eviction::evict(cx.store, p, a.opts.grace);
            match r {
                EvictionResult::Evicted | EvictionResult::NotFound => {
                    self.granted(a, i, &r, now, cx.store)
                }
                EvictionResult::TooManyRequests(msg) => {
                    a.pods[i].next_try = now + EVICTION_RETRY;
                    self.records[a.record].blocked += 1;
                    let obj = cx.store.pod_ref(p);
                    let (ns, name) = (
                        cx.store.interner.resolve_arc(obj.namespace),
                        obj.name.clone(),
                    );
                    cx.store
                        .record(obj, EventType::Warning, "EvictionBlocked", "kubectl", |_| {
                            format!(
                                "error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after 5s): {msg}"
                            )
                        });
                }
                EvictionResult::Failed(msg) => {
                    let name = cx.store.node_ref(a.node).name.to_string();
                    return Some(DrainOutcome::Failed(format!(
                        "unable to drain node \"{name}\" due to error: {msg}"
                    )));
                }
            }
        }
        if let Some(done) = self.done_at(a)
            && done <= now
        {
            return Some(DrainOutcome::Drained);
        }
        None
    }

    /// Records a granted eviction of `a.pods[i]` (or a 404: the pod is already gone), for
    /// both kinds of drain.
    fn granted(
        &mut self,
        a: &mut Active,
        i: usize,
        r: &EvictionResult,
        now: SimTime,
        store: &Store,
    ) {
        let w = &mut a.pods[i];
        w.evicted_at = Some(now);
        let gone = match r {
            EvictionResult::Evicted => {
                self.records[a.record].evicted += 1;
                store.pod(w.pod).is_none_or(|x| x.deleted)
            }
            _ => true,
        };
        if gone {
            w.gone_at = Some(now);
        }
    }

    /// An autoscaler drain's step (`drain.go`: `initiateEviction`, then `waitPodsToDisappear`).
    fn step_autoscaler(
        &mut self,
        a: &mut Active,
        ca: AutoscalerDrain,
        cx: &mut Ctx<'_>,
    ) -> Option<DrainOutcome> {
        let now = cx.now;
        let give_up = ca.give_up_at(a.started);
        for i in 0..a.pods.len() {
            let w = &a.pods[i];
            if w.evicted_at.is_some() || w.gave_up || w.next_try > now {
                continue;
            }
            let p = w.pod;
            if now > a.started && now >= give_up {
                // The retries are used up: this pod's eviction failed.
                a.pods[i].gave_up = true;
                let obj = cx.store.pod_ref(p);
                cx.store.record(
                    obj,
                    EventType::Warning,
                    "ScaleDownFailed",
                    CLUSTER_AUTOSCALER,
                    |_| "failed to delete pod for ScaleDown".to_string(),
                );
                continue;
            }
            let grace = cx
                .store
                .pod(p)
                .map(|x| ca.grace_for(x.spec.termination_grace));
            let r = eviction::evict(cx.store, p, grace);
            match r {
                EvictionResult::Evicted | EvictionResult::NotFound => {
                    self.granted(a, i, &r, now, cx.store)
                }
                // Every other error is retried alike; a 429's error text is the status message
                // alone (the budget is named in its details).
                EvictionResult::TooManyRequests(_) => {
                    a.pods[i].next_try = now + ca.retry_interval;
                    a.pods[i].last_error = Some(eviction::VIOLATES_BUDGET.to_string());
                    self.records[a.record].blocked += 1;
                }
                EvictionResult::Failed(msg) => {
                    a.pods[i].next_try = now + ca.retry_interval;
                    a.pods[i].last_error = Some(msg);
                }
            }
        }
        if a.pods.iter().any(|w| w.evicted_at.is_none() && !w.gave_up) {
            return None;
        }
        let node = cx.store.node_ref(a.node).name.to_string();
        if a.pods.iter().any(|w| w.gave_up) {
            let errs: Vec<String> = a
                .pods
                .iter()
                .filter(|w| w.gave_up)
                .map(|w| {
                    let key = cx.store.pod_key(w.pod);
                    let last = w.last_error.as_deref().unwrap_or_default();
                    format!("failed to evict pod {key} within allowed timeout (last error: {last})")
                })
                .collect();
            // A node has no namespace: upstream prints "<namespace>/<name>" all the same.
            return Some(DrainOutcome::Failed(format!(
                "Failed to drain node /{node}, due to following errors: [{}]",
                errs.join(" ")
            )));
        }
        let from = *a.wait_from.get_or_insert(now);
        if let Some(seen) = self.ca_all_gone_seen(a, ca, from)
            && seen <= now
            && seen < ca.wait_ends_at(from)
        {
            return Some(DrainOutcome::Drained);
        }
        if now >= ca.wait_ends_at(from) {
            return Some(DrainOutcome::Failed(format!(
                "Failed to drain node /{node}: pods remaining after timeout"
            )));
        }
        None
    }

    /// The poll of an autoscaler drain's wait (begun at `from`) that sees every pod gone.
    fn ca_all_gone_seen(&self, a: &Active, ca: AutoscalerDrain, from: SimTime) -> Option<SimTime> {
        let mut last = from;
        for w in &a.pods {
            last = last.max(ca.seen_at(from, w.gone_at?));
        }
        Some(last)
    }

    /// When kubectl sees the last pod gone: each pod is polled every second from its eviction.
    fn done_at(&self, a: &Active) -> Option<SimTime> {
        let mut last = SimTime::ZERO;
        for w in &a.pods {
            let (e, g) = (w.evicted_at?, w.gone_at?);
            let waited = g.since(e).as_micros();
            let poll = DELETE_POLL.as_micros();
            let seen = e + SimDuration::from_micros(waited.div_ceil(poll) * poll);
            last = last.max(seen);
        }
        Some(last)
    }

    fn arm(&mut self, key: u32, a: &mut Active, cx: &mut Ctx<'_>) {
        let mut next = a.deadline;
        let mut consider = |t: SimTime| next = Some(next.map_or(t, |n: SimTime| n.min(t)));
        for w in &a.pods {
            if w.evicted_at.is_none() && !w.gave_up {
                consider(w.next_try);
            }
        }
        match (a.opts.autoscaler, a.wait_from) {
            (Some(ca), Some(from)) => {
                consider(ca.wait_ends_at(from));
                if let Some(seen) = self.ca_all_gone_seen(a, ca, from) {
                    consider(seen.max(cx.now));
                }
            }
            (Some(_), None) => {}
            (None, _) => {
                if let Some(d) = self.done_at(a) {
                    consider(d.max(cx.now));
                }
            }
        }
        if next != a.armed
            && let Some(t) = next
        {
            a.generation = a.generation.wrapping_add(1);
            a.armed = Some(t);
            cx.queue.push(t, Event::Drain(key, a.generation));
        }
    }

    /// A drain's timer. Returns the drain when it ended.
    pub fn on_timer(&mut self, key: u32, generation: u32, cx: &mut Ctx<'_>) -> Option<Finished> {
        let mut a = self.active.remove(&key)?;
        if a.generation != generation {
            self.active.insert(key, a);
            return None;
        }
        a.armed = None;
        if let Some(outcome) = self.step(&mut a, cx) {
            self.release(&a);
            let (record, node) = (a.record, a.node);
            self.finish(record, node, outcome, cx);
            return Some(self.finished_of(record, node));
        }
        self.arm(key, &mut a, cx);
        self.active.insert(key, a);
        None
    }

    /// Watch notifications: an evicted pod is gone.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        let Change::Pod(p, Op::Deleted, _) = *ch else {
            return;
        };
        let Some(&key) = self.by_pod.get(&p) else {
            return;
        };
        let Some(mut a) = self.active.remove(&key) else {
            return;
        };
        if let Some(w) = a.pods.iter_mut().find(|w| w.pod == p) {
            w.gone_at.get_or_insert(cx.now);
            if w.evicted_at.is_none() {
                // Deleted by someone else before kubectl got to it: a 404 later.
                w.evicted_at = Some(cx.now);
            }
        }
        self.arm(key, &mut a, cx);
        self.active.insert(key, a);
    }

    fn finish(&mut self, record: usize, node: NodeId, outcome: DrainOutcome, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let r = &mut self.records[record];
        r.finished = Some(now);
        if r.autoscaler {
            // The autoscaler reports the node's removal or failure itself.
            r.outcome = outcome;
            return;
        }
        let took = now.since(r.started);
        let (name, evicted) = (r.node.clone(), r.evicted);
        let obj = cx.store.node_ref(node);
        match &outcome {
            DrainOutcome::Drained => {
                cx.store
                    .record(obj, EventType::Normal, "Drained", "kubectl", |_| {
                        format!("node/{name} drained in {took}: {evicted} pod(s) evicted")
                    })
            }
            DrainOutcome::Failed(msg) => {
                let msg = msg.clone();
                cx.store
                    .record(obj, EventType::Warning, "DrainFailed", "kubectl", |_| msg)
            }
            DrainOutcome::TimedOut => {
                cx.store
                    .record(obj, EventType::Warning, "DrainFailed", "kubectl", |_| {
                        format!("drain did not complete within {took}")
                    })
            }
            DrainOutcome::Running => {}
        }
        r.outcome = outcome;
    }

    /// Drains still running.
    pub fn active(&self) -> usize {
        self.active.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> SimDuration {
        SimDuration::from_secs(n)
    }

    fn at(n: u64) -> SimTime {
        SimTime::ZERO + s(n)
    }

    #[test]
    fn the_autoscaler_caps_each_grace_period() {
        let ca = AutoscalerDrain::new(s(600), s(120));
        assert_eq!(ca.grace_for(s(1200)), s(600));
        assert_eq!(ca.grace_for(s(30)), s(30));
        assert_eq!(ca.grace_for(s(600)), s(600));
        // A zero flag caps nothing (`maxTermination > 0`).
        assert_eq!(
            AutoscalerDrain::new(s(0), s(120)).grace_for(s(1200)),
            s(1200)
        );
    }

    #[test]
    fn refused_evictions_are_retried_every_10s_until_the_deadline() {
        // Attempts at 0, 10, ..., 110; the one due at 120 is not made.
        let ca = AutoscalerDrain::new(s(600), s(120));
        assert_eq!(ca.give_up_at(at(70)), at(190));
        // A deadline between retries: the attempt at 120 is still before 125.
        assert_eq!(
            AutoscalerDrain::new(s(600), s(125)).give_up_at(at(0)),
            at(130)
        );
        // A zero deadline still makes the first attempt.
        assert_eq!(AutoscalerDrain::new(s(600), s(0)).give_up_at(at(0)), at(10));
    }

    #[test]
    fn evicted_pods_are_polled_every_5s_for_grace_plus_headroom() {
        let ca = AutoscalerDrain::new(s(600), s(120));
        // Polls at 0, 5, ..., 625 after the evictions; none at 630.
        assert_eq!(ca.wait_ends_at(at(10)), at(640));
        assert_eq!(ca.seen_at(at(10), at(10)), at(10));
        assert_eq!(ca.seen_at(at(10), at(11)), at(15));
        assert_eq!(ca.seen_at(at(10), at(610)), at(610));
        // A zero poll interval cannot loop forever.
        let odd = AutoscalerDrain {
            poll: s(0),
            ..AutoscalerDrain::new(s(0), s(0))
        };
        assert_eq!(odd.wait_ends_at(at(0)), at(0));
    }
}
