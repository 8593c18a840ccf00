//! Issue 5's benchmark: `scenarios/bench/autoscaling-24h.yaml` — 1,000 nodes in 3 pools (the
//! Cluster Autoscaler scales two), 100 Deployments each with a cpu HPA under a diurnal load
//! that peaks above the fixed capacity, 24 simulated hours. Target: ≥ 20,000× faster than real
//! time (≤ 4.3 s per run); results/bench/autoscaling.md has the measured figure.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kubesim::scenario::load_scenario;
use kubesim::sim::{SimOptions, Simulation};
use std::path::Path;
use std::sync::Arc;

fn autoscaling_24h(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench/autoscaling-24h.yaml");
    let scenario =
        Arc::new(load_scenario(&path, "autoscaling-24h.yaml").expect("bundled scenario loads"));
    let mut g = c.benchmark_group("autoscaling");
    g.sample_size(10);
    g.throughput(Throughput::Elements(86_400));
    g.bench_function("hpa_and_ca_1000_nodes_100_hpas_24h", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(scenario.clone(), &SimOptions::default()).unwrap();
            sim.run();
        })
    });
    g.finish();
}

criterion_group!(benches, autoscaling_24h);
criterion_main!(benches);
