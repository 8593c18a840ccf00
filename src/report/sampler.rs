//! The time series: one row of cluster state every sample interval, written as
//! `timeseries.csv` (columns documented in `docs/outputs.md`).

use crate::api::{Kind, Object};
use crate::engine::{SimDuration, SimTime};
use crate::model::Sym;
use crate::scenario::{ResolvedAction, Scenario};
use crate::scheduler::Scheduler;
use crate::store::Store;
use crate::traffic::Traffic;
use std::fmt::Write;
use std::sync::Arc;

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
    csv: String,
    rows: usize,
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
        let mut hpas: Vec<(Sym, Arc<str>, String)> = Vec::new();
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
                if !hpas.iter().any(|h| h.0 == ns && h.1 == name) {
                    hpas.push((ns, name, ns_name));
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
        for (_, name, ns_name) in &hpas {
            for f in ["desired", "current", "metric"] {
                header.push(format!("hpa/{ns_name}/{name}:{f}"));
            }
        }
        let hpas: Vec<(Sym, Arc<str>)> = hpas.into_iter().map(|(a, b, _)| (a, b)).collect();
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
        let mut csv = header.join(",");
        csv.push('\n');
        Sampler {
            interval,
            workloads,
            hpas,
            vpas,
            loads,
            csv,
            rows: 0,
        }
    }

    /// The next sample time after `now` (the end time itself gets a final row).
    pub fn next_after(&self, now: SimTime, end: SimTime) -> Option<SimTime> {
        if now >= end {
            return None;
        }
        Some((now + self.interval).min(end))
    }

    /// Appends a row for the state at `now`; returns the cluster's cpu (millicores) and memory
    /// (bytes) in use.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        now: SimTime,
        store: &Store,
        traffic: &Traffic,
        sched: &Scheduler,
        kubelet: &crate::kubelet::Kubelet,
        jobs: &crate::controllers::job::JobController,
        hpa: &crate::controllers::hpa::HpaController,
        vpa: &crate::controllers::vpa::VpaRecommender,
    ) -> (i64, i64) {
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
        let (cu, mu) = traffic.cluster_usage(store);
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
