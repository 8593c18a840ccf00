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
    pods.iter().map(|p| classify(p, is_cpu, r, now)).collect()
}

/// `groupPods` for one pod.
pub fn classify(p: &PodInput, is_cpu: bool, r: Readiness, now: SimTime) -> Group {
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
}

/// What the calculator sums over the target's pods, gathered pod by pod in one pass (the
/// controller feeds it without building a list of pods; [`resource_replicas`] and
/// [`plain_replicas`] feed it from a slice).
#[derive(Clone, Debug, PartialEq)]
pub struct Tally {
    is_cpu: bool,
    readiness: Readiness,
    now: SimTime,
    /// A missing pod's assumed usage on scale-down, percent of its request.
    missing_fallback: i64,
    pods: usize,
    ready: usize,
    ready_values: i128,
    ready_requests: i128,
    unready: usize,
    unready_requests: i128,
    missing: usize,
    missing_requests: i128,
    missing_fallback_values: i128,
    /// The first pod (in order) whose request could not be computed.
    request_error: Option<String>,
}

impl Tally {
    /// An empty tally for a cpu (`is_cpu`) or other metric classified at `now`;
    /// `target_utilization` sets a missing pod's assumed usage on scale-down (its request, or
    /// the target above 100 %; unused by [`plain_replicas`]).
    pub fn new(is_cpu: bool, r: Readiness, now: SimTime, target_utilization: i32) -> Self {
        Tally {
            is_cpu,
            readiness: r,
            now,
            missing_fallback: (target_utilization as i64).max(100),
            pods: 0,
            ready: 0,
            ready_values: 0,
            ready_requests: 0,
            unready: 0,
            unready_requests: 0,
            missing: 0,
            missing_requests: 0,
            missing_fallback_values: 0,
            request_error: None,
        }
    }

    /// Counts one pod.
    pub fn add(&mut self, p: &PodInput) {
        self.pods += 1;
        let request = match &p.request {
            Ok(r) => *r,
            Err(e) => {
                if self.request_error.is_none() {
                    self.request_error = Some(e.clone());
                }
                0
            }
        };
        match classify(p, self.is_cpu, self.readiness, self.now) {
            Group::Ready => {
                self.ready += 1;
                self.ready_values += p.sample.expect("ready pods have samples").value as i128;
                self.ready_requests += request as i128;
            }
            Group::Unready => {
                self.unready += 1;
                self.unready_requests += request as i128;
            }
            Group::Missing => {
                self.missing += 1;
                self.missing_requests += request as i128;
                self.missing_fallback_values += (request * self.missing_fallback / 100) as i128;
            }
            Group::Ignored => {}
        }
    }

    /// Counts `n` pods known to be Ready whose samples sum to `values` and requests to
    /// `requests` (what [`Tally::add`] would do for each of them).
    pub fn add_ready(&mut self, n: u32, values: i128, requests: i128) {
        self.pods += n as usize;
        self.ready += n as usize;
        self.ready_values += values;
        self.ready_requests += requests;
    }

    /// True when some pod's request could not be computed (the first in counting order wins
    /// the error message).
    pub fn has_request_error(&self) -> bool {
        self.request_error.is_some()
    }

    /// An empty tally with the same settings.
    pub fn fresh(&self) -> Self {
        Tally {
            missing_fallback: self.missing_fallback,
            ..Tally::new(self.is_cpu, self.readiness, self.now, 0)
        }
    }

    /// Whether this tally is for a cpu metric.
    pub fn is_cpu(&self) -> bool {
        self.is_cpu
    }

    /// A tally of `pods`.
    pub fn of(
        pods: &[PodInput],
        is_cpu: bool,
        r: Readiness,
        now: SimTime,
        target_utilization: i32,
    ) -> Self {
        let mut t = Tally::new(is_cpu, r, now, target_utilization);
        pods.iter().for_each(|p| t.add(p));
        t
    }
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

/// `GetResourceUtilizationRatio` over sums of `n` entries: `utilization = floor(100·Σusage /
/// Σrequest)`, ratio = utilization / target (as float64), raw average = Σusage / n.
fn utilization_ratio(
    usage: i128,
    requests: i128,
    n: usize,
    target: i32,
) -> Result<(f64, i64, i64), String> {
    if requests == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let util = (usage * 100 / requests) as i64;
    let raw = (usage / n as i128) as i64;
    Ok((util as f64 / target as f64, util, raw))
}

/// `GetMetricUsageRatio` over the sum of `n` values: `average = floor(Σvalue / n)`, ratio =
/// average / target.
fn usage_ratio(total: i128, n: usize, target: i64) -> (f64, i64) {
    let avg = (total / n as i128) as i64;
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
    let t = Tally::of(pods, is_cpu, r, now, target_utilization);
    resource_replicas_of(current, target_utilization, tol, &t)
}

/// [`resource_replicas`] over a tally of the pods.
pub fn resource_replicas_of(
    current: i32,
    target_utilization: i32,
    tol: Tolerances,
    t: &Tally,
) -> Result<Proposal, String> {
    if t.pods == 0 {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    if t.ready == 0 {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    // calculateRequests covers every listed pod, ignored ones included.
    if let Some(e) = &t.request_error {
        return Err(e.clone());
    }
    let (ratio, util, raw) = utilization_ratio(
        t.ready_values,
        t.ready_requests,
        t.ready,
        target_utilization,
    )?;
    let scale_up_with_unready = t.unready > 0 && ratio > 1.0;
    let out = |replicas| {
        Ok(Proposal {
            replicas,
            utilization: util,
            raw_average: raw,
        })
    };
    if !scale_up_with_unready && t.missing == 0 {
        if tol.is_within(ratio) {
            return out(current);
        }
        return out(ceil_i32(ratio * t.ready as f64));
    }
    let (mut usage, mut requests, mut n) = (t.ready_values, t.ready_requests, t.ready);
    if ratio < 1.0 {
        // Scale-down: a missing pod uses its request (or the target, above 100 %).
        usage += t.missing_fallback_values;
        requests += t.missing_requests;
        n += t.missing;
    } else if ratio > 1.0 {
        requests += t.missing_requests;
        n += t.missing;
    }
    if scale_up_with_unready {
        requests += t.unready_requests;
        n += t.unready;
    }
    let (new_ratio, _, _) = utilization_ratio(usage, requests, n, target_utilization)?;
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return out(current);
    }
    let new = ceil_i32(new_ratio * n as f64);
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
    let t = Tally::of(pods, is_cpu, r, now, 0);
    plain_replicas_of(current, target, tol, &t)
}

/// [`plain_replicas`] over a tally of the pods.
pub fn plain_replicas_of(
    current: i32,
    target: i64,
    tol: Tolerances,
    t: &Tally,
) -> Result<Proposal, String> {
    if t.pods == 0 {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    if t.ready == 0 {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, avg) = usage_ratio(t.ready_values, t.ready, target);
    let scale_up_with_unready = t.unready > 0 && ratio > 1.0;
    let out = |replicas| {
        Ok(Proposal {
            replicas,
            utilization: avg,
            raw_average: avg,
        })
    };
    if !scale_up_with_unready && t.missing == 0 {
        if tol.is_within(ratio) {
            return out(current);
        }
        return out(ceil_i32(ratio * t.ready as f64));
    }
    let (mut total, mut n) = (t.ready_values, t.ready);
    if ratio < 1.0 {
        total += t.missing as i128 * target as i128;
        n += t.missing;
    } else if ratio > 1.0 {
        n += t.missing;
    }
    if scale_up_with_unready {
        n += t.unready;
    }
    let (new_ratio, _) = usage_ratio(total, n, target);
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return out(current);
    }
    let new = ceil_i32(new_ratio * n as f64);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `s` seconds into the run.
    fn at(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    /// When the calculator runs: long after every pod started (no cpu initialization period).
    const NOW: u64 = 3600;

    /// A running pod, ready since its start at 0, with `request` and (if given) a sample.
    fn pod(request: i64, value: Option<i64>) -> PodInput {
        PodInput {
            phase: Phase::Running,
            deleting: false,
            ready: Some((true, at(0))),
            start_time: Some(at(0)),
            request: Ok(request),
            sample: value.map(|value| Sample {
                value,
                timestamp: at(NOW),
                window: SimDuration::from_secs(15),
            }),
        }
    }

    fn tally(pods: &[PodInput], target_utilization: i32) -> Tally {
        Tally::of(
            pods,
            true,
            Readiness::default(),
            at(NOW),
            target_utilization,
        )
    }

    fn resource(current: i32, target: i32, pods: &[PodInput]) -> Result<Proposal, String> {
        let r = resource_replicas(
            current,
            target,
            true,
            Tolerances::default(),
            pods,
            Readiness::default(),
            at(NOW),
        );
        // The one-pass form gives the same answer from a tally fed pod by pod.
        let mut t = Tally::new(true, Readiness::default(), at(NOW), target);
        pods.iter().for_each(|p| t.add(p));
        assert_eq!(t, tally(pods, target));
        assert_eq!(
            resource_replicas_of(current, target, Tolerances::default(), &t),
            r
        );
        r
    }

    fn plain(current: i32, target: i64, pods: &[PodInput]) -> Result<Proposal, String> {
        let r = plain_replicas(
            current,
            target,
            true,
            Tolerances::default(),
            pods,
            Readiness::default(),
            at(NOW),
        );
        let t = tally(pods, 0);
        assert_eq!(
            plain_replicas_of(current, target, Tolerances::default(), &t),
            r
        );
        r
    }

    #[test]
    fn a_request_error_on_an_ignored_pod_still_fails_a_utilization_metric() {
        // Two ready pods exactly at a 50 % target: no change.
        let mut pods = vec![pod(100, Some(50)), pod(100, Some(50))];
        assert_eq!(
            resource(2, 50, &pods),
            Ok(Proposal {
                replicas: 2,
                utilization: 50,
                raw_average: 50
            })
        );
        // A deleting pod (Ignored: no usage or request counted) and a Failed one whose
        // requests cannot be computed: upstream's calculateRequests runs over every listed pod,
        // so the first error (in pod order) fails the metric.
        let gone = "missing request for cpu in container app of Pod web-gone";
        let failed = "missing request for cpu in container app of Pod web-failed";
        pods.push(PodInput {
            deleting: true,
            request: Err(gone.to_string()),
            ..pod(0, Some(50))
        });
        pods.push(PodInput {
            phase: Phase::Failed,
            request: Err(failed.to_string()),
            ..pod(0, None)
        });
        assert_eq!(
            group_pods(&pods, true, Readiness::default(), at(NOW)),
            vec![Group::Ready, Group::Ready, Group::Ignored, Group::Ignored]
        );
        assert_eq!(resource(2, 50, &pods), Err(gone.to_string()));
        pods.swap(2, 3);
        assert_eq!(resource(2, 50, &pods), Err(failed.to_string()));
        // An AverageValue target needs no requests: the same pods give a proposal.
        assert_eq!(
            plain(2, 50, &pods),
            Ok(Proposal {
                replicas: 2,
                utilization: 50,
                raw_average: 50
            })
        );
    }

    #[test]
    fn missing_pods_on_scale_down_use_the_fallback_per_pod_with_integer_division() {
        // Target 150 %: a missing pod is assumed to use request × 150 / 100, truncated per
        // pod as upstream fills each missing pod's metric. Ten missing pods requesting 1m
        // each count 1m apiece (10m), where truncating the sum would give 15m.
        let mut pods = vec![pod(10, Some(0))];
        pods.extend((0..10).map(|_| pod(1, None)));
        let t = tally(&pods, 150);
        assert_eq!((t.missing, t.missing_requests), (10, 10));
        assert_eq!(t.missing_fallback_values, 10);
        // Usage 0 → scale-down; with the missing pods: 100 × 10 / 20 = 50 %, ratio 1/3 over
        // 11 pods: ceil(3.67) = 4 (with 15m it would be 75 %, ceil(5.5) = 6).
        assert_eq!(
            resource(11, 150, &pods),
            Ok(Proposal {
                replicas: 4,
                utilization: 0,
                raw_average: 0
            })
        );
        // Below 100 % the fallback is the request itself (max(target, 100)): 20m used of
        // 100m plus a missing pod at its full 100m is 60 % of 200m, above the 50 % target,
        // so the scale-down is cancelled (at 50 % of its request it would be 35 %: 2 pods).
        let pods = vec![pod(100, Some(20)), pod(100, None)];
        assert_eq!(tally(&pods, 50).missing_fallback_values, 100);
        assert_eq!(
            resource(4, 50, &pods),
            Ok(Proposal {
                replicas: 4,
                utilization: 20,
                raw_average: 20
            })
        );
    }

    #[test]
    fn plain_metrics_count_missing_pods_as_zero_on_scale_up_and_as_target_on_scale_down() {
        // Scale-up (300m per ready pod against 100m): the missing pod counts as 0 in the
        // average, 600 / 3 = 200: ceil(2 × 3) = 6 (at the target it would be 233: 7).
        let pods = vec![pod(100, Some(300)), pod(100, Some(300)), pod(100, None)];
        assert_eq!(
            plain(3, 100, &pods),
            Ok(Proposal {
                replicas: 6,
                utilization: 300,
                raw_average: 300
            })
        );
        // Against 250m the ready pods are 1.2 × the target, but with the missing pod at 0
        // the average is 200m, below it: the scale-up is cancelled and 2 replicas stay
        // (leaving the missing pod out would give 3, counting it at the target 4).
        assert_eq!(
            plain(2, 250, &pods),
            Ok(Proposal {
                replicas: 2,
                utilization: 300,
                raw_average: 300
            })
        );
        // Scale-down (50m against 100m): the missing pod counts as the target, 200 / 3 = 66:
        // ceil(0.66 × 3) = 2 (at 0 it would be 33: 1).
        let pods = vec![pod(100, Some(50)), pod(100, Some(50)), pod(100, None)];
        assert_eq!(
            plain(3, 100, &pods),
            Ok(Proposal {
                replicas: 2,
                utilization: 50,
                raw_average: 50
            })
        );
    }
}
