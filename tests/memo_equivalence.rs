//! The scheduler's node-local memo (src/scheduler/memo.rs) must never change a decision: runs
//! with it and without it are identical — same event hash, same Kubernetes events, same
//! placements — on the bundled scenarios and on random clusters with taints, node selectors,
//! anti-affinity, spread constraints, priorities and node failures.

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::{load_scenario, load_scenario_str};
use kubesim::sim::{SimOptions, Simulation};
use proptest::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// Event hash, events, and placements (pod, node).
type Fingerprint = (String, Vec<String>, Vec<(String, Option<String>)>);

fn fingerprint(sim: &Simulation) -> Fingerprint {
    let events = sim
        .store
        .events
        .events
        .iter()
        .map(|e| format!("{:?} {} {} {}", e.time, e.reason, e.object.name, e.message))
        .collect();
    let mut placements: Vec<(String, Option<String>)> = sim
        .store
        .pods()
        .map(|(_, p)| {
            let node = p
                .status
                .node
                .and_then(|n| sim.store.node(n))
                .map(|n| sim.store.interner.resolve(n.name).to_string());
            (p.name.to_string(), node)
        })
        .collect();
    placements.sort();
    (format!("{:?}", sim.event_hash()), events, placements)
}

fn both(s: kubesim::scenario::Scenario, until: SimDuration) -> (Fingerprint, (u64, u64)) {
    let s = Arc::new(s);
    let mut with = Simulation::new(s.clone(), &SimOptions::default()).unwrap();
    with.run_until(SimTime::ZERO + until);
    let mut without = Simulation::new(s, &SimOptions::default()).unwrap();
    without.scheduler.set_memo(false);
    without.run_until(SimTime::ZERO + until);
    let a = fingerprint(&with);
    let b = fingerprint(&without);
    assert_eq!(a.2, b.2, "placements differ");
    assert_eq!(a.1, b.1, "events differ");
    assert_eq!(a.0, b.0, "event hashes differ");
    (a, with.scheduler.memo_stats())
}

#[test]
fn bundled_scenarios_are_identical_with_and_without_the_memo() {
    for (f, until) in [
        ("scenarios/quickstart.yaml", 7200),
        ("scenarios/seed-guide/scenario.yaml", 3600),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(f);
        let s = load_scenario(&path, f).unwrap();
        both(s, SimDuration::from_secs(until));
    }
}

#[test]
fn the_memo_is_used() {
    // Twenty identical pods on ten nodes: after the first cycle most node-local results are
    // reused.
    let text = "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {name: m}\nduration: 5m\nnodePools:\n  - name: n\n    count: 10\n    template:\n      status:\n        allocatable: {cpu: \"8\", memory: 16Gi}\nmanifests:\n  - inline: |\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: d}\n      spec:\n        replicas: 20\n        selector: {matchLabels: {app: d}}\n        template:\n          metadata: {labels: {app: d}}\n          spec:\n            containers: [{name: c, image: nginx:1.27, resources: {requests: {cpu: 100m}}}]\n";
    let s = load_scenario_str(text, "m.yaml", Path::new(".")).unwrap();
    let (_, (hits, misses)) = both(s, SimDuration::from_secs(300));
    assert!(hits > misses, "hits {hits}, misses {misses}");
}

fn random_scenario(
    nodes: u32,
    ws: &[(u32, u32, u8, bool)],
    actions: &[(u32, u8, u32, u32)],
) -> String {
    let mut s = format!(
        "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {{name: r}}\nduration: 20m\nnodePools:\n  - name: n\n    count: {nodes}\n    zones: [a, b]\n    template:\n      metadata: {{labels: {{disk: ssd}}}}\n      status:\n        allocatable: {{cpu: \"2\", memory: 8Gi, pods: \"8\"}}\n  - name: t\n    count: 1\n    template:\n      spec:\n        taints: [{{key: gpu, value: \"yes\", effect: NoSchedule}}]\n      status:\n        allocatable: {{cpu: \"8\", memory: 8Gi}}\nmanifests:\n  - inline: |\n      apiVersion: scheduling.k8s.io/v1\n      kind: PriorityClass\n      metadata: {{name: high}}\n      value: 1000\n"
    );
    for (i, (r, cpu, rule, high)) in ws.iter().enumerate() {
        let rule = match rule {
            1 => format!(
                "affinity: {{podAntiAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: [{{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: w{i}}}}}}}]}}}}"
            ),
            2 => format!(
                "topologySpreadConstraints: [{{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: w{i}}}}}}}]"
            ),
            3 => "nodeSelector: {disk: ssd}".to_string(),
            4 => "tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]".to_string(),
            _ => "hostNetwork: false".to_string(),
        };
        let prio = if *high {
            "priorityClassName: high"
        } else {
            "enableServiceLinks: true"
        };
        s.push_str(&format!(
            "  - inline: |\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {{name: w{i}}}\n      spec:\n        replicas: {r}\n        selector: {{matchLabels: {{app: w{i}}}}}\n        template:\n          metadata: {{labels: {{app: w{i}}}}}\n          spec:\n            {rule}\n            {prio}\n            terminationGracePeriodSeconds: 3\n            containers:\n              - name: c\n                image: img:1\n                resources: {{requests: {{cpu: {cpu}m, memory: 256Mi}}}}\n"
        ));
    }
    s.push_str("events:\n");
    for (m, kind, a, b) in actions {
        let node = format!("n-{}", a % nodes);
        let dep = format!("deployment/w{}", a % ws.len() as u32);
        let body = match kind {
            0 => format!("scale: {{target: {dep}, replicas: {b}}}"),
            1 => format!("failNode: {{node: {node}}}"),
            2 => format!("recoverNode: {{node: {node}}}"),
            3 => format!("cordon: {{node: {node}}}"),
            4 => format!("uncordon: {{node: {node}}}"),
            _ => "addNodes: {pool: n, count: 1}".to_string(),
        };
        s.push_str(&format!("  - at: {m}m\n    {body}\n"));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_clusters_are_identical_with_and_without_the_memo(
        nodes in 2u32..6,
        ws in prop::collection::vec((0u32..8, 200u32..1500, 0u8..6, any::<bool>()), 1..5),
        actions in prop::collection::vec((1u32..15, 0u8..6, 0u32..8, 0u32..9), 1..10),
    ) {
        let text = random_scenario(nodes, &ws, &actions);
        let s = load_scenario_str(&text, "r.yaml", Path::new(".")).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        both(s, SimDuration::from_secs(1200));
    }
}
