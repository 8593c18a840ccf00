//! The scenario file format (`apiVersion: kubesim/v1alpha1`, `kind: Scenario`).
//!
//! Every struct here rejects unknown fields: in a scenario an unknown field is a typo. See
//! `docs/scenario.md` for the reference with examples.

use crate::api::duration::Duration;
use crate::api::quantity::Quantity;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::fmt;

/// A whole scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioFile {
    /// Must be `kubesim/v1alpha1`.
    pub api_version: String,
    /// Must be `Scenario`.
    pub kind: String,
    /// Name and description.
    pub metadata: ScenarioMeta,
    /// Seed of every random stream (default 1).
    #[serde(default)]
    pub seed: Option<u64>,
    /// How long to simulate.
    pub duration: Duration,
    /// Node pools.
    #[serde(default)]
    pub node_pools: Vec<NodePool>,
    /// Manifests to apply at time zero.
    #[serde(default)]
    pub manifests: Vec<ManifestSource>,
    /// Image sizes (and images that cannot be pulled).
    #[serde(default)]
    pub images: Vec<ImageSpec>,
    /// Request-rate load aimed at workloads.
    #[serde(default)]
    pub load: Vec<LoadSpec>,
    /// Timed actions.
    #[serde(default)]
    pub events: Vec<ScenarioEvent>,
    /// Scheduler settings.
    #[serde(default)]
    pub scheduler: SchedulerSettings,
    /// Node agent timings.
    #[serde(default)]
    pub kubelet: KubeletSettings,
    /// How the containers of matching pods behave: run to completion or crash.
    #[serde(default)]
    pub pod_behaviors: Vec<PodBehaviorSpec>,
    /// Control-plane controller settings.
    #[serde(default)]
    pub controllers: ControllerSettings,
    /// Storage (PersistentVolume provisioning) settings.
    #[serde(default)]
    pub storage: StorageSettings,
    /// The metrics pipeline (metrics-server) settings.
    #[serde(default)]
    pub metrics: MetricsSettings,
    /// The Cluster Autoscaler (present: enabled) over the pools that set `max`.
    #[serde(default)]
    pub cluster_autoscaler: Option<ClusterAutoscalerSettings>,
    /// What to write.
    #[serde(default)]
    pub output: OutputSettings,
}

/// `metadata` of a scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioMeta {
    /// Name (names the default output directory).
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: Option<String>,
}

/// A pool of identical nodes.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodePool {
    /// Pool name; nodes are named `<name>-<index>`.
    pub name: String,
    /// Nodes at time zero.
    #[serde(default)]
    pub count: u32,
    /// Zones; nodes are spread across them round-robin (sets `topology.kubernetes.io/zone`).
    #[serde(default)]
    pub zones: Vec<String>,
    /// The node template: a Node manifest without a name.
    pub template: crate::api::node::Node,
    /// Lower bound for the cluster autoscaler.
    #[serde(default)]
    pub min: Option<u32>,
    /// Upper bound for the cluster autoscaler.
    #[serde(default)]
    pub max: Option<u32>,
    /// Price of one node per hour (any currency).
    #[serde(default)]
    pub price_per_hour: Option<f64>,
    /// Time from requesting a node to it being Ready (nodes present at time zero are Ready).
    #[serde(default)]
    pub provisioning_delay: Option<Duration>,
    /// Image pull bandwidth per node, in bytes per second (default 50Mi).
    #[serde(default)]
    pub image_pull_bandwidth: Option<Quantity>,
    /// Images already present on every node of the pool.
    #[serde(default)]
    pub prepulled_images: Vec<String>,
    /// Nodes requested from this pool may fail to come up.
    #[serde(default)]
    pub provisioning_failure: Option<ProvisioningFailure>,
}

/// When nodes requested from a pool fail to come up (the cloud cannot create them).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProvisioningFailure {
    /// Chance that each requested node fails, in [0, 1] (default 1: every node).
    #[serde(default)]
    pub probability: Option<f64>,
    /// Failures apply to nodes requested at or after this time (default: from the start).
    #[serde(default)]
    pub from: Option<Duration>,
    /// Failures apply to nodes requested before this time (default: to the end).
    #[serde(default)]
    pub until: Option<Duration>,
    /// The cloud reports an instance-creation error (OutOfResource) this long after the
    /// request; without it a failed node silently never registers.
    #[serde(default)]
    pub error_after: Option<Duration>,
}

/// Where manifests come from: a path (file or directory, relative to the scenario file) or
/// inline YAML, optionally into a namespace (`kubectl apply -n`).
#[derive(Clone, Debug)]
pub struct ManifestSource {
    /// The text's origin.
    pub source: SourceKind,
    /// Namespace for namespaced objects that do not name one.
    pub namespace: Option<String>,
}

/// A path or inline YAML.
#[derive(Clone, Debug)]
pub enum SourceKind {
    /// A file or directory.
    Path(String),
    /// YAML text.
    Inline(String),
}

impl<'de> Deserialize<'de> for ManifestSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ManifestSource;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path, {path: ...} or {inline: ...} (with an optional namespace)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ManifestSource, E> {
                Ok(ManifestSource {
                    source: SourceKind::Path(v.to_string()),
                    namespace: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ManifestSource, A::Error> {
                let mut out = None;
                let mut namespace = None;
                while let Some(k) = m.next_key::<String>()? {
                    let v = match k.as_str() {
                        "path" => SourceKind::Path(m.next_value()?),
                        "inline" => SourceKind::Inline(m.next_value()?),
                        "namespace" => {
                            namespace = Some(m.next_value::<String>()?);
                            continue;
                        }
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["path", "inline", "namespace"],
                            ));
                        }
                    };
                    if out.replace(v).is_some() {
                        return Err(de::Error::custom(
                            "give either `path` or `inline`, not both",
                        ));
                    }
                }
                let source = out.ok_or_else(|| de::Error::custom("expected `path` or `inline`"))?;
                Ok(ManifestSource { source, namespace })
            }
        }
        d.deserialize_any(V)
    }
}

/// An image's size, or its absence from the registry.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageSpec {
    /// Image reference as written in pod specs.
    pub name: String,
    /// Compressed size pulled (bytes).
    #[serde(default)]
    pub size: Option<Quantity>,
    /// The registry does not have it: pulls fail (ErrImagePull, then ImagePullBackOff).
    #[serde(default)]
    pub missing: bool,
}

/// What a load source is aimed at.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadTarget {
    /// A Service: traffic goes to its ready endpoints.
    #[serde(default)]
    pub service: Option<String>,
    /// A Deployment: traffic goes to its ready pods.
    #[serde(default)]
    pub deployment: Option<String>,
    /// A StatefulSet: traffic goes to its ready pods.
    #[serde(default)]
    pub stateful_set: Option<String>,
    /// Namespace (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// Per-pod or per-request resource cost.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cost {
    /// CPU: millicores per pod, or cpu-seconds per request (so `5m` per request is 5 ms of cpu).
    #[serde(default)]
    pub cpu: Option<Quantity>,
    /// Memory: bytes per pod, or bytes held per request/second of load.
    #[serde(default)]
    pub memory: Option<Quantity>,
}

/// A request-rate source.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadSpec {
    /// Name (a column in the outputs).
    pub name: String,
    /// Where the requests go.
    pub target: LoadTarget,
    /// Requests per second over time: one profile, or a list whose rates add up.
    pub rate: RateSpec,
    /// Cost of each request per second.
    #[serde(default)]
    pub per_request: Cost,
    /// Baseline use of every pod, with or without traffic.
    #[serde(default)]
    pub per_pod: Cost,
    /// Relative noise on the rate (standard deviation as a fraction, e.g. 0.05).
    #[serde(default)]
    pub noise: Option<f64>,
}

/// One profile or several summed.
#[derive(Clone, Debug)]
pub enum RateSpec {
    /// One profile.
    One(RateProfile),
    /// A sum of profiles.
    Sum(Vec<RateProfile>),
}

impl<'de> Deserialize<'de> for RateSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RateSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a rate profile (e.g. {constant: {rps: 100}}) or a list of them")
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<RateSpec, A::Error> {
                RateProfile::deserialize(de::value::MapAccessDeserializer::new(m))
                    .map(RateSpec::One)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<RateSpec, A::Error> {
                let mut v = Vec::new();
                while let Some(p) = s.next_element()? {
                    v.push(p);
                }
                Ok(RateSpec::Sum(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A request-rate profile (requests per second as a function of time).
#[derive(Clone, Debug, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum RateProfile {
    /// A fixed rate.
    Constant {
        /// Requests per second.
        rps: f64,
    },
    /// Piecewise-constant steps.
    Step {
        /// `(at, rps)` steps; before the first, the rate is 0.
        steps: Vec<Step>,
    },
    /// Linear change between two times.
    Ramp {
        /// Rate before `start`.
        from: f64,
        /// Rate after `end`.
        to: f64,
        /// Start of the ramp.
        #[serde(default)]
        start: Duration,
        /// End of the ramp.
        end: Duration,
    },
    /// A daily (or any period) sine wave: `base + amplitude * cos(2π (t - peakAt) / period)`.
    #[serde(alias = "sine")]
    Diurnal {
        /// Mean rate.
        base: f64,
        /// Half the peak-to-trough swing.
        amplitude: f64,
        /// Period (default 24h).
        #[serde(default)]
        period: Option<Duration>,
        /// Time of the peak within the period (default 0).
        #[serde(default)]
        peak_at: Option<Duration>,
    },
    /// A burst on top of a base rate.
    Spike {
        /// Rate outside the spike.
        #[serde(default)]
        base: f64,
        /// Rate at the top of the spike.
        peak: f64,
        /// When the spike starts.
        at: Duration,
        /// How long it stays at the peak.
        duration: Duration,
        /// Linear ramp up and down (default 0: a square pulse).
        #[serde(default)]
        ramp: Option<Duration>,
    },
    /// A CSV trace with columns `time` (seconds or a duration) and `rps`.
    Csv {
        /// Path relative to the scenario file.
        path: String,
        /// `step` (default) or `linear` between points.
        #[serde(default)]
        interpolation: Option<Interpolation>,
        /// Multiply every rate by this (default 1).
        #[serde(default)]
        scale: Option<f64>,
    },
}

/// One step of a step profile.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// When the step starts.
    pub at: Duration,
    /// Rate from then on.
    pub rps: f64,
}

/// Interpolation between trace points.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Interpolation {
    /// Hold the last value.
    Step,
    /// Linear between points.
    Linear,
}

/// A workload or node reference in a scenario event.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetRef {
    /// `kind/name`, e.g. `deployment/web`.
    pub target: String,
    /// Namespace (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// `scale`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScaleAction {
    /// `kind/name`.
    pub target: String,
    /// Namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// New replica count.
    pub replicas: i32,
}

/// `setImage`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetImageAction {
    /// `kind/name`.
    pub target: String,
    /// Namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Container name.
    pub container: String,
    /// New image.
    pub image: String,
}

/// `rolloutUndo`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UndoAction {
    /// `kind/name`.
    pub target: String,
    /// Namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Revision to go back to (default: the previous one).
    #[serde(default)]
    pub to_revision: Option<i64>,
}

/// A node reference.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeRef {
    /// Node name.
    pub node: String,
}

/// `drain`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DrainAction {
    /// Node name.
    pub node: String,
    /// Override of the pods' termination grace period (`--grace-period`).
    #[serde(default)]
    pub grace_period: Option<Duration>,
    /// Give up after this long (`--timeout`; default: wait forever).
    #[serde(default)]
    pub timeout: Option<Duration>,
    /// Also delete pods that declare no controller (`--force`).
    #[serde(default)]
    pub force: bool,
    /// Leave DaemonSet-managed pods alone instead of refusing (`--ignore-daemonsets`).
    #[serde(default)]
    pub ignore_daemonsets: bool,
    /// Also evict pods with emptyDir/hostPath volumes (`--delete-emptydir-data`).
    #[serde(default)]
    pub delete_emptydir_data: bool,
}

/// `upgradePool`: replace every node of a pool with a new one, surge-style.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpgradePoolAction {
    /// Pool name.
    pub pool: String,
    /// New nodes added before old ones are drained (default 1).
    #[serde(default)]
    pub max_surge: Option<u32>,
    /// Old nodes drained without waiting for a new one (default 0).
    #[serde(default)]
    pub max_unavailable: Option<u32>,
    /// Labels set on the new nodes (e.g. a new version label).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// How long PodDisruptionBudgets may hold a node's drain before the node is deleted
    /// anyway (default 1h).
    #[serde(default)]
    pub drain_timeout: Option<Duration>,
}

/// `addNodes`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddNodesAction {
    /// Pool name.
    pub pool: String,
    /// How many.
    pub count: u32,
}

/// `removeNodes`: either one named node, or `count` nodes of a pool (newest first).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveNodesAction {
    /// A node by name.
    #[serde(default)]
    pub node: Option<String>,
    /// A pool.
    #[serde(default)]
    pub pool: Option<String>,
    /// How many nodes of the pool.
    #[serde(default)]
    pub count: Option<u32>,
}

/// A timed action.
#[derive(Clone, Debug)]
pub enum Action {
    /// Apply manifests (create, or update objects with the same name).
    Apply(ManifestSource),
    /// Delete an object.
    Delete(TargetRef),
    /// Change the replica count.
    Scale(ScaleAction),
    /// Change a container's image (a new rollout).
    SetImage(SetImageAction),
    /// Roll back a Deployment.
    RolloutUndo(UndoAction),
    /// Pause a Deployment's rollout.
    Pause(TargetRef),
    /// Resume a Deployment's rollout.
    Resume(TargetRef),
    /// Mark a node unschedulable.
    Cordon(NodeRef),
    /// Mark a node schedulable again.
    Uncordon(NodeRef),
    /// Cordon and evict every pod (honouring PodDisruptionBudgets).
    Drain(DrainAction),
    /// The node stops (kubelet and its pods stop reporting).
    FailNode(NodeRef),
    /// A failed node comes back.
    RecoverNode(NodeRef),
    /// Add nodes to a pool.
    AddNodes(AddNodesAction),
    /// Remove nodes.
    RemoveNodes(RemoveNodesAction),
    /// Rolling upgrade of a node pool (surge a new node, drain and delete an old one).
    UpgradePool(UpgradePoolAction),
}

impl Action {
    /// The action's key as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Apply(_) => "apply",
            Action::Delete(_) => "delete",
            Action::Scale(_) => "scale",
            Action::SetImage(_) => "setImage",
            Action::RolloutUndo(_) => "rolloutUndo",
            Action::Pause(_) => "pause",
            Action::Resume(_) => "resume",
            Action::Cordon(_) => "cordon",
            Action::Uncordon(_) => "uncordon",
            Action::Drain(_) => "drain",
            Action::FailNode(_) => "failNode",
            Action::RecoverNode(_) => "recoverNode",
            Action::AddNodes(_) => "addNodes",
            Action::RemoveNodes(_) => "removeNodes",
            Action::UpgradePool(_) => "upgradePool",
        }
    }
}

/// The action keys a scenario event may use.
pub const ACTION_NAMES: &[&str] = &[
    "apply",
    "delete",
    "scale",
    "setImage",
    "rolloutUndo",
    "pause",
    "resume",
    "cordon",
    "uncordon",
    "drain",
    "failNode",
    "recoverNode",
    "addNodes",
    "removeNodes",
    "upgradePool",
];

/// One timed action: `{at: 10m, scale: {target: deployment/web, replicas: 5}}`.
#[derive(Clone, Debug)]
pub struct ScenarioEvent {
    /// When.
    pub at: crate::engine::SimDuration,
    /// A note shown in the event log.
    pub note: Option<String>,
    /// What.
    pub action: Action,
}

struct ActionSeed(String);

impl<'de> DeserializeSeed<'de> for ActionSeed {
    type Value = Action;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Action, D::Error> {
        Ok(match self.0.as_str() {
            "apply" => Action::Apply(ManifestSource::deserialize(d)?),
            "delete" => Action::Delete(TargetRef::deserialize(d)?),
            "scale" => Action::Scale(ScaleAction::deserialize(d)?),
            "setImage" => Action::SetImage(SetImageAction::deserialize(d)?),
            "rolloutUndo" => Action::RolloutUndo(UndoAction::deserialize(d)?),
            "pause" => Action::Pause(TargetRef::deserialize(d)?),
            "resume" => Action::Resume(TargetRef::deserialize(d)?),
            "cordon" => Action::Cordon(NodeRef::deserialize(d)?),
            "uncordon" => Action::Uncordon(NodeRef::deserialize(d)?),
            "drain" => Action::Drain(DrainAction::deserialize(d)?),
            "failNode" => Action::FailNode(NodeRef::deserialize(d)?),
            "recoverNode" => Action::RecoverNode(NodeRef::deserialize(d)?),
            "addNodes" => Action::AddNodes(AddNodesAction::deserialize(d)?),
            "removeNodes" => Action::RemoveNodes(RemoveNodesAction::deserialize(d)?),
            "upgradePool" => Action::UpgradePool(UpgradePoolAction::deserialize(d)?),
            other => unreachable!("checked before: {other}"),
        })
    }
}

impl<'de> Deserialize<'de> for ScenarioEvent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScenarioEvent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an event such as {at: 10m, scale: {target: deployment/web, replicas: 5}}",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<ScenarioEvent, A::Error> {
                let mut at = None;
                let mut note = None;
                let mut action: Option<Action> = None;
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "at" => at = Some(m.next_value::<Duration>()?.0),
                        "note" => note = Some(m.next_value::<String>()?),
                        key if ACTION_NAMES.contains(&key) => {
                            let a = m.next_value_seed(ActionSeed(key.to_string()))?;
                            if let Some(prev) = action.replace(a) {
                                return Err(de::Error::custom(format!(
                                    "one action per event: found both `{}` and `{key}`",
                                    prev.name()
                                )));
                            }
                        }
                        other => {
                            let mut valid = vec!["at", "note"];
                            valid.extend_from_slice(ACTION_NAMES);
                            return Err(de::Error::custom(format!(
                                "unknown field `{other}`, expected `at`, `note` or one action: {}",
                                ACTION_NAMES.join(", ")
                            )));
                        }
                    }
                }
                let at = at.ok_or_else(|| de::Error::missing_field("at"))?;
                let action = action.ok_or_else(|| {
                    de::Error::custom(format!(
                        "missing action: give one of {}",
                        ACTION_NAMES.join(", ")
                    ))
                })?;
                Ok(ScenarioEvent { at, note, action })
            }
        }
        d.deserialize_map(V)
    }
}

/// Tie-breaking among equally scored nodes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieBreak {
    /// Uniformly at random on the scheduler's seeded stream (upstream behaviour).
    #[default]
    Random,
    /// The first node in iteration order (for debugging and A/B comparisons).
    LowestIndex,
}

/// Scheduler settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchedulerSettings {
    /// A KubeSchedulerConfiguration file (relative to the scenario).
    #[serde(default)]
    pub config: Option<String>,
    /// Tie-breaking among top-scored nodes.
    #[serde(default)]
    pub tie_break: TieBreak,
}

/// Node agent timings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KubeletSettings {
    /// Size of images not listed under `images` (default 100Mi).
    #[serde(default)]
    pub default_image_size: Option<Quantity>,
    /// Time from image present to container running (default 1s).
    #[serde(default)]
    pub container_start_time: Option<Duration>,
    /// How long each non-sidecar init container runs (default 2s).
    #[serde(default)]
    pub init_container_run_time: Option<Duration>,
    /// How long containers take to exit after SIGTERM (default 1s, capped by the grace period).
    #[serde(default)]
    pub pod_shutdown_time: Option<Duration>,
    /// Hard eviction thresholds, as in `KubeletConfiguration.evictionHard` (default
    /// `memory.available: 100Mi`; only `memory.available` is simulated).
    #[serde(default)]
    pub eviction_hard: Option<std::collections::BTreeMap<String, String>>,
    /// How long a node pressure condition stays after the pressure ends (default 5m).
    #[serde(default)]
    pub eviction_pressure_transition_period: Option<Duration>,
}

/// One `podBehaviors` entry: how the containers of matching pods run.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodBehaviorSpec {
    /// Namespace of the pods (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Labels the pods must carry (`matchLabels`; empty: every pod of the namespace).
    #[serde(default)]
    pub selector: std::collections::BTreeMap<String, String>,
    /// Only pods of this workload, `kind/name` (`deployment/web`, `replicaset/web-1`,
    /// `job/pi`).
    #[serde(default)]
    pub workload: Option<String>,
    /// Containers the entry applies to (default: every app container).
    #[serde(default)]
    pub containers: Vec<String>,
    /// The container exits after running this long (exit code `exitCode`, default 0).
    #[serde(default)]
    pub run_time: Option<Duration>,
    /// The container crashes after running this long (exit code `exitCode`, default 1).
    #[serde(default)]
    pub crash_after: Option<Duration>,
    /// Exit code (0..=255).
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Seeded uniform extra run time in `[0, jitter)`, drawn for every container start.
    #[serde(default)]
    pub jitter: Option<Duration>,
}

/// Cluster Autoscaler flags (cluster-autoscaler's defaults when omitted).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterAutoscalerSettings {
    /// `--scan-interval` (10s).
    #[serde(default)]
    pub scan_interval: Option<Duration>,
    /// `--expander`: `least-waste` (default), `most-pods`, `price`, `priority` or `random`, or a
    /// comma-separated chain (`priority,least-waste`).
    #[serde(default)]
    pub expander: Option<String>,
    /// The priority expander's priorities (integer → regexes over node-group names), instead of
    /// a `cluster-autoscaler-priority-expander` ConfigMap in kube-system.
    #[serde(default)]
    pub priorities: Option<std::collections::BTreeMap<i64, Vec<String>>>,
    /// `--max-node-provision-time` (15m).
    #[serde(default)]
    pub max_node_provision_time: Option<Duration>,
    /// `--scale-down-delay-after-failure` (3m).
    #[serde(default)]
    pub scale_down_delay_after_failure: Option<Duration>,
    /// `--initial-node-group-backoff-duration` (5m).
    #[serde(default)]
    pub initial_node_group_backoff_duration: Option<Duration>,
    /// `--max-node-group-backoff-duration` (30m).
    #[serde(default)]
    pub max_node_group_backoff_duration: Option<Duration>,
    /// `--node-group-backoff-reset-timeout` (3h).
    #[serde(default)]
    pub node_group_backoff_reset_timeout: Option<Duration>,
    /// `--scale-down-enabled` (true).
    #[serde(default)]
    pub scale_down_enabled: Option<bool>,
    /// `--scale-down-utilization-threshold` (0.5).
    #[serde(default)]
    pub scale_down_utilization_threshold: Option<f64>,
    /// `--scale-down-unneeded-time` (10m).
    #[serde(default)]
    pub scale_down_unneeded_time: Option<Duration>,
    /// `--scale-down-delay-after-add` (10m).
    #[serde(default)]
    pub scale_down_delay_after_add: Option<Duration>,
    /// `--scale-down-delay-after-delete` (0s: the scan interval).
    #[serde(default)]
    pub scale_down_delay_after_delete: Option<Duration>,
    /// `--max-nodes-total` (0: unlimited).
    #[serde(default)]
    pub max_nodes_total: Option<u32>,
    /// `--max-graceful-termination-sec` (default 600): caps the grace period of a scale-down's
    /// evictions.
    #[serde(default)]
    pub max_graceful_termination_sec: Option<u32>,
    /// `--max-pod-eviction-time` (default 2m): how long a scale-down retries refused evictions.
    #[serde(default)]
    pub max_pod_eviction_time: Option<Duration>,
}

/// metrics-server settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsSettings {
    /// `--metric-resolution`: how often pods are scraped (default 15s, at least 10s).
    #[serde(default)]
    pub resolution: Option<Duration>,
}

/// Storage settings: how long dynamic provisioning takes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageSettings {
    /// Time from a claim needing a volume to the provisioner's volume existing (default 5s).
    #[serde(default)]
    pub provisioning_delay: Option<Duration>,
    /// Per-StorageClass provisioning time, overriding `provisioningDelay`.
    #[serde(default)]
    pub provisioning_delay_by_class: std::collections::BTreeMap<String, Duration>,
}

/// Control-plane controller settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ControllerSettings {
    /// `--node-monitor-grace-period` (default 50s, the v1.32+ default).
    #[serde(default)]
    pub node_monitor_grace_period: Option<Duration>,
    /// `--node-monitor-period` (default 5s).
    #[serde(default)]
    pub node_monitor_period: Option<Duration>,
    /// Toleration seconds the DefaultTolerationSeconds admission plugin adds (default 300).
    #[serde(default)]
    pub default_toleration_seconds: Option<i64>,
}

/// Which Kubernetes events to write.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventsOutput {
    /// All.
    #[default]
    All,
    /// Warnings only.
    Warnings,
    /// None.
    None,
}

/// Output settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutputSettings {
    /// Interval between rows of `timeseries.csv` (default 30s).
    #[serde(default)]
    pub sample_interval: Option<Duration>,
    /// Which events go to `events.jsonl`.
    #[serde(default)]
    pub events: EventsOutput,
}
