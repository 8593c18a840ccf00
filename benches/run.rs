//! End-to-end benchmark: `kubesim run` on the bundled 1,000-node, 10,000-pod scenario
//! (`scenarios/bench/large.yaml`): build the cluster, apply 100 Deployments, schedule and start
//! every pod, and simulate ten minutes. Reports scenario runs per second and events per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kubesim::scenario::load_scenario;
use kubesim::sim::{SimOptions, Simulation};
use std::path::Path;
use std::sync::Arc;

fn large(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench/large.yaml");
    let scenario = Arc::new(load_scenario(&path, "large.yaml").expect("bundled scenario loads"));
    // Count the events once to report events/s.
    let mut probe = Simulation::new(scenario.clone(), &SimOptions::default()).unwrap();
    probe.run();
    let events = probe.stats.events;
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("large_1000_nodes_10000_pods", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(scenario.clone(), &SimOptions::default()).unwrap();
            sim.run();
            assert_eq!(sim.store.pod_counts().ready, 10_000);
        })
    });
    g.finish();
}

criterion_group!(benches, large);
criterion_main!(benches);
