//! Run outputs: `events.jsonl`, `timeseries.csv` and `summary.json` (documented in
//! `docs/outputs.md`). Every file is a deterministic function of the scenario and the seed: no
//! timestamps, host names or absolute paths.

pub mod cost;
pub mod html;
pub mod plots;
pub mod sampler;

use crate::sim::Simulation;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One line of `events.jsonl`.
#[derive(Serialize)]
struct EventLine<'a> {
    time: String,
    t: f64,
    #[serde(rename = "type")]
    type_: &'a str,
    reason: &'a str,
    object: ObjectLine<'a>,
    message: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
struct ObjectLine<'a> {
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

/// `summary.json`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Summary {
    /// kubesim version.
    pub kubesim_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Simulated seconds.
    pub simulated_seconds: f64,
    /// Simulated time, formatted.
    pub simulated_time: String,
    /// Events dispatched.
    pub events_processed: u64,
    /// Stale events dropped.
    pub events_stale: u64,
    /// Watch notifications delivered.
    pub watch_notifications: u64,
    /// Largest event queue.
    pub max_pending_events: usize,
    /// The running event hash.
    pub event_hash: String,
    /// Final pod counts.
    pub pods: PodSummary,
    /// Final node counts.
    pub nodes: NodeSummary,
    /// Scheduler counters.
    pub scheduler: SchedulerSummary,
    /// Kubernetes events recorded.
    pub kubernetes_events: EventCounts,
    /// Final state of each Deployment and ReplicaSet.
    pub workloads: Vec<WorkloadSummary>,
    /// Drains and node-pool upgrades, in start order.
    pub maintenance: MaintenanceSummary,
    /// What the cluster cost, and how much of it was requested and used.
    pub cost: cost::CostSummary,
    /// Each VerticalPodAutoscaler's latest recommendation (absent without VPAs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vpas: Vec<VpaSummary>,
    /// What the Cluster Autoscaler did (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaler: Option<AutoscalerSummary>,
    /// Final state of each Job.
    pub jobs: Vec<JobSummary>,
    /// Container restarts, OOM kills, evictions and cpu throttling over the run.
    pub kubelet: KubeletSummary,
}

/// One VPA's recommendation for one container.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct VpaSummary {
    /// Namespace.
    pub namespace: String,
    /// VPA name.
    pub name: String,
    /// `updateMode`.
    pub mode: String,
    /// Container.
    pub container: String,
    /// Target cpu (millicores) and memory (bytes).
    pub target: (i64, i64),
    /// Lower bound.
    pub lower_bound: (i64, i64),
    /// Upper bound.
    pub upper_bound: (i64, i64),
}

/// `summary.json`'s `autoscaler`.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct AutoscalerSummary {
    /// Scale-up decisions.
    pub scale_ups: u32,
    /// Nodes requested by them.
    pub nodes_added: u32,
    /// Nodes removed by scale-down.
    pub nodes_removed: u32,
    /// Scale-ups that failed (nodes not registered within max-node-provision-time, or
    /// instance-creation errors), each backing its group off.
    pub failed_scale_ups: u32,
}

/// Drains and upgrades of the run.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct MaintenanceSummary {
    /// Every `kubectl drain` (scenario `drain` actions and upgrade drains).
    pub drains: Vec<DrainSummary>,
    /// Every `upgradePool`.
    pub upgrades: Vec<UpgradeSummary>,
}

/// One drain.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct DrainSummary {
    /// Node name.
    pub node: String,
    /// Simulated seconds at the start.
    pub started_s: f64,
    /// Simulated seconds at the end (null while running).
    pub finished_s: Option<f64>,
    /// How long it took, in seconds (null while running).
    pub duration_s: Option<f64>,
    /// `running`, `drained`, `failed` or `timed-out`.
    pub outcome: &'static str,
    /// Why it failed (kubectl's error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Pods evicted.
    pub evicted: u32,
    /// Evictions refused by a PodDisruptionBudget (retries included).
    pub blocked_evictions: u32,
}

/// One node-pool upgrade.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct UpgradeSummary {
    /// Pool name.
    pub pool: String,
    /// Simulated seconds at the start.
    pub started_s: f64,
    /// Simulated seconds at the end (null while running).
    pub finished_s: Option<f64>,
    /// How long it took, in seconds (null while running).
    pub duration_s: Option<f64>,
    /// Old nodes replaced.
    pub replaced: u32,
    /// Old nodes still to replace.
    pub remaining: u32,
    /// Drains that hit the drain timeout (their node was deleted anyway).
    pub forced: u32,
}

/// A Job's final state.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct JobSummary {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.completions` (`null` for a work-queue Job).
    pub completions: Option<i32>,
    /// `spec.parallelism`.
    pub parallelism: i32,
    /// Active pods.
    pub active: i32,
    /// Ready active pods.
    pub ready: i32,
    /// Succeeded pods.
    pub succeeded: i32,
    /// Failed pods.
    pub failed: i32,
    /// `Complete`, `Failed` or `null` while running.
    pub condition: Option<String>,
    /// Reason of a `Failed` condition (`BackoffLimitExceeded`, `DeadlineExceeded`).
    pub reason: Option<String>,
    /// Seconds from start to completion.
    pub duration_s: Option<f64>,
}

/// Kubelet counters over the whole run.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct KubeletSummary {
    /// Container restarts.
    pub container_restarts: u64,
    /// Containers OOM-killed.
    pub oom_kills: u64,
    /// Pods evicted under node memory pressure.
    pub evictions: u64,
    /// cpu time demanded above cpu limits (throttled), cpu-seconds.
    pub throttled_cpu_seconds: f64,
    /// Requests not served because their pod was throttled.
    pub unserved_requests: f64,
}

/// Pod counts.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PodSummary {
    /// Pending.
    pub pending: u64,
    /// Running.
    pub running: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed.
    pub failed: u64,
    /// Terminating.
    pub terminating: u64,
    /// Ready.
    pub ready: u64,
    /// Ever created.
    pub created: u64,
    /// Ever deleted.
    pub deleted: u64,
}

/// Node counts.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct NodeSummary {
    /// Nodes.
    pub total: u64,
    /// Ready nodes.
    pub ready: u64,
}

/// Scheduler counters.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct SchedulerSummary {
    /// Cycles.
    pub attempts: u64,
    /// Pods bound.
    pub scheduled: u64,
    /// Failed cycles.
    pub unschedulable: u64,
    /// Pods still waiting in the queue.
    pub queued: u64,
}

/// Event counts.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct EventCounts {
    /// Normal.
    pub normal: u64,
    /// Warning.
    pub warning: u64,
}

/// A workload's final state.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct WorkloadSummary {
    /// Kind.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Desired replicas.
    pub desired: i32,
    /// Current replicas.
    pub current: i32,
    /// Ready replicas.
    pub ready: i32,
    /// Available replicas.
    pub available: i32,
}

/// Draws the plots of `runs` into `dir/plots/` and writes `dir/report.html`; returns the
/// plots drawn.
pub fn write_visuals(dir: &Path, runs: &[plots::Run]) -> std::io::Result<Vec<plots::Plot>> {
    let drawn = plots::render(runs).map_err(std::io::Error::other)?;
    plots::write(dir, runs, &drawn)?;
    std::fs::write(dir.join("report.html"), html::report(runs, &drawn))?;
    Ok(drawn)
}

impl Simulation {
    /// The run summary (deterministic).
    pub fn summary(&self) -> Summary {
        let c = self.store.pod_counts();
        let (mut total, mut ready) = (0, 0);
        for (_, n) in self.store.nodes() {
            total += 1;
            if n.is_ready() {
                ready += 1;
            }
        }
        let i = &self.store.interner;
        let mut workloads = Vec::new();
        for (_, d) in self.store.deployments() {
            workloads.push(WorkloadSummary {
                kind: "Deployment".into(),
                namespace: i.resolve(d.namespace).into(),
                name: d.name.to_string(),
                desired: d.replicas,
                current: d.status.replicas,
                ready: d.status.ready_replicas,
                available: d.status.available_replicas,
            });
        }
        for (_, r) in self.store.replicasets() {
            if r.owner.is_some() {
                continue;
            }
            workloads.push(WorkloadSummary {
                kind: "ReplicaSet".into(),
                namespace: i.resolve(r.namespace).into(),
                name: r.name.to_string(),
                desired: r.replicas,
                current: r.status.replicas,
                ready: r.status.ready_replicas,
                available: r.status.available_replicas,
            });
        }
        let jobs = self
            .jobs()
            .jobs()
            .map(|j| {
                use crate::controllers::job::JobCondition;
                let (condition, reason) = match j.status.condition {
                    Some(JobCondition::Complete) => (Some("Complete".to_string()), None),
                    Some(JobCondition::Failed(r)) => (Some("Failed".into()), Some(r.to_string())),
                    None => (None, None),
                };
                JobSummary {
                    namespace: i.resolve(j.namespace).into(),
                    name: j.name.to_string(),
                    completions: j.completions,
                    parallelism: j.parallelism,
                    active: j.status.active,
                    ready: j.status.ready,
                    succeeded: j.status.succeeded,
                    failed: j.status.failed,
                    condition,
                    reason,
                    duration_s: match (j.status.start_time, j.status.completion_time) {
                        (Some(s), Some(c)) => Some(c.since(s).as_secs_f64()),
                        _ => None,
                    },
                }
            })
            .collect();
        let ks = self.kubelet().stats();
        let kubelet = KubeletSummary {
            container_restarts: ks.container_restarts,
            oom_kills: ks.oom_kills,
            evictions: ks.evictions,
            throttled_cpu_seconds: (ks.throttled_cpu_seconds() * 1000.0).round() / 1000.0,
            unserved_requests: (ks.unserved_requests * 1000.0).round() / 1000.0,
        };
        let now = self.now();
        Summary {
            kubesim_version: env!("CARGO_PKG_VERSION").into(),
            scenario: self.scenario.name.clone(),
            seed: self.seed(),
            simulated_seconds: now.as_secs_f64(),
            simulated_time: now.since(crate::engine::SimTime::ZERO).to_string(),
            events_processed: self.stats.events,
            events_stale: self.stats.stale,
            watch_notifications: self.stats.watches,
            max_pending_events: self.stats.max_pending,
            event_hash: self.event_hash().hex(),
            pods: PodSummary {
                pending: c.pending,
                running: c.running,
                succeeded: c.succeeded,
                failed: c.failed,
                terminating: c.terminating,
                ready: c.ready,
                created: c.created,
                deleted: c.deleted,
            },
            nodes: NodeSummary { total, ready },
            scheduler: SchedulerSummary {
                attempts: self.scheduler.stats().attempts,
                scheduled: self.scheduler.stats().scheduled,
                unschedulable: self.scheduler.stats().unschedulable,
                queued: self.scheduler.pending() as u64,
            },
            kubernetes_events: EventCounts {
                normal: self.store.events.normal,
                warning: self.store.events.warning,
            },
            workloads,
            maintenance: self.maintenance_summary(),
            vpas: self
                .vpa
                .vpas()
                .flat_map(|v| {
                    v.recommendations.iter().map(move |(c, r)| VpaSummary {
                        namespace: i.resolve(v.namespace).to_string(),
                        name: v.name.to_string(),
                        mode: v.mode().to_string(),
                        container: c.to_string(),
                        target: r.target,
                        lower_bound: r.lower,
                        upper_bound: r.upper,
                    })
                })
                .collect(),
            autoscaler: self.autoscaler.as_ref().map(|a| AutoscalerSummary {
                scale_ups: a.scale_ups,
                nodes_added: a.nodes_added,
                nodes_removed: a.scale_downs,
                failed_scale_ups: a.failed_scale_ups,
            }),
            cost: self.cost.summary(
                now,
                &self
                    .pools
                    .iter()
                    .map(|p| (p.spec.name.clone(), p.spec.price_per_hour))
                    .collect::<Vec<_>>(),
            ),
            jobs,
            kubelet,
        }
    }

    fn maintenance_summary(&self) -> MaintenanceSummary {
        use crate::ops::drain::DrainOutcome;
        let drains = self
            .drainer
            .records
            .iter()
            .map(|r| DrainSummary {
                node: r.node.clone(),
                started_s: r.started.as_secs_f64(),
                finished_s: r.finished.map(|t| t.as_secs_f64()),
                duration_s: r.finished.map(|t| t.since(r.started).as_secs_f64()),
                outcome: r.outcome.as_str(),
                error: match &r.outcome {
                    DrainOutcome::Failed(e) => Some(e.clone()),
                    _ => None,
                },
                evicted: r.evicted,
                blocked_evictions: r.blocked,
            })
            .collect();
        let upgrades = self
            .upgrades
            .iter()
            .map(|u| UpgradeSummary {
                pool: self.pools[u.pool].spec.name.clone(),
                started_s: u.started.as_secs_f64(),
                finished_s: u.finished.map(|t| t.as_secs_f64()),
                duration_s: u.finished.map(|t| t.since(u.started).as_secs_f64()),
                replaced: u.replaced,
                remaining: u.remaining() as u32 + u.in_flight(),
                forced: u.forced,
            })
            .collect();
        MaintenanceSummary { drains, upgrades }
    }

    /// Writes `events.jsonl` to `w`.
    pub fn write_events(&self, w: &mut impl Write) -> std::io::Result<()> {
        let i = &self.store.interner;
        for e in &self.store.events.events {
            let line = EventLine {
                time: e.time.clock(),
                t: e.time.as_secs_f64(),
                type_: e.type_.as_str(),
                reason: e.reason,
                object: ObjectLine {
                    kind: e.object.kind.as_str(),
                    namespace: i.resolve(e.object.namespace),
                    name: &e.object.name,
                },
                message: &e.message,
                source: e.source,
            };
            serde_json::to_writer(&mut *w, &line)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Writes the three run files into `dir` (created if needed).
    pub fn write_outputs(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut ev = std::io::BufWriter::new(std::fs::File::create(dir.join("events.jsonl"))?);
        self.write_events(&mut ev)?;
        ev.flush()?;
        std::fs::write(dir.join("timeseries.csv"), self.sampler.csv())?;
        let mut s = serde_json::to_string_pretty(&self.summary()).map_err(std::io::Error::other)?;
        s.push('\n');
        std::fs::write(dir.join("summary.json"), s)?;
        Ok(())
    }
}
