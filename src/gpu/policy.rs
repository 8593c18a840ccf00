//! The scheduling policies of the FGD benchmark as Score plugins, and their registry.
//!
//! The trait has the shape of `scheduler::framework`'s extension points (Filter, PreScore,
//! Score, NormalizeScore, Reserve's device choice) over the GPU-sharing node model. A policy
//! is built per run by a [`GpuPolicyFactory`] (so it may keep a seeded random stream); custom
//! policies are registered by name in a [`GpuRegistry`] (docs/bench.md).

use super::frag::TypicalPods;
use super::{GPU_MILLI, GpuNode, GpuPod};
use crate::engine::rng::SimRng;
use smallvec::SmallVec;
use std::collections::BTreeMap;

/// Normalisers of DotProd and BestFit (`MaxCpu`, `MaxGpu` in the authors' code).
pub const MAX_CPU: f64 = 128_000.0;
/// See [`MAX_CPU`].
pub const MAX_GPU: f64 = 8_000.0;

/// Devices chosen for a pod on a node (indexes into [`GpuNode::left`]).
pub type Devices = SmallVec<[u8; 8]>;

/// What a policy sees besides the pod and the node.
#[derive(Clone, Copy, Debug)]
pub struct ScoreCtx<'a> {
    /// The typical pods of the original workload (FGD's target distribution).
    pub typical: &'a TypicalPods,
}

/// A scheduling policy: one Score plugin (optionally with an extra Filter) over GPU nodes.
/// Scores are integers in 0..=100; the highest wins; ties go to the node with the smallest
/// per-seed random rank (the runner iterates nodes in rank order and keeps the first maximum).
pub trait GpuScorePlugin: Send {
    /// The policy's name (as written in bench files and reports).
    fn name(&self) -> &str;

    /// A Filter beyond the built-in `NodeResourcesFit` + `Open-Gpu-Share` ones. Default: accept.
    fn filter(&self, _pod: &GpuPod, _node: &GpuNode) -> bool {
        true
    }

    /// PreScore: return `Some(i)` to pick `feasible[i]` without scoring (the Random policy).
    /// `feasible` holds node indexes in rank order.
    fn pre_score(&mut self, _pod: &GpuPod, _feasible: &[u32]) -> Option<usize> {
        None
    }

    /// Score of a feasible node (before normalisation).
    fn score(&self, ctx: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> i64;

    /// NormalizeScore over the feasible nodes' scores (in rank order). Default: none.
    fn normalize(&self, _scores: &mut [i64]) {}

    /// True if [`score`](Self::score) depends only on the node's state and the pod's
    /// [`GpuPod::shape`], so the runner may memoise it until the node changes.
    fn node_local(&self) -> bool {
        true
    }

    /// Reserve: the devices the pod takes on the chosen node. Default: best fit.
    fn select_devices(&mut self, _ctx: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> Devices {
        best_fit_devices(pod, node)
    }
}

/// Best-fit device choice: for a sharing pod the fitting device with the least free milli
/// (lowest index on ties); for whole-GPU pods the fully free devices in index order.
// Follows pkg/simulator/plugin/gpu_selection.go ("best").
pub fn best_fit_devices(pod: &GpuPod, node: &GpuNode) -> Devices {
    let mut out = Devices::new();
    if pod.num_gpu == 0 {
        return out;
    }
    if pod.is_sharing() {
        let mut best: Option<(u32, u8)> = None;
        for (i, &l) in node.left.iter().enumerate() {
            if l >= pod.milli && best.is_none_or(|(bl, _)| l < bl) {
                best = Some((l, i as u8));
            }
        }
        out.extend(best.map(|b| b.1));
    } else {
        out.extend(
            node.left
                .iter()
                .enumerate()
                .filter(|(_, l)| **l == GPU_MILLI)
                .map(|(i, _)| i as u8)
                .take(pod.num_gpu as usize),
        );
    }
    out
}

/// Random: one feasible node uniformly at random (PreScore), a random fitting device.
// Follows pkg/simulator/plugin/random_score.go.
pub struct RandomPolicy {
    rng: SimRng,
}

impl RandomPolicy {
    /// A Random policy drawing from `rng`.
    pub fn new(rng: SimRng) -> Self {
        RandomPolicy { rng }
    }
}

impl GpuScorePlugin for RandomPolicy {
    fn name(&self) -> &str {
        "Random"
    }
    fn pre_score(&mut self, _pod: &GpuPod, feasible: &[u32]) -> Option<usize> {
        Some(self.rng.below(feasible.len() as u64) as usize)
    }
    fn score(&self, _: &ScoreCtx<'_>, _: &GpuPod, _: &GpuNode) -> i64 {
        0
    }
    fn node_local(&self) -> bool {
        false
    }
    fn select_devices(&mut self, _: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> Devices {
        if !pod.is_sharing() {
            return best_fit_devices(pod, node);
        }
        // Reservoir sampling over the fitting devices.
        let mut seen = 0u64;
        let mut pick = 0u8;
        for (i, &l) in node.left.iter().enumerate() {
            if l >= pod.milli {
                seen += 1;
                if self.rng.below(seen) == 0 {
                    pick = i as u8;
                }
            }
        }
        let mut d = Devices::new();
        d.push(pick);
        d
    }
}

/// DotProd: prefers the smallest dot product of free resources and the request (CPU and
/// merged GPU dimensions, normalised by the maxima).
// Follows pkg/simulator/plugin/dot_product_score.go (-dimext merge -norm max).
pub struct DotProdPolicy;

impl GpuScorePlugin for DotProdPolicy {
    fn name(&self) -> &str {
        "DotProd"
    }
    fn score(&self, _: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> i64 {
        let cpu = (node.cpu_left as f64 / MAX_CPU) * (pod.cpu as f64 / MAX_CPU);
        let gpu = (node.gpu_left() as f64 / MAX_GPU) * (pod.gpu_total() as f64 / MAX_GPU);
        (100.0 * (1.0 - (cpu + gpu) / 2.0)) as i64
    }
}

/// GpuClustering: packs GPU pods with pods of the same kind (`share-gpu` or `k-gpu`).
// Follows pkg/simulator/plugin/gpu_clustering_score.go.
pub struct GpuClusteringPolicy;

impl GpuScorePlugin for GpuClusteringPolicy {
    fn name(&self) -> &str {
        "GpuClustering"
    }
    fn score(&self, _: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> i64 {
        if pod.num_gpu == 0 {
            return 0;
        }
        let base = 25 * (8000 - node.gpu_left() as i64) / 8000;
        let tag = pod.tag();
        base + if node.tags == 0 {
            25
        } else if node.tags == tag {
            75
        } else if node.tags & tag != 0 {
            50
        } else {
            0
        }
    }
}

/// GpuPacking: prefers partially used devices, then partially used nodes, then empty nodes
/// (small ones first).
// Follows pkg/simulator/plugin/gpu_packing_score.go.
pub struct GpuPackingPolicy;

impl GpuScorePlugin for GpuPackingPolicy {
    fn name(&self) -> &str {
        "GpuPacking"
    }
    fn score(&self, _: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> i64 {
        if pod.num_gpu == 0 {
            return 0;
        }
        let gpus = node.gpus() as i64;
        if node.gpu_left() == node.gpus() * GPU_MILLI {
            return (33 - gpus).max(gpus);
        }
        let used = best_fit_devices(pod, node);
        let full = used
            .iter()
            .filter(|&&d| node.left[d as usize] == GPU_MILLI)
            .count() as i64;
        if full > 0 {
            (50 - full).max(33)
        } else {
            let s: i64 = used
                .iter()
                .map(|&d| node.left[d as usize] as i64 * 100 / 1000)
                .sum();
            (100 - s / 10).max(50)
        }
    }
}

/// BestFit: the node left with the least free CPU and GPU (equal weights), min–max normalised.
// Follows pkg/simulator/plugin/best_fit_score.go.
pub struct BestFitPolicy;

impl GpuScorePlugin for BestFitPolicy {
    fn name(&self) -> &str {
        "BestFit"
    }
    fn score(&self, _: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> i64 {
        let cpu = 0.5 * (node.cpu_left - pod.cpu) as f64 / MAX_CPU;
        let gpu = 0.5 * (node.gpu_left() as f64 - pod.gpu_total() as f64) / MAX_GPU;
        (100.0 * (1.0 - (cpu + gpu))) as i64
    }
    fn normalize(&self, scores: &mut [i64]) {
        min_max_normalize(scores);
    }
}

/// Min–max normalisation to 0..=100 in integer arithmetic; all 0 when all are equal.
pub fn min_max_normalize(scores: &mut [i64]) {
    let (Some(&lo), Some(&hi)) = (scores.iter().min(), scores.iter().max()) else {
        return;
    };
    for s in scores.iter_mut() {
        *s = if hi == lo {
            0
        } else {
            (*s - lo) * 100 / (hi - lo)
        };
    }
}

/// FGD: the node (and device) whose placement grows the fragmentation of the typical pods
/// least: `int(100·sigmoid((F(node) − F(node after))/1000))`.
// Follows pkg/simulator/plugin/fgd_score.go (-gpusel FGD -dimext share -norm max).
pub struct FgdPolicy;

/// Sigmoid.
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl FgdPolicy {
    /// The best score and device(s) of `pod` on `node`.
    pub fn best(ctx: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> (i64, Devices) {
        let before = ctx.typical.frag_of(node);
        let cpu_after = node.cpu_left - pod.cpu;
        let score_of = |left: &[u32]| -> i64 {
            let after = ctx.typical.node_frag(cpu_after, left, node.model);
            (100.0 * sigmoid((before - after) / 1000.0)) as i64
        };
        let mut left: SmallVec<[u32; 8]> = node.left.clone();
        if pod.is_sharing() {
            let mut best: Option<(i64, u8)> = None;
            let mut tried: SmallVec<[u32; 8]> = SmallVec::new();
            for i in 0..left.len() {
                let l = left[i];
                // Devices with equal free milli give the same result: the first one stands.
                if l < pod.milli || tried.contains(&l) {
                    continue;
                }
                tried.push(l);
                left[i] = l - pod.milli;
                let s = score_of(&left);
                left[i] = l;
                if best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, i as u8));
                }
            }
            let (s, d) = best.unwrap_or((0, 0));
            let mut devs = Devices::new();
            devs.push(d);
            (s, devs)
        } else {
            let devs = best_fit_devices(pod, node);
            for &d in &devs {
                left[d as usize] -= pod.milli;
            }
            (score_of(&left), devs)
        }
    }
}

impl GpuScorePlugin for FgdPolicy {
    fn name(&self) -> &str {
        "FGD"
    }
    fn score(&self, ctx: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> i64 {
        Self::best(ctx, pod, node).0
    }
    fn select_devices(&mut self, ctx: &ScoreCtx<'_>, pod: &GpuPod, node: &GpuNode) -> Devices {
        Self::best(ctx, pod, node).1
    }
}

/// Builds a policy for one run; `rng` is the run's scheduler stream (seeded per seed).
pub type GpuPolicyFactory = fn(rng: SimRng) -> Box<dyn GpuScorePlugin>;

/// Policies by name: the six built-in ones plus any registered.
#[derive(Clone)]
pub struct GpuRegistry {
    factories: BTreeMap<String, GpuPolicyFactory>,
}

impl Default for GpuRegistry {
    fn default() -> Self {
        Self::builtin()
    }
}

impl GpuRegistry {
    /// The six policies of the FGD paper.
    pub fn builtin() -> Self {
        let mut r = GpuRegistry {
            factories: BTreeMap::new(),
        };
        r.register("Random", |rng| Box::new(RandomPolicy::new(rng)));
        r.register("DotProd", |_| Box::new(DotProdPolicy));
        r.register("GpuClustering", |_| Box::new(GpuClusteringPolicy));
        r.register("GpuPacking", |_| Box::new(GpuPackingPolicy));
        r.register("BestFit", |_| Box::new(BestFitPolicy));
        r.register("FGD", |_| Box::new(FgdPolicy));
        r
    }

    /// Adds (or replaces) a policy.
    pub fn register(&mut self, name: &str, factory: GpuPolicyFactory) {
        self.factories.insert(name.to_string(), factory);
    }

    /// The factory of `name`.
    pub fn get(&self, name: &str) -> Option<GpuPolicyFactory> {
        self.factories.get(name).copied()
    }

    /// Registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.factories.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::frag::TypicalPod;

    fn node(cpu_left: i64, left: &[u32]) -> GpuNode {
        let mut n = GpuNode::new("n", 64_000, 1 << 20, left.len() as u32, 0);
        n.cpu_left = cpu_left;
        n.left = left.iter().copied().collect();
        n
    }

    fn pod(cpu: i64, n: u32, m: u32) -> GpuPod {
        GpuPod {
            name: "p".into(),
            cpu,
            mem_mib: 0,
            num_gpu: n,
            milli: m,
            spec: 0,
        }
    }

    fn ctx_typical() -> TypicalPods {
        TypicalPods {
            pods: vec![
                TypicalPod {
                    cpu: 4000,
                    num_gpu: 1,
                    milli: 500,
                    spec: 0,
                    freq: 0.5,
                },
                TypicalPod {
                    cpu: 4000,
                    num_gpu: 1,
                    milli: 1000,
                    spec: 0,
                    freq: 0.5,
                },
            ],
            distinct: 2,
            coverage: 1.0,
        }
    }

    #[test]
    fn dotprod_and_bestfit_hand_computed() {
        let t = ctx_typical();
        let ctx = ScoreCtx { typical: &t };
        // left_cpu 64000, L = 2000 of 2 GPUs, pod 32000 mCPU, 1×1000:
        // dot = 0.5·0.25 + 0.25·0.125 = 0.15625; 100·(1 − 0.078125) = 92.19 → 92.
        let n = node(64_000, &[1000, 1000]);
        assert_eq!(DotProdPolicy.score(&ctx, &pod(32_000, 1, 1000), &n), 92);
        // BestFit: 0.5·32000/128000 + 0.5·1000/8000 = 0.125 + 0.0625 → 81.25 → 81.
        assert_eq!(BestFitPolicy.score(&ctx, &pod(32_000, 1, 1000), &n), 81);
        let mut s = vec![81, 90, 85, 81];
        BestFitPolicy.normalize(&mut s);
        assert_eq!(s, vec![0, 100, 44, 0]);
        let mut same = vec![7, 7];
        min_max_normalize(&mut same);
        assert_eq!(same, vec![0, 0]);
    }

    #[test]
    fn clustering_and_packing_hand_computed() {
        let t = ctx_typical();
        let ctx = ScoreCtx { typical: &t };
        let share = pod(1000, 1, 300);
        let mut n = node(64_000, &[1000, 1000, 1000, 1000]);
        // Empty node: base = 25·(8000−4000)/8000 = 12, +25 for no GPU pods.
        assert_eq!(GpuClusteringPolicy.score(&ctx, &share, &n), 37);
        n.place(&share, &[0]);
        // Only share pods now: base = 25·(8000−3700)/8000 = 13, +75.
        assert_eq!(GpuClusteringPolicy.score(&ctx, &share, &n), 88);
        // A 1-GPU whole pod sees only other tags: 13 + 0.
        assert_eq!(GpuClusteringPolicy.score(&ctx, &pod(1000, 1, 1000), &n), 13);
        assert_eq!(GpuClusteringPolicy.score(&ctx, &pod(1000, 0, 0), &n), 0);
        // GpuPacking: empty 4-GPU node: max(33−4, 4) = 29.
        let empty = node(64_000, &[1000, 1000, 1000, 1000]);
        assert_eq!(GpuPackingPolicy.score(&ctx, &share, &empty), 29);
        // The share pod fits device 0 (left 700): 100 − (700·100/1000)/10 = 93.
        assert_eq!(GpuPackingPolicy.score(&ctx, &share, &n), 93);
        // A 2-GPU pod takes 2 fully free devices: max(50 − 2, 33) = 48.
        assert_eq!(GpuPackingPolicy.score(&ctx, &pod(1000, 2, 1000), &n), 48);
    }

    #[test]
    fn fgd_hand_computed_and_device_choice() {
        let t = ctx_typical();
        let ctx = ScoreCtx { typical: &t };
        // Node with devices left 1000 and 600, plenty of CPU. F = 0.5·0 + 0.5·600 = 300.
        let n = node(64_000, &[1000, 600]);
        assert_eq!(t.frag_of(&n), 300.0);
        // A 1×500 pod on device 1 leaves [1000, 100]: F = 0.5·100 + 0.5·100 = 100; Δ = 200,
        // 100·sigmoid(0.2) = 54.98 → 54. On device 0: [500, 600]: F = 0 + 0.5·1100 = 550;
        // Δ = −250 → 100·sigmoid(−0.25) = 43.78 → 43. So device 1, score 54.
        let (s, d) = FgdPolicy::best(&ctx, &pod(1000, 1, 500), &n);
        assert_eq!((s, d.as_slice()), (54, &[1u8][..]));
        // A CPU-only pod that leaves too little CPU for the typical pods: F after = 0.5·1600 +
        // 0.5·1600 = 1600; Δ = −1300 → 100·sigmoid(−1.3) = 21.42 → 21.
        assert_eq!(FgdPolicy.score(&ctx, &pod(61_000, 0, 0), &n), 21);
    }

    #[test]
    fn gpu_sharing_fit_rules() {
        let n = node(64_000, &[1000, 400, 1000]);
        assert!(n.fits(&pod(1000, 1, 400)));
        assert!(!node(64_000, &[400, 300]).fits(&pod(1000, 1, 401)));
        assert!(n.fits(&pod(1000, 2, 1000)));
        assert!(!n.fits(&pod(1000, 3, 1000))); // device 1 is not fully free
        assert!(!n.fits(&pod(65_000, 0, 0)));
        let mut spec = pod(1000, 1, 100);
        spec.spec = 0b10;
        assert!(!n.fits(&spec)); // model 0 not allowed
        assert_eq!(best_fit_devices(&pod(1, 1, 300), &n).as_slice(), &[1]);
        assert_eq!(best_fit_devices(&pod(1, 2, 1000), &n).as_slice(), &[0, 2]);
        let cpu_only_node = node(64_000, &[]);
        assert!(!cpu_only_node.fits(&pod(1000, 1, 100)));
    }
}
