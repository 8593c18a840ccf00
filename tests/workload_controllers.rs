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
storage: {provisioningDelay: 0s}
manifests:
  - inline: |
      apiVersion: storage.k8s.io/v1
      kind: StorageClass
      metadata:
        name: standard
        annotations: {storageclass.kubernetes.io/is-default-class: "true"}
      provisioner: pd.csi.storage.gke.io
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
    let p = sim
        .store
        .pod(sim.store.pod_by_name(ns, name).unwrap())
        .unwrap();
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
    assert_eq!(
        (r0, r1, r2),
        (Some(secs(10)), Some(secs(20)), Some(secs(30)))
    );
    // Claims exist before the pods, named <template>-<set>-<ordinal>.
    let ns = sim.store.interner.lookup("default").unwrap();
    for c in ["data-db-0", "data-db-1", "data-db-2"] {
        assert!(
            sim.store
                .object(kubesim::api::Kind::PersistentVolumeClaim, ns, c)
                .is_some()
        );
    }
    let st = sim.statefulsets.get(ns, "db").unwrap().status.clone();
    assert_eq!(
        (st.replicas, st.ready_replicas, st.available_replicas),
        (3, 3, 3)
    );
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

#[test]
fn quota_refuses_the_pod_that_would_exceed_it() {
    let text = format!(
        "{POOL}{}",
        r#"
manifests:
  - inline: |
      apiVersion: v1
      kind: ResourceQuota
      metadata: {name: compute}
      spec:
        hard: {requests.cpu: "2", pods: "10"}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 5
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: web
                image: agent:1
                resources: {requests: {cpu: 500m, memory: 64Mi}}
"#
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(60));
    // Four pods fit under requests.cpu=2; the fifth is refused at time zero.
    assert_eq!(pods_on_nodes(&sim, "web-").len(), 4);
    let failed: Vec<_> = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "FailedCreate")
        .collect();
    assert!(!failed.is_empty());
    assert_eq!(failed[0].time, SimTime::ZERO);
    assert_eq!(failed[0].object.kind, kubesim::api::Kind::ReplicaSet);
    let msg = &failed[0].message;
    assert!(msg.starts_with("Error creating: pods \"web-"), "{msg}");
    assert!(
        msg.ends_with(
            "\" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, \
             used: requests.cpu=2, limited: requests.cpu=2"
        ),
        "{msg}"
    );
    // The ReplicaSet retries at once (the pods it created wake it) and then with its rate
    // limiter's backoff (5 ms doubling).
    let times: Vec<SimTime> = failed.iter().map(|e| e.time).collect();
    assert_eq!(times[2], SimTime::ZERO + SimDuration::from_millis(5));
    assert_eq!(times[3], SimTime::ZERO + SimDuration::from_millis(10));
    assert!(times.len() < 30, "backoff, not a hot loop: {times:?}");
    let ns = sim.store.interner.lookup("default").unwrap();
    let q = &sim.store.quotas(ns)[0];
    assert_eq!(q.used("requests.cpu"), Some(2000));
    assert_eq!(q.used("pods"), Some(4));
    // Scaling down frees quota: the usage follows the pods.
    let mut sim2 = sim_from(&format!(
        "{text}events:\n  - at: 2m\n    scale: {{target: deployment/web, replicas: 2}}\n"
    ));
    sim2.run_until(secs(180));
    let q = &sim2.store.quotas(ns)[0];
    assert_eq!(q.used("requests.cpu"), Some(1000));
    assert_eq!(pods_on_nodes(&sim2, "web-").len(), 2);
}

#[test]
fn quota_on_cpu_requires_every_container_to_state_it() {
    let text = format!(
        "{POOL}{}",
        r#"
manifests:
  - inline: |
      apiVersion: v1
      kind: ResourceQuota
      metadata: {name: compute}
      spec:
        hard: {limits.cpu: "4", requests.memory: 1Gi}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: bare}
      spec:
        containers:
          - {name: app, image: agent:1, resources: {requests: {cpu: 100m}}}
"#
    );
    let sim = sim_from(&text);
    let e = events(&sim, "FailedCreate", "bare");
    assert_eq!(
        e[0].1,
        "pods \"bare\" is forbidden: failed quota: compute: must specify limits.cpu for: app; \
         requests.memory for: app"
    );
}

#[test]
fn limit_range_defaults_are_applied_and_max_is_enforced() {
    let text = format!(
        "{POOL}{}",
        r#"
manifests:
  - inline: |
      apiVersion: v1
      kind: LimitRange
      metadata: {name: defaults}
      spec:
        limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m, memory: 128Mi}
            max: {cpu: "1"}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: plain}
      spec:
        containers:
          - {name: app, image: agent:1}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: big}
      spec:
        containers:
          - {name: app, image: agent:1, resources: {limits: {cpu: "2"}}}
"#
    );
    let sim = sim_from(&text);
    let ns = sim.store.interner.lookup("default").unwrap();
    let p = sim
        .store
        .pod(sim.store.pod_by_name(ns, "plain").unwrap())
        .unwrap();
    let c = &p.spec.containers[0];
    assert_eq!((c.requests.cpu, c.requests.memory), (100, 128 << 20));
    assert_eq!((c.limits.cpu, c.limits.memory), (500, 256 << 20));
    assert_eq!(p.qos, kubesim::model::pod::QosClass::Burstable);
    assert!(sim.store.pod_by_name(ns, "big").is_none());
    let e = events(&sim, "FailedCreate", "big");
    assert_eq!(
        e[0].1,
        "pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2"
    );
}

fn preemption(policy: &str) -> Simulation {
    let text = r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
seed: 1
duration: 10m
nodePools:
  - name: small
    count: 1
    template:
      status:
        allocatable: {cpu: "1", memory: 4Gi, pods: "110"}
images:
  - {name: "agent:1", size: 50Mi}
manifests:
  - inline: |
      apiVersion: scheduling.k8s.io/v1
      kind: PriorityClass
      metadata: {name: urgent}
      value: 1000
      preemptionPolicy: POLICY
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: low}
      spec:
        containers:
          - {name: app, image: agent:1, resources: {requests: {cpu: 800m}}}
events:
  - at: 1m
    apply:
      inline: |
        apiVersion: v1
        kind: Pod
        metadata: {name: high}
        spec:
          priorityClassName: urgent
          containers:
            - {name: app, image: agent:1, resources: {requests: {cpu: 800m}}}
"#
    .replace("POLICY", policy);
    let mut sim = sim_from(&text);
    sim.run_until(secs(5 * 60));
    sim
}

#[test]
fn preemption_policy_never_from_the_class_does_not_preempt() {
    let sim = preemption("Never");
    let ns = sim.store.interner.lookup("default").unwrap();
    let high = sim
        .store
        .pod(sim.store.pod_by_name(ns, "high").unwrap())
        .unwrap();
    assert!(!high.preempt_lower);
    assert!(high.status.node.is_none(), "high stays pending");
    assert!(events(&sim, "Preempted", "low").is_empty());
    assert!(sim.store.pod_by_name(ns, "low").is_some());
    // The same class with PreemptLowerPriority evicts `low` at 1m.
    let sim = preemption("PreemptLowerPriority");
    let e = events(&sim, "Preempted", "low");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, secs(60));
}

fn ready_count(sim: &Simulation, prefix: &str) -> usize {
    sim.store
        .pods()
        .filter(|(_, p)| p.name.starts_with(prefix) && p.is_ready())
        .count()
}

#[test]
fn daemonset_rolling_update_keeps_at_most_one_node_unavailable() {
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
            tolerations: [{key: dedicated, operator: Exists}]
            containers:
              - name: agent
                image: agent:1
                resources: {requests: {cpu: 100m, memory: 64Mi}}
events:
  - at: 1m
    setImage: {target: daemonset/agent, container: agent, image: "agent:2"}
"#
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(59));
    assert_eq!(ready_count(&sim, "agent-"), 2);
    let mut t = 60;
    while t < 120 {
        sim.run_until(secs(t));
        assert!(
            ready_count(&sim, "agent-") >= 1,
            "two nodes unavailable at {t}s"
        );
        t += 1;
    }
    let ns = sim.store.interner.lookup("default").unwrap();
    let st = sim.daemonsets.get(ns, "agent").unwrap().status.clone();
    assert_eq!(st.updated_number_scheduled, 2);
    assert_eq!(st.number_available, 2);
    // maxUnavailable 1: the first old pod is deleted at 60 s, its replacement is created
    // when it is gone (1 s shutdown) and is Ready 2 s later (pull + start); only then is the
    // second node's pod replaced.
    let t = |v: Vec<(SimTime, String)>| v.into_iter().map(|e| e.0).collect::<Vec<_>>();
    assert_eq!(
        t(events(&sim, "SuccessfulDelete", "agent")),
        [secs(60), secs(63)]
    );
    assert_eq!(
        t(events(&sim, "SuccessfulCreate", "agent")),
        [secs(0), secs(0), secs(61), secs(64)]
    );
}

#[test]
fn statefulset_rolling_update_goes_in_reverse_ordinal_order() {
    let mut sim = sim_from(&sts(
        "OrderedReady",
        "events:\n  - at: 5m\n    setImage: {target: statefulset/db, container: db, image: \"agent:2\"}\n",
    ));
    sim.run_until(secs(10 * 60));
    // db-2, then db-1 once the new db-2 is Ready (1 s shutdown + 10 s to Ready), then db-0.
    let deletes: Vec<_> = events(&sim, "SuccessfulDelete", "db");
    let order: Vec<&str> = deletes.iter().map(|e| &e.1[11..15]).collect();
    assert_eq!(order, ["db-2", "db-1", "db-0"]);
    let times: Vec<SimTime> = deletes.iter().map(|e| e.0).collect();
    assert_eq!(times, [secs(300), secs(311), secs(322)]);
    let ns = sim.store.interner.lookup("default").unwrap();
    let st = sim.statefulsets.get(ns, "db").unwrap().status.clone();
    assert_eq!((st.updated_replicas, st.ready_replicas), (3, 3));
    assert_eq!(st.current_revision, st.update_revision);
    assert_eq!(pod_times(&sim, "db-0").1, Some(secs(333)));
}

#[test]
fn statefulset_partition_keeps_lower_ordinals_on_the_old_revision() {
    let text = sts(
        "Parallel",
        "events:\n  - at: 5m\n    setImage: {target: statefulset/db, container: db, image: \"agent:2\"}\n",
    )
    .replace(
        "        serviceName: db\n",
        "        serviceName: db\n        updateStrategy: {rollingUpdate: {partition: 2}}\n",
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(10 * 60));
    let deletes = events(&sim, "SuccessfulDelete", "db");
    assert_eq!(deletes.len(), 1);
    assert!(deletes[0].1.starts_with("delete Pod db-2 "));
    let ns = sim.store.interner.lookup("default").unwrap();
    let st = sim.statefulsets.get(ns, "db").unwrap().status.clone();
    assert_eq!((st.current_replicas, st.updated_replicas), (2, 1));
    assert_ne!(st.current_revision, st.update_revision);
}

#[test]
fn bundled_workload_scenarios_run() {
    for f in ["daemonset", "statefulset", "quota"] {
        let mut sim = sim_from(&file(&format!("scenarios/workloads/{f}.yaml")));
        sim.run();
        let ns = |n: &str| sim.store.interner.lookup(n).unwrap();
        match f {
            "daemonset" => {
                let log = sim.daemonsets.get(ns("kube-system"), "log-agent").unwrap();
                // general-1, general-2 (added at 5m, up at 6m) and gpu-0, all updated.
                assert_eq!(log.status.desired_number_scheduled, 3);
                assert_eq!(log.status.updated_number_scheduled, 3);
                assert_eq!(log.status.number_available, 3);
                let gpu = sim
                    .daemonsets
                    .get(ns("kube-system"), "gpu-exporter")
                    .unwrap();
                assert_eq!(gpu.status.desired_number_scheduled, 1);
            }
            "statefulset" => {
                let db = sim.statefulsets.get(ns("default"), "db").unwrap();
                assert_eq!((db.status.replicas, db.status.updated_replicas), (2, 2));
                let c = events(&sim, "SuccessfulCreate", "db");
                // db-0 waits 5 s for its provisioned volume, then is Ready at 20 s.
                assert_eq!(c[3].0, secs(20), "db-1 once db-0 is Ready");
                // Claims of the scaled-down members are retained.
                let pvc = kubesim::api::Kind::PersistentVolumeClaim;
                assert!(sim.store.object(pvc, ns("default"), "data-db-4").is_some());
            }
            _ => {
                let q = &sim.store.quotas(ns("team-a"))[0];
                assert_eq!(q.used("requests.cpu"), Some(1500));
                assert!(sim.store.pod_by_name(ns("team-a"), "huge").is_none());
                let report = sim.store.pod_by_name(ns("default"), "report").unwrap();
                assert!(sim.store.pod(report).unwrap().status.node.is_none());
                assert!(events(&sim, "Preempted", "filler").is_empty());
            }
        }
    }
}

#[test]
fn statefulset_min_ready_seconds_delays_the_next_ordinal() {
    let text = sts("OrderedReady", "").replace(
        "        serviceName: db\n",
        "        serviceName: db\n        minReadySeconds: 7\n",
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(120));
    // db-0 is Ready at 10 s and available 7 s later: db-1 is created at 17 s.
    assert_eq!(pod_times(&sim, "db-0").1, Some(secs(10)));
    assert_eq!(pod_times(&sim, "db-1").0, secs(17));
    assert_eq!(pod_times(&sim, "db-2").0, secs(34));
}

#[test]
fn statefulset_refused_by_quota_stops_in_order_and_retries() {
    let text = sts("OrderedReady", "").replace(
        "manifests:\n",
        "manifests:\n  - inline: |\n      apiVersion: v1\n      kind: ResourceQuota\n      metadata: {name: two}\n      spec: {hard: {pods: \"2\"}}\n",
    );
    let mut sim = sim_from(&text);
    sim.run_until(secs(120));
    assert_eq!(pods_on_nodes(&sim, "db-").len(), 2);
    let f = events(&sim, "FailedCreate", "db");
    assert_eq!(f[0].0, secs(20), "db-2 is tried when db-1 is Ready");
    assert_eq!(
        f[0].1,
        "create Pod db-2 in StatefulSet db failed error: pods \"db-2\" is forbidden: \
         exceeded quota: two, requested: pods=1, used: pods=2, limited: pods=2"
    );
    assert!(
        f.len() > 5 && f.len() < 40,
        "retried with backoff: {}",
        f.len()
    );
}

#[test]
fn daemonset_surge_starts_the_new_pod_before_deleting_the_old() {
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
        updateStrategy:
          rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
        template:
          metadata: {labels: {app: agent}}
          spec:
            containers:
              - name: agent
                image: agent:1
                resources: {requests: {cpu: 100m, memory: 64Mi}}
events:
  - at: 1m
    setImage: {target: daemonset/agent, container: agent, image: "agent:2"}
"#
    );
    let mut sim = sim_from(&text);
    for t in 59..120 {
        sim.run_until(secs(t));
        assert!(
            ready_count(&sim, "agent-") >= 2,
            "a node lost its agent at {t}s"
        );
    }
    let t = |v: Vec<(SimTime, String)>| v.into_iter().map(|e| e.0).collect::<Vec<_>>();
    // The new pod on the first node comes up at 60 s (Ready at 62 s after pull and start);
    // then the old one goes and the second node's new pod starts.
    assert_eq!(
        t(events(&sim, "SuccessfulCreate", "agent")),
        [secs(0), secs(0), secs(60), secs(62)]
    );
    assert_eq!(
        t(events(&sim, "SuccessfulDelete", "agent")),
        [secs(62), secs(64)]
    );
    let ns = sim.store.interner.lookup("default").unwrap();
    let st = sim.daemonsets.get(ns, "agent").unwrap().status.clone();
    assert_eq!((st.updated_number_scheduled, st.number_available), (2, 2));
}
