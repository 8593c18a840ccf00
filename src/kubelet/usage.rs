//! Usage against requests and limits, and the eviction manager.
//!
//! At every load tick the kubelet takes each loaded pod's demand from the load model
//! (`traffic::Traffic::pod_demand`) and holds it against the pod's limits (the sum of its app
//! containers' limits when every container sets one, or the pod-level limits):
//!
//! - cpu above the cpu limit is throttled (CFS quota): the excess is recorded as throttled cpu
//!   time, and the requests the pod could not serve with the cpu it got as unserved demand;
//! - memory above the memory limit OOM-kills the pod's first running app container (exit code
//!   137, reason `OOMKilled`), which then restarts with back-off ([`super::restart`]).
//!
//! The memory the pods use counts against their node. The eviction manager
//! (`pkg/kubelet/eviction/eviction_manager.go`, `helpers.go`) runs its housekeeping every 10 s:
//! `memory.available = capacity - Σ pod memory`; below the hard threshold (default 100Mi) it sets
//! the node's MemoryPressure condition and evicts one pod, ranked by `rankMemoryPressure`
//! (usage above requests first, then lower priority, then larger usage minus requests). The
//! condition stays until no pressure was seen for `evictionPressureTransitionPeriod` (5 m).

use super::groups::{GroupKey, NO_SOURCE, hold};
use super::restart::{OOM_EXIT_CODE, TermReason};
pub use super::rows::Left;
use super::{Kubelet, Stage, rows};
use crate::engine::{RngStreams, SimDuration, SimTime};
use crate::model::pod::{PodPhase, PodReason};
use crate::model::{ArenaId, NodeId, PodId, Selector, Sym};
use crate::scenario::MemoryThreshold;
use crate::sim::Ctx;
use crate::store::PodDelta;
use crate::store::events::EventType;
use crate::traffic::{SlotSources, Traffic};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The eviction manager's housekeeping interval (`evictionMonitoringPeriod`, 10 s).
pub const EVICTION_MONITORING_PERIOD: SimDuration = SimDuration::from_secs(10);
/// Default `evictionPressureTransitionPeriod`.
pub const DEFAULT_PRESSURE_TRANSITION: SimDuration = SimDuration::from_mins(5);
/// The taint the node lifecycle controller adds for MemoryPressure.
pub const MEMORY_PRESSURE_TAINT: &str = "node.kubernetes.io/memory-pressure";
/// Pods at or above this priority are critical and never evicted (`SystemCriticalPriority`).
const SYSTEM_CRITICAL_PRIORITY: i32 = 2_000_000_000;

/// A `podBehaviors` entry with interned names.
#[derive(Clone, Debug)]
pub struct Behavior {
    /// Namespace.
    pub namespace: Sym,
    /// Pods it applies to.
    pub selector: Selector,
    /// Only pods of this workload (Deployment, ReplicaSet or Job) and name.
    pub workload: Option<(crate::api::Kind, Arc<str>)>,
    /// Containers it applies to (empty: all).
    pub containers: Vec<Arc<str>>,
    /// Run time before the exit.
    pub run_time: SimDuration,
    /// Exit code.
    pub exit_code: i32,
    /// Uniform extra run time in `[0, jitter)`.
    pub jitter: SimDuration,
}

/// Kubelet counters (for `summary.json` and `timeseries.csv`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KubeletStats {
    /// Container restarts.
    pub container_restarts: u64,
    /// Containers OOM-killed.
    pub oom_kills: u64,
    /// Pods evicted under node pressure.
    pub evictions: u64,
    /// cpu demand above limits at the last load tick, millicores.
    pub throttled_cpu_m: i64,
    /// Requests per second not served because of throttling, at the last load tick.
    pub unserved_rps: f64,
    /// Throttled cpu time so far, millicore-microseconds.
    pub throttled_cpu_mcore_us: u64,
    /// Requests not served because of throttling so far.
    pub unserved_requests: f64,
}

impl KubeletStats {
    /// Throttled cpu time so far, in cpu-seconds.
    pub fn throttled_cpu_seconds(&self) -> f64 {
        self.throttled_cpu_mcore_us as f64 / 1e9
    }
}

/// Kubelet state beyond pod start-up: behaviours, counters, node memory and pressure.
#[derive(Debug)]
pub struct KubeletExt {
    pub(super) behaviors: Vec<Behavior>,
    pub(super) seeds: RngStreams,
    /// Counters.
    pub stats: KubeletStats,
    eviction: Option<MemoryThreshold>,
    transition: SimDuration,
    /// When pressure was last observed on a node.
    pressure_seen: BTreeMap<NodeId, SimTime>,
    /// Pods throttled or OOM-killed at the current load tick (buffer reused across ticks).
    exceptions: Vec<Exception>,
    /// The last load tick and the exact throttled millicores since then.
    last_tick: Option<SimTime>,
    throttle_rate: f64,
}

impl Default for KubeletExt {
    fn default() -> Self {
        KubeletExt {
            behaviors: Vec::new(),
            seeds: RngStreams::new(0),
            stats: KubeletStats::default(),
            eviction: None,
            transition: DEFAULT_PRESSURE_TRANSITION,
            pressure_seen: BTreeMap::new(),
            exceptions: Vec::new(),
            last_tick: None,
            throttle_rate: 0.0,
        }
    }
}

/// A pod over a limit at a load tick, kept until the pass over the rows ends.
#[derive(Copy, Clone, Debug)]
struct Exception {
    /// (first source targeting the pod, pod): the load model's order.
    key: (u32, PodId),
    demand: crate::traffic::PodDemand,
    /// cpu and memory limits.
    limits: (Option<i64>, Option<i64>),
    /// Memory demand, bytes (rounded).
    memory: i64,
    first_running: u16,
    /// Over the memory limit.
    oom: bool,
}

impl Exception {
    /// The exception of the pod in row `row` (slot `slot`), first targeted by source `source`,
    /// with limits `limits` and memory demand `memory`; its full demand comes from the load
    /// model.
    fn new(
        traffic: &Traffic,
        slot: usize,
        row: &rows::Row,
        source: u32,
        limits: (i64, i64),
        memory: i64,
        oom: bool,
    ) -> Exception {
        let demand = traffic
            .slot_demand(slot, row.pod)
            .map(|sd| sd.demand)
            .unwrap_or_default();
        Exception {
            key: (source, row.pod),
            demand,
            limits: rows::as_options(limits),
            memory,
            first_running: row.first_running,
            oom,
        }
    }
}

/// A quantity in bytes as `resource.Quantity.String()` renders a BinarySI value: the largest
/// binary suffix that divides it exactly, else plain bytes.
pub fn format_bytes(v: i64) -> String {
    if v == 0 {
        return "0".into();
    }
    let mut x = v;
    let mut k = 0;
    while x % 1024 == 0 && k < 6 {
        x /= 1024;
        k += 1;
    }
    let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][k];
    format!("{x}{suffix}")
}

/// Bytes for messages: exact binary units when they divide, else MiB with one decimal.
pub fn format_mem(v: i64) -> String {
    if v % (1024 * 1024) == 0 || v < 1024 * 1024 {
        format_bytes(v)
    } else {
        format!("{:.1}Mi", v as f64 / (1024.0 * 1024.0))
    }
}

/// An eviction rank: (usage within requests, priority, -(usage - requests), uid).
pub type RankKey = (bool, i32, i64, u64);

/// `rankMemoryPressure` (`pkg/kubelet/eviction/helpers.go`) as a sort key: pods whose usage
/// exceeds their requests first, then lower priority, then larger usage above requests.
pub fn memory_rank_key(usage: i64, request: i64, priority: i32, uid: u64) -> RankKey {
    (usage <= request, priority, -(usage - request), uid)
}

impl Kubelet {
    /// Sets the container behaviours, the seed of the jitter stream, the hard memory eviction
    /// threshold (`None`: eviction disabled) and `evictionPressureTransitionPeriod`.
    pub fn with_lifecycle(
        mut self,
        behaviors: Vec<Behavior>,
        seeds: &RngStreams,
        eviction: Option<MemoryThreshold>,
        transition: SimDuration,
    ) -> Self {
        self.ext.behaviors = behaviors;
        self.ext.seeds = *seeds;
        self.ext.eviction = eviction;
        self.ext.transition = transition;
        self
    }

    /// Counters of restarts, OOM kills, evictions and throttling.
    pub fn stats(&self) -> &KubeletStats {
        &self.ext.stats
    }

    /// The load tick: holds each loaded pod's demand against its limits (throttling, OOM kills)
    /// and brings the cumulative cpu counters up to date. Throttled cpu time and unserved
    /// requests accumulate at each tick for the interval since the previous one, at that
    /// tick's rates.
    ///
    /// The work is per usage group ([`super::groups`]) and per solo row: rows whose load-model
    /// membership changed since the last tick (`Traffic::slot_changes`) leave their group,
    /// and every solo row that can join one does. Pods that are throttled or OOM-killed are
    /// then handled in the order the load model lists them (first source, then pod id).
    pub fn on_load_tick(&mut self, traffic: &Traffic, cx: &mut Ctx<'_>) {
        let ext = &mut self.ext;
        if let Some(t) = ext.last_tick {
            let dt = cx.now.since(t).as_micros() as f64;
            ext.stats.throttled_cpu_mcore_us += (ext.throttle_rate * dt) as u64;
            ext.stats.unserved_requests += ext.stats.unserved_rps * dt / 1e6;
        }
        ext.last_tick = Some(cx.now);
        ext.throttle_rate = 0.0;
        ext.stats.throttled_cpu_m = 0;
        ext.stats.unserved_rps = 0.0;
        self.sync_rows();
        let now = cx.now;
        let mut exceptions = std::mem::take(&mut self.ext.exceptions);
        exceptions.clear();
        let t = &mut self.rows;
        t.advance(now);
        for &i in traffic.slot_changes() {
            let i = i as usize;
            if t.rows.get(i).is_some_and(|r| r.group != rows::NO_GROUP) {
                t.leave(i);
            }
        }
        for g in &mut t.groups {
            g.refresh(traffic);
        }
        let mut k = 0;
        while k < t.solo.len() {
            let i = t.solo[k] as usize;
            if let Some(key) = group_key(&t.rows[i], t.limits[i], traffic, i) {
                // Takes the row off the solo list: the next one moves to position k.
                t.join(i, key, now, |key| super::groups::Group::new(key, traffic));
                continue;
            }
            k += 1;
            let limits = t.limits[i];
            let row = &mut t.rows[i];
            row.cpu = 0.0;
            row.memory = 0;
            if !row.counted() {
                continue;
            }
            let Some((first_source, demand_cpu, memory)) = traffic.slot_usage(i, row.pod) else {
                continue;
            };
            let h = hold((demand_cpu, memory), limits);
            row.cpu = h.cpu;
            row.memory = h.memory;
            if h.throttled || h.oom {
                exceptions.push(Exception::new(
                    traffic,
                    i,
                    row,
                    first_source,
                    limits,
                    memory,
                    h.oom,
                ));
            }
        }
        for g in t.groups.iter().filter(|g| g.throttled || g.oom) {
            for &i in &g.members {
                let i = i as usize;
                exceptions.push(Exception::new(
                    traffic,
                    i,
                    &t.rows[i],
                    g.key.source,
                    t.limits[i],
                    g.demand.1,
                    g.oom,
                ));
            }
        }
        #[cfg(debug_assertions)]
        self.check_usage(traffic, cx);
        if !exceptions.is_empty() {
            exceptions.sort_unstable_by_key(|e| e.key);
            for e in &exceptions {
                self.on_exception(e, cx);
            }
        }
        self.ext.exceptions = exceptions;
    }

    /// Debug builds, after a load tick: every row mirrors its run, is in the group its state
    /// calls for (or solo when none), and uses what the load model asks of it.
    #[cfg(debug_assertions)]
    fn check_usage(&self, traffic: &Traffic, cx: &Ctx<'_>) {
        let t = &self.rows;
        t.check_lists();
        for (i, row) in t.rows.iter().enumerate() {
            if !row.present() {
                continue;
            }
            assert!(self.runs[i].as_ref().is_some_and(|r| r.pod == row.pod
                && (r.stage == Stage::Running) == row.running()
                && r.life.first_running.unwrap_or(rows::NO_CONTAINER) == row.first_running
                && r.life.node.map_or(rows::NO_NODE, |n| n.index()) == row.node
                && r.life.limits == rows::as_options(t.limits[i])));
            let key = group_key(row, t.limits[i], traffic, i);
            assert_eq!(
                key,
                (row.group != rows::NO_GROUP).then(|| t.groups[row.group as usize].key),
                "slot {i}: not in the group its state calls for"
            );
            if !row.counted() {
                continue;
            }
            assert!(cx.store.pod(row.pod).is_some_and(|pod| {
                pod.status.node.map(|n| n.index()) == Some(row.node)
                    && pod_limits(pod) == rows::as_options(t.limits[i])
            }));
            let expect = match traffic.slot_usage(i, row.pod) {
                Some((_, cpu, memory)) => {
                    assert_eq!(
                        traffic
                            .slot_demand(i, row.pod)
                            .map(|d| (d.demand.cpu, d.memory)),
                        Some((cpu, memory))
                    );
                    let h = hold((cpu, memory), t.limits[i]);
                    (h.cpu, h.memory)
                }
                None => (0.0, 0),
            };
            assert_eq!(t.usage(i), expect, "slot {i}: usage");
        }
    }

    /// A pod over its cpu limit (throttled) or memory limit (OOM-killed) at a load tick.
    fn on_exception(&mut self, e: &Exception, cx: &mut Ctx<'_>) {
        let p = e.key.1;
        let d = e.demand;
        let (cpu_limit, mem_limit) = e.limits;
        if let Some(l) = cpu_limit
            && d.cpu > l as f64
        {
            let excess = d.cpu - l as f64;
            let served = if d.cpu > d.cpu_base {
                ((l as f64 - d.cpu_base) / (d.cpu - d.cpu_base)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let unserved = d.rps * (1.0 - served);
            let st = &mut self.ext.stats;
            st.throttled_cpu_m += excess.round() as i64;
            st.unserved_rps += unserved;
            self.ext.throttle_rate += excess;
        }
        let (Some(l), true) = (mem_limit, e.oom) else {
            return;
        };
        let memory = e.memory;
        let first_running = e.first_running as usize;
        if cx.store.trace.enabled()
            && let Some(pod) = cx.store.pod(p)
        {
            let c = pod.spec.containers[first_running].name.clone();
            let node_name = pod
                .status
                .node
                .map(|n| cx.store.node_ref(n).name)
                .unwrap_or_default();
            cx.store.cause(
                "OOMKilled",
                None,
                |s| vec![s.pod_ref(p)],
                |_| {
                    format!(
                        "memory usage {} above the memory limit {} on node {node_name}: the kernel OOM-kills container {c} (exit code {OOM_EXIT_CODE}, reason OOMKilled)",
                        format_mem(memory),
                        format_bytes(l)
                    )
                },
            );
        }
        self.container_exited(p, first_running, OOM_EXIT_CODE, TermReason::OomKilled, cx);
    }

    /// What the pod's cgroups report now: cumulative cpu (millicore-seconds) and the memory
    /// working set (bytes); None unless its containers run.
    pub fn pod_usage_counters(&mut self, p: PodId, now: SimTime) -> Option<(f64, i64)> {
        self.sync_rows();
        let run = self.runs.get(p.index() as usize)?.as_ref()?;
        if run.pod != p || run.stage != Stage::Running {
            return None;
        }
        let i = self.rows.slot(p)?;
        // Core-nanoseconds are millicore-microseconds.
        let cum = self.rows.cum_at(i, now) as f64 / 1e6;
        Some((cum, self.rows.usage(i).1))
    }

    /// metrics-server's scrape of every kubelet (`/metrics/resource`): tells `sink` what each
    /// running pod's cgroups report now, by usage group where it can. In order:
    ///
    /// 1. [`ScrapeSink::left`] for every pod that left a group it was registered in since the
    ///    last scrape;
    /// 2. [`ScrapeSink::group`] for every group: the counter of a member that was in it from
    ///    the start, and its members' memory; then [`ScrapeSink::groups_done`];
    /// 3. [`ScrapeSink::pod`] for every running pod not registered in a group: a pod that
    ///    joined a group since the last scrape (registered in it from now on), and every
    ///    running solo pod.
    pub fn scrape(&mut self, now: SimTime, sink: &mut impl ScrapeSink) {
        self.sync_rows();
        let left = self.rows.take_left();
        for &l in &left {
            sink.left(l);
        }
        self.rows.put_left(left);
        let t = &self.rows;
        for (g, grp) in t.groups.iter().enumerate() {
            sink.group(g as u32, grp.cum_at(t.last_tick, now), grp.memory);
        }
        sink.groups_done();
        self.rows.take_fresh(|t, i, g| {
            sink.pod(
                t.rows[i].pod,
                t.cum_at(i, now),
                t.groups[g as usize].memory,
                Some(g),
            )
        });
        let t = &self.rows;
        for &i in &t.solo {
            let r = &t.rows[i as usize];
            if r.running() {
                sink.pod(r.pod, t.cum_at(i as usize, now), r.memory, None);
            }
        }
    }

    /// Debug builds: every running pod with its counter as a per-pod counter would hold it
    /// (not through its group) and its memory, to check metrics-server's samples against.
    #[cfg(debug_assertions)]
    pub fn debug_running(&mut self, now: SimTime) -> Vec<(PodId, u64, i64)> {
        self.sync_rows();
        let t = &self.rows;
        (0..t.rows.len())
            .filter(|&i| t.rows[i].present() && t.rows[i].running())
            .map(|i| {
                let (cpu, memory) = t.usage(i);
                let cum = super::groups::advance(t.rows[i].shadow, cpu, t.last_tick, now);
                (t.rows[i].pod, cum, memory)
            })
            .collect()
    }

    /// A running pod's usage at the last load tick: cpu (millicores, after throttling) and
    /// memory working set (bytes); None unless its containers run.
    pub fn pod_usage_now(&self, p: PodId) -> Option<(f64, i64)> {
        let run = self.runs.get(p.index() as usize)?.as_ref()?;
        if run.pod != p || run.stage != Stage::Running {
            return None;
        }
        Some(self.rows.usage(self.rows.slot(p)?))
    }

    /// Memory the pods on `node` (its pods `pods`) use now (bytes): the sum over those whose
    /// containers run there, as of the last load tick.
    fn node_memory(&mut self, node: NodeId, pods: impl Iterator<Item = PodId>) -> i64 {
        self.sync_rows();
        let t = &self.rows;
        pods.filter_map(|p| {
            let i = t.slot(p)?;
            let r = &t.rows[i];
            (r.counted() && r.node == node.index()).then(|| t.usage(i).1)
        })
        .sum()
    }

    /// Whether the eviction manager runs (a memory threshold is set).
    pub fn eviction_enabled(&self) -> bool {
        self.ext.eviction.is_some()
    }

    /// The eviction manager's housekeeping (`synchronize`), every 10 s: looks at each node's
    /// memory, keeps its MemoryPressure condition, and evicts at most one pod per node.
    pub fn on_housekeeping(&mut self, cx: &mut Ctx<'_>) {
        let Some(threshold) = self.ext.eviction else {
            return;
        };
        let now = cx.now;
        let nodes: Vec<NodeId> = cx.store.node_ids().to_vec();
        // The memory bounds as of now (an eviction below changes only its own node's).
        self.sync_rows();
        for node in nodes {
            let Some(n) = cx.store.node(node) else {
                continue;
            };
            if n.health != crate::model::node::NodeHealth::Up {
                continue;
            }
            let capacity = if n.capacity.memory > 0 {
                n.capacity.memory
            } else {
                n.allocatable.memory
            };
            let thr = match threshold {
                MemoryThreshold::Bytes(b) => b,
                MemoryThreshold::Percent(bp) => (capacity as i128 * bp as i128 / 10_000) as i64,
            };
            let (had, name) = (n.memory_pressure, n.name);
            // Pods whose memory limits add up to less than `capacity - thr` cannot bring the
            // node below the threshold (a container above its limit is OOM-killed).
            let below = if self
                .rows
                .node_may_exceed(node.index() as usize, capacity - thr)
            {
                let available = capacity - self.node_memory(node, n.pods.iter().copied());
                (available < thr).then_some(available)
            } else {
                None
            };
            if let Some(available) = below {
                let obj = cx.store.node_ref(node);
                self.ext.pressure_seen.insert(node, now);
                if !had {
                    cx.store.update_node(node, |n| n.memory_pressure = true);
                    cx.store.record(
                        obj.clone(),
                        EventType::Normal,
                        "NodeHasInsufficientMemory",
                        "kubelet",
                        |s| {
                            format!(
                                "Node {} status is now: NodeHasInsufficientMemory",
                                s.interner.resolve(name)
                            )
                        },
                    );
                }
                cx.store.record(
                    obj,
                    EventType::Warning,
                    "EvictionThresholdMet",
                    "kubelet",
                    |_| "Attempting to reclaim memory".to_string(),
                );
                self.evict_one(node, thr, available, cx);
            } else if had
                && self
                    .ext
                    .pressure_seen
                    .get(&node)
                    .is_none_or(|&t| now.since(t) >= self.ext.transition)
            {
                self.ext.pressure_seen.remove(&node);
                cx.store.update_node(node, |n| n.memory_pressure = false);
                let obj = cx.store.node_ref(node);
                cx.store.record(
                    obj,
                    EventType::Normal,
                    "NodeHasSufficientMemory",
                    "kubelet",
                    |s| {
                        format!(
                            "Node {} status is now: NodeHasSufficientMemory",
                            s.interner.resolve(name)
                        )
                    },
                );
            }
        }
    }

    /// Evicts the first pod of `node` in `rankMemoryPressure` order.
    fn evict_one(&mut self, node: NodeId, threshold: i64, available: i64, cx: &mut Ctx<'_>) {
        let Some(n) = cx.store.node(node) else { return };
        let mut best: Option<(RankKey, PodId, i64)> = None;
        for &p in &n.pods {
            let Some(pod) = cx.store.pod(p) else { continue };
            if !pod.is_active() || pod.priority >= SYSTEM_CRITICAL_PRIORITY {
                continue;
            }
            let usage = self.runs.get(p.index() as usize).and_then(|r| r.as_ref());
            let usage = match usage {
                Some(r) if r.pod == p && r.stage != Stage::Done => {
                    self.rows.slot(p).map_or(0, |i| self.rows.usage(i).1)
                }
                _ => 0,
            };
            let key = memory_rank_key(usage, pod.requests.memory, pod.priority, pod.uid);
            if best.as_ref().is_none_or(|b| key < b.0) {
                best = Some((key, p, usage));
            }
        }
        let Some((_, victim, usage)) = best else {
            return;
        };
        let pod = cx.store.pod(victim).expect("ranked");
        // evictionMessage (helpers.go).
        let mut message = format!(
            "The node was low on resource: memory. Threshold quantity: {}, available: {}. ",
            format_bytes(threshold),
            format_bytes(available)
        );
        if let Some(c) = pod.spec.containers.first() {
            let req = c.requests.memory;
            if usage > req {
                message.push_str(&format!(
                    "Container {} was using {}, request is {}, has larger consumption of memory. ",
                    c.name,
                    format_bytes(usage),
                    format_bytes(req)
                ));
            }
        }
        let running: Vec<Arc<str>> = match self.run(victim) {
            Some(r) => r
                .life
                .ctrs
                .iter()
                .zip(pod.spec.containers.iter())
                .filter(|(c, _)| c.running_since.is_some())
                .map(|(_, s)| s.name.clone())
                .collect(),
            None => Vec::new(),
        };
        let obj = cx.store.pod_ref(victim);
        let msg: Arc<str> = Arc::from(message);
        let m2 = msg.clone();
        cx.store.record(
            obj.clone(),
            EventType::Warning,
            "Evicted",
            "kubelet",
            |_| m2.to_string(),
        );
        for name in running {
            cx.store
                .record(obj.clone(), EventType::Normal, "Killing", "kubelet", |_| {
                    format!("Stopping container {name}")
                });
        }
        if let Some(r) = self.run(victim) {
            r.generation += 1;
            r.stage = Stage::Done;
            r.started.iter_mut().for_each(|s| *s = None);
            for c in &mut r.life.ctrs {
                c.running_since = None;
            }
            r.life.refresh_running();
        }
        self.ext.stats.evictions += 1;
        cx.store.update_pod_status(victim, PodDelta::STATUS, |s| {
            s.reason = Some(PodReason::Evicted);
            s.message = Some(msg);
            // The DisruptionTarget condition the kubelet adds before killing the pod.
            s.disruption_target = Some(crate::model::pod::DisruptionReason::TerminationByKubelet);
        });
        cx.store.set_pod_phase(victim, PodPhase::Failed);
    }
}

/// What metrics-server receives from a scrape of the kubelets ([`Kubelet::scrape`]).
pub trait ScrapeSink {
    /// A pod left the usage group it was registered in (see [`ScrapeSink::pod`]) since the
    /// last scrape; its counter was `anchor` plus the group's.
    fn left(&mut self, left: Left);
    /// Group `group` now: the counter of a member that was in it from the start
    /// (core-nanoseconds, wrapping) and each member's memory working set (bytes). Every
    /// member registered in it at an earlier scrape still runs and has these samples.
    fn group(&mut self, group: u32, cum: u64, memory: i64);
    /// Every group has been given.
    fn groups_done(&mut self);
    /// A running pod's counter (core-nanoseconds, wrapping) and memory working set (bytes);
    /// `join`: the pod is registered in that group from now on.
    fn pod(&mut self, pod: PodId, cum: u64, memory: i64, join: Option<u32>);
}

/// The usage group a row belongs in: every running pod on a node with a running container,
/// targeted by at most one load source; None for the others (they stay solo).
fn group_key(
    row: &rows::Row,
    limits: (i64, i64),
    traffic: &Traffic,
    slot: usize,
) -> Option<GroupKey> {
    if !row.counted() {
        return None;
    }
    match traffic.slot_sources(slot, row.pod) {
        SlotSources::None => Some(GroupKey {
            source: NO_SOURCE,
            ready: false,
            loaded: false,
            limits,
        }),
        SlotSources::One {
            source,
            ready,
            running,
        } => Some(GroupKey {
            source,
            ready,
            loaded: running,
            limits,
        }),
        SlotSources::Many => None,
    }
}

/// A pod's cpu (millicores) and memory (bytes) limits: pod-level limits where set, else the
/// sum over app containers when every one of them sets that limit.
pub fn pod_limits(pod: &crate::model::Pod) -> (Option<i64>, Option<i64>) {
    let cs = &pod.spec.containers;
    let sum = |f: fn(&crate::model::pod::Container) -> i64| -> Option<i64> {
        if !cs.is_empty() && cs.iter().all(|c| f(c) > 0) {
            Some(cs.iter().map(f).sum())
        } else {
            None
        }
    };
    let mut cpu = sum(|c| c.limits.cpu);
    let mut mem = sum(|c| c.limits.memory);
    if let Some(l) = &pod.spec.pod_limits {
        if l.cpu > 0 {
            cpu = Some(l.cpu);
        }
        if l.memory > 0 {
            mem = Some(l.memory);
        }
    }
    (cpu, mem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_render_like_binary_si() {
        assert_eq!(format_bytes(100 * 1024 * 1024), "100Mi");
        assert_eq!(format_bytes(51200 * 1024), "50Mi");
        assert_eq!(format_bytes(51201 * 1024), "51201Ki");
        assert_eq!(format_bytes(1500), "1500");
        assert_eq!(format_bytes(0), "0");
        assert_eq!(format_bytes(-2048), "-2Ki");
    }

    #[test]
    fn memory_ranking_puts_best_effort_first_and_guaranteed_last() {
        const MI: i64 = 1024 * 1024;
        // BestEffort: no request, 300Mi used. Burstable: 100Mi requested, 200Mi used.
        // Guaranteed: 900Mi requested, 900Mi used (not above requests).
        let be = memory_rank_key(300 * MI, 0, 0, 3);
        let bu = memory_rank_key(200 * MI, 100 * MI, 0, 1);
        let g = memory_rank_key(900 * MI, 900 * MI, 0, 2);
        let mut v = [(g, "g"), (bu, "bu"), (be, "be")];
        v.sort();
        assert_eq!(v.map(|x| x.1), ["be", "bu", "g"]);
        // Priority beats usage among pods above their requests.
        let low = memory_rank_key(10 * MI, 0, -5, 9);
        assert!(low < be);
    }
}
