//! The scheduler component (`pkg/scheduler/schedule_one.go`): watches pods and nodes, keeps the
//! scheduling queue and the cache, and runs one scheduling cycle per wake-up — PreFilter; the
//! nominated node first; Filter from the round-robin start index until enough feasible nodes
//! are found (`numFeasibleNodesToFind`); the one-feasible-node shortcut; PreScore, Score and
//! NormalizeScore with weights; host selection with seeded tie-breaking; then assume, Reserve,
//! Permit and Bind — or PostFilter (preemption) and a FailedScheduling event with upstream's
//! message. Several profiles serve pods by `spec.schedulerName`.

pub mod cache;
pub mod config;
pub mod events;
pub mod explain;
pub mod framework;
pub mod memo;
pub mod node_tree;
pub mod nominator;
pub mod plugins;
pub mod postfilter;
pub mod profile;
pub mod queue;
pub mod registry;
pub mod runtime;

use crate::engine::{RngStreams, SimRng, SimTime, StreamId};
use crate::model::pod::DisruptionReason;
use crate::model::{Interner, NodeId, Pod, PodId, Sym};
use crate::scenario::TieBreak;
use crate::sim::Ctx;
use crate::sim::event::{Event, SchedulerWake};
use crate::store::events::EventType;
use crate::store::{Change, Op, PodDelta, Store};
use cache::Cache;
use explain::{Attempt, FilterVerdict, NodeExplain, ScoreEntry};
use framework::{Code, CycleState, Status, View};
use nominator::Nominator;
use postfilter::{Nominating, Nomination, Preemptor};
pub use profile::Profile;
use queue::SchedulingQueue;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE: usize = 5;
/// Event source of the default profile.
pub const SOURCE: &str = "default-scheduler";
/// `ErrNoNodesAvailable`.
pub const NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";

/// `numFeasibleNodesToFind`: all nodes below 100; otherwise the configured percentage, or the
/// adaptive one (`50 - n/125`, at least 5 %), of the nodes, at least 100.
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
    /// Preemptions carried out (nominations with victims).
    pub preemptions: u64,
    /// Pods evicted by preemption.
    pub victims: u64,
}

/// Why a cycle found no node (`FitError` with its `Diagnosis`).
#[derive(Debug, Clone)]
pub struct FitError {
    /// Number of nodes in the snapshot.
    pub num_all_nodes: usize,
    /// Nodes with an explicit status, and the plugin that set it.
    pub node_statuses: Vec<(NodeId, &'static str, Status)>,
    /// The status of every node not listed (`AbsentNodesStatus`).
    pub absent: Status,
    /// The PreFilter message, when PreFilter rejected the pod.
    pub pre_filter_msg: Option<String>,
    /// The PostFilter message.
    pub post_filter_msg: Option<String>,
    /// Plugins that rejected every node at PreFilter (failure or node-set narrowing).
    pub pre_filter_plugins: Vec<&'static str>,
}

impl FitError {
    /// An empty diagnosis over `n` nodes (absent nodes UnschedulableAndUnresolvable).
    pub fn new(n: usize) -> Self {
        FitError {
            num_all_nodes: n,
            node_statuses: Vec::new(),
            absent: Status {
                code: Code::UnschedulableAndUnresolvable,
                reasons: Default::default(),
            },
            pre_filter_msg: None,
            post_filter_msg: None,
            pre_filter_plugins: Vec::new(),
        }
    }

    /// The plugins that rejected the pod (`Diagnosis.UnschedulablePlugins`).
    pub fn rejectors(&self) -> events::Rejectors {
        let mut r = events::Rejectors::default();
        for p in &self.pre_filter_plugins {
            r.add(p);
        }
        // Nodes rejected by one plugin come in long runs: look each run's plugin up once.
        let mut last: Option<&str> = None;
        for (_, p, _) in &self.node_statuses {
            if last != Some(*p) {
                r.add(p);
                last = Some(*p);
            }
        }
        r
    }

    /// The message upstream prints (`FitError.Error()`): the PreFilter message, or the reason
    /// histogram with entries sorted as strings; then the PostFilter message.
    pub fn message(&self) -> String {
        let mut msg = self.filter_message();
        if let Some(p) = &self.post_filter_msg {
            push_post_filter_message(&mut msg, p);
        }
        msg
    }

    /// [`FitError::message`] without the PostFilter message.
    pub fn filter_message(&self) -> String {
        let mut msg = format!("0/{} nodes are available:", self.num_all_nodes);
        if let Some(p) = &self.pre_filter_msg {
            msg.push_str(&format!(" {p}."));
        } else {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            // Equal statuses come in runs (one reason on most nodes): count a run at once.
            let mut run: Option<(&Status, usize)> = None;
            for (_, _, st) in &self.node_statuses {
                match &mut run {
                    Some((prev, c)) if same_reasons(&prev.reasons, &st.reasons) => *c += 1,
                    _ => {
                        if let Some((prev, c)) = run.replace((st, 1)) {
                            for r in &prev.reasons {
                                *counts.entry(r.as_ref()).or_default() += c;
                            }
                        }
                    }
                }
            }
            if let Some((prev, c)) = run {
                for r in &prev.reasons {
                    *counts.entry(r.as_ref()).or_default() += c;
                }
            }
            if self.node_statuses.len() < self.num_all_nodes {
                for r in &self.absent.reasons {
                    *counts.entry(r.as_ref()).or_default() +=
                        self.num_all_nodes - self.node_statuses.len();
                }
            }
            push_counts(&mut msg, &counts);
        }
        msg
    }

    /// [`FitError::message`] of a diagnosis listing `listed` nodes, all with `status`, over
    /// `num_all_nodes` nodes whose others have `absent` (no PreFilter or PostFilter message),
    /// without building the list.
    pub fn uniform_message(
        num_all_nodes: usize,
        listed: usize,
        status: &Status,
        absent: &Status,
    ) -> String {
        let mut msg = format!("0/{num_all_nodes} nodes are available:");
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        if listed > 0 {
            for r in &status.reasons {
                *counts.entry(r.as_ref()).or_default() += listed;
            }
        }
        if listed < num_all_nodes {
            for r in &absent.reasons {
                *counts.entry(r.as_ref()).or_default() += num_all_nodes - listed;
            }
        }
        push_counts(&mut msg, &counts);
        msg
    }
}

/// Appends " n reason, m reason." (sorted as strings, as upstream sorts them) to a message.
fn push_counts(msg: &mut String, counts: &BTreeMap<&str, usize>) {
    let mut parts: Vec<String> = counts.iter().map(|(r, c)| format!("{c} {r}")).collect();
    parts.sort();
    if !parts.is_empty() {
        msg.push_str(&format!(" {}.", parts.join(", ")));
    }
}

/// Appends a PostFilter message to a FitError message (nothing when it is empty).
fn push_post_filter_message(msg: &mut String, post: &str) {
    if !post.is_empty() {
        msg.push(' ');
        msg.push_str(post);
    }
}

/// How a cycle failed.
#[derive(Debug)]
enum Failure {
    /// The cluster has no nodes.
    NoNodes,
    /// No node fits; with the key under which the Filter pass may be replayed.
    Fit(Box<FitError>, Option<FailKey>),
    /// No node fits: the same Filter pass as the one in [`Work::fail_memo`].
    Replayed,
    /// A plugin failed internally.
    Error(String),
}

/// Why a pod was not bound, and what follows from it.
struct Rejection {
    /// The FailedScheduling message.
    msg: String,
    /// The PostFilter's effect on the nomination.
    nominating: Nominating,
    /// The plugins that rejected the pod (for requeueing).
    rejectors: events::Rejectors,
}

/// What a Filter pass over every node read, when all its filters were node-local (memoised)
/// and no pod was nominated anywhere: the same key gives the same statuses on every node.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct FailKey {
    /// [`Store::nodes_generation`]: no node, node status or binding changed.
    nodes_gen: u64,
    /// The node list's version (the scheduler's tree follows the store by notifications).
    tree_version: u64,
    /// The pod's node-local signature, profile and PreFilter skip mask (as the memo's key).
    sig: u32,
    profile: usize,
    mask: u64,
}

/// The last Filter pass in which no node fit, kept for pods that fail the same way: pods of
/// one Deployment waiting for new nodes fail one after another while nothing changes.
#[derive(Debug)]
struct FailMemo {
    key: FailKey,
    /// The diagnosis (without a PostFilter message).
    fit: Box<FitError>,
    /// [`FitError::filter_message`].
    message: String,
    rejectors: events::Rejectors,
    /// Nodes evaluated.
    processed: usize,
}

/// Per-cycle scratch space and the scheduler's own state, kept apart from the profiles so both
/// can be borrowed at once.
struct Work {
    state: CycleState,
    rng: SimRng,
    tie_break: TieBreak,
    next_start: usize,
    feasible: Vec<NodeId>,
    totals: Vec<i64>,
    narrowed: Vec<NodeId>,
    slots: Vec<usize>,
    matrix: Vec<i64>,
    explain: Option<Vec<Attempt>>,
    current: Option<Attempt>,
    exhaustive: bool,
    memo_on: bool,
    memo: memo::Memo,
    memo_hits: u64,
    memo_misses: u64,
    /// Nodes whose node-local failure is left at their memo slot this cycle.
    failed_slots: Vec<(NodeId, usize)>,
    fail_memo: Option<FailMemo>,
    stats: SchedulerStats,
}

/// The scheduler.
pub struct Scheduler {
    profiles: Vec<Profile>,
    names: Vec<Sym>,
    sources: Vec<&'static str>,
    queue: SchedulingQueue,
    cache: Cache,
    nominator: Nominator,
    gated: BTreeSet<PodId>,
    work: Work,
    cycle_pending: bool,
    backoff_timer: Option<SimTime>,
    unsched_timer: bool,
    binding: BTreeMap<PodId, WaitingBind>,
    bind_timer: Option<SimTime>,
}

/// A pod whose PreBind is waiting (for its volumes to bind): not bound yet, nominated to the
/// chosen node so that pods of equal or higher priority leave room for it.
#[derive(Copy, Clone, Debug)]
struct WaitingBind {
    profile: usize,
    node: NodeId,
    deadline: SimTime,
}

/// What the PreBind plugins decided.
enum PreBindOutcome {
    Done,
    Wait(crate::engine::SimDuration),
    Failed(&'static str, String),
}

impl Scheduler {
    /// A scheduler serving `profiles`, drawing tie-breaks from its own seeded stream.
    pub fn new(
        profiles: Vec<Profile>,
        interner: &mut Interner,
        seeds: &RngStreams,
        tie_break: TieBreak,
    ) -> Self {
        let names = profiles
            .iter()
            .map(|p| interner.intern(&p.scheduler_name))
            .collect();
        let sources = profiles
            .iter()
            .map(|p| {
                if p.scheduler_name == SOURCE {
                    SOURCE
                } else {
                    // Event sources are static strings; profiles are few and live as long as
                    // the run.
                    &*Box::leak(p.scheduler_name.clone().into_boxed_str())
                }
            })
            .collect();
        Scheduler {
            profiles,
            names,
            sources,
            queue: SchedulingQueue::default(),
            cache: Cache::default(),
            nominator: Nominator::default(),
            gated: BTreeSet::new(),
            work: Work {
                state: CycleState::default(),
                rng: seeds.stream(StreamId::new(StreamId::SCHEDULER, 0)),
                tie_break,
                next_start: 0,
                feasible: Vec::new(),
                totals: Vec::new(),
                narrowed: Vec::new(),
                slots: Vec::new(),
                matrix: Vec::new(),
                explain: None,
                current: None,
                exhaustive: false,
                memo_on: true,
                memo: memo::Memo::default(),
                memo_hits: 0,
                memo_misses: 0,
                failed_slots: Vec::new(),
                fail_memo: None,
                stats: SchedulerStats::default(),
            },
            cycle_pending: false,
            backoff_timer: None,
            unsched_timer: false,
            binding: BTreeMap::new(),
            bind_timer: None,
        }
    }

    /// Sets the queue's back-off bounds (`podInitialBackoffSeconds`, `podMaxBackoffSeconds`).
    pub fn with_backoff(
        mut self,
        initial: crate::engine::SimDuration,
        max: crate::engine::SimDuration,
    ) -> Self {
        self.queue = SchedulingQueue::with_backoff(initial, max);
        self
    }

    /// Counters.
    pub fn stats(&self) -> SchedulerStats {
        self.work.stats
    }

    /// Starts recording an [`Attempt`] per scheduling cycle.
    pub fn record_attempts(&mut self) {
        self.work.explain = Some(Vec::new());
    }

    /// Evaluates and scores every node in each cycle: no `percentageOfNodesToScore` sampling
    /// and no single-feasible-node shortcut (for explanations and plugin tests; decisions can
    /// then differ from kube-scheduler's).
    pub fn set_exhaustive(&mut self, on: bool) {
        self.work.exhaustive = on;
    }

    /// Turns the node-local memo on or off (it is on by default; results are identical either
    /// way, which `tests/memo_equivalence.rs` checks).
    pub fn set_memo(&mut self, on: bool) {
        self.work.memo_on = on;
    }

    /// Node-local memo lookups `(hits, misses)` so far.
    pub fn memo_stats(&self) -> (u64, u64) {
        (self.work.memo_hits, self.work.memo_misses)
    }

    /// The attempts recorded so far (see [`Scheduler::record_attempts`]).
    pub fn take_attempts(&mut self) -> Vec<Attempt> {
        self.work
            .explain
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Pods waiting in the queue (including those held by PreEnqueue plugins).
    pub fn pending(&self) -> usize {
        self.queue.pending_len() + self.gated.len()
    }

    /// The profiles served.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The scheduler's cache (for checks and reports).
    pub fn cache(&self) -> &Cache {
        &self.cache
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

    /// The PodDisruptionBudgets as the scheduler's cache holds them (kept current from watch
    /// notifications).
    pub fn budgets(&self) -> &[crate::controllers::disruption::Budget] {
        &self.cache.pdbs
    }

    /// Whether `pod` would pass its profile's PreFilter and node-local Filter plugins on
    /// `node`, a node that does not exist yet (the Cluster Autoscaler's template node). Filters
    /// that look at other pods (inter-pod affinity, topology spreading) are not run: an empty
    /// new node is assumed to satisfy them, as the autoscaler's simulation does for a fresh
    /// node in most cases. Returns the rejecting plugin and status.
    pub fn fits_template(
        &self,
        pod: &Pod,
        node: &crate::model::Node,
        store: &Store,
    ) -> Result<(), (&'static str, Status)> {
        self.template_fit(pod, store).check(node)
    }

    /// [`Scheduler::fits_template`] for one pod against many nodes: PreFilter (which reads the
    /// pod and the cluster, never the node) runs once, when the first node needs it.
    pub fn template_fit<'a>(&'a self, pod: &'a Pod, store: &'a Store) -> TemplateFit<'a> {
        TemplateFit {
            sched: self,
            pod,
            store,
            prepared: None,
        }
    }

    fn profile_of(&self, pod: &Pod) -> Option<usize> {
        self.names
            .iter()
            .position(|&n| n == pod.spec.scheduler_name)
    }

    /// Runs the PreEnqueue plugins; true when the pod may enter the active queue.
    fn pre_enqueue(&self, idx: usize, pod: &Pod) -> bool {
        self.profiles[idx]
            .pre_enqueue
            .iter()
            .all(|p| p.pre_enqueue(pod).is_success())
    }

    fn enqueue(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else { return };
        if pod.status.node.is_some() || pod.is_terminating() || pod.deleted {
            return;
        }
        let Some(idx) = self.profile_of(pod) else {
            return;
        };
        if !self.pre_enqueue(idx, pod) {
            self.gated.insert(p);
            return;
        }
        self.gated.remove(&p);
        let (prio, uid) = (pod.priority, pod.uid);
        if let Some(n) = pod.status.nominated_node {
            self.nominator.add(p, n);
        }
        self.queue.add(p, prio, uid, cx.now);
        self.ensure_cycle(cx);
    }

    fn on_event(&mut self, event: events::ClusterEvent, cx: &mut Ctx<'_>) {
        if self.queue.move_for(event, cx.now) {
            self.ensure_cycle(cx);
        }
    }

    /// Watch handler.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Pod(p, Op::Added, _) => {
                self.cache.pod_changed(p, cx.store);
                if cx.store.pod(p).is_some_and(|x| x.status.node.is_some()) {
                    self.on_event(events::ClusterEvent::AssignedPodAdd, cx);
                }
                self.enqueue(p, cx);
            }
            Change::Pod(p, Op::Updated, d) => {
                if d.has(PodDelta::BOUND) || d.has(PodDelta::DELETING) || d.has(PodDelta::PHASE) {
                    self.cache.pod_changed(p, cx.store);
                }
                if d.has(PodDelta::BOUND) || d.has(PodDelta::DELETING) {
                    self.queue.remove(p);
                    self.gated.remove(&p);
                    self.nominator.remove(p);
                }
                let freed = d.has(PodDelta::PHASE)
                    && cx
                        .store
                        .pod(p)
                        .is_some_and(|p| p.status.phase.is_terminal() && p.status.node.is_some());
                if freed {
                    self.on_event(events::ClusterEvent::AssignedPodDelete, cx);
                }
                if d.has(PodDelta::BOUND) {
                    self.on_event(events::ClusterEvent::AssignedPodAdd, cx);
                }
            }
            Change::Pod(p, Op::Deleted, _) => {
                self.cache.pod_changed(p, cx.store);
                if self.binding.remove(&p).is_some() {
                    self.nominator.remove(p);
                }
                self.queue.remove(p);
                self.gated.remove(&p);
                self.nominator.remove(p);
                let was_bound = cx
                    .store
                    .pod(p)
                    .is_some_and(|p| p.status.node.is_some() && !p.status.phase.is_terminal());
                if was_bound {
                    self.on_event(events::ClusterEvent::AssignedPodDelete, cx);
                }
            }
            Change::Node(n, Op::Added) => {
                self.cache.tree.add(n, cx.store);
                self.cache.node_added(n, cx.store);
                self.on_event(events::ClusterEvent::NodeAdd, cx);
            }
            Change::Node(n, Op::Updated) => {
                self.cache.tree.remove(n);
                self.cache.tree.add(n, cx.store);
                self.cache.node_added(n, cx.store);
                self.on_event(events::ClusterEvent::NodeUpdate, cx);
            }
            Change::Node(n, Op::Deleted) => {
                self.cache.tree.remove(n);
                self.cache.node_deleted(n);
                self.on_event(events::ClusterEvent::NodeDelete, cx);
            }
            Change::Claim(_, op) => {
                if op != Op::Deleted {
                    self.on_event(events::ClusterEvent::PvcChange, cx);
                }
                if !self.binding.is_empty() {
                    self.retry_waiting_binds(false, cx);
                }
            }
            Change::Volume(_, Op::Added | Op::Updated) => {
                self.on_event(events::ClusterEvent::PvChange, cx);
                if !self.binding.is_empty() {
                    self.retry_waiting_binds(false, cx);
                }
            }
            Change::Other(crate::api::Kind::StorageClass, Op::Added | Op::Updated) => {
                self.on_event(events::ClusterEvent::StorageClassChange, cx)
            }
            Change::Other(crate::api::Kind::Service, _) => self.cache.rebuild_services(cx.store),
            Change::Other(crate::api::Kind::PodDisruptionBudget, _) => {
                self.cache.rebuild_pdbs(cx.store)
            }
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
            SchedulerWake::BindTimeout => {
                if self.bind_timer == Some(cx.now) {
                    self.bind_timer = None;
                }
                self.retry_waiting_binds(true, cx);
            }
        }
        self.ensure_cycle(cx);
    }

    /// Schedules every pod in the active queue now, one cycle after another, without
    /// simulated time passing (`kubesim schedule`). Returns the number of cycles run.
    pub fn drain_active(&mut self, cx: &mut Ctx<'_>) -> usize {
        let mut n = 0;
        while let Some(q) = self.queue.pop() {
            self.schedule_one(q.pod, cx);
            n += 1;
        }
        n
    }

    /// Pods the scheduler holds but has not bound, sorted.
    pub fn waiting_pods(&self) -> Vec<PodId> {
        let mut v = self.queue.pods();
        v.extend(self.gated.iter().copied());
        v.sort();
        v
    }

    /// One scheduling cycle for the pod popped from the queue (`ScheduleOne`).
    fn schedule_one(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else {
            self.queue.remove(p);
            return;
        };
        if pod.deleted || pod.status.node.is_some() || pod.is_terminating() {
            self.queue.remove(p);
            return;
        }
        let Some(idx) = self.profile_of(pod) else {
            self.queue.remove(p);
            return;
        };
        self.work.stats.attempts += 1;
        let pod = pod.clone();
        if self.work.explain.is_some() {
            self.work.current = Some(Attempt {
                pod: p,
                node: None,
                message: None,
                nominated: None,
                victims: Vec::new(),
                nodes: Vec::new(),
            });
        }
        let profile = &self.profiles[idx];
        let view = View {
            store: cx.store,
            cache: &self.cache,
            nominator: &self.nominator,
            nodes: self.cache.tree.list(),
        };
        let result = schedule_pod(profile, idx, &mut self.work, &view, &pod, p);
        let mut rejectors = events::Rejectors::default();
        let outcome = match result {
            Ok(node) => Ok(node),
            Err(Failure::NoNodes) => Err((NO_NODES_AVAILABLE.to_string(), Nominating::Clear)),
            Err(Failure::Error(e)) => Err((e, Nominating::Noop)),
            Err(Failure::Fit(fit, key)) => {
                let memo = FailMemo {
                    key: key.unwrap_or(FailKey {
                        nodes_gen: 0,
                        tree_version: 0,
                        sig: 0,
                        profile: 0,
                        mask: 0,
                    }),
                    message: fit.filter_message(),
                    rejectors: fit.rejectors(),
                    processed: 0,
                    fit,
                };
                let out = fail_with(profile, &mut self.work, &view, &pod, p, &memo);
                rejectors = memo.rejectors;
                if let Some(k) = key {
                    self.work.fail_memo = Some(FailMemo {
                        key: k,
                        processed: view.nodes.len(),
                        ..memo
                    });
                }
                Err(out)
            }
            Err(Failure::Replayed) => {
                let memo = self.work.fail_memo.take().expect("replayed from the memo");
                let out = fail_with(profile, &mut self.work, &view, &pod, p, &memo);
                rejectors = memo.rejectors;
                self.work.fail_memo = Some(memo);
                Err(out)
            }
        };
        let source = self.sources[idx];
        match outcome {
            Ok(node) => self.bind(idx, p, node, source, cx),
            Err((msg, nominating)) => self.handle_failure(
                p,
                &pod,
                Rejection {
                    msg,
                    nominating,
                    rejectors,
                },
                source,
                cx,
            ),
        }
        if let (Some(a), Some(list)) = (self.work.current.take(), self.work.explain.as_mut()) {
            list.push(a);
        }
    }

    /// Assume, Reserve, Permit, Bind.
    fn bind(&mut self, idx: usize, p: PodId, node: NodeId, source: &'static str, cx: &mut Ctx<'_>) {
        let profile = &self.profiles[idx];
        for r in &profile.reserve {
            let st = r.reserve(&mut self.work.state, p, node);
            let r_name = r.name();
            if !st.is_success() {
                for u in profile.reserve.iter().rev() {
                    u.unreserve(&mut self.work.state, p, node);
                }
                let pod = cx.store.pod(p).cloned().expect("exists");
                let mut r = events::Rejectors::default();
                r.add(r_name);
                return self.handle_failure(
                    p,
                    &pod,
                    Rejection {
                        msg: st.message(),
                        nominating: Nominating::Noop,
                        rejectors: r,
                    },
                    source,
                    cx,
                );
            }
        }
        let pod = cx.store.pod(p).cloned().expect("exists");
        for pm in &profile.permit {
            let (st, timeout) = pm.permit(&self.work.state, &pod, node);
            let msg = match st.code {
                Code::Success => continue,
                // No plugin can allow a waiting pod in kubesim, so a wait ends in its timeout.
                Code::Wait => format!(
                    "rejected due to timeout after waiting {timeout} at plugin {}",
                    pm.name()
                ),
                _ => st.message(),
            };
            for u in profile.reserve.iter().rev() {
                u.unreserve(&mut self.work.state, p, node);
            }
            let mut r = events::Rejectors::default();
            r.add(pm.name());
            return self.handle_failure(
                p,
                &pod,
                Rejection {
                    msg,
                    nominating: Nominating::Noop,
                    rejectors: r,
                },
                source,
                cx,
            );
        }
        // The pod stays in flight in the queue while PreBind may hold it (a failure requeues it).
        self.nominator.remove(p);
        match self.run_pre_bind(idx, &pod, p, node, cx) {
            PreBindOutcome::Done => {}
            PreBindOutcome::Wait(timeout) => {
                let deadline = cx.now + timeout;
                self.nominator.add(p, node);
                self.binding.insert(
                    p,
                    WaitingBind {
                        profile: idx,
                        node,
                        deadline,
                    },
                );
                if self.bind_timer.is_none_or(|t| deadline < t) {
                    self.bind_timer = Some(deadline);
                    cx.queue
                        .push(deadline, Event::Scheduler(SchedulerWake::BindTimeout));
                }
                if let Some(a) = self.work.current.as_mut() {
                    a.node = Some(node);
                }
                return;
            }
            PreBindOutcome::Failed(plugin, msg) => {
                return self.bind_failed(idx, &pod, p, node, plugin, msg, cx);
            }
        }
        self.finish_bind(idx, p, node, source, cx);
    }

    /// `RunPreBindPlugins`.
    fn run_pre_bind(
        &self,
        idx: usize,
        pod: &Pod,
        p: PodId,
        node: NodeId,
        cx: &mut Ctx<'_>,
    ) -> PreBindOutcome {
        for pb in &self.profiles[idx].pre_bind {
            let st = pb.pre_bind(pod, p, node, cx.store);
            match st.code {
                Code::Success | Code::Skip => {}
                Code::Wait => return PreBindOutcome::Wait(pb.timeout()),
                _ => {
                    return PreBindOutcome::Failed(
                        pb.name(),
                        format!("running PreBind plugin {:?}: {}", pb.name(), st.message()),
                    );
                }
            }
        }
        PreBindOutcome::Done
    }

    /// A failure after Reserve: Unreserve, then the usual failure handling.
    #[allow(clippy::too_many_arguments)]
    fn bind_failed(
        &mut self,
        idx: usize,
        pod: &Pod,
        p: PodId,
        node: NodeId,
        plugin: &'static str,
        msg: String,
        cx: &mut Ctx<'_>,
    ) {
        let mut state = CycleState::default();
        for u in self.profiles[idx].reserve.iter().rev() {
            u.unreserve(&mut state, p, node);
        }
        let mut r = events::Rejectors::default();
        r.add(plugin);
        let source = self.sources[idx];
        self.handle_failure(
            p,
            pod,
            Rejection {
                msg,
                nominating: Nominating::Clear,
                rejectors: r,
            },
            source,
            cx,
        );
    }

    /// Pods waiting in PreBind try again (a claim or volume changed), or time out.
    fn retry_waiting_binds(&mut self, timeout_only: bool, cx: &mut Ctx<'_>) {
        let waiting: Vec<(PodId, WaitingBind)> =
            self.binding.iter().map(|(&p, &w)| (p, w)).collect();
        for (p, w) in waiting {
            let Some(pod) = cx.store.pod(p).cloned() else {
                self.binding.remove(&p);
                continue;
            };
            if pod.deleted || pod.status.node.is_some() || pod.is_terminating() {
                self.binding.remove(&p);
                self.nominator.remove(p);
                continue;
            }
            let outcome = if w.deadline <= cx.now {
                let name = self.profiles[w.profile]
                    .pre_bind
                    .first()
                    .map(|x| x.name())
                    .unwrap_or("");
                PreBindOutcome::Failed(
                    name,
                    format!(
                        "running PreBind plugin {name:?}: binding volumes: context deadline exceeded"
                    ),
                )
            } else if timeout_only {
                continue;
            } else {
                self.run_pre_bind(w.profile, &pod, p, w.node, cx)
            };
            match outcome {
                PreBindOutcome::Wait(_) => {}
                PreBindOutcome::Done => {
                    self.binding.remove(&p);
                    self.nominator.remove(p);
                    let source = self.sources[w.profile];
                    self.finish_bind(w.profile, p, w.node, source, cx);
                }
                PreBindOutcome::Failed(plugin, msg) => {
                    self.binding.remove(&p);
                    self.nominator.remove(p);
                    self.bind_failed(w.profile, &pod, p, w.node, plugin, msg, cx);
                }
            }
        }
        if let Some(next) = self.binding.values().map(|w| w.deadline).min()
            && self.bind_timer.is_none_or(|t| next < t || t < cx.now)
        {
            self.bind_timer = Some(next);
            cx.queue
                .push(next, Event::Scheduler(SchedulerWake::BindTimeout));
        }
    }

    /// Bind plugins, the assumed pod in the cache, the Scheduled event.
    fn finish_bind(
        &mut self,
        idx: usize,
        p: PodId,
        node: NodeId,
        source: &'static str,
        cx: &mut Ctx<'_>,
    ) {
        self.queue.remove(p);
        let profile = &self.profiles[idx];
        let mut failed: Option<(&'static str, Status)> = None;
        for b in &profile.bind {
            let st = b.bind(p, node, cx.store);
            if st.code == Code::Skip {
                continue;
            }
            if !st.is_success() {
                failed = Some((b.name(), st));
            }
            break;
        }
        if let Some((plugin, st)) = failed {
            // handleBindingCycleError: unreserve and retry the pod.
            if let Some(pod) = cx.store.pod(p).cloned() {
                let msg = format!("running Bind plugin {plugin:?}: {}", st.message());
                self.bind_failed(idx, &pod, p, node, plugin, msg, cx);
            }
            return;
        }
        // Assume: the cache counts the pod on its node before the watch event arrives.
        self.cache.pod_changed(p, cx.store);
        self.work.stats.scheduled += 1;
        if let Some(a) = self.work.current.as_mut() {
            a.node = Some(node);
        }
        let key = cx.store.pod_key(p);
        let node_name = cx
            .store
            .node(node)
            .map(|n| cx.store.interner.resolve_arc(n.name))
            .unwrap_or_default();
        let obj = cx.store.pod_ref(p);
        cx.store
            .record(obj, EventType::Normal, "Scheduled", source, |_| {
                format!("Successfully assigned {key} to {node_name}")
            });
    }

    /// `handleSchedulingFailure`: the event, the PodScheduled condition, the nomination, and
    /// the pod back to the queue.
    fn handle_failure(
        &mut self,
        p: PodId,
        pod: &Pod,
        rejection: Rejection,
        source: &'static str,
        cx: &mut Ctx<'_>,
    ) {
        self.work.stats.unschedulable += 1;
        let Rejection {
            msg,
            nominating,
            rejectors,
        } = rejection;
        let mut nominated = pod.status.nominated_node;
        match nominating {
            Nominating::Noop => {}
            Nominating::Clear => nominated = None,
            Nominating::Set(Nomination { node, victims }) => {
                self.preempt(pod, p, node, &victims, source, cx);
                nominated = Some(node);
            }
        }
        match nominated {
            Some(n) => self.nominator.add(p, n),
            None => self.nominator.remove(p),
        }
        if let Some(a) = self.work.current.as_mut() {
            a.message = Some(msg.clone());
            a.nominated = nominated;
        }
        let obj = cx.store.pod_ref(p);
        let note = truncate_note(&msg);
        cx.store
            .record(obj, EventType::Warning, "FailedScheduling", source, |_| {
                note
            });
        let msg: Arc<str> = Arc::from(msg);
        cx.store.update_pod_status(p, PodDelta::SCHEDULING, |s| {
            s.unschedulable = true;
            s.unschedulable_message = Some(msg);
            s.nominated_node = nominated;
        });
        self.queue.requeue_failed(p, cx.now, rejectors, false);
    }

    /// `prepareCandidate`: victims get the DisruptionTarget condition and are deleted
    /// gracefully; lower-priority pods nominated to the node lose their nomination.
    fn preempt(
        &mut self,
        pod: &Pod,
        p: PodId,
        node: NodeId,
        victims: &[PodId],
        source: &'static str,
        cx: &mut Ctx<'_>,
    ) {
        self.work.stats.preemptions += 1;
        let uid = pod.uid_string();
        let node_name = cx
            .store
            .node(node)
            .map(|n| cx.store.interner.resolve_arc(n.name))
            .unwrap_or_default();
        for &v in victims {
            self.work.stats.victims += 1;
            cx.store.update_pod_status(v, PodDelta::STATUS, |s| {
                s.disruption_target = Some(DisruptionReason::PreemptionByScheduler);
            });
            let obj = cx.store.pod_ref(v);
            let nn = node_name.clone();
            let u = uid.clone();
            cx.store
                .record(obj, EventType::Normal, "Preempted", source, move |_| {
                    format!("Preempted by pod {u} on node {nn}")
                });
            if !cx.store.mark_pod_deleting(v, None) {
                cx.store.delete_pod(v);
            }
            self.cache.pod_changed(v, cx.store);
        }
        if let Some(a) = self.work.current.as_mut() {
            a.victims = victims.to_vec();
        }
        let lower: Vec<PodId> = self
            .nominator
            .pods_on(node)
            .iter()
            .copied()
            .filter(|&q| q != p && cx.store.pod(q).is_some_and(|o| o.priority < pod.priority))
            .collect();
        for q in lower {
            self.nominator.remove(q);
            cx.store
                .update_pod_status(q, PodDelta::SCHEDULING, |s| s.nominated_node = None);
        }
    }
}

/// `schedulePod`: PreFilter, the nominated node, Filter, then scoring and host selection.
#[allow(clippy::too_many_arguments)]
fn schedule_pod(
    profile: &Profile,
    profile_idx: usize,
    w: &mut Work,
    view: &View<'_>,
    pod: &Pod,
    p: PodId,
) -> Result<NodeId, Failure> {
    let all = view.nodes;
    let n_all = all.len();
    if n_all == 0 {
        return Err(Failure::NoNodes);
    }
    w.state.clear();
    let mut fit = FitError::new(n_all);
    let pre = runtime::run_pre_filter(profile, &mut w.state, pod, view);
    if !pre.status.is_success() {
        if pre.status.code == Code::Error {
            return Err(Failure::Error(pre.status.message()));
        }
        fit.pre_filter_msg = Some(pre.status.message());
        fit.pre_filter_plugins.push(pre.plugin);
        if let Some(a) = w.current.as_mut() {
            a.nodes = all
                .iter()
                .map(|&n| NodeExplain {
                    node: n,
                    filter: FilterVerdict::Rejected(pre.plugin, pre.status.clone()),
                    scores: Vec::new(),
                    total: None,
                })
                .collect();
        }
        fit.absent = pre.status;
        return Err(Failure::Fit(Box::new(fit), None));
    }
    let mut verdicts: Vec<(NodeId, FilterVerdict)> = Vec::new();
    let explaining = w.current.is_some();
    let mut nominated_failed: Option<NodeId> = None;
    // The nominated node first: if it fits, it is the only feasible node.
    if let Some(nn) = pod.status.nominated_node
        && view.store.node(nn).is_some()
    {
        let (plugin, st) =
            runtime::run_filters_with_nominated(profile, &w.state, pod, p, nn, None, view);
        if st.is_success() {
            if let Some(a) = w.current.as_mut() {
                a.nodes = vec![NodeExplain {
                    node: nn,
                    filter: FilterVerdict::Passed,
                    scores: Vec::new(),
                    total: None,
                }];
            }
            return Ok(nn);
        }
        fit.node_statuses.push((nn, plugin, st));
        nominated_failed = Some(nn);
    }
    // The nodes to filter: all, or PreFilter's intersection.
    let list: &[NodeId] = match &pre.nodes {
        None => all,
        Some(names) => {
            w.narrowed.clear();
            w.narrowed.extend(
                all.iter()
                    .copied()
                    .filter(|&n| view.store.node(n).is_some_and(|x| names.contains(&x.name))),
            );
            let mut plugins = pre.narrowing.clone();
            plugins.sort_unstable();
            fit.pre_filter_plugins.extend(plugins.iter().copied());
            fit.absent = Status::unresolvable(format!(
                "node(s) didn't satisfy plugin(s) [{}]",
                plugins.join(" ")
            ));
            &w.narrowed
        }
    };
    let n = list.len();
    let mut want = num_feasible_nodes_to_find(n, profile.percentage_of_nodes_to_score);
    if profile.score.is_empty() {
        want = want.min(1);
    }
    if w.exhaustive {
        want = n;
    }
    w.feasible.clear();
    w.slots.clear();
    w.failed_slots.clear();
    let mut processed = 0;
    // Active filters whose verdicts cannot be memoised.
    let all_filters = if profile.filter.len() >= 64 {
        u64::MAX
    } else {
        (1u64 << profile.filter.len()) - 1
    };
    let non_local_filters = all_filters & !profile.filter_local & !w.state.skip_filter_mask;
    // Every verdict comes from the memo and depends only on this key: when the last pass with
    // the same key found no node, this one finds none either, with the same statuses.
    let fail_key = (w.memo_on
        && !explaining
        && !w.exhaustive
        && non_local_filters == 0
        && !profile.filter.is_empty()
        && pre.nodes.is_none()
        && nominated_failed.is_none()
        && view.nominator.is_empty()
        && n > 0)
        .then(|| FailKey {
            nodes_gen: view.store.nodes_generation(),
            tree_version: view.cache.tree.version(),
            sig: pod.node_local_sig,
            profile: profile_idx,
            mask: w.state.skip_filter_mask,
        });
    if let Some(k) = fail_key
        && let Some(m) = &w.fail_memo
        && m.key == k
    {
        w.memo_hits += m.processed as u64;
        w.stats.nodes_evaluated += m.processed as u64;
        w.next_start = (w.next_start + m.processed) % n_all;
        return Err(Failure::Replayed);
    }
    if n > 0 {
        // Walk from `nextStartNodeIndex`, wrapping (no division per node).
        let mut at = w.next_start % n;
        for _ in 0..n {
            if w.feasible.len() >= want {
                break;
            }
            let id = list[at];
            at += 1;
            if at == n {
                at = 0;
            }
            processed += 1;
            let mut slot_of_node = usize::MAX;
            let (plugin, st) = if profile.filter.is_empty() {
                ("", Status::success())
            } else if w.memo_on
                && (view.nominator.is_empty() || view.nominator.pods_on(id).is_empty())
            {
                let slot = w.memo.slot(
                    id,
                    view.store.node_generation(id),
                    pod.node_local_sig,
                    profile_idx,
                    w.state.skip_filter_mask,
                    view.store.images_generation(),
                    profile.score_image_mask,
                );
                if non_local_filters == 0 && w.memo.passes(slot) {
                    // Every active filter is node-local and passed before: feasible.
                    w.memo_hits += 1;
                    w.feasible.push(id);
                    w.slots.push(slot);
                    if explaining {
                        verdicts.push((id, FilterVerdict::Passed));
                    }
                    continue;
                }
                let (outcome, hit) =
                    memo::filter_slot(profile, &w.state, pod, id, view, &mut w.memo, slot);
                if hit {
                    w.memo_hits += 1;
                } else {
                    w.memo_misses += 1;
                }
                slot_of_node = slot;
                match outcome {
                    memo::Outcome::Pass => ("", Status::success()),
                    memo::Outcome::Other(plugin, st) => (plugin, st),
                    memo::Outcome::Local if explaining => w.memo.failure(profile, slot),
                    memo::Outcome::Local => {
                        // The status stays at the slot until the cycle turns out to fail.
                        if Some(id) == nominated_failed {
                            fit.node_statuses.retain(|(x, _, _)| *x != id);
                        }
                        w.failed_slots.push((id, slot));
                        continue;
                    }
                }
            } else {
                runtime::run_filters_with_nominated(profile, &w.state, pod, p, id, None, view)
            };
            if st.is_success() {
                w.feasible.push(id);
                w.slots.push(slot_of_node);
                if explaining {
                    verdicts.push((id, FilterVerdict::Passed));
                }
            } else {
                if explaining {
                    verdicts.push((id, FilterVerdict::Rejected(plugin, st.clone())));
                }
                // Only the nominated node can have a status already (from the first try).
                if Some(id) == nominated_failed {
                    fit.node_statuses.retain(|(x, _, _)| *x != id);
                }
                fit.node_statuses.push((id, plugin, st));
            }
        }
    }
    w.stats.nodes_evaluated += processed as u64;
    w.next_start = (w.next_start + processed) % n_all;
    if w.feasible.is_empty() || explaining {
        // The node-local failures left at their slots (statuses are reported in no particular
        // order: the histogram, the rejectors and preemption's lookups do not depend on it).
        for &(id, slot) in &w.failed_slots {
            let (plugin, st) = w.memo.failure(profile, slot);
            fit.node_statuses.push((id, plugin, st));
        }
    }
    if let Some(a) = w.current.as_mut() {
        let mut by: BTreeMap<NodeId, FilterVerdict> = verdicts.into_iter().collect();
        for (id, plugin, st) in &fit.node_statuses {
            by.entry(*id)
                .or_insert_with(|| FilterVerdict::Rejected(plugin, st.clone()));
        }
        a.nodes = all
            .iter()
            .map(|&id| NodeExplain {
                node: id,
                filter: by.remove(&id).unwrap_or(FilterVerdict::NotEvaluated),
                scores: Vec::new(),
                total: None,
            })
            .collect();
    }
    if w.feasible.is_empty() {
        return Err(Failure::Fit(Box::new(fit), fail_key));
    }
    if w.feasible.len() == 1 && !w.exhaustive {
        return Ok(w.feasible[0]);
    }
    // PreScore.
    for ps in &profile.pre_score {
        let st = ps.pre_score(&mut w.state, pod, &w.feasible, view);
        match st.code {
            Code::Success => {}
            Code::Skip => w.state.skip_score.push(ps.name()),
            _ => {
                return Err(Failure::Error(format!(
                    "running PreScore plugin {:?}: {}",
                    ps.name(),
                    st.message()
                )));
            }
        }
    }
    // Score, NormalizeScore, weights.
    let m = w.feasible.len();
    w.totals.clear();
    w.totals.resize(m, 0);
    if profile.score.is_empty() {
        w.totals.iter_mut().for_each(|t| *t = 1);
    }
    // The memo slot of every feasible node (the filter pass validated most of them).
    if w.memo_on {
        for (i, &id) in w.feasible.iter().enumerate() {
            if w.slots[i] == usize::MAX {
                w.slots[i] = w.memo.slot(
                    id,
                    view.store.node_generation(id),
                    pod.node_local_sig,
                    profile_idx,
                    w.state.skip_filter_mask,
                    view.store.images_generation(),
                    profile.score_image_mask,
                );
            }
        }
    }
    let mut per_node: Vec<Vec<ScoreEntry>> = if explaining {
        vec![Vec::new(); m]
    } else {
        Vec::new()
    };
    // Raw scores, one column of `m` per score plugin. Memoised plugins are filled node by
    // node (one slot visit for all of them), the others plugin by plugin.
    let n_score = profile.score.len();
    // Every column read below is written first (memoised or computed), so the matrix is only
    // grown, never cleared.
    if w.matrix.len() < m * n_score {
        w.matrix.resize(m * n_score, 0);
    }
    let mut active: u64 = 0;
    for (k, (plugin, _)) in profile.score.iter().enumerate() {
        if !w.state.skip_score.contains(&plugin.name()) {
            active |= 1 << k;
        }
    }
    let mut memo_cols: u64 = if w.memo_on {
        profile
            .score_local
            .iter()
            .enumerate()
            .filter(|(_, l)| **l)
            .fold(0, |a, (k, _)| a | 1 << k)
            & active
    } else {
        0
    };
    // Node-local plugins without normalisation contribute `weight × raw` as is: sum them once
    // per node and cache the sum (not when explaining, which lists each plugin).
    let summed = if explaining || n_score > 8 {
        0
    } else {
        memo_cols & profile.score_summable
    };
    if summed != 0 {
        for (i, &id) in w.feasible.iter().enumerate() {
            let slot = w.slots[i];
            let total = match w.memo.sum(slot, summed) {
                Some(v) => {
                    w.memo_hits += 1;
                    v
                }
                None => {
                    let mut v = 0;
                    for (k, (plugin, weight)) in profile.score.iter().enumerate() {
                        if summed & (1 << k) == 0 {
                            continue;
                        }
                        let (s, _) = w.memo.raw_score(slot, k, || {
                            let node = view.store.node(id).expect("feasible nodes exist");
                            plugin.score(&w.state, pod, &framework::NodeInfo::plain(id, node), view)
                        });
                        v += s * weight;
                    }
                    w.memo_misses += 1;
                    w.memo.set_sum(slot, summed, v);
                    v
                }
            };
            w.totals[i] += total;
        }
        memo_cols &= !summed;
        active &= !summed;
    }
    if memo_cols != 0 {
        for (i, &id) in w.feasible.iter().enumerate() {
            let slot = w.slots[i];
            let mut bits = memo_cols;
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let plugin = &profile.score[k].0;
                let (s, hit) = w.memo.raw_score(slot, k, || {
                    let node = view.store.node(id).expect("feasible nodes exist");
                    plugin.score(&w.state, pod, &framework::NodeInfo::plain(id, node), view)
                });
                if hit {
                    w.memo_hits += 1;
                } else {
                    w.memo_misses += 1;
                }
                w.matrix[k * m + i] = s;
            }
        }
    }
    for (k, (plugin, weight)) in profile.score.iter().enumerate() {
        if active & (1 << k) == 0 {
            continue;
        }
        let col = &mut w.matrix[k * m..(k + 1) * m];
        if memo_cols & (1 << k) == 0 {
            for (i, &id) in w.feasible.iter().enumerate() {
                let node = view.store.node(id).expect("feasible nodes exist");
                col[i] = plugin.score(&w.state, pod, &framework::NodeInfo::plain(id, node), view);
            }
        }
        plugin.normalize(&w.state, col);
        for (i, (t, s)) in w.totals.iter_mut().zip(col.iter()).enumerate() {
            *t += s * weight;
            if explaining {
                per_node[i].push(ScoreEntry {
                    plugin: plugin.name(),
                    score: *s,
                    weight: *weight,
                });
            }
        }
    }
    if let Some(a) = w.current.as_mut() {
        for (i, id) in w.feasible.iter().enumerate() {
            if let Some(e) = a.nodes.iter_mut().find(|e| e.node == *id) {
                e.scores = std::mem::take(&mut per_node[i]);
                e.total = Some(w.totals[i]);
            }
        }
    }
    Ok(select_host(w))
}

/// Picks the highest total; ties uniformly at random on the scheduler's stream (the
/// distribution of `selectHost`'s reservoir sampling up to v1.34, drawn once instead of once
/// per tie) or, with `lowest-index`, the first in node order.
fn select_host(w: &mut Work) -> NodeId {
    let best = w.totals.iter().copied().max().unwrap_or(0);
    let mut ties = w
        .totals
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t == best)
        .map(|(i, _)| i);
    let pick = match w.tie_break {
        TieBreak::LowestIndex => 0,
        TieBreak::Random => {
            let count = w.totals.iter().filter(|&&t| t == best).count() as u64;
            w.rng.below(count) as usize
        }
    };
    w.feasible[ties.nth(pick).expect("a tie exists")]
}

/// The FailedScheduling message and nomination effect of a Filter pass in which no node fit:
/// PostFilter, then the message with its PostFilter part.
fn fail_with(
    profile: &Profile,
    w: &mut Work,
    view: &View<'_>,
    pod: &Pod,
    p: PodId,
    memo: &FailMemo,
) -> (String, Nominating) {
    let mut msg = memo.message.clone();
    if profile.post_filter.is_empty() {
        return (msg, Nominating::Noop);
    }
    let (post, nom) = run_post_filter(profile, w, view, pod, p, &memo.fit);
    push_post_filter_message(&mut msg, &post);
    (msg, nom)
}

/// `RunPostFilterPlugins`: in order until one succeeds or is unresolvable; otherwise the
/// reasons of all are joined. Returns the message and the nomination effect.
fn run_post_filter(
    profile: &Profile,
    w: &mut Work,
    view: &View<'_>,
    pod: &Pod,
    p: PodId,
    fit: &FitError,
) -> (String, Nominating) {
    let mut reasons: Vec<String> = Vec::new();
    let mut nominating = Nominating::Noop;
    let mut pre = Preemptor {
        view,
        profile,
        state: &w.state,
        rng: &mut w.rng,
        pod_id: p,
        tie_break: w.tie_break,
    };
    for pf in &profile.post_filter {
        let r = pf.post_filter(&mut pre, pod, fit);
        match r.status.code {
            Code::Success => return (r.status.message(), r.nominating),
            Code::UnschedulableAndUnresolvable | Code::Error => {
                return (r.status.message(), r.nominating);
            }
            _ => {
                if r.nominating != Nominating::Noop {
                    nominating = r.nominating;
                }
                reasons.extend(r.status.reasons.iter().map(|s| s.to_string()));
            }
        }
    }
    (reasons.join(", "), nominating)
}

/// One pod checked against template nodes (see [`Scheduler::template_fit`]).
pub struct TemplateFit<'a> {
    sched: &'a Scheduler,
    pod: &'a Pod,
    store: &'a Store,
    /// The profile and the PreFilter state, or PreFilter's rejection.
    prepared: Option<Prepared>,
}

/// A template check's profile index and PreFilter state, or PreFilter's rejection.
type Prepared = Result<(usize, framework::CycleState), (&'static str, Status)>;

impl TemplateFit<'_> {
    /// [`Scheduler::fits_template`] of the pod on `node`.
    pub fn check(&mut self, node: &crate::model::Node) -> Result<(), (&'static str, Status)> {
        let (sched, pod, store) = (self.sched, self.pod, self.store);
        let view = View {
            store,
            cache: &sched.cache,
            nominator: &sched.nominator,
            nodes: sched.cache.tree.list(),
        };
        let prepared = self.prepared.get_or_insert_with(|| {
            let Some(idx) = sched.profile_of(pod) else {
                return Err(("", Status::unresolvable("no scheduler profile for the pod")));
            };
            let mut state = framework::CycleState::default();
            let pre = runtime::run_pre_filter(&sched.profiles[idx], &mut state, pod, &view);
            if !pre.status.is_success() && pre.status.code != framework::Code::Skip {
                return Err((pre.plugin, pre.status));
            }
            Ok((idx, state))
        });
        let (idx, state) = match prepared {
            Ok(p) => (p.0, &p.1),
            Err(e) => return Err(e.clone()),
        };
        let profile = &sched.profiles[idx];
        let dummy = <NodeId as crate::model::ArenaId>::from_parts(u32::MAX, 0);
        let info = framework::NodeInfo::plain(dummy, node);
        for (i, f) in profile.filter.iter().enumerate() {
            if state.skip_filter_mask & (1 << i) != 0 || profile.filter_local & (1 << i) == 0 {
                continue;
            }
            let st = f.filter(state, pod, &info, &view);
            if !st.is_success() {
                return Err((f.name(), st));
            }
        }
        Ok(())
    }
}

/// Equal reason lists; most reasons are the same static text, compared by address first.
fn same_reasons(
    a: &[std::borrow::Cow<'static, str>],
    b: &[std::borrow::Cow<'static, str>],
) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.len() == y.len() && std::ptr::eq(x.as_ptr(), y.as_ptr())) || x == y)
}

/// Event notes hold at most 1024 bytes (`truncateMessage`, `validation.NoteLengthLimit`).
pub fn truncate_note(s: &str) -> String {
    const LIMIT: usize = 1024;
    if s.len() <= LIMIT {
        return s.to_string();
    }
    let mut cut = LIMIT - 4;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{} ...", &s[..cut])
}

/// Every pod-to-node check the scheduler relies on, recomputed from scratch: the cache's
/// incremental counts equal a recount (used by property tests).
pub fn check_cache(s: &Scheduler, store: &Store) -> Result<(), String> {
    s.cache.check(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uniform_diagnosis_words_the_message_as_the_listed_one() {
        let status = Status::unresolvable("No preemption victims found for incoming pod");
        let absent = Status::unresolvable("Preemption is not helpful for scheduling");
        for (all, listed) in [(5, 5), (5, 3), (5, 0), (1000, 420), (12, 11)] {
            let mut f = FitError::new(all);
            f.absent = absent.clone();
            f.node_statuses = (0..listed)
                .map(|i| {
                    let id = <NodeId as crate::model::ArenaId>::from_parts(i as u32, 0);
                    (id, "DefaultPreemption", status.clone())
                })
                .collect();
            assert_eq!(
                FitError::uniform_message(all, listed, &status, &absent),
                f.message(),
                "{all} nodes, {listed} listed"
            );
        }
    }

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

    fn id(i: u32) -> NodeId {
        <NodeId as crate::model::ArenaId>::from_parts(i, 0)
    }

    #[test]
    fn fit_error_message_sorts_reason_strings() {
        let mut f = FitError::new(5);
        for i in 0..3 {
            f.node_statuses.push((
                id(i),
                "NodeResourcesFit",
                Status::unschedulable("Insufficient cpu"),
            ));
        }
        for i in 3..5 {
            f.node_statuses.push((
                id(i),
                "TaintToleration",
                Status::unresolvable("node(s) had untolerated taint(s)"),
            ));
        }
        assert_eq!(
            f.message(),
            "0/5 nodes are available: 2 node(s) had untolerated taint(s), 3 Insufficient cpu."
        );
        f.post_filter_msg = Some("no new claims to deallocate, preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.".into());
        assert_eq!(
            f.message(),
            "0/5 nodes are available: 2 node(s) had untolerated taint(s), 3 Insufficient cpu. no new claims to deallocate, preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn fit_error_counts_absent_nodes_and_prefers_prefilter_message() {
        // types_test.go TestFitError shapes: absent nodes take the absent status's reasons.
        let mut f = FitError::new(3);
        f.node_statuses.push((
            id(0),
            "NodeName",
            Status::unresolvable("node(s) didn't match the requested node name"),
        ));
        f.absent = Status::unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
        assert_eq!(
            f.message(),
            "0/3 nodes are available: 1 node(s) didn't match the requested node name, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]."
        );
        let mut g = FitError::new(3);
        g.pre_filter_msg = Some("pod affinity terms conflict".into());
        g.absent = Status::unresolvable("pod affinity terms conflict");
        assert_eq!(
            g.message(),
            "0/3 nodes are available: pod affinity terms conflict."
        );
    }

    #[test]
    fn notes_are_truncated_to_1024_bytes() {
        let s = "x".repeat(2000);
        let t = truncate_note(&s);
        assert_eq!(t.len(), 1024);
        assert!(t.ends_with(" ..."));
        assert_eq!(truncate_note("short"), "short");
    }
}
