//! The cluster model: compact runtime objects in arenas with typed ids, integer resources,
//! interned labels. [`convert`] turns manifest types into these once, at load time.

pub mod arena;
pub mod convert;
pub mod labels;
pub mod node;
pub mod pod;
pub mod resources;
pub mod sorted_set;
pub mod workloads;

pub use arena::{Arena, ArenaId};
pub use labels::{Interner, LabelSet, Selector, Sym};
pub use node::Node;
pub use pod::Pod;
pub use resources::Resources;
pub use sorted_set::SortedSet;

crate::define_id!(
    /// Id of a pod.
    PodId
);
crate::define_id!(
    /// Id of a node.
    NodeId
);
crate::define_id!(
    /// Id of a Deployment.
    DeploymentId
);
crate::define_id!(
    /// Id of a ReplicaSet.
    ReplicaSetId
);

/// Id of a node pool (index into the scenario's pools).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PoolId(pub u32);

/// The controlling owner of an object.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OwnerRef {
    /// Owned by a ReplicaSet.
    ReplicaSet(ReplicaSetId),
    /// Owned by a Deployment.
    Deployment(DeploymentId),
    /// Owned by a DaemonSet (index into the DaemonSet controller's table).
    DaemonSet(u32),
    /// Owned by a StatefulSet (index into the StatefulSet controller's table).
    StatefulSet(u32),
    /// Owned by a Job (index in the Job controller's table, `controllers::job`).
    Job(u32),
}
