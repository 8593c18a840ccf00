//! Scenario tests with concrete, hand-derived outcomes and times.

mod scenario_support;

use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use scenario_support::{repo_file as file, secs, sim_from};
use std::path::Path;
use std::sync::Arc;

fn ready_pods(sim: &Simulation, prefix: &str) -> usize {
    sim.store
        .pods()
        .filter(|(_, p)| p.name.starts_with(prefix) && p.is_ready())
        .count()
}

#[test]
fn quickstart_rolling_update_keeps_three_ready_and_finishes_when_probes_allow() {
    let mut sim = sim_from(&file("scenarios/quickstart.yaml"));
    // Before the update: 3 ready.
    sim.run_until(secs(1199));
    assert_eq!(ready_pods(&sim, "web-"), 3);
    // maxSurge 1 / maxUnavailable 0: never fewer than 3 ready during the rollout.
    for t in 1200..1260 {
        sim.run_until(secs(t));
        assert!(
            ready_pods(&sim, "web-") >= 3,
            "ready dropped below 3 at {t}s"
        );
    }
    // Each step: pull 72Mi at 50Mi/s (1.44 s) + 1 s start; readiness probe ticks every 10 s
    // from the kubelet's start (delay 5 s), so a new pod is ready 10 s after it is created;
    // three steps finish at 20:30.
    let d = sim.store.deployments().next().unwrap().1.clone();
    assert_eq!(d.status.updated_replicas, 3);
    assert_eq!(d.status.available_replicas, 3);
    let last_scale = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "ScalingReplicaSet" && e.time < secs(1300))
        .map(|e| e.time)
        .max()
        .unwrap();
    assert_eq!(last_scale, secs(1230), "old ReplicaSet reaches 0 at 20:30");
}

#[test]
fn node_failure_marks_pods_not_ready_after_grace_and_evicts_after_300s() {
    let mut sim = sim_from(&file("scenarios/quickstart.yaml"));
    sim.run_until(secs(3654));
    let node = sim
        .store
        .node_by_name(sim.store.interner.lookup("general-1").unwrap())
        .unwrap();
    assert!(
        sim.store.node(node).unwrap().is_ready(),
        "not yet: last lease at 3600 s + 50 s grace, checked every 5 s"
    );
    sim.run_until(secs(3655));
    assert!(!sim.store.node(node).unwrap().is_ready());
    let on_node: Vec<_> = sim.store.node(node).unwrap().pods.iter().copied().collect();
    assert!(!on_node.is_empty());
    assert!(
        on_node
            .iter()
            .all(|&p| !sim.store.pod(p).unwrap().is_ready())
    );
    sim.run_until(secs(3954));
    assert!(
        on_node
            .iter()
            .all(|&p| !sim.store.pod(p).unwrap().is_terminating())
    );
    sim.run_until(secs(3955));
    assert!(
        on_node
            .iter()
            .all(|&p| sim.store.pod(p).unwrap().is_terminating()),
        "evicted 300 s after the taint"
    );
    // Replacements run elsewhere; the dead node keeps the pods Terminating until it recovers.
    sim.run_until(secs(3970));
    assert_eq!(ready_pods(&sim, "web-"), 6);
    sim.run_until(secs(5406));
    assert!(
        sim.store.node(node).unwrap().taints.is_empty(),
        "taints removed after recovery"
    );
    assert!(
        on_node.iter().all(|&p| sim.store.pod(p).is_none()),
        "terminating pods deleted by the recovered kubelet"
    );
}

#[test]
fn seed_guide_replays_the_guide() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-guide/scenario.yaml");
    let s = kubesim::scenario::load_scenario(&path, "seed-guide").unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(
        Arc::new(s),
        &SimOptions {
            check_invariants: true,
            ..Default::default()
        },
    )
    .unwrap();
    sim.run();
    let s = sim.summary();
    let get = |ns: &str, name: &str| {
        s.workloads
            .iter()
            .find(|w| w.namespace == ns && w.name == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(get("default", "my-app").ready, 3);
    // `kubectl scale --replicas=5` at 25m; the HPA applied at 30m (cpu 70 %, min 2) finds the
    // pods nearly idle and takes the Deployment down: 5 → 3 once its initial recommendation
    // (5, at the first sync 30:15) leaves the 5-minute window, then → 2 (its minimum).
    assert_eq!(get("default", "my-app-deployment").ready, 2);
    let rescales: Vec<(String, String)> = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "SuccessfulRescale")
        .map(|e| (e.time.clock(), e.message.clone()))
        .collect();
    assert_eq!(
        rescales,
        vec![
            (
                "0:35:30.000".to_string(),
                "New size: 3; reason: All metrics below target".to_string()
            ),
            (
                "0:40:45.000".to_string(),
                "New size: 2; reason: All metrics below target".to_string()
            ),
        ]
    );
    assert_eq!(
        get("production", "my-app-deployment").ready,
        3,
        "applied with -n production"
    );
    // Rollbacks reuse the old ReplicaSets: two templates, revisions renumbered.
    let reasons: Vec<&str> = sim.store.events.events.iter().map(|e| e.reason).collect();
    assert_eq!(reasons.iter().filter(|r| **r == "RolledBack").count(), 2);
    let dep = sim
        .store
        .deployment_by_name(
            sim.store.interner.lookup("default").unwrap(),
            "my-app-deployment",
        )
        .unwrap();
    assert_eq!(sim.store.replicasets_of(dep).len(), 2);
    assert_eq!(
        sim.store.deployment(dep).unwrap().revision,
        4,
        "v1 (1), v2 (2), undo to v1 (3), undo to v2 (4)"
    );
    assert!(
        sim.store
            .pods()
            .any(|(_, p)| &*p.name == "my-pod" && p.is_ready())
    );
}

#[test]
fn same_seed_same_hash_in_process() {
    let run = |seed| {
        let text = file("scenarios/quickstart.yaml");
        let s = load_scenario_str(&text, "q.yaml", Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let mut sim = Simulation::new(
            Arc::new(s),
            &SimOptions {
                seed: Some(seed),
                ..Default::default()
            },
        )
        .unwrap();
        sim.run();
        let mut ev = Vec::new();
        sim.write_events(&mut ev).unwrap();
        (sim.event_hash(), ev, sim.sampler.csv().to_string())
    };
    let (h1, e1, c1) = run(5);
    let (h2, e2, c2) = run(5);
    assert_eq!(h1, h2);
    assert_eq!(e1, e2);
    assert_eq!(c1, c2);
    assert_ne!(run(6).0, h1);
}

#[test]
fn unschedulable_pods_get_the_upstream_message_and_wait() {
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: tight}
duration: 10m
nodePools:
  - name: small
    count: 2
    template:
      status:
        allocatable: {cpu: "1", memory: 2Gi}
  - name: tainted
    count: 1
    template:
      spec:
        taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
      status:
        allocatable: {cpu: "8", memory: 32Gi}
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: big}
      spec:
        replicas: 3
        selector: {matchLabels: {app: big}}
        template:
          metadata: {labels: {app: big}}
          spec:
            containers:
              - name: c
                image: busybox:1.36
                resources: {requests: {cpu: 700m, memory: 1Gi}}
events:
  - at: 5m
    addNodes: {pool: small, count: 1}
"#;
    let mut sim = sim_from(text);
    sim.run_until(secs(60));
    let failed: Vec<_> = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "FailedScheduling")
        .collect();
    assert!(!failed.is_empty());
    assert_eq!(
        failed[0].message,
        "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. \
         no new claims to deallocate, preemption: 0/3 nodes are available: \
         1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
    );
    assert_eq!(sim.store.pod_counts().unbound, 1);
    // A new node is a cluster event: the pod is retried and binds.
    sim.run_until(secs(301));
    assert_eq!(sim.store.pod_counts().unbound, 0);
}

#[test]
fn kubectl_dump_imports_without_duplicating_pods() {
    let text = "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {name: dump}\nduration: 5m\nmanifests: [tests/fixtures/kubectl-dump.yaml]\n";
    let mut sim = sim_from(text);
    sim.run();
    let s = sim.summary();
    assert_eq!(
        s.pods.created, 2,
        "the dumped pods are adopted, not recreated"
    );
    assert_eq!(s.pods.ready, 2);
    let web = s.workloads.iter().find(|w| w.name == "web").unwrap();
    assert_eq!((web.desired, web.ready), (2, 2));
    let dep = sim
        .store
        .deployment_by_name(sim.store.interner.lookup("default").unwrap(), "web")
        .unwrap();
    assert_eq!(
        sim.store.replicasets_of(dep).len(),
        1,
        "the dumped ReplicaSet is the Deployment's current one"
    );
    assert_eq!(sim.store.deployment(dep).unwrap().revision, 2);
    // The image listed in the node's status is already present.
    assert!(
        sim.store
            .events
            .events
            .iter()
            .any(|e| e.message.contains("already present on machine"))
    );
}

#[test]
fn preemption_evicts_gracefully_then_binds_the_preemptor_on_its_nominated_node() {
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: preempt}
duration: 10m
nodePools:
  - name: one
    count: 1
    template:
      status:
        allocatable: {cpu: "2", memory: 4Gi}
manifests:
  - inline: |
      apiVersion: scheduling.k8s.io/v1
      kind: PriorityClass
      metadata: {name: high}
      value: 1000
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: batch}
      spec:
        replicas: 2
        selector: {matchLabels: {app: batch}}
        template:
          metadata: {labels: {app: batch}}
          spec:
            terminationGracePeriodSeconds: 20
            containers:
              - name: c
                image: busybox:1.36
                resources: {requests: {cpu: 900m, memory: 1Gi}}
events:
  - at: 1m
    apply:
      inline: |
        apiVersion: v1
        kind: Pod
        metadata: {name: urgent}
        spec:
          priorityClassName: high
          containers:
            - name: c
              image: busybox:1.36
              resources: {requests: {cpu: 1500m, memory: 1Gi}}
"#;
    let mut sim = sim_from(text);
    sim.run_until(secs(60));
    let urgent = sim
        .store
        .pod_by_name(sim.store.interner.lookup("default").unwrap(), "urgent")
        .unwrap();
    let p = sim.store.pod(urgent).unwrap();
    assert!(p.status.node.is_none(), "victims still terminating");
    assert!(p.status.nominated_node.is_some(), "nominated by preemption");
    let preempted: Vec<_> = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "Preempted")
        .collect();
    assert_eq!(preempted.len(), 2, "both 900m pods must go for 1500m");
    let uid = p.uid_string();
    assert_eq!(
        preempted[0].message,
        format!("Preempted by pod {uid} on node one-0")
    );
    assert_eq!(preempted[0].source, "default-scheduler");
    // The victims carry DisruptionTarget and terminate within their grace period; then the
    // preemptor binds to its nominated node.
    sim.run_until(secs(120));
    let p = sim.store.pod(urgent).unwrap();
    let bound_at = p.status.scheduled_at.unwrap();
    assert!(
        bound_at > secs(60) && bound_at < secs(65),
        "bound at {bound_at:?}"
    );
    assert_eq!(
        p.status.node,
        sim.store
            .node_by_name(sim.store.interner.lookup("one-0").unwrap())
    );
    assert_eq!(p.status.nominated_node, None);
    assert_eq!(sim.scheduler.stats().preemptions, 1);
    assert_eq!(sim.scheduler.stats().victims, 2);
}

#[test]
fn unschedulable_pods_wait_for_events_their_rejecting_plugins_registered() {
    // A pod rejected by NodeAffinity is not retried when other pods go away (NodeAffinity
    // registers node events only); it is retried after the 5-minute maximum, and at once
    // when a matching node arrives.
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: hints}
duration: 10m
nodePools:
  - name: plain
    count: 2
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi}
  - name: ssd
    count: 0
    template:
      metadata:
        labels: {disktype: ssd}
      status:
        allocatable: {cpu: "4", memory: 8Gi}
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: churn}
      spec:
        replicas: 4
        selector: {matchLabels: {app: churn}}
        template:
          metadata: {labels: {app: churn}}
          spec:
            containers:
              - name: c
                image: busybox:1.36
                resources: {requests: {cpu: 100m, memory: 64Mi}}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: picky}
      spec:
        nodeSelector: {disktype: ssd}
        containers:
          - name: c
            image: busybox:1.36
events:
  - at: 1m
    scale: {target: deployment/churn, replicas: 0}
  - at: 2m
    scale: {target: deployment/churn, replicas: 4}
  - at: 3m
    scale: {target: deployment/churn, replicas: 1}
  - at: 8m
    addNodes: {pool: ssd, count: 1}
"#;
    let mut sim = sim_from(text);
    let failures = |sim: &Simulation| {
        sim.store
            .events
            .events
            .iter()
            .filter(|e| e.reason == "FailedScheduling" && &*e.object.name == "picky")
            .count()
    };
    sim.run_until(secs(299));
    assert_eq!(
        failures(&sim),
        1,
        "pod deletions do not requeue a NodeAffinity rejection"
    );
    sim.run_until(secs(331));
    assert_eq!(
        failures(&sim),
        2,
        "retried after podMaxInUnschedulablePodsDuration"
    );
    sim.run_until(secs(600));
    let ns = sim.store.interner.lookup("default").unwrap();
    let picky = sim
        .store
        .pod(sim.store.pod_by_name(ns, "picky").unwrap())
        .unwrap();
    assert!(picky.status.node.is_some(), "bound once an ssd node exists");
}

/// The last timeseries row's values of the columns `prefix:desired|current|ready|available`.
fn last_workload_row(sim: &kubesim::sim::Simulation, prefix: &str) -> Vec<String> {
    let csv = sim.sampler.csv();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let last: Vec<&str> = lines.last().unwrap().split(',').collect();
    ["desired", "current", "ready", "available"]
        .iter()
        .map(|f| {
            let i = header
                .iter()
                .position(|h| *h == format!("{prefix}:{f}"))
                .unwrap_or_else(|| panic!("no column {prefix}:{f}"));
            last[i].to_string()
        })
        .collect()
}

#[test]
fn statefulset_and_daemonset_replicas_reach_the_time_series() {
    let mut sim = scenario_support::sim_of("scenarios/workloads/statefulset.yaml");
    sim.run();
    let ns = sim.store.interner.lookup("default").unwrap();
    let set = sim.statefulsets.get(ns, "db").unwrap();
    let want = set.status.ready_replicas.to_string();
    assert!(set.status.ready_replicas > 0);
    let row = last_workload_row(&sim, "statefulset/default/db");
    assert_eq!(
        row,
        vec![
            set.replicas().to_string(),
            set.status.replicas.to_string(),
            want.clone(),
            set.status.available_replicas.to_string()
        ]
    );
    let mut sim = scenario_support::sim_of("scenarios/workloads/daemonset.yaml");
    sim.run();
    let row = last_workload_row(&sim, "daemonset/kube-system/log-agent");
    assert_eq!(row, vec!["3", "3", "3", "3"], "one per node on 3 nodes");
}
