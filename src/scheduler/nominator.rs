//! Pods nominated to nodes by preemption (`pkg/scheduler/backend/queue/nominator.go`): while
//! a preemptor waits for its victims to leave, it is accounted on its nominated node for
//! every pod of lower or equal priority, so they do not take the room made for it.

use crate::model::{NodeId, PodId};
use std::collections::BTreeMap;

/// Nominated pods per node.
#[derive(Debug, Default, Clone)]
pub struct Nominator {
    by_node: BTreeMap<NodeId, Vec<PodId>>,
    node_of: BTreeMap<PodId, NodeId>,
}

impl Nominator {
    /// Nominates `pod` to `node` (replacing an earlier nomination).
    pub fn add(&mut self, pod: PodId, node: NodeId) {
        self.remove(pod);
        self.by_node.entry(node).or_default().push(pod);
        self.node_of.insert(pod, node);
    }

    /// Forgets the nomination of `pod`, if any.
    pub fn remove(&mut self, pod: PodId) {
        let Some(node) = self.node_of.remove(&pod) else {
            return;
        };
        if let Some(v) = self.by_node.get_mut(&node) {
            v.retain(|&p| p != pod);
            if v.is_empty() {
                self.by_node.remove(&node);
            }
        }
    }

    /// Pods nominated to `node`, in nomination order.
    pub fn pods_on(&self, node: NodeId) -> &[PodId] {
        self.by_node.get(&node).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The node `pod` is nominated to.
    pub fn node_of(&self, pod: PodId) -> Option<NodeId> {
        self.node_of.get(&pod).copied()
    }

    /// True when no pod is nominated anywhere.
    pub fn is_empty(&self) -> bool {
        self.node_of.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ArenaId;

    #[test]
    fn renomination_moves_the_pod() {
        let mut n = Nominator::default();
        let (p, a, b) = (
            PodId::from_parts(1, 0),
            NodeId::from_parts(0, 0),
            NodeId::from_parts(1, 0),
        );
        n.add(p, a);
        n.add(p, b);
        assert!(n.pods_on(a).is_empty());
        assert_eq!(n.pods_on(b), &[p]);
        n.remove(p);
        assert!(n.is_empty());
    }
}
