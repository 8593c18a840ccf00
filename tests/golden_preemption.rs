//! Preemption golden tests, transcribed from upstream
//! `pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go`
//! (`TestPickOneNodeForPreemption`, `TestSelectCandidate`-style victim choices, the
//! eligibility and message cases), run through the whole default profile.
//!
//! Upstream's fixtures: nodes of 5 × the scheduler's default request (500m CPU,
//! 5 × 200Mi memory); containers small = 1×, medium = 2×, large = 3×, veryLarge = 5×; priorities
//! neg = -100, low = 0, mid = 100, high = 1000, veryHigh = 10000; every pod started at the same
//! time (cases that vary start times need `status.startTime`, which kubesim sets itself, and
//! are left out).

mod support;
use support::*;

const CPU: i64 = 100;
const MEM: i64 = 200 * 1024 * 1024;
const NEG: i32 = -100;
const LOW: i32 = 0;
const MID: i32 = 100;
const HIGH: i32 = 1000;
const VERY_HIGH: i32 = 10000;

fn machines(n: usize) -> String {
    (1..=n)
        .map(|i| node(&format!("machine{i}"), 5 * CPU, 5 * MEM, &[]))
        .collect()
}

/// A pod of `size` × the default request with a priority.
fn p(name: &str, size: i64, prio: i32, node: Option<&str>) -> String {
    pod(
        name,
        size * CPU,
        size * MEM,
        node,
        &[("app", name)],
        &format!("priority: {prio}"),
    )
}

fn run(
    nodes: usize,
    preemptor: (i64, i32),
    pods: &[(&str, i64, i32, &str)],
) -> (Option<String>, Option<String>, Vec<String>) {
    let mut m = machines(nodes);
    for (name, size, prio, node) in pods {
        m.push_str(&p(name, *size, *prio, Some(node)));
    }
    m.push_str(&p("preemptor", preemptor.0, preemptor.1, None));
    let w = schedule(&m, None);
    let o = w
        .outcomes
        .iter()
        .find(|o| o.key == "default/preemptor")
        .expect("attempted");
    (o.node.clone(), o.nominated.clone(), o.victims.clone())
}

#[test]
fn no_node_needs_preemption() {
    // TestPickOneNodeForPreemption "No node needs preemption".
    let (node, nominated, victims) = run(1, (3, HIGH), &[("m1.1", 1, MID, "machine1")]);
    assert_eq!(node.as_deref(), Some("machine1"));
    assert_eq!(nominated, None);
    assert!(victims.is_empty());
}

#[test]
fn fits_on_both_machines_when_lower_priority_pods_are_preempted() {
    // TestPickOneNodeForPreemption "a pod that fits on both nodes when lower priority pods
    // are preempted": either node is valid.
    let (node, nominated, victims) = run(
        2,
        (3, HIGH),
        &[("m1.1", 3, MID, "machine1"), ("m2.1", 3, MID, "machine2")],
    );
    assert_eq!(node, None, "the preemptor waits for its victims");
    let n = nominated.expect("nominated");
    assert!(n == "machine1" || n == "machine2");
    let expected = if n == "machine1" {
        "default/m1.1"
    } else {
        "default/m2.1"
    };
    assert_eq!(victims, vec![expected.to_string()]);
}

#[test]
fn fits_on_a_machine_with_no_preemption() {
    // TestPickOneNodeForPreemption "a pod that fits on a machine with no preemption".
    let (node, _, victims) = run(
        3,
        (3, HIGH),
        &[("m1.1", 3, MID, "machine1"), ("m2.1", 3, MID, "machine2")],
    );
    assert_eq!(node.as_deref(), Some("machine3"));
    assert!(victims.is_empty());
}

#[test]
fn machine_with_min_highest_priority_pod_is_picked() {
    // TestPickOneNodeForPreemption "machine with min highest priority pod is picked".
    let (_, nominated, victims) = run(
        3,
        (5, HIGH),
        &[
            ("m1.1", 2, MID, "machine1"),
            ("m1.2", 3, MID, "machine1"),
            ("m2.1", 2, MID, "machine2"),
            ("m2.2", 2, LOW, "machine2"),
            ("m3.1", 2, LOW, "machine3"),
            ("m3.2", 2, LOW, "machine3"),
        ],
    );
    assert_eq!(nominated.as_deref(), Some("machine3"));
    assert_eq!(victims.len(), 2);
}

#[test]
fn same_highest_priority_minimum_sum_of_priorities_is_picked() {
    // TestPickOneNodeForPreemption "when highest priorities are the same, minimum sum of
    // priorities is picked".
    let (_, nominated, _) = run(
        3,
        (5, HIGH),
        &[
            ("m1.1", 2, MID, "machine1"),
            ("m1.2", 3, MID, "machine1"),
            ("m2.1", 3, MID, "machine2"),
            ("m2.2", 2, LOW, "machine2"),
            ("m3.1", 2, MID, "machine3"),
            ("m3.2", 2, MID, "machine3"),
        ],
    );
    assert_eq!(nominated.as_deref(), Some("machine2"));
}

#[test]
fn same_highest_priority_and_sum_minimum_number_of_pods_is_picked() {
    // TestPickOneNodeForPreemption "when highest priority and sum are the same, minimum
    // number of pods is picked".
    let (_, nominated, _) = run(
        3,
        (5, HIGH),
        &[
            ("m1.1", 1, MID, "machine1"),
            ("m1.2", 1, NEG, "machine1"),
            ("m1.3", 1, MID, "machine1"),
            ("m1.4", 1, NEG, "machine1"),
            ("m2.1", 3, MID, "machine2"),
            ("m2.2", 2, NEG, "machine2"),
            ("m3.1", 2, MID, "machine3"),
            ("m3.2", 1, NEG, "machine3"),
            ("m3.3", 1, LOW, "machine3"),
        ],
    );
    assert_eq!(nominated.as_deref(), Some("machine2"));
}

#[test]
fn sum_of_adjusted_priorities_is_considered() {
    // TestPickOneNodeForPreemption "sum of adjusted priorities is considered": negative
    // priorities are shifted by 2^31 before summing.
    let (_, nominated, _) = run(
        3,
        (5, HIGH),
        &[
            ("m1.1", 1, MID, "machine1"),
            ("m1.2", 1, NEG, "machine1"),
            ("m1.3", 1, NEG, "machine1"),
            ("m2.1", 3, MID, "machine2"),
            ("m2.2", 2, NEG, "machine2"),
            ("m3.1", 2, MID, "machine3"),
            ("m3.2", 1, NEG, "machine3"),
            ("m3.3", 1, LOW, "machine3"),
        ],
    );
    assert_eq!(nominated.as_deref(), Some("machine2"));
}

#[test]
fn non_overlapping_lowest_high_priority_sum_and_number_of_pods() {
    // TestPickOneNodeForPreemption "non-overlapping lowest high priority, sum priorities, and
    // number of pods".
    let (_, nominated, _) = run(
        4,
        (5, VERY_HIGH),
        &[
            ("m1.1", 1, MID, "machine1"),
            ("m1.2", 1, LOW, "machine1"),
            ("m1.3", 1, LOW, "machine1"),
            ("m2.1", 3, HIGH, "machine2"),
            ("m3.1", 2, MID, "machine3"),
            ("m3.2", 1, LOW, "machine3"),
            ("m3.3", 1, LOW, "machine3"),
            ("m3.4", 2, LOW, "machine3"),
            ("m4.1", 2, MID, "machine4"),
            ("m4.2", 1, MID, "machine4"),
            ("m4.3", 1, MID, "machine4"),
            ("m4.4", 1, NEG, "machine4"),
        ],
    );
    assert_eq!(nominated.as_deref(), Some("machine1"));
}

#[test]
fn victims_are_the_fewest_lowest_priority_pods_reprieved_in_priority_order() {
    // SelectVictimsOnNode: all lower-priority pods are removed, then reprieved from the most
    // important down while the preemptor still fits; here only the low-priority pod goes.
    let (_, nominated, victims) = run(
        1,
        (2, HIGH),
        &[
            ("a", 1, MID, "machine1"),
            ("b", 2, LOW, "machine1"),
            ("c", 1, MID, "machine1"),
        ],
    );
    assert_eq!(nominated.as_deref(), Some("machine1"));
    assert_eq!(victims, vec!["default/b".to_string()]);
}

#[test]
fn equal_priority_pods_are_never_victims() {
    // "No preemption victims found for incoming pod" when nothing on the node has lower
    // priority; the whole message as upstream prints it.
    let m = format!(
        "{}{}{}",
        machines(2),
        p("a", 5, MID, Some("machine1")),
        p("b", 5, MID, Some("machine2"))
    ) + &p("preemptor", 3, MID, None);
    let w = schedule(&m, None);
    assert_eq!(
        outcome(&w, "default/preemptor"),
        Err("0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory. no new claims to deallocate, \
             preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."
            .into())
    );
}

#[test]
fn preemption_policy_never_is_not_eligible() {
    // PodEligibleToPreemptOthers: preemptionPolicy Never.
    let m = machines(1)
        + &p("a", 5, LOW, Some("machine1"))
        + &pod(
            "preemptor",
            3 * CPU,
            3 * MEM,
            None,
            &[],
            &format!("priority: {HIGH}, preemptionPolicy: Never"),
        );
    let w = schedule(&m, None);
    assert_eq!(
        outcome(&w, "default/preemptor"),
        Err("0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. no new claims to deallocate, \
             preemption: not eligible due to preemptionPolicy=Never."
            .into())
    );
}

#[test]
fn unresolvable_nodes_are_not_helpful() {
    // nodesWherePreemptionMightHelp: nodes failing with UnschedulableAndUnresolvable (a taint)
    // are never candidates and are reported as "Preemption is not helpful for scheduling".
    let m = node_full(
        "tainted",
        500,
        5 * MEM,
        110,
        &[],
        "taints: [{key: k, effect: NoSchedule}]",
    ) + &node("machine1", 5 * CPU, 5 * MEM, &[])
        + &p("a", 5, LOW, Some("machine1"))
        + &p("preemptor", 3, HIGH, None);
    let w = schedule(&m, None);
    let o = w
        .outcomes
        .iter()
        .find(|o| o.key == "default/preemptor")
        .unwrap();
    assert_eq!(o.nominated.as_deref(), Some("machine1"));
    assert_eq!(o.victims, vec!["default/a".to_string()]);
}

#[test]
fn pdb_violations_are_avoided_when_possible() {
    // filterPodsWithPDBViolation + pickOneNodeForPreemption's first criterion: the node whose
    // victim is protected by a PodDisruptionBudget with no disruptions allowed loses to a
    // node whose victim has a higher priority but no budget.
    let m = machines(2)
        + &pod(
            "protected",
            5 * CPU,
            5 * MEM,
            Some("machine1"),
            &[("app", "db")],
            &format!("priority: {LOW}"),
        )
        + &p("other", 5, MID, Some("machine2"))
        + "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: db, namespace: default}\nspec: {minAvailable: 1, selector: {matchLabels: {app: db}}}\n"
        + &p("preemptor", 3, HIGH, None);
    let w = schedule(&m, None);
    let o = w
        .outcomes
        .iter()
        .find(|o| o.key == "default/preemptor")
        .unwrap();
    assert_eq!(o.nominated.as_deref(), Some("machine2"));
    assert_eq!(o.victims, vec!["default/other".to_string()]);
}
