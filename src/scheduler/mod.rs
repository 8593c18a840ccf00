//! The scheduler component: watches pods and nodes, keeps the scheduling queue, and runs one
//! scheduling cycle per event (`pkg/scheduler/schedule_one.go`): PreFilter, Filter from the
//! round-robin start index until enough feasible nodes are found (`numFeasibleNodesToFind`),
//! the one-feasible-node shortcut, PreScore/Score/NormalizeScore with weights, host selection
//! with seeded tie-breaking, then Bind — or a FailedScheduling event with upstream's message.

pub mod framework;
pub mod node_tree;
pub mod plugins;
pub mod queue;

use crate::engine::{RngStreams, SimDuration, SimRng, SimTime, StreamId};
use crate::model::{NodeId, PodId, Sym};
use crate::scenario::TieBreak;
use crate::sim::Ctx;
use crate::sim::event::{Event, SchedulerWake};
use crate::store::events::EventType;
use crate::store::{Change, Op, PodDelta};
use framework::{BindPlugin, Code, CycleState, FilterPlugin, ScorePlugin, Status, View};
use node_tree::NodeTree;
use queue::SchedulingQueue;
use std::collections::BTreeMap;

/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE: usize = 5;
/// Source name on events.
pub const SOURCE: &str = "default-scheduler";

/// A scheduler profile: plugins per extension point in configuration order, with weights.
pub struct Profile {
    /// `schedulerName` served by this profile.
    pub scheduler_name: String,
    /// Filter plugins.
    pub filters: Vec<Box<dyn FilterPlugin>>,
    /// Score plugins with weights.
    pub scores: Vec<(Box<dyn ScorePlugin>, i64)>,
    /// Bind plugin.
    pub binder: Box<dyn BindPlugin>,
    /// `percentageOfNodesToScore` (`None`: adaptive).
    pub percentage_of_nodes_to_score: Option<u32>,
}

impl Profile {
    /// The default profile (the plugins kubesim implements so far, with upstream's weights).
    pub fn default_profile() -> Profile {
        use plugins::*;
        Profile {
            scheduler_name: crate::model::convert::DEFAULT_SCHEDULER.to_string(),
            filters: vec![
                Box::new(node_unschedulable::NodeUnschedulable),
                Box::new(node_name::NodeName),
                Box::new(taint_toleration::TaintToleration),
                Box::new(node_affinity::NodeAffinity),
                Box::new(node_ports::NodePorts),
                Box::new(node_resources_fit::NodeResourcesFit),
            ],
            scores: vec![
                (Box::new(taint_toleration::TaintToleration), 3),
                (Box::new(node_affinity::NodeAffinity), 2),
                (Box::new(node_resources_fit::NodeResourcesFit), 1),
            ],
            binder: Box::new(DefaultBinder),
            percentage_of_nodes_to_score: None,
        }
    }
}

/// `numFeasibleNodesToFind`: all nodes below 100; otherwise the adaptive percentage
/// (`50 - n/125`, at least 5 %) of the nodes, at least 100.
pub fn num_feasible_nodes_to_find(num_all: usize, percentage: Option<u32>) -> usize {
    if num_all < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all;
    }
    let mut p = percentage.unwrap_or(0) as usize;
    if p == 0 {
        p = 50usize
            .saturating_sub(num_all / 125)
            .max(MIN_FEASIBLE_NODES_PERCENTAGE);
    }
    if p >= 100 {
        return num_all;
    }
    (num_all * p / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// Counters for reports.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SchedulerStats {
    /// Scheduling cycles run.
    pub attempts: u64,
    /// Pods bound.
    pub scheduled: u64,
    /// Cycles that found no node.
    pub unschedulable: u64,
    /// Nodes evaluated by Filter, summed over cycles.
    pub nodes_evaluated: u64,
}

/// Why a cycle failed: the status of every node.
#[derive(Debug, Default)]
pub struct FitError {
    /// Number of nodes in the cluster.
    pub num_all_nodes: usize,
    /// Statuses of the nodes that failed, with the plugin that failed them.
    pub node_statuses: Vec<(NodeId, &'static str, Status)>,
}

impl FitError {
    /// The message upstream prints (`FitError.Error()`): reason counts sorted as strings.
    pub fn message(&self) -> String {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, _, st) in &self.node_statuses {
            for r in &st.reasons {
                *counts.entry(r.as_ref()).or_default() += 1;
            }
        }
        let mut parts: Vec<String> = counts.iter().map(|(r, c)| format!("{c} {r}")).collect();
        parts.sort();
        let mut msg = format!("0/{} nodes are available", self.num_all_nodes);
        if !parts.is_empty() {
            msg.push_str(": ");
            msg.push_str(&parts.join(", "));
        }
        msg.push('.');
        msg
    }
}

/// The scheduler.
pub struct Scheduler {
    profile: Profile,
    queue: SchedulingQueue,
    tree: NodeTree,
    state: CycleState,
    rng: SimRng,
    tie_break: TieBreak,
    next_start: usize,
    cycle_pending: bool,
    backoff_timer: Option<SimTime>,
    unsched_timer: bool,
    scheduler_name: Option<Sym>,
    feasible: Vec<NodeId>,
    totals: Vec<i64>,
    scores: Vec<i64>,
    /// Counters.
    pub stats: SchedulerStats,
}

impl Scheduler {
    /// A scheduler with `profile`, drawing tie-breaks from its own seeded stream.
    pub fn new(profile: Profile, seeds: &RngStreams, tie_break: TieBreak) -> Self {
        Scheduler {
            profile,
            queue: SchedulingQueue::default(),
            tree: NodeTree::default(),
            state: CycleState::default(),
            rng: seeds.stream(StreamId::new(StreamId::SCHEDULER, 0)),
            tie_break,
            next_start: 0,
            cycle_pending: false,
            backoff_timer: None,
            unsched_timer: false,
            scheduler_name: None,
            feasible: Vec::new(),
            totals: Vec::new(),
            scores: Vec::new(),
            stats: SchedulerStats::default(),
        }
    }

    /// Pods waiting in the queue.
    pub fn pending(&self) -> usize {
        self.queue.pending_len()
    }

    fn ensure_cycle(&mut self, cx: &mut Ctx<'_>) {
        if !self.cycle_pending && self.queue.has_active() {
            self.cycle_pending = true;
            cx.queue
                .push(cx.now, Event::Scheduler(SchedulerWake::Cycle));
        }
        if let Some(t) = self.queue.next_backoff() {
            // The backoffQ flush runs every second, on whole seconds.
            let s = 1_000_000u64;
            let due = SimTime(t.as_micros().div_ceil(s) * s);
            if self.backoff_timer.is_none_or(|b| due < b) {
                self.backoff_timer = Some(due);
                cx.queue
                    .push(due, Event::Scheduler(SchedulerWake::FlushBackoff));
            }
        }
        if !self.unsched_timer && self.queue.unschedulable_len() > 0 {
            self.unsched_timer = true;
            let p = 30_000_000u64;
            let due = SimTime((cx.now.as_micros() / p + 1) * p);
            cx.queue
                .push(due, Event::Scheduler(SchedulerWake::FlushUnschedulable));
        }
    }

    fn is_ours(&mut self, pod: &crate::model::Pod, cx: &mut Ctx<'_>) -> bool {
        let name = *self
            .scheduler_name
            .get_or_insert_with(|| cx.store.interner.intern(&self.profile.scheduler_name));
        pod.spec.scheduler_name == name
    }

    /// Watch handler.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Pod(p, Op::Added, _) => {
                let Some(pod) = cx.store.pod(p) else { return };
                if pod.status.node.is_some()
                    || pod.is_terminating()
                    || !pod.spec.scheduling_gates.is_empty()
                {
                    return;
                }
                let (prio, uid) = (pod.priority, pod.uid);
                let pod = pod.clone();
                if !self.is_ours(&pod, cx) {
                    return;
                }
                self.queue.add(p, prio, uid, cx.now);
                self.ensure_cycle(cx);
            }
            Change::Pod(p, Op::Updated, d) => {
                if d.has(PodDelta::BOUND) || d.has(PodDelta::DELETING) {
                    self.queue.remove(p);
                }
                let freed = d.has(PodDelta::PHASE)
                    && cx
                        .store
                        .pod(p)
                        .is_some_and(|p| p.status.phase.is_terminal());
                if freed && self.queue.move_all(cx.now) {
                    self.ensure_cycle(cx);
                }
            }
            Change::Pod(p, Op::Deleted, _) => {
                self.queue.remove(p);
                let was_bound = cx.store.pod(p).is_some_and(|p| p.status.node.is_some());
                if was_bound && self.queue.move_all(cx.now) {
                    self.ensure_cycle(cx);
                }
            }
            Change::Node(n, Op::Added) => {
                self.tree.add(n, cx.store);
                if self.queue.move_all(cx.now) {
                    self.ensure_cycle(cx);
                }
            }
            Change::Node(_, Op::Updated) if self.queue.move_all(cx.now) => self.ensure_cycle(cx),
            Change::Node(n, Op::Deleted) => self.tree.remove(n),
            _ => {}
        }
    }

    /// A scheduler wake-up.
    pub fn on_wake(&mut self, w: SchedulerWake, cx: &mut Ctx<'_>) {
        match w {
            SchedulerWake::Cycle => {
                self.cycle_pending = false;
                if let Some(q) = self.queue.pop() {
                    self.schedule_one(q.pod, cx);
                }
            }
            SchedulerWake::FlushBackoff => {
                if self.backoff_timer == Some(cx.now) {
                    self.backoff_timer = None;
                }
                self.queue.flush_backoff(cx.now);
            }
            SchedulerWake::FlushUnschedulable => {
                self.unsched_timer = false;
                self.queue.flush_unschedulable(cx.now);
            }
        }
        self.ensure_cycle(cx);
    }

    fn schedule_one(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else {
            self.queue.remove(p);
            return;
        };
        if pod.deleted || pod.status.node.is_some() || pod.is_terminating() {
            self.queue.remove(p);
            return;
        }
        self.stats.attempts += 1;
        let pod = pod.clone();
        match self.schedule_pod(&pod, cx) {
            Ok(node) => {
                self.queue.remove(p);
                self.profile.binder.bind(p, node, cx.store);
                self.stats.scheduled += 1;
                let key = cx.store.pod_key(p);
                let node_name = cx
                    .store
                    .node(node)
                    .map(|n| cx.store.interner.resolve_arc(n.name))
                    .unwrap_or_default();
                let obj = cx.store.pod_ref(p);
                cx.store
                    .record(obj, EventType::Normal, "Scheduled", SOURCE, |_| {
                        format!("Successfully assigned {key} to {node_name}")
                    });
            }
            Err(fit) => {
                self.stats.unschedulable += 1;
                let msg = fit.message();
                let obj = cx.store.pod_ref(p);
                let m2 = msg.clone();
                cx.store
                    .record(obj, EventType::Warning, "FailedScheduling", SOURCE, |_| m2);
                let msg: std::sync::Arc<str> = std::sync::Arc::from(truncate_note(msg));
                cx.store.update_pod_status(p, PodDelta::SCHEDULING, |s| {
                    s.unschedulable = true;
                    s.unschedulable_message = Some(msg);
                });
                self.queue.requeue_failed(p, cx.now, false);
            }
        }
    }

    /// One scheduling cycle for `pod` (`schedulePod`).
    fn schedule_pod(
        &mut self,
        pod: &crate::model::Pod,
        cx: &mut Ctx<'_>,
    ) -> Result<NodeId, FitError> {
        let view = View { store: cx.store };
        let nodes = self.tree.list();
        let n = nodes.len();
        let mut fit = FitError {
            num_all_nodes: n,
            node_statuses: Vec::new(),
        };
        if n == 0 {
            return Err(fit);
        }
        self.state.clear();
        // PreFilter.
        for (i, f) in self.profile.filters.iter().enumerate() {
            let st = f.pre_filter(&mut self.state, pod, &view);
            match st.code {
                Code::Success => {}
                Code::Skip => self.state.skip_filter.push(i),
                _ => {
                    for &node in nodes {
                        fit.node_statuses.push((node, f.name(), st.clone()));
                    }
                    return Err(fit);
                }
            }
        }
        // Filter, sequentially from the round-robin start.
        let want = num_feasible_nodes_to_find(n, self.profile.percentage_of_nodes_to_score);
        self.feasible.clear();
        let mut processed = 0;
        for k in 0..n {
            if self.feasible.len() >= want {
                break;
            }
            let id = nodes[(self.next_start + k) % n];
            processed += 1;
            let Some(node) = cx.store.node(id) else {
                continue;
            };
            let mut failed = None;
            for (i, f) in self.profile.filters.iter().enumerate() {
                if self.state.skip_filter.contains(&i) {
                    continue;
                }
                let st = f.filter(&self.state, pod, node, &view);
                if !st.is_success() {
                    failed = Some((f.name(), st));
                    break;
                }
            }
            match failed {
                None => self.feasible.push(id),
                Some((name, st)) => fit.node_statuses.push((id, name, st)),
            }
        }
        self.stats.nodes_evaluated += processed as u64;
        self.next_start = (self.next_start + processed) % n;
        if self.feasible.is_empty() {
            return Err(fit);
        }
        if self.feasible.len() == 1 {
            return Ok(self.feasible[0]);
        }
        // Score.
        let m = self.feasible.len();
        self.totals.clear();
        self.totals.resize(m, 0);
        let mut any_score = false;
        for (plugin, weight) in &self.profile.scores {
            if plugin
                .pre_score(&mut self.state, pod, &self.feasible, &view)
                .code
                == Code::Skip
            {
                continue;
            }
            any_score = true;
            self.scores.clear();
            for &id in &self.feasible {
                let node = cx.store.node(id).expect("feasible nodes exist");
                self.scores
                    .push(plugin.score(&self.state, pod, node, &view));
            }
            plugin.normalize(&self.state, &mut self.scores);
            for (t, s) in self.totals.iter_mut().zip(&self.scores) {
                *t += s * weight;
            }
        }
        if !any_score {
            self.totals.iter_mut().for_each(|t| *t = 1);
        }
        Ok(self.select_host())
    }

    /// Picks the highest total; ties uniformly at random (reservoir sampling) or the first.
    fn select_host(&mut self) -> NodeId {
        let mut best = 0;
        let mut ties = 1u64;
        for i in 1..self.feasible.len() {
            if self.totals[i] > self.totals[best] {
                best = i;
                ties = 1;
            } else if self.totals[i] == self.totals[best] && self.tie_break == TieBreak::Random {
                ties += 1;
                if self.rng.below(ties) == 0 {
                    best = i;
                }
            }
        }
        self.feasible[best]
    }
}

/// Events and conditions hold at most 1024 bytes (`validation.NoteLengthLimit`).
fn truncate_note(mut s: String) -> String {
    const LIMIT: usize = 1024;
    if s.len() > LIMIT {
        let mut cut = LIMIT - 4;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str(" ...");
    }
    s
}

/// The time a scheduling cycle takes in simulated time (zero: decisions are instantaneous).
pub const CYCLE_TIME: SimDuration = SimDuration::ZERO;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn num_feasible_nodes_matches_schedule_one_test() {
        // schedule_one_test.go TestNumFeasibleNodesToFind.
        assert_eq!(num_feasible_nodes_to_find(10, None), 10);
        assert_eq!(num_feasible_nodes_to_find(10, Some(40)), 10);
        assert_eq!(num_feasible_nodes_to_find(1000, None), 420);
        assert_eq!(num_feasible_nodes_to_find(1000, Some(40)), 400);
        assert_eq!(num_feasible_nodes_to_find(6000, None), 300);
        assert_eq!(num_feasible_nodes_to_find(6000, Some(40)), 2400);
        assert_eq!(num_feasible_nodes_to_find(500, None), 230);
        assert_eq!(num_feasible_nodes_to_find(5000, None), 500);
        assert_eq!(num_feasible_nodes_to_find(15000, None), 750);
        assert_eq!(num_feasible_nodes_to_find(150, Some(10)), 100);
    }

    #[test]
    fn fit_error_message_sorts_reason_strings() {
        let mut f = FitError {
            num_all_nodes: 5,
            node_statuses: vec![],
        };
        let id = <NodeId as crate::model::ArenaId>::from_parts(0, 0);
        for _ in 0..3 {
            f.node_statuses.push((
                id,
                "NodeResourcesFit",
                Status::unschedulable("Insufficient cpu"),
            ));
        }
        for _ in 0..2 {
            f.node_statuses.push((
                id,
                "TaintToleration",
                Status::unresolvable("node(s) had untolerated taint(s)"),
            ));
        }
        assert_eq!(
            f.message(),
            "0/5 nodes are available: 2 node(s) had untolerated taint(s), 3 Insufficient cpu."
        );
    }
}
