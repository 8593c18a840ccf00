//! Property tests over randomly generated scenarios: whatever the actions, the store's
//! incremental bookkeeping equals a full recount after every event (checked by the
//! simulation's invariant mode), no node is ever bound past its allocatable by requests, pod
//! counts are conserved, and Deployments converge to their replica count when capacity allows.

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use proptest::prelude::*;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone)]
struct Gen {
    nodes: u32,
    node_cpu: u32,
    deployments: Vec<(u32, u32, u32)>, // replicas, cpu m, memory Mi
    actions: Vec<(u32, u8, u32, u32)>, // minute, kind, a, b
}

fn scenario_gen() -> impl Strategy<Value = Gen> {
    (
        1u32..6,
        1u32..5,
        prop::collection::vec((0u32..8, 50u32..1500, 64u32..2048), 1..4),
        prop::collection::vec((1u32..40, 0u8..10, 0u32..8, 0u32..10), 0..10),
    )
        .prop_map(|(nodes, node_cpu, deployments, actions)| Gen {
            nodes,
            node_cpu,
            deployments,
            actions,
        })
}

fn scenario(g: &Gen) -> String {
    let mut s = format!(
        "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {{name: prop}}\nduration: 1h\nnodePools:\n  - name: n\n    count: {}\n    zones: [a, b]\n    template:\n      status:\n        allocatable: {{cpu: \"{}\", memory: 8Gi, pods: \"12\"}}\nmanifests:\n",
        g.nodes, g.node_cpu
    );
    for (i, (r, cpu, mem)) in g.deployments.iter().enumerate() {
        s.push_str(&format!(
            "  - inline: |\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {{name: d{i}}}\n      spec:\n        replicas: {r}\n        selector: {{matchLabels: {{app: d{i}}}}}\n        template:\n          metadata: {{labels: {{app: d{i}}}}}\n          spec:\n            containers:\n              - name: c\n                image: img{i}:1\n                resources: {{requests: {{cpu: {cpu}m, memory: {mem}Mi}}}}\n                readinessProbe: {{initialDelaySeconds: 3, periodSeconds: 5}}\n"
        ));
    }
    s.push_str("events:\n");
    let n = g.deployments.len() as u32;
    for (m, kind, a, b) in &g.actions {
        let node = format!("n-{}", a % g.nodes);
        let dep = format!("deployment/d{}", a % n);
        let body = match kind {
            0 => format!("scale: {{target: {dep}, replicas: {b}}}"),
            1 => format!("setImage: {{target: {dep}, container: c, image: \"img:{b}\"}}"),
            2 => format!("cordon: {{node: {node}}}"),
            3 => format!("uncordon: {{node: {node}}}"),
            4 => format!("failNode: {{node: {node}}}"),
            5 => format!("recoverNode: {{node: {node}}}"),
            6 => format!("drain: {{node: {node}}}"),
            7 => "addNodes: {pool: n, count: 1}".to_string(),
            8 => format!("rolloutUndo: {{target: {dep}}}"),
            _ => format!(
                "upgradePool: {{pool: n, maxSurge: {}, maxUnavailable: {}}}",
                b % 2,
                1 - b % 2
            ),
        };
        s.push_str(&format!("  - at: {m}m\n    {body}\n"));
    }
    s
}

fn check_nodes(sim: &Simulation) -> Result<(), TestCaseError> {
    for (_, n) in sim.store.nodes() {
        prop_assert!(n.requested.cpu <= n.allocatable.cpu, "cpu overcommitted");
        prop_assert!(
            n.requested.memory <= n.allocatable.memory,
            "memory overcommitted"
        );
        prop_assert!(n.pod_count <= n.allowed_pods, "too many pods");
        // The incremental per-node counts equal a recount of the node's pods.
        let holding: Vec<i32> = n
            .pods
            .iter()
            .filter_map(|&p| sim.store.pod(p))
            .filter(|p| p.holds_resources())
            .map(|p| p.priority)
            .collect();
        prop_assert_eq!(n.pod_count, holding.len() as i64, "pod count");
        let mut recount: Vec<(i32, u32)> = Vec::new();
        for pr in holding {
            match recount.iter_mut().find(|e| e.0 == pr) {
                Some(e) => e.1 += 1,
                None => recount.push((pr, 1)),
            }
        }
        recount.sort();
        let mut kept: Vec<(i32, u32)> = n.priorities.to_vec();
        kept.sort();
        prop_assert_eq!(kept, recount, "priority counts");
    }
    let c = sim.store.pod_counts();
    prop_assert_eq!(
        c.created - c.deleted,
        sim.store.pod_count() as u64,
        "pods created - deleted != live pods"
    );
    prop_assert_eq!(
        c.pending + c.running + c.succeeded + c.failed,
        sim.store.pod_count() as u64
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_actions(g in scenario_gen()) {
        let text = scenario(&g);
        let s = load_scenario_str(&text, "prop.yaml", Path::new(".")).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let mut sim = Simulation::new(Arc::new(s), &SimOptions { check_invariants: true, ..Default::default() }).unwrap();
        for minute in 1..=60u64 {
            sim.run_until(SimTime::ZERO + SimDuration::from_secs(minute * 60));
            check_nodes(&sim)?;
        }
    }

    #[test]
    fn deployments_converge_when_capacity_allows(replicas in prop::collection::vec(0u32..10, 1..4), scale_to in 0u32..12) {
        // Plenty of room: every Deployment reaches its replica count, ready and available.
        let g = Gen {
            nodes: 4,
            node_cpu: 16,
            deployments: replicas.iter().map(|&r| (r, 100, 128)).collect(),
            actions: vec![(5, 0, 0, scale_to), (10, 1, 0, 7)],
        };
        let text = scenario(&g).replace("pods: \"12\"", "pods: \"110\"");
        let s = load_scenario_str(&text, "prop.yaml", Path::new(".")).unwrap();
        let mut sim = Simulation::new(Arc::new(s), &SimOptions { check_invariants: true, ..Default::default() }).unwrap();
        sim.run();
        for (i, (_, d)) in sim.store.deployments().enumerate() {
            let want = if i == 0 { scale_to as i32 } else { replicas[i] as i32 };
            prop_assert_eq!(d.replicas, want);
            prop_assert_eq!(d.status.ready_replicas, want, "deployment {} not converged", i);
            prop_assert_eq!(d.status.available_replicas, want);
            prop_assert_eq!(d.status.updated_replicas, want);
        }
    }
}
