//! Drains through the Eviction API and rolling node-pool upgrades, with hand-derived times.

mod scenario_support;

use kubesim::scenario::load_scenario_str;
use kubesim::sim::Simulation;
use scenario_support::{event_times, repo_file as file, secs, sim_from};
use std::path::Path;

fn ready(sim: &Simulation, prefix: &str) -> usize {
    sim.store
        .pods()
        .filter(|(_, p)| p.name.starts_with(prefix) && p.is_ready())
        .count()
}

#[test]
fn drain_blocked_by_a_pdb_waits_for_replacements_and_retries_every_5s() {
    let mut sim = sim_from(&file("scenarios/nodes/drain-pdb.yaml"));
    sim.run_until(secs(119));
    assert_eq!(ready(&sim, "web-"), 3);
    // minAvailable 2: never fewer than 2 ready pods while the drain runs.
    for t in 120..=140 {
        sim.run_until(secs(t));
        assert!(ready(&sim, "web-") >= 2, "budget violated at {t}s");
    }
    // t=120: the first pod is evicted (3 healthy, 1 disruption allowed), the other two are
    // refused. Its replacement on b-0 pulls nginx (100Mi at 50Mi/s: 2 s) and starts (1 s):
    // ready at 123. Retry at 125 evicts the second pod (the third is refused again); its
    // replacement needs no pull (cached): ready at 126; retry at 130 evicts the third. Pods stop
    // 1 s after SIGTERM, and kubectl polls every second: drained at 131.
    assert_eq!(event_times(&sim, "EvictionBlocked"), vec![120, 120, 125]);
    let msg = &sim
        .store
        .events
        .events
        .iter()
        .find(|e| e.reason == "EvictionBlocked")
        .unwrap()
        .message;
    assert!(
        msg.ends_with("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web needs 2 healthy pods and has 2 currently"),
        "{msg}"
    );
    let killed: Vec<u64> = event_times(&sim, "Killing");
    assert_eq!(killed, vec![120, 125, 130]);
    assert_eq!(event_times(&sim, "Drained"), vec![131]);
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!(
        (
            d.node.as_str(),
            d.outcome,
            d.duration_s,
            d.evicted,
            d.blocked_evictions
        ),
        ("a-0", "drained", Some(11.0), 3, 3)
    );
    sim.run();
    assert_eq!(ready(&sim, "web-"), 3);
    let a0 = sim
        .store
        .nodes()
        .find(|(_, n)| sim.store.interner.resolve(n.name) == "a-0")
        .unwrap()
        .1;
    assert_eq!(a0.pod_count, 0);
    assert!(a0.unschedulable, "a drained node stays cordoned");
}

const BASE: &str = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
duration: 10m
nodePools:
  - name: n
    count: 2
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            nodeSelector: {kubernetes.io/hostname: n-0}
            containers:
              - {name: web, image: nginx, resources: {requests: {cpu: 100m}}}
  - inline: |
      apiVersion: v1
      kind: Pod
      metadata: {name: bare}
      spec:
        nodeName: n-0
        containers:
          - {name: c, image: busybox}
"#;

#[test]
fn drain_refuses_controllerless_pods_without_force() {
    let text = format!("{BASE}events:\n  - at: 1m\n    drain: {{node: n-0}}\n");
    let mut sim = sim_from(&text);
    sim.run();
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!(d.outcome, "failed");
    assert_eq!(
        d.error.as_deref(),
        Some(
            "unable to drain node \"n-0\" due to error: cannot delete Pods that declare no controller (use --force to override): default/bare"
        )
    );
    assert_eq!(d.evicted, 0);
    // Nothing was evicted, the node stays cordoned.
    assert_eq!(ready(&sim, "web-"), 2);
    assert_eq!(ready(&sim, "bare"), 1);
}

#[test]
fn drain_with_force_evicts_everything_and_times_out_on_a_stuck_budget() {
    // A budget that allows no disruption at all: the drain gives up at its timeout.
    let text = format!(
        "{BASE}  - inline: |\n      apiVersion: policy/v1\n      kind: PodDisruptionBudget\n      metadata: {{name: web}}\n      spec: {{minAvailable: 2, selector: {{matchLabels: {{app: web}}}}}}\nevents:\n  - at: 1m\n    drain: {{node: n-0, force: true, timeout: 30s}}\n"
    );
    let mut sim = sim_from(&text);
    sim.run();
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!(d.outcome, "timed-out");
    assert_eq!(d.finished_s, Some(90.0));
    assert_eq!(d.evicted, 1, "the bare pod is deleted with --force");
    // Refused at 60, 65, ..., 85 for each of the two web pods (the retry at 90 is not made).
    assert_eq!(d.blocked_evictions, 12);
    assert_eq!(ready(&sim, "web-"), 2);
    assert!(sim.store.pods().all(|(_, p)| p.name.as_ref() != "bare"));
    assert_eq!(event_times(&sim, "DrainFailed"), vec![90]);
}

#[test]
fn unready_pods_can_be_evicted_while_the_budget_is_met() {
    // eviction.go: a pod that is not ready does not count as healthy, so evicting it does not
    // need a disruption when currentHealthy >= desiredHealthy.
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
duration: 5m
nodePools:
  - name: n
    count: 1
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
images:
  - {name: "missing:1", missing: true}
manifests:
  - inline: |
      apiVersion: v1
      kind: Pod
      metadata: {name: ok, labels: {app: x}}
      spec:
        containers: [{name: c, image: nginx}]
  - inline: |
      apiVersion: v1
      kind: Pod
      metadata: {name: stuck, labels: {app: x}}
      spec:
        containers: [{name: c, image: "missing:1"}]
  - inline: |
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: x}
      spec: {minAvailable: 1, selector: {matchLabels: {app: x}}}
events:
  - at: 1m
    drain: {node: n-0, force: true, timeout: 1m}
"#;
    let mut sim = sim_from(text);
    sim.run();
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    // "stuck" never became ready: it is Pending (ImagePullBackOff), and pending pods are
    // deleted without a budget check; "ok" is the one healthy pod the budget needs.
    assert_eq!(d.evicted, 1);
    assert_eq!(d.outcome, "timed-out");
    assert!(sim.store.pods().all(|(_, p)| p.name.as_ref() != "stuck"));
    assert_eq!(ready(&sim, "ok"), 1);
}

#[test]
fn pool_upgrade_surges_one_node_at_a_time_and_keeps_the_budget() {
    let mut sim = sim_from(&file("scenarios/nodes/pool-upgrade.yaml"));
    sim.run_until(secs(299));
    assert_eq!(ready(&sim, "api-"), 6);
    let mut max_nodes = 0;
    for t in 300..=600 {
        sim.run_until(secs(t));
        assert!(ready(&sim, "api-") >= 5, "more than one pod down at {t}s");
        max_nodes = max_nodes.max(sim.store.nodes().count());
    }
    assert_eq!(max_nodes, 4, "maxSurge 1: never more than one extra node");
    // Each step: the surge node takes 60 s; the drain evicts one pod, the second waits for
    // the first's replacement (pull 100Mi: 2 s, start 1 s, readiness after 5 s delay on the
    // 5 s probe grid: ready 8 s later) and is evicted at the 10 s retry; stopped 1 s later:
    // 11 s per node. 300 + 3 × (60 + 11) = 513.
    let s = sim.summary();
    let u = &s.maintenance.upgrades[0];
    assert_eq!(
        (u.replaced, u.remaining, u.forced, u.finished_s),
        (3, 0, 0, Some(513.0))
    );
    let drains: Vec<(String, Option<f64>)> = s
        .maintenance
        .drains
        .iter()
        .map(|d| (d.node.clone(), d.started_s.into()))
        .collect();
    assert_eq!(
        drains,
        vec![
            ("workers-0".to_string(), Some(360.0)),
            ("workers-1".to_string(), Some(431.0)),
            ("workers-2".to_string(), Some(502.0)),
        ]
    );
    // The new nodes carry the new label; the old ones are gone.
    let i = &sim.store.interner;
    let mut names: Vec<String> = sim
        .store
        .nodes()
        .map(|(_, n)| {
            let v = n
                .labels
                .to_strings(i)
                .into_iter()
                .find(|(k, _)| k == "version")
                .map(|(_, v)| v)
                .unwrap_or_default();
            format!("{}={v}", i.resolve(n.name))
        })
        .collect();
    names.sort();
    assert_eq!(names, vec!["workers-3=v2", "workers-4=v2", "workers-5=v2"]);
    sim.run();
    assert_eq!(ready(&sim, "api-"), 6);
}

#[test]
fn upgrade_actions_are_checked() {
    let bad = BASE.to_string()
        + "events:\n  - at: 1m\n    upgradePool: {pool: n, maxSurge: 0, maxUnavailable: 0}\n  - at: 2m\n    upgradePool: {pool: nope}\n";
    let e = load_scenario_str(&bad, "bad.yaml", Path::new(".")).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("maxSurge and maxUnavailable cannot both be 0"),
        "{text}"
    );
    assert!(text.contains("no node pool named \"nope\""), "{text}");
}

#[test]
fn drain_refuses_daemonset_pods_unless_ignored() {
    let ds = "  - inline: |\n      apiVersion: apps/v1\n      kind: DaemonSet\n      metadata: {name: agent}\n      spec:\n        selector: {matchLabels: {app: agent}}\n        template:\n          metadata: {labels: {app: agent}}\n          spec:\n            containers: [{name: a, image: agent}]\n";
    let base = BASE.replace(
        "  - inline: |\n      apiVersion: v1\n      kind: Pod\n      metadata: {name: bare}",
        &format!("{ds}  - inline: |\n      apiVersion: v1\n      kind: Pod\n      metadata: {{name: bare}}"),
    );
    let text = format!("{base}events:\n  - at: 1m\n    drain: {{node: n-0, force: true}}\n");
    let mut sim = sim_from(&text);
    sim.run();
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!(d.outcome, "failed");
    let err = d.error.clone().unwrap();
    assert!(
        err.starts_with("unable to drain node \"n-0\" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/agent-"),
        "{err}"
    );
    // With --ignore-daemonsets the daemon pod stays, everything else goes.
    let text = format!(
        "{base}events:\n  - at: 1m\n    drain: {{node: n-0, force: true, ignoreDaemonsets: true}}\n"
    );
    let mut sim = sim_from(&text);
    sim.run();
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!((d.outcome, d.evicted), ("drained", 3));
    let n0 = sim
        .store
        .node_by_name(sim.store.interner.lookup("n-0").unwrap())
        .unwrap();
    let left: Vec<String> = sim
        .store
        .node(n0)
        .unwrap()
        .pods
        .iter()
        .map(|&p| sim.store.pod(p).unwrap().name.to_string())
        .collect();
    assert_eq!(left.len(), 1);
    assert!(left[0].starts_with("agent-"), "{left:?}");
}

#[test]
fn drain_respects_a_budget_over_a_statefulset() {
    // getExpectedScale takes a StatefulSet's replicas: with maxUnavailable 1 one member may
    // go at a time, so a drain of a node holding one member completes.
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
duration: 10m
storage: {provisioningDelay: 0s}
nodePools:
  - name: n
    count: 3
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 3
        serviceName: db
        podManagementPolicy: Parallel
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            affinity:
              podAntiAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: db}}
                    topologyKey: kubernetes.io/hostname
            containers:
              - {name: db, image: db, resources: {requests: {cpu: 100m}}}
  - inline: |
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: db}
      spec: {maxUnavailable: 1, selector: {matchLabels: {app: db}}}
events:
  - at: 2m
    drain: {node: n-1}
"#;
    let mut sim = sim_from(text);
    sim.run();
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!(
        (d.outcome, d.evicted, d.blocked_evictions),
        ("drained", 1, 0)
    );
}

#[test]
fn cost_counts_node_hours_of_every_node_that_existed() {
    // pool-upgrade.yaml with a price: workers-0..2 live until removed at 371, 442 and 513 s;
    // the surge nodes join at 360, 431 and 502 s and live to the end (1800 s):
    // 371 + 442 + 513 + 1440 + 1369 + 1298 = 5433 node-seconds = 1.509 node-hours.
    let text = file("scenarios/nodes/pool-upgrade.yaml").replace(
        "    provisioningDelay: 60s\n",
        "    provisioningDelay: 60s\n    pricePerHour: 0.5\n",
    );
    let mut sim = sim_from(&text);
    sim.run();
    let c = sim.summary().cost;
    assert_eq!(c.pools.len(), 1);
    assert_eq!(c.pools[0].node_hours, 1.509);
    assert_eq!(
        c.total,
        (5433.0 / 3600.0 * 0.5 * 1000.0_f64).round() / 1000.0
    );
    assert!(c.cpu_requested_share > 0.0 && c.cpu_requested_share < 1.0);
    assert!(c.idle_cost < c.total);
}

#[test]
fn a_second_upgrade_of_a_pool_in_progress_is_rejected() {
    let text = file("scenarios/nodes/pool-upgrade.yaml").replace(
        "    upgradePool: {pool: workers, maxSurge: 1, labels: {version: v2}}\n",
        "    upgradePool: {pool: workers, maxSurge: 1, labels: {version: v2}}\n  - at: 6m\n    upgradePool: {pool: workers, maxUnavailable: 1}\n",
    );
    let mut sim = sim_from(&text);
    sim.run();
    assert_eq!(event_times(&sim, "UpgradeRejected"), vec![360]);
    let s = sim.summary();
    assert_eq!(s.maintenance.upgrades.len(), 1);
    assert_eq!(s.maintenance.upgrades[0].finished_s, Some(513.0));
}
