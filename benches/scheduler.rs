//! Scheduler throughput, scheduler_perf style (`test/integration/scheduler_perf`): 5,000 nodes
//! (4 CPU / 32Gi, 110 pods) in three zones and 50,000 pending pods (100m / 500Mi, pause image)
//! placed by the default profile, timed from the first to the last binding — the
//! `SchedulingBasic` shape, and the same with required pod anti-affinity on the hostname
//! (`SchedulingPodAntiAffinity`: every pod carries the term; groups of pods share a label so
//! the term binds); and the 5,000-node / 150,000-pod envelope. The cluster is built outside the timed part; the timed part is
//! `Simulation::run_until(0)`: watch delivery, queueing, every scheduling cycle and every bind.
//!
//! `cargo bench --bench scheduler`; figures in results/bench/scheduler.md.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kubesim::api::Object;
use kubesim::engine::SimTime;
use kubesim::load::{Loaded, Origin};
use kubesim::sim::whatif::{self, WhatIfOptions};
use kubesim::sim::{SimOptions, Simulation};
use std::sync::Arc;

const NODE: &str = "
apiVersion: v1
kind: Node
metadata: {name: x}
status:
  allocatable: {cpu: \"4\", memory: 32Gi, pods: \"110\"}
  capacity: {cpu: \"4\", memory: 32Gi, pods: \"110\"}
";

const POD: &str = "
apiVersion: v1
kind: Pod
metadata: {name: x, namespace: default}
spec:
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.10
    resources: {requests: {cpu: 100m, memory: 500Mi}}
";

const ANTI: &str = "
apiVersion: v1
kind: Pod
metadata: {name: x, namespace: default}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {color: x}}
        topologyKey: kubernetes.io/hostname
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.10
    resources: {requests: {cpu: 100m, memory: 500Mi}}
";

fn loaded(o: Object) -> Loaded {
    Loaded {
        object: o,
        origin: Origin::inline("bench"),
        api_version: "v1".into(),
    }
}

/// `nodes` nodes and `pods` pending pods; with `anti`, pods carry required anti-affinity
/// against pods of their own group (`groups` groups, round robin).
pub fn cluster(nodes: usize, pods: usize, anti: Option<usize>) -> Vec<Loaded> {
    let node: kubesim::api::node::Node = serde_yaml::from_str(NODE).unwrap();
    let zones = ["zone-a", "zone-b", "zone-c"];
    let mut out = Vec::with_capacity(nodes + pods);
    for i in 0..nodes {
        let mut n = node.clone();
        let name = format!("node-{i}");
        n.metadata
            .labels
            .0
            .insert("kubernetes.io/hostname".into(), name.clone());
        n.metadata
            .labels
            .0
            .insert("topology.kubernetes.io/zone".into(), zones[i % 3].into());
        n.metadata.name = Some(name);
        out.push(loaded(Object::Node(n)));
    }
    let template: kubesim::api::pod::Pod =
        serde_yaml::from_str(if anti.is_some() { ANTI } else { POD }).unwrap();
    for i in 0..pods {
        let mut p = template.clone();
        p.metadata.name = Some(format!("pod-{i}"));
        if let Some(groups) = anti {
            let color = format!("c{}", i % groups);
            p.metadata.labels.0.insert("color".into(), color.clone());
            let t = &mut p
                .spec
                .affinity
                .as_mut()
                .unwrap()
                .pod_anti_affinity
                .as_mut()
                .unwrap()
                .required_during_scheduling_ignored_during_execution[0];
            t.label_selector
                .as_mut()
                .unwrap()
                .match_labels
                .0
                .insert("color".into(), color);
        }
        out.push(loaded(Object::Pod(p)));
    }
    out
}

fn prepared(objects: &[Loaded]) -> Simulation {
    let sc = whatif::scenario(
        objects.to_vec(),
        None,
        &WhatIfOptions {
            seed: 1,
            ..Default::default()
        },
    );
    Simulation::new(Arc::new(sc), &SimOptions::default()).unwrap()
}

fn schedule_all(mut sim: Simulation, pods: usize) {
    sim.run_until(SimTime::ZERO);
    assert_eq!(sim.scheduler.stats().scheduled as usize, pods);
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("scheduler");
    g.sample_size(10);
    let basic = cluster(5_000, 50_000, None);
    g.throughput(Throughput::Elements(50_000));
    g.bench_function("basic_5000_nodes_50000_pods", |b| {
        b.iter_batched(
            || prepared(&basic),
            |sim| schedule_all(sim, 50_000),
            BatchSize::PerIteration,
        )
    });
    drop(basic);
    // Ten groups of 5,000 pods (ten anti-affine Deployments): each group's pods must land on
    // different nodes, so each group ends with one pod on every node and the last pods of a
    // group are filtered against nearly all 5,000 nodes.
    let anti = cluster(5_000, 50_000, Some(10));
    g.bench_function("anti_affinity_5000_nodes_50000_pods", |b| {
        b.iter_batched(
            || prepared(&anti),
            |sim| schedule_all(sim, 50_000),
            BatchSize::PerIteration,
        )
    });
    drop(anti);
    // The scalability envelope: 5,000 nodes and 150,000 pods (30 per node).
    let envelope = cluster(5_000, 150_000, None);
    g.throughput(Throughput::Elements(150_000));
    g.bench_function("envelope_5000_nodes_150000_pods", |b| {
        b.iter_batched(
            || prepared(&envelope),
            |sim| schedule_all(sim, 150_000),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
