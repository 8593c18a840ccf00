//! A custom scheduling policy for `kubesim bench`: a Score plugin (with an extra Filter)
//! registered next to the built-in FGD policies and compared with them on the bundled tiny
//! openb-format fixture. Run with `cargo run --example bench_custom_policy [OUT_DIR]`;
//! `tests/bench.rs` runs it too. docs/bench.md explains the API.

use kubesim::bench;
use kubesim::engine::rng::SimRng;
use kubesim::gpu::policy::{GpuRegistry, GpuScorePlugin, ScoreCtx};
use kubesim::gpu::{GpuNode, GpuPod};
use std::path::Path;

/// Spreads GPU pods: prefers the node with the most free milli-GPU after placement, and keeps
/// sharing pods off nodes with 2 GPUs or fewer (the extra Filter).
pub struct SpreadGpu;

impl GpuScorePlugin for SpreadGpu {
    fn name(&self) -> &str {
        "SpreadGpu"
    }

    fn filter(&self, pod: &GpuPod, node: &GpuNode) -> bool {
        !(pod.is_sharing() && node.gpus() <= 2)
    }

    fn score(&self, _ctx: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> i64 {
        let free_after = node.gpu_left() as i64 - pod.gpu_total() as i64;
        (free_after * 100 / 8000).clamp(0, 100)
    }
}

fn factory(_rng: SimRng) -> Box<dyn GpuScorePlugin> {
    Box::new(SpreadGpu)
}

/// Registers `SpreadGpu`, runs the fixture bench with it and two built-in policies, writes the
/// reports to `out`, and returns the mean unallocated GPU % at the end per policy.
pub fn run_example(out: &Path) -> Vec<(String, f64)> {
    let mut registry = GpuRegistry::builtin();
    registry.register("SpreadGpu", factory);
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openb/bench.yaml");
    let mut b = bench::load(&file, &registry).expect("fixture bench loads");
    b.policies = vec!["SpreadGpu".into(), "BestFit".into(), "FGD".into()];
    b.baseline = "BestFit".into();
    let runs = bench::run_all(&b, &registry, 1, &|| {});
    let prov = bench::report::Provenance {
        command: "cargo run --example bench_custom_policy".into(),
        commit: "example".into(),
    };
    bench::write_outputs(
        &b,
        &runs,
        out,
        &prov,
        "cargo run --example bench_custom_policy",
    )
    .expect("write outputs");
    b.policies
        .iter()
        .enumerate()
        .map(|(p, name)| {
            let v: Vec<f64> = runs
                .iter()
                .filter(|r| r.policy == p)
                .map(|r| {
                    100.0 - r.outcome.used_gpu_milli as f64 / (b.cluster.total_gpus() as f64 * 10.0)
                })
                .collect();
            (name.clone(), bench::stats::mean(&v))
        })
        .collect()
}

#[allow(dead_code)] // the test includes this file as a module and calls run_example
fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "results/bench/custom-policy-example".into());
    for (policy, unalloc) in run_example(Path::new(&out)) {
        println!("{policy:10} unallocated GPU at the end: {unalloc:.2} %");
    }
    println!("wrote {out}");
}
