//! Golden tests for the node resources plugins, transcribed from the upstream kube-scheduler
//! unit tests in `pkg/scheduler/framework/plugins/noderesources/`:
//! `least_allocated_test.go`, `most_allocated_test.go`, `requested_to_capacity_ratio_test.go`,
//! `balanced_allocation_test.go` (the v1.36 version that scores the change in balance,
//! kubernetes PR #135573) and `fit_test.go`.
//!
//! Transcription conventions (each is equivalent for the plugin under test):
//! - `st.MakePod().Obj()` (a pod with no containers, which the API would reject) becomes one
//!   container with explicit zero cpu and memory requests ([`NOTHING`]): explicit zeros get no
//!   non-zero scoring defaults, exactly like an absent container.
//! - `st.MakePod().Req(r1).Req(r2)` is one container per `Req`; `SidecarReq` is an init
//!   container with `restartPolicy: Always`.
//! - Quantities are copied verbatim (`st.MakeNode().Capacity({"cpu": "4000"})` is 4000 cores,
//!   `makeNode("node1", 4000, ...)` is 4000 millicores); capacity and allocatable are equal.
//! - The pending pod is `default/p`; a `.Node("node1")` on the *requested* pod of a score test
//!   (which upstream's Score ignores) is dropped, since in kubesim it would bind the pod.
//! - Upstream cases that call Score without PreScore: NodeResourcesFit has no PreScore in
//!   kubesim (Score always computes the pod's requests), so those cases are the same cluster;
//!   for NodeResourcesBalancedAllocation the profile enables Score but not PreScore.

mod support;

use kubesim::load::{Origin, SchedulerConfigDoc};
use kubesim::scenario::TieBreak;
use kubesim::scheduler::explain::FilterVerdict;
use kubesim::scheduler::framework::Code;
use kubesim::sim::whatif::{self, WhatIf, WhatIfOptions};
use std::collections::BTreeMap;
use support::*;

/// A resource list as `(name, quantity)` pairs, quantities as upstream writes them.
type Res<'a> = &'a [(&'a str, &'a str)];

/// Stands for upstream's container-less pod: requests nothing, no non-zero defaults.
const NOTHING: Res = &[("cpu", "0"), ("memory", "0")];

fn flow(res: Res) -> String {
    res.iter()
        .map(|(k, v)| format!("\"{k}\": \"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `st.MakeNode().Name(name).Capacity(res)` / `makeNode(...)`: capacity = allocatable = `res`.
fn st_node(name: &str, res: Res) -> String {
    let l = flow(res);
    format!(
        "---\napiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{kubernetes.io/hostname: {name}}}}}\nstatus:\n  allocatable: {{{l}}}\n  capacity: {{{l}}}\n"
    )
}

/// A node with separate capacity and allocatable lists.
fn st_node_cap(name: &str, capacity: Res, allocatable: Res) -> String {
    format!(
        "---\napiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{kubernetes.io/hostname: {name}}}}}\nstatus:\n  allocatable: {{{}}}\n  capacity: {{{}}}\n",
        flow(allocatable),
        flow(capacity)
    )
}

/// One container; `None` requests means no `resources` at all (non-zero defaults apply).
fn ctr(name: &str, req: Option<Res>, sidecar: bool) -> String {
    let res = match req {
        Some(r) => format!(", resources: {{requests: {{{}}}}}", flow(r)),
        None => String::new(),
    };
    let rp = if sidecar {
        ", restartPolicy: Always"
    } else {
        ""
    };
    format!("{{name: {name}, image: \"registry.k8s.io/pause:3.10\"{res}{rp}}}")
}

/// A pod: one container per entry of `containers`, init containers `(requests, is_sidecar)`,
/// bound to `node` when given, and `extra` more `spec` fields in flow style.
fn st_pod(
    name: &str,
    node: Option<&str>,
    containers: &[Option<Res>],
    init: &[(Option<Res>, bool)],
    extra: &str,
) -> String {
    let cs: Vec<String> = containers
        .iter()
        .enumerate()
        .map(|(i, r)| ctr(&format!("c{i}"), *r, false))
        .collect();
    let mut spec = format!("containers: [{}]", cs.join(", "));
    if !init.is_empty() {
        let is: Vec<String> = init
            .iter()
            .enumerate()
            .map(|(i, (r, s))| ctr(&format!("i{i}"), *r, *s))
            .collect();
        spec.push_str(&format!(", initContainers: [{}]", is.join(", ")));
    }
    if let Some(n) = node {
        spec.push_str(&format!(", nodeName: {n}"));
    }
    if !extra.is_empty() {
        spec.push_str(", ");
        spec.push_str(extra);
    }
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: default}}\nspec: {{{spec}}}\n"
    )
}

/// A pod with plain containers only.
fn req_pod(name: &str, node: Option<&str>, containers: &[Res]) -> String {
    let cs: Vec<Option<Res>> = containers.iter().map(|r| Some(*r)).collect();
    st_pod(name, node, &cs, &[], "")
}

/// The pending pod `default/p`.
fn pending(containers: &[Res]) -> String {
    req_pod("p", None, containers)
}

/// Existing pods bound to nodes: `(node, containers)`.
fn existing(pods: &[(&str, &[Res])]) -> String {
    pods.iter()
        .enumerate()
        .map(|(i, (n, cs))| req_pod(&format!("e{i}"), Some(n), cs))
        .collect()
}

/// A score expectation: one upstream case.
struct ScoreCase {
    name: &'static str,
    manifests: String,
    config: String,
    plugin: &'static str,
    /// Expected score per node; empty means the plugin was skipped (PreScore returned Skip).
    want: Vec<(&'static str, i64)>,
}

fn run_score_cases(cases: Vec<ScoreCase>) {
    let mut failures = Vec::new();
    for c in &cases {
        let w = schedule(&c.manifests, Some(&c.config));
        let got = scores(&w, "default/p", c.plugin);
        let want: BTreeMap<String, i64> = c.want.iter().map(|(n, s)| (n.to_string(), *s)).collect();
        if got != want {
            failures.push(format!("{:?}: want {want:?}, got {got:?}", c.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// NodeResourcesFit scoring with `scoringStrategy` given as a flow mapping body.
fn fit_cfg(strategy: &str) -> String {
    score_only(
        "NodeResourcesFit",
        Some(&format!("{{scoringStrategy: {{{strategy}}}}}")),
    )
}

const CPU_MEM: &str = "resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]";
const CPU_MEM_EXT: &str = "resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}, {name: \"abc.com/xyz\", weight: 1}]";

fn la(resources: &str) -> String {
    fit_cfg(&format!("type: LeastAllocated, {resources}"))
}

fn ma(resources: &str) -> String {
    fit_cfg(&format!("type: MostAllocated, {resources}"))
}

fn rtcr(resources: &str, shape: &[(i64, i64)]) -> String {
    let pts: Vec<String> = shape
        .iter()
        .map(|(u, s)| format!("{{utilization: {u}, score: {s}}}"))
        .collect();
    fit_cfg(&format!(
        "type: RequestedToCapacityRatio, {resources}, requestedToCapacityRatio: {{shape: [{}]}}",
        pts.join(", ")
    ))
}

/// Runs the what-if scheduler, returning configuration and setup errors instead of panicking.
fn try_schedule(manifests: &str, config: &str) -> Result<WhatIf, String> {
    let set = kubesim::load::load_text(manifests, "test.yaml").map_err(|e| e.to_string())?;
    let doc = SchedulerConfigDoc {
        text: config.to_string(),
        api_version: "kubescheduler.config.k8s.io/v1".into(),
        origin: Origin::inline("config.yaml"),
    };
    let cfg = kubesim::scheduler::config::parse(&doc)
        .map_err(|e| e.to_string())?
        .0;
    let opts = WhatIfOptions {
        seed: 1,
        tie_break: TieBreak::LowestIndex,
        exhaustive: true,
        registry: None,
    };
    whatif::run(set.objects, Some(cfg), &opts).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// least_allocated_test.go TestLeastAllocatedScoringStrategy
// ---------------------------------------------------------------------------------------------

fn nodes2(a: Res, b: Res) -> String {
    st_node("node1", a) + &st_node("node2", b)
}

const C4K_M10K: Res = &[("cpu", "4000"), ("memory", "10000")];
const C6K_M10K: Res = &[("cpu", "6000"), ("memory", "10000")];
const C10K_M20K: Res = &[("cpu", "10000"), ("memory", "20000")];
const C10K_M50K: Res = &[("cpu", "10000"), ("memory", "50000")];
const REQ_1K_2K: Res = &[("cpu", "1000"), ("memory", "2000")];
const REQ_2K_3K: Res = &[("cpu", "2000"), ("memory", "3000")];
const REQ_3K_0: Res = &[("cpu", "3000"), ("memory", "0")];
const REQ_3K_5K: Res = &[("cpu", "3000"), ("memory", "5000")];

#[test]
fn least_allocated_scoring_strategy() {
    // least_allocated_test.go TestLeastAllocatedScoringStrategy: 12 of 16 cases here (two
    // config-error cases are in `scoring_strategy_weight_validation`; "Resources not set, pods
    // scheduled with error" and "resource with zero weight" bypass v1 defaulting, which turns
    // empty resources into cpu+memory and weight 0 into 1, so no configuration file states them).
    let cases = vec![
        // "nothing scheduled, nothing requested"
        ScoreCase {
            name: "nothing scheduled, nothing requested",
            manifests: nodes2(C4K_M10K, C4K_M10K) + &pending(&[NOTHING]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 100), ("node2", 100)],
        },
        // "nothing scheduled, resources requested, differently sized nodes"
        ScoreCase {
            name: "nothing scheduled, resources requested, differently sized nodes",
            manifests: nodes2(C4K_M10K, C6K_M10K) + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 37), ("node2", 50)],
        },
        // "no resources requested, pods scheduled"
        ScoreCase {
            name: "no resources requested, pods scheduled",
            manifests: nodes2(C4K_M10K, C4K_M10K)
                + &existing(&[
                    ("node1", &[NOTHING]),
                    ("node1", &[NOTHING]),
                    ("node2", &[NOTHING]),
                    ("node2", &[NOTHING]),
                ])
                + &pending(&[NOTHING]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 100), ("node2", 100)],
        },
        // "no resources requested, pods scheduled with resources"
        ScoreCase {
            name: "no resources requested, pods scheduled with resources",
            manifests: nodes2(C10K_M20K, C10K_M20K)
                + &existing(&[
                    ("node1", &[REQ_3K_0]),
                    ("node1", &[REQ_3K_0]),
                    ("node2", &[REQ_3K_0]),
                    ("node2", &[REQ_3K_5K]),
                ])
                + &pending(&[NOTHING]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 70), ("node2", 57)],
        },
        // "resources requested, pods scheduled with resources"
        ScoreCase {
            name: "resources requested, pods scheduled with resources",
            manifests: nodes2(C10K_M20K, C10K_M20K)
                + &existing(&[("node1", &[REQ_3K_0]), ("node2", &[REQ_3K_5K])])
                + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 57), ("node2", 45)],
        },
        // "resources requested, pods scheduled with resources, differently sized nodes"
        ScoreCase {
            name: "resources requested, pods scheduled with resources, differently sized nodes",
            manifests: nodes2(C10K_M20K, C10K_M50K)
                + &existing(&[("node1", &[REQ_3K_0]), ("node2", &[REQ_3K_5K])])
                + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 57), ("node2", 60)],
        },
        // "requested resources exceed node capacity"
        ScoreCase {
            name: "requested resources exceed node capacity",
            manifests: nodes2(C4K_M10K, C4K_M10K)
                + &existing(&[("node1", &[REQ_3K_0]), ("node2", &[REQ_3K_5K])])
                + &pending(&[REQ_3K_0]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 50), ("node2", 25)],
        },
        // "zero node resources, pods scheduled with resources" (kubesim refuses a node with
        // nothing allocatable, so the nodes carry one unscored extended resource; cpu and
        // memory allocatable are absent, as upstream)
        ScoreCase {
            name: "zero node resources, pods scheduled with resources",
            manifests: nodes2(
                &[("example.com/unscored", "1")],
                &[("example.com/unscored", "1")],
            ) + &existing(&[("node1", &[REQ_3K_0]), ("node2", &[REQ_3K_5K])])
                + &pending(&[NOTHING]),
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 0), ("node2", 0)],
        },
        // "nothing scheduled, resources requested with different weight on CPU and memory,
        // differently sized nodes"
        ScoreCase {
            name: "nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes",
            manifests: nodes2(C4K_M10K, C6K_M10K) + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: la("resources: [{name: memory, weight: 2}, {name: cpu, weight: 1}]"),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 41), ("node2", 50)],
        },
        // "bypass extended resource if the pod does not request"
        ScoreCase {
            name: "bypass extended resource if the pod does not request",
            manifests: nodes2(
                &[("cpu", "6000"), ("memory", "10000")],
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "4")],
            ) + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: la(CPU_MEM_EXT),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 50), ("node2", 50)],
        },
        // "honor extended resource if the pod requests"
        ScoreCase {
            name: "honor extended resource if the pod requests",
            manifests: nodes2(
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "4")],
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "10")],
            ) + &pending(&[&[
                ("cpu", "3000"),
                ("memory", "5000"),
                ("abc.com/xyz", "2"),
            ]]),
            config: la(CPU_MEM_EXT),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 50), ("node2", 60)],
        },
        // "if the node doesn't have a resource"
        ScoreCase {
            name: "if the node doesn't have a resource",
            manifests: nodes2(
                &[("cpu", "6000"), ("memory", "10000")],
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "4")],
            ) + &pending(&[&[("cpu", "3000"), ("memory", "4000")]]),
            config: la(
                "resources: [{name: \"abc.com/xyz\", weight: 2}, {name: cpu, weight: 1}, {name: memory, weight: 1}]",
            ),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 55), ("node2", 55)],
        },
    ];
    run_score_cases(cases);
}

// ---------------------------------------------------------------------------------------------
// most_allocated_test.go TestMostAllocatedScoringStrategy
// ---------------------------------------------------------------------------------------------

#[test]
fn most_allocated_scoring_strategy() {
    // most_allocated_test.go TestMostAllocatedScoringStrategy: 10 of 14 cases here (two
    // config-error cases are in `scoring_strategy_weight_validation`; "Resources not set, pods
    // scheduled with error" and "resource with zero weight" are not expressible, as above).
    let cases = vec![
        // "nothing scheduled, nothing requested"
        ScoreCase {
            name: "nothing scheduled, nothing requested",
            manifests: nodes2(C4K_M10K, C4K_M10K) + &pending(&[NOTHING]),
            config: ma(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 0), ("node2", 0)],
        },
        // "nothing scheduled, resources requested, differently sized nodes" (first of two
        // cases with this name: equal weights)
        ScoreCase {
            name: "nothing scheduled, resources requested, differently sized nodes",
            manifests: nodes2(C4K_M10K, C6K_M10K) + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: ma(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 62), ("node2", 50)],
        },
        // "no resources requested, pods scheduled with resources"
        ScoreCase {
            name: "no resources requested, pods scheduled with resources",
            manifests: nodes2(C10K_M20K, C10K_M20K)
                + &existing(&[
                    ("node1", &[REQ_3K_0]),
                    ("node1", &[REQ_3K_0]),
                    ("node2", &[REQ_3K_0]),
                    ("node2", &[REQ_3K_5K]),
                ])
                + &pending(&[NOTHING]),
            config: ma(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 30), ("node2", 42)],
        },
        // "resources requested, pods scheduled with resources"
        ScoreCase {
            name: "resources requested, pods scheduled with resources",
            manifests: nodes2(C10K_M20K, C10K_M20K)
                + &existing(&[("node1", &[REQ_3K_0]), ("node2", &[REQ_3K_5K])])
                + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: ma(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 42), ("node2", 55)],
        },
        // "resources requested equal node capacity"
        ScoreCase {
            name: "resources requested equal node capacity",
            manifests: nodes2(
                &[("cpu", "5000"), ("memory", "10000")],
                &[("cpu", "10000"), ("memory", "9000")],
            ) + &pending(&[&[("cpu", "2000"), ("memory", "4000")], REQ_3K_5K]),
            config: ma(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 95), ("node2", 75)],
        },
        // "nothing scheduled, resources requested, differently sized nodes" (second case with
        // this name: memory weight 2)
        ScoreCase {
            name: "nothing scheduled, resources requested, differently sized nodes (memory weight 2)",
            manifests: nodes2(C4K_M10K, C6K_M10K) + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: ma("resources: [{name: memory, weight: 2}, {name: cpu, weight: 1}]"),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 58), ("node2", 50)],
        },
        // "no resources requested, pods scheduled, nonzero request for resource"
        ScoreCase {
            name: "no resources requested, pods scheduled, nonzero request for resource",
            manifests: nodes2(
                &[("cpu", "250m"), ("memory", "1000Mi")],
                &[("cpu", "250m"), ("memory", "1000Mi")],
            ) + &st_pod("e0", Some("node1"), &[None], &[], "")
                + &st_pod("e1", Some("node1"), &[None], &[], "")
                + &st_pod("p", None, &[None], &[], ""),
            config: ma(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 80), ("node2", 30)],
        },
        // "bypass extended resource if the pod does not request"
        ScoreCase {
            name: "bypass extended resource if the pod does not request",
            manifests: nodes2(
                &[("cpu", "6000"), ("memory", "10000")],
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "4")],
            ) + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: ma(CPU_MEM_EXT),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 50), ("node2", 50)],
        },
        // "honor extended resource if the pod request"
        ScoreCase {
            name: "honor extended resource if the pod request",
            manifests: nodes2(
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "4")],
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "10")],
            ) + &pending(&[&[
                ("cpu", "3000"),
                ("memory", "5000"),
                ("abc.com/xyz", "2"),
            ]]),
            config: ma(CPU_MEM_EXT),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 50), ("node2", 40)],
        },
        // "if the node doesn't have a resource"
        ScoreCase {
            name: "if the node doesn't have a resource",
            manifests: nodes2(
                &[("cpu", "6000"), ("memory", "10000")],
                &[("cpu", "6000"), ("memory", "10000"), ("abc.com/xyz", "4")],
            ) + &pending(&[&[("cpu", "3000"), ("memory", "4000")]]),
            config: ma(
                "resources: [{name: \"abc.com/xyz\", weight: 2}, {name: cpu, weight: 1}, {name: memory, weight: 1}]",
            ),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 45), ("node2", 45)],
        },
    ];
    run_score_cases(cases);
}

// ---------------------------------------------------------------------------------------------
// least_allocated_test.go / most_allocated_test.go: weight validation cases
// ---------------------------------------------------------------------------------------------

#[test]
fn scoring_strategy_weight_validation() {
    // least_allocated_test.go TestLeastAllocatedScoringStrategy "resource with negative weight",
    // "resource weight larger than MaxNodeScore"; most_allocated_test.go
    // TestMostAllocatedScoringStrategy "resource with negative weight", "resource weight larger
    // than MaxNodeScore": NewFit rejects the arguments (field scoringStrategy.resources[i].weight).
    let manifests = st_node("node1", C4K_M10K) + &pending(&[REQ_1K_2K, REQ_2K_3K]);
    let cases = [
        (
            "LeastAllocated: resource with negative weight",
            la("resources: [{name: memory, weight: -1}, {name: cpu, weight: 1}]"),
        ),
        (
            "LeastAllocated: resource weight larger than MaxNodeScore",
            la("resources: [{name: memory, weight: 1}, {name: cpu, weight: 101}]"),
        ),
        (
            "MostAllocated: resource with negative weight",
            ma("resources: [{name: memory, weight: -1}, {name: cpu, weight: 1}]"),
        ),
        (
            "MostAllocated: resource weight larger than MaxNodeScore",
            ma("resources: [{name: memory, weight: 101}]"),
        ),
    ];
    for (name, config) in cases {
        match try_schedule(&manifests, &config) {
            Ok(_) => panic!("{name}: configuration accepted, upstream rejects it"),
            Err(e) => assert!(e.contains("weight"), "{name}: unexpected error {e}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// requested_to_capacity_ratio_test.go
// ---------------------------------------------------------------------------------------------

#[test]
fn requested_to_capacity_ratio_scoring_strategy() {
    // requested_to_capacity_ratio_test.go TestRequestedToCapacityRatioScoringStrategy: all 3
    // cases, shape {0 -> 10, 100 -> 0}.
    let shape = [(0, 10), (100, 0)];
    let cases = vec![
        // "nothing scheduled, nothing requested (default - least requested nodes have priority)"
        ScoreCase {
            name: "nothing scheduled, nothing requested (default - least requested nodes have priority)",
            manifests: nodes2(C4K_M10K, C4K_M10K)
                + &existing(&[("node1", &[NOTHING]), ("node1", &[NOTHING])])
                + &pending(&[NOTHING]),
            config: rtcr(CPU_MEM, &shape),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 100), ("node2", 100)],
        },
        // "nothing scheduled, resources requested, differently sized nodes (default - least
        // requested nodes have priority)"
        ScoreCase {
            name: "nothing scheduled, resources requested, differently sized nodes (default - least requested nodes have priority)",
            manifests: nodes2(C4K_M10K, C6K_M10K)
                + &existing(&[("node1", &[NOTHING]), ("node1", &[NOTHING])])
                + &pending(&[REQ_1K_2K, REQ_2K_3K]),
            config: rtcr(CPU_MEM, &shape),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 38), ("node2", 50)],
        },
        // "no resources requested, pods scheduled with resources (default - least requested
        // nodes have priority)"
        ScoreCase {
            name: "no resources requested, pods scheduled with resources (default - least requested nodes have priority)",
            manifests: nodes2(C4K_M10K, C6K_M10K)
                + &existing(&[("node1", &[REQ_3K_5K]), ("node2", &[REQ_3K_5K])])
                + &pending(&[NOTHING]),
            config: rtcr(CPU_MEM, &shape),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 38), ("node2", 50)],
        },
    ];
    run_score_cases(cases);
}

#[test]
fn broken_linear_function() {
    // requested_to_capacity_ratio_test.go TestBrokenLinearFunction: all 3 cases (case_0..2),
    // against kubesim's `helper.BuildBrokenLinearFunction` (shape scores used as given).
    use kubesim::scheduler::plugins::node_resources_fit::broken_linear;
    // (shape points, [(p, expected)])
    type Points = &'static [(i64, i64)];
    let tests: [(Points, Points); 3] = [
        (
            &[(10, 1), (90, 9)],
            &[
                (-10, 1),
                (0, 1),
                (9, 1),
                (10, 1),
                (15, 1),
                (19, 1),
                (20, 2),
                (89, 8),
                (90, 9),
                (99, 9),
                (100, 9),
                (110, 9),
            ],
        ),
        (
            &[(0, 2), (40, 10), (100, 0)],
            &[
                (-10, 2),
                (0, 2),
                (20, 6),
                (30, 8),
                (40, 10),
                (70, 5),
                (100, 0),
                (110, 0),
            ],
        ),
        (
            &[(0, 2), (40, 2), (100, 2)],
            &[
                (-10, 2),
                (0, 2),
                (20, 2),
                (30, 2),
                (40, 2),
                (70, 2),
                (100, 2),
                (110, 2),
            ],
        ),
    ];
    for (i, (points, assertions)) in tests.iter().enumerate() {
        for &(p, expected) in assertions.iter() {
            assert_eq!(
                broken_linear(points, p),
                expected,
                "case_{i}: points={points:?}, p={p}"
            );
        }
    }
}

const MIB_10000: &str = "10485760000"; // 10000*1024*1024

fn bin_node(name: &str, ext: Res) -> String {
    let mut r: Vec<(&str, &str)> = vec![("cpu", "4000m"), ("memory", MIB_10000)];
    r.extend_from_slice(ext);
    st_node(name, &r)
}

#[test]
fn resource_bin_packing_single_extended() {
    // requested_to_capacity_ratio_test.go TestResourceBinPackingSingleExtended: all 4 cases;
    // resources [intel.com/foo: 1], shape {0 -> 0, 100 -> 1}.
    let cfg = rtcr(
        "resources: [{name: \"intel.com/foo\", weight: 1}]",
        &[(0, 0), (100, 1)],
    );
    let nodes = bin_node("node1", &[("intel.com/foo", "8")])
        + &bin_node("node2", &[("intel.com/foo", "4")]);
    let foo2: Res = &[("intel.com/foo", "2")];
    let foo4: Res = &[("intel.com/foo", "4")];
    let cases = vec![
        // "nothing scheduled, nothing requested"
        ScoreCase {
            name: "nothing scheduled, nothing requested",
            manifests: nodes.clone() + &pending(&[NOTHING]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 0), ("node2", 0)],
        },
        // "resources requested, pods scheduled with less resources" (the existing pod has no
        // node upstream; it is left out)
        ScoreCase {
            name: "resources requested, pods scheduled with less resources",
            manifests: nodes.clone() + &pending(&[foo2]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 2), ("node2", 5)],
        },
        // "resources requested, pods scheduled with resources, on node with existing pod running "
        ScoreCase {
            name: "resources requested, pods scheduled with resources, on node with existing pod running ",
            manifests: nodes.clone() + &existing(&[("node2", &[foo2])]) + &pending(&[foo2]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 2), ("node2", 10)],
        },
        // "resources requested, pods scheduled with more resources"
        ScoreCase {
            name: "resources requested, pods scheduled with more resources",
            manifests: nodes.clone() + &pending(&[foo4]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 5), ("node2", 10)],
        },
    ];
    run_score_cases(cases);
}

#[test]
fn resource_bin_packing_multiple_extended() {
    // requested_to_capacity_ratio_test.go TestResourceBinPackingMultipleExtended: all 4 cases;
    // resources [intel.com/foo: 3, intel.com/bar: 5], shape {0 -> 0, 100 -> 1}.
    let cfg = rtcr(
        "resources: [{name: \"intel.com/foo\", weight: 3}, {name: \"intel.com/bar\", weight: 5}]",
        &[(0, 0), (100, 1)],
    );
    let nodes = bin_node("node1", &[("intel.com/foo", "8"), ("intel.com/bar", "4")])
        + &bin_node("node2", &[("intel.com/foo", "4"), ("intel.com/bar", "8")]);
    let pod1: Res = &[("intel.com/foo", "2"), ("intel.com/bar", "2")];
    let pod2: Res = &[("intel.com/foo", "4"), ("intel.com/bar", "2")];
    let cases = vec![
        // "nothing scheduled, nothing requested"
        ScoreCase {
            name: "nothing scheduled, nothing requested",
            manifests: nodes.clone() + &pending(&[NOTHING]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 0), ("node2", 0)],
        },
        // "resources requested, pods scheduled with less resources"
        ScoreCase {
            name: "resources requested, pods scheduled with less resources",
            manifests: nodes.clone() + &pending(&[pod1]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 4), ("node2", 3)],
        },
        // "resources requested, pods scheduled with resources, on node with existing pod running "
        ScoreCase {
            name: "resources requested, pods scheduled with resources, on node with existing pod running ",
            manifests: nodes.clone() + &existing(&[("node2", &[pod2])]) + &pending(&[pod1]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 4), ("node2", 7)],
        },
        // "resources requested, pods scheduled with more resources"
        ScoreCase {
            name: "resources requested, pods scheduled with more resources",
            manifests: nodes.clone() + &pending(&[pod2]),
            config: cfg.clone(),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 5), ("node2", 5)],
        },
    ];
    run_score_cases(cases);
}

// ---------------------------------------------------------------------------------------------
// balanced_allocation_test.go TestNodeResourcesBalancedAllocation (v1.36, PR #135573)
// ---------------------------------------------------------------------------------------------

const BA: &str = "NodeResourcesBalancedAllocation";
const CPU_MEM_GPU: &str = "{resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}, {name: \"nvidia.com/gpu\", weight: 1}]}";

/// cpuAndMemory("1000m", "2000") + cpuAndMemory("2000m", "3000") as two containers.
const CM_1: Res = &[("cpu", "1000m"), ("memory", "2000")];
const CM_2: Res = &[("cpu", "2000m"), ("memory", "3000")];
const C_1: Res = &[("cpu", "1000m")];
const C_2: Res = &[("cpu", "2000m")];

fn ba_node(name: &str, cpu_m: &str, mem: &str, gpu: Option<&str>) -> String {
    let mut r = vec![("cpu", cpu_m), ("memory", mem)];
    if let Some(g) = gpu {
        r.push(("nvidia.com/gpu", g));
    }
    st_node(name, &r)
}

/// Only BalancedAllocation's Score, without its PreScore ("if PreScore not called").
fn ba_score_without_prescore() -> String {
    "apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  percentageOfNodesToScore: 100
  plugins:
    preFilter: {disabled: [{name: \"*\"}]}
    filter: {disabled: [{name: \"*\"}]}
    postFilter: {disabled: [{name: \"*\"}]}
    preScore: {disabled: [{name: \"*\"}]}
    score: {disabled: [{name: \"*\"}], enabled: [{name: NodeResourcesBalancedAllocation, weight: 1}]}
  pluginConfig:
  - name: NodeResourcesBalancedAllocation
    args: {resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]}
"
    .to_string()
}

#[test]
fn node_resources_balanced_allocation() {
    // balanced_allocation_test.go TestNodeResourcesBalancedAllocation, the post-#135573 version
    // (score = 50 + (50 + B(node+pod) - B(node)) / 2): 9 of 11 cases (the two DRA cases are
    // not expressible).
    let default_args = score_only(
        BA,
        Some("{resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}]}"),
    );
    let gpu_args = score_only(BA, Some(CPU_MEM_GPU));
    let cases = vec![
        // "nothing scheduled, nothing requested, skip in PreScore": PreScore returns Skip, so
        // the plugin gives no score at all.
        ScoreCase {
            name: "nothing scheduled, nothing requested, skip in PreScore",
            manifests: ba_node("node1", "4000m", "10000", None)
                + &ba_node("node2", "4000m", "10000", None)
                + &pending(&[NOTHING]),
            config: default_args.clone(),
            plugin: BA,
            want: vec![],
        },
        // "nothing scheduled, resources requested, differently sized nodes"
        ScoreCase {
            name: "nothing scheduled, resources requested, differently sized nodes",
            manifests: ba_node("node1", "4000m", "10000", None)
                + &ba_node("node2", "6000m", "10000", None)
                + &pending(&[CM_1, CM_2]),
            config: default_args.clone(),
            plugin: BA,
            want: vec![("node1", 68), ("node2", 75)],
        },
        // "resources requested, pods scheduled with resources"
        ScoreCase {
            name: "resources requested, pods scheduled with resources",
            manifests: ba_node("node1", "10000m", "20000", None)
                + &ba_node("node2", "10000m", "20000", None)
                + &existing(&[("node1", &[C_1, C_2]), ("node2", &[CM_1, CM_2])])
                + &pending(&[CM_1, CM_2]),
            config: default_args.clone(),
            plugin: BA,
            want: vec![("node1", 73), ("node2", 74)],
        },
        // "resources requested, pods scheduled with resources, differently sized nodes"
        ScoreCase {
            name: "resources requested, pods scheduled with resources, differently sized nodes",
            manifests: ba_node("node1", "10000m", "20000", None)
                + &ba_node("node2", "10000m", "50000", None)
                + &existing(&[("node1", &[C_1, C_2]), ("node2", &[CM_1, CM_2])])
                + &pending(&[CM_1, CM_2]),
            config: default_args.clone(),
            plugin: BA,
            want: vec![("node1", 73), ("node2", 70)],
        },
        // "resources requested, pods scheduled with resources, nodes to reach min/max score"
        ScoreCase {
            name: "resources requested, pods scheduled with resources, nodes to reach min/max score",
            manifests: ba_node("node1", "3000m", "5000", None)
                + &ba_node("node2", "3000m", "5000", None)
                + &existing(&[("node1", &[C_1, C_2])])
                + &pending(&[&[("memory", "2000")], &[("memory", "3000")]]),
            config: default_args.clone(),
            plugin: BA,
            want: vec![("node1", 100), ("node2", 50)],
        },
        // "requested resources at node capacity"
        ScoreCase {
            name: "requested resources at node capacity",
            manifests: ba_node("node1", "6000m", "10000", None)
                + &ba_node("node2", "6000m", "10000", None)
                + &existing(&[("node1", &[C_1, C_2]), ("node2", &[CM_1, CM_2])])
                + &pending(&[C_1, C_2]),
            config: default_args.clone(),
            plugin: BA,
            want: vec![("node1", 62), ("node2", 62)],
        },
        // "scalar resource is included in the score computation if pod requests the scalar
        // resource"
        ScoreCase {
            name: "scalar resource is included in the score computation if pod requests the scalar resource",
            manifests: ba_node("node1", "3500m", "40000", Some("8"))
                + &ba_node("node2", "3500m", "40000", Some("8"))
                + &existing(&[
                    (
                        "node1",
                        &[
                            CM_1,
                            &[
                                ("cpu", "2000m"),
                                ("memory", "3000"),
                                ("nvidia.com/gpu", "3"),
                            ],
                        ],
                    ),
                    ("node2", &[CM_1, CM_2]),
                ])
                + &pending(&[&[("cpu", "0"), ("memory", "0"), ("nvidia.com/gpu", "1")]]),
            config: gpu_args.clone(),
            plugin: BA,
            want: vec![("node1", 75), ("node2", 76)],
        },
        // "scalar resource is not included in the score computation if pod doesn't request the
        // scalar resource"
        ScoreCase {
            name: "scalar resource is not included in the score computation if pod doesn't request the scalar resource",
            manifests: ba_node("node1", "3500m", "40000", Some("8"))
                + &ba_node("node2", "3500m", "40000", None)
                + &pending(&[CM_1, CM_2]),
            config: gpu_args.clone(),
            plugin: BA,
            want: vec![("node1", 56), ("node2", 56)],
        },
        // "resources requested, pods scheduled with resources if PreScore not called"
        ScoreCase {
            name: "resources requested, pods scheduled with resources if PreScore not called",
            manifests: ba_node("node1", "10000m", "20000", None)
                + &ba_node("node2", "10000m", "20000", None)
                + &existing(&[("node1", &[C_1, C_2]), ("node2", &[CM_1, CM_2])])
                + &pending(&[CM_1, CM_2]),
            config: ba_score_without_prescore(),
            plugin: BA,
            want: vec![("node1", 73), ("node2", 74)],
        },
    ];
    run_score_cases(cases);
}

// ---------------------------------------------------------------------------------------------
// fit_test.go TestFitScore
// ---------------------------------------------------------------------------------------------

#[test]
fn fit_score() {
    // fit_test.go TestFitScore: 9 of 11 cases (the two DRA extended-resource cases are not
    // expressible). The "if PreScore is not called" cases are the same clusters: kubesim's
    // NodeResourcesFit computes the pod's requests in Score.
    let nodes = nodes2(C4K_M10K, C6K_M10K);
    let ex_a = existing(&[
        ("node1", &[&[("cpu", "2000"), ("memory", "4000")]]),
        ("node2", &[&[("cpu", "1000"), ("memory", "2000")]]),
    ]);
    let pod_3k_5k = pending(&[REQ_3K_5K]);
    let pod_1k_2k = pending(&[REQ_1K_2K]);
    let shape_down = [(0, 10), (100, 0)];
    let shape_up = [(0, 0), (100, 10)];
    // Sidecar cluster: node1's pod has a 1000/2000 sidecar next to its 1000/2000 container.
    let sidecar = nodes2(C4K_M10K, C4K_M10K)
        + &st_pod(
            "e0",
            Some("node1"),
            &[Some(REQ_1K_2K)],
            &[(Some(REQ_1K_2K), true)],
            "",
        )
        + &req_pod("e1", Some("node2"), &[REQ_1K_2K])
        + &pod_1k_2k;
    let mut cases = Vec::new();
    for suffix in ["", " if PreScore is not called"] {
        // "test case for ScoringStrategy RequestedToCapacityRatio case1" (+ PreScore not called)
        cases.push(ScoreCase {
            name: if suffix.is_empty() {
                "test case for ScoringStrategy RequestedToCapacityRatio case1"
            } else {
                "test case for ScoringStrategy RequestedToCapacityRatio case1 if PreScore is not called"
            },
            manifests: nodes.clone() + &ex_a + &pod_3k_5k,
            config: rtcr(CPU_MEM, &shape_down),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 10), ("node2", 32)],
        });
        // "test case for ScoringStrategy MostAllocated" (+ PreScore not called)
        cases.push(ScoreCase {
            name: if suffix.is_empty() {
                "test case for ScoringStrategy MostAllocated"
            } else {
                "test case for ScoringStrategy MostAllocated if PreScore is not called"
            },
            manifests: nodes.clone() + &ex_a + &pod_1k_2k,
            config: ma(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 67), ("node2", 36)],
        });
        // "test case for ScoringStrategy LeastAllocated" (+ PreScore not called)
        cases.push(ScoreCase {
            name: if suffix.is_empty() {
                "test case for ScoringStrategy LeastAllocated"
            } else {
                "test case for ScoringStrategy LeastAllocated if PreScore is not called"
            },
            manifests: nodes.clone() + &ex_a + &pod_1k_2k,
            config: la(CPU_MEM),
            plugin: "NodeResourcesFit",
            want: vec![("node1", 32), ("node2", 63)],
        });
    }
    // "test case for ScoringStrategy RequestedToCapacityRatio case2"
    cases.push(ScoreCase {
        name: "test case for ScoringStrategy RequestedToCapacityRatio case2",
        manifests: nodes.clone() + &ex_a + &pod_3k_5k,
        config: rtcr(CPU_MEM, &shape_up),
        plugin: "NodeResourcesFit",
        want: vec![("node1", 95), ("node2", 68)],
    });
    // "test case for ScoringStrategy MostAllocated with sidecar container"
    cases.push(ScoreCase {
        name: "test case for ScoringStrategy MostAllocated with sidecar container",
        manifests: sidecar.clone(),
        config: ma(CPU_MEM),
        plugin: "NodeResourcesFit",
        want: vec![("node1", 67), ("node2", 45)],
    });
    // "test case for ScoringStrategy LeastAllocated with sidecar container"
    cases.push(ScoreCase {
        name: "test case for ScoringStrategy LeastAllocated with sidecar container",
        manifests: sidecar,
        config: la(CPU_MEM),
        plugin: "NodeResourcesFit",
        want: vec![("node1", 32), ("node2", 55)],
    });
    run_score_cases(cases);
}

// ---------------------------------------------------------------------------------------------
// fit_test.go filter tests
// ---------------------------------------------------------------------------------------------

/// NodeResourcesFit's verdict on the single node "node": `None` when it passed, else its code and
/// reasons joined by ", ".
fn fit_verdict(w: &WhatIf) -> Option<(Code, String)> {
    let a = attempt(w, "default/p");
    let n = a
        .nodes
        .iter()
        .find(|n| w.node_name(n.node) == "node")
        .expect("node evaluated");
    match &n.filter {
        FilterVerdict::Passed => None,
        FilterVerdict::Rejected(plugin, st) => {
            assert_eq!(*plugin, "NodeResourcesFit");
            Some((st.code, st.message()))
        }
        FilterVerdict::NotEvaluated => panic!("node not evaluated"),
    }
}

/// A filter expectation: one upstream case.
struct FilterCase {
    name: &'static str,
    /// The pending pod `p`.
    pod: String,
    /// Pods already on the node (bound to "node").
    existing: Vec<String>,
    /// NodeResourcesFitArgs (flow mapping), if any.
    args: Option<&'static str>,
    want: Option<(Code, &'static str)>,
}

fn run_filter_cases(node: &str, cases: Vec<FilterCase>) {
    let mut failures = Vec::new();
    for c in &cases {
        let manifests = node.to_string() + &c.existing.concat() + &c.pod;
        let w = schedule(&manifests, Some(&filter_only("NodeResourcesFit", c.args)));
        let got = fit_verdict(&w);
        let want = c.want.map(|(code, m)| (code, m.to_string()));
        if got != want {
            failures.push(format!("{:?}: want {want:?}, got {got:?}", c.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// `makeAllocatableResources(10, 20, 32, 5, 20, 5)` (capacity the same): cpu 10m, memory 20,
/// 32 pods, example.com/aaa 5, ephemeral-storage 20, hugepages-2Mi 5.
fn enough_node() -> String {
    let r: Res = &[
        ("cpu", "10m"),
        ("memory", "20"),
        ("pods", "32"),
        ("example.com/aaa", "5"),
        ("ephemeral-storage", "20"),
        ("hugepages-2Mi", "5"),
    ];
    st_node("node", r)
}

/// `newResourcePod(framework.Resource{MilliCPU: cpu, Memory: mem, ScalarResources: scalars})` as
/// container requests.
fn rp(cpu: i64, mem: i64, scalars: &[(&str, i64)]) -> Vec<(String, String)> {
    let mut v = vec![
        ("cpu".to_string(), format!("{cpu}m")),
        ("memory".to_string(), mem.to_string()),
    ];
    for (k, q) in scalars {
        v.push((k.to_string(), q.to_string()));
    }
    v
}

fn to_ref(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

fn pod_from(
    name: &str,
    node: Option<&str>,
    containers: &[Vec<(String, String)>],
    init: &[Vec<(String, String)>],
    extra: &str,
) -> String {
    let cs: Vec<Vec<(&str, &str)>> = containers.iter().map(|v| to_ref(v)).collect();
    let is: Vec<Vec<(&str, &str)>> = init.iter().map(|v| to_ref(v)).collect();
    let cs: Vec<Option<Res>> = cs.iter().map(|c| Some(c.as_slice())).collect();
    let is: Vec<(Option<Res>, bool)> = is.iter().map(|c| (Some(c.as_slice()), false)).collect();
    st_pod(name, node, &cs, &is, extra)
}

/// The pending pod with containers and init containers.
fn fp(containers: &[Vec<(String, String)>], init: &[Vec<(String, String)>]) -> String {
    pod_from("p", None, containers, init, "")
}

/// The pending pod with extra spec fields (overhead, pod-level resources).
fn fp_extra(
    containers: &[Vec<(String, String)>],
    init: &[Vec<(String, String)>],
    extra: &str,
) -> String {
    pod_from("p", None, containers, init, extra)
}

/// `framework.NewNodeInfo(newResourcePod(...))`: one pod already on "node".
fn on_node(r: Vec<(String, String)>) -> Vec<String> {
    vec![pod_from("e0", Some("node"), &[r], &[], "")]
}

/// `&v1.Pod{}` / `newResourcePod()`: requests nothing.
fn nothing() -> Vec<(String, String)> {
    rp(0, 0, &[])
}

const U: Code = Code::Unschedulable;
const UU: Code = Code::UnschedulableAndUnresolvable;
const A: &str = "example.com/aaa";
const B: &str = "example.com/bbb";
const KA: &str = "kubernetes.io/something";
const KB: &str = "subdomain.kubernetes.io/something";
const HP: &str = "hugepages-2Mi";

#[test]
fn enough_requests() {
    // fit_test.go TestEnoughRequests: 45 of 49 cases (statuses only; the InsufficientResource
    // details of fitsRequest are internal). Not here: "pod-level hugepages resource not fit"
    // (see `enough_requests_pod_level_hugepages_not_fit`) and the DRA-backed cases "extended
    // resource backed by DRA", "extended resource backed by DRA, nil draManager", "extended
    // resource was backed by Device Plugin (Allocatable: 0)".
    let cases = vec![
        // "no resources requested always fits"
        FilterCase {
            name: "no resources requested always fits",
            pod: fp(&[nothing()], &[]),
            existing: on_node(rp(10, 20, &[])),
            args: None,
            want: None,
        },
        // "too many resources fails"
        FilterCase {
            name: "too many resources fails",
            pod: fp(&[rp(1, 1, &[])], &[]),
            existing: on_node(rp(10, 20, &[])),
            args: None,
            want: Some((U, "Insufficient cpu, Insufficient memory")),
        },
        // "too many resources fails due to init container cpu"
        FilterCase {
            name: "too many resources fails due to init container cpu",
            pod: fp(&[rp(1, 1, &[])], &[rp(3, 1, &[])]),
            existing: on_node(rp(8, 19, &[])),
            args: None,
            want: Some((U, "Insufficient cpu")),
        },
        // "too many resources fails due to highest init container cpu"
        FilterCase {
            name: "too many resources fails due to highest init container cpu",
            pod: fp(&[rp(1, 1, &[])], &[rp(3, 1, &[]), rp(2, 1, &[])]),
            existing: on_node(rp(8, 19, &[])),
            args: None,
            want: Some((U, "Insufficient cpu")),
        },
        // "too many resources fails due to init container memory"
        FilterCase {
            name: "too many resources fails due to init container memory",
            pod: fp(&[rp(1, 1, &[])], &[rp(1, 3, &[])]),
            existing: on_node(rp(9, 19, &[])),
            args: None,
            want: Some((U, "Insufficient memory")),
        },
        // "too many resources fails due to highest init container memory"
        FilterCase {
            name: "too many resources fails due to highest init container memory",
            pod: fp(&[rp(1, 1, &[])], &[rp(1, 3, &[]), rp(1, 2, &[])]),
            existing: on_node(rp(9, 19, &[])),
            args: None,
            want: Some((U, "Insufficient memory")),
        },
        // "init container fits because it's the max, not sum, of containers and init containers"
        FilterCase {
            name: "init container fits because it's the max, not sum, of containers and init containers",
            pod: fp(&[rp(1, 1, &[])], &[rp(1, 1, &[])]),
            existing: on_node(rp(9, 19, &[])),
            args: None,
            want: None,
        },
        // "multiple init containers fit because it's the max, not sum, of containers and init
        // containers"
        FilterCase {
            name: "multiple init containers fit because it's the max, not sum, of containers and init containers",
            pod: fp(&[rp(1, 1, &[])], &[rp(1, 1, &[]), rp(1, 1, &[])]),
            existing: on_node(rp(9, 19, &[])),
            args: None,
            want: None,
        },
        // "both resources fit"
        FilterCase {
            name: "both resources fit",
            pod: fp(&[rp(1, 1, &[])], &[]),
            existing: on_node(rp(5, 5, &[])),
            args: None,
            want: None,
        },
        // "one resource memory fits"
        FilterCase {
            name: "one resource memory fits",
            pod: fp(&[rp(2, 1, &[])], &[]),
            existing: on_node(rp(9, 5, &[])),
            args: None,
            want: Some((U, "Insufficient cpu")),
        },
        // "one resource cpu fits"
        FilterCase {
            name: "one resource cpu fits",
            pod: fp(&[rp(1, 2, &[])], &[]),
            existing: on_node(rp(5, 19, &[])),
            args: None,
            want: Some((U, "Insufficient memory")),
        },
        // "equal edge case"
        FilterCase {
            name: "equal edge case",
            pod: fp(&[rp(5, 1, &[])], &[]),
            existing: on_node(rp(5, 19, &[])),
            args: None,
            want: None,
        },
        // "equal edge case for init container"
        FilterCase {
            name: "equal edge case for init container",
            pod: fp(&[rp(4, 1, &[])], &[rp(5, 1, &[])]),
            existing: on_node(rp(5, 19, &[])),
            args: None,
            want: None,
        },
        // "extended resource fits"
        FilterCase {
            name: "extended resource fits",
            pod: fp(&[rp(0, 0, &[(A, 1)])], &[]),
            existing: on_node(nothing()),
            args: None,
            want: None,
        },
        // "extended resource fits for init container"
        FilterCase {
            name: "extended resource fits for init container",
            pod: fp(&[nothing()], &[rp(0, 0, &[(A, 1)])]),
            existing: on_node(nothing()),
            args: None,
            want: None,
        },
        // "extended resource capacity enforced"
        FilterCase {
            name: "extended resource capacity enforced",
            pod: fp(&[rp(1, 1, &[(A, 10)])], &[]),
            existing: on_node(rp(0, 0, &[(A, 0)])),
            args: None,
            want: Some((UU, "Insufficient example.com/aaa")),
        },
        // "extended resource capacity enforced for init container"
        FilterCase {
            name: "extended resource capacity enforced for init container",
            pod: fp(&[nothing()], &[rp(1, 1, &[(A, 10)])]),
            existing: on_node(rp(0, 0, &[(A, 0)])),
            args: None,
            want: Some((UU, "Insufficient example.com/aaa")),
        },
        // "extended resource allocatable enforced"
        FilterCase {
            name: "extended resource allocatable enforced",
            pod: fp(&[rp(1, 1, &[(A, 1)])], &[]),
            existing: on_node(rp(0, 0, &[(A, 5)])),
            args: None,
            want: Some((U, "Insufficient example.com/aaa")),
        },
        // "extended resource allocatable enforced for init container"
        FilterCase {
            name: "extended resource allocatable enforced for init container",
            pod: fp(&[nothing()], &[rp(1, 1, &[(A, 1)])]),
            existing: on_node(rp(0, 0, &[(A, 5)])),
            args: None,
            want: Some((U, "Insufficient example.com/aaa")),
        },
        // "extended resource allocatable enforced for multiple containers"
        FilterCase {
            name: "extended resource allocatable enforced for multiple containers",
            pod: fp(&[rp(1, 1, &[(A, 3)]), rp(1, 1, &[(A, 3)])], &[]),
            existing: on_node(rp(0, 0, &[(A, 2)])),
            args: None,
            want: Some((UU, "Insufficient example.com/aaa")),
        },
        // "extended resource allocatable admits multiple init containers"
        FilterCase {
            name: "extended resource allocatable admits multiple init containers",
            pod: fp(&[nothing()], &[rp(1, 1, &[(A, 3)]), rp(1, 1, &[(A, 3)])]),
            existing: on_node(rp(0, 0, &[(A, 2)])),
            args: None,
            want: None,
        },
        // "extended resource allocatable enforced for multiple init containers"
        FilterCase {
            name: "extended resource allocatable enforced for multiple init containers",
            pod: fp(&[nothing()], &[rp(1, 1, &[(A, 6)]), rp(1, 1, &[(A, 3)])]),
            existing: on_node(rp(0, 0, &[(A, 2)])),
            args: None,
            want: Some((UU, "Insufficient example.com/aaa")),
        },
        // "extended resource allocatable enforced for unknown resource"
        FilterCase {
            name: "extended resource allocatable enforced for unknown resource",
            pod: fp(&[rp(1, 1, &[(B, 1)])], &[]),
            existing: on_node(rp(0, 0, &[])),
            args: None,
            want: Some((UU, "Insufficient example.com/bbb")),
        },
        // "extended resource allocatable enforced for unknown resource for init container"
        FilterCase {
            name: "extended resource allocatable enforced for unknown resource for init container",
            pod: fp(&[nothing()], &[rp(1, 1, &[(B, 1)])]),
            existing: on_node(rp(0, 0, &[])),
            args: None,
            want: Some((UU, "Insufficient example.com/bbb")),
        },
        // "kubernetes.io resource capacity enforced"
        FilterCase {
            name: "kubernetes.io resource capacity enforced",
            pod: fp(&[rp(1, 1, &[(KA, 10)])], &[]),
            existing: on_node(rp(0, 0, &[])),
            args: None,
            want: Some((UU, "Insufficient kubernetes.io/something")),
        },
        // "kubernetes.io resource capacity enforced for init container"
        FilterCase {
            name: "kubernetes.io resource capacity enforced for init container",
            pod: fp(&[nothing()], &[rp(1, 1, &[(KB, 10)])]),
            existing: on_node(rp(0, 0, &[])),
            args: None,
            want: Some((UU, "Insufficient subdomain.kubernetes.io/something")),
        },
        // "hugepages resource capacity enforced"
        FilterCase {
            name: "hugepages resource capacity enforced",
            pod: fp(&[rp(1, 1, &[(HP, 10)])], &[]),
            existing: on_node(rp(0, 0, &[(HP, 0)])),
            args: None,
            want: Some((UU, "Insufficient hugepages-2Mi")),
        },
        // "hugepages resource capacity enforced for init container"
        FilterCase {
            name: "hugepages resource capacity enforced for init container",
            pod: fp(&[nothing()], &[rp(1, 1, &[(HP, 10)])]),
            existing: on_node(rp(0, 0, &[(HP, 0)])),
            args: None,
            want: Some((UU, "Insufficient hugepages-2Mi")),
        },
        // "hugepages resource allocatable enforced for multiple containers"
        FilterCase {
            name: "hugepages resource allocatable enforced for multiple containers",
            pod: fp(&[rp(1, 1, &[(HP, 3)]), rp(1, 1, &[(HP, 3)])], &[]),
            existing: on_node(rp(0, 0, &[(HP, 2)])),
            args: None,
            want: Some((UU, "Insufficient hugepages-2Mi")),
        },
        // "skip checking ignored extended resource"
        FilterCase {
            name: "skip checking ignored extended resource",
            pod: fp(&[rp(1, 1, &[(B, 1)])], &[]),
            existing: on_node(rp(0, 0, &[])),
            args: Some("{ignoredResources: [\"example.com/bbb\"]}"),
            want: None,
        },
        // "resources + pod overhead fits"
        FilterCase {
            name: "resources + pod overhead fits",
            pod: fp_extra(&[rp(1, 1, &[])], &[], "overhead: {cpu: 3m, memory: \"13\"}"),
            existing: on_node(rp(5, 5, &[])),
            args: None,
            want: None,
        },
        // "requests + overhead does not fit for memory"
        FilterCase {
            name: "requests + overhead does not fit for memory",
            pod: fp_extra(&[rp(1, 1, &[])], &[], "overhead: {cpu: 1m, memory: \"15\"}"),
            existing: on_node(rp(5, 5, &[])),
            args: None,
            want: Some((U, "Insufficient memory")),
        },
        // "skip checking ignored extended resource via resource groups"
        FilterCase {
            name: "skip checking ignored extended resource via resource groups",
            pod: fp(&[rp(1, 1, &[(B, 1), (KA, 1)])], &[]),
            existing: on_node(rp(0, 0, &[])),
            args: Some("{ignoredResourceGroups: [\"example.com\"]}"),
            want: Some((UU, "Insufficient kubernetes.io/something")),
        },
        // "skip checking extended resource request with quantity zero via resource groups"
        FilterCase {
            name: "skip checking extended resource request with quantity zero via resource groups",
            pod: fp(&[rp(1, 1, &[(A, 0)])], &[]),
            existing: on_node(rp(0, 0, &[(A, 6)])),
            args: None,
            want: None,
        },
        // "skip checking resource request with quantity zero" (PodLevelResources on)
        FilterCase {
            name: "skip checking resource request with quantity zero",
            pod: fp(&[rp(0, 0, &[(A, 1)])], &[]),
            existing: on_node(rp(20, 30, &[(A, 1)])),
            args: None,
            want: None,
        },
        // "both pod-level and container-level resources fit"
        FilterCase {
            name: "both pod-level and container-level resources fit",
            pod: fp_extra(
                &[rp(1, 1, &[])],
                &[],
                "resources: {requests: {cpu: 1m, memory: \"2\"}}",
            ),
            existing: on_node(rp(5, 5, &[])),
            args: None,
            want: None,
        },
        // "pod-level cpu resource not fit"
        FilterCase {
            name: "pod-level cpu resource not fit",
            pod: fp_extra(
                &[rp(1, 1, &[])],
                &[],
                "resources: {requests: {cpu: 7m, memory: \"2\"}}",
            ),
            existing: on_node(rp(5, 5, &[])),
            args: None,
            want: Some((U, "Insufficient cpu")),
        },
        // "pod-level memory resource not fit"
        FilterCase {
            name: "pod-level memory resource not fit",
            pod: fp_extra(
                &[rp(1, 1, &[])],
                &[],
                "resources: {requests: {cpu: 3m, memory: \"2\"}}",
            ),
            existing: on_node(rp(5, 19, &[])),
            args: None,
            want: Some((U, "Insufficient memory")),
        },
        // "pod-level hugepages resource fit" (no containers upstream: one container that
        // requests nothing here; the node has no pods)
        FilterCase {
            name: "pod-level hugepages resource fit",
            pod: fp_extra(
                &[nothing()],
                &[],
                "resources: {requests: {cpu: 3m, memory: \"2\", hugepages-2Mi: \"5\"}}",
            ),
            existing: vec![],
            args: None,
            want: None,
        },
        // "both pod-level and container-level hugepages resource fit"
        FilterCase {
            name: "both pod-level and container-level hugepages resource fit",
            pod: fp_extra(
                &[rp(1, 1, &[(HP, 3)])],
                &[],
                "resources: {requests: {cpu: 3m, memory: \"2\", hugepages-2Mi: \"5\"}}",
            ),
            existing: vec![],
            args: None,
            want: None,
        },
        // "one pod-level cpu resource fits and all init and non-init containers resources fit"
        FilterCase {
            name: "one pod-level cpu resource fits and all init and non-init containers resources fit",
            pod: fp_extra(
                &[rp(1, 1, &[])],
                &[rp(1, 1, &[])],
                "resources: {requests: {cpu: 3m, memory: \"2\"}}",
            ),
            existing: on_node(rp(5, 19, &[])),
            args: None,
            want: Some((U, "Insufficient memory")),
        },
        // "extended resource backed by device plugin" (DRAExtendedResource on; the node's
        // device-plugin allocatable answers, as without DRA)
        FilterCase {
            name: "extended resource backed by device plugin",
            pod: fp(&[rp(0, 0, &[(A, 1)])], &[]),
            existing: on_node(nothing()),
            args: None,
            want: None,
        },
        // "extended resource backed by DRA not enabled"
        FilterCase {
            name: "extended resource backed by DRA not enabled",
            pod: fp(
                &[rp(1, 1, &[("extended.resource.dra.io/something", 1)])],
                &[],
            ),
            existing: on_node(rp(0, 0, &[])),
            args: None,
            want: Some((UU, "Insufficient extended.resource.dra.io/something")),
        },
        // "extended resource NOT backed by DRA" (DRAExtendedResource on, no DeviceClass maps
        // example.com/bbb)
        FilterCase {
            name: "extended resource NOT backed by DRA",
            pod: fp(&[rp(1, 1, &[(B, 1)])], &[]),
            existing: on_node(rp(0, 0, &[])),
            args: None,
            want: Some((UU, "Insufficient example.com/bbb")),
        },
        // "extended resource was backed by Device Plugin (Allocatable: 0), global cache"
        // (example.com/aaa has device-plugin allocatable 5 on the node)
        FilterCase {
            name: "extended resource was backed by Device Plugin (Allocatable: 0), global cache",
            pod: fp(&[rp(0, 0, &[(A, 1)])], &[]),
            existing: on_node(rp(0, 0, &[(A, 0)])),
            args: None,
            want: None,
        },
    ];
    run_filter_cases(&enough_node(), cases);
}

#[test]
fn enough_requests_pod_level_hugepages_not_fit() {
    // fit_test.go TestEnoughRequests "pod-level hugepages resource not fit": pod-level
    // requests replace the container aggregate for hugepages too, so 10 > 5 allocatable.
    let cases = vec![FilterCase {
        name: "pod-level hugepages resource not fit",
        pod: fp_extra(
            &[nothing()],
            &[],
            "resources: {requests: {cpu: 3m, memory: \"2\", hugepages-2Mi: \"10\"}}",
        ),
        existing: vec![],
        args: None,
        want: Some((UU, "Insufficient hugepages-2Mi")),
    }];
    run_filter_cases(&enough_node(), cases);
}

#[test]
fn not_enough_requests() {
    // fit_test.go TestNotEnoughRequests: all 4 cases. Node allocatable cpu 10m, memory 20,
    // 1 pod (makeAllocatableResources(10, 20, 1, 0, 0, 0)), empty capacity, one pod on it.
    let node = st_node_cap(
        "node",
        &[],
        &[
            ("cpu", "10m"),
            ("memory", "20"),
            ("pods", "1"),
            ("example.com/aaa", "0"),
            ("ephemeral-storage", "0"),
            ("hugepages-2Mi", "0"),
        ],
    );
    let too_many = Some((U, "Too many pods"));
    let cases = vec![
        // "even without specified resources, predicate fails when there's no space for
        // additional pod"
        FilterCase {
            name: "even without specified resources, predicate fails when there's no space for additional pod",
            pod: fp(&[nothing()], &[]),
            existing: on_node(rp(10, 20, &[])),
            args: None,
            want: too_many,
        },
        // "even if both resources fit, predicate fails when there's no space for additional pod"
        FilterCase {
            name: "even if both resources fit, predicate fails when there's no space for additional pod",
            pod: fp(&[rp(1, 1, &[])], &[]),
            existing: on_node(rp(5, 5, &[])),
            args: None,
            want: too_many,
        },
        // "even for equal edge case, predicate fails when there's no space for additional pod"
        FilterCase {
            name: "even for equal edge case, predicate fails when there's no space for additional pod",
            pod: fp(&[rp(5, 1, &[])], &[]),
            existing: on_node(rp(5, 19, &[])),
            args: None,
            want: too_many,
        },
        // "even for equal edge case, predicate fails when there's no space for additional pod
        // due to init container"
        FilterCase {
            name: "even for equal edge case, predicate fails when there's no space for additional pod due to init container",
            pod: fp(&[rp(5, 1, &[])], &[rp(5, 1, &[])]),
            existing: on_node(rp(5, 19, &[])),
            args: None,
            want: too_many,
        },
    ];
    run_filter_cases(&node, cases);
}

#[test]
fn storage_requests() {
    // fit_test.go TestStorageRequests: all 4 cases, node makeAllocatableResources(10, 20, 32, 5,
    // 20, 5).
    let eph = |cpu: i64, mem: i64, e: i64| {
        let mut v = rp(cpu, mem, &[]);
        v.push(("ephemeral-storage".into(), e.to_string()));
        v
    };
    let cases = vec![
        // "empty storage requested, and pod fits"
        FilterCase {
            name: "empty storage requested, and pod fits",
            pod: fp(&[rp(1, 1, &[])], &[]),
            existing: on_node(rp(2, 10, &[])),
            args: None,
            want: None,
        },
        // "storage ephemeral local storage request exceeds allocatable"
        FilterCase {
            name: "storage ephemeral local storage request exceeds allocatable",
            pod: fp(&[eph(0, 0, 25)], &[]),
            existing: on_node(rp(2, 2, &[])),
            args: None,
            want: Some((UU, "Insufficient ephemeral-storage")),
        },
        // "ephemeral local storage is sufficient"
        FilterCase {
            name: "ephemeral local storage is sufficient",
            pod: fp(&[eph(0, 0, 5)], &[]),
            existing: on_node(eph(2, 2, 10)),
            args: None,
            want: None,
        },
        // "pod fits"
        FilterCase {
            name: "pod fits",
            pod: fp(&[eph(0, 0, 10)], &[]),
            existing: on_node(rp(2, 2, &[])),
            args: None,
            want: None,
        },
    ];
    run_filter_cases(&enough_node(), cases);
}

#[test]
fn restartable_init_containers() {
    // fit_test.go TestRestartableInitContainers: 5 of 6 cases; node allocatable cpu 2m,
    // memory 0, 1 pod. Not here: "not allow pod with restartable init containers if sidecar
    // containers is disabled" (SidecarContainers is GA and always on in kubesim). The first
    // case's disabled gate does not matter for a pod without sidecars.
    let node = st_node_cap(
        "node",
        &[],
        &[
            ("cpu", "2m"),
            ("memory", "0"),
            ("pods", "1"),
            ("example.com/aaa", "0"),
            ("ephemeral-storage", "0"),
            ("hugepages-2Mi", "0"),
        ],
    );
    let plain = st_pod("p", None, &[None], &[], "");
    let with_sidecar =
        |req: Option<Res>, sidecar: Option<Res>| st_pod("p", None, &[req], &[(sidecar, true)], "");
    let cases = vec![
        // "allow pod without restartable init containers if sidecar containers is disabled"
        FilterCase {
            name: "allow pod without restartable init containers if sidecar containers is disabled",
            pod: plain.clone(),
            existing: vec![],
            args: None,
            want: None,
        },
        // "allow pod without restartable init containers if sidecar containers is enabled"
        FilterCase {
            name: "allow pod without restartable init containers if sidecar containers is enabled",
            pod: plain,
            existing: vec![],
            args: None,
            want: None,
        },
        // "allow pod with restartable init containers if sidecar containers is enabled"
        FilterCase {
            name: "allow pod with restartable init containers if sidecar containers is enabled",
            pod: with_sidecar(None, None),
            existing: vec![],
            args: None,
            want: None,
        },
        // "allow pod if the total requested resources do not exceed the node's allocatable
        // resources"
        FilterCase {
            name: "allow pod if the total requested resources do not exceed the node's allocatable resources",
            pod: with_sidecar(Some(&[("cpu", "1m")]), Some(&[("cpu", "1m")])),
            existing: vec![],
            args: None,
            want: None,
        },
        // "not allow pod if the total requested resources do exceed the node's allocatable
        // resources"
        FilterCase {
            name: "not allow pod if the total requested resources do exceed the node's allocatable resources",
            pod: with_sidecar(Some(&[("cpu", "1m")]), Some(&[("cpu", "2m")])),
            existing: vec![],
            args: None,
            want: Some((UU, "Insufficient cpu")),
        },
    ];
    run_filter_cases(&node, cases);
}
