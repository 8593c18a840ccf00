//! The plugin registry: plugin names to factories that read the plugin's `pluginConfig` args
//! (`pkg/scheduler/framework/plugins/registry.go`, args and their defaults from
//! `pkg/scheduler/apis/config/v1/defaults.go`). Custom plugins register here too.

use super::framework::{
    BindPlugin, FilterPlugin, PermitPlugin, PreBindPlugin, PreEnqueuePlugin, PreFilterPlugin,
    PreScorePlugin, ReservePlugin, ScorePlugin,
};
use super::plugins::*;
use super::postfilter::PostFilterPlugin;
use crate::model::Interner;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One plugin instance, as each extension point it implements.
#[derive(Clone, Default)]
pub struct PluginSet {
    /// Registered name.
    pub name: &'static str,
    /// PreEnqueue.
    pub pre_enqueue: Option<Arc<dyn PreEnqueuePlugin>>,
    /// QueueSort.
    pub queue_sort: bool,
    /// PreFilter.
    pub pre_filter: Option<Arc<dyn PreFilterPlugin>>,
    /// Filter.
    pub filter: Option<Arc<dyn FilterPlugin>>,
    /// PostFilter.
    pub post_filter: Option<Arc<dyn PostFilterPlugin>>,
    /// PreScore.
    pub pre_score: Option<Arc<dyn PreScorePlugin>>,
    /// Score.
    pub score: Option<Arc<dyn ScorePlugin>>,
    /// Reserve.
    pub reserve: Option<Arc<dyn ReservePlugin>>,
    /// Permit.
    pub permit: Option<Arc<dyn PermitPlugin>>,
    /// PreBind.
    pub pre_bind: Option<Arc<dyn PreBindPlugin>>,
    /// Bind.
    pub bind: Option<Arc<dyn BindPlugin>>,
    /// A note for the user when the plugin cannot act in the simulation.
    pub note: Option<String>,
}

/// Builds a plugin from its (optional) args.
pub type Factory = fn(Option<&serde_yaml::Value>, &mut Interner) -> Result<PluginSet, String>;

/// Plugin factories by name.
#[derive(Clone)]
pub struct Registry {
    factories: BTreeMap<&'static str, Factory>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.factories.keys()).finish()
    }
}

/// In-tree plugins of other schedulers or out-of-tree projects, for a clear message.
const OUT_OF_TREE: &[&str] = &[
    "Coscheduling",
    "CapacityScheduling",
    "NodeResourceTopologyMatch",
    "NodeResourcesAllocatable",
    "TargetLoadPacking",
    "LoadVariationRiskBalancing",
    "LowRiskOverCommitment",
    "Peaks",
    "PodState",
    "QOSSort",
    "TopologicalSort",
    "NetworkOverhead",
    "SySched",
    "PreemptionToleration",
    "CrossNodePreemption",
    "NodeMetadata",
    "ElasticQuota",
];

/// Plugins of older releases, renamed or folded into others.
const REMOVED: &[(&str, &str)] = &[
    (
        "NodeResourcesLeastAllocated",
        "use NodeResourcesFit with scoringStrategy LeastAllocated",
    ),
    (
        "NodeResourcesMostAllocated",
        "use NodeResourcesFit with scoringStrategy MostAllocated",
    ),
    (
        "RequestedToCapacityRatio",
        "use NodeResourcesFit with scoringStrategy RequestedToCapacityRatio",
    ),
    ("NodePreferAvoidPods", "removed in v1.25"),
    (
        "SelectorSpread",
        "removed in v1.27; PodTopologySpread's system defaults replace it",
    ),
    ("NodeLabel", "removed in v1.23"),
    ("ServiceAffinity", "removed in v1.23"),
    ("EBSLimits", "folded into NodeVolumeLimits"),
    ("GCEPDLimits", "folded into NodeVolumeLimits"),
    ("AzureDiskLimits", "folded into NodeVolumeLimits"),
    ("CinderLimits", "folded into NodeVolumeLimits"),
];

fn args<T: for<'de> Deserialize<'de> + Default>(
    name: &str,
    v: Option<&serde_yaml::Value>,
) -> Result<T, String> {
    match v {
        None => Ok(T::default()),
        Some(v) => {
            // Args may carry apiVersion/kind; they are not part of the typed struct.
            let mut v = v.clone();
            if let serde_yaml::Value::Mapping(m) = &mut v {
                m.remove("apiVersion");
                m.remove("kind");
            }
            serde_yaml::from_value(v).map_err(|e| format!("invalid args for {name}: {e}"))
        }
    }
}

macro_rules! set {
    ($name:expr, $p:expr, [$($point:ident),*]) => {{
        let p = Arc::new($p);
        PluginSet { name: $name, $($point: Some(p.clone()),)* ..Default::default() }
    }};
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FitArgsRaw {
    #[serde(default)]
    ignored_resources: Vec<String>,
    #[serde(default)]
    ignored_resource_groups: Vec<String>,
    #[serde(default)]
    scoring_strategy: Option<StrategyRaw>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrategyRaw {
    #[serde(default, rename = "type")]
    type_: Option<String>,
    #[serde(default)]
    resources: Option<Vec<ResourceRaw>>,
    #[serde(default)]
    requested_to_capacity_ratio: Option<RtcrRaw>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResourceRaw {
    name: String,
    #[serde(default)]
    weight: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RtcrRaw {
    shape: Vec<ShapePoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ShapePoint {
    utilization: i64,
    score: i64,
}

fn resources(
    raw: Option<Vec<ResourceRaw>>,
    default: Vec<node_resources_fit::ResourceWeight>,
) -> Result<Vec<node_resources_fit::ResourceWeight>, String> {
    // v1 defaulting (`SetDefaults_NodeResourcesFitArgs`): no resources means cpu and memory,
    // a zero weight means 1; then `validateResources`.
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(default);
    };
    let mut out = Vec::new();
    for r in raw {
        let w = match r.weight.unwrap_or(0) {
            0 => 1,
            w => w,
        };
        if !(1..=100).contains(&w) {
            return Err(format!(
                "resource weight of {} not in valid range [1, 100]",
                r.name
            ));
        }
        out.push(node_resources_fit::ResourceWeight {
            name: r.name,
            weight: w,
        });
    }
    Ok(out)
}

fn fit(v: Option<&serde_yaml::Value>, _: &mut Interner) -> Result<PluginSet, String> {
    let raw: FitArgsRaw = args("NodeResourcesFit", v)?;
    let mut a = node_resources_fit::FitArgs {
        ignored_resources: raw.ignored_resources,
        ignored_resource_groups: raw.ignored_resource_groups,
        ..Default::default()
    };
    if let Some(s) = raw.scoring_strategy {
        a.resources = resources(s.resources, a.resources)?;
        a.strategy = match s.type_.as_deref().unwrap_or("LeastAllocated") {
            "LeastAllocated" => node_resources_fit::Strategy::LeastAllocated,
            "MostAllocated" => node_resources_fit::Strategy::MostAllocated,
            "RequestedToCapacityRatio" => {
                let shape = s
                    .requested_to_capacity_ratio
                    .ok_or("scoringStrategy.requestedToCapacityRatio is required for RequestedToCapacityRatio")?
                    .shape;
                if shape.is_empty() {
                    return Err("requestedToCapacityRatio.shape must not be empty".into());
                }
                let mut prev = -1;
                for p in &shape {
                    if !(0..=100).contains(&p.utilization) || p.utilization <= prev {
                        return Err(
                            "shape utilization values must be in 0..100 and strictly increasing"
                                .into(),
                        );
                    }
                    if !(0..=10).contains(&p.score) {
                        return Err("shape score values must be in 0..10".into());
                    }
                    prev = p.utilization;
                }
                node_resources_fit::Strategy::RequestedToCapacityRatio(
                    shape.iter().map(|p| (p.utilization, p.score)).collect(),
                )
            }
            other => {
                return Err(format!(
                    "scoringStrategy.type: Unsupported value: {other:?}"
                ));
            }
        };
    }
    Ok(set!(
        "NodeResourcesFit",
        node_resources_fit::NodeResourcesFit { args: a },
        [pre_filter, filter, pre_score, score]
    ))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BalancedRaw {
    #[serde(default)]
    resources: Option<Vec<ResourceRaw>>,
}

fn balanced(v: Option<&serde_yaml::Value>, _: &mut Interner) -> Result<PluginSet, String> {
    let raw: BalancedRaw = args("NodeResourcesBalancedAllocation", v)?;
    let mut a = balanced_allocation::BalancedArgs::default();
    // `SetDefaults_NodeResourcesBalancedAllocationArgs` then
    // `ValidateNodeResourcesBalancedAllocationArgs`: weights are unused and must be 1.
    if let Some(r) = raw.resources.filter(|r| !r.is_empty()) {
        let mut names: Vec<String> = Vec::new();
        for (i, r) in r.into_iter().enumerate() {
            if names.contains(&r.name) {
                return Err(format!(
                    "resources[{i}].name: Duplicate value: {:?}",
                    r.name
                ));
            }
            if !matches!(r.weight, None | Some(0) | Some(1)) {
                return Err(format!(
                    "resources[{i}].weight: Invalid value: {}: must be 1",
                    r.weight.unwrap_or(0)
                ));
            }
            names.push(r.name);
        }
        a.resources = names;
    }
    Ok(set!(
        "NodeResourcesBalancedAllocation",
        balanced_allocation::BalancedAllocation { args: a },
        [pre_score, score]
    ))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PtsRaw {
    #[serde(default)]
    default_constraints: Vec<crate::api::pod::TopologySpreadConstraint>,
    #[serde(default)]
    defaulting_type: Option<String>,
}

fn pts(v: Option<&serde_yaml::Value>, _: &mut Interner) -> Result<PluginSet, String> {
    let raw: PtsRaw = args("PodTopologySpread", v)?;
    let defaulting = match raw.defaulting_type.as_deref().unwrap_or("System") {
        "System" => {
            if !raw.default_constraints.is_empty() {
                return Err("PodTopologySpread: defaultConstraints must be empty when defaultingType is System".into());
            }
            pod_topology_spread::Defaulting::System
        }
        "List" => pod_topology_spread::Defaulting::List(
            raw.default_constraints
                .iter()
                .map(|c| {
                    (
                        c.max_skew,
                        c.topology_key.clone(),
                        c.when_unsatisfiable
                            == crate::api::pod::UnsatisfiableConstraintAction::DoNotSchedule,
                    )
                })
                .collect(),
        ),
        other => {
            return Err(format!(
                "PodTopologySpread: defaultingType: Unsupported value: {other:?}"
            ));
        }
    };
    Ok(set!(
        "PodTopologySpread",
        pod_topology_spread::PodTopologySpread { defaulting },
        [pre_filter, filter, pre_score, score]
    ))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IpaRaw {
    #[serde(default)]
    hard_pod_affinity_weight: Option<i64>,
    #[serde(default)]
    ignore_preferred_terms_of_existing_pods: bool,
}

fn ipa(v: Option<&serde_yaml::Value>, _: &mut Interner) -> Result<PluginSet, String> {
    let raw: IpaRaw = args("InterPodAffinity", v)?;
    let w = raw.hard_pod_affinity_weight.unwrap_or(1);
    if !(0..=100).contains(&w) {
        return Err("InterPodAffinity: hardPodAffinityWeight must be in the range 0-100".into());
    }
    let a = inter_pod_affinity::Args {
        hard_pod_affinity_weight: w,
        ignore_preferred_terms_of_existing_pods: raw.ignore_preferred_terms_of_existing_pods,
    };
    Ok(set!(
        "InterPodAffinity",
        inter_pod_affinity::InterPodAffinity { args: a },
        [pre_filter, filter, pre_score, score]
    ))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NodeAffinityRaw {
    #[serde(default)]
    added_affinity: Option<crate::api::pod::NodeAffinity>,
}

fn node_affinity_factory(
    v: Option<&serde_yaml::Value>,
    i: &mut Interner,
) -> Result<PluginSet, String> {
    let raw: NodeAffinityRaw = args("NodeAffinity", v)?;
    let added = match raw.added_affinity {
        None => None,
        Some(a) => {
            let spec = crate::api::pod::PodSpec {
                containers: vec![crate::api::pod::Container {
                    name: "c".into(),
                    image: Some("x".into()),
                    ..Default::default()
                }],
                affinity: Some(crate::api::pod::Affinity {
                    node_affinity: Some(a),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let o = crate::load::Origin::inline("NodeAffinityArgs");
            let s = crate::model::convert::pod_spec(&spec, i, &o, "addedAffinity")
                .map_err(|d| d.message)?;
            Some(s.node_affinity)
        }
    };
    Ok(set!(
        "NodeAffinity",
        node_affinity::NodeAffinity { added },
        [pre_filter, filter, pre_score, score]
    ))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PreemptionRaw {
    #[serde(default)]
    min_candidate_nodes_percentage: Option<i64>,
    #[serde(default)]
    min_candidate_nodes_absolute: Option<i64>,
}

fn preemption(v: Option<&serde_yaml::Value>, _: &mut Interner) -> Result<PluginSet, String> {
    let raw: PreemptionRaw = args("DefaultPreemption", v)?;
    let pct = raw.min_candidate_nodes_percentage.unwrap_or(10);
    let abs = raw.min_candidate_nodes_absolute.unwrap_or(100);
    if !(0..=100).contains(&pct) || abs < 0 || (pct == 0 && abs == 0) {
        return Err("DefaultPreemption: minCandidateNodesPercentage must be in 0..100, minCandidateNodesAbsolute >= 0, not both 0".into());
    }
    let p = default_preemption::DefaultPreemption {
        min_candidate_nodes_percentage: pct,
        min_candidate_nodes_absolute: abs,
    };
    Ok(set!("DefaultPreemption", p, [pre_enqueue, post_filter]))
}

fn volume_note(name: &'static str) -> PluginSet {
    PluginSet {
        name,
        note: Some("CSI attach limits (CSINode allocatable counts) are not modelled: this plugin has no effect".into()),
        ..Default::default()
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VolumeBindingRaw {
    #[serde(default)]
    bind_timeout_seconds: Option<i64>,
    #[serde(default)]
    shape: Option<serde_yaml::Value>,
}

fn volume_binding_factory(
    v: Option<&serde_yaml::Value>,
    _: &mut Interner,
) -> Result<PluginSet, String> {
    let raw: VolumeBindingRaw = args("VolumeBinding", v)?;
    let secs = raw.bind_timeout_seconds.unwrap_or(600);
    if secs < 0 {
        return Err(
            "VolumeBinding: bindTimeoutSeconds: Invalid value: must be non-negative".into(),
        );
    }
    let _ = raw.shape;
    let p = volume_binding::VolumeBinding {
        bind_timeout: crate::engine::SimDuration::from_secs(secs as u64),
    };
    Ok(set!("VolumeBinding", p, [pre_filter, filter, pre_bind]))
}

impl Registry {
    /// Every in-tree plugin kubesim implements.
    pub fn in_tree() -> Self {
        let mut f: BTreeMap<&'static str, Factory> = BTreeMap::new();
        f.insert("SchedulingGates", |_, _| {
            Ok(set!(
                "SchedulingGates",
                scheduling_gates::SchedulingGates,
                [pre_enqueue]
            ))
        });
        f.insert("PrioritySort", |_, _| {
            Ok(PluginSet {
                name: "PrioritySort",
                queue_sort: true,
                ..Default::default()
            })
        });
        f.insert("NodeUnschedulable", |_, _| {
            Ok(set!(
                "NodeUnschedulable",
                node_unschedulable::NodeUnschedulable,
                [filter]
            ))
        });
        f.insert("NodeName", |_, _| {
            Ok(set!("NodeName", node_name::NodeName, [filter]))
        });
        f.insert("TaintToleration", |_, _| {
            Ok(set!(
                "TaintToleration",
                taint_toleration::TaintToleration,
                [filter, pre_score, score]
            ))
        });
        f.insert("NodeAffinity", node_affinity_factory);
        f.insert("NodePorts", |_, _| {
            Ok(set!(
                "NodePorts",
                node_ports::NodePorts,
                [pre_filter, filter]
            ))
        });
        f.insert("NodeResourcesFit", fit);
        f.insert("NodeResourcesBalancedAllocation", balanced);
        f.insert("ImageLocality", |_, _| {
            Ok(set!(
                "ImageLocality",
                image_locality::ImageLocality,
                [score]
            ))
        });
        f.insert("PodTopologySpread", pts);
        f.insert("InterPodAffinity", ipa);
        f.insert("DynamicResources", |_, _| {
            Ok(set!(
                "DynamicResources",
                dynamic_resources::DynamicResources,
                [pre_filter, post_filter]
            ))
        });
        f.insert("DefaultPreemption", preemption);
        f.insert("DefaultBinder", |_, _| {
            Ok(set!("DefaultBinder", DefaultBinder, [bind]))
        });
        f.insert("VolumeRestrictions", |_, _| {
            Ok(set!(
                "VolumeRestrictions",
                volume_restrictions::VolumeRestrictions,
                [pre_filter, filter]
            ))
        });
        f.insert("NodeVolumeLimits", |_, _| {
            Ok(volume_note("NodeVolumeLimits"))
        });
        f.insert("VolumeBinding", volume_binding_factory);
        f.insert("VolumeZone", |_, _| {
            Ok(set!(
                "VolumeZone",
                volume_zone::VolumeZone,
                [pre_filter, filter]
            ))
        });
        Registry { factories: f }
    }

    /// Registers (or replaces) a plugin factory under `name` (custom plugins).
    pub fn register(&mut self, name: &'static str, factory: Factory) {
        self.factories.insert(name, factory);
    }

    /// True when `name` is registered.
    pub fn has(&self, name: &str) -> bool {
        self.factories.contains_key(name)
    }

    /// Instantiates plugin `name`.
    pub fn build(
        &self,
        name: &str,
        args: Option<&serde_yaml::Value>,
        interner: &mut Interner,
    ) -> Result<PluginSet, String> {
        match self.factories.get(name) {
            Some(f) => f(args, interner),
            None => {
                if let Some((_, why)) = REMOVED.iter().find(|(n, _)| *n == name) {
                    return Err(format!(
                        "plugin {name:?} does not exist in v1.36 kube-scheduler: {why}"
                    ));
                }
                if OUT_OF_TREE.contains(&name) {
                    return Err(format!(
                        "plugin {name:?} is an out-of-tree plugin (kubernetes-sigs/scheduler-plugins) that kubesim does not implement; docs/plugins.md shows how to write it against kubesim's plugin API"
                    ));
                }
                Err(format!(
                    "plugin {name:?} does not exist in v1.36 kube-scheduler or in kubesim (custom plugins: docs/plugins.md)"
                ))
            }
        }
    }

    /// Registered names.
    pub fn names(&self) -> impl Iterator<Item = &&'static str> {
        self.factories.keys()
    }
}
