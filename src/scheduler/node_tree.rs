//! The scheduler's node order (`pkg/scheduler/backend/cache/node_tree.go`): nodes grouped by
//! zone (region + zone), zones in the order their first node appeared, and the list interleaved
//! across zones round-robin.

use crate::model::{NodeId, Sym};
use crate::store::Store;

/// A zone key: (region, zone) label values.
type ZoneKey = (Option<Sym>, Option<Sym>);

/// Nodes in scheduling iteration order.
#[derive(Debug, Default)]
pub struct NodeTree {
    zones: Vec<(ZoneKey, Vec<NodeId>)>,
    list: Vec<NodeId>,
    version: u64,
}

impl NodeTree {
    /// Adds a node at the end of its zone.
    pub fn add(&mut self, id: NodeId, store: &Store) {
        let Some(n) = store.node(id) else { return };
        let key = (n.region, n.zone);
        match self.zones.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => {
                if !v.contains(&id) {
                    v.push(id);
                }
            }
            None => self.zones.push((key, vec![id])),
        }
        self.rebuild();
    }

    /// Removes a node (zone order is kept; an emptied zone disappears).
    pub fn remove(&mut self, id: NodeId) {
        for (_, v) in self.zones.iter_mut() {
            v.retain(|&x| x != id);
        }
        self.zones.retain(|(_, v)| !v.is_empty());
        self.rebuild();
    }

    fn rebuild(&mut self) {
        self.version += 1;
        self.list.clear();
        let longest = self.zones.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        for i in 0..longest {
            for (_, v) in &self.zones {
                if let Some(&n) = v.get(i) {
                    self.list.push(n);
                }
            }
        }
    }

    /// Changes whenever the list is rebuilt (a node added, updated or removed).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The interleaved list.
    pub fn list(&self) -> &[NodeId] {
        &self.list
    }
}
