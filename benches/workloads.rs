//! Issue 4's benchmark: `scenarios/bench/workloads-24h.yaml` — 1,000 nodes, 30,000 pods from
//! 100 Deployments, 24 simulated hours with 200 rolling updates and 24 node failures, plus a
//! diurnal load on ten Deployments. Target: ≥ 10,000× faster than real time (≤ 8.6 s per run).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kubesim::scenario::load_scenario;
use kubesim::sim::{SimOptions, Simulation};
use std::path::Path;
use std::sync::Arc;

fn workloads_24h(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench/workloads-24h.yaml");
    let scenario =
        Arc::new(load_scenario(&path, "workloads-24h.yaml").expect("bundled scenario loads"));
    let mut probe = Simulation::new(scenario.clone(), &SimOptions::default()).unwrap();
    probe.run();
    let events = probe.stats.events;
    let mut g = c.benchmark_group("workloads");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("rollouts_and_failures_1000_nodes_30000_pods_24h", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(scenario.clone(), &SimOptions::default()).unwrap();
            sim.run();
            assert_eq!(sim.store.pod_counts().ready, 30_000);
        })
    });
    g.finish();
}

criterion_group!(benches, workloads_24h);
criterion_main!(benches);
