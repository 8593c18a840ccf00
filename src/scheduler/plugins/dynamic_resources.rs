//! `DynamicResources` (`pkg/scheduler/framework/plugins/dynamicresources`), as it behaves for
//! pods without ResourceClaims — the only pods kubesim simulates: PreFilter skips, and
//! PostFilter (which runs before DefaultPreemption since v1.34) reports
//! "no new claims to deallocate".

use crate::model::Pod;
use crate::scheduler::FitError;
use crate::scheduler::framework::{
    CycleState, Plugin, PreFilterPlugin, PreFilterResult, Status, View,
};
use crate::scheduler::postfilter::{Nominating, PostFilterPlugin, PostFilterResult, Preemptor};

/// The plugin.
#[derive(Debug, Default)]
pub struct DynamicResources;

impl Plugin for DynamicResources {
    fn name(&self) -> &'static str {
        "DynamicResources"
    }
}

impl PreFilterPlugin for DynamicResources {
    fn pre_filter(&self, _: &mut CycleState, _: &Pod, _: &View<'_>) -> (Status, PreFilterResult) {
        (Status::skip(), PreFilterResult::default())
    }
}

impl PostFilterPlugin for DynamicResources {
    fn post_filter(&self, _: &mut Preemptor<'_, '_>, _: &Pod, _: &FitError) -> PostFilterResult {
        PostFilterResult {
            status: Status::unschedulable("no new claims to deallocate"),
            nominating: Nominating::Noop,
        }
    }
}
