//! Pod, pod template and container types (the simulated subset of `core/v1`).

use super::meta::{LabelSelector, ObjectMeta};
use super::quantity::Quantity;
use super::resources::{ResourceList, ResourceRequirements};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `kind: Pod`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pod {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: PodSpec,
}

/// A pod template inside a workload.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodTemplateSpec {
    /// Labels and annotations given to each pod.
    pub metadata: ObjectMeta,
    /// The pod spec.
    pub spec: PodSpec,
}

/// `spec` of a pod.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSpec {
    /// Regular containers.
    pub containers: Vec<Container>,
    /// Init containers (`restartPolicy: Always` makes one a sidecar).
    pub init_containers: Vec<Container>,
    /// Binds the pod to a node, bypassing the scheduler.
    pub node_name: Option<String>,
    /// Required node labels.
    pub node_selector: BTreeMap<String, String>,
    /// Node and pod (anti-)affinity.
    pub affinity: Option<Affinity>,
    /// Tolerated taints.
    pub tolerations: Vec<Toleration>,
    /// Spreading rules.
    pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
    /// Resolved priority (normally filled from `priorityClassName`).
    pub priority: Option<i32>,
    /// Name of a PriorityClass.
    pub priority_class_name: Option<String>,
    /// `PreemptLowerPriority` (default) or `Never`.
    pub preemption_policy: Option<PreemptionPolicy>,
    /// Which scheduler profile schedules the pod.
    pub scheduler_name: Option<String>,
    /// RuntimeClass overhead added to requests.
    pub overhead: ResourceList,
    /// RuntimeClass name (recorded; overhead must be given explicitly).
    pub runtime_class_name: Option<String>,
    /// Gates that keep the pod out of the scheduling queue.
    pub scheduling_gates: Vec<SchedulingGate>,
    /// `Always`, `OnFailure` or `Never`.
    pub restart_policy: Option<RestartPolicy>,
    /// Grace period for termination (default 30 s).
    pub termination_grace_period_seconds: Option<i64>,
    /// Deadline after which a running pod is failed.
    pub active_deadline_seconds: Option<i64>,
    /// Volumes (PVCs, config maps and secrets matter to the simulation).
    pub volumes: Vec<Volume>,
    /// Host networking (container ports become host ports).
    pub host_network: bool,
    /// Pod-level resources.
    pub resources: Option<ResourceRequirements>,
    /// Hostname (used by StatefulSet pods).
    pub hostname: Option<String>,
    /// Subdomain (used by StatefulSet pods).
    pub subdomain: Option<String>,
}

/// Pod `restartPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum RestartPolicy {
    /// Restart containers whenever they exit.
    Always,
    /// Restart containers that fail.
    OnFailure,
    /// Never restart.
    Never,
}

/// `preemptionPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum PreemptionPolicy {
    /// May preempt lower-priority pods (default).
    PreemptLowerPriority,
    /// Never preempts.
    Never,
}

/// `schedulingGates[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SchedulingGate {
    /// Gate name.
    pub name: String,
}

/// A container (regular, init or sidecar).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Container {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: Option<String>,
    /// Requests and limits.
    pub resources: ResourceRequirements,
    /// Ports (host ports constrain scheduling).
    pub ports: Vec<ContainerPort>,
    /// Readiness probe: delays Ready.
    pub readiness_probe: Option<Probe>,
    /// Liveness probe.
    pub liveness_probe: Option<Probe>,
    /// Startup probe: delays the other probes.
    pub startup_probe: Option<Probe>,
    /// `Always` on an init container makes it a sidecar.
    pub restart_policy: Option<RestartPolicy>,
    /// Config maps and secrets imported as environment.
    pub env_from: Vec<EnvFromSource>,
    /// Environment variables (references to config maps and secrets matter).
    pub env: Vec<EnvVar>,
    /// `Always`, `IfNotPresent` or `Never`.
    pub image_pull_policy: Option<String>,
}

/// `ports[]` of a container.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerPort {
    /// Port inside the container.
    pub container_port: i32,
    /// Port on the node, if any.
    pub host_port: Option<i32>,
    /// TCP (default), UDP or SCTP.
    pub protocol: Option<String>,
    /// Host IP to bind.
    #[serde(rename = "hostIP")]
    pub host_ip: Option<String>,
    /// Port name.
    pub name: Option<String>,
}

/// A probe's timing (the handler itself is not simulated).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Probe {
    /// Seconds after start before the first probe counts.
    pub initial_delay_seconds: Option<i32>,
    /// Seconds between probes (default 10).
    pub period_seconds: Option<i32>,
    /// Probe timeout (default 1).
    pub timeout_seconds: Option<i32>,
    /// Consecutive successes needed (default 1).
    pub success_threshold: Option<i32>,
    /// Consecutive failures tolerated (default 3).
    pub failure_threshold: Option<i32>,
}

/// `envFrom[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvFromSource {
    /// Config map to import.
    pub config_map_ref: Option<LocalObjectRef>,
    /// Secret to import.
    pub secret_ref: Option<LocalObjectRef>,
}

/// A reference to an object in the pod's namespace.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalObjectRef {
    /// Object name.
    pub name: String,
    /// When true a missing object is not an error.
    pub optional: Option<bool>,
}

/// `env[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvVar {
    /// Variable name.
    pub name: String,
    /// Source of the value.
    pub value_from: Option<EnvVarSource>,
}

/// `env[].valueFrom`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvVarSource {
    /// A key of a config map.
    pub config_map_key_ref: Option<KeyRef>,
    /// A key of a secret.
    pub secret_key_ref: Option<KeyRef>,
}

/// A key in a config map or secret.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyRef {
    /// Object name.
    pub name: String,
    /// Key.
    pub key: String,
    /// When true a missing object is not an error.
    pub optional: Option<bool>,
}

/// `volumes[]` (the kinds that matter to scheduling and start-up).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Volume {
    /// Volume name.
    pub name: String,
    /// A claim the pod waits for.
    pub persistent_volume_claim: Option<PvcVolumeSource>,
    /// A config map volume.
    pub config_map: Option<LocalObjectRef>,
    /// A secret volume.
    pub secret: Option<SecretVolumeSource>,
    /// Scratch space (counts as local storage for the autoscaler).
    pub empty_dir: Option<EmptyDirVolumeSource>,
    /// A host path (local storage).
    pub host_path: Option<super::Present>,
}

/// `volumes[].persistentVolumeClaim`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PvcVolumeSource {
    /// The claim's name.
    pub claim_name: String,
    /// Mount read-only.
    pub read_only: Option<bool>,
}

/// `volumes[].secret`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretVolumeSource {
    /// The secret's name.
    pub secret_name: String,
    /// When true a missing secret is not an error.
    pub optional: Option<bool>,
}

/// `volumes[].emptyDir`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmptyDirVolumeSource {
    /// `Memory` for tmpfs.
    pub medium: Option<String>,
    /// Size limit.
    pub size_limit: Option<Quantity>,
}

/// `affinity`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Affinity {
    /// Node affinity.
    pub node_affinity: Option<NodeAffinity>,
    /// Pod affinity.
    pub pod_affinity: Option<PodAffinity>,
    /// Pod anti-affinity.
    pub pod_anti_affinity: Option<PodAffinity>,
}

/// `affinity.nodeAffinity`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeAffinity {
    /// Hard requirement: the node must match one of the terms.
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
    /// Soft preferences, weighted 1–100.
    pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
}

/// A node selector: the OR of its terms.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSelector {
    /// Terms, ORed.
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

/// One node selector term: the AND of its requirements.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSelectorTerm {
    /// Requirements on node labels.
    pub match_expressions: Vec<NodeSelectorRequirement>,
    /// Requirements on node fields (only `metadata.name`).
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// A node selector requirement.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSelectorRequirement {
    /// Label key (or field name).
    pub key: String,
    /// Operator.
    pub operator: Option<NodeSelectorOperator>,
    /// Values.
    pub values: Vec<String>,
}

/// Node selector operators.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum NodeSelectorOperator {
    /// Value in the set.
    In,
    /// Value not in the set (or label absent).
    NotIn,
    /// Label present.
    Exists,
    /// Label absent.
    DoesNotExist,
    /// Integer value greater than the single value.
    Gt,
    /// Integer value less than the single value.
    Lt,
}

/// A weighted node preference.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PreferredSchedulingTerm {
    /// 1–100.
    pub weight: i32,
    /// The preferred term.
    pub preference: NodeSelectorTerm,
}

/// Pod affinity or anti-affinity.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodAffinity {
    /// Hard terms.
    pub required_during_scheduling_ignored_during_execution: Vec<PodAffinityTerm>,
    /// Weighted soft terms.
    pub preferred_during_scheduling_ignored_during_execution: Vec<WeightedPodAffinityTerm>,
}

/// A pod (anti-)affinity term.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodAffinityTerm {
    /// Pods this term refers to.
    pub label_selector: Option<LabelSelector>,
    /// Namespaces to look in (default: the pod's own).
    pub namespaces: Vec<String>,
    /// Namespaces selected by label.
    pub namespace_selector: Option<LabelSelector>,
    /// The topology domain key (e.g. `kubernetes.io/hostname`).
    pub topology_key: String,
    /// Label keys whose values are copied from the incoming pod into the selector.
    pub match_label_keys: Vec<String>,
    /// Label keys whose values must differ.
    pub mismatch_label_keys: Vec<String>,
}

/// A weighted pod affinity term.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WeightedPodAffinityTerm {
    /// 1–100.
    pub weight: i32,
    /// The term.
    pub pod_affinity_term: PodAffinityTerm,
}

/// Taint effects.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub enum TaintEffect {
    /// New pods are not scheduled.
    NoSchedule,
    /// The scheduler avoids the node.
    PreferNoSchedule,
    /// Running pods are evicted too.
    NoExecute,
}

/// A node taint.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
    /// Effect.
    pub effect: TaintEffect,
}

/// Toleration operators.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum TolerationOperator {
    /// Any value.
    Exists,
    /// Equal value (default).
    Equal,
    /// Taint value, as an integer, is less than the toleration's (TaintTolerationComparisonOperators).
    Lt,
    /// Taint value, as an integer, is greater than the toleration's (TaintTolerationComparisonOperators).
    Gt,
}

/// A toleration.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Toleration {
    /// Key (empty with Exists tolerates everything).
    pub key: Option<String>,
    /// Operator.
    pub operator: Option<TolerationOperator>,
    /// Value.
    pub value: Option<String>,
    /// Effect (empty matches all effects).
    pub effect: Option<TaintEffect>,
    /// For NoExecute: how long the pod stays after the taint appears.
    pub toleration_seconds: Option<i64>,
}

/// `whenUnsatisfiable`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum UnsatisfiableConstraintAction {
    /// Hard constraint.
    DoNotSchedule,
    /// Soft constraint.
    ScheduleAnyway,
}

/// `nodeAffinityPolicy` / `nodeTaintsPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum NodeInclusionPolicy {
    /// Only nodes that pass the pod's node affinity / tolerate taints count.
    Honor,
    /// All nodes count.
    Ignore,
}

/// A topology spread constraint.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopologySpreadConstraint {
    /// Maximum allowed difference between domains.
    pub max_skew: i32,
    /// Node label that defines domains.
    pub topology_key: String,
    /// Hard or soft.
    pub when_unsatisfiable: UnsatisfiableConstraintAction,
    /// Pods counted.
    #[serde(default)]
    pub label_selector: Option<LabelSelector>,
    /// Minimum number of domains.
    #[serde(default)]
    pub min_domains: Option<i32>,
    /// Whether node affinity limits the domains.
    #[serde(default)]
    pub node_affinity_policy: Option<NodeInclusionPolicy>,
    /// Whether taints limit the domains.
    #[serde(default)]
    pub node_taints_policy: Option<NodeInclusionPolicy>,
    /// Label keys whose values are copied into the selector.
    #[serde(default)]
    pub match_label_keys: Vec<String>,
}
