//! Typical pods and the FGD fragmentation measure of a node (milli-GPU that the typical pods
//! could not use), the quantity FGD minimises and Fig. 7 plots.
// Follows pkg/utils/frag.go (NodeGpuFragAmount*, "origin" variant) and
// pkg/simulator/analysis.go (typical pods: podPopularityThreshold=95, isInvolvedCpuPods=true).

use super::{GpuNode, GpuPod};
use std::collections::BTreeMap;

/// One typical pod: its score-relevant shape and its renormalised frequency.
#[derive(Clone, Debug, PartialEq)]
pub struct TypicalPod {
    /// CPU request, millicores.
    pub cpu: i64,
    /// GPUs.
    pub num_gpu: u32,
    /// Milli-GPU per GPU.
    pub milli: u32,
    /// Allowed models (0 = any).
    pub spec: u32,
    /// Frequency; the set sums to 1.
    pub freq: f64,
}

/// The typical-pod distribution, computed from the original (untuned) pod list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypicalPods {
    /// Pods by descending count.
    pub pods: Vec<TypicalPod>,
    /// Number of distinct keys in the list.
    pub distinct: usize,
    /// Share of all pods the selected keys cover (before renormalisation), 0..=1.
    pub coverage: f64,
}

impl TypicalPods {
    /// Key = (cpu, milli per GPU, num_gpu, model constraint), memory excluded; keys by count
    /// descending (ties: key descending), taken until their cumulative count reaches
    /// `threshold_pct` % of all pods.
    pub fn from_pods(pods: &[GpuPod], threshold_pct: u32) -> Self {
        let mut counts: BTreeMap<(i64, u32, u32, u32), u64> = BTreeMap::new();
        for p in pods {
            *counts
                .entry((p.cpu, p.milli, p.num_gpu, p.spec))
                .or_default() += 1;
        }
        let distinct = counts.len();
        let mut keys: Vec<_> = counts.into_iter().collect();
        keys.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        let total = pods.len() as u64;
        let mut taken = Vec::new();
        let mut cum = 0u64;
        for (k, c) in keys {
            if total > 0 && cum * 100 >= total * threshold_pct as u64 {
                break;
            }
            cum += c;
            taken.push((k, c));
        }
        let pods = taken
            .iter()
            .map(|&((cpu, milli, num_gpu, spec), c)| TypicalPod {
                cpu,
                num_gpu,
                milli,
                spec,
                freq: c as f64 / cum as f64,
            })
            .collect();
        TypicalPods {
            pods,
            distinct,
            coverage: if total == 0 {
                0.0
            } else {
                cum as f64 / total as f64
            },
        }
    }

    /// F(node): Σ_p f_p · (milli-GPU of the node that typical pod p cannot use), given the
    /// node's free CPU `cpu_left` and free milli per device `left` (the node's model is `model`).
    pub fn node_frag(&self, cpu_left: i64, left: &[u32], model: u8) -> f64 {
        let idle: u32 = left.iter().sum();
        if idle == 0 {
            return 0.0;
        }
        let mut frag = 0.0;
        for p in &self.pods {
            let counted = if p.num_gpu == 0 {
                // XL / XR: a CPU-only pod leaves every idle GPU unused.
                idle
            } else if p.spec != 0 && p.spec & (1u32 << model) == 0 {
                idle // NoAccess
            } else {
                let mut fit = 0u32;
                let mut below = 0u32;
                for &l in left {
                    if l >= p.milli {
                        fit += 1;
                    } else {
                        below += l;
                    }
                }
                if fit >= p.num_gpu && cpu_left >= p.cpu {
                    below // Q3: only the devices too small for p count
                } else {
                    idle // Q1, Q2, Q4
                }
            };
            frag += p.freq * counted as f64;
        }
        frag
    }

    /// F of a node as it is.
    pub fn frag_of(&self, n: &GpuNode) -> f64 {
        self.node_frag(n.cpu_left, &n.left, n.model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(cpu: i64, n: u32, m: u32) -> GpuPod {
        GpuPod {
            name: String::new(),
            cpu,
            mem_mib: 0,
            num_gpu: n,
            milli: m,
            spec: 0,
        }
    }

    #[test]
    fn typical_pods_take_the_most_common_keys_to_the_threshold() {
        let mut pods = vec![pod(1000, 1, 500); 6];
        pods.extend(vec![pod(2000, 1, 1000); 3]);
        pods.push(pod(4000, 0, 0));
        let t = TypicalPods::from_pods(&pods, 90);
        assert_eq!(t.distinct, 3);
        assert_eq!(t.pods.len(), 2); // 6 + 3 = 90 %
        assert!((t.pods[0].freq - 6.0 / 9.0).abs() < 1e-12);
        assert!((t.coverage - 0.9).abs() < 1e-12);
    }

    #[test]
    fn hand_computed_fragmentation() {
        // Typical pods: half are 1×500 mGPU (2 CPU), half CPU-only.
        let t = TypicalPods {
            pods: vec![
                TypicalPod {
                    cpu: 2000,
                    num_gpu: 1,
                    milli: 500,
                    spec: 0,
                    freq: 0.5,
                },
                TypicalPod {
                    cpu: 1000,
                    num_gpu: 0,
                    milli: 0,
                    spec: 0,
                    freq: 0.5,
                },
            ],
            distinct: 2,
            coverage: 1.0,
        };
        // Devices left 1000, 300: the 500-pod can use device 0 (Q3) so only 300 counts for it;
        // the CPU-only pod counts all 1300. F = 0.5·300 + 0.5·1300 = 800.
        assert_eq!(t.node_frag(8000, &[1000, 300], 0), 800.0);
        // Without CPU for the GPU pod (Q4) all idle counts for it: 0.5·1300 + 0.5·1300.
        assert_eq!(t.node_frag(1500, &[1000, 300], 0), 1300.0);
        // A model constraint the node does not meet counts all idle (NoAccess).
        let mut t2 = t.clone();
        t2.pods[0].spec = 0b10;
        assert_eq!(t2.node_frag(8000, &[1000, 300], 0), 1300.0);
        assert_eq!(t2.node_frag(8000, &[1000, 300], 1), 800.0);
        // No idle GPU: no fragment.
        assert_eq!(t.node_frag(8000, &[0, 0], 0), 0.0);
    }
}
