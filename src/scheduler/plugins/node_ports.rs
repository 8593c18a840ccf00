//! `NodePorts` (`pkg/scheduler/framework/plugins/nodeports/node_ports.go`): host ports must be
//! free on the node (`0.0.0.0` conflicts with every IP of the same protocol and port).

use crate::model::Pod;
use crate::scheduler::framework::{
    CycleState, FilterPlugin, NodeInfo, Plugin, PreFilterPlugin, PreFilterResult, Status, View,
};

/// Reason upstream reports.
pub const REASON: &str = "node(s) didn't have free ports for the requested pod ports";

/// The NodePorts plugin.
#[derive(Debug, Default)]
pub struct NodePorts;

impl Plugin for NodePorts {
    fn name(&self) -> &'static str {
        "NodePorts"
    }
}

impl PreFilterPlugin for NodePorts {
    fn pre_filter(&self, _: &mut CycleState, pod: &Pod, _: &View<'_>) -> (Status, PreFilterResult) {
        let st = if pod.spec.host_ports.is_empty() {
            Status::skip()
        } else {
            Status::success()
        };
        (st, PreFilterResult::default())
    }
}

impl FilterPlugin for NodePorts {
    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, _: &CycleState, pod: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> Status {
        let any = view.store.interner.lookup("0.0.0.0");
        let conflict = pod.spec.host_ports.iter().any(|want| {
            node.ports().any(|used| {
                used.port == want.port
                    && used.protocol == want.protocol
                    && (used.ip == want.ip || Some(used.ip) == any || Some(want.ip) == any)
            })
        });
        if conflict {
            Status::unschedulable(REASON)
        } else {
            Status::success()
        }
    }
}
