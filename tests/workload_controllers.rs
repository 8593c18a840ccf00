//! Scenario tests for the DaemonSet and StatefulSet controllers and namespace admission
//! (ResourceQuota, LimitRange, PriorityClass), with concrete outcomes and times.

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use std::path::Path;
use std::sync::Arc;

fn sim_from(text: &str) -> Simulation {
    let s = load_scenario_str(text, "test.yaml", Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(
        Arc::new(s),
        &SimOptions {
            check_invariants: true,
            ..Default::default()
        },
    )
    .unwrap()
}

fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

fn file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// (time, message) of the events with `reason` on objects named `object`.
fn events(sim: &Simulation, reason: &str, object: &str) -> Vec<(SimTime, String)> {
    sim.store
        .events
        .events
        .iter()
        .filter(|e| e.reason == reason && &*e.object.name == object)
        .map(|e| (e.time, e.message.clone()))
        .collect()
}

/// Live pods whose names start with `prefix`, with their node names.
fn pods_on_nodes(sim: &Simulation, prefix: &str) -> Vec<String> {
    let mut v: Vec<String> = sim
        .store
        .pods()
        .filter(|(_, p)| p.name.starts_with(prefix) && p.is_active())
        .map(|(_, p)| {
            p.status
                .node
                .and_then(|n| sim.store.node(n))
                .map(|n| sim.store.interner.resolve(n.name).to_string())
                .unwrap_or_default()
        })
        .collect();
    v.sort();
    v
}

const POOL: &str = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
seed: 1
duration: 30m
nodePools:
  - name: general
    count: 2
    provisioningDelay: 1m
    template:
      status:
        allocatable: {cpu: "4", memory: 8Gi, pods: "110"}
images:
  - {name: "agent:1", size: 50Mi}
  - {name: "agent:2", size: 50Mi}
  - {name: "db:1", size: 50Mi}
"#;

#[test]
fn daemonset_follows_nodes_added_and_removed() {
    let text = format!(
        "{POOL}{}",
        r#"
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: agent}
      spec:
        selector: {matchLabels: {app: agent}}
        template:
          metadata: {labels: {app: agent}}
          spec:
            containers:
              - name: agent
                image: agent:1
                resources: {requests: {cpu: 100m, memory: 64Mi}}
events:
  - at: 5m
    addNodes: {pool: general, count: 1}
  - at: 10m
    removeNodes: {node: general-0}
"#
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(60));
    assert_eq!(pods_on_nodes(&sim, "agent-"), ["general-0", "general-1"]);
    let ns = sim.store.interner.lookup("default").unwrap();
    let st = sim.daemonsets.get(ns, "agent").unwrap().status.clone();
    assert_eq!(st.desired_number_scheduled, 2);
    assert_eq!(st.number_ready, 2);
    // The node asked for at 5m joins after the pool's 1m provisioning delay; its daemon pod is
    // created at that instant.
    sim.run_until(secs(9 * 60));
    assert_eq!(
        pods_on_nodes(&sim, "agent-"),
        ["general-0", "general-1", "general-2"]
    );
    let created = events(&sim, "SuccessfulCreate", "agent");
    assert_eq!(created.len(), 3);
    assert_eq!(created[2].0, secs(6 * 60));
    assert!(created[2].1.starts_with("Created pod: agent-"));
    let st = sim.daemonsets.get(ns, "agent").unwrap().status.clone();
    assert_eq!(st.desired_number_scheduled, 3);
    assert_eq!(st.current_number_scheduled, 3);
    // A removed node takes its pod; the set wants one fewer.
    sim.run_until(secs(11 * 60));
    assert_eq!(pods_on_nodes(&sim, "agent-"), ["general-1", "general-2"]);
    let st = sim.daemonsets.get(ns, "agent").unwrap().status.clone();
    assert_eq!(st.desired_number_scheduled, 2);
    assert_eq!(st.number_available, 2);
}

fn sts(policy: &str, extra_events: &str) -> String {
    format!(
        "{POOL}{}{extra_events}",
        r#"
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: db}
      spec:
        replicas: 3
        serviceName: db
        podManagementPolicy: POLICY
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec:
            containers:
              - name: db
                image: db:1
                resources: {requests: {cpu: 100m, memory: 64Mi}}
                readinessProbe:
                  tcpSocket: {port: 5432}
                  initialDelaySeconds: 5
                  periodSeconds: 10
        volumeClaimTemplates:
          - metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
"#
        .replace("POLICY", policy)
    )
}

fn pod_times(sim: &Simulation, name: &str) -> (SimTime, Option<SimTime>) {
    let ns = sim.store.interner.lookup("default").unwrap();
    let p = sim.store.pod(sim.store.pod_by_name(ns, name).unwrap()).unwrap();
    (p.created, p.status.ready_since)
}

#[test]
fn statefulset_ordered_ready_starts_in_order_and_scales_down_in_reverse() {
    let mut sim = sim_from(&sts(
        "OrderedReady",
        "events:\n  - at: 10m\n    scale: {target: statefulset/db, replicas: 1}\n",
    ));
    sim.run_until(secs(5 * 60));
    let (c0, r0) = pod_times(&sim, "db-0");
    let (c1, r1) = pod_times(&sim, "db-1");
    let (c2, r2) = pod_times(&sim, "db-2");
    assert_eq!(c0, SimTime::ZERO);
    // Each pod is created the instant its predecessor is Ready.
    assert_eq!(Some(c1), r0);
    assert_eq!(Some(c2), r1);
    // Pull, 1 s start, then the readiness probe (delay 5 s, period 10 s) first passes 10 s
    // after creation: Ready at 10 s, 20 s, 30 s.
    assert_eq!((r0, r1, r2), (Some(secs(10)), Some(secs(20)), Some(secs(30))));
    // Claims exist before the pods, named <template>-<set>-<ordinal>.
    let ns = sim.store.interner.lookup("default").unwrap();
    for c in ["data-db-0", "data-db-1", "data-db-2"] {
        assert!(sim
            .store
            .object(kubesim::api::Kind::PersistentVolumeClaim, ns, c)
            .is_some());
    }
    let st = sim.statefulsets.get(ns, "db").unwrap().status.clone();
    assert_eq!((st.replicas, st.ready_replicas, st.available_replicas), (3, 3, 3));
    // Scale to 1: db-2 goes first, db-1 only once db-2 is gone.
    sim.run_until(secs(12 * 60));
    let deletes = events(&sim, "SuccessfulDelete", "db");
    assert_eq!(deletes.len(), 2);
    assert_eq!(deletes[0].0, secs(600));
    assert!(deletes[0].1.starts_with("delete Pod db-2"));
    assert!(deletes[1].1.starts_with("delete Pod db-1"));
    // db-2 takes the kubelet's 1 s shutdown to go; db-1 is deleted when it is gone.
    assert_eq!(deletes[1].0, secs(601));
    assert_eq!(pods_on_nodes(&sim, "db-").len(), 1);
}

#[test]
fn statefulset_parallel_starts_all_at_once() {
    let mut sim = sim_from(&sts("Parallel", ""));
    sim.run_until(secs(60));
    for n in ["db-0", "db-1", "db-2"] {
        assert_eq!(pod_times(&sim, n).0, SimTime::ZERO, "{n}");
    }
}
