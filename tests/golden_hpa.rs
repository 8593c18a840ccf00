//! Golden cases transcribed from upstream's
//! `pkg/controller/podautoscaler/replica_calculator_test.go` (each test names its upstream
//! function). The upstream fixture builds pods with two containers, each requesting the
//! case's request and using the case's level, so pod values are twice the per-container ones;
//! metrics have a zero timestamp and a 1-minute window; "hot" pods started now, "cool" ones 3
//! minutes ago, others at the zero time; the testing constants are a 2-minute CPU
//! initialization period and a 10 s initial readiness delay.
//!
//! The normalization cases come from `pkg/controller/podautoscaler/horizontal_test.go`:
//! TestNormalizeDesiredReplicas, TestConvertDesiredReplicasWithRules, TestScalingWithRules (all
//! 42 cases, events placed by `generateEventsUniformDistribution`), TestStoreScaleEvents and
//! TestNormalizeDesiredReplicasWithBehavior, replayed at a fixed `now` (upstream uses the wall
//! clock, so an event exactly one period old is outside the period in both).

use kubesim::autoscaling::hpa::replica_calculator::{
    Phase, PodInput, Readiness, Sample, Tolerances, per_pod_replicas, plain_replicas,
    resource_replicas, value_replicas,
};
use kubesim::engine::{SimDuration, SimTime};

const NOW: u64 = 36_000;

fn now() -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(NOW)
}

fn readiness() -> Readiness {
    Readiness {
        cpu_initialization_period: SimDuration::from_secs(120),
        initial_readiness_delay: SimDuration::from_secs(10),
    }
}

#[derive(Clone, Copy)]
enum Start {
    Zero,
    Hot,
    Cool,
}

#[derive(Default)]
struct Case {
    current: i32,
    ready: Vec<bool>,
    start: Vec<Start>,
    phase: Vec<Phase>,
    deleting: Vec<bool>,
    /// Per-container request in millicores, by pod index (missing: no request).
    requests: Vec<i64>,
    /// Per-container usage levels, by pod index (fewer than pods: the rest are missing).
    levels: Vec<i64>,
}

impl Case {
    fn pods(&self, doubled: bool) -> Vec<PodInput> {
        let n = (self.current as usize).max(self.phase.len());
        let k = if doubled { 2 } else { 1 };
        (0..n)
            .map(|i| {
                let start = match self.start.get(i).copied().unwrap_or(Start::Zero) {
                    Start::Zero => SimTime::ZERO,
                    Start::Hot => now(),
                    Start::Cool => SimTime::ZERO + SimDuration::from_secs(NOW - 180),
                };
                PodInput {
                    phase: self.phase.get(i).copied().unwrap_or(Phase::Running),
                    deleting: self.deleting.get(i).copied().unwrap_or(false),
                    ready: Some((self.ready.get(i).copied().unwrap_or(true), SimTime::ZERO)),
                    start_time: Some(start),
                    request: self.requests.get(i).map(|r| r * 2).ok_or_else(|| {
                        format!("missing request for cpu in container  of Pod test-pod-{i}")
                    }),
                    sample: self.levels.get(i).map(|l| Sample {
                        value: l * k,
                        timestamp: SimTime::ZERO,
                        window: SimDuration::from_secs(60),
                    }),
                }
            })
            .collect()
    }

    /// A cpu Utilization target: (replicas, utilization %, raw average).
    fn cpu(&self, target: i32) -> Result<(i32, i64, i64), String> {
        resource_replicas(
            self.current,
            target,
            true,
            Tolerances::default(),
            &self.pods(true),
            readiness(),
            now(),
        )
        .map(|p| (p.replicas, p.utilization, p.raw_average))
    }

    /// A Pods metric (AverageValue): (replicas, average).
    fn pods_metric(&self, target: i64) -> (i32, i64) {
        let p = plain_replicas(
            self.current,
            target,
            false,
            Tolerances::default(),
            &self.pods(false),
            readiness(),
            now(),
        )
        .unwrap();
        (p.replicas, p.utilization)
    }

    fn ready_running(&self) -> i64 {
        self.pods(false)
            .iter()
            .filter(|p| p.phase == Phase::Running && p.ready.is_some_and(|r| r.0))
            .count() as i64
    }
}

fn ones(n: usize) -> Vec<i64> {
    vec![1000; n]
}

#[test]
fn test_replica_calc_scale_up() {
    let c = Case {
        current: 3,
        requests: ones(3),
        levels: vec![300, 500, 700],
        ..Default::default()
    };
    assert_eq!(c.cpu(30), Ok((5, 50, 2 * 500)));
}

#[test]
fn test_replica_calc_scale_up_unready_less_scale() {
    let c = Case {
        current: 3,
        ready: vec![false, true, true],
        requests: ones(3),
        levels: vec![300, 500, 700],
        ..Default::default()
    };
    assert_eq!(c.cpu(30), Ok((4, 60, 2 * 600)));
}

#[test]
fn test_replica_calc_scale_up_hot_cpu_less_scale() {
    let c = Case {
        current: 3,
        start: vec![Start::Hot, Start::Cool, Start::Cool],
        requests: ones(3),
        levels: vec![300, 500, 700],
        ..Default::default()
    };
    assert_eq!(c.cpu(30), Ok((4, 60, 2 * 600)));
}

#[test]
fn test_replica_calc_scale_up_unready_no_scale() {
    let c = Case {
        current: 3,
        ready: vec![true, false, false],
        requests: ones(3),
        levels: vec![400, 500, 700],
        ..Default::default()
    };
    assert_eq!(c.cpu(30), Ok((3, 40, 2 * 400)));
}

#[test]
fn test_replica_calc_scale_hot_cpu_no_scale() {
    let c = Case {
        current: 3,
        ready: vec![true, false, false],
        start: vec![Start::Cool, Start::Hot, Start::Hot],
        requests: ones(3),
        levels: vec![400, 500, 700],
        ..Default::default()
    };
    assert_eq!(c.cpu(30), Ok((3, 40, 2 * 400)));
}

#[test]
fn test_replica_calc_scale_up_ignores_failed_pods() {
    let c = Case {
        current: 2,
        ready: vec![true, true, false, false],
        phase: vec![Phase::Running, Phase::Running, Phase::Failed, Phase::Failed],
        requests: ones(4),
        levels: vec![500, 700],
        ..Default::default()
    };
    assert_eq!(c.cpu(30), Ok((4, 60, 2 * 600)));
}

#[test]
fn test_replica_calc_scale_up_ignores_deletion_pods() {
    let c = Case {
        current: 2,
        ready: vec![true, true, false, false],
        phase: vec![Phase::Running; 4],
        deleting: vec![false, false, true, true],
        requests: ones(4),
        levels: vec![500, 700],
        ..Default::default()
    };
    assert_eq!(c.cpu(30), Ok((4, 60, 2 * 600)));
}

#[test]
fn test_replica_calc_scale_up_cm() {
    let c = Case {
        current: 3,
        levels: vec![20000, 10000, 30000],
        ..Default::default()
    };
    assert_eq!(c.pods_metric(15000), (4, 20000));
}

#[test]
fn test_replica_calc_scale_up_cm_unready_hot_cpu_no_less_scale() {
    let c = Case {
        current: 3,
        ready: vec![true, true, false],
        start: vec![Start::Cool, Start::Cool, Start::Hot],
        levels: vec![50000, 10000, 30000],
        ..Default::default()
    };
    assert_eq!(c.pods_metric(15000), (6, 30000));
}

#[test]
fn test_replica_calc_scale_up_cm_unready_hot_cpu_scale_would_scale_down() {
    let c = Case {
        current: 3,
        ready: vec![false, true, false],
        start: vec![Start::Hot, Start::Cool, Start::Hot],
        levels: vec![50000, 15000, 30000],
        ..Default::default()
    };
    assert_eq!(c.pods_metric(15000), (7, 31666));
}

#[test]
fn test_replica_calc_scale_up_cm_object() {
    let c = Case {
        current: 3,
        ..Default::default()
    };
    let r = value_replicas(
        3,
        20000.0 / 15000.0,
        Tolerances::default(),
        c.ready_running(),
    );
    assert_eq!(r, 4);
}

#[test]
fn test_replica_calc_scale_up_cm_per_pod_object() {
    assert_eq!(
        per_pod_replicas(3, 20000, 5000, Tolerances::default()),
        (4, 6667)
    );
}

#[test]
fn test_replica_calc_scale_up_cm_object_ignores_unready_pods() {
    let c = Case {
        current: 3,
        ready: vec![false, true, false],
        ..Default::default()
    };
    // 15 if unready pods were counted.
    let r = value_replicas(
        3,
        50000.0 / 10000.0,
        Tolerances::default(),
        c.ready_running(),
    );
    assert_eq!(r, 5);
}

#[test]
fn test_replica_calc_scale_up_cm_external_ignores_unready_pods() {
    let c = Case {
        current: 3,
        ready: vec![false, true, false],
        ..Default::default()
    };
    let r = value_replicas(3, 8600.0 / 4400.0, Tolerances::default(), c.ready_running());
    assert_eq!(r, 2);
}

#[test]
fn test_replica_calc_scale_up_per_pod_cm_external() {
    assert_eq!(
        per_pod_replicas(3, 8600, 2150, Tolerances::default()),
        (4, 2867)
    );
}

#[test]
fn test_replica_calc_scale_down() {
    let c = Case {
        current: 5,
        requests: ones(5),
        levels: vec![100, 300, 500, 250, 250],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((3, 28, 2 * 280)));
}

#[test]
fn test_replica_calc_scale_down_cm() {
    let c = Case {
        current: 5,
        levels: vec![12000; 5],
        ..Default::default()
    };
    assert_eq!(c.pods_metric(20000), (3, 12000));
}

#[test]
fn test_replica_calc_scale_down_per_pod_cm_object() {
    assert_eq!(
        per_pod_replicas(5, 6000, 2000, Tolerances::default()),
        (3, 1200)
    );
}

#[test]
fn test_replica_calc_scale_down_cm_object_and_external() {
    let c = Case {
        current: 5,
        ..Default::default()
    };
    // TestReplicaCalcScaleDownCMObject and TestReplicaCalcScaleDownCMExternal.
    let t = Tolerances::default();
    assert_eq!(
        value_replicas(5, 12000.0 / 20000.0, t, c.ready_running()),
        3
    );
    assert_eq!(value_replicas(5, 8600.0 / 14334.0, t, c.ready_running()), 3);
}

#[test]
fn test_replica_calc_scale_down_per_pod_cm_external() {
    assert_eq!(
        per_pod_replicas(5, 8600, 2867, Tolerances::default()),
        (3, 1720)
    );
}

#[test]
fn test_replica_calc_scale_down_include_unready_pods() {
    let c = Case {
        current: 5,
        ready: vec![true, true, true, false, false],
        requests: ones(5),
        levels: vec![100, 300, 500, 250, 250],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((2, 30, 2 * 300)));
}

#[test]
fn test_replica_calc_scale_down_exclude_unscheduled_pods() {
    let c = Case {
        current: 5,
        ready: vec![true, false, false, false, false],
        phase: vec![
            Phase::Running,
            Phase::Pending,
            Phase::Pending,
            Phase::Pending,
            Phase::Pending,
        ],
        requests: ones(5),
        levels: vec![100],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((1, 10, 2 * 100)));
}

#[test]
fn test_replica_calc_scale_down_ignore_hot_cpu_pods() {
    let c = Case {
        current: 5,
        start: vec![
            Start::Cool,
            Start::Cool,
            Start::Cool,
            Start::Hot,
            Start::Hot,
        ],
        requests: ones(5),
        levels: vec![100, 300, 500, 250, 250],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((2, 30, 2 * 300)));
}

#[test]
fn test_replica_calc_scale_down_ignores_failed_and_deletion_pods() {
    let mut c = Case {
        current: 5,
        ready: vec![true, true, true, true, true, false, false],
        phase: vec![
            Phase::Running,
            Phase::Running,
            Phase::Running,
            Phase::Running,
            Phase::Running,
            Phase::Failed,
            Phase::Failed,
        ],
        requests: ones(7),
        levels: vec![100, 300, 500, 250, 250],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((3, 28, 2 * 280)), "IgnoresFailedPods");
    c.phase = vec![Phase::Running; 7];
    c.deleting = vec![false, false, false, false, false, true, true];
    assert_eq!(c.cpu(50), Ok((3, 28, 2 * 280)), "IgnoresDeletionPods");
}

#[test]
fn test_replica_calc_tolerance() {
    let c = Case {
        current: 3,
        requests: vec![900, 1000, 1100],
        levels: vec![1010, 1030, 1020],
        ..Default::default()
    };
    assert_eq!(c.cpu(100), Ok((3, 102, 2 * 1020)));
}

#[test]
fn test_replica_calc_tolerance_cm_variants() {
    let c = Case {
        current: 3,
        levels: vec![20000, 21000, 21000],
        ..Default::default()
    };
    assert_eq!(c.pods_metric(20000), (3, 20666), "ToleranceCM");
    let t = Tolerances::default();
    assert_eq!(
        value_replicas(3, 20666.0 / 20000.0, t, 3),
        3,
        "ToleranceCMObject"
    );
    assert_eq!(
        per_pod_replicas(4, 20166, 5000, t),
        (4, 5042),
        "TolerancePerPodCMObject"
    );
    assert_eq!(
        value_replicas(3, 8600.0 / 8888.0, t, 3),
        3,
        "ToleranceCMExternal"
    );
    assert_eq!(
        per_pod_replicas(3, 8600, 2900, t),
        (3, 2867),
        "TolerancePerPodCMExternal"
    );
}

#[test]
fn test_replica_calc_superfluous_metrics() {
    // Metrics for pods the selector does not list are not counted.
    let c = Case {
        current: 4,
        requests: ones(4),
        levels: vec![4000, 9500, 3000, 7000, 3200, 2000],
        ..Default::default()
    };
    assert_eq!(c.cpu(100), Ok((24, 587, 2 * 5875)));
}

#[test]
fn test_replica_calc_missing_metrics() {
    let c = Case {
        current: 4,
        requests: ones(4),
        levels: vec![400, 95],
        ..Default::default()
    };
    assert_eq!(c.cpu(100), Ok((3, 24, 495)));
}

#[test]
fn test_replica_calc_empty_cpu_request() {
    let c = Case {
        current: 1,
        requests: vec![],
        levels: vec![200],
        ..Default::default()
    };
    let e = c.cpu(100).unwrap_err();
    assert!(e.contains("missing request for"), "{e}");
}

#[test]
fn test_replica_calc_missing_metrics_no_change_eq_gt_lt() {
    for (level, util) in [(1000, 100), (1900, 190), (600, 60)] {
        let c = Case {
            current: 2,
            requests: ones(2),
            levels: vec![level],
            ..Default::default()
        };
        assert_eq!(c.cpu(100), Ok((2, util, 2 * level)), "level {level}");
    }
}

#[test]
fn test_replica_calc_missing_metrics_unready_change() {
    let c = Case {
        current: 3,
        ready: vec![false, true, true],
        requests: ones(3),
        levels: vec![100, 450],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((3, 45, 2 * 450)));
}

#[test]
fn test_replica_calc_missing_metrics_hot_cpu_no_change() {
    let c = Case {
        current: 3,
        start: vec![Start::Hot, Start::Cool, Start::Cool],
        requests: ones(3),
        levels: vec![100, 450],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((3, 45, 2 * 450)));
}

#[test]
fn test_replica_calc_missing_metrics_unready_scale_up() {
    let c = Case {
        current: 3,
        ready: vec![false, true, true],
        requests: ones(3),
        levels: vec![100, 2000],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((4, 200, 2 * 2000)));
}

#[test]
fn test_replica_calc_missing_metrics_hot_cpu_scale_up() {
    let c = Case {
        current: 3,
        ready: vec![false, true, true],
        start: vec![Start::Hot, Start::Cool, Start::Cool],
        requests: ones(3),
        levels: vec![100, 2000],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((4, 200, 2 * 2000)));
}

#[test]
fn test_replica_calc_missing_metrics_unready_scale_down() {
    let c = Case {
        current: 4,
        ready: vec![false, true, true, true],
        requests: ones(4),
        levels: vec![100, 100, 100],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((3, 10, 2 * 100)));
}

#[test]
fn test_replica_calc_during_rolling_update_with_max_surge() {
    let c = Case {
        current: 2,
        phase: vec![Phase::Running; 3],
        requests: ones(3),
        levels: vec![100, 100],
        ..Default::default()
    };
    assert_eq!(c.cpu(50), Ok((2, 10, 2 * 100)));
}

#[test]
fn test_replica_calc_computed_tolerance_alg_implementation() {
    // 10 pods using 150m of ~300m requested; a target just past the tolerance scales down,
    // one just inside it does not.
    let start_pods = 10;
    let used: i64 = 10 * 150;
    let requested: i64 = 2 * used;
    let requested_to_used = (requested / used) as f64;
    let per_pod = requested / 10;
    let requests = vec![
        per_pod + 100,
        per_pod - 100,
        per_pod + 10,
        per_pod - 10,
        per_pod + 2,
        per_pod - 2,
        per_pod + 1,
        per_pod - 1,
        per_pod,
        per_pod,
    ];
    let mk = |target: f64| {
        let c = Case {
            current: start_pods,
            requests: requests.clone(),
            levels: vec![used / 10; 10],
            ..Default::default()
        };
        let pct = (target * 100.0) as i32;
        c.cpu(pct).unwrap()
    };
    let target = (1.0 / (requested_to_used * (1.0 - 0.1))).abs() + 0.01;
    let ratio = used as f64 / (requested as f64 * target);
    let final_pods = (ratio * start_pods as f64).ceil() as i32;
    assert_eq!(
        mk(target),
        (final_pods, used * 100 / requested, 2 * used / 10)
    );
    let target = (1.0 / (requested_to_used * (1.0 - 0.1))).abs() + 0.004;
    assert_eq!(mk(target).0, start_pods);
}

#[test]
fn missing_pods_on_scale_down_use_the_target_above_100_percent() {
    // Newest upstream (PR #112178): a missing pod counts as max(100, target)% of its request.
    let c = Case {
        current: 4,
        requests: ones(4),
        levels: vec![400, 95],
        ..Default::default()
    };
    // target 150: ratio0 = 24/150; missing pods count 150 % each:
    // (990 + 2 × 3000) × 100 / 8000 = 87 % → 87/150 = 0.58 → ceil(0.58 × 4) = 3.
    assert_eq!(c.cpu(150), Ok((3, 24, 495)));
}

// ----- normalization (horizontal.go) ---------------------------------------------------------

use kubesim::autoscaling::hpa::normalize::{
    Behavior, History, Policy, PolicyType, Rules, SelectPolicy,
};

fn ago(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(NOW - s)
}

#[test]
fn test_normalize_desired_replicas_stabilization_log() {
    // Upstream TestNormalizeDesiredReplicas (stabilizeRecommendation, 5-minute window):
    // (recommendations, prenormalized, expected stabilized, expected log length).
    type Case = (Vec<(i32, SimTime)>, i32, i32, usize);
    let cases: Vec<Case> = vec![
        (vec![], 5, 5, 1),
        (vec![(4, ago(120)), (5, ago(60))], 3, 5, 3),
        (vec![(1, ago(120)), (2, ago(60))], 3, 3, 3),
        (vec![(10, ago(600)), (9, ago(540))], 3, 3, 2),
        (
            vec![(10, ago(600)), (4, ago(60)), (5, ago(120)), (9, ago(540))],
            3,
            5,
            4,
        ),
    ];
    for (i, (recs, pre, want, len)) in cases.into_iter().enumerate() {
        let mut h = History::with_recommendations(&recs);
        let n = h.normalize_legacy(pre, pre, 1, 100, SimDuration::from_secs(300), now());
        assert_eq!(n.stabilized, want, "case {i}");
        assert_eq!(h.recommendation_count(), len, "case {i}");
    }
}

#[test]
fn test_convert_desired_replicas_with_rules() {
    // Upstream TestConvertDesiredReplicasWithRules: (current, desired, min, max, expected,
    // reason). The min-0 case of the old test (1 as the floor) no longer exists upstream.
    let cases = [
        (5, 7, 3, 8, 7, "DesiredWithinRange"),
        (3, 1, 2, 8, 2, "TooFewReplicas"),
        (20, 1000, 1, 10, 10, "TooManyReplicas"),
        (3, 1000, 1, 2000, 6, "ScaleUpLimit"),
    ];
    for (current, desired, min, max, want, reason) in cases {
        let mut h = History::default();
        let n = h.normalize_legacy(
            current,
            desired,
            min,
            max,
            SimDuration::from_secs(300),
            now(),
        );
        assert_eq!(n.replicas, want, "{current} → {desired}");
        assert_eq!(n.scaling_limited.1.0, reason, "{current} → {desired}");
    }
}

fn policy(kind: PolicyType, value: i32, period_seconds: i32) -> Policy {
    Policy {
        kind,
        value,
        period_seconds,
    }
}

#[test]
fn default_behavior_doubles_or_adds_four_every_15s_sync() {
    // Defaults: Pods 4 / Percent 100 per 15 s, Max. From 3: max(3+4, 6) = 7, then
    // max(7+4, 14) = 14 at the next sync: the event 15 s ago is no longer counted (strict
    // `After` on the cutoff).
    let b = Behavior {
        scale_up: Rules::default_scale_up(),
        scale_down: Rules::default_scale_down(300),
    };
    let mut h = History::default();
    let t0 = now();
    let n = h.normalize_with_behavior(&b, 3, 50, 1, 100, t0);
    assert_eq!((n.replicas, n.scaling_limited.1.0), (7, "ScaleUpLimit"));
    h.store_scale_event(&b, 3, 7, t0);
    // Within the same period the limit stays at 7.
    let t1 = t0 + SimDuration::from_secs(10);
    assert_eq!(h.normalize_with_behavior(&b, 7, 50, 1, 100, t1).replicas, 7);
    let t2 = t0 + SimDuration::from_secs(15);
    assert_eq!(
        h.normalize_with_behavior(&b, 7, 50, 1, 100, t2).replicas,
        14
    );
}

#[test]
fn docs_example_scale_down_80_with_pods_4_and_percent_10_per_minute() {
    // kubernetes.io HPA docs, "Scaling Policies": Pods 4 / 60 s and Percent 10 / 60 s, Max,
    // no stabilization; from 80 the first step removes 8 (Percent), and while that event is
    // younger than 60 s no more pods are removed.
    let b = Behavior {
        scale_up: Rules::default_scale_up(),
        scale_down: Rules {
            stabilization_window_seconds: 0,
            select: SelectPolicy::Max,
            policies: vec![
                policy(PolicyType::Pods, 4, 60),
                policy(PolicyType::Percent, 10, 60),
            ],
        },
    };
    let mut h = History::default();
    let t0 = now();
    let n = h.normalize_with_behavior(&b, 80, 10, 1, 100, t0);
    assert_eq!((n.replicas, n.scaling_limited.1.0), (72, "ScaleDownLimit"));
    h.store_scale_event(&b, 80, 72, t0);
    let t1 = t0 + SimDuration::from_secs(30);
    assert_eq!(
        h.normalize_with_behavior(&b, 72, 10, 1, 100, t1).replicas,
        72
    );
    let t2 = t0 + SimDuration::from_secs(60);
    // trunc(72 × 0.9) = 64 beats 72 − 4.
    assert_eq!(
        h.normalize_with_behavior(&b, 72, 10, 1, 100, t2).replicas,
        64
    );
    // Below 40 replicas the Pods policy removes more.
    let mut h = History::default();
    assert_eq!(
        h.normalize_with_behavior(&b, 30, 10, 1, 100, t0).replicas,
        26
    );
}

#[test]
fn select_policy_min_and_disabled() {
    let up = |select| Behavior {
        scale_up: Rules {
            stabilization_window_seconds: 0,
            select,
            policies: vec![
                policy(PolicyType::Pods, 4, 60),
                policy(PolicyType::Percent, 100, 60),
            ],
        },
        scale_down: Rules::default_scale_down(300),
    };
    let mut h = History::default();
    // Min: the smaller of 10+4 and 20.
    assert_eq!(
        h.normalize_with_behavior(&up(SelectPolicy::Min), 10, 50, 1, 100, now())
            .replicas,
        14
    );
    let mut h = History::default();
    assert_eq!(
        h.normalize_with_behavior(&up(SelectPolicy::Max), 10, 50, 1, 100, now())
            .replicas,
        20
    );
    let mut h = History::default();
    let n = h.normalize_with_behavior(&up(SelectPolicy::Disabled), 10, 50, 1, 100, now());
    assert_eq!((n.replicas, n.scaling_limited.1.0), (10, "ScaleUpLimit"));
}

#[test]
fn stabilization_windows_pick_the_lowest_up_and_highest_down_recommendation() {
    // As in upstream TestStabilizeRecommendationWithBehaviors' shape: up window 300 s, down
    // window 600 s.
    let b = Behavior {
        scale_up: Rules {
            stabilization_window_seconds: 300,
            ..Rules::default_scale_up()
        },
        scale_down: Rules::default_scale_down(600),
    };
    let mut h = History::with_recommendations(&[(8, ago(120)), (7, ago(240))]);
    let n = h.normalize_with_behavior(&b, 5, 10, 1, 100, now());
    assert_eq!(n.stabilized, 7);
    assert_eq!(n.able_to_scale.0, "ScaleUpStabilized");
    let mut h = History::with_recommendations(&[(5, ago(300)), (4, ago(480))]);
    let n = h.normalize_with_behavior(&b, 8, 3, 1, 100, now());
    assert_eq!(n.stabilized, 5);
    assert_eq!(n.able_to_scale.0, "ScaleDownStabilized");
    // A recommendation exactly at the window's edge is outside it (strict `After`).
    let mut h = History::with_recommendations(&[(9, ago(600))]);
    assert_eq!(
        h.normalize_with_behavior(&b, 8, 3, 1, 100, now())
            .stabilized,
        3
    );
}

#[test]
fn legacy_window_edge_is_inside() {
    // stabilizeRecommendation skips only recommendations *before* the cutoff: one exactly
    // 300 s old still holds the scale-down.
    let mut h = History::with_recommendations(&[(9, ago(300))]);
    let n = h.normalize_legacy(9, 3, 1, 100, SimDuration::from_secs(300), now());
    assert_eq!(n.replicas, 9);
    assert_eq!(n.able_to_scale.0, "ScaleDownStabilized");
}

// ----- horizontal_test.go: TestScalingWithRules, TestStoreScaleEvents,
// ----- TestNormalizeDesiredReplicasWithBehavior ----------------------------------------------

/// Upstream's `generateScalingRules(pods, podsPeriod, percent, percentPeriod, window)`:
/// selectPolicy Max, a Pods and/or a Percent policy.
fn generate_scaling_rules(
    pods: i32,
    pods_period: i32,
    percent: i32,
    percent_period: i32,
    window: i32,
) -> Rules {
    let mut policies = Vec::new();
    if pods != 0 {
        policies.push(policy(PolicyType::Pods, pods, pods_period));
    }
    if percent != 0 {
        policies.push(policy(PolicyType::Percent, percent, percent_period));
    }
    Rules {
        stabilization_window_seconds: window,
        select: SelectPolicy::Max,
        policies,
    }
}

/// Upstream's `generateEventsUniformDistribution(raw, period)`: event `i` of `n` sits at the
/// centre of the `i`-th segment of the last `period` seconds, oldest first.
fn uniform_events(raw: &[i32], period: u64) -> Vec<(i32, SimTime)> {
    let seg = period as f64 / raw.len() as f64;
    raw.iter()
        .enumerate()
        .map(|(i, &c)| {
            let age = (period as f64 - seg * (i as f64 + 1.0) + seg / 2.0) as u64;
            (c, ago(age))
        })
        .collect()
}

#[test]
fn test_scaling_with_rules() {
    // Upstream TestScalingWithRules (convertDesiredReplicasWithBehaviorRate through
    // GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: nil rules are the defaults). A fresh
    // recommendation history makes the stabilization a no-op, as in the upstream test.
    struct Case {
        name: &'static str,
        up_events: Vec<(i32, SimTime)>,
        down_events: Vec<(i32, SimTime)>,
        min: i32,
        max: i32,
        up: Option<Rules>,
        down: Option<Rules>,
        current: i32,
        desired: i32,
        want: i32,
        reason: &'static str,
    }
    let r = generate_scaling_rules;
    let e = uniform_events;
    let c = |name, min, max, up, down, current, desired, want, reason| Case {
        name,
        up_events: vec![],
        down_events: vec![],
        min,
        max,
        up,
        down,
        current,
        desired,
        want,
        reason,
    };
    let cases = vec![
        c(
            "prenormalized desired replicas within range",
            3,
            8,
            None,
            None,
            5,
            7,
            7,
            "DesiredWithinRange",
        ),
        c(
            "prenormalized desired replicas < minReplicas",
            2,
            8,
            None,
            None,
            3,
            1,
            2,
            "TooFewReplicas",
        ),
        c(
            "prenormalized desired replicas within range when minReplicas is 0",
            0,
            10,
            None,
            None,
            1,
            0,
            0,
            "DesiredWithinRange",
        ),
        c(
            "maxReplicas is the limit because maxReplicas < scaleUpLimit",
            1,
            10,
            None,
            None,
            20,
            1000,
            10,
            "TooManyReplicas",
        ),
        c(
            "desired replica count is more than the maximum replica count",
            100,
            150,
            None,
            None,
            100,
            1000,
            150,
            "TooManyReplicas",
        ),
        c(
            "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies",
            1,
            2000,
            Some(r(0, 0, 1, 60, 0)),
            None,
            3,
            1000,
            4,
            "ScaleUpLimit",
        ),
        // Skipped upstream (testThis), and true here as well.
        c(
            "scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined policies",
            3,
            2000,
            None,
            Some(r(20, 60, 0, 0, 0)),
            1000,
            3,
            980,
            "ScaleDownLimit",
        ),
        c(
            "scaleUp with default behavior",
            1,
            1000,
            None,
            None,
            10,
            50,
            20,
            "ScaleUpLimit",
        ),
        c(
            "scaleUp with pods policy larger than percent policy",
            1,
            1000,
            Some(r(100, 60, 100, 60, 0)),
            None,
            10,
            500,
            110,
            "ScaleUpLimit",
        ),
        c(
            "scaleUp with percent policy larger than pods policy",
            1,
            1000,
            Some(r(2, 60, 100, 60, 0)),
            None,
            10,
            500,
            20,
            "ScaleUpLimit",
        ),
        c(
            "scaleUp with spec MaxReplicas limitation with large pod policy",
            1,
            1000,
            Some(r(100, 60, 0, 0, 0)),
            None,
            10,
            50,
            50,
            "DesiredWithinRange",
        ),
        c(
            "scaleUp with spec MaxReplicas limitation with large percent policy",
            1,
            1000,
            Some(r(10000, 60, 0, 0, 0)),
            None,
            10,
            50,
            50,
            "DesiredWithinRange",
        ),
        c(
            "scaleUp with pod policy limitation",
            1,
            1000,
            Some(r(30, 60, 0, 0, 0)),
            None,
            10,
            50,
            40,
            "ScaleUpLimit",
        ),
        c(
            "scaleUp with percent policy limitation",
            1,
            1000,
            Some(r(0, 0, 200, 60, 0)),
            None,
            10,
            50,
            30,
            "ScaleUpLimit",
        ),
        c(
            "scaleDown with percent policy larger than pod policy",
            1,
            1000,
            None,
            Some(r(20, 60, 1, 60, 300)),
            100,
            2,
            80,
            "ScaleDownLimit",
        ),
        c(
            "scaleDown with pod policy larger than percent policy",
            1,
            1000,
            None,
            Some(r(2, 60, 1, 60, 300)),
            100,
            2,
            98,
            "ScaleDownLimit",
        ),
        c(
            "scaleDown with spec MinReplicas=nil limitation with large pod policy",
            1,
            1000,
            None,
            Some(r(100, 60, 0, 0, 300)),
            10,
            0,
            1,
            "TooFewReplicas",
        ),
        c(
            "scaleDown with spec MinReplicas limitation with large pod policy",
            1,
            1000,
            None,
            Some(r(100, 60, 0, 0, 300)),
            10,
            0,
            1,
            "TooFewReplicas",
        ),
        c(
            "scaleDown with spec MinReplicas limitation with large percent policy",
            5,
            1000,
            None,
            Some(r(0, 0, 100, 60, 300)),
            10,
            2,
            5,
            "TooFewReplicas",
        ),
        c(
            "scaleDown with pod policy limitation",
            1,
            1000,
            None,
            Some(r(5, 60, 0, 0, 300)),
            10,
            2,
            5,
            "ScaleDownLimit",
        ),
        c(
            "scaleDown with percent policy limitation",
            1,
            1000,
            None,
            Some(r(0, 0, 50, 60, 300)),
            10,
            5,
            5,
            "DesiredWithinRange",
        ),
        Case {
            up_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleUp with spec MaxReplicas limitation with large pod policy and events",
                1,
                200,
                Some(r(300, 60, 0, 0, 0)),
                None,
                100,
                500,
                200,
                "TooManyReplicas",
            )
        },
        Case {
            up_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleUp with spec MaxReplicas limitation with large percent policy and events",
                1,
                200,
                Some(r(0, 0, 10000, 60, 0)),
                None,
                100,
                500,
                200,
                "TooManyReplicas",
            )
        },
        Case {
            up_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
                1,
                1000,
                Some(r(5, 120, 0, 0, 0)),
                None,
                100,
                500,
                100,
                "ScaleUpLimit",
            )
        },
        Case {
            up_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleUp with pod policy and previous scale up events",
                1,
                1000,
                Some(r(150, 120, 0, 0, 0)),
                None,
                100,
                500,
                235,
                "ScaleUpLimit",
            )
        },
        Case {
            up_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleUp with percent policy and previous scale up events",
                1,
                1000,
                Some(r(0, 0, 200, 120, 0)),
                None,
                100,
                500,
                255,
                "ScaleUpLimit",
            )
        },
        Case {
            up_events: e(&[4], 120),
            down_events: e(&[2], 120),
            ..c(
                "scaleUp with percent policy and previous scale up and down events",
                1,
                1000,
                Some(r(0, 0, 300, 300, 0)),
                None,
                6,
                24,
                16,
                "ScaleUpLimit",
            )
        },
        Case {
            down_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleDown with default policy and previous events",
                1,
                1000,
                None,
                None,
                10,
                5,
                5,
                "DesiredWithinRange",
            )
        },
        Case {
            down_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events",
                1,
                1000,
                None,
                Some(r(115, 120, 0, 0, 300)),
                100,
                0,
                1,
                "TooFewReplicas",
            )
        },
        Case {
            down_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleDown with spec MinReplicas limitation with large pod policy and previous events",
                5,
                1000,
                None,
                Some(r(130, 120, 0, 0, 300)),
                100,
                0,
                5,
                "TooFewReplicas",
            )
        },
        Case {
            down_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleDown with spec MinReplicas limitation with large percent policy and previous events",
                5,
                1000,
                None,
                Some(r(0, 0, 100, 120, 300)),
                100,
                2,
                5,
                "TooFewReplicas",
            )
        },
        Case {
            down_events: e(&[1, 5, 9], 120),
            ..c(
                "scaleDown with pod policy limitation and previous events",
                1,
                1000,
                None,
                Some(r(5, 120, 0, 0, 300)),
                100,
                2,
                100,
                "ScaleDownLimit",
            )
        },
        Case {
            down_events: e(&[2, 4, 6], 120),
            ..c(
                "scaleDown with percent policy limitation and previous events",
                1,
                1000,
                None,
                Some(r(0, 0, 50, 120, 300)),
                100,
                0,
                56,
                "ScaleDownLimit",
            )
        },
        Case {
            up_events: e(&[2], 120),
            down_events: e(&[4], 120),
            ..c(
                "scaleDown with percent policy and previous scale up and down events",
                1,
                1000,
                None,
                Some(r(0, 0, 50, 180, 0)),
                10,
                1,
                6,
                "ScaleDownLimit",
            )
        },
        Case {
            down_events: e(&[10, 10, 10], 120),
            ..c(
                "scaleDown with previous events preventing further scale down",
                1,
                1000,
                None,
                Some(r(0, 0, 10, 120, 300)),
                100,
                0,
                100,
                "ScaleDownLimit",
            )
        },
        Case {
            down_events: e(&[10, 10, 10], 120),
            ..c(
                "scaleDown with with previous events still allowing more scale down",
                1,
                1000,
                None,
                Some(r(0, 0, 1000, 120, 300)),
                10,
                5,
                5,
                "DesiredWithinRange",
            )
        },
        Case {
            up_events: e(&[8, 12, 9, 11], 120),
            ..c(
                "check 'outdated' flag for events for one behavior for up",
                1,
                1000,
                Some(r(1000, 60, 0, 0, 0)),
                None,
                100,
                200,
                200,
                "DesiredWithinRange",
            )
        },
        Case {
            up_events: e(&[8, 12, 9, 11], 120),
            ..c(
                "check that events were not marked 'outdated' for two different policies in the behavior for up",
                1,
                1000,
                Some(r(1000, 120, 100, 60, 0)),
                None,
                100,
                200,
                200,
                "DesiredWithinRange",
            )
        },
        Case {
            up_events: e(&[8, 12, 9, 11], 120),
            ..c(
                "check that events were marked 'outdated' for two different policies in the behavior for up",
                1,
                1000,
                Some(r(1000, 30, 100, 60, 0)),
                None,
                100,
                200,
                200,
                "DesiredWithinRange",
            )
        },
        Case {
            down_events: e(&[8, 12, 9, 11], 120),
            ..c(
                "check 'outdated' flag for events for one behavior for down",
                1,
                1000,
                None,
                Some(r(1000, 60, 0, 0, 300)),
                100,
                5,
                5,
                "DesiredWithinRange",
            )
        },
        Case {
            down_events: e(&[8, 12, 9, 11], 120),
            ..c(
                "check that events were not marked 'outdated' for two different policies in the behavior for down",
                1,
                1000,
                None,
                Some(r(1000, 120, 100, 60, 300)),
                100,
                5,
                5,
                "DesiredWithinRange",
            )
        },
        Case {
            down_events: e(&[8, 12, 9, 11], 120),
            ..c(
                "check that events were marked 'outdated' for two different policies in the behavior for down",
                1,
                1000,
                None,
                Some(r(1000, 30, 100, 60, 300)),
                100,
                5,
                5,
                "DesiredWithinRange",
            )
        },
    ];
    assert_eq!(cases.len(), 42);
    for case in cases {
        let b = Behavior {
            scale_up: case.up.unwrap_or_else(Rules::default_scale_up),
            scale_down: case.down.unwrap_or_else(|| Rules::default_scale_down(300)),
        };
        let mut h = History::with_scale_events(&case.up_events, &case.down_events);
        let n =
            h.normalize_with_behavior(&b, case.current, case.desired, case.min, case.max, now());
        assert_eq!(n.replicas, case.want, "{}", case.name);
        assert_eq!(n.scaling_limited.1.0, case.reason, "{}", case.name);
    }
}

#[test]
fn test_store_scale_events() {
    // Upstream TestStoreScaleEvents: (replica change, previous events as (change, age s),
    // rules, expected events as (change, outdated), expected change in the last 60 s). The
    // no-behavior cases (the legacy path stores no events) are covered by the controller,
    // which calls store_scale_event only with a behavior.
    let r = generate_scaling_rules;
    type Case = (i32, Vec<(i32, u64)>, Rules, Vec<(i32, bool)>, i32);
    let cases: Vec<Case> = vec![
        (5, vec![], r(10, 60, 100, 60, 0), vec![(5, false)], 0),
        (5, vec![(7, 61)], r(10, 60, 100, 60, 0), vec![(5, false)], 0),
        (
            5,
            vec![(7, 58)],
            r(10, 60, 100, 60, 0),
            vec![(7, false), (5, false)],
            7,
        ),
        (
            5,
            vec![(7, 61), (6, 59)],
            r(10, 60, 0, 0, 0),
            vec![(5, false), (6, false)],
            6,
        ),
        (
            5,
            vec![(8, 29), (6, 59), (7, 61), (9, 61)],
            r(10, 60, 100, 30, 0),
            vec![(8, false), (6, false), (7, true), (5, false)],
            14,
        ),
        (
            5,
            vec![(7, 58), (6, 59)],
            r(10, 120, 100, 30, 0),
            vec![(7, false), (6, false), (5, false)],
            13,
        ),
    ];
    for (i, (change, prev, rules, want, want_change)) in cases.into_iter().enumerate() {
        let prev: Vec<(i32, SimTime)> = prev.iter().map(|&(c, a)| (c, ago(a))).collect();
        for up in [true, false] {
            let b = Behavior {
                scale_up: rules.clone(),
                scale_down: rules.clone(),
            };
            let mut h = if up {
                History::with_scale_events(&prev, &[])
            } else {
                History::with_scale_events(&[], &prev)
            };
            assert_eq!(
                h.replicas_change_per_period(up, 60, now()),
                want_change,
                "case {i}"
            );
            let new = if up { 10 + change } else { 10 - change };
            h.store_scale_event(&b, 10, new, now());
            assert_eq!(h.scale_events(up), want, "case {i} up={up}");
        }
    }
}

#[test]
fn test_normalize_desired_replicas_with_behavior() {
    // Upstream TestNormalizeDesiredReplicasWithBehavior (stabilizeRecommendationWithBehaviors):
    // (recommendations as (replicas, age s), current, prenormalized, expected stabilized,
    // expected stored recommendations or None, up window, down window).
    type Case = (Vec<(i32, u64)>, i32, i32, i32, Option<Vec<i32>>, i32, i32);
    let cases: Vec<Case> = vec![
        (vec![], 100, 5, 5, Some(vec![5]), 0, 0),
        (
            vec![(4, 120), (5, 60)],
            100,
            3,
            5,
            Some(vec![4, 5, 3]),
            0,
            180,
        ),
        (
            vec![(4, 120), (5, 60)],
            1,
            7,
            4,
            Some(vec![4, 5, 7]),
            300,
            0,
        ),
        (
            vec![(1, 120), (2, 60)],
            100,
            3,
            3,
            Some(vec![1, 2, 3]),
            300,
            0,
        ),
        (
            vec![(4, 120), (5, 60)],
            1,
            3,
            3,
            Some(vec![4, 5, 3]),
            0,
            300,
        ),
        (
            vec![(10, 600), (9, 540)],
            100,
            3,
            3,
            Some(vec![10, 3]),
            0,
            0,
        ),
        (
            vec![(10, 600), (9, 540)],
            1,
            100,
            100,
            Some(vec![10, 100]),
            0,
            0,
        ),
        (
            vec![(10, 600), (4, 60), (5, 120), (9, 540)],
            100,
            3,
            5,
            Some(vec![10, 4, 5, 3]),
            0,
            180,
        ),
        (
            vec![(10, 6000), (6, 60), (5, 120), (9, 180)],
            1,
            100,
            5,
            Some(vec![100, 6, 5, 9]),
            300,
            0,
        ),
        (vec![(2, 6000), (3, 180)], 2, 1, 2, None, 300, 300),
        (vec![(2, 6000), (1, 180)], 2, 3, 2, None, 300, 300),
    ];
    for (i, (recs, current, pre, want, stored, up_w, down_w)) in cases.into_iter().enumerate() {
        let recs: Vec<(i32, SimTime)> = recs.iter().map(|&(r, a)| (r, ago(a))).collect();
        let mut h = History::with_recommendations(&recs);
        let mut up = Rules::default_scale_up();
        up.stabilization_window_seconds = up_w;
        let b = Behavior {
            scale_up: up,
            scale_down: Rules::default_scale_down(down_w),
        };
        let n = h.normalize_with_behavior(&b, current, pre, 1, 1000, now());
        assert_eq!(n.stabilized, want, "case {i}");
        if let Some(s) = stored {
            assert_eq!(h.recommendations(), s, "case {i}");
        }
    }
}
