//! Golden tests for the node-level scheduler plugins — TaintToleration, NodeAffinity,
//! ImageLocality, NodeName, NodePorts and NodeUnschedulable — transcribed from the upstream
//! plugin unit tests in `kubernetes/kubernetes` (`pkg/scheduler/framework/plugins/...`).
//!
//! Every case runs the real scheduler on manifests (see `tests/support/mod.rs`) with a profile
//! in which only the plugin under test is enabled, and asserts upstream's exact values:
//! normalised scores, filter reasons and status codes. Each test names the upstream test
//! function and case it came from. Where upstream calls a plugin method directly on an object
//! the scheduler never sees (a pod that already has `spec.nodeName`), the plugin is called
//! directly too.

// The shared harness is not rustfmt-formatted and is not ours to change: keep `cargo fmt` out.
mod support;

use kubesim::model::NodeId;
use kubesim::scheduler::explain::FilterVerdict;
use kubesim::scheduler::framework::{Code, CycleState, FilterPlugin, NodeInfo, View};
use kubesim::scheduler::nominator::Nominator;
use kubesim::sim::whatif::WhatIf;
use std::collections::BTreeMap;
use support::*;

const MB: i64 = 1024 * 1024;
const GI: i64 = 1 << 30;
const POD: &str = "default/p";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A node's filter verdict with the status code upstream tests compare.
#[derive(Clone, Debug, PartialEq, Eq)]
enum V {
    /// Every enabled filter passed (upstream: nil status).
    Pass,
    /// Rejected with this code and message.
    Reject(Code, String),
    /// Not filtered (outside the PreFilter result, or the PreFilter rejected the pod).
    NotEvaluated,
}

fn unresolvable(msg: &str) -> V {
    V::Reject(Code::UnschedulableAndUnresolvable, msg.to_string())
}

fn unschedulable(msg: &str) -> V {
    V::Reject(Code::Unschedulable, msg.to_string())
}

/// Every node's verdict for pod `key`.
fn statuses(w: &WhatIf, key: &str) -> BTreeMap<String, V> {
    attempt(w, key)
        .nodes
        .iter()
        .map(|n| {
            let v = match &n.filter {
                FilterVerdict::Passed => V::Pass,
                FilterVerdict::Rejected(_, st) => V::Reject(st.code, st.message()),
                FilterVerdict::NotEvaluated => V::NotEvaluated,
            };
            (w.node_name(n.node), v)
        })
        .collect()
}

/// The verdict of one node for the pending pod.
fn status_of(w: &WhatIf, node: &str) -> V {
    statuses(w, POD)
        .remove(node)
        .unwrap_or_else(|| panic!("node {node} not in the attempt"))
}

/// `filter_only` with the plugin's PreFilter off too (upstream: Filter called without PreFilter).
fn filter_without_prefilter(plugin: &str, args: Option<&str>) -> String {
    let s = filter_only(plugin, args);
    let with = format!("preFilter: {{disabled: [{{name: \"*\"}}], enabled: [{{name: {plugin}}}]}}");
    assert!(s.contains(&with), "filter_only changed shape:\n{s}");
    s.replace(&with, "preFilter: {disabled: [{name: \"*\"}]}")
}

/// `score_only` with the plugin's PreScore off (upstream: Score called without PreScore).
fn score_without_prescore(plugin: &str, args: Option<&str>) -> String {
    let s = score_only(plugin, args);
    let with = format!("preScore: {{disabled: [{{name: \"*\"}}], enabled: [{{name: {plugin}}}]}}");
    assert!(s.contains(&with), "score_only changed shape:\n{s}");
    s.replace(&with, "preScore: {disabled: [{name: \"*\"}]}")
}

/// A score map literal.
fn m(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// A node with `spec` (flow YAML, may be empty) and ample resources.
fn node_spec(name: &str, labels: &[(&str, &str)], spec: &str) -> String {
    node_full(name, 4000, 8 * GI, 110, labels, spec)
}

/// A node with `taints` (flow YAML list items, may be empty).
fn tainted(name: &str, taints: &str) -> String {
    if taints.is_empty() {
        node_spec(name, &[], "")
    } else {
        node_spec(name, &[], &format!("taints: [{taints}]"))
    }
}

/// The pending pod `default/p` with `tolerations` (flow YAML list items, may be empty).
fn tolerating(tolerations: &str) -> String {
    if tolerations.is_empty() {
        pod("p", 0, 0, None, &[], "")
    } else {
        pod(
            "p",
            0,
            0,
            None,
            &[],
            &format!("tolerations: [{tolerations}]"),
        )
    }
}

/// Calls `plugin`'s Filter directly for pod `default/{pod_name}` on node `node_name` of the
/// what-if's store, as upstream unit tests call `Filter` on a hand-made NodeInfo.
fn direct_filter(w: &WhatIf, plugin: &dyn FilterPlugin, pod_name: &str, node_name: &str) -> V {
    let store = &w.sim.store;
    let ns = store.interner.lookup("default").expect("namespace default");
    let pid = store.pod_by_name(ns, pod_name).expect("pod");
    let pod = store.pod(pid).expect("pod");
    let (id, node): (NodeId, _) = store
        .nodes()
        .find(|(_, n)| store.interner.resolve(n.name) == node_name)
        .expect("node");
    let nominator = Nominator::default();
    let view = View {
        store,
        cache: w.sim.scheduler.cache(),
        nominator: &nominator,
        nodes: store.node_ids(),
    };
    let st = plugin.filter(
        &CycleState::default(),
        pod,
        &NodeInfo::plain(id, node),
        &view,
    );
    if st.is_success() {
        V::Pass
    } else {
        V::Reject(st.code, st.message())
    }
}

// ---------------------------------------------------------------------------------------------
// TaintToleration (taint_toleration_test.go)
// ---------------------------------------------------------------------------------------------

// Upstream's node names `nodeA`, `nodeB`, `nodeC` are not valid Node names (RFC 1123
// subdomains are lower case) and would be rejected on load; they are `node-a`... here.

const TT_REASON: &str = "node(s) had untolerated taint(s)";

/// Runs TestTaintTolerationScore's shape: PreScore + Score + NormalizeScore over `nodes`.
fn tt_scores(tolerations: &str, nodes: &[String]) -> BTreeMap<String, i64> {
    let mut manifests = nodes.concat();
    manifests.push_str(&tolerating(tolerations));
    let w = schedule(&manifests, Some(&score_only("TaintToleration", None)));
    scores(&w, POD, "TaintToleration")
}

/// Runs TestTaintTolerationFilter's shape: Filter of one node `node-a`.
fn tt_filter(tolerations: &str, taints: &str) -> V {
    let manifests = format!("{}{}", tainted("node-a", taints), tolerating(tolerations));
    let w = schedule(&manifests, Some(&filter_only("TaintToleration", None)));
    status_of(&w, "node-a")
}

#[test]
fn taint_toleration_score() {
    // taint_toleration_test.go TestTaintTolerationScore "node with taints tolerated by the pod,
    // gets a higher score than those node with intolerable taints"
    assert_eq!(
        tt_scores(
            "{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}",
            &[
                tainted("node-a", "{key: foo, value: bar, effect: PreferNoSchedule}"),
                tainted(
                    "node-b",
                    "{key: foo, value: blah, effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 100), ("node-b", 0)])
    );

    // TestTaintTolerationScore "the nodes that all of their taints are tolerated by the pod, get
    // the same score, no matter how many tolerable taints a node has"
    assert_eq!(
        tt_scores(
            "{key: cpu-type, operator: Equal, value: arm64, effect: PreferNoSchedule}, \
             {key: disk-type, operator: Equal, value: ssd, effect: PreferNoSchedule}",
            &[
                tainted("node-a", ""),
                tainted(
                    "node-b",
                    "{key: cpu-type, value: arm64, effect: PreferNoSchedule}"
                ),
                tainted(
                    "node-c",
                    "{key: cpu-type, value: arm64, effect: PreferNoSchedule}, \
                     {key: disk-type, value: ssd, effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 100), ("node-b", 100), ("node-c", 100)])
    );

    // TestTaintTolerationScore "the more intolerable taints a node has, the lower score it gets."
    assert_eq!(
        tt_scores(
            "{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}",
            &[
                tainted("node-a", ""),
                tainted(
                    "node-b",
                    "{key: cpu-type, value: arm64, effect: PreferNoSchedule}"
                ),
                tainted(
                    "node-c",
                    "{key: cpu-type, value: arm64, effect: PreferNoSchedule}, \
                     {key: disk-type, value: ssd, effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 100), ("node-b", 50), ("node-c", 0)])
    );

    // TestTaintTolerationScore "only taints and tolerations that have effect PreferNoSchedule are
    // checked by taints-tolerations priority function"
    assert_eq!(
        tt_scores(
            "{key: cpu-type, operator: Equal, value: arm64, effect: NoSchedule}, \
             {key: disk-type, operator: Equal, value: ssd, effect: NoSchedule}",
            &[
                tainted("node-a", ""),
                tainted(
                    "node-b",
                    "{key: cpu-type, value: arm64, effect: NoSchedule}"
                ),
                tainted(
                    "node-c",
                    "{key: cpu-type, value: arm64, effect: PreferNoSchedule}, \
                     {key: disk-type, value: ssd, effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 100), ("node-b", 100), ("node-c", 0)])
    );

    // TestTaintTolerationScore "Default behaviour No taints and tolerations, lands on node with
    // no taints"
    assert_eq!(
        tt_scores(
            "",
            &[
                tainted("node-a", ""),
                tainted(
                    "node-b",
                    "{key: cpu-type, value: arm64, effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 100), ("node-b", 0)])
    );
}

/// The comparison-operator cases run upstream with `enableTaintTolerationComparisonOps: true`;
/// kubesim always evaluates `Gt`/`Lt` tolerations (it has no feature gates).
#[test]
fn taint_toleration_score_comparison_operators() {
    // taint_toleration_test.go TestTaintTolerationScore "Numeric Gt operator: pod with Gt
    // toleration prefers nodes with matching SLA taint"
    assert_eq!(
        tt_scores(
            "{key: node.kubernetes.io/sla, operator: Gt, value: \"950\", effect: PreferNoSchedule}",
            &[
                tainted(
                    "node-a",
                    "{key: node.kubernetes.io/sla, value: \"800\", effect: PreferNoSchedule}"
                ),
                tainted(
                    "node-b",
                    "{key: node.kubernetes.io/sla, value: \"999\", effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 0), ("node-b", 100)])
    );

    // TestTaintTolerationScore "Numeric Lt operator: pod with Lt toleration prefers nodes with
    // matching SLA taint"
    assert_eq!(
        tt_scores(
            "{key: node.kubernetes.io/sla, operator: Lt, value: \"800\", effect: PreferNoSchedule}",
            &[
                tainted(
                    "node-a",
                    "{key: node.kubernetes.io/sla, value: \"950\", effect: PreferNoSchedule}"
                ),
                tainted(
                    "node-b",
                    "{key: node.kubernetes.io/sla, value: \"700\", effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 0), ("node-b", 100)])
    );

    // TestTaintTolerationScore "Score ignores parse errors from numeric PreferNoSchedule taint
    // value"
    assert_eq!(
        tt_scores(
            "{key: node.kubernetes.io/sla, operator: Gt, value: \"950\", effect: PreferNoSchedule}",
            &[
                tainted("node-a", ""),
                tainted(
                    "node-b",
                    "{key: node.kubernetes.io/sla, value: high, effect: PreferNoSchedule}"
                ),
            ]
        ),
        m(&[("node-a", 100), ("node-b", 0)])
    );
}

#[test]
fn taint_toleration_filter() {
    let reject = unresolvable(TT_REASON);

    // taint_toleration_test.go TestTaintTolerationFilter "A pod having no tolerations can't be
    // scheduled onto a node with nonempty taints"
    assert_eq!(
        tt_filter("", "{key: dedicated, value: user1, effect: NoSchedule}"),
        reject
    );

    // TestTaintTolerationFilter "A pod which can be scheduled on a dedicated node assigned to
    // user1 with effect NoSchedule"
    assert_eq!(
        tt_filter(
            "{key: dedicated, value: user1, effect: NoSchedule}",
            "{key: dedicated, value: user1, effect: NoSchedule}"
        ),
        V::Pass
    );

    // TestTaintTolerationFilter "A pod which can't be scheduled on a dedicated node assigned to
    // user2 with effect NoSchedule"
    assert_eq!(
        tt_filter(
            "{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}",
            "{key: dedicated, value: user1, effect: NoSchedule}"
        ),
        reject
    );

    // TestTaintTolerationFilter "A pod can be scheduled onto the node, with a toleration uses
    // operator Exists that tolerates the taints on the node"
    assert_eq!(
        tt_filter(
            "{key: foo, operator: Exists, effect: NoSchedule}",
            "{key: foo, value: bar, effect: NoSchedule}"
        ),
        V::Pass
    );

    // TestTaintTolerationFilter "A pod has multiple tolerations, node has multiple taints, all
    // the taints are tolerated, pod can be scheduled onto the node"
    assert_eq!(
        tt_filter(
            "{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}, \
             {key: foo, operator: Exists, effect: NoSchedule}",
            "{key: dedicated, value: user2, effect: NoSchedule}, {key: foo, value: bar, effect: NoSchedule}"
        ),
        V::Pass
    );

    // TestTaintTolerationFilter "A pod has a toleration that keys and values match the taint on
    // the node, but (non-empty) effect doesn't match, can't be scheduled onto the node"
    assert_eq!(
        tt_filter(
            "{key: foo, operator: Equal, value: bar, effect: PreferNoSchedule}",
            "{key: foo, value: bar, effect: NoSchedule}"
        ),
        reject
    );

    // TestTaintTolerationFilter "The pod has a toleration that keys and values match the taint
    // on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod
    // can be scheduled onto the node"
    assert_eq!(
        tt_filter(
            "{key: foo, operator: Equal, value: bar}",
            "{key: foo, value: bar, effect: NoSchedule}"
        ),
        V::Pass
    );

    // TestTaintTolerationFilter "The pod has a toleration that key and value don't match the
    // taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be
    // scheduled onto the node"
    assert_eq!(
        tt_filter(
            "{key: dedicated, operator: Equal, value: user2, effect: NoSchedule}",
            "{key: dedicated, value: user1, effect: PreferNoSchedule}"
        ),
        V::Pass
    );

    // TestTaintTolerationFilter "The pod has no toleration, but the effect of taint on node is
    // PreferNoSchedule. Pod can be scheduled onto the node"
    assert_eq!(
        tt_filter(
            "",
            "{key: dedicated, value: user1, effect: PreferNoSchedule}"
        ),
        V::Pass
    );
}

/// Upstream runs these with `enableTaintTolerationComparisonOps: true` (alpha gate
/// TaintTolerationComparisonOperators); kubesim always honours `Gt`/`Lt`.
#[test]
fn taint_toleration_filter_comparison_operators() {
    let reject = unresolvable(TT_REASON);

    // taint_toleration_test.go TestTaintTolerationFilter "Pod with Gt toleration cannot be
    // scheduled on node when taint value is lower than threshold"
    assert_eq!(
        tt_filter(
            "{key: node.example.com/priority-level, operator: Gt, value: \"950\", effect: NoSchedule}",
            "{key: node.example.com/priority-level, value: \"800\", effect: NoSchedule}"
        ),
        reject
    );

    // TestTaintTolerationFilter "Pod with Gt toleration can be scheduled on node when taint
    // value is higher than threshold" (also TestTaintTolerationFilterWithFeatureGate "Pod with Gt
    // toleration can be scheduled when feature gate is enabled and taint value is higher")
    assert_eq!(
        tt_filter(
            "{key: node.kubernetes.io/sla, operator: Gt, value: \"750\", effect: NoSchedule}",
            "{key: node.kubernetes.io/sla, value: \"950\", effect: NoSchedule}"
        ),
        V::Pass
    );

    // TestTaintTolerationFilter "Pod with Lt toleration cannot be scheduled on node when taint
    // value is higher than threshold"
    assert_eq!(
        tt_filter(
            "{key: node.example.com/priority-level, operator: Lt, value: \"800\", effect: NoSchedule}",
            "{key: node.example.com/priority-level, value: \"950\", effect: NoSchedule}"
        ),
        reject
    );

    // TestTaintTolerationFilter "Pod with Lt toleration can be scheduled on node when taint
    // value is lower than threshold" (also TestTaintTolerationFilterWithFeatureGate "Pod with Lt
    // toleration can be scheduled when feature gate is enabled and taint value is lower")
    assert_eq!(
        tt_filter(
            "{key: node.kubernetes.io/sla, operator: Lt, value: \"950\", effect: NoSchedule}",
            "{key: node.kubernetes.io/sla, value: \"800\", effect: NoSchedule}"
        ),
        V::Pass
    );

    // TestTaintTolerationFilter "Pod with Gt toleration cannot be scheduled on node with
    // non-numeric taint value". v1.36 (toleration.go logs the parse error and reports no match):
    // UnschedulableAndUnresolvable "node(s) had untolerated taint(s)". Upstream master after
    // PR #140071 (v1.37 development) surfaces the parse error as the status message instead
    // (`failed to parse taint value "high" as int64: ...`), same code.
    assert_eq!(
        tt_filter(
            "{key: node.kubernetes.io/sla, operator: Gt, value: \"950\", effect: NoSchedule}",
            "{key: node.kubernetes.io/sla, value: high, effect: NoSchedule}"
        ),
        reject
    );

    // TestTaintTolerationFilterWithFeatureGate "Pod with mixed tolerations (Equal and Gt) when
    // feature gate is disabled - only Equal is honored": the Equal toleration alone tolerates the
    // only taint, so the verdict does not depend on the gate kubesim does not model.
    assert_eq!(
        tt_filter(
            "{key: dedicated, operator: Equal, value: user1, effect: NoSchedule}, \
             {key: node.kubernetes.io/sla, operator: Gt, value: \"750\", effect: NoSchedule}",
            "{key: dedicated, value: user1, effect: NoSchedule}"
        ),
        V::Pass
    );
}

// ---------------------------------------------------------------------------------------------
// NodeAffinity (node_affinity_test.go)
// ---------------------------------------------------------------------------------------------

const NA_REASON: &str = "node(s) didn't match Pod's node affinity/selector";
const NA_ENFORCED: &str = "node(s) didn't match scheduler-enforced node affinity";

/// What the NodeAffinity PreFilter did, as the scheduler shows it.
#[derive(Debug, PartialEq, Eq)]
enum Pf {
    /// No node-set narrowing: upstream `nil` PreFilterResult (with Success or Skip status).
    All,
    /// Narrowed to these node names (upstream `PreFilterResult{NodeNames: ...}`).
    Names(Vec<&'static str>),
    /// Rejected the pod with this status, which every node then carries; the attempt's message
    /// is `0/N nodes are available: <reason>.`.
    Rejected(V),
}

fn required(terms: &str) -> String {
    format!(
        "affinity: {{nodeAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: [{terms}]}}}}}}"
    )
}

/// One TestNodeAffinity case: a node `name` with `labels`, a pod with extra spec `pod_spec`,
/// `NodeAffinityArgs` `args`. Returns the PreFilter's effect and the node's Filter verdict.
///
/// The PreFilter is observed in a cluster of the case node plus `node1`, `node2` (upstream's
/// names) and `zz-probe`: nodes outside the PreFilter result are not filtered. The Filter
/// verdict is taken from a run without the PreFilter (upstream calls Filter on the node whatever
/// the PreFilter result), and must agree with the first run wherever that one filtered the node.
fn na_case(name: &str, labels: &[(&str, &str)], pod_spec: &str, args: Option<&str>) -> (Pf, V) {
    let p = pod("p", 0, 0, None, &[], pod_spec);
    let mut cluster = node(name, 4000, 8 * GI, labels);
    for extra in ["node1", "node2", "zz-probe"] {
        if extra != name {
            cluster.push_str(&node(extra, 4000, 8 * GI, &[]));
        }
    }
    let w = schedule(
        &format!("{cluster}{p}"),
        Some(&filter_only("NodeAffinity", args)),
    );
    let st = statuses(&w, POD);
    let mut with_prefilter = st[name].clone();
    let first = st.values().next().cloned().expect("nodes");
    let prefilter_rejected = match (&first, outcome(&w, POD)) {
        (V::Reject(_, reason), Err(msg)) => {
            st.values().all(|v| *v == first)
                && msg == format!("0/{} nodes are available: {reason}.", st.len())
        }
        _ => false,
    };
    let pf = if prefilter_rejected {
        with_prefilter = V::NotEvaluated;
        Pf::Rejected(first)
    } else if st["zz-probe"] == V::NotEvaluated {
        Pf::Names(
            ["node1", "node2"]
                .into_iter()
                .filter(|n| st.get(*n).is_some_and(|v| *v != V::NotEvaluated))
                .collect(),
        )
    } else {
        Pf::All
    };
    let filter = na_filter_only(name, labels, pod_spec, args);
    if with_prefilter != V::NotEvaluated {
        assert_eq!(
            with_prefilter, filter,
            "Filter verdict with and without PreFilter"
        );
    }
    (pf, filter)
}

/// The Filter verdict of node `name` with the NodeAffinity PreFilter disabled.
fn na_filter_only(name: &str, labels: &[(&str, &str)], pod_spec: &str, args: Option<&str>) -> V {
    let manifests = format!(
        "{}{}",
        node(name, 4000, 8 * GI, labels),
        pod("p", 0, 0, None, &[], pod_spec)
    );
    let w = schedule(
        &manifests,
        Some(&filter_without_prefilter("NodeAffinity", args)),
    );
    status_of(&w, name)
}

#[test]
fn node_affinity_filter_node_selector() {
    let reject = unresolvable(NA_REASON);

    // node_affinity_test.go TestNodeAffinity "missing labels"
    assert_eq!(
        na_case("node", &[], "nodeSelector: {foo: bar}", None),
        (Pf::All, reject.clone())
    );

    // TestNodeAffinity "same labels"
    assert_eq!(
        na_case("node", &[("foo", "bar")], "nodeSelector: {foo: bar}", None),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "node labels are superset"
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar"), ("baz", "blah")],
            "nodeSelector: {foo: bar}",
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "node labels are subset"
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            "nodeSelector: {foo: bar, baz: blah}",
            None
        ),
        (Pf::All, reject)
    );

    // TestNodeAffinity "Matches node selector correctly even if PreFilter is not called"
    assert_eq!(
        na_filter_only(
            "node",
            &[("foo", "bar"), ("baz", "blah")],
            "nodeSelector: {foo: bar}",
            None
        ),
        V::Pass
    );
}

#[test]
fn node_affinity_filter_required_terms() {
    let reject = unresolvable(NA_REASON);

    // node_affinity_test.go TestNodeAffinity "Pod with matchExpressions using In operator that
    // matches the existing node"
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            &required("{matchExpressions: [{key: foo, operator: In, values: [bar, value2]}]}"),
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with matchExpressions using Gt operator that matches the existing node"
    assert_eq!(
        na_case(
            "node",
            &[("kernel-version", "0206")],
            &required(
                "{matchExpressions: [{key: kernel-version, operator: Gt, values: [\"0204\"]}]}"
            ),
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with matchExpressions using NotIn operator that matches the existing
    // node"
    assert_eq!(
        na_case(
            "node",
            &[("mem-type", "DDR3")],
            &required(
                "{matchExpressions: [{key: mem-type, operator: NotIn, values: [DDR, DDR2]}]}"
            ),
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with matchExpressions using Exists operator that matches the existing
    // node"
    assert_eq!(
        na_case(
            "node",
            &[("GPU", "NVIDIA-GRID-K1")],
            &required("{matchExpressions: [{key: GPU, operator: Exists}]}"),
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with affinity that don't match node's labels won't schedule onto the
    // node"
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            &required("{matchExpressions: [{key: foo, operator: In, values: [value1, value2]}]}"),
            None
        ),
        (Pf::All, reject.clone())
    );

    // TestNodeAffinity "Pod with empty MatchExpressions is not a valid value will match no objects
    // and won't schedule onto the node"
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            &required("{matchExpressions: []}"),
            None
        ),
        (Pf::All, reject.clone())
    );

    // TestNodeAffinity "Pod with no Affinity will schedule onto a node" (PreFilter: Skip)
    assert_eq!(
        na_case("node", &[("foo", "bar")], "", None),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with Affinity but nil NodeSelector will schedule onto a node"
    // (PreFilter: Skip)
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            "affinity: {nodeAffinity: {}}",
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with multiple matchExpressions ANDed that matches the existing node"
    let anded_match = required(
        "{matchExpressions: [{key: GPU, operator: Exists}, {key: GPU, operator: NotIn, values: [AMD, INTER]}]}",
    );
    assert_eq!(
        na_case("node", &[("GPU", "NVIDIA-GRID-K1")], &anded_match, None),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Matches node affinity correctly even if PreFilter is not called"
    assert_eq!(
        na_filter_only("node", &[("GPU", "NVIDIA-GRID-K1")], &anded_match, None),
        V::Pass
    );

    // TestNodeAffinity "Pod with multiple matchExpressions ANDed that doesn't match the existing
    // node"
    assert_eq!(
        na_case(
            "node",
            &[("GPU", "NVIDIA-GRID-K1")],
            &required(
                "{matchExpressions: [{key: GPU, operator: Exists}, {key: GPU, operator: In, values: [AMD, INTER]}]}"
            ),
            None
        ),
        (Pf::All, reject.clone())
    );

    // TestNodeAffinity "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's
    // labels and will schedule onto the node"
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            &required(
                "{matchExpressions: [{key: foo, operator: In, values: [bar, value2]}]}, \
                 {matchExpressions: [{key: diffkey, operator: In, values: [wrong, value2]}]}"
            ),
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are
    // deprecating) both are satisfied, will schedule onto the node"
    let foo_exists = required("{matchExpressions: [{key: foo, operator: Exists}]}");
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            &format!("nodeSelector: {{foo: bar}}, {foo_exists}"),
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with an Affinity matches node's labels but the
    // PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule
    // onto the node"
    assert_eq!(
        na_case(
            "node",
            &[("foo", "barrrrrr")],
            &format!("nodeSelector: {{foo: bar}}, {foo_exists}"),
            None
        ),
        (Pf::All, reject.clone())
    );

    // TestNodeAffinity "Pod with an invalid value in Affinity term won't be scheduled onto the
    // node": the term fails to parse (invalid label value) and so matches nothing.
    assert_eq!(
        na_case(
            "node",
            &[("foo", "bar")],
            &required(
                "{matchExpressions: [{key: foo, operator: NotIn, values: [\"invalid value: ___@#$%^\"]}]}"
            ),
            None
        ),
        (Pf::All, reject)
    );
}

#[test]
fn node_affinity_filter_match_fields() {
    let reject = unresolvable(NA_REASON);

    // node_affinity_test.go TestNodeAffinity "Pod with matchFields using In operator that matches
    // the existing node"
    let name_in_node1 =
        required("{matchFields: [{key: metadata.name, operator: In, values: [node1]}]}");
    assert_eq!(
        na_case("node1", &[], &name_in_node1, None),
        (Pf::Names(vec!["node1"]), V::Pass)
    );

    // TestNodeAffinity "Pod with matchFields using In operator that does not match the existing
    // node"
    assert_eq!(
        na_case("node2", &[], &name_in_node1, None),
        (Pf::Names(vec!["node1"]), reject.clone())
    );

    // TestNodeAffinity "Pod with two terms: matchFields does not match, but matchExpressions
    // matches"
    assert_eq!(
        na_case(
            "node2",
            &[("foo", "bar")],
            &required(
                "{matchFields: [{key: metadata.name, operator: In, values: [node1]}, \
                               {key: metadata.name, operator: In, values: [node2]}]}, \
                 {matchExpressions: [{key: foo, operator: In, values: [bar]}]}"
            ),
            None
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Pod with one term: matchFields does not match, but matchExpressions
    // matches"
    let one_term = required(
        "{matchFields: [{key: metadata.name, operator: In, values: [node1]}], \
          matchExpressions: [{key: foo, operator: In, values: [bar]}]}",
    );
    assert_eq!(
        na_case("node2", &[("foo", "bar")], &one_term, None),
        (Pf::Names(vec!["node1"]), reject.clone())
    );

    // TestNodeAffinity "Pod with one term: both matchFields and matchExpressions match"
    assert_eq!(
        na_case("node1", &[("foo", "bar")], &one_term, None),
        (Pf::Names(vec!["node1"]), V::Pass)
    );

    // TestNodeAffinity "Pod with two terms: both matchFields and matchExpressions do not match"
    assert_eq!(
        na_case(
            "node2",
            &[("foo", "bar")],
            &required(
                "{matchFields: [{key: metadata.name, operator: In, values: [node1]}]}, \
                 {matchExpressions: [{key: foo, operator: In, values: [not-match-to-bar]}]}"
            ),
            None
        ),
        (Pf::All, reject.clone())
    );

    // TestNodeAffinity "Pod with two terms of node.Name affinity"
    assert_eq!(
        na_case(
            "node2",
            &[],
            &required(
                "{matchFields: [{key: metadata.name, operator: In, values: [node1]}]}, \
                 {matchFields: [{key: metadata.name, operator: In, values: [node2]}]}"
            ),
            None
        ),
        (Pf::Names(vec!["node1", "node2"]), V::Pass)
    );

    // TestNodeAffinity "Pod with two conflicting mach field requirements": PreFilter
    // UnschedulableAndUnresolvable "pod affinity terms conflict" (no Filter runs in the
    // scheduler; every node carries the PreFilter status), Filter ErrReasonPod.
    assert_eq!(
        na_case(
            "node2",
            &[("foo", "bar")],
            &required(
                "{matchFields: [{key: metadata.name, operator: In, values: [node1]}, \
                               {key: metadata.name, operator: In, values: [node2]}]}"
            ),
            None
        ),
        (
            Pf::Rejected(unresolvable("pod affinity terms conflict")),
            reject
        )
    );
}

#[test]
fn node_affinity_filter_added_affinity() {
    let added_name_node2 = "{addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: \
         {nodeSelectorTerms: [{matchFields: [{key: metadata.name, operator: In, values: [node2]}]}]}}}";

    // node_affinity_test.go TestNodeAffinity "Matches added affinity and Pod's node affinity"
    assert_eq!(
        na_case(
            "node2",
            &[("zone", "foo")],
            &required("{matchExpressions: [{key: zone, operator: In, values: [foo]}]}"),
            Some(added_name_node2)
        ),
        (Pf::All, V::Pass)
    );

    // TestNodeAffinity "Matches added affinity but not Pod's node affinity"
    assert_eq!(
        na_case(
            "node2",
            &[("zone", "foo")],
            &required("{matchExpressions: [{key: zone, operator: In, values: [bar]}]}"),
            Some(added_name_node2)
        ),
        (Pf::All, unresolvable(NA_REASON))
    );

    // TestNodeAffinity "Doesn't match added affinity"
    assert_eq!(
        na_case(
            "node2",
            &[("zone", "foo")],
            "",
            Some(
                "{addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: \
                 {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [bar]}]}]}}}"
            )
        ),
        (Pf::All, unresolvable(NA_ENFORCED))
    );
}

const AFFINITY1: &str = "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: \
     [{weight: 2, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}}]}}";
const AFFINITY2: &str = "affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [\
     {weight: 2, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}}, \
     {weight: 4, preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}}, \
     {weight: 5, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}, \
         {key: key, operator: In, values: [value]}, {key: az, operator: In, values: [az1]}]}}]}}";
const LABEL1: &[(&str, &str)] = &[("foo", "bar")];
const LABEL2: &[(&str, &str)] = &[("key", "value")];
const LABEL3: &[(&str, &str)] = &[("az", "az1")];
const LABEL4: &[(&str, &str)] = &[("abc", "az11"), ("def", "az22")];
const LABEL5: &[(&str, &str)] = &[("foo", "bar"), ("key", "value"), ("az", "az1")];

/// Runs TestNodeAffinityPriority's shape: (PreScore +) Score + NormalizeScore.
fn na_scores(
    pod_spec: &str,
    nodes: &[(&str, &[(&str, &str)])],
    args: Option<&str>,
    pre_score: bool,
) -> BTreeMap<String, i64> {
    let mut manifests: String = nodes
        .iter()
        .map(|(n, l)| node(n, 4000, 8 * GI, l))
        .collect();
    manifests.push_str(&pod("p", 0, 0, None, &[], pod_spec));
    let cfg = if pre_score {
        score_only("NodeAffinity", args)
    } else {
        score_without_prescore("NodeAffinity", args)
    };
    let w = schedule(&manifests, Some(&cfg));
    scores(&w, POD, "NodeAffinity")
}

#[test]
fn node_affinity_score() {
    // node_affinity_test.go TestNodeAffinityPriority "all nodes are same priority as NodeAffinity
    // is nil" (Score without PreScore)
    assert_eq!(
        na_scores(
            "",
            &[("node1", LABEL1), ("node2", LABEL2), ("node3", LABEL3)],
            None,
            false
        ),
        m(&[("node1", 0), ("node2", 0), ("node3", 0)])
    );

    // TestNodeAffinityPriority "Skip is returned in PreScore when NodeAffinity is nil": the
    // plugin's Score is skipped, so it gives no score at all.
    assert_eq!(na_scores("", &[("node1", LABEL1)], None, true), m(&[]));

    // TestNodeAffinityPriority "no node matches preferred scheduling requirements in NodeAffinity
    // of pod so all nodes' priority is zero"
    assert_eq!(
        na_scores(
            AFFINITY1,
            &[("node1", LABEL4), ("node2", LABEL2), ("node3", LABEL3)],
            None,
            true
        ),
        m(&[("node1", 0), ("node2", 0), ("node3", 0)])
    );

    // TestNodeAffinityPriority "only node1 matches the preferred scheduling requirements of pod"
    assert_eq!(
        na_scores(
            AFFINITY1,
            &[("node1", LABEL1), ("node2", LABEL2), ("node3", LABEL3)],
            None,
            true
        ),
        m(&[("node1", 100), ("node2", 0), ("node3", 0)])
    );

    // TestNodeAffinityPriority "all nodes matches the preferred scheduling requirements of pod but
    // with different priorities "
    let diff = m(&[("node1", 18), ("node5", 100), ("node2", 36)]);
    assert_eq!(
        na_scores(
            AFFINITY2,
            &[("node1", LABEL1), ("node5", LABEL5), ("node2", LABEL2)],
            None,
            true
        ),
        diff
    );

    // TestNodeAffinityPriority "calculate the priorities correctly even if PreScore is not called"
    for pre_score in [false, true] {
        assert_eq!(
            na_scores(
                AFFINITY2,
                &[("node1", LABEL1), ("node5", LABEL5), ("node2", LABEL2)],
                None,
                pre_score
            ),
            diff,
            "pre_score={pre_score}"
        );
    }

    // TestNodeAffinityPriority "added affinity"
    let added1 = "{addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: \
         [{weight: 2, preference: {matchExpressions: [{key: foo, operator: In, values: [bar]}]}}]}}";
    assert_eq!(
        na_scores(
            "",
            &[("node1", LABEL1), ("node2", LABEL2)],
            Some(added1),
            true
        ),
        m(&[("node1", 100), ("node2", 0)])
    );

    // TestNodeAffinityPriority "added affinity and pod has default affinity"
    let added3 = "{addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: \
         [{weight: 3, preference: {matchExpressions: [{key: key, operator: In, values: [value]}]}}]}}";
    assert_eq!(
        na_scores(
            AFFINITY1,
            &[("node1", LABEL1), ("node2", LABEL2), ("node3", LABEL5)],
            Some(added3),
            true
        ),
        m(&[("node1", 40), ("node2", 60), ("node3", 100)])
    );
}

// ---------------------------------------------------------------------------------------------
// ImageLocality (image_locality_test.go)
// ---------------------------------------------------------------------------------------------

/// A node reporting `images` (names, size in MiB) in `status.images`.
fn image_node(name: &str, images: &[(&[&str], i64)]) -> String {
    let mut s = node(name, 4000, 8 * GI, &[]);
    if !images.is_empty() {
        s.push_str("  images:\n");
        for (names, mib) in images {
            let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            s.push_str(&format!(
                "  - names: [{}]\n    sizeBytes: {}\n",
                names.join(", "),
                mib * MB
            ));
        }
    }
    s
}

/// The pending pod with these container and init-container images.
fn image_pod(containers: &[&str], init: &[&str]) -> String {
    let list = |prefix: &str, images: &[&str]| -> String {
        images
            .iter()
            .enumerate()
            .map(|(k, img)| format!("{{name: {prefix}{k}, image: \"{img}\"}}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut spec = format!("containers: [{}]", list("c", containers));
    if !init.is_empty() {
        spec.push_str(&format!(", initContainers: [{}]", list("i", init)));
    }
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: default}}\nspec: {{{spec}}}\n"
    )
}

fn il_scores(pod: &str, nodes: &[String]) -> BTreeMap<String, i64> {
    let manifests = format!("{}{pod}", nodes.concat());
    let w = schedule(&manifests, Some(&score_only("ImageLocality", None)));
    scores(&w, POD, "ImageLocality")
}

#[test]
fn image_locality_priority() {
    let node403002000 = |n: &str| {
        image_node(
            n,
            &[
                (&["gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"], 40),
                (&["gcr.io/300:latest", "gcr.io/300:v1"], 300),
                (&["gcr.io/2000:latest"], 2000),
            ],
        )
    };
    let node25010 = |n: &str| {
        image_node(
            n,
            &[
                (&["gcr.io/250:latest"], 250),
                (&["gcr.io/10:latest", "gcr.io/10:v1"], 10),
            ],
        )
    };
    let node60040900 = |n: &str| {
        image_node(
            n,
            &[
                (&["gcr.io/600:latest"], 600),
                (&["gcr.io/40:latest"], 40),
                (&["gcr.io/900:latest"], 900),
            ],
        )
    };
    let node300600900 = |n: &str| {
        image_node(
            n,
            &[
                (&["gcr.io/300:latest"], 300),
                (&["gcr.io/600:latest"], 600),
                (&["gcr.io/900:latest"], 900),
            ],
        )
    };
    let node400030 = |n: &str| {
        image_node(
            n,
            &[(&["gcr.io/4000:latest"], 4000), (&["gcr.io/30:latest"], 30)],
        )
    };
    let node203040 = |n: &str| {
        image_node(
            n,
            &[
                (&["gcr.io/20:latest"], 20),
                (&["gcr.io/30:latest"], 30),
                (&["gcr.io/40:latest"], 40),
            ],
        )
    };
    let no_images = |n: &str| image_node(n, &[]);

    // image_locality_test.go TestImageLocalityPriority "two images spread on two nodes, prefer
    // the larger image one"
    assert_eq!(
        il_scores(
            &image_pod(&["gcr.io/40", "gcr.io/250"], &[]),
            &[node403002000("node1"), node25010("node2")]
        ),
        m(&[("node1", 0), ("node2", 5)])
    );

    // TestImageLocalityPriority "two images on one node, prefer this node"
    assert_eq!(
        il_scores(
            &image_pod(&["gcr.io/40", "gcr.io/300"], &[]),
            &[node403002000("node1"), node25010("node2")]
        ),
        m(&[("node1", 7), ("node2", 0)])
    );

    // TestImageLocalityPriority "if exceed limit, use limit"
    assert_eq!(
        il_scores(
            &image_pod(&["gcr.io/10", "gcr.io/4000"], &[]),
            &[node400030("node1"), node25010("node2")]
        ),
        m(&[("node1", 100), ("node2", 0)])
    );

    // TestImageLocalityPriority "if exceed limit, use limit (with node which has no images
    // present)"
    assert_eq!(
        il_scores(
            &image_pod(&["gcr.io/10", "gcr.io/4000"], &[]),
            &[node400030("node1"), node25010("node2"), no_images("node3")]
        ),
        m(&[("node1", 66), ("node2", 0), ("node3", 0)])
    );

    // TestImageLocalityPriority "pod with multiple large images, node2 is preferred"
    assert_eq!(
        il_scores(
            &image_pod(&["gcr.io/300", "gcr.io/600", "gcr.io/900"], &[]),
            &[
                node60040900("node1"),
                node300600900("node2"),
                no_images("node3")
            ]
        ),
        m(&[("node1", 32), ("node2", 36), ("node3", 0)])
    );

    // TestImageLocalityPriority "pod with multiple small images"
    assert_eq!(
        il_scores(
            &image_pod(&["gcr.io/30", "gcr.io/40"], &[]),
            &[node203040("node1"), node400030("node2")]
        ),
        m(&[("node1", 1), ("node2", 0)])
    );

    // TestImageLocalityPriority "include InitContainers: two images spread on two nodes, prefer
    // the larger image one"
    assert_eq!(
        il_scores(
            &image_pod(&["gcr.io/30"], &["gcr.io/300"]),
            &[node403002000("node1"), node203040("node2")]
        ),
        m(&[("node1", 6), ("node2", 0)])
    );
}

#[test]
fn image_locality_normalized_image_name() {
    use kubesim::scheduler::plugins::image_locality::normalize_image;
    // sha256("root"), as getImageFakeDigest("root") computes it.
    let digest = "root@sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2";

    // image_locality_test.go TestNormalizedImageName "add :latest postfix 1"
    assert_eq!(normalize_image("root"), "root:latest");
    // TestNormalizedImageName "add :latest postfix 2"
    assert_eq!(
        normalize_image("gcr.io:5000/root"),
        "gcr.io:5000/root:latest"
    );
    // TestNormalizedImageName "keep it as is 1"
    assert_eq!(normalize_image("root:tag"), "root:tag");
    // TestNormalizedImageName "keep it as is 2"
    assert_eq!(normalize_image(digest), digest);

    // The same through scoring: the pod's image, as written, against the node's reported name
    // (2000 MiB on the only node, one container: the maximum score).
    for (pod_image, node_image) in [
        ("root", "root:latest"),
        ("gcr.io:5000/root", "gcr.io:5000/root:latest"),
        ("root:tag", "root:tag"),
        (digest, digest),
    ] {
        assert_eq!(
            il_scores(
                &image_pod(&[pod_image], &[]),
                &[image_node("node1", &[(&[node_image], 2000)])]
            ),
            m(&[("node1", 100)]),
            "{pod_image}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// NodeName (node_name_test.go)
// ---------------------------------------------------------------------------------------------

#[test]
fn node_name_filter() {
    use kubesim::scheduler::plugins::node_name::NodeName;

    // node_name_test.go TestNodeName "no host specified"
    let w = schedule(
        &format!(
            "{}{}",
            node("foo", 4000, 8 * GI, &[]),
            pod("p", 0, 0, None, &[], "")
        ),
        Some(&filter_only("NodeName", None)),
    );
    assert_eq!(status_of(&w, "foo"), V::Pass);
    assert_eq!(direct_filter(&w, &NodeName, "p", "foo"), V::Pass);

    // A pod with spec.nodeName never reaches the scheduler: these two cases call the plugin's
    // Filter directly, as upstream does, on pods bound to `foo` and `bar`.
    let w = schedule(
        &format!(
            "{}{}{}{}",
            node("foo", 4000, 8 * GI, &[]),
            node("bar", 4000, 8 * GI, &[]),
            pod("on-foo", 0, 0, Some("foo"), &[], ""),
            pod("on-bar", 0, 0, Some("bar"), &[], "")
        ),
        Some(&filter_only("NodeName", None)),
    );
    // TestNodeName "host matches"
    assert_eq!(direct_filter(&w, &NodeName, "on-foo", "foo"), V::Pass);
    // TestNodeName "host doesn't match"
    assert_eq!(
        direct_filter(&w, &NodeName, "on-bar", "foo"),
        unresolvable("node(s) didn't match the requested node name")
    );
}

// ---------------------------------------------------------------------------------------------
// NodePorts (node_ports_test.go)
// ---------------------------------------------------------------------------------------------

const NP_REASON: &str = "node(s) didn't have free ports for the requested pod ports";

/// Container ports from upstream's `"PROTOCOL/hostIP/hostPort"` strings (`newPod`).
fn port_list(ports: &[&str]) -> String {
    ports
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let parts: Vec<&str> = p.split('/').collect();
            format!(
                "{{containerPort: {}, hostPort: {}, hostIP: \"{}\", protocol: {}}}",
                10000 + k,
                parts[2],
                parts[1],
                parts[0]
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A pod whose only container uses these host ports (`newPod`).
fn ports_pod(name: &str, node: Option<&str>, ports: &[&str]) -> String {
    let mut spec = format!(
        "containers: [{{name: c, image: \"registry.k8s.io/pause:3.10\", ports: [{}]}}]",
        port_list(ports)
    );
    if let Some(n) = node {
        spec.push_str(&format!(", nodeName: {n}"));
    }
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: default}}\nspec: {{{spec}}}\n"
    )
}

/// Filter verdict on node `m1`, which runs one pod using `existing` host ports, for the pending
/// pod `incoming` (a manifest named `p`).
fn np_filter(incoming: &str, existing: &[&str]) -> V {
    let mut manifests = node("m1", 4000, 8 * GI, &[]);
    if !existing.is_empty() {
        manifests.push_str(&ports_pod("existing", Some("m1"), existing));
    }
    manifests.push_str(incoming);
    let w = schedule(&manifests, Some(&filter_only("NodePorts", None)));
    status_of(&w, "m1")
}

fn np(incoming: &[&str], existing: &[&str]) -> V {
    np_filter(&ports_pod("p", None, incoming), existing)
}

#[test]
fn node_ports_filter() {
    let conflict = unschedulable(NP_REASON);

    // node_ports_test.go TestNodePorts "skip filter" (PreFilter: Skip)
    assert_eq!(np(&[], &[]), V::Pass);
    // TestNodePorts "other port"
    assert_eq!(
        np(&["UDP/127.0.0.1/8080"], &["UDP/127.0.0.1/9090"]),
        V::Pass
    );
    // TestNodePorts "same udp port"
    assert_eq!(
        np(&["UDP/127.0.0.1/8080"], &["UDP/127.0.0.1/8080"]),
        conflict
    );
    // TestNodePorts "same tcp port"
    assert_eq!(
        np(&["TCP/127.0.0.1/8080"], &["TCP/127.0.0.1/8080"]),
        conflict
    );
    // TestNodePorts "different host ip"
    assert_eq!(
        np(&["TCP/127.0.0.1/8080"], &["TCP/127.0.0.2/8080"]),
        V::Pass
    );
    // TestNodePorts "different protocol"
    assert_eq!(
        np(&["UDP/127.0.0.1/8080"], &["TCP/127.0.0.1/8080"]),
        V::Pass
    );
    // TestNodePorts "second udp port conflict"
    assert_eq!(
        np(
            &["UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"],
            &["UDP/127.0.0.1/8080"]
        ),
        conflict
    );
    // TestNodePorts "first tcp port conflict"
    assert_eq!(
        np(
            &["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"],
            &["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"]
        ),
        conflict
    );
    // TestNodePorts "first tcp port conflict due to 0.0.0.0 hostIP"
    assert_eq!(np(&["TCP/0.0.0.0/8001"], &["TCP/127.0.0.1/8001"]), conflict);
    // TestNodePorts "TCP hostPort conflict due to 0.0.0.0 hostIP"
    assert_eq!(
        np(
            &["TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"],
            &["TCP/127.0.0.1/8001"]
        ),
        conflict
    );
    // TestNodePorts "second tcp port conflict to 0.0.0.0 hostIP"
    assert_eq!(np(&["TCP/127.0.0.1/8001"], &["TCP/0.0.0.0/8001"]), conflict);
    // TestNodePorts "second different protocol"
    assert_eq!(np(&["UDP/127.0.0.1/8001"], &["TCP/0.0.0.0/8001"]), V::Pass);
    // TestNodePorts "UDP hostPort conflict due to 0.0.0.0 hostIP"
    assert_eq!(
        np(
            &["UDP/127.0.0.1/8001"],
            &["TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"]
        ),
        conflict
    );

    // TestNodePorts "TCP hostPort conflict from sidecar initContainer" (the pod also gets a
    // port-less regular container, which kubesim's loader requires).
    let sidecar = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  \
         containers: [{name: c, image: \"registry.k8s.io/pause:3.10\"}]\n  \
         initContainers: [{name: s, image: \"registry.k8s.io/pause:3.10\", restartPolicy: Always, \
         ports: [{containerPort: 8001, hostPort: 8001, protocol: TCP}]}]\n";
    assert_eq!(np_filter(sidecar, &["TCP/0.0.0.0/8001"]), conflict);
}

/// node_ports_test.go TestNodePorts "non-sidecar initContainer using hostPort": upstream's
/// `GetHostPorts` counts only regular containers and restartable (sidecar) init containers, so
/// the PreFilter skips this pod and the node passes (`model::convert` does the same).
#[test]
fn node_ports_non_sidecar_init_container() {
    let init = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  \
         containers: [{name: c, image: \"registry.k8s.io/pause:3.10\"}]\n  \
         initContainers: [{name: i, image: \"registry.k8s.io/pause:3.10\", \
         ports: [{containerPort: 8001, hostPort: 8001, protocol: TCP}]}]\n";
    assert_eq!(np_filter(init, &["TCP/0.0.0.0/8001"]), V::Pass);
}

#[test]
fn node_ports_fits() {
    let conflict = unschedulable(NP_REASON);

    // node_ports_test.go TestFits "non-conflicting ports"
    assert_eq!(np(&["TCP/127.0.0.1/80"], &["TCP/127.0.0.1/9090"]), V::Pass);
    // TestFits "multiple non-conflicting ports"
    assert_eq!(
        np(
            &[
                "TCP/127.0.0.1/80",
                "TCP/127.0.1.1/80",
                "TCP/127.0.1.1/90",
                "TCP/127.0.1.1/100"
            ],
            &[
                "TCP/127.0.0.1/9090",
                "TCP/127.0.0.1/9191",
                "TCP/127.0.1.1/8080"
            ]
        ),
        V::Pass
    );
    // TestFits "same ports on different protocols"
    assert_eq!(np(&["TCP/127.0.0.1/80"], &["UDP/127.0.0.1/80"]), V::Pass);
    // TestFits "conflicting ports"
    assert_eq!(np(&["TCP/127.0.0.1/80"], &["TCP/127.0.0.1/80"]), conflict);
    // TestFits "multiple ports, some conflicting"
    assert_eq!(
        np(
            &[
                "TCP/127.0.0.1/80",
                "TCP/127.0.1.1/80",
                "TCP/127.0.1.1/90",
                "TCP/127.0.1.1/100"
            ],
            &[
                "TCP/127.0.0.1/9090",
                "TCP/127.0.1.1/90",
                "TCP/127.0.1.1/8080"
            ]
        ),
        conflict
    );
}

// ---------------------------------------------------------------------------------------------
// NodeUnschedulable (node_unschedulable_test.go)
// ---------------------------------------------------------------------------------------------

fn nu_filter(unschedulable: bool, tolerations: &str) -> V {
    let spec = if unschedulable {
        "unschedulable: true"
    } else {
        "unschedulable: false"
    };
    let manifests = format!(
        "{}{}",
        node_spec("node", &[], spec),
        tolerating(tolerations)
    );
    let w = schedule(&manifests, Some(&filter_only("NodeUnschedulable", None)));
    status_of(&w, "node")
}

#[test]
fn node_unschedulable_filter() {
    // node_unschedulable_test.go TestNodeUnschedulable "Does not schedule pod to unschedulable
    // node (node.Spec.Unschedulable==true)"
    assert_eq!(
        nu_filter(true, ""),
        unresolvable("node(s) were unschedulable")
    );

    // TestNodeUnschedulable "Schedule pod to normal node"
    assert_eq!(nu_filter(false, ""), V::Pass);

    // TestNodeUnschedulable "Schedule pod with toleration to unschedulable node
    // (node.Spec.Unschedulable==true)"
    assert_eq!(
        nu_filter(
            true,
            "{key: node.kubernetes.io/unschedulable, effect: NoSchedule}"
        ),
        V::Pass
    );
}
