//! `SchedulingGates` (`pkg/scheduler/framework/plugins/schedulinggates`): pods with
//! `spec.schedulingGates` stay out of the active queue until the gates are removed.

use crate::model::Pod;
use crate::scheduler::framework::{Code, Plugin, PreEnqueuePlugin, Status};

/// The plugin.
#[derive(Debug, Default)]
pub struct SchedulingGates;

impl Plugin for SchedulingGates {
    fn name(&self) -> &'static str {
        "SchedulingGates"
    }
}

impl PreEnqueuePlugin for SchedulingGates {
    fn pre_enqueue(&self, pod: &Pod) -> Status {
        if pod.spec.scheduling_gates.is_empty() {
            Status::success()
        } else {
            Status::new(
                Code::UnschedulableAndUnresolvable,
                "waiting for scheduling gates",
            )
        }
    }
}
