//! One run of the FGD procedure: shuffle, inflate the workload to `tune` × GPU capacity,
//! rank nodes at random, schedule every pod once in order (no queue, no retry, no departure),
//! and record allocation and fragmentation after every pod.
// Follows pkg/simulator/core.go (Simulate, SchedulePods), pkg/utils/utils.go
// (TunePodsByNodeTotalResource) and experiments/analysis/merge_alloc_discrete.py.

use super::frag::TypicalPods;
use super::policy::{GpuPolicyFactory, ScoreCtx};
use super::{GpuCluster, GpuPod};
use crate::engine::rng::{RngStreams, SimRng, StreamId};
use std::collections::BTreeMap;

/// Highest arrived % reported in curves (the paper's x axis is 0..=130).
pub const CURVE_MAX: usize = 130;

/// Stream instance ids (under `StreamId::WORKLOAD` / `StreamId::SCHEDULER`) of this procedure.
const ARRIVALS: u32 = 0x0B00;
const NODE_RANKS: u32 = 0x0B01;
const POLICY: u32 = 0x0B02;

/// How to run the procedure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Procedure {
    /// Inflate (or trim) the arrived GPU request to this multiple of the GPU capacity
    /// (`None`: schedule the list as is).
    pub tune: Option<f64>,
    /// Shuffle the pods before tuning.
    pub shuffle: bool,
    /// Typical-pod popularity threshold, % (95 in the paper).
    pub typical_pct: u32,
}

impl Default for Procedure {
    fn default() -> Self {
        Procedure {
            tune: Some(1.3),
            shuffle: true,
            typical_pct: 95,
        }
    }
}

/// The arrival order of one seed: indexes into the original pod list (clones repeat an
/// index). Independent of the policy, so paired runs see identical arrivals.
pub fn arrivals(pods: &[GpuPod], total_gpus: u64, proc_: &Procedure, seed: u64) -> Vec<u32> {
    let mut rng = RngStreams::new(seed).stream(StreamId::new(StreamId::WORKLOAD, ARRIVALS));
    let mut order: Vec<u32> = (0..pods.len() as u32).collect();
    if proc_.shuffle {
        shuffle(&mut order, &mut rng);
    }
    let Some(tune) = proc_.tune else {
        return order;
    };
    if pods.is_empty() {
        return order;
    }
    let target = (tune * total_gpus as f64 * 1000.0).round() as u64;
    let mut total: u64 = pods.iter().map(GpuPod::gpu_total).sum();
    if total < target {
        if !pods.iter().any(|p| p.milli > 0) {
            return order; // nothing could ever reach the target
        }
        loop {
            let i = rng.below(pods.len() as u64) as u32;
            let p = &pods[i as usize];
            // The stop test uses the per-GPU milli, not num_gpu × milli (upstream's quirk).
            if p.milli > 0 && total + p.milli as u64 > target {
                break;
            }
            total += p.gpu_total();
            order.push(i);
        }
    } else {
        while total > target && !order.is_empty() {
            let k = rng.below(order.len() as u64) as usize;
            let i = order.remove(k);
            total -= pods[i as usize].gpu_total();
        }
    }
    order
}

/// Fisher–Yates over `v`.
pub fn shuffle<T>(v: &mut [T], rng: &mut SimRng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// What one run measured. Every field is deterministic in (cluster, pods, policy, seed).
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutcome {
    /// Pods that arrived (originals kept plus clones).
    pub arrived: u64,
    /// Pods placed.
    pub placed: u64,
    /// Pods that fit no node (dropped; still counted as arrived).
    pub failed: u64,
    /// GPU pods that failed.
    pub failed_gpu: u64,
    /// Σ arrived milli-GPU.
    pub arrived_gpu_milli: u64,
    /// Σ allocated milli-GPU at the end.
    pub used_gpu_milli: u64,
    /// Allocated CPU at the end, % of capacity.
    pub cpu_alloc_pct: f64,
    /// Allocated memory at the end, % of capacity.
    pub mem_alloc_pct: f64,
    /// Nodes with at least one pod.
    pub nodes_used: u64,
    /// Fragmented milli-GPU at the end (FGD measure), % of the GPU capacity.
    pub frag_pct: f64,
    /// Arrived GPU request (% of capacity) when the first GPU pod failed.
    pub first_fail_arrived_pct: Option<f64>,
    /// GPU allocation % per arrived % 0..=130 (`merge_alloc_discrete.py`); NaN where undefined.
    pub alloc_curve: Vec<f64>,
    /// Fragmented milli-GPU, % of capacity, per arrived % 0..=130.
    pub frag_curve: Vec<f64>,
    /// Allocated CPU, % of the cluster's CPU, per arrived (GPU) % 0..=130, bucketed and rounded
    /// as `alloc_curve`; NaN where undefined.
    pub cpu_curve: Vec<f64>,
    /// Allocated memory, % of the cluster's memory, per arrived (GPU) % 0..=130, as `cpu_curve`.
    pub mem_curve: Vec<f64>,
    /// FNV-1a hash of the arrival sequence (pod index per arrival).
    pub arrivals_hash: u64,
}

impl RunOutcome {
    /// Unallocated GPU % at arrived `x` % (100 − allocation), NaN where undefined.
    pub fn unalloc_at(&self, x: usize) -> f64 {
        100.0 - self.alloc_curve.get(x).copied().unwrap_or(f64::NAN)
    }

    /// The first arrived % x at which allocation < x − 1 (the "knee" proxy of the reference).
    pub fn knee(&self) -> Option<usize> {
        (0..self.alloc_curve.len()).find(|&x| self.alloc_curve[x] < x as f64 - 1.0)
    }
}

/// Python's `round(v)` (half to even) for the arrived-% bucket.
fn round_half_even(v: f64) -> f64 {
    let r = v.round();
    if (v - v.trunc()).abs() == 0.5 {
        2.0 * (v / 2.0).round()
    } else {
        r
    }
}

fn fnv(h: u64, x: u64) -> u64 {
    let mut h = h;
    for b in x.to_le_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Runs the procedure for one policy and seed. `typical` must come from the original list.
pub fn run(
    cluster: &GpuCluster,
    pods: &[GpuPod],
    typical: &TypicalPods,
    factory: GpuPolicyFactory,
    proc_: &Procedure,
    seed: u64,
) -> RunOutcome {
    let streams = RngStreams::new(seed);
    let total_gpus = cluster.total_gpus();
    let order = arrivals(pods, total_gpus, proc_, seed);
    // Node i (name order) gets rank perm[i]; the scheduler breaks ties by the smallest rank, so
    // keeping the nodes in rank order makes "first maximum" the tie-break.
    let mut perm: Vec<u32> = (0..cluster.nodes.len() as u32).collect();
    shuffle(
        &mut perm,
        &mut streams.stream(StreamId::new(StreamId::WORKLOAD, NODE_RANKS)),
    );
    let mut nodes = vec![None; cluster.nodes.len()];
    for (i, &r) in perm.iter().enumerate() {
        nodes[r as usize] = Some(cluster.nodes[i].clone());
    }
    let mut nodes: Vec<_> = nodes.into_iter().map(|n| n.expect("perm")).collect();

    let mut policy = factory(streams.stream(StreamId::new(StreamId::SCHEDULER, POLICY)));
    let ctx = ScoreCtx { typical };
    let node_local = policy.node_local();

    // Memo of scores per (node, pod shape), valid while the node's generation is unchanged.
    let mut shape_ids: BTreeMap<(i64, u32, u32, u32), u32> = BTreeMap::new();
    let pod_shape: Vec<u32> = pods
        .iter()
        .map(|p| {
            let n = shape_ids.len() as u32;
            *shape_ids.entry(p.shape()).or_insert(n)
        })
        .collect();
    let shapes = shape_ids.len().max(1);
    let mut memo: Vec<(u32, i64)> = vec![(0, 0); nodes.len() * shapes];
    let mut node_gen: Vec<u32> = vec![1; nodes.len()];

    let cap = (total_gpus * 1000) as f64;
    let mut frag: Vec<f64> = nodes.iter().map(|n| typical.frag_of(n)).collect();
    let mut frag_total: f64 = frag.iter().sum();
    let buckets = CURVE_MAX + 3;
    let mut alloc_sum = vec![0.0f64; buckets];
    let mut frag_sum = vec![0.0f64; buckets];
    let mut cpu_sum = vec![0.0f64; buckets];
    let mut mem_sum = vec![0.0f64; buckets];
    let cpu_cap = cluster.total_cpu().max(1) as f64;
    let mem_cap = cluster.total_mem_mib().max(1) as f64;
    let (mut cpu_used, mut mem_used): (i64, i64) = (0, 0);
    let mut count = vec![0u64; buckets];

    let mut feasible: Vec<u32> = Vec::with_capacity(nodes.len());
    let mut scores: Vec<i64> = Vec::with_capacity(nodes.len());
    let mut out = RunOutcome {
        arrived: 0,
        placed: 0,
        failed: 0,
        failed_gpu: 0,
        arrived_gpu_milli: 0,
        used_gpu_milli: 0,
        cpu_alloc_pct: 0.0,
        mem_alloc_pct: 0.0,
        nodes_used: 0,
        frag_pct: 0.0,
        first_fail_arrived_pct: None,
        alloc_curve: Vec::new(),
        frag_curve: Vec::new(),
        cpu_curve: Vec::new(),
        mem_curve: Vec::new(),
        arrivals_hash: 0xcbf2_9ce4_8422_2325,
    };
    let mut used: u64 = 0;
    for &pi in &order {
        let pod = &pods[pi as usize];
        out.arrivals_hash = fnv(out.arrivals_hash, pi as u64);
        out.arrived += 1;
        out.arrived_gpu_milli += pod.gpu_total();
        feasible.clear();
        for (i, n) in nodes.iter().enumerate() {
            if n.fits(pod) && policy.filter(pod, n) {
                feasible.push(i as u32);
            }
        }
        if feasible.is_empty() {
            out.failed += 1;
            if pod.num_gpu > 0 {
                out.failed_gpu += 1;
                if out.first_fail_arrived_pct.is_none() {
                    out.first_fail_arrived_pct = Some(out.arrived_gpu_milli as f64 / cap * 100.0);
                }
            }
        } else {
            let chosen = match policy.pre_score(pod, &feasible) {
                Some(k) => feasible[k] as usize,
                None => {
                    scores.clear();
                    let shape = pod_shape[pi as usize] as usize;
                    for &i in &feasible {
                        let i = i as usize;
                        let s = if node_local {
                            let slot = &mut memo[i * shapes + shape];
                            if slot.0 != node_gen[i] {
                                *slot = (node_gen[i], policy.score(&ctx, pod, &nodes[i]));
                            }
                            slot.1
                        } else {
                            policy.score(&ctx, pod, &nodes[i])
                        };
                        scores.push(s);
                    }
                    policy.normalize(&mut scores);
                    let mut best = 0;
                    for k in 1..scores.len() {
                        if scores[k] > scores[best] {
                            best = k;
                        }
                    }
                    feasible[best] as usize
                }
            };
            let devices = policy.select_devices(&ctx, pod, &nodes[chosen]);
            debug_assert_eq!(devices.len() as u32, pod.num_gpu);
            let n = &mut nodes[chosen];
            n.place(pod, &devices);
            node_gen[chosen] = node_gen[chosen].wrapping_add(1).max(1);
            used += pod.gpu_total();
            cpu_used += pod.cpu;
            mem_used += pod.mem_mib;
            let f = typical.frag_of(n);
            frag_total += f - frag[chosen];
            frag[chosen] = f;
            out.placed += 1;
        }
        let x = round_half_even(out.arrived_gpu_milli as f64 / cap * 100.0);
        if x >= 0.0 && (x as usize) < buckets {
            let x = x as usize;
            alloc_sum[x] += (used as f64 / cap * 100.0 * 100.0).round() / 100.0;
            frag_sum[x] += (frag_total / cap * 100.0 * 100.0).round() / 100.0;
            cpu_sum[x] += (cpu_used as f64 / cpu_cap * 100.0 * 100.0).round() / 100.0;
            mem_sum[x] += (mem_used as f64 / mem_cap * 100.0 * 100.0).round() / 100.0;
            count[x] += 1;
        }
    }
    let curve = |sum: &[f64]| -> Vec<f64> {
        (0..=CURVE_MAX)
            .map(|x| {
                if count[x] > 0 {
                    sum[x] / count[x] as f64
                } else {
                    let lo = x.checked_sub(1);
                    let (mut s, mut c) = (0.0, 0u64);
                    for y in lo.into_iter().chain(std::iter::once(x + 1)) {
                        s += sum[y];
                        c += count[y];
                    }
                    if c > 0 { s / c as f64 } else { f64::NAN }
                }
            })
            .collect()
    };
    out.alloc_curve = curve(&alloc_sum);
    out.frag_curve = curve(&frag_sum);
    out.cpu_curve = curve(&cpu_sum);
    out.mem_curve = curve(&mem_sum);
    out.used_gpu_milli = used;
    let (cpu_end, mem_end): (i64, i64) = nodes
        .iter()
        .map(|n| (n.cpu - n.cpu_left, n.mem_mib - n.mem_left))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    debug_assert_eq!((cpu_end, mem_end), (cpu_used, mem_used));
    out.cpu_alloc_pct = cpu_end as f64 / cpu_cap * 100.0;
    out.mem_alloc_pct = mem_end as f64 / mem_cap * 100.0;
    out.nodes_used = nodes.iter().filter(|n| n.pods > 0).count() as u64;
    out.frag_pct = frag.iter().sum::<f64>() / cap * 100.0;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::policy::{GpuRegistry, GpuScorePlugin};
    use crate::gpu::{GpuNode, ModelTable};

    fn pod(name: &str, cpu: i64, n: u32, m: u32) -> GpuPod {
        GpuPod {
            name: name.into(),
            cpu,
            mem_mib: 0,
            num_gpu: n,
            milli: m,
            spec: 0,
        }
    }

    fn cluster(n: usize) -> GpuCluster {
        GpuCluster {
            nodes: (0..n)
                .map(|i| GpuNode::new(&format!("n{i:02}"), 32_000, 65_536, 4, 0))
                .collect(),
            models: ModelTable {
                names: vec!["T4".into()],
            },
        }
    }

    #[test]
    fn tuning_inflates_by_appending_clones_and_trims_by_removing() {
        let pods: Vec<GpuPod> = (0..10)
            .map(|i| pod(&format!("p{i}"), 1000, 1, 500))
            .collect();
        // 10 × 500 = 5,000 milli; 4 GPUs × 1.3 = 5,200: room for no clone (the next 500 would pass).
        let p = Procedure {
            tune: Some(1.3),
            shuffle: true,
            typical_pct: 95,
        };
        let a = arrivals(&pods, 4, &p, 1);
        assert_eq!(a.len(), 10);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            (0..10).collect::<Vec<u32>>(),
            "a permutation of the originals"
        );
        // Capacity 8 GPUs → target 10,400: 10 clones appended after the originals.
        let a = arrivals(&pods, 8, &p, 1);
        assert_eq!(a.len(), 20);
        // Capacity 2 GPUs → target 2,600: trimmed to 5 pods (2,500).
        let a = arrivals(&pods, 2, &p, 1);
        assert_eq!(a.len(), 5);
    }

    struct Unmemoised(Box<dyn GpuScorePlugin>);
    impl GpuScorePlugin for Unmemoised {
        fn name(&self) -> &str {
            self.0.name()
        }
        fn score(&self, c: &ScoreCtx<'_>, p: &GpuPod, n: &GpuNode) -> i64 {
            self.0.score(c, p, n)
        }
        fn normalize(&self, s: &mut [i64]) {
            self.0.normalize(s)
        }
        fn node_local(&self) -> bool {
            false
        }
        fn select_devices(
            &mut self,
            c: &ScoreCtx<'_>,
            p: &GpuPod,
            n: &GpuNode,
        ) -> crate::gpu::policy::Devices {
            self.0.select_devices(c, p, n)
        }
    }

    #[test]
    fn memoised_scores_give_the_same_runs_and_ties_go_to_the_lowest_rank() {
        let c = cluster(12);
        let shapes = [
            (2000, 1, 300),
            (4000, 1, 1000),
            (1000, 0, 0),
            (8000, 2, 1000),
            (3000, 1, 650),
        ];
        let pods: Vec<GpuPod> = (0..80)
            .map(|i| {
                let (cpu, n, m) = shapes[i % shapes.len()];
                pod(&format!("p{i:03}"), cpu, n, m)
            })
            .collect();
        let t = TypicalPods::from_pods(&pods, 95);
        let reg = GpuRegistry::builtin();
        fn fgd_plain(_: SimRng) -> Box<dyn GpuScorePlugin> {
            Box::new(Unmemoised(Box::new(crate::gpu::policy::FgdPolicy)))
        }
        fn bestfit_plain(_: SimRng) -> Box<dyn GpuScorePlugin> {
            Box::new(Unmemoised(Box::new(crate::gpu::policy::BestFitPolicy)))
        }
        let p = Procedure::default();
        for seed in [1, 2] {
            // Debug strings: the curves hold NaN where no event fell, and NaN != NaN.
            let same = |a: RunOutcome, b: RunOutcome| format!("{a:?}") == format!("{b:?}");
            assert!(same(
                run(&c, &pods, &t, reg.get("FGD").unwrap(), &p, seed),
                run(&c, &pods, &t, fgd_plain, &p, seed)
            ));
            assert!(same(
                run(&c, &pods, &t, reg.get("BestFit").unwrap(), &p, seed),
                run(&c, &pods, &t, bestfit_plain, &p, seed)
            ));
        }
        // GpuPacking scores CPU-only pods 0 everywhere: with ties broken by the fixed node rank
        // they all land on the same (rank-0) node; Random spreads them.
        let cpu_pods: Vec<GpuPod> = (0..6).map(|i| pod(&format!("c{i}"), 1000, 0, 0)).collect();
        let np = Procedure {
            tune: None,
            shuffle: false,
            typical_pct: 95,
        };
        let tp = TypicalPods::from_pods(&cpu_pods, 95);
        for seed in [3, 5] {
            let o = run(
                &c,
                &cpu_pods,
                &tp,
                reg.get("GpuPacking").unwrap(),
                &np,
                seed,
            );
            assert_eq!((o.placed, o.nodes_used), (6, 1));
            let r = run(&c, &cpu_pods, &tp, reg.get("Random").unwrap(), &np, seed);
            assert!(r.nodes_used > 1);
        }
    }
}
