//! The framework runtime: runs a profile's plugins at each extension point with upstream's
//! rules for statuses, skipping and result merging
//! (`pkg/scheduler/framework/runtime/framework.go`).

use super::framework::{Code, CycleState, NodeDelta, NodeInfo, Status, View};
use super::profile::Profile;
use crate::model::{NodeId, Pod, PodId, Sym};
use std::collections::BTreeSet;

/// What `RunPreFilterPlugins` returns.
#[derive(Debug)]
pub struct PreFilterOutcome {
    /// Success, or the failing status.
    pub status: Status,
    /// The plugin that failed (empty on success).
    pub plugin: &'static str,
    /// The nodes worth filtering (`None`: all).
    pub nodes: Option<BTreeSet<Sym>>,
    /// Plugins that narrowed the node set (for the "didn't satisfy plugin(s)" message).
    pub narrowing: Vec<&'static str>,
}

/// `RunPreFilterPlugins`: every PreFilter in order. Skip marks the plugin's Filter skipped;
/// UnschedulableAndUnresolvable stops at once; Unschedulable is remembered (the last one wins)
/// while the others still run, since preemption needs their state; node-set results are
/// intersected, and an empty intersection fails the cycle.
pub fn run_pre_filter(
    profile: &Profile,
    state: &mut CycleState,
    pod: &Pod,
    view: &View<'_>,
) -> PreFilterOutcome {
    let mut out = PreFilterOutcome {
        status: Status::success(),
        plugin: "",
        nodes: None,
        narrowing: Vec::new(),
    };
    let mut failed: Option<(&'static str, Status)> = None;
    for p in &profile.pre_filter {
        let name = p.name();
        let (st, res) = p.pre_filter(state, pod, view);
        match st.code {
            Code::Skip => {
                state.skip_filter.push(name);
                continue;
            }
            Code::Success => {}
            Code::UnschedulableAndUnresolvable => {
                out.status = st;
                out.plugin = name;
                out.narrowing.clear();
                return out;
            }
            _ => {
                failed = Some((name, st));
                continue;
            }
        }
        if let Some(names) = res.node_names {
            out.narrowing.push(name);
            out.nodes = Some(match out.nodes.take() {
                None => names,
                Some(prev) => prev.intersection(&names).copied().collect(),
            });
            if out.nodes.as_ref().is_some_and(|n| n.is_empty()) {
                let mut list = out.narrowing.clone();
                list.sort_unstable();
                let msg = if list.len() == 1 {
                    format!("node(s) didn't satisfy plugin {}", list[0])
                } else {
                    format!(
                        "node(s) didn't satisfy plugin(s) [{}] simultaneously",
                        list.join(" ")
                    )
                };
                out.status = Status::unresolvable(msg);
                out.plugin = name;
                return out;
            }
        }
    }
    if let Some((name, st)) = failed {
        out.status = st;
        out.plugin = name;
    }
    state.skip_filter_mask = 0;
    for (i, f) in profile.filter.iter().enumerate() {
        if state.skip_filter.contains(&f.name()) {
            state.skip_filter_mask |= 1 << i;
        }
    }
    out
}

/// `RunFilterPluginsWithNominatedPods`: when pods of equal or higher priority are nominated to
/// the node, the filters must pass both with them counted (first) and without them (second).
/// `delta` carries hypothetical removals (preemption dry runs).
#[allow(clippy::too_many_arguments)]
pub fn run_filters_with_nominated(
    profile: &Profile,
    state: &CycleState,
    pod: &Pod,
    pod_id: PodId,
    id: NodeId,
    delta: Option<&NodeDelta>,
    view: &View<'_>,
) -> (&'static str, Status) {
    let Some(node) = view.store.node(id) else {
        return ("", Status::unresolvable("node not found"));
    };
    let info = NodeInfo { id, node, delta };
    let nominated = view.nominator.pods_on(id);
    if !nominated.is_empty() {
        let mut added = false;
        let mut d2 = delta.cloned().unwrap_or_default();
        let mut s2 = state.clone();
        for &np in nominated {
            if np == pod_id {
                continue;
            }
            let Some(other) = view.store.pod(np) else {
                continue;
            };
            if other.priority < pod.priority {
                continue;
            }
            d2.add(np, other);
            for p in &profile.pre_filter {
                if !s2.skip_filter.contains(&p.name()) {
                    p.add_pod(&mut s2, pod, other, node, view);
                }
            }
            added = true;
        }
        if added {
            let info2 = NodeInfo {
                id,
                node,
                delta: Some(&d2),
            };
            let r = profile.run_filters(&s2, pod, &info2, view);
            if !r.1.is_success() {
                return r;
            }
        }
    }
    profile.run_filters(state, pod, &info, view)
}
