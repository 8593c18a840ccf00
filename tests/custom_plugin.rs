//! A custom Score plugin written against kubesim's plugin API, registered and enabled by a
//! KubeSchedulerConfiguration — the example of docs/plugins.md, kept true by this test.

use kubesim::load::{Origin, SchedulerConfigDoc};
use kubesim::model::{Interner, Pod};
use kubesim::scenario::TieBreak;
use kubesim::scheduler::framework::{
    CycleState, NodeInfo, Plugin, ScorePlugin, View, default_normalize,
};
use kubesim::scheduler::registry::{PluginSet, Registry};
use kubesim::sim::whatif::{self, WhatIfOptions};
use std::sync::Arc;

/// Scores a node by the integer value of its `example.com/priority` label.
struct LabelPriority {
    key: kubesim::model::Sym,
}

impl Plugin for LabelPriority {
    fn name(&self) -> &'static str {
        "LabelPriority"
    }
}

impl ScorePlugin for LabelPriority {
    fn score(&self, _: &CycleState, _: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> i64 {
        node.node
            .labels
            .get(self.key)
            .and_then(|v| view.store.interner.resolve(v).parse().ok())
            .unwrap_or(0)
    }

    fn normalize(&self, _: &CycleState, scores: &mut [i64]) {
        default_normalize(100, false, scores);
    }
}

fn factory(
    _args: Option<&serde_yaml::Value>,
    interner: &mut Interner,
) -> Result<PluginSet, String> {
    let p = Arc::new(LabelPriority {
        key: interner.intern("example.com/priority"),
    });
    Ok(PluginSet {
        name: "LabelPriority",
        score: Some(p),
        ..Default::default()
    })
}

const CONFIG: &str = "apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
  plugins:
    score:
      enabled:
      - name: LabelPriority
        weight: 50
";

const MANIFESTS: &str = "
apiVersion: v1
kind: Node
metadata: {name: cheap, labels: {example.com/priority: \"1\"}}
status: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}
---
apiVersion: v1
kind: Node
metadata: {name: preferred, labels: {example.com/priority: \"9\"}}
status: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: default}
spec:
  containers: [{name: c, image: nginx:1.27, resources: {requests: {cpu: 100m}}}]
";

#[test]
fn a_registered_score_plugin_steers_placement() {
    let mut registry = Registry::in_tree();
    registry.register("LabelPriority", factory);
    let doc = SchedulerConfigDoc {
        text: CONFIG.into(),
        api_version: "kubescheduler.config.k8s.io/v1".into(),
        origin: Origin::inline("config.yaml"),
    };
    let (cfg, _) = kubesim::scheduler::config::parse(&doc).unwrap();
    let set = kubesim::load::load_text(MANIFESTS, "m.yaml").unwrap();
    let opts = WhatIfOptions {
        seed: 1,
        tie_break: TieBreak::Random,
        exhaustive: false,
        registry: Some(Arc::new(registry)),
    };
    let w = whatif::run(set.objects, Some(cfg), &opts).unwrap();
    assert_eq!(w.outcomes[0].node.as_deref(), Some("preferred"));
    let a = w.outcomes[0].attempt.as_ref().unwrap();
    let n = a
        .nodes
        .iter()
        .find(|n| w.node_name(n.node) == "preferred")
        .unwrap();
    let s = n
        .scores
        .iter()
        .find(|s| s.plugin == "LabelPriority")
        .unwrap();
    assert_eq!((s.score, s.weight), (100, 50));
}

#[test]
fn unknown_plugins_are_refused_without_registration() {
    let doc = SchedulerConfigDoc {
        text: CONFIG.into(),
        api_version: "kubescheduler.config.k8s.io/v1".into(),
        origin: Origin::inline("config.yaml"),
    };
    let (cfg, _) = kubesim::scheduler::config::parse(&doc).unwrap();
    let mut i = Interner::new();
    let e =
        kubesim::scheduler::config::build_profiles(&cfg, &Registry::in_tree(), &mut i).unwrap_err();
    assert!(
        e.message.contains("\"LabelPriority\" does not exist"),
        "{}",
        e.message
    );
    assert_eq!(e.line, Some(8));
}
