//! Cluster events and which plugins care about them (`EventsToRegister` of each plugin in
//! `pkg/scheduler/framework/plugins/*`): a pod rejected by some plugins leaves the
//! unschedulable pool only on an event one of them registered for, or after the 5-minute
//! maximum. Upstream's QueueingHint functions refine this further per event (e.g. "does the
//! new node have enough room?"); kubesim stops at the registration level, which can requeue
//! a pod that upstream would keep waiting, never the reverse.

/// What changed in the cluster.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClusterEvent {
    /// A node was added.
    NodeAdd,
    /// A node changed (labels, taints, allocatable or `spec.unschedulable`; kubesim's watch
    /// does not say which).
    NodeUpdate,
    /// A node was deleted.
    NodeDelete,
    /// A pod was bound to a node.
    AssignedPodAdd,
    /// A bound pod was deleted or finished, releasing its resources.
    AssignedPodDelete,
    /// A PersistentVolumeClaim was added or updated (bound, annotated).
    PvcChange,
    /// A PersistentVolume was added or updated.
    PvChange,
    /// A StorageClass was added or updated.
    StorageClassChange,
}

const NODE_ADD: u8 = 1;
const NODE_UPDATE: u8 = 2;
const NODE_DELETE: u8 = 4;
const POD_ADD: u8 = 8;
const POD_DELETE: u8 = 16;
const PVC: u8 = 32;
const PV: u8 = 64;
const STORAGE_CLASS: u8 = 128;

impl ClusterEvent {
    fn bit(self) -> u8 {
        match self {
            ClusterEvent::NodeAdd => NODE_ADD,
            ClusterEvent::NodeUpdate => NODE_UPDATE,
            ClusterEvent::NodeDelete => NODE_DELETE,
            ClusterEvent::AssignedPodAdd => POD_ADD,
            ClusterEvent::AssignedPodDelete => POD_DELETE,
            ClusterEvent::PvcChange => PVC,
            ClusterEvent::PvChange => PV,
            ClusterEvent::StorageClassChange => STORAGE_CLASS,
        }
    }
}

/// In-tree plugins that can reject pods, with the events they register.
const REGISTRATIONS: &[(&str, u8)] = &[
    ("NodeUnschedulable", NODE_ADD | NODE_UPDATE),
    ("NodeName", NODE_ADD),
    ("TaintToleration", NODE_ADD | NODE_UPDATE),
    ("NodeAffinity", NODE_ADD | NODE_UPDATE),
    ("NodePorts", NODE_ADD | POD_DELETE),
    ("NodeResourcesFit", NODE_ADD | NODE_UPDATE | POD_DELETE),
    (
        "PodTopologySpread",
        NODE_ADD | NODE_UPDATE | NODE_DELETE | POD_ADD | POD_DELETE,
    ),
    (
        "InterPodAffinity",
        NODE_ADD | NODE_UPDATE | POD_ADD | POD_DELETE,
    ),
    ("DynamicResources", NODE_ADD),
    ("VolumeRestrictions", POD_DELETE | PVC),
    (
        "VolumeBinding",
        NODE_ADD | NODE_UPDATE | PVC | PV | STORAGE_CLASS,
    ),
    (
        "VolumeZone",
        NODE_ADD | NODE_UPDATE | PVC | PV | STORAGE_CLASS,
    ),
];

/// The bit of "any event" (plugins kubesim does not know the registrations of).
const ANY: u32 = 1 << 31;

/// A set of rejecting plugins.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Rejectors(pub u32);

impl Rejectors {
    /// Adds a plugin by name.
    pub fn add(&mut self, plugin: &str) {
        if plugin.is_empty() {
            return;
        }
        self.0 |= match REGISTRATIONS.iter().position(|(n, _)| *n == plugin) {
            Some(i) => 1 << i,
            None => ANY,
        };
    }

    /// True when no plugin rejected the pod (it failed with an error).
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when `event` may make the pod schedulable: a rejecting plugin registered for it,
    /// or no plugin is known (requeue on anything, as upstream does for pods without
    /// unschedulable plugins).
    pub fn interested(self, event: ClusterEvent) -> bool {
        if self.0 == 0 || self.0 & ANY != 0 {
            return true;
        }
        REGISTRATIONS
            .iter()
            .enumerate()
            .any(|(i, (_, ev))| self.0 & (1 << i) != 0 && ev & event.bit() != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_wait_for_events_their_rejectors_registered() {
        let mut r = Rejectors::default();
        r.add("TaintToleration");
        assert!(r.interested(ClusterEvent::NodeUpdate));
        assert!(
            !r.interested(ClusterEvent::AssignedPodDelete),
            "a freed pod cannot untaint a node"
        );
        r.add("NodeResourcesFit");
        assert!(r.interested(ClusterEvent::AssignedPodDelete));
        assert!(Rejectors::default().interested(ClusterEvent::AssignedPodAdd));
        let mut v = Rejectors::default();
        v.add("VolumeBinding");
        assert!(v.interested(ClusterEvent::PvcChange));
        assert!(!v.interested(ClusterEvent::AssignedPodDelete));
        let mut custom = Rejectors::default();
        custom.add("MyPlugin");
        assert!(custom.interested(ClusterEvent::NodeDelete));
    }
}
