//! The Cluster Autoscaler with asserted timelines (`scenarios/autoscaling/ca-scale-up-down.yaml`).

mod scenario_support;

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use scenario_support::{events, repo_file, sim_from};
use std::path::Path;

fn text() -> String {
    repo_file("scenarios/autoscaling/ca-scale-up-down.yaml")
}

#[test]
fn pending_pods_trigger_a_scale_up_that_lands_after_the_provisioning_delay() {
    let mut sim = sim_from(&text());
    sim.run();
    // 6 × 1.5 cpu at 2:00: one fits next to each `base` pod, four cannot. The 2:10 loop
    // binpacks them two per 4-cpu burst node: 2 nodes, up after 2 minutes.
    let up = events(&sim, "TriggeredScaleUp");
    assert_eq!(up.len(), 4);
    for (t, _, msg) in &up {
        assert_eq!(*t, 130);
        assert_eq!(msg, "pod triggered scale-up: [{burst 0->2 (max: 5)}]");
    }
    let bound: Vec<(u64, String)> = events(&sim, "Scheduled")
        .into_iter()
        .filter(|(_, pod, _)| up.iter().any(|u| &u.1 == pod))
        .map(|(t, _, msg)| (t, msg))
        .collect();
    assert_eq!(bound.len(), 4);
    for (t, msg) in &bound {
        assert_eq!(*t, 250, "bound when the nodes join");
        assert!(msg.contains(" to burst-"), "{msg}");
    }
    // At 20:00 the batch goes; the burst nodes are empty from 20:01, unneeded from the 20:10
    // loop, removed 10 minutes later, together.
    let down: Vec<(u64, String)> = events(&sim, "ScaleDown")
        .into_iter()
        .filter(|(_, _, m)| m.starts_with("Scale-down"))
        .map(|(t, n, _)| (t, n))
        .collect();
    assert_eq!(
        down,
        vec![(1810, "burst-0".to_string()), (1810, "burst-1".to_string())]
    );
    assert_eq!(sim.store.nodes().count(), 2);
    // 2 nodes × (1810 − 250) s at 0.2 per hour.
    let c = sim.summary().cost;
    let burst = c.pools.iter().find(|p| p.pool == "burst").unwrap();
    assert_eq!(
        burst.node_hours,
        ((2.0 * 1560.0 / 3600.0) * 1000.0_f64).round() / 1000.0
    );
}

#[test]
fn no_scale_down_within_the_delay_after_a_scale_up() {
    // A second scale-up at 15:10 (two more pods, no room left) delays every scale-down until
    // 25:10, although the nodes are unneeded from 20:10 and the unneeded time is 1 minute.
    let t = text()
        .replace(
            "clusterAutoscaler: {}",
            "clusterAutoscaler: {scaleDownUnneededTime: 1m}",
        )
        .replace(
            "  - at: 20m\n",
            "  - at: 15m\n    scale: {target: deployment/batch, replicas: 8}\n  - at: 20m\n",
        );
    let mut sim = sim_from(&t);
    sim.run();
    let up: Vec<u64> = events(&sim, "TriggeredScaleUp")
        .iter()
        .map(|e| e.0)
        .collect();
    assert!(up.contains(&910), "{up:?}");
    let down: Vec<u64> = events(&sim, "ScaleDown")
        .iter()
        .filter(|e| e.2.starts_with("Scale-down"))
        .map(|e| e.0)
        .collect();
    assert_eq!(down, vec![1510, 1510, 1510]);
}

#[test]
fn a_pod_no_group_can_fit_gets_the_reasons() {
    let t = text().replace(
        "  - at: 20m\n    scale: {target: deployment/batch, replicas: 0}\n",
        "  - at: 20m\n    apply:\n      inline: |\n        apiVersion: v1\n        kind: Pod\n        metadata: {name: huge}\n        spec:\n          containers: [{name: c, image: \"batch:1\", resources: {requests: {cpu: \"6\"}}}]\n",
    );
    let mut sim = sim_from(&t);
    sim.run_until(SimTime::ZERO + SimDuration::from_secs(1300));
    let no = events(&sim, "NotTriggerScaleUp");
    assert_eq!(
        no.len(),
        1,
        "reported once while the reason stays the same: {no:?}"
    );
    assert_eq!(no[0].1, "huge");
    assert_eq!(no[0].2, "pod didn't trigger scale-up: 1 Insufficient cpu");
}

#[test]
fn autoscaler_settings_are_checked() {
    let bad = text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: cheapest, scaleDownUtilizationThreshold: 1.5}",
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let e = load_scenario_str(&bad, "ca.yaml", root)
        .unwrap_err()
        .to_string();
    assert!(e.contains("clusterAutoscaler.expander"), "{e}");
    assert!(e.contains("Expander cheapest not supported"), "{e}");
    assert!(
        e.contains("clusterAutoscaler.scaleDownUtilizationThreshold"),
        "{e}"
    );
}

#[test]
fn expanders_choose_different_groups() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base =
        std::fs::read_to_string(root.join("scenarios/autoscaling/ca-expanders.yaml")).unwrap();
    let first_scale_up = |t: &str| {
        let mut sim = sim_from(t);
        sim.run_until(SimTime::ZERO + SimDuration::from_secs(60));
        let e = events(&sim, "TriggeredScaleUp");
        assert_eq!(e.len(), 9, "nine pods did not fit the small node");
        e[0].2.clone()
    };
    assert_eq!(
        first_scale_up(&base),
        "pod triggered scale-up: [{medium 0->2 (max: 6)}]"
    );
    // most-pods ties (nine pods either way): upstream's chain ends in `random`, drawn from the
    // autoscaler's seeded stream, so the pick is one of the two and the same on every run.
    let most = base.replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: most-pods}",
    );
    let pick = first_scale_up(&most);
    assert!(
        pick == "pod triggered scale-up: [{big 0->1 (max: 3)}]"
            || pick == "pod triggered scale-up: [{medium 0->2 (max: 6)}]",
        "{pick}"
    );
    assert_eq!(first_scale_up(&most), pick, "deterministic");
    // Chained, price breaks most-pods' tie: 2 × 0.30 < 0.80.
    let most_price = base.replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: 'most-pods,price'}",
    );
    assert_eq!(
        first_scale_up(&most_price),
        "pod triggered scale-up: [{medium 0->2 (max: 6)}]"
    );
    let cheap_big = base.replace("pricePerHour: 0.80", "pricePerHour: 0.50");
    let price = cheap_big.replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: price}",
    );
    assert_eq!(
        first_scale_up(&price),
        "pod triggered scale-up: [{big 0->1 (max: 3)}]"
    );
    assert_eq!(
        first_scale_up(&cheap_big),
        "pod triggered scale-up: [{medium 0->2 (max: 6)}]",
        "least-waste does not look at prices"
    );
    // All ten pods run once the nodes are up.
    let mut sim = sim_from(&base);
    sim.run();
    assert_eq!(sim.store.pod_counts().ready, 10);
}

/// Two nodes of an autoscaled group: `big` fills most of the first, the pod(s) in `small` land
/// on the second, which is then below the utilization threshold. Returns whether the
/// autoscaler removed the second node.
fn second_node_removed(small: &str) -> bool {
    let text = format!(
        r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: rules}}
duration: 20m
clusterAutoscaler: {{}}
nodePools:
  - name: pool
    count: 2
    min: 0
    max: 3
    template:
      status:
        allocatable: {{cpu: "4", memory: 16Gi, pods: "110"}}
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: big}}
      spec:
        replicas: 1
        selector: {{matchLabels: {{app: big}}}}
        template:
          metadata: {{labels: {{app: big}}}}
          spec:
            containers: [{{name: c, image: "app:1", resources: {{requests: {{cpu: "3", memory: 4Gi}}}}}}]
{small}"#
    );
    let mut sim = sim_from(&text);
    sim.run();
    let gone = events(&sim, "ScaleDown")
        .iter()
        .any(|e| e.1 == "pool-1" && e.2.starts_with("Scale-down"));
    if gone {
        // After the node's ten unneeded minutes (from the 0:10 loop).
        let t = events(&sim, "ScaleDown")
            .iter()
            .find(|e| e.1 == "pool-1")
            .map(|e| e.0)
            .unwrap();
        assert_eq!(t, 610);
    }
    gone
}

fn small(namespace: &str, annotations: &str, volumes: &str) -> String {
    format!(
        r#"  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: small, namespace: {namespace}}}
      spec:
        replicas: 1
        selector: {{matchLabels: {{app: small}}}}
        template:
          metadata:
            labels: {{app: small}}
            annotations: {{{annotations}}}
          spec:
            containers: [{{name: c, image: "app:1", resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}}}]
            volumes: [{volumes}]
"#
    )
}

const PDB: &str = "  - inline: |\n      apiVersion: policy/v1\n      kind: PodDisruptionBudget\n      metadata: {name: small, namespace: NS}\n      spec: {MIN, selector: {matchLabels: {app: small}}}\n";

#[test]
fn scale_down_blocking_rules() {
    // A replicated pod that fits elsewhere does not block.
    assert!(second_node_removed(&small("default", "", "")));
    // NotSafeToEvictAnnotation.
    assert!(!second_node_removed(&small(
        "default",
        "cluster-autoscaler.kubernetes.io/safe-to-evict: \"false\"",
        ""
    )));
    // LocalStorageRequested, unless safe-to-evict is "true".
    let empty_dir = "{name: scratch, emptyDir: {}}";
    assert!(!second_node_removed(&small("default", "", empty_dir)));
    assert!(second_node_removed(&small(
        "default",
        "cluster-autoscaler.kubernetes.io/safe-to-evict: \"true\"",
        empty_dir
    )));
    // UnmovableKubeSystemPod: kube-system without a budget; a budget that allows a disruption
    // makes it movable.
    assert!(!second_node_removed(&small("kube-system", "", "")));
    let allowing = PDB
        .replace("NS", "kube-system")
        .replace("MIN", "maxUnavailable: 1");
    assert!(second_node_removed(&format!(
        "{}{allowing}",
        small("kube-system", "", "")
    )));
    // NotEnoughPdb: the budget allows no disruption.
    let stuck = PDB
        .replace("NS", "default")
        .replace("MIN", "minAvailable: 1");
    assert!(!second_node_removed(&format!(
        "{}{stuck}",
        small("default", "", "")
    )));
    // NotReplicated: a pod without a controller.
    let bare = "  - inline: |\n      apiVersion: v1\n      kind: Pod\n      metadata: {name: bare}\n      spec:\n        containers: [{name: c, image: \"app:1\", resources: {requests: {cpu: 100m}}}]\n";
    assert!(!second_node_removed(bare));
}

#[test]
fn the_summary_reports_what_the_autoscaler_did() {
    let mut sim = sim_from(&text());
    sim.run();
    let a = sim.summary().autoscaler.unwrap();
    assert_eq!((a.scale_ups, a.nodes_added, a.nodes_removed), (1, 2, 2));
}

fn failure_text() -> String {
    repo_file("scenarios/autoscaling/ca-provision-failure.yaml")
}

#[test]
fn a_pool_that_fails_to_provision_times_out_is_backed_off_and_the_other_pool_is_used() {
    let mut sim = sim_from(&failure_text());
    sim.run();
    let up: Vec<(u64, String)> = events(&sim, "TriggeredScaleUp")
        .into_iter()
        .map(|(t, _, m)| (t, m))
        .collect();
    // price picks the cheap spot group at 0:10 (four pods pending, two per node).
    assert_eq!(up.len(), 8, "{up:?}");
    assert!(
        up[..4].iter().all(|u| *u
            == (
                10,
                "pod triggered scale-up: [{spot 0->2 (max: 5)}]".to_string()
            )),
        "{up:?}"
    );
    // Expected by 0:10 + 15m; the 15:20 loop is the first strictly after it.
    let timed_out = events(&sim, "ScaleUpTimedOut");
    assert_eq!(
        timed_out,
        vec![(
            920,
            "cluster-autoscaler-status".to_string(),
            "Nodes added to group spot failed to register within 15m10s".to_string()
        )]
    );
    let removed = events(&sim, "DeleteUnregistered");
    assert_eq!(removed.len(), 2);
    assert!(removed.iter().all(|e| e.0 == 920));
    // Backed off, spot is not chosen again: on-demand in the same loop, nodes 2 minutes later.
    assert!(
        up[4..].iter().all(|u| *u
            == (
                920,
                "pod triggered scale-up: [{on-demand 0->2 (max: 5)}]".to_string()
            )),
        "{up:?}"
    );
    let bound: Vec<u64> = events(&sim, "Scheduled")
        .into_iter()
        .filter(|(_, _, m)| m.contains(" to on-demand-"))
        .map(|e| e.0)
        .collect();
    assert_eq!(bound, vec![1040; 4]);
    assert_eq!(sim.store.nodes().count(), 3);
    let a = sim.summary().autoscaler.expect("autoscaler");
    assert_eq!((a.scale_ups, a.nodes_added, a.failed_scale_ups), (2, 4, 1));
    assert!(
        !sim.store
            .nodes()
            .any(|(_, n)| sim.store.interner.resolve(n.name).starts_with("spot")),
        "no spot node ever joined"
    );
}

#[test]
fn an_instance_creation_error_backs_the_group_off_when_reported() {
    let t = failure_text().replace(
        "provisioningFailure: {probability: 1}",
        "provisioningFailure: {probability: 1, errorAfter: 3m}",
    );
    let mut sim = sim_from(&t);
    sim.run();
    assert_eq!(
        events(&sim, "ScaleUpFailed"),
        vec![(
            190,
            "cluster-autoscaler-status".to_string(),
            "Failed adding 2 nodes to group spot due to OutOfResource.RESOURCE_POOL_EXHAUSTED; source errors: instance creation failed: capacity unavailable".to_string()
        )]
    );
    assert!(events(&sim, "ScaleUpTimedOut").is_empty());
    let on_demand: Vec<u64> = events(&sim, "TriggeredScaleUp")
        .into_iter()
        .filter(|e| e.2.contains("{on-demand 0->2"))
        .map(|e| e.0)
        .collect();
    assert_eq!(on_demand, vec![190; 4]);
    assert_eq!(sim.summary().autoscaler.unwrap().failed_scale_ups, 1);
}

#[test]
fn while_backed_off_a_group_is_skipped_and_the_backoff_doubles() {
    // on-demand can hold only two of the four pods; the other two wait for spot's backoff to
    // end, fail again, and are told why meanwhile.
    let t = failure_text()
        .replace("duration: 30m", "duration: 50m")
        .replace(
            "    max: 5\n    provisioningDelay: 2m\n    pricePerHour: 0.30",
            "    max: 1\n    provisioningDelay: 2m\n    pricePerHour: 0.30",
        );
    let mut sim = sim_from(&t);
    sim.run();
    let spot_ups: Vec<u64> = events(&sim, "TriggeredScaleUp")
        .into_iter()
        .filter(|e| e.2.contains("{spot "))
        .map(|e| e.0)
        .collect();
    let mut firsts = spot_ups.clone();
    firsts.dedup();
    // 0:10; then when the 5m backoff from 15:20 has run out (20:20: backed off only strictly
    // before its end); that request times out at 35:30 and the backoff doubles to 10m, so the
    // next try is at 45:30.
    assert_eq!(firsts, vec![10, 1220, 2730], "{spot_ups:?}");
    let timeouts: Vec<u64> = events(&sim, "ScaleUpTimedOut")
        .iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(timeouts, vec![920, 2130]);
    let no: Vec<(u64, String)> = events(&sim, "NotTriggerScaleUp")
        .into_iter()
        .map(|(t, _, m)| (t, m))
        .collect();
    assert!(
        no.iter()
            .any(|(t, m)| *t > 920 && m.contains("in backoff after failed scale-up")),
        "{no:?}"
    );
    assert_eq!(sim.summary().autoscaler.unwrap().failed_scale_ups, 2);
}

fn expanders_text() -> String {
    repo_file("scenarios/autoscaling/ca-expanders.yaml")
}

fn first_group(t: &str) -> String {
    let mut sim = sim_from(t);
    sim.run_until(SimTime::ZERO + SimDuration::from_secs(60));
    let e = events(&sim, "TriggeredScaleUp");
    let m = &e.first().expect("a scale-up").2;
    m.split('{')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn the_priority_expander_picks_the_highest_priority_matching_group() {
    // From the ConfigMap upstream reads (kube-system/cluster-autoscaler-priority-expander).
    let cm = expanders_text()
        .replace(
            "clusterAutoscaler: {}",
            "clusterAutoscaler: {expander: priority}",
        )
        .replace(
            "manifests:\n",
            "manifests:\n  - inline: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: cluster-autoscaler-priority-expander, namespace: kube-system}\n      data:\n        priorities: |-\n          10:\n            - medium\n          50:\n            - ^bi.*\n",
        );
    assert_eq!(first_group(&cm), "big");
    // From the scenario field; an unanchored rule, and a higher priority for medium.
    let field = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: priority, priorities: {10: [big], 20: [dium]}}",
    );
    assert_eq!(first_group(&field), "medium");
    // No rule matches: upstream falls back to random among all options.
    let none = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: priority, priorities: {10: [nothing]}}",
    );
    let g = first_group(&none);
    assert!(g == "big" || g == "medium", "{g}");
}

#[test]
fn expanders_chain_each_filters_and_the_last_picks() {
    // Same priority for both: least-waste decides (medium), then price-first for the reverse.
    let chain = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: 'priority,least-waste', priorities: {10: ['.*']}}",
    );
    assert_eq!(first_group(&chain), "medium");
    let cheap_big = expanders_text()
        .replace("pricePerHour: 0.80", "pricePerHour: 0.50")
        .replace(
            "clusterAutoscaler: {}",
            "clusterAutoscaler: {expander: 'priority,price', priorities: {10: [big, medium]}}",
        );
    assert_eq!(first_group(&cheap_big), "big");
    // A higher priority wins over anything after it in the chain.
    let high = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: 'priority,least-waste', priorities: {1: [medium], 2: [big]}}",
    );
    assert_eq!(first_group(&high), "big");
}

#[test]
fn bad_priorities_and_chains_are_located_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let load = |t: &str| {
        load_scenario_str(t, "ca.yaml", root)
            .unwrap_err()
            .to_string()
    };
    let bad_re = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler:\n  expander: priority\n  priorities:\n    10: ['(big']",
    );
    let e = load(&bad_re);
    assert!(e.contains("ca.yaml:"), "{e}");
    assert!(e.contains("clusterAutoscaler.priorities.10[0]"), "{e}");
    assert!(
        e.contains("Can't compile regexp rule for priority 10 and rule (big"),
        "{e}"
    );
    let not_int = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: priority, priorities: {high: [big]}}",
    );
    assert!(load(&not_int).contains("ca.yaml"), "{}", load(&not_int));
    let missing = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: priority}",
    );
    assert!(
        load(&missing).contains("the priority expander needs priorities"),
        "{}",
        load(&missing)
    );
    let cm_bad = expanders_text()
        .replace(
            "clusterAutoscaler: {}",
            "clusterAutoscaler: {expander: priority}",
        )
        .replace(
            "manifests:\n",
            "manifests:\n  - inline: |\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: cluster-autoscaler-priority-expander, namespace: kube-system}\n      data:\n        priorities: \"ten: [big]\"\n",
        );
    let e = load(&cm_bad);
    assert!(e.contains("data.priorities"), "{e}");
    assert!(
        e.contains("Can't parse YAML with priorities in the configmap"),
        "{e}"
    );
    let chain = expanders_text().replace(
        "clusterAutoscaler: {}",
        "clusterAutoscaler: {expander: 'random,price'}",
    );
    assert!(
        load(&chain).contains("came after an expander random"),
        "{}",
        load(&chain)
    );
    let fail = failure_text().replace("{probability: 1}", "{probability: 1.5}");
    assert!(
        load(&fail).contains("nodePools[1].provisioningFailure.probability"),
        "{}",
        load(&fail)
    );
}

/// Two nodes of an autoscaled group with a 1-minute unneeded time: `big` fills most of
/// pool-0, `small` (one pod, with `extra` in its pod spec and `annotations` on it) lands on
/// pool-1, which the 1:10 loop removes. Containers take an hour to stop after SIGTERM, so a
/// pod lasts its whole grace period. `more` is appended to the manifests.
fn drain_text(annotations: &str, extra: &str, more: &str) -> String {
    format!(
        r#"
apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: ca-drain}}
duration: 25m
kubelet: {{podShutdownTime: 1h}}
clusterAutoscaler: {{scaleDownUnneededTime: 1m}}
nodePools:
  - name: pool
    count: 2
    min: 0
    max: 3
    template:
      status:
        allocatable: {{cpu: "4", memory: 16Gi, pods: "110"}}
manifests:
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: big}}
      spec:
        replicas: 1
        selector: {{matchLabels: {{app: big}}}}
        template:
          metadata: {{labels: {{app: big}}}}
          spec:
            containers: [{{name: c, image: "app:1", resources: {{requests: {{cpu: "3", memory: 4Gi}}}}}}]
  - inline: |
      apiVersion: apps/v1
      kind: Deployment
      metadata: {{name: small}}
      spec:
        replicas: 1
        selector: {{matchLabels: {{app: small}}}}
        template:
          metadata:
            labels: {{app: small}}
            annotations: {{{annotations}}}
          spec:
            {extra}
            containers: [{{name: c, image: "app:1", resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}}}]
{more}"#
    )
}

/// (seconds, object, message) of the events with `reason` about `object`.
fn events_of(sim: &kubesim::sim::Simulation, reason: &str, object: &str) -> Vec<(u64, String)> {
    events(sim, reason)
        .into_iter()
        .filter(|e| e.1.starts_with(object))
        .map(|e| (e.0, e.2))
        .collect()
}

#[test]
fn a_scale_down_caps_the_grace_period_at_max_graceful_termination() {
    let mut sim = sim_from(&drain_text("", "terminationGracePeriodSeconds: 1200", ""));
    sim.run();
    // 1:10: pool-1 is removed; its pod is evicted with the grace period capped at 600 s
    // (min(1200, --max-graceful-termination-sec)), so it stops at 11:10 rather than 21:10.
    assert_eq!(
        events_of(&sim, "ScaleDown", "pool-1"),
        vec![
            (
                70,
                "Scale-down: removing node pool-1, utilization: 0.03, pods to reschedule: 1"
                    .to_string()
            ),
            (
                70,
                "marked the node as toBeDeleted/unschedulable".to_string()
            ),
            // waitPodsToDisappear polls every 5 s from 1:10: the 11:10 poll sees it gone.
            (670, "nodes removed by cluster autoscaler".to_string()),
        ]
    );
    assert_eq!(
        events_of(&sim, "ScaleDown", "small-"),
        vec![(70, "deleting pod for node scale down".to_string())]
    );
    assert_eq!(
        events_of(&sim, "Killing", "small-")
            .into_iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        vec![70]
    );
    let removed = events_of(&sim, "RemovingNode", "pool-1");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].0, 670);
    // No kubectl events for the autoscaler's drain.
    assert!(events(&sim, "Draining").is_empty());
    assert!(events(&sim, "ScaleDownFailed").is_empty());
    assert_eq!(sim.store.nodes().count(), 1);
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!(
        (d.node.as_str(), d.outcome, d.duration_s, d.evicted),
        ("pool-1", "drained", Some(600.0), 1)
    );
}

#[test]
fn a_lower_max_graceful_termination_sec_caps_harder() {
    let text = drain_text("", "terminationGracePeriodSeconds: 1200", "").replace(
        "scaleDownUnneededTime: 1m",
        "scaleDownUnneededTime: 1m, maxGracefulTerminationSec: 60",
    );
    let mut sim = sim_from(&text);
    sim.run();
    // Evicted at 1:10 with 60 s: gone at 2:10, seen by the poll at 2:10.
    let removed = events_of(&sim, "RemovingNode", "pool-1");
    assert_eq!(removed.iter().map(|e| e.0).collect::<Vec<_>>(), vec![130]);
}

const REFUSING_PDB: &str = "  - inline: |\n      apiVersion: policy/v1\n      kind: PodDisruptionBudget\n      metadata: {name: small}\n      spec: {minAvailable: 1, selector: {matchLabels: {app: small}}}\n";

#[test]
fn a_scale_down_whose_evictions_stay_refused_fails_and_waits_the_delay_after_failure() {
    // safe-to-evict "true" lets the planner pick the node although the budget allows no
    // disruption; the Eviction API still refuses every eviction.
    let mut sim = sim_from(&drain_text(
        "cluster-autoscaler.kubernetes.io/safe-to-evict: \"true\"",
        "",
        REFUSING_PDB,
    ));
    sim.run_until(scenario_support::secs(189));
    // Retried every 10 s from 1:10; the 12th attempt (3:00) is the last before 2 minutes.
    assert_eq!(sim.summary().maintenance.drains[0].blocked_evictions, 12);
    let tainted = |sim: &kubesim::sim::Simulation| {
        let (_, n) = sim
            .store
            .nodes()
            .find(|(_, n)| sim.store.interner.resolve(n.name) == "pool-1")
            .unwrap();
        let keys: Vec<&str> = n
            .taints
            .iter()
            .map(|t| sim.store.interner.resolve(t.key))
            .collect();
        (
            keys.contains(&"ToBeDeletedByClusterAutoscaler"),
            n.unschedulable,
        )
    };
    assert_eq!(tainted(&sim), (true, false), "tainted, not cordoned");
    sim.run_until(scenario_support::secs(369));
    let pod = events_of(&sim, "ScaleDown", "small-")[0].clone();
    assert_eq!(pod.0, 70);
    let pod_failed = events_of(&sim, "ScaleDownFailed", "small-");
    assert_eq!(
        pod_failed,
        vec![(190, "failed to delete pod for ScaleDown".to_string())]
    );
    let key = sim
        .store
        .pods()
        .find(|(_, p)| p.name.starts_with("small-"))
        .map(|(_, p)| format!("default/{}", p.name))
        .unwrap();
    assert_eq!(
        events_of(&sim, "ScaleDownFailed", "pool-1"),
        vec![(
            190,
            format!(
                "failed to drain and delete node: Failed to drain node /pool-1, due to following errors: [failed to evict pod {key} within allowed timeout (last error: Cannot evict pod as it would violate the pod's disruption budget.)]"
            )
        )]
    );
    // The taint is gone, the node stays; the pod was never evicted.
    assert_eq!(tainted(&sim), (false, false));
    assert!(events_of(&sim, "Killing", "small-").is_empty());
    // pool-1 is unneeded again from the 3:10 loop (eligible at 4:10), but no removal comes
    // before 3:10 + --scale-down-delay-after-failure (3m) = 6:10.
    let decisions = |sim: &kubesim::sim::Simulation| -> Vec<u64> {
        events_of(sim, "ScaleDown", "pool-1")
            .into_iter()
            .filter(|e| e.1.starts_with("Scale-down"))
            .map(|e| e.0)
            .collect()
    };
    assert_eq!(decisions(&sim), vec![70]);
    sim.run_until(scenario_support::secs(370));
    assert_eq!(decisions(&sim), vec![70, 370]);
    // ... which fails the same way 2 minutes later.
    sim.run_until(scenario_support::secs(490));
    assert_eq!(
        events_of(&sim, "ScaleDownFailed", "pool-1")
            .iter()
            .map(|e| e.0)
            .collect::<Vec<_>>(),
        vec![190, 490]
    );
    assert_eq!(sim.store.nodes().count(), 2);
    let s = sim.summary();
    let d = &s.maintenance.drains[0];
    assert_eq!(
        (d.outcome, d.duration_s, d.evicted),
        ("failed", Some(120.0), 0)
    );
}
