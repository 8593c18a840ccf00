//! Runtime nodes, with incrementally maintained totals of what is bound to them.

use super::labels::{LabelSet, Sym};
use super::pod::{HostPort, Taint};
use super::resources::Resources;
use super::{PodId, PoolId};
use crate::engine::SimTime;
use std::collections::BTreeSet;

/// Status of a node condition.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CondStatus {
    /// True.
    True,
    /// False.
    False,
    /// Unknown (the node stopped reporting).
    Unknown,
}

impl CondStatus {
    /// As Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CondStatus::True => "True",
            CondStatus::False => "False",
            CondStatus::Unknown => "Unknown",
        }
    }
}

/// What the node agent is doing, as the simulation sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NodeHealth {
    /// Being provisioned; not yet registered as Ready.
    Provisioning,
    /// Healthy and reporting.
    Up,
    /// Failed: stopped reporting (the control plane notices after the grace period).
    Down,
}

/// A node in the cluster.
#[derive(Clone, Debug)]
pub struct Node {
    /// Unique id (creation order).
    pub uid: u64,
    /// Name.
    pub name: Sym,
    /// Labels.
    pub labels: LabelSet,
    /// Taints.
    pub taints: Vec<Taint>,
    /// Cordoned (`spec.unschedulable`).
    pub unschedulable: bool,
    /// Capacity.
    pub capacity: Resources,
    /// Allocatable resources.
    pub allocatable: Resources,
    /// Allocatable pod count.
    pub allowed_pods: i64,
    /// Ready condition.
    pub ready: CondStatus,
    /// MemoryPressure condition.
    pub memory_pressure: bool,
    /// DiskPressure condition.
    pub disk_pressure: bool,
    /// PIDPressure condition.
    pub pid_pressure: bool,
    /// Agent health as simulated.
    pub health: NodeHealth,
    /// When the node was created.
    pub created: SimTime,
    /// When Ready last changed.
    pub ready_changed: SimTime,
    /// Zone label value (`topology.kubernetes.io/zone`).
    pub zone: Option<Sym>,
    /// Region label value.
    pub region: Option<Sym>,
    /// The node pool it belongs to, if any.
    pub pool: Option<PoolId>,
    /// Images present on the node, with sizes in bytes.
    pub images: Vec<(Sym, i64)>,
    /// Image pull bandwidth in bytes per second.
    pub pull_bandwidth: i64,
    /// Image pulls are serialised: the time the puller is free.
    pub puller_free_at: SimTime,
    /// Sum of requests of the pods bound here that hold resources.
    pub requested: Resources,
    /// Same, with the scheduler's non-zero defaults (cpu).
    pub non_zero_cpu: i64,
    /// Same, with the scheduler's non-zero defaults (memory).
    pub non_zero_memory: i64,
    /// Number of pods bound here that hold resources.
    pub pod_count: i64,
    /// How many of those pods have each priority (priority, count), so preemption can tell at
    /// once whether a node has any lower-priority pod.
    pub priorities: smallvec::SmallVec<[(i32, u32); 2]>,
    /// Pods bound here (including terminal ones not yet deleted), by id.
    pub pods: BTreeSet<PodId>,
    /// Host ports in use.
    pub used_ports: Vec<HostPort>,
    /// Being deleted (scale-down or removal in progress).
    pub deleting: bool,
}

impl Node {
    /// True when the node is Ready.
    pub fn is_ready(&self) -> bool {
        self.ready == CondStatus::True
    }

    /// Size of `image` if it is present on the node.
    pub fn image_size(&self, image: Sym) -> Option<i64> {
        self.images
            .binary_search_by_key(&image, |&(i, _)| i)
            .ok()
            .map(|i| self.images[i].1)
    }

    /// Records `image` as present.
    pub fn add_image(&mut self, image: Sym, size: i64) {
        if let Err(i) = self.images.binary_search_by_key(&image, |&(i, _)| i) {
            self.images.insert(i, (image, size));
        }
    }

    /// Allocatable minus requested (may be negative after allocatable shrinks).
    pub fn free(&self) -> Resources {
        let mut f = self.allocatable.clone();
        f.sub(&self.requested);
        f
    }
}

impl Node {
    /// Counts a resource-holding pod of priority `priority` (`delta` +1 or -1).
    pub fn count_priority(&mut self, priority: i32, delta: i32) {
        match self.priorities.iter().position(|e| e.0 == priority) {
            Some(i) => {
                let c = self.priorities[i].1 as i64 + delta as i64;
                if c <= 0 {
                    self.priorities.swap_remove(i);
                } else {
                    self.priorities[i].1 = c as u32;
                }
            }
            None if delta > 0 => self.priorities.push((priority, delta as u32)),
            None => {}
        }
    }

    /// True when some resource-holding pod here has a priority below `priority`.
    pub fn has_priority_below(&self, priority: i32) -> bool {
        self.priorities.iter().any(|e| e.0 < priority)
    }
}
