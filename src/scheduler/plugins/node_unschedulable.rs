//! `NodeUnschedulable` (`pkg/scheduler/framework/plugins/nodeunschedulable`): cordoned nodes
//! take only pods that tolerate `node.kubernetes.io/unschedulable:NoSchedule`.

use crate::model::Pod;
use crate::model::pod::{Taint, TaintEffect};
use crate::scheduler::framework::{CycleState, FilterPlugin, NodeInfo, Plugin, Status, View};

/// Reason upstream reports.
pub const REASON: &str = "node(s) were unschedulable";

/// The NodeUnschedulable plugin.
#[derive(Debug, Default)]
pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        "NodeUnschedulable"
    }
}

impl FilterPlugin for NodeUnschedulable {
    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, _: &CycleState, pod: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> Status {
        if !node.node.unschedulable {
            return Status::success();
        }
        let i = &view.store.interner;
        let Some(key) = i.lookup(crate::controllers::node_lifecycle::UNSCHEDULABLE) else {
            return Status::unresolvable(REASON);
        };
        let taint = Taint {
            key,
            value: crate::model::Sym(0),
            effect: TaintEffect::NoSchedule,
            added: crate::engine::SimTime::ZERO,
        };
        if pod.spec.tolerations.iter().any(|t| t.tolerates(&taint, i)) {
            Status::success()
        } else {
            Status::unresolvable(REASON)
        }
    }
}
