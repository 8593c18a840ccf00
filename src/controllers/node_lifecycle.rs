//! Node health: the node lifecycle controller (`pkg/controller/nodelifecycle`) and the
//! taint-based eviction controller (`pkg/controller/tainteviction`).
//!
//! A failed node stops renewing its lease (every 10 s). The lifecycle controller checks every
//! `--node-monitor-period` (5 s); once `--node-monitor-grace-period` (50 s, the v1.32+ default)
//! has passed since the last renewal it sets `Ready=Unknown`, marks the node's pods not ready and
//! taints the node `node.kubernetes.io/unreachable` with `NoSchedule` and `NoExecute`. The taint
//! manager then evicts every pod that does not tolerate the taint, after the toleration's
//! `tolerationSeconds` (300 s by default, added by the DefaultTolerationSeconds admission
//! plugin). When the node reports Ready again the taints are removed and pending evictions are
//! cancelled.

use crate::engine::{SimDuration, SimTime};
use crate::model::node::{CondStatus, NodeHealth};
use crate::model::pod::{Taint, TaintEffect, TolerationOp};
use crate::model::{NodeId, PodId, Sym};
use crate::sim::Ctx;
use crate::sim::event::Event;
use crate::store::events::EventType;
use crate::store::{Change, Op, PodDelta};
use std::collections::{BTreeMap, BTreeSet};

/// Taint key for unreachable nodes.
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// Taint key for not-ready nodes.
pub const NOT_READY: &str = "node.kubernetes.io/not-ready";
/// Taint key for cordoned nodes.
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
/// How often a kubelet renews its lease.
pub const LEASE_RENEW: SimDuration = SimDuration::from_secs(10);

/// The node lifecycle and taint-eviction controllers.
pub struct NodeLifecycleController {
    grace: SimDuration,
    period: SimDuration,
    /// Toleration seconds given to pods without their own unreachable/not-ready toleration.
    pub default_toleration_seconds: i64,
    failed_at: BTreeMap<NodeId, SimTime>,
    monitor_armed: bool,
    evictions: BTreeSet<(SimTime, PodId)>,
    eviction_of: BTreeMap<PodId, SimTime>,
    timer: Option<(SimTime, u32)>,
    generation: u32,
}

impl NodeLifecycleController {
    /// A controller with the given grace period, monitor period and default toleration.
    pub fn new(grace: SimDuration, period: SimDuration, default_toleration_seconds: i64) -> Self {
        NodeLifecycleController {
            grace,
            period,
            default_toleration_seconds,
            failed_at: BTreeMap::new(),
            monitor_armed: false,
            evictions: BTreeSet::new(),
            eviction_of: BTreeMap::new(),
            timer: None,
            generation: 0,
        }
    }

    fn arm(&mut self, cx: &mut Ctx<'_>) {
        if !self.monitor_armed {
            self.monitor_armed = true;
            // Ticks on a fixed grid of the monitor period.
            let p = self.period.as_micros().max(1);
            let next = (cx.now.as_micros() / p + 1) * p;
            cx.queue.push(SimTime(next), Event::NodeMonitor);
        }
    }

    /// Watch handler: notices health changes and NoExecute taints.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Node(id, Op::Added | Op::Updated) => {
                self.taint_by_condition(id, cx);
                let unreachable = self.key(cx, UNREACHABLE);
                let Some(n) = cx.store.node(id) else { return };
                match n.health {
                    NodeHealth::Down if !self.failed_at.contains_key(&id) => {
                        self.failed_at.insert(id, cx.now);
                        self.arm(cx);
                    }
                    NodeHealth::Up if self.failed_at.remove(&id).is_some() || !n.is_ready() => {
                        self.arm(cx)
                    }
                    NodeHealth::Up if n.taints.iter().any(|t| t.key == unreachable) => self.arm(cx),
                    _ => {}
                }
                self.reconcile_evictions(id, cx);
            }
            Change::Node(id, Op::Deleted) => {
                self.failed_at.remove(&id);
            }
            Change::Pod(pid, Op::Updated, d) if d.has(PodDelta::BOUND) => {
                if let Some(node) = cx.store.pod(pid).and_then(|p| p.status.node) {
                    self.reconcile_evictions(node, cx);
                }
            }
            Change::Pod(pid, Op::Deleted, _) => {
                if let Some(t) = self.eviction_of.remove(&pid) {
                    self.evictions.remove(&(t, pid));
                }
            }
            _ => {}
        }
    }

    /// `doNoScheduleTaintingPass` (`node_lifecycle_controller.go`): the MemoryPressure
    /// condition gives the node the `node.kubernetes.io/memory-pressure:NoSchedule` taint.
    fn taint_by_condition(&mut self, id: NodeId, cx: &mut Ctx<'_>) {
        let key = self.key(cx, crate::kubelet::usage::MEMORY_PRESSURE_TAINT);
        let empty = self.key(cx, "");
        let Some(n) = cx.store.node(id) else { return };
        let has = n
            .taints
            .iter()
            .any(|t| t.key == key && t.effect == TaintEffect::NoSchedule);
        if n.memory_pressure == has {
            return;
        }
        let now = cx.now;
        cx.store.update_node(id, |n| {
            if n.memory_pressure {
                n.taints.push(Taint {
                    key,
                    value: empty,
                    effect: TaintEffect::NoSchedule,
                    added: now,
                });
            } else {
                n.taints
                    .retain(|t| !(t.key == key && t.effect == TaintEffect::NoSchedule));
            }
        });
    }

    fn key(&self, cx: &mut Ctx<'_>, k: &str) -> Sym {
        cx.store.interner.intern(k)
    }

    /// The monitor tick.
    pub fn on_monitor(&mut self, cx: &mut Ctx<'_>) {
        self.monitor_armed = false;
        let unreachable = self.key(cx, UNREACHABLE);
        let empty = cx.store.interner.intern("");
        let mut keep_ticking = false;
        let ids: Vec<NodeId> = cx.store.node_ids().to_vec();
        for id in ids {
            let Some(n) = cx.store.node(id) else { continue };
            match n.health {
                NodeHealth::Down => {
                    if n.ready != CondStatus::True {
                        continue;
                    }
                    keep_ticking = true;
                    let failed = self.failed_at.get(&id).copied().unwrap_or(cx.now);
                    // Last lease renewal: the last multiple of the renew interval since creation.
                    let since = failed.since(n.created).as_micros();
                    let last = n.created + SimDuration(since - since % LEASE_RENEW.as_micros());
                    if cx.now > last + self.grace {
                        self.mark_unreachable(id, unreachable, empty, cx);
                    }
                }
                NodeHealth::Up => {
                    let tainted = n.taints.iter().any(|t| t.key == unreachable);
                    if tainted && n.is_ready() {
                        cx.store
                            .update_node(id, |n| n.taints.retain(|t| t.key != unreachable));
                        let obj = cx.store.node_ref(id);
                        let name = obj.name.clone();
                        cx.store.record(
                            obj,
                            EventType::Normal,
                            "NodeReady",
                            "node-controller",
                            |_| format!("Node {name} status is now: NodeReady"),
                        );
                    }
                }
                NodeHealth::Provisioning => {}
            }
        }
        if keep_ticking {
            self.arm(cx);
        }
    }

    fn mark_unreachable(&mut self, id: NodeId, unreachable: Sym, empty: Sym, cx: &mut Ctx<'_>) {
        let now = cx.now;
        cx.store.update_node(id, |n| {
            n.ready = CondStatus::Unknown;
            n.ready_changed = now;
            for effect in [TaintEffect::NoSchedule, TaintEffect::NoExecute] {
                if !n
                    .taints
                    .iter()
                    .any(|t| t.key == unreachable && t.effect == effect)
                {
                    n.taints.push(Taint {
                        key: unreachable,
                        value: empty,
                        effect,
                        added: now,
                    });
                }
            }
        });
        let obj = cx.store.node_ref(id);
        let name = obj.name.clone();
        cx.store.record(
            obj,
            EventType::Normal,
            "NodeNotReady",
            "node-controller",
            |_| format!("Node {name} status is now: NodeNotReady"),
        );
        // MarkPodsNotReady.
        let pods: Vec<PodId> = cx
            .store
            .node(id)
            .map(|n| n.pods.iter().copied().collect())
            .unwrap_or_default();
        for p in pods {
            let Some(pod) = cx.store.pod(p) else { continue };
            if pod.status.phase.is_terminal() {
                continue;
            }
            if pod.is_ready() {
                cx.store.set_pod_ready(p, false);
            }
            let obj = cx.store.pod_ref(p);
            cx.store.record(
                obj,
                EventType::Warning,
                "NodeNotReady",
                "node-controller",
                |_| "Node is not ready".to_string(),
            );
        }
        self.reconcile_evictions(id, cx);
    }

    /// Recomputes the eviction deadlines of a node's pods from its NoExecute taints.
    fn reconcile_evictions(&mut self, node: NodeId, cx: &mut Ctx<'_>) {
        let Some(n) = cx.store.node(node) else { return };
        if self.eviction_of.is_empty()
            && !n.taints.iter().any(|t| t.effect == TaintEffect::NoExecute)
        {
            return;
        }
        let taints: Vec<Taint> = n
            .taints
            .iter()
            .filter(|t| t.effect == TaintEffect::NoExecute)
            .cloned()
            .collect();
        let pods: Vec<PodId> = n.pods.iter().copied().collect();
        let unreachable = cx.store.interner.intern(UNREACHABLE);
        let not_ready = cx.store.interner.intern(NOT_READY);
        let mut evict_now = Vec::new();
        for p in pods {
            let Some(pod) = cx.store.pod(p) else { continue };
            if pod.status.phase.is_terminal() || pod.is_terminating() {
                self.cancel(p);
                continue;
            }
            // The earliest time any NoExecute taint evicts this pod.
            let mut due: Option<SimTime> = None;
            for t in &taints {
                let mut best: Option<Option<i64>> = None; // Some(None): tolerated forever
                for tol in &pod.spec.tolerations {
                    if tol.tolerates(t, &cx.store.interner) {
                        let secs = tol.toleration_seconds;
                        best = Some(match (best, secs) {
                            (None, s) => s,
                            (Some(None), _) | (_, None) => None,
                            (Some(Some(a)), Some(b)) => Some(a.min(b)),
                        });
                    }
                }
                // DefaultTolerationSeconds: pods without an explicit toleration for these keys
                // get one of `default_toleration_seconds`.
                if best.is_none()
                    && (t.key == unreachable || t.key == not_ready)
                    && !pod
                        .spec
                        .tolerations
                        .iter()
                        .any(|tol| tol.key == Some(t.key) && tol.op == TolerationOp::Exists)
                {
                    best = Some(Some(self.default_toleration_seconds));
                }
                let at = match best {
                    None => t.added,
                    Some(None) => continue,
                    Some(Some(s)) => t.added + SimDuration::from_secs(s.max(0) as u64),
                };
                due = Some(due.map_or(at, |d| d.min(at)));
            }
            match due {
                Some(at) if at <= cx.now => evict_now.push(p),
                Some(at) => self.schedule(p, at, cx),
                None => self.cancel(p),
            }
        }
        for p in evict_now {
            self.cancel(p);
            self.evict(p, cx);
        }
    }

    fn schedule(&mut self, p: PodId, at: SimTime, cx: &mut Ctx<'_>) {
        if self.eviction_of.get(&p) == Some(&at) {
            return;
        }
        self.cancel(p);
        self.eviction_of.insert(p, at);
        self.evictions.insert((at, p));
        if self.timer.is_none_or(|(t, _)| at < t) {
            self.generation = self.generation.wrapping_add(1);
            self.timer = Some((at, self.generation));
            cx.queue.push(at, Event::TaintEviction(self.generation));
        }
    }

    fn cancel(&mut self, p: PodId) {
        if let Some(t) = self.eviction_of.remove(&p) {
            self.evictions.remove(&(t, p));
        }
    }

    /// The eviction timer.
    pub fn on_eviction_timer(&mut self, generation: u32, cx: &mut Ctx<'_>) {
        if self.timer.map(|(_, g)| g) != Some(generation) {
            return;
        }
        self.timer = None;
        while let Some(&(t, p)) = self.evictions.first() {
            if t > cx.now {
                break;
            }
            self.evictions.pop_first();
            self.eviction_of.remove(&p);
            self.evict(p, cx);
        }
        if let Some(&(t, _)) = self.evictions.first() {
            self.generation = self.generation.wrapping_add(1);
            self.timer = Some((t, self.generation));
            cx.queue.push(t, Event::TaintEviction(self.generation));
        }
    }

    fn evict(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else { return };
        if pod.deleted || pod.is_terminating() {
            return;
        }
        let key = cx.store.pod_key(p);
        let obj = cx.store.pod_ref(p);
        cx.store.record(
            obj,
            EventType::Normal,
            "TaintManagerEviction",
            "taint-eviction-controller",
            |_| format!("Marking for deletion Pod {key}"),
        );
        cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
            s.disruption_target = Some(crate::model::pod::DisruptionReason::DeletionByTaintManager)
        });
        if !cx.store.mark_pod_deleting(p, None) {
            cx.store.delete_pod(p);
        }
    }
}
