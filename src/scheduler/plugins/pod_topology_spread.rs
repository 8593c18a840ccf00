//! `PodTopologySpread` (`pkg/scheduler/framework/plugins/podtopologyspread/{plugin,common,
//! filtering,scoring}.go`).
//!
//! Constraints are the pod's own, or — when it has none — the default constraints (the system
//! defaults — hostname maxSkew 3, zone maxSkew 5, both ScheduleAnyway — or the configured list)
//! with a selector from the pod's Services and owning ReplicaSet.
//! Filter (DoNotSchedule constraints): over every node that passes the constraint's inclusion
//! policies and carries all constraint keys, count matching non-terminating pods per domain (an
//! empty selector counts none); a node fails when `count(domain) + selfMatch − minMatch >
//! maxSkew` (`minMatch` is 0 when fewer than `minDomains` domains exist), or is unresolvable
//! when it lacks a topology key.
//! Score (ScheduleAnyway constraints): per constraint
//! `count × ln(domains + 2) + (maxSkew − 1)`, summed and rounded; normalised as
//! `100 × (max + min − raw) / max`, nodes missing keys scoring 0.
//!
//! Counts come from the scheduler cache (maintained incrementally) instead of a rescan.

use crate::model::pod::{SpreadConstraint, TaintEffect};
use crate::model::{Node, NodeId, Pod, Selector, Sym};
use crate::scheduler::cache::{CountId, CountKey, TopologyId};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, MAX_NODE_SCORE, NodeInfo, Plugin, PreFilterPlugin, PreFilterResult,
    PreScorePlugin, ScorePlugin, Status, View,
};
use crate::scheduler::plugins::node_affinity::required_matches;
use std::collections::BTreeMap;

/// Reason for a skew violation.
pub const REASON: &str = "node(s) didn't match pod topology spread constraints";
/// Reason for a missing topology key.
pub const REASON_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

/// How default constraints are chosen (`PodTopologySpreadArgs.defaultingType`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Defaulting {
    /// The system defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway).
    System,
    /// The listed constraints (may be empty).
    List(Vec<(i32, String, bool)>),
}

/// The plugin.
#[derive(Debug)]
pub struct PodTopologySpread {
    /// Default constraints for pods without their own.
    pub defaulting: Defaulting,
}

impl Default for PodTopologySpread {
    fn default() -> Self {
        PodTopologySpread {
            defaulting: Defaulting::System,
        }
    }
}

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        "PodTopologySpread"
    }
}

/// The key of a default constraint whose topology key no object ever carried: no node has it.
const UNKNOWN_KEY: Sym = Sym(u32::MAX);

/// A constraint as a cycle uses it.
#[derive(Clone, Debug)]
pub struct Constraint {
    max_skew: i64,
    key: Sym,
    selector: Selector,
    min_domains: i64,
    honor_affinity: bool,
    honor_taints: bool,
    count: CountId,
    self_match: bool,
    hostname: bool,
}

/// PreFilter state.
#[derive(Clone, Debug, Default)]
pub struct FilterState {
    constraints: Vec<Constraint>,
    /// Per constraint: matching pods per domain value (all eligible domains present).
    domains: Vec<BTreeMap<Sym, i64>>,
    /// Per constraint: the minimum over domains and the number of domains.
    min_match: Vec<i64>,
    /// Hostname constraints count per node: adjustments from AddPod/RemovePod.
    node_adjust: BTreeMap<(usize, NodeId), i64>,
}

/// PreScore state.
#[derive(Clone, Debug, Default)]
pub struct ScoreState {
    constraints: Vec<Constraint>,
    weights: Vec<f64>,
    /// Per constraint, the cache topology of its key.
    topologies: Vec<TopologyId>,
    /// Per non-hostname constraint, matching pods per domain id.
    domain_counts: Vec<Vec<i64>>,
    /// Feasible nodes left out (they lack a required topology key), by position.
    ignored: Vec<bool>,
    /// The same, by node (usually empty).
    ignored_nodes: std::collections::BTreeSet<NodeId>,
}

fn constraint_from(c: &SpreadConstraint, pod: &Pod, view: &View<'_>) -> Constraint {
    let i = &view.store.interner;
    let mut selector = c.selector.clone();
    for &k in &c.match_label_keys {
        if let Some(v) = pod.labels.get(k) {
            selector.reqs.push(crate::model::labels::Requirement {
                key: k,
                op: crate::model::labels::SelOp::In(vec![v]),
            });
        }
    }
    // `countPodsMatchSelector`: an empty selector (`labelSelector: {}`) counts no pod, although
    // the incoming pod still matches it itself.
    let counted = if selector.is_empty() {
        Selector {
            reqs: vec![crate::model::labels::Requirement {
                key: Sym(0),
                op: crate::model::labels::SelOp::In(vec![]),
            }],
        }
    } else {
        selector.clone()
    };
    let count = view.cache.count_id(
        CountKey {
            namespaces: Some(vec![pod.namespace]),
            selector: counted,
            skip_terminating: true,
        },
        view.store,
    );
    let hostname = Some(c.topology_key) == i.lookup(crate::model::convert::HOSTNAME_LABEL);
    Constraint {
        max_skew: c.max_skew as i64,
        key: c.topology_key,
        self_match: selector.matches(&pod.labels, i),
        selector,
        min_domains: c.min_domains.unwrap_or(1) as i64,
        honor_affinity: c.honor_node_affinity,
        honor_taints: c.honor_taints,
        count,
        hostname,
    }
}

fn included(c: &Constraint, pod: &Pod, node: &Node, view: &View<'_>) -> bool {
    let i = &view.store.interner;
    if c.honor_affinity && !required_matches(pod, node, i) {
        return false;
    }
    if c.honor_taints
        && node.taints.iter().any(|t| {
            matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute)
                && !pod.spec.tolerations.iter().any(|tol| tol.tolerates(t, i))
        })
    {
        return false;
    }
    true
}

fn has_all_keys(cs: &[Constraint], node: &Node) -> bool {
    cs.iter().all(|c| node.labels.has(c.key))
}

impl PreFilterPlugin for PodTopologySpread {
    fn pre_filter(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        view: &View<'_>,
    ) -> (Status, PreFilterResult) {
        let (hard, _) = self.constraints(pod, view, true);
        if hard.is_empty() {
            return (Status::skip(), PreFilterResult::default());
        }
        let mut st = FilterState {
            domains: vec![BTreeMap::new(); hard.len()],
            ..Default::default()
        };
        let mut node_min: Vec<Option<i64>> = vec![None; hard.len()];
        for &id in view.nodes {
            let Some(node) = view.store.node(id) else {
                continue;
            };
            if !has_all_keys(&hard, node) {
                continue;
            }
            for (k, c) in hard.iter().enumerate() {
                if !included(c, pod, node, view) {
                    continue;
                }
                let n = view.cache.node_count(c.count, id) as i64;
                if c.hostname {
                    node_min[k] = Some(node_min[k].map_or(n, |m: i64| m.min(n)));
                    st.domains[k].insert(node.labels.get(c.key).expect("has key"), 0);
                } else {
                    *st.domains[k]
                        .entry(node.labels.get(c.key).expect("has key"))
                        .or_default() += n;
                }
            }
        }
        st.min_match = hard
            .iter()
            .enumerate()
            .map(|(k, c)| {
                if c.hostname {
                    node_min[k].unwrap_or(0)
                } else {
                    st.domains[k].values().copied().min().unwrap_or(0)
                }
            })
            .collect();
        st.constraints = hard;
        state.pts_filter = Some(st);
        (Status::success(), PreFilterResult::default())
    }

    fn add_pod(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        other: &Pod,
        node: &Node,
        view: &View<'_>,
    ) {
        adjust(state, pod.namespace, other, node, view, 1);
    }

    fn remove_pod(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        other: &Pod,
        node: &Node,
        view: &View<'_>,
    ) {
        adjust(state, pod.namespace, other, node, view, -1);
    }
}

fn adjust(state: &mut CycleState, ns: Sym, other: &Pod, node: &Node, view: &View<'_>, d: i64) {
    let Some(st) = state.pts_filter.as_mut() else {
        return;
    };
    let Some(id) = view.store.node_by_name(node.name) else {
        return;
    };
    if other.is_terminating() {
        return;
    }
    for k in 0..st.constraints.len() {
        let c = &st.constraints[k];
        if other.namespace != ns || !c.selector.matches(&other.labels, &view.store.interner) {
            continue;
        }
        let Some(v) = node.labels.get(c.key) else {
            continue;
        };
        if !st.domains[k].contains_key(&v) {
            continue;
        }
        if c.hostname {
            *st.node_adjust.entry((k, id)).or_default() += d;
        } else {
            *st.domains[k].get_mut(&v).expect("checked") += d;
        }
    }
    // Recompute the minimums.
    for k in 0..st.constraints.len() {
        let c = &st.constraints[k];
        st.min_match[k] = if c.hostname {
            let mut m: Option<i64> = None;
            for &nid in view.nodes {
                let Some(n) = view.store.node(nid) else {
                    continue;
                };
                let Some(v) = n.labels.get(c.key) else {
                    continue;
                };
                if !st.domains[k].contains_key(&v) {
                    continue;
                }
                let cnt = view.cache.node_count(c.count, nid) as i64
                    + st.node_adjust.get(&(k, nid)).copied().unwrap_or(0);
                m = Some(m.map_or(cnt, |x| x.min(cnt)));
            }
            m.unwrap_or(0)
        } else {
            st.domains[k].values().copied().min().unwrap_or(0)
        };
    }
}

impl FilterPlugin for PodTopologySpread {
    fn filter(
        &self,
        state: &CycleState,
        _pod: &Pod,
        node: &NodeInfo<'_>,
        view: &View<'_>,
    ) -> Status {
        let Some(st) = &state.pts_filter else {
            return Status::success();
        };
        for (k, c) in st.constraints.iter().enumerate() {
            let Some(v) = node.node.labels.get(c.key) else {
                return Status::unresolvable(REASON_LABEL);
            };
            let min = if (st.domains[k].len() as i64) < c.min_domains {
                0
            } else {
                st.min_match[k]
            };
            let count = if c.hostname {
                if st.domains[k].contains_key(&v) {
                    view.cache.node_count(c.count, node.id) as i64
                        + st.node_adjust.get(&(k, node.id)).copied().unwrap_or(0)
                } else {
                    0
                }
            } else {
                st.domains[k].get(&v).copied().unwrap_or(0)
            };
            let skew = count + c.self_match as i64 - min;
            if skew > c.max_skew {
                return Status::unschedulable(REASON);
            }
        }
        Status::success()
    }
}

impl PodTopologySpread {
    /// `getConstraints` (hard) / `initPreScoreState` (soft): the pod's constraints of that kind,
    /// or — when the pod has none at all — the default constraints of that kind with the pod's
    /// default selector. The flag is `requireAllTopologies` (false only for system defaults).
    fn constraints(&self, pod: &Pod, view: &View<'_>, hard: bool) -> (Vec<Constraint>, bool) {
        if !pod.spec.spread.is_empty() {
            let cs = pod
                .spec
                .spread
                .iter()
                .filter(|c| c.hard == hard)
                .map(|c| constraint_from(c, pod, view))
                .collect();
            return (cs, true);
        }
        let defaults: Vec<(i32, String)> = match &self.defaulting {
            Defaulting::System if hard => Vec::new(),
            Defaulting::System => vec![
                (3, crate::model::convert::HOSTNAME_LABEL.to_string()),
                (5, crate::model::convert::ZONE_LABEL.to_string()),
            ],
            Defaulting::List(l) => l
                .iter()
                .filter(|(_, _, h)| *h == hard)
                .map(|(s, k, _)| (*s, k.clone()))
                .collect(),
        };
        if defaults.is_empty() {
            return (Vec::new(), false);
        }
        let selector = default_selector(pod, view);
        if selector.is_empty() {
            return (Vec::new(), false);
        }
        let mut out = Vec::new();
        for (skew, key) in defaults {
            let key = view.store.interner.lookup(&key).unwrap_or(UNKNOWN_KEY);
            let c = SpreadConstraint {
                max_skew: skew,
                topology_key: key,
                hard,
                selector: selector.clone(),
                min_domains: None,
                honor_node_affinity: true,
                honor_taints: false,
                match_label_keys: Vec::new(),
            };
            out.push(constraint_from(&c, pod, view));
        }
        (out, self.defaulting != Defaulting::System)
    }
}

/// `helper.DefaultSelector`: the selectors of the Services that select the pod, plus the
/// selector of its owning ReplicaSet.
pub fn default_selector(pod: &Pod, view: &View<'_>) -> Selector {
    let i = &view.store.interner;
    let mut sel = Selector::default();
    if let Some(svcs) = view.cache.services.get(&pod.namespace) {
        for s in svcs {
            if s.matches(&pod.labels, i) {
                for r in &s.reqs {
                    if !sel.reqs.contains(r) {
                        sel.reqs.push(r.clone());
                    }
                }
            }
        }
    }
    if let Some(crate::model::OwnerRef::ReplicaSet(rs)) = pod.owner
        && let Some(rs) = view.store.replicaset(rs)
    {
        sel.reqs.extend(rs.selector.reqs.iter().cloned());
    }
    sel
}

impl PreScorePlugin for PodTopologySpread {
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        nodes: &[NodeId],
        view: &View<'_>,
    ) -> Status {
        if nodes.is_empty() || view.nodes.is_empty() {
            return Status::success();
        }
        let (cs, require_all) = self.constraints(pod, view, false);
        if cs.is_empty() {
            return Status::skip();
        }
        // Domains are the cache's topology domain ids; nodes lacking a key share one extra
        // "missing" domain (upstream's empty-value pair), which only counts towards the size.
        let topos: Vec<TopologyId> = cs
            .iter()
            .map(|c| view.cache.topology_id(c.key, view.store))
            .collect();
        let mut present: Vec<Vec<bool>> = topos
            .iter()
            .zip(&cs)
            .map(|(&t, c)| {
                if c.hostname {
                    Vec::new()
                } else {
                    vec![false; view.cache.domains_len(t) + 1]
                }
            })
            .collect();
        let mut st = ScoreState {
            ignored: vec![false; nodes.len()],
            ..Default::default()
        };
        let mut sizes = vec![0usize; cs.len()];
        let mut ignored = 0;
        for (idx, &id) in nodes.iter().enumerate() {
            if require_all
                && cs
                    .iter()
                    .enumerate()
                    .any(|(k, _)| view.cache.domain_of(topos[k], id).is_none())
            {
                st.ignored[idx] = true;
                st.ignored_nodes.insert(id);
                ignored += 1;
                continue;
            }
            for (k, c) in cs.iter().enumerate() {
                if c.hostname {
                    continue;
                }
                let d = view
                    .cache
                    .domain_of(topos[k], id)
                    .map_or(present[k].len() - 1, |d| d as usize);
                if !present[k][d] {
                    present[k][d] = true;
                    sizes[k] += 1;
                }
            }
        }
        st.weights = cs
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let size = if c.hostname {
                    nodes.len() - ignored
                } else {
                    sizes[k]
                };
                ((size + 2) as f64).ln()
            })
            .collect();
        // Counts over all nodes, for the domains present among the feasible nodes. When every
        // node with the key counts (no node-affinity or taint policy filters them, and at most
        // one key is required), the cache's per-domain totals are exactly these sums;
        // otherwise walk the nodes as upstream does.
        let every_node_counts = !(require_all && cs.len() > 1)
            && cs.iter().all(|c| {
                !c.honor_taints
                    && (!c.honor_affinity
                        || (pod.spec.node_selector.is_empty()
                            && pod.spec.node_affinity.required.is_none()))
            });
        st.domain_counts = vec![Vec::new(); cs.len()];
        for (k, c) in cs.iter().enumerate() {
            if c.hostname {
                continue;
            }
            st.domain_counts[k] = if every_node_counts {
                view.cache
                    .domain_counts(c.count, topos[k])
                    .into_iter()
                    .map(i64::from)
                    .collect()
            } else {
                vec![0; present[k].len() - 1]
            };
        }
        if !every_node_counts && cs.iter().any(|c| !c.hostname) {
            for &id in view.nodes {
                let Some(node) = view.store.node(id) else {
                    continue;
                };
                if require_all && !has_all_keys(&cs, node) {
                    continue;
                }
                for (k, c) in cs.iter().enumerate() {
                    if c.hostname || !included(c, pod, node, view) {
                        continue;
                    }
                    if let Some(d) = view.cache.domain_of(topos[k], id)
                        && present[k][d as usize]
                    {
                        st.domain_counts[k][d as usize] +=
                            view.cache.node_count(c.count, id) as i64;
                    }
                }
            }
        }
        st.topologies = topos;
        st.constraints = cs;
        state.pts_score = Some(st);
        Status::success()
    }
}

/// `math.Round` for the non-negative scores this plugin sums (half away from zero), without a
/// libm call: the fraction of a non-negative float below 2^52 is exact.
fn round_non_negative(x: f64) -> i64 {
    debug_assert!(x >= 0.0);
    let i = x as i64;
    // Without a branch: which way a score rounds is a coin toss the predictor would lose.
    i + (x - i as f64 >= 0.5) as i64
}

/// `scoreForCount`.
pub fn score_for_count(count: i64, max_skew: i64, weight: f64) -> f64 {
    count as f64 * weight + (max_skew - 1) as f64
}

impl ScorePlugin for PodTopologySpread {
    fn normalizes(&self) -> bool {
        true
    }

    fn score(&self, state: &CycleState, _pod: &Pod, info: &NodeInfo<'_>, view: &View<'_>) -> i64 {
        let Some(st) = &state.pts_score else { return 0 };
        let id = info.id;
        if !st.ignored_nodes.is_empty() && st.ignored_nodes.contains(&id) {
            return 0;
        }
        let mut score = 0.0;
        for (k, c) in st.constraints.iter().enumerate() {
            // Nodes without the key do not score for it.
            let Some(d) = view.cache.domain_of(st.topologies[k], id) else {
                continue;
            };
            let cnt = if c.hostname {
                view.cache.node_count(c.count, id) as i64
            } else {
                st.domain_counts[k].get(d as usize).copied().unwrap_or(0)
            };
            score += score_for_count(cnt, c.max_skew, st.weights[k]);
        }
        round_non_negative(score)
    }

    fn normalize(&self, state: &CycleState, scores: &mut [i64]) {
        let Some(st) = &state.pts_score else { return };
        let mut min = i64::MAX;
        let mut max = 0;
        for (i, &s) in scores.iter().enumerate() {
            if st.ignored.get(i).copied().unwrap_or(false) {
                continue;
            }
            min = min.min(s);
            max = max.max(s);
        }
        for (i, s) in scores.iter_mut().enumerate() {
            if st.ignored.get(i).copied().unwrap_or(false) {
                *s = 0;
            } else if max == 0 {
                *s = MAX_NODE_SCORE;
            } else {
                *s = MAX_NODE_SCORE * (max + min - *s) / max;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_matches_math_round() {
        for x in [
            0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.4999,
            2.5,
            7.0,
            123.75,
            1e12 + 0.5,
        ] {
            assert_eq!(round_non_negative(x), x.round() as i64, "{x}");
        }
    }
}
