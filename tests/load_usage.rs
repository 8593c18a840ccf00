//! Per-pod usage from the load model, end to end: pods targeted by several load sources use the
//! sum of every source's baseline and request share (the kubelet's load tick reads each pod's
//! demand by pod slot), pods over their limits are throttled or OOM-killed in the load model's
//! order (first source, then pod id), and metrics-server scrapes every running pod, so an HPA
//! created late has metrics at its first sync. Every figure is derived by hand in the comments.

mod scenario_support;

use kubesim::model::PodId;
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use scenario_support::{events, repo, secs, sim_from};
use std::sync::Arc;

const MI: i64 = 1024 * 1024;
const KI: i64 = 1024;

/// Two Deployments behind one Service `web` (selector `app: web`): `web-a` (labels `app: web,
/// tier: a`) and `web-b` (`app: web, tier: b`), two replicas each, with the given container
/// limits; `load` and `events` are appended as written.
fn two_deployments(a_limits: &str, b_limits: &str, load: &str, events: &str) -> String {
    let deployment = |name: &str, tier: &str, limits: &str| {
        format!(
            "      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: {name}}}
      spec:
        replicas: 2
        selector: {{matchLabels: {{app: web, tier: {tier}}}}}
        template:
          metadata: {{labels: {{app: web, tier: {tier}}}}}
          spec:
            containers:
              - name: app
                image: example/web:1.0
                resources:
                  requests: {{cpu: 10m, memory: 16Mi}}
                  limits: {limits}
"
        )
    };
    format!(
        "apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: load-usage}}
seed: 3
duration: 3m
nodePools:
  - name: general
    count: 1
    template:
      status:
        allocatable: {{cpu: \"8\", memory: 16Gi, pods: \"110\"}}
    prepulledImages: [\"example/web:1.0\"]
manifests:
  - inline: |
{}      ---
{}      ---
      apiVersion: v1
      kind: Service
      metadata: {{name: web}}
      spec:
        selector: {{app: web}}
        ports: [{{port: 80}}]
{load}{events}",
        deployment("web-a", "a", a_limits),
        deployment("web-b", "b", b_limits),
    )
}

/// Source 0 (`a-only`) targets Deployment `web-a`; source 1 (`all`) targets Service `web`, so
/// `web-a`'s pods are targeted twice and `web-b`'s once.
const TWO_SOURCES: &str = "load:
  - name: a-only
    target: {deployment: web-a}
    rate: {constant: {rps: 60}}
    perRequest: {cpu: 1m, memory: 1Mi}
    perPod: {cpu: 10m, memory: 32Mi}
  - name: all
    target: {service: web}
    rate: {constant: {rps: 60}}
    perRequest: {cpu: 1m, memory: 512Ki}
    perPod: {cpu: 5m, memory: 16Mi}
";

const NO_LIMITS: &str = "{cpu: \"2\", memory: 1Gi}";

/// The active pods whose name starts with `prefix`, by id.
fn pods_of(sim: &Simulation, prefix: &str) -> Vec<PodId> {
    let mut v: Vec<PodId> = sim
        .store
        .pods()
        .filter(|(_, p)| p.name.starts_with(prefix) && p.is_active())
        .map(|(id, _)| id)
        .collect();
    v.sort();
    v
}

/// (cpu millicores, memory bytes) the kubelet holds for `p` at the last load tick.
fn usage(sim: &Simulation, p: PodId) -> (f64, i64) {
    sim.kubelet()
        .pod_usage_now(p)
        .unwrap_or_else(|| panic!("{p:?} has no usage"))
}

/// Asserts every pod in `pods` uses `cpu` (millicores) and `memory` (bytes) at the last load
/// tick, as the kubelet holds it and as the load model's per-pod lookup gives it.
fn assert_usage(sim: &Simulation, pods: &[PodId], cpu: f64, memory: i64, what: &str) {
    assert!(!pods.is_empty(), "{what}: no pods");
    for &p in pods {
        let (c, m) = usage(sim, p);
        assert!((c - cpu).abs() < 1e-9, "{what}: {p:?} cpu {c}, want {cpu}");
        assert_eq!(m, memory, "{what}: {p:?} memory");
        // The per-(pod, source) walk agrees with the slot index.
        let d = sim.traffic.pod_demand(p, &sim.store);
        assert!((d.cpu - cpu).abs() < 1e-9, "{what}: {p:?} pod_demand {d:?}");
    }
}

#[test]
fn a_pod_targeted_by_two_sources_uses_both_baselines_and_both_shares() {
    // Scaled to three `web-a` replicas at 1:00: the new pod joins both sources.
    let events = "events:
  - at: 60s
    scale: {target: deployment/web-a, replicas: 3}
";
    let mut sim = sim_from(&two_deployments(NO_LIMITS, NO_LIMITS, TWO_SOURCES, events));
    sim.run_until(secs(50));
    let a = pods_of(&sim, "web-a-");
    let b = pods_of(&sim, "web-b-");
    assert_eq!((a.len(), b.len()), (2, 2));
    // `a-only`: 60 rps over 2 ready pods, 30 each: 10m + 30 × 1m = 40m, 32Mi + 30 × 1Mi.
    // `all`: 60 rps over 4 ready pods, 15 each: 5m + 15 × 1m = 20m, 16Mi + 15 × 512Ki.
    // web-a pods: both, 60m and 62Mi + 23.5Mi; web-b pods: `all` alone, 20m and 23.5Mi.
    assert_usage(
        &sim,
        &a,
        60.0,
        62 * MI + 16 * MI + 15 * 512 * KI,
        "2 sources",
    );
    assert_usage(&sim, &b, 20.0, 16 * MI + 15 * 512 * KI, "1 source");
    let rps: f64 = a
        .iter()
        .map(|&p| sim.traffic.pod_demand(p, &sim.store).rps)
        .sum();
    assert!((rps - 2.0 * 45.0).abs() < 1e-9, "{rps}");

    sim.run_until(secs(125));
    let a = pods_of(&sim, "web-a-");
    assert_eq!(a.len(), 3);
    // `a-only`: 60 / 3 = 20 each: 10m + 20m, 32Mi + 20Mi. `all`: 60 / 5 = 12 each: 5m + 12m,
    // 16Mi + 12 × 512Ki = 22Mi. web-a: 47m, 74Mi; web-b: 17m, 22Mi.
    assert_usage(&sim, &a, 47.0, 74 * MI, "2 sources, 3 + 2 pods");
    assert_usage(&sim, &b, 17.0, 22 * MI, "1 source, 3 + 2 pods");
}

#[test]
fn a_pod_targeted_by_one_source_uses_that_source_alone() {
    // Only `a-only`: web-a's pods use 40m and 62Mi; web-b's pods match no source and hold no
    // usage at all.
    let only_a = TWO_SOURCES.split("  - name: all").next().unwrap();
    let mut sim = sim_from(&two_deployments(NO_LIMITS, NO_LIMITS, only_a, ""));
    sim.run_until(secs(50));
    let a = pods_of(&sim, "web-a-");
    assert_usage(&sim, &a, 40.0, 62 * MI, "a-only");
    for p in pods_of(&sim, "web-b-") {
        assert_eq!(usage(&sim, p), (0.0, 0), "unloaded pod {p:?}");
    }
    // Only `all` (now source 0): every pod has a quarter of 60 rps: 20m, 23.5Mi.
    let only_all = format!(
        "load:\n  - name: all{}",
        TWO_SOURCES.split("  - name: all").nth(1).unwrap()
    );
    let mut sim = sim_from(&two_deployments(NO_LIMITS, NO_LIMITS, &only_all, ""));
    sim.run_until(secs(50));
    let mut all = pods_of(&sim, "web-");
    all.sort();
    assert_eq!(all.len(), 4);
    assert_usage(&sim, &all, 20.0, 16 * MI + 15 * 512 * KI, "all");
}

#[test]
fn pods_over_their_cpu_limit_are_throttled_by_the_summed_demand() {
    // web-a: 60m asked (15m of it baseline, 45 rps) against a 50m limit: 10m throttled, and
    // the pod serves (50 − 15) / (60 − 15) = 7/9 of its requests: 10 rps unserved.
    // web-b: 20m asked (5m baseline, 15 rps) against 15m: 5m throttled, serves
    // (15 − 5) / (20 − 5) = 2/3: 5 rps unserved. Two pods each: 30m and 30 rps.
    let text = two_deployments(
        "{cpu: 50m, memory: 1Gi}",
        "{cpu: 15m, memory: 1Gi}",
        TWO_SOURCES,
        "",
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(50));
    let st = sim.kubelet().stats();
    assert_eq!(st.throttled_cpu_m, 30);
    assert!((st.unserved_rps - 30.0).abs() < 1e-9, "{}", st.unserved_rps);
    // The kubelet holds each pod at its limit.
    assert_usage_cpu(&sim, "web-a-", 50.0);
    assert_usage_cpu(&sim, "web-b-", 15.0);
    sim.run();
    // Throttled from the 0:15 tick on: 11 intervals of 15 s up to the tick at 3:00, at 30m.
    let s = sim.summary();
    assert!(
        (s.kubelet.throttled_cpu_seconds - 11.0 * 15.0 * 0.030).abs() < 1e-9,
        "{}",
        s.kubelet.throttled_cpu_seconds
    );
    assert!(
        (s.kubelet.unserved_requests - 11.0 * 15.0 * 30.0).abs() < 1e-6,
        "{}",
        s.kubelet.unserved_requests
    );
    let csv = sim.sampler.csv();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row = csv
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|r| r[0] == "60.000")
        .expect("a row at 60 s");
    assert_eq!(row[col("cpu_throttled_m")], "30");
    assert_eq!(row[col("unserved_rps")], "30.000");
}

fn assert_usage_cpu(sim: &Simulation, prefix: &str, cpu: f64) {
    for p in pods_of(sim, prefix) {
        let (c, _) = usage(sim, p);
        assert!((c - cpu).abs() < 1e-9, "{p:?}: {c}, want {cpu}");
    }
}

/// A simulation that keeps the causal trace (`OOMKilled` causes), invariants on.
fn traced(text: &str) -> Simulation {
    let s = load_scenario_str(text, "test.yaml", repo()).unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(
        Arc::new(s),
        &SimOptions {
            check_invariants: true,
            record_causes: true,
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn oom_kills_at_one_tick_come_in_source_order_then_pod_id() {
    // Source 0 targets web-b only, source 1 (`all`) every pod. web-a's pods (created first,
    // lower pod slots) are targeted only by source 1: 100Mi against a 64Mi limit. web-b's
    // are targeted by both: 200Mi + 100Mi = 300Mi against 256Mi. All four are OOM-killed at
    // each tick where they run, and the kills must come in the load model's order: web-b's
    // pods (first source 0) by id, then web-a's (first source 1) by id, not pod slot order.
    let load = "load:
  - name: b-only
    target: {deployment: web-b}
    rate: {constant: {rps: 0}}
    perPod: {memory: 200Mi}
  - name: all
    target: {service: web}
    rate: {constant: {rps: 0}}
    perPod: {memory: 100Mi}
";
    let text = two_deployments("{memory: 64Mi}", "{memory: 256Mi}", load, "");
    let mut sim = traced(&text);
    sim.run_until(secs(31));
    let a = pods_of(&sim, "web-a-");
    let b = pods_of(&sim, "web-b-");
    assert_eq!((a.len(), b.len()), (2, 2));
    assert!(
        a.iter().max() < b.iter().min(),
        "web-a's pods must take the lower slots for the order to be tested: {a:?} {b:?}"
    );
    let name = |p: PodId| sim.store.pod(p).unwrap().name.to_string();
    let expected: Vec<String> = b.iter().chain(&a).map(|&p| name(p)).collect();

    // 0:15: the first kills (restarted at once, no back-off yet); 0:30: killed again. Both
    // ticks in the trace, in the same order.
    let kills: Vec<(u64, String, String)> = sim
        .store
        .trace
        .causes
        .iter()
        .filter(|c| c.what == "OOMKilled")
        .map(|c| {
            (
                c.time.as_secs(),
                c.objects[0].name.to_string(),
                c.detail.clone(),
            )
        })
        .collect();
    let order: Vec<(u64, String)> = [15, 30]
        .iter()
        .flat_map(|&t| expected.iter().map(move |n| (t, n.clone())))
        .collect();
    assert_eq!(
        kills.iter().map(|k| (k.0, k.1.clone())).collect::<Vec<_>>(),
        order,
        "OOMKilled causes"
    );
    assert!(
        kills[0]
            .2
            .starts_with("memory usage 300Mi above the memory limit 256Mi"),
        "{}",
        kills[0].2
    );
    assert!(
        kills[3]
            .2
            .starts_with("memory usage 100Mi above the memory limit 64Mi"),
        "{}",
        kills[3].2
    );
    // At 0:30 the 10 s back-off entry makes each kill record a BackOff event, in that order.
    let backoff = events(&sim, "BackOff");
    assert_eq!(
        backoff
            .iter()
            .map(|e| (e.0, e.1.clone()))
            .collect::<Vec<_>>(),
        expected.iter().map(|n| (30, n.clone())).collect::<Vec<_>>()
    );
    let s = sim.summary();
    assert_eq!((s.kubelet.oom_kills, s.kubelet.container_restarts), (8, 4));
    for p in b.iter().chain(&a) {
        let st = &sim.kubelet().container_statuses(*p, &sim.store)[0];
        let last = st.last_state.unwrap();
        assert_eq!((last.reason.as_str(), last.exit_code), ("OOMKilled", 137));
        assert_eq!(st.restart_count, 1);
    }
}

/// hpa-step's layout with two Deployments: `front` has an HPA from the start (so metrics-server
/// runs), `back` (two pods requesting 100m, each using 100m: 20 rps × 5m) gets its HPA (target
/// 50 %) from an `apply` at 5:07.
fn late_hpa() -> String {
    let deployment = |name: &str| {
        format!(
            "      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: {name}}}
      spec:
        replicas: 2
        selector: {{matchLabels: {{app: {name}}}}}
        template:
          metadata: {{labels: {{app: {name}}}}}
          spec:
            containers:
              - name: app
                image: example/web:1.0
                resources:
                  requests: {{cpu: 100m, memory: 64Mi}}
"
        )
    };
    let hpa = |name: &str, indent: &str| {
        format!(
            "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {{type: Utilization, averageUtilization: 50}}
"
        )
        .lines()
        .map(|l| format!("{indent}{l}\n"))
        .collect::<String>()
    };
    format!(
        "apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: late-hpa}}
seed: 5
duration: 8m
nodePools:
  - name: general
    count: 1
    template:
      status:
        allocatable: {{cpu: \"8\", memory: 16Gi, pods: \"110\"}}
    prepulledImages: [\"example/web:1.0\"]
manifests:
  - inline: |
{}      ---
{}      ---
{}events:
  - at: 307s
    apply:
      inline: |
{}load:
  - name: front
    target: {{deployment: front}}
    rate: {{constant: {{rps: 10}}}}
    perRequest: {{cpu: 5m}}
  - name: back
    target: {{deployment: back}}
    rate: {{constant: {{rps: 40}}}}
    perRequest: {{cpu: 5m}}
",
        deployment("front"),
        deployment("back"),
        hpa("front", "      "),
        hpa("back", "        "),
    )
}

#[test]
fn an_hpa_created_late_has_metrics_at_its_first_sync() {
    // Scrapes run every 15 s from the first HPA (0:15, 0:30, ...). They cover every running
    // pod, so `back`'s pods have points at 5:00 and 5:15 before their HPA, applied at 5:07,
    // first syncs at 5:22: 100m used of 100m requested is 100 % against 50 %, ratio 2 over
    // two pods: 4 replicas at once. (Scraping only HPA targets, the first point would be at
    // 5:15 and the 5:22 sync would fail with "did not receive metrics".)
    let mut sim = sim_from(&late_hpa());
    sim.run_until(secs(322));
    let of_back = |reason: &str| -> Vec<(u64, String)> {
        events(&sim, reason)
            .into_iter()
            .filter(|e| e.1 == "back")
            .map(|e| (e.0, e.2))
            .collect()
    };
    assert_eq!(of_back("FailedComputeMetricsReplicas"), vec![]);
    assert_eq!(of_back("FailedGetResourceMetric"), vec![]);
    assert_eq!(
        of_back("SuccessfulRescale"),
        vec![(
            322,
            "New size: 4; reason: cpu resource utilization (percentage of request) above target"
                .to_string()
        )]
    );
    let ns = sim.store.interner.lookup("default").unwrap();
    let h = sim.hpa.get(ns, "back").expect("applied at 5:07");
    assert_eq!(h.status.syncs, 1);
    assert_eq!(h.status.current_metrics[0].value, 100);
    assert_eq!(h.status.desired_replicas, 4);
    assert_eq!(
        h.status.scaling_active.as_ref().unwrap().reason,
        "ValidMetricFound"
    );
}
