//! Scheduler profiles: the plugins of each extension point in order, with score weights,
//! built from the default plugin set merged with a `KubeSchedulerConfiguration` the way
//! upstream does (`pkg/scheduler/apis/config/v1/default_plugins.go` `mergePlugins`, and
//! `framework/runtime/framework.go` `expandMultiPointPlugins`).

use super::framework::{
    BindPlugin, Code, CycleState, FilterPlugin, NodeInfo, PermitPlugin, PreBindPlugin,
    PreEnqueuePlugin, PreFilterPlugin, PreScorePlugin, ReservePlugin, ScorePlugin, Status, View,
};
use super::postfilter::PostFilterPlugin;
use super::registry::{PluginSet, Registry};
use crate::model::{Interner, Pod};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A profile: `schedulerName` and its plugins per extension point.
pub struct Profile {
    /// `schedulerName` served.
    pub scheduler_name: String,
    /// PreEnqueue plugins.
    pub pre_enqueue: Vec<Arc<dyn PreEnqueuePlugin>>,
    /// The QueueSort plugin's name (only PrioritySort exists in-tree).
    pub queue_sort: Option<&'static str>,
    /// PreFilter plugins.
    pub pre_filter: Vec<Arc<dyn PreFilterPlugin>>,
    /// Filter plugins.
    pub filter: Vec<Arc<dyn FilterPlugin>>,
    /// PostFilter plugins.
    pub post_filter: Vec<Arc<dyn PostFilterPlugin>>,
    /// PreScore plugins.
    pub pre_score: Vec<Arc<dyn PreScorePlugin>>,
    /// Score plugins with weights.
    pub score: Vec<(Arc<dyn ScorePlugin>, i64)>,
    /// Reserve plugins.
    pub reserve: Vec<Arc<dyn ReservePlugin>>,
    /// Permit plugins.
    pub permit: Vec<Arc<dyn PermitPlugin>>,
    /// PreBind plugins.
    pub pre_bind: Vec<Arc<dyn PreBindPlugin>>,
    /// Bind plugins.
    pub bind: Vec<Arc<dyn BindPlugin>>,
    /// `percentageOfNodesToScore` (`None`: the global value or adaptive).
    pub percentage_of_nodes_to_score: Option<u32>,
    /// Notes for the user (plugins that cannot act in the simulation).
    pub notes: Vec<String>,
    /// Bit i set: `filter[i]` is node-local (its verdicts can be memoised).
    pub filter_local: u64,
    /// Per score plugin: node-local (raw scores can be memoised).
    pub score_local: Vec<bool>,
    /// Bit k set: `score[k]` reads the cluster-wide image spread.
    pub score_image_mask: u64,
    /// Bit k set: `score[k]` is node-local and does not normalise, so its weighted score can
    /// be summed with the others of its kind once per node.
    pub score_summable: u64,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("scheduler_name", &self.scheduler_name)
            .field("plugins", &self.describe())
            .finish()
    }
}

/// One plugin entry of a plugin set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginEntry {
    /// Name.
    pub name: String,
    /// Score weight (0: default).
    pub weight: i32,
}

/// `enabled`/`disabled` of one extension point.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PointConfig {
    /// Enabled plugins, in order.
    pub enabled: Vec<PluginEntry>,
    /// Disabled plugins (`*` for all defaults).
    pub disabled: Vec<String>,
}

/// The extension points a profile configures.
pub const POINTS: &[&str] = &[
    "multiPoint",
    "preEnqueue",
    "queueSort",
    "preFilter",
    "filter",
    "postFilter",
    "preScore",
    "score",
    "reserve",
    "permit",
    "preBind",
    "bind",
    "postBind",
];

/// A profile as configured (before plugins are instantiated).
#[derive(Clone, Debug, Default)]
pub struct ProfileConfig {
    /// `schedulerName`.
    pub scheduler_name: String,
    /// Per extension point (keys from [`POINTS`]).
    pub plugins: BTreeMap<String, PointConfig>,
    /// `pluginConfig` args by plugin name.
    pub plugin_config: BTreeMap<String, serde_yaml::Value>,
    /// `percentageOfNodesToScore`.
    pub percentage_of_nodes_to_score: Option<u32>,
}

/// The v1.36 default plugins, declared through MultiPoint, in order, with score weights
/// (`getDefaultPlugins`).
pub const DEFAULT_PLUGINS: &[(&str, i32)] = &[
    ("SchedulingGates", 0),
    ("PrioritySort", 0),
    ("NodeUnschedulable", 0),
    ("NodeName", 0),
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodePorts", 0),
    ("NodeResourcesFit", 1),
    ("VolumeRestrictions", 0),
    ("NodeVolumeLimits", 0),
    ("VolumeBinding", 0),
    ("VolumeZone", 0),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("DynamicResources", 0),
    ("DefaultPreemption", 0),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
    ("DefaultBinder", 0),
];

/// `mergePluginSet`: the defaults, minus disabled ones, with re-configured ones replaced in
/// place, followed by the custom ones that replaced nothing.
pub fn merge_plugin_set(default: &PointConfig, custom: &PointConfig) -> PointConfig {
    let mut disabled: Vec<String> = custom.disabled.clone();
    disabled.extend(default.disabled.iter().cloned());
    let all_disabled = disabled.iter().any(|d| d == "*");
    let mut enabled = Vec::new();
    let mut replaced = vec![false; custom.enabled.len()];
    if !all_disabled {
        for d in &default.enabled {
            if disabled.contains(&d.name) {
                continue;
            }
            match custom.enabled.iter().position(|c| c.name == d.name) {
                Some(i) => {
                    enabled.push(custom.enabled[i].clone());
                    replaced[i] = true;
                }
                None => enabled.push(d.clone()),
            }
        }
    }
    for (i, c) in custom.enabled.iter().enumerate() {
        if !replaced[i] {
            enabled.push(c.clone());
        }
    }
    PointConfig { enabled, disabled }
}

impl ProfileConfig {
    /// The default profile for `scheduler_name`.
    pub fn default_for(scheduler_name: &str) -> Self {
        ProfileConfig {
            scheduler_name: scheduler_name.to_string(),
            ..Default::default()
        }
    }

    /// Merges the configured plugin sets with the defaults (`mergePlugins`).
    pub fn merged(&self) -> BTreeMap<String, PointConfig> {
        let defaults = PointConfig {
            enabled: DEFAULT_PLUGINS
                .iter()
                .map(|&(n, w)| PluginEntry {
                    name: n.into(),
                    weight: w,
                })
                .collect(),
            disabled: Vec::new(),
        };
        let mut out = BTreeMap::new();
        for &p in POINTS {
            let custom = self.plugins.get(p).cloned().unwrap_or_default();
            let def = if p == "multiPoint" {
                defaults.clone()
            } else {
                PointConfig::default()
            };
            out.insert(p.to_string(), merge_plugin_set(&def, &custom));
        }
        out
    }
}

impl Profile {
    /// Builds a profile: instantiates each plugin once with its args, then expands MultiPoint
    /// into every extension point the plugin implements, honouring per-point configuration.
    pub fn build(
        cfg: &ProfileConfig,
        registry: &Registry,
        interner: &mut Interner,
        global_pct: Option<u32>,
    ) -> Result<Profile, String> {
        let merged = cfg.merged();
        // Instantiate every plugin mentioned as enabled anywhere.
        let mut instances: BTreeMap<String, PluginSet> = BTreeMap::new();
        let mut notes = Vec::new();
        for pc in merged.values() {
            for e in &pc.enabled {
                if instances.contains_key(&e.name) {
                    continue;
                }
                let args = cfg.plugin_config.get(&e.name);
                let set = registry.build(&e.name, args, interner)?;
                if let Some(n) = &set.note {
                    notes.push(format!("{}: {n}", e.name));
                }
                instances.insert(e.name.clone(), set);
            }
        }
        for name in cfg.plugin_config.keys() {
            if !instances.contains_key(name) && !registry.has(name) {
                return Err(format!("pluginConfig for unknown plugin {name:?}"));
            }
        }
        let mut p = Profile {
            scheduler_name: cfg.scheduler_name.clone(),
            pre_enqueue: Vec::new(),
            queue_sort: None,
            pre_filter: Vec::new(),
            filter: Vec::new(),
            post_filter: Vec::new(),
            pre_score: Vec::new(),
            score: Vec::new(),
            reserve: Vec::new(),
            permit: Vec::new(),
            pre_bind: Vec::new(),
            bind: Vec::new(),
            percentage_of_nodes_to_score: cfg.percentage_of_nodes_to_score.or(global_pct),
            notes,
            filter_local: 0,
            score_local: Vec::new(),
            score_image_mask: 0,
            score_summable: 0,
        };
        let multi = &merged["multiPoint"];
        for &point in &POINTS[1..] {
            let pc = &merged[point];
            if pc.disabled.iter().any(|d| d == "*") && pc.enabled.is_empty() {
                continue;
            }
            let implements = |name: &str| -> bool {
                let s = &instances[name];
                match point {
                    "preEnqueue" => s.pre_enqueue.is_some(),
                    "queueSort" => s.queue_sort,
                    "preFilter" => s.pre_filter.is_some(),
                    "filter" => s.filter.is_some(),
                    "postFilter" => s.post_filter.is_some(),
                    "preScore" => s.pre_score.is_some(),
                    "score" => s.score.is_some(),
                    "reserve" => s.reserve.is_some(),
                    "permit" => s.permit.is_some(),
                    "preBind" => s.pre_bind.is_some(),
                    "bind" => s.bind.is_some(),
                    _ => false,
                }
            };
            // expandMultiPointPlugins ordering: explicit overrides, then MultiPoint, then the
            // remaining explicit ones.
            let explicit: Vec<&PluginEntry> = pc.enabled.iter().collect();
            for e in &explicit {
                if !implements(&e.name) {
                    return Err(format!("plugin {:?} does not extend {point}", e.name));
                }
            }
            let mut order: Vec<(String, i32)> = Vec::new();
            let mut overrides = Vec::new();
            let mut multi_enabled = Vec::new();
            if !pc.disabled.iter().any(|d| d == "*") {
                for e in &multi.enabled {
                    if !implements(&e.name) || pc.disabled.contains(&e.name) {
                        continue;
                    }
                    if explicit.iter().any(|x| x.name == e.name) {
                        overrides.push(e.name.clone());
                        continue;
                    }
                    if multi_enabled
                        .iter()
                        .any(|(n, _): &(String, i32)| n == &e.name)
                    {
                        return Err(format!("plugin {:?} already registered as {point}", e.name));
                    }
                    multi_enabled.push((e.name.clone(), e.weight));
                }
            }
            for name in &overrides {
                let w = explicit
                    .iter()
                    .find(|x| &x.name == name)
                    .map(|x| x.weight)
                    .unwrap_or(0);
                order.push((name.clone(), w));
            }
            order.extend(multi_enabled.iter().cloned());
            for e in &explicit {
                if !order.iter().any(|(n, _)| n == &e.name) {
                    order.push((e.name.clone(), e.weight));
                }
            }
            for (name, weight) in order {
                let s = &instances[&name];
                match point {
                    "preEnqueue" => p
                        .pre_enqueue
                        .push(s.pre_enqueue.clone().expect("implements")),
                    "queueSort" => {
                        if p.queue_sort.is_some() {
                            return Err("only one queueSort plugin can be enabled".into());
                        }
                        p.queue_sort = Some(s.name);
                    }
                    "preFilter" => p.pre_filter.push(s.pre_filter.clone().expect("implements")),
                    "filter" => p.filter.push(s.filter.clone().expect("implements")),
                    "postFilter" => p
                        .post_filter
                        .push(s.post_filter.clone().expect("implements")),
                    "preScore" => p.pre_score.push(s.pre_score.clone().expect("implements")),
                    "score" => {
                        let w = if weight == 0 { 1 } else { weight };
                        if !(1..=100).contains(&w) {
                            return Err(format!(
                                "score plugin {name:?} weight {w} must be in the range 1-100"
                            ));
                        }
                        p.score
                            .push((s.score.clone().expect("implements"), w as i64));
                    }
                    "reserve" => p.reserve.push(s.reserve.clone().expect("implements")),
                    "permit" => p.permit.push(s.permit.clone().expect("implements")),
                    "preBind" => p.pre_bind.push(s.pre_bind.clone().expect("implements")),
                    "bind" => p.bind.push(s.bind.clone().expect("implements")),
                    _ => {}
                }
            }
        }
        if p.filter.len() > 64 || p.score.len() > 64 {
            return Err(format!(
                "profile {:?}: more than 64 filter or score plugins",
                p.scheduler_name
            ));
        }
        for (i, f) in p.filter.iter().enumerate() {
            if f.node_local() {
                p.filter_local |= 1 << i;
            }
        }
        p.score_local = p.score.iter().map(|(s, _)| s.node_local()).collect();
        for (k, (s, _)) in p.score.iter().enumerate() {
            if s.reads_image_spread() {
                p.score_image_mask |= 1 << k;
            }
            if s.node_local() && !s.normalizes() {
                p.score_summable |= 1 << k;
            }
        }
        if p.bind.is_empty() {
            return Err(format!(
                "profile {:?}: at least one bind plugin is needed",
                p.scheduler_name
            ));
        }
        if p.queue_sort.is_none() {
            return Err(format!(
                "profile {:?}: a queueSort plugin is needed",
                p.scheduler_name
            ));
        }
        Ok(p)
    }

    /// The default profile for `default-scheduler`.
    pub fn default_profile(interner: &mut Interner) -> Profile {
        Profile::build(
            &ProfileConfig::default_for(crate::model::convert::DEFAULT_SCHEDULER),
            &Registry::in_tree(),
            interner,
            None,
        )
        .expect("the default profile builds")
    }

    /// Runs the Filters in order (skipping the ones PreFilter skipped); the first failure stops.
    /// Returns the failing plugin's name and status.
    pub fn run_filters(
        &self,
        state: &CycleState,
        pod: &Pod,
        info: &NodeInfo<'_>,
        view: &View<'_>,
    ) -> (&'static str, Status) {
        for (i, f) in self.filter.iter().enumerate() {
            if state.skip_filter_mask & (1 << i) != 0 {
                continue;
            }
            let name = f.name();
            let st = f.filter(state, pod, info, view);
            if st.code != Code::Success {
                return (name, st);
            }
        }
        ("", Status::success())
    }

    /// Names of the plugins at each extension point (for `kubesim schedule --explain`).
    pub fn describe(&self) -> BTreeMap<&'static str, Vec<String>> {
        let mut m = BTreeMap::new();
        m.insert(
            "preFilter",
            self.pre_filter
                .iter()
                .map(|p| p.name().to_string())
                .collect(),
        );
        m.insert(
            "filter",
            self.filter.iter().map(|p| p.name().to_string()).collect(),
        );
        m.insert(
            "postFilter",
            self.post_filter
                .iter()
                .map(|p| p.name().to_string())
                .collect(),
        );
        m.insert(
            "preScore",
            self.pre_score
                .iter()
                .map(|p| p.name().to_string())
                .collect(),
        );
        m.insert(
            "score",
            self.score
                .iter()
                .map(|(p, w)| format!("{}:{w}", p.name()))
                .collect(),
        );
        m.insert(
            "preBind",
            self.pre_bind.iter().map(|p| p.name().to_string()).collect(),
        );
        m.insert(
            "bind",
            self.bind.iter().map(|p| p.name().to_string()).collect(),
        );
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(n: &str, w: i32) -> PluginEntry {
        PluginEntry {
            name: n.into(),
            weight: w,
        }
    }

    #[test]
    fn merge_replaces_in_place_and_appends() {
        // default_plugins_test.go TestMergePlugins shapes.
        let def = PointConfig {
            enabled: vec![e("A", 1), e("B", 2), e("C", 3)],
            disabled: vec![],
        };
        let custom = PointConfig {
            enabled: vec![e("B", 5), e("D", 1)],
            disabled: vec!["C".into()],
        };
        let m = merge_plugin_set(&def, &custom);
        assert_eq!(m.enabled, vec![e("A", 1), e("B", 5), e("D", 1)]);
        let all = PointConfig {
            enabled: vec![e("D", 1)],
            disabled: vec!["*".into()],
        };
        assert_eq!(merge_plugin_set(&def, &all).enabled, vec![e("D", 1)]);
    }

    #[test]
    fn default_profile_matches_upstream_order_and_weights() {
        let mut i = Interner::new();
        let p = Profile::default_profile(&mut i);
        let d = p.describe();
        assert_eq!(
            d["filter"],
            vec![
                "NodeUnschedulable",
                "NodeName",
                "TaintToleration",
                "NodeAffinity",
                "NodePorts",
                "NodeResourcesFit",
                // Upstream also has NodeVolumeLimits here (not modelled: no filter).
                "VolumeRestrictions",
                "VolumeBinding",
                "VolumeZone",
                "PodTopologySpread",
                "InterPodAffinity"
            ]
        );
        assert_eq!(
            d["score"],
            vec![
                "TaintToleration:3",
                "NodeAffinity:2",
                "NodeResourcesFit:1",
                "PodTopologySpread:2",
                "InterPodAffinity:2",
                "NodeResourcesBalancedAllocation:1",
                "ImageLocality:1"
            ]
        );
        assert_eq!(
            d["postFilter"],
            vec!["DynamicResources", "DefaultPreemption"]
        );
    }
}
