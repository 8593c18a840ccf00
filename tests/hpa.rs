//! The HorizontalPodAutoscaler controller and the metrics pipeline, end to end, with asserted
//! timelines (`scenarios/autoscaling/`).

mod scenario_support;

use kubesim::sim::Simulation;
use scenario_support::{events, secs, sim_from, sim_of};
use std::path::Path;

fn rescales(sim: &Simulation) -> Vec<(u64, String)> {
    events(sim, "SuccessfulRescale")
        .into_iter()
        .map(|(t, _, m)| (t, m))
        .collect()
}

#[test]
fn a_load_step_scales_3_to_7_to_10_then_down_after_the_window() {
    let mut sim = sim_of("scenarios/autoscaling/hpa-step.yaml");
    let ns = sim.store.interner.lookup("default").unwrap();
    sim.run_until(secs(299));
    // 30 rps over 3 pods at 10m per request: 100m of 200m requested, exactly the target.
    let h = sim.hpa.get(ns, "web").unwrap();
    assert_eq!(h.status.current_metrics[0].value, 50);
    assert_eq!(h.status.desired_replicas, 3);
    sim.run();
    let up = "cpu resource utilization (percentage of request) above target";
    // The step lands at 5:00; the scrape window [5:00, 5:15] shows 300 rps (1000m per pod,
    // capped by the 1-cpu limit: 500 %); the 5:15 sync proposes 15, the default policies allow
    // max(3 + 4, 2 × 3) = 7; at 5:30 max(7 + 4, 14) = 14, capped by maxReplicas 10. The load
    // drops at 20:00; recommendations of 3 start with the 20:15 sync, and the 300 s scale-down
    // window (strictly newer than now − 300 s) lets them through at 25:00.
    assert_eq!(
        rescales(&sim),
        vec![
            (315, format!("New size: 7; reason: {up}")),
            (330, format!("New size: 10; reason: {up}")),
            (
                1500,
                "New size: 3; reason: All metrics below target".to_string()
            ),
        ]
    );
    let h = sim.hpa.get(ns, "web").unwrap();
    assert_eq!(h.status.desired_replicas, 3);
    assert_eq!(
        h.status.scaling_active.as_ref().unwrap().reason,
        "ValidMetricFound"
    );
    let d = sim.store.deployments().next().unwrap().1;
    assert_eq!((d.replicas, d.status.ready_replicas), (3, 3));
}

#[test]
fn the_first_sync_has_no_metrics_yet() {
    // metrics-server needs two scrapes (15 s and 30 s) for a cpu rate; the HPA's first sync at
    // 15 s fails with upstream's wording and changes nothing.
    let mut sim = sim_of("scenarios/autoscaling/hpa-step.yaml");
    sim.run_until(secs(15));
    let e: Vec<_> = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "FailedComputeMetricsReplicas")
        .collect();
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].message,
        "invalid metrics (1 invalid out of 1), first error is: failed to get cpu utilization: unable to get metrics for resource cpu: did not receive metrics for targeted pods (pods might be unready)"
    );
    sim.run_until(secs(30));
    let ns = sim.store.interner.lookup("default").unwrap();
    let h = sim.hpa.get(ns, "web").unwrap();
    assert_eq!(
        h.status.scaling_active.as_ref().unwrap().reason,
        "ValidMetricFound"
    );
}

#[test]
fn without_behavior_the_legacy_limit_doubles() {
    // No `behavior`: scale-up limited to max(2 × current, 4) per sync: 3 → 6 → 10.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/autoscaling/hpa-step.yaml"))
        .unwrap()
        .replace("        behavior: {}", "");
    let mut sim = sim_from(&text);
    sim.run_until(secs(400));
    let r: Vec<u64> = rescales(&sim).iter().map(|x| x.0).collect();
    assert_eq!(r, vec![315, 330]);
    assert!(rescales(&sim)[0].1.starts_with("New size: 6;"));
    assert!(rescales(&sim)[1].1.starts_with("New size: 10;"));
}

#[test]
fn stabilization_stops_flapping() {
    // The same swinging load on two Deployments: the default 300 s scale-down window keeps
    // `steady` at its peak size; a zero window makes `jumpy` follow every swing.
    let mut sim = sim_of("scenarios/autoscaling/hpa-flapping.yaml");
    sim.run();
    let count = |name: &str| {
        sim.store
            .events
            .events
            .iter()
            .filter(|e| e.reason == "SuccessfulRescale" && &*e.object.name == name)
            .count()
    };
    assert_eq!(count("steady"), 2, "3 → 7 → 11, then held");
    assert!(
        count("jumpy") > 100,
        "jumpy rescaled {} times",
        count("jumpy")
    );
    let ns = sim.store.interner.lookup("default").unwrap();
    let h = sim.hpa.get(ns, "steady").unwrap();
    assert_eq!(h.status.desired_replicas, 11);
}

#[test]
fn a_max_too_low_limits_scaling_and_requests_go_unserved() {
    let mut sim = sim_of("scenarios/autoscaling/hpa-max-too-low.yaml");
    sim.run();
    let ns = sim.store.interner.lookup("default").unwrap();
    let h = sim.hpa.get(ns, "shop").unwrap();
    assert_eq!(h.status.desired_replicas, 6);
    let limited = h.status.scaling_limited.as_ref().unwrap();
    assert_eq!((limited.status, limited.reason), (true, "TooManyReplicas"));
    assert_eq!(
        limited.message,
        "the desired replica count is more than the maximum replica count"
    );
    let k = sim.kubelet().stats();
    assert!(k.throttled_cpu_seconds() > 0.0);
    assert!(k.unserved_requests > 0.0);
}

fn with_metrics(metrics: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/autoscaling/hpa-step.yaml")).unwrap();
    let a = text.find("        metrics:\n").unwrap();
    let b = text.find("load:\n").unwrap();
    format!("{}{metrics}{}", &text[..a], &text[b..])
}

#[test]
fn pods_metrics_are_requests_per_second_per_pod() {
    // 20 requests/s per pod as the target: 30 rps on 3 pods is 10 per pod (scale down to
    // ceil(0.5 × 3) = 2, held by minReplicas 3); 300 rps is 100 per pod: ceil(5 × 3) = 15,
    // limited to 7 then 10 by the default policies and maxReplicas. Custom metrics come from
    // the load model without a scrape lag, so the 5:00 sync (after the 5:00 load tick) sees
    // the step at once.
    let text = with_metrics(
        "        metrics:\n          - type: Pods\n            pods:\n              metric: {name: requests_per_second}\n              target: {type: AverageValue, averageValue: \"20\"}\n",
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(400));
    let r = rescales(&sim);
    assert_eq!(
        r,
        vec![
            (
                300,
                "New size: 7; reason: pods metric requests_per_second above target".to_string()
            ),
            (
                315,
                "New size: 10; reason: pods metric requests_per_second above target".to_string()
            ),
        ]
    );
}

#[test]
fn external_metrics_are_a_load_entrys_offered_rate() {
    // External metric `web` (the load entry's name), Value target 100 rps: at 300 rps the ratio
    // is 3 over 3 ready pods: 9 replicas, limited to 7 by the default policies, then 9.
    let text = with_metrics(
        "        metrics:\n          - type: External\n            external:\n              metric: {name: web}\n              target: {type: Value, value: \"100\"}\n",
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(400));
    let r = rescales(&sim);
    assert_eq!(r[0].0, 300, "no scrape lag for external metrics");
    assert_eq!(
        r[0].1,
        "New size: 7; reason: external metric web(nil) above target"
    );
    let ns = sim.store.interner.lookup("default").unwrap();
    assert_eq!(
        sim.hpa.get(ns, "web").unwrap().status.current_metrics[0].value,
        300_000
    );
}

#[test]
fn hpa_and_cluster_autoscaler_handle_a_spike_together() {
    // hpa-ca-spike: the HPA goes to 27 replicas during the spike, the autoscaler adds two burst
    // nodes for the pods that do not fit, and both undo it afterwards.
    let mut sim = sim_of("scenarios/autoscaling/hpa-ca-spike.yaml");
    sim.run();
    let ups: Vec<String> = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "TriggeredScaleUp")
        .map(|e| e.message.clone())
        .collect();
    assert!(
        ups.iter()
            .any(|m| m == "pod triggered scale-up: [{burst 0->1 (max: 6)}]")
    );
    assert!(
        ups.iter()
            .any(|m| m == "pod triggered scale-up: [{burst 1->2 (max: 6)}]")
    );
    let r = rescales(&sim);
    assert!(r.iter().any(|x| x.1.starts_with("New size: 27;")), "{r:?}");
    assert!(r.last().unwrap().1.starts_with("New size: 2;"));
    // Back to the two base nodes, all replicas ready.
    assert_eq!(sim.store.nodes().count(), 2);
    let d = sim.store.deployments().next().unwrap().1;
    assert_eq!((d.replicas, d.status.ready_replicas), (2, 2));
    let c = sim.summary().cost;
    assert!(c.pools[1].cost > 0.0, "the burst nodes cost something");
}

#[test]
fn an_hpa_scales_a_statefulset() {
    // hpa-step with the Deployment replaced by a Parallel StatefulSet: the same 3 → 7 → 10.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/autoscaling/hpa-step.yaml"))
        .unwrap()
        .replace(
            "      kind: Deployment\n      metadata: {name: web}\n      spec:\n        replicas: 3\n",
            "      kind: StatefulSet\n      metadata: {name: web}\n      spec:\n        replicas: 3\n        serviceName: web\n        podManagementPolicy: Parallel\n",
        )
        .replace("kind: Deployment, name: web}", "kind: StatefulSet, name: web}")
        .replace("target: {deployment: web}", "target: {statefulSet: web}");
    let mut sim = sim_from(&text);
    sim.run_until(secs(400));
    let r: Vec<(u64, String)> = rescales(&sim)
        .into_iter()
        .map(|(t, m)| (t, m[..12].to_string()))
        .collect();
    assert_eq!(
        r,
        vec![
            (315, "New size: 7;".to_string()),
            (330, "New size: 10".to_string())
        ]
    );
    let ns = sim.store.interner.lookup("default").unwrap();
    let set = sim.statefulsets.get(ns, "web").unwrap();
    assert_eq!(set.pods().count(), 10);
}

#[test]
fn the_vpa_recommender_reports_right_sized_requests() {
    // 10 rps × 10m per pod = 100m; the 90th percentile's bucket end (about 0.1105 cores) plus
    // 15 % is 127m. Memory: 150Mi + 15 % is below the 250Mi per-pod minimum, which wins.
    let mut sim = sim_of("scenarios/autoscaling/vpa-recommend.yaml");
    sim.run();
    let v = sim.summary().vpas;
    assert_eq!(v.len(), 1);
    let r = &v[0];
    assert_eq!(
        (r.name.as_str(), r.mode.as_str(), r.container.as_str()),
        ("web", "Off", "web")
    );
    assert_eq!(r.target, (127, 250 * 1024 * 1024));
    assert!(r.lower_bound.0 <= r.target.0 && r.target.0 <= r.upper_bound.0);
    // Two hours of history: confidence 2/24 day, so the upper bound is ×(1 + 12) of p95.
    assert!(r.upper_bound.0 > 10 * r.target.0, "{r:?}");
    // The pod requests are not changed (mode Off).
    let p = sim.store.pods().next().unwrap().1;
    assert_eq!(p.requests.cpu, 500);
}

/// (cpu request, cpu limit, memory request, memory limit, vpaUpdates annotation) of the
/// active pods, oldest first.
fn pod_resources(sim: &Simulation) -> Vec<(i64, i64, i64, i64, Option<String>)> {
    let key = sim.store.interner.lookup("vpaUpdates");
    let mut v: Vec<_> = sim
        .store
        .pods()
        .filter(|(_, p)| p.is_active())
        .map(|(_, p)| {
            let c = &p.spec.containers[0];
            let note = p
                .annotations
                .iter()
                .find(|a| Some(a.0) == key)
                .map(|a| sim.store.interner.resolve(a.1).to_string());
            (
                p.created,
                p.uid,
                (
                    c.requests.cpu,
                    c.limits.cpu,
                    c.requests.memory,
                    c.limits.memory,
                    note,
                ),
            )
        })
        .collect();
    v.sort_by_key(|x| (x.0, x.1));
    v.into_iter().map(|x| x.2).collect()
}

#[test]
fn vpa_initial_mode_sets_the_recommendation_on_new_pods_only() {
    const MI: i64 = 1024 * 1024;
    let mut sim = sim_of("scenarios/autoscaling/vpa-initial.yaml");
    sim.run_until(secs(45 * 60));
    let pods = pod_resources(&sim);
    assert_eq!(pods.len(), 6);
    // The first three were created before any recommendation existed: as written.
    for p in &pods[..3] {
        assert_eq!((p.0, p.1, p.2, p.3), (500, 1000, 512 * MI, 1024 * MI));
        assert_eq!(p.4, None);
    }
    // The three created at 30m carry the recommendation (127m, the 250Mi minimum) and limits
    // keeping the 2:1 ratio (GetProportionalLimit), with the webhook's annotation.
    let note = "Pod resources updated by web: container 0: cpu request, memory request, cpu limit, memory limit";
    for p in &pods[3..] {
        assert_eq!(
            (p.0, p.1, p.2, p.3),
            (127, 254, 250 * MI, 500 * MI),
            "{p:?}"
        );
        assert_eq!(p.4.as_deref(), Some(note));
    }
    // After the rollout at 1h every pod is right-sized.
    sim.run();
    let pods = pod_resources(&sim);
    assert_eq!(pods.len(), 6);
    assert!(
        pods.iter()
            .all(|p| p.0 < 500 && p.1 == 2 * p.0 && p.4.is_some()),
        "{pods:?}"
    );
}

#[test]
fn vpa_in_mode_off_or_a_requests_only_policy_leaves_limits() {
    let text = std::fs::read_to_string(scenario_support::repo().join("scenarios/autoscaling/vpa-initial.yaml"))
        .unwrap()
        .replace(
            "updatePolicy: {updateMode: \"Initial\"}",
            "updatePolicy: {updateMode: \"Initial\"}\n        resourcePolicy:\n          containerPolicies:\n            - {containerName: \"*\", controlledValues: RequestsOnly}",
        );
    let mut sim = sim_from(&text);
    sim.run_until(secs(45 * 60));
    let pods = pod_resources(&sim);
    assert_eq!(
        (pods[5].0, pods[5].1),
        (127, 1000),
        "limits untouched: {pods:?}"
    );
    let off = text.replace("updateMode: \"Initial\"", "updateMode: \"Off\"");
    let mut sim = sim_from(&off);
    sim.run_until(secs(45 * 60));
    assert!(
        pod_resources(&sim)
            .iter()
            .all(|p| p.0 == 500 && p.4.is_none())
    );
}

#[test]
fn a_bad_vpa_update_mode_is_rejected_with_its_location() {
    let text = std::fs::read_to_string(
        scenario_support::repo().join("scenarios/autoscaling/vpa-initial.yaml"),
    )
    .unwrap()
    .replace("updateMode: \"Initial\"", "updateMode: \"Sometimes\"");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.yaml");
    std::fs::write(&f, text).unwrap();
    let Err(err) = kubesim::scenario::load_scenario(&f, "s.yaml") else {
        panic!("a bad updateMode was accepted");
    };
    let err = err.to_string();
    assert!(err.contains("spec.updatePolicy.updateMode"), "{err}");
    assert!(err.contains("Unsupported value: \"Sometimes\""), "{err}");
}

#[test]
fn rollouts_and_node_failures_keep_the_bulk_tally_exact() {
    // The HPA counts a ReplicaSet's settled pods in bulk from the scrape's per-ReplicaSet sums
    // (autoscaling::hpa::sums). A rollout (two ReplicaSets, pods created and deleted between a
    // scrape and a sync) and a failed node (pods lost, then replaced) exercise every fallback;
    // debug builds check each bulk tally against the pod-by-pod one, so this test fails if the
    // bulk path ever disagrees.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/autoscaling/hpa-step.yaml"))
        .unwrap()
        .replace(
            "              target: {type: Utilization, averageUtilization: 50}",
            "              target: {type: Utilization, averageUtilization: 50}
          - type: Resource
            resource:
              name: memory
              target: {type: AverageValue, averageValue: 400Mi}",
        )
        + "events:
  - at: 10m
    setImage: {target: deployment/web, container: web, image: \"web:2\"}
  - at: 12m
    failNode: {node: general-0}
  - at: 16m
    recoverNode: {node: general-0}
";
    let text = text.replace(
        "  - {name: \"web:1\", size: 50Mi}",
        "  - {name: \"web:1\", size: 50Mi}\n  - {name: \"web:2\", size: 50Mi}",
    );
    let mut sim = sim_from(&text);
    let ns = sim.store.interner.lookup("default").unwrap();
    sim.run_until(secs(11 * 60));
    let d = sim.store.deployments().next().unwrap().1;
    assert_eq!(d.replicas, 10, "scaled up before the rollout");
    sim.run();
    // The scale-up happens as without the events. Metrics fail only before the first two
    // scrapes and right after the rollout (done in 10 s: every new pod has a single point at
    // the 10:15 sync).
    let r = rescales(&sim);
    assert_eq!((r[0].0, r[1].0), (315, 330));
    let failed: Vec<u64> = events(&sim, "FailedGetResourceMetric")
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(failed, vec![15, 615]);
    let h = sim.hpa.get(ns, "web").unwrap();
    assert_eq!(h.status.current_metrics.len(), 2);
    assert_eq!(h.status.desired_replicas, 3);
    let d = sim.store.deployments().next().unwrap().1;
    assert_eq!((d.replicas, d.status.ready_replicas), (3, 3));
}

#[test]
fn usage_groups_serve_every_pod_what_its_own_counter_would() {
    // The kubelet keeps most pods' usage per group (kubelet::groups) and metrics-server serves
    // group members the group's samples. This run makes pods change groups in every way:
    // scrapes every 10 s (between the 15 s load ticks), readiness flips, OOM kills and
    // restarts, throttling, a rollout, a node failure, and pods of a second Deployment
    // targeted by two sources (never grouped). Debug builds check at every tick that each
    // pod's counter equals one advanced pod by pod, and at every scrape that each pod is
    // served what pod-by-pod points would serve it and that the HPA's per-ReplicaSet sums
    // add up, so this test fails if the group bookkeeping ever drifts.
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: usage-groups}
seed: 1
duration: 40m
metrics: {resolution: 10s}
nodePools:
  - name: general
    count: 4
    template:
      status:
        allocatable: {cpu: "8", memory: 32Gi, pods: "110"}
images:
  - {name: "web:1", size: 50Mi}
  - {name: "web:2", size: 50Mi}
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: web
                image: web:1
                resources:
                  requests: {cpu: 200m, memory: 256Mi}
                  limits: {cpu: "1", memory: 512Mi}
                readinessProbe: {initialDelaySeconds: 2, periodSeconds: 5}
  - inline: |
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: {name: web}
      spec:
        scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
        minReplicas: 3
        maxReplicas: 4
        metrics:
          - type: Resource
            resource:
              name: cpu
              target: {type: Utilization, averageUtilization: 50}
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api}
      spec:
        replicas: 2
        selector: {matchLabels: {app: api}}
        template:
          metadata: {labels: {app: api}}
          spec:
            containers:
              - name: api
                image: web:1
                resources:
                  requests: {cpu: 100m, memory: 128Mi}
  - inline: |
      apiVersion: v1
      kind: Service
      metadata: {name: api}
      spec:
        selector: {app: api}
        ports: [{port: 80}]
load:
  - name: api
    target: {deployment: api}
    rate: {constant: {rps: 20}}
    perRequest: {cpu: 5m}
  - name: api-svc
    target: {service: api}
    rate: {constant: {rps: 10}}
    perRequest: {cpu: 5m}
  - name: web
    target: {deployment: web}
    rate:
      step: {steps: [{at: 0s, rps: 30}, {at: 5m, rps: 300}, {at: 20m, rps: 30}]}
    perRequest: {cpu: 25m, memory: 8Mi}
    perPod: {cpu: 5m, memory: 100Mi}
events:
  - at: 10m
    setImage: {target: deployment/web, container: web, image: "web:2"}
  - at: 12m
    failNode: {node: general-0}
  - at: 16m
    recoverNode: {node: general-0}
"#;
    let mut sim = sim_from(text);
    sim.run();
    let k = sim.kubelet().stats();
    assert!(k.oom_kills > 0, "the step OOM-kills web pods: {k:?}");
    assert!(k.throttled_cpu_seconds() > 0.0, "and throttles them: {k:?}");
    assert!(!rescales(&sim).is_empty());
}
