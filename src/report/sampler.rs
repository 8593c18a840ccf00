//! The time series: one row of cluster state every sample interval, written as
//! `timeseries.csv` (columns documented in `docs/outputs.md`).

use crate::api::{Kind, Object};
use crate::engine::num::round_i64;
use crate::engine::{SimDuration, SimTime};
use crate::model::{ArenaId, PodId, Sym};
use crate::scenario::{ResolvedAction, Scenario};
use crate::scheduler::Scheduler;
use crate::store::Store;
use crate::traffic::Traffic;
use std::fmt::Write;
use std::sync::Arc;

/// The workload controllers whose objects get replica columns.
pub struct Controllers<'a> {
    /// Jobs.
    pub jobs: &'a crate::controllers::job::JobController,
    /// StatefulSets.
    pub statefulsets: &'a crate::controllers::statefulset::StatefulSetController,
    /// DaemonSets.
    pub daemonsets: &'a crate::controllers::daemonset::DaemonSetController,
}

/// A workload whose replicas get columns.
#[derive(Clone, Debug)]
struct WorkloadCol {
    kind: Kind,
    ns: Sym,
    ns_name: String,
    name: Arc<str>,
}

/// Records `timeseries.csv` rows.
#[derive(Debug)]
pub struct Sampler {
    interval: SimDuration,
    workloads: Vec<WorkloadCol>,
    hpas: Vec<(Sym, Arc<str>)>,
    vpas: Vec<(Sym, Arc<str>)>,
    loads: Vec<String>,
    /// HPA target values, in the units of its `:metric` column, in `hpas` order.
    hpa_targets: Vec<i64>,
    /// Node pools (scenario order): name and price per node-hour.
    pools: Vec<(String, f64)>,
    csv: String,
    rows: usize,
    // Buffers reused by the per-pool usage pass.
    demands: Vec<crate::traffic::PodDemand>,
    mark: Vec<u32>,
    touched: Vec<crate::model::PodId>,
    /// The pod of each slot `touched` lists (a scratch scatter, for a walk in slot order).
    slot_pods: Vec<crate::model::PodId>,
    round: u32,
}

/// Per-pool columns, after `pool/<name>:`.
pub const POOL_COLUMNS: &[&str] = &[
    "nodes",
    "nodes_ready",
    "cpu_allocatable_m",
    "cpu_requested_m",
    "cpu_used_m",
    "memory_allocatable_bytes",
    "memory_requested_bytes",
    "memory_used_bytes",
];

/// The first metric's target of an HPA, in the units of its `:metric` column: percent for a
/// `Utilization` target, else milli-units (default: 80 % cpu).
fn hpa_target(spec: &crate::api::autoscaling::HpaSpec) -> i64 {
    use crate::api::autoscaling::MetricTargetType;
    let Some(m) = spec.metrics.first() else {
        return 80;
    };
    let t = m
        .resource
        .as_ref()
        .map(|r| &r.target)
        .or(m.container_resource.as_ref().map(|r| &r.target))
        .or(m.pods.as_ref().map(|r| &r.target))
        .or(m.object.as_ref().map(|r| &r.target))
        .or(m.external.as_ref().map(|r| &r.target));
    let Some(t) = t else { return 0 };
    match t.type_ {
        MetricTargetType::Utilization => i64::from(t.average_utilization.unwrap_or(0)),
        MetricTargetType::AverageValue => t
            .average_value
            .as_ref()
            .and_then(|q| q.milli_value().ok())
            .unwrap_or(0),
        MetricTargetType::Value => t
            .value
            .as_ref()
            .and_then(|q| q.milli_value().ok())
            .unwrap_or(0),
    }
}

/// The fixed leading columns.
pub const BASE_COLUMNS: &[&str] = &[
    "time_s",
    "pods_pending",
    "pods_running",
    "pods_succeeded",
    "pods_failed",
    "pods_terminating",
    "pods_ready",
    "pods_unbound",
    "scheduler_queue",
    "nodes",
    "nodes_ready",
    "cpu_allocatable_m",
    "cpu_requested_m",
    "cpu_used_m",
    "memory_allocatable_bytes",
    "memory_requested_bytes",
    "memory_used_bytes",
    "cpu_throttled_m",
    "unserved_rps",
    "container_restarts",
    "oom_kills",
    "evictions",
];

impl Sampler {
    /// A sampler with columns for every workload and load source the scenario names.
    pub fn new(s: &Scenario, interval: SimDuration, store: &mut Store) -> Self {
        let mut workloads: Vec<WorkloadCol> = Vec::new();
        let mut hpas: Vec<(Sym, Arc<str>, String, i64)> = Vec::new();
        let mut vpas: Vec<(Sym, Arc<str>, String)> = Vec::new();
        let mut add = |o: &Object, store: &mut Store| {
            let kind = o.kind();
            if kind == Kind::VerticalPodAutoscaler {
                let ns_name = o.namespace().to_string();
                let ns = store.interner.intern(&ns_name);
                let name: Arc<str> = Arc::from(o.name());
                if !vpas.iter().any(|h| h.0 == ns && h.1 == name) {
                    vpas.push((ns, name, ns_name));
                }
                return;
            }
            if kind == Kind::HorizontalPodAutoscaler {
                let ns_name = o.namespace().to_string();
                let ns = store.interner.intern(&ns_name);
                let name: Arc<str> = Arc::from(o.name());
                let target = match o {
                    Object::HorizontalPodAutoscaler(h) => hpa_target(&h.spec),
                    _ => 0,
                };
                if !hpas.iter().any(|h| h.0 == ns && h.1 == name) {
                    hpas.push((ns, name, ns_name, target));
                }
                return;
            }
            if !matches!(
                kind,
                Kind::Deployment
                    | Kind::ReplicaSet
                    | Kind::StatefulSet
                    | Kind::DaemonSet
                    | Kind::Job
            ) {
                return;
            }
            let ns_name = o.namespace().to_string();
            let ns = store.interner.intern(&ns_name);
            let name: Arc<str> = Arc::from(o.name());
            if !workloads
                .iter()
                .any(|w| w.kind == kind && w.ns == ns && w.name == name)
            {
                workloads.push(WorkloadCol {
                    kind,
                    ns,
                    ns_name,
                    name,
                });
            }
        };
        for l in &s.initial {
            add(&l.object, store);
        }
        for e in &s.events {
            if let ResolvedAction::Apply(objs) = &e.action {
                for l in objs {
                    add(&l.object, store);
                }
            }
        }
        let loads: Vec<String> = s.load.iter().map(|l| l.name.clone()).collect();
        let mut header: Vec<String> = BASE_COLUMNS.iter().map(|c| c.to_string()).collect();
        for w in &workloads {
            let base = format!(
                "{}/{}/{}",
                w.kind.as_str().to_ascii_lowercase(),
                w.ns_name,
                w.name
            );
            for f in ["desired", "current", "ready", "available"] {
                header.push(format!("{base}:{f}"));
            }
        }
        for (_, name, ns_name, _) in &hpas {
            for f in ["desired", "current", "metric"] {
                header.push(format!("hpa/{ns_name}/{name}:{f}"));
            }
        }
        for (_, name, ns_name) in &vpas {
            for f in ["target_cpu_m", "target_memory_bytes"] {
                header.push(format!("vpa/{ns_name}/{name}:{f}"));
            }
        }
        let vpas: Vec<(Sym, Arc<str>)> = vpas.into_iter().map(|(a, b, _)| (a, b)).collect();
        for l in &loads {
            for f in ["offered_rps", "served_rps", "endpoints"] {
                header.push(format!("load/{l}:{f}"));
            }
        }
        // Columns added later go last, so earlier columns keep their positions.
        header.push("cost_total".into());
        for (_, name, ns_name, _) in &hpas {
            header.push(format!("hpa/{ns_name}/{name}:target"));
        }
        let pools: Vec<(String, f64)> = s
            .pools
            .iter()
            .map(|p| (p.name.clone(), p.price_per_hour))
            .collect();
        for (p, _) in &pools {
            for f in POOL_COLUMNS {
                header.push(format!("pool/{p}:{f}"));
            }
        }
        let hpa_targets = hpas.iter().map(|h| h.3).collect();
        let hpas: Vec<(Sym, Arc<str>)> = hpas.into_iter().map(|(a, b, _, _)| (a, b)).collect();
        let mut csv = header.join(",");
        csv.push('\n');
        Sampler {
            interval,
            workloads,
            hpas,
            vpas,
            loads,
            hpa_targets,
            pools,
            csv,
            rows: 0,
            demands: Vec::new(),
            mark: Vec::new(),
            touched: Vec::new(),
            slot_pods: Vec::new(),
            round: 0,
        }
    }

    /// The next sample time after `now` (the end time itself gets a final row).
    pub fn next_after(&self, now: SimTime, end: SimTime) -> Option<SimTime> {
        if now >= end {
            return None;
        }
        Some((now + self.interval).min(end))
    }

    /// Pool names and prices per node-hour, in scenario order.
    pub fn pools(&self) -> &[(String, f64)] {
        &self.pools
    }

    /// Appends a row for the state at `now`; returns the cluster's cpu (millicores) and memory
    /// (bytes) in use. `cost` is what the cluster cost up to `now`.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        cost: f64,
        now: SimTime,
        store: &Store,
        traffic: &Traffic,
        sched: &Scheduler,
        kubelet: &crate::kubelet::Kubelet,
        sets: &Controllers<'_>,
        hpa: &crate::controllers::hpa::HpaController,
        vpa: &crate::controllers::vpa::VpaRecommender,
    ) -> (i64, i64) {
        let jobs = sets.jobs;
        let c = store.pod_counts();
        let (mut nodes, mut ready) = (0u64, 0u64);
        let (mut ca, mut cr, mut ma, mut mr) = (0i64, 0i64, 0i64, 0i64);
        for (_, n) in store.nodes() {
            nodes += 1;
            if n.is_ready() {
                ready += 1;
            }
            ca += n.allocatable.cpu;
            ma += n.allocatable.memory;
            cr += n.requested.cpu;
            mr += n.requested.memory;
        }
        // Usage per pod, summed over the cluster (as `Traffic::cluster_usage`) and per pool.
        self.round = self.round.wrapping_add(1).max(1);
        traffic.fill_demands(
            self.round,
            &mut self.demands,
            &mut self.mark,
            &mut self.touched,
        );
        let (mut cu, mut mu) = (0i64, 0i64);
        let mut pool_used = vec![(0i64, 0i64); self.pools.len()];
        // Integer sums: any order gives them; slot order reads the demands and the pod briefs
        // in sequence (the pods are placed by slot, then the marked slots walked).
        self.slot_pods
            .resize(self.mark.len(), PodId::from_parts(u32::MAX, u32::MAX));
        for &p in &self.touched {
            self.slot_pods[p.index() as usize] = p;
        }
        for (slot, _) in self
            .mark
            .iter()
            .enumerate()
            .filter(|(_, m)| **m == self.round)
        {
            let p = self.slot_pods[slot];
            let d = &self.demands[slot];
            debug_assert_eq!(
                store.pod_brief(p).and_then(|b| b.node),
                store.pod(p).and_then(|pod| pod.status.node)
            );
            let (c, m) = (round_i64(d.cpu), round_i64(d.memory));
            cu += c;
            mu += m;
            if !pool_used.is_empty()
                && let Some(pool) = store
                    .pod_brief(p)
                    .and_then(|b| b.node)
                    .and_then(|n| store.node(n))
                    .and_then(|n| n.pool)
                && let Some(u) = pool_used.get_mut(pool.0 as usize)
            {
                u.0 += c;
                u.1 += m;
            }
        }
        let line = &mut self.csv;
        let _ = write!(
            line,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            fmt_secs(now),
            c.pending,
            c.running,
            c.succeeded,
            c.failed,
            c.terminating,
            c.ready,
            c.unbound,
            sched.pending(),
            nodes,
            ready,
            ca,
            cr,
            cu,
            ma,
            mr,
            mu
        );
        let ks = kubelet.stats();
        let _ = write!(
            line,
            ",{},{:.3},{},{},{}",
            ks.throttled_cpu_m, ks.unserved_rps, ks.container_restarts, ks.oom_kills, ks.evictions
        );
        for w in &self.workloads {
            let (d, cur, r, a) = match w.kind {
                Kind::Deployment => store
                    .deployment_by_name(w.ns, &w.name)
                    .and_then(|id| store.deployment(id))
                    .map(|d| {
                        (
                            d.replicas,
                            d.status.replicas,
                            d.status.ready_replicas,
                            d.status.available_replicas,
                        )
                    })
                    .unwrap_or_default(),
                Kind::ReplicaSet => store
                    .replicaset_by_name(w.ns, &w.name)
                    .and_then(|id| store.replicaset(id))
                    .map(|r| {
                        (
                            r.replicas,
                            r.status.replicas,
                            r.status.ready_replicas,
                            r.status.available_replicas,
                        )
                    })
                    .unwrap_or_default(),
                // A Job: completions (parallelism for a work queue), active, ready, succeeded.
                Kind::Job => jobs
                    .job(w.ns, &w.name)
                    .map(|j| {
                        (
                            j.completions.unwrap_or(j.parallelism),
                            j.status.active,
                            j.status.ready,
                            j.status.succeeded,
                        )
                    })
                    .unwrap_or_default(),
                // A StatefulSet: spec replicas, status replicas, ready, available.
                Kind::StatefulSet => sets
                    .statefulsets
                    .get(w.ns, &w.name)
                    .map(|x| {
                        (
                            x.replicas(),
                            x.status.replicas,
                            x.status.ready_replicas,
                            x.status.available_replicas,
                        )
                    })
                    .unwrap_or_default(),
                // A DaemonSet: desired, current, ready and available scheduled pods.
                Kind::DaemonSet => sets
                    .daemonsets
                    .get(w.ns, &w.name)
                    .map(|x| {
                        let st = &x.status;
                        (
                            st.desired_number_scheduled,
                            st.current_number_scheduled,
                            st.number_ready,
                            st.number_available,
                        )
                    })
                    .unwrap_or_default(),
                _ => (0, 0, 0, 0),
            };
            let _ = write!(line, ",{d},{cur},{r},{a}");
        }
        for (ns, name) in &self.hpas {
            match hpa.get(*ns, name) {
                Some(h) => {
                    let m = h.status.current_metrics.first().map_or(0, |m| m.value);
                    let _ = write!(
                        line,
                        ",{},{},{m}",
                        h.status.desired_replicas, h.status.current_replicas
                    );
                }
                None => line.push_str(",0,0,0"),
            }
        }
        for (ns, name) in &self.vpas {
            // The pod-level target: the sum over the containers.
            let (c, m) = vpa.get(*ns, name).map_or((0, 0), |v| {
                v.recommendations
                    .values()
                    .fold((0, 0), |a, r| (a.0 + r.target.0, a.1 + r.target.1))
            });
            let _ = write!(line, ",{c},{m}");
        }
        for s in traffic.samples() {
            let _ = write!(line, ",{:.3},{:.3},{}", s.offered, s.served, s.endpoints);
        }
        let _ = write!(line, ",{cost:.4}");
        for t in &self.hpa_targets {
            let _ = write!(line, ",{t}");
        }
        if !self.pools.is_empty() {
            // nodes, ready, cpu alloc/req, memory alloc/req per pool.
            let mut per = vec![[0i64; 6]; self.pools.len()];
            for (_, n) in store.nodes() {
                let Some(a) = n.pool.and_then(|p| per.get_mut(p.0 as usize)) else {
                    continue;
                };
                a[0] += 1;
                a[1] += i64::from(n.is_ready());
                a[2] += n.allocatable.cpu;
                a[3] += n.requested.cpu;
                a[4] += n.allocatable.memory;
                a[5] += n.requested.memory;
            }
            for (a, u) in per.iter().zip(&pool_used) {
                let _ = write!(
                    line,
                    ",{},{},{},{},{},{},{},{}",
                    a[0], a[1], a[2], a[3], u.0, a[4], a[5], u.1
                );
            }
        }
        line.push('\n');
        self.rows += 1;
        let _ = &self.loads;
        (cu, mu)
    }

    /// The CSV text so far.
    pub fn csv(&self) -> &str {
        &self.csv
    }

    /// Rows recorded.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// Seconds with millisecond precision, from integer microseconds (no float rounding drift).
pub fn fmt_secs(t: SimTime) -> String {
    let ms = t.as_micros() / 1000;
    format!("{}.{:03}", ms / 1000, ms % 1000)
}
