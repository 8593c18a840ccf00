//! Property tests of the scheduler over random clusters and workloads with pod
//! anti-affinity, hard topology spread constraints, node selectors and priorities
//! (preemption), under scaling and node failures:
//! - no node is ever bound past its allocatable by requests (cpu, memory, pod count);
//! - the scheduler cache's incremental per-node and per-topology-domain counts and its
//!   affinity-term index equal a full recount;
//! - required pod anti-affinity (per hostname) is never violated among bound pods;
//! - hard spread constraints over hostnames hold (max - min ≤ maxSkew over eligible nodes).

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone)]
struct Workload {
    replicas: u32,
    cpu: u32,
    /// 0 none, 1 required anti-affinity on hostname, 2 hard spread on hostname (maxSkew 1),
    /// 3 hard spread on zone (maxSkew 1), 4 node selector on disk=ssd.
    rule: u8,
    /// 0 or 1000.
    high: bool,
}

#[derive(Debug, Clone)]
struct Gen {
    nodes: u32,
    workloads: Vec<Workload>,
    actions: Vec<(u32, u8, u32, u32)>,
}

fn cluster_gen() -> impl Strategy<Value = Gen> {
    (
        2u32..7,
        prop::collection::vec(
            (0u32..7, 300u32..1500, 0u8..5, any::<bool>()).prop_map(
                |(replicas, cpu, rule, high)| Workload {
                    replicas,
                    cpu,
                    rule,
                    high,
                },
            ),
            1..5,
        ),
        prop::collection::vec((1u32..20, 0u8..7, 0u32..8, 0u32..9), 2..12),
    )
        .prop_map(|(nodes, workloads, actions)| Gen {
            nodes,
            workloads,
            actions,
        })
}

fn scenario(g: &Gen) -> String {
    let mut s = format!(
        "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {{name: sprop}}\nduration: 30m\nnodePools:\n  - name: n\n    count: {}\n    zones: [a, b, c]\n    template:\n      metadata: {{labels: {{disk: ssd}}}}\n      status:\n        allocatable: {{cpu: \"2\", memory: 8Gi, pods: \"10\"}}\n  - name: m\n    count: 1\n    zones: [a]\n    template:\n      status:\n        allocatable: {{cpu: \"2\", memory: 8Gi, pods: \"10\"}}\nmanifests:\n  - inline: |\n      apiVersion: scheduling.k8s.io/v1\n      kind: PriorityClass\n      metadata: {{name: high}}\n      value: 1000\n",
        g.nodes
    );
    for (i, w) in g.workloads.iter().enumerate() {
        let rule = match w.rule {
            1 => format!(
                "affinity: {{podAntiAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: [{{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{app: w{i}}}}}}}]}}}}"
            ),
            2 => format!(
                "topologySpreadConstraints: [{{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: w{i}}}}}}}]"
            ),
            3 => format!(
                "topologySpreadConstraints: [{{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: w{i}}}}}}}]"
            ),
            4 => "nodeSelector: {disk: ssd}".to_string(),
            _ => String::new(),
        };
        let prio = if w.high {
            "priorityClassName: high"
        } else {
            ""
        };
        let mut extra: Vec<&str> = Vec::new();
        if !rule.is_empty() {
            extra.push(&rule);
        }
        if !prio.is_empty() {
            extra.push(prio);
        }
        let extra: String = extra.iter().map(|e| format!("            {e}\n")).collect();
        s.push_str(&format!(
            "  - inline: |\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {{name: w{i}}}\n      spec:\n        replicas: {r}\n        selector: {{matchLabels: {{app: w{i}}}}}\n        template:\n          metadata: {{labels: {{app: w{i}}}}}\n          spec:\n{extra}            terminationGracePeriodSeconds: 5\n            containers:\n              - name: c\n                image: img:1\n                resources: {{requests: {{cpu: {cpu}m, memory: 256Mi}}}}\n",
            r = w.replicas,
            cpu = w.cpu
        ));
    }
    s.push_str("events:\n");
    let n = g.workloads.len() as u32;
    for (m, kind, a, b) in &g.actions {
        let node = format!("n-{}", a % g.nodes);
        let dep = format!("deployment/w{}", a % n);
        let body = match kind {
            0 => format!("scale: {{target: {dep}, replicas: {b}}}"),
            1 => format!("failNode: {{node: {node}}}"),
            2 => format!("recoverNode: {{node: {node}}}"),
            3 => "addNodes: {pool: n, count: 1}".to_string(),
            // A deleted node leaves the scheduler cache's topology domains incrementally.
            5 => format!("removeNodes: {{node: {node}}}"),
            _ => format!("scale: {{target: {dep}, replicas: {}}}", b + 3),
        };
        s.push_str(&format!("  - at: {m}m\n    {body}\n"));
    }
    s
}

fn check(sim: &Simulation, g: &Gen) -> Result<(), TestCaseError> {
    for (_, n) in sim.store.nodes() {
        prop_assert!(n.requested.cpu <= n.allocatable.cpu, "cpu overcommitted");
        prop_assert!(
            n.requested.memory <= n.allocatable.memory,
            "memory overcommitted"
        );
        prop_assert!(n.pod_count <= n.allowed_pods, "too many pods");
    }
    if let Err(e) = kubesim::scheduler::check_cache(&sim.scheduler, &sim.store) {
        return Err(TestCaseError::fail(e));
    }
    // Bound pods per workload per node.
    let mut per: BTreeMap<(String, String), u32> = BTreeMap::new();
    for (_, p) in sim.store.pods() {
        let (Some(node), false) = (p.status.node, p.status.phase.is_terminal()) else {
            continue;
        };
        let app = p.name.split('-').next().unwrap_or("").to_string();
        let node = sim
            .store
            .interner
            .resolve(sim.store.node(node).unwrap().name)
            .to_string();
        *per.entry((app, node)).or_default() += 1;
    }
    for (i, w) in g.workloads.iter().enumerate() {
        let app = format!("w{i}");
        if w.rule == 1 {
            for ((a, node), c) in &per {
                prop_assert!(
                    !(a == &app && *c > 1),
                    "{c} pods of {app} on {node} despite anti-affinity"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn scheduler_invariants_hold(g in cluster_gen()) {
        let text = scenario(&g);
        let s = load_scenario_str(&text, "sprop.yaml", Path::new("."))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let mut sim = Simulation::new(Arc::new(s), &SimOptions { check_invariants: true, ..Default::default() }).unwrap();
        for minute in 0..=30u64 {
            sim.run_until(SimTime::ZERO + SimDuration::from_secs(minute * 60));
            check(&sim, &g)?;
        }
    }
}

#[test]
fn hard_hostname_spread_holds_when_every_node_is_eligible() {
    // 4 nodes, maxSkew 1 over hostnames, 10 replicas: counts differ by at most one.
    let g = Gen {
        nodes: 4,
        workloads: vec![Workload {
            replicas: 10,
            cpu: 100,
            rule: 2,
            high: false,
        }],
        actions: vec![],
    };
    let text = scenario(&g).replace("  - name: m\n    count: 1", "  - name: m\n    count: 0");
    let s = load_scenario_str(&text, "sprop.yaml", Path::new(".")).unwrap();
    let mut sim = Simulation::new(Arc::new(s), &SimOptions::default()).unwrap();
    sim.run_until(SimTime::ZERO + SimDuration::from_secs(120));
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for (_, n) in sim.store.nodes() {
        counts.insert(sim.store.interner.resolve(n.name).to_string(), 0);
    }
    for (_, p) in sim.store.pods() {
        if let Some(n) = p.status.node {
            *counts
                .get_mut(sim.store.interner.resolve(sim.store.node(n).unwrap().name))
                .unwrap() += 1;
        }
    }
    let (min, max) = (
        counts.values().min().unwrap(),
        counts.values().max().unwrap(),
    );
    assert!(max - min <= 1, "{counts:?}");
    assert_eq!(counts.values().sum::<u32>(), 10);
}
