//! Shared harness for scheduler golden tests: manifests in, what the scheduler saw out.
//!
//! Tests describe a cluster as YAML (Nodes, bound Pods with `spec.nodeName`, the pending Pod)
//! and a `KubeSchedulerConfiguration`, run the what-if scheduler exhaustively (every node
//! filtered and scored, lowest-index tie-break), and read per-node verdicts and scores.
#![allow(dead_code)]

use kubesim::load::{Origin, SchedulerConfigDoc};
use kubesim::scenario::TieBreak;
use kubesim::scheduler::explain::FilterVerdict;
use kubesim::sim::whatif::{self, WhatIf, WhatIfOptions};
use std::collections::BTreeMap;

/// Runs the what-if scheduler over `manifests` with an optional configuration text.
pub fn schedule(manifests: &str, config: Option<&str>) -> WhatIf {
    let set = kubesim::load::load_text(manifests, "test.yaml")
        .unwrap_or_else(|e| panic!("manifests: {e:?}"));
    let cfg = config.map(|text| {
        let doc = SchedulerConfigDoc {
            text: text.to_string(),
            api_version: "kubescheduler.config.k8s.io/v1".into(),
            origin: Origin::inline("config.yaml"),
        };
        kubesim::scheduler::config::parse(&doc)
            .unwrap_or_else(|e| panic!("config: {e}"))
            .0
    });
    let opts = WhatIfOptions {
        seed: 1,
        tie_break: TieBreak::LowestIndex,
        exhaustive: true,
        registry: None,
    };
    whatif::run(set.objects, cfg, &opts).unwrap_or_else(|e| panic!("what-if: {e:?}"))
}

/// A configuration whose only Filter/PreFilter are off and whose only score plugin is
/// `plugin` (weight 1), with optional `args` (YAML mapping text, indented by the caller
/// or given as a flow mapping like `{scoringStrategy: {type: MostAllocated}}`).
pub fn score_only(plugin: &str, args: Option<&str>) -> String {
    let mut s = format!(
        "apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  percentageOfNodesToScore: 100
  plugins:
    preFilter: {{disabled: [{{name: \"*\"}}]}}
    filter: {{disabled: [{{name: \"*\"}}]}}
    postFilter: {{disabled: [{{name: \"*\"}}]}}
    preScore: {{disabled: [{{name: \"*\"}}]}}
    score: {{disabled: [{{name: \"*\"}}], enabled: [{{name: {plugin}, weight: 1}}]}}
"
    );
    if args.is_some() || plugin_has_prescore(plugin) {
        s = s.replace(
            "preScore: {disabled: [{name: \"*\"}]}",
            &format!("preScore: {{disabled: [{{name: \"*\"}}], enabled: [{{name: {plugin}}}]}}"),
        );
        if !plugin_has_prescore(plugin) {
            s = s.replace(
                &format!(
                    "preScore: {{disabled: [{{name: \"*\"}}], enabled: [{{name: {plugin}}}]}}"
                ),
                "preScore: {disabled: [{name: \"*\"}]}",
            );
        }
    }
    if let Some(a) = args {
        s.push_str(&format!(
            "  pluginConfig:\n  - name: {plugin}\n    args: {a}\n"
        ));
    }
    s
}

fn plugin_has_prescore(plugin: &str) -> bool {
    matches!(
        plugin,
        "TaintToleration"
            | "NodeAffinity"
            | "PodTopologySpread"
            | "InterPodAffinity"
            | "NodeResourcesBalancedAllocation"
    )
}

/// A configuration with only `plugin`'s PreFilter and Filter (no scoring).
pub fn filter_only(plugin: &str, args: Option<&str>) -> String {
    let mut s = format!(
        "apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  percentageOfNodesToScore: 100
  plugins:
    preFilter: {{disabled: [{{name: \"*\"}}]{pre}}}
    filter: {{disabled: [{{name: \"*\"}}], enabled: [{{name: {plugin}}}]}}
    postFilter: {{disabled: [{{name: \"*\"}}]}}
    preScore: {{disabled: [{{name: \"*\"}}]}}
    score: {{disabled: [{{name: \"*\"}}]}}
",
        pre = if matches!(
            plugin,
            "NodeAffinity"
                | "NodePorts"
                | "NodeResourcesFit"
                | "PodTopologySpread"
                | "InterPodAffinity"
        ) {
            format!(", enabled: [{{name: {plugin}}}]")
        } else {
            String::new()
        }
    );
    if let Some(a) = args {
        s.push_str(&format!(
            "  pluginConfig:\n  - name: {plugin}\n    args: {a}\n"
        ));
    }
    s
}

/// The last attempt for pod `key` (`namespace/name`).
pub fn attempt<'a>(w: &'a WhatIf, key: &str) -> &'a kubesim::scheduler::explain::Attempt {
    w.outcomes
        .iter()
        .find(|o| o.key == key)
        .and_then(|o| o.attempt.as_ref())
        .unwrap_or_else(|| {
            panic!(
                "no attempt for {key}; outcomes: {:?}",
                w.outcomes.iter().map(|o| &o.key).collect::<Vec<_>>()
            )
        })
}

/// Normalised scores of `plugin` for pod `key`, by node name.
pub fn scores(w: &WhatIf, key: &str, plugin: &str) -> BTreeMap<String, i64> {
    attempt(w, key)
        .nodes
        .iter()
        .filter_map(|n| {
            n.scores
                .iter()
                .find(|s| s.plugin == plugin)
                .map(|s| (w.node_name(n.node), s.score))
        })
        .collect()
}

/// Weighted totals for pod `key`, by node name.
pub fn totals(w: &WhatIf, key: &str) -> BTreeMap<String, i64> {
    attempt(w, key)
        .nodes
        .iter()
        .filter_map(|n| n.total.map(|t| (w.node_name(n.node), t)))
        .collect()
}

/// Filter verdicts for pod `key`: `None` when the node passed, else the reasons joined.
pub fn verdicts(w: &WhatIf, key: &str) -> BTreeMap<String, Option<String>> {
    attempt(w, key)
        .nodes
        .iter()
        .map(|n| {
            let v = match &n.filter {
                FilterVerdict::Passed => None,
                FilterVerdict::Rejected(_, st) => Some(st.message()),
                FilterVerdict::NotEvaluated => Some("<not evaluated>".into()),
            };
            (w.node_name(n.node), v)
        })
        .collect()
}

/// The unschedulable message for pod `key`, or its node.
pub fn outcome(w: &WhatIf, key: &str) -> Result<String, String> {
    let o = w
        .outcomes
        .iter()
        .find(|o| o.key == key)
        .unwrap_or_else(|| panic!("no outcome for {key}"));
    match &o.node {
        Some(n) => Ok(n.clone()),
        None => Err(o.message.clone().unwrap_or_default()),
    }
}

/// A Node manifest. `cpu` in millicores, `mem` in bytes; extra labels as `k=v` pairs.
pub fn node(name: &str, cpu_m: i64, mem: i64, labels: &[(&str, &str)]) -> String {
    node_full(name, cpu_m, mem, 110, labels, "")
}

/// A Node manifest with a pod capacity and extra `spec` YAML (flow style, e.g.
/// `taints: [{key: a, effect: NoSchedule}]`).
pub fn node_full(
    name: &str,
    cpu_m: i64,
    mem: i64,
    pods: i64,
    labels: &[(&str, &str)],
    spec: &str,
) -> String {
    let mut l = format!("kubernetes.io/hostname: {name}");
    for (k, v) in labels {
        l.push_str(&format!(", \"{k}\": \"{v}\""));
    }
    let spec = if spec.is_empty() {
        String::new()
    } else {
        format!("spec: {{{spec}}}\n")
    };
    format!(
        "---\napiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {{{l}}}}}\n{spec}status:\n  allocatable: {{cpu: {cpu_m}m, memory: \"{mem}\", pods: \"{pods}\"}}\n  capacity: {{cpu: {cpu_m}m, memory: \"{mem}\", pods: \"{pods}\"}}\n"
    )
}

/// A Pod manifest with one container requesting `cpu_m` millicores and `mem` bytes (0: no
/// request), bound to `node` when given; `extra` is more `spec` YAML in flow style.
pub fn pod(
    name: &str,
    cpu_m: i64,
    mem: i64,
    node: Option<&str>,
    labels: &[(&str, &str)],
    extra: &str,
) -> String {
    let mut req = Vec::new();
    if cpu_m > 0 {
        req.push(format!("cpu: {cpu_m}m"));
    }
    if mem > 0 {
        req.push(format!("memory: \"{mem}\""));
    }
    let res = if req.is_empty() {
        String::new()
    } else {
        format!(", resources: {{requests: {{{}}}}}", req.join(", "))
    };
    let l: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("\"{k}\": \"{v}\""))
        .collect();
    let mut spec = format!("containers: [{{name: c, image: \"registry.k8s.io/pause:3.10\"{res}}}]");
    if let Some(n) = node {
        spec.push_str(&format!(", nodeName: {n}"));
    }
    if !extra.is_empty() {
        spec.push_str(", ");
        spec.push_str(extra);
    }
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: default, labels: {{{}}}}}\nspec: {{{spec}}}\n",
        l.join(", ")
    )
}
