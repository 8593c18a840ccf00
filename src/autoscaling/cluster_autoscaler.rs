//! The Cluster Autoscaler (kubernetes/autoscaler `cluster-autoscaler`: `core/static_autoscaler.go`
//! `RunOnce`, `core/scaleup/orchestrator/orchestrator.go`, `estimator/binpacking_estimator.go`,
//! `expander/waste`, `core/scaledown/{planner,eligibility,unneeded}`,
//! `simulator/drainability/rules`), over the scenario's node pools that set `max`.
//!
//! Every `--scan-interval` (10 s): pods the scheduler found unschedulable (and older than 2 s)
//! that would not fit on nodes already coming up are tested against each node group's template
//! node with the scheduler's own PreFilter and node-local Filter plugins; the binpacking
//! estimator (first fit, pods by decreasing request score) counts the nodes needed; the expander
//! picks a group; nodes are requested and join after the pool's provisioning delay. Scale-down:
//! a node whose requests are below `--scale-down-utilization-threshold` (max of cpu and memory
//! over allocatable) for `--scale-down-unneeded-time`, whose pods can all move to other nodes
//! and none of which blocks removal, is drained through the Eviction API and deleted — empty
//! nodes together, others one per loop, never below the group's `min`, and not within
//! `--scale-down-delay-after-add` of a scale-up.
//!
//! Scale-up requests are tracked as `clusterstate/clusterstate.go` does: a group whose
//! requested nodes have not all registered within `--max-node-provision-time` (15m) times out
//! (`ScaleUpTimedOut`), is backed off (`utils/backoff`), and its unregistered nodes are removed;
//! instance-creation errors reported by the cloud back the group off at once (`ScaleUpFailed`).
//! A backed-off group is skipped by scale-up ("in backoff after failed scale-up").
//!
//! This module decides; `sim::maintenance` carries the decisions out.

use super::backoff::Backoff;
use super::expander::{self, Candidate, Expander, Priorities};
use crate::controllers::disruption::Budget;
use crate::engine::{SimDuration, SimRng, SimTime};
use crate::model::pod::{PodPhase, VolumeRef};
use crate::model::{Node, NodeId, OwnerRef, Pod, PodId};
use crate::scenario::ClusterAutoscalerSettings;
use crate::scheduler::{Scheduler, TemplateFit};
use crate::store::Store;
use std::collections::BTreeMap;

/// The flags in effect.
#[derive(Clone, Debug)]
pub struct Flags {
    /// `--scan-interval`.
    pub scan_interval: SimDuration,
    /// `--expander`, a chain.
    pub expander: Vec<Expander>,
    /// The priority expander's configuration (scenario field or ConfigMap).
    pub priorities: Option<Priorities>,
    /// `--max-node-provision-time`.
    pub max_node_provision_time: SimDuration,
    /// `--scale-down-delay-after-failure`.
    pub delay_after_failure: SimDuration,
    /// `--initial-node-group-backoff-duration`.
    pub initial_backoff: SimDuration,
    /// `--max-node-group-backoff-duration`.
    pub max_backoff: SimDuration,
    /// `--node-group-backoff-reset-timeout`.
    pub backoff_reset: SimDuration,
    /// `--scale-down-enabled`.
    pub scale_down: bool,
    /// `--scale-down-utilization-threshold`.
    pub threshold: f64,
    /// `--scale-down-unneeded-time`.
    pub unneeded_time: SimDuration,
    /// `--scale-down-delay-after-add`.
    pub delay_after_add: SimDuration,
    /// `--scale-down-delay-after-delete` (0: the scan interval).
    pub delay_after_delete: SimDuration,
    /// `--max-nodes-total` (0: unlimited).
    pub max_nodes_total: u32,
    /// `--max-graceful-termination-sec`.
    pub max_graceful_termination: SimDuration,
    /// `--max-pod-eviction-time`.
    pub max_pod_eviction_time: SimDuration,
}

impl Flags {
    /// The scenario's settings over cluster-autoscaler's defaults.
    pub fn from(s: &ClusterAutoscalerSettings) -> Flags {
        Flags {
            scan_interval: s.scan_interval.map_or(SimDuration::from_secs(10), |d| d.0),
            // Checked when the scenario loads; an unparsable chain falls back to the default.
            expander: s
                .expander
                .as_deref()
                .and_then(|e| expander::parse_chain(e).ok())
                .unwrap_or_else(|| vec![Expander::LeastWaste]),
            priorities: s
                .priorities
                .as_ref()
                .and_then(|p| Priorities::compile(p).ok()),
            max_node_provision_time: s
                .max_node_provision_time
                .map_or(SimDuration::from_mins(15), |d| d.0),
            delay_after_failure: s
                .scale_down_delay_after_failure
                .map_or(SimDuration::from_mins(3), |d| d.0),
            initial_backoff: s
                .initial_node_group_backoff_duration
                .map_or(SimDuration::from_mins(5), |d| d.0),
            max_backoff: s
                .max_node_group_backoff_duration
                .map_or(SimDuration::from_mins(30), |d| d.0),
            backoff_reset: s
                .node_group_backoff_reset_timeout
                .map_or(SimDuration::from_mins(180), |d| d.0),
            scale_down: s.scale_down_enabled.unwrap_or(true),
            threshold: s.scale_down_utilization_threshold.unwrap_or(0.5),
            unneeded_time: s
                .scale_down_unneeded_time
                .map_or(SimDuration::from_secs(600), |d| d.0),
            delay_after_add: s
                .scale_down_delay_after_add
                .map_or(SimDuration::from_secs(600), |d| d.0),
            delay_after_delete: s
                .scale_down_delay_after_delete
                .map_or(SimDuration::ZERO, |d| d.0),
            max_nodes_total: s.max_nodes_total.unwrap_or(0),
            max_graceful_termination: SimDuration::from_secs(
                s.max_graceful_termination_sec.unwrap_or(600).into(),
            ),
            max_pod_eviction_time: s
                .max_pod_eviction_time
                .map_or(SimDuration::from_mins(2), |d| d.0),
        }
    }
}

/// A node group (a pool with `max`).
#[derive(Clone, Debug)]
pub struct Group {
    /// Pool index.
    pub pool: usize,
    /// Pool name.
    pub name: String,
    /// `min`.
    pub min: u32,
    /// `max`.
    pub max: u32,
    /// Price per node-hour (the `price` expander).
    pub price: f64,
    /// The node a scale-up would add.
    pub template: Node,
}

/// What the autoscaler decided in one loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Add `count` nodes to group `group`; `pods` triggered it.
    ScaleUp {
        /// Group index.
        group: usize,
        /// Nodes to add.
        count: u32,
        /// The pods the new nodes are for.
        pods: Vec<PodId>,
        /// Group size before (ready + upcoming).
        from: u32,
        /// Why this group: the expander and every option it weighed.
        why: String,
    },
    /// Pods no group can help, with the per-group reasons (`NotTriggerScaleUp`).
    NoScaleUp(PodId, String),
    /// Group `group`'s scale-up did not register within `--max-node-provision-time`
    /// (`ScaleUpTimedOut`); the group is backed off and its `removed` unregistered nodes go.
    ScaleUpTimedOut {
        /// Group index.
        group: usize,
        /// Time since the scale-up request.
        after: SimDuration,
        /// Upcoming nodes removed.
        removed: u32,
    },
    /// The cloud reported `count` instance-creation errors in group `group` (`ScaleUpFailed`);
    /// the group is backed off and the failed instances are deleted.
    ScaleUpFailed {
        /// Group index.
        group: usize,
        /// Failed instances.
        count: u32,
    },
    /// Remove `node` (empty or with movable pods).
    ScaleDown {
        /// The node.
        node: NodeId,
        /// Pods to reschedule.
        pods: usize,
        /// Its utilization.
        utilization: f64,
    },
}

/// The autoscaler's memory between loops.
#[derive(Debug)]
pub struct ClusterAutoscaler {
    /// Flags.
    pub flags: Flags,
    /// Node groups.
    pub groups: Vec<Group>,
    /// Nodes requested but not up yet, per group.
    pub upcoming: Vec<u32>,
    unneeded_since: BTreeMap<NodeId, SimTime>,
    /// Nodes being removed.
    pub deleting: Vec<NodeId>,
    last_scale_up: Option<SimTime>,
    last_delete: Option<SimTime>,
    last_no_scale_up: BTreeMap<PodId, String>,
    last_scale_down_fail: Option<SimTime>,
    /// Open scale-up requests per group (`ScaleUpRequest`).
    requests: BTreeMap<usize, Request>,
    /// Instance-creation errors reported since the last loop, per group.
    creation_errors: BTreeMap<usize, u32>,
    /// Per-group backoff after failed scale-ups.
    pub backoff: Backoff,
    rng: SimRng,
    /// Failed scale-ups so far (timeouts and instance-creation errors).
    pub failed_scale_ups: u32,
    /// Scale-ups so far.
    pub scale_ups: u32,
    /// Nodes requested by scale-ups so far.
    pub nodes_added: u32,
    /// Nodes removed so far.
    pub scale_downs: u32,
    /// Per node slot: the pods that would have to move if it went, as of a node generation
    /// (see [`Store::node_generation`]: it moves whenever a pod is bound to the node, leaves
    /// it or ends, which is all the list depends on).
    movable: Vec<Option<(NodeId, u64, Vec<PodId>)>>,
}

/// `clusterstate.ScaleUpRequest`.
#[derive(Copy, Clone, Debug)]
struct Request {
    increase: u32,
    time: SimTime,
    expected_add: SimTime,
}

fn pod_score(p: &Pod, t: &Node) -> f64 {
    // decreasing_pod_orderer: cpu and memory requests relative to the template's allocatable.
    let c = p.requests.cpu as f64 / t.allocatable.cpu.max(1) as f64;
    let m = p.requests.memory as f64 / t.allocatable.memory.max(1) as f64;
    c + m
}

#[derive(Copy, Clone, Default)]
struct Used {
    cpu: i64,
    mem: i64,
    pods: i64,
}

fn fits(u: Used, p: &Pod, n: &Node) -> bool {
    u.cpu + p.requests.cpu <= n.allocatable.cpu
        && u.mem + p.requests.memory <= n.allocatable.memory
        && u.pods < n.allowed_pods
}

/// Whether `p` fits the existing node `n` with `extra` already placed on it by this loop's
/// simulation: requests, pod count, then the scheduler's own filters.
fn fits_existing(p: &Pod, n: &Node, extra: Used, tf: &mut TemplateFit<'_>) -> bool {
    let used = Used {
        cpu: n.requested.cpu + extra.cpu,
        mem: n.requested.memory + extra.mem,
        pods: n.pod_count + extra.pods,
    };
    fits(used, p, n) && tf.check(n).is_ok()
}

fn add(u: &mut Used, p: &Pod) {
    u.cpu += p.requests.cpu;
    u.mem += p.requests.memory;
    u.pods += 1;
}

impl ClusterAutoscaler {
    /// An autoscaler over `groups`; `rng` breaks expander ties.
    pub fn new(flags: Flags, groups: Vec<Group>, rng: SimRng) -> Self {
        let n = groups.len();
        ClusterAutoscaler {
            backoff: Backoff::new(
                flags.initial_backoff,
                flags.max_backoff,
                flags.backoff_reset,
            ),
            last_scale_down_fail: None,
            requests: BTreeMap::new(),
            creation_errors: BTreeMap::new(),
            rng,
            failed_scale_ups: 0,
            flags,
            groups,
            upcoming: vec![0; n],
            unneeded_since: BTreeMap::new(),
            deleting: Vec::new(),
            last_scale_up: None,
            last_delete: None,
            last_no_scale_up: BTreeMap::new(),
            scale_ups: 0,
            nodes_added: 0,
            scale_downs: 0,
            movable: Vec::new(),
        }
    }

    /// The pods that would have to move off `id` (DaemonSet pods go with the node), from the
    /// cache while the node's generation is unchanged.
    fn movable_pods(&mut self, id: NodeId, n: &Node, store: &Store) -> &[PodId] {
        let i = crate::model::ArenaId::index(id) as usize;
        if self.movable.len() <= i {
            self.movable.resize(i + 1, None);
        }
        let generation = store.node_generation(id);
        let list = || -> Vec<PodId> {
            n.pods
                .iter()
                .copied()
                .filter(|&p| {
                    store.pod(p).is_some_and(|pod| {
                        !pod.deleted
                            && !pod.status.phase.is_terminal()
                            && !matches!(pod.owner, Some(OwnerRef::DaemonSet(_)))
                    })
                })
                .collect()
        };
        let slot = &mut self.movable[i];
        if slot
            .as_ref()
            .is_some_and(|(node, g, _)| *node == id && *g == generation)
        {
            debug_assert_eq!(slot.as_ref().map(|s| &s.2), Some(&list()), "stale");
        } else {
            *slot = Some((id, generation, list()));
        }
        &slot.as_ref().expect("just filled").2
    }

    fn group_size(&self, g: usize, store: &Store) -> u32 {
        let pid = crate::model::PoolId(self.groups[g].pool as u32);
        store
            .nodes()
            .filter(|(id, n)| n.pool == Some(pid) && !self.deleting.contains(id))
            .count() as u32
            + self.upcoming[g]
    }

    /// [`ClusterAutoscaler::group_size`] of every group, from one pass over the nodes.
    fn group_sizes(&self, store: &Store) -> Vec<u32> {
        let mut sizes = self.upcoming.clone();
        for (id, n) in store.nodes() {
            let Some(pid) = n.pool else { continue };
            let mut counted = None;
            for (g, grp) in self.groups.iter().enumerate() {
                if pid.0 as usize == grp.pool {
                    let c = *counted.get_or_insert_with(|| !self.deleting.contains(&id));
                    if c {
                        sizes[g] += 1;
                    }
                }
            }
        }
        sizes
    }

    /// `RunOnce`.
    pub fn run_once(&mut self, now: SimTime, store: &Store, sched: &Scheduler) -> Vec<Decision> {
        let mut out = Vec::new();
        self.update_scale_requests(now, &mut out);
        let scaled_up = self.scale_up(now, store, sched, &mut out);
        if self.flags.scale_down && !scaled_up {
            self.scale_down(now, store, sched, &mut out);
        }
        out
    }

    fn scale_up(
        &mut self,
        now: SimTime,
        store: &Store,
        sched: &Scheduler,
        out: &mut Vec<Decision>,
    ) -> bool {
        // Pods the scheduler marked unschedulable (no scan when every pod is bound).
        if store.pod_counts().unbound == 0 {
            self.last_no_scale_up.clear();
            return false;
        }
        let mut pending: Vec<(PodId, &Pod)> = store
            .pending_unbound_pods()
            .filter(|(_, p)| {
                !p.deleted
                    && p.status.node.is_none()
                    && p.status.phase == PodPhase::Pending
                    && p.status.unschedulable
            })
            .collect();
        debug_assert_eq!(
            pending.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            store
                .pods()
                .filter(|(_, p)| p.status.node.is_none()
                    && p.status.phase == PodPhase::Pending
                    && p.status.unschedulable)
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        );
        self.last_no_scale_up
            .retain(|p, _| pending.iter().any(|(q, _)| q == p));
        if pending.is_empty() {
            return false;
        }
        // allPodsAreNew: wait one loop for more pods when the oldest is younger than 2 s.
        let oldest = pending
            .iter()
            .map(|(_, p)| p.created)
            .min()
            .expect("non-empty");
        if now.since(oldest.min(now)) < SimDuration::from_secs(2) {
            return false;
        }
        // FilterOutSchedulable: pods that fit on an existing node now (e.g. one that just joined)
        // are left to the scheduler.
        let mut extra: BTreeMap<NodeId, Used> = BTreeMap::new();
        let ready: Vec<(NodeId, &crate::model::Node)> = store
            .nodes()
            .filter(|(id, n)| n.is_ready() && !self.deleting.contains(id))
            .collect();
        // A pod that fits nowhere rules out its ReplicaSet siblings with the same requests
        // (same template: the same filters pass or fail on each node, and `extra` only grows
        // during the pass); pods with volumes are always tried.
        let mut fit_nowhere: Vec<(crate::model::ReplicaSetId, i64, i64)> = Vec::new();
        let sibling_key = |p: &Pod| match p.owner {
            Some(OwnerRef::ReplicaSet(rs)) if p.spec.volumes.is_empty() => {
                Some((rs, p.requests.cpu, p.requests.memory))
            }
            _ => None,
        };
        pending.retain(|&(_, p)| {
            let key = sibling_key(p);
            let known = key.is_some_and(|k| fit_nowhere.contains(&k));
            if known && !cfg!(debug_assertions) {
                return true;
            }
            let mut tf = sched.template_fit(p, store);
            for &(id, n) in &ready {
                let e = extra.get(&id).copied().unwrap_or_default();
                if fits_existing(p, n, e, &mut tf) {
                    debug_assert!(!known, "a sibling of a pod that fit nowhere fits");
                    add(extra.entry(id).or_default(), p);
                    return false;
                }
            }
            if let Some(k) = key
                && !known
            {
                fit_nowhere.push(k);
            }
            true
        });
        if pending.is_empty() {
            return false;
        }
        // Pods that fit on nodes already coming up are left to them.
        let mut upcoming: Vec<(usize, Used)> = Vec::new();
        for (g, &n) in self.upcoming.iter().enumerate() {
            for _ in 0..n {
                upcoming.push((g, Used::default()));
            }
        }
        pending.retain(|&(_, p)| {
            let mut tf = sched.template_fit(p, store);
            for (g, u) in upcoming.iter_mut() {
                let t = &self.groups[*g].template;
                if fits(*u, p, t) && tf.check(t).is_ok() {
                    add(u, p);
                    return false;
                }
            }
            true
        });
        if pending.is_empty() {
            return false;
        }
        let total_nodes = store.nodes().count() as u32 + self.upcoming.iter().sum::<u32>();
        // One option per group: the pods that fit its template, binpacked.
        struct Opt {
            group: usize,
            nodes: u32,
            pods: Vec<PodId>,
            req_cpu: i64,
            req_mem: i64,
        }
        let mut options: Vec<Opt> = Vec::new();
        let mut reasons: BTreeMap<PodId, BTreeMap<String, u32>> = BTreeMap::new();
        let sizes = self.group_sizes(store);
        for (g, grp) in self.groups.iter().enumerate() {
            let size = sizes[g];
            let t = &grp.template;
            let mut fitting: Vec<&(PodId, &Pod)> = Vec::new();
            let backed_off = self.backoff.is_backed_off(g, now);
            for e in &pending {
                if backed_off {
                    *reasons
                        .entry(e.0)
                        .or_default()
                        .entry("in backoff after failed scale-up".into())
                        .or_default() += 1;
                    continue;
                }
                if size >= grp.max {
                    *reasons
                        .entry(e.0)
                        .or_default()
                        .entry("max node group size reached".into())
                        .or_default() += 1;
                    continue;
                }
                match sched.fits_template(e.1, t, store) {
                    Ok(()) if fits(Used::default(), e.1, t) => fitting.push(e),
                    Ok(()) => {
                        *reasons
                            .entry(e.0)
                            .or_default()
                            .entry("Insufficient resources".into())
                            .or_default() += 1;
                    }
                    Err((_, st)) => {
                        let why = st.message().to_string();
                        *reasons.entry(e.0).or_default().entry(why).or_default() += 1;
                    }
                }
            }
            if fitting.is_empty() {
                continue;
            }
            // Binpacking estimator: pods by decreasing score, first fit on the new nodes.
            fitting.sort_by(|a, b| {
                pod_score(b.1, t)
                    .total_cmp(&pod_score(a.1, t))
                    .then(a.0.cmp(&b.0))
            });
            let mut limit = grp.max - size;
            if self.flags.max_nodes_total > 0 {
                limit = limit.min(self.flags.max_nodes_total.saturating_sub(total_nodes));
            }
            let mut nodes: Vec<Used> = Vec::new();
            let mut pods = Vec::new();
            let (mut rc, mut rm) = (0, 0);
            for (id, p) in fitting {
                let slot = nodes.iter().position(|u| fits(*u, p, t));
                let i = match slot {
                    Some(i) => i,
                    None if (nodes.len() as u32) < limit => {
                        nodes.push(Used::default());
                        nodes.len() - 1
                    }
                    None => continue,
                };
                add(&mut nodes[i], p);
                pods.push(*id);
                // expander/waste's resourcesForPods: the app containers' requests.
                rc += p
                    .spec
                    .containers
                    .iter()
                    .map(|c| c.requests.cpu)
                    .sum::<i64>();
                rm += p
                    .spec
                    .containers
                    .iter()
                    .map(|c| c.requests.memory)
                    .sum::<i64>();
            }
            if !nodes.is_empty() {
                options.push(Opt {
                    group: g,
                    nodes: nodes.len() as u32,
                    pods,
                    req_cpu: rc,
                    req_mem: rm,
                });
            }
        }
        let cands: Vec<Candidate<'_>> = options
            .iter()
            .map(|o| {
                let g = &self.groups[o.group];
                Candidate {
                    name: &g.name,
                    nodes: o.nodes,
                    pods: o.pods.len(),
                    req_cpu: o.req_cpu,
                    req_mem: o.req_mem,
                    // resourcesForNode: the template's capacity (allocatable when the pool
                    // gives no capacity, as the model's nodes then have capacity = allocatable).
                    node_cpu: capacity_or_allocatable(
                        g.template.capacity.cpu,
                        g.template.allocatable.cpu,
                    ),
                    node_mem: capacity_or_allocatable(
                        g.template.capacity.memory,
                        g.template.allocatable.memory,
                    ),
                    price: g.price,
                }
            })
            .collect();
        let best = expander::choose(
            &self.flags.expander,
            self.flags.priorities.as_ref(),
            &cands,
            &mut self.rng,
        );
        let mut helped: Vec<PodId> = Vec::new();
        if let Some(i) = best {
            let weighed: Vec<String> = options
                .iter()
                .map(|o| {
                    let g = &self.groups[o.group];
                    let t = &g.template;
                    let ac = (capacity_or_allocatable(t.capacity.cpu, t.allocatable.cpu)
                        * o.nodes as i64) as f64;
                    let am = (capacity_or_allocatable(t.capacity.memory, t.allocatable.memory)
                        * o.nodes as i64) as f64;
                    let waste = (ac - o.req_cpu as f64) / ac + (am - o.req_mem as f64) / am;
                    format!(
                        "{} ({} node(s) for {} pod(s), waste {waste:.2}, price {:.2}/h)",
                        g.name,
                        o.nodes,
                        o.pods.len(),
                        g.price * o.nodes as f64
                    )
                })
                .collect();
            let why = format!(
                "expander {} chose {} among {}",
                self.flags
                    .expander
                    .iter()
                    .map(|e| e.name())
                    .collect::<Vec<_>>()
                    .join(","),
                self.groups[options[i].group].name,
                weighed.join(", ")
            );
            let o = &options[i];
            let from = self.group_size(o.group, store);
            self.upcoming[o.group] += o.nodes;
            self.register_scale_up(o.group, o.nodes, now);
            self.last_scale_up = Some(now);
            self.scale_ups += 1;
            self.nodes_added += o.nodes;
            helped = o.pods.clone();
            out.push(Decision::ScaleUp {
                group: o.group,
                count: o.nodes,
                pods: o.pods.clone(),
                from,
                why,
            });
        }
        for (p, _) in &pending {
            if helped.contains(p) {
                continue;
            }
            let msg = match reasons.get(p) {
                Some(r) if !r.is_empty() => {
                    let parts: Vec<String> = r.iter().map(|(k, v)| format!("{v} {k}")).collect();
                    format!("pod didn't trigger scale-up: {}", parts.join(", "))
                }
                _ => "pod didn't trigger scale-up: no node group can fit it".to_string(),
            };
            if self.last_no_scale_up.get(p) != Some(&msg) {
                self.last_no_scale_up.insert(*p, msg.clone());
                out.push(Decision::NoScaleUp(*p, msg));
            }
        }
        !helped.is_empty()
    }

    /// Whether `pod` blocks its node's removal (`simulator/drainability/rules`), and why.
    fn blocks(pod: &Pod, store: &Store, budgets: &[Budget]) -> Option<&'static str> {
        let i = &store.interner;
        let safe = pod.annotations.iter().find_map(|(k, v)| {
            (i.resolve(*k) == "cluster-autoscaler.kubernetes.io/safe-to-evict")
                .then(|| i.resolve(*v))
        });
        if safe == Some("true") {
            return None;
        }
        if safe == Some("false") {
            return Some("NotSafeToEvictAnnotation");
        }
        if pod.owner.is_none() {
            return Some("NotReplicated");
        }
        if pod
            .spec
            .volumes
            .iter()
            .any(|v| matches!(v, VolumeRef::Local))
        {
            return Some("LocalStorageRequested");
        }
        let covered: Vec<&Budget> = budgets
            .iter()
            .filter(|b| b.preemption_matches(pod, i))
            .collect();
        if i.resolve(pod.namespace) == "kube-system" && covered.is_empty() {
            return Some("UnmovableKubeSystemPod");
        }
        if covered
            .iter()
            .any(|b| b.status(store).disruptions_allowed < 1)
        {
            return Some("NotEnoughPdb");
        }
        None
    }

    fn scale_down(
        &mut self,
        now: SimTime,
        store: &Store,
        sched: &Scheduler,
        out: &mut Vec<Decision>,
    ) {
        let budgets = sched.budgets();
        // Utilization of every node of a group, in node order.
        let mut candidates: Vec<(NodeId, f64, usize)> = Vec::new();
        let mut live: Vec<NodeId> = Vec::new();
        for (id, n) in store.nodes() {
            let Some(g) = self
                .groups
                .iter()
                .position(|g| n.pool == Some(crate::model::PoolId(g.pool as u32)))
            else {
                continue;
            };
            if self.deleting.contains(&id) || !n.is_ready() {
                continue;
            }
            live.push(id);
            // Utilization: requests over allocatable, the larger of cpu and memory
            // (`simulator/utilization/info.go`; DaemonSet pods count, as with the default
            // --ignore-daemonsets-utilization=false).
            let u = (n.requested.cpu as f64 / n.allocatable.cpu.max(1) as f64)
                .max(n.requested.memory as f64 / n.allocatable.memory.max(1) as f64);
            if u < self.flags.threshold {
                let since = *self.unneeded_since.entry(id).or_insert(now);
                if now.since(since) >= self.flags.unneeded_time {
                    let movable = self.movable_pods(id, n, store).len();
                    candidates.push((id, u, movable));
                }
                let _ = g;
            } else {
                self.unneeded_since.remove(&id);
            }
        }
        let mut live_sorted = live.clone();
        live_sorted.sort_unstable();
        self.unneeded_since
            .retain(|id, _| live_sorted.binary_search(id).is_ok());
        // Unneeded nodes are tracked through the cool-down; only removal waits for it
        // (`isScaleDownInCooldown`).
        if self
            .last_scale_up
            .is_some_and(|t| now < t + self.flags.delay_after_add)
            || self
                .last_delete
                .is_some_and(|t| now < t + self.flags.delay_after_delete)
            || self
                .last_scale_down_fail
                .is_some_and(|t| now < t + self.flags.delay_after_failure)
        {
            return;
        }
        // Empty nodes first (all at once), then one non-empty node.
        candidates.sort_by(|a, b| a.2.cmp(&b.2).then(a.1.total_cmp(&b.1)));
        let mut took_nonempty = false;
        let mut planned: BTreeMap<NodeId, Used> = BTreeMap::new();
        // Group sizes, less the nodes chosen in this loop (each is a counted node of its group).
        let mut sizes = if candidates.is_empty() {
            Vec::new()
        } else {
            self.group_sizes(store)
        };
        for (id, u, _) in candidates {
            let n = store.node(id).expect("live");
            let pods = self.movable_pods(id, n, store).to_vec();
            let g = self
                .groups
                .iter()
                .position(|g| n.pool == Some(crate::model::PoolId(g.pool as u32)))
                .expect("grouped");
            let size = sizes[g];
            if size <= self.groups[g].min {
                continue;
            }
            if !pods.is_empty() {
                if took_nonempty {
                    continue;
                }
                if pods
                    .iter()
                    .any(|&p| Self::blocks(store.pod(p).expect("listed"), store, budgets).is_some())
                {
                    continue;
                }
                // Every pod must fit on another node that stays.
                let mut trial = planned.clone();
                let ok = pods.iter().all(|&p| {
                    let pod = store.pod(p).expect("listed");
                    let mut tf = sched.template_fit(pod, store);
                    for &other in &live {
                        if other == id || self.deleting.contains(&other) {
                            continue;
                        }
                        let on = store.node(other).expect("live");
                        let extra = trial.get(&other).copied().unwrap_or_default();
                        if fits_existing(pod, on, extra, &mut tf) {
                            add(trial.entry(other).or_default(), pod);
                            return true;
                        }
                    }
                    false
                });
                if !ok {
                    continue;
                }
                planned = trial;
                took_nonempty = true;
            }
            self.deleting.push(id);
            sizes[g] -= 1;
            self.unneeded_since.remove(&id);
            self.last_delete = Some(now);
            self.scale_downs += 1;
            out.push(Decision::ScaleDown {
                node: id,
                pods: pods.len(),
                utilization: u,
            });
        }
    }

    /// `registerOrUpdateScaleUp` with a positive delta: a new request, or a larger one whose
    /// time and expected arrival restart.
    fn register_scale_up(&mut self, g: usize, delta: u32, now: SimTime) {
        let expected_add = now + self.flags.max_node_provision_time;
        let r = self.requests.entry(g).or_insert(Request {
            increase: 0,
            time: now,
            expected_add,
        });
        r.increase += delta;
        r.time = now;
        r.expected_add = expected_add;
    }

    /// `updateScaleRequests` and `handleInstanceCreationErrors`, then the removal of failed and
    /// long-unregistered nodes (`deleteCreatedNodesWithErrors`, `removeOldUnregisteredNodes`).
    fn update_scale_requests(&mut self, now: SimTime, out: &mut Vec<Decision>) {
        self.backoff.remove_stale(now);
        let groups: Vec<usize> = self.requests.keys().copied().collect();
        for g in groups {
            let r = self.requests[&g];
            if self.upcoming[g] == 0 {
                // The scale-up finished: forget the request and the group's backoff.
                self.requests.remove(&g);
                self.backoff.remove(g);
                continue;
            }
            if r.expected_add < now {
                self.requests.remove(&g);
                self.backoff.backoff(g, now);
                self.failed_scale_ups += 1;
                // Simplified: every upcoming node of the group is past the provision time (a
                // later scale-up restarts the request's clock), so all are removed now.
                let removed = std::mem::take(&mut self.upcoming[g]);
                out.push(Decision::ScaleUpTimedOut {
                    group: g,
                    after: now.since(r.time),
                    removed,
                });
            }
        }
        for (g, n) in std::mem::take(&mut self.creation_errors) {
            let n = n.min(self.upcoming[g]);
            if n == 0 {
                continue;
            }
            if let Some(r) = self.requests.get_mut(&g) {
                // Only while the group is scaling up: shrink the request, back off.
                r.increase = r.increase.saturating_sub(n);
                if r.increase == 0 {
                    self.requests.remove(&g);
                }
                self.backoff.backoff(g, now);
                self.failed_scale_ups += 1;
            }
            self.upcoming[g] -= n;
            out.push(Decision::ScaleUpFailed { group: g, count: n });
        }
    }

    /// The cloud reports `n` instances of group `g` that failed to be created (seen by the
    /// next loop).
    pub fn creation_error(&mut self, g: usize, n: u32) {
        *self.creation_errors.entry(g).or_default() += n;
    }

    /// A scale-down failed at `now` (a drain that did not complete): the node stays and
    /// `--scale-down-delay-after-failure` applies.
    pub fn scale_down_failed(&mut self, node: NodeId, now: SimTime) {
        self.deleting.retain(|&n| n != node);
        self.last_scale_down_fail = Some(now);
    }

    /// A node requested for group `g` came up.
    pub fn node_up(&mut self, g: usize) {
        self.upcoming[g] = self.upcoming[g].saturating_sub(1);
    }

    /// A node being removed is gone.
    pub fn node_gone(&mut self, id: NodeId) {
        self.deleting.retain(|&n| n != id);
    }
}

/// A template's capacity for one resource, or its allocatable when no capacity was given.
fn capacity_or_allocatable(capacity: i64, allocatable: i64) -> i64 {
    if capacity > 0 { capacity } else { allocatable }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_waste_divides_by_capacity_when_the_template_has_one() {
        // expander/waste resourcesForNode reads node.Status.Capacity.
        assert_eq!(capacity_or_allocatable(8000, 7500), 8000);
        assert_eq!(capacity_or_allocatable(0, 7500), 7500);
    }
}
