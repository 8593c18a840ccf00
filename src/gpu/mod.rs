//! GPU-sharing clusters and the FGD benchmark (ATC'23, Weng et al.) on Alibaba's openb trace.
//!
//! A fast path next to the full scheduler: nodes carry per-device milli-GPU accounting
//! ([`GpuNode::left`]), pods ask for `num_gpu × gpu_milli` with optional GPU-model constraints,
//! and the six policies of the paper are Score plugins ([`policy::GpuScorePlugin`]) in the
//! shape of `scheduler::framework` (filter / score / normalize, integer scores 0..=100,
//! highest wins, ties broken by a fixed per-seed random node rank). See docs/bench.md for why
//! this path does not go through the Store-backed scheduler (speed: 1,020 runs of ~11k pods ×
//! 1,213 nodes each).
//!
//! Follows `hkust-adsl/kubernetes-scheduler-simulator` (`pkg/simulator/core.go`,
//! `pkg/simulator/plugin/*.go`, `pkg/utils/frag.go`) as described in
//! `shared/reference/fgd-reproduction.md`.

pub mod frag;
pub mod openb;
pub mod policy;
pub mod run;

use smallvec::SmallVec;

/// Milli-GPU of one whole device.
pub const GPU_MILLI: u32 = 1000;
/// Upper bound of pods per node (`pods: 1001` in the authors' node YAML).
pub const MAX_PODS_PER_NODE: u32 = 1001;

/// The GPU models of a cluster, interned to bit positions (at most 31 models; bit 31 means "a model no node has").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelTable {
    /// Model names; the index is the bit.
    pub names: Vec<String>,
}

impl ModelTable {
    /// The bit index of `name`, adding it if new. `None` past 31 models.
    pub fn intern(&mut self, name: &str) -> Option<u8> {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return Some(i as u8);
        }
        if self.names.len() >= 31 {
            return None;
        }
        self.names.push(name.to_string());
        Some((self.names.len() - 1) as u8)
    }

    /// The bit index of a known model.
    pub fn find(&self, name: &str) -> Option<u8> {
        self.names.iter().position(|n| n == name).map(|i| i as u8)
    }
}

/// A node of a GPU-sharing cluster: capacity and what is left, per device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuNode {
    /// Name (the trace's `sn`).
    pub name: String,
    /// Allocatable CPU, millicores.
    pub cpu: i64,
    /// Allocatable memory, MiB.
    pub mem_mib: i64,
    /// GPU model bit (see [`ModelTable`]); meaningless without GPUs.
    pub model: u8,
    /// Free CPU, millicores.
    pub cpu_left: i64,
    /// Free memory, MiB.
    pub mem_left: i64,
    /// Free milli-GPU of each device (0..=1000), in device index order.
    pub left: SmallVec<[u32; 8]>,
    /// Pods bound.
    pub pods: u32,
    /// GpuClustering's tags of the GPU pods on the node (bit per tag, see [`GpuPod::tag`]).
    pub tags: u8,
}

impl GpuNode {
    /// An empty node.
    pub fn new(name: &str, cpu: i64, mem_mib: i64, gpus: u32, model: u8) -> Self {
        GpuNode {
            name: name.to_string(),
            cpu,
            mem_mib,
            model,
            cpu_left: cpu,
            mem_left: mem_mib,
            left: (0..gpus).map(|_| GPU_MILLI).collect(),
            pods: 0,
            tags: 0,
        }
    }

    /// Number of devices.
    pub fn gpus(&self) -> u32 {
        self.left.len() as u32
    }

    /// Σ free milli-GPU.
    pub fn gpu_left(&self) -> u32 {
        self.left.iter().sum()
    }

    /// Milli-GPU in use.
    pub fn gpu_used(&self) -> u32 {
        self.gpus() * GPU_MILLI - self.gpu_left()
    }

    /// Whether the pod's GPU-model constraint allows this node's model.
    pub fn model_allowed(&self, pod: &GpuPod) -> bool {
        pod.spec == 0 || pod.spec & (1u32 << self.model) != 0
    }

    /// `NodeResourcesFit` (CPU, memory, pod count) and `Open-Gpu-Share` (model, devices).
    // Follows pkg/simulator/plugin/open_gpu_share.go (Filter) and k8s NodeResourcesFit.
    pub fn fits(&self, pod: &GpuPod) -> bool {
        if self.cpu_left < pod.cpu || self.mem_left < pod.mem_mib || self.pods >= MAX_PODS_PER_NODE
        {
            return false;
        }
        if pod.num_gpu == 0 {
            return true;
        }
        if self.left.is_empty() || !self.model_allowed(pod) {
            return false;
        }
        if pod.is_sharing() {
            self.left.iter().any(|&l| l >= pod.milli)
        } else {
            self.left.iter().filter(|&&l| l == GPU_MILLI).count() as u32 >= pod.num_gpu
        }
    }

    /// Takes the pod's resources, its GPU share from `devices` (indexes into `left`).
    pub fn place(&mut self, pod: &GpuPod, devices: &[u8]) {
        self.cpu_left -= pod.cpu;
        self.mem_left -= pod.mem_mib;
        self.pods += 1;
        for &d in devices {
            let l = &mut self.left[d as usize];
            debug_assert!(*l >= pod.milli);
            *l -= pod.milli;
        }
        if pod.num_gpu > 0 {
            self.tags |= pod.tag();
        }
    }
}

/// A pod of a GPU-sharing workload (no times: the FGD experiments only add pods).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuPod {
    /// Name.
    pub name: String,
    /// CPU request, millicores.
    pub cpu: i64,
    /// Memory request, MiB.
    pub mem_mib: i64,
    /// GPUs requested (0 for CPU-only pods).
    pub num_gpu: u32,
    /// Milli-GPU per GPU (0..=1000).
    pub milli: u32,
    /// Allowed GPU models as a bit set over [`ModelTable`]; 0 = any.
    pub spec: u32,
}

impl GpuPod {
    /// Total milli-GPU requested.
    pub fn gpu_total(&self) -> u64 {
        self.num_gpu as u64 * self.milli as u64
    }

    /// A GPU-sharing pod: one GPU, less than a whole device.
    pub fn is_sharing(&self) -> bool {
        self.num_gpu == 1 && self.milli < GPU_MILLI
    }

    /// GpuClustering's tag bit: `share-gpu` (bit 0) or `k-gpu` (bit 1 + log2-ish slot of k).
    pub fn tag(&self) -> u8 {
        if self.num_gpu == 0 {
            0
        } else if self.is_sharing() {
            1
        } else {
            match self.num_gpu {
                1 => 2,
                2 => 4,
                3 | 4 => 8,
                5..=8 => 16,
                _ => 32,
            }
        }
    }

    /// The key scores depend on (not memory): (cpu, num_gpu, milli, spec).
    pub fn shape(&self) -> (i64, u32, u32, u32) {
        (self.cpu, self.num_gpu, self.milli, self.spec)
    }
}

/// A cluster: nodes in name order plus the model table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GpuCluster {
    /// Nodes, sorted by name.
    pub nodes: Vec<GpuNode>,
    /// GPU models.
    pub models: ModelTable,
}

impl GpuCluster {
    /// Σ devices.
    pub fn total_gpus(&self) -> u64 {
        self.nodes.iter().map(|n| n.gpus() as u64).sum()
    }

    /// Σ CPU, millicores.
    pub fn total_cpu(&self) -> i64 {
        self.nodes.iter().map(|n| n.cpu).sum()
    }

    /// Σ memory, MiB.
    pub fn total_mem_mib(&self) -> i64 {
        self.nodes.iter().map(|n| n.mem_mib).sum()
    }
}
