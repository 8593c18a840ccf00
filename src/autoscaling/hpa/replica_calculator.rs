//! The HPA replica calculator (`pkg/controller/podautoscaler/replica_calculator.go` and
//! `metrics/utilization.go`, newest upstream with per-direction tolerances): classifies the
//! target's pods (ignored, unready, missing metrics, ready), computes the usage ratio with
//! upstream's integer truncation, and the conservative re-computation when pods are unready or
//! missing metrics.
//!
//! Pure functions over [`PodInput`]s so golden cases from upstream's tests can be replayed
//! without a cluster.

use crate::engine::{SimDuration, SimTime};

/// `Tolerances`: a ratio within `[1 - down, 1 + up]` (both ends included) changes nothing.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Tolerances {
    /// Scale-down tolerance (default 0.1).
    pub down: f64,
    /// Scale-up tolerance (default 0.1).
    pub up: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances { down: 0.1, up: 0.1 }
    }
}

impl Tolerances {
    /// `isWithin`.
    pub fn is_within(&self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }
}

/// A pod's phase as the calculator sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Pending.
    Pending,
    /// Running.
    Running,
    /// Succeeded.
    Succeeded,
    /// Failed.
    Failed,
}

/// One metric sample of a pod (milli-units: millicores, milli-bytes for memory as upstream's
/// `MilliValue`, or milli-units of a custom metric).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The value.
    pub value: i64,
    /// When it was measured (end of its window).
    pub timestamp: SimTime,
    /// The window it covers.
    pub window: SimDuration,
}

/// What the calculator needs of one pod matched by the target's selector.
#[derive(Clone, Debug, PartialEq)]
pub struct PodInput {
    /// Phase.
    pub phase: Phase,
    /// `deletionTimestamp` set.
    pub deleting: bool,
    /// The Ready condition: (status, lastTransitionTime); None when the pod has none.
    pub ready: Option<(bool, SimTime)>,
    /// `status.startTime`.
    pub start_time: Option<SimTime>,
    /// The request for the metric's resource (milli), or the error upstream returns
    /// (`missing request for cpu in container c of Pod p`).
    pub request: Result<i64, String>,
    /// The metric sample, if metrics-server (or the custom metrics API) has one.
    pub sample: Option<Sample>,
}

/// Timing knobs of the classification (`--horizontal-pod-autoscaler-cpu-initialization-period`
/// 5 m, `--horizontal-pod-autoscaler-initial-readiness-delay` 30 s).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// CPU initialization period.
    pub cpu_initialization_period: SimDuration,
    /// Initial readiness delay.
    pub initial_readiness_delay: SimDuration,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            cpu_initialization_period: SimDuration::from_secs(300),
            initial_readiness_delay: SimDuration::from_secs(30),
        }
    }
}

/// How each pod was classified by `groupPods`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Group {
    /// Counted with its metric.
    Ready,
    /// Pending, or (CPU only) not yet trustworthy.
    Unready,
    /// No metric sample.
    Missing,
    /// Being deleted, or Failed.
    Ignored,
}

/// `groupPods`: classifies every pod; `is_cpu` enables the CPU readiness rules.
pub fn group_pods(pods: &[PodInput], is_cpu: bool, r: Readiness, now: SimTime) -> Vec<Group> {
    pods.iter()
        .map(|p| {
            if p.deleting || p.phase == Phase::Failed {
                return Group::Ignored;
            }
            if p.phase == Phase::Pending {
                return Group::Unready;
            }
            let Some(sample) = p.sample else {
                return Group::Missing;
            };
            if is_cpu {
                let unready = match (p.ready, p.start_time) {
                    (Some((status, transition)), Some(start)) => {
                        if start + r.cpu_initialization_period > now {
                            // Within the initialization period: not ready, or no full metric
                            // window since the last readiness change.
                            !status || sample.timestamp < transition + sample.window
                        } else {
                            // Afterwards: unready only if it never became ready.
                            !status && start + r.initial_readiness_delay > transition
                        }
                    }
                    _ => true,
                };
                if unready {
                    return Group::Unready;
                }
            }
            Group::Ready
        })
        .collect()
}

/// The outcome of a per-pod metric computation.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Proposal {
    /// Proposed replica count.
    pub replicas: i32,
    /// For utilization targets: the (truncated) utilization percentage; else the average
    /// value (milli).
    pub utilization: i64,
    /// For utilization targets: the raw average value (milli) over the pods with metrics.
    pub raw_average: i64,
}

fn ceil_i32(x: f64) -> i32 {
    let c = x.ceil();
    if c >= i32::MAX as f64 {
        i32::MAX
    } else {
        c as i32
    }
}

/// `GetResourceUtilizationRatio`: `utilization = floor(100·Σusage / Σrequest)`, ratio =
/// utilization / target (as float64), raw average = Σusage / n.
fn utilization_ratio(values: &[(i64, i64)], target: i32) -> Result<(f64, i64, i64), String> {
    let (mut usage, mut requests) = (0i128, 0i128);
    for &(v, r) in values {
        usage += v as i128;
        requests += r as i128;
    }
    if requests == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let util = (usage * 100 / requests) as i64;
    let raw = (usage / values.len() as i128) as i64;
    Ok((util as f64 / target as f64, util, raw))
}

/// `GetMetricUsageRatio`: `average = floor(Σvalue / n)`, ratio = average / target.
fn usage_ratio(values: &[i64], target: i64) -> (f64, i64) {
    let total: i128 = values.iter().map(|&v| v as i128).sum();
    let avg = (total / values.len() as i128) as i64;
    (avg as f64 / target as f64, avg)
}

/// `GetResourceReplicas`: a `Resource`/`ContainerResource` metric with an `Utilization`
/// target (percent of request).
pub fn resource_replicas(
    current: i32,
    target_utilization: i32,
    is_cpu: bool,
    tol: Tolerances,
    pods: &[PodInput],
    r: Readiness,
    now: SimTime,
) -> Result<Proposal, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let groups = group_pods(pods, is_cpu, r, now);
    let ready_count = groups.iter().filter(|g| **g == Group::Ready).count();
    if ready_count == 0 {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    // calculateRequests covers every listed pod, ignored ones included.
    let mut requests = Vec::with_capacity(pods.len());
    for p in pods {
        requests.push(p.request.clone()?);
    }
    let mut values: Vec<(i64, i64)> = Vec::with_capacity(pods.len());
    for (i, p) in pods.iter().enumerate() {
        if groups[i] == Group::Ready {
            values.push((
                p.sample.expect("ready pods have samples").value,
                requests[i],
            ));
        }
    }
    let (ratio, util, raw) = utilization_ratio(&values, target_utilization)?;
    let unready = groups.contains(&Group::Unready);
    let missing = groups.contains(&Group::Missing);
    let scale_up_with_unready = unready && ratio > 1.0;
    let out = |replicas| {
        Ok(Proposal {
            replicas,
            utilization: util,
            raw_average: raw,
        })
    };
    if !scale_up_with_unready && !missing {
        if tol.is_within(ratio) {
            return out(current);
        }
        return out(ceil_i32(ratio * ready_count as f64));
    }
    for (i, g) in groups.iter().enumerate() {
        match g {
            Group::Missing if ratio < 1.0 => {
                // Scale-down: a missing pod uses its request (or the target, above 100 %).
                let fallback = (target_utilization as i64).max(100);
                values.push((requests[i] * fallback / 100, requests[i]));
            }
            Group::Missing if ratio > 1.0 => values.push((0, requests[i])),
            Group::Unready if scale_up_with_unready => values.push((0, requests[i])),
            _ => {}
        }
    }
    let (new_ratio, _, _) = utilization_ratio(&values, target_utilization)?;
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return out(current);
    }
    let new = ceil_i32(new_ratio * values.len() as f64);
    if (new_ratio < 1.0 && new > current) || (new_ratio > 1.0 && new < current) {
        return out(current);
    }
    out(new)
}

/// `calcPlainMetricReplicas`: a `Resource` metric with an `AverageValue` target, or a `Pods`
/// metric (`is_cpu` only for the cpu resource).
pub fn plain_replicas(
    current: i32,
    target: i64,
    is_cpu: bool,
    tol: Tolerances,
    pods: &[PodInput],
    r: Readiness,
    now: SimTime,
) -> Result<Proposal, String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let groups = group_pods(pods, is_cpu, r, now);
    let mut values: Vec<i64> = pods
        .iter()
        .zip(&groups)
        .filter(|(_, g)| **g == Group::Ready)
        .map(|(p, _)| p.sample.expect("ready pods have samples").value)
        .collect();
    let ready_count = values.len();
    if ready_count == 0 {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, avg) = usage_ratio(&values, target);
    let unready = groups.contains(&Group::Unready);
    let missing = groups.contains(&Group::Missing);
    let scale_up_with_unready = unready && ratio > 1.0;
    let out = |replicas| {
        Ok(Proposal {
            replicas,
            utilization: avg,
            raw_average: avg,
        })
    };
    if !scale_up_with_unready && !missing {
        if tol.is_within(ratio) {
            return out(current);
        }
        return out(ceil_i32(ratio * ready_count as f64));
    }
    for g in &groups {
        match g {
            Group::Missing if ratio < 1.0 => values.push(target),
            Group::Missing if ratio > 1.0 => values.push(0),
            Group::Unready if scale_up_with_unready => values.push(0),
            _ => {}
        }
    }
    let (new_ratio, _) = usage_ratio(&values, target);
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return out(current);
    }
    let new = ceil_i32(new_ratio * values.len() as f64);
    if (new_ratio < 1.0 && new > current) || (new_ratio > 1.0 && new < current) {
        return out(current);
    }
    out(new)
}

/// `getUsageRatioReplicaCount` (Object/External `Value` targets): `ceil(ratio × running and
/// ready pods)`, or `ceil(ratio)` from zero replicas (scale to zero).
pub fn value_replicas(current: i32, ratio: f64, tol: Tolerances, ready_pods: i64) -> i32 {
    if current != 0 {
        if tol.is_within(ratio) {
            return current;
        }
        ceil_i32(ratio * ready_pods as f64)
    } else {
        ceil_i32(ratio)
    }
}

/// `GetObjectPerPodMetricReplicas` / `GetExternalPerPodMetricReplicas` (`AverageValue`
/// targets on Object/External metrics): returns (replicas, average per replica).
pub fn per_pod_replicas(
    status_replicas: i32,
    usage: i64,
    target: i64,
    tol: Tolerances,
) -> (i32, i64) {
    let mut replicas = status_replicas;
    let ratio = usage as f64 / (target as f64 * status_replicas as f64);
    if !tol.is_within(ratio) {
        replicas = ceil_i32(usage as f64 / target as f64);
    }
    let avg = (usage as f64 / status_replicas as f64).ceil() as i64;
    (replicas, avg)
}
