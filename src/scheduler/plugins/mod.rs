//! The scheduler plugins, one file each, with upstream's formulas and reason strings.

pub mod balanced_allocation;
pub mod default_preemption;
pub mod dynamic_resources;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_ports;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod scheduling_gates;
pub mod taint_toleration;
pub mod volume_binding;
pub mod volume_restrictions;
pub mod volume_zone;

use super::framework::{BindPlugin, Code, Plugin, Status};
use crate::model::{NodeId, PodId};
use crate::store::Store;

/// `DefaultBinder`: binds through the store's Binding subresource.
#[derive(Debug, Default)]
pub struct DefaultBinder;

impl Plugin for DefaultBinder {
    fn name(&self) -> &'static str {
        "DefaultBinder"
    }
}

impl BindPlugin for DefaultBinder {
    fn bind(&self, pod: PodId, node: NodeId, store: &mut Store) -> Status {
        // The API server refuses a binding to a node that is gone (deleted after the cycle
        // chose it, before the scheduler saw the deletion).
        match store.node(node) {
            Some(n) if !n.deleting => {
                store.bind_pod(pod, node);
                Status::success()
            }
            Some(n) => {
                let name = store.interner.resolve(n.name).to_string();
                Status::new(Code::Error, format!("nodes \"{name}\" not found"))
            }
            None => Status::new(Code::Error, "node not found"),
        }
    }
}
