//! `NodeName` (`pkg/scheduler/framework/plugins/nodename/node_name.go`): a pod with
//! `spec.nodeName` fits only that node.

use crate::model::Pod;
use crate::scheduler::framework::{CycleState, FilterPlugin, NodeInfo, Plugin, Status, View};

/// Reason upstream reports.
pub const REASON: &str = "node(s) didn't match the requested node name";

/// The NodeName plugin.
#[derive(Debug, Default)]
pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        "NodeName"
    }
}

impl FilterPlugin for NodeName {
    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, _: &CycleState, pod: &Pod, node: &NodeInfo<'_>, _: &View<'_>) -> Status {
        match pod.spec.node_name {
            Some(n) if n != node.node.name => Status::unresolvable(REASON),
            _ => Status::success(),
        }
    }
}
