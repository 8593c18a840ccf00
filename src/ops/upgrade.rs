//! Rolling node-pool upgrades with surge, as managed Kubernetes services do them (GKE's
//! "surge upgrades" documentation: `maxSurge` new nodes are added, then old nodes are cordoned,
//! drained — PodDisruptionBudgets respected for up to one hour — and deleted;
//! `maxSurge + maxUnavailable` nodes are upgraded at a time).
//!
//! This is the decision logic only: it says what to do next (provision a node, drain one,
//! remove one); `sim::maintenance` carries it out and reports back.

use crate::engine::{SimDuration, SimTime};
use crate::model::NodeId;
use std::collections::VecDeque;

/// GKE respects PodDisruptionBudgets for up to one hour per node, then deletes the node anyway.
pub const DEFAULT_DRAIN_TIMEOUT: SimDuration = SimDuration::from_secs(3600);

/// One step the simulation should take for an upgrade.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Provision a surge node (report back with [`Upgrade::surge_node_up`]).
    ProvisionSurge,
    /// Provision the replacement of a drained node (report back with
    /// [`Upgrade::replacement_up`]).
    ProvisionReplacement,
    /// Cordon and drain this old node for a surge slot (`true`) or an unavailable slot
    /// (report back with [`Upgrade::drained`] when the drain ends).
    Drain(NodeId, bool),
    /// Delete this old node (its drain ended).
    Remove(NodeId),
    /// Every old node has been replaced.
    Done,
}

/// A rolling upgrade of one pool.
#[derive(Clone, Debug)]
pub struct Upgrade {
    /// Pool index.
    pub pool: usize,
    /// Nodes added before old ones are drained.
    pub max_surge: u32,
    /// Old nodes drained without waiting for a new one.
    pub max_unavailable: u32,
    /// How long a PodDisruptionBudget may hold a drain before the node is deleted anyway.
    pub drain_timeout: SimDuration,
    /// When it started.
    pub started: SimTime,
    /// When the last old node was removed.
    pub finished: Option<SimTime>,
    /// Old nodes not yet touched, in name order.
    old: VecDeque<NodeId>,
    /// Old nodes replaced so far.
    pub replaced: u32,
    /// Drains that hit their timeout (the node was deleted anyway).
    pub forced: u32,
    /// Surge slots whose new node is still provisioning (each reserves an old node).
    surge_waiting: u32,
    /// Surge slots draining their old node.
    surge_draining: u32,
    /// Unavailable slots (draining, or waiting for the replacement node).
    busy_unavailable: u32,
}

impl Upgrade {
    /// An upgrade of `old` (the pool's nodes when it starts).
    pub fn new(
        pool: usize,
        old: Vec<NodeId>,
        max_surge: u32,
        max_unavailable: u32,
        drain_timeout: SimDuration,
        now: SimTime,
    ) -> Self {
        Upgrade {
            pool,
            drain_timeout,
            max_surge,
            max_unavailable,
            started: now,
            finished: None,
            old: old.into(),
            replaced: 0,
            forced: 0,
            surge_waiting: 0,
            surge_draining: 0,
            busy_unavailable: 0,
        }
    }

    /// Old nodes that still need replacing (not yet started).
    pub fn remaining(&self) -> usize {
        self.old.len()
    }

    /// Fills free slots: surge slots provision first, unavailable slots drain at once.
    pub fn fill(&mut self, now: SimTime) -> Vec<Step> {
        let mut steps = Vec::new();
        // A surge slot only starts while an old node is left for it to replace.
        while self.surge_waiting + self.surge_draining < self.max_surge
            && (self.old.len() as u32) > self.surge_waiting
        {
            self.surge_waiting += 1;
            steps.push(Step::ProvisionSurge);
        }
        while self.busy_unavailable < self.max_unavailable
            && (self.old.len() as u32) > self.surge_waiting
        {
            let Some(n) = self.old.pop_front() else {
                break;
            };
            self.busy_unavailable += 1;
            steps.push(Step::Drain(n, false));
        }
        if self.old.is_empty() && self.in_flight() == 0 && self.finished.is_none() {
            self.finished = Some(now);
            steps.push(Step::Done);
        }
        steps
    }

    /// A surge node is up: drain the next old node.
    pub fn surge_node_up(&mut self) -> Vec<Step> {
        self.surge_waiting = self.surge_waiting.saturating_sub(1);
        match self.old.pop_front() {
            Some(n) => {
                self.surge_draining += 1;
                vec![Step::Drain(n, true)]
            }
            // Nothing left to replace (old nodes went away meanwhile): the slot is free.
            None => Vec::new(),
        }
    }

    /// An old node's drain ended (`forced`: it timed out): remove it; an unavailable slot
    /// then provisions its replacement, a surge slot is free.
    pub fn drained(&mut self, node: NodeId, surge_slot: bool, forced: bool) -> Vec<Step> {
        self.replaced += 1;
        if forced {
            self.forced += 1;
        }
        if surge_slot {
            self.surge_draining = self.surge_draining.saturating_sub(1);
            vec![Step::Remove(node)]
        } else {
            vec![Step::Remove(node), Step::ProvisionReplacement]
        }
    }

    /// The replacement node of an unavailable slot is up: the slot is free.
    pub fn replacement_up(&mut self) {
        self.busy_unavailable = self.busy_unavailable.saturating_sub(1);
    }

    /// Old nodes being worked on now.
    pub fn in_flight(&self) -> u32 {
        self.surge_waiting + self.surge_draining + self.busy_unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ArenaId;

    fn id(i: u32) -> NodeId {
        NodeId::from_parts(i, 0)
    }

    fn ids(n: u32) -> Vec<NodeId> {
        (0..n).map(|i| NodeId::from_parts(i, 0)).collect()
    }

    #[test]
    fn surge_one_replaces_nodes_one_at_a_time() {
        let mut u = Upgrade::new(0, ids(2), 1, 0, DEFAULT_DRAIN_TIMEOUT, SimTime::ZERO);
        assert_eq!(u.fill(SimTime::ZERO), vec![Step::ProvisionSurge]);
        assert_eq!(u.surge_node_up(), vec![Step::Drain(id(0), true)]);
        assert_eq!(u.drained(id(0), true, false), vec![Step::Remove(id(0))]);
        assert_eq!(u.fill(SimTime::ZERO), vec![Step::ProvisionSurge]);
        assert_eq!(u.surge_node_up(), vec![Step::Drain(id(1), true)]);
        u.drained(id(1), true, false);
        assert_eq!(
            u.fill(SimTime::ZERO + SimDuration::from_secs(9)),
            vec![Step::Done]
        );
        assert_eq!(u.finished, Some(SimTime::ZERO + SimDuration::from_secs(9)));
        assert_eq!(u.replaced, 2);
    }

    #[test]
    fn unavailable_slots_drain_first_then_replace() {
        let mut u = Upgrade::new(0, ids(3), 1, 1, DEFAULT_DRAIN_TIMEOUT, SimTime::ZERO);
        let s = u.fill(SimTime::ZERO);
        assert_eq!(s, vec![Step::ProvisionSurge, Step::Drain(id(0), false)]);
        // The surge slot keeps node 1 for itself.
        assert_eq!(u.surge_node_up(), vec![Step::Drain(id(1), true)]);
        assert_eq!(
            u.drained(id(0), false, false),
            vec![Step::Remove(id(0)), Step::ProvisionReplacement]
        );
        u.replacement_up();
        // The unavailable slot is free again: node 2 is drained without waiting.
        assert_eq!(u.fill(SimTime::ZERO), vec![Step::Drain(id(2), false)]);
        u.drained(id(1), true, false);
        assert_eq!(u.fill(SimTime::ZERO), vec![]);
        u.drained(id(2), false, false);
        u.replacement_up();
        assert_eq!(u.fill(SimTime::ZERO), vec![Step::Done]);
    }
}
